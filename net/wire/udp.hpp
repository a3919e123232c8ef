// UDP datagrams (RFC 768) over IPv4: parse, verify and emit.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/buffer.hpp"
#include "core/packet.hpp"
#include "core/result.hpp"
#include "net/wire/address.hpp"
#include "net/wire/error.hpp"

namespace oasis::net {

// A view of one UDP datagram. parse() checks the length once; every
// accessor is in bounds after that. Bytes after the length field's end (IP
// payload beyond it) are not part of datagram() or payload().
class UdpDatagram {
public:
    static constexpr std::size_t header_size = 8;
    static constexpr std::size_t max_payload_size = 65535 - header_size;

    // Errors: truncated (fewer than 8 bytes); bad_length (the length field
    // below 8 or beyond the buffer). The checksum is not looked at: it needs
    // the IP addresses.
    static Result<UdpDatagram, WireError> parse(ByteView datagram);
    // parse(), then the checksum with the IPv4 pseudo-header: bad_checksum if
    // it is present and does not verify. A zero checksum field means the
    // sender computed none, which RFC 768 allows over IPv4; it is accepted.
    static Result<UdpDatagram, WireError> parse(ByteView datagram, Ipv4Address source,
                                                Ipv4Address destination);

    std::uint16_t source_port() const;
    std::uint16_t destination_port() const;
    std::uint16_t length() const;
    std::uint16_t checksum() const;
    // False when the sender sent no checksum (a zero field).
    bool has_checksum() const { return checksum() != 0; }
    // True when there is no checksum, or it verifies over the pseudo-header.
    bool checksum_valid(Ipv4Address source, Ipv4Address destination) const;

    ByteView payload() const { return ByteView{m_bytes.span().subspan(header_size)}; }
    // Header and payload: length() bytes.
    ByteView datagram() const { return m_bytes; }

    // Writes the header into the first 8 bytes of `datagram`, whose other
    // bytes are the payload, already in place; the length is datagram.size().
    // The checksum is always computed (RFC 1122 §4.1.3.4), and one that
    // comes out as 0 is sent as 0xffff, its other one's complement form,
    // since 0 means "none" (RFC 768). Errors: no_room (fewer than 8 bytes);
    // bad_length (more than 65535).
    static Result<void, WireError> emit(MutableByteView datagram, std::uint16_t source_port,
                                        std::uint16_t destination_port, Ipv4Address source,
                                        Ipv4Address destination);
    // Prepends a header to the payload in `packet` and emits it as above. The
    // packet is unchanged on error.
    static Result<void, WireError> prepend(PacketBuffer& packet, std::uint16_t source_port,
                                           std::uint16_t destination_port, Ipv4Address source,
                                           Ipv4Address destination);

private:
    explicit UdpDatagram(ByteView bytes) : m_bytes(bytes) {}

    ByteView m_bytes;
};

}  // namespace oasis::net
