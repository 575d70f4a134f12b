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

  it("prints lists in index order: concordance lines aligned, others numbered", function()
    local rows = c:query('"China"'):kwic{limit = 12}
    local lines = {}
    for l in repl.show(rows):gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.equal(12, #lines)
    local function column(l) return utf8.len(l:sub(1, l:find("[China]", 1, true))) end
    local col = column(lines[1])
    for i = 1, 12 do
      assert.equal(col, column(lines[i]))                          -- aligned on the match
      assert.truthy(lines[i]:find(rows[i].left, 1, true))          -- in index order
    end
    local out = repl.show({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"})
    local order = {}
    for n, v in out:gmatch("\n%s*(%d+)  (%a)") do order[#order + 1] = n .. v end
    assert.same({"1a", "2b", "3c", "4d", "5e", "6f", "7g", "8h", "9i", "10j", "11k"}, order)
  end)

  it("rounds floats and shows nested tables", function()
    assert.equal("0.3333", repl.show(1 / 3))
    assert.equal("2", repl.show(2))
    assert.equal("1.235e+10", repl.show(12345678901.5))
    local out = repl.show({score = 2 / 3, meta = {title = "T", pages = {1, 2}}})
    assert.truthy(out:find("score  0.6667", 1, true), out)
    assert.truthy(out:find('{pages = {1, 2}, title = "T"}', 1, true), out)
  end)

  it("completes globals, fields and methods", function()
    local env = setmetatable({corpus = c, dossier = dossier}, {__index = _G})
    assert.same({"dossier.open"}, repl.complete("dossier.op", env))
    local m = repl.complete("corpus:qu", env)
    assert.same({"corpus:query"}, m)
    assert.truthy(#repl.complete("corpus:", env) >= 8)
    local g = repl.complete("dossi", env)
    assert.same({"dossier"}, g)
    assert.same({"string.format"}, repl.complete("string.form", env))
  end)

  it("suggests the nearest name for a misspelt method, field or global", function()
    local env = setmetatable({corpus = c, dossier = dossier}, {__index = _G})
    local msg, failed = repl.eval("corpus:qeury('x')", env)
    assert.is_true(failed)
    assert.truthy(msg:find("method 'qeury'%); did you mean 'query'%?$"), msg)
    msg = repl.eval("dossier.opne('x')", env)
    assert.truthy(msg:find("did you mean 'open'?", 1, true), msg)
    msg = repl.eval("corpsu:docs()", env)
    assert.truthy(msg:find("did you mean 'corpus'?", 1, true), msg)
  end)

  it("has help and help(topic)", function()
    for _, t in ipairs({"", "corpus", "query", "search", "parse", "keys"}) do
      assert.truthy(repl.topics[t], t)
    end
    assert.truthy(repl.topics.query:find("NOUN", 1, true))
  end)

  it("refuses a corpus file that is not there unless asked to create it", function()
    local db = H.tmp(".db")
    local rc, _, err = H.cli({"repl", "--db", db}, "x = 1\n")
    assert.equal(1, rc)
    assert.truthy(err:find(db .. ": no such corpus file (dossier repl --db " .. db .. " --create", 1, true), err)
    assert.is_nil(io.open(db))
    rc = H.cli({"repl", "--db", db, "--create"}, "x = 1\n")
    assert.equal(0, rc)
    assert.truthy(io.open(db))
  end)

  it("stops a long call on Ctrl-C within half a second, and goes on", function()
    local core = require "dossier.core"
    local pid = io.open("/proc/self/stat"):read("n")
    core.catch_interrupts(true)
    os.execute(string.format("(sleep 0.3; kill -INT %d) &", pid))
    local t0 = os.clock()
    local ok, err = pcall(function() while os.clock() - t0 < 10 do end end)
    local spent = os.clock() - t0
    assert.is_false(core.interrupted())        -- the error answered it: no C call stops again
    core.catch_interrupts(false)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("interrupted", 1, true))
    assert.is_true(spent < 0.3 + 0.5 + 0.5, "stopped after " .. spent .. " s")
  end)

  it("in a terminal: Ctrl-C cancels a line or stops a call, Tab completes, history is kept", function()
    if not os.execute("command -v python3 >/dev/null 2>&1") then
      return pending("skipped: the terminal test needs python3 (its pty module drives the REPL)")
    end
    if not os.execute("python3 -c 'import os; os.openpty()' >/dev/null 2>&1") then
      return pending("skipped: no pseudo-terminal can be opened here (a chroot without /dev/pts?)")
    end
    local home = H.tmp("-home")
    assert(os.execute("mkdir -p " .. home))
    local p = io.popen("python3 spec/repl_pty.py " .. home)
    local steps = require("cjson").decode(p:read("a"))
    p:close()
    assert.truthy(steps.start:find("dossier> ", 1, true))
    assert.truthy(steps.x:find("nil", 1, true), steps.x)           -- `x = 4` was cancelled
    assert.truthy(steps.interrupt:find("interrupted", 1, true), steps.interrupt)
    -- the loop spun on after Ctrl-C for less than half a second of processor time (by
    -- work done: wall time on a loaded machine says little; unstopped, it spins 5 s)
    assert.is_true(steps.cpu_after < 0.5, steps.cpu_after)
    assert.truthy(steps.after:find("\r2\r\n", 1, true), steps.after)  -- the session goes on
    assert.truthy(steps.tab:find("dossier.version", 1, true), steps.tab)
    assert.equal("x\nwhile true do end\n1 + 1\ndossier.version\n", H.read(home .. "/.dossier_history"))
    os.execute("rm -rf " .. home)
  end)
end)
