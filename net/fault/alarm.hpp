// Alarm: calls a function at a given time, through a task that sleeps on the scheduler's timers.
#pragma once

#include <functional>
#include <optional>

#include "core/scheduler.hpp"
#include "core/time.hpp"

namespace oasis::net {

// Devices that hold frames for a while (the simulated switch, the fault
// injector) need to act when the first of them is due. An Alarm does that
// with a spawned task asleep in sleep_until(), so the scheduler sees a timer
// exactly while something is pending: a virtual clock jumps straight to the
// deadline, and with nothing pending the deadlock check stays meaningful.
//
// Contract: arm() needs a live Scheduler (Scheduler::current()). The callback
// runs inside the alarm's task, from the scheduler's loop, never from arm().
// It may arm the alarm again. Destroying the alarm cancels it.
class Alarm {
public:
    explicit Alarm(std::function<void()> on_fire) : m_on_fire(std::move(on_fire)) {}
    Alarm(const Alarm&) = delete;
    Alarm& operator=(const Alarm&) = delete;
    ~Alarm() { cancel(); }

    // Makes the alarm fire at `deadline` (at once if it has passed), unless
    // it is already set to fire at or before `deadline`.
    void arm_no_later_than(Instant deadline);
    // Stops a set alarm from firing; a no-op otherwise.
    void cancel();

    std::optional<Instant> deadline() const { return m_deadline; }

private:
    // Woken by the scheduler's timer heap at `deadline`.
    static Task<void> sleep_then_fire(Alarm* alarm, Instant deadline);

    std::function<void()> m_on_fire;
    std::optional<Instant> m_deadline;  // set while a task sleeps for it
    JoinHandle m_task;
};

}  // namespace oasis::net
