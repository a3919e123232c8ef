// The iperf3 control protocol (as iperf3 3.12 speaks it): states, cookies, framing, parameters,
// results.
//
// An iperf3 test runs over one control connection and one TCP connection
// per stream, all to the server's port (5201 by default):
//
//   client                                   server
//   connect, send the cookie (37 bytes)  ->
//                                        <-  PARAM_EXCHANGE
//   parameters (length + JSON)           ->
//                                        <-  CREATE_STREAMS
//   per stream: connect, send the cookie ->  (the same cookie marks them as this test's)
//                                        <-  TEST_START, TEST_RUNNING
//   ... data flows on the streams: client to server, or back with --reverse ...
//   TEST_END (when the time or byte count is reached) ->
//                                        <-  EXCHANGE_RESULTS
//   its results (length + JSON)          ->
//                                        <-  the server's results (length + JSON)
//                                        <-  DISPLAY_RESULTS
//   IPERF_DONE                           ->
//
// States are single signed bytes. A JSON message is a 4-byte big-endian
// length and that many bytes of JSON text (no terminator). A server that
// refuses a test sends SERVER_ERROR and two 4-byte big-endian integers, its
// error code and a C errno; a busy one answers a new connection with
// ACCESS_DENIED. This file is the sans-IO part: what the bytes mean.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/buffer.hpp"
#include "core/crypto/random.hpp"
#include "core/result.hpp"
#include "services/iperf3/json.hpp"

namespace oasis::iperf3 {

inline constexpr std::uint16_t default_port = 5201;

// iperf3's state bytes (iperf_api.h). The values are the protocol.
enum class State : std::int8_t {
    test_start = 1,
    test_running = 2,
    test_end = 4,
    param_exchange = 9,
    create_streams = 10,
    server_terminate = 11,
    client_terminate = 12,
    exchange_results = 13,
    display_results = 14,
    iperf_start = 15,
    iperf_done = 16,
    access_denied = -1,
    server_error = -2,
};

std::string_view state_name(State state);
void format_value(std::string& out, State state);
// The state a received byte stands for; none for a byte iperf3 never sends.
std::optional<State> state_from_byte(std::byte byte);
std::byte state_byte(State state);

// iperf3's error codes (i_errno) that an Oasis server sends with SERVER_ERROR.
inline constexpr std::int32_t error_not_implemented = 13;  // IEUNIMP
inline constexpr std::int32_t error_too_many_streams = 6;  // IENUMSTREAMS
inline constexpr std::int32_t error_block_size = 7;        // IEBLOCKSIZE

// The cookie: 36 characters from iperf3's alphabet and a NUL, the first
// thing a client sends on every connection of a test.
inline constexpr std::size_t cookie_size = 37;
using Cookie = std::array<std::byte, cookie_size>;
Cookie make_cookie(crypto::ChaChaRng& random);
// The printable part, for logs.
std::string_view cookie_text(const Cookie& cookie);

// The 4-byte header before each JSON message.
inline constexpr std::size_t message_header_size = 4;
std::array<std::byte, message_header_size> message_header(std::size_t length);
// The length a header announces, when it is a usable one (1 to `limit`).
enum class FramingError : std::uint8_t { empty, too_large };
Result<std::size_t, FramingError> message_length(ByteView header, std::size_t limit);
// Parameters and results are a few hundred bytes; 3.12's server output
// (not asked for here) would be the only large message.
inline constexpr std::size_t max_message_size = 64 * 1024;

// Why a message is not a usable parameters or results object.
enum class MessageError : std::uint8_t {
    not_json,       // see the JsonParseError logged with it
    not_an_object,  // valid JSON, but not an object
    bad_field,      // a known field with a value of the wrong type or out of range
    missing_field,  // a field the message cannot do without
};
std::string_view message_error_name(MessageError error);
void format_value(std::string& out, MessageError error);

// What the client asks for (iperf_api.c's send_parameters). Fields iperf3
// may send that this side does not act on (pacing_timer, title, extra_data,
// congestion, client_version's value, ...) are read and ignored.
struct TestParameters {
    enum class Protocol : std::uint8_t { tcp, udp, sctp };
    Protocol protocol = Protocol::tcp;
    std::uint32_t omit_seconds = 0;  // left out of the results at the start
    std::uint32_t time_seconds = 10;
    std::uint64_t bytes = 0;   // "num": end after this many bytes instead of a time
    std::uint64_t blocks = 0;  // "blockcount": end after this many blocks
    std::uint32_t parallel = 1;
    bool reverse = false;  // the server sends
    bool bidirectional = false;
    bool no_delay = false;
    std::uint32_t block_size = 128 * 1024;  // "len": bytes per write
    std::uint32_t mss = 0;                  // "MSS"
    std::uint64_t window = 0;               // "window": socket buffer size
    std::uint64_t bandwidth = 0;            // bits/s to pace to; 0 = as fast as possible
    bool get_server_output = false;
    std::string client_version;

    friend bool operator==(const TestParameters&, const TestParameters&) = default;
};

// Limits a server checks the parameters against. A larger block would be
// memory the client chooses; iperf3 caps it at 1 MiB too (MAX_BLOCKSIZE).
inline constexpr std::uint32_t max_block_size = 1024 * 1024;
inline constexpr std::uint32_t max_test_seconds = 86400;  // MAX_TIME

Result<TestParameters, MessageError> parse_parameters(const JsonValue& root);
Result<TestParameters, MessageError> parse_parameters(std::string_view text);
std::string write_parameters(const TestParameters& parameters);

// One stream's line in the results (iperf_api.c's send_results). Times are
// microseconds since the stream's measurement began.
struct StreamResult {
    std::int64_t id = 0;
    std::uint64_t bytes = 0;
    std::int64_t retransmits = -1;  // -1: unknown, or this side received
    std::int64_t start_microseconds = 0;
    std::int64_t end_microseconds = 0;

    friend bool operator==(const StreamResult&, const StreamResult&) = default;
};

struct TestResults {
    // CPU use in hundredths of a percent; Oasis does not measure it and
    // sends 0, and only logs the peer's.
    std::int64_t cpu_total = 0;
    std::int64_t cpu_user = 0;
    std::int64_t cpu_system = 0;
    // 1 when the sender counted retransmissions, 0 when it could not, -1
    // when this side received. iperf3 writes -1 through an unsigned
    // conversion (18446744073709551615 or 1.8446744073709552e+19): both
    // read as -1.
    std::int64_t sender_has_retransmits = -1;
    std::string congestion_used;
    std::vector<StreamResult> streams;

    friend bool operator==(const TestResults&, const TestResults&) = default;
};

// At most this many streams are read from a results message.
inline constexpr std::size_t max_result_streams = 128;

Result<TestResults, MessageError> parse_results(const JsonValue& root);
Result<TestResults, MessageError> parse_results(std::string_view text);
std::string write_results(const TestResults& results);

// iperf3 numbers streams 1, 3, 4, 5 ...: iperf_add_stream starts at 1 and
// then counts from 2 plus the streams already there. Both sides number them
// in the order the connections were made, and match results by it.
std::int64_t stream_id(std::size_t index);

// Megabits per second in hundredths (bits per microsecond is Mbit/s), for
// reports; 0 when no time passed.
std::uint64_t megabits_per_second_hundredths(std::uint64_t bytes, std::int64_t microseconds);
// "941.27": hundredths as a decimal.
std::string format_hundredths(std::uint64_t hundredths);

}  // namespace oasis::iperf3
