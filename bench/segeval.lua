-- segeval: quality of dossier's tokenizer and sentence splitter against the shared
-- reference data, by the method of the NLTK baseline
-- (shared/research/baselines/nltk_segmentation_quality.py and conllu.py; figures in
-- shared/research/data-and-baselines.md, sections 2.3 and 2.4), so that the two sets of
-- figures can be compared directly.
--
-- A segmenter is a table with two functions over a string:
--   tokens(text)    -> {{from =, to =}, ...}, clean_text
--   sentences(text) -> {{from =, to =, text =}, ...}, clean_text
-- `from`/`to` are 1-based inclusive byte positions in clean_text, which should equal
-- `text` (offsets into a changed text could not be compared with gold offsets; the
-- evaluations count the inputs where it differs). M.dossier_segmenter builds one on
-- dossier.parse, M.oracle one from the gold data (to check the scorers: all 1.0).
--
-- The baseline counts in code points, this module in bytes: gold forms are found with a
-- plain find, which in valid UTF-8 only matches at character starts, so the spans and
-- hence every count are the same.

local cjson = require "cjson"

local M = {}

M.EWT_TEST = "ud-english-ewt/en_ewt-ud-test.conllu"
M.PRAGMATIC = "sentence-golden/pragmatic_segmenter_en.jsonl"
M.PYSBD = "sentence-golden/pysbd_en.jsonl"

local function read_lines(path)
  local f = assert(io.open(path, "rb"))
  local lines = {}
  for line in f:lines() do
    -- Python's text mode reads CRLF as LF.
    lines[#lines + 1] = line:gsub("\r$", "")
  end
  f:close()
  return lines
end

------------------------------------------------------------------------------------
-- Reading the data

-- CoNLL-U as baselines/conllu.py reads it: sentences {id, text, newdoc, newpar,
-- words = {{form, upos, xpos, lemma, misc}}, tokens = {form, ...}}. `words` skips
-- multiword-token ranges and empty nodes; `tokens` keeps a multiword token whole and
-- skips its component words. Sentences without words are dropped, as there.
function M.read_conllu(path)
  local sents, sent = {}, nil
  local function flush()
    if sent and #sent.words > 0 then sents[#sents + 1] = sent end
    sent = nil
  end
  for _, line in ipairs(read_lines(path)) do
    if line == "" then
      flush()
    else
      sent = sent or {newdoc = false, newpar = false, words = {}, tokens = {}, skip = 0}
      if line:sub(1, 1) == "#" then
        if line:sub(1, 12) == "# sent_id = " then sent.id = line:sub(13)
        elseif line:sub(1, 9) == "# text = " then sent.text = line:sub(10)
        elseif line:sub(1, 8) == "# newdoc" then sent.newdoc = true
        elseif line:sub(1, 8) == "# newpar" then sent.newpar = true
        end
      else
        local cols = {}
        for c in (line .. "\t"):gmatch("([^\t]*)\t") do cols[#cols + 1] = c end
        local id = cols[1]
        if id:find(".", 1, true) then
          -- empty node: not a word of the text
        elseif id:find("-", 1, true) then
          sent.tokens[#sent.tokens + 1] = cols[2]
          sent.skip = tonumber(id:match("%-(%d+)$"))
        else
          sent.words[#sent.words + 1] = {cols[2], cols[4], cols[5], cols[3], cols[10]}
          if tonumber(id) > sent.skip then sent.tokens[#sent.tokens + 1] = cols[2] end
        end
      end
    end
  end
  flush()
  for _, s in ipairs(sents) do s.skip = nil end
  return sents
end

function M.read_jsonl(path)
  local out = {}
  for _, line in ipairs(read_lines(path)) do
    if line:find("%S") then out[#out + 1] = cjson.decode(line) end
  end
  return out
end

-- Paragraphs as the baseline forms them: a sentence marked `# newpar` or `# newdoc`
-- starts a new one. Returns lists of sentences.
function M.paragraphs(sents)
  local paras, cur = {}, {}
  for _, s in ipairs(sents) do
    if (s.newpar or s.newdoc) and #cur > 0 then
      paras[#paras + 1] = cur
      cur = {}
    end
    cur[#cur + 1] = s
  end
  if #cur > 0 then paras[#paras + 1] = cur end
  return paras
end

-- A paragraph's text (its sentences joined by one space) and the gold boundaries in
-- it: the last byte of every sentence but the last (the baseline's 0-based end).
function M.paragraph_text(para)
  local parts, ends, len = {}, {}, 0
  for k, s in ipairs(para) do
    if k > 1 then len = len + 1 end
    parts[k] = s.text
    len = len + #s.text
    if k < #para then ends[#ends + 1] = len end
  end
  return table.concat(parts, " "), ends
end

-- The baseline's spans_of: each form found in the text left to right, as 1-based
-- inclusive byte spans; nil when one is not found.
function M.spans_of(text, forms)
  local out, pos = {}, 1
  for i, f in ipairs(forms) do
    local a, b = text:find(f, pos, true)
    if not a then return nil end
    out[i] = {from = a, to = b}
    pos = b + 1
  end
  return out
end

------------------------------------------------------------------------------------
-- Scoring

local function prf(tp, ngold, npred)
  local p = npred > 0 and tp / npred or 0
  local r = ngold > 0 and tp / ngold or 0
  return {precision = p, recall = r, f1 = (p + r > 0) and 2 * p * r / (p + r) or 0,
          tp = tp, gold = ngold, pred = npred}
end

-- Set of "from:to" keys; duplicates collapse as in the baseline's sets.
local function span_set(spans)
  local set, n = {}, 0
  for _, sp in ipairs(spans) do
    local k = string.format("%d:%d", sp.from, sp.to)
    if not set[k] then set[k] = sp; n = n + 1 end
  end
  return set, n
end

-- The spans of `others` that overlap [from, to], as strings of `text` joined by
-- spaces: what the other side made of a missed or spurious span.
local function overlapping(text, others, from, to)
  local out = {}
  for _, o in ipairs(others) do
    if o.from <= to and o.to >= from then out[#out + 1] = text:sub(o.from, o.to) end
  end
  return table.concat(out, " ")
end

-- Python's str.strip(): str.isspace() characters, not only ASCII white space.
local PY_SPACE = {}
for _, cp in ipairs{0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85,
                    0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
                    0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F,
                    0x3000} do
  PY_SPACE[utf8.char(cp)] = true
end

function M.pystrip(s)
  local cps = {}
  for _, cp in utf8.codes(s) do cps[#cps + 1] = utf8.char(cp) end
  local i, j = 1, #cps
  while i <= j and PY_SPACE[cps[i]] do i = i + 1 end
  while j >= i and PY_SPACE[cps[j]] do j = j - 1 end
  return table.concat(cps, "", i, j)
end

-- Calls a segmenter function; a failure counts as no output (the baseline's `except`).
local function call(fn, text, errors, where)
  local ok, spans, clean = pcall(fn, text)
  if ok then return spans, clean end
  errors[#errors + 1] = {where = where, text = text, error = tostring(spans)}
  return {}, text
end

------------------------------------------------------------------------------------
-- 1. Tokens on EWT test

-- P/R/F1 of predicted token spans over (sentence, from, to), against gold syntactic
-- words and against gold surface tokens. Sentences whose gold forms cannot be found in
-- their text are left out, as in the baseline. Each score carries `missed` and
-- `spurious` lists of {sentence, id, text, from, to, string, other}, `other` being what
-- the other side has over those bytes.
function M.eval_tokens(data_dir, seg, sents)
  sents = sents or M.read_conllu(data_dir .. "/" .. M.EWT_TEST)
  local res = {sentences = #sents, used = 0, skipped = 0, changed = {}, errors = {}}
  for _, kind in ipairs{"words", "surface"} do
    res[kind] = {tp = 0, gold = 0, pred = 0, missed = {}, spurious = {}}
  end
  for i, s in ipairs(sents) do
    local forms = {}
    for k, w in ipairs(s.words) do forms[k] = w[1] end
    local gold = {words = M.spans_of(s.text, forms), surface = M.spans_of(s.text, s.tokens)}
    if not (gold.words and gold.surface) then
      res.skipped = res.skipped + 1
    else
      res.used = res.used + 1
      local pred, clean = call(seg.tokens, s.text, res.errors, i)
      if clean ~= s.text then res.changed[#res.changed + 1] = {sentence = i, id = s.id, text = s.text, clean = clean} end
      local pset, npred = span_set(pred)
      for _, kind in ipairs{"words", "surface"} do
        local acc = res[kind]
        local gset, ngold = span_set(gold[kind])
        local function diff(list, sp, others)
          list[#list + 1] = {sentence = i, id = s.id, text = s.text, from = sp.from, to = sp.to,
                             string = s.text:sub(sp.from, sp.to),
                             other = overlapping(s.text, others, sp.from, sp.to)}
        end
        for k, sp in pairs(gset) do
          if pset[k] then acc.tp = acc.tp + 1 else diff(acc.missed, sp, pred) end
        end
        for k, sp in pairs(pset) do
          if not gset[k] then diff(acc.spurious, sp, gold[kind]) end
        end
        acc.gold, acc.pred = acc.gold + ngold, acc.pred + npred
      end
    end
  end
  for _, kind in ipairs{"words", "surface"} do
    local acc = res[kind]
    -- pairs() order is arbitrary; keep the lists in text order for stable reports.
    for _, list in ipairs{acc.missed, acc.spurious} do
      table.sort(list, function(a, b)
        if a.sentence ~= b.sentence then return a.sentence < b.sentence end
        if a.from ~= b.from then return a.from < b.from end
        return a.to < b.to
      end)
    end
    local score = prf(acc.tp, acc.gold, acc.pred)
    score.missed, score.spurious = acc.missed, acc.spurious
    res[kind] = score
  end
  return res
end

------------------------------------------------------------------------------------
-- 2. Sentence boundaries on EWT test

-- Per paragraph (sentences joined by one space), P/R/F1 of the boundaries inside
-- paragraphs and the number of paragraphs segmented exactly. As in the baseline a
-- boundary is the end of every sentence but the last (its last byte here). `by_start`
-- scores the starts of every sentence but the first instead, as a cross-check: with
-- sentences trimmed of white space the two must agree. `missed`/`spurious` list
-- {paragraph, text, at} with `at` the boundary's byte.
function M.eval_sentences(data_dir, seg, sents)
  sents = sents or M.read_conllu(data_dir .. "/" .. M.EWT_TEST)
  local paras = M.paragraphs(sents)
  local res = {paragraphs = #paras, exact = 0, missed = {}, spurious = {}, changed = {},
               errors = {}}
  local tp, ngold, npred = 0, 0, 0
  local stp, snpred = 0, 0
  for j, para in ipairs(paras) do
    local text, ends = M.paragraph_text(para)
    local pred, clean = call(seg.sentences, text, res.errors, j)
    if clean ~= text then res.changed[#res.changed + 1] = {paragraph = j, text = text, clean = clean} end
    local gold, gstart = {}, {}
    for _, e in ipairs(ends) do gold[e] = true; gstart[e + 2] = true end
    local mine, n = {}, 0
    for k = 1, #pred - 1 do
      if not mine[pred[k].to] then mine[pred[k].to] = true; n = n + 1 end
    end
    local hits = 0
    for e in pairs(mine) do
      if gold[e] then hits = hits + 1
      else res.spurious[#res.spurious + 1] = {paragraph = j, text = text, at = e} end
    end
    for _, e in ipairs(ends) do
      if not mine[e] then res.missed[#res.missed + 1] = {paragraph = j, text = text, at = e} end
    end
    tp, ngold, npred = tp + hits, ngold + #ends, npred + n
    if hits == n and n == #ends then res.exact = res.exact + 1 end
    local starts, sn = {}, 0
    for k = 2, #pred do
      if not starts[pred[k].from] then
        starts[pred[k].from] = true; sn = sn + 1
        if gstart[pred[k].from] then stp = stp + 1 end
      end
    end
    snpred = snpred + sn
  end
  local function by_pos(a, b)
    if a.paragraph ~= b.paragraph then return a.paragraph < b.paragraph end
    return a.at < b.at
  end
  table.sort(res.missed, by_pos)
  table.sort(res.spurious, by_pos)
  res.score = prf(tp, ngold, npred)
  res.by_start = prf(stp, ngold, snpred)
  return res
end

------------------------------------------------------------------------------------
-- 3. Golden rules

-- The baseline's three groups of cases.
M.GOLDEN_GROUPS = {
  {key = "ps_golden", short = "golden rules (ps-golden-*)", label = "Pragmatic Segmenter golden rules (ps-golden-*)", file = M.PRAGMATIC,
   select = function(c) return c.id:sub(1, 10) == "ps-golden-" end},
  {key = "ps_segment", short = "other PS spec cases (ps-segment-*)", label = "Pragmatic Segmenter other spec cases (ps-segment-*)", file = M.PRAGMATIC,
   select = function(c) return c.id:sub(1, 11) == "ps-segment-" end},
  {key = "pysbd_golden", short = "pySBD GOLDEN_EN_RULES", label = "pySBD GOLDEN_EN_RULES", file = M.PYSBD,
   select = function(c) return c.list == "GOLDEN_EN_RULES" end},
}

local function same_list(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return true
end

-- A case passes when the predicted sentence texts, each stripped as by Python's
-- str.strip(), equal `expected`. Every case of a group counts, whatever its `status`
-- (as in the baseline); `not_ok` lists the cases upstream itself skips or expects to
-- fail, and `verbatim` counts only the cases whose expected sentences occur in the input.
-- Returns {key = {label, short, total, passed, verbatim_total, verbatim_passed, failures,
-- not_ok}} plus `order`, the keys in report order.
function M.eval_golden(data_dir, seg)
  local res, cache = {order = {}}, {}
  for _, g in ipairs(M.GOLDEN_GROUPS) do
    cache[g.file] = cache[g.file] or M.read_jsonl(data_dir .. "/" .. g.file)
    local r = {label = g.label, short = g.short, total = 0, passed = 0, verbatim_total = 0,
               verbatim_passed = 0, failures = {}, not_ok = {}, errors = {}}
    for _, c in ipairs(cache[g.file]) do
      if g.select(c) then
        local got = {}
        for k, s in ipairs((call(seg.sentences, c.text, r.errors, c.id))) do
          got[k] = M.pystrip(s.text)
        end
        local ok = same_list(got, c.expected)
        r.total = r.total + 1
        if ok then r.passed = r.passed + 1 end
        if c.verbatim then
          r.verbatim_total = r.verbatim_total + 1
          if ok then r.verbatim_passed = r.verbatim_passed + 1 end
        end
        if c.status ~= "ok" then r.not_ok[#r.not_ok + 1] = {id = c.id, status = c.status, passed = ok} end
        if not ok then
          r.failures[#r.failures + 1] = {id = c.id, name = c.name, status = c.status,
                                         verbatim = c.verbatim, text = c.text,
                                         got = got, expected = c.expected}
        end
      end
    end
    res[g.key] = r
    res.order[#res.order + 1] = g.key
  end
  return res
end

------------------------------------------------------------------------------------
-- Segmenters

-- dossier.parse as a segmenter (`dossier` defaults to require "dossier").
function M.dossier_segmenter(dossier)
  dossier = dossier or require "dossier"
  return {
    name = "dossier " .. tostring(dossier.version),
    tokens = function(text)
      local doc = dossier.parse(text, {clean = false})   -- the tokenizer alone
      local out = {}
      for _, s in ipairs(doc.sentences) do
        for _, t in ipairs(s.tokens) do out[#out + 1] = {from = t.from, to = t.to} end
      end
      return out, doc.text
    end,
    sentences = function(text)
      local doc = dossier.parse(text, {clean = false})
      local out = {}
      for k, s in ipairs(doc.sentences) do out[k] = {from = s.from, to = s.to, text = s.text} end
      return out, doc.text
    end,
  }
end

-- A segmenter that answers from the gold data, to check the scorers: tokens are the
-- gold words (or surface tokens, with kind = "surface") of the EWT test sentence with
-- that text, sentences the gold sentences of the EWT test paragraph or the `expected`
-- of the golden case with that text. Texts that occur twice with different gold
-- answers keep the first one, so scores may fall short of 1 only through those;
-- `conflicts` counts them.
function M.oracle(data_dir, kind)
  local sents = M.read_conllu(data_dir .. "/" .. M.EWT_TEST)
  local tokens, sentences, conflicts = {}, {}, {tokens = 0, sentences = 0}
  local function serialize(list)
    local parts = {}
    for k, x in ipairs(list) do parts[k] = table.concat({x.from or "", x.to or "", x.text or ""}, "\0") end
    return table.concat(parts, "\1")
  end
  local function put(map, key, text, value)
    local old = map[text]
    if old == nil then map[text] = value
    elseif serialize(old) ~= serialize(value) then conflicts[key] = conflicts[key] + 1 end
  end
  for _, s in ipairs(sents) do
    local forms = {}
    if kind == "surface" then forms = s.tokens
    else for k, w in ipairs(s.words) do forms[k] = w[1] end end
    local spans = M.spans_of(s.text, forms)
    if spans then put(tokens, "tokens", s.text, spans) end
  end
  for _, para in ipairs(M.paragraphs(sents)) do
    local text, ends = M.paragraph_text(para)
    local out, from = {}, 1
    for _, e in ipairs(ends) do
      out[#out + 1] = {from = from, to = e, text = text:sub(from, e)}
      from = e + 2
    end
    out[#out + 1] = {from = from, to = #text, text = text:sub(from)}
    put(sentences, "sentences", text, out)
  end
  for _, file in ipairs{M.PRAGMATIC, M.PYSBD} do
    for _, c in ipairs(M.read_jsonl(data_dir .. "/" .. file)) do
      if c.expected then
        local out = {}
        for k, e in ipairs(c.expected) do out[k] = {text = e} end
        put(sentences, "sentences", c.text, out)
      end
    end
  end
  return {
    name = "gold " .. (kind or "words"),
    conflicts = conflicts,
    tokens = function(text) return tokens[text] or {}, text end,
    sentences = function(text) return sentences[text] or {}, text end,
  }
end

return M
