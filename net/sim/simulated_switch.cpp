// SimulatedSwitch and its port devices: learning, flooding, faults and timed delivery.
#include "net/sim/simulated_switch.hpp"

#include "net/fault/packet_copy.hpp"

namespace oasis::net {

namespace {

constexpr std::size_t ethernet_header_size = dev::NetDevice::ethernet_header_size;

// The caller has checked that `frame` holds an Ethernet header.
dev::MacAddress mac_at(ByteView frame, std::size_t offset) {
    dev::MacAddress mac;
    for (std::size_t index = 0; index < mac.octets.size(); ++index) {
        mac.octets[index] = std::to_integer<std::uint8_t>(frame.data()[offset + index]);
    }
    return mac;
}

std::uint64_t mac_key(dev::MacAddress mac) {
    std::uint64_t key = 0;
    for (std::uint8_t octet : mac.octets) {
        key = (key << 8) | octet;
    }
    return key;
}

}  // namespace

// ---- SimulatedNetDevice ------------------------------------------------------

SimulatedNetDevice::SimulatedNetDevice(SimulatedSwitch& network, std::size_t port,
                                       dev::MacAddress mac, const PortOptions& options)
    : m_switch(network),
      m_port(port),
      m_mac(mac),
      m_mtu(options.mtu),
      m_receive_queue_limit(options.receive_queue_limit),
      m_link_faults(options.faults, port + 1) {}

Result<std::size_t, dev::NetError> SimulatedNetDevice::receive(PacketPool& pool,
                                                               std::span<Packet> frames) {
    std::size_t count = 0;
    while (count < frames.size() && !m_received.empty()) {
        const Packet& queued = m_received.front();
        if (pool.available() == 0) {
            break;  // the caller's pool is dry: the frame stays queued
        }
        if (std::optional<Packet> packet = copy_to_pool(pool, queued->data())) {
            m_stats.received_frames += 1;
            m_stats.received_bytes += queued->size();
            frames[count++] = std::move(*packet);
        } else {
            ++m_stats.receive_dropped;  // larger than the caller's buffers
        }
        m_received.pop_front();
    }
    return count;
}

Result<std::size_t, dev::NetError> SimulatedNetDevice::transmit(std::span<Packet> frames) {
    for (Packet& frame : frames) {
        if (frame->size() > m_mtu + ethernet_header_size) {
            ++m_stats.transmit_dropped;
        } else {
            m_stats.transmitted_frames += 1;
            m_stats.transmitted_bytes += frame->size();
            m_switch.accept(m_port, frame->data());
        }
        frame.reset();
    }
    return frames.size();
}

void SimulatedNetDevice::deliver(Packet frame) {
    if (frame->size() > m_mtu + ethernet_header_size ||
        m_received.size() >= m_receive_queue_limit) {
        ++m_stats.receive_dropped;
        return;
    }
    m_received.push_back(std::move(frame));
    ++m_switch.m_stats.delivered;
    notify_receivable();
}

// ---- SimulatedSwitch ---------------------------------------------------------

SimulatedSwitch::SimulatedSwitch(SwitchOptions options)
    : m_options(options),
      m_pool(options.buffer_count, options.buffer_capacity),
      m_faults(options.faults, 0),
      m_alarm([this] { deliver_due(); }) {}

SimulatedSwitch::~SimulatedSwitch() = default;

SimulatedNetDevice& SimulatedSwitch::add_port(dev::MacAddress mac, const PortOptions& options) {
    // The constructor is private to the switch, so make_unique cannot reach it.
    m_ports.push_back(std::unique_ptr<SimulatedNetDevice>(
        new SimulatedNetDevice(*this, m_ports.size(), mac, options)));
    return *m_ports.back();
}

void SimulatedSwitch::capture_to(PcapWriter& writer, CapturePoint point) {
    m_capture = &writer;
    m_capture_point = point;
}

std::optional<std::size_t> SimulatedSwitch::learned_port(dev::MacAddress mac) const {
    auto entry = m_learned.find(mac_key(mac));
    if (entry == m_learned.end()) {
        return std::nullopt;
    }
    return entry->second;
}

void SimulatedSwitch::accept(std::size_t ingress, ByteView frame) {
    ++m_stats.frames_in;
    const Instant now = Scheduler::current().now();
    if (m_capture != nullptr && m_capture_point == CapturePoint::sent) {
        m_capture->write(now, frame);
    }
    if (frame.size() < ethernet_header_size) {
        ++m_stats.dropped_runt;
        return;
    }
    const dev::MacAddress destination = mac_at(frame, 0);
    const dev::MacAddress source = mac_at(frame, 6);
    if (!source.is_multicast()) {  // a group address as a source is bogus
        m_learned[mac_key(source)] = ingress;
    }
    std::optional<std::size_t> egress;
    if (!destination.is_multicast()) {
        egress = learned_port(destination);
    }
    if (egress == ingress) {
        ++m_stats.dropped_same_port;
        return;
    }

    // The link's faults, then the switch's, for each copy the link lets through.
    bool arrives = false;
    const FaultDecision link = m_ports[ingress]->m_link_faults.decide(frame.size());
    for (const FrameCopy& link_copy : link.delivered()) {
        const FaultDecision crossing = m_faults.decide(frame.size());
        for (const FrameCopy& crossing_copy : crossing.delivered()) {
            arrives = true;
            std::optional<Packet> packet = copy_to_pool(m_pool, frame);
            if (!packet) {
                ++m_stats.dropped_no_buffer;
                continue;
            }
            dispatch(InFlight{std::move(*packet), ingress, egress}, link_copy, crossing_copy, now);
        }
    }
    if (!arrives) {
        ++m_stats.lost;
    }
}

void SimulatedSwitch::dispatch(InFlight item, const FrameCopy& link, const FrameCopy& crossing,
                               Instant now) {
    if (link.flipped_bit) {
        FaultModel::flip_bit(item.frame->data(), *link.flipped_bit);
    }
    if (crossing.flipped_bit) {
        FaultModel::flip_bit(item.frame->data(), *crossing.flipped_bit);
    }
    const Duration delay = link.delay + crossing.delay;
    if (delay == Duration{0}) {
        forward(std::move(item), now);
        return;
    }
    m_in_flight.push(now + delay, std::move(item));
    m_alarm.arm_no_later_than(now + delay);
}

void SimulatedSwitch::forward(InFlight item, Instant now) {
    if (m_capture != nullptr && m_capture_point == CapturePoint::delivered) {
        m_capture->write(now, item.frame->data());
    }
    if (item.egress) {
        ++m_stats.unicast;
        m_ports[*item.egress]->deliver(std::move(item.frame));
        return;
    }
    ++m_stats.flooded;
    // Every port but the ingress gets a copy; the last one the switch's own packet.
    std::optional<std::size_t> last;
    for (std::size_t port = 0; port < m_ports.size(); ++port) {
        if (port != item.ingress) {
            last = port;
        }
    }
    for (std::size_t port = 0; last && port < *last; ++port) {
        if (port == item.ingress) {
            continue;
        }
        std::optional<Packet> copy = copy_to_pool(m_pool, item.frame->data());
        if (!copy) {
            ++m_stats.dropped_no_buffer;
            continue;
        }
        m_ports[port]->deliver(std::move(*copy));
    }
    if (last) {
        m_ports[*last]->deliver(std::move(item.frame));
    }
}

void SimulatedSwitch::deliver_due() {
    const Instant now = Scheduler::current().now();
    while (auto item = m_in_flight.pop_due(now)) {
        forward(std::move(item->second), now);
    }
    if (auto next = m_in_flight.next_due()) {
        m_alarm.arm_no_later_than(*next);
    }
}

}  // namespace oasis::net
