-- dossier.where: the metadata constraint of --where (the syntax of CQL's `::` part),
-- evaluated by the query engine's own `::` code on a corpus of five documents whose
-- metadata is set here, and its errors by position. Expected sets are read off the
-- metadata below by hand.
local H = require "helpers"
local dossier = require "dossier"
local where = require "dossier.where"

local META = {
  {"a", {kind = "news", date = "2023-03", publisher = "The Register"}},
  {"b", {kind = "policy-brief", date = "2019-10"}},
  {"c", {kind = "news-analysis", date = "2015-12-07"}},
  {"d", {kind = "book-chapter", date = "2022"}},
  {"e", {}},
}

local corpus

-- The names of the documents meeting src, joined in corpus order.
local function pick(src)
  local set = where.docset(corpus._h, src)
  local out = {}
  for i, d in ipairs(corpus:docs()) do
    if set:sub(i, i) == "\1" then out[#out + 1] = d.name end
  end
  table.sort(out)
  return table.concat(out)
end

local function err(src)
  local ok, msg = pcall(where.docset, corpus._h, src)
  assert.is_false(ok, src)
  return msg
end

describe("metadata constraints", function()
  setup(function()
    corpus = dossier.open(H.tmp(".db"))
    for _, m in ipairs(META) do corpus:add_text("Text of document " .. m[1] .. ".", m[1], m[2]) end
    corpus:add_text("Say hi.", 'say "hi"', {})
    corpus:add_text("It is.", "it's", {})
  end)
  teardown(function()
    corpus:close()
    H.cleanup()
  end)

  it("compares with every operator", function()
    assert.equal("a", pick('doc.kind = "news"'))
    assert.equal("bcde", pick('doc.kind != "news" & doc.name = "[a-e]"'))   -- e has no kind: != holds
    assert.equal("abd", pick('doc.date >= "2019"'))         -- "2019-10" >= "2019"
    assert.equal("ad", pick('doc.date > "2019-10"'))
    assert.equal("c", pick('doc.date < "2019"'))
    assert.equal("bc", pick("doc.date <= '2019-10'"))
    assert.equal("b", pick('doc.name = "b"'))
  end)

  it("matches regular expressions against the whole value, as CQL's :: does", function()
    assert.equal("ab", pick('doc.kind = "news|policy-brief"'))
    assert.equal("ac", pick('doc.kind = "news.*"'))
    assert.equal("", pick('doc.kind = "new"'))              -- the whole value, not a part
    assert.equal("a", pick('doc.kind = "NEWS"%c'))
    assert.equal("bd", pick('doc.kind = ".*-(brief|chapter)"'))
    assert.equal("cde", pick('doc.kind != "news|policy-brief" & doc.name = "[a-e]"'))
    -- the same documents as the query's own `::` (every document has a token "Text" or more)
    local n = 0
    for _ in pick('doc.kind = "news.*"'):gmatch(".") do n = n + 1 end
    assert.equal(n, #corpus:query('"Text" :: doc.kind = "news.*"'))
  end)

  it("combines with &, |, ! and parentheses, & binding tighter", function()
    assert.equal("ab", pick('doc.kind = "news" | doc.kind = "policy-brief"'))
    assert.equal("a", pick('doc.kind = "news" & doc.date >= "2020"'))
    -- b's "2019-10" is not > "2019": dates compare to the shorter one's precision
    assert.equal("ad", pick('doc.kind = "news" | doc.kind = "policy-brief" & doc.date > "2019" | doc.date >= "2022"'))
    assert.equal("abd", pick('doc.kind = "news" | doc.kind = "policy-brief" & doc.date >= "2019" | doc.date >= "2022"'))
    assert.equal("", pick('(doc.kind = "news" | doc.kind = "policy-brief") & doc.date < "2019"'))
    assert.equal("cde", pick('!(doc.kind = "news" | doc.kind = "policy-brief") & doc.name = "[a-e]"'))
    assert.equal("a", pick('!!doc.kind = "news"'))
  end)

  it("reads quotes in values", function()
    assert.equal('say "hi"', pick([[doc.name = 'say "hi"']]))
    assert.equal("it's", pick([[doc.name = "it's"]]))
  end)

  it("gives every document for no constraint", function()
    local set, n = where.docset(corpus._h, nil)
    assert.is_nil(set); assert.equal(7, n)
    assert.equal(2, select(2, where.docset(corpus._h, 'doc.date >= "2022"')))
  end)

  it("names the position of each error", function()
    local P = "bad metadata constraint: "
    assert.equal(P .. "expected label.attribute, doc.key or match.text_key at position 1", err('kind = "news"'))
    assert.equal(P .. "expected a quoted string at position 12", err('doc.kind = news'))
    assert.equal(P .. "expected a metadata key at position 5", err('doc. = "x"'))
    assert.equal(P .. "expected '=', '!=', '<', '<=', '>' or '>=' at position 10", err('doc.kind "news"'))
    assert.equal(P .. "expected a quoted string at position 11", err("doc.kind ="))
    assert.equal(P .. "unterminated string at position 12", err('doc.kind = "news'))
    assert.equal(P .. "expected ')' or an operator at position 19", err('(doc.kind = "news"'))
    assert.equal(P .. "expected '=', '!=', '<', '<=', '>' or '>=' at position 10", err('doc.kind ~ "x"'))
    assert.equal(P .. "expected label.attribute, doc.key or match.text_key at position 18", err('doc.kind = "x" | '))
    -- positions count characters, not bytes
    assert.equal(P .. "expected label.attribute, doc.key or match.text_key at position 15", err('doc.k = "é" & § '))
    assert.equal(P .. "expected label.attribute, doc.key or match.text_key at position 1", err(""))
    assert.equal(P .. "unknown metadata key 'nokey' (known: date, kind, publisher, name) at position 1",
                 err('doc.nokey = "x"'))
    assert.equal(P .. "'<', '<=', '>', '>=' compare ISO dates: expected \"2019\", \"2019-10\" or \"2019-10-07\" at position 18",
                 err('doc.kind = "x" | doc.date > "soon"'))
    assert.equal(P .. "a metadata constraint only (doc.KEY = \"VALUE\" ...), not within, containing or expand at position 24",
                 err('doc.kind = "x" within s'))
    assert.equal(P .. "unknown label 'a' at position 1", err('a.word = "x"'))
    assert.truthy(err('doc.kind = "("'):find("^" .. P .. "bad regular expression: .* at position 1$"))
  end)
end)
