-- Slips found on documents outside the sample corpus (issue 15, item 7): each input is
-- written here, and the expected answer is what the text says, by hand.
local dossier = require "dossier"

local function sentences(s, opts)
  local out = {}
  for i, x in ipairs(dossier.parse(s, opts or {tag = false}).sentences) do out[i] = x.text end
  return out
end

local function tokens(s)
  local out, lemmas = {}, {}
  for _, x in ipairs(dossier.parse(s).sentences) do
    for _, t in ipairs(x.tokens) do out[#out + 1] = t.word; lemmas[t.word] = t.lemma end
  end
  return out, lemmas
end

describe("slips on unseen documents", function()
  it("does not end a sentence after an ordinal: The 23rd China meeting", function()
    assert.same({"The 23rd China meeting was held."}, sentences("The 23rd China meeting was held."))
    assert.same({"It was the 1st Forum.", "It ended."}, sentences("It was the 1st Forum. It ended."))
  end)

  it("does not join a web headline to the text across blank lines", function()
    local d = dossier.parse("Beijing and Moscow see no way to prevent this\n\n\nDespite efforts, the deal went on.\n",
                            {tag = false})
    assert.equal("Beijing and Moscow see no way to prevent this\n\nDespite efforts, the deal went on.", d.text)
  end)

  it("keeps acronyms as their own lemmas", function()
    local _, lemma = tokens("The MTS and BRICS deals were signed. The FSB says so.")
    assert.equal("MTS", lemma.MTS)
    assert.equal("BRICS", lemma.BRICS)
    assert.equal("FSB", lemma.FSB)
    assert.equal("deal", lemma.deals)
  end)

  it("splits over-the-counter at every hyphen, as UD does", function()
    assert.same({"over", "-", "the", "-", "counter", "drugs", "and", "e-mail"},
                (tokens("over-the-counter drugs and e-mail")))
  end)

  describe("news pages", function()
    local page = [[<html><head><title>Xi and Putin sign an AI pact | The Example Times</title></head>
<body class="has-sidebar">
<a href="#main" class="skip-link">Skip to main content</a><a href="#nav">Skip to navigation</a>
<div id="main-menu"><a href="/">Home</a> <a href="/world">World</a> <a href="/tech">Technology</a></div>
<div class="share-buttons"><a href="#">Share on X</a> <a href="#">Share on Facebook</a></div>
<div class="article-wrapper">
<h1>Xi and Putin sign an AI pact</h1>
<figure><img src="a.jpg"><figcaption>Xi Jinping and Vladimir Putin in Moscow.</figcaption></figure>
<p class="caption">Xi Jinping and Vladimir Putin in Moscow.</p>
<p>The two leaders signed an agreement on artificial intelligence and information security on
Tuesday, their ministries said. The text commits both sides to closer cooperation in
standards, research and the training of engineers, and to joint positions in international
bodies that set rules for the internet.</p>
</div>
<div class="sidebar"><h3>Most read</h3><a href="/a">Story A</a> <a href="/b">Story B</a></div>
<div id="site-footer">Copyright 2023 The Example Times. All rights reserved.</div>
<div class="cookie-banner">We use cookies. Accept</div>
</body></html>]]

    it("drop skip links, div menus, share widgets, sidebars, footers and cookie banners", function()
      local d = dossier.parse(page, {format = "html", tag = false})
      for _, s in ipairs({"Skip to", "Home", "Share on", "Most read", "Story A", "Copyright",
                          "cookies"}) do
        assert.falsy(d.text:find(s, 1, true), s .. " stays in: " .. d.text)
      end
      assert.truthy(d.text:find("The two leaders signed an agreement", 1, true))
      assert.equal("heading", d.paragraphs[1].kind)
      assert.equal("Xi and Putin sign an AI pact", d.text:sub(d.paragraphs[1].from, d.paragraphs[1].to))
    end)

    it("print a caption given twice once", function()
      local d = dossier.parse(page, {format = "html", tag = false})
      local _, n = d.text:gsub("Xi Jinping and Vladimir Putin in Moscow%.", "")
      assert.equal(1, n)
    end)

    it("take the title without the site's name after it", function()
      local d = dossier.parse(page, {format = "html", tag = false})
      assert.equal("Xi and Putin sign an AI pact", d.meta.title)
      d = dossier.parse("<title>Russia - China: a partnership</title><p>x</p>", {format = "html", tag = false})
      assert.equal("Russia - China: a partnership", d.meta.title)   -- a dash inside stays
    end)
  end)

  it("names the authors `authors` in Markdown as in HTML and PDF", function()
    local d = dossier.parse("---\nauthor: A. Writer\ntitle: T\n---\n\nText.\n", {format = "md", tag = false})
    assert.equal("A. Writer", d.meta.authors)
    assert.is_nil(d.meta.author)
  end)
end)
