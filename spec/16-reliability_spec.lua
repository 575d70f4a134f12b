-- Issue 16: the breaks an adversarial run found (bounds on time and memory, names that
-- are not files, messages). Times are compared with the same input without its trigger,
-- never with a wall-clock limit.
local dossier = require "dossier"
local H = require "helpers"

-- The least CPU time of three runs of f.
local function cpu(f)
  local best = math.huge
  for _ = 1, 3 do
    local t = os.clock()
    f()
    best = math.min(best, os.clock() - t)
  end
  return best
end

-- f(trigger input) costs at most `factor` times f(control input) (plus a little noise).
local function assert_linear(name, f, trigger, control, factor)
  local t, tc = cpu(function() f(trigger) end), cpu(function() f(control) end)
  assert(t <= factor * tc + 0.02, string.format("%s: %.3f s against %.3f s without the trigger", name, t, tc))
end

describe("clean-up rules stay linear", function()
  it("hyphens: a broken word on every line costs about as much as none", function()
    local parse = function(s) dossier.parse(s, {tag = false}) end
    assert_linear("surveil-\\nlance", parse, string.rep("surveil-\nlance ", 20000),
                  string.rep("surveil lance\n", 20000), 3)
    local lines = {}
    for i = 1, 8000 do lines[i] = "the committee reported on regional cooper-" end
    local ctl = {}
    for i = 1, 8000 do ctl[i] = "the committee reported on regional cooper" end
    assert_linear("hyphen at every line end", parse, table.concat(lines, "\nation and ") .. "\n",
                  table.concat(ctl, "\nation and ") .. "\n", 3)
  end)

  it("footnotes and page feet: many pages of notes cost about as much as plain pages", function()
    local parse = function(s) dossier.parse(s, {tag = false}) end
    local ctl = string.rep("Some text of the page goes on and on.\nThe law says so.\n\n\n", 16000)
    assert_linear("a footnote ending every page", parse,
                  string.rep("Some text of the page goes on and on.\n12 The law says so.\n\n\n", 16000), ctl, 6)
    assert_linear("pages of nothing but notes", parse, string.rep("1 Note text here.\n\n\n", 16000),
                  string.rep("A note text here.\n\n\n", 16000), 6)
  end)

  it("footnotes: the nearest marker before a note is still removed", function()
    local d = dossier.parse("China grew fast.1 It said so.2\n\n\n1 See the report.\n2 See the law.\n", {tag = false})
    assert.matches("fast%. It said so%.", d.text)
    assert.matches("1 See the report%.", d.text)
    local n = 0
    for _, ch in ipairs(d.changes) do if ch.what:match("removed footnote marker") then n = n + 1 end end
    assert.equal(2, n)
  end)

  it("hyphens: still keeps a hyphen the document writes elsewhere", function()
    local d = dossier.parse("The dual-use goods and more dual-\nuse goods.\n", {tag = false})
    assert.matches("dual%-use goods%.", d.text)
    d = dossier.parse("Mass surveil-\nlance grew.\n", {tag = false})
    assert.matches("surveillance grew", d.text)
  end)
end)
