-- Recipe `export`: the corpus (or a subcorpus) in standard formats, so it moves to CQP,
-- Spark, DuckDB or pandas without loss of tokens, attributes, spans or metadata.
--   vrt     CWB's verticalized text, as cwb-encode reads it: <text id="NAME" KEY="VALUE" ...>
--           with every metadata key (keys lowercased, other characters than a-z, 0-9 and _
--           made _), the span kinds p, head, note and s as elements, and the recognizers'
--           ent, date, money, percent, cite, url, quote with their values as attributes
--           (<ent type="ORG" id="Q160120" name="Huawei" country="CN" source="lexicon">),
--           one token a line: word, norm, lemma, pos, xpos, tab-separated; & < > "
--           escaped as entities. Encode with: cwb-encode -d DIR -f FILE -R REG -P norm
--           -P lemma -P pos -P xpos -S text:0+id+KEYS... -S p -S head -S note -S s
--           -S ent:0+type+id+name+country+source -S date:0+value+precision
--           -S money:0+amount+currency -S percent:0+value -S cite:0+authors+year+extra
--           -S url:0+value -S quote:0+speaker
--   conllu  CoNLL-U: `# newdoc id`, `# sent_id = NAME-N` and a line per token (ID FORM
--           LEMMA UPOS XPOS, then _, MISC Ent=B-TYPE|EntId=ID on entities); tokens outside
--           every sentence make one of their own
--   jsonl   JSON Lines: a document a line, {name, id, meta, tokens = {word = [...], norm,
--           lemma, pos, xpos}, spans = {s = [[from, to], ...], p, head, note, ent =
--           [[from, to, {type, id, name, country, source}], ...], date, money, percent,
--           cite, url, quote}} (1-based inclusive token numbers)
--
--   corpus:export{format = "vrt", where = 'doc.kind = "news"', out = io.stdout | "file.vrt"}
local common = require "dossier.recipes.common"

local M = {}

local BATCH = 64        -- documents per call to the core (lexicons are read once per call)

local function xml(s)
  return (s:gsub("[&<>\"]", {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;"}))
end

local function cwb_key(k)
  return (k:lower():gsub("[^%w_]", "_"))
end

-- The recognizers' kinds and their values, in the order of their VRT attributes.
local RECOGNIZED = {
  {"ent", {"type", "id", "name", "country", "source"}}, {"date", {"value", "precision"}},
  {"money", {"amount", "currency"}}, {"percent", {"value"}}, {"cite", {"authors", "year", "extra"}},
  {"url", {"value"}}, {"quote", {"speaker"}},
}

-- Add the recognizers' spans of document k of h to t.spans: [from, to, values].
local function add_recognized(h, k, t)
  for _, kv in ipairs(RECOGNIZED) do
    local list = {}
    for i, s in ipairs(h:spans(k, kv[1], false)) do list[i] = {s.first, s.last, s.values} end
    t.spans[kv[1]] = list
  end
end

-- Spans starting (opens) and ending (closes) at each token: {kind, tag} lists by token
-- number, the tag with its attributes.
local KINDS = {"p", "head", "note", "s"}
local function marks(spans)
  local opens, closes = {}, {}
  local function put(kind, sp, tag)
    opens[sp[1]] = opens[sp[1]] or {}
    table.insert(opens[sp[1]], tag)
    closes[sp[2]] = closes[sp[2]] or {}
    table.insert(closes[sp[2]], 1, kind)      -- the last opened closes first
  end
  for _, kind in ipairs(KINDS) do
    for _, sp in ipairs(spans[kind] or {}) do put(kind, sp, kind) end
  end
  for _, kv in ipairs(RECOGNIZED) do
    for _, sp in ipairs(spans[kv[1]] or {}) do
      local attrs = {kv[1]}
      for _, name in ipairs(kv[2]) do attrs[#attrs + 1] = string.format('%s="%s"', name, xml(sp[3][name] or "")) end
      put(kv[1], sp, table.concat(attrs, " "))
    end
  end
  return opens, closes
end

local function vrt(out, d, t)
  local attrs = {string.format('id="%s"', xml(d.name))}
  local keys = {}
  for k in pairs(d.meta) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do
    if cwb_key(k) ~= "id" then attrs[#attrs + 1] = string.format('%s="%s"', cwb_key(k), xml(d.meta[k])) end
  end
  out:write("<text ", table.concat(attrs, " "), ">\n")
  local opens, closes = marks(t.spans)
  for i = 1, #t.word do
    for _, k in ipairs(opens[i] or {}) do out:write("<", k, ">\n") end
    out:write(xml(t.word[i]), "\t", xml(t.norm[i]), "\t", xml(t.lemma[i]), "\t", xml(t.pos[i]), "\t",
              xml(t.xpos[i]), "\n")
    for _, k in ipairs(closes[i] or {}) do out:write("</", k, ">\n") end
  end
  out:write("</text>\n")
end

local function conllu(out, d, t)
  out:write("# newdoc id = ", d.name, "\n")
  local n, at = 0, 1
  local misc = {}                                -- token -> Ent=... of its entity
  for _, sp in ipairs(t.spans.ent or {}) do
    for i = sp[1], sp[2] do
      misc[i] = "Ent=" .. (i == sp[1] and "B-" or "I-") .. sp[3].type
                .. ((i == sp[1] and sp[3].id ~= "") and ("|EntId=" .. sp[3].id:gsub("[|%s]", "_")) or "")
    end
  end
  local function sentence(from, to)
    if to < from then return end
    n = n + 1
    out:write("# sent_id = ", d.name, "-", n, "\n")
    for i = from, to do
      local function f(x) return (x == nil or x == "") and "_" or (x:gsub("[\t\n]", " ")) end
      out:write(i - from + 1, "\t", f(t.word[i]), "\t", f(t.lemma[i]), "\t", f(t.pos[i]), "\t", f(t.xpos[i]),
                "\t_\t_\t_\t_\t", misc[i] or "_", "\n")
    end
    out:write("\n")
  end
  for _, sp in ipairs(t.spans.s) do
    if sp[1] >= at then
      sentence(at, sp[1] - 1)
      sentence(sp[1], sp[2])
      at = sp[2] + 1
    end
  end
  sentence(at, #t.word)
end

local function jsonl(out, d, t)
  local json = require("dossier.format").json
  out:write(json({name = d.name, id = d.id, meta = d.meta,
                  tokens = {word = t.word, norm = t.norm, lemma = t.lemma, pos = t.pos, xpos = t.xpos},
                  spans = t.spans}), "\n")
end

local writers = {vrt = vrt, conllu = conllu, jsonl = jsonl}

-- Write the documents of every corpus (in opts.where) to opts.out (a file handle or a
-- path; default io.stdout) in opts.format. Returns the number of documents written.
function M.run(corpora, opts)
  opts = opts or {}
  corpora = common.corpora(corpora)
  local write = writers[opts.format or "vrt"]
  if not write then error("format: vrt, conllu or jsonl", 0) end
  local out, close = opts.out or io.stdout, false
  if type(out) == "string" then out, close = assert(io.open(out, "wb")), true end
  local n = 0
  for _, c in ipairs(corpora) do
    local h = common.handle(c)
    local set, docs = common.docset(h, opts.where)
    for from = 1, #docs, BATCH do
      local to = math.min(from + BATCH - 1, #docs)
      local toks
      for k = from, to do
        if not set or set:byte(k) == 1 then
          toks = toks or h:doc_tokens(from, to)
          local t = toks[k - from + 1]
          add_recognized(h, k, t)
          write(out, docs[k], t)
          n = n + 1
        end
      end
    end
  end
  if close then out:close() end
  return n
end

M.command = {
  name = "export",
  description = "Write the corpus as VRT (CWB), CoNLL-U or JSON Lines.",
  options = function(c)
    c:option("--db", "Corpus file; repeat it to export several."):count("*"):args(1)
    c:option("--format", "Output format.", "vrt"):choices({"vrt", "conllu", "jsonl"})
    c:option("--where", "Only the documents meeting this metadata constraint.")
    c:option("-o --output", "Write to FILE instead of standard output.")
  end,
  run = function(a)
    local list = common.open(a)
    local ok, err = pcall(M.run, list, {format = a.format, where = a.where, out = a.output})
    common.close(list)
    if not ok then error(err, 0) end
  end,
}

return M
