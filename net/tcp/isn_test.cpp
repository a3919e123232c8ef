// Tests for TcpInitialSequence: RFC 6528 §3 ISNs and per-tuple timestamp offsets.
#include "net/tcp/isn.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "core/testing/hex.hpp"

namespace oasis::net {
namespace {

using Seed = crypto::ChaChaRng::Seed;

const TcpTuple tuple{Ipv4Address::from_octets(10, 0, 0, 1), 80,
                     Ipv4Address::from_octets(10, 0, 0, 2), 49152};

// The tuple and each of its variants with one field changed.
std::vector<TcpTuple> tuple_and_neighbours() {
    std::vector<TcpTuple> tuples(5, tuple);
    tuples[1].local = Ipv4Address::from_octets(10, 0, 0, 3);
    tuples[2].local_port = 81;
    tuples[3].remote = Ipv4Address::from_octets(10, 0, 0, 3);
    tuples[4].remote_port = 49153;
    return tuples;
}

constexpr Instant start = Instant{} + std::chrono::seconds{1000};

TEST(TcpInitialSequence, TupleBytesAreBigEndianFieldsInOrder) {
    TcpTupleBytes bytes = tcp_tuple_bytes(tuple);
    EXPECT_EQ(std::vector<std::byte>(bytes.begin(), bytes.end()),
              testing::from_hex("0a000001 0050 0a000002 c000"));
}

// RFC 6528 §3 spelled out: F is SipHash-2-4 of the tuple under the first 16
// bytes drawn from the generator, M counts 4 µs since boot.
TEST(TcpInitialSequence, IsClockPlusKeyedHashOfTuple) {
    crypto::ChaChaRng random(Seed{std::byte{1}});
    TcpInitialSequence isn(random);
    crypto::ChaChaRng same(Seed{std::byte{1}});
    crypto::SipKey key;
    same.fill(key);
    auto hash = static_cast<std::uint32_t>(crypto::siphash24(key, tcp_tuple_bytes(tuple)));
    EXPECT_EQ(isn.generate(tuple, Instant{}).value(), hash);
    EXPECT_EQ(isn.generate(tuple, start).value(), hash + 250'000u * 1000u);
}

TEST(TcpInitialSequence, DiffersPerTuple) {
    crypto::ChaChaRng random(Seed{std::byte{1}});
    TcpInitialSequence isn(random);
    std::vector<TcpTuple> tuples = tuple_and_neighbours();
    for (std::size_t i = 0; i < tuples.size(); ++i) {
        for (std::size_t j = i + 1; j < tuples.size(); ++j) {
            EXPECT_NE(isn.generate(tuples[i], start), isn.generate(tuples[j], start)) << i << j;
        }
    }
}

TEST(TcpInitialSequence, AdvancesEveryFourMicroseconds) {
    crypto::ChaChaRng random(Seed{std::byte{1}});
    TcpInitialSequence isn(random);
    SequenceNumber base = isn.generate(tuple, start);
    EXPECT_EQ(isn.generate(tuple, start + std::chrono::seconds{1}) - base, 250'000);
    EXPECT_EQ(isn.generate(tuple, start + std::chrono::microseconds{4}) - base, 1);
    EXPECT_EQ(isn.generate(tuple, start + std::chrono::microseconds{3}) - base, 0);
    EXPECT_EQ(isn.generate(tuple, start + std::chrono::milliseconds{1}) - base, 250);
    // M wraps with the sequence space after 2^32 ticks (about 4.77 hours).
    Duration wrap = TcpInitialSequence::clock_tick * (std::int64_t{1} << 32);
    EXPECT_EQ(isn.generate(tuple, start + wrap), base);
    EXPECT_EQ(isn.generate(tuple, start + wrap - TcpInitialSequence::clock_tick), base - 1);
}

TEST(TcpInitialSequence, IsDeterministicForOneSeedAndDiffersAcrossSeeds) {
    crypto::ChaChaRng random_one(Seed{std::byte{1}});
    crypto::ChaChaRng random_again(Seed{std::byte{1}});
    crypto::ChaChaRng random_two(Seed{std::byte{2}});
    TcpInitialSequence one(random_one);
    TcpInitialSequence again(random_again);
    TcpInitialSequence two(random_two);
    EXPECT_EQ(one.generate(tuple, start), again.generate(tuple, start));
    EXPECT_EQ(one.timestamp_offset(tuple), again.timestamp_offset(tuple));
    EXPECT_NE(one.generate(tuple, start), two.generate(tuple, start));
    EXPECT_NE(one.timestamp_offset(tuple), two.timestamp_offset(tuple));
}

TEST(TcpInitialSequence, TimestampOffsetIsStablePerTupleAndDiffersAcrossTuples) {
    crypto::ChaChaRng random(Seed{std::byte{1}});
    TcpInitialSequence isn(random);
    EXPECT_EQ(isn.timestamp_offset(tuple), isn.timestamp_offset(tuple));
    // Its own key: the offset is not the ISN's hash, so one does not reveal the other.
    EXPECT_NE(isn.timestamp_offset(tuple), isn.generate(tuple, Instant{}).value());
    std::vector<TcpTuple> tuples = tuple_and_neighbours();
    for (std::size_t i = 0; i < tuples.size(); ++i) {
        for (std::size_t j = i + 1; j < tuples.size(); ++j) {
            EXPECT_NE(isn.timestamp_offset(tuples[i]), isn.timestamp_offset(tuples[j])) << i << j;
        }
    }
}

}  // namespace
}  // namespace oasis::net
