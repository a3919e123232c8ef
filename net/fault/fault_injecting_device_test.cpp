// Tests of FaultInjectingDevice on the virtual clock, over a scripted device and the simulated
// switch.
#include "net/fault/fault_injecting_device.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <memory>

#include "core/virtual_platform.hpp"
#include "net/fault/test_support.hpp"
#include "net/sim/simulated_switch.hpp"

namespace oasis::net {
namespace {

using namespace test_support;
using dev::MacAddress;

FaultSpec spec_of(std::string_view text) {
    auto spec = parse_fault_spec(text);
    EXPECT_TRUE(spec.has_value()) << text;
    return spec ? *spec : FaultSpec{};
}

class FaultInjectingDeviceTest : public ::testing::Test {
protected:
    // A switch with ports A and B; A's device is wrapped with `spec`, and
    // collectors listen on the wrapper and on B.
    void build(std::string_view spec, std::size_t held_frames = 256) {
        m_a = &m_switch.add_port(test_mac(1));
        m_b = &m_switch.add_port(test_mac(2));
        m_faulty = std::make_unique<FaultInjectingDevice>(*m_a, spec_of(spec), held_frames);
        m_scheduler.spawn(collect(m_faulty.get(), &m_pool, &m_at_a));
        m_scheduler.spawn(collect(m_b, &m_pool, &m_at_b));
    }

    VirtualPlatform m_platform;
    Scheduler m_scheduler{m_platform};
    PacketPool m_pool{64};
    SimulatedSwitch m_switch;
    SimulatedNetDevice* m_a = nullptr;
    SimulatedNetDevice* m_b = nullptr;
    std::unique_ptr<FaultInjectingDevice> m_faulty;
    std::vector<Arrival> m_at_a;
    std::vector<Arrival> m_at_b;
};

TEST_F(FaultInjectingDeviceTest, ATransparentSpecChangesNothing) {
    build("");
    EXPECT_EQ(m_faulty->mac(), test_mac(1));
    EXPECT_EQ(m_faulty->mtu(), 1500u);
    m_scheduler.spawn(send_series(m_faulty.get(), test_mac(2), 20, 1ms));
    m_scheduler.spawn(send_series(m_b, test_mac(1), 20, 1ms));
    m_scheduler.run_until_idle();
    ASSERT_EQ(m_at_b.size(), 20u);
    ASSERT_EQ(m_at_a.size(), 20u);
    for (std::uint16_t index = 0; index < 20; ++index) {
        EXPECT_EQ(m_at_b[index].bytes, make_frame(test_mac(2), test_mac(1), index));
        EXPECT_EQ(m_at_b[index].time, Instant{1ms * index});
        EXPECT_EQ(m_at_a[index].bytes, make_frame(test_mac(1), test_mac(2), index));
    }
    EXPECT_EQ(m_faulty->stats().transmitted_frames, 20u);
    EXPECT_EQ(m_faulty->stats().received_frames, 20u);
    EXPECT_EQ(m_faulty->stats().received_bytes, 20u * 60);
}

TEST_F(FaultInjectingDeviceTest, ReceiveLossLeavesTransmitAlone) {
    build("loss=100%,direction=rx");
    m_scheduler.spawn(send_series(m_faulty.get(), test_mac(2), 10, 1ms));
    m_scheduler.spawn(send_series(m_b, test_mac(1), 10, 1ms));
    m_scheduler.run_until_idle();
    EXPECT_TRUE(m_at_a.empty());
    EXPECT_EQ(m_at_b.size(), 10u);
    EXPECT_EQ(m_faulty->receive_faults().lost, 10u);
    EXPECT_EQ(m_faulty->transmit_faults().frames, 0u);
}

TEST_F(FaultInjectingDeviceTest, TransmitLossLeavesReceiveAlone) {
    build("loss=1,direction=tx");
    m_scheduler.spawn(send_series(m_faulty.get(), test_mac(2), 10, 1ms));
    m_scheduler.spawn(send_series(m_b, test_mac(1), 10, 1ms));
    m_scheduler.run_until_idle();
    EXPECT_EQ(m_at_a.size(), 10u);
    EXPECT_TRUE(m_at_b.empty());
    EXPECT_EQ(m_faulty->transmit_faults().lost, 10u);
}

TEST_F(FaultInjectingDeviceTest, TransmitDelayIsKeptByTheVirtualClock) {
    build("delay=5ms,direction=tx");
    EXPECT_EQ(send(*m_faulty, make_frame(test_mac(2), test_mac(1), 0)), 1u);
    EXPECT_EQ(m_faulty->held_transmits(), 1u);
    m_platform.advance(1ms);
    EXPECT_EQ(send(*m_faulty, make_frame(test_mac(2), test_mac(1), 1)), 1u);
    m_scheduler.run_until_idle();
    ASSERT_EQ(m_at_b.size(), 2u);
    EXPECT_EQ(m_at_b[0].time, Instant{5ms});
    EXPECT_EQ(m_at_b[1].time, Instant{6ms});
    EXPECT_EQ(sequences(m_at_b), (std::vector<std::uint16_t>{0, 1}));
    EXPECT_EQ(m_faulty->held_transmits(), 0u);
    EXPECT_EQ(m_scheduler.timer_count(), 0u);
}

TEST_F(FaultInjectingDeviceTest, ReceiveDelayWakesTheReceiverLate) {
    build("delay=3ms,jitter=0ms,direction=rx");
    m_scheduler.spawn(send_series(m_b, test_mac(1), 3, 10ms));
    m_scheduler.run_until_idle();
    ASSERT_EQ(m_at_a.size(), 3u);
    EXPECT_EQ(m_at_a[0].time, Instant{3ms});
    EXPECT_EQ(m_at_a[1].time, Instant{13ms});
    EXPECT_EQ(m_at_a[2].time, Instant{23ms});
}

TEST_F(FaultInjectingDeviceTest, DuplicationBothWays) {
    build("duplicate=1");
    send(*m_faulty, make_frame(test_mac(2), test_mac(1), 1));
    send(*m_b, make_frame(test_mac(1), test_mac(2), 2));
    m_scheduler.run_until_idle();
    EXPECT_EQ(sequences(m_at_b), (std::vector<std::uint16_t>{1, 1}));
    EXPECT_EQ(sequences(m_at_a), (std::vector<std::uint16_t>{2, 2}));
    EXPECT_EQ(m_faulty->transmit_faults().duplicated, 1u);
    EXPECT_EQ(m_faulty->receive_faults().duplicated, 1u);
}

int differing_bits(const std::vector<std::byte>& left, const std::vector<std::byte>& right) {
    int bits = 0;
    for (std::size_t index = 0; index < left.size(); ++index) {
        bits += std::popcount(std::to_integer<unsigned>(left[index] ^ right[index]));
    }
    return bits;
}

TEST_F(FaultInjectingDeviceTest, CorruptionFlipsOneBitEachWay) {
    // A delay too, so that the held copies are corrupted as well as the direct ones.
    build("corrupt=100%,duplicate=100%,reorder=50%,reorder_delay=1ms,seed=4");
    // Broadcast, so that a corrupted destination address still reaches B.
    std::vector<std::byte> sent = make_frame(MacAddress::broadcast(), test_mac(1), 1, 200);
    std::vector<std::byte> received = make_frame(test_mac(1), test_mac(2), 2, 200);
    send(*m_faulty, sent);
    send(*m_b, received);
    m_scheduler.run_until_idle();
    ASSERT_EQ(m_at_b.size(), 2u);
    ASSERT_EQ(m_at_a.size(), 2u);
    for (const Arrival& arrival : m_at_b) {
        EXPECT_EQ(differing_bits(arrival.bytes, sent), 1);
    }
    for (const Arrival& arrival : m_at_a) {
        EXPECT_EQ(differing_bits(arrival.bytes, received), 1);
    }
}

TEST_F(FaultInjectingDeviceTest, ReorderingOnTransmit) {
    build("reorder=0.3,reorder_delay=10ms,seed=8,direction=tx");
    m_scheduler.spawn(send_series(m_faulty.get(), test_mac(2), 100, 1ms));
    m_scheduler.run_until_idle();
    std::vector<std::uint16_t> order = sequences(m_at_b);
    ASSERT_EQ(order.size(), 100u);
    EXPECT_FALSE(std::is_sorted(order.begin(), order.end()));
    std::sort(order.begin(), order.end());
    EXPECT_EQ(std::adjacent_find(order.begin(), order.end()), order.end());
}

// What the wrapped A receives of 100 frames from B with 30% receive loss.
std::vector<std::uint16_t> lossy_receive(std::string_view spec) {
    VirtualPlatform platform;
    Scheduler scheduler{platform};
    PacketPool pool{16};
    SimulatedSwitch network;
    SimulatedNetDevice& a = network.add_port(test_mac(1));
    SimulatedNetDevice& b = network.add_port(test_mac(2));
    FaultInjectingDevice faulty{a, spec_of(spec)};
    std::vector<Arrival> arrivals;
    scheduler.spawn(collect(&faulty, &pool, &arrivals));
    scheduler.spawn(send_series(&b, test_mac(1), 100, 1ms));
    scheduler.run_until_idle();
    return sequences(arrivals);
}

TEST(FaultInjectingDeviceSeeds, TheSameSeedLosesTheSameFrames) {
    std::vector<std::uint16_t> first = lossy_receive("loss=30%,seed=5");
    EXPECT_EQ(first, lossy_receive("loss=30%,seed=5"));
    EXPECT_NE(first, lossy_receive("loss=30%,seed=6"));
    EXPECT_GT(first.size(), 50u);
    EXPECT_LT(first.size(), 90u);
}

TEST_F(FaultInjectingDeviceTest, AFullHoldingPoolDropsAndCounts) {
    build("delay=5ms,direction=tx", 2);
    for (std::uint16_t sequence = 0; sequence < 5; ++sequence) {
        EXPECT_EQ(send(*m_faulty, make_frame(test_mac(2), test_mac(1), sequence)), 1u);
    }
    EXPECT_EQ(m_faulty->held_transmits(), 2u);
    EXPECT_EQ(m_faulty->stats().transmit_dropped, 3u);
    m_scheduler.run_until_idle();
    EXPECT_EQ(sequences(m_at_b), (std::vector<std::uint16_t>{0, 1}));
}

class FaultOverScriptedDeviceTest : public ::testing::Test {
protected:
    VirtualPlatform m_platform;
    Scheduler m_scheduler{m_platform};
    PacketPool m_pool{16};
    ScriptedDevice m_inner{2};
    std::vector<std::vector<std::byte>> m_drained;
};

// Offers frames 0..count-1 to `device`, waiting whenever it refuses; notes
// when each was taken.
Task<void> send_all(dev::NetDevice* device, std::uint16_t count, std::vector<Instant>* taken_at) {
    for (std::uint16_t sequence = 0; sequence < count;) {
        if (send(*device, make_frame(test_mac(2), test_mac(1), sequence)) == 1) {
            taken_at->push_back(Scheduler::current().now());
            ++sequence;
        } else {
            co_await device->wait_transmittable();
        }
    }
}

// Drains `inner` every millisecond, `times` times.
Task<void> drain_every_millisecond(ScriptedDevice* inner,
                                   std::vector<std::vector<std::byte>>* drained, int times) {
    for (int round = 0; round < times; ++round) {
        co_await sleep_for(1ms);
        inner->drain(*drained);
    }
}

TEST_F(FaultOverScriptedDeviceTest, WithoutTransmitFaultsTheInnerDevicesBackPressureShows) {
    FaultInjectingDevice faulty{m_inner, spec_of("loss=100%,direction=rx")};
    std::vector<Instant> taken_at;
    m_scheduler.spawn(send_all(&faulty, 5, &taken_at));
    m_scheduler.spawn(drain_every_millisecond(&m_inner, &m_drained, 3));
    m_scheduler.run_until_idle();
    EXPECT_EQ(taken_at, (std::vector<Instant>{Instant{0ms}, Instant{0ms}, Instant{1ms},
                                              Instant{1ms}, Instant{2ms}}));
    m_inner.drain(m_drained);
    ASSERT_EQ(m_drained.size(), 5u);
    for (std::uint16_t index = 0; index < 5; ++index) {
        EXPECT_EQ(sequence_of(m_drained[index]), index);
    }
}

TEST_F(FaultOverScriptedDeviceTest, WithTransmitFaultsRefusedFramesWaitAndKeepTheirOrder) {
    // A fault so rare that it never happens here, so that the wrapper is in the path.
    FaultInjectingDevice faulty{m_inner, spec_of("corrupt=1ppm,seed=1,direction=tx")};
    for (std::uint16_t sequence = 0; sequence < 5; ++sequence) {
        EXPECT_EQ(send(faulty, make_frame(test_mac(2), test_mac(1), sequence)), 1u);
    }
    EXPECT_EQ(m_inner.sent().size(), 2u);
    EXPECT_EQ(faulty.held_transmits(), 3u);
    m_scheduler.spawn(drain_every_millisecond(&m_inner, &m_drained, 2));
    m_scheduler.run_until_idle();
    EXPECT_EQ(faulty.held_transmits(), 0u);
    m_inner.drain(m_drained);
    ASSERT_EQ(m_drained.size(), 5u);
    for (std::uint16_t index = 0; index < 5; ++index) {
        EXPECT_EQ(m_drained[index], make_frame(test_mac(2), test_mac(1), index));
    }
    EXPECT_EQ(faulty.stats().transmitted_frames, 5u);
}

TEST_F(FaultOverScriptedDeviceTest, TheInnerDevicesWakeUpsReachTheWrappersWaiters) {
    FaultInjectingDevice faulty{m_inner, spec_of("delay=2ms,direction=rx")};
    std::vector<Arrival> arrivals;
    m_scheduler.spawn(collect(&faulty, &m_pool, &arrivals));
    m_scheduler.run_until_idle();  // the collector is waiting now
    m_platform.advance(10ms);
    m_inner.inject(make_frame(test_mac(1), test_mac(2), 1));
    m_scheduler.run_until_idle();
    ASSERT_EQ(arrivals.size(), 1u);
    EXPECT_EQ(arrivals[0].time, Instant{12ms});
    EXPECT_EQ(faulty.held_receives(), 0u);
}

}  // namespace
}  // namespace oasis::net
