#include "http/target.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/url/authority_view.hpp>
#include <boost/url/grammar/string_token.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <exception>

namespace carnet::http {

namespace {

char to_lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Checks the decoded path, so that "%2e%2e" or ".%2F." cannot slip a dot segment past a
// check made on the encoded form.
bool is_safe_decoded_path(std::string_view path) {
    if (path.find('\0') != std::string_view::npos) return false;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        std::string_view segment = path.substr(start, end - start);
        if (segment == "." || segment == "..") return false;
        start = end + 1;
    }
    return true;
}

// Characters a path or a query may hold as they are (RFC 3986's pchar, '/' and '?', less
// '%'): a target made of them alone decodes to itself.
constexpr std::array<bool, 256> k_plain_target_chars = [] {
    std::array<bool, 256> plain{};
    for (int c = 'a'; c <= 'z'; ++c) plain[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) plain[static_cast<std::size_t>(c)] = true;
    for (int c = '0'; c <= '9'; ++c) plain[static_cast<std::size_t>(c)] = true;
    for (const char c : std::string_view("-._~!$&'()*+,;=:@/?")) {
        plain[static_cast<unsigned char>(c)] = true;
    }
    return plain;
}();
bool is_plain_target_char(char c) { return k_plain_target_chars[static_cast<unsigned char>(c)]; }

// An origin-form target without percent-encoding, which is what readers' browsers send: its
// path and query are its own bytes, split at the first '?'. Boost.URL's parse and decode
// were 7% of the server's CPU on cached pages.
bool parse_plain_target(std::string_view target, Target& parsed) {
    if (target.empty() || target.front() != '/') return false;
    if (!std::ranges::all_of(target, is_plain_target_char)) return false;
    const auto question = target.find('?');
    parsed.path.assign(target.substr(0, question));
    if (question == std::string_view::npos) {
        parsed.query.clear();
    } else {
        parsed.query.assign(target.substr(question + 1));
    }
    return true;
}

}  // namespace

Status parse_target_into(std::string_view target, Target& parsed) {
    if (parse_plain_target(target, parsed)) {
        if (!is_safe_decoded_path(parsed.path)) {
            return fail(Error::Code::invalid_input, "request path holds a dot segment or a NUL");
        }
        return {};
    }
    try {
        boost::system::result<boost::urls::url_view> url =
            !target.empty() && target.front() == '/' ? boost::urls::parse_origin_form(target)
                                                     : boost::urls::parse_absolute_uri(target);
        if (!url) {
            return fail(Error::Code::invalid_input,
                        fmt::format("invalid request target: {}", url.error().message()));
        }
        url->path(boost::urls::string_token::assign_to(parsed.path));
        // An empty path is the root. Appended rather than assigned: GCC 12 warns, wrongly, that
        // assigning a literal here may overlap (-Wrestrict, GCC bug 105329).
        if (parsed.path.empty()) parsed.path.push_back('/');
        if (url->has_query()) {
            parsed.query.assign(url->encoded_query());
        } else {
            parsed.query.clear();
        }
        if (!is_safe_decoded_path(parsed.path)) {
            return fail(Error::Code::invalid_input, "request path holds a dot segment or a NUL");
        }
        return {};
    } catch (const std::exception& e) {
        // Boost.URL throws std::length_error for targets beyond its size limit.
        return fail(Error::Code::invalid_input,
                    fmt::format("invalid request target: {}", e.what()));
    }
}

Result<Target> parse_target(std::string_view target) {
    Target parsed;
    if (auto done = parse_target_into(target, parsed); !done) return std::unexpected(done.error());
    return parsed;
}

Status parse_host_into(std::string_view host_header, std::string& host) {
    // A name and maybe a port, as browsers send them: the name, lowercased, without Boost.URL.
    const auto colon = host_header.find(':');
    const auto name = host_header.substr(0, colon);
    const auto port =
        colon == std::string_view::npos ? std::string_view() : host_header.substr(colon + 1);
    const auto is_name_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.';
    };
    if (!name.empty() && std::ranges::all_of(name, is_name_char) &&
        (colon == std::string_view::npos || (!port.empty() && std::ranges::all_of(port, [](char c) {
             return c >= '0' && c <= '9';
         })))) {
        host.assign(name);
        std::transform(host.begin(), host.end(), host.begin(), to_lower_ascii);
        return {};
    }
    try {
        auto authority = boost::urls::parse_authority(host_header);
        if (!authority || authority->has_userinfo()) {
            return fail(Error::Code::invalid_input, "invalid Host header");
        }
        host.assign(authority->encoded_host());
        std::transform(host.begin(), host.end(), host.begin(), to_lower_ascii);
        return {};
    } catch (const std::exception& e) {
        return fail(Error::Code::invalid_input, fmt::format("invalid Host header: {}", e.what()));
    }
}

Result<std::string> parse_host(std::string_view host_header) {
    std::string host;
    if (auto done = parse_host_into(host_header, host); !done) return std::unexpected(done.error());
    return host;
}

}  // namespace carnet::http
