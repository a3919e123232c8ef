// NetDevice: an Ethernet interface that moves whole frames, several per call.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/packet.hpp"
#include "core/result.hpp"
#include "core/scheduler.hpp"

namespace oasis::dev {

struct MacAddress {
    std::array<std::uint8_t, 6> octets{};

    static constexpr MacAddress broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
    bool is_broadcast() const { return *this == broadcast(); }
    bool is_multicast() const { return (octets[0] & 0x01) != 0; }
    friend bool operator==(const MacAddress&, const MacAddress&) = default;
};

// "02:00:00:00:00:01"
void format_value(std::string& out, const MacAddress& mac);

enum class NetError {
    frame_too_large,  // longer than the device's MTU plus the Ethernet header
    device_error,     // the host side failed (the TAP device went away, ...)
};

struct NetStats {
    std::uint64_t received_frames = 0;
    std::uint64_t received_bytes = 0;
    std::uint64_t transmitted_frames = 0;
    std::uint64_t transmitted_bytes = 0;
    std::uint64_t receive_dropped = 0;   // no packet buffer free, or too long
    std::uint64_t transmit_dropped = 0;  // refused or failed on the host side
};

// Frames are raw Ethernet II frames without the FCS. Calls never block: when
// nothing is pending, receive() returns 0 and the caller awaits
// wait_receivable(); when the host queue is full, transmit() takes fewer
// frames than offered and the caller awaits wait_transmittable().
class NetDevice {
public:
    static constexpr std::size_t ethernet_header_size = 14;

    NetDevice() = default;
    NetDevice(const NetDevice&) = delete;
    NetDevice& operator=(const NetDevice&) = delete;
    virtual ~NetDevice() = default;

    virtual MacAddress mac() const = 0;
    // The largest payload of a frame (1500 on a standard Ethernet).
    virtual std::size_t mtu() const = 0;

    // Moves up to frames.size() pending frames into `frames`, each in a
    // packet allocated from `pool`; returns how many. When the pool runs dry
    // the frame stays queued on the host or is dropped and counted.
    virtual Result<std::size_t, NetError> receive(PacketPool& pool, std::span<Packet> frames) = 0;

    // Sends frames in order and returns how many were taken; taken packets
    // are released back to their pool. A frame longer than mtu() plus the
    // header is dropped and counted, not sent.
    virtual Result<std::size_t, NetError> transmit(std::span<Packet> frames) = 0;

    // Completes when receive() may return frames; woken by the platform's
    // poll through notify_receivable().
    WaitOn wait_receivable() { return wait_on(m_receive_waiters); }
    // Completes when transmit() may take frames again; woken likewise.
    WaitOn wait_transmittable() { return wait_on(m_transmit_waiters); }

    const NetStats& stats() const { return m_stats; }

protected:
    void notify_receivable() { wake(m_receive_waiters); }
    void notify_transmittable() { wake(m_transmit_waiters); }
    bool has_receive_waiters() const { return !m_receive_waiters.empty(); }
    bool has_transmit_waiters() const { return !m_transmit_waiters.empty(); }

    NetStats m_stats;

private:
    static void wake(WaitList& list) {
        if (!list.empty()) {
            Scheduler::current().wake_all(list);
        }
    }

    WaitList m_receive_waiters;
    WaitList m_transmit_waiters;
};

}  // namespace oasis::dev
