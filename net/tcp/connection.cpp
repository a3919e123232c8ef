// TcpConnection: one connection's state machine (RFC 9293 §3.10), sans-IO.
#include "net/tcp/connection.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "core/format.hpp"
#include "core/panic.hpp"

namespace oasis::net {

namespace {

// RFC 9293 §3.7.1: without an MSS option the peer takes 536 bytes.
constexpr std::uint32_t default_peer_mss = 536;
// A peer's MSS option of 0, 1 or some other tiny value would make us send
// one-byte segments (a resource attack); Linux's tcp_min_snd_mss is 48.
constexpr std::uint32_t min_peer_mss = 64;
constexpr std::uint32_t timestamps_option_size = 12;  // 10 bytes and two NOPs
constexpr std::uint32_t duplicate_ack_threshold = 3;  // RFC 5681 §3.2
constexpr std::uint32_t max_unscaled_window = 65535;
// RFC 7323 §5.5: a TS.Recent older than 24 days is too old for PAWS.
constexpr Duration paws_idle_limit = std::chrono::hours(24 * 24);
constexpr Duration max_persist_interval = std::chrono::seconds(60);
// Linux refuses keepalive times under a second (TCP_KEEPIDLE, TCP_KEEPINTVL);
// here they are raised to one: a zero would put the keepalive deadline at
// `now` again on every timer run, and TcpTable::on_timer would spin on it.
constexpr Duration min_keepalive_time = std::chrono::seconds(1);

std::optional<TcpKeepalive> bounded(std::optional<TcpKeepalive> keepalive) {
    if (keepalive) {
        keepalive->idle = std::max(keepalive->idle, min_keepalive_time);
        keepalive->interval = std::max(keepalive->interval, min_keepalive_time);
    }
    return keepalive;
}

std::uint32_t distance(SequenceNumber from, SequenceNumber to) {
    return static_cast<std::uint32_t>(to.value() - from.value());
}

bool synchronized(TcpState state) {
    return state != TcpState::closed && state != TcpState::listen && state != TcpState::syn_sent;
}

}  // namespace

std::string_view tcp_state_name(TcpState state) {
    switch (state) {
        case TcpState::closed:
            return "CLOSED";
        case TcpState::listen:
            return "LISTEN";
        case TcpState::syn_sent:
            return "SYN-SENT";
        case TcpState::syn_received:
            return "SYN-RECEIVED";
        case TcpState::established:
            return "ESTABLISHED";
        case TcpState::fin_wait_1:
            return "FIN-WAIT-1";
        case TcpState::fin_wait_2:
            return "FIN-WAIT-2";
        case TcpState::close_wait:
            return "CLOSE-WAIT";
        case TcpState::closing:
            return "CLOSING";
        case TcpState::last_ack:
            return "LAST-ACK";
        case TcpState::time_wait:
            return "TIME-WAIT";
    }
    return "?";
}

void format_value(std::string& out, TcpState state) {
    out += tcp_state_name(state);
}

std::string_view tcp_error_name(TcpError error) {
    switch (error) {
        case TcpError::refused:
            return "connection refused";
        case TcpError::reset:
            return "connection reset";
        case TcpError::unreachable:
            return "destination unreachable";
        case TcpError::timed_out:
            return "connection timed out";
        case TcpError::aborted:
            return "connection aborted";
        case TcpError::closed:
            return "closed";
        case TcpError::port_in_use:
            return "port in use";
        case TcpError::no_free_port:
            return "no free port";
        case TcpError::no_address:
            return "no address";
        case TcpError::connection_limit:
            return "connection limit reached";
    }
    return "?";
}

void format_value(std::string& out, TcpError error) {
    out += tcp_error_name(error);
}

std::uint32_t TcpIncoming::sequence_length() const {
    return static_cast<std::uint32_t>(payload.size()) + (fields.flags.has(TcpFlag::syn) ? 1 : 0) +
           (fields.flags.has(TcpFlag::fin) ? 1 : 0);
}

// --- construction ---

TcpConnection::TcpConnection(const TcpTuple& tuple, const TcpConfig& config,
                             std::uint32_t timestamp_offset, Instant now)
    : m_tuple(tuple),
      m_config(config),
      m_send(config.send_buffer),
      m_receive(config.receive_buffer, config.max_out_of_order_ranges),
      m_timestamp_offset(timestamp_offset),
      m_rtt(config.rtt),
      m_congestion(make_congestion_controller(config.congestion, default_peer_mss)),
      m_last_send(now),
      m_challenge_window_start(now),
      m_last_received(now) {
    m_receive_window_shift = receive_window_shift(config);
    m_config.keepalive = bounded(config.keepalive);
}

std::uint8_t TcpConnection::receive_window_shift(const TcpConfig& config) {
    std::uint8_t shift = 0;
    while (config.window_scaling && (config.receive_buffer >> shift) > max_unscaled_window &&
           shift < TcpOptions::max_window_scale) {
        ++shift;
    }
    return shift;
}

std::uint32_t TcpConnection::timestamp_clock(Instant now) {
    auto milliseconds =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
    return static_cast<std::uint32_t>(milliseconds.count());
}

std::unique_ptr<TcpConnection> TcpConnection::connect(const TcpTuple& tuple,
                                                      const TcpConfig& config,
                                                      SequenceNumber initial_sequence,
                                                      std::uint32_t timestamp_offset, Instant now) {
    auto connection = std::make_unique<TcpConnection>(tuple, config, timestamp_offset, now);
    connection->m_state = TcpState::syn_sent;
    connection->m_initial_send = initial_sequence;
    connection->m_send_unacknowledged = initial_sequence;
    connection->m_send_next = initial_sequence;
    connection->m_send_max = initial_sequence;
    connection->m_high_retransmitted = initial_sequence;
    connection->m_recovery_point = initial_sequence;
    return connection;
}

std::unique_ptr<TcpConnection> TcpConnection::accept(const TcpTuple& tuple, const TcpConfig& config,
                                                     const TcpIncoming& syn,
                                                     SequenceNumber initial_sequence,
                                                     std::uint32_t timestamp_offset, Instant now) {
    auto connection = connect(tuple, config, initial_sequence, timestamp_offset, now);
    connection->m_state = TcpState::syn_received;
    connection->m_initial_receive = syn.fields.sequence_number;
    connection->m_receive_next = syn.fields.sequence_number + 1;
    connection->m_last_ack_sent = connection->m_receive_next;
    connection->m_receive_advertised = connection->m_receive_next;
    connection->learn_syn_options(syn);
    // RFC 7323 §2.2: the window of a SYN is never scaled.
    connection->m_send_window = syn.fields.window;
    connection->m_max_send_window = syn.fields.window;
    connection->m_send_window_sequence = syn.fields.sequence_number;
    connection->m_send_window_acknowledged = initial_sequence;
    if (syn.options.timestamps) {
        connection->m_timestamp_recent = syn.options.timestamps->value;
        connection->m_timestamp_recent_at = now;
    }
    return connection;
}

std::unique_ptr<TcpConnection> TcpConnection::accept_cookie(
    const TcpTuple& tuple, const TcpConfig& config, const TcpIncoming& ack,
    const TcpCookieParameters& parameters, std::uint32_t timestamp_offset, Instant now) {
    // Rebuild the SYN the cookie stands for, then let the final ACK complete
    // the handshake through the normal SYN-RECEIVED path.
    TcpIncoming syn;
    syn.fields.sequence_number = ack.fields.sequence_number - 1;
    syn.fields.window = ack.fields.window;
    syn.options.maximum_segment_size = parameters.maximum_segment_size;
    syn.options.window_scale = parameters.window_scale;
    syn.options.sack_permitted = parameters.sack_permitted;
    if (ack.options.timestamps)
        syn.options.timestamps = ack.options.timestamps;
    auto connection =
        accept(tuple, config, syn, ack.fields.acknowledgment_number - 1, timestamp_offset, now);
    // Our SYN-ACK went out (statelessly): the sequence space is past it.
    connection->m_send_next = connection->m_initial_send + 1;
    connection->m_send_max = connection->m_send_next;
    // The window of the SYN is unknown: the ACK's (scaled) window is what
    // counts, through the window update rule.
    connection->m_send_window = 0;
    connection->m_send_window_sequence = syn.fields.sequence_number;
    connection->on_segment(ack, now);
    return connection;
}

void TcpConnection::learn_syn_options(const TcpIncoming& syn) {
    const TcpOptions& options = syn.options;
    // RFC 7323 §1.3: window scaling applies only when both SYNs carry it.
    m_window_scaling = m_config.window_scaling && options.window_scale.has_value();
    if (m_window_scaling) {
        m_send_window_shift = *options.window_scale;  // already clamped to 14
    } else {
        m_receive_window_shift = 0;
    }
    m_timestamps = m_config.timestamps && options.timestamps.has_value();
    m_selective_ack = m_config.selective_ack && options.sack_permitted;
    std::uint32_t peer_mss = options.maximum_segment_size.value_or(default_peer_mss);
    peer_mss = std::max(peer_mss, min_peer_mss);
    m_effective_mss = std::min<std::uint32_t>(peer_mss, m_config.maximum_segment_size);
    m_send_mss = m_effective_mss - (m_timestamps ? timestamps_option_size : 0);
    m_congestion->set_maximum_segment_size(m_send_mss);
}

// --- receiving ---

void TcpConnection::on_segment(const TcpIncoming& segment, Instant now) {
    ++m_stats.segments_received;
    const TcpFields& fields = segment.fields;
    switch (m_state) {
        case TcpState::closed:
        case TcpState::listen:
            return;
        case TcpState::syn_sent:
            on_segment_syn_sent(segment, now);
            return;
        default:
            break;
    }

    // RFC 7323 §5.3 (PAWS), then the acceptability test (RFC 9293 §3.10.7.4).
    if (!passes_paws(segment, now))
        return;
    if (!acceptable(segment)) {
        // Wholly old data is a retransmission whose ACK got lost.
        bool old_data = !segment.payload.empty() &&
                        fields.sequence_number + segment.sequence_length() <= m_receive_next;
        if (old_data)
            ++m_stats.duplicate_segments;
        else
            ++m_stats.out_of_window;
        if (!fields.flags.has(TcpFlag::rst))
            m_ack_now = true;
        // A retransmitted FIN in TIME-WAIT restarts the 2·MSL wait.
        if (m_state == TcpState::time_wait && fields.flags.has(TcpFlag::fin)) {
            m_close_deadline = now + m_config.time_wait;
        }
        // A retransmitted SYN while our SYN-ACK is unacknowledged: resend it.
        // A SYN-ACK (simultaneous open, RFC 9293 §3.5 figure 8) gets the ACK:
        // answering it with our SYN-ACK, which the peer in turn finds
        // unacceptable, would loop.
        if (m_state == TcpState::syn_received && fields.flags.has(TcpFlag::syn) &&
            !fields.flags.has(TcpFlag::ack) && fields.sequence_number == m_initial_receive) {
            m_send_next = m_initial_send;
            m_ack_now = false;
        }
        return;
    }
    m_last_received = now;
    restart_keepalive(now);

    // RFC 7323 §4.3: TS.Recent follows the segment that covers Last.ACK.sent.
    if (m_timestamps && segment.options.timestamps && fields.sequence_number <= m_last_ack_sent &&
        static_cast<std::int32_t>(segment.options.timestamps->value - m_timestamp_recent) >= 0) {
        m_timestamp_recent = segment.options.timestamps->value;
        m_timestamp_recent_at = now;
    }

    if (fields.flags.has(TcpFlag::rst)) {
        process_reset(segment);
        return;
    }
    // RFC 5961 §4.2: a SYN in a synchronized state earns a challenge ACK,
    // never a reset: the peer's real SYN (after a reboot) makes it send a RST
    // we then accept, while a blind attacker gets nothing.
    if (fields.flags.has(TcpFlag::syn)) {
        send_challenge_ack(now);
        return;
    }
    if (!fields.flags.has(TcpFlag::ack))
        return;

    if (m_state == TcpState::syn_received) {
        SequenceNumber ack = fields.acknowledgment_number;
        if (!(m_send_unacknowledged < ack && ack <= m_send_max)) {
            TcpOutgoing reset = make_segment(TcpFlag::rst, ack);
            m_control_reply = reset;
            return;
        }
        m_state = m_fin_queued ? TcpState::fin_wait_1 : TcpState::established;
        m_handshake_complete = true;
        after_syn_timeouts();
    }
    if (!process_ack(segment, now))
        return;
    if (m_state == TcpState::closed)
        return;

    if (m_state == TcpState::time_wait) {
        // Only a retransmitted FIN can arrive: acknowledge it and restart the
        // 2·MSL wait (RFC 9293 §3.10.7.4, eighth step).
        if (fields.flags.has(TcpFlag::fin)) {
            m_ack_now = true;
            m_close_deadline = now + m_config.time_wait;
        }
        return;
    }

    process_data(segment, now);
}

void TcpConnection::on_segment_syn_sent(const TcpIncoming& segment, Instant now) {
    const TcpFields& fields = segment.fields;
    bool has_ack = fields.flags.has(TcpFlag::ack);
    SequenceNumber ack = fields.acknowledgment_number;
    // RFC 9293 §3.10.7.3, first: an ACK of something we never sent.
    if (has_ack && (ack <= m_initial_send || ack > m_send_max)) {
        if (!fields.flags.has(TcpFlag::rst))
            m_control_reply = make_segment(TcpFlag::rst, ack);
        ++m_stats.bad_acks;
        return;
    }
    if (fields.flags.has(TcpFlag::rst)) {
        // RFC 5961 §3.2 leaves SYN-SENT as RFC 793 had it: a RST counts
        // when it acknowledges our SYN.
        if (has_ack)
            fail(TcpError::refused);
        return;
    }
    if (!fields.flags.has(TcpFlag::syn))
        return;

    m_last_received = now;
    m_initial_receive = fields.sequence_number;
    m_receive_next = fields.sequence_number + 1;
    m_last_ack_sent = m_receive_next;
    m_receive_advertised = m_receive_next;
    learn_syn_options(segment);
    if (segment.options.timestamps) {
        m_timestamp_recent = segment.options.timestamps->value;
        m_timestamp_recent_at = now;
    }
    m_send_window = fields.window;  // RFC 7323 §2.2: never scaled in a SYN
    m_max_send_window = m_send_window;
    m_send_window_sequence = fields.sequence_number;
    m_send_window_acknowledged = ack;

    if (has_ack) {
        m_send_unacknowledged = ack;
        m_syn_acknowledged = true;
        if (m_send_next < ack)
            m_send_next = ack;
        if (m_timed_segment) {
            m_rtt.on_sample(now - m_timed_segment->second);
            m_timed_segment.reset();
        }
        after_syn_timeouts();
        m_retransmissions = 0;
        m_retransmission_deadline.reset();
        m_unacknowledged_since.reset();
        m_state = m_fin_queued ? TcpState::fin_wait_1 : TcpState::established;
        m_handshake_complete = true;
        m_ack_now = true;
        restart_keepalive(now);
        // Data in the SYN-ACK (no one sends it without TFO) is processed as
        // any data.
        TcpIncoming rest = segment;
        rest.fields.flags = TcpFlags{static_cast<std::uint8_t>(
            fields.flags.bits() & ~static_cast<std::uint8_t>(TcpFlag::syn))};
        rest.fields.sequence_number = fields.sequence_number + 1;
        if (!rest.payload.empty() || rest.fields.flags.has(TcpFlag::fin))
            process_data(rest, now);
        return;
    }
    // Simultaneous open (RFC 9293 §3.5, figure 8): answer with a SYN-ACK of
    // the same ISS.
    m_state = TcpState::syn_received;
    m_send_next = m_initial_send;
}

void TcpConnection::after_syn_timeouts() {
    // RFC 6298 §5.7: when a SYN or SYN-ACK timed out and no RTT was measured,
    // data starts with an RTO of 3 s, not the 1 s a fresh path gets.
    if (m_retransmissions > 0 && !m_rtt.smoothed()) {
        TcpRttLimits limits = m_config.rtt;
        limits.initial = std::max<Duration>(limits.initial, std::chrono::seconds(3));
        m_rtt = TcpRttEstimator{limits};
    }
}

bool TcpConnection::passes_paws(const TcpIncoming& segment, Instant now) {
    if (!m_timestamps || !segment.options.timestamps || segment.fields.flags.has(TcpFlag::rst)) {
        return true;
    }
    if (now - m_timestamp_recent_at > paws_idle_limit)
        return true;
    if (static_cast<std::int32_t>(segment.options.timestamps->value - m_timestamp_recent) >= 0) {
        return true;
    }
    ++m_stats.paws_rejected;
    m_ack_now = true;
    return false;
}

std::uint32_t TcpConnection::current_receive_window() const {
    std::int32_t open = m_receive_advertised - m_receive_next;
    return open > 0 ? static_cast<std::uint32_t>(open) : 0;
}

bool TcpConnection::acceptable(const TcpIncoming& segment) const {
    SequenceNumber sequence = segment.fields.sequence_number;
    std::uint32_t length = segment.sequence_length();
    std::uint32_t window = current_receive_window();
    if (window == 0) {
        // A zero window still admits the segment at RCV.NXT, for its ACK and
        // RST (RFC 9293 §3.10.7.4); its data is then cut by process_data().
        return sequence == m_receive_next;
    }
    SequenceNumber edge = m_receive_next + window;
    auto inside = [&](SequenceNumber s) { return m_receive_next <= s && s < edge; };
    if (length == 0)
        return inside(sequence);
    return inside(sequence) || inside(sequence + (length - 1));
}

void TcpConnection::process_reset(const TcpIncoming& segment) {
    // RFC 5961 §3.2: only a RST exactly at RCV.NXT resets; one elsewhere in
    // the window earns a challenge ACK.
    if (segment.fields.sequence_number != m_receive_next) {
        send_challenge_ack(m_last_received);
        return;
    }
    switch (m_state) {
        case TcpState::time_wait:
            // RFC 1337 §3: a RST must not cut TIME-WAIT short.
            return;
        case TcpState::closing:
        case TcpState::last_ack:
            // CLOSED without an error: the app has closed already. No timer
            // may run on (a retransmission timeout would report one).
            enter_closed();
            return;
        case TcpState::syn_received:
            // A passive open goes back to LISTEN: for us, the connection
            // disappears without the app having seen it; an active one was
            // refused (RFC 9293 §3.10.7.4, second step).
            fail(m_handshake_complete ? TcpError::reset : TcpError::refused);
            return;
        default:
            fail(TcpError::reset);
            return;
    }
}

void TcpConnection::send_challenge_ack(Instant now) {
    if (now - m_challenge_window_start >= std::chrono::seconds(1)) {
        m_challenge_window_start = now;
        m_challenge_acks_in_window = 0;
    }
    if (m_challenge_acks_in_window >= m_config.challenge_acks_per_second) {
        ++m_stats.challenge_acks_limited;
        return;
    }
    ++m_challenge_acks_in_window;
    ++m_stats.challenge_acks;
    m_ack_now = true;
}

bool TcpConnection::process_ack(const TcpIncoming& segment, Instant now) {
    SequenceNumber ack = segment.fields.acknowledgment_number;
    if (ack > m_send_max) {
        // RFC 9293 §3.10.7.4 fifth step (and RFC 5961 §5.2): acknowledges
        // something not yet sent.
        ++m_stats.bad_acks;
        send_challenge_ack(now);
        return false;
    }
    if (ack < m_send_unacknowledged - m_max_send_window) {
        // RFC 5961 §5.2: too old to be from this connection's peer.
        ++m_stats.bad_acks;
        send_challenge_ack(now);
        return false;
    }

    std::uint32_t newly_sacked = 0;
    if (m_selective_ack && segment.options.sack_block_count > 0) {
        SequenceNumber una = std::max(ack, m_send_unacknowledged);
        newly_sacked = m_scoreboard.update(una, m_send_max, segment.options.sack());
    }

    bool same_window =
        (std::uint32_t{segment.fields.window} << m_send_window_shift) == m_send_window;
    update_send_window(segment);
    // RFC 6675 §2: an ACK that SACKs new data is a duplicate ACK even if it
    // carries data, changes the window or moves SND.UNA — in a two-way
    // stream (an echo) nearly every ACK carries data, and without this every
    // loss would wait for the retransmission timer. §5 (C): counted after
    // a cumulative ACK has reset the count.
    bool sack_news = m_selective_ack && newly_sacked > 0;
    if (ack > m_send_unacknowledged) {
        process_new_ack(segment, distance(m_send_unacknowledged, ack), now);
        if (sack_news)
            process_duplicate_ack(segment, newly_sacked, now);
    } else if (ack == m_send_unacknowledged && (same_window || sack_news)) {
        process_duplicate_ack(segment, newly_sacked, now);
    }
    return true;
}

void TcpConnection::update_send_window(const TcpIncoming& segment) {
    const TcpFields& fields = segment.fields;
    // RFC 9293 §3.10.7.4: only a segment newer than the last update moves the
    // window, so that old reordered segments cannot shrink it.
    if (!(m_send_window_sequence < fields.sequence_number ||
          (m_send_window_sequence == fields.sequence_number &&
           m_send_window_acknowledged <= fields.acknowledgment_number))) {
        return;
    }
    if (fields.acknowledgment_number < m_send_unacknowledged)
        return;
    m_send_window = std::uint32_t{fields.window} << m_send_window_shift;
    m_max_send_window = std::max(m_max_send_window, m_send_window);
    m_send_window_sequence = fields.sequence_number;
    m_send_window_acknowledged = fields.acknowledgment_number;
    if (m_send_window > 0) {
        m_persist_deadline.reset();
        m_persist_backoff = 0;
        if (m_send_unacknowledged == m_send_max)
            m_unacknowledged_since.reset();
    }
}

void TcpConnection::process_new_ack(const TcpIncoming& segment, std::uint32_t acked, Instant now) {
    SequenceNumber ack = segment.fields.acknowledgment_number;
    std::uint32_t flight_before = flight_size();
    std::uint32_t control = 0;
    if (!m_syn_acknowledged) {
        m_syn_acknowledged = true;
        control += 1;
    }
    bool fin_acknowledged = m_fin_sent && ack == fin_sequence() + 1;
    if (fin_acknowledged)
        control += 1;
    std::uint32_t data = std::min<std::uint32_t>(acked - std::min(acked, control),
                                                 static_cast<std::uint32_t>(m_send.size()));
    m_send.consume(data);
    m_send_unacknowledged = ack;
    if (m_send_next < ack)
        m_send_next = ack;
    if (m_high_retransmitted < ack)
        m_high_retransmitted = ack;
    m_scoreboard.acknowledge(ack);
    take_rtt_sample(segment, now);
    m_retransmissions = 0;
    m_unreachable = false;  // the path works again

    if (m_in_recovery) {
        if (ack >= m_recovery_point) {
            // RFC 6582 §3.2 step 3: a full acknowledgment ends recovery.
            m_in_recovery = false;
            m_recovery_inflation = 0;
            m_duplicate_acks = 0;
            m_congestion->on_recovery_exit(flight_size(), now);
        } else if (!m_selective_ack) {
            // RFC 6582 §3.2 step 5: a partial acknowledgment. Retransmit the
            // next hole; deflate the window by what left the network, and
            // add back one SMSS when that was at least a segment.
            m_recovery_inflation -= std::min(m_recovery_inflation, data);
            if (data >= m_send_mss)
                m_recovery_inflation += m_send_mss;
            m_retransmit_head = true;
        }
    } else {
        m_duplicate_acks = 0;
        Duration srtt = m_rtt.smoothed().value_or(Duration{});
        m_congestion->on_ack(data, flight_before, srtt, now);
    }

    // RFC 6298 §5.2 and §5.3.
    if (m_send_unacknowledged == m_send_max) {
        m_retransmission_deadline.reset();
        m_unacknowledged_since.reset();
    } else {
        m_unacknowledged_since = now;
        arm_retransmission(now);
    }
    if (fin_acknowledged)
        on_our_fin_acknowledged(now);
}

void TcpConnection::take_rtt_sample(const TcpIncoming& segment, Instant now) {
    SequenceNumber ack = segment.fields.acknowledgment_number;
    if (m_timed_segment && m_timed_segment->first < ack) {
        // Karn's rule holds: a timed segment is forgotten when anything is
        // retransmitted, so this ACK is for its first transmission.
        m_rtt.on_sample(now - m_timed_segment->second);
        m_timed_segment.reset();
        return;
    }
    // After a retransmission only timestamps tell which transmission an ACK
    // answers (RFC 7323 §4.1); their millisecond clock is coarse, so they
    // are the fallback, not the rule.
    if (m_retransmissions > 0 && m_timestamps && segment.options.timestamps &&
        segment.options.timestamps->echo_reply != 0) {
        std::uint32_t elapsed = timestamp_now(now) - segment.options.timestamps->echo_reply;
        if (elapsed < 0x8000'0000u)
            m_rtt.on_sample(std::chrono::milliseconds(elapsed));
    }
}

void TcpConnection::process_duplicate_ack(const TcpIncoming& segment, std::uint32_t newly_sacked,
                                          Instant now) {
    // RFC 5681 §2: a duplicate ACK carries no data, no SYN or FIN, the same
    // window, and arrives while data is outstanding. RFC 6675 §2 also counts
    // an ACK that SACKs new data.
    bool outstanding = m_send_max > m_send_unacknowledged;
    bool pure = segment.payload.empty() && !segment.fields.flags.has(TcpFlag::syn) &&
                !segment.fields.flags.has(TcpFlag::fin);
    if (!outstanding || !(pure || (m_selective_ack && newly_sacked > 0)))
        return;
    // Repeated SACK information is not news (RFC 6675 §2, DupAck).
    if (m_selective_ack && segment.options.sack_block_count > 0 && newly_sacked == 0)
        return;
    ++m_stats.duplicate_acks;
    ++m_duplicate_acks;
    if (m_in_recovery) {
        if (!m_selective_ack)
            m_recovery_inflation += m_send_mss;  // RFC 6582 §3.2 step 4
        return;
    }
    bool lost = m_duplicate_acks >= duplicate_ack_threshold ||
                (m_selective_ack &&
                 m_scoreboard.is_lost(m_send_unacknowledged, m_send_mss, duplicate_ack_threshold));
    // RFC 6582 §3.2 step 2: after a timeout, duplicate ACKs for data sent
    // before it must not start another recovery.
    if (lost && m_send_unacknowledged >= m_recovery_point)
        enter_recovery(now);
}

void TcpConnection::enter_recovery(Instant now) {
    ++m_stats.recoveries;
    ++m_stats.fast_retransmits;
    m_in_recovery = true;
    m_recovery_point = m_send_max;
    m_high_retransmitted = m_send_unacknowledged;
    m_congestion->on_congestion_event(flight_size(), now);
    m_recovery_inflation = m_selective_ack ? 0 : duplicate_ack_threshold * m_send_mss;
    m_retransmit_head = true;
    m_timed_segment.reset();
}

void TcpConnection::process_data(const TcpIncoming& segment, Instant now) {
    const TcpFields& fields = segment.fields;
    bool takes_data = m_state == TcpState::established || m_state == TcpState::fin_wait_1 ||
                      m_state == TcpState::fin_wait_2;
    if (!takes_data)
        return;  // the peer's FIN is already in: nothing more can come

    SequenceNumber start = fields.sequence_number;
    ByteView data = segment.payload;
    if (!data.empty() && m_read_shut) {
        // The app closed and reads nothing more: tell the peer its data is
        // lost (RFC 9293 §3.10.4 leaves this open; Linux resets).
        m_reset_due = true;
        fail(TcpError::aborted);
        return;
    }
    if (start < m_receive_next) {
        std::uint32_t old = distance(start, m_receive_next);
        if (old >= data.size() && !(fields.flags.has(TcpFlag::fin) && old == data.size())) {
            if (!data.empty()) {
                ++m_stats.duplicate_segments;
                m_ack_now = true;  // RFC 5681 §4.2: the peer may need it (DSACK aside)
            }
            if (fields.flags.has(TcpFlag::fin))
                m_ack_now = true;
            return;
        }
        data = ByteView{data.span().subspan(std::min<std::size_t>(old, data.size()))};
        start = m_receive_next;
    }

    std::size_t offset = distance(m_receive_next, start);
    bool fin_in_window = fields.flags.has(TcpFlag::fin);
    if (!data.empty()) {
        bool had_holes = m_receive.has_out_of_order();
        TcpReceiveBuffer::Inserted inserted = m_receive.insert(offset, data);
        if (inserted.dropped) {
            ++m_stats.out_of_order_dropped;
            fin_in_window = false;
            m_ack_now = true;
        } else if (inserted.trimmed > 0) {
            fin_in_window = false;  // the FIN lies beyond what we kept
            // Data past the window, such as a BSD zero-window probe, must
            // still be answered with our window (RFC 9293 §3.8.6.1).
            m_ack_now = true;
        }
        if (offset > 0) {
            ++m_stats.out_of_order;
            m_ack_now = true;  // RFC 5681 §4.2: out-of-order data is acknowledged at once
        }
        if (inserted.readable > 0) {
            m_receive_next += static_cast<std::uint32_t>(inserted.readable);
            m_stats.bytes_received += inserted.readable;
            // Filling a hole is acknowledged at once (RFC 5681 §4.2).
            if (had_holes)
                m_ack_now = true;
            std::uint32_t pending = distance(m_last_ack_sent, m_receive_next);
            if (pending >= 2 * m_send_mss) {
                m_ack_now = true;  // RFC 1122 §4.2.3.2: every second full segment
            } else if (!m_delayed_ack_deadline) {
                m_delayed_ack_deadline = now + m_config.delayed_ack;
            }
        }
    }
    if (fin_in_window) {
        m_peer_fin = start + static_cast<std::uint32_t>(data.size());
        if (*m_peer_fin != m_receive_next)
            m_ack_now = true;
    }
    if (m_peer_fin && *m_peer_fin == m_receive_next)
        process_fin(now);
}

void TcpConnection::process_fin(Instant now) {
    m_peer_fin.reset();
    m_receive_next += 1;
    m_fin_received = true;
    m_ack_now = true;
    switch (m_state) {
        case TcpState::syn_received:
        case TcpState::established:
            m_state = TcpState::close_wait;
            break;
        case TcpState::fin_wait_1:
            m_state = TcpState::closing;
            break;
        case TcpState::fin_wait_2:
            enter_time_wait(now);
            break;
        default:
            break;
    }
}

void TcpConnection::on_our_fin_acknowledged(Instant now) {
    switch (m_state) {
        case TcpState::fin_wait_1:
            m_state = TcpState::fin_wait_2;
            // Nobody will read an orphan's stream: bound the wait for the FIN.
            if (m_orphaned)
                m_close_deadline = now + m_config.fin_wait_2_timeout;
            break;
        case TcpState::closing:
            enter_time_wait(now);
            break;
        case TcpState::last_ack:
            m_state = TcpState::closed;
            break;
        default:
            break;
    }
}

void TcpConnection::enter_time_wait(Instant now) {
    m_state = TcpState::time_wait;
    m_close_deadline = now + m_config.time_wait;
    m_retransmission_deadline.reset();
    m_persist_deadline.reset();
    m_keepalive_deadline.reset();
    m_delayed_ack_deadline.reset();
}

void TcpConnection::fail(TcpError error) {
    if (!m_error)
        m_error = error;
    enter_closed();
}

void TcpConnection::enter_closed() {
    m_state = TcpState::closed;
    m_retransmission_deadline.reset();
    m_persist_deadline.reset();
    m_keepalive_deadline.reset();
    m_delayed_ack_deadline.reset();
    m_close_deadline.reset();
    m_ack_now = false;
}

bool TcpConnection::accepts_new_incarnation(const TcpIncoming& syn) const {
    if (m_state != TcpState::time_wait)
        return false;
    if (m_timestamps && syn.options.timestamps) {
        return static_cast<std::int32_t>(syn.options.timestamps->value - m_timestamp_recent) > 0;
    }
    return syn.fields.sequence_number > m_receive_next;
}

// --- the app ---

bool TcpConnection::can_write() const {
    if (m_fin_queued || m_error)
        return false;
    switch (m_state) {
        case TcpState::syn_sent:
        case TcpState::syn_received:
        case TcpState::established:
        case TcpState::close_wait:
            return true;
        default:
            return false;
    }
}

std::size_t TcpConnection::write_space() const {
    return can_write() ? m_send.free() : 0;
}

std::size_t TcpConnection::write(ByteView data) {
    if (!can_write())
        return 0;
    return m_send.write(data);
}

std::size_t TcpConnection::read(MutableByteView out) {
    std::size_t count = m_receive.read(out);
    if (count == 0 || !synchronized(m_state) || m_fin_received)
        return count;
    // A window update when reading opened the window noticeably (RFC 9293
    // §3.8.6.2.2): by two segments, or half the buffer when it is small.
    std::uint32_t candidate = receive_window_edge_candidate();
    std::uint32_t current = current_receive_window();
    std::uint32_t threshold = std::min<std::uint32_t>(
        static_cast<std::uint32_t>(m_receive.capacity() / 2), 2 * m_effective_mss);
    if (candidate > current && candidate - current >= threshold)
        m_ack_now = true;
    return count;
}

void TcpConnection::shutdown_write() {
    if (m_fin_queued)
        return;
    switch (m_state) {
        case TcpState::syn_sent:
            m_state = TcpState::closed;
            m_retransmission_deadline.reset();
            return;
        case TcpState::syn_received:
        case TcpState::established:
            m_fin_queued = true;
            if (m_state == TcpState::established)
                m_state = TcpState::fin_wait_1;
            return;
        case TcpState::close_wait:
            m_fin_queued = true;
            m_state = TcpState::last_ack;
            return;
        default:
            return;
    }
}

void TcpConnection::close() {
    m_orphaned = true;
    m_read_shut = true;
    if (m_receive.readable() > 0 || m_receive.has_out_of_order()) {
        abort();
        return;
    }
    shutdown_write();
    if (m_state == TcpState::fin_wait_2 && !m_close_deadline) {
        m_close_deadline = m_last_received + m_config.fin_wait_2_timeout;
    }
}

void TcpConnection::abort() {
    m_orphaned = true;
    m_read_shut = true;
    switch (m_state) {
        case TcpState::syn_received:
        case TcpState::established:
        case TcpState::fin_wait_1:
        case TcpState::fin_wait_2:
        case TcpState::close_wait:
            m_reset_due = true;
            break;
        default:
            break;
    }
    fail(TcpError::aborted);
}

void TcpConnection::on_unreachable(SequenceNumber sequence, bool hard) {
    if (!(m_send_unacknowledged <= sequence && sequence < m_send_max)) {
        ++m_stats.icmp_ignored;
        return;
    }
    bool handshake = m_state == TcpState::syn_sent || m_state == TcpState::syn_received;
    if (hard && handshake) {
        fail(TcpError::unreachable);
        return;
    }
    m_unreachable = true;
}

void TcpConnection::set_keepalive(std::optional<TcpKeepalive> keepalive, Instant now) {
    m_config.keepalive = bounded(keepalive);
    restart_keepalive(now);
}

// --- sending ---

std::uint32_t TcpConnection::flight_size() const {
    return distance(m_send_unacknowledged, m_send_next);
}

std::size_t TcpConnection::unsent() const {
    SequenceNumber data_start = m_syn_acknowledged ? m_send_unacknowledged : m_initial_send + 1;
    if (m_send_next <= data_start)
        return m_send.size();
    std::size_t sent = distance(data_start, m_send_next);
    return sent >= m_send.size() ? 0 : m_send.size() - sent;
}

SequenceNumber TcpConnection::fin_sequence() const {
    SequenceNumber data_start = m_syn_acknowledged ? m_send_unacknowledged : m_initial_send + 1;
    return data_start + static_cast<std::uint32_t>(m_send.size());
}

bool TcpConnection::fin_pending() const {
    return m_fin_queued && m_syn_acknowledged && m_send_next == fin_sequence();
}

// How many more bytes congestion control lets into the network.
std::uint32_t TcpConnection::send_allowance() const {
    std::uint32_t window = m_congestion->window();
    std::uint32_t in_network = flight_size();
    if (m_in_recovery && m_selective_ack) {
        // RFC 6675 §5: send while pipe < cwnd.
        in_network =
            m_scoreboard.pipe(m_send_unacknowledged, m_send_next, m_high_retransmitted, m_send_mss);
    } else if (m_in_recovery) {
        window += m_recovery_inflation;
    } else if (m_duplicate_acks > 0 && m_duplicate_acks < duplicate_ack_threshold) {
        // RFC 3042: limited transmit, one new segment per early duplicate ACK.
        window += m_duplicate_acks * m_send_mss;
    }
    return window > in_network ? window - in_network : 0;
}

// How many more bytes the peer's window admits beyond SND.NXT.
std::uint32_t TcpConnection::sending_window() const {
    SequenceNumber edge = m_send_unacknowledged + m_send_window;
    return m_send_next < edge ? distance(m_send_next, edge) : 0;
}

std::size_t TcpConnection::payload_room(const TcpOptions& options) const {
    std::size_t size = tcp_options_size(options);
    return m_effective_mss > size ? m_effective_mss - size : 0;
}

std::uint32_t TcpConnection::timestamp_now(Instant now) const {
    // RFC 7323 §5.4: a clock of 1 ms, offset per connection.
    return timestamp_clock(now) + m_timestamp_offset;
}

TcpOutgoing TcpConnection::make_segment(TcpFlags flags, SequenceNumber sequence) const {
    TcpOutgoing segment;
    segment.fields.source_port = m_tuple.local_port;
    segment.fields.destination_port = m_tuple.remote_port;
    segment.fields.sequence_number = sequence;
    segment.fields.flags = flags;
    return segment;
}

void TcpConnection::add_sack_blocks(TcpOptions& options) const {
    if (!m_selective_ack || !m_receive.has_out_of_order())
        return;
    std::array<TcpByteRange, TcpOptions::max_sack_blocks> ranges{};
    // RFC 2018 §3: with timestamps, three blocks fit in 40 bytes.
    std::size_t limit = options.timestamps ? 3 : 4;
    std::size_t count = m_receive.sack_ranges(std::span{ranges}.first(limit));
    for (std::size_t i = 0; i < count; ++i) {
        options.sack_blocks[i] = {m_receive_next + static_cast<std::uint32_t>(ranges[i].begin),
                                  m_receive_next + static_cast<std::uint32_t>(ranges[i].end)};
    }
    options.sack_block_count = count;
}

std::uint32_t TcpConnection::receive_window_edge_candidate() const {
    std::size_t window = std::min<std::size_t>(
        m_receive.window(), std::size_t{max_unscaled_window} << m_receive_window_shift);
    return static_cast<std::uint32_t>(window);
}

std::uint16_t TcpConnection::advertised_window() {
    std::uint32_t current = current_receive_window();
    std::uint32_t candidate = receive_window_edge_candidate();
    // RFC 9293 §3.8.6.2.2 (receiver silly window avoidance): move the right
    // edge only by a full segment or half the buffer, and never back.
    std::uint32_t step = std::min<std::uint32_t>(
        static_cast<std::uint32_t>(m_receive.capacity() / 2), m_effective_mss);
    if (candidate > current && (candidate - current >= step || candidate == m_receive.capacity())) {
        current = candidate;
    }
    m_receive_advertised = m_receive_next + current;
    // Round down (RFC 7323 §2.3: SEG.WND = RCV.WND >> Rcv.Wind.Shift), so
    // the edge the peer computes never passes what the buffer holds. Rounded
    // up, the peer could send bytes past the buffer that we trim; once the
    // window is zero its ACKs, sequenced past RCV.NXT, then fail the
    // acceptability test and our sending side stalls. Our own edge stays at
    // m_receive_advertised, so what the peer saw before stays acceptable.
    std::uint32_t scaled = current >> m_receive_window_shift;
    return static_cast<std::uint16_t>(std::min<std::uint32_t>(scaled, max_unscaled_window));
}

void TcpConnection::stamp(TcpOutgoing& segment, Instant now) const {
    if (m_timestamps || (m_state == TcpState::syn_sent && m_config.timestamps)) {
        std::uint32_t echo = m_state == TcpState::syn_sent ? 0 : m_timestamp_recent;
        segment.options.timestamps = TcpTimestamps{timestamp_now(now), echo};
    }
}

TcpOutgoing TcpConnection::make_data_segment(SequenceNumber sequence, std::size_t size,
                                             Instant now) {
    TcpOutgoing segment = make_segment(TcpFlag::ack, sequence);
    stamp(segment, now);
    add_sack_blocks(segment.options);
    SequenceNumber data_start = m_send_unacknowledged;
    segment.payload_offset = distance(data_start, sequence);
    segment.payload_size = size;
    return segment;
}

void TcpConnection::sent(const TcpOutgoing& segment, Instant now) {
    ++m_stats.segments_sent;
    const TcpFields& fields = segment.fields;
    if (fields.flags.has(TcpFlag::ack)) {
        m_last_ack_sent = fields.acknowledgment_number;
        m_ack_now = false;
        m_delayed_ack_deadline.reset();
    }
    std::uint32_t length = static_cast<std::uint32_t>(segment.payload_size) +
                           (fields.flags.has(TcpFlag::syn) ? 1 : 0) +
                           (fields.flags.has(TcpFlag::fin) ? 1 : 0);
    if (length == 0 || fields.flags.has(TcpFlag::rst))
        return;

    SequenceNumber end = fields.sequence_number + length;
    bool retransmission = fields.sequence_number < m_send_max;
    if (retransmission) {
        ++m_stats.retransmitted_segments;
        m_timed_segment.reset();  // Karn's rule
    } else {
        m_stats.bytes_sent += segment.payload_size;
        if (!m_timed_segment)
            m_timed_segment = std::pair{fields.sequence_number, now};
    }
    if (fields.sequence_number == m_send_next || m_send_next < end) {
        if (m_send_next < end)
            m_send_next = end;
    }
    if (m_send_max < end)
        m_send_max = end;
    if (fields.flags.has(TcpFlag::fin))
        m_fin_sent = true;
    if (!m_unacknowledged_since)
        m_unacknowledged_since = now;
    if (!m_retransmission_deadline)
        arm_retransmission(now);
    m_last_send = now;
}

std::optional<TcpOutgoing> TcpConnection::next_retransmission(Instant now) {
    if (!m_syn_acknowledged)
        return std::nullopt;
    std::size_t outstanding =
        std::min<std::size_t>(distance(m_send_unacknowledged, m_send_max), m_send.size());
    if (m_retransmit_head) {
        m_retransmit_head = false;
        // RFC 5681 §3.2 step 2 / RFC 6582 step 5: the segment at SND.UNA,
        // sent whatever the window.
        TcpOutgoing segment = make_data_segment(m_send_unacknowledged, 0, now);
        std::size_t size = std::min(outstanding, payload_room(segment.options));
        segment.payload_size = size;
        if (size == 0 && m_fin_sent && m_send_unacknowledged == fin_sequence()) {
            segment.fields.flags = segment.fields.flags | TcpFlag::fin;
        } else if (size == 0) {
            return std::nullopt;
        }
        SequenceNumber end = m_send_unacknowledged + static_cast<std::uint32_t>(size);
        if (m_high_retransmitted < end)
            m_high_retransmitted = end;
        return segment;
    }
    if (!m_in_recovery || !m_selective_ack || send_allowance() == 0)
        return std::nullopt;
    // RFC 6675 §4 NextSeg(), rule 1: a lost segment not yet retransmitted.
    std::optional<TcpSackBlock> hole = m_scoreboard.next_lost(
        m_send_unacknowledged, m_high_retransmitted, m_send_mss, duplicate_ack_threshold);
    // Rule 3 when there is no new data to send instead (rule 2).
    if (!hole && (unsent() == 0 || sending_window() == 0)) {
        hole = m_scoreboard.next_unsacked(m_send_unacknowledged, m_high_retransmitted, m_send_mss);
    }
    if (!hole)
        return std::nullopt;
    TcpOutgoing segment = make_data_segment(hole->left, 0, now);
    std::size_t size =
        std::min<std::size_t>(distance(hole->left, hole->right), payload_room(segment.options));
    size = std::min(size, outstanding - std::min<std::size_t>(segment.payload_offset, outstanding));
    if (size == 0)
        return std::nullopt;
    segment.payload_size = size;
    m_high_retransmitted = hole->left + static_cast<std::uint32_t>(size);
    return segment;
}

std::optional<TcpOutgoing> TcpConnection::next_new_data(Instant now) {
    if (!m_syn_acknowledged)
        return std::nullopt;
    switch (m_state) {
        case TcpState::established:
        case TcpState::close_wait:
        case TcpState::fin_wait_1:
        case TcpState::closing:
        case TcpState::last_ack:
            break;
        default:
            return std::nullopt;
    }
    std::size_t remaining = unsent();
    // RFC 5681 §4.1: after an idle period longer than an RTO the ACK clock
    // is gone; restart from the initial window rather than burst a stale one.
    if (remaining > 0 && flight_size() == 0 && now - m_last_send > m_rtt.timeout())
        m_congestion->on_idle_restart(now);
    if (remaining == 0) {
        if (!fin_pending())
            return std::nullopt;
        TcpOutgoing segment = make_data_segment(m_send_next, 0, now);
        segment.fields.flags = segment.fields.flags | TcpFlag::fin;
        return segment;
    }
    TcpOutgoing segment = make_data_segment(m_send_next, 0, now);
    std::size_t room = payload_room(segment.options);
    std::size_t usable = std::min<std::size_t>(sending_window(), send_allowance());
    std::size_t size = std::min({remaining, room, usable});
    if (size == 0) {
        // The peer's window is closed and nothing is in flight to reopen it:
        // probe (RFC 9293 §3.8.6.1).
        if (sending_window() == 0 && flight_size() == 0 && !m_persist_deadline) {
            Duration interval = std::min(m_rtt.timeout(), max_persist_interval);
            m_persist_deadline = now + interval;
            // The user timeout counts while data waits for the window too.
            if (!m_unacknowledged_since)
                m_unacknowledged_since = now;
        }
        return std::nullopt;
    }
    if (size < room && size < remaining) {
        // Sender silly window avoidance (RFC 9293 §3.8.6.2.1): a window-
        // limited small segment only when it is half the largest window seen,
        // or when nothing in flight would bring an ACK to wait for.
        if (size < m_max_send_window / 2 && flight_size() > 0)
            return std::nullopt;
    } else if (size < room && !m_config.no_delay && flight_size() > 0 && !m_fin_queued) {
        // Nagle (RFC 9293 §3.7.4): one small segment in flight at a time.
        return std::nullopt;
    }
    segment.payload_size = size;
    if (size == remaining) {
        segment.fields.flags = segment.fields.flags | TcpFlag::psh;
        if (m_fin_queued)
            segment.fields.flags = segment.fields.flags | TcpFlag::fin;
    }
    return segment;
}

std::optional<TcpOutgoing> TcpConnection::poll_transmit(Instant now) {
    std::optional<TcpOutgoing> segment;
    if (m_control_reply) {
        segment = m_control_reply;
        m_control_reply.reset();
        ++m_stats.segments_sent;
        return segment;
    }
    if (m_reset_due) {
        m_reset_due = false;
        segment = make_segment(TcpFlag::rst | TcpFlag::ack, m_send_next);
        segment->fields.acknowledgment_number = m_receive_next;
        ++m_stats.segments_sent;
        return segment;
    }
    switch (m_state) {
        case TcpState::closed:
        case TcpState::listen:
            return std::nullopt;
        case TcpState::syn_sent:
        case TcpState::syn_received:
            if (m_send_next == m_initial_send) {
                bool passive = m_state == TcpState::syn_received;
                segment = make_segment(passive ? TcpFlag::syn | TcpFlag::ack : TcpFlag::syn,
                                       m_initial_send);
                TcpOptions& options = segment->options;
                options.maximum_segment_size = m_config.maximum_segment_size;
                // A SYN-ACK carries only what the peer's SYN offered (RFC 7323
                // §1.3, RFC 2018 §2).
                if (passive ? m_window_scaling : m_config.window_scaling) {
                    options.window_scale = m_receive_window_shift;
                }
                options.sack_permitted = passive ? m_selective_ack : m_config.selective_ack;
                stamp(*segment, now);
            }
            break;
        default:
            break;
    }
    if (!segment && m_state == TcpState::syn_sent)
        return std::nullopt;
    if (!segment)
        segment = next_retransmission(now);
    if (!segment)
        segment = next_new_data(now);
    if (!segment && (m_zero_window_probe_due || m_keepalive_probe_due)) {
        // RFC 1122 §4.2.3.6 and, as Linux does for zero-window probes, an
        // old sequence number: the peer answers with an ACK carrying its
        // window, and no data needs to fit.
        if (m_zero_window_probe_due)
            ++m_stats.zero_window_probes;
        if (m_keepalive_probe_due)
            ++m_stats.keepalive_probes;
        m_zero_window_probe_due = m_keepalive_probe_due = false;
        segment = make_segment(TcpFlag::ack, m_send_unacknowledged - 1);
        stamp(*segment, now);
    }
    if (!segment && m_ack_now && synchronized(m_state)) {
        segment = make_segment(TcpFlag::ack, m_send_next);
        stamp(*segment, now);
        add_sack_blocks(segment->options);
    }
    if (!segment)
        return std::nullopt;

    if (segment->fields.flags.has(TcpFlag::ack)) {
        segment->fields.acknowledgment_number = m_receive_next;
        if (segment->fields.flags.has(TcpFlag::syn)) {
            // RFC 7323 §2.2: a SYN's window is never scaled.
            std::size_t window = std::min<std::size_t>(m_receive.window(), max_unscaled_window);
            segment->fields.window = static_cast<std::uint16_t>(window);
            m_receive_advertised = m_receive_next + static_cast<std::uint32_t>(window);
        } else {
            segment->fields.window = advertised_window();
        }
    } else if (segment->fields.flags.has(TcpFlag::syn)) {
        std::size_t window = std::min<std::size_t>(m_receive.window(), max_unscaled_window);
        segment->fields.window = static_cast<std::uint16_t>(window);
    }
    sent(*segment, now);
    return segment;
}

void TcpConnection::copy_payload(const TcpOutgoing& segment, MutableByteView out) const {
    OASIS_ASSERT(out.size() >= segment.payload_size);
    if (segment.payload_size == 0)
        return;
    m_send.copy_out(segment.payload_offset,
                    MutableByteView{out.span().first(segment.payload_size)});
}

// --- timers ---

std::optional<Instant> TcpConnection::next_deadline() const {
    std::optional<Instant> earliest;
    for (const std::optional<Instant>& deadline :
         {m_retransmission_deadline, m_delayed_ack_deadline, m_persist_deadline,
          m_keepalive_deadline, m_close_deadline}) {
        if (deadline && (!earliest || *deadline < *earliest))
            earliest = deadline;
    }
    return earliest;
}

void TcpConnection::on_timer(Instant now) {
    if (m_delayed_ack_deadline && *m_delayed_ack_deadline <= now) {
        m_delayed_ack_deadline.reset();
        m_ack_now = true;
    }
    if (m_retransmission_deadline && *m_retransmission_deadline <= now) {
        on_retransmission_timeout(now);
    }
    if (m_persist_deadline && *m_persist_deadline <= now)
        on_persist_timeout(now);
    if (m_keepalive_deadline && *m_keepalive_deadline <= now)
        on_keepalive_timeout(now);
    if (m_close_deadline && *m_close_deadline <= now) {
        m_close_deadline.reset();
        if (m_state == TcpState::time_wait) {
            m_state = TcpState::closed;
        } else if (m_state == TcpState::fin_wait_2) {
            fail(TcpError::timed_out);
        }
    }
}

// RFC 6298 §5.1, but never past the user timeout (RFC 5482; RFC 9293
// §3.10.8), which would otherwise wait for the next backed-off RTO.
void TcpConnection::arm_retransmission(Instant now) {
    Instant deadline = now + m_rtt.timeout();
    if (m_config.user_timeout > Duration{} && m_unacknowledged_since) {
        deadline =
            std::min(deadline, std::max(now, *m_unacknowledged_since + m_config.user_timeout));
    }
    m_retransmission_deadline = deadline;
}

bool TcpConnection::user_timeout_expired(Instant now) const {
    return m_config.user_timeout > Duration{} && m_unacknowledged_since &&
           now - *m_unacknowledged_since >= m_config.user_timeout;
}

void TcpConnection::on_retransmission_timeout(Instant now) {
    m_retransmission_deadline.reset();
    if (m_send_unacknowledged == m_send_max)
        return;
    std::uint32_t limit =
        m_syn_acknowledged ? m_config.max_retransmissions : m_config.max_syn_retransmissions;
    if (m_retransmissions >= limit || user_timeout_expired(now)) {
        fail(m_unreachable ? TcpError::unreachable : TcpError::timed_out);
        return;
    }
    ++m_retransmissions;
    ++m_stats.retransmission_timeouts;
    if (m_syn_acknowledged)
        m_congestion->on_retransmission_timeout(flight_size(), now);
    m_rtt.back_off();  // RFC 6298 §5.5
    // Go back: everything from SND.UNA is sent again as the window allows
    // (RFC 5681 §3.1); SACK information may have been reneged (RFC 2018 §8).
    m_in_recovery = false;
    m_recovery_inflation = 0;
    m_duplicate_acks = 0;
    m_retransmit_head = false;
    m_recovery_point = m_send_max;  // RFC 6582 §3.2 step 4
    m_scoreboard.clear();
    m_send_next = m_send_unacknowledged;
    m_high_retransmitted = m_send_unacknowledged;
    m_timed_segment.reset();
}

void TcpConnection::on_persist_timeout(Instant now) {
    m_persist_deadline.reset();
    if (m_send_window > 0 || unsent() == 0) {
        m_persist_backoff = 0;
        return;
    }
    if (user_timeout_expired(now)) {
        fail(TcpError::timed_out);
        return;
    }
    m_zero_window_probe_due = true;
    if (m_persist_backoff < 16)
        ++m_persist_backoff;
    Duration interval = std::min(m_rtt.timeout() * (1 << m_persist_backoff), max_persist_interval);
    m_persist_deadline = now + interval;
}

void TcpConnection::restart_keepalive(Instant now) {
    m_keepalive_probes_sent = 0;
    bool active = m_state == TcpState::established || m_state == TcpState::close_wait;
    if (m_config.keepalive && active) {
        m_keepalive_deadline = now + m_config.keepalive->idle;
    } else {
        m_keepalive_deadline.reset();
    }
}

void TcpConnection::on_keepalive_timeout(Instant now) {
    m_keepalive_deadline.reset();
    if (!m_config.keepalive)
        return;
    // RFC 1122 §4.2.3.6: probe only an idle connection.
    if (m_send_unacknowledged != m_send_max || unsent() > 0) {
        m_keepalive_deadline = now + m_config.keepalive->idle;
        return;
    }
    if (m_keepalive_probes_sent >= m_config.keepalive->probes) {
        fail(TcpError::timed_out);
        return;
    }
    ++m_keepalive_probes_sent;
    m_keepalive_probe_due = true;
    m_keepalive_deadline = now + m_config.keepalive->interval;
}

}  // namespace oasis::net
