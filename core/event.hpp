// Event: a one-shot signal that wakes every coroutine waiting for it.
#pragma once

#include "core/scheduler.hpp"

namespace oasis {

// Starts unset; set() wakes all current waiters and lets later waits pass
// at once. reset() makes it usable again (only when no one waits).
class Event {
public:
    Event() = default;
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;

    bool is_set() const { return m_set; }
    void set() {
        m_set = true;
        if (!m_waiters.empty()) {
            Scheduler::current().wake_all(m_waiters);
        }
    }
    void reset() {
        OASIS_ASSERT(m_waiters.empty());
        m_set = false;
    }
    std::size_t waiter_count() const { return m_waiters.size(); }

    // Completes once the event is set; woken by set().
    auto wait() {
        struct Awaiter {
            Event& event;
            Waiter waiter;
            bool await_ready() const { return event.m_set; }
            void await_suspend(std::coroutine_handle<> handle) {
                waiter.set_handle(handle);
                event.m_waiters.push_back(waiter);
            }
            void await_resume() {}
        };
        return Awaiter{*this, {}};
    }

private:
    bool m_set = false;
    WaitList m_waiters;
};

}  // namespace oasis
