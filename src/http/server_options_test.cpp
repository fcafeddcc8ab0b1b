// The server options the web admin relies on, through a real server: body limits by path,
// trusted proxies, default headers; and a form upload from end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "http/http.hpp"
#include "http/test_server.hpp"

namespace carnet::http {
namespace {

using namespace carnet::http::testing;

Response plain(std::string body) {
    Response response;
    response.content_type = "text/plain; charset=utf-8";
    response.body = std::move(body);
    return response;
}

std::string post(std::string_view path, std::string_view body, std::string_view extra = {}) {
    return "POST " + std::string(path) +
           " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
           std::string(extra) + "\r\n" + std::string(body);
}

std::string chunked_post(std::string_view path, std::size_t size) {
    std::string request =
        "POST " + std::string(path) + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    // Chunks of 100 bytes, so that the limit is crossed in the middle of the body.
    for (std::size_t sent = 0; sent < size; sent += 100) {
        std::size_t chunk = std::min<std::size_t>(100, size - sent);
        char length[16];
        std::snprintf(length, sizeof length, "%zx", chunk);
        request += std::string(length) + "\r\n" + std::string(chunk, 'c') + "\r\n";
    }
    return request + "0\r\n\r\n";
}

// Answers with the size of the body it was given.
Router sizing_router() {
    Router router;
    auto size = [](const Request& request, const RouteParams&) {
        return plain("got " + std::to_string(request.body.size()));
    };
    router.add("POST", "/comment", size);
    router.add("POST", "/upload/{name}", size);
    router.add("POST", "/upload/small/{name}", size);
    return router;
}

ServerOptions limited_options() {
    ServerOptions options = test_options();
    options.max_body_bytes = 64;
    options.body_limits = {{.path_prefix = "/upload/", .max_bytes = 1000},
                           {.path_prefix = "/upload/small/", .max_bytes = 10}};
    return options;
}

// Sends `request` on a new connection and returns the status, or 0 when nothing came back.
int status_of(std::uint16_t port, const std::string& request, std::string* body = nullptr) {
    Client client(port);
    if (!client.send(request)) return 0;
    auto response = client.read();
    if (!response) return 0;
    if (body) *body = response->body();
    return response->result_int();
}

TEST(ServerBodyLimits, AllowsLargerBodiesUnderTheirPrefix) {
    RunningServer running(sizing_router(), {}, limited_options());
    std::string body;
    EXPECT_EQ(status_of(running.port(), post("/upload/photo", std::string(1000, 'u')), &body), 200);
    EXPECT_EQ(body, "got 1000");
    EXPECT_EQ(status_of(running.port(), chunked_post("/upload/photo", 950), &body), 200);
    EXPECT_EQ(body, "got 950");
    // The prefix is matched on the decoded path, the one the router sees.
    EXPECT_EQ(status_of(running.port(), post("/%75pload/photo", std::string(500, 'u')), &body),
              200);
    EXPECT_EQ(body, "got 500");
}

TEST(ServerBodyLimits, AnswersTooLargeBodiesWith413AndKeepsServing) {
    RunningServer running(sizing_router(), {}, limited_options());
    {
        Client client(running.port());
        ASSERT_TRUE(client.send(post("/upload/photo", std::string(1001, 'u'))));
        auto response = client.read();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->result_int(), 413);
        EXPECT_TRUE(client.closed_by_server());
    }
    EXPECT_EQ(status_of(running.port(), chunked_post("/upload/photo", 1100)), 413);
    // Elsewhere the default limit holds, even though a larger one exists for uploads.
    EXPECT_EQ(status_of(running.port(), post("/comment", std::string(65, 'c'))), 413);
    EXPECT_EQ(status_of(running.port(), chunked_post("/comment", 200)), 413);
    std::string body;
    EXPECT_EQ(status_of(running.port(), post("/comment", std::string(64, 'c')), &body), 200);
    EXPECT_EQ(body, "got 64");
}

TEST(ServerBodyLimits, LongestPrefixWins) {
    RunningServer running(sizing_router(), {}, limited_options());
    EXPECT_EQ(status_of(running.port(), post("/upload/small/x", std::string(10, 's'))), 200);
    EXPECT_EQ(status_of(running.port(), post("/upload/small/x", std::string(11, 's'))), 413);
    EXPECT_EQ(status_of(running.port(), chunked_post("/upload/small/x", 11)), 413);
}

TEST(ServerBodyLimits, RefusesBeforeContinueWhenDeclaredLengthIsTooLarge) {
    RunningServer running(sizing_router(), {}, limited_options());
    Client client(running.port());
    ASSERT_TRUE(
        client.send("POST /comment HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\nExpect: "
                    "100-continue\r\n\r\n"));
    auto response = client.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 413);
}

TEST(ServerForms, ReceivesAMultipartUploadLargerThanTheDefaultLimit) {
    Router router;
    router.add("POST", "/upload/{name}", [](const Request& request, const RouteParams&) {
        auto form = parse_form(request);
        if (!form) {
            Response refusal = plain(form.error().message);
            refusal.status = 400;
            return refusal;
        }
        const UploadedFile* file = form->file("image");
        if (!file) return plain("no file");
        return plain(*form->get("title") + "|" + file->file_name + "|" + file->content_type + "|" +
                     std::to_string(file->data.size()) + "|" +
                     (file->data == std::string(100'000, '\xAB') ? "intact" : "damaged"));
    });
    ServerOptions options = test_options();
    options.max_body_bytes = 1024;
    options.body_limits = {{.path_prefix = "/upload/", .max_bytes = 200'000}};
    RunningServer running(std::move(router), {}, options);

    const std::string boundary = "----WebKitFormBoundaryc4rn3t";
    std::string body = "--" + boundary +
                       "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nSyrte\r\n--" +
                       boundary +
                       "\r\nContent-Disposition: form-data; name=\"image\"; "
                       "filename=\"syrte.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" +
                       std::string(100'000, '\xAB') + "\r\n--" + boundary + "--\r\n";
    std::string answer;
    EXPECT_EQ(status_of(running.port(),
                        post("/upload/media", body,
                             "Content-Type: multipart/form-data; boundary=" + boundary + "\r\n"),
                        &answer),
              200);
    EXPECT_EQ(answer, "Syrte|syrte.jpg|image/jpeg|100000|intact");
}

// Answers with what the server says of the client.
Router client_router() {
    Router router;
    router.add("GET", "/whoami", [](const Request& request, const RouteParams&) {
        return plain(request.remote_address + (request.secure ? " https" : " http"));
    });
    return router;
}

constexpr std::string_view k_forwarded =
    "X-Forwarded-For: 198.51.100.1, 203.0.113.9\r\nX-Forwarded-Proto: https\r\n";

TEST(ServerProxies, IgnoresForwardedHeadersFromUntrustedPeers) {
    ServerOptions options = test_options();
    options.trusted_proxies = {"10.9.9.9", "::1"};
    RunningServer running(client_router(), {}, options);
    Client client(running.port());
    auto response = client.get("/whoami", k_forwarded);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body(), "127.0.0.1 http");
}

TEST(ServerProxies, IgnoresForwardedHeadersWithoutTrustedProxies) {
    RunningServer running(client_router());
    Client client(running.port());
    auto response = client.get("/whoami", k_forwarded);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body(), "127.0.0.1 http");
}

TEST(ServerProxies, BelievesForwardedHeadersFromTrustedPeers) {
    ServerOptions options = test_options();
    options.trusted_proxies = {"127.0.0.1"};
    RunningServer running(client_router(), {}, options);
    Client client(running.port());
    auto forwarded = client.get("/whoami", k_forwarded);
    ASSERT_TRUE(forwarded);
    EXPECT_EQ(forwarded->body(), "203.0.113.9 https");
    // On the same connection, a request without them is the proxy's own.
    auto direct = client.get("/whoami");
    ASSERT_TRUE(direct);
    EXPECT_EQ(direct->body(), "127.0.0.1 http");
}

TEST(ServerProxies, ListenRefusesATrustedProxyThatIsNotAnAddress) {
    ServerOptions options = test_options();
    options.trusted_proxies = {"proxy.example.org"};
    Server server(options, client_router(), {});
    auto port = server.listen();
    ASSERT_FALSE(port);
    EXPECT_EQ(port.error().code, Error::Code::invalid_input);
    EXPECT_NE(port.error().message.find("proxy.example.org"), std::string::npos);
}

ServerOptions with_default_headers() {
    ServerOptions options = test_options();
    options.max_body_bytes = 16;
    options.default_headers = {{"Content-Security-Policy", "default-src 'self'"},
                               {"Referrer-Policy", "same-origin"},
                               {"X-Content-Type-Options", "replaced"}};
    return options;
}

Router default_headers_router() {
    Router router;
    router.add("GET", "/", [](const Request&, const RouteParams&) { return plain("home"); });
    router.add("GET", "/own", [](const Request&, const RouteParams&) {
        Response response = plain("own");
        response.headers.emplace_back("referrer-policy", "no-referrer");
        return response;
    });
    router.add("GET", "/cached", [](const Request&, const RouteParams&) {
        Response response = plain("cached page");
        response.cacheable = true;
        return response;
    });
    router.add("GET", "/throws", [](const Request&, const RouteParams&) -> Response {
        throw std::runtime_error("boom");
    });
    router.add("POST", "/comment", [](const Request&, const RouteParams&) { return plain("ok"); });
    return router;
}

CachePolicy cache_everything_cached() {
    return [](const RequestHead& request, std::string& key) -> std::optional<std::uint64_t> {
        if (request.path != "/cached") return std::nullopt;
        key.append(request.path);
        return 1;
    };
}

void expect_default_headers(const std::optional<ClientResponse>& response, int status,
                            std::string_view referrer_policy = "same-origin") {
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), status);
    EXPECT_EQ(header(*response, "Content-Security-Policy"), "default-src 'self'");
    EXPECT_EQ(header(*response, "Referrer-Policy"), referrer_policy);
    EXPECT_EQ(response->count("Referrer-Policy"), 1u);
    // The server's own header stays; the default does not double it.
    EXPECT_EQ(header(*response, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(response->count("X-Content-Type-Options"), 1u);
}

TEST(ServerDefaultHeaders, AddsThemToHandlerAnswersUnlessAlreadySet) {
    RunningServer running(default_headers_router(), cache_everything_cached(),
                          with_default_headers());
    Client client(running.port());
    expect_default_headers(client.get("/"), 200);
    expect_default_headers(client.get("/own"), 200, "no-referrer");
    expect_default_headers(client.get("/", {}, "HEAD"), 200);
}

TEST(ServerDefaultHeaders, AddsThemToCachedAnswersAnd304) {
    RunningServer running(default_headers_router(), cache_everything_cached(),
                          with_default_headers());
    Client client(running.port());
    auto miss = client.get("/cached");
    expect_default_headers(miss, 200);
    EXPECT_EQ(header(*miss, "X-Cache"), "miss");
    auto hit = client.get("/cached");
    expect_default_headers(hit, 200);
    EXPECT_EQ(header(*hit, "X-Cache"), "hit");
    auto not_modified = client.get("/cached", "If-None-Match: " + header(*hit, "ETag") + "\r\n");
    expect_default_headers(not_modified, 304);
}

TEST(ServerDefaultHeaders, AddsThemToErrorAnswers) {
    RunningServer running(default_headers_router(), cache_everything_cached(),
                          with_default_headers());
    {
        Client client(running.port());
        expect_default_headers(client.get("/nowhere"), 404);
        expect_default_headers(client.get("/comment"), 405);
        expect_default_headers(client.get("/throws"), 500);
        expect_default_headers(client.get("/a/%2e%2e/b"), 400);
    }
    {
        Client client(running.port());
        ASSERT_TRUE(client.send(post("/comment", std::string(17, 'x'))));
        expect_default_headers(client.read(), 413);
    }
    {
        Client client(running.port());
        ASSERT_TRUE(client.send("NOT HTTP AT ALL\r\n\r\n"));
        expect_default_headers(client.read(), 400);
    }
}

TEST(ServerDefaultHeaders, ListenRefusesHeadersThatCannotBeSent) {
    for (Headers headers : {Headers{{"Content-Length", "0"}}, Headers{{"Connection", "close"}},
                            Headers{{"X-Bad", "a\r\nSet-Cookie: x=1"}}, Headers{{"", "empty"}},
                            Headers{{"Bad:Name", "v"}}}) {
        ServerOptions options = test_options();
        options.default_headers = headers;
        Server server(options, default_headers_router(), {});
        auto port = server.listen();
        ASSERT_FALSE(port) << headers[0].first;
        EXPECT_EQ(port.error().code, Error::Code::invalid_input);
    }
}

}  // namespace
}  // namespace carnet::http
