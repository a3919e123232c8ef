// DhcpClient: a sans-IO DHCPv4 client state machine (RFC 2131 §4.4, Figure 5).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/buffer.hpp"
#include "core/crypto/random.hpp"
#include "core/time.hpp"
#include "dev/net.hpp"
#include "net/wire/address.hpp"
#include "net/wire/dhcpv4.hpp"

namespace oasis::net {

// The client's states (RFC 2131 §4.4, Figure 5). `stopped` is not in the
// figure: it is the client before start() and after release(), when it
// neither sends nor listens. INIT-REBOOT and REBOOTING are not implemented:
// a unikernel keeps no lease across boots, so every start begins in INIT.
enum class DhcpState : std::uint8_t {
    stopped,
    init,
    selecting,
    requesting,
    bound,
    renewing,
    rebinding,
};

std::string_view dhcp_state_name(DhcpState state);

// What the server granted, with the timers already checked (RFC 2131 §4.4.5).
struct DhcpLease {
    // A lease of 0xffffffff seconds (RFC 2131 §3.3) never ends: its three
    // durations are this value and the client then sets no timers.
    static constexpr Duration infinite = Duration::max();

    // yiaddr with the length of the subnet mask option. A missing or
    // non-contiguous mask gives /32: guessing a mask from the address class
    // could put routers' neighbours on-link that are not, whereas /32 only
    // sends everything through the router.
    Ipv4Prefix address;
    // The first router of option 3 (RFC 2132 §3.5 lists them by preference).
    std::optional<Ipv4Address> router;
    // Option 6, in the server's order.
    std::vector<Ipv4Address> dns_servers;
    // Option 54: where renewals and the RELEASE go.
    Ipv4Address server_identifier;
    // Measured from acquired_at. T1 <= T2 <= lease time always holds.
    Duration lease_time{};
    Duration renewal_time{};    // T1
    Duration rebinding_time{};  // T2
    // When the first REQUEST of the exchange this ACK answered was sent: RFC
    // 2131 §4.4.1 counts the lease from the request, which errs on the side
    // of giving the address up early rather than late.
    Instant acquired_at{};

    bool is_infinite() const { return lease_time == infinite; }
    // Absent for an infinite lease.
    std::optional<Instant> renewal_at() const;
    std::optional<Instant> rebinding_at() const;
    std::optional<Instant> expires_at() const;

    friend bool operator==(const DhcpLease&, const DhcpLease&) = default;
};

// A message for the caller to send in a UDP datagram from port 68 to port 67.
struct DhcpTransmit {
    // The DHCP message (the UDP payload).
    std::vector<std::byte> payload;
    // 0.0.0.0 until the client has an address (RFC 2131 §4.1); its leased
    // address when renewing or rebinding.
    Ipv4Address source;
    // 255.255.255.255 (to the Ethernet broadcast address) or the server's
    // address (unicast, resolved through ARP as usual).
    Ipv4Address destination;

    bool is_broadcast() const { return destination.is_broadcast(); }
};

enum class DhcpEventKind : std::uint8_t {
    acquired,  // configure `lease.address` (and router, DNS servers)
    renewed,   // the same address, with new times or options
    lost,      // stop using `lease.address` at once and deconfigure it
};

// Why a lease was lost.
enum class DhcpLossReason : std::uint8_t {
    none,      // (the event is not `lost`)
    expired,   // no server answered before the lease ended (RFC 2131 §4.4.5)
    refused,   // a DHCPNAK while renewing or rebinding (RFC 2131 §4.4.5)
    replaced,  // a renewal ACK gave another address; `acquired` follows
    declined,  // the caller found the address in use and declined it (§4.4.1)
    released,  // the caller released it (RFC 2131 §4.4.6)
};

struct DhcpEvent {
    DhcpEventKind kind;
    DhcpLease lease;
    DhcpLossReason reason = DhcpLossReason::none;
};

// Counters for what on_message() dropped; untrusted input never panics.
struct DhcpStats {
    std::uint64_t received = 0;     // messages handed to on_message()
    std::uint64_t malformed = 0;    // unparsable, or lacking what RFC 2131 Table 3 requires
    std::uint64_t not_for_us = 0;   // a BOOTREQUEST, another xid, another chaddr
    std::uint64_t unexpected = 0;   // ours, but not what the state waits for
    std::uint64_t transmitted = 0;  // messages queued for sending
};

struct DhcpClientOptions {
    // Sent as option 12 when not empty, so that servers such as dnsmasq can
    // put the name into their DNS. At most 255 bytes.
    std::string host_name;
    // RFC 2131 §4.4.1 says a client SHOULD wait between 1 and 10 seconds
    // before its first DISCOVER, so that machines powered on together do
    // not all ask at once. A unikernel boots in milliseconds and usually
    // alone, so the default is no wait; set it for fleets started together.
    Duration maximum_initial_delay{};
};

// The client of one interface. It never reads a clock, touches a socket or
// allocates timers: every input carries `now`, and whatever it wants sent or
// reported waits in queues for the caller. A loop that drives it:
//
//   client.start(now);
//   for (;;) {
//       while (auto message = client.poll_transmit()) { send it (68 -> 67) }
//       while (auto event = client.poll_event()) { configure or deconfigure }
//       wait for a datagram to port 68 or for client.next_deadline();
//       datagram ? client.on_message(payload, now) : client.on_timer(now);
//   }
//
// Assumption about the stack: replies are not asked to be broadcast (the
// broadcast flag stays 0, RFC 2131 §4.1), so a server may unicast them to
// yiaddr and the client's MAC before the address is configured. The stack
// must hand every UDP datagram to port 68 to on_message() while it has no
// address, whatever its destination IP; the client checks xid and chaddr.
//
// Contract: all `now` arguments are non-decreasing. The random generator
// must outlive the client.
class DhcpClient {
public:
    // Retransmission of DISCOVER and of REQUEST in REQUESTING (RFC 2131
    // §4.1): 4 s, doubled each time up to 64 s, each plus or minus up to 1 s.
    static constexpr Duration first_retransmission_timeout = std::chrono::seconds{4};
    static constexpr Duration maximum_retransmission_timeout = std::chrono::seconds{64};
    static constexpr Duration retransmission_jitter = std::chrono::seconds{1};
    // A REQUEST in REQUESTING is sent this often before the client gives up
    // on the offer and starts over in INIT (RFC 2131 §4.4.1 leaves the count
    // open; four sends and the last wait take about a minute).
    static constexpr int request_transmissions = 4;
    // The least wait between retransmissions in RENEWING and REBINDING
    // (RFC 2131 §4.4.5).
    static constexpr Duration minimum_renewal_retransmission = std::chrono::seconds{60};
    // After a DECLINE, RFC 2131 §3.1 (step 5) asks for at least ten seconds
    // before the next DISCOVER.
    static constexpr Duration decline_backoff = std::chrono::seconds{10};
    // Shorter leases are stretched to this, as dhcpcd does: a lease of 0 s
    // would otherwise expire as it is granted and loop the client through
    // DISCOVER at full speed.
    static constexpr Duration minimum_lease_time = std::chrono::seconds{20};

    DhcpClient(MacAddress mac, crypto::ChaChaRng& random, DhcpClientOptions options = {});

    // Starts acquiring a lease (RFC 2131 §4.4.1): a DISCOVER at once, or
    // after the initial delay. Ignored unless stopped.
    void start(Instant now);

    // A DHCP message that arrived on UDP port 68 (from port 67). Anything
    // that is not a well-formed reply to the client's current exchange is
    // dropped and counted in stats().
    void on_message(ByteView payload, Instant now);

    // Call when next_deadline() has passed (calling earlier does nothing).
    void on_timer(Instant now);

    // The caller found the leased address in use (an ARP probe answered,
    // RFC 2131 §4.4.1 and RFC 5227): DECLINE it, report it lost and start
    // over after ten seconds. Only in BOUND; ignored otherwise.
    void decline(Instant now);

    // Gives the lease back (RFC 2131 §4.4.6): a RELEASE to the server, the
    // lease reported lost, and the client stopped. Stops the client in any
    // state; sends only when it holds a lease.
    void release(Instant now);

    // When on_timer() wants to run next; std::nullopt when nothing is timed
    // (stopped, or bound with an infinite lease).
    std::optional<Instant> next_deadline() const { return m_deadline; }

    // The next message to send and the next event, in the order they arose.
    std::optional<DhcpTransmit> poll_transmit();
    std::optional<DhcpEvent> poll_event();

    DhcpState state() const { return m_state; }
    // The lease held in BOUND, RENEWING and REBINDING.
    const std::optional<DhcpLease>& lease() const { return m_lease; }
    const DhcpStats& stats() const { return m_stats; }
    MacAddress mac() const { return m_mac; }

private:
    // What drives the dispatch in handle().
    enum class Input : std::uint8_t { start, timer, offer, ack, nak };

    bool handle(Input input, const Dhcpv4Message* reply, Instant now);

    // Entering states; each sends what the new state sends first.
    void enter_init(Instant now, Duration delay);
    void enter_selecting(Instant now);
    void enter_requesting(const Dhcpv4Message& offer, Instant now);
    void enter_bound(DhcpLease lease);
    void enter_renewing(Instant now);
    void enter_rebinding(Instant now);
    void lose_lease(DhcpLossReason reason);

    void send_discover(Instant now);
    void send_request(Instant now);
    // Where the current RENEWING or REBINDING ends: T2 or the end of the lease.
    Instant renewal_limit() const;
    void transmit(const Dhcpv4ClientFields& fields, Ipv4Address source, Ipv4Address destination);
    Dhcpv4ClientFields base_fields(Dhcpv4MessageType type, Instant now) const;

    // Whether `reply` is a well-formed answer to the current exchange,
    // counting it when not; the input it is if so.
    std::optional<Input> classify(const Dhcpv4Message& reply);
    DhcpLease lease_from_ack(const Dhcpv4Message& ack) const;
    // Uniform in [0, maximum_initial_delay], in whole milliseconds.
    Duration initial_delay();
    // RFC 2131 §4.1: the n-th retransmission timeout, randomized.
    Duration backoff(int transmissions);

    MacAddress m_mac;
    crypto::ChaChaRng& m_random;
    DhcpClientOptions m_options;
    std::vector<std::byte> m_client_identifier;

    DhcpState m_state = DhcpState::stopped;
    std::optional<Instant> m_deadline;
    std::uint32_t m_transaction_id = 0;
    // Start of the acquisition or renewal, for the secs field.
    Instant m_process_started_at{};
    // First REQUEST of the current exchange: the start of the lease it gets.
    Instant m_request_sent_at{};
    // secs of the last DISCOVER, which REQUESTs in REQUESTING repeat.
    std::uint16_t m_discover_seconds = 0;
    // Messages sent in the current state, for the backoff.
    int m_transmissions = 0;
    // The offer chosen in SELECTING.
    Ipv4Address m_offered_address;
    Ipv4Address m_offer_server;
    std::optional<DhcpLease> m_lease;

    std::deque<DhcpTransmit> m_transmits;
    std::deque<DhcpEvent> m_events;
    DhcpStats m_stats;
};

}  // namespace oasis::net
