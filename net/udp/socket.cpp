// UDP sockets: the port table, per-socket receive queues and the coroutine API.
#include "net/udp/socket.hpp"

#include "core/format.hpp"
#include "core/panic.hpp"

namespace oasis::net {

std::string_view udp_error_name(UdpError error) {
    switch (error) {
        case UdpError::port_in_use:
            return "port_in_use";
        case UdpError::no_free_port:
            return "no_free_port";
        case UdpError::closed:
            return "closed";
        case UdpError::message_too_large:
            return "message_too_large";
        case UdpError::no_address:
            return "no_address";
        case UdpError::no_route:
            return "no_route";
        case UdpError::no_buffers:
            return "no_buffers";
        case UdpError::port_unreachable:
            return "port_unreachable";
        case UdpError::host_unreachable:
            return "host_unreachable";
        case UdpError::network_unreachable:
            return "network_unreachable";
        case UdpError::protocol_unreachable:
            return "protocol_unreachable";
        case UdpError::fragmentation_needed:
            return "fragmentation_needed";
    }
    return "unknown";
}

void format_value(std::string& out, UdpError error) {
    out += udp_error_name(error);
}

UdpTable::UdpTable(std::size_t queue_limit) : m_queue_limit(queue_limit) {
    OASIS_ASSERT(queue_limit > 0);
}

UdpTable::~UdpTable() {
    close_all();
}

Result<UdpEndpoint*, UdpError> UdpTable::bind(std::uint16_t port, std::uint32_t random_start) {
    if (port == 0) {
        // RFC 6056 §3.3.1 (Algorithm 1): a random start, then the next free port.
        constexpr std::uint32_t count = ephemeral_last - ephemeral_first + 1;
        for (std::uint32_t step = 0; step < count; ++step) {
            const auto candidate =
                static_cast<std::uint16_t>(ephemeral_first + (random_start + step) % count);
            if (!is_bound(candidate)) {
                port = candidate;
                break;
            }
        }
        if (port == 0) {
            return Error{UdpError::no_free_port};
        }
    } else if (is_bound(port)) {
        return Error{UdpError::port_in_use};
    }
    auto endpoint = std::make_unique<UdpEndpoint>();
    endpoint->port = port;
    endpoint->queue_limit = m_queue_limit;
    UdpEndpoint* raw = endpoint.get();
    m_endpoints.emplace(port, std::move(endpoint));
    return raw;
}

void UdpTable::unbind(UdpEndpoint& endpoint) {
    endpoint.closed = true;
    // A receive still waiting (another task closed the socket) is moved to
    // the run queue before the endpoint goes; it then finds the socket closed.
    if (!endpoint.receivers.empty()) {
        Scheduler::current().wake_all(endpoint.receivers);
    }
    m_endpoints.erase(endpoint.port);
}

UdpEndpoint* UdpTable::find(std::uint16_t port) {
    auto found = m_endpoints.find(port);
    return found == m_endpoints.end() ? nullptr : found->second.get();
}

bool UdpTable::deliver(std::uint16_t port, UdpReceived datagram) {
    UdpEndpoint* endpoint = find(port);
    if (endpoint == nullptr || endpoint->closed) {
        ++m_stats.no_socket;
        return false;
    }
    if (endpoint->queue.size() >= endpoint->queue_limit) {
        ++m_stats.queue_full;
        ++endpoint->queue_drops;
        return true;
    }
    endpoint->queue.push_back(std::move(datagram));
    ++m_stats.delivered;
    if (!endpoint->receivers.empty()) {
        Scheduler::current().wake_one(endpoint->receivers);
    }
    return true;
}

void UdpTable::report_error(std::uint16_t port, UdpError error) {
    UdpEndpoint* endpoint = find(port);
    if (endpoint == nullptr || endpoint->closed) {
        ++m_stats.errors_unclaimed;
        return;
    }
    ++m_stats.errors_reported;
    endpoint->pending_error = error;
    if (!endpoint->receivers.empty()) {
        Scheduler::current().wake_one(endpoint->receivers);
    }
}

void UdpTable::close_all() {
    for (auto& [port, endpoint] : m_endpoints) {
        endpoint->closed = true;
        if (!endpoint->receivers.empty()) {
            Scheduler::current().wake_all(endpoint->receivers);
        }
    }
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept
    : m_table(std::exchange(other.m_table, nullptr)),
      m_endpoint(std::exchange(other.m_endpoint, nullptr)),
      m_transmitter(std::exchange(other.m_transmitter, nullptr)) {}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
    if (this != &other) {
        close();
        m_table = std::exchange(other.m_table, nullptr);
        m_endpoint = std::exchange(other.m_endpoint, nullptr);
        m_transmitter = std::exchange(other.m_transmitter, nullptr);
    }
    return *this;
}

std::uint16_t UdpSocket::port() const {
    return m_endpoint != nullptr ? m_endpoint->port : 0;
}

std::size_t UdpSocket::queued() const {
    return m_endpoint != nullptr ? m_endpoint->queue.size() : 0;
}

std::uint64_t UdpSocket::queue_drops() const {
    return m_endpoint != nullptr ? m_endpoint->queue_drops : 0;
}

std::optional<Result<UdpReceived, UdpError>> UdpSocket::try_receive() {
    if (m_endpoint == nullptr) {
        return Result<UdpReceived, UdpError>{Error{UdpError::closed}};
    }
    if (m_endpoint->pending_error) {
        const UdpError error = *m_endpoint->pending_error;
        m_endpoint->pending_error.reset();
        return Result<UdpReceived, UdpError>{Error{error}};
    }
    if (!m_endpoint->queue.empty()) {
        UdpReceived datagram = std::move(m_endpoint->queue.front());
        m_endpoint->queue.pop_front();
        return Result<UdpReceived, UdpError>{std::move(datagram)};
    }
    if (m_endpoint->closed) {
        return Result<UdpReceived, UdpError>{Error{UdpError::closed}};
    }
    return std::nullopt;
}

Task<Result<UdpReceived, UdpError>> UdpSocket::receive() {
    for (;;) {
        if (auto ready = try_receive()) {
            co_return std::move(*ready);
        }
        co_await wait_on(m_endpoint->receivers);
    }
}

Task<Result<void, UdpError>> UdpSocket::send_to(Ipv4Address destination, std::uint16_t port,
                                                ByteView payload) {
    if (m_endpoint == nullptr || m_endpoint->closed) {
        co_return Error{UdpError::closed};
    }
    while (m_transmitter->send_blocked()) {
        co_await m_transmitter->wait_send_space();
        if (m_endpoint == nullptr || m_endpoint->closed) {
            co_return Error{UdpError::closed};
        }
    }
    co_return m_transmitter->send_udp(m_endpoint->port, destination, port, payload);
}

void UdpSocket::close() {
    if (m_endpoint != nullptr) {
        m_table->unbind(*m_endpoint);
        m_endpoint = nullptr;
    }
}

}  // namespace oasis::net
