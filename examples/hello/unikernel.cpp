// The hello unikernel, after MirageOS's hello: a greeting, `repeat` times.
#include "generated/unikernel.hpp"
#include "core/scheduler.hpp"

namespace hello {

// Declared in generated/unikernel.hpp, from unikernel.toml.
oasis::Task<int> start(oasis::dev::Console& console, Arguments arguments) {
    for (std::uint64_t i = 0; i < arguments.repeat; ++i) {
        if (i > 0) {
            co_await oasis::sleep_for(arguments.interval);
        }
        console.write(arguments.hello);
        console.write("\n");
    }
    co_return 0;
}

}  // namespace hello
