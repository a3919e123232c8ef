// hello's entry on the unix target (to be generated from unikernel.toml by `oasis configure`).
#include "examples/hello/unikernel.hpp"
#include "targets/unix/boot.hpp"

int main(int argc, char** argv) {
    oasis::unix_target::Boot boot{argc, argv};
    oasis::ArgumentParser& arguments = boot.arguments();
    const hello::Arguments defaults;
    arguments.declare_string("hello", defaults.hello, "How to say hello.");
    arguments.declare_unsigned("repeat", defaults.repeat, "How many times to say it.");
    arguments.declare_duration("interval", defaults.interval,
                               "The pause between two greetings (seconds, fractions allowed).");
    if (std::optional<int> status = boot.start()) {
        return *status;
    }
    hello::Arguments values{
        .hello = arguments.string_value("hello"),
        .repeat = arguments.unsigned_value("repeat"),
        .interval = arguments.duration_value("interval"),
    };
    return boot.run(hello::start(boot.console(), std::move(values)));
}
