-- Shared helpers for the specs: the sample corpus, temporary files, running the CLI.
local M = {}

M.seeds = "corpus/seeds"
M.shared = os.getenv("DOSSIER_SHARED") or "../shared"

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- The path of a data file written outside this project: under the shared folder
-- (../shared, or DOSSIER_SHARED), else the small in-project copy under spec/data/ (the
-- Unicode test files; spec/data/unicode-15.0/PROVENANCE.md). When neither has it: nil
-- and one line saying what is skipped and how to run it, for the test's pending().
function M.data_file(rel, what)
  for _, dir in ipairs({M.shared .. "/data/", "spec/data/"}) do
    if exists(dir .. rel) then return dir .. rel end
  end
  return nil, "skipped: " .. what .. " (needs " .. M.shared .. "/data/" .. rel ..
              "; run with the shared data beside the clone, or make test SHARED=DIR)"
end

function M.read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

function M.write(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- A fresh temporary path (nothing exists there); removed with M.cleanup.
local made = {}
function M.tmp(suffix)
  local p = os.tmpname()
  os.remove(p)
  p = p .. (suffix or "")
  made[#made + 1] = p
  return p
end

function M.cleanup()
  for _, p in ipairs(made) do
    for _, s in ipairs({"", "-wal", "-shm"}) do os.remove(p .. s) end
  end
  made = {}
end

-- The sample documents' paths, in name order.
function M.seed_files()
  local out = {}
  local p = io.popen("ls " .. M.seeds .. "/*.txt")
  for line in p:lines() do out[#out + 1] = line end
  p:close()
  return out
end

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
M.quote = shell_quote

-- Run bin/dossier with the given arguments (and optional stdin text); returns
-- exit status, stdout, stderr.
function M.cli(args, stdin)
  local out, err = M.tmp(".out"), M.tmp(".err")
  local cmd = {"bin/dossier"}
  for _, a in ipairs(args) do cmd[#cmd + 1] = shell_quote(a) end
  local line = table.concat(cmd, " ") .. " >" .. out .. " 2>" .. err
  if stdin then
    local inp = M.tmp(".in")
    M.write(inp, stdin)
    line = line .. " <" .. inp
  else
    line = line .. " </dev/null"
  end
  local ok, _, code = os.execute(line)
  return ok and 0 or code, M.read(out), M.read(err)
end

-- Run lua5.4 with the given arguments; returns exit status, stdout, stderr.
function M.run_lua(args)
  local out, err = M.tmp(".out"), M.tmp(".err")
  local cmd = {"lua5.4"}
  for _, a in ipairs(args) do cmd[#cmd + 1] = shell_quote(a) end
  local ok, _, code = os.execute(table.concat(cmd, " ") .. " >" .. out .. " 2>" .. err .. " </dev/null")
  return ok and 0 or code, M.read(out), M.read(err)
end

-- Occurrences of `word` as a whole word in s, case-sensitive (counted on the raw text,
-- independently of dossier's tokenizer).
function M.count_word(s, word)
  local n = 0
  for _ in s:gmatch("%f[%w]" .. word:gsub("%p", "%%%0") .. "%f[^%w]") do n = n + 1 end
  return n
end

------------------------------------------------------------------------------------
-- Processes and corpus states, for the fault specs (12-faults, 13-hostile).

-- Seconds since the epoch, with fractions (for spacing out kills, never asserted).
function M.now()
  local p = io.popen("date +%s.%N")
  local t = tonumber(p:read("l"))
  p:close()
  return t
end

function M.sleep(s) os.execute(string.format("sleep %.3f", s)) end

-- A directory of `n` documents made from the sample texts, each with a first line of
-- its own ("Copy TAGk of NAME.", so none is a duplicate of another); names are
-- NAME-tag-k.txt. Returns the directory and the names of its documents.
function M.copies(n, tag)
  local dir = M.tmpdir("-" .. tag)
  local seeds, names = M.seed_files(), {}
  for i = 1, n do
    local path = seeds[(i - 1) % #seeds + 1]
    local stem = path:match("([^/]+)%.txt$")
    local name = string.format("%s-%s-%d", stem, tag, i)
    M.write(dir .. "/" .. name .. ".txt",
            string.format("Copy %s%d of %s.\n\n", tag, i, stem) .. M.read(path))
    names[#names + 1] = name
  end
  return dir, names
end

-- Remove a directory made by M.copies (or any scratch directory) and what is in it,
-- whatever its permissions.
function M.rmtree(dir) os.execute("chmod -R u+rwx " .. shell_quote(dir) .. " 2>/dev/null; rm -rf " .. shell_quote(dir)) end

-- A fresh temporary directory, removed (with what is in it) by M.cleanup_dirs, so a
-- spec that fails half-way leaves nothing behind.
local dirs = {}
function M.tmpdir(suffix)
  local d = M.tmp(suffix)
  assert(os.execute("mkdir " .. shell_quote(d)))
  dirs[#dirs + 1] = d
  return d
end

function M.cleanup_dirs()
  for _, d in ipairs(dirs) do M.rmtree(d) end
  dirs = {}
end

-- Start bin/dossier in the background (stdout and stderr to files); returns a job
-- {pid, rc = function() -> exit status or nil while it runs, err = stderr path}. A
-- shell waits for it and writes its exit status (137 when killed by SIGKILL).
function M.spawn(args, prefix)
  local job = {pidf = M.tmp(".pid"), rcf = M.tmp(".rc"), err = M.tmp(".err")}
  local cmd = {"bin/dossier"}
  for _, a in ipairs(args) do cmd[#cmd + 1] = shell_quote(a) end
  local inner = string.format("%s%s >/dev/null 2>%s </dev/null & echo $! >%s; wait $!; echo $? >%s",
    prefix or "", table.concat(cmd, " "), job.err, job.pidf, job.rcf)
  assert(os.execute("sh -c " .. shell_quote(inner) .. " 2>/dev/null &"))
  for _ = 1, 2000 do
    local f = io.open(job.pidf, "rb")
    local pid = f and tonumber(f:read("a"))
    if f then f:close() end
    if pid then job.pid = pid break end
    M.sleep(0.005)
  end
  assert(job.pid, "the background dossier did not start")
  function job.rc()
    local f = io.open(job.rcf, "rb")
    local rc = f and tonumber(f:read("a"))
    if f then f:close() end
    return rc
  end
  -- wait for the end (at most `limit` seconds: a hung job fails the spec, not the suite)
  function job.wait(limit)
    local deadline = M.now() + (limit or 120)
    while not job.rc() do
      assert(M.now() < deadline, "a background dossier did not finish")
      M.sleep(0.02)
    end
    return job.rc()
  end
  function job.kill(sig) os.execute(string.format("kill -%s %d 2>/dev/null", sig or "KILL", job.pid)) end
  return job
end

-- What a corpus holds, through the CLI: {name = tokens} of its documents and the totals,
-- or nil and the error when `dossier info` fails.
function M.state(db)
  local cjson = require "cjson"
  local rc, out, err = M.cli({"info", "--db", db, "--format", "json"})
  if rc ~= 0 then return nil, err end
  local info = cjson.decode(out)
  local docs, n = {}, 0
  for _, d in ipairs(info.docs) do
    docs[d.name] = d.tokens
    n = n + 1
  end
  return {docs = docs, n = n, tokens = info.tokens}
end

-- A python3 that imports module mod (Debian's /usr/bin/python3 first), or nil.
function M.python_with(mod)
  for _, py in ipairs({"/usr/bin/python3", "python3"}) do
    if os.execute(string.format("%s -c 'import %s' >/dev/null 2>&1", py, mod)) then return py end
  end
end

return M
