-- Recipe `keyness`: the items (values of an attribute) whose frequency in a target
-- differs from a reference. Target: a subcorpus (`target`, a metadata constraint) or the
-- whole corpus; reference: another subcorpus (`reference`), the rest of the corpus, or
-- other corpus files (`ref`, a list of dossier.Corpus; `--ref-db` on the command line).
-- For an item counted O1 times in N1 target tokens and O2 in N2 reference tokens
-- (dossier/stats.lua):
--   ll        Rayson & Garside (2000), two-term log-likelihood (the UCREL calculator)
--   g2        the full 2x2 G^2 (AntConc 4)
--   chi2      Pearson's chi-square, 2x2, no Yates correction
--   log_ratio Hardie (2014): log2 of the ratio of relative frequencies, 0.5 for a zero
--   pct_diff  Gabrielatos & Marchi (2011): 100 (O1/N1 - O2/N2) / (O2/N2) (Inf when O2 = 0)
--   bic       Wilson (2013): ll - ln(N1 + N2)
--   direction + (more frequent in the target) or -
--
--   corpus:keyness{target = 'doc.kind = "news"', by = "lemma", min_freq = 3, p = 0.01}
--
-- Columns: item f_target f_reference n_target n_reference ll g2 chi2 log_ratio pct_diff
-- bic direction; positive keywords first, each side by ll, largest first. Cuts: min_freq
-- (O1 + O2), p (ll at least the chi-square critical value: 0.05, 0.01, 0.001, 0.0001,
-- 0.00001), bic (at least this BIC), direction ("+" or "-" only).
local common = require "dossier.recipes.common"
local stats = require "dossier.stats"

local M = {}

-- The complement of a document set (nil: every document) over n documents.
local function complement(set, n)
  if not set then return string.rep("\0", n) end
  return (set:gsub(".", function(ch) return ch == "\1" and "\0" or "\1" end))
end

function M.run(corpora, opts)
  opts = opts or {}
  corpora = common.corpora(corpora)
  local by = opts.by or "word"
  local crit = 0
  if opts.p then
    crit = stats.chi2_critical[opts.p]
    if not crit then error("p: one of 0.05, 0.01, 0.001, 0.0001, 0.00001", 0) end
  end
  -- the counts, as columns: values, f_target, f_reference
  local m, n1, n2
  if #corpora == 1 and not opts.ref then      -- both sides counted in C, by lexicon id
    local h = common.handle(corpora[1])
    local tset = common.set(h, opts.target)
    local rset = opts.reference and common.set(h, opts.reference) or complement(tset, tset and #tset or #h:docs())
    m = h:count_keyness(by, tset, rset)
    n1, n2 = m.n_target, m.n_reference
  else
    -- several files (or a reference file): both sides summed by value in C (core.merge),
    -- each file counted in one pass by token type
    local mg = require("dossier.core").merge(2)
    n1, n2 = 0, 0
    for _, c in ipairs(corpora) do
      local h = common.handle(c)
      local tset = common.set(h, opts.target)
      local rset = false
      if not opts.ref then
        rset = opts.reference and common.set(h, opts.reference) or complement(tset, tset and #tset or #h:docs())
      end
      local a, b = mg:add_keyness(h, by, tset, rset)
      n1, n2 = n1 + a, n2 + b
    end
    for _, c in ipairs(opts.ref or {}) do     -- the reference files: their side only
      local h = common.handle(c)
      local rset = common.set(h, opts.reference)
      local none = string.rep("\0", #h:docs())
      local _, b = mg:add_keyness(h, by, none, rset or nil)
      n2 = n2 + b
    end
    mg:order(0)
    m = {}
    m.values, m.f_target, m.f_reference = mg:columns()
  end
  if n1 == 0 then error("keyness: the target is empty", 0) end
  if n2 == 0 then error("keyness: the reference is empty (give a reference subcorpus or a reference file)", 0) end
  -- the measures, as columns too; the rows kept, in order
  local values, f1, f2 = m.values, m.f_target, m.f_reference
  local ll, g2, chi2, lr, pct, bic, dir = {}, {}, {}, {}, {}, {}, {}
  local keep, minf, maxbic, want = {}, opts.min_freq or 1, opts.bic, opts.direction
  local kv = stats.keyness_values
  for i = 1, #values do
    if f1[i] + f2[i] >= minf then
      local a, b, c, d, e, f, g = kv(f1[i], n1, f2[i], n2)
      if a >= crit and (not maxbic or f >= maxbic) and (not want or want == g) then
        ll[i], g2[i], chi2[i], lr[i], pct[i], bic[i], dir[i] = a, b, c, d, e, f, g
        keep[#keep + 1] = i
      end
    end
  end
  table.sort(keep, function(x, y)            -- positive first, each side by ll, largest first
    local dx, dy = dir[x], dir[y]
    if dx ~= dy then return dx == "+" end
    if ll[x] ~= ll[y] then return ll[x] > ll[y] end
    return values[x] < values[y]
  end)
  local nt, nr = function() return n1 end, function() return n2 end
  return common.columnar("keyness",
    {"item", "f_target", "f_reference", "n_target", "n_reference", "ll", "g2", "chi2", "log_ratio",
     "pct_diff", "bic", "direction"},
    {item = values, value = values, f_target = f1, f_reference = f2, n_target = nt, n_reference = nr, ll = ll,
     g2 = g2, chi2 = chi2, log_ratio = lr, pct_diff = pct, bic = bic, direction = dir}, #keep, keep,
    {string.format("keyness of %s: target %s (%d tokens) vs reference %s (%d tokens); ll = Rayson & Garside " ..
                   "2-term, g2 = 4-term, ln; log_ratio log2 with 0.5 for 0", by, opts.target or "the corpus", n1,
                   opts.ref and "the reference files" or (opts.reference or "the rest"), n2)}):limit(opts.limit)
end

M.command = common.command("keyness", "Keywords of a target against a reference: LL, G2, chi2, log ratio, %DIFF, BIC.",
  function(c)
    c:option("--target", "Target subcorpus by metadata (default: the whole corpus).")
    c:option("--reference", "Reference subcorpus by metadata (default: the rest, or --ref-db).")
    c:option("--ref-db", "Reference corpus file (repeatable).") :count("*"):args(1)
    c:option("--by", "Attribute: word, norm, lemma, pos, xpos.", "word")
    c:option("--min-freq", "Minimum f_target + f_reference.", "1", math.tointeger)
    c:option("-p", "Keep items with ll at least the critical value of p (0.05 ... 0.00001).", nil, tonumber)
    c:option("--bic", "Keep items with BIC at least this.", nil, tonumber)
    c:option("--direction", "Only positive (+) or negative (-) keywords."):choices({"+", "-"})
  end,
  function(list, a)
    local dossier = require "dossier"
    local refs
    if a.ref_db and #a.ref_db > 0 then
      refs = {}
      for i, p in ipairs(a.ref_db) do refs[i] = dossier.open(p, {create = false, readonly = true}) end
    end
    local ok, r = pcall(M.run, list, {target = a.target or a.where, reference = a.reference, ref = refs,
                                      by = a.by, min_freq = a.min_freq, p = a.p, bic = a.bic,
                                      direction = a.direction})
    for _, c in ipairs(refs or {}) do c:close() end
    if not ok then error(r, 0) end
    return r
  end)

return M
