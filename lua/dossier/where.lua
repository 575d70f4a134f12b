-- dossier.where: subcorpora by document metadata, in the syntax of the `::` part of a
-- CQL query (CQP's global constraints on `match.text_KEY`, written here `doc.KEY`), and
-- evaluated by the query engine's own code for `::` (ds_count_where in csrc/ds_count.c),
-- so `--where C` and a query's `:: C` always pick the same documents:
--
--   doc.kind = "news"                 = and != match a regular expression (PCRE2) against
--   doc.kind = "news|report.*"        the whole value; %c after the value folds case
--   doc.kind != "news"                a document without the key has the value ""
--   doc.date >= "2019"                <, <=, >, >= compare ISO dates (2019, 2019-10,
--                                     2019-10-07) to the shorter one's precision
--   doc.name = "2023-.*"              doc.name: the document's name (unless a metadata
--                                     key is called so)
--   doc.kind = "news" & doc.date < "2020" | !(doc.publisher = "ASPI")
--                                     & binds tighter than |; ! negates; parentheses
--
-- A key no document has is an error naming the keys there are. Errors name the 1-based
-- character position in the constraint.
local M = {}

-- The documents of corpus handle h (dossier.core) meeting constraint src, as a string of
-- one byte per document (h:docs() order; "\1" in, "\0" out), and their number. src nil:
-- nil (every document) and the number of documents.
function M.docset(h, src)
  if src == nil then return nil, #h:docs() end
  if type(src) ~= "string" then error("a metadata constraint is a string such as 'doc.kind = \"news\"'", 2) end
  local ok, set, n = pcall(h.where_docs, h, src)
  if not ok then error("bad metadata constraint: " .. tostring(set), 0) end
  return set, n
end

return M
