-- Recipe `similar`: pairs of documents alike, by what they are about (tf-idf cosine
-- over lemmas of content words) and by reprinting (the estimated Jaccard similarity of
-- their 5-token shingles, MinHash); counted in C (csrc/ds_similar.h says how).
--
--   corpus:similar{by = "lemma", min_cosine = 0.5, min_jaccard = 0.5, where = ...,
--                  pos = {"NOUN", "PROPN", "ADJ", "VERB"}, shingle = 5, hashes = 128}
--
-- Columns: doc_a doc_b cosine jaccard duplicate ("yes" when jaccard reaches
-- min_jaccard). A pair is listed when either figure reaches its threshold. `pos` is
-- used where the corpus is tagged (untagged, every token counts). With several corpus
-- files, pairs are found within each file (documents of two files are not compared).
local common = require "dossier.recipes.common"

local M = {}

local CONTENT = {"NOUN", "PROPN", "ADJ", "VERB"}

function M.run(corpora, opts)
  opts = opts or {}
  corpora = common.corpora(corpora)
  local minJ = opts.min_jaccard or 0.5
  local rows, nDocs = {}, 0
  for _, c in ipairs(corpora) do
    local h = common.handle(c)
    local set, docs, n = common.docset(h, opts.where)
    nDocs = nDocs + n
    local tagged = h:info().types.pos > 1
    local pairs_ = h:similar({by = opts.by, pos = tagged and (opts.pos or CONTENT) or nil,
                              min_cosine = opts.min_cosine, min_jaccard = minJ,
                              shingle = opts.shingle, hashes = opts.hashes}, set)
    for _, p in ipairs(pairs_) do
      rows[#rows + 1] = {doc_a = docs[p.a].name, doc_b = docs[p.b].name, cosine = p.cosine,
                         jaccard = p.jaccard, duplicate = p.jaccard >= minJ and "yes" or ""}
    end
  end
  table.sort(rows, function(a, b)
    if a.cosine ~= b.cosine then return a.cosine > b.cosine end
    if a.doc_a ~= b.doc_a then return a.doc_a < b.doc_a end
    return a.doc_b < b.doc_b
  end)
  return common.result("similar", {"doc_a", "doc_b", "cosine", "jaccard", "duplicate"}, rows,
    {string.format("pairs of %d documents with tf-idf cosine (%s) >= %s or estimated Jaccard of %d-token shingles >= %s%s",
                   nDocs, opts.by or "lemma", opts.min_cosine or 0.5, opts.shingle or 5, minJ,
                   opts.where and (" where " .. opts.where) or "")}):limit(opts.limit)
end

M.command = common.command("similar", "Pairs of documents alike (tf-idf cosine) and near-duplicates (MinHash).",
  function(c)
    c:option("--by", "Attribute for the cosine: word, norm, lemma.", "lemma")
    c:option("--min-cosine", "List pairs with at least this cosine (0 to 1).", "0.5", tonumber)
    c:option("--min-jaccard", "... or at least this estimated Jaccard similarity (near-duplicates).", "0.5", tonumber)
    c:option("--shingle", "Tokens per shingle (1 to 16).", "5", math.tointeger)
  end,
  function(list, a)
    return M.run(list, {by = a.by, min_cosine = a.min_cosine, min_jaccard = a.min_jaccard,
                        shingle = a.shingle, where = a.where})
  end)

return M
