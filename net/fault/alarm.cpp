// Alarm: one sleeping task per set alarm, replaced when an earlier deadline comes.
#include "net/fault/alarm.hpp"

namespace oasis::net {

void Alarm::arm_no_later_than(Instant deadline) {
    if (m_deadline && *m_deadline <= deadline) {
        return;
    }
    // The old task is asleep, not running: a running one has cleared
    // m_deadline before calling back. Cancelling destroys it before it wakes.
    m_task.cancel();
    m_deadline = deadline;
    m_task = Scheduler::current().spawn(sleep_then_fire(this, deadline));
}

void Alarm::cancel() {
    m_task.cancel();
    m_task = JoinHandle{};
    m_deadline.reset();
}

Task<void> Alarm::sleep_then_fire(Alarm* alarm, Instant deadline) {
    co_await sleep_until(deadline);
    // Cleared first, so that the callback can set the alarm again.
    alarm->m_deadline.reset();
    alarm->m_task = JoinHandle{};
    alarm->m_on_fire();
}

}  // namespace oasis::net
