local dossier = require "dossier"
local H = require "helpers"

describe("dossier.parse", function()
  it("keeps every token at its byte offsets in the clean text", function()
    for _, path in ipairs(H.seed_files()) do
      local d = dossier.parse(H.read(path))
      local n = 0
      for _, s in ipairs(d.sentences) do
        -- the sentence's text is shown on one line
        local raw = d.text:sub(s.from, s.to)
        assert.equal(s.text, (raw:gsub("%s+", function(w) return w:find("\n") and " " or w end)))
        for _, t in ipairs(s.tokens) do
          assert.equal(t.word, d.text:sub(t.from, t.to))
          assert.is_nil(t.word:find("%s"))
          n = n + 1
        end
      end
      assert.is_true(n > 300, path)
    end
  end)

  it("loses no non-space character of the text", function()
    local text = H.read(H.seed_files()[1])
    local d = dossier.parse(text)
    local words = {}
    for _, s in ipairs(d.sentences) do
      for _, t in ipairs(s.tokens) do words[#words + 1] = t.word end
    end
    -- no-break spaces separate tokens too
    assert.equal((text:gsub("\u{a0}", ""):gsub("%s+", "")), table.concat(words))
  end)

  it("splits clitics and hyphens as Universal Dependencies does", function()
    local d = dossier.parse("Russia's firms don't use Sino-Russian 5G.")
    local words = {}
    for _, t in ipairs(d.sentences[1].tokens) do words[#words + 1] = t.word end
    assert.same({"Russia", "'s", "firms", "do", "n't", "use", "Sino", "-", "Russian", "5G", "."}, words)
  end)

  it("splits sentences in the sample corpus where a reader would", function()
    local d = dossier.parse(H.read("corpus/seeds/2015-carnegie-digital-bromance.txt"))
    local texts = {}
    for i, s in ipairs(d.sentences) do texts[i] = s.text end
    assert.truthy(#texts > 30)
    local joined = table.concat(texts, "\n")
    assert.truthy(joined:find("\nAccording to Usmanov, the return on his investment in Alibaba has been 500%.\n", 1, true))
    assert.truthy(joined:find("Both demand more say in the way ICANN, a non-profit U.S.-based organization playing", 1, true))
    assert.falsy(joined:find("Mail.\n", 1, true))
  end)

  it("turns NFD into NFC and CRLF into LF", function()
    local d = dossier.parse("Cafe\u{301} au lait.\r\nNext line.")
    assert.equal("Café au lait.\nNext line.", d.text)
  end)

  it("rejects invalid UTF-8 with the byte offset, line and column", function()
    assert.has_error(function() dossier.parse("abc\ndef \xff tail", {name = "x.txt"}) end,
      "x.txt: invalid UTF-8 at byte 8 (line 2, column 5)")
  end)

  it("rejects binary input", function()
    assert.has_error(function() dossier.parse("abc\0def", {name = "b.bin"}) end,
      "b.bin: binary file (NUL byte at byte 3)")
  end)

  it("parses empty and blank text to an empty document", function()
    assert.same({}, dossier.parse("").sentences)
    assert.same({}, dossier.parse(" \n\n \t\n").sentences)
  end)
end)
