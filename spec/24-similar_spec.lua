-- The `similar` recipe on texts made here, its figures worked out by hand.
local H = require "helpers"
local dossier = require "dossier"

describe("similar: tf-idf cosine and near-duplicates", function()
  local c
  -- twenty distinct words, and the same with the last one changed
  local words = {}
  for i = 1, 20 do words[i] = "w" .. i end
  local d1 = table.concat(words, " ")
  words[20] = "other"
  local d2 = table.concat(words, " ")
  setup(function()
    c = dossier.open(H.tmp(".db"))
    c:add_text("red apple red pear", "A", nil, {tag = false})
    c:add_text("red apple", "B", nil, {tag = false})
    c:add_text("blue sky", "C", nil, {tag = false})
  end)
  teardown(function() c:close(); H.cleanup() end)

  it("gives the tf-idf cosine worked by hand", function()
    -- N = 3; df: red 2, apple 2, pear 1, blue 1, sky 1; weight (1 + ln tf) ln(N / df):
    -- A = (red (1 + ln 2) ln 1.5, apple ln 1.5, pear ln 3), B = (red ln 1.5, apple ln 1.5)
    -- cos(A, B) = 0.442760 / (1.357444 * 0.573414) = 0.568823; C shares nothing
    local r = c:similar{by = "norm", min_cosine = 0.5, min_jaccard = 1.1}
    assert.equal(1, #r.rows)
    assert.same({"A", "B"}, {r.rows[1].doc_a, r.rows[1].doc_b})
    assert.near(0.568823, r.rows[1].cosine, 1e-5)
    assert.equal(0, #c:similar{by = "norm", min_cosine = 0.6, min_jaccard = 1.1}.rows)
  end)

  it("finds a near-duplicate and estimates its Jaccard similarity", function()
    local d <close> = dossier.open(H.tmp(".db"))
    d:add_text(d1, "one", nil, {tag = false})
    d:add_text(d2, "two", nil, {tag = false})
    d:add_text("nothing in common with the others at all here, none whatsoever", "three", nil, {tag = false})
    -- 5-token shingles: 16 in each, 15 shared (those not holding token 20): J = 15 / 17
    local r = d:similar{by = "norm", min_cosine = 1.1, min_jaccard = 0.5}
    assert.equal(1, #r.rows)
    assert.same({"one", "two", "yes"}, {r.rows[1].doc_a, r.rows[1].doc_b, r.rows[1].duplicate})
    -- 128 hashes: standard error sqrt(J (1 - J) / 128) = 0.028; the hashes are fixed
    assert.near(15 / 17, r.rows[1].jaccard, 0.1)
    -- the same answer every run
    assert.equal(r.rows[1].jaccard, d:similar{by = "norm", min_cosine = 1.1, min_jaccard = 0.5}.rows[1].jaccard)
  end)

  it("refuses options out of range, and runs from the command line", function()
    assert.has_error(function() c:similar{shingle = 0} end)
    assert.has_error(function() c:similar{hashes = 6} end)
    assert.has_error(function() c:similar{by = "colour"} end)
    local code, out, err = H.cli({"similar", "--db", c.path, "--by", "norm", "--format", "tsv"})
    assert.equal(0, code, err)
    assert.truthy(out:find("doc_a\tdoc_b\tcosine\tjaccard\tduplicate\nA\tB\t0.56882", 1, true), out)
  end)
end)
