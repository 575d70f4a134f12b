-- Presentation: aligned text tables, concordance lines, TSV and JSON.
local M = {}

-- Display width of a string: code points (wide characters count as one; good enough
-- for the scripts our texts use).
local function width(s)
  return utf8.len(s) or #s
end
M.width = width

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
      local s = v == nil and "" or M.truncate(tostring(v):gsub("[\n\t]", " "), max)
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
  for _, r in ipairs(rows) do docw = math.max(docw, width(r.doc)) end
  if opts.docwidth then docw = math.min(docw, opts.docwidth) end
  local out = {}
  for i, r in ipairs(rows) do
    out[i] = string.format("%s  %s[%s]%s", pad(M.truncate(r.doc, docw), docw),
      pad(r.left, w, true), r.match, r.right)
  end
  return table.concat(out, "\n")
end

-- One TSV field: tabs and line breaks become spaces.
function M.tsv_field(v)
  return (tostring(v == nil and "" or v):gsub("[\t\r\n]", " "))
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
function M.json(v)
  cjson = cjson or require "cjson"
  return cjson.encode(v)
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
