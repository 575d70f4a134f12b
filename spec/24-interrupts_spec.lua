-- Issue 15: Ctrl-C during a long call. The C loops (the query evaluator, sorting and
-- grouping, concordance lines, the recipes' counting, the add's workers and writer, the
-- flush of postings) look at the interrupt flag now and then and stop with the error
-- "interrupted"; an add stopped so is rolled back whole. core._interrupt_after(n) raises
-- the flag at the nth look, as if Ctrl-C came then, and core._interrupt_looks() counts
-- the looks: "stopped early" is asserted by work done, never by time. The command line
-- is tried with a real SIGINT.
local dossier = require "dossier"
local H = require "helpers"
local core = dossier.core

-- A query whose matcher tries a hundred starts before each "the": slow on any corpus.
local SLOW = '[]{1,100} "the"'

-- Occurrences of `word` in the files of dir, counted on their text (not by dossier).
local function count_in(dir, names, word)
  local n = 0
  for _, name in ipairs(names) do n = n + H.count_word(H.read(dir .. "/" .. name .. ".txt"), word) end
  return n
end

-- pcall(f), the flag rising at look n: ok, error, looks taken
local function interrupted_at(n, f)
  core._interrupt_after(n)
  local ok, err = pcall(f)
  local looks = core._interrupt_looks()
  core._interrupt_after(0)
  return ok, err, looks
end

-- Looks f takes at the flag when nothing interrupts it.
local function looks_of(f)
  core._interrupt_after(math.maxinteger)
  f()
  local looks = core._interrupt_looks()
  core._interrupt_after(0)
  return looks
end

describe("Ctrl-C during a long call", function()
  local dir, names, db, corpus
  setup(function()
    dir, names = H.copies(10, "int")
    db = H.tmp(".db")
    corpus = dossier.open(db)
    corpus:add(dir, {jobs = 1, tag = false})
  end)
  teardown(function()
    corpus:close()
    H.cleanup()
    H.cleanup_dirs()
  end)

  it("a query stops at its next look, says interrupted, and the next query answers", function()
    local full = looks_of(function() corpus:query(SLOW) end)
    local ok, err, looks = interrupted_at(10, function() return corpus:query(SLOW) end)
    assert.is_false(ok)
    assert.equal("interrupted", err)
    assert.equal(10, looks)                       -- it stopped at the look that saw the flag
    assert.is_true(full > 100 * looks, "a whole run looks " .. full .. " times")
    -- the flag is spent with the error: the next query runs whole
    assert.equal(count_in(dir, names, "Moscow"), corpus:query('"Moscow"'):count())
  end)

  it("a query with a long thread list looks inside the matcher too", function()
    -- from each start before "Moscow" up to 400 tokens of threads: a start is long work
    local q = '[]{0,400} "Moscow"'
    local ok, err = interrupted_at(3, function() return corpus:query(q) end)
    assert.is_false(ok)
    assert.equal("interrupted", err)
  end)

  it("a regular expression run over the lexicon stops too", function()
    -- every type is tested against ".*e.*"; with a word the corpus lacks after it the
    -- query matches nothing without running: only the scan of the lexicon can stop
    local q = '[word=".*e.*"] [word="zzqqx"]'
    assert.equal(0, corpus:query(q):count())
    local ok, err, looks = interrupted_at(2, function() return corpus:query(q) end)
    assert.is_false(ok)
    assert.equal("interrupted", err)
    assert.equal(2, looks)
  end)

  it("sorting, grouping, concordance lines and the recipes' counting stop too", function()
    local m = corpus:query('[]')                -- every token: thousands of matches
    local n = m:count()
    assert.equal(corpus:info().tokens, n)
    -- an interrupted sort leaves the matches as they were: in corpus order
    assert.is_false((interrupted_at(2, function() m:sort{"match[1] word"} end)))
    assert.equal(n, m:count())
    for i = 1, n, 997 do assert.same({i - 1, i - 1}, {m._ms:get(i)}) end
    local calls = {
      sort = function() m:sort{"match[1] word"} end,
      group = function() m:group{"match[1] word"} end,
      kwic = function() m:kwic{} end,
      freq = function() corpus:freq{by = "word"} end,
      ngrams = function() corpus:ngrams{n = 3} end,
      collocates = function() corpus:collocates{query = '"the"'} end,
    }
    for name, f in pairs(calls) do
      local ok, err, looks = interrupted_at(2, f)
      assert.is_false(ok, name)
      assert.equal("interrupted", err, name)
      assert.is_true(looks_of(f) > 2 * looks, name .. ": stopped early")
    end
  end)

  it("the first search's indexing stops, is rolled back, and the next search indexes all", function()
    local missing = corpus:search_missing()
    assert.equal(corpus:info().documents, missing)        -- no search yet: none indexed
    local ok, err, looks = interrupted_at(3, function() return corpus:search("Moscow") end)
    assert.is_false(ok)
    assert.equal("interrupted", err)
    assert.equal(3, looks)                                  -- a look per document
    assert.equal(missing, corpus:search_missing())
    local hits = corpus:search("Moscow", {limit = 100})
    assert.equal(0, corpus:search_missing())
    local with = 0                                          -- files that have the word
    for _, name in ipairs(names) do
      if H.count_word(H.read(dir .. "/" .. name .. ".txt"), "Moscow") > 0 then with = with + 1 end
    end
    assert.equal(with, #hits)
  end)

  for _, jobs in ipairs({1, 2}) do
    it("an add with " .. jobs .. " job(s) stops, rolls back whole, and the corpus checks ok", function()
      local more, moreNames = H.copies(12, "more" .. jobs)
      local before, moscow = corpus:info(), corpus:query('"Moscow"'):count()
      local full = looks_of(function()     -- into a scratch corpus: the looks of a whole add
        local c <close> = dossier.open(H.tmp(".db"))
        c:add(more, {jobs = jobs, tag = false})
      end)
      local ok, err, looks = interrupted_at(4, function() corpus:add(more, {jobs = jobs, tag = false}) end)
      assert.is_false(ok)
      assert.equal("interrupted", err)
      assert.is_true(full > 2 * looks, "looks: " .. looks .. " of " .. full)
      local after = corpus:info()
      assert.equal(before.documents, after.documents)
      assert.equal(before.tokens, after.tokens)
      assert.is_true(corpus:check())
      -- and the same add, not interrupted, goes through
      assert.equal(12, (corpus:add(more, {jobs = jobs, tag = false})))
      assert.equal(before.documents + 12, corpus:info().documents)
      assert.equal(moscow + count_in(more, moreNames, "Moscow"), corpus:query('"Moscow"'):count())
    end)
  end

  it("a check stops and says interrupted; the next one runs whole", function()
    local ok, err, looks = interrupted_at(2, function() return corpus:check() end)
    assert.is_false(ok)
    assert.equal("interrupted", err)
    assert.is_true(looks_of(function() assert.is_true(corpus:check()) end) > 2 * looks)
  end)

  it("optimize stops, is rolled back, and the corpus answers as before", function()
    corpus:add_text("Officials in Moscow signed it.", "one-more", nil, {tag = false})   -- a segment more
    local before, moscow = corpus:info(), corpus:query('"Moscow"'):count()
    assert.is_true(before.segments > 1)
    local ok, err, looks = interrupted_at(2, function() corpus:optimize() end)
    assert.is_false(ok)
    assert.equal("interrupted", err)
    assert.is_true(looks_of(function()                      -- on a copy of the corpus: whole
      local copy = H.tmp(".db")
      assert(os.execute("cp " .. db .. " " .. copy .. " && (! [ -e " .. db .. "-wal ] || cp " .. db ..
                        "-wal " .. copy .. "-wal)"))                -- what is committed is in the WAL too
      local c <close> = dossier.open(copy)
      c:optimize()
    end) > 2 * looks)
    assert.equal(before.segments, corpus:info().segments)
    assert.is_true(corpus:check())
    assert.equal(moscow, corpus:query('"Moscow"'):count())
    corpus:optimize()
    assert.equal(1, corpus:info().segments)
    assert.equal(moscow, corpus:query('"Moscow"'):count())
  end)
end)

describe("Ctrl-C on the command line", function()
  after_each(function() H.cleanup(); H.cleanup_dirs() end)

  -- Run bin/dossier ARGS; once it has used `cpu` seconds of processor time (past its
  -- start, in the long call) send it SIGINT, as a terminal's Ctrl-C does, and wait for
  -- it (at most `guard` seconds, then it is killed). Returns its exit status, standard
  -- error, and the processor seconds it used after the SIGINT.
  local function sigint(args, cpu, guard)
    local err, out, pidf = H.tmp(".err"), H.tmp(".out"), H.tmp(".pid")
    local quoted = {}
    for i, a in ipairs(args) do quoted[i] = H.quote(a) end
    local tck = tonumber(io.popen("getconf CLK_TCK"):read("l")) or 100
    local inner = "bin/dossier " .. table.concat(quoted, " ") .. " >/dev/null 2>" .. err ..
                  " & echo $! >" .. pidf .. "; wait $!; echo $?; times"
    local script = table.concat({
      "sh -c " .. H.quote(inner) .. " >" .. out .. " & outer=$!",
      "while [ ! -s " .. pidf .. " ]; do sleep 0.02; done; pid=$(cat " .. pidf .. ")",
      "at=0; while t=$(awk '{print $14 + $15}' /proc/$pid/stat 2>/dev/null); do at=$t",
      "  [ \"$t\" -ge " .. math.ceil(cpu * tck) .. " ] && break; sleep 0.02; done",
      "kill -INT $pid 2>/dev/null",
      "n=0; while [ -e /proc/$pid ] && [ $n -lt " .. guard * 20 .. " ]; do sleep 0.05; n=$((n+1)); done",
      "[ -e /proc/$pid ] && kill -KILL $pid",
      "wait $outer; echo $at; cat " .. out}, "\n")
    local p = io.popen(script)
    local at, status = tonumber(p:read("l")), tonumber(p:read("l"))
    p:read("l")                                   -- the shell's own times
    local um, us, sm, ss = p:read("l"):match("(%d+)m([%d.]+)s (%d+)m([%d.]+)s")
    p:close()
    local used = tonumber(um) * 60 + tonumber(us) + tonumber(sm) * 60 + tonumber(ss)
    return status, H.read(err), used - at / tck
  end

  it("once a command's work is done, a Ctrl-C changes nothing as the process closes", function()
    -- the command line catches Ctrl-C, then, its work done, ignores it: the module whose
    -- handler would answer is unloaded as the state closes (a late SIGINT crashed there).
    -- Each script sends SIGINT to itself ($PPID of os.execute's shell).
    local function run(body)
      local path = H.tmp(".lua")
      H.write(path, "package.cpath = 'lua/?.so;' .. package.cpath\n" ..
                    "local core = require 'dossier.core'\ncore.catch_interrupts(true, 'once')\n" .. body)
      local p = io.popen("lua5.4 " .. path .. " 2>&1; echo status $?")
      local out = p:read("a")
      p:close()
      return out
    end
    -- (os.execute's shell starts the kill in the background and returns: system() itself
    -- ignores SIGINT while it waits; the loop runs until the signal has come)
    local wait = "os.execute('(sleep 0.1; kill -INT $PPID) &')\n" ..
                 "local t = os.time() + 3\nwhile os.time() < t do end\n"
    assert.equal("still here\nstatus 0\n", run("core.catch_interrupts(false, 'ignore')\n" .. wait ..
      "print('still here')\nos.exit(0, true)\n"))
    -- caught, the same SIGINT stops the Lua code with "interrupted"
    assert.matches("^[^\n]*interrupted\nstatus 0\n$", run("print(select(2, pcall(function()\n" .. wait ..
      "end)))\n"))
  end)

  it("dossier query stops at once with status 130 and says interrupted", function()
    local dir = H.copies(5, "cli")
    local db = H.tmp(".db")
    assert.equal(0, (H.cli({"index", dir, "--db", db, "-q", "--no-tag"})))
    -- every start in a document, threads to its end: seconds of work on 10,000 tokens
    local q = '[]* "the" []* "the" [word="\\.|;"] within doc'
    local c = dossier.open(db, {readonly = true})
    local t = os.clock()
    assert.equal(0, c:query(q):count())         -- "the" is never followed by "." or ";"
    local whole = os.clock() - t
    c:close()
    local status, err, after = sigint({"query", "--count", q, "--db", db}, whole / 4, 60)
    assert.equal(130, status, err)
    assert.equal("dossier: interrupted\n", err)
    -- by work done: the rest of the query (three quarters) was not run
    assert.is_true(after < whole / 4, string.format("%.2f s of processor time after SIGINT, of %.2f s", after, whole))
  end)

  it("in the REPL, in a terminal: Ctrl-C stops a query in the core and the session goes on", function()
    if not os.execute("command -v python3 >/dev/null 2>&1") then
      return pending("skipped: the terminal test needs python3 (its pty module drives the REPL)")
    end
    if not os.execute("python3 -c 'import os; os.openpty()' >/dev/null 2>&1") then
      return pending("skipped: no pseudo-terminal can be opened here (a chroot without /dev/pts?)")
    end
    local dir = H.copies(5, "repl")
    local db, home = H.tmp(".db"), H.tmpdir("-home")
    assert.equal(0, (H.cli({"index", dir, "--db", db, "-q", "--no-tag"})))
    local q = '[]* "the" []* "the" [word="\\.|;"] within doc'
    local c = dossier.open(db, {readonly = true})
    local t = os.clock()
    assert.equal(0, c:query(q):count())
    local whole = os.clock() - t
    c:close()
    local line = "n = corpus:query('" .. q:gsub("\\", "\\\\") .. "'):count()"
    local p = io.popen(string.format("python3 spec/repl_pty.py %s %s %s %.3f", home, db, H.quote(line), whole / 4))
    local steps = require("cjson").decode(p:read("a"))
    p:close()
    assert.truthy(steps.interrupt:find("interrupted", 1, true), steps.interrupt)
    assert.truthy(steps.interrupt:find("dossier> ", 1, true), steps.interrupt)
    assert.is_true(steps.cpu_after < whole / 4,
                   string.format("%.2f s of processor time after Ctrl-C, of %.2f s", steps.cpu_after, whole))
    assert.truthy(steps.after:find("nil", 1, true), steps.after)   -- n was never set
  end)

  it("dossier index is rolled back whole: status 130, the corpus as it was and checked ok", function()
    local first, more = H.copies(3, "one"), H.copies(40, "two")
    local db = H.tmp(".db")
    assert.equal(0, (H.cli({"index", first, "--db", db, "-q"})))
    local status, err = sigint({"index", more, "--db", db, "-q", "--jobs", "2"}, 0.3, 60)
    local c <close> = dossier.open(db, {readonly = true})
    if status == 0 then                       -- a machine fast enough to finish first
      assert.equal(43, c:info().documents)
    else
      assert.equal(130, status, err)
      assert.equal("dossier: interrupted: nothing of this run was stored\n", err)
      assert.equal(3, c:info().documents)
    end
    assert.is_true(c:check())
  end)
end)
