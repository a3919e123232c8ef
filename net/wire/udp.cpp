// UDP datagrams over IPv4: parse, verify and emit.
#include "net/wire/udp.hpp"

#include "core/endian.hpp"
#include "net/wire/checksum.hpp"
#include "net/wire/ipv4.hpp"

namespace oasis::net {
namespace {

// Field offsets (RFC 768).
constexpr std::size_t source_port_offset = 0;
constexpr std::size_t destination_port_offset = 2;
constexpr std::size_t length_offset = 4;
constexpr std::size_t checksum_offset = 6;

}  // namespace

static_assert(UdpDatagram::header_size == 8);

Result<UdpDatagram, WireError> UdpDatagram::parse(ByteView datagram) {
    if (datagram.size() < header_size) {
        return Error{WireError::truncated};
    }
    std::size_t length = load_be16(datagram.data() + length_offset);
    if (length < header_size || length > datagram.size()) {
        return Error{WireError::bad_length};
    }
    return UdpDatagram{ByteView{datagram.span().first(length)}};
}

Result<UdpDatagram, WireError> UdpDatagram::parse(ByteView datagram, Ipv4Address source,
                                                  Ipv4Address destination) {
    UdpDatagram parsed = TRY(parse(datagram));
    if (!parsed.checksum_valid(source, destination)) {
        return Error{WireError::bad_checksum};
    }
    return parsed;
}

std::uint16_t UdpDatagram::source_port() const {
    return load_be16(m_bytes.data() + source_port_offset);
}

std::uint16_t UdpDatagram::destination_port() const {
    return load_be16(m_bytes.data() + destination_port_offset);
}

std::uint16_t UdpDatagram::length() const {
    return load_be16(m_bytes.data() + length_offset);
}

std::uint16_t UdpDatagram::checksum() const {
    return load_be16(m_bytes.data() + checksum_offset);
}

bool UdpDatagram::checksum_valid(Ipv4Address source, Ipv4Address destination) const {
    return !has_checksum() ||
           ipv4_transport_checksum(m_bytes, source, destination, IpProtocol::udp) == 0;
}

Result<void, WireError> UdpDatagram::emit(MutableByteView datagram, std::uint16_t source_port,
                                          std::uint16_t destination_port, Ipv4Address source,
                                          Ipv4Address destination) {
    if (datagram.size() < header_size) {
        return Error{WireError::no_room};
    }
    if (datagram.size() > header_size + max_payload_size) {
        return Error{WireError::bad_length};
    }
    std::byte* bytes = datagram.data();
    store_be16(bytes + source_port_offset, source_port);
    store_be16(bytes + destination_port_offset, destination_port);
    store_be16(bytes + length_offset, static_cast<std::uint16_t>(datagram.size()));
    store_be16(bytes + checksum_offset, 0);
    std::uint16_t checksum =
        ipv4_transport_checksum(datagram, source, destination, IpProtocol::udp);
    store_be16(bytes + checksum_offset, checksum == 0 ? 0xffff : checksum);
    return {};
}

Result<void, WireError> UdpDatagram::prepend(PacketBuffer& packet, std::uint16_t source_port,
                                             std::uint16_t destination_port, Ipv4Address source,
                                             Ipv4Address destination) {
    if (packet.size() > max_payload_size) {
        return Error{WireError::bad_length};
    }
    auto header = packet.prepend(header_size);
    if (!header) {
        return Error{WireError::no_room};
    }
    return emit(packet.data(), source_port, destination_port, source, destination);
}

}  // namespace oasis::net
