// IPv4 headers: parse, walk options, emit, change fields in place.
#include "net/wire/ipv4.hpp"

#include <algorithm>

#include "core/endian.hpp"
#include "core/panic.hpp"

namespace oasis::net {
namespace {

// Field offsets (RFC 791 §3.1).
constexpr std::size_t version_ihl_offset = 0;
constexpr std::size_t type_of_service_offset = 1;
constexpr std::size_t total_length_offset = 2;
constexpr std::size_t identification_offset = 4;
constexpr std::size_t flags_fragment_offset = 6;
constexpr std::size_t ttl_offset = 8;
constexpr std::size_t protocol_offset = 9;
constexpr std::size_t checksum_offset = 10;
constexpr std::size_t source_offset = 12;
constexpr std::size_t destination_offset = 16;

static_assert(destination_offset + Ipv4Address::size == Ipv4Header::min_header_size);

constexpr std::uint16_t dont_fragment_flag = 0x4000;
constexpr std::uint16_t more_fragments_flag = 0x2000;
constexpr std::uint16_t fragment_offset_mask = 0x1fff;

std::uint8_t byte_at(ByteView bytes, std::size_t offset) {
    return std::to_integer<std::uint8_t>(bytes.data()[offset]);
}

// The checks shared by parse() and parse_quoted(): enough bytes for the fixed
// header, version 4, IHL >= 5 and the whole header present. Returns the
// header length.
Result<std::size_t, WireError> check_header(ByteView bytes) {
    if (bytes.size() < Ipv4Header::min_header_size) {
        return Error{WireError::truncated};
    }
    std::uint8_t version_ihl = byte_at(bytes, version_ihl_offset);
    if ((version_ihl >> 4) != 4) {
        return Error{WireError::bad_version};
    }
    std::size_t header_length = std::size_t{version_ihl & 0x0fu} * 4;
    if (header_length < Ipv4Header::min_header_size) {
        return Error{WireError::bad_header_length};
    }
    if (header_length > bytes.size()) {
        return Error{WireError::truncated};
    }
    return header_length;
}

Result<void, WireError> check_options(ByteView options) {
    Ipv4OptionIterator iterator{options};
    while (true) {
        auto option = TRY(iterator.next());
        if (!option) {
            return {};
        }
    }
}

}  // namespace

static_assert(Ipv4Header::min_header_size == 20);
static_assert(Ipv4Header::max_header_size == 15 * 4);

void add_ipv4_pseudo_header(InternetChecksum& checksum, Ipv4Address source, Ipv4Address destination,
                            IpProtocol protocol, std::uint16_t length) {
    checksum.add_u32(source.to_u32());
    checksum.add_u32(destination.to_u32());
    checksum.add_u16(std::uint8_t(protocol));
    checksum.add_u16(length);
}

std::uint16_t ipv4_transport_checksum(ByteView message, Ipv4Address source, Ipv4Address destination,
                                      IpProtocol protocol) {
    InternetChecksum checksum;
    add_ipv4_pseudo_header(checksum, source, destination, protocol,
                           static_cast<std::uint16_t>(message.size()));
    checksum.add(message);
    return checksum.finish();
}

Result<std::optional<Ipv4Option>, WireError> Ipv4OptionIterator::next() {
    const std::size_t size = m_options.size();
    while (!m_failed && m_position < size) {
        auto type = Ipv4OptionType{byte_at(m_options, m_position)};
        if (type == Ipv4OptionType::end_of_list) {
            m_position = size;
            break;
        }
        if (type == Ipv4OptionType::no_operation) {
            ++m_position;
            continue;
        }
        // Every other option has a length byte that counts the type and
        // length bytes too (RFC 791 §3.1, option format case 2).
        if (size - m_position < 2) {
            m_failed = true;
            break;
        }
        std::size_t length = byte_at(m_options, m_position + 1);
        if (length < 2 || length > size - m_position) {
            m_failed = true;
            break;
        }
        Ipv4Option option{type, ByteView{m_options.span().subspan(m_position + 2, length - 2)}};
        m_position += length;
        return std::optional<Ipv4Option>{option};
    }
    if (m_failed) {
        return Error{WireError::bad_option};
    }
    return std::optional<Ipv4Option>{};
}

Result<Ipv4Header, WireError> Ipv4Header::parse(ByteView packet, ChecksumPolicy checksum) {
    std::size_t header_length = TRY(check_header(packet));
    std::size_t total_length = load_be16(packet.data() + total_length_offset);
    if (total_length < header_length || total_length > packet.size()) {
        return Error{WireError::bad_total_length};
    }
    Ipv4Header header{ByteView{packet.span().first(total_length)}, header_length};
    if (checksum == ChecksumPolicy::verify && !header.checksum_valid()) {
        return Error{WireError::bad_checksum};
    }
    if (std::size_t{header.fragment_offset()} + total_length > max_total_length) {
        return Error{WireError::bad_length};
    }
    TRY(check_options(header.options()));
    return header;
}

Result<Ipv4Header, WireError> Ipv4Header::parse_quoted(ByteView quote) {
    std::size_t header_length = TRY(check_header(quote));
    std::size_t total_length = load_be16(quote.data() + total_length_offset);
    if (total_length < header_length) {
        return Error{WireError::bad_total_length};
    }
    std::size_t length = std::min(total_length, quote.size());
    std::size_t needed = header_length + std::min<std::size_t>(8, total_length - header_length);
    if (length < needed) {
        return Error{WireError::truncated};
    }
    return Ipv4Header{ByteView{quote.span().first(length)}, header_length};
}

std::uint8_t Ipv4Header::dscp() const {
    return static_cast<std::uint8_t>(byte_at(m_bytes, type_of_service_offset) >> 2);
}

std::uint8_t Ipv4Header::ecn() const {
    return static_cast<std::uint8_t>(byte_at(m_bytes, type_of_service_offset) & 0x03);
}

std::uint16_t Ipv4Header::total_length() const {
    return load_be16(m_bytes.data() + total_length_offset);
}

std::uint16_t Ipv4Header::identification() const {
    return load_be16(m_bytes.data() + identification_offset);
}

bool Ipv4Header::dont_fragment() const {
    return (load_be16(m_bytes.data() + flags_fragment_offset) & dont_fragment_flag) != 0;
}

bool Ipv4Header::more_fragments() const {
    return (load_be16(m_bytes.data() + flags_fragment_offset) & more_fragments_flag) != 0;
}

std::uint16_t Ipv4Header::fragment_offset() const {
    // At most 8191 * 8 = 65528: fits.
    return static_cast<std::uint16_t>(
        (load_be16(m_bytes.data() + flags_fragment_offset) & fragment_offset_mask) * 8);
}

std::uint8_t Ipv4Header::ttl() const {
    return byte_at(m_bytes, ttl_offset);
}

IpProtocol Ipv4Header::protocol() const {
    return IpProtocol{byte_at(m_bytes, protocol_offset)};
}

std::uint16_t Ipv4Header::checksum() const {
    return load_be16(m_bytes.data() + checksum_offset);
}

Ipv4Address Ipv4Header::source() const {
    return load_ipv4_address(m_bytes.data() + source_offset);
}

Ipv4Address Ipv4Header::destination() const {
    return load_ipv4_address(m_bytes.data() + destination_offset);
}

bool Ipv4Header::checksum_valid() const {
    return internet_checksum(header()) == 0;
}

Ipv4Fields Ipv4Header::fields() const {
    return Ipv4Fields{
        .source = source(),
        .destination = destination(),
        .protocol = protocol(),
        .ttl = ttl(),
        .dscp = dscp(),
        .ecn = ecn(),
        .identification = identification(),
        .dont_fragment = dont_fragment(),
        .more_fragments = more_fragments(),
        .fragment_offset = fragment_offset(),
        .payload_length = payload().size(),
    };
}

Result<void, WireError> Ipv4Header::emit(MutableByteView header, const Ipv4Fields& fields) {
    if (header.size() < min_header_size) {
        return Error{WireError::no_room};
    }
    if (fields.payload_length > max_total_length - min_header_size) {
        return Error{WireError::bad_length};
    }
    OASIS_ASSERT(fields.fragment_offset % 8 == 0);
    OASIS_ASSERT(fields.dscp <= 63 && fields.ecn <= 3);

    std::uint16_t flags_fragment = static_cast<std::uint16_t>(
        (fields.dont_fragment ? dont_fragment_flag : 0) |
        (fields.more_fragments ? more_fragments_flag : 0) | (fields.fragment_offset / 8));
    std::byte* bytes = header.data();
    bytes[version_ihl_offset] = std::byte{0x45};  // version 4, IHL 5: no options
    bytes[type_of_service_offset] = std::byte(fields.dscp << 2 | fields.ecn);
    store_be16(bytes + total_length_offset,
               static_cast<std::uint16_t>(min_header_size + fields.payload_length));
    store_be16(bytes + identification_offset, fields.identification);
    store_be16(bytes + flags_fragment_offset, flags_fragment);
    bytes[ttl_offset] = std::byte{fields.ttl};
    bytes[protocol_offset] = std::byte{std::uint8_t(fields.protocol)};
    store_be16(bytes + checksum_offset, 0);
    store_ipv4_address(bytes + source_offset, fields.source);
    store_ipv4_address(bytes + destination_offset, fields.destination);
    store_be16(bytes + checksum_offset,
               internet_checksum(ByteView{header.span().first(min_header_size)}));
    return {};
}

Result<void, WireError> Ipv4Header::prepend(PacketBuffer& packet, Ipv4Fields fields) {
    fields.payload_length = packet.size();
    if (fields.payload_length > max_total_length - min_header_size) {
        return Error{WireError::bad_length};
    }
    auto header = packet.prepend(min_header_size);
    if (!header) {
        return Error{WireError::no_room};
    }
    return emit(*header, fields);
}

Result<MutableIpv4Header, WireError> MutableIpv4Header::parse(MutableByteView packet,
                                                              ChecksumPolicy checksum) {
    Ipv4Header view = TRY(Ipv4Header::parse(packet, checksum));
    return MutableIpv4Header{MutableByteView{packet.span().first(view.packet().size())}, view};
}

void MutableIpv4Header::set_word(std::size_t offset, std::uint16_t value) {
    std::byte* bytes = m_bytes.data();
    std::uint16_t old_value = load_be16(bytes + offset);
    store_be16(bytes + offset, value);
    store_be16(bytes + checksum_offset,
               update_checksum(load_be16(bytes + checksum_offset), old_value, value));
}

void MutableIpv4Header::set_ttl(std::uint8_t ttl) {
    // The TTL shares a 16-bit word with the protocol.
    set_word(ttl_offset, static_cast<std::uint16_t>(ttl << 8 | std::uint8_t(m_view.protocol())));
}

void MutableIpv4Header::set_identification(std::uint16_t identification) {
    set_word(identification_offset, identification);
}

void MutableIpv4Header::set_address(std::size_t offset, Ipv4Address address) {
    std::byte* bytes = m_bytes.data();
    std::uint32_t old_value = load_be32(bytes + offset);
    store_ipv4_address(bytes + offset, address);
    store_be16(bytes + checksum_offset,
               update_checksum32(load_be16(bytes + checksum_offset), old_value, address.to_u32()));
}

void MutableIpv4Header::set_source(Ipv4Address source) {
    set_address(source_offset, source);
}

void MutableIpv4Header::set_destination(Ipv4Address destination) {
    set_address(destination_offset, destination);
}

void MutableIpv4Header::fill_checksum() {
    std::byte* bytes = m_bytes.data();
    store_be16(bytes + checksum_offset, 0);
    store_be16(bytes + checksum_offset, internet_checksum(m_view.header()));
}

}  // namespace oasis::net
