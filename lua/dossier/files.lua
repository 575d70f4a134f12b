-- Finding the documents to add: files and directories, and MANIFEST.tsv metadata.
local lfs = require "lfs"

local M = {}

-- Extensions taken from a directory (a file named explicitly is always taken).
M.extensions = {txt = true, text = true}

local function basename(path) return path:match("([^/]+)/*$") or path end
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

-- Walk dir recursively in name order, appending {path, name, meta} to list.
-- Hidden entries are skipped; symbolic links to directories are not followed.
local function walk(dir, prefix, list)
  local names = {}
  for name in lfs.dir(dir) do
    if name:sub(1, 1) ~= "." then names[#names + 1] = name end
  end
  table.sort(names)
  local manifest = M.read_manifest(dir .. "/MANIFEST.tsv")
  for _, name in ipairs(names) do
    local path = dir .. "/" .. name
    local mode = lfs.symlinkattributes(path, "mode")
    if mode == "link" then mode = lfs.attributes(path, "mode") == "file" and "file" or nil end
    if mode == "directory" then
      walk(path, prefix .. name .. "/", list)
    elseif mode == "file" and M.extensions[(name:match("%.([^.]+)$") or ""):lower()] then
      list[#list + 1] = {path = path, name = prefix .. stem(name), meta = manifest[name] or {}}
    end
  end
end

-- The documents named by `paths` (a path or a list of paths), in a stable order.
-- A missing path is an error naming it.
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
    else
      local dir = p:match("^(.*)/[^/]*$") or "."
      local manifest = M.read_manifest(dir .. "/MANIFEST.tsv")
      list[#list + 1] = {path = p, name = stem(basename(p)), meta = manifest[basename(p)] or {}}
    end
  end
  return list
end

return M
