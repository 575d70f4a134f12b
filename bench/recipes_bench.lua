-- The recipes timed in one process (see recipes_bench.sh): best of $REPEAT, in ms of
-- wall time (the counting may run on two threads) and of CPU time.
local dossier = require "dossier"
local core = require "dossier.core"
local path = assert(arg[1], "usage: recipes_bench.lua DB")
local repeat_n = tonumber(os.getenv("REPEAT") or "3")
local corpus <close> = dossier.open(path, {readonly = true, create = false})
local docs = corpus:docs()
-- one half of the documents (by position) against the other, as a constraint on names:
-- regular expressions of the names as literals (\Q...\E) joined by |, each under the
-- query engine's 4096 bytes, joined by | in the constraint
local parts, cur, len = {}, {}, 0
local function flush()
  if #cur > 0 then parts[#parts + 1] = string.format('doc.name = "%s"', table.concat(cur, "|")) end
  cur, len = {}, 0
end
for i = 1, #docs // 2 do
  local lit = "\\Q" .. docs[i].name .. "\\E"
  if len + #lit + 1 > 4000 then flush() end
  cur[#cur + 1] = lit
  len = len + #lit + 1
end
flush()
local target = table.concat(parts, " | ")
local info = corpus:info()
print(string.format("corpus %s: %d documents, %d tokens", path, info.documents, info.tokens))

local function time(name, f)
  local best, cpu, n = math.huge, math.huge, 0
  for _ = 1, repeat_n do
    local t0, c0 = core.clock(), os.clock()
    local r = f()
    best, cpu = math.min(best, core.clock() - t0), math.min(cpu, os.clock() - c0)
    n = #r.rows
  end
  print(string.format("%-34s %9.0f ms wall %7.0f ms CPU %8d rows", name, best * 1000, cpu * 1000, n))
end

time("freq by lemma", function() return corpus:freq{by = "lemma"} end)
time("3-grams of word", function() return corpus:ngrams{n = 3} end)
time("3-grams of word, min freq 2", function() return corpus:ngrams{n = 3, min_freq = 2} end)
time("3-grams of word, top 20", function() return corpus:ngrams{n = 3, limit = 20} end)
time('collocates [lemma="say"] 5,5', function() return corpus:collocates{query = '[lemma="say"]'} end)
time('collocates "the" 5,5', function() return corpus:collocates{query = '"the"'} end)
time("keyness half vs half (word)", function() return corpus:keyness{target = target} end)
time("keyness half vs half, top 20", function() return corpus:keyness{target = target, limit = 20} end)
time('dispersion "the" over documents', function() return corpus:dispersion{query = '"the"'} end)
time('dispersion "the" over 100 parts', function() return corpus:dispersion{query = '"the"', parts = 100} end)
