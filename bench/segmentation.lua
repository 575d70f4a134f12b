-- Tokenizer and sentence-splitter quality against the shared reference data, beside the
-- NLTK baseline figures (shared/research/data-and-baselines.md, 2.3 and 2.4).
--
--   bin/dossier run bench/segmentation.lua [DATA_DIR] [--errors N] [--self-check]
--
-- DATA_DIR defaults to ../shared/data. --errors N prints up to N examples of each kind
-- of error. --self-check scores the gold data itself instead of dossier (every figure
-- must be 100%), to check the scorers. The method is in bench/segeval.lua.

local bench_dir = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = bench_dir .. "/?.lua;" .. package.path

local segeval = require "segeval"

local function usage(msg)
  io.stderr:write(msg, "\nusage: dossier run bench/segmentation.lua [DATA_DIR] [--errors N] [--self-check]\n")
  os.exit(1)
end

local data_dir, max_errors, self_check = "../shared/data", 0, false
do
  local i = 1
  while arg[i] do
    local a = arg[i]
    if a == "--errors" then
      max_errors = tonumber(arg[i + 1]) or usage("--errors needs a number")
      i = i + 1
    elseif a == "--self-check" then self_check = true
    elseif a:sub(1, 2) == "--" then usage("unknown option " .. a)
    else data_dir = a end
    i = i + 1
  end
end

-- Wall time when lua-system (a busted dependency) is there, else CPU time.
local clock, clock_kind = os.clock, "CPU"
do
  local ok, system = pcall(require, "system")
  if ok and system.monotime then clock, clock_kind = system.monotime, "wall" end
end

-- NLTK reference figures: Treebank tokenizer and Punkt trained on EWT train.
local REF = {
  words = {96.14, 96.68, 96.41}, surface = {93.91, 95.78, 94.84},
  boundaries = {95.58, 79.56, 86.84}, exact = 700, paragraphs = 854,
  ps_golden = 24, ps_segment = 42, pysbd_golden = 24,
}

local seg
if self_check then
  seg = segeval.oracle(data_dir, "words")
else
  seg = segeval.dossier_segmenter(require "dossier")
end

local function timed(fn, ...)
  local t0 = clock()
  local r = fn(...)
  return r, clock() - t0
end

local sents = segeval.read_conllu(data_dir .. "/" .. segeval.EWT_TEST)
local tok, tok_s = timed(segeval.eval_tokens, data_dir, seg, sents)
if self_check then
  -- the gold-words oracle scores 100% against words only; score surface tokens with
  -- a surface oracle
  local surf = segeval.eval_tokens(data_dir, segeval.oracle(data_dir, "surface"), sents)
  tok.surface = surf.surface
end
local sen, sen_s = timed(segeval.eval_sentences, data_dir, seg, sents)
local gold, gold_s = timed(segeval.eval_golden, data_dir, seg)

------------------------------------------------------------------------------------
-- Summary table

local function pct(x) return string.format("%6.2f", 100 * x) end
local function row(label, s, ref, note)
  print(string.format("  %-34s %s %s %s    %6.2f %6.2f %6.2f  %s", label,
                      pct(s.precision), pct(s.recall), pct(s.f1), ref[1], ref[2], ref[3], note or ""))
end

print(string.format("Segmentation quality: %s, data %s", seg.name, data_dir))
if seg.conflicts then
  print(string.format("(oracle: texts with conflicting gold answers: %d token, %d sentence)",
                      seg.conflicts.tokens, seg.conflicts.sentences))
end
print()
print(string.format("  %-34s %6s %6s %6s    %6s %6s %6s", "", "P", "R", "F1", "P", "R", "F1"))
print(string.format("  %-34s %-20s    %s", "", seg.name, "NLTK reference"))
print(string.format("EWT test tokens (%d of %d sentences aligned)  [%.2f s]",
                    tok.used, tok.sentences, tok_s))
row(string.format("vs words (%d)", tok.words.gold), tok.words, REF.words, "Treebank")
row(string.format("vs surface tokens (%d)", tok.surface.gold), tok.surface, REF.surface, "Treebank")
print(string.format("EWT test sentence boundaries in paragraphs  [%.2f s]", sen_s))
row(string.format("boundaries (%d)", sen.score.gold), sen.score, REF.boundaries, "Punkt (EWT-trained)")
print(string.format("  %-34s %4d of %-4d              %4d of %d", "paragraphs segmented exactly",
                    sen.exact, sen.paragraphs, REF.exact, REF.paragraphs))
print(string.format("Golden rules (passed, all cases counted)  [%.2f s]", gold_s))
for _, key in ipairs(gold.order) do
  local g = gold[key]
  print(string.format("  %-34s %4d of %-4d %-15s %4d of %d", g.short, g.passed, g.total,
                      string.format("(verb. %d/%d)", g.verbatim_passed, g.verbatim_total),
                      REF[key], g.total))
end
print(string.format("(times are %s seconds)", clock_kind))

-- Things that would make the figures wrong or need a caveat.
local notes = {}
if tok.skipped > 0 then notes[#notes + 1] = string.format("%d EWT sentences left out: gold forms not found in their text", tok.skipped) end
local parts = {
  {name = "tokens", res = tok, n = tok.used, unit = "sentences"},
  {name = "sentences", res = sen, n = sen.paragraphs, unit = "paragraphs"},
}
for _, part in ipairs(parts) do
  local changed, errors = part.res.changed, part.res.errors
  if #changed == 0 then
    notes[#notes + 1] = string.format("%s: the clean text equals the input for all %d %s",
                                      part.name, part.n, part.unit)
  else
    notes[#notes + 1] = string.format("%s: %d inputs came back changed (clean text ~= input), first: %q -> %q",
                                      part.name, #changed, changed[1].text, changed[1].clean)
  end
  if #errors > 0 then
    notes[#notes + 1] = string.format("%s: the segmenter failed on %d inputs, first: %s",
                                      part.name, #errors, errors[1].error)
  end
end
if sen.by_start.f1 ~= sen.score.f1 then
  notes[#notes + 1] = string.format("sentence boundaries scored at sentence starts instead give F1 %.2f", 100 * sen.by_start.f1)
end
for _, key in ipairs(gold.order) do
  for _, c in ipairs(gold[key].not_ok) do
    notes[#notes + 1] = string.format("%s is status %q upstream (%s here); counted like the others",
                                      c.id, c.status, c.passed and "passed" or "failed")
  end
  if #gold[key].errors > 0 then
    notes[#notes + 1] = string.format("golden %s: the segmenter failed on %d cases", key, #gold[key].errors)
  end
end
if #notes > 0 then
  print("\nNotes:")
  for _, n in ipairs(notes) do print("  - " .. n) end
end

if max_errors <= 0 then return end

------------------------------------------------------------------------------------
-- Error examples

local function oneline(s) return (s:gsub("\n", "⏎")) end

-- Groups differences by their string, most frequent first; within a group, what the
-- other side had over the same bytes, most frequent first.
local function grouped(list)
  local by, order = {}, {}
  for _, d in ipairs(list) do
    local g = by[d.string]
    if not g then
      g = {string = d.string, n = 0, other = {}, example = d}
      by[d.string] = g
      order[#order + 1] = g
    end
    g.n = g.n + 1
    g.other[d.other] = (g.other[d.other] or 0) + 1
  end
  table.sort(order, function(a, b)
    if a.n ~= b.n then return a.n > b.n end
    return a.string < b.string
  end)
  return order
end

local function top_others(others, k)
  local list = {}
  for s, n in pairs(others) do list[#list + 1] = {s = s, n = n} end
  table.sort(list, function(a, b) if a.n ~= b.n then return a.n > b.n end return a.s < b.s end)
  local out = {}
  for i = 1, math.min(k, #list) do
    out[i] = string.format("[%s]%s", list[i].s, list[i].n > 1 and ("×" .. list[i].n) or "")
  end
  return table.concat(out, " ") .. (#list > k and " …" or "")
end

local function print_token_errors(title, list, other_side)
  local groups = grouped(list)
  print(string.format("\n%s: %d in %d distinct strings (other side = %s)", title, #list, #groups, other_side))
  for i = 1, math.min(max_errors, #groups) do
    local g = groups[i]
    print(string.format("  %4d  %-16s %s", g.n, "[" .. g.string .. "]", top_others(g.other, 4)))
    print(string.format("        e.g. %s: %s", g.example.id, oneline(g.example.text)))
  end
end

print_token_errors("Token errors vs words, missed gold words", tok.words.missed, "dossier's tokens there")
print_token_errors("Token errors vs words, spurious dossier tokens", tok.words.spurious, "gold words there")
print_token_errors("Token errors vs surface tokens, missed gold tokens", tok.surface.missed, "dossier's tokens there")
print_token_errors("Token errors vs surface tokens, spurious dossier tokens", tok.surface.spurious, "gold tokens there")

-- `width` bytes either side of byte `at`, widened to whole UTF-8 characters.
local function context(text, at, width)
  local a, b = math.max(1, at - width + 1), math.min(#text, at + width)
  while a > 1 and (text:byte(a) or 0) & 0xC0 == 0x80 do a = a - 1 end
  while b < #text and (text:byte(b + 1) or 0) & 0xC0 == 0x80 do b = b + 1 end
  return string.format("%s%s‖%s%s", a > 1 and "…" or "", oneline(text:sub(a, at)),
                       oneline(text:sub(at + 1, b)), b < #text and "…" or "")
end

for _, kind in ipairs{"missed", "spurious"} do
  local list = sen[kind]
  print(string.format("\nSentence boundaries %s (%d), ‖ marks the end of the sentence:", kind, #list))
  for i = 1, math.min(max_errors, #list) do
    print(string.format("  p%-4d %s", list[i].paragraph, context(list[i].text, list[i].at, 50)))
  end
end

local function quoted(list)
  local out = {}
  for i, s in ipairs(list) do out[i] = string.format("%q", s):gsub("\\\n", "\\n") end
  return "{" .. table.concat(out, ", ") .. "}"
end

for _, key in ipairs(gold.order) do
  local g = gold[key]
  print(string.format("\nFailing: %s (%d):", g.label, #g.failures))
  for i = 1, math.min(max_errors, #g.failures) do
    local c = g.failures[i]
    print(string.format("  %s %s%s%s", c.id, c.name or "",
                        c.status ~= "ok" and (" [status " .. c.status .. "]") or "",
                        c.verbatim and "" or " [not verbatim]"))
    print("    text:     " .. quoted{c.text})
    print("    expected: " .. quoted(c.expected))
    print("    got:      " .. quoted(c.got))
  end
end
