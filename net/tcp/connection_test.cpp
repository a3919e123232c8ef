// Tests of TcpConnection, wired back to back or to a hand-driven fake peer, on a hand-driven clock.
#include "net/tcp/connection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <tuple>
#include <vector>

#include "net/wire/tcp.hpp"

namespace oasis::net {
namespace {

using namespace std::chrono_literals;

constexpr Ipv4Address client_address = Ipv4Address::from_octets(10, 0, 0, 1);
constexpr Ipv4Address server_address = Ipv4Address::from_octets(10, 0, 0, 2);
constexpr std::uint16_t client_port = 40000;
constexpr std::uint16_t server_port = 80;
const TcpTuple client_tuple{client_address, client_port, server_address, server_port};
const TcpTuple server_tuple{server_address, server_port, client_address, client_port};

// A deterministic generator (Knuth's MMIX LCG), so every run sees the same
// losses and delays.
struct Random {
    std::uint64_t state;

    std::uint32_t next() {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::uint32_t>(state >> 33);
    }
    std::uint32_t below(std::uint32_t bound) { return next() % bound; }
    bool percent(std::uint32_t chance) { return below(100) < chance; }
};

std::vector<std::byte> pattern(std::size_t size, std::uint32_t salt = 0) {
    std::vector<std::byte> bytes(size);
    std::uint32_t state = 0x9e3779b9u ^ salt;
    for (std::byte& byte : bytes) {
        state = state * 1664525u + 1013904223u;
        byte = static_cast<std::byte>(state >> 24);
    }
    return bytes;
}

enum class Side : std::uint8_t { client, server };

Side other(Side side) {
    return side == Side::client ? Side::server : Side::client;
}

// One segment as the receiver parses it off the wire.
struct Segment {
    Side from = Side::client;
    Instant sent_at{};
    TcpFields fields;
    TcpOptions options;
    std::vector<std::byte> payload;

    bool has(TcpFlag flag) const { return fields.flags.has(flag); }
    SequenceNumber sequence() const { return fields.sequence_number; }
    SequenceNumber ack() const { return fields.acknowledgment_number; }
    // An ACK with nothing else: no data, SYN, FIN or RST.
    bool pure_ack() const {
        return has(TcpFlag::ack) && !has(TcpFlag::syn) && !has(TcpFlag::fin) &&
               !has(TcpFlag::rst) && payload.empty();
    }
    TcpIncoming incoming() const { return TcpIncoming{fields, options, ByteView{payload}}; }
};

// A segment from a fake peer.
Segment crafted(Side from, TcpFlags flags, SequenceNumber sequence, SequenceNumber ack,
                std::uint16_t window, std::vector<std::byte> payload = {},
                TcpOptions options = {}) {
    Segment segment;
    segment.from = from;
    segment.fields.source_port = from == Side::client ? client_port : server_port;
    segment.fields.destination_port = from == Side::client ? server_port : client_port;
    segment.fields.sequence_number = sequence;
    segment.fields.acknowledgment_number = ack;
    segment.fields.flags = flags;
    segment.fields.window = window;
    segment.options = options;
    segment.payload = std::move(payload);
    return segment;
}

// What the network does with one segment.
enum class Action : std::uint8_t { deliver, drop, duplicate, hold };

struct Fate {
    Action action = Action::deliver;
    Duration extra_delay{};
};

// The application on one side: writes `to_write` as space allows, reads
// everything that arrives (unless told not to), and may shut down writing
// once all is written.
struct App {
    std::vector<std::byte> to_write;
    std::size_t written = 0;
    std::vector<std::byte> received;
    bool reading = true;
    bool shutdown_when_written = false;
    bool shut = false;
};

// Two connections and the wire between them. Segments leave through
// poll_transmit(), go through the real wire format (emit, parse) and reach
// the other side after `latency` plus whatever `filter` adds; the filter may
// also drop, duplicate or hold them. Time moves only in advance().
class Harness {
public:
    TcpConfig client_config;
    TcpConfig server_config;
    SequenceNumber client_isn{1000};
    SequenceNumber server_isn{500000};
    std::uint32_t client_timestamp_offset = 0x1000;
    std::uint32_t server_timestamp_offset = 0x8000'0000;
    Instant now = Instant{} + 1000s;
    Duration latency{};
    std::function<Fate(const Segment&)> filter;
    // The client talks to a test-driven peer: its segments land in to_fake.
    bool fake_server = false;

    std::unique_ptr<TcpConnection> client;
    std::unique_ptr<TcpConnection> server;
    std::vector<Segment> log;  // every segment either side sent, in order
    std::vector<Segment> to_fake;
    std::vector<Segment> held;
    App client_app;
    App server_app;

    Harness() {
        // CUBIC's window grows with elapsed time; NewReno keeps the
        // arithmetic of the tests simple unless a test asks otherwise.
        client_config.congestion = TcpCongestionAlgorithm::new_reno;
        server_config.congestion = TcpCongestionAlgorithm::new_reno;
    }

    TcpConnection* connection(Side side) {
        return side == Side::client ? client.get() : server.get();
    }
    App& app(Side side) { return side == Side::client ? client_app : server_app; }

    // The client's SYN, queued.
    void start() {
        client = TcpConnection::connect(client_tuple, client_config, client_isn,
                                        client_timestamp_offset, now);
    }
    // A simultaneous open: both sides connect.
    void start_both() {
        start();
        server = TcpConnection::connect(server_tuple, server_config, server_isn,
                                        server_timestamp_offset, now);
    }

    bool both_established() const {
        return client && server && client->state() == TcpState::established &&
               server->state() == TcpState::established;
    }

    // start() and run until both sides are ESTABLISHED.
    bool open(Duration limit = 10s) {
        start();
        return run_until([&] { return both_established(); }, limit);
    }

    // open(), then one byte each way, so that both sides have announced
    // their whole (scaled) window: a SYN's window is at most 65535 bytes, and
    // the first read after it sends a window update of its own.
    bool open_and_warm_up() {
        if (!open())
            return false;
        client_app.to_write = pattern(1, 1);
        server_app.to_write = pattern(1, 2);
        run_for(1s);
        bool warm = client_app.received.size() == 1 && server_app.received.size() == 1;
        client_app = App{};
        server_app = App{};
        return warm;
    }

    // The client shuts down writing and waits in FIN-WAIT-2.
    bool half_close_client() {
        client->shutdown_write();
        return run_until([&] { return client->state() == TcpState::fin_wait_2; }, 1s);
    }
    // Then the server closes too: the client is left in TIME-WAIT.
    bool close_client_first() {
        if (!half_close_client())
            return false;
        server->shutdown_write();
        return run_until([&] { return server->is_closed(); }, 1s) &&
               client->state() == TcpState::time_wait;
    }

    // Runs events (deliveries, then timers) in time order until `done`
    // holds or nothing happens before now + limit; `now` is then left at the
    // event that made `done` true, or at now + limit.
    bool run_until(const std::function<bool()>& done, Duration limit) {
        return advance(now + limit, done);
    }
    void run_for(Duration duration) { advance(now + duration, {}); }
    // Everything due now, and nothing later.
    void settle() { advance(now, {}); }

    // Polls one side until it has nothing more to send.
    void transmit(Side side) {
        TcpConnection* sender = connection(side);
        if (!sender)
            return;
        for (int guard = 0; guard < 100000; ++guard) {
            std::optional<TcpOutgoing> outgoing = sender->poll_transmit(now);
            if (!outgoing)
                return;
            Segment segment = through_wire(*sender, *outgoing, side);
            check_invariants(segment);
            log.push_back(segment);
            if (side == Side::client && fake_server) {
                to_fake.push_back(segment);
                continue;
            }
            Fate fate = filter ? filter(segment) : Fate{};
            switch (fate.action) {
                case Action::deliver:
                    schedule(segment, latency + fate.extra_delay);
                    break;
                case Action::drop:
                    break;
                case Action::duplicate:
                    schedule(segment, latency + fate.extra_delay);
                    schedule(segment, latency + fate.extra_delay);
                    break;
                case Action::hold:
                    held.push_back(segment);
                    break;
            }
        }
        ADD_FAILURE() << "a connection never stops sending";
    }

    // Puts held segments on the wire now, in the order given.
    void release_held(bool reversed = false) {
        if (reversed)
            std::reverse(held.begin(), held.end());
        for (const Segment& segment : held)
            schedule(segment, latency);
        held.clear();
    }

    // Hands a segment to its receiver at once (a fake peer's, or a held one).
    void inject(const Segment& segment) {
        Side to = other(segment.from);
        if (to == Side::server && !server) {
            if (segment.has(TcpFlag::syn) && !segment.has(TcpFlag::ack)) {
                // What a listener does with a SYN (net/tcp/table.cpp).
                server = TcpConnection::accept(server_tuple, server_config, segment.incoming(),
                                               server_isn, server_timestamp_offset, now);
            }
            return;
        }
        if (TcpConnection* receiver = connection(to))
            receiver->on_segment(segment.incoming(), now);
    }

    // Hands `segment` to its receiver and returns what that sends at once.
    std::vector<Segment> answer(const Segment& segment) {
        std::size_t mark = log.size();
        inject(segment);
        transmit(other(segment.from));
        return sent_by(other(segment.from), mark);
    }

    // Has the client write `bytes` and keeps its data segments off the wire.
    std::vector<Segment> hold_client_data(std::size_t bytes) {
        filter = [](const Segment& segment) {
            bool data = segment.from == Side::client && !segment.payload.empty();
            return data ? Fate{Action::hold} : Fate{};
        };
        client_app.to_write = pattern(bytes);
        settle();
        filter = {};
        std::vector<Segment> segments = std::move(held);
        held.clear();
        return segments;
    }

    std::vector<Segment> sent_by(Side side, std::size_t from_index = 0) const {
        std::vector<Segment> segments;
        for (std::size_t index = from_index; index < log.size(); ++index) {
            if (log[index].from == side)
                segments.push_back(log[index]);
        }
        return segments;
    }
    std::size_t count_sent(Side side, const std::function<bool(const Segment&)>& match,
                           std::size_t from_index = 0) const {
        std::size_t count = 0;
        for (const Segment& segment : sent_by(side, from_index))
            count += match(segment) ? 1 : 0;
        return count;
    }
    const Segment* last_sent_by(Side side) const {
        for (auto it = log.rbegin(); it != log.rend(); ++it) {
            if (it->from == side)
                return &*it;
        }
        return nullptr;
    }
    std::size_t in_flight() const { return m_in_flight.size(); }

private:
    struct InFlight {
        Instant arrival;
        std::uint64_t order;
        Segment segment;
    };

    void schedule(const Segment& segment, Duration delay) {
        m_in_flight.push_back(InFlight{now + delay, m_next_order++, segment});
    }

    void step_app(Side side) {
        TcpConnection* connection_on_side = connection(side);
        if (!connection_on_side)
            return;
        App& application = app(side);
        if (application.written < application.to_write.size()) {
            application.written += connection_on_side->write(
                ByteView{std::span{application.to_write}.subspan(application.written)});
        }
        if (application.shutdown_when_written && !application.shut &&
            application.written == application.to_write.size()) {
            connection_on_side->shutdown_write();
            application.shut = true;
        }
        if (!application.reading)
            return;
        std::array<std::byte, 4096> buffer;
        while (std::size_t count = connection_on_side->read(MutableByteView{buffer})) {
            application.received.insert(application.received.end(), buffer.begin(),
                                        buffer.begin() + static_cast<std::ptrdiff_t>(count));
        }
    }

    bool advance(Instant target, const std::function<bool()>& done) {
        for (int guard = 0;; ++guard) {
            if (guard == 2'000'000) {
                ADD_FAILURE() << "the connections never fall quiet";
                return false;
            }
            step_app(Side::client);
            step_app(Side::server);
            transmit(Side::client);
            transmit(Side::server);
            if (done && done())
                return true;
            std::optional<Instant> next;
            auto consider = [&](std::optional<Instant> when) {
                if (when && (!next || *when < *next))
                    next = when;
            };
            auto earliest = std::min_element(
                m_in_flight.begin(), m_in_flight.end(), [](const InFlight& a, const InFlight& b) {
                    return std::tie(a.arrival, a.order) < std::tie(b.arrival, b.order);
                });
            if (earliest != m_in_flight.end())
                consider(earliest->arrival);
            if (client)
                consider(client->next_deadline());
            if (server)
                consider(server->next_deadline());
            if (!next || *next > target)
                break;
            if (*next > now)
                now = *next;
            if (earliest != m_in_flight.end() && earliest->arrival <= now) {
                Segment segment = std::move(earliest->segment);
                m_in_flight.erase(earliest);
                inject(segment);
                continue;
            }
            for (TcpConnection* timed : {client.get(), server.get()}) {
                if (timed && timed->next_deadline() && *timed->next_deadline() <= now)
                    timed->on_timer(now);
            }
        }
        if (now < target)
            now = target;
        return done ? done() : false;
    }

    // Emits the segment in the real wire format and parses it back, as the
    // peer's stack would: options must fit in 40 bytes and survive the trip.
    Segment through_wire(const TcpConnection& sender, const TcpOutgoing& outgoing, Side side) {
        Segment segment;
        segment.from = side;
        segment.sent_at = now;
        segment.fields = outgoing.fields;
        segment.options = outgoing.options;
        segment.payload.resize(outgoing.payload_size);
        sender.copy_payload(outgoing, MutableByteView{segment.payload});

        Ipv4Address source = side == Side::client ? client_address : server_address;
        Ipv4Address destination = side == Side::client ? server_address : client_address;
        std::array<std::byte, TcpSegment::max_options_size> options{};
        auto options_size = emit_tcp_options(MutableByteView{options}, outgoing.options);
        if (!options_size) {
            ADD_FAILURE() << "options do not fit a TCP header";
            return segment;
        }
        std::vector<std::byte> bytes(
            TcpSegment::emitted_size(*options_size, segment.payload.size()));
        auto emitted = TcpSegment::emit(MutableByteView{bytes}, outgoing.fields,
                                        ByteView{std::span{options}.first(*options_size)},
                                        ByteView{segment.payload}, source, destination);
        if (!emitted) {
            ADD_FAILURE() << "the segment cannot be emitted";
            return segment;
        }
        auto parsed = TcpSegment::parse(ByteView{bytes}, source, destination);
        if (!parsed) {
            ADD_FAILURE() << "the emitted segment does not parse";
            return segment;
        }
        auto parsed_options = parse_tcp_options(parsed->options());
        if (!parsed_options) {
            ADD_FAILURE() << "the emitted options do not parse";
            return segment;
        }
        segment.fields = parsed->fields();
        segment.options = *parsed_options;
        return segment;
    }

    void check_invariants(const Segment& segment) {
        const TcpTuple& tuple = segment.from == Side::client ? client_tuple : server_tuple;
        EXPECT_EQ(segment.fields.source_port, tuple.local_port);
        EXPECT_EQ(segment.fields.destination_port, tuple.remote_port);
        // RFC 6691 §2: data and options of one segment fit the peer's MSS.
        if (!segment.has(TcpFlag::syn) && !(segment.from == Side::client && fake_server)) {
            const TcpConfig& peer = segment.from == Side::client ? server_config : client_config;
            EXPECT_LE(segment.payload.size() + tcp_options_size(segment.options),
                      std::size_t{peer.maximum_segment_size});
        }
        // RCV.NXT never moves back, so neither does the ACK we send.
        if (segment.has(TcpFlag::ack) && !segment.has(TcpFlag::rst)) {
            std::optional<SequenceNumber>& last =
                segment.from == Side::client ? m_client_last_ack : m_server_last_ack;
            if (last) {
                EXPECT_GE(segment.ack(), *last) << "ACK moved back";
            }
            last = segment.ack();
        }
    }

    std::vector<InFlight> m_in_flight;
    std::uint64_t m_next_order = 0;
    std::optional<SequenceNumber> m_client_last_ack;
    std::optional<SequenceNumber> m_server_last_ack;
};

// A filter that drops the first `limit` segments `match` picks.
class DropFirst {
public:
    explicit DropFirst(std::function<bool(const Segment&)> match, int limit = 1)
        : m_match(std::move(match)), m_limit(limit) {}

    Fate operator()(const Segment& segment) const {
        if (*m_dropped < m_limit && m_match(segment)) {
            ++*m_dropped;
            return Fate{Action::drop};
        }
        return Fate{};
    }
    int dropped() const { return *m_dropped; }

private:
    std::function<bool(const Segment&)> m_match;
    int m_limit;
    std::shared_ptr<int> m_dropped = std::make_shared<int>(0);  // shared by copies
};

bool is_syn(const Segment& segment) {
    return segment.has(TcpFlag::syn) && !segment.has(TcpFlag::ack);
}
bool is_syn_ack(const Segment& segment) {
    return segment.has(TcpFlag::syn) && segment.has(TcpFlag::ack);
}
bool has_data(const Segment& segment) {
    return !segment.payload.empty();
}

// The application payload both sides see, for comparison.
std::size_t payload_bytes(const std::vector<Segment>& segments) {
    std::size_t total = 0;
    for (const Segment& segment : segments)
        total += segment.payload.size();
    return total;
}

::testing::AssertionResult same_bytes(const std::vector<std::byte>& actual,
                                      const std::vector<std::byte>& expected) {
    if (actual.size() != expected.size()) {
        return ::testing::AssertionFailure()
               << actual.size() << " bytes where " << expected.size() << " were expected";
    }
    auto difference = std::mismatch(actual.begin(), actual.end(), expected.begin());
    if (difference.first != actual.end()) {
        return ::testing::AssertionFailure()
               << "the bytes differ from offset " << (difference.first - actual.begin());
    }
    return ::testing::AssertionSuccess();
}

// Options for a segment forged in the name of `side`: its latest timestamp,
// so that PAWS (RFC 7323 §5) lets the segment through.
TcpOptions options_like_last(const Harness& net, Side side) {
    TcpOptions options;
    if (const Segment* last = net.last_sent_by(side))
        options.timestamps = last->options.timestamps;
    return options;
}

std::uint16_t window_like_last(const Harness& net, Side side) {
    const Segment* last = net.last_sent_by(side);
    return last ? last->fields.window : 0;
}

// Sends `up_size` bytes to the server and `down_size` back at once; both
// must arrive intact within `limit`.
void transfer(Harness& net, std::size_t up_size, std::size_t down_size, Duration limit) {
    std::vector<std::byte> up = pattern(up_size, 1);
    std::vector<std::byte> down = pattern(down_size, 2);
    net.client_app.to_write = up;
    net.server_app.to_write = down;
    ASSERT_TRUE(net.run_until(
        [&] {
            return net.server_app.received.size() == up.size() &&
                   net.client_app.received.size() == down.size();
        },
        limit));
    EXPECT_TRUE(same_bytes(net.server_app.received, up));
    EXPECT_TRUE(same_bytes(net.client_app.received, down));
}

// --- the handshake (RFC 9293 §3.5) ---

TEST(TcpConnectionHandshake, ThreeSegmentsOpenAConnectionWithEveryOption) {
    Harness net;
    ASSERT_TRUE(net.open());
    std::vector<Segment> from_client = net.sent_by(Side::client);
    std::vector<Segment> from_server = net.sent_by(Side::server);
    ASSERT_EQ(from_client.size(), 2u);
    ASSERT_EQ(from_server.size(), 1u);

    const Segment& syn = from_client[0];
    EXPECT_EQ(syn.fields.flags, TcpFlags{TcpFlag::syn});
    EXPECT_EQ(syn.sequence(), net.client_isn);
    EXPECT_EQ(syn.options.maximum_segment_size, std::optional<std::uint16_t>{1460});
    // 256 KiB needs a shift of 3 to fit 16 bits (RFC 7323 §2.3).
    EXPECT_EQ(syn.options.window_scale, std::optional<std::uint8_t>{3});
    EXPECT_TRUE(syn.options.sack_permitted);
    ASSERT_TRUE(syn.options.timestamps);
    EXPECT_EQ(syn.options.timestamps->value,
              TcpConnection::timestamp_clock(net.now) + net.client_timestamp_offset);
    EXPECT_EQ(syn.options.timestamps->echo_reply, 0u);
    EXPECT_EQ(syn.fields.window, 65535);  // RFC 7323 §2.2: a SYN's window is not scaled

    const Segment& syn_ack = from_server[0];
    EXPECT_EQ(syn_ack.fields.flags, TcpFlag::syn | TcpFlag::ack);
    EXPECT_EQ(syn_ack.sequence(), net.server_isn);
    EXPECT_EQ(syn_ack.ack(), net.client_isn + 1);
    EXPECT_EQ(syn_ack.options.maximum_segment_size, std::optional<std::uint16_t>{1460});
    EXPECT_EQ(syn_ack.options.window_scale, std::optional<std::uint8_t>{3});
    EXPECT_TRUE(syn_ack.options.sack_permitted);
    ASSERT_TRUE(syn_ack.options.timestamps);
    EXPECT_EQ(syn_ack.options.timestamps->echo_reply, syn.options.timestamps->value);
    EXPECT_EQ(syn_ack.fields.window, 65535);

    const Segment& ack = from_client[1];
    EXPECT_EQ(ack.fields.flags, TcpFlags{TcpFlag::ack});
    EXPECT_EQ(ack.sequence(), net.client_isn + 1);
    EXPECT_EQ(ack.ack(), net.server_isn + 1);
    EXPECT_EQ(ack.fields.window, 262144 >> 3);
    ASSERT_TRUE(ack.options.timestamps);
    EXPECT_EQ(ack.options.timestamps->echo_reply, syn_ack.options.timestamps->value);

    for (TcpConnection* connection : {net.client.get(), net.server.get()}) {
        EXPECT_TRUE(connection->handshake_complete());
        EXPECT_FALSE(connection->error());
        EXPECT_EQ(connection->send_mss(), 1460u - 12u);  // room for the timestamps
        EXPECT_TRUE(connection->rtt().smoothed());       // the SYN and SYN-ACK were timed
        EXPECT_EQ(connection->stats().retransmitted_segments, 0u);
    }
}

TEST(TcpConnectionHandshake, DataWrittenBeforeTheHandshakeLeavesAfterIt) {
    Harness net;
    net.start();
    std::vector<std::byte> data = pattern(3000);
    EXPECT_EQ(net.client->write(ByteView{data}), data.size());
    net.run_until([&] { return net.server_app.received.size() == data.size(); }, 1s);
    EXPECT_TRUE(same_bytes(net.server_app.received, data));
    // The SYN carried none of it.
    EXPECT_TRUE(net.sent_by(Side::client)[0].payload.empty());
}

TEST(TcpConnectionHandshake, LostSynIsRetransmittedAfterOneSecondThenTwo) {
    Harness net;
    int dropped = 0;
    net.filter = [&](const Segment& segment) {
        if (is_syn(segment) && dropped < 2) {
            ++dropped;
            return Fate{Action::drop};
        }
        return Fate{};
    };
    Instant start = net.now;
    ASSERT_TRUE(net.open(10s));
    std::vector<Segment> syns;
    for (const Segment& segment : net.sent_by(Side::client)) {
        if (is_syn(segment))
            syns.push_back(segment);
    }
    ASSERT_EQ(syns.size(), 3u);
    EXPECT_EQ(syns[0].sent_at, start);
    EXPECT_EQ(syns[1].sent_at, start + 1s);  // RFC 6298 §2.1: the initial RTO
    EXPECT_EQ(syns[2].sent_at, start + 3s);  // §5.5: doubled
    for (const Segment& syn : syns) {
        EXPECT_EQ(syn.sequence(), net.client_isn);
        EXPECT_EQ(syn.options.maximum_segment_size, syns[0].options.maximum_segment_size);
        EXPECT_EQ(syn.options.window_scale, syns[0].options.window_scale);
    }
    EXPECT_EQ(net.now, start + 3s);
    EXPECT_EQ(net.client->stats().retransmission_timeouts, 2u);
    EXPECT_EQ(net.client->stats().retransmitted_segments, 2u);
}

TEST(TcpConnectionHandshake, UnansweredSynTimesOutAfterTheSynRetries) {
    Harness net;
    net.client_config.max_syn_retransmissions = 2;
    net.filter = [](const Segment&) { return Fate{Action::drop}; };
    Instant start = net.now;
    net.start();
    ASSERT_TRUE(net.run_until([&] { return net.client->is_closed(); }, 60s));
    EXPECT_EQ(net.now, start + 7s);  // SYNs at 0, 1 and 3 s; given up after 4 more
    EXPECT_EQ(net.client->error(), std::optional<TcpError>{TcpError::timed_out});
    EXPECT_EQ(net.count_sent(Side::client, is_syn), 3u);
    EXPECT_FALSE(net.client->handshake_complete());
    EXPECT_FALSE(net.client->next_deadline());
}

TEST(TcpConnectionHandshake, LostSynAckIsRetransmittedByTheServer) {
    Harness net;
    bool syn_ack_dropped = false;
    int syns = 0;
    net.filter = [&](const Segment& segment) {
        // Drop the first SYN-ACK, and the client's retransmitted SYN: only
        // the server's own timer can repair the loss.
        if (is_syn_ack(segment) && !syn_ack_dropped) {
            syn_ack_dropped = true;
            return Fate{Action::drop};
        }
        if (is_syn(segment) && ++syns > 1)
            return Fate{Action::drop};
        return Fate{};
    };
    Instant start = net.now;
    net.start();
    net.settle();
    EXPECT_EQ(net.server->state(), TcpState::syn_received);
    EXPECT_EQ(net.client->state(), TcpState::syn_sent);
    ASSERT_TRUE(net.run_until([&] { return net.both_established(); }, 10s));
    EXPECT_EQ(net.now, start + 1s);
    EXPECT_EQ(net.server->stats().retransmission_timeouts, 1u);
    std::vector<Segment> syn_acks;
    for (const Segment& segment : net.sent_by(Side::server)) {
        if (is_syn_ack(segment))
            syn_acks.push_back(segment);
    }
    ASSERT_EQ(syn_acks.size(), 2u);
    EXPECT_EQ(syn_acks[1].sequence(), net.server_isn);
    EXPECT_EQ(syn_acks[1].ack(), net.client_isn + 1);
    EXPECT_EQ(syn_acks[1].options.window_scale, syn_acks[0].options.window_scale);
}

TEST(TcpConnectionHandshake, LostFinalAckIsRepairedByTheRetransmittedSynAck) {
    Harness net;
    DropFirst drop{
        [](const Segment& segment) { return segment.from == Side::client && segment.pure_ack(); }};
    net.filter = drop;
    Instant start = net.now;
    net.start();
    net.settle();
    EXPECT_EQ(net.client->state(), TcpState::established);
    EXPECT_EQ(net.server->state(), TcpState::syn_received);
    net.run_for(1s - 1ns);
    EXPECT_EQ(net.server->state(), TcpState::syn_received);
    ASSERT_TRUE(net.run_until([&] { return net.both_established(); }, 10s));
    EXPECT_EQ(net.now, start + 1s);
    EXPECT_EQ(net.count_sent(Side::server, is_syn_ack), 2u);
    // The client answered the duplicate SYN-ACK with an ACK, not a RST.
    EXPECT_EQ(net.count_sent(Side::client, [](const Segment& s) { return s.has(TcpFlag::rst); }),
              0u);
}

TEST(TcpConnectionHandshake, LostFinalAckIsRepairedByTheFirstData) {
    Harness net;
    DropFirst drop{
        [](const Segment& segment) { return segment.from == Side::client && segment.pure_ack(); }};
    net.filter = drop;
    Instant start = net.now;
    net.start();
    net.settle();
    ASSERT_EQ(net.server->state(), TcpState::syn_received);
    std::vector<std::byte> data = pattern(100);
    net.client_app.to_write = data;
    net.settle();
    EXPECT_EQ(net.server->state(), TcpState::established);
    EXPECT_TRUE(same_bytes(net.server_app.received, data));
    EXPECT_EQ(net.now, start);
    EXPECT_EQ(net.count_sent(Side::server, is_syn_ack), 1u);
}

TEST(TcpConnectionHandshake, SimultaneousOpenGoesThroughSynReceived) {
    // RFC 9293 §3.5, figure 8: both sides send a SYN, each answers the
    // other's with a SYN-ACK of its own ISN.
    Harness net;
    Instant start = net.now;
    net.start_both();
    ASSERT_TRUE(net.run_until(
        [&] {
            return net.client->state() == TcpState::syn_received &&
                   net.server->state() == TcpState::syn_received;
        },
        1s));
    ASSERT_TRUE(net.run_until([&] { return net.both_established(); }, 1s));
    EXPECT_EQ(net.now, start);
    net.run_for(1s);
    EXPECT_TRUE(net.both_established());
    // No storm of SYN-ACKs: each side sent a SYN, a SYN-ACK and at most an ACK.
    EXPECT_LE(net.log.size(), 6u);
    for (Side side : {Side::client, Side::server}) {
        std::vector<Segment> sent = net.sent_by(side);
        ASSERT_GE(sent.size(), 2u);
        SequenceNumber isn = side == Side::client ? net.client_isn : net.server_isn;
        SequenceNumber peer_isn = side == Side::client ? net.server_isn : net.client_isn;
        EXPECT_TRUE(is_syn(sent[0]));
        EXPECT_TRUE(is_syn_ack(sent[1]));
        EXPECT_EQ(sent[1].sequence(), isn);
        EXPECT_EQ(sent[1].ack(), peer_isn + 1);
        EXPECT_EQ(net.connection(side)->send_mss(), 1448u);
    }
    transfer(net, 20000, 20000, 2s);
}

// Which options one side leaves out (bit 0 window scaling, bit 1
// timestamps, bit 2 SACK), and whether that side is the server.
class TcpConnectionOptionNegotiation : public ::testing::TestWithParam<std::tuple<int, bool>> {};

TEST_P(TcpConnectionOptionNegotiation, AnOptionIsUsedOnlyWhenBothSynsCarryIt) {
    auto [mask, server_limited] = GetParam();
    Harness net;
    TcpConfig& limited = server_limited ? net.server_config : net.client_config;
    limited.window_scaling = (mask & 1) == 0;
    limited.timestamps = (mask & 2) == 0;
    limited.selective_ack = (mask & 4) == 0;
    bool scaling = (mask & 1) == 0;
    bool timestamps = (mask & 2) == 0;
    bool sack = (mask & 4) == 0;
    ASSERT_TRUE(net.open());

    const Segment& syn = net.sent_by(Side::client)[0];
    EXPECT_EQ(syn.options.window_scale.has_value(), net.client_config.window_scaling);
    EXPECT_EQ(syn.options.timestamps.has_value(), net.client_config.timestamps);
    EXPECT_EQ(syn.options.sack_permitted, net.client_config.selective_ack);
    // RFC 7323 §1.3 and §3.2, RFC 2018 §2: the SYN-ACK echoes only what the
    // SYN offered and the server wants.
    const Segment& syn_ack = net.sent_by(Side::server)[0];
    EXPECT_EQ(syn_ack.options.window_scale.has_value(), scaling);
    EXPECT_EQ(syn_ack.options.timestamps.has_value(), timestamps);
    EXPECT_EQ(syn_ack.options.sack_permitted, sack);

    const Segment& ack = net.sent_by(Side::client)[1];
    EXPECT_EQ(ack.options.timestamps.has_value(), timestamps);
    EXPECT_EQ(ack.fields.window, scaling ? 262144 >> 3 : 65535);
    for (TcpConnection* connection : {net.client.get(), net.server.get()})
        EXPECT_EQ(connection->send_mss(), timestamps ? 1448u : 1460u);

    // Out-of-order data is SACKed only when both agreed.
    int data_segments = 0;
    net.filter = [&](const Segment& segment) {
        if (segment.from == Side::client && has_data(segment) && ++data_segments == 1)
            return Fate{Action::drop};
        return Fate{};
    };
    std::size_t mark = net.log.size();
    net.client_app.to_write = pattern(3 * net.client->send_mss());
    net.settle();
    std::size_t acks = 0;
    for (const Segment& segment : net.sent_by(Side::server, mark)) {
        ++acks;
        EXPECT_EQ(segment.options.sack_block_count > 0, sack);
        EXPECT_EQ(segment.options.timestamps.has_value(), timestamps);
        EXPECT_EQ(segment.fields.window, scaling ? 262144 >> 3 : 65535);
    }
    EXPECT_EQ(acks, 2u);  // one duplicate ACK per out-of-order segment
    for (const Segment& segment : net.sent_by(Side::client, mark))
        EXPECT_EQ(segment.options.timestamps.has_value(), timestamps);
    net.run_for(2s);
    EXPECT_EQ(net.server_app.received.size(), 3 * net.client->send_mss());
}

INSTANTIATE_TEST_SUITE_P(EveryCombination, TcpConnectionOptionNegotiation,
                         ::testing::Combine(::testing::Range(0, 8), ::testing::Bool()));

TEST(TcpConnectionHandshake, MssIsTheSmallerOfBothOffers) {
    Harness net;
    net.server_config.maximum_segment_size = 1000;
    ASSERT_TRUE(net.open());
    EXPECT_EQ(net.client->send_mss(), 1000u - 12u);
    EXPECT_EQ(net.server->send_mss(), 1000u - 12u);
    net.client_app.to_write = pattern(20000, 1);
    net.server_app.to_write = pattern(20000, 2);
    net.run_for(2s);
    ASSERT_EQ(net.server_app.received.size(), 20000u);
    ASSERT_EQ(net.client_app.received.size(), 20000u);
    for (Side side : {Side::client, Side::server}) {
        std::size_t largest = 0;
        for (const Segment& segment : net.sent_by(side))
            largest = std::max(largest, segment.payload.size());
        EXPECT_EQ(largest, 988u);
    }
}

// A peer's MSS option (or none), and the MSS we must then use.
class TcpConnectionPeerMss
    : public ::testing::TestWithParam<std::pair<std::optional<std::uint16_t>, std::uint32_t>> {};

TEST_P(TcpConnectionPeerMss, PeerMssIsClampedToASaneRange) {
    auto [offered, expected] = GetParam();
    Harness net;
    net.fake_server = true;
    net.client_config.timestamps = false;
    net.start();
    net.settle();
    ASSERT_EQ(net.to_fake.size(), 1u);
    TcpOptions options;
    options.maximum_segment_size = offered;
    net.inject(crafted(Side::server, TcpFlag::syn | TcpFlag::ack, net.server_isn,
                       net.client_isn + 1, 65535, {}, options));
    ASSERT_EQ(net.client->state(), TcpState::established);
    EXPECT_EQ(net.client->send_mss(), expected);
    net.client_app.to_write = pattern(3000);
    net.settle();
    std::vector<Segment> data;
    for (const Segment& segment : net.to_fake) {
        if (has_data(segment))
            data.push_back(segment);
    }
    ASSERT_FALSE(data.empty());
    EXPECT_EQ(data[0].payload.size(), std::min<std::size_t>(expected, 3000));
    for (const Segment& segment : data)
        EXPECT_LE(segment.payload.size(), expected);

    // A listener clamps a SYN's MSS the same way.
    Harness listener;
    TcpOptions syn_options;
    syn_options.maximum_segment_size = offered;
    listener.inject(crafted(Side::client, TcpFlag::syn, SequenceNumber{77}, SequenceNumber{}, 65535,
                            {}, syn_options));
    ASSERT_TRUE(listener.server);
    EXPECT_EQ(listener.server->send_mss(), expected);
}

INSTANTIATE_TEST_SUITE_P(Offers, TcpConnectionPeerMss,
                         ::testing::Values(
                             // RFC 9293 §3.7.1: no option means 536.
                             std::pair{std::optional<std::uint16_t>{}, 536u},
                             // Tiny values would make us send one-byte segments: clamped to 64.
                             std::pair{std::optional<std::uint16_t>{0}, 64u},
                             std::pair{std::optional<std::uint16_t>{1}, 64u},
                             std::pair{std::optional<std::uint16_t>{63}, 64u},
                             std::pair{std::optional<std::uint16_t>{64}, 64u},
                             std::pair{std::optional<std::uint16_t>{1200}, 1200u},
                             // Never above our own.
                             std::pair{std::optional<std::uint16_t>{9000}, 1460u},
                             std::pair{std::optional<std::uint16_t>{65535}, 1460u}));

TEST(TcpConnectionHandshake, WindowScaleAboveFourteenCountsAsFourteen) {
    // A peer's window scale option of 15, as bytes: NOP, kind 3, length 3, 15.
    const std::array<std::byte, 4> raw{std::byte{1}, std::byte{3}, std::byte{3}, std::byte{15}};
    auto parsed = parse_tcp_options(ByteView{raw});
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->window_scale, std::optional<std::uint8_t>{14});  // RFC 7323 §2.3
    EXPECT_TRUE(parsed->window_scale_clamped);

    Harness net;
    net.fake_server = true;
    net.client_config.timestamps = false;
    net.start();
    net.settle();
    TcpOptions options = *parsed;
    options.maximum_segment_size = 1460;
    net.inject(crafted(Side::server, TcpFlag::syn | TcpFlag::ack, net.server_isn,
                       net.client_isn + 1, 65535, {}, options));
    ASSERT_EQ(net.client->state(), TcpState::established);
    net.client_app.to_write = pattern(100000);
    net.settle();
    std::size_t first_flight = payload_bytes(net.to_fake);
    EXPECT_EQ(first_flight, 14600u);  // RFC 6928: ten segments
    // Acknowledge it all with a window field of 1: 1 << 14 bytes.
    std::size_t mark = net.to_fake.size();
    net.inject(crafted(Side::server, TcpFlag::ack, net.server_isn + 1,
                       net.client_isn + 1 + static_cast<std::uint32_t>(first_flight), 1));
    net.settle();
    std::size_t second_flight = payload_bytes(std::vector<Segment>(
        net.to_fake.begin() + static_cast<std::ptrdiff_t>(mark), net.to_fake.end()));
    // The congestion window (17520 bytes by now) would allow more; a shift
    // of 15 would make the window 32768.
    EXPECT_LE(second_flight, 16384u);
    EXPECT_GT(second_flight, 16384u - 1460u);
}

// --- data transfer ---

TEST(TcpConnectionData, BulkTransferBothWaysInOrder) {
    Harness net;
    net.latency = 5ms;
    ASSERT_TRUE(net.open());
    transfer(net, 300000, 100000, 60s);
    net.run_for(1s);
    EXPECT_EQ(net.client->unacknowledged(), 0u);
    EXPECT_EQ(net.server->unacknowledged(), 0u);
    EXPECT_EQ(net.client->stats().bytes_sent, 300000u);
    EXPECT_EQ(net.server->stats().bytes_received, 300000u);
    EXPECT_EQ(net.server->stats().bytes_sent, 100000u);
    EXPECT_EQ(net.client->stats().bytes_received, 100000u);
    for (TcpConnection* connection : {net.client.get(), net.server.get()}) {
        EXPECT_EQ(connection->stats().retransmitted_segments, 0u);
        EXPECT_EQ(connection->stats().recoveries, 0u);
        EXPECT_EQ(connection->stats().out_of_order, 0u);
    }
    EXPECT_FALSE(net.client->next_deadline());  // idle: no timer runs
}

TEST(TcpConnectionData, LostDataSegmentIsRetransmittedAfterTheRto) {
    Harness net;
    net.latency = 10ms;
    ASSERT_TRUE(net.open());
    net.run_for(1s);
    DropFirst drop{
        [](const Segment& segment) { return segment.from == Side::client && has_data(segment); }};
    net.filter = drop;
    Duration rto = net.client->rtt().timeout();
    EXPECT_EQ(rto, 200ms);  // RFC 6298 §2.4's floor, as configured (TcpRttLimits)
    Instant written = net.now;
    std::size_t mark = net.log.size();
    std::vector<std::byte> data = pattern(500);
    net.client_app.to_write = data;
    ASSERT_TRUE(net.run_until([&] { return net.server_app.received.size() == data.size(); }, 5s));
    EXPECT_TRUE(same_bytes(net.server_app.received, data));
    std::vector<Segment> sent = net.sent_by(Side::client, mark);
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].sent_at, written);
    EXPECT_EQ(sent[1].sent_at, written + rto);
    EXPECT_EQ(sent[1].sequence(), sent[0].sequence());
    EXPECT_EQ(sent[1].payload, sent[0].payload);
    EXPECT_EQ(net.client->stats().retransmission_timeouts, 1u);
    EXPECT_EQ(net.client->stats().retransmitted_segments, 1u);
    EXPECT_EQ(net.client->stats().fast_retransmits, 0u);
}

TEST(TcpConnectionData, LostAckMakesTheSenderRetransmitAndTheReceiverDiscardTheCopy) {
    Harness net;
    net.latency = 10ms;
    ASSERT_TRUE(net.open());
    net.run_for(1s);
    DropFirst drop{
        [](const Segment& segment) { return segment.from == Side::server && segment.pure_ack(); }};
    net.filter = drop;
    std::vector<std::byte> data = pattern(500);
    net.client_app.to_write = data;
    ASSERT_TRUE(net.run_until([&] { return net.client->unacknowledged() == 0; }, 5s));
    EXPECT_EQ(drop.dropped(), 1);
    EXPECT_EQ(net.client->stats().retransmission_timeouts, 1u);
    EXPECT_EQ(net.server->stats().duplicate_segments, 1u);
    net.run_for(1s);
    EXPECT_TRUE(same_bytes(net.server_app.received, data));  // not twice
}

TEST(TcpConnectionData, LostFinIsRetransmitted) {
    Harness net;
    ASSERT_TRUE(net.open());
    DropFirst drop{[](const Segment& segment) { return segment.has(TcpFlag::fin); }};
    net.filter = drop;
    Instant closed_at = net.now;
    Duration rto = net.client->rtt().timeout();
    net.client->shutdown_write();
    EXPECT_EQ(net.client->state(), TcpState::fin_wait_1);
    ASSERT_TRUE(net.run_until([&] { return net.server->state() == TcpState::close_wait; }, 5s));
    EXPECT_EQ(net.now, closed_at + rto);
    EXPECT_TRUE(net.server->read_closed());
    EXPECT_EQ(net.count_sent(Side::client, [](const Segment& s) { return s.has(TcpFlag::fin); }),
              2u);
    net.settle();
    EXPECT_EQ(net.client->state(), TcpState::fin_wait_2);
}

TEST(TcpConnectionData, SequenceNumbersWrapAround) {
    Harness net;
    net.client_isn = SequenceNumber{0xffff'0000u};
    net.server_isn = SequenceNumber{0xffff'ffffu};  // the SYN takes the last number
    net.latency = 3ms;
    ASSERT_TRUE(net.open());
    Random random{5};
    net.filter = [&](const Segment&) { return random.percent(2) ? Fate{Action::drop} : Fate{}; };
    transfer(net, 200000, 200000, 120s);
}

TEST(TcpConnectionData, ReorderingAndDuplicationKeepTheStreamIntact) {
    Harness net;
    net.latency = 5ms;
    ASSERT_TRUE(net.open());
    Random random{42};
    net.filter = [&](const Segment&) {
        Fate fate;
        fate.extra_delay = std::chrono::milliseconds(random.below(20));
        if (random.percent(10))
            fate.action = Action::duplicate;
        return fate;
    };
    transfer(net, 200000, 200000, 120s);
    EXPECT_GT(net.server->stats().duplicate_segments, 0u);
    EXPECT_GT(net.server->stats().out_of_order, 0u);
    // Nothing remains in either window to be sent again.
    net.filter = {};
    net.run_for(5s);
    EXPECT_EQ(net.client->unacknowledged(), 0u);
    EXPECT_EQ(net.server->unacknowledged(), 0u);
}

TEST(TcpConnectionData, HeldSegmentsDeliveredInReverseAreReassembled) {
    Harness net;
    ASSERT_TRUE(net.open());
    net.filter = [](const Segment& segment) {
        return segment.from == Side::client && has_data(segment) ? Fate{Action::hold} : Fate{};
    };
    std::vector<std::byte> data = pattern(8 * 1448, 8);
    net.client_app.to_write = data;
    net.settle();
    ASSERT_EQ(net.held.size(), 8u);
    net.filter = {};
    net.release_held(true);
    net.settle();
    EXPECT_TRUE(same_bytes(net.server_app.received, data));
    EXPECT_EQ(net.server->stats().out_of_order, 7u);
    // The duplicate ACKs (with SACK) reached the sender before the
    // reordered data's ACK: it took them for loss and resent the head.
    EXPECT_EQ(net.client->stats().recoveries, 1u);
    net.run_for(1s);
    EXPECT_EQ(net.client->unacknowledged(), 0u);
    EXPECT_TRUE(same_bytes(net.server_app.received, data));
}

// Sends `up_size` bytes to the server and `down_size` back, each side
// shutting down once all is written; everything must arrive and both sides
// must close cleanly within `limit`.
void transfer_and_close(Harness& net, std::size_t up_size, std::size_t down_size, Duration limit) {
    std::vector<std::byte> up = pattern(up_size, 10);
    std::vector<std::byte> down = pattern(down_size, 11);
    net.client_app.to_write = up;
    net.client_app.shutdown_when_written = true;
    net.server_app.to_write = down;
    net.server_app.shutdown_when_written = true;
    ASSERT_TRUE(
        net.run_until([&] { return net.client->is_closed() && net.server->is_closed(); }, limit));
    EXPECT_TRUE(same_bytes(net.server_app.received, up));
    EXPECT_TRUE(same_bytes(net.client_app.received, down));
    EXPECT_FALSE(net.client->error());
    EXPECT_FALSE(net.server->error());
    EXPECT_TRUE(net.client->read_closed());
    EXPECT_TRUE(net.server->read_closed());
}

// Bulk transfer over a lossy, jittery path with each congestion controller,
// with and without SACK, ending in an orderly close on both sides.
class TcpConnectionLossyPath
    : public ::testing::TestWithParam<std::tuple<TcpCongestionAlgorithm, bool, int>> {};

TEST_P(TcpConnectionLossyPath, TransfersEverythingAndCloses) {
    auto [algorithm, sack, seed] = GetParam();
    Harness net;
    net.client_config.congestion = net.server_config.congestion = algorithm;
    net.client_config.selective_ack = net.server_config.selective_ack = sack;
    net.latency = 10ms;
    Random random{static_cast<std::uint64_t>(seed)};
    net.filter = [&](const Segment&) {
        Fate fate;
        fate.extra_delay = std::chrono::milliseconds(random.below(3));
        if (random.percent(3))
            fate.action = Action::drop;
        return fate;
    };
    ASSERT_TRUE(net.open(60s));
    transfer_and_close(net, 300000, 100000, 600s);
    EXPECT_GT(net.client->stats().retransmitted_segments, 0u);
}

INSTANTIATE_TEST_SUITE_P(Paths, TcpConnectionLossyPath,
                         ::testing::Combine(::testing::Values(TcpCongestionAlgorithm::new_reno,
                                                              TcpCongestionAlgorithm::cubic),
                                            ::testing::Bool(), ::testing::Values(1, 2, 3)));

// Heavy weather: 10% loss, 5% duplicates, up to 30 ms of jitter, options
// and congestion control picked by the seed, small buffers on one side;
// both streams must arrive intact and both sides close cleanly.
class TcpConnectionChaos : public ::testing::TestWithParam<int> {};

TEST_P(TcpConnectionChaos, StreamsSurviveAndClose) {
    Random random{static_cast<std::uint64_t>(GetParam()) * 7919};
    Harness net;
    for (TcpConfig* config : {&net.client_config, &net.server_config}) {
        config->timestamps = random.percent(70);
        config->selective_ack = random.percent(70);
        config->window_scaling = random.percent(70);
        config->congestion =
            random.percent(50) ? TcpCongestionAlgorithm::cubic : TcpCongestionAlgorithm::new_reno;
    }
    net.server_config.receive_buffer = 4096 + random.below(60000);
    net.client_config.send_buffer = 2048 + random.below(60000);
    net.client_isn = SequenceNumber{random.next()};
    net.server_isn = SequenceNumber{random.next()};
    net.latency = 5ms;
    net.filter = [&](const Segment&) {
        Fate fate;
        fate.extra_delay = std::chrono::milliseconds(random.below(30));
        std::uint32_t roll = random.below(100);
        if (roll < 10)
            fate.action = Action::drop;
        else if (roll < 15)
            fate.action = Action::duplicate;
        return fate;
    };
    ASSERT_TRUE(net.open(120s));
    transfer_and_close(net, 150000, 80000, 3600s);
}

INSTANTIATE_TEST_SUITE_P(Seeds, TcpConnectionChaos, ::testing::Range(1, 17));

TEST(TcpConnectionData, OutOfOrderFloodStaysBoundedAndTheStreamCompletes) {
    Harness net;
    net.server_config.receive_buffer = 65536;
    ASSERT_TRUE(net.open());
    std::vector<std::byte> data = pattern(60000, 12);
    // One-byte segments at random offsets ahead of RCV.NXT, each with the
    // byte the client will later send there (so that only bookkeeping, not
    // content, is under test).
    SequenceNumber base = net.client->send_next();
    TcpOptions options = options_like_last(net, Side::client);
    std::uint16_t window = window_like_last(net, Side::client);
    std::size_t mark = net.log.size();
    Random random{7};
    for (int index = 0; index < 2000; ++index) {
        std::uint32_t offset = 1 + random.below(static_cast<std::uint32_t>(data.size() - 1));
        net.inject(crafted(Side::client, TcpFlag::ack, base + offset, net.server->send_next(),
                           window, {data[offset]}, options));
        net.settle();
    }
    const TcpConnectionStats& stats = net.server->stats();
    EXPECT_EQ(stats.out_of_order, 2000u);
    // At most max_out_of_order_ranges (16) ranges are held: nearly all the
    // scattered bytes are refused.
    EXPECT_GE(stats.out_of_order_dropped, 1900u);
    EXPECT_EQ(net.server->readable(), 0u);
    // Every one was answered at once (RFC 5681 §4.2), with at most three
    // SACK blocks next to the timestamps (RFC 2018 §3).
    std::vector<Segment> acks = net.sent_by(Side::server, mark);
    EXPECT_EQ(acks.size(), 2000u);
    for (const Segment& ack : acks) {
        EXPECT_EQ(ack.ack(), base);
        EXPECT_LE(ack.options.sack_block_count, 3u);
        EXPECT_GE(ack.options.sack_block_count, 1u);
    }
    // The client, which sent none of those bytes, ignores SACK blocks for them.
    EXPECT_EQ(net.client->stats().fast_retransmits, 0u);
    EXPECT_FALSE(net.client->in_recovery());

    net.client_app.to_write = data;
    ASSERT_TRUE(net.run_until([&] { return net.server_app.received.size() == data.size(); }, 30s));
    EXPECT_TRUE(same_bytes(net.server_app.received, data));
}

// --- loss recovery (RFC 5681 §3.2, RFC 6582, RFC 6675) ---

// Drops the first transmission of the client's data segments numbered in
// `losses` (1 is the first data segment).
std::function<Fate(const Segment&)> drop_data_segments(std::vector<int> losses) {
    auto count = std::make_shared<int>(0);
    auto sent = std::make_shared<std::vector<SequenceNumber>>();
    return [count, sent, losses](const Segment& segment) {
        if (segment.from != Side::client || !has_data(segment))
            return Fate{};
        if (std::find(sent->begin(), sent->end(), segment.sequence()) != sent->end())
            return Fate{};  // a retransmission
        sent->push_back(segment.sequence());
        ++*count;
        if (std::find(losses.begin(), losses.end(), *count) != losses.end())
            return Fate{Action::drop};
        return Fate{};
    };
}

TEST(TcpConnectionRecovery, NewRenoFastRetransmitsAfterThreeDuplicateAcks) {
    Harness net;
    net.client_config.selective_ack = false;
    net.latency = 10ms;
    ASSERT_TRUE(net.open());
    net.run_for(100ms);
    Duration rto = net.client->rtt().timeout();
    net.filter = drop_data_segments({3});
    std::vector<std::byte> data = pattern(40 * 1448, 13);
    net.client_app.to_write = data;
    std::size_t mark = net.log.size();
    ASSERT_TRUE(net.run_until([&] { return net.server_app.received.size() == data.size(); }, 30s));
    EXPECT_TRUE(same_bytes(net.server_app.received, data));
    const TcpConnectionStats& stats = net.client->stats();
    EXPECT_EQ(stats.fast_retransmits, 1u);
    EXPECT_EQ(stats.recoveries, 1u);
    EXPECT_EQ(stats.retransmission_timeouts, 0u);
    EXPECT_EQ(stats.retransmitted_segments, 1u);
    EXPECT_GE(stats.duplicate_acks, 3u);
    // The retransmission left one round trip after the loss, well before the RTO.
    std::vector<Segment> sent = net.sent_by(Side::client, mark);
    SequenceNumber lost = net.client_isn + 1 + 2 * 1448;
    std::vector<Instant> times;
    for (const Segment& segment : sent) {
        if (segment.sequence() == lost)
            times.push_back(segment.sent_at);
    }
    ASSERT_EQ(times.size(), 2u);
    EXPECT_LT(times[1] - times[0], rto);
    EXPECT_FALSE(net.client->in_recovery());
}

TEST(TcpConnectionRecovery, NewRenoRepairsTwoLossesInOneRecovery) {
    Harness net;
    net.client_config.selective_ack = false;
    net.latency = 10ms;
    ASSERT_TRUE(net.open());
    net.run_for(100ms);
    net.filter = drop_data_segments({3, 6});
    std::vector<std::byte> data = pattern(40 * 1448, 14);
    net.client_app.to_write = data;
    ASSERT_TRUE(net.run_until([&] { return net.server_app.received.size() == data.size(); }, 30s));
    EXPECT_TRUE(same_bytes(net.server_app.received, data));
    const TcpConnectionStats& stats = net.client->stats();
    // RFC 6582 §3.2 step 5: the partial ACK retransmits the second hole.
    EXPECT_EQ(stats.recoveries, 1u);
    EXPECT_EQ(stats.fast_retransmits, 1u);
    EXPECT_EQ(stats.retransmission_timeouts, 0u);
    EXPECT_EQ(stats.retransmitted_segments, 2u);
}

TEST(TcpConnectionRecovery, SackRepairsThreeLossesInOneRecovery) {
    Harness net;
    net.latency = 10ms;
    ASSERT_TRUE(net.open());
    net.run_for(100ms);
    net.filter = drop_data_segments({3, 6, 9});
    std::vector<std::byte> data = pattern(60 * 1448, 15);
    net.client_app.to_write = data;
    ASSERT_TRUE(net.run_until([&] { return net.server_app.received.size() == data.size(); }, 30s));
    EXPECT_TRUE(same_bytes(net.server_app.received, data));
    const TcpConnectionStats& stats = net.client->stats();
    EXPECT_EQ(stats.recoveries, 1u);
    EXPECT_EQ(stats.fast_retransmits, 1u);
    EXPECT_EQ(stats.retransmission_timeouts, 0u);
    EXPECT_EQ(stats.retransmitted_segments, 3u);  // each hole once, nothing SACKed again
    EXPECT_GT(net.server->stats().out_of_order, 0u);
}

TEST(TcpConnectionRecovery, SackBlocksOutsideTheSentRangeAreIgnored) {
    Harness net;
    net.fake_server = true;
    net.client_config.timestamps = false;
    net.start();
    net.settle();
    TcpOptions syn_ack_options;
    syn_ack_options.maximum_segment_size = 1460;
    syn_ack_options.sack_permitted = true;
    net.inject(crafted(Side::server, TcpFlag::syn | TcpFlag::ack, net.server_isn,
                       net.client_isn + 1, 65535, {}, syn_ack_options));
    ASSERT_EQ(net.client->state(), TcpState::established);
    net.client_app.to_write = pattern(20 * 1460);
    net.settle();
    SequenceNumber una = net.client_isn + 1;
    SequenceNumber high = una + 10 * 1460;  // ten segments in flight
    ASSERT_EQ(net.client->send_next(), high);

    std::size_t mark = net.to_fake.size();
    auto duplicate_ack = [&](SequenceNumber left, SequenceNumber right) {
        TcpOptions options;
        options.sack_blocks[0] = TcpSackBlock{left, right};
        options.sack_block_count = 1;
        net.inject(
            crafted(Side::server, TcpFlag::ack, net.server_isn + 1, una, 65535, {}, options));
        net.settle();
    };
    // Beyond SND.NXT: bytes never sent cannot have arrived.
    for (int repeat = 0; repeat < 3; ++repeat)
        duplicate_ack(high + 1000, high + 2460);
    // Wholly below SND.UNA, and reversed.
    duplicate_ack(una - 2000, una - 1000);
    duplicate_ack(una + 2920, una + 1460);
    duplicate_ack(una + 2920, una + 2920);
    EXPECT_FALSE(net.client->in_recovery());
    EXPECT_EQ(net.client->stats().fast_retransmits, 0u);
    EXPECT_EQ(net.to_fake.size(), mark);  // nothing retransmitted, nothing new

    // Blocks inside the flight count: after three, the head is lost (RFC 6675 §5).
    duplicate_ack(una + 1460, una + 2920);
    duplicate_ack(una + 1460, una + 4380);
    EXPECT_FALSE(net.client->in_recovery());
    // (Those two each let one new segment out: RFC 3042's limited transmit.)
    EXPECT_EQ(net.to_fake.size(), mark + 2);
    mark = net.to_fake.size();
    duplicate_ack(una + 1460, una + 5840);
    EXPECT_TRUE(net.client->in_recovery());
    EXPECT_EQ(net.client->stats().fast_retransmits, 1u);
    ASSERT_GT(net.to_fake.size(), mark);
    EXPECT_EQ(net.to_fake[mark].sequence(), una);
    EXPECT_EQ(net.to_fake[mark].payload.size(), 1460u);
}

TEST(TcpConnectionRecovery, LostFastRetransmissionFallsBackToTheRto) {
    Harness net;
    net.client_config.selective_ack = false;
    net.latency = 10ms;
    ASSERT_TRUE(net.open());
    net.run_for(100ms);
    // Segment 3 and its first retransmission are lost.
    int copies = 0;
    SequenceNumber lost = net.client->send_next() + 2 * 1448;
    net.filter = [&](const Segment& segment) {
        if (segment.from == Side::client && segment.sequence() == lost && has_data(segment) &&
            ++copies <= 2) {
            return Fate{Action::drop};
        }
        return Fate{};
    };
    std::vector<std::byte> data = pattern(40 * 1448, 16);
    net.client_app.to_write = data;
    ASSERT_TRUE(net.run_until([&] { return net.server_app.received.size() == data.size(); }, 30s));
    EXPECT_TRUE(same_bytes(net.server_app.received, data));
    EXPECT_EQ(copies, 3);
    const TcpConnectionStats& stats = net.client->stats();
    EXPECT_EQ(stats.recoveries, 1u);
    EXPECT_EQ(stats.retransmission_timeouts, 1u);
    // RFC 6582 §3.2 step 2: the duplicate ACKs still on their way after the
    // timeout start no second recovery.
    EXPECT_EQ(stats.fast_retransmits, 1u);
}

// --- delayed ACKs (RFC 1122 §4.2.3.2, RFC 5681 §4.2) ---

TEST(TcpConnectionDelayedAck, OneSegmentIsAcknowledgedAfterTheDelay) {
    Harness net;
    ASSERT_TRUE(net.open_and_warm_up());
    std::size_t mark = net.log.size();
    Instant written = net.now;
    net.client_app.to_write = pattern(100);
    net.settle();
    EXPECT_EQ(net.server_app.received.size(), 100u);
    EXPECT_EQ(net.sent_by(Side::server, mark).size(), 0u);
    net.run_for(40ms - 1ns);
    EXPECT_EQ(net.sent_by(Side::server, mark).size(), 0u);
    net.run_for(1ns);
    std::vector<Segment> acks = net.sent_by(Side::server, mark);
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_TRUE(acks[0].pure_ack());
    EXPECT_EQ(acks[0].sent_at, written + 40ms);
    EXPECT_EQ(acks[0].ack(), net.client->send_next());
}

TEST(TcpConnectionDelayedAck, FirstReadAfterTheHandshakeAnnouncesTheWholeWindow) {
    // A SYN's window is at most 65535 bytes (RFC 7323 §2.2): reading the
    // first data opens the rest of the buffer, worth a window update at once
    // (RFC 9293 §3.8.6.2.2) rather than a delayed ACK.
    Harness net;
    ASSERT_TRUE(net.open());
    std::size_t mark = net.log.size();
    net.client_app.to_write = pattern(100);
    net.settle();
    std::vector<Segment> acks = net.sent_by(Side::server, mark);
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].ack(), net.client->send_next());
    EXPECT_EQ(acks[0].fields.window, 262144 >> 3);
}

TEST(TcpConnectionDelayedAck, EverySecondFullSegmentIsAcknowledgedAtOnce) {
    Harness net;
    ASSERT_TRUE(net.open_and_warm_up());
    std::vector<Segment> held = net.hold_client_data(4 * 1448);
    ASSERT_EQ(held.size(), 4u);
    for (std::size_t index = 0; index < held.size(); ++index) {
        std::vector<Segment> acks = net.answer(held[index]);
        if (index % 2 == 0) {
            EXPECT_TRUE(acks.empty()) << "after segment " << index;
        } else {
            ASSERT_EQ(acks.size(), 1u) << "after segment " << index;
            EXPECT_EQ(acks[0].ack(), held[index].sequence() + 1448);
        }
    }
}

TEST(TcpConnectionDelayedAck, OutOfOrderDataAndTheFilledHoleAreAcknowledgedAtOnce) {
    Harness net;
    ASSERT_TRUE(net.open_and_warm_up());
    std::vector<Segment> held = net.hold_client_data(3 * 1448);
    ASSERT_EQ(held.size(), 3u);

    std::vector<Segment> acks = net.answer(held[1]);
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].ack(), held[0].sequence());  // a duplicate ACK
    ASSERT_EQ(acks[0].options.sack_block_count, 1u);
    EXPECT_EQ(acks[0].options.sack_blocks[0],
              (TcpSackBlock{held[1].sequence(), held[1].sequence() + 1448}));

    acks = net.answer(held[0]);
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].ack(), held[2].sequence());
    EXPECT_EQ(acks[0].options.sack_block_count, 0u);

    std::size_t mark = net.log.size();
    EXPECT_TRUE(net.answer(held[2]).empty());  // in order again: delayed
    net.run_for(40ms);
    EXPECT_EQ(net.sent_by(Side::server, mark).size(), 1u);
}

// --- Nagle's algorithm (RFC 9293 §3.7.4) ---

TEST(TcpConnectionNagle, SecondSmallWriteWaitsForTheFirstToBeAcknowledged) {
    Harness net;
    ASSERT_TRUE(net.open_and_warm_up());
    std::size_t mark = net.log.size();
    Instant start = net.now;
    std::vector<std::byte> first = pattern(10, 1);
    std::vector<std::byte> second = pattern(10, 2);
    EXPECT_EQ(net.client->write(ByteView{first}), 10u);
    net.settle();
    EXPECT_EQ(net.client->write(ByteView{second}), 10u);
    net.settle();
    EXPECT_EQ(net.count_sent(Side::client, has_data, mark), 1u);
    ASSERT_TRUE(net.run_until([&] { return net.server_app.received.size() == 20u; }, 1s));
    std::vector<Segment> data;
    for (const Segment& segment : net.sent_by(Side::client, mark)) {
        if (has_data(segment))
            data.push_back(segment);
    }
    ASSERT_EQ(data.size(), 2u);
    EXPECT_EQ(data[0].sent_at, start);
    EXPECT_EQ(data[1].sent_at, start + 40ms);  // when the delayed ACK came
    EXPECT_EQ(data[1].payload, second);
}

TEST(TcpConnectionNagle, NoDelaySendsEverySmallWriteAtOnce) {
    Harness net;
    net.client_config.no_delay = true;
    ASSERT_TRUE(net.open_and_warm_up());
    std::size_t mark = net.log.size();
    for (std::uint32_t write = 0; write < 5; ++write) {
        std::vector<std::byte> bytes = pattern(10, write);
        EXPECT_EQ(net.client->write(ByteView{bytes}), 10u);
        net.settle();
    }
    EXPECT_EQ(net.count_sent(Side::client, has_data, mark), 5u);
    EXPECT_EQ(net.server_app.received.size(), 50u);

    // And the switch works on an open connection.
    net.client->set_no_delay(false);
    net.run_for(1s);
    mark = net.log.size();
    for (std::uint32_t write = 0; write < 2; ++write) {
        std::vector<std::byte> bytes = pattern(10, write);
        net.client->write(ByteView{bytes});
        net.settle();
    }
    EXPECT_EQ(net.count_sent(Side::client, has_data, mark), 1u);
}

TEST(TcpConnectionNagle, FullSegmentsAreNotHeldOnlyTheSmallTail) {
    Harness net;
    ASSERT_TRUE(net.open_and_warm_up());
    std::size_t mark = net.log.size();
    net.client_app.to_write = pattern(3 * 1448 + 100);
    net.settle();
    std::vector<Segment> data = net.sent_by(Side::client, mark);
    ASSERT_EQ(data.size(), 3u);
    for (const Segment& segment : data)
        EXPECT_EQ(segment.payload.size(), 1448u);
    net.run_for(1s);
    EXPECT_EQ(net.server_app.received.size(), 3u * 1448u + 100u);
}

// --- flow control (RFC 9293 §3.8.6) ---

// A connection whose server has a 16 KiB buffer and an app that does not
// read, and a client with 100 000 bytes to send.
struct ZeroWindow {
    Harness net;
    std::vector<std::byte> data = pattern(100000, 20);

    ZeroWindow() {
        net.server_config.receive_buffer = 16384;
        net.latency = 1ms;
        net.server_app.reading = false;
    }
    bool fill() {
        if (!net.open())
            return false;
        net.client_app.to_write = data;
        net.run_for(2s);
        return net.server->readable() == 16384;
    }
    // Reads `count` bytes on the server as its app would.
    void read(std::size_t count) {
        std::vector<std::byte> bytes(count);
        std::size_t got = net.server->read(MutableByteView{bytes});
        bytes.resize(got);
        net.server_app.received.insert(net.server_app.received.end(), bytes.begin(), bytes.end());
    }
    bool is_probe(const Segment& segment) const {
        return segment.from == Side::client && segment.payload.empty() &&
               segment.sequence() + 1 == net.client->send_next();
    }
};

TEST(TcpConnectionFlowControl, ZeroWindowIsProbedWithBackoffAndReopens) {
    ZeroWindow zero;
    Harness& net = zero.net;
    ASSERT_TRUE(zero.fill());
    ASSERT_NE(net.last_sent_by(Side::server), nullptr);
    EXPECT_EQ(net.last_sent_by(Side::server)->fields.window, 0);
    EXPECT_GT(net.client->stats().zero_window_probes, 0u);
    EXPECT_EQ(net.client->unacknowledged(), zero.data.size() - 16384u);

    // Ten minutes of a closed window: probes keep coming, ever further apart
    // up to a minute, and the connection lives on (RFC 9293 §3.8.6.1).
    std::size_t mark = net.log.size();
    net.run_for(10min);
    EXPECT_EQ(net.client->state(), TcpState::established);
    EXPECT_EQ(net.server->readable(), 16384u);
    std::vector<Instant> probes;
    for (const Segment& segment : net.sent_by(Side::client, mark)) {
        EXPECT_TRUE(zero.is_probe(segment));
        probes.push_back(segment.sent_at);
    }
    ASSERT_GE(probes.size(), 10u);
    for (std::size_t index = 2; index < probes.size(); ++index) {
        EXPECT_GE(probes[index] - probes[index - 1], probes[index - 1] - probes[index - 2]);
        EXPECT_LE(probes[index] - probes[index - 1], 60s);
    }
    EXPECT_EQ(probes.back() - probes[probes.size() - 2], 60s);
    for (const Segment& segment : net.sent_by(Side::server, mark))
        EXPECT_EQ(segment.fields.window, 0);
    EXPECT_EQ(net.client->stats().retransmission_timeouts, 0u);

    // The app reads: its window update restarts the flow at once.
    Instant reading = net.now;
    net.server_app.reading = true;
    ASSERT_TRUE(
        net.run_until([&] { return net.server_app.received.size() == zero.data.size(); }, 60s));
    EXPECT_TRUE(same_bytes(net.server_app.received, zero.data));
    EXPECT_LT(net.now - reading, 1s);
}

TEST(TcpConnectionFlowControl, LostWindowUpdateIsRecoveredByAProbe) {
    ZeroWindow zero;
    Harness& net = zero.net;
    ASSERT_TRUE(zero.fill());
    DropFirst drop{[](const Segment& segment) {
        return segment.from == Side::server && segment.fields.window > 0;
    }};
    net.filter = drop;
    std::uint64_t probes = net.client->stats().zero_window_probes;
    net.server_app.reading = true;
    ASSERT_TRUE(
        net.run_until([&] { return net.server_app.received.size() == zero.data.size(); }, 120s));
    EXPECT_EQ(drop.dropped(), 1);
    EXPECT_TRUE(same_bytes(net.server_app.received, zero.data));
    EXPECT_GT(net.client->stats().zero_window_probes, probes);
}

TEST(TcpConnectionFlowControl, ReceiverAvoidsTheSillyWindowSyndrome) {
    ZeroWindow zero;
    Harness& net = zero.net;
    ASSERT_TRUE(zero.fill());
    auto next_probe_answer = [&]() -> std::optional<Segment> {
        std::size_t mark = net.log.size();
        if (!net.run_until([&] { return !net.sent_by(Side::server, mark).empty(); }, 120s))
            return std::nullopt;
        return net.sent_by(Side::server, mark)[0];
    };

    // Reading 100 bytes opens no window worth announcing (RFC 9293 §3.8.6.2.2).
    std::size_t mark = net.log.size();
    zero.read(100);
    net.settle();
    EXPECT_TRUE(net.sent_by(Side::server, mark).empty());
    std::optional<Segment> answer = next_probe_answer();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->fields.window, 0);

    // 1500 bytes: a full segment's worth is announced when asked, but not
    // volunteered (an update is sent unprompted only for two segments).
    mark = net.log.size();
    zero.read(1400);
    net.settle();
    EXPECT_TRUE(net.sent_by(Side::server, mark).empty());
    answer = next_probe_answer();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->fields.window, 1500);

    // The client fills that; reading three segments' worth is announced at
    // once.
    net.run_for(1s);
    ASSERT_EQ(net.server->readable(), 16384u);
    mark = net.log.size();
    zero.read(3 * 1460);
    net.transmit(Side::server);
    std::vector<Segment> updates = net.sent_by(Side::server, mark);
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_GE(updates[0].fields.window, 3 * 1460);
}

TEST(TcpConnectionFlowControl, DataProbeIntoAZeroWindowIsAcknowledged) {
    // RFC 9293 §3.8.6.1: every probe is answered, whatever it carries; BSD
    // stacks probe with one byte of new data.
    ZeroWindow zero;
    Harness& net = zero.net;
    ASSERT_TRUE(zero.fill());
    std::vector<Segment> answer =
        net.answer(crafted(Side::client, TcpFlag::ack, net.client->send_next(),
                           net.server->send_next(), window_like_last(net, Side::client),
                           {zero.data[16384]}, options_like_last(net, Side::client)));
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_EQ(answer[0].ack(), net.client->send_next());  // the byte was not taken
    EXPECT_EQ(answer[0].fields.window, 0);
    EXPECT_EQ(net.server->readable(), 16384u);
}

// Receive and send buffers from tiny to ordinary: every combination must
// move a bulk transfer to the end, however the windows and the silly window
// rules of both sides (RFC 9293 §3.8.6.2) meet.
class TcpConnectionBufferSizes
    : public ::testing::TestWithParam<std::tuple<std::size_t, std::size_t, bool>> {};

TEST_P(TcpConnectionBufferSizes, BulkTransferCompletes) {
    auto [receive_buffer, send_buffer, slow_reader] = GetParam();
    Harness net;
    net.server_config.receive_buffer = receive_buffer;
    net.client_config.send_buffer = send_buffer;
    net.latency = 2ms;
    ASSERT_TRUE(net.open());
    std::vector<std::byte> data = pattern(100000, 50);
    net.client_app.to_write = data;
    if (!slow_reader) {
        ASSERT_TRUE(
            net.run_until([&] { return net.server_app.received.size() == data.size(); }, 300s));
    } else {
        // The app reads at most 700 bytes every 10 ms.
        net.server_app.reading = false;
        for (int tick = 0; tick < 30000 && net.server_app.received.size() < data.size(); ++tick) {
            std::array<std::byte, 700> buffer;
            std::size_t count = net.server->read(MutableByteView{buffer});
            net.server_app.received.insert(net.server_app.received.end(), buffer.begin(),
                                           buffer.begin() + static_cast<std::ptrdiff_t>(count));
            net.run_for(10ms);
        }
    }
    EXPECT_TRUE(same_bytes(net.server_app.received, data));
    EXPECT_EQ(net.client->state(), TcpState::established);
    EXPECT_EQ(net.client->stats().retransmission_timeouts, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, TcpConnectionBufferSizes,
    ::testing::Combine(::testing::Values(std::size_t{700}, std::size_t{1448}, std::size_t{2000},
                                         std::size_t{4096}, std::size_t{10000}, std::size_t{70000}),
                       ::testing::Values(std::size_t{1000}, std::size_t{5000},
                                         std::size_t{256 * 1024}),
                       ::testing::Bool()));

// A client facing a fake server that offers 1460-byte segments, no options
// beyond that, and `window` in its SYN-ACK.
void open_against_fake_server(Harness& net, std::uint16_t window) {
    net.fake_server = true;
    net.client_config.timestamps = false;
    net.start();
    net.settle();
    TcpOptions options;
    options.maximum_segment_size = 1460;
    net.inject(crafted(Side::server, TcpFlag::syn | TcpFlag::ack, net.server_isn,
                       net.client_isn + 1, window, {}, options));
    net.settle();
}

TEST(TcpConnectionFlowControl, ZeroWindowInTheSynAckIsProbed) {
    Harness net;
    open_against_fake_server(net, 0);
    ASSERT_EQ(net.client->state(), TcpState::established);
    std::size_t mark = net.to_fake.size();
    net.client_app.to_write = pattern(5000);
    net.run_for(3s);
    EXPECT_EQ(payload_bytes(net.to_fake), 0u);
    EXPECT_GT(net.to_fake.size(), mark);  // probes
    EXPECT_GT(net.client->stats().zero_window_probes, 0u);
    // The window opens: the full segments leave at once, and Nagle holds
    // the small tail until they are acknowledged.
    net.inject(crafted(Side::server, TcpFlag::ack, net.server_isn + 1, net.client_isn + 1, 65535));
    net.settle();
    EXPECT_EQ(payload_bytes(net.to_fake), 3u * 1460u);
    net.inject(crafted(Side::server, TcpFlag::ack, net.server_isn + 1,
                       net.client_isn + 1 + 3 * 1460, 65535));
    net.settle();
    EXPECT_EQ(payload_bytes(net.to_fake), 5000u);
}

TEST(TcpConnectionFlowControl, ShrunkWindowStopsNewData) {
    // RFC 9293 §3.8.6 discourages shrinking the window, and RFC 1122
    // §4.2.2.16 asks a sender to cope: nothing new beyond the right edge.
    Harness net;
    open_against_fake_server(net, 65535);
    net.client_app.to_write = pattern(40000);
    net.settle();
    SequenceNumber una = net.client_isn + 1;
    ASSERT_EQ(payload_bytes(net.to_fake), 14600u);  // the initial window
    std::size_t mark = net.to_fake.size();
    // Acknowledge one segment and offer 1000 bytes: the edge falls inside
    // what is in flight.
    net.inject(crafted(Side::server, TcpFlag::ack, net.server_isn + 1, una + 1460, 1000));
    net.settle();
    EXPECT_EQ(net.to_fake.size(), mark);
    // Acknowledge everything with the window open again: sending resumes.
    net.inject(crafted(Side::server, TcpFlag::ack, net.server_isn + 1, una + 14600, 65535));
    net.settle();
    EXPECT_GT(net.to_fake.size(), mark);
    EXPECT_EQ(net.to_fake[mark].sequence(), una + 14600);
}

// --- closing (RFC 9293 §3.6) ---

TEST(TcpConnectionClose, ActiveAndPassiveCloseStepByStep) {
    Harness net;
    ASSERT_TRUE(net.open());
    net.client->shutdown_write();
    EXPECT_EQ(net.client->state(), TcpState::fin_wait_1);
    EXPECT_FALSE(net.client->can_write());
    EXPECT_EQ(net.client->write(ByteView{pattern(10)}), 0u);
    ASSERT_TRUE(net.run_until([&] { return net.client->state() == TcpState::fin_wait_2; }, 1s));
    const Segment* fin = nullptr;
    for (const Segment& segment : net.log) {
        if (segment.has(TcpFlag::fin))
            fin = &segment;
    }
    ASSERT_NE(fin, nullptr);
    EXPECT_EQ(fin->from, Side::client);
    EXPECT_EQ(fin->sequence(), net.client_isn + 1);
    EXPECT_TRUE(fin->has(TcpFlag::ack));

    // The passive side: CLOSE-WAIT, end of stream for its app.
    EXPECT_EQ(net.server->state(), TcpState::close_wait);
    EXPECT_TRUE(net.server->read_closed());
    std::array<std::byte, 16> buffer;
    EXPECT_EQ(net.server->read(MutableByteView{buffer}), 0u);
    EXPECT_TRUE(net.server->can_write());
    net.server->shutdown_write();
    EXPECT_EQ(net.server->state(), TcpState::last_ack);
    ASSERT_TRUE(net.run_until([&] { return net.client->state() == TcpState::time_wait; }, 1s));
    Instant entered = net.now;
    ASSERT_TRUE(net.run_until([&] { return net.server->is_closed(); }, 1s));
    EXPECT_FALSE(net.server->error());

    // 2·MSL in TIME-WAIT (RFC 9293 §3.10.7.4), then CLOSED.
    EXPECT_EQ(net.client->next_deadline(), std::optional<Instant>{entered + 60s});
    net.run_for(entered + 60s - 1ns - net.now);
    EXPECT_EQ(net.client->state(), TcpState::time_wait);
    net.run_for(1ns);
    EXPECT_TRUE(net.client->is_closed());
    EXPECT_FALSE(net.client->error());
    EXPECT_TRUE(net.client->handshake_complete());
    EXPECT_FALSE(net.client->next_deadline());
}

TEST(TcpConnectionClose, FinCarriesTheLastDataAndIsRetransmittedInLastAck) {
    Harness net;
    net.latency = 5ms;
    ASSERT_TRUE(net.open());
    net.client->shutdown_write();
    ASSERT_TRUE(net.run_until([&] { return net.server->state() == TcpState::close_wait; }, 1s));
    DropFirst drop{[](const Segment& segment) {
        return segment.from == Side::server && segment.has(TcpFlag::fin);
    }};
    net.filter = drop;
    std::vector<std::byte> data = pattern(1000);
    net.server_app.to_write = data;
    net.server_app.shutdown_when_written = true;
    ASSERT_TRUE(net.run_until([&] { return net.server->is_closed(); }, 10s));
    EXPECT_EQ(drop.dropped(), 1);
    EXPECT_TRUE(same_bytes(net.client_app.received, data));
    EXPECT_EQ(net.client->state(), TcpState::time_wait);
    // The first FIN rode on the data segment.
    std::vector<Segment> fins;
    for (const Segment& segment : net.sent_by(Side::server)) {
        if (segment.has(TcpFlag::fin))
            fins.push_back(segment);
    }
    ASSERT_EQ(fins.size(), 2u);
    EXPECT_EQ(fins[0].payload.size(), 1000u);
    EXPECT_EQ(fins[1].sequence(), fins[0].sequence());  // the data went down with it
    EXPECT_EQ(fins[1].payload, fins[0].payload);
    EXPECT_EQ(net.server->stats().retransmission_timeouts, 1u);
}

TEST(TcpConnectionClose, RetransmittedFinRestartsTimeWait) {
    Harness net;
    ASSERT_TRUE(net.open());
    ASSERT_TRUE(net.half_close_client());
    DropFirst drop{
        [](const Segment& segment) { return segment.from == Side::client && segment.pure_ack(); }};
    net.filter = drop;
    net.server->shutdown_write();
    ASSERT_TRUE(net.run_until([&] { return net.client->state() == TcpState::time_wait; }, 1s));
    Instant entered = net.now;
    ASSERT_TRUE(net.run_until([&] { return net.server->is_closed(); }, 10s));
    EXPECT_GT(net.now, entered);
    EXPECT_EQ(net.client->state(), TcpState::time_wait);
    EXPECT_EQ(net.client->next_deadline(), std::optional<Instant>{net.now + 60s});
}

TEST(TcpConnectionClose, SimultaneousCloseGoesThroughClosing) {
    Harness net;
    ASSERT_TRUE(net.open());
    net.client->shutdown_write();
    net.server->shutdown_write();
    EXPECT_EQ(net.client->state(), TcpState::fin_wait_1);
    EXPECT_EQ(net.server->state(), TcpState::fin_wait_1);
    ASSERT_TRUE(net.run_until(
        [&] {
            return net.client->state() == TcpState::closing &&
                   net.server->state() == TcpState::closing;
        },
        1s));
    ASSERT_TRUE(net.run_until(
        [&] {
            return net.client->state() == TcpState::time_wait &&
                   net.server->state() == TcpState::time_wait;
        },
        1s));
    net.run_for(60s);
    EXPECT_TRUE(net.client->is_closed());
    EXPECT_TRUE(net.server->is_closed());
    EXPECT_FALSE(net.client->error());
    EXPECT_FALSE(net.server->error());
}

TEST(TcpConnectionClose, HalfCloseKeepsTheOtherDirectionOpen) {
    Harness net;
    net.latency = 2ms;
    ASSERT_TRUE(net.open());
    ASSERT_TRUE(net.half_close_client());
    std::vector<std::byte> data = pattern(100000, 30);
    net.server_app.to_write = data;
    ASSERT_TRUE(net.run_until([&] { return net.client_app.received.size() == data.size(); }, 30s));
    EXPECT_TRUE(same_bytes(net.client_app.received, data));
    EXPECT_EQ(net.client->state(), TcpState::fin_wait_2);
    EXPECT_EQ(net.server->state(), TcpState::close_wait);
    net.server->shutdown_write();
    ASSERT_TRUE(net.run_until([&] { return net.server->is_closed(); }, 1s));
    EXPECT_EQ(net.client->state(), TcpState::time_wait);
    EXPECT_TRUE(net.client->read_closed());
}

TEST(TcpConnectionClose, CloseWithUnreadDataSendsReset) {
    // RFC 2525 §2.17: the peer must learn its data was not read.
    Harness net;
    ASSERT_TRUE(net.open());
    net.server_app.reading = false;
    net.client_app.to_write = pattern(100);
    ASSERT_TRUE(net.run_until([&] { return net.server->readable() == 100; }, 1s));
    std::size_t mark = net.log.size();
    net.server->close();
    EXPECT_TRUE(net.server->is_closed());
    EXPECT_EQ(net.server->error(), std::optional<TcpError>{TcpError::aborted});
    ASSERT_TRUE(net.run_until([&] { return net.client->is_closed(); }, 1s));
    std::vector<Segment> sent = net.sent_by(Side::server, mark);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_TRUE(sent[0].has(TcpFlag::rst));
    EXPECT_FALSE(sent[0].has(TcpFlag::fin));
    EXPECT_EQ(net.client->error(), std::optional<TcpError>{TcpError::reset});
}

TEST(TcpConnectionClose, DataArrivingAfterCloseIsAnsweredWithReset) {
    Harness net;
    ASSERT_TRUE(net.open());
    net.server->close();
    EXPECT_TRUE(net.server->orphaned());
    ASSERT_TRUE(net.run_until(
        [&] {
            return net.server->state() == TcpState::fin_wait_2 &&
                   net.client->state() == TcpState::close_wait;
        },
        1s));
    std::size_t mark = net.log.size();
    net.client_app.to_write = pattern(100);
    ASSERT_TRUE(net.run_until([&] { return net.client->is_closed(); }, 1s));
    EXPECT_EQ(net.client->error(), std::optional<TcpError>{TcpError::reset});
    EXPECT_TRUE(net.server->is_closed());
    std::vector<Segment> sent = net.sent_by(Side::server, mark);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_TRUE(sent[0].has(TcpFlag::rst));
}

TEST(TcpConnectionClose, OrphanInFinWait2GivesUpAfterTheTimeout) {
    Harness net;
    net.client_config.fin_wait_2_timeout = 30s;
    ASSERT_TRUE(net.open());
    net.client->close();
    ASSERT_TRUE(net.run_until([&] { return net.client->state() == TcpState::fin_wait_2; }, 1s));
    Instant entered = net.now;
    ASSERT_TRUE(net.run_until([&] { return net.client->is_closed(); }, 120s));
    EXPECT_EQ(net.now, entered + 30s);
    // The server, never closed by its app, stays in CLOSE-WAIT.
    EXPECT_EQ(net.server->state(), TcpState::close_wait);
}

TEST(TcpConnectionClose, FinBeyondAHoleWaitsForTheHole) {
    Harness net;
    ASSERT_TRUE(net.open_and_warm_up());
    net.filter = drop_data_segments({1});
    std::vector<std::byte> data = pattern(3 * 1448, 31);
    net.client_app.to_write = data;
    net.client_app.shutdown_when_written = true;
    net.settle();
    ASSERT_TRUE(net.sent_by(Side::client).back().has(TcpFlag::fin));
    EXPECT_EQ(net.server->state(), TcpState::established);
    EXPECT_FALSE(net.server->read_closed());
    EXPECT_TRUE(net.server_app.received.empty());
    ASSERT_TRUE(net.run_until([&] { return net.server->state() == TcpState::close_wait; }, 5s));
    EXPECT_TRUE(same_bytes(net.server_app.received, data));
    EXPECT_TRUE(net.server->read_closed());
    net.settle();
    EXPECT_EQ(net.client->state(), TcpState::fin_wait_2);
}

TEST(TcpConnectionClose, AbortSendsResetAndEndsBothSides) {
    Harness net;
    ASSERT_TRUE(net.open());
    std::size_t mark = net.log.size();
    net.client->abort();
    EXPECT_TRUE(net.client->is_closed());
    EXPECT_EQ(net.client->error(), std::optional<TcpError>{TcpError::aborted});
    ASSERT_TRUE(net.run_until([&] { return net.server->is_closed(); }, 1s));
    EXPECT_EQ(net.server->error(), std::optional<TcpError>{TcpError::reset});
    std::vector<Segment> sent = net.sent_by(Side::client, mark);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_TRUE(sent[0].has(TcpFlag::rst));
    EXPECT_EQ(sent[0].sequence(), net.client_isn + 1);
    EXPECT_FALSE(net.client->next_deadline());
    EXPECT_FALSE(net.server->next_deadline());
}

// --- resets (RFC 9293 §3.10.7, RFC 5961 §3) ---

// An open, idle connection; the tests forge segments as if from the client.
struct Forger {
    Harness net;

    Forger() {
        EXPECT_TRUE(net.open());
        net.client_app.to_write = pattern(1000);
        net.server_app.to_write = pattern(1000);
        net.run_for(1s);
    }
    SequenceNumber receive_next() const { return net.client->send_next(); }
    Segment from_client(TcpFlags flags, SequenceNumber sequence,
                        std::vector<std::byte> payload = {},
                        std::optional<SequenceNumber> ack = {}) const {
        return crafted(Side::client, flags, sequence, ack.value_or(net.server->send_next()),
                       window_like_last(net, Side::client), std::move(payload),
                       options_like_last(net, Side::client));
    }
    // What the server sends in answer to `segment`.
    std::vector<Segment> answer(const Segment& segment) { return net.answer(segment); }
};

TEST(TcpConnectionReset, ResetAtRcvNxtResets) {
    Forger forger;
    std::vector<Segment> answer =
        forger.answer(forger.from_client(TcpFlag::rst, forger.receive_next()));
    EXPECT_TRUE(answer.empty());
    EXPECT_TRUE(forger.net.server->is_closed());
    EXPECT_EQ(forger.net.server->error(), std::optional<TcpError>{TcpError::reset});
    EXPECT_FALSE(forger.net.server->next_deadline());
}

TEST(TcpConnectionReset, InWindowResetEarnsAChallengeAck) {
    // RFC 5961 §3.2: a blind attacker must hit RCV.NXT exactly.
    Forger forger;
    TcpConnection& server = *forger.net.server;
    std::vector<Segment> answer =
        forger.answer(forger.from_client(TcpFlag::rst, forger.receive_next() + 1000));
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_TRUE(answer[0].pure_ack());
    EXPECT_EQ(answer[0].sequence(), server.send_next());
    EXPECT_EQ(answer[0].ack(), forger.receive_next());
    EXPECT_EQ(server.state(), TcpState::established);
    EXPECT_EQ(server.stats().challenge_acks, 1u);
    // The real peer, told RCV.NXT, then resets exactly.
    answer = forger.answer(forger.from_client(TcpFlag::rst, answer[0].ack()));
    EXPECT_TRUE(server.is_closed());
    EXPECT_EQ(server.error(), std::optional<TcpError>{TcpError::reset});
}

TEST(TcpConnectionReset, OutOfWindowResetIsIgnored) {
    Forger forger;
    TcpConnection& server = *forger.net.server;
    for (SequenceNumber sequence : {forger.receive_next() - 1, forger.receive_next() + 10'000'000,
                                    forger.receive_next() + 0x8000'0000u}) {
        EXPECT_TRUE(forger.answer(forger.from_client(TcpFlag::rst, sequence)).empty());
        EXPECT_EQ(server.state(), TcpState::established);
    }
    EXPECT_EQ(server.stats().out_of_window, 3u);
    EXPECT_EQ(server.stats().challenge_acks, 0u);
    // The connection still carries data.
    std::vector<std::byte> data = pattern(100, 40);
    forger.net.client_app.to_write.insert(forger.net.client_app.to_write.end(), data.begin(),
                                          data.end());
    forger.net.run_for(1s);
    EXPECT_EQ(forger.net.server_app.received.size(), 1100u);
}

TEST(TcpConnectionReset, ResetInSynSentCountsOnlyWithTheRightAck) {
    Harness net;
    net.fake_server = true;
    net.start();
    net.settle();
    ASSERT_EQ(net.to_fake.size(), 1u);
    // RFC 9293 §3.10.7.3: without ACK, or with an ACK of something else, a
    // RST is dropped (and never answered).
    net.inject(crafted(Side::server, TcpFlag::rst, SequenceNumber{12345}, SequenceNumber{}, 0));
    net.inject(crafted(Side::server, TcpFlag::rst | TcpFlag::ack, SequenceNumber{0},
                       net.client_isn + 5, 0));
    net.inject(
        crafted(Side::server, TcpFlag::rst | TcpFlag::ack, SequenceNumber{0}, net.client_isn, 0));
    net.settle();
    EXPECT_EQ(net.client->state(), TcpState::syn_sent);
    EXPECT_EQ(net.to_fake.size(), 1u);
    // A bad ACK without RST is answered with <SEQ=SEG.ACK><CTL=RST>.
    net.inject(crafted(Side::server, TcpFlag::ack, SequenceNumber{777}, net.client_isn + 100, 0));
    net.settle();
    ASSERT_EQ(net.to_fake.size(), 2u);
    EXPECT_EQ(net.to_fake[1].fields.flags, TcpFlags{TcpFlag::rst});
    EXPECT_EQ(net.to_fake[1].sequence(), net.client_isn + 100);
    EXPECT_EQ(net.client->state(), TcpState::syn_sent);

    net.inject(crafted(Side::server, TcpFlag::rst | TcpFlag::ack, SequenceNumber{0},
                       net.client_isn + 1, 0));
    EXPECT_TRUE(net.client->is_closed());
    EXPECT_EQ(net.client->error(), std::optional<TcpError>{TcpError::refused});
    EXPECT_FALSE(net.client->next_deadline());
}

TEST(TcpConnectionReset, ResetInSynReceivedDropsTheEmbryo) {
    Harness net;
    net.start();
    net.transmit(Side::client);
    net.filter = [](const Segment&) { return Fate{Action::hold}; };
    net.settle();
    ASSERT_TRUE(net.server);
    ASSERT_EQ(net.server->state(), TcpState::syn_received);
    net.inject(crafted(Side::client, TcpFlag::rst, net.client_isn + 1, SequenceNumber{}, 0));
    EXPECT_TRUE(net.server->is_closed());
    EXPECT_FALSE(net.server->handshake_complete());
}

TEST(TcpConnectionReset, BadAckInSynReceivedIsAnsweredWithReset) {
    // RFC 9293 §3.10.7.4, fifth step: <SEQ=SEG.ACK><CTL=RST>.
    Harness net;
    net.start();
    net.transmit(Side::client);
    net.filter = [](const Segment&) { return Fate{Action::hold}; };
    net.settle();
    ASSERT_TRUE(net.server);
    ASSERT_EQ(net.held.size(), 1u);  // the SYN-ACK
    std::vector<Segment> sent = net.answer(
        crafted(Side::client, TcpFlag::ack, net.client_isn + 1, net.server_isn + 1000, 65535));
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].fields.flags, TcpFlags{TcpFlag::rst});
    EXPECT_EQ(sent[0].sequence(), net.server_isn + 1000);
    EXPECT_EQ(net.server->state(), TcpState::syn_received);
    // The real SYN-ACK and ACK still open the connection.
    net.filter = {};
    net.release_held();
    net.settle();
    EXPECT_TRUE(net.both_established());
}

TEST(TcpConnectionReset, SynInEstablishedEarnsAChallengeAck) {
    // RFC 5961 §4.2: whatever its sequence number.
    Forger forger;
    TcpConnection& server = *forger.net.server;
    std::vector<Segment> answer =
        forger.answer(forger.from_client(TcpFlag::syn, forger.receive_next()));
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_TRUE(answer[0].pure_ack());
    EXPECT_EQ(answer[0].ack(), forger.receive_next());
    EXPECT_EQ(server.stats().challenge_acks, 1u);
    EXPECT_EQ(server.state(), TcpState::established);
    answer = forger.answer(forger.from_client(TcpFlag::syn, forger.receive_next() + 5000));
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_TRUE(answer[0].pure_ack());
    answer = forger.answer(forger.from_client(TcpFlag::syn, forger.receive_next() - 5000));
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_TRUE(answer[0].pure_ack());
    EXPECT_EQ(server.state(), TcpState::established);
    EXPECT_FALSE(server.error());
}

TEST(TcpConnectionReset, AckOfUnsentDataIsChallengedAndItsDataDropped) {
    Forger forger;
    TcpConnection& server = *forger.net.server;
    forger.net.server_app.reading = false;
    // RFC 5961 §5.2: SEG.ACK beyond SND.NXT.
    std::vector<Segment> answer =
        forger.answer(forger.from_client(TcpFlag::ack | TcpFlag::psh, forger.receive_next(),
                                         pattern(10), server.send_next() + 1000));
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_TRUE(answer[0].pure_ack());
    EXPECT_EQ(answer[0].ack(), forger.receive_next());  // the data was not taken
    EXPECT_EQ(server.readable(), 0u);
    EXPECT_EQ(server.stats().bad_acks, 1u);
    EXPECT_EQ(server.stats().challenge_acks, 1u);
    // SEG.ACK further behind SND.UNA than the largest window the peer
    // offered: challenged too.
    answer = forger.answer(forger.from_client(TcpFlag::ack, forger.receive_next(), pattern(10),
                                              server.send_next() - (1u << 20)));
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_EQ(server.readable(), 0u);
    EXPECT_EQ(server.stats().challenge_acks, 2u);
    // A little behind is only an old ACK: its data is taken.
    forger.answer(forger.from_client(TcpFlag::ack, forger.receive_next(), pattern(10),
                                     server.send_next() - 100));
    EXPECT_EQ(server.readable(), 10u);
    EXPECT_EQ(server.state(), TcpState::established);
}

TEST(TcpConnectionReset, ChallengeAcksAreRateLimited) {
    // RFC 5961 §7: at most challenge_acks_per_second (10).
    Forger forger;
    TcpConnection& server = *forger.net.server;
    std::size_t acks = 0;
    for (std::uint32_t index = 0; index < 25; ++index) {
        acks += forger.answer(forger.from_client(TcpFlag::rst, forger.receive_next() + 100 + index))
                    .size();
    }
    EXPECT_EQ(acks, 10u);
    EXPECT_EQ(server.stats().challenge_acks, 10u);
    EXPECT_EQ(server.stats().challenge_acks_limited, 15u);
    forger.net.run_for(1s);
    EXPECT_EQ(forger.answer(forger.from_client(TcpFlag::rst, forger.receive_next() + 100)).size(),
              1u);
    EXPECT_EQ(server.stats().challenge_acks, 11u);
    EXPECT_EQ(server.state(), TcpState::established);
}

TEST(TcpConnectionReset, ResetDoesNotCutTimeWaitShort) {
    // RFC 1337 §3.
    Harness net;
    ASSERT_TRUE(net.open());
    ASSERT_TRUE(net.close_client_first());
    std::optional<Instant> deadline = net.client->next_deadline();
    net.inject(crafted(Side::server, TcpFlag::rst, net.server->send_next(), SequenceNumber{}, 0));
    net.inject(crafted(Side::server, TcpFlag::rst | TcpFlag::ack, net.server->send_next(),
                       net.client->send_next(), 0));
    EXPECT_EQ(net.client->state(), TcpState::time_wait);
    EXPECT_FALSE(net.client->error());
    EXPECT_EQ(net.client->next_deadline(), deadline);
}

// --- PAWS (RFC 7323 §5) ---

TEST(TcpConnectionPaws, SegmentWithAnOldTimestampIsDroppedAndAcknowledged) {
    Forger forger;
    TcpConnection& server = *forger.net.server;
    forger.net.server_app.reading = false;
    const TcpTimestamps recent = *forger.net.last_sent_by(Side::client)->options.timestamps;
    Segment old =
        forger.from_client(TcpFlag::ack | TcpFlag::psh, forger.receive_next(), pattern(10));
    old.options.timestamps = TcpTimestamps{recent.value - 1000, recent.echo_reply};
    std::vector<Segment> answer = forger.answer(old);
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_TRUE(answer[0].pure_ack());
    EXPECT_EQ(answer[0].ack(), forger.receive_next());
    EXPECT_EQ(server.readable(), 0u);
    EXPECT_EQ(server.stats().paws_rejected, 1u);
    // A timestamp that went round 2^32 is older still (RFC 7323 §5.3: modular).
    old.options.timestamps = TcpTimestamps{recent.value + 0x8000'0001u, recent.echo_reply};
    forger.answer(old);
    EXPECT_EQ(server.stats().paws_rejected, 2u);
    EXPECT_EQ(server.readable(), 0u);

    // The same segment with the current timestamp is taken.
    Segment fresh = old;
    fresh.options.timestamps = TcpTimestamps{recent.value, recent.echo_reply};
    forger.answer(fresh);
    EXPECT_EQ(server.readable(), 10u);
    EXPECT_EQ(server.stats().paws_rejected, 2u);

    // A RST is not subject to PAWS.
    Segment reset = forger.from_client(TcpFlag::rst, forger.receive_next() + 10);
    reset.options.timestamps = TcpTimestamps{recent.value - 1000, 0};
    forger.answer(reset);
    EXPECT_EQ(server.error(), std::optional<TcpError>{TcpError::reset});
}

// --- timers ---

TEST(TcpConnectionTimers, IdleConnectionWithoutKeepaliveHasNoTimers) {
    Harness net;
    ASSERT_TRUE(net.open());
    net.run_for(1s);
    std::size_t mark = net.log.size();
    EXPECT_FALSE(net.client->next_deadline());
    EXPECT_FALSE(net.server->next_deadline());
    net.run_for(3h);
    EXPECT_EQ(net.log.size(), mark);
    EXPECT_TRUE(net.both_established());
}

TEST(TcpConnectionTimers, KeepaliveProbesAnIdleConnectionThenGivesUp) {
    // RFC 1122 §4.2.3.6.
    Harness net;
    ASSERT_TRUE(net.open());
    Instant start = net.now;
    net.client->set_keepalive(TcpKeepalive{10s, 1s, 3}, net.now);
    std::size_t mark = net.log.size();
    net.run_for(10s - 1ns);
    EXPECT_TRUE(net.sent_by(Side::client, mark).empty());
    net.run_for(1ns);
    std::vector<Segment> probes = net.sent_by(Side::client, mark);
    ASSERT_EQ(probes.size(), 1u);
    EXPECT_TRUE(probes[0].pure_ack());
    EXPECT_EQ(probes[0].sequence(), net.client->send_next() - 1);  // old: it forces an ACK
    EXPECT_EQ(net.client->stats().keepalive_probes, 1u);

    // Answered probes keep it alive, one per idle period.
    net.run_for(25s);  // to start + 35 s
    EXPECT_EQ(net.client->stats().keepalive_probes, 3u);
    EXPECT_EQ(net.client->state(), TcpState::established);

    // The peer goes silent: three probes a second apart, then the end.
    net.filter = [](const Segment& segment) {
        return segment.from == Side::server ? Fate{Action::drop} : Fate{};
    };
    ASSERT_TRUE(net.run_until([&] { return net.client->is_closed(); }, 60s));
    EXPECT_EQ(net.now, start + 43s);
    EXPECT_EQ(net.client->stats().keepalive_probes, 6u);
    EXPECT_EQ(net.client->error(), std::optional<TcpError>{TcpError::timed_out});
}

TEST(TcpConnectionTimers, KeepaliveWaitsWhileDataIsOutstanding) {
    Harness net;
    net.client_config.keepalive = TcpKeepalive{10s, 1s, 3};
    ASSERT_TRUE(net.open());
    net.run_for(5s);
    // Data that goes unanswered: the retransmission timer, not keepalive,
    // decides (RFC 1122 §4.2.3.6 probes only idle connections).
    net.filter = [](const Segment& segment) {
        return segment.from == Side::server ? Fate{Action::drop} : Fate{};
    };
    net.client_app.to_write = pattern(100);
    net.run_for(20s);
    EXPECT_EQ(net.client->stats().keepalive_probes, 0u);
    EXPECT_GT(net.client->stats().retransmission_timeouts, 0u);
}

TEST(TcpConnectionTimers, UserTimeoutEndsAConnectionWhoseDataGoesUnacknowledged) {
    // RFC 5482, RFC 9293 §3.10.8.
    Harness net;
    net.client_config.user_timeout = 5s;
    ASSERT_TRUE(net.open());
    net.run_for(1s);
    net.filter = [](const Segment& segment) {
        return segment.from == Side::client ? Fate{Action::drop} : Fate{};
    };
    Instant written = net.now;
    net.client_app.to_write = pattern(100);
    net.run_for(5s - 1ns);
    EXPECT_EQ(net.client->state(), TcpState::established);
    ASSERT_TRUE(net.run_until([&] { return net.client->is_closed(); }, 60s));
    EXPECT_EQ(net.now, written + 5s);
    EXPECT_EQ(net.client->error(), std::optional<TcpError>{TcpError::timed_out});
    EXPECT_LT(net.client->stats().retransmission_timeouts, 15u);
}

TEST(TcpConnectionTimers, UnacknowledgedDataTimesOutAfterMaxRetransmissions) {
    // RFC 9293 §3.8.3 R2, with RFC 6298 §5.5's doubling in between.
    Harness net;
    net.client_config.max_retransmissions = 3;
    ASSERT_TRUE(net.open());
    net.run_for(1s);
    Duration rto = net.client->rtt().timeout();
    net.filter = [](const Segment& segment) {
        return segment.from == Side::client ? Fate{Action::drop} : Fate{};
    };
    Instant written = net.now;
    std::size_t mark = net.log.size();
    net.client_app.to_write = pattern(100);
    ASSERT_TRUE(net.run_until([&] { return net.client->is_closed(); }, 600s));
    EXPECT_EQ(net.now, written + rto * 15);  // 1 + 2 + 4 + 8 RTOs
    EXPECT_EQ(net.client->error(), std::optional<TcpError>{TcpError::timed_out});
    EXPECT_EQ(net.client->stats().retransmission_timeouts, 3u);
    EXPECT_EQ(net.client->stats().retransmitted_segments, 3u);
    std::vector<Segment> sent = net.sent_by(Side::client, mark);
    ASSERT_EQ(sent.size(), 4u);
    EXPECT_EQ(sent[1].sent_at - sent[0].sent_at, rto);
    EXPECT_EQ(sent[2].sent_at - sent[1].sent_at, 2 * rto);
    EXPECT_EQ(sent[3].sent_at - sent[2].sent_at, 4 * rto);
}

TEST(TcpConnectionTimers, TimeWaitAcceptsOnlyANewerIncarnation) {
    // RFC 6191 §2 with timestamps; RFC 9293 §3.10.7.4 (sequence) without.
    Harness net;
    ASSERT_TRUE(net.open());
    EXPECT_FALSE(net.client->accepts_new_incarnation(
        crafted(Side::server, TcpFlag::syn, net.server->send_next() + 1, {}, 65535).incoming()));
    ASSERT_TRUE(net.close_client_first());
    std::uint32_t recent = net.last_sent_by(Side::server)->options.timestamps->value;
    SequenceNumber receive_next = net.server->send_next();  // past the server's FIN

    auto syn = [&](SequenceNumber sequence, std::optional<std::uint32_t> timestamp) {
        TcpOptions options;
        if (timestamp)
            options.timestamps = TcpTimestamps{*timestamp, 0};
        return crafted(Side::server, TcpFlag::syn, sequence, {}, 65535, {}, options);
    };
    EXPECT_TRUE(
        net.client->accepts_new_incarnation(syn(receive_next - 100, recent + 1).incoming()));
    EXPECT_FALSE(net.client->accepts_new_incarnation(syn(receive_next + 100, recent).incoming()));
    EXPECT_FALSE(
        net.client->accepts_new_incarnation(syn(receive_next + 100, recent - 5).incoming()));
    EXPECT_TRUE(
        net.client->accepts_new_incarnation(syn(receive_next + 1, std::nullopt).incoming()));
    EXPECT_FALSE(net.client->accepts_new_incarnation(syn(receive_next, std::nullopt).incoming()));
    EXPECT_FALSE(
        net.client->accepts_new_incarnation(syn(receive_next - 100, std::nullopt).incoming()));
    net.run_for(60s);
    ASSERT_TRUE(net.client->is_closed());
    EXPECT_FALSE(net.client->accepts_new_incarnation(syn(receive_next + 1, recent + 1).incoming()));
}

}  // namespace
}  // namespace oasis::net

namespace oasis::net {
namespace {

TEST(TcpConnectionTimers, AfterASynTimeoutDataStartsWithAThreeSecondRto) {
    // RFC 6298 §5.7: no RTT was measured (Karn), and the path just lost a SYN.
    Harness net;
    bool syn_dropped = false;
    bool data_dropped = false;
    net.filter = [&](const Segment& segment) {
        if (is_syn(segment) && !syn_dropped) {
            syn_dropped = true;
            return Fate{Action::drop};
        }
        if (!segment.payload.empty() && !data_dropped) {
            data_dropped = true;
            return Fate{Action::drop};
        }
        return Fate{};
    };
    ASSERT_TRUE(net.open(10s));
    std::size_t mark = net.log.size();
    net.client_app.to_write = pattern(100, 3);
    net.run_for(10s);
    std::vector<Instant> sends;
    for (const Segment& segment : net.sent_by(Side::client, mark)) {
        if (!segment.payload.empty())
            sends.push_back(segment.sent_at);
    }
    ASSERT_EQ(sends.size(), 2u);
    EXPECT_EQ(sends[1] - sends[0], 3s);
    EXPECT_EQ(net.server_app.received, pattern(100, 3));
}

TEST(TcpConnectionTimers, UserTimeoutAlsoCountsWhileTheWindowStaysShut) {
    // The peer answers every zero-window probe but never reads: the user
    // timeout (RFC 5482) still ends the wait, as on Linux.
    Harness net;
    net.client_config.user_timeout = 20s;
    net.server_config.receive_buffer = 4096;
    ASSERT_TRUE(net.open_and_warm_up());
    net.server_app.reading = false;
    net.client_app.to_write = pattern(100000, 4);
    ASSERT_TRUE(net.run_until([&] { return net.client->is_closed(); }, 600s));
    EXPECT_EQ(net.client->error(), std::optional<TcpError>{TcpError::timed_out});
    EXPECT_GT(net.client->stats().zero_window_probes, 0u);
}

TEST(TcpConnectionTimers, AnIdleSenderRestartsFromTheInitialWindow) {
    // RFC 5681 §4.1: after more than an RTO without sending.
    Harness net;
    ASSERT_TRUE(net.open_and_warm_up());
    net.client_app.to_write = pattern(400000, 5);
    ASSERT_TRUE(net.run_until([&] { return net.server_app.received.size() == 400000; }, 60s));
    net.run_for(1s);
    std::uint32_t initial = initial_congestion_window(net.client->send_mss());
    ASSERT_GT(net.client->congestion().window(), initial);
    net.run_for(10s);
    net.client_app = App{};
    net.client_app.to_write = pattern(1, 6);
    net.settle();
    EXPECT_LE(net.client->congestion().window(), initial);
}

}  // namespace
}  // namespace oasis::net
