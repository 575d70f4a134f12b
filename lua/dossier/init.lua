-- dossier: the public Lua API.
--
--   local dossier = require "dossier"
--   local corpus <close> = dossier.open("reports.db")
--   corpus:add("corpus/seeds")
--   local m = corpus:query('"digital" "sovereignty"%c')
--   print(m:count())
--   for _, line in ipairs(m:kwic{width = 40}) do print(line) end

local core = require "dossier.core"

-- Modules loaded at their first use, not with dossier: a command that only queries (a
-- whole `dossier query --count` process) needs none of them.
local function lazy(name)
  return setmetatable({}, {__index = function(t, k)
    local mod = require(name)
    setmetatable(t, {__index = mod})
    return mod[k]
  end})
end
local data = lazy "dossier.data"
local files = lazy "dossier.files"
local sites = lazy "dossier.sites"

local M = {
  version = core.version,
  format_version = core.format_version,
  core = core,
}

-- Clean-up settings from options: opts.clean == false switches clean-up off; opts.no
-- lists rules to switch off ("hyphens", "pagebreaks", "footnotes", "furniture",
-- "boilerplate", "paragraphs", "repeated"). Returns the rule bits and the language data they need.
local function clean_settings(opts)
  if opts and opts.clean == false then return 0, nil end
  return data.clean_bits(opts and opts.no), data.langdata()
end

-- The tagger, unless opts.tag == false.
local function tagger_of(opts)
  if opts and opts.tag == false then return nil end
  return data.tagger()
end
function M.tagger(...) return data.tagger(...) end
-- M.clean_rules: data.rules, looked up at its first use (see the end of this file)

-- The recognizers, unless opts.recognize == false; opts.lexicon: a file or a list of
-- files of the user's own entities, read after the bundled lexicon (later entries win).
local function extractor_of(opts)
  if opts and opts.recognize == false then return nil end
  local lex = opts and opts.lexicon
  if type(lex) == "string" then lex = {lex} end
  return data.extractor(lex)
end

-- The core's read options (csrc/lds.h) from the API's: name, format, encoding, clean,
-- no, tag, recognize, lexicon, and site when `with_site`.
local function read_opts(opts, with_site)
  local rules, ld = clean_settings(opts)
  return {name = opts and opts.name, rules = rules, langdata = ld, format = opts and opts.format,
          encoding = opts and opts.encoding, tagger = tagger_of(opts), extractor = extractor_of(opts),
          site = with_site and opts and opts.site or nil}
end

-- Parse text without a corpus: {text = clean text, sentences = {{text, from, to,
-- tokens = {{word, from, to, space_after, kind}, ...}}, ...}, paragraphs = {{from, to,
-- kind = "text"|"heading"|"footnote"}}, changes = {{rule, line, what}}, spans = {{kind,
-- from, to, first, last, values = {name = value}}}}.
-- `from`/`to` are 1-based inclusive byte positions in `text` (as string.sub takes);
-- spans are what the recognizers found (kinds ent, date, money, percent, cite, url,
-- quote; first/last their tokens, counted from 1 in the document).
-- opts: name (for messages), format ("txt", "html", "md"), clean = false,
-- no = {rules to switch off}, tag = false (no part of speech and lemmas; tokens get
-- `pos`, `xpos`, `lemma` otherwise), recognize = false (no spans), lexicon = a file or
-- list of files of entities of the user's own, site = the repeated lines of the text's
-- site (dossier.site_lines). `meta` holds the document's own metadata (HTML <meta>,
-- Markdown front matter).
function M.parse(text, opts)
  assert(type(text) == "string", "bad argument #1 to 'parse' (string expected)")
  return core.parse(text, read_opts(opts, true))
end

-- The lines repeated across documents of one site, for parse's `site` option (the
-- `repeated` clean-up rule; corpus:add finds them by itself): paths (plain-text files)
-- or {text = ...} tables; see dossier/sites.lua for the thresholds.
function M.site_lines(...) return sites.lines(...) end

-- The plain text `text` read in parts of about `part` raw bytes, as a large file is
-- indexed (opts as for parse): a list of documents as parse gives, each with raw_base
-- (the 0-based offset of its first byte; raw_from and raw_to are of the whole text) and
-- join_sentence / join_paragraph (it was cut inside one). For tests and inspection.
function M.parse_parts(text, part, opts)
  assert(type(text) == "string", "bad argument #1 to 'parse_parts' (string expected)")
  assert(math.type(part) == "integer" and part > 0, "bad argument #2 to 'parse_parts' (positive integer expected)")
  return core.parse_parts(text, part, read_opts(opts, true))
end

-- Unicode UAX #29 segmentation (Unicode 15.0): lists of segments as strings.
-- Word segments include spaces and punctuation; sentence segments keep their trailing
-- spaces. (dossier.parse uses its own rules on top for tokens and sentences.)
M.uax29 = {words = core.uax29_words, sentences = core.uax29_sentences}

-- CoNLL-U text of a document; docid names it (`# newdoc id`), opts as for parse.
function M.conllu(text, docid, opts)
  local o = read_opts(opts, false)
  o.name = o.name or docid
  return (core.conllu(text, docid, o))
end

------------------------------------------------------------------------------------
-- Match sets

local MatchSet = {}
MatchSet.__name = "dossier.MatchSet"

function MatchSet:count() return #self._ms end

MatchSet.__len = MatchSet.count

-- ms[i] -> {first = cpos, last = cpos, doc = name, target = cpos, labels = {a = cpos}};
-- `first` and `last` are CQP's match and matchend; target and labels when the query set
-- them (@, a:[...]); nil past the end.
function MatchSet.__index(self, k)
  if type(k) == "number" then
    local first, last = self._ms:get(k)
    if not first then return nil end
    local _, name = self.corpus._h:doc_at(first)
    local m = {first = first, last = last, doc = name}
    for j, anchor in ipairs(self.anchors or {}) do
      local pos = self._ms:anchor(k, j)
      if j == 1 then m.target = pos
      elseif j > 2 then
        m.labels = m.labels or {}
        m.labels[anchor] = pos
      end
    end
    return m
  end
  return MatchSet[k]
end

local ATTRS = {word = 0, norm = 1, lemma = 2, pos = 3, xpos = 4}
local SORT_FOLD, SORT_REVERSE, SORT_DESC = 1, 2, 4

-- A key as CQP writes it, "[anchor[offset]] attribute [%c] [reverse] [desc]":
-- "match word", "matchend[1] lemma %c", "match[-2] word", "target pos", "a lemma", "word".
local function parse_key(self, spec)
  if type(spec) ~= "string" then error("a sort or group key is a string such as 'match[-1] word %c'", 3) end
  local words = {}
  for w in spec:gmatch("%S+") do words[#words + 1] = w end
  local key = {anchor = -1, offset = 0, flags = 0}
  local i = 1
  local anchor, offset = (words[1] or ""):match("^([%a_][%w_]*)%[([+-]?%d+)%]$")
  if not anchor and words[2] and not ATTRS[words[1]] then anchor = words[1] end
  if anchor then
    offset = tonumber(offset) or 0
    i = 2
    if anchor == "match" then key.anchor = -1
    elseif anchor == "matchend" then key.anchor = -2
    else
      local col
      for j, name in ipairs(self.anchors or {}) do if name == anchor then col = j - 1 end end
      if not col then error(string.format("no anchor '%s' in this query (match, matchend%s)", anchor,
        #(self.anchors or {}) > 0 and ", " .. table.concat(self.anchors, ", ") or ""), 3) end
      key.anchor = col
    end
    key.offset = offset
  end
  key.attr = ATTRS[words[i] or ""]
  if not key.attr then error(string.format("unknown attribute '%s' in key '%s' (word, norm, lemma, pos, xpos)",
    words[i] or "", spec), 3) end
  for j = i + 1, #words do
    local w = words[j]
    if w == "%c" then key.flags = key.flags | SORT_FOLD
    elseif w == "reverse" then key.flags = key.flags | SORT_REVERSE
    elseif w == "desc" then key.flags = key.flags | SORT_DESC
    else error(string.format("unknown word '%s' in key '%s' (%%c, reverse, desc)", w, spec), 3) end
  end
  return key
end

local function parse_keys(self, keys)
  if type(keys) == "string" then keys = {keys} end
  local out = {}
  for i, k in ipairs(keys) do out[i] = parse_key(self, k) end
  return out
end

-- Sort the matches in place by keys (strings, see parse_key; ties in corpus order), in C.
-- Returns the set: m:sort{"matchend[1] word %c", "match word"}.
function MatchSet:sort(keys)
  self.corpus._h:msort(self._ms, parse_keys(self, keys))
  return self
end

-- Frequency breakdown: {{value, ..., count = n}, ...}, most frequent first, in C.
-- m:group("match lemma"), m:group{"match[-1] word", "match word"}.
function MatchSet:group(keys)
  return self.corpus._h:mgroup(self._ms, parse_keys(self, keys))
end

local function combine(a, b, op)
  assert(getmetatable(b) == MatchSet, "bad argument #1 (a match set expected)")
  return setmetatable({_ms = a._ms:combine(b._ms, op), corpus = a.corpus,
                       query = string.format("(%s) %s (%s)", a.query, op, b.query)}, MatchSet)
end

-- Set operations on matches (first, last), as CQP's union, inter and diff: new sets.
function MatchSet:union(b) return combine(self, b, "union") end
function MatchSet:intersect(b) return combine(self, b, "intersect") end
function MatchSet:minus(b) return combine(self, b, "minus") end

-- for i, m in ms:iter() do ... end
function MatchSet:iter()
  local i = 0
  return function()
    i = i + 1
    local m = self[i]
    if m then return i, m end
  end
end

local KwicLine = {}
KwicLine.__name = "dossier.KwicLine"
function KwicLine:__tostring()
  return string.format("%s  %s[%s]%s", self.doc, self.left, self.match, self.right)
end

-- The matches from..to that opts (offset, limit) asks for of a set of n, or nil for none.
local function slice(opts, n, name)
  local offset, limit = math.tointeger(opts.offset or 0), opts.limit and math.tointeger(opts.limit)
  if not offset or offset < 0 then
    error("bad argument #1 to '" .. name .. "' (offset must be a non-negative integer)", 3)
  end
  if opts.limit ~= nil and (not limit or limit < 0) then
    error("bad argument #1 to '" .. name .. "' (limit must be a non-negative integer)", 3)
  end
  if offset >= n or limit == 0 then return nil end     -- no sum below can wrap
  return offset + 1, (limit and limit < n - offset) and (offset + limit) or n
end

-- Concordance lines: {left, match, right, doc, first, last}, each printable.
-- opts: width (characters of context each side, default 40), limit, offset (default 0).
function MatchSet:kwic(opts)
  opts = opts or {}
  local from, to = slice(opts, #self._ms, "kwic")
  if not from then return {} end
  local rows = self.corpus._h:kwic(self._ms, opts.width or 40, from, to)
  for _, r in ipairs(rows) do setmetatable(r, KwicLine) end
  return rows
end

-- The same lines as `dossier query` prints them, in one string made in C (no table per
-- line): the text of format.kwic(m:kwic(opts), opts) (opts.docw: the document column's
-- width, by default the widest name among the lines), or with opts.format = "tsv" the
-- rows of format.tsv without its header line; "" for none.
function MatchSet:kwic_text(opts)
  opts = opts or {}
  local from, to = slice(opts, #self._ms, "kwic_text")
  if not from then return "" end
  return self.corpus._h:kwic_text(self._ms, opts.width or 40, from, to, {docw = opts.docw, format = opts.format})
end

function MatchSet:__tostring()
  return string.format("dossier.MatchSet (%d matches of %s)", #self._ms, self.query)
end

------------------------------------------------------------------------------------
-- Corpora

local Corpus = {}
Corpus.__index = Corpus
Corpus.__name = "dossier.Corpus"

local function handle(self)
  if not self._h or not self._h:isopen() then error("attempt to use a closed corpus", 3) end
  return self._h
end

-- What Corpus:add (dossier/add.lua, loaded at the first add) takes from here.
local add_ctx = {core = core, handle = handle, clean_settings = clean_settings, tagger_of = tagger_of,
                 extractor_of = extractor_of, parse = function(...) return M.parse(...) end}

-- Open the corpus file `path`, creating it if missing unless opts.create == false.
-- opts.readonly opens it for reading only.
function M.open(path, opts)
  assert(type(path) == "string", "bad argument #1 to 'open' (string expected)")
  opts = opts or {}
  local mode = opts.readonly and "r" or (opts.create == false and "w" or "c")
  return setmetatable({_h = core.open(path, mode), path = path, readonly = opts.readonly}, Corpus)
end

-- Add a file, a directory (its .txt, .html, .md, .pdf and .jsonl files, recursively, in
-- name order; one warning lists the types of the other files passed over) or a list of them, as one segment: all documents are stored, or (on any error)
-- none. A JSON Lines file holds one document per line (see files.read_jsonl).
-- Metadata, by precedence: opts.meta, then a MANIFEST.tsv beside the files, then the
-- document's own (JSON Lines fields, HTML <meta>, Markdown front matter).
-- opts.format forces a format ("txt", "html", "md", "pdf", "jsonl"); opts.encoding =
-- "latin1" (or "cp1252") reads the files that are not valid UTF-8 as Windows-1252, a
-- superset of ISO 8859-1's printable characters; valid UTF-8 stays UTF-8 (UTF-16 with
-- a byte order mark is always recognized).
-- In a directory, binary and empty files are skipped with a warning (opts.warn(msg), by
-- default to stderr); named alone, they are errors.
-- opts.jobs: threads that read, parse and tag (default: the number of processors; the
-- documents are stored in order whatever the number); opts.memory: the memory budget
-- in bytes (default 512 MiB), half for documents in flight and half for the new postings,
-- which go out as a segment of their own when they pass it.
-- A plain-text file larger than a part (opts.memory / 64, 1 to 4 MiB) is read, parsed
-- and stored in parts, with bounded memory; opts.part_bytes (or $DOSSIER_PART_BYTES) sets
-- the part size, for tests.
-- opts.progress(i, n, path) is called before each document is stored; opts.clean and
-- opts.no set the clean-up as for dossier.parse; opts.collected, the list
-- dossier.files.collect(paths) returned, saves walking the directories again.
-- Returns the number of documents added (a file already in the corpus counts 0) and
-- {documents, tokens, sentences} of this add alone (not of another writer's meanwhile);
-- `interrupted = true` there when an interrupt (Ctrl-C) came once the add had committed:
-- everything is stored. An interrupt before that raises "interrupted" (Lua's own handler
-- says "interrupted!"): nothing of this add is stored.
function Corpus:add(paths, opts)
  return require("dossier.add")(self, paths, opts, add_ctx)    -- (a tail call: errors name our caller)
end

-- Add one document from a string.
function Corpus:add_text(text, name, meta, opts)
  local h = handle(self)
  local o = read_opts(opts, false)
  o.name = nil
  h:set_read(o)
  h:begin()
  local ok, res = pcall(function()
    local id = h:add_text(text, name, meta)
    h:commit()
    return id
  end)
  if not ok then
    if h:isopen() then h:rollback() end
    error(res, 0)
  end
  return res
end

-- Remove a document (by name or id): gone from queries and counts at once; its space
-- is freed by the next optimize. Returns true, or false if there is no such document.
function Corpus:remove(doc)
  local h = handle(self)
  if type(doc) == "string" then          -- a name that several documents share: refuse
    local same = {}
    for _, d in ipairs(h:docs()) do
      if d.name == doc then
        same[#same + 1] = string.format("id %d%s", d.id, d.meta and d.meta.title and
                                        (" (" .. d.meta.title .. ")") or "")
      end
    end
    if #same > 1 then
      error(string.format("%s: %d documents are named %s: %s; remove one by its id", self.path,
                          #same, doc, table.concat(same, ", ")), 2)
    end
  end
  local _, id = h:find(doc)
  if not id then return false end
  return h:remove(id)
end

-- Merge the corpus's segments into one and free what removed documents held.
function Corpus:optimize() handle(self):optimize() end

-- What the recognizers found in the corpus, as dossier.extract's rows {doc, start, end,
-- text, type, value, kind, values}; opts.kinds: a list of kinds ("entities", "dates",
-- "money", "percent", "citations", "urls", "quotes"; default all).
function Corpus:extract(opts)
  local extract = require "dossier.extract"
  local _, order = extract.kinds(opts and opts.kinds)
  return extract.rows_of_corpus(handle(self), order)
end

-- The clean text of a document (by name or id), rebuilt from its tokens; nil if none.
function Corpus:text(doc)
  local h = handle(self)
  local i = h:find(doc)
  return i and h:text(i)
end

-- Documents ranked for a search (FTS5 query syntax over dossier's own tokens: words,
-- "phrases", AND, OR, NOT, NEAR(...), prefix*), best first by bm25: a list of
-- {doc = name, score, snippet = text with the terms in [brackets]}. opts: limit
-- (default 10), tokens (snippet length, default 20). A writable corpus first indexes the
-- documents added since the last search; a read-only one searches what is indexed.
function Corpus:search(q, opts)
  local h = handle(self)
  opts = opts or {}
  if not self.readonly and h:search_missing() > 0 then
    local ok, err = pcall(h.search_update, h)
    if not ok and tostring(err):match("interrupted!?$") then error(err, 0) end   -- Ctrl-C
    if not ok then     -- a corpus on read-only storage: search what is indexed, and say so
      local warn = opts.warn or function(msg) io.stderr:write("dossier: warning: ", msg, "\n") end
      warn(string.format("%s; %d documents are not searchable yet", err, h:search_missing()))
    end
  end
  local out = {}
  for i, hit in ipairs(h:search(q, opts.limit or 10)) do
    out[i] = {doc = hit.doc, score = hit.score, snippet = h:snippet(hit.index, q, opts.tokens or 20)}
  end
  return out
end

-- Documents not yet in the search index (the next search of a writable corpus adds them).
function Corpus:search_missing() return handle(self):search_missing() end

-- A CQL query (CQP's dialect; see the README): a match set. Its `cut` counts the starts
-- whose match ran into the longest match allowed (`limit` tokens) and was cut there.
-- opts.from, opts.to: only the matches in documents from .. to (1-based, in corpus
-- order, as corpus:docs() lists them), reading only their positions: a large corpus can
-- be gone through a slice at a time (the CLI's `query` prints so).
function Corpus:query(q, opts)
  local h = handle(self)
  local from, to = opts and opts.from, opts and opts.to
  if from ~= nil and math.type(from) ~= "integer" then error("query: from must be a whole number", 2) end
  if to ~= nil and math.type(to) ~= "integer" then error("query: to must be a whole number", 2) end
  local ms, anchors, cut, limit = h:query(q, from, to)
  return setmetatable({_ms = ms, corpus = self, query = q, anchors = anchors, cut = cut,
                       limit = limit}, MatchSet)
end

-- The number of matches of q: a query of one token constraint counted from the lexicon's
-- frequencies (no posting read), any other by running it.
function Corpus:count(q)
  local h = handle(self)
  return h:count_by_freq(q) or #h:query(q)
end

-- {documents, tokens, types = {word=, norm=}, segments, sentences, paragraphs, bytes,
--  format_version, path}
function Corpus:info()
  local info = handle(self):info()
  info.path = self.path
  return info
end

-- Verify the file (SQLite's integrity check and dossier's invariants): true, or false
-- and the problems, one per line.
function Corpus:check()
  local n, report = handle(self):check()
  if n == 0 then return true end
  return false, report
end

-- List of documents: {id, name, cpos, tokens, sentences, meta = {...}}
function Corpus:docs() return handle(self):docs() end

function Corpus:close()
  if self._h then self._h:close() end
end

Corpus.__close = Corpus.close
Corpus.__gc = Corpus.close

function Corpus:__tostring()
  if self._h and self._h:isopen() then
    return string.format("dossier.Corpus %s (%d documents)", self.path, #self._h:docs())
  end
  return "dossier.Corpus (closed)"
end

-- The analysis recipes as corpus methods: corpus:kwic{query = ...} (concordances sorted,
-- sampled, with metadata; m:kwic{...} gives a match set's plain lines), corpus:freq{...}, corpus:ngrams{...},
-- corpus:collocates{query = ...}, corpus:keyness{...}, corpus:dispersion{query = ...}
-- (each a printable dossier.Result) and corpus:export{format = ...}; see
-- lua/dossier/recipes/. M.recipes.NAME.run takes a list of corpora (counts summed).
-- Each recipe's module is loaded at its first use.
M.recipe_names = {"kwic", "freq", "ngrams", "collocates", "keyness", "dispersion", "export", "similar",
                  "themes", "network", "timeline", "citations", "events"}
local isRecipe = {}
for _, name in ipairs(M.recipe_names) do isRecipe[name] = true end
M.recipes = setmetatable({}, {__index = function(t, name)
  if not isRecipe[name] then return nil end
  local mod = require("dossier.recipes." .. name)
  rawset(t, name, mod)
  return mod
end})
for _, name in ipairs(M.recipe_names) do
  Corpus[name] = function(self, opts)
    handle(self)
    return M.recipes[name].run({self}, opts)
  end
end

M.Corpus, M.MatchSet = Corpus, MatchSet
setmetatable(M, {__index = function(_, k) if k == "clean_rules" then return data.rules end end})
return M
