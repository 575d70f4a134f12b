-- The layering and build contracts: the core never sees Lua, and the Makefile and the
-- rockspec build the same C sources.
local H = require "helpers"

local function core_sources()
  local out = {}
  local p = io.popen("ls csrc/ds*.c")
  for f in p:lines() do out[#out + 1] = f end
  p:close()
  table.sort(out)
  return out
end

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
end)
