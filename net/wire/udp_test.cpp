// Tests of UDP over IPv4: a real DNS query, every malformed length, checksums, emit.
#include "net/wire/udp.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "core/testing/hex.hpp"
#include "net/wire/ipv4.hpp"

namespace oasis::net {
namespace {

using oasis::testing::from_hex;

// Made with scapy 2.5 (checksums by scapy): the UDP part of a DNS query
// for example.com A from 10.0.0.1:54321 to 10.0.0.2:53.
constexpr std::string_view dns_query =
    "d431003500259bffabcd01000001000000000000076578616d706c6503636f6d"
    "0000010001";
// From 10.0.0.1:1000 to 10.0.0.2:2000 with payload e01f: the checksum
// computes to 0 and is sent as ffff (scapy does the same).
constexpr std::string_view zero_checksum = "03e807d0000affffe01f";

const Ipv4Address host_ip = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address oasis_ip = Ipv4Address::from_octets(10, 0, 0, 2);

TEST(UdpDatagram, ParsesADnsQuery) {
    auto bytes = from_hex(dns_query);
    auto datagram = UdpDatagram::parse(bytes, host_ip, oasis_ip).value();
    EXPECT_EQ(datagram.source_port(), 54321);
    EXPECT_EQ(datagram.destination_port(), 53);
    EXPECT_EQ(datagram.length(), 37);
    EXPECT_EQ(datagram.checksum(), 0x9bff);
    EXPECT_TRUE(datagram.has_checksum());
    EXPECT_EQ(datagram.payload().size(), 29u);
    EXPECT_EQ(datagram.payload().data()[0], std::byte{0xab});
    EXPECT_EQ(datagram.datagram().size(), 37u);
}

TEST(UdpDatagram, ChecksumCoversThePseudoHeader) {
    auto bytes = from_hex(dns_query);
    // (Swapping the two addresses would not show: the sum commutes.)
    EXPECT_EQ(UdpDatagram::parse(bytes, host_ip, Ipv4Address::from_octets(10, 0, 0, 3)).error(),
              WireError::bad_checksum);
    // Without addresses the checksum is not looked at.
    auto datagram = UdpDatagram::parse(bytes).value();
    EXPECT_TRUE(datagram.checksum_valid(host_ip, oasis_ip));
    EXPECT_FALSE(datagram.checksum_valid(Ipv4Address::from_octets(10, 0, 1, 1), oasis_ip));
}

TEST(UdpDatagram, RefusesCorruptPayloads) {
    auto bytes = from_hex(dns_query);
    bytes[20] ^= std::byte{0x20};
    EXPECT_EQ(UdpDatagram::parse(bytes, host_ip, oasis_ip).error(), WireError::bad_checksum);
}

TEST(UdpDatagram, AcceptsAZeroChecksumAsNone) {
    auto bytes = from_hex(dns_query);
    store_be16(bytes.data() + 6, 0);
    auto datagram = UdpDatagram::parse(bytes, host_ip, oasis_ip).value();
    EXPECT_FALSE(datagram.has_checksum());
    EXPECT_TRUE(datagram.checksum_valid(Ipv4Address::from_octets(192, 0, 2, 1), host_ip));
}

TEST(UdpDatagram, TrimsBytesBeyondTheLength) {
    auto bytes = from_hex(dns_query);
    bytes.resize(bytes.size() + 9, std::byte{0x77});
    auto datagram = UdpDatagram::parse(bytes, host_ip, oasis_ip).value();
    EXPECT_EQ(datagram.payload().size(), 29u);
    EXPECT_EQ(datagram.datagram().size(), 37u);
}

TEST(UdpDatagram, TruncatedAtEveryLength) {
    auto bytes = from_hex(dns_query);
    for (std::size_t length = 0; length < bytes.size(); ++length) {
        std::vector<std::byte> truncated(bytes.begin(), bytes.begin() + length);
        auto result = UdpDatagram::parse(truncated);
        ASSERT_TRUE(result.is_error()) << length;
        EXPECT_EQ(result.error(), length < 8 ? WireError::truncated : WireError::bad_length)
            << length;
    }
}

TEST(UdpDatagram, RefusesImpossibleLengths) {
    auto bytes = from_hex(dns_query);
    for (std::uint16_t length : {0, 1, 7}) {
        store_be16(bytes.data() + 4, length);
        EXPECT_EQ(UdpDatagram::parse(bytes).error(), WireError::bad_length) << length;
    }
    for (std::uint16_t length : {38, 0xffff}) {
        store_be16(bytes.data() + 4, length);
        EXPECT_EQ(UdpDatagram::parse(bytes).error(), WireError::bad_length) << length;
    }
    // A header alone is a datagram with an empty payload.
    store_be16(bytes.data() + 4, 8);
    EXPECT_TRUE(UdpDatagram::parse(bytes).value().payload().empty());
}

TEST(UdpDatagram, EmitReproducesARealDatagram) {
    auto expected = from_hex(dns_query);
    auto bytes = expected;
    std::fill(bytes.begin(), bytes.begin() + 8, std::byte{0xcc});
    ASSERT_TRUE(UdpDatagram::emit(bytes, 54321, 53, host_ip, oasis_ip));
    EXPECT_EQ(ByteView{bytes}, ByteView{expected});
}

TEST(UdpDatagram, ComputedZeroIsSentAsAllOnes) {
    auto expected = from_hex(zero_checksum);
    auto bytes = expected;
    std::fill(bytes.begin(), bytes.begin() + 8, std::byte{0});
    ASSERT_TRUE(UdpDatagram::emit(bytes, 1000, 2000, host_ip, oasis_ip));
    EXPECT_EQ(ByteView{bytes}, ByteView{expected});
    auto datagram = UdpDatagram::parse(bytes, host_ip, oasis_ip).value();
    EXPECT_EQ(datagram.checksum(), 0xffff);
    EXPECT_TRUE(datagram.has_checksum());
}

TEST(UdpDatagram, EmitRefusesWhatCannotBeSent) {
    std::vector<std::byte> small(7);
    EXPECT_EQ(UdpDatagram::emit(small, 1, 2, host_ip, oasis_ip).error(), WireError::no_room);
    std::vector<std::byte> huge(65536);
    EXPECT_EQ(UdpDatagram::emit(huge, 1, 2, host_ip, oasis_ip).error(), WireError::bad_length);
    huge.pop_back();
    EXPECT_TRUE(UdpDatagram::emit(huge, 1, 2, host_ip, oasis_ip));
    EXPECT_TRUE(UdpDatagram::parse(huge, host_ip, oasis_ip).has_value());
}

TEST(UdpDatagram, PrependsAndRoundTripsThroughIpv4) {
    std::vector<std::byte> storage(256);
    PacketBuffer packet{storage, 64};
    auto payload = packet.append(5).value();
    ASSERT_TRUE(payload.copy_from(0, as_bytes(std::string_view{"hello"})));
    ASSERT_TRUE(UdpDatagram::prepend(packet, 7, 9, oasis_ip, host_ip));
    ASSERT_TRUE(Ipv4Header::prepend(
        packet,
        Ipv4Fields{.source = oasis_ip, .destination = host_ip, .protocol = IpProtocol::udp}));

    auto ip = Ipv4Header::parse(packet.data()).value();
    auto datagram = UdpDatagram::parse(ip.payload(), ip.source(), ip.destination()).value();
    EXPECT_EQ(datagram.source_port(), 7);
    EXPECT_EQ(datagram.destination_port(), 9);
    EXPECT_EQ(datagram.length(), 13);
    EXPECT_EQ(as_chars(datagram.payload()), "hello");

    PacketBuffer cramped{storage, 7};
    EXPECT_EQ(UdpDatagram::prepend(cramped, 7, 9, oasis_ip, host_ip).error(), WireError::no_room);
    EXPECT_EQ(cramped.size(), 0u);
}

}  // namespace
}  // namespace oasis::net
