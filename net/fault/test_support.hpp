// Test support for net/fault and net/sim: a scripted device, test frames, a collecting task.
#pragma once

#include <array>
#include <deque>
#include <vector>

#include "core/scheduler.hpp"
#include "dev/net.hpp"
#include "net/fault/packet_copy.hpp"

namespace oasis::net::test_support {

inline dev::MacAddress test_mac(std::uint8_t last) {
    return dev::MacAddress{{0x02, 0x00, 0x00, 0x00, 0x00, last}};
}

// An Ethernet II frame of the local experimental EtherType 0x88b5 (IEEE
// 802), whose payload starts with a big-endian sequence number.
inline std::vector<std::byte> make_frame(dev::MacAddress destination, dev::MacAddress source,
                                         std::uint16_t sequence, std::size_t payload_size = 46) {
    std::vector<std::byte> frame(dev::NetDevice::ethernet_header_size + payload_size);
    MutableByteView view{frame};
    (void)view.copy_from(0, as_bytes(destination.octets));
    (void)view.copy_from(6, as_bytes(source.octets));
    (void)view.write_u16_be(12, 0x88b5);
    (void)view.write_u16_be(14, sequence);
    for (std::size_t index = 16; index < frame.size(); ++index) {
        frame[index] = static_cast<std::byte>(index);
    }
    return frame;
}

inline std::uint16_t sequence_of(const std::vector<std::byte>& frame) {
    return ByteView{frame}.read_u16_be(14).value_or(0xffff);
}

// Offers one frame to `device`; returns how many it took.
inline std::size_t send(dev::NetDevice& device, const std::vector<std::byte>& frame) {
    std::array<Packet, 1> batch{Packet::copy_of(ByteView{frame})};
    return device.transmit(batch).value();
}

struct Arrival {
    Instant time;
    std::vector<std::byte> bytes;
    friend bool operator==(const Arrival&, const Arrival&) = default;
};

inline std::vector<std::uint16_t> sequences(const std::vector<Arrival>& arrivals) {
    std::vector<std::uint16_t> out;
    for (const Arrival& arrival : arrivals) {
        out.push_back(sequence_of(arrival.bytes));
    }
    return out;
}

// Receives from `device` for ever, noting each frame and when it came; it
// waits on the device between frames.
inline Task<void> collect(dev::NetDevice* device, PacketPool* pool,
                          std::vector<Arrival>* arrivals) {
    std::array<Packet, 8> batch;
    for (;;) {
        auto received = device->receive(*pool, batch);
        OASIS_ASSERT(received.has_value());
        if (*received == 0) {
            co_await device->wait_receivable();
            continue;
        }
        for (std::size_t index = 0; index < *received; ++index) {
            ByteView bytes = batch[index]->data();
            arrivals->push_back({Scheduler::current().now(), {bytes.begin(), bytes.end()}});
            batch[index].reset();
        }
    }
}

// Sends `count` frames from `from` to `to`, numbered from 0, `gap` apart.
inline Task<void> send_series(dev::NetDevice* from, dev::MacAddress to, std::uint16_t count,
                              Duration gap) {
    for (std::uint16_t sequence = 0; sequence < count; ++sequence) {
        send(*from, make_frame(to, from->mac(), sequence));
        co_await sleep_for(gap);
    }
}

// Frames the test injects come out of receive(); transmit() takes frames
// until `capacity` are waiting in sent(), then refuses until drain().
// Both inject() and drain() wake waiters, as a platform's poll would.
class ScriptedDevice final : public dev::NetDevice {
public:
    explicit ScriptedDevice(std::size_t capacity = 1000) : m_capacity(capacity) {}

    dev::MacAddress mac() const override { return {{0x02, 0x00, 0x00, 0x00, 0x00, 0x42}}; }
    std::size_t mtu() const override { return 1500; }

    Result<std::size_t, dev::NetError> receive(PacketPool& pool,
                                               std::span<Packet> frames) override {
        std::size_t count = 0;
        while (count < frames.size() && !m_incoming.empty()) {
            std::optional<Packet> packet = copy_to_pool(pool, ByteView{m_incoming.front()});
            if (!packet) {
                break;
            }
            frames[count++] = std::move(*packet);
            m_incoming.pop_front();
        }
        return count;
    }

    Result<std::size_t, dev::NetError> transmit(std::span<Packet> frames) override {
        std::size_t taken = 0;
        while (taken < frames.size() && m_sent.size() < m_capacity) {
            ByteView bytes = frames[taken]->data();
            m_sent.emplace_back(bytes.begin(), bytes.end());
            frames[taken++].reset();
        }
        return taken;
    }

    void inject(std::vector<std::byte> frame) {
        m_incoming.push_back(std::move(frame));
        notify_receivable();
    }
    // Empties sent() into `out` and makes room again.
    void drain(std::vector<std::vector<std::byte>>& out) {
        out.insert(out.end(), m_sent.begin(), m_sent.end());
        m_sent.clear();
        notify_transmittable();
    }
    const std::vector<std::vector<std::byte>>& sent() const { return m_sent; }

private:
    std::size_t m_capacity;
    std::deque<std::vector<std::byte>> m_incoming;
    std::vector<std::vector<std::byte>> m_sent;
};

}  // namespace oasis::net::test_support
