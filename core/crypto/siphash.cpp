// SipHash-2-4: two compression rounds per 8-byte word, four finalization rounds.
#include "core/crypto/siphash.hpp"

#include <bit>

namespace oasis::crypto {
namespace {

std::uint64_t load_le64(const std::byte* bytes, std::size_t count) {
    std::uint64_t value = 0;
    for (std::size_t index = 0; index < count; ++index) {
        value |= std::to_integer<std::uint64_t>(bytes[index]) << (8 * index);
    }
    return value;
}

struct SipState {
    std::uint64_t v0, v1, v2, v3;

    void round() {
        v0 += v1;
        v1 = std::rotl(v1, 13);
        v1 ^= v0;
        v0 = std::rotl(v0, 32);
        v2 += v3;
        v3 = std::rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = std::rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = std::rotl(v1, 17);
        v1 ^= v2;
        v2 = std::rotl(v2, 32);
    }

    void absorb(std::uint64_t word) {
        v3 ^= word;
        round();
        round();
        v0 ^= word;
    }
};

}  // namespace

std::uint64_t siphash24(const SipKey& key, std::span<const std::byte> data) {
    std::uint64_t k0 = load_le64(key.data(), 8);
    std::uint64_t k1 = load_le64(key.data() + 8, 8);
    // The constants spell "somepseudorandomlygeneratedbytes".
    SipState state{k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d, k0 ^ 0x6c7967656e657261,
                   k1 ^ 0x7465646279746573};

    std::size_t full = data.size() - data.size() % 8;
    for (std::size_t offset = 0; offset < full; offset += 8) {
        state.absorb(load_le64(data.data() + offset, 8));
    }
    // The last word carries the remaining bytes and the length modulo 256.
    std::uint64_t last = load_le64(data.data() + full, data.size() - full) |
                         static_cast<std::uint64_t>(data.size() & 0xff) << 56;
    state.absorb(last);

    state.v2 ^= 0xff;
    for (int round = 0; round < 4; ++round) {
        state.round();
    }
    return state.v0 ^ state.v1 ^ state.v2 ^ state.v3;
}

}  // namespace oasis::crypto
