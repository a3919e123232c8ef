// CapturingDevice: wraps any NetDevice and writes every frame, both ways, to a pcap capture.
#pragma once

#include <cstddef>
#include <vector>

#include "net/fault/device_wrapper.hpp"
#include "net/pcap/pcap_writer.hpp"

namespace oasis::net {

// What `--pcap=FILE` puts between the stack and its device. Frames are
// stamped with the scheduler's clock (the writer's boot_time turns that into
// wall-clock time). Received frames are written as the inner device hands
// them over; transmitted ones once the inner device has taken them, so a
// frame it refuses and the caller offers again is written once.
//
// Contract: receive() and transmit() run inside a live Scheduler. The inner
// device and the writer must outlive the wrapper.
class CapturingDevice final : public NetDeviceWrapper {
public:
    CapturingDevice(dev::NetDevice& inner, PcapWriter& writer)
        : NetDeviceWrapper(inner), m_writer(writer) {}

    Result<std::size_t, dev::NetError> receive(PacketPool& pool, std::span<Packet> frames) override;
    Result<std::size_t, dev::NetError> transmit(std::span<Packet> frames) override;

private:
    PcapWriter& m_writer;
    // The bytes of the frames offered to transmit(), kept until the inner
    // device says how many it took (it releases the packets it takes).
    std::vector<std::byte> m_transmit_copy;
    std::vector<std::size_t> m_transmit_ends;
};

}  // namespace oasis::net
