-- CQL against a naive evaluator written here in Lua over the token stream: small generated
-- corpora, thousands of random queries from a grammar of the language (tokens, regexes,
-- %c, & | !, [], repetition of tokens and groups, alternation, <s> </s>, within s and
-- within N, the four strategies; `[]{n,} X ([]{m,}) within s` apart), the same matches, first and last, in order.
--
-- The naive evaluator knows nothing of dossier's engine: for each start it computes every
-- end a query can reach (sets of positions, by the definitions), takes the shortest (or the
-- longest), then applies CQP's reductions as CWB's ranges.c describes them; traditional
-- takes the shortest of each way a match can begin (each first token or tag), as CQP runs
-- its automaton once per initial pattern (eval.c) and unites the results. Paths carry
-- CQP's strict regions (a </s> written after an <s> closes that <s>'s sentence).
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

-- A path's state, as one number: the position it stands before (1-based), the last token
-- of the strict region it holds open (0: none), and whether it has passed no token or tag
-- yet (pend). Documents are short: positions below 1024.
local function state(p, r, pend) return p + 1024 * r + 1048576 * pend end
local function unstate(x) return x % 1024, (x // 1024) % 1024, x // 1048576 end

-- Strict regions as CQP pairs them (parse_actions.c): a </s> written after an <s> is
-- paired, on whatever path; then every <s> keeps its sentence's last token, no token past
-- it may be read, and a paired </s> holds only there (or when a match begins with it).
-- Nodes are numbered in the order they are written.
local function strict_pairs(body)
  local order, paired, used = {}, {}, false
  local function walk(node)
    if node.kind == "open" or node.kind == "close" then order[#order + 1] = node end
    for _, c in ipairs(node.items or node.alts or {node.child}) do walk(c) end
  end
  walk(body)
  local opened = false
  for _, node in ipairs(order) do
    if node.kind == "open" then opened = true
    elseif opened then paired[node] = true; used = true end
  end
  return paired, used
end

-- The state after leaf node (a token or tag) from state (p, r, pend), or nil. cx: the
-- document d, the region's end lim (exclusive), the leaf a match must begin with (L, or
-- nil: any), the paired closing tags. As CQP, an opening tag is looked at on the token
-- after it, which must be in the region (a closing tag on the token before it).
local function leaf_step(node, p, r, pend, cx)
  if pend == 1 and cx.L and node ~= cx.L then return nil end
  local d = cx.d
  local at = node.kind == "close" and p - 1 or p
  if cx.used and r > 0 and at > r then return nil end
  if node.kind == "tok" then
    if p <= #d.toks and node.test(d.toks[p]) then return state(p + 1, r, 0) end
  elseif node.kind == "open" then
    if p < cx.lim and d.sstart[p] then return state(p, cx.used and d.sent_last[d.sent_of[p]] or r, 0) end
  elseif d.send[p - 1] then
    if not cx.paired[node] then return state(p, r, 0) end
    if pend == 1 or r == p - 1 then return state(p, 0, 0) end
  end
  return nil
end

-- Every state node reaches from state x (a set: {[state] = true}).
local function ends(node, x, cx)
  local memo = cx.memo
  memo[node] = memo[node] or {}
  if memo[node][x] then return memo[node][x] end
  local out = {}
  if node.kind == "tok" or node.kind == "open" or node.kind == "close" then
    local p, r, pend = unstate(x)
    local y = leaf_step(node, p, r, pend, cx)
    if y then out[y] = true end
  elseif node.kind == "seq" then
    local cur = {[x] = true}
    for _, it in ipairs(node.items) do
      local nxt = {}
      for y in pairs(cur) do for z in pairs(ends(it, y, cx)) do nxt[z] = true end end
      cur = nxt
    end
    out = cur
  elseif node.kind == "alt" then
    for _, a in ipairs(node.alts) do for y in pairs(ends(a, x, cx)) do out[y] = true end end
  elseif node.kind == "rep" then
    local cur, seen = {[x] = true}, {}
    local k = 0
    if node.lo == 0 then out[x] = true end
    while next(cur) and k < node.hi do
      k = k + 1
      local nxt = {}
      for y in pairs(cur) do
        for z in pairs(ends(node.child, y, cx)) do
          if k >= node.lo then out[z] = true end
          local sk = z * 8 + math.min(k, node.lo)
          if not seen[sk] then
            seen[sk] = true
            nxt[z] = true
          end
        end
      end
      cur = nxt
      if k > #cx.d.toks + 2 and node.hi == math.huge and k > node.lo then break end
    end
  end
  memo[node][x] = out
  return out
end

-- The tokens and tags of node (each node once).
local function leaves(node, out)
  out = out or {}
  if node.kind == "tok" or node.kind == "open" or node.kind == "close" then out[#out + 1] = node end
  for _, c in ipairs(node.items or node.alts or {node.child}) do leaves(c, out) end
  return out
end

-- The matches of q in document d (cpos its first corpus position): {{first, last}, ...}.
-- From each start the shortest end (the longest with longest); traditional takes the
-- shortest of each way a match can begin (each first token or tag), as CQP runs its
-- automaton once per initial pattern (eval.c) and unites the results.
local function naive(q, d, cpos)
  local paired, used = strict_pairs(q.body)
  local firsts = q.strategy == "traditional" and leaves(q.body) or {false}
  local bOpen = false                         -- the region's end matters to opening tags only
  for _, x in ipairs(leaves(q.body)) do bOpen = bOpen or x.kind == "open" end
  local cxs, per = {}, {}
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
      local bests = {}
      local key = bOpen and lim or 0
      for f, L in ipairs(firsts) do             -- memos per first leaf (and region end)
        cxs[f] = cxs[f] or {}
        cxs[f][key] = cxs[f][key] or {d = d, lim = lim, L = L or nil, paired = paired, used = used, memo = {}}
        local best
        for y in pairs(ends(q.body, state(i, 0, 1), cxs[f][key])) do
          local e = unstate(y)
          if e > i and e <= lim then
            if not best or (q.strategy == "longest" and e > best) or (q.strategy ~= "longest" and e < best) then best = e end
          end
        end
        if best then bests[best] = true end
      end
      local sorted = {}
      for e in pairs(bests) do sorted[#sorted + 1] = e end
      table.sort(sorted)
      for _, e in ipairs(sorted) do per[#per + 1] = {i, e - 1} end
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
