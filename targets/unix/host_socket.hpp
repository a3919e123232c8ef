// HostSocket: a non-blocking TCP socket of the host kernel on 127.0.0.1, with coroutine waits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/buffer.hpp"
#include "core/result.hpp"
#include "core/task.hpp"
#include "core/wait_list.hpp"
#include "targets/unix/platform.hpp"
#include "targets/unix/system_error.hpp"
#include "targets/unix/unique_fd.hpp"

namespace oasis::unix_target {

// One TCP socket of the host kernel, bound or connected to the loopback
// address only: the --net=socket gateway uses it so that no traffic leaves
// the machine. Every call is non-blocking; the coroutines try the call first
// and, on EAGAIN, wait for the platform to report readiness.
//
// The descriptor is registered edge-triggered for reading and writing at
// once; the platform's poll wakes the readers on EPOLLIN and the writers on
// EPOLLOUT (both on EPOLLERR and EPOLLHUP, so that their retry sees the
// error). Since a wait begins only after a call found nothing to do, no edge
// is missed. The socket is not movable: the platform holds its address.
class HostSocket {
public:
    HostSocket(const HostSocket&) = delete;
    HostSocket& operator=(const HostSocket&) = delete;
    ~HostSocket();

    // A listening socket on 127.0.0.1:`port` (0: an ephemeral port).
    static Result<std::unique_ptr<HostSocket>, SystemError> listen(UnixPlatform& platform,
                                                                   std::uint16_t port);
    // Connects to 127.0.0.1:`port`; waits for the handshake (woken by
    // EPOLLOUT). ECONNREFUSED when nothing listens there.
    static Task<Result<std::unique_ptr<HostSocket>, SystemError>> connect(UnixPlatform& platform,
                                                                          std::uint16_t port);

    // The port this socket is bound to.
    std::uint16_t local_port() const;

    // The next connection from the listen queue; waits for one (EPOLLIN).
    Task<Result<std::unique_ptr<HostSocket>, SystemError>> accept();
    // Up to out.size() bytes, at least one; 0 at the end of the stream.
    Task<Result<std::size_t, SystemError>> read(MutableByteView out);
    // All of `data`, waiting while the kernel's send buffer is full.
    Task<Result<void, SystemError>> write(ByteView data);
    // No more writes: the peer reads the end of the stream after the data.
    Result<void, SystemError> shutdown_write();
    // Closes with a reset (RST) instead of a FIN, so the peer sees an error.
    // Waiting calls wake and fail (EBADF); so does every later call.
    void abort();

    int descriptor() const { return m_fd.get(); }

private:
    HostSocket(UnixPlatform& platform, UniqueFd fd);
    static Result<std::unique_ptr<HostSocket>, SystemError> adopt(UnixPlatform& platform,
                                                                  UniqueFd fd);
    // From the platform's poll.
    void on_ready(std::uint32_t events);

    UnixPlatform& m_platform;
    UniqueFd m_fd;
    WaitList m_readers;
    WaitList m_writers;
};

}  // namespace oasis::unix_target
