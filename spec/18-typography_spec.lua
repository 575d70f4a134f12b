-- Apostrophes: `norm` folds ’ and ʼ to ', so a case-insensitive query finds both; a
-- clitic standing alone is one token. Counts come from the raw text of the sample
-- corpus (plain string search), not from dossier.
local dossier = require "dossier"
local H = require "helpers"

local function words(s)
  local out = {}
  for _, sent in ipairs(dossier.parse(s, {tag = false, clean = false}).sentences) do
    for _, t in ipairs(sent.tokens) do out[#out + 1] = t.word end
  end
  return out
end

describe("apostrophes", function()
  after_each(H.cleanup)

  it("are folded in norm: \"China's\"%c finds China’s and China's", function()
    local raw, n = {}, 0
    for _, p in ipairs(H.seed_files()) do raw[#raw + 1] = H.read(p) end
    local all = table.concat(raw, "\n")
    for _, form in ipairs({"China's", "China’s", "CHINA'S", "CHINA’S", "chinaʼs", "Chinaʼs"}) do
      local start = 1
      while true do
        local a, b = all:find(form, start, true)
        if not a then break end
        n = n + 1
        start = b + 1
      end
    end
    assert.is_true(n >= 19)                       -- 15 curly and 4 straight, counted by hand
    local c <close> = dossier.open(H.tmp(".db"))
    c:add(H.seeds)
    assert.equal(n, c:query([["China's"%c]]):count())
    assert.equal(n, c:query([["China’s"%c]]):count())
    local straight = select(2, all:gsub("China's", ""))
    assert.equal(straight, c:query([["China's"]]):count())   -- word keeps the text's form
  end)

  it("fold in a document added as text too (ʼ, U+02BC)", function()
    local c <close> = dossier.open(H.tmp(".db"))
    c:add_text("Russiaʼs plan and Russia’s plan and Russia's plan.", "r")
    assert.equal(3, c:query([["Russia's"%c]]):count())
    assert.equal(3, c:query('[norm="\'s"]'):count())
  end)

  it("leave a clitic standing alone one token", function()
    assert.same({"'s"}, words("'s"))
    assert.same({"’s"}, words("’s"))
    assert.same({"the", "'s", "form"}, words("the 's form"))
    assert.same({"the", "'", "sound", "'"}, words("the 'sound'"))    -- a quotation stays apart
    assert.same({"China", "’s", "plan"}, words("China’s plan"))
  end)

  it("split a number's 's alike with either apostrophe, and read no byte past the text", function()
    assert.same({"the", "80", "'s", "music"}, words("the 80's music"))
    assert.same({"the", "80", "’s", "music"}, words("the 80’s music"))
    assert.same({":", ":", "0", "’", ":", ":", "0", "’"}, words("::0’::0’"))   -- found by fuzz_fts5
  end)
end)
