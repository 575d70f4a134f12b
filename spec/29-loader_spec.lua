-- dossier.loader (lua/dossier/loader.lua): Lua modules compiled once and loaded from
-- their bytecode after, keyed by a hash of the source as it is (core.hash64), checked before use.
local H = require "helpers"
local loader = require "dossier.loader"
local core = require "dossier.core"

-- A module directory of its own on package.path, and a cache directory.
local function setup_dirs()
  local base = H.tmp("")
  local mods, cache = base .. "-mods", base .. "-cache"
  assert(os.execute("mkdir -p " .. mods))
  return mods, cache
end

local function ls(dir)
  local out = {}
  local p = io.popen("ls " .. dir .. " 2>/dev/null")
  for line in p:lines() do out[#out + 1] = line end
  p:close()
  return out
end

-- Load module `name` through a searcher over `dir` with `mods` first on package.path.
local function load_with(dir, mods, name)
  local saved = package.path
  package.path = mods .. "/?.lua;" .. saved
  local ok, fn, file = pcall(loader.searcher(dir), name)
  package.path = saved
  assert(ok, fn)
  if type(fn) ~= "function" then return nil end
  return fn(name, file), file
end

describe("the bytecode loader", function()
  after_each(H.cleanup)

  it("compiles a module once, then loads its bytecode; a changed source is compiled again", function()
    local mods, cache = setup_dirs()
    H.write(mods .. "/ldr_a.lua", "return {answer = 6 * 7}")
    local m, file = load_with(cache, mods, "ldr_a")
    assert.equal(42, m.answer)
    assert.equal(mods .. "/ldr_a.lua", file)
    local files = ls(cache)
    assert.same({core.hash64(mods .. "/ldr_a.lua") .. ".luac"}, files)
    -- the cached file is what is loaded: one written by hand for this very source (its
    -- hash and its bytecode's) is taken as it is
    local src = "return {answer = 6 * 7}"
    local code = string.dump(load("return {answer = 'from the cache'}"))
    H.write(cache .. "/" .. files[1], "dossier-luac 2\n" .. core.hash64(src) .. "\n" .. core.hash64(code) .. "\n" .. code)
    assert.equal("from the cache", (load_with(cache, mods, "ldr_a")).answer)
    -- the source changed: compiled again, and the cache rewritten for it
    H.write(mods .. "/ldr_a.lua", "return {answer = 43}")
    assert.equal(43, (load_with(cache, mods, "ldr_a")).answer)
    assert.truthy(H.read(cache .. "/" .. files[1]):find(core.hash64("return {answer = 43}"), 1, true))
    assert.equal(43, (load_with(cache, mods, "ldr_a")).answer)
  end)

  it("compiles the source when the cached bytecode is damaged, and writes it anew", function()
    local mods, cache = setup_dirs()
    local src = "return 'sound'"
    H.write(mods .. "/ldr_b.lua", src)
    load_with(cache, mods, "ldr_b")
    local path = cache .. "/" .. ls(cache)[1]
    local whole = H.read(path)
    -- bytecode cut short, then a byte changed: the bytecode's hash no longer checks out
    H.write(path, whole:sub(1, #whole - 10))
    assert.equal("sound", (load_with(cache, mods, "ldr_b")))
    assert.equal(whole, H.read(path))
    H.write(path, whole:sub(1, -2) .. string.char((whole:byte(-1) + 1) % 256))
    assert.equal("sound", (load_with(cache, mods, "ldr_b")))
    assert.equal(whole, H.read(path))
    -- not a cache file at all
    H.write(path, "garbage")
    assert.equal("sound", (load_with(cache, mods, "ldr_b")))
  end)

  it("keeps file and line in errors; leaves modules it cannot compile or find to Lua", function()
    local mods, cache = setup_dirs()
    H.write(mods .. "/ldr_c.lua", "local x = 1\nerror('boom')\n")
    for _ = 1, 2 do                              -- compiled, then from the cache
      local ok, err = pcall(load_with, cache, mods, "ldr_c")
      assert.is_false(ok)
      assert.truthy(err:find("ldr_c.lua:2: boom", 1, true), err)
    end
    H.write(mods .. "/ldr_d.lua", "return {")
    assert.is_nil(load_with(cache, mods, "ldr_d"))            -- Lua's own searcher says why
    assert.is_nil(load_with(cache, mods, "ldr_no_such_module"))
    assert.equal(1, #ls(cache))
  end)

  it("loads modules when the cache cannot be written", function()
    local mods, cache = setup_dirs()
    H.write(cache, "a file where the directory would be")
    H.write(mods .. "/ldr_e.lua", "return 'still here'")
    assert.equal("still here", (load_with(cache, mods, "ldr_e")))
    assert.equal("still here", (load_with(cache .. "/sub", mods, "ldr_e")))
  end)

  it("serves the command line from DOSSIER_CACHE, and not at all when it is off", function()
    local _, cache = setup_dirs()
    local db = H.tmp(".db")
    local c = require("dossier").open(db)
    c:add_text("China and Russia signed it. China agreed.", "a")
    c:close()
    local function count_sample(env)
      local out = H.tmp(".out")
      local ok = os.execute(env .. " bin/dossier query --count --db " .. H.quote(db) ..
                            " '\"China\"' >" .. out .. " 2>&1")
      assert.is_true(ok, H.read(out))
      return H.read(out)
    end
    local first = count_sample("DOSSIER_CACHE=" .. cache)
    assert.equal("2\n", first)
    assert.is_true(#ls(cache) >= 3)              -- dossier.cli, dossier, argparse at least
    assert.equal(first, count_sample("DOSSIER_CACHE=" .. cache))
    local off = cache .. "-off"
    assert.equal(first, count_sample("DOSSIER_CACHE=off HOME=" .. off))
    assert.same({}, ls(off))
  end)
end)
