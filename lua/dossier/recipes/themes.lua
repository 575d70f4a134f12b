-- Recipe `themes`: how documents frame technology relations (cooperation, rivalry,
-- sovereignty, surveillance, censorship, dependence, decoupling, standards, human rights,
-- sanctions), by dictionary: the frames' terms (corpus/lexicon/themes.tsv, and the
-- user's own files) become one CQL query per frame, counted in C.
--
--   corpus:themes{by = "doc" | "year" | "actor", actors = {"China", "Russia"},
--                 lexicon = {files}, where = ...}
--
-- Columns: group frame hits tokens per_10k. per_10k = hits / tokens * 10,000, tokens
-- being the group's: a document's, a year's documents' (by the year of doc.date;
-- "undated" without one), or (by actor) the sentences that mention the actor, the
-- hits being the frame's matches starting in those sentences. An actor is the
-- entity of that canonical name where the corpus has entities (<ent name="China"/>),
-- else the words themselves.
local common = require "dossier.recipes.common"

local M = {}

-- The frames of lexicon files: a list of {name, terms = {term, ...}} in order of first
-- appearance; a later file adds terms to a frame of the same name.
function M.load(paths)
  local frames, by = {}, {}
  for _, path in ipairs(paths) do
    local f, err = io.open(path, "rb")
    if not f then error("themes: " .. err, 0) end
    local n = 0
    for line in f:lines() do
      n = n + 1
      line = line:gsub("\r$", "")
      if line ~= "" and not line:match("^#") then
        local frame, term = line:match("^([^\t]*)\t([^\t]*)$")
        if not frame or not frame:match("^[a-z0-9][a-z0-9-]*$") or not term:match("%S") then
          f:close()
          error(string.format("%s:%d: expected a frame (lower case letters, digits, '-'), a TAB and a term", path, n), 0)
        end
        if not by[frame] then
          by[frame] = {name = frame, terms = {}}
          frames[#frames + 1] = by[frame]
        end
        table.insert(by[frame].terms, {text = term, where = path .. ":" .. n})
      end
    end
    f:close()
  end
  return frames
end

local escape = common.cql_escape

local memo = {}                                  -- term text -> its CQL (tokenizing is not free)

-- The CQL sequence of a term: each word's tokens as dossier makes them, case-insensitive,
-- a trailing * matching any ending of the word's last token.
local function term_query(term)
  if memo[term.text] then return memo[term.text] end
  local dossier = require "dossier"
  local parts = {}
  for chunk in term.text:gmatch("%S+") do
    local prefix = chunk:sub(-1) == "*"
    if prefix then chunk = chunk:sub(1, -2) end
    if chunk == "" then error(term.where .. ": '*' alone is not a word", 0) end
    local toks = {}
    for _, s in ipairs(dossier.parse(chunk, {tag = false, clean = false, recognize = false}).sentences) do
      for _, t in ipairs(s.tokens) do toks[#toks + 1] = t.word end
    end
    for i, w in ipairs(toks) do
      -- ASCII on `norm` (case-folded): a literal is looked up, a prefix reads only its
      -- range of the lexicon; other letters with %c (a regex over the whole lexicon)
      local star = (prefix and i == #toks) and ".*" or ""
      if w:find("[\128-\255]") then
        parts[#parts + 1] = string.format('[word="%s%s"%%c]', escape(w), star)
      else
        parts[#parts + 1] = string.format('[norm="%s%s"]', escape(w:lower()), star)
      end
    end
  end
  memo[term.text] = "(" .. table.concat(parts, " ") .. ")"
  return memo[term.text]
end

-- A frame as one query: its terms' sequences as alternatives.
function M.frame_query(frame)
  local alts = {}
  for i, t in ipairs(frame.terms) do alts[i] = term_query(t) end
  return table.concat(alts, " | ")
end

local function year_of(d)
  local y = d.meta and d.meta.date and tostring(d.meta.date):match("^(%d%d%d%d)")
  return y or "undated"
end

function M.run(corpora, opts)
  opts = opts or {}
  corpora = common.corpora(corpora)
  local by = opts.by or "doc"
  if by ~= "doc" and by ~= "year" and by ~= "actor" then
    error("themes: by must be doc, year or actor, not '" .. tostring(by) .. "'", 0)
  end
  local files = {assert(require("dossier.data").dir()) .. "/lexicon/themes.tsv"}
  for _, p in ipairs(type(opts.lexicon) == "string" and {opts.lexicon} or opts.lexicon or {}) do files[#files + 1] = p end
  local frames = M.load(files)
  local queries = {}
  for i, f in ipairs(frames) do queries[i] = M.frame_query(f) end
  local acc, order = {}, {}                  -- group -> frame -> {hits, tokens}
  local function add(group, fi, hits, tokens)
    if not acc[group] then acc[group] = {}; order[#order + 1] = group end
    local r = acc[group][fi] or {hits = 0, tokens = 0}
    r.hits, r.tokens = r.hits + hits, r.tokens + tokens
    acc[group][fi] = r
  end
  for _, c in ipairs(corpora) do
    local h = common.handle(c)
    local set, docs = common.docset(h, opts.where)
    if by == "actor" then
      local hasEnt = (h:info().spans or {}).ent or 0
      for _, actor in ipairs(opts.actors or {"China", "Russia"}) do
        local q = hasEnt > 0 and string.format('<ent name="%s"/>', escape(actor))
                  or string.format('"%s"', escape(actor))
        for fi, r in ipairs(h:count_in_spans(queries, q, "s", set)) do add(actor, fi, r.hits, r.tokens) end
      end
    else
      for fi, fq in ipairs(queries) do
        local t = h:count_dispersion(fq, set, 0)
        for j, k in ipairs(t.doc) do
          add(by == "doc" and docs[k].name or year_of(docs[k]), fi, t.hits[j], t.size[j])
        end
      end
    end
  end
  table.sort(order)
  local rows = {}
  for _, g in ipairs(order) do
    for fi, f in ipairs(frames) do
      local r = acc[g][fi] or {hits = 0, tokens = 0}
      rows[#rows + 1] = {group = g, frame = f.name, hits = r.hits, tokens = r.tokens,
                         per_10k = r.tokens > 0 and r.hits / r.tokens * 1e4 or 0.0}
    end
  end
  return common.result("themes", {"group", "frame", "hits", "tokens", "per_10k"}, rows,
    {string.format("frames of %s by %s%s", table.concat(files, ", "), by,
                   opts.where and (" where " .. opts.where) or "")}):limit(opts.limit)
end

M.command = common.command("themes", "Frames (cooperation, rivalry, sovereignty, ...) per document, year or actor.",
  function(c)
    c:option("--by", "doc, year or actor.", "doc"):choices({"doc", "year", "actor"})
    c:option("--actor", "An actor for --by actor (repeatable; default China and Russia).")
      :count("*"):args(1)
    c:option("--lexicon", "A file of frames and terms of your own (repeatable; the columns of "
             .. "corpus/lexicon/themes.tsv).")
      :count("*"):args(1)
  end,
  function(list, a)
    return M.run(list, {by = a.by, actors = #a.actor > 0 and a.actor or nil, lexicon = a.lexicon,
                        where = a.where})
  end)

return M
