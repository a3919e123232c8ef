// The scheduler's loop, timer heap and spawned-task bookkeeping.
#include "core/scheduler.hpp"

#include <limits>
#include <utility>

namespace oasis {

namespace {

Scheduler* g_current = nullptr;

// A non-blocking poll at least this often while tasks stay runnable, so a
// busy task cannot starve the devices. On hvt each poll is a VM exit, so it
// is not done every round.
constexpr unsigned rounds_between_polls = 16;

constexpr std::size_t not_in_heap = std::numeric_limits<std::size_t>::max();

}  // namespace

namespace detail {

struct Detached;

// Shared by a spawned task's driver frame, its JoinHandles and the scheduler.
struct SpawnState {
    Scheduler* scheduler = nullptr;
    std::coroutine_handle<> driver;  // null once finished
    Waiter start;                    // the first resumption, through the run queue
    WaitList joiners;
    unsigned references = 0;
    bool cancel_requested = false;
    SpawnState* previous_live = nullptr;
    SpawnState* next_live = nullptr;

    void acquire() { ++references; }
    void release() {
        OASIS_ASSERT(references > 0);
        if (--references == 0) {
            delete this;
        }
    }

    // Runs when the driver frame goes away, by completion or cancellation.
    void finish() {
        start.unlink();
        driver = nullptr;
        if (previous_live != nullptr) {
            previous_live->next_live = next_live;
        } else {
            scheduler->m_live = next_live;
        }
        if (next_live != nullptr) {
            next_live->previous_live = previous_live;
        }
        previous_live = next_live = nullptr;
        scheduler->wake_all(joiners);
    }
};

// The driver's frame owns this; destroying the frame, either way, finishes.
class DriverGuard {
public:
    explicit DriverGuard(SpawnState* state) : m_state(state) { m_state->acquire(); }
    DriverGuard(DriverGuard&& other) noexcept : m_state(std::exchange(other.m_state, nullptr)) {}
    DriverGuard(const DriverGuard&) = delete;
    DriverGuard& operator=(const DriverGuard&) = delete;
    DriverGuard& operator=(DriverGuard&&) = delete;
    ~DriverGuard() {
        if (m_state != nullptr) {
            m_state->finish();
            m_state->release();
        }
    }

private:
    SpawnState* m_state;
};

// A driver's last step: it frees its own frame at a real final suspend point.
//
// Not std::suspend_never, though that frees the frame too: clang 14 to 16 at
// -O1 and above miscompile a coroutine that has no final suspend point when
// its last await is a symmetric transfer (drive's co_await below). Resuming
// and destroying it there then run the same code, SimplifyCFG folds the
// suspend's switch into `icmp ult %suspend, 2`, and CoroSplit's search for
// tail calls (simplifyTerminatorLeadingToRet in CoroSplit.cpp) replaces that
// compare, on every path, by its value on the suspending path. The resume
// function returns at once: the driver never finishes, its frame leaks and
// Scheduler::run waits forever. LLVM 19 replaced that search
// (llvm/llvm-project#89751); GCC is not affected. With a final suspend point
// the two paths differ and nothing is folded. Task's FinalAwaiter always
// suspends, so Task coroutines cannot hit this.
//
// Destroying the frame from await_suspend is allowed: the coroutine is
// already suspended, and nothing touches the frame afterwards.
struct DestroyAtFinalSuspend {
    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<> self) noexcept { self.destroy(); }
    void await_resume() noexcept {}
};

// The coroutine type of a driver: starts suspended, frees itself at the end.
struct Detached {
    struct promise_type {
        Detached get_return_object() noexcept {
            return Detached{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        DestroyAtFinalSuspend final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { panic("exception escaped a spawned task"); }
    };
    std::coroutine_handle<promise_type> handle;
};

Detached drive(Task<void> task, DriverGuard guard) {
    co_await std::move(task);
    (void)guard;
}

}  // namespace detail

// ---- TimerNode ---------------------------------------------------------------

void TimerNode::cancel() {
    if (m_scheduler != nullptr) {
        m_scheduler->remove_timer(*this);
    }
    m_waiter.unlink();
}

// ---- JoinHandle --------------------------------------------------------------

JoinHandle::JoinHandle(detail::SpawnState* state) : m_state(state) {
    if (m_state != nullptr) {
        m_state->acquire();
    }
}

JoinHandle::JoinHandle(const JoinHandle& other) : JoinHandle(other.m_state) {}

JoinHandle::JoinHandle(JoinHandle&& other) noexcept
    : m_state(std::exchange(other.m_state, nullptr)) {}

// Copy-and-swap: the parameter holds the new reference, the old one dies with it.
JoinHandle& JoinHandle::operator=(JoinHandle other) noexcept {
    std::swap(m_state, other.m_state);
    return *this;
}

JoinHandle::~JoinHandle() {
    if (m_state != nullptr) {
        m_state->release();
    }
}

bool JoinHandle::finished() const {
    return m_state == nullptr || !m_state->driver;
}

void JoinHandle::cancel() {
    if (finished() || m_state->cancel_requested) {
        return;
    }
    m_state->cancel_requested = true;
    m_state->scheduler->m_cancelled.push_back(*this);
}

namespace {
// A coroutine of its own so that the state stays referenced while it waits.
Task<void> join_spawned(JoinHandle handle, detail::SpawnState* state) {
    while (!handle.finished()) {
        co_await wait_on(state->joiners);
    }
}
}  // namespace

Task<void> JoinHandle::join() const {
    return join_spawned(*this, m_state);
}

// ---- Scheduler ---------------------------------------------------------------

Scheduler::Scheduler(Platform& platform) : m_platform(platform) {
    OASIS_ASSERT(g_current == nullptr);
    g_current = this;
}

Scheduler::~Scheduler() {
    m_cancelled.clear();
    while (m_live != nullptr) {
        m_live->driver.destroy();
    }
    // Timers of frames the scheduler does not own (a Task still held by its
    // creator) are detached so that their later destruction finds no heap.
    for (TimerNode* timer : m_timers) {
        timer->m_scheduler = nullptr;
        timer->m_heap_index = not_in_heap;
    }
    g_current = nullptr;
}

Scheduler& Scheduler::current() {
    OASIS_ASSERT(g_current != nullptr);
    return *g_current;
}

JoinHandle Scheduler::spawn(Task<void> task) {
    OASIS_ASSERT(task.valid());
    auto* state = new detail::SpawnState;
    state->scheduler = this;
    JoinHandle handle{state};
    detail::Detached driver = detail::drive(std::move(task), detail::DriverGuard{state});
    state->driver = driver.handle;
    state->next_live = m_live;
    if (m_live != nullptr) {
        m_live->previous_live = state;
    }
    m_live = state;
    state->start.set_handle(driver.handle);
    m_run_queue.push_back(state->start);
    ++m_stats.spawned;
    return handle;
}

void Scheduler::wake(Waiter& waiter) {
    waiter.unlink();
    m_run_queue.push_back(waiter);
}

bool Scheduler::wake_one(WaitList& list) {
    Waiter* waiter = list.pop_front();
    if (waiter == nullptr) {
        return false;
    }
    m_run_queue.push_back(*waiter);
    return true;
}

void Scheduler::wake_all(WaitList& list) {
    while (wake_one(list)) {
    }
}

namespace {
Task<void> run_main(Task<int> main, std::optional<int>* status) {
    *status = co_await std::move(main);
}
}  // namespace

int Scheduler::run(Task<int> main) {
    std::optional<int> status;
    JoinHandle handle = spawn(run_main(std::move(main), &status));
    while (!handle.finished()) {
        run_round();
        if (!handle.finished() && m_run_queue.empty() && !wait_for_work()) {
            panic("deadlock: the main task waits, and no task, timer or device can wake it");
        }
    }
    OASIS_ASSERT(status.has_value());
    return *status;
}

void Scheduler::run_until_idle() {
    for (;;) {
        run_round();
        if (!m_run_queue.empty()) {
            continue;
        }
        if (m_timers.empty()) {
            // Let devices report what is already pending, without waiting.
            m_platform.poll(m_platform.now());
            ++m_stats.polls;
            if (m_run_queue.empty()) {
                return;
            }
            continue;
        }
        wait_for_work();
    }
}

void Scheduler::run_round() {
    destroy_cancelled();
    fire_due_timers(m_platform.now());
    if (++m_rounds_since_poll >= rounds_between_polls && !m_run_queue.empty()) {
        m_rounds_since_poll = 0;
        m_platform.poll(m_platform.now());
        ++m_stats.polls;
    }
    for (std::size_t runnable = m_run_queue.size(); runnable > 0; --runnable) {
        Waiter* waiter = m_run_queue.pop_front();
        if (waiter == nullptr) {
            break;  // a cancellation emptied the queue
        }
        ++m_stats.resumptions;
        waiter->handle().resume();
        destroy_cancelled();
    }
}

bool Scheduler::wait_for_work() {
    std::optional<Instant> deadline = next_deadline();
    if (!deadline && !m_platform.has_event_sources()) {
        return false;
    }
    m_rounds_since_poll = 0;
    m_platform.poll(deadline);
    ++m_stats.polls;
    return true;
}

void Scheduler::destroy_cancelled() {
    while (!m_cancelled.empty()) {
        JoinHandle handle = std::move(m_cancelled.back());
        m_cancelled.pop_back();
        if (!handle.finished()) {
            handle.m_state->driver.destroy();
        }
    }
}

// ---- the timer heap ----------------------------------------------------------

bool Scheduler::earlier(const TimerNode* a, const TimerNode* b) {
    if (a->m_deadline != b->m_deadline) {
        return a->m_deadline < b->m_deadline;
    }
    return a->m_sequence < b->m_sequence;  // equal deadlines fire in arming order
}

void Scheduler::place(std::size_t index, TimerNode* timer) {
    m_timers[index] = timer;
    timer->m_heap_index = index;
}

void Scheduler::sift_up(std::size_t index) {
    TimerNode* timer = m_timers[index];
    while (index > 0) {
        std::size_t parent = (index - 1) / 2;
        if (!earlier(timer, m_timers[parent])) {
            break;
        }
        place(index, m_timers[parent]);
        index = parent;
    }
    place(index, timer);
}

void Scheduler::sift_down(std::size_t index) {
    TimerNode* timer = m_timers[index];
    const std::size_t count = m_timers.size();
    for (;;) {
        std::size_t child = 2 * index + 1;
        if (child >= count) {
            break;
        }
        if (child + 1 < count && earlier(m_timers[child + 1], m_timers[child])) {
            ++child;
        }
        if (!earlier(m_timers[child], timer)) {
            break;
        }
        place(index, m_timers[child]);
        index = child;
    }
    place(index, timer);
}

void Scheduler::arm(TimerNode& timer, Instant deadline, std::coroutine_handle<> handle) {
    timer.cancel();
    timer.m_waiter.set_handle(handle);
    timer.m_deadline = deadline;
    timer.m_sequence = m_timer_sequence++;
    timer.m_scheduler = this;
    m_timers.push_back(&timer);
    sift_up(m_timers.size() - 1);
}

void Scheduler::remove_timer(TimerNode& timer) {
    OASIS_ASSERT(timer.m_scheduler == this && timer.m_heap_index < m_timers.size());
    const std::size_t index = timer.m_heap_index;
    TimerNode* last = m_timers.back();
    m_timers.pop_back();
    if (last != &timer) {
        place(index, last);
        sift_down(index);
        sift_up(last->m_heap_index);
    }
    timer.m_scheduler = nullptr;
    timer.m_heap_index = not_in_heap;
}

std::optional<Instant> Scheduler::next_deadline() const {
    if (m_timers.empty()) {
        return std::nullopt;
    }
    return m_timers.front()->m_deadline;
}

void Scheduler::fire_due_timers(Instant now) {
    while (!m_timers.empty() && m_timers.front()->m_deadline <= now) {
        TimerNode* timer = m_timers.front();
        remove_timer(*timer);
        m_run_queue.push_back(timer->m_waiter);
        ++m_stats.timers_fired;
    }
}

}  // namespace oasis
