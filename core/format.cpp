// format(): the pattern walker and the integer, text and duration appenders.
#include "core/format.hpp"

#include <charconv>

namespace oasis {

namespace {

// Appends `digits` (without sign) with an optional '-' and the padding the
// spec asks for. Zero padding goes between the sign and the digits.
void append_number(std::string& out, bool negative, std::string_view digits,
                   const FormatSpec& spec) {
    std::size_t length = digits.size() + (negative ? 1 : 0);
    std::size_t padding = spec.width > length ? spec.width - length : 0;
    if (spec.left_align) {
        if (negative) {
            out += '-';
        }
        out += digits;
        out.append(padding, ' ');
    } else if (spec.zero_pad) {
        if (negative) {
            out += '-';
        }
        out.append(padding, '0');
        out += digits;
    } else {
        out.append(padding, ' ');
        if (negative) {
            out += '-';
        }
        out += digits;
    }
}

void append_magnitude(std::string& out, bool negative, std::uint64_t magnitude,
                      const FormatSpec& spec) {
    char digits[24];  // 20 decimal or 16 hexadecimal digits at most
    auto [end, error] =
        std::to_chars(digits, digits + sizeof digits, magnitude, spec.hex ? 16 : 10);
    (void)error;  // the buffer holds any 64-bit value
    if (spec.upper_case) {
        for (char* digit = digits; digit != end; ++digit) {
            if (*digit >= 'a' && *digit <= 'f') {
                *digit = static_cast<char>(*digit - 'a' + 'A');
            }
        }
    }
    append_number(out, negative, std::string_view(digits, static_cast<std::size_t>(end - digits)),
                  spec);
}

// Parses the part of a placeholder after ':' ("<", "0", width, "x"/"X"/"d").
// Returns false for anything else, and the placeholder is then printed as is.
bool parse_spec(std::string_view text, FormatSpec& spec) {
    std::size_t index = 0;
    if (index < text.size() && text[index] == '<') {
        spec.left_align = true;
        ++index;
    } else if (index < text.size() && text[index] == '>') {
        ++index;
    }
    if (index < text.size() && text[index] == '0') {
        spec.zero_pad = true;
        ++index;
    }
    std::size_t width_start = index;
    while (index < text.size() && text[index] >= '0' && text[index] <= '9') {
        if (index - width_start == 3) {
            return false;
        }
        spec.width = static_cast<std::uint16_t>(spec.width * 10 + (text[index] - '0'));
        ++index;
    }
    if (index < text.size()) {
        switch (text[index]) {
            case 'x':
                spec.hex = true;
                break;
            case 'X':
                spec.hex = true;
                spec.upper_case = true;
                break;
            case 'd':
                break;
            default:
                return false;
        }
        ++index;
    }
    return index == text.size();
}

}  // namespace

void append_signed(std::string& out, std::int64_t value, const FormatSpec& spec) {
    // 0 - (unsigned)value is the magnitude even for INT64_MIN, which has no
    // positive int64 counterpart.
    bool negative = value < 0;
    std::uint64_t magnitude = negative ? std::uint64_t{0} - static_cast<std::uint64_t>(value)
                                       : static_cast<std::uint64_t>(value);
    append_magnitude(out, negative, magnitude, spec);
}

void append_unsigned(std::string& out, std::uint64_t value, const FormatSpec& spec) {
    append_magnitude(out, false, value, spec);
}

void append_text(std::string& out, std::string_view text, const FormatSpec& spec) {
    std::size_t start = out.size();
    out += text;
    format_detail::pad_from(out, start, spec);
}

void format_duration(std::string& out, Duration value) {
    std::int64_t count = value.count();
    if (count == 0) {
        out += "0s";
        return;
    }
    std::uint64_t magnitude = count < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(count)
                                        : static_cast<std::uint64_t>(count);
    if (count < 0) {
        out += '-';
    }
    struct Unit {
        std::uint64_t nanoseconds;
        std::uint16_t fraction_digits;
        std::string_view suffix;
    };
    static constexpr Unit units[] = {
        {1'000'000'000, 9, "s"},
        {1'000'000, 6, "ms"},
        {1'000, 3, "us"},
        {1, 0, "ns"},
    };
    for (const Unit& unit : units) {
        if (magnitude < unit.nanoseconds) {
            continue;
        }
        append_unsigned(out, magnitude / unit.nanoseconds);
        std::uint64_t fraction = magnitude % unit.nanoseconds;
        if (fraction != 0) {
            std::uint16_t digits = unit.fraction_digits;
            while (fraction % 10 == 0) {
                fraction /= 10;
                --digits;
            }
            out += '.';
            append_unsigned(out, fraction, FormatSpec{.width = digits, .zero_pad = true});
        }
        out += unit.suffix;
        return;
    }
}

namespace format_detail {

void pad_from(std::string& out, std::size_t start, const FormatSpec& spec) {
    std::size_t length = out.size() - start;
    if (spec.width <= length) {
        return;
    }
    std::size_t padding = spec.width - length;
    if (spec.left_align) {
        out.append(padding, ' ');
    } else {
        out.insert(start, padding, ' ');
    }
}

void append_pointer(std::string& out, std::uintptr_t address, const FormatSpec& spec) {
    std::size_t start = out.size();
    out += "0x";
    append_unsigned(out, address, FormatSpec{.hex = true});
    pad_from(out, start, spec);
}

void format_erased(std::string& out, std::string_view pattern,
                   std::span<const Argument> arguments) {
    std::size_t next_argument = 0;
    std::size_t index = 0;
    while (index < pattern.size()) {
        char c = pattern[index];
        if (c == '}') {
            // "}}" is an escaped brace; a lone '}' is printed as it is.
            out += '}';
            index += (index + 1 < pattern.size() && pattern[index + 1] == '}') ? 2 : 1;
            continue;
        }
        if (c != '{') {
            std::size_t literal_end = pattern.find_first_of("{}", index);
            if (literal_end == std::string_view::npos) {
                literal_end = pattern.size();
            }
            out += pattern.substr(index, literal_end - index);
            index = literal_end;
            continue;
        }
        if (index + 1 < pattern.size() && pattern[index + 1] == '{') {
            out += '{';
            index += 2;
            continue;
        }
        std::size_t close = pattern.find('}', index + 1);
        if (close == std::string_view::npos) {
            out += pattern.substr(index);
            return;
        }
        std::string_view inside = pattern.substr(index + 1, close - index - 1);
        std::string_view placeholder = pattern.substr(index, close - index + 1);
        index = close + 1;
        FormatSpec spec;
        bool valid = inside.empty() || (inside[0] == ':' && parse_spec(inside.substr(1), spec));
        if (!valid || next_argument >= arguments.size()) {
            out += placeholder;
            continue;
        }
        const Argument& argument = arguments[next_argument++];
        argument.append(out, argument.value, spec);
    }
}

}  // namespace format_detail

}  // namespace oasis
