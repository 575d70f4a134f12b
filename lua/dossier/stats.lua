-- dossier.stats: the measures the recipes compute from counts -- association
-- (collocation), keyness (comparison of two corpora) and dispersion. Pure functions of
-- numbers; no corpus here. Logarithms are base 2 for MI, MI3, logDice and log ratio,
-- natural for the log-likelihoods (as the sources).
--
-- Association: Evert (2008), "Corpora and collocations" (HSK Corpus Linguistics, ch. 58),
-- notation of collocations.de: O11 = co-occurrences, R1 = row total (the node side: for
-- window collocations the positions in all windows, as CQPweb), C1 = the collocate's
-- frequency, N = sample size, E11 = R1 * C1 / N.
--   mi      log2(O11 / E11)
--   mi3     log2(O11^3 / E11)                       (Daille 1994; CQPweb's form)
--   t       (O11 - E11) / sqrt(O11)
--   z       (O11 - E11) / sqrt(E11)
--   g2      2 * sum Oij * ln(Oij / Eij) over the 4 cells, 0 ln 0 = 0 (Dunning 1993), unsigned
--   dice    2 * f_xy / (f_x + f_y)
--   logdice 14 + log2(2 * f_xy / (f_x + f_y))       (Rychly 2008)
-- Keyness of an item counted O1 times in a target of N1 tokens and O2 in a reference of N2:
--   ll        Rayson & Garside (2000): 2 * (O1 ln(O1/E1) + O2 ln(O2/E2)), the two-term form of
--             the UCREL log-likelihood calculator, E1 = N1 (O1+O2) / (N1+N2), E2 likewise
--   g2        the full 2x2 G^2 (adds the N1-O1 and N2-O2 cells), as AntConc 4
--   chi2      Pearson's chi-square of the 2x2 table, without Yates' correction
--   log_ratio Hardie (2014): log2((O1/N1) / (O2/N2)), a zero count replaced by 0.5
--   pct_diff  Gabrielatos & Marchi (2011): 100 (nf1 - nf2) / nf2 with nf = O/N (math.huge
--             when O2 = 0 and O1 > 0)
--   bic       Wilson (2013): ll - ln(N1 + N2) (df = 1)
-- Dispersion of v_i hits in parts of sizes s_i (n parts, f = sum v_i):
--   range     parts with v_i > 0
--   juilland  Juilland's D: 1 - (sd_pop(p) / mean(p)) / sqrt(n - 1), p_i = v_i / s_i
--   dp        Gries (2008): 0.5 * sum |v_i / f - s_i / S|   (0 = even)
--   dp_norm   Lijffijt & Gries (2012): dp / (1 - min_i s_i / S)
local M = {}

local log, sqrt, abs, huge = math.log, math.sqrt, math.abs, math.huge

local function xlogx_over(o, e)     -- o * ln(o / e), 0 when o = 0
  if o == 0 then return 0 end
  return o * log(o / e)
end

------------------------------------------------------------------------------------
-- association

-- Expected co-occurrences E11 = r1 * c1 / n.
function M.expected(r1, c1, n) return r1 * c1 / n end

-- The 2x2 G^2 of observed o11 with margins r1 (row), c1 (column) and total n.
function M.g2_table(o11, r1, c1, n)
  o11, r1, c1, n = o11 + 0.0, r1 + 0.0, c1 + 0.0, n + 0.0   -- floats: products pass 2^63
  local o12, o21 = r1 - o11, c1 - o11
  local o22 = n - r1 - c1 + o11
  local r2, c2 = n - r1, n - c1
  return 2 * (xlogx_over(o11, r1 * c1 / n) + xlogx_over(o12, r1 * c2 / n)
            + xlogx_over(o21, r2 * c1 / n) + xlogx_over(o22, r2 * c2 / n))
end

-- Every association measure of one pair: o11 co-occurrences, r1 the node side's total
-- (window positions), c1 the collocate's frequency, n the corpus size; f_x and f_y for
-- Dice and logDice (f_x defaults to r1, f_y to c1). Returns a table {expected, mi, mi3, t,
-- z, ll, dice, logdice}; mi, mi3 and logdice are -math.huge when o11 = 0.
function M.association(o11, r1, c1, n, f_x, f_y)
  f_x, f_y = f_x or r1, f_y or c1
  o11, r1, c1, n = o11 + 0.0, r1 + 0.0, c1 + 0.0, n + 0.0
  local e = r1 * c1 / n
  local dice = 2 * o11 / (f_x + f_y)
  local log2 = function(x) return x > 0 and log(x, 2) or -huge end
  return {
    expected = e,
    mi = log2(o11 / e),
    mi3 = log2(o11 ^ 3 / e),
    t = o11 > 0 and (o11 - e) / sqrt(o11) or 0,
    z = (o11 - e) / sqrt(e),
    ll = M.g2_table(o11, r1, c1, n),
    dice = dice,
    logdice = dice > 0 and 14 + log(dice, 2) or -huge,
  }
end

------------------------------------------------------------------------------------
-- keyness

-- The keyness measures of an item: o1 of n1 tokens in the target, o2 of n2 in the
-- reference. Returns {ll, g2, chi2, log_ratio, pct_diff, bic, direction = "+"|"-"}.
function M.keyness(o1, n1, o2, n2)
  local ll, g2, chi2, lr, pct, bic, dir = M.keyness_values(o1, n1, o2, n2)
  return {ll = ll, g2 = g2, chi2 = chi2, log_ratio = lr, pct_diff = pct, bic = bic, direction = dir}
end

-- The same as values, no table made (for long lists): ll, g2, chi2, log_ratio,
-- pct_diff, bic, direction.
function M.keyness_values(o1, n1, o2, n2)
  o1, n1, o2, n2 = o1 + 0.0, n1 + 0.0, o2 + 0.0, n2 + 0.0   -- floats: products pass 2^63
  local n = n1 + n2
  local e1, e2 = n1 * (o1 + o2) / n, n2 * (o1 + o2) / n
  local ll = 2 * (xlogx_over(o1, e1) + xlogx_over(o2, e2))
  local g2 = M.g2_table(o1, o1 + o2, n1, n)
  local a, b, c, d = o1, o2, n1 - o1, n2 - o2
  local den = (a + b) * (c + d) * (a + c) * (b + d)
  local chi2 = den > 0 and n * (a * d - b * c) ^ 2 / den or 0
  local lr = log(((o1 == 0 and 0.5 or o1) / n1) / ((o2 == 0 and 0.5 or o2) / n2), 2)
  local nf1, nf2 = o1 / n1, o2 / n2
  local pct
  if nf2 > 0 then pct = 100 * (nf1 - nf2) / nf2 elseif nf1 > 0 then pct = huge else pct = 0 end
  return ll, g2, chi2, lr, pct, ll - log(n), nf1 >= nf2 and "+" or "-"
end

-- The chi-square (df = 1) critical values of the usual p-values, for a keyness cut.
M.chi2_critical = {[0.05] = 3.841459, [0.01] = 6.634897, [0.001] = 10.82757,
                   [0.0001] = 15.13671, [0.00001] = 19.51142}

------------------------------------------------------------------------------------
-- dispersion

-- Dispersion of counts v[i] over parts of sizes s[i] (two lists of the same length):
-- {hits, parts, range, juilland_d, dp, dp_norm}. juilland_d is nil with fewer than two
-- parts or no hit; dp and dp_norm nil with no hit (dp_norm also when one part is all).
function M.dispersion(v, s)
  local n = #v
  local f, total, minshare = 0, 0, huge
  local range = 0
  for i = 1, n do
    f = f + v[i]
    total = total + s[i]
    if v[i] > 0 then range = range + 1 end
  end
  local out = {hits = f, parts = n, range = range}
  if f == 0 or total == 0 then return out end
  local dp, sump = 0, 0
  local p = {}
  for i = 1, n do
    local share = s[i] / total
    if share < minshare then minshare = share end
    dp = dp + abs(v[i] / f - share)
    p[i] = s[i] > 0 and v[i] / s[i] or 0
    sump = sump + p[i]
  end
  out.dp = dp / 2
  if minshare < 1 then out.dp_norm = out.dp / (1 - minshare) end
  if n >= 2 and sump > 0 then
    local mean = sump / n
    local ss = 0
    for i = 1, n do ss = ss + (p[i] - mean) ^ 2 end
    out.juilland_d = 1 - (sqrt(ss / n) / mean) / sqrt(n - 1)
  end
  return out
end

return M
