// TcpStream and TcpListener: the coroutine socket API over a TcpTable.
#include "net/tcp/socket.hpp"

#include <utility>

#include "core/scheduler.hpp"
#include "core/timeout.hpp"

namespace oasis::net {

namespace {

Instant now() {
    return Scheduler::current().now();
}

Task<void> wait_for_change(WaitList* list) {
    co_await wait_on(*list);
}

}  // namespace

// --- TcpStream ---

TcpStream::TcpStream(TcpStream&& other) noexcept
    : m_table(std::exchange(other.m_table, nullptr)),
      m_endpoint(std::exchange(other.m_endpoint, nullptr)) {}

TcpStream& TcpStream::operator=(TcpStream&& other) noexcept {
    if (this != &other) {
        close();
        m_table = std::exchange(other.m_table, nullptr);
        m_endpoint = std::exchange(other.m_endpoint, nullptr);
    }
    return *this;
}

const TcpTuple& TcpStream::tuple() const {
    return m_endpoint->connection->tuple();
}

TcpState TcpStream::state() const {
    return m_endpoint != nullptr ? m_endpoint->connection->state() : TcpState::closed;
}

std::optional<TcpError> TcpStream::failure() const {
    if (m_endpoint == nullptr)
        return TcpError::closed;
    return m_endpoint->connection->error();
}

void TcpStream::service() {
    m_table->service(*m_endpoint, now());
}

Task<Result<std::size_t, TcpError>> TcpStream::read(MutableByteView out) {
    for (;;) {
        if (m_endpoint == nullptr)
            co_return Error{TcpError::closed};
        TcpConnection& connection = *m_endpoint->connection;
        if (connection.readable() > 0 || out.size() == 0) {
            std::size_t count = connection.read(out);
            service();  // a window update may be due
            co_return count;
        }
        if (connection.read_closed())
            co_return std::size_t{0};
        if (connection.error())
            co_return Error{*connection.error()};
        if (connection.is_closed())
            co_return Error{TcpError::closed};
        co_await wait_on(m_endpoint->waiters);
    }
}

Task<Result<void, TcpError>> TcpStream::read_exact(MutableByteView out) {
    std::size_t done = 0;
    while (done < out.size()) {
        // (No co_await inside CO_TRY: GCC 12 cannot compile it.)
        auto count = co_await read(MutableByteView{out.span().subspan(done)});
        if (!count)
            co_return Error{count.error()};
        if (*count == 0)
            co_return Error{TcpError::closed};
        done += *count;
    }
    co_return Result<void, TcpError>{};
}

Task<Result<void, TcpError>> TcpStream::write(ByteView data) {
    std::size_t done = 0;
    for (;;) {
        if (std::optional<TcpError> error = failure())
            co_return Error{*error};
        TcpConnection& connection = *m_endpoint->connection;
        if (!connection.can_write())
            co_return Error{TcpError::closed};
        std::size_t count = connection.write(ByteView{data.span().subspan(done)});
        done += count;
        if (count > 0)
            service();
        if (done == data.size())
            co_return Result<void, TcpError>{};
        if (m_endpoint == nullptr)
            co_return Error{TcpError::closed};
        co_await wait_on(m_endpoint->waiters);
    }
}

Task<Result<void, TcpError>> TcpStream::flush() {
    for (;;) {
        if (std::optional<TcpError> error = failure())
            co_return Error{*error};
        const TcpConnection& connection = *m_endpoint->connection;
        if (connection.unacknowledged() == 0)
            co_return Result<void, TcpError>{};
        if (connection.is_closed())
            co_return Error{TcpError::closed};
        co_await wait_on(m_endpoint->waiters);
    }
}

void TcpStream::shutdown() {
    if (m_endpoint == nullptr)
        return;
    m_endpoint->connection->shutdown_write();
    service();
}

void TcpStream::close() {
    if (m_endpoint == nullptr)
        return;
    TcpEndpoint* endpoint = std::exchange(m_endpoint, nullptr);
    endpoint->connection->close();
    m_table->detach(*endpoint, now());
}

void TcpStream::abort() {
    if (m_endpoint == nullptr)
        return;
    TcpEndpoint* endpoint = std::exchange(m_endpoint, nullptr);
    endpoint->connection->abort();
    m_table->detach(*endpoint, now());
}

void TcpStream::set_no_delay(bool no_delay) {
    if (m_endpoint == nullptr)
        return;
    m_endpoint->connection->set_no_delay(no_delay);
    service();  // small segments Nagle held back may go now
}

void TcpStream::set_keepalive(std::optional<TcpKeepalive> keepalive) {
    if (m_endpoint == nullptr)
        return;
    m_endpoint->connection->set_keepalive(keepalive, now());
    service();
}

void TcpStream::set_user_timeout(Duration timeout) {
    if (m_endpoint == nullptr)
        return;
    m_endpoint->connection->set_user_timeout(timeout);
}

// --- TcpListener ---

TcpListener::TcpListener(TcpListener&& other) noexcept
    : m_table(std::exchange(other.m_table, nullptr)),
      m_state(std::exchange(other.m_state, nullptr)) {}

TcpListener& TcpListener::operator=(TcpListener&& other) noexcept {
    if (this != &other) {
        close();
        m_table = std::exchange(other.m_table, nullptr);
        m_state = std::exchange(other.m_state, nullptr);
    }
    return *this;
}

Task<Result<TcpStream, TcpError>> TcpListener::accept() {
    for (;;) {
        if (m_state == nullptr || m_state->closed)
            co_return Error{TcpError::closed};
        if (TcpEndpoint* endpoint = m_table->take_accepted(*m_state)) {
            co_return TcpStream{*m_table, *endpoint};
        }
        co_await wait_on(m_state->acceptors);
    }
}

void TcpListener::close() {
    if (m_state == nullptr)
        return;
    m_table->close_listener(*std::exchange(m_state, nullptr), now());
}

// --- connect ---

Task<Result<TcpStream, TcpError>> connect_stream(TcpTable& table, Ipv4Address local,
                                                 Ipv4Address remote, std::uint16_t port,
                                                 const TcpConfig& config, Duration timeout) {
    TcpEndpoint* endpoint = CO_TRY(table.connect(local, remote, port, 0, config, now()));
    // The stream owns the endpoint from here: leaving early closes it.
    TcpStream stream{table, *endpoint};
    Instant deadline = now() + timeout;
    for (;;) {
        const TcpConnection& connection = *endpoint->connection;
        if (connection.handshake_complete())
            co_return std::move(stream);
        if (connection.error())
            co_return Error{*connection.error()};
        if (connection.is_closed())
            co_return Error{TcpError::closed};
        auto waited = co_await with_deadline(deadline, wait_for_change(&endpoint->waiters));
        if (!waited) {
            stream.abort();
            co_return Error{TcpError::timed_out};
        }
    }
}

}  // namespace oasis::net
