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

-- Is t a sequence: keys 1..#t and nothing else?
local function is_sequence(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n > 0 and n == #t
end

-- A number as a person reads it: integers whole, floats rounded to 4 decimals (very
-- large or small ones with 4 significant digits).
function M.number(x)
  if math.type(x) ~= "float" then return tostring(x) end
  if x ~= x or x == math.huge or x == -math.huge then return tostring(x) end
  local a = math.abs(x)
  if a ~= 0 and (a >= 1e9 or a < 1e-4) then return string.format("%.4g", x) end
  local s = string.format("%.4f", x):gsub("0+$", ""):gsub("%.$", "")
  return s
end

-- Keys in a stable order: integers ascending first, then the others as strings.
local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    local na, nb = math.type(a) == "integer", math.type(b) == "integer"
    if na ~= nb then return na end
    if na then return a < b end
    return tostring(a) < tostring(b)
  end)
  return keys
end

-- One value on one line: nested tables as {a = 1, b = {2, 3}}, at most `depth` levels
-- deep and about `max` characters.
function M.inline(v, depth, max)
  depth, max = depth or 3, max or 120
  if type(v) == "number" then return M.number(v) end
  if type(v) == "string" then return string.format("%q", v):gsub("\\\n", "\\n") end
  if type(v) ~= "table" or getmetatable(v) then return tostring(v) end
  if next(v) == nil then return "{}" end
  if depth <= 0 then return "{...}" end
  local parts, len, seq = {}, 2, is_sequence(v)
  for _, k in ipairs(sorted_keys(v)) do
    local s = M.inline(v[k], depth - 1, max)
    if not seq then
      s = (type(k) == "string" and k:match("^[%a_][%w_]*$") and k or "[" .. M.inline(k, 0) .. "]") .. " = " .. s
    end
    len = len + #s + 2
    if len > max then parts[#parts + 1] = "..."; break end
    parts[#parts + 1] = s
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

-- A cell of a table: floats rounded (still numbers, so right-aligned), nested tables
-- inline.
local function cell(x)
  if math.type(x) == "float" then return tonumber(M.number(x)) or x end
  if type(x) == "table" then return M.inline(x, 2, 60) end
  return x
end

-- A readable rendering of a value: match sets and lists of concordance lines as
-- concordances, lists of records as aligned tables in index order, other lists as
-- numbered rows, records as key/value tables, anything else with tostring.
function M.show(v)
  local mt = getmetatable(v)
  if mt == dossier.MatchSet then
    local text = v:kwic_text{width = 40, limit = M.kwic_lines}     -- format.kwic's lines, made in C
    local out = text ~= "" and (text .. "\n") or ""
    local n = v:count()
    local shown = M.kwic_lines and math.min(n, M.kwic_lines) or n
    local more = n > shown and string.format(" (first %d shown; :kwic{limit = N} for more)", shown) or ""
    return out .. string.format("%s match%s%s", format.count(n), n == 1 and "" or "es", more)
  end
  if type(v) == "number" then return M.number(v) end
  if type(v) ~= "table" or mt then return tostring(v) end
  if is_sequence(v) and getmetatable(v[1]) and getmetatable(v[1]).__name == "dossier.KwicLine" then
    return format.kwic(v)
  end
  if is_record_list(v) then
    local cols, seen, rows = {}, {}, {}
    for i, row in ipairs(v) do
      rows[i] = {}
      for k, x in pairs(row) do     -- nested tables (a document's meta) are left out
        if not seen[k] and type(x) ~= "table" then seen[k] = true; cols[#cols + 1] = tostring(k) end
        rows[i][tostring(k)] = cell(x)
      end
    end
    table.sort(cols)
    return format.table(rows, cols)
  end
  if is_sequence(v) then
    local rows = {}
    for i, x in ipairs(v) do rows[i] = {["#"] = i, value = cell(x)} end
    return format.table(rows, {"#", "value"}, {max = 100})
  end
  local rows = {}
  for _, k in ipairs(sorted_keys(v)) do
    rows[#rows + 1] = {key = tostring(k), value = cell(v[k])}
  end
  return format.table(rows, {"key", "value"}, {max = 100})
end

-- {====== help, completion, suggestions ======

M.topics = {
  [""] = [[
dossier's REPL is Lua 5.4 with `dossier` loaded (and `corpus` when started with --db).
  help("corpus")   a corpus: add, docs, info, query, search, text, remove
  help("query")    token queries (CQL) and match sets
  help("search")   ranked document search
  help("parse")    parse a text without a corpus
  help("keys")     editing keys: Tab completes, Ctrl-C cancels, Ctrl-D quits
Values print as tables; `show(v)` prints one anywhere.]],
  corpus = [[
c = dossier.open("file.db")        open (created when missing; {create = false} refuses)
c:add("dir/" [, {jobs = N}])       add .txt .html .md .pdf .jsonl files; returns the count
c:add_text(text, name [, meta])    add one document from a string; returns its id
c:docs()  c:info()  c:text(name)   documents, totals, a document's clean text
c:remove(name)  c:optimize()       hide a document; merge segments
c:query(cql)  c:search(words)      see help("query"), help("search")]],
  query = [[
m = corpus:query('"digital" "sovereignty"%c')   CQL: [word="x"], [lemma="be"], [pos="NOUN"],
                                                 "x"%c (ignore case), sequences, {n,m}
#m  m[1]  m:iter()  m:kwic{width = 40, limit = 20, offset = 0}
Part-of-speech values are Universal POS in upper case: NOUN, VERB, PROPN, ADJ, ...]],
  search = [[
corpus:search("Sino-Russian AND surveil*" [, {limit = 10, tokens = 20}])
Words as dossier tokenizes them; AND OR NOT NEAR(a b, N) "phrases" prefix* ( ).
Returns {{doc, score, snippet}}, best first (BM25).]],
  parse = [[
d = dossier.parse(text [, {format = "txt"|"html"|"md"|"pdf", clean = false, tag = false}])
d.text  d.sentences  d.tokens  d.paragraphs  d.changes  d.meta]],
  keys = [[
Tab completes names, fields and methods (corpus:qu<Tab>). Ctrl-C cancels the line being
typed, or stops a long call. Up and Down walk the history (~/.dossier_history, saved
after every line). Ctrl-D on an empty line quits.]],
}

-- help([topic]): the overview, or one topic.
function M.help(topic)
  local text = M.topics[topic or ""]
  if not text then
    local names = {}
    for k in pairs(M.topics) do if k ~= "" then names[#names + 1] = k end end
    table.sort(names)
    text = string.format("no help on %s; topics: %s", tostring(topic), table.concat(names, ", "))
  end
  print(text)
end

-- The names a value offers after `.` (fields) or `:` (methods): its own string keys and
-- those of its metatable's __index table, and so on up.
local function members(v, methods)
  local out, seen = {}, {}
  local function add(t)
    for k, x in pairs(t) do
      if type(k) == "string" and not seen[k] and k:match("^[%a_][%w_]*$") and
         (not methods or type(x) == "function") and not (methods and k:match("^__")) then
        seen[k] = true
        out[#out + 1] = k
      end
    end
  end
  for _ = 1, 5 do
    if type(v) == "table" and not methods then add(v) end
    if type(v) == "table" and methods then add(v) end
    local mt = getmetatable(v)
    local idx = type(mt) == "table" and rawget(mt, "__index")
    if type(v) == "string" then idx = string end
    if type(idx) ~= "table" then break end
    v = idx
    if methods then add(v) end
  end
  table.sort(out)
  return out
end

-- Completions of the word `word` (`cor`, `corpus:qu`, `dossier.op`) in env.
function M.complete(word, env)
  local base, sep, part = word:match("^(.-)([.:])([%w_]*)$")
  local candidates, prefix = {}, ""
  if base and base ~= "" then
    local v = env
    for name in base:gmatch("[^.]+") do
      if type(v) ~= "table" and type(v) ~= "string" then v = nil; break end
      local ok, x = pcall(function() return v[name] end)
      v = ok and x or nil
    end
    if v == nil then return {} end
    candidates = members(v, sep == ":")
    prefix = base .. sep
  else
    part = word
    local seen = {}
    for _, t in ipairs({env, _G}) do
      for k in pairs(t) do
        if type(k) == "string" and not seen[k] then seen[k] = true; candidates[#candidates + 1] = k end
      end
    end
    for _, k in ipairs({"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
                        "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
                        "true", "until", "while"}) do candidates[#candidates + 1] = k end
    table.sort(candidates)
  end
  local out = {}
  for _, k in ipairs(candidates) do
    if k:sub(1, #part) == part then out[#out + 1] = prefix .. k end
  end
  return out
end

-- Edit distance (Levenshtein) of a and b.
local function distance(a, b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = {[0] = i}
    for j = 1, #b do
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a:sub(i, i) == b:sub(j, j) and 0 or 1))
    end
    prev = cur
  end
  return prev[#b]
end

-- The name among candidates nearest to `name` (at most 2 edits, or 3 for long names).
function M.nearest(name, candidates)
  local best, bestD
  for _, c in ipairs(candidates) do
    local d = distance(name:lower(), c:lower())
    if d > 0 and (not bestD or d < bestD) then best, bestD = c, d end
  end
  if best and bestD <= (#name >= 8 and 3 or 2) then return best end
  return nil
end

-- An error message with a suggestion for a misspelt method, field or global:
-- "attempt to call a nil value (method 'qeury')" + "; did you mean 'query'?".
function M.suggest(msg, env)
  local kind, name = msg:match("attempt to %a+ a nil value %((%a+) '([%w_]+)'%)")
  if not kind then return msg end
  local pool = {}
  if kind == "global" then
    pool = M.complete("", env)
  else
    local objs = {dossier, dossier.Corpus or {}, dossier.MatchSet or {}}
    if env.corpus then objs[#objs + 1] = env.corpus end
    for _, o in ipairs(objs) do
      for _, k in ipairs(members(o, kind == "method")) do pool[#pool + 1] = k end
    end
    for k, x in pairs(dossier) do
      if type(x) == "table" then for kk in pairs(x) do if type(kk) == "string" then pool[#pool + 1] = kk end end end
    end
  end
  local near = M.nearest(name, pool)
  return near and (msg .. "; did you mean '" .. near .. "'?") or msg
end

-- }======

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
  if not res[1] then return M.suggest(res[2], env), true end
  local out = {}
  for i = 2, res.n do out[#out + 1] = M.show(res[i]) end
  return table.concat(out, "\n"), false
end

M.histfile = (os.getenv("HOME") or ".") .. "/.dossier_history"
M.keeplines = 1000

-- Append one line to the history file (lua-readline's save_history appends the whole
-- session's history again at each call, so the REPL writes its own lines).
local function save_line(line)
  if line:find("\n") or line:match("^%s*$") then return end
  local f = io.open(M.histfile, "a")
  if f then f:write(line, "\n"); f:close() end
end

-- Keep the history file's last M.keeplines lines.
local function trim_history()
  local f = io.open(M.histfile, "rb")
  if not f then return end
  local lines = {}
  for l in f:lines() do lines[#lines + 1] = l end
  f:close()
  if #lines <= M.keeplines then return end
  f = io.open(M.histfile, "wb")
  if f then f:write(table.concat(lines, "\n", #lines - M.keeplines + 1), "\n"); f:close() end
end

-- read(prompt) -> line, nil at the end, or false when Ctrl-C cancelled the line; and
-- save(line) for the history (called after every line).
local function line_reader(interactive, env)
  if interactive then
    local ok, RL = pcall(require, "readline")
    if ok then
      RL.set_options{histfile = M.histfile, keeplines = M.keeplines, completion = true}
      require("dossier.core").readline_interruptible()
      RL.set_readline_name("dossier")
      RL.set_completion_append_character("")
      RL.set_complete_function(function(text, from, to)
        return M.complete(text:sub(from, to), env)
      end)
      return function(prompt)
        local rok, line = pcall(RL.readline, prompt)
        if not rok then return false end       -- Ctrl-C at the prompt
        return line
      end, save_line
    end
  end
  return function(prompt)
    if interactive then io.write(prompt); io.flush() end
    return io.read("l")
  end, function() end
end

-- Run the REPL. opts.db: corpus file to open as `corpus` (it must exist unless
-- opts.create).
function M.run(opts)
  opts = opts or {}
  local term_ok, term = pcall(require, "term")
  local interactive = term_ok and term.isatty(io.stdin)
  local env = setmetatable({dossier = dossier, show = function(v) print(M.show(v)) end,
                            help = M.help},
                           {__index = _G})
  if opts.db then
    local f = io.open(opts.db, "rb")
    if f then f:close()
    elseif not opts.create then
      error(string.format("%s: no such corpus file (dossier repl --db %s --create makes a new one)",
                          opts.db, opts.db), 0)
    end
    env.corpus = dossier.open(opts.db)
  end
  local read, save = line_reader(interactive, env)
  local core = require "dossier.core"
  if interactive then core.catch_interrupts(true) end
  if interactive then
    print(string.format("dossier %s (%s). `dossier` is loaded%s; help for help, Ctrl-D quits.",
      dossier.version, _VERSION, env.corpus and ", `corpus` is " .. opts.db or ""))
  end
  local pending = nil
  while true do
    local line = read(pending and ">> " or "dossier> ")
    if line == nil then break end
    if interactive then core.interrupted() end     -- a Ctrl-C at the prompt is spent
    if line == false then
      pending = nil                                -- the line is cancelled
      if interactive then print() end
    else
      save(line)
      local src = pending and (pending .. "\n" .. line) or line
      if src:match("^%s*$") then
        pending = nil
      elseif src:match("^%s*help%s*$") then
        pending = nil
        M.help()
      else
        local _, err = M.compile(src, env)
        if err == "incomplete" then
          pending = src
        else
          pending = nil
          local out, failed = M.eval(src, env)
          if interactive then core.interrupted() end
          if failed then io.stderr:write(out, "\n") elseif out ~= "" then print(out) end
        end
      end
    end
  end
  if interactive then core.catch_interrupts(false); trim_history(); print() end
  if env.corpus then env.corpus:close() end
  return 0
end

return M
