-- `dossier extract` and corpus:extract: what the recognizers found (entities, dates,
-- money, percentages, citations, URLs, quotations), from files or from stored corpora,
-- as rows {doc, start, end, text, type, value, kind, values}: start and end are byte
-- offsets in the clean text (0-based start, end exclusive: text = clean:sub(start + 1,
-- end)), type the entity type or the kind, value the span's value in one column (see
-- VALUE below), values every value by name.
local format = require "dossier.format"

local M = {}

-- The command line's kinds and the stored kinds they stand for, in output order.
M.KINDS = {
  {"entities", "ent"}, {"dates", "date"}, {"money", "money"}, {"percent", "percent"},
  {"citations", "cite"}, {"urls", "url"}, {"quotes", "quote"},
}

-- The value column of a span of each kind.
local VALUE = {
  ent = function(v) return v.name end,
  date = function(v) return v.value end,
  money = function(v) return v.amount ~= "" and (v.amount .. " " .. v.currency) or "" end,
  percent = function(v) return v.value end,
  cite = function(v) return v.authors .. " | " .. v.year .. " | " .. v.extra end,
  url = function(v) return v.value end,
  quote = function(v) return v.speaker end,
}

-- The stored kinds named by `names` (command-line kinds, or stored ones), as a set and
-- a list in output order; every kind when names is empty. An unknown name is an error.
function M.kinds(names)
  local known, want = {}, {}
  for _, k in ipairs(M.KINDS) do known[k[1]] = k[2]; known[k[2]] = k[2] end
  for _, n in ipairs(names or {}) do
    if not known[n] then
      local list = {}
      for _, k in ipairs(M.KINDS) do list[#list + 1] = k[1] end
      error(string.format("extract: unknown kind '%s' (kinds: %s)", n, table.concat(list, ", ")), 0)
    end
    want[known[n]] = true
  end
  local order = {}
  for _, k in ipairs(M.KINDS) do
    if not names or #names == 0 or want[k[2]] then order[#order + 1] = k[2] end
  end
  local set = {}
  for _, k in ipairs(order) do set[k] = true end
  return set, order
end

local function row(doc, text, kind, from, to, values)
  return {doc = doc, start = from - 1, ["end"] = to, text = (text:sub(from, to):gsub("%s+", " ")),
          type = kind == "ent" and values.type or kind, value = VALUE[kind](values),
          kind = kind, values = values}
end

-- Rows of a parsed document d (dossier.parse) named `doc`, of the kinds in set `want`.
function M.rows_of_parse(doc, d, want, out)
  out = out or {}
  for _, s in ipairs(d.spans) do
    if want[s.kind] then out[#out + 1] = row(doc, d.text, s.kind, s.from, s.to, s.values) end
  end
  return out
end

-- Rows of every document of a stored corpus (a handle, corpus._h), kinds in `order`;
-- each document's rows by start, then in `order`.
function M.rows_of_corpus(h, order, out)
  out = out or {}
  local rank = {}
  for i, k in ipairs(order) do rank[k] = i end
  for k, d in ipairs(h:docs()) do
    local text = h:text(k)
    local rows = {}
    for _, kind in ipairs(order) do
      for _, s in ipairs(h:spans(k, kind)) do rows[#rows + 1] = row(d.name, text, kind, s.from, s.to, s.values) end
    end
    table.sort(rows, function(a, b)
      if a.start ~= b.start then return a.start < b.start end
      return rank[a.kind] < rank[b.kind]
    end)
    table.move(rows, 1, #rows, #out + 1, out)
  end
  return out
end

M.COLUMNS = {"doc", "start", "end", "text", "type", "value"}

-- The rows as TSV (a header line, then one line per row) or JSON.
function M.render(rows, fmt)
  if fmt == "json" then
    local out = {}
    for i, r in ipairs(rows) do
      out[i] = {doc = r.doc, start = r.start, ["end"] = r["end"], text = r.text, type = r.type,
                value = r.value, kind = r.kind, values = r.values}
    end
    return format.json(out)
  end
  return format.tsv(rows, M.COLUMNS)
end

return M
