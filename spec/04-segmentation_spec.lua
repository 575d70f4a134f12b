-- Segmentation quality on the shared reference data, scored as bench/segmentation.lua
-- scores it (bench/segeval.lua). These are floors: the figures measured when the code
-- was written are in the comments; a change that lowers them fails here.
package.path = "./bench/?.lua;" .. package.path
local segeval = require "segeval"
local dossier = require "dossier"
local H = require "helpers"

describe("segmentation quality", function()
  local data = H.shared .. "/data"
  local seg = segeval.dossier_segmenter(dossier)

  it("tokenizes EWT test as Universal Dependencies does (F1 >= 0.99 vs gold words)", function()
    local r = segeval.eval_tokens(data, seg)
    assert.is_true(r.words.f1 >= 0.99, "F1 " .. r.words.f1)       -- measured 0.9930
    assert.is_true(r.surface.f1 >= 0.97, "F1 " .. r.surface.f1)   -- measured 0.9744
  end)

  it("passes the golden rules (>= 50 of 52; pySBD >= 46 of 48)", function()
    local g = segeval.eval_golden(data, seg)
    assert.is_true(g.ps_golden.passed >= 50, g.ps_golden.passed .. " of 52")   -- measured 51
    assert.is_true(g.pysbd_golden.passed >= 46, g.pysbd_golden.passed .. " of 48")            -- measured 47
  end)

  it("finds EWT test sentence boundaries (F1 >= 0.90, precision >= 0.98)", function()
    -- The rules alone score F1 0.8780 (P 0.9908); the boundary model (csrc/ds_boundary.h) brings the
    -- unpunctuated boundaries of e-mail and web text.
    local b = segeval.eval_sentences(data, seg)
    assert.is_true(b.score.f1 >= 0.90, "F1 " .. b.score.f1)       -- measured 0.9105
    assert.is_true(b.score.precision >= 0.98, "P " .. b.score.precision)          -- measured 0.9876
    assert.is_true(b.exact >= 737, b.exact .. " paragraphs exact")                -- measured 747 of 854
  end)

  describe("the abbreviation list (corpus/lexicon/en-abbreviations.txt)", function()
    local function gen(path, stderr)
      local p = io.popen("lua5.4 tools/gen_abbrev.lua " .. path .. (stderr and " 2>&1" or " 2>/dev/null"))
      local out = p:read("a")
      local ok = p:close()
      return ok, out
    end

    it("is what csrc/ds_abbrev.c was compiled from (make abbrev rewrites it)", function()
      local ok, out = gen("corpus/lexicon/en-abbreviations.txt")
      assert.is_true(ok, out)
      local f = assert(io.open("csrc/ds_abbrev.c", "rb"))
      local c = f:read("a")
      f:close()
      assert.are.equal(c, out)
    end)

    it("refuses a bad line, naming the file and line", function()
      local path = os.tmpname()
      local f = assert(io.open(path, "wb"))
      f:write("# comment\nabbrev\tDr\nprepositive\tDr.\n")
      f:close()
      local ok, out = gen(path, true)
      os.remove(path)
      assert.is_falsy(ok)
      assert.truthy(out:find(path .. ":3: a form is ASCII letters, without its period: `Dr.`", 1, true), out)
    end)

    it("keeps the period of listed abbreviations and ends sentences after starters", function()
      local doc = dossier.parse("We met Prof. Li at the Univ. The talk was long.", {tag = false})
      local words = {}
      for _, t in ipairs(doc.sentences[1].tokens) do words[#words + 1] = doc.text:sub(t.from, t.to) end
      assert.are.same({"We", "met", "Prof.", "Li", "at", "the", "Univ."}, words)
      assert.are.equal(2, #doc.sentences)
    end)
  end)
end)
