-- Recipe `network`: who is named with whom. Nodes are the values of a recognizer's spans
-- (entities by id, labelled by canonical name, grouped by type); an edge joins two
-- nodes named in one unit (a sentence by default, or a paragraph) or within a window of
-- N tokens; counted in C (csrc/ds_network.h).
--
--   corpus:network{within = "s" | "p" | N, kind = "ent", types = {"ORG", "GPE"},
--                  weight = "count" | "pmi" | "logdice", min_weight = 2, min_freq = 1,
--                  top = 200, where = ...}
--
-- Weights (f_x, f_y: units naming each node, or their mentions in window mode; f_xy:
-- units naming both, or pairs of mentions in a window; N: units, or tokens):
--   count   f_xy
--   pmi     log2(f_xy / E), E = f_x f_y / N (units) or f_x f_y 2w / N (a window of w)
--   logdice 14 + log2(2 f_xy / (f_x + f_y))   (Rychlý 2008)
-- Exports: GraphML and GEXF (Gephi, yEd, networkx open them), DOT (Graphviz), JSON,
-- SVG (lua/dossier/graph.lua), and the edge table as text or TSV.
local common = require "dossier.recipes.common"

local M = {}

local function log2(x) return math.log(x, 2) end

-- The network of corpora (several files: nodes merged by key, counts summed).
function M.run(corpora, opts)
  opts = opts or {}
  corpora = common.corpora(corpora)
  local within = opts.within or "s"
  local window = math.tointeger(tonumber(within))
  if not window and within ~= "s" and within ~= "p" then
    error("network: within must be s, p or a number of tokens, not '" .. tostring(within) .. "'", 0)
  end
  if window and window < 1 then error("network: a window of at least 1 token", 0) end
  local weight = opts.weight or "count"
  if weight ~= "count" and weight ~= "pmi" and weight ~= "logdice" then
    error("network: weight must be count, pmi or logdice, not '" .. tostring(weight) .. "'", 0)
  end
  local types
  if opts.types then
    types = {}
    for _, t in ipairs(type(opts.types) == "string" and {opts.types} or opts.types) do types[t] = true end
  end
  local nodes, byKey, edges, byPair, N = {}, {}, {}, {}, 0
  for _, c in ipairs(corpora) do
    local h = common.handle(c)
    local set = common.set(h, opts.where)
    local g = h:network({kind = opts.kind or "ent", key = opts.key, label = opts.label, group = opts.group,
                         unit = not window and within or nil, window = window}, set)
    N = N + g.n
    local map = {}
    for i, v in ipairs(g.nodes) do
      local node = byKey[v.key]
      if not node then
        node = {key = v.key, label = v.label, group = v.group, freq = 0}
        nodes[#nodes + 1] = node
        byKey[v.key] = node
      end
      node.freq = node.freq + v.freq
      map[i] = node
    end
    for _, e in ipairs(g.edges) do
      local a, b = map[e.a], map[e.b]
      if a.key > b.key then a, b = b, a end
      local k = a.key .. "\0" .. b.key
      local edge = byPair[k]
      if not edge then
        edge = {a = a, b = b, f_xy = 0}
        edges[#edges + 1] = edge
        byPair[k] = edge
      end
      edge.f_xy = edge.f_xy + e.n
    end
  end
  -- nodes kept: of the types asked for, frequent enough, the `top` most frequent
  local keep = {}
  for _, v in ipairs(nodes) do
    if (not types or types[v.group]) and v.freq >= (opts.min_freq or 1) then keep[#keep + 1] = v end
  end
  table.sort(keep, function(a, b)
    if a.freq ~= b.freq then return a.freq > b.freq end
    return a.key < b.key
  end)
  if opts.top and #keep > opts.top then for i = #keep, opts.top + 1, -1 do keep[i] = nil end end
  local index = {}
  for i, v in ipairs(keep) do index[v] = i end
  local out = {}
  for _, e in ipairs(edges) do
    if index[e.a] and index[e.b] then
      local fx, fy = e.a.freq, e.b.freq
      local E = window and fx * fy * 2 * window / N or fx * fy / N
      local row = {source = e.a.label, target = e.b.label, source_id = e.a.key, target_id = e.b.key,
                   source_type = e.a.group, target_type = e.b.group, count = e.f_xy,
                   pmi = E > 0 and log2(e.f_xy / E) or 0.0, logdice = 14 + log2(2 * e.f_xy / (fx + fy)),
                   a = index[e.a], b = index[e.b]}
      row.weight = row[weight]
      if row.weight >= (opts.min_weight or -math.huge) then out[#out + 1] = row end
    end
  end
  table.sort(out, function(x, y)
    if x.weight ~= y.weight then return x.weight > y.weight end
    if x.source_id ~= y.source_id then return x.source_id < y.source_id end
    return x.target_id < y.target_id
  end)
  local r = common.result("network", {"source", "target", "source_type", "target_type", "count", "pmi", "logdice"},
    out, {string.format("%d nodes, %d edges; %s within %s of %d %s%s", #keep, #out, weight,
                        window and (window .. " tokens") or within, N, window and "tokens" or "units",
                        opts.where and (" where " .. opts.where) or "")})
  r.nodes, r.weight_name = keep, weight
  return r:limit(opts.limit)
end

local xml = require("dossier.format").markup

local function num(v) return math.type(v) == "float" and string.format("%.6f", v) or tostring(v) end

-- GraphML (http://graphml.graphdrawing.org/): node data label, type, freq; edge data
-- weight, count, pmi, logdice.
function M.graphml(r)
  local o = {'<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    '<key id="label" for="node" attr.name="label" attr.type="string"/>',
    '<key id="type" for="node" attr.name="type" attr.type="string"/>',
    '<key id="freq" for="node" attr.name="freq" attr.type="long"/>',
    '<key id="weight" for="edge" attr.name="weight" attr.type="double"/>',
    '<key id="count" for="edge" attr.name="count" attr.type="long"/>',
    '<key id="pmi" for="edge" attr.name="pmi" attr.type="double"/>',
    '<key id="logdice" for="edge" attr.name="logdice" attr.type="double"/>',
    '<graph id="network" edgedefault="undirected">'}
  for _, v in ipairs(r.nodes) do
    o[#o + 1] = string.format('<node id="%s"><data key="label">%s</data><data key="type">%s</data><data key="freq">%d</data></node>',
      xml(v.key), xml(v.label), xml(v.group), v.freq)
  end
  for i, e in ipairs(r.rows) do
    o[#o + 1] = string.format('<edge id="e%d" source="%s" target="%s"><data key="weight">%s</data><data key="count">%d</data><data key="pmi">%s</data><data key="logdice">%s</data></edge>',
      i, xml(e.source_id), xml(e.target_id), num(e.weight + 0.0), e.count, num(e.pmi), num(e.logdice))
  end
  o[#o + 1] = "</graph>"
  o[#o + 1] = "</graphml>"
  return table.concat(o, "\n") .. "\n"
end

-- GEXF 1.2 (https://gexf.net/; the version Gephi, NetworkX and sigma.js all read): node
-- attributes type and freq; edge weight and attributes count, pmi, logdice.
function M.gexf(r)
  local o = {'<?xml version="1.0" encoding="UTF-8"?>',
    '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">',
    '<graph mode="static" defaultedgetype="undirected">',
    '<attributes class="node"><attribute id="type" title="type" type="string"/><attribute id="freq" title="freq" type="long"/></attributes>',
    '<attributes class="edge"><attribute id="count" title="count" type="long"/><attribute id="pmi" title="pmi" type="double"/>'
      .. '<attribute id="logdice" title="logdice" type="double"/></attributes>',
    '<nodes>'}
  for _, v in ipairs(r.nodes) do
    o[#o + 1] = string.format('<node id="%s" label="%s"><attvalues><attvalue for="type" value="%s"/><attvalue for="freq" value="%d"/></attvalues></node>',
      xml(v.key), xml(v.label), xml(v.group), v.freq)
  end
  o[#o + 1] = "</nodes>"
  o[#o + 1] = "<edges>"
  for i, e in ipairs(r.rows) do
    o[#o + 1] = string.format('<edge id="%d" source="%s" target="%s" weight="%s"><attvalues><attvalue for="count" value="%d"/>'
      .. '<attvalue for="pmi" value="%s"/><attvalue for="logdice" value="%s"/></attvalues></edge>', i - 1,
      xml(e.source_id), xml(e.target_id), num(e.weight + 0.0), e.count, num(e.pmi), num(e.logdice))
  end
  o[#o + 1] = "</edges>"
  o[#o + 1] = "</graph>"
  o[#o + 1] = "</gexf>"
  return table.concat(o, "\n") .. "\n"
end

local function dot_id(s) return '"' .. tostring(s):gsub('[\\"]', "\\%0"):gsub("\n", " ") .. '"' end

-- DOT (Graphviz): an undirected graph, labels and weights.
function M.dot(r)
  local o = {"graph network {"}
  for _, v in ipairs(r.nodes) do
    o[#o + 1] = string.format("  %s [label=%s, type=%s, freq=%d];", dot_id(v.key), dot_id(v.label), dot_id(v.group), v.freq)
  end
  for _, e in ipairs(r.rows) do
    o[#o + 1] = string.format("  %s -- %s [weight=%s, count=%d];", dot_id(e.source_id), dot_id(e.target_id),
      num(e.weight + 0.0), e.count)
  end
  o[#o + 1] = "}"
  return table.concat(o, "\n") .. "\n"
end

-- JSON: {nodes = [{id, label, type, freq}], edges = [{source, target, weight, count, pmi, logdice}]}
function M.json(r)
  local fmt = require("dossier.format")
  local nodes, edges = fmt.array(), fmt.array()
  for i, v in ipairs(r.nodes) do nodes[i] = {id = v.key, label = v.label, type = v.group, freq = v.freq} end
  for i, e in ipairs(r.rows) do
    edges[i] = {source = e.source_id, target = e.target_id, weight = e.weight, count = e.count, pmi = e.pmi,
                logdice = e.logdice}
  end
  return fmt.json({nodes = nodes, edges = edges, weight = r.weight_name, notes = r.notes})
end

function M.svg(r)
  local g = {nodes = {}, edges = {}}
  for i, v in ipairs(r.nodes) do g.nodes[i] = {label = v.label, group = v.group, freq = v.freq} end
  for i, e in ipairs(r.rows) do g.edges[i] = {a = e.a, b = e.b, weight = e.weight} end
  return require("dossier.graph").svg(g, {title = r.notes[1]})
end

M.command = {
  name = "network",
  description = "Who is named with whom: co-occurrence of entities in sentences, paragraphs or windows.",
  options = function(c)
    c:option("--db", "Corpus file; repeat it to merge several files."):count("*"):args(1)
    c:option("--where", 'Subcorpus by metadata, e.g. \'doc.kind = "news"\'.')
    c:option("--within", "s (sentence), p (paragraph) or a number of tokens.", "s")
    c:option("--weight", "count, pmi or logdice.", "count"):choices({"count", "pmi", "logdice"})
    c:option("--type", "Only entities of this type (repeatable), e.g. ORG.")
      :count("*"):args(1)
    c:option("--min-weight", "Only edges of at least this weight.", nil, tonumber)
    c:option("--min-freq", "Only nodes named at least this often.", "1", math.tointeger)
    c:option("--top", "At most N nodes, the most frequent.", nil, math.tointeger)
    c:option("--format", "Output format.", "text"):choices({"text", "tsv", "json", "graphml", "gexf", "dot", "svg"})
    c:option("-o --output", "Write to this file instead of standard output.")
    c:option("--limit", "At most N edges.", nil, tonumber)
  end,
  run = function(a)
    local list = common.open(a)
    local ok, r = pcall(M.run, list, {within = a.within, weight = a.weight, types = #a.type > 0 and a.type or nil,
                                      min_weight = a.min_weight, min_freq = a.min_freq, top = a.top,
                                      where = a.where, limit = a.limit})
    common.close(list)
    if not ok then error(r, 0) end
    local text
    if a.format == "graphml" then text = M.graphml(r)
    elseif a.format == "gexf" then text = M.gexf(r)
    elseif a.format == "dot" then text = M.dot(r)
    elseif a.format == "json" then text = M.json(r)
    elseif a.format == "svg" then text = M.svg(r)
    elseif a.format == "tsv" then text = r:tsv() .. "\n"
    else text = r:text() .. "\n" end
    if a.output then
      local f = assert(io.open(a.output, "wb"))
      f:write(text)
      f:close()
    else
      io.write(text)
    end
  end,
}

return M
