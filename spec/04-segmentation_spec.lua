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
    local ok, why = H.data_file(segeval.EWT_TEST, "tokenization F1 on UD English EWT test")
    if not ok then return pending(why) end
    local r = segeval.eval_tokens(data, seg)
    assert.is_true(r.words.f1 >= 0.99, "F1 " .. r.words.f1)       -- measured 0.9930
    assert.is_true(r.surface.f1 >= 0.97, "F1 " .. r.surface.f1)   -- measured 0.9744
  end)

  it("passes the golden rules (>= 50 of 52; pySBD >= 46 of 48)", function()
    local ok, why = H.data_file(segeval.PRAGMATIC, "the Pragmatic Segmenter golden rules")
    if ok then ok, why = H.data_file(segeval.PYSBD, "the pySBD golden rules") end
    if not ok then return pending(why) end
    local g = segeval.eval_golden(data, seg)
    assert.is_true(g.ps_golden.passed >= 50, g.ps_golden.passed .. " of 52")   -- measured 51
    assert.is_true(g.pysbd_golden.passed >= 46, g.pysbd_golden.passed .. " of 48")            -- measured 47
  end)

  it("finds EWT test sentence boundaries (F1 >= 0.92, precision >= 0.98)", function()
    -- The rules alone score F1 0.8860 (P 0.9919); the boundary model (csrc/ds_boundary.h) brings the
    -- unpunctuated boundaries of e-mail and web text.
    local ok, why = H.data_file(segeval.EWT_TEST, "sentence boundary F1 on UD English EWT test")
    if not ok then return pending(why) end
    local b = segeval.eval_sentences(data, seg)
    assert.is_true(b.score.f1 >= 0.92, "F1 " .. b.score.f1)       -- measured 0.9206
    assert.is_true(b.score.precision >= 0.98, "P " .. b.score.precision)          -- measured 0.9869
    assert.is_true(b.exact >= 745, b.exact .. " paragraphs exact")                -- measured 754 of 854
  end)

  describe("the rules after a sentence's end", function()
    local function texts(s)
      local out = {}
      for i, x in ipairs(dossier.parse(s, {tag = false, clean = false}).sentences) do out[i] = x.text end
      return out
    end

    it("end at a question mark or a run of `!` before lower case, not at `Yahoo! in`", function()
      assert.are.same({"is it a gift...??", "i always thought so"}, texts("is it a gift...?? i always thought so"))
      assert.are.same({"VERY CONCERNED!!!", "plz bring your dog"}, texts("VERY CONCERNED!!! plz bring your dog"))
      assert.are.same({"She works at Yahoo! in the accounting department."},
                      texts("She works at Yahoo! in the accounting department."))
    end)

    it("end before marks that lead into the next unit", function()
      assert.are.same({"You should see it.", "** Google defies US **"}, texts("You should see it. ** Google defies US **"))
      assert.are.same({"\"Fine against a wall.\"", "- Eleanor Roosevelt"},
                      texts("\"Fine against a wall.\" - Eleanor Roosevelt"))
      assert.are.same({"It is done. ®"}, texts("It is done. ®"))
      assert.are.same({"Which parrots? ?"}, texts("Which parrots? ?"))
    end)

    it("go on through brackets that close a few words later", function()
      local s = "It grew despite the law (‘Taking Control? Internet censorship’, 2019, November 27). Then it fell."
      assert.are.same({"It grew despite the law (‘Taking Control? Internet censorship’, 2019, November 27).",
                       "Then it fell."}, texts(s))
      -- a bracket closed right after the terminal ends the sentence with it
      assert.are.same({"He left (as planned.)", "Then it rained."}, texts("He left (as planned.) Then it rained."))
    end)

    it("run a short line on into the next when it starts with a preposition", function()
      assert.are.equal(1, #texts("published by\nDigital Russia\n on December 7, 2015"))
      assert.are.equal(2, #texts("published by\nDigital Russia\nOn December 7, 2015"))
      -- a title and its subtitle after a colon; a list after one keeps its lines
      assert.are.equal(1, #texts("Cooperation in Sino-Russian Relations:\nCommon Goals and Diverging Standpoints"))
      assert.are.equal(3, #texts("You need:\nFlour\nSugar"))
    end)
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
