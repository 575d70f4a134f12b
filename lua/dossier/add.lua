-- Corpus:add (see its comment in dossier/init.lua), in a file of its own: loaded at the
-- first add, so a process that only reads compiles none of it.
local files = require "dossier.files"
local data = require "dossier.data"
local sites = require "dossier.sites"

return function(self, paths, opts, ctx)
  local core, handle = ctx.core, ctx.handle
  local clean_settings, tagger_of, extractor_of = ctx.clean_settings, ctx.tagger_of, ctx.extractor_of
  local h = handle(self)
  opts = opts or {}
  if opts.jobs ~= nil and (math.type(opts.jobs) ~= "integer" or opts.jobs < 1 or opts.jobs > 64) then
    error("add: jobs must be a whole number from 1 to 64, not " .. tostring(opts.jobs), 2)
  end
  -- opts.collected: files.collect(paths) as the caller made it already (the CLI, to fail
  -- on a missing path before the corpus is touched): a directory is walked once
  local list = opts.collected or files.collect(paths)
  local taken = {}
  for _, d in ipairs(h:docs()) do taken[d.name] = true end
  files.distinct_names(list, taken)
  local rules, ld = clean_settings(opts)
  local tagger = tagger_of(opts)
  local extractor = extractor_of(opts)
  local warn = opts.warn or function(msg) io.stderr:write("dossier: warning: ", msg, "\n") end
  local docs, spooled, nRecords = {}, {}, 0
  local _ <close> = setmetatable({}, {__close = function()     -- however the add ends
    for _, t in ipairs(spooled) do os.remove(t) end
  end})
  if list.skipped then warn(files.skipped_warning(list.skipped)) end
  local repeated = rules & data.rules.repeated ~= 0
  local peeks, peek_of = files.peek(list, opts.format, repeated, opts.jobs or core.ncpu())
  for _, f in ipairs(list) do
    local format = opts.format or f.format
    local function merged(own)
      local meta = {}
      for k, v in pairs(own) do meta[k] = files.meta_value(v, k, f.path) end
      for k, v in pairs(f.meta) do meta[k] = files.meta_value(v, k, f.path) end
      for k, v in pairs(opts.meta or {}) do meta[k] = files.meta_value(v, k) end
      return meta
    end
    if format == "jsonl" then
      docs[#docs + 1] = {jsonl = f, merged = merged}   -- read a record at a time, below
      nRecords = nRecords + files.count_records(f.path)
    elseif f.stream then
      -- a pipe or device: copied to a temporary file as it comes, then read as a file
      local tmp = files.spool(f.path)
      spooled[#spooled + 1] = tmp
      docs[#docs + 1] = {path = tmp, name = f.name, where = f.path, meta = merged({}), format = format}
    elseif f.fromDir and files.unreadable(peeks, peek_of[f]) then
      -- a directory's binary or empty files are passed over, with a warning
      warn(f.path .. ": " .. files.unreadable(peeks, peek_of[f]) .. ", skipped")
    elseif f.fromDir and format == "pdf" and files.pdf_problem(f.path, core.pdf_probe) then
      -- and so are its encrypted, damaged and scanned PDFs
      warn(files.pdf_problem(f.path, core.pdf_probe) .. "; skipped")
    else
      local doc = {path = f.path, name = f.name, meta = merged({}), format = format,
                   peek = peek_of[f] and {peeks, peek_of[f]}}
      local broken = format == "md" and files.front_matter_error(f.path, ctx.parse)
      if broken then          -- the text is indexed; its metadata could not be read
        warn(string.format("%s: %s; indexed without its metadata", f.path, broken))
        doc.front_matter = false
      end
      docs[#docs + 1] = doc
    end
  end
  if repeated then
    local files_only = {}
    for _, d in ipairs(docs) do if not d.jsonl then files_only[#files_only + 1] = d end end
    sites.mark(files_only)
  end
  local nTotal = nRecords
  for _, d in ipairs(docs) do if not d.jsonl then nTotal = nTotal + 1 end end
  -- JSON Lines records go to ingest in batches of about this many bytes of text, so a
  -- large file is never decoded whole; all batches are one transaction
  local batchBytes = opts.batch_bytes or math.max(8 * 2^20, (opts.memory or 512 * 2^20) // 8)
  local commits = h:commits()
  h:begin()
  local before, stats = h:info(), nil          -- inside the write transaction: ours alone
  local ok, res = pcall(function()
    local nAdded, nDone, batch, records, nBytes = 0, 0, {}, {}, 0
    local o = {
      rules = rules, langdata = ld, encoding = opts.encoding, tagger = tagger, extractor = extractor,
      jobs = opts.jobs or core.ncpu(), memory = opts.memory,
      progress = opts.progress and function(i, _, name) return opts.progress(nDone + i, nTotal, name) end,
      part_bytes = opts.part_bytes or math.tointeger(tonumber(os.getenv("DOSSIER_PART_BYTES")))}
    local function flush()
      if #batch == 0 then return end
      if repeated and #records > 0 then sites.mark(records) end
      nAdded = nAdded + h:ingest(batch, o)
      nDone = nDone + #batch
      batch, records, nBytes = {}, {}, 0
    end
    for _, d in ipairs(docs) do
      if d.jsonl then
        for rec in files.jsonl_records(d.jsonl.path, d.jsonl.name) do
          local doc = {text = rec.text, name = rec.name, where = d.jsonl.path .. ":" .. rec.line,
                       meta = d.merged(rec.meta), format = "txt"}
          batch[#batch + 1], records[#records + 1] = doc, doc
          nBytes = nBytes + #rec.text
          if nBytes >= batchBytes then flush() end
        end
      else
        batch[#batch + 1] = d
      end
    end
    flush()
    return nAdded
  end)
  if ok then
    ok, stats = pcall(h.info, h)
    if ok then
      stats = {documents = res, tokens = stats.tokens - before.tokens,
               sentences = stats.sentences - before.sentences}
    else
      res = stats
    end
  end
  if ok then
    local cok, cerr = pcall(h.commit, h)
    if not cok then
      -- Lua's Ctrl-C hook may raise at the return of the C call: the commit was done
      if h:commits() > commits then
        stats.interrupted = true
      else
        ok, res = false, cerr
      end
    end
  end
  if not ok then
    if h:isopen() then h:rollback() end
    error(res, 0)
  end
  return res, stats
end
