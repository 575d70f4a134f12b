-- Document search as the user types it: words read as dossier tokenizes them, FTS5's
-- operators kept, errors at the user's characters, prefix queries ranked. Expected
-- documents come from the raw text of the sample corpus (plain string search).
local H = require "helpers"
local cjson = require "cjson"

describe("dossier search", function()
  local db
  local raw = {}          -- name -> raw text
  setup(function()
    db = H.tmp(".db")
    local rc = H.cli({"index", H.seeds, "--db", db, "-q"})
    assert.equal(0, rc)
    for _, p in ipairs(H.seed_files()) do raw[p:match("([^/]+)%.txt$")] = H.read(p) end
  end)
  teardown(H.cleanup)

  local function hits(q)
    local rc, out, err = H.cli({"search", "--db", db, q, "--format", "json", "--limit", "10"})
    assert.equal(0, rc, err)
    local set, list = {}, cjson.decode(out).hits
    for _, h in ipairs(list) do set[h.doc] = h end
    return set, list
  end
  local function docs_with(s)
    local out = {}
    for name, text in pairs(raw) do if text:find(s, 1, true) then out[#out + 1] = name end end
    return out
  end

  it("reads Sino-Russian, China's and U.S. as the corpus's tokens", function()
    for _, q in ipairs({"Sino-Russian", "China's", "U.S."}) do
      local want = docs_with(q)
      assert.is_true(#want > 0, q)
      local got = hits(q)
      for _, name in ipairs(want) do assert.truthy(got[name], q .. " should find " .. name) end
    end
    local _, list = hits("Sino-Russian")
    assert.truthy(list[1].snippet:find("[Sino]-[Russian]", 1, true), list[1].snippet)
  end)

  it("keeps FTS5's operators: NOT, OR, phrases, NEAR", function()
    local want = {}
    for _, name in ipairs(docs_with("Huawei")) do
      if not raw[name]:find("ZTE", 1, true) then want[name] = true end
    end
    local got = hits("Huawei NOT ZTE")
    for name in pairs(got) do assert.truthy(want[name], name) end
    for name in pairs(want) do assert.truthy(got[name], name) end
    assert.truthy(next((hits('"Digital Silk Road" OR Huawei'))))
    assert.truthy(next((hits("NEAR(Huawei 5G, 10)"))))
  end)

  it("ranks prefix queries and marks the words they match in snippets", function()
    local _, list = hits("digit*")
    assert.is_true(#list >= 2)
    for i, h in ipairs(list) do
      assert.is_true(h.score > 0.01, h.doc .. " scores " .. h.score)
      if i > 1 then assert.is_true(list[i - 1].score >= h.score) end
      assert.truthy(h.snippet:find("%[[Dd]igit%a*%]"), h.snippet)
    end
    -- a word in every document scores above zero too
    local _, all = hits("sovereignty")
    for _, h in ipairs(all) do assert.is_true(h.score > 0.01, h.doc) end
  end)

  it("names the position of a syntax error in the user's words", function()
    local cases = {
      {"(Huawei OR ZTE", "search: unclosed ( at character 1"},
      {'China "digital', 'search: unclosed " at character 7'},
      {"OR Huawei", "search: OR at character 1 needs a term before it"},
      {"Huawei AND", "search: the operator at character 8 needs a term after it"},
      {"Huawei)", "search: ) at character 7 closes nothing"},
      {"Рос *", "search: * at character 5 needs a word before it"},
    }
    for _, c in ipairs(cases) do
      local rc, _, err = H.cli({"search", "--db", db, c[1]})
      assert.equal(1, rc, c[1])
      assert.equal("dossier: " .. c[2] .. "\n", err)
    end
  end)

  it("prints TSV", function()
    local rc, out = H.cli({"search", "--db", db, "Huawei", "--format", "tsv", "--limit", "2"})
    assert.equal(0, rc)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.equal("doc\tscore\tsnippet", lines[1])
    assert.equal(3, #lines)
    assert.truthy(lines[2]:find("[Huawei]", 1, true))
  end)
end)
