// echo's entry on the unix target (to be generated from unikernel.toml by `oasis configure`).
#include <cstdio>

#include "core/packet.hpp"
#include "examples/echo/unikernel.hpp"
#include "net/stack.hpp"
#include "targets/unix/boot.hpp"

int main(int argc, char** argv) {
    oasis::unix_target::Boot boot{argc, argv};
    oasis::ArgumentParser& arguments = boot.arguments();
    const echo::Arguments defaults;
    arguments.declare_unsigned("port", defaults.port, "The UDP and TCP port to echo on.", 1, 65535);
    arguments.declare_unsigned("max-connections", defaults.max_connections,
                               "TCP connections served at once; more wait in the backlog.", 1,
                               65535);
    arguments.declare_unsigned("backlog", defaults.backlog,
                               "Established TCP connections waiting for a free slot.", 1, 65535);
    arguments.declare_duration("stats-interval", defaults.stats_interval,
                               "How often to log the TCP counters (0: never).");
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
    // Enough buffers for a 64 KiB datagram held by ARP while it is resolved,
    // plus a full receive batch and the transmit queue.
    oasis::PacketPool pool{1024};
    oasis::net::Stack stack{boot.net("service"), pool, *config, boot.random()};
    echo::Arguments values{
        .port = static_cast<std::uint16_t>(arguments.unsigned_value("port")),
        .dhcp_timeout = arguments.duration_value("dhcp-timeout"),
        .max_connections = arguments.unsigned_value("max-connections"),
        .backlog = arguments.unsigned_value("backlog"),
        .stats_interval = arguments.duration_value("stats-interval"),
    };
    return boot.run(echo::start(boot.console(), stack, values));
}
