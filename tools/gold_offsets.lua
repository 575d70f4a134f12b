#!/usr/bin/env lua5.4
-- Turns hand-written annotations (spec/data/extract-gold/ann/*.ann) into the gold TSV of
-- `dossier extract` (doc start end text type value; byte offsets in the clean text,
-- 0-based start, end exclusive). See spec/data/extract-gold/README.md for the format.
--
--   lua5.4 tools/gold_offsets.lua ANN_FILE... [-o OUT_DIR]   (OUT_DIR: the .tsv files)
--   lua5.4 tools/gold_offsets.lua --check ANN_FILE...        (no output, errors only)
--
-- Each .ann line is  TYPE <tab> VALUE <tab> SPEC  ('-' as VALUE: empty). SPEC is
--   text             the text must occur exactly once in the clean text;
--   left[[text]]right   the whole must occur exactly once; the span is `text`;
--   *text            every occurrence of text not overlapping an earlier line's span.
-- In SPEC a space matches any run of white space (line breaks included); a match must
-- not start or end inside a word. A line `@doc PATH` (first) names the document.
-- Any other failure (text not found, found twice, spans of non-quote kinds overlapping,
-- an unknown type) stops the script with the line's number.

local self_path = debug.getinfo(1, "S").source:match("^@(.*)$") or ""
local dir = self_path:match("^(.*)/[^/]*$") or "."
local root = dir .. "/.."
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
package.cpath = root .. "/lua/?.so;" .. package.cpath

local M = {}

M.types = {PERSON = true, ORG = true, GPE = true, LOC = true, TECH = true, POLICY = true,
           EVENT = true, date = true, money = true, percent = true, cite = true, url = true,
           quote = true}

-- The clean text of a document as `dossier tag`/`extract` see it (the same options).
function M.clean_text(path)
  local dossier = require "dossier"
  local f = assert(io.open(path, "rb"))
  local raw = f:read("a")
  f:close()
  return dossier.parse(raw, {name = path, format = "txt", tag = false}).text
end

-- Is the character that ends just before byte i (or starts at byte i) a letter or digit?
local function char_before(s, i)
  if i <= 1 then return nil end
  local j = i - 1
  while j > 1 and s:byte(j) >= 0x80 and s:byte(j) < 0xC0 do j = j - 1 end
  return utf8.codepoint(s, j, j, true) -- lax: the text is UTF-8
end
local function char_at(s, i)
  if i > #s then return nil end
  local ok, c = pcall(utf8.codepoint, s, i, i, true)
  return ok and c or nil
end
local function wordy(c)
  if not c then return false end
  if c < 0x80 then return string.char(c):match("[%w]") ~= nil end
  -- Latin letters with diacritics, Greek, Cyrillic; not punctuation (U+2000..) or symbols
  return (c >= 0xC0 and c <= 0x24F and c ~= 0xD7 and c ~= 0xF7) or (c >= 0x370 and c <= 0x52F)
end

local function to_pattern(lit)
  local p = lit:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")
  return (p:gsub(" +", "%%s+"))
end

-- All occurrences of spec in text: list of {from, to} (1-based inclusive, of the span).
function M.occurrences(text, spec)
  local left, mid, right = spec:match("^(.-)%[%[(.-)%]%](.*)$")
  if not left then left, mid, right = "", spec, "" end
  if mid == "" then error("empty span", 0) end
  local pat = to_pattern(left) .. "()" .. to_pattern(mid) .. "()" .. to_pattern(right)
  local out, init = {}, 1
  while true do
    local s, e, a, b = text:find(pat, init)
    if not s then break end
    if not wordy(char_before(text, s)) or not wordy(char_at(text, s)) then
      if not wordy(char_at(text, e + 1)) or not wordy(char_before(text, e + 1)) then
        out[#out + 1] = {a, b - 1}
      end
    end
    init = s + 1
  end
  return out
end

local function overlaps(a, b) return a[1] <= b[2] and b[1] <= a[2] end

-- Reads one .ann file: doc path and the list of rows {doc, start, end, text, type, value}
-- sorted by start (0-based start, end exclusive).
function M.convert(ann_path, text_of)
  text_of = text_of or M.clean_text
  local f = assert(io.open(ann_path, "rb"))
  local doc, text
  local spans = {}    -- {from, to, type, value, line}
  local n = 0
  local function fail(msg) error(string.format("%s:%d: %s", ann_path, n, msg), 0) end
  for line in f:lines() do
    n = n + 1
    if line:match("^@doc%s") then
      doc = line:match("^@doc%s+(%S+)")
      text = text_of(doc)
    elseif line:match("%S") and not line:match("^%s*#") then
      if not text then fail("no '@doc PATH' line before the first annotation") end
      local ty, val, spec = line:match("^([^\t]+)\t([^\t]*)\t(.+)$")
      if not ty then fail("expected TYPE<tab>VALUE<tab>SPEC") end
      if not M.types[ty] then fail("unknown type " .. ty) end
      if val == "-" then val = "" end
      local all = spec:sub(1, 1) == "*"
      if all then spec = spec:sub(2) end
      local ok, occ = pcall(M.occurrences, text, spec)
      if not ok then fail(occ) end
      if #occ == 0 then fail("not found: " .. spec) end
      if all then
        local added = 0
        for _, o in ipairs(occ) do
          local free = true
          for _, sp in ipairs(spans) do
            if sp.type ~= "quote" and ty ~= "quote" and overlaps(o, sp) then free = false break end
          end
          if free then
            spans[#spans + 1] = {o[1], o[2], type = ty, value = val, line = n}
            added = added + 1
          end
        end
        if added == 0 then fail("every occurrence is taken already: " .. spec) end
      else
        if #occ > 1 then
          fail(string.format("%d occurrences (give context as left[[text]]right): %s", #occ, spec))
        end
        local o = occ[1]
        for _, sp in ipairs(spans) do
          if sp.type ~= "quote" and ty ~= "quote" and overlaps(o, sp) then
            fail(string.format("overlaps the span of line %d: %s", sp.line, text:sub(sp[1], sp[2])))
          end
          if sp.type == ty and sp[1] == o[1] and sp[2] == o[2] then
            fail(string.format("same span as line %d", sp.line))
          end
        end
        spans[#spans + 1] = {o[1], o[2], type = ty, value = val, line = n}
      end
    end
  end
  f:close()
  if not doc then error(ann_path .. ": no '@doc PATH' line", 0) end
  table.sort(spans, function(a, b)
    if a[1] ~= b[1] then return a[1] < b[1] end
    if a[2] ~= b[2] then return a[2] > b[2] end
    return a.type < b.type
  end)
  local rows = {}
  for i, sp in ipairs(spans) do
    rows[i] = {doc = doc, start = sp[1] - 1, stop = sp[2], text = text:sub(sp[1], sp[2]),
               type = sp.type, value = sp.value}
  end
  return doc, rows
end

-- TSV field escaping: backslash, tab, newline, carriage return.
function M.escape(s)
  return (s:gsub("[\\\t\n\r]", {["\\"] = "\\\\", ["\t"] = "\\t", ["\n"] = "\\n", ["\r"] = "\\r"}))
end

function M.tsv(rows)
  local out = {"doc\tstart\tend\ttext\ttype\tvalue"}
  for _, r in ipairs(rows) do
    out[#out + 1] = table.concat({r.doc, r.start, r.stop, M.escape(r.text), r.type,
                                  M.escape(r.value)}, "\t")
  end
  return table.concat(out, "\n") .. "\n"
end

local function main(args)
  local files, outdir, check = {}, nil, false
  local i = 1
  while i <= #args do
    if args[i] == "-o" then outdir = args[i + 1]; i = i + 1
    elseif args[i] == "--check" then check = true
    else files[#files + 1] = args[i] end
    i = i + 1
  end
  if #files == 0 then
    io.stderr:write("usage: lua5.4 tools/gold_offsets.lua [--check] ANN_FILE... [-o OUT_DIR]\n")
    return 2
  end
  for _, path in ipairs(files) do
    local ok, doc, rows = pcall(M.convert, path)
    if not ok then io.stderr:write("gold_offsets: ", doc, "\n"); return 1 end
    local counts = {}
    for _, r in ipairs(rows) do counts[r.type] = (counts[r.type] or 0) + 1 end
    local names = {}
    for k in pairs(counts) do names[#names + 1] = k end
    table.sort(names)
    local parts = {}
    for _, k in ipairs(names) do parts[#parts + 1] = k .. " " .. counts[k] end
    io.stderr:write(string.format("%s: %d spans (%s)\n", doc, #rows, table.concat(parts, ", ")))
    if not check then
      local out = M.tsv(rows)
      if outdir then
        local name = doc:match("([^/]+)$"):gsub("%.[^.]*$", "") .. ".tsv"
        local f = assert(io.open(outdir .. "/" .. name, "wb"))
        f:write(out)
        f:close()
      else
        io.write(out)
      end
    end
  end
  return 0
end

if arg and arg[0] and arg[0]:match("gold_offsets%.lua$") then os.exit(main(arg)) end
return M
