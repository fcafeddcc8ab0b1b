// A generic HTTP/1.1 server on Boost.Beast: routing, limits, keep-alive, HEAD, an access
// log, and an in-memory page cache of complete responses. It knows nothing of blogs: the
// site and the admin register routes on a Router, and a CachePolicy tells the server which
// requests may be answered from the cache and at which generation of the data.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/model.hpp"

namespace carnet::http {

using model::Result;
using model::Status;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
    std::string method;  // "GET", "HEAD", "POST", ...
    std::string target;  // as sent: "/search?q=etat"
    std::string path;    // percent-decoded, without the query: "/search"
    std::string query;   // raw, without '?': "q=etat"
    std::string host;    // the Host header, lower case, without the port
    std::string remote_address;
    Headers headers;
    std::string body;

    // The first header of that name (case-insensitive), or "" when there is none.
    std::string_view header(std::string_view name) const;

    // A decoded query parameter, or nothing when it is absent.
    std::optional<std::string> query_param(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "text/html; charset=utf-8";
    std::string body;
    Headers headers;  // extra headers: Location, Allow, ...
    // May be kept in the page cache and served to anyone who sends the same request at the
    // same generation. Only GET answers with status 200, 301, 404 or 410 are ever kept.
    bool cacheable = false;
};

// Named segments captured by a route pattern: "/list/{slug}/" matched by "/list/libye/"
// gives {"slug": "libye"}.
using RouteParams = std::map<std::string, std::string, std::less<>>;

using Handler = std::function<Response(const Request&, const RouteParams&)>;

struct Route {
    std::string method;
    std::string pattern;
};

// Maps method and path to a handler. Patterns are split on '/'; a segment is either
// literal or holds one `{name}` with an optional literal prefix and suffix around it
// ("{slug}.html", "index-{page}.html"). A `{name}` matches one non-empty segment. Routes
// are tried in the order they were added. GET routes answer HEAD too.
class Router {
public:
    void add(std::string method, std::string pattern, Handler handler);

    // Answers requests that no route matches (the themed 404 page).
    void set_fallback(Handler handler);

    // What it answers: 405 with an Allow header when the path matches only routes of other
    // methods, the fallback (or a plain 404) when nothing matches.
    Response dispatch(const Request& request) const;

    // Every route added, in order: for tests that must cover all of them.
    std::vector<Route> routes() const;

private:
    struct Entry {
        Route route;
        std::vector<std::string> segments;
        Handler handler;
    };
    std::vector<Entry> entries_;
    Handler fallback_;
};

// Identifies a cacheable request: requests with the same key share a cached response, which
// is only used while the data is still at `generation`.
struct CacheKey {
    std::string key;
    std::uint64_t generation = 0;
};

// Says whether a request may be answered from the page cache; nothing means never.
using CachePolicy = std::function<std::optional<CacheKey>(const Request&)>;

struct ServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 picks a free port
    int threads = 0;            // 0: one per core
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;
    std::chrono::milliseconds idle_timeout{30'000};     // between requests on a connection
    std::chrono::milliseconds request_timeout{30'000};  // to read one request
    std::size_t page_cache_bytes = 128 * 1024 * 1024;
    bool handle_signals = true;  // stop gracefully on SIGINT and SIGTERM
    bool access_log = true;
};

struct ServerStats {
    std::uint64_t requests = 0;
    std::uint64_t cache_hits = 0;
    std::uint64_t cache_misses = 0;
    std::size_t cache_bytes = 0;
};

class Server {
public:
    Server(ServerOptions options, Router router, CachePolicy cache_policy);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds the listening socket; returns the port it listens on.
    Result<std::uint16_t> listen();

    // Runs `task` every `interval` on a server thread while the server runs.
    void every(std::chrono::milliseconds interval, std::function<void()> task);

    // Serves on the configured threads until `stop` (or a signal when handle_signals), then
    // lets the requests in flight finish and returns.
    void run();

    // Thread-safe; may be called from a handler, a signal or another thread.
    void stop();

    ServerStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace carnet::http
