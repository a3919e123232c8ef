// Tests of UnixClock: monotonic time agrees with the platform's, wall time with the host's.
#include "targets/unix/clock.hpp"

#include <gtest/gtest.h>
#include <time.h>

#include "targets/unix/platform.hpp"

namespace oasis::unix_target {
namespace {

TEST(UnixClock, MonotonicNeverGoesBackAndMatchesThePlatform) {
    UnixPlatform platform;
    UnixClock clock;
    const Instant from_platform = platform.now();
    const Instant from_clock = clock.monotonic();
    EXPECT_GE(from_clock, from_platform);
    EXPECT_LT(from_clock - from_platform, 500ms);
    Instant previous = from_clock;
    for (int i = 0; i < 1000; ++i) {
        const Instant current = clock.monotonic();
        EXPECT_GE(current, previous);
        previous = current;
    }
}

TEST(UnixClock, MonotonicAdvancesWithRealTime) {
    UnixClock clock;
    const Instant before = clock.monotonic();
    timespec pause{.tv_sec = 0, .tv_nsec = 20'000'000};
    ::nanosleep(&pause, nullptr);
    const Duration elapsed = clock.monotonic() - before;
    EXPECT_GE(elapsed, 20ms);
    EXPECT_LT(elapsed, 2s);
}

TEST(UnixClock, WallTimeIsTheHostsTime) {
    UnixClock clock;
    const std::int64_t host_seconds = ::time(nullptr);
    const WallTime wall = clock.wall();
    EXPECT_LE(std::abs(wall.seconds() - host_seconds), 2);
    EXPECT_GT(wall.seconds(), 1'600'000'000);  // after September 2020
}

}  // namespace
}  // namespace oasis::unix_target
