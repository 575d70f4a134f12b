-- Recipe `citations`: the bibliography a corpus relies on, from the author-year
-- citations the recognizers found (`cite` spans: authors separated by "; ", year, extra).
--
--   corpus:citations{by = "work" | "author" | "year" | "doc", where = ...}
--
--   work    a cited work (its authors and year): citations, citing documents
--   author  an author: citations of works naming them, works, citing documents
--   year    the year of the cited works: citations, works
--   doc     a citing document: citations, works, authors
-- Columns: the group (work, author, year or doc), then citations works documents
-- (what the grouping leaves meaningful; the others empty). Authors are compared as
-- written, without case; "et al." is kept as part of the first author's name.
local common = require "dossier.recipes.common"

local M = {}

local function authors_of(s)
  local out = {}
  for a in (s .. "; "):gmatch("(.-);%s*") do
    a = a:gsub("^%s+", ""):gsub("%s+$", "")
    if a ~= "" then out[#out + 1] = a end
  end
  return out
end

function M.run(corpora, opts)
  opts = opts or {}
  corpora = common.corpora(corpora)
  local by = opts.by or "work"
  local COL = {work = "work", author = "author", year = "year", doc = "doc"}
  if not COL[by] then error("citations: by must be work, author, year or doc, not '" .. tostring(by) .. "'", 0) end
  local acc, order, total = {}, {}, 0
  local function group(key)
    local g = acc[key]
    if not g then
      g = {key = key, citations = 0, works = {}, docs = {}, authors = {}}
      acc[key] = g
      order[#order + 1] = key
    end
    return g
  end
  for _, c in ipairs(corpora) do
    local h = common.handle(c)
    local set, docs = common.docset(h, opts.where)
    for k, d in ipairs(docs) do
      if not set or set:byte(k) == 1 then
        for _, s in ipairs(h:spans(k, "cite")) do
          local v = s.values
          local names = authors_of(v.authors)
          local work = table.concat(names, "; ") .. " (" .. (v.year ~= "" and v.year or "n.d.") .. ")"
          local wkey = work:lower()
          total = total + 1
          local keys
          if by == "work" then keys = {wkey}
          elseif by == "author" then
            keys = {}
            for _, n in ipairs(names) do keys[#keys + 1] = n:lower() end
          elseif by == "year" then keys = {v.year ~= "" and v.year or "n.d."}
          else keys = {d.name} end
          for i, key in ipairs(keys) do
            local g = group(key)
            g.label = g.label or (by == "work" and work or by == "author" and names[i] or key)
            g.citations = g.citations + 1
            g.works[wkey] = true
            g.docs[d.name] = true
            for _, n in ipairs(names) do g.authors[n:lower()] = true end
          end
        end
      end
    end
  end
  local function count(t)
    local n = 0
    for _ in pairs(t) do n = n + 1 end
    return n
  end
  local rows = {}
  for _, key in ipairs(order) do
    local g = acc[key]
    local row = {citations = g.citations, works = count(g.works), documents = count(g.docs), authors = count(g.authors)}
    row[COL[by]] = g.label
    if by == "work" then row.works = nil end
    if by == "doc" then row.documents = nil end
    rows[#rows + 1] = row
  end
  table.sort(rows, function(a, b)
    if by == "year" then return a.year < b.year end
    if a.citations ~= b.citations then return a.citations > b.citations end
    return tostring(a[COL[by]]) < tostring(b[COL[by]])
  end)
  local columns = {COL[by], "citations", "works", "documents"}
  if by == "work" then columns = {"work", "citations", "documents"}
  elseif by == "doc" then columns = {"doc", "citations", "works", "authors"} end
  return common.result("citations", columns, rows,
    {string.format("%d citations by %s%s", total, by, opts.where and (" where " .. opts.where) or "")}):limit(opts.limit)
end

M.command = common.command("citations", "The works, authors and years a corpus cites (author-year citations).",
  function(c)
    c:option("--by", "work, author, year or doc.", "work"):choices({"work", "author", "year", "doc"})
  end,
  function(list, a) return M.run(list, {by = a.by, where = a.where}) end)

return M
