// SystemError: a failed Linux call, named, with its errno.
#pragma once

#include <string>
#include <string_view>

namespace oasis::unix_target {

// The error type of unix-target calls whose failure is a host condition the
// caller may want to tell apart (EAGAIN, EPERM ...) or print.
struct SystemError {
    std::string_view operation;  // the failed call, e.g. "epoll_ctl"; a literal
    int number = 0;              // errno

    // "epoll_ctl: Bad file descriptor"
    std::string message() const;
};

// The text of an errno value, e.g. "Permission denied" (thread-safe).
std::string_view describe_errno(int number);

}  // namespace oasis::unix_target
