local H = require "helpers"

describe("dossier tag --input conllu", function()
  after_each(H.cleanup)

  it("tags EWT test on its gold tokens at the accuracy the tagger promises", function()
    local gold, why = H.data_file("ud-english-ewt/en_ewt-ud-test.conllu", "tagger accuracy on UD English EWT test")
    if not gold then return pending(why) end
    local rc, out, err = H.cli({"tag", "--input", "conllu", gold})
    assert.equal(0, rc, err)
    -- compare the columns line by line with the gold file (an independent count)
    local predicted = {}
    for line in out:gmatch("[^\n]+") do
      if line:match("^%d+\t") then predicted[#predicted + 1] = line end
    end
    local n, upos, xpos, lemma, i = 0, 0, 0, 0, 0
    for line in io.lines(gold) do
      if line:match("^%d+\t") then
        i = i + 1
        local g, p = {}, {}
        for x in (line .. "\t"):gmatch("([^\t]*)\t") do g[#g + 1] = x end
        for x in (predicted[i] .. "\t"):gmatch("([^\t]*)\t") do p[#p + 1] = x end
        assert.equal(g[2], p[2])                      -- the file's own tokens are kept
        n = n + 1
        if g[4] == p[4] then upos = upos + 1 end
        if g[5] == p[5] then xpos = xpos + 1 end
        if g[3] == p[3] then lemma = lemma + 1 end
      end
    end
    assert.equal(25094, n)
    assert.is_true(upos / n >= 0.955, "UPOS " .. upos / n)     -- measured 0.9581
    assert.is_true(xpos / n >= 0.95, "XPOS " .. xpos / n)      -- measured 0.9515
    assert.is_true(lemma / n >= 0.97, "lemma " .. lemma / n)   -- measured 0.9726
  end)
end)

describe("a document's lemmas", function()
  it("are, token for token, what the tagger gives each sentence's words on their own", function()
    -- a document lemmatizes each (word, UPOS, XPOS) once and shares it: the per-sentence
    -- tagger call lemmatizes every token by itself, an independent count
    local dossier = require "dossier"
    local doc = dossier.parse(H.read(H.seeds .. "/2022-sinkkonen-lassila-digital-authoritarianism.txt"))
    local tagger = dossier.tagger()
    local n, tagsOf = 0, {}
    for _, s in ipairs(doc.sentences) do
      local words = {}
      for i, t in ipairs(s.tokens) do words[i] = t.word end
      local upos, xpos, lemmas = tagger:tag(words)
      for i, t in ipairs(s.tokens) do
        assert.equal(upos[i], t.pos)
        assert.equal(xpos[i], t.xpos)
        assert.equal(lemmas[i], t.lemma, t.word)
        n = n + 1
        local k = t.word .. "\0" .. t.pos .. "\0" .. t.xpos
        tagsOf[k] = (tagsOf[k] or 0) + 1
      end
    end
    local repeated = 0
    for _, c in pairs(tagsOf) do if c > 1 then repeated = repeated + 1 end end
    assert.is_true(n > 5000 and repeated > 500, n .. " tokens, " .. repeated .. " repeated")
  end)
end)
