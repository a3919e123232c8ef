// HTTP/1.1 messages: method and status names, and the field list's lookups.
#include "services/http/message.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "services/http/syntax.hpp"

namespace oasis::http {

namespace {

struct MethodName {
    Method method;
    std::string_view name;
};

// RFC 9110 §9.3 and RFC 5789 (PATCH).
constexpr std::array<MethodName, 9> method_names{{
    {Method::get, "GET"},
    {Method::head, "HEAD"},
    {Method::post, "POST"},
    {Method::put, "PUT"},
    {Method::delete_, "DELETE"},
    {Method::connect, "CONNECT"},
    {Method::options, "OPTIONS"},
    {Method::trace, "TRACE"},
    {Method::patch, "PATCH"},
}};

struct ReasonPhrase {
    std::uint16_t status;
    std::string_view phrase;
};

// RFC 9110 §15 and RFC 6585, in ascending order of status.
constexpr std::array<ReasonPhrase, 48> reason_phrases{{
    {100, "Continue"},
    {101, "Switching Protocols"},
    {103, "Early Hints"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content"},
    {206, "Partial Content"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {305, "Use Proxy"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Content"},
    {426, "Upgrade Required"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
}};

char lower_ascii(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

Method method_from_token(std::string_view token) {
    for (const MethodName& entry : method_names) {
        if (entry.name == token) {
            return entry.method;
        }
    }
    return Method::other;
}

std::string_view method_name(Method method) {
    for (const MethodName& entry : method_names) {
        if (entry.method == method) {
            return entry.name;
        }
    }
    // Method::other has no name of its own: the request's method_token does.
    return {};
}

std::string_view reason_phrase(std::uint16_t status) {
    const auto* found = std::lower_bound(
        reason_phrases.begin(), reason_phrases.end(), status,
        [](const ReasonPhrase& entry, std::uint16_t wanted) { return entry.status < wanted; });
    if (found == reason_phrases.end() || found->status != status) {
        return {};
    }
    return found->phrase;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t index = 0; index < a.size(); ++index) {
        if (lower_ascii(a[index]) != lower_ascii(b[index])) {
            return false;
        }
    }
    return true;
}

void Fields::add(std::string name, std::string value) {
    m_lines.push_back(Field{std::move(name), std::move(value)});
}

void Fields::set(std::string_view name, std::string value) {
    auto first = std::find_if(m_lines.begin(), m_lines.end(), [&](const Field& line) {
        return equals_ignoring_case(line.name, name);
    });
    if (first == m_lines.end()) {
        add(std::string{name}, std::move(value));
        return;
    }
    // The first line keeps its place, so the order of the other fields holds.
    first->name = std::string{name};
    first->value = std::move(value);
    m_lines.erase(
        std::remove_if(std::next(first), m_lines.end(),
                       [&](const Field& line) { return equals_ignoring_case(line.name, name); }),
        m_lines.end());
}

void Fields::remove(std::string_view name) {
    m_lines.erase(
        std::remove_if(m_lines.begin(), m_lines.end(),
                       [&](const Field& line) { return equals_ignoring_case(line.name, name); }),
        m_lines.end());
}

std::optional<std::string_view> Fields::get(std::string_view name) const {
    for (const Field& line : m_lines) {
        if (equals_ignoring_case(line.name, name)) {
            return std::string_view{line.value};
        }
    }
    return std::nullopt;
}

std::size_t Fields::count(std::string_view name) const {
    return static_cast<std::size_t>(
        std::count_if(m_lines.begin(), m_lines.end(),
                      [&](const Field& line) { return equals_ignoring_case(line.name, name); }));
}

bool Fields::list_contains(std::string_view name, std::string_view token) const {
    for (const Field& line : m_lines) {
        if (!equals_ignoring_case(line.name, name)) {
            continue;
        }
        bool found = false;
        syntax::for_each_list_element(line.value, [&](std::string_view element) {
            found = found || equals_ignoring_case(element, token);
        });
        if (found) {
            return true;
        }
    }
    return false;
}

bool Request::keeps_alive() const {
    // RFC 9112 §9.3: "close" ends any connection; HTTP/1.0 persists only
    // when the client asked for it.
    if (fields.list_contains("Connection", "close")) {
        return false;
    }
    if (version.major == 1 && version.minor == 0) {
        return fields.list_contains("Connection", "keep-alive");
    }
    return true;
}

}  // namespace oasis::http
