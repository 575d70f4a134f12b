-- Recipe `events`: cooperation and confrontation about technology, one event per
-- sentence that names an actor and an action, and a second actor or a technology or
-- programme. Actions are CQL patterns (corpus/lexicon/events.tsv, and the user's own
-- files), run by the query engine; actors, objects, money and dates are the
-- recognizers' spans in the same sentence.
--
--   corpus:events{where = ..., lexicon = {files}, actions = {"agree", "invest"}}
--
-- For each sentence holding a match of an action's pattern (the sentence is read again by
-- the tagger to see the words around the actors):
--   action   the first match that is a verb, else the first other match (the order of
--            the lexicon breaks ties); no event when an action verb is negated (not,
--            n't, never, no just before it)
--   actors   entities of type PERSON, ORG or GPE in the sentence, and the organs of a
--            state (`the Chinese government`, `Russian authorities`, `US officials`:
--            corpus/lexicon/states.tsv), distinct by id. actor1 is the subject: the
--            nearest actor before the action that is not the object of a preposition
--            (`in Moscow`, `of Huawei`) or of a verb (`ban telecom companies Huawei`), not
--            a possessor (`Alibaba's headquarters`) and not inside a parenthesis; two
--            actors joined by `and`, `,` or `&` there are actor1 and actor2. In the
--            passive (`was banned by the FCC`, `launched by President Putin`) the agent
--            after `by` is actor1 and the subject actor2. When the subject is no entity
--            (`the regime`, `it`), the nearest actor before the action stands for it, else
--            the first after it. actor2 is the first actor after the action that is not
--            its scene (a GPE or LOC after in, at, from, across, near), else another
--            actor before it
--   object   the first TECH or POLICY entity after the action, else before it (EVENT
--            for a meeting)
--   money    the first amount of the sentence (`442000000 USD`)
--   date     the first date of the sentence (date_source `sentence`), else the
--            document's date (`document`), else none
--   certainty `reported` when the sentence reports without vouching (reportedly,
--            allegedly, according to, is said to), `planned` when a modal or a word of
--            intent comes shortly before the action (will, would, could, may, might,
--            plan, intend, expect, aim, seek, hope, proposed, potential, prospective,
--            upcoming, future), else `done`
-- An event needs an actor and either a second actor or an object.
-- TSV columns: doc sentence date date_source actor1 actor1_country actor2
-- actor2_country action object money certainty (sentence: its text); the rows of
-- corpus:events also hold the sentence's number in its document (position) and its
-- byte range (from, to).
local common = require "dossier.recipes.common"

local M = {}

-- The actions of lexicon files: list of {name, patterns = {cql, ...}} in order of first use.
function M.load(paths)
  local list, by = {}, {}
  for _, path in ipairs(paths) do
    local f, err = io.open(path, "rb")
    if not f then error("events: " .. err, 0) end
    local n = 0
    for line in f:lines() do
      n = n + 1
      line = line:gsub("\r$", "")
      if line ~= "" and not line:match("^#") then
        local action, pattern = line:match("^([^\t]*)\t([^\t]+)$")
        if not action or not action:match("^[a-z0-9][a-z0-9-]*$") or not pattern:match("%S") then
          f:close()
          error(string.format("%s:%d: expected an action (lower case letters, digits, '-'), a TAB and a CQL pattern",
                              path, n), 0)
        end
        if not by[action] then
          by[action] = {name = action, patterns = {}}
          list[#list + 1] = by[action]
        end
        table.insert(by[action].patterns, {cql = pattern, where = path .. ":" .. n})
      end
    end
    f:close()
  end
  return list
end

local ACTOR = {PERSON = true, ORG = true, GPE = true}
-- Words that make an event planned when they come shortly before its action word.
local PLANNED = {will = true, would = true, shall = true, plan = true, plans = true, planned = true, planning = true,
                 intend = true, intends = true, intended = true, expect = true, expects = true, expected = true,
                 aim = true, aims = true, could = true, may = true, might = true, propose = true, proposes = true,
                 proposed = true, prospective = true, potential = true, upcoming = true, future = true,
                 envisage = true, envisages = true, seek = true, seeks = true, hope = true, hopes = true}
local REPORTED = {"reportedly", "allegedly", "according to", "is said to", "are said to", "rumoured", "rumored"}
-- Prepositions that make a place the scene of an action rather than a party to it.
local SCENE = {["in"] = true, at = true, from = true, across = true, throughout = true, near = true, outside = true}

local function has_word(lower, w)
  return lower:find("%f[%w]" .. w:gsub("%p", "%%%0") .. "%f[^%w]") ~= nil
end

-- done, planned (a modal or a word of intent shortly before the action word) or reported.
local function certainty(text, toks, ti)
  local lower = text:lower()
  for _, w in ipairs(REPORTED) do if has_word(lower, w) then return "reported" end end
  for i = math.max(1, ti - 6), ti - 1 do
    if PLANNED[toks[i].word:lower()] then return "planned" end
  end
  return "done"
end

-- The index of the first span of list (sorted by first token) that starts at t or later.
local function starting_from(list, t)
  local lo, hi = 1, #list + 1
  while lo < hi do
    local mid = (lo + hi) // 2
    if list[mid].first < t then lo = mid + 1 else hi = mid end
  end
  return lo
end

local function holding(list, t)
  local lo, hi = 1, #list
  while lo <= hi do
    local mid = (lo + hi) // 2
    if t < list[mid].first then hi = mid - 1
    elseif t > list[mid].last then lo = mid + 1
    else return mid end
  end
end

-- The tokens of sentence s (its text sentenceText) as the tagger reads them (word, pos,
-- xpos, lemma), or nil when they do not line up one for one with the stored tokens.
local function sentence_tokens(sentenceText, s)
  local d = require("dossier").parse(sentenceText, {clean = false, recognize = false})
  local toks = {}
  for _, x in ipairs(d.sentences) do
    for _, t in ipairs(x.tokens) do toks[#toks + 1] = t end
  end
  if #toks ~= s.last - s.first + 1 then return nil end
  return toks
end

local function negated(toks, ti)
  for i = math.max(1, ti - 3), ti - 1 do
    local w = toks[i].word:lower()
    if toks[i].lemma == "not" or w == "never" or w == "no" then return true end
  end
  return false
end

-- The word before actor a, a determiner skipped (`by the Kremlin`).
local function word_before(toks, a)
  local i = a.i - 1
  if toks[i] and toks[i].pos == "DET" then i = i - 1 end
  return toks[i] and toks[i].word:lower() or "", toks[i] and toks[i].pos
end

-- Words of a noun phrase, and what joins two (`telecom companies Huawei and ZTE`).
local NP = {DET = true, ADJ = true, NOUN = true, PROPN = true, NUM = true, CCONJ = true}

-- Can actor a be the subject of a clause: not the object of a preposition (`in Moscow`,
-- `of Huawei`) or of a verb (`ban telecom companies Huawei and ZTE`), not a possessor
-- (`Alibaba's headquarters`), not inside a parenthesis.
local function subject_like(toks, a)
  local i = a.i - 1
  while toks[i] and NP[toks[i].pos] do i = i - 1 end
  if toks[i] and (toks[i].pos == "ADP" or toks[i].pos == "VERB") then return false end
  local nxt = toks[a.j + 1]
  if nxt and nxt.xpos == "POS" then return false end
  return a.depth == 0
end

-- Actors a and b joined as one subject (`Huawei and Rostelecom`, `China, Russia`).
local function joined(toks, a, b)
  if b.i <= a.j + 1 then return false end
  for i = a.j + 1, b.i - 1 do
    local w = toks[i].word
    if w ~= "and" and w ~= "," and w ~= "&" then return false end
  end
  return true
end

-- A place where the action happens (`in Moscow`, `at the summit in Beijing`).
local function scene(toks, a)
  if a.v.type ~= "GPE" and a.v.type ~= "LOC" then return false end
  return SCENE[(word_before(toks, a))] == true
end

-- actor1 and actor2 (indices into actors) of the action at token ti. The subject is the
-- nearest actor before the action that can be a subject; actors joined right before it
-- are the two parties. In the passive (`was banned by the FCC`) the agent after `by` is
-- actor1 and the subject actor2. A verb whose subject is no entity (`the town of Wuzhen
-- will host`) takes the nearest actor before it; a noun (`an agreement between China and
-- Russia`) the first actor after it. actor2 is the first actor after the action that is
-- not its scene, else another actor before it.
local function pick_actors(toks, actors, ti)
  local subj
  for k, a in ipairs(actors) do
    if a.j < ti and subject_like(toks, a) then subj = k end
  end
  if subj then
    local first = subj
    while first > 1 and joined(toks, actors[first - 1], actors[first]) do first = first - 1 end
    if first < subj then return first, first + 1 end
  end
  local t = toks[ti]
  if t.xpos == "VBN" then                         -- passive: the agent after by
    local be = false                              -- a form of be before, or by right after
    for i = math.max(1, ti - 3), ti - 1 do if toks[i].lemma == "be" then be = true end end
    for k, a in ipairs(actors) do
      if a.i > ti and word_before(toks, a) == "by" and (be or a.i <= ti + 4) then return k, subj end
    end
  end
  local function after(skipScenes)
    for k, a in ipairs(actors) do
      if k ~= subj and a.i > ti and not (skipScenes and scene(toks, a)) then return k end
    end
  end
  if not subj then
    if t.pos == "VERB" then                        -- a subject the recognizers do not name
      for k, a in ipairs(actors) do                -- (`the regime`, `it`): the nearest actor
        if a.j < ti and a.depth == 0 and not scene(toks, a) then subj = k end   -- before
      end
    end
    subj = subj or after(true) or after(false)
    if not subj then return nil end
  end
  local other = after(true)
  if not other then
    for k = #actors, 1, -1 do
      if k ~= subj and actors[k].j < ti and not scene(toks, actors[k]) then return subj, k end
    end
  end
  return subj, other
end

-- The action words of a sentence in the order they are tried: verbs first, then the
-- others (`agreement`, `summit`), each in sentence order; none when an action verb is
-- negated (`did not sign the agreement`).
local function triggers_in(toks, trs, s)
  local list = {}
  for _, tr in ipairs(trs) do
    local ti = tr.t - s.first + 1
    local verb = toks[ti].pos == "VERB"
    if verb and negated(toks, ti) then return {} end
    list[#list + 1] = {tr = tr, ti = ti, verb = verb}
  end
  table.sort(list, function(a, b)
    if a.verb ~= b.verb then return a.verb end
    if a.ti ~= b.ti then return a.ti < b.ti end
    return a.tr.rank < b.tr.rank
  end)
  return list
end

-- The adjectives of states (corpus/lexicon/states.tsv): {word = {id, name, country}}.
local states
local function load_states()
  if states then return states end
  states = {}
  local path = assert(require("dossier.data").dir()) .. "/lexicon/states.tsv"
  local f = assert(io.open(path, "rb"))
  local n = 0
  for line in f:lines() do
    n = n + 1
    line = line:gsub("\r$", "")
    if line ~= "" and not line:match("^#") then
      local adj, id, name, cc = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(%u%u)$")
      if not adj then f:close(); error(string.format("%s:%d: expected adjective, id, name, country", path, n), 0) end
      states[adj] = {type = "GPE", id = id, name = name, country = cc}
    end
  end
  f:close()
  return states
end

-- Who speaks or acts for a state (`the Chinese government`, `Russian authorities`).
local ORGANS = {government = true, authorities = true, authority = true, officials = true, official = true,
                regime = true, administration = true, leadership = true, state = true, leaders = true,
                leader = true, president = true, premier = true, parliament = true, military = true,
                side = true, ministry = true, regulators = true, regulator = true, censors = true}

-- The actors a sentence names as a state's organs: {i, j, v} for `Chinese officials`
-- (the adjective, up to two modifiers, the organ), where no entity stands already.
local function organs(toks, actors)
  local st, out = load_states(), {}
  local taken = {}
  for _, a in ipairs(actors) do for i = a.i, a.j do taken[i] = true end end
  for i, t in ipairs(toks) do
    local v = st[t.word]
    local two = toks[i + 1] and st[t.word .. " " .. toks[i + 1].word]
    local first = i
    if two then v, i = two, i + 1 end
    if v and not taken[first] then
      for k = i + 1, math.min(i + 3, #toks) do
        if ORGANS[toks[k].word:lower()] then
          out[#out + 1] = {i = first, j = k, v = v}
          break
        end
        if toks[k].pos ~= "ADJ" and toks[k].pos ~= "NOUN" then break end
      end
    end
  end
  return out
end

-- The events of one document k (triggers: {t, action, rank} by token).
local function doc_events(h, k, d, triggers, out)
  local ents = h:spans(k, "ent", false)
  if #ents == 0 then return end                    -- no actor: no event
  local sents = h:spans(k, "s")
  local dates, money = h:spans(k, "date", false), h:spans(k, "money", false)
  local text = h:text(k)
  local bySent = {}                                -- sentence -> its triggers
  for _, tr in ipairs(triggers) do
    local si = holding(sents, tr.t)
    if si then
      bySent[si] = bySent[si] or {}
      table.insert(bySent[si], tr)
    end
  end
  local order = {}
  for si in pairs(bySent) do order[#order + 1] = si end
  table.sort(order)
  for _, si in ipairs(order) do
    local s = sents[si]
    -- the sentence's actors and objects first: only a sentence that can hold an event
    -- (an actor, and a second one or an object) is read again by the tagger
    local actors, seen, objects = {}, {}, {}
    for x = starting_from(ents, s.first), #ents do
      local e = ents[x]
      if e.first > s.last then break end
      do
        local v = e.values
        local i, j = e.first - s.first + 1, math.min(e.last, s.last) - s.first + 1
        if ACTOR[v.type] and not seen[v.id] then
          seen[v.id] = true
          actors[#actors + 1] = {i = i, j = j, v = v}
        elseif v.type == "TECH" or v.type == "POLICY" or v.type == "EVENT" then
          objects[#objects + 1] = {i = i, name = v.name, event = v.type == "EVENT"}
        end
      end
    end
    local sentenceText = text:sub(s.from, s.to)
    local maybeOrgan = false                      -- a word like government or officials in it
    if #objects + #actors > 0 then
      for w in sentenceText:gmatch("%a+") do
        if ORGANS[w:lower()] then maybeOrgan = true break end
      end
    end
    local toks = (#actors > 1 or (#actors == 1 and #objects > 0) or maybeOrgan) and sentence_tokens(sentenceText, s)
    if toks then
      -- the state organs named (`Russian authorities`), in order with the entities
      for _, a in ipairs(organs(toks, actors)) do
        if not seen[a.v.id] then
          seen[a.v.id] = true
          actors[#actors + 1] = a
        end
      end
      table.sort(actors, function(x, y) return x.i < y.i end)
      -- parenthesis depth of each actor, for those inside one
      local depth, level = {}, 0
      for i, t in ipairs(toks) do
        if t.word == "(" then level = level + 1 end
        depth[i] = level
        if t.word == ")" and level > 0 then level = level - 1 end
      end
      for _, a in ipairs(actors) do a.depth = depth[a.i] end
    end
    -- the first action word that has its actors makes the event
    local main, a1, a2, object
    for _, cand in ipairs(toks and triggers_in(toks, bySent[si], s) or {}) do
      local ti = cand.ti
      -- the object: the first technology or programme after the action, else before it (an
      -- EVENT for a meeting only)
      object = nil
      local firstAny
      for _, o in ipairs(objects) do
        if not o.event or cand.tr.action == "meet" then
          firstAny = firstAny or o.name
          if not object and o.i > ti then object = o.name end
        end
      end
      object = object or firstAny
      a1, a2 = pick_actors(toks, actors, ti)
      if a1 and (a2 or object) then
        main = cand
        break
      end
    end
    if main then
      local ti = main.ti
      local date, source = "", "none"
      for x = starting_from(dates, s.first), #dates do
        local dt = dates[x]
        if dt.first > s.last then break end
        if dt.values.value ~= "" then
          date, source = dt.values.value, "sentence"
          break
        end
      end
      if date == "" and d.meta.date then date, source = tostring(d.meta.date), "document" end
      local amount = ""
      for x = starting_from(money, s.first), #money do
        local m = money[x]
        if m.first > s.last then break end
        if m.values.amount ~= "" then
          amount = m.values.amount .. " " .. m.values.currency
          break
        end
      end
      local sentence = sentenceText:gsub("%s+", " ")
      local x, y = actors[a1].v, a2 and actors[a2].v
      out[#out + 1] = {doc = d.name, sentence = sentence, date = date, date_source = source,
                       actor1 = x.name, actor1_country = x.country, actor2 = y and y.name or "",
                       actor2_country = y and y.country or "", action = main.tr.action, object = object or "",
                       money = amount, certainty = certainty(sentence, toks, ti), position = si, from = s.from,
                       to = s.to}
    end
  end
end

M.COLUMNS = {"doc", "sentence", "date", "date_source", "actor1", "actor1_country", "actor2", "actor2_country",
             "action", "object", "money", "certainty"}

function M.run(corpora, opts)
  opts = opts or {}
  corpora = common.corpora(corpora)
  local files = {assert(require("dossier.data").dir()) .. "/lexicon/events.tsv"}
  for _, p in ipairs(type(opts.lexicon) == "string" and {opts.lexicon} or opts.lexicon or {}) do files[#files + 1] = p end
  local actions = M.load(files)
  local only
  if opts.actions then
    only = {}
    for _, a in ipairs(opts.actions) do only[a] = true end
  end
  local rows = {}
  for _, c in ipairs(corpora) do
    local h = common.handle(c)
    local set, docs = common.docset(h, opts.where)
    local byDoc = {}
    local hasActors = (h:info().spans.ent or 0) > 0       -- no entities: no actors, no events
    for rank, act in ipairs(actions) do
      if hasActors and (not only or only[act.name]) then
        for _, p in ipairs(act.patterns) do
          local ok, ms = pcall(h.query, h, p.cql)
          if not ok then error(p.where .. ": " .. tostring(ms), 0) end
          for i = 1, #ms do
            local pos = ms:get(i)
            local k = h:doc_at(pos)
            if k and (not set or set:byte(k) == 1) then
              byDoc[k] = byDoc[k] or {}
              table.insert(byDoc[k], {t = pos - docs[k].cpos + 1, action = act.name, rank = rank})
            end
          end
        end
      end
    end
    local ks = {}
    for k in pairs(byDoc) do ks[#ks + 1] = k end
    table.sort(ks)
    for _, k in ipairs(ks) do doc_events(h, k, docs[k], byDoc[k], rows) end
  end
  local r = common.result("events", M.COLUMNS, rows,
    {string.format("%d events%s", #rows, opts.where and (" where " .. opts.where) or "")})
  return r:limit(opts.limit)
end

M.command = common.command("events", "Cooperation and confrontation events: actors, action, object, date, money.",
  function(c)
    c:option("--action", "Only this action (repeatable): agree, establish, invest, research, supply, restrict, "
             .. "advocate, meet."):count("*"):args(1)
    c:option("--lexicon", "A file of actions and CQL patterns of your own (repeatable; the columns of "
             .. "corpus/lexicon/events.tsv)."):count("*"):args(1)
  end,
  function(list, a)
    return M.run(list, {actions = #a.action > 0 and a.action or nil, lexicon = a.lexicon, where = a.where})
  end)

return M
