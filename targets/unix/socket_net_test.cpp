// Tests of --net=socket: real host sockets on 127.0.0.1 spliced to an app Stack on the gateway's
// switch.
#include "targets/unix/socket_net.hpp"

#include <errno.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/crypto/random.hpp"
#include "core/format.hpp"
#include "core/scheduler.hpp"
#include "core/testing/seed.hpp"
#include "targets/unix/host_socket.hpp"
#include "targets/unix/platform.hpp"

namespace oasis::unix_target {
namespace {

using namespace std::chrono_literals;

constexpr net::Ipv4Address gateway_address = net::Ipv4Address::from_octets(10, 0, 2, 2);

std::string as_text(const std::vector<std::byte>& bytes) {
    return std::string{reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

ByteView as_bytes(std::string_view text) {
    return ByteView{reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

std::vector<std::byte> pattern(std::size_t size) {
    std::vector<std::byte> bytes(size);
    std::uint32_t state = 0x9e3779b9u;
    for (std::byte& byte : bytes) {
        state = state * 1664525u + 1013904223u;
        byte = static_cast<std::byte>(state >> 24);
    }
    return bytes;
}

// Reads a host socket to its end; an error ends the result with "<errno N>".
Task<std::string> read_all(HostSocket* socket) {
    std::string text;
    std::array<std::byte, 4096> buffer;
    while (true) {
        auto count = co_await socket->read(buffer);
        if (!count) {
            co_return text + format("<errno {}>", count.error().number);
        }
        if (*count == 0) {
            co_return text;
        }
        text.append(reinterpret_cast<const char*>(buffer.data()), *count);
    }
}

// The app's side: serves one connection on `listener` by reading to the end
// of the stream, then answering with what `reply` makes of the bytes.
Task<void> serve_one(net::TcpListener* listener, std::string (*reply)(const std::string&)) {
    auto stream = co_await listener->accept();
    if (!stream) {
        co_return;
    }
    std::string received;
    std::array<std::byte, 4096> buffer;
    while (true) {
        auto count = co_await stream->read(buffer);
        if (!count || *count == 0) {
            break;
        }
        received.append(reinterpret_cast<const char*>(buffer.data()), *count);
    }
    const std::string answer = reply(received);
    (void)co_await stream->write(as_bytes(answer));
    stream->shutdown();
    (void)co_await stream->flush();
}

std::string echo(const std::string& received) {
    return received;
}

std::string size_of(const std::string& received) {
    return format("{} bytes, pattern {}", received.size(),
                  received == as_text(pattern(received.size())) ? "intact" : "damaged");
}

// A SocketNetwork with one forward to the app's `guest_port` (from an
// ephemeral host port) and the given --host-ports, and the app's Stack on it,
// both started on a scheduler over the real epoll platform.
class SocketNetworkTest : public ::testing::Test {
protected:
    void open(std::vector<PortForward> forwards, std::vector<std::uint16_t> host_ports = {}) {
        const net::StackConfig app_config = socket_stack_config(net::StackConfig{}).value();
        auto opened = SocketNetwork::open(
            platform, random, SocketNetConfig{app_config, std::move(forwards), host_ports});
        ASSERT_TRUE(opened.has_value()) << opened.error();
        network = std::move(opened.value());
        app = std::make_unique<net::Stack>(network->app_device(), app_pool, app_config, random);
        network->start();
        app->start();
    }

    void TearDown() override {
        if (network) {
            network->stop();
        }
        if (app) {
            app->stop();
        }
        scheduler.run_until_idle();  // destroys the cancelled tasks while the stacks live
        app.reset();
        network.reset();
    }

    UnixPlatform platform;
    Scheduler scheduler{platform};
    crypto::ChaChaRng random{oasis::testing::seed(6)};
    PacketPool app_pool{1024};
    std::unique_ptr<SocketNetwork> network;
    std::unique_ptr<net::Stack> app;
};

Task<int> send_and_read(UnixPlatform* platform, std::uint16_t port, std::string request,
                        std::string* response) {
    auto client = co_await HostSocket::connect(*platform, port);
    if (!client) {
        *response = client.error().message();
        co_return 1;
    }
    // A reset may come before the request is out; the caller checks which.
    if (auto written = co_await client.value()->write(as_bytes(request)); !written) {
        *response = format("<errno {}>", written.error().number);
        co_return 0;
    }
    // The half-close must reach the app as the end of its stream, and the
    // app's FIN must come back as ours.
    if (client.value()->shutdown_write().is_error()) {
        co_return 3;
    }
    *response = co_await read_all(client.value().get());
    co_return 0;
}

TEST_F(SocketNetworkTest, DefaultsAreQemuUserNetworking) {
    const net::StackConfig config = socket_stack_config(net::StackConfig{}).value();
    EXPECT_EQ(format("{}", *config.address), "10.0.2.15/24");
    EXPECT_EQ(format("{}", *config.gateway), "10.0.2.2");
    const net::StackConfig given{net::Ipv4Prefix::parse("192.168.7.9/24").value(),
                                 net::Ipv4Address::parse("192.168.7.1").value()};
    EXPECT_EQ(format("{}", *socket_stack_config(given).value().gateway), "192.168.7.1");
    const net::StackConfig without_gateway{given.address, std::nullopt};
    EXPECT_TRUE(socket_stack_config(without_gateway).is_error());
}

TEST(SocketNetworkParse, PortForwards) {
    EXPECT_EQ(parse_port_forward("8080:80").value().host_port, 8080);
    EXPECT_EQ(parse_port_forward("8080:80").value().guest_port, 80);
    EXPECT_EQ(parse_port_forward("tcp:5353:53").value().guest_port, 53);
    EXPECT_TRUE(parse_port_forward("8080").is_error());
    EXPECT_TRUE(parse_port_forward("8080:0").is_error());
    EXPECT_TRUE(parse_port_forward("70000:80").is_error());
    EXPECT_TRUE(parse_port_forward("80:-1").is_error());
    EXPECT_TRUE(parse_port_forward(":80").is_error());
    EXPECT_TRUE(parse_port_forward("udp:53:53").is_error());
    EXPECT_EQ(parse_host_port("5201").value(), 5201);
    EXPECT_TRUE(parse_host_port("0").is_error());
    EXPECT_TRUE(parse_host_port("5201x").is_error());
}

TEST_F(SocketNetworkTest, ForwardEchoesThroughTheAppWithHalfClose) {
    open({PortForward{0, 7}});
    auto listener = app->tcp_listen(7).value();
    (void)scheduler.spawn(serve_one(&listener, echo));
    std::string response;
    const std::string request =
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\n\r\n";
    EXPECT_EQ(scheduler.run(
                  send_and_read(&platform, network->listening_ports().at(0), request, &response)),
              0)
        << response;
    EXPECT_EQ(response, request);
    EXPECT_EQ(network->connections(), 1u);
}

TEST_F(SocketNetworkTest, ForwardCarriesAMebibyteWithBackpressure) {
    open({PortForward{0, 9}});
    auto listener = app->tcp_listen(9).value();
    (void)scheduler.spawn(serve_one(&listener, size_of));
    std::string response;
    EXPECT_EQ(scheduler.run(send_and_read(&platform, network->listening_ports().at(0),
                                          as_text(pattern(1 << 20)), &response)),
              0);
    EXPECT_EQ(response, "1048576 bytes, pattern intact");
}

TEST_F(SocketNetworkTest, ForwardToAClosedAppPortResetsTheHostConnection) {
    open({PortForward{0, 81}});
    std::string response;
    EXPECT_EQ(
        scheduler.run(send_and_read(&platform, network->listening_ports().at(0), "x", &response)),
        0);
    EXPECT_EQ(response, format("<errno {}>", ECONNRESET));
}

TEST_F(SocketNetworkTest, ListeningOnATakenPortIsAnError) {
    auto taken = HostSocket::listen(platform, 0).value();
    auto opened = SocketNetwork::open(
        platform, random,
        SocketNetConfig{
            socket_stack_config({}).value(), {PortForward{taken->local_port(), 7}}, {}});
    ASSERT_TRUE(opened.is_error());
    EXPECT_NE(opened.error().find("Address already in use"), std::string::npos) << opened.error();
}

// The host's side of --host-port: accepts one connection, reads the
// request to its end and answers.
Task<void> host_server(HostSocket* listener, std::string* request) {
    auto accepted = co_await listener->accept();
    if (!accepted) {
        co_return;
    }
    *request = co_await read_all(accepted.value().get());
    (void)co_await accepted.value()->write(as_bytes("HTTP/1.1 204 No Content\r\n\r\n"));
}

// The app's side: connects to the gateway's `port` and sends a request.
Task<int> app_client(net::Stack* app, std::uint16_t port, std::string* response) {
    auto stream = co_await app->tcp_connect(gateway_address, port, 5s);
    if (!stream) {
        co_return 1;
    }
    (void)co_await stream->write(as_bytes("GET /health HTTP/1.1\r\n\r\n"));
    stream->shutdown();
    std::array<std::byte, 256> buffer;
    while (true) {
        auto count = co_await stream->read(buffer);
        if (!count) {
            co_return 2;
        }
        if (*count == 0) {
            co_return 0;
        }
        response->append(reinterpret_cast<const char*>(buffer.data()), *count);
    }
}

TEST_F(SocketNetworkTest, HostPortCarriesTheAppsConnectionToTheHost) {
    auto host_listener = HostSocket::listen(platform, 0).value();
    open({}, {host_listener->local_port()});
    std::string request;
    std::string response;
    (void)scheduler.spawn(host_server(host_listener.get(), &request));
    EXPECT_EQ(scheduler.run(app_client(app.get(), host_listener->local_port(), &response)), 0);
    EXPECT_EQ(request, "GET /health HTTP/1.1\r\n\r\n");
    EXPECT_EQ(response, "HTTP/1.1 204 No Content\r\n\r\n");
}

TEST_F(SocketNetworkTest, HostPortWithNothingListeningResetsTheApp) {
    auto host_listener = HostSocket::listen(platform, 0).value();
    const std::uint16_t closed_port = host_listener->local_port();
    host_listener.reset();  // the port is free again: connecting to it is refused
    open({}, {closed_port});
    std::string response;
    EXPECT_EQ(scheduler.run(app_client(app.get(), closed_port, &response)), 2);
    EXPECT_EQ(response, "");
}

}  // namespace
}  // namespace oasis::unix_target
