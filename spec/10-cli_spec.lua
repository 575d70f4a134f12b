local H = require "helpers"
local cjson = require "cjson"

describe("the dossier command", function()
  local db
  setup(function()
    db = H.tmp(".db")
    local rc, out = H.cli({"index", H.seeds, "--db", db})
    assert.equal(0, rc)
    assert.truthy(out:find("added 5 documents", 1, true))
  end)
  teardown(H.cleanup)

  it("counts matches as the raw text does", function()
    local raw = {}
    for _, p in ipairs(H.seed_files()) do raw[#raw + 1] = H.read(p) end
    local rc, out = H.cli({"query", "--db", db, '"sovereignty"', "--count"})
    assert.equal(0, rc)
    assert.equal(H.count_word(table.concat(raw, "\n"), "sovereignty") .. "\n", out)
  end)

  it("prints concordances as text, TSV and JSON", function()
    local rc, out = H.cli({"query", "--db", db, '"Digital" "Silk" "Road"', "--width", "20"})
    assert.equal(0, rc)
    assert.truthy(out:find("[Digital Silk Road]", 1, true))
    rc, out = H.cli({"query", "--db", db, '"sovereignty"', "--format", "tsv", "--limit", "2"})
    assert.equal(0, rc)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.equal(3, #lines)
    assert.equal("doc\tfirst\tlast\tleft\tmatch\tright", lines[1])
    assert.equal("sovereignty", select(5, table.unpack((function()
      local f = {}; for x in (lines[2] .. "\t"):gmatch("([^\t]*)\t") do f[#f + 1] = x end; return f end)())))
    rc, out = H.cli({"query", "--db", db, '"Huawei"', "--format", "json"})
    assert.equal(0, rc)
    local j = cjson.decode(out)
    assert.equal(#j.matches, j.count)
    assert.equal("Huawei", j.matches[1].match)
  end)

  it("sorts, groups and prints every line of a large match set, 1,000 at a time", function()
    -- "China" [] "Russia": the middle token is "and" 15 times, "-" and "–" once each (grep)
    local rc, out = H.cli({"query", "--db", db, '"China" [] "Russia"', "--group", "match[1] word", "--format", "tsv"})
    assert.equal(0, rc)
    assert.equal("match[1] word\tcount\nand\t15\n-\t1\n–\t1\n", out)
    rc, out = H.cli({"query", "--db", db, '"China" [] "Russia"', "--sort", "match[1] word desc", "--format", "tsv"})
    assert.equal(0, rc)
    assert.truthy(out:match("^doc\tfirst\tlast\tleft\tmatch\tright\n[^\n]*\tChina–Russia\t"), out)   -- bytes: "–" > "and" > "-"
    local _, n = H.cli({"query", "--db", db, "[]", "--count"})
    rc, out = H.cli({"query", "--db", db, "[]", "--format", "tsv", "--width", "0"})
    assert.equal(0, rc)
    local lines = 0
    for _ in out:gmatch("\n") do lines = lines + 1 end
    assert.equal(tonumber(n) + 1, lines)           -- the header and one line per token
    local err
    rc, _, err = H.cli({"query", "--db", db, "sovereignty", "--count"})
    assert.equal(1, rc)
    assert.truthy(err:find("a bare word 'sovereignty' is not a query", 1, true))
  end)

  it("describes the corpus as text and JSON", function()
    local rc, out = H.cli({"info", "--db", db, "--format", "json"})
    assert.equal(0, rc)
    local j = cjson.decode(out)
    assert.equal(5, j.documents)
    assert.is_true(j.tokens > 10000)
    assert.is_true(j.bytes > 0)
    assert.is_true(j.types.word > 0 and j.types.norm > 0)
    assert.equal(5, #j.docs)
    rc, out = H.cli({"info", "--db", db})           -- a summary by default
    assert.equal(0, rc)
    assert.falsy(out:find("2015-carnegie-digital-bromance", 1, true))
    assert.truthy(out:find("dates      2015-12-07 to ", 1, true), out)
    assert.truthy(out:find("5 documents: dossier info --db " .. db .. " --docs lists them", 1, true), out)
    rc, out = H.cli({"info", "--db", db, "--docs"})
    assert.equal(0, rc)
    assert.truthy(out:find("2015-carnegie-digital-bromance", 1, true))
    assert.truthy(out:find("2015-12-07", 1, true))
  end)

  it("tags text as CoNLL-U and JSON, from files and stdin", function()
    local rc, out = H.cli({"tag"}, "Russia's 5G plans grew. Then they stopped.")
    assert.equal(0, rc)
    assert.truthy(out:find("# newdoc id = stdin\n", 1, true))
    assert.truthy(out:find("# sent_id = stdin-2\n# text = Then they stopped.\n", 1, true))
    assert.truthy(out:find("1\tRussia\tRussia\tPROPN\tNNP\t_\t_\t_\t_\tSpaceAfter=No\n2\t's\t's\tPART\tPOS\t", 1, true), out)
    rc, out = H.cli({"tag", "--no-tag"}, "Russia's plans.")
    assert.truthy(out:find("1\tRussia\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n", 1, true), out)
    rc, out = H.cli({"tag", "--format", "json", H.seed_files()[4]})
    assert.equal(0, rc)
    local j = cjson.decode(out)
    assert.equal("2023-blog-strategic-partnership-it", j.id)
    assert.is_true(#j.sentences > 5)
  end)

  it("reports errors on stderr with a non-zero status, leaving the corpus as it was", function()
    local _, before = H.cli({"info", "--db", db, "--format", "json"})
    local bad = H.tmp(".txt")
    H.write(bad, "fine\n\xff")
    local rc, out, err = H.cli({"index", bad, "--db", db})
    assert.equal(1, rc)
    assert.equal("", out)
    assert.equal("dossier: " .. bad .. ": invalid UTF-8 at byte 5 (line 2, column 1)\n", err)
    rc, _, err = H.cli({"index", "missing.txt", "--db", db})
    assert.equal(1, rc)
    assert.equal("dossier: missing.txt: no such file or directory\n", err)
    local _, after = H.cli({"info", "--db", db, "--format", "json"})
    assert.same(cjson.decode(before), cjson.decode(after))
    rc, _, err = H.cli({"query", "--db", db, '"open'})
    assert.equal(1, rc)
    assert.equal("dossier: unterminated string at position 1\n", err)
    rc, _, err = H.cli({"info", "--db", H.tmp(".db")})
    assert.equal(1, rc)
    assert.truthy(err:find("no such corpus file", 1, true))
    rc, _, err = H.cli({"frobnicate"})
    assert.equal(1, rc)
    assert.truthy(err:find("unknown command 'frobnicate'", 1, true))
  end)

  it("has --help on every command", function()
    for _, cmd in ipairs({"index", "info", "query", "tag", "repl", "run"}) do
      local rc, out = H.cli({cmd, "--help"})
      assert.equal(0, rc, cmd)
      assert.truthy(out:find("Usage: dossier " .. cmd, 1, true), cmd)
    end
  end)

  it("runs scripts with dossier on the path and arg set", function()
    local script = H.tmp(".lua")
    H.write(script, [[
      local dossier = require "dossier"
      local c <close> = dossier.open(arg[1], {readonly = true})
      print(arg[0] == ... and "" or "", select("#", ...), c:query(arg[2]):count())
    ]])
    local rc, out = H.cli({"run", script, db, '"Huawei"'})
    assert.equal(0, rc)
    local _, n = H.cli({"query", "--db", db, '"Huawei"', "--count"})
    assert.equal("\t2\t" .. n, out)
  end)

  it("evaluates Lua in the REPL with the corpus loaded", function()
    local rc, out = H.cli({"repl", "--db", db}, [[corpus:query('"Huawei"'):count()
x = 1 +
 41
x
]])
    assert.equal(0, rc)
    local _, n = H.cli({"query", "--db", db, '"Huawei"', "--count"})
    assert.equal(n .. "42\n", out)
  end)
end)
