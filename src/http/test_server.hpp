// A real server on a free loopback port and a client on a real socket, for the tests that
// go through the network. Only the tests include this header.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "http/http.hpp"

namespace carnet::http::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// How long a test waits for something that should happen at once, before it fails.
inline constexpr std::chrono::seconds k_deadline{5};

using ClientResponse = bhttp::response<bhttp::string_body>;

// A client on a real socket. Every operation is asynchronous on the client's own io_context,
// bounded by a deadline, so that a server that never answers fails the test instead of
// hanging it.
class Client {
public:
    explicit Client(std::uint16_t port) {
        connected_ = !run([&](auto handler) {
            stream_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                  handler);
        });
    }

    bool connected() const { return connected_; }

    bool send(std::string_view raw) {
        return !run([&](auto handler) {
            asio::async_write(stream_, asio::buffer(raw.data(), raw.size()),
                              [handler](beast::error_code e, std::size_t) { handler(e); });
        });
    }

    // One response, or nothing if the server closed, failed or did not answer in time.
    std::optional<ClientResponse> read(bool head = false) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        // A response to HEAD announces a length but carries no body.
        parser.skip(head);
        beast::error_code error = run([&](auto handler) {
            bhttp::async_read(stream_, buffer_, parser,
                              [handler](beast::error_code e, std::size_t) { handler(e); });
        });
        if (error) return std::nullopt;
        return parser.release();
    }

    std::optional<ClientResponse> get(std::string_view target, std::string_view extra_headers = {},
                                      std::string_view method = "GET") {
        std::string request = std::string(method) + " " + std::string(target) +
                              " HTTP/1.1\r\nHost: blog.example.org\r\n" +
                              std::string(extra_headers) + "\r\n";
        if (!send(request)) return std::nullopt;
        return read(method == "HEAD");
    }

    // Leaves at once, as a reader who closes the tab before the answer comes: the socket is
    // closed (a FIN, nothing being unread), and the server's next write to it gets a reset.
    void hang_up() {
        beast::error_code error;
        stream_.socket().close(error);
    }

    // True once the server has closed the connection: a read ends on end of file or a reset,
    // with nothing more to read, before the deadline.
    bool closed_by_server(std::chrono::milliseconds deadline = k_deadline) {
        buffer_.consume(buffer_.size());
        for (;;) {
            std::array<char, 4096> scratch;
            std::size_t received = 0;
            beast::error_code error = run(
                [&](auto handler) {
                    stream_.async_read_some(
                        asio::buffer(scratch),
                        [handler, &received](beast::error_code e, std::size_t n) {
                            received = n;
                            handler(e);
                        });
                },
                deadline);
            if (!error) continue;  // a late byte: keep reading until the end
            return error == asio::error::eof || error == asio::error::connection_reset;
        }
    }

private:
    template <typename Start>
    beast::error_code run(Start start, std::chrono::milliseconds deadline = k_deadline) {
        beast::error_code result = asio::error::would_block;
        stream_.expires_after(deadline);
        start([&result](beast::error_code error) { result = error; });
        io_.restart();
        io_.run();
        return result;
    }

    asio::io_context io_;
    beast::tcp_stream stream_{io_};
    beast::flat_buffer buffer_;
    bool connected_ = false;
};

inline std::string header(const ClientResponse& response, std::string_view name) {
    auto found = response.find(name);
    return found == response.end() ? std::string() : std::string(found->value());
}

inline ServerOptions test_options() {
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.handle_signals = false;
    options.access_log = false;
    options.idle_timeout = std::chrono::seconds(10);
    options.request_timeout = std::chrono::seconds(10);
    return options;
}

// A server on a free loopback port, running on its own thread until the test ends.
class RunningServer {
public:
    explicit RunningServer(Router router, CachePolicy policy = {},
                           ServerOptions options = test_options())
        : server_(std::move(options), std::move(router), std::move(policy)) {
        auto port = server_.listen();
        if (!port) throw std::runtime_error(port.error().message);
        port_ = *port;
        thread_ = std::thread([this] {
            server_.run();
            returned_ = true;
        });
    }

    ~RunningServer() { stop_and_wait(); }
    RunningServer(const RunningServer&) = delete;
    RunningServer& operator=(const RunningServer&) = delete;

    void stop_and_wait() {
        if (!thread_.joinable()) return;
        server_.stop();
        thread_.join();
    }

    Server& server() { return server_; }
    std::uint16_t port() const { return port_; }
    bool returned() const { return returned_; }

private:
    Server server_;
    std::uint16_t port_ = 0;
    std::atomic<bool> returned_{false};
    std::thread thread_;
};

}  // namespace carnet::http::testing
