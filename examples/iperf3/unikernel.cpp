// The iperf3 unikernel: an iperf3 server, or a client for one test, on the Oasis stack.
#include "generated/unikernel.hpp"

#include <optional>

#include "core/format.hpp"
#include "services/iperf3/client.hpp"
#include "services/iperf3/server.hpp"

namespace iperf3_unikernel {

namespace {

using oasis::format;
using oasis::iperf3::TestReport;

// Two lines per test: one for people, one `key=value` line for scripts.
std::string describe(const TestReport& report) {
    const auto& parameters = report.parameters;
    std::string out = format("iperf3: test with {}: {} stream{}, {} sending, {}: ", report.peer,
                             parameters.parallel, parameters.parallel == 1 ? "" : "s",
                             report.local_sent ? "this side" : "the peer",
                             parameters.bytes != 0 ? format("{} bytes", parameters.bytes)
                                                   : format("{} s", parameters.time_seconds));
    if (report.outcome) {
        out += oasis::iperf3::describe_transfer(report);
    } else {
        out += format("failed: {}", report.outcome.error());
    }
    out += '\n';
    auto number = [](auto value) { return value ? format("{}", *value) : std::string{"-"}; };
    out += format(
        "iperf3: result outcome={} reverse={} streams={} sender_bytes={} receiver_bytes={} "
        "sender_microseconds={} receiver_microseconds={}\n",
        report.outcome ? std::string_view{"ok"}
                       : oasis::iperf3::iperf3_error_name(report.outcome.error()),
        parameters.reverse ? 1 : 0, parameters.parallel, number(report.sender_bytes()),
        number(report.receiver_bytes()), number(report.sender_microseconds()),
        number(report.receiver_microseconds()));
    return out;
}

oasis::Task<int> serve(oasis::dev::Console* console, oasis::net::Stack* stack,
                       Arguments arguments) {
    oasis::iperf3::ServerOptions options;
    // The manifest bounds it to 1..65535.
    options.port = static_cast<std::uint16_t>(arguments.port);
    options.on_test = [console](const TestReport& report) { console->write(describe(report)); };
    auto server = oasis::iperf3::Server::listen(*stack, std::move(options));
    if (!server) {
        console->write(
            format("iperf3: cannot listen on port {}: {}\n", arguments.port, server.error()));
        co_return 1;
    }
    console->write(
        format("iperf3: listening on {} port {}\n", stack->address()->address(), arguments.port));
    auto served = co_await server->run(arguments.tests);
    if (!served) {
        console->write(format("iperf3: the listener failed: {}\n", served.error()));
        co_return 1;
    }
    co_return 0;
}

oasis::Task<int> connect(oasis::dev::Console* console, oasis::net::Stack* stack,
                         oasis::dev::Random* random, oasis::net::Ipv4Address server,
                         Arguments arguments) {
    oasis::iperf3::ClientOptions options;
    options.server = server;
    // The manifest bounds each of these to its type's range.
    options.port = static_cast<std::uint16_t>(arguments.port);
    options.time_seconds = static_cast<std::uint32_t>(arguments.time);
    options.bytes = arguments.bytes;
    options.reverse = arguments.reverse;
    options.parallel = static_cast<std::uint32_t>(arguments.parallel);
    options.block_size = static_cast<std::uint32_t>(arguments.length);
    console->write(format("iperf3: connecting to {} port {}\n", options.server, options.port));
    TestReport report = co_await oasis::iperf3::run_client(stack, random, options);
    console->write(describe(report));
    co_return report.outcome ? 0 : 1;
}

}  // namespace

// The unikernel's entry, the same source on every target. With --connect, a
// client runs one test against that server, prints its result and returns 0
// when the test completed, 1 otherwise; without it, a server prints two lines
// per test and returns 0 after `tests` tests (never, when it is 0). A
// --connect that is not an IPv4 address returns 1 before the stack starts.
oasis::Task<int> start(oasis::dev::Console& console, oasis::net::Stack& stack,
                       oasis::dev::Random& random, Arguments arguments) {
    std::optional<oasis::net::Ipv4Address> server;
    if (!arguments.connect.empty()) {
        auto parsed = oasis::net::Ipv4Address::parse(arguments.connect);
        if (!parsed) {
            console.write(
                format("iperf3: --connect={}: not an IPv4 address ({}); expected one "
                       "like 10.0.0.1\n",
                       arguments.connect, oasis::net::address_error_name(parsed.error())));
            co_return 1;
        }
        server = *parsed;
    }
    stack.start();
    if (!co_await stack.wait_configured(arguments.dhcp_timeout)) {
        console.write("iperf3: no IPv4 address (no DHCP lease)\n");
        co_return 1;
    }
    // Not `co_return co_await ...` in each branch: GCC 12 compiled that into
    // a frame whose first resumption trapped (a corrupt resume index).
    int status = 0;
    if (server) {
        status = co_await connect(&console, &stack, &random, *server, arguments);
    } else {
        status = co_await serve(&console, &stack, arguments);
    }
    co_return status;
}

}  // namespace iperf3_unikernel
