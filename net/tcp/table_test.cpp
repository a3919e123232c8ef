// Tests of TcpTable without a stack: two tables joined by a fake transmitter that goes through the
// wire format.
#include "net/tcp/table.hpp"
#include "core/testing/seed.hpp"

#include <gtest/gtest.h>

#include <array>
#include <deque>
#include <vector>

namespace oasis::net {
namespace {

using testing::seed;

using namespace std::chrono_literals;

constexpr Ipv4Address client_address = Ipv4Address::from_octets(10, 0, 0, 1);
constexpr Ipv4Address server_address = Ipv4Address::from_octets(10, 0, 0, 2);

// One segment on the wire: its source, destination and bytes.
struct Wire {
    Ipv4Address source;
    Ipv4Address destination;
    std::vector<std::byte> bytes;
};

// Emits every segment into `wire` as the stack would put it in a packet.
class WireTransmitter final : public TcpTransmitter {
public:
    explicit WireTransmitter(std::deque<Wire>* wire) : m_wire(wire) {}

    bool send_tcp(const TcpTuple& tuple, const TcpOutgoing& segment,
                  const TcpConnection* connection) override {
        std::array<std::byte, TcpSegment::max_options_size> options{};
        auto options_size = emit_tcp_options(MutableByteView{options}, segment.options);
        EXPECT_TRUE(options_size.has_value());
        std::vector<std::byte> payload(segment.payload_size);
        if (connection != nullptr)
            connection->copy_payload(segment, MutableByteView{payload});
        std::vector<std::byte> bytes(TcpSegment::emitted_size(*options_size, payload.size()));
        auto emitted = TcpSegment::emit(MutableByteView{bytes}, segment.fields,
                                        ByteView{std::span{options}.first(*options_size)},
                                        ByteView{payload}, tuple.local, tuple.remote);
        EXPECT_TRUE(emitted.has_value());
        m_wire->push_back(Wire{tuple.local, tuple.remote, std::move(bytes)});
        return true;
    }
    bool tcp_can_send() const override { return true; }
    void tcp_deadline_changed() override {}

private:
    std::deque<Wire>* m_wire;
};

class TcpTableTest : public ::testing::Test {
protected:
    // Delivers everything on the wire (and what the answers put there).
    void deliver() {
        while (!m_wire.empty()) {
            Wire wire = std::move(m_wire.front());
            m_wire.pop_front();
            auto segment = TcpSegment::parse(ByteView{wire.bytes}, wire.source, wire.destination);
            ASSERT_TRUE(segment.has_value());
            auto options = parse_tcp_options(segment->options());
            ASSERT_TRUE(options.has_value());
            TcpTable& table = wire.destination == server_address ? m_server : m_client;
            table.on_segment(wire.source, wire.destination, *segment, *options, m_now);
        }
    }

    std::deque<Wire> m_wire;
    WireTransmitter m_transmitter{&m_wire};
    crypto::ChaChaRng m_client_random{seed(1)};
    crypto::ChaChaRng m_server_random{seed(2)};
    TcpTable m_client{m_transmitter, m_client_random};
    TcpTable m_server{m_transmitter, m_server_random};
    Instant m_now = Instant{} + 100s;
};

TEST_F(TcpTableTest, ASynWithANewerTimestampReopensATupleInTimeWait) {
    auto listener = m_server.listen(80, 8, TcpConfig{});
    ASSERT_TRUE(listener.has_value());
    auto client = m_client.connect(client_address, server_address, 80, 40000, TcpConfig{}, m_now);
    ASSERT_TRUE(client.has_value());
    deliver();
    TcpEndpoint* server = m_server.take_accepted(**listener);
    ASSERT_NE(server, nullptr);
    const TcpTuple server_tuple = server->connection->tuple();

    // The server closes first, so the server is left in TIME-WAIT.
    server->connection->close();
    m_server.detach(*server, m_now);
    deliver();
    (*client)->connection->close();
    m_client.detach(**client, m_now);
    deliver();
    const TcpEndpoint* waiting = m_server.find(server_tuple);
    ASSERT_NE(waiting, nullptr);
    EXPECT_EQ(waiting->connection->state(), TcpState::time_wait);
    EXPECT_EQ(m_client.connection_count(), 0u);

    // A second later the same client port connects again: its timestamps are
    // newer, so the server gives up TIME-WAIT for it (RFC 6191).
    m_now += 1s;
    auto again = m_client.connect(client_address, server_address, 80, 40000, TcpConfig{}, m_now);
    ASSERT_TRUE(again.has_value());
    deliver();
    EXPECT_EQ((*again)->connection->state(), TcpState::established);
    EXPECT_EQ(m_server.stats().time_wait_reused, 1u);
    TcpEndpoint* reopened = m_server.take_accepted(**listener);
    ASSERT_NE(reopened, nullptr);
    EXPECT_EQ(reopened->connection->state(), TcpState::established);
}

TEST_F(TcpTableTest, AnAckToAListenerWithoutACookieIsReset) {
    auto listener = m_server.listen(80, 8, TcpConfig{});
    ASSERT_TRUE(listener.has_value());
    // A bare ACK from nowhere (RFC 9293 §3.10.7.2): <SEQ=SEG.ACK><CTL=RST>.
    std::array<std::byte, 20> bytes{};
    TcpFields fields;
    fields.source_port = 5555;
    fields.destination_port = 80;
    fields.sequence_number = SequenceNumber{1};
    fields.acknowledgment_number = SequenceNumber{777};
    fields.flags = TcpFlag::ack;
    ASSERT_TRUE(TcpSegment::emit(MutableByteView{bytes}, fields, ByteView{}, ByteView{},
                                 client_address, server_address));
    auto segment = TcpSegment::parse(ByteView{bytes}, client_address, server_address);
    ASSERT_TRUE(segment.has_value());
    m_server.on_segment(client_address, server_address, *segment, TcpOptions{}, m_now);
    ASSERT_EQ(m_wire.size(), 1u);
    auto reset = TcpSegment::parse(ByteView{m_wire.front().bytes}, server_address, client_address);
    ASSERT_TRUE(reset.has_value());
    EXPECT_TRUE(reset->rst());
    EXPECT_EQ(reset->sequence_number(), SequenceNumber{777});
    EXPECT_EQ(m_server.stats().resets_sent, 1u);
    EXPECT_EQ(m_server.connection_count(), 0u);
}

}  // namespace
}  // namespace oasis::net
