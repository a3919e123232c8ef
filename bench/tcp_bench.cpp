// TCP benchmark in memory: bulk throughput and connection rate between two Oasis stacks, beside
// Linux's TCP over loopback, in one thread each.
//
// Oasis: two Stacks in one process on the real clock (UnixPlatform), joined
// by MemoryLink, a pair of NetDevices that hands each frame straight to the
// other end (one copy, into the receiver's packet pool, as a NIC's DMA
// would). Nothing else is in the path: no fault model, no switch, no
// virtual clock, so the time measured is the stacks' — Ethernet, ARP, IPv4,
// TCP with its checksums, timers and coroutines on both ends.
//
// Linux: a client and a server socket over 127.0.0.1, driven from one
// thread with non-blocking calls and poll(), as the Oasis pair is driven by
// one scheduler. Both run on CPU 0. When the benchmark runs as root it first
// moves into a network namespace of its own, whose loopback it sets to
// Oasis's MTU (1500): the comparison is then per 1500-byte packet on both
// sides. Loopback's default MTU (65536) is measured too, for reference.
// Linux skips TCP checksums on loopback; Oasis computes them.
//
// Results: throughput (Mbit/s, higher is better) and connections per
// second (a connect, the server's accept, and both closes; higher is better).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "bench/report.hpp"
#include "core/packet.hpp"
#include "core/scheduler.hpp"
#include "dev/net.hpp"
#include "net/fault/packet_copy.hpp"
#include "net/stack.hpp"
#include "targets/unix/platform.hpp"

namespace {

using namespace std::chrono_literals;
using oasis::Instant;
using oasis::Packet;
using oasis::PacketPool;
using oasis::Task;
using oasis::net::Ipv4Address;
using oasis::net::Ipv4Prefix;

constexpr int rounds = 3;
constexpr std::size_t bulk_bytes = 256u << 20;
constexpr std::size_t write_size = 64 * 1024;
constexpr int connections_per_round = 2000;
constexpr std::uint16_t bulk_port = 5001;
constexpr std::uint16_t connect_port = 5002;

constexpr Ipv4Address address_a = Ipv4Address::from_octets(10, 0, 0, 1);
constexpr Ipv4Address address_b = Ipv4Address::from_octets(10, 0, 0, 2);

double now_seconds() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

void pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    (void)sched_setaffinity(0, sizeof set, &set);
}

// --- Oasis --------------------------------------------------------------

// One end of an in-memory Ethernet cable. transmit() queues each frame at
// the other end (up to a limit, past which it refuses, as a full NIC ring
// does) and wakes its receiver; receive() copies frames into the caller's
// pool and lets a refused sender go on.
class MemoryLink final : public oasis::dev::NetDevice {
public:
    static constexpr std::size_t queue_limit = 512;

    explicit MemoryLink(oasis::dev::MacAddress mac) : m_mac(mac) {}
    void connect(MemoryLink& peer) { m_peer = &peer; }

    oasis::dev::MacAddress mac() const override { return m_mac; }
    std::size_t mtu() const override { return 1500; }

    oasis::Result<std::size_t, oasis::dev::NetError> receive(PacketPool& pool,
                                                             std::span<Packet> frames) override {
        std::size_t count = 0;
        while (count < frames.size() && !m_queue.empty()) {
            std::optional<Packet> copy = oasis::net::copy_to_pool(pool, m_queue.front()->data());
            if (!copy) {
                break;  // the receiver's pool is dry: the frame waits
            }
            m_stats.received_frames += 1;
            frames[count++] = std::move(*copy);
            m_queue.pop_front();
        }
        if (count > 0 && m_peer->has_transmit_waiters()) {
            m_peer->notify_transmittable();
        }
        return count;
    }

    oasis::Result<std::size_t, oasis::dev::NetError> transmit(std::span<Packet> frames) override {
        std::size_t count = 0;
        for (Packet& frame : frames) {
            if (m_peer->m_queue.size() >= queue_limit) {
                break;
            }
            m_stats.transmitted_frames += 1;
            m_peer->m_queue.push_back(std::move(frame));
            ++count;
        }
        if (count > 0) {
            m_peer->notify_receivable();
        }
        return count;
    }

private:
    oasis::dev::MacAddress m_mac;
    MemoryLink* m_peer = nullptr;
    // Frames in flight to this end, still in the sender's buffers.
    std::deque<Packet> m_queue;
};

struct OasisPair {
    oasis::unix_target::UnixPlatform platform;
    oasis::Scheduler scheduler{platform};
    PacketPool pool_a{4096};
    PacketPool pool_b{4096};
    oasis::crypto::ChaChaRng random_a{oasis::crypto::ChaChaRng::Seed{std::byte{1}}};
    oasis::crypto::ChaChaRng random_b{oasis::crypto::ChaChaRng::Seed{std::byte{2}}};
    MemoryLink link_a{{{0x02, 0, 0, 0, 0, 1}}};
    MemoryLink link_b{{{0x02, 0, 0, 0, 0, 2}}};
    std::unique_ptr<oasis::net::Stack> a;
    std::unique_ptr<oasis::net::Stack> b;

    OasisPair() {
        link_a.connect(link_b);
        link_b.connect(link_a);
        a = std::make_unique<oasis::net::Stack>(
            link_a, pool_a, oasis::net::StackConfig{Ipv4Prefix{address_a, 24}, {}}, random_a);
        b = std::make_unique<oasis::net::Stack>(
            link_b, pool_b, oasis::net::StackConfig{Ipv4Prefix{address_b, 24}, {}}, random_b);
    }
};

Task<void> oasis_sink(oasis::net::TcpListener* listener, std::size_t* received, double* done) {
    auto accepted = co_await listener->accept();
    if (!accepted) {
        co_return;
    }
    std::vector<std::byte> buffer(write_size);
    for (;;) {
        auto count = co_await accepted->read(oasis::MutableByteView{buffer});
        if (!count || *count == 0) {
            break;
        }
        *received += *count;
    }
    *done = now_seconds();
}

Task<int> oasis_bulk_main(OasisPair* pair, std::vector<double>* rates) {
    pair->a->start();
    pair->b->start();
    std::vector<std::byte> block(write_size, std::byte{0x5a});
    for (int round = 0; round < rounds; ++round) {
        auto listener = pair->b->tcp_listen(bulk_port);
        if (!listener) {
            co_return 1;
        }
        std::size_t received = 0;
        double done = 0;
        oasis::JoinHandle sink =
            oasis::Scheduler::current().spawn(oasis_sink(&*listener, &received, &done));
        auto connected = co_await pair->a->tcp_connect(address_b, bulk_port, 5s);
        if (!connected) {
            std::fprintf(stderr, "tcp_bench: oasis connect: %s\n",
                         std::string(oasis::net::tcp_error_name(connected.error())).c_str());
            co_return 1;
        }
        const double start = now_seconds();
        for (std::size_t sent = 0; sent < bulk_bytes; sent += write_size) {
            if (!co_await connected->write(oasis::ByteView{block})) {
                co_return 1;
            }
        }
        connected->shutdown();
        co_await sink.join();
        if (received != bulk_bytes) {
            std::fprintf(stderr, "tcp_bench: oasis received %zu of %zu bytes\n", received,
                         bulk_bytes);
            co_return 1;
        }
        rates->push_back(static_cast<double>(bulk_bytes) * 8 / (done - start) / 1e6);
        std::printf("oasis bulk round %d: %.0f Mbit/s\n", round, rates->back());
    }
    co_return 0;
}

Task<void> oasis_acceptor(oasis::net::TcpListener* listener, int count, int* served) {
    std::byte byte{};
    for (int index = 0; index < count; ++index) {
        auto accepted = co_await listener->accept();
        if (!accepted) {
            co_return;
        }
        // Until the client's FIN, then close: the server half of a transaction.
        auto read = co_await accepted->read(oasis::MutableByteView{std::span{&byte, 1}});
        (void)read;
        ++*served;
    }
}

Task<int> oasis_connect_main(OasisPair* pair, std::vector<double>* rates) {
    auto listener = pair->b->tcp_listen(connect_port, 1024);
    if (!listener) {
        co_return 1;
    }
    std::byte byte{};
    for (int round = 0; round < rounds; ++round) {
        int served = 0;
        oasis::JoinHandle acceptor = oasis::Scheduler::current().spawn(
            oasis_acceptor(&*listener, connections_per_round, &served));
        const double start = now_seconds();
        for (int index = 0; index < connections_per_round; ++index) {
            auto connected = co_await pair->a->tcp_connect(address_b, connect_port, 5s);
            if (!connected) {
                std::fprintf(stderr, "tcp_bench: oasis connect %d: %s\n", index,
                             std::string(oasis::net::tcp_error_name(connected.error())).c_str());
                co_return 1;
            }
            // Close our half and wait for the server's: a whole transaction.
            connected->shutdown();
            (void)co_await connected->read(oasis::MutableByteView{std::span{&byte, 1}});
        }
        co_await acceptor.join();
        const double elapsed = now_seconds() - start;
        if (served != connections_per_round) {
            co_return 1;
        }
        rates->push_back(connections_per_round / elapsed);
        std::printf("oasis connections round %d: %.0f/s\n", round, rates->back());
    }
    co_return 0;
}

// --- Linux ----------------------------------------------------------------

int listening_socket(std::uint16_t port) {
    const int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(sock, 1024) != 0) {
        std::perror("tcp_bench: bind/listen");
        std::exit(1);
    }
    return sock;
}

int connect_to(std::uint16_t port) {
    const int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        std::perror("tcp_bench: connect");
        std::exit(1);
    }
    return sock;
}

// One thread drives both ends: send while the socket takes data, read
// while there is some, and poll() when neither can move.
double linux_bulk_round(std::uint16_t port) {
    const int listener = listening_socket(port);
    const int client = connect_to(port);
    const int server = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    fcntl(client, F_SETFL, O_NONBLOCK);
    fcntl(server, F_SETFL, O_NONBLOCK);
    std::vector<char> block(write_size, 0x5a);
    std::vector<char> buffer(write_size);
    std::size_t sent = 0;
    std::size_t received = 0;
    bool shut = false;
    const double start = now_seconds();
    while (received < bulk_bytes) {
        bool moved = false;
        while (sent < bulk_bytes) {
            const ssize_t count =
                send(client, block.data(), std::min(write_size, bulk_bytes - sent), MSG_NOSIGNAL);
            if (count <= 0) {
                break;
            }
            sent += static_cast<std::size_t>(count);
            moved = true;
        }
        if (sent == bulk_bytes && !shut) {
            shutdown(client, SHUT_WR);
            shut = true;
        }
        for (;;) {
            const ssize_t count = recv(server, buffer.data(), buffer.size(), 0);
            if (count <= 0) {
                break;
            }
            received += static_cast<std::size_t>(count);
            moved = true;
        }
        if (!moved) {
            pollfd waiting[2] = {{client, static_cast<short>(sent < bulk_bytes ? POLLOUT : 0), 0},
                                 {server, POLLIN, 0}};
            poll(waiting, 2, 100);
        }
    }
    const double elapsed = now_seconds() - start;
    close(client);
    close(server);
    close(listener);
    return static_cast<double>(bulk_bytes) * 8 / elapsed / 1e6;
}

// The same transaction as Oasis's: connect, the server accepts, the client
// shuts its half, the server sees the end and closes, the client sees it.
double linux_connect_round(std::uint16_t port) {
    const int listener = listening_socket(port);
    char byte = 0;
    const double start = now_seconds();
    for (int index = 0; index < connections_per_round; ++index) {
        const int client = connect_to(port);
        const int server = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        shutdown(client, SHUT_WR);
        (void)!read(server, &byte, 1);
        close(server);
        (void)!read(client, &byte, 1);
        close(client);
    }
    const double elapsed = now_seconds() - start;
    close(listener);
    return connections_per_round / elapsed;
}

// With root: a network namespace of this process's own, its loopback at
// `mtu`. Returns false (and leaves everything as it was) without root.
bool own_loopback(int mtu) {
    static bool unshared = false;
    if (!unshared) {
        if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
            return false;
        }
        unshared = true;
    }
    const std::string command = "ip link set lo up mtu " + std::to_string(mtu);
    return std::system(command.c_str()) == 0;
}

}  // namespace

int main() {
    pin_to(0);
    std::vector<double> oasis_rates;
    std::vector<double> oasis_connections;
    {
        OasisPair pair;
        const bool failed = pair.scheduler.run(oasis_bulk_main(&pair, &oasis_rates)) != 0 ||
                            pair.scheduler.run(oasis_connect_main(&pair, &oasis_connections)) != 0;
        // The stacks' loops were cancelled: let their frames go while the stacks exist.
        pair.a->stop();
        pair.b->stop();
        pair.scheduler.run_until_idle();
        if (failed) {
            std::printf("tcp_bench: the Oasis run failed\n");
            return 1;
        }
    }

    struct Peer {
        std::string name;
        std::vector<double> rates;
        std::vector<double> connections;
    };
    std::vector<Peer> peers;
    std::uint16_t port = 6000;
    for (int mtu : {1500, 65536}) {
        Peer peer;
        if (own_loopback(mtu)) {
            peer.name = "linux_loopback_mtu" + std::to_string(mtu);
        } else if (mtu == 1500) {
            std::printf("tcp_bench: not root: Linux is measured on the host's loopback\n");
            peer.name = "linux_loopback";
        } else {
            break;
        }
        for (int round = 0; round < rounds; ++round) {
            peer.rates.push_back(linux_bulk_round(port++));
            peer.connections.push_back(linux_connect_round(port++));
            std::printf("%s round %d: %.0f Mbit/s, %.0f connections/s\n", peer.name.c_str(), round,
                        peer.rates.back(), peer.connections.back());
        }
        peers.push_back(std::move(peer));
    }

    for (const Peer& peer : peers) {
        oasis::bench::report("tcp_memory_bulk", "throughput", oasis::bench::median(oasis_rates),
                             "Mbit/s", peer.name, oasis::bench::median(peer.rates));
    }
    for (const Peer& peer : peers) {
        oasis::bench::report("tcp_memory_connect", "connections_per_second",
                             oasis::bench::median(oasis_connections), "connections/s", peer.name,
                             oasis::bench::median(peer.connections));
    }
    return 0;
}
