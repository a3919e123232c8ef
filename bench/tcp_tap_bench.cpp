// TCP benchmark over TAP: iperf3 throughput and connection rate to the iperf3 unikernel, beside
// Linux over veth.
//
// The benchmark builds its own little network out of namespaces and deletes
// it afterwards, so no packet leaves them:
//
//   client namespace  10.84.0.1 --TAP--> the iperf3 unikernel (10.84.0.2)
//                     10.85.0.1 --veth-> peer namespace 10.85.0.2
//
// In the peer namespace, Debian's `iperf3 -s` and a plain accept loop (a
// child of this process) stand for a Linux host doing the same job. The
// client side is Debian's `iperf3 -c` for throughput (forward: the client
// sends; reverse, -R: the server does) and this process for the connection
// rate: each connection is a transaction — connect, shut the sending half,
// wait for the server's close — one after another. Targets alternate in
// every round, so that whatever else the machine does falls on both. The
// client runs on CPU 0 and both servers on CPU 1.
//
// What differs on purpose: Linux's peer is its kernel TCP over veth, where
// segments move by pointer between namespaces; Oasis's frames cross the
// TAP device, one read() or write() system call per frame, into a user
// process. The ratio is what a unikernel on the unix target costs against
// the host's own stack, not TCP against TCP alone (bench_tcp is that).
//
// Needs root (namespaces, TAP) and iperf3; without them it says so and exits 2.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "bench/host.hpp"
#include "bench/report.hpp"
#include "services/iperf3/json.hpp"

#ifndef OASIS_IPERF3_BINARY
#error "OASIS_IPERF3_BINARY must name the iperf3 unikernel's unix executable"
#endif

namespace {

using namespace oasis::bench;

constexpr const char* tap_name = "oasistcpb0";
constexpr const char* client_tap_address = "10.84.0.1/24";
constexpr const char* oasis_address = "10.84.0.2";
constexpr const char* client_veth_address = "10.85.0.1/24";
constexpr const char* linux_address = "10.85.0.2";
constexpr std::uint16_t iperf3_port = 5201;
constexpr std::uint16_t linux_accept_port = 5301;

constexpr int client_cpu = 0;
constexpr int server_cpu = 1;

constexpr int rounds = 3;
constexpr int seconds_per_test = 3;
constexpr int connections_per_round = 1000;

volatile sig_atomic_t stop_requested = 0;

void request_stop(int) {
    stop_requested = 1;
}

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// A child that runs `body` in `name_space`, on the server CPU, killed with
// this process.
template <typename Body>
pid_t spawn_in(const std::string& name_space, Body body) {
    const pid_t child = fork();
    if (child != 0) {
        return child;
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGTERM, SIG_DFL);
    pin_to(server_cpu);
    if (!enter_namespace(name_space)) {
        _exit(1);
    }
    body();
    _exit(127);
}

// Everything the benchmark sets up, torn down in reverse whatever happens.
struct Network {
    TapAndVethNetwork namespaces{"oasis-tcpb"};
    std::string log_path;
    pid_t oasis = -1;
    pid_t linux_iperf3 = -1;
    pid_t linux_acceptor = -1;

    ~Network() {
        stop_child(oasis);
        stop_child(linux_iperf3);
        stop_child(linux_acceptor);
        if (!log_path.empty()) {
            std::remove(log_path.c_str());
        }
    }

    bool build() {
        return namespaces.build(tap_name, client_tap_address, "tcpbc", "tcpbs", client_veth_address,
                                std::string(linux_address) + "/24");
    }

    bool start_linux_servers() {
        linux_iperf3 = spawn_in(namespaces.peer, [] {
            const int null = open("/dev/null", O_WRONLY);
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);  // "interrupt - the server has terminated" at the end
            execlp("iperf3", "iperf3", "-s", "-B", linux_address, "-p",
                   std::to_string(iperf3_port).c_str(), static_cast<char*>(nullptr));
        });
        linux_acceptor = spawn_in(namespaces.peer, [] {
            const int listener = socket(AF_INET, SOCK_STREAM, 0);
            const int one = 1;
            setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_port = htons(linux_accept_port);
            inet_pton(AF_INET, linux_address, &address.sin_addr);
            if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
                listen(listener, 128) != 0) {
                _exit(1);
            }
            // The server half of a transaction: read to the end, then close.
            char buffer[256];
            for (;;) {
                const int connection = accept(listener, nullptr, nullptr);
                if (connection < 0) {
                    continue;
                }
                while (read(connection, buffer, sizeof buffer) > 0) {
                }
                close(connection);
            }
        });
        return linux_iperf3 > 0 && linux_acceptor > 0;
    }

    bool start_oasis(const std::string& binary) {
        char path[] = "/tmp/oasis-tcp-tap-XXXXXX";
        const int log = mkstemp(path);
        if (log < 0) {
            return false;
        }
        log_path = path;
        oasis = spawn_in(namespaces.client, [&] {
            dup2(log, STDOUT_FILENO);
            dup2(log, STDERR_FILENO);
            const std::string service = std::string("--net:service=") + tap_name;
            const std::string ipv4 = std::string("--ipv4=") + oasis_address + "/24";
            execl(binary.c_str(), binary.c_str(), service.c_str(), ipv4.c_str(),
                  static_cast<char*>(nullptr));
        });
        close(log);
        const std::string ready = std::string("listening on ") + oasis_address + " port 5201";
        for (int i = 0; i < 100 && !stop_requested; ++i) {
            const std::string text = read_file(log_path);
            if (text.find(ready) != std::string::npos) {
                return true;
            }
            if (waitpid(oasis, nullptr, WNOHANG) == oasis) {
                oasis = -1;
                std::fprintf(stderr, "tcp_tap: the iperf3 unikernel exited early:\n%s\n",
                             text.c_str());
                return false;
            }
            usleep(100'000);
        }
        std::fprintf(stderr, "tcp_tap: the iperf3 unikernel did not start in 10 s\n");
        return false;
    }
};

// The receiver's throughput in Mbit/s of one `iperf3 -c` run, read from its
// JSON with Oasis's own parser; none if the run failed.
std::optional<double> iperf3_throughput(const char* address, bool reverse) {
    std::string command = std::string("iperf3 -c ") + address + " -t " +
                          std::to_string(seconds_per_test) + " -A " + std::to_string(client_cpu) +
                          " -J" + (reverse ? " -R" : "") + " 2>&1";
    FILE* output = popen(command.c_str(), "r");
    if (output == nullptr) {
        return std::nullopt;
    }
    std::string text;
    char chunk[4096];
    std::size_t count = 0;
    while ((count = std::fread(chunk, 1, sizeof chunk, output)) > 0) {
        text.append(chunk, count);
    }
    const int status = pclose(output);
    const oasis::iperf3::JsonLimits limits{
        .max_text = 4 << 20, .max_depth = 32, .max_values = 1 << 20};
    auto document = oasis::iperf3::JsonDocument::parse(text, limits);
    if (status != 0 || !document) {
        std::fprintf(stderr, "tcp_tap: %s failed:\n%s\n", command.c_str(), text.c_str());
        return std::nullopt;
    }
    auto end = document->root().find("end");
    auto received = end ? end->find("sum_received") : std::nullopt;
    auto bits = received ? received->find("bits_per_second") : std::nullopt;
    auto number = bits ? bits->as_number() : std::nullopt;
    auto value = number ? number->to_scaled(0) : std::nullopt;
    if (!value) {
        std::fprintf(stderr, "tcp_tap: no end.sum_received.bits_per_second from %s\n",
                     command.c_str());
        return std::nullopt;
    }
    return static_cast<double>(*value) / 1e6;
}

struct ConnectionRound {
    double rate = 0;                 // transactions per second
    std::vector<double> latency_us;  // of each transaction
};

// Transactions one after another: connect, shut our half, read until the
// server closes, close. Each is timed too: on a busy machine the rate
// suffers from every scheduling delay, the median from few.
std::optional<ConnectionRound> connection_rate(const char* address, std::uint16_t port) {
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(port);
    inet_pton(AF_INET, address, &target.sin_addr);
    char byte = 0;
    ConnectionRound round;
    const double start = now_seconds();
    for (int index = 0; index < connections_per_round && !stop_requested; ++index) {
        const double begun = now_seconds();
        const int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        timeval timeout{2, 0};
        setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        if (connect(sock, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
            std::fprintf(stderr, "tcp_tap: connect to %s:%u: %s\n", address, port,
                         std::strerror(errno));
            close(sock);
            return std::nullopt;
        }
        shutdown(sock, SHUT_WR);
        if (read(sock, &byte, 1) != 0) {
            std::fprintf(stderr, "tcp_tap: %s:%u did not close\n", address, port);
            close(sock);
            return std::nullopt;
        }
        close(sock);
        round.latency_us.push_back((now_seconds() - begun) * 1e6);
    }
    round.rate = connections_per_round / (now_seconds() - start);
    return round;
}

struct Series {
    std::vector<double> forward;
    std::vector<double> reverse;
    std::vector<double> connections;
    std::vector<double> latency_us;
};

}  // namespace

int main(int argc, char** argv) {
    const std::string binary = argc > 1 ? argv[1] : OASIS_IPERF3_BINARY;
    if (!tap_benchmark_can_run("tcp_tap", binary, "iperf3 unikernel", {"ip", "iperf3"})) {
        return 2;
    }
    struct sigaction action {};
    action.sa_handler = request_stop;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);

    Series oasis;
    Series linux_peer;
    {
        Network network;
        if (!network.build() || !network.start_linux_servers() || !network.start_oasis(binary) ||
            !enter_namespace(network.namespaces.client)) {
            std::printf("tcp_tap: could not set up the namespaces and servers\n");
            return 1;
        }
        pin_to(client_cpu);
        usleep(300'000);  // iperf3 -s binds
        // ARP and a first connection on both paths before anything is timed.
        (void)connection_rate(oasis_address, iperf3_port);
        (void)connection_rate(linux_address, linux_accept_port);

        for (int round = 0; round < rounds && !stop_requested; ++round) {
            for (bool reverse : {false, true}) {
                for (auto [address, series] :
                     {std::pair{oasis_address, &oasis}, std::pair{linux_address, &linux_peer}}) {
                    std::optional<double> rate = iperf3_throughput(address, reverse);
                    if (!rate) {
                        return 1;
                    }
                    (reverse ? series->reverse : series->forward).push_back(*rate);
                    std::printf("iperf3 %s%s round %d: %.1f Mbit/s\n", address,
                                reverse ? " -R" : "", round, *rate);
                }
            }
            for (auto [address, port, series] :
                 {std::tuple{oasis_address, iperf3_port, &oasis},
                  std::tuple{linux_address, linux_accept_port, &linux_peer}}) {
                std::optional<ConnectionRound> result = connection_rate(address, port);
                if (!result) {
                    return 1;
                }
                series->connections.push_back(result->rate);
                series->latency_us.insert(series->latency_us.end(), result->latency_us.begin(),
                                          result->latency_us.end());
                std::printf("connections %s round %d: %.0f/s, median %.0f us\n", address, round,
                            result->rate, oasis::bench::median(result->latency_us));
            }
        }
        if (network.oasis > 0 && waitpid(network.oasis, nullptr, WNOHANG) == network.oasis) {
            network.oasis = -1;
            std::printf("tcp_tap: the iperf3 unikernel died during the run\n");
            return 1;
        }
    }
    if (stop_requested) {
        std::printf("tcp_tap: stopped by a signal\n");
        return 1;
    }
    using oasis::bench::median;
    oasis::bench::report("tcp_tap_iperf3", "throughput_forward", median(oasis.forward), "Mbit/s",
                         "linux_veth", median(linux_peer.forward));
    oasis::bench::report("tcp_tap_iperf3", "throughput_reverse", median(oasis.reverse), "Mbit/s",
                         "linux_veth", median(linux_peer.reverse));
    oasis::bench::report("tcp_tap_connect", "connections_per_second", median(oasis.connections),
                         "connections/s", "linux_veth", median(linux_peer.connections));
    oasis::bench::report("tcp_tap_connect", "latency_median", median(oasis.latency_us), "us",
                         "linux_veth", median(linux_peer.latency_us));
    return 0;
}
