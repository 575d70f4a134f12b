-- The store at scale: parallel indexing, segments under a memory budget, removing and
-- merging, the text rebuilt from the tokens, a reader beside a writer.
local dossier = require "dossier"
local H = require "helpers"

local queries = {'"China"', '"Russia"', '"digital"%c', '"Sino-Russian"', '[pos="NOUN"] "cooperation"',
                 '[lemma="be"]', '"the"%c [norm!="digital"]'}

-- Everything a user can see of a corpus: documents, counts, concordances.
local function view(c)
  local v = {info = c:info(), docs = {}, counts = {}, kwic = {}}
  v.info.path, v.info.bytes, v.info.segments = nil, nil, nil
  for _, d in ipairs(c:docs()) do v.docs[#v.docs + 1] = {d.name, d.tokens, d.sentences, d.meta} end
  for _, q in ipairs(queries) do
    local m = c:query(q)
    v.counts[q] = m:count()
    for _, line in ipairs(m:kwic{width = 30, limit = 20}) do v.kwic[#v.kwic + 1] = tostring(line) end
  end
  return v
end

-- A directory of n documents: the seed files, each copy with a line of its own.
local function copies(n)
  local dir = H.tmp("-docs")
  os.execute("mkdir -p " .. dir)
  local seeds = H.seed_files()
  for i = 1, n do
    local text = H.read(seeds[(i - 1) % #seeds + 1])
    H.write(string.format("%s/%04d.txt", dir, i), text .. "\n\nCopy number " .. i .. ".\n")
  end
  return dir
end

describe("indexing", function()
  after_each(H.cleanup)

  it("gives the same corpus with one job, several jobs and a small memory budget", function()
    local base
    for _, opts in ipairs({{jobs = 1}, {jobs = 2}, {jobs = 3}, {jobs = 2, memory = 20000}}) do
      local c <close> = dossier.open(H.tmp(".db"))
      assert.equal(5, c:add(H.seeds, opts))
      assert.is_true(c:check())
      local v = view(c)
      if not base then base = v else assert.same(base, v) end
      if opts.memory then assert.is_true(c:info().segments > 1) end
    end
    assert.is_true(base.counts['"China"'] > 50)
  end)

  it("keeps the clean text exactly, rebuilt from the tokens", function()
    local c <close> = dossier.open(H.tmp(".db"))
    c:add(H.seeds)
    for _, path in ipairs(H.seed_files()) do
      local name = path:match("([^/]+)%.txt$")
      assert.equal(dossier.parse(H.read(path), {tag = false}).text, c:text(name))
    end
    assert.is_nil(c:text("no such document"))
  end)

  it("stops on the first bad document, whatever the jobs, and stores nothing", function()
    local dir = copies(12)
    H.write(dir .. "/0007.txt", "fine so far \xC3\x28 and then not")
    for _, jobs in ipairs({1, 2}) do
      local c <close> = dossier.open(H.tmp(".db"))
      c:add(H.seed_files()[1])
      local before = c:info()
      assert.has_error(function() c:add(dir, {jobs = jobs}) end,
        dir .. "/0007.txt: invalid UTF-8 at byte 12 (line 1, column 13)")
      assert.same(before, c:info())
      assert.is_true(c:check())
    end
  end)

  it("reports progress in document order, and an error in it stops the add", function()
    local c <close> = dossier.open(H.tmp(".db"))
    local seen = {}
    c:add(H.seeds, {jobs = 2, progress = function(i, n, path) seen[#seen + 1] = i .. "/" .. n .. " " .. path end})
    assert.same({"1/5 " .. H.seed_files()[1], "2/5 " .. H.seed_files()[2], "3/5 " .. H.seed_files()[3],
                 "4/5 " .. H.seed_files()[4], "5/5 " .. H.seed_files()[5]}, seen)
    local d <close> = dossier.open(H.tmp(".db"))
    assert.has_error(function()
      d:add(H.seeds, {progress = function(i) if i == 3 then error("enough", 0) end end})
    end, "enough")
    assert.equal(0, d:info().documents)
  end)
end)

describe("removing and optimizing", function()
  after_each(H.cleanup)

  it("hides a removed document at once and frees it at optimize", function()
    local db = H.tmp(".db")
    local files = H.seed_files()
    local c <close> = dossier.open(db)
    c:add({files[1], files[2]})
    c:add({files[3]})
    c:add({files[4], files[5]})
    local without <close> = dossier.open(H.tmp(".db"))
    without:add({files[1], files[2], files[4], files[5]})
    assert.is_true(c:remove("2022-sinkkonen-lassila-digital-authoritarianism"))
    assert.is_false(c:remove("2022-sinkkonen-lassila-digital-authoritarianism"))
    assert.is_true(c:check())
    local v = view(without)
    assert.same(v, view(c))
    assert.equal(3, c:info().segments)
    c:optimize()
    assert.equal(1, c:info().segments)
    assert.same(v, view(c))
    assert.is_true(c:check())
    -- a new add after optimize goes on from there
    assert.equal(1, c:add(files[3]))
    assert.equal(5, c:info().documents)
    assert.is_true(c:check())
    -- a removed document can be added again at once, before any optimize
    assert.is_true(c:remove("2015-carnegie-digital-bromance"))
    assert.equal(1, c:add(files[1]))
    assert.equal(5, c:info().documents)
    assert.is_true(c:check())
  end)

  it("from the command line", function()
    local db = H.tmp(".db")
    assert.equal(0, (H.cli({"index", H.seeds, "--db", db, "-q", "--jobs", "2", "--memory", "64K"})))
    local rc, out = H.cli({"remove", "--db", db, "2023-blog-strategic-partnership-it"})
    assert.equal(0, rc)
    assert.equal(db .. ": removed 2023-blog-strategic-partnership-it\n", out)
    local err
    rc, out, err = H.cli({"remove", "--db", db, "nothing-of-that-name"})
    assert.equal(1, rc)
    assert.equal("dossier: " .. db .. ": no document nothing-of-that-name\n", err)
    rc, out = H.cli({"optimize", "--db", db})
    assert.equal(0, rc)
    assert.truthy(out:find("segments merged into 1", 1, true), out)
    rc, out = H.cli({"check", "--db", db})
    assert.equal(0, rc, out)
    assert.truthy(out:find("ok (4 documents", 1, true))
    rc, out, err = H.cli({"index", H.seeds, "--db", db, "--memory", "lots"})
    assert.equal(1, rc)
    assert.truthy(err:find("memory", 1, true), err)
  end)
end)

describe("a reader beside a writer", function()
  after_each(H.cleanup)

  it("sees the corpus before the add or after it, never in between", function()
    local db = H.tmp(".db")
    assert.equal(0, (H.cli({"index", H.seeds, "--db", db, "-q"})))
    local dir = copies(300)
    local flag = H.tmp(".done")
    local c0 = dossier.open(db, {readonly = true})     -- open across the whole write
    local before = c0:query('"China"'):count()
    os.execute(string.format("(bin/dossier index %s --db %s -q --jobs 2; echo $? > %s) >/dev/null 2>&1 &",
                             dir, db, flag))
    local seen, reads = {}, 0
    repeat
      local c = dossier.open(db, {readonly = true})
      local n, docs = c:query('"China"'):count(), c:info().documents
      c:close()
      seen[docs .. ":" .. n] = true
      reads = reads + 1
      local f = io.open(flag)
      local done = f and f:read("l")
      if f then f:close() end
    until done and done ~= ""
    assert.equal("0", H.read(flag):match("%d+"))
    -- a reader keeps the corpus it opened, until it closes
    assert.equal(5, c0:info().documents)
    assert.equal(5, #c0:docs())
    assert.equal(before, c0:query('"China"'):count())
    c0:close()
    local c = dossier.open(db, {readonly = true})
    local after = c:query('"China"'):count()
    assert.equal(305, c:info().documents)
    assert.is_true(c:check())
    c:close()
    for k in pairs(seen) do
      assert.is_true(k == "5:" .. before or k == "305:" .. after, k)
    end
    assert.is_true(reads >= 2, "the reader read " .. reads .. " times")
  end)
end)

describe("document search", function()
  after_each(H.cleanup)

  -- Documents in which a token query matches, as a set of names.
  local function docs_of(c, q)
    local set = {}
    for _, m in c:query(q):iter() do set[m.doc] = true end
    return set
  end

  it("ranks the documents that hold the words, with snippets, as the token index sees them", function()
    local c <close> = dossier.open(H.tmp(".db"))
    c:add(H.seeds)
    for _, case in ipairs({{"surveillance", '"surveillance"%c'}, {'"Sino-Russian"', '"Sino-Russian"%c'},
                           {"Huawei", '"huawei"%c'}}) do
      local hits = c:search(case[1], {limit = 100})
      local expect, got = docs_of(c, case[2]), {}
      for i, h in ipairs(hits) do
        got[h.doc] = true
        if i > 1 then assert.is_true(h.score <= hits[i - 1].score) end
        assert.truthy(h.snippet:find("[", 1, true), h.snippet)
      end
      assert.same(expect, got)
      assert.is_true(next(got) ~= nil, case[1])
    end
    local hits = c:search("surveillance AND censorship")
    assert.truthy(hits[1].snippet:lower():find("[surveillance]", 1, true))
    assert.has_error(function() c:search("AND AND") end, "search: AND at character 1 needs a term before it")
  end)

  it("follows adds and removes", function()
    local db = H.tmp(".db")
    local c <close> = dossier.open(db)
    c:add(H.seeds)
    local name = "2023-register-xi-putin-ai-infosec"
    local before = #c:search("infosec")
    assert.is_true(before >= 1)
    assert.is_true(c:remove(name))
    for _, h in ipairs(c:search("infosec")) do assert.not_equal(name, h.doc) end
    c:add_text("Quantum keys for infosec, said nobody.", "note")
    local found = false
    for _, h in ipairs(c:search("quantum")) do found = found or h.doc == "note" end
    assert.is_true(found)
    c:optimize()
    assert.is_true(c:check())
    local r <close> = dossier.open(db, {readonly = true})
    assert.equal("note", r:search("quantum")[1].doc)
    local rc, out = H.cli({"search", "--db", db, "quantum", "--format", "json"})
    assert.equal(0, rc)
    assert.equal("note", require("cjson").decode(out).hits[1].doc)
  end)
end)
