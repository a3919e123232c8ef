// Tests of Ethernet II and 802.1Q frames, and of the whole parse chain on real frames.
#include "net/wire/ethernet.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "core/testing/hex.hpp"
#include "net/wire/arp.hpp"
#include "net/wire/icmpv4.hpp"
#include "net/wire/ipv4.hpp"
#include "net/wire/udp.hpp"

namespace oasis::net {
namespace {

using oasis::testing::from_hex;

// Frames made with scapy 2.5 as Linux sends them; checksums computed by
// scapy. Host 52:54:00:12:34:56 / 10.0.0.1, Oasis 02:00:00:00:00:01 / 10.0.0.2.

// ARP request, 42 bytes as from a TAP device (no padding).
constexpr std::string_view arp_request_frame =
    "ffffffffffff525400123456080600010800060400015254001234560a000001"
    "0000000000000a000002";
// A ping request (iputils: 16-byte timeval, then 0x10..0x37).
constexpr std::string_view ping_request_frame =
    "0200000000015254001234560800450000544d2e40004001d9780a0000010a00"
    "0002080086c81c2b000100f153650000000040e2010000000000101112131415"
    "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
    "3637";
// A DNS query for example.com A.
constexpr std::string_view dns_query_frame =
    "020000000001525400123456080045000039123440004011147e0a0000010a00"
    "0002d431003500259bffabcd01000001000000000000076578616d706c650363"
    "6f6d0000010001";
// An IGMPv2 report with a Router Alert option.
constexpr std::string_view igmp_router_alert_frame =
    "01005e0000fb525400123456080046c00020000040000102f91b0a000001e000"
    "00fb94040000161408f0e00000fb";
// A ping request tagged with VLAN 100, priority 3.
constexpr std::string_view vlan_ping_frame =
    "020000000001525400123456810060640800450000544d2f40004001d9770a00"
    "00010a000002080086c71c2b000200f153650000000040e20100000000001011"
    "12131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031"
    "323334353637";

const MacAddress host_mac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const MacAddress oasis_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};

TEST(EthernetFrame, ParsesAnUntaggedFrame) {
    auto bytes = from_hex(ping_request_frame);
    auto frame = EthernetFrame::parse(bytes).value();
    EXPECT_EQ(frame.destination(), oasis_mac);
    EXPECT_EQ(frame.source(), host_mac);
    EXPECT_EQ(frame.ethertype(), EtherType::ipv4);
    EXPECT_FALSE(frame.is_vlan_tagged());
    EXPECT_FALSE(frame.vlan_tag().has_value());
    EXPECT_EQ(frame.header_length(), 14u);
    EXPECT_EQ(frame.payload().size(), bytes.size() - 14);
    EXPECT_EQ(frame.payload().data(), bytes.data() + 14);
}

TEST(EthernetFrame, ParsesABroadcastArpFrame) {
    auto bytes = from_hex(arp_request_frame);
    auto frame = EthernetFrame::parse(bytes).value();
    EXPECT_TRUE(frame.destination().is_broadcast());
    EXPECT_EQ(frame.ethertype(), EtherType::arp);
    EXPECT_EQ(frame.payload().size(), ArpPacket::size);
}

TEST(EthernetFrame, ParsesAVlanTag) {
    auto bytes = from_hex(vlan_ping_frame);
    auto frame = EthernetFrame::parse(bytes).value();
    EXPECT_TRUE(frame.is_vlan_tagged());
    auto tag = frame.vlan_tag();
    ASSERT_TRUE(tag.has_value());
    EXPECT_EQ(tag->vlan_id, 100);
    EXPECT_EQ(tag->priority, 3);
    EXPECT_FALSE(tag->drop_eligible);
    EXPECT_EQ(frame.ethertype(), EtherType::ipv4);
    EXPECT_EQ(frame.header_length(), 18u);
    EXPECT_EQ(frame.payload().size(), bytes.size() - 18);
    EXPECT_EQ(frame.payload().data()[0], std::byte{0x45});
}

TEST(EthernetFrame, DropEligibleAndMaximalTag) {
    auto bytes = from_hex(vlan_ping_frame);
    bytes[14] = std::byte{0xff};
    bytes[15] = std::byte{0xff};
    auto tag = EthernetFrame::parse(bytes).value().vlan_tag().value();
    EXPECT_EQ(tag.priority, 7);
    EXPECT_TRUE(tag.drop_eligible);
    EXPECT_EQ(tag.vlan_id, 0xfff);
}

TEST(EthernetFrame, StackedTagShowsTheInnerTagAsEtherType) {
    auto bytes = from_hex(vlan_ping_frame);
    bytes[16] = std::byte{0x81};
    bytes[17] = std::byte{0x00};
    auto frame = EthernetFrame::parse(bytes).value();
    EXPECT_EQ(frame.ethertype(), EtherType::vlan);
}

TEST(EthernetFrame, TruncatedAtEveryLength) {
    auto untagged = from_hex(ping_request_frame);
    for (std::size_t length = 0; length < 14; ++length) {
        auto result = EthernetFrame::parse(ByteView{untagged.data(), length});
        ASSERT_TRUE(result.is_error()) << length;
        EXPECT_EQ(result.error(), WireError::truncated);
    }
    EXPECT_TRUE(EthernetFrame::parse(ByteView{untagged.data(), 14}).has_value());
    EXPECT_TRUE(EthernetFrame::parse(ByteView{untagged.data(), 14})->payload().empty());

    auto tagged = from_hex(vlan_ping_frame);
    for (std::size_t length = 0; length < 18; ++length) {
        auto result = EthernetFrame::parse(ByteView{tagged.data(), length});
        ASSERT_TRUE(result.is_error()) << length;
        EXPECT_EQ(result.error(), WireError::truncated);
    }
    EXPECT_TRUE(EthernetFrame::parse(ByteView{tagged.data(), 18}).has_value());
}

TEST(EthernetFrame, EmitReproducesRealHeaders) {
    auto bytes = from_hex(ping_request_frame);
    std::vector<std::byte> header(14);
    ASSERT_TRUE(EthernetFrame::emit(
        header, EthernetFields{
                    .destination = oasis_mac, .source = host_mac, .ethertype = EtherType::ipv4}));
    EXPECT_EQ(ByteView{header}, (ByteView{bytes.data(), 14}));

    auto tagged = from_hex(vlan_ping_frame);
    EthernetFields fields{.destination = oasis_mac,
                          .source = host_mac,
                          .ethertype = EtherType::ipv4,
                          .vlan = VlanTag{.priority = 3, .vlan_id = 100}};
    EXPECT_EQ(fields.header_length(), 18u);
    std::vector<std::byte> tagged_header(18);
    ASSERT_TRUE(EthernetFrame::emit(tagged_header, fields));
    EXPECT_EQ(ByteView{tagged_header}, (ByteView{tagged.data(), 18}));
}

TEST(EthernetFrame, EmitParseRoundTrip) {
    EthernetFields fields{.destination = MacAddress::broadcast(),
                          .source = oasis_mac,
                          .ethertype = EtherType::arp,
                          .vlan = VlanTag{.priority = 5, .drop_eligible = true, .vlan_id = 4000}};
    std::vector<std::byte> frame(64);
    ASSERT_TRUE(EthernetFrame::emit(frame, fields));
    auto parsed = EthernetFrame::parse(frame).value();
    EXPECT_EQ(parsed.fields().destination, fields.destination);
    EXPECT_EQ(parsed.fields().source, fields.source);
    EXPECT_EQ(parsed.fields().ethertype, fields.ethertype);
    EXPECT_EQ(parsed.fields().vlan, fields.vlan);
    EXPECT_EQ(parsed.payload().size(), 64u - 18);

    fields.vlan.reset();
    ASSERT_TRUE(EthernetFrame::emit(frame, fields));
    parsed = EthernetFrame::parse(frame).value();
    EXPECT_FALSE(parsed.vlan_tag().has_value());
    EXPECT_EQ(parsed.ethertype(), EtherType::arp);
}

TEST(EthernetFrame, EmitRefusesShortBuffers) {
    EthernetFields fields{.destination = oasis_mac, .source = host_mac};
    std::vector<std::byte> header(13);
    EXPECT_EQ(EthernetFrame::emit(header, fields).error(), WireError::no_room);
    fields.vlan = VlanTag{};
    std::vector<std::byte> untagged_size(14);
    EXPECT_EQ(EthernetFrame::emit(untagged_size, fields).error(), WireError::no_room);
}

TEST(EthernetFrame, PrependsIntoHeadroom) {
    std::vector<std::byte> storage(128);
    PacketBuffer packet{storage, 64};
    auto payload = packet.append(4).value();
    payload.fill(std::byte{0xaa});
    EthernetFields fields{
        .destination = host_mac, .source = oasis_mac, .ethertype = EtherType::ipv6};
    ASSERT_TRUE(EthernetFrame::prepend(packet, fields));
    EXPECT_EQ(packet.size(), 18u);
    EXPECT_EQ(packet.headroom(), 50u);
    auto frame = EthernetFrame::parse(packet.data()).value();
    EXPECT_EQ(frame.ethertype(), EtherType::ipv6);
    EXPECT_EQ(frame.payload().size(), 4u);
    EXPECT_EQ(frame.payload().data()[0], std::byte{0xaa});

    PacketBuffer cramped{storage, 10};
    EXPECT_EQ(EthernetFrame::prepend(cramped, fields).error(), WireError::no_room);
    EXPECT_EQ(cramped.size(), 0u);
    EXPECT_EQ(cramped.headroom(), 10u);
}

TEST(MacAddress, LoadsAndStores) {
    std::vector<std::byte> bytes(6);
    store_mac_address(bytes.data(), host_mac);
    EXPECT_EQ(bytes[0], std::byte{0x52});
    EXPECT_EQ(bytes[5], std::byte{0x56});
    EXPECT_EQ(load_mac_address(bytes.data()), host_mac);
}

// Parses a frame the way the stack will: Ethernet, then ARP or IPv4, then
// ICMP or UDP. Returns the first error, or nothing when every layer parsed.
std::optional<WireError> parse_chain(ByteView bytes) {
    auto frame = EthernetFrame::parse(bytes);
    if (!frame) {
        return frame.error();
    }
    if (frame->ethertype() == EtherType::arp) {
        auto arp = ArpPacket::parse(frame->payload());
        return arp ? std::nullopt : std::optional{arp.error()};
    }
    auto ip = Ipv4Header::parse(frame->payload());
    if (!ip) {
        return ip.error();
    }
    if (ip->protocol() == IpProtocol::icmp) {
        auto icmp = Icmpv4Message::parse(ip->payload());
        return icmp ? std::nullopt : std::optional{icmp.error()};
    }
    if (ip->protocol() == IpProtocol::udp) {
        auto udp = UdpDatagram::parse(ip->payload(), ip->source(), ip->destination());
        return udp ? std::nullopt : std::optional{udp.error()};
    }
    return std::nullopt;
}

TEST(ParseChain, RealFramesParseWholeAndRefuseEveryTruncation) {
    for (std::string_view hex : {arp_request_frame, ping_request_frame, dns_query_frame,
                                 igmp_router_alert_frame, vlan_ping_frame}) {
        auto bytes = from_hex(hex);
        EXPECT_FALSE(parse_chain(bytes).has_value()) << hex;
        for (std::size_t length = 0; length < bytes.size(); ++length) {
            // A copy of exactly `length` bytes, so that a read past the end
            // is a heap overflow that AddressSanitizer reports.
            std::vector<std::byte> truncated(bytes.begin(), bytes.begin() + length);
            auto error = parse_chain(truncated);
            ASSERT_TRUE(error.has_value()) << hex << " at " << length;
            EXPECT_TRUE(*error == WireError::truncated || *error == WireError::bad_total_length)
                << hex << " at " << length << ": " << wire_error_name(*error);
        }
    }
}

TEST(ParseChain, EveryFlippedByteIsRefusedOrParsedSafely) {
    // Not a proof, but every single-byte corruption of real frames must come
    // back as a value: a refusal (checksums catch most) or a parse.
    for (std::string_view hex : {arp_request_frame, ping_request_frame, dns_query_frame,
                                 igmp_router_alert_frame, vlan_ping_frame}) {
        auto bytes = from_hex(hex);
        for (std::size_t index = 0; index < bytes.size(); ++index) {
            for (int value : {0x00, 0x01, 0x0f, 0x45, 0x80, 0xff}) {
                auto corrupted = bytes;
                corrupted[index] = std::byte(value);
                (void)parse_chain(corrupted);
            }
        }
    }
}

TEST(WireError, HasNames) {
    EXPECT_EQ(wire_error_name(WireError::bad_checksum), "bad_checksum");
    std::string out;
    format_value(out, WireError::no_room);
    EXPECT_EQ(out, "no_room");
}

}  // namespace
}  // namespace oasis::net
