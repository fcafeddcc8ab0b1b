#include "http/forwarded.hpp"

#include <boost/url/grammar/ci_string.hpp>
#include <string_view>

namespace carnet::http {

namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view text) {
    auto space = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && space(text.front())) text.remove_prefix(1);
    while (!text.empty() && space(text.back())) text.remove_suffix(1);
    return text;
}

// The last element of the comma-separated list that the headers of that name make together
// (RFC 9110 §5.3); "" when there is none.
std::string_view last_list_element(const Headers& headers, std::string_view name) {
    std::string_view last;
    for (const auto& [field, value] : headers) {
        if (!boost::urls::grammar::ci_is_equal(field, name)) continue;
        std::string_view list = value;
        std::size_t comma = list.rfind(',');
        last = trim(comma == std::string_view::npos ? list : list.substr(comma + 1));
    }
    return last;
}

ip::address unmapped(const ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return ip::make_address_v4(ip::v4_mapped, address.to_v6());
    }
    return address;
}

}  // namespace

Result<std::vector<ip::address>> parse_trusted_proxies(const std::vector<std::string>& addresses) {
    std::vector<ip::address> parsed;
    parsed.reserve(addresses.size());
    for (const std::string& text : addresses) {
        boost::system::error_code error;
        ip::address address = ip::make_address(text, error);
        if (error) {
            return fail(Error::Code::invalid_input,
                        "trusted proxy \"" + text + "\" is not an IP address");
        }
        parsed.push_back(unmapped(address));
    }
    return parsed;
}

bool is_trusted_proxy(const ip::address& peer, const std::vector<ip::address>& trusted) {
    ip::address address = unmapped(peer);
    for (const ip::address& proxy : trusted) {
        if (proxy == address) return true;
    }
    return false;
}

void apply_forwarded_headers(Request& request) {
    std::string_view forwarded_for = last_list_element(request.headers, "X-Forwarded-For");
    if (forwarded_for.size() > 2 && forwarded_for.front() == '[' && forwarded_for.back() == ']') {
        forwarded_for = forwarded_for.substr(1, forwarded_for.size() - 2);
    }
    boost::system::error_code error;
    // Anything that is not a bare address ("unknown", an obfuscated identifier, one with a
    // port) keeps the peer's address rather than a string nobody can check.
    ip::address client = ip::make_address(forwarded_for, error);
    if (!forwarded_for.empty() && !error) request.remote_address = unmapped(client).to_string();
    std::string_view proto = last_list_element(request.headers, "X-Forwarded-Proto");
    if (boost::urls::grammar::ci_is_equal(proto, "https")) request.secure = true;
}

}  // namespace carnet::http
