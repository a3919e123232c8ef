// Tests of the bounded JSON reader and writer: RFC 8259's grammar, limits, and iperf3 3.12's
// messages.
#include "services/iperf3/json.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/format.hpp"

namespace oasis::iperf3 {
namespace {

// What iperf3 3.12's client sent for `iperf3 -c HOST -t 1` (cJSON's
// unformatted output; captured with --debug, which prints it formatted).
constexpr std::string_view client_parameters =
    R"({"tcp":true,"omit":0,"time":1,"num":0,"blockcount":0,"parallel":1,"len":131072,)"
    R"("pacing_timer":1000,"client_version":"3.12"})";

// What its server sent back as results, receiving: doubles in every form
// cJSON writes them, and -1 through an unsigned conversion.
constexpr std::string_view server_results =
    R"({"cpu_util_total":9.37817766013429,"cpu_util_user":0.899636386656696,)"
    R"("cpu_util_system":8.47834344249647,"sender_has_retransmits":1.8446744073709552e+19,)"
    R"("congestion_used":"bbr","streams":[{"id":1,"bytes":302645248,)"
    R"("retransmits":18446744073709551615,"jitter":0,"errors":0,"packets":0,"start_time":0,)"
    R"("end_time":1.010907},{"id":3,"bytes":0,"retransmits":-1,"jitter":0,"errors":0,)"
    R"("packets":0,"start_time":0,"end_time":2.4e-05}]})";

JsonParseError parse_error(std::string_view text, const JsonLimits& limits = {}) {
    auto document = JsonDocument::parse(text, limits);
    EXPECT_FALSE(document.has_value()) << text;
    return document ? JsonParseError{JsonError::too_large, 9999} : document.error();
}

TEST(JsonTest, ReadsIperf3ClientParameters) {
    auto document = JsonDocument::parse(client_parameters);
    ASSERT_TRUE(document.has_value()) << format("{}", document.error());
    JsonValue root = document->root();
    EXPECT_EQ(root.type(), JsonType::object);
    EXPECT_EQ(root.size(), 9u);
    EXPECT_EQ(root.find("tcp")->as_bool(), true);
    EXPECT_EQ(root.find("time")->as_int64(), 1);
    EXPECT_EQ(root.find("len")->as_uint64(), 131072u);
    EXPECT_EQ(root.find("client_version")->as_string(), "3.12");
    EXPECT_FALSE(root.find("reverse").has_value());
    // Wrong types read as none rather than failing.
    EXPECT_FALSE(root.find("tcp")->as_int64().has_value());
    EXPECT_FALSE(root.find("client_version")->as_bool().has_value());
    std::string keys;
    for (JsonValue member : root.children()) {
        keys += member.key();
        keys += ' ';
    }
    EXPECT_EQ(keys, "tcp omit time num blockcount parallel len pacing_timer client_version ");
}

TEST(JsonTest, ReadsIperf3ServerResultsWithoutFloatingPoint) {
    auto document = JsonDocument::parse(server_results);
    ASSERT_TRUE(document.has_value()) << format("{}", document.error());
    JsonValue root = document->root();
    EXPECT_EQ(root.find("cpu_util_total")->as_number()->to_scaled(3), 9378);
    EXPECT_FALSE(root.find("cpu_util_total")->as_int64().has_value());
    // 1.8446744073709552e+19 is 2^64 rounded up: no integer type holds it.
    EXPECT_FALSE(root.find("sender_has_retransmits")->as_uint64().has_value());
    JsonValue streams = *root.find("streams");
    ASSERT_EQ(streams.type(), JsonType::array);
    ASSERT_EQ(streams.size(), 2u);
    auto first = *streams.children().begin();
    EXPECT_EQ(first.find("id")->as_int64(), 1);
    EXPECT_EQ(first.find("bytes")->as_uint64(), 302645248u);
    EXPECT_EQ(first.find("retransmits")->as_uint64(), 18446744073709551615u);
    EXPECT_FALSE(first.find("retransmits")->as_int64().has_value());
    EXPECT_EQ(first.find("end_time")->as_number()->to_scaled(6), 1010907);
    int count = 0;
    for (JsonValue stream : streams.children()) {
        ++count;
        if (count == 2) {
            EXPECT_EQ(stream.find("id")->as_int64(), 3);
            EXPECT_EQ(stream.find("retransmits")->as_int64(), -1);
            EXPECT_EQ(stream.find("end_time")->as_number()->to_scaled(6), 24);
        }
    }
    EXPECT_EQ(count, 2);
}

TEST(JsonNumberTest, FollowsTheGrammarOfRfc8259Section6) {
    for (std::string_view good : {"0", "-0", "7", "-12", "0.5", "10.000123", "1e3", "1E+3",
                                  "2.4e-05", "-1.5e1", "123456789012345678901234567890"}) {
        EXPECT_TRUE(JsonNumber::parse(good).has_value()) << good;
    }
    for (std::string_view bad : {"", "-", "01", "-01", "1.", ".5", "1e", "1e+", "+1", "0x10", "1 ",
                                 " 1", "NaN", "Infinity", "1.5.2", "--1"}) {
        EXPECT_FALSE(JsonNumber::parse(bad).has_value()) << bad;
    }
}

TEST(JsonNumberTest, ConvertsWithIntegerArithmetic) {
    auto number = [](std::string_view text) { return *JsonNumber::parse(text); };
    EXPECT_EQ(number("42").to_int64(), 42);
    EXPECT_EQ(number("-0").to_int64(), 0);
    EXPECT_EQ(number("-0").to_uint64(), 0u);
    EXPECT_EQ(number("1.5e1").to_int64(), 15);
    EXPECT_EQ(number("150e-1").to_int64(), 15);
    EXPECT_EQ(number("5.0").to_int64(), 5);
    EXPECT_FALSE(number("5.5").to_int64().has_value());
    EXPECT_FALSE(number("1e-1").to_int64().has_value());
    EXPECT_FALSE(number("-1").to_uint64().has_value());
    EXPECT_EQ(number("9223372036854775807").to_int64(), INT64_MAX);
    EXPECT_EQ(number("-9223372036854775808").to_int64(), INT64_MIN);
    EXPECT_FALSE(number("9223372036854775808").to_int64().has_value());
    EXPECT_FALSE(number("-9223372036854775809").to_int64().has_value());
    EXPECT_EQ(number("18446744073709551615").to_uint64(), UINT64_MAX);
    EXPECT_FALSE(number("18446744073709551616").to_uint64().has_value());
    // Huge exponents neither loop for long nor overflow silently.
    EXPECT_EQ(number("0e999999999999").to_int64(), 0);
    EXPECT_FALSE(number("1e999999999999").to_int64().has_value());
    EXPECT_EQ(number("1e-999999999999").to_scaled(6), 0);
    EXPECT_EQ(number("0.000000000000000000000000001").to_scaled(6), 0);
    // Fixed point truncates toward zero, as a C cast of the double would.
    EXPECT_EQ(number("10.0001239").to_scaled(6), 10000123);
    EXPECT_EQ(number("-10.0001239").to_scaled(6), -10000123);
    EXPECT_EQ(number("0.7").to_scaled(0), 0);
    EXPECT_EQ(number("3").to_scaled(3), 3000);
    EXPECT_FALSE(number("1e19").to_scaled(0).has_value());
    EXPECT_FALSE(number("1").to_scaled(19).has_value());
}

TEST(JsonTest, ReadsEveryKindOfValue) {
    auto document = JsonDocument::parse(
        " { \"a\" : [ null , true , false , -1 , \"x\" , { } , [ ] ] , \"b\" : { \"c\" : [ [ 1 ] ] "
        "} "
        "}\r\n\t");
    ASSERT_TRUE(document.has_value()) << format("{}", document.error());
    JsonValue a = *document->root().find("a");
    ASSERT_EQ(a.size(), 7u);
    std::string types;
    for (JsonValue element : a.children()) {
        types += static_cast<char>('0' + static_cast<int>(element.type()));
    }
    EXPECT_EQ(types, "0112354");
    JsonValue c = *document->root().find("b")->find("c");
    EXPECT_EQ((*(*c.children().begin()).children().begin()).as_int64(), 1);
    EXPECT_EQ(document->value_count(), 13u);
    // Scalars and empty containers have no children.
    EXPECT_EQ(a.find("x"), std::nullopt);
    EXPECT_TRUE(JsonDocument::parse("5")->root().children().begin() ==
                JsonDocument::parse("5")->root().children().end());
}

TEST(JsonTest, UnescapesStrings) {
    auto document = JsonDocument::parse(
        R"(["\"\\\/\b\f\n\r\t", "\u0041\u00e9\u20ac\ud83d\ude00", "caf\u00e9 ok", "\u0000", )"
        "\"h\xe2\x88\x9a\xc2\xa9\"]");
    ASSERT_TRUE(document.has_value()) << format("{}", document.error());
    std::vector<std::string_view> strings;
    for (JsonValue value : document->root().children()) {
        strings.push_back(*value.as_string());
    }
    EXPECT_EQ(strings[0], "\"\\/\b\f\n\r\t");
    EXPECT_EQ(strings[1], "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    EXPECT_EQ(strings[2], "caf\xc3\xa9 ok");
    EXPECT_EQ(strings[3], std::string_view("\0", 1));
    EXPECT_EQ(strings[4], "h\xe2\x88\x9a\xc2\xa9");
}

TEST(JsonTest, DuplicateNamesFindTheFirstAsCjsonDoes) {
    auto document = JsonDocument::parse(R"({"time":1,"time":99})");
    ASSERT_TRUE(document.has_value());
    EXPECT_EQ(document->root().find("time")->as_int64(), 1);
    EXPECT_EQ(document->root().size(), 2u);
}

TEST(JsonTest, RejectsMalformedTextsAndSaysWhere) {
    struct Case {
        std::string_view text;
        JsonError kind;
        std::size_t offset;
    };
    const Case cases[] = {
        {"", JsonError::unexpected_end, 0},
        {"   ", JsonError::unexpected_end, 3},
        {"{", JsonError::unexpected_end, 1},
        {"{\"a\"", JsonError::unexpected_end, 4},
        {"{\"a\":", JsonError::unexpected_end, 5},
        {"[1", JsonError::unexpected_end, 2},
        {"[1,", JsonError::unexpected_end, 3},
        {"\"abc", JsonError::unexpected_end, 4},
        {"tru", JsonError::unexpected_end, 3},
        {"trUe", JsonError::unexpected_character, 2},
        {"{a:1}", JsonError::unexpected_character, 1},
        {"{\"a\" 1}", JsonError::unexpected_character, 5},
        {"[1,]", JsonError::unexpected_character, 3},
        {"{\"a\":1,}", JsonError::unexpected_character, 7},
        {"[1 2]", JsonError::unexpected_character, 3},
        {"[1}", JsonError::unexpected_character, 2},
        {"{\"a\":1]", JsonError::unexpected_character, 6},
        {"'a'", JsonError::unexpected_character, 0},
        {"\xef\xbb\xbf{}", JsonError::unexpected_character, 0},  // a byte order mark
        {"[01]", JsonError::bad_number, 1},
        {"[1.]", JsonError::bad_number, 1},
        {"-", JsonError::bad_number, 0},
        {"[1e]", JsonError::bad_number, 1},
        {"1x", JsonError::trailing_characters, 1},
        {"{} {}", JsonError::trailing_characters, 3},
        {"\"\\x\"", JsonError::bad_escape, 1},
        {"\"\\u12G4\"", JsonError::bad_escape, 5},
        {"\"\\ud800\"", JsonError::bad_unicode, 1},
        {"\"\\udc00\"", JsonError::bad_unicode, 1},
        {"\"\\ud800\\u0041\"", JsonError::bad_unicode, 1},
        {"\"\xc0\xaf\"", JsonError::bad_unicode, 1},          // overlong '/'
        {"\"\xed\xa0\x80\"", JsonError::bad_unicode, 1},      // an encoded surrogate
        {"\"\xf4\x90\x80\x80\"", JsonError::bad_unicode, 1},  // above U+10FFFF
        {"\"\xe2\x82\"", JsonError::bad_unicode, 1},          // cut short
        {"\"\xff\"", JsonError::bad_unicode, 1},
        {"\"a\nb\"", JsonError::control_character, 2},
    };
    for (const Case& test : cases) {
        JsonParseError error = parse_error(test.text);
        EXPECT_EQ(error.kind, test.kind) << test.text << ": " << format("{}", error);
        EXPECT_EQ(error.offset, test.offset) << test.text << ": " << format("{}", error);
    }
    EXPECT_EQ(format("{}", JsonParseError{JsonError::bad_number, 12}), "bad_number at byte 12");
}

TEST(JsonTest, EnforcesItsLimits) {
    JsonLimits limits;
    limits.max_text = 10;
    limits.max_depth = 3;
    limits.max_values = 4;
    EXPECT_EQ(parse_error("[1,2,3,4,5]", limits).kind, JsonError::too_large);
    EXPECT_EQ(parse_error("[1,2,3,4]", limits).kind, JsonError::too_many_values);
    EXPECT_TRUE(JsonDocument::parse("[1,2,3]", limits).has_value());
    EXPECT_EQ(parse_error("[[[[]]]]", limits).kind, JsonError::too_deep);
    EXPECT_TRUE(JsonDocument::parse("[[[]]]", limits).has_value());
    // Deep nesting is refused quickly with the default limits, and costs no
    // recursion either way.
    std::string deep(100000, '[');
    EXPECT_EQ(parse_error(deep, JsonLimits{.max_text = 200000}).kind, JsonError::too_deep);
    JsonLimits unbounded{.max_text = 400000, .max_depth = 1000000, .max_values = 1000000};
    std::string nested = std::string(150000, '[') + std::string(150000, ']');
    auto document = JsonDocument::parse(nested, unbounded);
    ASSERT_TRUE(document.has_value());
    EXPECT_EQ(document->value_count(), 150000u);
}

TEST(JsonWriterTest, WritesWhatCjsonWritesForIperf3) {
    JsonWriter writer;
    writer.begin_object();
    writer.key("tcp");
    writer.add_bool(true);
    writer.key("omit");
    writer.add_int(0);
    writer.key("time");
    writer.add_int(1);
    writer.key("num");
    writer.add_uint(0);
    writer.key("blockcount");
    writer.add_int(0);
    writer.key("parallel");
    writer.add_int(1);
    writer.key("len");
    writer.add_int(131072);
    writer.key("pacing_timer");
    writer.add_int(1000);
    writer.key("client_version");
    writer.add_string("3.12");
    writer.end_object();
    EXPECT_TRUE(writer.complete());
    EXPECT_EQ(writer.text(), client_parameters);
}

TEST(JsonWriterTest, WritesFixedPointEscapesAndNesting) {
    JsonWriter writer;
    writer.begin_array();
    writer.add_fixed(10000123, 6);
    writer.add_fixed(-5, 2);
    writer.add_fixed(7, 0);
    writer.add_fixed(INT64_MIN, 3);
    writer.add_string("a\"b\\c\n\x01\xc3\xa9\xff");
    writer.add_null();
    writer.begin_object();
    writer.end_object();
    writer.begin_object();
    writer.key("k\"");
    writer.begin_array();
    writer.end_array();
    writer.key("z");
    writer.add_int(-3);
    writer.end_object();
    EXPECT_FALSE(writer.complete());
    writer.end_array();
    EXPECT_TRUE(writer.complete());
    EXPECT_EQ(
        writer.text(),
        "[10.000123,-0.05,7,-9223372036854775.808,\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\xef\xbf\xbd\","
        "null,{},{\"k\\\"\":[],\"z\":-3}]");
    // What it writes reads back the same.
    auto document = JsonDocument::parse(writer.text());
    ASSERT_TRUE(document.has_value()) << format("{}", document.error());
    auto values = document->root().children();
    auto iterator = values.begin();
    EXPECT_EQ((*iterator).as_number()->to_scaled(6), 10000123);
    ++iterator;
    EXPECT_EQ((*iterator).as_number()->to_scaled(2), -5);
    ++iterator;
    ++iterator;
    ++iterator;
    EXPECT_EQ((*iterator).as_string(), "a\"b\\c\n\x01\xc3\xa9\xef\xbf\xbd");
}

TEST(JsonWriterDeathTest, PanicsWhenCallsDoNotNest) {
    EXPECT_DEATH(
        {
            JsonWriter writer;
            writer.begin_object();
            writer.add_int(1);  // no key
        },
        "");
    EXPECT_DEATH(
        {
            JsonWriter writer;
            writer.begin_array();
            writer.end_object();
        },
        "");
}

}  // namespace
}  // namespace oasis::iperf3
