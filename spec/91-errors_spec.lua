-- The binding's error paths: no Lua error unwinds through the C core while an SQLite
-- statement is live or the core is mid-update. Each call is made with the Lua state's
-- allocations failing after n = 0, 1, 2, ... (core._fail_alloc) until it succeeds; every
-- failure must be a clean "not enough memory", after which the corpus answers as before
-- and still sees another connection's writes (no read transaction left open); closed,
-- it leaves no -wal file (no statement left unfinalized). A Lua error in a progress
-- function must leave the corpus the same way.
local dossier = require "dossier"
local H = require "helpers"
local core = dossier.core

local TEXTS = {
  {"China and Russia sign a treaty on digital sovereignty. Huawei builds the networks.",
   "a", {title = "Treaty", date = "2021-05-05"}},
  {"Huawei and ZTE sell 5G equipment. China invests in Africa and Europe.",
   "b", {title = "Equipment", publisher = "ASPI"}},
  {"Xi met Putin in Moscow. They spoke about AI and information security.",
   "c", {title = "Summit"}},
}

-- Call f(...) with allocations failing after n = 0, 1, ... until it succeeds; after each
-- failure check that the error is a memory error, then call after(). Returns the
-- successful call's first result and the number of failures.
local function sweep(after, f, ...)
  for n = 0, 200000 do
    local res = table.pack(core._fail_alloc(n, f, ...))
    if res[1] and res[res.n] == 0 then return res[2], n end
    if not res[1] then
      assert.equal("not enough memory", res[2])
      after()
    end
  end
  error("never succeeded")
end

-- What a reader of the corpus sees, through the public API.
local function view(c)
  local out = {search = c:search("China", {limit = 5})}    -- first: it may index documents
  out.docs, out.info, out.kwic = c:docs(), c:info(), {}
  for i, line in ipairs(c:query('[pos="PROPN"] "and"'):kwic{width = 20}) do out.kwic[i] = tostring(line) end
  out.text = c:text("b")
  out.info.path = nil
  return out
end

-- A corpus of TEXTS at path db, searched once (so the search index is complete).
local function make(db)
  local c = dossier.open(db)
  for _, t in ipairs(TEXTS) do c:add_text(t[1], t[2], t[3]) end
  c:search("China")
  return c
end

-- c still answers as `want`, sees a document another connection adds (and removes), and
-- closes without leaving the -wal file behind.
local function still_usable(c, db, want)
  assert.same(want, view(c))
  local other = dossier.open(db)
  other:add_text("Another connection writes this.", "other")
  assert.equal(#want.docs + 1, #c:docs())
  assert.is_true(other:remove("other"))
  other:close()
  local now = view(c)               -- the file's size and segments changed, not what it holds
  assert.same({want.docs, want.kwic, want.text}, {now.docs, now.kwic, now.text})
  c:close()
  assert.is_nil(io.open(db .. "-wal", "rb"), "a -wal file is left: the corpus did not close")
end

describe("memory errors in the binding", function()
  after_each(H.cleanup)

  it("leave a corpus usable after reading calls (documents, metadata, search, queries)", function()
    local db = H.tmp(".db")
    local c = make(db)
    local h = c._h
    local want = view(c)
    local function same() assert.same(want, view(c)) end
    local docs, failed = sweep(same, h.docs, h)
    assert.same(want.docs, docs)
    assert.is_true(failed > 0)
    assert.same(want.search, (sweep(same, c.search, c, "China", {limit = 5})))
    local hits = sweep(same, h.search, h, "China OR Putin", 0)
    assert.equal(3, #hits)
    assert.same(want.info, (sweep(same, h.info, h)))
    sweep(same, h.snippet, h, 1, "China", 8)
    local ms = sweep(same, h.query, h, '[pos="PROPN"] "and"')
    assert.equal(#want.kwic, #ms)
    assert.equal(#want.kwic, #(sweep(same, h.kwic, h, ms, 20)))
    assert.equal(want.text, (sweep(same, h.text, h, 2)))
    assert.equal(0, (sweep(same, h.check, h)))
    assert.equal(2, (sweep(same, h.find, h, "b")))
    still_usable(c, db, want)
  end)

  it("leave a corpus as it was after adding documents (ingest with progress, add_text)", function()
    local db = H.tmp(".db")
    local c = make(db)
    local h = c._h
    local want = view(c)
    local seen = 0
    local docs = {
      {text = "Tencent and Alibaba open offices in Berlin.", name = "d", meta = {title = "Offices"}},
      {text = "Kaspersky and Huawei share threat data with China.", name = "e", format = "txt"},
    }
    local opts = {rules = 0, jobs = 1, progress = function(i, n, name) seen = seen + #name + i + n end}
    local function unchanged()
      h:rollback()
      assert.same(want, view(c))
      h:begin()
    end
    h:begin()
    assert.equal(2, (sweep(unchanged, h.ingest, h, docs, opts)))
    h:commit()
    assert.is_true(seen > 0)
    assert.equal(#want.docs + 2, #c:docs())
    assert.equal(3, c:query('"Huawei"'):count())
    want = view(c)
    h:begin()
    assert.is_true((sweep(unchanged, h.add_text, h, "Lenovo sells laptops in Europe.", "f",
                          {title = "Laptops", date = "2020"})) > 0)
    h:commit()
    assert.equal("Laptops", c:docs()[#want.docs + 1].meta.title)
    want = view(c)
    still_usable(c, db, want)
  end)

  it("are clean in parsing, segmenting and tagging without a corpus", function()
    local text = "Dr. Smith met Putin in Moscow. They spoke about AI.\n\nA second paragraph."
    local function check(f, ...)
      local args = table.pack(...)
      local want = f(...)
      local function same() assert.same(want, f(table.unpack(args, 1, args.n))) end
      assert.same(want, (sweep(same, f, ...)))
    end
    check(dossier.parse, text, {name = "t.txt"})
    check(dossier.parse, "<p>Xi met <b>Putin</b>.</p>", {format = "html", tag = false})
    check(dossier.parse_parts, text, 30, {tag = false})
    check(dossier.conllu, text, "d1")
    check(dossier.uax29.words, text)
    check(dossier.uax29.sentences, text)
    local tagger = dossier.tagger()
    check(tagger.tag, tagger, {"Xi", "met", "Putin", "."})
    local lines = "Menu\nHome | About\n"
    local site = {}
    for i = 1, 3 do site[i] = {text = lines .. "Story number " .. i .. ".\n"} end
    local set = sweep(function() end, dossier.site_lines, site)
    assert.equal(3, set:count("Menu"))
  end)
end)

describe("a Lua error in a progress function", function()
  after_each(H.cleanup)

  for _, jobs in ipairs({1, 2}) do
    it("leaves the corpus as it was (" .. jobs .. " jobs)", function()
      local db = H.tmp(".db")
      local c = make(db)
      local want = view(c)
      local dir = H.copies(3, "p")
      for _, at in ipairs({1, 2, 3}) do
        local ok, err = pcall(c.add, c, dir, {jobs = jobs, progress = function(i)
          if i == at then error("stopped at " .. i) end
        end})
        assert.is_false(ok)
        assert.matches("stopped at " .. at, err)
        assert.same(want, view(c))
      end
      assert.equal(3, c:add(dir, {jobs = jobs}))
      want = view(c)
      H.cleanup_dirs()
      still_usable(c, db, want)
    end)
  end
end)
