// StaticFiles: files of a key-value store served over HTTP, with validators, ranges and gzip
// variants.
#include "services/http/static_files.hpp"

#include <algorithm>
#include <charconv>
#include <memory>
#include <utility>

#include "core/format.hpp"
#include "services/http/semantics.hpp"

namespace oasis::http {

namespace {

// A file's bytes, read from the store piece by piece as the server sends them.
class KvBody final : public BodySource {
public:
    KvBody(dev::KeyValueStore& store, std::string key, std::uint64_t first)
        : m_store(store), m_key(std::move(key)), m_first(first) {}

    Task<Result<std::size_t, dev::KvError>> read(std::uint64_t offset,
                                                 MutableByteView into) override {
        auto count = co_await m_store.get_partial(m_key, m_first + offset, into.span());
        if (!count) {
            co_return Error{count.error()};
        }
        co_return *count;
    }

private:
    dev::KeyValueStore& m_store;
    std::string m_key;
    std::uint64_t m_first;
};

std::optional<int> hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return std::nullopt;
}

// The path part of origin-form or absolute-form (RFC 9112 §3.2.1, §3.2.2),
// still encoded; nullopt for authority-form and asterisk-form.
std::optional<std::string_view> encoded_path(std::string_view target) {
    for (std::string_view scheme : {std::string_view{"http://"}, std::string_view{"https://"}}) {
        if (target.size() >= scheme.size() &&
            equals_ignoring_case(target.substr(0, scheme.size()), scheme)) {
            target.remove_prefix(scheme.size());
            const std::size_t slash = target.find_first_of("/?");
            if (slash == std::string_view::npos || target[slash] == '?') {
                return "/";
            }
            target.remove_prefix(slash);
            break;
        }
    }
    if (target.empty() || target.front() != '/') {
        return std::nullopt;
    }
    return target.substr(0, target.find('?'));
}

// RFC 9110 §13.1.5: If-Range holds with an entity tag that strongly
// matches, or with a date when Last-Modified is a strong validator: at
// least a second older than the reply's Date (§8.8.2.2).
bool if_range_allows(std::string_view value, std::string_view etag, WallTime last_modified,
                     WallTime now) {
    const bool is_date = !value.starts_with('"') && !value.starts_with("W/");
    if (is_date && last_modified.seconds() >= now.seconds()) {
        return false;
    }
    return if_range_holds(value, etag, last_modified, now);
}

bool is_redirect_status(std::uint16_t status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

Reply redirect_reply(std::uint16_t status, std::string location) {
    Reply reply = text_reply(status, reason_phrase(status));
    reply.fields.add("Location", std::move(location));
    return reply;
}

}  // namespace

Result<std::string, std::string_view> path_for_target(std::string_view target) {
    std::optional<std::string_view> encoded = encoded_path(target);
    if (!encoded) {
        return Error{std::string_view{"the request-target is not a path"}};
    }
    std::string path;
    path.reserve(encoded->size());
    for (std::size_t index = 0; index < encoded->size(); ++index) {
        char c = (*encoded)[index];
        if (c == '%') {
            const bool complete = index + 2 < encoded->size();
            const std::optional<int> high =
                complete ? hex_value((*encoded)[index + 1]) : std::nullopt;
            const std::optional<int> low =
                complete ? hex_value((*encoded)[index + 2]) : std::nullopt;
            if (!high || !low) {
                return Error{std::string_view{"a bad percent-encoding in the path"}};
            }
            c = static_cast<char>(*high * 16 + *low);
            if (c == '\0') {
                return Error{std::string_view{"an encoded NUL in the path"}};
            }
            index += 2;
        }
        path += c;
    }
    // Dot segments are refused, not resolved: clients resolve them before
    // sending (RFC 3986 §5.2.4), so one that arrives is probing.
    std::string_view rest = path;
    while (!rest.empty()) {
        const std::size_t slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        if (segment == "." || segment == "..") {
            return Error{std::string_view{"a dot segment in the path"}};
        }
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    }
    return path;
}

Result<std::vector<Redirect>, std::string> parse_redirects(std::string_view text) {
    std::vector<Redirect> redirects;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        std::vector<std::string_view> words;
        while (!line.empty()) {
            const std::size_t start = line.find_first_not_of(" \t\r");
            if (start == std::string_view::npos) {
                break;
            }
            line.remove_prefix(start);
            const std::size_t stop = std::min(line.find_first_of(" \t\r"), line.size());
            words.push_back(line.substr(0, stop));
            line.remove_prefix(stop);
        }
        if (words.empty() || words.front().starts_with('#')) {
            continue;
        }
        if (words.size() < 2 || words.size() > 3) {
            return Error{format("line {}: expected PATH LOCATION [STATUS]", line_number)};
        }
        if (!words[0].starts_with('/')) {
            return Error{format("line {}: the path must start with '/'", line_number)};
        }
        Redirect redirect{std::string{words[0]}, std::string{words[1]}, 301};
        if (words.size() == 3) {
            const std::string_view status = words[2];
            const auto [end_of_number, error] =
                std::from_chars(status.data(), status.data() + status.size(), redirect.status);
            if (error != std::errc{} || end_of_number != status.data() + status.size() ||
                !is_redirect_status(redirect.status)) {
                return Error{
                    format("line {}: the status must be 301, 302, 303, 307 or 308", line_number)};
            }
        }
        redirects.push_back(std::move(redirect));
    }
    return redirects;
}

StaticFiles::StaticFiles(dev::KeyValueStore& store, dev::Clock& clock, StaticFilesConfig config)
    : m_store(store), m_clock(clock), m_config(std::move(config)) {}

Task<Reply> StaticFiles::handle(const Request& request) {
    if (request.method == Method::other) {
        co_return text_reply(static_cast<std::uint16_t>(Status::not_implemented),
                             "Not Implemented");
    }
    if (request.method != Method::get && request.method != Method::head) {
        Reply reply = text_reply(static_cast<std::uint16_t>(Status::method_not_allowed),
                                 "Method Not Allowed");
        reply.fields.add("Allow", "GET, HEAD");
        co_return reply;
    }
    auto path = path_for_target(request.target);
    if (!path) {
        co_return text_reply(static_cast<std::uint16_t>(Status::bad_request), path.error());
    }
    for (const Redirect& redirect : m_config.redirects) {
        if (redirect.path == *path) {
            co_return redirect_reply(redirect.status, redirect.location);
        }
    }
    std::string key = path->substr(1);
    if (key.empty() || key.back() == '/') {
        key += m_config.index;
    } else {
        auto kind = co_await m_store.kind(key);
        if (kind && *kind == dev::KvKind::dictionary) {
            // Relative links in the index resolve against the folder only
            // with the slash.
            co_return redirect_reply(static_cast<std::uint16_t>(Status::moved_permanently),
                                     *path + "/");
        }
    }
    auto result = co_await serve_file(request, std::move(key), 200);
    co_return result;
}

Task<Reply> StaticFiles::not_found(const Request& request) {
    if (m_config.not_found_page) {
        auto kind = co_await m_store.kind(*m_config.not_found_page);
        if (kind && *kind == dev::KvKind::value) {
            auto result = co_await serve_file(request, *m_config.not_found_page, 404);
            co_return result;
        }
    }
    co_return text_reply(static_cast<std::uint16_t>(Status::not_found), "Not Found");
}

Task<Reply> StaticFiles::serve_file(const Request& request, std::string key, std::uint16_t status) {
    auto kind = co_await m_store.kind(key);
    if (!kind || *kind != dev::KvKind::value) {
        if (status == 404) {
            co_return text_reply(static_cast<std::uint16_t>(Status::not_found), "Not Found");
        }
        auto result = co_await not_found(request);
        co_return result;
    }
    // The gzip variant is another representation of the same resource
    // (RFC 9110 §8.4): its own bytes, length and ETag.
    bool has_variant = false;
    if (!key.ends_with(".gz")) {
        auto variant_kind = co_await m_store.kind(key + ".gz");
        has_variant = variant_kind && *variant_kind == dev::KvKind::value;
    }
    const bool use_variant =
        has_variant && accepts_coding(request.fields.get("Accept-Encoding").value_or(""), "gzip");
    const std::string served = use_variant ? key + ".gz" : key;
    auto size = co_await m_store.size(served);
    auto digest = co_await m_store.digest(served);
    auto modified = co_await m_store.last_modified(served);
    if (!size || !digest || !modified) {
        co_return text_reply(static_cast<std::uint16_t>(Status::internal_server_error),
                             "Internal Server Error");
    }
    const WallTime now = m_clock.wall();
    // A Last-Modified in the future would make a cache keep the file for
    // ever (RFC 9110 §8.8.2.1).
    const WallTime last_modified = std::min(*modified, now);
    const std::string etag = make_etag(*digest);

    Reply reply;
    reply.status = status;
    reply.fields.add("Content-Type", std::string{content_type_for(key)});
    if (use_variant) {
        reply.fields.add("Content-Encoding", "gzip");
    }
    if (has_variant) {
        reply.fields.add("Vary", "Accept-Encoding");
    }
    if (status == 200) {
        reply.fields.add("ETag", etag);
        reply.fields.add("Last-Modified", format_http_date(last_modified));
        reply.fields.add("Accept-Ranges", "bytes");
    }
    if (!m_config.cache_control.empty()) {
        reply.fields.add("Cache-Control", m_config.cache_control);
    }
    std::uint64_t first = 0;
    std::uint64_t length = *size;
    if (status == 200) {
        // RFC 9110 §13.2.2: If-None-Match, else If-Modified-Since (for GET
        // and HEAD), then the range.
        std::optional<std::string_view> none_match = request.fields.get("If-None-Match");
        std::optional<std::string_view> modified_since = request.fields.get("If-Modified-Since");
        bool not_modified = false;
        if (none_match) {
            not_modified = none_match_hits(*none_match, etag);
        } else if (modified_since) {
            std::optional<WallTime> since = parse_http_date(*modified_since, now);
            not_modified = since && last_modified.seconds() <= since->seconds();
        }
        if (not_modified) {
            reply.status = static_cast<std::uint16_t>(Status::not_modified);
            reply.fields.remove("Content-Type");
            reply.fields.remove("Content-Encoding");
            reply.fields.remove("Accept-Ranges");
            co_return reply;
        }
        std::optional<std::string_view> range = request.fields.get("Range");
        std::optional<std::string_view> if_range = request.fields.get("If-Range");
        if (range && request.method == Method::get &&
            (!if_range || if_range_allows(*if_range, etag, last_modified, now))) {
            const RangeRequest wanted = parse_range(*range, *size);
            if (wanted.outcome == RangeOutcome::unsatisfiable) {
                Reply refusal =
                    text_reply(static_cast<std::uint16_t>(Status::range_not_satisfiable),
                               "Range Not Satisfiable");
                refusal.fields.add("Content-Range", format_unsatisfied_range(*size));
                co_return refusal;
            }
            if (wanted.outcome == RangeOutcome::satisfiable) {
                reply.status = static_cast<std::uint16_t>(Status::partial_content);
                reply.fields.add("Content-Range", format_content_range(wanted.range, *size));
                first = wanted.range.first;
                length = wanted.range.size();
            }
        }
    }
    reply.source = std::make_unique<KvBody>(m_store, served, first);
    reply.source_length = length;
    co_return reply;
}

}  // namespace oasis::http
