// Tests of TCP over IPv4: sequence numbers, a real handshake and close, options, emit.
#include "net/wire/tcp.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string_view>
#include <vector>

#include "core/endian.hpp"
#include "core/testing/hex.hpp"

namespace oasis::net {
namespace {

using oasis::testing::from_hex;

// Made with scapy 2.5 (checksums by scapy, checked again with a separate
// RFC 1071 sum in python), laid out as Linux 6.x sends them: a connection
// from 10.0.0.1:45678 to 10.0.0.2:80.
//
// The SYN: MSS 1460, SACK-permitted, timestamps (2830121415, 0), NOP, window
// scale 7, in Linux's order.
constexpr std::string_view syn =
    "b26e00501a2b3c4d00000000a002faf04d5e0000"
    "020405b40402080aa8b039c70000000001030307";
// The SYN-ACK from 10.0.0.2: the same options, timestamps (104729, 2830121415).
constexpr std::string_view syn_ack =
    "0050b26e5e6f70811a2b3c4ea012fe88e1a90000"
    "020405b40402080a00019919a8b039c701030307";
// A PSH ACK carrying "GET / HTTP/1.1\r\nHost: oasis\r\n\r\n" after NOP NOP
// timestamps.
constexpr std::string_view data_segment =
    "b26e00501a2b3c4e5e6f7082801801f6db600000"
    "0101080aa8b039c800019919"
    "474554202f20485454502f312e310d0a486f73743a206f617369730d0a0d0a";
// A FIN ACK from 10.0.0.2 without options.
constexpr std::string_view fin_segment = "0050b26e5e6f70821a2b3c6e501101fdc18a0000";

const Ipv4Address client_ip = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address server_ip = Ipv4Address::from_octets(10, 0, 0, 2);

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
    std::vector<std::byte> bytes;
    for (int value : values) {
        bytes.push_back(std::byte(value));
    }
    return bytes;
}

// A segment of 20 header bytes, `options` and no payload, its checksum right.
std::vector<std::byte> segment_with_options(const std::vector<std::byte>& options) {
    std::vector<std::byte> segment(20 + options.size());
    std::copy(options.begin(), options.end(), segment.begin() + 20);
    store_be16(segment.data(), 1234);
    store_be16(segment.data() + 2, 80);
    segment[12] = std::byte(((20 + options.size()) / 4) << 4);
    segment[13] = std::byte{0x02};
    InternetChecksum checksum;
    add_ipv4_pseudo_header(checksum, client_ip, server_ip, IpProtocol::tcp,
                           static_cast<std::uint16_t>(segment.size()));
    checksum.add(ByteView{segment});
    store_be16(segment.data() + 16, checksum.finish());
    return segment;
}

Result<TcpOptions, WireError> options_of(std::initializer_list<int> values) {
    auto bytes = bytes_of(values);
    return parse_tcp_options(ByteView{bytes});
}

// Walks `values` to the end and returns the first error, if any.
std::optional<WireError> walk_error(std::initializer_list<int> values) {
    auto bytes = bytes_of(values);
    TcpOptionIterator iterator{ByteView{bytes}};
    for (int steps = 0; steps < 64; ++steps) {
        auto option = iterator.next();
        if (option.is_error()) {
            return option.error();
        }
        if (!*option) {
            return std::nullopt;
        }
    }
    ADD_FAILURE() << "the walk did not end";
    return std::nullopt;
}

TEST(SequenceNumber, ComparesAcrossTheWrap) {
    SequenceNumber before{0xffff'fff0};
    SequenceNumber after = before + 0x20;
    EXPECT_EQ(after.value(), 0x10u);
    EXPECT_TRUE(before < after);
    EXPECT_TRUE(before <= after);
    EXPECT_FALSE(after < before);
    EXPECT_TRUE(after > before);
    EXPECT_TRUE(after >= before);
    EXPECT_EQ(after - before, 0x20);
    EXPECT_EQ(before - after, -0x20);
    EXPECT_EQ(after - std::uint32_t{0x20}, before);
    EXPECT_TRUE(before <= before);
    EXPECT_FALSE(before < before);
}

TEST(SequenceNumber, HalfTheSpaceDecidesTheOrder) {
    SequenceNumber zero{0};
    EXPECT_TRUE(zero < SequenceNumber{0x7fff'ffff});
    EXPECT_EQ(SequenceNumber{0x7fff'ffff} - zero, 0x7fff'ffff);
    // One more and the other one is ahead: 0 lies 2^31 - 1 after it.
    EXPECT_TRUE(SequenceNumber{0x8000'0001} < zero);
    EXPECT_EQ(zero - SequenceNumber{0x8000'0001}, 0x7fff'ffff);
    SequenceNumber number{0xffff'ffff};
    number += 1;
    EXPECT_EQ(number, SequenceNumber{0});
    number -= 2;
    EXPECT_EQ(number.value(), 0xffff'fffeu);
}

TEST(TcpFlags, CombinesBits) {
    TcpFlags flags = TcpFlag::syn | TcpFlag::ack;
    EXPECT_EQ(flags.bits(), 0x12);
    EXPECT_TRUE(flags.has(TcpFlag::syn));
    EXPECT_FALSE(flags.has(TcpFlag::fin));
    EXPECT_EQ(TcpFlags{TcpFlag::cwr}.bits(), 0x80);
}

TEST(TcpSegment, ParsesALinuxSyn) {
    auto bytes = from_hex(syn);
    auto segment = TcpSegment::parse(bytes, client_ip, server_ip).value();
    EXPECT_EQ(segment.source_port(), 45678);
    EXPECT_EQ(segment.destination_port(), 80);
    EXPECT_EQ(segment.sequence_number(), SequenceNumber{0x1a2b3c4d});
    EXPECT_EQ(segment.acknowledgment_number(), SequenceNumber{0});
    EXPECT_EQ(segment.data_offset(), 10);
    EXPECT_EQ(segment.header_size(), 40u);
    EXPECT_EQ(segment.reserved(), 0);
    EXPECT_EQ(segment.flags(), TcpFlags{TcpFlag::syn});
    EXPECT_TRUE(segment.syn());
    EXPECT_FALSE(segment.ack() || segment.fin() || segment.rst() || segment.psh() ||
                 segment.urg() || segment.ece() || segment.cwr());
    EXPECT_EQ(segment.window(), 64240);
    EXPECT_EQ(segment.checksum(), 0x4d5e);
    EXPECT_EQ(segment.urgent_pointer(), 0);
    EXPECT_EQ(segment.options().size(), 20u);
    EXPECT_TRUE(segment.payload().empty());

    auto options = parse_tcp_options(segment.options()).value();
    EXPECT_EQ(options.maximum_segment_size, 1460);
    EXPECT_TRUE(options.sack_permitted);
    EXPECT_EQ(options.timestamps, (TcpTimestamps{2830121415u, 0}));
    EXPECT_EQ(options.window_scale, 7);
    EXPECT_FALSE(options.window_scale_clamped);
    EXPECT_TRUE(options.sack().empty());
}

TEST(TcpSegment, ParsesASynAck) {
    auto bytes = from_hex(syn_ack);
    auto segment = TcpSegment::parse(bytes, server_ip, client_ip).value();
    EXPECT_EQ(segment.source_port(), 80);
    EXPECT_EQ(segment.destination_port(), 45678);
    EXPECT_EQ(segment.sequence_number(), SequenceNumber{0x5e6f7081});
    EXPECT_EQ(segment.acknowledgment_number(), SequenceNumber{0x1a2b3c4e});
    EXPECT_EQ(segment.flags(), TcpFlag::syn | TcpFlag::ack);
    EXPECT_EQ(segment.window(), 65160);
    auto options = parse_tcp_options(segment.options()).value();
    EXPECT_EQ(options.timestamps, (TcpTimestamps{104729, 2830121415u}));
    EXPECT_EQ(options.maximum_segment_size, 1460);
}

TEST(TcpSegment, ParsesADataSegmentWithPush) {
    auto bytes = from_hex(data_segment);
    auto segment = TcpSegment::parse(bytes, client_ip, server_ip).value();
    EXPECT_EQ(segment.flags(), TcpFlag::psh | TcpFlag::ack);
    EXPECT_TRUE(segment.psh());
    EXPECT_EQ(segment.header_size(), 32u);
    EXPECT_EQ(segment.window(), 502);
    EXPECT_EQ(segment.payload().size(), 31u);
    EXPECT_EQ(segment.payload().data()[0], std::byte{'G'});
    auto options = parse_tcp_options(segment.options()).value();
    EXPECT_EQ(options.timestamps, (TcpTimestamps{2830121416u, 104729}));
    EXPECT_FALSE(options.maximum_segment_size);
    EXPECT_FALSE(options.sack_permitted);
    EXPECT_FALSE(options.window_scale);
}

TEST(TcpSegment, ParsesAFin) {
    auto bytes = from_hex(fin_segment);
    auto segment = TcpSegment::parse(bytes, server_ip, client_ip).value();
    EXPECT_EQ(segment.flags(), TcpFlag::fin | TcpFlag::ack);
    EXPECT_TRUE(segment.fin());
    EXPECT_EQ(segment.header_size(), 20u);
    EXPECT_TRUE(segment.options().empty());
    EXPECT_TRUE(segment.payload().empty());
    EXPECT_EQ(segment.acknowledgment_number(), SequenceNumber{0x1a2b3c6e});
}

TEST(TcpSegment, ChecksumCoversThePseudoHeaderAndPayload) {
    auto bytes = from_hex(data_segment);
    EXPECT_EQ(TcpSegment::parse(bytes, client_ip, Ipv4Address::from_octets(10, 0, 0, 3)).error(),
              WireError::bad_checksum);
    bytes[40] ^= std::byte{0x01};
    EXPECT_EQ(TcpSegment::parse(bytes, client_ip, server_ip).error(), WireError::bad_checksum);
    // A zero checksum is not "none" as in UDP.
    auto fin = from_hex(fin_segment);
    store_be16(fin.data() + 16, 0);
    EXPECT_EQ(TcpSegment::parse(fin, server_ip, client_ip).error(), WireError::bad_checksum);
    // skip leaves it to the caller.
    auto skipped = TcpSegment::parse(bytes, client_ip, server_ip, ChecksumPolicy::skip).value();
    EXPECT_FALSE(skipped.checksum_valid(client_ip, server_ip));
}

TEST(TcpSegment, TruncatedAtEveryLength) {
    for (std::string_view fixture : {syn, syn_ack, data_segment, fin_segment}) {
        auto bytes = from_hex(fixture);
        for (std::size_t length = 0; length < bytes.size(); ++length) {
            std::vector<std::byte> truncated(bytes.begin(), bytes.begin() + length);
            auto result = TcpSegment::parse(truncated, client_ip, server_ip, ChecksumPolicy::skip);
            auto header_size = (std::size_t{std::to_integer<std::uint8_t>(bytes[12])} >> 4) * 4;
            if (length < 20) {
                ASSERT_EQ(result.error(), WireError::truncated) << length;
            } else if (length < header_size) {
                ASSERT_EQ(result.error(), WireError::bad_header_length) << length;
            } else {
                // Only the checksum can tell a cut payload.
                ASSERT_TRUE(result.has_value()) << length;
                ASSERT_EQ(TcpSegment::parse(truncated, client_ip, server_ip).error(),
                          WireError::bad_checksum)
                    << length;
            }
        }
    }
}

TEST(TcpSegment, RefusesBadDataOffsets) {
    auto bytes = from_hex(syn);
    for (int offset = 0; offset < 5; ++offset) {
        bytes[12] = std::byte(offset << 4);
        EXPECT_EQ(TcpSegment::parse(bytes, client_ip, server_ip, ChecksumPolicy::skip).error(),
                  WireError::bad_header_length)
            << offset;
    }
    // 11 to 15 words: longer than the 40 bytes there are.
    for (int offset = 11; offset <= 15; ++offset) {
        bytes[12] = std::byte(offset << 4);
        EXPECT_EQ(TcpSegment::parse(bytes, client_ip, server_ip, ChecksumPolicy::skip).error(),
                  WireError::bad_header_length)
            << offset;
    }
    // Fewer words than the options: the rest is payload.
    bytes[12] = std::byte(6 << 4);
    auto segment = TcpSegment::parse(bytes, client_ip, server_ip, ChecksumPolicy::skip).value();
    EXPECT_EQ(segment.options().size(), 4u);
    EXPECT_EQ(segment.payload().size(), 16u);
}

TEST(TcpSegment, ReadsTheReservedBits) {
    auto bytes = from_hex(fin_segment);
    bytes[12] |= std::byte{0x0f};
    auto segment = TcpSegment::parse(bytes, server_ip, client_ip, ChecksumPolicy::skip).value();
    EXPECT_EQ(segment.reserved(), 0x0f);
    EXPECT_EQ(segment.data_offset(), 5);
}

TEST(TcpSegment, RefusesMalformedOptions) {
    // Kind 2 with length 0, length 1, and a timestamp running past the header.
    for (const auto& options :
         {bytes_of({2, 0, 0, 0}), bytes_of({30, 1, 0, 0}), bytes_of({1, 1, 8, 10, 0, 0, 0, 0})}) {
        auto segment = segment_with_options(options);
        EXPECT_EQ(TcpSegment::parse(segment, client_ip, server_ip).error(), WireError::bad_option);
    }
    // An unknown option with a good length is fine.
    auto segment = segment_with_options(bytes_of({30, 4, 0xaa, 0xbb}));
    EXPECT_TRUE(TcpSegment::parse(segment, client_ip, server_ip).has_value());
}

TEST(TcpOptionIterator, WalksAndSkips) {
    auto bytes = bytes_of({1, 30, 4, 0xaa, 0xbb, 2, 4, 0x05, 0xb4, 0, 99, 99});
    TcpOptionIterator iterator{ByteView{bytes}};
    auto unknown = iterator.next().value();
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->kind, TcpOptionKind{30});
    EXPECT_EQ(unknown->data, ByteView{bytes_of({0xaa, 0xbb})});
    auto mss = iterator.next().value();
    ASSERT_TRUE(mss);
    EXPECT_EQ(mss->kind, TcpOptionKind::maximum_segment_size);
    EXPECT_EQ(load_be16(mss->data.data()), 1460);
    // End of List: the 99s are padding, not an option.
    EXPECT_FALSE(iterator.next().value());
    EXPECT_FALSE(iterator.next().value());
}

TEST(TcpOptionIterator, RefusesBadLengths) {
    EXPECT_EQ(walk_error({30, 0}), WireError::bad_option);
    EXPECT_EQ(walk_error({30, 1}), WireError::bad_option);
    EXPECT_EQ(walk_error({30, 5, 0, 0}), WireError::bad_option);
    EXPECT_EQ(walk_error({1, 1, 30}), WireError::bad_option);  // no length byte
    EXPECT_EQ(walk_error({30, 2}), std::nullopt);
    // Fixed lengths of the kinds TCP reads.
    EXPECT_EQ(walk_error({2, 3, 0}), WireError::bad_option);
    EXPECT_EQ(walk_error({2, 5, 0, 0, 0}), WireError::bad_option);
    EXPECT_EQ(walk_error({3, 4, 7, 0}), WireError::bad_option);
    EXPECT_EQ(walk_error({3, 2}), WireError::bad_option);
    EXPECT_EQ(walk_error({4, 3, 0}), WireError::bad_option);
    EXPECT_EQ(walk_error({8, 9, 0, 0, 0, 0, 0, 0, 0}), WireError::bad_option);
    EXPECT_EQ(walk_error({8, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0}), WireError::bad_option);
    // SACK: 2 + 8n bytes with n from 1 to 4.
    EXPECT_EQ(walk_error({5, 2}), WireError::bad_option);
    EXPECT_EQ(walk_error({5, 9, 0, 0, 0, 0, 0, 0, 0}), WireError::bad_option);
    std::vector<std::byte> five_blocks(42);
    five_blocks[0] = std::byte{5};
    five_blocks[1] = std::byte{42};
    TcpOptionIterator iterator{ByteView{five_blocks}};
    EXPECT_EQ(iterator.next().error(), WireError::bad_option);
    // Once refused, always refused.
    EXPECT_EQ(iterator.next().error(), WireError::bad_option);
}

TEST(TcpOptions, ClampsTheWindowScale) {
    auto fourteen = options_of({3, 3, 14}).value();
    EXPECT_EQ(fourteen.window_scale, 14);
    EXPECT_FALSE(fourteen.window_scale_clamped);
    auto fifteen = options_of({3, 3, 15}).value();
    EXPECT_EQ(fifteen.window_scale, 14);
    EXPECT_TRUE(fifteen.window_scale_clamped);
    auto most = options_of({3, 3, 255}).value();
    EXPECT_EQ(most.window_scale, 14);
    EXPECT_TRUE(most.window_scale_clamped);
}

TEST(TcpOptions, ReportsTinyMaximumSegmentSizesAsSent) {
    EXPECT_EQ(options_of({2, 4, 0, 0}).value().maximum_segment_size, 0);
    EXPECT_EQ(options_of({2, 4, 0, 1}).value().maximum_segment_size, 1);
}

// Found by fuzz_tcp: a second, shorter SACK option left the first one's
// later blocks behind, so the summary differed from its own re-emission.
TEST(TcpOptions, ARepeatedSackOptionReplacesTheWholeFirstOne) {
    std::vector<std::byte> bytes(2 + 16 + 2 + 8);
    bytes[0] = std::byte{5};
    bytes[1] = std::byte{18};
    for (std::uint32_t i = 0; i < 4; ++i) {
        store_be32(bytes.data() + 2 + 4 * i, 100 + i);
    }
    bytes[18] = std::byte{5};
    bytes[19] = std::byte{10};
    store_be32(bytes.data() + 20, 7);
    store_be32(bytes.data() + 24, 8);
    auto parsed = parse_tcp_options(ByteView{bytes}).value();
    ASSERT_EQ(parsed.sack().size(), 1u);
    EXPECT_EQ(parsed.sack()[0], (TcpSackBlock{SequenceNumber{7}, SequenceNumber{8}}));
    TcpOptions only_the_last;
    only_the_last.sack_blocks[0] = parsed.sack()[0];
    only_the_last.sack_block_count = 1;
    EXPECT_EQ(parsed, only_the_last);
}

TEST(TcpOptions, ReadsSackBlocks) {
    auto one = options_of({1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 9}).value();
    ASSERT_EQ(one.sack().size(), 1u);
    EXPECT_EQ(one.sack()[0], (TcpSackBlock{SequenceNumber{1}, SequenceNumber{9}}));

    std::vector<std::byte> four(2 + 32);
    four[0] = std::byte{5};
    four[1] = std::byte{34};
    for (std::uint32_t i = 0; i < 8; ++i) {
        store_be32(four.data() + 2 + 4 * i, 0xffff'fff0 + i);
    }
    auto parsed = parse_tcp_options(ByteView{four}).value();
    ASSERT_EQ(parsed.sack().size(), 4u);
    EXPECT_EQ(parsed.sack()[3],
              (TcpSackBlock{SequenceNumber{0xffff'fff6}, SequenceNumber{0xffff'fff7}}));
}

TEST(TcpOptions, RefusesBadOptions) {
    EXPECT_EQ(options_of({2, 0}).error(), WireError::bad_option);
    EXPECT_EQ(options_of({5, 2}).error(), WireError::bad_option);
}

TEST(TcpOptions, EmitsLinuxLayouts) {
    for (std::string_view fixture : {syn, syn_ack, data_segment}) {
        auto bytes = from_hex(fixture);
        auto segment = TcpSegment::parse(bytes, client_ip, server_ip, ChecksumPolicy::skip).value();
        auto options = parse_tcp_options(segment.options()).value();
        EXPECT_EQ(tcp_options_size(options), segment.options().size());
        std::vector<std::byte> out(40);
        std::size_t size = emit_tcp_options(MutableByteView{out}, options).value();
        EXPECT_EQ(ByteView{std::span{out}.first(size)}, segment.options()) << fixture;
    }
}

TEST(TcpOptions, EmitsAndParsesEveryOption) {
    TcpOptions options;
    options.maximum_segment_size = 536;
    options.window_scale = 3;
    options.sack_permitted = true;
    options.sack_blocks[0] = {SequenceNumber{100}, SequenceNumber{200}};
    options.sack_blocks[1] = {SequenceNumber{300}, SequenceNumber{400}};
    options.sack_block_count = 2;
    std::vector<std::byte> out(40);
    std::size_t size = emit_tcp_options(MutableByteView{out}, options).value();
    EXPECT_EQ(size, 4u + 4 + 4 + 4 + 16);
    EXPECT_EQ(ByteView{std::span{out}.first(12)},
              ByteView{bytes_of({2, 4, 2, 24, 1, 1, 4, 2, 1, 3, 3, 3})});
    EXPECT_EQ(parse_tcp_options(ByteView{std::span{out}.first(size)}).value(), options);

    options.timestamps = TcpTimestamps{1, 2};
    // 4 + 12 + 4 + (4 + 8n) bytes: with timestamps only two blocks fit in 40.
    options.sack_block_count = 3;
    EXPECT_EQ(tcp_options_size(options), 48u);
    EXPECT_EQ(emit_tcp_options(MutableByteView{out}, options).error(), WireError::bad_option);
    options.sack_block_count = 2;
    std::size_t full = emit_tcp_options(MutableByteView{out}, options).value();
    EXPECT_EQ(full, 40u);
    EXPECT_EQ(parse_tcp_options(ByteView{out}).value(), options);
    std::vector<std::byte> small(39);
    EXPECT_EQ(emit_tcp_options(MutableByteView{small}, options).error(), WireError::no_room);
    options.sack_block_count = 5;
    EXPECT_EQ(emit_tcp_options(MutableByteView{out}, options).error(), WireError::bad_option);
}

TEST(TcpSegment, EmitRoundTripsTheFixtures) {
    struct Case {
        std::string_view hex;
        Ipv4Address source;
        Ipv4Address destination;
    };
    for (const Case& fixture :
         {Case{syn, client_ip, server_ip}, Case{syn_ack, server_ip, client_ip},
          Case{data_segment, client_ip, server_ip}, Case{fin_segment, server_ip, client_ip}}) {
        auto bytes = from_hex(fixture.hex);
        auto segment = TcpSegment::parse(bytes, fixture.source, fixture.destination).value();
        EXPECT_EQ(TcpSegment::emitted_size(segment.options().size(), segment.payload().size()),
                  bytes.size());
        std::vector<std::byte> out(bytes.size() + 7, std::byte{0x55});
        std::size_t size =
            TcpSegment::emit(MutableByteView{out}, segment.fields(), segment.options(),
                             segment.payload(), fixture.source, fixture.destination)
                .value();
        EXPECT_EQ(size, bytes.size());
        EXPECT_EQ(ByteView{std::span{out}.first(size)}, ByteView{bytes}) << fixture.hex;
        EXPECT_EQ(out.back(), std::byte{0x55});
    }
}

TEST(TcpSegment, EmitsFromParsedOptions) {
    auto bytes = from_hex(syn);
    auto segment = TcpSegment::parse(bytes, client_ip, server_ip).value();
    auto options = parse_tcp_options(segment.options()).value();
    std::vector<std::byte> option_bytes(tcp_options_size(options));
    ASSERT_TRUE(emit_tcp_options(MutableByteView{option_bytes}, options).has_value());
    TcpFields fields{
        .source_port = 45678,
        .destination_port = 80,
        .sequence_number = SequenceNumber{0x1a2b3c4d},
        .acknowledgment_number = SequenceNumber{0},
        .flags = TcpFlag::syn,
        .window = 64240,
        .urgent_pointer = 0,
    };
    EXPECT_EQ(segment.fields(), fields);
    std::vector<std::byte> out(40);
    ASSERT_TRUE(TcpSegment::emit(MutableByteView{out}, fields, ByteView{option_bytes}, {},
                                 client_ip, server_ip)
                    .has_value());
    EXPECT_EQ(ByteView{out}, ByteView{bytes});
}

TEST(TcpSegment, EmitPadsOptions) {
    TcpFields fields{.source_port = 1, .destination_port = 2, .flags = TcpFlag::ack};
    auto options = bytes_of({3, 3, 7});
    auto payload = bytes_of({'h', 'i'});
    std::vector<std::byte> out(TcpSegment::emitted_size(3, 2), std::byte{0xee});
    EXPECT_EQ(out.size(), 26u);
    ASSERT_EQ(TcpSegment::emit(MutableByteView{out}, fields, ByteView{options}, ByteView{payload},
                               client_ip, server_ip)
                  .value(),
              26u);
    EXPECT_EQ(out[23], std::byte{0});
    auto segment = TcpSegment::parse(out, client_ip, server_ip).value();
    EXPECT_EQ(segment.header_size(), 24u);
    EXPECT_EQ(segment.payload(), ByteView{payload});
    EXPECT_EQ(parse_tcp_options(segment.options()).value().window_scale, 7);
    EXPECT_EQ(segment.fields(), fields);
}

TEST(TcpSegment, EmitRefusesWhatCannotBeSent) {
    TcpFields fields;
    std::vector<std::byte> out(100);
    std::vector<std::byte> options(41, std::byte{1});
    EXPECT_EQ(
        TcpSegment::emit(MutableByteView{out}, fields, ByteView{options}, {}, client_ip, server_ip)
            .error(),
        WireError::bad_option);
    EXPECT_EQ(TcpSegment::emit(MutableByteView{std::span{out}.first(19)}, fields, {}, {}, client_ip,
                               server_ip)
                  .error(),
              WireError::no_room);
    std::vector<std::byte> payload(65535 - 19);
    std::vector<std::byte> big(70000);
    EXPECT_EQ(
        TcpSegment::emit(MutableByteView{big}, fields, {}, ByteView{payload}, client_ip, server_ip)
            .error(),
        WireError::bad_length);
    payload.pop_back();
    EXPECT_EQ(
        TcpSegment::emit(MutableByteView{big}, fields, {}, ByteView{payload}, client_ip, server_ip)
            .value(),
        65535u);
}

TEST(TcpSegment, PrependsIntoAPacketBuffer) {
    auto bytes = from_hex(data_segment);
    auto segment = TcpSegment::parse(bytes, client_ip, server_ip).value();
    std::array<std::byte, 256> storage{};
    PacketBuffer packet{MutableByteView{storage}, 128};
    auto tail = packet.append(segment.payload().size()).value();
    ASSERT_TRUE(tail.copy_from(0, segment.payload()).has_value());
    ASSERT_TRUE(
        TcpSegment::prepend(packet, segment.fields(), segment.options(), client_ip, server_ip)
            .has_value());
    EXPECT_EQ(packet.data(), ByteView{bytes});
    EXPECT_EQ(packet.headroom(), 128u - 32);

    // Without the headroom for it, nothing changes.
    PacketBuffer cramped{MutableByteView{storage}, 10};
    ASSERT_TRUE(cramped.append(4).has_value());
    EXPECT_EQ(TcpSegment::prepend(cramped, segment.fields(), {}, client_ip, server_ip).error(),
              WireError::no_room);
    EXPECT_EQ(cramped.size(), 4u);
    EXPECT_EQ(cramped.headroom(), 10u);
}

}  // namespace
}  // namespace oasis::net
