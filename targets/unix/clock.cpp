// The unix target's clocks.
#include "targets/unix/clock.hpp"

#include <time.h>

#include <cstdint>

#include "core/panic.hpp"

namespace oasis::unix_target {

namespace {

std::int64_t read_nanoseconds(clockid_t clock) {
    timespec now{};
    // Fails only for an invalid clock id or a bad pointer, neither possible here.
    if (::clock_gettime(clock, &now) != 0) {
        panic("clock_gettime failed");
    }
    return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

}  // namespace

Instant monotonic_now() {
    // A function-local static: initialised once, thread-safely, on first use.
    static const std::int64_t start = read_nanoseconds(CLOCK_MONOTONIC);
    return Instant{Duration{read_nanoseconds(CLOCK_MONOTONIC) - start}};
}

WallTime wall_now() {
    return WallTime{read_nanoseconds(CLOCK_REALTIME)};
}

}  // namespace oasis::unix_target
