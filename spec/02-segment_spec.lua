local dossier = require "dossier"
local H = require "helpers"

-- Run one of Unicode's official break test files: each line lists code points in hex
-- with ÷ (break) or × (no break) between them.
local function run_official(file, segment)
  local path, why = H.data_file("unicode-15.0/" .. file, "Unicode's " .. file)
  if not path then return pending(why) end
  local f = assert(io.open(path, "rb"))
  local n, failed = 0, {}
  for line in f:lines() do
    local rule = line:gsub("#.*", "")
    if rule:find("%S") then
      n = n + 1
      local want, cur = {}, {}
      for mark, hex in rule:gmatch("([÷×])%s*(%x*)") do
        if mark == "÷" and #cur > 0 then want[#want + 1] = table.concat(cur); cur = {} end
        if hex ~= "" then cur[#cur + 1] = utf8.char(tonumber(hex, 16)) end
      end
      local got = segment(table.concat(want))
      local same = #got == #want
      for i = 1, #want do same = same and got[i] == want[i] end
      if not same then failed[#failed + 1] = rule end
    end
  end
  f:close()
  return n, failed
end

describe("UAX #29", function()
  it("passes WordBreakTest.txt in full", function()
    local n, failed = run_official("WordBreakTest.txt", dossier.uax29.words)
    if not n then return end
    assert.equal(1823, n)
    assert.same({}, failed)
  end)

  it("passes SentenceBreakTest.txt in full", function()
    local n, failed = run_official("SentenceBreakTest.txt", dossier.uax29.sentences)
    if not n then return end
    assert.equal(502, n)
    assert.same({}, failed)
  end)

  it("segments English prose", function()
    assert.same({"Don't", " ", "stop", ".", " ", "U.S", ".", " ", "policy"},
      dossier.uax29.words("Don't stop. U.S. policy"))
    assert.same({"He left. ", "She stayed."}, dossier.uax29.sentences("He left. She stayed."))
  end)

  it("refuses invalid UTF-8", function()
    assert.has_error(function() dossier.uax29.words("ab\xffc") end, "invalid UTF-8 at byte 2")
  end)
end)
