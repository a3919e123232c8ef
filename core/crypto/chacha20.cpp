// ChaCha20 block function and stream cipher (RFC 8439 §2.3, §2.4).
#include "core/crypto/chacha20.hpp"

#include <algorithm>
#include <bit>

#include "core/panic.hpp"

namespace oasis::crypto {
namespace {

std::uint32_t load_le32(const std::byte* bytes) {
    return std::to_integer<std::uint32_t>(bytes[0]) |
           std::to_integer<std::uint32_t>(bytes[1]) << 8 |
           std::to_integer<std::uint32_t>(bytes[2]) << 16 |
           std::to_integer<std::uint32_t>(bytes[3]) << 24;
}

void store_le32(std::byte* bytes, std::uint32_t value) {
    for (int index = 0; index < 4; ++index) {
        bytes[index] = static_cast<std::byte>(value >> (8 * index));
    }
}

// RFC 8439 §2.1.
void quarter_round(std::array<std::uint32_t, 16>& state, int a, int b, int c, int d) {
    state[a] += state[b];
    state[d] = std::rotl(state[d] ^ state[a], 16);
    state[c] += state[d];
    state[b] = std::rotl(state[b] ^ state[c], 12);
    state[a] += state[b];
    state[d] = std::rotl(state[d] ^ state[a], 8);
    state[c] += state[d];
    state[b] = std::rotl(state[b] ^ state[c], 7);
}

}  // namespace

ChaChaBlock chacha20_block(const ChaChaKey& key, std::uint32_t counter, const ChaChaNonce& nonce) {
    // RFC 8439 §2.3: "expand 32-byte k", the key, the counter and the nonce.
    std::array<std::uint32_t, 16> initial{0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    for (int word = 0; word < 8; ++word) {
        initial[4 + word] = load_le32(&key[4 * word]);
    }
    initial[12] = counter;
    for (int word = 0; word < 3; ++word) {
        initial[13 + word] = load_le32(&nonce[4 * word]);
    }

    std::array<std::uint32_t, 16> state = initial;
    for (int double_round = 0; double_round < 10; ++double_round) {
        quarter_round(state, 0, 4, 8, 12);  // columns
        quarter_round(state, 1, 5, 9, 13);
        quarter_round(state, 2, 6, 10, 14);
        quarter_round(state, 3, 7, 11, 15);
        quarter_round(state, 0, 5, 10, 15);  // diagonals
        quarter_round(state, 1, 6, 11, 12);
        quarter_round(state, 2, 7, 8, 13);
        quarter_round(state, 3, 4, 9, 14);
    }

    ChaChaBlock block;
    for (int word = 0; word < 16; ++word) {
        store_le32(&block[4 * word], state[word] + initial[word]);
    }
    // The working state holds key-derived words; do not leave them on the stack.
    secure_zero(std::as_writable_bytes(std::span{state}));
    secure_zero(std::as_writable_bytes(std::span{initial}));
    return block;
}

ChaCha20::ChaCha20(const ChaChaKey& key, const ChaChaNonce& nonce, std::uint32_t initial_counter)
    : m_key(key),
      m_nonce(nonce),
      m_counter(initial_counter),
      m_keystream_position(m_keystream.size()) {}

ChaCha20::~ChaCha20() {
    secure_zero(m_key);
    secure_zero(m_keystream);
}

void ChaCha20::next_block() {
    if (m_counter_exhausted) {
        panic("ChaCha20: block counter exhausted (RFC 8439 §2.4 allows 2^32 blocks)");
    }
    m_keystream = chacha20_block(m_key, m_counter, m_nonce);
    m_keystream_position = 0;
    ++m_counter;
    m_counter_exhausted = m_counter == 0;
}

void ChaCha20::apply(std::span<const std::byte> input, std::span<std::byte> output) {
    OASIS_ASSERT(input.size() == output.size());
    for (std::size_t done = 0; done < input.size();) {
        if (m_keystream_position == m_keystream.size()) {
            next_block();
        }
        std::size_t count =
            std::min(input.size() - done, m_keystream.size() - m_keystream_position);
        for (std::size_t index = 0; index < count; ++index) {
            output[done + index] = input[done + index] ^ m_keystream[m_keystream_position + index];
        }
        m_keystream_position += count;
        done += count;
    }
}

void secure_zero(std::span<std::byte> bytes) {
    // Stores through a volatile pointer are observable behaviour, so they stay.
    volatile std::byte* pointer = bytes.data();
    for (std::size_t index = 0; index < bytes.size(); ++index) {
        pointer[index] = std::byte{0};
    }
}

}  // namespace oasis::crypto
