// Tests of ICMPv4: real echo and error messages, the quoted datagram, emit.
#include "net/wire/icmpv4.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "core/testing/hex.hpp"
#include "net/wire/udp.hpp"

namespace oasis::net {
namespace {

using oasis::testing::from_hex;

// Made with scapy 2.5; checksums computed by scapy. 10.0.0.1 is Linux,
// 10.0.0.2 is Oasis.

// ICMP of a ping request from iputils (16-byte timeval, then 0x10..0x37)
// and of its reply.
constexpr std::string_view echo_request =
    "080086c81c2b000100f153650000000040e20100000000001011121314151617"
    "18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
constexpr std::string_view echo_reply =
    "00008ec81c2b000100f153650000000040e20100000000001011121314151617"
    "18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
// The IP packet of a DNS query to 10.0.0.2, which has no DNS server...
constexpr std::string_view dns_query =
    "45000039123440004011147e0a0000010a000002d431003500259bffabcd0100"
    "0001000000000000076578616d706c6503636f6d0000010001";
// ...and the port unreachable about it, quoting the whole datagram as
// Linux does (IP header, then ICMP).
constexpr std::string_view port_unreachable =
    "4500005500000000400166a60a0000020a000001030311360000000045000039"
    "123440004011147e0a0000010a000002d431003500259bffabcd010000010000"
    "00000000076578616d706c6503636f6d0000010001";

const Ipv4Address host_ip = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address oasis_ip = Ipv4Address::from_octets(10, 0, 0, 2);

TEST(Icmpv4Message, ParsesAnEchoRequest) {
    auto bytes = from_hex(echo_request);
    auto message = Icmpv4Message::parse(bytes).value();
    EXPECT_EQ(message.type(), Icmpv4Type::echo_request);
    EXPECT_EQ(message.code(), 0);
    EXPECT_EQ(message.checksum(), 0x86c8);
    EXPECT_TRUE(message.checksum_valid());
    EXPECT_EQ(message.identifier(), 0x1c2b);
    EXPECT_EQ(message.sequence_number(), 1);
    EXPECT_EQ(message.data().size(), 56u);
    EXPECT_EQ(message.data().data()[16], std::byte{0x10});
    EXPECT_FALSE(message.is_error());
    EXPECT_EQ(message.quoted_datagram().error(), WireError::unsupported);
}

TEST(Icmpv4Message, RefusesBadChecksumsUnlessToldNotToCheck) {
    auto bytes = from_hex(echo_request);
    bytes.back() ^= std::byte{0x01};  // the checksum covers the data too
    EXPECT_EQ(Icmpv4Message::parse(bytes).error(), WireError::bad_checksum);
    auto message = Icmpv4Message::parse(bytes, ChecksumPolicy::skip).value();
    EXPECT_FALSE(message.checksum_valid());
}

TEST(Icmpv4Message, OddLengthChecksum) {
    auto bytes = from_hex(echo_request);
    bytes.resize(63);
    ASSERT_TRUE(Icmpv4Message::emit_echo(bytes, Icmpv4Type::echo_request, 1, 2));
    EXPECT_TRUE(Icmpv4Message::parse(bytes).has_value());
    bytes.back() ^= std::byte{0x80};
    EXPECT_EQ(Icmpv4Message::parse(bytes).error(), WireError::bad_checksum);
}

TEST(Icmpv4Message, TruncatedAtEveryLength) {
    auto bytes = from_hex(echo_request);
    for (std::size_t length = 0; length < Icmpv4Message::header_size; ++length) {
        std::vector<std::byte> truncated(bytes.begin(), bytes.begin() + length);
        EXPECT_EQ(Icmpv4Message::parse(truncated).error(), WireError::truncated) << length;
    }
    // A message cut short after its header only fails its checksum.
    for (std::size_t length = 8; length < bytes.size(); ++length) {
        std::vector<std::byte> truncated(bytes.begin(), bytes.begin() + length);
        EXPECT_EQ(Icmpv4Message::parse(truncated).error(), WireError::bad_checksum) << length;
    }
}

// Found by fuzz_icmpv4: an all-zero echo (id 0, sequence 0, no data) needs
// checksum 0xffff in its reply, which RFC 1624's incremental update misses.
TEST(Icmpv4Message, EchoReplyToAnAllZeroRequestVerifies) {
    std::vector<std::byte> bytes = from_hex("0800f7ff00000000");
    ASSERT_TRUE(Icmpv4Message::parse(bytes, ChecksumPolicy::verify));
    ASSERT_TRUE(Icmpv4Message::echo_reply_in_place(bytes));
    EXPECT_EQ(bytes, from_hex("0000ffff00000000"));
    EXPECT_TRUE(Icmpv4Message::parse(bytes, ChecksumPolicy::verify));
}

TEST(Icmpv4Message, EchoReplyInPlaceIsWhatLinuxExpects) {
    auto bytes = from_hex(echo_request);
    ASSERT_TRUE(Icmpv4Message::echo_reply_in_place(bytes));
    EXPECT_EQ(ByteView{bytes}, ByteView{from_hex(echo_reply)});
    EXPECT_TRUE(Icmpv4Message::parse(bytes).has_value());
    // A reply is not turned around again.
    EXPECT_EQ(Icmpv4Message::echo_reply_in_place(bytes).error(), WireError::unsupported);
    std::vector<std::byte> tiny(7);
    EXPECT_EQ(Icmpv4Message::echo_reply_in_place(tiny).error(), WireError::truncated);
}

TEST(Icmpv4Message, EchoReplyInPlaceWithANonZeroCode) {
    auto bytes = from_hex(echo_request);
    bytes[1] = std::byte{9};
    store_be16(bytes.data() + 2, 0);
    store_be16(bytes.data() + 2, internet_checksum(bytes));
    ASSERT_TRUE(Icmpv4Message::echo_reply_in_place(bytes));
    auto reply = Icmpv4Message::parse(bytes).value();
    EXPECT_EQ(reply.type(), Icmpv4Type::echo_reply);
    EXPECT_EQ(reply.code(), 0);
}

TEST(Icmpv4Message, EmitEchoReproducesARealRequest) {
    auto expected = from_hex(echo_request);
    auto bytes = expected;
    bytes[0] = bytes[2] = bytes[3] = bytes[4] = std::byte{0xee};
    ASSERT_TRUE(Icmpv4Message::emit_echo(bytes, Icmpv4Type::echo_request, 0x1c2b, 1));
    EXPECT_EQ(ByteView{bytes}, ByteView{expected});
    std::vector<std::byte> tiny(7);
    EXPECT_EQ(Icmpv4Message::emit_echo(tiny, Icmpv4Type::echo_reply, 0, 0).error(),
              WireError::no_room);
}

TEST(Icmpv4Message, ParsesAPortUnreachableAndItsQuote) {
    auto packet = from_hex(port_unreachable);
    auto ip = Ipv4Header::parse(packet).value();
    auto message = Icmpv4Message::parse(ip.payload()).value();
    EXPECT_EQ(message.type(), Icmpv4Type::destination_unreachable);
    EXPECT_EQ(message.code(), std::uint8_t(UnreachableCode::port));
    EXPECT_TRUE(message.is_error());

    auto quote = message.quoted_datagram().value();
    EXPECT_EQ(quote.source(), host_ip);
    EXPECT_EQ(quote.destination(), oasis_ip);
    EXPECT_EQ(quote.protocol(), IpProtocol::udp);
    EXPECT_EQ(quote.identification(), 0x1234);
    ASSERT_GE(quote.payload().size(), 8u);
    // The transport finds its ports in the first 8 bytes.
    EXPECT_EQ(load_be16(quote.payload().data()), 54321);
    EXPECT_EQ(load_be16(quote.payload().data() + 2), 53);
}

TEST(Icmpv4Message, QuoteNeedsTheHeaderAndEightBytes) {
    auto original = from_hex(dns_query);
    for (std::size_t length = 0; length < 28; ++length) {
        std::vector<std::byte> quote(original.begin(), original.begin() + length);
        EXPECT_EQ(Ipv4Header::parse_quoted(quote).error(), WireError::truncated) << length;
    }
    // The checksum is not checked and the rest of the datagram may be missing.
    std::vector<std::byte> quote(original.begin(), original.begin() + 28);
    quote[8] = std::byte{1};
    auto header = Ipv4Header::parse_quoted(quote).value();
    EXPECT_EQ(header.total_length(), 57);
    EXPECT_EQ(header.payload().size(), 8u);

    // An original of 2 payload bytes is quoted whole.
    std::vector<std::byte> tiny(original.begin(), original.begin() + 22);
    store_be16(tiny.data() + 2, 22);
    EXPECT_EQ(Ipv4Header::parse_quoted(tiny).value().payload().size(), 2u);
    tiny.pop_back();
    EXPECT_EQ(Ipv4Header::parse_quoted(tiny).error(), WireError::truncated);

    auto bad = quote;
    bad[0] = std::byte{0x44};
    EXPECT_EQ(Ipv4Header::parse_quoted(bad).error(), WireError::bad_header_length);
    bad[0] = std::byte{0x65};
    EXPECT_EQ(Ipv4Header::parse_quoted(bad).error(), WireError::bad_version);
    bad = quote;
    store_be16(bad.data() + 2, 19);
    EXPECT_EQ(Ipv4Header::parse_quoted(bad).error(), WireError::bad_total_length);
}

TEST(Icmpv4Message, EmitsThePortUnreachableLinuxWould) {
    auto original_bytes = from_hex(dns_query);
    auto original = Ipv4Header::parse(original_bytes).value();
    std::vector<std::byte> out(1500);
    auto length =
        Icmpv4Message::emit_destination_unreachable(out, UnreachableCode::port, original).value();
    auto expected = from_hex(port_unreachable);
    EXPECT_EQ(length, expected.size() - 20);
    EXPECT_EQ((ByteView{out.data(), length}), (ByteView{expected.data() + 20, length}));
}

TEST(Icmpv4Message, ErrorQuotesAreBoundedBy576Bytes) {
    std::vector<std::byte> original_bytes(1000, std::byte{0x33});
    Ipv4Fields fields{.source = host_ip, .destination = oasis_ip, .payload_length = 980};
    ASSERT_TRUE(Ipv4Header::emit(original_bytes, fields));
    auto original = Ipv4Header::parse(original_bytes).value();

    std::vector<std::byte> out(1500);
    auto length =
        Icmpv4Message::emit_time_exceeded(out, TimeExceededCode::ttl_exceeded, original).value();
    EXPECT_EQ(length, Icmpv4Message::max_error_size);
    auto message = Icmpv4Message::parse(ByteView{out.data(), length}).value();
    EXPECT_EQ(message.type(), Icmpv4Type::time_exceeded);
    EXPECT_EQ(message.data().size(), 548u);
    EXPECT_EQ(message.quoted_datagram().value().source(), host_ip);

    // A smaller buffer takes a smaller quote, down to the header + 8 bytes.
    std::vector<std::byte> small(36);
    EXPECT_EQ(
        Icmpv4Message::emit_time_exceeded(small, TimeExceededCode::ttl_exceeded, original).value(),
        36u);
    EXPECT_TRUE(Icmpv4Message::parse(small).has_value());
    std::vector<std::byte> too_small(35);
    EXPECT_EQ(Icmpv4Message::emit_time_exceeded(too_small, TimeExceededCode::ttl_exceeded, original)
                  .error(),
              WireError::no_room);
}

TEST(Icmpv4Message, ErrorFieldsRoundTrip) {
    auto original_bytes = from_hex(dns_query);
    auto original = Ipv4Header::parse(original_bytes).value();
    std::vector<std::byte> out(100);

    auto length = Icmpv4Message::emit_destination_unreachable(
                      out, UnreachableCode::fragmentation_needed, original, 1400)
                      .value();
    auto message = Icmpv4Message::parse(ByteView{out.data(), length}).value();
    EXPECT_EQ(message.code(), std::uint8_t(UnreachableCode::fragmentation_needed));
    EXPECT_EQ(message.next_hop_mtu(), 1400);

    length = Icmpv4Message::emit_parameter_problem(out, 9, original).value();
    message = Icmpv4Message::parse(ByteView{out.data(), length}).value();
    EXPECT_EQ(message.type(), Icmpv4Type::parameter_problem);
    EXPECT_EQ(message.pointer(), 9);
    EXPECT_EQ(message.rest_of_header(), 0x0900'0000u);

    length =
        Icmpv4Message::emit_error(out, Icmpv4Type::redirect, 1, host_ip.to_u32(), original).value();
    message = Icmpv4Message::parse(ByteView{out.data(), length}).value();
    EXPECT_EQ(message.gateway(), host_ip);
    EXPECT_TRUE(message.is_error());
}

TEST(Icmpv4Message, ErrorMayOverlapTheOriginal) {
    // The error is built 8 bytes before the datagram it quotes, in one buffer.
    auto original_bytes = from_hex(dns_query);
    std::vector<std::byte> expected(100);
    auto original = Ipv4Header::parse(original_bytes).value();
    auto expected_length =
        Icmpv4Message::emit_destination_unreachable(expected, UnreachableCode::port, original)
            .value();

    std::vector<std::byte> buffer(8);
    buffer.insert(buffer.end(), original_bytes.begin(), original_bytes.end());
    auto in_place = Ipv4Header::parse(ByteView{buffer.data() + 8, original_bytes.size()}).value();
    auto length =
        Icmpv4Message::emit_destination_unreachable(buffer, UnreachableCode::port, in_place)
            .value();
    EXPECT_EQ(length, expected_length);
    EXPECT_EQ((ByteView{buffer.data(), length}), (ByteView{expected.data(), length}));
}

}  // namespace
}  // namespace oasis::net
