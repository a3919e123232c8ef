// VirtualPlatform: a platform whose clock moves only when the scheduler waits.
#pragma once

#include "core/scheduler.hpp"

namespace oasis {

// For deterministic tests and network simulation: time starts at zero and
// jumps straight to the next deadline whenever every task is waiting, so an
// hour of protocol timers runs in microseconds, identically every time.
// Simulated devices register themselves as event sources with
// add_event_source() and, from poll(), run `on_poll` hooks of their own.
class VirtualPlatform final : public Platform {
public:
    Instant now() override { return m_now; }
    void poll(std::optional<Instant> deadline) override {
        if (deadline && *deadline > m_now) {
            m_now = *deadline;
        }
    }
    bool has_event_sources() const override { return m_event_sources > 0; }

    void advance(Duration duration) { m_now += duration; }
    void add_event_source() { ++m_event_sources; }
    void remove_event_source() { --m_event_sources; }

private:
    Instant m_now{};
    int m_event_sources = 0;
};

}  // namespace oasis
