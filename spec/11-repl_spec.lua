local dossier = require "dossier"
local repl = require "dossier.repl"
local H = require "helpers"

describe("the REPL", function()
  local c
  setup(function()
    c = dossier.open(H.tmp(".db"))
    c:add(H.seeds)
  end)
  teardown(function()
    c:close()
    H.cleanup()
  end)

  it("shows lists of records as aligned tables", function()
    local out = repl.show(c:docs())
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.equal(7, #lines)                       -- header, rule, five documents
    assert.truthy(lines[1]:find("^%s*cpos%s+id%s+name%s+sentences%s+tokens$"))
    local col = lines[3]:find("2015-carnegie", 1, true)
    for i = 4, 7 do assert.equal(col, lines[i]:find("20", col, true)) end
  end)

  it("shows match sets as concordances with their count", function()
    local m = c:query('"China"')
    assert.is_true(#m > 20)
    local out = repl.show(m)
    assert.truthy(out:find("[China]", 1, true))
    assert.truthy(out:find(#m .. " matches (first 20 shown", 1, true))
    assert.equal("1 match", repl.show(c:query('"Digital" "Silk" "Road"')):match("[^\n]+$"))
  end)

  it("evaluates expressions and statements, and reports errors", function()
    local env = setmetatable({corpus = c}, {__index = _G})
    assert.same({"3", false}, {repl.eval("1 + 2", env)})
    assert.same({"", false}, {repl.eval("x = 5", env)})
    assert.same({"5", false}, {repl.eval("x", env)})
    local msg, failed = repl.eval("error('boom', 0)", env)
    assert.same({"boom", true}, {msg, failed})
    assert.same({nil, "incomplete"}, {repl.compile("for i = 1, 2 do", env)})
  end)
end)
