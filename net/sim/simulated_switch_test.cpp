// Tests of SimulatedSwitch on the virtual clock: learning, flooding, every fault, capture,
// deadlocks.
#include "net/sim/simulated_switch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>
#include <vector>

#include "core/virtual_platform.hpp"
#include "net/fault/test_support.hpp"

namespace oasis::net {
namespace {

using dev::MacAddress;
using namespace test_support;

MacAddress mac(std::uint8_t last) {
    return test_mac(last);
}

class SimulatedSwitchTest : public ::testing::Test {
protected:
    // Two ports, A (02:..:01) and B (02:..:02), with collectors on both.
    void connect_two(SwitchOptions options = {}, PortOptions a = {}, PortOptions b = {}) {
        m_switch = std::make_unique<SimulatedSwitch>(options);
        m_a = &m_switch->add_port(mac(1), a);
        m_b = &m_switch->add_port(mac(2), b);
        m_scheduler.spawn(collect(m_a, &m_pool, &m_at_a));
        m_scheduler.spawn(collect(m_b, &m_pool, &m_at_b));
    }

    // Sends a series from A to B, runs until everything has arrived, and
    // returns all that B has received so far.
    std::vector<Arrival> series_a_to_b(std::uint16_t count, Duration gap = 1ms) {
        m_scheduler.spawn(send_series(m_a, mac(2), count, gap));
        m_scheduler.run_until_idle();
        return m_at_b;
    }

    VirtualPlatform m_platform;
    Scheduler m_scheduler{m_platform};
    PacketPool m_pool{64};
    std::unique_ptr<SimulatedSwitch> m_switch;
    SimulatedNetDevice* m_a = nullptr;
    SimulatedNetDevice* m_b = nullptr;
    std::vector<Arrival> m_at_a;
    std::vector<Arrival> m_at_b;
};

TEST_F(SimulatedSwitchTest, TwoDevicesExchangeFrames) {
    connect_two();
    EXPECT_EQ(m_a->mac(), mac(1));
    EXPECT_EQ(m_b->mtu(), 1500u);

    const std::vector<std::byte> hello = make_frame(mac(2), mac(1), 7);
    const std::vector<std::byte> reply = make_frame(mac(1), mac(2), 8, 1000);
    send(*m_a, hello);
    m_scheduler.run_until_idle();
    send(*m_b, reply);
    m_scheduler.run_until_idle();

    ASSERT_EQ(m_at_b.size(), 1u);
    EXPECT_EQ(m_at_b[0].bytes, hello);
    ASSERT_EQ(m_at_a.size(), 1u);
    EXPECT_EQ(m_at_a[0].bytes, reply);
    EXPECT_EQ(m_at_a[0].time, Instant{0ms});  // no delay configured

    // B was unknown when A sent (flooded); A had been learned when B replied.
    EXPECT_EQ(m_switch->stats().flooded, 1u);
    EXPECT_EQ(m_switch->stats().unicast, 1u);
    EXPECT_EQ(m_switch->learned_port(mac(1)), 0u);
    EXPECT_EQ(m_switch->learned_port(mac(2)), 1u);
    EXPECT_EQ(m_switch->learned_port(mac(3)), std::nullopt);
    EXPECT_EQ(m_a->stats().transmitted_frames, 1u);
    EXPECT_EQ(m_a->stats().received_frames, 1u);
    EXPECT_EQ(m_a->stats().received_bytes, reply.size());
    EXPECT_EQ(m_switch->stats().delivered, 2u);
}

TEST_F(SimulatedSwitchTest, BroadcastAndUnknownDestinationsFlood) {
    connect_two();
    SimulatedNetDevice& c = m_switch->add_port(mac(3));
    std::vector<Arrival> at_c;
    m_scheduler.spawn(collect(&c, &m_pool, &at_c));

    send(*m_a, make_frame(MacAddress::broadcast(), mac(1), 1));
    m_scheduler.run_until_idle();
    EXPECT_EQ(m_at_a.size(), 0u);  // never back to the sender
    EXPECT_EQ(m_at_b.size(), 1u);
    EXPECT_EQ(at_c.size(), 1u);

    send(*m_a, make_frame(mac(9), mac(1), 2));  // nobody has sent from 02:..:09
    m_scheduler.run_until_idle();
    EXPECT_EQ(m_at_b.size(), 2u);
    EXPECT_EQ(at_c.size(), 2u);

    send(*m_a, make_frame(mac(3), mac(1), 3));  // C has not sent yet: flooded
    send(c, make_frame(mac(1), mac(3), 4));     // A is known: A alone
    send(*m_a, make_frame(mac(3), mac(1), 5));  // C is known now: C alone
    m_scheduler.run_until_idle();
    EXPECT_EQ(sequences(m_at_b), (std::vector<std::uint16_t>{1, 2, 3}));
    EXPECT_EQ(sequences(at_c), (std::vector<std::uint16_t>{1, 2, 3, 5}));
    EXPECT_EQ(sequences(m_at_a), (std::vector<std::uint16_t>{4}));
    EXPECT_EQ(m_switch->stats().flooded, 3u);
    EXPECT_EQ(m_switch->stats().unicast, 2u);
}

TEST_F(SimulatedSwitchTest, FramesToTheirOwnPortAreFiltered) {
    connect_two();
    send(*m_a, make_frame(mac(2), mac(1), 1));
    m_scheduler.run_until_idle();
    // A claims to be 02:..:02 for a moment, then sends to it: it lives on A's port now.
    send(*m_a, make_frame(mac(5), mac(2), 2));
    send(*m_a, make_frame(mac(2), mac(1), 3));
    m_scheduler.run_until_idle();
    EXPECT_EQ(sequences(m_at_b), (std::vector<std::uint16_t>{1, 2}));
    EXPECT_EQ(m_switch->stats().dropped_same_port, 1u);
}

TEST_F(SimulatedSwitchTest, CertainLossDropsEverythingAndNoLossNothing) {
    connect_two(SwitchOptions{.faults = FaultSpec{.loss_ppm = parts_per_million}});
    EXPECT_TRUE(series_a_to_b(100).empty());
    EXPECT_EQ(m_switch->stats().lost, 100u);
    EXPECT_EQ(m_switch->switch_faults().lost, 100u);

    m_at_b.clear();
    connect_two(SwitchOptions{.faults = FaultSpec{.loss_ppm = 0}});
    std::vector<Arrival> arrivals = series_a_to_b(100);
    EXPECT_EQ(arrivals.size(), 100u);
    EXPECT_EQ(m_switch->stats().lost, 0u);
}

// The sequence numbers B receives from 200 frames over a lossy switch.
std::vector<std::uint16_t> lossy_run(std::uint64_t seed) {
    VirtualPlatform platform;
    Scheduler scheduler{platform};
    PacketPool pool{16};
    SimulatedSwitch network{SwitchOptions{.faults = FaultSpec{.loss_ppm = 300'000, .seed = seed}}};
    SimulatedNetDevice& a = network.add_port(mac(1));
    SimulatedNetDevice& b = network.add_port(mac(2));
    std::vector<Arrival> arrivals;
    scheduler.spawn(collect(&b, &pool, &arrivals));
    scheduler.spawn(send_series(&a, mac(2), 200, 1ms));
    scheduler.run_until_idle();
    return sequences(arrivals);
}

TEST(SimulatedSwitchSeeds, TheSameSeedLosesTheSameFrames) {
    std::vector<std::uint16_t> first = lossy_run(11);
    EXPECT_EQ(first, lossy_run(11));
    EXPECT_NE(first, lossy_run(12));
    // 30% of 200: 60 lost, give or take five standard deviations (6.5).
    EXPECT_GT(first.size(), 107u);
    EXPECT_LT(first.size(), 173u);
    EXPECT_TRUE(std::is_sorted(first.begin(), first.end()));
}

TEST_F(SimulatedSwitchTest, DuplicationIsObservable) {
    connect_two(SwitchOptions{.faults = FaultSpec{.duplicate_ppm = parts_per_million}});
    std::vector<Arrival> arrivals = series_a_to_b(10);
    ASSERT_EQ(arrivals.size(), 20u);
    for (std::size_t index = 0; index < arrivals.size(); index += 2) {
        EXPECT_EQ(arrivals[index].bytes, arrivals[index + 1].bytes);
        EXPECT_EQ(sequence_of(arrivals[index].bytes), index / 2);
    }
    EXPECT_EQ(m_switch->switch_faults().duplicated, 10u);
}

TEST_F(SimulatedSwitchTest, ReorderingIsObservableAndLosesNothing) {
    connect_two(SwitchOptions{
        .faults = FaultSpec{.reorder_ppm = 300'000, .reorder_delay = 10ms, .seed = 5}});
    std::vector<std::uint16_t> received = sequences(series_a_to_b(100));
    ASSERT_EQ(received.size(), 100u);
    EXPECT_FALSE(std::is_sorted(received.begin(), received.end()));
    std::sort(received.begin(), received.end());
    for (std::uint16_t index = 0; index < 100; ++index) {
        EXPECT_EQ(received[index], index);
    }
    EXPECT_GT(m_switch->switch_faults().reordered, 0u);
}

TEST_F(SimulatedSwitchTest, DelayIsKeptByTheVirtualClock) {
    connect_two(SwitchOptions{.faults = FaultSpec{.delay = 5ms}});
    send(*m_a, make_frame(mac(2), mac(1), 0));
    EXPECT_EQ(m_switch->frames_in_flight(), 1u);
    EXPECT_EQ(m_b->pending_frames(), 0u);
    m_platform.advance(2ms);
    send(*m_a, make_frame(mac(2), mac(1), 1));
    m_scheduler.run_until_idle();
    ASSERT_EQ(m_at_b.size(), 2u);
    EXPECT_EQ(m_at_b[0].time, Instant{5ms});
    EXPECT_EQ(m_at_b[1].time, Instant{7ms});
    EXPECT_EQ(m_switch->frames_in_flight(), 0u);
    EXPECT_EQ(m_scheduler.timer_count(), 0u);  // nothing in flight, no timer
}

TEST_F(SimulatedSwitchTest, JitterStaysAroundTheDelay) {
    connect_two(SwitchOptions{.faults = FaultSpec{.delay = 5ms, .jitter = 1ms, .seed = 3}});
    std::vector<Arrival> arrivals = series_a_to_b(50, 10ms);
    ASSERT_EQ(arrivals.size(), 50u);
    std::set<Duration> latencies;
    for (const Arrival& arrival : arrivals) {
        Duration latency = arrival.time - Instant{10ms * sequence_of(arrival.bytes)};
        EXPECT_GE(latency, 4ms);
        EXPECT_LE(latency, 6ms);
        latencies.insert(latency);
    }
    EXPECT_GT(latencies.size(), 40u);
}

TEST_F(SimulatedSwitchTest, CorruptionFlipsExactlyOneBit) {
    connect_two(SwitchOptions{.faults = FaultSpec{.corrupt_ppm = parts_per_million, .seed = 9}});
    std::vector<Arrival> arrivals = series_a_to_b(20);
    ASSERT_EQ(arrivals.size(), 20u);
    std::set<std::size_t> positions;
    for (std::size_t index = 0; index < arrivals.size(); ++index) {
        const std::vector<std::byte> sent =
            make_frame(mac(2), mac(1), static_cast<std::uint16_t>(index));
        const std::vector<std::byte>& got = arrivals[index].bytes;
        ASSERT_EQ(got.size(), sent.size());
        int differing_bits = 0;
        for (std::size_t offset = 0; offset < sent.size(); ++offset) {
            int bits = std::popcount(std::to_integer<unsigned>(sent[offset] ^ got[offset]));
            differing_bits += bits;
            if (bits != 0) {
                positions.insert(offset);
            }
        }
        EXPECT_EQ(differing_bits, 1) << "frame " << index;
    }
    EXPECT_GT(positions.size(), 10u);  // anywhere in the frame, the header too
}

TEST_F(SimulatedSwitchTest, LinkFaultsHitOnlyTheirPortsFrames) {
    connect_two(SwitchOptions{}, PortOptions{.faults = FaultSpec{.loss_ppm = parts_per_million}});
    send(*m_a, make_frame(mac(2), mac(1), 1));
    send(*m_b, make_frame(mac(1), mac(2), 2));
    m_scheduler.run_until_idle();
    EXPECT_TRUE(m_at_b.empty());
    EXPECT_EQ(sequences(m_at_a), std::vector<std::uint16_t>{2});
    EXPECT_EQ(m_a->link_faults().lost, 1u);
    EXPECT_EQ(m_b->link_faults().lost, 0u);
}

TEST_F(SimulatedSwitchTest, LinkAndSwitchDelaysAdd) {
    connect_two(SwitchOptions{.faults = FaultSpec{.delay = 3ms}},
                PortOptions{.faults = FaultSpec{.delay = 2ms}});
    send(*m_a, make_frame(mac(2), mac(1), 1));
    m_scheduler.run_until_idle();
    ASSERT_EQ(m_at_b.size(), 1u);
    EXPECT_EQ(m_at_b[0].time, Instant{5ms});
}

TEST_F(SimulatedSwitchTest, FramesLongerThanTheMtuAreDropped) {
    connect_two(SwitchOptions{}, PortOptions{}, PortOptions{.mtu = 100});
    std::vector<std::byte> too_big_for_b = make_frame(mac(2), mac(1), 1, 200);
    std::vector<std::byte> too_big_for_a = make_frame(mac(2), mac(1), 2, 1501);
    std::vector<std::byte> fits = make_frame(mac(2), mac(1), 3, 100);
    send(*m_a, too_big_for_b);
    send(*m_a, too_big_for_a);
    send(*m_a, fits);
    m_scheduler.run_until_idle();
    EXPECT_EQ(sequences(m_at_b), std::vector<std::uint16_t>{3});
    EXPECT_EQ(m_a->stats().transmit_dropped, 1u);
    EXPECT_EQ(m_b->stats().receive_dropped, 1u);
}

TEST_F(SimulatedSwitchTest, RuntsAreDroppedAndCounted) {
    connect_two();
    std::vector<std::byte> runt(13, std::byte{0xff});
    send(*m_a, runt);
    m_scheduler.run_until_idle();
    EXPECT_TRUE(m_at_b.empty());
    EXPECT_EQ(m_switch->stats().dropped_runt, 1u);
}

TEST_F(SimulatedSwitchTest, ADryPoolLeavesFramesQueued) {
    m_switch = std::make_unique<SimulatedSwitch>();
    SimulatedNetDevice& a = m_switch->add_port(mac(1));
    SimulatedNetDevice& b = m_switch->add_port(mac(2));
    send(a, make_frame(mac(2), mac(1), 1));
    send(a, make_frame(mac(2), mac(1), 2));
    PacketPool tiny{1};
    std::array<Packet, 4> batch;
    EXPECT_EQ(b.receive(tiny, batch).value(), 1u);
    EXPECT_EQ(b.pending_frames(), 1u);
    batch[0].reset();
    EXPECT_EQ(b.receive(tiny, batch).value(), 1u);
    EXPECT_EQ(b.pending_frames(), 0u);
    EXPECT_EQ(b.receive(tiny, batch).value(), 0u);
}

TEST_F(SimulatedSwitchTest, AFullReceiveQueueDropsAndCounts) {
    connect_two(SwitchOptions{}, PortOptions{}, PortOptions{.receive_queue_limit = 3});
    for (std::uint16_t sequence = 0; sequence < 5; ++sequence) {
        send(*m_a, make_frame(mac(2), mac(1), sequence));  // B's collector has not run yet
    }
    m_scheduler.run_until_idle();
    EXPECT_EQ(sequences(m_at_b), (std::vector<std::uint16_t>{0, 1, 2}));
    EXPECT_EQ(m_b->stats().receive_dropped, 2u);
}

// Reads the record headers of a classic pcap capture: (seconds, nanoseconds, length).
std::vector<std::array<std::uint32_t, 3>> records_of(ByteView capture) {
    std::vector<std::array<std::uint32_t, 3>> records;
    std::size_t offset = PcapWriter::file_header_size;
    while (offset < capture.size()) {
        std::uint32_t length = capture.read_u32_le(offset + 8).value();
        records.push_back(
            {capture.read_u32_le(offset).value(), capture.read_u32_le(offset + 4).value(), length});
        offset += PcapWriter::record_header_size + length;
    }
    EXPECT_EQ(offset, capture.size());
    return records;
}

TEST_F(SimulatedSwitchTest, CaptureShowsDeliveredFramesAtTheirArrival) {
    connect_two(SwitchOptions{.faults = FaultSpec{.delay = 1500ms}});
    MemoryPcapSink sink;
    PcapWriter writer{sink};
    m_switch->capture_to(writer);
    send(*m_a, make_frame(MacAddress::broadcast(), mac(1), 1));  // flooded: written once
    send(*m_a, make_frame(mac(2), mac(1), 2, 100));
    m_scheduler.run_until_idle();
    EXPECT_EQ(writer.frames_written(), 2u);
    auto records = records_of(sink.bytes());
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0], (std::array<std::uint32_t, 3>{1, 500'000'000, 60}));
    EXPECT_EQ(records[1], (std::array<std::uint32_t, 3>{1, 500'000'000, 114}));
}

TEST_F(SimulatedSwitchTest, CaptureOfSentFramesShowsLostOnes) {
    connect_two(SwitchOptions{.faults = FaultSpec{.loss_ppm = parts_per_million}});
    MemoryPcapSink sink;
    PcapWriter writer{sink};
    m_switch->capture_to(writer, CapturePoint::sent);
    series_a_to_b(3);
    EXPECT_EQ(writer.frames_written(), 3u);
    EXPECT_EQ(records_of(sink.bytes()).size(), 3u);
    m_switch->stop_capture();
    series_a_to_b(3);
    EXPECT_EQ(writer.frames_written(), 3u);
}

// Everything at once, twice: the whole trace must repeat exactly.
std::vector<Arrival> chaotic_run() {
    VirtualPlatform platform;
    Scheduler scheduler{platform};
    PacketPool pool{32};
    SimulatedSwitch network{SwitchOptions{.faults = FaultSpec{.loss_ppm = 100'000,
                                                              .duplicate_ppm = 100'000,
                                                              .reorder_ppm = 100'000,
                                                              .corrupt_ppm = 100'000,
                                                              .delay = 2ms,
                                                              .jitter = 1ms,
                                                              .seed = 77}}};
    SimulatedNetDevice& a =
        network.add_port(mac(1), PortOptions{.faults = FaultSpec{.loss_ppm = 50'000, .seed = 78}});
    SimulatedNetDevice& b = network.add_port(mac(2));
    std::vector<Arrival> arrivals;
    scheduler.spawn(collect(&a, &pool, &arrivals));
    scheduler.spawn(collect(&b, &pool, &arrivals));
    scheduler.spawn(send_series(&a, mac(2), 300, 100us));
    scheduler.spawn(send_series(&b, mac(1), 300, 130us));
    scheduler.run_until_idle();
    return arrivals;
}

TEST(SimulatedSwitchSeeds, AWholeFaultyRunRepeatsExactly) {
    std::vector<Arrival> first = chaotic_run();
    EXPECT_GT(first.size(), 400u);
    EXPECT_EQ(first, chaotic_run());
}

// Waits for one frame on `device` and returns the time it came.
Task<int> await_one_frame(dev::NetDevice* device, PacketPool* pool, Instant* arrival) {
    std::array<Packet, 1> batch;
    while (device->receive(*pool, batch).value() == 0) {
        co_await device->wait_receivable();
    }
    *arrival = Scheduler::current().now();
    co_return 0;
}

TEST_F(SimulatedSwitchTest, AFrameInFlightKeepsTheSchedulerWaitingForIt) {
    connect_two(SwitchOptions{.faults = FaultSpec{.delay = 40ms}});
    PacketPool pool{4};
    SimulatedNetDevice& c = m_switch->add_port(mac(3));
    send(*m_a, make_frame(mac(3), mac(1), 1));
    Instant arrival{};
    EXPECT_EQ(m_scheduler.run(await_one_frame(&c, &pool, &arrival)), 0);
    EXPECT_EQ(arrival, Instant{40ms});
}

TEST(SimulatedSwitchDeathTest, WaitingForAFrameNobodySendsIsADeadlock) {
    EXPECT_DEATH(
        {
            VirtualPlatform platform;
            Scheduler scheduler{platform};
            PacketPool pool{4};
            SimulatedSwitch network;
            SimulatedNetDevice& a = network.add_port(mac(1));
            network.add_port(mac(2));
            Instant arrival{};
            (void)scheduler.run(await_one_frame(&a, &pool, &arrival));
        },
        "");
}

}  // namespace
}  // namespace oasis::net
