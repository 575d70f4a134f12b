-- The layering and build contracts: the core never sees Lua, and the Makefile and the
-- rockspec build the same C sources.
local H = require "helpers"

local function sources(pattern)
  local out = {}
  local p = io.popen("ls " .. pattern)
  for f in p:lines() do out[#out + 1] = f end
  p:close()
  table.sort(out)
  return out
end

local function core_sources() return sources("csrc/ds*.c csrc/cql*.c") end

describe("the source tree", function()
  it("keeps lua.h out of the C core", function()
    for _, f in ipairs(core_sources()) do
      assert.falsy(H.read(f):find("#include%s*[<\"]lua"), f)
    end
  end)

  it("builds every core source in the Makefile and the rockspec", function()
    local makefile = H.read("Makefile"):gsub("\\\n", " ")
    local objs = makefile:match("\nCORE_O%s*=%s*([^\n]*)")
    local rock = H.read("rockspec/dossier-scm-1.rockspec")
    for _, f in ipairs(core_sources()) do
      local base = f:match("csrc/(.*)%.c$")
      assert.truthy(objs:find("%f[%w_]" .. base .. "%.o"), f .. " is not in CORE_O")
      assert.truthy(rock:find('"' .. f .. '"', 1, true), f .. " is not in the rockspec")
    end
  end)

  it("keeps the binding in lds_*.c, with lds.h its own", function()
    local makefile = H.read("Makefile"):gsub("\\\n", " ")
    local objs = makefile:match("\nBIND_O%s*=%s*([^\n]*)")
    local rock = H.read("rockspec/dossier-scm-1.rockspec")
    local binding = sources("csrc/lds_*.c")
    assert.truthy(#binding > 1)
    for _, f in ipairs(binding) do
      local base = f:match("csrc/(.*)%.c$")
      assert.truthy(objs:find("%f[%w_]" .. base .. "%.o"), f .. " is not in BIND_O")
      assert.truthy(rock:find('"' .. f .. '"', 1, true), f .. " is not in the rockspec")
    end
    for _, f in ipairs(sources("csrc/*.c csrc/*.h csrc/test/*.c csrc/fuzz/*.c")) do
      local own = f:match("^csrc/lds[_.]") ~= nil
      assert.equal(own, H.read(f):find('#include%s*"lds%.h"') ~= nil or f == "csrc/lds.h",
                   f .. (own and " does not include lds.h" or " includes lds.h"))
      if f ~= "csrc/lds_core.c" then     -- one way to register a type: lds_register
        assert.falsy(H.read(f):find("luaL_newmetatable", 1, true), f .. " registers a type itself")
      end
      if not f:match("^csrc/l[^/]*$") then
        assert.falsy(H.read(f):find("#include%s*[<\"]lua"), f .. " includes lua.h")
      end
    end
  end)
end)
