// Helpers shared by the net/ipv4 tests: hex fixtures, payload patterns, hand-built fragments,
// seeded shuffles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

#include "core/endian.hpp"
#include "core/testing/hex.hpp"
#include "core/time.hpp"
#include "net/wire/checksum.hpp"
#include "net/wire/ipv4.hpp"

namespace oasis::net::testing {

using oasis::testing::from_hex;

// Bytes that differ from their neighbours and from the same bytes shifted
// by a multiple of 8, so a piece copied to the wrong offset shows.
inline std::vector<std::byte> pattern(std::size_t size, std::uint32_t seed = 1) {
    std::vector<std::byte> bytes(size);
    std::uint32_t state = seed;
    for (auto& byte : bytes) {
        state = state * 1'103'515'245u + 12'345u;
        byte = std::byte(state >> 24);
    }
    return bytes;
}

// A UDP datagram of 100 bytes cut by scapy 2.5 for a 68-byte MTU:
//   IP(src="192.0.2.1", dst="198.51.100.2", id=0x1234, ttl=64) /
//   UDP(sport=5000, dport=6000) / bytes((i * 7 + 3) & 0xff for i in range(92))
//   fragment(packet, fragsize=48)
inline constexpr std::string_view scapy_whole =
    "450000781234000040117c0ac0000201c6336402138817700064af7b030a11181f262d343b424950575e656c737a81"
    "888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b222930373e454c535a61686f767d848b9299a0a7aeb5bcc3ca"
    "d1d8dfe6edf4fb020910171e252c333a41484f565d646b727980";
inline constexpr std::string_view scapy_fragments[] = {
    "450000441234200040115c3ec0000201c6336402138817700064af7b030a11181f262d343b424950575e656c737a81"
    "888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d14",
    "450000441234200640115c38c0000201c63364021b222930373e454c535a61686f767d848b9299a0a7aeb5bcc3cad1"
    "d8dfe6edf4fb020910171e252c333a41484f565d64",
    "450000181234000c40117c5ec0000201c63364026b727980",
};

inline const Ipv4Address test_source = Ipv4Address::from_octets(192, 0, 2, 1);
inline const Ipv4Address test_destination = Ipv4Address::from_octets(198, 51, 100, 2);

inline Ipv4Fields test_fields(std::uint16_t identification = 0x1234) {
    return Ipv4Fields{
        .source = test_source,
        .destination = test_destination,
        .protocol = IpProtocol::udp,
        .ttl = 64,
        .identification = identification,
    };
}

// One fragment as it would arrive: its own bytes, parsed on demand.
struct WireFragment {
    std::vector<std::byte> bytes;

    Ipv4Header header() const { return Ipv4Header::parse(bytes).value(); }
};

// A fragment of `payload` (the whole datagram's payload): `size` bytes at
// `offset`, with MF set when `more` says so, whatever the offsets say (tests
// need inconsistent fragments too).
inline WireFragment make_fragment(const std::vector<std::byte>& payload, std::size_t offset,
                                  std::size_t size, bool more, Ipv4Fields fields = test_fields()) {
    fields.fragment_offset = static_cast<std::uint16_t>(offset);
    fields.more_fragments = more;
    fields.payload_length = size;
    WireFragment fragment{std::vector<std::byte>(Ipv4Header::min_header_size + size)};
    Ipv4Header::emit(MutableByteView{fragment.bytes}, fields).value();
    std::copy_n(payload.begin() + static_cast<std::ptrdiff_t>(offset), size,
                fragment.bytes.begin() + Ipv4Header::min_header_size);
    return fragment;
}

// `payload` cut into pieces of `piece_size` bytes (a multiple of 8), the
// last one shorter, in offset order.
inline std::vector<WireFragment> split(const std::vector<std::byte>& payload,
                                       std::size_t piece_size, Ipv4Fields fields = test_fields()) {
    std::vector<WireFragment> fragments;
    for (std::size_t offset = 0; offset < payload.size(); offset += piece_size) {
        std::size_t size = std::min(piece_size, payload.size() - offset);
        fragments.push_back(
            make_fragment(payload, offset, size, offset + size < payload.size(), fields));
    }
    return fragments;
}

// Adds `options` (a multiple of 4 bytes) to a header built without any,
// fixing IHL, total length and checksum.
inline WireFragment with_options(const WireFragment& fragment,
                                 const std::vector<std::byte>& options) {
    WireFragment result;
    result.bytes.assign(fragment.bytes.begin(), fragment.bytes.begin() + 20);
    result.bytes.insert(result.bytes.end(), options.begin(), options.end());
    result.bytes.insert(result.bytes.end(), fragment.bytes.begin() + 20, fragment.bytes.end());
    result.bytes[0] = std::byte(0x40 | (20 + options.size()) / 4);
    store_be16(result.bytes.data() + 2, static_cast<std::uint16_t>(result.bytes.size()));
    store_be16(result.bytes.data() + 10, 0);
    store_be16(result.bytes.data() + 10,
               internet_checksum(ByteView{std::span{result.bytes}.first(20 + options.size())}));
    return result;
}

// Fisher-Yates with std::mt19937, whose output the standard fixes, so the
// order is the same with every standard library (std::shuffle's is not).
template <typename T>
void seeded_shuffle(std::vector<T>& items, std::uint32_t seed) {
    std::mt19937 random{seed};
    for (std::size_t index = items.size(); index > 1; --index) {
        std::size_t other = random() % index;
        std::swap(items[index - 1], items[other]);
    }
}

inline Instant at_seconds(std::int64_t seconds) {
    return Instant{std::chrono::seconds{seconds}};
}

}  // namespace oasis::net::testing
