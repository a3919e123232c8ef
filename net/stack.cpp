// Stack: the glue between the device, the wire views and the sans-IO cores of ARP, IPv4, ICMP, UDP
// and DHCP.
#include "net/stack.hpp"

#include <algorithm>
#include <variant>

#include "core/format.hpp"
#include "core/log.hpp"
#include "core/timeout.hpp"
#include "net/ipv4/fragmentation.hpp"
#include "net/wire/ethernet.hpp"
#include "net/wire/udp.hpp"

namespace oasis::net {

namespace {

constinit LogSource log{"net.stack"};

constexpr std::uint16_t dhcp_client_port = 68;
constexpr std::uint16_t dhcp_server_port = 67;
// IP and UDP headers out of the largest IPv4 datagram.
constexpr std::size_t max_udp_payload =
    Ipv4Header::max_total_length - 20 - UdpDatagram::header_size;
// Frames one large datagram may need: 65535 bytes in 1480-byte fragments.
constexpr std::size_t largest_burst = 48;
// While the device refuses frames, how often the transmit loop tries again
// even if the device's wake-up was missed.
constexpr Duration transmit_retry = std::chrono::milliseconds{10};

Result<void, std::string> validate_prefix_or_empty(std::string_view text) {
    if (text.empty() || Ipv4Prefix::parse(text)) {
        return {};
    }
    return Error{std::string{"expected an IPv4 address with a prefix length, like 10.0.0.2/24"}};
}

Result<void, std::string> validate_address_or_empty(std::string_view text) {
    if (text.empty() || Ipv4Address::parse(text)) {
        return {};
    }
    return Error{std::string{"expected an IPv4 address, like 10.0.0.1"}};
}

// A mapping of an IPv4 multicast group to its MAC address (RFC 1112 §6.4).
dev::MacAddress multicast_mac(Ipv4Address group) {
    const auto octets = group.octets();
    return dev::MacAddress{
        {0x01, 0x00, 0x5e, static_cast<std::uint8_t>(octets[1] & 0x7f), octets[2], octets[3]}};
}

bool usable_host_address(Ipv4Address address) {
    return !address.is_unspecified() && !address.is_broadcast() && !address.is_multicast() &&
           !address.is_loopback();
}

Task<void> wait_event(Event* event) {
    co_await event->wait();
}

Task<void> wait_list(WaitList* list) {
    co_await wait_on(*list);
}

Task<void> wait_transmittable(dev::NetDevice* device) {
    co_await device->wait_transmittable();
}

UdpError udp_error_from(StackError error) {
    switch (error) {
        case StackError::no_address:
            return UdpError::no_address;
        case StackError::no_route:
            return UdpError::no_route;
        case StackError::message_too_large:
            return UdpError::message_too_large;
        case StackError::no_buffers:
        case StackError::transmit_queue_full:
            return UdpError::no_buffers;
    }
    return UdpError::no_buffers;
}

PingError ping_error_from(StackError error) {
    switch (error) {
        case StackError::no_address:
            return PingError::no_address;
        case StackError::no_route:
            return PingError::no_route;
        case StackError::message_too_large:
            return PingError::message_too_large;
        case StackError::no_buffers:
        case StackError::transmit_queue_full:
            return PingError::no_buffers;
    }
    return PingError::no_buffers;
}

// What an ICMP destination unreachable means to the UDP socket that caused it
// (RFC 1122 §4.1.3.3); nullopt for codes a socket need not hear about.
std::optional<UdpError> udp_error_for_unreachable(std::uint8_t code) {
    switch (static_cast<UnreachableCode>(code)) {
        case UnreachableCode::port:
            return UdpError::port_unreachable;
        case UnreachableCode::protocol:
            return UdpError::protocol_unreachable;
        case UnreachableCode::network:
        case UnreachableCode::network_unknown:
            return UdpError::network_unreachable;
        case UnreachableCode::host:
        case UnreachableCode::host_unknown:
        case UnreachableCode::source_route_failed:
        case UnreachableCode::administratively_prohibited:
            return UdpError::host_unreachable;
        case UnreachableCode::fragmentation_needed:
            return UdpError::fragmentation_needed;
    }
    return std::nullopt;
}

}  // namespace

// ---- configuration -----------------------------------------------------------

void declare_stack_arguments(ArgumentParser& parser) {
    parser.declare_custom("ipv4", "IPv4 prefix", "",
                          "The interface's address and prefix length, like 10.0.0.2/24; "
                          "without it the address comes from DHCP.",
                          validate_prefix_or_empty);
    parser.declare_custom("ipv4-gateway", "IPv4 address", "",
                          "The default gateway; without it only the local subnet is reachable "
                          "(with DHCP, the lease's router is used).",
                          validate_address_or_empty);
}

Result<StackConfig, std::string> stack_config_from(const ArgumentParser& parser) {
    StackConfig config;
    const std::string& prefix_text = parser.text("ipv4");
    const std::string& gateway_text = parser.text("ipv4-gateway");
    if (!prefix_text.empty()) {
        auto prefix = Ipv4Prefix::parse(prefix_text);
        if (!prefix) {
            return Error{format("--ipv4={} is not an address with a prefix length", prefix_text)};
        }
        if (!usable_host_address(prefix->address())) {
            return Error{format("--ipv4={} is not an address a host can use", prefix_text)};
        }
        if (prefix->length() < 31 &&
            (prefix->address() == prefix->network() || prefix->address() == prefix->broadcast())) {
            return Error{
                format("--ipv4={} is the network's own or broadcast address", prefix_text)};
        }
        config.address = *prefix;
    }
    if (!gateway_text.empty()) {
        auto gateway = Ipv4Address::parse(gateway_text);
        if (!gateway) {
            return Error{format("--ipv4-gateway={} is not an IPv4 address", gateway_text)};
        }
        if (!config.address) {
            return Error{std::string{
                "--ipv4-gateway needs --ipv4 (with DHCP the gateway comes from the lease)"}};
        }
        if (!config.address->contains(*gateway) || *gateway == config.address->address()) {
            return Error{format("--ipv4-gateway={} is not another host on {}", gateway_text,
                                *config.address)};
        }
        config.gateway = *gateway;
    }
    return config;
}

std::string_view stack_error_name(StackError error) {
    switch (error) {
        case StackError::no_address:
            return "no_address";
        case StackError::no_route:
            return "no_route";
        case StackError::message_too_large:
            return "message_too_large";
        case StackError::no_buffers:
            return "no_buffers";
        case StackError::transmit_queue_full:
            return "transmit_queue_full";
    }
    return "unknown";
}

void format_value(std::string& out, StackError error) {
    out += stack_error_name(error);
}

// ---- life cycle -------------------------------------------------------------

Stack::Stack(dev::NetDevice& device, PacketPool& pool, StackConfig config,
             crypto::ChaChaRng& random, StackOptions options)
    : m_device(device),
      m_pool(pool),
      m_config(config),
      m_random(random),
      m_options(options),
      m_mac(device.mac()),
      m_arp(options.arp, device.mac()),
      m_reassembler(options.reassembly),
      m_icmp_errors(options.icmp_error_rate, options.icmp_error_burst),
      m_udp(options.udp_queue_limit),
      m_tcp(*this, random, options.tcp),
      // RFC 6864 §4.1 lets a source pick identifications as it likes for
      // atomic datagrams; a random start keeps them unpredictable off-path.
      m_next_identification(static_cast<std::uint16_t>(random.next_u32())) {
    OASIS_ASSERT(options.receive_batch > 0 && options.transmit_queue_limit > largest_burst);
    m_transmit_queue.reserve(options.transmit_queue_limit);
}

Stack::~Stack() {
    stop();
}

void Stack::start() {
    OASIS_ASSERT(!m_running);
    m_running = true;
    Scheduler& scheduler = Scheduler::current();
    m_loops.push_back(scheduler.spawn(receive_loop()));
    m_loops.push_back(scheduler.spawn(timer_loop()));
    m_loops.push_back(scheduler.spawn(transmit_loop()));
    m_loops.push_back(scheduler.spawn(loopback_loop()));
    const Instant start_time = now();
    if (m_config.address) {
        configure(*m_config.address, m_config.gateway, start_time);
    } else {
        log.info("{}: no --ipv4, asking DHCP for an address", m_mac);
        m_dhcp.emplace(m_mac, m_random, m_options.dhcp);
        m_dhcp->start(start_time);
        process_dhcp(start_time);
    }
    flush();
    reschedule_timer();
}

void Stack::stop() {
    if (!m_running) {
        return;
    }
    // Connections end with a RST each, sent while the stack still can.
    m_tcp.close_all(now());
    m_running = false;
    for (JoinHandle& loop : m_loops) {
        loop.cancel();
    }
    m_loops.clear();
    m_udp.close_all();
    if (!m_send_space_waiters.empty()) {
        Scheduler::current().wake_all(m_send_space_waiters);
    }
}

Task<bool> Stack::wait_configured(Duration timeout) {
    if (m_address) {
        co_return true;
    }
    auto waited = co_await with_timeout(timeout, wait_event(&m_configured));
    co_return waited.has_value() && m_address.has_value();
}

void Stack::configure(Ipv4Prefix address, std::optional<Ipv4Address> gateway, Instant now) {
    m_address = address;
    m_gateway = gateway;
    if (!m_arp.set_address(address.address(), now)) {
        log.error("{}: ARP refused the address {}", m_mac, address);
    }
    drain_arp(now);
    if (gateway) {
        log.info("{}: address {}, gateway {}", m_mac, address, *gateway);
    } else {
        log.info("{}: address {}, no gateway", m_mac, address);
    }
    m_configured.set();
}

void Stack::deconfigure(Instant now) {
    log.warning("{}: address {} lost", m_mac, *m_address);
    m_address.reset();
    m_gateway.reset();
    (void)m_arp.set_address(std::nullopt, now);
    drain_arp(now);
    if (m_configured.is_set() && m_configured.waiter_count() == 0) {
        m_configured.reset();
    }
}

void Stack::join_multicast(Ipv4Address group) {
    OASIS_ASSERT(group.is_multicast());
    if (std::find(m_multicast_groups.begin(), m_multicast_groups.end(), group) ==
        m_multicast_groups.end()) {
        m_multicast_groups.push_back(group);
    }
}

// ---- the loops ---------------------------------------------------------------

Task<void> Stack::receive_loop() {
    std::vector<Packet> batch(m_options.receive_batch);
    for (;;) {
        auto received = m_device.receive(m_pool, batch);
        if (!received) {
            ++m_stats.device_errors;
            co_await sleep_for(std::chrono::milliseconds{100});
            continue;
        }
        if (*received == 0) {
            // Woken by the platform's poll when frames arrive.
            co_await m_device.wait_receivable();
            continue;
        }
        const Instant arrival = now();
        // Replies to a whole batch leave in one transmit() call.
        m_batching = true;
        for (std::size_t index = 0; index < *received; ++index) {
            handle_frame(std::move(batch[index]), arrival);
        }
        m_batching = false;
        flush();
        m_tcp.on_transmit_space(arrival);
        reschedule_timer();
        // Lets sockets drain their queues between batches.
        co_await yield_now();
    }
}

Task<void> Stack::timer_loop() {
    for (;;) {
        run_timers(now());
        m_armed_deadline = earliest_deadline();
        m_timer_waiting = true;
        if (m_armed_deadline) {
            // Woken by the timer heap, or by reschedule_timer() when an
            // earlier deadline appears.
            (void)co_await with_deadline(*m_armed_deadline, wait_list(&m_timer_waiters));
        } else {
            co_await wait_on(m_timer_waiters);
        }
        m_timer_waiting = false;
    }
}

Task<void> Stack::transmit_loop() {
    for (;;) {
        if (!m_transmit_blocked) {
            // Woken by flush() when the device took fewer frames than offered.
            co_await wait_on(m_transmit_loop_waiters);
            continue;
        }
        // Woken by the device when it has room; the timeout covers a wake-up
        // that came before this task got to wait.
        (void)co_await with_timeout(transmit_retry, wait_transmittable(&m_device));
        m_transmit_blocked = false;
        flush();
        m_tcp.on_transmit_space(now());
    }
}

Task<void> Stack::loopback_loop() {
    for (;;) {
        while (!m_loopback.empty()) {
            Packet packet = std::move(m_loopback.front());
            m_loopback.pop_front();
            handle_ipv4(std::move(packet), false, now());
        }
        flush();
        reschedule_timer();
        // Woken by send_packet() when it queues a datagram to ourselves.
        co_await wait_on(m_loopback_waiters);
    }
}

// ---- timers ------------------------------------------------------------------

std::optional<Instant> Stack::earliest_deadline() const {
    std::optional<Instant> earliest = m_arp.next_deadline();
    auto consider = [&earliest](std::optional<Instant> deadline) {
        if (deadline && (!earliest || *deadline < *earliest)) {
            earliest = deadline;
        }
    };
    consider(m_reassembler.next_deadline());
    consider(m_tcp.next_deadline());
    if (m_dhcp) {
        consider(m_dhcp->next_deadline());
    }
    return earliest;
}

void Stack::reschedule_timer() {
    if (!m_timer_waiting || m_timer_waiters.empty()) {
        return;
    }
    const std::optional<Instant> earliest = earliest_deadline();
    if (earliest && (!m_armed_deadline || *earliest < *m_armed_deadline)) {
        Scheduler::current().wake_all(m_timer_waiters);
    }
}

void Stack::run_timers(Instant now) {
    if (m_tcp.next_deadline() && *m_tcp.next_deadline() <= now) {
        m_tcp.on_timer(now);
    }
    if (m_arp.next_deadline() && *m_arp.next_deadline() <= now) {
        m_arp.poll(now);
        drain_arp(now);
    }
    if (m_reassembler.next_deadline() && *m_reassembler.next_deadline() <= now) {
        for (const ReassemblyTimeout& timeout : m_reassembler.expire(now)) {
            ++m_stats.reassembly_timeouts;
            // RFC 792; RFC 1122 §3.2.1.4: time exceeded, fragment reassembly.
            if (auto quoted = Ipv4Header::parse_quoted(timeout.quote())) {
                send_icmp_error(*quoted, Icmpv4Type::time_exceeded,
                                static_cast<std::uint8_t>(TimeExceededCode::reassembly_timeout),
                                false, now);
            }
        }
    }
    if (m_dhcp && m_dhcp->next_deadline() && *m_dhcp->next_deadline() <= now) {
        m_dhcp->on_timer(now);
        process_dhcp(now);
    }
    flush();
}

void Stack::process_dhcp(Instant now) {
    while (auto message = m_dhcp->poll_transmit()) {
        auto sent = send_udp_from(message->source, dhcp_client_port, message->destination,
                                  dhcp_server_port, ByteView{message->payload});
        if (!sent) {
            log.debug("DHCP message not sent: {}", sent.error());
        }
    }
    while (auto event = m_dhcp->poll_event()) {
        switch (event->kind) {
            case DhcpEventKind::acquired:
            case DhcpEventKind::renewed:
                configure(event->lease.address, event->lease.router, now);
                break;
            case DhcpEventKind::lost:
                if (m_address) {
                    deconfigure(now);
                }
                break;
        }
    }
}

// ---- receiving -----------------------------------------------------------------

void Stack::handle_frame(Packet frame, Instant now) {
    ++m_stats.frames_received;
    auto ethernet = EthernetFrame::parse(frame->data());
    if (!ethernet) {
        ++m_stats.ethernet_malformed;
        return;
    }
    if (ethernet->is_vlan_tagged()) {
        ++m_stats.vlan_tagged;
        return;
    }
    const dev::MacAddress destination = ethernet->destination();
    const bool link_broadcast = destination.is_multicast();  // broadcast included
    if (destination != m_mac && !destination.is_broadcast()) {
        if (!destination.is_multicast()) {
            ++m_stats.not_our_mac;
            return;
        }
        const bool joined = std::any_of(
            m_multicast_groups.begin(), m_multicast_groups.end(),
            [&destination](Ipv4Address group) { return multicast_mac(group) == destination; });
        if (!joined) {
            ++m_stats.multicast_not_joined;
            return;
        }
    }
    switch (ethernet->ethertype()) {
        case EtherType::arp:
            m_arp.on_payload(ethernet->payload(), now);
            drain_arp(now);
            return;
        case EtherType::ipv4:
            if (!frame->trim_front(ethernet->header_length())) {
                ++m_stats.ethernet_malformed;
                return;
            }
            handle_ipv4(std::move(frame), link_broadcast, now);
            return;
        default:
            ++m_stats.unknown_ethertype;
            return;
    }
}

bool Stack::accepts_destination(Ipv4Address destination) const {
    if (destination.is_broadcast()) {
        return true;
    }
    if (destination.is_multicast()) {
        return std::find(m_multicast_groups.begin(), m_multicast_groups.end(), destination) !=
               m_multicast_groups.end();
    }
    if (!m_address) {
        return false;
    }
    return destination == m_address->address() ||
           (m_address->length() < 31 && destination == m_address->broadcast());
}

void Stack::handle_ipv4(Packet packet, bool link_broadcast, Instant now) {
    auto header = Ipv4Header::parse(packet->data());
    if (!header) {
        if (header.error() == WireError::bad_checksum) {
            ++m_stats.ipv4_bad_checksum;
        } else {
            ++m_stats.ipv4_malformed;
        }
        return;
    }
    // Ethernet pads short frames: the datagram ends at its total length.
    if (!packet->set_size(header->total_length())) {
        ++m_stats.ipv4_malformed;
        return;
    }
    // RFC 1122 §3.2.1.3: a broadcast or multicast source names no host.
    if (header->source().is_broadcast() || header->source().is_multicast()) {
        ++m_stats.ipv4_bad_source;
        return;
    }
    // Before DHCP has an address, offers and acks may be unicast to the
    // address being offered (DhcpClient's assumption): UDP gets through, and
    // handle_udp() passes only port 68 on.
    const bool awaiting_lease = !m_address && m_dhcp && header->protocol() == IpProtocol::udp;
    if (!accepts_destination(header->destination()) && !awaiting_lease) {
        ++m_stats.ipv4_not_for_us;
        return;
    }
    if (header->is_fragment()) {
        ++m_stats.fragments_received;
        auto added = m_reassembler.add(*header, now);
        if (!added) {
            ++m_stats.reassembly_errors;
            log.debug("fragment from {} dropped: {}", header->source(),
                      reassembly_error_name(added.error()));
            return;
        }
        if (!*added) {
            return;  // more to come; the timer loop watches the deadline
        }
        ++m_stats.reassembled;
        const Datagram datagram = std::move(**added);
        deliver(datagram.header(), nullptr, link_broadcast, now);
        return;
    }
    deliver(*header, &packet, link_broadcast, now);
}

void Stack::deliver(const Ipv4Header& header, Packet* packet, bool link_broadcast, Instant now) {
    switch (header.protocol()) {
        case IpProtocol::icmp:
            handle_icmp(header, packet, link_broadcast, now);
            return;
        case IpProtocol::udp:
            handle_udp(header, link_broadcast, now);
            return;
        case IpProtocol::tcp:
            handle_tcp(header, link_broadcast, now);
            return;
        default:
            ++m_stats.ipv4_unknown_protocol;
            // RFC 1122 §3.2.2.1: a host SHOULD say so.
            send_icmp_error(header, Icmpv4Type::destination_unreachable,
                            static_cast<std::uint8_t>(UnreachableCode::protocol), link_broadcast,
                            now);
            return;
    }
}

void Stack::handle_icmp(const Ipv4Header& header, Packet* packet, bool link_broadcast,
                        Instant now) {
    auto message = Icmpv4Message::parse(header.payload());
    if (!message) {
        ++m_stats.icmp_malformed;
        return;
    }
    switch (message->type()) {
        case Icmpv4Type::echo_request:
            ++m_stats.icmp_echo_requests;
            if (link_broadcast || !m_address || header.destination() != m_address->address()) {
                ++m_stats.icmp_echo_broadcast_ignored;
                return;
            }
            reply_to_echo(header, packet, now);
            return;
        case Icmpv4Type::echo_reply:
            handle_echo_reply(header, *message, now);
            return;
        case Icmpv4Type::destination_unreachable:
        case Icmpv4Type::source_quench:
        case Icmpv4Type::redirect:
        case Icmpv4Type::time_exceeded:
        case Icmpv4Type::parameter_problem:
            ++m_stats.icmp_errors_received;
            handle_icmp_error(*message);
            return;
        default:
            ++m_stats.icmp_other;
            return;
    }
}

void Stack::reply_to_echo(const Ipv4Header& header, Packet* packet, Instant now) {
    const Ipv4Address requester = header.source();
    if (!usable_host_address(requester)) {
        ++m_stats.icmp_echo_broadcast_ignored;
        return;
    }
    auto hop = next_hop(requester);
    if (!hop) {
        return;
    }
    if (packet != nullptr && header.header_length() == Ipv4Header::min_header_size) {
        // RFC 1122 §3.2.2.6: the reply carries the request's identifier,
        // sequence and data. Turned around in the request's own buffer: only
        // the addresses, TTL, identification and checksums change.
        auto turned = MutableIpv4Header::parse((*packet)->data(), ChecksumPolicy::skip);
        if (!turned || !Icmpv4Message::echo_reply_in_place(turned->payload())) {
            ++m_stats.icmp_malformed;
            return;
        }
        turned->set_destination(requester);
        turned->set_source(m_address->address());
        turned->set_ttl(m_options.ttl);
        turned->set_identification(next_identification());
        ++m_stats.icmp_echo_replies_sent;
        (void)send_packet(*hop, std::move(*packet));
        return;
    }
    // A reassembled request (or one with options, which the reply does not
    // echo): the reply is built anew and fragmented as needed.
    std::vector<std::byte> reply(header.payload().begin(), header.payload().end());
    if (!Icmpv4Message::echo_reply_in_place(MutableByteView{reply})) {
        ++m_stats.icmp_malformed;
        return;
    }
    ++m_stats.icmp_echo_replies_sent;
    (void)send_datagram(fields_to(m_address->address(), requester, IpProtocol::icmp),
                        ByteView{reply});
    (void)now;
}

void Stack::handle_echo_reply(const Ipv4Header& header, const Icmpv4Message& message, Instant now) {
    ++m_stats.icmp_echo_replies_received;
    for (auto it = m_pings.begin(); it != m_pings.end(); ++it) {
        PendingPing& pending = **it;
        if (pending.destination == header.source() && pending.identifier == message.identifier() &&
            pending.sequence == message.sequence_number()) {
            pending.received_at = now;
            pending.data_size = message.data().size();
            m_pings.erase(it);
            pending.replied.set();
            return;
        }
    }
    ++m_stats.icmp_echo_replies_unmatched;
}

void Stack::handle_icmp_error(const Icmpv4Message& message) {
    auto quoted = message.quoted_datagram();
    if (!quoted) {
        ++m_stats.icmp_malformed;
        return;
    }
    if (!m_address || quoted->source() != m_address->address() || quoted->fragment_offset() != 0) {
        return;  // not about a datagram of ours that a transport can claim
    }
    if (quoted->protocol() == IpProtocol::tcp) {
        handle_tcp_unreachable(message, *quoted);
        return;
    }
    if (quoted->protocol() != IpProtocol::udp) {
        return;
    }
    auto source_port = quoted->payload().read_u16_be(0);
    if (!source_port) {
        ++m_stats.icmp_malformed;
        return;
    }
    // RFC 1122 §4.1.3.3: UDP passes ICMP errors up to the application.
    if (message.type() == Icmpv4Type::destination_unreachable) {
        if (auto error = udp_error_for_unreachable(message.code())) {
            m_udp.report_error(*source_port, *error);
        }
    }
}

void Stack::handle_udp(const Ipv4Header& header, bool link_broadcast, Instant now) {
    auto datagram = UdpDatagram::parse(header.payload(), header.source(), header.destination());
    if (!datagram) {
        if (datagram.error() == WireError::bad_checksum) {
            ++m_stats.udp_bad_checksum;
        } else {
            ++m_stats.udp_malformed;
        }
        return;
    }
    if (m_dhcp && datagram->destination_port() == dhcp_client_port &&
        datagram->source_port() == dhcp_server_port) {
        m_dhcp->on_message(datagram->payload(), now);
        process_dhcp(now);
        return;
    }
    if (!m_address) {
        ++m_stats.ipv4_not_for_us;
        return;
    }
    ++m_stats.udp_received;
    const ByteView payload = datagram->payload();
    if (m_udp.deliver(datagram->destination_port(),
                      UdpReceived{
                          .payload = std::vector<std::byte>(payload.begin(), payload.end()),
                          .source = header.source(),
                          .source_port = datagram->source_port(),
                          .destination = header.destination(),
                      })) {
        return;
    }
    ++m_stats.udp_no_socket;
    // RFC 1122 §4.1.3.1: a datagram for a port nobody listens on.
    send_icmp_error(header, Icmpv4Type::destination_unreachable,
                    static_cast<std::uint8_t>(UnreachableCode::port), link_broadcast, now);
}

void Stack::send_icmp_error(const Ipv4Header& original, Icmpv4Type type, std::uint8_t code,
                            bool link_broadcast, Instant now) {
    if (!m_address) {
        return;
    }
    if (icmp_error_suppression(original, {.link_broadcast = link_broadcast,
                                          .interface = m_address}) != IcmpErrorSuppression::none) {
        ++m_stats.icmp_errors_suppressed;
        return;
    }
    if (!m_icmp_errors.allow(now)) {
        ++m_stats.icmp_errors_rate_limited;
        return;
    }
    auto hop = next_hop(original.source());
    if (!hop) {
        return;
    }
    auto allocated = m_pool.allocate();
    if (!allocated) {
        ++m_stats.no_buffers;
        return;
    }
    Packet packet = std::move(*allocated);
    const std::size_t room =
        std::min(Icmpv4Message::max_error_size, packet->tailroom() - Ipv4Header::min_header_size);
    auto out = packet->append(room);
    if (!out) {
        ++m_stats.no_buffers;
        return;
    }
    auto length = Icmpv4Message::emit_error(*out, type, code, 0, original);
    if (!length || !packet->set_size(*length) ||
        !Ipv4Header::prepend(
            *packet, fields_to(m_address->address(), original.source(), IpProtocol::icmp))) {
        ++m_stats.no_buffers;
        return;
    }
    ++m_stats.icmp_errors_sent;
    (void)send_packet(*hop, std::move(packet));
}

// ---- sending -------------------------------------------------------------------

Result<Ipv4Address, StackError> Stack::next_hop(Ipv4Address destination) {
    if (destination.is_broadcast() || destination.is_multicast()) {
        return destination;  // ARP maps these straight to MAC addresses
    }
    if (!m_address) {
        ++m_stats.no_address;
        return Error{StackError::no_address};
    }
    if (m_address->contains(destination)) {
        if (m_address->length() < 31 && destination == m_address->broadcast()) {
            return Ipv4Address::broadcast();
        }
        return destination;
    }
    if (m_gateway) {
        return *m_gateway;
    }
    ++m_stats.no_route;
    return Error{StackError::no_route};
}

Ipv4Fields Stack::fields_to(Ipv4Address source, Ipv4Address destination, IpProtocol protocol) {
    return Ipv4Fields{
        .source = source,
        .destination = destination,
        .protocol = protocol,
        .ttl = m_options.ttl,
        .identification = next_identification(),
    };
}

Result<void, StackError> Stack::send_ipv4(Ipv4Address destination, IpProtocol protocol,
                                          ByteView payload) {
    if (!m_address) {
        ++m_stats.no_address;
        return Error{StackError::no_address};
    }
    return send_datagram(fields_to(m_address->address(), destination, protocol), payload);
}

Result<void, StackError> Stack::send_datagram(const Ipv4Fields& fields, ByteView payload) {
    if (payload.size() > Ipv4Header::max_total_length - Ipv4Header::min_header_size) {
        return Error{StackError::message_too_large};
    }
    const Ipv4Address hop = TRY(next_hop(fields.destination));
    if (m_transmit_queue.size() + largest_burst > m_options.transmit_queue_limit) {
        ++m_stats.transmit_queue_full;
        return Error{StackError::transmit_queue_full};
    }
    if (Ipv4Header::min_header_size + payload.size() <= m_device.mtu()) {
        auto allocated = m_pool.allocate();
        if (!allocated) {
            ++m_stats.no_buffers;
            return Error{StackError::no_buffers};
        }
        Packet packet = std::move(*allocated);
        auto body = packet->append(payload.size());
        if (!body || !body->copy_from(0, payload) || !Ipv4Header::prepend(*packet, fields)) {
            ++m_stats.no_buffers;
            return Error{StackError::no_buffers};
        }
        return send_packet(hop, std::move(packet));
    }
    m_fragments.clear();
    auto split = fragment(fields, payload, m_device.mtu(), m_pool, m_fragments);
    if (!split) {
        ++m_stats.fragmentation_errors;
        log.debug("cannot fragment a datagram to {}: {}", fields.destination,
                  fragmentation_error_name(split.error()));
        return Error{split.error() == FragmentationError::pool_exhausted
                         ? StackError::no_buffers
                         : StackError::message_too_large};
    }
    m_stats.fragments_sent += m_fragments.size();
    for (Packet& piece : m_fragments) {
        (void)send_packet(hop, std::move(piece));
    }
    m_fragments.clear();
    return {};
}

Result<void, StackError> Stack::send_packet(Ipv4Address hop, Packet packet) {
    if (m_address && hop == m_address->address()) {
        if (m_loopback.size() >= m_options.transmit_queue_limit) {
            ++m_stats.transmit_queue_full;
            return Error{StackError::transmit_queue_full};
        }
        m_loopback.push_back(std::move(packet));
        if (!m_loopback_waiters.empty()) {
            Scheduler::current().wake_all(m_loopback_waiters);
        }
        return {};
    }
    const Instant current = now();
    ArpResolution resolution = m_arp.resolve(hop, std::move(packet), current);
    Result<void, StackError> result{};
    switch (resolution.status) {
        case ResolveStatus::resolved:
            enqueue_ipv4(resolution.destination, std::move(resolution.packet));
            break;
        case ResolveStatus::queued:
            break;
        case ResolveStatus::dropped:
            ++m_stats.arp_dropped;
            result = Error{StackError::no_buffers};
            break;
        case ResolveStatus::unreachable:
            ++m_stats.arp_unreachable;
            result = Error{StackError::no_route};
            break;
    }
    drain_arp(current);
    flush();
    reschedule_timer();
    return result;
}

void Stack::enqueue_ipv4(dev::MacAddress destination, Packet packet) {
    if (!EthernetFrame::prepend(*packet, EthernetFields{.destination = destination,
                                                        .source = m_mac,
                                                        .ethertype = EtherType::ipv4})) {
        ++m_stats.no_buffers;
        return;
    }
    enqueue_frame(std::move(packet));
}

void Stack::enqueue_frame(Packet frame) {
    if (m_transmit_queue.size() >= m_options.transmit_queue_limit) {
        ++m_stats.transmit_queue_full;
        return;
    }
    m_transmit_queue.push_back(std::move(frame));
}

void Stack::flush() {
    if (m_batching || m_transmit_blocked || m_transmit_queue.empty()) {
        return;
    }
    auto taken = m_device.transmit(m_transmit_queue);
    if (!taken) {
        ++m_stats.device_errors;
        log.warning("{}: transmit failed, {} frames dropped", m_mac, m_transmit_queue.size());
        m_transmit_queue.clear();
    } else {
        m_stats.frames_transmitted += *taken;
        m_transmit_queue.erase(m_transmit_queue.begin(),
                               m_transmit_queue.begin() + static_cast<std::ptrdiff_t>(*taken));
        if (!m_transmit_queue.empty()) {
            m_transmit_blocked = true;
            if (!m_transmit_loop_waiters.empty()) {
                Scheduler::current().wake_all(m_transmit_loop_waiters);
            }
        }
    }
    if (!send_blocked() && !m_send_space_waiters.empty()) {
        Scheduler::current().wake_all(m_send_space_waiters);
    }
}

void Stack::drain_arp(Instant now) {
    while (std::optional<ArpOutput> output = m_arp.next_output()) {
        if (auto* transmit = std::get_if<ArpTransmit>(&*output)) {
            auto allocated = m_pool.allocate();
            if (!allocated) {
                ++m_stats.no_buffers;
                continue;
            }
            Packet frame = std::move(*allocated);
            if (!write_arp_frame(*frame, m_mac, *transmit)) {
                ++m_stats.no_buffers;
                continue;
            }
            enqueue_frame(std::move(frame));
        } else if (auto* released = std::get_if<ArpReleased>(&*output)) {
            enqueue_ipv4(released->destination, std::move(released->packet));
        } else if (auto* unreachable = std::get_if<ArpUnreachable>(&*output)) {
            ++m_stats.arp_unreachable;
            log.debug("{} does not answer ARP; a held packet is dropped", unreachable->next_hop);
        } else if (auto* conflict = std::get_if<ArpConflict>(&*output)) {
            ++m_stats.address_conflicts;
            log.warning("{} is also used by {}", conflict->address, conflict->other_mac);
        }
    }
    (void)now;
}

// ---- the socket API ------------------------------------------------------------

Result<UdpSocket, UdpError> Stack::udp_bind(std::uint16_t port) {
    if (!m_running) {
        return Error{UdpError::closed};
    }
    UdpEndpoint* endpoint = TRY(m_udp.bind(port, m_random.next_u32()));
    return UdpSocket{m_udp, *endpoint, *this};
}

Result<void, UdpError> Stack::send_udp(std::uint16_t source_port, Ipv4Address destination,
                                       std::uint16_t destination_port, ByteView payload) {
    if (!m_running) {
        return Error{UdpError::closed};
    }
    if (!m_address) {
        ++m_stats.no_address;
        return Error{UdpError::no_address};
    }
    auto sent =
        send_udp_from(m_address->address(), source_port, destination, destination_port, payload);
    if (!sent) {
        return Error{udp_error_from(sent.error())};
    }
    return {};
}

Result<void, StackError> Stack::send_udp_from(Ipv4Address source, std::uint16_t source_port,
                                              Ipv4Address destination,
                                              std::uint16_t destination_port, ByteView payload) {
    if (payload.size() > max_udp_payload) {
        return Error{StackError::message_too_large};
    }
    const std::size_t length = UdpDatagram::header_size + payload.size();
    const Ipv4Fields fields = fields_to(source, destination, IpProtocol::udp);
    if (Ipv4Header::min_header_size + length <= m_device.mtu()) {
        // The common case: built in one pool buffer, the payload copied once.
        const Ipv4Address hop = TRY(next_hop(destination));
        if (m_transmit_queue.size() >= m_options.transmit_queue_limit) {
            ++m_stats.transmit_queue_full;
            return Error{StackError::transmit_queue_full};
        }
        auto allocated = m_pool.allocate();
        if (!allocated) {
            ++m_stats.no_buffers;
            return Error{StackError::no_buffers};
        }
        Packet packet = std::move(*allocated);
        auto body = packet->append(length);
        if (!body || !body->copy_from(UdpDatagram::header_size, payload) ||
            !UdpDatagram::emit(*body, source_port, destination_port, source, destination) ||
            !Ipv4Header::prepend(*packet, fields)) {
            ++m_stats.no_buffers;
            return Error{StackError::no_buffers};
        }
        ++m_stats.udp_sent;
        return send_packet(hop, std::move(packet));
    }
    // Larger than the MTU: the whole datagram is built once in scratch
    // memory, for the checksum, then fragmented into pool buffers.
    m_scratch.resize(length);
    MutableByteView whole{m_scratch};
    if (!whole.copy_from(UdpDatagram::header_size, payload) ||
        !UdpDatagram::emit(whole, source_port, destination_port, source, destination)) {
        return Error{StackError::message_too_large};
    }
    TRY(send_datagram(fields, whole));
    ++m_stats.udp_sent;
    return {};
}

Task<void> Stack::wait_send_space() {
    if (send_blocked()) {
        // Woken by flush() once the device has drained the queue.
        co_await wait_on(m_send_space_waiters);
    }
}

bool Stack::send_blocked() const {
    // Only the transmit queue makes senders wait: it always drains. An empty
    // pool may stay empty (ARP holding packets), so that is an error instead.
    return m_running && m_transmit_queue.size() + largest_burst > m_options.transmit_queue_limit;
}

// ---- ping -------------------------------------------------------------------------

Task<Result<PingReply, PingError>> Stack::ping(Ipv4Address destination, std::uint16_t identifier,
                                               std::uint16_t sequence, std::vector<std::byte> data,
                                               Duration timeout) {
    if (!m_address) {
        co_return Error{PingError::no_address};
    }
    std::vector<std::byte> message(Icmpv4Message::header_size + data.size());
    MutableByteView view{message};
    if (!view.copy_from(Icmpv4Message::header_size, ByteView{data}) ||
        !Icmpv4Message::emit_echo(view, Icmpv4Type::echo_request, identifier, sequence)) {
        co_return Error{PingError::message_too_large};
    }
    PendingPing pending;
    pending.destination = destination;
    pending.identifier = identifier;
    pending.sequence = sequence;
    m_pings.push_back(&pending);
    // Unregisters the ping however this frame ends: reply, timeout or cancel.
    struct Unregister {
        std::vector<PendingPing*>& pings;
        PendingPing* pending;
        ~Unregister() { std::erase(pings, pending); }
    } unregister{m_pings, &pending};

    const Instant sent_at = now();
    auto sent = send_datagram(fields_to(m_address->address(), destination, IpProtocol::icmp),
                              ByteView{message});
    if (!sent) {
        co_return Error{ping_error_from(sent.error())};
    }
    auto waited = co_await with_timeout(timeout, wait_event(&pending.replied));
    if (!waited) {
        co_return Error{PingError::timed_out};
    }
    co_return PingReply{.round_trip = pending.received_at - sent_at,
                        .data_size = pending.data_size};
}

}  // namespace oasis::net

// ---- TCP --------------------------------------------------------------------

namespace oasis::net {

void Stack::handle_tcp(const Ipv4Header& header, bool link_broadcast, Instant now) {
    // RFC 9293 §3.10.7.2 (and RFC 1122 §4.2.3.10): TCP is unicast only.
    if (link_broadcast || !m_address || header.destination() != m_address->address()) {
        ++m_stats.tcp_not_unicast;
        return;
    }
    auto segment = TcpSegment::parse(header.payload(), header.source(), header.destination());
    if (!segment) {
        if (segment.error() == WireError::bad_checksum) {
            ++m_stats.tcp_bad_checksum;
        } else {
            ++m_stats.tcp_malformed;
        }
        return;
    }
    auto options = parse_tcp_options(segment->options());
    if (!options) {
        ++m_stats.tcp_malformed;
        return;
    }
    m_tcp.on_segment(header.source(), header.destination(), *segment, *options, now);
}

void Stack::handle_tcp_unreachable(const Icmpv4Message& message, const Ipv4Header& quoted) {
    if (message.type() != Icmpv4Type::destination_unreachable) {
        return;
    }
    const ByteView transport = quoted.payload();
    auto source_port = transport.read_u16_be(0);
    auto destination_port = transport.read_u16_be(2);
    auto sequence = transport.read_u32_be(4);
    if (!source_port || !destination_port || !sequence) {
        ++m_stats.icmp_malformed;
        return;
    }
    // RFC 1122 §4.2.3.9: protocol and port unreachable are hard errors.
    const auto code = static_cast<UnreachableCode>(message.code());
    const bool hard = code == UnreachableCode::protocol || code == UnreachableCode::port;
    m_tcp.on_unreachable(
        TcpTuple{quoted.source(), *source_port, quoted.destination(), *destination_port},
        SequenceNumber{*sequence}, hard, now());
}

TcpConfig Stack::tcp_config() const {
    TcpConfig config = m_options.tcp_config;
    const std::size_t headers = Ipv4Header::min_header_size + TcpSegment::min_header_size;
    const std::size_t mss = m_device.mtu() > headers ? m_device.mtu() - headers : 0;
    config.maximum_segment_size =
        static_cast<std::uint16_t>(std::min<std::size_t>(config.maximum_segment_size, mss));
    return config;
}

Result<TcpListener, TcpError> Stack::tcp_listen(std::uint16_t port, std::size_t backlog,
                                                std::optional<TcpConfig> config) {
    if (!m_running) {
        return Error{TcpError::closed};
    }
    TcpConfig chosen = config.value_or(tcp_config());
    chosen.maximum_segment_size =
        std::min(chosen.maximum_segment_size, tcp_config().maximum_segment_size);
    TcpListenerState* state = TRY(m_tcp.listen(port, backlog, chosen));
    return TcpListener{m_tcp, *state};
}

Task<Result<TcpStream, TcpError>> Stack::tcp_connect(Ipv4Address destination, std::uint16_t port,
                                                     Duration timeout,
                                                     std::optional<TcpConfig> config) {
    if (!m_running) {
        co_return Error{TcpError::closed};
    }
    if (!m_address) {
        co_return Error{TcpError::no_address};
    }
    TcpConfig chosen = config.value_or(tcp_config());
    chosen.maximum_segment_size =
        std::min(chosen.maximum_segment_size, tcp_config().maximum_segment_size);
    // Not `co_return co_await`: GCC 12 can miscompile it (examples/iperf3).
    auto stream =
        co_await connect_stream(m_tcp, m_address->address(), destination, port, chosen, timeout);
    co_return stream;
}

bool Stack::tcp_can_send() const {
    return m_running && m_pool.available() > 0 &&
           m_transmit_queue.size() + largest_burst <= m_options.transmit_queue_limit;
}

bool Stack::send_tcp(const TcpTuple& tuple, const TcpOutgoing& segment,
                     const TcpConnection* connection) {
    auto allocated = m_pool.allocate();
    if (!allocated) {
        ++m_stats.no_buffers;
        return false;
    }
    Packet packet = std::move(*allocated);
    std::array<std::byte, TcpSegment::max_options_size> option_bytes{};
    auto options_size = emit_tcp_options(MutableByteView{option_bytes}, segment.options);
    if (!options_size) {
        return false;
    }
    if (segment.payload_size > 0) {
        auto body = packet->append(segment.payload_size);
        if (!body || connection == nullptr) {
            ++m_stats.no_buffers;
            return false;
        }
        connection->copy_payload(segment, *body);
    }
    const ByteView options{std::span{option_bytes}.first(*options_size)};
    if (!TcpSegment::prepend(*packet, segment.fields, options, tuple.local, tuple.remote) ||
        !Ipv4Header::prepend(*packet, fields_to(tuple.local, tuple.remote, IpProtocol::tcp))) {
        ++m_stats.no_buffers;
        return false;
    }
    auto hop = next_hop(tuple.remote);
    if (!hop) {
        return false;
    }
    return send_packet(*hop, std::move(packet)).has_value();
}

}  // namespace oasis::net
