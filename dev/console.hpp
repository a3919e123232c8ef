// Console: where a unikernel's text output goes (stdout, a serial port, the tender).
#pragma once

#include <string_view>

namespace oasis::dev {

class Console {
public:
    virtual ~Console() = default;
    // Writes all of `text`, or as much as the platform's bound allows (a
    // guest must not flood its host); never blocks the scheduler for long.
    virtual void write(std::string_view text) = 0;
};

}  // namespace oasis::dev
