local H = require "helpers"

describe("the rockspec", function()
  after_each(H.cleanup)

  it("installs the module and the dossier command into a LuaRocks tree", function()
    local tree, src = H.tmp(".tree"), H.tmp(".src")
    local log = H.tmp(".log")
    -- build from a copy: LuaRocks leaves its objects beside the sources
    os.execute("mkdir -p " .. src .. " && cp -r csrc lua bin corpus rockspec " .. src)
    local ok = os.execute("cd " .. src .. " && luarocks --lua-version=5.4 make --deps-mode=none --tree " ..
      tree .. " rockspec/dossier-scm-1.rockspec >" .. log .. " 2>&1")
    assert.is_true(ok, H.read(log))
    local env = "eval \"$(luarocks --lua-version=5.4 path --tree " .. tree .. ")\" && cd / && "
    local p = io.popen(env .. "lua5.4 -e 'print(require(\"dossier\").version)'")
    local out = p:read("a")
    p:close()
    assert.equal(require("dossier").version .. "\n", out)
    p = io.popen(env .. "echo 'Xi met Putin.' | " .. tree .. "/bin/dossier tag 2>&1")
    out = p:read("a")
    p:close()
    assert.truthy(out:find("# text = Xi met Putin.", 1, true), out)
    os.execute("rm -rf " .. tree .. " " .. src)
  end)
end)
