// TCP segments over IPv4: parse, options, verify and emit.
#include "net/wire/tcp.hpp"

#include <cstring>

#include "core/endian.hpp"
#include "net/wire/checksum.hpp"

namespace oasis::net {
namespace {

// Field offsets (RFC 9293 §3.1).
constexpr std::size_t source_port_offset = 0;
constexpr std::size_t destination_port_offset = 2;
constexpr std::size_t sequence_number_offset = 4;
constexpr std::size_t acknowledgment_number_offset = 8;
constexpr std::size_t data_offset_offset = 12;
constexpr std::size_t flags_offset = 13;
constexpr std::size_t window_offset = 14;
constexpr std::size_t checksum_offset = 16;
constexpr std::size_t urgent_pointer_offset = 18;

// Option lengths, kind and length bytes included.
constexpr std::size_t maximum_segment_size_length = 4;
constexpr std::size_t window_scale_length = 3;
constexpr std::size_t sack_permitted_length = 2;
constexpr std::size_t timestamps_length = 10;
constexpr std::size_t sack_block_size = 8;

std::uint8_t byte_at(ByteView bytes, std::size_t offset) {
    return std::to_integer<std::uint8_t>(bytes.data()[offset]);
}

// Whether `length` is right for an option of `kind`; unknown kinds take any
// length the walk has already accepted.
bool length_fits_kind(std::uint8_t kind, std::size_t length) {
    switch (TcpOptionKind{kind}) {
        case TcpOptionKind::maximum_segment_size:
            return length == maximum_segment_size_length;
        case TcpOptionKind::window_scale:
            return length == window_scale_length;
        case TcpOptionKind::sack_permitted:
            return length == sack_permitted_length;
        case TcpOptionKind::timestamps:
            return length == timestamps_length;
        case TcpOptionKind::sack: {
            std::size_t blocks = (length - 2) / sack_block_size;
            return (length - 2) % sack_block_size == 0 && blocks >= 1 &&
                   blocks <= TcpOptions::max_sack_blocks;
        }
        default:
            return true;
    }
}

void put_byte(std::byte* out, std::size_t& position, std::uint8_t value) {
    out[position++] = std::byte{value};
}

}  // namespace

static_assert(TcpSegment::min_header_size == 20);
static_assert(TcpSegment::max_options_size == 40);

Result<std::optional<TcpOption>, WireError> TcpOptionIterator::next() {
    const std::size_t size = m_options.size();
    while (!m_failed && m_position < size) {
        std::uint8_t kind = byte_at(m_options, m_position);
        if (kind == std::uint8_t(TcpOptionKind::end_of_list)) {
            m_position = size;
            break;
        }
        if (kind == std::uint8_t(TcpOptionKind::no_operation)) {
            ++m_position;
            continue;
        }
        // Every other option has a length byte counting the kind and length
        // bytes too (RFC 9293 §3.1, "Options").
        if (size - m_position < 2) {
            m_failed = true;
            break;
        }
        std::size_t length = byte_at(m_options, m_position + 1);
        if (length < 2 || length > size - m_position || !length_fits_kind(kind, length)) {
            m_failed = true;
            break;
        }
        TcpOption option{TcpOptionKind{kind},
                         ByteView{m_options.span().subspan(m_position + 2, length - 2)}};
        m_position += length;
        return std::optional<TcpOption>{option};
    }
    if (m_failed) {
        return Error{WireError::bad_option};
    }
    return std::optional<TcpOption>{};
}

Result<TcpOptions, WireError> parse_tcp_options(ByteView options) {
    TcpOptions parsed;
    TcpOptionIterator iterator{options};
    while (auto option = TRY(iterator.next())) {
        // The iterator has checked each known kind's length.
        const std::byte* data = option->data.data();
        switch (option->kind) {
            case TcpOptionKind::maximum_segment_size:
                parsed.maximum_segment_size = load_be16(data);
                break;
            case TcpOptionKind::window_scale: {
                std::uint8_t shift = std::to_integer<std::uint8_t>(data[0]);
                parsed.window_scale_clamped = shift > TcpOptions::max_window_scale;
                parsed.window_scale =
                    parsed.window_scale_clamped ? TcpOptions::max_window_scale : shift;
                break;
            }
            case TcpOptionKind::sack_permitted:
                parsed.sack_permitted = true;
                break;
            case TcpOptionKind::timestamps:
                parsed.timestamps = TcpTimestamps{load_be32(data), load_be32(data + 4)};
                break;
            case TcpOptionKind::sack: {
                // A repeated SACK option replaces the earlier one whole: no
                // blocks of the longer first one may linger past the count.
                parsed.sack_blocks = {};
                parsed.sack_block_count = option->data.size() / sack_block_size;
                for (std::size_t i = 0; i < parsed.sack_block_count; ++i) {
                    const std::byte* block = data + i * sack_block_size;
                    parsed.sack_blocks[i] = TcpSackBlock{SequenceNumber{load_be32(block)},
                                                         SequenceNumber{load_be32(block + 4)}};
                }
                break;
            }
            default:
                break;
        }
    }
    return parsed;
}

std::size_t tcp_options_size(const TcpOptions& options) {
    std::size_t size = 0;
    if (options.maximum_segment_size) {
        size += 4;
    }
    // SACK-permitted and timestamps share 12 bytes when both are present.
    if (options.timestamps) {
        size += 12;
    } else if (options.sack_permitted) {
        size += 4;
    }
    if (options.window_scale) {
        size += 4;
    }
    if (options.sack_block_count > 0) {
        size += 4 + options.sack_block_count * sack_block_size;
    }
    return size;
}

Result<std::size_t, WireError> emit_tcp_options(MutableByteView out, const TcpOptions& options) {
    if (options.sack_block_count > TcpOptions::max_sack_blocks) {
        return Error{WireError::bad_option};
    }
    const std::size_t size = tcp_options_size(options);
    if (size > TcpSegment::max_options_size) {
        return Error{WireError::bad_option};
    }
    if (out.size() < size) {
        return Error{WireError::no_room};
    }
    constexpr auto nop = std::uint8_t(TcpOptionKind::no_operation);
    std::byte* bytes = out.data();
    std::size_t position = 0;
    if (options.maximum_segment_size) {
        put_byte(bytes, position, std::uint8_t(TcpOptionKind::maximum_segment_size));
        put_byte(bytes, position, maximum_segment_size_length);
        store_be16(bytes + position, *options.maximum_segment_size);
        position += 2;
    }
    if (options.timestamps) {
        if (options.sack_permitted) {
            put_byte(bytes, position, std::uint8_t(TcpOptionKind::sack_permitted));
            put_byte(bytes, position, sack_permitted_length);
        } else {
            put_byte(bytes, position, nop);
            put_byte(bytes, position, nop);
        }
        put_byte(bytes, position, std::uint8_t(TcpOptionKind::timestamps));
        put_byte(bytes, position, timestamps_length);
        store_be32(bytes + position, options.timestamps->value);
        store_be32(bytes + position + 4, options.timestamps->echo_reply);
        position += 8;
    } else if (options.sack_permitted) {
        put_byte(bytes, position, nop);
        put_byte(bytes, position, nop);
        put_byte(bytes, position, std::uint8_t(TcpOptionKind::sack_permitted));
        put_byte(bytes, position, sack_permitted_length);
    }
    if (options.window_scale) {
        put_byte(bytes, position, nop);
        put_byte(bytes, position, std::uint8_t(TcpOptionKind::window_scale));
        put_byte(bytes, position, window_scale_length);
        put_byte(bytes, position, *options.window_scale);
    }
    if (options.sack_block_count > 0) {
        put_byte(bytes, position, nop);
        put_byte(bytes, position, nop);
        put_byte(bytes, position, std::uint8_t(TcpOptionKind::sack));
        put_byte(bytes, position,
                 static_cast<std::uint8_t>(2 + options.sack_block_count * sack_block_size));
        for (const TcpSackBlock& block : options.sack()) {
            store_be32(bytes + position, block.left.value());
            store_be32(bytes + position + 4, block.right.value());
            position += sack_block_size;
        }
    }
    OASIS_ASSERT(position == size);
    return size;
}

Result<TcpSegment, WireError> TcpSegment::parse(ByteView segment, Ipv4Address source,
                                                Ipv4Address destination, ChecksumPolicy checksum) {
    if (segment.size() < min_header_size) {
        return Error{WireError::truncated};
    }
    if (segment.size() > max_segment_size) {
        return Error{WireError::bad_length};
    }
    std::size_t header_length = (std::size_t{byte_at(segment, data_offset_offset)} >> 4) * 4;
    if (header_length < min_header_size || header_length > segment.size()) {
        return Error{WireError::bad_header_length};
    }
    TcpSegment parsed{segment};
    if (checksum == ChecksumPolicy::verify && !parsed.checksum_valid(source, destination)) {
        return Error{WireError::bad_checksum};
    }
    TcpOptionIterator options{parsed.options()};
    while (TRY(options.next())) {
    }
    return parsed;
}

std::uint16_t TcpSegment::source_port() const {
    return load_be16(m_bytes.data() + source_port_offset);
}

std::uint16_t TcpSegment::destination_port() const {
    return load_be16(m_bytes.data() + destination_port_offset);
}

SequenceNumber TcpSegment::sequence_number() const {
    return SequenceNumber{load_be32(m_bytes.data() + sequence_number_offset)};
}

SequenceNumber TcpSegment::acknowledgment_number() const {
    return SequenceNumber{load_be32(m_bytes.data() + acknowledgment_number_offset)};
}

std::uint8_t TcpSegment::data_offset() const {
    return static_cast<std::uint8_t>(byte_at(m_bytes, data_offset_offset) >> 4);
}

std::uint8_t TcpSegment::reserved() const {
    return static_cast<std::uint8_t>(byte_at(m_bytes, data_offset_offset) & 0x0f);
}

TcpFlags TcpSegment::flags() const {
    return TcpFlags{byte_at(m_bytes, flags_offset)};
}

std::uint16_t TcpSegment::window() const {
    return load_be16(m_bytes.data() + window_offset);
}

std::uint16_t TcpSegment::checksum() const {
    return load_be16(m_bytes.data() + checksum_offset);
}

std::uint16_t TcpSegment::urgent_pointer() const {
    return load_be16(m_bytes.data() + urgent_pointer_offset);
}

bool TcpSegment::checksum_valid(Ipv4Address source, Ipv4Address destination) const {
    return ipv4_transport_checksum(m_bytes, source, destination, IpProtocol::tcp) == 0;
}

TcpFields TcpSegment::fields() const {
    return TcpFields{
        .source_port = source_port(),
        .destination_port = destination_port(),
        .sequence_number = sequence_number(),
        .acknowledgment_number = acknowledgment_number(),
        .flags = flags(),
        .window = window(),
        .urgent_pointer = urgent_pointer(),
    };
}

ByteView TcpSegment::options() const {
    return ByteView{m_bytes.span().subspan(min_header_size, header_size() - min_header_size)};
}

std::size_t TcpSegment::emitted_size(std::size_t options_size, std::size_t payload_size) {
    return min_header_size + (options_size + 3) / 4 * 4 + payload_size;
}

Result<std::size_t, WireError> TcpSegment::emit(MutableByteView segment, const TcpFields& fields,
                                                ByteView options, ByteView payload,
                                                Ipv4Address source, Ipv4Address destination) {
    if (options.size() > max_options_size) {
        return Error{WireError::bad_option};
    }
    if (payload.size() > max_segment_size) {
        return Error{WireError::bad_length};
    }
    const std::size_t header_length = emitted_size(options.size(), 0);
    const std::size_t size = header_length + payload.size();
    if (size > max_segment_size) {
        return Error{WireError::bad_length};
    }
    if (segment.size() < size) {
        return Error{WireError::no_room};
    }
    MutableByteView out{segment.span().first(size)};
    // The payload first: it may be in place already, or overlap the header.
    if (!out.copy_from(header_length, payload)) {
        return Error{WireError::no_room};
    }
    std::byte* bytes = out.data();
    store_be16(bytes + source_port_offset, fields.source_port);
    store_be16(bytes + destination_port_offset, fields.destination_port);
    store_be32(bytes + sequence_number_offset, fields.sequence_number.value());
    store_be32(bytes + acknowledgment_number_offset, fields.acknowledgment_number.value());
    bytes[data_offset_offset] = std::byte{static_cast<std::uint8_t>((header_length / 4) << 4)};
    bytes[flags_offset] = std::byte{fields.flags.bits()};
    store_be16(bytes + window_offset, fields.window);
    store_be16(bytes + checksum_offset, 0);
    store_be16(bytes + urgent_pointer_offset, fields.urgent_pointer);
    if (!options.empty()) {
        std::memmove(bytes + min_header_size, options.data(), options.size());
    }
    // Pad with End of List (RFC 9293 §3.1: the padding is zeros).
    for (std::size_t i = min_header_size + options.size(); i < header_length; ++i) {
        bytes[i] = std::byte{0};
    }
    store_be16(bytes + checksum_offset,
               ipv4_transport_checksum(out, source, destination, IpProtocol::tcp));
    return size;
}

Result<void, WireError> TcpSegment::prepend(PacketBuffer& packet, const TcpFields& fields,
                                            ByteView options, Ipv4Address source,
                                            Ipv4Address destination) {
    if (options.size() > max_options_size) {
        return Error{WireError::bad_option};
    }
    const std::size_t header_length = emitted_size(options.size(), 0);
    if (packet.size() + header_length > max_segment_size) {
        return Error{WireError::bad_length};
    }
    if (!packet.prepend(header_length)) {
        return Error{WireError::no_room};
    }
    MutableByteView segment = packet.data();
    ByteView payload{segment.span().subspan(header_length)};
    TRY(emit(segment, fields, options, payload, source, destination));
    return {};
}

}  // namespace oasis::net
