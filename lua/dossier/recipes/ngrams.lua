-- Recipe `ngrams`: n-grams (n = 1..8) over an attribute, never across a sentence
-- boundary (a token outside every sentence span forms a run of its own), in the corpus
-- or a subcorpus, with a minimum frequency and range.
--
--   corpus:ngrams{n = 3, by = "norm", min_freq = 2, min_range = 2, where = ..., limit = 20}
--
-- Columns: ngram freq range (ngram = the values joined by spaces; range = documents
-- holding it). With several files the minimums apply to the summed counts.
--
-- Clusters (AntConc's): around = CQL keeps the n-grams that hold a whole match of the
-- query, inside one sentence; slot = k puts the match's first token at the n-gram's k-th
-- place (1: the n-gram starts with it), slot = -k its last token at the k-th place from
-- the end (-1: the n-gram ends with it), slot = 0 (default) any place. An n-gram holding
-- two matches counts once; a match longer than n has no cluster.
--
--   corpus:ngrams{n = 3, around = '[lemma="say"]', slot = 1}
local common = require "dossier.recipes.common"

local M = {}

function M.run(corpora, opts)
  opts = opts or {}
  corpora = common.corpora(corpora)
  local n = opts.n or 2
  if math.type(n) ~= "integer" or n < 1 or n > 8 then error("n must be an integer from 1 to 8", 0) end
  local minf, minr = opts.min_freq or 1, opts.min_range or 1
  local slot = opts.slot or 0
  if math.type(slot) ~= "integer" or slot < -n or slot > n then
    error(string.format("slot must be a whole number from -%d to %d (n)", n, n), 0)
  end
  local function count(c, h, set, mf, mr, max)
    if opts.around then
      return h:count_around(common.query_arg(c, opts.around, "around"), opts.by or "word", n, slot, set, mf, mr, max)
    end
    return h:count_ngrams(opts.by or "word", n, set, mf, mr, max)
  end
  local notes = function(total)
    return {string.format("%d-grams of %s (%d positions), within sentences%s", n, opts.by or "word", total,
                          opts.around and string.format(", holding a match of %s%s", common.query_text(opts.around),
                            slot == 0 and "" or string.format(" at slot %d", slot)) or "")}
  end
  if #corpora == 1 and not opts.around then
    -- the core counts, filters, sorts and cuts the rows, and keeps them: a row is read
    -- from C when it is looked at, and TSV is written there
    local h = common.handle(corpora[1])
    local u, total = h:count_ngrams(opts.by or "word", n, common.set(h, opts.where), minf, minr, opts.limit, true)
    local value = function(k) return (u:get(k)) end
    local r = common.columnar("ngrams", {"ngram", "freq", "range"},
      {ngram = value, value = value, freq = function(k) return select(2, u:get(k)) end,
       range = function(k) return select(3, u:get(k)) end}, #u, nil, notes(total))
    r.native_tsv = function(head, escape, max) return u:tsv(head, escape, max) end
    return r
  end
  if #corpora == 1 then   -- the core filters, sorts and cuts the rows: they stay columns
    local h = common.handle(corpora[1])
    local t = count(corpora[1], h, common.set(h, opts.where), minf, minr, opts.limit)
    return common.columnar("ngrams", {"ngram", "freq", "range"},
      {ngram = t.values, value = t.values, freq = t.freq, range = t.range}, #t.values, nil, notes(t.total))
  end
  if not opts.around then
    -- several files: each file's n-grams added into one table in C by their strings, which
    -- filters, sorts and cuts the summed rows; a row is read from C when it is looked at
    local m, total = require("dossier.core").merge(2), 0
    for _, c in ipairs(corpora) do
      local h = common.handle(c)
      total = total + m:add_ngrams(h, opts.by or "word", n, common.set(h, opts.where))
    end
    m:order(1, {minf, minr}, opts.limit)
    local value = function(k) return (m:get(k)) end
    local r = common.columnar("ngrams", {"ngram", "freq", "range"},
      {ngram = value, value = value, freq = function(k) return select(2, m:get(k)) end,
       range = function(k) return select(3, m:get(k)) end}, #m, nil, notes(total))
    r.native_tsv = function(head, escape, max) return m:tsv(head, escape, max) end
    return r
  end
  local rows, total, acc = {}, 0, {}
  for _, c in ipairs(corpora) do
    local h = common.handle(c)
    local t = count(c, h, common.set(h, opts.where), 1, 1)
    common.merge(acc, t, {"freq", "range"})
    total = total + t.total
  end
  for _, r in pairs(acc) do
    if r.freq >= minf and r.range >= minr then
      r.ngram = r.value
      rows[#rows + 1] = r
    end
  end
  table.sort(rows, function(a, b)
    if a.freq ~= b.freq then return a.freq > b.freq end
    return a.value < b.value
  end)
  return common.result("ngrams", {"ngram", "freq", "range"}, rows, notes(total)):limit(opts.limit)
end

M.command = common.command("ngrams", "N-grams (1 to 8) within sentences, with frequency and range.",
  function(c)
    c:option("-n", "Length of the n-grams, 1 to 8.", "2", math.tointeger)
    c:option("--by", "Attribute: word, norm, lemma, pos, xpos.", "word")
    c:option("--min-freq", "Minimum frequency.", "1", math.tointeger)
    c:option("--min-range", "Minimum number of documents.", "1", math.tointeger)
    c:option("--around", "Clusters: only n-grams holding a match of this CQL query.")
    c:option("--slot", "With --around: the match's place, 1..n from the left, -1..-n from the right (--slot=-1), 0 any.",
             "0", math.tointeger)
  end,
  function(list, a)
    return M.run(list, {n = a.n, by = a.by, min_freq = a.min_freq, min_range = a.min_range,
                        around = a.around, slot = a.slot, where = a.where, limit = a.limit})
  end)

return M
