-- Document names: files that would share a name get distinct ones; an ambiguous name is
-- not removed; concordance lines show whole names.
local dossier = require "dossier"
local H = require "helpers"

describe("document names", function()
  after_each(H.cleanup)

  local function tree()
    local dir = H.tmp("-names")
    assert(os.execute("mkdir -p " .. dir .. "/a " .. dir .. "/b " .. dir .. "/s"))
    H.write(dir .. "/a/x.txt", "Alpha cooperation text.\n")
    H.write(dir .. "/b/x.txt", "Beta cooperation text.\n")
    H.write(dir .. "/s/strategic.html", "<html><head><title>S</title></head><body><p>Strategic html.</p></body></html>")
    H.write(dir .. "/s/strategic.md", "# Strategic markdown\n\nSome text.\n")
    return dir
  end

  local function names(c)
    local out = {}
    for _, d in ipairs(c:docs()) do out[#out + 1] = d.name end
    table.sort(out)
    return out
  end

  it("gives a/x.txt and b/x.txt, strategic.html and strategic.md distinct names", function()
    local dir = tree()
    local c <close> = dossier.open(H.tmp(".db"))
    assert.equal(4, c:add({dir .. "/a/x.txt", dir .. "/b/x.txt", dir .. "/s"}))
    assert.same({"a/x", "b/x", "strategic.html", "strategic.md"}, names(c))
    assert.equal("Alpha cooperation text.", c:text("a/x"):match("^%s*(.-)%s*$"))
    assert.equal("Beta cooperation text.", c:text("b/x"):match("^%s*(.-)%s*$"))
    -- a directory's own walk keeps its relative names, which are distinct already
    local c2 <close> = dossier.open(H.tmp(".db"))
    c2:add(dir, {warn = function() end})
    assert.same({"a/x", "b/x", "s/strategic.html", "s/strategic.md"}, names(c2))
    os.execute("rm -rf " .. dir)
  end)

  it("does not give a new file the name of a document already there", function()
    local dir = tree()
    local c <close> = dossier.open(H.tmp(".db"))
    c:add(dir .. "/a/x.txt")
    c:add(dir .. "/b/x.txt")
    assert.same({"b/x", "x"}, names(c))
    os.execute("rm -rf " .. dir)
  end)

  it("refuses to remove an ambiguous name and lists the candidates", function()
    local db = H.tmp(".db")
    local c = dossier.open(db)
    local id1 = c:add_text("One text.", "dup")
    local id2 = c:add_text("Two texts.", "dup")
    local ok, err = pcall(c.remove, c, "dup")
    assert.is_false(ok)
    assert.truthy(tostring(err):find(db .. ": 2 documents are named dup: id " .. id1 .. ", id " .. id2 ..
                                     "; remove one by its id", 1, true), err)
    assert.is_true(c:remove(id2))
    assert.is_true(c:remove("dup"))
    c:close()
  end)

  it("never cuts a document name in concordance lines", function()
    local c <close> = dossier.open(H.tmp(".db"))
    local long = "a-very-long-document-name-about-cooperation-2019-part-"
    c:add_text("Huawei builds networks.", long .. "one")
    c:add_text("Huawei sells phones.", long .. "two")
    local rc, out = H.cli({"query", "--db", c.path, '"Huawei"'})
    assert.equal(0, rc)
    assert.truthy(out:find(long .. "one", 1, true), out)
    assert.truthy(out:find(long .. "two", 1, true), out)
  end)
end)
