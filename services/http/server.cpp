// The HTTP/1.1 server: one task per connection reads requests in order, asks the handler, and
// writes the replies.
#include "services/http/server.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "core/format.hpp"
#include "core/log.hpp"
#include "core/timeout.hpp"
#include "services/http/semantics.hpp"

namespace oasis::http {

namespace {

constinit LogSource log{"http"};

// One read: a few full-sized segments. Requests are small; a body arrives
// in several reads.
constexpr std::size_t read_size = 16 * 1024;
// One write of a streamed body: a quarter of the default send buffer, so
// the next piece is read while TCP sends the last.
constexpr std::size_t write_piece = 64 * 1024;
// After refusing a request, the rest of what the client sent is read and
// dropped for a while before closing, so that closing with unread data
// does not reset the connection before the client has read the refusal
// (RFC 9112 §9.6).
constexpr Duration linger_time = std::chrono::seconds(2);
constexpr std::size_t linger_bytes = 256 * 1024;

bool has_body(std::uint16_t status) {
    return status >= 200 && status != 204 && status != 304;
}

// The head of a reply, with the fields the server owns.
std::string format_head(const Reply& reply, std::string_view date, std::string_view server_name,
                        bool keep_alive, Version request_version) {
    std::string head;
    head.reserve(256);
    std::string_view reason = reason_phrase(reply.status);
    format_to(head, "HTTP/1.1 {} {}\r\n", reply.status, reason);
    if (!date.empty()) {
        format_to(head, "Date: {}\r\n", date);
    }
    if (!server_name.empty()) {
        format_to(head, "Server: {}\r\n", server_name);
    }
    for (const Field& field : reply.fields.lines()) {
        format_to(head, "{}: {}\r\n", field.name, field.value);
    }
    if (has_body(reply.status)) {
        format_to(head, "Content-Length: {}\r\n", reply.body_length());
    }
    if (!keep_alive) {
        head += "Connection: close\r\n";
    } else if (request_version.minor == 0) {
        head += "Connection: keep-alive\r\n";  // HTTP/1.0 persistence (RFC 9112 §C.2.2)
    }
    head += "\r\n";
    return head;
}

}  // namespace

Reply text_reply(std::uint16_t status, std::string_view text) {
    Reply reply;
    reply.status = status;
    reply.fields.add("Content-Type", "text/plain; charset=utf-8");
    reply.body = text;
    reply.body += '\n';
    return reply;
}

// One connection's life: read, parse, answer, until the client leaves, a
// timeout passes, or a request cannot be read.
class Connection {
public:
    Connection(Server& server, net::TcpStream stream)
        : m_server(server), m_stream(std::move(stream)), m_parser(server.m_config.limits) {}

    Task<void> run();

private:
    // What a read is waiting for, which decides its deadline.
    enum class Waiting { next_request, head, body };

    // Reads more bytes into the empty input buffer. False when the
    // connection is over (closed, failed, or timed out and answered).
    Task<bool> read_more(Waiting waiting);
    // Answers a complete request; false when the connection must close.
    Task<bool> answer(Request request);
    // Answers a request the parser refused, then closes.
    Task<void> refuse(std::uint16_t status, std::string_view why);
    // The head is in and a body follows: RFC 9110 §10.1.1's Expect.
    Task<bool> expect_body();
    // Writes the reply; false when the connection failed.
    Task<bool> send(const Reply& reply, Method method, Version version, bool keep_alive,
                    std::uint64_t& body_bytes);
    Task<bool> write(ByteView bytes);
    // Half-closes, drains what the client still sends for a while, closes.
    Task<void> linger();
    void record(const Request* request, std::uint16_t status, std::uint64_t body_bytes);

    Server& m_server;
    net::TcpStream m_stream;
    RequestParser m_parser;
    std::vector<std::byte> m_input = std::vector<std::byte>(read_size);
    std::size_t m_start = 0;  // parsed up to here
    std::size_t m_end = 0;    // read up to here
    // When the current request's first byte arrived, and when its head
    // ended (the head and body deadlines run from these).
    std::optional<Instant> m_request_began;
    Instant m_head_ended;
    Instant m_last_activity;
};

Task<void> Connection::run() {
    m_last_activity = Scheduler::current().now();
    Waiting waiting = Waiting::next_request;
    for (;;) {
        const ParseProgress progress =
            m_parser.feed(ByteView{m_input.data() + m_start, m_end - m_start});
        m_start += progress.consumed;
        if (m_parser.started() && !m_request_began) {
            m_request_began = Scheduler::current().now();
        }
        switch (progress.state) {
            case ParseState::incomplete:
                if (m_parser.started() && waiting == Waiting::next_request) {
                    waiting = Waiting::head;
                }
                if (!co_await read_more(waiting)) {
                    co_return;
                }
                break;
            case ParseState::head:
                m_head_ended = Scheduler::current().now();
                waiting = Waiting::body;
                if (!co_await expect_body()) {
                    co_return;
                }
                break;
            case ParseState::complete: {
                const bool keep_alive = co_await answer(m_parser.take());
                m_request_began.reset();
                m_last_activity = Scheduler::current().now();
                waiting = Waiting::next_request;
                if (!keep_alive) {
                    co_await linger();
                    co_return;
                }
                break;
            }
            case ParseState::failed:
                ++m_server.m_stats.parse_errors;
                co_await refuse(static_cast<std::uint16_t>(status_for(m_parser.error())),
                                parse_error_name(m_parser.error()));
                co_return;
        }
    }
}

Task<bool> Connection::read_more(Waiting waiting) {
    // The parser takes everything it is fed until a message ends, so the
    // buffer is empty whenever more is needed.
    OASIS_ASSERT(m_start == m_end);
    m_start = 0;
    m_end = 0;
    const ServerConfig& config = m_server.m_config;
    Instant deadline;
    switch (waiting) {
        case Waiting::next_request:
            deadline = m_last_activity + config.idle_timeout;
            break;
        case Waiting::head:
            deadline = *m_request_began + config.head_timeout;
            break;
        case Waiting::body:
            deadline = m_head_ended + config.body_timeout;
            break;
    }
    auto count = co_await with_deadline(deadline, m_stream.read(MutableByteView{m_input}));
    if (!count) {
        if (waiting == Waiting::next_request) {
            ++m_server.m_stats.idle_closes;
            co_return false;  // the stream's destructor closes it gracefully
        }
        ++m_server.m_stats.head_timeouts;
        co_await refuse(static_cast<std::uint16_t>(Status::request_timeout), "timeout");
        co_return false;
    }
    if (!*count) {
        if (count->error() != net::TcpError::closed) {
            ++m_server.m_stats.resets;
        }
        co_return false;
    }
    if (**count == 0) {
        co_return false;  // the client's FIN; a request cut short is dropped with it
    }
    m_end = **count;
    co_return true;
}

Task<bool> Connection::expect_body() {
    const Request& head = m_parser.head();
    std::optional<std::string_view> expect = head.fields.get("Expect");
    if (!expect) {
        co_return true;
    }
    // RFC 9110 §10.1.1: 100-continue is the only expectation; an HTTP/1.0
    // client cannot have sent it meaningfully and is not answered.
    if (!equals_ignoring_case(*expect, "100-continue")) {
        co_await refuse(static_cast<std::uint16_t>(Status::expectation_failed), "expectation");
        co_return false;
    }
    if (head.version.minor == 0) {
        co_return true;
    }
    auto result = co_await write(as_bytes(std::string_view{"HTTP/1.1 100 Continue\r\n\r\n"}));
    co_return result;
}

Task<bool> Connection::answer(Request request) {
    ++m_server.m_stats.requests;
    Reply reply = co_await m_server.m_handler.handle(request);
    bool keep_alive = request.keeps_alive() && !reply.fields.list_contains("Connection", "close");
    reply.fields.remove("Connection");
    std::uint64_t body_bytes = 0;
    const bool sent = co_await send(reply, request.method, request.version, keep_alive, body_bytes);
    record(&request, reply.status, body_bytes);
    co_return sent&& keep_alive;
}

Task<void> Connection::refuse(std::uint16_t status, std::string_view why) {
    log.debug("{}: refused with {}: {}", m_stream.tuple(), status, why);
    const Reply reply = text_reply(status, reason_phrase(status));
    std::uint64_t body_bytes = 0;
    const bool sent = co_await send(reply, Method::get, Version{}, false, body_bytes);
    // The request line, if it was read, names the request in the log.
    const Request& head = m_parser.head();
    record(head.method_token.empty() ? nullptr : &head, status, body_bytes);
    if (sent) {
        co_await linger();
    }
}

Task<bool> Connection::send(const Reply& reply, Method method, Version version, bool keep_alive,
                            std::uint64_t& body_bytes) {
    std::string out =
        format_head(reply, m_server.date(), m_server.m_config.server_name, keep_alive, version);
    const bool send_body = has_body(reply.status) && method != Method::head;
    if (send_body && !reply.source) {
        out += reply.body;
        body_bytes = reply.body.size();
        m_server.m_stats.body_bytes += body_bytes;
        auto result = co_await write(as_bytes(out));
        co_return result;
    }
    if (!send_body) {
        auto result = co_await write(as_bytes(out));
        co_return result;
    }
    // A streamed body: the head and the first piece go in one write, so a
    // small file is one segment, as an inline body is.
    // No bigger than the reply, so a small file costs no 64 KiB buffer.
    std::vector<std::byte> piece(static_cast<std::size_t>(
        std::min<std::uint64_t>(write_piece, out.size() + reply.source_length)));
    std::size_t filled = 0;
    if (out.size() < piece.size()) {
        std::copy_n(as_bytes(out).data(), out.size(), piece.data());
        filled = out.size();
    } else if (!co_await write(as_bytes(out))) {
        co_return false;  // a head of 64 KiB or more (handler fields) goes alone
    }
    std::uint64_t offset = 0;
    while (offset < reply.source_length || filled > 0) {
        const std::uint64_t left = reply.source_length - offset;
        const std::size_t room = piece.size() - filled;
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left, room));
        if (want > 0) {
            auto count =
                co_await reply.source->read(offset, MutableByteView{piece.data() + filled, want});
            if (!count || *count == 0) {
                // The head promised more bytes than there are: all the
                // client can be told is that the connection failed.
                log.warning("{}: body source failed at byte {} of {}", m_stream.tuple(), offset,
                            reply.source_length);
                m_stream.abort();
                co_return false;
            }
            offset += *count;
            filled += *count;
            body_bytes += *count;
            m_server.m_stats.body_bytes += *count;
        }
        if (!co_await write(ByteView{piece.data(), filled})) {
            co_return false;
        }
        filled = 0;
    }
    co_return true;
}

Task<bool> Connection::write(ByteView bytes) {
    auto written = co_await with_timeout(m_server.m_config.send_timeout, m_stream.write(bytes));
    if (!written) {
        ++m_server.m_stats.send_timeouts;
        m_stream.abort();
        co_return false;
    }
    if (!*written) {
        ++m_server.m_stats.resets;
        co_return false;
    }
    co_return true;
}

Task<void> Connection::linger() {
    m_stream.shutdown();
    const Instant deadline = Scheduler::current().now() + linger_time;
    std::size_t drained = 0;
    while (drained < linger_bytes) {
        auto count = co_await with_deadline(deadline, m_stream.read(MutableByteView{m_input}));
        if (!count || !*count || **count == 0) {
            break;
        }
        drained += **count;
    }
}

void Connection::record(const Request* request, std::uint16_t status, std::uint64_t body_bytes) {
    Exchange exchange;
    exchange.connection = m_stream.tuple();
    exchange.status = status;
    exchange.body_bytes = body_bytes;
    if (m_request_began) {
        exchange.duration = Scheduler::current().now() - *m_request_began;
    }
    if (request != nullptr) {
        exchange.method = request->method_token;
        exchange.target = request->target;
        exchange.version = request->version;
        exchange.user_agent = request->fields.get("User-Agent").value_or("");
        exchange.referer = request->fields.get("Referer").value_or("");
    }
    m_server.m_handler.completed(exchange);
}

namespace {}  // namespace

// Serves one connection; the slot is given back however the task ends,
// returning or cancelled.
Task<void> serve_connection(Server* server, std::shared_ptr<Server::Slots> slots,
                            net::TcpStream stream) {
    struct SlotRelease {
        std::shared_ptr<Server::Slots> slots;
        ~SlotRelease() {
            --slots->active;
            Scheduler::current().wake_one(slots->freed);
        }
    } release{std::move(slots)};
    stream.set_no_delay(true);  // replies are written whole; Nagle would only delay their tails
    Connection connection{*server, std::move(stream)};
    co_await connection.run();
}

Server::Server(Handler& handler, dev::Clock* clock, ServerConfig config)
    : m_handler(handler), m_clock(clock), m_config(std::move(config)) {}

Server::~Server() {
    for (JoinHandle& connection : m_connections) {
        connection.cancel();
    }
}

ServerStats Server::stats() const {
    ServerStats stats = m_stats;
    stats.active = m_slots->active;
    return stats;
}

std::string_view Server::date() {
    if (m_clock == nullptr) {
        return {};
    }
    const WallTime now = m_clock->wall();
    if (now.seconds() != m_date_second) {
        m_date_second = now.seconds();
        m_date = format_http_date(now);
    }
    return m_date;
}

Task<void> Server::serve(net::TcpListener listener) {
    Scheduler& scheduler = Scheduler::current();
    for (;;) {
        while (m_slots->active >= m_config.max_connections) {
            co_await wait_on(m_slots->freed);
        }
        auto stream = co_await listener.accept();
        if (!stream) {
            break;
        }
        std::erase_if(m_connections, [](const JoinHandle& handle) { return handle.finished(); });
        ++m_stats.connections;
        ++m_slots->active;
        m_connections.push_back(
            scheduler.spawn(serve_connection(this, m_slots, std::move(*stream))));
    }
    // The stack stopped: its connections are reset, so every task ends soon.
    for (JoinHandle& connection : m_connections) {
        co_await connection.join();
    }
    m_connections.clear();
}

}  // namespace oasis::http
