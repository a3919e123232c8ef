// What both ends of an iperf3 test share: control-connection I/O, the data streams and their
// workers, reports.
#include "services/iperf3/session.hpp"

#include <algorithm>

#include "core/format.hpp"
#include "core/log.hpp"

namespace oasis::iperf3 {

namespace {

constinit LogSource log{"iperf3"};

Instant now() {
    return Scheduler::current().now();
}

std::int64_t microseconds_between(Instant from, Instant to) {
    return to > from ? std::chrono::duration_cast<std::chrono::microseconds>(to - from).count() : 0;
}

Iperf3Error from_tcp(net::TcpError error) {
    return error == net::TcpError::closed ? Iperf3Error::closed : Iperf3Error::connection_failed;
}

std::optional<std::uint64_t> total_bytes(const std::optional<TestResults>& results) {
    if (!results) {
        return std::nullopt;
    }
    std::uint64_t total = 0;
    for (const StreamResult& stream : results->streams) {
        total += stream.bytes;
    }
    return total;
}

std::optional<std::int64_t> longest_time(const std::optional<TestResults>& results) {
    if (!results) {
        return std::nullopt;
    }
    std::int64_t longest = 0;
    for (const StreamResult& stream : results->streams) {
        longest = std::max(longest, stream.end_microseconds - stream.start_microseconds);
    }
    return longest;
}

void describe_side(std::string& out, std::string_view verb, std::optional<std::uint64_t> bytes,
                   std::optional<std::int64_t> microseconds) {
    if (!bytes || !microseconds) {
        format_to(out, "{} unknown", verb);
        return;
    }
    const auto seconds = static_cast<std::uint64_t>(*microseconds);
    format_to(out, "{} {} bytes in {}.{:06} s ({} Mbit/s)", verb, *bytes, seconds / 1000000,
              seconds % 1000000,
              format_hundredths(megabits_per_second_hundredths(*bytes, *microseconds)));
}

}  // namespace

std::string_view iperf3_error_name(Iperf3Error error) {
    switch (error) {
        case Iperf3Error::closed:
            return "closed";
        case Iperf3Error::connection_failed:
            return "connection_failed";
        case Iperf3Error::timed_out:
            return "timed_out";
        case Iperf3Error::bad_cookie:
            return "bad_cookie";
        case Iperf3Error::bad_message:
            return "bad_message";
        case Iperf3Error::unexpected_state:
            return "unexpected_state";
        case Iperf3Error::unsupported:
            return "unsupported";
        case Iperf3Error::access_denied:
            return "access_denied";
        case Iperf3Error::server_error:
            return "server_error";
        case Iperf3Error::terminated:
            return "terminated";
    }
    return "unknown";
}

void format_value(std::string& out, Iperf3Error error) {
    out += iperf3_error_name(error);
}

std::optional<std::uint64_t> TestReport::sender_bytes() const {
    return local_sent ? total_bytes(local) : total_bytes(remote);
}

std::optional<std::uint64_t> TestReport::receiver_bytes() const {
    return local_sent ? total_bytes(remote) : total_bytes(local);
}

std::optional<std::int64_t> TestReport::sender_microseconds() const {
    return local_sent ? longest_time(local) : longest_time(remote);
}

std::optional<std::int64_t> TestReport::receiver_microseconds() const {
    return local_sent ? longest_time(remote) : longest_time(local);
}

std::string describe_transfer(const TestReport& report) {
    std::string out;
    describe_side(out, "sent", report.sender_bytes(), report.sender_microseconds());
    out += ", ";
    describe_side(out, "received", report.receiver_bytes(), report.receiver_microseconds());
    return out;
}

// --- the control connection ---

Task<Result<State, Iperf3Error>> read_state(net::TcpStream* control) {
    std::byte byte{};
    auto count = co_await control->read(MutableByteView{std::span{&byte, 1}});
    if (!count) {
        co_return Error{from_tcp(count.error())};
    }
    if (*count == 0) {
        co_return Error{Iperf3Error::closed};
    }
    std::optional<State> state = state_from_byte(byte);
    if (!state) {
        log.debug("unknown state byte {}", std::to_integer<int>(byte));
        co_return Error{Iperf3Error::unexpected_state};
    }
    co_return *state;
}

Task<Result<void, Iperf3Error>> write_state(net::TcpStream* control, State state) {
    const std::byte byte = state_byte(state);
    auto written = co_await control->write(ByteView{std::span{&byte, 1}});
    if (!written) {
        co_return Error{from_tcp(written.error())};
    }
    co_return Result<void, Iperf3Error>{};
}

Task<Result<std::string, Iperf3Error>> read_message(net::TcpStream* control) {
    std::array<std::byte, message_header_size> header{};
    auto got = co_await control->read_exact(MutableByteView{header});
    if (!got) {
        co_return Error{from_tcp(got.error())};
    }
    auto length = message_length(ByteView{header}, max_message_size);
    if (!length) {
        log.debug("a message of {} bytes", load_be32(header.data()));
        co_return Error{Iperf3Error::bad_message};
    }
    std::string text(*length, '\0');
    auto body = co_await control->read_exact(
        MutableByteView{std::as_writable_bytes(std::span{text.data(), text.size()})});
    if (!body) {
        co_return Error{from_tcp(body.error())};
    }
    co_return text;
}

Task<Result<void, Iperf3Error>> write_message(net::TcpStream* control, std::string text) {
    std::vector<std::byte> framed(message_header_size + text.size());
    const auto header = message_header(text.size());
    std::copy(header.begin(), header.end(), framed.begin());
    const ByteView body = as_bytes(std::string_view{text});
    std::copy(body.begin(), body.end(), framed.begin() + message_header_size);
    auto written = co_await control->write(ByteView{framed});
    if (!written) {
        co_return Error{from_tcp(written.error())};
    }
    co_return Result<void, Iperf3Error>{};
}

Task<Result<Cookie, Iperf3Error>> read_cookie(net::TcpStream* stream) {
    Cookie cookie{};
    auto got = co_await stream->read_exact(MutableByteView{cookie});
    if (!got) {
        // A connection that closes before its cookie is no iperf3 client.
        co_return Error{got.error() == net::TcpError::closed ? Iperf3Error::bad_cookie
                                                             : from_tcp(got.error())};
    }
    co_return cookie;
}

Task<Result<void, Iperf3Error>> write_server_error(net::TcpStream* control, std::int32_t code) {
    std::array<std::byte, 1 + 2 * 4> message{};
    message[0] = state_byte(State::server_error);
    store_be32(message.data() + 1, static_cast<std::uint32_t>(code));
    store_be32(message.data() + 5, 0);  // errno: nothing of the host's to report
    auto written = co_await control->write(ByteView{message});
    if (!written) {
        co_return Error{from_tcp(written.error())};
    }
    co_return Result<void, Iperf3Error>{};
}

// --- Transfer ---

Transfer::Transfer(bool sending, std::uint32_t block_size, std::uint64_t limit)
    : m_sending(sending), m_block_size(std::max<std::uint32_t>(block_size, 1)), m_limit(limit) {
    if (m_sending) {
        // iperf3 sends random bytes; any pattern that does not compress
        // trivially will do for a stack without compression.
        m_block.resize(m_block_size);
        std::uint32_t state = 0x2545f491u;
        for (std::byte& byte : m_block) {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            byte = static_cast<std::byte>(state);
        }
    }
}

DataStream& Transfer::add(net::TcpStream stream) {
    auto data = std::make_unique<DataStream>();
    data->stream = std::move(stream);
    data->id = stream_id(m_streams.size());
    m_streams.push_back(std::move(data));
    return *m_streams.back();
}

void Transfer::start(Duration omit) {
    m_measure_from = now() + omit;
    for (auto& stream : m_streams) {
        Task<void> worker =
            m_sending ? send_worker(this, stream.get()) : receive_worker(this, stream.get());
        stream->worker = Scheduler::current().spawn(std::move(worker));
    }
}

bool Transfer::all_finished() const {
    return std::all_of(m_streams.begin(), m_streams.end(),
                       [](const auto& stream) { return stream->finished; });
}

std::optional<net::TcpError> Transfer::first_error() const {
    for (const auto& stream : m_streams) {
        if (stream->error) {
            return stream->error;
        }
    }
    return std::nullopt;
}

void Transfer::count(DataStream& stream, std::size_t bytes) {
    m_total += bytes;
    if (now() < m_measure_from) {
        stream.omitted += bytes;
    } else {
        stream.bytes += bytes;
    }
    if (limit_reached()) {
        m_progress.set();
    }
}

Task<void> Transfer::receive_worker(Transfer* transfer, DataStream* stream) {
    std::vector<std::byte> buffer(transfer->m_block_size);
    for (;;) {
        auto count = co_await stream->stream.read(MutableByteView{buffer});
        if (!count) {
            stream->error = count.error();
            break;
        }
        if (*count == 0) {
            break;
        }
        transfer->count(*stream, *count);
    }
    stream->finished = true;
    transfer->m_progress.set();
}

Task<void> Transfer::send_worker(Transfer* transfer, DataStream* stream) {
    while (!transfer->m_stop) {
        std::size_t size = transfer->m_block_size;
        if (transfer->m_limit != 0) {
            // Streams share the limit: each claims its next block before
            // writing it, so that together they send exactly the limit.
            size = std::min<std::uint64_t>(size, transfer->m_limit - transfer->m_claimed);
            if (size == 0) {
                break;
            }
            transfer->m_claimed += size;
        }
        auto written =
            co_await stream->stream.write(ByteView{std::span{transfer->m_block}.first(size)});
        if (!written) {
            stream->error = written.error();
            break;
        }
        transfer->count(*stream, size);
    }
    stream->finished = true;
    transfer->m_progress.set();
}

void Transfer::end() {
    if (m_ended) {
        return;
    }
    m_ended = true;
    m_end = now();
    for (auto& stream : m_streams) {
        stream->final_bytes = stream->bytes;
    }
}

Task<void> Transfer::stop_senders(Duration grace) {
    if (!m_sending) {
        co_return;
    }
    m_stop = true;
    const Instant deadline = now() + grace;
    for (auto& stream : m_streams) {
        if (!stream->worker.finished()) {
            auto joined = co_await with_deadline(deadline, stream->worker.join());
            if (!joined) {
                log.debug("stream {} still writing after the test: cancelled", stream->id);
                stream->worker.cancel();
                co_await stream->worker.join();
            }
        }
    }
    // The last blocks count: the receiver may have read them.
    for (auto& stream : m_streams) {
        stream->final_bytes = stream->bytes;
    }
}

Task<void> Transfer::close() {
    for (auto& stream : m_streams) {
        // The frame must be gone before its stream: it may wait on it.
        stream->worker.cancel();
        co_await stream->worker.join();
        stream->stream.close();
    }
}

TestResults Transfer::results(std::string_view congestion) const {
    TestResults results;
    results.sender_has_retransmits = m_sending ? 1 : -1;
    results.congestion_used = std::string{congestion};
    const Instant end = m_ended ? m_end : now();
    for (const auto& stream : m_streams) {
        StreamResult result;
        result.id = stream->id;
        result.bytes = stream->final_bytes;
        if (m_sending && stream->stream.is_open()) {
            result.retransmits = static_cast<std::int64_t>(
                stream->stream.connection().stats().retransmitted_segments);
        }
        result.end_microseconds = microseconds_between(m_measure_from, end);
        results.streams.push_back(result);
    }
    return results;
}

}  // namespace oasis::iperf3
