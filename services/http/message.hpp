// HTTP/1.1 messages as the server and the client hold them: methods, status codes, header fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oasis::http {

// RFC 9110 §9. `other` is a syntactically valid method this code does not
// know (the server answers 501, §9.1).
enum class Method : std::uint8_t {
    get,
    head,
    post,
    put,
    delete_,
    connect,
    options,
    trace,
    patch,
    other
};

// The method a token names ("GET" -> get); methods are case-sensitive (§9.1).
Method method_from_token(std::string_view token);
std::string_view method_name(Method method);

// RFC 9112 §2.3. Only 1.0 and 1.1 are parsed; 1.x for x > 1 is read as 1.1
// (RFC 9110 §6.2: a recipient treats a higher minor version as the highest it
// supports), and another major version is refused with 505.
struct Version {
    std::uint8_t major = 1;
    std::uint8_t minor = 1;
    friend bool operator==(const Version&, const Version&) = default;
};

// The status codes Oasis sends or reads by name (RFC 9110 §15). Any other
// three-digit code is still carried as a number.
enum class Status : std::uint16_t {
    continue_ = 100,
    ok = 200,
    no_content = 204,
    partial_content = 206,
    moved_permanently = 301,
    found = 302,
    see_other = 303,
    not_modified = 304,
    temporary_redirect = 307,
    permanent_redirect = 308,
    bad_request = 400,
    forbidden = 403,
    not_found = 404,
    method_not_allowed = 405,
    request_timeout = 408,
    length_required = 411,
    precondition_failed = 412,
    content_too_large = 413,
    uri_too_long = 414,
    range_not_satisfiable = 416,
    expectation_failed = 417,
    request_header_fields_too_large = 431,  // RFC 6585 §5
    internal_server_error = 500,
    not_implemented = 501,
    service_unavailable = 503,
    version_not_supported = 505,
};

// "Not Found" for 404; "" for a code without a registered phrase (the
// reason phrase is optional, RFC 9112 §4).
std::string_view reason_phrase(std::uint16_t status);

// One field line. The name keeps the case it arrived or was added with;
// names compare case-insensitively (RFC 9110 §5.1). The value has no leading
// or trailing whitespace (§5.5).
struct Field {
    std::string name;
    std::string value;
};

// ASCII case-insensitive equality, for field names and tokens.
bool equals_ignoring_case(std::string_view a, std::string_view b);

// The field lines of a message, in order. Lookups are linear: a message has
// at most HttpLimits::max_header_count of them.
class Fields {
public:
    void add(std::string name, std::string value);
    // Replaces every line of that name with one (or adds it).
    void set(std::string_view name, std::string value);
    void remove(std::string_view name);

    // The first value of `name`, if any.
    std::optional<std::string_view> get(std::string_view name) const;
    std::size_t count(std::string_view name) const;
    // Whether a comma-separated list field (RFC 9110 §5.6.1) of that name,
    // over all its lines, holds `token` (case-insensitively): "Connection:
    // keep-alive, Upgrade" contains "upgrade".
    bool list_contains(std::string_view name, std::string_view token) const;

    const std::vector<Field>& lines() const { return m_lines; }
    std::size_t size() const { return m_lines.size(); }
    bool empty() const { return m_lines.empty(); }

private:
    std::vector<Field> m_lines;
};

// A request as the server hands it to a handler: the head, and the whole
// body (decoded from chunked transfer coding; at most HttpLimits::max_body).
struct Request {
    Method method = Method::get;
    std::string method_token;  // as received: "GET", or the unknown method's name
    std::string target;        // the request-target as received (RFC 9112 §3.2)
    Version version;
    Fields fields;
    std::string body;
    // Fields of the chunked trailer section (RFC 9112 §7.1.2), kept apart
    // from the head's: nothing in them may change how the head is read.
    Fields trailers;

    // Whether the connection stays open after the response (RFC 9112 §9.3):
    // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection:
    // keep-alive".
    bool keeps_alive() const;
};

// A response as the client reads it.
struct Response {
    Version version;
    std::uint16_t status = 0;
    std::string reason;
    Fields fields;
    std::string body;
    Fields trailers;
};

}  // namespace oasis::http
