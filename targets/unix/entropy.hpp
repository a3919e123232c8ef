// Host entropy for the unix target: getrandom(2), which seeds the unikernel's CSPRNG.
#pragma once

#include <cstddef>
#include <span>

#include "core/result.hpp"
#include "targets/unix/system_error.hpp"

namespace oasis::unix_target {

// Fills all of `out` from the kernel's CSPRNG (getrandom with no flags, so it
// waits, only at early boot, until the kernel's pool is initialised). Short
// reads (getrandom returns at most 32 MiB - 1 bytes per call, less when a
// signal arrives) and EINTR are retried. Fails only when getrandom itself is
// unavailable (ENOSYS, e.g. under a strict seccomp filter); `out` is then
// partly filled and must not be used.
Result<void, SystemError> fill_from_host_entropy(std::span<std::byte> out);

}  // namespace oasis::unix_target
