-- Presentation: aligned text tables, concordance lines, TSV and JSON.
local M = {}

-- Display width of a string: code points (wide characters count as one; good enough
-- for the scripts our texts use).
local function width(s)
  return utf8.len(s) or #s
end
M.width = width

-- s with each byte that is not part of valid UTF-8 replaced by U+FFFD.
local function valid_utf8(s)
  if utf8.len(s) then return s end
  local out, i = {}, 1
  while i <= #s do
    local n, bad = utf8.len(s, i)
    if n then out[#out + 1] = s:sub(i); break end
    out[#out + 1] = s:sub(i, bad - 1)
    out[#out + 1] = "\u{FFFD}"
    i = bad + 1
  end
  return table.concat(out)
end
M.valid_utf8 = valid_utf8

-- s safe to print on a terminal: valid UTF-8 (U+FFFD for bad bytes), and control
-- characters (C0 but tab and line feed, DEL, C1: the start of escape sequences) shown as
-- \xHH or \u{HH} instead of acting. Document names and metadata come from outside.
function M.printable(s)
  s = valid_utf8(tostring(s))
  s = s:gsub("[%z\1-\8\11-\31\127]", function(c) return string.format("\\x%02X", c:byte()) end)
  return (s:gsub("\194([\128-\159])", function(c) return string.format("\\u{%02X}", c:byte()) end))
end

local function pad(s, w, right)
  local n = w - width(s)
  if n <= 0 then return s end
  return right and (string.rep(" ", n) .. s) or (s .. string.rep(" ", n))
end

-- Cut s to at most w display characters, marking the cut with "…".
function M.truncate(s, w)
  if width(s) <= w then return s end
  local cut = utf8.offset(s, w) or (#s + 1)
  return s:sub(1, cut - 1) .. "…"
end

-- An aligned table. rows: list of records; columns: list of field names (default:
-- the sorted keys of the first row). Numbers are right-aligned. opts.max: widest
-- column in characters (default 60).
function M.table(rows, columns, opts)
  opts = opts or {}
  local max = opts.max or 60
  if not columns then
    columns = {}
    for k in pairs(rows[1] or {}) do columns[#columns + 1] = tostring(k) end
    table.sort(columns)
  end
  local cells, widths, numeric = {}, {}, {}
  for c, name in ipairs(columns) do
    widths[c] = width(name)
    numeric[c] = true
  end
  for r, row in ipairs(rows) do
    cells[r] = {}
    for c, name in ipairs(columns) do
      local v = row[name]
      if v ~= nil and math.type(v) == nil then numeric[c] = false end
      local s = v == nil and "" or M.truncate(M.printable((tostring(v):gsub("[\n\t]", " "))), max)
      cells[r][c] = s
      if width(s) > widths[c] then widths[c] = width(s) end
    end
  end
  local out = {}
  local head, rule = {}, {}
  for c, name in ipairs(columns) do
    head[c] = pad(name, widths[c], numeric[c])
    rule[c] = string.rep("-", widths[c])
  end
  out[1] = (table.concat(head, "  "):gsub("%s+$", ""))
  out[2] = table.concat(rule, "  ")
  for r = 1, #rows do
    local line = {}
    for c = 1, #columns do line[c] = pad(cells[r][c], widths[c], numeric[c]) end
    out[#out + 1] = (table.concat(line, "  "):gsub("%s+$", ""))
  end
  return table.concat(out, "\n")
end

-- Concordance lines aligned on the match: `doc  left [match] right`. Document names are
-- never cut (two cut names could look alike); opts.docwidth cuts them on request.
function M.kwic(rows, opts)
  opts = opts or {}
  local w = opts.width or 40
  local docw = 0
  for _, r in ipairs(rows) do docw = math.max(docw, width(M.printable(r.doc))) end
  -- docw: the same for every chunk; names are cut only when a width is asked for
  docw = opts.docw or (opts.docwidth and math.min(docw, opts.docwidth)) or docw
  local out = {}
  for i, r in ipairs(rows) do
    out[i] = string.format("%s  %s[%s]%s", pad(M.truncate(M.printable(r.doc), docw), docw),
      pad(M.printable(r.left), w, true), M.printable(r.match), M.printable(r.right))
  end
  return table.concat(out, "\n")
end

local MARKUP = {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;"}

-- A value as HTML, XML or SVG text or attribute: & < > " ' escaped.
function M.markup(v)
  return (tostring(v == nil and "" or v):gsub("[&<>\"']", MARKUP))
end

-- One TSV field: tabs and line breaks become spaces, control characters are shown.
function M.tsv_field(v)
  return M.printable((tostring(v == nil and "" or v):gsub("[\t\r\n]", " ")))
end

function M.tsv(rows, columns)
  local out = {table.concat(columns, "\t")}
  for _, row in ipairs(rows) do
    local f = {}
    for c, name in ipairs(columns) do f[c] = M.tsv_field(row[name]) end
    out[#out + 1] = table.concat(f, "\t")
  end
  return table.concat(out, "\n")
end

local cjson
-- JSON text of a Lua value (lua-cjson).
-- Strings (keys too) are made valid UTF-8 first: cjson would pass bad bytes through
-- and write invalid JSON; it escapes control characters itself.
local ARRAY = {}                     -- metatable of tables that are JSON arrays even when empty
local EMPTY = "\1dossier-empty-array\1"

-- Mark t as a JSON array: written [] when empty (cjson writes an empty table as {}).
function M.array(t) return setmetatable(t or {}, ARRAY) end

local function json_safe(v, depth)
  if type(v) == "string" then return valid_utf8(v) end
  if type(v) ~= "table" or depth > 100 then return v end
  if getmetatable(v) == ARRAY and next(v) == nil then return EMPTY end
  local out = {}
  for k, x in pairs(v) do out[json_safe(k, depth + 1)] = json_safe(x, depth + 1) end
  return setmetatable(out, getmetatable(v))
end

function M.json(v)
  cjson = cjson or require "cjson"
  -- (cjson writes the marker's control characters as \u0001)
  return (cjson.encode(json_safe(v, 0)):gsub('"\\u0001dossier%-empty%-array\\u0001"', "[]"))
end

-- Thousands separators for counts shown to people.
function M.count(n)
  local s = tostring(n)
  local int, rest = s:match("^(-?%d+)(.*)$")
  if not int then return s end
  int = int:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^(-?),", "%1")
  return int .. rest
end

-- Human-readable byte size.
function M.bytes(n)
  if n < 1024 then return n .. " B" end
  if n < 1024 * 1024 then return string.format("%.1f KiB", n / 1024) end
  if n < 1024 ^ 3 then return string.format("%.1f MiB", n / 1024 ^ 2) end
  return string.format("%.2f GiB", n / 1024 ^ 3)
end

return M
