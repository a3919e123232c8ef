// Tests of IPv4 addresses and prefixes: strict parsing, predicates, printing.
#include "net/wire/address.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace oasis::net {
namespace {

std::string to_text(Ipv4Address address) {
    std::string out;
    format_value(out, address);
    return out;
}

std::string to_text(Ipv4Prefix prefix) {
    std::string out;
    format_value(out, prefix);
    return out;
}

AddressError address_error(std::string_view text) {
    auto result = Ipv4Address::parse(text);
    EXPECT_TRUE(result.is_error()) << text;
    return result.is_error() ? result.error() : AddressError::empty;
}

AddressError prefix_error(std::string_view text) {
    auto result = Ipv4Prefix::parse(text);
    EXPECT_TRUE(result.is_error()) << text;
    return result.is_error() ? result.error() : AddressError::empty;
}

TEST(Ipv4Address, ParsesDottedDecimal) {
    EXPECT_EQ(Ipv4Address::parse("10.0.0.1").value(), Ipv4Address::from_octets(10, 0, 0, 1));
    EXPECT_EQ(Ipv4Address::parse("0.0.0.0").value(), Ipv4Address::unspecified());
    EXPECT_EQ(Ipv4Address::parse("255.255.255.255").value(), Ipv4Address::broadcast());
    EXPECT_EQ(Ipv4Address::parse("192.168.100.200").value().to_u32(), 0xc0a864c8u);
}

TEST(Ipv4Address, RefusesEverythingElse) {
    EXPECT_EQ(address_error(""), AddressError::empty);
    EXPECT_EQ(address_error("1.2.3"), AddressError::wrong_part_count);
    EXPECT_EQ(address_error("1.2.3.4.5"), AddressError::wrong_part_count);
    EXPECT_EQ(address_error("1..3.4"), AddressError::wrong_part_count);
    EXPECT_EQ(address_error(".1.2.3"), AddressError::wrong_part_count);
    EXPECT_EQ(address_error("1.2.3.4."), AddressError::wrong_part_count);
    EXPECT_EQ(address_error("."), AddressError::wrong_part_count);
    EXPECT_EQ(address_error("10"), AddressError::wrong_part_count);
    EXPECT_EQ(address_error("01.2.3.4"), AddressError::leading_zero);
    EXPECT_EQ(address_error("1.2.3.00"), AddressError::leading_zero);
    EXPECT_EQ(address_error("256.0.0.1"), AddressError::octet_too_large);
    EXPECT_EQ(address_error("1.2.3.1000"), AddressError::octet_too_large);
    // Many digits must not wrap around to a small number.
    EXPECT_EQ(address_error("4294967297.0.0.1"), AddressError::octet_too_large);
    EXPECT_EQ(address_error("1.2.3.4 "), AddressError::bad_character);
    EXPECT_EQ(address_error(" 1.2.3.4"), AddressError::bad_character);
    EXPECT_EQ(address_error("+1.2.3.4"), AddressError::bad_character);
    EXPECT_EQ(address_error("-1.2.3.4"), AddressError::bad_character);
    EXPECT_EQ(address_error("0x1.2.3.4"), AddressError::bad_character);
    EXPECT_EQ(address_error("1.2.3.4/24"), AddressError::bad_character);
}

TEST(Ipv4Address, Predicates) {
    EXPECT_TRUE(Ipv4Address::broadcast().is_broadcast());
    EXPECT_FALSE(Ipv4Address::from_octets(10, 0, 0, 255).is_broadcast());
    EXPECT_TRUE(Ipv4Address::from_octets(224, 0, 0, 1).is_multicast());
    EXPECT_TRUE(Ipv4Address::from_octets(239, 255, 255, 255).is_multicast());
    EXPECT_FALSE(Ipv4Address::from_octets(223, 255, 255, 255).is_multicast());
    EXPECT_FALSE(Ipv4Address::from_octets(240, 0, 0, 0).is_multicast());
    EXPECT_TRUE(Ipv4Address{}.is_unspecified());
    EXPECT_FALSE(Ipv4Address::from_octets(0, 0, 0, 1).is_unspecified());
    EXPECT_TRUE(Ipv4Address::from_octets(127, 0, 0, 1).is_loopback());
    EXPECT_TRUE(Ipv4Address::from_octets(127, 255, 0, 1).is_loopback());
    EXPECT_FALSE(Ipv4Address::from_octets(128, 0, 0, 1).is_loopback());
}

TEST(Ipv4Address, OrderingAndOctets) {
    auto low = Ipv4Address::from_octets(9, 255, 255, 255);
    auto high = Ipv4Address::from_octets(10, 0, 0, 0);
    EXPECT_LT(low, high);
    EXPECT_NE(low, high);
    EXPECT_EQ(high, Ipv4Address::from_u32(0x0a000000));
    EXPECT_EQ(low.octets(), (std::array<std::uint8_t, 4>{9, 255, 255, 255}));
}

TEST(Ipv4Address, FormatsAndRoundTrips) {
    EXPECT_EQ(to_text(Ipv4Address::from_octets(10, 0, 0, 1)), "10.0.0.1");
    EXPECT_EQ(to_text(Ipv4Address::broadcast()), "255.255.255.255");
    EXPECT_EQ(to_text(Ipv4Address{}), "0.0.0.0");
    for (std::uint32_t value : {0u, 1u, 0x7f000001u, 0xc0a80001u, 0xdeadbeefu, 0xffffffffu}) {
        auto address = Ipv4Address::from_u32(value);
        EXPECT_EQ(Ipv4Address::parse(to_text(address)).value(), address);
    }
}

TEST(Ipv4Address, LoadsAndStoresInNetworkOrder) {
    std::array<std::byte, 4> bytes{};
    store_ipv4_address(bytes.data(), Ipv4Address::from_octets(10, 1, 2, 3));
    EXPECT_EQ(bytes[0], std::byte{10});
    EXPECT_EQ(bytes[3], std::byte{3});
    EXPECT_EQ(load_ipv4_address(bytes.data()), Ipv4Address::from_octets(10, 1, 2, 3));
}

TEST(Ipv4Prefix, ParsesAnInterfaceAddress) {
    auto prefix = Ipv4Prefix::parse("10.0.0.2/24").value();
    EXPECT_EQ(prefix.address(), Ipv4Address::from_octets(10, 0, 0, 2));
    EXPECT_EQ(prefix.length(), 24);
    EXPECT_EQ(prefix.netmask(), Ipv4Address::from_octets(255, 255, 255, 0));
    EXPECT_EQ(prefix.network(), Ipv4Address::from_octets(10, 0, 0, 0));
    EXPECT_EQ(prefix.broadcast(), Ipv4Address::from_octets(10, 0, 0, 255));
    EXPECT_TRUE(prefix.contains(Ipv4Address::from_octets(10, 0, 0, 1)));
    EXPECT_TRUE(prefix.contains(Ipv4Address::from_octets(10, 0, 0, 255)));
    EXPECT_FALSE(prefix.contains(Ipv4Address::from_octets(10, 0, 1, 1)));
    EXPECT_EQ(to_text(prefix), "10.0.0.2/24");
}

TEST(Ipv4Prefix, EdgeLengths) {
    auto everything = Ipv4Prefix::parse("0.0.0.0/0").value();
    EXPECT_EQ(everything.netmask(), Ipv4Address{});
    EXPECT_EQ(everything.broadcast(), Ipv4Address::broadcast());
    EXPECT_TRUE(everything.contains(Ipv4Address::from_octets(8, 8, 8, 8)));

    auto host = Ipv4Prefix::parse("192.168.1.7/32").value();
    EXPECT_EQ(host.netmask(), Ipv4Address::broadcast());
    EXPECT_EQ(host.network(), host.address());
    EXPECT_EQ(host.broadcast(), host.address());
    EXPECT_TRUE(host.contains(host.address()));
    EXPECT_FALSE(host.contains(Ipv4Address::from_octets(192, 168, 1, 8)));

    auto odd = Ipv4Prefix{Ipv4Address::from_octets(172, 16, 5, 4), 12};
    EXPECT_EQ(odd.netmask(), Ipv4Address::from_octets(255, 240, 0, 0));
    EXPECT_EQ(odd.network(), Ipv4Address::from_octets(172, 16, 0, 0));
    EXPECT_EQ(odd.broadcast(), Ipv4Address::from_octets(172, 31, 255, 255));
    EXPECT_TRUE(odd.contains(Ipv4Address::from_octets(172, 31, 0, 1)));
    EXPECT_FALSE(odd.contains(Ipv4Address::from_octets(172, 32, 0, 1)));
}

TEST(Ipv4Prefix, RefusesBadText) {
    EXPECT_EQ(prefix_error(""), AddressError::empty);
    EXPECT_EQ(prefix_error("10.0.0.2"), AddressError::missing_prefix_length);
    EXPECT_EQ(prefix_error("10.0.0.2/"), AddressError::bad_prefix_length);
    EXPECT_EQ(prefix_error("10.0.0.2/33"), AddressError::bad_prefix_length);
    EXPECT_EQ(prefix_error("10.0.0.2/024"), AddressError::bad_prefix_length);
    EXPECT_EQ(prefix_error("10.0.0.2/1000"), AddressError::bad_prefix_length);
    EXPECT_EQ(prefix_error("10.0.0.2/2/4"), AddressError::bad_character);
    EXPECT_EQ(prefix_error("10.0.0.2/-1"), AddressError::bad_character);
    EXPECT_EQ(prefix_error("10.0.2/24"), AddressError::wrong_part_count);
    EXPECT_EQ(prefix_error("10.0.0.256/24"), AddressError::octet_too_large);
    EXPECT_EQ(prefix_error("/24"), AddressError::empty);
}

TEST(Ipv4Prefix, ErrorsHaveNames) {
    EXPECT_EQ(address_error_name(AddressError::leading_zero), "leading_zero");
    EXPECT_EQ(address_error_name(AddressError::missing_prefix_length), "missing_prefix_length");
}

}  // namespace
}  // namespace oasis::net
