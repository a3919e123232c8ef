// Tests of the Stack on a simulated network with a virtual clock: ARP, ping, UDP, ICMP errors,
// fragments.
#include "net/stack.hpp"
#include "core/testing/run.hpp"
#include "core/testing/seed.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

#include "core/timeout.hpp"
#include "core/virtual_platform.hpp"
#include "net/fault/test_support.hpp"
#include "net/ipv4/fragmentation.hpp"
#include "net/sim/simulated_switch.hpp"
#include "net/wire/arp.hpp"
#include "net/wire/ethernet.hpp"
#include "net/wire/udp.hpp"

namespace oasis::net {
namespace {

using testing::seed;

using namespace std::chrono_literals;
using test_support::Arrival;
using test_support::test_mac;

constexpr Ipv4Address address_a = Ipv4Address::from_octets(10, 0, 0, 1);
constexpr Ipv4Address address_b = Ipv4Address::from_octets(10, 0, 0, 2);
constexpr Ipv4Address address_raw = Ipv4Address::from_octets(10, 0, 0, 9);

std::vector<std::byte> pattern(std::size_t size) {
    std::vector<std::byte> bytes(size);
    for (std::size_t index = 0; index < size; ++index) {
        bytes[index] = static_cast<std::byte>((index * 7 + index / 251) & 0xff);
    }
    return bytes;
}

std::vector<std::byte> text(std::string_view value) {
    const ByteView bytes = as_bytes(value);
    return {bytes.begin(), bytes.end()};
}

template <typename T>
Task<void> store(Task<T> task, std::optional<T>* out) {
    out->emplace(co_await std::move(task));
}

// Answers `count` datagrams on `socket` by sending each back to its sender.
Task<void> echo(UdpSocket* socket, int count) {
    for (int index = 0; index < count; ++index) {
        auto received = co_await socket->receive();
        if (!received) {
            continue;
        }
        (void)co_await socket->send_to(received->source, received->source_port,
                                       ByteView{received->payload});
    }
}

// Sends `payload` from `socket` and waits (up to 5 s) for the next datagram or error.
Task<Result<UdpReceived, UdpError>> exchange(UdpSocket* socket, Ipv4Address to, std::uint16_t port,
                                             std::vector<std::byte> payload) {
    auto sent = co_await socket->send_to(to, port, ByteView{payload});
    if (!sent) {
        co_return Error{sent.error()};
    }
    auto received = co_await with_timeout(5s, socket->receive());
    if (!received) {
        co_return Error{UdpError::closed};
    }
    co_return std::move(*received);
}

Task<int> pause(Duration duration) {
    co_await sleep_for(duration);
    co_return 0;
}

// Sends `count` datagrams at once; returns how many were accepted.
Task<int> send_many(UdpSocket* socket, Ipv4Address to, std::uint16_t port, int count) {
    const std::vector<std::byte> payload = text("knock");
    int sent = 0;
    for (int index = 0; index < count; ++index) {
        if (co_await socket->send_to(to, port, ByteView{payload})) {
            ++sent;
        }
    }
    co_return sent;
}

// A device that takes at most `per_call` frames per transmit() and never
// says when it has room again: the stack must retry on its own.
class ThrottledDevice final : public dev::NetDevice {
public:
    ThrottledDevice(dev::NetDevice& inner, std::size_t per_call)
        : m_inner(inner), m_per_call(per_call) {}

    dev::MacAddress mac() const override { return m_inner.mac(); }
    std::size_t mtu() const override { return m_inner.mtu(); }
    Result<std::size_t, dev::NetError> receive(PacketPool& pool,
                                               std::span<Packet> frames) override {
        return m_inner.receive(pool, frames);
    }
    Result<std::size_t, dev::NetError> transmit(std::span<Packet> frames) override {
        ++calls;
        if (frames.size() > m_per_call) {
            ++refusals;
            frames = frames.first(m_per_call);
        }
        return m_inner.transmit(frames);
    }

    // Passes the inner device's receive wake-ups on, for ever.
    static Task<void> forward(ThrottledDevice* device) {
        for (;;) {
            co_await device->m_inner.wait_receivable();
            device->notify_receivable();
        }
    }

    std::size_t calls = 0;
    std::size_t refusals = 0;

private:
    dev::NetDevice& m_inner;
    std::size_t m_per_call;
};

class StackTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_a_device = &m_network.add_port(test_mac(1));
        m_b_device = &m_network.add_port(test_mac(2));
        m_a = std::make_unique<Stack>(*m_a_device, m_a_pool,
                                      StackConfig{Ipv4Prefix{address_a, 24}, std::nullopt},
                                      m_a_random);
        m_b = std::make_unique<Stack>(*m_b_device, m_b_pool,
                                      StackConfig{Ipv4Prefix{address_b, 24}, std::nullopt},
                                      m_b_random);
        m_a->start();
        m_b->start();
    }

    void TearDown() override {
        m_a->stop();
        m_b->stop();
        m_scheduler.run_until_idle();
    }

    // Runs `task` (and everything else) until it returns; the clock stops there.
    template <typename T>
    T run(Task<T> task) {
        return testing::run_to_end(m_scheduler, std::move(task));
    }

    // A third port without a stack, whose frames the test writes and reads.
    dev::NetDevice& add_raw_port() {
        dev::NetDevice& raw = m_network.add_port(test_mac(9));
        m_scheduler.spawn(test_support::collect(&raw, &m_raw_pool, &m_at_raw));
        return raw;
    }

    VirtualPlatform m_platform;
    Scheduler m_scheduler{m_platform};
    PacketPool m_a_pool{256};
    PacketPool m_b_pool{256};
    PacketPool m_raw_pool{64};
    crypto::ChaChaRng m_a_random{seed(1)};
    crypto::ChaChaRng m_b_random{seed(2)};
    SimulatedSwitch m_network;
    SimulatedNetDevice* m_a_device = nullptr;
    SimulatedNetDevice* m_b_device = nullptr;
    std::vector<Arrival> m_at_raw;
    std::unique_ptr<Stack> m_a;
    std::unique_ptr<Stack> m_b;
};

TEST_F(StackTest, PingResolvesTheNeighbourAndGetsAnEchoReply) {
    auto reply = run(m_a->ping(address_b, 0x1234, 1, pattern(56), 1s));
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->data_size, 56u);
    EXPECT_EQ(reply->round_trip, 0ns);  // the simulated wire has no delay

    // ARP ran both ways: A asked, and B learned A from the request.
    EXPECT_EQ(m_a->arp().lookup(address_b, m_scheduler.now()), test_mac(2));
    EXPECT_EQ(m_b->arp().lookup(address_a, m_scheduler.now()), test_mac(1));
    EXPECT_EQ(m_a->arp().stats().requests_sent, 1u);
    EXPECT_EQ(m_b->stats().icmp_echo_requests, 1u);
    EXPECT_EQ(m_b->stats().icmp_echo_replies_sent, 1u);
    EXPECT_EQ(m_a->stats().icmp_echo_replies_received, 1u);

    // A second ping needs no ARP.
    auto again = run(m_a->ping(address_b, 0x1234, 2, pattern(8), 1s));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(m_a->arp().stats().requests_sent, 1u);
}

TEST_F(StackTest, DatagramsToOurOwnAddressLoopBack) {
    const std::uint64_t frames_before =
        m_a_device->stats().transmitted_frames;  // ARP announcements
    auto reply = run(m_a->ping(address_a, 1, 1, pattern(3000), 1s));
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->data_size, 3000u);
    EXPECT_EQ(m_a->stats().reassembled, 2u);  // the request and the reply

    auto server = m_a->udp_bind(7);
    ASSERT_TRUE(server.has_value());
    m_scheduler.spawn(echo(&*server, 1));
    auto client = m_a->udp_bind(0);
    ASSERT_TRUE(client.has_value());
    auto echoed = run(exchange(&*client, address_a, 7, text("myself")));
    ASSERT_TRUE(echoed.has_value()) << udp_error_name(echoed.error());
    EXPECT_EQ(echoed->payload, text("myself"));
    EXPECT_EQ(echoed->source, address_a);
    // Nothing went on the wire.
    EXPECT_EQ(m_a_device->stats().transmitted_frames, frames_before);
}

TEST_F(StackTest, PingOfAnAbsentHostTimesOut) {
    auto reply = run(m_a->ping(Ipv4Address::from_octets(10, 0, 0, 77), 1, 1, pattern(8), 2s));
    ASSERT_FALSE(reply.has_value());
    EXPECT_EQ(reply.error(), PingError::timed_out);
}

TEST_F(StackTest, OffLinkWithoutGatewayHasNoRoute) {
    auto reply = run(m_a->ping(Ipv4Address::from_octets(192, 0, 2, 1), 1, 1, pattern(8), 1s));
    ASSERT_FALSE(reply.has_value());
    EXPECT_EQ(reply.error(), PingError::no_route);
    EXPECT_EQ(m_a->stats().no_route, 1u);
}

TEST_F(StackTest, UdpRoundTrip) {
    auto server = m_b->udp_bind(7);
    ASSERT_TRUE(server.has_value());
    EXPECT_EQ(m_b->udp_bind(7).error(), UdpError::port_in_use);
    m_scheduler.spawn(echo(&*server, 1));

    auto client = m_a->udp_bind(0);
    ASSERT_TRUE(client.has_value());
    EXPECT_GE(client->port(), UdpTable::ephemeral_first);

    auto reply = run(exchange(&*client, address_b, 7, text("hello, echo")));
    ASSERT_TRUE(reply.has_value()) << udp_error_name(reply.error());
    EXPECT_EQ(reply->payload, text("hello, echo"));
    EXPECT_EQ(reply->source, address_b);
    EXPECT_EQ(reply->source_port, 7);
    EXPECT_EQ(reply->destination, address_a);
    EXPECT_EQ(m_b->stats().udp_received, 1u);
    EXPECT_EQ(m_a->stats().udp_sent, 1u);
}

TEST_F(StackTest, ClosedPortAnswersPortUnreachableThatReachesTheSocket) {
    auto client = m_a->udp_bind(0);
    ASSERT_TRUE(client.has_value());
    auto reply = run(exchange(&*client, address_b, 9999, text("anyone?")));
    ASSERT_FALSE(reply.has_value());
    EXPECT_EQ(reply.error(), UdpError::port_unreachable);
    EXPECT_EQ(m_b->stats().udp_no_socket, 1u);
    EXPECT_EQ(m_b->stats().icmp_errors_sent, 1u);
    EXPECT_EQ(m_a->stats().icmp_errors_received, 1u);
    // Reported once: the socket works on.
    EXPECT_EQ(client->try_receive(), std::nullopt);
}

TEST_F(StackTest, PortUnreachableIsRateLimited) {
    auto client = m_a->udp_bind(0);
    ASSERT_TRUE(client.has_value());
    ASSERT_TRUE(run(m_a->ping(address_b, 1, 1, {}, 1s)).has_value());  // ARP done both ways
    // 50 datagrams at the same virtual instant: the bucket's burst of 10.
    EXPECT_EQ(run(send_many(&*client, address_b, 9999, 50)), 50);
    EXPECT_EQ(run(pause(1ms)), 0);  // B handles them, at the same instant
    EXPECT_EQ(m_b->stats().udp_no_socket, 50u);
    EXPECT_EQ(m_b->stats().icmp_errors_sent, 10u);
    EXPECT_EQ(m_b->stats().icmp_errors_rate_limited, 40u);

    // 100 ms earn 10 tokens at 100/s (and a longer pause no more than the burst).
    const Instant before = m_scheduler.now();
    EXPECT_EQ(run(pause(100ms)), 0);
    EXPECT_EQ(m_scheduler.now() - before, 100ms);
    EXPECT_EQ(run(send_many(&*client, address_b, 9999, 12)), 12);
    EXPECT_EQ(run(pause(1ms)), 0);
    EXPECT_EQ(m_b->stats().icmp_errors_sent, 20u);
    EXPECT_EQ(m_b->stats().icmp_errors_rate_limited, 42u);
}

TEST_F(StackTest, LargeDatagramIsFragmentedAndReassembledBothWays) {
    auto server = m_b->udp_bind(7);
    ASSERT_TRUE(server.has_value());
    m_scheduler.spawn(echo(&*server, 1));
    auto client = m_a->udp_bind(0);
    ASSERT_TRUE(client.has_value());

    const std::vector<std::byte> payload = pattern(60'000);
    auto reply = run(exchange(&*client, address_b, 7, payload));
    ASSERT_TRUE(reply.has_value()) << udp_error_name(reply.error());
    EXPECT_EQ(reply->payload, payload);
    // 60,008 bytes of UDP in 1,480-byte pieces: 41 fragments each way.
    EXPECT_EQ(m_a->stats().fragments_sent, 41u);
    EXPECT_EQ(m_b->stats().fragments_received, 41u);
    EXPECT_EQ(m_b->stats().reassembled, 1u);
    EXPECT_EQ(m_b->stats().fragments_sent, 41u);
    EXPECT_EQ(m_a->stats().reassembled, 1u);
}

TEST_F(StackTest, DeviceThatTakesFewerFramesStillGetsThemAll) {
    ThrottledDevice throttled{m_network.add_port(test_mac(3)), 2};
    JoinHandle forwarder = m_scheduler.spawn(ThrottledDevice::forward(&throttled));
    PacketPool pool{256};
    crypto::ChaChaRng random{seed(3)};
    Stack c{throttled, pool, StackConfig{Ipv4Prefix{Ipv4Address::from_octets(10, 0, 0, 3), 24}, {}},
            random};
    c.start();
    auto server = m_b->udp_bind(7);
    ASSERT_TRUE(server.has_value());
    m_scheduler.spawn(echo(&*server, 1));
    auto client = c.udp_bind(0);
    ASSERT_TRUE(client.has_value());

    const std::vector<std::byte> payload = pattern(60'000);
    auto reply = run(exchange(&*client, address_b, 7, payload));
    ASSERT_TRUE(reply.has_value()) << udp_error_name(reply.error());
    EXPECT_EQ(reply->payload, payload);
    EXPECT_GT(throttled.refusals, 0u);
    EXPECT_EQ(c.stats().fragments_sent, 41u);
    EXPECT_EQ(c.stats().transmit_queue_full, 0u);
    client->close();
    c.stop();
    forwarder.cancel();
}

TEST_F(StackTest, LargePingIsReassembledAndAnsweredInFragments) {
    auto reply = run(m_a->ping(address_b, 7, 1, pattern(60'000), 2s));
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->data_size, 60'000u);
    EXPECT_EQ(m_b->stats().reassembled, 1u);
    EXPECT_EQ(m_a->stats().reassembled, 1u);
}

TEST_F(StackTest, TooLargeDatagramIsRefused) {
    auto client = m_a->udp_bind(0);
    ASSERT_TRUE(client.has_value());
    auto sent = run(client->send_to(address_b, 7, ByteView{pattern(65'508)}));
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error(), UdpError::message_too_large);
}

// Raw frames from a port without a stack: B learns its MAC from an ARP
// request, then gets every fragment of a datagram but one.
TEST_F(StackTest, LostFragmentEndsInReassemblyTimeoutAndTimeExceeded) {
    dev::NetDevice& raw = add_raw_port();
    {
        auto arp = Packet::copy_of({}, 128, 0);
        ASSERT_TRUE(
            write_arp_frame(*arp, test_mac(9),
                            ArpTransmit{dev::MacAddress::broadcast(),
                                        ArpPacket::request(test_mac(9), address_raw, address_b)}));
        std::array<Packet, 1> batch{std::move(arp)};
        ASSERT_EQ(raw.transmit(batch).value(), 1u);
    }
    EXPECT_EQ(run(pause(1ms)), 0);
    ASSERT_EQ(m_b->arp().lookup(address_raw, m_scheduler.now()), test_mac(9));

    // A 3,000-byte UDP datagram to a closed port, in three fragments.
    std::vector<std::byte> datagram(3'000 + UdpDatagram::header_size);
    ASSERT_TRUE(UdpDatagram::emit(MutableByteView{datagram}, 5000, 9999, address_raw, address_b));
    PacketPool pool{8};
    std::vector<Packet> fragments;
    ASSERT_TRUE(fragment(Ipv4Fields{.source = address_raw,
                                    .destination = address_b,
                                    .protocol = IpProtocol::udp,
                                    .identification = 0x4242},
                         ByteView{datagram}, 1500, pool, fragments));
    ASSERT_EQ(fragments.size(), 3u);
    fragments.erase(fragments.begin() + 1);  // lost on the way
    m_at_raw.clear();
    for (Packet& piece : fragments) {
        ASSERT_TRUE(EthernetFrame::prepend(
            *piece, EthernetFields{.destination = test_mac(2), .source = test_mac(9)}));
        std::array<Packet, 1> batch{Packet::copy_of(piece->data())};
        ASSERT_EQ(raw.transmit(batch).value(), 1u);
    }
    fragments.clear();
    const Instant sent_at = m_scheduler.now();
    EXPECT_EQ(run(pause(31s)), 0);

    EXPECT_EQ(m_b->stats().fragments_received, 2u);
    EXPECT_EQ(m_b->stats().reassembled, 0u);
    EXPECT_EQ(m_b->stats().reassembly_timeouts, 1u);
    EXPECT_EQ(m_b->stats().udp_no_socket, 0u);  // never complete, so never a port unreachable
    EXPECT_EQ(m_b->reassembler().datagrams_in_progress(), 0u);

    // The one frame to the raw port: ICMP time exceeded, code 1, quoting the
    // first fragment, sent when the 30 s reassembly timer ran out.
    std::optional<Arrival> error;
    for (const Arrival& arrival : m_at_raw) {
        auto frame = EthernetFrame::parse(ByteView{arrival.bytes});
        if (frame && frame->ethertype() == EtherType::ipv4) {
            error = arrival;
        }
    }
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->time - sent_at, 30s);
    auto frame = EthernetFrame::parse(ByteView{error->bytes}).value();
    auto ip = Ipv4Header::parse(frame.payload()).value();
    EXPECT_EQ(ip.source(), address_b);
    EXPECT_EQ(ip.destination(), address_raw);
    auto icmp = Icmpv4Message::parse(ip.payload()).value();
    EXPECT_EQ(icmp.type(), Icmpv4Type::time_exceeded);
    EXPECT_EQ(icmp.code(), 1);
    auto quoted = icmp.quoted_datagram().value();
    EXPECT_EQ(quoted.identification(), 0x4242);
    EXPECT_EQ(quoted.fragment_offset(), 0);
    EXPECT_EQ(quoted.payload().read_u16_be(2).value(), 9999);
}

// Frames that must be dropped, each for its own counted reason.
TEST_F(StackTest, DropsAndCountsWhatIsNotForIt) {
    dev::NetDevice& raw = add_raw_port();
    auto send_raw = [&raw](EthernetFields fields, ByteView payload) {
        Packet frame = Packet::copy_of(payload, 128, 0);
        ASSERT_TRUE(EthernetFrame::prepend(*frame, fields));
        std::array<Packet, 1> batch{std::move(frame)};
        ASSERT_EQ(raw.transmit(batch).value(), 1u);
    };
    std::vector<std::byte> datagram(28);
    MutableByteView view{datagram};
    ASSERT_TRUE(
        UdpDatagram::emit(MutableByteView{datagram}.sub(20).value(), 1, 7, address_raw, address_b));
    ASSERT_TRUE(Ipv4Header::emit(
        view, Ipv4Fields{.source = address_raw, .destination = address_b, .payload_length = 8}));
    // Tagged with VLAN 5.
    send_raw(
        EthernetFields{
            .destination = test_mac(2), .source = test_mac(9), .vlan = VlanTag{.vlan_id = 5}},
        ByteView{datagram});
    // To a multicast MAC B has not joined.
    send_raw(EthernetFields{.destination = {{0x01, 0x00, 0x5e, 0, 0, 1}}, .source = test_mac(9)},
             ByteView{datagram});
    // A bad IP header checksum.
    std::vector<std::byte> corrupted = datagram;
    corrupted[10] ^= std::byte{0xff};
    send_raw(EthernetFields{.destination = test_mac(2), .source = test_mac(9)},
             ByteView{corrupted});
    // To another IP address.
    std::vector<std::byte> elsewhere(28);
    ASSERT_TRUE(Ipv4Header::emit(MutableByteView{elsewhere},
                                 Ipv4Fields{.source = address_raw,
                                            .destination = Ipv4Address::from_octets(10, 0, 0, 3),
                                            .payload_length = 8}));
    send_raw(EthernetFields{.destination = test_mac(2), .source = test_mac(9)},
             ByteView{elsewhere});
    // A broadcast to a closed port: no ICMP error about a broadcast.
    std::vector<std::byte> broadcast(28);
    ASSERT_TRUE(UdpDatagram::emit(MutableByteView{broadcast}.sub(20).value(), 1, 7, address_raw,
                                  Ipv4Address::broadcast()));
    ASSERT_TRUE(Ipv4Header::emit(
        MutableByteView{broadcast},
        Ipv4Fields{
            .source = address_raw, .destination = Ipv4Address::broadcast(), .payload_length = 8}));
    send_raw(EthernetFields{.destination = dev::MacAddress::broadcast(), .source = test_mac(9)},
             ByteView{broadcast});
    m_scheduler.run_until_idle();

    const StackStats& stats = m_b->stats();
    EXPECT_EQ(stats.vlan_tagged, 1u);
    EXPECT_EQ(stats.multicast_not_joined, 1u);
    EXPECT_EQ(stats.ipv4_bad_checksum, 1u);
    EXPECT_EQ(stats.ipv4_not_for_us, 1u);
    EXPECT_EQ(stats.udp_no_socket, 1u);
    EXPECT_EQ(stats.icmp_errors_suppressed, 1u);
    EXPECT_EQ(stats.icmp_errors_sent, 0u);
}

TEST(StackConfigTest, ArgumentsLikeMirage) {
    auto parse = [](std::vector<std::string_view> line) {
        ArgumentParser parser;
        declare_stack_arguments(parser);
        EXPECT_TRUE(parser.parse(line).has_value());
        return stack_config_from(parser);
    };
    auto dhcp = parse({});
    ASSERT_TRUE(dhcp.has_value());
    EXPECT_TRUE(dhcp->uses_dhcp());

    auto fixed = parse({"--ipv4=10.0.0.2/24", "--ipv4-gateway=10.0.0.1"});
    ASSERT_TRUE(fixed.has_value());
    EXPECT_EQ(fixed->address, Ipv4Prefix(address_b, 24));
    EXPECT_EQ(fixed->gateway, address_a);

    EXPECT_FALSE(parse({"--ipv4-gateway=10.0.0.1"}).has_value());
    EXPECT_FALSE(parse({"--ipv4=10.0.0.2/24", "--ipv4-gateway=10.0.1.1"}).has_value());
    EXPECT_FALSE(parse({"--ipv4=10.0.0.255/24"}).has_value());

    ArgumentParser parser;
    declare_stack_arguments(parser);
    std::vector<std::string_view> bad{"--ipv4=10.0.0.2"};
    auto refused = parser.parse(bad);
    ASSERT_FALSE(refused.has_value());
    EXPECT_NE(refused.error().message.find("--ipv4"), std::string::npos);
}

}  // namespace
}  // namespace oasis::net
