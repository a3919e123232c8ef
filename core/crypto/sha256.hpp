// SHA-256 (FIPS 180-4): an incremental hasher, a one-shot helper and hex output.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace oasis::crypto {

using Sha256Digest = std::array<std::byte, 32>;

// Feed the message in pieces of any size with update(), then take the digest
// with finish(). finish() also resets the hasher to its initial state (and
// wipes the buffered input), so one object can hash message after message.
class Sha256 {
public:
    static constexpr std::size_t block_size = 64;

    Sha256();
    void update(std::span<const std::byte> data);
    Sha256Digest finish();

private:
    void compress(const std::byte* block);

    std::array<std::uint32_t, 8> m_state;
    std::array<std::byte, block_size> m_buffer{};
    std::size_t m_buffered = 0;
    // FIPS 180-4 §5.1.1 counts the length in bits modulo 2^64; a byte count
    // of 2^61 (two exbibytes) cannot be reached by a unikernel.
    std::uint64_t m_length = 0;
};

Sha256Digest sha256(std::span<const std::byte> data);

// Lower-case hexadecimal, two digits per byte.
std::string to_hex(std::span<const std::byte> bytes);

}  // namespace oasis::crypto
