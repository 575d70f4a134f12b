-- Write the small PDF files of spec/data/pdf/ by hand (no PDF library): a three-page
-- report with running heads, page numbers, a footnote, a word hyphenated across a line
-- and a paragraph cut by a page break; a page of paragraphs set apart by space and by
-- first-line indents; an encrypted one; a damaged one; an image-only
-- one. Run from the project root: lua5.4 tools/make_test_pdfs.lua
-- The text is our own. Each page draws lines of Helvetica (WinAnsiEncoding, so \222 is
-- the typographic apostrophe U+2019) top to bottom, as a word processor would.

local out = arg[1] or "spec/data/pdf"

-- A PDF of the given objects (strings, numbered from 1), with a cross-reference table
-- of exact byte offsets; `trailer` is the trailer dictionary's extra entries.
local function pdf(objects, trailer)
  local parts, offsets = {"%PDF-1.4\n%\226\227\207\211\n"}, {}
  local n = #parts[1]
  for i, body in ipairs(objects) do
    offsets[i] = n
    local s = string.format("%d 0 obj\n%s\nendobj\n", i, body)
    parts[#parts + 1] = s
    n = n + #s
  end
  local xref = {string.format("xref\n0 %d\n0000000000 65535 f \n", #objects + 1)}
  for i = 1, #objects do xref[#xref + 1] = string.format("%010d 00000 n \n", offsets[i]) end
  parts[#parts + 1] = table.concat(xref)
  parts[#parts + 1] = string.format("trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n",
                                    #objects + 1, trailer or "", n)
  return table.concat(parts)
end

local function stream(content)
  return string.format("<< /Length %d >>\nstream\n%s\nendstream", #content, content)
end

-- A page's content: lines {y, text} at x = 72 in Helvetica 11 (a page number centred).
local function page_content(lines)
  local ops = {}
  for _, l in ipairs(lines) do
    local x = l.x or 72
    ops[#ops + 1] = string.format("BT /F1 %d Tf %d %d Td (%s) Tj ET", l.size or 11, x, l[1], l[2])
  end
  return table.concat(ops, "\n")
end

-- A document of pages (each a content string), with an Info dictionary (or none).
local function document(pages, info, extra_trailer)
  local objs = {}
  local nPages = #pages
  -- 1 catalog, 2 pages, 3 font, then per page: page, content; last: info
  objs[1] = "<< /Type /Catalog /Pages 2 0 R >>"
  local kids = {}
  for i = 1, nPages do kids[i] = string.format("%d 0 R", 2 + 2 * i) end
  objs[2] = string.format("<< /Type /Pages /Kids [%s] /Count %d >>", table.concat(kids, " "), nPages)
  objs[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
  for i, content in ipairs(pages) do
    objs[2 + 2 * i] = string.format("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " ..
      "/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 3 + 2 * i)
    objs[3 + 2 * i] = stream(content)
  end
  local trailer = extra_trailer or ""
  if info then
    objs[#objs + 1] = info
    trailer = trailer .. string.format("/Info %d 0 R ", #objs)
  end
  return pdf(objs, trailer)
end

local head = {750, "China-Russia Technology Review"}
local report = document({
  page_content({head,
    {700, "Digital Cooperation in Practice", size = 16},
    {660, "The partners signed agreements on satellite navigation and on the surveil-"},
    {646, "lance of networks.1 China\\222s firms supply equipment to Russian operators,"},
    {632, "and the two governments promised closer cooperation between their"},
    {100, "1 See the joint statement of 2019."},
    {60, "1", x = 300}}),
  page_content({head,
    {700, "research institutes in artificial intelligence and semiconductors."},
    {686, "Sanctions made this cooperation more urgent for Moscow."},
    {60, "2", x = 300}}),
  page_content({head,
    {700, "Conclusions"},
    {670, "Huawei opened a research centre in Moscow in 2020."},
    {60, "3", x = 300}}),
}, "<< /Title (Digital Cooperation in Practice) /Author (A. Analyst; B. Writer) " ..
   "/CreationDate (D:20230415120000Z) /ModDate (D:20230501090000Z) >>")

-- Paragraphs within a page, as a word processor sets them: a title; a paragraph of two
-- lines; after a skipped line, another; then two whose first lines are indented (no
-- space between); after a skipped line, a list with a hanging indent (its lines are
-- one paragraph).
local paragraphs = document({
  page_content({
    {720, "Sanctions and Substitution", size = 16},
    {690, "Russian firms turned to Chinese suppliers after 2014. The change was slow"},
    {676, "at first, and then sudden."},
    {648, "Huawei and ZTE took over much of the market for network equipment,"},
    {634, "while Chinese banks stayed careful, fearing secondary sanctions."},
    {620, "The state banks kept their distance. Smaller regional banks took on", x = 90},
    {606, "the payments that the large ones refused."},
    {592, "Both governments spoke of a strategic partnership in technology:", x = 90},
    {578, "joint laboratories, shared standards and common platforms."},
    {550, "- satellite navigation, where GLONASS and BeiDou were to work"},
    {536, "together;", x = 82},
    {522, "- semiconductors, where little came of the plans."}}),
}, "<< /Title (Sanctions and Substitution) >>")

-- Encrypted: a standard security handler whose user password is not empty (the O and
-- U strings are not those of the empty password), so no reader opens it without one.
local encrypted = document({page_content({{700, "Secret text."}})}, nil,
  "/Encrypt << /Filter /Standard /V 1 /R 2 /O <" .. string.rep("11", 32) .. "> /U <" ..
  string.rep("22", 32) .. "> /P -4 >> /ID [<00112233445566778899aabbccddeeff> " ..
  "<00112233445566778899aabbccddeeff>] ")

-- Image-only: each page paints a grey rectangle and has no text (a scan without OCR).
local image_only = document({"0.5 g 72 72 468 648 re f", "0.5 g 72 72 468 648 re f"})

-- Damaged: the header and then nothing a reader can rebuild.
local damaged = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\n" .. string.rep("\0", 64)

for name, bytes in pairs({["report.pdf"] = report, ["paragraphs.pdf"] = paragraphs, ["encrypted.pdf"] = encrypted,
                          ["image-only.pdf"] = image_only, ["damaged.pdf"] = damaged}) do
  local f = assert(io.open(out .. "/" .. name, "wb"))
  f:write(bytes)
  f:close()
end
