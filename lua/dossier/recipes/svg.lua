-- SVG of a dispersion plot: a lane per document (its name at the left), a tick per
-- match at its relative position in the document, the number of hits at the right.
-- Self-contained (no script, no external font), so it opens from file:// in a browser.
local common = require "dossier.recipes.common"

local M = {}

local function esc(s)
  return (s:gsub("[&<>\"]", {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;"}))
end

-- Lanes of every document in the subcorpus of opts.where: {name, tokens, ticks = {0..1}}.
local function lanes(corpora, opts)
  local out = {}
  for _, c in ipairs(corpora) do
    local h = common.handle(c)
    local set, docs = common.docset(h, opts.where)
    local lane = {}
    for i, d in ipairs(docs) do
      if not set or set:byte(i) == 1 then
        out[#out + 1] = {name = d.name, tokens = d.tokens, cpos = d.cpos, ticks = {}}
        lane[i] = out[#out]
      end
    end
    local q = common.query_arg(c, opts.query, "dispersion")
    local ms = type(q) == "string" and h:query(q) or q
    for i = 1, #ms do
      local pos = ms:get(i)
      local k = h:doc_at(pos)
      local l = k and lane[k]
      if l then l.ticks[#l.ticks + 1] = (pos - l.cpos) / math.max(l.tokens, 1) end
    end
  end
  return out
end

-- Write the plot of opts.query over corpora to path.
function M.dispersion(corpora, opts, path)
  local ls = lanes(corpora, opts)
  local lw, pw, lh, top = 260, 600, 22, 40
  local h = top + lh * #ls + 20
  local o = {}
  o[#o + 1] = string.format('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" ' ..
    'font-family="sans-serif" font-size="12">', lw + pw + 80, h)
  o[#o + 1] = string.format('<title>Dispersion of %s</title>', esc(common.query_text(opts.query)))
  o[#o + 1] = string.format('<text x="10" y="20" font-size="14">Dispersion of %s</text>', esc(common.query_text(opts.query)))
  for i, l in ipairs(ls) do
    local y = top + (i - 1) * lh
    local label = utf8.len(l.name) and utf8.len(l.name) > 38 and l.name:sub(1, utf8.offset(l.name, 37) - 1) .. "…" or l.name
    o[#o + 1] = string.format('<text x="10" y="%d"><title>%s</title>%s</text>', y + 15, esc(l.name), esc(label))
    o[#o + 1] = string.format('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>',
      lw, y + 3, pw, lh - 6)
    for _, t in ipairs(l.ticks) do
      local x = lw + t * pw
      o[#o + 1] = string.format('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c00"/>', x, y + 4, x, y + lh - 4)
    end
    o[#o + 1] = string.format('<text x="%d" y="%d">%d</text>', lw + pw + 8, y + 15, #l.ticks)
  end
  o[#o + 1] = "</svg>"
  local f = assert(io.open(path, "wb"))
  f:write(table.concat(o, "\n"), "\n")
  f:close()
end

return M
