// DhcpClient: the RFC 2131 client state machine, one dispatch over (state, input).
#include "net/dhcp/client.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <utility>

#include "core/panic.hpp"

namespace oasis::net {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Subnet mask, router, DNS servers, lease time, T1, T2 (RFC 2132 §3.3, §3.5,
// §3.8, §9.2, §9.11, §9.12): all a Lease holds.
constexpr std::array<std::byte, 6> requested_parameters{
    std::byte{1}, std::byte{3}, std::byte{6}, std::byte{51}, std::byte{58}, std::byte{59},
};

// The client identifier (RFC 2132 §9.14): hardware type 1 (Ethernet), then the
// MAC, as dhclient and systemd-networkd send it. RFC 2131 §4.2 wants the same
// identifier in every message, so it is built once.
std::vector<std::byte> ethernet_client_identifier(MacAddress mac) {
    std::vector<std::byte> identifier{std::byte{1}};
    for (std::uint8_t octet : mac.octets) {
        identifier.push_back(std::byte{octet});
    }
    return identifier;
}

// An address a host may take: not 0.0.0.0/8 ("this network"), loopback,
// multicast, the reserved 240.0.0.0/4 or the broadcast address (RFC 1122
// §3.2.1.3). A server that offers one of these is broken.
bool is_assignable(Ipv4Address address) {
    std::uint32_t value = address.to_u32();
    return (value >> 24) != 0 && !address.is_loopback() && !address.is_multicast() &&
           (value >> 28) != 0xf;
}

// The prefix length of a subnet mask; /32 when it is absent or has holes
// (see DhcpLease::address).
std::uint8_t prefix_length(std::optional<Ipv4Address> mask) {
    if (!mask) {
        return Ipv4Prefix::max_length;
    }
    std::uint32_t host_bits = ~mask->to_u32();
    // Contiguous ones then zeros: the host bits are 0...01...1.
    if ((host_bits & (host_bits + 1)) != 0) {
        return Ipv4Prefix::max_length;
    }
    return static_cast<std::uint8_t>(std::popcount(mask->to_u32()));
}

// Fills the lease's three durations from options 51, 58 and 59, mending
// what makes no sense (RFC 2131 §4.4.5): T1 defaults to half the lease, T2
// to seven eighths, and if T1 > T2 or T2 > lease both take their defaults.
// Seconds are 32-bit and the arithmetic 64-bit, so nothing overflows.
void set_lease_times(DhcpLease& lease, std::uint32_t lease_seconds,
                     std::optional<std::uint32_t> renewal_seconds,
                     std::optional<std::uint32_t> rebinding_seconds) {
    if (lease_seconds == Dhcpv4Message::infinite_lease) {
        lease.lease_time = DhcpLease::infinite;
        lease.renewal_time = DhcpLease::infinite;
        lease.rebinding_time = DhcpLease::infinite;
        return;
    }
    auto minimum = std::chrono::duration_cast<seconds>(DhcpClient::minimum_lease_time).count();
    std::uint64_t total = std::max<std::uint64_t>(lease_seconds, minimum);
    std::uint64_t default_renewal = total / 2;
    std::uint64_t default_rebinding = total * 7 / 8;
    std::uint64_t renewal = renewal_seconds.value_or(default_renewal);
    std::uint64_t rebinding = rebinding_seconds.value_or(default_rebinding);
    if (renewal > rebinding || rebinding > total) {
        renewal = default_renewal;
        rebinding = default_rebinding;
    }
    lease.lease_time = seconds{total};
    lease.renewal_time = seconds{renewal};
    lease.rebinding_time = seconds{rebinding};
}

std::optional<Instant> after(Instant start, Duration duration) {
    if (duration == DhcpLease::infinite) {
        return std::nullopt;
    }
    return start + duration;
}

// RFC 2131 §4.4.5: in RENEWING and REBINDING, wait half the time left until
// `limit` (T2, or the end of the lease), at least 60 s, but never past `limit`,
// where the state changes.
Instant renewal_retransmission_at(Instant now, Instant limit) {
    Duration wait = std::max(DhcpClient::minimum_renewal_retransmission, (limit - now) / 2);
    return std::min(limit, now + wait);
}

}  // namespace

std::string_view dhcp_state_name(DhcpState state) {
    switch (state) {
        case DhcpState::stopped:
            return "stopped";
        case DhcpState::init:
            return "init";
        case DhcpState::selecting:
            return "selecting";
        case DhcpState::requesting:
            return "requesting";
        case DhcpState::bound:
            return "bound";
        case DhcpState::renewing:
            return "renewing";
        case DhcpState::rebinding:
            return "rebinding";
    }
    return "unknown";
}

std::optional<Instant> DhcpLease::renewal_at() const {
    return after(acquired_at, renewal_time);
}
std::optional<Instant> DhcpLease::rebinding_at() const {
    return after(acquired_at, rebinding_time);
}
std::optional<Instant> DhcpLease::expires_at() const {
    return after(acquired_at, lease_time);
}

DhcpClient::DhcpClient(MacAddress mac, crypto::ChaChaRng& random, DhcpClientOptions options)
    : m_mac(mac),
      m_random(random),
      m_options(std::move(options)),
      m_client_identifier(ethernet_client_identifier(mac)) {
    OASIS_ASSERT(m_options.host_name.size() <= 255);
    OASIS_ASSERT(m_options.maximum_initial_delay >= Duration::zero());
}

void DhcpClient::start(Instant now) {
    handle(Input::start, nullptr, now);
}

void DhcpClient::on_timer(Instant now) {
    if (!m_deadline || now < *m_deadline) {
        return;
    }
    handle(Input::timer, nullptr, now);
}

void DhcpClient::on_message(ByteView payload, Instant now) {
    ++m_stats.received;
    auto reply = Dhcpv4Message::parse(payload);
    if (reply.is_error()) {
        ++m_stats.malformed;
        return;
    }
    std::optional<Input> input = classify(reply.value());
    if (!input) {
        return;
    }
    if (!handle(*input, &reply.value(), now)) {
        ++m_stats.unexpected;
    }
}

std::optional<DhcpClient::Input> DhcpClient::classify(const Dhcpv4Message& reply) {
    // RFC 2131 §4.4.1: a reply is the client's when op, xid and chaddr match.
    // While stopped or waiting in INIT there is no exchange at all.
    bool listening = m_state != DhcpState::stopped && m_state != DhcpState::init;
    if (!listening || reply.operation() != Dhcpv4Operation::boot_reply ||
        reply.transaction_id() != m_transaction_id || reply.client_mac() != m_mac) {
        ++m_stats.not_for_us;
        return std::nullopt;
    }
    // RFC 2131 Table 3: what an OFFER and an ACK must carry. An ACK without
    // a lease time or server identifier could not be renewed.
    switch (reply.message_type()) {
        case Dhcpv4MessageType::offer:
            if (!is_assignable(reply.your_address()) || !reply.server_identifier()) {
                ++m_stats.malformed;
                return std::nullopt;
            }
            return Input::offer;
        case Dhcpv4MessageType::ack:
            if (!is_assignable(reply.your_address()) || !reply.server_identifier() ||
                !reply.lease_time()) {
                ++m_stats.malformed;
                return std::nullopt;
            }
            return Input::ack;
        case Dhcpv4MessageType::nak:
            return Input::nak;
        default:
            ++m_stats.unexpected;
            return std::nullopt;
    }
}

// The whole of Figure 5. Returns false when the state has no use for the
// input (a late OFFER while REQUESTING, say), which on_message() counts.
bool DhcpClient::handle(Input input, const Dhcpv4Message* reply, Instant now) {
    switch (m_state) {
        case DhcpState::stopped:
            // §4.4.1: a client begins in INIT.
            if (input == Input::start) {
                enter_init(now, initial_delay());
                return true;
            }
            return false;

        case DhcpState::init:
            // §4.4.1 (and §3.1 step 5 after a DECLINE): the wait is over.
            if (input == Input::timer) {
                enter_selecting(now);
                return true;
            }
            return false;

        case DhcpState::selecting:
            // §4.4.1: the first acceptable offer wins; §4.1: otherwise
            // retransmit the DISCOVER with the same xid.
            if (input == Input::offer) {
                enter_requesting(*reply, now);
                return true;
            }
            if (input == Input::timer) {
                send_discover(now);
                return true;
            }
            return false;

        case DhcpState::requesting:
            switch (input) {
                case Input::ack:
                case Input::nak:
                    // §4.3.2: only the selected server answers; an answer
                    // naming another server is not about this request.
                    if (reply->server_identifier() &&
                        *reply->server_identifier() != m_offer_server) {
                        return false;
                    }
                    if (input == Input::ack) {
                        // §4.4.1: ACK -> BOUND. The caller should probe the
                        // address with ARP and decline() it if taken.
                        enter_bound(lease_from_ack(*reply));
                    } else {
                        // §4.4.1: NAK -> INIT, and start over at once.
                        enter_init(now, Duration::zero());
                    }
                    return true;
                case Input::timer:
                    // §4.1 backoff; §4.4.1: with no answer after the
                    // retransmissions, back to INIT.
                    if (m_transmissions < request_transmissions) {
                        send_request(now);
                        m_deadline = now + backoff(m_transmissions);
                    } else {
                        enter_init(now, Duration::zero());
                    }
                    return true;
                default:
                    return false;
            }

        case DhcpState::bound:
            // §4.4.5: T1 -> RENEWING. A caller that slept through T2 or the
            // end of the lease lands where it would have been by then.
            if (input == Input::timer) {
                if (now >= *m_lease->expires_at()) {
                    lose_lease(DhcpLossReason::expired);
                    enter_init(now, Duration::zero());
                } else if (now >= *m_lease->rebinding_at()) {
                    m_process_started_at = now;
                    enter_rebinding(now);
                } else {
                    enter_renewing(now);
                }
                return true;
            }
            return false;

        case DhcpState::renewing:
        case DhcpState::rebinding:
            switch (input) {
                case Input::ack: {
                    // §4.4.5: ACK -> BOUND with the new times. A server that
                    // hands out another address takes the old one away.
                    DhcpLease renewed = lease_from_ack(*reply);
                    if (renewed.address.address() != m_lease->address.address()) {
                        lose_lease(DhcpLossReason::replaced);
                        enter_bound(std::move(renewed));
                        return true;
                    }
                    m_lease = std::move(renewed);
                    m_events.push_back(DhcpEvent{DhcpEventKind::renewed, *m_lease});
                    m_state = DhcpState::bound;
                    m_deadline = m_lease->renewal_at();
                    return true;
                }
                case Input::nak:
                    // §4.4.5: NAK -> stop using the address, back to INIT.
                    lose_lease(DhcpLossReason::refused);
                    enter_init(now, Duration::zero());
                    return true;
                case Input::timer:
                    // §4.4.5: lease over -> INIT; T2 -> REBINDING;
                    // otherwise retransmit.
                    if (now >= *m_lease->expires_at()) {
                        lose_lease(DhcpLossReason::expired);
                        enter_init(now, Duration::zero());
                    } else if (m_state == DhcpState::renewing && now >= *m_lease->rebinding_at()) {
                        enter_rebinding(now);
                    } else {
                        send_request(now);
                        m_deadline = renewal_retransmission_at(now, renewal_limit());
                    }
                    return true;
                default:
                    return false;
            }
    }
    return false;
}

void DhcpClient::enter_init(Instant now, Duration delay) {
    m_state = DhcpState::init;
    m_lease.reset();
    if (delay == Duration::zero()) {
        enter_selecting(now);
        return;
    }
    m_deadline = now + delay;
}

void DhcpClient::enter_selecting(Instant now) {
    m_state = DhcpState::selecting;
    m_transaction_id = m_random.next_u32();
    m_process_started_at = now;
    m_transmissions = 0;
    send_discover(now);
}

void DhcpClient::enter_requesting(const Dhcpv4Message& offer, Instant now) {
    m_state = DhcpState::requesting;
    m_offered_address = offer.your_address();
    m_offer_server = *offer.server_identifier();
    m_request_sent_at = now;
    m_transmissions = 0;
    send_request(now);
    m_deadline = now + backoff(m_transmissions);
}

void DhcpClient::enter_bound(DhcpLease lease) {
    m_state = DhcpState::bound;
    m_lease = std::move(lease);
    m_events.push_back(DhcpEvent{DhcpEventKind::acquired, *m_lease});
    m_deadline = m_lease->renewal_at();
}

void DhcpClient::enter_renewing(Instant now) {
    m_state = DhcpState::renewing;
    m_transaction_id = m_random.next_u32();
    m_process_started_at = now;
    m_request_sent_at = now;
    m_transmissions = 0;
    send_request(now);
    m_deadline = renewal_retransmission_at(now, renewal_limit());
}

void DhcpClient::enter_rebinding(Instant now) {
    // secs keeps counting from the start of RENEWING (§4.4.5 treats the
    // two states as one renewal process).
    m_state = DhcpState::rebinding;
    m_transaction_id = m_random.next_u32();
    m_request_sent_at = now;
    m_transmissions = 0;
    send_request(now);
    m_deadline = renewal_retransmission_at(now, renewal_limit());
}

Instant DhcpClient::renewal_limit() const {
    return m_state == DhcpState::renewing ? *m_lease->rebinding_at() : *m_lease->expires_at();
}

void DhcpClient::lose_lease(DhcpLossReason reason) {
    if (m_lease) {
        m_events.push_back(DhcpEvent{DhcpEventKind::lost, *m_lease, reason});
        m_lease.reset();
    }
}

DhcpLease DhcpClient::lease_from_ack(const Dhcpv4Message& ack) const {
    // classify() has checked that the lease time and server identifier are there.
    DhcpLease lease;
    lease.address = Ipv4Prefix{ack.your_address(), prefix_length(ack.subnet_mask())};
    Dhcpv4AddressList routers = ack.routers();
    if (!routers.empty()) {
        lease.router = routers[0];
    }
    Dhcpv4AddressList dns_servers = ack.dns_servers();
    lease.dns_servers.assign(dns_servers.begin(), dns_servers.end());
    lease.server_identifier = *ack.server_identifier();
    lease.acquired_at = m_request_sent_at;
    set_lease_times(lease, *ack.lease_time(), ack.renewal_time(), ack.rebinding_time());
    return lease;
}

Duration DhcpClient::backoff(int transmissions) {
    Duration timeout = first_retransmission_timeout;
    for (int sent = 1; sent < transmissions && timeout < maximum_retransmission_timeout; ++sent) {
        timeout *= 2;
    }
    timeout = std::min(timeout, maximum_retransmission_timeout);
    // Uniform over [-1 s, +1 s] in whole milliseconds (§4.1 says "uniform
    // random number chosen from the range -1 to +1").
    auto jitter_span = std::chrono::duration_cast<milliseconds>(retransmission_jitter).count();
    auto jitter = milliseconds{static_cast<std::int64_t>(m_random.uniform(2 * jitter_span + 1))};
    return timeout + jitter - retransmission_jitter;
}

Duration DhcpClient::initial_delay() {
    // No draw at all without a delay, so that the xid is the first draw.
    auto maximum = std::chrono::duration_cast<milliseconds>(m_options.maximum_initial_delay);
    if (maximum <= milliseconds::zero()) {
        return Duration::zero();
    }
    return milliseconds{static_cast<std::int64_t>(m_random.uniform(maximum.count() + 1))};
}

Dhcpv4ClientFields DhcpClient::base_fields(Dhcpv4MessageType type, Instant now) const {
    Dhcpv4ClientFields fields;
    fields.type = type;
    fields.transaction_id = m_transaction_id;
    fields.client_mac = m_mac;
    fields.client_identifier = ByteView{m_client_identifier};
    if (type == Dhcpv4MessageType::discover || type == Dhcpv4MessageType::request) {
        // secs: seconds since the acquisition or renewal began (§2), except
        // that a REQUEST in REQUESTING repeats the DISCOVER's (§4.4.1).
        if (m_state == DhcpState::requesting) {
            fields.seconds = m_discover_seconds;
        } else {
            auto elapsed = std::chrono::duration_cast<seconds>(now - m_process_started_at).count();
            fields.seconds =
                static_cast<std::uint16_t>(std::clamp<std::int64_t>(elapsed, 0, 0xffff));
        }
        fields.host_name = m_options.host_name;
        fields.parameter_request_list = ByteView{requested_parameters};
    }
    return fields;
}

void DhcpClient::send_discover(Instant now) {
    // §4.4.1: broadcast from 0.0.0.0; no ciaddr, no server identifier.
    Dhcpv4ClientFields fields = base_fields(Dhcpv4MessageType::discover, now);
    m_discover_seconds = fields.seconds;
    transmit(fields, Ipv4Address::unspecified(), Ipv4Address::broadcast());
    m_deadline = now + backoff(m_transmissions);
}

void DhcpClient::send_request(Instant now) {
    Dhcpv4ClientFields fields = base_fields(Dhcpv4MessageType::request, now);
    switch (m_state) {
        case DhcpState::requesting:
            // §4.3.2 SELECTING: name the offer and its server, broadcast, so
            // the other servers learn their offers were declined.
            fields.requested_address = m_offered_address;
            fields.server_identifier = m_offer_server;
            transmit(fields, Ipv4Address::unspecified(), Ipv4Address::broadcast());
            return;
        case DhcpState::renewing:
            // §4.3.2 RENEWING: ciaddr, unicast to the server that granted it.
            fields.client_address = m_lease->address.address();
            transmit(fields, m_lease->address.address(), m_lease->server_identifier);
            return;
        case DhcpState::rebinding:
            // §4.3.2 REBINDING: ciaddr, broadcast to any server.
            fields.client_address = m_lease->address.address();
            transmit(fields, m_lease->address.address(), Ipv4Address::broadcast());
            return;
        default:
            panic("DhcpClient: a REQUEST outside REQUESTING, RENEWING and REBINDING");
    }
}

void DhcpClient::transmit(const Dhcpv4ClientFields& fields, Ipv4Address source,
                          Ipv4Address destination) {
    DhcpTransmit message{std::vector<std::byte>(fields.length()), source, destination};
    auto written = Dhcpv4Message::emit(MutableByteView{message.payload}, fields);
    // The fields are the client's own, so a refusal is a bug here, not input.
    OASIS_ASSERT(written.has_value());
    ++m_transmissions;
    ++m_stats.transmitted;
    m_transmits.push_back(std::move(message));
}

void DhcpClient::decline(Instant now) {
    if (m_state != DhcpState::bound) {
        return;
    }
    // §4.4.4: broadcast, naming the address and its server; ciaddr 0.
    Dhcpv4ClientFields fields = base_fields(Dhcpv4MessageType::decline, now);
    fields.requested_address = m_lease->address.address();
    fields.server_identifier = m_lease->server_identifier;
    transmit(fields, Ipv4Address::unspecified(), Ipv4Address::broadcast());
    lose_lease(DhcpLossReason::declined);
    enter_init(now, decline_backoff);
}

void DhcpClient::release(Instant now) {
    if (m_lease) {
        // §4.4.6: unicast to the server, ciaddr set; a fresh xid, since no
        // reply is expected.
        m_transaction_id = m_random.next_u32();
        Dhcpv4ClientFields fields = base_fields(Dhcpv4MessageType::release, now);
        fields.client_address = m_lease->address.address();
        fields.server_identifier = m_lease->server_identifier;
        transmit(fields, m_lease->address.address(), m_lease->server_identifier);
        lose_lease(DhcpLossReason::released);
    }
    m_state = DhcpState::stopped;
    m_deadline.reset();
}

std::optional<DhcpTransmit> DhcpClient::poll_transmit() {
    if (m_transmits.empty()) {
        return std::nullopt;
    }
    DhcpTransmit message = std::move(m_transmits.front());
    m_transmits.pop_front();
    return message;
}

std::optional<DhcpEvent> DhcpClient::poll_event() {
    if (m_events.empty()) {
        return std::nullopt;
    }
    DhcpEvent event = std::move(m_events.front());
    m_events.pop_front();
    return event;
}

}  // namespace oasis::net
