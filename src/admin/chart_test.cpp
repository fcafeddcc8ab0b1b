// The dashboard's chart of posts per month.
#include "admin/chart.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace carnet::admin {
namespace {

TEST(Chart, DrawsOneBarPerMonthOverTwoYears) {
    const auto svg =
        posts_per_month_svg({{2026, 11, 8}, {2025, 1, 2}, {2020, 5, 99}}, 2026, 11, "Notes & mois");
    EXPECT_EQ(std::count(svg.begin(), svg.end(), '\n'), 0);
    std::size_t bars = 0;
    for (auto at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1)) {
        ++bars;
    }
    EXPECT_EQ(bars, 24u);
    EXPECT_NE(svg.find("2026-11: 8"), std::string::npos);
    EXPECT_NE(svg.find("2025-01: 2"), std::string::npos);
    EXPECT_EQ(svg.find("2020-05"), std::string::npos);  // outside the window
    EXPECT_NE(svg.find("Notes &amp; mois"), std::string::npos);
}

}  // namespace
}  // namespace carnet::admin
