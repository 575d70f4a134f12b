-- PDF input through Poppler: spec/data/pdf/ holds PDFs written by hand by
-- tools/make_test_pdfs.lua; the expected text is the text that script draws (read it
-- there), page by page, with its furniture taken off as a reader of the printed pages
-- would.
local dossier = require "dossier"
local H = require "helpers"
local cjson = require "cjson"

local PDF = "spec/data/pdf/"

describe("the PDF reader", function()
  after_each(H.cleanup)

  it("reads each page's text and cleans it on the real pages", function()
    local d = dossier.parse(H.read(PDF .. "report.pdf"), {format = "pdf", name = "report.pdf", tag = false})
    -- page 1: running head, title, three lines (a word hyphenated across the first two,
    -- a footnote marker after `networks.`), a footnote, a page number; page 2 goes on
    -- with the cut sentence; page 3 a heading and a line. Drawn in that order. The title
    -- and the heading stand apart from what follows (more space above the next line
    -- than between the lines of a paragraph): paragraphs of their own.
    local want = "Digital Cooperation in Practice\n\n" ..
      "The partners signed agreements on satellite navigation and on the surveillance of " ..
      "networks. China’s firms supply equipment to Russian operators,\n" ..
      "and the two governments promised closer cooperation between their\n" ..
      "research institutes in artificial intelligence and semiconductors.\n" ..
      "Sanctions made this cooperation more urgent for Moscow.\n\n" ..
      "Conclusions\n\nHuawei opened a research centre in Moscow in 2020.\n\n" ..
      "1 See the joint statement of 2019.\n"
    assert.equal(want, d.text)
    local rules = {}
    for _, c in ipairs(d.changes) do rules[#rules + 1] = c.rule end
    -- 3 running heads, 3 page numbers, 1 footnote moved and its marker, 1 hyphen, 1 page join
    table.sort(rules)
    assert.same({"footnotes", "footnotes", "furniture", "furniture", "furniture", "furniture",
                 "furniture", "furniture", "hyphens", "pagebreaks"}, rules)
    assert.equal("footnote", d.paragraphs[#d.paragraphs].kind)
  end)

  it("takes a browser's print furniture off: date and title at the head, address and N/M at the foot", function()
    -- printed.pdf: two sample documents printed by Chromium (tools/make_printed_pdf.sh),
    -- four pages; printed.txt: their paragraphs, the text it was printed from
    local d = dossier.parse(H.read(PDF .. "printed.pdf"), {format = "pdf", name = "printed.pdf", tag = false,
                                                           recognize = false})
    assert.is_nil(d.text:find("12/6/26", 1, true))
    assert.is_nil(d.text:find("file:///", 1, true))
    for n = 1, 4 do assert.is_nil(d.text:find("\n" .. n .. "/4\n", 1, true)) end
    assert.is_nil(d.text:find("Digital partnership", 1, true))         -- the page's title
    local src = dossier.parse(H.read(PDF .. "printed.txt"):gsub("\n", "\n\n"), {tag = false, recognize = false})
    local function words(t)
      local w = {}
      for x in t:gsub("\u{A0}", " "):gmatch("%S+") do w[#w + 1] = x end
      return w
    end
    local a, b = words(src.text), words(d.text)
    -- the same words, but for two known departures: `pre-existent` broken at a line end
    -- is joined as the word list has it (`preexistent`), and a donation appeal wrapped
    -- differently keeps the two lines that do not hold its phrases
    local kept = table.concat(b, " "):gsub("Are you enjoying open access to policy and research published by a broad ", "", 1)
                                      :gsub(" this service%.", "", 1):gsub("preexistent", "pre-existent", 1)
    assert.equal(table.concat(a, " "), kept)
  end)

  it("gives paragraphs within a page from the layout: space above, a first-line indent", function()
    local d = dossier.parse(H.read(PDF .. "paragraphs.pdf"), {format = "pdf", name = "paragraphs.pdf", tag = false})
    -- the lines tools/make_test_pdfs.lua draws, grouped as it sets them: a title (16 pt,
    -- 30 pt above the next line); two lines; after a skipped line (28 pt, lines 14 pt
    -- apart), two; an indented first line and the next back at the margin, twice; after
    -- a skipped line, a list whose second line hangs: lines that run on, one paragraph
    local want = {
      {"heading", "Sanctions and Substitution"},
      {"text", "Russian firms turned to Chinese suppliers after 2014. The change was slow\n" ..
               "at first, and then sudden."},
      {"text", "Huawei and ZTE took over much of the market for network equipment,\n" ..
               "while Chinese banks stayed careful, fearing secondary sanctions."},
      {"text", "The state banks kept their distance. Smaller regional banks took on\n" ..
               "the payments that the large ones refused."},
      {"text", "Both governments spoke of a strategic partnership in technology:\n" ..
               "joint laboratories, shared standards and common platforms."},
      {"text", "- satellite navigation, where GLONASS and BeiDou were to work\ntogether;\n" ..
               "- semiconductors, where little came of the plans."},
    }
    local got = {}
    for i, p in ipairs(d.paragraphs) do got[i] = {p.kind, d.text:sub(p.from, p.to)} end
    assert.same(want, got)
    -- sentences do not run across a paragraph's end: "sudden." ends one, "Huawei" starts one
    local starts = {}
    for _, s in ipairs(d.sentences) do starts[s.tokens[1].word] = true end
    assert.is_true(starts.Huawei and starts.The and starts.Both)
  end)

  it("takes title, authors, date and pages from the document information", function()
    local d = dossier.parse(H.read(PDF .. "report.pdf"), {format = "pdf", tag = false})
    assert.equal("Digital Cooperation in Practice", d.meta.title)
    assert.equal("A. Analyst; B. Writer", d.meta.authors)
    assert.equal("2023-04-15", d.meta.date)       -- CreationDate D:20230415120000Z
    assert.equal("3", d.meta.pages)
  end)

  it("keeps each page's text apart with a form feed when there is no clean-up", function()
    local d = dossier.parse(H.read(PDF .. "report.pdf"), {format = "pdf", clean = false, tag = false})
    local _, feeds = d.text:gsub("\f", "")
    assert.equal(2, feeds)                        -- three pages, two breaks
    assert.truthy(d.text:find("China-Russia Technology Review", 1, true))
  end)

  it("refuses encrypted, damaged and image-only PDFs naming the file", function()
    local cases = {
      ["encrypted.pdf"] = "encrypted.pdf: encrypted PDF (it needs a password",
      ["damaged.pdf"] = "damaged.pdf: damaged PDF",
      ["image-only.pdf"] = "image-only.pdf: no text in its 2 pages (scanned images? dossier does not do OCR)",
    }
    for file, msg in pairs(cases) do
      local rc, _, err = H.cli({"clean", PDF .. file})
      assert.equal(1, rc, file)
      assert.truthy(err:find(PDF .. msg, 1, true), err)
    end
    local ok, err = pcall(dossier.parse, "%PDF-1.4 not really", {format = "pdf", name = "x.pdf"})
    assert.is_false(ok)
    assert.truthy(tostring(err):find("x.pdf: damaged PDF", 1, true), err)
  end)

  it("indexes a directory's PDFs and names the types it passes over in one warning", function()
    local dir = H.tmp("-dir")
    assert(os.execute("mkdir -p " .. dir .. "/sub"))
    H.write(dir .. "/report.pdf", H.read(PDF .. "report.pdf"))
    H.write(dir .. "/notes.docx", "PK\3\4 not read")
    H.write(dir .. "/sub/table.csv", "a,b\n1,2\n")
    H.write(dir .. "/sub/more.csv", "a,b\n1,2\n")
    local db = H.tmp(".db")
    local rc, out, err = H.cli({"index", dir, "--db", db})
    assert.equal(0, rc, err)
    assert.truthy(out:find("added 1 document", 1, true), out)
    local _, nWarn = err:gsub("warning", "")
    assert.equal(1, nWarn, err)
    assert.truthy(err:find("skipped 3 files of types dossier does not read: .csv, .docx", 1, true), err)
    rc, out = H.cli({"query", "--db", db, '"surveillance"', "--count"})
    assert.equal("1\n", out)
    rc, out = H.cli({"query", "--db", db, '"Review"', "--count"})   -- the running head is gone
    assert.equal("0\n", out)
    rc, out = H.cli({"info", "--db", db, "--format", "json"})
    assert.equal(0, rc)
    assert.truthy(out:find("Digital Cooperation in Practice", 1, true))
    os.execute("rm -rf " .. dir)
  end)

  it("passes over a directory's encrypted, damaged and scanned PDFs with a warning each", function()
    local dir = H.tmp("-pdfs")
    assert(os.execute("mkdir -p " .. dir))
    for _, f in ipairs({"report.pdf", "encrypted.pdf", "damaged.pdf", "image-only.pdf"}) do
      H.write(dir .. "/" .. f, H.read(PDF .. f))
    end
    local db = H.tmp(".db")
    local rc, out, err = H.cli({"index", dir, "--db", db})
    assert.equal(0, rc, err)
    assert.truthy(out:find("added 1 document", 1, true), out)
    assert.truthy(err:find(dir .. "/encrypted.pdf: encrypted PDF (it needs a password; decrypt it first, e.g. qpdf --decrypt); skipped", 1, true), err)
    assert.truthy(err:find(dir .. "/damaged.pdf: damaged PDF", 1, true), err)
    assert.truthy(err:find(dir .. "/image-only.pdf: no text in its 2 pages (scanned images? dossier does not do OCR); skipped", 1, true), err)
    -- named alone, it is an error
    rc, _, err = H.cli({"index", dir .. "/encrypted.pdf", "--db", db})
    assert.equal(1, rc)
    assert.truthy(err:find("encrypted PDF", 1, true), err)
    os.execute("rm -rf " .. dir)
  end)
end)
