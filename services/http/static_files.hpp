// StaticFiles: an HTTP handler that serves the files of a key-value store (a baked-in folder).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/task.hpp"
#include "dev/clock.hpp"
#include "dev/kv.hpp"
#include "services/http/server.hpp"

namespace oasis::http {

// A request path answered with a redirect instead of a file.
struct Redirect {
    std::string path;            // "/old.html": the decoded path, matched exactly
    std::string location;        // "/new.html" or "https://example.org/"
    std::uint16_t status = 301;  // 301, 302, 303, 307 or 308
};

// Reads a redirect list, one rule per line: "PATH LOCATION [STATUS]",
// blank lines and lines starting with '#' ignored. Errors name the line:
// "line 3: the status must be 301, 302, 303, 307 or 308".
Result<std::vector<Redirect>, std::string> parse_redirects(std::string_view text);

struct StaticFilesConfig {
    // The file served for a path that names a folder ("/docs/").
    std::string index = "index.html";
    // A file of the store served, with 404, for paths that name nothing;
    // without it the 404 has a short text body.
    std::optional<std::string> not_found_page = "404.html";
    std::vector<Redirect> redirects;
    // Cache-Control for every file; empty for none. Revalidation is cheap
    // (ETag and Last-Modified are sent), so the default asks for it.
    std::string cache_control = "no-cache";
};

// Serves GET and HEAD from a read-only store, the way a static website
// expects (RFC 9110):
// - "/a/b.css" is the store's "a/b.css"; a folder's path gets its index
//   file, and a folder's path without the trailing slash is redirected to
//   it (301) so that relative links resolve.
// - Content-Type by extension; ETag (from the store's SHA-256) and
//   Last-Modified; If-None-Match and If-Modified-Since answered with 304
//   (§13.1.2, §13.1.3, evaluated in §13.2.2's order).
// - One byte range (Range, If-Range): 206, or 416 when none overlaps.
// - "FILE.gz", when the store has it and the client accepts gzip, is sent
//   instead of FILE with Content-Encoding: gzip, and every reply of a file
//   that has a .gz variant says Vary: Accept-Encoding.
// - Percent-encoded paths are decoded; paths with "." or ".." segments,
//   NUL, or a bad escape get 400; other methods 405 (with Allow), unknown
//   ones 501.
// The store and the clock must outlive the handler.
class StaticFiles : public Handler {
public:
    StaticFiles(dev::KeyValueStore& store, dev::Clock& clock, StaticFilesConfig config);

    Task<Reply> handle(const Request& request) override;

private:
    Task<Reply> serve_file(const Request& request, std::string key, std::uint16_t status);
    Task<Reply> not_found(const Request& request);

    dev::KeyValueStore& m_store;
    dev::Clock& m_clock;
    StaticFilesConfig m_config;
};

// The decoded path a request-target names: origin-form ("/a/b%20c?q" gives
// "/a/b c") or absolute-form ("http://host/a" gives "/a"). Errors (400,
// with the reason): not a path, a bad %-escape, an encoded NUL, or a "."
// or ".." segment, which could otherwise climb out of the store.
Result<std::string, std::string_view> path_for_target(std::string_view target);

}  // namespace oasis::http
