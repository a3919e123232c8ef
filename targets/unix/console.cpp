// UnixConsole: whole writes to a descriptor, with short writes and EINTR handled.
#include "targets/unix/console.hpp"

#include <errno.h>
#include <poll.h>

#include "targets/unix/clock.hpp"

namespace oasis::unix_target {

void UnixConsole::write(std::string_view text) {
    const Instant give_up = monotonic_now() + std::chrono::milliseconds{stall_limit_milliseconds};
    while (!text.empty()) {
        const ssize_t written = ::write(m_fd, text.data(), text.size());
        if (written >= 0) {
            text.remove_prefix(static_cast<std::size_t>(written));
            continue;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            // Someone made the descriptor non-blocking (a shared terminal, a
            // pipe): wait for room, but only up to the stall limit.
            const Duration left = give_up - monotonic_now();
            if (left > Duration::zero()) {
                pollfd ready{.fd = m_fd, .events = POLLOUT, .revents = 0};
                const auto milliseconds = std::chrono::ceil<std::chrono::milliseconds>(left);
                if (::poll(&ready, 1, static_cast<int>(milliseconds.count())) >= 0 ||
                    errno == EINTR) {
                    continue;
                }
            }
        }
        break;  // a failed or stalled descriptor: drop the rest
    }
    m_dropped_bytes += text.size();
}

}  // namespace oasis::unix_target
