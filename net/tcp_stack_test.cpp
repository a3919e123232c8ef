// Tests of TCP between two Stacks on a simulated network with a virtual clock.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

#include "core/crypto/sha256.hpp"
#include "core/testing/run.hpp"
#include "core/testing/seed.hpp"
#include "core/timeout.hpp"
#include "core/virtual_platform.hpp"
#include "net/fault/test_support.hpp"
#include "net/sim/simulated_switch.hpp"
#include "net/stack.hpp"

namespace oasis::net {
namespace {

using testing::seed;

using namespace std::chrono_literals;
using test_support::test_mac;

constexpr Ipv4Address address_a = Ipv4Address::from_octets(10, 0, 0, 1);
constexpr Ipv4Address address_b = Ipv4Address::from_octets(10, 0, 0, 2);

std::vector<std::byte> pattern(std::size_t size, std::uint32_t salt = 0) {
    std::vector<std::byte> bytes(size);
    std::uint32_t state = 0x9e3779b9u ^ salt;
    for (std::size_t index = 0; index < size; ++index) {
        state = state * 1664525u + 1013904223u;
        bytes[index] = static_cast<std::byte>(state >> 24);
    }
    return bytes;
}

// Accepts one connection and echoes it until the peer closes.
Task<void> echo_server(TcpListener* listener, std::size_t* echoed) {
    auto stream = co_await listener->accept();
    if (!stream)
        co_return;
    std::vector<std::byte> buffer(8192);
    for (;;) {
        auto count = co_await stream->read(MutableByteView{buffer});
        if (!count || *count == 0)
            break;
        *echoed += *count;
        if (!co_await stream->write(ByteView{std::span{buffer}.first(*count)}))
            break;
    }
    stream->shutdown();
    // Wait for the close to complete before dropping the handle.
    (void)co_await stream->flush();
}

// Accepts one connection and counts and hashes what arrives until the FIN.
Task<void> sink_server(TcpListener* listener, std::optional<crypto::Sha256Digest>* digest,
                       std::size_t* received) {
    auto stream = co_await listener->accept();
    if (!stream)
        co_return;
    crypto::Sha256 hash;
    std::vector<std::byte> buffer(65536);
    for (;;) {
        auto count = co_await stream->read(MutableByteView{buffer});
        if (!count || *count == 0)
            break;
        hash.update(ByteView{std::span{buffer}.first(*count)});
        *received += *count;
    }
    *digest = hash.finish();
}

template <typename T>
Task<bool> wait_for(const std::optional<T>* value) {
    while (!value->has_value())
        co_await sleep_for(10ms);
    co_return true;
}

class TcpStackTest : public ::testing::Test {
protected:
    void start(PortOptions a_port = {}, PortOptions b_port = {}, StackOptions options = {}) {
        m_a_device = &m_network.add_port(test_mac(1), a_port);
        m_b_device = &m_network.add_port(test_mac(2), b_port);
        m_a = std::make_unique<Stack>(*m_a_device, m_a_pool,
                                      StackConfig{Ipv4Prefix{address_a, 24}, std::nullopt},
                                      m_a_random, options);
        m_b = std::make_unique<Stack>(*m_b_device, m_b_pool,
                                      StackConfig{Ipv4Prefix{address_b, 24}, std::nullopt},
                                      m_b_random, options);
        m_a->start();
        m_b->start();
    }

    void TearDown() override {
        if (m_a)
            m_a->stop();
        if (m_b)
            m_b->stop();
        m_scheduler.run_until_idle();
    }

    // Runs `task` (and everything else) until it returns; the clock stops there.
    template <typename T>
    T run(Task<T> task) {
        return testing::run_to_end(m_scheduler, std::move(task));
    }

    TcpListener* listen(Stack& stack, std::uint16_t port, std::size_t backlog = 128) {
        auto listener = stack.tcp_listen(port, backlog);
        OASIS_ASSERT(listener.has_value());
        m_listeners.reserve(8);
        m_listeners.push_back(std::move(*listener));
        return &m_listeners.back();
    }

    VirtualPlatform m_platform;
    Scheduler m_scheduler{m_platform};
    PacketPool m_a_pool{1024};
    PacketPool m_b_pool{1024};
    crypto::ChaChaRng m_a_random{seed(1)};
    crypto::ChaChaRng m_b_random{seed(2)};
    SimulatedSwitch m_network;
    SimulatedNetDevice* m_a_device = nullptr;
    SimulatedNetDevice* m_b_device = nullptr;
    std::unique_ptr<Stack> m_a;
    std::unique_ptr<Stack> m_b;
    // Listeners outlive the tasks accepting on them: TearDown() stops the
    // stacks and lets those tasks finish first.
    std::vector<TcpListener> m_listeners;
};

Task<Result<std::vector<std::byte>, TcpError>> exchange(Stack* stack, std::vector<std::byte> data) {
    auto connected = co_await stack->tcp_connect(address_b, 7, 5s);
    if (!connected)
        co_return Error{connected.error()};
    TcpStream stream = std::move(*connected);
    auto written = co_await stream.write(ByteView{data});
    if (!written)
        co_return Error{written.error()};
    stream.shutdown();
    std::vector<std::byte> back;
    std::vector<std::byte> buffer(4096);
    for (;;) {
        auto count = co_await stream.read(MutableByteView{buffer});
        if (!count)
            co_return Error{count.error()};
        if (*count == 0)
            break;
        back.insert(back.end(), buffer.begin(),
                    buffer.begin() + static_cast<std::ptrdiff_t>(*count));
    }
    co_return back;
}

TEST_F(TcpStackTest, EchoesAStreamAndClosesBothWays) {
    start();
    TcpListener* listener = listen(*m_b, 7);
    std::size_t echoed = 0;
    m_scheduler.spawn(echo_server(listener, &echoed));
    std::vector<std::byte> data = pattern(100000);
    auto back = run(exchange(m_a.get(), data));
    ASSERT_TRUE(back.has_value()) << tcp_error_name(back.error());
    EXPECT_EQ(*back, data);
    EXPECT_EQ(echoed, data.size());
}

TEST_F(TcpStackTest, ConnectToAClosedPortIsRefused) {
    start();
    auto result = run(m_a->tcp_connect(address_b, 9, 5s));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error(), TcpError::refused);
    EXPECT_EQ(m_b->tcp().stats().no_socket, 1u);
}

// Echoes one connection until the peer closes, then closes.
Task<void> echo_connection(TcpStream stream) {
    std::vector<std::byte> buffer(4096);
    for (;;) {
        auto count = co_await stream.read(MutableByteView{buffer});
        if (!count || *count == 0)
            break;
        if (!co_await stream.write(ByteView{std::span{buffer}.first(*count)}))
            break;
    }
    stream.shutdown();
    (void)co_await stream.flush();
}

// Echoes every connection it accepts, each on its own task.
Task<void> echo_each(TcpListener* listener, std::size_t* accepted) {
    for (;;) {
        auto stream = co_await listener->accept();
        if (!stream)
            co_return;
        ++*accepted;
        Scheduler::current().spawn(echo_connection(std::move(*stream)));
    }
}

Task<void> exchange_and_count(Stack* stack, int index, int* intact) {
    std::vector<std::byte> data =
        pattern(3000 + 100 * static_cast<std::size_t>(index), static_cast<std::uint32_t>(index));
    auto back = co_await exchange(stack, data);
    if (back && *back == data)
        ++*intact;
}

// Runs `count` echo exchanges at once; returns how many came back intact.
Task<int> many_exchanges(Stack* stack, int count) {
    int intact = 0;
    std::vector<JoinHandle> clients;
    for (int index = 0; index < count; ++index) {
        clients.push_back(Scheduler::current().spawn(exchange_and_count(stack, index, &intact)));
    }
    for (JoinHandle& client : clients)
        co_await client.join();
    co_return intact;
}

TEST_F(TcpStackTest, ManyConcurrentConnectionsEcho) {
    start();
    TcpListener* listener = listen(*m_b, 7, 256);
    std::size_t accepted = 0;
    m_scheduler.spawn(echo_each(listener, &accepted));
    EXPECT_EQ(run(many_exchanges(m_a.get(), 100)), 100);
    EXPECT_EQ(accepted, 100u);
    EXPECT_EQ(m_b->tcp().stats().cookies_sent, 0u);
}

TEST_F(TcpStackTest, SynCookiesCompleteHandshakesBeyondTheSynBacklog) {
    StackOptions options;
    options.tcp.syn_backlog = 2;  // most handshakes must go through cookies
    start({}, {}, options);
    TcpListener* listener = listen(*m_b, 7, 256);
    std::size_t accepted = 0;
    m_scheduler.spawn(echo_each(listener, &accepted));
    EXPECT_EQ(run(many_exchanges(m_a.get(), 40)), 40);
    const TcpStats& stats = m_b->tcp().stats();
    EXPECT_GT(stats.cookies_sent, 0u);
    EXPECT_EQ(stats.cookies_accepted, stats.cookies_sent);
    EXPECT_EQ(stats.cookies_rejected, 0u);
}

TEST_F(TcpStackTest, ConnectToAnAbsentHostTimesOut) {
    start();
    auto result = run(m_a->tcp_connect(Ipv4Address::from_octets(10, 0, 0, 77), 7, 3s));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error(), TcpError::timed_out);
    EXPECT_EQ(m_a->tcp().connection_count(), 0u);
}

Task<Result<std::size_t, TcpError>> read_after_stop(Stack* client, Stack* server) {
    auto stream = co_await client->tcp_connect(address_b, 7, 5s);
    if (!stream)
        co_return Error{stream.error()};
    co_await sleep_for(10ms);
    server->stop();  // B's connections are reset: A sees the reset
    std::vector<std::byte> buffer(16);
    auto count = co_await stream->read(MutableByteView{buffer});
    co_return count;
}

TEST_F(TcpStackTest, StoppingAStackResetsItsConnections) {
    start();
    TcpListener* listener = listen(*m_b, 7);
    std::size_t accepted = 0;
    m_scheduler.spawn(echo_each(listener, &accepted));
    auto result = run(read_after_stop(m_a.get(), m_b.get()));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error(), TcpError::reset);
}

struct BulkCase {
    TcpCongestionAlgorithm algorithm;
    std::uint32_t loss_ppm;
    std::uint32_t reorder_ppm;
    std::uint32_t duplicate_ppm;
    std::size_t bytes;
};

class TcpBulkTest : public TcpStackTest, public ::testing::WithParamInterface<BulkCase> {};

Task<Result<void, TcpError>> send_all(Stack* stack, std::vector<std::byte>* data,
                                      TcpConnectionStats* stats) {
    auto connected = co_await stack->tcp_connect(address_b, 9000, 30s);
    if (!connected)
        co_return Error{connected.error()};
    TcpStream stream = std::move(*connected);
    std::size_t offset = 0;
    while (offset < data->size()) {
        std::size_t chunk = std::min<std::size_t>(100000, data->size() - offset);
        auto written = co_await stream.write(ByteView{std::span{*data}.subspan(offset, chunk)});
        if (!written)
            co_return Error{written.error()};
        offset += chunk;
    }
    stream.shutdown();
    auto flushed = co_await stream.flush();
    if (!flushed)
        co_return Error{flushed.error()};
    *stats = stream.connection().stats();
    co_return Result<void, TcpError>{};
}

TEST_P(TcpBulkTest, TransferArrivesIntact) {
    const BulkCase& test = GetParam();
    FaultSpec faults;
    faults.loss_ppm = test.loss_ppm;
    faults.reorder_ppm = test.reorder_ppm;
    faults.duplicate_ppm = test.duplicate_ppm;
    faults.delay = 1ms;
    faults.seed = 7;
    PortOptions port;
    port.faults = faults;
    StackOptions options;
    options.tcp_config.congestion = test.algorithm;
    start(port, port, options);

    TcpListener* listener = listen(*m_b, 9000);
    std::optional<crypto::Sha256Digest> digest;
    std::size_t received = 0;
    m_scheduler.spawn(sink_server(listener, &digest, &received));
    std::vector<std::byte> data = pattern(test.bytes, 3);
    TcpConnectionStats sender;
    auto sent = run(send_all(m_a.get(), &data, &sender));
    ASSERT_TRUE(sent.has_value()) << tcp_error_name(sent.error());
    run(wait_for(&digest));
    EXPECT_EQ(received, data.size());
    ASSERT_TRUE(digest.has_value());
    EXPECT_EQ(*digest, crypto::sha256(ByteView{data}));
    if (test.loss_ppm == 0) {
        EXPECT_EQ(sender.retransmitted_segments, 0u);
    } else {
        EXPECT_GT(sender.recoveries, 0u);  // losses were repaired by fast retransmit
    }
}

INSTANTIATE_TEST_SUITE_P(
    Controllers, TcpBulkTest,
    ::testing::Values(BulkCase{TcpCongestionAlgorithm::cubic, 0, 0, 0, 4 << 20},
                      BulkCase{TcpCongestionAlgorithm::new_reno, 0, 0, 0, 4 << 20},
                      // The bar: 64 MiB under 5% loss and
                      // reordering (and 1% duplication), per controller.
                      BulkCase{TcpCongestionAlgorithm::cubic, 50000, 50000, 10000, 64 << 20},
                      BulkCase{TcpCongestionAlgorithm::new_reno, 50000, 50000, 10000, 64 << 20}));

// --- Regressions found against Linux's TCP (examples/echo/echo_tcp_test.sh) ---

// Writes `data` in writes of `chunk` bytes, then shuts the sending side.
Task<void> write_then_shutdown(TcpStream* stream, const std::vector<std::byte>* data,
                               std::size_t chunk) {
    std::size_t offset = 0;
    while (offset < data->size()) {
        std::size_t size = std::min(chunk, data->size() - offset);
        if (!co_await stream->write(ByteView{std::span{*data}.subspan(offset, size)}))
            co_return;
        offset += size;
    }
    stream->shutdown();
}

Task<Result<std::vector<std::byte>, TcpError>> read_to_end(TcpStream* stream) {
    std::vector<std::byte> received;
    std::vector<std::byte> buffer(65536);
    for (;;) {
        auto count = co_await stream->read(MutableByteView{buffer});
        if (!count)
            co_return Error{count.error()};
        if (*count == 0)
            co_return received;
        received.insert(received.end(), buffer.begin(),
                        buffer.begin() + static_cast<std::ptrdiff_t>(*count));
    }
}

struct TwoWay {
    std::vector<std::byte> received;
    TcpConnectionStats stats;
    Duration elapsed{};
};

// Connects to B's `port` and sends `data` while reading what comes back, as
// nc does; returns it with the client's counters.
Task<Result<TwoWay, TcpError>> send_while_reading(Stack* stack, std::uint16_t port,
                                                  std::vector<std::byte> data) {
    Instant start = Scheduler::current().now();
    auto connected = co_await stack->tcp_connect(address_b, port, 5s);
    if (!connected)
        co_return Error{connected.error()};
    TcpStream stream = std::move(*connected);
    JoinHandle writer = Scheduler::current().spawn(write_then_shutdown(&stream, &data, 1000));
    auto received = co_await read_to_end(&stream);
    co_await writer.join();
    if (!received)
        co_return Error{received.error()};
    co_return TwoWay{std::move(*received), stream.connection().stats(),
                     Scheduler::current().now() - start};
}

// A segment from a hand-driven peer at address_a:40000 to address_b:7.
TcpIncoming from_peer(TcpFlags flags, std::uint32_t sequence, std::uint32_t acknowledgment,
                      ByteView payload = {}, TcpOptions options = {}) {
    TcpIncoming segment;
    segment.fields.source_port = 40000;
    segment.fields.destination_port = 7;
    segment.fields.sequence_number = SequenceNumber{sequence};
    segment.fields.acknowledgment_number = SequenceNumber{acknowledgment};
    segment.fields.flags = flags;
    segment.fields.window = 65535;
    segment.options = options;
    segment.payload = payload;
    return segment;
}

// RFC 6675 §2: an ACK that SACKs new data is a duplicate ACK even when it
// carries data. In an echo nearly every ACK from Linux does; counting only
// pure ACKs left every loss to the retransmission timer. (One connection
// against a hand-driven peer: between two Oasis stacks on the simulated
// network enough pure ACKs flow to hide this.)
TEST(TcpConnectionRegression, AcknowledgmentsCarryingDataStillTriggerFastRetransmit) {
    const TcpTuple tuple{address_b, 7, address_a, 40000};
    Instant now = Instant{} + 100s;
    TcpOptions syn_options;
    syn_options.maximum_segment_size = 1000;
    syn_options.sack_permitted = true;
    auto connection =
        TcpConnection::accept(tuple, TcpConfig{}, from_peer(TcpFlag::syn, 1000, 0, {}, syn_options),
                              SequenceNumber{5000}, 0, now);
    ASSERT_TRUE(connection->poll_transmit(now).has_value());  // the SYN-ACK
    connection->on_segment(from_peer(TcpFlag::ack, 1001, 5001), now);
    ASSERT_EQ(connection->state(), TcpState::established);

    std::vector<std::byte> data = pattern(8000, 1);
    ASSERT_EQ(connection->write(ByteView{data}), data.size());
    std::size_t sent = 0;
    while (std::optional<TcpOutgoing> segment = connection->poll_transmit(now))
        sent += segment->payload_size;
    ASSERT_EQ(sent, data.size());  // eight segments: within the initial window

    // The first segment is lost. Each of the peer's next three segments
    // carries 100 bytes of its own and SACKs one more of ours.
    std::vector<std::byte> reply = pattern(100, 2);
    for (std::uint32_t index = 1; index <= 3; ++index) {
        TcpOptions options;
        options.sack_blocks[0] = {SequenceNumber{6001}, SequenceNumber{6001 + 1000 * index}};
        options.sack_block_count = 1;
        now += 1ms;
        connection->on_segment(
            from_peer(TcpFlag::ack, 1001 + 100 * (index - 1), 5001, ByteView{reply}, options), now);
    }
    bool retransmitted = false;
    while (std::optional<TcpOutgoing> segment = connection->poll_transmit(now)) {
        if (segment->fields.sequence_number == SequenceNumber{5001} && segment->payload_size > 0)
            retransmitted = true;
    }
    EXPECT_TRUE(retransmitted);  // at once, not after the 1 s retransmission timeout
    EXPECT_EQ(connection->stats().fast_retransmits, 1u);
    EXPECT_EQ(connection->stats().retransmission_timeouts, 0u);
}

// Writes `size` bytes before reading anything, then reads to the end and
// closes: its receive buffer fills while it sends.
Task<void> write_before_reading(TcpListener* listener, std::size_t size, std::size_t* read) {
    auto stream = co_await listener->accept();
    if (!stream)
        co_return;
    std::vector<std::byte> data = pattern(size, 9);
    if (!co_await stream->write(ByteView{data}))
        co_return;
    auto received = co_await read_to_end(&*stream);
    if (received)
        *read = received->size();
    stream->shutdown();
    (void)co_await stream->flush();
}

// The window field is rounded down (RFC 7323 §2.3), never past what the
// receive buffer holds. Rounded up, the peer filled the window, the last
// byte was trimmed, and with the window then zero every ACK from the peer —
// sequenced one byte past RCV.NXT — failed the acceptability test: this
// side's own data then moved only at the pace of zero-window probes.
TEST_F(TcpStackTest, AFullReceiveBufferStillTakesAcknowledgments) {
    start();
    TcpConfig config = m_b->tcp_config();
    config.receive_buffer = 100001;  // window scale 1, and an odd free space to round
    auto listener = m_b->tcp_listen(7, 16, config);
    ASSERT_TRUE(listener.has_value());
    std::size_t read = 0;
    m_scheduler.spawn(write_before_reading(&*listener, 1 << 20, &read));
    std::vector<std::byte> data = pattern(300000, 4);
    auto result = run(send_while_reading(m_a.get(), 7, data));
    ASSERT_TRUE(result.has_value()) << tcp_error_name(result.error());
    EXPECT_EQ(result->received, pattern(1 << 20, 9));
    EXPECT_EQ(read, data.size());
    EXPECT_LT(result->elapsed, 2s);
    EXPECT_EQ(result->stats.retransmission_timeouts, 0u);
}

}  // namespace
}  // namespace oasis::net
