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
    local page = "Some text of the page goes on and on.\n12 The law says so.\n\n\n"
    -- (the plain pages' repeated lines are dropped, the notes are not: a factor; and four
    -- times the pages cost about four times as much, not sixteen)
    assert_linear("a footnote ending every page", parse, string.rep(page, 16000), ctl, 10)
    assert_linear("four times the pages with a footnote", parse, string.rep(page, 16000), string.rep(page, 4000), 6)
    assert_linear("pages of nothing but notes", parse, string.rep("1 Note text here.\n\n\n", 32000),
                  string.rep("A note text here.\n\n\n", 32000), 15)
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

describe("YAML front matter", function()
  local md = {format = "md", tag = false}

  local function keys(n)
    local t = {}
    for i = 1, n do t[i] = "k" .. i .. ": v" .. i end
    return table.concat(t, "\n")
  end

  it("costs time linear in its number of keys (the first of a key counts)", function()
    assert_linear("40,000 keys", function(s) dossier.parse(s, md) end,
                  "---\n" .. keys(40000) .. "\n---\n\nBody.\n", "---\ntitle: x\n---\n\n" .. keys(40000) .. "\n", 4)
    local d = dossier.parse("---\ntitle: one\nk: 1\ntitle: two\n---\n\nBody.\n", md)
    assert.equal("one", d.meta.title)
    assert.equal("1", d.meta.k)
  end)

  it("is refused when nested deeper than 64 levels, naming the line", function()
    local deep = "---\ntitle: x\na: " .. string.rep("[", 100000) .. string.rep("]", 100000) .. "\n---\nBody.\n"
    local ok, err = pcall(dossier.parse, deep, {format = "md", tag = false, name = "deep.md"})
    assert.is_false(ok)
    assert.matches("deep.md: front matter, line 3: nested deeper than 64 levels", err, 1, true)
    local d = dossier.parse("---\na: " .. string.rep("[", 60) .. "x" .. string.rep("]", 60) .. "\n---\nBody.\n", md)
    assert.equal("Body.", d.text)
  end)

  it("is refused when larger than 1 MiB", function()
    local ok, err = pcall(dossier.parse, "---\nk: " .. string.rep("v", 1100000) .. "\n---\nBody.\n",
                          {format = "md", tag = false, name = "big.md"})
    assert.is_false(ok)
    assert.matches("big.md: front matter of %d+ bytes: more than the 1048576 allowed", err)
  end)
end)

describe("search queries", function()
  after_each(H.cleanup)

  it("are refused past 64 terms or 4096 bytes, with the position", function()
    local c <close> = dossier.open(H.tmp(".db"))
    c:add_text("The cooperation of the partners.", "a")
    assert.equal(1, #c:search(("the OR "):rep(63) .. "the"))
    local ok, err = pcall(c.search, c, ("the OR "):rep(100) .. "the")
    assert.is_false(ok)
    assert.matches("search: query too long: more than the limit of 64 terms at position 449", err, 1, true)
    ok, err = pcall(c.search, c, "the " .. ("é"):rep(3000))
    assert.is_false(ok)
    assert.matches("search: query too long: more than 4096 bytes at position 2051", err, 1, true)
  end)
end)

describe("creating and opening corpus files", function()
  after_each(function() H.cleanup(); H.cleanup_dirs() end)

  it("two writers creating one new corpus both succeed", function()
    -- each waits for the file `go`, then creates the corpus and adds a text
    local script = H.tmp(".lua")
    H.write(script, [[
      local dossier = require "dossier"
      local go, db, text = arg[1], arg[2], arg[3]
      while not io.open(go) do end
      local c = dossier.open(db)
      c:add_text(text, text)
      c:close()
    ]])
    local bad = {}
    for round = 1, 10 do
      local db, go = H.tmp(".db"), H.tmp(".go")
      local out1, out2 = H.tmp(".o1"), H.tmp(".o2")
      local cmd = string.format("(bin/dossier run %s %s %s Huawei >%s 2>&1; echo $? >>%s) & " ..
                                "(bin/dossier run %s %s %s ZTE >%s 2>&1; echo $? >>%s) & " ..
                                "sleep 0.3; touch %s; wait",
                                script, go, db, out1, out1, script, go, db, out2, out2, go)
      assert(os.execute(cmd))
      local o1, o2 = H.read(out1), H.read(out2)
      if o1 ~= "0\n" or o2 ~= "0\n" then bad[#bad + 1] = "round " .. round .. ": " .. o1 .. o2 end
      local c <close> = dossier.open(db, {readonly = true})
      if c:info().documents ~= 2 then bad[#bad + 1] = "round " .. round .. ": not 2 documents" end
      os.remove(go)
    end
    assert(#bad == 0, table.concat(bad, "\n"))
  end)

  it("a format version that is not an integer is damage, not a version", function()
    local db = H.tmp(".db")
    dossier.open(db):close()
    assert(os.execute("sqlite3 " .. db .. " \"UPDATE meta SET value = '" .. dossier.format_version ..
                      "abc' WHERE key = 'format_version'\""))
    local ok, err = pcall(dossier.open, db)
    assert.is_false(ok)
    assert.matches("damaged corpus file: its format version is not a positive integer", err, 1, true)
  end)

  it("damage with a format version that reads newer is reported as damage", function()
    local db = H.tmp(".db")
    local c = dossier.open(db)
    c:add_text("Huawei built the network.", "a")
    c:close()
    assert(os.execute("sqlite3 " .. db .. " \"UPDATE meta SET value = '99' WHERE key = 'format_version'\""))
    local p = io.popen("sqlite3 " .. db .. " \"SELECT rootpage FROM sqlite_master WHERE name = 'tokens'\"")
    local root = tonumber(p:read("l"))
    p:close()
    local f = assert(io.open(db, "r+b"))                 -- the tokens table's page: garbage
    f:seek("set", (root - 1) * 4096)
    f:write(string.rep("\222\173\190\239", 3))
    f:close()
    local ok, err = pcall(dossier.open, db)
    assert.is_false(ok)
    assert.matches("damaged corpus file: SQLite's check fails, and its format version reads 99", err, 1, true)
  end)

  it("a newer format version on a sound file is reported as newer", function()
    local db = H.tmp(".db")
    dossier.open(db):close()
    assert(os.execute("sqlite3 " .. db .. " \"UPDATE meta SET value = 99 WHERE key = 'format_version'\""))
    local ok, err = pcall(dossier.open, db)
    assert.is_false(ok)
    assert.matches("newer than this dossier's", err, 1, true)
  end)
end)

describe("names that are not files", function()
  after_each(function() H.cleanup(); H.cleanup_dirs() end)

  it("are refused with a clear message, storing nothing anywhere", function()
    local dir = H.tmpdir("-names")
    H.write(dir .. "/a.txt", "Huawei built the network.\n")
    for _, name in ipairs({"", ":memory:", "file:" .. dir .. "/x.db", "file:x.db?mode=memory"}) do
      local rc, out, err = H.cli({"index", dir .. "/a.txt", "--db", name})
      assert.equal(1, rc, name)
      assert.equal("", out)
      assert.matches(name == "" and "the corpus path is empty" or "not a file path", err, 1, true)
    end
    assert.is_nil(io.open(dir .. "/x.db"))
    assert(os.execute("mkfifo " .. dir .. "/fifo"))
    local rc, _, err = H.cli({"info", "--db", dir .. "/fifo"})     -- no hang
    assert.equal(1, rc)
    assert.matches("fifo: not a regular file", err, 1, true)
  end)
end)

describe("read-only storage and files", function()
  after_each(function() H.cleanup(); H.cleanup_dirs() end)

  -- Root ignores permissions: run as nobody (skipped where nobody cannot run dossier).
  local as_user = ""
  local p = io.popen("id -u")
  if p:read("l") == "0" then
    as_user = "setpriv --reuid=65534 --regid=65534 --clear-groups "
    if not os.execute(as_user .. "bin/dossier --version >/dev/null 2>&1") then as_user = nil end
  end
  p:close()
  local function user(cmd)
    local err = H.tmp(".err")
    local ok, _, code = os.execute(as_user .. "sh -c " .. H.quote(cmd) .. " >/dev/null 2>" .. err .. " </dev/null")
    return ok and 0 or code, H.read(err)
  end
  local function owned_dir()
    local d = H.tmpdir("-ro")
    if as_user ~= "" then assert(os.execute("chown 65534:65534 " .. d)) end
    return d
  end

  it("never answers from a state older than the -wal holds; refuses and says why", function()
    if not as_user then return pending("permissions cannot be tested here") end
    local d1, d2 = H.tmpdir("-w"), owned_dir()
    local db = d1 .. "/c.db"
    local c = dossier.open(db)
    c:add_text("Huawei built it.", "a")
    c:close()
    c = dossier.open(db)
    c:add_text("ZTE built it too.", "b")                 -- committed, still in c.db-wal
    assert(os.execute(string.format("cp %s %s-wal %s/", db, db, d2)))
    c:close()
    assert(os.execute("chmod 444 " .. d2 .. "/c.db " .. d2 .. "/c.db-wal && chmod 555 " .. d2))
    local rc, err = user("bin/dossier info --db " .. d2 .. "/c.db")
    assert.equal(1, rc)
    assert.matches("its last changes are still in " .. d2 .. "/c.db-wal", err, 1, true)
    assert(os.execute("chmod 755 " .. d2))
    rc, err = user("bin/dossier info --db " .. d2 .. "/c.db")     -- writable directory: read whole
    assert.equal(0, rc, err)
    local r <close> = dossier.open(d2 .. "/c.db", {readonly = true})
    assert.equal(2, r:info().documents)
  end)

  it("reading a 444 corpus leaves nothing that blocks its owner's later writes", function()
    if not as_user then return pending("permissions cannot be tested here") end
    local d = owned_dir()
    H.write(d .. "/a.txt", "Huawei built the network.\n")
    H.write(d .. "/b.txt", "ZTE built another network.\n")
    local db = d .. "/c.db"
    local rc, err = user("bin/dossier index " .. d .. "/a.txt --db " .. db .. " -q && chmod 444 " .. db ..
                         " && bin/dossier info --db " .. db .. " && bin/dossier query --db " .. db ..
                         " '\"Huawei\"' --count && chmod 644 " .. db .. " && bin/dossier index " .. d ..
                         "/b.txt --db " .. db .. " -q")
    assert.equal(0, rc, err)
  end)

  it("a writable corpus in a read-only directory: the message names the directory", function()
    if not as_user then return pending("permissions cannot be tested here") end
    local d = owned_dir()
    H.write(d .. "/a.txt", "Huawei built the network.\n")
    H.write(d .. "/b.txt", "ZTE built another network.\n")
    local db = d .. "/c.db"
    local rc, err = user("bin/dossier index " .. d .. "/a.txt --db " .. db .. " -q && chmod 555 " .. d ..
                         " && bin/dossier index " .. d .. "/b.txt --db " .. db)
    os.execute("chmod 755 " .. d)
    assert.equal(1, rc)
    assert.matches(db .. ": open: its directory is read-only", err, 1, true)
  end)
end)

describe("an interrupt (Ctrl-C) while adding", function()
  after_each(function() H.cleanup(); H.cleanup_dirs() end)

  -- Raise "interrupted!" as lua.c's SIGINT hook does: at the return of the C function fn.
  local function interrupt_at_return_of(fn)
    debug.sethook(function()
      if debug.getinfo(2, "f").func == fn then
        debug.sethook()
        error("interrupted!")
      end
    end, "r")
  end

  it("after the commit: the add returns, says so, and everything is stored", function()
    local dir = H.tmpdir("-int")
    H.write(dir .. "/a.txt", "Huawei built the network.\n")
    local db = H.tmp(".db")
    local c = dossier.open(db)
    interrupt_at_return_of(c._h.commit)
    local ok, n, stats = pcall(c.add, c, dir, {jobs = 1})
    debug.sethook()
    assert.is_true(ok, n)
    assert.equal(1, n)
    assert.is_true(stats.interrupted)
    assert.equal(5, stats.tokens)
    c:close()
    local r <close> = dossier.open(db, {readonly = true})
    assert.equal(1, r:info().documents)
  end)

  it("before the commit: nothing is stored, and the error says interrupted", function()
    local dir = H.tmpdir("-int")
    H.write(dir .. "/a.txt", "Huawei built the network.\n")
    local c <close> = dossier.open(H.tmp(".db"))
    interrupt_at_return_of(c._h.ingest)
    local ok, err = pcall(c.add, c, dir, {jobs = 1})
    debug.sethook()
    assert.is_false(ok)
    assert.matches("interrupted!$", err)
    assert.equal(0, c:info().documents)
  end)

  it("the CLI's exit status and message agree with what was stored", function()
    local dir = H.copies(20, "sig")
    for k = 0, 5 do
      local db = H.tmp(".db")
      local err = H.tmp(".err")
      -- SIGINT at a different point of each run; only the shell's child gets it
      os.execute(string.format("bin/dossier index %s --db %s -q --jobs 1 2>%s & pid=$!; sleep %.2f; " ..
                               "kill -INT $pid; wait $pid; echo $? >>%s", dir, db, err, 0.15 + 0.1 * k, err))
      local text = H.read(err)
      local status = tonumber(text:match("(%d+)\n$"))
      local r <close> = dossier.open(db)
      local n = r:info().documents
      if status == 0 then
        assert.equal(20, n, text)
      else
        assert.equal(130, status, text)
        assert.matches("dossier: interrupted: nothing of this run was stored", text, 1, true)
        assert.equal(0, n, text)
      end
    end
  end)
end)

describe("the index summary", function()
  after_each(function() H.cleanup(); H.cleanup_dirs() end)

  it("counts this run's tokens, not those of the writer it waited for", function()
    local dir = H.tmpdir("-wait")
    H.write(dir .. "/small.txt", "Huawei built the network.\n")
    local db = H.tmp(".db")
    local c <close> = dossier.open(db)
    c:add_text("First.", "first")
    local h = c._h
    h:begin()
    h:add_text(string.rep("word ", 1000), "big")              -- holds the write lock
    local out = H.tmp(".out")
    os.execute(string.format("(bin/dossier index %s --db %s >%s 2>&1 &)", dir .. "/small.txt", db, out))
    H.sleep(0.8)
    h:commit()
    for _ = 1, 100 do
      if H.read(out):match("\n") then break end
      H.sleep(0.1)
    end
    assert.matches("added 1 document (5 tokens, 1 sentence); corpus now 3 documents, 1,007 tokens",
                   H.read(out), 1, true)
  end)
end)

describe("smaller breaks", function()
  after_each(function() H.cleanup(); H.cleanup_dirs() end)

  it("a NUL byte in a document name is refused, not cut", function()
    local c <close> = dossier.open(H.tmp(".db"))
    assert.has_error(function() c:add_text("Some text.", "n\0x") end,
                     "bad argument #2 to 'add_text' (the document name holds a NUL byte)")
    assert.equal(0, c:info().documents)
  end)

  it("a metadata value that is a table is refused, naming the key", function()
    local c <close> = dossier.open(H.tmp(".db"))
    local ok, err = pcall(c.add, c, H.seeds, {meta = {title = {}}})
    assert.is_false(ok)
    assert.matches("metadata value of 'title' must be a string, number or boolean, not a table", err, 1, true)
    assert.equal(0, c:info().documents)
  end)

  it("JSON Lines: an id that is an object, or one given twice, is refused with the line", function()
    local dir = H.tmpdir("-jsonl")
    H.write(dir .. "/a.jsonl", '{"id": {"a": 1}, "text": "Hello there."}\n')
    H.write(dir .. "/b.jsonl", '{"id": 5, "text": "Other."}\n{"id": 5, "text": "Third."}\n')
    local c <close> = dossier.open(H.tmp(".db"))
    local ok, err = pcall(c.add, c, dir .. "/a.jsonl")
    assert.is_false(ok)
    assert.matches("a.jsonl:1: the record's `id` must be a string or a number, not an object or array", err, 1, true)
    ok, err = pcall(c.add, c, dir .. "/b.jsonl")
    assert.is_false(ok)
    assert.matches("b.jsonl:2: the name '5' was given already on line 1", err, 1, true)
    H.write(dir .. "/b.jsonl", '{"id": 5, "text": "Other."}\n')
    assert.equal(1, c:add(dir .. "/b.jsonl"))
    assert.equal("5", c:docs()[1].name)
  end)

  it("a UTF-8 byte order mark at the start of MANIFEST.tsv or JSON Lines is allowed", function()
    local dir = H.tmpdir("-bom")
    H.write(dir .. "/MANIFEST.tsv", "\239\187\191file\ttitle\na.txt\tThe title\n")
    H.write(dir .. "/a.txt", "Huawei built the network.\n")
    H.write(dir .. "/b.jsonl", '\239\187\191{"id": "b", "text": "Other text."}\n')
    local c <close> = dossier.open(H.tmp(".db"))
    assert.equal(2, c:add(dir))
    local docs = c:docs()
    assert.equal("The title", docs[1].meta.title)
    assert.equal("b", docs[2].name)
  end)

  it("kwic with a huge offset or limit returns what is there, no more", function()
    local c <close> = dossier.open(H.tmp(".db"))
    c:add_text("Huawei and ZTE. Huawei again. Huawei thrice.", "a")
    local m = c:query('"Huawei"')
    assert.same({}, m:kwic{offset = math.maxinteger})
    assert.equal(1, #m:kwic{offset = 2, limit = math.maxinteger})
    assert.equal(3, #m:kwic{limit = math.maxinteger})
    assert.has_error(function() m:kwic{offset = -1} end)
  end)

  it("more than 1000 unclosed <a> are not nesting: HTML5 closes each at the next", function()
    local html = "<html><body><p>" .. string.rep('<a href="x">link ', 3000) .. "</p></body></html>"
    local d = dossier.parse(html, {format = "html", tag = false})
    assert.equal(3000, select(2, d.text:gsub("link", "")))
    local ok, err = pcall(dossier.parse, string.rep("<div>", 1001), {format = "html", tag = false})
    assert.is_false(ok)
    assert.matches("nested more than 1000 deep", err, 1, true)
  end)

  it("user messages carry no Lua file locations; a file-size limit gives a message", function()
    if io.popen("id -u"):read("l") == "0" and
       os.execute("setpriv --reuid=65534 --regid=65534 --clear-groups true") then
      local dir = H.tmpdir("-loc")
      assert(os.execute("mkdir " .. dir .. "/sub && echo hi >" .. dir .. "/sub/a.txt && chmod 000 " ..
                        dir .. "/sub && chmod 777 " .. dir))
      local err = H.tmp(".err")
      os.execute("setpriv --reuid=65534 --regid=65534 --clear-groups bin/dossier index " .. dir ..
                 " --db " .. dir .. "/x.db 2>" .. err)
      assert.equal("dossier: " .. dir .. "/sub: cannot read the directory: Permission denied\n", H.read(err))
    end
    local db = H.tmp(".db")
    local err = H.tmp(".err")
    local ok, _, code = os.execute("sh -c 'ulimit -f 64; exec bin/dossier index " .. H.seeds .. " --db " .. db ..
                                   "' 2>" .. err)
    assert.is_not_true(ok)
    assert.equal(1, code)                                -- not killed by SIGXFSZ (153)
    assert.matches("file%-size limit", H.read(err))
  end)
end)

describe("output of names and metadata from outside", function()
  after_each(function() H.cleanup(); H.cleanup_dirs() end)

  it("shows terminal escapes instead of sending them, and --format json stays valid", function()
    local dir = H.tmpdir("-out")
    local name = "evil\27]0;pwned\7\27[2J\255name"
    H.write(dir .. "/" .. name .. ".txt", "Huawei built the network.\n")
    H.write(dir .. "/MANIFEST.tsv", "file\ttitle\n" .. name .. ".txt\tTitle \27[31mred\194\155 \254\n")
    local db = H.tmp(".db")
    assert.equal(0, (H.cli({"index", dir, "--db", db, "-q"})))
    for _, args in ipairs({{"info", "--db", db, "--docs"}, {"query", "--db", db, '"Huawei"'},
                           {"query", "--db", db, '"Huawei"', "--format", "tsv"},
                           {"search", "--db", db, "Huawei"}}) do
      local rc, out = H.cli(args)
      assert.equal(0, rc)
      assert.is_nil(out:find("[\27\7\155]"), args[1] .. " printed a control character: " .. out)
      assert.is_truthy(utf8.len(out), args[1] .. " printed invalid UTF-8")
      assert.matches("evil\\x1B]0;pwned\\x07", out, 1, true)
    end
    local rc, out = H.cli({"info", "--db", db, "--format", "json"})
    assert.equal(0, rc)
    assert.is_truthy(utf8.len(out), "invalid UTF-8 in JSON")
    local info = require("cjson").decode(out)
    assert.equal("evil\27]0;pwned\7\27[2J\u{FFFD}name", info.docs[1].name)
    assert.equal("Title \27[31mred\u{9B} \u{FFFD}", info.docs[1].meta.title)
  end)
end)

describe("the -wal of a corpus added to beside readers", function()
  after_each(H.cleanup)

  local function size(path)
    local f = io.open(path, "rb")
    if not f then return 0 end
    local n = f:seek("end")
    f:close()
    return n
  end

  it("shrinks back near the size of one add once readers let go", function()
    local db = H.tmp(".db")
    local w <close> = dossier.open(db)
    w:add_text("Start.", "start")
    local r = dossier.open(db, {readonly = true})       -- pins its snapshot: the -wal must grow
    local words = {}
    for i = 1, 40000 do words[i] = "w" .. (i * 7919 % 100003) end
    local text = table.concat(words, " ")
    for i = 1, 6 do w:add_text(text .. " " .. i, "d" .. i, nil, {tag = false}) end
    local pinned = size(db .. "-wal")
    assert(pinned > 8 * 2^20, "the -wal grew to " .. pinned)
    r:close()
    w:add_text("One more.", "last", nil, {tag = false})
    assert(size(db .. "-wal") < 4 * 2^20, "-wal still " .. size(db .. "-wal") .. " bytes")
    assert.equal(8, w:info().documents)
  end)

  it("is passed by a corpus's first add (written once, to the file); later adds use it", function()
    -- adds of less than the 4 MB that call for a checkpoint: what goes through the -wal
    -- stays there after the commit
    local db = H.tmp(".db")
    local w <close> = dossier.open(db)
    w:add_text(H.read(H.seeds .. "/2023-register-xi-putin-ai-infosec.txt"), "first", nil, {tag = false})
    assert.equal(0, size(db .. "-wal"))
    w:add_text(H.read(H.seeds .. "/2023-blog-strategic-partnership-it.txt"), "second", nil, {tag = false})
    assert(size(db .. "-wal") > 0, "the second add left nothing in the -wal")
    -- back in WAL mode after the first: a reader keeps its snapshot while a writer adds
    local r <close> = dossier.open(db, {readonly = true})
    w:add_text("Huawei built it.", "third")
    assert.equal(2, r:info().documents)
    assert.equal(3, w:info().documents)
  end)

  it("a first add that fails leaves an empty corpus that a reader and a writer open", function()
    local db = H.tmp(".db")
    do
      local w <close> = dossier.open(db)
      local ok = pcall(w.add, w, {H.seeds}, {tag = false, progress = function(i) if i == 3 then error("stop") end end})
      assert.is_false(ok)
      assert.equal(0, w:info().documents)
    end
    local r <close> = dossier.open(db, {readonly = true})
    assert.equal(0, r:info().documents)
    local w <close> = dossier.open(db)
    w:add_text("ZTE built it too.", "z")
    assert.equal(1, w:info().documents)
  end)
end)

describe("documents in parts", function()
  it("a part never cuts a token: token counts do not depend on the part size", function()
    local long = string.rep("x", 100000)
    local text = string.rep("Some words here. ", 500) .. long .. " and after it. " ..
                 string.rep("More words there. ", 500) .. string.rep("y", 50000) .. "\n"
    local whole = dossier.parse(text, {tag = false})
    local n = 0
    for _, s in ipairs(whole.sentences) do n = n + #s.tokens end
    for _, part in ipairs({4096, 16384, 65536}) do
      local m, longest = 0, 0
      for _, d in ipairs(dossier.parse_parts(text, part, {tag = false})) do
        for _, s in ipairs(d.sentences) do
          m = m + #s.tokens
          for _, t in ipairs(s.tokens) do longest = math.max(longest, #t.word) end
        end
      end
      assert.equal(n, m, "part " .. part)
      assert.equal(100000, longest, "part " .. part)
    end
  end)
end)

describe("pipes and devices", function()
  after_each(H.cleanup)

  it("are read as they come: a pipe is named stdin, /dev/zero fails at its first byte", function()
    local db, out = H.tmp(".db"), H.tmp(".out")
    local text = string.rep("Huawei built the network. ", 4000)
    local src = H.tmp(".txt")
    H.write(src, text)
    assert(os.execute(string.format("cat %s | DOSSIER_PART_BYTES=8192 bin/dossier index /dev/stdin --db %s >%s 2>&1",
                                    src, db, out)), H.read(out))
    local c <close> = dossier.open(db, {readonly = true})
    local d = c:docs()[1]
    assert.equal("stdin", d.name)
    assert.equal(4000 * 5, d.tokens)
    local ok, _, code = os.execute(string.format("timeout 20 bin/dossier index /dev/zero --db %s >%s 2>&1", db, out))
    assert.is_not_true(ok)
    assert.equal(1, code)
    assert.equal("dossier: /dev/zero: binary file (NUL byte at byte 0)\n", H.read(out))
  end)
end)

describe("JSON Lines files", function()
  after_each(function() H.cleanup(); H.cleanup_dirs() end)

  it("go in batches of records, one transaction: all stored in order, or on an error none", function()
    local dir = H.tmpdir("-jl")
    local lines = {}
    for i = 1, 60 do lines[i] = string.format('{"id": "r%d", "text": "Record %d about Huawei and ZTE."}', i, i) end
    H.write(dir .. "/a.jsonl", table.concat(lines, "\n") .. "\n")
    local c <close> = dossier.open(H.tmp(".db"))
    local seen = {}
    assert.equal(60, c:add(dir .. "/a.jsonl", {batch_bytes = 200, jobs = 2,
                                                progress = function(i, n) seen[#seen + 1] = i .. "/" .. n end}))
    assert.equal("1/60", seen[1])
    assert.equal("60/60", seen[60])
    local docs = c:docs()
    for i = 1, 60 do assert.equal("r" .. i, docs[i].name) end
    lines[61] = '{"id": "bad", "text": 5}'
    H.write(dir .. "/b.jsonl", table.concat(lines, "\n"):gsub('"r(%d+)"', '"s%1"'):gsub("Record", "Entry") .. "\n")
    local ok, err = pcall(c.add, c, dir .. "/b.jsonl", {batch_bytes = 200})
    assert.is_false(ok)
    assert.matches("b.jsonl:61: the record has no string field `text`", err, 1, true)
    assert.equal(60, c:info().documents)
  end)
end)
