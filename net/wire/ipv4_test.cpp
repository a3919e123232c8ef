// Tests of IPv4 headers: real packets, every malformed variant, options, emit.
#include "net/wire/ipv4.hpp"
#include "core/testing/hex.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string_view>
#include <vector>

namespace oasis::net {
namespace {

using oasis::testing::from_hex;

// IPv4 packets made with scapy 2.5 (Ethernet headers left off), checksums
// computed by scapy. 10.0.0.1 is Linux, 10.0.0.2 is Oasis.

// A ping request: DF, TTL 64, ID 0x4d2e, 64 bytes of ICMP.
constexpr std::string_view ping_request =
    "450000544d2e40004001d9780a0000010a000002080086c81c2b000100f15365"
    "0000000040e2010000000000101112131415161718191a1b1c1d1e1f20212223"
    "2425262728292a2b2c2d2e2f3031323334353637";
// The reply Oasis sends: ID 0, no flags.
constexpr std::string_view ping_reply =
    "4500005400000000400166a70a0000020a00000100008ec81c2b000100f15365"
    "0000000040e2010000000000101112131415161718191a1b1c1d1e1f20212223"
    "2425262728292a2b2c2d2e2f3031323334353637";
// A DNS query over UDP.
constexpr std::string_view dns_query =
    "45000039123440004011147e0a0000010a000002d431003500259bffabcd0100"
    "0001000000000000076578616d706c6503636f6d0000010001";
// An 80-byte UDP datagram in 48-byte fragments: the first (MF, offset 0)
// and the last (offset 6 * 8 = 48).
constexpr std::string_view first_fragment =
    "45000044515120004011f5550a0000010a0000029c4000070050c98200070e15"
    "1c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9e0e7eef5"
    "fc030a11";
constexpr std::string_view last_fragment =
    "4500003451510006401115600a0000010a000002181f262d343b424950575e65"
    "6c737a81888f969da4abb2b9c0c7ced5dce3eaf1";
// An IGMPv2 report to 224.0.0.251 with Router Alert (RFC 2113), TTL 1.
constexpr std::string_view igmp_router_alert =
    "46c00020000040000102f91b0a000001e00000fb94040000161408f0e00000fb";

const Ipv4Address host_ip = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address oasis_ip = Ipv4Address::from_octets(10, 0, 0, 2);

// Recomputes the header checksum after a test changed a field.
void fix_checksum(std::vector<std::byte>& packet) {
    std::size_t header_length = std::size_t{std::to_integer<std::uint8_t>(packet[0]) & 0x0fu} * 4;
    header_length = std::min(header_length, packet.size());
    packet[10] = std::byte{0};
    packet[11] = std::byte{0};
    store_be16(packet.data() + 10, internet_checksum(ByteView{packet.data(), header_length}));
}

WireError parse_error(const std::vector<std::byte>& packet,
                      ChecksumPolicy policy = ChecksumPolicy::verify) {
    auto result = Ipv4Header::parse(packet, policy);
    EXPECT_TRUE(result.is_error());
    return result.is_error() ? result.error() : WireError::unsupported;
}

TEST(Ipv4Header, ParsesAPingRequest) {
    auto bytes = from_hex(ping_request);
    auto header = Ipv4Header::parse(bytes).value();
    EXPECT_EQ(header.version(), 4);
    EXPECT_EQ(header.header_length(), 20u);
    EXPECT_EQ(header.dscp(), 0);
    EXPECT_EQ(header.ecn(), 0);
    EXPECT_EQ(header.total_length(), 84);
    EXPECT_EQ(header.identification(), 0x4d2e);
    EXPECT_TRUE(header.dont_fragment());
    EXPECT_FALSE(header.more_fragments());
    EXPECT_EQ(header.fragment_offset(), 0);
    EXPECT_FALSE(header.is_fragment());
    EXPECT_EQ(header.ttl(), 64);
    EXPECT_EQ(header.protocol(), IpProtocol::icmp);
    EXPECT_EQ(header.checksum(), 0xd978);
    EXPECT_TRUE(header.checksum_valid());
    EXPECT_EQ(header.source(), host_ip);
    EXPECT_EQ(header.destination(), oasis_ip);
    EXPECT_TRUE(header.options().empty());
    EXPECT_EQ(header.payload().size(), 64u);
    EXPECT_EQ(header.payload().data(), bytes.data() + 20);
    EXPECT_EQ(header.header().size(), 20u);
    EXPECT_EQ(header.packet().size(), 84u);
}

TEST(Ipv4Header, TrimsEthernetPadding) {
    // A 57-byte DNS query padded to fill a 60-byte frame... and more.
    auto bytes = from_hex(dns_query);
    bytes.resize(bytes.size() + 17, std::byte{0});
    auto header = Ipv4Header::parse(bytes).value();
    EXPECT_EQ(header.total_length(), 57);
    EXPECT_EQ(header.packet().size(), 57u);
    EXPECT_EQ(header.payload().size(), 37u);
    EXPECT_EQ(header.protocol(), IpProtocol::udp);
}

TEST(Ipv4Header, ParsesFragments) {
    // The views point into these vectors, which must outlive them.
    auto first_bytes = from_hex(first_fragment);
    auto first = Ipv4Header::parse(first_bytes).value();
    EXPECT_TRUE(first.more_fragments());
    EXPECT_FALSE(first.dont_fragment());
    EXPECT_EQ(first.fragment_offset(), 0);
    EXPECT_TRUE(first.is_fragment());
    EXPECT_EQ(first.identification(), 0x5151);
    EXPECT_EQ(first.payload().size(), 48u);

    auto last_bytes = from_hex(last_fragment);
    auto last = Ipv4Header::parse(last_bytes).value();
    EXPECT_FALSE(last.more_fragments());
    EXPECT_EQ(last.fragment_offset(), 48);
    EXPECT_TRUE(last.is_fragment());
    EXPECT_EQ(last.payload().size(), 32u);
}

TEST(Ipv4Header, ParsesRouterAlert) {
    auto bytes = from_hex(igmp_router_alert);
    auto header = Ipv4Header::parse(bytes).value();
    EXPECT_EQ(header.header_length(), 24u);
    EXPECT_EQ(header.dscp(), 48);  // CS6, network control
    EXPECT_EQ(header.ttl(), 1);
    EXPECT_EQ(header.protocol(), IpProtocol::igmp);
    EXPECT_TRUE(header.destination().is_multicast());
    EXPECT_EQ(header.options().size(), 4u);
    EXPECT_EQ(header.payload().size(), 8u);
    EXPECT_EQ(header.payload().data()[0], std::byte{0x16});

    Ipv4OptionIterator options{header.options()};
    auto option = options.next().value();
    ASSERT_TRUE(option.has_value());
    EXPECT_EQ(option->type, Ipv4OptionType::router_alert);
    EXPECT_TRUE(option->copied());
    ASSERT_EQ(option->data.size(), 2u);
    EXPECT_EQ(load_be16(option->data.data()), 0);  // "every router examines"
    EXPECT_FALSE(options.next().value().has_value());
}

TEST(Ipv4Header, TruncatedAtEveryLength) {
    auto bytes = from_hex(igmp_router_alert);
    for (std::size_t length = 0; length < bytes.size(); ++length) {
        std::vector<std::byte> truncated(bytes.begin(), bytes.begin() + length);
        auto result = Ipv4Header::parse(truncated);
        ASSERT_TRUE(result.is_error()) << length;
        // Short of the header (24 bytes with the option): truncated; short
        // of the total length: the total length is wrong for this buffer.
        EXPECT_EQ(result.error(), length < 24 ? WireError::truncated : WireError::bad_total_length)
            << length;
    }
}

TEST(Ipv4Header, RefusesOtherVersions) {
    auto bytes = from_hex(ping_request);
    bytes[0] = std::byte{0x65};
    EXPECT_EQ(parse_error(bytes), WireError::bad_version);
    bytes[0] = std::byte{0x05};
    EXPECT_EQ(parse_error(bytes), WireError::bad_version);
}

TEST(Ipv4Header, RefusesAHeaderLengthBelowFive) {
    auto bytes = from_hex(ping_request);
    for (std::uint8_t ihl = 0; ihl < 5; ++ihl) {
        bytes[0] = std::byte(0x40 | ihl);
        fix_checksum(bytes);
        EXPECT_EQ(parse_error(bytes), WireError::bad_header_length) << int(ihl);
    }
}

TEST(Ipv4Header, RefusesAHeaderLongerThanTheBuffer) {
    auto bytes = from_hex(ping_request);
    bytes.resize(40);
    bytes[0] = std::byte{0x4f};  // 60-byte header in 40 bytes
    EXPECT_EQ(parse_error(bytes), WireError::truncated);
}

TEST(Ipv4Header, RefusesATotalLengthBeyondTheBuffer) {
    auto bytes = from_hex(ping_request);
    store_be16(bytes.data() + 2, 85);
    fix_checksum(bytes);
    EXPECT_EQ(parse_error(bytes), WireError::bad_total_length);
    store_be16(bytes.data() + 2, 0xffff);
    fix_checksum(bytes);
    EXPECT_EQ(parse_error(bytes), WireError::bad_total_length);
}

TEST(Ipv4Header, RefusesATotalLengthBelowTheHeader) {
    auto bytes = from_hex(igmp_router_alert);  // IHL 6: 24 bytes
    for (std::uint16_t total : {0, 1, 19, 20, 23}) {
        store_be16(bytes.data() + 2, total);
        fix_checksum(bytes);
        EXPECT_EQ(parse_error(bytes), WireError::bad_total_length) << total;
    }
    store_be16(bytes.data() + 2, 24);  // a header and no payload is fine
    fix_checksum(bytes);
    EXPECT_TRUE(Ipv4Header::parse(bytes).value().payload().empty());
}

TEST(Ipv4Header, RefusesBadChecksumsUnlessToldNotToCheck) {
    auto bytes = from_hex(ping_request);
    bytes[8] = std::byte{63};  // the TTL, not the checksum, changes
    EXPECT_EQ(parse_error(bytes), WireError::bad_checksum);
    auto header = Ipv4Header::parse(bytes, ChecksumPolicy::skip).value();
    EXPECT_FALSE(header.checksum_valid());
    EXPECT_EQ(header.ttl(), 63);

    bytes = from_hex(ping_request);
    bytes[11] ^= std::byte{0x01};
    EXPECT_EQ(parse_error(bytes), WireError::bad_checksum);
}

TEST(Ipv4Header, ChecksumCoversOptions) {
    auto bytes = from_hex(igmp_router_alert);
    bytes[23] = std::byte{1};  // the Router Alert value
    EXPECT_EQ(parse_error(bytes), WireError::bad_checksum);
}

TEST(Ipv4Header, RefusesFragmentsEndingPast64KiB) {
    auto bytes = from_hex(last_fragment);  // total length 52
    // 8184 * 8 = 65472; + 52 = 65524: the last legal place.
    store_be16(bytes.data() + 6, 8184);
    fix_checksum(bytes);
    EXPECT_EQ(Ipv4Header::parse(bytes).value().fragment_offset(), 65472);
    // 8186 * 8 = 65488; + 52 = 65540: past the end of any datagram.
    store_be16(bytes.data() + 6, 8186);
    fix_checksum(bytes);
    EXPECT_EQ(parse_error(bytes), WireError::bad_length);
    store_be16(bytes.data() + 6, 0x2000 | 0x1fff);  // MF and the largest offset
    fix_checksum(bytes);
    EXPECT_EQ(parse_error(bytes), WireError::bad_length);
}

TEST(Ipv4Header, FragmentBoundaryIsExact) {
    // Offset 65504 (field 8188) with a total length of 31 ends at 65535.
    std::vector<std::byte> bytes(31);
    Ipv4Fields fields{.source = host_ip,
                      .destination = oasis_ip,
                      .more_fragments = false,
                      .fragment_offset = 65504,
                      .payload_length = 11};
    ASSERT_TRUE(Ipv4Header::emit(bytes, fields));
    EXPECT_TRUE(Ipv4Header::parse(bytes).has_value());
    bytes.push_back(std::byte{0});
    store_be16(bytes.data() + 2, 32);
    fix_checksum(bytes);
    EXPECT_EQ(parse_error(bytes), WireError::bad_length);
}

// A header of 20 + options.size() bytes (padded by the caller) with no payload.
std::vector<std::byte> with_options(std::vector<std::uint8_t> options) {
    auto bytes = from_hex(ping_request);
    bytes.resize(20);
    bytes[0] = std::byte(0x40 | (20 + options.size()) / 4);
    for (std::uint8_t option : options) {
        bytes.push_back(std::byte{option});
    }
    store_be16(bytes.data() + 2, static_cast<std::uint16_t>(bytes.size()));
    fix_checksum(bytes);
    return bytes;
}

TEST(Ipv4Header, RefusesMalformedOptions) {
    EXPECT_EQ(parse_error(with_options({148, 0, 0, 0})), WireError::bad_option);  // length 0
    EXPECT_EQ(parse_error(with_options({148, 1, 0, 0})), WireError::bad_option);  // length 1
    EXPECT_EQ(parse_error(with_options({148, 5, 0, 0})), WireError::bad_option);  // past the header
    EXPECT_EQ(parse_error(with_options({1, 1, 1, 7})), WireError::bad_option);    // no length byte
    EXPECT_EQ(parse_error(with_options({148, 4, 0, 0, 7, 0, 0, 0})), WireError::bad_option);
}

TEST(Ipv4Header, AcceptsWellFormedOptions) {
    // NOPs, then End of List: what follows is padding and is not looked at.
    EXPECT_TRUE(Ipv4Header::parse(with_options({1, 1, 1, 1})).has_value());
    EXPECT_TRUE(Ipv4Header::parse(with_options({0, 0xff, 0xff, 0xff})).has_value());
    EXPECT_TRUE(Ipv4Header::parse(with_options({148, 4, 0, 0, 1, 0, 0, 0})).has_value());
    // Record Route with room for one address (RFC 791 §3.1).
    EXPECT_TRUE(Ipv4Header::parse(with_options({7, 7, 4, 0, 0, 0, 0, 0})).has_value());
}

TEST(Ipv4OptionIterator, WalksAndSkips) {
    std::vector<std::uint8_t> bytes{1, 148, 4, 0, 0, 1, 7, 3, 9, 0, 0xff};
    Ipv4OptionIterator options{as_bytes(bytes)};
    auto first = options.next().value();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->type, Ipv4OptionType::router_alert);
    EXPECT_EQ(first->data.size(), 2u);
    auto second = options.next().value();
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->type, Ipv4OptionType::record_route);
    EXPECT_FALSE(second->copied());
    ASSERT_EQ(second->data.size(), 1u);
    EXPECT_EQ(second->data.data()[0], std::byte{9});
    EXPECT_FALSE(options.next().value().has_value());
    EXPECT_FALSE(options.next().value().has_value());

    Ipv4OptionIterator empty{ByteView{}};
    EXPECT_FALSE(empty.next().value().has_value());
}

TEST(Ipv4OptionIterator, StaysFailedAfterABadLength) {
    std::vector<std::uint8_t> bytes{148, 4, 0, 0, 68, 0, 1, 1};
    Ipv4OptionIterator options{as_bytes(bytes)};
    EXPECT_TRUE(options.next().value().has_value());
    EXPECT_EQ(options.next().error(), WireError::bad_option);
    EXPECT_EQ(options.next().error(), WireError::bad_option);
}

TEST(Ipv4OptionIterator, NeverReadsOutsideRandomOptions) {
    // Exactly-sized heap copies, so that AddressSanitizer sees any overrun.
    std::mt19937 generator{791};
    for (int round = 0; round < 20000; ++round) {
        std::vector<std::byte> options(generator() % 41);
        for (auto& byte : options) {
            // Small values make lengths that land near the end.
            byte = std::byte(generator() % 3 == 0 ? generator() % 8 : generator() & 0xff);
        }
        Ipv4OptionIterator iterator{options};
        std::size_t consumed = 0;
        for (int step = 0; step < 50; ++step) {
            auto option = iterator.next();
            if (option.is_error() || !option->has_value()) {
                break;
            }
            ASSERT_GE((*option)->data.data(), options.data());
            ASSERT_LE((*option)->data.data() + (*option)->data.size(),
                      options.data() + options.size());
            consumed += (*option)->data.size() + 2;
            ASSERT_LE(consumed, options.size());
        }
    }
}

TEST(Ipv4Header, EmitReproducesARealHeader) {
    auto expected = from_hex(ping_reply);
    std::vector<std::byte> header(20);
    Ipv4Fields fields{.source = oasis_ip,
                      .destination = host_ip,
                      .protocol = IpProtocol::icmp,
                      .ttl = 64,
                      .identification = 0,
                      .payload_length = 64};
    ASSERT_TRUE(Ipv4Header::emit(header, fields));
    EXPECT_EQ(ByteView{header}, (ByteView{expected.data(), 20}));
}

TEST(Ipv4Header, EmitParseRoundTrip) {
    Ipv4Fields fields{.source = Ipv4Address::from_octets(192, 168, 1, 1),
                      .destination = Ipv4Address::from_octets(224, 0, 0, 22),
                      .protocol = IpProtocol::tcp,
                      .ttl = 255,
                      .dscp = 46,
                      .ecn = 2,
                      .identification = 0xbeef,
                      .dont_fragment = true,
                      .more_fragments = true,
                      .fragment_offset = 1480,
                      .payload_length = 100};
    std::vector<std::byte> packet(120);
    ASSERT_TRUE(Ipv4Header::emit(packet, fields));
    auto header = Ipv4Header::parse(packet).value();
    EXPECT_EQ(header.fields(), fields);
    EXPECT_EQ(header.header_length(), 20u);
}

TEST(Ipv4Header, EmitRefusesWhatCannotBeSent) {
    std::vector<std::byte> small(19);
    EXPECT_EQ(Ipv4Header::emit(small, Ipv4Fields{}).error(), WireError::no_room);
    std::vector<std::byte> header(20);
    EXPECT_EQ(Ipv4Header::emit(header, Ipv4Fields{.payload_length = 65516}).error(),
              WireError::bad_length);
    EXPECT_TRUE(Ipv4Header::emit(header, Ipv4Fields{.payload_length = 65515}));
    EXPECT_EQ(load_be16(header.data() + 2), 65535);
}

TEST(Ipv4Header, PrependsForThePayloadInThePacket) {
    std::vector<std::byte> storage(256);
    PacketBuffer packet{storage, 64};
    auto payload = packet.append(30).value();
    payload.fill(std::byte{0x5a});
    Ipv4Fields fields{.source = oasis_ip, .destination = host_ip, .protocol = IpProtocol::udp};
    ASSERT_TRUE(Ipv4Header::prepend(packet, fields));
    EXPECT_EQ(packet.size(), 50u);
    auto header = Ipv4Header::parse(packet.data()).value();
    EXPECT_EQ(header.total_length(), 50);
    EXPECT_EQ(header.payload().size(), 30u);
    EXPECT_EQ(header.payload().data()[29], std::byte{0x5a});

    PacketBuffer cramped{storage, 19};
    EXPECT_EQ(Ipv4Header::prepend(cramped, fields).error(), WireError::no_room);
    EXPECT_EQ(cramped.size(), 0u);

    std::vector<std::byte> big_storage(66000);
    PacketBuffer big{big_storage, 64};
    ASSERT_TRUE(big.append(65516));
    EXPECT_EQ(Ipv4Header::prepend(big, fields).error(), WireError::bad_length);
    EXPECT_EQ(big.size(), 65516u);
}

TEST(MutableIpv4Header, SettersKeepTheChecksumValid) {
    auto bytes = from_hex(ping_request);
    auto header = MutableIpv4Header::parse(bytes).value();
    header.set_ttl(63);
    EXPECT_EQ(header.view().ttl(), 63);
    EXPECT_EQ(header.view().protocol(), IpProtocol::icmp);
    EXPECT_TRUE(header.view().checksum_valid());
    header.set_source(oasis_ip);
    header.set_destination(host_ip);
    header.set_identification(0);
    header.set_ttl(64);
    EXPECT_EQ(header.view().source(), oasis_ip);
    EXPECT_EQ(header.view().destination(), host_ip);
    EXPECT_TRUE(header.view().checksum_valid());
    std::uint16_t incremental = header.view().checksum();
    header.fill_checksum();
    EXPECT_EQ(header.view().checksum(), incremental);
    EXPECT_EQ(header.payload().size(), 64u);
}

TEST(MutableIpv4Header, FillChecksumRepairsAHeader) {
    auto bytes = from_hex(ping_request);
    bytes[1] = std::byte{0xb8};  // DSCP EF
    auto header = MutableIpv4Header::parse(bytes, ChecksumPolicy::skip).value();
    EXPECT_FALSE(header.view().checksum_valid());
    header.fill_checksum();
    EXPECT_TRUE(header.view().checksum_valid());
    EXPECT_EQ(header.view().dscp(), 46);
}

TEST(Ipv4PseudoHeader, SumsLikeItsBytes) {
    // RFC 768: source, destination, zero, protocol, length.
    std::vector<std::uint8_t> bytes{10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 37};
    InternetChecksum by_bytes;
    by_bytes.add(as_bytes(bytes));
    InternetChecksum by_helper;
    add_ipv4_pseudo_header(by_helper, host_ip, oasis_ip, IpProtocol::udp, 37);
    EXPECT_EQ(by_helper.sum(), by_bytes.sum());
}

}  // namespace
}  // namespace oasis::net
