-- CQL, construct by construct, on the sample corpus (corpus/seeds). The expected answers
-- come from the text, not from dossier: each says how it was found, mostly with grep over
-- the seed files joined into one line (`cat corpus/seeds/*.txt | tr '\n' ' '`, "the text"
-- below), or from CQP's own documentation of its matching strategies.
local dossier = require "dossier"
local H = require "helpers"

describe("CQL", function()
  local db, c
  setup(function()
    db = H.tmp(".db")
    c = dossier.open(db)
    c:add(H.seeds)
  end)
  teardown(function()
    c:close()
    H.cleanup()
  end)
  local function n(q) return c:query(q):count() end
  -- The text of each match of q in corpus t, in order.
  local function texts_in(t, q)
    local out = {}
    for i, r in ipairs(t:query(q):kwic{width = 0}) do out[i] = r.match end
    return out
  end

  it("matches values as regular expressions against the whole value", function()
    -- grep -o -i -E '\bsurveil[a-z]*' the text: surveillance 27, surveil 2, Surveillance 2
    assert.equal(29, n('[word="surveil.*"]'))
    assert.equal(31, n('[word="surveil.*"%c]'))
    assert.equal(0, n('[word="urveil.*"]'))           -- the whole value, not a part of it
    -- grep -o -w -E 'Chin[a-z]*': China 118, Chinese 40
    assert.equal(40, n('[word="Chin.*" & !word="China"]'))
    assert.equal(40, n('[word="Chin.*" & word!="China"]'))
    -- .* is every token, those with letters outside ASCII too (Rühlig 3 times)
    assert.equal(c:info().tokens, n('[word=".*"]'))
    assert.equal(3, n('[word=".*" & word="Rühlig"]'))
    assert.equal(c:info().tokens, n('[lemma=".*"%c]'))
  end)

  it("takes %l literally and %d without diacritics", function()
    -- grep -o 'U\.S\.' the text: 2; as a regex "U.S." matches the same tokens here
    assert.equal(2, n('[word="U.S."%l]'))
    assert.equal(2, n('"U\\.S\\."'))
    assert.equal(0, n('[word="U.S"%l]'))
    -- grep -o -P '\w*[\x{00C0}-\x{024F}]\w*': Rühlig 3, Björk 1
    assert.equal(3, n('[word="Ruhlig"%d]'))
    assert.equal(3, n('"ruhlig"%cd'))
    assert.equal(1, n('"Bjork"%d'))
    assert.equal(0, n('"Ruhlig"'))
  end)

  it("combines constraints with & | ! and parentheses, and matches any token with []", function()
    -- grep -o -w: China 118; Russia 88 once the line-break hyphen of "Rus-\nsia" is joined
    local china, russia = n('"China"'), n('"Russia"')
    assert.equal(118, china)
    assert.equal(china + russia, n('[word="China" | word="Russia"]'))
    assert.equal(china + russia, n('[(word="China" | word="Russia") & !word="x"]'))
    -- grep -o -E 'China.{1,4}Russia': "China and Russia" 15, "China-Russia" 1, "China–Russia" 1
    assert.equal(17, n('"China" [] "Russia"'))
    assert.equal(17, n('[word="China"] [] [word="Russia"] within s'))
  end)

  it("reads a bare string as [word=...], and a string of several tokens as their sequence", function()
    assert.equal(n('[word="Huawei"]'), n('"Huawei"'))
    local sino = 0
    for _ in table.concat((function() local t = {}
      for _, p in ipairs(H.seed_files()) do t[#t + 1] = H.read(p) end return t end)(), "\n"):gmatch("Sino%-Russian") do
      sino = sino + 1
    end
    assert.equal(sino, n('"Sino-Russian"'))
    assert.equal(sino, n('"Sino" "-" "Russian"'))
  end)

  it("repeats tokens and groups, and alternates sequences", function()
    -- "China and Russia" 15, "Russia and China" 10 (grep -o -E '(Russia|China) and (Russia|China)')
    assert.equal(15, n('"China" "and"? "Russia"'))
    assert.equal(17, n('"China" []? "Russia"'))
    assert.equal(17, n('"China" []{1} "Russia"'))
    assert.equal(17, n('"China" []{0,1} "Russia"'))
    assert.equal(17, n('"China" []{,1} "Russia"'))
    -- 4 tokens: grep -o -E "China’s and Russia" 2, "China.  In Russia" 1
    assert.equal(3, n('"China" []{2,3} "Russia" within 4'))
    assert.equal(17, n('"China" ("and" | "–" | "-") "Russia"'))
    assert.equal(25, n('("China" | "Russia") "and" ("China" | "Russia")'))
    assert.equal(25, n('"China" "and" "Russia" | "Russia" "and" "China"'))
    assert.equal(17, n('"China" []* "Russia" within 3'))
    assert.equal(17, n('"China" []+ "Russia" within 3'))
  end)

  it("answers A []{n,m} B from the two words' positions, as the matcher does", function()
    -- the text (grep -o -E "\bthe [^A-Za-z ]*([A-Za-z]+[^A-Za-z ]* ?){0,2}Russia\b"): the
    -- 'Russia, the ongoing Russia (at most one token between: 2); the nature of, the Internet
    -- in (twice), the West. , the rift between, the cooperation between Russia (8 in all;
    -- "the same time, Russia" has three tokens between)
    assert.equal(2, n('"the" []{0,1} "Russia"'))
    assert.equal(8, n('"the" []{0,2} "Russia"'))
    -- "Russia" then "the" at most two tokens on: Russia in the, Russia, the (twice), Russia
    -- predictably supported the, Russia cooperation for the, Russia and the (twice); not
    -- "Russia’s role in the" (three between)
    assert.equal(7, n('"Russia" []{0,2} "the"'))
    -- a label turns the shortcut off: the matcher finds the same matches
    for _, q in ipairs{'"the" []{0,2} "Russia"', '"Russia" []{0,2} "the"', '"the" []{1,3} "the"',
                       '"China" []{0,3} "Russia"', '(?shortest) "the" []{0,3} "of"'} do
      local m, ref = c:query(q), c:query("x:" .. q:gsub("^%(%?%a+%) ", ""))
      if q:match("^%(%?shortest") then ref = c:query("(?shortest) x:" .. q:gsub("^%(%?%a+%) ", "")) end
      assert.equal(#ref, #m, q)
      for i = 1, #m do
        assert.same({ref[i].first, ref[i].last}, {m[i].first, m[i].last})
      end
    end
  end)

  it("finds in a slice of the documents the matches the whole query finds there", function()
    local docs = c:docs()
    for _, q in ipairs{'"China"', '"China" []{0,3} "Russia"', '[word="surveil.*"%c]', '"China" [] "Russia" within s',
                       '<s> "China"', '[]* "China" within s', '"Huawei" expand to s', 'MU(meet "China" "Russia" s)',
                       '<s/> containing "Huawei"', '("China" | "Russia") "and"'} do
      local all, got = c:query(q), {}
      for from = 1, #docs, 2 do
        local m = c:query(q, {from = from, to = from + 1})
        for i = 1, #m do
          local x = m[i]
          assert.is_true(x.first >= docs[from].cpos, q)
          got[#got + 1] = {x.first, x.last}
        end
      end
      assert.equal(#all, #got, q)
      for i = 1, #all do assert.same({all[i].first, all[i].last}, got[i], q) end
    end
    assert.equal(0, #c:query('"China"', {from = #docs + 1}))
  end)

  it("limits open-ended repetition and says so", function()
    -- 600 times "a", then "b": no match is longer than 500 tokens (CQP's HardBoundary)
    local tdb = H.tmp(".db")
    local t <close> = dossier.open(tdb)
    local dir = H.tmp("")
    os.execute("mkdir -p " .. dir)
    H.write(dir .. "/a.txt", string.rep("a ", 600) .. "b\n")
    t:add(dir)
    local m = t:query('"a" []* "b"')
    assert.equal(500, m.limit)
    assert.equal(1, m.cut)                              -- the start 500 tokens before b
    assert.equal(1, #m)                                 -- standard: one match per end
    assert.equal(500, m[1].last - m[1].first + 1)
    assert.equal(0, c:query('"China" []* "Russia" within s').cut)
  end)

  it("follows CQP's matching strategies (CQP's documented example)", function()
    -- doc/old/matching_strategies of CWB: the query (2) over "the old book on the shelf in
    -- the room", with words standing for the parts of speech
    local tdb = H.tmp(".db")
    local t <close> = dossier.open(tdb)
    local dir = H.tmp("")
    os.execute("mkdir -p " .. dir)
    H.write(dir .. "/np.txt", "the old book on the shelf in the room.\n")
    t:add(dir)
    local np = '"the"? "old"* [word="book|shelf|room"] ([word="on|in"] "the"? "old"* [word="book|shelf|room"])*'
    local function texts(q) return texts_in(t, q) end
    assert.same({"the old book", "the shelf", "the room"}, texts(np))
    assert.same({"the old book", "the shelf", "the room"}, texts("(?standard) " .. np))
    assert.same({"book", "shelf", "room"}, texts("(?shortest) " .. np))
    assert.same({"the old book on the shelf in the room"}, texts("(?longest) " .. np))
    assert.same({"the old book", "old book", "book", "the shelf", "shelf", "the room", "room"},
                texts("(?traditional) " .. np))
    -- `[]* "China" within s` counts each China once (standard), not once per start
    assert.equal(118, n('[]* "China" within s'))
    assert.is_true(n('(?traditional) []* "China" within s') > 118)
    -- `(?traditional) []? X` on the sample corpus: from each start X alone, and [] then X;
    -- so every X twice, but an X that begins its document once (matches stay in documents)
    local nX, nFirstX = n('[pos!="PUNCT"]'), 0
    for k, d in ipairs(c:docs()) do
      local m = c:query('[pos!="PUNCT"]', {from = k, to = k})
      if #m > 0 and m[1].first == d.cpos then nFirstX = nFirstX + 1 end
    end
    assert.is_true(nX > 5000 and nFirstX > 0, nX)
    assert.equal(2 * nX - nFirstX, n('(?traditional) []? [pos!="PUNCT"]'))
    -- an open start before one token, within s, under each strategy: from each start the
    -- matcher ends at the first "cat" it can (the last when longest), then CQP's reduction
    -- (standard: of the matches ending alike the first; shortest: none holding another;
    -- longest: none another holds; traditional: all, and as CQP runs its automaton once
    -- per way a match can begin, a start on a cat also gives the match that begins with
    -- [] and ends at the next cat). Tokens: one two cat three cat four . | Five cat six .
    H.write(dir .. "/np.txt", "one two cat three cat four. Five cat six.\n")
    local t2db = H.tmp(".db")
    local t2 <close> = dossier.open(t2db)
    t2:add(dir)
    texts = function(q) return texts_in(t2, q) end
    assert.same({"one two cat", "three cat", "Five cat"}, texts('[]* "cat" within s'))
    assert.same({"cat", "cat", "cat"}, texts('(?shortest) []* "cat" within s'))
    assert.same({"one two cat three cat", "Five cat"}, texts('(?longest) []* "cat" within s'))
    assert.same({"one two cat", "two cat", "cat", "cat three cat", "three cat", "cat", "Five cat", "cat"},
                texts('(?traditional) []* "cat" within s'))
    -- the same from the matcher, start by start (an alternation: three ways to begin)
    assert.same({"one two cat", "two cat", "cat", "cat three cat", "three cat", "cat", "Five cat", "cat"},
                texts('(?traditional) []{0,} ("cat" | "dog") within s'))
    -- each way to begin its shortest match: [] then a cat, or a cat alone; a cat, or a cat
    -- then any token, or any token alone
    assert.same({"two cat", "cat", "three cat", "cat", "Five cat", "cat"}, texts('(?traditional) []? "cat"'))
    assert.same({"one", "two", "cat", "cat three", "three", "cat", "cat four", "four", ".", "Five", "cat",
                 "cat six", "six", "."}, texts('(?traditional) "cat"? []'))
    -- the others take a start's shortest match of all ways, then reduce: no match holding
    -- another (shortest), of those ending alike the first (standard)
    assert.same({"cat", "cat", "cat"}, texts('(?shortest) []? "cat"'))
    assert.same({"one", "two", "cat", "three", "cat", "four", ".", "Five", "cat", "six", "."}, texts('"cat"? []'))
    -- at least one token before: from "cat" (2) the first "cat" one further on is 4
    assert.same({"one two cat", "cat three cat", "Five cat"}, texts('[]+ "cat" within s'))
    assert.same({"two cat", "three cat", "Five cat"}, texts('(?shortest) []+ "cat" within s'))
    assert.same({"one two cat three cat", "Five cat"}, texts('(?longest) []+ "cat" within s'))
    -- two at least: "Five cat" has one token before its cat
    assert.same({"one two cat", "two cat three cat"}, texts('[]{2,} "cat" within s'))
    assert.same({"one two cat", "two cat three cat"}, texts('[]{2,} [word="cat" & word!="dog"] within s'))
    -- and at least one token after: the first such end from each start, or the sentence's last
    assert.same({"one two cat three", "three cat four", "Five cat six"}, texts('[]* "cat" []+ within s'))
    assert.same({"cat three", "cat four", "cat six"}, texts('(?shortest) []* "cat" []+ within s'))
    assert.same({"one two cat three cat four.", "Five cat six."}, texts('(?longest) []* "cat" []+ within s'))
    -- three after: only the first cat of the first sentence has room; none in the second
    assert.same({"one two cat three cat four"}, texts('[]* "cat" []{3,} within s'))
  end)

  it("matches structure boundaries and whole spans", function()
    -- every <s>-initial China is a China that starts a sentence span
    local starts = {}
    for _, m in c:query('<s/>'):iter() do starts[m.first] = true end
    local k = 0
    for _, m in c:query('"China"'):iter() do if starts[m.first] then k = k + 1 end end
    assert.equal(k, n('<s> "China"'))
    assert.is_true(k > 0)
    -- "China.  In Russia" (grep): China ends a sentence, In starts the next
    assert.equal(1, n('"China" "." "In" "Russia"'))
    assert.equal(0, n('"China" "." "In" "Russia" within s'))
    assert.equal(1, n('"China" "." </s> <s> "In" "Russia"'))
    -- spans with and without a word: together, all of them
    assert.equal(n('<s/>'), n('<s/> containing "China"') + n('<s/> not containing "China"'))
    assert.equal(n('<p/> containing "Huawei"'), n('"Huawei" expand to p'))
    assert.equal(5, n('<doc/>'))
    -- MANIFEST.tsv: one document of kind news
    assert.equal(1, n('<doc kind="news"/>'))
    assert.equal(1, n('<doc kind="news"> []'))
  end)

  it("constrains document metadata after ::, dates as dates", function()
    -- MANIFEST.tsv kinds and dates; grep -c -o -w China per file: carnegie (2015-12-07,
    -- news-analysis) 6, aspi (2019-10, policy-brief) 5, sinkkonen (2022, book-chapter) 97,
    -- blog (2023-03, blog-post) 4, register (2023-03, news) 6
    assert.equal(5, n('"China" :: doc.kind = "policy-brief"'))
    assert.equal(6, n('"China" :: match.text_kind = "news"'))
    assert.equal(12, n('"China" :: doc.kind = "news.*"'))
    assert.equal(112, n('"China" :: doc.kind != "news"'))
    assert.equal(10, n('"China" :: doc.kind = "news" | doc.kind = "blog-post"'))
    assert.equal(107, n('"China" :: doc.date >= "2022"'))
    assert.equal(6, n('"China" :: doc.date < "2019"'))
    assert.equal(11, n('"China" :: doc.date < "2022"'))
    assert.equal(5, n('"China" :: doc.date = "2019.*" & !doc.kind = "news"'))
    assert.equal(97, n('"China" :: doc.date >= "2022" & doc.date <= "2022" within s'))
    -- doc.name (the file name without .txt), tried on a document's name when the query
    -- first asks about the document: the same counts per file as above
    assert.equal(11, n('"China" :: doc.name = "2015-.*|2019-.*"'))
    assert.equal(107, n('"China" :: doc.name != "2015-.*|2019-.*"'))
    assert.equal(103, n('"China" :: doc.name = "20(22|23)-.*" & doc.name != ".*-it"'))
    assert.equal(16, n('"China" :: !doc.name = "2022-.*" & doc.kind != "policy-brief"'))
    assert.equal(6, n('"China" :: doc.name = ".*REGISTER.*"%c | doc.name = "nothing"'))
    assert.equal(4, n('a:"China" :: doc.name = ".*-blog-.*" & a.word = "China"'))
  end)

  it("reads a reader's documents only when a query needs them", function()
    local r <close> = dossier.open(db, {readonly = true})
    assert.equal(118, r:count('"China"'))                -- from the lexicon alone
    assert.equal(c:info().tokens, r:count('[]'))           -- every token: the documents tell
    local fresh <close> = dossier.open(db, {readonly = true})
    assert.has_error(function() fresh:count('"China" :: doc.nokey = "x"') end,
                     "unknown metadata key 'nokey' (known: authors, date, kind, note, publisher, title, name) at position 12")
    assert.equal(5, #fresh:docs())
    assert.equal(6, fresh:query('"China" :: doc.name = "2015-.*"'):count())
  end)

  it("carries labels and the target in every match, and compares labels after ::", function()
    local m = c:query('"China" @[] "Russia"')
    local mid = {}
    for _, g in ipairs(m:group("target word")) do mid[g[1]] = g.count end
    assert.same({["and"] = 15, ["-"] = 1, ["–"] = 1}, mid)   -- see "China.{1,4}Russia" above
    assert.equal(m[1].first + 1, m[1].target)
    local l = c:query('a:"China" [] b:"Russia"')
    assert.equal(l[1].first, l[1].labels.a)
    assert.equal(l[1].last, l[1].labels.b)
    -- "X and X" with the same word: none in the text (grep -o -w -E '(\w+) and \1' finds none)
    assert.equal(0, n('a:[] "and" b:[] :: a.word = b.word'))
    assert.equal(25, n('a:[] "and" b:[] :: a.word = "China|Russia" & b.word = "China|Russia"'))
    assert.equal(15, n('a:[] "and" b:[] :: a.word = "China" & b.word = "Russia"'))
    assert.equal(10, n('a:[] "and" b:[] :: a.word != b.word & b.word = "China" & a.word = "Russia"'))
  end)

  it("finds MU meets and expands matches", function()
    -- a meet: each China with a Russia in its sentence (counted from the sentences here)
    local want = 0
    for _, s in c:query('<s/> containing "Russia"'):iter() do
      for _, m in c:query('"China"'):iter() do if m.first >= s.first and m.first <= s.last then want = want + 1 end end
    end
    assert.equal(want, n('MU(meet "China" "Russia" s)'))
    -- the same with Russ.* (Russia, Russian, Russia's ...), and China with another China
    local chinas = {}
    for _, m in c:query('"China"'):iter() do chinas[#chinas + 1] = m.first end
    local function in_sentences(query, least)
      local k = 0
      for _, s in c:query(query):iter() do
        local here = 0
        for _, x in ipairs(chinas) do if x >= s.first and x <= s.last then here = here + 1 end end
        if here >= least then k = k + here end
      end
      return k
    end
    assert.equal(want, in_sentences('<s/> containing "Russia"', 1))
    assert.equal(in_sentences('<s/> containing [word="Russ.*"]', 1), n('MU(meet "China" [word="Russ.*"] s)'))
    -- CQP's meet keeps the items of A with an item of B in the window, A's own position
    -- included (CWB cqp/eval.c meet_mu): each China is in its own sentence
    assert.equal(n('"China"'), n('MU(meet "China" "China" s)'))
    -- within 3 tokens either side: China with a Russia up to 2 tokens between, either order
    local near = {}
    for _, m in c:query('"China" []{0,2} "Russia"'):iter() do near[m.first] = true end
    for _, m in c:query('(?shortest) "Russia" []{0,2} "China"'):iter() do near[m.last] = true end
    local k = 0
    for _ in pairs(near) do k = k + 1 end
    assert.equal(k, n('MU(meet "China" "Russia" -3 3)'))
    assert.equal(n('"China"') + n('"Russia"'), n('MU(union "China" "Russia")'))
    local e = c:query('"Huawei" expand to s')
    assert.equal(n('<s/> containing "Huawei"'), #e)
  end)

  it("meets A's own position too, folds %c on any attribute, and reads classes by Unicode", function()
    -- one document of two sentences, tagged (lemma/pos as dossier.parse gives them):
    -- Moscow/PROPN and Beijing/PROPN met/meet/VERB in Zürich — “ talks ” went/go/VERB well .
    -- Beijing/PROPN said/say/VERB no ; Moscow/PROPN said/say/VERB yes .
    local sdb = H.tmp(".db")
    local t <close> = dossier.open(sdb)
    t:add_text("Moscow and Beijing met in Zürich — “talks” went well. Beijing said no; Moscow said yes.\n", "small")
    local function texts(q) return texts_in(t, q) end
    -- a Beijing in each sentence: each meets itself (CQP: 2, not 0 for want of another)
    assert.same({"Beijing", "Beijing"}, texts('MU(meet "Beijing" "Beijing" s)'))
    assert.same({"Moscow", "Moscow"}, texts('MU(meet "Moscow" "Moscow" 0 0)'))
    -- a Moscow one token either side of a said: only the second said
    assert.same({"said"}, texts('MU(meet "said" "Moscow" -1 1)'))
    -- a proper noun with said at 0 or 1 after it: Beijing said, Moscow said
    assert.same({"Beijing", "Moscow"}, texts('MU(meet [pos="PROPN"] "said" 0 1)'))
    -- %c on a lemma or a tag compares that attribute without case, not the word's folded form
    assert.same({"said", "said"}, texts('[lemma="SAY"%c]'))
    assert.same({"met", "went", "said", "said"}, texts('[pos="verb"%c]'))
    assert.equal(19, #t:query('[lemma!="Say"%c]'))              -- 21 tokens less the two said
    -- classes by Unicode properties, as CQP's PCRE_UCP: — “ ” are punctuation, ü a letter
    assert.same({"—", "“", "”", ".", ";", "."}, texts('[word="[[:punct:]]"]'))
    assert.same({"Zürich"}, texts('[word="\\w+" & word="Z.*"]'))
    -- under %c [:upper:] and [:lower:] are any letter, as CQP's PCRE reads them: the 15
    -- words of letters (Moscow and Beijing met in Zürich talks went well Beijing said no
    -- Moscow said yes); without %c the capitalised five; [:^lower:] the six others
    assert.equal(15, #t:query('[word="[[:upper:]][[:lower:]]+"%c]'))
    assert.same({"Moscow", "Beijing", "Zürich", "Beijing", "Moscow"}, texts('[word="[[:upper:]][[:lower:]]+"]'))
    assert.equal(6, #t:query('[word="[[:^lower:]]+"%c]'))
    local core = require "dossier.core"
    assert.is_true(core.regex("[[:upper:]]", true):test("a"))
    assert.is_false(core.regex("[[:upper:]]"):test("a"))
    -- only a class in brackets is read so: escaped, or between \Q and \E, it is text
    assert.is_true(core.regex("\\[:upper:]]", true):test("[:UPPER:]]"))
    assert.is_false(core.regex("\\[:upper:]]", true):test("[:alpha:]]"))
    assert.is_true(core.regex("\\Q[[:lower:]]\\E", true):test("[[:LOWER:]]"))
    assert.is_true(core.regex("[\\]x[:lower:]]+", true):test("]xQ"))
    -- a literal with %c: the word's case variants, as PCRE2's caseless matching (the norm
    -- folds more: ß to ss): Strasse and STRASSE, not Straße; the long s ſ (U+017F), which
    -- PCRE2 takes as s, with silk and SILK
    local g = dossier.open(H.tmp(".db"))
    g:add_text("Strasse, STRASSE and Straße. Silk, SILK and \u{17F}ilk.\n", "g")
    assert.equal(2, #g:query('"strasse"%c'))
    assert.equal(1, #g:query('"STRAßE"%c'))
    assert.equal(3, #g:query('[norm="strasse"]'))
    assert.equal(3, #g:query('"silk"%c'))
    assert.equal(1, #g:query('"silk"%c "and"'))
    g:close()
  end)

  it("pairs <s> with the </s> written after it as CQP's StrictRegions does", function()
    -- two sentences: One two . | Three four five .
    local sdb = H.tmp(".db")
    local t <close> = dossier.open(sdb)
    t:add_text("One two. Three four five.\n", "two")
    local function texts(q) return texts_in(t, q) end
    -- the </s> must close the sentence the <s> opened: the longest match from each start
    -- is its own sentence, not both (which alone would hold the second after the reduction)
    assert.same({"One two.", "Three four five."}, texts("(?longest) <s> []+ </s>"))
    assert.same({"One two.", "Three four five."}, texts("<s> []+ </s>"))
    assert.same({"One two. Three four five."}, texts("<s> []+ </s> <s> []+ </s>"))
    -- a </s> with no <s> before it in the query ends any sentence: two . and five .
    assert.same({"two.", "five."}, texts("[]{2} </s>"))
    -- a </s> paired with an <s> the match did not pass holds nowhere (CQP: 0 too)
    assert.same({}, texts('[] ("x" <s> "y")? </s>'))
    -- an <s> after the match is looked at on the token after it, which must be in the
    -- region: no sentence holds a token followed by the next sentence's start (CQP: 0);
    -- without `within s` the period before Three is one, `within 2` leaves it one token
    -- of room (the period and Three), `within 1` none
    assert.same({}, texts("[] <s> within s"))
    assert.same({"."}, texts("[] <s>"))
    assert.same({"."}, texts("[] <s> within 2"))
    assert.same({}, texts("[] <s> within 1"))
    -- a </s> is looked at on the token before it: the sentences' last tokens, within s
    assert.same({".", "."}, texts("[] </s> within s"))
    -- CQP pairs by the text: a </s> anywhere after an <s>, in another branch too, where
    -- no <s> opened a region for it, holds nowhere: five . does not end a match
    assert.same({"One two."}, texts('(<s> "One" | "five") []+ </s>'))
    assert.same({"One two.", "five."}, texts('("One" | "five") []+ </s>'))
    -- once a paired <s> is passed no token past its sentence is read: four tokens from an
    -- <s> fit the second sentence only (unpaired, the first's run on into Three)
    assert.same({"Three four five."}, texts('<s> []{4} | </s> "x"'))
    assert.same({"One two. Three", "Three four five."}, texts('<s> []{4}'))
    -- a paired </s> a match begins with is not held to it (nothing opened its region): the
    -- token after each sentence's end, Three
    assert.same({"Three"}, texts('<s> "x" | </s> []'))
  end)

  it("sorts, groups and combines match sets in C", function()
    -- the word after each China, in byte order once sorted (the kwic line minus "China")
    local m = c:query('"China" []'):sort("matchend word")
    local prev = ""
    for _, r in ipairs(m:kwic{width = 0}) do
      local w = r.match:gsub("^China%s*", "")
      assert.is_true(w >= prev, w .. " after " .. prev)
      prev = w
    end
    local top = m:sort("matchend word desc"):kwic{width = 0}[1].match:gsub("^China%s*", "")
    assert.equal(prev, top)                            -- descending: the last word first
    -- the word after "China (and) Russia": 15 matches in all (see above)
    local total = 0
    for _, g in ipairs(c:query('"China" "and"? "Russia"'):group("matchend[1] word")) do total = total + g.count end
    assert.equal(15, total)
    local byDoc = c:query('"China"'):group("match word %c")
    assert.same({"china", count = 118}, byDoc[1])
    local a, b = c:query('"China"'), c:query('[word="Chin.*"]')
    assert.equal(118, #a:intersect(b))
    assert.equal(40, #b:minus(a))
    assert.equal(158, #a:union(b))
    assert.has_error(function() a:sort("target word") end,
      "no anchor 'target' in this query (match, matchend)")
  end)

  it("refuses what it does not know, naming the position", function()
    assert.has_error(function() c:query('sovereignty') end,
      [[a bare word 'sovereignty' is not a query: quote it ("sovereignty") or write [word="sovereignty"] at position 1]])
    assert.has_error(function() c:query('"China" [] "Russia" within sentence') end,
      "unknown structure 'sentence' (known: s, p, head, note, doc, ent, date, money, percent, cite, url, quote) at position 28")
    assert.has_error(function() c:query('"China" :: doc.genre = "x"') end,
      "unknown metadata key 'genre' (known: authors, date, kind, note, publisher, title, name) at position 12")
    assert.has_error(function() c:query('<s type="x"> []') end,
      "structure 's' has no attributes (<doc> has its metadata; ent, date, money, percent, cite, url and quote their values) at position 4")
    assert.has_error(function() c:query('[word="(("]') end,
      "bad regular expression: missing closing parenthesis (at offset 2 of the pattern) at position 2")
    assert.has_error(function() c:query('"China" :: doc.date > "last year"') end,
      [['<', '<=', '>', '>=' compare ISO dates: expected "2019", "2019-10" or "2019-10-07" at position 12]])
    assert.has_error(function() c:query('[word="x"] [] [word="y"] within s x') end,
      "expected the end of the query at position 35")
    assert.has_error(function() c:query('[word="x" "y"]') end,
      "expected ']' or an operator ('&', '|') at position 11")
    assert.has_error(function() c:query('<s>') end,
      "the query matches no token (only structure boundaries) at position 1")
  end)

  it("stops a regex over its limits with an error, not a hang", function()
    local tdb = H.tmp(".db")
    local t <close> = dossier.open(tdb)
    local dir = H.tmp("")
    os.execute("mkdir -p " .. dir)
    H.write(dir .. "/a.txt", string.rep("a", 40) .. "c is a word.\n")
    t:add(dir)
    local ok, err = pcall(function() return t:query('[word="(a|aa)+\\d"]'):count() end)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("regular expression over its limits", 1, true), err)
  end)
end)
