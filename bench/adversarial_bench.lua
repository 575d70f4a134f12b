-- Inputs that once took quadratic time (issue 16, item 4), each timed beside the same
-- input without the trigger, at two sizes: a linear cost doubles with the size, a
-- quadratic one quadruples. Prints figures, asserts nothing.
--
--   bin/dossier run bench/adversarial_bench.lua [SCALE]     (SCALE 1 = the small sizes)
local dossier = require "dossier"

local scale = tonumber(arg and arg[1]) or 1
local clock = os.clock

local function time(f)
  local t = clock()
  f()
  return clock() - t
end

local function row(name, n, t, tctl)
  print(string.format("%-34s %9d %9.3f s %9.3f s  %6.1fx", name, n, t, tctl, t / math.max(tctl, 1e-6)))
end

-- PDF-style prose: lines of ~70 characters, `frac` of them ending in a broken word.
local words = {"the", "committee", "reported", "surveillance", "networks", "across", "several",
               "regional", "partners", "technology", "cooperation", "agreement", "digital"}
local function pdf_text(nLines, every)
  local out, k = {}, 0
  for i = 1, nLines do
    local line = {}
    for w = 1, 10 do k = k + 1; line[w] = words[(k * 7 + i) % #words + 1] end
    local s = table.concat(line, " ")
    if every > 0 and i % every == 0 then s = s .. " surveil-" ; out[#out + 1] = s; out[#out + 1] = "lance " .. s
    else out[#out + 1] = s end
  end
  return table.concat(out, "\n") .. "\n"
end

print(string.format("%-34s %9s %11s %11s  %7s", "input", "size", "time", "no trigger", "ratio"))
for _, n in ipairs({20000 * scale, 40000 * scale}) do
  local t10 = pdf_text(n, 10)
  row("hyphens: 10% of lines", #t10, time(function() dossier.parse(t10, {tag = false}) end),
      time(function() dossier.parse(t10, {tag = false, no = {"hyphens"}}) end))
  local t1 = pdf_text(n, 1)
  row("hyphens: every line", #t1, time(function() dossier.parse(t1, {tag = false}) end),
      time(function() dossier.parse(t1, {tag = false, no = {"hyphens"}}) end))
  local s = string.rep("surveil-\nlance ", n)
  local ctl = string.rep("surveil lance\n", n)
  row("surveil-\\nlance repeated", #s, time(function() dossier.parse(s, {tag = false}) end),
      time(function() dossier.parse(ctl, {tag = false}) end))
end

-- YAML front matter: many keys, deep nesting (refused past 64 levels: timed to the refusal)
for _, n in ipairs({20000 * scale, 40000 * scale}) do
  local keys = {}
  for i = 1, n do keys[i] = "k" .. i .. ": v" end
  local fm = "---\n" .. table.concat(keys, "\n") .. "\n---\n\nBody.\n"
  local ctl = "---\ntitle: x\n---\n\n" .. table.concat(keys, "\n") .. "\n"
  row("front matter: keys", #fm, time(function() pcall(dossier.parse, fm, {format = "md", tag = false}) end),
      time(function() dossier.parse(ctl, {format = "md", tag = false}) end))
  local deep = "---\na: " .. string.rep("[", n) .. string.rep("]", n) .. "\n---\nBody.\n"
  local flat = "---\na: x\n---\n" .. string.rep("[", n) .. string.rep("]", n) .. "\n"
  row("front matter: nesting", #deep, time(function() pcall(dossier.parse, deep, {format = "md", tag = false}) end),
      time(function() dossier.parse(flat, {format = "md", tag = false}) end))
end

-- search: one term repeated (refused past 64 terms: timed to the refusal)
local db = os.tmpname() .. ".db"
do
  local c <close> = dossier.open(db)
  c:add("corpus/seeds", {jobs = 1})
  for _, n in ipairs({800, 5000}) do
    local q = ("the OR "):rep(n - 1) .. "the"
    row("search: the OR the ...", n, time(function() pcall(c.search, c, q) end),
        time(function() c:search("the") end))
  end
end
for _, s in ipairs({"", "-wal", "-shm"}) do os.remove(db .. s) end
