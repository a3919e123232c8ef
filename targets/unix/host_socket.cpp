// HostSocket: loopback TCP through the host kernel, each call retried after epoll readiness.
#include "targets/unix/host_socket.hpp"

#include <errno.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "core/scheduler.hpp"

namespace oasis::unix_target {

namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

Result<UniqueFd, SystemError> new_socket() {
    UniqueFd fd{::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
    if (!fd) {
        return Error{SystemError{"socket", errno}};
    }
    return fd;
}

bool would_block(int number) {
    return number == EAGAIN || number == EWOULDBLOCK;
}

void wake_all(WaitList& list) {
    if (!list.empty()) {
        Scheduler::current().wake_all(list);
    }
}

}  // namespace

HostSocket::HostSocket(UnixPlatform& platform, UniqueFd fd)
    : m_platform(platform), m_fd(std::move(fd)) {}

HostSocket::~HostSocket() {
    m_platform.remove_source(m_fd.get());
}

Result<std::unique_ptr<HostSocket>, SystemError> HostSocket::adopt(UnixPlatform& platform,
                                                                   UniqueFd fd) {
    std::unique_ptr<HostSocket> socket{new HostSocket{platform, std::move(fd)}};
    HostSocket* self = socket.get();
    TRY(platform.add_source(self->m_fd.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                            [self](std::uint32_t events) { self->on_ready(events); }));
    return socket;
}

void HostSocket::on_ready(std::uint32_t events) {
    const std::uint32_t trouble = EPOLLERR | EPOLLHUP;
    if ((events & (EPOLLIN | EPOLLRDHUP | trouble)) != 0) {
        wake_all(m_readers);
    }
    if ((events & (EPOLLOUT | trouble)) != 0) {
        wake_all(m_writers);
    }
}

Result<std::unique_ptr<HostSocket>, SystemError> HostSocket::listen(UnixPlatform& platform,
                                                                    std::uint16_t port) {
    UniqueFd fd = TRY(new_socket());
    // A restarted unikernel can take its port again while old connections
    // linger in TIME_WAIT.
    const int on = 1;
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) {
        return Error{SystemError{"setsockopt(SO_REUSEADDR)", errno}};
    }
    const sockaddr_in address = loopback(port);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        return Error{SystemError{"bind", errno}};
    }
    if (::listen(fd.get(), SOMAXCONN) != 0) {
        return Error{SystemError{"listen", errno}};
    }
    return adopt(platform, std::move(fd));
}

Task<Result<std::unique_ptr<HostSocket>, SystemError>> HostSocket::connect(UnixPlatform& platform,
                                                                           std::uint16_t port) {
    auto created = new_socket();
    if (created.is_error()) {
        co_return Error{created.error()};
    }
    const sockaddr_in address = loopback(port);
    const int started = ::connect(created.value().get(),
                                  reinterpret_cast<const sockaddr*>(&address), sizeof address);
    if (started != 0 && errno != EINPROGRESS) {
        co_return Error{SystemError{"connect", errno}};
    }
    auto adopted = adopt(platform, std::move(created.value()));
    if (adopted.is_error()) {
        co_return Error{adopted.error()};
    }
    std::unique_ptr<HostSocket> socket = std::move(adopted.value());
    while (started != 0) {
        // The handshake's outcome is in SO_ERROR once the socket is writable.
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(socket->descriptor(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
            co_return Error{SystemError{"getsockopt(SO_ERROR)", errno}};
        }
        if (error != 0) {
            co_return Error{SystemError{"connect", error}};
        }
        sockaddr_in peer{};
        socklen_t peer_length = sizeof peer;
        if (::getpeername(socket->descriptor(), reinterpret_cast<sockaddr*>(&peer), &peer_length) ==
            0) {
            break;
        }
        co_await wait_on(socket->m_writers);
    }
    co_return socket;
}

std::uint16_t HostSocket::local_port() const {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    if (::getsockname(m_fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        return 0;
    }
    return ntohs(address.sin_port);
}

Task<Result<std::unique_ptr<HostSocket>, SystemError>> HostSocket::accept() {
    while (true) {
        UniqueFd fd{::accept4(m_fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)};
        if (fd) {
            co_return adopt(m_platform, std::move(fd));
        }
        // A connection that was reset while queued is the peer's problem,
        // not the listener's: try the next one.
        if (errno == ECONNABORTED || errno == EINTR) {
            continue;
        }
        if (!would_block(errno)) {
            co_return Error{SystemError{"accept4", errno}};
        }
        co_await wait_on(m_readers);
    }
}

Task<Result<std::size_t, SystemError>> HostSocket::read(MutableByteView out) {
    while (true) {
        const ssize_t length = ::recv(m_fd.get(), out.data(), out.size(), 0);
        if (length >= 0) {
            co_return static_cast<std::size_t>(length);
        }
        if (errno == EINTR) {
            continue;
        }
        if (!would_block(errno)) {
            co_return Error{SystemError{"recv", errno}};
        }
        co_await wait_on(m_readers);
    }
}

Task<Result<void, SystemError>> HostSocket::write(ByteView data) {
    while (!data.empty()) {
        // MSG_NOSIGNAL: a peer that has gone is EPIPE, not a SIGPIPE that
        // would end the unikernel.
        const ssize_t written = ::send(m_fd.get(), data.data(), data.size(), MSG_NOSIGNAL);
        if (written >= 0) {
            data = ByteView{data.span().subspan(static_cast<std::size_t>(written))};
            continue;
        }
        if (errno == EINTR) {
            continue;
        }
        if (!would_block(errno)) {
            co_return Error{SystemError{"send", errno}};
        }
        co_await wait_on(m_writers);
    }
    co_return Result<void, SystemError>{};
}

Result<void, SystemError> HostSocket::shutdown_write() {
    if (::shutdown(m_fd.get(), SHUT_WR) != 0) {
        return Error{SystemError{"shutdown", errno}};
    }
    return {};
}

void HostSocket::abort() {
    // A zero linger time makes close() send a reset and drop unsent data.
    const linger immediately{.l_onoff = 1, .l_linger = 0};
    (void)::setsockopt(m_fd.get(), SOL_SOCKET, SO_LINGER, &immediately, sizeof immediately);
    m_platform.remove_source(m_fd.get());
    m_fd.reset();
    // A task still waiting retries, and fails with EBADF instead of waiting
    // for readiness that can no longer come.
    wake_all(m_readers);
    wake_all(m_writers);
}

}  // namespace oasis::unix_target
