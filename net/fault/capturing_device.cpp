// CapturingDevice: pass frames through and write what went each way.
#include "net/fault/capturing_device.hpp"

namespace oasis::net {

Result<std::size_t, dev::NetError> CapturingDevice::receive(PacketPool& pool,
                                                            std::span<Packet> frames) {
    follow_inner_receivable();
    const std::size_t count = TRY(inner().receive(pool, frames));
    const Instant now = Scheduler::current().now();
    for (const Packet& frame : frames.first(count)) {
        m_writer.write(now, frame->data());
        ++m_stats.received_frames;
        m_stats.received_bytes += frame->size();
    }
    return count;
}

Result<std::size_t, dev::NetError> CapturingDevice::transmit(std::span<Packet> frames) {
    m_transmit_copy.clear();
    m_transmit_ends.clear();
    for (const Packet& frame : frames) {
        ByteView bytes = frame->data();
        m_transmit_copy.insert(m_transmit_copy.end(), bytes.begin(), bytes.end());
        m_transmit_ends.push_back(m_transmit_copy.size());
    }
    const std::size_t taken = TRY(inner().transmit(frames));
    if (taken < frames.size()) {
        follow_inner_transmittable();
    }
    const Instant now = Scheduler::current().now();
    std::size_t start = 0;
    for (std::size_t index = 0; index < taken; ++index) {
        const std::size_t end = m_transmit_ends[index];
        m_writer.write(now, ByteView{std::span{m_transmit_copy}.subspan(start, end - start)});
        ++m_stats.transmitted_frames;
        m_stats.transmitted_bytes += end - start;
        start = end;
    }
    return taken;
}

}  // namespace oasis::net
