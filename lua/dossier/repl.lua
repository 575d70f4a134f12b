-- The dossier REPL: Lua with `dossier` (and `corpus`, when a corpus file is given)
-- preloaded; results shown as aligned tables or concordances. Line editing and
-- history come from GNU readline (lua-readline) when the input is a terminal.
local dossier = require "dossier"
local format = require "dossier.format"

local M = {}

M.kwic_lines = 20       -- concordance lines a match set shows

local function is_record_list(t)
  if #t == 0 then return false end
  for i = 1, #t do
    if type(t[i]) ~= "table" or getmetatable(t[i]) then return false end
  end
  return true
end

-- A readable rendering of a value: match sets as concordances, lists of records as
-- aligned tables, records as key/value tables, anything else with tostring.
function M.show(v)
  local mt = getmetatable(v)
  if mt == dossier.MatchSet then
    local rows = v:kwic{width = 40, limit = M.kwic_lines}
    local out = #rows > 0 and (format.kwic(rows) .. "\n") or ""
    local n = v:count()
    local more = n > #rows and string.format(" (first %d shown; :kwic{limit = N} for more)", #rows) or ""
    return out .. string.format("%s match%s%s", format.count(n), n == 1 and "" or "es", more)
  end
  if type(v) ~= "table" or mt then return tostring(v) end
  if is_record_list(v) then
    local cols, seen = {}, {}
    for _, row in ipairs(v) do
      for k, x in pairs(row) do
        if not seen[k] and type(x) ~= "table" then seen[k] = true; cols[#cols + 1] = tostring(k) end
      end
    end
    table.sort(cols)
    return format.table(v, cols)
  end
  local rows = {}
  for k, x in pairs(v) do
    local s = type(x) == "table" and not getmetatable(x) and "{...}" or tostring(x)
    if type(x) == "table" and not getmetatable(x) and not is_record_list(x) then
      local parts = {}
      for kk, xx in pairs(x) do
        if type(xx) ~= "table" then parts[#parts + 1] = tostring(kk) .. "=" .. tostring(xx) end
      end
      table.sort(parts)
      if #parts > 0 then s = "{" .. table.concat(parts, ", ") .. "}" end
    end
    rows[#rows + 1] = {key = tostring(k), value = s}
  end
  if #rows == 0 then return "{}" end
  table.sort(rows, function(a, b) return a.key < b.key end)
  return format.table(rows, {"key", "value"}, {max = 100})
end

-- Compile a chunk typed at the prompt: first as an expression, then as statements.
-- Returns the function, or nil and the error ("incomplete" when more lines could
-- complete it).
function M.compile(src, env)
  local f = load("return " .. src, "=stdin", "t", env)
  if f then return f end
  local err
  f, err = load(src, "=stdin", "t", env)
  if f then return f end
  if err:match("<eof>$") then return nil, "incomplete" end
  return nil, err
end

-- Run src in env; returns the text to print (possibly empty) and whether it failed.
function M.eval(src, env)
  local f, err = M.compile(src, env)
  if not f then return err, true end
  local res = table.pack(xpcall(f, function(e)
    return type(e) == "string" and e or tostring(e)
  end))
  if not res[1] then return res[2], true end
  local out = {}
  for i = 2, res.n do out[#out + 1] = M.show(res[i]) end
  return table.concat(out, "\n"), false
end

-- read(prompt) -> line or nil, and save() for the history.
local function line_reader(interactive)
  if interactive then
    local ok, RL = pcall(require, "readline")
    if ok then
      RL.set_options{histfile = "~/.dossier_history", keeplines = 1000, completion = false}
      RL.set_readline_name("dossier")
      return RL.readline, RL.save_history
    end
  end
  return function(prompt)
    if interactive then io.write(prompt); io.flush() end
    return io.read("l")
  end, function() end
end

-- Run the REPL. opts.db: corpus file to open as `corpus`.
function M.run(opts)
  opts = opts or {}
  local term_ok, term = pcall(require, "term")
  local interactive = term_ok and term.isatty(io.stdin)
  local env = setmetatable({dossier = dossier, show = function(v) print(M.show(v)) end},
                           {__index = _G})
  if opts.db then env.corpus = dossier.open(opts.db) end
  local read, save = line_reader(interactive)
  if interactive then
    print(string.format("dossier %s (%s). `dossier` is loaded%s; Ctrl-D quits.",
      dossier.version, _VERSION, env.corpus and ", `corpus` is " .. opts.db or ""))
  end
  local pending = nil
  while true do
    local line = read(pending and ">> " or "dossier> ")
    if not line then break end
    local src = pending and (pending .. "\n" .. line) or line
    if src:match("^%s*$") then
      pending = nil
    else
      local _, err = M.compile(src, env)
      if err == "incomplete" then
        pending = src
      else
        pending = nil
        local out, failed = M.eval(src, env)
        if failed then io.stderr:write(out, "\n") elseif out ~= "" then print(out) end
      end
    end
  end
  save()
  if interactive then print() end
  if env.corpus then env.corpus:close() end
  return 0
end

return M
