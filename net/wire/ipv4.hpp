// IPv4 headers (RFC 791): parse, walk options, emit, and change fields in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/buffer.hpp"
#include "core/packet.hpp"
#include "core/result.hpp"
#include "net/wire/address.hpp"
#include "net/wire/checksum.hpp"
#include "net/wire/error.hpp"

namespace oasis::net {

// The protocol field (IANA "Assigned Internet Protocol Numbers"). Any 8-bit
// value may appear on the wire, so this is open-ended.
enum class IpProtocol : std::uint8_t {
    icmp = 1,
    igmp = 2,
    tcp = 6,
    udp = 17,
};

// Whether parse() checks a header checksum. `skip` is for callers that have
// verified it some other way (a device that offloads it) and for tests.
enum class ChecksumPolicy {
    verify,
    skip,
};

// Adds the IPv4 pseudo-header that UDP and TCP checksums cover (RFC 768,
// RFC 9293 §3.1): source, destination, a zero byte, the protocol and the
// transport length.
void add_ipv4_pseudo_header(InternetChecksum& checksum, Ipv4Address source, Ipv4Address destination,
                            IpProtocol protocol, std::uint16_t length);

// The UDP or TCP checksum of `message` under the pseudo-header: the field's
// value when the message's checksum field is zero, or 0 when it is filled in
// and verifies. `message` is at most 65535 bytes.
std::uint16_t ipv4_transport_checksum(ByteView message, Ipv4Address source, Ipv4Address destination,
                                      IpProtocol protocol);

// Option types (RFC 791 §3.1; IANA "IP Option Numbers"). The type byte holds
// the copied flag, the class and the number.
enum class Ipv4OptionType : std::uint8_t {
    end_of_list = 0,
    no_operation = 1,
    record_route = 7,
    timestamp = 68,
    security = 130,
    loose_source_route = 131,
    strict_source_route = 137,
    router_alert = 148,  // RFC 2113
};

// One option with a length byte; `data` follows the type and length bytes.
struct Ipv4Option {
    Ipv4OptionType type;
    ByteView data;

    // Whether a fragmenter copies the option into every fragment (RFC 791 §3.1).
    bool copied() const { return (std::uint8_t(type) & 0x80) != 0; }
};

// Walks the options of a header so that a caller can look for one it knows
// and skip the rest. End of List stops the walk (what follows is padding) and
// No Operation bytes are consumed silently, so next() yields only options
// with a length byte.
//
// Contract: next() never reads outside `options`. An option whose length
// byte is missing, below 2 (it counts the type and length bytes themselves)
// or runs past the end is refused with bad_option, and so is every later
// call: the walk cannot resynchronise after a bad length.
class Ipv4OptionIterator {
public:
    explicit Ipv4OptionIterator(ByteView options) : m_options(options) {}

    // The next option, std::nullopt at the end, or bad_option.
    Result<std::optional<Ipv4Option>, WireError> next();

private:
    ByteView m_options;
    std::size_t m_position = 0;
    bool m_failed = false;
};

// What an emitted header says. Oasis emits no options, so the header is
// always 20 bytes.
struct Ipv4Fields {
    Ipv4Address source{};
    Ipv4Address destination{};
    IpProtocol protocol = IpProtocol::udp;
    std::uint8_t ttl = 64;
    std::uint8_t dscp = 0;  // 6 bits (RFC 2474)
    std::uint8_t ecn = 0;   // 2 bits (RFC 3168)
    std::uint16_t identification = 0;
    bool dont_fragment = false;
    bool more_fragments = false;
    std::uint16_t fragment_offset = 0;  // in bytes, a multiple of 8
    std::size_t payload_length = 0;

    friend bool operator==(const Ipv4Fields&, const Ipv4Fields&) = default;
};

// A view of an IPv4 datagram: the header, its options and its payload.
//
// parse() checks every length once (RFC 791 §3.1; RFC 1122 §3.2.1): version
// 4, IHL >= 5, the header inside the buffer, the total length at least the
// header and at most the buffer, the header checksum, the options'
// structure, and that a fragment cannot end past 65535 bytes. Every accessor
// is in bounds after that. Bytes after the total length (Ethernet pads
// frames to 60 bytes) are not part of packet() or payload().
class Ipv4Header {
public:
    static constexpr std::size_t min_header_size = 20;
    static constexpr std::size_t max_header_size = 60;
    static constexpr std::size_t max_total_length = 65535;

    // Errors, in the order they are checked:
    //   truncated          fewer than 20 bytes, or fewer than IHL * 4
    //   bad_version        the version is not 4
    //   bad_header_length  IHL < 5
    //   bad_total_length   total length < IHL * 4, or > the buffer
    //   bad_checksum       the header checksum does not verify (policy verify)
    //   bad_length         fragment offset + total length > 65535: reassembly
    //                      could never produce such a datagram, and refusing it
    //                      here keeps reassembly below 64 KiB (the ping of death)
    //   bad_option         see Ipv4OptionIterator
    static Result<Ipv4Header, WireError> parse(ByteView packet,
                                               ChecksumPolicy checksum = ChecksumPolicy::verify);

    // The start of a datagram quoted in an ICMP error (RFC 792; RFC 1122
    // §3.2.2): its total length describes the original datagram, of which
    // only the header and some of the payload are here. Checks version, IHL
    // and that the header and min(8, total length - header) payload bytes —
    // enough for the transport's ports — are present. Neither the checksum
    // (a router may have changed the TTL) nor options are checked. payload()
    // is what was quoted, at most total length - header.
    static Result<Ipv4Header, WireError> parse_quoted(ByteView quote);

    std::uint8_t version() const { return 4; }
    std::size_t header_length() const { return m_header_length; }
    std::uint8_t dscp() const;
    std::uint8_t ecn() const;
    std::uint16_t total_length() const;
    std::uint16_t identification() const;
    bool dont_fragment() const;
    bool more_fragments() const;
    // In bytes (the field counts 8-byte units).
    std::uint16_t fragment_offset() const;
    // A piece of a larger datagram: more fragments follow or it is not the first.
    bool is_fragment() const { return more_fragments() || fragment_offset() != 0; }
    std::uint8_t ttl() const;
    IpProtocol protocol() const;
    std::uint16_t checksum() const;
    Ipv4Address source() const;
    Ipv4Address destination() const;

    // Whether the header checksum verifies (RFC 791 §3.1, RFC 1071).
    bool checksum_valid() const;

    ByteView header() const { return ByteView{m_bytes.span().first(m_header_length)}; }
    // The raw options, possibly padded; walk them with Ipv4OptionIterator.
    ByteView options() const {
        return ByteView{m_bytes.span().subspan(min_header_size, m_header_length - min_header_size)};
    }
    ByteView payload() const { return ByteView{m_bytes.span().subspan(m_header_length)}; }
    // Header and payload: total_length() bytes (for a quote, what is there).
    ByteView packet() const { return m_bytes; }

    Ipv4Fields fields() const;

    // Writes a 20-byte header described by `fields`, checksum included, into
    // the start of `header`. Errors: no_room (shorter than 20 bytes);
    // bad_length (20 + payload_length > 65535). A fragment offset that is not
    // a multiple of 8 or above 65528, a DSCP above 63 or an ECN above 3 is a
    // broken invariant.
    static Result<void, WireError> emit(MutableByteView header, const Ipv4Fields& fields);
    // Prepends a header for the payload already in `packet`: payload_length
    // is taken from packet.size(). The packet is unchanged on error.
    static Result<void, WireError> prepend(PacketBuffer& packet, Ipv4Fields fields);

private:
    friend class MutableIpv4Header;
    Ipv4Header(ByteView bytes, std::size_t header_length)
        : m_bytes(bytes), m_header_length(header_length) {}

    // Header and payload, trimmed to the total length.
    ByteView m_bytes;
    std::size_t m_header_length;
};

// A parsed header whose fields may be changed in place: forwarding, or
// turning a request around. Each setter updates the checksum incrementally
// (RFC 1624), so a header whose checksum verified still does.
class MutableIpv4Header {
public:
    static Result<MutableIpv4Header, WireError> parse(
        MutableByteView packet, ChecksumPolicy checksum = ChecksumPolicy::verify);

    const Ipv4Header& view() const { return m_view; }
    MutableByteView payload() const {
        return MutableByteView{m_bytes.span().subspan(m_view.header_length())};
    }

    void set_ttl(std::uint8_t ttl);
    void set_identification(std::uint16_t identification);
    void set_source(Ipv4Address source);
    void set_destination(Ipv4Address destination);
    // Recomputes the checksum from scratch (after changing header bytes directly).
    void fill_checksum();

private:
    MutableIpv4Header(MutableByteView bytes, Ipv4Header view) : m_bytes(bytes), m_view(view) {}
    void set_word(std::size_t offset, std::uint16_t value);
    void set_address(std::size_t offset, Ipv4Address address);

    // The same bytes as m_view, writable.
    MutableByteView m_bytes;
    Ipv4Header m_view;
};

}  // namespace oasis::net
