// getrandom(2), looped until the buffer is full.
#include "targets/unix/entropy.hpp"

#include <errno.h>
#include <sys/random.h>

namespace oasis::unix_target {

Result<void, SystemError> fill_from_host_entropy(std::span<std::byte> out) {
    while (!out.empty()) {
        const ssize_t got = ::getrandom(out.data(), out.size(), 0);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return Error{SystemError{"getrandom", errno}};
        }
        out = out.subspan(static_cast<std::size_t>(got));
    }
    return {};
}

}  // namespace oasis::unix_target
