-- bench/extract_eval.lua, the scorer of `dossier extract` against the gold of
-- spec/data/extract-gold (issue 17), on a tiny gold and output whose figures are worked
-- out by hand below. No C: the scorer is plain Lua.
package.path = "./bench/?.lua;" .. package.path
local E = require "extract_eval"

local H = {"doc\tstart\tend\ttext\ttype\tvalue"}
local function tsv(rows) return table.concat(H, "\n") .. "\n" .. table.concat(rows, "\n") .. "\n" end

-- gold: 10 spans in two documents
local GOLD = tsv({
  "corpus/seeds/a.txt\t0\t5\tPutin\tPERSON\tVladimir Putin",
  "corpus/seeds/a.txt\t10\t15\tRussia\tGPE\tRussia",
  "corpus/seeds/a.txt\t20\t25\tHuawei\tORG\tHuawei",
  "corpus/seeds/a.txt\t30\t34\t2019\tdate\t2019",
  "corpus/seeds/a.txt\t40\t48\tMar 2021\tdate\t2021-03",
  "corpus/seeds/a.txt\t50\t54\t$442m\tmoney\t442000000 USD",
  "corpus/seeds/a.txt\t60\t63\t35.5%\tpercent\t35.5",
  "corpus/seeds/a.txt\t70\t90\t(Gavrilyuk & Builov, 2021, March 10)\tcite\tGavrilyuk; Builov | 2021 | March 10",
  "corpus/seeds/b.txt\t0\t6\tChina\tGPE\tChina",
  "corpus/seeds/b.txt\t100\t120\t'a line\\nand more'\tquote\t",
})

-- found: the documents named another way (matched by file name without extension), one of
-- another document
local FOUND = tsv({
  "x/a.txt\t0\t5\tPutin\tPERSON\tvladimir  putin",                 -- match, value (case, space)
  "x/a.txt\t10\t15\tRussia\tLOC\tRussia",                          -- wrong type: GPE miss, LOC false
  "x/a.txt\t20\t25\tHuawei\tORG\tHuawei Technologies",             -- match, another value
  "x/a.txt\t30\t34\t2019\tdate\t2019",                             -- match, value
  "x/a.txt\t40\t47\tMar 202\tdate\t2021-03",                       -- boundary: miss + false
  "x/a.txt\t50\t54\t$442m\tmoney\t442e6 usd",                      -- match, value (normalized)
  "x/a.txt\t60\t63\t35.5%\tpercent\t35.50",                        -- match, value (a number)
  "x/a.txt\t70\t90\t(G & B)\tcite\tGavrilyuk & Builov | 2021 | March 10 | ",  -- match, value
  "b\t0\t6\tChina\tGPE\tChina",                                    -- match, value (a stored corpus's name)
  "x/b.txt\t200\t210\thttp://x\turl\thttp://x",                    -- false alarm
  "x/c.txt\t0\t1\tX\tORG\tX",                                      -- not in the gold: left out
})

local function cats()
  return E.score(E.parse_tsv(GOLD, "gold"), E.parse_tsv(FOUND, "found"))
end

local function near(expected, got, what)
  if expected == nil then
    assert(got == nil, what .. ": expected undefined, got " .. tostring(got))
  else
    assert(got ~= nil and math.abs(expected - got) < 1e-9,
           string.format("%s: expected %s, got %s", what, tostring(expected), tostring(got)))
  end
end

-- {gold, found, span matches, value matches, P, R, F1, value P, value R, value F1}
local expected = {
  -- entities: gold PERSON GPE ORG GPE(b); found PERSON LOC ORG GPE(b); typed matches 3;
  -- values agree for PERSON and China (not Huawei)
  entity = {4, 4, 3, 2, 3/4, 3/4, 3/4, 2/4, 2/4, 2/4},
  -- any type: Russia matches too, with its value
  ["entity/any"] = {4, 4, 4, 3, 1, 1, 1, 3/4, 3/4, 3/4},
  PERSON = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
  GPE = {2, 1, 1, 1, 1, 1/2, 2/3, 1, 1/2, 2/3},
  LOC = {0, 1, 0, 0, 0, nil, nil, 0, nil, nil},
  ORG = {1, 1, 1, 0, 1, 1, 1, 0, 0, 0},
  TECH = {0, 0, 0, 0, nil, nil, nil, nil, nil, nil},
  date = {2, 2, 1, 1, 1/2, 1/2, 1/2, 1/2, 1/2, 1/2},
  money = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
  percent = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
  cite = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
  url = {0, 1, 0, 0, 0, nil, nil, 0, nil, nil},
  quote = {1, 0, 0, 0, nil, 0, nil, nil, 0, nil},
}

describe("bench/extract_eval.lua", function()
  it("counts and scores each kind as worked out by hand", function()
    local r = cats()
    for name, e in pairs(expected) do
      local c = r.cats[name]
      assert(c, "no category " .. name)
      assert.same({e[1], e[2], e[3], e[4]}, {c.gold, c.found, c.span, c.value}, name)
      local p, rc, f = E.prf(c.span, c.gold, c.found)
      near(e[5], p, name .. " P"); near(e[6], rc, name .. " R"); near(e[7], f, name .. " F1")
      local vp, vr, vf = E.prf(c.value, c.gold, c.found)
      near(e[8], vp, name .. " value P"); near(e[9], vr, name .. " value R")
      near(e[10], vf, name .. " value F1")
    end
    assert.equal(1, #r.ignored)
    assert.equal("x/c.txt", r.ignored[1].doc)
  end)

  it("lists the misses, false alarms and other values", function()
    local r = cats()
    local d = r.cats.date
    assert.equal(1, #d.missed); assert.equal(48, d.missed[1].stop)
    assert.equal(1, #d.false_alarms); assert.equal(47, d.false_alarms[1].stop)
    assert.equal(1, #r.cats.GPE.missed); assert.equal(10, r.cats.GPE.missed[1].start)
    assert.equal(1, #r.cats.LOC.false_alarms)
    assert.equal(1, #r.cats.ORG.wrong_value)
    assert.equal("Huawei Technologies", r.cats.ORG.wrong_value[1][2].value)
    assert.equal(1, #r.cats.quote.missed)
    assert.equal("'a line\nand more'", r.cats.quote.missed[1].text)   -- \n unescaped
    local text = E.errors(r)
    assert.truthy(text:find("== date: 1 missed, 1 false alarms, 0 with another value", 1, true))
    assert.truthy(text:find("value  a.txt 20-25 ORG [Huawei] = Huawei  (found: Huawei Technologies)", 1, true))
    assert.truthy(text:find("entity spans found with another type: 1", 1, true))
  end)

  it("matches each gold span once", function()
    local g = E.parse_tsv(tsv({"a.txt\t0\t4\tx\tdate\t2019"}), "g")
    local f = E.parse_tsv(tsv({"a.txt\t0\t4\tx\tdate\t2019", "a.txt\t0\t4\tx\tdate\t2019"}), "f")
    local c = E.score(g, f).cats.date
    assert.same({1, 2, 1, 1}, {c.gold, c.found, c.span, c.value})
    assert.equal(1, #c.false_alarms)
  end)

  it("normalizes values by kind", function()
    assert.equal("35.5", E.normalize("percent", " 35.50 "))
    assert.equal("35.5", E.normalize("percent", "35.5%"))
    assert.equal("442000000 USD", E.normalize("money", "442000000.0 usd"))
    assert.equal("Smith | 2019", E.normalize("cite", "Smith | 2019 | "))
    assert.equal("Gavrilyuk; Builov | 2021 | March 10",
                 E.normalize("cite", "Gavrilyuk and Builov|2021|March 10"))
    assert.equal("vladimir putin", E.normalize("PERSON", " Vladimir\tPutin "))
    assert.equal("2019/2021", E.normalize("date", "2019/2021"))
  end)

  it("fails on a header without the needed columns and on bad offsets", function()
    local ok, err = pcall(E.parse_tsv, "doc\tstart\ttype\na\t1\tdate\n", "t")
    assert.is_false(ok)
    assert.equal("t:1: the header has no 'end' column", err)
    ok, err = pcall(E.parse_tsv, tsv({"a\t5\t4\tx\tdate\t"}), "t")
    assert.is_false(ok)
    assert.equal("t:2: bad start/end '5' '4'", err)
  end)

  it("prints the table from the command line", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir " .. dir))
    local g = assert(io.open(dir .. "/a.tsv", "wb")); g:write(GOLD); g:close()
    local f = assert(io.open(dir .. "/found", "wb")); f:write(FOUND); f:close()
    local p = io.popen("lua5.4 bench/extract_eval.lua --errors " .. dir .. " " .. dir .. "/found 2>&1")
    local out = p:read("a")
    p:close()
    os.execute("rm -r " .. dir)
    assert.truthy(out:find("date             2      2      1   50.0   50.0   50.0 |      1   50.0   50.0   50.0", 1, true), out)
    assert.truthy(out:find("quote            1      0      0      -    0.0      - |      0      -    0.0      -", 1, true), out)
    assert.truthy(out:find("1 found rows of documents not in the gold left out", 1, true), out)
    assert.truthy(out:find("  false  b.txt 200-210 url [http://x] = http://x", 1, true), out)
  end)

  it("scores the stored gold against itself at 100%", function()
    local gold = E.read_tsv("spec/data/extract-gold")
    assert.is_true(#gold > 500)
    local r = E.score(gold, gold)
    for _, name in ipairs(r.order) do
      local c = r.cats[name]
      assert.equal(c.gold, c.span, name)
      assert.equal(c.gold, c.value, name)
    end
  end)

  it("keeps the stored gold well formed", function()
    local types = {}
    for _, t in ipairs(E.entity_types) do types[t] = true end
    for _, k in ipairs(E.kinds) do types[k] = true end
    local last = {}
    for _, r in ipairs(E.read_tsv("spec/data/extract-gold")) do
      assert.truthy(types[r.type], r.where .. ":" .. r.line .. ": type " .. r.type)
      assert.truthy(r.doc:match("^corpus/seeds/[%w%-]+%.txt$"), r.doc)
      assert.is_true(r.stop > r.start)
      assert.equal(r.stop - r.start, #r.text, r.where .. ":" .. r.line)
      -- spans other than quotes never overlap
      if r.type ~= "quote" then
        local prev = last[r.doc]
        if prev then assert.is_true(r.start >= prev, r.where .. ":" .. r.line .. " overlaps") end
        last[r.doc] = r.stop
      end
    end
  end)
end)

describe("tools/gold_offsets.lua", function()
  local G = dofile("tools/gold_offsets.lua")
  local TEXT = "China and Russia. Putin met Xi in\nMoscow; Russia's Putin. 'A quote, Russia.'"
  local function convert(lines)
    local path = os.tmpname()
    local f = assert(io.open(path, "wb"))
    f:write("@doc d.txt\n", table.concat(lines, "\n"), "\n")
    f:close()
    local ok, doc, rows = pcall(G.convert, path, function() return TEXT end)
    os.remove(path)
    if not ok then return nil, (doc:gsub("^[^:]*:", "")) end
    return rows
  end

  it("turns texts, contexts and *all lines into byte offsets", function()
    local rows = assert(convert({
      "quote\t-\t'A quote, Russia.'",
      "GPE\tMoscow\tXi in [[Moscow]];",            -- spaces match a line break
      "PERSON\tVladimir Putin\t*Putin",
      "GPE\tRussia\tand [[Russia]].",
      "GPE\tRussia\t*Russia",                     -- the one left, and the one in the quote
    }))
    local got = {}
    for _, r in ipairs(rows) do got[#got + 1] = r.start .. "-" .. r.stop .. " " .. r.type .. " " .. r.text end
    assert.same({"10-16 GPE Russia", "18-23 PERSON Putin", "34-40 GPE Moscow",
                 "42-48 GPE Russia", "51-56 PERSON Putin", "58-76 quote 'A quote, Russia.'",
                 "68-74 GPE Russia"}, got)
    assert.equal("doc\tstart\tend\ttext\ttype\tvalue\n", G.tsv(rows):match("^[^\n]*\n"))
    assert.truthy(G.tsv(rows):find("d.txt\t34\t40\tMoscow\tGPE\tMoscow\n", 1, true))
    rows = assert(convert({"GPE\tMoscow\tin Moscow"}))
    assert.truthy(G.tsv(rows):find("d.txt\t31\t40\tin\\nMoscow\tGPE\tMoscow\n", 1, true))
  end)

  it("fails loudly on a text not found, found twice, or overlapping", function()
    local _, err = convert({"GPE\tBeijing\tBeijing"})
    assert.equal("2: not found: Beijing", err)
    _, err = convert({"GPE\tRussia\tRussia"})
    assert.equal("2: 3 occurrences (give context as left[[text]]right): Russia", err)
    _, err = convert({"PERSON\tXi\tXi in", "GPE\tMoscow\tin Moscow"})
    assert.equal("3: overlaps the span of line 2: Xi in", err)
    _, err = convert({"GPE\tRussia\tRuss"})              -- not inside a word
    assert.equal("2: not found: Russ", err)
    _, err = convert({"FOO\tx\tChina"})
    assert.equal("2: unknown type FOO", err)
  end)

  it("reproduces the stored gold from the .ann files (needs the built module)", function()
    if not pcall(require, "dossier.core") then
      pending("skipped: lua/dossier/core.so is not built (make)")
      return
    end
    local p = io.popen("ls spec/data/extract-gold/ann/*.ann")
    local n = 0
    for path in p:lines() do
      local doc, rows = G.convert(path)
      local name = doc:match("([^/]+)%.txt$")
      local f = assert(io.open("spec/data/extract-gold/" .. name .. ".tsv", "rb"))
      assert.equal(f:read("a"), G.tsv(rows), name)
      f:close()
      n = n + 1
    end
    p:close()
    assert.equal(5, n)
  end)
end)
