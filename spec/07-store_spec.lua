local dossier = require "dossier"
local H = require "helpers"

describe("a corpus file", function()
  after_each(H.cleanup)

  it("is created on open and holds the sample corpus with its metadata", function()
    local db = H.tmp(".db")
    local c <close> = dossier.open(db)
    assert.equal(0, c:info().documents)
    assert.equal(5, c:add(H.seeds))
    local info = c:info()
    assert.equal(5, info.documents)
    assert.equal(1, info.segments)
    assert.equal(dossier.format_version, info.format_version)
    assert.is_true(info.tokens > 10000)
    assert.is_true(info.types.word > info.types.norm)
    assert.is_true(info.bytes > 0)
    local docs = c:docs()
    local sum = 0
    for _, d in ipairs(docs) do sum = sum + d.tokens end
    assert.equal(info.tokens, sum)
    assert.equal("2015-carnegie-digital-bromance", docs[1].name)
    assert.equal("2015-12-07", docs[1].meta.date)
    assert.equal("Alexander Gabuev", docs[1].meta.authors)
    assert.equal("Digital Bromance: The Sino-Russian Partnership Racing Ahead", docs[1].meta.title)
  end)

  it("does not add the same file twice", function()
    local db = H.tmp(".db")
    local c <close> = dossier.open(db)
    assert.equal(5, c:add(H.seeds))
    local before = c:info()
    assert.equal(0, c:add(H.seeds))
    assert.equal(0, c:add(H.seed_files()[2]))
    local after = c:info()
    assert.equal(before.tokens, after.tokens)
    assert.equal(before.segments, after.segments)
  end)

  it("keeps ids and counts right across segments", function()
    local db = H.tmp(".db")
    local files = H.seed_files()
    local c <close> = dossier.open(db)
    c:add({files[1], files[2]})
    c:add({files[3]})
    c:add({files[4], files[5]})
    assert.equal(3, c:info().segments)
    local one <close> = dossier.open(H.tmp(".db"))
    one:add(H.seeds)
    for _, q in ipairs({'"China"', '"Russia"', '"digital"%c', '"Sino-Russian"', "[] \"cooperation\""}) do
      assert.equal(one:query(q):count(), c:query(q):count(), q)
    end
    assert.same(one:info().types, c:info().types)
  end)

  it("leaves an existing corpus untouched when a file is bad or missing", function()
    local db = H.tmp(".db")
    local bad = H.tmp(".txt")
    H.write(bad, "good start\nthen \xC3\x28 bad")
    local c <close> = dossier.open(db)
    c:add(H.seed_files()[1])
    local before = c:info()
    assert.has_error(function() c:add({H.seed_files()[2], bad}) end,
      bad .. ": invalid UTF-8 at byte 16 (line 2, column 6)")
    assert.has_error(function() c:add("no/such/file.txt") end,
      "no/such/file.txt: no such file or directory")
    local after = c:info()
    assert.same(before, after)
    assert.equal(0, c:query('"Sino-Russian"'):count() - dossier.open(db):query('"Sino-Russian"'):count())
  end)

  it("refuses a file that is not a dossier corpus, and leaves it as it was", function()
    local txt = H.tmp(".db")
    H.write(txt, string.rep("not a database at all\n", 20))
    assert.has_error(function() dossier.open(txt) end,
      txt .. ": not a dossier corpus (not an SQLite database)")
    assert.equal(string.rep("not a database at all\n", 20), H.read(txt))
  end)

  it("refuses a missing corpus when asked not to create one", function()
    local db = H.tmp(".db")
    assert.has_error(function() dossier.open(db, {create = false}) end, db .. ": no such corpus file")
    assert.is_nil(io.open(db))
  end)

  it("adds text given as a string", function()
    local c <close> = dossier.open(H.tmp(".db"))
    assert.is_true(c:add_text("Huawei builds 5G networks in Russia.", "note", {source = "me"}) > 0)
    assert.equal(0, c:add_text("Huawei builds 5G networks in Russia.", "again"))
    assert.equal(1, c:query('"5G" "networks"'):count())
    assert.equal("me", c:docs()[1].meta.source)
  end)
end)

describe("dossier check", function()
  after_each(H.cleanup)

  it("passes a sound corpus and lists the damage of a broken one", function()
    local db = H.tmp(".db")
    local c = dossier.open(db)
    c:add(H.seeds)
    assert.is_true(c:check())
    c:close()
    -- damage it behind dossier's back, as a disk or another program might
    local ok = os.execute("sqlite3 " .. db .. " \"UPDATE lexicon SET freq = freq + 1 WHERE attr = 0 AND id = 5;" ..
                          " UPDATE tokens SET types = X'00' WHERE doc = 2;\"")
    assert.is_true(ok)
    c = dossier.open(db, {readonly = true})
    local good, report = c:check()
    assert.is_false(good)
    assert.truthy(report:find("token stream of 2019-aspi-sino-russian-high-tech-partnership missing or of the wrong size", 1, true))
    assert.truthy(report:find("frequency %d+ but %d+ postings"))
    -- a query that needs the broken stream fails clearly instead of crashing
    assert.has_error(function() c:query('[norm="a"] "Sino"'):count() end,
      db .. ": token stream of 2019-aspi-sino-russian-high-tech-partnership missing or of the wrong size")
    c:close()
  end)
end)
