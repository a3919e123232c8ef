// Sans-IO HTTP/1.1 parsers (RFC 9112): the shared message reader, start lines, body framing.
#include "services/http/parser.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "core/panic.hpp"
#include "services/http/syntax.hpp"

namespace oasis::http {

namespace {

using detail::BodyFraming;
using detail::Framing;
using detail::HeadEnd;
using detail::MessageReader;
using syntax::is_optional_whitespace;
using syntax::trim_optional_whitespace;

// A set of bytes, looked up by value.
using CharacterClass = std::array<bool, 256>;

template <typename Predicate>
constexpr CharacterClass make_class(Predicate member) {
    CharacterClass table{};
    for (unsigned byte = 0; byte < 256; ++byte) {
        table[byte] = member(static_cast<unsigned char>(byte));
    }
    return table;
}

constexpr bool is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}

constexpr CharacterClass token_characters =
    make_class([](unsigned char c) { return syntax::is_token_char(static_cast<char>(c)); });

// RFC 9110 §5.5: field-vchar, SP and HTAB (obs-text included). Reason
// phrases (RFC 9112 §4) and chunk extensions are made of the same bytes.
constexpr CharacterClass field_value_characters =
    make_class([](unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); });

// A request-target has no whitespace and no control characters (RFC 9112
// §3.2); its finer grammar (RFC 3986) is the server's business.
constexpr CharacterClass target_characters =
    make_class([](unsigned char c) { return c > 0x20 && c != 0x7f; });

bool all_in(std::string_view text, const CharacterClass& members) {
    return std::all_of(text.begin(), text.end(),
                       [&](char c) { return members[static_cast<unsigned char>(c)]; });
}

bool is_token(std::string_view text) {
    return !text.empty() && all_in(text, token_characters);
}

std::string_view as_text(ByteView bytes, std::size_t position) {
    return as_chars(bytes).substr(position);
}

// --- Start lines ---

// RFC 9112 §2.3: "HTTP/" DIGIT "." DIGIT, case-sensitive.
Result<Version, ParseError> parse_version(std::string_view text) {
    if (text.size() != 8 || text.substr(0, 5) != "HTTP/" || !is_digit(text[5]) || text[6] != '.' ||
        !is_digit(text[7])) {
        return Error{ParseError::bad_syntax};
    }
    if (text[5] != '1') {
        return Error{ParseError::unsupported_version};
    }
    // RFC 9110 §6.2: a higher minor version is read as the highest we know.
    return Version{1, static_cast<std::uint8_t>(text[7] == '0' ? 0 : 1)};
}

// RFC 9112 §3: method SP request-target SP HTTP-version, single spaces.
Result<void, ParseError> read_request_line(std::string_view line, Request& request) {
    const std::size_t method_end = line.find(' ');
    if (method_end == std::string_view::npos || !is_token(line.substr(0, method_end))) {
        return Error{ParseError::bad_syntax};
    }
    const std::string_view rest = line.substr(method_end + 1);
    const std::size_t target_end = rest.find(' ');
    if (target_end == 0 || target_end == std::string_view::npos ||
        !all_in(rest.substr(0, target_end), target_characters)) {
        return Error{ParseError::bad_syntax};
    }
    request.version = TRY(parse_version(rest.substr(target_end + 1)));
    request.method_token = line.substr(0, method_end);
    request.method = method_from_token(request.method_token);
    request.target = rest.substr(0, target_end);
    return {};
}

// RFC 9112 §4: HTTP-version SP 3DIGIT SP [reason-phrase]. The SP before an
// empty reason is missing from some servers' lines; it is not required here.
Result<void, ParseError> read_status_line(std::string_view line, Response& response) {
    if (line.size() < 8) {
        return Error{ParseError::bad_syntax};
    }
    const Version version = TRY(parse_version(line.substr(0, 8)));
    // RFC 9110 §15: three digits, 100 to 599.
    if (line.size() < 12 || line[8] != ' ' || line[9] < '1' || line[9] > '5' ||
        !is_digit(line[10]) || !is_digit(line[11])) {
        return Error{ParseError::bad_syntax};
    }
    std::string_view reason = line.substr(12);
    if (!reason.empty() && (reason.front() != ' ' || !all_in(reason, field_value_characters))) {
        return Error{ParseError::bad_syntax};
    }
    response.version = version;
    response.status = static_cast<std::uint16_t>((line[9] - '0') * 100 + (line[10] - '0') * 10 +
                                                 (line[11] - '0'));
    response.reason = reason.empty() ? reason : reason.substr(1);
    return {};
}

// --- Field lines ---

// RFC 9112 §5.1 and RFC 9110 §5.5: name ":" OWS value OWS.
Result<void, ParseError> add_field_line(std::string_view line, Fields& fields) {
    if (is_optional_whitespace(line.front())) {
        // RFC 9112 §2.2 (before the first field) and §5.2 (obs-fold after one).
        return Error{fields.empty() ? ParseError::bad_syntax : ParseError::obsolete_fold};
    }
    const std::size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) {
        return Error{ParseError::bad_syntax};
    }
    const std::string_view name = line.substr(0, colon);
    if (is_optional_whitespace(name.back())) {
        return Error{ParseError::space_before_colon};
    }
    const std::string_view value = trim_optional_whitespace(line.substr(colon + 1));
    if (!is_token(name) || !all_in(value, field_value_characters)) {
        return Error{ParseError::bad_syntax};
    }
    fields.add(std::string{name}, std::string{value});
    return {};
}

// Calls `visit` with each element of a list field over all its lines.
template <typename Visit>
void for_each_list_element(const Fields& fields, std::string_view name, Visit visit) {
    for (const Field& line : fields.lines()) {
        if (equals_ignoring_case(line.name, name)) {
            syntax::for_each_list_element(line.value, visit);
        }
    }
}

// 1*DIGIT as a number; nothing for anything else or a value past 2^64 - 1.
std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) {
            return is_digit(static_cast<unsigned char>(c));
        })) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

// RFC 9110 §8.6: one value, or the same value repeated as a list or over
// several lines, which is read as one. Nothing when there is no such field.
Result<std::optional<std::uint64_t>, ParseError> content_length(const Fields& fields) {
    std::optional<std::uint64_t> length;
    bool valid = true;
    for_each_list_element(fields, "Content-Length", [&](std::string_view element) {
        const std::optional<std::uint64_t> value = parse_decimal(element);
        if (!value || (length && *length != *value)) {
            valid = false;
        }
        length = value;
    });
    if (!valid) {
        return Error{ParseError::bad_content_length};
    }
    return length;
}

// The transfer codings a message lists (RFC 9112 §6.1), in order.
struct TransferCodings {
    std::size_t count = 0;
    std::size_t chunked = 0;  // how many of them are chunked
    bool chunked_last = false;
};

TransferCodings transfer_codings(const Fields& fields) {
    TransferCodings codings;
    for_each_list_element(fields, "Transfer-Encoding", [&](std::string_view element) {
        if (element.empty()) {
            return;  // RFC 9110 §5.6.1: empty list elements do not count
        }
        // RFC 9112 §7: a coding's parameters follow a ';'.
        const bool chunked = equals_ignoring_case(
            trim_optional_whitespace(element.substr(0, element.find(';'))), "chunked");
        ++codings.count;
        codings.chunked += chunked ? 1 : 0;
        codings.chunked_last = chunked;
    });
    return codings;
}

// RFC 9112 §6.3 items 5 to 8: the body by its Content-Length, or by
// `without_length` when there is none.
Result<BodyFraming, ParseError> framing_by_length(const Fields& fields, const Limits& limits,
                                                  Framing without_length) {
    const std::optional<std::uint64_t> length = TRY(content_length(fields));
    if (!length) {
        return BodyFraming{without_length};
    }
    // Refused before any byte of it arrives.
    if (*length > limits.max_body) {
        return Error{ParseError::body_too_large};
    }
    if (*length == 0) {
        return BodyFraming{Framing::none};
    }
    return BodyFraming{Framing::length, *length};
}

// RFC 9112 §6.3 for a request, after §3.2's Host rule.
Result<BodyFraming, ParseError> request_framing(const Request& request, const Limits& limits) {
    const bool http_1_0 = request.version == Version{1, 0};
    const std::size_t hosts = request.fields.count("Host");
    if (hosts > 1 || (hosts == 0 && !http_1_0)) {
        return Error{ParseError::missing_host};
    }
    if (request.fields.count("Transfer-Encoding") == 0) {
        return framing_by_length(request.fields, limits, Framing::none);
    }
    // §6.1: an HTTP/1.0 peer cannot have meant Transfer-Encoding; with
    // Content-Length as well, the two could frame the body two ways (request
    // smuggling, §11.2). Either way the framing is not to be trusted.
    if (http_1_0) {
        return Error{ParseError::bad_transfer_coding};
    }
    if (request.fields.count("Content-Length") > 0) {
        return Error{ParseError::length_and_chunked};
    }
    // §6.3 item 4: a request's body must end with chunked, applied once.
    const TransferCodings codings = transfer_codings(request.fields);
    if (!codings.chunked_last || codings.chunked > 1) {
        return Error{ParseError::bad_transfer_coding};
    }
    if (codings.count > 1) {
        return Error{ParseError::unknown_coding};
    }
    return BodyFraming{Framing::chunked};
}

// RFC 9112 §6.3 for a response to a request with `request_method`.
Result<BodyFraming, ParseError> response_framing(const Response& response, Method request_method,
                                                 const Limits& limits) {
    const std::uint16_t status = response.status;
    // Item 1: never a body, whatever the fields say. Item 2: a successful
    // CONNECT turns the connection into a tunnel after the head.
    if (request_method == Method::head || status < 200 || status == 204 || status == 304 ||
        (request_method == Method::connect && status < 300)) {
        return BodyFraming{Framing::none};
    }
    if (response.fields.count("Transfer-Encoding") == 0) {
        return framing_by_length(response.fields, limits, Framing::until_close);
    }
    // §6.1: Transfer-Encoding in an HTTP/1.0 message means its framing is
    // faulty; what is left is the close.
    if (response.version == Version{1, 0}) {
        return BodyFraming{Framing::until_close};
    }
    // §6.3 item 3: both fields "ought to be handled as an error".
    if (response.fields.count("Content-Length") > 0) {
        return Error{ParseError::length_and_chunked};
    }
    const TransferCodings codings = transfer_codings(response.fields);
    if (codings.count == 0 || codings.chunked > 1) {
        return Error{ParseError::bad_transfer_coding};
    }
    // Item 4: a response whose last coding is not chunked runs to the close.
    if (!codings.chunked_last) {
        return BodyFraming{Framing::until_close};
    }
    if (codings.count > 1) {
        return Error{ParseError::unknown_coding};
    }
    return BodyFraming{Framing::chunked};
}

// --- Chunked coding ---

// RFC 9112 §7.1: chunk-size [chunk-ext], the extensions ";name[=value]"
// skipped, since none is understood here (§7.1.1).
Result<std::uint64_t, ParseError> parse_chunk_size(std::string_view line) {
    std::uint64_t size = 0;
    const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (error != std::errc{} || end == line.data()) {
        return Error{ParseError::bad_chunk};
    }
    const std::string_view rest = line.substr(static_cast<std::size_t>(end - line.data()));
    std::string_view extensions = rest;
    while (!extensions.empty() && is_optional_whitespace(extensions.front())) {
        extensions.remove_prefix(1);  // BWS before ';'
    }
    // Whitespace after the size must lead to an extension.
    if (extensions.empty() != rest.empty()) {
        return Error{ParseError::bad_chunk};
    }
    if (!extensions.empty() &&
        (extensions.front() != ';' || !all_in(extensions, field_value_characters))) {
        return Error{ParseError::bad_chunk};
    }
    return size;
}

// The loop both parsers share: runs the reader over `input`, giving the
// start line and the end of the head to the parser's own handlers.
template <typename ReadStartLine, typename EndHead>
ParseProgress run_reader(MessageReader& reader, ByteView input, detail::MessageParts parts,
                         ReadStartLine read_start_line, EndHead end_head) {
    std::size_t consumed = 0;
    while (true) {
        const MessageReader::Step step =
            reader.read(ByteView{input.span().subspan(consumed)}, parts);
        consumed += step.consumed;
        switch (step.event) {
            case MessageReader::Event::need_more:
                return {consumed, ParseState::incomplete};
            case MessageReader::Event::start_line: {
                const Result<void, ParseError> read = read_start_line(reader.start_line());
                if (read.is_error()) {
                    reader.fail(read.error());
                }
                break;
            }
            case MessageReader::Event::head_end:
                if (end_head() == HeadEnd::stop) {
                    return {consumed, ParseState::head};
                }
                break;
            case MessageReader::Event::message_end:
                return {consumed, ParseState::complete};
            case MessageReader::Event::failed:
                return {consumed, ParseState::failed};
        }
    }
}

// The parser's state is kept in `state`; a message complete or failed takes
// nothing more.
template <typename ReadStartLine, typename EndHead>
ParseProgress feed_reader(MessageReader& reader, ParseState& state, ByteView input,
                          detail::MessageParts parts, ReadStartLine read_start_line,
                          EndHead end_head) {
    if (state == ParseState::complete || state == ParseState::failed) {
        return {0, state};
    }
    const ParseProgress progress = run_reader(reader, input, parts, read_start_line, end_head);
    state = progress.state;
    return progress;
}

// What the parser does once its head is framed: stop there when a body follows.
HeadEnd frame_body(MessageReader& reader, const Result<BodyFraming, ParseError>& framing) {
    if (framing.is_error()) {
        reader.fail(framing.error());
        return HeadEnd::go_on;
    }
    reader.begin_body(framing.value());
    return framing->framing == Framing::none ? HeadEnd::go_on : HeadEnd::stop;
}

}  // namespace

// --- The message reader ---

namespace detail {

MessageReader::Step MessageReader::read(ByteView input, MessageParts parts) {
    std::size_t position = 0;
    while (true) {
        switch (m_state) {
            case State::start_line: {
                // RFC 9112 §2.2: empty lines before a request line are
                // skipped. They count against the start line's limit so that
                // a stream of them ends.
                const std::string_view arriving = as_text(input, position);
                const LineResult line = take_line(input, position, m_limits.max_start_line,
                                                  ParseError::start_line_too_long);
                if (line.is_error()) {
                    fail(line.error());
                    break;
                }
                if (!line.value()) {
                    // Until now the line held only CRs, if anything.
                    m_started = m_started || arriving.find_first_not_of('\r') != std::string::npos;
                    return {position, Event::need_more};
                }
                if (line.value()->empty()) {
                    m_skipped_bytes += m_line_bytes;
                    if (m_skipped_bytes > m_limits.max_start_line) {
                        fail(ParseError::start_line_too_long);
                    }
                    break;
                }
                m_started = true;
                m_start_line = *line.value();
                start_field_section();
                m_state = State::field_line;
                return {position, Event::start_line};
            }
            case State::field_line:
            case State::trailer_line: {
                // RFC 9112 §5 for the head, §7.1.2 for the trailer section.
                const bool head = m_state == State::field_line;
                const Result<SectionStep, ParseError> step =
                    take_field_line(input, position, head ? parts.fields : parts.trailers);
                if (step.is_error()) {
                    fail(step.error());
                    break;
                }
                if (step.value() == SectionStep::need_more) {
                    return {position, Event::need_more};
                }
                if (step.value() == SectionStep::section_ended) {
                    m_state = head ? State::head_end : State::complete;
                    if (head) {
                        return {position, Event::head_end};
                    }
                }
                break;
            }
            case State::head_end:
                panic("http: MessageReader::read() before the parser framed the body");
            case State::body_length:
            case State::chunk_data:
                if (position == input.size()) {
                    return {position, Event::need_more};
                }
                append_body(input, position, parts.body);
                if (m_remaining == 0) {
                    m_state =
                        m_state == State::body_length ? State::complete : State::chunk_data_end;
                }
                break;
            case State::body_until_close: {
                // RFC 9112 §6.3 item 8: only the close ends it; the limit still holds.
                const std::size_t available = input.size() - position;
                if (available > m_limits.max_body - parts.body.size()) {
                    fail(ParseError::body_too_large);
                    break;
                }
                parts.body.append(as_text(input, position));
                return {input.size(), Event::need_more};
            }
            case State::chunk_size: {
                const LineResult line = take_line(input, position, m_limits.max_chunk_line,
                                                  ParseError::chunk_line_too_long);
                if (line.is_error()) {
                    fail(line.error());
                    break;
                }
                if (!line.value()) {
                    return {position, Event::need_more};
                }
                const Result<void, ParseError> chunk =
                    begin_chunk(*line.value(), parts.body.size());
                if (chunk.is_error()) {
                    fail(chunk.error());
                }
                break;
            }
            case State::chunk_data_end:
            case State::chunk_data_lf: {
                // RFC 9112 §7.1: CRLF after the data; a bare LF ends a line too (§2.2).
                if (position == input.size()) {
                    return {position, Event::need_more};
                }
                const char next = as_text(input, position).front();
                ++position;
                if (next == '\n') {
                    m_state = State::chunk_size;
                } else if (next == '\r' && m_state == State::chunk_data_end) {
                    m_state = State::chunk_data_lf;
                } else {
                    fail(ParseError::bad_chunk);
                }
                break;
            }
            case State::complete:
                return {position, Event::message_end};
            case State::failed:
                return {position, Event::failed};
        }
    }
}

void MessageReader::begin_body(BodyFraming framing) {
    OASIS_ASSERT(m_state == State::head_end);
    m_remaining = framing.length;
    switch (framing.framing) {
        case Framing::none:
            m_state = State::complete;
            break;
        case Framing::length:
            m_state = m_remaining == 0 ? State::complete : State::body_length;
            break;
        case Framing::chunked:
            m_state = State::chunk_size;
            break;
        case Framing::until_close:
            m_state = State::body_until_close;
            break;
    }
}

void MessageReader::fail(ParseError error) {
    m_error = error;
    m_state = State::failed;
}

void MessageReader::end_of_input() {
    if (m_state == State::body_until_close) {
        m_state = State::complete;
    } else if (m_state != State::complete && m_state != State::failed && started()) {
        fail(ParseError::truncated);
    }
}

void MessageReader::reset() {
    m_state = State::start_line;
    m_line.clear();
    m_line_complete = false;
    m_start_line = {};
    m_skipped_bytes = 0;
    m_started = false;
    m_remaining = 0;
}

bool MessageReader::started() const {
    return m_started || m_state != State::start_line;
}

ParseState MessageReader::status() const {
    switch (m_state) {
        case State::complete:
            return ParseState::complete;
        case State::failed:
            return ParseState::failed;
        default:
            return ParseState::incomplete;
    }
}

// RFC 9112 §2.2: a line ends at LF, with or without a CR before it; any
// other CR is refused. A line that arrives in pieces is kept in m_line, up to
// `limit` bytes without its line ending; a line wholly in `input` is used
// where it lies.
MessageReader::LineResult MessageReader::take_line(ByteView input, std::size_t& position,
                                                   std::size_t limit, ParseError too_long) {
    if (m_line_complete) {
        m_line.clear();
        m_line_complete = false;
    }
    const std::string_view available = as_text(input, position);
    const std::size_t length = std::min(available.find('\n'), available.size());
    const std::string_view piece = available.substr(0, length);
    // A CR at the end of what has arrived may be the first half of a CRLF,
    // so it is not counted against the limit.
    const std::string_view last = piece.empty() ? std::string_view{m_line} : piece;
    const bool ends_with_cr = !last.empty() && last.back() == '\r';
    if (m_line.size() + piece.size() - (ends_with_cr ? 1 : 0) > limit) {
        return Error{too_long};
    }
    if (length == available.size()) {
        m_line.append(piece);
        position += length;
        return std::optional<std::string_view>{};
    }
    std::string_view line = piece;
    if (!m_line.empty()) {
        m_line.append(piece);
        line = m_line;
    }
    position += length + 1;
    m_line_complete = true;
    m_line_bytes = line.size() + 1;
    if (ends_with_cr) {
        line.remove_suffix(1);
    }
    if (line.find('\r') != std::string_view::npos) {
        return Error{ParseError::bare_cr};
    }
    return std::optional<std::string_view>{line};
}

// One line of a field section: a field added to `fields`, or the empty line
// that ends the section.
Result<MessageReader::SectionStep, ParseError> MessageReader::take_field_line(ByteView input,
                                                                              std::size_t& position,
                                                                              Fields& fields) {
    // RFC 6585 §5: the section as a whole is bounded, so one line may use
    // what is left of it.
    const std::size_t room = m_limits.max_fields_size - m_fields_size;
    const std::optional<std::string_view> line =
        TRY(take_line(input, position, room, ParseError::fields_too_large));
    if (!line) {
        return SectionStep::need_more;
    }
    if (line->empty()) {
        return SectionStep::section_ended;
    }
    if (m_line_bytes > room || fields.size() >= m_limits.max_field_count) {
        return Error{ParseError::fields_too_large};
    }
    TRY(add_field_line(*line, fields));
    m_fields_size += m_line_bytes;
    return SectionStep::field_added;
}

// RFC 9112 §7.1: a chunk's size line; size 0 is the last chunk, after which
// the trailer section comes (§7.1.2).
Result<void, ParseError> MessageReader::begin_chunk(std::string_view line, std::size_t body_size) {
    const std::uint64_t size = TRY(parse_chunk_size(line));
    if (size == 0) {
        start_field_section();
        m_state = State::trailer_line;
        return {};
    }
    // The decoded body is refused as soon as it would pass the limit.
    if (size > m_limits.max_body - body_size) {
        return Error{ParseError::body_too_large};
    }
    m_remaining = size;
    m_state = State::chunk_data;
    return {};
}

void MessageReader::append_body(ByteView input, std::size_t& position, std::string& body) {
    const std::string_view available = as_text(input, position);
    const std::size_t count =
        static_cast<std::size_t>(std::min<std::uint64_t>(m_remaining, available.size()));
    body.append(available.substr(0, count));
    position += count;
    m_remaining -= count;
}

void MessageReader::start_field_section() {
    m_fields_size = 0;
}

}  // namespace detail

// --- RequestParser ---

RequestParser::RequestParser(const Limits& limits) : m_reader(limits) {}

ParseProgress RequestParser::feed(ByteView input) {
    return feed_reader(
        m_reader, m_state, input, parts(),
        [this](std::string_view line) { return read_request_line(line, m_request); },
        [this] { return end_head(); });
}

bool RequestParser::started() const {
    return m_reader.started();
}

const Request& RequestParser::head() const {
    return m_request;
}

Request RequestParser::take() {
    OASIS_ASSERT(m_state == ParseState::complete);
    Request request = std::move(m_request);
    m_request = Request{};
    m_reader.reset();
    m_state = ParseState::incomplete;
    return request;
}

ParseError RequestParser::error() const {
    return m_reader.error();
}

ParseState RequestParser::state() const {
    return m_state;
}

detail::MessageParts RequestParser::parts() {
    return {m_request.fields, m_request.body, m_request.trailers};
}

HeadEnd RequestParser::end_head() {
    return frame_body(m_reader, request_framing(m_request, m_reader.limits()));
}

// --- ResponseParser ---

ResponseParser::ResponseParser(const Limits& limits) : m_reader(limits) {}

void ResponseParser::expect(Method request_method) {
    m_request_method = request_method;
}

ParseProgress ResponseParser::feed(ByteView input) {
    return feed_reader(
        m_reader, m_state, input, parts(),
        [this](std::string_view line) { return read_status_line(line, m_response); },
        [this] { return end_head(); });
}

ParseState ResponseParser::finish() {
    if (m_state == ParseState::complete || m_state == ParseState::failed) {
        return m_state;
    }
    // After an interim response the final one is owed: a close is a truncation.
    if (m_interim_seen && !m_reader.started()) {
        m_reader.fail(ParseError::truncated);
    } else {
        m_reader.end_of_input();
    }
    m_state = m_reader.status();
    return m_state;
}

const Response& ResponseParser::head() const {
    return m_response;
}

Response ResponseParser::take() {
    OASIS_ASSERT(m_state == ParseState::complete);
    Response response = std::move(m_response);
    m_response = Response{};
    m_reader.reset();
    m_request_method = Method::get;
    m_interim_seen = false;
    m_state = ParseState::incomplete;
    return response;
}

ParseError ResponseParser::error() const {
    return m_reader.error();
}

ParseState ResponseParser::state() const {
    return m_state;
}

detail::MessageParts ResponseParser::parts() {
    return {m_response.fields, m_response.body, m_response.trailers};
}

HeadEnd ResponseParser::end_head() {
    // RFC 9110 §15.2: interim responses precede the final one and are
    // skipped; 101 is final here, since this client never asks to switch.
    if (m_response.status < 200 && m_response.status != 101) {
        m_interim_seen = true;
        m_response = Response{};
        m_reader.reset();
        return HeadEnd::go_on;
    }
    return frame_body(m_reader, response_framing(m_response, m_request_method, m_reader.limits()));
}
// --- Errors ---

std::string_view parse_error_name(ParseError error) {
    switch (error) {
        case ParseError::bad_syntax:
            return "bad_syntax";
        case ParseError::bare_cr:
            return "bare_cr";
        case ParseError::obsolete_fold:
            return "obsolete_fold";
        case ParseError::space_before_colon:
            return "space_before_colon";
        case ParseError::missing_host:
            return "missing_host";
        case ParseError::bad_content_length:
            return "bad_content_length";
        case ParseError::length_and_chunked:
            return "length_and_chunked";
        case ParseError::bad_transfer_coding:
            return "bad_transfer_coding";
        case ParseError::unknown_coding:
            return "unknown_coding";
        case ParseError::bad_chunk:
            return "bad_chunk";
        case ParseError::start_line_too_long:
            return "start_line_too_long";
        case ParseError::fields_too_large:
            return "fields_too_large";
        case ParseError::chunk_line_too_long:
            return "chunk_line_too_long";
        case ParseError::body_too_large:
            return "body_too_large";
        case ParseError::unsupported_version:
            return "unsupported_version";
        case ParseError::truncated:
            return "truncated";
    }
    return "unknown";
}

void format_value(std::string& out, ParseError error) {
    out += parse_error_name(error);
}

Status status_for(ParseError error) {
    switch (error) {
        case ParseError::unknown_coding:
            return Status::not_implemented;
        case ParseError::start_line_too_long:
            return Status::uri_too_long;
        case ParseError::fields_too_large:
            return Status::request_header_fields_too_large;
        case ParseError::body_too_large:
            return Status::content_too_large;
        case ParseError::unsupported_version:
            return Status::version_not_supported;
        default:
            return Status::bad_request;
    }
}

}  // namespace oasis::http
