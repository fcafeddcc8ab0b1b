#include "http/target.hpp"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>
#include <cctype>
#include <string>
#include <vector>

#include "http/http.hpp"

namespace carnet::http {
namespace {

TEST(Target, DecodesPathAndKeepsQueryRaw) {
    auto target = parse_target("/caf%C3%A9/list%20one/?q=etat+islamique&p=%C3%A9");
    ASSERT_TRUE(target) << target.error().message;
    EXPECT_EQ(target->path, "/caf\xC3\xA9/list one/");
    EXPECT_EQ(target->query, "q=etat+islamique&p=%C3%A9");
}

TEST(Target, HasEmptyQueryWithoutQuestionMark) {
    auto target = parse_target("/archive/2017/");
    ASSERT_TRUE(target);
    EXPECT_EQ(target->path, "/archive/2017/");
    EXPECT_EQ(target->query, "");
}

TEST(Target, AcceptsAbsoluteForm) {
    auto target = parse_target("http://example.org/a%20b?x=1");
    ASSERT_TRUE(target);
    EXPECT_EQ(target->path, "/a b");
    EXPECT_EQ(target->query, "x=1");
}

TEST(Target, RejectsDotSegmentsPlainOrEncoded) {
    for (const char* bad : {"/a/../b", "/a/%2e%2e/b", "/a/%2E%2E", "/..", "/a/./b", "/a/%2e/b",
                            "/a/.%2F./b", "/a/..?x=1"}) {
        auto target = parse_target(bad);
        EXPECT_FALSE(target) << bad;
        if (!target) {
            EXPECT_EQ(target.error().code, Error::Code::invalid_input);
        }
    }
    EXPECT_TRUE(parse_target("/a/..b/c.d/...txt"));
}

TEST(Target, RejectsInvalidPercentEncoding) {
    EXPECT_FALSE(parse_target("/a%zzb"));
    EXPECT_FALSE(parse_target("/a%2"));
    EXPECT_FALSE(parse_target("/a?b=%g1"));
}

TEST(Target, RejectsNul) { EXPECT_FALSE(parse_target("/a%00b")); }

TEST(Target, RejectsWhatIsNeitherOriginNorAbsoluteForm) {
    EXPECT_FALSE(parse_target("*"));
    EXPECT_FALSE(parse_target("relative/path"));
    EXPECT_FALSE(parse_target(""));
}

// Plain targets and host names take a path of their own, without Boost.URL: what they give
// must be what Boost.URL gives, for every character a plain target may hold and for the
// ones that send it to Boost.URL.
TEST(Target, APlainTargetGivesWhatTheFullParseGives) {
    const std::string plain = "-._~!$&'()*+,;=:@/?";
    std::vector<std::string> targets{"/",
                                     "//double/slash",
                                     "/archive/2017/10/04/titre.html",
                                     "/list/libye/page/2/",
                                     "/search?q=etat+islamique&page=2",
                                     "/a?b?c=d",
                                     "/a?",
                                     "/@user:name;param=1",
                                     "/a/..b/c.d/...txt"};
    for (const char c : plain) targets.push_back(std::string("/x") + c + "y?z" + c + "w");
    for (const auto& text : targets) {
        SCOPED_TRACE(text);
        auto full = boost::urls::parse_origin_form(text);
        ASSERT_TRUE(full);
        auto target = parse_target(text);
        ASSERT_TRUE(target) << target.error().message;
        std::string path = full->path();
        if (path.empty()) path = "/";
        EXPECT_EQ(target->path, path);
        EXPECT_EQ(target->query, full->has_query() ? std::string(full->encoded_query()) : "");
    }
    // Dot segments are refused on the plain path as on the other.
    for (const char* bad : {"/a/../b", "/./", "/a/.", "/..?x=1"})
        EXPECT_FALSE(parse_target(bad)) << bad;
    // Anything else goes through Boost.URL, which decodes or refuses it.
    EXPECT_EQ(parse_target("/caf%C3%A9").value().path, "/caf\xC3\xA9");
    EXPECT_FALSE(parse_target("/a b"));
    EXPECT_FALSE(parse_target("/a\"b"));
    EXPECT_FALSE(parse_target("/a#fragment"));
}

TEST(Host, APlainNameGivesWhatTheFullParseGives) {
    for (const char* text : {"example.org", "Blog.Example.ORG:8080", "127.0.0.1:80", "localhost",
                             "-odd-.name", "a..b", "x:0"}) {
        SCOPED_TRACE(text);
        auto full = boost::urls::parse_authority(text);
        ASSERT_TRUE(full);
        std::string expected(full->encoded_host());
        for (auto& c : expected) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        EXPECT_EQ(parse_host(text).value(), expected);
    }
    // What is not a plain name and port goes through Boost.URL.
    EXPECT_EQ(parse_host("example.org:").value(), "example.org");
    EXPECT_FALSE(parse_host("example.org:80x"));
}

TEST(Host, LowerCasesAndDropsPort) {
    EXPECT_EQ(parse_host("Example.ORG:8080").value(), "example.org");
    EXPECT_EQ(parse_host("blog.example.org").value(), "blog.example.org");
    EXPECT_EQ(parse_host("127.0.0.1:80").value(), "127.0.0.1");
}

TEST(Host, KeepsBracketsOfIpv6LiteralAndDropsPort) {
    EXPECT_EQ(parse_host("[::1]:8080").value(), "[::1]");
    EXPECT_EQ(parse_host("[2001:DB8::1]").value(), "[2001:db8::1]");
}

TEST(Host, RejectsUserInfoAndGarbage) {
    EXPECT_FALSE(parse_host("user@example.org"));
    EXPECT_FALSE(parse_host("exa mple.org"));
    EXPECT_FALSE(parse_host("[::1"));
}

TEST(Request, FindsHeaderIgnoringCase) {
    Request request;
    request.headers = {{"Accept-Encoding", "gzip"}, {"X-Twice", "first"}, {"x-twice", "second"}};
    EXPECT_EQ(request.header("accept-encoding"), "gzip");
    EXPECT_EQ(request.header("ACCEPT-ENCODING"), "gzip");
    EXPECT_EQ(request.header("x-TWICE"), "first");
    EXPECT_EQ(request.header("Cookie"), "");
}

TEST(Request, DecodesQueryParameters) {
    Request request;
    request.query = "q=etat+islamique&city=Misr%C4%81ta&empty=&flag&q=second";
    EXPECT_EQ(request.query_param("q"), "etat islamique");
    EXPECT_EQ(request.query_param("city"), "Misr\xC4\x81ta");
    EXPECT_EQ(request.query_param("empty"), "");
    EXPECT_EQ(request.query_param("flag"), "");
    EXPECT_EQ(request.query_param("missing"), std::nullopt);
}

TEST(Request, DecodesQueryParameterNames) {
    Request request;
    request.query = "a%20b=1";
    EXPECT_EQ(request.query_param("a b"), "1");
}

TEST(Request, HasNoQueryParameterInInvalidQuery) {
    Request request;
    request.query = "q=%zz";
    EXPECT_EQ(request.query_param("q"), std::nullopt);
}

}  // namespace
}  // namespace carnet::http
