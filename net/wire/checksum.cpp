// The internet checksum, summed eight bytes at a time.
#include "net/wire/checksum.hpp"

#include <bit>
#include <cstring>

namespace oasis::net {
namespace {

// One's complement addition of 64-bit words: the carry out of the top wraps
// around to the bottom. Folding such a sum to 16 bits gives the 16-bit one's
// complement sum, since 2^16 - 1 divides 2^64 - 1 (RFC 1071 §2 (C)).
inline std::uint64_t add_with_carry(std::uint64_t sum, std::uint64_t word) {
    sum += word;
    return sum + (sum < word ? 1 : 0);
}

// A 64-bit word from any address; memcpy is how C++ says "unaligned load".
inline std::uint64_t load_word(const std::byte* bytes) {
    std::uint64_t word;
    std::memcpy(&word, bytes, sizeof word);
    return word;
}

std::uint16_t fold(std::uint64_t sum) {
    sum = (sum & 0xffff'ffff) + (sum >> 32);
    sum = (sum & 0xffff'ffff) + (sum >> 32);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

constexpr std::uint16_t swap_bytes(std::uint16_t value) {
    return static_cast<std::uint16_t>((value << 8) | (value >> 8));
}

}  // namespace

std::uint16_t ones_complement_sum(ByteView bytes) {
    const std::byte* data = bytes.data();
    std::size_t size = bytes.size();

    // Words are loaded in the machine's byte order: the sum is then the
    // byte-swapped sum of big-endian words, swapped back once at the end
    // (RFC 1071 §2 (B), byte order independence).
    std::uint64_t sum = 0;
    while (size >= 32) {
        sum = add_with_carry(sum, load_word(data));
        sum = add_with_carry(sum, load_word(data + 8));
        sum = add_with_carry(sum, load_word(data + 16));
        sum = add_with_carry(sum, load_word(data + 24));
        data += 32;
        size -= 32;
    }
    while (size >= 8) {
        sum = add_with_carry(sum, load_word(data));
        data += 8;
        size -= 8;
    }
    if (size > 0) {
        // The tail keeps each byte at its position in the word, zero-padded,
        // which is also the padding of an odd last byte.
        std::uint64_t word = 0;
        std::memcpy(&word, data, size);
        sum = add_with_carry(sum, word);
    }

    std::uint16_t folded = fold(sum);
    if constexpr (std::endian::native == std::endian::little) {
        folded = swap_bytes(folded);
    }
    return folded;
}

std::uint16_t internet_checksum(ByteView bytes) {
    return static_cast<std::uint16_t>(~ones_complement_sum(bytes));
}

void InternetChecksum::add(ByteView bytes) {
    std::uint16_t piece = ones_complement_sum(bytes);
    // A piece that starts at an odd offset of the whole has its words
    // straddling the whole's words: its sum is the byte swap of its share.
    m_sum += m_odd ? swap_bytes(piece) : piece;
    if (bytes.size() % 2 != 0) {
        m_odd = !m_odd;
    }
}

void InternetChecksum::add_u16(std::uint16_t value) {
    m_sum += m_odd ? swap_bytes(value) : value;
}

void InternetChecksum::add_u32(std::uint32_t value) {
    add_u16(static_cast<std::uint16_t>(value >> 16));
    add_u16(static_cast<std::uint16_t>(value));
}

std::uint16_t InternetChecksum::sum() const {
    return fold(m_sum);
}

}  // namespace oasis::net
