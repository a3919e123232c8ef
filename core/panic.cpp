// The platform-independent half of panic(): dispatch to the installed handler.
#include "core/panic.hpp"

namespace oasis {

namespace {
PanicHandler g_panic_handler = nullptr;
}

void set_panic_handler(PanicHandler handler) {
    g_panic_handler = handler;
}

void panic(std::string_view message) {
    if (g_panic_handler != nullptr) {
        g_panic_handler(message);
    }
    __builtin_trap();
}

}  // namespace oasis
