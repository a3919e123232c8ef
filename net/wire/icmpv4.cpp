// ICMP for IPv4: parse and emit.
#include "net/wire/icmpv4.hpp"

#include <algorithm>

#include "core/endian.hpp"
#include "core/panic.hpp"
#include "net/wire/checksum.hpp"

namespace oasis::net {
namespace {

// Field offsets (RFC 792).
constexpr std::size_t type_offset = 0;
constexpr std::size_t code_offset = 1;
constexpr std::size_t checksum_offset = 2;
constexpr std::size_t rest_offset = 4;
constexpr std::size_t identifier_offset = 4;
constexpr std::size_t sequence_offset = 6;
constexpr std::size_t pointer_offset = 4;
constexpr std::size_t next_hop_mtu_offset = 6;
constexpr std::size_t gateway_offset = 4;

// Writes the header and the checksum over all of `message`.
void write_header(MutableByteView message, Icmpv4Type type, std::uint8_t code,
                  std::uint32_t rest_of_header) {
    std::byte* bytes = message.data();
    bytes[type_offset] = std::byte{std::uint8_t(type)};
    bytes[code_offset] = std::byte{code};
    store_be16(bytes + checksum_offset, 0);
    store_be32(bytes + rest_offset, rest_of_header);
    store_be16(bytes + checksum_offset, internet_checksum(message));
}

}  // namespace

static_assert(Icmpv4Message::header_size == 8);
static_assert(Icmpv4Message::max_error_size == 556);

Result<Icmpv4Message, WireError> Icmpv4Message::parse(ByteView message, ChecksumPolicy checksum) {
    if (message.size() < header_size) {
        return Error{WireError::truncated};
    }
    Icmpv4Message parsed{message};
    if (checksum == ChecksumPolicy::verify && !parsed.checksum_valid()) {
        return Error{WireError::bad_checksum};
    }
    return parsed;
}

Icmpv4Type Icmpv4Message::type() const {
    return Icmpv4Type{std::to_integer<std::uint8_t>(m_bytes.data()[type_offset])};
}

std::uint8_t Icmpv4Message::code() const {
    return std::to_integer<std::uint8_t>(m_bytes.data()[code_offset]);
}

std::uint16_t Icmpv4Message::checksum() const {
    return load_be16(m_bytes.data() + checksum_offset);
}

std::uint32_t Icmpv4Message::rest_of_header() const {
    return load_be32(m_bytes.data() + rest_offset);
}

std::uint16_t Icmpv4Message::identifier() const {
    return load_be16(m_bytes.data() + identifier_offset);
}

std::uint16_t Icmpv4Message::sequence_number() const {
    return load_be16(m_bytes.data() + sequence_offset);
}

std::uint8_t Icmpv4Message::pointer() const {
    return std::to_integer<std::uint8_t>(m_bytes.data()[pointer_offset]);
}

std::uint16_t Icmpv4Message::next_hop_mtu() const {
    return load_be16(m_bytes.data() + next_hop_mtu_offset);
}

Ipv4Address Icmpv4Message::gateway() const {
    return load_ipv4_address(m_bytes.data() + gateway_offset);
}

bool Icmpv4Message::checksum_valid() const {
    return internet_checksum(m_bytes) == 0;
}

bool Icmpv4Message::is_error() const {
    switch (type()) {
        case Icmpv4Type::destination_unreachable:
        case Icmpv4Type::source_quench:
        case Icmpv4Type::redirect:
        case Icmpv4Type::time_exceeded:
        case Icmpv4Type::parameter_problem:
            return true;
        default:
            return false;
    }
}

Result<Ipv4Header, WireError> Icmpv4Message::quoted_datagram() const {
    if (!is_error()) {
        return Error{WireError::unsupported};
    }
    return Ipv4Header::parse_quoted(data());
}

Result<void, WireError> Icmpv4Message::emit_echo(MutableByteView message, Icmpv4Type type,
                                                 std::uint16_t identifier,
                                                 std::uint16_t sequence_number) {
    OASIS_ASSERT(type == Icmpv4Type::echo_request || type == Icmpv4Type::echo_reply);
    if (message.size() < header_size) {
        return Error{WireError::no_room};
    }
    write_header(message, type, 0, static_cast<std::uint32_t>(identifier) << 16 | sequence_number);
    return {};
}

Result<void, WireError> Icmpv4Message::echo_reply_in_place(MutableByteView message) {
    if (message.size() < header_size) {
        return Error{WireError::truncated};
    }
    std::byte* bytes = message.data();
    if (bytes[type_offset] != std::byte{std::uint8_t(Icmpv4Type::echo_request)}) {
        return Error{WireError::unsupported};
    }
    // Type and code form the first 16-bit word of the checksummed message.
    std::uint16_t old_word = load_be16(bytes + type_offset);
    std::uint16_t new_word = std::uint16_t{std::uint8_t(Icmpv4Type::echo_reply)} << 8;
    store_be16(bytes + type_offset, new_word);
    std::uint16_t checksum =
        update_checksum(load_be16(bytes + checksum_offset), old_word, new_word);
    if (checksum == 0) {
        // RFC 1624's update yields 0x0000 where a message whose words sum to
        // zero (all zero: id 0, sequence 0, no data) needs 0xffff; such a
        // reply would fail verification at the peer. Recompute in full.
        store_be16(bytes + checksum_offset, 0);
        checksum = internet_checksum(message);
    }
    store_be16(bytes + checksum_offset, checksum);
    return {};
}

Result<std::size_t, WireError> Icmpv4Message::emit_error(MutableByteView out, Icmpv4Type type,
                                                         std::uint8_t code,
                                                         std::uint32_t rest_of_header,
                                                         const Ipv4Header& original) {
    ByteView datagram = original.packet();
    std::size_t minimum = std::min(datagram.size(), original.header_length() + 8);
    if (out.size() < header_size + minimum) {
        return Error{WireError::no_room};
    }
    std::size_t room = std::min(out.size(), max_error_size) - header_size;
    // room >= minimum, since max_error_size leaves room for a 60-byte header + 8.
    std::size_t quote_length = std::min(datagram.size(), room);
    std::size_t length = header_size + quote_length;
    // The quote first: `out` may overlap the original, whose bytes the
    // header could otherwise overwrite before they are copied.
    MutableByteView message{out.span().first(length)};
    (void)message.copy_from(header_size, ByteView{datagram.span().first(quote_length)});
    write_header(message, type, code, rest_of_header);
    return length;
}

Result<std::size_t, WireError> Icmpv4Message::emit_destination_unreachable(
    MutableByteView out, UnreachableCode code, const Ipv4Header& original,
    std::uint16_t next_hop_mtu) {
    return emit_error(out, Icmpv4Type::destination_unreachable, std::uint8_t(code), next_hop_mtu,
                      original);
}

Result<std::size_t, WireError> Icmpv4Message::emit_time_exceeded(MutableByteView out,
                                                                 TimeExceededCode code,
                                                                 const Ipv4Header& original) {
    return emit_error(out, Icmpv4Type::time_exceeded, std::uint8_t(code), 0, original);
}

Result<std::size_t, WireError> Icmpv4Message::emit_parameter_problem(MutableByteView out,
                                                                     std::uint8_t pointer,
                                                                     const Ipv4Header& original) {
    return emit_error(out, Icmpv4Type::parameter_problem, 0, std::uint32_t{pointer} << 24,
                      original);
}

}  // namespace oasis::net
