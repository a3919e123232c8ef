// ChaCha20: the RFC 8439 block function and stream cipher, integer-only and constant-time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace oasis::crypto {

using ChaChaKey = std::array<std::byte, 32>;
using ChaChaNonce = std::array<std::byte, 12>;
using ChaChaBlock = std::array<std::byte, 64>;

// One 64-byte keystream block for (key, block counter, nonce), RFC 8439 §2.3.
// ChaCha20 is add-rotate-xor only: no table lookups and no branches that
// depend on the key or the data, so it runs in constant time.
ChaChaBlock chacha20_block(const ChaChaKey& key, std::uint32_t counter, const ChaChaNonce& nonce);

// The stream cipher of RFC 8439 §2.4: encryption and decryption are the same
// XOR with the keystream. The stream keeps its position, so a message may be
// processed in pieces of any size. RFC 8439 §2.4 allows 2^32 blocks (256 GiB)
// per (key, nonce); going past that would reuse keystream, so it panics.
// The destructor wipes the key and any buffered keystream.
class ChaCha20 {
public:
    ChaCha20(const ChaChaKey& key, const ChaChaNonce& nonce, std::uint32_t initial_counter = 0);
    ~ChaCha20();
    ChaCha20(const ChaCha20&) = delete;
    ChaCha20& operator=(const ChaCha20&) = delete;

    // output[i] = input[i] ^ keystream. Contract: both have the same size;
    // they may be the same buffer (in-place), but must not partly overlap.
    void apply(std::span<const std::byte> input, std::span<std::byte> output);
    void apply(std::span<std::byte> data) { apply(data, data); }

private:
    void next_block();

    ChaChaKey m_key;
    ChaChaNonce m_nonce;
    std::uint32_t m_counter;
    // Set once the 2^32nd block has been produced: the counter may not wrap.
    bool m_counter_exhausted = false;
    ChaChaBlock m_keystream{};
    std::size_t m_keystream_position;  // keystream bytes already used
};

// Overwrites `bytes` with zeros in a way the compiler may not remove as a dead
// store, so key material does not outlive its owner in memory.
void secure_zero(std::span<std::byte> bytes);

}  // namespace oasis::crypto
