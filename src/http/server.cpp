#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "http/answer.hpp"
#include "http/body_limit.hpp"
#include "http/error_page.hpp"
#include "http/forwarded.hpp"
#include "http/http.hpp"
#include "http/negotiation.hpp"
#include "http/page_cache.hpp"
#include "http/target.hpp"
#include "text/text.hpp"

namespace carnet::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// Network errors come back as values, to be looked at, rather than as exceptions.
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

// How long run() waits, after stop(), for the requests in flight before it gives up on them.
constexpr std::chrono::seconds k_stop_deadline{5};
// After an error answer, how long the server keeps reading what the client still sends, so
// that closing with unread data (which sends a TCP reset) does not destroy the answer
// before the client reads it.
constexpr std::chrono::seconds k_linger_time{1};
constexpr std::size_t k_linger_max_bytes = 1024 * 1024;
constexpr std::size_t k_read_chunk_bytes = 4096;
// After a failed accept (out of file descriptors, say), before the next try.
constexpr std::chrono::milliseconds k_accept_backoff{50};

std::string_view to_string(Coding coding) {
    switch (coding) {
        case Coding::gzip:
            return "gzip";
        case Coding::brotli:
            return "br";
        case Coding::identity:
            break;
    }
    return "";
}

// The Date header, formatted at most once a second per thread.
std::string_view http_date(const Clock& clock) {
    thread_local std::chrono::sys_seconds formatted_second{};
    thread_local std::string formatted;
    const auto now = clock.now();
    if (now != formatted_second || formatted.empty()) {
        formatted = text::http_date(now);
        formatted_second = now;
    }
    return formatted;
}

bool is_cacheable_status(int status) {
    return status == 200 || status == 301 || status == 404 || status == 410;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) { return beast::iequals(a, b); }

// What the server answers when reading a request failed; 0 when it should just close (the
// client left, was too slow, or the network failed).
int status_for_read_error(const beast::error_code& error) {
    if (error == bhttp::error::header_limit) return 431;
    if (error == bhttp::error::body_limit) return 413;
    if (error == bhttp::error::end_of_stream || error == bhttp::error::partial_message) return 0;
    if (error.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
        return 400;
    }
    return 0;
}

void log_exception(std::string_view what, std::exception_ptr exception) {
    if (!exception) return;
    try {
        std::rethrow_exception(exception);
    } catch (const std::exception& e) {
        spdlog::error("{} failed: {}", what, e.what());
    } catch (...) {
        spdlog::error("{} failed with a non-standard exception", what);
    }
}

// Drops the first `bytes` of `buffers`, what a write has sent already.
template <std::size_t N>
void consume(std::array<asio::const_buffer, N>& buffers, std::size_t bytes) {
    for (auto& buffer : buffers) {
        const std::size_t taken = std::min(bytes, buffer.size());
        buffer += taken;
        bytes -= taken;
    }
}

template <std::size_t N>
std::size_t total_size(const std::array<asio::const_buffer, N>& buffers) {
    std::size_t size = 0;
    for (const auto& buffer : buffers) size += buffer.size();
    return size;
}

}  // namespace

struct Server::Impl {
    // One accepted client. The coroutine that serves it owns it; the server only keeps a weak
    // reference, to close it when it sits idle at stop().
    struct Connection {
        Connection(Impl& server, tcp::socket socket)
            : server_(server), stream_(std::move(socket)) {}
        ~Connection() { server_.forget(this); }
        Connection(const Connection&) = delete;
        Connection& operator=(const Connection&) = delete;

        Impl& server_;
        beast::tcp_stream stream_;
        beast::flat_buffer buffer_;
        std::string remote_address_;
        bool trusted_proxy_ = false;  // its X-Forwarded-* headers are believed
        bool idle_ = false;  // waiting for a new request; only touched on the stream's strand
        std::string head_;   // the head of the answer being written, reused
        // What reading a request needs, kept from one request to the next for its room.
        Target target_;
        std::string host_;
        std::string cache_key_;
        std::vector<std::pair<std::string_view, std::string_view>> fields_;
        PageCache::Reader* cache_reader_ = nullptr;  // its loop's
    };

    Impl(ServerOptions options, Router router, CachePolicy cache_policy)
        : options_(std::move(options)),
          router_(std::move(router)),
          cache_policy_(std::move(cache_policy)),
          cache_(options_.page_cache_bytes),
          default_headers_(std::make_shared<const Headers>(options_.default_headers)),
          thread_count_(options_.threads > 0
                            ? options_.threads
                            : std::max(1, static_cast<int>(std::thread::hardware_concurrency()))),
          ios_(make_contexts(thread_count_)),
          control_(asio::make_strand(*ios_.front())),
          workers_(static_cast<std::size_t>(thread_count_)) {
        for (auto& io : ios_) {
            work_.push_back(asio::make_work_guard(*io));
            cache_readers_.push_back(std::make_unique<PageCache::Reader>(cache_));
        }
        if (options_.handle_signals) watch_signals();
        ignore_broken_pipes();
    }

    // sendfile(2), unlike send(2) with MSG_NOSIGNAL, raises SIGPIPE on a socket whose reader
    // has gone, and the signal's default action ends the process: one reader leaving in the
    // middle of a long page stopped every blog the process served. Every write here looks at
    // its error, which says the same thing.
    static void ignore_broken_pipes() {
        static std::once_flag once;
        std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
    }

    void watch_signals();
    Result<std::uint16_t> listen();
    void every(std::chrono::milliseconds interval, std::function<void()> task);
    void run();
    void stop();
    ServerStats stats() const;

    asio::awaitable<void> accept_loop();
    void start_connection(tcp::socket socket, std::size_t io_index);
    asio::awaitable<void> serve(std::shared_ptr<Connection> connection);
    asio::awaitable<bool> serve_request(Connection& connection);
    asio::awaitable<void> answer_read_error(Connection& connection, int status,
                                            std::chrono::steady_clock::time_point started);
    asio::awaitable<bool> write_answer(Connection& connection, const Answer& answer,
                                       unsigned version, bool keep_alive);
    asio::awaitable<bool> send_cached(Connection& connection,
                                      std::shared_ptr<const CachedResponse> cached,
                                      const bhttp::request<bhttp::string_body>& message,
                                      CacheState state, bool keep_alive,
                                      std::chrono::steady_clock::time_point started);
    // Writes the head, then the variant's body from its file with sendfile, as far as the
    // socket takes it now; the rest goes as write_buffers sends it.
    asio::awaitable<bool> write_head_and_file(Connection& connection, asio::const_buffer head,
                                              asio::const_buffer end,
                                              const CachedResponse::Variant& variant);
    template <std::size_t N>
    asio::awaitable<bool> write_buffers(Connection& connection,
                                        std::array<asio::const_buffer, N> buffers);
    asio::awaitable<void> linger_close(Connection& connection);
    // Runs `work` on the worker pool and resumes on the caller's thread with its result.
    template <typename Work>
    asio::awaitable<std::invoke_result_t<Work&>> on_workers(Work work);
    std::size_t next_connection_io();
    static std::vector<std::unique_ptr<asio::io_context>> make_contexts(int count);
    asio::awaitable<void> repeat(std::shared_ptr<asio::steady_timer> timer,
                                 std::chrono::milliseconds interval, std::function<void()> task);
    void shutdown();
    void forget(Connection* connection);
    void log_access(const Connection& connection, std::string_view method, std::string_view target,
                    const Answer& answer, std::chrono::steady_clock::time_point started) const;

    const ServerOptions options_;
    const Router router_;
    const CachePolicy cache_policy_;
    PageCache cache_;
    // What cached responses carry of the options: their heads are written with the defaults.
    const std::shared_ptr<const Headers> default_headers_;
    const int thread_count_;
    // Parsed from options_ by listen(), before the first connection is accepted.
    std::vector<asio::ip::address> trusted_proxies_;

    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> requests_{0};
    std::atomic<std::uint64_t> cache_hits_{0};
    std::atomic<std::uint64_t> file_bytes_sent_{0};
    std::atomic<std::uint64_t> cache_misses_{0};

    // Declared before ios_: connections unregister from their destructors, which may run while
    // ios_ is destroyed.
    mutable std::mutex state_mutex_;
    std::condition_variable state_changed_;
    std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;
    std::vector<std::weak_ptr<asio::steady_timer>> timers_;
    bool stop_requested_ = false;
    bool shut_down_ = false;

    // One event loop per thread, each run by that thread alone: a connection stays on one, so
    // its coroutine needs no strand, and the threads do not share a queue (with one shared
    // io_context two threads answered fewer cached pages than one).
    std::vector<std::unique_ptr<asio::io_context>> ios_;
    std::size_t next_io_ = 0;  // the accept loop's round robin; only touched on control_
    // One per loop, used by that loop's connections only.
    std::vector<std::unique_ptr<PageCache::Reader>> cache_readers_;
    // The acceptor, the signal set and the stop sequence live on this strand.
    asio::strand<asio::io_context::executor_type> control_;
    // Keep the loops running while there is nothing to do yet, until stop().
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    // Handlers and periodic tasks run here: they may wait for the database, the disk or a
    // lock, and a thread that waits must not be one that sockets depend on. Declared after
    // the loops, so that what is left on it goes before the sockets it refers to.
    asio::thread_pool workers_;
    std::optional<tcp::acceptor> acceptor_;
    std::optional<asio::signal_set> signals_;
};

Result<std::uint16_t> Server::Impl::listen() {
    if (acceptor_) return fail(Error::Code::conflict, "the server listens already");
    if (options_.clock == nullptr)
        return fail(Error::Code::invalid_input, "the server has no clock");
    auto trusted = parse_trusted_proxies(options_.trusted_proxies);
    if (!trusted) return std::unexpected(trusted.error());
    trusted_proxies_ = std::move(*trusted);
    for (const auto& [name, value] : options_.default_headers) {
        if (is_managed_header(name) || !is_safe_header(name, value)) {
            return fail(Error::Code::invalid_input,
                        fmt::format("default header \"{}\" cannot be sent", name));
        }
    }
    std::string where = fmt::format("{}:{}", options_.address, options_.port);
    beast::error_code error;
    tcp::endpoint endpoint;
    asio::ip::address address = asio::ip::make_address(options_.address, error);
    if (!error) {
        endpoint = tcp::endpoint(address, options_.port);
    } else {
        // Not a literal address: a host name such as "localhost".
        tcp::resolver resolver(*ios_.front());
        auto results = resolver.resolve(options_.address, std::to_string(options_.port),
                                        tcp::resolver::numeric_service, error);
        if (error || results.empty()) {
            return fail(Error::Code::io, fmt::format("cannot listen on {}: {}", where,
                                                     error ? error.message() : "no address"));
        }
        endpoint = results.begin()->endpoint();
    }
    tcp::acceptor acceptor(control_);
    auto failed = [&](std::string_view step) {
        return fail(Error::Code::io,
                    fmt::format("cannot listen on {}: {} ({})", where, error.message(), step));
    };
    if (acceptor.open(endpoint.protocol(), error); error) return failed("open");
    if (acceptor.set_option(asio::socket_base::reuse_address(true), error); error) {
        return failed("reuse address");
    }
    if (acceptor.bind(endpoint, error); error) return failed("bind");
    if (acceptor.listen(asio::socket_base::max_listen_connections, error); error) {
        return failed("listen");
    }
    std::uint16_t port = acceptor.local_endpoint(error).port();
    if (error) return failed("local address");
    acceptor_.emplace(std::move(acceptor));
    asio::co_spawn(control_, accept_loop(),
                   [](std::exception_ptr e) { log_exception("accepting connections", e); });
    spdlog::info("listening on {}:{}", endpoint.address().to_string(), port);
    return port;
}

asio::awaitable<void> Server::Impl::accept_loop() {
    for (;;) {
        // Each connection lives on one single-threaded loop: its coroutine and the stop
        // sequence's cancellation never run at the same time.
        const std::size_t io_index = next_connection_io();
        tcp::socket socket(ios_[io_index]->get_executor());
        auto [error] = co_await acceptor_->async_accept(socket, use_nothrow);
        if (stopping_ || error == asio::error::operation_aborted) co_return;
        if (error) {
            spdlog::warn("accept failed: {}", error.message());
            asio::steady_timer backoff(control_, k_accept_backoff);
            co_await backoff.async_wait(use_nothrow);
            continue;
        }
        start_connection(std::move(socket), io_index);
    }
}

std::size_t Server::Impl::next_connection_io() { return next_io_++ % ios_.size(); }

std::vector<std::unique_ptr<asio::io_context>> Server::Impl::make_contexts(int count) {
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (int i = 0; i < count; ++i) contexts.push_back(std::make_unique<asio::io_context>(1));
    return contexts;
}

template <typename Work>
asio::awaitable<std::invoke_result_t<Work&>> Server::Impl::on_workers(Work work) {
    using Result = std::invoke_result_t<Work&>;
    // co_spawn keeps the lambda (and so `work`) alive until it completes, and resumes this
    // coroutine on its own executor.
    co_return co_await asio::co_spawn(
        workers_, [&work]() -> asio::awaitable<Result> { co_return work(); }, asio::use_awaitable);
}

void Server::Impl::start_connection(tcp::socket socket, std::size_t io_index) {
    beast::error_code error;
    // Writes try at once and wait only for what the socket would not take (write_buffers).
    socket.non_blocking(true, error);
    if (error) return;
    // An answer is written whole, so nothing is gained by Nagle's algorithm; with it, the
    // last segment of an answer larger than one segment waits for the client's delayed
    // acknowledgement of the one before.
    socket.set_option(tcp::no_delay(true), error);
    auto connection = std::make_shared<Connection>(*this, std::move(socket));
    connection->cache_reader_ = cache_readers_[io_index].get();
    {
        std::lock_guard lock(state_mutex_);
        connections_.emplace(connection.get(), connection);
    }
    auto executor = connection->stream_.get_executor();
    asio::co_spawn(executor, serve(std::move(connection)),
                   [](std::exception_ptr e) { log_exception("serving a connection", e); });
}

void Server::Impl::forget(Connection* connection) {
    {
        std::lock_guard lock(state_mutex_);
        connections_.erase(connection);
    }
    state_changed_.notify_all();
}

asio::awaitable<void> Server::Impl::serve(std::shared_ptr<Connection> connection) {
    Connection& c = *connection;
    beast::error_code error;
    tcp::endpoint remote = c.stream_.socket().remote_endpoint(error);
    c.remote_address_ = error ? "-" : remote.address().to_string();
    c.trusted_proxy_ = !error && is_trusted_proxy(remote.address(), trusted_proxies_);
    for (;;) {
        if (stopping_) break;
        if (c.buffer_.size() == 0) {
            // Between requests the idle timeout applies; once a byte of the next request is
            // here, the request timeout does.
            c.idle_ = true;
            c.stream_.expires_after(options_.idle_timeout);
            auto [read_error, bytes] = co_await c.stream_.async_read_some(
                c.buffer_.prepare(k_read_chunk_bytes), use_nothrow);
            c.idle_ = false;
            if (read_error) break;
            c.buffer_.commit(bytes);
        }
        if (!co_await serve_request(c)) break;
    }
    c.stream_.socket().shutdown(tcp::socket::shutdown_both, error);
    c.stream_.close();
}

asio::awaitable<bool> Server::Impl::serve_request(Connection& c) {
    const auto started = std::chrono::steady_clock::now();
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        options_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    // The path, and so its limit, is only known once the header is read.
    parser.body_limit(largest_body_limit(options_));

    c.stream_.expires_after(options_.request_timeout);
    auto [error, header_bytes] =
        co_await bhttp::async_read_header(c.stream_, c.buffer_, parser, use_nothrow);
    bool target_parsed = false;
    if (!error) target_parsed = parse_target_into(parser.get().target(), c.target_).has_value();
    if (!error && !parser.is_done()) {
        const auto& header = parser.get();
        // A target that does not parse keeps the default limit: it is refused once read.
        const std::size_t body_limit =
            target_parsed ? body_limit_for(options_, c.target_.path) : options_.max_body_bytes;
        // Beast compared the Content-Length with the largest limit only; setting the limit
        // now is allowed, since no byte of the body has been parsed yet.
        if (auto declared = parser.content_length(); declared && *declared > body_limit) {
            error = bhttp::error::body_limit;
        } else {
            parser.body_limit(body_limit);
            if (header.version() >= 11 &&
                equals_ignoring_case(header[bhttp::field::expect], "100-continue")) {
                bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, 11};
                auto [write_error, written] =
                    co_await bhttp::async_write(c.stream_, proceed, use_nothrow);
                if (write_error) co_return false;
            }
            auto [body_error, body_bytes] =
                co_await bhttp::async_read(c.stream_, c.buffer_, parser, use_nothrow);
            error = body_error;
        }
    }
    // The handler may take its time: the timer must not fire on a stream with nothing pending.
    c.stream_.expires_never();
    if (error) {
        if (int status = status_for_read_error(error); status != 0) {
            co_await answer_read_error(c, status, started);
        }
        co_return false;
    }

    auto& message = parser.get();
    const std::string_view method = message.method_string();
    const unsigned version = message.version();
    const bool host_parsed =
        message.count(bhttp::field::host) == 0
            ? (c.host_.clear(), true)
            : parse_host_into(message[bhttp::field::host], c.host_).has_value();
    if (!target_parsed || !host_parsed) {
        const bool keep_alive = message.keep_alive() && !stopping_;
        Response refusal = error_page(400);
        Answer answer{.status = 400,
                      .content_type = refusal.content_type,
                      .body = refusal.body,
                      .send_body = method != "HEAD"};
        bool written = co_await write_answer(c, answer, version, keep_alive);
        log_access(c, method, message.target(), answer, started);
        co_return (keep_alive && written);
    }

    // The cache is asked before anything is copied out of the message: a hit is answered from
    // the parse alone.
    const bool head = method == "HEAD";
    std::optional<std::uint64_t> generation;
    if ((head || method == "GET") && cache_policy_) {
        c.fields_.clear();
        for (const auto& field : message)
            c.fields_.emplace_back(field.name_string(), field.value());
        const RequestHead request_head{.method = method,
                                       .target = message.target(),
                                       .path = c.target_.path,
                                       .query = c.target_.query,
                                       .host = c.host_,
                                       .headers = c.fields_};
        try {
            generation = cache_policy_.key_into(request_head, c.cache_key_);
        } catch (const std::exception& e) {
            spdlog::error("cache policy for {} threw: {}", message.target(), e.what());
        } catch (...) {
            spdlog::error("cache policy for {} threw a non-standard exception", message.target());
        }
    }

    CacheState cache_state = CacheState::none;
    std::shared_ptr<const CachedResponse> cached;
    if (generation) {
        cached = c.cache_reader_->find(c.cache_key_, *generation);
        cache_state = cached ? CacheState::hit : CacheState::miss;
        (cached ? cache_hits_ : cache_misses_).fetch_add(1, std::memory_order_relaxed);
    }
    if (cached) {
        const bool keep_alive = message.keep_alive() && !stopping_;
        const bool written =
            co_await send_cached(c, std::move(cached), message, cache_state, keep_alive, started);
        co_return (keep_alive && written);
    }

    Request request;
    request.method = std::string(method);
    request.target = std::string(message.target());
    request.remote_address = c.remote_address_;
    request.path = c.target_.path;
    request.query = c.target_.query;
    request.host = c.host_;
    for (const auto& field : message) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    if (c.trusted_proxy_) apply_forwarded_headers(request);
    request.body = std::move(message.body());

    // A render reads the database: it runs on a worker, and this loop serves other connections
    // meanwhile.
    auto made = co_await on_workers([&] {
        std::pair<Response, std::shared_ptr<const CachedResponse>> made;
        made.first = router_.dispatch(request);
        // HEAD and GET share the key: the router gives HEAD the GET handler, and the server,
        // not the handler, drops the body.
        if (generation && made.first.cacheable && is_cacheable_status(made.first.status)) {
            made.second = make_cached_response(std::move(made.first), *generation, default_headers_,
                                               cache_.capacity_bytes() > 0);
            cache_.insert(c.cache_key_, made.second);
        }
        return made;
    });
    // Read after the handler: a stop() that came meanwhile makes this the connection's last
    // answer, and the client should hear so.
    const bool keep_alive = message.keep_alive() && !stopping_;
    if (made.second) {
        const bool written = co_await send_cached(c, std::move(made.second), message, cache_state,
                                                  keep_alive, started);
        co_return (keep_alive && written);
    }
    const Response& response = made.first;
    Answer answer{.status = response.status,
                  .content_type = response.content_type,
                  .headers = &response.headers,
                  .body = response.body,
                  .send_body = !head,
                  .cache = cache_state};
    bool written = co_await write_answer(c, answer, version, keep_alive);
    log_access(c, request.method, request.target, answer, started);
    co_return (keep_alive && written);
}

asio::awaitable<bool> Server::Impl::send_cached(Connection& c,
                                                std::shared_ptr<const CachedResponse> cached,
                                                const bhttp::request<bhttp::string_body>& message,
                                                CacheState state, bool keep_alive,
                                                std::chrono::steady_clock::time_point started) {
    Coding coding = choose_coding(message[bhttp::field::accept_encoding],
                                  cached->offers(Coding::gzip), cached->offers(Coding::brotli));
    // Compressing takes a millisecond or so, once per page and coding: not on this loop.
    if (!cached->made(coding)) {
        co_await on_workers([&] {
            [[maybe_unused]] const auto& made = cached->variant(coding);
            return true;
        });
    }
    const CachedResponse::Variant& variant = cached->variant(coding);
    if (&variant == &cached->identity) coding = Coding::identity;
    // RFC 9110 §13.2.1: preconditions only apply to what would otherwise be a 2xx.
    const std::string_view if_none_match = message[bhttp::field::if_none_match];
    const bool unchanged =
        !if_none_match.empty()
            ? if_none_match_matches(if_none_match, variant.etag)
            : not_modified_since(message[bhttp::field::if_modified_since], cached->last_modified);
    const bool not_modified = cached->status == 200 && unchanged;
    const bool send_body = !not_modified && message.method() != bhttp::verb::head;
    const unsigned version = message.version();

    Answer answer{.status = not_modified ? 304 : cached->status,
                  .content_type = cached->content_type,
                  .headers = &cached->headers,
                  .body = variant.body,
                  .send_body = send_body,
                  .content_encoding = to_string(coding),
                  .etag = variant.etag,
                  .vary_on_encoding = true,
                  .cache = state};
    bool written = false;
    if (state == CacheState::hit && version == 11) {
        // The head was written with the response: only the Date and the end are added.
        std::string& end = c.head_;
        end.clear();
        append_head_end(end, http_date(*options_.clock), version, keep_alive);
        requests_.fetch_add(1, std::memory_order_relaxed);
        const auto head = asio::buffer(not_modified ? variant.not_modified_head : variant.head);
        if (send_body && variant.file) {
            written = co_await write_head_and_file(c, head, asio::buffer(end), variant);
        } else {
            written = co_await write_buffers(
                c, std::array<asio::const_buffer, 3>{
                       head, asio::buffer(end),
                       send_body ? asio::buffer(variant.body) : asio::const_buffer()});
        }
    } else {
        written = co_await write_answer(c, answer, version, keep_alive);
    }
    log_access(c, message.method_string(), message.target(), answer, started);
    co_return written;
}

asio::awaitable<void> Server::Impl::answer_read_error(
    Connection& c, int status, std::chrono::steady_clock::time_point started) {
    Response page = error_page(status);
    Answer answer{.status = status, .content_type = page.content_type, .body = page.body};
    if (co_await write_answer(c, answer, 11, false)) co_await linger_close(c);
    log_access(c, "-", "-", answer, started);
}

asio::awaitable<bool> Server::Impl::write_answer(Connection& c, const Answer& answer,
                                                 unsigned version, bool keep_alive) {
    // The head is written here rather than by Beast's serializer: one string the connection
    // keeps (no allocation once it has grown), and the body sent from where it lies.
    std::string& head = c.head_;
    head.clear();
    append_head(head, version, answer, options_.default_headers);
    append_head_end(head, http_date(*options_.clock), version, keep_alive);
    const int status = sendable_status(answer.status);
    const std::string_view body =
        answer.send_body && !is_bodiless(status) ? answer.body : std::string_view();
    requests_.fetch_add(1, std::memory_order_relaxed);
    co_return co_await write_buffers(
        c, std::array<asio::const_buffer, 2>{asio::buffer(head), asio::buffer(body)});
}

asio::awaitable<bool> Server::Impl::write_head_and_file(Connection& c, asio::const_buffer head,
                                                        asio::const_buffer end,
                                                        const CachedResponse::Variant& variant) {
    auto& socket = c.stream_.socket();
    std::array<asio::const_buffer, 2> heads{head, end};
    while (total_size(heads) > 0) {
        beast::error_code error;
        // MSG_MORE: the head waits for the body's first bytes, to leave in one segment.
        const std::size_t sent = socket.send(heads, MSG_MORE, error);
        if (error == asio::error::would_block || error == asio::error::try_again) {
            co_return co_await write_buffers(
                c,
                std::array<asio::const_buffer, 3>{heads[0], heads[1], asio::buffer(variant.body)});
        }
        if (error) co_return false;
        consume(heads, sent);
    }
    const BodyFile& file = *variant.file;
    off_t offset = 0;
    while (static_cast<std::size_t>(offset) < file.size()) {
        const ssize_t sent = ::sendfile(socket.native_handle(), file.descriptor(), &offset,
                                        file.size() - static_cast<std::size_t>(offset));
        if (sent > 0) continue;
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && errno != EAGAIN) co_return false;
        break;  // the socket is full (or the file short): the rest goes by copy, with its timeout
    }
    file_bytes_sent_.fetch_add(static_cast<std::uint64_t>(offset), std::memory_order_relaxed);
    co_return co_await write_buffers(
        c, std::array<asio::const_buffer, 1>{asio::buffer(variant.body) +
                                             static_cast<std::size_t>(offset)});
}

template <std::size_t N>
asio::awaitable<bool> Server::Impl::write_buffers(Connection& c,
                                                  std::array<asio::const_buffer, N> buffers) {
    // Most answers fit in the socket's buffer: they go at once, in one system call, with no
    // timer to set and no trip through the loop. Only what the socket would not take waits.
    auto& socket = c.stream_.socket();
    while (total_size(buffers) > 0) {
        beast::error_code error;
        const std::size_t sent = socket.write_some(buffers, error);
        if (error == asio::error::would_block || error == asio::error::try_again) break;
        if (error) co_return false;
        consume(buffers, sent);
    }
    if (total_size(buffers) == 0) co_return true;
    c.stream_.expires_after(options_.request_timeout);
    auto [error, bytes] = co_await asio::async_write(c.stream_, buffers, use_nothrow);
    c.stream_.expires_never();
    co_return !error;
}

asio::awaitable<void> Server::Impl::linger_close(Connection& c) {
    beast::error_code error;
    c.stream_.socket().shutdown(tcp::socket::shutdown_send, error);
    if (error) co_return;
    c.stream_.expires_after(k_linger_time);
    std::array<char, k_read_chunk_bytes> discarded;
    std::size_t total = 0;
    while (total < k_linger_max_bytes) {
        auto [read_error, bytes] =
            co_await c.stream_.async_read_some(asio::buffer(discarded), use_nothrow);
        if (read_error) break;
        total += bytes;
    }
}

void Server::Impl::log_access(const Connection& c, std::string_view method, std::string_view target,
                              const Answer& answer,
                              std::chrono::steady_clock::time_point started) const {
    if (!options_.access_log) return;
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
    spdlog::info("{} \"{} {}\" {} {} {}us cache:{}", c.remote_address_, method, target,
                 answer.status, answer.send_body ? answer.body.size() : 0, micros,
                 to_string(answer.cache));
}

void Server::Impl::every(std::chrono::milliseconds interval, std::function<void()> task) {
    auto timer = std::make_shared<asio::steady_timer>(asio::make_strand(workers_.get_executor()));
    {
        std::lock_guard lock(state_mutex_);
        std::erase_if(timers_, [](const auto& t) { return t.expired(); });
        timers_.push_back(timer);
    }
    auto executor = timer->get_executor();
    asio::co_spawn(
        executor,
        repeat(std::move(timer), std::max(interval, std::chrono::milliseconds(1)), std::move(task)),
        [](std::exception_ptr e) { log_exception("a periodic task", e); });
}

asio::awaitable<void> Server::Impl::repeat(std::shared_ptr<asio::steady_timer> timer,
                                           std::chrono::milliseconds interval,
                                           std::function<void()> task) {
    while (!stopping_) {
        timer->expires_after(interval);
        auto [error] = co_await timer->async_wait(use_nothrow);
        if (error || stopping_) co_return;
        try {
            task();
        } catch (const std::exception& e) {
            spdlog::error("periodic task threw: {}", e.what());
        } catch (...) {
            spdlog::error("periodic task threw a non-standard exception");
        }
    }
}

// Installed with the server rather than in run(), so that a signal that comes before run()
// is kept for it instead of killing the process.
void Server::Impl::watch_signals() {
    try {
        signals_.emplace(control_, SIGINT, SIGTERM);
        signals_->async_wait([this](const beast::error_code& error, int signal) {
            if (error) return;
            spdlog::info("signal {} received, stopping", signal);
            stop();
        });
    } catch (const std::exception& e) {
        spdlog::error("cannot handle SIGINT and SIGTERM: {}", e.what());
    }
}

void Server::Impl::run() {
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(thread_count_));
    for (int i = 0; i < thread_count_; ++i) {
        threads.emplace_back([this, &io = *ios_[static_cast<std::size_t>(i)]] {
            for (;;) {
                try {
                    io.run();
                    return;
                } catch (const std::exception& e) {
                    spdlog::error("server thread: {}", e.what());
                } catch (...) {
                    spdlog::error("server thread: non-standard exception");
                }
            }
        });
    }
    {
        std::unique_lock lock(state_mutex_);
        state_changed_.wait(lock, [this] { return stop_requested_; });
        bool drained = state_changed_.wait_for(
            lock, k_stop_deadline, [this] { return shut_down_ && connections_.empty(); });
        if (!drained) {
            spdlog::warn("{} connection(s) still busy {}s after stop, closing them",
                         connections_.size(), k_stop_deadline.count());
            for (auto& io : ios_) io->stop();
        }
    }
    for (std::thread& thread : threads) thread.join();
    // What is left on the workers can only be answers no loop will send, or timers that
    // were cancelled.
    workers_.stop();
    workers_.join();
}

void Server::Impl::stop() {
    if (stopping_.exchange(true)) return;
    asio::post(control_, [this] { shutdown(); });
    {
        std::lock_guard lock(state_mutex_);
        stop_requested_ = true;
    }
    state_changed_.notify_all();
}

void Server::Impl::shutdown() {
    beast::error_code error;
    if (acceptor_) acceptor_->close(error);
    if (signals_) signals_->cancel(error);
    work_.clear();
    std::vector<std::shared_ptr<Connection>> connections;
    std::vector<std::shared_ptr<asio::steady_timer>> timers;
    {
        std::lock_guard lock(state_mutex_);
        for (const auto& [pointer, weak] : connections_) {
            if (auto connection = weak.lock()) connections.push_back(std::move(connection));
        }
        for (const auto& weak : timers_) {
            if (auto timer = weak.lock()) timers.push_back(std::move(timer));
        }
    }
    // stopping_ is set before this runs, and each connection checks it on its strand before
    // it waits for a request: one that is not idle now will see it when its answer is sent.
    for (auto& connection : connections) {
        auto executor = connection->stream_.get_executor();
        asio::post(executor, [connection = std::move(connection)] {
            if (connection->idle_) connection->stream_.cancel();
        });
    }
    for (auto& timer : timers) {
        auto executor = timer->get_executor();
        asio::post(executor, [timer = std::move(timer)] { timer->cancel(); });
    }
    {
        std::lock_guard lock(state_mutex_);
        shut_down_ = true;
    }
    state_changed_.notify_all();
}

ServerStats Server::Impl::stats() const {
    ServerStats stats;
    stats.requests = requests_.load(std::memory_order_relaxed);
    stats.cache_hits = cache_hits_.load(std::memory_order_relaxed);
    stats.cache_misses = cache_misses_.load(std::memory_order_relaxed);
    stats.cache_bytes = cache_.bytes();
    stats.file_bytes_sent = file_bytes_sent_.load(std::memory_order_relaxed);
    return stats;
}

Server::Server(ServerOptions options, Router router, CachePolicy cache_policy)
    : impl_(
          std::make_unique<Impl>(std::move(options), std::move(router), std::move(cache_policy))) {}

Server::~Server() = default;

Result<std::uint16_t> Server::listen() {
    try {
        return impl_->listen();
    } catch (const std::exception& e) {
        return fail(Error::Code::io, std::string("cannot listen: ") + e.what());
    }
}

void Server::every(std::chrono::milliseconds interval, std::function<void()> task) {
    impl_->every(interval, std::move(task));
}

void Server::run() {
    try {
        impl_->run();
    } catch (const std::exception& e) {
        spdlog::error("server stopped on an error: {}", e.what());
    }
}

void Server::stop() { impl_->stop(); }

ServerStats Server::stats() const { return impl_->stats(); }

}  // namespace carnet::http
