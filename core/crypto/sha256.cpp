// SHA-256 compression and padding (FIPS 180-4 §4.1.2, §5.1.1, §6.2).
#include "core/crypto/sha256.hpp"

#include <algorithm>
#include <bit>

namespace oasis::crypto {
namespace {

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube
// roots of the first 64 primes.
constexpr std::array<std::uint32_t, 64> round_constants{
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// FIPS 180-4 §5.3.3: the square roots of the first 8 primes.
constexpr std::array<std::uint32_t, 8> initial_state{
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

std::uint32_t load_be32(const std::byte* bytes) {
    return std::to_integer<std::uint32_t>(bytes[0]) << 24 |
           std::to_integer<std::uint32_t>(bytes[1]) << 16 |
           std::to_integer<std::uint32_t>(bytes[2]) << 8 | std::to_integer<std::uint32_t>(bytes[3]);
}

}  // namespace

Sha256::Sha256() : m_state(initial_state) {}

// FIPS 180-4 §6.2.2, with the message schedule kept as a 16-word ring.
void Sha256::compress(const std::byte* block) {
    std::array<std::uint32_t, 16> schedule;
    for (int word = 0; word < 16; ++word) {
        schedule[word] = load_be32(block + 4 * word);
    }
    std::array<std::uint32_t, 8> work = m_state;
    for (int round = 0; round < 64; ++round) {
        if (round >= 16) {
            std::uint32_t w15 = schedule[(round - 15) % 16];
            std::uint32_t w2 = schedule[(round - 2) % 16];
            std::uint32_t sigma0 = std::rotr(w15, 7) ^ std::rotr(w15, 18) ^ (w15 >> 3);
            std::uint32_t sigma1 = std::rotr(w2, 17) ^ std::rotr(w2, 19) ^ (w2 >> 10);
            schedule[round % 16] += sigma0 + schedule[(round - 7) % 16] + sigma1;
        }
        auto [a, b, c, d, e, f, g, h] = work;
        std::uint32_t big_sigma1 = std::rotr(e, 6) ^ std::rotr(e, 11) ^ std::rotr(e, 25);
        std::uint32_t choose = (e & f) ^ (~e & g);
        std::uint32_t temp1 =
            h + big_sigma1 + choose + round_constants[round] + schedule[round % 16];
        std::uint32_t big_sigma0 = std::rotr(a, 2) ^ std::rotr(a, 13) ^ std::rotr(a, 22);
        std::uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
        work = {temp1 + big_sigma0 + majority, a, b, c, d + temp1, e, f, g};
    }
    for (int word = 0; word < 8; ++word) {
        m_state[word] += work[word];
    }
}

void Sha256::update(std::span<const std::byte> data) {
    m_length += data.size();
    if (m_buffered > 0) {
        std::size_t count = std::min(data.size(), block_size - m_buffered);
        std::copy_n(data.begin(), count, m_buffer.begin() + m_buffered);
        m_buffered += count;
        data = data.subspan(count);
        if (m_buffered < block_size) {
            return;
        }
        compress(m_buffer.data());
        m_buffered = 0;
    }
    while (data.size() >= block_size) {
        compress(data.data());
        data = data.subspan(block_size);
    }
    std::copy(data.begin(), data.end(), m_buffer.begin());
    m_buffered = data.size();
}

Sha256Digest Sha256::finish() {
    // FIPS 180-4 §5.1.1: a 1 bit, zeros up to 56 mod 64 bytes, then the
    // message length in bits as a 64-bit big-endian number.
    std::uint64_t bit_length = m_length * 8;
    std::array<std::byte, block_size + 8> padding{};
    padding[0] = std::byte{0x80};
    std::size_t zeros = (m_buffered < 56 ? 56 : 120) - m_buffered;
    for (int index = 0; index < 8; ++index) {
        padding[zeros + index] = static_cast<std::byte>(bit_length >> (56 - 8 * index));
    }
    update(std::span{padding}.first(zeros + 8));

    Sha256Digest digest;
    for (int word = 0; word < 8; ++word) {
        for (int index = 0; index < 4; ++index) {
            digest[4 * word + index] = static_cast<std::byte>(m_state[word] >> (24 - 8 * index));
        }
    }
    *this = Sha256{};
    return digest;
}

Sha256Digest sha256(std::span<const std::byte> data) {
    Sha256 hasher;
    hasher.update(data);
    return hasher.finish();
}

std::string to_hex(std::span<const std::byte> bytes) {
    constexpr char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(2 * bytes.size());
    for (std::byte byte : bytes) {
        auto value = std::to_integer<unsigned>(byte);
        text.push_back(digits[value >> 4]);
        text.push_back(digits[value & 0x0f]);
    }
    return text;
}

}  // namespace oasis::crypto
