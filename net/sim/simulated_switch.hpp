// SimulatedSwitch: an in-memory learning Ethernet switch whose ports are NetDevices, on the
// scheduler's clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/packet.hpp"
#include "dev/net.hpp"
#include "net/fault/alarm.hpp"
#include "net/fault/delay_queue.hpp"
#include "net/fault/fault_model.hpp"
#include "net/fault/fault_spec.hpp"
#include "net/pcap/pcap_writer.hpp"

namespace oasis::net {

class SimulatedSwitch;

struct PortOptions {
    std::size_t mtu = 1500;
    // The faults of the link from this port's device into the switch: every
    // frame the device sends suffers them (a lossy cable, a slow uplink).
    // The spec's direction does not apply here.
    FaultSpec faults{};
    // Frames delivered but not yet received; more are dropped and counted.
    std::size_t receive_queue_limit = 256;
};

struct SwitchOptions {
    // Faults every frame suffers once while crossing the switch, after the
    // faults of the link it came in on (the spec's direction does not apply).
    FaultSpec faults{};
    // The switch's own packet buffers, which hold frames in flight and in the
    // ports' receive queues; when they run out, frames are dropped and counted.
    std::size_t buffer_count = 1024;
    std::size_t buffer_capacity = default_packet_capacity;
};

struct SwitchStats {
    std::uint64_t frames_in = 0;          // frames the ports' devices sent
    std::uint64_t lost = 0;               // frames the faults dropped entirely
    std::uint64_t unicast = 0;            // frames forwarded to one learned port
    std::uint64_t flooded = 0;            // frames sent to every other port
    std::uint64_t delivered = 0;          // frames put in a port's receive queue
    std::uint64_t dropped_runt = 0;       // shorter than an Ethernet header
    std::uint64_t dropped_no_buffer = 0;  // the switch's buffers had run out
    std::uint64_t dropped_same_port = 0;  // addressed to a device on the port it came from
};

// Where a capture of the switch sees frames.
enum class CapturePoint {
    sent,       // as each device sent it, at the time it was sent (lost frames too)
    delivered,  // as the receivers get it, at the time it arrives (after the faults)
};

// One port of a SimulatedSwitch: a NetDevice with its own MAC address and
// MTU. transmit() never refuses (the simulated wire is infinitely fast);
// frames longer than mtu() plus the header are dropped, on the way out and on
// the way in. Received frames wait in the port's queue until receive().
class SimulatedNetDevice final : public dev::NetDevice {
public:
    dev::MacAddress mac() const override { return m_mac; }
    std::size_t mtu() const override { return m_mtu; }

    Result<std::size_t, dev::NetError> receive(PacketPool& pool, std::span<Packet> frames) override;
    Result<std::size_t, dev::NetError> transmit(std::span<Packet> frames) override;

    std::size_t port() const { return m_port; }
    // Frames delivered and not yet received.
    std::size_t pending_frames() const { return m_received.size(); }
    // The faults of this port's link, as decided so far.
    const FaultStats& link_faults() const { return m_link_faults.stats(); }

private:
    friend class SimulatedSwitch;
    SimulatedNetDevice(SimulatedSwitch& network, std::size_t port, dev::MacAddress mac,
                       const PortOptions& options);

    // From the switch, when a frame arrives; wakes the receive waiters.
    void deliver(Packet frame);

    SimulatedSwitch& m_switch;
    std::size_t m_port;
    dev::MacAddress m_mac;
    std::size_t m_mtu;
    std::size_t m_receive_queue_limit;
    FaultModel m_link_faults;
    std::deque<Packet> m_received;
};

// Several stacks on one network for deterministic tests (DESIGN.md, testing
// layer 2). A frame that a port's device sends at time t passes the faults
// of its link, then those of the switch, and arrives at t plus the delays
// they chose: at once (inside transmit()) when that is zero, otherwise when
// an Alarm wakes the switch on the scheduler's clock. With a VirtualPlatform
// the clock jumps straight there, and while nothing is in flight the switch
// holds no timer, so a stack that waits for a frame nobody sends is a
// deadlock the scheduler reports.
//
// Learning: the source address of every frame a port sends is learned for
// that port (for good; later frames from another port move it). Frames to a
// learned address go to that port only; broadcast, multicast and unknown
// destinations are flooded to every port but the one they came from. The
// destination port is chosen when the frame enters the switch.
//
// Link faults use stream port + 1 of their spec's seed and the switch's own
// stream 0, so every run with the same seeds and traffic is the same.
//
// Contract: ports' devices send only from inside a live Scheduler. The switch
// owns its ports' devices; they live as long as it does.
class SimulatedSwitch {
public:
    explicit SimulatedSwitch(SwitchOptions options = {});
    SimulatedSwitch(const SimulatedSwitch&) = delete;
    SimulatedSwitch& operator=(const SimulatedSwitch&) = delete;
    ~SimulatedSwitch();

    // Adds a port with a new device on it.
    SimulatedNetDevice& add_port(dev::MacAddress mac, const PortOptions& options = {});
    std::size_t port_count() const { return m_ports.size(); }
    SimulatedNetDevice& port(std::size_t index) { return *m_ports.at(index); }

    // Writes every frame crossing the switch to `writer` from now on, seen at
    // `point`. A flooded frame is written once.
    void capture_to(PcapWriter& writer, CapturePoint point = CapturePoint::delivered);
    void stop_capture() { m_capture = nullptr; }

    // The port `mac` was learned on, if it was.
    std::optional<std::size_t> learned_port(dev::MacAddress mac) const;
    // Frames on their way (delayed), not counting those in receive queues.
    std::size_t frames_in_flight() const { return m_in_flight.size(); }

    const SwitchStats& stats() const { return m_stats; }
    const FaultStats& switch_faults() const { return m_faults.stats(); }

private:
    friend class SimulatedNetDevice;

    struct InFlight {
        Packet frame;
        std::size_t ingress = 0;
        std::optional<std::size_t> egress;  // none: flood
    };

    // A frame that the device on port `ingress` sent.
    void accept(std::size_t ingress, ByteView frame);
    // One copy of it, after the faults, to arrive `delay` from now.
    void dispatch(InFlight item, const FrameCopy& link, const FrameCopy& crossing, Instant now);
    // Hands a frame whose time has come to its port, or floods it.
    void forward(InFlight item, Instant now);
    void deliver_due();

    SwitchOptions m_options;
    // First, so that it is destroyed last: in-flight and queued frames are its packets.
    PacketPool m_pool;
    FaultModel m_faults;
    std::vector<std::unique_ptr<SimulatedNetDevice>> m_ports;
    std::map<std::uint64_t, std::size_t> m_learned;  // MAC address as a 48-bit number -> port
    DelayQueue<InFlight> m_in_flight;
    PcapWriter* m_capture = nullptr;
    CapturePoint m_capture_point = CapturePoint::delivered;
    SwitchStats m_stats;
    Alarm m_alarm;
};

}  // namespace oasis::net
