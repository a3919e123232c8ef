// Tests of the SACK scoreboard: RFC 6675 scenarios, block validation, bounds, a per-octet model.
#include "net/tcp/sack.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <vector>

namespace oasis::net {

// GoogleTest prints these in failure messages (found by argument-dependent lookup).
void PrintTo(SequenceNumber sequence, std::ostream* out) {
    *out << sequence.value();
}
void PrintTo(const TcpSackBlock& block, std::ostream* out) {
    *out << "[" << block.left.value() << ", " << block.right.value() << ")";
}

namespace {

constexpr std::uint32_t smss = 1000;

// A number in [0, bound) from `random`.
std::uint32_t draw(std::mt19937& random, std::uint32_t bound) {
    return static_cast<std::uint32_t>(random() % bound);
}

// Ten segments of 1000 bytes, numbered from 1 as in RFC 6675's prose,
// starting at GetParam(): the bases put snd_una (segment 3) just below 2^32,
// at 0, and the wrap inside segment 5.
class SackScenario : public testing::TestWithParam<std::uint32_t> {
protected:
    SequenceNumber start(std::uint32_t segment) const {
        return SequenceNumber{GetParam()} + (segment - 1) * smss;
    }
    // Segments first..last, inclusive, as one block.
    TcpSackBlock segments(std::uint32_t first, std::uint32_t last) const {
        return {start(first), start(last + 1)};
    }
    std::uint32_t ack(TcpSackScoreboard& scoreboard, std::uint32_t first, std::uint32_t last) {
        const TcpSackBlock block = segments(first, last);
        return scoreboard.update(start(3), start(11), std::span{&block, 1});
    }
};

INSTANTIATE_TEST_SUITE_P(Bases, SackScenario,
                         testing::Values(1u, 0u - 2001u, 0u - 2000u, 0u - 4500u, 0u - 9999u));

// Segments 1 and 2 are acknowledged, 3 is lost, and ACKs with SACKs for 4
// onwards arrive one by one (RFC 6675 §5).
TEST_P(SackScenario, SingleLossStepByStep) {
    TcpSackScoreboard scoreboard;
    const SequenceNumber snd_una = start(3);
    const SequenceNumber snd_nxt = start(11);

    // One SACKed segment above 3: not lost yet; everything unSACKed is in flight.
    EXPECT_EQ(ack(scoreboard, 4, 4), smss);
    EXPECT_FALSE(scoreboard.is_lost(start(3), smss));
    EXPECT_EQ(scoreboard.pipe(snd_una, snd_nxt, snd_una, smss), 7 * smss);
    EXPECT_EQ(scoreboard.next_lost(snd_una, snd_una, smss), std::nullopt);
    EXPECT_EQ(scoreboard.next_unsacked(snd_una, snd_una, smss), segments(3, 3));
    // An octet retransmitted before it is thought lost counts twice (RFC 6675 §4).
    EXPECT_EQ(scoreboard.pipe(snd_una, snd_nxt, start(4), smss), 8 * smss);

    // Two: exactly (DupThresh - 1) * SMSS octets above, which is not more.
    EXPECT_EQ(ack(scoreboard, 4, 5), smss);
    EXPECT_FALSE(scoreboard.is_lost(start(3), smss));
    EXPECT_EQ(scoreboard.pipe(snd_una, snd_nxt, snd_una, smss), 6 * smss);
    EXPECT_EQ(scoreboard.next_lost(snd_una, snd_una, smss), std::nullopt);

    // Three: segment 3 is lost, so it leaves the pipe and NextSeg() picks it.
    EXPECT_EQ(ack(scoreboard, 4, 6), smss);
    EXPECT_TRUE(scoreboard.is_lost(start(3), smss));
    EXPECT_TRUE(scoreboard.is_lost(start(4) - 1, smss));
    EXPECT_FALSE(scoreboard.is_lost(start(7), smss));
    EXPECT_EQ(scoreboard.sacked_bytes(), 3 * smss);
    EXPECT_EQ(scoreboard.highest_sacked(), start(7));
    EXPECT_EQ(scoreboard.pipe(snd_una, snd_nxt, snd_una, smss), 4 * smss);
    EXPECT_EQ(scoreboard.next_lost(snd_una, snd_una, smss), segments(3, 3));

    // Segment 3 is retransmitted: HighRxt passes it, it counts once again,
    // and NextSeg() has nothing more below the highest SACK (rules 1 and 3).
    const SequenceNumber high_retransmitted = start(4);
    EXPECT_EQ(scoreboard.pipe(snd_una, snd_nxt, high_retransmitted, smss), 5 * smss);
    EXPECT_EQ(scoreboard.next_lost(snd_una, high_retransmitted, smss), std::nullopt);
    EXPECT_EQ(scoreboard.next_unsacked(snd_una, high_retransmitted, smss), std::nullopt);

    EXPECT_EQ(ack(scoreboard, 4, 7), smss);
    EXPECT_EQ(scoreboard.pipe(snd_una, snd_nxt, high_retransmitted, smss), 4 * smss);
    EXPECT_EQ(ack(scoreboard, 4, 10), 3 * smss);
    EXPECT_EQ(scoreboard.pipe(snd_una, snd_nxt, high_retransmitted, smss), 1 * smss);
    EXPECT_EQ(scoreboard.ranges().size(), 1u);

    // The retransmission arrives: the cumulative ACK covers everything.
    scoreboard.acknowledge(snd_nxt);
    EXPECT_TRUE(scoreboard.empty());
    EXPECT_EQ(scoreboard.highest_sacked(), std::nullopt);
    EXPECT_EQ(scoreboard.pipe(snd_nxt, snd_nxt, high_retransmitted, smss), 0u);
}

// Segments 3, 5 and 7 lost: NextSeg() walks the holes as HighRxt advances,
// and a segment is cut at the next SACKed octet.
TEST_P(SackScenario, SeveralHoles) {
    TcpSackScoreboard scoreboard;
    const SequenceNumber snd_una = start(3);
    const SequenceNumber snd_nxt = start(11);
    const std::array blocks{segments(4, 4), segments(6, 6), segments(8, 10)};
    EXPECT_EQ(scoreboard.update(snd_una, snd_nxt, blocks), 5 * smss);
    EXPECT_EQ(scoreboard.ranges().size(), 3u);

    // Three ranges lie above segment 3, 5000 octets above 3 and 5, 3000 above 7.
    EXPECT_TRUE(scoreboard.is_lost(start(3), smss));
    EXPECT_TRUE(scoreboard.is_lost(start(5), smss));
    EXPECT_TRUE(scoreboard.is_lost(start(7), smss));
    EXPECT_EQ(scoreboard.pipe(snd_una, snd_nxt, snd_una, smss), 0u);

    EXPECT_EQ(scoreboard.next_lost(snd_una, snd_una, smss), segments(3, 3));
    EXPECT_EQ(scoreboard.next_lost(snd_una, start(4), smss), segments(5, 5));
    EXPECT_EQ(scoreboard.next_lost(snd_una, start(6), smss), segments(7, 7));
    EXPECT_EQ(scoreboard.next_lost(snd_una, start(8), smss), std::nullopt);
    // A larger MSS still stops at the next SACKed octet; a smaller one splits.
    EXPECT_EQ(scoreboard.next_lost(snd_una, snd_una, 1500), segments(3, 3));
    EXPECT_EQ(scoreboard.next_lost(snd_una, snd_una + 100, 500, 3),
              (TcpSackBlock{start(3) + 100, start(3) + 600}));
    EXPECT_EQ(scoreboard.pipe(snd_una, snd_nxt, start(6), smss), 2 * smss);
}

// Rule 3 returns holes that are not (yet) lost; rule 1 does not.
TEST_P(SackScenario, UnsackedButNotLost) {
    TcpSackScoreboard scoreboard;
    const std::array blocks{segments(5, 5), segments(7, 7)};
    scoreboard.update(start(3), start(11), blocks);
    EXPECT_FALSE(scoreboard.is_lost(start(3), smss));
    EXPECT_EQ(scoreboard.next_lost(start(3), start(3), smss), std::nullopt);
    EXPECT_EQ(scoreboard.next_unsacked(start(3), start(3), 2 * smss), segments(3, 4));
    EXPECT_EQ(scoreboard.next_unsacked(start(3), start(4), smss), segments(4, 4));
    EXPECT_EQ(scoreboard.next_unsacked(start(3), start(5), smss), segments(6, 6));
    EXPECT_EQ(scoreboard.next_unsacked(start(3), start(7), smss), std::nullopt);
    // A high_retransmitted below snd_una counts as snd_una.
    EXPECT_EQ(scoreboard.next_unsacked(start(3), start(1), smss), segments(3, 3));
    // With DupThresh 2, two ranges above make segments 3 and 4 lost, not 6.
    EXPECT_EQ(scoreboard.next_lost(start(3), start(3), smss, 2), segments(3, 3));
    EXPECT_EQ(scoreboard.next_lost(start(3), start(6), smss, 2), std::nullopt);
}

// RFC 6675 §4: DupThresh discontiguous SACKed ranges make an octet lost even
// when they hold far fewer than (DupThresh - 1) * SMSS octets.
TEST_P(SackScenario, DiscontiguousRangesMarkLoss) {
    TcpSackScoreboard scoreboard;
    const SequenceNumber snd_una = start(3);
    const std::array blocks{TcpSackBlock{snd_una + 100, snd_una + 200},
                            TcpSackBlock{snd_una + 300, snd_una + 400},
                            TcpSackBlock{snd_una + 500, snd_una + 600}};
    EXPECT_EQ(scoreboard.update(snd_una, start(11), blocks), 300u);
    EXPECT_TRUE(scoreboard.is_lost(snd_una, smss));
    EXPECT_TRUE(scoreboard.is_lost(snd_una + 198, smss));
    // The first range's last octet has only two ranges above it.
    EXPECT_FALSE(scoreboard.is_lost(snd_una + 199, smss));
    EXPECT_FALSE(scoreboard.is_lost(snd_una + 250, smss));
    EXPECT_TRUE(scoreboard.is_lost(snd_una + 250, smss, 2));
    EXPECT_TRUE(scoreboard.is_lost(snd_una + 398, smss, 2));
    EXPECT_FALSE(scoreboard.is_lost(snd_una + 399, smss, 2));
    EXPECT_TRUE(scoreboard.is_lost(snd_una + 598, smss, 1));
    EXPECT_FALSE(scoreboard.is_lost(snd_una + 599, smss, 1));
    // Lost: [una, una + 199), of which 100 octets are not SACKed.
    EXPECT_EQ(scoreboard.pipe(snd_una, start(11), snd_una, smss), 8 * smss - 300 - 100);
}

// The byte rule's edge: exactly 2 * SMSS octets above is not more than 2 * SMSS.
TEST_P(SackScenario, ByteThresholdEdge) {
    TcpSackScoreboard scoreboard;
    const SequenceNumber snd_una = start(3);
    const TcpSackBlock exact{snd_una + 1, snd_una + 1 + 2 * smss};
    scoreboard.update(snd_una, start(11), std::span{&exact, 1});
    EXPECT_FALSE(scoreboard.is_lost(snd_una, smss));
    const TcpSackBlock one_more{snd_una + 1, snd_una + 2 + 2 * smss};
    EXPECT_EQ(scoreboard.update(snd_una, start(11), std::span{&one_more, 1}), 1u);
    EXPECT_TRUE(scoreboard.is_lost(snd_una, smss));
    EXPECT_FALSE(scoreboard.is_lost(snd_una + 1, smss));
    EXPECT_EQ(scoreboard.pipe(snd_una, start(11), snd_una, smss), 8 * smss - 2001 - 1);
}

TEST_P(SackScenario, InvalidBlocksAreRejectedAndCounted) {
    TcpSackScoreboard scoreboard;
    const SequenceNumber snd_una = start(3);
    const SequenceNumber snd_nxt = start(11);
    const std::array garbage{
        TcpSackBlock{start(6), start(5)},     // reversed
        TcpSackBlock{start(1), snd_una},      // a D-SACK at snd_una (RFC 2883 §4.1)
        TcpSackBlock{start(5), snd_nxt + 1},  // beyond snd_nxt
        TcpSackBlock{snd_una + 2'000'000'000, snd_una + 2'000'000'100},  // far beyond
    };
    EXPECT_EQ(scoreboard.update(snd_una, snd_nxt, garbage), 0u);
    EXPECT_EQ(scoreboard.rejected_blocks(), 4u);
    EXPECT_TRUE(scoreboard.empty());

    const std::array mixed{
        TcpSackBlock{start(5), start(5)},  // empty
        TcpSackBlock{start(1), start(2)},  // wholly below snd_una
        segments(10, 10),                  // ends exactly at snd_nxt: fine
    };
    EXPECT_EQ(scoreboard.update(snd_una, snd_nxt, mixed), smss);
    EXPECT_EQ(scoreboard.rejected_blocks(), 6u);
    EXPECT_EQ(scoreboard.highest_sacked(), snd_nxt);

    // Nothing is outstanding: every block is beyond snd_nxt.
    TcpSackScoreboard idle;
    EXPECT_EQ(idle.update(snd_una, snd_una, std::span{&mixed[2], 1}), 0u);
    EXPECT_EQ(idle.rejected_blocks(), 1u);
}

TEST_P(SackScenario, BlockStartingBelowUnaIsTrimmed) {
    TcpSackScoreboard scoreboard;
    const TcpSackBlock straddling{start(3) - 500, start(4)};
    EXPECT_EQ(scoreboard.update(start(3), start(11), std::span{&straddling, 1}), smss);
    EXPECT_EQ(scoreboard.ranges()[0], segments(3, 3));
    EXPECT_EQ(scoreboard.rejected_blocks(), 0u);
}

TEST_P(SackScenario, OverlappingAndAdjacentBlocksMerge) {
    TcpSackScoreboard scoreboard;
    const SequenceNumber snd_una = start(3);
    const SequenceNumber snd_nxt = start(11);
    const SequenceNumber base = start(4);
    const auto update = [&](std::initializer_list<TcpSackBlock> blocks) {
        return scoreboard.update(snd_una, snd_nxt, std::span{blocks.begin(), blocks.size()});
    };

    // Overlap, and the same block twice in one ACK counts once.
    EXPECT_EQ(update({{base, base + 1000}, {base + 500, base + 1500}, {base, base + 1000}}), 1500u);
    EXPECT_EQ(scoreboard.ranges().size(), 1u);
    // Adjacent on the right and on the left.
    EXPECT_EQ(update({{base + 1500, base + 2000}}), 500u);
    EXPECT_EQ(update({{base - 200, base}}), 200u);
    ASSERT_EQ(scoreboard.ranges().size(), 1u);
    EXPECT_EQ(scoreboard.ranges()[0], (TcpSackBlock{base - 200, base + 2000}));
    // Inside what is known: nothing new.
    EXPECT_EQ(update({{base + 100, base + 900}}), 0u);

    // A block over two ranges and the gap between them adds only the gap.
    EXPECT_EQ(update({{base + 3000, base + 4000}}), 1000u);
    EXPECT_EQ(scoreboard.ranges().size(), 2u);
    EXPECT_EQ(update({{base + 1000, base + 5000}}), 2000u);
    ASSERT_EQ(scoreboard.ranges().size(), 1u);
    EXPECT_EQ(scoreboard.ranges()[0], (TcpSackBlock{base - 200, base + 5000}));
    EXPECT_EQ(scoreboard.sacked_bytes(), 5200u);
    EXPECT_TRUE(scoreboard.is_sacked(base - 200));
    EXPECT_TRUE(scoreboard.is_sacked(base + 4999));
    EXPECT_FALSE(scoreboard.is_sacked(base - 201));
    EXPECT_FALSE(scoreboard.is_sacked(base + 5000));
}

TEST_P(SackScenario, AcknowledgeTrimsAndClearForgets) {
    TcpSackScoreboard scoreboard;
    const std::array blocks{segments(4, 5), segments(7, 8)};
    scoreboard.update(start(3), start(11), blocks);

    // The cumulative ACK moves into the first range.
    scoreboard.acknowledge(start(5));
    ASSERT_EQ(scoreboard.ranges().size(), 2u);
    EXPECT_EQ(scoreboard.ranges()[0], segments(5, 5));
    EXPECT_EQ(scoreboard.sacked_bytes(), 3 * smss);
    // update() also forgets what lies below its snd_una.
    EXPECT_EQ(scoreboard.update(start(8), start(11), {}), 0u);
    ASSERT_EQ(scoreboard.ranges().size(), 1u);
    EXPECT_EQ(scoreboard.ranges()[0], segments(8, 8));

    // RFC 2018 §8: after a timeout nothing SACKed is trusted.
    scoreboard.clear();
    EXPECT_TRUE(scoreboard.empty());
    EXPECT_EQ(scoreboard.sacked_bytes(), 0u);
    EXPECT_FALSE(scoreboard.is_sacked(start(8)));
    EXPECT_EQ(scoreboard.pipe(start(8), start(11), start(8), smss), 3 * smss);
    EXPECT_EQ(scoreboard.next_unsacked(start(8), start(8), smss), std::nullopt);
}

TEST_P(SackScenario, BoundForgetsTheHighestRange) {
    TcpSackScoreboard scoreboard(2);
    const SequenceNumber snd_una = start(3);
    const SequenceNumber snd_nxt = start(11);
    const std::array first{segments(5, 5), segments(7, 7)};
    scoreboard.update(snd_una, snd_nxt, first);
    // A third range above both: it is what is forgotten, though it was new.
    const TcpSackBlock high = segments(9, 9);
    EXPECT_EQ(scoreboard.update(snd_una, snd_nxt, std::span{&high, 1}), smss);
    EXPECT_EQ(scoreboard.highest_sacked(), start(8));
    // A range below both pushes out the (then) highest.
    const TcpSackBlock low = segments(3, 3);
    scoreboard.update(snd_una, snd_nxt, std::span{&low, 1});
    ASSERT_EQ(scoreboard.ranges().size(), 2u);
    EXPECT_EQ(scoreboard.ranges()[0], segments(3, 3));
    EXPECT_EQ(scoreboard.ranges()[1], segments(5, 5));
    // Merging frees a slot.
    const TcpSackBlock bridge = segments(4, 4);
    scoreboard.update(snd_una, snd_nxt, std::span{&bridge, 1});
    ASSERT_EQ(scoreboard.ranges().size(), 1u);
    EXPECT_EQ(scoreboard.ranges()[0], segments(3, 5));
}

// 1000 random short blocks over a megabyte against an 8-range scoreboard: the
// bound holds, the ranges stay sorted, disjoint and apart, every byte held was
// SACKed, and the lowest SACKed byte is never the one forgotten.
TEST_P(SackScenario, ThousandRandomBlocksKeepTheBound) {
    constexpr std::uint32_t window = 1'000'000;
    TcpSackScoreboard scoreboard(8);
    std::mt19937 random(6675);
    std::vector<bool> truth(window, false);
    std::uint32_t lowest = window;
    const SequenceNumber snd_una{GetParam()};
    for (int round = 0; round < 250; ++round) {
        std::array<TcpSackBlock, 4> blocks;
        for (TcpSackBlock& block : blocks) {
            const std::uint32_t left = draw(random, window - 64);
            const std::uint32_t right = left + 1 + draw(random, 64);
            block = {snd_una + left, snd_una + right};
            for (std::uint32_t offset = left; offset < right; ++offset) {
                truth[offset] = true;
            }
            lowest = std::min(lowest, left);
        }
        scoreboard.update(snd_una, snd_una + window, blocks);

        const std::span ranges = scoreboard.ranges();
        ASSERT_LE(ranges.size(), 8u);
        ASSERT_EQ(ranges[0].left, snd_una + lowest);
        std::uint32_t total = 0;
        for (std::size_t index = 0; index < ranges.size(); ++index) {
            ASSERT_LT(ranges[index].left, ranges[index].right);
            ASSERT_LE(ranges[index].right, snd_una + window);
            if (index > 0) {
                ASSERT_LT(ranges[index - 1].right, ranges[index].left);
            }
            for (SequenceNumber octet = ranges[index].left; octet != ranges[index].right;
                 octet += 1) {
                ASSERT_TRUE(truth[static_cast<std::uint32_t>(octet - snd_una)]);
            }
            total += static_cast<std::uint32_t>(ranges[index].right - ranges[index].left);
        }
        ASSERT_EQ(scoreboard.sacked_bytes(), total);
    }
    EXPECT_EQ(scoreboard.rejected_blocks(), 0u);
    EXPECT_EQ(scoreboard.ranges().size(), 8u);
}

// A per-octet model of RFC 6675 §4 over a window of a few segments.
class OctetModel {
public:
    OctetModel(std::uint32_t window, std::uint32_t mss, std::uint32_t dup_threshold)
        : m_sacked(window, false),
          m_lost(window, false),
          m_mss(mss),
          m_dup_threshold(dup_threshold) {}

    // Offsets relative to the first snd_una; returns the bytes newly SACKed
    // or nullopt for a rejected block.
    std::optional<std::uint32_t> sack(std::int64_t left, std::int64_t right) {
        if (left >= right || right <= m_una || right > window()) {
            return std::nullopt;
        }
        std::uint32_t added = 0;
        for (std::int64_t offset = std::max(left, m_una); offset < right; ++offset) {
            added += m_sacked[offset] ? 0 : 1;
            m_sacked[offset] = true;
        }
        relabel();
        return added;
    }
    void acknowledge(std::int64_t una) {
        for (std::int64_t offset = m_una; offset < una; ++offset) {
            m_sacked[offset] = false;
        }
        m_una = una;
        relabel();
    }

    std::int64_t una() const { return m_una; }
    std::int64_t window() const { return static_cast<std::int64_t>(m_sacked.size()); }
    bool sacked(std::int64_t offset) const { return m_sacked[offset]; }

    bool lost(std::int64_t octet) const { return m_lost[octet]; }

    std::uint32_t pipe(std::int64_t high_retransmitted) const {
        std::uint32_t pipe = 0;
        for (std::int64_t octet = m_una; octet < window(); ++octet) {
            if (!m_sacked[octet]) {
                pipe += (lost(octet) ? 0 : 1) + (octet < high_retransmitted ? 1 : 0);
            }
        }
        return pipe;
    }

    // NextSeg() rules 1 and 3, searched octet by octet; offsets [left, right).
    std::optional<std::pair<std::int64_t, std::int64_t>> next(std::int64_t high_retransmitted,
                                                              bool must_be_lost) const {
        std::int64_t highest = -1;
        for (std::int64_t octet = m_una; octet < window(); ++octet) {
            highest = m_sacked[octet] ? octet : highest;
        }
        for (std::int64_t octet = std::max(m_una, high_retransmitted); octet < highest; ++octet) {
            if (!m_sacked[octet] && (!must_be_lost || lost(octet))) {
                std::int64_t end = octet;
                while (end - octet < m_mss && !m_sacked[end]) {
                    ++end;
                }
                return std::pair{octet, end};
            }
        }
        return std::nullopt;
    }

private:
    // IsLost() for every octet, straight from its definition, anew after
    // every change (the checks ask for it many times).
    void relabel() {
        for (std::int64_t octet = 0; octet < window(); ++octet) {
            std::uint64_t bytes = 0;
            std::uint32_t ranges = 0;
            for (std::int64_t above = octet + 1; above < window(); ++above) {
                if (m_sacked[above]) {
                    ++bytes;
                    ranges += (above == octet + 1 || !m_sacked[above - 1]) ? 1 : 0;
                }
            }
            m_lost[octet] =
                ranges >= m_dup_threshold || bytes > std::uint64_t{m_dup_threshold - 1} * m_mss;
        }
    }

    std::vector<bool> m_sacked;
    std::vector<bool> m_lost;
    std::int64_t m_una = 0;
    std::uint32_t m_mss;
    std::uint32_t m_dup_threshold;
};

TEST(TcpSackScoreboard, MatchesPerOctetModel) {
    std::mt19937 random(2018);
    for (int trial = 0; trial < 1000; ++trial) {
        const std::uint32_t mss = 1 + draw(random, 6);
        const std::uint32_t dup_threshold = 1 + draw(random, 4);
        const std::uint32_t window = mss * (1 + draw(random, 20));
        // Half the trials start within a window of the wrap.
        const std::uint32_t base =
            (trial % 2 == 0) ? 0u - draw(random, 2 * window) : static_cast<std::uint32_t>(random());
        const auto at = [&](std::int64_t offset) {
            return SequenceNumber{base} + static_cast<std::uint32_t>(offset);
        };
        TcpSackScoreboard scoreboard(64);
        OctetModel model(window, mss, dup_threshold);
        std::size_t rejected = 0;
        SCOPED_TRACE(testing::Message() << "trial " << trial << " base " << base << " mss " << mss
                                        << " window " << window << " dupthresh " << dup_threshold);

        for (int round = 0; round < 6; ++round) {
            if (draw(random, 4) == 0) {
                model.acknowledge(model.una() + draw(random, static_cast<std::uint32_t>(
                                                                 window - model.una() + 1)));
                scoreboard.acknowledge(at(model.una()));
            }
            std::vector<TcpSackBlock> blocks(1 + draw(random, 4));
            std::uint32_t expected_new = 0;
            for (TcpSackBlock& block : blocks) {
                const std::int64_t left =
                    static_cast<std::int64_t>(draw(random, window + 2 * mss)) -
                    static_cast<std::int64_t>(mss);
                const std::int64_t right =
                    left + static_cast<std::int64_t>(draw(random, window)) - 1;
                block = {at(left), at(right)};
                const std::optional<std::uint32_t> added = model.sack(left, right);
                expected_new += added.value_or(0);
                rejected += added ? 0 : 1;
            }
            ASSERT_EQ(scoreboard.update(at(model.una()), at(window), blocks), expected_new);
            ASSERT_EQ(scoreboard.rejected_blocks(), rejected);

            std::uint32_t sacked = 0;
            for (std::int64_t octet = model.una(); octet < window; ++octet) {
                ASSERT_EQ(scoreboard.is_sacked(at(octet)), model.sacked(octet)) << octet;
                ASSERT_EQ(scoreboard.is_lost(at(octet), mss, dup_threshold), model.lost(octet))
                    << octet;
                sacked += model.sacked(octet) ? 1 : 0;
            }
            ASSERT_EQ(scoreboard.sacked_bytes(), sacked);

            const std::int64_t high_retransmitted =
                static_cast<std::int64_t>(draw(random, window + 4)) - 2;
            const SequenceNumber high = at(high_retransmitted);
            ASSERT_EQ(scoreboard.pipe(at(model.una()), at(window), high, mss, dup_threshold),
                      model.pipe(high_retransmitted));
            for (bool must_be_lost : {true, false}) {
                std::optional<TcpSackBlock> expected;
                if (const auto next = model.next(high_retransmitted, must_be_lost)) {
                    expected = TcpSackBlock{at(next->first), at(next->second)};
                }
                ASSERT_EQ(must_be_lost
                              ? scoreboard.next_lost(at(model.una()), high, mss, dup_threshold)
                              : scoreboard.next_unsacked(at(model.una()), high, mss),
                          expected)
                    << must_be_lost;
            }
        }
    }
}

}  // namespace
}  // namespace oasis::net
