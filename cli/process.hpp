// Process: running the programs the tool drives (cmake, ninja, the unikernel) with their output
// passed through.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"

namespace oasis::cli {

// Runs `command` (searched in PATH) with this process's standard streams and
// waits for it. Returns its exit status, or 128 + the signal that ended it;
// the error says why it could not start ("cmake: No such file or directory").
Result<int, std::string> run_process(const std::vector<std::string>& command);

// Replaces this process with `command` (a path), so its exit status and
// signals are the caller's. Returns only when it cannot start.
std::string replace_process(const std::vector<std::string>& command);

}  // namespace oasis::cli
