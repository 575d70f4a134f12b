-- The `themes` recipe on two texts made here; every count below is read off the texts.
local H = require "helpers"
local dossier = require "dossier"

describe("themes: frames by dictionary", function()
  local c
  setup(function()
    c = dossier.open(H.tmp(".db"))
    -- A: s1 China signed a cooperation agreement .  (6 tokens)   s2 Sanctions hit Russia hard .  (5)
    --    s3 The weather was fine .  (5)   = 16 tokens
    c:add_text("China signed a cooperation agreement. Sanctions hit Russia hard. The weather was fine.",
               "A", {date = "2020-05-01"}, {tag = false, recognize = false})
    -- B: s1 Russia and China compete .  (5)   s2 Nothing here .  (3)   = 8 tokens
    c:add_text("Russia and China compete. Nothing here.", "B", {date = "2021"}, {tag = false, recognize = false})
  end)
  teardown(function() c:close(); H.cleanup() end)

  local function cell(r, group, frame)
    for _, row in ipairs(r.rows) do
      if row.group == group and row.frame == frame then return row end
    end
  end

  it("counts each document's frames per 10,000 tokens", function()
    -- cooperation: cooperat* (cooperation), agreement* (agreement); sanctions: sanction*;
    -- rivalry: compete*
    local r = c:themes{by = "doc"}
    assert.same({2, 16, 1250.0}, {cell(r, "A", "cooperation").hits, cell(r, "A", "cooperation").tokens,
                                  cell(r, "A", "cooperation").per_10k})
    assert.equal(1, cell(r, "A", "sanctions").hits)
    assert.equal(0, cell(r, "A", "rivalry").hits)
    assert.same({1, 8}, {cell(r, "B", "rivalry").hits, cell(r, "B", "rivalry").tokens})
    assert.equal(0, cell(r, "B", "surveillance").hits)
    local y = c:themes{by = "year"}
    assert.same({2, 16}, {cell(y, "2020", "cooperation").hits, cell(y, "2020", "cooperation").tokens})
    assert.equal(1, cell(y, "2021", "rivalry").hits)
  end)

  it("counts frames in the sentences that mention an actor", function()
    -- China: A s1 (6 tokens) and B s1 (5): cooperation 2, rivalry 1; Russia: A s2 (5) and
    -- B s1 (5): sanctions 1, rivalry 1
    local r = c:themes{by = "actor"}
    assert.same({2, 11}, {cell(r, "China", "cooperation").hits, cell(r, "China", "cooperation").tokens})
    assert.equal(1, cell(r, "China", "rivalry").hits)
    assert.equal(0, cell(r, "China", "sanctions").hits)
    assert.same({1, 10}, {cell(r, "Russia", "sanctions").hits, cell(r, "Russia", "sanctions").tokens})
    assert.equal(0, cell(r, "Russia", "cooperation").hits)
    local w = c:themes{by = "actor", actors = {"weather"}}
    assert.equal(5, cell(w, "weather", "cooperation").tokens)
  end)

  it("reads the user's frames, and names the line of a bad one", function()
    local f = H.tmp(".tsv")
    H.write(f, "# my frames\nweather\tweather\nweather\tfine*\n")
    local r = c:themes{by = "doc", lexicon = f}
    assert.equal(2, cell(r, "A", "weather").hits)
    assert.equal(0, cell(r, "B", "weather").hits)
    H.write(f, "weather\tweather\nBad Frame\tx\n")
    local ok, err = pcall(c.themes, c, {lexicon = f})   -- (busted's has_error drops a "file:line: ")
    assert.is_false(ok)
    assert.equal(f .. ":2: expected a frame (lower case letters, digits, '-'), a TAB and a term", err)
    local code, out, err = H.cli({"themes", "--db", c.path, "--by", "year", "--format", "tsv"})
    assert.equal(0, code, err)
    assert.truthy(out:find("\n2020\tcooperation\t2\t16\t1250.000000\n", 1, true), out)
  end)
end)
