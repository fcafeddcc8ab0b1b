#include "social/address.hpp"

#include <array>
#include <cstdint>

namespace carnet::social {
namespace {

using boost::asio::ip::address_v4;
using boost::asio::ip::address_v6;

struct Range4 {
    std::uint32_t base;
    int prefix;
    AddressKind kind;
};

constexpr std::uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d) {
    return (a << 24) | (b << 16) | (c << 8) | d;
}

// The IANA IPv4 Special-Purpose Address Registry (RFC 6890 and its updates), plus multicast
// and the former class E.
constexpr std::array<Range4, 17> k_special_v4{{
    {ip4(0, 0, 0, 0), 8, AddressKind::unspecified},
    {ip4(10, 0, 0, 0), 8, AddressKind::private_use},
    {ip4(100, 64, 0, 0), 10, AddressKind::private_use},
    {ip4(127, 0, 0, 0), 8, AddressKind::loopback},
    {ip4(169, 254, 0, 0), 16, AddressKind::link_local},
    {ip4(172, 16, 0, 0), 12, AddressKind::private_use},
    {ip4(192, 0, 0, 0), 24, AddressKind::reserved},
    {ip4(192, 0, 2, 0), 24, AddressKind::reserved},
    {ip4(192, 31, 196, 0), 24, AddressKind::reserved},
    {ip4(192, 52, 193, 0), 24, AddressKind::reserved},
    {ip4(192, 88, 99, 0), 24, AddressKind::reserved},
    {ip4(192, 168, 0, 0), 16, AddressKind::private_use},
    {ip4(198, 18, 0, 0), 15, AddressKind::reserved},
    {ip4(198, 51, 100, 0), 24, AddressKind::reserved},
    {ip4(203, 0, 113, 0), 24, AddressKind::reserved},
    {ip4(224, 0, 0, 0), 4, AddressKind::multicast},
    {ip4(240, 0, 0, 0), 4, AddressKind::reserved},  // with 255.255.255.255, the broadcast
}};

AddressKind classify_v4(const address_v4& address) {
    const std::uint32_t bits = address.to_uint();
    for (const auto& range : k_special_v4) {
        const std::uint32_t mask = range.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - range.prefix);
        if ((bits & mask) == range.base) return range.kind;
    }
    return AddressKind::global;
}

// True when the first `prefix_bits` bits of `bytes` are those of `prefix`.
bool starts_with(const address_v6::bytes_type& bytes, std::initializer_list<std::uint8_t> prefix,
                 int prefix_bits) {
    int index = 0;
    for (auto byte : prefix) {
        const int bits = std::min(8, prefix_bits - index * 8);
        if (bits <= 0) break;
        const auto mask = static_cast<std::uint8_t>(0xFF << (8 - bits));
        if ((bytes[index] & mask) != (byte & mask)) return false;
        ++index;
    }
    return true;
}

address_v4 v4_at(const address_v6::bytes_type& bytes, int offset) {
    return address_v4(address_v4::bytes_type{bytes[offset], bytes[offset + 1], bytes[offset + 2],
                                             bytes[offset + 3]});
}

AddressKind classify_v6(const address_v6& address) {
    const auto bytes = address.to_bytes();
    if (address.is_unspecified()) return AddressKind::unspecified;
    if (address.is_loopback()) return AddressKind::loopback;
    if (address.is_v4_mapped()) return classify_v4(v4_at(bytes, 12));
    // NAT64 (RFC 6052) and 6to4 (RFC 3056) reach the IPv4 address they carry.
    if (starts_with(bytes, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}, 96)) {
        return classify_v4(v4_at(bytes, 12));
    }
    if (starts_with(bytes, {0x20, 0x02}, 16)) {
        const auto inner = classify_v4(v4_at(bytes, 2));
        return inner == AddressKind::global ? AddressKind::reserved : inner;
    }
    if (starts_with(bytes, {0xff}, 8)) return AddressKind::multicast;
    if (starts_with(bytes, {0xfe, 0x80}, 10)) return AddressKind::link_local;
    if (starts_with(bytes, {0xfe, 0xc0}, 10)) return AddressKind::unique_local;
    if (starts_with(bytes, {0xfc}, 7)) return AddressKind::unique_local;
    // Global unicast is 2000::/3; inside it, the IETF protocol assignments (Teredo among
    // them), ORCHIDs and the documentation prefix are nobody's public host.
    if (!starts_with(bytes, {0x20}, 3)) return AddressKind::reserved;
    if (starts_with(bytes, {0x20, 0x01, 0x00}, 23)) return AddressKind::reserved;
    if (starts_with(bytes, {0x20, 0x01, 0x0d, 0xb8}, 32)) return AddressKind::reserved;
    if (starts_with(bytes, {0x3f, 0xff}, 20)) return AddressKind::reserved;
    return AddressKind::global;
}

}  // namespace

std::string_view to_string(AddressKind kind) {
    switch (kind) {
        case AddressKind::global:
            return "global";
        case AddressKind::loopback:
            return "loopback";
        case AddressKind::private_use:
            return "private";
        case AddressKind::link_local:
            return "link-local";
        case AddressKind::unique_local:
            return "unique-local";
        case AddressKind::multicast:
            return "multicast";
        case AddressKind::unspecified:
            return "unspecified";
        case AddressKind::reserved:
            return "reserved";
    }
    return "reserved";
}

AddressKind classify_address(const boost::asio::ip::address& address) {
    return address.is_v4() ? classify_v4(address.to_v4()) : classify_v6(address.to_v6());
}

bool may_connect(const boost::asio::ip::address& address, bool allow_loopback) {
    const auto kind = classify_address(address);
    return kind == AddressKind::global || (allow_loopback && kind == AddressKind::loopback);
}

}  // namespace carnet::social
