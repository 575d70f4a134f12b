local dossier = require "dossier"
local H = require "helpers"

describe("queries", function()
  local db, c, raw
  setup(function()
    db = H.tmp(".db")
    c = dossier.open(db)
    c:add(H.seeds)
    raw = {}
    for _, p in ipairs(H.seed_files()) do raw[#raw + 1] = H.read(p) end
    -- words broken across lines by a hyphen are one word (the clean-up rejoins them)
    raw = table.concat(raw, "\n"):gsub("(%a)%-\n(%l)", "%1%2")
  end)
  teardown(function()
    c:close()
    H.cleanup()
  end)

  it("count single words as a whole-word search of the raw text does", function()
    for _, w in ipairs({"sovereignty", "China", "Russia", "surveillance", "Huawei", "AI", "digital", "cooperation"}) do
      assert.equal(H.count_word(raw, w), c:query('"' .. w .. '"'):count(), w)
    end
  end)

  it("fold case with %c", function()
    local lower = H.count_word(raw, "digital") + H.count_word(raw, "Digital") + H.count_word(raw, "DIGITAL")
    assert.equal(lower, c:query('"digital"%c'):count())
    -- a bare word was once read as a literal; it is an error now (CQP has no bare words)
    assert.has_error(function() c:query('digital%c') end,
      [[a bare word 'digital' is not a query: quote it ("digital") or write [word="digital"] at position 1]])
    assert.equal(lower, c:query('[norm="digital"]'):count())
  end)

  it("find phrases as typed, whatever the tokenization", function()
    local n = 0
    for _ in raw:gmatch("Sino%-Russian") do n = n + 1 end
    assert.equal(n, c:query('"Sino-Russian"'):count())
    assert.equal(n, c:query('"Sino" "-" "Russian"'):count())
    assert.equal(1, c:query('"digital"%c "silk"%c "road"%c'):count())
    assert.equal(0, c:query('"digital" "silk" "road"'):count())   -- the text has "Digital Silk Road"
  end)

  it("search the tagger's attributes: lemma, part of speech, Penn tag", function()
    -- every form of `cooperate` the text has is found by its lemma
    local forms = 0
    for _, w in ipairs({"cooperation", "Cooperation", "cooperate", "cooperates", "cooperating",
                        "cooperated"}) do
      forms = forms + H.count_word(raw, w)
    end
    local byLemma = c:query('[lemma="cooperation"]'):count() + c:query('[lemma="cooperate"]'):count()
    assert.is_true(math.abs(byLemma - forms) <= 2, byLemma .. " vs " .. forms)
    local country = H.count_word(raw, "country") + H.count_word(raw, "countries") +
                    H.count_word(raw, "Country") + H.count_word(raw, "Countries")
    assert.is_true(math.abs(country - c:query('[lemma="country"]'):count()) <= 1)
  end)

  it("search parts of speech and Penn tags", function()
    assert.is_true(c:query('[pos="NOUN"]'):count() > c:query('[pos="VERB"]'):count())
    assert.is_true(c:query('[pos="PROPN"] "and" [pos="PROPN"]'):count() > 20)
    assert.is_true(c:query('[xpos="NNS"]'):count() > 100)
    assert.is_true(c:query('[lemma="be"] [pos="VERB"]'):count() > 0)
  end)

  it("give concordance lines with the original spacing", function()
    local m = c:query('"Digital" "Silk" "Road"')
    local l = m:kwic{width = 30}
    assert.equal(1, #l)
    assert.equal("Digital Silk Road", l[1].match)
    assert.equal(30, utf8.len(l[1].left))
    assert.truthy(("includes a project called the "):find(l[1].left:sub(-20), 1, true))
    assert.equal("2022-sinkkonen-lassila-digital-authoritarianism", l[1].doc)
    assert.truthy(tostring(l[1]):find("[Digital Silk Road]", 1, true))
  end)

  it("are match sets one can count, index and iterate", function()
    local m = c:query('"sovereignty"')
    assert.equal(m:count(), #m)
    local n = 0
    for i, x in m:iter() do
      n = n + 1
      assert.equal(x.first, m[i].first)
      assert.equal(x.first, x.last)
      assert.is_string(x.doc)
    end
    assert.equal(#m, n)
    assert.is_nil(m[#m + 1])
    local rows = m:kwic{limit = 2, offset = 1}
    assert.equal(2, #rows)
    assert.equal(m[2].first, rows[1].first)
  end)

  it("report malformed queries with the position", function()
    assert.has_error(function() c:query('"digital" "silk') end, "unterminated string at position 11")
    assert.has_error(function() c:query('[word="x"') end, "missing ']' to close this '[' at position 1")
    assert.has_error(function() c:query('[tag="x"]') end, "unknown attribute 'tag' (known: word, norm, lemma, pos, xpos) at position 2")
    assert.has_error(function() c:query('') end, "empty query at position 1")
    assert.has_error(function() c:query('"x"%q') end, "expected a flag (%c, %d, %l) after '%' at position 4")
  end)
end)
