#include "http/forwarded.hpp"

#include <gtest/gtest.h>

namespace carnet::http {
namespace {

namespace ip = boost::asio::ip;

Request from_proxy(Headers headers) {
    Request request;
    request.remote_address = "10.0.0.2";
    request.headers = std::move(headers);
    return request;
}

TEST(TrustedProxies, ParsesIpv4AndIpv6) {
    auto parsed = parse_trusted_proxies({"127.0.0.1", "::1", "10.0.0.2"});
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_EQ(parsed->size(), 3u);
    EXPECT_TRUE(is_trusted_proxy(ip::make_address("10.0.0.2"), *parsed));
    EXPECT_TRUE(is_trusted_proxy(ip::make_address("::1"), *parsed));
    EXPECT_FALSE(is_trusted_proxy(ip::make_address("10.0.0.3"), *parsed));
    EXPECT_FALSE(is_trusted_proxy(ip::make_address("::2"), *parsed));
}

TEST(TrustedProxies, RefusesWhatIsNotAnAddress) {
    for (std::string bad : {"localhost", "10.0.0.0/8", "", "10.0.0.1:80", "1.2.3"}) {
        auto parsed = parse_trusted_proxies({"127.0.0.1", bad});
        ASSERT_FALSE(parsed) << bad;
        EXPECT_EQ(parsed.error().code, Error::Code::invalid_input);
        EXPECT_NE(parsed.error().message.find("\"" + bad + "\""), std::string::npos);
    }
}

TEST(TrustedProxies, MatchesIpv4MappedPeers) {
    auto parsed = parse_trusted_proxies({"127.0.0.1"});
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(is_trusted_proxy(ip::make_address("::ffff:127.0.0.1"), *parsed));
    auto mapped = parse_trusted_proxies({"::ffff:10.1.2.3"});
    ASSERT_TRUE(mapped);
    EXPECT_TRUE(is_trusted_proxy(ip::make_address("10.1.2.3"), *mapped));
}

TEST(ForwardedHeaders, TakeLastForwardedForAddress) {
    Request request = from_proxy({{"X-Forwarded-For", "1.1.1.1, 203.0.113.7"}});
    apply_forwarded_headers(request);
    EXPECT_EQ(request.remote_address, "203.0.113.7");
    EXPECT_FALSE(request.secure);
}

TEST(ForwardedHeaders, TakeLastOfSeveralHeaders) {
    Request request = from_proxy({{"X-Forwarded-For", "6.6.6.6"},
                                  {"x-forwarded-for", "1.1.1.1,2001:db8::1"},
                                  {"X-Forwarded-Proto", "http"},
                                  {"X-FORWARDED-PROTO", " HTTPS "}});
    apply_forwarded_headers(request);
    EXPECT_EQ(request.remote_address, "2001:db8::1");
    EXPECT_TRUE(request.secure);
}

TEST(ForwardedHeaders, AcceptBracketedIpv6AndUnmapIpv4) {
    Request bracketed = from_proxy({{"X-Forwarded-For", "[2001:db8::2]"}});
    apply_forwarded_headers(bracketed);
    EXPECT_EQ(bracketed.remote_address, "2001:db8::2");
    Request mapped = from_proxy({{"X-Forwarded-For", "::ffff:192.0.2.1"}});
    apply_forwarded_headers(mapped);
    EXPECT_EQ(mapped.remote_address, "192.0.2.1");
}

TEST(ForwardedHeaders, KeepPeerWhenLastAddressIsNotAnAddress) {
    for (std::string value :
         {"unknown", "1.2.3.4:5678", "1.2.3.4, ", "", "_hidden", "1.2.3.4\r\nX: y"}) {
        Request request = from_proxy({{"X-Forwarded-For", value}});
        apply_forwarded_headers(request);
        EXPECT_EQ(request.remote_address, "10.0.0.2") << value;
    }
}

TEST(ForwardedHeaders, OnlyHttpsMakesSecure) {
    for (std::string value : {"http", "https, http", "ws", "", "httpsx"}) {
        Request request = from_proxy({{"X-Forwarded-Proto", value}});
        apply_forwarded_headers(request);
        EXPECT_FALSE(request.secure) << value;
    }
    Request request = from_proxy({{"X-Forwarded-Proto", "http, https"}});
    apply_forwarded_headers(request);
    EXPECT_TRUE(request.secure);
}

TEST(ForwardedHeaders, LeaveRequestAloneWithoutThem) {
    Request request = from_proxy({{"Forwarded", "for=1.2.3.4;proto=https"}});
    apply_forwarded_headers(request);
    EXPECT_EQ(request.remote_address, "10.0.0.2");
    EXPECT_FALSE(request.secure);
}

}  // namespace
}  // namespace carnet::http
