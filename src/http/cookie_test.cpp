#include <gtest/gtest.h>

#include "http/http.hpp"

namespace carnet::http {
namespace {

Request with_cookies(std::initializer_list<std::string> values) {
    Request request;
    request.headers.emplace_back("Host", "blog.example.org");
    for (const std::string& value : values) request.headers.emplace_back("Cookie", value);
    return request;
}

TEST(Cookie, FindsEachOfSeveralCookies) {
    Request request = with_cookies({"sid=abc123; theme=dark;lang=fr"});
    EXPECT_EQ(request.cookie("sid"), "abc123");
    EXPECT_EQ(request.cookie("theme"), "dark");
    EXPECT_EQ(request.cookie("lang"), "fr");
    EXPECT_EQ(request.cookie("missing"), std::nullopt);
}

TEST(Cookie, IgnoresSpacesAroundNamesAndValues) {
    Request request = with_cookies({"  sid = abc ;\ttheme=dark\t; "});
    EXPECT_EQ(request.cookie("sid"), "abc");
    EXPECT_EQ(request.cookie("theme"), "dark");
}

TEST(Cookie, StripsQuotesAroundValue) {
    Request request = with_cookies({"a=\"quoted\"; b=\"\"; c=\"half"});
    EXPECT_EQ(request.cookie("a"), "quoted");
    EXPECT_EQ(request.cookie("b"), "");
    EXPECT_EQ(request.cookie("c"), "\"half");
}

TEST(Cookie, ReturnsFirstOfDuplicateNames) {
    Request request = with_cookies({"sid=first; sid=second"});
    EXPECT_EQ(request.cookie("sid"), "first");
}

TEST(Cookie, ReadsSeveralCookieHeadersInOrder) {
    Request request = with_cookies({"a=1", "b=2; a=3"});
    request.headers.emplace_back("cookie", "c=4");
    EXPECT_EQ(request.cookie("a"), "1");
    EXPECT_EQ(request.cookie("b"), "2");
    EXPECT_EQ(request.cookie("c"), "4");
}

TEST(Cookie, SkipsMalformedPairs) {
    Request request = with_cookies({"novalue; =orphan; ;; ok=yes; also=; x==y"});
    EXPECT_EQ(request.cookie("novalue"), std::nullopt);
    EXPECT_EQ(request.cookie(""), std::nullopt);
    EXPECT_EQ(request.cookie("ok"), "yes");
    EXPECT_EQ(request.cookie("also"), "");
    EXPECT_EQ(request.cookie("x"), "=y");
}

TEST(Cookie, NamesAreCaseSensitive) {
    Request request = with_cookies({"SID=upper"});
    EXPECT_EQ(request.cookie("sid"), std::nullopt);
    EXPECT_EQ(request.cookie("SID"), "upper");
}

TEST(Cookie, KeepsValueUndecoded) {
    Request request = with_cookies({"q=a%20b+c"});
    EXPECT_EQ(request.cookie("q"), "a%20b+c");
}

TEST(Cookie, AnswersNothingWithoutCookieHeader) {
    Request request;
    EXPECT_EQ(request.cookie("sid"), std::nullopt);
}

TEST(SetCookie, BuildsDefaultAttributes) {
    auto header = set_cookie_header(CookieOptions{.name = "sid", .value = "abc"});
    ASSERT_TRUE(header) << header.error().message;
    EXPECT_EQ(*header, "sid=abc; Path=/; HttpOnly; SameSite=Lax");
}

TEST(SetCookie, BuildsEveryAttribute) {
    auto header = set_cookie_header(CookieOptions{.name = "sid",
                                                  .value = "x.y-z_1",
                                                  .path = "/admin/",
                                                  .max_age = 3600,
                                                  .http_only = false,
                                                  .same_site = SameSite::strict,
                                                  .secure = true});
    ASSERT_TRUE(header) << header.error().message;
    EXPECT_EQ(*header, "sid=x.y-z_1; Path=/admin/; Max-Age=3600; Secure; SameSite=Strict");
}

TEST(SetCookie, AcceptsSameSiteNoneWithSecure) {
    auto header = set_cookie_header(
        CookieOptions{.name = "a", .value = "", .same_site = SameSite::none, .secure = true});
    ASSERT_TRUE(header) << header.error().message;
    EXPECT_EQ(*header, "a=; Path=/; Secure; HttpOnly; SameSite=None");
}

TEST(SetCookie, RefusesSameSiteNoneWithoutSecure) {
    auto header =
        set_cookie_header(CookieOptions{.name = "a", .value = "b", .same_site = SameSite::none});
    ASSERT_FALSE(header);
    EXPECT_EQ(header.error().code, Error::Code::invalid_input);
}

TEST(SetCookie, RefusesNamesThatWouldBreakTheHeader) {
    for (std::string name : std::initializer_list<std::string>{
             "", "a b", "a;b", "a,b", "a=b", "a\r\nSet-Cookie: x", "a\tb", std::string("a\0b", 3),
             "caf\xC3\xA9", "a\"b", "a\x7f"}) {
        auto header = set_cookie_header(CookieOptions{.name = name, .value = "v"});
        ASSERT_FALSE(header) << "name: " << name;
        EXPECT_EQ(header.error().code, Error::Code::invalid_input);
    }
}

TEST(SetCookie, RefusesValuesThatWouldBreakTheHeader) {
    for (std::string value : std::initializer_list<std::string>{
             "a b", "a;b", "a,b", "a\r\nX: y", "a\nb", "\"quoted\"", "a\\b", std::string("a\0b", 3),
             "caf\xC3\xA9", "a\x01"}) {
        auto header = set_cookie_header(CookieOptions{.name = "n", .value = value});
        ASSERT_FALSE(header) << "value: " << value;
        EXPECT_EQ(header.error().code, Error::Code::invalid_input);
    }
}

TEST(SetCookie, RefusesBadPathAndNegativeMaxAge) {
    EXPECT_FALSE(set_cookie_header(CookieOptions{.name = "n", .value = "v", .path = "/a;b"}));
    EXPECT_FALSE(set_cookie_header(CookieOptions{.name = "n", .value = "v", .path = "/a\r\n"}));
    EXPECT_FALSE(set_cookie_header(CookieOptions{.name = "n", .value = "v", .path = "admin"}));
    EXPECT_FALSE(set_cookie_header(CookieOptions{.name = "n", .value = "v", .max_age = -1}));
}

TEST(SetCookie, DeletesWithEmptyValueAndZeroMaxAge) {
    auto header = delete_cookie_header(CookieOptions{
        .name = "sid", .value = "ignored", .path = "/admin/", .max_age = 3600, .secure = true});
    ASSERT_TRUE(header) << header.error().message;
    EXPECT_EQ(*header, "sid=; Path=/admin/; Max-Age=0; Secure; HttpOnly; SameSite=Lax");
}

TEST(SetCookie, DeleteRefusesBadName) {
    EXPECT_FALSE(delete_cookie_header(CookieOptions{.name = "a;b"}));
}

TEST(SetCookie, BuiltHeaderReadsBackThroughCookie) {
    auto header = set_cookie_header(CookieOptions{.name = "sid", .value = "tok3n"});
    ASSERT_TRUE(header);
    // What a browser sends back is the name=value pair before the first ';'.
    Request request = with_cookies({header->substr(0, header->find(';'))});
    EXPECT_EQ(request.cookie("sid"), "tok3n");
}

}  // namespace
}  // namespace carnet::http
