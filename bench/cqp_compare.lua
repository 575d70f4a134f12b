-- Hit-for-hit comparison with CQP (CWB 3.4.16) on the same tokens: writes the corpus's
-- documents as VRT (word, lemma, pos; <s>; <text kind date>, tokens as dossier.parse gives
-- them, checked against the corpus's counts), encodes it with cwb-encode/cwb-makeall, runs
-- each query in both and compares the matches (document, first and last token). Figures
-- only; needs CWB (../shared/tools/build-cwb).
--   lua5.4 bench/cqp_compare.lua DB CWB_PREFIX WORKDIR
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "lua/?.so;" .. package.cpath
local dossier = require "dossier"
local db, prefix, work = arg[1], arg[2], arg[3]
local c = dossier.open(db, {readonly = true})
os.execute("mkdir -p " .. work .. "/data " .. work .. "/registry")
local vrt = assert(io.open(work .. "/corpus.vrt", "w"))
local starts, docs = {}, c:docs()
local total = 0
for k, d in ipairs(docs) do
  local text = c:text(d.name)
  local p = dossier.parse(text, {name = d.name, clean = false})
  starts[k] = total
  vrt:write(string.format('<text id="%s" kind="%s" date="%s">\n', d.name, d.meta.kind or "", d.meta.date or ""))
  local n = 0
  for _, s in ipairs(p.sentences) do
    vrt:write("<s>\n")
    for _, t in ipairs(s.tokens) do
      vrt:write(t.word, "\t", t.lemma or "_", "\t", t.pos or "_", "\n")
      n = n + 1
    end
    vrt:write("</s>\n")
  end
  vrt:write("</text>\n")
  assert(n == d.tokens, string.format("%s: %d tokens parsed, %d in the corpus", d.name, n, d.tokens))
  total = total + n
end
vrt:close()
local bin = prefix .. "/bin/"
assert(os.execute(string.format("%scwb-encode -c utf8 -d %s/data -f %s/corpus.vrt -R %s/registry/sample " ..
  "-P lemma -P pos -S s -S text:0+id+kind+date >/dev/null && %scwb-makeall -r %s/registry SAMPLE >/dev/null",
  bin, work, work, work, bin, work)))

local QUERIES = {
  '"China"', '[word="surveil.*"]', '[word="surveil.*"%c]', '[word="Chin.*" & word!="China"]',
  '"China" [] "Russia"', '[word="China"] [] [word="Russia"] within s', '"China" []{0,3} "Russia" within s',
  '("China" | "Russia") "and" ("China" | "Russia")', '[pos="ADJ"]+ [pos="NOUN"]', '[pos="ADJ"]* [pos="NOUN"]',
  '(?longest) [pos="ADJ"]* [pos="NOUN"]', '(?shortest) [pos="ADJ"]* [pos="NOUN"]',
  '(?traditional) [pos="ADJ"]* [pos="NOUN"]', '[]* "China" within s', '<s> "China"', '"China" []* </s>',
  '[lemma="cooperation" & pos="NOUN"]', '[pos="DET"]? [pos="ADJ"]{1,2} [pos="NOUN"]+ within s',
  '[lemma="be"] [pos="ADV"]* [pos="VERB"]', '"China" :: match.text_kind = "news.*"',
  '"the" []{2} "of" within 4', 'MU(meet "China" "Russia" s)', 'MU(meet "China" "Russia" -3 3)',
  'MU(meet [pos="NOUN"] "digital" -2 2)', '"Huawei" expand to s', '(?longest) [pos="NOUN"]+', '(?shortest) [pos="NOUN"]+',
  '<s> [pos="DET"]? [pos="NOUN"]', '[pos="NOUN"] </s>', '"China" @[] "Russia"', '[word!="the" & pos="DET"] [pos="NOUN"]',
  '[word="[A-Z].*" & !pos="PROPN"] [pos="PROPN"]', '[pos="VERB"] []? [pos="DET"]? [pos="NOUN"] within s',
  '(?traditional) [pos="ADJ"]* [pos="NOUN"] ([pos="ADP"] [pos="DET"]? [pos="NOUN"])*',
  '(?longest) [pos="ADJ"]* [pos="NOUN"] ([pos="ADP"] [pos="DET"]? [pos="NOUN"])*',
  '[pos="ADJ"]* [pos="NOUN"] ([pos="ADP"] [pos="DET"]? [pos="NOUN"])*', '[pos="PROPN"] ("and" [pos="PROPN"])+', 'a:[pos="NOUN"] "and" b:[pos="NOUN"] :: a.lemma = b.lemma',
}
local function cqp_matches(q)
  local strategy, body = q:match("^%(%?(%a+)%)%s*(.*)$")
  local script = work .. "/q.cqp"
  local f = assert(io.open(script, "w"))
  f:write("SAMPLE;\nset MatchingStrategy " .. (strategy or "standard") .. ";\n")
  f:write("A = " .. (body or q) .. ";\ndump A;\n")
  f:close()
  local p = io.popen(string.format("%scqp -r %s/registry -c < %s 2>&1", bin, work, script))
  local out = {}
  for line in p:lines() do
    local a, b = line:match("^(%d+)%s+(%d+)")
    if a then out[#out + 1] = {tonumber(a), tonumber(b)} end
  end
  p:close()
  return out
end
local same, differ = 0, 0
print(string.format("%-62s %7s %7s  %s", "query", "dossier", "CQP", "hit for hit"))
for _, q in ipairs(QUERIES) do
  local m, want = c:query(q), cqp_matches(q)
  local ok = #m == #want
  for i = 1, math.min(#m, #want) do
    local x = m[i]
    local k = 1
    while docs[k + 1] and docs[k + 1].cpos <= x.first do k = k + 1 end
    local first, last = x.first - docs[k].cpos + starts[k], x.last - docs[k].cpos + starts[k]
    if first ~= want[i][1] or last ~= want[i][2] then ok = false; break end
  end
  if ok then same = same + 1 else differ = differ + 1 end
  print(string.format("%-62s %7d %7d  %s", q, #m, #want, ok and "same" or "DIFFERENT"))
end
print(string.format("%d queries the same hit for hit, %d different", same, differ))
