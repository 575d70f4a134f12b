-- The bundled lexicons keep their own rules (tools/check_lexicon.lua: six columns,
-- unique well-formed ids, known types and flags, ISO country codes, no form twice).
local H = require "helpers"

describe("the domain lexicon", function()
  it("passes its checker", function()
    local code, out, err = H.run_lua({"tools/check_lexicon.lua", "corpus/lexicon/entities.tsv"})
    assert.equal(0, code, err .. out)
    assert.truthy(out:find("0 errors", 1, true), out)
  end)

  it("makes the checker fail on a broken file, naming the line", function()
    local f = H.tmp(".tsv")
    H.write(f, "Q148\tGPE\tChina\tCN\tPRC\t\nQ148\tGPE\tChina again\tCN\t\t\nds:x\tTHING\tX\t\t\t\n")
    local code, out, err = H.run_lua({"tools/check_lexicon.lua", f})
    assert.equal(1, code)
    assert.truthy((out .. err):find(":2:", 1, true), out .. err)
    assert.truthy((out .. err):find(":3:", 1, true), out .. err)
    H.cleanup()
  end)
end)
