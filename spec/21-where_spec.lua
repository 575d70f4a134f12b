-- dossier.where: the metadata constraint of --where (CQL's `::` part), parsed and
-- applied to documents, and its errors by position.
local where = require "dossier.where"

local docs = {
  {name = "a", meta = {kind = "news", date = "2023-03", publisher = "The Register"}},
  {name = "b", meta = {kind = "policy-brief", date = "2019-10"}},
  {name = "c", meta = {kind = "news-analysis", date = "2015-12-07"}},
  {name = "d", meta = {kind = "book-chapter", date = "2022"}},
  {name = "e", meta = {}},
}

-- The names of the documents meeting src, joined.
local function pick(src)
  local set = where.docset(docs, src)
  local out = {}
  for i = 1, #docs do
    if set:sub(i, i) == "\1" then out[#out + 1] = docs[i].name end
  end
  return table.concat(out)
end

local function err(src)
  local ok, msg = pcall(where.compile, src)
  assert.is_false(ok, src)
  return msg
end

describe("metadata constraints", function()
  it("compares with every operator", function()
    assert.equal("a", pick('doc.kind = "news"'))
    assert.equal("bcde", pick('doc.kind != "news"'))       -- e has no kind: != holds
    assert.equal("abd", pick('doc.date >= "2019"'))         -- "2019-10" >= "2019"
    assert.equal("ad", pick('doc.date > "2019-10"'))
    assert.equal("c", pick('doc.date < "2019"'))
    assert.equal("bc", pick("doc.date <= '2019-10'"))
    assert.equal("b", pick('doc.name = "b"'))
  end)

  it("combines with &, |, ! and parentheses, & binding tighter", function()
    assert.equal("ab", pick('doc.kind = "news" | doc.kind = "policy-brief"'))
    assert.equal("a", pick('doc.kind = "news" & doc.date >= "2020"'))
    assert.equal("abd", pick('doc.kind = "news" | doc.kind = "policy-brief" & doc.date > "2019" | doc.date = "2022"'))
    assert.equal("", pick('(doc.kind = "news" | doc.kind = "policy-brief") & doc.date < "2019"'))
    assert.equal("cde", pick('!(doc.kind = "news" | doc.kind = "policy-brief")'))
    assert.equal("bcde", pick('!doc.kind = "news"'))
    assert.equal("a", pick('!!doc.kind = "news"'))
  end)

  it("unescapes doubled quotes and backslashes", function()
    local d = {{name = 'say "hi"', meta = {}}, {name = "it's", meta = {}}}
    assert.equal("\1\0", (where.docset(d, 'doc.name = "say ""hi"""')))
    assert.equal("\1\0", (where.docset(d, [[doc.name = "say \"hi\""]])))
    assert.equal("\0\1", (where.docset(d, "doc.name = 'it''s'")))
  end)

  it("gives every document for no constraint", function()
    local set, n = where.docset(docs, nil)
    assert.is_nil(set); assert.equal(5, n)
    assert.equal(2, select(2, where.docset(docs, 'doc.date >= "2022"')))
  end)

  it("names the position of each error", function()
    assert.equal("bad metadata constraint: expected 'doc.KEY', '!' or '(' but found 'kind' at position 1",
                 err('kind = "news"'))
    assert.equal("bad metadata constraint: expected a quoted value but found 'news' at position 12",
                 err('doc.kind = news'))
    assert.equal("bad metadata constraint: expected a metadata key after 'doc.' at position 5", err('doc. = "x"'))
    assert.equal("bad metadata constraint: expected a comparison (=, !=, <, <=, >, >=) but found a string at position 10",
                 err('doc.kind "news"'))
    assert.equal("bad metadata constraint: expected a quoted value but found end of constraint at position 11",
                 err("doc.kind ="))
    assert.equal("bad metadata constraint: unterminated string at position 12", err('doc.kind = "news'))
    assert.equal("bad metadata constraint: expected ')' but found end of constraint at position 19",
                 err('(doc.kind = "news"'))
    assert.equal("bad metadata constraint: unexpected ')' at position 18", err('doc.kind = "news")'))
    assert.equal("bad metadata constraint: unexpected character '~' at position 10", err('doc.kind ~ "x"'))
    assert.equal("bad metadata constraint: expected 'doc.KEY', '!' or '(' but found '&' at position 1", err('& doc.a = "b"'))
    assert.equal("bad metadata constraint: expected 'doc.KEY', '!' or '(' but found end of constraint at position 18",
                 err('doc.kind = "x" | '))
    -- positions count characters, not bytes
    assert.equal("bad metadata constraint: unexpected character '§' at position 15", err('doc.k = "é" & § '))
    assert.equal("bad metadata constraint: expected 'doc.KEY', '!' or '(' but found end of constraint at position 1", err(""))
  end)
end)
