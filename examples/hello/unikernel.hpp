// The hello unikernel: prints a greeting a few times, pausing in between.
#pragma once

#include <cstdint>
#include <string>

#include "core/task.hpp"
#include "core/time.hpp"
#include "dev/console.hpp"

namespace hello {

// The runtime arguments; their names, defaults and help texts are declared
// where the target boots (later generated from unikernel.toml).
struct Arguments {
    std::string hello = "Hello World!";
    std::uint64_t repeat = 4;
    oasis::Duration interval = std::chrono::seconds(1);
};

// The unikernel's entry: the same source on every target.
oasis::Task<int> start(oasis::dev::Console& console, Arguments arguments);

}  // namespace hello
