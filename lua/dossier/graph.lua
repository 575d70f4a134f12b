-- Drawing a network as SVG: a force-directed layout (Fruchterman and Reingold 1991),
-- node area by frequency, colour by group, edge width by weight, and labels placed so
-- that none overlaps another (a label that finds no free place around its node is left
-- out, smaller nodes first). Deterministic: the same graph gives the same drawing.
-- Self-contained SVG (no script, no external font). Meant for up to a few hundred nodes.
local M = {}

local esc = require("dossier.format").markup

-- Colours for groups (colour-blind safe, after Okabe and Ito), then grey.
local PALETTE = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"}

-- Positions {x, y} in [0, 1] for nodes 1..n and edges {a, b, w}: start on a circle (in
-- node order), then `rounds` rounds of repulsion between all pairs and attraction
-- along edges, the step cooling linearly.
function M.layout(n, edges, rounds)
  rounds = rounds or 200
  local pos = {}
  for i = 1, n do
    local t = 2 * math.pi * (i - 1) / math.max(n, 1)
    pos[i] = {x = 0.5 + 0.4 * math.cos(t), y = 0.5 + 0.4 * math.sin(t)}
  end
  if n < 2 then
    if n == 1 then pos[1] = {x = 0.5, y = 0.5} end
    return pos
  end
  local k = math.sqrt(1 / n)                    -- the ideal distance
  local temp = 0.1
  for r = 1, rounds do
    local dx, dy = {}, {}
    for i = 1, n do dx[i], dy[i] = 0, 0 end
    for i = 1, n do
      local pi = pos[i]
      for j = i + 1, n do
        local ddx, ddy = pi.x - pos[j].x, pi.y - pos[j].y
        local d2 = ddx * ddx + ddy * ddy
        if d2 < 1e-12 then ddx, ddy, d2 = 1e-3 * (i - j), 1e-3, 1e-6 + 1e-6 * (i - j) ^ 2 end
        local f = k * k / d2                     -- repulsion k^2 / d, along the unit vector
        dx[i], dy[i] = dx[i] + ddx * f, dy[i] + ddy * f
        dx[j], dy[j] = dx[j] - ddx * f, dy[j] - ddy * f
      end
    end
    for _, e in ipairs(edges) do
      local a, b = pos[e.a], pos[e.b]
      local ddx, ddy = a.x - b.x, a.y - b.y
      local d = math.sqrt(ddx * ddx + ddy * ddy)
      local f = d / k * (e.w or 1)               -- attraction d^2 / k, along the unit vector
      dx[e.a], dy[e.a] = dx[e.a] - ddx * f, dy[e.a] - ddy * f
      dx[e.b], dy[e.b] = dx[e.b] + ddx * f, dy[e.b] + ddy * f
    end
    for i = 1, n do                              -- gravity: loose parts stay off the edges
      dx[i], dy[i] = dx[i] + (0.5 - pos[i].x) * k * 4, dy[i] + (0.5 - pos[i].y) * k * 4
    end
    for i = 1, n do
      local d = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
      if d > 0 then
        local step = math.min(d, temp)
        pos[i].x = math.min(1, math.max(0, pos[i].x + dx[i] / d * step))
        pos[i].y = math.min(1, math.max(0, pos[i].y + dy[i] / d * step))
      end
    end
    temp = 0.1 * (1 - r / rounds) + 0.002
  end
  return pos
end

local function overlaps(a, b)
  return a.x1 < b.x2 and b.x1 < a.x2 and a.y1 < b.y2 and b.y1 < a.y2
end

-- SVG text of graph g = {nodes = {{label, group, freq}}, edges = {{a, b, weight}}},
-- opts.title. Width and height in pixels (default 900 x 700).
function M.svg(g, opts)
  opts = opts or {}
  local W, H, margin, top = opts.width or 900, opts.height or 700, 60, 40   -- top: the legend's row
  local maxW, maxF = 0, 1
  for _, e in ipairs(g.edges) do maxW = math.max(maxW, e.weight) end
  for _, v in ipairs(g.nodes) do maxF = math.max(maxF, v.freq) end
  local lay = {}
  for i, e in ipairs(g.edges) do lay[i] = {a = e.a, b = e.b, w = maxW > 0 and 0.2 + 0.8 * e.weight / maxW or 1} end
  local pos = M.layout(#g.nodes, lay, opts.rounds)
  local colour, groups = {}, {}
  for _, v in ipairs(g.nodes) do
    if not colour[v.group] then
      groups[#groups + 1] = v.group
      colour[v.group] = PALETTE[math.min(#groups, #PALETTE)]
    end
  end
  local function px(p) return margin + p.x * (W - 2 * margin), top + margin + p.y * (H - top - 2 * margin) end
  local out = {string.format('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">',
                             W, H, W, H, esc(opts.title or "network"))}
  out[#out + 1] = string.format('<title>%s</title>', esc(opts.title or "network"))
  out[#out + 1] = '<rect width="100%" height="100%" fill="#ffffff"/>'
  for _, e in ipairs(g.edges) do
    local x1, y1 = px(pos[e.a])
    local x2, y2 = px(pos[e.b])
    out[#out + 1] = string.format('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999999" stroke-opacity="0.6" stroke-width="%.2f"><title>%s – %s: %s</title></line>',
      x1, y1, x2, y2, maxW > 0 and 0.5 + 4.5 * e.weight / maxW or 1, esc(g.nodes[e.a].label), esc(g.nodes[e.b].label),
      esc(e.weight))
  end
  local order = {}
  for i = 1, #g.nodes do order[i] = i end
  table.sort(order, function(a, b)
    if g.nodes[a].freq ~= g.nodes[b].freq then return g.nodes[a].freq > g.nodes[b].freq end
    return a < b
  end)
  local boxes, labels = {}, {}
  for _, i in ipairs(order) do
    local v = g.nodes[i]
    local x, y = px(pos[i])
    local r = 3 + 15 * math.sqrt(v.freq / maxF)
    out[#out + 1] = string.format('<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s" stroke="#ffffff"><title>%s (%s): %d</title></circle>',
      x, y, r, colour[v.group], esc(v.label), esc(v.group), v.freq)
    boxes[#boxes + 1] = {x1 = x - r, x2 = x + r, y1 = y - r, y2 = y + r}
  end
  for _, i in ipairs(order) do                 -- labels: the biggest nodes choose first
    local v = g.nodes[i]
    local x, y = px(pos[i])
    local r = 3 + 15 * math.sqrt(v.freq / maxF)
    local fs = 11
    local w = #v.label * fs * 0.6
    for _, c in ipairs({{r + 2, fs / 3, "start"}, {-r - 2, fs / 3, "end"}, {0, -r - 3, "middle"}, {0, r + fs, "middle"}}) do
      local tx, ty, anchor = x + c[1], y + c[2], c[3]
      local x1 = anchor == "start" and tx or anchor == "end" and tx - w or tx - w / 2
      local box = {x1 = x1, x2 = x1 + w, y1 = ty - fs, y2 = ty + 2}
      local free = box.x1 >= 0 and box.x2 <= W and box.y1 >= 0 and box.y2 <= H
      for _, b in ipairs(labels) do if free and overlaps(box, b) then free = false end end
      for j, b in ipairs(boxes) do if free and order[j] ~= i and overlaps(box, b) then free = false end end
      if free then
        labels[#labels + 1] = box
        out[#out + 1] = string.format('<text x="%.1f" y="%.1f" font-family="sans-serif" font-size="%d" text-anchor="%s" fill="#222222">%s</text>',
          tx, ty, fs, anchor, esc(v.label))
        break
      end
    end
  end
  local lx = 16
  for _, grp in ipairs(groups) do              -- the legend, a row above the drawing
    local label = grp ~= "" and grp or "(none)"
    out[#out + 1] = string.format('<circle cx="%d" cy="20" r="6" fill="%s"/><text x="%d" y="24" font-family="sans-serif" font-size="12" fill="#222222">%s</text>',
      lx, colour[grp], lx + 10, esc(label))
    lx = lx + 30 + math.floor(#label * 7.5)
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n") .. "\n"
end

return M
