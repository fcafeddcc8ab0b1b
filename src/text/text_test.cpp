#include "text/text.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "text/clock.hpp"

namespace carnet::text {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

TEST(Dates, FormatRfc3339Rfc822AndHttpDatesWithTheGivenOffset) {
    const auto summer = sys_days{2017y / 10 / 4} + 18h + 19min;
    EXPECT_EQ(rfc3339_utc(summer), "2017-10-04T18:19:00Z");
    EXPECT_EQ(rfc3339(summer, 120), "2017-10-04T20:19:00+02:00");
    EXPECT_EQ(rfc3339(summer, -210), "2017-10-04T14:49:00-03:30");
    EXPECT_EQ(rfc3339(summer, 0), "2017-10-04T18:19:00+00:00");
    EXPECT_EQ(rfc822(summer, 120), "Wed, 04 Oct 2017 20:19:00 +0200");
    EXPECT_EQ(rfc822(summer, -210), "Wed, 04 Oct 2017 14:49:00 -0330");
    EXPECT_EQ(http_date(summer), "Wed, 04 Oct 2017 18:19:00 GMT");
}

TEST(Dates, OffsetMovesTheDayAcrossMidnightAndTheYear) {
    const auto new_year = sys_days{2016y / 12 / 31} + 23h + 30min;
    EXPECT_EQ(rfc3339(new_year, 60), "2017-01-01T00:30:00+01:00");
    EXPECT_EQ(rfc822(new_year, 60), "Sun, 01 Jan 2017 00:30:00 +0100");
    EXPECT_EQ(http_date(sys_days{2000y / 2 / 29}), "Tue, 29 Feb 2000 00:00:00 GMT");
}

TEST(Clocks, ManualClockShowsWhatItWasSetTo) {
    ManualClock clock{sys_days{2017y / 10 / 4} + 18h};
    EXPECT_EQ(clock.now(), sys_days{2017y / 10 / 4} + 18h);
    clock.advance(90s);
    EXPECT_EQ(clock.now(), sys_days{2017y / 10 / 4} + 18h + 90s);
    clock.set(sys_days{2020y / 1 / 1});
    EXPECT_EQ(clock.now(), sys_days{2020y / 1 / 1});
    const SystemClock system;
    EXPECT_GT(system.now(), sys_days{2026y / 1 / 1});
}

}  // namespace
}  // namespace carnet::text
