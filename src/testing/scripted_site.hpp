// A small HTTP/1.1 server on a free loopback port for tests that need another site: it
// answers each request with what the test's handler says (or holds the connection open
// without a word, for time limits), one connection at a time, and remembers every request.
// Header-only; its users link Boost's headers and threads.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>
#include <functional>
#include <istream>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace carnet::testing {

class ScriptedSite {
public:
    struct Received {
        std::string method;
        std::string target;
        std::string body;
        // Every header line as sent, names in lower case.
        std::vector<std::pair<std::string, std::string>> headers;

        std::string header(const std::string& name) const {
            for (const auto& [key, value] : headers) {
                if (key == name) return value;
            }
            return {};
        }
    };
    struct Reply {
        std::string raw;     // the whole response, status line included
        bool stall = false;  // send nothing and keep the connection open until the site goes
    };
    using Handler = std::function<Reply(const Received&)>;

    // A complete response; Content-Length is computed, the connection closed after it.
    static std::string response(
        int status, const std::string& body,
        const std::string& content_type = "text/html; charset=utf-8",
        const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        std::string raw = "HTTP/1.1 " + std::to_string(status) + " Scripted\r\n";
        raw += "Content-Type: " + content_type + "\r\n";
        for (const auto& [name, value] : headers) raw += name + ": " + value + "\r\n";
        raw += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
        return raw + body;
    }

    explicit ScriptedSite(Handler handler)
        : handler_(std::move(handler)),
          acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        port_ = acceptor_.local_endpoint().port();
        thread_ = std::thread([this] { serve(); });
    }

    ~ScriptedSite() {
        stopping_ = true;
        // Wakes the blocking accept.
        boost::system::error_code ignored;
        boost::asio::ip::tcp::socket poke(io_);
        poke.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ignored);
        thread_.join();
    }
    ScriptedSite(const ScriptedSite&) = delete;
    ScriptedSite& operator=(const ScriptedSite&) = delete;

    std::uint16_t port() const { return port_; }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

    std::vector<Received> received() const {
        std::scoped_lock lock(mutex_);
        return received_;
    }

private:
    void serve() {
        std::vector<boost::asio::ip::tcp::socket> held;
        while (!stopping_) {
            boost::asio::ip::tcp::socket socket(io_);
            boost::system::error_code error;
            acceptor_.accept(socket, error);
            if (error || stopping_) break;
            Received request;
            boost::asio::streambuf buffer;
            boost::asio::read_until(socket, buffer, "\r\n\r\n", error);
            if (error) continue;
            std::istream head(&buffer);
            std::string line;
            std::getline(head, line);
            const auto first_space = line.find(' ');
            const auto second_space = line.find(' ', first_space + 1);
            request.method = line.substr(0, first_space);
            request.target = line.substr(first_space + 1, second_space - first_space - 1);
            std::size_t length = 0;
            while (std::getline(head, line) && line != "\r") {
                const auto colon = line.find(':');
                std::string name = line.substr(0, colon);
                for (auto& c : name) c = static_cast<char>(std::tolower(c));
                if (name == "content-length") length = std::stoul(line.substr(colon + 1));
                std::string value = line.substr(colon + 1);
                while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) {
                    value.pop_back();
                }
                while (!value.empty() && value.front() == ' ') value.erase(0, 1);
                request.headers.emplace_back(name, value);
            }
            std::string body((std::istreambuf_iterator<char>(head)), {});
            if (body.size() < length) {
                std::string rest(length - body.size(), '\0');
                boost::asio::read(socket, boost::asio::buffer(rest), error);
                body += rest;
            }
            request.body = body;
            {
                std::scoped_lock lock(mutex_);
                received_.push_back(request);
            }
            auto reply = handler_(request);
            if (reply.stall) {
                held.push_back(std::move(socket));
                continue;
            }
            boost::asio::write(socket, boost::asio::buffer(reply.raw), error);
            socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, error);
        }
    }

    Handler handler_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_ = false;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<Received> received_;
};

}  // namespace carnet::testing
