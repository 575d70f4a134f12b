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
    assert.is_true(b.score.f1 >= 0.90, "F1 " .. b.score.f1)       -- measured 0.9053
    assert.is_true(b.score.precision >= 0.98, "P " .. b.score.precision)          -- measured 0.9865
    assert.is_true(b.exact >= 730, b.exact .. " paragraphs exact")                -- measured 740 of 854
  end)
end)
