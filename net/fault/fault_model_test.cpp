// Tests of FaultModel: certain and impossible faults, seeded repeatability, rates, delays, bit
// flips.
#include "net/fault/fault_model.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace oasis::net {
namespace {

constexpr std::size_t frame_size = 100;

// The outcome of `frames` decisions, in a form that compares whole runs.
struct Trace {
    std::vector<std::size_t> counts;
    std::vector<Duration> delays;
    std::vector<std::uint64_t> flipped_bits;
    friend bool operator==(const Trace&, const Trace&) = default;
};

Trace run(const FaultSpec& spec, std::size_t frames, std::uint64_t stream = 0) {
    FaultModel model{spec, stream};
    Trace trace;
    for (std::size_t index = 0; index < frames; ++index) {
        FaultDecision decision = model.decide(frame_size);
        trace.counts.push_back(decision.count);
        for (const FrameCopy& copy : decision.delivered()) {
            trace.delays.push_back(copy.delay);
            trace.flipped_bits.push_back(copy.flipped_bit.value_or(~0ull));
        }
    }
    return trace;
}

TEST(FaultModel, TransparentSpecDeliversEveryFrameUnchanged) {
    FaultModel model{FaultSpec{}};
    for (int index = 0; index < 1000; ++index) {
        FaultDecision decision = model.decide(frame_size);
        ASSERT_EQ(decision.count, 1u);
        EXPECT_EQ(decision.copies[0].delay, Duration{0});
        EXPECT_FALSE(decision.copies[0].flipped_bit);
        EXPECT_FALSE(decision.copies[0].reordered);
    }
    EXPECT_EQ(model.stats().frames, 1000u);
    EXPECT_EQ(model.stats().lost, 0u);
}

TEST(FaultModel, CertainLossDropsEverything) {
    FaultModel model{FaultSpec{.loss_ppm = parts_per_million, .duplicate_ppm = parts_per_million}};
    for (int index = 0; index < 1000; ++index) {
        EXPECT_TRUE(model.decide(frame_size).lost());
    }
    EXPECT_EQ(model.stats().lost, 1000u);
    EXPECT_EQ(model.stats().duplicated, 0u);  // a lost frame has nothing to duplicate
}

TEST(FaultModel, CertainDuplicationAndCorruptionHitEveryFrame) {
    FaultModel model{
        FaultSpec{.duplicate_ppm = parts_per_million, .corrupt_ppm = parts_per_million}};
    for (int index = 0; index < 1000; ++index) {
        FaultDecision decision = model.decide(frame_size);
        ASSERT_EQ(decision.count, 2u);
        for (const FrameCopy& copy : decision.delivered()) {
            ASSERT_TRUE(copy.flipped_bit);
            EXPECT_LT(*copy.flipped_bit, frame_size * 8);
        }
    }
    EXPECT_EQ(model.stats().duplicated, 1000u);
    EXPECT_EQ(model.stats().corrupted, 2000u);
}

TEST(FaultModel, EmptyFramesAreNeverCorrupted) {
    FaultModel model{FaultSpec{.corrupt_ppm = parts_per_million}};
    EXPECT_FALSE(model.decide(0).copies[0].flipped_bit);
}

TEST(FaultModel, TheSameSeedGivesTheSameDecisions) {
    const FaultSpec spec{.loss_ppm = 200'000,
                         .duplicate_ppm = 100'000,
                         .reorder_ppm = 100'000,
                         .corrupt_ppm = 50'000,
                         .delay = 5ms,
                         .jitter = 1ms,
                         .seed = 42};
    EXPECT_EQ(run(spec, 2000), run(spec, 2000));
    FaultSpec other_seed = spec;
    other_seed.seed = 43;
    EXPECT_NE(run(spec, 2000), run(other_seed, 2000));
    EXPECT_NE(run(spec, 2000, 0), run(spec, 2000, 1));  // streams are independent
}

TEST(FaultModel, RatesFollowTheProbabilities) {
    const std::size_t frames = 100'000;
    FaultModel model{FaultSpec{.loss_ppm = 30'000, .duplicate_ppm = 100'000, .seed = 7}};
    for (std::size_t index = 0; index < frames; ++index) {
        (void)model.decide(frame_size);
    }
    // 3% of 100000 is 3000 with a standard deviation of about 54; 10% of the
    // survivors is about 9700, deviation about 94. Six deviations either way.
    EXPECT_NEAR(static_cast<double>(model.stats().lost), 3000.0, 330.0);
    EXPECT_NEAR(static_cast<double>(model.stats().duplicated), 9700.0, 570.0);
}

TEST(FaultModel, JitterStaysWithinItsBoundsAndUsesThemAll) {
    FaultModel model{FaultSpec{.delay = 5ms, .jitter = 1ms, .seed = 1}};
    Duration shortest = 1h;
    Duration longest{0};
    for (int index = 0; index < 10'000; ++index) {
        Duration delay = model.decide(frame_size).copies[0].delay;
        shortest = std::min(shortest, delay);
        longest = std::max(longest, delay);
    }
    EXPECT_GE(shortest, 4ms);
    EXPECT_LE(longest, 6ms);
    EXPECT_LT(shortest, 4100us);
    EXPECT_GT(longest, 5900us);
}

TEST(FaultModel, JitterNeverMakesADelayNegative) {
    FaultModel model{FaultSpec{.delay = 1ms, .jitter = 5ms, .seed = 2}};
    for (int index = 0; index < 1000; ++index) {
        EXPECT_GE(model.decide(frame_size).copies[0].delay, Duration{0});
    }
}

TEST(FaultModel, ReorderedFramesAreHeldBackWithinTheReorderDelay) {
    FaultModel model{FaultSpec{.reorder_ppm = 500'000, .reorder_delay = 10ms, .seed = 3}};
    int reordered = 0;
    for (int index = 0; index < 1000; ++index) {
        FrameCopy copy = model.decide(frame_size).copies[0];
        if (copy.reordered) {
            ++reordered;
            EXPECT_GT(copy.delay, Duration{0});
            EXPECT_LE(copy.delay, 10ms);
        } else {
            EXPECT_EQ(copy.delay, Duration{0});
        }
    }
    EXPECT_GT(reordered, 400);
    EXPECT_LT(reordered, 600);
    EXPECT_EQ(model.stats().reordered, static_cast<std::uint64_t>(reordered));
}

TEST(FaultModel, FlipBitCountsFromTheFirstBytesTopBit) {
    std::array<std::byte, 3> frame{};
    FaultModel::flip_bit(MutableByteView{frame}, 0);
    FaultModel::flip_bit(MutableByteView{frame}, 15);
    FaultModel::flip_bit(MutableByteView{frame}, 17);
    EXPECT_EQ(frame[0], std::byte{0x80});
    EXPECT_EQ(frame[1], std::byte{0x01});
    EXPECT_EQ(frame[2], std::byte{0x40});
    FaultModel::flip_bit(MutableByteView{frame}, 0);
    EXPECT_EQ(frame[0], std::byte{0x00});
}

}  // namespace
}  // namespace oasis::net
