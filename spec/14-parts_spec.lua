-- Large documents are read, parsed and stored in parts (csrc/ds_parts.h); opts.part_bytes
-- makes the parts tiny so that the sample corpus goes in dozens of them.
local dossier = require "dossier"
local H = require "helpers"

local QUERIES = {'"China"', '"Russia"', '"digital"%c', '"Sino-Russian"', '[] "cooperation"',
                 '[pos="ADJ"] [pos="NOUN"]', '"partnership" within s'}

-- The corpus of the sample documents, indexed with the given options.
local function index(opts)
  local c = dossier.open(H.tmp(".db"))
  opts.jobs = 1
  c:add(H.seed_files(), opts)
  return c
end

-- Everything a reader sees of two corpora must be the same.
local function same_corpus(a, b)
  local ia, ib = a:info(), b:info()
  assert.equal(ia.tokens, ib.tokens)
  assert.equal(ia.sentences, ib.sentences)
  assert.equal(ia.paragraphs, ib.paragraphs)
  assert.same(ia.types, ib.types)
  local da, db = a:docs(), b:docs()
  assert.equal(#da, #db)
  for k = 1, #da do
    assert.equal(da[k].tokens, db[k].tokens)
    assert.equal(da[k].sentences, db[k].sentences)
    assert.equal(a:text(k), b:text(k))
  end
  for _, q in ipairs(QUERIES) do
    local ma, mb = a:query(q), b:query(q)
    assert.equal(ma:count(), mb:count(), q)
    local ka, kb = ma:kwic({width = 30}), mb:kwic({width = 30})
    for i = 1, #ka do assert.equal(tostring(ka[i]), tostring(kb[i]), q) end
  end
  -- search ranks a document in parts by its best part: the same documents and snippets,
  -- perhaps in another order
  local function hits(c)
    local out = {}
    for _, h in ipairs(c:search("Russia China", {limit = 100})) do out[h.doc] = h.snippet end
    return out
  end
  assert.same(hits(a), hits(b))
  assert.is_true(b:check())
end

describe("a document in parts", function()
  after_each(H.cleanup)

  -- Without clean-up, a cut falls between sentences (the chunk is parsed whole and cut
  -- before its last paragraph or sentence), so nothing differs at all: tolerance 0.
  it("indexes the sample corpus in tiny parts exactly as whole, without clean-up", function()
    local whole <close> = index({clean = false})
    local parts <close> = index({clean = false, part_bytes = 1500})
    same_corpus(whole, parts)
  end)

  it("removes a document in parts from counts and search", function()
    local c <close> = index({clean = false, part_bytes = 1500})
    local name = "2022-sinkkonen-lassila-digital-authoritarianism"
    local before = c:query('"China"'):count()
    assert.is_true(#c:search("authoritarianism") >= 1)
    assert.is_true(c:remove(name))
    for _, h in ipairs(c:search("authoritarianism")) do assert.not_equal(name, h.doc) end
    assert.is_true(c:query('"China"'):count() < before)
    c:optimize()
    assert.is_true(c:check())
  end)

  it("indexes the sample corpus in tiny parts as whole, tagged and cleaned, but for the clean-up's context", function()
    -- The clean-up rules that look beyond a chunk (a footnote marker whose note is in
    -- the next chunk, hard-wrapped paragraphs judged by the chunk's line widths) may
    -- decide otherwise near a cut: with 1500-byte parts a few tokens in 11,000.
    -- Sentences are still cut only at sentence ends.
    local whole <close> = index({})
    local parts <close> = index({part_bytes = 1500})
    local iw, ip = whole:info(), parts:info()
    assert.is_true(math.abs(iw.tokens - ip.tokens) <= 5, iw.tokens .. " " .. ip.tokens)
    assert.is_true(math.abs(iw.sentences - ip.sentences) <= 2)
    assert.is_true(parts:check())
    for _, q in ipairs({'"China"', '"Russia"', '"partnership"'}) do
      assert.equal(whole:query(q):count(), parts:query(q):count(), q)
    end
  end)

  it("gives each token of a single-line file its raw offsets in the whole file", function()
    -- a few MB on one line: the sample documents joined with spaces, and some UTF-8
    local pieces = {}
    for _, f in ipairs(H.seed_files()) do pieces[#pieces + 1] = (H.read(f):gsub("%s+", " ")) end
    local one = table.concat(pieces, " Ünïcödé – “quoted” ")
    local raw = string.rep(one .. " ", math.ceil(2.5e6 / #one))
    local parts = dossier.parse_parts(raw, 64 * 1024, {clean = false})
    assert.is_true(#parts > 30)
    local n, prevEnd, words = 0, 0, {}
    for i, p in ipairs(parts) do
      if i > 1 then assert.is_true(p.raw_base > parts[i - 1].raw_base) end
      for _, s in ipairs(p.sentences) do
        for _, t in ipairs(s.tokens) do
          assert.equal(t.word, raw:sub(t.raw_from, t.raw_to))
          assert.is_true(t.raw_from > prevEnd)
          prevEnd = t.raw_to
          n = n + 1
          if n % 997 == 0 then words[#words + 1] = t.word end
        end
      end
    end
    -- the same tokens as the whole text, and the same as indexing the file in parts
    local whole = dossier.parse(raw, {clean = false})
    local m = 0
    for _, s in ipairs(whole.sentences) do m = m + #s.tokens end
    assert.equal(m, n)
    local path = H.tmp(".txt")
    H.write(path, raw)
    local c <close> = dossier.open(H.tmp(".db"))
    c:add(path, {clean = false, part_bytes = 64 * 1024, jobs = 1})
    assert.equal(n, c:info().tokens)
    assert.equal(#whole.sentences, c:info().sentences)
    assert.is_true(c:check())
  end)

  it("joins a sentence and a paragraph that a part boundary cut", function()
    -- sentences longer than a part: cut between tokens, joined again in the store
    local words = {}
    for i = 1, 3000 do words[i] = "word" .. (i % 97) end
    local long = table.concat(words, " ")
    local raw = "A short start. " .. long .. ". Then a short one.\n\n" .. long .. " end.\n"
    local path = H.tmp(".txt")
    H.write(path, raw)
    local whole <close> = dossier.open(H.tmp(".db"))
    whole:add(path, {clean = false, jobs = 1})
    local parts <close> = dossier.open(H.tmp(".db"))
    parts:add(path, {clean = false, jobs = 1, part_bytes = 1000})
    local pieces = dossier.parse_parts(raw, 1000, {clean = false})
    assert.is_true(#pieces > 20)
    assert.is_true(pieces[3].join_sentence and pieces[3].join_paragraph)
    local iw, ip = whole:info(), parts:info()
    assert.equal(4, iw.sentences)
    assert.equal(2, iw.paragraphs)
    assert.equal(iw.tokens, ip.tokens)
    assert.equal(iw.sentences, ip.sentences)
    assert.equal(iw.paragraphs, ip.paragraphs)
    assert.equal(whole:text(1), parts:text(1))
    assert.equal(whole:query('"word5" "word6"'):count(), parts:query('"word5" "word6"'):count())
    assert.equal(whole:query('"word5" "word6" within s'):count(), parts:query('"word5" "word6" within s'):count())
    assert.equal(whole:query('"start" [] within s'):count(), parts:query('"start" [] within s'):count())
    assert.is_true(parts:check())
  end)

  it("reports bad bytes at their offset, line and column in the whole file", function()
    local path = H.tmp(".txt")
    local head = string.rep("Some text here. ", 2000) .. "\n" .. string.rep("More words. ", 1000)
    H.write(path, head .. "\xC3\x28 bad")
    local c <close> = dossier.open(H.tmp(".db"))
    local ok, err = pcall(c.add, c, path, {part_bytes = 4096})
    assert.is_false(ok)
    assert.matches(("invalid UTF-8 at byte %d (line 2, column %d)"):format(#head, 12000 + 1), err, 1, true)
    H.write(path, head .. "\0 binary")
    ok, err = pcall(c.add, c, path, {part_bytes = 4096})
    assert.is_false(ok)
    assert.matches(("binary file (NUL byte at byte %d)"):format(#head), err, 1, true)
    -- as for the whole file: a NUL byte anywhere makes it binary, before bad UTF-8
    local bad = "Bad \xC3\x28 early. "
    H.write(path, bad .. head .. "\0 binary")
    ok, err = pcall(c.add, c, path, {part_bytes = 4096})
    assert.is_false(ok)
    assert.matches(("binary file (NUL byte at byte %d)"):format(#bad + #head), err, 1, true)
    assert.equal(0, c:info().documents)
  end)

  it("reads UTF-16 and CR LF in parts as whole", function()
    local text = string.rep("A line of text. Another sentence here.\r\n", 300) .. "End."
    local u16 = {"\xFF\xFE"}
    for ch in text:gmatch(".") do u16[#u16 + 1] = ch .. "\0" end
    u16 = table.concat(u16)
    local whole = dossier.parse(u16, {clean = false})
    local parts = dossier.parse_parts(u16, 1000, {clean = false})
    assert.is_true(#parts > 10)
    local a, b = {}, {}
    for _, s in ipairs(whole.sentences) do for _, t in ipairs(s.tokens) do a[#a + 1] = t.word .. t.raw_from end end
    for _, p in ipairs(parts) do
      for _, s in ipairs(p.sentences) do for _, t in ipairs(s.tokens) do b[#b + 1] = t.word .. t.raw_from end end
    end
    assert.same(a, b)
  end)

  it("reports clean-up changes at lines of the whole file", function()
    local text = {}
    for i = 1, 400 do text[#text + 1] = ("Line %d of a text that goes on and on."):format(i) end
    text[300] = "exam-"
    text[301] = "ple of a hyphenated word at a line end."
    local raw = table.concat(text, "\n") .. "\n"
    local whole = dossier.parse(raw)
    local parts = dossier.parse_parts(raw, 2000)
    local function changes(list)
      local out = {}
      for _, c in ipairs(list) do out[#out + 1] = c.rule .. ":" .. c.line .. ":" .. c.raw_from end
      return out
    end
    local b = {}
    for _, p in ipairs(parts) do for _, x in ipairs(changes(p.changes)) do b[#b + 1] = x end end
    assert.is_true(#whole.changes > 0)
    assert.same(changes(whole.changes), b)
  end)
end)
