// SocketNetwork: the gateway stack's accept loops and the splices between host sockets and streams.
#include "targets/unix/socket_net.hpp"

#include <array>
#include <charconv>
#include <chrono>

#include "core/format.hpp"
#include "core/log.hpp"

namespace oasis::unix_target {

namespace {

constinit LogSource log{"unix.socket_net"};

// QEMU user networking's addresses and MACs (52:55 for the host side,
// 52:54 for the guest): familiar in captures, and free on this private
// two-port switch.
constexpr net::Ipv4Address default_app_address = net::Ipv4Address::from_octets(10, 0, 2, 15);
constexpr net::Ipv4Address default_gateway_address = net::Ipv4Address::from_octets(10, 0, 2, 2);
constexpr std::uint8_t default_prefix_length = 24;
constexpr dev::MacAddress app_mac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
constexpr dev::MacAddress gateway_mac{{0x52, 0x55, 0x0a, 0x00, 0x02, 0x02}};

// The gateway holds frames only briefly: its streams' buffers hold the data.
constexpr std::size_t gateway_packet_buffers = 1024;
// Bytes moved per read: a few segments, so a bulk transfer takes few rounds.
constexpr std::size_t splice_chunk = 16 * 1024;
// How long the app has to answer a forwarded connection's SYN.
constexpr Duration app_connect_timeout = std::chrono::seconds(10);
// After a failed accept (out of descriptors), before the listener tries again.
constexpr Duration accept_retry_delay = std::chrono::milliseconds(100);

Result<std::uint16_t, std::string> parse_port(std::string_view text, bool allow_zero) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    const auto [stopped, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc{} || stopped != end || value > 65535 ||
        (value == 0 && !allow_zero)) {
        return Error{format("'{}' is not a port (1 to 65535)", text)};
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

Result<PortForward, std::string> parse_port_forward(std::string_view text) {
    if (text.starts_with("udp:")) {
        return Error{format("'{}': only TCP is forwarded for now", text)};
    }
    if (text.starts_with("tcp:")) {
        text.remove_prefix(4);
    }
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
        return Error{format("'{}' is not HOSTPORT:GUESTPORT", text)};
    }
    PortForward forward;
    forward.host_port = TRY(parse_port(text.substr(0, colon), true));
    forward.guest_port = TRY(parse_port(text.substr(colon + 1), false));
    return forward;
}

Result<std::uint16_t, std::string> parse_host_port(std::string_view text) {
    return parse_port(text, false);
}

Result<net::StackConfig, std::string> socket_stack_config(const net::StackConfig& parsed) {
    if (!parsed.address) {
        return net::StackConfig{net::Ipv4Prefix{default_app_address, default_prefix_length},
                                default_gateway_address};
    }
    if (!parsed.gateway) {
        return Error{std::string{
            "with --net=socket, --ipv4 needs --ipv4-gateway: the address of the gateway to the "
            "host's sockets"}};
    }
    return parsed;
}

namespace {

// One spliced connection, shared by its two copying tasks.
struct Splice {
    std::unique_ptr<HostSocket> host;
    net::TcpStream stream;
    JoinHandle to_app;   // host -> stream
    JoinHandle to_host;  // stream -> host

    // An error on either side resets both, and ends the other direction too.
    void fail() {
        host->abort();
        stream.abort();
        to_app.cancel();
        to_host.cancel();
    }
};

// Takes parameters by value: the frame owns its share of the splice.
Task<void> copy_to_app(std::shared_ptr<Splice> splice) {
    std::array<std::byte, splice_chunk> buffer;
    while (true) {
        auto count = co_await splice->host->read(buffer);
        if (!count) {
            log.debug("host side failed: {}", count.error().message());
            splice->fail();
            co_return;
        }
        if (*count == 0) {
            splice->stream.shutdown();  // host EOF: FIN to the app after the data
            co_return;
        }
        auto written = co_await splice->stream.write(ByteView{buffer.data(), *count});
        if (!written) {
            splice->fail();
            co_return;
        }
    }
}

Task<void> copy_to_host(std::shared_ptr<Splice> splice) {
    std::array<std::byte, splice_chunk> buffer;
    while (true) {
        auto count = co_await splice->stream.read(buffer);
        if (!count) {
            log.debug("app side failed: {}", count.error());
            splice->fail();
            co_return;
        }
        if (*count == 0) {
            if (splice->host->shutdown_write().is_error()) {
                splice->fail();
            }
            co_return;
        }
        auto written = co_await splice->host->write(ByteView{buffer.data(), *count});
        if (!written) {
            splice->fail();
            co_return;
        }
    }
}

}  // namespace

SocketNetwork::SocketNetwork(UnixPlatform& platform, crypto::ChaChaRng& random,
                             SocketNetConfig config)
    : m_platform(platform), m_config(std::move(config)), m_pool(gateway_packet_buffers) {
    OASIS_ASSERT(m_config.app.address && m_config.app.gateway);
    m_app_device = &m_switch.add_port(app_mac);
    net::SimulatedNetDevice& gateway_device = m_switch.add_port(gateway_mac);
    const net::StackConfig gateway_config{
        net::Ipv4Prefix{*m_config.app.gateway, m_config.app.address->length()}, std::nullopt};
    m_gateway = std::make_unique<net::Stack>(gateway_device, m_pool, gateway_config, random);
}

SocketNetwork::~SocketNetwork() = default;

Result<std::unique_ptr<SocketNetwork>, std::string> SocketNetwork::open(UnixPlatform& platform,
                                                                        crypto::ChaChaRng& random,
                                                                        SocketNetConfig config) {
    std::unique_ptr<SocketNetwork> network{new SocketNetwork{platform, random, std::move(config)}};
    for (const PortForward& forward : network->m_config.forwards) {
        auto listener = HostSocket::listen(platform, forward.host_port);
        if (listener.is_error()) {
            return Error{format("cannot listen on 127.0.0.1:{}: {}", forward.host_port,
                                listener.error().message())};
        }
        network->m_forward_listeners.push_back(std::move(listener.value()));
    }
    return network;
}

std::vector<std::uint16_t> SocketNetwork::listening_ports() const {
    std::vector<std::uint16_t> ports;
    for (const auto& listener : m_forward_listeners) {
        ports.push_back(listener->local_port());
    }
    return ports;
}

void SocketNetwork::start() {
    OASIS_ASSERT(!m_running);
    m_running = true;
    m_gateway->start();
    for (std::size_t index = 0; index < m_forward_listeners.size(); ++index) {
        spawn(forward_loop(m_forward_listeners[index].get(), m_config.forwards[index].guest_port));
    }
    for (std::uint16_t port : m_config.host_ports) {
        auto listener = m_gateway->tcp_listen(port);
        if (listener.is_error()) {
            log.error("--host-port={}: cannot listen on the gateway: {}", port, listener.error());
            continue;
        }
        m_host_port_listeners.push_back(std::move(listener.value()));
    }
    // Spawned once the vector is complete: the loops hold pointers into it.
    for (net::TcpListener& listener : m_host_port_listeners) {
        spawn(host_port_loop(&listener, listener.port()));
    }
}

void SocketNetwork::stop() {
    if (!m_running) {
        return;
    }
    m_running = false;
    for (JoinHandle& task : m_tasks) {
        task.cancel();
    }
    m_tasks.clear();
    m_host_port_listeners.clear();
    m_gateway->stop();
}

void SocketNetwork::spawn(Task<void> task) {
    std::erase_if(m_tasks, [](const JoinHandle& handle) { return handle.finished(); });
    m_tasks.push_back(Scheduler::current().spawn(std::move(task)));
}

// Woken by the host listener's EPOLLIN.
Task<void> SocketNetwork::forward_loop(HostSocket* listener, std::uint16_t guest_port) {
    while (true) {
        auto accepted = co_await listener->accept();
        if (accepted.is_error()) {
            log.warning("forward to port {}: {}", guest_port, accepted.error().message());
            co_await sleep_for(accept_retry_delay);
            continue;
        }
        spawn(connect_to_app(std::move(accepted.value()), guest_port));
    }
}

// Woken by the gateway stack when the app's handshake completes.
Task<void> SocketNetwork::host_port_loop(net::TcpListener* listener, std::uint16_t port) {
    while (true) {
        auto accepted = co_await listener->accept();
        if (accepted.is_error()) {
            co_return;  // closed: the network is stopping
        }
        spawn(connect_to_host(std::move(accepted.value()), port));
    }
}

Task<void> SocketNetwork::connect_to_app(std::unique_ptr<HostSocket> host,
                                         std::uint16_t guest_port) {
    auto stream = co_await m_gateway->tcp_connect(m_config.app.address->address(), guest_port,
                                                  app_connect_timeout);
    if (stream.is_error()) {
        // Refused or unanswered: the host's client sees a reset, as if the
        // port were closed.
        log.debug("forward to port {}: {}", guest_port, stream.error());
        host->abort();
        co_return;
    }
    splice(std::move(host), std::move(stream.value()));
}

Task<void> SocketNetwork::connect_to_host(net::TcpStream stream, std::uint16_t port) {
    auto host = co_await HostSocket::connect(m_platform, port);
    if (host.is_error()) {
        log.debug("host port {}: {}", port, host.error().message());
        stream.abort();
        co_return;
    }
    splice(std::move(host.value()), std::move(stream));
}

void SocketNetwork::splice(std::unique_ptr<HostSocket> host, net::TcpStream stream) {
    ++m_connections;
    auto shared = std::make_shared<Splice>(Splice{std::move(host), std::move(stream), {}, {}});
    // Neither task runs before the next round, so both handles are set first.
    shared->to_app = Scheduler::current().spawn(copy_to_app(shared));
    shared->to_host = Scheduler::current().spawn(copy_to_host(shared));
    m_tasks.push_back(shared->to_app);
    m_tasks.push_back(shared->to_host);
}

}  // namespace oasis::unix_target
