// The echo unikernel: every UDP datagram and every TCP byte to the port goes back to its sender.
#include "generated/unikernel.hpp"

#include <string_view>
#include <utility>
#include <vector>

#include "core/format.hpp"
#include "core/log.hpp"
#include "core/scheduler.hpp"
#include "core/wait_list.hpp"

namespace echo {

namespace {

constinit oasis::LogSource log{"echo"};

// One read's worth: a quarter of the default receive window, so a bulk
// sender is drained in a few calls per window.
constexpr std::size_t read_size = 64 * 1024;

// The TCP side of the service. It lives in start()'s frame, which outlives
// every task that points to it: start() cancels and joins them all before
// it returns.
struct TcpService {
    oasis::net::TcpListener listener;
    std::size_t max_connections = 0;
    std::size_t active = 0;
    // The accept loop, while every slot is taken; woken when a connection ends.
    oasis::WaitList slot_freed;
    std::vector<oasis::JoinHandle> connections;
    std::uint64_t served = 0;
};

// Echoes one connection (RFC 862, "TCP Based Echo Service") until the
// peer's FIN, then closes it: the FIN follows the last echoed byte. A
// peer that sends without reading is slowed by TCP's own backpressure:
// write() waits for send-buffer room, so reading stops and our receive
// window closes.
oasis::Task<void> echo_connection(oasis::net::TcpStream stream, TcpService* service) {
    const oasis::net::TcpTuple tuple = stream.tuple();
    log.debug("tcp {}: connected ({} of {} slots in use)", tuple, service->active,
              service->max_connections);
    std::vector<std::byte> buffer(read_size);
    std::uint64_t echoed = 0;
    std::string_view outcome = "closed";
    for (;;) {
        // (No co_await inside CO_TRY: GCC 12 cannot compile it.)
        auto count = co_await stream.read(oasis::MutableByteView{buffer});
        if (!count) {
            outcome = "failed reading";
            log.debug("tcp {}: read: {}", tuple, count.error());
            break;
        }
        if (*count == 0) {
            break;  // the peer's FIN: everything it sent has been echoed
        }
        auto written = co_await stream.write(oasis::ByteView{buffer.data(), *count});
        if (!written) {
            outcome = "failed writing";
            log.debug("tcp {}: write: {}", tuple, written.error());
            break;
        }
        echoed += *count;
    }
    const oasis::net::TcpConnectionStats& stats = stream.connection().stats();
    log.debug(
        "tcp {}: {} after {} bytes (segments in {} out {}, retransmitted {}, fast retransmits {}, "
        "timeouts {}, out of order {}, duplicate segments {}, duplicate acks {})",
        tuple, outcome, echoed, stats.segments_received, stats.segments_sent,
        stats.retransmitted_segments, stats.fast_retransmits, stats.retransmission_timeouts,
        stats.out_of_order, stats.duplicate_segments, stats.duplicate_acks);
    stream.close();
    --service->active;
    oasis::Scheduler::current().wake_one(service->slot_freed);
}

// Accepts connections for ever, one task each, at most max_connections at
// once; while all are taken, new connections wait in the listen backlog.
oasis::Task<void> accept_connections(TcpService* service) {
    oasis::Scheduler& scheduler = oasis::Scheduler::current();
    for (;;) {
        while (service->active >= service->max_connections) {
            co_await oasis::wait_on(service->slot_freed);
        }
        auto stream = co_await service->listener.accept();
        if (!stream) {
            log.info("tcp: the listener closed: {}", stream.error());
            co_return;
        }
        std::erase_if(service->connections,
                      [](const oasis::JoinHandle& handle) { return handle.finished(); });
        ++service->active;
        ++service->served;
        service->connections.push_back(
            scheduler.spawn(echo_connection(std::move(*stream), service)));
    }
}

// Logs the stack's TCP counters every `interval`, for operators and for
// tests that check what the stack did (SYN cookies under a flood, say).
oasis::Task<void> log_statistics(const oasis::net::Stack* stack, const TcpService* service,
                                 oasis::Duration interval) {
    for (;;) {
        co_await oasis::sleep_for(interval);
        const oasis::net::TcpStats& tcp = stack->tcp().stats();
        log.info(
            "tcp stats: connections {} active {} served {} syn_received {} syn_queue_overflows {} "
            "cookies_sent {} cookies_accepted {} cookies_rejected {} accept_queue_overflows {} "
            "listen_drops {} resets_sent {} no_socket {} send_failures {} bad_checksum {}",
            stack->tcp().connection_count(), service->active, service->served, tcp.syn_received,
            tcp.syn_queue_overflows, tcp.cookies_sent, tcp.cookies_accepted, tcp.cookies_rejected,
            tcp.accept_queue_overflows, tcp.listen_drops, tcp.resets_sent, tcp.no_socket,
            tcp.send_failures, stack->stats().tcp_bad_checksum);
    }
}

// The UDP echo: every datagram goes back to where it came from, until the
// stack stops.
oasis::Task<void> echo_datagrams(oasis::net::UdpSocket socket) {
    for (;;) {
        auto datagram = co_await socket.receive();
        if (!datagram) {
            if (datagram.error() == oasis::net::UdpError::closed) {
                co_return;
            }
            continue;  // an ICMP error about an earlier reply: nothing to do
        }
        auto sent = co_await socket.send_to(datagram->source, datagram->source_port,
                                            oasis::ByteView{datagram->payload});
        (void)sent;  // a reply that cannot go (no route, no buffers) is dropped, as UDP may
    }
}

}  // namespace

// The unikernel's entry, the same source on every target: starts the stack,
// then for ever sends every UDP datagram that arrives on `port` back to
// where it came from, and echoes every TCP connection to `port` until the
// peer's FIN, then closes it; at most `max_connections` at once, so a crowd
// of clients cannot spawn unbounded tasks (the rest wait in the backlog).
// Returns 1 if the service cannot start.
oasis::Task<int> start(oasis::dev::Console& console, oasis::net::Stack& stack,
                       Arguments arguments) {
    // The manifest bounds it to 1..65535.
    const auto port = static_cast<std::uint16_t>(arguments.port);
    stack.start();
    if (!co_await stack.wait_configured(arguments.dhcp_timeout)) {
        console.write("echo: no IPv4 address (no DHCP lease)\n");
        co_return 1;
    }
    auto socket = stack.udp_bind(port);
    if (!socket) {
        console.write(oasis::format("echo: cannot bind UDP port {}: {}\n", port, socket.error()));
        co_return 1;
    }
    auto listener = stack.tcp_listen(port, arguments.backlog);
    if (!listener) {
        console.write(
            oasis::format("echo: cannot listen on TCP port {}: {}\n", port, listener.error()));
        co_return 1;
    }
    TcpService service;
    service.listener = std::move(*listener);
    service.max_connections = arguments.max_connections;
    oasis::Scheduler& scheduler = oasis::Scheduler::current();
    oasis::JoinHandle acceptor = scheduler.spawn(accept_connections(&service));
    oasis::JoinHandle statistics;
    if (arguments.stats_interval > oasis::Duration{0}) {
        statistics = scheduler.spawn(log_statistics(&stack, &service, arguments.stats_interval));
    }
    console.write(
        oasis::format("echo: listening on {} port {}\n", stack.address()->address(), port));

    // Returns when the stack stops and closes the socket.
    co_await echo_datagrams(std::move(*socket));

    // The tasks point into this frame and hold sockets of the stack, which
    // the caller destroys after we return: end them all first.
    std::vector<oasis::JoinHandle> tasks = std::move(service.connections);
    tasks.push_back(acceptor);
    tasks.push_back(statistics);
    for (oasis::JoinHandle& task : tasks) {
        task.cancel();
    }
    for (oasis::JoinHandle& task : tasks) {
        co_await task.join();
    }
    co_return 0;
}

}  // namespace echo
