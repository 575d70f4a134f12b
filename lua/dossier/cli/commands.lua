-- The built-in commands of `dossier` but `query` (dossier/cli/query.lua), in the order
-- of `dossier --help`: entries as cli.lua describes them. Loaded for these commands and
-- for the whole --help only, so a query does not compile them.
local dossier = require "dossier"
local format = require "dossier.format"
local cli = require "dossier.cli"
local files = require "dossier.files"

local eprintf, open_existing = cli.eprintf, cli.open_existing

local function isatty(f)
  local ok, term = pcall(require, "term")
  return ok and term.isatty(f) or false
end

------------------------------------------------------------------------------------
-- what commands share

-- Clean-up options of a command: --no RULE (repeatable), --no-clean.
local function clean_opts(a, format)
  return {clean = not a.no_clean, no = a.no, format = format, encoding = a.encoding,
          tag = not a.no_tag, recognize = not a.no_recognize, lexicon = a.lexicon}
end

local function read_input(path)
  if path == "-" then return io.stdin:read("a"), "stdin" end
  local f, err = io.open(path, "rb")
  if not f then error(err, 0) end
  local text = f:read("a")
  f:close()
  return text, (path:match("([^/]+)$"):gsub("%.[^.]*$", ""))
end

-- `tag --input conllu`: keep the file's tokens and sentences, fill LEMMA, UPOS, XPOS;
-- print CoNLL-U, or with --format json the sentences as {comments, tokens = {{id, form,
-- lemma, upos, xpos}}}.
local function tag_conllu(a, text)
  local tagger = dossier.tagger()
  local out, block = {}, {}
  local function flush()
    local words, at = {}, {}
    for i, line in ipairs(block) do
      local id, form = line:match("^(%d+)\t([^\t]*)")
      if id then words[#words + 1] = form; at[#at + 1] = i end
    end
    local upos, xpos, lemma = tagger:tag(words)
    for k, i in ipairs(at) do
      local f = {}
      for x in (block[i] .. "\t"):gmatch("([^\t]*)\t") do f[#f + 1] = x end
      f[3], f[4], f[5] = lemma[k], upos[k], xpos[k]
      block[i] = table.concat(f, "\t")
    end
    for _, line in ipairs(block) do out[#out + 1] = line end
    block = {}
  end
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    line = line:gsub("\r$", "")
    if line == "" then
      if #block > 0 then flush(); out[#out + 1] = "" end
    else
      block[#block + 1] = line
    end
  end
  if #block > 0 then flush(); out[#out + 1] = "" end
  if a.format ~= "json" then
    io.stdout:write(table.concat(out, "\n"), "\n")
    return
  end
  local sents, cur = {}, nil
  for _, line in ipairs(out) do
    if line == "" then
      if cur then sents[#sents + 1] = cur end
      cur = nil
    else
      cur = cur or {comments = {}, tokens = {}}
      if line:sub(1, 1) == "#" then
        cur.comments[#cur.comments + 1] = line
      else
        local f = {}
        for x in (line .. "\t"):gmatch("([^\t]*)\t") do f[#f + 1] = x end
        cur.tokens[#cur.tokens + 1] = {id = f[1], form = f[2], lemma = f[3], upos = f[4], xpos = f[5]}
      end
    end
  end
  if cur then sents[#sents + 1] = cur end
  print(format.json(sents))
end

local function rule_names()
  local names = {}
  for k in pairs(require("dossier.data").rules) do names[#names + 1] = k end
  table.sort(names)
  return table.concat(names, ", ")
end

-- Reading options; the reader format is --format for index, --input where --format is
-- the output format (tag, clean).
local function add_clean_options(c, reader_option, no_recognizers)
  c:option("--no", "Switch a clean-up rule off: " .. rule_names() .. "."):count("*"):args(1)
  c:flag("--no-clean", "No clean-up at all.")
  c:flag("--no-tag", "No part-of-speech tags and lemmas.")
  if not no_recognizers then
    c:flag("--no-recognize", "No entities, dates, money, percentages, citations, URLs or quotations.")
    c:option("--lexicon", "A lexicon file of your own entities (repeatable; see corpus/lexicon/README.md), "
             .. "read after the bundled one: later entries win."):count("*"):args(1)
  end
  c:option(reader_option, "Read files as this format (default: by extension).")
    :choices(reader_option == "--format" and {"txt", "html", "md", "pdf", "jsonl"}
                                         or {"txt", "html", "md", "pdf", "jsonl", "conllu"})
  c:option("--encoding", "latin1 (= cp1252, Windows-1252): files that are not valid UTF-8 are read "
           .. "so; valid UTF-8 stays UTF-8 (UTF-16 with a byte order mark is always recognized).", "utf8")
    :choices({"utf8", "latin1", "cp1252"})
end

-- --jobs: a whole number from 1 to 64, or nil and argparse's message.
local function parse_jobs(z)
  local n = math.tointeger(tonumber(z))
  if not n or n < 1 or n > 64 then
    return nil, string.format("--jobs must be a whole number from 1 to 64, not %s", z)
  end
  return n
end

-- "512M", "2G", "100000" -> bytes (nil: not a size, which argparse reports).
local function parse_size(z)
  local n, unit = z:match("^(%d+%.?%d*)([KkMmGg]?)[Bb]?$")
  if not n then return nil end
  local mult = ({[""] = 1, k = 2^10, m = 2^20, g = 2^30})[unit:lower()]
  return math.floor(tonumber(n) * mult)
end

-- `dossier run SCRIPT [ARGS...]`: arguments after the script are the script's own.
local function run_script(argv)
  local script = argv[2]
  if not script or script == "-h" or script == "--help" then
    print("Usage: dossier run SCRIPT.lua [ARGS...]\n\n" ..
          "Runs SCRIPT.lua with dossier on the module path; the script sees its\n" ..
          "arguments in `arg` (arg[0] is the script) and in `...`.")
    return script and 0 or 1
  end
  local chunk, err = loadfile(script)
  if not chunk then error(err, 0) end
  local args = {[0] = script}
  for i = 3, #argv do args[i - 2] = argv[i] end
  _G.arg = args
  -- an error raised by dossier names its input, not the script's line: add the line of
  -- the script where it came from (`report.lua:12: search: unclosed ( at character 1`)
  local ok, err = xpcall(chunk, function(e)
    if type(e) ~= "string" then return e end
    if e:sub(1, #script + 1) == script .. ":" then return e end
    for level = 2, 50 do
      local info = debug.getinfo(level, "Sl")
      if not info then break end
      if info.short_src == script and info.currentline and info.currentline > 0 then
        return string.format("%s:%d: %s", script, info.currentline, e)
      end
    end
    return e
  end, table.unpack(args, 1, #args))
  if not ok then error(err, 0) end
  return 0
end

return {
  {
    name = "index",
    description = "Parse documents and add them to a corpus file.",
    -- what an interrupt the command did not see itself means (main, below)
    interrupted = function(self)
      if self.started then return "interrupted" end           -- after its own account
      return "interrupted: nothing of this run was stored"     -- before the add began
    end,
    options = function(c)
      c:argument("paths", "Files or directories (their .txt, .html, .md, .pdf and .jsonl files, recursively)."):args("+")
      c:option("--db", "Corpus file (created if missing).", "dossier.db")
      c:flag("-q --quiet", "Print nothing on success.")
      c:option("-j --jobs", "Threads that read, parse and tag, 1 to 64 (default: the number of processors).",
               nil, parse_jobs)
      c:option("--memory", "Memory budget, e.g. 256M or 2G (default 512M): half for documents in flight, "
               .. "half for new postings.", nil, parse_size)
      add_clean_options(c, "--format")
    end,
    run = function(a)
      local corpus, commits
      local existed = io.open(a.db, "rb")
      if existed then existed:close() end
      local this = cli.commands_by_name.index
      local ok, err = pcall(function()
        this.started = true
        local collected = files.collect(a.paths)   -- missing paths fail before the corpus is touched
        corpus = dossier.open(a.db)
        commits = corpus._h:commits()
        local progress
        if not a.quiet and isatty(io.stderr) then
          progress = function(i, n, path)
            eprintf("\r\27[K[%d/%d] %s", i, n, format.truncate(path, 60))
          end
        end
        local opts = clean_opts(a, a.format)
        opts.progress = progress
        opts.jobs = a.jobs
        opts.memory = a.memory
        opts.collected = collected           -- (walked once)
        local aok, added, stats = pcall(corpus.add, corpus, a.paths, opts)
        if progress then eprintf("\r\27[K") end
        if not aok then error(added, 0) end
        if not a.quiet then
          local after = corpus:info()            -- (only for this line: -q needs none)
          -- this add's own tokens: another writer may have added while this one waited
          local function s(n) return n == 1 and "" or "s" end
          print(string.format("%s: added %d document%s (%s token%s, %s sentence%s); corpus now %s document%s, %s token%s",
            a.db, added, s(added), format.count(stats.tokens), s(stats.tokens),
            format.count(stats.sentences), s(stats.sentences),
            format.count(after.documents), s(after.documents), format.count(after.tokens), s(after.tokens)))
        end
        if stats.interrupted then error("interrupted!", 0) end
      end)
      -- Ctrl-C: whether this run committed is counted in C, whenever the signal came (also
      -- after the add returned: then it stops this clean-up, which is done again, the
      -- interrupt being answered)
      local stored                        -- taken once: a second try may find the corpus closed
      local function finish()
        if stored == nil then stored = (corpus and corpus._h:isopen() and corpus._h:commits() > commits) or false end
        if corpus then corpus:close() end   -- (idempotent)
      end
      local fok, ferr = pcall(finish)
      if not fok then
        finish()
        if ok then ok, err = false, ferr end
      end
      if not ok and not existed and not stored then   -- a failed first add leaves no empty file
        -- (unless another process has meanwhile stored documents in the file it made too)
        local rok, nDocs = pcall(function()
          local r <close> = dossier.open(a.db, {readonly = true})
          return r:info().documents
        end)
        if not (rok and nDocs > 0) then
          for _, x in ipairs({"", "-wal", "-shm"}) do os.remove(a.db .. x) end
        end
      end
      if not ok and tostring(err):match("interrupted!?$") then
        if stored then
          eprintf("dossier: interrupted after the commit: the documents added are stored\n")
          return 0
        end
        eprintf("dossier: interrupted: nothing of this run was stored\n")
        return 130
      end
      if not ok then error(err, 0) end
    end,
  },
  {
    name = "info",
    description = "Describe a corpus: documents, tokens, types, size.",
    options = function(c)
      c:option("--db", "Corpus file.", "dossier.db")
      c:option("--format", "Output format.", "text"):choices({"text", "json"})
      c:flag("--docs", "List every document (text output; JSON always lists them).")
    end,
    run = function(a)
      local corpus <close> = open_existing(a.db, true)
      local info = corpus:info()
      local docs = corpus:docs()
      if a.format == "json" then
        info.docs = {}
        for i, d in ipairs(docs) do
          info.docs[i] = {name = d.name, tokens = d.tokens, sentences = d.sentences, meta = d.meta}
        end
        print(format.json(info))
        return
      end
      print(string.format("corpus     %s (format %d, %s)", a.db, info.format_version, format.bytes(info.bytes)))
      print(string.format("documents  %s    tokens %s    sentences %s    paragraphs %s    segments %s",
        format.count(info.documents), format.count(info.tokens), format.count(info.sentences),
        format.count(info.paragraphs), format.count(info.segments)))
      local types = {}
      for k, v in pairs(info.types) do types[#types + 1] = k .. " " .. format.count(v) end
      table.sort(types)
      print("types      " .. table.concat(types, "    "))
      local found = {}
      for _, k in ipairs({"ent", "date", "money", "percent", "cite", "url", "quote"}) do
        found[#found + 1] = k .. " " .. format.count(info.spans[k] or 0)
      end
      print("spans      " .. table.concat(found, "    "))
      local dates = {}
      for _, d in ipairs(docs) do if d.meta.date then dates[#dates + 1] = d.meta.date end end
      table.sort(dates)
      if #dates > 0 then
        print(string.format("dates      %s to %s (%d of %d documents dated)", dates[1], dates[#dates],
                            #dates, #docs))
      end
      if #docs > 0 and not a.docs then
        print(string.format("\n%d document%s: dossier info --db %s --docs lists them", #docs,
                            #docs == 1 and "" or "s", a.db))
      elseif #docs > 0 then
        local rows = {}
        for i, d in ipairs(docs) do
          rows[i] = {document = d.name, date = d.meta.date or "", tokens = d.tokens,
                     sentences = d.sentences, title = d.meta.title or ""}
        end
        print()
        print(format.table(rows, {"document", "date", "tokens", "sentences", "title"}, {max = 50}))
      end
    end,
  },
  {
    name = "tag",
    description = "Tokenize and split text into sentences; print CoNLL-U or JSON.",
    options = function(c)
      c:argument("files", "Text files ('-' or none: standard input)."):args("*")
      c:option("--format", "Output format.", "conllu"):choices({"conllu", "json"})
      add_clean_options(c, "--input")
    end,
    run = function(a)
      local inputs = #a.files > 0 and a.files or {"-"}
      if a.input == "conllu" then
        for _, path in ipairs(inputs) do tag_conllu(a, (read_input(path))) end
        return
      end
      local docs = {}
      local function one(text, id, name, fmt)
        local opts = clean_opts(a, fmt)
        opts.name = name
        if a.format == "json" then
          local d = dossier.parse(text, opts)   -- a Lua table per token: only for JSON
          d.id = id
          docs[#docs + 1] = d
        else
          io.stdout:write((dossier.conllu(text, id, opts)))   -- written in C, parsed once
        end
      end
      for _, path in ipairs(inputs) do
        local fmt = a.input or files.format_of(path, "txt")
        if fmt == "jsonl" then               -- a document per record
          local stem = path == "-" and "stdin" or path:match("([^/]+)$"):gsub("%.[^.]*$", "")
          if path == "-" then error("tag: JSON Lines from standard input: give the file's name", 0) end
          for _, rec in ipairs(files.read_jsonl(path, stem)) do
            one(rec.text, rec.name, path .. ":" .. rec.line, "txt")
          end
        elseif fmt == "pdf" and path == "-" then
          error("tag: a PDF from standard input: give the file's name", 0)
        else
          local text, id = read_input(path)
          one(text, id, path == "-" and "<stdin>" or path, fmt)
        end
      end
      if a.format == "json" then print(format.json(#docs == 1 and docs[1] or docs)) end
    end,
  },
  {
    name = "clean",
    description = "Print a document's clean text, or with --explain what the clean-up changed.",
    options = function(c)
      c:argument("file", "A document ('-': standard input).")
      c:flag("--explain", "List each change with its line in the original instead.")
      c:option("--site", "Another plain-text document of the same site, for the 'repeated' rule "
               .. "(repeatable)."):count("*"):args(1)
      c:option("--format", "Output format.", "text"):choices({"text", "json"})
      add_clean_options(c, "--input", true)
    end,
    run = function(a)
      require("dossier.data").clean_bits(a.no)        -- unknown rule names fail first
      local text, id = read_input(a.file)
      local opts = clean_opts(a, a.input or files.format_of(a.file, "txt"))
      opts.recognize = false
      opts.name = a.file == "-" and "<stdin>" or a.file
      if #a.site > 0 then
        local docs = {{text = text}}
        for _, path in ipairs(a.site) do docs[#docs + 1] = path end
        opts.site = dossier.site_lines(docs)
      end
      local d = dossier.parse(text, opts)
      if a.explain then
        for _, c in ipairs(d.changes) do
          print(string.format("%s:%d: %s: %s [bytes %d-%d]", a.file, c.line, c.rule, c.what,
                              c.raw_from, c.raw_to))
        end
        return
      end
      if a.format == "json" then
        print(format.json({id = id, text = d.text, paragraphs = d.paragraphs, changes = d.changes,
                           meta = d.meta}))
        return
      end
      local marks = {text = "", heading = "# ", footnote = "[^] "}
      for i, p in ipairs(d.paragraphs) do
        if i > 1 then io.write("\n") end
        io.write(marks[p.kind], d.text:sub(p.from, p.to), "\n")
      end
    end,
  },
  {
    name = "report",
    description = "Write the HTML report of a corpus: entities, events, network, themes, keywords, documents.",
    options = function(c)
      c:option("--db", "Corpus file.", "dossier.db")
      c:option("-o --output", "The HTML file to write.", "report.html")
      c:flag("-q --quiet", "Print nothing but errors.")
      c:flag("--timings", "Print the seconds each part took, on stderr.")
    end,
    run = function(a)
      local corpus <close> = open_existing(a.db, true)
      local progress
      if not a.quiet and isatty(io.stderr) then
        progress = function(i, n, what)
          local w = 30
          local done = math.floor(w * i / n)
          eprintf("\r\27[K[%s%s] %s", string.rep("#", done), string.rep(".", w - done), what)
        end
      end
      local s = require("dossier.report").write(corpus, a.output, {progress = progress})
      if progress then eprintf("\r\27[K") end
      if a.timings then
        for _, t in ipairs(s.timings) do eprintf("%-14s %7.2f s\n", t.part, t.seconds) end
      end
      if a.quiet then return end
      print(string.format("%s documents, %s tokens", format.count(s.documents), format.count(s.tokens)))
      local names = {}
      for _, e in ipairs(s.actors) do names[#names + 1] = string.format("%s (%d)", e.name, e.mentions) end
      print("top actors   " .. (#names > 0 and table.concat(names, ", ") or "(none: indexed without the recognizers)"))
      local byAction = {}
      for _, e in ipairs(s.events) do byAction[e.action] = (byAction[e.action] or 0) + 1 end
      local acts = {}
      for k, n in pairs(byAction) do acts[#acts + 1] = {k, n} end
      table.sort(acts, function(x, y) return x[2] > y[2] or (x[2] == y[2] and x[1] < y[1]) end)
      for i, x in ipairs(acts) do acts[i] = x[1] .. " " .. x[2] end
      print(string.format("events       %d%s", #s.events, #acts > 0 and (": " .. table.concat(acts, ", ")) or ""))
      for _, actor in ipairs({"China", "Russia"}) do
        local rows = s.themes[actor] or {}
        table.sort(rows, function(x, y) return x.per_10k > y.per_10k end)
        local top = {}
        for i = 1, math.min(3, #rows) do
          if rows[i].hits > 0 then top[#top + 1] = string.format("%s %.0f", rows[i].frame, rows[i].per_10k) end
        end
        if #top > 0 then print(string.format("themes %-6s %s (per 10,000 tokens of the sentences naming it)", actor,
                                             table.concat(top, ", "))) end
      end
      print("report       " .. a.output)
    end,
  },
  {
    name = "extract",
    description = "List the entities, dates, money, percentages, citations, URLs and quotations "
                  .. "found in files or in stored corpora (TSV: doc start end text type value).",
    options = function(c)
      c:argument("files", "Documents to read (none: the stored corpora of --db)."):args("*")
      c:option("--db", "A stored corpus (repeatable).")
        :count("*"):args(1)
      c:option("--kind", "entities, dates, money, percent, citations, urls or quotes (repeatable; default all).")
        :count("*"):args(1)
      c:option("--format", "Output format.", "tsv"):choices({"tsv", "json"})
      add_clean_options(c, "--input")
    end,
    run = function(a)
      local extract = require "dossier.extract"
      local want, order = extract.kinds(a.kind)
      if #a.files == 0 and #a.db == 0 then error("extract: give files to read, or --db FILE", 0) end
      if #a.files > 0 and #a.db > 0 then error("extract: give files or --db, not both", 0) end
      if a.no_recognize then error("extract: --no-recognize leaves nothing to extract", 0) end
      local rows = {}
      for _, path in ipairs(a.db) do
        local c <close> = open_existing(path, true)
        extract.rows_of_corpus(c._h, order, rows)
      end
      for _, path in ipairs(a.files) do
        local fmt = a.input or files.format_of(path, "txt")
        if fmt == "jsonl" then
          local stem = path:match("([^/]+)$"):gsub("%.[^.]*$", "")
          for _, rec in ipairs(files.read_jsonl(path, stem)) do
            local opts = clean_opts(a, "txt")
            opts.name = path .. ":" .. rec.line
            extract.rows_of_parse(rec.name, dossier.parse(rec.text, opts), want, rows)
          end
        else
          local opts = clean_opts(a, fmt)
          opts.name = path == "-" and "<stdin>" or path
          extract.rows_of_parse(path, dossier.parse((read_input(path)), opts), want, rows)
        end
      end
      print(extract.render(rows, a.format))
    end,
  },
  {
    name = "search",
    description = "Rank documents for a search (bm25), with snippets.",
    options = function(c)
      c:argument("query", 'Words as dossier tokenizes them (Sino-Russian, China\'s, U.S.), "phrases", '
                 .. 'AND, OR, NOT, NEAR(... , N), ( ), prefix* (FTS5 syntax).')
      c:option("--db", "Corpus file.", "dossier.db")
      c:option("--limit", "At most N documents.", "10", tonumber)
      c:option("--tokens", "Tokens in a snippet.", "20", tonumber)
      c:option("--format", "Output format.", "text"):choices({"text", "tsv", "json"})
    end,
    run = function(a)
      -- writable, to index what was added since the last search; else as it is
      local ok, c = pcall(open_existing, a.db, false)
      local corpus <close> = ok and c or open_existing(a.db, true)
      if not ok and corpus:search_missing() > 0 then
        eprintf("dossier: warning: %s; %d documents are not searchable yet\n", c, corpus:search_missing())
      end
      local hits = corpus:search(a.query, {limit = a.limit, tokens = a.tokens})
      if #hits == 0 then eprintf("0 documents match\n") end   -- as query's "0 matches"
      if a.format == "json" then
        print(format.json({query = a.query, hits = hits}))
        return
      end
      if a.format == "tsv" then
        print(format.tsv(hits, {"doc", "score", "snippet"}))
        return
      end
      for _, h in ipairs(hits) do
        print(string.format("%7.2f  %s\n         %s", h.score, format.printable(h.doc), format.printable(h.snippet)))
      end
    end,
  },
  {
    name = "optimize",
    description = "Merge a corpus's segments into one and free removed documents' space.",
    options = function(c)
      c:option("--db", "Corpus file.", "dossier.db")
      c:flag("-q --quiet", "Print nothing on success.")
    end,
    run = function(a)
      local corpus <close> = open_existing(a.db)
      local before = corpus:info()
      corpus:optimize()
      local after = corpus:info()
      if not a.quiet then
        print(string.format("%s: %d segment%s merged into %d; %s -> %s", a.db, before.segments,
          before.segments == 1 and "" or "s", after.segments, format.bytes(before.bytes), format.bytes(after.bytes)))
      end
    end,
  },
  {
    name = "remove",
    description = "Remove documents (by name or id) from a corpus.",
    options = function(c)
      c:argument("docs", "Document names or ids."):args("+")
      c:option("--db", "Corpus file.", "dossier.db")
      c:flag("-q --quiet", "Print nothing on success.")
    end,
    run = function(a)
      local corpus <close> = open_existing(a.db)
      for _, doc in ipairs(a.docs) do
        local id = tonumber(doc)                -- a name first, then an id
        if not corpus:remove(doc) and not (id and corpus:remove(id)) then
          error(string.format("%s: no document %s", a.db, doc), 0)
        end
        if not a.quiet then print(string.format("%s: removed %s", a.db, doc)) end
      end
    end,
  },
  {
    name = "check",
    description = "Verify a corpus file: SQLite's integrity check and dossier's invariants.",
    options = function(c)
      c:option("--db", "Corpus file.", "dossier.db")
    end,
    run = function(a)
      local corpus <close> = open_existing(a.db, true)
      local ok, report = corpus:check()
      local info = corpus:info()
      if ok then
        print(string.format("%s: ok (%s documents, %s tokens)", a.db, format.count(info.documents),
                            format.count(info.tokens)))
        return 0
      end
      io.stdout:write(report)
      eprintf("dossier: %s: the corpus has problems (listed above)\n", a.db)
      return 1
    end,
  },
  {
    name = "repl",
    description = "Interactive Lua with dossier and the corpus loaded.",
    options = function(c)
      c:option("--db", "Corpus file to open as `corpus` (it must exist, unless --create).")
      c:flag("--create", "Create the corpus file given with --db when it is missing.")
    end,
    run = function(a)
      return require("dossier.repl").run({db = a.db, create = a.create})
    end,
  },
  {
    name = "run",
    description = "Run a Lua script with dossier on the module path: dossier run SCRIPT.lua [ARGS...]",
    raw = true,
    run = run_script,
  },
}
