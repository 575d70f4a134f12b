-- Recipe `freq`: a frequency list by an attribute (word, norm, lemma, pos, xpos) or a
-- value of the recognizers' spans (ent.name, ent.type, ent.id, date.value, money.currency,
-- cite.authors, quote.speaker ...) of the corpus, a subcorpus (where), or the matches of
-- a query (the values of a match's tokens joined by spaces); optionally per document or
-- per metadata value.
--
--   corpus:freq{by = "lemma", where = 'doc.kind = "news"', pos = "NOUN", match = "^cyber",
--               per = "doc" | "doc.KEY", query = '"Russia" []', limit = 20}
--
-- Columns: value freq per_million range (with `per`: group first). per_million = freq /
-- tokens * 10^6, tokens the (sub)corpus's (or the group's) size; range = the documents
-- in which the value occurs. `pos` keeps tokens of that part of speech (a query
-- [pos="..."] counted by `by`); `match` keeps values a regular expression matches whole
-- (PCRE2, as CQL's values: 'cyber.*'). Counts are
-- sums over every corpus file given.
local common = require "dossier.recipes.common"

local M = {}

local function quote(s) return '"' .. s:gsub('[\\"]', "\\%0") .. '"' end

-- The values of the recognizers' spans (by = "ent.name", "ent.type", "date.value" ...)
-- over document set `set`: a count table (values, freq, range), most frequent first.
local SPAN_KINDS = {ent = true, date = true, money = true, percent = true, cite = true, url = true, quote = true}
local function span_count(h, kind, attr, set)
  local freq, range, last = {}, {}, {}
  for k = 1, #h:docs() do
    if not set or set:byte(k) == 1 then
      for _, s in ipairs(h:spans(k, kind, false)) do
        local v = s.values[attr]
        if v == nil then error(string.format("freq: <%s> has no value '%s'", kind, attr), 0) end
        freq[v] = (freq[v] or 0) + 1
        if last[v] ~= k then range[v], last[v] = (range[v] or 0) + 1, k end
      end
    end
  end
  local t = {values = {}, freq = {}, range = {}}
  for v in pairs(freq) do t.values[#t.values + 1] = v end
  table.sort(t.values, function(a, b)
    if freq[a] ~= freq[b] then return freq[a] > freq[b] end
    return a < b
  end)
  for i, v in ipairs(t.values) do t.freq[i], t.range[i] = freq[v], range[v] end
  return t
end

-- Counts of one corpus handle over document set `set`: a count table (values, freq, range).
-- sorted: most frequent first, then by value, in C (the matches' counts always are).
local function count(c, h, opts, set, sorted)
  local by = opts.by or "word"
  local kind, attr = by:match("^(%a+)%.(%a+)$")
  if kind and SPAN_KINDS[kind] then
    if opts.query or opts.pos then error("freq: a span value (" .. by .. ") goes with neither query nor pos", 0) end
    return span_count(h, kind, attr, set), "tokens"
  end
  if opts.query then return h:count_matches(common.query_arg(c, opts.query, "freq"), by, set), "total" end
  if opts.pos then return h:count_matches("[pos=" .. quote(opts.pos) .. "]", by, set), "total" end
  return h:count_freq(by, set, sorted), "tokens"
end

-- Groups of documents for `per`: list of {name, set}, set intersected with base.
local function groups(docs, base, per)
  local key = per ~= "doc" and per:match("^doc%.(.+)$")
  if per ~= "doc" and not key then error("per: 'doc' or 'doc.KEY' expected, got '" .. per .. "'", 0) end
  local out, by = {}, {}
  for i, d in ipairs(docs) do
    if not base or base:byte(i) == 1 then
      local g = key and (d.meta[key] or "") or d.name
      if not by[g] then
        by[g] = {name = g, flags = {}}
        out[#out + 1] = by[g]
      end
      by[g].flags[i] = true
    end
  end
  for _, g in ipairs(out) do
    local b = {}
    for i = 1, #docs do b[i] = g.flags[i] and "\1" or "\0" end
    g.set = table.concat(b)
  end
  return out
end

-- Merge a count table into rows of group `gname`.
local function rows_of(acc, t, tokens, gname, opts, out)
  for _, r in pairs(acc) do
    if not opts.match or opts.match_re:test(r.value) then
      r.per_million = tokens > 0 and r.freq / tokens * 1e6 or 0.0
      r.group = gname
      out[#out + 1] = r
    end
  end
end

function M.run(corpora, opts)
  opts = opts or {}
  corpora = common.corpora(corpora)
  if opts.match then opts.match_re = require("dossier.core").regex(opts.match) end
  local rows = {}
  if opts.per then
    -- groups are by name across files: a metadata value's counts are summed
    local acc, tokens, order = {}, {}, {}
    for _, c in ipairs(corpora) do
      local h = common.handle(c)
      local base, docs = common.docset(h, opts.where)
      for _, g in ipairs(groups(docs, base, opts.per)) do
        if not acc[g.name] then acc[g.name] = {}; tokens[g.name] = 0; order[#order + 1] = g.name end
        local t = count(c, h, opts, g.set)
        common.merge(acc[g.name], t, {"freq", "range"})
        tokens[g.name] = tokens[g.name] + common.tokens(docs, g.set)
      end
    end
    table.sort(order)
    for _, name in ipairs(order) do
      local part = {}
      rows_of(acc[name], nil, tokens[name], name, opts, part)
      table.sort(part, function(a, b)
        if a.freq ~= b.freq then return a.freq > b.freq end
        return a.value < b.value
      end)
      for _, r in ipairs(part) do rows[#rows + 1] = r end
    end
    return common.result("freq", {"group", "value", "freq", "per_million", "range"}, rows,
      {string.format("frequency of %s per %s", opts.by or "word", opts.per)}):limit(opts.limit)
  end
  local notes = function(tokens)
    return {string.format("frequency of %s in %d tokens%s", opts.by or "word", tokens,
                          opts.where and (" where " .. opts.where) or "")}
  end
  -- rows kept as columns (sorted in C), those matching --match when it is given
  local function columns(values, freq, range, tokens)
    local order
    if opts.match then
      order = {}
      for i, v in ipairs(values) do if opts.match_re:test(v) then order[#order + 1] = i end end
    end
    return common.columnar("freq", {"value", "freq", "per_million", "range"},
      {value = values, freq = freq, range = range,
       per_million = function(i) return tokens > 0 and freq[i] / tokens * 1e6 or 0.0 end},
      order and #order or #values, order, notes(tokens)):limit(opts.limit)
  end
  if #corpora == 1 then     -- sorted in C; the rows stay columns
    local c = corpora[1]
    local h = common.handle(c)
    local set, docs = common.docset(h, opts.where)
    local t = count(c, h, opts, set, true)
    local tokens = common.tokens(docs, set)
    return columns(t.values, t.freq, t.range, tokens)
  end
  local by = opts.by or "word"
  if not opts.query and not opts.pos and not by:find(".", 1, true) then
    -- several files: summed by value in C (core.merge), sorted and cut there
    local m, tokens = require("dossier.core").merge(2), 0
    for _, c in ipairs(corpora) do
      local h = common.handle(c)
      tokens = tokens + m:add_freq(h, by, common.set(h, opts.where))
    end
    m:order(1, nil, not opts.match and opts.limit or nil)
    local values, freq, range = m:columns()
    return columns(values, freq, range, tokens)
  end
  local acc, tokens = {}, 0
  for _, c in ipairs(corpora) do
    local h = common.handle(c)
    local set, docs = common.docset(h, opts.where)
    local t = count(c, h, opts, set)
    common.merge(acc, t, {"freq", "range"})
    tokens = tokens + common.tokens(docs, set)
  end
  rows_of(acc, nil, tokens, nil, opts, rows)
  table.sort(rows, function(a, b)
    if a.freq ~= b.freq then return a.freq > b.freq end
    return a.value < b.value
  end)
  return common.result("freq", {"value", "freq", "per_million", "range"}, rows, notes(tokens)):limit(opts.limit)
end

M.command = common.command("freq", "Frequency list by an attribute, with per-million and range.",
  function(c)
    c:option("--by", "Attribute: word, norm, lemma, pos, xpos.", "word")
    c:option("--query", "Count the matches of a query (their values joined by spaces).")
    c:option("--pos", "Only tokens with this part of speech (UPOS).")
    c:option("--match", "Only values this regular expression matches whole (as in CQL), e.g. 'cyber.*'.")
    c:option("--per", "A list per document (doc) or per metadata value (doc.KEY).")
  end,
  function(list, a)
    return M.run(list, {by = a.by, query = a.query, pos = a.pos, match = a.match, per = a.per,
                        where = a.where})
  end)

return M
