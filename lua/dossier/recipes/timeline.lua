-- Recipe `timeline`: every dated expression the recognizers found (`date` spans), with
-- the entities named in its sentence and the sentence itself, in date order at its
-- precision: a day is a point; a month, a year, a decade or an interval spans from its
-- first day to its last (`2019` runs from 2019-01-01 to 2019-12-31, `2019/2021` from
-- 2019-01-01 to 2021-12-31). Dates left relative (no document date to resolve them
-- against) have no place on the line and are listed last.
--
--   corpus:timeline{where = ..., entity = "Huawei", from = "2015", to = "2022"}
--
-- Columns: start end value precision doc entities sentence (entities: canonical names
-- joined by "; "). `entity` keeps the dates whose sentence names that entity; `from`
-- and `to` keep the dates overlapping that period. SVG: a lane per document (or per
-- entity with by_entity), a dot per day, a bar per longer period.
local common = require "dossier.recipes.common"

local M = {}

local DAYS = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

local function leap(y) return y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0) end

-- First and last day (ISO) of one ISO date at its precision, or nil.
local function bounds1(s)
  local y, m, d = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)")
  if y then return string.format("%s-%s-%s", y, m, d), string.format("%s-%s-%s", y, m, d) end
  y, m = s:match("^(%d%d%d%d)%-(%d%d)$")
  if y then
    local last = DAYS[tonumber(m)] or 31
    if tonumber(m) == 2 and leap(tonumber(y)) then last = 29 end
    return y .. "-" .. m .. "-01", string.format("%s-%s-%02d", y, m, last)
  end
  y = s:match("^(%d%d%d%d)$")
  if y then return y .. "-01-01", y .. "-12-31" end
  y = s:match("^(%d%d%d)$")                        -- a decade written as its first three digits
  if y then return y .. "0-01-01", y .. "9-12-31" end
  y = s:match("^(%d%d)$")                          -- a century
  if y then return y .. "00-01-01", y .. "99-12-31" end
end

-- First and last day of a date value (an interval A/B too), or nil for a relative one.
function M.bounds(value)
  local a, b = value:match("^([^/]+)/([^/]+)$")
  if a then
    local s = bounds1(a)
    local _, e = bounds1(b)
    if s and e then return s, e end
    return nil
  end
  return bounds1(value)
end

-- The span of list (sorted, not overlapping) holding token t, by bisection.
local function holding(list, t)
  local lo, hi = 1, #list
  while lo <= hi do
    local mid = (lo + hi) // 2
    local s = list[mid]
    if t < s.first then hi = mid - 1
    elseif t > s.last then lo = mid + 1
    else return s end
  end
end

function M.run(corpora, opts)
  opts = opts or {}
  corpora = common.corpora(corpora)
  local rows = {}
  for _, c in ipairs(corpora) do
    local h = common.handle(c)
    local set, docs = common.docset(h, opts.where)
    for k, d in ipairs(docs) do
      if not set or set:byte(k) == 1 then
        local dates = h:spans(k, "date")
        if #dates > 0 then
          local text = h:text(k)
          local sents, ents = h:spans(k, "s"), h:spans(k, "ent")
          for _, dt in ipairs(dates) do
            local s = holding(sents, dt.first)
            local names, seen = {}, {}
            if s then
              for _, en in ipairs(ents) do
                if en.first >= s.first and en.first <= s.last and not seen[en.values.name] then
                  seen[en.values.name] = true
                  names[#names + 1] = en.values.name
                end
              end
            end
            local start, stop = M.bounds(dt.values.value)
            rows[#rows + 1] = {start = start or "", ["end"] = stop or "", value = dt.values.value,
                               precision = dt.values.precision, doc = d.name, entities = table.concat(names, "; "),
                               sentence = s and (text:sub(s.from, s.to):gsub("%s+", " ")) or "",
                               names = names}
          end
        end
      end
    end
  end
  local kept = {}
  for _, r in ipairs(rows) do
    local ok = true
    if opts.entity then
      ok = false
      for _, n in ipairs(r.names) do if n == opts.entity then ok = true end end
    end
    if ok and opts.from and (r["end"] == "" or r["end"] < opts.from) then ok = false end
    if ok and opts.to and (r.start == "" or r.start > opts.to .. "\255") then ok = false end
    if ok then kept[#kept + 1] = r end
  end
  table.sort(kept, function(a, b)
    if (a.start == "") ~= (b.start == "") then return b.start == "" end
    if a.start ~= b.start then return a.start < b.start end
    if a["end"] ~= b["end"] then return a["end"] < b["end"] end
    if a.doc ~= b.doc then return a.doc < b.doc end
    return a.sentence < b.sentence
  end)
  return common.result("timeline", {"start", "end", "value", "precision", "doc", "entities", "sentence"}, kept,
    {string.format("%d dated expressions%s%s", #kept, opts.entity and (" naming " .. opts.entity) or "",
                   opts.where and (" where " .. opts.where) or "")}):limit(opts.limit)
end

local esc = require("dossier.format").markup

-- Days since 1970-01-01 of an ISO day (for placing it on the axis).
local function day_number(iso)
  local y, m, d = iso:match("^(%d+)%-(%d+)%-(%d+)$")
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m <= 2 then y, m = y - 1, m + 12 end
  return 365 * y + y // 4 - y // 100 + y // 400 + (153 * (m - 3) + 2) // 5 + d - 719469
end

-- SVG of a timeline result: lanes per document (or per entity), points and bars.
function M.svg(r, opts)
  opts = opts or {}
  local lanes, byName = {}, {}
  local lo, hi, y0, y1
  for _, row in ipairs(r.rows) do
    if row.start ~= "" then
      local names = opts.by_entity and row.names or {row.doc}
      for _, n in ipairs(names) do
        if not byName[n] then
          byName[n] = {name = n, marks = {}}
          lanes[#lanes + 1] = byName[n]
        end
        table.insert(byName[n].marks, row)
      end
      local a, b = day_number(row.start), day_number(row["end"])
      lo, hi = math.min(lo or a, a), math.max(hi or b, b)
      local ya, yb = tonumber(row.start:sub(1, 4)), tonumber(row["end"]:sub(1, 4))
      y0, y1 = math.min(y0 or ya, ya), math.max(y1 or yb, yb)
    end
  end
  local lw, pw, lh, top = 240, 640, 24, 40
  local H = top + lh * #lanes + 40
  local out = {string.format('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="timeline">',
                             lw + pw + 20, H, lw + pw + 20, H),
               '<title>timeline</title>', '<rect width="100%" height="100%" fill="#ffffff"/>'}
  if not lo then
    out[#out + 1] = '<text x="10" y="24" font-family="sans-serif" font-size="12">no dated expressions</text>'
  else
    if hi == lo then hi = lo + 1 end
    local function x(day) return lw + (day - lo) / (hi - lo) * pw end
    local step = 1                               -- a round step, at most about ten lines
    for _, s in ipairs({1, 2, 5, 10, 20, 25, 50, 100, 200, 500}) do
      step = s
      if (y1 - y0 + 1) / s <= 10 then break end
    end
    for y = y0 - y0 % step, y1, step do                      -- the axis: a tick a year or every few years
      local px = x(day_number(string.format("%04d-01-01", y)))
      if px >= lw and px <= lw + pw then
        -- the year at both ends of its line, so a long chart shows it wherever it is read
        out[#out + 1] = string.format('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#dddddd"/><text x="%.1f" y="%d" font-family="sans-serif" font-size="10" text-anchor="middle" fill="#444444">%d</text><text x="%.1f" y="%d" font-family="sans-serif" font-size="10" text-anchor="middle" fill="#444444">%d</text>',
          px, top - 10, px, H - 30, px, top - 14, y, px, H - 16, y)
      end
    end
    for i, lane in ipairs(lanes) do
      local cy = top + lh * (i - 1) + lh / 2
      out[#out + 1] = string.format('<text x="%d" y="%.1f" font-family="sans-serif" font-size="11" text-anchor="end" fill="#222222">%s</text>',
        lw - 8, cy + 4, esc(#lane.name > 36 and lane.name:sub(1, 35) .. "…" or lane.name))
      for _, m in ipairs(lane.marks) do
        local a, b = x(day_number(m.start)), x(day_number(m["end"]))
        local tip = esc(m.value .. ": " .. m.sentence:sub(1, 200))
        if m.start == m["end"] then
          out[#out + 1] = string.format('<circle cx="%.1f" cy="%.1f" r="4" fill="#0072B2"><title>%s</title></circle>', a, cy, tip)
        else
          out[#out + 1] = string.format('<rect x="%.1f" y="%.1f" width="%.1f" height="8" fill="#D55E00" fill-opacity="0.5"><title>%s</title></rect>',
            a, cy - 4, math.max(b - a, 2), tip)
        end
      end
    end
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n") .. "\n"
end

M.command = common.command("timeline", "Dated expressions in date order, with their entities and sentence.",
  function(c)
    c:option("--entity", "Only dates whose sentence names this entity (its canonical name).")
    c:option("--from", "Only dates overlapping this date or later (ISO: 2015, 2015-06).")
    c:option("--to", "Only dates overlapping this date or earlier.")
    c:option("--svg", "Also draw the timeline to this SVG file.")
    c:flag("--by-entity", "SVG lanes per entity instead of per document.")
  end,
  function(list, a)
    local r = M.run(list, {entity = a.entity, from = a.from, to = a.to, where = a.where})
    if a.svg then
      local f = assert(io.open(a.svg, "wb"))
      f:write(M.svg(r, {by_entity = a.by_entity}))
      f:close()
    end
    return r
  end)

return M
