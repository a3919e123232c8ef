// The iperf3 control protocol (as iperf3 3.12 speaks it): states, cookies, framing, parameters,
// results.
#include "services/iperf3/protocol.hpp"

#include <limits>

#include "core/endian.hpp"
#include "core/format.hpp"
#include "core/log.hpp"

namespace oasis::iperf3 {

namespace {

constinit LogSource log{"iperf3"};

// make_cookie's alphabet in iperf_util.c: 32 characters, so five random bits each.
constexpr std::string_view cookie_alphabet = "abcdefghijklmnopqrstuvwxyz234567";

}  // namespace

std::string_view state_name(State state) {
    switch (state) {
        case State::test_start:
            return "TEST_START";
        case State::test_running:
            return "TEST_RUNNING";
        case State::test_end:
            return "TEST_END";
        case State::param_exchange:
            return "PARAM_EXCHANGE";
        case State::create_streams:
            return "CREATE_STREAMS";
        case State::server_terminate:
            return "SERVER_TERMINATE";
        case State::client_terminate:
            return "CLIENT_TERMINATE";
        case State::exchange_results:
            return "EXCHANGE_RESULTS";
        case State::display_results:
            return "DISPLAY_RESULTS";
        case State::iperf_start:
            return "IPERF_START";
        case State::iperf_done:
            return "IPERF_DONE";
        case State::access_denied:
            return "ACCESS_DENIED";
        case State::server_error:
            return "SERVER_ERROR";
    }
    return "unknown";
}

void format_value(std::string& out, State state) {
    out += state_name(state);
}

std::optional<State> state_from_byte(std::byte byte) {
    const auto value = static_cast<std::int8_t>(std::to_integer<std::uint8_t>(byte));
    switch (value) {
        case 1:
        case 2:
        case 4:
        case 9:
        case 10:
        case 11:
        case 12:
        case 13:
        case 14:
        case 15:
        case 16:
        case -1:
        case -2:
            return static_cast<State>(value);
        default:
            return std::nullopt;
    }
}

std::byte state_byte(State state) {
    return static_cast<std::byte>(static_cast<std::uint8_t>(static_cast<std::int8_t>(state)));
}

Cookie make_cookie(crypto::ChaChaRng& random) {
    Cookie cookie{};
    std::array<std::byte, cookie_size - 1> bytes{};
    random.fill(bytes);
    for (std::size_t index = 0; index + 1 < cookie_size; ++index) {
        const auto bits = std::to_integer<std::uint8_t>(bytes[index]) & 0x1f;
        cookie[index] = static_cast<std::byte>(cookie_alphabet[bits]);
    }
    cookie[cookie_size - 1] = std::byte{0};
    return cookie;
}

std::string_view cookie_text(const Cookie& cookie) {
    std::size_t length = 0;
    while (length < cookie_size && cookie[length] != std::byte{0}) {
        ++length;
    }
    return as_chars(ByteView{std::span{cookie}.first(length)});
}

std::array<std::byte, message_header_size> message_header(std::size_t length) {
    OASIS_ASSERT(length <= std::numeric_limits<std::uint32_t>::max());
    std::array<std::byte, message_header_size> header{};
    store_be32(header.data(), static_cast<std::uint32_t>(length));
    return header;
}

Result<std::size_t, FramingError> message_length(ByteView header, std::size_t limit) {
    OASIS_ASSERT(header.size() == message_header_size);
    const std::uint32_t length = load_be32(header.data());
    if (length == 0) {
        return Error{FramingError::empty};
    }
    if (length > limit) {
        return Error{FramingError::too_large};
    }
    return std::size_t{length};
}

std::string_view message_error_name(MessageError error) {
    switch (error) {
        case MessageError::not_json:
            return "not_json";
        case MessageError::not_an_object:
            return "not_an_object";
        case MessageError::bad_field:
            return "bad_field";
        case MessageError::missing_field:
            return "missing_field";
    }
    return "unknown";
}

void format_value(std::string& out, MessageError error) {
    out += message_error_name(error);
}

namespace {

// A whole number field within [minimum, maximum], stored in `out` when
// present; `out` keeps its default otherwise.
template <typename T>
Result<void, MessageError> read_unsigned(const JsonValue& object, std::string_view name,
                                         std::uint64_t minimum, std::uint64_t maximum, T& out) {
    std::optional<JsonValue> value = object.find(name);
    if (!value) {
        return {};
    }
    std::optional<std::uint64_t> number = value->as_uint64();
    if (!number || *number < minimum || *number > maximum) {
        log.debug("field {} is not a whole number in [{}, {}]", name, minimum, maximum);
        return Error{MessageError::bad_field};
    }
    out = static_cast<T>(*number);
    return {};
}

// iperf3 turns a switch on by the member's presence, whatever its value
// (cJSON_GetObjectItem(...) != NULL), and so does this.
bool present(const JsonValue& object, std::string_view name) {
    return object.find(name).has_value();
}

// A count iperf3 may write as -1 through an unsigned conversion: as a
// 64-bit integer, or rounded through a double beyond every integer type.
Result<std::int64_t, MessageError> read_count(const JsonValue& value) {
    std::optional<JsonNumber> number = value.as_number();
    if (!number) {
        return Error{MessageError::bad_field};
    }
    if (std::optional<std::int64_t> signed_value = number->to_int64()) {
        return *signed_value;
    }
    if (!number->is_negative() && !number->to_scaled(0)) {
        return std::int64_t{-1};  // 2^64 - 1 however it was written
    }
    return Error{MessageError::bad_field};
}

Result<JsonDocument, MessageError> parse_document(std::string_view text) {
    auto document = JsonDocument::parse(text);
    if (!document) {
        log.debug("message is not JSON: {}", document.error());
        return Error{MessageError::not_json};
    }
    if (document->root().type() != JsonType::object) {
        return Error{MessageError::not_an_object};
    }
    return std::move(*document);
}

}  // namespace

Result<TestParameters, MessageError> parse_parameters(const JsonValue& root) {
    if (root.type() != JsonType::object) {
        return Error{MessageError::not_an_object};
    }
    constexpr std::uint64_t u32_max = std::numeric_limits<std::uint32_t>::max();
    constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();
    TestParameters parameters;
    // iperf3 reads these in this order, so the last present one wins.
    if (present(root, "udp")) {
        parameters.protocol = TestParameters::Protocol::udp;
    }
    if (present(root, "sctp")) {
        parameters.protocol = TestParameters::Protocol::sctp;
    }
    TRY(read_unsigned(root, "omit", 0, max_test_seconds, parameters.omit_seconds));
    TRY(read_unsigned(root, "time", 0, max_test_seconds, parameters.time_seconds));
    TRY(read_unsigned(root, "num", 0, u64_max, parameters.bytes));
    TRY(read_unsigned(root, "blockcount", 0, u64_max, parameters.blocks));
    TRY(read_unsigned(root, "MSS", 0, u32_max, parameters.mss));
    parameters.no_delay = present(root, "nodelay");
    TRY(read_unsigned(root, "parallel", 1, u32_max, parameters.parallel));
    parameters.reverse = present(root, "reverse");
    parameters.bidirectional = present(root, "bidirectional");
    TRY(read_unsigned(root, "window", 0, u64_max, parameters.window));
    TRY(read_unsigned(root, "len", 1, u32_max, parameters.block_size));
    TRY(read_unsigned(root, "bandwidth", 0, u64_max, parameters.bandwidth));
    parameters.get_server_output = present(root, "get_server_output");
    if (std::optional<JsonValue> version = root.find("client_version")) {
        std::optional<std::string_view> text = version->as_string();
        if (!text) {
            return Error{MessageError::bad_field};
        }
        parameters.client_version = std::string{text->substr(0, 64)};
    }
    return parameters;
}

Result<TestParameters, MessageError> parse_parameters(std::string_view text) {
    JsonDocument document = TRY(parse_document(text));
    return parse_parameters(document.root());
}

std::string write_parameters(const TestParameters& parameters) {
    JsonWriter writer;
    writer.begin_object();
    switch (parameters.protocol) {
        case TestParameters::Protocol::tcp:
            writer.key("tcp");
            break;
        case TestParameters::Protocol::udp:
            writer.key("udp");
            break;
        case TestParameters::Protocol::sctp:
            writer.key("sctp");
            break;
    }
    writer.add_bool(true);
    writer.key("omit");
    writer.add_uint(parameters.omit_seconds);
    writer.key("time");
    writer.add_uint(parameters.time_seconds);
    writer.key("num");
    writer.add_uint(parameters.bytes);
    writer.key("blockcount");
    writer.add_uint(parameters.blocks);
    if (parameters.mss != 0) {
        writer.key("MSS");
        writer.add_uint(parameters.mss);
    }
    if (parameters.no_delay) {
        writer.key("nodelay");
        writer.add_bool(true);
    }
    writer.key("parallel");
    writer.add_uint(parameters.parallel);
    if (parameters.reverse) {
        writer.key("reverse");
        writer.add_bool(true);
    }
    if (parameters.bidirectional) {
        writer.key("bidirectional");
        writer.add_bool(true);
    }
    if (parameters.window != 0) {
        writer.key("window");
        writer.add_uint(parameters.window);
    }
    writer.key("len");
    writer.add_uint(parameters.block_size);
    if (parameters.bandwidth != 0) {
        writer.key("bandwidth");
        writer.add_uint(parameters.bandwidth);
    }
    if (parameters.get_server_output) {
        writer.key("get_server_output");
        writer.add_int(1);
    }
    if (!parameters.client_version.empty()) {
        writer.key("client_version");
        writer.add_string(parameters.client_version);
    }
    writer.end_object();
    return writer.text();
}

Result<TestResults, MessageError> parse_results(const JsonValue& root) {
    if (root.type() != JsonType::object) {
        return Error{MessageError::not_an_object};
    }
    TestResults results;
    // iperf3's get_results refuses a message without these four.
    struct CpuField {
        std::string_view name;
        std::int64_t* out;
    };
    for (CpuField field : {CpuField{"cpu_util_total", &results.cpu_total},
                           CpuField{"cpu_util_user", &results.cpu_user},
                           CpuField{"cpu_util_system", &results.cpu_system}}) {
        std::optional<JsonValue> value = root.find(field.name);
        if (!value) {
            return Error{MessageError::missing_field};
        }
        std::optional<JsonNumber> number = value->as_number();
        std::optional<std::int64_t> hundredths = number ? number->to_scaled(2) : std::nullopt;
        if (!hundredths) {
            return Error{MessageError::bad_field};
        }
        *field.out = *hundredths;
    }
    std::optional<JsonValue> retransmits = root.find("sender_has_retransmits");
    if (!retransmits) {
        return Error{MessageError::missing_field};
    }
    results.sender_has_retransmits = TRY(read_count(*retransmits));
    if (std::optional<JsonValue> congestion = root.find("congestion_used")) {
        std::optional<std::string_view> name = congestion->as_string();
        if (!name) {
            return Error{MessageError::bad_field};
        }
        results.congestion_used = std::string{name->substr(0, 32)};
    }
    std::optional<JsonValue> streams = root.find("streams");
    if (!streams) {
        return Error{MessageError::missing_field};
    }
    if (streams->type() != JsonType::array || streams->size() > max_result_streams) {
        return Error{MessageError::bad_field};
    }
    for (JsonValue stream : streams->children()) {
        if (stream.type() != JsonType::object) {
            return Error{MessageError::bad_field};
        }
        // Required by iperf3's get_results, even those only UDP uses.
        for (std::string_view name :
             {"id", "bytes", "retransmits", "jitter", "errors", "packets"}) {
            std::optional<JsonValue> value = stream.find(name);
            if (!value) {
                return Error{MessageError::missing_field};
            }
            if (value->type() != JsonType::number) {
                return Error{MessageError::bad_field};
            }
        }
        StreamResult result;
        std::optional<std::int64_t> id = stream.find("id")->as_int64();
        std::optional<std::uint64_t> bytes = stream.find("bytes")->as_uint64();
        if (!id || !bytes) {
            return Error{MessageError::bad_field};
        }
        result.id = *id;
        result.bytes = *bytes;
        result.retransmits = TRY(read_count(*stream.find("retransmits")));
        // Optional: iperf3 before 3.2 did not send them.
        for (auto [name, out] : {std::pair{"start_time", &result.start_microseconds},
                                 std::pair{"end_time", &result.end_microseconds}}) {
            if (std::optional<JsonValue> value = stream.find(name)) {
                std::optional<JsonNumber> number = value->as_number();
                std::optional<std::int64_t> microseconds =
                    number ? number->to_scaled(6) : std::nullopt;
                if (!microseconds) {
                    return Error{MessageError::bad_field};
                }
                *out = *microseconds;
            }
        }
        results.streams.push_back(result);
    }
    return results;
}

Result<TestResults, MessageError> parse_results(std::string_view text) {
    JsonDocument document = TRY(parse_document(text));
    return parse_results(document.root());
}

std::string write_results(const TestResults& results) {
    JsonWriter writer;
    writer.begin_object();
    writer.key("cpu_util_total");
    writer.add_fixed(results.cpu_total, 2);
    writer.key("cpu_util_user");
    writer.add_fixed(results.cpu_user, 2);
    writer.key("cpu_util_system");
    writer.add_fixed(results.cpu_system, 2);
    writer.key("sender_has_retransmits");
    writer.add_int(results.sender_has_retransmits);
    if (!results.congestion_used.empty()) {
        writer.key("congestion_used");
        writer.add_string(results.congestion_used);
    }
    writer.key("streams");
    writer.begin_array();
    for (const StreamResult& stream : results.streams) {
        writer.begin_object();
        writer.key("id");
        writer.add_int(stream.id);
        writer.key("bytes");
        writer.add_uint(stream.bytes);
        writer.key("retransmits");
        writer.add_int(stream.retransmits);
        writer.key("jitter");
        writer.add_int(0);
        writer.key("errors");
        writer.add_int(0);
        writer.key("packets");
        writer.add_int(0);
        writer.key("start_time");
        writer.add_fixed(stream.start_microseconds, 6);
        writer.key("end_time");
        writer.add_fixed(stream.end_microseconds, 6);
        writer.end_object();
    }
    writer.end_array();
    writer.end_object();
    return writer.text();
}

std::int64_t stream_id(std::size_t index) {
    return index == 0 ? 1 : static_cast<std::int64_t>(index) + 2;
}

std::uint64_t megabits_per_second_hundredths(std::uint64_t bytes, std::int64_t microseconds) {
    if (microseconds <= 0) {
        return 0;
    }
    // bits per microsecond = Mbit/s; 800 = 8 bits times 100 hundredths.
    // Overflows only beyond 2^64 / 800 bytes, 23 PB.
    return bytes * 800 / static_cast<std::uint64_t>(microseconds);
}

std::string format_hundredths(std::uint64_t hundredths) {
    return format("{}.{:02}", hundredths / 100, hundredths % 100);
}

}  // namespace oasis::iperf3
