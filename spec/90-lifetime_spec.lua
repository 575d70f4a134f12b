local dossier = require "dossier"
local H = require "helpers"

describe("handles", function()
  after_each(H.cleanup)

  it("close once, explicitly, by <close> or by the collector", function()
    local db = H.tmp(".db")
    do
      local c <close> = dossier.open(db)
      c:add_text("Huawei and ZTE.", "a")
    end
    local c = dossier.open(db)
    c:close()
    c:close()                                  -- idempotent
    assert.has_error(function() c:query('"Huawei"') end, "attempt to use a closed corpus")
    assert.has_error(function() c:info() end, "attempt to use a closed corpus")
    assert.equal("dossier.Corpus (closed)", tostring(c))
    for _ = 1, 200 do dossier.open(db) end      -- left to the collector
    collectgarbage()
    collectgarbage()
    local again <close> = dossier.open(db, {readonly = true})
    assert.equal(1, again:info().documents)
  end)

  it("match sets outlive the variable holding their corpus", function()
    local db = H.tmp(".db")
    local c = dossier.open(db)
    c:add_text("Huawei and ZTE. Huawei again.", "a")
    local m = c:query('"Huawei"')
    c = nil
    collectgarbage()
    collectgarbage()
    assert.equal(2, m:count())
    assert.equal("Huawei", m:kwic()[2].match)
  end)

  it("match sets fail clearly once their corpus is closed", function()
    local c = dossier.open(H.tmp(".db"))
    c:add_text("Huawei and ZTE.", "a")
    local m = c:query('"Huawei"')
    c:close()
    assert.equal(1, m:count())
    assert.has_error(function() m:kwic() end, "attempt to use a closed corpus")
  end)

  it("do not grow memory over many queries", function()
    local c <close> = dossier.open(H.tmp(".db"))
    c:add(H.seeds)
    for _ = 1, 50 do c:query('"Sino-Russian"'):kwic() end
    collectgarbage()
    collectgarbage()
    local before = collectgarbage("count")
    for _ = 1, 500 do c:query('"Sino-Russian"'):kwic() end
    collectgarbage()
    collectgarbage()
    assert.near(before, collectgarbage("count"), 64)
  end)

  it("check their arguments", function()
    assert.has_error(function() dossier.open() end, "bad argument #1 to 'open' (string expected)")
    assert.has_error(function() dossier.core.open("x.db", "z") end,
      "bad argument #2 to 'open' (mode must be \"c\", \"w\" or \"r\")")
    local c <close> = dossier.open(H.tmp(".db"))
    assert.has_error(function() c:add_text("text", "name", {title = {}}) end,
      "bad argument #4 (metadata keys and values must be strings)")
  end)
end)

-- Issue 16 (1): a handle in use by a C call cannot be closed or used under it.
describe("a corpus busy adding documents", function()
  after_each(function() H.cleanup(); H.cleanup_dirs() end)

  local function three_docs()
    local dir = H.tmpdir("-busy")
    for i = 1, 3 do H.write(dir .. "/d" .. i .. ".txt", "Document " .. i .. " about Huawei.\n") end
    return dir
  end

  it("cannot be closed by a progress function, and nothing of the add is stored", function()
    local db = H.tmp(".db")
    local c = dossier.open(db)
    c:add_text("Earlier text.", "earlier")
    local ok, err = pcall(c.add, c, three_docs(), {jobs = 2, progress = function(i)
      if i == 2 then c:close() end
    end})
    assert.is_false(ok)
    assert.matches("cannot close the corpus while it is adding documents", err)
    assert.is_true(c._h:isopen())
    collectgarbage(); collectgarbage()
    assert.equal(1, c:info().documents)               -- the add left nothing behind
    c:close()
    local again <close> = dossier.open(db)
    assert.equal(1, again:info().documents)
    assert.is_true((again:check()))
  end)

  it("cannot be committed, rolled back or written through the internal handle", function()
    local db = H.tmp(".db")
    local c <close> = dossier.open(db)
    for _, f in ipairs({function(h) h:commit() end, function(h) h:rollback() end,
                        function(h) h:add_text("Sneaked in.", "sneak") end,
                        function(h) h:begin() end}) do
      local ok, err = pcall(c.add, c, three_docs(), {progress = function(i)
        if i == 2 then f(c._h) end
      end})
      assert.is_false(ok)
      assert.matches("the corpus is busy adding documents", err)
    end
    assert.equal(0, c:info().documents)
    assert.is_nil(c._h:find("sneak"))
  end)

  it("keeps what it reads alive when a progress function drops the list", function()
    local db = H.tmp(".db")
    local c <close> = dossier.open(db)
    local h = c._h
    h:begin()
    local list = {}
    for i = 1, 4 do
      list[i] = {text = string.rep("Word" .. i .. " ", 2000), name = "n" .. i, where = "w" .. i,
                 meta = {title = "title " .. i}}
    end
    local n = h:ingest(list, {jobs = 1, progress = function(i)
      if i == 1 then
        for k = 1, 4 do list[k] = nil end
        list = nil
        collectgarbage(); collectgarbage()
        for _ = 1, 100 do local _ = string.rep("x", 50000) end
      end
    end})
    h:commit()
    assert.equal(4, n)
    local docs = c:docs()
    assert.equal("n4", docs[4].name)
    assert.equal("title 4", docs[4].meta.title)
    assert.equal(2000, docs[4].tokens)
  end)
end)
