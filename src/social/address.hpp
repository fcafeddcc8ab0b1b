// Which network addresses the fetch client may connect to. Private to the social module.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string_view>

namespace carnet::social {

// What an address is, as far as fetching from it goes. Only `global` addresses are on the
// public Internet; everything else belongs to this machine, its networks or nobody.
enum class AddressKind {
    global,
    loopback,      // 127.0.0.0/8, ::1
    private_use,   // 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT)
    link_local,    // 169.254/16, fe80::/10
    unique_local,  // fc00::/7, and the deprecated site-local fec0::/10
    multicast,     // 224/4, ff00::/8
    unspecified,   // 0.0.0.0/8, ::
    reserved,      // documentation, benchmarking, 240/4, broadcast, IETF and transition
                   // prefixes, and every IPv6 address outside 2000::/3
};

std::string_view to_string(AddressKind kind);  // "global", "loopback", ...

// The kind of `address`. An IPv6 address that carries an IPv4 one (IPv4-mapped ::ffff:0:0/96,
// the NAT64 prefix 64:ff9b::/96, 6to4 2002::/16) is judged by the IPv4 address inside it, so
// that ::ffff:127.0.0.1 is loopback.
AddressKind classify_address(const boost::asio::ip::address& address);

// True when the client may connect there: a global address, or a loopback one when the
// server was started to let test servers on one machine talk (allow_loopback).
bool may_connect(const boost::asio::ip::address& address, bool allow_loopback);

}  // namespace carnet::social
