// TcpTable: the connections and listeners of one stack — demultiplexing, LISTEN, SYN cookies,
// timers.
#include "net/tcp/table.hpp"

#include <algorithm>
#include <tuple>

#include "core/panic.hpp"
#include "core/scheduler.hpp"

namespace oasis::net {

bool operator<(const TcpTuple& left, const TcpTuple& right) {
    return std::tuple{left.local.to_u32(), left.local_port, left.remote.to_u32(),
                      left.remote_port} < std::tuple{right.local.to_u32(), right.local_port,
                                                     right.remote.to_u32(), right.remote_port};
}

namespace {

TcpIncoming incoming_from(const TcpSegment& segment, const TcpOptions& options) {
    return TcpIncoming{segment.fields(), options, segment.payload()};
}

}  // namespace

TcpTable::TcpTable(TcpTransmitter& transmitter, crypto::ChaChaRng& random, TcpTableOptions options)
    : m_transmitter(transmitter),
      m_random(random),
      m_options(options),
      m_initial_sequence(random),
      m_cookies(random) {}

TcpTable::~TcpTable() {
    // Sockets must be gone; connections still closing simply end.
    for (auto& [tuple, endpoint] : m_connections) {
        OASIS_ASSERT(endpoint->waiters.empty());
    }
}

const TcpEndpoint* TcpTable::find(const TcpTuple& tuple) const {
    auto found = m_connections.find(tuple);
    return found == m_connections.end() ? nullptr : found->second.get();
}

TcpListenerState* TcpTable::find_listener(std::uint16_t port) {
    auto found = m_listeners.find(port);
    return found == m_listeners.end() || found->second->closed ? nullptr : found->second.get();
}

// --- segments in ---

void TcpTable::on_segment(Ipv4Address source, Ipv4Address destination, const TcpSegment& segment,
                          const TcpOptions& options, Instant now) {
    ++m_stats.segments_received;
    TcpTuple tuple{destination, segment.destination_port(), source, segment.source_port()};
    TcpIncoming incoming = incoming_from(segment, options);

    auto found = m_connections.find(tuple);
    if (found != m_connections.end()) {
        TcpEndpoint& endpoint = *found->second;
        TcpConnection& connection = *endpoint.connection;
        if (connection.is_closed()) {
            // Closed, and its socket not yet released: CLOSED answers as if
            // there were no connection (RFC 9293 §3.10.7.1).
            ++m_stats.no_socket;
            if (!segment.rst())
                send_reset_for(tuple, incoming);
            return;
        }
        bool bare_syn = segment.syn() && !segment.ack() && !segment.rst();
        TcpListenerState* listener = bare_syn ? find_listener(tuple.local_port) : nullptr;
        // RFC 6191: the old incarnation in TIME-WAIT gives way — unless the
        // app still holds its socket, which would be left pointing at freed
        // memory; the peer's SYN then meets TIME-WAIT, and a retry once the
        // app has let go reuses the tuple.
        if (listener != nullptr && !endpoint.attached &&
            connection.accepts_new_incarnation(incoming)) {
            ++m_stats.time_wait_reused;
            erase(endpoint);
            on_listen(*listener, tuple, incoming, now);
            return;
        }
        connection.on_segment(incoming, now);
        service(endpoint, now);
        return;
    }
    if (TcpListenerState* listener = find_listener(tuple.local_port)) {
        on_listen(*listener, tuple, incoming, now);
        return;
    }
    // RFC 9293 §3.10.7.1: CLOSED answers everything but a RST with a RST.
    ++m_stats.no_socket;
    if (!segment.rst())
        send_reset_for(tuple, incoming);
}

void TcpTable::send_reset_for(const TcpTuple& tuple, const TcpIncoming& segment) {
    TcpOutgoing reset;
    reset.fields.source_port = tuple.local_port;
    reset.fields.destination_port = tuple.remote_port;
    if (segment.fields.flags.has(TcpFlag::ack)) {
        reset.fields.sequence_number = segment.fields.acknowledgment_number;
        reset.fields.flags = TcpFlag::rst;
    } else {
        reset.fields.acknowledgment_number =
            segment.fields.sequence_number + segment.sequence_length();
        reset.fields.flags = TcpFlag::rst | TcpFlag::ack;
    }
    ++m_stats.resets_sent;
    transmit(tuple, reset, nullptr);
}

void TcpTable::on_listen(TcpListenerState& listener, const TcpTuple& tuple,
                         const TcpIncoming& segment, Instant now) {
    const TcpFlags flags = segment.fields.flags;
    // RFC 9293 §3.10.7.2.
    if (flags.has(TcpFlag::rst)) {
        ++m_stats.listen_drops;
        return;
    }
    if (flags.has(TcpFlag::ack)) {
        if (!flags.has(TcpFlag::syn) && m_last_cookie_sent &&
            now - *m_last_cookie_sent <= TcpSynCookies::counter_tick * 3) {
            accept_cookie(listener, tuple, segment, now);
            return;
        }
        send_reset_for(tuple, segment);
        return;
    }
    if (!flags.has(TcpFlag::syn)) {
        ++m_stats.listen_drops;
        return;
    }
    ++m_stats.syn_received;
    // Multicast and broadcast SYNs never reach here: the stack only passes
    // segments for our unicast address (RFC 9293 §3.10.7.2).
    if (listener.accept_queue.size() >= listener.backlog) {
        // As Linux: a full accept queue drops the SYN; the peer retries.
        ++m_stats.accept_queue_overflows;
        return;
    }
    if (listener.half_open >= m_options.syn_backlog ||
        m_connections.size() >= m_options.max_connections) {
        if (m_options.syn_cookies) {
            ++m_stats.syn_queue_overflows;
            answer_with_cookie(listener, tuple, segment, now);
        } else {
            ++m_stats.connection_limit;
        }
        return;
    }
    auto connection = TcpConnection::accept(tuple, listener.config, segment,
                                            m_initial_sequence.generate(tuple, now),
                                            m_initial_sequence.timestamp_offset(tuple), now);
    TcpEndpoint& endpoint = insert(std::move(connection));
    endpoint.listener = &listener;
    ++listener.half_open;
    ++m_stats.passive_opens;
    service(endpoint, now);
}

void TcpTable::answer_with_cookie(const TcpListenerState& listener, const TcpTuple& tuple,
                                  const TcpIncoming& syn, Instant now) {
    const TcpOptions& offered = syn.options;
    std::uint16_t peer_mss = offered.maximum_segment_size.value_or(0);
    TcpOutgoing reply;
    reply.fields.source_port = tuple.local_port;
    reply.fields.destination_port = tuple.remote_port;
    reply.fields.sequence_number = m_cookies.make(tuple, syn.fields.sequence_number, peer_mss, now);
    reply.fields.acknowledgment_number = syn.fields.sequence_number + 1;
    reply.fields.flags = TcpFlag::syn | TcpFlag::ack;
    reply.fields.window =
        static_cast<std::uint16_t>(std::min<std::size_t>(listener.config.receive_buffer, 65535));
    TcpOptions& options = reply.options;
    options.maximum_segment_size = std::min<std::uint16_t>(TcpSynCookies::encoded_mss(peer_mss),
                                                           listener.config.maximum_segment_size);
    // Window scaling and SACK survive only inside our TSval (RFC 4987 §3.6).
    if (offered.timestamps && listener.config.timestamps) {
        TcpCookieParameters parameters;
        if (offered.window_scale && listener.config.window_scaling) {
            parameters.window_scale = TcpConnection::receive_window_shift(listener.config);
            options.window_scale = parameters.window_scale;
        }
        parameters.sack_permitted = offered.sack_permitted && listener.config.selective_ack;
        options.sack_permitted = parameters.sack_permitted;
        std::uint32_t clock =
            TcpConnection::timestamp_clock(now) + m_initial_sequence.timestamp_offset(tuple);
        options.timestamps = TcpTimestamps{TcpSynCookies::encode_timestamp(clock, parameters),
                                           offered.timestamps->value};
    }
    ++m_stats.cookies_sent;
    m_last_cookie_sent = now;
    transmit(tuple, reply, nullptr);
}

void TcpTable::accept_cookie(TcpListenerState& listener, const TcpTuple& tuple,
                             const TcpIncoming& ack, Instant now) {
    std::optional<std::uint32_t> echoed;
    if (ack.options.timestamps)
        echoed = ack.options.timestamps->echo_reply;
    std::optional<TcpCookieParameters> parameters = m_cookies.check(
        tuple, ack.fields.sequence_number - 1, ack.fields.acknowledgment_number - 1, echoed, now);
    if (!parameters) {
        ++m_stats.cookies_rejected;
        send_reset_for(tuple, ack);
        return;
    }
    if (listener.accept_queue.size() >= listener.backlog ||
        m_connections.size() >= m_options.max_connections) {
        ++m_stats.accept_queue_overflows;
        return;
    }
    ++m_stats.cookies_accepted;
    auto connection = TcpConnection::accept_cookie(tuple, listener.config, ack, *parameters,
                                                   m_initial_sequence.timestamp_offset(tuple), now);
    TcpEndpoint& endpoint = insert(std::move(connection));
    endpoint.listener = &listener;
    ++listener.half_open;  // service() moves it to the accept queue at once
    ++m_stats.passive_opens;
    service(endpoint, now);
}

// --- the app ---

Result<TcpListenerState*, TcpError> TcpTable::listen(std::uint16_t port, std::size_t backlog,
                                                     const TcpConfig& config) {
    if (port == 0)
        return Error{TcpError::port_in_use};
    auto found = m_listeners.find(port);
    if (found != m_listeners.end()) {
        if (!found->second->closed)
            return Error{TcpError::port_in_use};
        m_listeners.erase(found);
    }
    auto listener = std::make_unique<TcpListenerState>();
    listener->port = port;
    listener->backlog = std::max<std::size_t>(backlog, 1);
    listener->config = config;
    TcpListenerState* raw = listener.get();
    m_listeners.emplace(port, std::move(listener));
    return raw;
}

void TcpTable::close_listener(TcpListenerState& listener, Instant now) {
    listener.closed = true;
    // Connections nobody accepted are reset, as Linux does on close(2).
    std::vector<TcpEndpoint*> orphans;
    for (auto& [tuple, endpoint] : m_connections) {
        if (endpoint->listener == &listener)
            orphans.push_back(endpoint.get());
    }
    for (TcpEndpoint* endpoint : orphans) {
        endpoint->listener = nullptr;
        endpoint->queued_for_accept = false;
        endpoint->connection->abort();
        service(*endpoint, now);
    }
    listener.accept_queue.clear();
    if (!listener.acceptors.empty())
        Scheduler::current().wake_all(listener.acceptors);
    if (listener.acceptors.empty())
        m_listeners.erase(listener.port);
}

std::optional<std::uint16_t> TcpTable::pick_ephemeral_port(Ipv4Address local, Ipv4Address remote,
                                                           std::uint16_t remote_port) {
    // RFC 6056 §3.3.1: a random start and a linear search; a port may be
    // shared by connections to different destinations.
    constexpr std::uint32_t count = ephemeral_last - ephemeral_first + 1;
    std::uint32_t start = m_random.next_u32() % count;
    for (std::uint32_t i = 0; i < count; ++i) {
        auto port = static_cast<std::uint16_t>(ephemeral_first + (start + i) % count);
        if (m_listeners.count(port) != 0)
            continue;
        if (m_connections.count(TcpTuple{local, port, remote, remote_port}) == 0)
            return port;
    }
    return std::nullopt;
}

Result<TcpEndpoint*, TcpError> TcpTable::connect(Ipv4Address local, Ipv4Address remote,
                                                 std::uint16_t remote_port,
                                                 std::uint16_t local_port, const TcpConfig& config,
                                                 Instant now) {
    if (m_connections.size() >= m_options.max_connections)
        return Error{TcpError::connection_limit};
    if (local_port == 0) {
        std::optional<std::uint16_t> port = pick_ephemeral_port(local, remote, remote_port);
        if (!port)
            return Error{TcpError::no_free_port};
        local_port = *port;
    }
    TcpTuple tuple{local, local_port, remote, remote_port};
    if (m_connections.count(tuple) != 0)
        return Error{TcpError::port_in_use};
    auto connection = TcpConnection::connect(tuple, config, m_initial_sequence.generate(tuple, now),
                                             m_initial_sequence.timestamp_offset(tuple), now);
    TcpEndpoint& endpoint = insert(std::move(connection));
    endpoint.attached = true;
    ++m_stats.active_opens;
    service(endpoint, now);
    return &endpoint;
}

TcpEndpoint* TcpTable::take_accepted(TcpListenerState& listener) {
    if (listener.accept_queue.empty())
        return nullptr;
    TcpEndpoint* endpoint = listener.accept_queue.front();
    listener.accept_queue.pop_front();
    endpoint->listener = nullptr;
    endpoint->queued_for_accept = false;
    endpoint->attached = true;
    return endpoint;
}

void TcpTable::detach(TcpEndpoint& endpoint, Instant now) {
    endpoint.attached = false;
    service(endpoint, now);
}

void TcpTable::close_all(Instant now) {
    std::vector<TcpEndpoint*> endpoints;
    for (auto& [tuple, endpoint] : m_connections)
        endpoints.push_back(endpoint.get());
    for (TcpEndpoint* endpoint : endpoints) {
        endpoint->connection->abort();
        service(*endpoint, now);
    }
    for (auto& [port, listener] : m_listeners) {
        listener->closed = true;
        if (!listener->acceptors.empty())
            Scheduler::current().wake_all(listener->acceptors);
    }
}

// --- the glue ---

TcpEndpoint& TcpTable::insert(std::unique_ptr<TcpConnection> connection) {
    auto endpoint = std::make_unique<TcpEndpoint>();
    endpoint->connection = std::move(connection);
    TcpEndpoint& raw = *endpoint;
    m_connections.emplace(raw.connection->tuple(), std::move(endpoint));
    return raw;
}

void TcpTable::erase(TcpEndpoint& endpoint) {
    if (endpoint.transmit_blocked) {
        m_transmit_blocked.erase(
            std::remove(m_transmit_blocked.begin(), m_transmit_blocked.end(), &endpoint),
            m_transmit_blocked.end());
    }
    if (endpoint.armed_deadline)
        m_timers.erase(TimerKey{*endpoint.armed_deadline, &endpoint});
    if (TcpListenerState* listener = endpoint.listener) {
        if (endpoint.queued_for_accept) {
            auto& queue = listener->accept_queue;
            queue.erase(std::remove(queue.begin(), queue.end(), &endpoint), queue.end());
        } else if (listener->half_open > 0) {
            --listener->half_open;
        }
    }
    ++m_stats.connections_closed;
    m_connections.erase(endpoint.connection->tuple());
}

void TcpTable::wake(TcpEndpoint& endpoint) {
    if (!endpoint.waiters.empty())
        Scheduler::current().wake_all(endpoint.waiters);
}

void TcpTable::transmit(const TcpTuple& tuple, const TcpOutgoing& segment,
                        const TcpConnection* connection) {
    if (m_transmitter.send_tcp(tuple, segment, connection)) {
        ++m_stats.segments_sent;
    } else {
        ++m_stats.send_failures;
    }
}

void TcpTable::service(TcpEndpoint& endpoint, Instant now) {
    TcpConnection& connection = *endpoint.connection;
    for (;;) {
        if (!m_transmitter.tcp_can_send()) {
            if (!endpoint.transmit_blocked) {
                endpoint.transmit_blocked = true;
                m_transmit_blocked.push_back(&endpoint);
            }
            break;
        }
        std::optional<TcpOutgoing> segment = connection.poll_transmit(now);
        if (!segment)
            break;
        if (segment->fields.flags.has(TcpFlag::rst))
            ++m_stats.resets_sent;
        transmit(connection.tuple(), *segment, &connection);
    }

    // A passive connection whose handshake completed joins the accept queue.
    if (TcpListenerState* listener = endpoint.listener;
        listener != nullptr && !endpoint.queued_for_accept && connection.handshake_complete()) {
        if (listener->half_open > 0)
            --listener->half_open;
        if (listener->accept_queue.size() >= listener->backlog) {
            ++m_stats.accept_queue_overflows;
            endpoint.listener = nullptr;
            connection.abort();
            while (std::optional<TcpOutgoing> segment = connection.poll_transmit(now)) {
                transmit(connection.tuple(), *segment, &connection);
            }
        } else {
            endpoint.queued_for_accept = true;
            listener->accept_queue.push_back(&endpoint);
            if (!listener->acceptors.empty())
                Scheduler::current().wake_one(listener->acceptors);
        }
    }

    wake(endpoint);

    if (connection.is_closed() && !endpoint.attached && !endpoint.queued_for_accept &&
        !endpoint.transmit_blocked) {
        erase(endpoint);
        return;
    }

    std::optional<Instant> deadline = connection.next_deadline();
    if (deadline != endpoint.armed_deadline) {
        if (endpoint.armed_deadline)
            m_timers.erase(TimerKey{*endpoint.armed_deadline, &endpoint});
        endpoint.armed_deadline = deadline;
        if (deadline) {
            bool earliest = m_timers.empty() || *deadline < m_timers.begin()->first;
            m_timers.insert(TimerKey{*deadline, &endpoint});
            if (earliest)
                m_transmitter.tcp_deadline_changed();
        }
    }
}

std::optional<Instant> TcpTable::next_deadline() const {
    if (m_timers.empty())
        return std::nullopt;
    return m_timers.begin()->first;
}

void TcpTable::on_unreachable(const TcpTuple& tuple, SequenceNumber sequence, bool hard,
                              Instant now) {
    auto found = m_connections.find(tuple);
    if (found == m_connections.end()) {
        ++m_stats.icmp_unmatched;
        return;
    }
    ++m_stats.icmp_errors;
    found->second->connection->on_unreachable(sequence, hard);
    service(*found->second, now);
}

void TcpTable::on_transmit_space(Instant now) {
    std::vector<TcpEndpoint*> blocked;
    blocked.swap(m_transmit_blocked);
    for (std::size_t i = 0; i < blocked.size(); ++i) {
        TcpEndpoint& endpoint = *blocked[i];
        endpoint.transmit_blocked = false;
        service(endpoint, now);  // may free the endpoint: only compare its address
        if (!m_transmit_blocked.empty() && m_transmit_blocked.back() == &endpoint) {
            // Still no room: the rest wait too, in their order.
            for (std::size_t j = i + 1; j < blocked.size(); ++j) {
                m_transmit_blocked.push_back(blocked[j]);
            }
            break;
        }
    }
}

void TcpTable::on_timer(Instant now) {
    while (!m_timers.empty() && m_timers.begin()->first <= now) {
        TcpEndpoint& endpoint = *m_timers.begin()->second;
        m_timers.erase(m_timers.begin());
        endpoint.armed_deadline.reset();
        endpoint.connection->on_timer(now);
        service(endpoint, now);
    }
}

}  // namespace oasis::net
