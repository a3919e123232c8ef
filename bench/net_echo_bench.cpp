// Network echo benchmark: ping and UDP echo round trips to the echo unikernel over TAP, beside
// Linux over veth.
//
// The benchmark builds its own little network out of namespaces and deletes it
// afterwards, so no packet leaves them:
//
//   client namespace  10.80.0.1 --TAP--> the echo unikernel (10.80.0.2)
//                     10.81.0.1 --veth-> peer namespace 10.81.0.2
//
// In the peer namespace the Linux kernel answers ping and a plain
// recvfrom/sendto loop (a child of this process) echoes UDP, which is what a
// Linux host doing the same job looks like. The client (this process, and
// the ping it starts) measures both targets in alternating rounds, so that
// whatever else the machine does falls on both. The client runs on CPU 0 and
// both echo servers on CPU 1, so that the client and the server it talks to
// never compete for a core.
//
// Needs root (namespaces, TAP); without it the benchmark says so and exits 2.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/host.hpp"
#include "bench/report.hpp"

#ifndef OASIS_ECHO_BINARY
#error "OASIS_ECHO_BINARY must name the echo unikernel's unix executable"
#endif

namespace {

using namespace oasis::bench;

constexpr const char* tap_name = "oasisbench0";
constexpr const char* client_tap_address = "10.80.0.1/24";
constexpr const char* oasis_address = "10.80.0.2";
constexpr const char* client_veth_address = "10.81.0.1/24";
constexpr const char* linux_address = "10.81.0.2";
constexpr std::uint16_t echo_port = 7;

constexpr int client_cpu = 0;
constexpr int server_cpu = 1;

// Rounds alternate between the targets; each is bounded by a count and a time.
constexpr int ping_rounds = 3;
constexpr int pings_per_round = 200;
constexpr int udp_rounds = 5;
constexpr int requests_per_round = 20000;
constexpr double seconds_per_round = 2.0;
constexpr int pipeline_window = 16;
constexpr int pipelined_per_round = 100000;
constexpr int payload_bytes = 64;
// A reply later than this counts as lost (and the window is refilled).
constexpr int reply_timeout_ms = 200;

volatile sig_atomic_t stop_requested = 0;

void request_stop(int) {
    stop_requested = 1;
}

std::int64_t now_nanoseconds() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1'000'000'000LL + now.tv_nsec;
}

// The value below which the given fraction of the samples lie (nearest rank).
double percentile(std::vector<double> samples, double fraction) {
    if (samples.empty()) {
        return std::nan("");
    }
    std::sort(samples.begin(), samples.end());
    auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(samples.size())));
    rank = std::clamp<std::size_t>(rank, 1, samples.size());
    return samples[rank - 1];
}

// Everything the benchmark sets up, torn down in reverse whatever happens.
struct Network {
    TapAndVethNetwork namespaces{"oasis-bench"};
    std::string log_path;
    pid_t oasis = -1;
    pid_t linux_server = -1;

    ~Network() {
        stop_child(oasis);
        stop_child(linux_server);
        if (!log_path.empty()) {
            std::remove(log_path.c_str());
        }
    }

    bool build() {
        return namespaces.build(tap_name, client_tap_address, "benchc", "benchs",
                                client_veth_address, std::string(linux_address) + "/24");
    }

    // The peer: the kernel's UDP through the plainest echo loop there is.
    bool start_linux_server() {
        linux_server = fork();
        if (linux_server < 0) {
            return false;
        }
        if (linux_server > 0) {
            return true;
        }
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        signal(SIGTERM, SIG_DFL);
        pin_to(server_cpu);
        if (!enter_namespace(namespaces.peer)) {
            _exit(1);
        }
        const int sock = socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(echo_port);
        address.sin_addr.s_addr = htonl(INADDR_ANY);
        if (sock < 0 || bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            _exit(1);
        }
        char buffer[65536];
        for (;;) {
            sockaddr_in from{};
            socklen_t from_length = sizeof from;
            const ssize_t length = recvfrom(sock, buffer, sizeof buffer, 0,
                                            reinterpret_cast<sockaddr*>(&from), &from_length);
            if (length >= 0) {
                sendto(sock, buffer, static_cast<std::size_t>(length), 0,
                       reinterpret_cast<sockaddr*>(&from), from_length);
            }
        }
    }

    // Oasis: the echo unikernel on the TAP in the client namespace.
    bool start_oasis(const std::string& binary) {
        char path[] = "/tmp/oasis-net-echo-XXXXXX";
        const int log = mkstemp(path);
        if (log < 0) {
            return false;
        }
        log_path = path;
        oasis = fork();
        if (oasis < 0) {
            return false;
        }
        if (oasis == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            signal(SIGTERM, SIG_DFL);
            pin_to(server_cpu);
            if (!enter_namespace(namespaces.client)) {
                _exit(1);
            }
            dup2(log, STDOUT_FILENO);
            dup2(log, STDERR_FILENO);
            const std::string service = std::string("--net:service=") + tap_name;
            const std::string ipv4 = std::string("--ipv4=") + oasis_address + "/24";
            const std::string port = "--port=" + std::to_string(echo_port);
            execl(binary.c_str(), binary.c_str(), service.c_str(), ipv4.c_str(), port.c_str(),
                  static_cast<char*>(nullptr));
            _exit(127);
        }
        close(log);
        const std::string ready = std::string("listening on ") + oasis_address + " port 7";
        for (int i = 0; i < 100 && !stop_requested; ++i) {
            std::ifstream file(log_path);
            std::stringstream text;
            text << file.rdbuf();
            if (text.str().find(ready) != std::string::npos) {
                return true;
            }
            if (waitpid(oasis, nullptr, WNOHANG) == oasis) {
                oasis = -1;
                std::fprintf(stderr, "net_echo: the echo unikernel exited early:\n%s\n",
                             text.str().c_str());
                return false;
            }
            usleep(100'000);
        }
        std::fprintf(stderr, "net_echo: the echo unikernel did not start in 10 s\n");
        return false;
    }
};

// Round-trip times in microseconds of `count` pings, from ping's own report.
std::vector<double> ping_times(const char* address, int count) {
    const std::string command =
        "ping -n -c " + std::to_string(count) + " -i 0.002 -W 1 " + address + " 2>&1";
    std::vector<double> times;
    FILE* output = popen(command.c_str(), "r");
    if (output == nullptr) {
        return times;
    }
    char line[512];
    while (std::fgets(line, sizeof line, output) != nullptr) {
        const char* time = std::strstr(line, "time=");
        if (time != nullptr) {
            times.push_back(std::strtod(time + 5, nullptr) * 1000.0);
        }
    }
    pclose(output);
    return times;
}

int connected_socket(const char* address) {
    const int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) {
        return -1;
    }
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(echo_port);
    inet_pton(AF_INET, address, &target.sin_addr);
    if (connect(sock, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
        close(sock);
        return -1;
    }
    return sock;
}

struct UdpRound {
    std::vector<double> rtts_us;
    double rate = 0;
    int lost = 0;
};

// One request outstanding at a time: each round trip is timed on its own,
// and the rate is how many complete in the round's time.
UdpRound closed_loop(const char* address) {
    UdpRound round;
    const int sock = connected_socket(address);
    if (sock < 0) {
        return round;
    }
    char request[payload_bytes] = {};
    char reply[2048];
    round.rtts_us.reserve(requests_per_round);
    const double start = now_seconds();
    int completed = 0;
    for (std::uint64_t sequence = 1; completed < requests_per_round &&
                                     now_seconds() - start < seconds_per_round && !stop_requested;
         ++sequence) {
        std::memcpy(request, &sequence, sizeof sequence);
        const std::int64_t sent = now_nanoseconds();
        if (send(sock, request, sizeof request, 0) < 0) {
            ++round.lost;
            continue;
        }
        for (;;) {
            pollfd waiting{sock, POLLIN, 0};
            if (poll(&waiting, 1, reply_timeout_ms) <= 0) {
                ++round.lost;
                break;
            }
            const ssize_t length = recv(sock, reply, sizeof reply, 0);
            std::uint64_t echoed = 0;
            if (length == payload_bytes) {
                std::memcpy(&echoed, reply, sizeof echoed);
            }
            if (echoed == sequence) {
                round.rtts_us.push_back(static_cast<double>(now_nanoseconds() - sent) / 1000.0);
                ++completed;
                break;
            }
            // A late reply to an earlier request: keep waiting for this one.
        }
    }
    round.rate = completed / (now_seconds() - start);
    close(sock);
    return round;
}

// `pipeline_window` requests outstanding: each reply sends the next request.
// A silence longer than the reply timeout counts the window as lost and
// refills it.
UdpRound pipelined(const char* address) {
    UdpRound round;
    const int sock = connected_socket(address);
    if (sock < 0) {
        return round;
    }
    char request[payload_bytes] = {};
    char reply[2048];
    std::uint64_t sequence = 0;
    auto send_one = [&] {
        ++sequence;
        std::memcpy(request, &sequence, sizeof sequence);
        (void)send(sock, request, sizeof request, 0);
    };
    const double start = now_seconds();
    int completed = 0;
    for (int i = 0; i < pipeline_window; ++i) {
        send_one();
    }
    while (completed < pipelined_per_round && now_seconds() - start < seconds_per_round &&
           !stop_requested) {
        pollfd waiting{sock, POLLIN, 0};
        if (poll(&waiting, 1, reply_timeout_ms) <= 0) {
            round.lost += pipeline_window;
            for (int i = 0; i < pipeline_window; ++i) {
                send_one();
            }
            continue;
        }
        while (recv(sock, reply, sizeof reply, MSG_DONTWAIT) == payload_bytes) {
            ++completed;
            send_one();
        }
    }
    round.rate = completed / (now_seconds() - start);
    close(sock);
    return round;
}

struct Totals {
    std::vector<double> ping_us;
    std::vector<double> udp_rtts_us;
    std::vector<double> closed_rates;
    std::vector<double> pipelined_rates;
    int udp_lost = 0;
};

void report_pair(const char* benchmark, const char* metric, double oasis, double linux_value,
                 const char* unit) {
    oasis::bench::report(benchmark, metric, oasis, unit, "linux_veth", linux_value);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string echo_binary = argc > 1 ? argv[1] : OASIS_ECHO_BINARY;
    if (!tap_benchmark_can_run("net_echo", echo_binary, "echo unikernel", {"ip", "ping"})) {
        return 2;
    }
    struct sigaction action {};
    action.sa_handler = request_stop;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);

    Totals oasis_totals;
    Totals linux_totals;
    {
        Network network;
        if (!network.build() || !network.start_linux_server() ||
            !network.start_oasis(echo_binary) || !enter_namespace(network.namespaces.client)) {
            std::printf("net_echo: could not set up the namespaces and servers\n");
            return 1;
        }
        pin_to(client_cpu);
        // Resolve ARP and wake both paths before anything is timed.
        ping_times(oasis_address, 3);
        ping_times(linux_address, 3);
        closed_loop(oasis_address);
        closed_loop(linux_address);

        for (int round = 0; round < ping_rounds && !stop_requested; ++round) {
            for (auto [address, totals] : {std::pair{oasis_address, &oasis_totals},
                                           std::pair{linux_address, &linux_totals}}) {
                std::vector<double> times = ping_times(address, pings_per_round);
                std::printf("ping %s round %d: %zu replies of %d\n", address, round, times.size(),
                            pings_per_round);
                totals->ping_us.insert(totals->ping_us.end(), times.begin(), times.end());
            }
        }
        for (int round = 0; round < udp_rounds && !stop_requested; ++round) {
            for (auto [address, totals] : {std::pair{oasis_address, &oasis_totals},
                                           std::pair{linux_address, &linux_totals}}) {
                UdpRound closed = closed_loop(address);
                UdpRound window = pipelined(address);
                std::printf(
                    "udp %s round %d: %zu round trips, %.0f/s closed loop, %.0f/s with %d "
                    "outstanding, %d lost\n",
                    address, round, closed.rtts_us.size(), closed.rate, window.rate,
                    pipeline_window, closed.lost + window.lost);
                totals->udp_rtts_us.insert(totals->udp_rtts_us.end(), closed.rtts_us.begin(),
                                           closed.rtts_us.end());
                totals->closed_rates.push_back(closed.rate);
                totals->pipelined_rates.push_back(window.rate);
                totals->udp_lost += closed.lost + window.lost;
            }
        }
        if (network.oasis > 0 && waitpid(network.oasis, nullptr, WNOHANG) == network.oasis) {
            network.oasis = -1;
            std::printf("net_echo: the echo unikernel died during the run\n");
            return 1;
        }
    }
    if (stop_requested) {
        std::printf("net_echo: stopped by a signal\n");
        return 1;
    }
    if (oasis_totals.ping_us.empty() || linux_totals.ping_us.empty() ||
        oasis_totals.udp_rtts_us.empty() || linux_totals.udp_rtts_us.empty()) {
        std::printf("net_echo: a target did not answer\n");
        return 1;
    }
    std::printf("lost UDP requests: oasis %d, linux %d\n", oasis_totals.udp_lost,
                linux_totals.udp_lost);

    report_pair("net_echo_ping", "rtt_median", oasis::bench::median(oasis_totals.ping_us),
                oasis::bench::median(linux_totals.ping_us), "us");
    report_pair("net_echo_ping", "rtt_p99", percentile(oasis_totals.ping_us, 0.99),
                percentile(linux_totals.ping_us, 0.99), "us");
    report_pair("net_echo_udp", "rtt_median", oasis::bench::median(oasis_totals.udp_rtts_us),
                oasis::bench::median(linux_totals.udp_rtts_us), "us");
    report_pair("net_echo_udp", "rtt_p99", percentile(oasis_totals.udp_rtts_us, 0.99),
                percentile(linux_totals.udp_rtts_us, 0.99), "us");
    report_pair("net_echo_udp", "throughput_1_outstanding",
                oasis::bench::median(oasis_totals.closed_rates),
                oasis::bench::median(linux_totals.closed_rates), "requests/s");
    const std::string pipelined_metric =
        "throughput_" + std::to_string(pipeline_window) + "_outstanding";
    report_pair("net_echo_udp", pipelined_metric.c_str(),
                oasis::bench::median(oasis_totals.pipelined_rates),
                oasis::bench::median(linux_totals.pipelined_rates), "requests/s");
    return 0;
}
