-- Recipe `kwic`: concordance lines of any CQL query, with the context in characters
-- (width, default 40) or in tokens (tokens = N), sorted by up to three keys, with the
-- documents' metadata as columns, a reproducible random sample, several corpus files
-- and a subcorpus.
--
--   corpus:kwic{query = '[lemma="say"]', sort = {"1R", "1L lemma %c"}, tokens = 5,
--               meta = {"kind", "date"}, sample = 20, seed = 7, where = 'doc.kind = "news"'}
--
-- A sort key is "POS [ATTR] [%c] [reverse] [desc]", as AntConc's sort levels and CQP's
-- `sort by ATTR %c on match[-1] reverse`:
--   POS   C (the match: its tokens one by one, a shorter match first on a tie), 1L..5L
--         (the 1st..5th token left of the match), 1R..5R (right of it)
--   ATTR  word (default), norm, lemma, pos, xpos
--   %c    case-folded; reverse: the strings read from their ends (rhymes, suffixes);
--         desc: descending
-- The first key sorts, the next break its ties; ties left keep corpus order. A token
-- beyond the document's edge reads as "" (sorted first). The sort is C's
-- (ds_matchsort.h); several files are merged on the strings the keys compare.
--
-- sample = N keeps N matches drawn at random (all of them when there are fewer), the
-- same N for the same seed (default 1), before sorting; with several files the draw is
-- over all their matches. where keeps the matches in the documents meeting it.
--
-- Columns: doc, the metadata keys asked for, left, match, right, first, last (the
-- match's corpus positions, per file). Text is a concordance (left context aligned on
-- the right); HTML a page with the match highlighted.
local common = require "dossier.recipes.common"
local format = require "dossier.format"

local M = {}

local ATTRS = {word = 0, norm = 1, lemma = 2, pos = 3, xpos = 4}
local FOLD, REVERSE, DESC, INMATCH = 1, 2, 4, 8
local MATCH_TOKENS = 8          -- the match key compares at most this many tokens

-- A sort key string -> {keys for the binding}, desc (for merging files). Errors name the
-- word's character position in the key.
function M.parse_key(spec)
  if type(spec) ~= "string" then error("sort: a key is a string such as '1L lemma %c'", 0) end
  local function fail(at, msg)
    error(string.format("sort key '%s': %s at position %d", spec, msg, utf8.len(spec, 1, at - 1) + 1), 0)
  end
  local words = {}
  for at, w in spec:gmatch("()(%S+)") do words[#words + 1] = {at = at, w = w} end
  if #words == 0 then fail(1, "expected C, 1L..5L or 1R..5R") end
  local pos = words[1].w:upper()
  local anchor, offset
  if pos == "C" or pos == "0" or pos == "MATCH" then anchor = "C"
  else
    local n, side = pos:match("^([1-5])([LR])$")
    if not n then fail(words[1].at, "expected C, 1L..5L or 1R..5R, not '" .. words[1].w .. "'") end
    anchor, offset = side == "L" and -1 or -2, side == "L" and -tonumber(n) or tonumber(n)
  end
  local attr, flags, i = 0, 0, 2
  if words[2] and ATTRS[words[2].w] then attr, i = ATTRS[words[2].w], 3 end
  for j = i, #words do
    local w = words[j].w
    if w == "%c" then flags = flags | FOLD
    elseif w == "reverse" then flags = flags | REVERSE
    elseif w == "desc" then flags = flags | DESC
    else
      fail(words[j].at, "unknown word '" .. w .. "' (an attribute word, norm, lemma, pos, xpos goes right " ..
           "after the position; then %c, reverse, desc)")
    end
  end
  return {anchor = anchor, offset = offset, attr = attr, flags = flags}
end

-- The binding's keys for parsed keys ks, the match key spread over `longest` tokens.
local function binding_keys(ks, longest)
  local out = {}
  for _, k in ipairs(ks) do
    if k.anchor == "C" then
      for t = 0, math.max(1, math.min(longest, MATCH_TOKENS)) - 1 do
        out[#out + 1] = {anchor = -1, offset = t, attr = k.attr, flags = k.flags | INMATCH}
      end
    else
      out[#out + 1] = {anchor = k.anchor, offset = k.offset, attr = k.attr, flags = k.flags}
    end
  end
  return out
end

-- A random number generator (SplitMix64), the same numbers for the same seed on every
-- platform: rand(j) gives an integer from 1 to j.
local function generator(seed)
  local x = seed
  return function(j)
    x = x + 0x9E3779B97F4A7C15
    local z = x
    z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ~ (z >> 27)) * 0x94D049BB133111EB
    z = z ~ (z >> 31)
    return (z >> 11) % j + 1
  end
end

-- n distinct integers from 1 to total (Floyd's algorithm), ascending.
function M.sample(total, n, seed)
  local rand, chosen, out = generator(seed or 1), {}, {}
  if n >= total then
    for i = 1, total do out[i] = i end
    return out
  end
  for j = total - n + 1, total do
    local t = rand(j)
    if chosen[t] then t = j end
    chosen[t] = true
    out[#out + 1] = t
  end
  table.sort(out)
  return out
end

local function html_escape(s) return format.markup(format.printable(s)) end

local Kwic = setmetatable({}, {__index = common.Result})
Kwic.__index = Kwic
Kwic.__name = "dossier.Kwic"
Kwic.__len = common.Result.__len

-- A concordance: doc (and metadata) columns, the left context aligned on the right.
function Kwic:text()
  local lines = {}
  for _, n in ipairs(self.notes) do lines[#lines + 1] = "# " .. n end
  if #self.rows == 0 then
    lines[#lines + 1] = "(no rows)"
    return table.concat(lines, "\n")
  end
  local head = {"doc"}
  for _, k in ipairs(self.meta) do head[#head + 1] = k end
  local wl, wh = 0, {}
  for _, r in ipairs(self.rows) do
    wl = math.max(wl, format.width(format.printable(r.left)))
    for j, c in ipairs(head) do wh[j] = math.max(wh[j] or 0, format.width(format.printable(r[c] or ""))) end
  end
  for _, r in ipairs(self.rows) do
    local f = {}
    for j, c in ipairs(head) do
      local v = format.printable(r[c] or "")
      f[j] = v .. string.rep(" ", wh[j] - format.width(v))
    end
    local left = format.printable(r.left)
    lines[#lines + 1] = string.format("%s  %s%s[%s]%s", table.concat(f, "  "),
      string.rep(" ", wl - format.width(left)), left, format.printable(r.match), format.printable(r.right))
  end
  return table.concat(lines, "\n")
end
Kwic.__tostring = Kwic.text

-- A self-contained HTML page: a table with the match in <mark>, every string escaped.
function Kwic:html()
  local out = {'<!DOCTYPE html>', '<html><head><meta charset="utf-8"><title>' .. html_escape(self.title) ..
    '</title>', '<style>body{font-family:sans-serif}table{border-collapse:collapse}td{padding:1px 6px;' ..
    'white-space:nowrap}td.left{text-align:right}mark{background:#ffe08a;font-weight:bold}</style>',
    '</head><body>'}
  for _, n in ipairs(self.notes) do out[#out + 1] = "<p>" .. html_escape(n) .. "</p>" end
  local cols = {"doc"}
  for _, k in ipairs(self.meta) do cols[#cols + 1] = k end
  local head = {}
  for _, c in ipairs(cols) do head[#head + 1] = "<th>" .. html_escape(c) .. "</th>" end
  out[#out + 1] = "<table><thead><tr>" .. table.concat(head) ..
    "<th>left</th><th>match</th><th>right</th></tr></thead><tbody>"
  for _, r in ipairs(self.rows) do
    local f = {}
    for _, c in ipairs(cols) do f[#f + 1] = "<td>" .. html_escape(r[c] or "") .. "</td>" end
    out[#out + 1] = "<tr>" .. table.concat(f) .. '<td class="left">' .. html_escape(r.left) ..
      '</td><td class="match"><mark>' .. html_escape(r.match) .. '</mark></td><td class="right">' ..
      html_escape(r.right) .. "</td></tr>"
  end
  out[#out + 1] = "</tbody></table></body></html>"
  return table.concat(out, "\n")
end

function M.run(corpora, opts)
  opts = opts or {}
  corpora = common.corpora(corpora)
  if type(opts.query) ~= "string" then error("kwic: a query expected", 0) end
  local width, tokens = opts.width or 40, opts.tokens
  if math.type(width) ~= "integer" or width < 0 then error("width: a whole number of characters, 0 or more", 0) end
  if tokens ~= nil and (math.type(tokens) ~= "integer" or tokens < 0) then
    error("tokens: a whole number of tokens, 0 or more", 0)
  end
  local sorts = opts.sort or {}
  if type(sorts) == "string" then sorts = {sorts} end
  if #sorts > 3 then error(string.format("sort: at most three keys, not %d", #sorts), 0) end
  local keys = {}
  for i, s in ipairs(sorts) do keys[i] = M.parse_key(s) end
  local meta = opts.meta or {}
  if type(meta) == "string" then
    local list = {}
    for k in meta:gmatch("[^,%s]+") do list[#list + 1] = k end
    meta = list
  end
  if opts.sample ~= nil and (math.type(opts.sample) ~= "integer" or opts.sample < 0) then
    error("sample: a whole number of lines, 0 or more", 0)
  end
  -- the matches of each file, in the subcorpus
  local sets, total, longest = {}, 0, 1
  for i, c in ipairs(corpora) do
    local h = common.handle(c)
    local m = c:query(opts.query)
    local set, docs = common.docset(h, opts.where)
    local n, long = h:mkeep(m._ms, set)
    sets[i] = {h = h, m = m, n = n, docs = docs, base = total}
    total, longest = total + n, math.max(longest, long)
  end
  local found = total
  if opts.sample and opts.sample < total then
    local pick, j = M.sample(total, opts.sample, opts.seed), 1
    for _, s in ipairs(sets) do
      local mine = {}
      while pick[j] and pick[j] <= s.base + s.n do
        mine[#mine + 1] = pick[j] - s.base
        j = j + 1
      end
      s.n = s.h:mkeep(s.m._ms, nil, mine)
    end
    total = opts.sample
  end
  if #meta > 0 then                       -- a key no document has is a mistake, not a column of ""
    local known, list = {name = true}, {}
    for _, st in ipairs(sets) do
      for _, d in ipairs(st.docs) do for k in pairs(d.meta or {}) do known[k] = true end end
    end
    for k in pairs(known) do list[#list + 1] = k end
    table.sort(list)
    for _, k in ipairs(meta) do
      if not known[k] then
        error(string.format("meta: no document has the key '%s' (keys: %s)", k, table.concat(list, ", ")), 0)
      end
    end
  end
  local bkeys = #keys > 0 and binding_keys(keys, longest) or nil
  local rows = {}
  local limit = opts.limit
  for fi, s in ipairs(sets) do
    if bkeys then s.h:msort(s.m._ms, bkeys) end
    local to = s.n
    if limit and #corpora == 1 then to = math.min(to, limit) end
    local lines = to > 0 and s.h:kwic(s.m._ms, width, 1, to,
      {tokens = tokens, keys = (bkeys and #corpora > 1) and bkeys or nil}) or {}
    local meta_of = {}
    if #meta > 0 then for _, d in ipairs(s.docs) do meta_of[d.name] = d.meta or {} end end
    for li, l in ipairs(lines) do
      l.file, l.line = fi, li
      for _, k in ipairs(meta) do
        l[k] = k == "name" and l.doc or (meta_of[l.doc] and meta_of[l.doc][k]) or ""
      end
      rows[#rows + 1] = l
    end
  end
  if bkeys and #corpora > 1 then          -- merge the files' sorted lines
    table.sort(rows, function(a, b)
      for j, k in ipairs(bkeys) do
        local x, y = a.keys[j], b.keys[j]
        if x ~= y then
          if k.flags & DESC ~= 0 then return x > y end
          return x < y
        end
      end
      if a.file ~= b.file then return a.file < b.file end
      return a.line < b.line
    end)
  end
  local columns = {"doc"}
  for _, k in ipairs(meta) do columns[#columns + 1] = k end
  for _, c in ipairs({"left", "match", "right", "first", "last"}) do columns[#columns + 1] = c end
  local notes = {string.format("%d matches of %s%s%s%s; context %s", found, opts.query,
    opts.where and (" in " .. opts.where) or "",
    total < found and string.format(", a sample of %d (seed %d)", total, opts.seed or 1) or "",
    #sorts > 0 and (", sorted by " .. table.concat(sorts, ", ")) or "",
    tokens and (tokens .. " tokens") or (width .. " characters"))}
  local r = common.result("kwic " .. opts.query, columns, rows, notes)
  r.meta = meta
  return setmetatable(r, Kwic):limit(limit)
end

M.command = common.command("kwic", "Concordance lines of a query: sorted, sampled, with metadata; text, TSV, JSON or HTML.",
  function(c)
    c:argument("query", "A CQL query, e.g. '[lemma=\"say\"]'.")
    c:option("--width", "Characters of context each side.", "40", math.tointeger)
    c:option("--tokens", "Tokens of context each side (instead of characters).", nil, math.tointeger)
    c:option("--sort", "A sort key: C, 1L..5L or 1R..5R, then an attribute, %c, reverse, desc " ..
                       "(e.g. '1R lemma %c'); up to three, the first sorting first.")
      :count("*"):args(1)
    c:option("--sample", "Keep N matches drawn at random.", nil, math.tointeger)
    c:option("--seed", "Seed of the sample.", "1", math.tointeger)
    c:option("--meta", "Metadata keys to show as columns, comma-separated (e.g. kind,date).")
  end,
  function(list, a)
    return M.run(list, {query = a.query, width = a.width, tokens = a.tokens, sort = a.sort, sample = a.sample,
                        seed = a.seed, meta = a.meta, where = a.where, limit = a.limit})
  end, {"text", "tsv", "json", "html"})

return M
