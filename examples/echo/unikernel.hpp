// The echo unikernel: the echo service of RFC 862 over UDP and TCP on the Oasis stack.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/task.hpp"
#include "core/time.hpp"
#include "dev/console.hpp"
#include "net/stack.hpp"

namespace echo {

// The runtime arguments; their names, defaults and help texts are declared
// where the target boots (later generated from unikernel.toml).
struct Arguments {
    std::uint16_t port = 7;  // RFC 862's port, for UDP and TCP alike
    // How long to wait for a DHCP lease before giving up.
    oasis::Duration dhcp_timeout = std::chrono::seconds{30};
    // TCP connections served at once, each by a task of its own. Further
    // handshakes complete in the stack and wait in the listen backlog until
    // a connection ends, so a crowd of clients cannot spawn unbounded tasks.
    std::size_t max_connections = 64;
    // Established TCP connections waiting for a free slot (the accept queue).
    std::size_t backlog = 128;
    // How often to log the stack's TCP counters; zero: never.
    oasis::Duration stats_interval{0};
};

// The unikernel's entry, the same source on every target: starts the stack,
// then for ever sends every UDP datagram that arrives on `port` back to
// where it came from, and echoes every TCP connection to `port` until the
// peer's FIN, then closes it. Returns 1 if the service cannot start.
oasis::Task<int> start(oasis::dev::Console& console, oasis::net::Stack& stack, Arguments arguments);

}  // namespace echo
