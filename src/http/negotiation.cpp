#include "http/negotiation.hpp"

#include <charconv>
#include <optional>

namespace carnet::http {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
        if (x != y) return false;
    }
    return true;
}

// The q-value of one Accept-Encoding element ("gzip;q=0.5"); 1 when absent, nothing when
// malformed.
std::optional<double> read_q(std::string_view parameters) {
    double q = 1.0;
    while (!parameters.empty()) {
        std::size_t semicolon = parameters.find(';');
        std::string_view parameter = trim(parameters.substr(0, semicolon));
        parameters = semicolon == std::string_view::npos ? std::string_view{}
                                                         : parameters.substr(semicolon + 1);
        std::size_t equals = parameter.find('=');
        if (equals == std::string_view::npos) continue;
        if (!equals_ignoring_case(trim(parameter.substr(0, equals)), "q")) continue;
        std::string_view value = trim(parameter.substr(equals + 1));
        auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), q);
        if (error != std::errc{} || end != value.data() + value.size() || q < 0 || q > 1) {
            return std::nullopt;
        }
    }
    return q;
}

}  // namespace

Coding choose_coding(std::string_view accept_encoding, bool have_gzip, bool have_brotli) {
    // -1: not mentioned, so only "*" can make it acceptable.
    double gzip_q = -1, brotli_q = -1, any_q = -1;
    while (!accept_encoding.empty()) {
        std::size_t comma = accept_encoding.find(',');
        std::string_view element = trim(accept_encoding.substr(0, comma));
        accept_encoding = comma == std::string_view::npos ? std::string_view{}
                                                          : accept_encoding.substr(comma + 1);
        std::size_t semicolon = element.find(';');
        std::string_view coding = trim(element.substr(0, semicolon));
        std::optional<double> q =
            read_q(semicolon == std::string_view::npos ? std::string_view{}
                                                       : element.substr(semicolon + 1));
        if (!q || coding.empty()) continue;
        if (equals_ignoring_case(coding, "br")) {
            brotli_q = *q;
        } else if (equals_ignoring_case(coding, "gzip") || equals_ignoring_case(coding, "x-gzip")) {
            gzip_q = *q;
        } else if (coding == "*") {
            any_q = *q;
        }
    }
    if (gzip_q < 0) gzip_q = any_q;
    if (brotli_q < 0) brotli_q = any_q;
    if (!have_gzip) gzip_q = 0;
    if (!have_brotli) brotli_q = 0;
    if (brotli_q > 0 && brotli_q >= gzip_q) return Coding::brotli;
    if (gzip_q > 0) return Coding::gzip;
    return Coding::identity;
}

bool if_none_match_matches(std::string_view if_none_match, std::string_view etag) {
    auto opaque = [](std::string_view tag) { return tag.starts_with("W/") ? tag.substr(2) : tag; };
    std::string_view ours = opaque(etag);
    std::string_view list = trim(if_none_match);
    if (list == "*") return true;
    while (!list.empty()) {
        while (!list.empty() && (is_space(list.front()) || list.front() == ',')) {
            list.remove_prefix(1);
        }
        if (list.empty()) break;
        std::size_t start = list.starts_with("W/") ? 2 : 0;
        if (start >= list.size() || list[start] != '"') return false;
        // An opaque tag holds no '"' (RFC 9110 §8.8.3), but may hold commas.
        std::size_t close = list.find('"', start + 1);
        if (close == std::string_view::npos) return false;
        if (list.substr(start, close - start + 1) == ours) return true;
        list.remove_prefix(close + 1);
    }
    return false;
}

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) {
    // "Sun, 06 Nov 1994 08:49:37 GMT": exactly 29 characters.
    if (text.size() != 29 || text.substr(3, 2) != ", " || !text.ends_with(" GMT")) {
        return std::nullopt;
    }
    constexpr std::string_view k_months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const auto month_at = k_months.find(text.substr(8, 3));
    if (month_at == std::string_view::npos || month_at % 3 != 0) return std::nullopt;
    auto number = [&](std::size_t at, std::size_t length) -> std::optional<int> {
        int value = 0;
        const auto* begin = text.data() + at;
        auto [stop, error] = std::from_chars(begin, begin + length, value);
        if (error != std::errc() || stop != begin + length) return std::nullopt;
        return value;
    };
    const auto day = number(5, 2);
    const auto year = number(12, 4);
    const auto hour = number(17, 2);
    const auto minute = number(20, 2);
    const auto second = number(23, 2);
    if (!day || !year || !hour || !minute || !second || text[19] != ':' || text[22] != ':') {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{
        std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(month_at / 3 + 1)},
        std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
    return std::chrono::sys_days{date} + std::chrono::hours{*hour} + std::chrono::minutes{*minute} +
           std::chrono::seconds{*second};
}

bool not_modified_since(std::string_view if_modified_since, std::string_view last_modified) {
    if (if_modified_since.empty() || last_modified.empty()) return false;
    const auto since = parse_http_date(trim(if_modified_since));
    const auto modified = parse_http_date(trim(last_modified));
    return since && modified && *modified <= *since;
}

}  // namespace carnet::http
