// The echo unikernel: every UDP datagram to the port goes back to its sender.
#include "examples/echo/unikernel.hpp"

#include "core/format.hpp"

namespace echo {

oasis::Task<int> start(oasis::dev::Console& console, oasis::net::Stack& stack,
                       Arguments arguments) {
    stack.start();
    if (!co_await stack.wait_configured(arguments.dhcp_timeout)) {
        console.write("echo: no IPv4 address (no DHCP lease)\n");
        co_return 1;
    }
    auto socket = stack.udp_bind(arguments.port);
    if (!socket) {
        console.write(
            oasis::format("echo: cannot bind UDP port {}: {}\n", arguments.port, socket.error()));
        co_return 1;
    }
    console.write(oasis::format("echo: listening on {} port {}\n", stack.address()->address(),
                                arguments.port));
    for (;;) {
        auto datagram = co_await socket->receive();
        if (!datagram) {
            if (datagram.error() == oasis::net::UdpError::closed) {
                co_return 0;
            }
            continue;  // an ICMP error about an earlier reply: nothing to do
        }
        auto sent = co_await socket->send_to(datagram->source, datagram->source_port,
                                             oasis::ByteView{datagram->payload});
        (void)sent;  // a reply that cannot go (no route, no buffers) is dropped, as UDP may
    }
}

}  // namespace echo
