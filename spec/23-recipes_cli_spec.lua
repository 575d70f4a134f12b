-- The recipes' subcommands: --help, the TSV columns the issue fixes, JSON, --db given
-- twice (counts summed), --where, and errors. Counts as in 22-recipes_spec.lua (grep).
local H = require "helpers"
local cjson = require "cjson"

local db

local function ok(args)
  local rc, out, err = H.cli(args)
  assert.equal(0, rc, err)
  return out
end

describe("recipe commands", function()
  setup(function()
    db = H.tmp(".db")
    local rc, _, err = H.cli({"index", H.seeds, "--db", db, "-q"})
    assert.equal(0, rc, err)
  end)
  teardown(H.cleanup)

  it("each has --help", function()
    for _, cmd in ipairs({"freq", "ngrams", "collocates", "keyness", "dispersion", "export"}) do
      assert.truthy(ok({cmd, "--help"}):find("Usage: dossier " .. cmd, 1, true), cmd)
    end
  end)

  it("prints the TSV columns of the issue", function()
    local heads = {
      {{"freq"}, "value\tfreq\tper_million\trange"},
      {{"ngrams", "-n", "3"}, "ngram\tfreq\trange"},
      {{"collocates", '"China"'}, "collocate\tf_xy\tf_x\tf_y\tn\twindow\texpected\tmi\tmi3\tt\tz\tll\tdice\tlogdice"},
      {{"keyness", "--target", 'doc.kind = "news"'},
       "item\tf_target\tf_reference\tn_target\tn_reference\tll\tg2\tchi2\tlog_ratio\tpct_diff\tbic\tdirection"},
      {{"dispersion", '"China"'}, "hits\tparts\trange\tjuilland_d\tdp\tdp_norm"},
      {{"dispersion", '"China"', "--by-part"}, "part\tsize\tfreq"},
    }
    for _, h in ipairs(heads) do
      local args = h[1]
      for _, x in ipairs({"--db", db, "--format", "tsv"}) do args[#args + 1] = x end
      assert.equal(h[2], ok(args):match("^[^\n]*"), args[1])
    end
  end)

  it("sums several files and reads a subcorpus", function()
    local out = ok({"freq", "--db", db, "--db", db, "--format", "tsv"})
    assert.truthy(out:find("\nChina\t236\t[%d.]+\t10\n"))
    out = ok({"freq", "--db", db, "--where", 'doc.kind = "news"', "--format", "tsv"})
    assert.truthy(out:find("\nChina\t6\t[%d.]+\t1\n"))
    local j = cjson.decode(ok({"dispersion", "--db", db, '"Huawei"', "--format", "json"}))
    assert.same({15, 2}, {j.rows[1].hits, j.rows[1].range})
    local text = ok({"ngrams", "--db", db, "-n", "2", "--min-range", "4", "--limit", "50"})
    assert.truthy(text:find("Xi Jinping%s+8%s+4"))
  end)

  it("exports to a file", function()
    local out = H.tmp(".vrt")
    ok({"export", "--db", db, "--format", "vrt", "-o", out, "--where", 'doc.kind = "news"'})
    local _, n = H.read(out):gsub("<text ", "")
    assert.equal(1, n)
  end)

  it("reports bad constraints and options", function()
    local rc, _, err = H.cli({"freq", "--db", db, "--where", 'doc.kind = news'})
    assert.equal(1, rc)
    assert.equal("dossier: bad metadata constraint: expected a quoted string at position 12\n", err)
    rc, _, err = H.cli({"freq", "--db", db, "--by", "colour"})
    assert.equal(1, rc)
    assert.truthy(err:find("no attribute 'colour'", 1, true))
    rc, _, err = H.cli({"ngrams", "--db", db, "-n", "9"})
    assert.equal(1, rc)
    assert.truthy(err:find("n must be an integer from 1 to 8", 1, true))
  end)

  -- issue 18's check: every count recomputed from `dossier export`, every statistic from
  -- the counts each TSV prints, by a plain Python script (bench/recount.py)
  it("agrees with bench/recount.py's independent recount", function()
    if not os.execute("command -v python3 >/dev/null 2>&1") then
      return pending("skipped: bench/recount.py needs python3")
    end
    local out = H.tmp(".out")
    local ok_, _, code = os.execute("python3 bench/recount.py --db " .. H.quote(db) .. " --dossier bin/dossier >" .. out .. " 2>&1")
    local text = H.read(out)
    assert.equal(0, ok_ and 0 or code, text)
    assert.truthy(text:find("13 checks, %d+ values compared, 0 differences"), text)
  end)
end)
