// A bounded JSON (RFC 8259) reader and writer for iperf3's control messages, without floating
// point.
#include "services/iperf3/json.hpp"

#include <charconv>
#include <limits>

#include "core/format.hpp"
#include "core/panic.hpp"

namespace oasis::iperf3 {

std::string_view json_error_name(JsonError error) {
    switch (error) {
        case JsonError::too_large:
            return "too_large";
        case JsonError::too_deep:
            return "too_deep";
        case JsonError::too_many_values:
            return "too_many_values";
        case JsonError::unexpected_end:
            return "unexpected_end";
        case JsonError::unexpected_character:
            return "unexpected_character";
        case JsonError::bad_number:
            return "bad_number";
        case JsonError::bad_escape:
            return "bad_escape";
        case JsonError::bad_unicode:
            return "bad_unicode";
        case JsonError::control_character:
            return "control_character";
        case JsonError::trailing_characters:
            return "trailing_characters";
    }
    return "unknown";
}

void format_value(std::string& out, JsonError error) {
    out += json_error_name(error);
}

void format_value(std::string& out, const JsonParseError& error) {
    out += json_error_name(error.kind);
    out += " at byte ";
    append_unsigned(out, error.offset);
}

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_whitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';  // RFC 8259 §2
}

// Any exponent beyond this makes every nonzero number overflow and every
// digit vanish, so clamping there changes no result.
constexpr std::int64_t exponent_limit = 1'000'000;

// The length of the RFC 8259 §6 number at the start of `text`; 0 if there is none.
std::size_t number_length(std::string_view text) {
    std::size_t at = 0;
    auto digits = [&] {
        std::size_t start = at;
        while (at < text.size() && is_digit(text[at])) {
            ++at;
        }
        return at - start;
    };
    if (at < text.size() && text[at] == '-') {
        ++at;
    }
    if (at < text.size() && text[at] == '0') {
        ++at;  // a leading zero stands alone: "01" is not a number
    } else if (digits() == 0) {
        return 0;
    }
    if (at < text.size() && text[at] == '.') {
        ++at;
        if (digits() == 0) {
            return 0;
        }
    }
    if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
        ++at;
        if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
            ++at;
        }
        if (digits() == 0) {
            return 0;
        }
    }
    return at;
}

}  // namespace

// --- JsonNumber ---

std::optional<JsonNumber> JsonNumber::parse(std::string_view text) {
    if (text.empty() || number_length(text) != text.size()) {
        return std::nullopt;
    }
    JsonNumber number;
    number.m_text = text;
    std::size_t at = 0;
    if (text[0] == '-') {
        number.m_negative = true;
        at = 1;
    }
    std::size_t start = at;
    while (at < text.size() && is_digit(text[at])) {
        ++at;
    }
    number.m_integer = text.substr(start, at - start);
    if (at < text.size() && text[at] == '.') {
        start = ++at;
        while (at < text.size() && is_digit(text[at])) {
            ++at;
        }
        number.m_fraction = text.substr(start, at - start);
    }
    if (at < text.size()) {  // 'e' or 'E', checked by number_length
        ++at;
        bool negative = false;
        if (text[at] == '+' || text[at] == '-') {
            negative = text[at] == '-';
            ++at;
        }
        std::int64_t exponent = 0;
        for (; at < text.size(); ++at) {
            exponent = exponent * 10 + (text[at] - '0');
            if (exponent > exponent_limit) {
                exponent = exponent_limit;
            }
        }
        number.m_exponent = negative ? -exponent : exponent;
    }
    return number;
}

std::optional<JsonNumber::Magnitude> JsonNumber::magnitude(unsigned decimals) const {
    const std::size_t digit_count = m_integer.size() + m_fraction.size();
    auto digit = [&](std::size_t index) {
        return index < m_integer.size() ? m_integer[index] : m_fraction[index - m_integer.size()];
    };
    // The digits left of the point after scaling by 10^(exponent + decimals).
    const std::int64_t point = static_cast<std::int64_t>(m_integer.size()) + m_exponent +
                               static_cast<std::int64_t>(decimals);
    Magnitude result;
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    for (std::size_t index = 0; index < digit_count; ++index) {
        const auto value = static_cast<std::uint64_t>(digit(index) - '0');
        if (static_cast<std::int64_t>(index) >= point) {
            if (value != 0) {
                result.exact = false;
            }
            continue;
        }
        if (result.value > (max - value) / 10) {
            return std::nullopt;
        }
        result.value = result.value * 10 + value;
    }
    // Zeros the exponent adds beyond the written digits.
    for (std::int64_t index = static_cast<std::int64_t>(digit_count); index < point; ++index) {
        if (result.value == 0) {
            break;  // zero stays zero however far the point moves
        }
        if (result.value > max / 10) {
            return std::nullopt;
        }
        result.value *= 10;
    }
    return result;
}

std::optional<std::uint64_t> JsonNumber::to_uint64() const {
    std::optional<Magnitude> value = magnitude(0);
    if (!value || !value->exact || (m_negative && value->value != 0)) {
        return std::nullopt;
    }
    return value->value;
}

std::optional<std::int64_t> JsonNumber::to_int64() const {
    std::optional<Magnitude> value = magnitude(0);
    if (!value || !value->exact) {
        return std::nullopt;
    }
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (m_negative) {
        if (value->value > max + 1) {
            return std::nullopt;
        }
        // -(2^63) has no positive counterpart: negate in unsigned arithmetic.
        return static_cast<std::int64_t>(0 - value->value);
    }
    if (value->value > max) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(value->value);
}

std::optional<std::int64_t> JsonNumber::to_scaled(unsigned decimals) const {
    if (decimals > 18) {
        return std::nullopt;
    }
    std::optional<Magnitude> value = magnitude(decimals);
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (!value || value->value > max) {
        return std::nullopt;
    }
    const auto magnitude_value = static_cast<std::int64_t>(value->value);
    return m_negative ? -magnitude_value : magnitude_value;
}

// --- the parser ---

// One parse of one text: an explicit stack of open containers instead of
// recursion, so nesting costs heap (bounded by max_depth), not guest stack.
class JsonParser {
public:
    JsonParser(std::string_view text, const JsonLimits& limits, JsonDocument& document)
        : m_text(text), m_limits(limits), m_document(document) {}

    Result<void, JsonParseError> run() {
        if (m_text.size() > m_limits.max_text) {
            return fail(JsonError::too_large, m_limits.max_text);
        }
        bool value_expected = true;
        for (;;) {
            if (value_expected) {
                value_expected = TRY(parse_value());
                continue;
            }
            // After a complete value: close containers or go on to the next element.
            if (m_open.empty()) {
                skip_whitespace();
                if (m_at != m_text.size()) {
                    return fail(JsonError::trailing_characters);
                }
                return {};
            }
            skip_whitespace();
            if (m_at == m_text.size()) {
                return fail(JsonError::unexpected_end);
            }
            JsonDocument::Node& container = m_document.m_nodes[m_open.back()];
            const char closing = container.type == JsonType::object ? '}' : ']';
            const char c = m_text[m_at];
            if (c == closing) {
                ++m_at;
                close_container();
            } else if (c == ',') {
                ++m_at;
                value_expected = true;
            } else {
                return fail(JsonError::unexpected_character);
            }
        }
    }

private:
    Error<JsonParseError> fail(JsonError kind) const { return fail(kind, m_at); }
    static Error<JsonParseError> fail(JsonError kind, std::size_t offset) {
        return Error{JsonParseError{kind, offset}};
    }

    void skip_whitespace() {
        while (m_at < m_text.size() && is_whitespace(m_text[m_at])) {
            ++m_at;
        }
    }

    std::uint32_t text_size() const { return static_cast<std::uint32_t>(m_document.m_text.size()); }

    // One value, and a member's name before it inside an object. A
    // container is opened (and closed, when empty) here; its elements come
    // through run()'s loop. True when a container was opened and its first
    // element is expected next.
    Result<bool, JsonParseError> parse_value() {
        skip_whitespace();
        std::uint32_t key_offset = 0;
        std::uint32_t key_size = 0;
        if (!m_open.empty() && m_document.m_nodes[m_open.back()].type == JsonType::object) {
            if (m_at == m_text.size()) {
                return fail(JsonError::unexpected_end);
            }
            if (m_text[m_at] != '"') {
                return fail(JsonError::unexpected_character);
            }
            key_offset = text_size();
            TRY(parse_string());
            key_size = text_size() - key_offset;
            skip_whitespace();
            if (m_at == m_text.size()) {
                return fail(JsonError::unexpected_end);
            }
            if (m_text[m_at] != ':') {
                return fail(JsonError::unexpected_character);
            }
            ++m_at;
            skip_whitespace();
        }
        if (m_at == m_text.size()) {
            return fail(JsonError::unexpected_end);
        }
        if (m_document.m_nodes.size() >= m_limits.max_values) {
            return fail(JsonError::too_many_values);
        }
        JsonDocument::Node node;
        node.key_offset = key_offset;
        node.key_size = key_size;
        const std::size_t start = m_at;
        const char c = m_text[m_at];
        switch (c) {
            case '{':
            case '[':
                if (m_open.size() >= m_limits.max_depth) {
                    return fail(JsonError::too_deep);
                }
                ++m_at;
                node.type = c == '{' ? JsonType::object : JsonType::array;
                add(node);
                m_open.push_back(static_cast<std::uint32_t>(m_document.m_nodes.size() - 1));
                skip_whitespace();
                if (m_at < m_text.size() && m_text[m_at] == (c == '{' ? '}' : ']')) {
                    ++m_at;
                    close_container();
                    return false;
                }
                return true;  // the first element follows, without a comma
            case '"':
                node.type = JsonType::string;
                node.text_offset = text_size();
                TRY(parse_string());
                node.text_size = text_size() - node.text_offset;
                break;
            case 't':
            case 'f':
            case 'n': {
                const std::string_view word = c == 't' ? "true" : c == 'f' ? "false" : "null";
                if (m_text.substr(m_at, word.size()) != word) {
                    // Say where the literal goes wrong, or that it was cut short.
                    for (std::size_t index = 0; index < word.size(); ++index) {
                        if (m_at + index == m_text.size()) {
                            return fail(JsonError::unexpected_end, m_at + index);
                        }
                        if (m_text[m_at + index] != word[index]) {
                            return fail(JsonError::unexpected_character, m_at + index);
                        }
                    }
                }
                m_at += word.size();
                node.type = c == 'n' ? JsonType::null : JsonType::boolean;
                node.boolean = c == 't';
                break;
            }
            default: {
                if (c != '-' && !is_digit(c)) {
                    return fail(JsonError::unexpected_character);
                }
                const std::size_t length = number_length(m_text.substr(m_at));
                if (length == 0) {
                    return fail(JsonError::bad_number);
                }
                node.type = JsonType::number;
                node.text_offset = text_size();
                node.text_size = static_cast<std::uint32_t>(length);
                m_document.m_text.append(m_text.substr(m_at, length));
                m_at += length;
                // "1x" or "01": the number must end at a separator.
                if (m_at < m_text.size() && (is_digit(m_text[m_at]) || m_text[m_at] == '.' ||
                                             m_text[m_at] == 'e' || m_text[m_at] == 'E')) {
                    return fail(JsonError::bad_number, start);
                }
                break;
            }
        }
        add(node);
        return false;
    }

    void add(JsonDocument::Node node) {
        const auto index = static_cast<std::uint32_t>(m_document.m_nodes.size());
        node.end = index + 1;
        m_document.m_nodes.push_back(node);
        if (!m_open.empty()) {
            ++m_document.m_nodes[m_open.back()].child_count;
        }
    }

    void close_container() {
        const std::uint32_t index = m_open.back();
        m_open.pop_back();
        m_document.m_nodes[index].end = static_cast<std::uint32_t>(m_document.m_nodes.size());
    }

    // A string at m_at (its opening quote), unescaped into the document's text.
    Result<void, JsonParseError> parse_string() {
        ++m_at;
        std::string& out = m_document.m_text;
        for (;;) {
            if (m_at == m_text.size()) {
                return fail(JsonError::unexpected_end);
            }
            const auto byte = static_cast<unsigned char>(m_text[m_at]);
            if (byte == '"') {
                ++m_at;
                return {};
            }
            if (byte < 0x20) {
                return fail(JsonError::control_character);
            }
            if (byte == '\\') {
                TRY(parse_escape(out));
                continue;
            }
            if (byte < 0x80) {
                out.push_back(static_cast<char>(byte));
                ++m_at;
                continue;
            }
            const std::size_t length = utf8_sequence_length(m_text.substr(m_at));
            if (length == 0) {
                return fail(JsonError::bad_unicode);
            }
            out.append(m_text.substr(m_at, length));
            m_at += length;
        }
    }

    // A backslash sequence at m_at (RFC 8259 §7), appended as UTF-8.
    Result<void, JsonParseError> parse_escape(std::string& out) {
        const std::size_t start = m_at;
        ++m_at;
        if (m_at == m_text.size()) {
            return fail(JsonError::unexpected_end);
        }
        const char c = m_text[m_at++];
        switch (c) {
            case '"':
            case '\\':
            case '/':
                out.push_back(c);
                return {};
            case 'b':
                out.push_back('\b');
                return {};
            case 'f':
                out.push_back('\f');
                return {};
            case 'n':
                out.push_back('\n');
                return {};
            case 'r':
                out.push_back('\r');
                return {};
            case 't':
                out.push_back('\t');
                return {};
            case 'u':
                break;
            default:
                return fail(JsonError::bad_escape, start);
        }
        std::uint32_t code = TRY(parse_hex4());
        if (code >= 0xdc00 && code <= 0xdfff) {
            return fail(JsonError::bad_unicode, start);  // a low surrogate first
        }
        if (code >= 0xd800 && code <= 0xdbff) {
            // A high surrogate: the low half must follow as another escape.
            if (m_text.substr(m_at, 2) != "\\u") {
                return fail(JsonError::bad_unicode, start);
            }
            m_at += 2;
            const std::uint32_t low = TRY(parse_hex4());
            if (low < 0xdc00 || low > 0xdfff) {
                return fail(JsonError::bad_unicode, start);
            }
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        }
        append_utf8(out, code);
        return {};
    }

    Result<std::uint32_t, JsonParseError> parse_hex4() {
        std::uint32_t value = 0;
        for (int index = 0; index < 4; ++index, ++m_at) {
            if (m_at == m_text.size()) {
                return fail(JsonError::unexpected_end);
            }
            const char c = m_text[m_at];
            std::uint32_t digit = 0;
            if (is_digit(c)) {
                digit = static_cast<std::uint32_t>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                digit = static_cast<std::uint32_t>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                digit = static_cast<std::uint32_t>(c - 'A' + 10);
            } else {
                return fail(JsonError::bad_escape);
            }
            value = value << 4 | digit;
        }
        return value;
    }

public:
    // The length of the well-formed UTF-8 sequence at the start of `text`
    // (RFC 3629 §4: no overlong forms, no surrogates, nothing above
    // U+10FFFF); 0 if it is not one.
    static std::size_t utf8_sequence_length(std::string_view text) {
        if (text.empty()) {
            return 0;
        }
        const auto lead = static_cast<unsigned char>(text[0]);
        std::size_t length = 0;
        unsigned char low = 0x80;  // the range of the second byte
        unsigned char high = 0xbf;
        if (lead < 0x80) {
            return 1;
        } else if (lead >= 0xc2 && lead <= 0xdf) {
            length = 2;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            length = 3;
            if (lead == 0xe0) {
                low = 0xa0;  // overlong below U+0800
            } else if (lead == 0xed) {
                high = 0x9f;  // surrogates U+D800..U+DFFF
            }
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            length = 4;
            if (lead == 0xf0) {
                low = 0x90;  // overlong below U+10000
            } else if (lead == 0xf4) {
                high = 0x8f;  // above U+10FFFF
            }
        } else {
            return 0;
        }
        if (text.size() < length) {
            return 0;
        }
        for (std::size_t index = 1; index < length; ++index) {
            const auto byte = static_cast<unsigned char>(text[index]);
            const unsigned char minimum = index == 1 ? low : 0x80;
            const unsigned char maximum = index == 1 ? high : 0xbf;
            if (byte < minimum || byte > maximum) {
                return 0;
            }
        }
        return length;
    }

    static void append_utf8(std::string& out, std::uint32_t code) {
        if (code < 0x80) {
            out.push_back(static_cast<char>(code));
        } else if (code < 0x800) {
            out.push_back(static_cast<char>(0xc0 | (code >> 6)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
        } else if (code < 0x10000) {
            out.push_back(static_cast<char>(0xe0 | (code >> 12)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
        } else {
            out.push_back(static_cast<char>(0xf0 | (code >> 18)));
            out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
        }
    }

private:
    std::string_view m_text;
    const JsonLimits& m_limits;
    JsonDocument& m_document;
    std::size_t m_at = 0;
    std::vector<std::uint32_t> m_open;  // indices of the containers not yet closed
};

Result<JsonDocument, JsonParseError> JsonDocument::parse(std::string_view text,
                                                         const JsonLimits& limits) {
    JsonDocument document;
    JsonParser parser{text, limits, document};
    TRY(parser.run());
    return document;
}

// --- JsonValue ---

JsonType JsonValue::type() const {
    return m_document->m_nodes[m_index].type;
}

std::optional<bool> JsonValue::as_bool() const {
    const JsonDocument::Node& node = m_document->m_nodes[m_index];
    if (node.type != JsonType::boolean) {
        return std::nullopt;
    }
    return node.boolean;
}

std::optional<std::string_view> JsonValue::as_string() const {
    const JsonDocument::Node& node = m_document->m_nodes[m_index];
    if (node.type != JsonType::string) {
        return std::nullopt;
    }
    return m_document->text_at(node.text_offset, node.text_size);
}

std::optional<JsonNumber> JsonValue::as_number() const {
    const JsonDocument::Node& node = m_document->m_nodes[m_index];
    if (node.type != JsonType::number) {
        return std::nullopt;
    }
    // Checked when the document was parsed, so this cannot fail.
    return JsonNumber::parse(m_document->text_at(node.text_offset, node.text_size));
}

std::optional<std::int64_t> JsonValue::as_int64() const {
    std::optional<JsonNumber> number = as_number();
    return number ? number->to_int64() : std::nullopt;
}

std::optional<std::uint64_t> JsonValue::as_uint64() const {
    std::optional<JsonNumber> number = as_number();
    return number ? number->to_uint64() : std::nullopt;
}

std::size_t JsonValue::size() const {
    return m_document->m_nodes[m_index].child_count;
}

std::string_view JsonValue::key() const {
    const JsonDocument::Node& node = m_document->m_nodes[m_index];
    return m_document->text_at(node.key_offset, node.key_size);
}

JsonValue::Iterator& JsonValue::Iterator::operator++() {
    m_index = m_document->m_nodes[m_index].end;
    return *this;
}

JsonValue::Children JsonValue::children() const {
    const JsonDocument::Node& node = m_document->m_nodes[m_index];
    if (node.type != JsonType::array && node.type != JsonType::object) {
        return Children{Iterator{m_document, node.end}, Iterator{m_document, node.end}};
    }
    return Children{Iterator{m_document, m_index + 1}, Iterator{m_document, node.end}};
}

std::optional<JsonValue> JsonValue::find(std::string_view key) const {
    if (type() != JsonType::object) {
        return std::nullopt;
    }
    for (JsonValue member : children()) {
        if (member.key() == key) {
            return member;
        }
    }
    return std::nullopt;
}

// --- JsonWriter ---

void JsonWriter::before_value() {
    if (m_frames.empty()) {
        OASIS_ASSERT(!m_wrote_root);  // one value per text
        m_wrote_root = true;
        return;
    }
    Frame& frame = m_frames.back();
    if (frame.object) {
        OASIS_ASSERT(frame.key_pending);  // key() first
        frame.key_pending = false;
        return;
    }
    if (!frame.empty) {
        m_text.push_back(',');
    }
    frame.empty = false;
}

void JsonWriter::key(std::string_view name) {
    OASIS_ASSERT(!m_frames.empty() && m_frames.back().object && !m_frames.back().key_pending);
    Frame& frame = m_frames.back();
    if (!frame.empty) {
        m_text.push_back(',');
    }
    frame.empty = false;
    write_quoted(name);
    m_text.push_back(':');
    frame.key_pending = true;
}

void JsonWriter::begin(bool object, char bracket) {
    before_value();
    m_text.push_back(bracket);
    m_frames.push_back(Frame{.object = object});
}

void JsonWriter::end(bool object, char bracket) {
    OASIS_ASSERT(!m_frames.empty() && m_frames.back().object == object &&
                 !m_frames.back().key_pending);
    m_frames.pop_back();
    m_text.push_back(bracket);
}

void JsonWriter::begin_object() {
    begin(true, '{');
}
void JsonWriter::end_object() {
    end(true, '}');
}
void JsonWriter::begin_array() {
    begin(false, '[');
}
void JsonWriter::end_array() {
    end(false, ']');
}

void JsonWriter::add_null() {
    before_value();
    m_text += "null";
}

void JsonWriter::add_bool(bool value) {
    before_value();
    m_text += value ? "true" : "false";
}

void JsonWriter::add_int(std::int64_t value) {
    before_value();
    append_signed(m_text, value);
}

void JsonWriter::add_uint(std::uint64_t value) {
    before_value();
    append_unsigned(m_text, value);
}

void JsonWriter::add_fixed(std::int64_t scaled, unsigned decimals) {
    OASIS_ASSERT(decimals <= 18);
    before_value();
    // The magnitude in unsigned arithmetic, so that INT64_MIN has one.
    std::uint64_t magnitude =
        scaled < 0 ? 0 - static_cast<std::uint64_t>(scaled) : static_cast<std::uint64_t>(scaled);
    if (scaled < 0) {
        m_text.push_back('-');
    }
    std::uint64_t divisor = 1;
    for (unsigned index = 0; index < decimals; ++index) {
        divisor *= 10;
    }
    append_unsigned(m_text, magnitude / divisor);
    if (decimals == 0) {
        return;
    }
    m_text.push_back('.');
    std::string fraction;
    append_unsigned(fraction, magnitude % divisor);
    m_text.append(decimals - fraction.size(), '0');
    m_text += fraction;
}

void JsonWriter::add_number(const JsonNumber& value) {
    before_value();
    m_text += value.text();
}

void JsonWriter::add_string(std::string_view value) {
    before_value();
    write_quoted(value);
}

void JsonWriter::write_quoted(std::string_view value) {
    static constexpr char hex[] = "0123456789abcdef";
    m_text.push_back('"');
    std::size_t at = 0;
    while (at < value.size()) {
        const auto byte = static_cast<unsigned char>(value[at]);
        if (byte >= 0x80) {
            const std::size_t length = JsonParser::utf8_sequence_length(value.substr(at));
            if (length == 0) {
                m_text += "\xef\xbf\xbd";  // U+FFFD REPLACEMENT CHARACTER
                ++at;
            } else {
                m_text.append(value.substr(at, length));
                at += length;
            }
            continue;
        }
        ++at;
        switch (byte) {
            case '"':
                m_text += "\\\"";
                break;
            case '\\':
                m_text += "\\\\";
                break;
            case '\b':
                m_text += "\\b";
                break;
            case '\f':
                m_text += "\\f";
                break;
            case '\n':
                m_text += "\\n";
                break;
            case '\r':
                m_text += "\\r";
                break;
            case '\t':
                m_text += "\\t";
                break;
            default:
                if (byte < 0x20) {
                    m_text += "\\u00";
                    m_text.push_back(hex[byte >> 4]);
                    m_text.push_back(hex[byte & 0xf]);
                } else {
                    m_text.push_back(static_cast<char>(byte));
                }
        }
    }
    m_text.push_back('"');
}

}  // namespace oasis::iperf3
