// A bounded JSON (RFC 8259) reader and writer for iperf3's control messages, without floating
// point.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace oasis::iperf3 {

// Why a text is not accepted. Every limit is checked before it is passed, so
// a hostile peer costs at most JsonLimits' worth of memory and time.
enum class JsonError : std::uint8_t {
    too_large,             // the text is longer than JsonLimits::max_text
    too_deep,              // arrays and objects nested deeper than JsonLimits::max_depth
    too_many_values,       // more values (keys not counted) than JsonLimits::max_values
    unexpected_end,        // the text ended inside a value, or held none
    unexpected_character,  // a character no value may have at this place (RFC 8259 §2)
    bad_number,            // outside RFC 8259 §6's grammar ("01", "1.", "-", "1e")
    bad_escape,            // a backslash sequence other than RFC 8259 §7's
    bad_unicode,           // invalid UTF-8 (RFC 3629 §4), or an unpaired surrogate escape
    control_character,     // an unescaped U+0000..U+001F inside a string (RFC 8259 §7)
    trailing_characters,   // more than whitespace after the value
};

std::string_view json_error_name(JsonError error);
void format_value(std::string& out, JsonError error);

// An error and the byte offset in the text where it was found.
struct JsonParseError {
    JsonError kind;
    std::size_t offset = 0;
};
// "bad_number at byte 12"
void format_value(std::string& out, const JsonParseError& error);

struct JsonLimits {
    std::size_t max_text = 64 * 1024;
    std::size_t max_depth = 32;
    std::size_t max_values = 4096;
};

enum class JsonType : std::uint8_t { null, boolean, number, string, array, object };

// A number as it was written, checked against RFC 8259 §6's grammar, read as
// an integer or as fixed point with integer arithmetic only: iperf3 writes
// fractions ("end_time": 10.000123) and exponents ("2.4e-05",
// "1.8446744073709552e+19") through C doubles, which guest code may not use.
class JsonNumber {
public:
    // The whole of `text` must be one number. The view is kept, not copied.
    static std::optional<JsonNumber> parse(std::string_view text);

    std::string_view text() const { return m_text; }
    bool is_negative() const { return m_negative; }

    // The value when it is a whole number (after the exponent: "1.5e1" is 15)
    // that fits the type; none otherwise. "-0" is 0.
    std::optional<std::int64_t> to_int64() const;
    std::optional<std::uint64_t> to_uint64() const;
    // The value times 10^decimals, truncated toward zero, when that fits:
    // "1.008268" with 6 decimals is 1008268 (microseconds of a time in
    // seconds), "2.4e-05" with 6 is 24, "0.7" with 0 is 0.
    std::optional<std::int64_t> to_scaled(unsigned decimals) const;

private:
    // The magnitude's digits, with the decimal point `point` digits from the
    // left of `digits` (which may be negative, or beyond the digits).
    struct Magnitude {
        std::uint64_t value = 0;
        bool exact = true;  // no nonzero digit was cut off
    };
    std::optional<Magnitude> magnitude(unsigned decimals) const;

    std::string_view m_text;
    bool m_negative = false;
    std::string_view m_integer;   // digits before the point
    std::string_view m_fraction;  // digits after it, possibly none
    std::int64_t m_exponent = 0;  // clamped to ±1,000,000: any more is overflow or zero anyway
};

class JsonDocument;

// A value inside a JsonDocument: a cheap handle, valid while its document is.
// Accessors of the wrong type return none (or an empty range) instead of
// failing, so that reading an untrusted message needs no type checks first.
class JsonValue {
public:
    JsonType type() const;
    bool is_null() const { return type() == JsonType::null; }

    std::optional<bool> as_bool() const;
    std::optional<std::string_view> as_string() const;
    std::optional<JsonNumber> as_number() const;
    // Shorthands for as_number()->to_int64() and ->to_uint64().
    std::optional<std::int64_t> as_int64() const;
    std::optional<std::uint64_t> as_uint64() const;

    // Elements of an array, members of an object; 0 for anything else.
    std::size_t size() const;
    // The member named `key` of an object; with duplicate names the first
    // one wins, as in cJSON, the parser of the iperf3 at the other end.
    std::optional<JsonValue> find(std::string_view key) const;
    // The name of this value when it is a member of an object; empty otherwise.
    std::string_view key() const;

    // Iterates over the elements or members, in order.
    class Iterator {
    public:
        JsonValue operator*() const { return JsonValue{m_document, m_index}; }
        Iterator& operator++();
        bool operator==(const Iterator& other) const { return m_index == other.m_index; }

    private:
        friend class JsonValue;
        Iterator(const JsonDocument* document, std::uint32_t index)
            : m_document(document), m_index(index) {}
        const JsonDocument* m_document;
        std::uint32_t m_index;
    };
    struct Children {
        Iterator first;
        Iterator last;
        Iterator begin() const { return first; }
        Iterator end() const { return last; }
    };
    Children children() const;

private:
    friend class JsonDocument;
    JsonValue(const JsonDocument* document, std::uint32_t index)
        : m_document(document), m_index(index) {}

    const JsonDocument* m_document;
    std::uint32_t m_index;
};

// A parsed text. It owns a copy of every string (unescaped) and number, so
// the text may go away after parse().
class JsonDocument {
public:
    static Result<JsonDocument, JsonParseError> parse(std::string_view text,
                                                      const JsonLimits& limits = {});

    JsonValue root() const { return JsonValue{this, 0}; }
    std::size_t value_count() const { return m_nodes.size(); }

private:
    friend class JsonValue;
    friend class JsonParser;

    // The values in document order: a container is followed by its
    // children, and `end` is the index just past its last descendant, so
    // siblings are found without recursion.
    struct Node {
        JsonType type = JsonType::null;
        bool boolean = false;
        std::uint32_t end = 0;
        std::uint32_t child_count = 0;
        std::uint32_t text_offset = 0;  // a string's bytes or a number's text, in m_text
        std::uint32_t text_size = 0;
        std::uint32_t key_offset = 0;  // the member's name, in m_text
        std::uint32_t key_size = 0;
    };

    std::string_view text_at(std::uint32_t offset, std::uint32_t size) const {
        return std::string_view{m_text}.substr(offset, size);
    }

    std::vector<Node> m_nodes;
    std::string m_text;
};

// Writes one JSON text, compact, the way iperf3 writes its own (cJSON's
// unformatted output). Calls must nest properly — a key before each member's
// value, ends matching begins — or the writer panics: that is a bug in the
// caller, never a property of input.
class JsonWriter {
public:
    void begin_object();
    void end_object();
    void begin_array();
    void end_array();
    // The next member's name, inside an object.
    void key(std::string_view name);

    void add_null();
    void add_bool(bool value);
    void add_int(std::int64_t value);
    void add_uint(std::uint64_t value);
    // `scaled` over 10^decimals, as a decimal fraction: (10000123, 6) writes
    // 10.000123, (-5, 2) writes -0.05, (7, 0) writes 7.
    void add_fixed(std::int64_t scaled, unsigned decimals);
    // A number as it was read, digit for digit.
    void add_number(const JsonNumber& value);
    // Escaped per RFC 8259 §7; invalid UTF-8 becomes U+FFFD.
    void add_string(std::string_view value);

    // The text so far; complete once every begin has its end.
    const std::string& text() const { return m_text; }
    bool complete() const { return m_frames.empty() && m_wrote_root; }

private:
    struct Frame {
        bool object = false;
        bool empty = true;
        bool key_pending = false;  // an object's key was written, its value not yet
    };
    void before_value();
    void write_quoted(std::string_view value);
    void begin(bool object, char bracket);
    void end(bool object, char bracket);

    std::string m_text;
    std::vector<Frame> m_frames;
    bool m_wrote_root = false;
};

}  // namespace oasis::iperf3
