-- dossier beside CQP 3.4.16 on the shared 20 M-token benchmark corpus, in one run:
-- each query's count and first 1,000 KWIC lines timed in one process after opening
-- (dossier: best of ITER runs inside this Lua process; CQP: its own "Query result
-- computed in" with `set Timing on`, best of ITER runs in one cqp process, and its
-- 1,000 lines as the time a cqp process takes with 50 times `cat A 0 999` less the same
-- process without, per cat; dossier's 1,000 lines are the text `dossier query` prints,
-- m:kwic_text, written to /dev/null as cqp's are, and beside them the same lines as the
-- Lua rows m:kwic returns), then whole processes (`dossier query --count` and `cqp -c`,
-- each started directly by bench/best_wall.py, best of ITER; dossier's Lua modules from its
-- bytecode cache after the first run, as any user's second command),
-- then sorting and grouping a million matches. Figures only: asserts nothing.
--
--   python3 ../shared/bench/make_corpus.py --tokens 20000000 --out /tmp/bc20m --vrt /tmp/bc20m.vrt
--   bin/dossier index --jobs 2 --db /tmp/q20m.db /tmp/bc20m
--   cwb-encode -c utf8 -d DATA -f /tmp/bc20m.vrt -R REGISTRY/bc20m -P lower -S s -S text:0+id
--   cwb-makeall -r REGISTRY BC20M
--   lua5.4 bench/cqp_bench20m.lua /tmp/q20m.db /tmp/peers/cwb-install BC20M [ITER]
--
-- The CQP corpus has the VRT's attributes only (word, lower; <s>, <text id>): the queries
-- on lemma and pos run in dossier alone, dossier's norm is CQP's lower, and doc.name
-- ("0000/r00-...") is CQP's text_id without its directory.
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "lua/?.so;" .. package.cpath
local dossier = require "dossier"
local db, prefix, cid = arg[1], arg[2], arg[3] or "BC20M"
local iter = tonumber(arg[4] or "5")
local cqp = prefix .. "/bin/cqp"

-- {label, dossier query, CQP query (nil: not expressible on the CQP corpus)}
local QUERIES = {
  {"the", '[word="the"]', '[word="the"]'},
  {"rare word", '[word="sovereignty"]', '[word="sovereignty"]'},
  {"prefix regex", '[word="technolog.*"]', '[word="technolog.*"]'},
  {"%c", '[word="china"%c]', '[word="china"%c]'},
  {"lower-cased attribute", '[norm="china"]', '[lower="china"]'},
  {"three words", '"the" "United" "States"', '"the" "United" "States"'},
  {"loose sequence", '[word="said"] []{0,3} [word="that"]', '[word="said"] []{0,3} [word="that"]'},
  {"rare sequence", '[norm="digital"] [norm="silk"] [norm="road"]', '[lower="digital"] [lower="silk"] [lower="road"]'},
  {"two frequent words", '[word="of"] [word="the"]', '[word="of"] [word="the"]'},
  {"unanchored regex", '[word=".*tion"] [word="of"]', '[word=".*tion"] [word="of"]'},
  {"within s", '[word="the"] [word="Kremlin"] within s', '[word="the"] [word="Kremlin"] within s'},
  {"regex, %c", '[word=".*ization"%c]', '[word=".*ization"%c]'},
  {"lemma + pos", '[lemma="cooperate"] [pos="ADP"] [pos="DET"]? [pos="PROPN"]', nil},
  -- (CQP takes a minute and more on this one: dossier alone)
  {"open start within s", '[]* [word="Kremlin"] within s', nil},
  {"metadata", '[word="China"] :: doc.name = ".*/r0[0-4]-.*"', '[word="China"] :: match.text_id = "r0[0-4]-.*"'},
}

local clock = os.clock
local function now()                  -- wall clock in ms (whole processes)
  local p = io.popen("date +%s%N")
  local t = p:read("n")
  p:close()
  return t / 1e6
end

local function sh_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- Run a CQP script (lines) in one process; its output and its wall time in ms.
local function run_cqp(lines, bEcho)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
  local t0 = now()
  local p = io.popen(string.format("%s %s < %s 2>&1", cqp, bEcho and "-e" or "-c", path))
  local out = p:read("a")
  p:close()
  local ms = now() - t0
  os.remove(path)
  return out, ms
end

-- CQP: hits, the best in-engine time of iter runs, and the 1,000 lines' cost.
local function cqp_query(q)
  local lines = {cid .. ";", "set Timing on;"}
  for _ = 1, iter do lines[#lines + 1] = "A = " .. q .. ";" end
  lines[#lines + 1] = "size A;"
  local out = run_cqp(lines, true)
  local best = math.huge
  for s in out:gmatch("computed in ([%d.]+) seconds") do best = math.min(best, tonumber(s) * 1000) end
  local hits = tonumber(out:match("size A;%s*\n(%d+)") or "")
  -- KWIC: a process with the query and NCAT times `cat A 0 999`, less one with the
  -- query alone, per cat (40 characters of context, as dossier's below)
  local NCAT = 50
  local base = {cid .. ";", "set Context 40;", "A = " .. q .. ";"}
  local with = {cid .. ";", "set Context 40;", "A = " .. q .. ";"}
  for _ = 1, NCAT do with[#with + 1] = 'cat A 0 999 > "/dev/null";' end
  local best1, best2 = math.huge, math.huge   -- each process's best, then the difference
  for _ = 1, iter do
    local _, t1 = run_cqp(base)
    local _, t2 = run_cqp(with)
    best1, best2 = math.min(best1, t1), math.min(best2, t2)
  end
  local bestK = math.max(0, best2 - best1) / NCAT
  return hits, best, bestK
end

-- dossier: hits, the best query time, the best time of the first 1,000 lines as
-- `dossier query` prints them (m:kwic_text, written out as CQP's `cat` writes them), and
-- as Lua tables (m:kwic, the rows a script gets)
local devnull = assert(io.open("/dev/null", "w"))
local function dossier_query(c, q)
  local best, bestK, bestT, n = math.huge, math.huge, math.huge, 0
  for _ = 1, iter do
    local t0 = clock()
    local m = c:query(q)
    local t1 = clock()
    n = #m
    devnull:write(m:kwic_text{limit = 1000, width = 40}, "\n")
    devnull:flush()
    local t2 = clock()
    m:kwic{limit = 1000, width = 40}
    local t3 = clock()
    best, bestK = math.min(best, (t1 - t0) * 1000), math.min(bestK, (t2 - t1) * 1000)
    bestT = math.min(bestT, (t3 - t2) * 1000)
  end
  return n, best, bestK, bestT
end

local function fmt(x) return x and x < math.huge and string.format("%.2f", x) or "–" end
local function count(n) return n and tostring(n):reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "") or "–" end

local load = io.open("/proc/loadavg"):read("l")
print(string.format("# %s, %s; load before: %s", os.date("!%Y-%m-%d %H:%M UTC"), db, load))
print()
local c = dossier.open(db, {readonly = true})
local info = c:info()
print(string.format("dossier: %s documents, %s tokens; CQP corpus %s", count(info.documents), count(info.tokens), cid))
print()
print("| query | dossier hits | CQP hits | dossier ms | CQP ms | dossier 1,000 lines ms | CQP 1,000 lines ms | dossier 1,000 rows (tables) ms |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for _, x in ipairs(QUERIES) do
  local n, ms, kms, tms = dossier_query(c, x[2])
  local cn, cms, ckms
  if x[3] then cn, cms, ckms = cqp_query(x[3]) end
  print(string.format("| `%s` | %s | %s | %s | %s | %s | %s | %s |", x[2], count(n), count(cn), fmt(ms), fmt(cms),
                      fmt(kms), fmt(ckms), fmt(tms)))
end
print()

-- whole processes: a rare word's count, each process started directly (bench/best_wall.py:
-- fork and exec, no shell whose own start would add the same ~1-2 ms to both), beside
-- Lua's own start (`lua5.4 -e ''`) and a `true`, the floors under dossier's figure
local function best_wall(args, stdin)
  local q = {"python3", "bench/best_wall.py", tostring(iter)}
  if stdin then q[#q + 1] = "--stdin"; q[#q + 1] = sh_quote(stdin) end
  q[#q + 1] = "--"
  for _, a in ipairs(args) do q[#q + 1] = sh_quote(a) end
  local p = io.popen(table.concat(q, " "))
  local ms = tonumber(p:read("a"):match("[%d.]+"))
  p:close()
  return ms
end
print("| whole process, started directly | ms (best of " .. iter .. ") |")
print("| --- | ---: |")
local path = os.tmpname()
local f = assert(io.open(path, "w"))
f:write(cid, ';\nA = [word="sovereignty"];\nsize A;\n')
f:close()
local dq = best_wall({"bin/dossier", "query", "--count", "--db", db, '[word="sovereignty"]'})
local cq = best_wall({cqp, "-c"}, path)
print(string.format("| `dossier query --count '[word=\"sovereignty\"]'` | %s |", fmt(dq)))
print(string.format("| `cqp -c` (`A = [word=\"sovereignty\"]; size A;`) | %s |", fmt(cq)))
print(string.format("| dossier / CQP | %.2f |", dq / cq))
print(string.format("| `lua5.4 -e ''` | %s |", fmt(best_wall({"lua5.4", "-e", ""}))))
print(string.format("| `true` | %s |", fmt(best_wall({"true"}))))
print(string.format("| `dossier query --count '\"the\" \"Kremlin\"'` | %s |",
                    fmt(best_wall({"bin/dossier", "query", "--count", "--db", db, '"the" "Kremlin"'}))))
f = assert(io.open(path, "w"))
f:write(cid, ';\nA = "the" "Kremlin";\nsize A;\n')
f:close()
print(string.format("| `cqp -c` (`A = \"the\" \"Kremlin\"; size A;`) | %s |", fmt(best_wall({cqp, "-c"}, path))))
os.remove(path)
print()

-- a million matches: sort and group (dossier in C; CQP's sort and group as process differences)
local m = c:query('[word="the"]')
local bestS, bestG, nG = math.huge, math.huge, 0
for _ = 1, iter do
  local t0 = clock()
  m:sort{"matchend[1] word"}
  local t1 = clock()
  local g = m:group{"matchend[1] word"}
  local t2 = clock()
  nG = #g
  bestS, bestG = math.min(bestS, (t1 - t0) * 1000), math.min(bestG, (t2 - t1) * 1000)
end
local base = {cid .. ";", 'A = [word="the"];'}
local withS = {cid .. ";", 'A = [word="the"];', "sort A by word on matchend[1];"}
local withG = {cid .. ";", 'A = [word="the"];', 'group A matchend[1] word > "/dev/null";'}
local b0, b1, b2 = math.huge, math.huge, math.huge   -- each process's best, then the differences
for _ = 1, iter do
  local _, t0 = run_cqp(base)
  local _, t1 = run_cqp(withS)
  local _, t2 = run_cqp(withG)
  b0, b1, b2 = math.min(b0, t0), math.min(b1, t1), math.min(b2, t2)
end
local cS, cG = math.max(0, b1 - b0), math.max(0, b2 - b0)
print(string.format("| %s matches of `[word=\"the\"]` | dossier ms | CQP ms |", count(#m)))
print("| --- | ---: | ---: |")
print(string.format("| sort by the word after the match | %s | %s |", fmt(bestS), fmt(cS)))
print(string.format("| group by the word after the match (%s groups) | %s | %s |", count(nG), fmt(bestG), fmt(cG)))
print()
print("load after: " .. io.open("/proc/loadavg"):read("l"))
