// panic(): the end of the run when an invariant is broken (never for bad input).
#pragma once

#include <string_view>

namespace oasis {

// Prints `message` through the platform's panic handler and stops the
// unikernel with a failure status. Never returns.
[[noreturn]] void panic(std::string_view message);

// The platform (targets/) installs how a panic is reported and how the run
// ends. The handler must not return; if it does, panic() traps. Before any
// handler is installed a panic traps at once.
using PanicHandler = void (*)(std::string_view message);
void set_panic_handler(PanicHandler handler);

}  // namespace oasis

// OASIS_ASSERT(condition): a broken invariant panics with the condition's text
// and its place in the source. It stays on in release builds: a unikernel that
// continues with corrupt state is worse than one that stops.
#define OASIS_ASSERT(condition)                                                              \
    do {                                                                                     \
        if (!(condition)) [[unlikely]] {                                                     \
            ::oasis::panic(__FILE__                                                          \
                           ":" OASIS_STRINGIFY(__LINE__) ": assertion failed: " #condition); \
        }                                                                                    \
    } while (false)

#define OASIS_STRINGIFY_(x) #x
#define OASIS_STRINGIFY(x) OASIS_STRINGIFY_(x)
