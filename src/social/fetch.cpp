#include <fmt/format.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url.hpp>
#include <optional>
#include <variant>

#include "social/address.hpp"
#include "social/social.hpp"

namespace carnet::social {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using model::Error;
using Deadline = std::chrono::steady_clock::time_point;

std::string_view FetchResponse::header(std::string_view name) const {
    for (const auto& [field, value] : headers) {
        if (beast::iequals(field, name)) return value;
    }
    return {};
}

std::vector<std::string_view> FetchResponse::all_headers(std::string_view name) const {
    std::vector<std::string_view> values;
    for (const auto& [field, value] : headers) {
        if (beast::iequals(field, name)) values.emplace_back(value);
    }
    return values;
}

namespace {

// Where one hop goes, read from its URL.
struct Target {
    bool tls = true;
    std::string host;  // without brackets
    std::string port;
    std::string host_header;
    std::string request_target;  // path and query, never empty
};

Result<Target> target_of(const boost::urls::url_view& url, bool allow_plain_http) {
    Target target;
    if (url.scheme_id() == boost::urls::scheme::https) {
        target.tls = true;
    } else if (url.scheme_id() == boost::urls::scheme::http) {
        if (!allow_plain_http) {
            return model::fail(Error::Code::invalid_input,
                               fmt::format("refused: {} is plain http (only https is fetched)",
                                           std::string_view(url.buffer())));
        }
        target.tls = false;
    } else {
        return model::fail(
            Error::Code::invalid_input,
            fmt::format("refused: {} is not an http(s) URL", std::string_view(url.buffer())));
    }
    if (!url.has_authority() || url.host_address().empty() || url.has_userinfo()) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("refused: {} names no host (or carries a password)",
                                       std::string_view(url.buffer())));
    }
    target.host = url.host_address();
    target.port = url.has_port() ? std::string(url.port()) : (target.tls ? "443" : "80");
    target.host_header = url.encoded_host_and_port();
    target.request_target = url.encoded_path().empty() ? "/" : std::string(url.encoded_path());
    if (url.has_query()) {
        target.request_target += '?';
        target.request_target += url.encoded_query();
    }
    return target;
}

struct Hop {
    int status = 0;
    http::Headers headers;
    std::string body;
};

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// One request and its response, within `deadline`, under the client's rules. Runs on `io`.
class HopRunner {
public:
    HopRunner(asio::io_context& io, asio::ssl::context& tls, const FetchOptions& options,
              Deadline deadline)
        : io_(io), tls_(tls), options_(options), deadline_(deadline), timer_(io) {}

    asio::awaitable<Result<Hop>> run(const Target& target, const FetchRequest& request) {
        boost::system::error_code error;
        // The name is resolved once: the addresses checked are the ones connected to.
        tcp::resolver resolver(io_);
        timer_.expires_at(deadline_);
        timer_.async_wait([&](boost::system::error_code waited) {
            if (!waited) {
                timed_out_ = true;
                resolver.cancel();
            }
        });
        auto resolved = co_await resolver.async_resolve(
            target.host, target.port, asio::redirect_error(asio::use_awaitable, error));
        timer_.cancel();
        if (timed_out_) co_return timed_out(target);
        if (error) {
            co_return model::fail(Error::Code::io, fmt::format("cannot resolve {}: {}", target.host,
                                                               error.message()));
        }
        std::vector<tcp::endpoint> endpoints;
        for (const auto& entry : resolved) {
            const auto address = entry.endpoint().address();
            const bool treated_as_public =
                std::ranges::find(options_.treat_as_public, address.to_string()) !=
                options_.treat_as_public.end();
            if (!treated_as_public && !may_connect(address, options_.allow_loopback)) {
                co_return model::fail(
                    Error::Code::invalid_input,
                    fmt::format("refused: {} resolves to {}, a {} address (not public)",
                                target.host, address.to_string(),
                                to_string(classify_address(address))));
            }
            endpoints.push_back(entry.endpoint());
        }
        if (endpoints.empty()) {
            co_return model::fail(Error::Code::io, fmt::format("{} has no address", target.host));
        }
        if (target.tls) {
            beast::ssl_stream<beast::tcp_stream> stream(io_, tls_);
            if (!SSL_set_tlsext_host_name(stream.native_handle(), target.host.c_str())) {
                co_return model::fail(Error::Code::io, "cannot set the TLS server name");
            }
            stream.set_verify_mode(asio::ssl::verify_peer);
            stream.set_verify_callback(asio::ssl::host_name_verification(target.host));
            co_return co_await exchange(stream, beast::get_lowest_layer(stream), endpoints, target,
                                        request);
        }
        beast::tcp_stream stream(io_);
        co_return co_await exchange(stream, stream, endpoints, target, request);
    }

private:
    std::unexpected<Error> timed_out(const Target& target) const {
        return model::fail(Error::Code::io, fmt::format("{} did not answer within {} ms",
                                                        target.host, options_.timeout.count()));
    }

    template <typename Stream>
    asio::awaitable<Result<Hop>> exchange(Stream& stream, beast::tcp_stream& tcp,
                                          const std::vector<tcp::endpoint>& endpoints,
                                          const Target& target, const FetchRequest& request) {
        boost::system::error_code error;
        tcp.expires_at(deadline_);
        co_await tcp.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, error));
        if (error == beast::error::timeout) co_return timed_out(target);
        if (error) {
            co_return model::fail(Error::Code::io, fmt::format("cannot connect to {}: {}",
                                                               target.host, error.message()));
        }
        if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
            tcp.expires_at(deadline_);
            co_await stream.async_handshake(asio::ssl::stream_base::client,
                                            asio::redirect_error(asio::use_awaitable, error));
            if (error == beast::error::timeout) co_return timed_out(target);
            if (error) {
                co_return model::fail(Error::Code::io, fmt::format("TLS with {} failed: {}",
                                                                   target.host, error.message()));
            }
        }
        const auto method = beast::http::string_to_verb(request.method);
        bhttp::request<bhttp::string_body> message(method, target.request_target, 11);
        message.set(bhttp::field::host, target.host_header);
        message.set(bhttp::field::user_agent, options_.user_agent);
        message.set(bhttp::field::accept, request.accept);
        message.set(bhttp::field::connection, "close");
        for (const auto& [name, value] : request.headers) message.insert(name, value);
        if (!request.body.empty() || method == bhttp::verb::post) {
            message.set(bhttp::field::content_type, request.content_type);
            message.body() = request.body;
            message.prepare_payload();
        }
        tcp.expires_at(deadline_);
        co_await bhttp::async_write(stream, message,
                                    asio::redirect_error(asio::use_awaitable, error));
        if (error == beast::error::timeout) co_return timed_out(target);
        if (error) {
            co_return model::fail(Error::Code::io, fmt::format("cannot send to {}: {}", target.host,
                                                               error.message()));
        }
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(options_.max_body_bytes);
        parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
        if (method == bhttp::verb::head) parser.skip(true);
        beast::flat_buffer buffer;
        tcp.expires_at(deadline_);
        co_await bhttp::async_read(stream, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, error));
        if (error == beast::error::timeout) co_return timed_out(target);
        if (error == bhttp::error::body_limit || error == bhttp::error::header_limit) {
            co_return model::fail(Error::Code::invalid_input,
                                  fmt::format("refused: the answer of {} is larger than {} bytes",
                                              target.host, options_.max_body_bytes));
        }
        // A TLS peer that closes without close_notify after a complete message is common.
        if (error && !(error == asio::ssl::error::stream_truncated && parser.is_done())) {
            co_return model::fail(Error::Code::io, fmt::format("cannot read from {}: {}",
                                                               target.host, error.message()));
        }
        Hop hop;
        auto& response = parser.get();
        hop.status = static_cast<int>(response.result_int());
        for (const auto& field : response) {
            hop.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        hop.body = std::move(response.body());
        beast::error_code ignored;
        tcp.socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return hop;
    }

    asio::io_context& io_;
    asio::ssl::context& tls_;
    const FetchOptions& options_;
    Deadline deadline_;
    asio::steady_timer timer_;
    bool timed_out_ = false;
};

}  // namespace

struct Fetcher::Impl {
    FetchOptions options;
    asio::ssl::context tls{asio::ssl::context::tls_client};
};

Fetcher::Fetcher(FetchOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    boost::system::error_code ignored;
    impl_->tls.set_default_verify_paths(ignored);
    impl_->tls.set_verify_mode(asio::ssl::verify_peer, ignored);
}

Fetcher::~Fetcher() = default;

const FetchOptions& Fetcher::options() const { return impl_->options; }

Result<FetchResponse> Fetcher::fetch(const FetchRequest& request) const {
    const auto& options = impl_->options;
    const auto method = beast::http::string_to_verb(request.method);
    if (method != bhttp::verb::get && method != bhttp::verb::head && method != bhttp::verb::post) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("the client does not send {}", request.method));
    }
    const Deadline deadline = std::chrono::steady_clock::now() + options.timeout;
    auto parsed = boost::urls::parse_uri(request.url);
    if (!parsed) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("refused: {} is not a URL", request.url));
    }
    boost::urls::url url = *parsed;
    url.normalize_scheme();
    url.remove_fragment();
    FetchRequest hop_request = request;
    for (int hop_count = 0;; ++hop_count) {
        auto target = target_of(url, options.allow_plain_http);
        if (!target) return std::unexpected(target.error());
        asio::io_context io;
        HopRunner runner(io, impl_->tls, options, deadline);
        std::optional<Result<Hop>> outcome;
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> { outcome = co_await runner.run(*target, hop_request); },
            [&](std::exception_ptr failure) {
                if (failure && !outcome) {
                    outcome = model::fail(Error::Code::io, "the fetch failed unexpectedly");
                }
            });
        try {
            io.run();
        } catch (const std::exception& error) {
            return model::fail(Error::Code::io, fmt::format("the fetch failed: {}", error.what()));
        }
        if (!outcome) return model::fail(Error::Code::internal, "the fetch did not finish");
        if (!*outcome) return std::unexpected(outcome->error());
        Hop& hop = **outcome;
        std::string location;
        for (const auto& [name, value] : hop.headers) {
            if (beast::iequals(name, "location")) location = value;
        }
        if (!is_redirect(hop.status) || location.empty()) {
            return FetchResponse{hop.status, std::string(url.buffer()), std::move(hop.headers),
                                 std::move(hop.body)};
        }
        if (hop_count >= options.max_redirects) {
            return model::fail(Error::Code::invalid_input,
                               fmt::format("refused: more than {} redirects from {}",
                                           options.max_redirects, request.url));
        }
        auto reference = boost::urls::parse_uri_reference(location);
        if (!reference) {
            return model::fail(
                Error::Code::invalid_input,
                fmt::format("refused: a redirect to {}, which is not a URL", location));
        }
        boost::urls::url next;
        if (auto resolved = boost::urls::resolve(url, *reference, next); !resolved) {
            return model::fail(Error::Code::invalid_input,
                               fmt::format("refused: a redirect to {}", location));
        }
        next.normalize_scheme();
        next.remove_fragment();
        url = std::move(next);
        // RFC 9110 §15.4: after 303, and as browsers do after 301 and 302, a POST becomes GET.
        if (hop.status == 303 || ((hop.status == 301 || hop.status == 302) &&
                                  beast::iequals(hop_request.method, "POST"))) {
            hop_request.method = "GET";
            hop_request.body.clear();
            hop_request.content_type.clear();
        }
    }
}

}  // namespace carnet::social
