#include "social/address.hpp"

#include <gtest/gtest.h>

namespace carnet::social {
namespace {

AddressKind kind_of(const char* text) {
    return classify_address(boost::asio::ip::make_address(text));
}

TEST(Address, PublicAddressesOfBothFamiliesAreGlobal) {
    EXPECT_EQ(kind_of("93.184.216.34"), AddressKind::global);
    EXPECT_EQ(kind_of("8.8.8.8"), AddressKind::global);
    EXPECT_EQ(kind_of("2606:4700:4700::1111"), AddressKind::global);
    EXPECT_EQ(kind_of("2a01:cb00::1"), AddressKind::global);
}

TEST(Address, LoopbackIsLoopbackInEveryFormItTakes) {
    EXPECT_EQ(kind_of("127.0.0.1"), AddressKind::loopback);
    EXPECT_EQ(kind_of("127.255.0.9"), AddressKind::loopback);
    EXPECT_EQ(kind_of("::1"), AddressKind::loopback);
    EXPECT_EQ(kind_of("::ffff:127.0.0.1"), AddressKind::loopback);
    EXPECT_EQ(kind_of("64:ff9b::7f00:1"), AddressKind::loopback);
}

TEST(Address, PrivateLinkLocalUniqueLocalMulticastAndUnspecifiedAreNamed) {
    EXPECT_EQ(kind_of("10.1.2.3"), AddressKind::private_use);
    EXPECT_EQ(kind_of("172.16.0.1"), AddressKind::private_use);
    EXPECT_EQ(kind_of("172.31.255.255"), AddressKind::private_use);
    EXPECT_EQ(kind_of("172.32.0.1"), AddressKind::global);
    EXPECT_EQ(kind_of("192.168.1.1"), AddressKind::private_use);
    EXPECT_EQ(kind_of("100.64.0.1"), AddressKind::private_use);
    EXPECT_EQ(kind_of("::ffff:10.0.0.1"), AddressKind::private_use);
    EXPECT_EQ(kind_of("169.254.169.254"), AddressKind::link_local);
    EXPECT_EQ(kind_of("fe80::1"), AddressKind::link_local);
    EXPECT_EQ(kind_of("::ffff:169.254.169.254"), AddressKind::link_local);
    EXPECT_EQ(kind_of("fd00::1"), AddressKind::unique_local);
    EXPECT_EQ(kind_of("fc12:3456::1"), AddressKind::unique_local);
    EXPECT_EQ(kind_of("fec0::1"), AddressKind::unique_local);
    EXPECT_EQ(kind_of("224.0.0.1"), AddressKind::multicast);
    EXPECT_EQ(kind_of("239.255.255.250"), AddressKind::multicast);
    EXPECT_EQ(kind_of("ff02::1"), AddressKind::multicast);
    EXPECT_EQ(kind_of("0.0.0.0"), AddressKind::unspecified);
    EXPECT_EQ(kind_of("0.1.2.3"), AddressKind::unspecified);
    EXPECT_EQ(kind_of("::"), AddressKind::unspecified);
}

TEST(Address, DocumentationTransitionAndUnallocatedRangesAreReserved) {
    EXPECT_EQ(kind_of("192.0.2.10"), AddressKind::reserved);
    EXPECT_EQ(kind_of("198.51.100.7"), AddressKind::reserved);
    EXPECT_EQ(kind_of("203.0.113.1"), AddressKind::reserved);
    EXPECT_EQ(kind_of("198.18.0.1"), AddressKind::reserved);
    EXPECT_EQ(kind_of("240.0.0.1"), AddressKind::reserved);
    EXPECT_EQ(kind_of("255.255.255.255"), AddressKind::reserved);
    EXPECT_EQ(kind_of("2001:db8::1"), AddressKind::reserved);
    EXPECT_EQ(kind_of("2001::1"), AddressKind::reserved);        // Teredo
    EXPECT_EQ(kind_of("2002:7f00:1::"), AddressKind::loopback);  // 6to4 of 127.0.0.1
    EXPECT_EQ(kind_of("::7f00:1"), AddressKind::reserved);       // IPv4-compatible, deprecated
    EXPECT_EQ(kind_of("100::1"), AddressKind::reserved);         // discard-only
}

TEST(Address, OnlyGlobalAddressesMayBeReachedAndLoopbackOnlyWhenAllowed) {
    const auto address = [](const char* text) { return boost::asio::ip::make_address(text); };
    EXPECT_TRUE(may_connect(address("93.184.216.34"), false));
    EXPECT_FALSE(may_connect(address("127.0.0.1"), false));
    EXPECT_TRUE(may_connect(address("127.0.0.1"), true));
    EXPECT_TRUE(may_connect(address("::1"), true));
    EXPECT_FALSE(may_connect(address("::ffff:127.0.0.1"), false));
    EXPECT_FALSE(may_connect(address("10.0.0.1"), true));
    EXPECT_FALSE(may_connect(address("169.254.169.254"), true));
    EXPECT_FALSE(may_connect(address("fd00::1"), true));
}

}  // namespace
}  // namespace carnet::social
