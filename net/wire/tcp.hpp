// TCP segments (RFC 9293 §3.1) over IPv4: sequence numbers, parse, options, emit.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/buffer.hpp"
#include "core/packet.hpp"
#include "core/result.hpp"
#include "net/wire/address.hpp"
#include "net/wire/error.hpp"
#include "net/wire/ipv4.hpp"

namespace oasis::net {

// A 32-bit sequence number compared modulo 2^32 (RFC 9293 §3.4; RFC 1982
// §3.2): `a < b` when b lies less than 2^31 ahead of a, so comparisons keep
// working across the wrap. Two numbers exactly 2^31 apart compare as each
// below the other; TCP windows (at most 2^30, RFC 7323 §2.3) never get there.
// Not totally ordered, so there is deliberately no operator<=>.
class SequenceNumber {
public:
    constexpr SequenceNumber() = default;
    constexpr explicit SequenceNumber(std::uint32_t value) : m_value(value) {}

    constexpr std::uint32_t value() const { return m_value; }

    // Offsets in bytes (sequence space), wrapping.
    friend constexpr SequenceNumber operator+(SequenceNumber number, std::uint32_t offset) {
        return SequenceNumber{number.m_value + offset};
    }
    friend constexpr SequenceNumber operator-(SequenceNumber number, std::uint32_t offset) {
        return SequenceNumber{number.m_value - offset};
    }
    constexpr SequenceNumber& operator+=(std::uint32_t offset) {
        m_value += offset;
        return *this;
    }
    constexpr SequenceNumber& operator-=(std::uint32_t offset) {
        m_value -= offset;
        return *this;
    }

    // How far `left` lies ahead of `right` (negative when behind), the
    // difference taken modulo 2^32 into [-2^31, 2^31).
    friend constexpr std::int32_t operator-(SequenceNumber left, SequenceNumber right) {
        return static_cast<std::int32_t>(left.m_value - right.m_value);
    }

    friend constexpr bool operator==(SequenceNumber, SequenceNumber) = default;
    friend constexpr bool operator<(SequenceNumber left, SequenceNumber right) {
        return left - right < 0;
    }
    friend constexpr bool operator<=(SequenceNumber left, SequenceNumber right) {
        return left - right <= 0;
    }
    friend constexpr bool operator>(SequenceNumber left, SequenceNumber right) {
        return right < left;
    }
    friend constexpr bool operator>=(SequenceNumber left, SequenceNumber right) {
        return right <= left;
    }

private:
    std::uint32_t m_value = 0;
};

// The control bits (RFC 9293 §3.1; ECE and CWR from RFC 3168 §23.2).
enum class TcpFlag : std::uint8_t {
    fin = 0x01,
    syn = 0x02,
    rst = 0x04,
    psh = 0x08,
    ack = 0x10,
    urg = 0x20,
    ece = 0x40,
    cwr = 0x80,
};

// A set of control bits.
class TcpFlags {
public:
    constexpr TcpFlags() = default;
    constexpr explicit TcpFlags(std::uint8_t bits) : m_bits(bits) {}
    // Implicit, so that one flag reads as a set: `fields.flags = TcpFlag::syn`.
    constexpr TcpFlags(TcpFlag flag) : m_bits(static_cast<std::uint8_t>(flag)) {}

    constexpr std::uint8_t bits() const { return m_bits; }
    constexpr bool has(TcpFlag flag) const {
        return (m_bits & static_cast<std::uint8_t>(flag)) != 0;
    }

    friend constexpr TcpFlags operator|(TcpFlags left, TcpFlags right) {
        return TcpFlags{static_cast<std::uint8_t>(left.m_bits | right.m_bits)};
    }
    friend constexpr bool operator==(TcpFlags, TcpFlags) = default;

private:
    std::uint8_t m_bits = 0;
};

constexpr TcpFlags operator|(TcpFlag left, TcpFlag right) {
    return TcpFlags{left} | TcpFlags{right};
}

// Option kinds (RFC 9293 §3.2; RFC 7323; RFC 2018; IANA "TCP Option Kind
// Numbers").
enum class TcpOptionKind : std::uint8_t {
    end_of_list = 0,
    no_operation = 1,
    maximum_segment_size = 2,  // length 4, RFC 9293 §3.2
    window_scale = 3,          // length 3, RFC 7323 §2.2
    sack_permitted = 4,        // length 2, RFC 2018 §2
    sack = 5,                  // length 2 + 8n, RFC 2018 §3
    timestamps = 8,            // length 10, RFC 7323 §3.2
};

// One option with a length byte; `data` follows the kind and length bytes.
struct TcpOption {
    TcpOptionKind kind;
    ByteView data;
};

// Walks the options of a segment. End of List stops the walk (what follows is
// padding) and No Operation bytes are consumed silently, so next() yields only
// options with a length byte; unknown kinds are yielded for the caller to skip.
//
// Contract: next() never reads outside `options`. An option whose length byte
// is missing, below 2 (it counts the kind and length bytes), runs past the
// end, or differs from the fixed length of a kind listed above (SACK: 2 + 8n
// with n from 1 to 4, RFC 2018 §3) is refused with bad_option, and so is
// every later call: the walk cannot resynchronise after a bad length.
class TcpOptionIterator {
public:
    explicit TcpOptionIterator(ByteView options) : m_options(options) {}

    // The next option, std::nullopt at the end, or bad_option.
    Result<std::optional<TcpOption>, WireError> next();

private:
    ByteView m_options;
    std::size_t m_position = 0;
    bool m_failed = false;
};

// One SACK block: the received bytes from `left` up to, not including, `right`.
struct TcpSackBlock {
    SequenceNumber left;
    SequenceNumber right;

    friend constexpr bool operator==(const TcpSackBlock&, const TcpSackBlock&) = default;
};

struct TcpTimestamps {
    std::uint32_t value = 0;
    std::uint32_t echo_reply = 0;

    friend constexpr bool operator==(const TcpTimestamps&, const TcpTimestamps&) = default;
};

// The options TCP understands, as parse_tcp_options() found them or as
// emit_tcp_options() should write them. When an option appears twice the
// last one counts. Values are as sent: an MSS of 0 is reported as 0, and the
// TCP layer decides what to make of it.
struct TcpOptions {
    static constexpr std::size_t max_sack_blocks = 4;
    // RFC 7323 §2.3: a shift above 14 is used as 14.
    static constexpr std::uint8_t max_window_scale = 14;

    std::optional<std::uint16_t> maximum_segment_size;
    // Already clamped to 14; `window_scale_clamped` says the peer sent more.
    std::optional<std::uint8_t> window_scale;
    bool window_scale_clamped = false;
    bool sack_permitted = false;
    std::optional<TcpTimestamps> timestamps;
    std::array<TcpSackBlock, max_sack_blocks> sack_blocks{};
    std::size_t sack_block_count = 0;

    std::span<const TcpSackBlock> sack() const {
        return std::span{sack_blocks}.first(sack_block_count);
    }

    friend bool operator==(const TcpOptions&, const TcpOptions&) = default;
};

// Walks `options` with TcpOptionIterator and collects what it knows; unknown
// kinds are skipped. Errors: bad_option, as TcpOptionIterator.
Result<TcpOptions, WireError> parse_tcp_options(ByteView options);

// The bytes emit_tcp_options() writes for `options`, padding included: a
// multiple of 4.
std::size_t tcp_options_size(const TcpOptions& options);

// Writes `options` in the order and layout Linux uses (MSS; SACK-permitted
// with timestamps, or NOP NOP before either alone; NOP and window scale; NOP
// NOP and SACK blocks), so every option is aligned and the whole is a
// multiple of 4 bytes. Returns the bytes written, tcp_options_size().
// Errors: no_room (`out` too small); bad_option (more than 40 bytes, or more
// than 4 SACK blocks).
Result<std::size_t, WireError> emit_tcp_options(MutableByteView out, const TcpOptions& options);

// What an emitted header says, options and checksum aside.
struct TcpFields {
    std::uint16_t source_port = 0;
    std::uint16_t destination_port = 0;
    SequenceNumber sequence_number{};
    SequenceNumber acknowledgment_number{};
    TcpFlags flags{};
    std::uint16_t window = 0;
    std::uint16_t urgent_pointer = 0;

    friend bool operator==(const TcpFields&, const TcpFields&) = default;
};

// A view of one TCP segment: the header, its options and its payload. TCP
// has no length field: the segment is all of what IPv4 carried.
//
// parse() checks every length once; every accessor is in bounds after that.
class TcpSegment {
public:
    static constexpr std::size_t min_header_size = 20;
    static constexpr std::size_t max_header_size = 60;
    static constexpr std::size_t max_options_size = max_header_size - min_header_size;
    // The pseudo-header's length field is 16 bits.
    static constexpr std::size_t max_segment_size = 65535;

    // Errors, in the order they are checked:
    //   truncated          fewer than 20 bytes
    //   bad_length         more than 65535 bytes
    //   bad_header_length  data offset < 5, or the header longer than the buffer
    //   bad_checksum       the checksum over the IPv4 pseudo-header does not
    //                      verify (policy verify); TCP's is never optional
    //   bad_option         see TcpOptionIterator
    static Result<TcpSegment, WireError> parse(ByteView segment, Ipv4Address source,
                                               Ipv4Address destination,
                                               ChecksumPolicy checksum = ChecksumPolicy::verify);

    std::uint16_t source_port() const;
    std::uint16_t destination_port() const;
    SequenceNumber sequence_number() const;
    SequenceNumber acknowledgment_number() const;
    // The header length in 32-bit words, 5 to 15.
    std::uint8_t data_offset() const;
    std::size_t header_size() const { return std::size_t{data_offset()} * 4; }
    // The 4 reserved bits between data offset and flags (RFC 9293 §3.1),
    // which a receiver ignores.
    std::uint8_t reserved() const;
    TcpFlags flags() const;
    bool fin() const { return flags().has(TcpFlag::fin); }
    bool syn() const { return flags().has(TcpFlag::syn); }
    bool rst() const { return flags().has(TcpFlag::rst); }
    bool psh() const { return flags().has(TcpFlag::psh); }
    bool ack() const { return flags().has(TcpFlag::ack); }
    bool urg() const { return flags().has(TcpFlag::urg); }
    bool ece() const { return flags().has(TcpFlag::ece); }
    bool cwr() const { return flags().has(TcpFlag::cwr); }
    std::uint16_t window() const;
    std::uint16_t checksum() const;
    std::uint16_t urgent_pointer() const;
    bool checksum_valid(Ipv4Address source, Ipv4Address destination) const;
    // Everything but options and checksum, as emit() takes it.
    TcpFields fields() const;

    // The raw options, possibly padded; walk them with TcpOptionIterator or
    // parse_tcp_options().
    ByteView options() const;
    ByteView payload() const { return ByteView{m_bytes.span().subspan(header_size())}; }
    ByteView segment() const { return m_bytes; }

    // The size emit() writes: 20 bytes, the options padded to 4, the payload.
    static std::size_t emitted_size(std::size_t options_size, std::size_t payload_size);

    // Writes a segment into the first emitted_size() bytes of `segment`: the
    // header, `options` padded with End of List bytes to a multiple of 4,
    // `payload` (it may already be in place, or overlap) and the checksum
    // over the IPv4 pseudo-header. `options` must not lie inside `segment`.
    // Returns the bytes written. Errors:
    // bad_option (options over 40 bytes); bad_length (the segment over 65535
    // bytes); no_room (`segment` too small).
    static Result<std::size_t, WireError> emit(MutableByteView segment, const TcpFields& fields,
                                               ByteView options, ByteView payload,
                                               Ipv4Address source, Ipv4Address destination);
    // Prepends a header with `options` to the payload in `packet` and emits it
    // as above. The packet is unchanged on error.
    static Result<void, WireError> prepend(PacketBuffer& packet, const TcpFields& fields,
                                           ByteView options, Ipv4Address source,
                                           Ipv4Address destination);

private:
    explicit TcpSegment(ByteView bytes) : m_bytes(bytes) {}

    ByteView m_bytes;
};

}  // namespace oasis::net
