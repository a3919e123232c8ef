// The echo unikernel: a UDP echo service (RFC 862) on the Oasis stack.
#pragma once

#include <cstdint>

#include "core/task.hpp"
#include "core/time.hpp"
#include "dev/console.hpp"
#include "net/stack.hpp"

namespace echo {

// The runtime arguments; their names, defaults and help texts are declared
// where the target boots (later generated from unikernel.toml).
struct Arguments {
    std::uint16_t port = 7;  // RFC 862's port
    // How long to wait for a DHCP lease before giving up.
    oasis::Duration dhcp_timeout = std::chrono::seconds{30};
};

// The unikernel's entry, the same source on every target: starts the stack,
// then sends every datagram that arrives on `port` back to where it came
// from, for ever. Returns 1 if the service cannot start.
oasis::Task<int> start(oasis::dev::Console& console, oasis::net::Stack& stack, Arguments arguments);

}  // namespace echo
