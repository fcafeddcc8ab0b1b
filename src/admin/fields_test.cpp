// The form fields the admin reads: the publication time of the editor, categories, and where
// a login may send the browser next.
#include <gtest/gtest.h>

#include "admin/admin_impl.hpp"

namespace carnet::admin {
namespace {

TEST(LocalInput, ReadsWhatADatetimeLocalInputSends) {
    auto minutes = parse_local_input("2017-10-04T20:19");
    ASSERT_TRUE(minutes.has_value());
    EXPECT_EQ(*minutes, (model::LocalDateTime{2017, 10, 4, 20, 19, 0}));
    auto seconds = parse_local_input("2017-10-04T20:19:42");
    ASSERT_TRUE(seconds.has_value());
    EXPECT_EQ(*seconds, (model::LocalDateTime{2017, 10, 4, 20, 19, 42}));
}

TEST(LocalInput, RefusesWhatIsNotADateAndTimeThatExists) {
    for (const char* wrong :
         {"", "2017-10-04", "2017-10-04 20:19", "2017-10-04T20:19Z", "2017-10-04T20:19:4",
          "2017-10-04T20:19:42.5", "2017-13-01T10:00", "2017-04-31T10:00", "2017-02-29T10:00",
          "2017-10-04T24:00", "2017-10-04T23:60", "2017-1-04T10:00", "+017-10-04T10:00",
          "2017-10-04T-1:00", "2017-10-04T20:19:60", "abcd-10-04T10:00", "2017-10-04T20:19x"}) {
        EXPECT_FALSE(parse_local_input(wrong).has_value()) << wrong;
    }
    EXPECT_TRUE(parse_local_input("2016-02-29T10:00").has_value());  // a leap year
}

TEST(LocalInput, WritesTheInstantInTheBlogsZoneAndReadsItBack) {
    const model::Instant instant{std::chrono::seconds{1'507'141'140}};  // 2017-10-04 18:19 UTC
    EXPECT_EQ(local_input_value(instant, "Europe/Paris"), "2017-10-04T20:19");
    EXPECT_EQ(local_display(instant, "Europe/Paris"), "2017-10-04 20:19");
    auto read = parse_local_input(local_input_value(instant, "Europe/Paris"));
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(*model::to_instant(*read, "Europe/Paris"), instant);
}

TEST(Categories, KeepTheOrderWrittenAndDropEmptyAndRepeatedNames) {
    auto categories = categories_from_text(" Libye, Syrte,, libye ,Misrata ");
    ASSERT_EQ(categories.size(), 3u);
    EXPECT_EQ(categories[0].name, "Libye");
    EXPECT_EQ(categories[1].name, "Syrte");
    EXPECT_EQ(categories[2].name, "Misrata");
    EXPECT_EQ(categories_text(categories), "Libye, Syrte, Misrata");
}

TEST(SafeNext, StaysInsideTheAdmin) {
    EXPECT_EQ(safe_next("/admin/blogs/1/posts"), "/admin/blogs/1/posts");
    EXPECT_EQ(safe_next("//evil.example/admin/"), "/admin/");
    EXPECT_EQ(safe_next("https://evil.example/"), "/admin/");
    EXPECT_EQ(safe_next("/admin/\\evil"), "/admin/");
}

}  // namespace
}  // namespace carnet::admin
