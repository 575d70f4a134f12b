-- Recipe `dispersion`: how evenly a query's matches spread over the parts of a corpus:
-- its documents (default) or N parts of equal size (the documents end to end). For hits
-- v_i in parts of sizes s_i (dossier/stats.lua):
--   range       parts with a hit
--   juilland_d  Juilland's D on the parts' relative frequencies v_i / s_i (1 = even)
--   dp          Gries (2008) DP: 0.5 * sum |v_i / f - s_i / S| (0 = even)
--   dp_norm     Lijffijt & Gries (2012): DP / (1 - min s_i / S)
--
--   corpus:dispersion{query = '"Huawei"', parts = "doc" | 10, by_part = true, svg = "plot.svg"}
--
-- Columns: hits parts range juilland_d dp dp_norm; with by_part the rows part size freq.
-- Several files: their documents are all parts; with N parts, part j sums each file's
-- part j. svg draws a lane per document and a tick per hit (dossier.recipes.svg).
local common = require "dossier.recipes.common"
local stats = require "dossier.stats"

local M = {}

function M.run(corpora, opts)
  opts = opts or {}
  corpora = common.corpora(corpora)
  if opts.query == nil then error("dispersion: a query expected", 0) end
  local nparts = opts.parts == nil and 0 or (opts.parts == "doc" and 0 or math.tointeger(tonumber(opts.parts)))
  if not nparts or nparts < 0 then error("parts: 'doc' or a positive number expected", 0) end
  local names, sizes, hits = {}, {}, {}
  for _, c in ipairs(corpora) do
    local h = common.handle(c)
    local set, docs = common.docset(h, opts.where)
    local t = h:count_dispersion(common.query_arg(c, opts.query, "dispersion"), set, nparts)
    for j = 1, #t.size do
      if nparts == 0 then
        local k = #names + 1
        names[k], sizes[k], hits[k] = docs[t.doc[j]].name, t.size[j], t.hits[j]
      else
        names[j] = tostring(j)
        sizes[j], hits[j] = (sizes[j] or 0) + t.size[j], (hits[j] or 0) + t.hits[j]
      end
    end
  end
  if opts.svg then require("dossier.recipes.svg").dispersion(corpora, opts, opts.svg) end
  if opts.by_part then
    local rows = {}
    for j = 1, #sizes do rows[j] = {part = names[j], size = sizes[j], freq = hits[j]} end
    return common.result("dispersion", {"part", "size", "freq"}, rows,
      {string.format("hits of %s per %s", common.query_text(opts.query), nparts == 0 and "document" or "part")}):limit(opts.limit)
  end
  local d = stats.dispersion(hits, sizes)
  return common.result("dispersion", {"hits", "parts", "range", "juilland_d", "dp", "dp_norm"}, {d},
    {string.format("dispersion of %s over %d %s; DP as Gries 2008 (0 = even), DPnorm as Lijffijt & Gries 2012",
                   common.query_text(opts.query), #sizes, nparts == 0 and "documents" or "equal parts")})
end

M.command = common.command("dispersion", "Dispersion of a query over documents or equal parts: range, D, DP, DPnorm.",
  function(c)
    c:argument("query", "The query whose matches are counted.")
    c:option("--parts", "Parts: doc, or a number of equal parts.", "doc")
    c:flag("--by-part", "List each part's size and hits instead.")
    c:option("--svg", "Write a dispersion plot (a lane per document, a tick per hit) to FILE.")
  end,
  function(list, a)
    return M.run(list, {query = a.query, parts = a.parts, by_part = a.by_part, svg = a.svg, where = a.where})
  end)

return M
