-- The recognizers end to end: `dossier extract`, the spans stored and queried with CQL,
-- CoNLL-U, and the recipes built on them (network, timeline, citations, events), on
-- texts written for it. Every expected value is read off the texts below (the entities'
-- ids are the bundled lexicon's, corpus/lexicon/entities.tsv).
local H = require "helpers"
local dossier = require "dossier"
local cjson = require "cjson"

local T1 = "Huawei and Rostelecom signed an agreement on 5G in Moscow on 3 June 2021. "
        .. "The deal is worth $442 million, reports said (Smith & Jones, 2019). "
        .. 'Vladimir Putin said: "Russia and China will build the future of technology together."'
--  bytes: Huawei 0-6, Rostelecom 11-21, 5G 45-47, Moscow 51-57, 3 June 2021 61-72,
--  $442 million 92-104, (Smith & Jones, 2019) 119-140, Vladimir Putin 142-156
local T2 = "In 2019 Yandex opened an office in Beijing. Sberbank invested 31.5 billion roubles in artificial intelligence "
        .. "between 2019 and 2021 (Petrov 2020; Ivanova 2021). Contact: info@example.org or https://example.org/ai."

local function row(rows, kind, text)
  for _, r in ipairs(rows) do
    if r.kind == kind and r.text == text then return r end
  end
end

describe("recognizers", function()
  local dir, f1, f2, db, c
  setup(function()
    dir = H.tmpdir("-rec")
    f1, f2 = dir .. "/t1.txt", dir .. "/t2.txt"
    H.write(f1, T1)
    H.write(f2, T2)
    db = H.tmp(".db")
    c = dossier.open(db)
    c:add_text(T1, "t1", {date = "2021-06-10", kind = "news"})
    c:add_text(T2, "t2", {date = "2021-12-01", kind = "report"})
  end)
  teardown(function() c:close(); H.cleanup(); H.cleanup_dirs() end)

  it("lists what a file names as TSV: doc start end text type value", function()
    local code, out, err = H.cli({"extract", f1})
    assert.equal(0, code, err)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.equal("doc\tstart\tend\ttext\ttype\tvalue", lines[1])
    local want = {
      f1 .. "\t0\t6\tHuawei\tORG\tHuawei",
      f1 .. "\t11\t21\tRostelecom\tORG\tRostelecom",
      f1 .. "\t45\t47\t5G\tTECH\t5G",
      f1 .. "\t51\t57\tMoscow\tGPE\tMoscow",
      f1 .. "\t61\t72\t3 June 2021\tdate\t2021-06-03",
      f1 .. "\t92\t104\t$442 million\tmoney\t442000000 USD",
      f1 .. "\t119\t140\t(Smith & Jones, 2019)\tcite\tSmith; Jones | 2019 | ",
      f1 .. "\t142\t156\tVladimir Putin\tPERSON\tVladimir Putin",
    }
    for _, w in ipairs(want) do assert.truthy(out:find(w .. "\n", 1, true), w .. "\n---\n" .. out) end
    -- the quotation's speaker is the entity that says it
    assert.truthy(out:find('\tquote\tVladimir Putin\n', 1, true), out)
    -- the citation's authors are no people of the text
    assert.falsy(out:find("\tSmith\tPERSON", 1, true))
  end)

  it("finds dates, money, citations, URLs and e-mail addresses by kind, as JSON too", function()
    local code, out = H.cli({"extract", "--kind", "dates", "--kind", "money", "--kind", "citations",
                             "--kind", "urls", "--format", "json", f2})
    assert.equal(0, code)
    local rows = cjson.decode(out)
    local values = {}
    for _, r in ipairs(rows) do values[#values + 1] = r.type .. "=" .. r.value end
    table.sort(values)
    assert.same({"cite=Ivanova | 2021 | ", "cite=Petrov | 2020 | ", "date=2019", "date=2019/2021",
                 "money=31500000000 RUB", "url=https://example.org/ai", "url=info@example.org"}, values)
    code, _, err = H.cli({"extract", "--kind", "planets", f2})
    assert.equal(1, code)
    assert.truthy(err:find("unknown kind 'planets'", 1, true), err)
  end)

  it("stores the spans with their values: CQL, info, corpus:extract", function()
    assert.equal(1, c:count('<ent type="PERSON"/>'))                      -- Vladimir Putin
    -- RU: Rostelecom, Moscow, Vladimir Putin, Russia (t1), Yandex, Sberbank (t2)
    assert.equal(6, #c:query('<ent country="RU"> []'))
    assert.equal(1, #c:query('<ent name="Moscow"/>'))
    assert.equal(3, #c:query('<ent country="CN"/>'))                      -- Huawei, China, Beijing
    -- 3 June 2021 (t1); 2019, and 2019 and 2021 (t2, `between` left out): 3 + 1 + 3 tokens
    assert.equal(7, #c:query('[] within date'))
    assert.equal(1, #c:query('<money currency="RUB"/>'))
    assert.equal(1, #c:query('<date value>="2021" precision="day"/>'))
    local info = c:info()
    assert.equal(2, info.spans.money)
    assert.equal(3, info.spans.cite)
    local rows = c:extract{kinds = {"money"}}
    assert.same({"t1", "442000000 USD"}, {rows[1].doc, rows[1].value})
    assert.same({"t2", "31500000000 RUB"}, {rows[2].doc, rows[2].value})
    -- the stored corpus gives what the files give
    local code, out = H.cli({"extract", "--db", db, "--kind", "money"})
    assert.equal(0, code)
    assert.truthy(out:find("t1\t92\t104\t$442 million\tmoney\t442000000 USD\n", 1, true), out)
  end)

  it("marks entities in CoNLL-U, and a user's lexicon overrides the bundled one", function()
    local code, out = H.cli({"tag", f1})
    assert.equal(0, code)
    assert.truthy(out:find("\tRostelecom\tRostelecom\tPROPN\tNNP\t_\t_\t_\t_\tEnt=B-ORG|EntId=", 1, true), out)
    assert.truthy(out:find("\tVladimir\tVladimir\tPROPN\tNNP\t_\t_\t_\t_\tEnt=B-PERSON|EntId=Q7747\n", 1, true), out)
    assert.truthy(out:find("\tPutin\tPutin\tPROPN\tNNP\t_\t_\t_\t_\tEnt=I-PERSON\n", 1, true), out)
    local lex = dir .. "/mine.tsv"
    H.write(lex, "ds:rt\tORG\tRostelecom PJSC\tRU\tRostelecom\t\n")
    code, out = H.cli({"extract", "--kind", "entities", "--lexicon", lex, f1})
    assert.equal(0, code)
    assert.truthy(out:find("\t11\t21\tRostelecom\tORG\tRostelecom PJSC\n", 1, true), out)
    H.write(lex, "ds:rt\tCOMPANY\tRostelecom PJSC\tRU\t\t\n")
    code, _, out = H.cli({"extract", "--lexicon", lex, f1})
    assert.equal(1, code)
    assert.truthy(out:find(lex .. ":1:", 1, true), out)
  end)

  it("exports the spans with their values (VRT, CoNLL-U, JSON Lines)", function()
    local code, out = H.cli({"export", "--db", db, "--format", "vrt"})
    assert.equal(0, code)
    assert.truthy(out:find('<money amount="442000000" currency="USD">\n$\t$\t$\tSYM\t$\n442\t442\t442\tNUM\tCD\n'
                           .. 'million\tmillion\tmillion\tNUM\tCD\n</money>\n', 1, true), out)
    assert.truthy(out:find('<date value="2021-06-03" precision="day">\n3\t', 1, true))
    code, out = H.cli({"export", "--db", db, "--format", "conllu"})
    assert.truthy(out:find("\tMoscow\tMoscow\tPROPN\tNNP\t_\t_\t_\t_\tEnt=B-GPE|EntId=", 1, true), out)
    code, out = H.cli({"export", "--db", db, "--format", "jsonl"})
    local first = cjson.decode(out:match("^[^\n]+"))
    assert.same({"Vladimir Putin"}, {first.spans.quote[1][3].speaker})
    assert.equal("Rostelecom", first.tokens.word[first.spans.ent[2][1]])
  end)

  it("counts span values like any attribute (freq --by ent.type)", function()
    -- ORG: Huawei, Rostelecom (t1), Yandex, Sberbank (t2); GPE: Moscow, Russia, China (t1),
    -- Beijing (t2); TECH: 5G (t1), artificial intelligence (t2); PERSON: Vladimir Putin
    local r = c:freq{by = "ent.type"}
    local got = {}
    for i = 1, #r do local row = r.rows[i]; got[row.value] = {row.freq, row.range} end
    assert.same({ORG = {4, 2}, GPE = {4, 2}, TECH = {2, 2}, PERSON = {1, 1}}, got)
    assert.has_error(function() c:freq{by = "ent.colour"} end, "freq: <ent> has no value 'colour'")
  end)

  it("draws the network of who is named with whom", function()
    -- t1's first sentence names Huawei, Rostelecom, 5G and Moscow: 6 pairs
    local r = c:network{within = "s", types = {"ORG", "TECH", "GPE"}}
    local pairs_ = {}
    for _, e in ipairs(r.rows) do pairs_[#pairs_ + 1] = e.source .. "+" .. e.target end
    table.sort(pairs_)
    assert.truthy(#pairs_ >= 6)
    local want = {["Huawei+Rostelecom"] = true, ["5G+Huawei"] = true, ["Moscow+Rostelecom"] = true}
    local got = {}
    for _, e in ipairs(r.rows) do
      local a, b = e.source, e.target
      if a > b then a, b = b, a end
      got[a .. "+" .. b] = e.count
    end
    for k in pairs(want) do assert.equal(1, got[k], k) end
    local gml = require("dossier.recipes.network").graphml(r)
    assert.truthy(gml:find('<graphml xmlns="http://graphml.graphdrawing.org/xmlns">', 1, true))
    assert.truthy(gml:find('<data key="label">Huawei</data>', 1, true))
    local svg = require("dossier.recipes.network").svg(r)
    assert.truthy(svg:find("<svg", 1, true) and svg:find("Rostelecom", 1, true))
  end)

  -- GraphML and GEXF as a standard reader sees them (NetworkX, Debian's python3-networkx)
  local py = H.python_with("networkx")
  local read_back = py and it or pending
  read_back("writes GraphML and GEXF that NetworkX reads" .. (py and "" or " (skipped: no python3 with networkx)"),
    function()
    local one = H.tmp(".db")
    local s <close> = dossier.open(one)
    s:add_text("Huawei and Rostelecom signed an agreement on 5G in Moscow on 3 June 2021.", "t1")
    s:close()
    -- one sentence naming Huawei, Rostelecom, 5G and Moscow: 4 nodes, every pair once
    local script = H.tmp(".py")
    H.write(script, [[
import sys, networkx as nx
for fmt, path in (("graphml", sys.argv[1]), ("gexf", sys.argv[2])):
    g = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    labels = sorted(d["label"] for _, d in g.nodes(data=True))
    print(fmt, g.number_of_nodes(), g.number_of_edges(), "|".join(labels),
          sorted(set(d["count"] for _, _, d in g.edges(data=True))))
]])
    local gml, gexf = H.tmp(".graphml"), H.tmp(".gexf")
    for fmt, path in pairs({graphml = gml, gexf = gexf}) do
      local code, out, err = H.cli({"network", "--db", one, "--within", "s", "--format", fmt})
      assert.equal(0, code, err)
      H.write(path, out)
    end
    local p = io.popen(string.format("%s %s %s %s 2>&1", py, script, gml, gexf))
    local out = p:read("a")
    p:close()
    assert.equal("graphml 4 6 5G|Huawei|Moscow|Rostelecom [1]\ngexf 4 6 5G|Huawei|Moscow|Rostelecom [1]\n", out)
  end)

  it("puts the dates in order, with their entities", function()
    local r = c:timeline{}
    local first = r.rows[1]
    -- `In 2019` (t2) runs from 2019-01-01, before 3 June 2021 (t1)
    assert.same({"2019-01-01", "2019-12-31", "2019", "t2"}, {first.start, first["end"], first.value, first.doc})
    assert.equal("Yandex; Beijing", first.entities)
    local d = row(r.rows, nil, nil)
    for _, x in ipairs(r.rows) do if x.value == "2021-06-03" then d = x end end
    assert.equal("Huawei; Rostelecom; 5G; Moscow", d.entities)
  end)

  it("lists the works cited", function()
    local r = c:citations{by = "work"}
    local works = {}
    for _, x in ipairs(r.rows) do works[#works + 1] = x.work end
    table.sort(works)
    assert.same({"Ivanova (2021)", "Petrov (2020)", "Smith; Jones (2019)"}, works)
    local y = c:citations{by = "year"}
    assert.same({"2019", "2020", "2021"}, {y.rows[1].year, y.rows[2].year, y.rows[3].year})
  end)

  it("finds events of the sample corpus found there by hand", function()
    local s <close> = dossier.open(H.tmp(".db"))
    s:add("corpus/seeds", {warn = function() end})
    local function find(action, actor)
      for _, e in ipairs(s:events{}.rows) do
        if e.action == action and (e.actor1 == actor or e.actor2 == actor) then return e end
      end
    end
    -- 2015-carnegie: Usmanov's DST Global Holding `has invested hundreds of millions of
    -- dollars in Chinese tech companies such as Alibaba`
    local e = find("invest", "Alisher Usmanov")
    assert.truthy(e)
    assert.truthy(e.actor1 == "Alibaba Group" or e.actor2 == "Alibaba Group")
    -- 2019-aspi: `US policy has sought to limit Chinese and Russian engagements ...
    -- including through sanctions and export controls`
    e = find("restrict", "United States")
    assert.truthy(e)
    assert.equal("2019-aspi-sino-russian-high-tech-partnership", e.doc)
  end)

  it("reads a year alone before a verb as a date once the words are tagged", function()
    local function years(opts)
      local d = dossier.parse("The renewal of the treaty in 2021 reflects its weight. In 2019 units were sold.", opts)
      local out = {}
      for _, s in ipairs(d.spans) do if s.kind == "date" then out[#out + 1] = s.values.value end end
      return out
    end
    -- `reflects` is a verb, so 2021 counts nothing; `units` is a noun: 2019 units are things
    assert.same({"2021"}, years())
    assert.same({}, years({tag = false}))
  end)

  it("joins given names the model finds to the surname the lexicon knows", function()
    local d = dossier.parse("Michael R. Pompeo, Secretary of State, spoke in Prague.")
    local ents = {}
    for _, s in ipairs(d.spans) do
      if s.kind == "ent" and s.values.type == "PERSON" then
        ents[#ents + 1] = d.text:sub(s.from, s.to) .. " = " .. s.values.name
      end
    end
    assert.same({"Michael R. Pompeo = Mike Pompeo"}, ents)
  end)

  it("takes the person after a long title as a quotation's speaker", function()
    local d = dossier.parse("“The sweeping export controls are biting harder,” said Minister of Foreign Affairs "
      .. "of the Russian Federation Sergei Lavrov.")
    local speakers = {}
    for _, s in ipairs(d.spans) do if s.kind == "quote" then speakers[#speakers + 1] = s.values.speaker end end
    assert.same({"Sergei Lavrov"}, speakers)
  end)

  it("reads who acts in an event's sentence: passive, possessor, scene, negation, organs", function()
    local e = dossier.open(H.tmp(".db"))
    e:add_text("Huawei was sanctioned by the United States in May 2019. "
      .. "At the summit in Beijing, Rostelecom's partner Huawei signed a deal with Yandex. "
      .. "Russia did not sign the agreement with China. "
      .. "The town of Wuzhen will host the World Internet Conference. "
      .. "US decisions to ban telecom companies Huawei and ZTE hurt them. "
      .. "The Digital Silk Road, launched by Xi Jinping in 2015, links China to its partners. "
      .. "In 2018 the Russian authorities blocked Telegram.", "t3")
    local rows = e:events{}.rows
    e:close()
    assert.equal(6, #rows)
    -- a state's organs act for it (corpus/lexicon/states.tsv)
    assert.same({"Russia", "RU", "Telegram", "restrict", "2018"},
      {rows[6].actor1, rows[6].actor1_country, rows[6].actor2, rows[6].action, rows[6].date})
    -- passive: the agent after `by` acts on the subject
    assert.same({"United States", "Huawei", "restrict", "2019-05", "done"},
      {rows[1].actor1, rows[1].actor2, rows[1].action, rows[1].date, rows[1].certainty})
    -- Beijing is the scene (`in Beijing`), Rostelecom a possessor: Huawei signs with Yandex
    assert.same({"Huawei", "Yandex", "agree"}, {rows[2].actor1, rows[2].actor2, rows[2].action})
    -- `did not sign` is no event; the subject `the town of Wuzhen` is no entity, so the
    -- nearest actor before the verb stands for it
    assert.same({"Wuzhen", "World Internet Conference", "meet", "planned"},
      {rows[3].actor1, rows[3].object, rows[3].action, rows[3].certainty})
    -- Huawei and ZTE are what `ban` acts on, not who bans; `launched by` names the agent
    assert.same({"United States", "Huawei", "restrict"}, {rows[4].actor1, rows[4].actor2, rows[4].action})
    assert.same({"Xi Jinping", "Digital Silk Road", "establish", "2015"},
      {rows[5].actor1, rows[5].object, rows[5].action, rows[5].date})
  end)

  it("finds the events: who did what with whom, on what, when", function()
    local r = c:events{}
    local signed, invested
    for _, e in ipairs(r.rows) do
      if e.action == "agree" then signed = e end
      if e.action == "invest" then invested = e end
    end
    -- `Huawei and Rostelecom signed an agreement on 5G in Moscow on 3 June 2021.`
    assert.same({"Huawei", "CN", "Rostelecom", "RU", "5G", "2021-06-03", "sentence", "done"},
      {signed.actor1, signed.actor1_country, signed.actor2, signed.actor2_country, signed.object, signed.date,
       signed.date_source, signed.certainty})
    -- `Sberbank invested 31.5 billion roubles in artificial intelligence between 2019 and 2021`
    assert.same({"Sberbank", "artificial intelligence", "31500000000 RUB", "2019/2021"},
      {invested.actor1, invested.object, invested.money, invested.date})
  end)
end)
