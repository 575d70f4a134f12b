-- The report: one self-contained HTML file (inline CSS and SVG; no script, no network)
-- answering who cooperates with whom, on what, since when, and how the sources frame it:
-- an overview of the corpus, the top entities by type, the events with their timeline,
-- the actor-technology network, the themes by document and by year, the keywords of
-- each kind of source, concordances of the top terms, and each document's clean text
-- with its entities marked. Built from the recipes (lua/dossier/recipes/).
--
--   local report = require "dossier.report"
--   local summary = report.write(corpus, "report.html", {progress = function(step, n, what) end})
local common = require "dossier.recipes.common"
local format = require "dossier.format"

local M = {}

local esc = format.markup

-- Documents whose clean text the report holds: at most this many tokens in all.
M.TEXT_BUDGET = 400000

local CSS = [[
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; background: #fff;
       margin: 0 auto; max-width: 72rem; padding: 0 1rem 3rem; }
h1 { font-size: 1.8rem; margin: 1.5rem 0 .25rem; }
h2 { font-size: 1.4rem; margin: 2.5rem 0 .75rem; border-bottom: 2px solid #0b5394; padding-bottom: .25rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
p.lead { color: #444; margin-top: 0; }
nav ol { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; padding: 0; list-style: none; }
a { color: #0b5394; }
.wrap { overflow-x: auto; margin: .5rem 0 1rem; }
table { border-collapse: collapse; font-size: .9rem; min-width: 50%; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f1f4f8; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
figure svg { width: 100%; height: auto; border: 1px solid #e3e3e3; }
figcaption { font-size: .85rem; color: #444; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .75rem; }
.card { border: 1px solid #ddd; border-radius: .4rem; padding: .6rem .8rem; }
.card b { display: block; font-size: 1.4rem; }
.kwic td.l { text-align: right; }
.kwic td.m { font-weight: 600; white-space: nowrap; }
.doc p { max-width: 48rem; }
mark { background: none; border-bottom: 2px solid; padding: 0 .05em; }
mark.PERSON { border-color: #0072B2; } mark.ORG { border-color: #D55E00; } mark.GPE { border-color: #009E73; }
mark.LOC { border-color: #56B4E9; } mark.TECH { border-color: #CC79A7; } mark.POLICY { border-color: #E69F00; }
mark.EVENT { border-color: #000; } mark.date { border-color: #888; border-bottom-style: dotted; }
.legend mark { margin-right: .75rem; }
.heat { font-variant-numeric: tabular-nums; text-align: right; }
.note { font-size: .85rem; color: #555; }
@media (max-width: 600px) { body { font-size: 15px; } h1 { font-size: 1.4rem; } th, td { padding: .25rem .4rem; } }
@media print { nav, .noprint { display: none; } h2 { break-after: avoid; } table, figure { break-inside: avoid; }
               a { color: inherit; text-decoration: none; } body { max-width: none; } }
]]

-- An HTML table: columns {{key, title, numeric}}; rows of values; cell(row, key) formats.
local function table_html(columns, rows, opts)
  opts = opts or {}
  local o = {'<div class="wrap"><table' .. (opts.class and (' class="' .. opts.class .. '"') or "") .. '>'}
  if opts.caption then o[#o + 1] = "<caption>" .. esc(opts.caption) .. "</caption>" end
  o[#o + 1] = "<thead><tr>"
  for _, c in ipairs(columns) do
    o[#o + 1] = string.format('<th scope="col"%s>%s</th>', c[3] and ' class="n"' or "", esc(c[2]))
  end
  o[#o + 1] = "</tr></thead><tbody>"
  for _, r in ipairs(rows) do
    o[#o + 1] = "<tr>"
    for _, c in ipairs(columns) do
      local v = r[c[1]]
      local html = opts.raw and opts.raw[c[1]] and (v or "") or esc(math.type(v) == "float" and string.format("%.1f", v) or v)
      o[#o + 1] = string.format("<td%s>%s</td>", c[3] and ' class="n"' or "", html)
    end
    o[#o + 1] = "</tr>"
  end
  o[#o + 1] = "</tbody></table></div>"
  return table.concat(o)
end

local function slug(i) return "doc-" .. i end

-- Entity mentions aggregated by id: {id = {name, type, country, mentions, docs = set}}.
local function entities(h, docs)
  local by = {}
  for k in ipairs(docs) do
    for _, s in ipairs(h:spans(k, "ent", false)) do
      local v = s.values
      local e = by[v.id]
      if not e then
        e = {id = v.id, name = v.name, type = v.type, country = v.country, mentions = 0, docs = {}}
        by[v.id] = e
      end
      e.mentions = e.mentions + 1
      e.docs[k] = true
    end
  end
  local list = {}
  for _, e in pairs(by) do
    local n = 0
    for _ in pairs(e.docs) do n = n + 1 end
    e.ndocs = n
    list[#list + 1] = e
  end
  table.sort(list, function(a, b)
    if a.mentions ~= b.mentions then return a.mentions > b.mentions end
    return a.name < b.name
  end)
  return list
end

-- A document's paragraphs as HTML, entities and dates marked.
local function doc_text(h, k)
  local text = h:text(k)
  local marks = {}
  for _, s in ipairs(h:spans(k, "ent")) do
    marks[#marks + 1] = {from = s.from, to = s.to, class = s.values.type,
                         title = s.values.type .. ": " .. s.values.name .. (s.values.id:match("^Q%d+$") and (" (" .. s.values.id .. ")") or "")}
  end
  for _, s in ipairs(h:spans(k, "date")) do
    marks[#marks + 1] = {from = s.from, to = s.to, class = "date", title = "date: " .. s.values.value}
  end
  table.sort(marks, function(a, b) return a.from < b.from end)
  local o, mi = {}, 1
  for _, p in ipairs(h:spans(k, "p")) do
    local parts, at = {}, p.from
    while mi <= #marks and marks[mi].to < p.from do mi = mi + 1 end
    local j = mi
    while j <= #marks and marks[j].from <= p.to do
      local m = marks[j]
      if m.from >= at and m.to <= p.to then
        parts[#parts + 1] = esc(text:sub(at, m.from - 1))
        parts[#parts + 1] = string.format('<mark class="%s" title="%s">%s</mark>', m.class, esc(m.title),
                                          esc(text:sub(m.from, m.to)))
        at = m.to + 1
      end
      j = j + 1
    end
    parts[#parts + 1] = esc(text:sub(at, p.to))
    o[#o + 1] = "<p>" .. table.concat(parts):gsub("\n", " ") .. "</p>"
  end
  return table.concat(o, "\n")
end

-- Write the report of corpus to path; returns a summary {documents, tokens, actors =
-- {...}, events = n, themes = {...}} for the terminal.
function M.write(corpus, path, opts)
  opts = opts or {}
  local progress = opts.progress or function() end
  local h = common.handle(corpus)
  local info, docs = h:info(), h:docs()
  local steps, step = 9, 0
  local clock = require("dossier.core").clock
  local timings, t0, last = {}, clock(), nil
  local function tick(what)
    local now = clock()
    if last then timings[#timings + 1] = {part = last, seconds = now - t0} end
    t0, last = now, what
    step = step + 1
    progress(step, steps, what)
  end
  local out = {}
  local function add(s) out[#out + 1] = s end
  local title = opts.title or ("dossier report: " .. (corpus.path or "corpus"):match("([^/]*)$"))
  add('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
      .. '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
      .. "<title>" .. esc(title) .. "</title>\n<style>" .. CSS .. "</style>\n</head>\n<body>\n")
  add("<header><h1>" .. esc(title) .. "</h1>")
  add(string.format('<p class="lead">%s documents, %s tokens, made by dossier %s on %s.</p></header>',
                    format.count(info.documents), format.count(info.tokens), esc(require("dossier").version),
                    os.date("!%Y-%m-%d")))
  local sections = {{"overview", "Overview"}, {"entities", "Entities"}, {"events", "Events"},
                    {"network", "Network"}, {"themes", "Themes"}, {"keywords", "Keywords"},
                    {"concordances", "Concordances"}, {"documents", "Documents"}}
  add('<nav aria-label="Sections"><ol>')
  for _, s in ipairs(sections) do add(string.format('<li><a href="#%s">%s</a></li>', s[1], s[2])) end
  add("</ol></nav>\n<main>")

  -- overview
  tick("overview")
  local years, kinds, sources = {}, {}, {}
  for _, d in ipairs(docs) do
    local y = d.meta.date and tostring(d.meta.date):match("^(%d%d%d%d)") or "undated"
    years[y] = (years[y] or 0) + 1
    local kd = d.meta.kind or "(none)"
    kinds[kd] = (kinds[kd] or 0) + 1
    local src = d.meta.publisher or d.meta.site or "(unknown)"
    sources[src] = (sources[src] or 0) + 1
  end
  local function count_rows(t, key)
    local rows = {}
    for k, n in pairs(t) do rows[#rows + 1] = {[key] = k, documents = n} end
    table.sort(rows, function(a, b) return a[key] < b[key] end)
    return rows
  end
  add('<section id="overview"><h2>Overview</h2><div class="cards">')
  for _, c in ipairs({{"documents", info.documents}, {"tokens", info.tokens}, {"sentences", info.sentences},
                      {"entities", info.spans.ent}, {"dates", info.spans.date}, {"citations", info.spans.cite}}) do
    add(string.format('<div class="card"><b>%s</b>%s</div>', format.count(c[2] or 0), c[1]))
  end
  add("</div>")
  add("<h3>Years</h3>" .. table_html({{"year", "year"}, {"documents", "documents", true}}, count_rows(years, "year")))
  add("<h3>Kinds of source</h3>" .. table_html({{"kind", "kind"}, {"documents", "documents", true}}, count_rows(kinds, "kind")))
  add("<h3>Sources</h3>" .. table_html({{"source", "publisher"}, {"documents", "documents", true}}, count_rows(sources, "source")))
  local drows = {}
  for i, d in ipairs(docs) do
    drows[i] = {doc = string.format('<a href="#%s">%s</a>', slug(i), esc(d.meta.title or d.name)), kind = d.meta.kind or "",
                date = d.meta.date and tostring(d.meta.date) or "", tokens = d.tokens}
  end
  add("<h3>Documents</h3>" .. table_html({{"doc", "document"}, {"kind", "kind"}, {"date", "date"}, {"tokens", "tokens", true}},
                                         drows, {raw = {doc = true}}))
  add("</section>")

  -- entities
  tick("entities")
  local ents = entities(h, docs)
  add('<section id="entities"><h2>Entities</h2>')
  if #ents == 0 then add('<p class="note">No entities: the corpus was indexed without the recognizers.</p>') end
  local byType, typeOrder = {}, {"PERSON", "ORG", "GPE", "LOC", "TECH", "POLICY", "EVENT"}
  for _, e in ipairs(ents) do
    byType[e.type] = byType[e.type] or {}
    if #byType[e.type] < 15 then table.insert(byType[e.type], e) end
  end
  for _, t in ipairs(typeOrder) do
    if byType[t] then
      add("<h3>" .. t .. "</h3>" .. table_html({{"name", "name"}, {"country", "country"}, {"mentions", "mentions", true},
                                                {"ndocs", "documents", true}}, byType[t]))
    end
  end
  add("</section>")

  -- events and their timeline
  tick("events")
  local ev = require("dossier.recipes.events").run({corpus}, {})
  add('<section id="events"><h2>Events</h2>')
  add(string.format('<p>%d sentences name an actor, an action of cooperation or confrontation, and a second actor or a technology or programme (rules: <code>corpus/lexicon/events.tsv</code>).</p>', #ev.rows))
  local timeline = require("dossier.recipes.timeline")
  local trows = {}
  for _, e in ipairs(ev.rows) do
    local a, b = timeline.bounds(e.date)
    -- (a decade or a century would flatten the rest of the chart: they stay in the table)
    if a and tonumber(b:sub(1, 4)) - tonumber(a:sub(1, 4)) <= 10 then
      trows[#trows + 1] = {start = a, ["end"] = b, value = e.date, doc = e.actor1, names = {e.actor1},
                           sentence = e.action .. ": " .. e.sentence}
    end
  end
  if #trows > 0 then
    add('<figure>' .. timeline.svg({rows = trows}) .. '<figcaption>Dated events by their first actor: a dot for a day, a bar for a month, a year or a few (periods over ten years are in the table only).</figcaption></figure>')
  end
  local erows, docIndex = {}, {}
  for j, d in ipairs(docs) do docIndex[d.name] = j end
  for i, e in ipairs(ev.rows) do
    if i > 300 then break end
    local k = docIndex[e.doc]
    erows[i] = {date = e.date, actors = esc(e.actor1) .. (e.actor2 ~= "" and (" – " .. esc(e.actor2)) or ""),
                action = esc(e.action), object = esc(e.object), money = esc(e.money), certainty = esc(e.certainty),
                sentence = (k and string.format('<a href="#%s">%s</a>', slug(k), esc(e.doc)) or esc(e.doc)) .. ": " .. esc(e.sentence)}
  end
  if #erows > 0 then
    add(table_html({{"date", "date"}, {"actors", "actors"}, {"action", "action"}, {"object", "object"},
                    {"money", "money"}, {"certainty", "certainty"}, {"sentence", "sentence"}}, erows,
                   {raw = {actors = true, action = true, object = true, money = true, certainty = true, sentence = true}}))
    if #ev.rows > 300 then add(string.format('<p class="note">The first 300 of %d events.</p>', #ev.rows)) end
  end
  add("</section>")

  -- network
  tick("network")
  local network = require("dossier.recipes.network")
  add('<section id="network"><h2>Network</h2>')
  if #ents > 0 then
    local net = network.run({corpus}, {within = "s", types = {"PERSON", "ORG", "GPE", "TECH", "POLICY"}, top = 60})
    add('<figure>' .. network.svg(net) .. '<figcaption>Actors and technologies named in one sentence: '
        .. esc(net.notes[1]) .. '; circle area by the sentences naming them, colour by type.</figcaption></figure>')
    local top = {}
    for i, r in ipairs(net.rows) do if i <= 25 then top[i] = r end end
    add(table_html({{"source", "entity"}, {"target", "entity"}, {"count", "sentences", true}, {"logdice", "logDice", true}}, top))
  else
    add('<p class="note">No entities: no network.</p>')
  end
  add("</section>")

  -- themes
  tick("themes")
  local themes = require("dossier.recipes.themes")
  add('<section id="themes"><h2>Themes</h2><p>Hits of each frame’s terms per 10,000 tokens (terms: <code>corpus/lexicon/themes.tsv</code>).</p>')
  local summaryThemes = {}
  local yearOf = {}
  for _, d in ipairs(docs) do yearOf[d.name] = d.meta.date and tostring(d.meta.date):match("^(%d%d%d%d)") or "undated" end
  local byDoc = themes.run({corpus}, {by = "doc"})
  local byYear, yearRows, frameRank = {}, {}, {}   -- the documents' counts summed by year
  for _, row in ipairs(byDoc.rows) do
    if not frameRank[row.frame] then frameRank[row.frame] = #yearRows + 1 end
    local key = yearOf[row.group] .. "\0" .. row.frame
    local y = byYear[key]
    if not y then
      y = {group = yearOf[row.group], frame = row.frame, hits = 0, tokens = 0, rank = frameRank[row.frame]}
      byYear[key] = y
      yearRows[#yearRows + 1] = y
    end
    y.hits, y.tokens = y.hits + row.hits, y.tokens + row.tokens
  end
  for _, y in ipairs(yearRows) do y.per_10k = y.tokens > 0 and y.hits / y.tokens * 1e4 or 0.0 end
  table.sort(yearRows, function(a, b)
    if a.group ~= b.group then return a.group < b.group end
    return a.rank < b.rank
  end)
  local results = {doc = byDoc, year = {rows = yearRows}, actor = themes.run({corpus}, {by = "actor"})}
  for _, by in ipairs({"doc", "year", "actor"}) do
    local r = results[by]
    local frames, groups, cell = {}, {}, {}
    for _, row in ipairs(r.rows) do
      if not cell[row.group] then cell[row.group] = {}; groups[#groups + 1] = row.group end
      if #groups == 1 then frames[#frames + 1] = row.frame end
      cell[row.group][row.frame] = row.per_10k
      if by == "actor" then
        summaryThemes[row.group] = summaryThemes[row.group] or {}
        table.insert(summaryThemes[row.group], row)
      end
    end
    local cols = {{"group", by == "doc" and "document" or by}}
    for _, f in ipairs(frames) do cols[#cols + 1] = {f, f, true} end
    local rows = {}
    for i, g in ipairs(groups) do
      rows[i] = {group = g}
      for _, f in ipairs(frames) do rows[i][f] = cell[g][f] end
    end
    add("<h3>By " .. (by == "doc" and "document" or by == "actor" and "actor (sentences naming China or Russia)" or by) .. "</h3>"
        .. table_html(cols, rows))
  end
  -- each frame's lines, a click away (<details>: no script)
  add('<h3>The lines of each frame</h3>')
  local lexicon = themes.load({assert(require("dossier.data").dir()) .. "/lexicon/themes.tsv"})
  for _, fr in ipairs(lexicon) do
    local ok, ms = pcall(corpus.query, corpus, themes.frame_query(fr))
    if ok and ms:count() > 0 then
      local rows = {}
      for i, l in ipairs(ms:kwic{width = 50, limit = 8}) do
        local k = h:doc_at(l.first)
        rows[i] = {doc = k and string.format('<a href="#%s">%s</a>', slug(k), esc(l.doc)) or esc(l.doc),
                   left = esc(l.left), match = esc(l.match), right = esc(l.right)}
      end
      add(string.format('<details id="frame-%s"><summary>%s: %s hits (the first %d)</summary>', esc(fr.name),
                        esc(fr.name), format.count(ms:count()), #rows))
      add(table_html({{"doc", "document"}, {"left", "left"}, {"match", "match"}, {"right", "right"}}, rows,
                     {class = "kwic", raw = {doc = true, left = true, match = true, right = true}}))
      add("</details>")
    end
  end
  add("</section>")

  -- keywords of each kind of source against the rest
  tick("keywords")
  local keyness = require("dossier.recipes.keyness")
  add('<section id="keywords"><h2>Keywords</h2><p>Lemmas more frequent in one kind of source than in the rest of the corpus (log-likelihood, p &lt; 0.01).</p>')
  local kindList = {}
  for k in pairs(kinds) do if k ~= "(none)" then kindList[#kindList + 1] = k end end
  table.sort(kindList)
  local topTerms = {}
  for _, kd in ipairs(kindList) do
    local ok, r = pcall(keyness.run, {corpus}, {target = string.format('doc.kind = "%s"', kd:gsub('[\\"]', "\\%0")),
                                                by = info.types.lemma > 1 and "lemma" or "word", min_freq = 3, p = 0.01,
                                                direction = "+"})
    if ok then
      local rows = {}
      for i, row in ipairs(r.rows) do
        if i > 12 then break end
        rows[i] = row
        if i <= 2 and row.item:match("%a") then topTerms[#topTerms + 1] = row.item end
      end
      add("<h3>" .. esc(kd) .. "</h3>" .. table_html({{"item", "lemma"}, {"f_target", "here", true}, {"f_reference", "elsewhere", true},
                                                       {"ll", "LL", true}, {"log_ratio", "log ratio", true}}, rows))
    end
  end
  add("</section>")

  -- concordances of the top terms
  tick("concordances")
  add('<section id="concordances"><h2>Concordances</h2>')
  local terms = {}
  for i, e in ipairs(ents) do if i <= 3 then terms[#terms + 1] = {q = string.format('<ent id="%s"/>', common.cql_escape(e.id)), label = e.name} end end
  for _, t in ipairs(topTerms) do
    if #terms >= 8 then break end
    terms[#terms + 1] = {q = string.format('[%s="%s"]', info.types.lemma > 1 and "lemma" or "word", common.cql_escape(t)), label = t}
  end
  for _, t in ipairs(terms) do
    local ok, ms = pcall(corpus.query, corpus, t.q)
    if ok and ms:count() > 0 then
      local rows = {}
      for i, l in ipairs(ms:kwic{width = 50, limit = 10}) do
        local k = h:doc_at(l.first)
        rows[i] = {doc = k and string.format('<a href="#%s">%s</a>', slug(k), esc(l.doc)) or esc(l.doc),
                   left = esc(l.left), match = esc(l.match), right = esc(l.right)}
      end
      add(string.format("<h3>%s <span class=\"note\">(%d, the first 10)</span></h3>", esc(t.label), ms:count()))
      add(table_html({{"doc", "document"}, {"left", "left"}, {"match", "match"}, {"right", "right"}}, rows,
                     {class = "kwic", raw = {doc = true, left = true, match = true, right = true}}))
    end
  end
  add("</section>")

  -- documents
  tick("documents")
  add('<section id="documents"><h2>Documents</h2><p class="legend">')
  for _, t in ipairs(typeOrder) do add(string.format('<mark class="%s">%s</mark>', t, t)) end
  add('<mark class="date">date</mark></p>')
  local budget = opts.text_budget or M.TEXT_BUDGET
  for i, d in ipairs(docs) do
    add(string.format('<article class="doc" id="%s"><h3>%s</h3>', slug(i), esc(d.meta.title or d.name)))
    local meta = {}
    for _, key in ipairs({"authors", "author", "publisher", "date", "kind", "url"}) do
      if d.meta[key] then meta[#meta + 1] = esc(key) .. ": " .. esc(d.meta[key]) end
    end
    add('<p class="note">' .. esc(d.name) .. (#meta > 0 and (" · " .. table.concat(meta, " · ")) or "") .. "</p>")
    if d.tokens <= budget then
      budget = budget - d.tokens
      add(doc_text(h, i))
    else
      add('<p class="note">Text left out: the report holds at most ' .. format.count(opts.text_budget or M.TEXT_BUDGET)
          .. ' tokens of text (<code>dossier export</code> writes every document).</p>')
    end
    add("</article>")
  end
  add("</section>\n</main>\n</body>\n</html>\n")
  tick("writing")
  local f, err = io.open(path, "wb")
  if not f then error("report: " .. err, 0) end
  f:write(table.concat(out, "\n"))
  f:close()
  tick(nil)
  local actors = {}
  for _, e in ipairs(ents) do
    if (e.type == "ORG" or e.type == "GPE" or e.type == "PERSON") and #actors < 8 then actors[#actors + 1] = e end
  end
  return {documents = info.documents, tokens = info.tokens, actors = actors, events = ev.rows, themes = summaryThemes,
          timings = timings}
end

return M
