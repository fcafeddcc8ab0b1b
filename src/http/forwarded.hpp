// Who the client is when the server sits behind reverse proxies: which peers are trusted, and
// what their X-Forwarded-* headers say.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <vector>

#include "http/http.hpp"

namespace carnet::http {

// Parses the configured addresses of trusted proxies. Fails with invalid_input, naming the
// entry, when one is not an IPv4 or IPv6 address.
[[nodiscard]] Result<std::vector<boost::asio::ip::address>> parse_trusted_proxies(
    const std::vector<std::string>& addresses);

// True when `peer` is one of `trusted`; an IPv4-mapped IPv6 peer (::ffff:10.0.0.1, as a
// dual-stack socket reports IPv4 clients) matches its IPv4 address.
bool is_trusted_proxy(const boost::asio::ip::address& peer,
                      const std::vector<boost::asio::ip::address>& trusted);

// Reads X-Forwarded-For and X-Forwarded-Proto into `request`, whose peer the caller has found
// trusted: the last address of the last X-Forwarded-For (the one the proxy itself appended)
// becomes remote_address, when it is an IP address; a last X-Forwarded-Proto of "https" makes
// the request secure. Anything else leaves the request as it was.
void apply_forwarded_headers(Request& request);

}  // namespace carnet::http
