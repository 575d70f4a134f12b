-- Shared helpers for the specs: the sample corpus, temporary files, running the CLI.
local M = {}

M.seeds = "corpus/seeds"
M.shared = os.getenv("DOSSIER_SHARED") or "../shared"

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

-- Occurrences of `word` as a whole word in s, case-sensitive (counted on the raw text,
-- independently of dossier's tokenizer).
function M.count_word(s, word)
  local n = 0
  for _ in s:gmatch("%f[%w]" .. word:gsub("%p", "%%%0") .. "%f[^%w]") do n = n + 1 end
  return n
end

return M
