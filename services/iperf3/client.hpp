// An iperf3 client on the Oasis stack: runs one TCP test against an iperf3 server, as `iperf3 -c`.
#pragma once

#include <cstdint>

#include "core/crypto/random.hpp"
#include "core/task.hpp"
#include "core/time.hpp"
#include "net/stack.hpp"
#include "net/wire/address.hpp"
#include "services/iperf3/protocol.hpp"
#include "services/iperf3/session.hpp"

namespace oasis::iperf3 {

struct ClientOptions {
    net::Ipv4Address server;
    std::uint16_t port = default_port;
    // The test lasts this many seconds (iperf3 -t), or until `bytes` went
    // (iperf3 -n) when that is not 0.
    std::uint32_t time_seconds = 10;
    std::uint64_t bytes = 0;
    bool reverse = false;  // the server sends (iperf3 -R)
    std::uint32_t parallel = 1;
    std::uint32_t block_size = 128 * 1024;  // bytes per write (iperf3 -l)
    std::uint32_t omit_seconds = 0;         // left out of the results (iperf3 -O)
    bool no_delay = false;                  // iperf3 -N
    // How long each connection and each step outside the data phase may take.
    Duration control_timeout = std::chrono::seconds(10);
    // What the test's connections start with; the stack's default otherwise.
    std::optional<net::TcpConfig> tcp_config;
};

// Runs one test. The report's outcome says whether it completed; its
// figures are what is known when it stopped. A test by bytes that never
// gets its bytes through ends when the server or a connection gives up.
//
// Contract: the stack and the random generator outlive the task.
Task<TestReport> run_client(net::Stack* stack, crypto::ChaChaRng* random, ClientOptions options);

}  // namespace oasis::iperf3
