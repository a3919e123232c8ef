// The iperf3 unikernel: an iperf3 server, or a client for one test, on the Oasis stack.
#pragma once

#include <cstdint>
#include <optional>

#include "core/crypto/random.hpp"
#include "core/task.hpp"
#include "core/time.hpp"
#include "dev/console.hpp"
#include "net/stack.hpp"
#include "net/wire/address.hpp"

namespace iperf3_unikernel {

// The runtime arguments; their names, defaults and help texts are declared
// where the target boots (later generated from unikernel.toml).
struct Arguments {
    std::uint16_t port = 5201;
    // Client mode: run one test against the iperf3 server there. Without
    // it, serve tests as `iperf3 -s` does.
    std::optional<oasis::net::Ipv4Address> connect;
    std::uint32_t time_seconds = 10;
    std::uint64_t bytes = 0;  // nonzero: the test ends after this many bytes instead
    bool reverse = false;     // the server sends
    std::uint32_t parallel = 1;
    std::uint32_t length = 128 * 1024;  // bytes per write
    // Server mode: exit after this many tests; 0 serves for ever.
    std::uint64_t tests = 0;
    oasis::Duration dhcp_timeout = std::chrono::seconds{30};
};

// The unikernel's entry, the same source on every target. A server prints
// one line per test and returns 0 after `tests` tests; a client prints its
// result and returns 0 when the test completed, 1 otherwise.
oasis::Task<int> start(oasis::dev::Console& console, oasis::net::Stack& stack,
                       oasis::crypto::ChaChaRng& random, Arguments arguments);

}  // namespace iperf3_unikernel
