// An iperf3 server on the Oasis stack: TCP tests, client to server or reversed, one test at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

#include "core/result.hpp"
#include "core/task.hpp"
#include "core/time.hpp"
#include "net/stack.hpp"
#include "services/iperf3/protocol.hpp"
#include "services/iperf3/session.hpp"

namespace oasis::iperf3 {

struct ServerOptions {
    std::uint16_t port = default_port;
    // More parallel streams are refused (iperf3 itself allows 128).
    std::uint32_t max_streams = 16;
    // How long the client may take over each step outside the data phase.
    Duration control_timeout = std::chrono::seconds(10);
    // A test by time is abandoned this long after its time and omit period
    // if the client never ends it, as iperf3's server does.
    Duration grace = std::chrono::seconds(40);
    // The longest a test by bytes or blocks may run.
    Duration longest_test = std::chrono::minutes(10);
    // What accepted connections start with; the stack's default otherwise.
    std::optional<net::TcpConfig> tcp_config;
    // Called after each test, whether it completed or not.
    std::function<void(const TestReport&)> on_test;
};

// Listens on the port and runs tests one after another, as `iperf3 -s`.
// Connections that arrive while a test runs are answered ACCESS_DENIED.
// A test the server cannot run (UDP, SCTP, bidirectional, a paced reverse
// test, too many streams, a block larger than 1 MiB) is refused with
// SERVER_ERROR, which the iperf3 client prints.
//
// Contract: the stack outlives the server; run() happens inside the
// stack's scheduler.
class Server {
public:
    static Result<Server, net::TcpError> listen(net::Stack& stack, ServerOptions options);

    // Serves `tests` tests (0: for ever), then returns; an error only when
    // the listener itself fails.
    Task<Result<void, net::TcpError>> run(std::size_t tests = 0);

    std::uint16_t port() const { return m_listener.port(); }
    std::uint64_t tests_run() const { return m_tests_run; }

private:
    Server(net::Stack& stack, ServerOptions options, net::TcpListener listener)
        : m_stack(&stack), m_options(std::move(options)), m_listener(std::move(listener)) {}

    Task<TestReport> run_test(net::TcpStream control, Cookie cookie);
    Task<Result<void, Iperf3Error>> serve_test(net::TcpStream* control, const Cookie* cookie,
                                               TestReport* report,
                                               std::unique_ptr<Transfer>* transfer);
    Task<Result<void, Iperf3Error>> accept_streams(const Cookie* cookie,
                                                   const TestParameters* parameters,
                                                   Transfer* transfer);
    Task<Result<void, Iperf3Error>> wait_for_test_end(net::TcpStream* control,
                                                      const TestParameters* parameters);
    std::optional<std::int32_t> refusal(const TestParameters& parameters) const;
    // Answers every connection ACCESS_DENIED until cancelled.
    static Task<void> deny_connections(net::TcpListener* listener);

    net::Stack* m_stack;
    ServerOptions m_options;
    net::TcpListener m_listener;
    std::uint64_t m_tests_run = 0;
};

}  // namespace oasis::iperf3
