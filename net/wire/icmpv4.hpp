// ICMP for IPv4 (RFC 792): parse, echo, and the error messages with their quoted datagram.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/buffer.hpp"
#include "core/result.hpp"
#include "net/wire/address.hpp"
#include "net/wire/error.hpp"
#include "net/wire/ipv4.hpp"

namespace oasis::net {

// Message types (RFC 792; IANA "ICMP Type Numbers"); open-ended.
enum class Icmpv4Type : std::uint8_t {
    echo_reply = 0,
    destination_unreachable = 3,
    source_quench = 4,  // deprecated: hosts ignore it (RFC 6633 §4)
    redirect = 5,
    echo_request = 8,
    time_exceeded = 11,
    parameter_problem = 12,
    timestamp = 13,
    timestamp_reply = 14,
};

// Codes of destination unreachable (RFC 792; RFC 1122 §3.2.2.1; RFC 1812 §5.2.7.1).
enum class UnreachableCode : std::uint8_t {
    network = 0,
    host = 1,
    protocol = 2,
    port = 3,
    fragmentation_needed = 4,  // carries the next-hop MTU (RFC 1191 §4)
    source_route_failed = 5,
    network_unknown = 6,
    host_unknown = 7,
    administratively_prohibited = 13,
};

// Codes of time exceeded (RFC 792).
enum class TimeExceededCode : std::uint8_t {
    ttl_exceeded = 0,
    reassembly_timeout = 1,
};

// A view of one ICMP message: the 8-byte header (type, code, checksum and
// four type-specific bytes) and the data after it. parse() checks the length
// once; every accessor is in bounds after that.
class Icmpv4Message {
public:
    static constexpr std::size_t header_size = 8;
    // The largest error message Oasis sends: one that, with a 20-byte IP
    // header, fits in the 576 bytes every host accepts (RFC 1812 §4.3.2.3,
    // which Linux follows for hosts too).
    static constexpr std::size_t max_error_size = 576 - Ipv4Header::min_header_size;

    // Errors: truncated (fewer than 8 bytes); bad_checksum (the checksum over
    // the whole message does not verify, policy verify).
    static Result<Icmpv4Message, WireError> parse(ByteView message,
                                                  ChecksumPolicy checksum = ChecksumPolicy::verify);

    Icmpv4Type type() const;
    std::uint8_t code() const;
    std::uint16_t checksum() const;
    // The four type-specific bytes after the checksum.
    std::uint32_t rest_of_header() const;

    // Echo request and reply (RFC 792, "Echo or Echo Reply Message").
    std::uint16_t identifier() const;
    std::uint16_t sequence_number() const;
    // Parameter problem: the offset of the offending octet in the quoted datagram.
    std::uint8_t pointer() const;
    // Destination unreachable, fragmentation needed: the next hop's MTU
    // (RFC 1191 §4), 0 from routers that predate it.
    std::uint16_t next_hop_mtu() const;
    // Redirect: the gateway to use instead.
    Ipv4Address gateway() const;

    // The bytes after the 8-byte header: an echo's data, an error's quote.
    ByteView data() const { return ByteView{m_bytes.span().subspan(header_size)}; }
    ByteView message() const { return m_bytes; }

    bool checksum_valid() const;

    // Destination unreachable, source quench, redirect, time exceeded or
    // parameter problem: the messages that quote a datagram.
    bool is_error() const;
    // The datagram an error message quotes (its IP header and at least the
    // first 8 bytes of its payload), so the stack can hand the error to the
    // transport that sent it. Errors: unsupported (not an error message),
    // else those of Ipv4Header::parse_quoted().
    Result<Ipv4Header, WireError> quoted_datagram() const;

    // Writes an echo request or reply header into the first 8 bytes of
    // `message`, the echo data already in place after them, and the checksum
    // over all of `message`. Errors: no_room (shorter than 8 bytes). A type
    // other than the two echoes is a broken invariant.
    static Result<void, WireError> emit_echo(MutableByteView message, Icmpv4Type type,
                                             std::uint16_t identifier,
                                             std::uint16_t sequence_number);

    // Turns the echo request in `message` into its reply in place (RFC 792;
    // RFC 1122 §3.2.2.6: same identifier, sequence number and data): only the
    // type, code and checksum change, the checksum incrementally (RFC 1624).
    // Errors: truncated; unsupported (not an echo request).
    static Result<void, WireError> echo_reply_in_place(MutableByteView message);

    // Writes an error message about `original` into `out`: the 8-byte header
    // with `rest_of_header`, then as much of the original datagram as fits in
    // `out` and in max_error_size, and at least its header and first 8 payload
    // bytes (RFC 1122 §3.2.2). Returns the message's length. `out` may overlap
    // the original's bytes. Errors: no_room (the minimum does not fit).
    //
    // Whether to send an error at all (never about an ICMP error, a broadcast,
    // a non-first fragment; RFC 1122 §3.2.2) is the stack's decision.
    static Result<std::size_t, WireError> emit_error(MutableByteView out, Icmpv4Type type,
                                                     std::uint8_t code,
                                                     std::uint32_t rest_of_header,
                                                     const Ipv4Header& original);
    // emit_error() for destination unreachable; `next_hop_mtu` only with
    // fragmentation_needed (RFC 1191 §4).
    static Result<std::size_t, WireError> emit_destination_unreachable(
        MutableByteView out, UnreachableCode code, const Ipv4Header& original,
        std::uint16_t next_hop_mtu = 0);
    static Result<std::size_t, WireError> emit_time_exceeded(MutableByteView out,
                                                             TimeExceededCode code,
                                                             const Ipv4Header& original);
    static Result<std::size_t, WireError> emit_parameter_problem(MutableByteView out,
                                                                 std::uint8_t pointer,
                                                                 const Ipv4Header& original);

private:
    explicit Icmpv4Message(ByteView bytes) : m_bytes(bytes) {}

    ByteView m_bytes;
};

}  // namespace oasis::net
