// Tests for ChaChaRng (fast-key-erasure construction, determinism, reseeding) and random_uniform.
#include "core/crypto/random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/crypto/sha256.hpp"

namespace oasis::crypto {
namespace {

ChaChaRng::Seed seed_of(std::uint8_t first) {
    ChaChaRng::Seed seed{};
    seed[0] = std::byte{first};
    return seed;
}

std::vector<std::byte> take(ChaChaRng& rng, std::size_t count) {
    std::vector<std::byte> bytes(count);
    rng.fill(bytes);
    return bytes;
}

// With an all-zero seed the first refill is ChaCha20 under the zero key and
// zero nonce, so after the 32 bytes that become the next key the output is
// the rest of RFC 8439 appendix A.1 vector 1 followed by all of vector 2.
TEST(ChaChaRng, KnownAnswerFromRfc8439Blocks) {
    ChaChaRng rng(ChaChaRng::Seed{});
    EXPECT_EQ(to_hex(take(rng, 96)),
              "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"
              "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
              "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f");
}

// The construction, spelled out: each refill's first 32 bytes key the next one.
TEST(ChaChaRng, FastKeyErasureChainsKeys) {
    ChaChaRng::Seed seed = seed_of(7);
    constexpr std::size_t blocks = ChaChaRng::buffer_blocks;
    ChaChaKey key = seed;
    std::vector<std::byte> expected;
    for (int refill = 0; refill < 3; ++refill) {
        std::vector<std::byte> buffer;
        for (std::uint32_t counter = 0; counter < blocks; ++counter) {
            ChaChaBlock block = chacha20_block(key, counter, ChaChaNonce{});
            buffer.insert(buffer.end(), block.begin(), block.end());
        }
        std::copy_n(buffer.begin(), key.size(), key.begin());
        expected.insert(expected.end(), buffer.begin() + 32, buffer.end());
    }
    ChaChaRng rng(seed);
    EXPECT_EQ(take(rng, expected.size()), expected);
}

TEST(ChaChaRng, SameSeedSameStreamWhateverTheRequestSizes) {
    ChaChaRng whole(seed_of(1));
    std::vector<std::byte> expected = take(whole, 3000);

    ChaChaRng pieces(seed_of(1));
    std::vector<std::byte> collected;
    for (std::size_t size = 1; collected.size() < expected.size(); size = size * 3 % 509 + 1) {
        auto piece = take(pieces, std::min(size, expected.size() - collected.size()));
        collected.insert(collected.end(), piece.begin(), piece.end());
    }
    EXPECT_EQ(collected, expected);
}

TEST(ChaChaRng, DifferentSeedsGiveDifferentStreams) {
    for (std::uint8_t other = 1; other < 8; ++other) {
        ChaChaRng first(seed_of(0));
        ChaChaRng second(seed_of(other));
        EXPECT_NE(take(first, 64), take(second, 64));
    }
    // A difference in the last seed byte matters just as much.
    ChaChaRng::Seed last{};
    last[31] = std::byte{1};
    ChaChaRng zero(ChaChaRng::Seed{});
    ChaChaRng changed(last);
    EXPECT_NE(zero.next_u64(), changed.next_u64());
}

TEST(ChaChaRng, IntegersAreLittleEndianStreamBytes) {
    ChaChaRng bytes(seed_of(3));
    std::vector<std::byte> stream = take(bytes, 12);
    ChaChaRng integers(seed_of(3));
    std::uint32_t low = integers.next_u32();
    std::uint64_t next = integers.next_u64();
    EXPECT_EQ(low, (std::to_integer<std::uint32_t>(stream[0]) |
                    std::to_integer<std::uint32_t>(stream[1]) << 8 |
                    std::to_integer<std::uint32_t>(stream[2]) << 16 |
                    std::to_integer<std::uint32_t>(stream[3]) << 24));
    std::uint64_t expected = 0;
    for (int index = 0; index < 8; ++index) {
        expected |= std::to_integer<std::uint64_t>(stream[4 + index]) << (8 * index);
    }
    EXPECT_EQ(next, expected);
}

TEST(ChaChaRng, ReseedIsDeterministicAndChangesTheStream) {
    const std::byte entropy[] = {std::byte{0xde}, std::byte{0xad}, std::byte{0xbe},
                                 std::byte{0xef}};
    ChaChaRng plain(seed_of(9));
    ChaChaRng reseeded(seed_of(9));
    ChaChaRng reseeded_again(seed_of(9));
    ChaChaRng reseeded_empty(seed_of(9));
    (void)take(plain, 10);
    (void)take(reseeded, 10);
    (void)take(reseeded_again, 10);
    (void)take(reseeded_empty, 10);
    reseeded.reseed(entropy);
    reseeded_again.reseed(entropy);
    reseeded_empty.reseed({});

    std::vector<std::byte> after = take(reseeded, 64);
    EXPECT_EQ(after, take(reseeded_again, 64));
    EXPECT_NE(after, take(plain, 64));
    EXPECT_NE(after, take(reseeded_empty, 64));
}

TEST(ChaChaRng, UniformStaysInRange) {
    ChaChaRng rng(seed_of(5));
    const std::uint64_t bounds[] = {
        1, 2, 3, 7, 10, 1000, 1ull << 32, (1ull << 63) + 1, 0xffffffffffffffff};
    for (std::uint64_t bound : bounds) {
        for (int draw = 0; draw < 2000; ++draw) {
            ASSERT_LT(rng.uniform(bound), bound) << "bound " << bound;
        }
    }
}

TEST(ChaChaRng, UniformCoversSmallRangesEvenly) {
    ChaChaRng rng(seed_of(6));
    std::array<int, 6> counts{};
    for (int draw = 0; draw < 60'000; ++draw) {
        ++counts[rng.uniform(counts.size())];
    }
    // Expected 10'000 each; the standard deviation is about 91.
    for (int count : counts) {
        EXPECT_GT(count, 9'500);
        EXPECT_LT(count, 10'500);
    }
}

TEST(ChaChaRng, UniformOfZeroIsABrokenContract) {
    ChaChaRng rng(seed_of(0));
    EXPECT_DEATH((void)rng.uniform(0), "");
}

TEST(ChaChaRng, WorksWithStandardAlgorithms) {
    std::vector<int> values(50);
    std::iota(values.begin(), values.end(), 0);
    std::vector<int> shuffled = values;
    ChaChaRng rng(seed_of(4));
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    EXPECT_NE(shuffled, values);
    std::sort(shuffled.begin(), shuffled.end());
    EXPECT_EQ(shuffled, values);
}

// A source that hands out scripted 64-bit values, to watch rejection happen.
class ScriptedSource {
public:
    explicit ScriptedSource(std::vector<std::uint64_t> values) : m_values(std::move(values)) {}
    void fill(std::span<std::byte> out) {
        ASSERT_EQ(out.size(), 8u);
        ASSERT_LT(m_next, m_values.size());
        std::uint64_t value = m_values[m_next++];
        for (std::size_t index = 0; index < 8; ++index) {
            out[index] = static_cast<std::byte>(value >> (8 * index));
        }
    }
    std::size_t used() const { return m_next; }

private:
    std::vector<std::uint64_t> m_values;
    std::size_t m_next = 0;
};

TEST(RandomUniform, RejectsTheBiasedLowValues) {
    // 2^64 mod 3 = 1: the value 0 would make residue 0 one draw more likely.
    ScriptedSource source({0, 5});
    EXPECT_EQ(random_uniform(source, 3), 2u);
    EXPECT_EQ(source.used(), 2u);

    // 2^64 mod (2^63 + 1) = 2^63 - 1: everything below it is rejected.
    ScriptedSource large({(1ull << 63) - 2, (1ull << 63) - 1});
    EXPECT_EQ(random_uniform(large, (1ull << 63) + 1), (1ull << 63) - 1);
    EXPECT_EQ(large.used(), 2u);

    // Powers of two never reject.
    ScriptedSource power({0xffff'ffff'ffff'fff5});
    EXPECT_EQ(random_uniform(power, 16), 5u);
}

}  // namespace
}  // namespace oasis::crypto
