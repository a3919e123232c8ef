// Tests for the RFC 6298 retransmission timer estimator, on values computed by hand.
#include "net/tcp/rtt.hpp"

#include <gtest/gtest.h>

namespace oasis::net {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(TcpRttEstimator, InitialTimeoutBeforeAnySample) {
    TcpRttEstimator rtt;
    EXPECT_EQ(rtt.timeout(), seconds(1));  // RFC 6298 §2.1
    EXPECT_FALSE(rtt.smoothed());
    EXPECT_FALSE(rtt.latest());
    EXPECT_FALSE(rtt.minimum_observed());
    EXPECT_EQ(rtt.variation(), Duration::zero());
}

TEST(TcpRttEstimator, FirstSampleSetsSmoothedAndHalfVariation) {
    // RFC 6298 §2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4*RTTVAR.
    TcpRttEstimator rtt;
    rtt.on_sample(milliseconds(100));
    EXPECT_EQ(rtt.smoothed(), milliseconds(100));
    EXPECT_EQ(rtt.variation(), milliseconds(50));
    EXPECT_EQ(rtt.timeout(), milliseconds(300));
}

TEST(TcpRttEstimator, LaterSamplesUseAlphaAndBeta) {
    // RFC 6298 §2.3, by hand:
    // R' = 180 ms: RTTVAR = 3/4*50 + 1/4*|100-180| = 57.5; SRTT = 7/8*100 + 1/8*180 = 110;
    //              RTO = 110 + 4*57.5 = 340.
    // R' = 60 ms:  RTTVAR = 3/4*57.5 + 1/4*|110-60| = 55.625; SRTT = 7/8*110 + 60/8 = 103.75;
    //              RTO = 103.75 + 222.5 = 326.25.
    TcpRttEstimator rtt;
    rtt.on_sample(milliseconds(100));
    rtt.on_sample(milliseconds(180));
    EXPECT_EQ(rtt.variation(), microseconds(57'500));
    EXPECT_EQ(rtt.smoothed(), milliseconds(110));
    EXPECT_EQ(rtt.timeout(), milliseconds(340));
    rtt.on_sample(milliseconds(60));
    EXPECT_EQ(rtt.variation(), microseconds(55'625));
    EXPECT_EQ(rtt.smoothed(), microseconds(103'750));
    EXPECT_EQ(rtt.timeout(), microseconds(326'250));
    EXPECT_EQ(rtt.latest(), milliseconds(60));
    EXPECT_EQ(rtt.minimum_observed(), milliseconds(60));
    rtt.on_sample(milliseconds(90));
    EXPECT_EQ(rtt.latest(), milliseconds(90));
    EXPECT_EQ(rtt.minimum_observed(), milliseconds(60));
}

TEST(TcpRttEstimator, GranularityBoundsTheVariationTerm) {
    // RFC 6298 §2.3: RTO = SRTT + max(G, K*RTTVAR). Steady 20 ms samples make
    // RTTVAR shrink by 3/4 each time: 10 ms * (3/4)^10 < 0.6 ms, so 4*RTTVAR < G.
    TcpRttLimits limits;
    limits.minimum = milliseconds(1);
    limits.granularity = milliseconds(10);
    TcpRttEstimator rtt(limits);
    for (int i = 0; i < 11; ++i) {
        rtt.on_sample(milliseconds(20));
    }
    EXPECT_EQ(rtt.smoothed(), milliseconds(20));
    EXPECT_LT(4 * rtt.variation(), milliseconds(10));
    EXPECT_EQ(rtt.timeout(), milliseconds(30));
}

TEST(TcpRttEstimator, TimeoutIsClampedToMinimumAndMaximum) {
    TcpRttEstimator fast;
    fast.on_sample(milliseconds(1));  // 1 + 4*0.5 = 3 ms
    EXPECT_EQ(fast.timeout(), milliseconds(200));

    TcpRttEstimator slow;
    slow.on_sample(seconds(50));  // 50 + 4*25 = 150 s: RFC 6298 §2.5
    EXPECT_EQ(slow.timeout(), seconds(60));
}

TEST(TcpRttEstimator, SamplesAreClampedToGranularityAndMaximum) {
    TcpRttEstimator zero;
    zero.on_sample(Duration::zero());
    EXPECT_EQ(zero.latest(), milliseconds(1));
    EXPECT_EQ(zero.smoothed(), milliseconds(1));

    TcpRttEstimator negative;
    negative.on_sample(-seconds(5));
    EXPECT_EQ(negative.latest(), milliseconds(1));
    EXPECT_EQ(negative.minimum_observed(), milliseconds(1));

    // A forged timestamp echo could claim days; arithmetic stays in range.
    TcpRttEstimator huge;
    huge.on_sample(std::chrono::hours(24 * 365 * 100));
    EXPECT_EQ(huge.latest(), seconds(60));
    EXPECT_EQ(huge.timeout(), seconds(60));
}

TEST(TcpRttEstimator, BackoffDoublesAndSaturatesAtMaximum) {
    // RFC 6298 §5.5, from 300 ms: 600 ms, 1.2 s, ... 38.4 s, then 60 s.
    TcpRttEstimator rtt;
    rtt.on_sample(milliseconds(100));
    Duration expected = milliseconds(300);
    for (unsigned i = 1; i <= 7; ++i) {
        rtt.back_off();
        expected *= 2;
        EXPECT_EQ(rtt.timeout(), expected) << i;
        EXPECT_EQ(rtt.backoff_count(), i);
    }
    EXPECT_EQ(rtt.timeout(), milliseconds(38'400));
    rtt.back_off();
    EXPECT_EQ(rtt.timeout(), seconds(60));
    // The count goes on (a connection gives up by it); the timeout does not.
    for (int i = 0; i < 10'000; ++i) {
        rtt.back_off();
    }
    EXPECT_EQ(rtt.backoff_count(), 10'008u);
    EXPECT_EQ(rtt.timeout(), seconds(60));
}

TEST(TcpRttEstimator, BackoffWithoutSamplesStartsFromInitial) {
    // Karn's algorithm (RFC 6298 §3) gives no samples while retransmitting a
    // SYN; the backoff works all the same.
    TcpRttEstimator rtt;
    rtt.back_off();
    EXPECT_EQ(rtt.timeout(), seconds(2));
    rtt.back_off();
    EXPECT_EQ(rtt.timeout(), seconds(4));
    for (int i = 0; i < 4; ++i) {
        rtt.back_off();
    }
    EXPECT_EQ(rtt.timeout(), seconds(60));  // 64 s, capped
}

TEST(TcpRttEstimator, NewSampleOrResetEndsBackoff) {
    TcpRttEstimator rtt;
    rtt.on_sample(milliseconds(100));
    rtt.back_off();
    rtt.back_off();
    EXPECT_EQ(rtt.timeout(), milliseconds(1200));
    rtt.reset_backoff();
    EXPECT_EQ(rtt.backoff_count(), 0u);
    EXPECT_EQ(rtt.timeout(), milliseconds(300));

    rtt.back_off();
    rtt.on_sample(milliseconds(100));  // RTTVAR = 3/4*50 = 37.5, RTO = 100 + 150
    EXPECT_EQ(rtt.backoff_count(), 0u);
    EXPECT_EQ(rtt.timeout(), milliseconds(250));
}

}  // namespace
}  // namespace oasis::net
