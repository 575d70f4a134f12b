-- What cqp_compare.lua and cqp_random.lua share: a dossier corpus written as VRT and
-- encoded with CWB, dossier's matches as CQP corpus positions, and a CQP runner that
-- answers many queries in one `cqp -c` process, stops a query that takes too long and
-- goes on with the next. Needs CWB 3.4.16 (../shared/tools/build-cwb).
local io, os, string, table, math = io, os, string, table, math
local assert, ipairs, tonumber, pairs = assert, ipairs, tonumber, pairs

local M = {}

local function sh_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- Wall clock in seconds (centiseconds are enough for a timeout).
local function now()
  local f = io.open("/proc/uptime")
  if not f then return os.time() end
  local t = f:read("n")
  f:close()
  return t
end
M.now = now

--[[
** Write corpus c's documents to WORK/corpus.vrt (word, lemma, pos; <s>; <text id kind
** date>; the tokens dossier.parse gives, checked against the corpus's counts) and encode
** them as CWB corpus SAMPLE (registry WORK/registry). Returns {docs, starts, total, freq}:
** docs as c:docs() gives them, starts[k] the CQP position of document k's first token,
** freq.word/lemma/pos/kind = {value = count} over the tokens (kind: over documents).
]]
function M.export(dossier, c, prefix, work)
  assert(os.execute("mkdir -p " .. sh_quote(work .. "/data") .. " " .. sh_quote(work .. "/registry")))
  local vrt = assert(io.open(work .. "/corpus.vrt", "w"))
  local starts, docs = {}, c:docs()
  local freq = {word = {}, lemma = {}, pos = {}, kind = {}}
  local function count(t, v) t[v] = (t[v] or 0) + 1 end
  local total = 0
  for k, d in ipairs(docs) do
    local text = c:text(d.name)
    local p = dossier.parse(text, {name = d.name, clean = false})
    starts[k] = total
    vrt:write(string.format('<text id="%s" kind="%s" date="%s">\n', d.name, d.meta.kind or "", d.meta.date or ""))
    count(freq.kind, d.meta.kind or "")
    local n = 0
    for _, s in ipairs(p.sentences) do
      vrt:write("<s>\n")
      for _, t in ipairs(s.tokens) do
        local lemma, pos = t.lemma or "_", t.pos or "_"
        vrt:write(t.word, "\t", lemma, "\t", pos, "\n")
        count(freq.word, t.word); count(freq.lemma, lemma); count(freq.pos, pos)
        n = n + 1
      end
      vrt:write("</s>\n")
    end
    vrt:write("</text>\n")
    assert(n == d.tokens, string.format("%s: %d tokens parsed, %d in the corpus", d.name, n, d.tokens))
    total = total + n
  end
  vrt:close()
  local bin = prefix .. "/bin/"
  assert(os.execute(string.format("%scwb-encode -c utf8 -d %s/data -f %s/corpus.vrt -R %s/registry/sample " ..
    "-P lemma -P pos -S s -S text:0+id+kind+date >/dev/null && %scwb-makeall -r %s/registry SAMPLE >/dev/null",
    bin, work, work, work, bin, work)))
  return {docs = docs, starts = starts, total = total, freq = freq}
end

-- The document (1-based, corpus order) holding CQP position cpos.
function M.doc_of(exp, cpos)
  local lo, hi = 1, #exp.starts
  while lo < hi do
    local mid = (lo + hi + 1) // 2
    if exp.starts[mid] <= cpos then lo = mid else hi = mid - 1 end
  end
  return lo
end

-- Match set m (dossier) as a sorted list of {first, last} in CQP positions.
function M.dossier_pairs(exp, m)
  local out, docs, starts = {}, exp.docs, exp.starts
  local k = 1
  for i = 1, #m do
    local x = m[i]
    if not (docs[k].cpos <= x.first and (not docs[k + 1] or x.first < docs[k + 1].cpos)) then
      k = 1
      while docs[k + 1] and docs[k + 1].cpos <= x.first do k = k + 1 end
    end
    local d = starts[k] - docs[k].cpos
    out[#out + 1] = {x.first + d, x.last + d}
  end
  table.sort(out, function(a, b) return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2]) end)
  return out
end

-- Two sorted pair lists the same? Also the first index where they part (or nil).
function M.same_pairs(a, b)
  for i = 1, math.max(#a, #b) do
    local x, y = a[i], b[i]
    if not x or not y or x[1] ~= y[1] or x[2] ~= y[2] then return false, i end
  end
  return true
end

-- A query's strategy prefix split off: "longest", body (or nil, q).
function M.split_strategy(q)
  local strategy, body = q:match("^%(%?(%a+)%)%s*(.*)$")
  return strategy, body or q
end

--[[
** Run queries (strings, each maybe with a "(?strategy)" prefix, which becomes `set
** MatchingStrategy`) in CQP over WORK/registry's SAMPLE, as few `cqp -c` processes as
** can be: each query is `A = ...; dump A; discard A; .EOL.;` and CQP's output and errors
** go to one file read as it grows; opts.header (CQP commands) comes first. A query with no `.EOL.` after opts.timeout seconds
** (default 5) is stopped (its process killed by id) and the rest run in a new process.
** Returns results[i] = {pairs = sorted {first, last}, seconds = s} or {error = text} or
** {skipped = true, seconds = s}.
]]
function M.cqp_run(prefix, work, queries, opts)
  opts = opts or {}
  local timeout = opts.timeout or 5
  local results = {}
  local nextq = 1
  local script, out, pidf, rcf = work .. "/batch.cqp", work .. "/batch.out", work .. "/batch.pid", work .. "/batch.rc"
  local function exists(path)
    local f = io.open(path)
    if f then f:close() end
    return f ~= nil
  end
  while nextq <= #queries do
    local f = assert(io.open(script, "w"))
    f:write("SAMPLE;\n", opts.header or "")
    for i = nextq, #queries do
      local strategy, body = M.split_strategy(queries[i])
      f:write("set MatchingStrategy ", strategy or "standard", ";\nA = ", body, ";\ndump A;\ndiscard A;\n.EOL.;\n")
    end
    f:close()
    os.remove(rcf); os.remove(out); os.remove(pidf)
    assert(os.execute(string.format("sh -c '%s -r %s -c < %s > %s 2>&1 & echo $! > %s; wait $!; echo $? > %s' 2>/dev/null &",
      prefix .. "/bin/cqp", work .. "/registry", script, out, pidf, rcf)))
    while not exists(pidf) or not exists(out) do os.execute("sleep 0.01") end
    local fo = assert(io.open(out))
    local pending, pairs_, msgs, started = "", {}, {}, false
    local t0 = now()
    local function finish_query()
      local r = {seconds = now() - t0}
      local err
      for _, m in ipairs(msgs) do if m:find("Error") or m:find("ERROR") then err = true end end
      if err then r.error = table.concat(msgs, " ") else
        table.sort(pairs_, function(a, b) return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2]) end)
        r.pairs = pairs_
        if #msgs > 0 then r.messages = table.concat(msgs, " ") end
      end
      results[nextq] = r
      nextq = nextq + 1
      pairs_, msgs, t0 = {}, {}, now()
    end
    local function take(chunk)         -- whole lines of the output so far
      pending = pending .. chunk
      for line in pending:gmatch("([^\n]*)\n") do
        if not started then
          started = line:find("^CQP version") ~= nil
          if not started then msgs[#msgs + 1] = line end
        elseif line == "-::-EOL-::-" then
          if nextq <= #queries then finish_query() end
        else
          local a, b = line:match("^(%d+)\t(%d+)\t")
          if a then pairs_[#pairs_ + 1] = {tonumber(a), tonumber(b)}
          elseif line ~= "" then msgs[#msgs + 1] = line end
        end
      end
      pending = pending:match("[^\n]*$")
    end
    while nextq <= #queries do
      local ended = exists(rcf)       -- read after this: nothing more comes once it ended
      local chunk = fo:read("a")
      if chunk ~= "" then take(chunk)
      elseif ended then                -- the process ended before the last marker
        results[nextq] = {error = "cqp ended: " .. table.concat(msgs, " ")}
        nextq = nextq + 1
        break
      elseif now() - t0 > timeout then
        local p = io.open(pidf)
        local pid = p and p:read("n")
        if p then p:close() end
        if pid then os.execute("kill " .. math.tointeger(pid) .. " 2>/dev/null") end
        results[nextq] = {skipped = true, seconds = now() - t0}
        nextq = nextq + 1
        break
      else
        os.execute("sleep 0.02")
      end
    end
    fo:close()
    while not exists(rcf) do os.execute("sleep 0.02") end
  end
  return results
end

return M
