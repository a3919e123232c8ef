// Scheduler benchmarks: task switch cost and timer throughput, beside a plain epoll loop.
//
// The peer is what one writes by hand without Oasis: an epoll loop with a
// ready queue of C callbacks and a binary heap of timers. Both run on the same
// epoll machinery (the unix target's platform for Oasis), polling with the
// same policy, so the ratio is the price of coroutines, intrusive waiters and
// cancellation-safe timers over bare callbacks.
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <deque>
#include <queue>
#include <vector>

#include "bench/report.hpp"
#include "core/scheduler.hpp"
#include "targets/unix/clock.hpp"
#include "targets/unix/platform.hpp"

namespace {

using oasis::Duration;
using oasis::Instant;
using oasis::Task;

constexpr int repetitions = 5;
constexpr std::uint64_t switch_count = 2'000'000;
constexpr int timer_clients = 1000;
constexpr int timers_per_client = 100;
// The Oasis scheduler polls without blocking every 16 rounds while tasks stay
// runnable; with two tasks a round is two switches.
constexpr std::uint64_t switches_between_polls = 32;

std::int64_t cpu_nanoseconds() {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return now.tv_sec * 1'000'000'000LL + now.tv_nsec;
}

// Deterministic "random" delays shared by both sides: 0..999 us.
Duration delay_for(std::uint64_t client, std::uint64_t round) {
    std::uint64_t x = (client * 0x9E3779B97F4A7C15ULL) ^ (round * 0xC2B2AE3D27D4EB4FULL);
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 32;
    return std::chrono::microseconds(x % 1000);
}

// ---- Oasis ---------------------------------------------------------------

Task<void> ping_pong(std::uint64_t rounds, std::uint64_t* counter) {
    for (std::uint64_t i = 0; i < rounds; ++i) {
        ++*counter;
        co_await oasis::yield_now();
    }
}

double oasis_switch_ns() {
    oasis::unix_target::UnixPlatform platform;
    oasis::Scheduler scheduler{platform};
    std::uint64_t counter = 0;
    (void)scheduler.spawn(ping_pong(switch_count / 2, &counter));
    (void)scheduler.spawn(ping_pong(switch_count / 2, &counter));
    const std::int64_t start = cpu_nanoseconds();
    scheduler.run_until_idle();
    const std::int64_t elapsed = cpu_nanoseconds() - start;
    if (counter != switch_count) {
        std::fprintf(stderr, "oasis switch count %llu\n", static_cast<unsigned long long>(counter));
        std::abort();
    }
    return static_cast<double>(elapsed) / static_cast<double>(switch_count);
}

Task<void> timer_client(std::uint64_t client, std::uint64_t* fired) {
    for (int round = 0; round < timers_per_client; ++round) {
        co_await oasis::sleep_for(delay_for(client, round));
        ++*fired;
    }
}

double oasis_timer_ns() {
    oasis::unix_target::UnixPlatform platform;
    oasis::Scheduler scheduler{platform};
    std::uint64_t fired = 0;
    const std::int64_t start = cpu_nanoseconds();
    for (int client = 0; client < timer_clients; ++client) {
        (void)scheduler.spawn(timer_client(client, &fired));
    }
    scheduler.run_until_idle();
    const std::int64_t elapsed = cpu_nanoseconds() - start;
    if (fired != static_cast<std::uint64_t>(timer_clients) * timers_per_client) {
        std::abort();
    }
    return static_cast<double>(elapsed) / static_cast<double>(fired);
}

// ---- the peer: a plain epoll loop with callbacks -------------------------

struct Callback {
    void (*function)(void* context);
    void* context;
};

class PlainLoop {
public:
    PlainLoop() : m_epoll(epoll_create1(EPOLL_CLOEXEC)) {}
    ~PlainLoop() { close(m_epoll); }

    void post(Callback callback) { m_ready.push_back(callback); }
    void at(Instant deadline, Callback callback) {
        m_timers.push({deadline, m_sequence++, callback});
    }

    void run() {
        std::uint64_t since_poll = 0;
        while (!m_ready.empty() || !m_timers.empty()) {
            fire_due_timers();
            if (m_ready.empty()) {
                wait(m_timers.top().deadline);
                continue;
            }
            Callback callback = m_ready.front();
            m_ready.pop_front();
            callback.function(callback.context);
            if (++since_poll == switches_between_polls) {
                since_poll = 0;
                wait(oasis::unix_target::monotonic_now());
            }
        }
    }

private:
    struct Timer {
        Instant deadline;
        std::uint64_t sequence;
        Callback callback;
        bool operator>(const Timer& other) const {
            return deadline != other.deadline ? deadline > other.deadline
                                              : sequence > other.sequence;
        }
    };

    void fire_due_timers() {
        const Instant now = oasis::unix_target::monotonic_now();
        while (!m_timers.empty() && m_timers.top().deadline <= now) {
            m_ready.push_back(m_timers.top().callback);
            m_timers.pop();
        }
    }

    void wait(Instant deadline) {
        const Duration timeout =
            std::max(Duration{0}, deadline - oasis::unix_target::monotonic_now());
        timespec spec{static_cast<time_t>(timeout.count() / 1'000'000'000),
                      static_cast<long>(timeout.count() % 1'000'000'000)};
        epoll_event events[16];
        epoll_pwait2(m_epoll, events, 16, &spec, nullptr);
    }

    int m_epoll;
    std::deque<Callback> m_ready;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> m_timers;
    std::uint64_t m_sequence = 0;
};

struct PingPongState {
    PlainLoop* loop;
    std::uint64_t remaining;
    std::uint64_t* counter;
};

void ping_pong_step(void* context) {
    auto* state = static_cast<PingPongState*>(context);
    ++*state->counter;
    if (--state->remaining > 0) {
        state->loop->post({ping_pong_step, state});
    }
}

double peer_switch_ns() {
    PlainLoop loop;
    std::uint64_t counter = 0;
    PingPongState a{&loop, switch_count / 2, &counter};
    PingPongState b{&loop, switch_count / 2, &counter};
    loop.post({ping_pong_step, &a});
    loop.post({ping_pong_step, &b});
    const std::int64_t start = cpu_nanoseconds();
    loop.run();
    const std::int64_t elapsed = cpu_nanoseconds() - start;
    if (counter != switch_count) {
        std::abort();
    }
    return static_cast<double>(elapsed) / static_cast<double>(switch_count);
}

struct TimerClientState {
    PlainLoop* loop;
    std::uint64_t client;
    int round;
    std::uint64_t* fired;
};

void timer_client_step(void* context) {
    auto* state = static_cast<TimerClientState*>(context);
    if (state->round > 0) {
        ++*state->fired;
    }
    if (state->round < timers_per_client) {
        state->loop->at(
            oasis::unix_target::monotonic_now() + delay_for(state->client, state->round),
            {timer_client_step, state});
        ++state->round;
    }
}

double peer_timer_ns() {
    PlainLoop loop;
    std::uint64_t fired = 0;
    std::vector<TimerClientState> clients;
    clients.reserve(timer_clients);
    const std::int64_t start = cpu_nanoseconds();
    for (int client = 0; client < timer_clients; ++client) {
        clients.push_back({&loop, static_cast<std::uint64_t>(client), 0, &fired});
        loop.post({timer_client_step, &clients.back()});
    }
    loop.run();
    const std::int64_t elapsed = cpu_nanoseconds() - start;
    if (fired != static_cast<std::uint64_t>(timer_clients) * timers_per_client) {
        std::abort();
    }
    return static_cast<double>(elapsed) / static_cast<double>(fired);
}

}  // namespace

int main() {
    // Interleaved so that a noisy neighbour hurts both sides alike.
    std::vector<double> oasis_switch, peer_switch, oasis_timer, peer_timer;
    for (int i = 0; i < repetitions; ++i) {
        oasis_switch.push_back(oasis_switch_ns());
        peer_switch.push_back(peer_switch_ns());
        oasis_timer.push_back(oasis_timer_ns());
        peer_timer.push_back(peer_timer_ns());
    }
    oasis::bench::report("scheduler_switch", "cpu_per_switch_median",
                         oasis::bench::median(oasis_switch), "ns", "epoll_callback_loop",
                         oasis::bench::median(peer_switch));
    oasis::bench::report("scheduler_timers", "cpu_per_timer_median",
                         oasis::bench::median(oasis_timer), "ns", "epoll_callback_loop",
                         oasis::bench::median(peer_timer));
    return 0;
}
