// The HTTP/1.1 client: a request written whole, the response parsed as it arrives.
#include "services/http/client.hpp"

#include <utility>

#include "core/format.hpp"
#include "core/scheduler.hpp"
#include "core/timeout.hpp"

namespace oasis::http {

namespace {

constexpr std::size_t read_size = 16 * 1024;

std::string format_request(const ClientRequest& request, std::string_view host) {
    std::string out;
    format_to(out, "{} {} HTTP/1.1\r\n", method_name(request.method), request.target);
    if (request.fields.count("Host") == 0) {
        format_to(out, "Host: {}\r\n", host);
    }
    for (const Field& field : request.fields.lines()) {
        format_to(out, "{}: {}\r\n", field.name, field.value);
    }
    // RFC 9110 §8.6: a request with content says its length; a POST or PUT
    // without says 0, so that the server need not guess.
    const bool sends_length =
        !request.body.empty() || request.method == Method::post || request.method == Method::put;
    if (sends_length && request.fields.count("Content-Length") == 0) {
        format_to(out, "Content-Length: {}\r\n", request.body.size());
    }
    out += "\r\n";
    out += request.body;
    return out;
}

}  // namespace

std::string_view client_error_name(ClientError error) {
    switch (error) {
        case ClientError::connect_failed:
            return "connect_failed";
        case ClientError::send_failed:
            return "send_failed";
        case ClientError::receive_failed:
            return "receive_failed";
        case ClientError::timed_out:
            return "timed_out";
        case ClientError::bad_response:
            return "bad_response";
        case ClientError::closed:
            return "closed";
    }
    return "unknown";
}

void format_value(std::string& out, ClientError error) {
    out += client_error_name(error);
}

ClientConnection::ClientConnection(net::TcpStream stream, std::string host, ClientConfig config)
    : m_stream(std::move(stream)),
      m_host(std::move(host)),
      m_config(config),
      m_parser(config.limits),
      m_input(read_size) {}

Task<Result<ClientConnection, ClientError>> ClientConnection::open(net::Stack& stack,
                                                                   net::Ipv4Address address,
                                                                   std::uint16_t port,
                                                                   std::string host,
                                                                   ClientConfig config) {
    auto stream = co_await stack.tcp_connect(address, port, config.connect_timeout);
    if (!stream) {
        co_return Error{ClientError::connect_failed};
    }
    stream->set_no_delay(true);  // a request is written whole
    co_return ClientConnection(std::move(*stream), std::move(host), config);
}

Task<Result<Response, ClientError>> ClientConnection::send(ClientRequest request) {
    if (!is_open()) {
        co_return Error{ClientError::closed};
    }
    // Unless it succeeds all through, the connection is left in an unknown
    // state and is not reused.
    m_reusable = false;
    const std::string bytes = format_request(request, m_host);
    const Instant deadline = Scheduler::current().now() + m_config.timeout;
    auto written = co_await with_deadline(deadline, m_stream.write(as_bytes(bytes)));
    if (!written) {
        co_return Error{ClientError::timed_out};
    }
    if (!*written) {
        co_return Error{ClientError::send_failed};
    }
    auto response = co_await with_deadline(deadline, receive(request.method));
    if (!response) {
        co_return Error{ClientError::timed_out};
    }
    if (!*response) {
        co_return Error{response->error()};
    }
    const Response& got = **response;
    const bool closes =
        got.fields.list_contains("Connection", "close") ||
        (got.version.minor == 0 && !got.fields.list_contains("Connection", "keep-alive"));
    m_reusable = !closes;
    co_return std::move(**response);
}

Task<Result<Response, ClientError>> ClientConnection::receive(Method method) {
    m_parser.expect(method);
    for (;;) {
        auto count = co_await m_stream.read(MutableByteView{m_input});
        if (!count) {
            co_return Error{ClientError::receive_failed};
        }
        if (*count == 0) {
            // A body delimited by the close ends here; anything else was cut short.
            if (m_parser.finish() == ParseState::complete) {
                co_return m_parser.take();
            }
            co_return Error{ClientError::receive_failed};
        }
        ByteView input{m_input.data(), *count};
        ParseProgress progress = m_parser.feed(input);
        while (progress.state == ParseState::head) {
            input = ByteView{input.data() + progress.consumed, input.size() - progress.consumed};
            progress = m_parser.feed(input);
        }
        if (progress.state == ParseState::failed) {
            co_return Error{ClientError::bad_response};
        }
        if (progress.state == ParseState::complete) {
            // A server sends nothing unasked after a response, so bytes past
            // its end are a broken server's: the connection is not reused.
            if (progress.consumed < input.size()) {
                m_stream.abort();
            }
            co_return m_parser.take();
        }
    }
}

Task<Result<Response, ClientError>> fetch(net::Stack& stack, net::Ipv4Address address,
                                          std::uint16_t port, std::string host,
                                          ClientRequest request, ClientConfig config) {
    request.fields.set("Connection", "close");
    auto connection =
        co_await ClientConnection::open(stack, address, port, std::move(host), config);
    if (!connection) {
        co_return Error{connection.error()};
    }
    auto response = co_await connection->send(std::move(request));
    if (!response) {
        co_return Error{response.error()};
    }
    co_return std::move(*response);
}

}  // namespace oasis::http
