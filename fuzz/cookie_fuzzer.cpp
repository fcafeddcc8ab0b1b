// Cookies both ways: the input's lines are Cookie headers a browser (or anyone) sends, read
// for the names carnet's handlers ask for; the first line split at its first '=' is also a
// name and value to set. A Set-Cookie header carnet agrees to write must never let the value
// break out of its attribute: no ';', ',', quote, space or control byte in the value, no
// CR or LF anywhere (a header injection).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/http.hpp"

using namespace carnet;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    http::Request request;
    for (std::size_t at = 0; at <= input.size();) {
        const auto end = std::min(input.find('\n', at), input.size());
        request.headers.emplace_back("Cookie", std::string(input.substr(at, end - at)));
        at = end + 1;
    }
    for (std::string_view name : {"carnet_session", "carnet_csrf", "sid", ""}) {
        (void)request.cookie(name);
    }
    const auto first_line = input.substr(0, std::min(input.find('\n'), input.size()));
    const auto equals = first_line.find('=');
    http::CookieOptions cookie;
    cookie.name = std::string(first_line.substr(0, equals));
    cookie.value = equals == std::string_view::npos ? std::string()
                                                    : std::string(first_line.substr(equals + 1));
    cookie.secure = size % 2 == 0;
    cookie.same_site = size % 3 == 0 ? http::SameSite::none : http::SameSite::lax;
    auto header = http::set_cookie_header(cookie);
    if (!header) return 0;
    if (header->find_first_of("\r\n") != std::string::npos) abort();
    for (const unsigned char c : cookie.value) {
        if (c <= 0x20 || c >= 0x7f || c == ';' || c == ',' || c == '"' || c == '\\') abort();
    }
    if (!header->starts_with(cookie.name + "=" + cookie.value + ";")) abort();
    return 0;
}
