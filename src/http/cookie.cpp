#include <fmt/format.h>

#include <algorithm>
#include <boost/url/grammar/ci_string.hpp>

#include "http/http.hpp"

namespace carnet::http {

namespace {

bool is_control(char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
}

// token of RFC 9110 §5.6.2, which RFC 6265 §4.1.1 requires of a cookie name.
bool is_token_char(char c) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) return false;
    return std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

// cookie-octet of RFC 6265 §4.1.1: what a value may hold without breaking the header or the
// browser's parsing of it.
bool is_cookie_octet(char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte >= 0x21 && byte <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

std::string_view to_string(SameSite same_site) {
    switch (same_site) {
        case SameSite::strict:
            return "Strict";
        case SameSite::none:
            return "None";
        case SameSite::lax:
            break;
    }
    return "Lax";
}

Status check_cookie(const CookieOptions& cookie) {
    auto refuse = [](std::string message) {
        return fail(Error::Code::invalid_input, std::move(message));
    };
    if (cookie.name.empty() ||
        !std::all_of(cookie.name.begin(), cookie.name.end(), is_token_char)) {
        return refuse(
            fmt::format("invalid cookie name \"{}\": only letters, digits and "
                        "!#$%&'*+-.^_`|~ may be used",
                        cookie.name));
    }
    if (!std::all_of(cookie.value.begin(), cookie.value.end(), is_cookie_octet)) {
        return refuse(
            fmt::format("the value of cookie {} holds a space, a quote, a comma, a "
                        "semicolon, a backslash, a control or a non-ASCII character",
                        cookie.name));
    }
    if (cookie.path.empty() || cookie.path.front() != '/' ||
        std::any_of(cookie.path.begin(), cookie.path.end(),
                    [](char c) { return c == ';' || is_control(c); })) {
        return refuse(fmt::format(
            "the path of cookie {} must start with '/' and hold no ';' or control character",
            cookie.name));
    }
    if (cookie.max_age && *cookie.max_age < 0) {
        return refuse(fmt::format("the Max-Age of cookie {} is negative", cookie.name));
    }
    if (cookie.same_site == SameSite::none && !cookie.secure) {
        return refuse(
            fmt::format("cookie {} has SameSite=None without Secure, which browsers "
                        "refuse",
                        cookie.name));
    }
    return {};
}

}  // namespace

std::optional<std::string> Request::cookie(std::string_view name) const {
    // HTTP/1.1 clients send one Cookie header, but a proxy that turned HTTP/2 into HTTP/1.1
    // may pass several (RFC 9113 §8.2.3): they read as one list, in order.
    for (const auto& [field, value] : headers) {
        if (!boost::urls::grammar::ci_is_equal(field, "Cookie")) continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            std::size_t end = rest.find(';');
            std::string_view pair = rest.substr(0, end);
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
            std::size_t equals = pair.find('=');
            if (equals == std::string_view::npos) continue;
            std::string_view key = trim(pair.substr(0, equals));
            if (key.empty() || key != name) continue;
            std::string_view found = trim(pair.substr(equals + 1));
            if (found.size() >= 2 && found.front() == '"' && found.back() == '"') {
                found = found.substr(1, found.size() - 2);
            }
            return std::string(found);
        }
    }
    return std::nullopt;
}

Result<std::string> set_cookie_header(const CookieOptions& cookie) {
    if (auto checked = check_cookie(cookie); !checked) return std::unexpected(checked.error());
    std::string header = fmt::format("{}={}; Path={}", cookie.name, cookie.value, cookie.path);
    if (cookie.max_age) header += fmt::format("; Max-Age={}", *cookie.max_age);
    if (cookie.secure) header += "; Secure";
    if (cookie.http_only) header += "; HttpOnly";
    header += fmt::format("; SameSite={}", to_string(cookie.same_site));
    return header;
}

Result<std::string> delete_cookie_header(const CookieOptions& cookie) {
    CookieOptions expired = cookie;
    expired.value.clear();
    // Max-Age=0 rather than an Expires date in the past: RFC 6265 §5.3 step 3 gives Max-Age
    // precedence, and it does not depend on the client's clock.
    expired.max_age = 0;
    return set_cookie_header(expired);
}

}  // namespace carnet::http
