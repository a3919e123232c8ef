// Tests of the UDP port table and sockets, without a stack: a recording transmitter.
#include "net/udp/socket.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "core/virtual_platform.hpp"

namespace oasis::net {
namespace {

constexpr Ipv4Address peer = Ipv4Address::from_octets(10, 0, 0, 1);

class RecordingTransmitter final : public UdpTransmitter {
public:
    struct Sent {
        std::uint16_t source_port;
        Ipv4Address destination;
        std::uint16_t destination_port;
        std::vector<std::byte> payload;
    };

    Result<void, UdpError> send_udp(std::uint16_t source_port, Ipv4Address destination,
                                    std::uint16_t destination_port, ByteView payload) override {
        sent.push_back(
            {source_port, destination, destination_port, {payload.begin(), payload.end()}});
        return {};
    }
    Task<void> wait_send_space() override {
        blocked = false;
        co_return;
    }
    bool send_blocked() const override { return blocked; }

    std::vector<Sent> sent;
    bool blocked = false;
};

UdpReceived datagram(std::uint8_t tag) {
    return UdpReceived{
        .payload = {std::byte{tag}}, .source = peer, .source_port = 5000, .destination = {}};
}

template <typename T>
Task<void> store(Task<T> task, std::optional<T>* out) {
    out->emplace(co_await std::move(task));
}

class UdpSocketTest : public ::testing::Test {
protected:
    UdpSocket bind(std::uint16_t port) {
        UdpEndpoint* endpoint = m_table.bind(port, 0).value();
        return UdpSocket{m_table, *endpoint, m_transmitter};
    }

    VirtualPlatform m_platform;
    Scheduler m_scheduler{m_platform};
    UdpTable m_table{2};
    RecordingTransmitter m_transmitter;
};

TEST_F(UdpSocketTest, PortsAreExclusiveAndFreedOnClose) {
    UdpSocket socket = bind(53);
    EXPECT_EQ(m_table.bind(53, 0).error(), UdpError::port_in_use);
    socket.close();
    EXPECT_FALSE(m_table.is_bound(53));
    {
        UdpSocket again = bind(53);
        EXPECT_EQ(again.port(), 53);
    }
    EXPECT_FALSE(m_table.is_bound(53));
}

TEST_F(UdpSocketTest, EphemeralPortsStartAtTheRandomOffsetAndSkipBoundOnes) {
    UdpEndpoint* first = m_table.bind(0, 10).value();
    EXPECT_EQ(first->port, UdpTable::ephemeral_first + 10);
    UdpEndpoint* second = m_table.bind(0, 10).value();
    EXPECT_EQ(second->port, UdpTable::ephemeral_first + 11);
    // The search wraps around the range.
    UdpEndpoint* wrapped = m_table.bind(0, 16383).value();
    EXPECT_EQ(wrapped->port, 65535);
    UdpEndpoint* after = m_table.bind(0, 16383).value();
    EXPECT_EQ(after->port, UdpTable::ephemeral_first);
}

TEST_F(UdpSocketTest, EveryEphemeralPortTaken) {
    for (std::uint32_t index = 0; index < 16384; ++index) {
        ASSERT_TRUE(m_table.bind(0, index).has_value());
    }
    EXPECT_EQ(m_table.bind(0, 0).error(), UdpError::no_free_port);
}

TEST_F(UdpSocketTest, QueueIsBoundedAndErrorsAreReportedOnce) {
    UdpSocket socket = bind(7);
    EXPECT_TRUE(m_table.deliver(7, datagram(1)));
    EXPECT_TRUE(m_table.deliver(7, datagram(2)));
    EXPECT_TRUE(m_table.deliver(7, datagram(3)));  // for a socket, but dropped
    EXPECT_FALSE(m_table.deliver(8, datagram(4)));
    EXPECT_EQ(socket.queued(), 2u);
    EXPECT_EQ(socket.queue_drops(), 1u);
    EXPECT_EQ(m_table.stats().queue_full, 1u);
    EXPECT_EQ(m_table.stats().no_socket, 1u);

    m_table.report_error(7, UdpError::port_unreachable);
    auto error = socket.try_receive();
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->error(), UdpError::port_unreachable);
    auto first = socket.try_receive();
    ASSERT_TRUE(first.has_value() && first->has_value());
    EXPECT_EQ((*first)->payload, std::vector<std::byte>{std::byte{1}});
    auto second = socket.try_receive();
    ASSERT_TRUE(second.has_value() && second->has_value());
    EXPECT_EQ(socket.try_receive(), std::nullopt);
}

TEST_F(UdpSocketTest, ReceiveWaitsForADatagram) {
    UdpSocket socket = bind(7);
    std::optional<Result<UdpReceived, UdpError>> result;
    m_scheduler.spawn(store(socket.receive(), &result));
    m_scheduler.run_until_idle();
    EXPECT_FALSE(result.has_value());
    EXPECT_TRUE(m_table.deliver(7, datagram(9)));
    m_scheduler.run_until_idle();
    ASSERT_TRUE(result.has_value() && result->has_value());
    EXPECT_EQ((*result)->source_port, 5000);
}

TEST_F(UdpSocketTest, CloseAllEndsAWaitingReceive) {
    UdpSocket socket = bind(7);
    std::optional<Result<UdpReceived, UdpError>> result;
    m_scheduler.spawn(store(socket.receive(), &result));
    m_scheduler.run_until_idle();
    m_table.close_all();
    m_scheduler.run_until_idle();
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->error(), UdpError::closed);
}

TEST_F(UdpSocketTest, SendWaitsForSpaceThenSends) {
    UdpSocket socket = bind(7);
    m_transmitter.blocked = true;
    const std::vector<std::byte> payload{std::byte{42}};
    std::optional<Result<void, UdpError>> result;
    m_scheduler.spawn(store(socket.send_to(peer, 9, ByteView{payload}), &result));
    m_scheduler.run_until_idle();
    ASSERT_TRUE(result.has_value() && result->has_value());
    ASSERT_EQ(m_transmitter.sent.size(), 1u);
    EXPECT_EQ(m_transmitter.sent[0].source_port, 7);
    EXPECT_EQ(m_transmitter.sent[0].destination_port, 9);
    EXPECT_EQ(m_transmitter.sent[0].payload, payload);
}

}  // namespace
}  // namespace oasis::net
