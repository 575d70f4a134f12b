-- dossier.where: subcorpora by document metadata, in the syntax of the `::` part of a
-- CQL query (CQP's global constraints on `match.text_KEY`, written here `doc.KEY`):
--
--   doc.kind = "news"                 equal (string comparison)
--   doc.date >= "2019"                <, <=, >, >= compare strings byte by byte, so ISO
--                                     dates compare as dates ("2019-10" >= "2019")
--   doc.kind != "news"                a document without the key is != every value
--   doc.kind = "news" & doc.date < "2020" | !(doc.publisher = "ASPI")
--                                     & binds tighter than |; ! negates; parentheses
--
-- Keys are metadata keys (corpus:docs()[i].meta) plus `doc.name` (the document's name).
-- Values are quoted with " or '; a doubled quote or a backslash escapes a character.
-- Values are literal: regular expressions (`doc.kind = "news.*"` in CQP) wait for the
-- query engine's PCRE2 support. Errors name the 1-based character position.
local M = {}

-- Raise a syntax error at byte position pos of src.
local function fail(src, pos, msg)
  local char = utf8.len(src, 1, math.min(pos, #src + 1) - 1) or (pos - 1)
  error(string.format("bad metadata constraint: %s at position %d", msg, char + 1), 0)
end

-- Tokens: {kind, text, pos}; kinds: "ref" (a key), "op", "str", "word" (unquoted, an
-- error wherever it stands), "&", "|", "!", "(", ")", "eof".
local function lex(src)
  local toks, i = {}, 1
  while true do
    local s = src:match("^%s*()", i)
    i = s
    if i > #src then
      toks[#toks + 1] = {kind = "eof", pos = i}
      return toks
    end
    local c = src:sub(i, i)
    if c == '"' or c == "'" then
      local buf, j = {}, i + 1
      while true do
        local ch = src:sub(j, j)
        if ch == "" then fail(src, i, "unterminated string") end
        if ch == "\\" then
          if j + 1 > #src then fail(src, i, "unterminated string") end
          buf[#buf + 1] = src:sub(j + 1, j + 1)
          j = j + 2
        elseif ch == c then
          if src:sub(j + 1, j + 1) == c then
            buf[#buf + 1] = c
            j = j + 2
          else
            break
          end
        else
          buf[#buf + 1] = ch
          j = j + 1
        end
      end
      toks[#toks + 1] = {kind = "str", text = table.concat(buf), pos = i}
      i = j + 1
    elseif src:find("^doc%.", i) then
      local key = src:match("^doc%.([%a_][%w_%-]*)", i)
      if not key then fail(src, i + 4, "expected a metadata key after 'doc.'") end
      toks[#toks + 1] = {kind = "ref", text = key, pos = i}
      i = i + 4 + #key
    else
      local op = src:match("^!=", i) or src:match("^[<>]=", i) or src:match("^[=<>]", i)
      if op then
        toks[#toks + 1] = {kind = "op", text = op, pos = i}
        i = i + #op
      elseif c == "&" or c == "|" or c == "!" or c == "(" or c == ")" then
        toks[#toks + 1] = {kind = c, pos = i}
        i = i + 1
      elseif c:match("[%w_]") then       -- a bare word: the parser says what it wanted
        local w = src:match("^[%w_%.%-]+", i)
        toks[#toks + 1] = {kind = "word", text = w, pos = i}
        i = i + #w
      else
        fail(src, i, "unexpected character '" .. (src:match("^[%z\1-\127\194-\244][\128-\191]*", i) or c) .. "'")
      end
    end
  end
end

local compare = {
  ["="] = function(a, b) return a == b end,
  ["!="] = function(a, b) return a ~= b end,
  ["<"] = function(a, b) return a < b end,
  ["<="] = function(a, b) return a <= b end,
  [">"] = function(a, b) return a > b end,
  [">="] = function(a, b) return a >= b end,
}

-- Parse src into a predicate over documents ({name, meta}): a function(doc) -> boolean.
function M.compile(src)
  assert(type(src) == "string", "bad argument #1 to 'compile' (string expected)")
  local toks, k = lex(src), 1
  local function peek() return toks[k] end
  local function take() k = k + 1; return toks[k - 1] end
  local function describe(t)
    if t.kind == "eof" then return "end of constraint" end
    if t.kind == "str" then return "a string" end
    return "'" .. (t.text or t.kind) .. "'"
  end
  local disj
  local function primary()
    local t = take()
    if t.kind == "(" then
      local e = disj()
      local r = take()
      if r.kind ~= ")" then fail(src, r.pos, "expected ')' but found " .. describe(r)) end
      return e
    elseif t.kind == "!" then
      local e = primary()
      return function(d) return not e(d) end
    elseif t.kind == "ref" then
      local op = take()
      if op.kind ~= "op" then fail(src, op.pos, "expected a comparison (=, !=, <, <=, >, >=) but found " .. describe(op)) end
      local v = take()
      if v.kind ~= "str" then fail(src, v.pos, "expected a quoted value but found " .. describe(v)) end
      local key, cmp, value = t.text, compare[op.text], v.text
      local neq = op.text == "!="
      return function(d)
        local x
        if key == "name" then x = d.name else x = d.meta and d.meta[key] end
        if x == nil then return neq end
        return cmp(x, value)
      end
    end
    fail(src, t.pos, "expected 'doc.KEY', '!' or '(' but found " .. describe(t))
  end
  local function conj()
    local e = primary()
    while peek().kind == "&" do
      take()
      local a, b = e, primary()
      e = function(d) return a(d) and b(d) end
    end
    return e
  end
  function disj()
    local e = conj()
    while peek().kind == "|" do
      take()
      local a, b = e, conj()
      e = function(d) return a(d) or b(d) end
    end
    return e
  end
  local e = disj()
  local t = peek()
  if t.kind ~= "eof" then fail(src, t.pos, "unexpected " .. describe(t)) end
  return e
end

-- The documents of `docs` (corpus:docs()) meeting src as a string of one byte per
-- document ("\1" in, "\0" out), and their number. src nil: nil (every document), #docs.
function M.docset(docs, src)
  if src == nil then return nil, #docs end
  local pred = type(src) == "function" and src or M.compile(src)
  local out, n = {}, 0
  for i, d in ipairs(docs) do
    if pred(d) then
      out[i] = "\1"
      n = n + 1
    else
      out[i] = "\0"
    end
  end
  return table.concat(out), n
end

return M
