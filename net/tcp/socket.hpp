// TcpStream and TcpListener: the coroutine socket API over a TcpTable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/buffer.hpp"
#include "core/result.hpp"
#include "core/task.hpp"
#include "core/time.hpp"
#include "net/tcp/connection.hpp"
#include "net/tcp/table.hpp"

namespace oasis::net {

// One connection, as the app holds it: a move-only handle like a file
// descriptor. Destroying it closes the connection gracefully (close()).
// The table (and its stack) must outlive it.
//
// Every wait is woken by the stack's receive or timer loop when the
// connection changes; cancelling a wait (a timeout around it) loses nothing:
// bytes are only taken from or given to the connection when a call returns.
class TcpStream {
public:
    TcpStream() = default;
    TcpStream(TcpTable& table, TcpEndpoint& endpoint) : m_table(&table), m_endpoint(&endpoint) {}
    TcpStream(TcpStream&& other) noexcept;
    TcpStream& operator=(TcpStream&& other) noexcept;
    TcpStream(const TcpStream&) = delete;
    TcpStream& operator=(const TcpStream&) = delete;
    ~TcpStream() { close(); }

    bool is_open() const { return m_endpoint != nullptr; }
    const TcpTuple& tuple() const;
    TcpState state() const;
    const TcpConnection& connection() const { return *m_endpoint->connection; }

    // Waits for data and copies up to out.size() bytes: at least one, or 0 at
    // the end of the stream (the peer's FIN). Errors: reset, timed_out,
    // aborted, closed.
    Task<Result<std::size_t, TcpError>> read(MutableByteView out);
    // Reads exactly out.size() bytes; end of stream before that is `closed`.
    Task<Result<void, TcpError>> read_exact(MutableByteView out);
    // Queues all of `data`, waiting while the send buffer is full
    // (backpressure). `data` must stay valid until the await completes.
    Task<Result<void, TcpError>> write(ByteView data);
    // Waits until everything written has been acknowledged by the peer.
    Task<Result<void, TcpError>> flush();

    // No more writes: a FIN follows the data. Reading goes on.
    void shutdown();
    // Graceful close: the FIN follows the data, and the connection finishes
    // in the background. Unread received data makes it a reset instead.
    void close();
    // Resets the connection (RST) and releases the handle.
    void abort();

    void set_no_delay(bool no_delay);
    void set_keepalive(std::optional<TcpKeepalive> keepalive);
    void set_user_timeout(Duration timeout);

private:
    std::optional<TcpError> failure() const;
    void service();

    TcpTable* m_table = nullptr;
    TcpEndpoint* m_endpoint = nullptr;
};

// A port in LISTEN. Destroying the handle closes it: connections not yet
// accepted are reset.
class TcpListener {
public:
    TcpListener() = default;
    TcpListener(TcpTable& table, TcpListenerState& state) : m_table(&table), m_state(&state) {}
    TcpListener(TcpListener&& other) noexcept;
    TcpListener& operator=(TcpListener&& other) noexcept;
    TcpListener(const TcpListener&) = delete;
    TcpListener& operator=(const TcpListener&) = delete;
    ~TcpListener() { close(); }

    bool is_open() const { return m_state != nullptr; }
    std::uint16_t port() const { return m_state != nullptr ? m_state->port : 0; }
    // Connections established and waiting for accept().
    std::size_t pending() const { return m_state != nullptr ? m_state->accept_queue.size() : 0; }

    // The next established connection; waits for one. Error: closed.
    Task<Result<TcpStream, TcpError>> accept();
    void close();

private:
    TcpTable* m_table = nullptr;
    TcpListenerState* m_state = nullptr;
};

// An active open through `table` from `local`, waiting for the handshake at
// most `timeout`. Errors: refused, timed_out, reset, and TcpTable::connect's.
Task<Result<TcpStream, TcpError>> connect_stream(TcpTable& table, Ipv4Address local,
                                                 Ipv4Address remote, std::uint16_t port,
                                                 const TcpConfig& config, Duration timeout);

}  // namespace oasis::net
