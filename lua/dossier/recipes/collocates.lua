-- Recipe `collocates`: the collocates of a query's matches in a window of L tokens to
-- the left and R to the right, counted as surface co-occurrence (Evert 2008, "Corpora
-- and collocations", HSK Corpus Linguistics ch. 58):
--   f_xy    the collocate's occurrences in the windows of the node matches; a match's
--           own tokens are not in its window (another match's may be)
--   f_x     node matches;  f_y  the collocate's (sub)corpus frequency;  n  (sub)corpus size
--   window  the positions in the windows, clipped at document edges and, with
--           within = "s" or "p", at the edges of the sentences (paragraphs) holding the match
-- Windows that overlap are merged: a corpus position in the windows of two matches is
-- counted once, in f_xy and in window alike (the union of the windows). So f_xy <= f_y
-- and window <= n, every cell of the 2x2 table below is >= 0 and every measure is
-- defined. (Counting a position once per window holding it, as the first version did,
-- let f_xy pass f_y where nodes cluster -- "amen, amen, I say" -- leaving G^2 undefined;
-- the contingency table of surface co-occurrence needs each token of the corpus in one
-- cell, which the union gives: Evert 2008, section on surface co-occurrence.)
--   expected E = window * f_y / n (CQPweb's contingency model: R1 = window, C1 = f_y)
--   mi = log2(f_xy / E); mi3 = log2(f_xy^3 / E); t = (f_xy - E) / sqrt(f_xy);
--   z = (f_xy - E) / sqrt(E); ll = G^2 of the 2x2 table with O11 = f_xy, R1 = window,
--   C1 = f_y, N = n; dice = 2 f_xy / (f_x + f_y); logdice = 14 + log2(dice) (Rychly 2008)
-- See dossier/stats.lua.
--
--   corpus:collocates{query = '[lemma="cooperation"]', window = {5, 5}, by = "lemma",
--                     within = "s", by_measure = "logdice", min_freq = 2, limit = 20}
--
-- Columns: collocate f_xy f_x f_y n window expected mi mi3 t z ll dice logdice, sorted by
-- by_measure (default logdice), largest first.
local common = require "dossier.recipes.common"
local stats = require "dossier.stats"

local M = {}

M.measures = {mi = true, mi3 = true, t = true, z = true, ll = true, dice = true, logdice = true,
              f_xy = true}

-- "5,5" or "3" (both sides) -> left, right
function M.parse_window(w)
  if type(w) == "table" then return w[1], w[2] end
  local l, r = tostring(w):match("^%s*(%d+)%s*,%s*(%d+)%s*$")
  if not l then l = tostring(w):match("^%s*(%d+)%s*$"); r = l end
  if not l then error("window: 'L,R' expected, got '" .. tostring(w) .. "'", 0) end
  return math.tointeger(tonumber(l)), math.tointeger(tonumber(r))
end

function M.run(corpora, opts)
  opts = opts or {}
  corpora = common.corpora(corpora)
  local match = opts.match and require("dossier.core").regex(opts.match)
  if opts.query == nil then error("collocates: a query expected", 0) end
  local left, right = M.parse_window(opts.window or {5, 5})
  local by = opts.by or "word"
  local measure = opts.by_measure or "logdice"
  if not M.measures[measure] then error("by_measure: one of mi, mi3, t, z, ll, dice, logdice, f_xy", 0) end
  if opts.within and opts.within ~= "s" and opts.within ~= "p" then
    error("within: s (sentence) or p (paragraph), not '" .. tostring(opts.within) .. "'", 0)
  end
  local acc, fx, window, n = {}, 0, 0, 0
  local minf, minc = opts.min_freq or 1, opts.min_coll_freq or 1
  if #corpora == 1 then
    local c = corpora[1]
    local h = common.handle(c)
    local t = h:count_collocates(common.query_arg(c, opts.query, "collocates"), by, left, right, opts.within or false,
                                 common.set(h, opts.where))
    common.merge(acc, t, {"f_xy", "f_y"})
    fx, window, n = t.f_x, t.window, t.n
  else
    -- several files: f_xy and f_y summed by value in C (core.merge; f_y over every value
    -- of every file, so a value that is a collocate in one file has its f_y of all)
    local m = require("dossier.core").merge(2)
    for _, c in ipairs(corpora) do
      local h = common.handle(c)
      local a, b, d = m:add_collocates(h, common.query_arg(c, opts.query, "collocates"), by, left, right,
                                       opts.within or false, common.set(h, opts.where))
      fx, window, n = fx + a, window + b, n + d
    end
    m:order(0, {math.max(minf, 1), minc})
    local values, fxy, fy = m:columns()
    for i, v in ipairs(values) do acc[v] = {value = v, f_xy = fxy[i], f_y = fy[i]} end
  end
  local rows = {}
  for v, r in pairs(acc) do
    if r.f_xy >= minf and r.f_y >= minc and (not match or match:test(v)) then
      local a = stats.association(r.f_xy, window, r.f_y, n, fx, r.f_y)
      r.collocate, r.f_x, r.n, r.window = v, fx, n, window
      for k, x in pairs(a) do r[k] = x end
      rows[#rows + 1] = r
    end
  end
  -- no measure is undefined with merged windows; should one be (NaN), the notes say so
  local undefined = {}
  for _, r in ipairs(rows) do
    for _, k in ipairs({"expected", "mi", "mi3", "t", "z", "ll", "dice", "logdice"}) do
      if r[k] ~= r[k] then undefined[k] = (undefined[k] or 0) + 1 end
    end
  end
  table.sort(rows, function(a, b)
    local x, y = a[measure], b[measure]
    if x ~= y and x == x and y == y then return x > y end
    if (x == x) ~= (y == y) then return x == x end     -- undefined (NaN) last
    return a.value < b.value
  end)
  local notes = {}
  for _, k in ipairs({"expected", "mi", "mi3", "t", "z", "ll", "dice", "logdice"}) do
    if undefined[k] then
      notes[#notes + 1] = string.format("%s is undefined (NaN) in %d rows", k, undefined[k])
    end
  end
  return common.result("collocates",
    {"collocate", "f_xy", "f_x", "f_y", "n", "window", "expected", "mi", "mi3", "t", "z", "ll", "dice", "logdice"},
    rows, {string.format("collocates of %s by %s, window %d,%d%s; %d matches, %d window positions " ..
                         "(overlapping windows merged), N = %d; E = window*f_y/N, ll = G2 (4 cells), " ..
                         "log2 for MI; sorted by %s",
                         common.query_text(opts.query), by, left, right, opts.within and (" within " .. opts.within) or "", fx, window, n,
                         measure), table.unpack(notes)}):limit(opts.limit)
end

M.command = common.command("collocates", "Collocates of a query in a window, with MI, MI3, t, z, LL, Dice, logDice.",
  function(c)
    c:argument("query", 'The node, e.g. \'[lemma="cooperation"]\'.')
    c:option("--window", "Tokens left,right of each match.", "5,5")
    c:option("--by", "Attribute: word, norm, lemma, pos, xpos.", "word")
    c:option("--within", "Clip windows at the edges of sentences (s) or paragraphs (p)."):choices({"s", "p"})
    c:option("--by-measure", "Sort by: mi, mi3, t, z, ll, dice, logdice, f_xy.", "logdice")
    c:option("--min-freq", "Minimum f_xy.", "1", math.tointeger)
    c:option("--min-coll-freq", "Minimum f_y.", "1", math.tointeger)
    c:option("--match", "Only collocates this regular expression matches whole (as in CQL).")
  end,
  function(list, a)
    return M.run(list, {query = a.query, window = a.window, by = a.by, within = a.within,
                        by_measure = a.by_measure, min_freq = a.min_freq, min_coll_freq = a.min_coll_freq,
                        match = a.match, where = a.where})
  end)

return M
