// format(): type-safe text formatting with {} placeholders, integer-only, for logs and messages.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/time.hpp"

namespace oasis {

// The pattern language, a small subset of std::format's:
//
//   {}        the next argument, formatted the default way
//   {:x}      an integer in lower-case hexadecimal ({:X}: upper case); no "0x" is added
//   {:8}      right-aligned in at least 8 characters, padded with spaces
//   {:<8}     left-aligned in at least 8 characters
//   {:08}     an integer padded with zeros after its sign ("-0042"); {:02x} gives "0a"
//   {{ }}     a literal brace
//
// Width is at most three digits. Zero padding and hexadecimal apply to
// integers only; other values ignore them (a zero-padded string is padded with
// spaces). A placeholder with no argument left, or with a spec that is not the
// above, is copied to the output verbatim; surplus arguments are ignored.
// Nothing here allocates except the output string, and nothing can crash.
//
// Built-in types: every integer type (signed char and unsigned char, and so
// std::int8_t and std::uint8_t, print as numbers; char prints as a character),
// bool ("true"/"false"), const char* (nullptr prints "(null)"), char arrays,
// std::string, std::string_view and anything else that converts to
// std::string_view, std::chrono durations with an integer count (printed by
// format_duration below: "1.5s", "250ms", "12us", "7ns") and other pointers
// ("0x7ffd5e8c"; nullptr prints "0x0").
//
// The customization point: a type T becomes formattable by providing either a
// member function
//     void format_value(std::string& out) const;
// or a free function found by argument-dependent lookup (declare it in T's own
// namespace, next to T):
//     void format_value(std::string& out, const T& value);  // or T by value
// It appends T's text to `out` (and must not clear it). Width and alignment
// of the placeholder are applied to what it appends; the member is preferred
// when both exist. Customizations win over the built-in conversions, so a
// type convertible to std::string_view can still choose its own text.

// A parsed `{:...}` spec. Exposed so that format_value implementations and
// other code can reuse the integer and padding helpers below.
struct FormatSpec {
    std::uint16_t width = 0;
    bool zero_pad = false;
    bool left_align = false;
    bool hex = false;
    bool upper_case = false;
};

// Appends `value` in decimal (or hex per spec), padded per spec.
void append_signed(std::string& out, std::int64_t value, const FormatSpec& spec = {});
void append_unsigned(std::string& out, std::uint64_t value, const FormatSpec& spec = {});

// Appends `text`, padded with spaces to spec.width per spec.left_align.
void append_text(std::string& out, std::string_view text, const FormatSpec& spec = {});

// Appends a duration in the largest unit in which it is at least 1, with the
// exact decimal fraction and no trailing zeros: 7ns, 12us, 250ms, 1.5s,
// 1.000000001s, 3600s; zero is "0s", negative durations get a '-'.
// Seconds are the largest unit: minutes would hide the exact value.
void format_duration(std::string& out, Duration value);

namespace format_detail {

// A deleted nullary declaration hides any format_value of an enclosing
// namespace from ordinary lookup, so the free-function check below finds only
// the ones argument-dependent lookup brings in (the std::ranges technique).
void format_value() = delete;

template <typename T>
concept HasMemberFormatValue = requires(std::string& out, const T& value) {
    value.format_value(out);
};

template <typename T>
concept HasFreeFormatValue = requires(std::string& out, const T& value) {
    format_value(out, value);
};

template <typename T>
inline constexpr bool is_duration = false;
template <typename Rep, typename Period>
inline constexpr bool is_duration<std::chrono::duration<Rep, Period>> = true;

template <typename T>
inline constexpr bool always_false = false;

// Pads what was appended to `out` since `start` to spec.width.
void pad_from(std::string& out, std::size_t start, const FormatSpec& spec);

void append_pointer(std::string& out, std::uintptr_t address, const FormatSpec& spec);

// One argument with its type erased: a pointer to it and the function that
// knows how to append it. Only this thunk is instantiated per argument type;
// the pattern is walked by one non-template function.
struct Argument {
    const void* value;
    void (*append)(std::string& out, const void* value, const FormatSpec& spec);
};

template <typename T>
void append_erased(std::string& out, const void* erased, const FormatSpec& spec) {
    const T& value = *static_cast<const T*>(erased);
    if constexpr (HasMemberFormatValue<T>) {
        std::size_t start = out.size();
        value.format_value(out);
        pad_from(out, start, spec);
    } else if constexpr (HasFreeFormatValue<T>) {
        std::size_t start = out.size();
        format_value(out, value);
        pad_from(out, start, spec);
    } else if constexpr (std::is_same_v<T, bool>) {
        append_text(out, value ? "true" : "false", spec);
    } else if constexpr (std::is_same_v<T, char>) {
        append_text(out, std::string_view(&value, 1), spec);
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
        append_signed(out, static_cast<std::int64_t>(value), spec);
    } else if constexpr (std::is_integral_v<T>) {
        append_unsigned(out, static_cast<std::uint64_t>(value), spec);
    } else if constexpr (is_duration<T>) {
        static_assert(std::is_integral_v<typename T::rep>, "durations must count in integers");
        std::size_t start = out.size();
        format_duration(out, std::chrono::duration_cast<Duration>(value));
        pad_from(out, start, spec);
    } else if constexpr (std::is_null_pointer_v<T>) {
        append_pointer(out, 0, spec);
    } else if constexpr (std::is_array_v<T> &&
                         std::is_same_v<std::remove_cv_t<std::remove_extent_t<T>>, char>) {
        // A string literal or a char buffer: up to the first NUL, never past the end.
        std::string_view text(value, std::extent_v<T>);
        append_text(out, text.substr(0, text.find('\0')), spec);
    } else if constexpr (std::is_same_v<T, const char*> || std::is_same_v<T, char*>) {
        append_text(out, value == nullptr ? std::string_view("(null)") : std::string_view(value),
                    spec);
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
        append_text(out, static_cast<std::string_view>(value), spec);
    } else if constexpr (std::is_pointer_v<T>) {
        append_pointer(out, reinterpret_cast<std::uintptr_t>(value), spec);
    } else {
        static_assert(always_false<T>,
                      "oasis::format cannot print this type: give it a format_value "
                      "(see core/format.hpp)");
    }
}

template <typename T>
Argument make_argument(const T& value) {
    return Argument{static_cast<const void*>(&value), &append_erased<T>};
}

void format_erased(std::string& out, std::string_view pattern, std::span<const Argument> arguments);

}  // namespace format_detail

// Appends the formatted pattern to `out`.
template <typename... Args>
void format_to(std::string& out, std::string_view pattern, const Args&... args) {
    const std::array<format_detail::Argument, sizeof...(Args)> arguments{
        format_detail::make_argument(args)...};
    format_detail::format_erased(out, pattern, arguments);
}

// The formatted pattern as a new string.
template <typename... Args>
std::string format(std::string_view pattern, const Args&... args) {
    std::string out;
    format_to(out, pattern, args...);
    return out;
}

}  // namespace oasis
