-- The kwic recipe and clusters (ngrams --around) on three short documents made here,
-- every expected order and count worked by hand from their text:
--   a  "The cat sat on the mat. A dog sat on a log."
--   b  "Dogs bark. The Cat slept & dreamt <of> "fish"."          (kind: story)
--   c  "the cat hid under the bed. My cat ran."
-- Tokens: words and punctuation; "<of>" is "<", "of", ">". Strings sort by their bytes
-- (upper case before lower case), so "My" < "The" < "the".
local H = require "helpers"
local dossier = require "dossier"
local cjson = require "cjson"

local TEXT = {
  a = "The cat sat on the mat. A dog sat on a log.",
  b = 'Dogs bark. The Cat slept & dreamt <of> "fish".',
  c = "the cat hid under the bed. My cat ran.",
}

local db, dbA, dbC, corpus

-- "doc:match right" of each line, for orders.
local function order(r)
  local out = {}
  for i, l in ipairs(r.rows) do out[i] = l.doc .. ":" .. l.match .. (l.right:match("^%s*(%w+)") or "") end
  return table.concat(out, " ")
end

local function make(path, names)
  local c = dossier.open(path)
  for _, n in ipairs(names) do c:add_text(TEXT[n], n, n == "b" and {kind = "story"} or {kind = "note"}) end
  return c
end

describe("kwic", function()
  setup(function()
    db, dbA, dbC = H.tmp(".db"), H.tmp(".db"), H.tmp(".db")
    corpus = make(db, {"a", "b", "c"})
    make(dbA, {"a", "b"}):close()
    make(dbC, {"c"}):close()
  end)
  teardown(function()
    corpus:close()
    H.cleanup()
  end)

  it("gives the lines of a query in corpus order, context in tokens or characters", function()
    local r = corpus:kwic{query = '"cat"%c', tokens = 1}
    assert.equal("a:catsat b:Catslept c:cathid c:catran", order(r))
    assert.same({"The ", "cat", " sat"}, {r.rows[1].left, r.rows[1].match, r.rows[1].right})
    assert.same({"My ", "cat", " ran"}, {r.rows[4].left, r.rows[4].match, r.rows[4].right})
    assert.same({"doc", "left", "match", "right", "first", "last"}, r.columns)
    -- two tokens: punctuation is a token, the text between tokens is kept as it is
    r = corpus:kwic{query = '"dreamt"', tokens = 3}
    assert.same({"Cat slept & ", "dreamt", " <of>"}, {r.rows[1].left, r.rows[1].match, r.rows[1].right})
    -- characters: five each side, cut at the document's start
    r = corpus:kwic{query = '"cat"', width = 5}
    assert.same({"The ", "cat", " sat "}, {r.rows[1].left, r.rows[1].match, r.rows[1].right})
    assert.same({"the ", "cat", " hid "}, {r.rows[2].left, r.rows[2].match, r.rows[2].right})
  end)

  it("prints a match set's lines in one string made in C, as format.kwic and format.tsv print its rows", function()
    local m = corpus:query('"cat"%c')
    -- five characters each side, the left side padded to five; the names' column as
    -- wide as the widest name (one character)
    assert.equal(table.concat({
      "a   The [cat] sat ",
      "b   The [Cat] slep",
      "c   the [cat] hid ",
      "c  . My [cat] ran.",
    }, "\n"), m:kwic_text{width = 5})
    assert.equal("b   The [Cat] slep\nc   the [cat] hid ", m:kwic_text{width = 5, offset = 1, limit = 2})
    assert.equal("", m:kwic_text{offset = 4})
    -- TSV: doc, first, last (corpus positions: a has 14 tokens, b 15), left, match, right
    assert.equal("a\t1\t1\tThe \tcat\t sat \nc\t37\t37\t. My \tcat\t ran.",
                 m:kwic_text{width = 5, format = "tsv", offset = 0, limit = 1} .. "\n" ..
                 m:kwic_text{width = 5, format = "tsv", offset = 3})
    -- the same text as the Lua formatter makes of the rows, whatever the width
    local format = require "dossier.format"
    for _, w in ipairs{0, 1, 3, 12, 40} do
      assert.equal(format.kwic(m:kwic{width = w}, {width = w}), m:kwic_text{width = w})
      assert.equal(format.kwic(m:kwic{width = w}, {width = w, docw = 4}), m:kwic_text{width = w, docw = 4})
    end
    assert.has_error(function() m:kwic_text{limit = -1} end,
                     "bad argument #1 to 'kwic_text' (limit must be a non-negative integer)")
  end)

  it("shows control characters in names as \\xHH, cuts names to the column's width with …", function()
    local path = H.tmp(".db")
    local c <close> = dossier.open(path)
    c:add_text("Peace talks.", "report-2024")
    c:add_text("Peace talks!", "x\1y")      -- another text: a copy would be the same document
    local m = c:query('"talks"')
    assert.equal("report-2024  ce [talks].\nx\\x01y       ce [talks]!", m:kwic_text{width = 3})
    assert.equal("repo…  ce [talks].\nx\\x0…  ce [talks]!", m:kwic_text{width = 3, docw = 5})
    assert.equal("report-2024\t1\t1\tce \ttalks\t.\nx\\x01y\t4\t4\tce \ttalks\t!", m:kwic_text{width = 3, format = "tsv"})
    -- a C1 control as \u{HH}, DEL as \x7F, each byte of bad UTF-8 (here 0xFF and the
    -- overlong E0 80 80) as U+FFFD; a tab stays in the text, is a space in TSV
    local c2 <close> = dossier.open(H.tmp(".db"))
    c2:add_text("Peace talks?", "z\xC2\x85\x7F\xFF\xE0\x80\x80\tq")
    local bad = "z\\u{85}\\x7F" .. string.rep("\u{FFFD}", 4)
    m = c2:query('"talks"')
    assert.equal(bad .. "\tq  ce [talks]?", m:kwic_text{width = 3})
    assert.equal(bad .. " q\t1\t1\tce \ttalks\t?", m:kwic_text{width = 3, format = "tsv"})
    local format = require "dossier.format"
    assert.equal(format.kwic(m:kwic{width = 3}, {width = 3}), m:kwic_text{width = 3})
    -- ASCII goes eight bytes at a time: a control, DEL or non-ASCII byte anywhere among
    -- eight printable ones is still shown as itself
    local c3 <close> = dossier.open(H.tmp(".db"))
    c3:add_text("Joint statement on talks.", "abcdefg\x7Fhijklmnop")
    c3:add_text("A second statement on talks.", "abcdefghijklm\x1Fn")
    c3:add_text("The third statement on talks.", "abcdefghijklmno\xC3\xA9")
    m = c3:query('"statement"')
    -- names 20, 18 and 16 code points wide, padded to 20, then two spaces, then the left
    -- context padded to 10
    assert.equal(table.concat({
      "abcdefg\\x7Fhijklmnop" .. "  " .. "    Joint [statement] on talks.",
      "abcdefghijklm\\x1Fn  " .. "  " .. " A second [statement] on talks.",
      "abcdefghijklmno\u{E9}    " .. "  " .. "The third [statement] on talks.",
    }, "\n"), m:kwic_text{width = 10})
  end)

  -- kwic_text reads the stored parts of the lines' documents ahead, in batches, at row
  -- ids guessed from the last part seen; m:kwic reads each part by its key. Documents in
  -- many parts and a file whose documents were removed and added again (the guesses
  -- miss) give the same lines, in corpus order or sorted (a document comes back), from
  -- a writer or a reader.
  it("prints the same lines as m:kwic rows whatever the parts, the file's history and the order", function()
    local format = require "dossier.format"
    local path = H.tmp(".db")
    local files = H.seed_files()
    local c = dossier.open(path)
    c:add(files, {jobs = 1, part_bytes = 1500})
    assert.is_true(c:remove(2))
    c:add_text("The Kremlin said that the talks went well.", "short-1")
    c:add({files[2]}, {jobs = 1})
    c:add_text("Officials said that the cooperation would grow.", "short-2")
    local function same_lines(corpus)
      for _, q in ipairs{'"the"%c', '"said"', '"China" | "Russia"'} do
        local m = corpus:query(q)
        assert.is_true(#m > 0, q)
        for _, w in ipairs{0, 3, 40} do
          assert.equal(format.kwic(m:kwic{width = w}, {width = w}), m:kwic_text{width = w}, q)
        end
        m:sort{"matchend[1] word", "match[-1] word"}
        assert.equal(format.kwic(m:kwic{width = 40}, {width = 40}), m:kwic_text{width = 40}, q)
      end
    end
    same_lines(c)
    c:close()
    local r <close> = dossier.open(path, {readonly = true})
    same_lines(r)
  end)

  it("sorts by the words left and right, with %c, desc and several keys", function()
    -- 1R: sat slept hid ran -> hid ran sat slept
    assert.equal("c:cathid c:catran a:catsat b:Catslept", order(corpus:kwic{query = '"cat"%c', sort = "1R"}))
    assert.equal("b:Catslept a:catsat c:catran c:cathid",
                 order(corpus:kwic{query = '"cat"%c', sort = {"1R desc"}}))
    -- 1L: The The the My -> My The The the (bytes); folded: my the the the, ties in corpus order
    assert.equal("c:catran a:catsat b:Catslept c:cathid", order(corpus:kwic{query = '"cat"%c', sort = "1L"}))
    assert.equal("c:catran a:catsat b:Catslept c:cathid", order(corpus:kwic{query = '"cat"%c', sort = "1L %c"}))
    -- 2L: a and c1 have nothing there (the document starts): "" first; b and c2 have "."
    assert.equal("a:catsat c:cathid b:Catslept c:catran", order(corpus:kwic{query = '"cat"%c', sort = "2L"}))
    -- the left word folded, then the right word descending: my | the: slept sat hid
    assert.equal("c:catran b:Catslept a:catsat c:cathid",
                 order(corpus:kwic{query = '"cat"%c', sort = {"1L %c", "1R desc"}}))
    -- by another attribute: norm, the case-folded word: my the the the
    assert.equal("c:catran a:catsat b:Catslept c:cathid", order(corpus:kwic{query = '"cat"%c', sort = "1L norm"}))
  end)

  it("sorts by the match, token by token, and by its reversed strings", function()
    -- "the"%c and the token after it: The cat | the mat | The Cat | the cat | the bed
    local q = '"the"%c []'
    local function matches(r)
      local out = {}
      for i, l in ipairs(r.rows) do out[i] = l.doc .. ":" .. l.match end
      return table.concat(out, "|")
    end
    assert.equal("b:The Cat|a:The cat|c:the bed|c:the cat|a:the mat", matches(corpus:kwic{query = q, sort = "C"}))
    assert.equal("c:the bed|a:The cat|b:The Cat|c:the cat|a:the mat", matches(corpus:kwic{query = q, sort = "C %c"}))
    -- reversed: bark -> krab, hid -> dih, slept -> tpels: hid bark slept (forward: bark hid slept)
    local w = '[word="bark|hid|slept"]'
    assert.equal("b:bark|c:hid|b:slept", matches(corpus:kwic{query = w, sort = "C"}))
    assert.equal("c:hid|b:bark|b:slept", matches(corpus:kwic{query = w, sort = "C reverse"}))
  end)

  it("keeps a subcorpus, shows metadata, draws a reproducible sample", function()
    local r = corpus:kwic{query = '"cat"%c', where = 'doc.kind = "story"', meta = {"kind"}}
    assert.equal("b:Catslept", order(r))
    assert.equal("story", r.rows[1].kind)
    assert.same({"doc", "kind", "left", "match", "right", "first", "last"}, r.columns)
    local all = corpus:kwic{query = "[]"}
    local n = #all.rows
    assert.equal(14 + 15 + 11, n)       -- tokens of a, b and c (header)
    local s1 = corpus:kwic{query = "[]", sample = 5, seed = 3}
    local s2 = corpus:kwic{query = "[]", sample = 5, seed = 3}
    local s3 = corpus:kwic{query = "[]", sample = 5, seed = 4}
    assert.equal(5, #s1.rows)
    local seen, key = {}, function(l) return l.doc .. l.first end
    for i, l in ipairs(s1.rows) do
      assert.equal(key(l), key(s2.rows[i]))          -- the same seed, the same lines
      assert.is_nil(seen[key(l)]); seen[key(l)] = true  -- distinct
    end
    local same = 0
    for _, l in ipairs(s3.rows) do if seen[key(l)] then same = same + 1 end end
    assert.truthy(same < 5)                          -- another seed, another sample
    -- in corpus order unless sorted
    for i = 2, 5 do assert.truthy(s1.rows[i - 1].first < s1.rows[i].first) end
    assert.equal(n, #corpus:kwic{query = "[]", sample = 1000}.rows)
  end)

  it("merges several files as one corpus", function()
    local a <close> = dossier.open(dbA, {readonly = true, create = false})
    local c <close> = dossier.open(dbC, {readonly = true, create = false})
    local k = dossier.recipes.kwic
    assert.equal("c:cathid c:catran a:catsat b:Catslept", order(k.run({a, c}, {query = '"cat"%c', sort = "1R"})))
    assert.equal("a:catsat b:Catslept c:cathid c:catran", order(k.run({a, c}, {query = '"cat"%c'})))
    assert.equal("c:catran a:catsat b:Catslept c:cathid", order(k.run({a, c}, {query = '"cat"%c', sort = "1L %c"})))
    assert.equal(3, #k.run({a, c}, {query = '"cat"%c', sample = 3, seed = 9}).rows)
  end)

  it("prints text, TSV, JSON and HTML with the match highlighted and escaped", function()
    local r = corpus:kwic{query = '"dreamt"', tokens = 3}
    local html = r:html()
    assert.truthy(html:find("^<!DOCTYPE html>"))
    assert.truthy(html:find('<td class="left">Cat slept &amp; </td><td class="match"><mark>dreamt</mark></td>' ..
                            '<td class="right"> &lt;of&gt;</td>', 1, true))
    local q = corpus:kwic{query = '"fish"', tokens = 1}:html()
    assert.truthy(q:find("<title>kwic &quot;fish&quot;</title>", 1, true))
    assert.truthy(q:find('&quot;<mark>fish</mark></td><td class="right">&quot;</td>', 1, true) or
                  q:find('<td class="left">&quot;</td><td class="match"><mark>fish</mark></td><td class="right">&quot;</td>', 1, true))
    local t = corpus:kwic{query = '"cat"%c', tokens = 1}:text()
    local lines = {}
    for l in t:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.equal("a  The [cat] sat", lines[2])
    assert.equal("c   My [cat] ran", lines[5])
    local tsv = corpus:kwic{query = '"cat"%c', tokens = 1}:tsv()
    assert.equal("doc\tleft\tmatch\tright\tfirst\tlast", tsv:match("^[^\n]+"))
    local j = cjson.decode(corpus:kwic{query = '"cat"%c', tokens = 1}:json())
    assert.equal("Cat", j.rows[2].match)
  end)

  it("refuses what it does not understand, naming the place", function()
    assert.has_error(function() corpus:kwic{query = '"cat"', sort = "3X"} end,
      "sort key '3X': expected C, 1L..5L or 1R..5R, not '3X' at position 1")
    assert.has_error(function() corpus:kwic{query = '"cat"', sort = "1L lemma colour"} end,
      "sort key '1L lemma colour': unknown word 'colour' (an attribute word, norm, lemma, pos, xpos goes " ..
      "right after the position; then %c, reverse, desc) at position 10")
    assert.has_error(function() corpus:kwic{query = '"cat"', sort = {"1L", "2L", "3L", "4L"}} end,
      "sort: at most three keys, not 4")
    assert.has_error(function() corpus:kwic{query = '"cat"', meta = {"kind", "colour"}} end,
      "meta: no document has the key 'colour' (keys: kind, name)")
    assert.has_error(function() corpus:kwic{query = '"cat"', sample = -1} end,
      "sample: a whole number of lines, 0 or more")
  end)

  it("runs as a command", function()
    local rc, out = H.cli({"kwic", "--db", db, '"cat"%c', "--sort", "1R", "--tokens", "1", "--format", "tsv"})
    assert.equal(0, rc)
    local docs = {}
    for d in out:gmatch("\n(%a)\t") do docs[#docs + 1] = d end
    assert.equal("ccab", table.concat(docs))
    rc, out = H.cli({"kwic", "--db", dbA, "--db", dbC, '"cat"%c', "--sort", "1L %c", "--sort", "1R desc",
                     "--meta", "kind", "--format", "html"})
    assert.equal(0, rc)
    assert.truthy(out:find("<th>kind</th>", 1, true))
    local _, n = out:gsub("<mark>", "")
    assert.equal(4, n)
    local err
    rc, _, err = H.cli({"kwic", "--db", db, '"cat"', "--sort", "6L"})
    assert.equal(1, rc)
    assert.equal("dossier: sort key '6L': expected C, 1L..5L or 1R..5R, not '6L' at position 1\n", err)
  end)
end)

describe("clusters (ngrams --around)", function()
  setup(function()
    db = H.tmp(".db")
    corpus = make(db, {"a", "b", "c"})
  end)
  teardown(function()
    corpus:close()
    H.cleanup()
  end)

  local function grams(r)
    local out = {}
    for _, x in ipairs(r.rows) do out[#out + 1] = x.ngram .. "=" .. x.freq end
    table.sort(out)
    return table.concat(out, "|")
  end

  it("keeps the n-grams holding the match, at any slot or a fixed one", function()
    -- a: The cat sat on the mat . | A dog sat on a log .
    local r = corpus:ngrams{n = 3, around = '"sat"'}
    assert.equal("A dog sat=1|The cat sat=1|cat sat on=1|dog sat on=1|sat on a=1|sat on the=1", grams(r))
    assert.equal("sat on a=1|sat on the=1", grams(corpus:ngrams{n = 3, around = '"sat"', slot = 1}))
    assert.equal("cat sat on=1|dog sat on=1", grams(corpus:ngrams{n = 3, around = '"sat"', slot = 2}))
    assert.equal("A dog sat=1|The cat sat=1", grams(corpus:ngrams{n = 3, around = '"sat"', slot = -1}))
    assert.equal("A dog sat=1|The cat sat=1", grams(corpus:ngrams{n = 3, around = '"sat"', slot = 3}))
    -- by norm: "cat" three times followed by a verb, counted together
    assert.equal("cat hid=1|cat ran=1|cat sat=1|cat slept=1",
                 grams(corpus:ngrams{n = 2, by = "norm", around = '"cat"%c', slot = 1}))
    assert.equal("the cat=3", grams(corpus:ngrams{n = 2, by = "norm", around = '"cat"%c', slot = 2, min_freq = 2}))
  end)

  it("never crosses a sentence boundary and counts an n-gram once", function()
    -- c: the cat hid under the bed . | My cat ran .  ("bed . My" crosses)
    assert.equal("the bed .=1|under the bed=1", grams(corpus:ngrams{n = 3, around = '"bed"'}))
    -- two matches in one 3-gram ("cat sat on" holds "sat" and "on"): counted once
    local r = corpus:ngrams{n = 3, around = '"sat" | "on"'}
    assert.equal("A dog sat=1|The cat sat=1|cat sat on=1|dog sat on=1|on a log=1|on the mat=1|sat on a=1|sat on the=1",
                 grams(r))
    assert.truthy(r.notes[1]:find("(8 positions)", 1, true))
    -- a match longer than n has no cluster
    assert.equal("", grams(corpus:ngrams{n = 1, around = '"sat" "on"'}))
    assert.equal("sat on=2", grams(corpus:ngrams{n = 2, around = '"sat" "on"'}))
    assert.has_error(function() corpus:ngrams{n = 2, around = '"sat"', slot = 3} end,
      "slot must be a whole number from -2 to 2 (n)")
  end)

  it("counts Huawei on the sample corpus as grep does", function()
    local s <close> = dossier.open(H.tmp(".db"))
    s:add(H.seeds, {jobs = 1})
    local r = s:ngrams{n = 1, around = '"Huawei"'}
    assert.same({"Huawei", 15, 2}, {r.rows[1].ngram, r.rows[1].freq, r.rows[1].range})
    local rc, out = H.cli({"ngrams", "--db", s.path, "-n", "1", "--around", '"Huawei"', "--format", "tsv"})
    assert.equal(0, rc)
    assert.equal("ngram\tfreq\trange\nHuawei\t15\t2\n", out)
  end)
end)

describe("long results kept in C", function()
  it("orders n-grams by frequency, then by value in byte order, the top rows the same with a limit", function()
    local s <close> = dossier.open(H.tmp(".db"))
    s:add(H.seeds, {jobs = 1})
    local all = s:ngrams{n = 3}
    local rows = {}
    for i, r in ipairs(all.rows) do rows[i] = r end
    assert.equal(#all, #rows)
    for i = 2, #rows do
      local a, b = rows[i - 1], rows[i]
      assert.truthy(a.freq > b.freq or (a.freq == b.freq and a.ngram < b.ngram), a.ngram .. " | " .. b.ngram)
    end
    local top = s:ngrams{n = 3, limit = 25}
    assert.equal(25, #top)
    for i = 1, 25 do assert.same({rows[i].ngram, rows[i].freq, rows[i].range},
                                 {top.rows[i].ngram, top.rows[i].freq, top.rows[i].range}) end
    -- TSV straight from the columns: a header and one line per row
    local tsv = top:tsv()
    local n = 0
    for _ in tsv:gmatch("[^\n]+") do n = n + 1 end
    assert.equal(26, n)
    assert.equal(string.format("%s\t%d\t%d", rows[1].ngram, rows[1].freq, rows[1].range), tsv:match("\n([^\n]+)"))
  end)
end)

describe("recipes over a match set", function()
  it("count the matches of corpus:query as they count the query's text", function()
    local db = H.tmp(".db")
    local c <close> = make(db, {"a", "b", "c"})
    local m = c:query('"sat"')
    local a = c:collocates{query = m, window = "1,1"}
    local b = c:collocates{query = '"sat"', window = "1,1"}
    assert.equal(#b.rows, #a.rows)
    -- "cat sat on", "dog sat on": on 2, cat 1, dog 1
    local f = {}
    for _, r in ipairs(a.rows) do f[r.collocate] = r.f_xy end
    assert.same({on = 2, cat = 1, dog = 1}, f)
    assert.equal(2, c:dispersion{query = m}.rows[1].hits)
    assert.equal("sat on=2", (function()
      local r = c:ngrams{n = 2, around = m, slot = 1}
      return r.rows[1].ngram .. "=" .. r.rows[1].freq
    end)())
    assert.equal(2, c:freq{query = m}.rows[1].freq)
    local other <close> = make(H.tmp(".db"), {"a"})
    assert.has_error(function() other:collocates{query = m} end, "collocates: the match set is of another corpus")
  end)
end)
