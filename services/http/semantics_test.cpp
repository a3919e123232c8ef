// Tests of the RFC 9110 field values: dates, Range, entity tags, If-Range, Accept-Encoding, media
// types.
#include "services/http/semantics.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace oasis::http {
namespace {

constexpr std::int64_t billion = 1'000'000'000;

WallTime at_second(std::int64_t seconds) {
    return WallTime{seconds * billion};
}

// 1994-11-06 08:49:37 UTC, the instant of RFC 9110's examples.
const WallTime rfc_example = at_second(784111777);
// 2024-06-01 00:00:00 UTC: "now" for the two-digit years of rfc850 dates.
const WallTime june_2024 = at_second(1717200000);

std::optional<std::int64_t> parsed_seconds(std::string_view text, WallTime now = june_2024) {
    std::optional<WallTime> time = parse_http_date(text, now);
    if (!time) {
        return std::nullopt;
    }
    EXPECT_EQ(time->nanoseconds_since_epoch % billion, 0) << text;
    return time->seconds();
}

// --- Dates ---

TEST(HttpDate, TheThreeFormsOfRfc9110) {
    EXPECT_EQ(parsed_seconds("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    EXPECT_EQ(parsed_seconds("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
    EXPECT_EQ(parsed_seconds("Sun Nov  6 08:49:37 1994"), 784111777);
}

TEST(HttpDate, FormatsImfFixdate) {
    EXPECT_EQ(format_http_date(rfc_example), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(format_http_date(WallTime{}), "Thu, 01 Jan 1970 00:00:00 GMT");
    // What nginx sent as Last-Modified for a file touched at that instant.
    EXPECT_EQ(format_http_date(at_second(1445412480)), "Wed, 21 Oct 2015 07:28:00 GMT");
    EXPECT_EQ(format_http_date(at_second(2147483647)), "Tue, 19 Jan 2038 03:14:07 GMT");
    EXPECT_EQ(format_http_date(at_second(951782400)), "Tue, 29 Feb 2000 00:00:00 GMT");
}

TEST(HttpDate, FormatDropsSubsecondsAndClampsToTheEpoch) {
    EXPECT_EQ(format_http_date(WallTime{784111777 * billion + 999'999'999}),
              "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(format_http_date(WallTime{-1}), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(format_http_date(WallTime{-86400 * billion}), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(format_http_date(WallTime{std::numeric_limits<std::int64_t>::min()}),
              "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(format_http_date(WallTime{std::numeric_limits<std::int64_t>::max()}),
              "Fri, 11 Apr 2262 23:47:16 GMT");
}

TEST(HttpDate, DaysOfMonthAndLeapYears) {
    EXPECT_TRUE(parsed_seconds("Thu, 29 Feb 2024 12:00:00 GMT"));
    EXPECT_TRUE(parsed_seconds("Tue, 29 Feb 2000 12:00:00 GMT"));  // divisible by 400
    EXPECT_FALSE(parsed_seconds("Wed, 29 Feb 2023 12:00:00 GMT"));
    EXPECT_FALSE(parsed_seconds("Mon, 29 Feb 2100 12:00:00 GMT"));  // divisible by 100
    EXPECT_FALSE(parsed_seconds("Sat, 31 Feb 2024 12:00:00 GMT"));
    EXPECT_FALSE(parsed_seconds("Wed, 31 Apr 2024 12:00:00 GMT"));
    EXPECT_TRUE(parsed_seconds("Tue, 31 Dec 2024 23:59:59 GMT"));
    EXPECT_FALSE(parsed_seconds("Wed, 32 Jan 2024 12:00:00 GMT"));
    EXPECT_FALSE(parsed_seconds("Sun, 00 Jan 2024 12:00:00 GMT"));
}

TEST(HttpDate, TimeOfDayLimits) {
    EXPECT_EQ(parsed_seconds("Sun, 06 Nov 1994 00:00:00 GMT"), 784080000);
    EXPECT_EQ(parsed_seconds("Sun, 06 Nov 1994 23:59:59 GMT"), 784166399);
    EXPECT_FALSE(parsed_seconds("Sun, 06 Nov 1994 24:00:00 GMT"));
    EXPECT_FALSE(parsed_seconds("Sun, 06 Nov 1994 08:60:00 GMT"));
    EXPECT_FALSE(parsed_seconds("Sun, 06 Nov 1994 08:49:61 GMT"));
    // A leap second is read as the second before it.
    EXPECT_EQ(parsed_seconds("Sat, 31 Dec 2016 23:59:60 GMT"), 1483228799);
}

TEST(HttpDate, TheDayNameIsCheckedButNotAgainstTheDate) {
    EXPECT_EQ(parsed_seconds("Mon, 06 Nov 1994 08:49:37 GMT"), 784111777);
    EXPECT_EQ(parsed_seconds("Friday, 06-Nov-94 08:49:37 GMT"), 784111777);
    EXPECT_EQ(parsed_seconds("Sat Nov  6 08:49:37 1994"), 784111777);
    EXPECT_FALSE(parsed_seconds("Sux, 06 Nov 1994 08:49:37 GMT"));
    EXPECT_FALSE(parsed_seconds("sun, 06 Nov 1994 08:49:37 GMT"));
    EXPECT_FALSE(parsed_seconds("Sundae, 06-Nov-94 08:49:37 GMT"));
}

TEST(HttpDate, EachFormIsExact) {
    for (std::string_view text :
         {// The wrong day name for the form.
          "Sunday, 06 Nov 1994 08:49:37 GMT", "Sun, 06-Nov-94 08:49:37 GMT",
          "Sunday Nov  6 08:49:37 1994",
          // Digits, case, spaces and the zone.
          "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 nov 1994 08:49:37 GMT",
          "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06 Nov 1994 8:49:37 GMT",
          "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 gmt",
          "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 GMT ",
          " Sun, 06 Nov 1994 08:49:37 GMT", "Sun,  06 Nov 1994 08:49:37 GMT",
          "Sun, 06 Nov 1994 08:49:37 +0000", "Sun, +6 Nov 1994 08:49:37 GMT",
          "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov 6 08:49:37 1994",
          "Sun Nov  6 08:49:37 1994 GMT", "Sun Nov  6 08:49:37 94", "784111777", "", "Sun",
          "Sun, "}) {
        EXPECT_FALSE(parsed_seconds(text)) << text;
    }
}

TEST(HttpDate, AsctimeDaysWithTwoDigits) {
    EXPECT_EQ(parsed_seconds("Wed Nov 16 08:49:37 1994"), 784111777 + 10 * 86400);
    // The grammar allows 2DIGIT there too.
    EXPECT_EQ(parsed_seconds("Sun Nov 06 08:49:37 1994"), 784111777);
}

TEST(HttpDate, YearsFrom1970ToWhatAWallTimeHolds) {
    EXPECT_EQ(parsed_seconds("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
    EXPECT_FALSE(parsed_seconds("Wed, 31 Dec 1969 23:59:59 GMT"));
    EXPECT_FALSE(parsed_seconds("Thu, 01 Jan 0000 00:00:00 GMT"));
    // The last second of a WallTime, and the one after it.
    EXPECT_EQ(parsed_seconds("Fri, 11 Apr 2262 23:47:16 GMT"), 9223372036);
    EXPECT_FALSE(parsed_seconds("Fri, 11 Apr 2262 23:47:17 GMT"));
    EXPECT_FALSE(parsed_seconds("Fri, 31 Dec 9999 23:59:59 GMT"));
}

TEST(HttpDate, Rfc850YearsAreReadWithinFiftyYearsOfNow) {
    // In June 2024: "94" is 1994, "74" is 2074 (50 years ahead), "75" is 1975.
    EXPECT_EQ(parsed_seconds("Sunday, 06-Nov-94 08:49:37 GMT", june_2024), 784111777);
    EXPECT_EQ(parsed_seconds("Sunday, 01-Jan-24 00:00:00 GMT", june_2024), 1704067200);
    EXPECT_EQ(parsed_seconds("Monday, 01-Jan-74 00:00:00 GMT", june_2024), 3281990400);
    EXPECT_EQ(parsed_seconds("Wednesday, 01-Jan-75 00:00:00 GMT", june_2024), 157766400);
    // In 2000, "70" means 1970 and "51" would be 1951, before any WallTime.
    const WallTime year_2000 = at_second(946684800);
    EXPECT_EQ(parsed_seconds("Thursday, 01-Jan-70 00:00:00 GMT", year_2000), 0);
    EXPECT_EQ(parsed_seconds("Saturday, 01-Jan-50 00:00:00 GMT", year_2000), 2524608000);
    EXPECT_FALSE(parsed_seconds("Sunday, 01-Jan-51 00:00:00 GMT", year_2000));
    // A `now` before the epoch counts as the epoch.
    EXPECT_EQ(parsed_seconds("Sunday, 06-Nov-94 08:49:37 GMT", WallTime{-1}), 784111777);
}

// Walks every day of 1970 to 2100 with a plain calendar counter (no date
// arithmetic of the code under test) and checks the text the formatter
// writes, then that all three forms parse back to the instant.
TEST(HttpDate, EveryDayFrom1970To2100RoundTrips) {
    constexpr std::array<std::string_view, 7> days{"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    constexpr std::array<int, 12> lengths{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int year = 1970;
    int month = 0;
    int day = 1;
    for (std::int64_t index = 0; year <= 2100; ++index) {
        const std::int64_t second_of_day = index * 7919 % 86400;
        const WallTime time{(index * 86400 + second_of_day) * billion + index % 1000};
        const std::string text = format_http_date(time);
        ASSERT_EQ(text.size(), 29u);
        const std::string expected_date = std::string{days[index % 7]} + ", " +
                                          (day < 10 ? "0" : "") + std::to_string(day) + " " +
                                          std::string{months[month]} + " " + std::to_string(year);
        ASSERT_EQ(text.substr(0, 16), expected_date) << text;
        ASSERT_EQ(parsed_seconds(text), time.seconds()) << text;
        // The same instant as asctime.
        const std::string asctime = text.substr(0, 3) + " " + text.substr(8, 3) + " " +
                                    (day < 10 ? " " : "") + std::to_string(day) + " " +
                                    text.substr(17, 8) + " " + std::to_string(year);
        ASSERT_EQ(parsed_seconds(asctime), time.seconds()) << asctime;
        const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        if (++day > lengths[month] + (month == 1 && leap ? 1 : 0)) {
            day = 1;
            if (++month == 12) {
                month = 0;
                ++year;
            }
        }
    }
}

// --- Ranges ---

constexpr std::uint64_t example_length = 10000;

RangeRequest satisfiable(std::uint64_t first, std::uint64_t last) {
    return {RangeOutcome::satisfiable, {first, last}};
}

void expect_range(std::string_view value, std::uint64_t length, RangeRequest expected) {
    const RangeRequest actual = parse_range(value, length);
    EXPECT_EQ(actual.outcome, expected.outcome) << value << " of " << length;
    if (expected.outcome == RangeOutcome::satisfiable) {
        EXPECT_EQ(actual.range, expected.range) << value << " of " << length;
    }
}

// `value` selects bytes first to last of the 10000-byte example.
void expect_bytes(std::string_view value, std::uint64_t first, std::uint64_t last) {
    expect_range(value, example_length, satisfiable(first, last));
}

// Each value read against `length` has the same outcome (ignore or unsatisfiable).
void expect_outcome(RangeOutcome outcome, std::initializer_list<std::string_view> values,
                    std::uint64_t length = example_length) {
    for (std::string_view value : values) {
        expect_range(value, length, {outcome, {}});
    }
}

TEST(HttpRange, ExamplesOfRfc9110Section14_1_2) {
    expect_bytes("bytes=0-499", 0, 499);
    expect_bytes("bytes=500-999", 500, 999);
    expect_bytes("bytes=-500", 9500, 9999);
    expect_bytes("bytes=9500-", 9500, 9999);
    // The first and last bytes only, and the lists: several ranges are served whole.
    expect_outcome(RangeOutcome::ignore, {"bytes=0-0,-1", "bytes=0-999,4500-5499,-1000",
                                          "bytes=500-600,601-999", "bytes=500-700,601-999"});
    EXPECT_EQ(parse_range("bytes=0-499", example_length).range.size(), 500u);
}

TEST(HttpRange, WhatBrowsersAndCurlSend) {
    // Chromium resuming a download and seeking in media, curl -r 100-199.
    expect_bytes("bytes=8192-", 8192, 9999);
    expect_bytes("bytes=0-", 0, 9999);
    expect_bytes("bytes=100-199", 100, 199);
}

TEST(HttpRange, TheUnitAndTheEqualsSign) {
    expect_bytes("BYTES=0-4", 0, 4);
    expect_bytes("Bytes=0-4", 0, 4);
    expect_outcome(RangeOutcome::ignore, {"bytes =0-4", "bytes= 0-4", "bytes = 0-4", "items=0-4",
                                          "byte=0-4", "bytes:0-4", "bytes", "bytes=", "=0-4", ""});
}

TEST(HttpRange, WhitespaceAndEmptyElementsAroundCommas) {
    expect_bytes("bytes=0-4 ,", 0, 4);
    expect_bytes("bytes=0-4,,", 0, 4);
    expect_bytes("bytes=,0-4", 0, 4);
    expect_bytes("bytes=, \t,0-4 , ", 0, 4);
    expect_outcome(RangeOutcome::ignore, {"bytes=,", "bytes=0-4, 5-9", "bytes=0 -4", "bytes=0- 4"});
}

TEST(HttpRange, InvalidSpecs) {
    expect_outcome(RangeOutcome::ignore,
                   {"bytes=5-4", "bytes=-", "bytes=--5", "bytes=1-2-3", "bytes=+5-6", "bytes=0x10-",
                    "bytes=a-b", "bytes=5", "bytes=\"0-4\""});
    // A last before the first is invalid even when neither is in the representation.
    expect_outcome(RangeOutcome::ignore, {"bytes=20000-10000"});
}

TEST(HttpRange, Boundaries) {
    expect_bytes("bytes=4-4", 4, 4);
    expect_bytes("bytes=9999-", 9999, 9999);
    expect_bytes("bytes=9999-9999", 9999, 9999);
    expect_outcome(RangeOutcome::unsatisfiable, {"bytes=10000-", "bytes=10000-20000"});
    // A last past the end is clamped; a suffix longer than the whole is the whole.
    expect_bytes("bytes=0-20000", 0, 9999);
    expect_bytes("bytes=-10000", 0, 9999);
    expect_bytes("bytes=-20000", 0, 9999);
    expect_bytes("bytes=-1", 9999, 9999);
    expect_outcome(RangeOutcome::unsatisfiable, {"bytes=-0"});
    expect_bytes("bytes=00-0009", 0, 9);
}

TEST(HttpRange, SixtyFourBitNumbers) {
    constexpr std::uint64_t largest = std::numeric_limits<std::uint64_t>::max();
    expect_outcome(RangeOutcome::unsatisfiable, {"bytes=18446744073709551615-"});
    expect_bytes("bytes=0-18446744073709551615", 0, 9999);
    expect_bytes("bytes=-18446744073709551615", 0, 9999);
    expect_outcome(RangeOutcome::ignore,
                   {"bytes=18446744073709551616-", "bytes=0-18446744073709551616",
                    "bytes=-18446744073709551616", "bytes=99999999999999999999999-"});
    expect_range("bytes=0-", largest, satisfiable(0, largest - 1));
    expect_range("bytes=-5", largest, satisfiable(largest - 5, largest - 1));
}

TEST(HttpRange, AnEmptyRepresentationSatisfiesNothing) {
    expect_outcome(RangeOutcome::unsatisfiable, {"bytes=0-", "bytes=0-0", "bytes=-5", "bytes=-0"},
                   0);
    expect_outcome(RangeOutcome::ignore, {"bytes=5-4", "bytes=0-1,2-3"}, 0);
}

TEST(HttpRange, ContentRangeOfSection14_4) {
    EXPECT_EQ(format_content_range({42, 1233}, 1234), "bytes 42-1233/1234");
    EXPECT_EQ(format_content_range({21010, 47021}, 47022), "bytes 21010-47021/47022");
    EXPECT_EQ(format_unsatisfied_range(1234), "bytes */1234");
    EXPECT_EQ(format_content_range({0, 0}, 1), "bytes 0-0/1");
    EXPECT_EQ(format_unsatisfied_range(0), "bytes */0");
}

// --- Entity tags ---

TEST(HttpEntityTag, MakeEtagWritesTheFirst128BitsInLowerCaseHex) {
    // SHA-256 of the empty string.
    const dev::Sha256Digest empty_digest{
        std::byte{0xe3}, std::byte{0xb0}, std::byte{0xc4}, std::byte{0x42}, std::byte{0x98},
        std::byte{0xfc}, std::byte{0x1c}, std::byte{0x14}, std::byte{0x9a}, std::byte{0xfb},
        std::byte{0xf4}, std::byte{0xc8}, std::byte{0x99}, std::byte{0x6f}, std::byte{0xb9},
        std::byte{0x24}, std::byte{0x27}, std::byte{0xae}, std::byte{0x41}, std::byte{0xe4},
        std::byte{0x64}, std::byte{0x9b}, std::byte{0x93}, std::byte{0x4c}, std::byte{0xa4},
        std::byte{0x95}, std::byte{0x99}, std::byte{0x1b}, std::byte{0x78}, std::byte{0x52},
        std::byte{0xb8}, std::byte{0x55}};
    EXPECT_EQ(make_etag(empty_digest), "\"e3b0c44298fc1c149afbf4c8996fb924\"");
    dev::Sha256Digest counting{};
    for (std::size_t index = 0; index < counting.size(); ++index) {
        counting[index] = static_cast<std::byte>(index);
    }
    EXPECT_EQ(make_etag(counting), "\"000102030405060708090a0b0c0d0e0f\"");
    EXPECT_TRUE(none_match_hits(make_etag(counting), make_etag(counting)));
}

// RFC 9110 §8.8.3.2's table: If-None-Match compares weakly, If-Range strongly.
TEST(HttpEntityTag, ComparisonTableOfSection8_8_3_2) {
    struct Row {
        std::string_view first;
        std::string_view second;
        bool strong;
        bool weak;
    };
    for (const Row& row :
         {Row{"W/\"1\"", "W/\"1\"", false, true}, Row{"W/\"1\"", "W/\"2\"", false, false},
          Row{"W/\"1\"", "\"1\"", false, true}, Row{"\"1\"", "\"1\"", true, true}}) {
        for (const auto& [field, etag] :
             {std::pair{row.first, row.second}, std::pair{row.second, row.first}}) {
            EXPECT_EQ(none_match_hits(field, etag), row.weak) << field << " " << etag;
            EXPECT_EQ(if_range_holds(field, etag, rfc_example, june_2024), row.strong)
                << field << " " << etag;
        }
    }
}

// Whether each If-None-Match value hits `etag`.
void expect_hits(std::initializer_list<std::string_view> fields, std::string_view etag, bool hits) {
    for (std::string_view field : fields) {
        EXPECT_EQ(none_match_hits(field, etag), hits) << field << " against " << etag;
    }
}

TEST(HttpEntityTag, IfNoneMatchExamplesOfSection13_1_2) {
    expect_hits({"\"xyzzy\"", "W/\"xyzzy\"", "\"xyzzy\", \"r2d2xxxx\", \"c3piozzzz\"",
                 "W/\"xyzzy\", W/\"r2d2xxxx\", W/\"c3piozzzz\"", "*",
                 "\"r2d2xxxx\", \"c3piozzzz\", \"xyzzy\""},
                "\"xyzzy\"", true);
    expect_hits({"\"r2d2xxxx\", \"c3piozzzz\""}, "\"xyzzy\"", false);
}

TEST(HttpEntityTag, IfNoneMatchAsChromiumRevalidatesAnNginxFile) {
    // nginx's ETag is the mtime and the size in hex; the browser sends it back as it was.
    // nginx weakens the ETag of a response it compresses on the fly.
    expect_hits({"\"6475ab54-267\"", "W/\"6475ab54-267\""}, "\"6475ab54-267\"", true);
    expect_hits({"\"6475ab54-267\""}, "\"6475ab55-267\"", false);
}

TEST(HttpEntityTag, IfNoneMatchListSyntax) {
    expect_hits({", ,\"xyzzy\" ,", "\"a\",\"xyzzy\"", "\"a\"\t,\t\"xyzzy\""}, "\"xyzzy\"", true);
    // One malformed element spoils the whole list.
    expect_hits(
        {"\"xyzzy\", r2d2", "\"xyzzy\" \"r2d2\"", "\"xyzzy\"\"r2d2\"", "\"xyzzy\", \"unterminated",
         "\"xyzzy\", *", "*, \"xyzzy\"", "w/\"xyzzy\"", "W/ \"xyzzy\"", "xyzzy", "", ",", "\"*\""},
        "\"xyzzy\"", false);
    expect_hits({"\"xy zzy\""}, "\"xy zzy\"", false);
    // etagc includes ',' and obs-text, so the list is not split at every comma.
    expect_hits({"\"a,b\""}, "\"a,b\"", true);
    expect_hits({"\"a\", \"b\""}, "\"a,b\"", false);
    expect_hits({"\"caf\xc3\xa9\""}, "\"caf\xc3\xa9\"", true);
    // "*" hits whatever the tag; a malformed tag of ours matches no list.
    expect_hits({"*"}, "", true);
    expect_hits({"\"xyzzy\""}, "xyzzy", false);
}

TEST(HttpIfRange, EntityTags) {
    const std::string_view etag = "\"e3b0c44298fc1c149afbf4c8996fb924\"";
    EXPECT_TRUE(if_range_holds(etag, etag, rfc_example, june_2024));
    EXPECT_FALSE(
        if_range_holds("\"e3b0c44298fc1c149afbf4c8996fb925\"", etag, rfc_example, june_2024));
    EXPECT_FALSE(
        if_range_holds("W/\"e3b0c44298fc1c149afbf4c8996fb924\"", etag, rfc_example, june_2024));
    // A single tag only, exactly.
    EXPECT_FALSE(if_range_holds("\"e3b0c44298fc1c149afbf4c8996fb924\", \"x\"", etag, rfc_example,
                                june_2024));
    EXPECT_FALSE(
        if_range_holds("\"e3b0c44298fc1c149afbf4c8996fb924", etag, rfc_example, june_2024));
    EXPECT_FALSE(if_range_holds("*", etag, rfc_example, june_2024));
    EXPECT_FALSE(if_range_holds("", etag, rfc_example, june_2024));
}

TEST(HttpIfRange, Dates) {
    const std::string_view etag = "\"xyzzy\"";
    const WallTime modified{784111777 * billion + 250'000'000};
    EXPECT_TRUE(if_range_holds("Sun, 06 Nov 1994 08:49:37 GMT", etag, modified, june_2024));
    EXPECT_TRUE(if_range_holds("Sun Nov  6 08:49:37 1994", etag, modified, june_2024));
    EXPECT_TRUE(if_range_holds("Sunday, 06-Nov-94 08:49:37 GMT", etag, modified, june_2024));
    EXPECT_FALSE(if_range_holds("Sun, 06 Nov 1994 08:49:38 GMT", etag, modified, june_2024));
    EXPECT_FALSE(if_range_holds("Sun, 06 Nov 1994 08:49:36 GMT", etag, modified, june_2024));
    EXPECT_FALSE(if_range_holds("Sun, 31 Feb 1994 08:49:37 GMT", etag, modified, june_2024));
    EXPECT_FALSE(if_range_holds("xyzzy", etag, modified, june_2024));
    // A date that was sent as an entity tag is neither.
    EXPECT_FALSE(if_range_holds("\"Sun, 06 Nov 1994 08:49:37 GMT\"", etag, modified, june_2024));
}

// --- Accept-Encoding ---

// A field value, a coding, and whether the one accepts the other.
struct AcceptCase {
    std::string_view field;
    std::string_view coding;
    bool accepted;
};

void expect_accepts(std::initializer_list<AcceptCase> cases) {
    for (const AcceptCase& each : cases) {
        EXPECT_EQ(accepts_coding(each.field, each.coding), each.accepted)
            << each.field << " / " << each.coding;
    }
}

// Whether each field accepts gzip.
void expect_gzip(std::initializer_list<std::string_view> fields, bool accepted) {
    for (std::string_view field : fields) {
        EXPECT_EQ(accepts_coding(field, "gzip"), accepted) << field;
    }
}

TEST(HttpAcceptEncoding, WhatClientsSend) {
    // Chromium and Firefox; curl --compressed; Safari.
    for (std::string_view field : {"gzip, deflate, br, zstd", "deflate, gzip, br, zstd"}) {
        expect_accepts({{field, "gzip", true},
                        {field, "br", true},
                        {field, "zstd", true},
                        {field, "compress", false}});
    }
    // wrk and plain curl send no Accept-Encoding; the server sees an empty value.
    expect_accepts({{"gzip, deflate, br", "zstd", false}, {"", "gzip", false}});
}

TEST(HttpAcceptEncoding, ExamplesOfSection12_5_3) {
    const std::string_view only_gzip = "gzip;q=1.0, identity; q=0.5, *;q=0";
    expect_accepts({{"compress, gzip", "gzip", true},
                    {"compress, gzip", "compress", true},
                    {"compress, gzip", "br", false},
                    {"*", "gzip", true},
                    {"compress;q=0.5, gzip;q=1.0", "compress", true},
                    {"compress;q=0.5, gzip;q=1.0", "gzip", true},
                    {only_gzip, "gzip", true},
                    {only_gzip, "identity", true},
                    {only_gzip, "br", false}});
}

TEST(HttpAcceptEncoding, AnEntryForTheCodingBeatsTheWildcard) {
    expect_accepts({{"gzip;q=0, *", "gzip", false},
                    {"gzip;q=0, *", "br", true},
                    {"*;q=0, gzip;q=0.1", "gzip", true},
                    {"*;q=0", "gzip", false},
                    // Of two entries for one coding, the more favourable counts.
                    {"gzip;q=0, gzip", "gzip", true}});
}

TEST(HttpAcceptEncoding, NamesAreCaseInsensitiveAndXGzipIsGzip) {
    expect_gzip({"GZIP", "gzip", "x-gzip", "X-GZIP"}, true);
    expect_gzip({"x-gzip;q=0, *", "gzipx, xgzip, gzi"}, false);
    expect_accepts(
        {{"gzip", "GZip", true}, {"gzip", "x-gzip", true}, {"x-compress", "compress", true}});
}

TEST(HttpAcceptEncoding, Qvalues) {
    expect_gzip(
        {"gzip;q=0.001", "gzip;q=1", "gzip;q=1.", "gzip;q=1.000", "gzip;Q=0.5", "gzip ; q=0.5"},
        true);
    expect_gzip({"gzip;q=0", "gzip;q=0.", "gzip;q=0.000", "gzip; q=0"}, false);
}

TEST(HttpAcceptEncoding, AMalformedElementIsIgnoredAlone) {
    for (std::string_view bad :
         {"gzip;q=1.5", "gzip;q=2", "gzip;q=0.5000", "gzip;q=.5", "gzip;q=-0", "gzip;q=", "gzip;q",
          "gzip;q =0.5", "gzip;q=0.5x", "gzip;q=\"0.5\"", "gzip q=0.5", "gzip;", "gzip;;q=1",
          "\"gzip\""}) {
        EXPECT_FALSE(accepts_coding(bad, "gzip")) << bad;
        // The element alone is dropped: a later one still counts.
        const std::string with_wildcard = std::string{bad} + ", *;q=0.1";
        EXPECT_TRUE(accepts_coding(with_wildcard, "gzip")) << with_wildcard;
    }
    expect_gzip({", ,"}, false);
    expect_gzip({", ,gzip,"}, true);
}

TEST(HttpAcceptEncoding, OtherParametersAreSkipped) {
    // A quoted value may hold commas and semicolons without splitting the list.
    const std::string_view quoted = "gzip;note=\"a, b;q=0\", br";
    expect_accepts({{"gzip;level=9;q=0.8", "gzip", true},
                    {"gzip;level=9;q=0", "gzip", false},
                    {quoted, "gzip", true},
                    {quoted, "br", true},
                    {"gzip;note=\"say \\\"hi\\\"\"", "gzip", true},
                    {"gzip;note=\"unterminated", "gzip", false}});
}

// --- Media types ---

// The type of each path.
void expect_type(std::initializer_list<std::string_view> paths, std::string_view type) {
    for (std::string_view path : paths) {
        EXPECT_EQ(content_type_for(path), type) << path;
    }
}

TEST(HttpContentType, ByExtension) {
    expect_type({"/index.html", "/index.htm", ".html"}, "text/html; charset=utf-8");
    expect_type({"/css/site.css"}, "text/css; charset=utf-8");
    expect_type({"/js/app.js", "/js/app.mjs"}, "application/javascript");
    expect_type({"/js/app.js.map"}, "application/json");
    expect_type({"/site.webmanifest"}, "application/manifest+json");
    expect_type({"/fonts/inter.woff2"}, "font/woff2");
    expect_type({"/app.wasm"}, "application/wasm");
    expect_type({"/release.tar.gz"}, "application/gzip");
    expect_type({"/favicon.ico"}, "image/x-icon");
    expect_type({"/logo.svg"}, "image/svg+xml");
    expect_type({"readme.txt"}, "text/plain; charset=utf-8");
}

TEST(HttpContentType, CaseInsensitive) {
    expect_type({"/INDEX.HTML", "/Index.Html"}, "text/html; charset=utf-8");
    expect_type({"/photo.JpG", "/photo.JPEG"}, "image/jpeg");
    expect_type({"/SITE.WEBMANIFEST"}, "application/manifest+json");
}

TEST(HttpContentType, TheExtensionOfTheLastSegmentOnly) {
    expect_type({"/v1.2/Makefile", "/a.html/b", "/file.", "/.htaccess", "/data.bin",
                 "/x.averyveryverylongextension", "/x.html5", "/x.htm.", "/", ""},
                "application/octet-stream");
}

TEST(HttpContentType, EveryExtensionAStaticSiteServes) {
    for (std::string_view extension :
         {"html",  "htm",  "css", "js",   "mjs",  "json",        "xml",  "txt", "md",  "csv",
          "svg",   "png",  "jpg", "jpeg", "gif",  "webp",        "avif", "ico", "bmp", "woff",
          "woff2", "ttf",  "otf", "eot",  "wasm", "pdf",         "zip",  "gz",  "tar", "mp3",
          "mp4",   "webm", "ogg", "wav",  "map",  "webmanifest", "atom", "rss"}) {
        const std::string path = "/file." + std::string{extension};
        const std::string_view type = content_type_for(path);
        EXPECT_NE(type, "application/octet-stream") << path;
        if (type.starts_with("text/")) {
            EXPECT_TRUE(type.ends_with("; charset=utf-8")) << path;
        }
    }
}

}  // namespace
}  // namespace oasis::http
