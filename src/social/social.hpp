// carnet on the social web: Webmention (W3C Recommendation, 12 January 2017) sent and
// received, the durable work queue that carries it, and the one client that fetches anything
// remote. The client refuses every address that is not on the public Internet (loopback
// excepted when a test server asks for it) and connects to the very address it checked.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http.hpp"
#include "model/model.hpp"
#include "store/store.hpp"
#include "text/clock.hpp"

namespace carnet::social {

using model::Result;
using model::Status;

// --- The fetch client.

struct FetchOptions {
    // The most a response body may hold; past it the fetch fails (Code::invalid_input).
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    // For the whole fetch, redirects included: resolving, connecting, TLS, sending, reading.
    std::chrono::milliseconds timeout{10'000};
    int max_redirects = 5;
    // Let the client reach loopback addresses and speak plain http: for test servers on one
    // machine only (`carnet serve --allow-loopback-fetch` sets both). Without them only https
    // to public addresses is fetched.
    bool allow_loopback = false;
    bool allow_plain_http = false;
    // For the client's own tests: addresses, written as asio writes them ("127.0.0.1"), that
    // pass as public ones. Always empty in carnet.
    std::vector<std::string> treat_as_public;
    std::string user_agent = "carnet (+webmention)";
};

struct FetchRequest {
    std::string method = "GET";  // GET, HEAD or POST
    std::string url;
    std::string content_type;  // of `body`, when there is one
    std::string body;
    std::string accept = "text/html, */*;q=0.5";
};

struct FetchResponse {
    int status = 0;
    std::string url;  // the final one, after redirects
    http::Headers headers;
    std::string body;

    // The first header of that name (case-insensitive), or "".
    std::string_view header(std::string_view name) const;
    // Every header of that name, in order.
    std::vector<std::string_view> all_headers(std::string_view name) const;
};

// Fetches http(s) resources under FetchOptions. Every hop (the first request and each
// redirect) resolves the host once, refuses the whole hop when any address it resolves to
// may not be reached (private, loopback, link-local, unique-local, multicast, unspecified,
// reserved; IPv4-mapped IPv6 judged as IPv4) and connects only to those checked addresses,
// so that a second DNS answer cannot slip another address in. TLS checks the certificate
// against the system's CAs and the host name. Thread-safe; each fetch blocks its caller.
//
// Fails with Code::invalid_input for what trying again will not change (a malformed or
// non-http(s) URL, plain http or a refused address, a body over the limit, too many
// redirects) and Code::io for what may pass (a name that does not resolve, a refused
// connection, a TLS failure, the time limit). The message says which.
class Fetcher {
public:
    explicit Fetcher(FetchOptions options);
    ~Fetcher();
    Fetcher(const Fetcher&) = delete;
    Fetcher& operator=(const Fetcher&) = delete;

    [[nodiscard]] Result<FetchResponse> fetch(const FetchRequest& request) const;

    const FetchOptions& options() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace carnet::social
