-- The recipes timed in one process (see recipes_bench.sh): best of $REPEAT, in ms of
-- wall time (the counting may run on two threads) and of CPU time.
local dossier = require "dossier"
local core = require "dossier.core"
local path = assert(arg[1], "usage: recipes_bench.lua DB")
local repeat_n = tonumber(os.getenv("REPEAT") or "3")
local corpus <close> = dossier.open(path, {readonly = true, create = false})
local docs = corpus:docs()
-- one half of the documents against the other: make_corpus.py writes its documents into
-- numbered directories (0000/, 0001/, ...), so the target is the first half of the
-- directories by name, a constraint on doc.name (recipes_bench.py splits the same way)
local dirs, seen = {}, {}
for _, d in ipairs(docs) do
  local dir = d.name:match("^([^/]+)/")
  if dir and not seen[dir] then seen[dir] = true; dirs[#dirs + 1] = dir end
end
table.sort(dirs)
local half = {}
for i = 1, math.max(1, #dirs // 2) do half[i] = dirs[i] end
local target = string.format('doc.name = "(%s)/.*"', table.concat(half, "|"))
local info = corpus:info()
print(string.format("corpus %s: %d documents, %d tokens", path, info.documents, info.tokens))

local function time(name, f)
  local best, cpu, n = math.huge, math.huge, 0
  for _ = 1, repeat_n do
    local t0, c0 = core.clock(), os.clock()
    local ok, r = pcall(f)
    if not ok or not r then   -- an older tree (BEFORE=) may lack a recipe's path
      print(string.format("%-34s failed: %s", name, tostring(r)))
      return
    end
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
-- every row as TSV text (what `dossier ... --format tsv` prints)
local function tsv(f) return function() local r = f(); local _ = r:tsv(); return r end end
time("freq by lemma, TSV", tsv(function() return corpus:freq{by = "lemma"} end))
time("3-grams of word, TSV", tsv(function() return corpus:ngrams{n = 3} end))
time("keyness half vs half, TSV", tsv(function() return corpus:keyness{target = target} end))
-- several corpus files (the same file twice: every count doubled, merged by value)
local twice <close> = dossier.open(path, {readonly = true, create = false})
local R = dossier.recipes
time("freq by lemma, two files", function() return R.freq.run({corpus, twice}, {by = "lemma"}) end)
time("3-grams of word, two files, top 20", function() return R.ngrams.run({corpus, twice}, {n = 3, limit = 20}) end)
time('collocates [lemma="say"], two files', function()
  return R.collocates.run({corpus, twice}, {query = '[lemma="say"]'})
end)
time("keyness half vs half, two files", function() return R.keyness.run({corpus, twice}, {target = target}) end)
time('dispersion "the" over documents', function() return corpus:dispersion{query = '"the"'} end)
time('dispersion "the" over 100 parts', function() return corpus:dispersion{query = '"the"', parts = 100} end)
