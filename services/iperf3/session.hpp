// What both ends of an iperf3 test share: control-connection I/O, the data streams and their
// workers, reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "core/result.hpp"
#include "core/scheduler.hpp"
#include "core/task.hpp"
#include "core/time.hpp"
#include "core/timeout.hpp"
#include "net/tcp/socket.hpp"
#include "net/wire/address.hpp"
#include "services/iperf3/protocol.hpp"

namespace oasis::iperf3 {

// Why a test did not run to its end.
enum class Iperf3Error : std::uint8_t {
    closed,             // the peer closed the control connection early
    connection_failed,  // a connection of the test failed (refused, reset, timed out)
    timed_out,          // the peer stayed silent longer than the options allow
    bad_cookie,         // a connection sent no cookie, or another test's
    bad_message,        // a JSON message that is malformed, too large or lacks fields
    unexpected_state,   // a state byte that iperf3 never sends, or not at this point
    unsupported,        // UDP, SCTP, bidirectional, pacing, too many streams ...
    access_denied,      // the server is busy with another test
    server_error,       // the server refused the test (SERVER_ERROR)
    terminated,         // the peer ended the test early (SERVER_ or CLIENT_TERMINATE)
};

std::string_view iperf3_error_name(Iperf3Error error);
void format_value(std::string& out, Iperf3Error error);

// What one test did, as either end saw it, for the app to print.
struct TestReport {
    TestParameters parameters;
    net::Ipv4Address peer;
    bool local_sent = false;  // this end sent the data
    // This end's measurement, as sent to the peer, and the peer's: each
    // there once the test got that far.
    std::optional<TestResults> local;
    std::optional<TestResults> remote;
    Result<void, Iperf3Error> outcome{};  // success, or why the test stopped

    // Totals over the streams, from the sender's and the receiver's own
    // counts; the time is the longest stream's. None when that side's
    // results are missing.
    std::optional<std::uint64_t> sender_bytes() const;
    std::optional<std::uint64_t> receiver_bytes() const;
    std::optional<std::int64_t> sender_microseconds() const;
    std::optional<std::int64_t> receiver_microseconds() const;
};

// "sent 1250000000 bytes in 10.000123 s (1000.00 Mbit/s), received 1249000000 bytes in
// 10.001000 s (999.10 Mbit/s)", or what is known of it.
std::string describe_transfer(const TestReport& report);

// --- the control connection ---

// One state byte; an unknown byte is unexpected_state, the end of the stream closed.
Task<Result<State, Iperf3Error>> read_state(net::TcpStream* control);
Task<Result<void, Iperf3Error>> write_state(net::TcpStream* control, State state);
// One length-prefixed JSON message, its text unchecked.
Task<Result<std::string, Iperf3Error>> read_message(net::TcpStream* control);
// The header and the text in one write, so that Nagle's algorithm cannot hold the text back.
Task<Result<void, Iperf3Error>> write_message(net::TcpStream* control, std::string text);
Task<Result<Cookie, Iperf3Error>> read_cookie(net::TcpStream* stream);
// SERVER_ERROR and its two numbers: iperf3's error code and errno 0.
Task<Result<void, Iperf3Error>> write_server_error(net::TcpStream* control, std::int32_t code);

// `task`, or timed_out when it takes longer than `timeout`. Cancelling the
// socket calls above loses nothing (see net/tcp/socket.hpp).
template <typename T>
Task<Result<T, Iperf3Error>> within(Duration timeout, Task<Result<T, Iperf3Error>> task) {
    auto result = co_await with_timeout(timeout, std::move(task));
    if (!result) {
        co_return Error{Iperf3Error::timed_out};
    }
    co_return std::move(result).value();
}

// --- the data streams ---

// One TCP connection of the test and what its worker counted.
struct DataStream {
    net::TcpStream stream;
    std::int64_t id = 0;
    std::uint64_t bytes = 0;    // after the omit period: what the results report
    std::uint64_t omitted = 0;  // during it
    // The count when the test ended; a receiver goes on draining after
    // that, so that the sender is never blocked before the results.
    std::uint64_t final_bytes = 0;
    std::optional<net::TcpError> error;
    bool finished = false;  // the worker returned (end of stream, error, or stopped)
    JoinHandle worker;
};

// A test's data streams and the measurement their workers share.
class Transfer {
public:
    // `limit`: the test ends once this many bytes went (omitted ones too,
    // as iperf3 counts -n); 0 for a test that ends by time.
    Transfer(bool sending, std::uint32_t block_size, std::uint64_t limit);
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;

    DataStream& add(net::TcpStream stream);
    std::size_t size() const { return m_streams.size(); }
    bool sending() const { return m_sending; }

    // Spawns one worker per stream; measurement starts after `omit`.
    void start(Duration omit);
    // Woken when the byte limit is reached or a worker finishes.
    Event& progress() { return m_progress; }
    bool limit_reached() const { return m_limit != 0 && m_total >= m_limit; }
    bool all_finished() const;
    std::optional<net::TcpError> first_error() const;

    // Ends the measurement now: the counts and the time the results report.
    void end();
    // Senders stop before their next block and get `grace` to finish the one
    // they are writing (the peer still reads); what is left is cancelled.
    // Their last blocks count. Receivers go on draining until close().
    Task<void> stop_senders(Duration grace);
    // Cancels every worker and waits until they are gone; then closes the streams.
    Task<void> close();

    // This end's results: per stream, bytes after the omit period and the
    // time from its end to end().
    TestResults results(std::string_view congestion) const;

private:
    static Task<void> receive_worker(Transfer* transfer, DataStream* stream);
    static Task<void> send_worker(Transfer* transfer, DataStream* stream);
    void count(DataStream& stream, std::size_t bytes);

    bool m_sending;
    std::uint32_t m_block_size;
    std::uint64_t m_limit;
    std::uint64_t m_total = 0;    // every byte so far, omitted ones too
    std::uint64_t m_claimed = 0;  // bytes senders have started to write, against the limit
    bool m_stop = false;
    bool m_ended = false;
    Instant m_measure_from{};
    Instant m_end{};
    std::vector<std::byte> m_block;  // what senders write, shared
    std::vector<std::unique_ptr<DataStream>> m_streams;
    Event m_progress;
};

}  // namespace oasis::iperf3
