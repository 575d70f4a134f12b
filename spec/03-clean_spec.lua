local dossier = require "dossier"
local H = require "helpers"

local CHAPTER = "corpus/seeds/2022-sinkkonen-lassila-digital-authoritarianism.txt"

-- All sentence texts of a parsed document, as one string per sentence.
local function sentences(d)
  local out = {}
  for i, s in ipairs(d.sentences) do out[i] = s.text end
  return out
end

describe("clean-up of extraction damage", function()
  local raw, d
  setup(function()
    raw = H.read(CHAPTER)
    d = dossier.parse(raw, {name = CHAPTER})
  end)

  it("leaves no word of the PDF chapter split by a line-break hyphen", function()
    local kept = {}
    for _, c in ipairs(d.changes) do
      local w = c.what:match("^kept the hyphen of (%S+)")
      if w then kept[w] = true end
    end
    local n = 0
    for left, right in raw:gmatch("(%a+)%-\n(%l+)") do
      n = n + 1
      local joined, compound = left .. right, left .. "-" .. right
      if kept[compound] then
        assert.truthy(d.text:find(compound, 1, true), compound)
      else
        assert.truthy(d.text:find("%f[%a]" .. joined .. "%f[%A]"), joined)
      end
    end
    assert.is_true(n >= 30)
    assert.falsy(d.text:find("%a%-\n%l"))
  end)

  it("keeps footnotes and page furniture out of sentences", function()
    local notes = {}
    for _, p in ipairs(d.paragraphs) do
      if p.kind == "footnote" then notes[#notes + 1] = d.text:sub(p.from, p.to) end
    end
    assert.same({"1 See also https://career.huawei.ru/rri/en/.",
                 "2 ICANN allows participation by non-state actors."}, notes)
    for _, s in ipairs(sentences(d)) do
      assert.falsy(s:find("1See") or s:find("2ICANN"), s)
      assert.falsy(s:find("predictably supported") and s:find("%)%.2"), s)
    end
    -- the sentence cut by the footnote and the page break is whole again, without marker
    local whole = false
    for _, s in ipairs(sentences(d)) do
      whole = whole or s:find("ITU rather than in the more private Internet Corporation", 1, true) ~= nil
      assert.falsy(s:find("p. 54).2", 1, true), s)
    end
    assert.is_true(whole)
  end)

  it("joins paragraphs cut by a page break", function()
    local found
    for _, s in ipairs(sentences(d)) do
      if s:find("In Rongcheng, local government has used the private commercial score", 1, true) then found = true end
    end
    assert.is_true(found)
  end)

  it("splits paragraphs marked only by a short last line", function()
    local starts = function(doc)
      local out = {}
      for _, p in ipairs(doc.paragraphs) do out[doc.text:sub(p.from, p.from + 30)] = true end
      return out
    end
    local para = "Attitudes and policies towards "
    assert.is_true(starts(d)[para])
    assert.falsy(starts(dossier.parse(raw, {no = {"paragraphs"}, tag = false}))[para])
  end)

  it("splits hard-wrapped paragraphs without blank lines, and leaves blank-line text alone", function()
    local nFound, nTrue = 0, 0
    for _, f in ipairs(H.seed_files()) do
      if f ~= CHAPTER then
        -- text with blank lines between paragraphs: the rule finds nothing to do
        local src = H.read(f)
        local with = dossier.parse(src, {tag = false})
        local without = dossier.parse(src, {tag = false, no = {"paragraphs"}})
        assert.same(without.paragraphs, with.paragraphs)
        -- the same paragraphs hard-wrapped at 72 columns, without blank lines
        local paras = {}
        for _, p in ipairs(without.paragraphs) do
          if p.kind == "text" then paras[#paras + 1] = without.text:sub(p.from, p.to):gsub("%s+", " ") end
        end
        local function wrap(indent)
          local lines = {}
          for _, p in ipairs(paras) do
            local line = indent
            for w in p:gmatch("%S+") do
              if #line + #w > 72 and line:find("%S") then lines[#lines + 1] = line; line = "" end
              line = line .. (line:find("%S") and " " or "") .. w
            end
            lines[#lines + 1] = line
          end
          return table.concat(lines, "\n")
        end
        local function found(text)
          local doc = dossier.parse(text, {tag = false})
          local out = {}
          for _, p in ipairs(doc.paragraphs) do out[#out + 1] = doc.text:sub(p.from, p.to):gsub("%s+", " ") end
          return out
        end
        -- indented first lines mark every paragraph
        assert.same(paras, found(wrap("    ")))
        -- short last lines: every break found is a true one (a paragraph that ends on a
        -- full line cannot be told from its next)
        local got, k = found(wrap("")), 1
        for _, p in ipairs(got) do
          local joined = paras[k]
          k = k + 1
          while joined ~= p and paras[k] and #joined < #p do joined = joined .. " " .. paras[k]; k = k + 1 end
          assert.equal(p, joined)
        end
        nFound, nTrue = nFound + #got, nTrue + #paras
      end
    end
    assert.is_true(nFound > nTrue / 2, nFound .. " of " .. nTrue)
  end)

  it("finds the chapter's numbered headings", function()
    local heads = {}
    for _, p in ipairs(d.paragraphs) do
      if p.kind == "heading" then heads[#heads + 1] = d.text:sub(p.from, p.to):gsub("\n", " ") end
    end
    for _, h in ipairs({"1 Introduction", "2 Digital Surveillance and Censorship in China and Russia",
                        "3 Dilemmas for Western Tech Companies",
                        "4 Technology, Decoupling and Chinese and Russian Investment Strategies",
                        "5 Sino-Russian Cooperation and Its Limits", "6 Conclusion"}) do
      local ok = false
      for _, x in ipairs(heads) do ok = ok or x == h end
      assert.is_true(ok, h)
    end
  end)

  it("drops site boilerplate", function()
    for file, lines in pairs({
      ["2023-blog-strategic-partnership-it.txt"] = {"Leave a Reply"},
      ["2023-register-xi-putin-ai-infosec.txt"] = {"Send us news", "More about", "Other stories you might like"},
      ["2019-aspi-sino-russian-high-tech-partnership.txt"] = {"help us stay here", "Please donate today"},
    }) do
      local doc = dossier.parse(H.read(H.seeds .. "/" .. file))
      for _, l in ipairs(lines) do assert.falsy(doc.text:find(l, 1, true), file .. ": " .. l) end
    end
  end)

  it("finds a `contains` phrase anywhere in a line, and only the whole phrase", function()
    -- boilerplate.txt: `contains  please donate`; the near misses share its first letters
    local text = "The ministry signed the agreement in Moscow on Tuesday morning.\n\n" ..
      "If you value our reporting, PLEASE DONATE to keep it free.\n\n" ..
      "Please do not donate pleas, please donor lists or plead.\n\n" ..
      "The delegation returned to Beijing on Friday evening after the talks."
    local doc = dossier.parse(text)
    assert.falsy(doc.text:find("keep it free", 1, true))
    assert.truthy(doc.text:find("Please do not donate pleas, please donor lists or plead.", 1, true))
    assert.truthy(doc.text:find("returned to Beijing", 1, true))
  end)

  it("explains each change with its line, and each rule can be switched off", function()
    local seen = {}
    for _, c in ipairs(d.changes) do
      seen[c.rule] = true
      local line = 0
      for _ in (raw .. "\n"):gmatch("[^\n]*\n") do line = line + 1 end
      assert.is_true(c.line >= 1 and c.line <= line)
    end
    assert.is_true(seen.hyphens and seen.pagebreaks and seen.footnotes and seen.furniture)
    local off = dossier.parse(raw, {no = {"hyphens"}})
    assert.truthy(off.text:find("gath-\nering", 1, true))
    assert.falsy(off.text:find("1 See also", 1, true) == nil)
    local none = dossier.parse(raw, {clean = false})
    assert.same({}, none.changes)
    assert.has_error(function() dossier.parse(raw, {no = {"nope"}}) end,
      "unknown clean-up rule 'nope' (rules: boilerplate, footnotes, furniture, hyphens, pagebreaks, paragraphs, repeated)")
  end)

  it("gives every sample document its metadata", function()
    local c <close> = dossier.open(H.tmp(".db"))
    c:add(H.seeds)
    for _, doc in ipairs(c:docs()) do
      for _, k in ipairs({"title", "publisher", "date", "kind"}) do
        assert.is_string(doc.meta[k], doc.name .. ": " .. k)
      end
    end
    H.cleanup()
  end)

  describe("lines repeated across the documents of a site", function()
    -- Pages of one site: the body is prose of a sample document (its long paragraphs),
    -- around it the site's menu, a shared section heading, and its footer.
    local MENU = {"Home", "World", "Technology", "About us"}
    local FOOT = {"Share this story", "Follow us on Mastodon", "© 2023 Example Media Group"}
    local bodies = {}
    setup(function()
      local paras = {}
      for _, path in ipairs(H.seed_files()) do
        for p in (H.read(path) .. "\n\n"):gmatch("(.-)\n\n+") do
          if #p > 300 and not p:find("\n") then paras[#paras + 1] = p end
        end
      end
      for i = 1, 5 do bodies[i] = {assert(paras[2 * i - 1]), assert(paras[2 * i])} end
    end)

    local function page(i)
      return table.concat(MENU, "\n") .. "\n\n" .. bodies[i][1] .. "\n\nIntroduction\n\n" .. bodies[i][2] ..
             "\n\n" .. table.concat(FOOT, "\n") .. "\n"
    end

    local function site(n, manifest)
      local dir = H.tmpdir("-site")
      for i = 1, n do H.write(dir .. "/page" .. i .. ".txt", page(i)) end
      if manifest then H.write(dir .. "/MANIFEST.tsv", manifest) end
      return dir
    end

    it("drops a site's menu and footer lines, keeps its shared heading and every body word", function()
      local dir = site(4)
      local c <close> = dossier.open(H.tmp(".db"))
      c:add(dir, {tag = false})
      for i = 1, 4 do
        local text = c:text("page" .. i)
        for _, l in ipairs(MENU) do assert.falsy(text:find("\n" .. l .. "\n", 1, true) or text:find("^" .. l .. "\n"), l) end
        for _, l in ipairs(FOOT) do assert.falsy(text:find(l, 1, true), l) end
        assert.truthy(text:find("\n\nIntroduction\n\n", 1, true))
        assert.truthy(text:find(bodies[i][1], 1, true) == 1, "body starts the text")
        assert.truthy(text:find(bodies[i][2], 1, true))
      end
      local off <close> = dossier.open(H.tmp(".db"))
      off:add(dir, {tag = false, no = {"repeated"}})
      assert.truthy(off:text("page1"):find("Share this story", 1, true))
      H.cleanup()
      H.cleanup_dirs()
    end)

    it("looks at both ends of a large page, on several threads as on one", function()
      -- page 1 grows past the 64 KiB read at each end of a file: its menu is in the
      -- first bytes read, its footer in the last; with three pages, a line counts only
      -- when found in all three
      local dir = site(3)
      local big = {}
      for k = 1, 400 do big[k] = bodies[1 + k % 5][1] .. "\n\n" end
      H.write(dir .. "/page1.txt", table.concat(MENU, "\n") .. "\n\n" .. table.concat(big) ..
              "Introduction\n\n" .. bodies[1][2] .. "\n\n" .. table.concat(FOOT, "\n") .. "\n")
      assert.is_true(#H.read(dir .. "/page1.txt") > 2 * 65536)
      for _, jobs in ipairs({1, 2, 3}) do
        local c <close> = dossier.open(H.tmp(".db"))
        c:add(dir, {tag = false, recognize = false, jobs = jobs})
        for i = 1, 3 do
          local text = c:text("page" .. i)
          for _, l in ipairs(MENU) do assert.falsy(text:find("^" .. l .. "\n") or text:find("\n" .. l .. "\n", 1, true), l) end
          for _, l in ipairs(FOOT) do assert.falsy(text:find(l, 1, true), l) end
          assert.truthy(text:find(bodies[i][2], 1, true))
        end
      end
      H.cleanup()
      H.cleanup_dirs()
    end)

    it("takes a site from the metadata, and needs three documents and half of them", function()
      -- two publishers of two pages each: no site has three documents
      local dir = site(4, "file\tpublisher\npage1.txt\tA\npage2.txt\tA\npage3.txt\tB\npage4.txt\tB\n")
      local c <close> = dossier.open(H.tmp(".db"))
      c:add(dir, {tag = false})
      for i = 1, 4 do assert.truthy(c:text("page" .. i):find("Share this story", 1, true)) end
      -- a line in 3 of 7 pages is not the site's
      local dir7 = site(5)
      H.write(dir7 .. "/page6.txt", page(1):gsub("Follow us on Mastodon\n", ""))
      H.write(dir7 .. "/page7.txt", page(2):gsub("Follow us on Mastodon\n", ""))
      for i = 3, 5 do H.write(dir7 .. "/page" .. i .. ".txt", (page(i):gsub("Follow us on Mastodon\n", ""))) end
      local c7 <close> = dossier.open(H.tmp(".db"))
      c7:add(dir7, {tag = false})
      assert.truthy(c7:text("page1"):find("Follow us on Mastodon", 1, true))
      assert.falsy(c7:text("page1"):find("Share this story", 1, true))
      H.cleanup()
      H.cleanup_dirs()
    end)

    it("shows what it dropped: dossier clean --explain --site", function()
      local dir = site(3)
      local rc, out = H.cli({"clean", "--explain", dir .. "/page1.txt", "--site", dir .. "/page2.txt",
                             "--site", dir .. "/page3.txt"})
      assert.are.equal(0, rc)
      local n = 0
      for line, what in out:gmatch(":(%d+): repeated: dropped a line found in 3 of the site's 3 documents: ([^\n]*) %[") do
        n = n + 1
        assert.is_true(tonumber(line) >= 1)
        assert.are_not.equal("Introduction", what)
      end
      assert.are.equal(#MENU + #FOOT, n)
      H.cleanup()
      H.cleanup_dirs()
    end)
  end)
end)
