// SocketNetwork: --net=socket, the app's Oasis stack behind an in-process gateway to host sockets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/random.hpp"
#include "core/packet.hpp"
#include "core/result.hpp"
#include "core/scheduler.hpp"
#include "core/task.hpp"
#include "net/sim/simulated_switch.hpp"
#include "net/stack.hpp"
#include "targets/unix/host_socket.hpp"
#include "targets/unix/platform.hpp"

namespace oasis::unix_target {

// `--forward:NAME=HOSTPORT:GUESTPORT`: connections to 127.0.0.1:HOSTPORT
// reach the app's GUESTPORT.
struct PortForward {
    std::uint16_t host_port = 0;  // 0: an ephemeral port (tests)
    std::uint16_t guest_port = 0;
};

// "8080:80". The message names what is wrong with the text.
Result<PortForward, std::string> parse_port_forward(std::string_view text);
// "5201": a port for --host-port, 1 to 65535.
Result<std::uint16_t, std::string> parse_host_port(std::string_view text);

struct SocketNetConfig {
    // The app's stack: its address and its gateway, which is the address of
    // the gateway stack, on the same prefix.
    net::StackConfig app;
    std::vector<PortForward> forwards;
    // --host-port: the app's connections to gateway:P reach 127.0.0.1:P.
    std::vector<std::uint16_t> host_ports;
};

// The app's stack configuration with --net=socket: what --ipv4 and
// --ipv4-gateway say (both or neither: there is no DHCP server on the
// gateway), else QEMU user networking's numbers, 10.0.2.15/24 via 10.0.2.2.
Result<net::StackConfig, std::string> socket_stack_config(const net::StackConfig& parsed);

// User-mode networking (after QEMU's slirp and passt) built from Oasis's own
// pieces, so that a unikernel runs as an ordinary process on localhost, with
// no TAP device and no privilege, and its app still talks to a net::Stack:
//
//   app Stack ── port 0 ┐
//                       SimulatedSwitch
//   gateway Stack ─ port 1 ┘  ⇄  host TCP sockets on 127.0.0.1
//
// The gateway splices each TCP connection between a host socket and a
// TcpStream of its own stack: inbound from a host listener to the app's
// GUESTPORT (--forward), outbound from the app's connections to the
// gateway's address and a --host-port P to 127.0.0.1:P. Bytes are copied
// both ways; an end of stream on one side becomes a half-close on the other
// (host EOF: TcpStream::shutdown; stream EOF: shutdown(SHUT_WR)), and an
// error on either side resets both.
//
// Lifetime: start() spawns tasks on the current scheduler; stop() must run
// while that scheduler lives, and the scheduler must end (destroying the
// tasks) before the network is destroyed.
class SocketNetwork {
public:
    // Binds the host listeners of the forwards (the message names the port
    // that could not be bound). No task runs until start().
    static Result<std::unique_ptr<SocketNetwork>, std::string> open(UnixPlatform& platform,
                                                                    crypto::ChaChaRng& random,
                                                                    SocketNetConfig config);
    SocketNetwork(const SocketNetwork&) = delete;
    SocketNetwork& operator=(const SocketNetwork&) = delete;
    ~SocketNetwork();

    // The app's Ethernet port, for its net::Stack.
    dev::NetDevice& app_device() { return *m_app_device; }
    // The port each forward listens on, in the config's order (a port 0
    // there is the ephemeral port the kernel chose).
    std::vector<std::uint16_t> listening_ports() const;

    // Starts the gateway stack and its accept loops.
    void start();
    // Cancels every splice and accept loop and stops the gateway stack.
    void stop();

    const net::Stack& gateway() const { return *m_gateway; }
    // Connections spliced so far, both directions.
    std::uint64_t connections() const { return m_connections; }

private:
    SocketNetwork(UnixPlatform& platform, crypto::ChaChaRng& random, SocketNetConfig config);

    Task<void> forward_loop(HostSocket* listener, std::uint16_t guest_port);
    Task<void> host_port_loop(net::TcpListener* listener, std::uint16_t port);
    Task<void> connect_to_app(std::unique_ptr<HostSocket> host, std::uint16_t guest_port);
    Task<void> connect_to_host(net::TcpStream stream, std::uint16_t port);
    void splice(std::unique_ptr<HostSocket> host, net::TcpStream stream);
    void spawn(Task<void> task);

    UnixPlatform& m_platform;
    SocketNetConfig m_config;
    PacketPool m_pool;
    net::SimulatedSwitch m_switch;
    net::SimulatedNetDevice* m_app_device = nullptr;
    std::unique_ptr<net::Stack> m_gateway;
    std::vector<std::unique_ptr<HostSocket>> m_forward_listeners;
    std::vector<net::TcpListener> m_host_port_listeners;
    std::vector<JoinHandle> m_tasks;
    std::uint64_t m_connections = 0;
    bool m_running = false;
};

}  // namespace oasis::unix_target
