// Stack: the IPv4 stack of one Ethernet interface — the facade apps use (UDP, ping) and its glue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/arguments.hpp"
#include "core/buffer.hpp"
#include "core/crypto/random.hpp"
#include "core/event.hpp"
#include "core/packet.hpp"
#include "core/result.hpp"
#include "core/scheduler.hpp"
#include "core/task.hpp"
#include "core/time.hpp"
#include "dev/net.hpp"
#include "net/arp/resolver.hpp"
#include "net/dhcp/client.hpp"
#include "net/icmp/icmp.hpp"
#include "net/ipv4/reassembly.hpp"
#include "net/tcp/socket.hpp"
#include "net/tcp/table.hpp"
#include "net/udp/socket.hpp"
#include "net/wire/address.hpp"
#include "net/wire/icmpv4.hpp"
#include "net/wire/ipv4.hpp"

namespace oasis::net {

// How the interface gets its address.
struct StackConfig {
    // The address and prefix length; none: ask a DHCP server (RFC 2131).
    std::optional<Ipv4Prefix> address;
    // The default gateway; none: only on-link destinations are reachable
    // (with DHCP, the lease's router is used).
    std::optional<Ipv4Address> gateway;

    bool uses_dhcp() const { return !address.has_value(); }
};

// Declares Mirage's names for the configuration: `--ipv4=ADDRESS/PREFIX`
// (none: DHCP) and `--ipv4-gateway=ADDRESS`, both checked at parse time.
void declare_stack_arguments(ArgumentParser& parser);
// The configuration the parsed arguments describe; the message says what is
// inconsistent between them (a gateway without an address, or off-link).
Result<StackConfig, std::string> stack_config_from(const ArgumentParser& parser);

// Tunables, with defaults that suit a small service.
struct StackOptions {
    // ARP holds packets while it resolves their next hop. A datagram larger
    // than the MTU leaves as up to 45 fragments at once, and losing any of
    // them loses it all, so the stack holds more than ArpConfig's default.
    static ArpConfig default_arp_config() {
        ArpConfig config;
        config.max_pending_per_address = 64;
        config.max_pending_total = 192;
        return config;
    }

    ArpConfig arp = default_arp_config();
    ReassemblyLimits reassembly{};
    DhcpClientOptions dhcp{};
    // Datagrams waiting per UDP socket; more are dropped and counted.
    std::size_t udp_queue_limit = 64;
    // Frames taken from the device per receive() call.
    std::size_t receive_batch = 32;
    // Frames waiting for the device; senders wait when it is nearly full.
    std::size_t transmit_queue_limit = 512;
    // ICMP errors sent: a token bucket (RFC 1812 §4.3.2.8).
    std::uint32_t icmp_error_rate = 100;
    std::uint32_t icmp_error_burst = 10;
    std::uint8_t ttl = 64;  // RFC 1700's recommended default, as Linux uses
    TcpTableOptions tcp{};
    // What new TCP connections start with; the stack sets the MSS from the
    // interface MTU (RFC 9293 §3.7.1).
    TcpConfig tcp_config{};
};

// A counter for every way a frame or packet can be dropped, and for what
// the stack did. Untrusted input is never asserted on: it lands here.
struct StackStats {
    // Ethernet.
    std::uint64_t frames_received = 0;
    std::uint64_t frames_transmitted = 0;
    std::uint64_t ethernet_malformed = 0;
    std::uint64_t vlan_tagged = 0;  // 802.1Q frames: no VLAN is configured
    std::uint64_t not_our_mac = 0;  // unicast to another MAC (promiscuous TAP)
    std::uint64_t multicast_not_joined = 0;
    std::uint64_t unknown_ethertype = 0;  // IPv6 among them, for now
    // IPv4.
    std::uint64_t ipv4_malformed = 0;
    std::uint64_t ipv4_bad_checksum = 0;
    std::uint64_t ipv4_bad_source = 0;  // a broadcast or multicast source (RFC 1122 §3.2.1.3)
    std::uint64_t ipv4_not_for_us = 0;
    std::uint64_t ipv4_unknown_protocol = 0;
    std::uint64_t fragments_received = 0;
    std::uint64_t reassembled = 0;
    std::uint64_t reassembly_errors = 0;
    std::uint64_t reassembly_timeouts = 0;
    std::uint64_t fragments_sent = 0;
    // ICMP.
    std::uint64_t icmp_malformed = 0;
    std::uint64_t icmp_echo_requests = 0;
    std::uint64_t icmp_echo_replies_sent = 0;
    std::uint64_t icmp_echo_broadcast_ignored = 0;  // RFC 1122 §3.2.2.6 lets hosts ignore them
    std::uint64_t icmp_echo_replies_received = 0;
    std::uint64_t icmp_echo_replies_unmatched = 0;
    std::uint64_t icmp_errors_received = 0;
    std::uint64_t icmp_errors_sent = 0;
    std::uint64_t icmp_errors_suppressed = 0;  // icmp_error_suppression() said no
    std::uint64_t icmp_errors_rate_limited = 0;
    std::uint64_t icmp_other = 0;  // types the stack does not act on
    // UDP.
    std::uint64_t udp_malformed = 0;
    std::uint64_t udp_bad_checksum = 0;
    std::uint64_t udp_no_socket = 0;
    std::uint64_t udp_received = 0;
    std::uint64_t udp_sent = 0;
    // TCP (connection-level counters are in TcpTable::stats()).
    std::uint64_t tcp_malformed = 0;
    std::uint64_t tcp_bad_checksum = 0;
    std::uint64_t tcp_not_unicast = 0;  // RFC 9293 §3.10.7.2: never for broadcast or multicast
    // Transmission.
    std::uint64_t no_route = 0;
    std::uint64_t no_address = 0;
    std::uint64_t no_buffers = 0;         // the packet pool was empty
    std::uint64_t arp_dropped = 0;        // ARP had no room to hold the packet
    std::uint64_t arp_unreachable = 0;    // the next hop never answered
    std::uint64_t address_conflicts = 0;  // another host uses our address (RFC 5227)
    std::uint64_t transmit_queue_full = 0;
    std::uint64_t fragmentation_errors = 0;
    std::uint64_t device_errors = 0;
};

enum class StackError {
    no_address,         // no IPv4 address yet (DHCP still running)
    no_route,           // off-link, and no gateway
    message_too_large,  // more than an IPv4 datagram can carry
    no_buffers,         // the packet pool ran dry
    transmit_queue_full,
};

std::string_view stack_error_name(StackError error);
void format_value(std::string& out, StackError error);

enum class PingError {
    no_address,
    no_route,
    message_too_large,
    no_buffers,
    timed_out,
};

struct PingReply {
    Duration round_trip{};
    std::size_t data_size = 0;  // echo data bytes in the reply
};

// The IPv4 stack of one interface. Three coroutines, spawned by start(), do
// all the work:
//   - the receive loop drains the device in batches, parses Ethernet, hands
//     ARP to the resolver and IPv4 to reassembly, ICMP and UDP;
//   - the timer loop sleeps until the earliest deadline of ARP, reassembly
//     and DHCP, and is woken early when an earlier one appears;
//   - the transmit loop waits for the device only when it refused frames;
//   - the loopback loop handles datagrams sent to our own address, on its
//     own task, so that no receive path runs inside a send.
// Everything else — sending, binding, the protocol cores — is synchronous
// and runs on the caller's task.
//
// Contract: the device, pool and random generator outlive the stack; the
// stack outlives its sockets. Construction and start() happen inside a live
// Scheduler.
class Stack final : public UdpTransmitter, public TcpTransmitter {
public:
    Stack(dev::NetDevice& device, PacketPool& pool, StackConfig config, crypto::ChaChaRng& random,
          StackOptions options = {});
    ~Stack() override;
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;

    // Starts the loops, and sets the static address or starts DHCP.
    void start();
    // Cancels the loops and closes every socket.
    void stop();

    // Completes when the interface has an address (at once with a static
    // one); woken by the DHCP lease. False on timeout.
    Task<bool> wait_configured(Duration timeout);

    dev::MacAddress mac() const { return m_mac; }
    std::size_t mtu() const { return m_device.mtu(); }
    std::optional<Ipv4Prefix> address() const { return m_address; }
    std::optional<Ipv4Address> gateway() const { return m_gateway; }

    // Accepts datagrams to an IPv4 multicast group (and its MAC, RFC 1112
    // §6.4). No IGMP is sent: this is for groups on the local link.
    void join_multicast(Ipv4Address group);

    // A UDP socket on `port`; 0 picks a free ephemeral port.
    Result<UdpSocket, UdpError> udp_bind(std::uint16_t port);

    // Sends one IPv4 datagram carrying `payload` (a transport header and
    // data): routed (on-link, else the gateway), fragmented to the MTU,
    // resolved through ARP and queued for the device.
    Result<void, StackError> send_ipv4(Ipv4Address destination, IpProtocol protocol,
                                       ByteView payload);

    // TCP. `config` defaults to StackOptions::tcp_config; the MSS is always
    // clamped to the interface MTU.
    TcpConfig tcp_config() const;
    Result<TcpListener, TcpError> tcp_listen(std::uint16_t port, std::size_t backlog = 128,
                                             std::optional<TcpConfig> config = std::nullopt);
    Task<Result<TcpStream, TcpError>> tcp_connect(Ipv4Address destination, std::uint16_t port,
                                                  Duration timeout = std::chrono::seconds(30),
                                                  std::optional<TcpConfig> config = std::nullopt);

    // Sends an ICMP echo request (RFC 792) and waits for its reply; woken by
    // the receive loop when the reply arrives, or by the timer heap.
    Task<Result<PingReply, PingError>> ping(Ipv4Address destination, std::uint16_t identifier,
                                            std::uint16_t sequence, std::vector<std::byte> data,
                                            Duration timeout);

    const StackStats& stats() const { return m_stats; }
    const ArpResolver& arp() const { return m_arp; }
    const Reassembler& reassembler() const { return m_reassembler; }
    const UdpTable& udp() const { return m_udp; }
    const TcpTable& tcp() const { return m_tcp; }
    const DhcpClient* dhcp() const { return m_dhcp ? &*m_dhcp : nullptr; }

    // UdpTransmitter.
    Result<void, UdpError> send_udp(std::uint16_t source_port, Ipv4Address destination,
                                    std::uint16_t destination_port, ByteView payload) override;
    Task<void> wait_send_space() override;
    bool send_blocked() const override;

    // TcpTransmitter.
    bool send_tcp(const TcpTuple& tuple, const TcpOutgoing& segment,
                  const TcpConnection* connection) override;
    bool tcp_can_send() const override;
    void tcp_deadline_changed() override { reschedule_timer(); }

private:
    struct PendingPing {
        Ipv4Address destination;
        std::uint16_t identifier = 0;
        std::uint16_t sequence = 0;
        Event replied;
        Instant received_at{};
        std::size_t data_size = 0;
    };

    // The loops.
    Task<void> receive_loop();
    Task<void> timer_loop();
    Task<void> transmit_loop();
    Task<void> loopback_loop();

    // Receiving.
    void handle_frame(Packet frame, Instant now);
    void handle_ipv4(Packet packet, bool link_broadcast, Instant now);
    bool accepts_destination(Ipv4Address destination) const;
    void deliver(const Ipv4Header& header, Packet* packet, bool link_broadcast, Instant now);
    void handle_icmp(const Ipv4Header& header, Packet* packet, bool link_broadcast, Instant now);
    void reply_to_echo(const Ipv4Header& header, Packet* packet, Instant now);
    void handle_echo_reply(const Ipv4Header& header, const Icmpv4Message& message, Instant now);
    void handle_icmp_error(const Icmpv4Message& message);
    void handle_udp(const Ipv4Header& header, bool link_broadcast, Instant now);
    void handle_tcp(const Ipv4Header& header, bool link_broadcast, Instant now);
    void handle_tcp_unreachable(const Icmpv4Message& message, const Ipv4Header& quoted);
    void send_icmp_error(const Ipv4Header& original, Icmpv4Type type, std::uint8_t code,
                         bool link_broadcast, Instant now);

    // Sending.
    Result<Ipv4Address, StackError> next_hop(Ipv4Address destination);
    Ipv4Fields fields_to(Ipv4Address source, Ipv4Address destination, IpProtocol protocol);
    Result<void, StackError> send_datagram(const Ipv4Fields& fields, ByteView payload);
    Result<void, StackError> send_udp_from(Ipv4Address source, std::uint16_t source_port,
                                           Ipv4Address destination, std::uint16_t destination_port,
                                           ByteView payload);
    Result<void, StackError> send_packet(Ipv4Address destination, Packet packet);
    void enqueue_frame(Packet frame);
    void enqueue_ipv4(dev::MacAddress destination, Packet packet);
    void flush();
    void drain_arp(Instant now);

    // Timers and configuration.
    std::optional<Instant> earliest_deadline() const;
    void run_timers(Instant now);
    void reschedule_timer();
    void process_dhcp(Instant now);
    void configure(Ipv4Prefix address, std::optional<Ipv4Address> gateway, Instant now);
    void deconfigure(Instant now);
    std::uint16_t next_identification() { return m_next_identification++; }
    Instant now() const { return Scheduler::current().now(); }

    dev::NetDevice& m_device;
    PacketPool& m_pool;
    StackConfig m_config;
    crypto::ChaChaRng& m_random;
    StackOptions m_options;
    dev::MacAddress m_mac;

    std::optional<Ipv4Prefix> m_address;
    std::optional<Ipv4Address> m_gateway;
    std::vector<Ipv4Address> m_multicast_groups;
    Event m_configured;

    ArpResolver m_arp;
    Reassembler m_reassembler;
    IcmpRateLimiter m_icmp_errors;
    UdpTable m_udp;
    TcpTable m_tcp;
    std::optional<DhcpClient> m_dhcp;
    std::vector<PendingPing*> m_pings;
    std::uint16_t m_next_identification;

    std::vector<Packet> m_transmit_queue;
    // Datagrams to our own address, handled by the loopback loop.
    std::deque<Packet> m_loopback;
    WaitList m_loopback_waiters;
    std::vector<Packet> m_fragments;   // scratch for fragment()
    std::vector<std::byte> m_scratch;  // a datagram too large for one packet
    bool m_batching = false;           // inside a receive batch: flush at its end
    bool m_transmit_blocked = false;   // the device refused frames
    WaitList m_transmit_loop_waiters;  // the transmit loop, while not blocked
    WaitList m_send_space_waiters;     // senders waiting for the queue to drain
    WaitList m_timer_waiters;          // the timer loop, for an earlier deadline
    std::optional<Instant> m_armed_deadline;
    bool m_timer_waiting = false;

    std::vector<JoinHandle> m_loops;
    bool m_running = false;
    StackStats m_stats;
};

}  // namespace oasis::net
