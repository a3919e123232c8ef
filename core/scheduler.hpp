// The scheduler: a run queue and a timer heap that drive Oasis's coroutines.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/task.hpp"
#include "core/time.hpp"
#include "core/wait_list.hpp"

namespace oasis {

class Scheduler;

// What the scheduler needs from the machine it runs on (targets/ implement it).
class Platform {
public:
    virtual ~Platform() = default;

    // The monotonic clock, nanoseconds since boot.
    virtual Instant now() = 0;

    // Blocks until an event source (a device) is ready or `deadline` passes,
    // then runs the handlers of the ready sources; handlers wake waiters
    // through Scheduler::wake*. With no deadline it blocks until a source is
    // ready. A deadline at or before now() polls without blocking. It may
    // return early for no reason; the scheduler copes.
    virtual void poll(std::optional<Instant> deadline) = 0;

    // True when some event source could still wake a task. With no runnable
    // task, no timer and no source, nothing can ever happen: a deadlock.
    virtual bool has_event_sources() const = 0;
};

// A deadline in the scheduler's timer heap. Like Waiter, it lives in an
// awaiter inside a suspended frame and removes itself when destroyed.
class TimerNode {
public:
    TimerNode() = default;
    TimerNode(const TimerNode&) = delete;
    TimerNode& operator=(const TimerNode&) = delete;
    ~TimerNode() { cancel(); }

    Instant deadline() const { return m_deadline; }
    bool is_armed() const { return m_scheduler != nullptr; }
    Waiter& waiter() { return m_waiter; }
    // Removes the timer from the heap if it is there; a no-op otherwise.
    void cancel();

private:
    friend class Scheduler;
    Waiter m_waiter;
    Instant m_deadline{};
    std::uint64_t m_sequence = 0;
    std::size_t m_heap_index = 0;
    Scheduler* m_scheduler = nullptr;
};

namespace detail {
struct SpawnState;
}

// A handle on a spawned task: check it, cancel it, or wait for it to end.
// Dropping the handle does not stop the task (it is detached).
class JoinHandle {
public:
    JoinHandle() = default;
    explicit JoinHandle(detail::SpawnState* state);
    JoinHandle(const JoinHandle& other);
    JoinHandle(JoinHandle&& other) noexcept;
    JoinHandle& operator=(JoinHandle other) noexcept;
    ~JoinHandle();

    // True once the task has returned or been cancelled.
    bool finished() const;
    // Asks the scheduler to destroy the task's frame before it runs again.
    // Safe to call from inside the task itself; a no-op once finished.
    void cancel();
    // Awaitable that completes when the task has finished; woken by the
    // task's completion or cancellation.
    Task<void> join() const;

private:
    friend class Scheduler;
    detail::SpawnState* m_state = nullptr;
};

struct SchedulerStats {
    std::uint64_t resumptions = 0;
    std::uint64_t timers_fired = 0;
    std::uint64_t polls = 0;
    std::uint64_t spawned = 0;
};

// Cooperative and single-threaded: one task runs at a time, until it awaits.
// Tasks are resumed only from the scheduler's loop, never from inside another
// task, so the stack stays shallow and a task can be cancelled (its frame
// destroyed) whenever it is not the one running.
//
// Exactly one scheduler exists at a time; awaitables such as sleep_for find
// it through Scheduler::current().
class Scheduler {
public:
    explicit Scheduler(Platform& platform);
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;
    // Cancels every task still alive.
    ~Scheduler();

    static Scheduler& current();

    Instant now() { return m_platform.now(); }
    Platform& platform() { return m_platform; }
    const SchedulerStats& stats() const { return m_stats; }

    // Runs `main` and every task it spawns until `main` returns; returns its
    // value (the unikernel's exit status). Panics on deadlock: when `main`
    // waits and no task, timer or event source can ever wake it.
    int run(Task<int> main);

    // Runs until no task is runnable and no timer is armed (tests, mostly;
    // with a virtual clock this jumps through time from timer to timer).
    void run_until_idle();

    // Starts `task` on its own; it runs concurrently with its spawner.
    JoinHandle spawn(Task<void> task);

    // Makes a waiting coroutine runnable; it runs in a later round.
    void wake(Waiter& waiter);
    // Wakes the oldest waiter of `list`; returns false when it was empty.
    bool wake_one(WaitList& list);
    void wake_all(WaitList& list);

    void arm(TimerNode& timer, Instant deadline, std::coroutine_handle<> handle);
    std::optional<Instant> next_deadline() const;
    std::size_t runnable_count() const { return m_run_queue.size(); }
    std::size_t timer_count() const { return m_timers.size(); }

private:
    friend class TimerNode;
    friend class JoinHandle;
    friend struct detail::SpawnState;

    // One round: fire due timers, run the tasks runnable now. Tasks woken
    // during the round wait for the next one, so I/O and timers get a turn.
    void run_round();
    // Waits for something to happen; returns false on deadlock.
    bool wait_for_work();
    void fire_due_timers(Instant now);
    void destroy_cancelled();
    void remove_timer(TimerNode& timer);
    void sift_up(std::size_t index);
    void sift_down(std::size_t index);
    void place(std::size_t index, TimerNode* timer);
    static bool earlier(const TimerNode* a, const TimerNode* b);

    Platform& m_platform;
    WaitList m_run_queue;
    std::vector<TimerNode*> m_timers;  // a binary min-heap on (deadline, sequence)
    std::uint64_t m_timer_sequence = 0;
    detail::SpawnState* m_live = nullptr;  // every spawned task not yet finished
    std::vector<JoinHandle> m_cancelled;
    unsigned m_rounds_since_poll = 0;
    SchedulerStats m_stats;
};

// ---- awaitables ------------------------------------------------------------

// Suspends until `deadline`; woken by the timer heap.
class SleepUntil {
public:
    explicit SleepUntil(Instant deadline) : m_deadline(deadline) {}
    bool await_ready() { return m_deadline <= Scheduler::current().now(); }
    void await_suspend(std::coroutine_handle<> handle) {
        Scheduler::current().arm(m_timer, m_deadline, handle);
    }
    void await_resume() {}

private:
    Instant m_deadline;
    TimerNode m_timer;
};

inline SleepUntil sleep_until(Instant deadline) {
    return SleepUntil{deadline};
}
inline SleepUntil sleep_for(Duration duration) {
    return SleepUntil{Scheduler::current().now() + duration};
}

// Suspends until someone wakes this waiter out of `list` (wake_one/wake_all).
class WaitOn {
public:
    explicit WaitOn(WaitList& list) : m_list(list) {}
    bool await_ready() { return false; }
    void await_suspend(std::coroutine_handle<> handle) {
        m_waiter.set_handle(handle);
        m_list.push_back(m_waiter);
    }
    void await_resume() {}

private:
    WaitList& m_list;
    Waiter m_waiter;
};

inline WaitOn wait_on(WaitList& list) {
    return WaitOn{list};
}

// Lets every other runnable task run once before continuing.
class YieldNow {
public:
    bool await_ready() { return false; }
    void await_suspend(std::coroutine_handle<> handle) {
        m_waiter.set_handle(handle);
        Scheduler::current().wake(m_waiter);
    }
    void await_resume() {}

private:
    Waiter m_waiter;
};

inline YieldNow yield_now() {
    return YieldNow{};
}

}  // namespace oasis
