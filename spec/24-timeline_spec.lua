-- The timeline recipe's periods: every date value at its precision as first and last day.
local timeline = require "dossier.recipes.timeline"

describe("timeline: a date's period", function()
  it("spans a year, a month, a decade, a century and an interval", function()
    assert.same({"2015-12-07", "2015-12-07"}, {timeline.bounds("2015-12-07")})
    assert.same({"2019-01-01", "2019-12-31"}, {timeline.bounds("2019")})
    assert.same({"2020-02-01", "2020-02-29"}, {timeline.bounds("2020-02")})   -- a leap year
    assert.same({"2021-02-01", "2021-02-28"}, {timeline.bounds("2021-02")})
    assert.same({"1900-02-01", "1900-02-28"}, {timeline.bounds("1900-02")})   -- not a leap year
    assert.same({"2010-01-01", "2019-12-31"}, {timeline.bounds("201")})       -- the 2010s
    assert.same({"1900-01-01", "1999-12-31"}, {timeline.bounds("19")})        -- the 20th century
    assert.same({"2019-01-01", "2021-12-31"}, {timeline.bounds("2019/2021")})
    assert.same({"2021-03-01", "2021-04-30"}, {timeline.bounds("2021-03/2021-04")})
  end)
  it("has no period for a relative date", function()
    assert.is_nil(timeline.bounds(""))
    assert.is_nil(timeline.bounds("last month"))
    assert.is_nil(timeline.bounds("2019/later"))
  end)
end)
