// Tests of format(): every built-in type, specs, the customization point and pattern edge cases.
#include "core/format.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace oasis {
namespace {

TEST(FormatTest, PlainTextAndEscapedBraces) {
    EXPECT_EQ(format("hello"), "hello");
    EXPECT_EQ(format(""), "");
    EXPECT_EQ(format("{{}} and {{{}}}", 7), "{} and {7}");
    EXPECT_EQ(format("a lone } stays"), "a lone } stays");
}

TEST(FormatTest, SignedIntegersOfEveryWidth) {
    EXPECT_EQ(format("{}", std::int8_t{-128}), "-128");
    EXPECT_EQ(format("{}", std::int16_t{-32768}), "-32768");
    EXPECT_EQ(format("{}", std::int32_t{-2147483647 - 1}), "-2147483648");
    EXPECT_EQ(format("{}", std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
    EXPECT_EQ(format("{}", std::numeric_limits<std::int64_t>::max()), "9223372036854775807");
    EXPECT_EQ(format("{}", 0), "0");
    EXPECT_EQ(format("{}", -1L), "-1");
    EXPECT_EQ(format("{}", static_cast<signed char>(-5)), "-5");
}

TEST(FormatTest, UnsignedIntegersOfEveryWidth) {
    EXPECT_EQ(format("{}", std::uint8_t{255}), "255");
    EXPECT_EQ(format("{}", std::uint16_t{65535}), "65535");
    EXPECT_EQ(format("{}", std::uint32_t{4294967295u}), "4294967295");
    EXPECT_EQ(format("{}", std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
    EXPECT_EQ(format("{}", std::size_t{42}), "42");
}

TEST(FormatTest, HexadecimalAndZeroPadding) {
    EXPECT_EQ(format("{:x}", 255), "ff");
    EXPECT_EQ(format("{:X}", 0xdeadbeefu), "DEADBEEF");
    EXPECT_EQ(format("{:02x}", std::uint8_t{0x0a}), "0a");
    EXPECT_EQ(format("{:04x}", 0x1234abcdU), "1234abcd");  // width is a minimum
    EXPECT_EQ(format("{:x}", std::numeric_limits<std::uint64_t>::max()), "ffffffffffffffff");
    EXPECT_EQ(format("{:x}", std::numeric_limits<std::int64_t>::min()), "-8000000000000000");
    EXPECT_EQ(format("{:05}", 42), "00042");
    EXPECT_EQ(format("{:05}", -42), "-0042");
    EXPECT_EQ(format("{:06d}", 7), "000007");
    EXPECT_EQ(format("{:x}", 0), "0");
}

TEST(FormatTest, MacAddressFromBytes) {
    std::array<std::uint8_t, 6> mac{0x02, 0x00, 0x5e, 0x10, 0xab, 0xff};
    EXPECT_EQ(format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", mac[0], mac[1], mac[2], mac[3],
                     mac[4], mac[5]),
              "02:00:5e:10:ab:ff");
}

TEST(FormatTest, WidthAndAlignment) {
    EXPECT_EQ(format("[{:5}]", 42), "[   42]");
    EXPECT_EQ(format("[{:<5}]", 42), "[42   ]");
    EXPECT_EQ(format("[{:<5}]", -4), "[-4   ]");
    EXPECT_EQ(format("[{:>5}]", "ab"), "[   ab]");
    EXPECT_EQ(format("[{:6}]", "text"), "[  text]");
    EXPECT_EQ(format("[{:<6}]", "text"), "[text  ]");
    EXPECT_EQ(format("[{:05}]", "ab"), "[   ab]");  // zeros are for integers only
    EXPECT_EQ(format("[{:2}]", "longer"), "[longer]");
    EXPECT_EQ(format("[{:x}]", "hex is ignored"), "[hex is ignored]");
}

TEST(FormatTest, BoolCharAndStrings) {
    EXPECT_EQ(format("{} {}", true, false), "true false");
    EXPECT_EQ(format("{}{}{}", 'a', 'b', 'c'), "abc");
    const char* c_string = "c string";
    const char* null_string = nullptr;
    std::string owned = "owned";
    std::string_view view = "a view";
    EXPECT_EQ(format("{}|{}|{}|{}|{}", c_string, null_string, owned, view, "literal"),
              "c string|(null)|owned|a view|literal");
    char buffer[8] = {'a', 'b', '\0', 'z', 'z', 'z', 'z', 'z'};
    EXPECT_EQ(format("{}", buffer), "ab");
    char unterminated[3] = {'x', 'y', 'z'};
    EXPECT_EQ(format("{}", unterminated), "xyz");
    EXPECT_EQ(format("{}", std::string_view("with\0nul", 8)), std::string("with\0nul", 8));
}

TEST(FormatTest, Pointers) {
    int object = 0;
    const void* pointer = reinterpret_cast<const void*>(std::uintptr_t{0x1000});
    EXPECT_EQ(format("{}", pointer), "0x1000");
    EXPECT_EQ(format("{}", nullptr), "0x0");
    EXPECT_EQ(format("{}", &object).substr(0, 2), "0x");
}

TEST(FormatTest, DurationsInTheLargestWholeUnit) {
    EXPECT_EQ(format("{}", Duration::zero()), "0s");
    EXPECT_EQ(format("{}", 7ns), "7ns");
    EXPECT_EQ(format("{}", 999ns), "999ns");
    EXPECT_EQ(format("{}", 12us), "12us");
    EXPECT_EQ(format("{}", 1500ns), "1.5us");
    EXPECT_EQ(format("{}", 250ms), "250ms");
    EXPECT_EQ(format("{}", 1234567ns), "1.234567ms");
    EXPECT_EQ(format("{}", 1500ms), "1.5s");
    EXPECT_EQ(format("{}", 1s + 1ns), "1.000000001s");
    EXPECT_EQ(format("{}", 1s + 20ms), "1.02s");
    EXPECT_EQ(format("{}", 1h), "3600s");
    EXPECT_EQ(format("{}", -250ms), "-250ms");
    EXPECT_EQ(format("{}", Duration::max()), "9223372036.854775807s");
    EXPECT_EQ(format("{}", Duration::min()), "-9223372036.854775808s");
    EXPECT_EQ(format("{}", std::chrono::seconds(5)), "5s");
    EXPECT_EQ(format("[{:<7}]", 12us), "[12us   ]");
}

TEST(FormatTest, MissingArgumentsPrintThePlaceholder) {
    EXPECT_EQ(format("{} and {}", 1), "1 and {}");
    EXPECT_EQ(format("{:02x} {:5}"), "{:02x} {:5}");
    EXPECT_EQ(format("x={}", 1, 2, 3), "x=1");
}

TEST(FormatTest, MalformedPlaceholdersAreCopiedAndConsumeNothing) {
    EXPECT_EQ(format("{:q} {}", 5), "{:q} 5");
    EXPECT_EQ(format("{name} {}", 5), "{name} 5");
    EXPECT_EQ(format("{:1234} {}", 5), "{:1234} 5");  // width has three digits at most
    EXPECT_EQ(format("{:xx} {}", 5), "{:xx} 5");
    EXPECT_EQ(format("open { never closed", 5), "open { never closed");
    EXPECT_EQ(format("trailing {", 5), "trailing {");
}

TEST(FormatTest, FormatToAppends) {
    std::string out = "prefix ";
    format_to(out, "{}+{}={}", 2, 2, 4);
    EXPECT_EQ(out, "prefix 2+2=4");
}

}  // namespace

// Types in their own namespace, found by argument-dependent lookup.
namespace format_test_types {

struct Point {
    int x;
    int y;
};
void format_value(std::string& out, const Point& point) {
    format_to(out, "({}, {})", point.x, point.y);
}

enum class Color { red, green };
void format_value(std::string& out, Color color) {
    out += color == Color::red ? "red" : "green";
}

struct WithMember {
    int id;
    void format_value(std::string& out) const { format_to(out, "member#{}", id); }
};

// Convertible to a string_view, but its own format_value wins.
struct Named {
    operator std::string_view() const { return "conversion"; }
};
void format_value(std::string& out, const Named&) {
    out += "customized";
}

}  // namespace format_test_types

namespace {

TEST(FormatTest, UserTypesThroughFormatValue) {
    using namespace format_test_types;
    EXPECT_EQ(format("{} {}", Point{1, -2}, Color::green), "(1, -2) green");
    EXPECT_EQ(format("{}", WithMember{9}), "member#9");
    EXPECT_EQ(format("{}", Named{}), "customized");
    EXPECT_EQ(format("[{:8}]", Color::red), "[     red]");
    EXPECT_EQ(format("[{:<8}]", Point{3, 4}), "[(3, 4)  ]");
}

TEST(FormatTest, AppendHelpers) {
    std::string out;
    append_signed(out, -3, FormatSpec{.width = 4, .zero_pad = true});
    append_unsigned(out, 0xab, FormatSpec{.hex = true, .upper_case = true});
    append_text(out, "x", FormatSpec{.width = 3, .left_align = true});
    format_duration(out, 3ms);
    EXPECT_EQ(out, "-003ABx  3ms");
}

}  // namespace
}  // namespace oasis
