// TcpTable: the connections and listeners of one stack — demultiplexing, LISTEN, SYN cookies,
// timers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "core/crypto/random.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "core/wait_list.hpp"
#include "net/tcp/connection.hpp"
#include "net/tcp/isn.hpp"
#include "net/tcp/syn_cookie.hpp"
#include "net/tcp/tuple.hpp"
#include "net/wire/tcp.hpp"

namespace oasis::net {

// What the stack does for TCP: route and transmit one segment.
class TcpTransmitter {
public:
    virtual ~TcpTransmitter() = default;
    // Sends `segment` from tuple.local to tuple.remote; `connection` supplies
    // the payload (copy_payload), or is null for a segment without one.
    // False when no buffer or queue room was left: the segment is lost, and
    // TCP's retransmission covers it as any loss.
    virtual bool send_tcp(const TcpTuple& tuple, const TcpOutgoing& segment,
                          const TcpConnection* connection) = 0;
    // Whether send_tcp() would find buffer and queue room now. When it would
    // not, the table holds segments back in their connections and waits for
    // on_transmit_space(), instead of losing them to a full queue.
    virtual bool tcp_can_send() const = 0;
    // The earliest TCP deadline moved earlier: rearm the timer.
    virtual void tcp_deadline_changed() = 0;
};

struct TcpTableOptions {
    // Half-open connections per listener before SYN cookies answer instead
    // (RFC 4987 §3.6); Linux's tcp_max_syn_backlog is of the same order.
    std::size_t syn_backlog = 256;
    std::size_t max_connections = 16384;
    bool syn_cookies = true;
};

struct TcpStats {
    std::uint64_t segments_received = 0;
    std::uint64_t segments_sent = 0;
    std::uint64_t send_failures = 0;  // no buffer for a segment
    std::uint64_t malformed = 0;      // counted by the stack, which parses
    std::uint64_t bad_checksum = 0;   // counted by the stack
    std::uint64_t no_socket = 0;      // answered with a RST (RFC 9293 §3.10.7.1)
    std::uint64_t resets_sent = 0;
    std::uint64_t listen_drops = 0;  // segments LISTEN ignores
    std::uint64_t syn_received = 0;
    std::uint64_t syn_queue_overflows = 0;  // answered with a cookie instead
    std::uint64_t accept_queue_overflows = 0;
    std::uint64_t cookies_sent = 0;
    std::uint64_t cookies_accepted = 0;
    std::uint64_t cookies_rejected = 0;
    std::uint64_t connection_limit = 0;  // SYNs refused: max_connections reached
    std::uint64_t time_wait_reused = 0;  // RFC 6191
    std::uint64_t active_opens = 0;
    std::uint64_t passive_opens = 0;
    std::uint64_t connections_closed = 0;
    std::uint64_t icmp_errors = 0;     // destination unreachable about a connection
    std::uint64_t icmp_unmatched = 0;  // ... about no connection we have
};

struct TcpListenerState;

// One connection and the app's view of it. Lives in the table at a stable
// address while the connection or a socket handle needs it.
struct TcpEndpoint {
    std::unique_ptr<TcpConnection> connection;
    WaitList waiters;  // readers, writers and connect(): woken on every change
    // A socket handle refers to it; without one a closed connection is freed.
    bool attached = false;
    // The listener a passive connection belongs to until accept() takes it.
    TcpListenerState* listener = nullptr;
    bool queued_for_accept = false;
    bool transmit_blocked = false;  // has segments to send once there is room
    std::optional<Instant> armed_deadline;
};

// A port in LISTEN.
struct TcpListenerState {
    std::uint16_t port = 0;
    std::size_t backlog = 0;
    TcpConfig config;
    std::size_t half_open = 0;
    std::deque<TcpEndpoint*> accept_queue;  // established, waiting for accept()
    WaitList acceptors;
    bool closed = false;
};

// Contract: the transmitter and random generator outlive the table; the
// table outlives the sockets that refer to it.
class TcpTable {
public:
    static constexpr std::uint16_t ephemeral_first = 49152;  // RFC 6335 §6
    static constexpr std::uint16_t ephemeral_last = 65535;

    TcpTable(TcpTransmitter& transmitter, crypto::ChaChaRng& random, TcpTableOptions options = {});
    TcpTable(const TcpTable&) = delete;
    TcpTable& operator=(const TcpTable&) = delete;
    ~TcpTable();

    // A segment for one of our addresses whose checksum verified.
    void on_segment(Ipv4Address source, Ipv4Address destination, const TcpSegment& segment,
                    const TcpOptions& options, Instant now);
    void on_timer(Instant now);
    std::optional<Instant> next_deadline() const;
    // An ICMP destination unreachable about a segment `tuple` sent with
    // `sequence` (the 8 bytes of the transport header RFC 792 quotes).
    void on_unreachable(const TcpTuple& tuple, SequenceNumber sequence, bool hard, Instant now);
    // The transmitter has room again: connections held back send now.
    void on_transmit_space(Instant now);

    // LISTEN on `port` of every local address. `config` is what accepted
    // connections start with.
    Result<TcpListenerState*, TcpError> listen(std::uint16_t port, std::size_t backlog,
                                               const TcpConfig& config);
    void close_listener(TcpListenerState& listener, Instant now);
    // An active open from `local` (port 0: an ephemeral one) to `remote`.
    Result<TcpEndpoint*, TcpError> connect(Ipv4Address local, Ipv4Address remote,
                                           std::uint16_t remote_port, std::uint16_t local_port,
                                           const TcpConfig& config, Instant now);
    // The next established connection of `listener`, if any.
    TcpEndpoint* take_accepted(TcpListenerState& listener);

    // After the app acted on a connection: transmit, rearm, wake, reap.
    void service(TcpEndpoint& endpoint, Instant now);
    // The app drops its handle (after close() or abort() on the connection).
    void detach(TcpEndpoint& endpoint, Instant now);
    // Every connection aborted and every listener closed; waiters woken.
    void close_all(Instant now);

    std::size_t connection_count() const { return m_connections.size(); }
    const TcpEndpoint* find(const TcpTuple& tuple) const;
    const TcpStats& stats() const { return m_stats; }

private:
    using TimerKey = std::pair<Instant, TcpEndpoint*>;

    void on_listen(TcpListenerState& listener, const TcpTuple& tuple, const TcpIncoming& segment,
                   Instant now);
    void answer_with_cookie(const TcpListenerState& listener, const TcpTuple& tuple,
                            const TcpIncoming& syn, Instant now);
    void accept_cookie(TcpListenerState& listener, const TcpTuple& tuple, const TcpIncoming& ack,
                       Instant now);
    void send_reset_for(const TcpTuple& tuple, const TcpIncoming& segment);
    TcpEndpoint& insert(std::unique_ptr<TcpConnection> connection);
    void erase(TcpEndpoint& endpoint);
    void wake(TcpEndpoint& endpoint);
    TcpListenerState* find_listener(std::uint16_t port);
    std::optional<std::uint16_t> pick_ephemeral_port(Ipv4Address local, Ipv4Address remote,
                                                     std::uint16_t remote_port);
    void transmit(const TcpTuple& tuple, const TcpOutgoing& segment,
                  const TcpConnection* connection);

    TcpTransmitter& m_transmitter;
    crypto::ChaChaRng& m_random;
    TcpTableOptions m_options;
    TcpInitialSequence m_initial_sequence;
    TcpSynCookies m_cookies;
    std::map<TcpTuple, std::unique_ptr<TcpEndpoint>> m_connections;
    std::map<std::uint16_t, std::unique_ptr<TcpListenerState>> m_listeners;
    std::set<TimerKey> m_timers;
    std::vector<TcpEndpoint*> m_transmit_blocked;
    // When a cookie was last sent: only then is a bare ACK to a listener
    // checked as one.
    std::optional<Instant> m_last_cookie_sent;
    TcpStats m_stats;
};

// std::map orders tuples; any total order will do.
bool operator<(const TcpTuple& left, const TcpTuple& right);

}  // namespace oasis::net
