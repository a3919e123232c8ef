// Sans-IO HTTP/1.1 message parsers (RFC 9112): bytes in, whole requests or responses out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/buffer.hpp"
#include "core/result.hpp"
#include "services/http/message.hpp"

namespace oasis::http {

// Bounds on what one message may cost. Every limit is checked as bytes
// arrive, before the memory is spent, so a hostile peer holds at most this
// much per connection.
struct Limits {
    // The request line or status line, CRLF excluded (RFC 9112 §3: 414
    // beyond it).
    std::size_t max_start_line = 8 * 1024;
    // Field lines in the head, and again in a chunked trailer section.
    std::size_t max_field_count = 100;
    // The bytes of all field lines together, line endings included (431
    // beyond either field limit, RFC 6585 §5).
    std::size_t max_fields_size = 16 * 1024;
    // The decoded body (413 beyond it).
    std::uint64_t max_body = 1024 * 1024;
    // One chunk-size line with its extensions, CRLF excluded.
    std::size_t max_chunk_line = 1024;
};

// Why a message is refused. Each maps to the status a server answers with
// (status_for); after any of them the connection must close, since where
// the next message begins is unknown (RFC 9112 §6.3).
enum class ParseError : std::uint8_t {
    bad_syntax,           // not RFC 9112's grammar: 400
    bare_cr,              // a CR not followed by LF (RFC 9112 §2.2): 400
    obsolete_fold,        // a field line folded onto the next (RFC 9112 §5.2): 400
    space_before_colon,   // "Name : value" (RFC 9112 §5.1): 400
    missing_host,         // an HTTP/1.1 request without exactly one Host (RFC 9112 §3.2): 400
    bad_content_length,   // not digits, several differing values, or overflow (RFC 9110 §8.6): 400
    length_and_chunked,   // both Content-Length and Transfer-Encoding (RFC 9112 §6.1): 400
    bad_transfer_coding,  // Transfer-Encoding whose last coding is not chunked, in a request,
                          // or in an HTTP/1.0 request (RFC 9112 §6.1, §6.3): 400
    unknown_coding,       // a transfer coding other than chunked before it: 501
    bad_chunk,            // a chunk size that is not hex, overflows, or lacks its CRLF: 400
    start_line_too_long,  // beyond Limits::max_start_line: 414 for a request
    fields_too_large,     // beyond max_field_count or max_fields_size: 431
    chunk_line_too_long,  // beyond Limits::max_chunk_line: 400
    body_too_large,       // beyond Limits::max_body, declared or decoded: 413
    unsupported_version,  // HTTP/2.0 or another major version: 505
    truncated,            // the input ended (finish()) inside a message
};

std::string_view parse_error_name(ParseError error);
void format_value(std::string& out, ParseError error);
// The status a server answers a request refused for `error` with.
Status status_for(ParseError error);

// Where a parser is after a feed().
enum class ParseState : std::uint8_t {
    incomplete,  // more bytes are needed
    head,        // the head is complete and a body follows: head() is valid, feed() again for
                 // the body (a server may answer "100 Continue" or refuse the request now)
    complete,    // a whole message: take() it
    failed,      // error() says why; feed() consumes nothing more
};

struct ParseProgress {
    std::size_t consumed = 0;  // bytes of the input used; the rest belong to the next message
    ParseState state = ParseState::incomplete;
};

namespace detail {

// How a message's body is delimited (RFC 9112 §6.3), decided from its head.
enum class Framing : std::uint8_t { none, length, chunked, until_close };

struct BodyFraming {
    Framing framing = Framing::none;
    std::uint64_t length = 0;  // for Framing::length
};

// Where the reader puts what it parses: the parser's own message, handed
// over on every call so that nothing points into a parser that moves.
struct MessageParts {
    Fields& fields;
    std::string& body;
    Fields& trailers;
};

// What a parser does at the end of a head: stop so that the caller sees
// state head, or go on reading (no body, a skipped interim response, an error).
enum class HeadEnd : std::uint8_t { stop, go_on };

// The syntax requests and responses share (RFC 9112 §2.2 lines, §5 field
// lines, §6 the body, §7.1 the chunked coding and its trailers). It stops
// where the parser must decide: after the start line, which only the parser
// reads, and after the head, whose framing only the parser can decide.
class MessageReader {
public:
    enum class Event : std::uint8_t {
        need_more,    // every byte of the input was used
        start_line,   // start_line() holds the line, valid until the next read()
        head_end,     // the head's fields are read: call begin_body(), fail() or reset()
        message_end,  // the whole message is read
        failed,       // error() says why
    };
    struct Step {
        std::size_t consumed = 0;
        Event event = Event::need_more;
    };

    explicit MessageReader(const Limits& limits) : m_limits(limits) {}

    // Reads `input` up to the next event. The single state machine of the parsers.
    Step read(ByteView input, MessageParts parts);
    std::string_view start_line() const { return m_start_line; }
    void begin_body(BodyFraming framing);
    void fail(ParseError error);
    // The connection ended: completes a body that runs until the close, or
    // fails with `truncated` inside a message.
    void end_of_input();
    // Makes ready for the next message.
    void reset();

    // Whether a byte of the message (not of skipped empty lines) has arrived.
    bool started() const;
    ParseState status() const;
    ParseError error() const { return m_error; }
    const Limits& limits() const { return m_limits; }

private:
    enum class State : std::uint8_t {
        start_line,        // RFC 9112 §2.2: empty lines, then the start line
        field_line,        // §5: field lines up to the empty line
        head_end,          // waiting for the parser's framing
        body_length,       // §6.3 item 6: a Content-Length's worth of bytes
        body_until_close,  // §6.3 item 8: everything up to the close
        chunk_size,        // §7.1: the chunk-size line with its extensions
        chunk_data,        // §7.1: the chunk's bytes
        chunk_data_end,    // §7.1: the CRLF after them
        chunk_data_lf,     // its LF, after the CR
        trailer_line,      // §7.1.2: trailer field lines up to the empty line
        complete,
        failed,
    };
    // A line, or none yet (every byte kept for the next input), or an error.
    using LineResult = Result<std::optional<std::string_view>, ParseError>;
    enum class SectionStep : std::uint8_t { field_added, section_ended, need_more };

    LineResult take_line(ByteView input, std::size_t& position, std::size_t limit,
                         ParseError too_long);
    Result<SectionStep, ParseError> take_field_line(ByteView input, std::size_t& position,
                                                    Fields& fields);
    Result<void, ParseError> begin_chunk(std::string_view line, std::size_t body_size);
    void append_body(ByteView input, std::size_t& position, std::string& body);
    void start_field_section();

    Limits m_limits;
    State m_state = State::start_line;
    ParseError m_error = ParseError::bad_syntax;
    // The part of a line that arrived in an earlier input.
    std::string m_line;
    bool m_line_complete = false;
    // The bytes of the last complete line, its line ending included.
    std::size_t m_line_bytes = 0;
    std::string_view m_start_line;
    std::size_t m_skipped_bytes = 0;
    bool m_started = false;
    // The current field section (head or trailers): its bytes so far.
    std::size_t m_fields_size = 0;
    // Body or chunk bytes still to come.
    std::uint64_t m_remaining = 0;
};

}  // namespace detail

// Reads requests from a byte stream that arrives in arbitrary pieces.
//
// feed() consumes input up to the end of one message and stops there, so
// pipelined requests are read one at a time: the caller keeps the unconsumed
// bytes, take()s the request, and feeds the rest again. Leading empty lines
// before a request line are skipped (RFC 9112 §2.2). A bare LF ends a line
// as CRLF does (§2.2 allows it); a bare CR is an error.
class RequestParser {
public:
    explicit RequestParser(const Limits& limits = {});

    ParseProgress feed(ByteView input);

    // Whether bytes of a request (not counting skipped empty lines) have
    // arrived since the last take(): a server times the head from there.
    bool started() const;
    // The head so far; valid in state head and complete (body empty until complete).
    const Request& head() const;
    // The complete request; resets the parser for the next one.
    Request take();
    ParseError error() const;
    ParseState state() const;

private:
    detail::MessageParts parts();
    detail::HeadEnd end_head();

    detail::MessageReader m_reader;
    Request m_request;
    ParseState m_state = ParseState::incomplete;
};

// Reads one response per request from a byte stream, for the client. Since
// a response's framing depends on the request (RFC 9112 §6.3: no body for
// HEAD, 1xx, 204 or 304), expect() must be called before each response's
// bytes are fed. 1xx interim responses are skipped. A response with neither
// Content-Length nor chunked coding runs to the end of the connection:
// finish() marks that end.
class ResponseParser {
public:
    explicit ResponseParser(const Limits& limits = {});

    // The next response answers a request with this method.
    void expect(Method request_method);
    ParseProgress feed(ByteView input);
    // The connection ended: completes a body delimited by the close, or
    // fails with `truncated` inside a message.
    ParseState finish();

    // The head so far; valid in state head and complete (body empty until complete).
    const Response& head() const;
    Response take();
    ParseError error() const;
    ParseState state() const;

private:
    detail::MessageParts parts();
    detail::HeadEnd end_head();

    detail::MessageReader m_reader;
    Response m_response;
    Method m_request_method = Method::get;
    // Whether a 1xx interim response was skipped: the final one has begun.
    bool m_interim_seen = false;
    ParseState m_state = ParseState::incomplete;
};

}  // namespace oasis::http
