-- What a process loads: libgumbo, libcmark, libyaml and Nettle come with the first read
-- that needs them (csrc/ds_dynlib.h), not with dossier.core, so a query loads none of
-- them; the reads and adds that need them work as before. And how it ends: `dossier
-- query` without closing the Lua state (cli.lua's quick_exit), its output all written.
local H = require "helpers"

local READERS = {"libgumbo", "libcmark", "libyaml", "libnettle"}

-- Lua code run in a process of its own with the checkout's modules: what it prints, then
-- the reader libraries mapped into it at the end, sorted and joined by spaces.
local function run(code)
  local status, out, err = H.run_lua({"-e", [[
    package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
    package.cpath = "./lua/?.so;" .. package.cpath
    local dossier = require "dossier"
    ]] .. code .. [[

    local seen, libs = {}, {}
    for line in io.lines("/proc/self/maps") do
      for _, name in ipairs{]] .. '"' .. table.concat(READERS, '", "') .. '"' .. [[} do
        if line:find("/" .. name, 1, true) and not seen[name] then
          seen[name] = true
          libs[#libs + 1] = name
        end
      end
    end
    table.sort(libs)
    io.write("loaded: ", table.concat(libs, " "), "\n")]]})
  assert.equal(0, status, err)
  return out:match("^(.-)loaded: ([^\n]*)\n$")
end

describe("a process", function()
  local db
  setup(function()
    db = H.tmp(".db")
    local c = require("dossier").open(db)
    c:add(H.seeds)
    c:close()
  end)
  teardown(H.cleanup)

  it("that queries loads none of the reader libraries", function()
    local out, libs = run(string.format([[
      local c <close> = dossier.open(%q, {readonly = true})
      print(c:query('"China"'):count(), #c:query('"China" "and"'):kwic{width = 20})]], db))
    assert.truthy(out:match("^%d+\t%d+\n$"), out)
    assert.equal("", libs)
    -- the whole command, as the dynamic loader tells
    local status, count, err = H.cli({"query", "--count", "--db", db, '"China"'})
    assert.equal(0, status, err)
    assert.equal(out:match("^(%d+)") .. "\n", count)
    local f = io.popen("LD_DEBUG=files bin/dossier query --count --db " .. H.quote(db) .. " '\"China\"' 2>&1 >/dev/null")
    local trace = f:read("a")
    f:close()
    assert.truthy(trace:find("libsqlite3", 1, true), "LD_DEBUG=files says nothing here")
    for _, name in ipairs(READERS) do assert.falsy(trace:find(name, 1, true), name) end
  end)

  it("that queries ends without closing its Lua state, its output whole", function()
    -- a file (fully buffered, flushed only as the process ends) of many lines, as text,
    -- TSV and JSON, the same as a query that ends the usual way gives
    local n = tonumber((select(2, H.cli({"query", "--count", "--db", db, '"the"'}))))
    assert.truthy(n > 300, n)
    for _, fmt in ipairs{"text", "tsv", "json"} do
      local status, out, err = H.cli({"query", "--db", db, '"the"', "--format", fmt})
      assert.equal(0, status, err)
      if fmt == "tsv" then assert.equal(n + 1, select(2, out:gsub("\n", ""))) end
      if fmt == "text" then assert.equal(n, select(2, out:gsub("\n", ""))) end
      if fmt == "json" then assert.equal(n, #require("cjson").decode(out).matches) end
    end
    -- an error: the message and status as before
    local status, out, err = H.cli({"query", "--db", db, '[word="the"'})
    assert.equal(1, status)
    assert.equal("", out)
    assert.equal("dossier: missing ']' to close this '[' at position 1\n", err)
  end)

  it("loads libgumbo at its first HTML, libcmark and libyaml at its first Markdown", function()
    local out, libs = run([[
      local d = dossier.parse('<html><head><meta name="author" content="A. Writer"></head>' ..
                              '<body><nav>Menu</nav><p>China met Russia.</p></body></html>', {format = "html"})
      print(d.text, d.meta.authors)]])
    assert.equal("China met Russia.\tA. Writer\n", out)
    assert.equal("libgumbo", libs)
    out, libs = run([[
      local d = dossier.parse("---\ntitle: Partners\n---\n# Heading\n\nChina *met* Russia.\n", {format = "md"})
      print((d.text:gsub("\n", "|")), d.meta.title)]])
    assert.equal("Heading||China met Russia.\tPartners\n", out)
    assert.equal("libcmark libyaml", libs)
    -- Markdown without front matter needs no YAML
    out, libs = run([[print(dossier.parse("Plain *text*.", {format = "md"}).text)]])
    assert.equal("Plain text.\n", out)
    assert.equal("libcmark", libs)
  end)

  it("loads Nettle at its first add, which stores the document once", function()
    local copy = H.tmp(".db")
    assert(os.execute("cp " .. H.quote(db) .. " " .. H.quote(copy)))
    local out, libs = run(string.format([[
      local c <close> = dossier.open(%q)
      local before = c:query('"Tashkent"'):count()
      local id = c:add_text("Leaders met in Tashkent.", "new")
      local again = c:add_text("Leaders met in Tashkent.", "again")   -- the same bytes: skipped
      print(before, id > 0, again, c:query('"Tashkent"'):count())]], copy))
    assert.equal("0\ttrue\t0\t1\n", out)
    assert.equal("libnettle", libs)
  end)
end)
