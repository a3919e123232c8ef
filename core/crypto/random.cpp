// ChaChaRng: refill with fast key erasure, output wiping and reseeding through SHA-256.
#include "core/crypto/random.hpp"

#include <algorithm>
#include <string_view>

#include "core/crypto/sha256.hpp"

namespace oasis::crypto {

ChaChaRng::ChaChaRng(const Seed& seed) : m_key(seed), m_position(m_buffer.size()) {}

ChaChaRng::~ChaChaRng() {
    secure_zero(m_key);
    secure_zero(m_buffer);
}

void ChaChaRng::refill() {
    constexpr ChaChaNonce zero_nonce{};
    for (std::size_t block = 0; block < buffer_blocks; ++block) {
        ChaChaBlock keystream =
            chacha20_block(m_key, static_cast<std::uint32_t>(block), zero_nonce);
        std::copy(keystream.begin(), keystream.end(), m_buffer.begin() + 64 * block);
        secure_zero(keystream);
    }
    std::copy_n(m_buffer.begin(), m_key.size(), m_key.begin());
    secure_zero(std::span{m_buffer}.first(m_key.size()));
    m_position = m_key.size();
}

void ChaChaRng::fill(std::span<std::byte> out) {
    while (!out.empty()) {
        if (m_position == m_buffer.size()) {
            refill();
        }
        std::size_t count = std::min(out.size(), m_buffer.size() - m_position);
        auto source = std::span{m_buffer}.subspan(m_position, count);
        std::copy(source.begin(), source.end(), out.begin());
        secure_zero(source);
        m_position += count;
        out = out.subspan(count);
    }
}

void ChaChaRng::reseed(std::span<const std::byte> entropy) {
    // A label keeps this hash apart from any other SHA-256 use of the key.
    constexpr std::string_view label = "oasis ChaChaRng reseed";
    Sha256 hasher;
    hasher.update(std::as_bytes(std::span{label}));
    hasher.update(m_key);
    hasher.update(entropy);
    Sha256Digest digest = hasher.finish();
    std::copy(digest.begin(), digest.end(), m_key.begin());
    secure_zero(digest);
    secure_zero(m_buffer);
    m_position = m_buffer.size();
}

}  // namespace oasis::crypto
