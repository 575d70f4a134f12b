-- CQL against a naive evaluator written here in Lua over the token stream: small generated
-- corpora, thousands of random queries from a grammar of the language (tokens, regexes,
-- %c, & | !, [], repetition of tokens and groups, alternation, <s> </s>, within s and
-- within N, the four strategies; `[]{n,} X ([]{m,}) within s` apart), the same matches, first and last, in order.
--
-- The naive evaluator knows nothing of dossier's engine: for each start it computes every
-- end a query can reach (sets of positions, by the definitions), takes the shortest (or the
-- longest), then applies CQP's reductions as CWB's ranges.c describes them.
local dossier = require "dossier"
local H = require "helpers"

local WORDS = {"a", "b", "c", "d", "A", "B"}
local rng_state = 12345
local function rand(n)                       -- deterministic: the same queries every run
  rng_state = (rng_state * 1103515245 + 12345) % 2147483648
  return rng_state % n + 1
end
local function pick(t) return t[rand(#t)] end

-- Values: a regex as written and the same as Lua patterns (any of them), for single-
-- character ASCII tokens; %c compares both lowered.
local VALUES = {
  {"a", {"^a$"}}, {"b", {"^b$"}}, {"c", {"^c$"}}, {"A", {"^A$"}}, {"a|b", {"^a$", "^b$"}},
  {"[abc]", {"^[abc]$"}}, {"[^a]", {"^[^a]$"}}, {".", {"^.$"}}, {"\\.", {"^%.$"}}, {"x", {"^x$"}},
}
local function value_test(pats, fold)
  return function(w)
    if fold then w = w:lower() end
    for _, p in ipairs(pats) do if w:find(fold and p:lower() or p) then return true end end
    return false
  end
end

-- A random token constraint: {text = CQL, test = function(word) -> boolean}.
local function gen_cons(depth)
  local r = rand(depth > 1 and 4 or 7)
  if r <= 4 then
    local v = pick(VALUES)
    local fold = rand(4) == 1
    local match = value_test(v[2], fold)
    local ne = rand(4) == 1
    return {text = string.format('word%s"%s"%s', ne and "!=" or "=", v[1], fold and "%c" or ""),
            test = function(w) return match(w) ~= ne end}
  elseif r == 5 then
    local x, y = gen_cons(depth + 1), gen_cons(depth + 1)
    return {text = "(" .. x.text .. " & " .. y.text .. ")", test = function(w) return x.test(w) and y.test(w) end}
  elseif r == 6 then
    local x, y = gen_cons(depth + 1), gen_cons(depth + 1)
    return {text = "(" .. x.text .. " | " .. y.text .. ")", test = function(w) return x.test(w) or y.test(w) end}
  else
    local x = gen_cons(depth + 1)
    return {text = "!" .. x.text, test = function(w) return not x.test(w) end}
  end
end

-- Query nodes: {kind = "tok"|"seq"|"alt"|"rep"|"open"|"close", ...}, with their CQL text.
local gen_seq
local function gen_item(depth)
  local r = rand(depth > 1 and 9 or 11)
  local node
  if r <= 2 then node = {kind = "tok", text = "[]", test = function() return true end}
  elseif r <= 4 then
    local v = pick({"a", "b", "c", "A"})
    node = {kind = "tok", text = '"' .. v .. '"', test = function(w) return w == v end}
  elseif r <= 8 then
    local cns = gen_cons(1)
    node = {kind = "tok", text = "[" .. cns.text .. "]", test = cns.test}
  elseif r == 9 then node = {kind = rand(2) == 1 and "open" or "close"}
    node.text = node.kind == "open" and "<s>" or "</s>"
    return node
  else
    local inner = gen_seq(depth + 1)
    node = {kind = "seq", items = inner.items, text = "(" .. inner.text .. ")"}
  end
  local q = rand(8)
  if q <= 4 then return node end
  local lo, hi, qt
  if q == 5 then lo, hi, qt = 0, 1, "?"
  elseif q == 6 then lo, hi, qt = 0, math.huge, "*"
  elseif q == 7 then lo, hi, qt = 1, math.huge, "+"
  else
    lo = rand(3) - 1
    hi = lo + rand(3) - 1
    qt = rand(2) == 1 and string.format("{%d,%d}", lo, hi) or string.format("{%d}", lo)
    if qt:find(",") == nil then hi = lo end
  end
  return {kind = "rep", child = node, lo = lo, hi = hi, text = node.text .. qt}
end

gen_seq = function(depth)
  local items, texts = {}, {}
  for i = 1, rand(depth > 1 and 2 or 3) do
    items[i] = gen_item(depth)
    texts[i] = items[i].text
  end
  return {kind = "seq", items = items, text = table.concat(texts, " ")}
end

local function gen_query()
  local body = gen_seq(1)
  if rand(6) == 1 then
    local other = gen_seq(2)
    body = {kind = "alt", alts = {body, other}, text = body.text .. " | " .. other.text}
  end
  local q = {body = body, strategy = pick({"standard", "standard", "shortest", "longest", "traditional"})}
  local w = rand(4)
  q.within = w == 1 and "s" or w == 2 and rand(5) + 1 or nil
  q.text = (q.strategy ~= "standard" and "(?" .. q.strategy .. ") " or "") .. body.text ..
           (q.within and " within " .. q.within or "")
  return q
end

-- `A []{n,m} B` (answered from postings alone when A and B are one value each), with a
-- generator of its own so the queries above stay what they were.
local gap_state = 777
local function grand(n)
  gap_state = (gap_state * 1103515245 + 12345) % 2147483648
  return gap_state % n + 1
end
local function gen_gap_query()
  local function word()
    local v = ({"a", "b", "c", "A"})[grand(4)]
    if grand(3) == 1 then return {kind = "tok", text = '[word="' .. v .. '"]', test = function(w) return w == v end} end
    return {kind = "tok", text = '"' .. v .. '"', test = function(w) return w == v end}
  end
  local lo = grand(4) - 1
  local hi = lo + grand(4) - 1
  local gap = {kind = "rep", child = {kind = "tok", text = "[]", test = function() return true end}, lo = lo, hi = hi,
               text = string.format("[]{%d,%d}", lo, hi)}
  local a, b = word(), word()
  local body = {kind = "seq", items = {a, gap, b}, text = a.text .. " " .. gap.text .. " " .. b.text}
  local q = {body = body, strategy = ({"standard", "standard", "shortest", "longest", "traditional"})[grand(5)]}
  q.text = (q.strategy ~= "standard" and "(?" .. q.strategy .. ") " or "") .. body.text
  return q
end

-- `[]{n,} X` and `[]{n,} X []{m,}` under `within s` (made from X's positions and its
-- sentence), with a generator of its own too
local open_state = 4242
local function orand(n)                     -- the high bits: the low ones of this LCG repeat soon
  open_state = (open_state * 1103515245 + 12345) % 2147483648
  return (open_state // 65536) % n + 1
end
local OPEN_X = {
  {'"a"', function(w) return w == "a" end},
  {'[word="b"]', function(w) return w == "b" end},
  {'[word="a"%c]', function(w) return w:lower() == "a" end},
  {'[word="a|c"]', function(w) return w == "a" or w == "c" end},
  {'[word="[abc]" & word!="b"]', function(w) return w == "a" or w == "c" end},
  {'[word="c" & !word="a"]', function(w) return w == "c" end},
}
local function gen_open_query()
  local x = OPEN_X[orand(#OPEN_X)]
  local lo = ({0, 0, 1, 2, 3})[orand(5)]
  local lead = ({[0] = orand(2) == 1 and "[]*" or "[]{0,}", [1] = "[]+"})[lo] or string.format("[]{%d,}", lo)
  local gap = {kind = "rep", child = {kind = "tok", text = "[]", test = function() return true end}, lo = lo,
               hi = math.huge, text = lead}
  local tok = {kind = "tok", text = x[1], test = x[2]}
  local body = {kind = "seq", items = {gap, tok}, text = gap.text .. " " .. tok.text}
  if orand(2) == 1 then                       -- and `[]{m,}` after
    local m = ({0, 1, 2})[orand(3)]
    local tail = {kind = "rep", child = gap.child, lo = m, hi = math.huge,
                  text = ({[0] = "[]*", [1] = "[]+"})[m] or string.format("[]{%d,}", m)}
    body = {kind = "seq", items = {gap, tok, tail}, text = body.text .. " " .. tail.text}
  end
  local q = {body = body, strategy = ({"standard", "standard", "shortest", "longest", "traditional"})[orand(5)]}
  q.within = orand(5) > 1 and "s" or nil
  q.text = (q.strategy ~= "standard" and "(?" .. q.strategy .. ") " or "") .. body.text ..
           (q.within and " within " .. q.within or "")
  return q
end

-- ====================== the naive evaluator ======================

-- Every end position (exclusive) node reaches from i in tokens toks (1-based) of a document,
-- inside a region ending before lim. As CQP, an opening tag is looked at on the token after
-- it, which must be in the region (a closing tag on the token before it).
local function ends(node, i, d, memo, lim)
  local key = node
  memo[key] = memo[key] or {}
  if memo[key][i] then return memo[key][i] end
  local out = {}
  local toks = d.toks
  if node.kind == "tok" then
    if i <= #toks and node.test(toks[i]) then out[i + 1] = true end
  elseif node.kind == "open" then
    if i < lim and d.sstart[i] then out[i] = true end
  elseif node.kind == "close" then
    if d.send[i - 1] then out[i] = true end
  elseif node.kind == "seq" then
    local cur = {[i] = true}
    for _, it in ipairs(node.items) do
      local nxt = {}
      for p in pairs(cur) do for e in pairs(ends(it, p, d, memo, lim)) do nxt[e] = true end end
      cur = nxt
    end
    out = cur
  elseif node.kind == "alt" then
    for _, a in ipairs(node.alts) do for e in pairs(ends(a, i, d, memo, lim)) do out[e] = true end end
  elseif node.kind == "rep" then
    local cur, seen = {[i] = true}, {}
    local k = 0
    if node.lo == 0 then out[i] = true end
    while next(cur) and k < node.hi do
      k = k + 1
      local nxt = {}
      for p in pairs(cur) do
        for e in pairs(ends(node.child, p, d, memo, lim)) do
          if k >= node.lo then out[e] = true end
          if not seen[e .. ":" .. math.min(k, node.lo)] then
            seen[e .. ":" .. math.min(k, node.lo)] = true
            nxt[e] = true
          end
        end
      end
      cur = nxt
      if k > #toks + 2 and node.hi == math.huge and k > node.lo then break end
    end
  end
  memo[key][i] = out
  return out
end

-- The matches of q in document d (cpos its first corpus position): {{first, last}, ...}.
-- Does node hold an opening tag?
local function has_open(node)
  if node.kind == "open" then return true end
  for _, c in ipairs(node.items or node.alts or {node.child}) do if has_open(c) then return true end end
  return false
end

local function naive(q, d, cpos)
  -- the ends from each position, per region end where an opening tag makes it matter
  local memos, per, bOpen = {}, {}, has_open(q.body)
  for i = 1, #d.toks do
    local lim = #d.toks + 1                     -- ends are exclusive
    local ok = true
    if q.within == "s" then
      ok = d.sent_of[i] ~= nil
      if ok then lim = d.sent_last[d.sent_of[i]] + 1 end
    else
      lim = math.min(lim, i + (q.within or 500))
    end
    if ok then
      local best
      local key = bOpen and lim or 0
      memos[key] = memos[key] or {}
      for e in pairs(ends(q.body, i, d, memos[key], lim)) do
        if e > i and e <= lim then
          if not best or (q.strategy == "longest" and e > best) or (q.strategy ~= "longest" and e < best) then best = e end
        end
      end
      if best then per[#per + 1] = {i, best - 1} end
    end
  end
  local out = {}
  if q.strategy == "standard" then            -- the first of the matches ending alike
    local seenEnd = {}
    for _, m in ipairs(per) do if not seenEnd[m[2]] then seenEnd[m[2]] = true; out[#out + 1] = m end end
  elseif q.strategy == "shortest" then        -- no match holding another
    for a, m in ipairs(per) do                -- (one match per start, in order of starts)
      local holds, b = false, a + 1
      while not holds and per[b] and per[b][1] <= m[2] do holds = per[b][2] <= m[2]; b = b + 1 end
      if not holds then out[#out + 1] = m end
    end
  elseif q.strategy == "longest" then         -- no match another holds
    for a, m in ipairs(per) do                -- a match holding m starts at most 500 before its end
      local held, b = false, a - 1
      while not held and b >= 1 and per[b][1] > m[2] - 500 do held = per[b][2] >= m[2]; b = b - 1 end
      if not held then out[#out + 1] = m end
    end
  else
    out = per
  end
  for k, m in ipairs(out) do out[k] = {cpos + m[1] - 1, cpos + m[2] - 1} end
  return out
end

describe("CQL against a naive evaluator", function()
  teardown(H.cleanup)
  it("gives the same matches for 2,400 random queries on generated corpora", function()
    local nQueries, nMatches, bad = 0, 0, {}
    for corpusNo = 1, 3 do
      local dir = H.tmp("")
      os.execute("mkdir -p " .. dir)
      local texts = {}
      for k = 1, 3 do
        local parts = {}
        -- the last corpus large enough (over 64 positions a value) for the plans that
        -- use posting cursors beside the driver (leapfrog, prefilters)
        for _ = 1, corpusNo == 3 and 24 + rand(4) or 8 + rand(6) do   -- sentences ending in "."
          local s = {}
          for _ = 1, 2 + rand(8) do s[#s + 1] = pick(WORDS) end
          s[1] = s[1]:upper()                     -- capitalised, so the splitter ends the last
          parts[#parts + 1] = table.concat(s, " ") .. "."
        end
        texts[k] = table.concat(parts, " ") .. "\n"
        H.write(string.format("%s/d%d.txt", dir, k), texts[k])
      end
      local db = H.tmp(".db")
      local c <close> = dossier.open(db)
      c:add(dir)
      local docs = {}
      for _, info in ipairs(c:docs()) do
        local k = tonumber(info.name:match("d(%d+)$"))
        local p = dossier.parse(texts[k], {tag = false})
        local d = {toks = {}, sstart = {}, send = {}, sent_of = {}, sent_last = {}}
        for si, s in ipairs(p.sentences) do
          d.sstart[#d.toks + 1] = true
          for _, t in ipairs(s.tokens) do
            d.toks[#d.toks + 1] = t.word
            d.sent_of[#d.toks] = si
          end
          d.send[#d.toks] = true
          d.sent_last[si] = #d.toks
        end
        assert.equal(info.tokens, #d.toks, "the parse gives the tokens the corpus has")
        docs[#docs + 1] = {d = d, cpos = info.cpos}
      end
      local nMain = corpusNo == 3 and 400 or 700
      for qNo = 1, nMain + 200 do
        local q = qNo > nMain + 100 and gen_open_query() or qNo > nMain and gen_gap_query() or gen_query()
        local want = {}
        for _, x in ipairs(docs) do
          for _, m in ipairs(naive(q, x.d, x.cpos)) do want[#want + 1] = m end
        end
        local ok, m = pcall(c.query, c, q.text)
        local got = {}
        if ok then for i = 1, #m do local x = m[i]; got[i] = {x.first, x.last} end end
        nQueries = nQueries + 1
        nMatches = nMatches + #want
        if not ok then
          -- a query matching no token is refused, as CQP refuses it
          if not tostring(m):find("matches no token", 1, true) then bad[#bad + 1] = q.text .. ": " .. tostring(m) end
        elseif #got ~= #want then
          bad[#bad + 1] = string.format("%s: %d matches, naive %d", q.text, #got, #want)
        else
          for i = 1, #got do
            if got[i][1] ~= want[i][1] or got[i][2] ~= want[i][2] then
              bad[#bad + 1] = string.format("%s: match %d is %d-%d, naive %d-%d", q.text, i, got[i][1],
                                            got[i][2], want[i][1], want[i][2])
              break
            end
          end
        end
      end
    end
    assert.equal(2400, nQueries)
    assert.is_true(nMatches > 5000, nMatches)
    assert.same({}, {table.unpack(bad, 1, math.min(#bad, 10))})
  end)
end)
