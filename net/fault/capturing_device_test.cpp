// Tests of CapturingDevice: both directions captured, stamped with the scheduler's clock, once
// each.
#include "net/fault/capturing_device.hpp"

#include <gtest/gtest.h>

#include "core/virtual_platform.hpp"
#include "net/fault/test_support.hpp"

namespace oasis::net {
namespace {

using namespace test_support;

struct Record {
    std::uint32_t seconds = 0;
    std::uint32_t nanoseconds = 0;
    std::vector<std::byte> frame;
    friend bool operator==(const Record&, const Record&) = default;
};

std::vector<Record> records_of(ByteView capture) {
    std::vector<Record> records;
    std::size_t offset = PcapWriter::file_header_size;
    while (offset < capture.size()) {
        const std::uint32_t length = capture.read_u32_le(offset + 8).value();
        ByteView frame = capture.slice(offset + PcapWriter::record_header_size, length).value();
        records.push_back({capture.read_u32_le(offset).value(),
                           capture.read_u32_le(offset + 4).value(),
                           {frame.begin(), frame.end()}});
        offset += PcapWriter::record_header_size + length;
    }
    EXPECT_EQ(offset, capture.size());
    return records;
}

class CapturingDeviceTest : public ::testing::Test {
protected:
    VirtualPlatform m_platform;
    Scheduler m_scheduler{m_platform};
    PacketPool m_pool{16};
    MemoryPcapSink m_sink;
    PcapWriter m_writer{m_sink, PcapOptions{.boot_time = WallTime{1'000'000'000'000'000'000}}};
};

TEST_F(CapturingDeviceTest, WritesBothDirectionsWithTheirTimes) {
    ScriptedDevice inner;
    CapturingDevice capturing{inner, m_writer};
    EXPECT_EQ(capturing.mac(), inner.mac());
    std::vector<Arrival> arrivals;
    m_scheduler.spawn(collect(&capturing, &m_pool, &arrivals));
    m_scheduler.run_until_idle();

    const std::vector<std::byte> incoming = make_frame(test_mac(0x42), test_mac(7), 1);
    const std::vector<std::byte> outgoing = make_frame(test_mac(7), test_mac(0x42), 2, 300);
    m_platform.advance(2ms);
    inner.inject(incoming);
    m_scheduler.run_until_idle();
    m_platform.advance(1ms);
    EXPECT_EQ(send(capturing, outgoing), 1u);

    ASSERT_EQ(arrivals.size(), 1u);
    EXPECT_EQ(arrivals[0].bytes, incoming);
    EXPECT_EQ(inner.sent(), std::vector<std::vector<std::byte>>{outgoing});
    EXPECT_EQ(records_of(m_sink.bytes()),
              (std::vector<Record>{{1'000'000'000, 2'000'000, incoming},
                                   {1'000'000'000, 3'000'000, outgoing}}));
    EXPECT_EQ(capturing.stats().received_frames, 1u);
    EXPECT_EQ(capturing.stats().transmitted_bytes, outgoing.size());
}

TEST_F(CapturingDeviceTest, AFrameOfferedAgainAfterARefusalIsWrittenOnce) {
    ScriptedDevice inner{1};
    CapturingDevice capturing{inner, m_writer};
    std::array<Packet, 2> batch{Packet::copy_of(ByteView{make_frame(test_mac(7), test_mac(1), 1)}),
                                Packet::copy_of(ByteView{make_frame(test_mac(7), test_mac(1), 2)})};
    EXPECT_EQ(capturing.transmit(batch).value(), 1u);
    EXPECT_EQ(m_writer.frames_written(), 1u);
    std::vector<std::vector<std::byte>> drained;
    inner.drain(drained);
    EXPECT_EQ(capturing.transmit(std::span{batch}.subspan(1)).value(), 1u);
    std::vector<Record> records = records_of(m_sink.bytes());
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(sequence_of(records[0].frame), 1u);
    EXPECT_EQ(sequence_of(records[1].frame), 2u);
}

// Offers frames 1 and 2 to `device`, waiting whenever it refuses one.
Task<void> send_two(dev::NetDevice* device, bool* done) {
    for (std::uint16_t sequence = 1; sequence <= 2;) {
        if (send(*device, make_frame(test_mac(7), test_mac(1), sequence)) == 1) {
            ++sequence;
        } else {
            co_await device->wait_transmittable();
        }
    }
    *done = true;
}

TEST_F(CapturingDeviceTest, TheWrappersTransmitWaitersAreWokenByTheInnerDevice) {
    ScriptedDevice inner{1};
    CapturingDevice capturing{inner, m_writer};
    bool sent_both = false;
    m_scheduler.spawn(send_two(&capturing, &sent_both));
    m_scheduler.run_until_idle();
    EXPECT_FALSE(sent_both);
    std::vector<std::vector<std::byte>> drained;
    inner.drain(drained);
    m_scheduler.run_until_idle();
    EXPECT_TRUE(sent_both);
    EXPECT_EQ(m_writer.frames_written(), 2u);
}

}  // namespace
}  // namespace oasis::net
