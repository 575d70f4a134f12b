-- Check corpus/lexicon/entities.tsv (or another file of the same format) against the
-- rules stated in its header: 6 TAB-separated columns, ids unique and well formed
-- (a Wikidata QID or `ds:` + a lower-case ASCII slug), known types and rules, country
-- codes of two capitals, and no form (name or alias) given twice after case folding,
-- whether in one entry or in two.
--   lua5.4 tools/check_lexicon.lua [corpus/lexicon/entities.tsv] [--text FILE]
-- Exits 1 on any error. With --text (plain English running text, e.g. the Brown corpus
-- with its tags stripped) it also prints, as warnings, one-word capitalized forms whose
-- lower-case spelling occurs in that text at least 3 times as an ordinary word (`Apple`,
-- `Meta`) and that carry neither `nostart` nor `exact`: at the start of a sentence such
-- a form cannot be told from the word, so a person should decide. Case folding is ASCII only (string.lower);
-- the file's few non-ASCII forms were compared by hand.
local path, text_path = "corpus/lexicon/entities.tsv", nil
local i = 1
while arg[i] do
  if arg[i] == "--text" then text_path = arg[i + 1]; i = i + 2
  else path = arg[i]; i = i + 1 end
end

local TYPES = { PERSON = true, ORG = true, GPE = true, LOC = true, TECH = true, POLICY = true, EVENT = true }
local RULES = { exact = true, any = true, nostart = true }
-- Codes ISO 3166-1 reserves but does not assign to a country; not valid in `country`.
local RESERVED = { EU = true, UK = true, SU = true, EZ = true, UN = true, XK = true }

local errors, warnings = 0, 0
local function err(ln, msg) errors = errors + 1; io.stderr:write(("%s:%d: %s\n"):format(path, ln, msg)) end
local function warn(ln, msg) warnings = warnings + 1; io.stderr:write(("%s:%d: warning: %s\n"):format(path, ln, msg)) end

-- Lower-case words of the text and how often each occurs written in lower case.
local words
if text_path then
  words = {}
  for line in io.lines(text_path) do
    for w in line:gmatch("%a+") do
      if not w:find("%u") then words[w] = (words[w] or 0) + 1 end
    end
  end
end

local function split(s, sep)
  local out, start = {}, 1
  while true do
    local a, b = s:find(sep, start, true)
    if not a then out[#out + 1] = s:sub(start); return out end
    out[#out + 1] = s:sub(start, a - 1)
    start = b + 1
  end
end

local ids, forms = {}, {}
local counts, qids, dsids, entries = {}, 0, 0, 0
local ln = 0
for line in io.lines(path) do
  ln = ln + 1
  if line:match("^#") or line:match("^%s*$") then goto continue end
  if line:find("\r", 1, true) then err(ln, "carriage return in line") end
  do
    local cols = split(line, "\t")
    if #cols ~= 6 then err(ln, ("%d columns, want 6"):format(#cols)); goto continue end
    local id, typ, name, country, aliases, rules = table.unpack(cols)
    entries = entries + 1
    if id:match("^Q[1-9]%d*$") then qids = qids + 1
    elseif id:match("^ds:[a-z0-9][a-z0-9-]*$") then dsids = dsids + 1
    else err(ln, "bad id '" .. id .. "'") end
    if ids[id] then err(ln, ("id %s also on line %d"):format(id, ids[id])) end
    ids[id] = ln
    if not TYPES[typ] then err(ln, "bad type '" .. typ .. "'") end
    counts[typ] = (counts[typ] or 0) + 1
    if country ~= "" and (not country:match("^[A-Z][A-Z]$") or RESERVED[country]) then
      err(ln, "bad country '" .. country .. "'")
    end
    local flags = {}
    if rules ~= "" then
      for _, r in ipairs(split(rules, ",")) do
        if not RULES[r] then err(ln, "bad rule '" .. r .. "'") end
        flags[r] = true
      end
    end
    if flags.exact and flags.any then err(ln, "both exact and any") end
    local list = { name }
    if aliases ~= "" then for _, a in ipairs(split(aliases, "|")) do list[#list + 1] = a end end
    for k, f in ipairs(list) do
      local what = k == 1 and "name" or "alias"
      if f == "" then err(ln, "empty " .. what)
      elseif f:match("^%s") or f:match("%s$") or f:find("  ", 1, true) then err(ln, what .. " '" .. f .. "' has stray spaces")
      else
        local key = f:lower()
        if forms[key] then
          err(ln, ("form '%s' also on line %d"):format(f, forms[key]))
        else
          forms[key] = ln
        end
        -- A form without capitals matches in any case: right for technologies,
        -- policies and events written in lower case, wrong for names of actors and
        -- places. Non-ASCII letters may be capitals (`Ürümqi`): not flagged.
        if not f:find("[%u\128-\255]") and typ ~= "TECH" and typ ~= "POLICY" and typ ~= "EVENT" and not flags.exact then
          err(ln, ("lower-case form '%s' for a %s would match in any case"):format(f, typ))
        end
        if words and not flags.nostart and not flags.exact and f:match("^%u%l+$") and (words[f:lower()] or 0) >= 3 then
          warn(ln, ("'%s' is also an English word"):format(f))
        end
      end
    end
  end
  ::continue::
end

local order = { "PERSON", "ORG", "GPE", "LOC", "TECH", "POLICY", "EVENT" }
local parts = {}
for _, t in ipairs(order) do parts[#parts + 1] = ("%s %d"):format(t, counts[t] or 0) end
print(("%d entries (%s); %d Wikidata ids, %d ds: ids; %d forms; %d errors, %d warnings")
  :format(entries, table.concat(parts, ", "), qids, dsids, (function() local n = 0 for _ in pairs(forms) do n = n + 1 end return n end)(), errors, warnings))
os.exit(errors == 0 and 0 or 1)
