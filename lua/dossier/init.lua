-- dossier: the public Lua API.
--
--   local dossier = require "dossier"
--   local corpus <close> = dossier.open("reports.db")
--   corpus:add("corpus/seeds")
--   local m = corpus:query('"digital" "sovereignty"%c')
--   print(m:count())
--   for _, line in ipairs(m:kwic{width = 40}) do print(line) end

local core = require "dossier.core"
local data = require "dossier.data"
local files = require "dossier.files"
local sites = require "dossier.sites"

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
M.tagger = data.tagger
M.clean_rules = data.rules

-- The core's read options (csrc/lds.h) from the API's: name, format, encoding, clean,
-- no, tag, and site when `with_site`.
local function read_opts(opts, with_site)
  local rules, ld = clean_settings(opts)
  return {name = opts and opts.name, rules = rules, langdata = ld, format = opts and opts.format,
          encoding = opts and opts.encoding, tagger = tagger_of(opts),
          site = with_site and opts and opts.site or nil}
end

-- Parse text without a corpus: {text = clean text, sentences = {{text, from, to,
-- tokens = {{word, from, to, space_after, kind}, ...}}, ...}, paragraphs = {{from, to,
-- kind = "text"|"heading"|"footnote"}}, changes = {{rule, line, what}}}.
-- `from`/`to` are 1-based inclusive byte positions in `text` (as string.sub takes).
-- opts: name (for messages), format ("txt", "html", "md"), clean = false,
-- no = {rules to switch off}, tag = false (no part of speech and lemmas; tokens get
-- `pos`, `xpos`, `lemma` otherwise), site = the repeated lines of the text's site
-- (dossier.site_lines). `meta` holds the document's own metadata (HTML <meta>,
-- Markdown front matter).
function M.parse(text, opts)
  assert(type(text) == "string", "bad argument #1 to 'parse' (string expected)")
  return core.parse(text, read_opts(opts, true))
end

-- The lines repeated across documents of one site, for parse's `site` option (the
-- `repeated` clean-up rule; corpus:add finds them by itself): paths (plain-text files)
-- or {text = ...} tables; see dossier/sites.lua for the thresholds.
M.site_lines = sites.lines

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

-- ms[i] -> {first = cpos, last = cpos, doc = name}; nil past the end.
function MatchSet.__index(self, k)
  if type(k) == "number" then
    local first, last = self._ms:get(k)
    if not first then return nil end
    local _, name = self.corpus._h:doc_at(first)
    return {first = first, last = last, doc = name}
  end
  return MatchSet[k]
end

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

-- Concordance lines: {left, match, right, doc, first, last}, each printable.
-- opts: width (characters of context each side, default 40), limit, offset (default 0).
function MatchSet:kwic(opts)
  opts = opts or {}
  local width = opts.width or 40
  local from = (opts.offset or 0) + 1
  local to = opts.limit and (from + opts.limit - 1) or #self._ms
  local rows = self.corpus._h:kwic(self._ms, width, from, to)
  for _, r in ipairs(rows) do setmetatable(r, KwicLine) end
  return rows
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
-- opts.no set the clean-up as for dossier.parse.
-- Returns the number of documents added (a file already in the corpus counts 0).
function Corpus:add(paths, opts)
  local h = handle(self)
  opts = opts or {}
  if opts.jobs ~= nil and (math.type(opts.jobs) ~= "integer" or opts.jobs < 1 or opts.jobs > 64) then
    error("add: jobs must be a whole number from 1 to 64, not " .. tostring(opts.jobs), 2)
  end
  local list = files.collect(paths)
  local taken = {}
  for _, d in ipairs(h:docs()) do taken[d.name] = true end
  files.distinct_names(list, taken)
  local rules, ld = clean_settings(opts)
  local tagger = tagger_of(opts)
  local warn = opts.warn or function(msg) io.stderr:write("dossier: warning: ", msg, "\n") end
  local docs = {}
  if list.skipped then warn(files.skipped_warning(list.skipped)) end
  for _, f in ipairs(list) do
    local format = opts.format or f.format
    local function merged(own)
      local meta = {}
      for k, v in pairs(own) do meta[k] = tostring(v) end
      for k, v in pairs(f.meta) do meta[k] = tostring(v) end
      for k, v in pairs(opts.meta or {}) do meta[k] = tostring(v) end
      return meta
    end
    if format == "jsonl" then
      for _, rec in ipairs(files.read_jsonl(f.path, f.name)) do
        docs[#docs + 1] = {text = rec.text, name = rec.name, where = f.path .. ":" .. rec.line,
                           meta = merged(rec.meta), format = "txt"}
      end
    elseif f.fromDir and files.unreadable(f.path, format) then
      -- a directory's binary or empty files are passed over, with a warning
      warn(f.path .. ": " .. files.unreadable(f.path, format) .. ", skipped")
    elseif f.fromDir and format == "pdf" and files.pdf_problem(f.path, core.pdf_probe) then
      -- and so are its encrypted, damaged and scanned PDFs
      warn(files.pdf_problem(f.path, core.pdf_probe) .. "; skipped")
    else
      local doc = {path = f.path, name = f.name, meta = merged({}), format = format}
      local broken = format == "md" and files.front_matter_error(f.path, M.parse)
      if broken then          -- the text is indexed; its metadata could not be read
        warn(string.format("%s: %s; indexed without its metadata", f.path, broken))
        doc.front_matter = false
      end
      docs[#docs + 1] = doc
    end
  end
  if rules & data.rules.repeated ~= 0 then sites.mark(docs) end
  h:begin()
  local ok, res = pcall(h.ingest, h, docs, {
    rules = rules, langdata = ld, encoding = opts.encoding, tagger = tagger,
    jobs = opts.jobs or core.ncpu(), memory = opts.memory, progress = opts.progress,
    part_bytes = opts.part_bytes or math.tointeger(tonumber(os.getenv("DOSSIER_PART_BYTES")))})
  if ok then
    local cok, cerr = pcall(h.commit, h)
    if not cok then ok, res = false, cerr end
  end
  if not ok then
    if h:isopen() then h:rollback() end
    error(res, 0)
  end
  return res
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

function Corpus:query(q)
  local h = handle(self)
  return setmetatable({_ms = h:query(q), corpus = self, query = q}, MatchSet)
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

M.Corpus, M.MatchSet = Corpus, MatchSet
return M
