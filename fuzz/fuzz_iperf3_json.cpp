// Fuzz target: iperf3's JSON (services/iperf3/json.hpp) and the parameters and results read from
// it.
//
// Input: a JSON text, as an iperf3 peer sends it after the 4-byte length.
// Checks: the limits hold; every accessor runs; numbers convert
// consistently; what the writer writes of a document parses back to the same
// document; parameters and results that parse are written and read back equal.
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "services/iperf3/json.hpp"
#include "services/iperf3/protocol.hpp"

using namespace oasis;
using namespace oasis::iperf3;
using oasis::fuzz::consume;

namespace {

// The conversions of one number agree with each other.
void check_number(const JsonNumber& number) {
    FUZZ_CHECK(JsonNumber::parse(number.text()).has_value());
    std::optional<std::int64_t> signed_value = number.to_int64();
    std::optional<std::uint64_t> unsigned_value = number.to_uint64();
    if (signed_value && *signed_value >= 0) {
        FUZZ_CHECK(unsigned_value && *unsigned_value == static_cast<std::uint64_t>(*signed_value));
    }
    if (signed_value) {
        FUZZ_CHECK(number.to_scaled(0) == signed_value);
    }
    for (unsigned decimals : {0u, 2u, 6u, 18u}) {
        consume(number.to_scaled(decimals));
    }
}

// Writes `value` again, checking every accessor on the way. The nesting is
// bounded by the parse's depth limit.
void rewrite(const JsonValue& value, JsonWriter& writer) {
    switch (value.type()) {
        case JsonType::null:
            FUZZ_CHECK(value.is_null());
            writer.add_null();
            break;
        case JsonType::boolean:
            writer.add_bool(*value.as_bool());
            break;
        case JsonType::number:
            check_number(*value.as_number());
            consume(value.as_int64());
            consume(value.as_uint64());
            writer.add_number(*value.as_number());
            break;
        case JsonType::string:
            writer.add_string(*value.as_string());
            break;
        case JsonType::array:
        case JsonType::object: {
            const bool object = value.type() == JsonType::object;
            object ? writer.begin_object() : writer.begin_array();
            std::size_t count = 0;
            for (JsonValue child : value.children()) {
                if (object) {
                    writer.key(child.key());
                    // The first member of that name is what find() returns.
                    std::optional<JsonValue> found = value.find(child.key());
                    FUZZ_CHECK(found.has_value());
                } else {
                    FUZZ_CHECK(child.key().empty());
                }
                rewrite(child, writer);
                ++count;
            }
            FUZZ_CHECK(count == value.size());
            object ? writer.end_object() : writer.end_array();
            break;
        }
    }
    if (value.type() != JsonType::array && value.type() != JsonType::object) {
        FUZZ_CHECK(value.size() == 0);
    }
}

void check_parameters(const JsonValue& root) {
    auto parameters = parse_parameters(root);
    if (!parameters) {
        return;
    }
    FUZZ_CHECK(parameters->parallel >= 1);
    FUZZ_CHECK(parameters->block_size >= 1);
    FUZZ_CHECK(parameters->time_seconds <= max_test_seconds);
    auto again = parse_parameters(write_parameters(*parameters));
    FUZZ_CHECK(again.has_value() && *again == *parameters);
}

void check_results(const JsonValue& root) {
    auto results = parse_results(root);
    if (!results) {
        return;
    }
    FUZZ_CHECK(results->streams.size() <= max_result_streams);
    auto again = parse_results(write_results(*results));
    FUZZ_CHECK(again.has_value() && *again == *results);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text{reinterpret_cast<const char*>(data), size};
    const JsonLimits limits;
    auto document = JsonDocument::parse(text, limits);
    if (!document) {
        FUZZ_CHECK(document.error().offset <= size);
        return 0;
    }
    FUZZ_CHECK(size <= limits.max_text);
    FUZZ_CHECK(document->value_count() >= 1 && document->value_count() <= limits.max_values);

    JsonWriter writer;
    rewrite(document->root(), writer);
    FUZZ_CHECK(writer.complete());
    auto reread = JsonDocument::parse(writer.text(), limits);
    FUZZ_CHECK(reread.has_value());
    JsonWriter again;
    rewrite(reread->root(), again);
    FUZZ_CHECK(again.text() == writer.text());

    // Tighter limits refuse or accept, never more than they allow.
    auto tight =
        JsonDocument::parse(text, JsonLimits{.max_text = 4096, .max_depth = 3, .max_values = 16});
    if (tight) {
        FUZZ_CHECK(tight->value_count() <= 16);
        FUZZ_CHECK(tight->value_count() == document->value_count());
    }

    check_parameters(document->root());
    check_results(document->root());
    return 0;
}
