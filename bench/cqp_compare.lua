-- Hit-for-hit comparison with CQP (CWB 3.4.16) on the same tokens: writes the corpus's
-- documents as VRT (word, lemma, pos; <s>; <text kind date>, tokens as dossier.parse gives
-- them, checked against the corpus's counts), encodes it with cwb-encode/cwb-makeall, runs
-- each query in both and compares the matches (document, first and last token). Figures
-- only; needs CWB (../shared/tools/build-cwb).
--   lua5.4 bench/cqp_compare.lua DB CWB_PREFIX WORKDIR
package.path = "lua/?.lua;lua/?/init.lua;bench/?.lua;" .. package.path
package.cpath = "lua/?.so;" .. package.cpath
local dossier = require "dossier"
local db, prefix, work = arg[1], arg[2], arg[3]
local common = require "cqp_common"
local c = dossier.open(db, {readonly = true})
local exp = common.export(dossier, c, prefix, work)

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
local answers = common.cqp_run(prefix, work, QUERIES)
local same, differ = 0, 0
print(string.format("%-62s %7s %7s  %s", "query", "dossier", "CQP", "hit for hit"))
for i, q in ipairs(QUERIES) do
  local m, want = common.dossier_pairs(exp, c:query(q)), answers[i].pairs or {}
  local ok = answers[i].pairs and common.same_pairs(m, want)
  if ok then same = same + 1 else differ = differ + 1 end
  print(string.format("%-62s %7d %7d  %s", q, #m, #want, ok and "same" or "DIFFERENT"))
end
print(string.format("%d queries the same hit for hit, %d different", same, differ))
