// UnixPlatform: waiting in epoll and dispatching ready descriptors to their handlers.
#include "targets/unix/platform.hpp"

#include <errno.h>
#include <sys/epoll.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <span>

#include "core/panic.hpp"
#include "targets/unix/clock.hpp"

namespace oasis::unix_target {

namespace {

// How many ready sources one poll() takes; more are left for the next poll,
// since epoll reports them again (level-triggered) or keeps them queued.
constexpr int max_events_per_poll = 64;

std::uint64_t pack(int fd, std::uint32_t generation) {
    return (std::uint64_t{generation} << 32) | static_cast<std::uint32_t>(fd);
}

int unpacked_fd(std::uint64_t data) {
    return static_cast<int>(static_cast<std::uint32_t>(data));
}

std::uint32_t unpacked_generation(std::uint64_t data) {
    return static_cast<std::uint32_t>(data >> 32);
}

}  // namespace

UnixPlatform::UnixPlatform() : m_epoll(::epoll_create1(EPOLL_CLOEXEC)) {
    if (!m_epoll) {
        panic("epoll_create1 failed: the unix platform cannot wait for devices");
    }
    (void)monotonic_now();  // fixes the clock's epoch: "boot" is now
}

UnixPlatform::~UnixPlatform() = default;

Instant UnixPlatform::now() {
    return monotonic_now();
}

Result<void, SystemError> UnixPlatform::add_source(int fd, std::uint32_t events, Handler handler) {
    OASIS_ASSERT(handler != nullptr);
    if (m_sources.contains(fd)) {
        return Error{SystemError{"epoll_ctl(EPOLL_CTL_ADD)", EEXIST}};
    }
    const std::uint32_t generation = m_next_generation++;
    epoll_event event{.events = events, .data = {.u64 = pack(fd, generation)}};
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
        return Error{SystemError{"epoll_ctl(EPOLL_CTL_ADD)", errno}};
    }
    m_sources.emplace(fd, std::make_shared<Source>(Source{generation, std::move(handler)}));
    return {};
}

Result<void, SystemError> UnixPlatform::modify_source(int fd, std::uint32_t events) {
    const auto found = m_sources.find(fd);
    if (found == m_sources.end()) {
        return Error{SystemError{"epoll_ctl(EPOLL_CTL_MOD)", ENOENT}};
    }
    epoll_event event{.events = events, .data = {.u64 = pack(fd, found->second->generation)}};
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_MOD, fd, &event) != 0) {
        return Error{SystemError{"epoll_ctl(EPOLL_CTL_MOD)", errno}};
    }
    return {};
}

void UnixPlatform::remove_source(int fd) {
    if (m_sources.erase(fd) == 0) {
        return;
    }
    // Can fail only if the caller closed `fd` first, which already took it
    // out of the epoll set; either way it is gone.
    (void)::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
}

void UnixPlatform::poll(std::optional<Instant> deadline) {
    if (!deadline && m_sources.empty()) {
        return;  // nothing could ever wake us; the scheduler decides what that means
    }
    Duration timeout = Duration::zero();
    if (deadline) {
        timeout = std::max(*deadline - now(), Duration::zero());
    }

    std::array<epoll_event, max_events_per_poll> events;
    int ready = -1;
    if (m_have_epoll_pwait2) {
        const std::int64_t nanoseconds = timeout.count();
        timespec timeout_spec{.tv_sec = static_cast<time_t>(nanoseconds / 1'000'000'000),
                              .tv_nsec = static_cast<long>(nanoseconds % 1'000'000'000)};
        ready = ::epoll_pwait2(m_epoll.get(), events.data(), max_events_per_poll,
                               deadline ? &timeout_spec : nullptr, nullptr);
        if (ready < 0 && errno == ENOSYS) {
            m_have_epoll_pwait2 = false;  // Linux before 5.11
        }
    }
    if (!m_have_epoll_pwait2) {
        // Rounded up, so that a timer is never woken before its deadline
        // (which would cost a second, empty round trip).
        auto milliseconds = std::chrono::ceil<std::chrono::milliseconds>(timeout).count();
        int wait = -1;
        if (deadline) {
            wait = static_cast<int>(std::min<std::int64_t>(milliseconds, INT_MAX));
        }
        ready = ::epoll_wait(m_epoll.get(), events.data(), max_events_per_poll, wait);
    }
    if (ready < 0) {
        if (errno == EINTR) {
            return;  // a signal: return early, the scheduler polls again
        }
        panic("epoll_wait failed: the unix platform cannot wait for devices");
    }

    for (const epoll_event& event : std::span{events.data(), static_cast<std::size_t>(ready)}) {
        const auto found = m_sources.find(unpacked_fd(event.data.u64));
        // A handler earlier in this batch may have removed this source, or
        // removed it and registered the same number again for something else.
        if (found == m_sources.end() ||
            found->second->generation != unpacked_generation(event.data.u64)) {
            continue;
        }
        const std::shared_ptr<Source> source = found->second;
        source->handler(event.events);
    }
}

}  // namespace oasis::unix_target
