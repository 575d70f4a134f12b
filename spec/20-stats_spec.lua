-- dossier.stats against published worked examples and tables worked by hand.
local stats = require "dossier.stats"

local function near(expected, got, tol, what)
  assert(got ~= nil, (what or "value") .. " is nil")
  assert(math.abs(expected - got) <= (tol or 1e-6),
         string.format("%s: expected %.9g, got %.9g", what or "value", expected, got))
end

describe("association measures", function()
  -- Evert's UCS toolkit gold values (fau-klue/pandas-association-measures,
  -- tests/ucs-gold-100.ds): node "circular economy", window L10/R10, N = 191,998, the
  -- positions in the windows R1 = 15,334. UCS's MI is log10: MI(log2) = MI(log10) / log10(2);
  -- its G^2 is signed (we print it unsigned).
  local N, R1 = 191998, 15334
  local gold = {
    {o = 2, c = 5, e = 0.399327, mi10 = 0.699701, mi3_10 = 1.301761, t = 1.131847, z = 2.533018,
     g2 = 3.879126, dice = 0.000260773, logdice = 2.0951},
    {o = 2, c = 2, e = 0.159731, mi10 = 1.097641, mi3_10 = 1.699701, t = 1.301267, z = 4.604548,
     g2 = 10.109890, dice = 0.000260824, logdice = 2.0954},
    {o = 52, c = 658, e = 52.551443, mi10 = -0.004581, mi3_10 = 3.427425, t = -0.076471,
     z = -0.076069, g2 = 0.006331, dice = 0.006503, logdice = 6.7354},
  }
  for _, g in ipairs(gold) do
    it("reproduces UCS gold for O11 = " .. g.o .. ", C1 = " .. g.c, function()
      local a = stats.association(g.o, R1, g.c, N)
      near(g.e, a.expected, 1e-6, "E11")
      near(g.mi10 / math.log(2, 10), a.mi, 1e-5, "MI")
      near(g.mi3_10 / math.log(2, 10), a.mi3, 1e-5, "MI3")
      near(g.t, a.t, 1e-6, "t")
      near(g.z, a.z, 1e-6, "z")
      near(g.g2, a.ll, 1e-6, "G2")
      near(g.dice, a.dice, 1e-4 * g.dice, "Dice")   -- printed to 4-6 digits
      near(g.logdice, a.logdice, 1e-4, "logDice")
    end)
  end

  it("builds the 2x2 cells from the margins (Xiao's trap)", function()
    -- sweet 3,460, smell 3,508, N = 98,313,429, 90 co-occurrences: a correct table (O12 =
    -- f1 - O11 ...) gives G^2 = 1,011.42 (wave-2 anchors, 3.2 B), not the book's 688.
    near(1011.42, stats.g2_table(90, 3460, 3508, 98313429), 0.01, "G2")
  end)

  it("works a small table by hand", function()
    -- O11 = 4 in windows of R1 = 20 positions, C1 = 10, N = 100: E11 = 2, MI = log2 2 = 1,
    -- MI3 = log2(64/2) = 5, t = 2/2 = 1, z = 2/sqrt 2, logDice with f_x = 2 node hits:
    -- 14 + log2(8/12).
    local a = stats.association(4, 20, 10, 100, 2, 10)
    near(2, a.expected); near(1, a.mi); near(5, a.mi3); near(1, a.t); near(math.sqrt(2), a.z)
    near(14 + math.log(8 / 12, 2), a.logdice)
    near(8 / 12, a.dice)
    -- G^2 cells: 4 (E 2), 16 (E 18), 6 (E 8), 74 (E 72)
    near(2 * (4 * math.log(2) + 16 * math.log(16 / 18) + 6 * math.log(6 / 8) + 74 * math.log(74 / 72)), a.ll)
    assert.equal(-math.huge, stats.association(0, 20, 10, 100).mi)
  end)
end)

describe("keyness measures", function()
  -- wave-2 anchors, 3.3: the UCREL log-likelihood wizard's example (Lancaster course
  -- slides: LL +2.65), the corpus4u WordSmith/AntConc case (published 228.02 = the 4-term
  -- G^2), and quanteda's toy table 7/10 vs 2/9.
  local cases = {
    {"UCREL wizard", 52, 50000, 57, 75000, ll = 2.6517, g2 = 2.6541, chi2 = 2.6996, lr = 0.4525,
     pct = 36.84, bic = -9.084},
    {"corpus4u", 288, 92965, 114099, 104570472, ll = 227.642, g2 = 228.017, chi2 = 342.64,
     lr = 1.5055, pct = 183.92, bic = 209.18},
    {"quanteda toy", 7, 10, 2, 9, ll = 2.4401, g2 = 4.5349, chi2 = 4.3372, lr = 1.6554, pct = 215.0,
     bic = -0.504},
  }
  for _, c in ipairs(cases) do
    it("reproduces " .. c[1], function()
      local k = stats.keyness(c[2], c[3], c[4], c[5])
      near(c.ll, k.ll, 1e-3, "ll"); near(c.g2, k.g2, 1e-3, "g2"); near(c.chi2, k.chi2, 1e-2, "chi2")
      near(c.lr, k.log_ratio, 1e-4, "log ratio"); near(c.pct, k.pct_diff, 1e-2, "%DIFF")
      near(c.bic, k.bic, 1e-2, "BIC")
      assert.equal("+", k.direction)
    end)
  end

  it("uses 0.5 for a zero count in the log ratio, and gives the direction", function()
    -- 0 of 1000 vs 4 of 1000: log2((0.5/1000)/(4/1000)) = log2(1/8) = -3
    local k = stats.keyness(0, 1000, 4, 1000)
    near(-3, k.log_ratio); assert.equal("-", k.direction); near(-100, k.pct_diff)
    assert.equal(math.huge, stats.keyness(3, 1000, 0, 1000).pct_diff)
    -- by hand: O1 = 10 of 100, O2 = 10 of 300; E1 = 5, E2 = 15:
    -- ll = 2 (10 ln 2 + 10 ln(2/3))
    near(2 * (10 * math.log(2) + 10 * math.log(2 / 3)), stats.keyness(10, 100, 10, 300).ll)
    -- chi2 = 400 (10*290 - 10*90)^2 / (20 * 380 * 100 * 300)
    near(400 * (10 * 290 - 10 * 90) ^ 2 / (20 * 380 * 100 * 300), stats.keyness(10, 100, 10, 300).chi2)
  end)
end)

describe("dispersion measures", function()
  -- Gries (2020), "Analyzing dispersion", Practical Handbook of Corpus Linguistics, p. 3
  -- (values as asserted in scattertext's test_dispersion.py): 50 tokens in 5 parts of
  -- sizes 9, 10, 10, 10, 11.
  local sizes = {9, 10, 10, 10, 11}
  it("reproduces Gries 2020 for b (2,2,2,2,2)", function()
    local d = stats.dispersion({2, 2, 2, 2, 2}, sizes)
    assert.equal(5, d.range); assert.equal(10, d.hits)
    near(0.968, d.juilland_d, 1e-3, "D"); near(0.02, d.dp, 1e-9, "DP"); near(0.024, d.dp_norm, 1e-3, "DPnorm")
  end)
  it("reproduces Gries 2020 for i (1,0,0,0,0) and a (1,2,3,4,5)", function()
    local i = stats.dispersion({1, 0, 0, 0, 0}, sizes)
    assert.equal(1, i.range); near(0, i.juilland_d, 1e-9); near(0.82, i.dp, 1e-9); near(1, i.dp_norm, 1e-9)
    local a = stats.dispersion({1, 2, 3, 4, 5}, sizes)
    near(0.7852, a.juilland_d, 1e-4, "D"); near(0.18, a.dp, 1e-9, "DP"); near(0.2195, a.dp_norm, 1e-4, "DPnorm")
  end)
  it("reproduces Lyne (1985) ALLEMAND (R package tlda)", function()
    -- published D 0.6038797; the printed DP 0.5009295 is 1 - DP(Gries 2008) = 1 - 0.4990705
    local d = stats.dispersion({2, 0, 1, 1, 3, 0, 3, 0, 0, 0},
      {8143, 8058, 8271, 8125, 7959, 7941, 8146, 8001, 8003, 7930})
    near(0.6038797, d.juilland_d, 1e-7, "D"); near(0.4990705, d.dp, 1e-7, "DP")
    assert.equal(5, d.range)
  end)
  it("leaves undefined measures out", function()
    local d = stats.dispersion({0, 0}, {5, 5})
    assert.equal(0, d.hits); assert.is_nil(d.dp); assert.is_nil(d.juilland_d)
    assert.is_nil(stats.dispersion({3}, {10}).juilland_d)
  end)
end)
