// Tests of the HTTP server, static files and client on two Stacks over a simulated network.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto/random.hpp"
#include "core/crypto/sha256.hpp"
#include "core/format.hpp"
#include "core/testing/run.hpp"
#include "core/timeout.hpp"
#include "dev/baked_kv.hpp"
#include "net/sim/client_server.hpp"
#include "services/http/client.hpp"
#include "services/http/semantics.hpp"
#include "services/http/server.hpp"
#include "services/http/static_files.hpp"

namespace oasis::http {
namespace {

using namespace std::chrono_literals;
using net::Ipv4Address;
using net::test_support::ClientServerNetwork;
using testing::run_to_end;

constexpr Ipv4Address server_address = ClientServerNetwork::server_address;
constexpr std::uint16_t port = 80;
// 2026-11-27 12:00:00 UTC, and the files' time, a day earlier.
constexpr std::int64_t now_seconds = 1'795'780'800;
constexpr std::int64_t modified_seconds = now_seconds - 86'400;

// The wall clock stands still; the monotonic one is the scheduler's.
class FixedClock final : public dev::Clock {
public:
    Instant monotonic() override { return Scheduler::current().now(); }
    WallTime wall() override { return WallTime{now_seconds * 1'000'000'000}; }
};

std::string big_file() {
    std::string contents(1024 * 1024, '\0');
    for (std::size_t index = 0; index < contents.size(); ++index) {
        contents[index] = static_cast<char>('a' + (index * 7 + index / 4096) % 26);
    }
    return contents;
}

dev::BakedValue baked(std::string_view key, std::string_view contents) {
    dev::BakedValue value{key, contents, crypto::sha256(as_bytes(contents)), {}};
    value.modified = WallTime{modified_seconds * 1'000'000'000};
    return value;
}

net::PortOptions one_millisecond_link() {
    net::PortOptions link;
    link.faults.delay = 1ms;
    return link;
}

// A file changed at the clock's very second.
dev::BakedValue fresh_value() {
    dev::BakedValue value = baked("fresh.txt", "fresh");
    value.modified = WallTime{now_seconds * 1'000'000'000};
    return value;
}

class HttpServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_values = {
            baked("404.html", m_not_found),
            baked("big.bin", m_big),
            baked("docs/index.html", "<h1>docs</h1>"),
            fresh_value(),
            baked("index.html", m_index),
            baked("style.css", "body{}"),
            baked("style.css.gz", m_style_gz),
        };
        m_store = std::make_unique<dev::BakedKeyValueStore>(m_values);
    }

    void TearDown() override { m_network.stop(); }

    void start_server(ServerConfig config = {}, StaticFilesConfig files = {}) {
        files.redirects.push_back({"/old", "/index.html", 308});
        m_files = std::make_unique<StaticFiles>(*m_store, m_clock, std::move(files));
        m_http = std::make_unique<Server>(*m_files, &m_clock, std::move(config));
        auto listener = m_server->tcp_listen(port);
        ASSERT_TRUE(listener.has_value());
        m_serving = m_scheduler.spawn(m_http->serve(std::move(*listener)));
    }

    Result<Response, ClientError> get(std::string target, Fields fields = {},
                                      Method method = Method::get) {
        ClientRequest request;
        request.method = method;
        request.target = std::move(target);
        request.fields = std::move(fields);
        return run_to_end(m_scheduler,
                          fetch(*m_client, server_address, port, "site", std::move(request)));
    }

    // Sends `bytes` on a fresh connection and collects what comes back
    // until the server closes or is silent for `quiet`.
    std::string exchange_raw(std::string bytes, Duration quiet = 500ms) {
        return run_to_end(m_scheduler, raw(m_client.get(), std::move(bytes), quiet));
    }
    static Task<std::string> raw(net::Stack* stack, std::string bytes, Duration quiet) {
        auto stream = co_await stack->tcp_connect(server_address, port);
        if (!stream) {
            co_return std::string{"connect failed"};
        }
        auto written = co_await stream->write(as_bytes(bytes));
        if (!written) {
            co_return std::string{"write failed"};
        }
        std::string received;
        std::vector<std::byte> buffer(64 * 1024);
        for (;;) {
            auto count = co_await with_timeout(quiet, stream->read(MutableByteView{buffer}));
            if (!count || !*count || **count == 0) {
                break;
            }
            received += as_chars(ByteView{buffer.data(), **count});
        }
        co_return received;
    }

    std::string m_index = "<!doctype html><title>Oasis</title><p>hello</p>";
    std::string m_not_found = "<!doctype html><title>404</title>";
    std::string m_big = big_file();
    std::string m_style_gz = "\x1f\x8b compressed-bytes";
    std::vector<dev::BakedValue> m_values;
    std::unique_ptr<dev::BakedKeyValueStore> m_store;

    ClientServerNetwork m_network{one_millisecond_link()};
    Scheduler& m_scheduler = m_network.scheduler;
    FixedClock m_clock;
    std::unique_ptr<net::Stack>& m_client = m_network.client;
    std::unique_ptr<net::Stack>& m_server = m_network.server;
    std::unique_ptr<StaticFiles> m_files;
    std::unique_ptr<Server> m_http;
    JoinHandle m_serving;
};

TEST_F(HttpServerTest, ServesTheIndexWithValidators) {
    start_server();
    auto response = get("/");
    ASSERT_TRUE(response.has_value()) << format("{}", response.error());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, m_index);
    EXPECT_EQ(response->fields.get("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(response->fields.get("Content-Length"), format("{}", m_index.size()));
    EXPECT_EQ(response->fields.get("Date"), "Fri, 27 Nov 2026 12:00:00 GMT");
    EXPECT_EQ(response->fields.get("Last-Modified"), "Thu, 26 Nov 2026 12:00:00 GMT");
    EXPECT_EQ(response->fields.get("ETag"), make_etag(crypto::sha256(as_bytes(m_index))));
    EXPECT_EQ(response->fields.get("Server"), "Oasis");
    EXPECT_EQ(response->fields.get("Accept-Ranges"), "bytes");
}

TEST_F(HttpServerTest, StreamsALargeFileIntact) {
    start_server();
    auto response = get("/big.bin");
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->fields.get("Content-Type"), "application/octet-stream");
    ASSERT_EQ(response->body.size(), m_big.size());
    EXPECT_TRUE(response->body == m_big);
}

TEST_F(HttpServerTest, HeadHasTheLengthButNoBody) {
    start_server();
    auto response = get("/big.bin", {}, Method::head);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->fields.get("Content-Length"), format("{}", m_big.size()));
    EXPECT_TRUE(response->body.empty());
}

TEST_F(HttpServerTest, ConditionalRequestsGetNotModified) {
    start_server();
    const std::string etag = make_etag(crypto::sha256(as_bytes(m_index)));
    Fields matching;
    matching.add("If-None-Match", "\"other\", " + etag);
    auto response = get("/index.html", matching);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 304);
    EXPECT_TRUE(response->body.empty());
    EXPECT_EQ(response->fields.get("ETag"), etag);
    EXPECT_FALSE(response->fields.get("Content-Length"));

    Fields since;
    since.add("If-Modified-Since", "Thu, 26 Nov 2026 12:00:00 GMT");
    EXPECT_EQ(get("/index.html", since)->status, 304);
    Fields earlier;
    earlier.add("If-Modified-Since", "Thu, 26 Nov 2026 11:59:59 GMT");
    EXPECT_EQ(get("/index.html", earlier)->status, 200);
    // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    Fields both;
    both.add("If-None-Match", "\"other\"");
    both.add("If-Modified-Since", "Thu, 26 Nov 2026 12:00:00 GMT");
    EXPECT_EQ(get("/index.html", both)->status, 200);
}

TEST_F(HttpServerTest, ServesOneByteRange) {
    start_server();
    Fields range;
    range.add("Range", "bytes=1000-1999");
    auto response = get("/big.bin", range);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 206);
    EXPECT_EQ(response->fields.get("Content-Range"), "bytes 1000-1999/1048576");
    EXPECT_EQ(response->body, m_big.substr(1000, 1000));

    Fields suffix;
    suffix.add("Range", "bytes=-10");
    EXPECT_EQ(get("/big.bin", suffix)->body, m_big.substr(m_big.size() - 10));

    Fields beyond;
    beyond.add("Range", "bytes=2000000-");
    auto refused = get("/big.bin", beyond);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 416);
    EXPECT_EQ(refused->fields.get("Content-Range"), "bytes */1048576");

    // An If-Range that holds, by entity tag or by date, keeps the range.
    const std::string etag = make_etag(crypto::sha256(as_bytes(m_big)));
    for (const std::string& validator : {etag, std::string{"Thu, 26 Nov 2026 12:00:00 GMT"}}) {
        Fields current;
        current.add("Range", "bytes=0-9");
        current.add("If-Range", validator);
        EXPECT_EQ(get("/big.bin", current)->status, 206) << validator;
    }
    // A date validates only a Last-Modified at least a second before Date
    // (RFC 9110 §13.1.5): fresh.txt changed this very second.
    Fields fresh;
    fresh.add("Range", "bytes=0-1");
    fresh.add("If-Range", "Fri, 27 Nov 2026 12:00:00 GMT");
    EXPECT_EQ(get("/fresh.txt", fresh)->status, 200);
    fresh.set("If-Range", make_etag(crypto::sha256(as_bytes(std::string_view{"fresh"}))));
    EXPECT_EQ(get("/fresh.txt", fresh)->status, 206);

    // An If-Range that no longer holds gets the whole file.
    Fields stale;
    stale.add("Range", "bytes=0-9");
    stale.add("If-Range", "\"stale\"");
    auto whole = get("/big.bin", stale);
    EXPECT_EQ(whole->status, 200);
    EXPECT_EQ(whole->body.size(), m_big.size());
}

TEST_F(HttpServerTest, ServesTheGzipVariantToClientsThatAcceptIt) {
    start_server();
    Fields gzip;
    gzip.add("Accept-Encoding", "gzip, deflate, br");
    auto compressed = get("/style.css", gzip);
    ASSERT_TRUE(compressed.has_value());
    EXPECT_EQ(compressed->body, m_style_gz);
    EXPECT_EQ(compressed->fields.get("Content-Encoding"), "gzip");
    EXPECT_EQ(compressed->fields.get("Content-Type"), "text/css; charset=utf-8");
    EXPECT_EQ(compressed->fields.get("Vary"), "Accept-Encoding");

    auto plain = get("/style.css");
    EXPECT_EQ(plain->body, "body{}");
    EXPECT_FALSE(plain->fields.get("Content-Encoding"));
    EXPECT_EQ(plain->fields.get("Vary"), "Accept-Encoding");
    EXPECT_NE(plain->fields.get("ETag"), compressed->fields.get("ETag"));

    Fields refused;
    refused.add("Accept-Encoding", "gzip;q=0, *");
    EXPECT_EQ(get("/style.css", refused)->body, "body{}");
}

TEST_F(HttpServerTest, FoldersRedirectsAndMissingFiles) {
    start_server();
    auto folder = get("/docs");
    EXPECT_EQ(folder->status, 301);
    EXPECT_EQ(folder->fields.get("Location"), "/docs/");
    EXPECT_EQ(get("/docs/")->body, "<h1>docs</h1>");

    auto redirect = get("/old");
    EXPECT_EQ(redirect->status, 308);
    EXPECT_EQ(redirect->fields.get("Location"), "/index.html");

    auto missing = get("/nothing/here.html");
    EXPECT_EQ(missing->status, 404);
    EXPECT_EQ(missing->body, m_not_found);
    EXPECT_EQ(missing->fields.get("Content-Type"), "text/html; charset=utf-8");

    EXPECT_EQ(get("/%2e%2e/secret")->status, 400);
    EXPECT_EQ(get("/a%zz")->status, 400);
    EXPECT_EQ(get("/index%2Ehtml")->body, m_index);
    EXPECT_EQ(get("/index.html?query=1")->body, m_index);
}

TEST_F(HttpServerTest, MethodsOtherThanGetAndHead) {
    start_server();
    auto post = get("/", {}, Method::post);
    EXPECT_EQ(post->status, 405);
    EXPECT_EQ(post->fields.get("Allow"), "GET, HEAD");
    const std::string unknown = exchange_raw("BREW / HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_TRUE(unknown.starts_with("HTTP/1.1 501 ")) << unknown;
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
    start_server();
    const std::string replies = exchange_raw(
        "GET /style.css HTTP/1.1\r\nHost: a\r\n\r\n"
        "HEAD /index.html HTTP/1.1\r\nHost: a\r\n\r\n"
        "GET /docs/ HTTP/1.1\r\nHost: a\r\n\r\n");
    const std::size_t first = replies.find("body{}");
    const std::size_t second = replies.find(format("Content-Length: {}", m_index.size()));
    const std::size_t third = replies.find("<h1>docs</h1>");
    ASSERT_NE(first, std::string::npos) << replies;
    ASSERT_NE(second, std::string::npos) << replies;
    ASSERT_NE(third, std::string::npos) << replies;
    EXPECT_LT(first, second);
    EXPECT_LT(second, third);
    // HEAD's body is not sent: the third reply follows its head directly.
    EXPECT_EQ(replies.find(m_index), std::string::npos);
}

TEST_F(HttpServerTest, KeepsAConnectionForSeveralRequests) {
    start_server();
    auto requests = [](net::Stack* stack) -> Task<int> {
        auto connection = co_await ClientConnection::open(*stack, server_address, port, "site");
        if (!connection) {
            co_return -1;
        }
        int good = 0;
        for (const char* target : {"/", "/style.css", "/docs/", "/big.bin"}) {
            ClientRequest request;
            request.target = target;
            auto response = co_await connection->send(std::move(request));
            good += response && response->status == 200 ? 1 : 0;
        }
        co_return connection->is_open() ? good : -2;
    };
    EXPECT_EQ(run_to_end(m_scheduler, requests(m_client.get())), 4);
    EXPECT_EQ(m_http->stats().connections, 1u);
    EXPECT_EQ(m_http->stats().requests, 4u);
}

TEST_F(HttpServerTest, RefusesRequestsBeyondTheLimits) {
    ServerConfig config;
    config.limits.max_start_line = 100;
    config.limits.max_fields_size = 200;
    config.limits.max_body = 1000;
    start_server(config);
    EXPECT_TRUE(exchange_raw("GET /" + std::string(200, 'a') + " HTTP/1.1\r\n\r\n")
                    .starts_with("HTTP/1.1 414 "));
    EXPECT_TRUE(
        exchange_raw("GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(300, 'b') + "\r\n\r\n")
            .starts_with("HTTP/1.1 431 "));
    EXPECT_TRUE(exchange_raw("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n")
                    .starts_with("HTTP/1.1 413 "));
    EXPECT_TRUE(exchange_raw("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                    .starts_with("HTTP/1.1 400 "));
    EXPECT_TRUE(exchange_raw("GET / HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 400 "));
    const std::string closed = exchange_raw("GET / HTTP/1.1\r\n\r\n");
    EXPECT_NE(closed.find("Connection: close\r\n"), std::string::npos);
    EXPECT_EQ(m_http->stats().parse_errors, 6u);
}

Task<int> join(JoinHandle task) {
    co_await task.join();
    co_return 0;
}

// Sends a head one byte every 500 ms and returns what the server answered.
Task<void> trickle_head(net::Stack* stack, std::string* received) {
    auto stream = co_await stack->tcp_connect(server_address, port);
    if (!stream) {
        co_return;
    }
    const std::string head = "GET / HTTP/1.1\r\nHost: a\r\nX-Padding: aaaaaaaaaa\r\n\r\n";
    std::vector<std::byte> buffer(4096);
    for (char c : head) {
        auto written = co_await stream->write(as_bytes(std::string_view{&c, 1}));
        if (!written) {
            co_return;
        }
        auto count = co_await with_timeout(500ms, stream->read(MutableByteView{buffer}));
        if (count && *count && **count > 0) {
            *received += as_chars(ByteView{buffer.data(), **count});
            co_return;
        }
    }
}

TEST_F(HttpServerTest, ASlowHeadTimesOutWhileOthersAreServed) {
    ServerConfig config;
    config.head_timeout = 2s;
    start_server(config);
    std::string slow_reply;
    JoinHandle slow = m_scheduler.spawn(trickle_head(m_client.get(), &slow_reply));
    // Meanwhile other clients are served.
    EXPECT_EQ(get("/")->status, 200);
    EXPECT_EQ(get("/style.css")->status, 200);
    (void)run_to_end(m_scheduler, join(slow));
    EXPECT_TRUE(slow_reply.starts_with("HTTP/1.1 408 ")) << slow_reply;
    EXPECT_EQ(m_http->stats().head_timeouts, 1u);
}

TEST_F(HttpServerTest, AnIdleConnectionIsClosed) {
    ServerConfig config;
    config.idle_timeout = 3s;
    start_server(config);
    const Instant began = m_scheduler.now();
    const std::string reply = exchange_raw("", 10s);
    EXPECT_EQ(reply, "");
    EXPECT_GE(m_scheduler.now() - began, 3s);
    EXPECT_LT(m_scheduler.now() - began, 5s);
    EXPECT_EQ(m_http->stats().idle_closes, 1u);
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitWaitForASlot) {
    ServerConfig config;
    config.max_connections = 1;
    config.idle_timeout = 2s;
    start_server(config);
    // The first connection holds the only slot until its idle timeout.
    std::string idle_reply;
    JoinHandle idle = m_scheduler.spawn(trickle_head(m_client.get(), &idle_reply));
    (void)idle;
    const Instant began = m_scheduler.now();
    EXPECT_EQ(get("/")->status, 200);
    EXPECT_GE(m_scheduler.now() - began, 1s);
    EXPECT_EQ(m_http->stats().connections, 2u);
}

Task<int> pause(Duration duration) {
    co_await sleep_for(duration);
    co_return 0;
}

// Opens a connection and leaves it idle until the stack stops.
Task<void> connect_and_wait(net::Stack* stack) {
    auto stream = co_await stack->tcp_connect(server_address, port);
    if (stream) {
        std::vector<std::byte> buffer(64);
        auto count = co_await stream->read(MutableByteView{buffer});
        (void)count;
    }
}

TEST_F(HttpServerTest, DestroyingTheServerCancelsItsConnections) {
    start_server();
    m_scheduler.spawn(connect_and_wait(m_client.get()));
    (void)exchange_raw("", 1s);  // runs the scheduler until the idle one is being served
    ASSERT_EQ(m_http->stats().active, 2u);
    // The tasks are destroyed after the server, and must not touch it then
    // (AddressSanitizer builds check it).
    m_serving.cancel();
    m_http.reset();
    (void)run_to_end(m_scheduler, pause(100ms));
    EXPECT_EQ(exchange_raw("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), "connect failed");
}

// Answers every request with its own body, and says how many trailer
// fields it had.
class EchoHandler final : public Handler {
public:
    Task<Reply> handle(const Request& request) override {
        Reply reply;
        reply.fields.add("X-Method", request.method_token);
        reply.fields.add("X-Trailers", format("{}", request.trailers.size()));
        reply.body = request.body;
        co_return reply;
    }
};

class HttpEchoTest : public HttpServerTest {
protected:
    void start_echo(ServerConfig config = {}) {
        m_echo_server = std::make_unique<Server>(m_echo, &m_clock, std::move(config));
        auto listener = m_server->tcp_listen(port);
        ASSERT_TRUE(listener.has_value());
        m_scheduler.spawn(m_echo_server->serve(std::move(*listener)));
    }

    EchoHandler m_echo;
    std::unique_ptr<Server> m_echo_server;
};

TEST_F(HttpEchoTest, TheClientPostsABody) {
    start_echo();
    ClientRequest request;
    request.method = Method::post;
    request.target = "/upload";
    request.body = big_file().substr(0, 300'000);
    auto response =
        run_to_end(m_scheduler, fetch(*m_client, server_address, port, "site", request));
    ASSERT_TRUE(response.has_value()) << format("{}", response.error());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->fields.get("X-Method"), "POST");
    EXPECT_TRUE(response->body == request.body);
}

TEST_F(HttpEchoTest, ReadsChunkedBodiesWithTrailers) {
    start_echo();
    const std::string reply = exchange_raw(
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 1\r\n\r\n");
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 200 OK\r\n")) << reply;
    EXPECT_NE(reply.find("Content-Length: 11\r\n"), std::string::npos) << reply;
    EXPECT_NE(reply.find("X-Trailers: 1\r\n"), std::string::npos) << reply;
    EXPECT_TRUE(reply.ends_with("\r\n\r\nhello world")) << reply;
}

// Sends a head that expects 100-continue, waits for the interim response,
// then sends the body; returns everything the server sent.
Task<std::string> expect_continue(net::Stack* stack) {
    auto stream = co_await stack->tcp_connect(server_address, port);
    if (!stream) {
        co_return std::string{};
    }
    std::vector<std::byte> buffer(4096);
    std::string received;
    auto head = co_await stream->write(as_bytes(std::string_view{
        "PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"}));
    auto interim = co_await with_timeout(1s, stream->read(MutableByteView{buffer}));
    if (!head || !interim || !*interim) {
        co_return std::string{"no interim response"};
    }
    received += as_chars(ByteView{buffer.data(), **interim});
    auto body = co_await stream->write(as_bytes(std::string_view{"data"}));
    auto final_response = co_await with_timeout(1s, stream->read(MutableByteView{buffer}));
    if (!body || !final_response || !*final_response) {
        co_return received;
    }
    received += as_chars(ByteView{buffer.data(), **final_response});
    co_return received;
}

TEST_F(HttpEchoTest, AnswersExpectContinueBeforeTheBody) {
    start_echo();
    const std::string reply = run_to_end(m_scheduler, expect_continue(m_client.get()));
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")) << reply;
    EXPECT_TRUE(reply.ends_with("\r\n\r\ndata")) << reply;
    EXPECT_TRUE(exchange_raw("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n"
                             "Content-Length: 4\r\n\r\ndata")
                    .starts_with("HTTP/1.1 417 "));
}

TEST_F(HttpEchoTest, HttpOneZeroKeepsAliveOnlyWhenAsked) {
    start_echo();
    const std::string closing = exchange_raw("GET / HTTP/1.0\r\n\r\n", 10s);
    EXPECT_NE(closing.find("Connection: close\r\n"), std::string::npos) << closing;
    const std::string kept =
        exchange_raw("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n", 10s);
    EXPECT_NE(kept.find("Connection: keep-alive\r\n"), std::string::npos) << kept;
    EXPECT_EQ(m_echo_server->stats().requests, 3u);
}

// A server that answers one request with a fixed response, then closes.
Task<void> answer_once(net::Stack* stack, std::uint16_t listen_port, std::string response) {
    auto listener = stack->tcp_listen(listen_port);
    if (!listener) {
        co_return;
    }
    auto stream = co_await listener->accept();
    if (!stream) {
        co_return;
    }
    std::vector<std::byte> buffer(4096);
    auto request = co_await stream->read(MutableByteView{buffer});
    (void)request;
    auto written = co_await stream->write(as_bytes(response));
    (void)written;
    auto flushed = co_await stream->flush();
    (void)flushed;
}

TEST_F(HttpEchoTest, TheClientReadsChunkedAndCloseDelimitedResponses) {
    m_scheduler.spawn(answer_once(
        m_server.get(), 8081,
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nX-T: 1\r\n\r\n"));
    auto chunked =
        run_to_end(m_scheduler, fetch(*m_client, server_address, 8081, "site", ClientRequest{}));
    ASSERT_TRUE(chunked.has_value()) << format("{}", chunked.error());
    EXPECT_EQ(chunked->body, "abcde");
    EXPECT_EQ(chunked->trailers.get("X-T"), "1");

    m_scheduler.spawn(answer_once(m_server.get(), 8082, "HTTP/1.0 200 OK\r\n\r\nuntil the end"));
    auto until_close =
        run_to_end(m_scheduler, fetch(*m_client, server_address, 8082, "site", ClientRequest{}));
    ASSERT_TRUE(until_close.has_value()) << format("{}", until_close.error());
    EXPECT_EQ(until_close->body, "until the end");

    m_scheduler.spawn(
        answer_once(m_server.get(), 8083, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort"));
    auto truncated =
        run_to_end(m_scheduler, fetch(*m_client, server_address, 8083, "site", ClientRequest{}));
    ASSERT_FALSE(truncated.has_value());
    EXPECT_EQ(truncated.error(), ClientError::receive_failed);

    m_scheduler.spawn(answer_once(m_server.get(), 8084, "HTTP/1.1 2OO OK\r\n\r\n"));
    auto broken =
        run_to_end(m_scheduler, fetch(*m_client, server_address, 8084, "site", ClientRequest{}));
    ASSERT_FALSE(broken.has_value());
    EXPECT_EQ(broken.error(), ClientError::bad_response);
}

}  // namespace
}  // namespace oasis::http
