// A small HTTP/1.1 client on the Oasis stack: requests with bodies, responses read whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/task.hpp"
#include "core/time.hpp"
#include "net/stack.hpp"
#include "services/http/message.hpp"
#include "services/http/parser.hpp"

namespace oasis::http {

enum class ClientError : std::uint8_t {
    connect_failed,  // no TCP connection (refused, unreachable, timed out)
    send_failed,     // the connection failed while the request was written
    receive_failed,  // the connection failed or closed before the response ended
    timed_out,       // the response did not end within ClientConfig::timeout
    bad_response,    // the response broke RFC 9112 or the limits
    closed,          // the connection is no longer usable for another request
};

std::string_view client_error_name(ClientError error);
void format_value(std::string& out, ClientError error);

struct ClientConfig {
    // Bounds on the response, as the server's are on requests.
    Limits limits;
    Duration connect_timeout = std::chrono::seconds(10);
    // From the first byte of a request to the last of its response.
    Duration timeout = std::chrono::seconds(30);
};

struct ClientRequest {
    Method method = Method::get;
    std::string target = "/";
    // Host is added from the connection unless given; Content-Length for
    // a body (or any POST or PUT).
    Fields fields;
    std::string body;
};

// One persistent connection to a server: requests are sent one at a time,
// each after the previous response has been read. The stack must outlive
// it.
class ClientConnection {
public:
    // Connects to `address`:`port`; `host` is the Host field's value
    // ("example.org" or "10.0.0.1:8080").
    static Task<Result<ClientConnection, ClientError>> open(net::Stack& stack,
                                                            net::Ipv4Address address,
                                                            std::uint16_t port, std::string host,
                                                            ClientConfig config = {});

    // Sends the request and reads its response. After an error, or a
    // response that closes the connection, is_open() is false.
    Task<Result<Response, ClientError>> send(ClientRequest request);
    bool is_open() const { return m_stream.is_open() && m_reusable; }

private:
    ClientConnection(net::TcpStream stream, std::string host, ClientConfig config);
    Task<Result<Response, ClientError>> receive(Method method);

    net::TcpStream m_stream;
    std::string m_host;
    ClientConfig m_config;
    ResponseParser m_parser;
    std::vector<std::byte> m_input;
    bool m_reusable = true;
};

// One request on a connection of its own, closed after the response.
Task<Result<Response, ClientError>> fetch(net::Stack& stack, net::Ipv4Address address,
                                          std::uint16_t port, std::string host,
                                          ClientRequest request, ClientConfig config = {});

}  // namespace oasis::http
