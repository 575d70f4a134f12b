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
