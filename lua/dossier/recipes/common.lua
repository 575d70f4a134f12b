-- What the recipes share: the corpora they read (one or several files, whose counts
-- are sums), subcorpora (--where), the result table every recipe returns (printable in
-- the REPL, as TSV or JSON), and the command-line options they all take.
local format = require "dossier.format"
local where = require "dossier.where"

local M = {}

-- A string as a CQL value that matches only itself: regex characters, `\` and `"` escaped.
function M.cql_escape(s) return (s:gsub('[%.%*%+%?%[%]%(%)%{%}%|%^%$\\"]', "\\%0")) end

-- The core handle of a dossier.Corpus, or an error.
function M.handle(corpus)
  local h = type(corpus) == "table" and corpus._h
  if not h or not h:isopen() then error("attempt to use a closed corpus", 3) end
  return h
end

-- A list of corpora from one corpus or a list of them.
function M.corpora(x)
  if getmetatable(x) then return {x} end
  assert(type(x) == "table" and #x > 0, "a corpus or a list of corpora expected")
  return x
end

-- The document set (one byte per document, or nil for all) of corpus h for the
-- constraint src (nil: every document), its documents and how many are in it.
function M.docset(h, src)
  local docs = h:docs()
  if src == nil then return nil, docs, #docs end
  local set, n = where.docset(h, src)
  return set, docs, n
end

-- The document set of corpus h for the constraint src alone (nil for every document),
-- without listing the documents (corpus:docs() costs a table per document).
function M.set(h, src)
  if src == nil then return nil end
  return (where.docset(h, src))
end

-- What a recipe's `query` may be: a CQL string, or a dossier.MatchSet (corpus:query),
-- whose matches the counting reads where they are. query_arg(corpus, q) gives what the
-- binding takes for corpus (the set must be that corpus's); query_text(q) names it.
function M.is_matchset(q) return type(q) == "table" and q._ms ~= nil end

function M.query_arg(corpus, q, what)
  if type(q) == "string" then return q end
  if M.is_matchset(q) then
    if q.corpus ~= corpus then error(what .. ": the match set is of another corpus", 0) end
    return q._ms
  end
  error(what .. ": a query (CQL) or a match set expected", 0)
end

function M.query_text(q) return M.is_matchset(q) and q.query or q end

-- Tokens of the documents of set (nil: all of docs).
function M.tokens(docs, set)
  local n = 0
  for i, d in ipairs(docs) do
    if not set or set:byte(i) == 1 then n = n + d.tokens end
  end
  return n
end

-- Add the numbers of columns `sums` of count table t (parallel arrays keyed by
-- t.values) into acc (value -> record), creating records with `init`.
function M.merge(acc, t, sums)
  for i, v in ipairs(t.values) do
    local r = acc[v]
    if not r then
      r = {value = v}
      for _, c in ipairs(sums) do r[c] = 0 end
      acc[v] = r
    end
    for _, c in ipairs(sums) do r[c] = r[c] + (t[c][i] or 0) end
  end
  return acc
end

-- The records of map m as a list sorted by `key` descending, then value ascending.
function M.sorted(m, key)
  local rows = {}
  for _, r in pairs(m) do rows[#rows + 1] = r end
  table.sort(rows, function(a, b)
    if a[key] ~= b[key] then return a[key] > b[key] end
    return a.value < b.value
  end)
  return rows
end

------------------------------------------------------------------------------------
-- results

local Result = {}
Result.__index = Result
Result.__name = "dossier.Result"

-- A result: rows (records), columns (their order), notes (lines printed above the
-- table in text, kept in JSON as `notes`), title.
function M.result(title, columns, rows, notes)
  return setmetatable({title = title, columns = columns, rows = rows, notes = notes or {}}, Result)
end

-- A number as a cell: integers as they are, others with `digits` decimals; infinities
-- as "Inf"/"-Inf".
local function cell(v, digits)
  if math.type(v) == "float" then
    if v == math.huge then return "Inf" end
    if v == -math.huge then return "-Inf" end
    if v ~= v then return "NaN" end
    return string.format("%." .. digits .. "f", v)
  end
  return v
end

local function cells(self, digits)
  local out = {}
  for i, r in ipairs(self.rows) do
    local o = {}
    for _, c in ipairs(self.columns) do o[c] = cell(r[c], digits) end
    out[i] = o
  end
  return out
end

-- Aligned text table (floats rounded to 3 decimals, kept numbers so they align right),
-- notes first.
function Result:text()
  local lines = {}
  for _, n in ipairs(self.notes) do lines[#lines + 1] = "# " .. n end
  if #self.rows > 0 then
    local rows = {}
    for i, r in ipairs(self.rows) do
      local o = {}
      for _, c in ipairs(self.columns) do
        local v = r[c]
        if math.type(v) == "float" and v == v and v ~= math.huge and v ~= -math.huge then
          o[c] = math.floor(v * 1000 + 0.5) / 1000
        else
          o[c] = cell(v, 3)
        end
      end
      rows[i] = o
    end
    lines[#lines + 1] = format.table(rows, self.columns, {max = 60})
  else
    lines[#lines + 1] = "(no rows)"
  end
  return table.concat(lines, "\n")
end

-- TSV: a header of the columns, one row per record (floats to 6 decimals).
function Result:tsv()
  if self.native_tsv then     -- rows kept in C, written there (format.tsv_field for odd values)
    return self.native_tsv(table.concat(self.columns, "\t"), format.tsv_field, self.n)
  end
  if self.cols then           -- straight from the columns, written in C (core.tsv_columns)
    local list = {}
    for j, c in ipairs(self.columns) do list[j] = self.cols[c] or {} end
    return require("dossier.core").tsv_columns(table.concat(self.columns, "\t"), list, self.order, self.n,
                                               format.tsv_field)
  end
  return format.tsv(cells(self, 6), self.columns)
end

-- JSON: {title, columns, notes, rows = [{...}]}; infinities as strings.
function Result:json()
  local rows = {}
  for i, r in ipairs(self.rows) do
    local o = {}
    for _, c in ipairs(self.columns) do
      local v = r[c]
      if math.type(v) == "float" and (v == math.huge or v == -math.huge or v ~= v) then v = cell(v) end
      o[c] = v
    end
    rows[i] = o
  end
  return format.json({title = self.title, columns = self.columns, notes = self.notes, rows = rows})
end

Result.__tostring = Result.text
Result.__len = function(self) return #self.rows end

-- A result kept as columns (arrays) rather than a table per row, for long results
-- (n-grams, keywords): cols[name] is an array, or a function(i) giving row i's value;
-- order (optional) lists the row numbers in the order to show; n the rows shown.
-- `rows` reads like a list of records, each made when it is read, so a result of a
-- million rows costs a table per row only when (and while) a row is looked at.
function M.columnar(title, columns, cols, n, order, notes)
  local r = setmetatable({title = title, columns = columns, notes = notes or {}, cols = cols, order = order,
                          n = n}, Result)
  r.rows = setmetatable({}, {
    __len = function() return r.n end,
    __index = function(_, i)
      if math.type(i) ~= "integer" or i < 1 or i > r.n then return nil end
      local k = r.order and r.order[i] or i
      local o = {}
      for name, col in pairs(r.cols) do
        if type(col) == "function" then o[name] = col(k) else o[name] = col[k] end
      end
      return o
    end,
  })
  return r
end

-- Keep the first n rows (nil: all).
function Result:limit(n)
  if self.cols then
    if n and self.n > n then self.n = n end
    return self
  end
  if n and #self.rows > n then
    for i = #self.rows, n + 1, -1 do self.rows[i] = nil end
  end
  return self
end

M.Result = Result

------------------------------------------------------------------------------------
-- the command line

-- Options every recipe command takes (formats: the --format choices, default text,
-- tsv, json).
function M.options(c, formats)
  c:option("--db", "Corpus file; repeat it to add the counts of several files.")
    :count("*"):args(1)
  c:option("--where", 'Subcorpus by metadata, e.g. \'doc.kind = "news" & doc.date >= "2019"\'.')
  c:option("--format", "Output format.", "text"):choices(formats or {"text", "tsv", "json"})
  c:option("--limit", "At most N rows.", nil, tonumber)
end

-- Open the corpus files of parsed arguments a (read-only): a list, closed by M.close.
function M.open(a)
  local dossier = require "dossier"
  local paths = (a.db and #a.db > 0) and a.db or {"dossier.db"}
  local list = {}
  for i, p in ipairs(paths) do list[i] = dossier.open(p, {create = false, readonly = true}) end
  return list
end

function M.close(list)
  for _, c in ipairs(list) do c:close() end
end

-- Print result r in the format of a.
function M.print(r, a)
  r:limit(a.limit)
  if a.format == "tsv" then print(r:tsv())
  elseif a.format == "json" then print(r:json())
  elseif a.format == "html" then print(r:html())
  else print(r:text()) end
end

-- A command entry for cli.lua: name, description, options(c) (the recipe's own, then
-- the shared ones), and run(a) opening the corpora and printing what go(corpora, a)
-- returns; formats as M.options takes.
function M.command(name, description, options, go, formats)
  return {
    name = name,
    description = description,
    options = function(c)
      options(c)
      M.options(c, formats)
    end,
    run = function(a)
      local list = M.open(a)
      local ok, r = pcall(go, list, a)
      M.close(list)
      if not ok then error(r, 0) end
      if r then M.print(r, a) end
    end,
  }
end

return M
