// Fuzz target: TCP over IPv4 (net/wire/tcp.hpp) — parse, walk and summarise the options, re-emit.
//
// Input: the IPv4 source and destination addresses of the pseudo-header
// (4 + 4 bytes, network order), then the segment. Seeds are built that way.
#include <algorithm>
#include <array>
#include <vector>

#include "core/endian.hpp"
#include "core/packet.hpp"
#include "fuzz/fuzz_support.hpp"
#include "net/wire/tcp.hpp"

using namespace oasis;
using namespace oasis::net;
using oasis::fuzz::consume;

namespace {

// The summary's options written again and read back: the same, but for a
// window scale above 14, which was clamped and now reads as 14 unclamped.
void check_options_round_trip(const TcpOptions& options) {
    FUZZ_CHECK(!options.window_scale || *options.window_scale <= TcpOptions::max_window_scale);
    FUZZ_CHECK(options.sack_block_count <= TcpOptions::max_sack_blocks);
    std::vector<std::byte> out(TcpSegment::max_options_size);
    auto emitted = emit_tcp_options(MutableByteView{out}, options);
    if (emitted.is_error()) {
        // Linux's aligned layout can take more room than a packed original.
        FUZZ_CHECK(emitted.error() == WireError::bad_option);
        FUZZ_CHECK(tcp_options_size(options) > TcpSegment::max_options_size);
        return;
    }
    FUZZ_CHECK(*emitted == tcp_options_size(options));
    FUZZ_CHECK(*emitted % 4 == 0);
    auto reparsed = parse_tcp_options(ByteView{std::span{out}.first(*emitted)});
    FUZZ_CHECK(reparsed.has_value());
    TcpOptions expected = options;
    expected.window_scale_clamped = false;
    FUZZ_CHECK(*reparsed == expected);
}

// What parse_tcp_options() must find, worked out again from the walk: each
// known kind with its fixed length, the last of a kind counting, a SACK
// option replacing the blocks of an earlier one whole.
TcpOptions walk_options(ByteView bytes) {
    TcpOptions expected;
    TcpOptionIterator iterator{bytes};
    for (;;) {
        auto option = iterator.next();
        FUZZ_CHECK(option.has_value());
        if (!*option) {
            return expected;
        }
        const ByteView data = (*option)->data;
        switch ((*option)->kind) {
            case TcpOptionKind::maximum_segment_size:
                FUZZ_CHECK(data.size() == 2);
                expected.maximum_segment_size = load_be16(data.data());
                break;
            case TcpOptionKind::window_scale: {
                FUZZ_CHECK(data.size() == 1);
                auto shift = std::to_integer<std::uint8_t>(data.data()[0]);
                expected.window_scale_clamped = shift > TcpOptions::max_window_scale;
                expected.window_scale = std::min(shift, TcpOptions::max_window_scale);
                break;
            }
            case TcpOptionKind::sack_permitted:
                FUZZ_CHECK(data.empty());
                expected.sack_permitted = true;
                break;
            case TcpOptionKind::timestamps:
                FUZZ_CHECK(data.size() == 8);
                expected.timestamps =
                    TcpTimestamps{load_be32(data.data()), load_be32(data.data() + 4)};
                break;
            case TcpOptionKind::sack:
                FUZZ_CHECK(data.size() % 8 == 0 && data.size() >= 8 && data.size() <= 32);
                expected.sack_blocks = {};
                expected.sack_block_count = data.size() / 8;
                for (std::size_t i = 0; i < expected.sack_block_count; ++i) {
                    expected.sack_blocks[i] =
                        TcpSackBlock{SequenceNumber{load_be32(data.data() + 8 * i)},
                                     SequenceNumber{load_be32(data.data() + 8 * i + 4)}};
                }
                break;
            default:
                break;
        }
    }
}

// The options written into a buffer one byte too small: refused, as the
// stack's send path relies on.
void check_options_no_room(const TcpOptions& options) {
    std::size_t size = tcp_options_size(options);
    if (size == 0 || size > TcpSegment::max_options_size) {
        return;
    }
    std::vector<std::byte> out(size - 1);
    auto emitted = emit_tcp_options(MutableByteView{out}, options);
    FUZZ_CHECK(emitted.is_error() && emitted.error() == WireError::no_room);
}

// Prepending the header to the payload in a packet buffer (the stack's send
// path) writes the same bytes as emit() into one buffer.
void check_prepend(const TcpSegment& segment, ByteView emitted, Ipv4Address source,
                   Ipv4Address destination) {
    std::vector<std::byte> storage(emitted.size() + 8);
    const std::size_t header_size =
        TcpSegment::emitted_size(segment.options().size(), segment.payload().size()) -
        segment.payload().size();
    PacketBuffer packet{MutableByteView{storage}, header_size + 8};
    auto body = packet.append(segment.payload().size());
    FUZZ_CHECK(body.has_value());
    FUZZ_CHECK(body->copy_from(0, segment.payload()));
    auto prepended =
        TcpSegment::prepend(packet, segment.fields(), segment.options(), source, destination);
    FUZZ_CHECK(prepended.has_value());
    FUZZ_CHECK(ByteView{packet.data()} == emitted);
    FUZZ_CHECK(packet.headroom() == 8);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteView input = oasis::fuzz::input_bytes(data, size);
    constexpr std::size_t addresses_size = 2 * Ipv4Address::size;
    if (size < addresses_size) {
        return 0;
    }
    Ipv4Address source = load_ipv4_address(input.data());
    Ipv4Address destination = load_ipv4_address(input.data() + Ipv4Address::size);
    ByteView bytes{input.span().subspan(addresses_size)};

    auto segment = TcpSegment::parse(bytes, source, destination, ChecksumPolicy::skip);
    auto verified = TcpSegment::parse(bytes, source, destination);
    if (segment.is_error()) {
        FUZZ_CHECK(verified.is_error());
        // The checksum is checked before the options.
        FUZZ_CHECK(verified.error() == segment.error() ||
                   (segment.error() == WireError::bad_option &&
                    verified.error() == WireError::bad_checksum));
        return 0;
    }
    consume(segment->source_port());
    consume(segment->destination_port());
    consume(segment->sequence_number());
    consume(segment->acknowledgment_number());
    consume(segment->window());
    consume(segment->urgent_pointer());
    consume(segment->flags());
    FUZZ_CHECK(segment->segment().size() == bytes.size());
    FUZZ_CHECK(segment->header_size() >= TcpSegment::min_header_size);
    FUZZ_CHECK(segment->header_size() <= TcpSegment::max_header_size);
    FUZZ_CHECK(segment->header_size() <= bytes.size());
    FUZZ_CHECK(segment->options().size() + TcpSegment::min_header_size == segment->header_size());
    FUZZ_CHECK(segment->header_size() + segment->payload().size() == bytes.size());
    bool valid = segment->checksum_valid(source, destination);
    FUZZ_CHECK(verified.has_value() == valid);

    // parse() has walked the options once; a second walk ends cleanly too.
    TcpOptionIterator iterator{segment->options()};
    for (;;) {
        auto option = iterator.next();
        FUZZ_CHECK(option.has_value());
        if (!*option) {
            break;
        }
        consume((*option)->kind);
        FUZZ_CHECK((*option)->data.size() + 2 <= segment->options().size());
    }
    auto options = parse_tcp_options(segment->options());
    FUZZ_CHECK(options.has_value());
    FUZZ_CHECK(*options == walk_options(segment->options()));
    check_options_round_trip(*options);
    check_options_no_room(*options);

    // Emitting the same fields, options and payload gives a segment that
    // verifies and differs from the original at most in the reserved bits
    // (emitted as zero) and the checksum.
    std::vector<std::byte> copy(bytes.size());
    auto emitted = TcpSegment::emit(MutableByteView{copy}, segment->fields(), segment->options(),
                                    segment->payload(), source, destination);
    FUZZ_CHECK(emitted.has_value() && *emitted == bytes.size());
    auto reparsed = TcpSegment::parse(ByteView{copy}, source, destination);
    FUZZ_CHECK(reparsed.has_value());
    FUZZ_CHECK(reparsed->fields() == segment->fields());
    FUZZ_CHECK(reparsed->options() == segment->options());
    FUZZ_CHECK(reparsed->payload() == segment->payload());
    FUZZ_CHECK(reparsed->reserved() == 0);
    check_prepend(*segment, ByteView{copy}, source, destination);
    if (segment->reserved() == 0) {
        std::vector<std::byte> original = oasis::fuzz::copy_bytes(bytes);
        // Only the checksum field may differ: when it was wrong, or when it
        // held 0xffff, the other ones' complement form of the 0x0000 that
        // emit() computes (RFC 1624 §3), which verifies just as well.
        if (!valid || segment->checksum() == 0xffff) {
            store_be16(original.data() + 16, reparsed->checksum());
        }
        FUZZ_CHECK(ByteView{copy} == ByteView{original});
    }
    return 0;
}
