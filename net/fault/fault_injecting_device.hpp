// FaultInjectingDevice: wraps any NetDevice and loses, duplicates, delays, reorders and corrupts
// frames.
#pragma once

#include <cstddef>
#include <vector>

#include "core/packet.hpp"
#include "net/fault/alarm.hpp"
#include "net/fault/delay_queue.hpp"
#include "net/fault/device_wrapper.hpp"
#include "net/fault/fault_model.hpp"
#include "net/fault/fault_spec.hpp"

namespace oasis::net {

// The kernel here has no netem (DESIGN.md), so delay and reordering on a TAP
// link come from this wrapper; on the simulated network it adds faults to
// one device only. Each direction the spec names has its own FaultModel
// (streams 1 and 2 of the spec's seed), so its decisions do not depend on
// the traffic in the other direction.
//
// Frames that must wait (a delay, a duplicate's second copy) are copied into
// the wrapper's own pool and released by an Alarm; a copy that finds the pool
// full is dropped and counted (receive_dropped / transmit_dropped), as a
// real link's full queue would. Copies with no delay pass straight through.
//
// With transmit faults on, transmit() takes every frame it is offered: frames
// the inner device refuses wait in the pool and are sent when it can take
// them again. With transmit faults off, transmit() is the inner device's own.
//
// Contract: receive() and transmit() run inside a live Scheduler, whose clock
// times the delays. The inner device must outlive the wrapper.
class FaultInjectingDevice final : public NetDeviceWrapper {
public:
    static constexpr std::size_t default_held_frames = 256;

    FaultInjectingDevice(dev::NetDevice& inner, const FaultSpec& spec,
                         std::size_t held_frames = default_held_frames);

    Result<std::size_t, dev::NetError> receive(PacketPool& pool, std::span<Packet> frames) override;
    Result<std::size_t, dev::NetError> transmit(std::span<Packet> frames) override;

    const FaultSpec& spec() const { return m_receive_faults.spec(); }
    const FaultStats& receive_faults() const { return m_receive_faults.stats(); }
    const FaultStats& transmit_faults() const { return m_transmit_faults.stats(); }
    // Frames waiting for their time, in each direction.
    std::size_t held_receives() const { return m_held_receives.size(); }
    std::size_t held_transmits() const { return m_held_transmits.size(); }

private:
    bool faults_receive() const;
    bool faults_transmit() const;

    // Copies `frame` into the own pool, flips the copy's bit if it says so,
    // and queues it until `due`. False when the pool had no room.
    bool hold(DelayQueue<Packet>& queue, Instant due, ByteView frame, const FrameCopy& copy);

    // Moves held frames that are due into `frames`, copied into `pool`.
    std::size_t take_due_receives(PacketPool& pool, std::span<Packet> frames, Instant now);
    // Applies the receive faults to frames[begin, begin + count), which the
    // inner device just filled, keeping the survivors packed from `begin`.
    std::size_t apply_receive_faults(std::span<Packet> frames, std::size_t begin, std::size_t count,
                                     Instant now);
    // Decides the fate of one frame offered to transmit(); a copy due now
    // goes to m_batch, the rest are held.
    void apply_transmit_faults(Packet& frame, Instant now);
    // Sends m_batch to the inner device; what it refuses is held, due now.
    void send_batch(Instant now);
    // Sends the held frames that are due, as long as the inner device takes them.
    void release_transmits();
    void on_inner_transmittable() override;
    void on_receive_alarm();

    FaultModel m_receive_faults;
    FaultModel m_transmit_faults;
    PacketPool m_pool;
    DelayQueue<Packet> m_held_receives;
    DelayQueue<Packet> m_held_transmits;
    // Set while the inner device refuses frames; cleared by its wake-up.
    bool m_transmit_blocked = false;
    std::vector<Packet> m_batch;
    std::vector<Instant> m_batch_due;
    Alarm m_receive_alarm;
    Alarm m_transmit_alarm;
};

}  // namespace oasis::net
