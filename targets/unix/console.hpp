// UnixConsole: the unix target's console, written to standard output.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <string_view>

#include "dev/console.hpp"

namespace oasis::unix_target {

// Writes go straight to a file descriptor (standard output unless told
// otherwise), whole: short writes are continued and EINTR retried. The
// descriptor is borrowed, never closed.
//
// A console must not stall the unikernel for long (dev/console.hpp): when the
// descriptor is non-blocking and stays full (EAGAIN) for longer than
// `stall_limit`, or when it fails (EPIPE, EIO ...), the rest of the text is
// dropped and counted in dropped_bytes(). A blocking descriptor blocks in
// write() as any process's stdout does.
class UnixConsole final : public dev::Console {
public:
    static constexpr int stall_limit_milliseconds = 1000;

    explicit UnixConsole(int fd = STDOUT_FILENO) : m_fd(fd) {}

    void write(std::string_view text) override;

    int fd() const { return m_fd; }
    std::uint64_t dropped_bytes() const { return m_dropped_bytes; }

private:
    int m_fd;
    std::uint64_t m_dropped_bytes = 0;
};

}  // namespace oasis::unix_target
