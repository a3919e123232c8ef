// Tests of ARP for Ethernet and IPv4 on real packets.
#include "net/wire/arp.hpp"
#include "core/testing/hex.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace oasis::net {
namespace {

using oasis::testing::from_hex;

// Made with scapy 2.5; the Ethernet headers are left off. Linux at
// 52:54:00:12:34:56 / 10.0.0.1 asks for 10.0.0.2, which Oasis at
// 02:00:00:00:00:01 answers.
constexpr std::string_view arp_request =
    "00010800060400015254001234560a000001000000000000"
    "0a000002";
constexpr std::string_view arp_reply =
    "00010800060400020200000000010a0000025254001234560a"
    "000001";

const MacAddress host_mac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const MacAddress oasis_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
const Ipv4Address host_ip = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address oasis_ip = Ipv4Address::from_octets(10, 0, 0, 2);

TEST(ArpPacket, ParsesARequestFromLinux) {
    auto bytes = from_hex(arp_request);
    ASSERT_EQ(bytes.size(), ArpPacket::size);
    auto packet = ArpPacket::parse(bytes).value();
    EXPECT_EQ(packet.operation, ArpOperation::request);
    EXPECT_EQ(packet.sender_mac, host_mac);
    EXPECT_EQ(packet.sender_ip, host_ip);
    EXPECT_EQ(packet.target_mac, MacAddress{});
    EXPECT_EQ(packet.target_ip, oasis_ip);
    EXPECT_FALSE(packet.is_gratuitous());
}

TEST(ArpPacket, IgnoresEthernetPadding) {
    auto bytes = from_hex(arp_request);
    auto padded = bytes;
    padded.resize(46, std::byte{0});
    EXPECT_EQ(ArpPacket::parse(padded).value(), ArpPacket::parse(bytes).value());
}

TEST(ArpPacket, ReplyToARequestIsWhatWeSend) {
    auto request = ArpPacket::parse(from_hex(arp_request)).value();
    auto reply = ArpPacket::reply_to(request, oasis_mac);
    std::vector<std::byte> bytes(ArpPacket::size);
    ASSERT_TRUE(reply.emit(bytes));
    EXPECT_EQ(ByteView{bytes}, ByteView{from_hex(arp_reply)});
    EXPECT_EQ(ArpPacket::parse(bytes).value(), reply);
}

TEST(ArpPacket, RequestEmitsLikeLinux) {
    auto request = ArpPacket::request(host_mac, host_ip, oasis_ip);
    std::vector<std::byte> bytes(ArpPacket::size);
    ASSERT_TRUE(request.emit(bytes));
    EXPECT_EQ(ByteView{bytes}, ByteView{from_hex(arp_request)});
}

TEST(ArpPacket, GratuitousAnnouncement) {
    auto announcement = ArpPacket::gratuitous(oasis_mac, oasis_ip);
    EXPECT_EQ(announcement.operation, ArpOperation::request);
    EXPECT_TRUE(announcement.is_gratuitous());
    EXPECT_EQ(announcement.target_mac, MacAddress{});
    std::vector<std::byte> bytes(ArpPacket::size);
    ASSERT_TRUE(announcement.emit(bytes));
    auto parsed = ArpPacket::parse(bytes).value();
    EXPECT_EQ(parsed.sender_ip, oasis_ip);
    EXPECT_EQ(parsed.target_ip, oasis_ip);
    EXPECT_EQ(parsed.sender_mac, oasis_mac);
}

TEST(ArpPacket, RefusesOtherHardwareAndProtocols) {
    auto check = [](std::size_t offset, std::uint8_t value) {
        auto bytes = from_hex(arp_request);
        bytes[offset] = std::byte{value};
        auto result = ArpPacket::parse(bytes);
        ASSERT_TRUE(result.is_error()) << offset;
        EXPECT_EQ(result.error(), WireError::unsupported) << offset;
    };
    check(1, 6);     // hardware type IEEE 802
    check(2, 0x86);  // protocol 0x86dd
    check(4, 8);     // hardware length 8
    check(5, 16);    // protocol length 16 (IPv6)
    check(7, 3);     // RARP request
    check(7, 0);
    check(6, 1);  // operation 0x0101
}

TEST(ArpPacket, TruncatedAtEveryLength) {
    auto bytes = from_hex(arp_request);
    for (std::size_t length = 0; length < ArpPacket::size; ++length) {
        std::vector<std::byte> truncated(bytes.begin(), bytes.begin() + length);
        auto result = ArpPacket::parse(truncated);
        ASSERT_TRUE(result.is_error()) << length;
        EXPECT_EQ(result.error(), WireError::truncated) << length;
    }
    // Only the first eight bytes are needed to say that a packet is of a
    // kind Oasis does not speak.
    bytes[1] = std::byte{6};
    std::vector<std::byte> short_ieee(bytes.begin(), bytes.begin() + 8);
    EXPECT_EQ(ArpPacket::parse(short_ieee).error(), WireError::unsupported);
}

TEST(ArpPacket, EmitAndPrependRefuseSmallBuffers) {
    auto request = ArpPacket::request(host_mac, host_ip, oasis_ip);
    std::vector<std::byte> small(ArpPacket::size - 1);
    EXPECT_EQ(request.emit(small).error(), WireError::no_room);

    std::vector<std::byte> storage(64);
    PacketBuffer packet{storage, 42};
    ASSERT_TRUE(request.prepend(packet));
    EXPECT_EQ(packet.size(), ArpPacket::size);
    EXPECT_EQ(ArpPacket::parse(packet.data()).value(), request);
    EXPECT_EQ(request.prepend(packet).error(), WireError::no_room);
}

}  // namespace
}  // namespace oasis::net
