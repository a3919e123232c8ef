// Random numbers for Oasis: integers from any byte source, and ChaChaRng, a ChaCha20 CSPRNG.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "core/crypto/chacha20.hpp"
#include "core/panic.hpp"

namespace oasis::crypto {

// Anything with fill(std::span<std::byte>): ChaChaRng here, the platform's
// dev::Random device. The helpers below give every source the same integers.
template <typename Source>
concept ByteSource = requires(Source& source, std::span<std::byte> out) {
    source.fill(out);
};

template <ByteSource Source>
std::uint64_t random_u64(Source& source) {
    std::array<std::byte, 8> bytes;
    source.fill(bytes);
    std::uint64_t value = 0;
    for (std::size_t index = 0; index < bytes.size(); ++index) {
        value |= std::to_integer<std::uint64_t>(bytes[index]) << (8 * index);
    }
    return value;
}

template <ByteSource Source>
std::uint32_t random_u32(Source& source) {
    std::array<std::byte, 4> bytes;
    source.fill(bytes);
    std::uint32_t value = 0;
    for (std::size_t index = 0; index < bytes.size(); ++index) {
        value |= std::to_integer<std::uint32_t>(bytes[index]) << (8 * index);
    }
    return value;
}

// Uniform in [0, bound) without modulo bias. Values below 2^64 mod bound are
// rejected, so the accepted range is a whole multiple of bound; fewer than
// half of all draws are rejected for any bound. Contract: bound > 0.
template <ByteSource Source>
std::uint64_t random_uniform(Source& source, std::uint64_t bound) {
    OASIS_ASSERT(bound > 0);
    std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    for (;;) {
        std::uint64_t value = random_u64(source);
        if (value >= threshold) {
            return value % bound;
        }
    }
}

// A cryptographically secure generator built on ChaCha20 with fast key
// erasure (Bernstein, "Fast-key-erasure random-number generators", 2017):
//
//  - The state is one 32-byte ChaCha20 key and a buffer of keystream.
//  - A refill runs ChaCha20 under the key with an all-zero nonce for
//    `buffer_blocks` blocks (counter 0, 1, ...). The first 32 bytes of that
//    keystream at once replace the key and are wiped from the buffer; the
//    rest is handed out in order.
//  - Every byte handed out is wiped from the buffer as it leaves.
//
// Each key therefore encrypts exactly one buffer and is then gone, so the
// zero nonce never repeats under a key, and someone who reads the state later
// learns nothing about output already produced (backtracking resistance).
// reseed() hashes fresh entropy into the key, so output after it is
// unpredictable if either the old state or the new entropy was.
//
// The platform seeds it with 32 bytes of entropy; the same seed always gives
// the same stream, which tests and simulations rely on. It is not copyable:
// two copies would hand out the same "random" bytes twice.
class ChaChaRng {
public:
    using Seed = std::array<std::byte, 32>;
    static constexpr std::size_t buffer_blocks = 8;

    explicit ChaChaRng(const Seed& seed);
    ~ChaChaRng();
    ChaChaRng(const ChaChaRng&) = delete;
    ChaChaRng& operator=(const ChaChaRng&) = delete;

    void fill(std::span<std::byte> out);
    std::uint32_t next_u32() { return random_u32(*this); }
    std::uint64_t next_u64() { return random_u64(*this); }
    // Uniform in [0, bound), unbiased; bound must be > 0.
    std::uint64_t uniform(std::uint64_t bound) { return random_uniform(*this, bound); }

    // Mixes more entropy into the key (any length) and drops buffered output.
    void reseed(std::span<const std::byte> entropy);

    // A UniformRandomBitGenerator, so std::shuffle and friends accept it.
    using result_type = std::uint64_t;
    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
    result_type operator()() { return next_u64(); }

private:
    void refill();

    ChaChaKey m_key;
    std::array<std::byte, buffer_blocks * 64> m_buffer{};
    std::size_t m_position;  // the next unread byte in m_buffer
};

}  // namespace oasis::crypto
