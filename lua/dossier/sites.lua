-- Grouping the documents of one add by site, for the clean-up's `repeated` rule: lines
-- repeated near the top or bottom of most documents of a site (menus, share buttons,
-- banners, copyright lines) are dropped (csrc/ds_sitelines.h, csrc/ds_clean.h).
--
-- A document's site is its `site` metadata, else the host of its `url` or `source`,
-- else its `publisher`, else the directory it was read from. A site counts only with at
-- least MIN_DOCS plain-text documents in the add; a line is repeated when it is found
-- in at least MIN_DOCS of them and in at least MIN_SHARE of them.

local core = require "dossier.core"

local M = {MIN_DOCS = 3, MIN_SHARE = 0.5}

local function host(u)
  return type(u) == "string" and u:match("^%a[%w+.-]*://([^/:?#]+)") or nil
end

-- The site key of a document {path | where, meta}.
function M.site_of(doc)
  local m = doc.meta or {}
  local k = m.site or host(m.url) or host(m.source) or m.publisher
  if k and k ~= "" then return "meta:" .. k:lower() end
  local p = doc.path or doc.where or ""
  return "dir:" .. (p:match("^(.*)/[^/]*$") or ".")
end

-- The repeated lines of one site's documents: each a path (a plain-text file), or a
-- table with `path` or `text` (or `peek`: {peeks, i}, the file's look by
-- dossier.files.peek).
function M.lines(docs)
  local set = core.sitelines()
  for _, d in ipairs(docs) do
    if type(d) == "string" then set:add_file(d)
    elseif d.peek then set:add_peek(d.peek[1], d.peek[2])
    elseif d.path then set:add_file(d.path)
    else set:add_text(d.text) end
  end
  set:finish(M.MIN_DOCS, M.MIN_SHARE)
  return set
end

-- Give each plain-text document of docs (as corpus:ingest takes them) the set of its
-- site's repeated lines as `site`, where its site has enough documents.
function M.mark(docs)
  local groups, order = {}, {}
  for _, d in ipairs(docs) do
    if (d.format or "txt") == "txt" then
      local k = M.site_of(d)
      if not groups[k] then groups[k] = {}; order[#order + 1] = k end
      table.insert(groups[k], d)
    end
  end
  for _, k in ipairs(order) do
    local g = groups[k]
    if #g >= M.MIN_DOCS then
      local set = M.lines(g)
      for _, d in ipairs(g) do d.site = set end
    end
  end
end

return M
