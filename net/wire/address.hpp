// IPv4 addresses and prefixes (MacAddress lives in dev/net.hpp).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/endian.hpp"
#include "core/panic.hpp"
#include "core/result.hpp"

namespace oasis::net {

// Why a textual address or prefix was refused.
enum class AddressError {
    empty,                  // no text at all
    bad_character,          // something other than digits, '.' and (for a prefix) one '/'
    leading_zero,           // "010": octal in some parsers, decimal in others, so refused
    octet_too_large,        // a part above 255
    wrong_part_count,       // not exactly four dotted parts, or an empty part
    bad_prefix_length,      // a prefix length above 32, with a leading zero, or empty
    missing_prefix_length,  // a prefix without "/length"
};

std::string_view address_error_name(AddressError error);

// An IPv4 address, held as a number in host order; the wire views load and
// store it big-endian. Ordered as that number.
class Ipv4Address {
public:
    static constexpr std::size_t size = 4;

    // 0.0.0.0
    constexpr Ipv4Address() = default;

    static constexpr Ipv4Address from_u32(std::uint32_t value) { return Ipv4Address{value}; }
    static constexpr Ipv4Address from_octets(std::uint8_t a, std::uint8_t b, std::uint8_t c,
                                             std::uint8_t d) {
        return Ipv4Address{(std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) |
                           (std::uint32_t{c} << 8) | d};
    }
    // Dotted decimal, strictly: exactly four parts of 1 to 3 digits, each at
    // most 255, no leading zeros ("01"), no signs or spaces. Refusing the
    // inet_aton shorthands ("10.1", "0x0a.0.0.1") keeps configuration
    // unambiguous.
    static Result<Ipv4Address, AddressError> parse(std::string_view text);

    static constexpr Ipv4Address unspecified() { return Ipv4Address{}; }
    static constexpr Ipv4Address broadcast() { return Ipv4Address{0xffff'ffff}; }

    constexpr std::uint32_t to_u32() const { return m_value; }
    constexpr std::array<std::uint8_t, 4> octets() const {
        return {static_cast<std::uint8_t>(m_value >> 24), static_cast<std::uint8_t>(m_value >> 16),
                static_cast<std::uint8_t>(m_value >> 8), static_cast<std::uint8_t>(m_value)};
    }

    // 255.255.255.255, the limited broadcast (RFC 919).
    constexpr bool is_broadcast() const { return m_value == 0xffff'ffff; }
    // 224.0.0.0/4 (RFC 1112 §4).
    constexpr bool is_multicast() const { return (m_value >> 28) == 0xe; }
    // 0.0.0.0, "this host" before it has an address (RFC 1122 §3.2.1.3).
    constexpr bool is_unspecified() const { return m_value == 0; }
    // 127.0.0.0/8 (RFC 1122 §3.2.1.3).
    constexpr bool is_loopback() const { return (m_value >> 24) == 127; }

    friend constexpr auto operator<=>(Ipv4Address, Ipv4Address) = default;

private:
    constexpr explicit Ipv4Address(std::uint32_t value) : m_value(value) {}

    std::uint32_t m_value = 0;
};

// "10.0.0.1"
void format_value(std::string& out, Ipv4Address address);

// An address in network byte order at `bytes`, for wire views whose parse
// has already checked that the four bytes are there.
constexpr Ipv4Address load_ipv4_address(const std::byte* bytes) {
    return Ipv4Address::from_u32(load_be32(bytes));
}
constexpr void store_ipv4_address(std::byte* bytes, Ipv4Address address) {
    store_be32(bytes, address.to_u32());
}

// An address with a prefix length: an interface's configuration
// ("10.0.0.2/24") or a route ("10.0.0.0/24"). The address keeps its host part;
// network() clears it.
class Ipv4Prefix {
public:
    static constexpr std::uint8_t max_length = 32;

    // 0.0.0.0/0
    constexpr Ipv4Prefix() = default;
    // A length above 32 is a broken invariant; text goes through parse().
    constexpr Ipv4Prefix(Ipv4Address address, std::uint8_t length)
        : m_address(address), m_length(length) {
        OASIS_ASSERT(length <= max_length);
    }

    // "a.b.c.d/n" with the address as Ipv4Address::parse wants it and n a
    // decimal from 0 to 32 without leading zeros.
    static Result<Ipv4Prefix, AddressError> parse(std::string_view text);

    constexpr Ipv4Address address() const { return m_address; }
    constexpr std::uint8_t length() const { return m_length; }

    // /24 -> 255.255.255.0; /0 -> 0.0.0.0 (a shift by 32 would be undefined).
    constexpr Ipv4Address netmask() const {
        return Ipv4Address::from_u32(m_length == 0 ? 0 : 0xffff'ffffu << (32 - m_length));
    }
    constexpr Ipv4Address network() const {
        return Ipv4Address::from_u32(m_address.to_u32() & netmask().to_u32());
    }
    // The directed broadcast address of the network (all host bits set).
    constexpr Ipv4Address broadcast() const {
        return Ipv4Address::from_u32(m_address.to_u32() | ~netmask().to_u32());
    }
    constexpr bool contains(Ipv4Address address) const {
        return (address.to_u32() & netmask().to_u32()) == network().to_u32();
    }

    friend constexpr bool operator==(Ipv4Prefix, Ipv4Prefix) = default;

private:
    Ipv4Address m_address;
    std::uint8_t m_length = 0;
};

// "10.0.0.2/24"
void format_value(std::string& out, Ipv4Prefix prefix);

}  // namespace oasis::net
