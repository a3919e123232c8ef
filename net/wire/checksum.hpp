// The internet checksum (RFC 1071) and its incremental update (RFC 1624).
#pragma once

#include <cstdint>

#include "core/buffer.hpp"

namespace oasis::net {

// The one's complement sum of `bytes` read as big-endian 16-bit words, a last
// odd byte padded with a zero (RFC 1071 §1), folded to 16 bits and not
// complemented. It is 0 only when every byte is 0. The start may have any
// alignment; eight bytes are summed per step (RFC 1071 §2 (C)).
std::uint16_t ones_complement_sum(ByteView bytes);

// The value for a checksum field that covers `bytes` (the complement of their
// sum), computed with the field itself zeroed. Over bytes that include a
// correct checksum field the result is 0, which is how receivers verify.
std::uint16_t internet_checksum(ByteView bytes);

// A checksum over several pieces: a pseudo-header, a header, a payload that
// lives elsewhere. Pieces may have odd lengths; the next piece continues at
// the odd byte, as if they were contiguous.
class InternetChecksum {
public:
    void add(ByteView bytes);
    // Integers in network byte order, as if their big-endian bytes were added.
    void add_u16(std::uint16_t value);
    void add_u32(std::uint32_t value);

    // The folded sum so far, not complemented.
    std::uint16_t sum() const;
    // The value for the checksum field: the complement of sum(). It is 0 over
    // data that includes a correct checksum field.
    std::uint16_t finish() const { return static_cast<std::uint16_t>(~sum()); }

private:
    // Folded 16-bit sums of the pieces, byte-aligned as words of the whole;
    // 64 bits cannot overflow before 2^48 pieces.
    std::uint64_t m_sum = 0;
    // Whether an odd number of bytes has been added: the next byte is the low
    // half of a word.
    bool m_odd = false;
};

// RFC 1624 §3 (eqn. 3): the new checksum field value after a 16-bit word
// covered by `checksum` changes from `old_value` to `new_value`, without
// summing the message again: HC' = ~(~HC + ~m + m'). Unlike RFC 1141's
// formula it never yields 0xffff where a full recomputation yields 0 (§4).
constexpr std::uint16_t update_checksum(std::uint16_t checksum, std::uint16_t old_value,
                                        std::uint16_t new_value) {
    std::uint32_t sum = static_cast<std::uint16_t>(~checksum);
    sum += static_cast<std::uint16_t>(~old_value);
    sum += new_value;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

// The same for a 32-bit field at an even offset (an IPv4 address): two words.
constexpr std::uint16_t update_checksum32(std::uint16_t checksum, std::uint32_t old_value,
                                          std::uint32_t new_value) {
    std::uint32_t sum = static_cast<std::uint16_t>(~checksum);
    sum += static_cast<std::uint16_t>(~(old_value >> 16));
    sum += static_cast<std::uint16_t>(~old_value);
    sum += new_value >> 16;
    sum += new_value & 0xffff;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

}  // namespace oasis::net
