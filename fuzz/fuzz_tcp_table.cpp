// Fuzz target: TcpTable (net/tcp/table.hpp) — LISTEN, the SYN and accept queues, SYN cookies,
// TIME-WAIT reuse, timers and held-back transmission — behind a fake transmitter.
//
// The table needs no scheduler as long as no coroutine waits on it: it calls
// Scheduler::current() only to wake a non-empty wait list, and only the
// socket API (net/tcp/socket.cpp) adds waiters. This target drives the table
// as the stack and the sockets would — segments in, timers, connect(),
// take_accepted(), app calls followed by service(), close or abort followed
// by detach() — and checks that every waiter list stays empty.
//
// Input, read front to back (past the end: zeros): table options, the
// listener's backlog and TcpConfig, a seed for the random generator, then
// steps until the input ends. A step is an opcode byte and its operands:
//   segment     to our address from one of four remote addresses and ports,
//               to port 80 (the listener), port 81 (nothing) or the port of a
//               connection the table holds; flags, sequence and
//               acknowledgment numbers relative to what the table last sent
//               on that tuple (so a SYN cookie can be echoed), window, options
//               (raw, or from fields with TSecr echoing our last TSval) and a
//               payload length; emitted, parsed and handed over as by
//               net/stack.cpp.
//   clock       to the table's next deadline, or forward some time, with
//               on_timer() when due.
//   connect, accept, app calls on held endpoints, close/abort + detach,
//   the transmitter full (or room for a few segments, or failing sends) and
//   room again, close/reopen the listener, ICMP unreachable, close_all.
//
// Invariants: every segment sent fits the wire (options of at most 40 bytes,
// a payload only with its connection, which copy_payload() serves); the
// table holds at most max_connections connections and each accept queue at
// most its backlog; an endpoint the app holds (connected or accepted, not
// yet detached) stays in the table at the same address; no wait list is
// used; after on_timer(now) no deadline is left at or before now; a table
// without connections has no deadline; and the table is torn down cleanly
// (the sanitizers catch leaks and use after free).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/crypto/random.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/tcp_fuzz_support.hpp"
#include "net/tcp/table.hpp"
#include "net/wire/tcp.hpp"

using namespace oasis;
using namespace oasis::net;
using oasis::fuzz::decode_config;
using oasis::fuzz::Input;
using oasis::fuzz::milliseconds;
using oasis::fuzz::trace;

namespace {

constexpr Ipv4Address local_address = Ipv4Address::from_octets(10, 0, 0, 2);
constexpr std::array<Ipv4Address, 4> remote_addresses{
    Ipv4Address::from_octets(10, 0, 0, 1), Ipv4Address::from_octets(10, 0, 0, 3),
    Ipv4Address::from_octets(192, 168, 1, 9), Ipv4Address::from_octets(10, 0, 0, 1)};
constexpr std::array<std::uint16_t, 4> remote_ports{40000, 40001, 80, 65535};
constexpr std::uint16_t listen_port = 80;
constexpr std::uint16_t closed_port = 81;
// Timer runs one clock step goes through before jumping to its end.
constexpr int max_timer_rounds = 2000;

// What the table last sent on a tuple: a peer answers relative to it.
struct LastSent {
    TcpFields fields;
    std::uint32_t length = 0;  // sequence space: payload, SYN, FIN
    std::optional<std::uint32_t> timestamp;
};

// The stack's side of TcpTransmitter (net/stack.cpp send_tcp): options and
// payload are written the way the stack writes them, and whatever the stack
// would have to refuse is a broken invariant here.
class FakeTransmitter final : public TcpTransmitter {
public:
    // Segments it takes before it is full (none: no limit), and how many of
    // the next sends fail for want of a buffer.
    std::optional<std::size_t> budget;
    std::size_t failures = 0;
    std::size_t deadline_changes = 0;
    std::map<TcpTuple, LastSent> last_sent;

    bool send_tcp(const TcpTuple& tuple, const TcpOutgoing& segment,
                  const TcpConnection* connection) override {
        FUZZ_CHECK(tuple.local == local_address);
        FUZZ_CHECK(segment.fields.source_port == tuple.local_port);
        FUZZ_CHECK(segment.fields.destination_port == tuple.remote_port);
        std::array<std::byte, TcpSegment::max_options_size> option_bytes{};
        auto options_size = emit_tcp_options(MutableByteView{option_bytes}, segment.options);
        FUZZ_CHECK(options_size.has_value());
        std::vector<std::byte> payload(segment.payload_size);
        if (segment.payload_size > 0) {
            FUZZ_CHECK(connection != nullptr);
            FUZZ_CHECK(!segment.fields.flags.has(TcpFlag::syn) &&
                       !segment.fields.flags.has(TcpFlag::rst));
            connection->copy_payload(segment, MutableByteView{payload});
        }
        std::vector<std::byte> wire(TcpSegment::emitted_size(*options_size, payload.size()));
        auto emitted = TcpSegment::emit(MutableByteView{wire}, segment.fields,
                                        ByteView{std::span{option_bytes}.first(*options_size)},
                                        ByteView{payload}, tuple.local, tuple.remote);
        FUZZ_CHECK(emitted.has_value());
        LastSent& last = last_sent[tuple];
        last.fields = segment.fields;
        last.length = static_cast<std::uint32_t>(segment.payload_size) +
                      (segment.fields.flags.has(TcpFlag::syn) ? 1 : 0) +
                      (segment.fields.flags.has(TcpFlag::fin) ? 1 : 0);
        if (segment.options.timestamps) {
            last.timestamp = segment.options.timestamps->value;
        }
        // RSTs and cookies go out without asking tcp_can_send(): a full
        // transmitter may still be handed one.
        if (budget && *budget > 0) {
            --*budget;
        }
        if (failures > 0) {
            --failures;
            return false;
        }
        return true;
    }
    bool tcp_can_send() const override { return !budget || *budget > 0; }
    void tcp_deadline_changed() override { ++deadline_changes; }
};

crypto::ChaChaRng::Seed make_seed(Input& input) {
    crypto::ChaChaRng::Seed seed{};
    for (std::byte& byte : seed) {
        byte = std::byte{0x5a};
    }
    seed[0] = std::byte{input.byte()};
    seed[1] = std::byte{input.byte()};
    return seed;
}

TcpTableOptions decode_table_options(Input& input) {
    TcpTableOptions options;
    std::uint8_t choice = input.byte();
    options.syn_backlog = choice & 3;
    options.max_connections = 1 + (choice >> 2 & 7);
    options.syn_cookies = (choice & 0x20) == 0;
    return options;
}

class Harness {
public:
    explicit Harness(Input& input)
        : m_input(input),
          m_options(decode_table_options(input)),
          m_backlog(1 + input.byte() % 4),
          m_listener_config(decode_config(input)),
          m_random(make_seed(input)),
          m_table(std::make_unique<TcpTable>(m_transmitter, m_random, m_options)) {
        m_now = Instant{} + std::chrono::seconds(1) + milliseconds(input.u32());
        m_peer_clock = input.u32();
        auto listener = m_table->listen(listen_port, m_backlog, m_listener_config);
        FUZZ_CHECK(listener.has_value());
        m_listener = *listener;
    }

    void run();

private:
    void step();
    TcpTuple choose_tuple();
    SequenceNumber choose_sequence(const TcpTuple& tuple);
    std::vector<std::byte> choose_options(const TcpTuple& tuple);
    void segment_step();
    void clock_step();
    void run_timers();
    void connect_step();
    void accept_step();
    void app_step();
    void release_step(bool abort);
    void transmitter_step();
    void listener_step();
    void unreachable_step();
    void close_all_step();
    TcpEndpoint* held_endpoint();
    void check();
    void tear_down();

    Input& m_input;
    TcpTableOptions m_options;
    std::size_t m_backlog;
    TcpConfig m_listener_config;
    FakeTransmitter m_transmitter;
    crypto::ChaChaRng m_random;
    std::unique_ptr<TcpTable> m_table;
    Instant m_now{};
    std::uint32_t m_peer_clock = 0;
    TcpListenerState* m_listener = nullptr;  // ours until close_listener()
    bool m_stopped = false;                  // close_all() ran
    // Endpoints the app holds, as TcpStream would, and their tuples (read
    // without touching an endpoint the table might have freed).
    struct Held {
        TcpEndpoint* endpoint;
        TcpTuple tuple;
    };
    std::vector<Held> m_held;
};

void Harness::run() {
    check();
    for (int steps = 0; !m_input.empty() && steps < 4096; ++steps) {
        step();
        check();
    }
    tear_down();
}

void Harness::step() {
    std::uint8_t operation = m_input.byte();
    trace("step %u: %zu connections, %zu held, listener %s", operation, m_table->connection_count(),
          m_held.size(),
          m_listener == nullptr ? "closed"
          : m_listener->closed  ? "stopped"
                                : "open");
    switch (operation & 0x0f) {
        case 0:
        case 1:
        case 2:
        case 3:
        case 4:
            segment_step();
            return;
        case 5:
        case 6:
            clock_step();
            return;
        case 7:
            connect_step();
            return;
        case 8:
            accept_step();
            return;
        case 9:
        case 10:
            app_step();
            return;
        case 11:
            release_step((operation & 0x80) != 0);
            return;
        case 12:
            transmitter_step();
            return;
        case 13:
            listener_step();
            return;
        case 14:
            unreachable_step();
            return;
        default:
            if ((operation & 0xf0) == 0xf0) {
                close_all_step();  // rarely: the stack stops
            } else {
                segment_step();
            }
            return;
    }
}

TcpTuple Harness::choose_tuple() {
    std::uint8_t choice = m_input.byte();
    TcpTuple tuple;
    tuple.local = local_address;
    tuple.remote = remote_addresses[choice & 3];
    tuple.remote_port = remote_ports[choice >> 2 & 3];
    switch (choice >> 4 & 3) {
        case 0:
            tuple.local_port = listen_port;
            break;
        case 1:
            tuple.local_port = closed_port;
            break;
        case 2:
            // The far end of a connection we opened: its tuple exactly.
            if (!m_held.empty()) {
                return m_held[(choice >> 6) % m_held.size()].tuple;
            }
            tuple.local_port = listen_port;
            break;
        default:
            tuple.local_port = m_input.u16();
            break;
    }
    return tuple;
}

SequenceNumber Harness::choose_sequence(const TcpTuple& tuple) {
    std::uint8_t selector = m_input.byte();
    auto found = m_transmitter.last_sent.find(tuple);
    const LastSent* last = found == m_transmitter.last_sent.end() ? nullptr : &found->second;
    SequenceNumber base;
    switch (selector & 3) {
        case 0:  // what we acknowledged last: the peer's next sequence number
            base = last ? last->fields.acknowledgment_number : SequenceNumber{};
            break;
        case 1:  // past what we sent last: an ACK of it (a cookie's SYN-ACK too)
            base = last ? last->fields.sequence_number + last->length : SequenceNumber{};
            break;
        case 2:
            base = last ? last->fields.sequence_number : SequenceNumber{};
            break;
        default:
            return SequenceNumber{m_input.u32()};
    }
    switch (selector >> 2 & 3) {
        case 0:
            return base;
        case 1:
            return base + static_cast<std::uint32_t>(static_cast<std::int8_t>(m_input.byte()));
        case 2:
            return base + static_cast<std::uint32_t>(static_cast<std::int16_t>(m_input.u16()));
        default:
            return base + m_input.u32();
    }
}

std::vector<std::byte> Harness::choose_options(const TcpTuple& tuple) {
    std::uint8_t choice = m_input.byte();
    if ((choice & 0x80) == 0) {
        ByteView raw = m_input.bytes(std::min<std::size_t>(choice & 0x3f, 40));
        return std::vector<std::byte>(raw.begin(), raw.end());
    }
    TcpOptions options;
    if ((choice & 0x01) != 0) {
        options.maximum_segment_size = m_input.u16();
    }
    if ((choice & 0x02) != 0) {
        options.window_scale = m_input.byte();
    }
    options.sack_permitted = (choice & 0x04) != 0;
    if ((choice & 0x08) != 0) {
        // TSecr echoes our last TSval on the tuple: a cookie lives in it.
        auto found = m_transmitter.last_sent.find(tuple);
        std::uint32_t echo = found != m_transmitter.last_sent.end() && found->second.timestamp
                                 ? *found->second.timestamp
                                 : 0;
        auto step = static_cast<std::int8_t>(m_input.byte());
        m_peer_clock += 1 + static_cast<std::uint32_t>(static_cast<std::int32_t>(step) * 16);
        options.timestamps = TcpTimestamps{m_peer_clock, echo};
    }
    options.sack_block_count = (choice >> 4 & 7) % (TcpOptions::max_sack_blocks + 1);
    for (std::size_t i = 0; i < options.sack_block_count; ++i) {
        SequenceNumber left = choose_sequence(tuple);
        options.sack_blocks[i] = TcpSackBlock{left, choose_sequence(tuple)};
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

// A segment from a peer, through the receive path of net/stack.cpp.
void Harness::segment_step() {
    TcpTuple tuple = choose_tuple();
    TcpFields fields;
    fields.source_port = tuple.remote_port;
    fields.destination_port = tuple.local_port;
    fields.flags = TcpFlags{m_input.byte()};
    fields.sequence_number = choose_sequence(tuple);
    fields.acknowledgment_number = choose_sequence(tuple);
    fields.window = m_input.u16();
    std::vector<std::byte> options = choose_options(tuple);
    std::size_t size = m_input.byte();
    std::vector<std::byte> payload(size, std::byte{0x61});
    std::vector<std::byte> bytes(TcpSegment::emitted_size(options.size(), size));
    auto emitted = TcpSegment::emit(MutableByteView{bytes}, fields, ByteView{options},
                                    ByteView{payload}, tuple.remote, tuple.local);
    FUZZ_CHECK(emitted.has_value());

    auto segment = TcpSegment::parse(ByteView{bytes}, tuple.remote, tuple.local);
    if (!segment) {
        FUZZ_CHECK(segment.error() == WireError::bad_option);
        return;
    }
    auto parsed = parse_tcp_options(segment->options());
    FUZZ_CHECK(parsed.has_value());
    m_table->on_segment(tuple.remote, tuple.local, *segment, *parsed, m_now);
}

void Harness::run_timers() {
    std::optional<Instant> deadline = m_table->next_deadline();
    if (!deadline || *deadline > m_now) {
        return;
    }
    m_table->on_timer(m_now);
    std::optional<Instant> next = m_table->next_deadline();
    FUZZ_CHECK(!next || *next > m_now);
}

void Harness::clock_step() {
    std::uint8_t choice = m_input.byte();
    Instant target = m_now;
    switch (choice & 3) {
        case 0:
            target = m_table->next_deadline().value_or(m_now);
            break;
        case 1:
            target = m_now + milliseconds((choice >> 2) + 1u);
            break;
        case 2:
            // A late wake-up: one on_timer() for everything due.
            m_now += milliseconds((choice >> 2) * 250u);
            run_timers();
            return;
        default:
            target = m_now + std::chrono::seconds((choice >> 2) * (choice >> 2) * 4u + 1);
            break;
    }
    for (int round = 0; round < max_timer_rounds; ++round) {
        std::optional<Instant> deadline = m_table->next_deadline();
        if (!deadline || *deadline > target) {
            break;
        }
        m_now = std::max(m_now, *deadline);
        run_timers();
        check();
    }
    m_now = std::max(m_now, target);
}

void Harness::connect_step() {
    std::uint8_t choice = m_input.byte();
    TcpConfig config = (choice & 0x80) != 0 ? decode_config(m_input) : m_listener_config;
    if (m_stopped) {
        return;  // a stopped stack refuses tcp_connect()
    }
    std::uint16_t local_port = (choice & 0x40) != 0 ? remote_ports[choice >> 4 & 3] : 0;
    auto endpoint = m_table->connect(local_address, remote_addresses[choice & 3],
                                     remote_ports[choice >> 2 & 3], local_port, config, m_now);
    if (endpoint) {
        FUZZ_CHECK((*endpoint)->attached);
        m_held.push_back(Held{*endpoint, (*endpoint)->connection->tuple()});
    }
}

void Harness::accept_step() {
    // TcpListener::accept() takes nothing from a closed listener.
    if (m_listener == nullptr || m_listener->closed) {
        return;
    }
    if (TcpEndpoint* endpoint = m_table->take_accepted(*m_listener)) {
        FUZZ_CHECK(endpoint->attached && endpoint->listener == nullptr);
        FUZZ_CHECK(endpoint->connection->handshake_complete());
        m_held.push_back(Held{endpoint, endpoint->connection->tuple()});
    }
}

TcpEndpoint* Harness::held_endpoint() {
    std::uint8_t choice = m_input.byte();
    if (m_held.empty()) {
        return nullptr;
    }
    return m_held[choice % m_held.size()].endpoint;
}

// What TcpStream does: the call, then service() for whatever it set off.
void Harness::app_step() {
    TcpEndpoint* endpoint = held_endpoint();
    std::uint8_t choice = m_input.byte();
    if (endpoint == nullptr) {
        return;
    }
    TcpConnection& connection = *endpoint->connection;
    switch (choice & 7) {
        case 0:
        case 1: {
            std::vector<std::byte> data((choice >> 3) * 97u, std::byte{0x62});
            connection.write(ByteView{data});
            break;
        }
        case 2:
        case 3: {
            std::vector<std::byte> data(connection.readable());
            FUZZ_CHECK(connection.read(MutableByteView{data}) == data.size());
            break;
        }
        case 4:
            connection.shutdown_write();
            break;
        case 5:
            connection.set_no_delay((choice & 0x08) != 0);
            break;
        case 6:
            connection.set_keepalive(
                TcpKeepalive{milliseconds((choice >> 3) * 1000u), milliseconds(1000), 2}, m_now);
            break;
        default:
            connection.set_user_timeout(milliseconds((choice >> 3) * 100u));
            return;  // TcpStream::set_user_timeout does not service
    }
    m_table->service(*endpoint, m_now);
}

// TcpStream::close() and abort(): the call, then detach().
void Harness::release_step(bool abort) {
    TcpEndpoint* endpoint = held_endpoint();
    if (endpoint == nullptr) {
        return;
    }
    std::erase_if(m_held, [endpoint](const Held& held) { return held.endpoint == endpoint; });
    if (abort) {
        endpoint->connection->abort();
    } else {
        endpoint->connection->close();
    }
    m_table->detach(*endpoint, m_now);  // may free it
}

// The transmit queue fills (room for a few more segments, or none), some
// sends fail, or room comes back and the table is told.
void Harness::transmitter_step() {
    std::uint8_t choice = m_input.byte();
    if ((choice & 0x80) != 0) {
        m_transmitter.budget.reset();
    } else {
        m_transmitter.budget = choice & 0x0f;
        m_transmitter.failures = choice >> 4 & 7;
    }
    if (m_transmitter.tcp_can_send()) {
        m_table->on_transmit_space(m_now);
    }
}

void Harness::listener_step() {
    std::uint8_t choice = m_input.byte();
    if (m_listener != nullptr) {
        // TcpListener::close(): the state may be freed.
        m_table->close_listener(*m_listener, m_now);
        m_listener = nullptr;
        return;
    }
    if (m_stopped) {
        return;  // a stopped stack refuses tcp_listen()
    }
    auto listener = m_table->listen(listen_port, 1 + choice % 4, m_listener_config);
    FUZZ_CHECK(listener.has_value());
    m_listener = *listener;
}

void Harness::unreachable_step() {
    TcpTuple tuple = choose_tuple();
    SequenceNumber sequence = choose_sequence(tuple);
    bool hard = (m_input.byte() & 1) != 0;
    m_table->on_unreachable(tuple, sequence, hard, m_now);
}

void Harness::close_all_step() {
    m_table->close_all(m_now);
    m_stopped = true;
}

void Harness::check() {
    FUZZ_CHECK(m_table->connection_count() <= m_options.max_connections);
    if (m_table->connection_count() == 0) {
        FUZZ_CHECK(!m_table->next_deadline());
    }
    for (const Held& held : m_held) {
        // Still there, at the same address (not freed under the app's
        // feet), and nobody waits on it.
        FUZZ_CHECK(m_table->find(held.tuple) == held.endpoint);
        FUZZ_CHECK(held.endpoint->attached);
        FUZZ_CHECK(held.endpoint->waiters.empty());
    }
    if (m_listener != nullptr) {
        FUZZ_CHECK(m_listener->acceptors.empty());
        FUZZ_CHECK(m_listener->accept_queue.size() <= m_listener->backlog);
        for (TcpEndpoint* queued : m_listener->accept_queue) {
            FUZZ_CHECK(m_table->find(queued->connection->tuple()) == queued);
            FUZZ_CHECK(queued->queued_for_accept && queued->listener == m_listener);
            FUZZ_CHECK(!queued->attached);
        }
    }
}

// What the stack's teardown does: sockets go (abort, detach), the listener
// closes, the table is destroyed (its destructor checks no one waits).
void Harness::tear_down() {
    const TcpStats& stats = m_table->stats();
    trace(
        "connections %zu, passive opens %llu, active opens %llu, cookies sent %llu accepted %llu "
        "rejected %llu, TIME-WAIT reused %llu, resets sent %llu, send failures %llu",
        m_table->connection_count(), static_cast<unsigned long long>(stats.passive_opens),
        static_cast<unsigned long long>(stats.active_opens),
        static_cast<unsigned long long>(stats.cookies_sent),
        static_cast<unsigned long long>(stats.cookies_accepted),
        static_cast<unsigned long long>(stats.cookies_rejected),
        static_cast<unsigned long long>(stats.time_wait_reused),
        static_cast<unsigned long long>(stats.resets_sent),
        static_cast<unsigned long long>(stats.send_failures));
    for (const Held& held : m_held) {
        held.endpoint->connection->abort();
        m_table->detach(*held.endpoint, m_now);
    }
    m_held.clear();
    if (m_listener != nullptr) {
        m_table->close_listener(*m_listener, m_now);
        m_listener = nullptr;
    }
    m_table.reset();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Input input{data, size};
    Harness harness{input};
    harness.run();
    return 0;
}
