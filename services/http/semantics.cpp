// The field values a static-file server reads and writes (RFC 9110): dates, ranges, entity tags,
// content codings, media types.
#include "services/http/semantics.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

#include "core/format.hpp"
#include "services/http/message.hpp"
#include "services/http/syntax.hpp"

namespace oasis::http {
namespace {

using namespace std::string_view_literals;

// --- Characters and the pieces of field syntax every rule below shares (RFC 9110 §5.6) ---

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_obs_text(char c) {
    return static_cast<unsigned char>(c) >= 0x80;
}

char to_lower_ascii(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

void skip_whitespace(std::string_view& rest) {
    while (!rest.empty() && syntax::is_optional_whitespace(rest.front())) {
        rest.remove_prefix(1);
    }
}

// Takes the longest run of tchar off the front of `rest` (empty when none).
std::string_view take_token(std::string_view& rest) {
    std::size_t length = 0;
    while (length < rest.size() && syntax::is_token_char(rest[length])) {
        ++length;
    }
    std::string_view token = rest.substr(0, length);
    rest.remove_prefix(length);
    return token;
}

// What a quoted-string may hold, besides its escapes (§5.6.4): SP, HTAB,
// VCHAR and obs-text.
bool is_quotable(char c) {
    return syntax::is_optional_whitespace(c) || (c > 0x20 && c < 0x7f) || is_obs_text(c);
}

// Takes a quoted-string (§5.6.4) off the front of `rest`; false when there
// is none (what is left of `rest` then does not matter to the callers).
bool take_quoted_string(std::string_view& rest) {
    if (rest.empty() || rest.front() != '"') {
        return false;
    }
    for (std::size_t index = 1; index < rest.size(); ++index) {
        if (rest[index] == '"') {
            rest.remove_prefix(index + 1);
            return true;
        }
        if (rest[index] == '\\') {
            ++index;  // quoted-pair: the next character stands for itself
        }
        if (index == rest.size() || !is_quotable(rest[index])) {
            return false;
        }
    }
    return false;
}

// Takes the next element of a comma-separated list (§5.6.1) off the front of
// `rest`, without its surrounding OWS. Commas inside quoted strings do not
// split. Empty elements come back empty; callers skip them, as §5.6.1.2
// asks of recipients.
std::string_view take_list_element(std::string_view& rest) {
    bool quoted = false;
    bool escaped = false;
    std::size_t index = 0;
    for (; index < rest.size(); ++index) {
        const char c = rest[index];
        if (escaped) {
            escaped = false;
        } else if (quoted && c == '\\') {
            escaped = true;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            break;
        }
    }
    const std::string_view element = syntax::trim_optional_whitespace(rest.substr(0, index));
    rest.remove_prefix(std::min(index + 1, rest.size()));
    return element;
}

// 1*DIGIT as an unsigned number; nullopt for anything else, or a value that
// does not fit.
template <typename Unsigned>
std::optional<Unsigned> parse_decimal(std::string_view digits) {
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), is_digit)) {
        return std::nullopt;
    }
    Unsigned value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc{} || end != digits.data() + digits.size()) {
        return std::nullopt;
    }
    return value;
}

// --- Dates (RFC 9110 §5.6.7) ---

constexpr std::int64_t nanoseconds_per_second = 1'000'000'000;
constexpr std::int64_t seconds_per_day = 86'400;
// The last second a WallTime can hold (2262-04-11): later dates cannot be represented.
constexpr std::int64_t latest_second =
    std::numeric_limits<std::int64_t>::max() / nanoseconds_per_second;

constexpr std::array<std::string_view, 7> short_day_names{"Sun", "Mon", "Tue", "Wed",
                                                          "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> long_day_names{
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct CivilDate {
    std::int64_t year = 1970;
    unsigned month = 1;  // 1 to 12
    unsigned day = 1;    // 1 to 31
};

// Days since 1970-01-01 of a date in the proleptic Gregorian calendar, after
// Howard Hinnant's days_from_civil: the calendar repeats every 400 years
// (146097 days), and counting years from March puts the leap day last, so
// that the day of the year follows from the month by one linear formula.
constexpr std::int64_t days_from_civil(CivilDate date) {
    const std::int64_t year = date.year - (date.month <= 2 ? 1 : 0);
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned month_from_march = date.month > 2 ? date.month - 3 : date.month + 9;
    const unsigned day_of_year = (153 * month_from_march + 2) / 5 + date.day - 1;
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719468 is the number of days from 0000-03-01, the start of era 0, to 1970-01-01.
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

// The inverse of days_from_civil (Hinnant's civil_from_days).
constexpr CivilDate civil_from_days(std::int64_t days) {
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned month_from_march = (5 * day_of_year + 2) / 153;
    CivilDate date;
    date.day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    date.month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
    date.year = static_cast<std::int64_t>(year_of_era) + era * 400 + (date.month <= 2 ? 1 : 0);
    return date;
}

static_assert(days_from_civil({1970, 1, 1}) == 0);
static_assert(days_from_civil({2000, 3, 1}) == 11017);
static_assert(civil_from_days(11017).year == 2000 && civil_from_days(11017).month == 3);

bool is_leap_year(std::int64_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned days_in_month(std::int64_t year, unsigned month) {
    constexpr std::array<unsigned, 12> lengths{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : lengths[month - 1];
}

// A timestamp's fields as the text gives them, before they are checked.
struct DateFields {
    CivilDate date;
    unsigned hour = 0;
    unsigned minute = 0;
    unsigned second = 0;
};

// The instant the fields name, or nullopt for an impossible or
// unrepresentable one. A leap second (:60) is read as :59 of the same
// minute, so that it still orders before the next minute and formats back
// as a valid IMF-fixdate.
std::optional<WallTime> to_wall_time(DateFields fields) {
    const CivilDate& date = fields.date;
    if (date.year < 1970 || date.year > 9999 || date.month < 1 || date.month > 12 || date.day < 1 ||
        date.day > days_in_month(date.year, date.month) || fields.hour > 23 || fields.minute > 59 ||
        fields.second > 60) {
        return std::nullopt;
    }
    const std::int64_t seconds = days_from_civil(date) * seconds_per_day + fields.hour * 3600 +
                                 fields.minute * 60 + std::min(fields.second, 59u);
    if (seconds > latest_second) {
        return std::nullopt;
    }
    return WallTime{seconds * nanoseconds_per_second};
}

// Takes exactly `count` digits off the front of `rest`.
std::optional<unsigned> take_digits(std::string_view& rest, std::size_t count) {
    if (rest.size() < count) {
        return std::nullopt;
    }
    std::optional<unsigned> value = parse_decimal<unsigned>(rest.substr(0, count));
    rest.remove_prefix(count);
    return value;
}

bool take_literal(std::string_view& rest, std::string_view literal) {
    if (!rest.starts_with(literal)) {
        return false;
    }
    rest.remove_prefix(literal.size());
    return true;
}

// Takes one of `names` off the front of `rest` (case-sensitively, as the
// grammar's %s strings are); its index, or nullopt.
template <std::size_t count>
std::optional<unsigned> take_name(std::string_view& rest,
                                  const std::array<std::string_view, count>& names) {
    for (unsigned index = 0; index < count; ++index) {
        if (take_literal(rest, names[index])) {
            return index;
        }
    }
    return std::nullopt;
}

// time-of-day: hour ":" minute ":" second, two digits each.
bool take_time_of_day(std::string_view& rest, DateFields& fields) {
    const std::optional<unsigned> hour = take_digits(rest, 2);
    if (!hour || !take_literal(rest, ":")) {
        return false;
    }
    const std::optional<unsigned> minute = take_digits(rest, 2);
    if (!minute || !take_literal(rest, ":")) {
        return false;
    }
    const std::optional<unsigned> second = take_digits(rest, 2);
    if (!second) {
        return false;
    }
    fields.hour = *hour;
    fields.minute = *minute;
    fields.second = *second;
    return true;
}

// The year a two-digit rfc850 year means at `now`: the one in `now`'s
// century, unless that is more than 50 years ahead, then the century
// before (§5.6.7). Years are compared as whole calendar years.
std::int64_t full_year(unsigned two_digit_year, WallTime now) {
    const std::int64_t now_year =
        civil_from_days(std::max<std::int64_t>(now.seconds(), 0) / seconds_per_day).year;
    const std::int64_t year = now_year - now_year % 100 + two_digit_year;
    return year > now_year + 50 ? year - 100 : year;
}

// What follows the day name of the two forms that end in GMT: "06 Nov 1994
// 08:49:37 GMT" (IMF-fixdate: spaces, four-digit year) and "06-Nov-94
// 08:49:37 GMT" (rfc850: dashes, two-digit year). The year is as written.
std::optional<DateFields> parse_gmt_date(std::string_view rest, std::string_view separator,
                                         std::size_t year_digits) {
    DateFields fields;
    const std::optional<unsigned> day = take_digits(rest, 2);
    if (!day || !take_literal(rest, separator)) {
        return std::nullopt;
    }
    const std::optional<unsigned> month = take_name(rest, month_names);
    if (!month || !take_literal(rest, separator)) {
        return std::nullopt;
    }
    const std::optional<unsigned> year = take_digits(rest, year_digits);
    if (!year || !take_literal(rest, " ") || !take_time_of_day(rest, fields) || rest != " GMT") {
        return std::nullopt;
    }
    fields.date = CivilDate{*year, *month + 1, *day};
    return fields;
}

std::optional<WallTime> parse_imf_fixdate(std::string_view rest) {
    const std::optional<DateFields> fields = parse_gmt_date(rest, " ", 4);
    return fields ? to_wall_time(*fields) : std::nullopt;
}

std::optional<WallTime> parse_rfc850_date(std::string_view rest, WallTime now) {
    std::optional<DateFields> fields = parse_gmt_date(rest, "-", 2);
    if (!fields) {
        return std::nullopt;
    }
    fields->date.year = full_year(static_cast<unsigned>(fields->date.year), now);
    return to_wall_time(*fields);
}

// What follows "Sun " in an asctime-date: "Nov  6 08:49:37 1994" (the day
// two digits or a space and one digit).
std::optional<WallTime> parse_asctime_date(std::string_view rest) {
    DateFields fields;
    const std::optional<unsigned> month = take_name(rest, month_names);
    if (!month || !take_literal(rest, " ")) {
        return std::nullopt;
    }
    const bool padded = take_literal(rest, " ");
    const std::optional<unsigned> day = take_digits(rest, padded ? 1 : 2);
    if (!day || !take_literal(rest, " ") || !take_time_of_day(rest, fields) ||
        !take_literal(rest, " ")) {
        return std::nullopt;
    }
    const std::optional<unsigned> year = take_digits(rest, 4);
    if (!year || !rest.empty()) {
        return std::nullopt;
    }
    fields.date = CivilDate{*year, *month + 1, *day};
    return to_wall_time(fields);
}

// --- Ranges (RFC 9110 §14.1) ---

// One range-spec against a representation of `length` bytes: int-range
// "first-[last]" or suffix-range "-length". other-range and numbers too large
// for 64 bits are not a bytes range this server reads: ignored.
RangeRequest evaluate_range_spec(std::string_view spec, std::uint64_t length) {
    const std::size_t dash = spec.find('-');
    if (dash == std::string_view::npos) {
        return {};
    }
    const std::string_view first_text = spec.substr(0, dash);
    const std::string_view last_text = spec.substr(dash + 1);
    if (first_text.empty()) {
        const std::optional<std::uint64_t> suffix = parse_decimal<std::uint64_t>(last_text);
        if (!suffix) {
            return {};
        }
        // §14.1.3: a suffix of zero bytes selects nothing; one longer than
        // the representation selects all of it.
        if (*suffix == 0 || length == 0) {
            return {RangeOutcome::unsatisfiable, {}};
        }
        return {RangeOutcome::satisfiable, {length - std::min(*suffix, length), length - 1}};
    }
    const std::optional<std::uint64_t> first = parse_decimal<std::uint64_t>(first_text);
    std::optional<std::uint64_t> last = std::numeric_limits<std::uint64_t>::max();
    if (!last_text.empty()) {
        last = parse_decimal<std::uint64_t>(last_text);
    }
    if (!first || !last || *last < *first) {
        return {};  // §14.1.1: a last before the first makes the spec invalid
    }
    if (*first >= length) {
        return {RangeOutcome::unsatisfiable, {}};
    }
    return {RangeOutcome::satisfiable, {*first, std::min(*last, length - 1)}};
}

// --- Entity tags (RFC 9110 §8.8.3) ---

// etagc: '!', '#' to '~', obs-text; everything printable but DQUOTE.
bool is_entity_tag_char(char c) {
    return c == 0x21 || (c >= 0x23 && c <= 0x7e) || is_obs_text(c);
}

struct EntityTag {
    bool weak = false;
    std::string_view opaque;  // with its quotes
};

// Takes an entity-tag off the front of `rest`. "W/" is case-sensitive.
std::optional<EntityTag> take_entity_tag(std::string_view& rest) {
    const bool weak = rest.starts_with("W/");
    const std::size_t open = weak ? 2 : 0;
    if (rest.size() <= open || rest[open] != '"') {
        return std::nullopt;
    }
    std::size_t close = open + 1;
    while (close < rest.size() && is_entity_tag_char(rest[close])) {
        ++close;
    }
    if (close == rest.size() || rest[close] != '"') {
        return std::nullopt;
    }
    const EntityTag tag{weak, rest.substr(open, close + 1 - open)};
    rest.remove_prefix(close + 1);
    return tag;
}

// A whole text that is one entity-tag.
std::optional<EntityTag> parse_entity_tag(std::string_view text) {
    std::optional<EntityTag> tag = take_entity_tag(text);
    return tag && text.empty() ? tag : std::nullopt;
}

// --- Content codings (RFC 9110 §12.5.3) ---

// "x-gzip" and "x-compress" are aliases (§8.4.1.1, §8.4.1.3).
std::string_view canonical_coding(std::string_view coding) {
    if (equals_ignoring_case(coding, "x-gzip")) {
        return "gzip";
    }
    if (equals_ignoring_case(coding, "x-compress")) {
        return "compress";
    }
    return coding;
}

// qvalue (§12.4.2) in thousandths: "0.5" is 500; "1" and "1.000" are 1000.
std::optional<unsigned> parse_qvalue(std::string_view text) {
    if (text.empty() || (text[0] != '0' && text[0] != '1')) {
        return std::nullopt;
    }
    unsigned value = text[0] == '1' ? 1000 : 0;
    if (text.size() == 1) {
        return value;
    }
    if (text[1] != '.' || text.size() > 5) {
        return std::nullopt;
    }
    unsigned scale = 100;
    for (char c : text.substr(2)) {
        if (!is_digit(c)) {
            return std::nullopt;
        }
        value += static_cast<unsigned>(c - '0') * scale;
        scale /= 10;
    }
    // "1" allows only zeros after the point.
    return value <= 1000 ? std::optional<unsigned>{value} : std::nullopt;
}

struct CodingPreference {
    std::string_view coding;
    unsigned quality = 1000;  // thousandths
};

// One Accept-Encoding element: coding *( OWS ";" OWS name "=" value ). Only
// q is defined (§12.4.2); other parameters are skipped, not refused.
// nullopt when the element or its q is malformed.
std::optional<CodingPreference> parse_coding_preference(std::string_view element) {
    CodingPreference preference{take_token(element)};
    if (preference.coding.empty()) {
        return std::nullopt;
    }
    while (true) {
        skip_whitespace(element);
        if (element.empty()) {
            return preference;
        }
        if (!take_literal(element, ";")) {
            return std::nullopt;
        }
        skip_whitespace(element);
        const std::string_view name = take_token(element);
        if (name.empty() || !take_literal(element, "=")) {
            return std::nullopt;
        }
        if (equals_ignoring_case(name, "q")) {
            const std::optional<unsigned> quality = parse_qvalue(take_token(element));
            if (!quality) {
                return std::nullopt;
            }
            preference.quality = *quality;
        } else if (!take_quoted_string(element) && take_token(element).empty()) {
            return std::nullopt;
        }
    }
}

// --- Media types ---

struct MediaType {
    std::string_view extension;  // lower case
    std::string_view type;
};

// Sorted by extension, for binary search. Text types say their charset;
// JSON and JavaScript need none (RFC 8259 §11, RFC 9239 §4.2).
constexpr std::array media_types{
    MediaType{"atom", "application/atom+xml"},
    MediaType{"avif", "image/avif"},
    MediaType{"bmp", "image/bmp"},
    MediaType{"css", "text/css; charset=utf-8"},
    MediaType{"csv", "text/csv; charset=utf-8"},
    MediaType{"eot", "application/vnd.ms-fontobject"},
    MediaType{"gif", "image/gif"},
    MediaType{"gz", "application/gzip"},
    MediaType{"htm", "text/html; charset=utf-8"},
    MediaType{"html", "text/html; charset=utf-8"},
    MediaType{"ico", "image/x-icon"},
    MediaType{"jpeg", "image/jpeg"},
    MediaType{"jpg", "image/jpeg"},
    MediaType{"js", "application/javascript"},
    MediaType{"json", "application/json"},
    MediaType{"map", "application/json"},
    MediaType{"md", "text/markdown; charset=utf-8"},
    MediaType{"mjs", "application/javascript"},
    MediaType{"mp3", "audio/mpeg"},
    MediaType{"mp4", "video/mp4"},
    MediaType{"ogg", "audio/ogg"},
    MediaType{"otf", "font/otf"},
    MediaType{"pdf", "application/pdf"},
    MediaType{"png", "image/png"},
    MediaType{"rss", "application/rss+xml"},
    MediaType{"svg", "image/svg+xml"},
    MediaType{"tar", "application/x-tar"},
    MediaType{"ttf", "font/ttf"},
    MediaType{"txt", "text/plain; charset=utf-8"},
    MediaType{"wasm", "application/wasm"},
    MediaType{"wav", "audio/wav"},
    MediaType{"webm", "video/webm"},
    MediaType{"webmanifest", "application/manifest+json"},
    MediaType{"webp", "image/webp"},
    MediaType{"woff", "font/woff"},
    MediaType{"woff2", "font/woff2"},
    MediaType{"xml", "application/xml"},
    MediaType{"zip", "application/zip"},
};

constexpr bool extension_less(const MediaType& a, const MediaType& b) {
    return a.extension < b.extension;
}
static_assert(std::is_sorted(media_types.begin(), media_types.end(), extension_less));

constexpr std::string_view octet_stream = "application/octet-stream";

}  // namespace

std::string format_http_date(WallTime time) {
    const std::int64_t seconds = std::max<std::int64_t>(time.seconds(), 0);
    const std::int64_t days = seconds / seconds_per_day;
    const std::int64_t second_of_day = seconds % seconds_per_day;
    const CivilDate date = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    const auto weekday = static_cast<std::size_t>((days + 4) % 7);
    return format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", short_day_names[weekday], date.day,
                  month_names[date.month - 1], date.year, second_of_day / 3600,
                  second_of_day / 60 % 60, second_of_day % 60);
}

// The day name is checked to be one but not against the date: a wrong one
// is a sender's slip that says nothing about which instant it meant.
std::optional<WallTime> parse_http_date(std::string_view text, WallTime now) {
    if (take_name(text, long_day_names)) {
        return take_literal(text, ", ") ? parse_rfc850_date(text, now) : std::nullopt;
    }
    if (!take_name(text, short_day_names)) {
        return std::nullopt;
    }
    if (take_literal(text, ", ")) {
        return parse_imf_fixdate(text);
    }
    if (take_literal(text, " ")) {
        return parse_asctime_date(text);
    }
    return std::nullopt;
}

RangeRequest parse_range(std::string_view value, std::uint64_t length) {
    // The unit is a token followed at once by '=' (§14.1), and the set starts
    // right after it: OWS on either side of '=' makes the field invalid.
    const std::size_t equals = value.find('=');
    if (equals == std::string_view::npos ||
        !equals_ignoring_case(value.substr(0, equals), "bytes")) {
        return {};
    }
    std::string_view set = value.substr(equals + 1);
    if (set.empty() || syntax::is_optional_whitespace(set.front())) {
        return {};
    }
    std::optional<std::string_view> only_spec;
    while (!set.empty()) {
        const std::string_view spec = take_list_element(set);
        if (spec.empty()) {
            continue;
        }
        if (only_spec) {
            return {};  // several ranges: served whole (see the header)
        }
        only_spec = spec;
    }
    if (!only_spec) {
        return {};
    }
    return evaluate_range_spec(*only_spec, length);
}

std::string format_content_range(ByteRange range, std::uint64_t length) {
    return format("bytes {}-{}/{}", range.first, range.last, length);
}

std::string format_unsatisfied_range(std::uint64_t length) {
    return format("bytes */{}", length);
}

std::string make_etag(const dev::Sha256Digest& digest) {
    std::string etag = "\"";
    for (std::size_t index = 0; index < 16; ++index) {
        format_to(etag, "{:02x}", static_cast<unsigned>(digest[index]));
    }
    etag += '"';
    return etag;
}

bool none_match_hits(std::string_view field_value, std::string_view etag) {
    if (field_value == "*") {
        return true;
    }
    const std::optional<EntityTag> ours = parse_entity_tag(etag);
    if (!ours) {
        return false;
    }
    // The list is walked tag by tag rather than split at commas: etagc
    // includes ','. Any element that is not an entity-tag spoils the whole.
    bool hit = false;
    while (true) {
        skip_whitespace(field_value);
        if (field_value.empty()) {
            return hit;
        }
        if (take_literal(field_value, ",")) {
            continue;
        }
        const std::optional<EntityTag> tag = take_entity_tag(field_value);
        if (!tag) {
            return false;
        }
        hit = hit || tag->opaque == ours->opaque;  // weak comparison (§8.8.3.2)
        skip_whitespace(field_value);
        if (!field_value.empty() && field_value.front() != ',') {
            return false;
        }
    }
}

bool if_range_holds(std::string_view field_value, std::string_view etag, WallTime last_modified,
                    WallTime now) {
    // §13.1.5: an entity-tag starts with DQUOTE or "W/"; anything else is a date.
    if (field_value.starts_with('"') || field_value.starts_with("W/")) {
        const std::optional<EntityTag> theirs = parse_entity_tag(field_value);
        const std::optional<EntityTag> ours = parse_entity_tag(etag);
        // Strong comparison (§8.8.3.2): neither side may be weak.
        return theirs && ours && !theirs->weak && !ours->weak && theirs->opaque == ours->opaque;
    }
    const std::optional<WallTime> date = parse_http_date(field_value, now);
    return date && date->seconds() == last_modified.seconds();
}

// Several entries for one coding should not occur; the most favourable wins.
bool accepts_coding(std::string_view field_value, std::string_view coding) {
    const std::string_view wanted = canonical_coding(coding);
    std::optional<unsigned> exact;
    std::optional<unsigned> wildcard;
    while (!field_value.empty()) {
        const std::string_view element = take_list_element(field_value);
        const std::optional<CodingPreference> preference = parse_coding_preference(element);
        if (!preference) {
            continue;  // empty or malformed: that element alone is ignored
        }
        const std::string_view name = canonical_coding(preference->coding);
        if (equals_ignoring_case(name, wanted)) {
            exact = std::max(exact.value_or(0), preference->quality);
        } else if (name == "*") {
            wildcard = std::max(wildcard.value_or(0), preference->quality);
        }
    }
    // An entry naming the coding beats "*" even when its q is lower.
    if (exact) {
        return *exact > 0;
    }
    return wildcard.value_or(0) > 0;
}

std::string_view content_type_for(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const std::size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) {
        return octet_stream;
    }
    const std::string_view extension = name.substr(dot + 1);
    std::array<char, 16> lower{};
    if (extension.size() > lower.size()) {
        return octet_stream;
    }
    std::transform(extension.begin(), extension.end(), lower.begin(), to_lower_ascii);
    const MediaType key{std::string_view{lower.data(), extension.size()}, {}};
    const auto found =
        std::lower_bound(media_types.begin(), media_types.end(), key, extension_less);
    if (found == media_types.end() || found->extension != key.extension) {
        return octet_stream;
    }
    return found->type;
}

}  // namespace oasis::http
