#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http/http.hpp"
#include "http/test_server.hpp"
#include "http/test_support.hpp"

namespace carnet::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

using namespace carnet::http::testing;

Response text(std::string body, bool cacheable = false) {
    Response response;
    response.body = std::move(body);
    response.cacheable = cacheable;
    return response;
}

std::string long_page() {
    std::string body = "<!doctype html><html><body>\n";
    for (int i = 0; i < 300; ++i)
        body += "<p>Etat islamique, Libye, Misrata, Syrte " + std::to_string(i) + "</p>\n";
    return body + "</body></html>\n";
}

Router simple_router() {
    Router router;
    router.add("GET", "/", [](const Request&, const RouteParams&) { return text("home"); });
    router.add("GET", "/list/{slug}/", [](const Request&, const RouteParams& params) {
        return text("category " + params.at("slug"));
    });
    router.add("POST", "/comment", [](const Request& request, const RouteParams&) {
        return text("posted " + request.body);
    });
    return router;
}

TEST(Server, AnswersGetWithBodyAndStandardHeaders) {
    RunningServer running(simple_router());
    Client client(running.port());
    ASSERT_TRUE(client.connected());
    auto response = client.get("/list/libye/");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200);
    EXPECT_EQ(response->body(), "category libye");
    EXPECT_EQ(header(*response, "Content-Length"), "14");
    EXPECT_EQ(header(*response, "Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(header(*response, "Server"), "carnet");
    EXPECT_EQ(header(*response, "X-Content-Type-Options"), "nosniff");
    EXPECT_TRUE(header(*response, "Date").ends_with(" GMT"));
    EXPECT_EQ(header(*response, "X-Cache"), "");
}

TEST(Server, TheDateHeaderTellsTheTimeOfTheClockItIsGiven) {
    using namespace std::chrono;
    auto clock = std::make_shared<ManualClock>(sys_days{1994y / November / 6} + 8h + 49min + 37s);
    auto options = test_options();
    options.clock = clock;
    RunningServer running(simple_router(), {}, options);
    Client client(running.port());
    auto first = client.get("/list/libye/");
    ASSERT_TRUE(first);
    EXPECT_EQ(header(*first, "Date"), "Sun, 06 Nov 1994 08:49:37 GMT");
    clock->advance(days{1} + 1s);
    auto next = client.get("/list/libye/");
    ASSERT_TRUE(next);
    EXPECT_EQ(header(*next, "Date"), "Mon, 07 Nov 1994 08:49:38 GMT");
}

TEST(Server, AnswersHeadWithGetHeadersAndNoBody) {
    RunningServer running(simple_router());
    Client client(running.port());
    auto get = client.get("/list/libye/");
    auto head = client.get("/list/libye/", {}, "HEAD");
    ASSERT_TRUE(get);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->result_int(), 200);
    EXPECT_EQ(header(*head, "Content-Length"), header(*get, "Content-Length"));
    EXPECT_EQ(header(*head, "Content-Type"), header(*get, "Content-Type"));
    EXPECT_EQ(head->body(), "");
    // Had the server sent a body after the HEAD answer, this answer would not parse.
    auto after = client.get("/");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->body(), "home");
}

TEST(Server, ServesTwoRequestsOnOneKeepAliveConnection) {
    Router router;
    router.add("GET", "/", [](const Request& request, const RouteParams&) {
        return text("from " + request.remote_address);
    });
    RunningServer running(std::move(router));
    Client client(running.port());
    auto first = client.get("/");
    auto second = client.get("/");
    ASSERT_TRUE(first);
    ASSERT_TRUE(second);
    EXPECT_EQ(first->body(), "from 127.0.0.1");
    EXPECT_EQ(second->body(), "from 127.0.0.1");
    EXPECT_TRUE(first->keep_alive());
    EXPECT_EQ(running.server().stats().requests, 2u);
}

TEST(Server, AnswersPipelinedRequestsInOrder) {
    RunningServer running(simple_router());
    Client client(running.port());
    ASSERT_TRUE(client.send(
        "GET /list/a/ HTTP/1.1\r\nHost: x\r\n\r\nGET /list/b/ HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto first = client.read();
    auto second = client.read();
    ASSERT_TRUE(first);
    ASSERT_TRUE(second);
    EXPECT_EQ(first->body(), "category a");
    EXPECT_EQ(second->body(), "category b");
}

TEST(Server, HonoursConnectionClose) {
    RunningServer running(simple_router());
    Client client(running.port());
    auto response = client.get("/", "Connection: close\r\n");
    ASSERT_TRUE(response);
    EXPECT_FALSE(response->keep_alive());
    EXPECT_TRUE(client.closed_by_server());
}

TEST(Server, PassesRequestBodyToHandler) {
    RunningServer running(simple_router());
    Client client(running.port());
    ASSERT_TRUE(client.send("POST /comment HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
    auto response = client.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body(), "posted hello");
}

TEST(Server, FillsRequestFields) {
    std::mutex mutex;
    std::vector<Request> seen;
    Router router;
    router.add("GET", "/{anything}/{more}", [&](const Request& request, const RouteParams&) {
        std::lock_guard lock(mutex);
        seen.push_back(request);
        return text("ok");
    });
    RunningServer running(std::move(router));
    Client client(running.port());
    ASSERT_TRUE(
        client.send("GET /caf%C3%A9/a%20b?q=etat+islamique&p=%C3%A9 HTTP/1.1\r\n"
                    "Host: Blog.Example.ORG:8080\r\nX-Custom: value\r\n\r\n"));
    ASSERT_TRUE(client.read());
    ASSERT_TRUE(client.send("GET /x/y HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"));
    ASSERT_TRUE(client.read());

    std::lock_guard lock(mutex);
    ASSERT_EQ(seen.size(), 2u);
    const Request& first = seen[0];
    EXPECT_EQ(first.method, "GET");
    EXPECT_EQ(first.target, "/caf%C3%A9/a%20b?q=etat+islamique&p=%C3%A9");
    EXPECT_EQ(first.path, "/caf\xC3\xA9/a b");
    EXPECT_EQ(first.query, "q=etat+islamique&p=%C3%A9");
    EXPECT_EQ(first.host, "blog.example.org");
    EXPECT_EQ(first.remote_address, "127.0.0.1");
    EXPECT_EQ(first.header("x-custom"), "value");
    EXPECT_EQ(first.query_param("q"), "etat islamique");
    EXPECT_EQ(first.query_param("p"), "\xC3\xA9");
    EXPECT_EQ(seen[1].host, "[::1]");
}

TEST(Server, AnswersUnknownPathWithFallback) {
    Router router = simple_router();
    router.set_fallback([](const Request& request, const RouteParams&) {
        Response response = text("themed 404 for " + request.path);
        response.status = 404;
        return response;
    });
    RunningServer running(std::move(router));
    Client client(running.port());
    auto response = client.get("/nowhere");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 404);
    EXPECT_EQ(response->body(), "themed 404 for /nowhere");
}

TEST(Server, AnswersUnknownPathWithPlain404WithoutFallback) {
    RunningServer running(simple_router());
    Client client(running.port());
    auto response = client.get("/nowhere");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 404);
    EXPECT_EQ(header(*response, "X-Content-Type-Options"), "nosniff");
    // The connection survives a 404.
    auto after = client.get("/");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->body(), "home");
}

TEST(Server, Answers405WithAllowHeader) {
    RunningServer running(simple_router());
    Client client(running.port());
    auto response = client.get("/comment");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 405);
    EXPECT_EQ(header(*response, "Allow"), "POST");
}

TEST(Server, AnswersOversizedHeaderWith431AndKeepsServing) {
    ServerOptions options = test_options();
    options.max_header_bytes = 1024;
    RunningServer running(simple_router(), {}, options);
    {
        Client client(running.port());
        ASSERT_TRUE(client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') +
                                "\r\n\r\n"));
        auto response = client.read();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->result_int(), 431);
        EXPECT_EQ(header(*response, "X-Content-Type-Options"), "nosniff");
        EXPECT_TRUE(client.closed_by_server());
    }
    Client next(running.port());
    auto response = next.get("/", "X-Small: " + std::string(500, 'a') + "\r\n");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200);
}

TEST(Server, AnswersOversizedBodyWith413AndKeepsServing) {
    ServerOptions options = test_options();
    options.max_body_bytes = 64;
    RunningServer running(simple_router(), {}, options);
    {
        Client client(running.port());
        ASSERT_TRUE(
            client.send("POST /comment HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" +
                        std::string(100, 'b')));
        auto response = client.read();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->result_int(), 413);
        EXPECT_TRUE(client.closed_by_server());
    }
    {
        Client client(running.port());
        std::string chunk(100, 'c');
        ASSERT_TRUE(client.send(
            "POST /comment HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" +
            chunk + "\r\n0\r\n\r\n"));
        auto response = client.read();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->result_int(), 413);
        EXPECT_TRUE(client.closed_by_server());
    }
    Client next(running.port());
    ASSERT_TRUE(next.send("POST /comment HTTP/1.1\r\nHost: x\r\nContent-Length: 64\r\n\r\n" +
                          std::string(64, 'd')));
    auto response = next.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200);
    EXPECT_EQ(response->body(), "posted " + std::string(64, 'd'));
}

TEST(Server, AnswersExpectContinueThenReadsBody) {
    RunningServer running(simple_router());
    Client client(running.port());
    ASSERT_TRUE(client.send(
        "POST /comment HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
    auto interim = client.read();
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->result_int(), 100);
    ASSERT_TRUE(client.send("ok"));
    auto response = client.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body(), "posted ok");
}

TEST(Server, AnswersMalformedRequestLineWith400AndCloses) {
    RunningServer running(simple_router());
    {
        Client client(running.port());
        ASSERT_TRUE(client.send("THIS IS NOT HTTP\r\n\r\n"));
        auto response = client.read();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->result_int(), 400);
        EXPECT_EQ(header(*response, "X-Content-Type-Options"), "nosniff");
        EXPECT_TRUE(client.closed_by_server());
    }
    {
        Client client(running.port());
        ASSERT_TRUE(client.send("GET / HTTP/1.1\r\nHost: x\r\nBad Header Name: y\r\n\r\n"));
        auto response = client.read();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->result_int(), 400);
        EXPECT_TRUE(client.closed_by_server());
    }
    Client next(running.port());
    auto response = next.get("/");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200);
}

TEST(Server, RejectsDotSegmentsAndBadEncodingWith400) {
    std::atomic<int> handled{0};
    Router router;
    // Without the check, every one of these paths would reach this fallback and get a 200.
    router.set_fallback([&](const Request&, const RouteParams&) {
        ++handled;
        return text("reached");
    });
    RunningServer running(std::move(router));
    Client client(running.port());
    for (const char* target :
         {"/a/../b", "/a/%2e%2e/b", "/a/%2E%2E/b", "/a/./b", "/a/%zz", "/a%00b"}) {
        auto response = client.get(target);
        ASSERT_TRUE(response) << target;
        EXPECT_EQ(response->result_int(), 400) << target;
    }
    EXPECT_EQ(handled, 0);
    auto fine = client.get("/a/b");
    ASSERT_TRUE(fine);
    EXPECT_EQ(fine->body(), "reached");
}

TEST(Server, AnswersHandlerExceptionWith500AndKeepsServing) {
    Router router = simple_router();
    router.add("GET", "/boom", [](const Request&, const RouteParams&) -> Response {
        throw std::runtime_error("secret detail");
    });
    RunningServer running(std::move(router));
    Client client(running.port());
    auto response = client.get("/boom");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 500);
    EXPECT_EQ(response->body().find("secret detail"), std::string::npos);
    EXPECT_NE(response->body().find("<html"), std::string::npos);
    auto after = client.get("/");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->body(), "home");
}

TEST(Server, SendsNonCacheableResponseAsHandlerMadeIt) {
    Router router;
    router.add("GET", "/page", [](const Request&, const RouteParams&) {
        Response response = text(long_page());
        response.headers.emplace_back("Cache-Control", "no-store");
        return response;
    });
    RunningServer running(std::move(router));
    Client client(running.port());
    auto response = client.get("/page", "Accept-Encoding: gzip, br\r\n");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body(), long_page());
    EXPECT_EQ(header(*response, "Content-Encoding"), "");
    EXPECT_EQ(header(*response, "ETag"), "");
    EXPECT_EQ(header(*response, "Cache-Control"), "no-store");
}

// The page cache tests share this: every request may be cached, keyed by path, at the
// generation the test sets.
struct CacheFixture {
    std::atomic<std::uint64_t> generation{1};
    std::atomic<int> rendered{0};

    CachePolicy policy() {
        return
            [this](const RequestHead& request, std::string& key) -> std::optional<std::uint64_t> {
                if (request.path.starts_with("/private")) return std::nullopt;
                key.append(request.host).append(request.path);
                return generation.load();
            };
    }

    Router router() {
        Router router;
        router.add("GET", "/page", [this](const Request&, const RouteParams&) {
            ++rendered;
            return text(long_page(), true);
        });
        router.add("GET", "/private", [this](const Request&, const RouteParams&) {
            ++rendered;
            return text("private", true);
        });
        router.add("GET", "/dated", [this](const Request&, const RouteParams&) {
            ++rendered;
            Response response = text("a feed", true);
            response.headers.emplace_back("Last-Modified", "Wed, 04 Oct 2017 18:19:00 GMT");
            return response;
        });
        router.add("GET", "/fresh", [this](const Request&, const RouteParams&) {
            ++rendered;
            return text("not for the cache");
        });
        router.add("GET", "/broken", [this](const Request&, const RouteParams&) {
            ++rendered;
            Response response = text("broken", true);
            response.status = 503;
            return response;
        });
        return router;
    }
};

TEST(Server, ServesSecondRequestFromCache) {
    CacheFixture fixture;
    RunningServer running(fixture.router(), fixture.policy());
    Client client(running.port());
    auto first = client.get("/page");
    auto second = client.get("/page");
    ASSERT_TRUE(first);
    ASSERT_TRUE(second);
    EXPECT_EQ(header(*first, "X-Cache"), "miss");
    EXPECT_EQ(header(*second, "X-Cache"), "hit");
    EXPECT_EQ(second->body(), long_page());
    EXPECT_EQ(header(*second, "Content-Length"), std::to_string(long_page().size()));
    EXPECT_EQ(fixture.rendered, 1);
    ServerStats stats = running.server().stats();
    EXPECT_EQ(stats.cache_hits, 1u);
    EXPECT_EQ(stats.cache_misses, 1u);
    EXPECT_GE(stats.cache_bytes, long_page().size());
    EXPECT_EQ(stats.requests, 2u);
}

TEST(Server, SendsLongCachedBodiesFromTheirFilesIntact) {
    // 8 MiB, more than a loopback socket takes at once, so that the rest goes by copy after
    // the file; every line numbered, so that a byte sent twice or skipped shows.
    std::string body;
    for (int i = 0; body.size() < 8 * 1024 * 1024; ++i) {
        body += "<p>Ligne " + std::to_string(i) + " : Misrata, Syrte, Benghazi</p>\n";
    }
    const std::string medium = body.substr(0, 40 * 1024);
    Router router;
    router.add("GET", "/long",
               [&](const Request&, const RouteParams&) { return text(body, true); });
    router.add("GET", "/medium",
               [&](const Request&, const RouteParams&) { return text(medium, true); });
    router.add("GET", "/", [](const Request&, const RouteParams&) { return text("home", true); });
    CacheFixture fixture;
    RunningServer running(std::move(router), fixture.policy());
    Client client(running.port());
    for (int round = 0; round < 3; ++round) {
        for (const auto& [path, expected] :
             {std::pair<std::string, std::string_view>{"/long", body}, {"/medium", medium}}) {
            auto response = client.get(path);
            ASSERT_TRUE(response) << path;
            EXPECT_EQ(header(*response, "X-Cache"), round == 0 ? "miss" : "hit");
            EXPECT_EQ(header(*response, "Content-Length"), std::to_string(expected.size()));
            EXPECT_TRUE(response->body() == expected) << path << " round " << round;
        }
        // The connection still reads its answers where they start.
        auto head = client.get("/long", "", "HEAD");
        ASSERT_TRUE(head);
        EXPECT_EQ(head->body(), "");
        auto small = client.get("/");
        ASSERT_TRUE(small);
        EXPECT_EQ(small->body(), "home");
    }
    // The two hits on each page went from the files.
    EXPECT_GE(running.server().stats().file_bytes_sent, medium.size() * 2);
    EXPECT_LE(running.server().stats().file_bytes_sent, 2 * (body.size() + medium.size()));
}

TEST(Server, OutlivesReadersWhoLeaveWhileAFileIsSent) {
    std::string body;
    for (int i = 0; body.size() < 8 * 1024 * 1024; ++i) {
        body += "<p>Ligne " + std::to_string(i) + " : Alep, Idleb, Deraa</p>\n";
    }
    Router router;
    router.add("GET", "/long",
               [&](const Request&, const RouteParams&) { return text(body, true); });
    CacheFixture fixture;
    RunningServer running(std::move(router), fixture.policy());
    // A write to a socket whose reader has gone must fail, not end the process.
    struct sigaction broken_pipe {};
    ASSERT_EQ(sigaction(SIGPIPE, nullptr, &broken_pipe), 0);
    EXPECT_EQ(broken_pipe.sa_handler, SIG_IGN);
    {
        Client first(running.port());
        ASSERT_TRUE(first.get("/long"));  // the miss that fills the cache
    }
    // Readers who hang up as soon as they have asked: the server, reading the request, starts
    // the hit's file on a socket that the reader's reset then closes under it.
    for (int reader = 0; reader < 20; ++reader) {
        Client leaving(running.port());
        ASSERT_TRUE(leaving.send("GET /long HTTP/1.1\r\nHost: blog.example.org\r\n\r\n"));
        leaving.hang_up();
    }
    Client after(running.port());
    auto page = after.get("/long");
    ASSERT_TRUE(page);
    EXPECT_EQ(header(*page, "X-Cache"), "hit");
    EXPECT_TRUE(page->body() == body);
}

TEST(Server, AnswersHeadFromCacheWithoutBody) {
    CacheFixture fixture;
    RunningServer running(fixture.router(), fixture.policy());
    Client client(running.port());
    auto get = client.get("/page", "Accept-Encoding: gzip\r\n");
    auto head = client.get("/page", "Accept-Encoding: gzip\r\n", "HEAD");
    ASSERT_TRUE(get);
    ASSERT_TRUE(head);
    EXPECT_EQ(header(*head, "X-Cache"), "hit");
    EXPECT_EQ(header(*head, "Content-Length"), header(*get, "Content-Length"));
    EXPECT_EQ(header(*head, "ETag"), header(*get, "ETag"));
    EXPECT_EQ(header(*head, "Content-Encoding"), "gzip");
    EXPECT_EQ(head->body(), "");
    auto after = client.get("/page");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->body(), long_page());
}

TEST(Server, MissesAfterGenerationChanges) {
    CacheFixture fixture;
    RunningServer running(fixture.router(), fixture.policy());
    Client client(running.port());
    ASSERT_TRUE(client.get("/page"));
    auto hit = client.get("/page");
    ASSERT_TRUE(hit);
    EXPECT_EQ(header(*hit, "X-Cache"), "hit");
    fixture.generation = 2;
    auto miss = client.get("/page");
    ASSERT_TRUE(miss);
    EXPECT_EQ(header(*miss, "X-Cache"), "miss");
    EXPECT_EQ(fixture.rendered, 2);
    auto hit_again = client.get("/page");
    ASSERT_TRUE(hit_again);
    EXPECT_EQ(header(*hit_again, "X-Cache"), "hit");
    EXPECT_EQ(fixture.rendered, 2);
}

TEST(Server, KeepsOnlyCacheableResponsesOfCacheableStatus) {
    CacheFixture fixture;
    RunningServer running(fixture.router(), fixture.policy());
    Client client(running.port());
    for (const char* target : {"/fresh", "/broken"}) {
        auto first = client.get(target);
        auto second = client.get(target);
        ASSERT_TRUE(first);
        ASSERT_TRUE(second);
        EXPECT_EQ(header(*first, "X-Cache"), "miss") << target;
        EXPECT_EQ(header(*second, "X-Cache"), "miss") << target;
        EXPECT_EQ(header(*second, "ETag"), "") << target;
    }
    EXPECT_EQ(fixture.rendered, 4);
}

TEST(Server, LeavesRequestsOutsidePolicyUncached) {
    CacheFixture fixture;
    RunningServer running(fixture.router(), fixture.policy());
    Client client(running.port());
    auto first = client.get("/private");
    auto second = client.get("/private");
    ASSERT_TRUE(first);
    ASSERT_TRUE(second);
    EXPECT_EQ(header(*second, "X-Cache"), "");
    EXPECT_EQ(fixture.rendered, 2);
    EXPECT_EQ(running.server().stats().cache_misses, 0u);
}

TEST(Server, SendsGzipVariantThatDecompressesToIdentityBody) {
    CacheFixture fixture;
    RunningServer running(fixture.router(), fixture.policy());
    Client client(running.port());
    for (int i = 0; i < 2; ++i) {  // the miss, then the hit
        auto response = client.get("/page", "Accept-Encoding: gzip, deflate\r\n");
        ASSERT_TRUE(response);
        EXPECT_EQ(header(*response, "Content-Encoding"), "gzip");
        EXPECT_EQ(header(*response, "Vary"), "Accept-Encoding");
        EXPECT_LT(response->body().size(), long_page().size());
        EXPECT_EQ(testing::gunzip(response->body()), long_page());
    }
}

TEST(Server, SendsBrotliVariantThatDecompressesToIdentityBody) {
    CacheFixture fixture;
    RunningServer running(fixture.router(), fixture.policy());
    Client client(running.port());
    for (int i = 0; i < 2; ++i) {
        auto response = client.get("/page", "Accept-Encoding: gzip, deflate, br\r\n");
        ASSERT_TRUE(response);
        EXPECT_EQ(header(*response, "Content-Encoding"), "br");
        EXPECT_EQ(header(*response, "Vary"), "Accept-Encoding");
        EXPECT_EQ(testing::unbrotli(response->body()), long_page());
    }
}

TEST(Server, SendsIdentityToClientThatAcceptsNoCoding) {
    CacheFixture fixture;
    RunningServer running(fixture.router(), fixture.policy());
    Client client(running.port());
    auto plain = client.get("/page");
    auto refused = client.get("/page", "Accept-Encoding: br;q=0, gzip;q=0\r\n");
    for (const auto& response : {plain, refused}) {
        ASSERT_TRUE(response);
        EXPECT_EQ(header(*response, "Content-Encoding"), "");
        EXPECT_EQ(header(*response, "Vary"), "Accept-Encoding");
        EXPECT_EQ(response->body(), long_page());
    }
}

TEST(Server, AnswersIfModifiedSinceWith304UnlessIfNoneMatchSaysOtherwise) {
    CacheFixture fixture;
    RunningServer running(fixture.router(), fixture.policy());
    Client client(running.port());
    auto first = client.get("/dated");
    ASSERT_TRUE(first);
    EXPECT_EQ(header(*first, "Last-Modified"), "Wed, 04 Oct 2017 18:19:00 GMT");
    auto same = client.get("/dated", "If-Modified-Since: Wed, 04 Oct 2017 18:19:00 GMT\r\n");
    ASSERT_TRUE(same);
    EXPECT_EQ(same->result_int(), 304);
    EXPECT_EQ(same->body(), "");
    auto older = client.get("/dated", "If-Modified-Since: Tue, 03 Oct 2017 00:00:00 GMT\r\n");
    ASSERT_TRUE(older);
    EXPECT_EQ(older->result_int(), 200);
    // If-None-Match wins: a tag that does not match means a full answer whatever the date.
    auto tagged = client.get("/dated",
                             "If-None-Match: \"other\"\r\n"
                             "If-Modified-Since: Wed, 04 Oct 2017 18:19:00 GMT\r\n");
    ASSERT_TRUE(tagged);
    EXPECT_EQ(tagged->result_int(), 200);
}

TEST(Server, AnswersMatchingIfNoneMatchWith304) {
    CacheFixture fixture;
    RunningServer running(fixture.router(), fixture.policy());
    Client client(running.port());
    auto first = client.get("/page", "Accept-Encoding: gzip\r\n");
    ASSERT_TRUE(first);
    std::string etag = header(*first, "ETag");
    ASSERT_FALSE(etag.empty());
    auto identity = client.get("/page");
    ASSERT_TRUE(identity);
    EXPECT_NE(header(*identity, "ETag"), etag);

    for (const std::string& condition :
         {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
        auto response =
            client.get("/page", "Accept-Encoding: gzip\r\nIf-None-Match: " + condition + "\r\n");
        ASSERT_TRUE(response) << condition;
        EXPECT_EQ(response->result_int(), 304) << condition;
        EXPECT_EQ(response->body(), "") << condition;
        EXPECT_EQ(header(*response, "ETag"), etag) << condition;
    }
    auto changed = client.get("/page", "Accept-Encoding: gzip\r\nIf-None-Match: \"other\"\r\n");
    ASSERT_TRUE(changed);
    EXPECT_EQ(changed->result_int(), 200);
    EXPECT_EQ(testing::gunzip(changed->body()), long_page());
    // The identity variant's tag does not match the gzip variant.
    auto other_variant = client.get(
        "/page", "Accept-Encoding: gzip\r\nIf-None-Match: " + header(*identity, "ETag") + "\r\n");
    ASSERT_TRUE(other_variant);
    EXPECT_EQ(other_variant->result_int(), 200);
}

TEST(Server, ClosesIdleConnectionAfterIdleTimeout) {
    ServerOptions options = test_options();
    options.idle_timeout = 100ms;
    RunningServer running(simple_router(), {}, options);
    Client client(running.port());
    ASSERT_TRUE(client.get("/"));
    EXPECT_TRUE(client.closed_by_server());
    Client next(running.port());
    auto response = next.get("/");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200);
}

TEST(Server, ClosesConnectionThatSendsRequestTooSlowly) {
    ServerOptions options = test_options();
    options.request_timeout = 200ms;
    RunningServer running(simple_router(), {}, options);
    Client client(running.port());
    ASSERT_TRUE(client.send("GET / HTTP/1.1\r\nHost: x\r\n"));
    EXPECT_TRUE(client.closed_by_server());
    Client next(running.port());
    ASSERT_TRUE(next.get("/"));
}

TEST(Server, StopLetsInFlightRequestFinishAndClosesIdleConnections) {
    std::promise<void> entered;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    Router router = simple_router();
    router.add("GET", "/slow", [&](const Request&, const RouteParams&) {
        entered.set_value();
        released.wait();
        return text("finished");
    });
    RunningServer running(std::move(router));

    Client idle(running.port());
    ASSERT_TRUE(idle.get("/"));
    Client slow(running.port());
    ASSERT_TRUE(slow.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_EQ(entered.get_future().wait_for(k_deadline), std::future_status::ready);

    running.server().stop();
    running.server().stop();  // idempotent
    EXPECT_TRUE(idle.closed_by_server(2s));
    Client late(running.port());
    EXPECT_FALSE(late.connected());

    release.set_value();
    auto response = slow.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200);
    EXPECT_EQ(response->body(), "finished");
    EXPECT_FALSE(response->keep_alive());
    running.stop_and_wait();
    EXPECT_TRUE(running.returned());
}

TEST(Server, RunReturnsWhenStoppedBeforeRun) {
    Server server(test_options(), simple_router(), {});
    ASSERT_TRUE(server.listen());
    server.stop();
    std::thread runner([&] { server.run(); });
    runner.join();
}

TEST(Server, StopsFromAnotherThreadWhileIdle) {
    RunningServer running(simple_router());
    std::thread stopper([&] { running.server().stop(); });
    stopper.join();
    running.stop_and_wait();
    EXPECT_TRUE(running.returned());
}

TEST(Server, StopsGracefullyOnSigterm) {
    ServerOptions options = test_options();
    options.handle_signals = true;
    Server server(options, simple_router(), {});
    auto port = server.listen();
    ASSERT_TRUE(port);
    std::atomic<bool> returned{false};
    std::thread runner([&] {
        server.run();
        returned = true;
    });
    // Were the signal not handled, its default action would end the test program here.
    ASSERT_EQ(std::raise(SIGTERM), 0);
    runner.join();
    EXPECT_TRUE(returned);
    EXPECT_FALSE(Client(*port).connected());
}

TEST(Server, SendsNeitherBodyNorLengthWith204) {
    Router router;
    router.add("POST", "/ping", [](const Request&, const RouteParams&) {
        Response response = text("ignored");
        response.status = 204;
        return response;
    });
    router.add("GET", "/", [](const Request&, const RouteParams&) { return text("home"); });
    RunningServer running(std::move(router));
    Client client(running.port());
    ASSERT_TRUE(client.send("POST /ping HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
    auto response = client.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 204);
    EXPECT_EQ(header(*response, "Content-Length"), "");
    // A stray body would be read as the start of the next answer.
    auto after = client.get("/");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->body(), "home");
}

TEST(Server, RunsPeriodicTaskWhileRunning) {
    std::mutex mutex;
    std::condition_variable ticked;
    int ticks = 0;
    Server server(test_options(), simple_router(), {});
    server.every(5ms, [&] {
        {
            std::lock_guard lock(mutex);
            ++ticks;
        }
        ticked.notify_all();
    });
    std::thread runner([&] { server.run(); });
    {
        std::unique_lock lock(mutex);
        EXPECT_TRUE(ticked.wait_for(lock, k_deadline, [&] { return ticks >= 3; }));
    }
    server.stop();
    runner.join();
}

TEST(Server, ListenReportsPortInUse) {
    RunningServer running(simple_router());
    ServerOptions options = test_options();
    options.port = running.port();
    Server second(options, simple_router(), {});
    auto port = second.listen();
    ASSERT_FALSE(port);
    EXPECT_EQ(port.error().code, Error::Code::io);
    EXPECT_NE(port.error().message.find(std::to_string(running.port())), std::string::npos);
}

TEST(Server, ListenReportsBadAddress) {
    ServerOptions options = test_options();
    options.address = "not an address";
    Server server(options, simple_router(), {});
    auto port = server.listen();
    ASSERT_FALSE(port);
    EXPECT_EQ(port.error().code, Error::Code::io);
}

// Sends the default logger's lines to a string while it lives.
class CapturedLog {
public:
    CapturedLog() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(lines_);
        sink->set_pattern("%v");
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
    }
    ~CapturedLog() { spdlog::set_default_logger(previous_); }
    CapturedLog(const CapturedLog&) = delete;
    CapturedLog& operator=(const CapturedLog&) = delete;

    // Only once nothing logs any more: after the server's run() returned.
    std::string text() const { return lines_.str(); }

private:
    std::shared_ptr<spdlog::logger> previous_;
    std::ostringstream lines_;
};

TEST(Server, WritesOneAccessLogLinePerRequest) {
    CapturedLog log;
    CacheFixture fixture;
    ServerOptions options = test_options();
    options.access_log = true;
    {
        RunningServer running(fixture.router(), fixture.policy(), options);
        Client client(running.port());
        ASSERT_TRUE(client.get("/list/libye/?x=1"));
        ASSERT_TRUE(client.get("/page"));
        ASSERT_TRUE(client.get("/page", {}, "HEAD"));
        running.stop_and_wait();
    }
    std::string text = log.text();
    EXPECT_NE(text.find("127.0.0.1 \"GET /list/libye/?x=1\" 404 "), std::string::npos) << text;
    EXPECT_NE(text.find("127.0.0.1 \"GET /page\" 200 " + std::to_string(long_page().size()) + " "),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("us cache:miss"), std::string::npos) << text;
    EXPECT_NE(text.find("127.0.0.1 \"HEAD /page\" 200 0 "), std::string::npos) << text;
    EXPECT_NE(text.find("us cache:hit"), std::string::npos) << text;
}

TEST(Server, WritesNoAccessLogWhenTurnedOff) {
    CapturedLog log;
    {
        RunningServer running(simple_router());
        Client client(running.port());
        ASSERT_TRUE(client.get("/"));
        running.stop_and_wait();
    }
    EXPECT_EQ(log.text().find("\"GET /\""), std::string::npos) << log.text();
}

TEST(Server, DropsHeaderThatWouldSplitTheResponse) {
    Router router;
    router.add("GET", "/", [](const Request&, const RouteParams&) {
        Response response = text("body");
        response.headers.emplace_back("Location", "/a\r\nSet-Cookie: evil=1");
        return response;
    });
    RunningServer running(std::move(router));
    Client client(running.port());
    auto response = client.get("/");
    ASSERT_TRUE(response);
    EXPECT_EQ(header(*response, "Set-Cookie"), "");
    EXPECT_EQ(response->body(), "body");
}

}  // namespace
}  // namespace carnet::http
