// UnixPlatform: the unix target's event loop backend, an epoll set of file descriptors.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

#include "core/result.hpp"
#include "core/scheduler.hpp"
#include "targets/unix/system_error.hpp"
#include "targets/unix/unique_fd.hpp"

namespace oasis::unix_target {

// The Platform the scheduler runs on when Oasis is a Linux process.
//
// Devices register their file descriptors as event sources with a handler;
// poll() waits in epoll until a source is ready or the deadline passes, then
// calls the handlers of the ready sources, which wake their waiters through
// Scheduler::wake*. Single-threaded, like the scheduler.
//
// Handlers may add, modify and remove sources, their own included, while
// poll() is calling them: a removed source's pending events are discarded and
// a handler that removes itself is kept alive until it returns.
class UnixPlatform final : public Platform {
public:
    // Called with the ready events (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP ...).
    using Handler = std::function<void(std::uint32_t events)>;

    // Panics if Linux cannot create an epoll instance (out of descriptors at
    // boot: nothing sensible can run then).
    UnixPlatform();
    UnixPlatform(const UnixPlatform&) = delete;
    UnixPlatform& operator=(const UnixPlatform&) = delete;
    ~UnixPlatform() override;

    // Monotonic time since the process started (see clock.hpp).
    Instant now() override;

    // epoll_pwait2 with a nanosecond timeout (epoll_wait with the timeout
    // rounded up to whole milliseconds on kernels before 5.11). Returns early
    // on EINTR, which the Platform contract allows. With no deadline and no
    // source registered it returns at once instead of sleeping forever.
    void poll(std::optional<Instant> deadline) override;

    // True while any source is registered.
    bool has_event_sources() const override { return !m_sources.empty(); }

    // Registers `fd` for `events` (EPOLLIN, EPOLLOUT, optionally EPOLLET ...).
    // The descriptor stays owned by the caller, who removes it before closing
    // it. Fails with EEXIST if `fd` is registered already, EBADF/EPERM for
    // descriptors epoll cannot watch (a regular file, for one).
    Result<void, SystemError> add_source(int fd, std::uint32_t events, Handler handler);
    // Changes the events of a registered source (ENOENT if it is not one).
    Result<void, SystemError> modify_source(int fd, std::uint32_t events);
    // Unregisters `fd`; a no-op for descriptors that are not registered.
    void remove_source(int fd);

    std::size_t source_count() const { return m_sources.size(); }

private:
    struct Source {
        std::uint32_t generation;
        Handler handler;
    };

    UniqueFd m_epoll;
    // Held by shared_ptr so that a handler survives its own removal while it runs.
    std::unordered_map<int, std::shared_ptr<Source>> m_sources;
    // Tells a registration apart from a later one of the same descriptor
    // number, so stale events of a removed source are never delivered.
    std::uint32_t m_next_generation = 1;
    bool m_have_epoll_pwait2 = true;
};

}  // namespace oasis::unix_target
