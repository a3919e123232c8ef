// TcpConnection: one connection's state machine (RFC 9293 §3.10), sans-IO.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/buffer.hpp"
#include "core/time.hpp"
#include "net/tcp/buffer.hpp"
#include "net/tcp/congestion.hpp"
#include "net/tcp/rtt.hpp"
#include "net/tcp/sack.hpp"
#include "net/tcp/syn_cookie.hpp"
#include "net/tcp/tuple.hpp"
#include "net/wire/tcp.hpp"

namespace oasis::net {

// RFC 9293 §3.3.2. LISTEN belongs to listeners (net/tcp/table.hpp): a
// connection starts in SYN-SENT or SYN-RECEIVED, or ESTABLISHED from a cookie.
enum class TcpState : std::uint8_t {
    closed,
    listen,
    syn_sent,
    syn_received,
    established,
    fin_wait_1,
    fin_wait_2,
    close_wait,
    closing,
    last_ack,
    time_wait,
};

std::string_view tcp_state_name(TcpState state);
void format_value(std::string& out, TcpState state);

// Why a connection ended other than by an orderly close, or why the socket
// API refused a call.
enum class TcpError : std::uint8_t {
    refused,    // a RST answered our SYN (RFC 9293 §3.10.7.3)
    reset,      // the peer reset an established connection
    timed_out,  // retransmissions or keepalive probes went unanswered, or the user timeout passed
    // As timed_out, after ICMP said the destination is unreachable (RFC 1122
    // §4.2.3.9's soft errors), or at once when it said port or protocol
    // unreachable to our SYN.
    unreachable,
    aborted,  // this side called abort()
    closed,   // the socket or listener was closed, or the stack stopped
    port_in_use,
    no_free_port,      // every ephemeral port to that destination is taken
    no_address,        // the interface has no IPv4 address yet
    connection_limit,  // the table holds TcpTableOptions::max_connections
};

std::string_view tcp_error_name(TcpError error);
void format_value(std::string& out, TcpError error);

// Keepalive probing (RFC 1122 §4.2.3.6): off unless a socket asks. Times
// under a second count as one second.
struct TcpKeepalive {
    Duration idle = std::chrono::hours(2);  // RFC 1122's minimum default
    Duration interval = std::chrono::seconds(75);
    std::uint32_t probes = 9;
};

// Per-connection tunables; the defaults suit a server on a LAN or the
// internet. Every size is in bytes.
struct TcpConfig {
    std::size_t send_buffer = 256 * 1024;
    std::size_t receive_buffer = 256 * 1024;
    // Out-of-order data is held in the receive buffer as at most this many
    // disjoint ranges: a flood of tiny segments cannot use more.
    std::size_t max_out_of_order_ranges = 16;
    TcpCongestionAlgorithm congestion = TcpCongestionAlgorithm::cubic;
    TcpRttLimits rtt{};
    // Our MSS option: the interface MTU less 40 bytes of IPv4 and TCP headers
    // (RFC 9293 §3.7.1). The stack sets it.
    std::uint16_t maximum_segment_size = 1460;
    bool window_scaling = true;  // RFC 7323 §2
    bool timestamps = true;      // RFC 7323 §3
    bool selective_ack = true;   // RFC 2018
    bool no_delay = false;       // true: Nagle's algorithm off (RFC 9293 §3.7.4)
    // RFC 1122 §4.2.3.2: at most every second full-sized segment and at most
    // 500 ms; the issue asks for 200 ms at most, Linux uses 40 ms.
    Duration delayed_ack = std::chrono::milliseconds(40);
    // 2·MSL (RFC 9293 §3.4.2). MSL is 30 s here, as on Linux.
    Duration time_wait = std::chrono::seconds(60);
    // An orphaned connection (closed by the app) waits this long in
    // FIN-WAIT-2 for the peer's FIN, as Linux's tcp_fin_timeout.
    Duration fin_wait_2_timeout = std::chrono::seconds(60);
    // RFC 9293 §3.8.3 R2: give up after this many retransmissions of one
    // segment (Linux tcp_retries2 = 15), or of a SYN (tcp_syn_retries = 6).
    std::uint32_t max_retransmissions = 15;
    std::uint32_t max_syn_retransmissions = 6;
    // RFC 5482's user timeout: give up when data stays unacknowledged this
    // long. Zero: only max_retransmissions applies.
    Duration user_timeout{};
    std::optional<TcpKeepalive> keepalive;
    // RFC 5961 §7: challenge ACKs are rate limited, per connection.
    std::uint32_t challenge_acks_per_second = 10;
};

// A received segment, parsed.
struct TcpIncoming {
    TcpFields fields;
    TcpOptions options;
    ByteView payload;

    std::uint32_t sequence_length() const;  // payload, plus one each for SYN and FIN
};

// A segment the connection wants sent. The payload is `payload_size` bytes
// of the send buffer from `payload_offset`: copy it with copy_payload().
struct TcpOutgoing {
    TcpFields fields;
    TcpOptions options;
    std::size_t payload_offset = 0;
    std::size_t payload_size = 0;
};

struct TcpConnectionStats {
    std::uint64_t segments_received = 0;
    std::uint64_t segments_sent = 0;
    std::uint64_t bytes_received = 0;  // in order, delivered to the buffer
    std::uint64_t bytes_sent = 0;      // new data, first transmissions
    std::uint64_t retransmitted_segments = 0;
    std::uint64_t retransmission_timeouts = 0;
    std::uint64_t fast_retransmits = 0;
    std::uint64_t recoveries = 0;
    std::uint64_t duplicate_acks = 0;
    std::uint64_t duplicate_segments = 0;    // wholly old data
    std::uint64_t out_of_window = 0;         // failed the acceptability test
    std::uint64_t out_of_order = 0;          // held beyond a hole
    std::uint64_t out_of_order_dropped = 0;  // no room for another range
    std::uint64_t paws_rejected = 0;         // RFC 7323 §5
    std::uint64_t challenge_acks = 0;        // RFC 5961
    std::uint64_t challenge_acks_limited = 0;
    std::uint64_t bad_acks = 0;  // acknowledging data never sent
    std::uint64_t zero_window_probes = 0;
    std::uint64_t keepalive_probes = 0;
    std::uint64_t icmp_ignored = 0;  // quoting a sequence number not in flight
};

// One connection. Inputs: segments from the peer (on_segment), the clock
// (on_timer at next_deadline()), and the app's calls (write, read, close,
// shutdown_write, abort). Output: segments pulled with poll_transmit() until
// it returns none. The caller (TcpTable) routes segments by tuple, owns the
// connection and wakes waiting sockets after each input.
//
// Sequence space: the send buffer holds every byte from SND.UNA (once the SYN
// is acknowledged) to the last byte written; a FIN follows the last byte.
class TcpConnection {
public:
    // Active open (RFC 9293 §3.10.1): queues a SYN. `timestamp_offset`
    // randomises TSval per connection (RFC 7323 §7.1).
    static std::unique_ptr<TcpConnection> connect(const TcpTuple& tuple, const TcpConfig& config,
                                                  SequenceNumber initial_sequence,
                                                  std::uint32_t timestamp_offset, Instant now);
    // Passive open from a listener's SYN: the connection is in SYN-RECEIVED
    // with a SYN-ACK queued.
    static std::unique_ptr<TcpConnection> accept(const TcpTuple& tuple, const TcpConfig& config,
                                                 const TcpIncoming& syn,
                                                 SequenceNumber initial_sequence,
                                                 std::uint32_t timestamp_offset, Instant now);
    // A handshake completed by a valid SYN cookie (RFC 4987 §3.6): `ack` is
    // the peer's final ACK; the connection starts ESTABLISHED with what the
    // cookie remembered of the SYN.
    static std::unique_ptr<TcpConnection> accept_cookie(
        const TcpTuple& tuple, const TcpConfig& config, const TcpIncoming& ack,
        const TcpCookieParameters& parameters, std::uint32_t timestamp_offset, Instant now);

    TcpConnection(const TcpTuple& tuple, const TcpConfig& config, std::uint32_t timestamp_offset,
                  Instant now);

    // The window scale a connection with `config` offers (RFC 7323 §2.3):
    // the smallest that lets the window cover the receive buffer.
    static std::uint8_t receive_window_shift(const TcpConfig& config);
    // The timestamp clock (RFC 7323 §5.4): milliseconds, before the
    // per-connection offset.
    static std::uint32_t timestamp_clock(Instant now);

    // --- inputs ---

    // A segment for this tuple whose checksum verified.
    void on_segment(const TcpIncoming& segment, Instant now);
    // Runs the timers due at `now`.
    void on_timer(Instant now);
    // The earliest instant on_timer() has work, if any.
    std::optional<Instant> next_deadline() const;

    // --- the app ---

    // Copies as much of `data` as the send buffer has room for; 0 when full
    // or when writing is no longer possible (see can_write()).
    std::size_t write(ByteView data);
    // Copies in-order received bytes out; 0 when none are waiting.
    std::size_t read(MutableByteView out);
    // No more writes: a FIN follows the data (RFC 9293 §3.10.4).
    void shutdown_write();
    // No more reads or writes: FIN after the data, or a RST when received data
    // is left unread (RFC 2525 §2.17); data arriving later is answered with
    // a RST, as Linux does.
    void close();
    // RST now; the connection is closed with TcpError::aborted.
    void abort();

    // --- the output ---

    // The next segment to send at `now`, if any; the connection counts it as
    // sent. Call until none.
    std::optional<TcpOutgoing> poll_transmit(Instant now);
    void copy_payload(const TcpOutgoing& segment, MutableByteView out) const;

    // --- state ---

    const TcpTuple& tuple() const { return m_tuple; }
    TcpState state() const { return m_state; }
    std::optional<TcpError> error() const { return m_error; }
    // Established or later, or closed after an orderly close.
    bool handshake_complete() const { return m_handshake_complete; }
    std::size_t readable() const { return m_receive.readable(); }
    // The peer's FIN is in order: once readable() is 0, reads return end of
    // stream.
    bool read_closed() const { return m_fin_received; }
    bool can_write() const;
    std::size_t write_space() const;
    // Bytes written and not yet acknowledged.
    std::size_t unacknowledged() const { return m_send.size(); }
    bool is_closed() const { return m_state == TcpState::closed; }
    // The app closed it: the table owns it until it reaches CLOSED.
    bool orphaned() const { return m_orphaned; }
    const TcpConnectionStats& stats() const { return m_stats; }
    const TcpCongestionController& congestion() const { return *m_congestion; }
    const TcpRttEstimator& rtt() const { return m_rtt; }
    std::uint32_t send_mss() const { return m_send_mss; }
    bool in_recovery() const { return m_in_recovery; }

    // Per-socket switches.
    void set_no_delay(bool no_delay) { m_config.no_delay = no_delay; }
    void set_keepalive(std::optional<TcpKeepalive> keepalive, Instant now);
    void set_user_timeout(Duration timeout) { m_config.user_timeout = timeout; }

    // RFC 6191 §2 / RFC 9293 §3.10.7.4: a SYN for this tuple in TIME-WAIT may
    // open a new incarnation when it cannot be confused with the old one
    // (newer timestamp, or sequence above the old RCV.NXT).
    bool accepts_new_incarnation(const TcpIncoming& syn) const;

    // An ICMP destination unreachable quoting a segment of ours with
    // `sequence` (RFC 5927 §4.1: ignored unless it lies in SND.UNA..SND.NXT,
    // so a blind attacker cannot guess one in). `hard` for port and protocol
    // unreachable: they refuse a connection still in its handshake; every
    // other error only changes what a later timeout reports (RFC 5461 §4:
    // soft errors never abort a connection).
    void on_unreachable(SequenceNumber sequence, bool hard);
    // The old connection's send sequence, so a new incarnation's ISN can be
    // chosen above it.
    SequenceNumber send_next() const { return m_send_next; }

private:
    // Receiving (RFC 9293 §3.10.7).
    void on_segment_syn_sent(const TcpIncoming& segment, Instant now);
    bool acceptable(const TcpIncoming& segment) const;
    bool passes_paws(const TcpIncoming& segment, Instant now);
    void process_reset(const TcpIncoming& segment);
    bool process_ack(const TcpIncoming& segment, Instant now);
    void process_new_ack(const TcpIncoming& segment, std::uint32_t acked, Instant now);
    void process_duplicate_ack(const TcpIncoming& segment, std::uint32_t newly_sacked, Instant now);
    void update_send_window(const TcpIncoming& segment);
    void process_data(const TcpIncoming& segment, Instant now);
    void process_fin(Instant now);
    void take_rtt_sample(const TcpIncoming& segment, Instant now);
    void learn_syn_options(const TcpIncoming& syn);
    void on_our_fin_acknowledged(Instant now);
    void send_challenge_ack(Instant now);
    void fail(TcpError error);
    void enter_closed();  // CLOSED, every timer stopped
    void enter_time_wait(Instant now);
    void enter_recovery(Instant now);
    void after_syn_timeouts();

    // Sending.
    std::optional<TcpOutgoing> next_retransmission(Instant now);
    std::optional<TcpOutgoing> next_new_data(Instant now);
    TcpOutgoing make_segment(TcpFlags flags, SequenceNumber sequence) const;
    TcpOutgoing make_data_segment(SequenceNumber sequence, std::size_t size, Instant now);
    void add_sack_blocks(TcpOptions& options) const;
    void stamp(TcpOutgoing& segment, Instant now) const;
    void sent(const TcpOutgoing& segment, Instant now);
    std::uint32_t flight_size() const;
    std::uint32_t sending_window() const;
    std::uint32_t send_allowance() const;
    std::size_t unsent() const;
    bool fin_pending() const;
    SequenceNumber fin_sequence() const;
    std::uint16_t advertised_window();
    std::uint32_t receive_window_edge_candidate() const;
    std::uint32_t current_receive_window() const;
    std::uint32_t timestamp_now(Instant now) const;
    std::size_t payload_room(const TcpOptions& options) const;

    // Timers.
    void arm_retransmission(Instant now);
    void on_retransmission_timeout(Instant now);
    void on_persist_timeout(Instant now);
    void on_keepalive_timeout(Instant now);
    void restart_keepalive(Instant now);
    bool user_timeout_expired(Instant now) const;

    TcpTuple m_tuple;
    TcpConfig m_config;
    TcpState m_state = TcpState::closed;
    std::optional<TcpError> m_error;
    bool m_handshake_complete = false;
    bool m_orphaned = false;
    bool m_read_shut = false;

    // Send sequence variables (RFC 9293 §3.3.1).
    SequenceNumber m_initial_send{};
    SequenceNumber m_send_unacknowledged{};       // SND.UNA
    SequenceNumber m_send_next{};                 // SND.NXT
    SequenceNumber m_send_max{};                  // the highest SND.NXT so far
    std::uint32_t m_send_window = 0;              // SND.WND, scaled
    std::uint32_t m_max_send_window = 0;          // the largest SND.WND seen (RFC 5961 §5.2)
    SequenceNumber m_send_window_sequence{};      // SND.WL1
    SequenceNumber m_send_window_acknowledged{};  // SND.WL2
    std::uint8_t m_send_window_shift = 0;
    // The peer's MSS option, clamped to ours: the payload and options of
    // one segment (RFC 6691 §2). m_send_mss leaves room for timestamps: the
    // SMSS congestion control counts in.
    std::uint32_t m_effective_mss = 536;
    std::uint32_t m_send_mss = 536;
    bool m_syn_acknowledged = false;
    bool m_fin_queued = false;  // shutdown_write() called
    bool m_fin_sent = false;
    TcpSendBuffer m_send;

    // Receive sequence variables.
    SequenceNumber m_initial_receive{};
    SequenceNumber m_receive_next{};        // RCV.NXT
    SequenceNumber m_receive_advertised{};  // RCV.NXT + RCV.WND as last sent
    std::uint8_t m_receive_window_shift = 0;
    std::optional<SequenceNumber> m_peer_fin;  // a FIN seen beyond a hole
    bool m_fin_received = false;
    TcpReceiveBuffer m_receive;

    // Options agreed in the handshake.
    bool m_window_scaling = false;
    bool m_timestamps = false;
    bool m_selective_ack = false;
    std::uint32_t m_timestamp_offset = 0;
    std::uint32_t m_timestamp_recent = 0;  // TS.Recent (RFC 7323 §4.3)
    Instant m_timestamp_recent_at{};
    SequenceNumber m_last_ack_sent{};  // Last.ACK.sent

    // Acknowledgments.
    bool m_ack_now = false;
    std::optional<Instant> m_delayed_ack_deadline;

    // Reliability and congestion control.
    TcpRttEstimator m_rtt;
    std::unique_ptr<TcpCongestionController> m_congestion;
    TcpSackScoreboard m_scoreboard;
    std::optional<Instant> m_retransmission_deadline;
    std::uint32_t m_retransmissions = 0;                                // of the segment at SND.UNA
    std::optional<Instant> m_unacknowledged_since;                      // for the user timeout
    std::optional<std::pair<SequenceNumber, Instant>> m_timed_segment;  // Karn: one timed segment
    std::uint32_t m_duplicate_acks = 0;
    bool m_in_recovery = false;
    SequenceNumber m_recovery_point{};       // RFC 6582 "recover"
    SequenceNumber m_high_retransmitted{};   // RFC 6675 HighRxt
    std::uint32_t m_recovery_inflation = 0;  // NewReno window inflation (RFC 6582 §3.2)
    bool m_retransmit_head = false;          // send the segment at SND.UNA next
    Instant m_last_send{};

    // Persist and keepalive.
    std::optional<Instant> m_persist_deadline;
    std::uint32_t m_persist_backoff = 0;
    std::optional<Instant> m_keepalive_deadline;
    std::uint32_t m_keepalive_probes_sent = 0;
    bool m_keepalive_probe_due = false;
    bool m_zero_window_probe_due = false;

    // Closing.
    std::optional<Instant> m_close_deadline;  // TIME-WAIT, or an orphan's FIN-WAIT-2
    bool m_reset_due = false;
    // A one-off reply outside the sequence flow: a RST answering a bad ACK
    // during the handshake (RFC 9293 §3.10.7.3, §3.10.7.4).
    std::optional<TcpOutgoing> m_control_reply;

    // RFC 5961 §7 challenge ACK budget.
    Instant m_challenge_window_start{};
    std::uint32_t m_challenge_acks_in_window = 0;

    Instant m_last_received{};
    bool m_unreachable = false;  // an ICMP soft error since the last ACK
    TcpConnectionStats m_stats;
};

}  // namespace oasis::net
