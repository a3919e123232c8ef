// UnixClock: the unix target's clocks, read from Linux's CLOCK_MONOTONIC and CLOCK_REALTIME.
#pragma once

#include "core/time.hpp"
#include "dev/clock.hpp"

namespace oasis::unix_target {

// The process's monotonic time: CLOCK_MONOTONIC less its value at the first
// call, which the platform makes when it is built, so "boot" is the start of
// the process. Every caller in the process shares that epoch, so the
// scheduler's now() and UnixClock::monotonic() agree. Thread-safe.
Instant monotonic_now();

// CLOCK_REALTIME as nanoseconds since the Unix epoch.
WallTime wall_now();

class UnixClock final : public dev::Clock {
public:
    Instant monotonic() override { return monotonic_now(); }
    WallTime wall() override { return wall_now(); }
};

}  // namespace oasis::unix_target
