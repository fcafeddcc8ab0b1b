#include "http/negotiation.hpp"

#include <gtest/gtest.h>

namespace carnet::http {
namespace {

TEST(Negotiation, PrefersBrotliThenGzipThenIdentity) {
    EXPECT_EQ(choose_coding("gzip, deflate, br", true, true), Coding::brotli);
    EXPECT_EQ(choose_coding("gzip, deflate, br", true, false), Coding::gzip);
    EXPECT_EQ(choose_coding("gzip, deflate, br", false, false), Coding::identity);
    EXPECT_EQ(choose_coding("gzip", true, true), Coding::gzip);
    EXPECT_EQ(choose_coding("deflate", true, true), Coding::identity);
}

TEST(Negotiation, SendsIdentityWithoutAcceptEncoding) {
    EXPECT_EQ(choose_coding("", true, true), Coding::identity);
    EXPECT_EQ(choose_coding("identity", true, true), Coding::identity);
}

TEST(Negotiation, FollowsQValues) {
    EXPECT_EQ(choose_coding("gzip;q=1.0, br;q=0.5", true, true), Coding::gzip);
    EXPECT_EQ(choose_coding("gzip;q=0.5, br;q=0.5", true, true), Coding::brotli);
    EXPECT_EQ(choose_coding("br;q=0, gzip", true, true), Coding::gzip);
    EXPECT_EQ(choose_coding("br;q=0, gzip;q=0", true, true), Coding::identity);
    EXPECT_EQ(choose_coding("BR ; Q=0.8 , GZIP ; q=0.2", true, true), Coding::brotli);
}

TEST(Negotiation, ReadsWildcard) {
    EXPECT_EQ(choose_coding("*", true, true), Coding::brotli);
    EXPECT_EQ(choose_coding("*;q=0", true, true), Coding::identity);
    EXPECT_EQ(choose_coding("br;q=0, *", true, true), Coding::gzip);
    EXPECT_EQ(choose_coding("gzip;q=0.9, *;q=0.1", true, true), Coding::gzip);
}

TEST(Negotiation, IgnoresMalformedQValues) {
    EXPECT_EQ(choose_coding("br;q=high, gzip", true, true), Coding::gzip);
    EXPECT_EQ(choose_coding("br;q=2", true, false), Coding::identity);
}

TEST(IfNoneMatch, MatchesSameTagUnderWeakComparison) {
    EXPECT_TRUE(if_none_match_matches("\"abc\"", "\"abc\""));
    EXPECT_TRUE(if_none_match_matches("W/\"abc\"", "\"abc\""));
    EXPECT_TRUE(if_none_match_matches("\"abc\"", "W/\"abc\""));
    EXPECT_FALSE(if_none_match_matches("\"abd\"", "\"abc\""));
    EXPECT_FALSE(if_none_match_matches("\"abc-gz\"", "\"abc\""));
}

TEST(IfNoneMatch, SearchesList) {
    EXPECT_TRUE(if_none_match_matches("\"x\", W/\"y\" , \"abc\"", "\"abc\""));
    EXPECT_TRUE(if_none_match_matches("\"a,b\", \"abc\"", "\"abc\""));
    EXPECT_FALSE(if_none_match_matches("\"x\", \"y\"", "\"abc\""));
}

TEST(IfNoneMatch, StarMatchesAnything) {
    EXPECT_TRUE(if_none_match_matches("*", "\"abc\""));
    EXPECT_TRUE(if_none_match_matches(" * ", "\"abc\""));
}

TEST(IfNoneMatch, MalformedListMatchesNothing) {
    EXPECT_FALSE(if_none_match_matches("abc", "\"abc\""));
    EXPECT_FALSE(if_none_match_matches("\"abc", "\"abc\""));
    EXPECT_FALSE(if_none_match_matches("", "\"abc\""));
}

TEST(ConditionalGet, ReadsImfFixdatesOnly) {
    using namespace std::chrono;
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
              sys_days{1994y / 11 / 6} + 8h + 49min + 37s);
    EXPECT_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT").has_value());
    EXPECT_FALSE(parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT").has_value());
    EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT").has_value());
    EXPECT_FALSE(parse_http_date("").has_value());
}

TEST(ConditionalGet, NotModifiedWhenTheClientsCopyIsAsNew) {
    const auto modified = "Wed, 04 Oct 2017 18:19:00 GMT";
    EXPECT_TRUE(not_modified_since("Wed, 04 Oct 2017 18:19:00 GMT", modified));
    EXPECT_TRUE(not_modified_since("Thu, 05 Oct 2017 00:00:00 GMT", modified));
    EXPECT_FALSE(not_modified_since("Wed, 04 Oct 2017 18:18:59 GMT", modified));
    EXPECT_FALSE(not_modified_since("garbage", modified));
    EXPECT_FALSE(not_modified_since("Thu, 05 Oct 2017 00:00:00 GMT", ""));
}

}  // namespace
}  // namespace carnet::http
