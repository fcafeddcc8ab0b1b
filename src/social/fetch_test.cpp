#include <gtest/gtest.h>

#include <string>

#include "social/social.hpp"
#include "testing/scripted_site.hpp"

namespace carnet::social {
namespace {

using testing::ScriptedSite;

FetchOptions loopback_options() {
    FetchOptions options;
    options.allow_loopback = true;
    options.allow_plain_http = true;
    options.timeout = std::chrono::milliseconds(5000);
    return options;
}

bool was_requested(const ScriptedSite& site, const std::string& target) {
    for (const auto& request : site.received()) {
        if (request.target == target) return true;
    }
    return false;
}

TEST(Fetch, GetsAPageAndFollowsARedirectOnLoopbackWhenAllowed) {
    ScriptedSite site([](const ScriptedSite::Received& request) {
        if (request.target == "/old") {
            return ScriptedSite::Reply{
                ScriptedSite::response(301, "", "text/plain", {{"Location", "/new?x=1"}})};
        }
        return ScriptedSite::Reply{ScriptedSite::response(200, "<p>bonjour</p>", "text/html",
                                                          {{"Link", "</wm>; rel=\"webmention\""}})};
    });
    Fetcher fetcher(loopback_options());
    auto response = fetcher.fetch({.url = site.url("/old")});
    ASSERT_TRUE(response.has_value()) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "<p>bonjour</p>");
    EXPECT_EQ(response->url, site.url("/new?x=1"));
    EXPECT_EQ(response->header("link"), "</wm>; rel=\"webmention\"");
    EXPECT_TRUE(was_requested(site, "/new?x=1"));
}

TEST(Fetch, PostsAFormBody) {
    ScriptedSite site([](const ScriptedSite::Received&) {
        return ScriptedSite::Reply{ScriptedSite::response(202, "accepted")};
    });
    Fetcher fetcher(loopback_options());
    auto response = fetcher.fetch({.method = "POST",
                                   .url = site.url("/webmention"),
                                   .content_type = "application/x-www-form-urlencoded",
                                   .body = "source=a&target=b"});
    ASSERT_TRUE(response.has_value()) << response.error().message;
    EXPECT_EQ(response->status, 202);
    ASSERT_EQ(site.received().size(), 1u);
    EXPECT_EQ(site.received()[0].method, "POST");
    EXPECT_EQ(site.received()[0].body, "source=a&target=b");
}

TEST(Fetch, LoopbackAndPlainHttpAreRefusedWithoutTheFlag) {
    ScriptedSite site([](const ScriptedSite::Received&) {
        return ScriptedSite::Reply{ScriptedSite::response(200, "secret")};
    });
    FetchOptions options;
    options.allow_plain_http = true;
    Fetcher fetcher(options);
    for (const auto& url : {site.url("/"), "http://localhost:" + std::to_string(site.port()) + "/",
                            "http://[::ffff:127.0.0.1]:" + std::to_string(site.port()) + "/"}) {
        auto response = fetcher.fetch({.url = url});
        ASSERT_FALSE(response.has_value()) << url;
        EXPECT_EQ(response.error().code, Error::Code::invalid_input) << url;
        EXPECT_NE(response.error().message.find("loopback"), std::string::npos)
            << response.error().message;
    }
    EXPECT_TRUE(site.received().empty());

    Fetcher https_only(FetchOptions{});
    auto plain = https_only.fetch({.url = "http://93.184.216.34/"});
    ASSERT_FALSE(plain.has_value());
    EXPECT_EQ(plain.error().code, Error::Code::invalid_input);
    EXPECT_NE(plain.error().message.find("plain http"), std::string::npos) << plain.error().message;
}

TEST(Fetch, PrivateAndOtherNonPublicAddressesAreRefusedEvenWithTheFlag) {
    Fetcher fetcher(loopback_options());
    for (const char* url :
         {"https://10.0.0.1/", "https://192.168.1.1:8443/x", "http://172.20.0.5/",
          "https://169.254.169.254/latest/meta-data/", "https://[fd00::1]/", "https://[fe80::1]/",
          "https://[::ffff:192.168.0.1]/", "https://0.0.0.0/", "https://[::]/",
          "https://224.0.0.1/", "https://[ff02::1]/"}) {
        auto response = fetcher.fetch({.url = url});
        ASSERT_FALSE(response.has_value()) << url;
        EXPECT_NE(response.error().message.find("refused"), std::string::npos)
            << url << ": " << response.error().message;
    }
    for (const char* url : {"ftp://example.org/", "file:///etc/passwd",
                            "https://user:pw@example.org/", "not a url"}) {
        auto response = fetcher.fetch({.url = url});
        ASSERT_FALSE(response.has_value()) << url;
        EXPECT_EQ(response.error().code, Error::Code::invalid_input) << url;
    }
}

TEST(Fetch, ARedirectToLoopbackIsRefusedWhenTheFlagIsOffAndNothingIsAskedThere) {
    ScriptedSite site([&](const ScriptedSite::Received& request) {
        if (request.target == "/start") {
            return ScriptedSite::Reply{
                ScriptedSite::response(302, "", "text/plain", {{"Location", "/secret-not-here"}})};
        }
        return ScriptedSite::Reply{ScriptedSite::response(200, "secret")};
    });
    // The site stands for a public site at 127.0.0.1; the redirect names the same machine
    // as ::ffff:127.0.0.1, which is loopback and must not be reached.
    FetchOptions options;
    options.allow_plain_http = true;
    options.treat_as_public = {"127.0.0.1"};
    Fetcher fetcher(options);
    ScriptedSite redirecting([&](const ScriptedSite::Received&) {
        return ScriptedSite::Reply{ScriptedSite::response(
            302, "", "text/plain",
            {{"Location",
              "http://[::ffff:127.0.0.1]:" + std::to_string(site.port()) + "/secret"}})};
    });
    auto response = fetcher.fetch({.url = redirecting.url("/start")});
    ASSERT_FALSE(response.has_value());
    EXPECT_EQ(response.error().code, Error::Code::invalid_input);
    EXPECT_NE(response.error().message.find("loopback"), std::string::npos)
        << response.error().message;
    EXPECT_EQ(redirecting.received().size(), 1u);
    EXPECT_TRUE(site.received().empty());

    // The same redirect within the site that stands for a public one is followed.
    auto followed = fetcher.fetch({.url = site.url("/start")});
    ASSERT_TRUE(followed.has_value()) << followed.error().message;
    EXPECT_EQ(followed->status, 200);
    EXPECT_TRUE(was_requested(site, "/secret-not-here"));
}

TEST(Fetch, ABodyOverTheLimitIsRefused) {
    const std::string huge(2 * 1024 * 1024, 'x');
    ScriptedSite site([&](const ScriptedSite::Received&) {
        return ScriptedSite::Reply{ScriptedSite::response(200, huge)};
    });
    auto options = loopback_options();
    options.max_body_bytes = 64 * 1024;
    Fetcher fetcher(options);
    auto response = fetcher.fetch({.url = site.url("/huge")});
    ASSERT_FALSE(response.has_value());
    EXPECT_EQ(response.error().code, Error::Code::invalid_input);
    EXPECT_NE(response.error().message.find("larger than 65536 bytes"), std::string::npos)
        << response.error().message;
}

TEST(Fetch, AServerThatDoesNotAnswerRunsOutTheTimeLimit) {
    ScriptedSite site([](const ScriptedSite::Received&) { return ScriptedSite::Reply{"", true}; });
    auto options = loopback_options();
    options.timeout = std::chrono::milliseconds(200);
    Fetcher fetcher(options);
    auto response = fetcher.fetch({.url = site.url("/slow")});
    ASSERT_FALSE(response.has_value());
    EXPECT_EQ(response.error().code, Error::Code::io);
    EXPECT_NE(response.error().message.find("did not answer within 200 ms"), std::string::npos)
        << response.error().message;
}

TEST(Fetch, EndlessRedirectsStopAtTheLimit) {
    ScriptedSite site([](const ScriptedSite::Received&) {
        return ScriptedSite::Reply{
            ScriptedSite::response(302, "", "text/plain", {{"Location", "/again"}})};
    });
    auto options = loopback_options();
    options.max_redirects = 3;
    Fetcher fetcher(options);
    auto response = fetcher.fetch({.url = site.url("/again")});
    ASSERT_FALSE(response.has_value());
    EXPECT_NE(response.error().message.find("more than 3 redirects"), std::string::npos)
        << response.error().message;
    EXPECT_EQ(site.received().size(), 4u);
}

}  // namespace
}  // namespace carnet::social
