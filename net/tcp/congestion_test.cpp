// Tests for NewReno and CUBIC congestion control, with ACK clocking simulated on a virtual
// timeline.
#include "net/tcp/congestion.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace oasis::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::uint32_t mss = 1460;
constexpr std::uint32_t segments(std::uint32_t count) {
    return count * mss;
}

// One round trip of ACK clocking for a window-limited sender: the window
// that is out at the start comes back as one ACK per segment, spread over
// the round trip, and each ACK lets a new segment out, so the flight stays
// at the window.
void ack_round(TcpCongestionController& controller, Instant& now, Duration rtt) {
    std::uint32_t count = controller.window() / mss;
    Instant start = now;
    for (std::uint32_t i = 0; i < count; ++i) {
        now = start + rtt * i / count;
        controller.on_ack(mss, controller.window(), rtt, now);
    }
    now = start + rtt;
}

// Slow start one segment per ACK up to `count` segments.
void grow_to(TcpCongestionController& controller, std::uint32_t count, Instant now) {
    while (controller.window() < segments(count)) {
        controller.on_ack(mss, controller.window(), milliseconds(100), now);
    }
    ASSERT_EQ(controller.window(), segments(count));
}

// NewReno.

TEST(TcpCongestion, InitialWindowFollowsRfc6928) {
    EXPECT_EQ(initial_congestion_window(536), 5360u);         // 10*MSS
    EXPECT_EQ(initial_congestion_window(1460), 14600u);       // 10*MSS = 14600
    EXPECT_EQ(initial_congestion_window(4000), 14600u);       // the 14600-byte cap
    EXPECT_EQ(initial_congestion_window(9000), 18000u);       // 2*MSS above the cap
    EXPECT_EQ(initial_congestion_window(0), 10u);             // zero counts as 1
    EXPECT_EQ(initial_congestion_window(100'000), 131'070u);  // MSS is 16 bits
}

TEST(TcpCongestion, NamesRoundTrip) {
    EXPECT_EQ(congestion_algorithm_name(TcpCongestionAlgorithm::new_reno), "newreno");
    EXPECT_EQ(congestion_algorithm_name(TcpCongestionAlgorithm::cubic), "cubic");
    EXPECT_EQ(parse_congestion_algorithm("newreno"), TcpCongestionAlgorithm::new_reno);
    EXPECT_EQ(parse_congestion_algorithm("reno"), TcpCongestionAlgorithm::new_reno);
    EXPECT_EQ(parse_congestion_algorithm("cubic"), TcpCongestionAlgorithm::cubic);
    EXPECT_FALSE(parse_congestion_algorithm("bbr"));
    EXPECT_FALSE(parse_congestion_algorithm(""));
}

TEST(TcpCongestion, FactoryMakesTheAlgorithmAsked) {
    for (auto algorithm : {TcpCongestionAlgorithm::new_reno, TcpCongestionAlgorithm::cubic}) {
        auto controller = make_congestion_controller(algorithm, 536);
        EXPECT_EQ(controller->algorithm(), algorithm);
        EXPECT_EQ(controller->window(), 5360u);
        EXPECT_EQ(controller->slow_start_threshold(), UINT32_MAX);  // RFC 5681 §3.1
        controller->set_maximum_segment_size(1460);
        EXPECT_EQ(controller->window(), 14600u);
    }
}

TEST(TcpNewReno, SlowStartDoublesEachRoundTrip) {
    TcpNewReno reno(mss);
    Instant now{};
    for (std::uint32_t expected : {20u, 40u, 80u, 160u}) {
        ack_round(reno, now, milliseconds(50));
        EXPECT_EQ(reno.window(), segments(expected));
    }
}

TEST(TcpNewReno, SlowStartCountsAtMostTwoSegmentsPerAck) {
    // RFC 3465 §2.2: L = 2*SMSS, so a stretch ACK for 4 segments adds 2.
    TcpNewReno reno(mss);
    reno.on_ack(segments(4), segments(10), Duration::zero(), Instant{});
    EXPECT_EQ(reno.window(), segments(12));
    reno.on_ack(100, segments(10), Duration::zero(), Instant{});
    EXPECT_EQ(reno.window(), segments(12) + 100);
}

TEST(TcpNewReno, SlowStartStopsAtThreshold) {
    TcpNewReno reno(mss);
    reno.on_retransmission_timeout(segments(7), Instant{});  // ssthresh 3.5 segments
    reno.on_ack(mss, mss, Duration::zero(), Instant{});
    reno.on_ack(mss, segments(2), Duration::zero(), Instant{});
    reno.on_ack(mss, segments(3), Duration::zero(), Instant{});
    EXPECT_EQ(reno.window(), segments(7) / 2);
}

TEST(TcpNewReno, CongestionAvoidanceAddsOneSegmentPerRoundTrip) {
    TcpNewReno reno(mss);
    reno.on_congestion_event(segments(40), Instant{});
    ASSERT_EQ(reno.window(), segments(20));
    Instant now{};
    for (std::uint32_t expected = 21; expected <= 30; ++expected) {
        ack_round(reno, now, milliseconds(50));
        EXPECT_EQ(reno.window(), segments(expected));
    }
}

TEST(TcpNewReno, CongestionEventHalvesFlightSize) {
    // RFC 5681 §3.2 equation (4): ssthresh = max(FlightSize/2, 2*SMSS).
    TcpNewReno reno(mss);
    grow_to(reno, 64, Instant{});
    reno.on_congestion_event(segments(60), Instant{});
    EXPECT_EQ(reno.slow_start_threshold(), segments(30));
    EXPECT_EQ(reno.window(), segments(30));
    reno.on_congestion_event(segments(3), Instant{});
    EXPECT_EQ(reno.slow_start_threshold(), segments(2));
    EXPECT_EQ(reno.window(), segments(2));
}

TEST(TcpNewReno, TimeoutLeavesOneSegment) {
    TcpNewReno reno(mss);
    grow_to(reno, 40, Instant{});
    reno.on_retransmission_timeout(segments(40), Instant{});
    EXPECT_EQ(reno.window(), mss);  // RFC 5681 §3.1: the loss window
    EXPECT_EQ(reno.slow_start_threshold(), segments(20));
    // Slow start again: 1, 2, 4, 8, 16 segments, then 20 at ssthresh.
    Instant now{};
    for (std::uint32_t expected : {2u, 4u, 8u, 16u, 20u, 21u}) {
        ack_round(reno, now, milliseconds(50));
        EXPECT_EQ(reno.window(), segments(expected));
    }
}

TEST(TcpNewReno, RecoveryExitDeflatesToFlightPlusOneSegment) {
    // RFC 6582 §3.2 step 3: min(ssthresh, max(FlightSize, SMSS) + SMSS).
    TcpNewReno reno(mss);
    reno.on_congestion_event(segments(40), Instant{});
    reno.on_recovery_exit(segments(5), Instant{});
    EXPECT_EQ(reno.window(), segments(6));
    reno.on_recovery_exit(segments(30), Instant{});
    EXPECT_EQ(reno.window(), segments(20));
    reno.on_recovery_exit(0, Instant{});
    EXPECT_EQ(reno.window(), segments(2));
}

TEST(TcpNewReno, IdleRestartFallsBackToInitialWindow) {
    // RFC 5681 §4.1: RW = min(IW, cwnd).
    TcpNewReno reno(mss);
    grow_to(reno, 40, Instant{});
    reno.on_idle_restart(Instant{});
    EXPECT_EQ(reno.window(), segments(10));
    reno.on_retransmission_timeout(segments(10), Instant{});
    reno.on_idle_restart(Instant{});
    EXPECT_EQ(reno.window(), mss);
}

TEST(TcpNewReno, ApplicationLimitedSenderDoesNotGrow) {
    TcpNewReno reno(mss);
    // Slow start: 4 of 10 segments in flight is under half the window.
    for (int i = 0; i < 100; ++i) {
        reno.on_ack(mss, segments(4), Duration::zero(), Instant{});
    }
    EXPECT_EQ(reno.window(), segments(10));
    reno.on_ack(mss, segments(5), Duration::zero(), Instant{});  // half the window: tested
    EXPECT_EQ(reno.window(), segments(11));
    // Congestion avoidance likewise.
    reno.on_congestion_event(segments(40), Instant{});
    for (int i = 0; i < 1000; ++i) {
        reno.on_ack(mss, segments(9), Duration::zero(), Instant{});
    }
    EXPECT_EQ(reno.window(), segments(20));
}

TEST(TcpNewReno, WindowStopsAtTheLargestOfferableWindow) {
    TcpNewReno reno(mss);
    for (int i = 0; i < 400'000; ++i) {
        reno.on_ack(segments(2), reno.window(), Duration::zero(), Instant{});
    }
    EXPECT_EQ(reno.window(), tcp_maximum_congestion_window);
    // A flight size beyond any window (a connection's bug) cannot push past it either.
    reno.on_congestion_event(UINT32_MAX, Instant{});
    EXPECT_EQ(reno.window(), tcp_maximum_congestion_window);
    EXPECT_EQ(reno.slow_start_threshold(), tcp_maximum_congestion_window);
}

// CUBIC's cube root.

// floor(cbrt(value)) by bisection, with 128-bit cubes so nothing overflows.
std::uint64_t reference_cube_root(std::uint64_t value) {
    std::uint64_t low = 0;
    std::uint64_t high = 2'642'246;  // (2^64)^(1/3) < 2642246
    while (high - low > 1) {
        std::uint64_t middle = (low + high) / 2;
        unsigned __int128 cube = static_cast<unsigned __int128>(middle) * middle * middle;
        (cube <= value ? low : high) = middle;
    }
    return low;
}

TEST(TcpCubicRoot, ExactOverTheWholeRange) {
    // The error bound is zero: the result is floor(cbrt(value)) everywhere.
    for (std::uint64_t value = 0; value < (1u << 20); ++value) {
        ASSERT_EQ(integer_cube_root(value), reference_cube_root(value)) << value;
    }
    // Around every perfect cube up to the largest below 2^64.
    for (std::uint64_t root = 1; root <= 2'642'245; ++root) {
        std::uint64_t cube = root * root * root;
        ASSERT_EQ(integer_cube_root(cube), root) << cube;
        ASSERT_EQ(integer_cube_root(cube - 1), root - 1) << cube - 1;
    }
    EXPECT_EQ(integer_cube_root(std::numeric_limits<std::uint64_t>::max()), 2'642'245u);
    // Powers of two and their neighbours, then pseudo-random values of every width.
    for (unsigned shift = 0; shift < 64; ++shift) {
        std::uint64_t power = std::uint64_t{1} << shift;
        for (std::uint64_t value : {power - 1, power, power + 1}) {
            ASSERT_EQ(integer_cube_root(value), reference_cube_root(value)) << value;
        }
    }
    std::uint64_t state = 0x9e3779b97f4a7c15;
    for (int i = 0; i < 200'000; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        std::uint64_t value = state >> (i % 64);
        ASSERT_EQ(integer_cube_root(value), reference_cube_root(value)) << value;
    }
}

// CUBIC.

constexpr Instant epoch = Instant{} + seconds(10);

// A CUBIC sender that grew to `count` segments in slow start and then saw
// a loss with the whole window in flight.
TcpCubic cubic_after_loss(std::uint32_t count) {
    TcpCubic cubic(mss);
    grow_to(cubic, count, Instant{});
    cubic.on_congestion_event(segments(count), Instant{} + seconds(1));
    return cubic;
}

TEST(TcpCubic, SlowStartDoublesEachRoundTrip) {
    TcpCubic cubic(mss);
    Instant now{};
    for (std::uint32_t expected : {20u, 40u, 80u}) {
        ack_round(cubic, now, milliseconds(50));
        EXPECT_EQ(cubic.window(), segments(expected));
    }
    EXPECT_FALSE(cubic.in_epoch());
}

TEST(TcpCubic, LossSetsMaximumAndK) {
    TcpCubic cubic = cubic_after_loss(100);
    // RFC 9438 §4.6: ssthresh = cwnd = 0.7 * 100 segments; W_max = 100 segments.
    EXPECT_EQ(cubic.slow_start_threshold(), segments(70));
    EXPECT_EQ(cubic.window(), segments(70));
    EXPECT_EQ(cubic.maximum_window(), segments(100));
    EXPECT_FALSE(cubic.in_epoch());
    // The epoch starts with the first ACK in congestion avoidance.
    // §4.2: K = cbrt(30 / 0.4) s = 4.2172 s = 4318.4 units of 2^-10 s.
    cubic.on_ack(mss, segments(70), milliseconds(100), epoch);
    EXPECT_TRUE(cubic.in_epoch());
    EXPECT_EQ(cubic.time_to_maximum(), TcpCubic::Time{4318});
    // The curve passes through cwnd_epoch at t = 0 and W_max at t = K.
    EXPECT_NEAR(cubic.cubic_window(TcpCubic::Time{0}), segments(70), 20);
    EXPECT_EQ(cubic.cubic_window(cubic.time_to_maximum()), segments(100));
    // And W_cubic(K + 1 s) = W_max + 0.4 segments.
    EXPECT_NEAR(cubic.cubic_window(TcpCubic::Time{4318 + 1024}), segments(100) + 584, 1);
}

// A large window at a long RTT, where the cubic curve rather than the Reno
// estimate sets the pace: W_max = 1000 segments, K = cbrt(750) = 9.086 s.
struct CubicTrace {
    std::vector<std::uint32_t> windows;  // at the start of every round, 100 ms apart
    TcpCubic cubic = cubic_after_loss(1000);
};

CubicTrace trace_cubic(Duration length) {
    CubicTrace trace;
    Instant now = epoch;
    while (now - epoch <= length) {
        trace.windows.push_back(trace.cubic.window());
        ack_round(trace.cubic, now, milliseconds(100));
    }
    return trace;
}

TEST(TcpCubic, WindowReturnsToMaximumAroundK) {
    CubicTrace trace = trace_cubic(seconds(16));
    EXPECT_EQ(trace.cubic.time_to_maximum(), TcpCubic::Time{9303});  // 9.0856 s
    std::uint32_t maximum = segments(1000);
    // At t = 9.1 s, the round nearest K, within half a percent of W_max.
    EXPECT_NEAR(trace.windows[91], maximum, maximum / 200);
    // Below W_max until shortly before K, above it from shortly after.
    for (std::size_t round = 0; round < 85; ++round) {
        EXPECT_LT(trace.windows[round], maximum) << round;
    }
    for (std::size_t round = 97; round < trace.windows.size(); ++round) {
        EXPECT_GT(trace.windows[round], maximum) << round;
    }
}

TEST(TcpCubic, ConcaveBeforeKConvexAfter) {
    CubicTrace trace = trace_cubic(seconds(16));
    // Growth over successive 2 s spans shrinks up to K and swells after it.
    // By the curve: 157, 90, 41, 11 segments; then 10, 38, 85.
    auto growth = [&](std::size_t from_second) {
        return trace.windows[from_second * 10 + 20] - trace.windows[from_second * 10];
    };
    EXPECT_GT(growth(0), growth(2));
    EXPECT_GT(growth(2), growth(4));
    EXPECT_GT(growth(4), growth(6));
    EXPECT_LT(growth(10), growth(12));
    EXPECT_LT(growth(12), growth(14));
    EXPECT_NEAR(growth(0), segments(157), segments(6));
    EXPECT_NEAR(growth(14), segments(85), segments(6));
    // Here the curve, not the Reno estimate, sets the window.
    EXPECT_GT(trace.cubic.window(), trace.cubic.reno_window() + segments(100));
}

TEST(TcpCubic, RenoFriendlyRegionRulesAtShortRtt) {
    // W_max = 20 segments, RTT = 10 ms: the curve takes K = cbrt(15) = 2.47 s
    // to climb 6 segments, while Reno would add 9/17 segment per round trip
    // (RFC 9438 §4.3) and then, past cwnd_prior, a whole one.
    TcpCubic cubic = cubic_after_loss(20);
    Instant now = epoch;
    for (int round = 0; round < 10; ++round) {
        ack_round(cubic, now, milliseconds(10));
    }
    // 14 + 10 * 9/17 = 19.29 segments.
    EXPECT_NEAR(cubic.window(), segments(14) + segments(90) / 17, mss / 4);
    EXPECT_EQ(cubic.window(), cubic.reno_window());
    for (int round = 10; round < 100; ++round) {
        ack_round(cubic, now, milliseconds(10));
    }
    // 20 segments after 11.3 rounds, then one per round: about 108.7.
    EXPECT_NEAR(cubic.window(), segments(108), segments(2));
    EXPECT_EQ(cubic.window(), cubic.reno_window());
    EXPECT_LT(cubic.cubic_window(std::chrono::duration_cast<TcpCubic::Time>(now - epoch)),
              segments(20));
}

TEST(TcpCubic, FastConvergenceLowersMaximum) {
    // RFC 9438 §4.7: a loss below the last W_max sets W_max = cwnd * (1 + 0.7) / 2.
    TcpCubic cubic = cubic_after_loss(100);
    ASSERT_EQ(cubic.window(), segments(70));
    cubic.on_congestion_event(segments(70), Instant{} + seconds(2));
    EXPECT_EQ(cubic.maximum_window(), segments(70) * 17 / 20);
    EXPECT_EQ(cubic.window(), segments(49));
    // A loss above the last W_max takes the window as it is.
    TcpCubic grown = cubic_after_loss(100);
    grown.on_ack(mss, grown.window(), milliseconds(100), epoch);
    Instant now = epoch;
    while (grown.window() <= segments(101)) {
        ack_round(grown, now, milliseconds(100));
    }
    std::uint32_t before = grown.window();
    grown.on_congestion_event(before, now);
    EXPECT_EQ(grown.maximum_window(), before);
    EXPECT_EQ(grown.window(), before * 7u / 10);
}

TEST(TcpCubic, TimeoutRestartsTheCurveFromItsOwnWindow) {
    TcpCubic cubic = cubic_after_loss(100);
    cubic.on_ack(mss, cubic.window(), milliseconds(100), epoch);
    cubic.on_retransmission_timeout(segments(70), epoch + seconds(1));
    EXPECT_EQ(cubic.window(), mss);
    EXPECT_EQ(cubic.slow_start_threshold(), segments(49));
    EXPECT_FALSE(cubic.in_epoch());
    // Slow start back to ssthresh, then RFC 9438 §4.8: K = 0 and W_max is
    // the window at the start of congestion avoidance.
    Instant now = epoch + seconds(2);
    while (cubic.window() < segments(49)) {
        cubic.on_ack(mss, cubic.window(), milliseconds(100), now);
    }
    EXPECT_EQ(cubic.window(), segments(49));
    EXPECT_FALSE(cubic.in_epoch());
    cubic.on_ack(mss, cubic.window(), milliseconds(100), now);
    EXPECT_TRUE(cubic.in_epoch());
    EXPECT_EQ(cubic.time_to_maximum(), TcpCubic::Time{0});
    EXPECT_EQ(cubic.maximum_window(), segments(49));
}

TEST(TcpCubic, RecoveryExitAndIdleRestart) {
    TcpCubic cubic = cubic_after_loss(100);
    cubic.on_recovery_exit(segments(30), Instant{});
    EXPECT_EQ(cubic.window(), segments(31));
    cubic.on_recovery_exit(segments(90), Instant{});
    EXPECT_EQ(cubic.window(), segments(70));
    cubic.on_ack(mss, cubic.window(), milliseconds(100), epoch);
    ASSERT_TRUE(cubic.in_epoch());
    cubic.on_idle_restart(epoch + seconds(5));
    EXPECT_EQ(cubic.window(), segments(10));
    EXPECT_FALSE(cubic.in_epoch());
    EXPECT_EQ(cubic.maximum_window(), segments(100));
}

TEST(TcpCubic, ApplicationLimitedSenderDoesNotGrow) {
    TcpCubic cubic = cubic_after_loss(100);
    Instant now = epoch;
    for (int i = 0; i < 10'000; ++i) {
        now += milliseconds(1);
        cubic.on_ack(mss, segments(34), milliseconds(100), now);
    }
    EXPECT_EQ(cubic.window(), segments(70));
    EXPECT_FALSE(cubic.in_epoch());
}

TEST(TcpCubic, GrowthIsBoundedAfterHoursAndAtTheLargestWindow) {
    TcpCubic cubic = cubic_after_loss(100);
    cubic.on_ack(mss, cubic.window(), milliseconds(100), epoch);
    // Hours into the epoch the curve is off the scale but saturates.
    EXPECT_EQ(cubic.cubic_window(std::chrono::duration_cast<TcpCubic::Time>(std::chrono::hours(5))),
              tcp_maximum_congestion_window);
    // An ACK then grows the window by at most half the bytes it acknowledges
    // (the 1.5 * cwnd target bound of RFC 9438 §4.2).
    std::uint32_t before = cubic.window();
    cubic.on_ack(mss, before, milliseconds(100), epoch + std::chrono::hours(5));
    EXPECT_LE(cubic.window(), before + mss / 2);
    EXPECT_GE(cubic.window(), before + mss / 2 - 1);
    // Stretch ACKs of a whole window each take it to the largest window, not past it.
    for (int i = 0; i < 100; ++i) {
        cubic.on_ack(cubic.window(), cubic.window(), milliseconds(100),
                     epoch + std::chrono::hours(5));
    }
    EXPECT_LE(cubic.window(), tcp_maximum_congestion_window);
    EXPECT_GT(cubic.window(), tcp_maximum_congestion_window - mss);
    cubic.on_congestion_event(UINT32_MAX, epoch + std::chrono::hours(6));
    EXPECT_EQ(cubic.window(), tcp_maximum_congestion_window);
}

}  // namespace
}  // namespace oasis::net
