-- Where dossier's data files are (corpus/lexicon, corpus/models), and the language data
-- loaded from them once per process.
local core = require "dossier.core"
local lfs = require "lfs"

local M = {}

local function isdir(p) return lfs.attributes(p, "mode") == "directory" end

-- The data directory (the one holding lexicon/ and models/), or nil and why not.
-- DOSSIER_DATA wins; then a checkout (lua/dossier/ beside corpus/); then a LuaRocks
-- tree, where the rockspec copies corpus/ into the rock's directory.
function M.dir()
  local env = os.getenv("DOSSIER_DATA")
  if env then
    if isdir(env .. "/lexicon") then return env end
    return nil, "DOSSIER_DATA=" .. env .. " has no lexicon/ directory"
  end
  local here = package.searchpath("dossier.data", package.path)
  if here then
    local root = here:match("^(.*)/lua/dossier/data%.lua$")
    if root and isdir(root .. "/corpus/lexicon") then return root .. "/corpus" end
    local tree = here:match("^(.*)/share/lua/[^/]+/dossier/data%.lua$")
    if tree then
      for _, rocks in ipairs({"rocks-5.4", "rocks"}) do
        local base = tree .. "/lib/luarocks/" .. rocks .. "/dossier"
        if isdir(base) then
          for v in lfs.dir(base) do
            if v:sub(1, 1) ~= "." and isdir(base .. "/" .. v .. "/corpus/lexicon") then
              return base .. "/" .. v .. "/corpus"
            end
          end
        end
      end
    end
  end
  return nil, "dossier's data directory (corpus/lexicon) was not found; set DOSSIER_DATA"
end

local langdata
-- The language data (word list, furniture phrases), loaded on first use.
function M.langdata()
  if not langdata then
    local dir = assert(M.dir())
    langdata = core.langdata(dir .. "/lexicon")
  end
  return langdata
end

local tagger
-- The tagger and lemmatizer (models/en-ewt.tagger, models/en-ewt.lemmas), loaded on first use.
function M.tagger()
  if not tagger then
    local dir = assert(M.dir())
    tagger = core.tagger(dir .. "/models/en-ewt.tagger", dir .. "/models/en-ewt.lemmas")
  end
  return tagger
end

local extractors = {}
-- The recognizers (entities from the bundled lexicon, lexicon/entities.tsv, then from
-- the files of `lexicons` in order, later entries overriding earlier ones; names they
-- lack from models/en-uner.ner; dates, money, percentages, citations, URLs and
-- quotations), loaded once per list of lexicon files.
function M.extractor(lexicons)
  local list = {}
  for i, p in ipairs(lexicons or {}) do
    if type(p) ~= "string" then error("lexicon: a list of file names expected", 0) end
    list[i] = p
  end
  local key = table.concat(list, "\0")
  if not extractors[key] then
    local dir = assert(M.dir())
    table.insert(list, 1, dir .. "/lexicon/entities.tsv")
    extractors[key] = core.extractor{lexicons = list, model = dir .. "/models/en-uner.ner"}
  end
  return extractors[key]
end

-- Clean-up rules: {name = bit} and the bits of every rule but those named in `off`.
M.rules = core.clean_rules()

function M.clean_bits(off)
  local bits = 0
  local skip = {}
  for _, name in ipairs(off or {}) do
    if not M.rules[name] then
      local names = {}
      for k in pairs(M.rules) do names[#names + 1] = k end
      table.sort(names)
      error(string.format("unknown clean-up rule '%s' (rules: %s)", name, table.concat(names, ", ")), 0)
    end
    skip[name] = true
  end
  for name, bit in pairs(M.rules) do
    if not skip[name] then bits = bits | bit end
  end
  return bits
end

return M
