// The field values a static-file server reads and writes (RFC 9110): dates, ranges, entity tags,
// content codings, media types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"
#include "dev/kv.hpp"

namespace oasis::http {

// --- Dates (RFC 9110 §5.6.7) ---

// IMF-fixdate, the only form a sender may generate: "Sun, 06 Nov 1994 08:49:37 GMT".
// Sub-second parts are dropped. Times before 1970 are written as the epoch.
std::string format_http_date(WallTime time);
// Any of the three forms a recipient must accept: IMF-fixdate, the obsolete
// RFC 850 form ("Sunday, 06-Nov-94 08:49:37 GMT", two-digit years read per
// §5.6.7's 50-year rule against `now`) and asctime ("Sun Nov  6 08:49:37
// 1994"). Anything else, or an impossible date (31 Feb, hour 24), is
// nullopt: the field is then ignored, as §13.1.3 requires.
std::optional<WallTime> parse_http_date(std::string_view text, WallTime now);

// --- Ranges (RFC 9110 §14) ---

// An inclusive byte range of a representation, last < length.
struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::uint64_t size() const { return last - first + 1; }
    friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

enum class RangeOutcome : std::uint8_t {
    ignore,         // not a bytes range we serve (bad syntax, another unit, several ranges):
                    // send the whole representation with 200, as §14.2 allows
    satisfiable,    // send `range` with 206
    unsatisfiable,  // no range overlaps the representation: 416 (§15.5.17)
};

struct RangeRequest {
    RangeOutcome outcome = RangeOutcome::ignore;
    ByteRange range;
};

// Reads a Range field value against a representation of `length` bytes:
// "bytes=0-499", "bytes=500-" (to the end), "bytes=-500" (the last 500) —
// one range-spec only; a last beyond the end is clamped (§14.1.1). A list
// of several ranges is ignored (served whole) rather than answered with
// multipart/byteranges. An empty representation satisfies no range.
RangeRequest parse_range(std::string_view value, std::uint64_t length);
// Content-Range: "bytes 0-499/1234" (§14.4).
std::string format_content_range(ByteRange range, std::uint64_t length);
// Content-Range of a 416: "bytes */1234".
std::string format_unsatisfied_range(std::uint64_t length);

// --- Entity tags (RFC 9110 §8.8.3, §13.1) ---

// A strong entity tag from a representation's digest: '"' + 32 hex digits
// (the first 128 bits) + '"'.
std::string make_etag(const dev::Sha256Digest& digest);
// If-None-Match (§13.1.2): whether the field value is "*" or a list holding
// an entity tag that weakly matches `etag` (W/ prefixes ignored on both
// sides). A malformed list matches nothing.
bool none_match_hits(std::string_view field_value, std::string_view etag);
// If-Range (§13.1.5): whether a range request may be honoured: the value is
// an entity tag strongly equal to `etag`, or an HTTP date equal to
// `last_modified` (to the second). Weak tags and other dates do not match.
bool if_range_holds(std::string_view field_value, std::string_view etag, WallTime last_modified,
                    WallTime now);

// --- Content codings (RFC 9110 §12.5.3) ---

// Whether Accept-Encoding `field_value` accepts `coding` ("gzip"): listed,
// or matched by "*", with a qvalue above 0 (a more specific entry wins over
// "*"; "x-gzip" counts as "gzip", §8.4.1.3). Qvalues are read as integers in
// thousandths (no floating point in the guest).
bool accepts_coding(std::string_view field_value, std::string_view coding);

// --- Media types ---

// The Content-Type for a file by its extension, case-insensitively:
// "text/html; charset=utf-8" for ".html" and ".htm", "text/css; ...",
// "application/javascript", images, fonts, "application/wasm", and so on;
// "application/octet-stream" for anything unknown.
std::string_view content_type_for(std::string_view path);

}  // namespace oasis::http
