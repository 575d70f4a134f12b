-- Finding the documents to add: files and directories, and MANIFEST.tsv metadata.
local lfs = require "lfs"
local core = require "dossier.core"

local M = {}

-- Formats by extension; a directory's other files are left alone (a file named
-- explicitly is read as text when its extension is unknown).
M.extensions = {txt = "txt", text = "txt", html = "html", htm = "html", xhtml = "html",
                md = "md", markdown = "md", pdf = "pdf", jsonl = "jsonl"}

-- The format of a path by its extension, or `default`.
function M.format_of(path, default)
  return M.extensions[(path:match("%.([^./]+)$") or ""):lower()] or default
end

local function basename(path) return path:match("([^/]+)/*$") or path end
local BOM = "\239\187\191"      -- a UTF-8 byte order mark, allowed at the start of a file

-- A metadata value as stored: strings as they are, integral numbers without ".0",
-- booleans as words; anything else (a table, a function) is refused, naming `where`.
function M.meta_value(v, key, where)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then return math.type(v) == "float" and v == math.floor(v) and v >= -2^53 and v <= 2^53
                                 and string.format("%d", v) or tostring(v) end
  if t == "boolean" then return tostring(v) end
  error(string.format("%smetadata value of '%s' must be a string, number or boolean, not a %s",
                      where and (where .. ": ") or "", tostring(key), t), 0)
end
local function stem(name) return (name:gsub("%.[^./]*$", "")) end

-- Read a MANIFEST.tsv: a header line naming the columns, the first being `file`;
-- returns {[file] = {column = value, ...}}. Empty cells are left out.
function M.read_manifest(path)
  local f = io.open(path, "rb")
  if not f then return {} end
  local header, out, lineno = nil, {}, 0
  for line in f:lines() do
    lineno = lineno + 1
    line = line:gsub("\r$", "")
    if lineno == 1 and line:sub(1, 3) == BOM then line = line:sub(4) end
    if line ~= "" and not line:match("^#") then
      local cells = {}
      for cell in (line .. "\t"):gmatch("([^\t]*)\t") do cells[#cells + 1] = cell end
      if not header then
        header = cells
        if header[1] ~= "file" then
          f:close()
          error(string.format("%s:%d: the first column must be 'file'", path, lineno), 0)
        end
      else
        local meta = {}
        for i = 2, #header do
          if cells[i] and cells[i] ~= "" then meta[header[i]] = cells[i] end
        end
        out[cells[1]] = meta
      end
    end
  end
  f:close()
  return out
end

-- Walk dir recursively in name order, appending {path, name, meta, format} to list.
-- Hidden entries are skipped; symbolic links to directories are not followed (so a
-- link loop cannot recur); a link to a file is read as a file of this directory, named
-- by the link, wherever it points; broken links are skipped. Names are relative to the
-- directory given, so they hold no `.` or `..` parts (spec/13-hostile_spec.lua).
local function walk(dir, prefix, list)
  local names = {}
  local ok, err = pcall(function()
    for name in lfs.dir(dir) do
      if name:sub(1, 1) ~= "." then names[#names + 1] = name end
    end
  end)
  if not ok then      -- lfs's message, without a Lua location: the directory and the reason
    error(string.format("%s: cannot read the directory: %s", dir,
                        tostring(err):match("([^:]+)$"):gsub("^%s+", "")), 0)
  end
  table.sort(names)
  local manifest = M.read_manifest(dir .. "/MANIFEST.tsv")
  for _, name in ipairs(names) do
    local path = dir .. "/" .. name
    local mode = lfs.symlinkattributes(path, "mode")
    if mode == "link" then mode = lfs.attributes(path, "mode") == "file" and "file" or nil end
    if mode == "directory" then
      walk(path, prefix .. name .. "/", list)
    elseif mode == "file" and M.format_of(name) then
      list[#list + 1] = {path = path, name = prefix .. stem(name), meta = manifest[name] or {},
                         format = M.format_of(name), fromDir = true}
    elseif mode == "file" and name ~= "MANIFEST.tsv" then
      list.skipped = list.skipped or {}
      list.skipped[#list.skipped + 1] = path
    end
  end
end

-- Give documents that would share a name distinct names, in place: `strategic.html`
-- and `strategic.md` keep their extensions (`strategic.html`, `strategic.md`); `a/x.txt`
-- and `b/x.txt` take as many of their directories as tell them apart (`a/x`, `b/x`).
-- `taken` (may be nil) holds the names already in the corpus: a new document named as
-- one of them is told apart in the same way (an unchanged file is not added again in
-- any case: its bytes are known).
function M.distinct_names(list, taken)
  taken = taken or {}
  local groups = {}
  for _, f in ipairs(list) do
    if f.path and not f.fixedName then
      groups[f.name] = groups[f.name] or {}
      table.insert(groups[f.name], f)
    end
  end
  for name, g in pairs(groups) do
    if #g > 1 or taken[name] then
      local exts, nExt = {}, 0     -- extensions that tell them apart
      for _, f in ipairs(g) do
        local x = f.path:match("%.([^./]+)$") or ""
        if not exts[x] then exts[x] = true; nExt = nExt + 1 end
      end
      -- the path's parts, with the extension or without
      local function parts(f, bExt)
        local p = bExt and f.path or f.path:gsub("%.[^./]*$", "")
        local out = {}
        for x in p:gmatch("[^/]+") do if x ~= "." then out[#out + 1] = x end end
        return out
      end
      -- as many parts as the name has already (a directory's walk names `s/x`), then more
      local kmin = 1
      for _, f in ipairs(g) do
        local _, nSlash = f.name:gsub("/", "")
        kmin = math.max(kmin, nSlash + 1)
      end
      local done = false
      for _, bExt in ipairs({nExt > 1, true}) do
        for k = kmin, 64 do
          local seen, ok = {}, true
          for _, f in ipairs(g) do
            local pp = parts(f, bExt)
            f.newName = table.concat(pp, "/", math.max(1, #pp - k + 1))
            if seen[f.newName] or taken[f.newName] then ok = false end
            seen[f.newName] = true
          end
          if ok then done = true; break end
        end
        if done then break end
      end
      if not done then                   -- the same path twice, or taken: number them
        for i, f in ipairs(g) do f.newName = name .. "-" .. i end
      end
      for _, f in ipairs(g) do f.name, f.newName = f.newName, nil end
    end
  end
  return list
end

-- The documents named by `paths` (a path or a list of paths), in a stable order.
-- A missing path is an error naming it. list.skipped holds the paths of a directory's
-- files of types dossier does not read (nil if none).
function M.collect(paths)
  if type(paths) == "string" then paths = {paths} end
  assert(type(paths) == "table", "bad argument #1 to 'add' (path or list of paths expected)")
  local list = {}
  for _, p in ipairs(paths) do
    p = p:gsub("(.)/+$", "%1")
    local mode, err = lfs.attributes(p, "mode")
    if not mode then
      error(string.format("%s: %s", p, (err or ""):match("No such file or directory") and
        "no such file or directory" or err), 0)
    elseif mode == "directory" then
      walk(p, "", list)
    elseif mode ~= "file" then          -- a pipe or device: read once, as it comes (M.spool)
      local fd = p:match("^/dev/fd/(%d+)$") or p:match("^/proc/self/fd/(%d+)$")
      local name = (p == "/dev/stdin" or fd == "0") and "stdin" or fd and ("fd-" .. fd) or stem(basename(p))
      list[#list + 1] = {path = p, name = name, meta = {}, format = M.format_of(p, "txt"), stream = true}
    else
      local dir = p:match("^(.*)/[^/]*$") or "."
      local manifest = M.read_manifest(dir .. "/MANIFEST.tsv")
      list[#list + 1] = {path = p, name = stem(basename(p)), meta = manifest[basename(p)] or {},
                         format = M.format_of(p, "txt")}
    end
  end
  return list
end

-- Copy a pipe or device (path) to a temporary regular file, a block at a time, so it is
-- indexed like a file (in parts when large) with bounded memory; a NUL byte stops it as
-- soon as it arrives (`/dev/zero` fails at once), unless the input is UTF-16 (byte order
-- mark). Returns the temporary file's path; the caller removes it.
function M.spool(path)
  local f, err = io.open(path, "rb")
  if not f then error(err, 0) end
  local tmp = os.tmpname()
  local out = assert(io.open(tmp, "wb"))
  local at, utf16 = 0, nil
  local ok, werr = pcall(function()
    while true do
      local block = f:read(65536)
      if not block then break end
      if utf16 == nil then utf16 = block:find("^\255\254") or block:find("^\254\255") or false end
      local nul = not utf16 and block:find("\0", 1, true)
      if nul then error(string.format("%s: binary file (NUL byte at byte %d)", path, at + nul - 1), 0) end
      assert(out:write(block))
      at = at + #block
    end
  end)
  f:close()
  out:close()
  if not ok then
    os.remove(tmp)
    error(werr, 0)
  end
  return tmp
end

-- One warning for the files of types dossier does not read: "skipped 3 files of types
-- dossier does not read: .csv, .docx (first: dir/a.docx)".
function M.skipped_warning(skipped)
  local exts, seen = {}, {}
  for _, p in ipairs(skipped) do
    local x = (p:match("([^/]+)$"):match("%.([^.]+)$") or ""):lower()
    x = x == "" and "(no extension)" or "." .. x
    if not seen[x] then seen[x] = true; exts[#exts + 1] = x end
  end
  table.sort(exts)
  return string.format("skipped %d file%s of types dossier does not read: %s (first: %s)",
                       #skipped, #skipped == 1 and "" or "s", table.concat(exts, ", "), skipped[1])
end

-- The error in a Markdown file's YAML front matter (`front matter, line 3: ...`), or nil
-- when it has none or it reads; parse is dossier.parse (run on the front matter only).
function M.front_matter_error(path, parse)
  local f = io.open(path, "rb")
  if not f then return nil end
  local first = f:read("l")
  if first ~= "---" then f:close(); return nil end
  local lines = {first}
  for line in f:lines() do
    lines[#lines + 1] = line
    if line == "---" or line == "..." then break end
    if #lines > 100000 then break end
  end
  f:close()
  local ok, err = pcall(parse, table.concat(lines, "\n") .. "\n", {format = "md", clean = false, tag = false})
  if ok then return nil end
  return (tostring(err):gsub("^<text>: ", ""))
end

-- Why the PDF at path cannot be read (encrypted, damaged, no text), or nil; probe is
-- core.pdf_probe. Remembered, as the caller asks twice.
local pdf_seen = {}
function M.pdf_problem(path, probe)
  if pdf_seen[path] ~= nil then return pdf_seen[path] or nil end
  local f = io.open(path, "rb")
  if not f then return nil end
  local bytes = f:read("a")
  f:close()
  local why = probe(bytes, path)
  pdf_seen[path] = why or false
  return why
end

-- One look at the files of `list` (dossier.files.collect) before any is read whole, on
-- `jobs` threads (csrc/ds_sitelines.h): for a directory's files, whether each can be a
-- document; for plain-text files when `repeated` (the clean-up's rule is on), the lines
-- their site would count. Returns the look and a table file -> its index in it.
function M.peek(list, format, repeated, jobs)
  local paths, flags, index = {}, {}, {}
  for _, f in ipairs(list) do
    local fmt = format or f.format
    if not f.stream and fmt ~= "jsonl" then
      local fl = (f.fromDir and fmt ~= "pdf" and 1 or 0) | (repeated and fmt == "txt" and 2 or 0)
      if f.fromDir or fl ~= 0 then
        paths[#paths + 1], flags[#flags + 1] = f.path, fl
        index[f] = #paths
      end
    end
  end
  return core.peek_files(paths, flags, jobs), index
end

-- Why a file cannot be a document, from its look (M.peek; i its index there): "empty
-- file" (only white space in its first 8 KiB), "binary file" (a NUL byte there, UTF-16
-- with a byte order mark and PDF excepted), or nil. A file that cannot be read is left
-- to the reader, which says why.
function M.unreadable(peeks, i)
  local why = i and peeks:why(i)
  return why ~= "unreadable" and why or nil
end

-- The records of a JSON Lines file, one at a time: an iterator of {text, name, meta,
-- line} for each non-blank line, reading a line at a time (a large file is never held
-- whole). A record needs a string `text` (or `content`, `body`); `id` or `name` (a string
-- or a number, unique in the file) names it; its other string, number and boolean fields
-- are metadata. Errors name the file and line. A UTF-8 byte order mark may open the file.
function M.jsonl_records(path, stemName)
  local cjson = require "cjson.safe"
  local f, err = io.open(path, "rb")
  if not f then error(err, 0) end
  local lineno, seen = 0, {}
  local function fail(msg)
    f:close()
    error(string.format("%s:%d: %s", path, lineno, msg), 0)
  end
  return function()
    while true do
      local line = f:read("L")
      if not line then f:close(); return nil end
      lineno = lineno + 1
      if lineno == 1 and line:sub(1, 3) == BOM then line = line:sub(4) end
      if line:find("%S") then
        local rec, jerr = cjson.decode(line)
        if type(rec) ~= "table" then fail("not a JSON object" .. (jerr and (" (" .. jerr .. ")") or "")) end
        local text = rec.text or rec.content or rec.body
        if type(text) ~= "string" then fail("the record has no string field `text`") end
        local meta = {}
        for k, v in pairs(rec) do
          local t = type(v)
          if type(k) == "string" and k ~= "text" and k ~= "content" and k ~= "body" and
             (t == "string" or t == "number" or t == "boolean") then
            meta[k] = M.meta_value(v, k)
          end
        end
        local name = rec.id or rec.name
        if name ~= nil and type(name) ~= "string" and type(name) ~= "number" then
          fail(string.format("the record's `%s` must be a string or a number, not %s", rec.id ~= nil and "id" or "name",
                             type(name) == "table" and "an object or array" or type(name)))
        end
        name = name and M.meta_value(name) or string.format("%s-%d", stemName, lineno)
        if seen[name] then fail(string.format("the name '%s' was given already on line %d", name, seen[name])) end
        seen[name] = lineno
        return {text = text, line = lineno, meta = meta, name = name}
      end
    end
  end
end

-- All the records of a JSON Lines file, as a list (see jsonl_records).
function M.read_jsonl(path, stemName)
  local out = {}
  for rec in M.jsonl_records(path, stemName) do out[#out + 1] = rec end
  return out
end

-- Non-blank lines of a file (records of a JSON Lines file), counted a block at a time.
function M.count_records(path)
  local f = io.open(path, "rb")
  if not f then return 0 end
  local n = 0
  for line in f:lines() do if line:find("%S") then n = n + 1 end end
  f:close()
  return n
end

return M
