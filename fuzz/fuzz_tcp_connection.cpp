// Fuzz target: TCP connections (net/tcp/connection.hpp) stepped by segments, time and app calls.
//
// Not a parser but the state machine behind one: the input is decoded into a
// sequence of steps for one TcpConnection (after connect() or accept()), or
// for two wired to each other, and invariants that must hold whatever the
// peer sends are checked after every step. A failed invariant panics
// (FUZZ_CHECK); a poll_transmit() loop that does not end traps.
//
// Input, read front to back (reads past the end give zeros, so every input
// decodes): a mode byte, the start time, each connection's TcpConfig, ISN,
// timestamp offset and its crafted peer's timestamp clock, then (after
// accept(): the SYN it accepts) steps until the input ends. A step is an
// opcode byte (low four bits: what; high bits: which side or queue) and its
// operands:
//   segment   one crafted segment to a connection: flags, then sequence and
//             acknowledgment numbers each as a selector byte (a base — RCV.NXT,
//             SND.UNA, SND.NXT, the highest sequence sent, the right edge of
//             the receive window, IRS, ISS or a raw value — plus an offset),
//             the window, the urgent pointer (with URG), options (raw bytes,
//             or built from fields: MSS, window scale, SACK-permitted,
//             timestamps near the connection's own clock, SACK blocks chosen
//             like sequence numbers) and a payload length. The segment goes
//             through TcpSegment::emit, parse and parse_tcp_options as the
//             stack's receive path does; the payload is the peer's byte pattern
//             at its sequence numbers, so data is consistent wherever it lands.
//   clock     to the next deadline, or forward by some time with on_timer()
//             at every deadline on the way (or once, late, as a busy table).
//   app       write, read, shutdown_write, close, abort, set_no_delay,
//             set_keepalive, set_user_timeout; or hold transmission back, as a
//             table does when its transmitter is full.
//   network   (two connections) deliver, drop, duplicate or reorder the
//             segments queued between them.
// What each connection sends is pulled with poll_transmit() after every step
// (unless held back), checked, and emitted as wire bytes; with two
// connections it is queued for the other.
//
// Invariants (see check_outgoing, check_connection and settle below): the
// buffers stay within their capacity; every segment's options fit in 40
// bytes, its payload and options within the effective MSS (RFC 6691), its
// payload is what the app wrote at those sequence numbers (copy_payload), a
// FIN comes after the last byte written and only after shutdown_write() or
// close(), its ACK number is RCV.NXT, the receive window's right edge never
// moves left (but for window scale rounding), SACK blocks lie inside the
// receive window, TSval never goes back; what read() returns is the peer's
// data in order; poll_transmit() ends; after on_timer(now) (and polling) no
// deadline is left at or before now; a CLOSED connection sends only RSTs,
// stops asking for timers and keeps its error; state changes follow RFC 9293
// figure 5; and two connections that neither failed nor saw a crafted segment
// deliver every byte written once the network stops losing segments.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "fuzz/tcp_fuzz_support.hpp"
#include "net/tcp/connection.hpp"
#include "net/wire/tcp.hpp"

using namespace oasis;
using namespace oasis::net;
using oasis::fuzz::decode_config;
using oasis::fuzz::Input;
using oasis::fuzz::milliseconds;
using oasis::fuzz::pattern;
using oasis::fuzz::trace;

namespace {

constexpr Ipv4Address client_address = Ipv4Address::from_octets(10, 0, 0, 1);
constexpr Ipv4Address server_address = Ipv4Address::from_octets(10, 0, 0, 2);
constexpr std::uint16_t client_port = 40000;
constexpr std::uint16_t server_port = 80;
// RFC 9293 §3.7.1 and what TcpConnection clamps a peer's MSS option to.
constexpr std::uint32_t default_peer_mss = 536;
constexpr std::uint32_t min_peer_mss = 64;
// Timer runs a CLOSED connection may still ask for: one per timer.
constexpr int max_timer_runs_when_closed = 5;
// Deadlines one clock step goes through before it jumps to its end (the
// rest then run late), and rounds of settle() before it gives up.
constexpr int max_timer_rounds = 2000;
constexpr int max_settle_rounds = 5000;

const char* state_name(TcpState state) {
    return tcp_state_name(state).data();  // the names are string literals
}

void trace_segment(const char* what, std::size_t side, Instant now, const TcpFields& fields,
                   const TcpOptions& options, std::size_t payload_size) {
    constexpr char letters[] = "FSRPAUEC";
    char flags[9] = {};
    std::size_t count = 0;
    for (std::size_t bit = 0; bit < 8; ++bit) {
        if ((fields.flags.bits() >> bit & 1) != 0) {
            flags[count++] = letters[bit];
        }
    }
    trace(
        "%lld %s %zu: [%s] seq %u ack %u win %u len %zu mss %d ws %d sackok %d ts %u/%u sacks %zu",
        static_cast<long long>(now.time_since_epoch().count()), what, side, flags,
        fields.sequence_number.value(), fields.acknowledgment_number.value(), fields.window,
        payload_size, options.maximum_segment_size ? *options.maximum_segment_size : -1,
        options.window_scale ? *options.window_scale : -1, options.sack_permitted ? 1 : 0,
        options.timestamps ? options.timestamps->value : 0,
        options.timestamps ? options.timestamps->echo_reply : 0, options.sack_block_count);
}

std::uint32_t distance(SequenceNumber from, SequenceNumber to) {
    return to.value() - from.value();
}

// RFC 9293 figure 5, one edge: CLOSED is reachable from everywhere (RST,
// abort, timeouts); FIN-WAIT-1 reaches TIME-WAIT through FIN-WAIT-2 or
// CLOSING.
bool is_edge(TcpState from, TcpState to) {
    if (to == TcpState::closed) {
        return from != TcpState::closed;
    }
    switch (from) {
        case TcpState::syn_sent:
            return to == TcpState::syn_received || to == TcpState::established;
        case TcpState::syn_received:
            return to == TcpState::established || to == TcpState::fin_wait_1;
        case TcpState::established:
            return to == TcpState::fin_wait_1 || to == TcpState::close_wait;
        case TcpState::fin_wait_1:
            return to == TcpState::fin_wait_2 || to == TcpState::closing;
        case TcpState::fin_wait_2:
        case TcpState::closing:
            return to == TcpState::time_wait;
        case TcpState::close_wait:
            return to == TcpState::last_ack;
        case TcpState::closed:
        case TcpState::listen:
        case TcpState::last_ack:
        case TcpState::time_wait:
            return false;
    }
    return false;
}

// One segment can take two edges (a SYN-ACK carrying a FIN; a FIN that also
// acknowledges ours); an app call or a timer takes one.
bool is_legal_transition(TcpState from, TcpState to, int max_edges) {
    if (from == to || is_edge(from, to)) {
        return true;
    }
    if (max_edges < 2) {
        return false;
    }
    for (std::uint8_t middle = 0; middle <= static_cast<std::uint8_t>(TcpState::time_wait);
         ++middle) {
        if (is_edge(from, TcpState{middle}) && is_edge(TcpState{middle}, to)) {
            return true;
        }
    }
    return false;
}

// One side: its connection and what the harness knows of it.
struct Endpoint {
    TcpTuple tuple;
    Ipv4Address address;
    TcpConfig config;
    std::unique_ptr<TcpConnection> connection;
    SequenceNumber iss{};
    std::uint32_t timestamp_offset = 0;
    std::optional<SequenceNumber> irs;
    std::uint32_t salt = 0;       // pattern of what this side writes
    std::uint32_t peer_salt = 0;  // pattern of what it receives
    std::uint64_t written = 0;    // accepted by write()
    std::uint64_t read = 0;       // returned by read()
    bool fin_requested = false;   // shutdown_write() or close() was called
    bool read_shut = false;       // close() or abort(): later data is refused
    // The SYN (or SYN-ACK) that synchronized the connection: the peer's MSS
    // and window scale.
    std::optional<TcpOptions> peer_syn_options;
    std::optional<SequenceNumber> send_max;    // one past the highest sequence sent
    std::optional<SequenceNumber> right_edge;  // the highest RCV.NXT + RCV.WND advertised
    std::optional<std::uint32_t> last_tsval;
    std::uint32_t peer_clock_start = 0;  // a crafted peer's TSval at the start time
    bool blocked = false;                // held back, as by a full transmitter
    int timer_runs_when_closed = 0;
    // As of the last check.
    TcpState state = TcpState::closed;
    bool handshake_complete = false;
    bool read_closed = false;
    std::optional<TcpError> error;

    bool alive() const { return connection != nullptr; }

    SequenceNumber receive_next() const {
        SequenceNumber base = irs.value_or(SequenceNumber{});
        std::uint64_t delivered = read + connection->readable();
        return base + 1 + static_cast<std::uint32_t>(delivered) +
               (connection->read_closed() ? 1 : 0);
    }
    // SND.UNA as the app sees it: what was written less what is still held.
    SequenceNumber send_unacknowledged() const {
        std::uint64_t acknowledged = written - connection->unacknowledged();
        return iss + (handshake_complete ? 1 : 0) + static_cast<std::uint32_t>(acknowledged);
    }
    // RFC 6691 §2: the payload and options of one segment stay within the
    // MSS the peer announced (clamped as the connection clamps it) and ours.
    std::uint32_t effective_mss() const {
        std::uint32_t peer = default_peer_mss;
        if (peer_syn_options && peer_syn_options->maximum_segment_size) {
            peer = *peer_syn_options->maximum_segment_size;
        }
        return std::min<std::uint32_t>(config.maximum_segment_size, std::max(peer, min_peer_mss));
    }
    // RFC 7323 §2.3: our window is scaled when both SYNs carried the option.
    std::uint8_t receive_shift() const {
        bool scaled = config.window_scaling && peer_syn_options && peer_syn_options->window_scale;
        return scaled ? TcpConnection::receive_window_shift(config) : 0;
    }
};

// A segment on the wire between the two connections.
struct WireSegment {
    std::vector<std::byte> bytes;
};

enum class Mode : std::uint8_t { connect, accept, pair };

class Harness {
public:
    explicit Harness(Input& input) : m_input(input) {}

    void run();

private:
    // --- setup ---
    void start();
    void set_up_endpoint(Endpoint& endpoint, bool client);

    // --- steps ---
    void step();
    void segment_step(Endpoint& target);
    void clock_step();
    void app_step(Endpoint& endpoint, std::uint8_t operation);
    void network_step(std::uint8_t operation);

    // --- building and delivering segments ---
    SequenceNumber choose_sequence(const Endpoint& target);
    std::vector<std::byte> choose_options(const Endpoint& target);
    std::vector<std::byte> craft(const Endpoint& target, bool force_bare_syn);
    void deliver(Endpoint& to, ByteView bytes);
    void accept_syn(Endpoint& server, const TcpIncoming& syn);

    // --- output and timers ---
    void transmit(Endpoint& endpoint);
    void check_outgoing(Endpoint& endpoint, const TcpOutgoing& segment,
                        std::vector<std::byte>& payload);
    void run_timers(Endpoint& endpoint);
    std::optional<Instant> earliest_deadline() const;
    void advance_precisely(Instant target);
    void advance_late(Instant target);

    // --- checks ---
    void check_connection(Endpoint& endpoint, int max_edges);
    void check_all(int max_edges);
    bool must_deliver() const;
    bool delivered_all() const;
    void read_all(Endpoint& endpoint);
    void settle();

    std::size_t index_of(const Endpoint& endpoint) const {
        return &endpoint == &m_endpoints[0] ? 0 : 1;
    }

    Input& m_input;
    Mode m_mode = Mode::connect;
    Instant m_start{};
    Instant m_now{};
    std::array<Endpoint, 2> m_endpoints;
    // Segments from endpoint i on their way to the other (pair mode).
    std::array<std::deque<WireSegment>, 2> m_queues;
    bool m_injected = false;  // a crafted segment reached one of the pair
};

// --- setup ---

void Harness::set_up_endpoint(Endpoint& endpoint, bool client) {
    endpoint.address = client ? client_address : server_address;
    endpoint.tuple = client ? TcpTuple{client_address, client_port, server_address, server_port}
                            : TcpTuple{server_address, server_port, client_address, client_port};
    endpoint.config = decode_config(m_input);
    endpoint.iss = SequenceNumber{m_input.u32()};
    endpoint.timestamp_offset = m_input.u32();
    endpoint.peer_clock_start = m_input.u32();
    endpoint.salt = client ? 0x1234'5678u : 0x9abc'def0u;
    endpoint.peer_salt = client ? 0x9abc'def0u : 0x1234'5678u;
}

void Harness::start() {
    std::uint8_t mode = m_input.byte();
    m_mode = Mode{static_cast<std::uint8_t>(mode % 3)};
    // Milliseconds from boot: the 32-bit timestamp clock may be near its wrap.
    m_start = Instant{} + std::chrono::seconds(1) + milliseconds(m_input.u32());
    m_now = m_start;
    Endpoint& first = m_endpoints[0];
    set_up_endpoint(first, m_mode != Mode::accept);
    if (m_mode == Mode::pair) {
        set_up_endpoint(m_endpoints[1], false);
    }
    if (m_mode == Mode::accept) {
        // What a listener hands TcpConnection::accept(): a SYN without ACK or
        // RST whose options parsed (net/tcp/table.cpp, net/stack.cpp).
        std::vector<std::byte> syn = craft(first, true);
        deliver(first, ByteView{syn});
        if (!first.alive()) {
            return;
        }
    } else {
        first.connection = TcpConnection::connect(first.tuple, first.config, first.iss,
                                                  first.timestamp_offset, m_now);
        first.state = first.connection->state();
        FUZZ_CHECK(first.state == TcpState::syn_sent);
    }
    transmit(first);
    check_all(1);
}

void Harness::accept_syn(Endpoint& server, const TcpIncoming& syn) {
    server.connection = TcpConnection::accept(server.tuple, server.config, syn, server.iss,
                                              server.timestamp_offset, m_now);
    server.irs = syn.fields.sequence_number;
    server.peer_syn_options = syn.options;
    server.state = server.connection->state();
    FUZZ_CHECK(server.state == TcpState::syn_received);
}

void Harness::run() {
    start();
    if (!m_endpoints[0].alive()) {
        return;
    }
    while (!m_input.empty()) {
        step();
    }
    if (m_mode == Mode::pair) {
        settle();
    }
}

// --- steps ---

void Harness::step() {
    std::uint8_t operation = m_input.byte();
    // Pair mode: the high bit picks the side (or the queue).
    Endpoint& endpoint =
        m_mode == Mode::pair && (operation & 0x80) != 0 ? m_endpoints[1] : m_endpoints[0];
    switch (operation & 0x0f) {
        case 0:
        case 1:
        case 2:
            segment_step(endpoint);
            return;
        case 3:
        case 4:
            clock_step();
            return;
        case 5:
        case 6:
        case 7:
            if (m_mode == Mode::pair) {
                network_step(operation);
            } else {
                segment_step(endpoint);
            }
            return;
        default:
            app_step(endpoint, operation & 0x0f);
            return;
    }
}

void Harness::segment_step(Endpoint& target) {
    if (m_mode == Mode::pair) {
        m_injected = true;
    }
    std::vector<std::byte> bytes = craft(target, false);
    deliver(target, ByteView{bytes});
}

void Harness::clock_step() {
    std::uint8_t choice = m_input.byte();
    std::uint32_t amount = choice >> 2;
    switch (choice & 3) {
        case 0:
            if (std::optional<Instant> deadline = earliest_deadline()) {
                advance_precisely(std::max(m_now, *deadline));
            }
            return;
        case 1:
            advance_precisely(m_now + milliseconds(amount + 1));
            return;
        case 2:
            advance_late(m_now + milliseconds(amount * 100));
            return;
        default:
            // Up to about four hours: keepalive's two hours of idleness.
            advance_precisely(m_now + std::chrono::seconds(amount * amount * 4 + 1));
            return;
    }
}

void Harness::app_step(Endpoint& endpoint, std::uint8_t operation) {
    if (!endpoint.alive()) {
        return;
    }
    TcpConnection& connection = *endpoint.connection;
    trace("app %zu: operation %u in %s", index_of(endpoint), operation,
          state_name(connection.state()));
    switch (operation) {
        case 8:
        case 9: {
            std::uint8_t size_choice = m_input.byte();
            std::size_t size = size_choice < 0xc0 ? size_choice * 7u : (size_choice - 0xbf) * 4096u;
            std::vector<std::byte> data(size);
            for (std::size_t i = 0; i < size; ++i) {
                data[i] = pattern(static_cast<std::uint32_t>(endpoint.written + i), endpoint.salt);
            }
            bool could_write = connection.can_write();
            std::size_t space = connection.write_space();
            std::size_t written = connection.write(ByteView{data});
            FUZZ_CHECK(written <= size && written <= space);
            FUZZ_CHECK(could_write || written == 0);
            endpoint.written += written;
            break;
        }
        case 10: {
            std::uint8_t size_choice = m_input.byte();
            std::size_t size = size_choice < 0x80 ? size_choice : (size_choice - 0x7f) * 4096u;
            std::vector<std::byte> data(size);
            std::size_t readable = connection.readable();
            std::size_t count = connection.read(MutableByteView{data});
            FUZZ_CHECK(count == std::min(size, readable));
            for (std::size_t i = 0; i < count; ++i) {
                auto offset = static_cast<std::uint32_t>(endpoint.read + i);
                FUZZ_CHECK(data[i] == pattern(offset, endpoint.peer_salt));
            }
            endpoint.read += count;
            break;
        }
        case 11:
            endpoint.fin_requested = true;
            connection.shutdown_write();
            break;
        case 12: {
            std::uint8_t choice = m_input.byte();
            if (choice < 0x80) {
                connection.set_no_delay((choice & 1) != 0);
            } else if (choice < 0xc0) {
                connection.set_user_timeout(milliseconds((choice & 0x3f) * 500u));
            } else {
                // The harness: hold this side's segments back (a full
                // transmitter) or let them go.
                endpoint.blocked = !endpoint.blocked;
            }
            break;
        }
        case 13: {
            std::uint8_t choice = m_input.byte();
            std::optional<TcpKeepalive> keepalive;
            if (choice != 0) {
                keepalive = TcpKeepalive{milliseconds(m_input.byte() * 1000u),
                                         milliseconds(m_input.byte() * 1000u), choice % 10u};
            }
            connection.set_keepalive(keepalive, m_now);
            break;
        }
        case 14:
            endpoint.fin_requested = true;
            endpoint.read_shut = true;
            connection.close();
            break;
        default:
            endpoint.read_shut = true;
            connection.abort();
            break;
    }
    if (endpoint.state == TcpState::closed && connection.error() == TcpError::aborted) {
        // abort() (or a close() that resets) on a connection already CLOSED
        // records that the app aborted; nothing else may change its error.
        endpoint.error = connection.error();
    }
    transmit(endpoint);
    check_all(1);
}

void Harness::network_step(std::uint8_t operation) {
    std::size_t from = (operation & 0x80) != 0 ? 1 : 0;
    std::deque<WireSegment>& queue = m_queues[from];
    Endpoint& to = m_endpoints[1 - from];
    if (queue.empty()) {
        return;
    }
    std::uint8_t choice = m_input.byte();
    switch (choice & 7) {
        case 0:
        case 1:
        case 2: {
            WireSegment segment = std::move(queue.front());
            queue.pop_front();
            deliver(to, ByteView{segment.bytes});
            break;
        }
        case 3:
            queue.pop_front();  // lost
            break;
        case 4: {
            WireSegment segment = queue.front();  // duplicated
            deliver(to, ByteView{segment.bytes});
            break;
        }
        case 5: {
            // Reordered: a later segment overtakes the first.
            std::size_t index = (choice >> 3) % queue.size();
            WireSegment segment = std::move(queue[index]);
            queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(index));
            deliver(to, ByteView{segment.bytes});
            break;
        }
        case 6: {
            WireSegment segment = std::move(queue.front());
            queue.pop_front();
            queue.push_back(std::move(segment));
            break;
        }
        default: {
            std::deque<WireSegment> batch;
            batch.swap(queue);
            for (const WireSegment& segment : batch) {
                deliver(to, ByteView{segment.bytes});
            }
            break;
        }
    }
}

// --- building and delivering segments ---

SequenceNumber Harness::choose_sequence(const Endpoint& target) {
    std::uint8_t selector = m_input.byte();
    SequenceNumber base;
    const TcpConnection* connection = target.connection.get();
    switch (selector & 7) {
        case 0:
            base = connection ? target.receive_next() : target.irs.value_or(SequenceNumber{});
            break;
        case 1:
            base = connection ? target.send_unacknowledged() : target.iss;
            break;
        case 2:
            base = connection ? connection->send_next() : target.iss;
            break;
        case 3:
            base = target.send_max.value_or(target.iss);
            break;
        case 4:
            base = target.right_edge.value_or(target.irs.value_or(SequenceNumber{}));
            break;
        case 5:
            base = target.irs.value_or(SequenceNumber{});
            break;
        case 6:
            base = target.iss;
            break;
        default:
            return SequenceNumber{m_input.u32()};
    }
    switch ((selector >> 3) & 3) {
        case 0:
            return base;
        case 1: {
            // A small step, scaled by a power of two.
            auto step = static_cast<std::int8_t>(m_input.byte());
            auto offset = static_cast<std::uint32_t>(static_cast<std::int32_t>(step))
                          << (selector >> 5);
            return base + offset;
        }
        case 2: {
            auto offset = static_cast<std::int16_t>(m_input.u16());
            return base + static_cast<std::uint32_t>(static_cast<std::int32_t>(offset));
        }
        default:
            return base + m_input.u32();
    }
}

std::vector<std::byte> Harness::choose_options(const Endpoint& target) {
    std::uint8_t choice = m_input.byte();
    if ((choice & 0x80) == 0) {
        // Raw bytes, as a peer may send them: bad kinds, lengths of 0 or 1,
        // options running past the header.
        std::size_t size = std::min<std::size_t>(choice & 0x3f, TcpSegment::max_options_size);
        ByteView raw = m_input.bytes(size);
        return std::vector<std::byte>(raw.begin(), raw.end());
    }
    TcpOptions options;
    if ((choice & 0x01) != 0) {
        options.maximum_segment_size = m_input.u16();
    }
    if ((choice & 0x02) != 0) {
        options.window_scale = m_input.byte();  // above 14 too
    }
    options.sack_permitted = (choice & 0x04) != 0;
    if ((choice & 0x08) != 0) {
        // TSval near the peer's clock (PAWS, RFC 7323 §5), TSecr near ours.
        auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(m_now - m_start);
        std::uint32_t clock = target.peer_clock_start + static_cast<std::uint32_t>(elapsed.count());
        auto value_step = static_cast<std::int8_t>(m_input.byte());
        auto echo_step = static_cast<std::int8_t>(m_input.byte());
        options.timestamps = TcpTimestamps{
            clock + static_cast<std::uint32_t>(static_cast<std::int32_t>(value_step) * 64),
            target.last_tsval.value_or(0) +
                static_cast<std::uint32_t>(static_cast<std::int32_t>(echo_step))};
    }
    options.sack_block_count = ((choice >> 4) & 7) % (TcpOptions::max_sack_blocks + 1);
    for (std::size_t i = 0; i < options.sack_block_count; ++i) {
        SequenceNumber left = choose_sequence(target);
        SequenceNumber right = choose_sequence(target);
        options.sack_blocks[i] = TcpSackBlock{left, right};
    }
    while (tcp_options_size(options) > TcpSegment::max_options_size) {
        --options.sack_block_count;
    }
    std::vector<std::byte> bytes(TcpSegment::max_options_size);
    auto size = emit_tcp_options(MutableByteView{bytes}, options);
    FUZZ_CHECK(size.has_value());
    bytes.resize(*size);
    return bytes;
}

std::vector<std::byte> Harness::craft(const Endpoint& target, bool force_bare_syn) {
    TcpFields fields;
    fields.source_port = target.tuple.remote_port;
    fields.destination_port = target.tuple.local_port;
    fields.flags = TcpFlags{m_input.byte()};
    if (force_bare_syn) {
        constexpr std::uint8_t not_allowed =
            static_cast<std::uint8_t>(TcpFlag::ack) | static_cast<std::uint8_t>(TcpFlag::rst);
        fields.flags = TcpFlags{static_cast<std::uint8_t>((fields.flags.bits() & ~not_allowed) |
                                                          static_cast<std::uint8_t>(TcpFlag::syn))};
    }
    fields.sequence_number = choose_sequence(target);
    fields.acknowledgment_number = choose_sequence(target);
    fields.window = m_input.u16();
    if (fields.flags.has(TcpFlag::urg)) {
        fields.urgent_pointer = m_input.u16();  // beyond the data too
    }
    std::vector<std::byte> options = choose_options(target);

    std::uint8_t size_choice = m_input.byte();
    std::size_t size = size_choice < 0xe0 ? size_choice : (size_choice - 0xdf) * 2048u;
    std::size_t header = TcpSegment::emitted_size(options.size(), 0);
    size = std::min(size, TcpSegment::max_segment_size - header);
    // The peer's bytes at these sequence numbers: its ISN is our IRS, or this
    // segment's sequence number when it is the SYN that will set it.
    bool syn = fields.flags.has(TcpFlag::syn);
    SequenceNumber initial = target.irs ? *target.irs
                             : syn      ? fields.sequence_number
                                        : SequenceNumber{};
    SequenceNumber first = fields.sequence_number + (syn ? 1 : 0);
    std::uint32_t offset = distance(initial + 1, first);
    std::vector<std::byte> payload(size);
    for (std::size_t i = 0; i < size; ++i) {
        payload[i] = pattern(offset + static_cast<std::uint32_t>(i), target.peer_salt);
    }

    std::vector<std::byte> bytes(header + size);
    Ipv4Address source = target.tuple.remote;
    auto emitted = TcpSegment::emit(MutableByteView{bytes}, fields, ByteView{options},
                                    ByteView{payload}, source, target.address);
    FUZZ_CHECK(emitted.has_value() && *emitted == bytes.size());
    return bytes;
}

// The receive path of net/stack.cpp and net/tcp/table.cpp, for one tuple.
void Harness::deliver(Endpoint& to, ByteView bytes) {
    auto segment = TcpSegment::parse(bytes, to.tuple.remote, to.address);
    if (!segment) {
        // Our own emit() wrote it: only option bytes can be refused.
        FUZZ_CHECK(segment.error() == WireError::bad_option);
        return;
    }
    auto options = parse_tcp_options(segment->options());
    FUZZ_CHECK(options.has_value());  // parse() walked them already
    TcpIncoming incoming{segment->fields(), *options, segment->payload()};
    const TcpFlags flags = incoming.fields.flags;
    if (!to.alive()) {
        // A listener: only a bare SYN makes a connection.
        if (flags.has(TcpFlag::syn) && !flags.has(TcpFlag::ack) && !flags.has(TcpFlag::rst)) {
            accept_syn(to, incoming);
            transmit(to);
            check_all(1);
        }
        return;
    }
    TcpState before = to.connection->state();
    trace_segment("to", index_of(to), m_now, incoming.fields, incoming.options,
                  incoming.payload.size());
    to.connection->on_segment(incoming, m_now);
    TcpState after = to.connection->state();
    trace("   %s -> %s", state_name(before), state_name(after));
    if (before == TcpState::syn_sent && after != TcpState::syn_sent && after != TcpState::closed) {
        FUZZ_CHECK(flags.has(TcpFlag::syn));
        to.irs = incoming.fields.sequence_number;
        to.peer_syn_options = incoming.options;
    }
    transmit(to);
    check_all(2);
}

// --- output and timers ---

void Harness::transmit(Endpoint& endpoint) {
    if (!endpoint.alive() || endpoint.blocked) {
        return;
    }
    // Every segment carries at least one byte of payload but for a handful
    // of control segments; the send buffer bounds the rest.
    const std::size_t limit = 10000 + endpoint.config.send_buffer;
    for (std::size_t count = 0;; ++count) {
        if (count > limit) {
            __builtin_trap();  // poll_transmit() does not stop
        }
        std::optional<TcpOutgoing> segment = endpoint.connection->poll_transmit(m_now);
        if (!segment) {
            break;
        }
        trace_segment("from", index_of(endpoint), m_now, segment->fields, segment->options,
                      segment->payload_size);
        std::vector<std::byte> payload(segment->payload_size);
        check_outgoing(endpoint, *segment, payload);

        std::array<std::byte, TcpSegment::max_options_size> option_bytes{};
        auto options_size = emit_tcp_options(MutableByteView{option_bytes}, segment->options);
        FUZZ_CHECK(options_size.has_value());
        ByteView options{std::span{option_bytes}.first(*options_size)};
        WireSegment wire;
        wire.bytes.resize(TcpSegment::emitted_size(*options_size, payload.size()));
        auto emitted = TcpSegment::emit(MutableByteView{wire.bytes}, segment->fields, options,
                                        ByteView{payload}, endpoint.address, endpoint.tuple.remote);
        FUZZ_CHECK(emitted.has_value());
        if (m_mode == Mode::pair) {
            m_queues[index_of(endpoint)].push_back(std::move(wire));
        }
    }
}

void Harness::check_outgoing(Endpoint& endpoint, const TcpOutgoing& segment,
                             std::vector<std::byte>& payload) {
    const TcpConnection& connection = *endpoint.connection;
    const TcpFields& fields = segment.fields;
    const TcpFlags flags = fields.flags;
    const bool syn = flags.has(TcpFlag::syn);
    const bool fin = flags.has(TcpFlag::fin);
    const bool rst = flags.has(TcpFlag::rst);
    FUZZ_CHECK(fields.source_port == endpoint.tuple.local_port);
    FUZZ_CHECK(fields.destination_port == endpoint.tuple.remote_port);
    // The stack cannot emit more than 40 bytes of options (emit_tcp_options).
    FUZZ_CHECK(segment.options.sack_block_count <= TcpOptions::max_sack_blocks);
    FUZZ_CHECK(tcp_options_size(segment.options) <= TcpSegment::max_options_size);
    // A CLOSED connection only answers with a RST.
    FUZZ_CHECK(!connection.is_closed() || rst);
    if (syn || rst) {
        FUZZ_CHECK(segment.payload_size == 0 && !fin);
    }
    if (syn) {
        FUZZ_CHECK(fields.sequence_number == endpoint.iss);
        FUZZ_CHECK(!segment.options.window_scale ||
                   *segment.options.window_scale <= TcpOptions::max_window_scale);
    }

    // The payload is what the app wrote at these sequence numbers, and fits
    // the effective MSS with the options (RFC 6691 §2).
    connection.copy_payload(segment, MutableByteView{payload});
    std::uint32_t offset = distance(endpoint.iss + 1, fields.sequence_number);
    if (segment.payload_size > 0) {
        FUZZ_CHECK(connection.handshake_complete());
        FUZZ_CHECK(segment.payload_size + tcp_options_size(segment.options) <=
                   endpoint.effective_mss());
        FUZZ_CHECK(std::uint64_t{offset} + segment.payload_size <= endpoint.written);
        for (std::size_t i = 0; i < payload.size(); ++i) {
            FUZZ_CHECK(payload[i] ==
                       pattern(offset + static_cast<std::uint32_t>(i), endpoint.salt));
        }
    }
    if (fin) {
        // After the last byte written, and only once the app asked for it.
        FUZZ_CHECK(endpoint.fin_requested);
        FUZZ_CHECK(std::uint64_t{offset} + segment.payload_size == endpoint.written);
    }
    if (!rst) {
        SequenceNumber end = fields.sequence_number +
                             static_cast<std::uint32_t>(segment.payload_size) + (syn ? 1 : 0) +
                             (fin ? 1 : 0);
        if (!endpoint.send_max || *endpoint.send_max < end) {
            endpoint.send_max = end;
        }
    }

    if (flags.has(TcpFlag::ack)) {
        FUZZ_CHECK(endpoint.irs.has_value());
        FUZZ_CHECK(fields.acknowledgment_number == endpoint.receive_next());
        if (!rst && !syn) {
            // RFC 9293 §3.8.6: the right edge of the receive window does
            // not move left — but for less than one unit of the window
            // scale, which SEG.WND = RCV.WND >> shift rounds away (RFC 7323
            // §2.3). A SYN-ACK is left out: its window is never scaled (RFC
            // 7323 §2.2), so a retransmitted one may offer less than an ACK
            // sent in SYN-RECEIVED did.
            std::uint8_t shift = endpoint.receive_shift();
            SequenceNumber edge =
                fields.acknowledgment_number + (std::uint32_t{fields.window} << shift);
            if (!endpoint.right_edge || *endpoint.right_edge < edge) {
                endpoint.right_edge = edge;
            }
            FUZZ_CHECK(distance(edge, *endpoint.right_edge) < (1u << shift));
        }
        // RFC 2018 §4: SACK blocks report data held beyond RCV.NXT, inside
        // the window, each disjoint from the others.
        for (std::size_t i = 0; i < segment.options.sack_block_count; ++i) {
            const TcpSackBlock& block = segment.options.sack_blocks[i];
            FUZZ_CHECK(fields.acknowledgment_number < block.left && block.left < block.right);
            FUZZ_CHECK(distance(fields.acknowledgment_number, block.right) <=
                       endpoint.config.receive_buffer);
            for (std::size_t j = 0; j < i; ++j) {
                const TcpSackBlock& other = segment.options.sack_blocks[j];
                FUZZ_CHECK(block.right < other.left || other.right < block.left);
            }
        }
    } else {
        FUZZ_CHECK(segment.options.sack_block_count == 0);
    }
    if (segment.options.timestamps) {
        // RFC 7323 §5.4: the timestamp clock never goes back.
        std::uint32_t value = segment.options.timestamps->value;
        FUZZ_CHECK(!endpoint.last_tsval ||
                   static_cast<std::int32_t>(value - *endpoint.last_tsval) >= 0);
        endpoint.last_tsval = value;
    }
}

std::optional<Instant> Harness::earliest_deadline() const {
    std::optional<Instant> earliest;
    for (const Endpoint& endpoint : m_endpoints) {
        if (!endpoint.alive()) {
            continue;
        }
        std::optional<Instant> deadline = endpoint.connection->next_deadline();
        if (deadline && (!earliest || *deadline < *earliest)) {
            earliest = deadline;
        }
    }
    return earliest;
}

// on_timer() for a connection whose deadline has come, as TcpTable does, and
// what must hold after it: no work left at or before now (only inputs that
// arrive later may bring new work due at once).
void Harness::run_timers(Endpoint& endpoint) {
    if (!endpoint.alive()) {
        return;
    }
    std::optional<Instant> deadline = endpoint.connection->next_deadline();
    if (!deadline || *deadline > m_now) {
        return;
    }
    if (endpoint.connection->is_closed()) {
        ++endpoint.timer_runs_when_closed;
        FUZZ_CHECK(endpoint.timer_runs_when_closed <= max_timer_runs_when_closed);
    }
    trace("%lld timer %zu in %s", static_cast<long long>(m_now.time_since_epoch().count()),
          index_of(endpoint), state_name(endpoint.connection->state()));
    endpoint.connection->on_timer(m_now);
    transmit(endpoint);
    check_connection(endpoint, 1);
    std::optional<Instant> next = endpoint.connection->next_deadline();
    FUZZ_CHECK(!next || *next > m_now);
}

void Harness::advance_precisely(Instant target) {
    for (int round = 0; round < max_timer_rounds; ++round) {
        std::optional<Instant> deadline = earliest_deadline();
        if (!deadline || *deadline > target) {
            break;
        }
        m_now = std::max(m_now, *deadline);
        for (Endpoint& endpoint : m_endpoints) {
            run_timers(endpoint);
        }
    }
    m_now = std::max(m_now, target);
}

void Harness::advance_late(Instant target) {
    m_now = std::max(m_now, target);
    for (Endpoint& endpoint : m_endpoints) {
        run_timers(endpoint);
    }
}

// --- checks ---

void Harness::check_connection(Endpoint& endpoint, int max_edges) {
    if (!endpoint.alive()) {
        return;
    }
    const TcpConnection& connection = *endpoint.connection;
    FUZZ_CHECK(connection.readable() <= endpoint.config.receive_buffer);
    FUZZ_CHECK(connection.unacknowledged() <= endpoint.config.send_buffer);
    FUZZ_CHECK(connection.unacknowledged() <= endpoint.written);
    FUZZ_CHECK(connection.write_space() <=
               endpoint.config.send_buffer - connection.unacknowledged());
    FUZZ_CHECK(connection.stats().bytes_received == endpoint.read + connection.readable());

    TcpState state = connection.state();
    FUZZ_CHECK(state != TcpState::listen);
    FUZZ_CHECK(connection.is_closed() == (state == TcpState::closed));
    FUZZ_CHECK(is_legal_transition(endpoint.state, state, max_edges));
    // What has happened stays so.
    FUZZ_CHECK(!endpoint.handshake_complete || connection.handshake_complete());
    FUZZ_CHECK(!endpoint.read_closed || connection.read_closed());
    FUZZ_CHECK(!endpoint.error || connection.error() == endpoint.error);
    // CLOSED is final: no later event (a stale timer) gives it an error.
    FUZZ_CHECK(endpoint.state != TcpState::closed || connection.error() == endpoint.error);
    FUZZ_CHECK(!connection.error() || state == TcpState::closed);
    bool synchronized = state != TcpState::closed && state != TcpState::syn_sent;
    if (connection.handshake_complete() || synchronized) {
        FUZZ_CHECK(endpoint.irs.has_value());
    }
    endpoint.state = state;
    endpoint.handshake_complete = connection.handshake_complete();
    endpoint.read_closed = connection.read_closed();
    endpoint.error = connection.error();
}

void Harness::check_all(int max_edges) {
    for (Endpoint& endpoint : m_endpoints) {
        check_connection(endpoint, max_edges);
    }
}

// Whether two connections must by now have delivered each other's bytes:
// both completed the handshake and neither failed. (A crafted segment may
// legitimately desynchronize them: settle() is then skipped.)
bool Harness::must_deliver() const {
    const Endpoint& client = m_endpoints[0];
    const Endpoint& server = m_endpoints[1];
    if (!client.alive() || !server.alive()) {
        return false;
    }
    const TcpConnection& a = *client.connection;
    const TcpConnection& b = *server.connection;
    return !a.error() && !b.error() && a.handshake_complete() && b.handshake_complete();
}

// Every byte each side wrote was read by the other, and its FIN arrived.
bool Harness::delivered_all() const {
    for (std::size_t side = 0; side < 2; ++side) {
        const Endpoint& reader = m_endpoints[side];
        const Endpoint& writer = m_endpoints[1 - side];
        if (reader.read != writer.written ||
            (writer.fin_requested && !reader.connection->read_closed())) {
            return false;
        }
    }
    return true;
}

void Harness::read_all(Endpoint& endpoint) {
    std::vector<std::byte> data(endpoint.connection->readable());
    std::size_t count = endpoint.connection->read(MutableByteView{data});
    for (std::size_t i = 0; i < count; ++i) {
        auto offset = static_cast<std::uint32_t>(endpoint.read + i);
        FUZZ_CHECK(data[i] == pattern(offset, endpoint.peer_salt));
    }
    endpoint.read += count;
}

// The network turns reliable and the apps read everything: two connections
// that neither failed nor saw a crafted segment must then deliver every byte
// each wrote, and the FIN after them, within a few hours of virtual time.
void Harness::settle() {
    if (m_injected) {
        return;
    }
    const Instant limit = m_now + std::chrono::hours(3);
    for (int round = 0; round < max_settle_rounds; ++round) {
        for (Endpoint& endpoint : m_endpoints) {
            if (endpoint.alive()) {
                endpoint.blocked = false;
                read_all(endpoint);
                transmit(endpoint);
                check_connection(endpoint, 1);
            }
        }
        if (!m_queues[0].empty() || !m_queues[1].empty()) {
            for (std::size_t from = 0; from < 2; ++from) {
                std::deque<WireSegment> batch;
                batch.swap(m_queues[from]);
                for (const WireSegment& segment : batch) {
                    deliver(m_endpoints[1 - from], ByteView{segment.bytes});
                }
            }
            continue;
        }
        if (!must_deliver() || delivered_all()) {
            return;
        }
        std::optional<Instant> deadline = earliest_deadline();
        if (!deadline || *deadline > limit) {
            // Nothing in flight and nothing left to wake for: stuck.
            FUZZ_CHECK(!must_deliver() || delivered_all());
            return;
        }
        m_now = std::max(m_now, *deadline);
        for (Endpoint& endpoint : m_endpoints) {
            run_timers(endpoint);
        }
    }
    // Still going after max_settle_rounds (a one-byte window, say): no verdict.
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Input input{data, size};
    Harness harness{input};
    harness.run();
    return 0;
}
