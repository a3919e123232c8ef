// iperf3's entry on the unix target (to be generated from unikernel.toml by `oasis configure`).
#include <cstdio>

#include "core/packet.hpp"
#include "examples/iperf3/unikernel.hpp"
#include "net/stack.hpp"
#include "targets/unix/boot.hpp"

namespace {

oasis::Result<void, std::string> validate_address_or_empty(std::string_view text) {
    if (text.empty() || oasis::net::Ipv4Address::parse(text)) {
        return {};
    }
    return oasis::Error{std::string{"expected an IPv4 address, like 10.0.0.1"}};
}

}  // namespace

int main(int argc, char** argv) {
    oasis::unix_target::Boot boot{argc, argv};
    oasis::ArgumentParser& arguments = boot.arguments();
    const iperf3_unikernel::Arguments defaults;
    arguments.declare_unsigned("port", defaults.port,
                               "The iperf3 port, to listen on or connect to.", 1, 65535);
    arguments.declare_custom("connect", "IPv4 address", "",
                             "Run one test against the iperf3 server at this address, as "
                             "iperf3 -c; without it, serve tests as iperf3 -s.",
                             validate_address_or_empty);
    arguments.declare_unsigned("time", defaults.time_seconds,
                               "Client: the test's length in seconds (iperf3 -t).", 1, 86400);
    arguments.declare_unsigned(
        "bytes", defaults.bytes,
        "Client: end after this many bytes instead (iperf3 -n); 0: by time.");
    arguments.declare_bool("reverse", defaults.reverse,
                           "Client: the server sends, this side receives (iperf3 -R).");
    arguments.declare_unsigned("parallel", defaults.parallel,
                               "Client: parallel streams (iperf3 -P).", 1, 16);
    arguments.declare_unsigned("length", defaults.length, "Client: bytes per write (iperf3 -l).", 1,
                               1024 * 1024);
    arguments.declare_unsigned("tests", defaults.tests,
                               "Server: exit after this many tests; 0: serve for ever.");
    arguments.declare_duration("dhcp-timeout", defaults.dhcp_timeout,
                               "How long to wait for a DHCP lease (without --ipv4).");
    oasis::net::declare_stack_arguments(arguments);
    boot.declare_net("service");
    if (std::optional<int> status = boot.start()) {
        return *status;
    }
    auto config = oasis::net::stack_config_from(arguments);
    if (!config) {
        std::fprintf(stderr, "%s\n", config.error().c_str());
        return oasis::unix_target::exit_usage;
    }
    // TCP at full speed keeps a window of segments in flight and a
    // transmit queue; 4096 buffers of 2 KiB are 8 MiB.
    oasis::PacketPool pool{4096};
    oasis::net::Stack stack{boot.net("service"), pool, *config, boot.random()};
    iperf3_unikernel::Arguments values{
        .port = static_cast<std::uint16_t>(arguments.unsigned_value("port")),
        .connect = std::nullopt,
        .time_seconds = static_cast<std::uint32_t>(arguments.unsigned_value("time")),
        .bytes = arguments.unsigned_value("bytes"),
        .reverse = arguments.bool_value("reverse"),
        .parallel = static_cast<std::uint32_t>(arguments.unsigned_value("parallel")),
        .length = static_cast<std::uint32_t>(arguments.unsigned_value("length")),
        .tests = arguments.unsigned_value("tests"),
        .dhcp_timeout = arguments.duration_value("dhcp-timeout"),
    };
    if (const std::string& connect = arguments.text("connect"); !connect.empty()) {
        values.connect = oasis::net::Ipv4Address::parse(connect).value();
    }
    return boot.run(iperf3_unikernel::start(boot.console(), stack, boot.random(), values));
}
