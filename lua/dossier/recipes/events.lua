-- Recipe `events`: cooperation and confrontation about technology, one event per
-- sentence that names an actor and an action, and a second actor or a technology or
-- programme. Actions are CQL patterns (corpus/lexicon/events.tsv, and the user's own
-- files), run by the query engine; actors, objects, money and dates are the
-- recognizers' spans in the same sentence.
--
--   corpus:events{where = ..., lexicon = {files}, actions = {"agree", "invest"}}
--
-- For each sentence holding a match of an action's pattern (the earliest match decides
-- the action):
--   actors   entities of type PERSON, ORG or GPE in the sentence, distinct by id: actor1
--            the last one before the action's match (else the first after it), actor2
--            the first other one after the match (else the other nearest before)
--   object   the first TECH or POLICY entity of the sentence (EVENT for a meeting)
--   money    the first amount of the sentence (`442000000 USD`)
--   date     the first date of the sentence (date_source `sentence`), else the
--            document's date (`document`), else none
--   certainty `planned` when the sentence speaks of the future or of intent (will, would,
--            plan, intend, expect, aim, could, may, might, propose, prospective,
--            potential), `reported` when it reports without vouching (reportedly,
--            allegedly, according to, is said to), else `done`
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
local PLANNED = {"will", "would", "shall", "plan", "plans", "planned", "planning", "intend", "intends", "intended",
                 "expect", "expects", "expected", "aim", "aims", "could", "may", "might", "propose", "proposes",
                 "proposed", "prospective", "potential", "upcoming", "future", "envisage", "envisages"}
local REPORTED = {"reportedly", "allegedly", "according to", "is said to", "are said to", "rumoured", "rumored"}

local function has_word(lower, w)
  return lower:find("%f[%w]" .. w:gsub("%p", "%%%0") .. "%f[^%w]") ~= nil
end

local function certainty(text)
  local lower = text:lower()
  for _, w in ipairs(REPORTED) do if has_word(lower, w) then return "reported" end end
  for _, w in ipairs(PLANNED) do if has_word(lower, w) then return "planned" end end
  return "done"
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

-- The events of one document k (triggers: {t, action, rank} by token).
local function doc_events(h, k, d, triggers, out)
  local sents = h:spans(k, "s")
  local ents, dates, money = h:spans(k, "ent"), h:spans(k, "date"), h:spans(k, "money")
  local text = h:text(k)
  local first = {}                                 -- sentence -> its earliest trigger
  for _, tr in ipairs(triggers) do
    local si = holding(sents, tr.t)
    if si then
      local f = first[si]
      if not f or tr.t < f.t or (tr.t == f.t and tr.rank < f.rank) then first[si] = tr end
    end
  end
  local order = {}
  for si in pairs(first) do order[#order + 1] = si end
  table.sort(order)
  for _, si in ipairs(order) do
    local s, tr = sents[si], first[si]
    local actors, seen, object = {}, {}, nil
    for _, e in ipairs(ents) do
      if e.first >= s.first and e.first <= s.last then
        local v = e.values
        if ACTOR[v.type] and not seen[v.id] then
          seen[v.id] = true
          actors[#actors + 1] = {t = e.first, v = v}
        elseif not object and (v.type == "TECH" or v.type == "POLICY" or (tr.action == "meet" and v.type == "EVENT")) then
          object = v.name
        end
      end
    end
    local a1, a2
    for i, a in ipairs(actors) do if a.t < tr.t then a1 = i end end
    if not a1 and #actors > 0 then a1 = 1 end
    if a1 then
      for i, a in ipairs(actors) do if i ~= a1 and a.t > tr.t and not a2 then a2 = i end end
      if not a2 then for i = #actors, 1, -1 do if i ~= a1 and actors[i].t < tr.t and not a2 then a2 = i end end end
      if not a2 then for i, _ in ipairs(actors) do if i ~= a1 and not a2 then a2 = i end end end
    end
    if a1 and (a2 or object) then
      local date, source = "", "none"
      for _, dt in ipairs(dates) do
        if dt.first >= s.first and dt.first <= s.last and dt.values.value ~= "" then
          date, source = dt.values.value, "sentence"
          break
        end
      end
      if date == "" and d.meta.date then date, source = tostring(d.meta.date), "document" end
      local amount = ""
      for _, m in ipairs(money) do
        if m.first >= s.first and m.first <= s.last and m.values.amount ~= "" then
          amount = m.values.amount .. " " .. m.values.currency
          break
        end
      end
      local sentence = text:sub(s.from, s.to):gsub("%s+", " ")
      local x, y = actors[a1].v, a2 and actors[a2].v
      out[#out + 1] = {doc = d.name, sentence = sentence, date = date, date_source = source,
                       actor1 = x.name, actor1_country = x.country, actor2 = y and y.name or "",
                       actor2_country = y and y.country or "", action = tr.action, object = object or "",
                       money = amount, certainty = certainty(sentence), position = si, from = s.from, to = s.to}
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
    for rank, act in ipairs(actions) do
      if not only or only[act.name] then
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
