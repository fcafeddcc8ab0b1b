// Inputs the fuzzers of fuzz/ found to break a promise of a parser, each kept as a test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "interop/mt_format.hpp"

namespace carnet::interop {
namespace {

// mt::write promises that parsing its output and writing again gives the same bytes.
void expect_mt_writes_stably(std::string_view input) {
    auto entries = mt::parse(input);
    ASSERT_TRUE(entries) << entries.error().message;
    const auto written = mt::write(*entries);
    auto again = mt::parse(written);
    ASSERT_TRUE(again) << again.error().message << "\nin\n" << written;
    EXPECT_EQ(mt::write(*again), written);
}

TEST(FuzzRegression, Mt_AnUnknownStatusIsWrittenSoThatItReadsBackTheSame) {
    expect_mt_writes_stably("STATUS:\n--------");
    expect_mt_writes_stably(
        "TITLE: x\nSTATUS: Review\nDATE: 01/02/2020 10:00:00\n-----\n"
        "BODY:\ny\n-----\n--------\n");
    // Read as a draft, kept as it was written.
    auto entries = mt::parse("STATUS: Review\nDATE: 01/02/2020 10:00:00\n--------\n");
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), 1u);
    EXPECT_EQ((*entries)[0].status, "Draft");
    EXPECT_THAT(mt::write(*entries), ::testing::HasSubstr("\nSTATUS: Review\n"));
    EXPECT_THAT(mt::write(*entries), ::testing::Not(::testing::HasSubstr("Draft")));
}

TEST(FuzzRegression, Mt_TagsWithQuotesAreWrittenSoThatTheyReadBackTheSame) {
    // A stray quote swallowed the tags after it once written back: `",A` was one tag.
    expect_mt_writes_stably("TAGS:\"\nTAGS:A\n--------");
    auto entries = mt::parse(
        "TAGS: \", a, \"b, c\", \"d \"\"e\"\"\", say \"hi\", \" f \"\nDATE: 01/02/2020 10:00:00\n"
        "--------\n");
    ASSERT_TRUE(entries) << entries.error().message;
    ASSERT_EQ(entries->size(), 1u);
    EXPECT_THAT((*entries)[0].tags,
                ::testing::ElementsAre("\"", "a", "b, c", "d \"e\"", "say \"hi\"", " f "));
    expect_mt_writes_stably(mt::write(*entries));
}

}  // namespace
}  // namespace carnet::interop
