#include "http/answer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>

namespace carnet::http {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return boost::beast::iequals(a, b);
}

void add(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
}

}  // namespace

std::string_view to_string(CacheState state) {
    switch (state) {
        case CacheState::hit:
            return "hit";
        case CacheState::miss:
            return "miss";
        case CacheState::none:
            break;
    }
    return "-";
}

bool is_managed_header(std::string_view name) {
    return equals_ignoring_case(name, "Content-Length") ||
           equals_ignoring_case(name, "Transfer-Encoding") ||
           equals_ignoring_case(name, "Connection");
}

bool is_safe_header(std::string_view name, std::string_view value) {
    auto unsafe = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
    return !name.empty() && std::none_of(name.begin(), name.end(), unsafe) &&
           name.find(':') == std::string_view::npos &&
           std::none_of(value.begin(), value.end(), unsafe);
}

int sendable_status(int status) { return status >= 100 && status <= 999 ? status : 500; }

bool is_bodiless(int status) { return status < 200 || status == 204 || status == 304; }

void append_head(std::string& out, unsigned version, const Answer& answer,
                 const Headers& defaults) {
    const int status = sendable_status(answer.status);
    fmt::format_to(std::back_inserter(out), "HTTP/{}.{} {} ", version / 10, version % 10, status);
    out += boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
    out += "\r\n";
    add(out, "Server", "carnet");
    add(out, "X-Content-Type-Options", "nosniff");
    // A 304 describes the stored representation; its type is not repeated (RFC 9110 §15.4.5).
    const bool typed = !answer.content_type.empty() && status != 304;
    if (typed) add(out, "Content-Type", answer.content_type);
    if (!answer.content_encoding.empty()) add(out, "Content-Encoding", answer.content_encoding);
    if (!answer.etag.empty()) add(out, "ETag", answer.etag);
    if (answer.vary_on_encoding) add(out, "Vary", "Accept-Encoding");
    if (answer.cache != CacheState::none) add(out, "X-Cache", to_string(answer.cache));
    if (answer.headers) {
        for (const auto& [name, value] : *answer.headers) {
            if (is_managed_header(name)) continue;
            if (!is_safe_header(name, value)) {
                spdlog::warn("dropped a response header holding a line break or a NUL");
                continue;
            }
            add(out, name, value);
        }
    }
    // A default applies unless the answer has a header of that name already.
    const auto present = [&](std::string_view name) {
        for (std::string_view written : {"Date", "Server", "X-Content-Type-Options"}) {
            if (equals_ignoring_case(name, written)) return true;
        }
        if (typed && equals_ignoring_case(name, "Content-Type")) return true;
        if (!answer.content_encoding.empty() && equals_ignoring_case(name, "Content-Encoding")) {
            return true;
        }
        if (!answer.etag.empty() && equals_ignoring_case(name, "ETag")) return true;
        if (answer.vary_on_encoding && equals_ignoring_case(name, "Vary")) return true;
        if (answer.cache != CacheState::none && equals_ignoring_case(name, "X-Cache")) return true;
        if (!answer.headers) return false;
        return std::any_of(answer.headers->begin(), answer.headers->end(), [&](const auto& field) {
            return !is_managed_header(field.first) && is_safe_header(field.first, field.second) &&
                   equals_ignoring_case(field.first, name);
        });
    };
    for (const auto& [name, value] : defaults) {
        if (!present(name)) add(out, name, value);
    }
    // HEAD and 304 announce the length of what a GET would have carried (RFC 9110 §8.6); a
    // 1xx or 204 has neither a body nor a length, whatever a handler put in it.
    if (!(is_bodiless(status) && (status != 304 || answer.body.empty()))) {
        fmt::format_to(std::back_inserter(out), "Content-Length: {}\r\n", answer.body.size());
    }
}

void append_head_end(std::string& out, std::string_view date, unsigned version, bool keep_alive) {
    add(out, "Date", date);
    if (version >= 11 && !keep_alive) add(out, "Connection", "close");
    if (version < 11 && keep_alive) add(out, "Connection", "keep-alive");
    out += "\r\n";
}

}  // namespace carnet::http
