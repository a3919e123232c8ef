// Fuzz target: the RFC 9110 field values a static-file server reads (services/http/semantics.hpp).
//
// Input: one selector byte, then a field value. The selector's low three
// bits choose the reader: HTTP date, Range (after a length read from the
// input), If-None-Match and If-Range (the value, then an entity tag of ours
// after the first '\n'), Accept-Encoding, content_type_for; its high bits
// choose `now`.
// Checks: nothing crashes; a date that parses is whole seconds, formats to 29
// bytes and parses back to itself; a formatted WallTime of the input parses
// back to its second; a satisfiable range has first <= last < length and
// reads the same again written as "bytes=first-last"; If-None-Match and
// If-Range hit only what they may; Accept-Encoding ignores case and aliases;
// content_type_for depends on the last path segment only, case-insensitively.
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "services/http/semantics.hpp"

using namespace oasis;
using namespace oasis::http;

namespace {

constexpr std::int64_t billion = 1'000'000'000;
// Seven years, so that the selector's high bits spread `now` over 1970 to 2187.
constexpr std::int64_t step_seconds = 7 * 31'556'952;

// `text` with its ASCII letters in one case: upper, or lower.
std::string in_case(std::string_view text, bool upper) {
    std::string result{text};
    for (char& c : result) {
        if (upper && c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        } else if (!upper && c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return result;
}

void check_date(std::string_view value, WallTime now) {
    std::optional<WallTime> time = parse_http_date(value, now);
    if (time) {
        FUZZ_CHECK(time->nanoseconds_since_epoch >= 0);
        FUZZ_CHECK(time->nanoseconds_since_epoch % billion == 0);
        const std::string text = format_http_date(*time);
        FUZZ_CHECK(text.size() == 29);
        FUZZ_CHECK(parse_http_date(text, now) == time);
    }
    // The first eight bytes as a WallTime, formatted: whatever it is, the
    // text is an IMF-fixdate of its second (or of the epoch before 1970).
    std::int64_t nanoseconds = 0;
    std::memcpy(&nanoseconds, value.data(), std::min(value.size(), sizeof nanoseconds));
    const std::string text = format_http_date(WallTime{nanoseconds});
    FUZZ_CHECK(text.size() == 29);
    const std::optional<WallTime> again = parse_http_date(text, now);
    FUZZ_CHECK(again && again->seconds() == std::max<std::int64_t>(nanoseconds / billion, 0));
}

// The representation's length: one byte up to 0xf0 is the length itself
// (small lengths meet the digits of the value); above, the next 1 to 8 bytes
// are a big-endian length.
std::uint64_t take_length(std::string_view& rest) {
    if (rest.empty()) {
        return 0;
    }
    const auto first = static_cast<unsigned char>(rest.front());
    rest.remove_prefix(1);
    if (first <= 0xf0) {
        return first;
    }
    std::uint64_t length = 0;
    for (unsigned count = std::min(first - 0xf0u, 8u); count > 0 && !rest.empty(); --count) {
        length = length << 8 | static_cast<unsigned char>(rest.front());
        rest.remove_prefix(1);
    }
    return length;
}

void check_range(std::string_view rest) {
    const std::uint64_t length = take_length(rest);
    const RangeRequest request = parse_range(rest, length);
    if (request.outcome != RangeOutcome::satisfiable) {
        return;
    }
    const http::ByteRange range = request.range;
    FUZZ_CHECK(range.first <= range.last && range.last < length);
    FUZZ_CHECK(range.size() >= 1 && range.size() <= length);
    const std::string again =
        "bytes=" + std::to_string(range.first) + "-" + std::to_string(range.last);
    const RangeRequest reread = parse_range(again, length);
    FUZZ_CHECK(reread.outcome == RangeOutcome::satisfiable && reread.range == range);
    fuzz::consume(format_content_range(range, length));
}

void check_entity_tags(std::string_view rest, WallTime now) {
    const std::size_t newline = rest.find('\n');
    const std::string_view value = rest.substr(0, newline);
    const std::string_view etag =
        newline == std::string_view::npos ? "\"xyzzy\"" : rest.substr(newline + 1);
    const bool hits = none_match_hits(value, etag);
    if (hits && value != "*") {
        // A hit is a list of tags holding ours, W/ aside.
        const std::string_view opaque = etag.starts_with("W/") ? etag.substr(2) : etag;
        FUZZ_CHECK(value.find(opaque) != std::string_view::npos);
        // Another tag after it does not undo the hit, and ours alone hits.
        FUZZ_CHECK(none_match_hits(std::string{value} + ", \"other\"", etag));
        FUZZ_CHECK(none_match_hits(etag, etag));
    }
    const WallTime modified{now.nanoseconds_since_epoch / 3};
    if (if_range_holds(value, etag, modified, now)) {
        const std::optional<WallTime> date = parse_http_date(value, now);
        // A strong tag equal to ours, byte for byte, or our date to the second.
        FUZZ_CHECK(value == etag || (date && date->seconds() == modified.seconds()));
        FUZZ_CHECK(!value.starts_with("W/"));
    }
    FUZZ_CHECK(if_range_holds(format_http_date(modified), etag, modified, now));
}

void check_accept_encoding(std::string_view value) {
    for (std::string_view coding : {"gzip", "br", "zstd", "identity", "compress"}) {
        const bool accepted = accepts_coding(value, coding);
        FUZZ_CHECK(accepts_coding(value, in_case(coding, true)) == accepted);
        FUZZ_CHECK(accepts_coding(in_case(value, false), coding) == accepted);
        if (accepted) {
            FUZZ_CHECK(!value.empty());
        }
        // Listing the coding again, with q=1, accepts it whatever came before,
        // unless an open quoted string swallows the rest.
        if (value.find('"') == std::string_view::npos) {
            FUZZ_CHECK(accepts_coding(std::string{value} + "," + std::string{coding}, coding));
        }
    }
    FUZZ_CHECK(accepts_coding(value, "x-gzip") == accepts_coding(value, "gzip"));
}

void check_content_type(std::string_view value) {
    const std::string_view type = content_type_for(value);
    FUZZ_CHECK(!type.empty());
    FUZZ_CHECK(content_type_for(in_case(value, true)) == type);
    FUZZ_CHECK(content_type_for("/static/" + std::string{value}) == type);
    if (value.find('.') == std::string_view::npos) {
        FUZZ_CHECK(type == "application/octet-stream");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::uint8_t selector = data[0];
    const std::string_view value{reinterpret_cast<const char*>(data + 1), size - 1};
    const WallTime now{(selector >> 3) * step_seconds * billion};
    switch (selector & 7) {
        case 0:
        case 6:
            check_date(value, now);
            break;
        case 1:
            check_range(value);
            break;
        case 2:
        case 3:
            check_entity_tags(value, now);
            break;
        case 4:
            check_accept_encoding(value);
            break;
        default:
            check_content_type(value);
            break;
    }
    return 0;
}
