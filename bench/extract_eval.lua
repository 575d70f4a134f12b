#!/usr/bin/env lua5.4
-- Precision and recall of `dossier extract` against hand-made annotations (issue 17).
--
--   bin/dossier extract --format tsv corpus/seeds/*.txt > /tmp/extract.tsv
--   lua5.4 bench/extract_eval.lua [--errors] GOLD EXTRACT_TSV
--
-- GOLD is a directory (every *.tsv in it, e.g. spec/data/extract-gold) or one .tsv file;
-- EXTRACT_TSV is a file or '-' (standard input). Both are TSV with a header line naming
-- at least the columns doc, start, end, type (and value; text is shown in --errors only).
-- start/end are byte offsets in the document's clean text, start 0-based, end exclusive.
-- Fields may escape \t \n \r \\ with a backslash.
--
-- Documents are matched by file name without its extension (corpus/seeds/a.txt, ./a.txt
-- and a stored corpus's document a, as `dossier extract --db` names it, are one document);
-- rows of documents the gold does not have are left out (and counted on stderr).
-- A found span matches a gold span when doc, start, end and category agree; each gold
-- span matches at most one found span. Categories: the entity types PERSON ORG GPE LOC
-- TECH POLICY EVENT (any other upper-case type counts as an entity type too), the kinds
-- date money percent cite url quote ('email' is taken as url); "entity" is all entity
-- types together, a match needing the same type; "entity/any" matches entity spans
-- whatever their types. The second figure ("+value") counts a match only when the values
-- also agree, after normalization (see M.normalize).
--
-- This file is also a module (no C): require/dofile it to get M.read_tsv, M.score, ...
local M = {}

M.entity_types = {"PERSON", "ORG", "GPE", "LOC", "TECH", "POLICY", "EVENT"}
M.kinds = {"date", "money", "percent", "cite", "url", "quote"}
local kind_alias = {email = "url", citation = "cite", quotation = "quote"}

local function is_entity_type(t) return t:match("^[A-Z][A-Z_]*$") ~= nil end

local function unescape(s)
  return (s:gsub("\\(.)", {t = "\t", n = "\n", r = "\r", ["\\"] = "\\"}))
end

local function split_tabs(line)
  local out = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do out[#out + 1] = field end
  return out
end

-- Rows of a TSV text: list of {doc, key (file name), start, stop, type, value, text, line}.
-- `where` names the source in messages.
function M.parse_tsv(text, where)
  local rows, cols = {}, nil
  local n = 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    line = line:gsub("\r$", "")
    if line ~= "" and not line:match("^#") then
      local f = split_tabs(line)
      if not cols then
        cols = {}
        for i, name in ipairs(f) do cols[name] = i end
        for _, need in ipairs({"doc", "start", "end", "type"}) do
          if not cols[need] then
            error(string.format("%s:%d: the header has no '%s' column", where, n, need), 0)
          end
        end
      else
        local function get(name) return cols[name] and f[cols[name]] and unescape(f[cols[name]]) end
        local s, e = tonumber(get("start")), tonumber(get("end"))
        if not s or not e or s < 0 or e < s then
          error(string.format("%s:%d: bad start/end '%s' '%s'", where, n, tostring(get("start")),
                              tostring(get("end"))), 0)
        end
        local ty = get("type") or ""
        ty = kind_alias[ty] or ty
        local doc = get("doc") or ""
        rows[#rows + 1] = {doc = doc, key = ((doc:match("([^/\\]+)$") or doc):gsub("%.%w+$", "")), start = s, stop = e,
                           type = ty, value = get("value") or "", text = get("text") or "",
                           line = n, where = where}
      end
    end
  end
  if not cols then error(where .. ": empty (no header line)", 0) end
  return rows
end

local function read_file(path)
  local f, err
  if path == "-" then f = io.stdin else f, err = io.open(path, "rb") end
  if not f then error(err, 0) end
  local s = f:read("a")
  if f ~= io.stdin then f:close() end
  return s
end

local function list_tsv(dir)
  local names = {}
  local ok, lfs = pcall(require, "lfs")
  if ok then
    for name in lfs.dir(dir) do
      if name:match("%.tsv$") then names[#names + 1] = name end
    end
  else
    local p = io.popen('ls "' .. dir:gsub('"', '\\"') .. '"')
    for name in p:lines() do
      if name:match("%.tsv$") then names[#names + 1] = name end
    end
    p:close()
  end
  table.sort(names)
  return names
end

local function is_dir(path)
  local f = io.open(path .. "/.", "rb")
  if f then f:close() return true end
  return false
end

-- The rows of a gold directory (all *.tsv) or file, or of a system output file ('-').
function M.read_tsv(path)
  if path ~= "-" and is_dir(path) then
    local rows = {}
    local names = list_tsv(path)
    if #names == 0 then error(path .. ": no .tsv files", 0) end
    for _, name in ipairs(names) do
      for _, r in ipairs(M.parse_tsv(read_file(path .. "/" .. name), path .. "/" .. name)) do
        rows[#rows + 1] = r
      end
    end
    return rows
  end
  return M.parse_tsv(read_file(path), path == "-" and "<stdin>" or path)
end

local function squash(s) return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")) end

-- The value as compared: white space squashed; entities and dates case-folded; percent a
-- number; money "<number> <CODE>" with the amount as a number and the code upper-cased;
-- cite fields "authors | year | detail" trimmed, "&" and " and " between authors taken as
-- ";", trailing empty fields dropped; quote: the speaker, case-folded.
function M.normalize(ty, v)
  v = squash(v or "")
  if ty == "percent" then
    local x = tonumber((v:gsub("%%$", "")))
    return x and string.format("%.10g", x) or v
  elseif ty == "money" then
    local amount, code = v:match("^([%d%.eE+-]+)%s*(%a*)$")
    local x = amount and tonumber(amount)
    if x then return string.format("%.15g %s", x, code:upper()) end
    return v
  elseif ty == "cite" then
    local fields = {}
    for field in (v .. "|"):gmatch("([^|]*)|") do fields[#fields + 1] = squash(field) end
    if fields[1] then
      fields[1] = fields[1]:gsub("%s*&%s*", "; "):gsub("%s+and%s+", "; "):gsub("%s*;%s*", "; ")
    end
    while #fields > 0 and fields[#fields] == "" do fields[#fields] = nil end
    return table.concat(fields, " | ")
  elseif ty == "url" then
    return v
  end
  return v:lower()
end

-- The categories a row counts in: its type, and "entity" + "entity/any" for entities.
local function categories(row)
  if is_entity_type(row.type) then return {row.type, "entity", "entity/any"} end
  return {row.type}
end

local function span_key(row, cat)
  local t = cat == "entity/any" and "" or row.type
  return table.concat({row.key, row.start, row.stop, t}, "\1")
end

-- Scores `found` rows against `gold` rows. Returns {cats = {name = {gold, found, span,
-- value, missed = {rows}, false_alarms = {rows}, wrong_value = {{gold, found}}}},
-- order = {names in display order}, ignored = rows of other documents}.
function M.score(gold, found)
  local docs = {}
  for _, r in ipairs(gold) do docs[r.key] = true end
  local kept, ignored = {}, {}
  for _, r in ipairs(found) do
    if docs[r.key] then kept[#kept + 1] = r else ignored[#ignored + 1] = r end
  end
  local cats = {}
  local function cat(name)
    local c = cats[name]
    if not c then
      c = {gold = 0, found = 0, span = 0, value = 0, missed = {}, false_alarms = {},
           wrong_value = {}, g = {}, f = {}}
      cats[name] = c
    end
    return c
  end
  for _, side in ipairs({{gold, "g", "gold"}, {kept, "f", "found"}}) do
    for _, r in ipairs(side[1]) do
      for _, name in ipairs(categories(r)) do
        local c = cat(name)
        c[side[3]] = c[side[3]] + 1
        local k = span_key(r, name)
        c[side[2]][k] = c[side[2]][k] or {}
        table.insert(c[side[2]][k], r)
      end
    end
  end
  local function norm(r, name)
    -- entity/any: compare values regardless of type; case-folded
    return M.normalize(name == "entity/any" and "ENT" or r.type, r.value)
  end
  for name, c in pairs(cats) do
    for k, grows in pairs(c.g) do
      local frows = c.f[k] or {}
      local n = math.min(#grows, #frows)
      c.span = c.span + n
      -- values: pair equal values first
      local fleft = {}
      for i, fr in ipairs(frows) do fleft[i] = fr end
      local gleft = {}
      for _, gr in ipairs(grows) do
        local hit
        for i, fr in ipairs(fleft) do
          if norm(fr, name) == norm(gr, name) then hit = i break end
        end
        if hit then
          c.value = c.value + 1
          table.remove(fleft, hit)
        else
          gleft[#gleft + 1] = gr
        end
      end
      -- the rest: spans found with another value, then misses and false alarms
      local paired = math.min(#gleft, #fleft)
      for i = 1, paired do c.wrong_value[#c.wrong_value + 1] = {gleft[i], fleft[i]} end
      for i = paired + 1, #gleft do c.missed[#c.missed + 1] = gleft[i] end
      for i = paired + 1, #fleft do c.false_alarms[#c.false_alarms + 1] = fleft[i] end
    end
    for k, frows in pairs(c.f) do
      if not c.g[k] then
        for _, fr in ipairs(frows) do c.false_alarms[#c.false_alarms + 1] = fr end
      end
    end
    local function by_pos(a, b)
      if a.key ~= b.key then return a.key < b.key end
      if a.start ~= b.start then return a.start < b.start end
      return a.stop < b.stop
    end
    table.sort(c.missed, by_pos)
    table.sort(c.false_alarms, by_pos)
    table.sort(c.wrong_value, function(a, b) return by_pos(a[1], b[1]) end)
    c.g, c.f = nil, nil
  end
  local order = {"entity", "entity/any"}
  for _, t in ipairs(M.entity_types) do order[#order + 1] = t end
  local known = {}
  for _, n in ipairs(order) do known[n] = true end
  local others = {}
  for name in pairs(cats) do
    if not known[name] and is_entity_type(name) then others[#others + 1] = name end
  end
  table.sort(others)
  for _, n in ipairs(others) do order[#order + 1] = n; known[n] = true end
  for _, k in ipairs(M.kinds) do order[#order + 1] = k; known[k] = true end
  local rest = {}
  for name in pairs(cats) do if not known[name] then rest[#rest + 1] = name end end
  table.sort(rest)
  for _, n in ipairs(rest) do order[#order + 1] = n end
  for _, name in ipairs(order) do cat(name) end
  return {cats = cats, order = order, ignored = ignored}
end

-- precision, recall, F1 (nil when undefined: nothing found / nothing in the gold)
function M.prf(matches, gold, found)
  local p = found > 0 and matches / found or nil
  local r = gold > 0 and matches / gold or nil
  local f
  if p and r then f = (p + r > 0) and 2 * p * r / (p + r) or 0 end
  return p, r, f
end

local function pct(x) return x and string.format("%6.1f", 100 * x) or "     -" end

function M.report(result)
  local out = {}
  out[#out + 1] = string.format("%-11s %6s %6s %6s %6s %6s %6s | %6s %6s %6s %6s",
    "kind", "gold", "found", "span", "P", "R", "F1", "+value", "P", "R", "F1")
  for _, name in ipairs(result.order) do
    local c = result.cats[name]
    local p, r, f = M.prf(c.span, c.gold, c.found)
    local vp, vr, vf = M.prf(c.value, c.gold, c.found)
    out[#out + 1] = string.format("%-11s %6d %6d %6d %s %s %s | %6d %s %s %s", name, c.gold,
      c.found, c.span, pct(p), pct(r), pct(f), c.value, pct(vp), pct(vr), pct(vf))
  end
  return table.concat(out, "\n") .. "\n"
end

local function show(r)
  local text = r.text:gsub("\n", " ")
  if #text > 70 then text = text:sub(1, 67) .. "..." end
  return string.format("%s %d-%d %s [%s] = %s", r.doc:match("([^/\\]+)$") or r.doc, r.start, r.stop, r.type, text, r.value)
end

function M.errors(result)
  local out = {}
  for _, name in ipairs(result.order) do
    local c = result.cats[name]
    if name ~= "entity" and name ~= "entity/any" and
       (#c.missed + #c.false_alarms + #c.wrong_value) > 0 then
      out[#out + 1] = string.format("== %s: %d missed, %d false alarms, %d with another value",
                                    name, #c.missed, #c.false_alarms, #c.wrong_value)
      for _, r in ipairs(c.missed) do out[#out + 1] = "  miss   " .. show(r) end
      for _, r in ipairs(c.false_alarms) do out[#out + 1] = "  false  " .. show(r) end
      for _, pair in ipairs(c.wrong_value) do
        out[#out + 1] = "  value  " .. show(pair[1]) .. "  (found: " .. pair[2].value .. ")"
      end
    end
  end
  -- entity spans found with another type (counted as a miss and a false alarm above)
  local any = result.cats["entity/any"]
  local typed = result.cats["entity"]
  if any and typed and any.span > typed.span then
    out[#out + 1] = string.format("== entity spans found with another type: %d",
                                  any.span - typed.span)
  end
  return table.concat(out, "\n") .. (#out > 0 and "\n" or "")
end

local function main(args)
  local files, errors = {}, false
  for _, a in ipairs(args) do
    if a == "--errors" then errors = true
    elseif a == "-h" or a == "--help" then files = {} break
    else files[#files + 1] = a end
  end
  if #files ~= 2 then
    io.stderr:write("usage: lua5.4 bench/extract_eval.lua [--errors] GOLD_DIR|GOLD.tsv EXTRACT.tsv|-\n")
    return 2
  end
  local ok, err = pcall(function()
    local gold = M.read_tsv(files[1])
    local found = M.read_tsv(files[2])
    local result = M.score(gold, found)
    io.write(M.report(result))
    if #result.ignored > 0 then
      io.stderr:write(string.format("extract_eval: %d found rows of documents not in the gold left out\n",
                                    #result.ignored))
    end
    if errors then io.write("\n", M.errors(result)) end
  end)
  if not ok then io.stderr:write("extract_eval: ", tostring(err), "\n") return 1 end
  return 0
end

if arg and arg[0] and arg[0]:match("extract_eval%.lua$") then os.exit(main(arg)) end
return M
