// Clock: the monotonic time since boot and the wall-clock time.
#pragma once

#include "core/time.hpp"

namespace oasis::dev {

class Clock {
public:
    virtual ~Clock() = default;
    // Never goes backwards; the scheduler's timers run on it.
    virtual Instant monotonic() = 0;
    // UTC from the host; may jump when the host's clock is set.
    virtual WallTime wall() = 0;
};

}  // namespace oasis::dev
