local dossier = require "dossier"
local H = require "helpers"
local cjson = require "cjson"

local SEED = "corpus/seeds/2023-blog-strategic-partnership-it.txt"
local CHAPTER = "corpus/seeds/2022-sinkkonen-lassila-digital-authoritarianism.txt"

local function words(d)
  local out = {}
  for _, s in ipairs(d.sentences) do
    for _, t in ipairs(s.tokens) do out[#out + 1] = t.word end
  end
  return out
end

local function paragraphs_of(text)
  local out = {}
  for p in (text .. "\n\n"):gmatch("(.-)\n%s*\n") do
    if p:find("%S") then out[#out + 1] = p end
  end
  return out
end

local function html_escape(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

-- The seed as an HTML page: a title, meta tags, a script, navigation and a footer that
-- are no part of the text, the first paragraph as <h1>, the rest as <p>.
local function as_html(paras)
  local out = {'<!DOCTYPE html><html lang="en"><head><title>Page title</title>',
               '<meta name="author" content="A. Writer">',
               '<meta property="article:published_time" content="2023-03-22T10:00:00Z">',
               '<script>var notText = "Russia";</script><style>p { color: red }</style></head>',
               '<body><nav><a href="/">Home</a> | <a href="/about">About China</a></nav>'}
  for i, p in ipairs(paras) do
    local tag = i == 1 and "h1" or "p"
    out[#out + 1] = string.format("<%s>%s</%s>\n", tag, html_escape(p):gsub("\n", "\n  "), tag)
  end
  out[#out + 1] = "<footer>Copyright 2023 Russia China blog</footer></body></html>"
  return table.concat(out, "\n")
end

local function as_markdown(paras)
  local out = {"---", "title: Front matter title", "authors:", "  - A. Writer", "  - B. Author",
               "date: 2023-03-22", "---", ""}
  for i, p in ipairs(paras) do out[#out + 1] = (i == 1 and "# " or "") .. p .. "\n" end
  return table.concat(out, "\n")
end

describe("readers", function()
  local text, plain
  setup(function()
    text = H.read(SEED)
    plain = words(dossier.parse(text))
  end)
  after_each(H.cleanup)

  it("read HTML to the same tokens as the text version, with its metadata", function()
    local d = dossier.parse(as_html(paragraphs_of(text)), {format = "html"})
    assert.same(plain, words(d))
    assert.equal("Page title", d.meta.title)
    assert.equal("A. Writer", d.meta.authors)
    assert.equal("2023-03-22T10:00:00Z", d.meta.date)
    assert.equal("en", d.meta.language)
    assert.equal("heading", d.paragraphs[1].kind)
    assert.falsy(d.text:find("notText", 1, true) or d.text:find("Home", 1, true) or
                 d.text:find("Copyright", 1, true))
  end)

  it("read Markdown to the same tokens, with front matter as metadata", function()
    local d = dossier.parse(as_markdown(paragraphs_of(text)), {format = "md"})
    assert.same(plain, words(d))
    assert.equal("Front matter title", d.meta.title)
    assert.equal("A. Writer; B. Author", d.meta.authors)
    assert.equal("2023-03-22", d.meta.date)
    assert.equal("heading", d.paragraphs[1].kind)
  end)

  it("report malformed front matter with its line", function()
    assert.has_error(function() dossier.parse("---\ntitle: [unclosed\nx: 1\n---\nText.\n", {format = "md", name = "a.md"}) end)
    local ok, err = pcall(dossier.parse, "---\ntitle: [unclosed\nx: 1\n---\nText.\n", {format = "md", name = "a.md"})
    assert.is_false(ok)
    assert.truthy(err:find("^a%.md: front matter, line %d+"), err)
  end)

  it("index HTML, Markdown and JSON Lines from a directory, metadata by precedence", function()
    local dir = H.tmp(".dir")
    os.execute("mkdir -p " .. dir)
    local paras = paragraphs_of(text)
    H.write(dir .. "/page.html", as_html(paras))
    H.write(dir .. "/note.md", as_markdown(paras))
    H.write(dir .. "/feed.jsonl", cjson.encode({id = "rec-1", text = text, date = "2023-03", source = "feed"}) .. "\n\n" ..
                                  cjson.encode({text = "Huawei builds 5G networks in Russia.", lang = "en"}) .. "\n")
    H.write(dir .. "/MANIFEST.tsv", "file\ttitle\tkind\npage.html\tManifest title\tblog-post\n")
    local c <close> = dossier.open(H.tmp(".db"))
    assert.equal(4, c:add(dir, {meta = {collection = "test"}}))   -- page, note, two records
    local byname = {}
    for _, d in ipairs(c:docs()) do byname[d.name] = d end
    assert.equal("Manifest title", byname.page.meta.title)          -- manifest over <title>
    assert.equal("A. Writer", byname.page.meta.authors)             -- the page's own
    assert.equal("test", byname.page.meta.collection)               -- caller's
    assert.equal("Front matter title", byname.note.meta.title)
    assert.equal("feed", byname["rec-1"].meta.source)
    assert.equal(byname.page.tokens, byname.note.tokens)
    os.execute("rm -rf " .. dir)
  end)

  it("name the file and line of a bad JSON Lines record, storing nothing", function()
    local f = H.tmp(".jsonl")
    H.write(f, '{"text": "Fine."}\n{"text": oops}\n')
    local c <close> = dossier.open(H.tmp(".db"))
    assert.has_error(function() c:add(f) end)
    local ok, err = pcall(c.add, c, f)
    assert.truthy(err:find(f .. ":2: not a JSON object", 1, true), err)
    assert.equal(0, c:info().documents)
    H.write(f, '{"title": "no text"}\n')
    ok, err = pcall(c.add, c, f)
    assert.equal(f .. ":1: the record has no string field `text`", err)
  end)
end)

local function utf16le(s)
  local out = {"\255\254"}
  for _, cp in utf8.codes(s) do
    if cp >= 0x10000 then
      cp = cp - 0x10000
      local hi, lo = 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)
      out[#out + 1] = string.char(hi & 0xFF, hi >> 8, lo & 0xFF, lo >> 8)
    else
      out[#out + 1] = string.char(cp & 0xFF, cp >> 8)
    end
  end
  return table.concat(out)
end

describe("offsets back to the raw bytes", function()
  -- The raw bytes at a token's raw_from..raw_to, read as a text of their own (decoded
  -- and normalized, with `prefix` such as a byte order mark), are the token; a word
  -- rejoined across a line break is read without its hyphen and line break.
  local function check_tokens(raw, opts, prefix)
    local d = dossier.parse(raw, opts)
    local n = 0
    for _, s in ipairs(d.sentences) do
      for _, t in ipairs(s.tokens) do
        local got = dossier.parse((prefix or "") .. raw:sub(t.raw_from, t.raw_to),
                                  {clean = false, tag = false, encoding = opts.encoding}).text
        if got ~= t.word then
          got = got:gsub("%-[ \t]*\n[ \t]*", ""):gsub("\n[ \t]*", "")   -- rejoined words
        end
        assert.equal(t.word, got)
        n = n + 1
      end
    end
    return n
  end

  it("map each token of the sample corpus, also with CRLF line ends", function()
    for _, f in ipairs(H.seed_files()) do
      local raw = H.read(f)
      local n = check_tokens(raw, {tag = false})
      assert.equal(n, check_tokens(raw:gsub("\n", "\r\n"), {tag = false}))
      assert.is_true(n > 400)
    end
  end)

  it("map through UTF-16, ISO 8859-1, a byte order mark and NFC", function()
    local raw = H.read("corpus/seeds/2023-register-xi-putin-ai-infosec.txt")
    assert.is_true(check_tokens(utf16le(raw), {tag = false}, "\255\254") > 400)
    check_tokens("\239\187\191Caf\195\169 in M\195\188nchen,\r\nna\195\175ve", {tag = false})
    check_tokens("Caf\233 in M\252nchen,\r\nna\239ve", {tag = false, encoding = "latin1"})
    -- decomposed e + U+0301 becomes one character; its token still maps to both
    local d = dossier.parse("The cafe\204\129 opened.", {tag = false})
    local t = d.sentences[1].tokens[2]
    assert.equal("caf\195\169", t.word)
    assert.same({5, 10}, {t.raw_from, t.raw_to})
  end)

  -- What a slice of HTML or Markdown source reads as: tags dropped (HTML), backslash
  -- escapes undone (Markdown), character references decoded.
  local ENTITIES = {amp = "&", lt = "<", gt = ">", quot = '"', apos = "'", nbsp = "\194\160",
                    eacute = "\195\169", copy = "\194\169"}
  local function unmark(s, fmt)
    if fmt == "html" then s = s:gsub("<[^>]*>", "") else s = s:gsub("\\(%p)", "%1") end
    s = s:gsub("&#[xX](%x+);?", function(h) return utf8.char(tonumber(h, 16)) end)
    s = s:gsub("&#(%d+);?", function(d) return utf8.char(tonumber(d)) end)
    return (s:gsub("&(%a+);?", ENTITIES))
  end

  -- Each token's raw slice is the token, or reads as it (unmark); UTF-16 slices are
  -- decoded first. Returns the number of tokens and of slices that needed unmark.
  local function check_markup(raw, fmt, bUtf16)
    local d = dossier.parse(raw, {format = fmt, tag = false})
    local n, nMarked = 0, 0
    for _, s in ipairs(d.sentences) do
      for _, t in ipairs(s.tokens) do
        local got = raw:sub(t.raw_from, t.raw_to)
        if bUtf16 then got = dossier.parse("\255\254" .. got, {clean = false, tag = false}).text end
        if got ~= t.word then
          got = unmark(got, fmt)
          nMarked = nMarked + 1
        end
        assert.equal(t.word, got)
        n = n + 1
      end
    end
    return n, nMarked
  end

  -- The raw slices of the tokens of raw, in order.
  local function slices(raw, opts)
    local d = dossier.parse(raw, opts)
    local out = {}
    for _, s in ipairs(d.sentences) do
      for _, t in ipairs(s.tokens) do out[#out + 1] = raw:sub(t.raw_from, t.raw_to) end
    end
    return out, d
  end

  it("map each token of the HTML and Markdown sample pages, also with CRLF and UTF-16", function()
    local total, marked = 0, 0
    for _, f in ipairs(H.seed_files()) do
      local paras = paragraphs_of(H.read(f))
      local html, md = as_html(paras), as_markdown(paras)
      local n, m = check_markup(html, "html")
      assert.is_true(n > 400)
      assert.equal(n, (check_markup((html:gsub("\n", "\r\n")), "html")))
      assert.equal(n, (check_markup(utf16le(html), "html", true)))
      local nMd = check_markup(md, "md")
      assert.is_true(nMd > 400)
      assert.equal(nMd, (check_markup((md:gsub("\n", "\r\n")), "md")))
      total, marked = total + 3 * n + 2 * nMd, marked + m
    end
    assert.is_true(total > 20000 and marked > 0, total .. " " .. marked)
  end)

  it("map HTML character references, <br> and inline tags to their source", function()
    local raw = "<p>AT&amp;T and Sino-<b>Russian</b> Hua<b>wei</b> caf&eacute;s,<br>&copy2023 " ..
                "&#8217;&#x41;&#3111111111;</p>"
    local got, d = slices(raw, {format = "html", tag = false})
    assert.equal("AT&T and Sino-Russian Huawei cafés,\n©2023 ’A\239\191\189", d.text)
    assert.same({"AT", "&amp;", "T", "and", "Sino", "-", "Russian", "Hua<b>wei", "caf&eacute;s", ",",
                 "&copy", "2023", "&#8217;", "&#x41;", "&#3111111111;"}, got)
    -- a control character gumbo reads as U+FFFD maps to itself; a reference without `;`
    raw = "<p>x\1y &#111z</p>"
    got, d = slices(raw, {format = "html", tag = false})
    assert.equal("x\239\191\189y oz", d.text)
    assert.same({"x", "\1", "y", "&#111z"}, got)
    -- blocks and the lines of a <br> map to their own source
    raw = "<h1>Head</h1>\n<p>one<br>two</p>"
    d = dossier.parse(raw, {format = "html", tag = false})
    assert.equal("Head\n\none\ntwo", d.text)
    local p1, p2 = d.paragraphs[1], d.paragraphs[2]
    assert.same({"Head", "one<br>two"}, {raw:sub(p1.raw_from, p1.raw_to), raw:sub(p2.raw_from, p2.raw_to)})
  end)

  it("map CRLF and UTF-16 HTML to the raw bytes", function()
    local raw = "<p>Caf&eacute;\r\nin <i>M\195\188nchen</i></p>\r\n"
    assert.same({"Caf&eacute;", "in", "M\195\188nchen"}, slices(raw, {format = "html", tag = false}))
    local u = utf16le(raw)
    local got = {}
    for _, s in ipairs(slices(u, {format = "html", tag = false})) do
      got[#got + 1] = dossier.parse("\255\254" .. s, {clean = false, tag = false}).text
    end
    assert.same({"Caf&eacute;", "in", "M\195\188nchen"}, got)
  end)

  it("map Markdown emphasis, links, code spans, escapes and references, after front matter", function()
    local raw = "---\ntitle: T\n---\n# A *bold* head\n\nSino-**Russian** [link text](http://x.org/) " ..
                "`code  span` \\*not\\* &amp; caf&eacute;\n  indented line.\n\n```\nfenced\n```\n"
    local got, d = slices(raw, {format = "md", tag = false})
    assert.equal("A bold head\n\nSino-Russian link text code span *not* & café indented line.\n\nfenced", d.text)
    assert.same({"A", "bold", "head", "Sino", "-", "Russian", "link", "text", "code", "span", "\\*", "not",
                 "\\*", "&amp;", "caf&eacute;", "indented", "line", ".", "fenced"}, got)
    assert.equal("---\ntitle: T\n---\n# ", raw:sub(1, d.sentences[1].tokens[1].raw_from - 1))
    -- cmark's columns on later lines of a paragraph: a code span over two lines, a lazy
    -- continuation line, an indented one
    raw = "* item `code\nspan` end\nlazy line\n   indented *line*\n"
    got, d = slices(raw, {format = "md", tag = false})
    assert.equal("item code span end lazy line indented line", d.text)
    assert.same({"item", "code", "span", "end", "lazy", "line", "indented", "line"}, got)
    -- a tab cmark expands to spaces in indented code
    got = slices("- x\n\n      \tcode here\n", {format = "md", tag = false})
    assert.same({"x", "code", "here"}, got)
    assert.same({9, 12, 14, 17}, {d.sentences[1].tokens[2].raw_from, d.sentences[1].tokens[2].raw_to,
                                  d.sentences[1].tokens[3].raw_from, d.sentences[1].tokens[3].raw_to})
  end)

  it("map the explained changes to the raw lines", function()
    local raw = H.read(CHAPTER):gsub("\n", "\r\n")
    local d = dossier.parse(raw, {tag = false})
    assert.is_true(#d.changes > 40)
    for _, c in ipairs(d.changes) do
      local line = raw:sub(c.raw_from, c.raw_to)
      assert.falsy(line:find("[\r\n]"), line)
      local n = 1
      for _ in raw:sub(1, c.raw_from - 1):gmatch("\n") do n = n + 1 end
      assert.equal(c.line, n)
    end
  end)
end)

describe("bad input", function()
  after_each(H.cleanup)

  it("converts UTF-16 with a byte order mark, and drops a UTF-8 one", function()
    assert.equal("Moscow – Beijing 🇷🇺.", dossier.parse(utf16le("Moscow – Beijing 🇷🇺.")).text)
    assert.equal("Text.", dossier.parse("\239\187\191Text.").text)
    assert.has_error(function() dossier.parse("\255\254A\0\0\216", {name = "u.txt"}) end,
      "u.txt: invalid UTF-16 at byte 4 (unpaired surrogate)")
  end)

  it("reads ISO 8859-1 on request, and otherwise names the first bad byte", function()
    local latin = "Caf\233 in M\252nchen, CRLF\r\nline."
    assert.has_error(function() dossier.parse(latin, {name = "l.txt"}) end,
      "l.txt: invalid UTF-8 at byte 3 (line 1, column 4)")
    assert.equal("Café in München, CRLF\nline.", dossier.parse(latin, {encoding = "latin1"}).text)
  end)

  it("skips binary and empty files in a directory with a warning, refuses them alone", function()
    local dir = H.tmp(".dir")
    os.execute("mkdir -p " .. dir)
    H.write(dir .. "/a.txt", "Huawei builds 5G networks.")
    H.write(dir .. "/b.txt", "\0\1\2binary")
    H.write(dir .. "/c.txt", "  \n\n ")
    local c <close> = dossier.open(H.tmp(".db"))
    local warnings = {}
    assert.equal(1, c:add(dir, {warn = function(m) warnings[#warnings + 1] = m end}))
    table.sort(warnings)
    assert.same({dir .. "/b.txt: binary file, skipped", dir .. "/c.txt: empty file, skipped"}, warnings)
    assert.has_error(function() c:add(dir .. "/b.txt") end, dir .. "/b.txt: binary file (NUL byte at byte 0)")
    assert.has_error(function() c:add(dir .. "/c.txt") end, dir .. "/c.txt: no text (empty or blank)")
    assert.equal(1, c:info().documents)
    os.execute("rm -rf " .. dir)
  end)

  it("judges a directory's file by its first 8 KiB: a NUL after them is the reader's to find", function()
    local dir = H.tmp(".dir")
    os.execute("mkdir -p " .. dir)
    local text = ("China and Russia signed an agreement. "):rep(300)      -- 11,400 bytes
    H.write(dir .. "/a.txt", text:sub(1, 8191) .. "\0" .. text:sub(8193))
    H.write(dir .. "/b.txt", (" "):rep(8192) .. "Huawei builds 5G networks.")
    H.write(dir .. "/c.txt", "\255\254" .. ("H\0u\0a\0w\0e\0i\0"):rep(2))      -- UTF-16 with its mark
    local warnings = {}
    local c <close> = dossier.open(H.tmp(".db"))
    assert.equal(1, c:add(dir .. "/c.txt", {tag = false}))
    assert.equal("HuaweiHuawei", c:text("c"))
    local d <close> = dossier.open(H.tmp(".db"))
    -- a.txt: NUL at byte 8191 (the 8,192nd); b.txt: only spaces in its first 8 KiB
    assert.equal(1, d:add({dir .. "/c.txt", dir}, {tag = false, warn = function(m) warnings[#warnings + 1] = m end}))
    table.sort(warnings)
    assert.same({dir .. "/a.txt: binary file, skipped", dir .. "/b.txt: empty file, skipped"}, warnings)
    H.write(dir .. "/a.txt", text:sub(1, 8192) .. "\0" .. text:sub(8194))
    os.remove(dir .. "/b.txt")
    local e <close> = dossier.open(H.tmp(".db"))
    assert.has_error(function() e:add(dir, {tag = false}) end, dir .. "/a.txt: binary file (NUL byte at byte 8192)")
    os.execute("rm -rf " .. dir)
  end)

  it("refuses HTML nested past the limit, naming the file and byte, and stores nothing", function()
    local f = H.tmp(".html")
    H.write(f, "<html><body>" .. ("<div>"):rep(1000000) .. "x" .. ("</div>"):rep(1000000))
    local c <close> = dossier.open(H.tmp(".db"))
    c:add_text("Huawei builds 5G networks.", "kept")
    assert.has_error(function() c:add(f) end,
      -- <html>, <body> and 998 <div> are open at the 999th <div>
      f .. ": HTML elements nested more than 1000 deep (<div> at byte 5002)")
    assert.equal(1, c:info().documents)
    -- unclosed formatting elements nest too
    assert.has_error(function() dossier.parse("<p>" .. ("<b>"):rep(1000000) .. "x", {format = "html", name = "b.html"}) end,
      "b.html: HTML elements nested more than 1000 deep (<b> at byte 3000)")
  end)

  it("read a huge attribute value and a sentence of 10^6 tokens", function()
    local d = dossier.parse('<p title="' .. ("a>"):rep(5000000) .. '">Xi met Putin.</p>', {format = "html", tag = false})
    assert.equal("Xi met Putin.", d.text)
    local words = ("word "):rep(1000000)
    for _, fmt in ipairs({"txt", "html"}) do
      d = dossier.parse(fmt == "html" and "<p>" .. words .. "</p>" or words, {format = fmt, tag = false})
      assert.equal(1, #d.sentences)
      assert.equal(1000000, #d.sentences[1].tokens)
    end
  end)

  it("normalizes metadata dates to ISO 8601", function()
    local c <close> = dossier.open(H.tmp(".db"))
    c:add_text("A text.", "a", {date = "December 7, 2015"})
    c:add_text("Another text.", "b", {date = "not a date"})
    local docs = c:docs()
    assert.equal("2015-12-07", docs[1].meta.date)
    assert.equal("not a date", docs[2].meta.date)
  end)
end)
