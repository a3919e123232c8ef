// The HTTP/1.1 server: connections from a TCP listener, requests read in order, handlers' replies
// written back (RFC 9112).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/buffer.hpp"
#include "core/result.hpp"
#include "core/scheduler.hpp"
#include "core/task.hpp"
#include "core/time.hpp"
#include "core/wait_list.hpp"
#include "dev/clock.hpp"
#include "dev/kv.hpp"
#include "net/tcp/socket.hpp"
#include "services/http/message.hpp"
#include "services/http/parser.hpp"

namespace oasis::http {

struct ServerConfig {
    Limits limits;
    // From a request's first byte to the end of its head. A client that
    // trickles its head (slowloris) gets 408 and loses the connection when
    // it passes, however steadily bytes arrive.
    Duration head_timeout = std::chrono::seconds(10);
    // From the end of the head to the end of the body.
    Duration body_timeout = std::chrono::seconds(30);
    // How long a kept-alive connection may wait for its next request.
    Duration idle_timeout = std::chrono::seconds(60);
    // How long one write of a response may wait for the client to read
    // (TCP backpressure); the connection is reset when it passes.
    Duration send_timeout = std::chrono::seconds(60);
    // Connections served at once; more wait in the listener's backlog.
    std::size_t max_connections = 1024;
    // The Server header field's value; empty for none.
    std::string server_name = "Oasis";
};

// A response body that is read piece by piece, so that a large file is
// never held whole in memory.
class BodySource {
public:
    virtual ~BodySource() = default;
    // Copies up to into.size() bytes from `offset` of the body into `into`
    // and returns how many: at least one before the end of the body. An
    // error or a short body resets the connection, since the head has
    // promised a length.
    virtual Task<Result<std::size_t, dev::KvError>> read(std::uint64_t offset,
                                                         MutableByteView into) = 0;
};

// What a handler answers. The server adds Date, Server, Content-Length and
// Connection; the handler adds everything else.
struct Reply {
    std::uint16_t status = 200;
    Fields fields;
    // The body, unless `source` is set. Sent for every status but 1xx, 204
    // and 304, and never in answer to HEAD (whose Content-Length is still
    // the one a GET would get, RFC 9110 §9.3.2).
    std::string body;
    std::unique_ptr<BodySource> source;
    std::uint64_t source_length = 0;

    std::uint64_t body_length() const { return source ? source_length : body.size(); }
};

// A reply with a short text/plain body, for errors and redirects.
Reply text_reply(std::uint16_t status, std::string_view text);

// One exchange, as an access log records it.
struct Exchange {
    net::TcpTuple connection;
    std::string_view method;  // as received; empty when no request line was read
    std::string_view target;
    Version version;
    std::uint16_t status = 0;
    std::uint64_t body_bytes = 0;  // body bytes sent
    Duration duration{0};          // from the request's first byte to the end of the reply
    std::string_view user_agent;
    std::string_view referer;
};

class Handler {
public:
    virtual ~Handler() = default;
    // Answers one request; the connection's requests are answered in order
    // (pipelining), each after the previous reply was written.
    virtual Task<Reply> handle(const Request& request) = 0;
    // Called after each reply is written, including the server's own error
    // replies (400, 408, 413, 414, 431, 501, 505).
    virtual void completed(const Exchange& exchange) { (void)exchange; }
};

struct ServerStats {
    std::uint64_t connections = 0;  // accepted
    std::uint64_t active = 0;       // open now (filled in by Server::stats())
    std::uint64_t requests = 0;     // handed to the handler
    std::uint64_t parse_errors = 0;
    std::uint64_t head_timeouts = 0;  // 408 while reading a head or body
    std::uint64_t idle_closes = 0;    // kept-alive connections closed after idle_timeout
    std::uint64_t send_timeouts = 0;
    std::uint64_t resets = 0;  // connections that failed (reset by the peer, or timed out in TCP)
    std::uint64_t body_bytes = 0;
};

// Serves connections from a listener with one handler. The handler and the
// clock (for the Date field; may be null) must outlive the server.
class Server {
public:
    Server(Handler& handler, dev::Clock* clock, ServerConfig config);
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    // Cancels the connections still being served. serve() must have
    // returned or been cancelled first.
    ~Server();

    // Accepts connections until the listener closes (the stack stopped),
    // each served by its own task, at most max_connections at once. Returns
    // after every connection has ended.
    Task<void> serve(net::TcpListener listener);

    ServerStats stats() const;
    const ServerConfig& config() const { return m_config; }

private:
    friend class Connection;

    // The connection slots, shared with the connection tasks: a task
    // cancelled with the server is destroyed after it, and gives its slot
    // back here.
    struct Slots {
        std::uint64_t active = 0;
        // The accept loop, while every slot is taken; woken when one is freed.
        WaitList freed;
    };
    friend Task<void> serve_connection(Server* server, std::shared_ptr<Slots> slots,
                                       net::TcpStream stream);

    // "Sun, 06 Nov 1994 08:49:37 GMT", formatted once per second.
    std::string_view date();

    Handler& m_handler;
    dev::Clock* m_clock;
    ServerConfig m_config;
    ServerStats m_stats;
    std::vector<JoinHandle> m_connections;
    std::shared_ptr<Slots> m_slots = std::make_shared<Slots>();
    std::int64_t m_date_second = -1;
    std::string m_date;
};

}  // namespace oasis::http
