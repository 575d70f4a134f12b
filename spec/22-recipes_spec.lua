-- The analysis recipes on the sample corpus (corpus/seeds, five documents) and on small
-- texts made here. Expected counts come from the texts, never from dossier: for the
-- seeds, `grep -ow WORD FILE | wc -l` per file, in file-name order
--   2015-carnegie  2019-aspi  2022-sinkkonen  2023-blog  2023-register
--   China           6          5           97           4          6      = 118, in 5 documents
--   Huawei          1          0           14           0          0      =  15, in 2
--   Xi              3          0            5           2          2      =  12, in 4
--   5G              0          0            7           0          1      =   8, in 2
--   Xi Jinping      2          0            3           2          1      =   8, in 4  (grep -o)
--   Sino-Russian    4          1           11           0          0      =  16, in 3  (grep -oi)
-- (words chosen because the clean-up changes none of their occurrences: no line-break
-- hyphenation or page furniture runs through them). Only 2023-register has kind "news".
-- Document sizes in tokens are the corpus's own (corpus:docs()), used only as sizes.
local H = require "helpers"
local dossier = require "dossier"
local cjson = require "cjson"
local stats = require "dossier.stats"

local db, corpus

-- The row of a result whose `key` field is v.
local function row(result, v, key)
  for _, r in ipairs(result.rows) do
    if r[key or "value"] == v then return r end
  end
end

describe("recipes on the sample corpus", function()
  setup(function()
    db = H.tmp(".db")
    corpus = dossier.open(db)
    corpus:add(H.seeds, {jobs = 1})
  end)
  teardown(function()
    corpus:close()
    H.cleanup()
  end)

  it("freq counts words with range and per million", function()
    local r = corpus:freq{by = "word"}
    local tokens = corpus:info().tokens
    for w, x in pairs({China = {118, 5}, Huawei = {15, 2}, Xi = {12, 4}, ["5G"] = {8, 2}}) do
      local got = row(r, w)
      assert.same(x, {got.freq, got.range}, w)
      assert.near(x[1] / tokens * 1e6, got.per_million, 1e-9)
    end
    assert.same({"value", "freq", "per_million", "range"}, r.columns)
    -- sorted by frequency, descending
    for i = 2, #r.rows do assert.truthy(r.rows[i - 1].freq >= r.rows[i].freq) end
  end)

  it("freq of a subcorpus, per metadata value, of matches, with a pattern", function()
    local news = corpus:freq{where = 'doc.kind = "news"'}
    assert.equal(6, row(news, "China").freq); assert.equal(2, row(news, "Xi").freq)
    assert.equal(1, row(news, "5G").freq); assert.is_nil(row(news, "Huawei"))
    local per = corpus:freq{per = "doc.kind", match = "China"}
    assert.equal(5, #per.rows)
    for _, r in ipairs(per.rows) do
      assert.equal(({["news-analysis"] = 6, ["policy-brief"] = 5, ["book-chapter"] = 97, ["blog-post"] = 4,
                     news = 6})[r.group], r.freq, r.group)
    end
    local m = corpus:freq{query = '"Xi" "Jinping"'}
    assert.same({"Xi Jinping", 8, 4}, {m.rows[1].value, m.rows[1].freq, m.rows[1].range})
    -- lemma and norm: every value of Huawei's norm is "huawei"
    assert.equal(15, row(corpus:freq{by = "norm", match = "huawei"}, "huawei").freq)
    -- --match is a regular expression over the whole value, as in CQL
    local cy = corpus:freq{by = "norm", match = "cyber.*"}
    assert.truthy(#cy.rows > 0)
    for i = 1, #cy.rows do assert.truthy(cy.rows[i].value:match("^cyber"), cy.rows[i].value) end
    assert.is_nil(row(corpus:freq{by = "norm", match = "huawe"}, "huawei"))      -- whole values only
    assert.has_error(function() corpus:freq{match = "a("} end)
  end)

  it("ngrams are counted within sentences, with minimums", function()
    -- "Sino-Russian" is three tokens: sino - russian
    local r = corpus:ngrams{n = 3, by = "norm", min_freq = 2}
    local x = row(r, "sino - russian")
    assert.same({16, 3}, {x.freq, x.range})
    assert.same({"ngram", "freq", "range"}, r.columns)
    for _, y in ipairs(r.rows) do assert.truthy(y.freq >= 2) end
    local r2 = corpus:ngrams{n = 2, min_range = 4}
    assert.same({8, 4}, {row(r2, "Xi Jinping").freq, row(r2, "Xi Jinping").range})
    for _, y in ipairs(r2.rows) do assert.truthy(y.range >= 4) end
  end)

  it("ngrams kept in C read as rows and print the TSV the rows give", function()
    local format = require "dossier.format"
    local r = corpus:ngrams{n = 2, min_freq = 3}
    assert.truthy(#r.rows > 10)
    assert.is_nil(r.rows[#r.rows + 1])
    assert.is_nil(r.rows[0])
    local plain = {}
    for i, x in ipairs(r.rows) do
      plain[i] = {ngram = x.ngram, freq = x.freq, range = x.range}
      assert.equal(x.ngram, x.value)
      assert.truthy(x.freq >= 3)
    end
    assert.equal(format.tsv(plain, r.columns), r:tsv())
    assert.equal(#r.rows, select(2, r:tsv():gsub("\n", "")))
    local cut = corpus:ngrams{n = 2, min_freq = 3, limit = 4}
    assert.equal(4, #cut.rows)
    assert.same(plain[4], {ngram = cut.rows[4].ngram, freq = cut.rows[4].freq, range = cut.rows[4].range})
    assert.equal(4, select(2, cut:tsv():gsub("\n", "")))
  end)

  it("dispersion of a query over documents and equal parts", function()
    local docs = corpus:docs()
    local sizes = {}
    for i, d in ipairs(docs) do sizes[i] = d.tokens end
    local parts = corpus:dispersion{query = '"Huawei"', by_part = true}
    local hits = {}
    for i, p in ipairs(parts.rows) do hits[i] = p.freq; assert.equal(sizes[i], p.size) end
    assert.same({1, 0, 14, 0, 0}, hits)
    local s = corpus:dispersion{query = '"Huawei"'}.rows[1]
    assert.same({15, 5, 2}, {s.hits, s.parts, s.range})
    local want = stats.dispersion({1, 0, 14, 0, 0}, sizes)
    assert.near(want.dp, s.dp, 1e-12); assert.near(want.juilland_d, s.juilland_d, 1e-12)
    -- 3 equal parts: sizes differ by at most one token and add up to the corpus
    local eq = corpus:dispersion{query = '"China"', parts = 3, by_part = true}
    local total, n = 0, 0
    for _, p in ipairs(eq.rows) do total = total + p.size; n = n + p.freq end
    assert.equal(corpus:info().tokens, total); assert.equal(118, n)
  end)

  it("draws a dispersion plot", function()
    local svg = H.tmp(".svg")
    corpus:dispersion{query = '"Huawei"', svg = svg}
    local s = H.read(svg)
    assert.truthy(s:find("^<svg"))
    local _, ticks = s:gsub("<line ", "")
    assert.equal(15, ticks)
    assert.truthy(s:find("2022-sinkkonen-lassila-digital-authoritarianism", 1, true))
  end)

  it("keyness of a subcorpus against the rest", function()
    local r = corpus:keyness{target = 'doc.kind = "news"'}
    local n1 = 0
    for _, d in ipairs(corpus:docs()) do if d.meta.kind == "news" then n1 = n1 + d.tokens end end
    local n2 = corpus:info().tokens - n1
    local x = row(r, "Xi", "item")
    assert.same({2, 10, n1, n2}, {x.f_target, x.f_reference, x.n_target, x.n_reference})
    local k = stats.keyness(2, n1, 10, n2)
    assert.near(k.ll, x.ll, 1e-12); assert.near(k.g2, x.g2, 1e-12); assert.equal(k.direction, x.direction)
    assert.same({"item", "f_target", "f_reference", "n_target", "n_reference", "ll", "g2", "chi2", "log_ratio",
                 "pct_diff", "bic", "direction"}, r.columns)
    -- Huawei is in no news document: log ratio with 0.5 for the zero
    local h = row(r, "Huawei", "item")
    assert.same({0, 15, "-"}, {h.f_target, h.f_reference, h.direction})
    assert.near(math.log((0.5 / n1) / (15 / n2), 2), h.log_ratio, 1e-12)
    -- positive keywords first
    local seen_minus = false
    for _, y in ipairs(r.rows) do
      if y.direction == "-" then seen_minus = true else assert.is_false(seen_minus) end
    end
    assert.has_error(function() corpus:keyness{} end,
      "keyness: the reference is empty (give a reference subcorpus or a reference file)")
  end)

  it("keyness against another corpus file", function()
    local r = dossier.recipes.keyness.run({corpus}, {ref = {corpus}, by = "word"})
    local x = row(r, "China", "item")
    assert.same({118, 118}, {x.f_target, x.f_reference})
    assert.near(0, x.ll, 1e-9); assert.near(0, x.log_ratio, 1e-12)
  end)

  it("sums the counts of several files", function()
    local r = dossier.recipes.freq.run({corpus, corpus}, {})
    assert.same({236, 10}, {row(r, "China").freq, row(r, "China").range})
    local c = dossier.recipes.collocates.run({corpus, corpus}, {query = '"Huawei"', window = {1, 1}})
    assert.equal(30, c.rows[1].f_x)
  end)

  it("gives two shards exactly the counts of one corpus holding both", function()
    -- shard A: 2015-carnegie, 2019-aspi; shard B: the other three seeds. By hand (the
    -- header's grep counts): China 6 + 5 = 11 in A (2 documents), 97 + 4 + 6 = 107 in B
    -- (3), summed 118 in 5; "Xi Jinping" 2 + 0 in A, 3 + 2 + 1 in B: 8 in 4
    local files = {}
    for name in io.popen("ls corpus/seeds/*.txt"):lines() do files[#files + 1] = name end
    assert.equal(5, #files)
    local a <close> = dossier.open(H.tmp(".db"))
    local b <close> = dossier.open(H.tmp(".db"))
    a:add({files[1], files[2]}, {jobs = 1})
    b:add({files[3], files[4], files[5]}, {jobs = 1})
    local R = dossier.recipes
    local f = R.freq.run({a, b}, {})
    assert.same({118, 5}, {row(f, "China").freq, row(f, "China").range})
    assert.same({11, 2}, {row(a:freq{}, "China").freq, row(a:freq{}, "China").range})
    local g = R.ngrams.run({a, b}, {n = 2})
    assert.same({8, 4}, {row(g, "Xi Jinping").freq, row(g, "Xi Jinping").range})
    -- every row the same as the one corpus's, in the same order (TSV compared whole)
    local both = {corpus}
    local function same(recipe, opts)
      local want, got = R[recipe].run(both, opts):tsv(), R[recipe].run({a, b}, opts):tsv()
      assert.is_true(#want > 100, recipe)
      assert.equal(want, got, recipe)
    end
    same("freq", {by = "word"})
    same("freq", {by = "lemma", where = 'doc.kind = "news|report"'})
    same("ngrams", {n = 3})
    same("ngrams", {n = 2, min_freq = 2, min_range = 2})
    same("collocates", {query = '"China"', window = "5,5"})
    same("collocates", {query = '[lemma="say"]', window = "3,3", within = "s", by = "lemma"})
    same("keyness", {target = 'doc.kind = "news"', by = "word"})
    -- a reference file: shard B against shard A = the corpus's B documents against A's
    local k1 = R.keyness.run({b}, {ref = {a}}):tsv()
    local names = {}
    for i = 3, 5 do names[#names + 1] = files[i]:match("([^/]+)%.txt$") end
    local k2 = corpus:keyness{target = 'doc.name = "(' .. table.concat(names, "|") .. ')(\\.txt)?"'}:tsv()
    assert.equal(k2:gsub("^[^\n]*\n", ""), k1:gsub("^[^\n]*\n", ""))
  end)

  it("never lets f_xy pass f_y in collocates, so no measure is NaN", function()
    -- "China" occurs 118 times, often a few tokens apart: windows of 10,10 overlap
    local r = corpus:collocates{query = '"China"', window = "10,10"}
    assert.is_true(#r.rows > 100)
    for _, x in ipairs(r.rows) do
      assert.is_true(x.f_xy <= x.f_y, x.collocate)
      assert.is_true(x.ll == x.ll and x.mi == x.mi, x.collocate)
    end
    assert.equal(118, r.rows[1].f_x)
    assert.is_true(r.rows[1].window < 118 * 20)
  end)

  it("exports VRT, CoNLL-U and JSON Lines with every token", function()
    local info = corpus:info()
    local vrt = H.tmp(".vrt")
    assert.equal(5, corpus:export{format = "vrt", out = vrt})
    local text = H.read(vrt)
    local ntok, nchina, ntext, nopen, nclose = 0, 0, 0, 0, 0
    for line in text:gmatch("[^\n]+") do
      if line:find("^<text ") then ntext = ntext + 1
      elseif line == "<s>" then nopen = nopen + 1
      elseif line == "</s>" then nclose = nclose + 1
      elseif not line:find("^<") then
        ntok = ntok + 1
        local w, norm, lemma, pos, xpos = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
        assert.truthy(xpos, line)
        if w == "China" then nchina = nchina + 1 end
        assert.falsy(w:find("[<>\"]") or norm:find("[<>\"]") or lemma:find("[<>\"]") or pos:find("[<>\"]"))
      end
    end
    assert.equal(info.tokens, ntok); assert.equal(118, nchina); assert.equal(5, ntext)
    assert.equal(info.sentences, nopen); assert.equal(nopen, nclose)
    assert.truthy(text:find('<text id="2023%-register%-xi%-putin%-ai%-infosec"[^>]* kind="news"'))

    local cu = H.tmp(".conllu")
    corpus:export{format = "conllu", out = cu, where = 'doc.kind = "news"'}
    local lines, docs = 0, 0
    for line in H.read(cu):gmatch("[^\n]+") do
      if line:find("^# newdoc id") then docs = docs + 1
      elseif not line:find("^#") then
        lines = lines + 1
        local _, n = line:gsub("\t", "")
        assert.equal(9, n)
      end
    end
    local news = 0
    for _, d in ipairs(corpus:docs()) do if d.meta.kind == "news" then news = news + d.tokens end end
    assert.equal(1, docs); assert.equal(news, lines)

    local jl = H.tmp(".jsonl")
    corpus:export{format = "jsonl", out = jl}
    local n = 0
    for line in H.read(jl):gmatch("[^\n]+") do
      local d = cjson.decode(line)
      n = n + 1
      assert.equal(#d.tokens.word, #d.tokens.lemma)
      assert.truthy(#d.spans.s > 0)
      assert.truthy(d.meta.title)
    end
    assert.equal(5, n)
  end)

  it("prints results in the REPL and as TSV and JSON", function()
    local r = corpus:freq{limit = 3}
    local s = tostring(r)
    assert.truthy(s:find("value%s+freq%s+per_million%s+range"))
    assert.equal(3, #r)
    local tsv = r:tsv()
    assert.equal("value\tfreq\tper_million\trange", tsv:match("^[^\n]+"))
    local j = cjson.decode(r:json())
    assert.equal(3, #j.rows); assert.same(r.columns, j.columns)
  end)
end)

describe("recipes on texts counted by hand", function()
  local c
  setup(function()
    c = dossier.open(H.tmp(".db"))
    -- tokens, 0-based:   0   1   2     3    4    5   6 | 7   8    9    10
    c:add_text("one two three node four five. six node seven.", "a", {kind = "x"}, {tag = false})
    -- a second document: a node at its first token
    c:add_text("node eight nine.", "b", {kind = "y"}, {tag = false})
  end)
  teardown(function() c:close(); H.cleanup() end)

  it("clips collocate windows at paragraphs too", function()
    local d <close> = dossier.open(H.tmp(".db"))
    -- tokens a0 b1 node2 c3 .4 D5 e6 | f7 g8 (a paragraph break before f); window 5,5 on
    -- node: left a b (the document's edge); right c . d e f: 7 positions; within s 2 + 2
    -- (c .); within p 2 + 4 (c . D e)
    d:add_text("a b node c. D e\n\nf g", "x", nil, {tag = false, recognize = false})
    local function window(within)
      return d:collocates{query = '"node"', window = "5,5", within = within}.rows[1].window
    end
    assert.same({7, 4, 6}, {window(nil), window("s"), window("p")})
    assert.has_error(function() d:collocates{query = '"node"', within = "doc"} end)
  end)

  it("merges collocate windows that overlap: each position counted once", function()
    local d <close> = dossier.open(H.tmp(".db"))
    -- tokens a0 b1 a2 c3 .4 d5 e6 d7 .8 (N = 9); node "a", window 1,1: a@0 -> b1;
    -- a@2 -> b1, c3. b1 is in both windows and counted once: the union is {1, 3}, window 2,
    -- f_x 2; b: f_xy 1, f_y 1 (counted per window it would be 2 > f_y, the 2x2 table a
    -- negative cell, G2 undefined). By hand for b: E = 2 * 1 / 9 = 0.2222;
    -- cells O11 1, O12 1, O21 0, O22 7 with E 2/9, 16/9, 7/9, 56/9:
    -- G2 = 2 (ln 4.5 + ln(9/16) + 7 ln(9/8)) = 2 (1.5040774 - 0.5753641 + 0.8244812) = 3.506389;
    -- MI = log2 4.5 = 2.169925; logDice = 14 + log2(2/3) = 13.415037
    d:add_text("a b a c. d e d.", "x", nil, {tag = false, recognize = false})
    local r = d:collocates{query = '"a"', window = "1,1"}
    local b = row(r, "b", "collocate")
    assert.same({1, 2, 1, 9, 2}, {b.f_xy, b.f_x, b.f_y, b.n, b.window})
    assert.same({1, 1}, {row(r, "c", "collocate").f_xy, row(r, "c", "collocate").f_y})
    assert.equal(2, #r.rows)
    assert.near(2 / 9, b.expected, 1e-12)
    assert.near(3.506389, b.ll, 1e-6)
    assert.near(2.169925, b.mi, 1e-6)
    assert.near(13.415037, b.logdice, 1e-6)
    -- window 2,2: a@0 -> b1 a2; a@2 -> a0 b1 | c3 .4: the union is 0..4 (another node's
    -- token is in a window), 5 positions; a: f_xy 2 = f_y
    local w = d:collocates{query = '"a"', window = "2,2"}
    local a = row(w, "a", "collocate")
    assert.same({2, 2, 5}, {a.f_xy, a.f_y, a.window})
    assert.equal(1, row(w, "b", "collocate").f_xy)
    assert.is_nil(r:text():find("NaN")); assert.is_nil(w:tsv():find("NaN"))
  end)

  it("counts collocate windows clipped at documents and sentences", function()
    -- window 2,2, no sentence clipping: node@3 -> two three | four five; node@8 -> . six |
    -- seven .; doc b node@0 -> (doc edge) | eight nine: 4 + 4 + 2 = 10 positions
    local r = c:collocates{query = '"node"', window = "2,2", by_measure = "f_xy"}
    local dot = row(r, ".", "collocate")
    assert.same({2, 3, 3, 15, 10}, {dot.f_xy, dot.f_x, dot.f_y, dot.n, dot.window})
    assert.equal(1, row(r, "two", "collocate").f_xy)
    assert.is_nil(row(r, "one", "collocate"))       -- three tokens left of node@3
    assert.is_nil(row(r, "node", "collocate"))      -- the node is not in its own window
    -- within s: node@8's left window stops at "six" (its sentence starts there): 4 + 3 + 2 = 9
    local s = c:collocates{query = '"node"', window = "2,2", within = "s"}
    local sdot = row(s, ".", "collocate")
    assert.same({1, 9}, {sdot.f_xy, sdot.window})
    -- the measures are stats.association's of these counts
    local a = stats.association(1, 9, 3, 15, 3, 3)
    assert.near(a.logdice, sdot.logdice, 1e-12); assert.near(a.ll, sdot.ll, 1e-12)
    assert.near(9 * 3 / 15, sdot.expected, 1e-12)
  end)

  it("never counts an n-gram across a sentence boundary", function()
    -- sentences: [one two three node four five .] [six node seven .] [node eight nine .]
    local r = c:ngrams{n = 2}
    assert.is_nil(row(r, ". six")); assert.is_nil(row(r, ". node"))
    assert.same({1, 1}, {row(r, "five .").freq, row(r, "five .").range})
    assert.same({2, 2}, {row(r, "nine .").freq + row(r, "seven .").freq, 2})
    -- bigrams: 6 + 3 + 3 = 12 positions; the 8-grams fit only the first sentence
    assert.equal(0, #c:ngrams{n = 8}.rows)
    assert.equal(1, #c:ngrams{n = 7}.rows)
  end)

  it("counts a subcorpus", function()
    local r = c:freq{where = 'doc.kind = "y"'}
    assert.equal(4, #r.rows)
    assert.equal(1, row(r, "node").freq)
    assert.equal(3, row(c:freq{}, "node").freq)
  end)
end)
