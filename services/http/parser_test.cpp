// Tests of the HTTP/1.1 request and response parsers with requests and responses as curl, Chromium,
// wrk and nginx send them.
#include "services/http/parser.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/format.hpp"

namespace oasis::http {
namespace {

// --- Requests as clients send them (captured from the programs named) ---

// curl 7.88.1 http://127.0.0.1:18080/index.html
constexpr std::string_view curl_get =
    "GET /index.html HTTP/1.1\r\n"
    "Host: 127.0.0.1:18080\r\n"
    "User-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n"
    "\r\n";

// curl -I
constexpr std::string_view curl_head =
    "HEAD / HTTP/1.1\r\n"
    "Host: 127.0.0.1:18080\r\n"
    "User-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n"
    "\r\n";

// curl -d "name=oasis&kind=unikernel"
constexpr std::string_view curl_post =
    "POST /submit HTTP/1.1\r\n"
    "Host: 127.0.0.1:18080\r\n"
    "User-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n"
    "Content-Length: 25\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\n"
    "\r\n"
    "name=oasis&kind=unikernel";

// curl -H "Transfer-Encoding: chunked" --data-binary "hello chunked world"
constexpr std::string_view curl_chunked =
    "POST /upload HTTP/1.1\r\n"
    "Host: 127.0.0.1:18080\r\n"
    "User-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\n"
    "\r\n"
    "13\r\n"
    "hello chunked world\r\n"
    "0\r\n"
    "\r\n";

// Chromium 120 on Linux, typing the address into the address bar.
constexpr std::string_view chromium_get =
    "GET / HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "sec-ch-ua-platform: \"Linux\"\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36\r\n"
    "Accept: "
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/"
    "*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
    "Sec-Fetch-Site: none\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-User: ?1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "\r\n";

// wrk -s scripts/pipeline.lua: three requests in one write.
constexpr std::string_view wrk_pipelined =
    "GET /?foo HTTP/1.1\r\n"
    "Host: 127.0.0.1:18084\r\n"
    "\r\n"
    "GET /?bar HTTP/1.1\r\n"
    "Host: 127.0.0.1:18084\r\n"
    "\r\n"
    "GET /?baz HTTP/1.1\r\n"
    "Host: 127.0.0.1:18084\r\n"
    "\r\n";

// A chunked upload with chunk extensions and a trailer section (RFC 9112 §7.1.1, §7.1.2).
constexpr std::string_view chunked_with_trailers =
    "PUT /files/log.txt HTTP/1.1\r\n"
    "Host: files.example\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Trailer: Digest, Expires\r\n"
    "\r\n"
    "5;name=value\r\n"
    "hello\r\n"
    "7 ; quoted=\"a;b\"; flag\r\n"
    ", world\r\n"
    "A\n"
    "0123456789\n"
    "000\r\n"
    "Digest: sha-256=abc\r\n"
    "Expires: never\r\n"
    "\r\n";

// --- Responses as nginx 1.22.1 sends them ---

// GET /index.html
constexpr std::string_view nginx_index =
    "HTTP/1.1 200 OK\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Fri, 27 Nov 2026 10:47:43 GMT\r\n"
    "Content-Type: text/html\r\n"
    "Content-Length: 72\r\n"
    "Last-Modified: Fri, 27 Nov 2026 10:47:41 GMT\r\n"
    "Connection: close\r\n"
    "ETag: \"6b095fcd-48\"\r\n"
    "Accept-Ranges: bytes\r\n"
    "\r\n"
    "<!doctype html>\n<title>Oasis</title>\n<p>A library operating system.</p>\n";

// HEAD /index.html: the Content-Length of the GET, no body.
constexpr std::string_view nginx_head =
    "HTTP/1.1 200 OK\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Fri, 27 Nov 2026 10:47:43 GMT\r\n"
    "Content-Type: text/html\r\n"
    "Content-Length: 72\r\n"
    "Last-Modified: Fri, 27 Nov 2026 10:47:41 GMT\r\n"
    "Connection: close\r\n"
    "ETag: \"6b095fcd-48\"\r\n"
    "Accept-Ranges: bytes\r\n"
    "\r\n";

// GET through sub_filter, which does not know the length in advance.
constexpr std::string_view nginx_chunked =
    "HTTP/1.1 200 OK\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Fri, 27 Nov 2026 10:47:43 GMT\r\n"
    "Content-Type: text/html\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Connection: close\r\n"
    "\r\n"
    "52\r\n"
    "<!doctype html>\n<title>Oasis unikernel</title>\n<p>A library operating system.</p>\n\r\n"
    "0\r\n"
    "\r\n";

// The same for an HTTP/1.0 request: no chunked coding, the close ends the body.
constexpr std::string_view nginx_until_close =
    "HTTP/1.1 200 OK\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Fri, 27 Nov 2026 10:48:07 GMT\r\n"
    "Content-Type: text/html\r\n"
    "Connection: close\r\n"
    "\r\n"
    "<!doctype html>\n<title>Oasis unikernel</title>\n<p>A library operating system.</p>\n";

constexpr std::string_view nginx_not_found =
    "HTTP/1.1 404 Not Found\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Fri, 27 Nov 2026 10:47:43 GMT\r\n"
    "Content-Type: text/html\r\n"
    "Content-Length: 153\r\n"
    "Connection: close\r\n"
    "\r\n"
    "<html>\r\n"
    "<head><title>404 Not Found</title></head>\r\n"
    "<body>\r\n"
    "<center><h1>404 Not Found</h1></center>\r\n"
    "<hr><center>nginx/1.22.1</center>\r\n"
    "</body>\r\n"
    "</html>\r\n";

constexpr std::string_view nginx_no_content =
    "HTTP/1.1 204 No Content\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Fri, 27 Nov 2026 10:47:43 GMT\r\n"
    "Connection: close\r\n"
    "\r\n";

// If-None-Match with the current entity tag.
constexpr std::string_view nginx_not_modified =
    "HTTP/1.1 304 Not Modified\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Fri, 27 Nov 2026 10:47:56 GMT\r\n"
    "Last-Modified: Fri, 27 Nov 2026 10:47:41 GMT\r\n"
    "Connection: close\r\n"
    "ETag: \"6b095fcd-48\"\r\n"
    "\r\n";

// A WebDAV PUT with "Expect: 100-continue": the interim response, then the final one.
constexpr std::string_view nginx_continue_then_created =
    "HTTP/1.1 100 Continue\r\n"
    "\r\n"
    "HTTP/1.1 201 Created\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Fri, 27 Nov 2026 10:48:02 GMT\r\n"
    "Content-Length: 0\r\n"
    "Location: http://127.0.0.1:18090/upload/x.txt\r\n"
    "Connection: close\r\n"
    "\r\n";

// --- Running a parser over pieces of a stream ---

using Pieces = std::vector<std::string_view>;

// A string literal with the NUL bytes inside it, but not the one at its end.
template <std::size_t size>
constexpr std::string_view bytes_of(const char (&text)[size]) {
    return {text, size - 1};
}

Pieces split_at(std::string_view text, std::size_t position) {
    return {text.substr(0, position), text.substr(position)};
}

Pieces byte_by_byte(std::string_view text) {
    Pieces pieces;
    for (std::size_t index = 0; index < text.size(); ++index) {
        pieces.push_back(text.substr(index, 1));
    }
    return pieces;
}

void describe_fields(std::string& out, const Fields& fields) {
    for (const Field& field : fields.lines()) {
        format_to(out, "{}: {}\n", field.name, field.value);
    }
}

std::string describe(const Request& request) {
    std::string out =
        format("{} ({}) {} HTTP/{}.{}\n", request.method_token, static_cast<int>(request.method),
               request.target, request.version.major, request.version.minor);
    describe_fields(out, request.fields);
    format_to(out, "body[{}]: {}\n", request.body.size(), request.body);
    describe_fields(out, request.trailers);
    return out;
}

std::string describe(const Response& response) {
    std::string out = format("HTTP/{}.{} {} '{}'\n", response.version.major, response.version.minor,
                             response.status, response.reason);
    describe_fields(out, response.fields);
    format_to(out, "body[{}]: {}\n", response.body.size(), response.body);
    describe_fields(out, response.trailers);
    return out;
}

// What a stream parsed into: the messages in order, how often the parser
// stopped at a head, and how it ended.
struct Transcript {
    std::vector<std::string> messages;
    std::size_t heads = 0;
    ParseState end = ParseState::incomplete;
    std::optional<ParseError> error;
    friend bool operator==(const Transcript&, const Transcript&) = default;
};

void PrintTo(const Transcript& transcript, std::ostream* out) {
    *out << transcript.messages.size() << " messages, " << transcript.heads << " heads, end "
         << static_cast<int>(transcript.end) << ", error "
         << (transcript.error ? parse_error_name(*transcript.error) : "none") << "\n";
    for (const std::string& message : transcript.messages) {
        *out << "---\n" << message;
    }
}

// How the response side of a run is driven: the method of each request
// answered, and whether the connection closes after the last piece.
struct ResponseScript {
    std::vector<Method> methods;
    bool close = false;
};

// Feeds `pieces` in order as a server or client would, taking each message.
template <typename Parser>
Transcript run(Parser& parser, const Pieces& pieces, const ResponseScript& script = {}) {
    Transcript transcript;
    std::size_t taken = 0;
    const auto expect_next = [&] {
        if constexpr (std::is_same_v<Parser, ResponseParser>) {
            parser.expect(taken < script.methods.size() ? script.methods[taken] : Method::get);
        }
    };
    expect_next();
    for (std::string_view piece : pieces) {
        while (true) {
            const ParseProgress progress = parser.feed(as_bytes(piece));
            EXPECT_LE(progress.consumed, piece.size());
            EXPECT_EQ(progress.state, parser.state());
            piece.remove_prefix(progress.consumed);
            if (progress.state == ParseState::head) {
                ++transcript.heads;
                EXPECT_TRUE(parser.head().body.empty());
            } else if (progress.state == ParseState::complete) {
                transcript.messages.push_back(describe(parser.take()));
                ++taken;
                expect_next();
            } else if (progress.state == ParseState::failed) {
                transcript.end = ParseState::failed;
                transcript.error = parser.error();
                EXPECT_EQ(parser.feed(as_bytes(piece)).consumed, 0u);
                return transcript;
            } else {
                EXPECT_TRUE(piece.empty()) << "incomplete with bytes left";
                break;
            }
        }
    }
    if constexpr (std::is_same_v<Parser, ResponseParser>) {
        if (script.close && parser.finish() == ParseState::complete) {
            transcript.messages.push_back(describe(parser.take()));
        }
    }
    transcript.end = parser.state();
    if (transcript.end == ParseState::failed) {
        transcript.error = parser.error();
    }
    return transcript;
}

Transcript parse_requests(const Pieces& pieces, const Limits& limits = {}) {
    RequestParser parser{limits};
    return run(parser, pieces);
}

Transcript parse_responses(const Pieces& pieces, const ResponseScript& script,
                           const Limits& limits = {}) {
    ResponseParser parser{limits};
    return run(parser, pieces, script);
}

// Parses `text` whole, split in two at every position, and a byte at a
// time, expecting the same transcript each way; returns it.
template <typename Parse>
Transcript parse_every_way(std::string_view text, Parse parse) {
    const Transcript whole = parse(Pieces{text});
    for (std::size_t position = 1; position < text.size(); ++position) {
        const Transcript split = parse(split_at(text, position));
        if (split != whole) {
            ADD_FAILURE() << "split at " << position << " differs";
            EXPECT_EQ(split, whole);
            return whole;
        }
    }
    EXPECT_EQ(parse(byte_by_byte(text)), whole) << "byte by byte";
    return whole;
}

Transcript requests_every_way(std::string_view text, const Limits& limits = {}) {
    return parse_every_way(text,
                           [&](const Pieces& pieces) { return parse_requests(pieces, limits); });
}

Transcript responses_every_way(std::string_view text, const ResponseScript& script,
                               const Limits& limits = {}) {
    return parse_every_way(
        text, [&](const Pieces& pieces) { return parse_responses(pieces, script, limits); });
}

// The request in `text`, parsed whole, which must be complete.
Request parse_one_request(std::string_view text) {
    RequestParser parser;
    ParseProgress progress = parser.feed(as_bytes(text));
    if (progress.state == ParseState::head) {
        progress = parser.feed(as_bytes(text.substr(progress.consumed)));
    }
    EXPECT_EQ(progress.state, ParseState::complete);
    return progress.state == ParseState::complete ? parser.take() : Request{};
}

std::optional<ParseError> request_error(std::string_view text, const Limits& limits = {}) {
    return requests_every_way(text, limits).error;
}

std::optional<ParseError> response_error(std::string_view text, Method method = Method::get,
                                         const Limits& limits = {}) {
    return responses_every_way(text, ResponseScript{{method}, true}, limits).error;
}

// --- Requests ---

TEST(HttpRequestParser, CurlGet) {
    const Request request = parse_one_request(curl_get);
    EXPECT_EQ(request.method, Method::get);
    EXPECT_EQ(request.method_token, "GET");
    EXPECT_EQ(request.target, "/index.html");
    EXPECT_EQ(request.version, (Version{1, 1}));
    ASSERT_EQ(request.fields.size(), 3u);
    EXPECT_EQ(request.fields.lines()[0].name, "Host");
    EXPECT_EQ(request.fields.get("host"), "127.0.0.1:18080");
    EXPECT_EQ(request.fields.get("User-Agent"), "curl/7.88.1");
    EXPECT_EQ(request.fields.get("Accept"), "*/*");
    EXPECT_TRUE(request.body.empty());

    const Transcript transcript = requests_every_way(curl_get);
    EXPECT_EQ(transcript.messages, std::vector<std::string>{describe(request)});
    EXPECT_EQ(transcript.heads, 0u) << "a request without a body goes straight to complete";
    EXPECT_EQ(transcript.end, ParseState::incomplete);
}

TEST(HttpRequestParser, CurlHead) {
    const Request request = parse_one_request(curl_head);
    EXPECT_EQ(request.method, Method::head);
    EXPECT_EQ(request.target, "/");
    EXPECT_EQ(requests_every_way(curl_head).messages.size(), 1u);
}

TEST(HttpRequestParser, ChromiumGet) {
    const Request request = parse_one_request(chromium_get);
    EXPECT_EQ(request.fields.size(), 14u);
    EXPECT_EQ(request.fields.get("sec-ch-ua"), "\"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\"");
    EXPECT_EQ(request.fields.get("accept-encoding"), "gzip, deflate, br");
    EXPECT_TRUE(request.fields.list_contains("Accept-Encoding", "br"));
    EXPECT_TRUE(request.keeps_alive());
    EXPECT_EQ(requests_every_way(chromium_get).messages.size(), 1u);
}

TEST(HttpRequestParser, PostWithContentLength) {
    const Request request = parse_one_request(curl_post);
    EXPECT_EQ(request.method, Method::post);
    EXPECT_EQ(request.body, "name=oasis&kind=unikernel");
    const Transcript transcript = requests_every_way(curl_post);
    EXPECT_EQ(transcript.messages, std::vector<std::string>{describe(request)});
    EXPECT_EQ(transcript.heads, 1u);
}

TEST(HttpRequestParser, HeadStateComesOnceBeforeTheBody) {
    RequestParser parser;
    const std::string_view head = curl_post.substr(0, curl_post.find("name="));
    ParseProgress progress = parser.feed(as_bytes(curl_post));
    EXPECT_EQ(progress.state, ParseState::head);
    EXPECT_EQ(progress.consumed, head.size());
    EXPECT_EQ(parser.head().fields.get("Content-Length"), "25");
    EXPECT_TRUE(parser.head().body.empty());

    progress = parser.feed(as_bytes(curl_post.substr(head.size(), 10)));
    EXPECT_EQ(progress.state, ParseState::incomplete);
    EXPECT_EQ(progress.consumed, 10u);
    progress = parser.feed(as_bytes(curl_post.substr(head.size() + 10)));
    EXPECT_EQ(progress.state, ParseState::complete);
    EXPECT_EQ(progress.consumed, 15u);
    EXPECT_EQ(parser.take().body, "name=oasis&kind=unikernel");
}

TEST(HttpRequestParser, CurlChunkedPost) {
    const Request request = parse_one_request(curl_chunked);
    EXPECT_EQ(request.body, "hello chunked world");
    EXPECT_TRUE(request.trailers.empty());
    const Transcript transcript = requests_every_way(curl_chunked);
    EXPECT_EQ(transcript.messages, std::vector<std::string>{describe(request)});
    EXPECT_EQ(transcript.heads, 1u);
}

TEST(HttpRequestParser, ChunkExtensionsAndTrailers) {
    const Request request = parse_one_request(chunked_with_trailers);
    EXPECT_EQ(request.method, Method::put);
    EXPECT_EQ(request.body, "hello, world0123456789");
    ASSERT_EQ(request.trailers.size(), 2u);
    EXPECT_EQ(request.trailers.get("Digest"), "sha-256=abc");
    EXPECT_EQ(request.trailers.get("Expires"), "never");
    EXPECT_FALSE(request.fields.get("Digest")) << "trailers stay apart from the head";
    EXPECT_EQ(requests_every_way(chunked_with_trailers).messages,
              std::vector<std::string>{describe(request)});
}

TEST(HttpRequestParser, PipelinedRequestsAreReadOneByOne) {
    RequestParser parser;
    std::string_view rest = wrk_pipelined;
    for (std::string_view target : {"/?foo", "/?bar", "/?baz"}) {
        const ParseProgress progress = parser.feed(as_bytes(rest));
        ASSERT_EQ(progress.state, ParseState::complete);
        EXPECT_EQ(progress.consumed, wrk_pipelined.size() / 3);
        EXPECT_EQ(parser.take().target, target);
        rest.remove_prefix(progress.consumed);
    }
    EXPECT_TRUE(rest.empty());
    EXPECT_EQ(parser.feed(as_bytes(rest)).state, ParseState::incomplete);
    EXPECT_FALSE(parser.started());

    const Transcript transcript = requests_every_way(wrk_pipelined);
    EXPECT_EQ(transcript.messages.size(), 3u);
}

TEST(HttpRequestParser, PipelinedRequestsWithBodies) {
    const std::string stream =
        std::string{curl_post} + std::string{curl_chunked} + std::string{curl_get};
    RequestParser parser;
    std::string_view rest = stream;
    std::vector<std::size_t> consumed;
    while (!rest.empty()) {
        const ParseProgress progress = parser.feed(as_bytes(rest));
        ASSERT_NE(progress.state, ParseState::failed);
        consumed.push_back(progress.consumed);
        rest.remove_prefix(progress.consumed);
        if (progress.state == ParseState::complete) {
            parser.take();
        }
    }
    const std::size_t post_head = curl_post.find("name=");
    const std::size_t chunked_head = curl_chunked.find("13\r\n");
    EXPECT_EQ(consumed,
              (std::vector<std::size_t>{post_head, curl_post.size() - post_head, chunked_head,
                                        curl_chunked.size() - chunked_head, curl_get.size()}));
    const Transcript transcript = requests_every_way(stream);
    EXPECT_EQ(transcript.messages.size(), 3u);
    EXPECT_EQ(transcript.heads, 2u);
}

TEST(HttpRequestParser, LeadingEmptyLinesAreSkipped) {
    const std::string text = "\r\n\n\r\n" + std::string{curl_get};
    RequestParser parser;
    EXPECT_EQ(parser.feed(as_bytes(std::string_view{"\r\n\r"})).state, ParseState::incomplete);
    EXPECT_FALSE(parser.started()) << "empty lines are not a request";
    EXPECT_EQ(parser.feed(as_bytes(std::string_view{"\nG"})).state, ParseState::incomplete);
    EXPECT_TRUE(parser.started());

    const Transcript transcript = requests_every_way(text);
    ASSERT_EQ(transcript.messages.size(), 1u);
    EXPECT_EQ(transcript.messages[0], describe(parse_one_request(curl_get)));
}

TEST(HttpRequestParser, EndlessEmptyLinesAreBounded) {
    Limits limits;
    limits.max_start_line = 16;
    const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    EXPECT_EQ(request_error(std::string(16, '\n') + request, limits), std::nullopt);
    EXPECT_EQ(request_error(std::string(17, '\n') + request, limits),
              ParseError::start_line_too_long);
}

TEST(HttpRequestParser, BareLineFeedsEndLines) {
    const Request request = parse_one_request("GET /a HTTP/1.1\nHost: x\nAccept: */*\n\n");
    EXPECT_EQ(request.target, "/a");
    EXPECT_EQ(request.fields.get("Accept"), "*/*");
}

TEST(HttpRequestParser, FieldValuesAreTrimmedAndKeepInnerWhitespace) {
    const Request request = parse_one_request(
        "GET / HTTP/1.1\r\nHost:\texample.com \t\r\nX-Empty:\r\nX-Inner: a  b\tc\r\n"
        "X-Obs-Text: caf\xc3\xa9\r\n\r\n");
    EXPECT_EQ(request.fields.get("Host"), "example.com");
    EXPECT_EQ(request.fields.get("X-Empty"), "");
    EXPECT_EQ(request.fields.get("X-Inner"), "a  b\tc");
    EXPECT_EQ(request.fields.get("X-Obs-Text"), "caf\xc3\xa9");
}

TEST(HttpRequestParser, VersionsAndMethods) {
    const Request old = parse_one_request("GET / HTTP/1.0\r\n\r\n");
    EXPECT_EQ(old.version, (Version{1, 0}));
    EXPECT_FALSE(old.keeps_alive());
    // RFC 9110 §6.2: a higher minor version is read as 1.1.
    EXPECT_EQ(parse_one_request("GET / HTTP/1.7\r\nHost: x\r\n\r\n").version, (Version{1, 1}));
    const Request unknown = parse_one_request("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(unknown.method, Method::other);
    EXPECT_EQ(unknown.method_token, "BREW");
    // Methods are case-sensitive (RFC 9110 §9.1).
    EXPECT_EQ(parse_one_request("get / HTTP/1.1\r\nHost: x\r\n\r\n").method, Method::other);
    EXPECT_EQ(parse_one_request("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").target, "*");
    EXPECT_EQ(
        parse_one_request("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n").method,
        Method::connect);
}

TEST(HttpRequestParser, ContentLengthRepeatedWithOneValue) {
    const std::string_view text =
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\nContent-Length: 003\r\n\r\nabc";
    EXPECT_EQ(parse_one_request(text).body, "abc");
    EXPECT_EQ(requests_every_way(text).messages.size(), 1u);
    EXPECT_EQ(parse_one_request("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").body,
              "");
}

TEST(HttpRequestParser, TransferCodingNamesAreCaseInsensitive) {
    const Request request = parse_one_request(
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: , Chunked\r\n\r\n1\r\na\r\n0\r\n\r\n");
    EXPECT_EQ(request.body, "a");
}

struct ErrorCase {
    std::string_view name;
    std::string_view text;
    ParseError error;
};

// One request for every error, each the smallest that shows it.
const ErrorCase request_error_cases[] = {
    {"double space in the request line", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
     ParseError::bad_syntax},
    {"no version", "GET /\r\nHost: x\r\n\r\n", ParseError::bad_syntax},
    {"space after the version", "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", ParseError::bad_syntax},
    {"tab in the target", "GET /a\tb HTTP/1.1\r\nHost: x\r\n\r\n", ParseError::bad_syntax},
    {"control character in the target", "GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
     ParseError::bad_syntax},
    {"method not a token", "GE(T / HTTP/1.1\r\nHost: x\r\n\r\n", ParseError::bad_syntax},
    {"lower-case version", "GET / http/1.1\r\nHost: x\r\n\r\n", ParseError::bad_syntax},
    {"version of two digits", "GET / HTTP/1.10\r\nHost: x\r\n\r\n", ParseError::bad_syntax},
    {"field without colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n", ParseError::bad_syntax},
    {"empty field name", "GET / HTTP/1.1\r\nHost: x\r\n: value\r\n\r\n", ParseError::bad_syntax},
    {"field name not a token", "GET / HTTP/1.1\r\nHost: x\r\nX-(a): 1\r\n\r\n",
     ParseError::bad_syntax},
    {"NUL in a field value", bytes_of("GET / HTTP/1.1\r\nHost: x\0y\r\n\r\n"),
     ParseError::bad_syntax},
    {"DEL in a field value", "GET / HTTP/1.1\r\nHost: x\x7fy\r\n\r\n", ParseError::bad_syntax},
    {"whitespace before the first field", "GET / HTTP/1.1\r\n Host: x\r\n\r\n",
     ParseError::bad_syntax},
    {"bare CR in the request line", "GET / HTTP/1.1\rHost: x\r\n\r\n", ParseError::bare_cr},
    {"bare CR in a field value", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", ParseError::bare_cr},
    {"bare CR ending the head", "GET / HTTP/1.1\r\nHost: x\r\n\r\r\n", ParseError::bare_cr},
    {"obsolete line folding", "GET / HTTP/1.1\r\nHost: x\r\nX-Long: a\r\n  b\r\n\r\n",
     ParseError::obsolete_fold},
    {"folding with a tab", "GET / HTTP/1.1\r\nHost: x\r\n\tb\r\n\r\n", ParseError::obsolete_fold},
    {"space before the colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
     ParseError::space_before_colon},
    {"tab before the colon", "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", ParseError::space_before_colon},
    {"HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", ParseError::missing_host},
    {"two Host lines", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", ParseError::missing_host},
    {"two Host lines in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n",
     ParseError::missing_host},
    {"negative Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
     ParseError::bad_content_length},
    {"Content-Length with a sign", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n",
     ParseError::bad_content_length},
    {"Content-Length not a number", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
     ParseError::bad_content_length},
    {"empty Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n",
     ParseError::bad_content_length},
    {"differing Content-Length list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\n",
     ParseError::bad_content_length},
    {"differing Content-Length lines",
     "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
     ParseError::bad_content_length},
    {"Content-Length past 2^64",
     "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\n",
     ParseError::bad_content_length},
    {"Content-Length and chunked",
     "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
     ParseError::length_and_chunked},
    {"chunked not last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
     ParseError::bad_transfer_coding},
    {"gzip alone", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
     ParseError::bad_transfer_coding},
    {"chunked twice", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
     ParseError::bad_transfer_coding},
    {"chunked twice over two lines",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
     "chunked\r\n\r\n",
     ParseError::bad_transfer_coding},
    {"empty Transfer-Encoding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \r\n\r\n",
     ParseError::bad_transfer_coding},
    {"Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
     ParseError::bad_transfer_coding},
    {"a coding before chunked",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
     ParseError::unknown_coding},
    {"chunk size not hex", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
     ParseError::bad_chunk},
    {"chunk size past 2^64",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
     ParseError::bad_chunk},
    {"negative chunk size",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
     ParseError::bad_chunk},
    {"empty chunk-size line",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", ParseError::bad_chunk},
    {"space after the chunk size",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\n",
     ParseError::bad_chunk},
    {"chunk size then garbage",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\n",
     ParseError::bad_chunk},
    {"control character in an extension",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\x01\r\n",
     ParseError::bad_chunk},
    {"chunk data without its CRLF",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n",
     ParseError::bad_chunk},
    {"chunk data with CR and no LF",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\r\n",
     ParseError::bad_chunk},
    {"bare CR in a chunk-size line",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r;x\r\n",
     ParseError::bare_cr},
    {"folding in the trailers",
     "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\n 2\r\n\r\n",
     ParseError::obsolete_fold},
    {"NUL in a trailer",
     bytes_of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: \0\r\n\r\n"),
     ParseError::bad_syntax},
    {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", ParseError::unsupported_version},
    {"HTTP/0.9 with a version", "GET / HTTP/0.9\r\nHost: x\r\n\r\n",
     ParseError::unsupported_version},
};

TEST(HttpRequestParser, EveryErrorInItsCase) {
    for (const ErrorCase& error_case : request_error_cases) {
        SCOPED_TRACE(error_case.name);
        const Transcript transcript = requests_every_way(error_case.text);
        EXPECT_EQ(transcript.end, ParseState::failed);
        EXPECT_EQ(transcript.error, error_case.error)
            << "got " << (transcript.error ? parse_error_name(*transcript.error) : "none");
        EXPECT_TRUE(transcript.messages.empty());
    }
}

TEST(HttpRequestParser, FailedStaysFailed) {
    RequestParser parser;
    const ParseProgress progress =
        parser.feed(as_bytes(std::string_view{"GET / HTTP/1.1\r\nHost : x\r\n"}));
    EXPECT_EQ(progress.state, ParseState::failed);
    EXPECT_EQ(parser.error(), ParseError::space_before_colon);
    EXPECT_EQ(parser.feed(as_bytes(curl_get)).consumed, 0u);
    EXPECT_EQ(parser.state(), ParseState::failed);
}

// --- Limits: each accepted exactly at the limit, refused one past it ---

std::string request_line_of_size(std::size_t size) {
    const std::string prefix = "GET /";
    const std::string suffix = " HTTP/1.1";
    return prefix + std::string(size - prefix.size() - suffix.size(), 'a') + suffix;
}

TEST(HttpRequestParserLimits, StartLine) {
    Limits limits;
    limits.max_start_line = 64;
    const std::string fits = request_line_of_size(64) + "\r\nHost: x\r\n\r\n";
    const std::string too_long = request_line_of_size(65) + "\r\nHost: x\r\n\r\n";
    EXPECT_EQ(requests_every_way(fits, limits).messages.size(), 1u);
    EXPECT_EQ(request_error(too_long, limits), ParseError::start_line_too_long);
    EXPECT_EQ(status_for(ParseError::start_line_too_long), Status::uri_too_long);
    // The limit holds before the line ends, whatever comes later.
    RequestParser parser{limits};
    EXPECT_EQ(parser.feed(as_bytes(std::string_view{too_long}.substr(0, 65))).state,
              ParseState::failed);
}

std::string request_with_fields(std::size_t count, std::size_t value_size) {
    std::string text = "GET / HTTP/1.1\r\nHost: x\r\n";
    for (std::size_t index = 1; index < count; ++index) {
        text += format("X-{:03}: {}\r\n", index, std::string(value_size, 'v'));
    }
    return text + "\r\n";
}

TEST(HttpRequestParserLimits, FieldCount) {
    Limits limits;
    limits.max_field_count = 5;
    EXPECT_EQ(requests_every_way(request_with_fields(5, 1), limits).messages.size(), 1u);
    EXPECT_EQ(request_error(request_with_fields(6, 1), limits), ParseError::fields_too_large);
}

TEST(HttpRequestParserLimits, FieldsSize) {
    // "Host: x\r\n" is 9 bytes and each "X-001: vvvv\r\n" 13.
    Limits limits;
    limits.max_fields_size = 9 + 3 * 13;
    EXPECT_EQ(requests_every_way(request_with_fields(4, 4), limits).messages.size(), 1u);
    limits.max_fields_size -= 1;
    EXPECT_EQ(request_error(request_with_fields(4, 4), limits), ParseError::fields_too_large);
    // A single line longer than the whole budget fails before its end arrives.
    RequestParser parser{limits};
    EXPECT_EQ(parser.feed(as_bytes("GET / HTTP/1.1\r\nX: " + std::string(64, 'v'))).state,
              ParseState::failed);
    EXPECT_EQ(status_for(ParseError::fields_too_large), Status::request_header_fields_too_large);
}

TEST(HttpRequestParserLimits, TrailersHaveTheirOwnBudget) {
    Limits limits;
    limits.max_field_count = 2;
    const std::string_view head =
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    EXPECT_EQ(
        requests_every_way(std::string{head} + "0\r\nA: 1\r\nB: 2\r\n\r\n", limits).messages.size(),
        1u);
    EXPECT_EQ(request_error(std::string{head} + "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits),
              ParseError::fields_too_large);
}

TEST(HttpRequestParserLimits, DeclaredBody) {
    Limits limits;
    limits.max_body = 25;
    EXPECT_EQ(requests_every_way(curl_post, limits).messages.size(), 1u);
    limits.max_body = 24;
    // Refused at the head, before any byte of the body.
    const std::string_view head = curl_post.substr(0, curl_post.find("name="));
    EXPECT_EQ(request_error(head, limits), ParseError::body_too_large);
    EXPECT_EQ(
        request_error("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551615\r\n\r\n"),
        ParseError::body_too_large);
    EXPECT_EQ(status_for(ParseError::body_too_large), Status::content_too_large);
}

TEST(HttpRequestParserLimits, DecodedChunkedBody) {
    Limits limits;
    limits.max_body = 19;  // "hello chunked world"
    EXPECT_EQ(requests_every_way(curl_chunked, limits).messages.size(), 1u);
    limits.max_body = 18;
    // Refused at the chunk-size line, before the chunk's data.
    const std::string_view upto_size = curl_chunked.substr(0, curl_chunked.find("hello"));
    EXPECT_EQ(request_error(upto_size, limits), ParseError::body_too_large);
    limits.max_body = 21;
    EXPECT_EQ(request_error("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "14\r\n01234567890123456789\r\n2\r\n",
                            limits),
              ParseError::body_too_large);
}

TEST(HttpRequestParserLimits, ChunkLine) {
    Limits limits;
    limits.max_chunk_line = 12;
    const std::string_view head =
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    // "3;ext=value" with one more 'e' is 12 bytes.
    EXPECT_EQ(requests_every_way(std::string{head} + "3;ext=valuee\r\nabc\r\n0\r\n\r\n", limits)
                  .messages.size(),
              1u);
    EXPECT_EQ(request_error(std::string{head} + "3;ext=valueee\r\nabc\r\n0\r\n\r\n", limits),
              ParseError::chunk_line_too_long);
}

// --- Responses ---

TEST(HttpResponseParser, NginxWithContentLength) {
    const Transcript transcript = responses_every_way(nginx_index, {{Method::get}, false});
    ASSERT_EQ(transcript.messages.size(), 1u);
    EXPECT_EQ(transcript.heads, 1u);
    EXPECT_NE(transcript.messages[0].find("HTTP/1.1 200 'OK'"), std::string::npos);
    EXPECT_NE(transcript.messages[0].find("body[72]: <!doctype html>"), std::string::npos);

    ResponseParser parser;
    parser.expect(Method::get);
    ParseProgress progress = parser.feed(as_bytes(nginx_index));
    ASSERT_EQ(progress.state, ParseState::head);
    EXPECT_EQ(parser.head().status, 200);
    EXPECT_EQ(parser.head().fields.get("ETag"), "\"6b095fcd-48\"");
    progress = parser.feed(as_bytes(nginx_index.substr(progress.consumed)));
    ASSERT_EQ(progress.state, ParseState::complete);
    const Response response = parser.take();
    EXPECT_EQ(response.reason, "OK");
    EXPECT_EQ(response.version, (Version{1, 1}));
    EXPECT_EQ(response.body.size(), 72u);
}

TEST(HttpResponseParser, NginxNotFound) {
    const Transcript transcript = responses_every_way(nginx_not_found, {{Method::get}, false});
    ASSERT_EQ(transcript.messages.size(), 1u);
    EXPECT_NE(transcript.messages[0].find("404 'Not Found'"), std::string::npos);
    EXPECT_NE(transcript.messages[0].find("body[153]"), std::string::npos);
}

TEST(HttpResponseParser, NginxChunked) {
    const Transcript transcript = responses_every_way(nginx_chunked, {{Method::get}, false});
    ASSERT_EQ(transcript.messages.size(), 1u);
    EXPECT_EQ(transcript.heads, 1u);
    EXPECT_NE(transcript.messages[0].find(
                  "body[82]: <!doctype html>\n<title>Oasis unikernel</title>\n<p>A library "
                  "operating system.</p>\n\n"),
              std::string::npos);
}

TEST(HttpResponseParser, HeadResponseHasNoBody) {
    ResponseParser parser;
    parser.expect(Method::head);
    const ParseProgress progress = parser.feed(as_bytes(nginx_head));
    EXPECT_EQ(progress.state, ParseState::complete);
    EXPECT_EQ(progress.consumed, nginx_head.size());
    const Response response = parser.take();
    EXPECT_EQ(response.fields.get("Content-Length"), "72");
    EXPECT_TRUE(response.body.empty());

    const Transcript transcript = responses_every_way(nginx_head, {{Method::head}, true});
    EXPECT_EQ(transcript.messages.size(), 1u);
    EXPECT_EQ(transcript.heads, 0u);
    EXPECT_EQ(transcript.end, ParseState::incomplete) << "the close after it is clean";
}

TEST(HttpResponseParser, NoContentAndNotModifiedHaveNoBody) {
    for (std::string_view text : {nginx_no_content, nginx_not_modified}) {
        // A body-looking tail after them is the next response, not theirs.
        const std::string stream =
            std::string{text} + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        const Transcript transcript =
            responses_every_way(stream, {{Method::get, Method::get}, false});
        ASSERT_EQ(transcript.messages.size(), 2u);
        EXPECT_NE(transcript.messages[0].find("body[0]"), std::string::npos);
        EXPECT_NE(transcript.messages[1].find("body[2]: ok"), std::string::npos);
    }
}

TEST(HttpResponseParser, InterimResponsesAreSkipped) {
    ResponseParser parser;
    parser.expect(Method::put);
    const ParseProgress progress = parser.feed(as_bytes(nginx_continue_then_created));
    EXPECT_EQ(progress.state, ParseState::complete);
    EXPECT_EQ(progress.consumed, nginx_continue_then_created.size());
    const Response response = parser.take();
    EXPECT_EQ(response.status, 201);
    EXPECT_EQ(response.fields.get("Location"), "http://127.0.0.1:18090/upload/x.txt");

    const Transcript transcript =
        responses_every_way(nginx_continue_then_created, {{Method::put}, true});
    EXPECT_EQ(transcript.messages.size(), 1u);
    EXPECT_EQ(transcript.end, ParseState::incomplete);

    // Several, such as 103 Early Hints, then a close before the final one.
    const std::string_view hints =
        "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        "HTTP/1.1 100 Continue\r\n\r\n";
    EXPECT_EQ(response_error(hints), ParseError::truncated);
}

TEST(HttpResponseParser, SwitchingProtocolsIsFinal) {
    const std::string_view text =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    const Transcript transcript = responses_every_way(text, {{Method::get}, false});
    ASSERT_EQ(transcript.messages.size(), 1u);
    EXPECT_NE(transcript.messages[0].find("101 'Switching Protocols'"), std::string::npos);
}

TEST(HttpResponseParser, ConnectSuccessIsATunnel) {
    const std::string_view text = "HTTP/1.1 200 Connection Established\r\n\r\n";
    ResponseParser parser;
    parser.expect(Method::connect);
    const std::string tunnel = std::string{text} + "\x16\x03\x01";
    const ParseProgress progress = parser.feed(as_bytes(tunnel));
    EXPECT_EQ(progress.state, ParseState::complete);
    EXPECT_EQ(progress.consumed, text.size());
}

TEST(HttpResponseParser, BodyUntilClose) {
    const Transcript transcript = responses_every_way(nginx_until_close, {{Method::get}, true});
    ASSERT_EQ(transcript.messages.size(), 1u);
    EXPECT_EQ(transcript.heads, 1u);
    EXPECT_NE(transcript.messages[0].find("body[82]: <!doctype html>"), std::string::npos);

    ResponseParser parser;
    const ParseProgress progress = parser.feed(as_bytes(nginx_until_close));
    EXPECT_EQ(progress.state, ParseState::head);
    EXPECT_EQ(parser.feed(as_bytes(nginx_until_close.substr(progress.consumed))).state,
              ParseState::incomplete);
    EXPECT_EQ(parser.finish(), ParseState::complete);
    EXPECT_EQ(parser.take().body.size(), 82u);
}

TEST(HttpResponseParser, UntilCloseBodyIsBounded) {
    Limits limits;
    limits.max_body = 82;
    EXPECT_EQ(responses_every_way(nginx_until_close, {{Method::get}, true}, limits).messages.size(),
              1u);
    limits.max_body = 81;
    EXPECT_EQ(response_error(nginx_until_close, Method::get, limits), ParseError::body_too_large);
}

TEST(HttpResponseParser, OtherFinalCodingRunsToTheClose) {
    const std::string_view text =
        bytes_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n\x1f\x8b\x08\x00");
    const Transcript transcript = responses_every_way(text, {{Method::get}, true});
    ASSERT_EQ(transcript.messages.size(), 1u);
    EXPECT_NE(transcript.messages[0].find("body[4]"), std::string::npos);
    // RFC 9112 §6.1: Transfer-Encoding from an HTTP/1.0 server is not trusted either.
    const std::string_view old =
        "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
    const Transcript old_transcript = responses_every_way(old, {{Method::get}, true});
    ASSERT_EQ(old_transcript.messages.size(), 1u);
    EXPECT_NE(old_transcript.messages[0].find("body[15]"), std::string::npos);
}

TEST(HttpResponseParser, FinishInsideAMessageIsTruncated) {
    EXPECT_EQ(response_error(nginx_index.substr(0, nginx_index.size() - 1)), ParseError::truncated);
    EXPECT_EQ(response_error(nginx_index.substr(0, 20)), ParseError::truncated);
    EXPECT_EQ(response_error(nginx_chunked.substr(0, nginx_chunked.size() - 2)),
              ParseError::truncated);
    ResponseParser parser;
    EXPECT_EQ(parser.finish(), ParseState::incomplete) << "a close between responses is clean";
    EXPECT_EQ(parser.feed(as_bytes(std::string_view{"\r\n"})).state, ParseState::incomplete);
    EXPECT_EQ(parser.finish(), ParseState::incomplete);
}

TEST(HttpResponseParser, ReasonPhrases) {
    for (std::string_view line : {"HTTP/1.1 200 \r\n\r\n", "HTTP/1.1 200\r\n\r\n"}) {
        const Transcript transcript = responses_every_way(line, {{Method::head}, false});
        ASSERT_EQ(transcript.messages.size(), 1u);
        EXPECT_NE(transcript.messages[0].find("HTTP/1.1 200 ''"), std::string::npos);
    }
    const Transcript spaced =
        responses_every_way("HTTP/1.1 404 Not  Found \r\n\r\n", {{Method::head}, false});
    ASSERT_EQ(spaced.messages.size(), 1u);
    EXPECT_NE(spaced.messages[0].find("404 'Not  Found '"), std::string::npos);
}

TEST(HttpResponseParser, PipelinedResponsesFollowTheirRequests) {
    const std::string stream = std::string{nginx_head} + std::string{nginx_index} +
                               std::string{nginx_no_content} + std::string{nginx_chunked};
    const Transcript transcript =
        responses_every_way(stream, {{Method::head, Method::get, Method::get, Method::get}, true});
    ASSERT_EQ(transcript.messages.size(), 4u);
    EXPECT_EQ(transcript.heads, 2u);
    EXPECT_EQ(transcript.end, ParseState::incomplete);
}

const ErrorCase response_error_cases[] = {
    {"status of two digits", "HTTP/1.1 20 OK\r\n\r\n", ParseError::bad_syntax},
    {"status 600", "HTTP/1.1 600 Odd\r\n\r\n", ParseError::bad_syntax},
    {"status 099", "HTTP/1.1 099 Odd\r\n\r\n", ParseError::bad_syntax},
    {"no space after the status", "HTTP/1.1 200OK\r\n\r\n", ParseError::bad_syntax},
    {"control character in the reason", "HTTP/1.1 200 O\x01K\r\n\r\n", ParseError::bad_syntax},
    {"not HTTP", "SSH-2.0-OpenSSH_9.2\r\n", ParseError::bad_syntax},
    {"HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", ParseError::unsupported_version},
    {"bare CR", "HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n", ParseError::bare_cr},
    {"folding", "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", ParseError::obsolete_fold},
    {"space before the colon", "HTTP/1.1 200 OK\r\nA : b\r\n\r\n", ParseError::space_before_colon},
    {"bad Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
     ParseError::bad_content_length},
    {"Content-Length and chunked",
     "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
     ParseError::length_and_chunked},
    {"chunked twice", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
     ParseError::bad_transfer_coding},
    {"gzip under chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
     ParseError::unknown_coding},
    {"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
     ParseError::bad_chunk},
    {"truncated head", "HTTP/1.1 200 OK\r\nServer: ngi", ParseError::truncated},
    {"truncated chunked body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
     ParseError::truncated},
};

TEST(HttpResponseParser, EveryErrorInItsCase) {
    for (const ErrorCase& error_case : response_error_cases) {
        SCOPED_TRACE(error_case.name);
        EXPECT_EQ(response_error(error_case.text), error_case.error);
    }
}

TEST(HttpResponseParserLimits, StatusLineAndFields) {
    Limits limits;
    limits.max_start_line = 15;  // "HTTP/1.1 200 OK"
    limits.max_field_count = 1;
    EXPECT_EQ(response_error("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", Method::get, limits),
              std::nullopt);
    EXPECT_EQ(response_error("HTTP/1.1 200 OKK\r\nContent-Length: 0\r\n\r\n", Method::get, limits),
              ParseError::start_line_too_long);
    EXPECT_EQ(
        response_error("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nA: b\r\n\r\n", Method::get, limits),
        ParseError::fields_too_large);
}

// --- Errors ---

TEST(HttpParseErrors, NamesAndStatuses) {
    EXPECT_EQ(parse_error_name(ParseError::bare_cr), "bare_cr");
    EXPECT_EQ(format("{}", ParseError::obsolete_fold), "obsolete_fold");
    EXPECT_EQ(status_for(ParseError::bad_syntax), Status::bad_request);
    EXPECT_EQ(status_for(ParseError::missing_host), Status::bad_request);
    EXPECT_EQ(status_for(ParseError::unknown_coding), Status::not_implemented);
    EXPECT_EQ(status_for(ParseError::unsupported_version), Status::version_not_supported);
    EXPECT_EQ(status_for(ParseError::chunk_line_too_long), Status::bad_request);
}

}  // namespace
}  // namespace oasis::http
