// ArpResolver: the sans-IO ARP cache, resolution queue and address claim.
#include "net/arp/resolver.hpp"

#include <utility>

#include "core/panic.hpp"

namespace oasis::net {
namespace {

// RFC 1112 §6.4: 01:00:5e followed by the low 23 bits of the group address.
MacAddress multicast_mac(Ipv4Address group) {
    std::uint32_t value = group.to_u32();
    return MacAddress{{0x01, 0x00, 0x5e, static_cast<std::uint8_t>((value >> 16) & 0x7f),
                       static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)}};
}

bool usable_host_address(Ipv4Address address) {
    return !address.is_unspecified() && !address.is_broadcast() && !address.is_multicast();
}

std::size_t index_size_for(std::size_t entries) {
    // A power of two at least twice the entries: probes stay short.
    std::size_t size = 8;
    while (size < 2 * entries) {
        size *= 2;
    }
    return size;
}

}  // namespace

Result<void, WireError> write_arp_frame(PacketBuffer& buffer, MacAddress source,
                                        const ArpTransmit& transmit) {
    TRY(transmit.packet.prepend(buffer));
    return EthernetFrame::prepend(buffer, EthernetFields{
                                              .destination = transmit.destination,
                                              .source = source,
                                              .ethertype = EtherType::arp,
                                          });
}

ArpResolver::ArpResolver(const ArpConfig& config, MacAddress mac)
    : m_config(config),
      m_mac(mac),
      m_entries(config.max_entries),
      m_index(index_size_for(config.max_entries), none),
      m_pending(config.max_pending_total),
      m_outputs(config.max_pending_total + config.max_queued_frames) {
    OASIS_ASSERT(config.max_entries > 0 && config.max_entries < none / 2);
    OASIS_ASSERT(config.max_pending_per_address > 0 && config.max_pending_total > 0);
    OASIS_ASSERT(config.max_pending_total < none);
    OASIS_ASSERT(config.max_queued_frames > 0);
    OASIS_ASSERT(config.max_requests > 0 && config.max_requests < 32);
    OASIS_ASSERT(config.retry_interval > Duration::zero());
    OASIS_ASSERT(config.reachable_time > Duration::zero());
    OASIS_ASSERT(config.stale_time >= Duration::zero());
    for (std::size_t index = 0; index < m_entries.size(); ++index) {
        m_entries[index].next = index + 1 < m_entries.size() ? std::uint32_t(index + 1) : none;
    }
    m_free_entries = 0;
    for (std::size_t index = 0; index < m_pending.size(); ++index) {
        m_pending[index].next = index + 1 < m_pending.size() ? std::uint32_t(index + 1) : none;
    }
    m_free_pending = 0;
}

// Our own address -----------------------------------------------------------

Result<void, ArpError> ArpResolver::set_address(std::optional<Ipv4Address> address, Instant now) {
    if (address && !usable_host_address(*address)) {
        return Error{ArpError::unusable_address};
    }
    if (address == m_address && m_address_state != AddressState::conflicted) {
        return {};
    }
    m_address = address;
    m_probes_sent = 0;
    m_announcements_sent = 0;
    m_address_deadline.reset();
    m_last_defence.reset();
    if (!address) {
        m_address_state = AddressState::none;
        fail_incomplete_entries();
    } else if (m_config.probe) {
        // RFC 5227 §2.1: the address is not ours until the probes go
        // unanswered, so nothing may be resolved with it meanwhile.
        m_address_state = AddressState::probing;
        fail_incomplete_entries();
        m_address_deadline = now;
        poll_address(now);
    } else {
        // RFC 5227 §2.3: announce at once, then announce_count - 1 more times.
        m_address_state = AddressState::bound;
        m_address_deadline = now;
        poll_address(now);
    }
    return {};
}

void ArpResolver::fail_incomplete_entries() {
    for (std::uint32_t index = 0; index < m_entries.size(); ++index) {
        if (m_entries[index].state == EntryState::incomplete) {
            fail_pending(m_entries[index]);
            remove(index);
        }
    }
}

void ArpResolver::poll_address(Instant now) {
    if (!m_address_deadline || now < *m_address_deadline) {
        return;
    }
    m_address_deadline.reset();
    switch (m_address_state) {
        case AddressState::probing:
            if (m_probes_sent < m_config.probe_count) {
                // RFC 5227 §2.1.1: a probe has sender IP 0.0.0.0, so that it
                // pollutes no cache, and asks for the candidate.
                if (queue_frame(
                        MacAddress::broadcast(),
                        ArpPacket::request(m_mac, Ipv4Address::unspecified(), *m_address))) {
                    ++m_stats.probes_sent;
                }
                ++m_probes_sent;
                m_address_deadline =
                    now + (m_probes_sent < m_config.probe_count ? m_config.probe_interval
                                                                : m_config.announce_wait);
                break;
            }
            // RFC 5227 §2.3: nobody answered within ANNOUNCE_WAIT; claim it.
            m_address_state = AddressState::bound;
            [[fallthrough]];
        case AddressState::bound:
            if (m_announcements_sent < m_config.announce_count) {
                send_announcement();
                ++m_announcements_sent;
                if (m_announcements_sent < m_config.announce_count) {
                    m_address_deadline = now + m_config.announce_interval;
                }
            }
            break;
        case AddressState::none:
        case AddressState::conflicted:
            break;
    }
    if (m_address_deadline) {
        schedule(*m_address_deadline);
    }
}

void ArpResolver::send_announcement() {
    if (queue_frame(MacAddress::broadcast(), ArpPacket::gratuitous(m_mac, *m_address))) {
        ++m_stats.announcements_sent;
    }
}

bool ArpResolver::detect_conflict(const ArpPacket& packet, Instant now) {
    if (!m_address ||
        (m_address_state != AddressState::probing && m_address_state != AddressState::bound)) {
        return false;
    }
    Ipv4Address address = *m_address;
    // RFC 5227 §2.1.1: while probing, anyone who uses the address as sender,
    // or probes for it too, has it (the caller filtered our own frames).
    // §2.4: once bound, only a sender using it is a conflict.
    bool uses_it = packet.sender_ip == address;
    bool probes_for_it = m_address_state == AddressState::probing &&
                         packet.operation == ArpOperation::request &&
                         packet.sender_ip.is_unspecified() && packet.target_ip == address;
    if (!uses_it && !probes_for_it) {
        return false;
    }
    ++m_stats.conflicts;
    queue_conflict(ArpConflict{
        .address = address,
        .other_mac = packet.sender_mac,
        .state = m_address_state,
    });
    if (m_address_state == AddressState::probing) {
        m_address_state = AddressState::conflicted;
        m_address_deadline.reset();
        return true;
    }
    // RFC 5227 §2.4 (c): an address configured by hand is kept and defended
    // with one announcement per DEFEND_INTERVAL at most; the caller, told of
    // each conflict, may give it up instead (§2.4 (a), (b)).
    if (!m_last_defence || now >= *m_last_defence + m_config.defend_interval) {
        m_last_defence = now;
        send_announcement();
    }
    return true;
}

// Resolution ----------------------------------------------------------------

ArpResolution ArpResolver::resolve(Ipv4Address next_hop, Packet packet, Instant now) {
    if (next_hop.is_broadcast()) {
        return ArpResolution{ResolveStatus::resolved, MacAddress::broadcast(), std::move(packet)};
    }
    if (next_hop.is_multicast()) {
        return ArpResolution{ResolveStatus::resolved, multicast_mac(next_hop), std::move(packet)};
    }
    if (m_address_state != AddressState::bound || next_hop.is_unspecified() ||
        next_hop == *m_address) {
        return ArpResolution{ResolveStatus::unreachable, MacAddress{}, std::move(packet)};
    }
    std::uint32_t index = find(next_hop);
    if (index != none && m_entries[index].state == EntryState::complete) {
        Entry& entry = m_entries[index];
        if (!expired(entry, now)) {
            touch(index);
            // Stale: still used, but polled by unicast so that a neighbour
            // that moved is noticed (RFC 1122 §2.3.2.1), once per interval.
            if (now >= entry.confirmed_at + m_config.reachable_time &&
                now >= entry.last_request_at + m_config.retry_interval) {
                send_request(entry, entry.mac, now);
            }
            return ArpResolution{ResolveStatus::resolved, entry.mac, std::move(packet)};
        }
        ++m_stats.expired;
        remove(index);
        index = none;
    }
    if (index == none) {
        index = insert(next_hop);
        Entry& entry = m_entries[index];
        entry.state = EntryState::incomplete;
        send_request(entry, MacAddress::broadcast(), now);
        entry.requests_sent = 1;
        entry.deadline = now + m_config.retry_interval;
        schedule(entry.deadline);
    } else {
        touch(index);
    }
    if (!hold(m_entries[index], std::move(packet))) {
        ++m_stats.pending_drops;
        return ArpResolution{ResolveStatus::dropped, MacAddress{}, Packet{}};
    }
    return ArpResolution{ResolveStatus::queued, MacAddress{}, Packet{}};
}

std::optional<MacAddress> ArpResolver::lookup(Ipv4Address address, Instant now) const {
    std::uint32_t index = find(address);
    if (index == none || m_entries[index].state != EntryState::complete ||
        expired(m_entries[index], now)) {
        return std::nullopt;
    }
    return m_entries[index].mac;
}

void ArpResolver::send_request(Entry& entry, MacAddress destination, Instant now) {
    entry.last_request_at = now;
    if (queue_frame(destination, ArpPacket::request(m_mac, *m_address, entry.address))) {
        ++m_stats.requests_sent;
    }
}

bool ArpResolver::expired(const Entry& entry, Instant now) const {
    return now >= complete_deadline(entry);
}

Instant ArpResolver::complete_deadline(const Entry& entry) const {
    return entry.confirmed_at + m_config.reachable_time + m_config.stale_time;
}

void ArpResolver::complete(std::uint32_t index, MacAddress mac, Instant now) {
    Entry& entry = m_entries[index];
    if (entry.state == EntryState::incomplete) {
        ++m_stats.resolved;
    } else {
        ++m_stats.updated;
    }
    entry.state = EntryState::complete;
    entry.mac = mac;
    entry.confirmed_at = now;
    entry.requests_sent = 0;
    entry.deadline = complete_deadline(entry);
    schedule(entry.deadline);
    release_pending(entry);
}

// Reception -----------------------------------------------------------------

void ArpResolver::on_payload(ByteView payload, Instant now) {
    auto packet = ArpPacket::parse(payload);
    if (!packet) {
        ++m_stats.bad_packets;
        return;
    }
    on_packet(*packet, now);
}

void ArpResolver::on_packet(const ArpPacket& packet, Instant now) {
    if (packet.operation == ArpOperation::request) {
        ++m_stats.requests_received;
    } else {
        ++m_stats.replies_received;
    }
    if (packet.sender_mac == m_mac) {
        // Our own broadcast, reflected by a bridge or a TAP device.
        ++m_stats.own_packets;
        return;
    }
    // No host has a group or null hardware address, or a broadcast or
    // multicast protocol address: learning one would turn our unicast into
    // a flood (RFC 1812 §3.3.2 says the same of routers).
    if (packet.sender_mac.is_multicast() || packet.sender_mac == MacAddress{} ||
        packet.sender_ip.is_broadcast() || packet.sender_ip.is_multicast()) {
        ++m_stats.bad_packets;
        return;
    }
    if (detect_conflict(packet, now)) {
        return;
    }
    // RFC 826 "Packet Reception": update the sender's entry if there is one
    // (the merge flag), whoever the packet is for; a probe's 0.0.0.0 sender
    // (RFC 5227 §2.1.1) names nobody.
    bool merged = false;
    if (!packet.sender_ip.is_unspecified()) {
        std::uint32_t index = find(packet.sender_ip);
        if (index != none) {
            complete(index, packet.sender_mac, now);
            merged = true;
        }
    }
    bool for_us = m_address_state == AddressState::bound && packet.target_ip == *m_address;
    if (!for_us) {
        return;
    }
    // ... and add it only if we are the target, since the sender is likely
    // to talk to us next. Unlike resolve(), this never evicts: a flood of
    // requests from made-up senders must not push out entries in use.
    if (!merged && !packet.sender_ip.is_unspecified() && m_entry_count < m_entries.size()) {
        std::uint32_t index = insert(packet.sender_ip);
        Entry& entry = m_entries[index];
        entry.state = EntryState::complete;
        entry.mac = packet.sender_mac;
        entry.confirmed_at = now;
        entry.deadline = complete_deadline(entry);
        schedule(entry.deadline);
        ++m_stats.learned;
    }
    if (packet.operation == ArpOperation::request) {
        if (queue_frame(packet.sender_mac, ArpPacket::reply_to(packet, m_mac))) {
            ++m_stats.replies_sent;
        }
    }
}

// Timers --------------------------------------------------------------------

void ArpResolver::poll(Instant now) {
    poll_address(now);
    for (std::uint32_t index = 0; index < m_entries.size(); ++index) {
        if (m_entries[index].state != EntryState::free) {
            poll_entry(index, now);
        }
    }
    recompute_deadline();
}

void ArpResolver::poll_entry(std::uint32_t index, Instant now) {
    Entry& entry = m_entries[index];
    if (now < entry.deadline) {
        return;
    }
    if (entry.state == EntryState::complete) {
        ++m_stats.expired;
        remove(index);
        return;
    }
    if (entry.requests_sent >= m_config.max_requests) {
        // RFC 1122 §2.3.2.1: give up; the held packets go back to the caller.
        ++m_stats.timeouts;
        fail_pending(entry);
        remove(index);
        return;
    }
    send_request(entry, MacAddress::broadcast(), now);
    // The wait doubles after each request: no more than one per second per
    // address (RFC 1122 §2.3.2.1), fewer the longer nobody answers.
    entry.deadline = now + m_config.retry_interval * (std::int64_t{1} << entry.requests_sent);
    ++entry.requests_sent;
}

void ArpResolver::recompute_deadline() {
    m_next_deadline = m_address_deadline;
    for (const Entry& entry : m_entries) {
        if (entry.state != EntryState::free) {
            schedule(entry.deadline);
        }
    }
}

void ArpResolver::schedule(Instant deadline) {
    if (!m_next_deadline || deadline < *m_next_deadline) {
        m_next_deadline = deadline;
    }
}

// The entry table -----------------------------------------------------------

std::size_t ArpResolver::home_slot(Ipv4Address address) const {
    // Fibonacci hashing: the high bits of the product mix every input bit.
    std::uint32_t hash = address.to_u32() * 0x9e37'79b1u;
    hash ^= hash >> 15;
    return hash & (m_index.size() - 1);
}

std::uint32_t ArpResolver::find(Ipv4Address address) const {
    std::size_t mask = m_index.size() - 1;
    for (std::size_t slot = home_slot(address);; slot = (slot + 1) & mask) {
        std::uint32_t index = m_index[slot];
        if (index == none || m_entries[index].address == address) {
            return index;
        }
    }
}

std::uint32_t ArpResolver::insert(Ipv4Address address) {
    if (m_free_entries == none) {
        std::uint32_t victim = eviction_victim();
        ++m_stats.evicted;
        fail_pending(m_entries[victim]);
        remove(victim);
    }
    std::uint32_t index = m_free_entries;
    Entry& entry = m_entries[index];
    m_free_entries = entry.next;
    entry = Entry{};
    entry.address = address;
    std::size_t mask = m_index.size() - 1;
    std::size_t slot = home_slot(address);
    while (m_index[slot] != none) {
        slot = (slot + 1) & mask;
    }
    m_index[slot] = index;
    lru_push_front(index);
    ++m_entry_count;
    return index;
}

void ArpResolver::remove(std::uint32_t index) {
    Entry& entry = m_entries[index];
    OASIS_ASSERT(entry.state != EntryState::free && entry.pending_count == 0);
    std::size_t mask = m_index.size() - 1;
    std::size_t hole = home_slot(entry.address);
    while (m_index[hole] != index) {
        hole = (hole + 1) & mask;
    }
    // Backward-shift deletion: move up every later entry of the run whose
    // home slot is not between the hole and where it sits, so that no
    // lookup stops early at the hole.
    for (std::size_t slot = (hole + 1) & mask; m_index[slot] != none; slot = (slot + 1) & mask) {
        std::size_t home = home_slot(m_entries[m_index[slot]].address);
        bool stays = hole <= slot ? (hole < home && home <= slot) : (hole < home || home <= slot);
        if (!stays) {
            m_index[hole] = m_index[slot];
            hole = slot;
        }
    }
    m_index[hole] = none;
    lru_unlink(index);
    entry = Entry{};
    entry.next = m_free_entries;
    m_free_entries = index;
    --m_entry_count;
}

void ArpResolver::touch(std::uint32_t index) {
    if (m_lru_head != index) {
        lru_unlink(index);
        lru_push_front(index);
    }
}

void ArpResolver::lru_unlink(std::uint32_t index) {
    Entry& entry = m_entries[index];
    if (entry.previous != none) {
        m_entries[entry.previous].next = entry.next;
    } else {
        m_lru_head = entry.next;
    }
    if (entry.next != none) {
        m_entries[entry.next].previous = entry.previous;
    } else {
        m_lru_tail = entry.previous;
    }
    entry.previous = none;
    entry.next = none;
}

void ArpResolver::lru_push_front(std::uint32_t index) {
    Entry& entry = m_entries[index];
    entry.previous = none;
    entry.next = m_lru_head;
    if (m_lru_head != none) {
        m_entries[m_lru_head].previous = index;
    } else {
        m_lru_tail = index;
    }
    m_lru_head = index;
}

std::uint32_t ArpResolver::eviction_victim() const {
    // The least recently used complete entry: it can be learned again with
    // one request. Only when every entry is still being resolved does the
    // oldest resolution give way.
    for (std::uint32_t index = m_lru_tail; index != none; index = m_entries[index].previous) {
        if (m_entries[index].state == EntryState::complete) {
            return index;
        }
    }
    OASIS_ASSERT(m_lru_tail != none);
    return m_lru_tail;
}

// Held packets --------------------------------------------------------------

bool ArpResolver::hold(Entry& entry, Packet packet) {
    if (entry.pending_count >= m_config.max_pending_per_address ||
        (m_held_packets >= m_config.max_pending_total && entry.pending_count > 0)) {
        // RFC 1122 §2.3.2.2: keep the latest packet, drop the oldest.
        drop_oldest_pending(entry);
    } else if (m_held_packets >= m_config.max_pending_total) {
        return false;
    }
    std::uint32_t slot = m_free_pending;
    OASIS_ASSERT(slot != none);
    m_free_pending = m_pending[slot].next;
    m_pending[slot].packet = std::move(packet);
    m_pending[slot].next = none;
    if (entry.pending_tail != none) {
        m_pending[entry.pending_tail].next = slot;
    } else {
        entry.pending_head = slot;
    }
    entry.pending_tail = slot;
    ++entry.pending_count;
    ++m_held_packets;
    return true;
}

void ArpResolver::drop_oldest_pending(Entry& entry) {
    pop_pending(entry);  // the packet goes back to its pool here
    --m_held_packets;
    ++m_stats.pending_drops;
}

Packet ArpResolver::pop_pending(Entry& entry) {
    std::uint32_t slot = entry.pending_head;
    OASIS_ASSERT(slot != none);
    entry.pending_head = m_pending[slot].next;
    if (entry.pending_head == none) {
        entry.pending_tail = none;
    }
    --entry.pending_count;
    Packet packet = std::move(m_pending[slot].packet);
    m_pending[slot].next = m_free_pending;
    m_free_pending = slot;
    return packet;
}

void ArpResolver::release_pending(Entry& entry) {
    // Still held (counted in m_held_packets) until drained.
    while (entry.pending_count > 0) {
        push_output(ArpReleased{entry.address, entry.mac, pop_pending(entry)});
    }
}

void ArpResolver::fail_pending(Entry& entry) {
    while (entry.pending_count > 0) {
        ++m_stats.unreachable_packets;
        push_output(ArpUnreachable{entry.address, pop_pending(entry)});
    }
}

// The output queue ----------------------------------------------------------

bool ArpResolver::queue_frame(MacAddress destination, const ArpPacket& packet) {
    if (m_queued_frames >= m_config.max_queued_frames) {
        ++m_stats.output_drops;
        return false;
    }
    ++m_queued_frames;
    push_output(ArpTransmit{destination, packet});
    return true;
}

void ArpResolver::queue_conflict(const ArpConflict& conflict) {
    if (m_queued_frames >= m_config.max_queued_frames) {
        ++m_stats.output_drops;
        return;
    }
    ++m_queued_frames;
    push_output(conflict);
}

void ArpResolver::push_output(ArpOutput output) {
    // Cannot overflow: frames and reports are bounded by max_queued_frames,
    // packets by max_pending_total (m_held_packets), and the ring has room
    // for both.
    OASIS_ASSERT(m_output_count < m_outputs.size());
    m_outputs[(m_output_head + m_output_count) % m_outputs.size()] = std::move(output);
    ++m_output_count;
}

std::optional<ArpOutput> ArpResolver::next_output() {
    if (m_output_count == 0) {
        return std::nullopt;
    }
    ArpOutput& slot = m_outputs[m_output_head];
    std::optional<ArpOutput> output{std::move(slot)};
    slot = ArpTransmit{};
    m_output_head = (m_output_head + 1) % m_outputs.size();
    --m_output_count;
    if (std::holds_alternative<ArpTransmit>(*output) ||
        std::holds_alternative<ArpConflict>(*output)) {
        --m_queued_frames;
    } else {
        --m_held_packets;
    }
    return output;
}

}  // namespace oasis::net
