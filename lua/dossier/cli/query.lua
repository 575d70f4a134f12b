-- `dossier query`: the command entry (see cli.lua), in a file of its own so that a query
-- compiles no other command's code.
local cli = require "dossier.cli"
-- dossier.format at its first use: a count printed alone needs it not
local format = setmetatable({}, {__index = function(t, k)
  setmetatable(t, {__index = require "dossier.format"})
  return t[k]
end})

local eprintf, open_existing = cli.eprintf, cli.open_existing

return {
  name = "query",
  description = "Find matches of a query and print them as a concordance.",
  quick_exit = true,         -- (see cli.lua)
  options = function(c)
    c:argument("query", 'CQL query, e.g. \'"digital" "sovereignty"%c\' or \'[word="China"] [] [word="Russia"] within s\'.')
    c:option("--db", "Corpus file.", "dossier.db")
    c:flag("--count", "Print only the number of matches.")
    c:option("--sort", 'Sort by keys, comma-separated: "matchend[1] word %c, match word desc".')
    c:option("--group", 'Count matches by keys, most frequent first: "match lemma" or "match[-1] word, match word".')
    c:option("--limit", "Print at most N matches.", nil, tonumber)
    c:option("--width", "Characters of context on each side.", "40", tonumber)
    c:option("--format", "Output format.", "text"):choices({"text", "tsv", "json"})
  end,
  run = function(a)
    local corpus <close> = open_existing(a.db, true)
    -- no match: say so (nothing printed could be a failure), and why when it is plain
    local function none()
      if not a.count then eprintf("0 matches\n") end
      for attr, v in a.query:gmatch("(x?pos)%s*!?=%s*\"([^\"]*)\"") do
        if v:find("%l") and not v:find("%u") then
          eprintf("dossier: hint: %s values are upper case (%s); %%c after the value ignores case\n",
                  attr, attr == "pos" and "NOUN, VERB, ADJ, ..." or "NN, VBD, JJ, ...")
          break
        end
      end
    end
    -- the first n lines of match set m, 1,000 at a time, as text or TSV rows (the
    -- columns doc, first, last, left, match, right), made in C: no table per line
    local function print_lines(m, n, docw)
      for off = 0, n - 1, 1000 do
        print(m:kwic_text{width = a.width, offset = off, limit = math.min(1000, n - off), docw = docw,
                          format = a.format == "tsv" and "tsv" or "text"})
      end
    end
    local n = a.count and corpus._h:count_by_freq(a.query)    -- one token: from frequencies
    if n then
      if n == 0 then none() end
      print(n)
      return
    end
    if not a.sort and not a.group and a.format ~= "json" then
      -- lines (or the count) in corpus order: the documents a slice at a time, so the
      -- first lines come at once and memory stays bounded however many matches
      local ndocs, docw = corpus._h:ndocs()
      local cols = {"doc", "first", "last", "left", "match", "right"}
      if a.format == "tsv" and not a.count then print(table.concat(cols, "\t")) end
      local total, shown, cut, limit = 0, 0, 0, 0
      local from, step = 1, 16
      while from <= ndocs do
        local to = math.min(ndocs, from + step - 1)
        local m = corpus:query(a.query, {from = from, to = to})
        total, cut, limit = total + m:count(), cut + m.cut, m.limit
        local want = a.count and 0 or a.limit and math.min(a.limit - shown, m:count()) or m:count()
        print_lines(m, want, docw)
        shown = shown + want
        from, step = to + 1, math.min(step * 2, 1024)
      end
      if cut > 0 then
        eprintf("dossier: warning: %s starts ran into the longest match allowed (%d tokens) and were cut there\n",
                format.count(cut), limit)
      end
      if total == 0 then none() end
      if a.count then print(total)
      elseif a.format ~= "tsv" and shown < total then
        eprintf("(%s of %s matches shown)\n", format.count(shown), format.count(total))
      end
      return
    end
    local m = corpus:query(a.query)
    if m.cut > 0 then
      eprintf("dossier: warning: %s starts ran into the longest match allowed (%d tokens) and were cut there\n",
              format.count(m.cut), m.limit)
    end
    if m:count() == 0 then none() end
    if a.count then
      print(m:count())
      return
    end
    local function keys(s)
      local out = {}
      for k in s:gmatch("[^,]+") do out[#out + 1] = k:match("^%s*(.-)%s*$") end
      return out
    end
    if a.group then
      local groups = m:group(keys(a.group))
      local names = keys(a.group)
      if a.limit then for i = #groups, a.limit + 1, -1 do groups[i] = nil end end
      if a.format == "json" then
        local out = {}
        for i, g in ipairs(groups) do out[i] = {values = {table.unpack(g)}, count = g.count} end
        print(format.json({query = a.query, group = names, count = m:count(), groups = out}))
      else
        local rows, cols = {}, {}
        for j, n in ipairs(names) do cols[j] = n end
        cols[#cols + 1] = "count"
        for i, g in ipairs(groups) do
          local r = {count = g.count}
          for j, n in ipairs(names) do r[n] = g[j] end
          rows[i] = r
        end
        if a.format == "tsv" then print(format.tsv(rows, cols))
        elseif #rows > 0 then print(format.table(rows, cols, {max = 40})) end
      end
      return
    end
    if a.sort then m:sort(keys(a.sort)) end
    if a.format ~= "json" then               -- text and TSV: lines 1,000 at a time
      local total = a.limit and math.min(a.limit, m:count()) or m:count()
      local cols = {"doc", "first", "last", "left", "match", "right"}
      local docw = 0   -- the widest name, never cut (two cut names could look alike)
      for _, d in ipairs(corpus:docs()) do docw = math.max(docw, utf8.len(d.name) or #d.name) end
      if a.format == "tsv" then print(table.concat(cols, "\t")) end
      print_lines(m, total, docw)
      if a.format ~= "tsv" and total < m:count() then
        eprintf("(%s of %s matches shown)\n", format.count(total), format.count(m:count()))
      end
      return
    end
    local rows = m:kwic{width = a.width, limit = a.limit}
    if a.format == "json" then
      local out = {}
      for i, r in ipairs(rows) do
        out[i] = {doc = r.doc, first = r.first, last = r.last, left = r.left, match = r.match, right = r.right}
      end
      print(format.json({query = a.query, count = m:count(), matches = out}))
    end
  end,
}
