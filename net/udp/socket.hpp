// UDP sockets: the port table, per-socket receive queues and the coroutine API apps use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/buffer.hpp"
#include "core/result.hpp"
#include "core/scheduler.hpp"
#include "core/task.hpp"
#include "net/wire/address.hpp"

namespace oasis::net {

enum class UdpError {
    port_in_use,        // udp_bind: another socket has the port
    no_free_port,       // udp_bind(0): every ephemeral port is taken
    closed,             // the socket was closed, or the stack stopped
    message_too_large,  // more than 65507 bytes of payload (65535 - IP and UDP headers)
    no_address,         // the interface has no IPv4 address yet (DHCP still running)
    no_route,           // the destination is off-link and there is no gateway
    no_buffers,         // the packet pool ran dry
    // Reported by an ICMP destination unreachable about a datagram this
    // socket sent (RFC 1122 §4.1.3.3), once, on the next receive().
    port_unreachable,
    host_unreachable,
    network_unreachable,
    protocol_unreachable,
    fragmentation_needed,
};

std::string_view udp_error_name(UdpError error);
void format_value(std::string& out, UdpError error);

// One received datagram: a copy of the payload, and who sent it.
struct UdpReceived {
    std::vector<std::byte> payload;
    Ipv4Address source;
    std::uint16_t source_port = 0;
    Ipv4Address destination;  // ours, or a broadcast address
};

// What the stack does for a socket that sends: route, fragment, resolve,
// transmit. An interface so that net/udp does not depend on the stack.
class UdpTransmitter {
public:
    virtual ~UdpTransmitter() = default;
    // Sends one datagram now, or queues it inside the stack.
    virtual Result<void, UdpError> send_udp(std::uint16_t source_port, Ipv4Address destination,
                                            std::uint16_t destination_port, ByteView payload) = 0;
    // Completes when send_udp may be tried again after no_buffers or a full
    // transmit queue: woken when the stack's transmit queue drains.
    virtual Task<void> wait_send_space() = 0;
    // Whether send_udp would have to wait for room.
    virtual bool send_blocked() const = 0;
};

struct UdpStats {
    std::uint64_t delivered = 0;         // datagrams queued to a socket
    std::uint64_t queue_full = 0;        // dropped: the socket's queue was full
    std::uint64_t no_socket = 0;         // dropped: no socket on the destination port
    std::uint64_t errors_reported = 0;   // ICMP errors handed to a socket
    std::uint64_t errors_unclaimed = 0;  // ICMP errors about a port nobody has
};

// The state of one bound port. It lives in the table (at a stable address)
// while a socket handle refers to it.
struct UdpEndpoint {
    std::uint16_t port = 0;
    std::size_t queue_limit = 0;
    std::deque<UdpReceived> queue;
    std::optional<UdpError> pending_error;
    bool closed = false;
    WaitList receivers;  // woken when a datagram or an error arrives, or on close
    std::uint64_t queue_drops = 0;
};

class UdpSocket;

// The ports of one stack: binding, ephemeral ports (RFC 6056 §3.3.1,
// randomised start and linear search), delivery into queues.
class UdpTable {
public:
    static constexpr std::uint16_t ephemeral_first = 49152;  // RFC 6335 §6
    static constexpr std::uint16_t ephemeral_last = 65535;

    // `queue_limit` datagrams wait per socket; more are dropped and counted.
    explicit UdpTable(std::size_t queue_limit = 64);
    UdpTable(const UdpTable&) = delete;
    UdpTable& operator=(const UdpTable&) = delete;
    // Closes every endpoint, waking their receivers.
    ~UdpTable();

    // Binds `port`; with 0, an ephemeral port searched from `random_start`.
    Result<UdpEndpoint*, UdpError> bind(std::uint16_t port, std::uint32_t random_start);
    void unbind(UdpEndpoint& endpoint);
    UdpEndpoint* find(std::uint16_t port);
    bool is_bound(std::uint16_t port) const { return m_endpoints.count(port) != 0; }

    // A datagram for `port`: false when no socket has it (the caller sends
    // port unreachable). A full queue drops it (true: it was for a socket).
    bool deliver(std::uint16_t port, UdpReceived datagram);
    // An ICMP error about a datagram sent from `port`.
    void report_error(std::uint16_t port, UdpError error);
    // Marks every endpoint closed and wakes their receivers (the stack stops).
    void close_all();

    const UdpStats& stats() const { return m_stats; }

private:
    std::size_t m_queue_limit;
    std::map<std::uint16_t, std::unique_ptr<UdpEndpoint>> m_endpoints;
    UdpStats m_stats;
};

// A bound UDP port: a move-only handle, like a file descriptor; destroying it
// (or close()) frees the port. The stack and its table must outlive it.
class UdpSocket {
public:
    UdpSocket() = default;
    UdpSocket(UdpTable& table, UdpEndpoint& endpoint, UdpTransmitter& transmitter)
        : m_table(&table), m_endpoint(&endpoint), m_transmitter(&transmitter) {}
    UdpSocket(UdpSocket&& other) noexcept;
    UdpSocket& operator=(UdpSocket&& other) noexcept;
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;
    ~UdpSocket() { close(); }

    bool is_open() const { return m_endpoint != nullptr; }
    std::uint16_t port() const;
    // Datagrams waiting in the receive queue, and those dropped when it was full.
    std::size_t queued() const;
    std::uint64_t queue_drops() const;

    // The next datagram, or the error an ICMP message reported since the last
    // receive (once), or `closed`. Woken by the stack's receive loop when a
    // datagram or an error arrives for this port. Cancelling it (a timeout)
    // loses nothing.
    Task<Result<UdpReceived, UdpError>> receive();
    // The next datagram if one is queued, without waiting.
    std::optional<Result<UdpReceived, UdpError>> try_receive();

    // Sends `payload` from this socket's port: the stack copies it into packet
    // buffers at once when its transmit queue has room; otherwise this waits,
    // woken as the device drains that queue. `payload` must stay valid until
    // the await completes.
    Task<Result<void, UdpError>> send_to(Ipv4Address destination, std::uint16_t port,
                                         ByteView payload);

    void close();

private:
    UdpTable* m_table = nullptr;
    UdpEndpoint* m_endpoint = nullptr;
    UdpTransmitter* m_transmitter = nullptr;
};

}  // namespace oasis::net
