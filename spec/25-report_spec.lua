-- The HTML report of the sample corpus: one self-contained file whose sections, links,
-- tables and drawings hold together (the browser check, make check-report, looks at it
-- in Chromium).
local H = require "helpers"
local dossier = require "dossier"

describe("the report", function()
  local html, summary
  setup(function()
    local c <close> = dossier.open(H.tmp(".db"))
    c:add("corpus/seeds", {warn = function() end})
    local path = H.tmp(".html")
    summary = require("dossier.report").write(c, path)
    html = H.read(path)
  end)
  teardown(function() H.cleanup(); H.cleanup_dirs() end)

  it("is one self-contained HTML file with every section", function()
    assert.truthy(html:match("^<!DOCTYPE html>"))
    assert.truthy(html:find('<html lang="en">', 1, true))
    for _, id in ipairs({"overview", "entities", "events", "network", "themes", "keywords", "concordances", "documents"}) do
      assert.truthy(html:find('<section id="' .. id .. '">', 1, true), id)
    end
    assert.is_nil(html:find("<script", 1, true))          -- no script
    assert.is_nil(html:find('src="http', 1, true))        -- nothing fetched
    assert.is_nil(html:find('href="http', 1, true))
    assert.is_nil(html:find("<link", 1, true))
    assert.equal(5, summary.documents)
  end)

  it("links only to places that exist, one section per document", function()
    local ids = {}
    for id in html:gmatch(' id="([^"]+)"') do
      assert.is_nil(ids[id], "id given twice: " .. id)
      ids[id] = true
    end
    local n = 0
    for target in html:gmatch('href="#([^"]*)"') do
      n = n + 1
      assert.truthy(ids[target], "dead link #" .. target)
    end
    assert.truthy(n >= 13)                                  -- 8 sections and 5 documents at least
    for i = 1, 5 do assert.truthy(ids["doc-" .. i]) end
    assert.is_nil(ids["doc-6"])
  end)

  it("gives tables header cells and drawings a size and a title", function()
    local tables, heads = 0, 0
    for _ in html:gmatch("<table") do tables = tables + 1 end
    for _ in html:gmatch("<thead><tr><th scope=\"col\"") do heads = heads + 1 end
    assert.truthy(tables > 0)
    assert.equal(tables, heads)
    for svg in html:gmatch("<svg[^>]*>") do
      assert.truthy(svg:match('viewBox="0 0 %d+ %d+"'), svg)
      assert.truthy(svg:match('role="img"'), svg)
    end
  end)

  it("passes the browser check where Chromium and playwright-core are installed", function()
    local chromium = io.open("/usr/bin/chromium")
    local pw = io.open("build/check/node_modules/playwright-core/package.json")
    if chromium then chromium:close() end
    if pw then pw:close() end
    if not chromium or not pw then
      pending("no Chromium or no build/check/node_modules/playwright-core: run make check-report")
      return
    end
    local path = H.tmp(".html")
    H.write(path, html)
    local dir = H.tmpdir("-shots")
    -- (without a sanitizer's runtime preloaded into the browser, as `make asan` does to lua)
    local ok = os.execute("env -u LD_PRELOAD NODE_PATH=build/check/node_modules node tools/check_report.cjs " .. H.quote(path) .. " "
                          .. H.quote(dir) .. " >/dev/null 2>" .. H.quote(dir .. "/err"))
    assert.is_true(ok == true or ok == 0, H.read(dir .. "/err"))
  end)

  it("keeps each frame's lines a click away, and the entities found", function()
    assert.truthy(html:find('<details id="frame-cooperation"><summary>cooperation: ', 1, true))
    -- Xi Jinping is named in four of the five documents (spec/22's table)
    assert.truthy(html:find("<td>Xi Jinping</td><td>CN</td>", 1, true))
  end)

  it("holds each document's clean text", function()
    -- a sentence of 2023-register, as the clean text has it
    local text = html:gsub("<[^>]+>", "")              -- entities are marked inside it
    assert.truthy(text:find("Technological sovereignty is the key to sustainability", 1, true))
  end)
end)
