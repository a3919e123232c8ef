// Time for Oasis: integer nanoseconds, monotonic instants and wall-clock time.
#pragma once

#include <chrono>
#include <cstdint>

namespace oasis {

// All durations are integer nanoseconds (the guest has no floating point).
// std::chrono gives the literals (5ms, 2s) and checked conversions for free.
using Duration = std::chrono::nanoseconds;

// The monotonic clock's epoch is the boot of the unikernel. It has no now():
// the platform supplies the time (Scheduler::now()), and sans-IO protocol
// cores are handed `now` by their caller, so they never read a clock.
struct MonotonicClock {
    using rep = std::int64_t;
    using period = std::nano;
    using duration = Duration;
    using time_point = std::chrono::time_point<MonotonicClock, Duration>;
    static constexpr bool is_steady = true;
};
using Instant = MonotonicClock::time_point;

// Wall-clock time: nanoseconds since the Unix epoch, UTC. It can jump; never
// use it for timeouts.
struct WallTime {
    std::int64_t nanoseconds_since_epoch = 0;
    std::int64_t seconds() const { return nanoseconds_since_epoch / 1'000'000'000; }
    friend auto operator<=>(const WallTime&, const WallTime&) = default;
};

using namespace std::chrono_literals;

}  // namespace oasis
