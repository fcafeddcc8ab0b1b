// The line diff the revisions page shows.
#include "admin/diff.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace carnet::admin {
namespace {

TEST(Diff, MarksRemovedAndAddedLinesAlongTheCommonOnes) {
    auto lines = diff_lines("a\nb\nc\n", "a\nc\nd\n");
    std::string shown;
    for (const auto& line : lines) {
        shown += line.kind == DiffLine::Kind::same      ? " "
                 : line.kind == DiffLine::Kind::removed ? "-"
                                                        : "+";
        shown += line.text + "|";
    }
    EXPECT_EQ(shown, " a|-b| c|+d|");
}

}  // namespace
}  // namespace carnet::admin
