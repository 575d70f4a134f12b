-- Apostrophes: `norm` folds ’ and ʼ to ', so a query on norm finds every form; `%c` folds
-- case only, as CQP's; a clitic standing alone is one token. Counts come from the raw text
-- of the sample corpus (plain string search), not from dossier.
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

  it("are folded in norm, not by %c: \"China's\"%c finds China's and CHINA'S, not China’s", function()
    local raw = {}
    for _, p in ipairs(H.seed_files()) do raw[#raw + 1] = H.read(p) end
    local all = table.concat(raw, "\n"):lower()      -- the forms are ASCII but the apostrophe
    local function count(form)
      local n, start = 0, 1
      while true do
        local a, b = all:find(form, start, true)
        if not a then return n end
        n, start = n + 1, b + 1
      end
    end
    local straight, curly, modifier = count("china's"), count("china’s"), count("chinaʼs")
    assert.is_true(straight >= 4 and curly >= 15, straight .. " " .. curly)   -- counted by hand
    local c <close> = dossier.open(H.tmp(".db"))
    c:add(H.seeds)
    assert.equal(straight, c:query([["China's"%c]]):count())
    assert.equal(curly, c:query([["China’s"%c]]):count())
    assert.equal(straight + curly + modifier, c:query([=[[norm="china"] [norm="'s"]]=]):count())
    assert.equal(straight + curly + modifier, c:query([=["China"%c [word="['’ʼ]s"%c]]=]):count())
    local cased = select(2, table.concat(raw, "\n"):gsub("China's", ""))
    assert.equal(cased, c:query([["China's"]]):count())   -- word keeps the text's form
  end)

  it("fold in norm in a document added as text too (ʼ, U+02BC)", function()
    local c <close> = dossier.open(H.tmp(".db"))
    c:add_text("Russiaʼs plan and Russia’s plan and RUSSIA'S plan.", "r")
    assert.equal(1, c:query([["Russia's"%c]]):count())
    assert.equal(1, c:query([["Russiaʼs"%c]]):count())
    assert.equal(3, c:query('[norm="russia"] [norm="\'s"]'):count())
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
