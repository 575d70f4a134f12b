-- CQL speed in one process after opening: each query's best time of ITER runs (count, and
-- the first 1,000 concordance lines), in ms. Figures only; asserts nothing.
--   lua5.4 bench/cql_bench.lua DB [ITER]       (run from the checkout; bench/README.md)
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "lua/?.so;" .. package.cpath
local dossier = require "dossier"
local db, iter = arg[1], tonumber(arg[2] or "5")
local c = dossier.open(db, {readonly = true})
local QUERIES = {
  '[word="the"]', '[word="sovereignty"]', '[word="technolog.*"]', '[word="china"%c]', '[norm="china"]',
  '"the" "United" "States"', '[word="said"] []{0,3} [word="that"]', '[norm="digital"] [norm="silk"] [norm="road"]',
  '[word="of"] [word="the"]', '[word=".*tion"] [word="of"]', '[word="the"] [word="Kremlin"] within s',
  '[norm="president"] [pos="PROPN"]?', '[]* "Kremlin" within s', '"the" :: doc.title = ".*[Rr]ussia.*"',
}
local clock = os.clock
print(string.format("%-48s %9s %10s %10s", "query", "hits", "count ms", "kwic1k ms"))
for _, q in ipairs(QUERIES) do
  local best, bestK, n = math.huge, math.huge, 0
  for _ = 1, iter do
    local t0 = clock()
    local ok, m = pcall(c.query, c, q)
    local t1 = clock()
    if not ok then n = m; break end
    n = #m
    m:kwic{limit = 1000, width = 40}
    local t2 = clock()
    best, bestK = math.min(best, (t1 - t0) * 1000), math.min(bestK, (t2 - t1) * 1000)
  end
  print(string.format("%-48s %9s %10.2f %10.2f", q, tostring(n), best, bestK))
end
