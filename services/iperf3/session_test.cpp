// Tests of the iperf3 server and client against each other, on two Stacks over a simulated network.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

#include "core/format.hpp"
#include "core/timeout.hpp"
#include "net/sim/client_server.hpp"
#include "services/iperf3/client.hpp"
#include "services/iperf3/server.hpp"

namespace oasis::iperf3 {
namespace {

using namespace std::chrono_literals;
using net::Ipv4Address;
using net::test_support::ClientServerNetwork;

constexpr Ipv4Address client_address = ClientServerNetwork::client_address;
constexpr Ipv4Address server_address = ClientServerNetwork::server_address;

// 5 ms each way and 64 KiB windows: about 6 MB per virtual second, so that a
// test by time moves a bounded amount of data.
net::PortOptions slow_link() {
    net::PortOptions link;
    link.faults.delay = 5ms;
    return link;
}
net::StackOptions small_windows() {
    net::StackOptions options;
    options.tcp_config.send_buffer = 64 * 1024;
    options.tcp_config.receive_buffer = 64 * 1024;
    return options;
}

std::string outcome_text(const TestReport& report) {
    return report.outcome ? std::string{"ok"} : format("{}", report.outcome.error());
}

class Iperf3SessionTest : public ::testing::Test {
protected:
    void TearDown() override { m_network.stop(); }

    // Starts a server that records every test's report.
    Server& start_server(ServerOptions options = {}, std::size_t tests = 0) {
        options.on_test = [this](const TestReport& report) { m_server_reports.push_back(report); };
        auto server = Server::listen(*m_server, std::move(options));
        EXPECT_TRUE(server.has_value());
        m_iperf3_server = std::make_unique<Server>(std::move(*server));
        m_scheduler.spawn(serve(m_iperf3_server.get(), tests));
        return *m_iperf3_server;
    }

    static Task<void> serve(Server* server, std::size_t tests) {
        (void)co_await server->run(tests);
    }

    TestReport run_client(ClientOptions options) {
        options.server = server_address;
        std::optional<TestReport> report;
        (void)m_scheduler.run(client_main(m_client.get(), &m_client_random, options, &report));
        return std::move(*report);
    }

    static Task<int> client_main(net::Stack* stack, crypto::ChaChaRng* random,
                                 ClientOptions options, std::optional<TestReport>* out) {
        out->emplace(co_await iperf3::run_client(stack, random, options));
        co_return 0;
    }

    // Lets the server finish its side after the client returned.
    void settle() { (void)m_scheduler.run(sleep_main(1s)); }
    static Task<int> sleep_main(Duration duration) {
        co_await sleep_for(duration);
        co_return 0;
    }

    ClientServerNetwork m_network{slow_link(), small_windows()};
    Scheduler& m_scheduler = m_network.scheduler;
    crypto::ChaChaRng& m_client_random = m_network.client_random;
    std::unique_ptr<net::Stack>& m_client = m_network.client;
    std::unique_ptr<net::Stack>& m_server = m_network.server;
    std::unique_ptr<Server> m_iperf3_server;
    std::vector<TestReport> m_server_reports;
};

TEST_F(Iperf3SessionTest, ClientSendsForAGivenTime) {
    start_server();
    ClientOptions options;
    options.time_seconds = 2;
    const Instant started = m_scheduler.now();
    TestReport report = run_client(options);
    settle();
    ASSERT_TRUE(report.outcome) << outcome_text(report);
    EXPECT_GE(m_scheduler.now() - started, 2s);
    ASSERT_EQ(m_server_reports.size(), 1u);
    const TestReport& server = m_server_reports[0];
    ASSERT_TRUE(server.outcome) << outcome_text(server);
    EXPECT_EQ(server.parameters.time_seconds, 2u);
    EXPECT_FALSE(server.parameters.reverse);
    EXPECT_FALSE(server.local_sent);
    EXPECT_EQ(server.peer, client_address);
    // Both ends hold both measurements, and agree on them.
    EXPECT_EQ(report.sender_bytes(), server.sender_bytes());
    EXPECT_EQ(report.receiver_bytes(), server.receiver_bytes());
    const std::uint64_t sent = *report.sender_bytes();
    const std::uint64_t received = *report.receiver_bytes();
    EXPECT_GT(received, 1'000'000u) << describe_transfer(report);
    EXPECT_LE(received, sent);
    // What was still in flight at TEST_END: at most a window and a send buffer.
    EXPECT_LE(sent - received, 2u * 64 * 1024 + options.block_size);
    EXPECT_GE(*report.sender_microseconds(), 2'000'000);
    EXPECT_LT(*report.sender_microseconds(), 2'100'000);
    ASSERT_EQ(report.remote->streams.size(), 1u);
    EXPECT_EQ(report.remote->streams[0].id, 1);
    EXPECT_EQ(report.local->sender_has_retransmits, 1);
    EXPECT_EQ(report.remote->sender_has_retransmits, -1);
    EXPECT_EQ(report.remote->congestion_used, "cubic");
}

TEST_F(Iperf3SessionTest, ServerSendsAGivenByteCountOverThreeStreams) {
    start_server();
    ClientOptions options;
    options.reverse = true;
    options.bytes = 3'000'000;
    options.parallel = 3;
    options.block_size = 16 * 1024;
    TestReport report = run_client(options);
    settle();
    ASSERT_TRUE(report.outcome) << outcome_text(report);
    ASSERT_EQ(m_server_reports.size(), 1u);
    const TestReport& server = m_server_reports[0];
    ASSERT_TRUE(server.outcome) << outcome_text(server);
    EXPECT_TRUE(server.local_sent);
    EXPECT_EQ(server.parameters.parallel, 3u);
    EXPECT_EQ(server.parameters.bytes, 3'000'000u);
    EXPECT_EQ(server.parameters.block_size, 16u * 1024);
    ASSERT_EQ(report.local->streams.size(), 3u);
    ASSERT_EQ(report.remote->streams.size(), 3u);
    // iperf3's numbering, the same on both ends.
    for (std::size_t index = 0; index < 3; ++index) {
        EXPECT_EQ(report.local->streams[index].id, stream_id(index));
        EXPECT_EQ(report.remote->streams[index].id, stream_id(index));
        EXPECT_GT(report.local->streams[index].bytes, 0u);
    }
    EXPECT_GE(*report.receiver_bytes(), 3'000'000u) << describe_transfer(report);
    EXPECT_GE(*report.sender_bytes(), *report.receiver_bytes());
}

TEST_F(Iperf3SessionTest, ClientSendsExactlyTheByteCount) {
    start_server();
    ClientOptions options;
    options.bytes = 1'000'003;  // not a whole number of blocks
    options.parallel = 2;
    options.no_delay = true;
    TestReport report = run_client(options);
    settle();
    ASSERT_TRUE(report.outcome) << outcome_text(report);
    EXPECT_EQ(report.sender_bytes(), 1'000'003u);
    EXPECT_LE(*report.receiver_bytes(), 1'000'003u);
    ASSERT_EQ(m_server_reports.size(), 1u);
    EXPECT_TRUE(m_server_reports[0].parameters.no_delay);
}

TEST_F(Iperf3SessionTest, OmittedSecondsAreLeftOut) {
    start_server();
    ClientOptions options;
    options.time_seconds = 1;
    options.omit_seconds = 1;
    TestReport report = run_client(options);
    settle();
    ASSERT_TRUE(report.outcome) << outcome_text(report);
    // The test ran for two seconds and reports only the second.
    EXPECT_GE(*report.sender_microseconds(), 1'000'000);
    EXPECT_LT(*report.sender_microseconds(), 1'100'000);
    EXPECT_GT(*report.receiver_bytes(), 0u);
}

TEST_F(Iperf3SessionTest, ServerRefusesWhatItCannotRun) {
    ServerOptions server_options;
    server_options.max_streams = 4;
    start_server(server_options);
    ClientOptions options;
    options.parallel = 5;
    TestReport report = run_client(options);
    settle();
    ASSERT_FALSE(report.outcome);
    EXPECT_EQ(report.outcome.error(), Iperf3Error::server_error);
    ASSERT_EQ(m_server_reports.size(), 1u);
    ASSERT_FALSE(m_server_reports[0].outcome);
    EXPECT_EQ(m_server_reports[0].outcome.error(), Iperf3Error::unsupported);
    // The server goes on to the next test.
    options.parallel = 4;
    options.time_seconds = 1;
    TestReport next = run_client(options);
    EXPECT_TRUE(next.outcome) << outcome_text(next);
}

Task<void> delayed_client(net::Stack* stack, crypto::ChaChaRng* random, Duration delay,
                          std::optional<TestReport>* out) {
    co_await sleep_for(delay);
    ClientOptions options;
    options.server = server_address;
    options.time_seconds = 1;
    out->emplace(co_await run_client(stack, random, options));
}

TEST_F(Iperf3SessionTest, ASecondClientIsDeniedWhileATestRuns) {
    start_server();
    std::optional<TestReport> second;
    m_scheduler.spawn(delayed_client(m_client.get(), &m_client_random, 500ms, &second));
    ClientOptions options;
    options.time_seconds = 2;
    TestReport first = run_client(options);
    settle();
    EXPECT_TRUE(first.outcome) << outcome_text(first);
    ASSERT_TRUE(second.has_value());
    ASSERT_FALSE(second->outcome);
    EXPECT_EQ(second->outcome.error(), Iperf3Error::access_denied);
    ASSERT_EQ(m_server_reports.size(), 1u);
}

// A client that sends its cookie and then `message` as its parameters.
Task<int> raw_client(net::Stack* stack, std::string message, std::optional<State>* reply) {
    auto connected = co_await stack->tcp_connect(server_address, default_port, 5s);
    if (!connected) {
        co_return 1;
    }
    net::TcpStream control = std::move(*connected);
    std::vector<std::byte> cookie(cookie_size, std::byte{'a'});
    cookie.back() = std::byte{0};
    (void)co_await control.write(ByteView{cookie});
    auto state = co_await read_state(&control);
    if (state) {
        *reply = *state;
    }
    (void)co_await write_message(&control, std::move(message));
    std::byte byte{};
    (void)co_await with_timeout(5s, control.read(MutableByteView{std::span{&byte, 1}}));
    co_return 0;
}

TEST_F(Iperf3SessionTest, MalformedParametersEndTheTestNotTheServer) {
    start_server();
    std::optional<State> reply;
    (void)m_scheduler.run(raw_client(m_client.get(), R"({"tcp":true,"time":)", &reply));
    settle();
    EXPECT_EQ(reply, State::param_exchange);
    ASSERT_EQ(m_server_reports.size(), 1u);
    ASSERT_FALSE(m_server_reports[0].outcome);
    EXPECT_EQ(m_server_reports[0].outcome.error(), Iperf3Error::bad_message);
    ClientOptions options;
    options.time_seconds = 1;
    TestReport next = run_client(options);
    EXPECT_TRUE(next.outcome) << outcome_text(next);
}

TEST_F(Iperf3SessionTest, NoServerIsAConnectionFailure) {
    TestReport report = run_client(ClientOptions{});
    ASSERT_FALSE(report.outcome);
    EXPECT_EQ(report.outcome.error(), Iperf3Error::connection_failed);
    EXPECT_FALSE(report.sender_bytes().has_value());
}

}  // namespace
}  // namespace oasis::iperf3
