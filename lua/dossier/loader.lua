-- dossier.loader: Lua modules compiled once and kept as bytecode, as Python keeps .pyc
-- files. Compiling is most of a short command's time (argparse alone takes 1.5 ms of a
-- 6 ms `dossier query --count`); loading the compiled chunk takes a tenth of that.
--
-- install(dir) puts a searcher before Lua's own: a module found on package.path is
-- loaded from dir/<hash of its path>.luac when that file names the hash of the source
-- as it is now and its bytecode is whole (its own hash checks out), else the source is
-- compiled and the file written anew (written to a new name, then renamed: another
-- process never reads half a file). The bytecode keeps its debug information, so errors
-- and tracebacks name the source file and line as before. A cache that cannot be read or
-- written costs nothing but the compile.
--
-- The hash is core.hash64 (ds_hash64: 64 bits, 8 bytes a multiplication), not a
-- cryptographic one: the cache is the user's own directory, and what it guards against
-- is a stale file (the source changed) or a damaged one (cut short, a byte changed), not
-- an adversary, who could write the bytecode itself as easily as its hash. (SHA-256 here
-- took Nettle into every process, 0.16 ms of a 4.3 ms query, and hashed slower.)
--
-- bin/dossier installs it in $DOSSIER_CACHE, else $XDG_CACHE_HOME/dossier, else
-- ~/.cache/dossier; DOSSIER_CACHE=off leaves Lua's loading as it is.
local core = require "dossier.core"

local M = {}

local MAGIC = "dossier-luac 2\n"     -- 2: hash64 (1: SHA-256)

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- The cached chunk in file `path` of the source whose hash is srcSum, if it is there
-- and sound. The file: MAGIC, the source's hash and the bytecode's (16 hex digits and a
-- newline each), the bytecode.
local HEAD = #MAGIC + 34
local function cached(path, srcSum)
  local f = io.open(path, "rb")
  if not f then return nil end
  local head, code = f:read(HEAD, "a")
  f:close()
  if head ~= MAGIC .. srcSum .. "\n" .. (code and core.hash64(code) or "") .. "\n" then return nil end
  return load(code, nil, "b")
end

local function write_cache(dir, path, srcSum, fn)
  local lfs = require "lfs"
  if lfs.attributes(dir, "mode") ~= "directory" then
    local parent = dir:match("^(.*)/[^/]+$")
    if parent and parent ~= "" and lfs.attributes(parent, "mode") ~= "directory" then lfs.mkdir(parent) end
    lfs.mkdir(dir)
  end
  local code = string.dump(fn)
  local tmp = string.format("%s.%d.%d.tmp", path, os.time(), math.random(1, 1 << 30))
  local f = io.open(tmp, "wb")
  if not f then return end
  local ok = f:write(MAGIC, srcSum, "\n", core.hash64(code), "\n", code)
  ok = f:close() and ok
  if not (ok and os.rename(tmp, path)) then os.remove(tmp) end
end

-- The searcher. nil when the module is not on package.path, its file cannot be read or
-- it does not compile: Lua's own searcher then finds it or says why, in its own words.
-- The source is hashed in C (a 58 KB argparse read into a Lua string took 0.13 ms) and
-- read into Lua only to be compiled.
local function searcher(dir, name)
  local file = package.searchpath(name, package.path)
  local srcSum = file and core.file_hash64(file)
  if not srcSum then return nil end
  local path = dir .. "/" .. core.hash64(file) .. ".luac"
  local fn = cached(path, srcSum)
  if not fn then
    local src = read_file(file)
    fn = src and load(src, "@" .. file)
    if not fn then return nil end
    -- the hash of the very text compiled (the file may have changed since it was hashed)
    pcall(write_cache, dir, path, core.hash64(src), fn)
  end
  return fn, file
end

-- The cache's directory from the environment, or nil when it is off.
function M.default_dir()
  local dir = os.getenv("DOSSIER_CACHE")
  if dir == "off" then return nil end
  if dir and dir ~= "" then return dir end
  local base = os.getenv("XDG_CACHE_HOME")
  if not base or base == "" then
    local home = os.getenv("HOME")
    if not home or home == "" then return nil end
    base = home .. "/.cache"
  end
  return base .. "/dossier"
end

-- The searcher keeping its bytecode in dir (for package.searchers).
function M.searcher(dir)
  return function(name) return searcher(dir, name) end
end

function M.install(dir)
  if dir then table.insert(package.searchers, 2, M.searcher(dir)) end
end

return M
