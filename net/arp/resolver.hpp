// ArpResolver: the sans-IO ARP cache, resolution queue and address claim (RFC 826, RFC 5227).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "core/buffer.hpp"
#include "core/packet.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "net/wire/address.hpp"
#include "net/wire/arp.hpp"
#include "net/wire/error.hpp"
#include "net/wire/ethernet.hpp"

namespace oasis::net {

// Tunables. The defaults follow RFC 1122 §2.3.2.1 (at most one request per
// second per address, bounded retries) and RFC 5227 §1.1's constants.
struct ArpConfig {
    // Hard bound on cache entries, complete or in progress. A new entry then
    // evicts the least recently used complete one (or, if every entry is
    // still being resolved, the oldest of those).
    std::size_t max_entries = 512;
    // A mapping is used without question for this long after it was last
    // confirmed by a packet from its owner ...
    Duration reachable_time = 60s;
    // ... then it is stale for this much longer: still used, but each use
    // (at most once per retry_interval) sends a unicast request to refresh it
    // (RFC 1122 §2.3.2.1, "unicast poll"). Unconfirmed at the end, it is removed.
    Duration stale_time = 30s;

    // Requests per resolution before giving up, and the wait after the first;
    // each further wait doubles (1 s, 2 s, 4 s by default, so 7 s in all).
    std::uint32_t max_requests = 3;
    Duration retry_interval = 1s;

    // Packets held while their next hop is resolved: per address (the oldest
    // is dropped to keep the latest, RFC 1122 §2.3.2.2), and in total, which
    // includes released packets not yet drained by next_output().
    std::size_t max_pending_per_address = 4;
    std::size_t max_pending_total = 64;
    // ARP frames and conflict reports waiting in the output queue; beyond
    // this they are dropped and counted (the caller drains after each call).
    std::size_t max_queued_frames = 32;

    // RFC 5227 §2.1: probe a new address before using it. Off by default,
    // since most hosts get their address from DHCP or a static
    // configuration, and probing delays the address by several seconds.
    bool probe = false;
    // PROBE_NUM probes, probe_interval apart, then ANNOUNCE_WAIT. RFC 5227
    // asks for random delays (PROBE_WAIT, PROBE_MIN..PROBE_MAX); a sans-IO
    // core has no randomness, so a caller that wants them jitters these.
    std::uint32_t probe_count = 3;
    Duration probe_interval = 1s;
    Duration announce_wait = 2s;
    // RFC 5227 §2.3: ANNOUNCE_NUM announcements, ANNOUNCE_INTERVAL apart.
    std::uint32_t announce_count = 2;
    Duration announce_interval = 2s;
    // RFC 5227 §2.4 (b): defend the address at most once per DEFEND_INTERVAL.
    Duration defend_interval = 10s;
};

// Counters since the resolver was built.
struct ArpStats {
    std::uint64_t requests_sent = 0;       // resolution and refresh requests
    std::uint64_t replies_sent = 0;        // answers to requests for our address
    std::uint64_t probes_sent = 0;         // RFC 5227 §2.1.1
    std::uint64_t announcements_sent = 0;  // RFC 5227 §2.3, and defences (§2.4)
    std::uint64_t requests_received = 0;
    std::uint64_t replies_received = 0;
    std::uint64_t learned = 0;              // new complete entries
    std::uint64_t updated = 0;              // existing entries confirmed or changed (RFC 826 merge)
    std::uint64_t resolved = 0;             // in-progress entries that got their answer
    std::uint64_t evicted = 0;              // entries pushed out by the bound on entries
    std::uint64_t expired = 0;              // entries removed after reachable_time + stale_time
    std::uint64_t timeouts = 0;             // resolutions given up after max_requests
    std::uint64_t pending_drops = 0;        // held packets dropped by the pending bounds
    std::uint64_t unreachable_packets = 0;  // held packets handed back as unreachable
    std::uint64_t bad_packets = 0;          // unparsable, or a broadcast/multicast sender
    std::uint64_t own_packets = 0;          // our own frames coming back (sender MAC is ours)
    std::uint64_t conflicts = 0;     // another host claims our address (RFC 5227 §2.1.1, §2.4)
    std::uint64_t output_drops = 0;  // ARP frames or reports beyond max_queued_frames
};

// Why set_address() refused an address.
enum class ArpError {
    unusable_address,  // 0.0.0.0, the limited broadcast or a multicast address
};

// Where our own address stands (RFC 5227).
enum class AddressState {
    none,        // no address: no replies, no resolution
    probing,     // §2.1: asking whether anyone else has it; not usable yet
    bound,       // ours: we answer for it and resolve with it (announcing, if due)
    conflicted,  // a probe found another owner; the caller picks another address
};

// An ARP packet to send in an Ethernet frame to `destination` (broadcast
// for requests, probes and announcements; the asker for replies and refresh
// requests). write_arp_frame() builds the frame.
struct ArpTransmit {
    MacAddress destination{};
    ArpPacket packet{};
};

// A held packet whose next hop now has a MAC: the caller prepends an
// Ethernet header to `destination` and sends it.
struct ArpReleased {
    Ipv4Address next_hop{};
    MacAddress destination{};
    Packet packet{};
};

// A held packet whose next hop did not answer (or whose entry was evicted):
// the caller drops it, or answers with ICMP host unreachable (RFC 1122
// §3.2.2.1).
struct ArpUnreachable {
    Ipv4Address next_hop{};
    Packet packet{};
};

// Another host, at `other_mac`, uses or probes for our address. While
// probing the address is then abandoned (state conflicted); once bound it is
// kept and defended (RFC 5227 §2.4 (b)), and this is for the caller to log
// or act on.
struct ArpConflict {
    Ipv4Address address{};
    MacAddress other_mac{};
    AddressState state = AddressState::bound;  // ours when the conflict was seen
};

using ArpOutput = std::variant<ArpTransmit, ArpReleased, ArpUnreachable, ArpConflict>;

enum class ResolveStatus {
    resolved,     // `destination` is the MAC: send `packet` (given back) now
    queued,       // held until the next hop answers; it comes out of next_output()
    dropped,      // no room to hold it: freed and counted (pending_drops)
    unreachable,  // cannot be resolved (no address of ours, or 0.0.0.0): `packet` given back
};

struct ArpResolution {
    ResolveStatus status = ResolveStatus::dropped;
    MacAddress destination{};
    Packet packet{};
};

// Prepends the ARP packet of `transmit`, then an Ethernet header from
// `source`, to the (normally empty) payload of `buffer`; no_room without
// enough headroom. How the glue turns an ArpTransmit into a frame.
Result<void, WireError> write_arp_frame(PacketBuffer& buffer, MacAddress source,
                                        const ArpTransmit& transmit);

// The ARP module of one Ethernet interface, sans-IO: every call takes the
// current time, nothing reads a clock, and what is to be sent comes out of
// next_output(). The caller:
//   - hands it every received ARP payload (on_payload / on_packet),
//   - sends IPv4 packets through resolve(),
//   - calls poll(now) at next_deadline(),
//   - after each of these, drains next_output() until empty.
// All storage (entries, held packets, the output queue) is allocated by the
// constructor; nothing on the data path allocates.
class ArpResolver {
public:
    // A config with a zero bound, zero max_requests or a zero interval is a
    // broken invariant.
    ArpResolver(const ArpConfig& config, MacAddress mac);

    ArpResolver(const ArpResolver&) = delete;
    ArpResolver& operator=(const ArpResolver&) = delete;

    // Sets (or with nullopt, removes) our IPv4 address. A new address is
    // announced (RFC 5227 §2.3) or, with config.probe, probed for first
    // (§2.1). Setting the current address again changes nothing, unless a
    // probe found it conflicted: then it is probed again. Complete entries
    // stay cached (the neighbours did not move); resolutions in progress
    // while there is no usable address fail, their packets unreachable.
    Result<void, ArpError> set_address(std::optional<Ipv4Address> address, Instant now);
    // The address, whatever its state (a candidate while probing).
    std::optional<Ipv4Address> address() const { return m_address; }
    AddressState address_state() const { return m_address_state; }

    // The MAC for `next_hop`, or where it will come from. The limited
    // broadcast and multicast addresses map directly (RFC 1112 §6.4), even
    // without an address of ours (a DHCP client broadcasts before it has
    // one); a subnet's directed broadcast is the caller's to recognise (it
    // knows the prefix), as it maps to MacAddress::broadcast(). Our own
    // address is unreachable here: the caller loops such packets back.
    ArpResolution resolve(Ipv4Address next_hop, Packet packet, Instant now);

    // The cached MAC of a complete entry, without side effects.
    std::optional<MacAddress> lookup(Ipv4Address address, Instant now) const;

    // A received ARP payload (after the Ethernet header): parses it and
    // hands it to on_packet; an unparsable one is counted in bad_packets.
    void on_payload(ByteView payload, Instant now);
    // A received ARP packet: RFC 826 "Packet Reception", plus RFC 5227
    // conflict detection.
    void on_packet(const ArpPacket& packet, Instant now);

    // Sends due retries, probes and announcements, gives up on resolutions
    // and expires entries. Call it at next_deadline() (earlier is harmless).
    void poll(Instant now);
    // When poll() next has work to do; nullopt when there are no timers. It
    // may be early (a spurious wake-up) but never late.
    std::optional<Instant> next_deadline() const { return m_next_deadline; }

    // The next thing to send or hand back, oldest first.
    std::optional<ArpOutput> next_output();
    bool has_output() const { return m_output_count != 0; }

    const ArpStats& stats() const { return m_stats; }
    const ArpConfig& config() const { return m_config; }
    MacAddress mac() const { return m_mac; }
    // Entries in the cache, complete or in progress.
    std::size_t entry_count() const { return m_entry_count; }
    // Packets held for resolution plus released ones not yet drained.
    std::size_t held_packet_count() const { return m_held_packets; }

private:
    static constexpr std::uint32_t none = 0xffff'ffff;

    enum class EntryState {
        free,
        incomplete,  // requests out, packets held
        complete,    // reachable or stale, by confirmed_at (see ArpConfig)
    };

    struct Entry {
        EntryState state = EntryState::free;
        Ipv4Address address{};
        MacAddress mac{};
        Instant confirmed_at{};     // complete: when the owner last spoke
        Instant last_request_at{};  // when a request for it was last sent
        Instant deadline{};         // incomplete: next retry or give-up; complete: removal
        std::uint32_t requests_sent = 0;
        // Held packets, a FIFO through the pending slots.
        std::uint32_t pending_head = none;
        std::uint32_t pending_tail = none;
        std::uint32_t pending_count = 0;
        // The LRU list (most recently used first), which is also the free
        // list (through next) for free entries.
        std::uint32_t previous = none;
        std::uint32_t next = none;
    };

    struct PendingSlot {
        Packet packet;
        std::uint32_t next = none;
    };

    // The entry table.
    std::uint32_t find(Ipv4Address address) const;
    std::uint32_t insert(Ipv4Address address);
    void remove(std::uint32_t index);
    void touch(std::uint32_t index);
    void lru_unlink(std::uint32_t index);
    void lru_push_front(std::uint32_t index);
    std::uint32_t eviction_victim() const;
    std::size_t home_slot(Ipv4Address address) const;

    // Held packets.
    bool hold(Entry& entry, Packet packet);
    void drop_oldest_pending(Entry& entry);
    Packet pop_pending(Entry& entry);
    void release_pending(Entry& entry);
    void fail_pending(Entry& entry);

    // Entry life cycle.
    void complete(std::uint32_t index, MacAddress mac, Instant now);
    void send_request(Entry& entry, MacAddress destination, Instant now);
    bool expired(const Entry& entry, Instant now) const;
    void poll_entry(std::uint32_t index, Instant now);
    Instant complete_deadline(const Entry& entry) const;

    // Our own address (RFC 5227).
    void fail_incomplete_entries();
    bool detect_conflict(const ArpPacket& packet, Instant now);
    void poll_address(Instant now);
    void send_announcement();
    void recompute_deadline();

    // The output queue.
    bool queue_frame(MacAddress destination, const ArpPacket& packet);
    void queue_conflict(const ArpConflict& conflict);
    void push_output(ArpOutput output);
    void schedule(Instant deadline);

    ArpConfig m_config;
    MacAddress m_mac;
    ArpStats m_stats;

    std::optional<Ipv4Address> m_address;
    AddressState m_address_state = AddressState::none;
    std::uint32_t m_probes_sent = 0;
    std::uint32_t m_announcements_sent = 0;
    std::optional<Instant> m_address_deadline;  // next probe, claim or announcement
    std::optional<Instant> m_last_defence;

    std::vector<Entry> m_entries;
    // Open addressing with linear probing over entry indices (none = empty),
    // at most half full, so a lookup is short whatever the traffic.
    std::vector<std::uint32_t> m_index;
    std::uint32_t m_free_entries = none;
    std::uint32_t m_lru_head = none;
    std::uint32_t m_lru_tail = none;
    std::size_t m_entry_count = 0;

    std::vector<PendingSlot> m_pending;
    std::uint32_t m_free_pending = none;
    std::size_t m_held_packets = 0;

    // A ring of outputs; capacity max_pending_total + max_queued_frames, so
    // the two bounds keep it from overflowing.
    std::vector<ArpOutput> m_outputs;
    std::size_t m_output_head = 0;
    std::size_t m_output_count = 0;
    std::size_t m_queued_frames = 0;

    std::optional<Instant> m_next_deadline;
};

}  // namespace oasis::net
