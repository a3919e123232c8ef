// with_timeout / with_deadline: run a task, but give up on it at a deadline.
#pragma once

#include <utility>

#include "core/result.hpp"
#include "core/scheduler.hpp"

namespace oasis {

struct TimedOut {};

// Awaiting it starts `task`; the awaiter resumes either when the task
// finishes (its value) or when the deadline passes (TimedOut), whichever is
// first. On timeout the task's frame is destroyed, which cancels everything it
// was waiting on (see wait_list.hpp). Woken by the task's completion, which
// transfers control straight back, or by the timer heap.
template <typename T>
class [[nodiscard]] WithDeadline {
public:
    WithDeadline(Instant deadline, Task<T> task) : m_deadline(deadline), m_task(std::move(task)) {}

    bool await_ready() { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) {
        Scheduler::current().arm(m_timer, m_deadline, awaiting);
        m_task.handle().promise().continuation = awaiting;
        return m_task.handle();
    }
    Result<T, TimedOut> await_resume() {
        m_timer.cancel();
        if (!m_task.done()) {
            m_task.reset();
            return Error{TimedOut{}};
        }
        if constexpr (std::is_void_v<T>) {
            return {};
        } else {
            return m_task.handle().promise().take_result();
        }
    }

private:
    Instant m_deadline;
    Task<T> m_task;
    TimerNode m_timer;
};

template <typename T>
WithDeadline<T> with_deadline(Instant deadline, Task<T> task) {
    return WithDeadline<T>{deadline, std::move(task)};
}

template <typename T>
WithDeadline<T> with_timeout(Duration timeout, Task<T> task) {
    return WithDeadline<T>{Scheduler::current().now() + timeout, std::move(task)};
}

}  // namespace oasis
