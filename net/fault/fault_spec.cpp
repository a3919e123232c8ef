// parse_fault_spec and format_fault_spec: the text form of a FaultSpec, integers only.
#include "net/fault/fault_spec.hpp"

#include <array>
#include <charconv>
#include <cstddef>
#include <limits>
#include <optional>

namespace oasis::net {

namespace {

using ParseResult = Result<void, std::string>;

std::string_view trim(std::string_view text) {
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    return text;
}

bool is_digit(char character) {
    return character >= '0' && character <= '9';
}

// Parses a decimal number such as "12", "0.03" or ".5" and returns it times
// 10^scale as an integer: "0.03" with scale 6 is 30000. Refuses signs,
// exponents, empty text, digits beyond `scale` places that are not zero (they
// would be silently lost) and results that do not fit in 64 bits.
std::optional<std::uint64_t> parse_scaled_decimal(std::string_view text, unsigned scale) {
    const std::size_t point = text.find('.');
    std::string_view whole = text.substr(0, point);
    std::string_view fraction =
        point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
    if (whole.empty() && fraction.empty()) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    auto append_digit = [&value](char digit) {
        return !__builtin_mul_overflow(value, 10u, &value) &&
               !__builtin_add_overflow(value, static_cast<std::uint64_t>(digit - '0'), &value);
    };
    for (char character : whole) {
        if (!is_digit(character) || !append_digit(character)) {
            return std::nullopt;
        }
    }
    for (unsigned place = 0; place < scale; ++place) {
        const char digit = place < fraction.size() ? fraction[place] : '0';
        if (!is_digit(digit) || !append_digit(digit)) {
            return std::nullopt;
        }
    }
    for (std::size_t place = scale; place < fraction.size(); ++place) {
        if (fraction[place] != '0') {
            return std::nullopt;
        }
    }
    return value;
}

bool consume_suffix(std::string_view& text, std::string_view suffix) {
    if (text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix) {
        text.remove_suffix(suffix.size());
        return true;
    }
    return false;
}

std::string bad_value(std::string_view key, std::string_view value, std::string_view expected) {
    std::string message = "fault spec: bad value '";
    message.append(value);
    message.append("' for ");
    message.append(key);
    message.append(": expected ");
    message.append(expected);
    return message;
}

ParseResult parse_probability(std::string_view key, std::string_view value, std::uint32_t& out) {
    std::string_view number = value;
    std::optional<std::uint64_t> ppm;
    if (consume_suffix(number, "ppm")) {
        ppm = parse_scaled_decimal(number, 0);
    } else if (consume_suffix(number, "%")) {
        ppm = parse_scaled_decimal(number, 4);  // 1% is 10^4 ppm
    } else {
        ppm = parse_scaled_decimal(number, 6);
    }
    if (!ppm || *ppm > parts_per_million) {
        return Error{bad_value(key, value,
                               "a probability from 0 to 1 (0.03), a percentage (3%) or parts per "
                               "million (30000ppm)")};
    }
    out = static_cast<std::uint32_t>(*ppm);
    return {};
}

struct DurationUnit {
    std::string_view suffix;
    unsigned scale;  // nanoseconds per unit, as a power of ten
};
// Longer suffixes first: "ms" also ends in "s".
constexpr std::array<DurationUnit, 4> duration_units{{
    {"ns", 0},
    {"us", 3},
    {"ms", 6},
    {"s", 9},
}};

ParseResult parse_duration(std::string_view key, std::string_view value, Duration& out) {
    for (const DurationUnit& unit : duration_units) {
        std::string_view number = value;
        if (!consume_suffix(number, unit.suffix)) {
            continue;
        }
        std::optional<std::uint64_t> nanoseconds = parse_scaled_decimal(number, unit.scale);
        if (nanoseconds &&
            *nanoseconds <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            out = Duration{static_cast<std::int64_t>(*nanoseconds)};
            return {};
        }
        break;
    }
    return Error{bad_value(key, value, "a duration with a unit (ns, us, ms or s), as in 5ms")};
}

ParseResult parse_seed(std::string_view key, std::string_view value, std::uint64_t& out) {
    std::optional<std::uint64_t> seed =
        value.find('.') == std::string_view::npos ? parse_scaled_decimal(value, 0) : std::nullopt;
    if (!seed) {
        return Error{bad_value(key, value, "a decimal integer below 2^64")};
    }
    out = *seed;
    return {};
}

ParseResult parse_direction(std::string_view key, std::string_view value, FaultDirection& out) {
    if (value == "both") {
        out = FaultDirection::both;
    } else if (value == "rx") {
        out = FaultDirection::receive;
    } else if (value == "tx") {
        out = FaultDirection::transmit;
    } else {
        return Error{bad_value(key, value, "both, rx or tx")};
    }
    return {};
}

enum class Key {
    loss,
    duplicate,
    reorder,
    corrupt,
    delay,
    jitter,
    reorder_delay,
    seed,
    direction,
};
constexpr std::array<std::string_view, 9> key_names{
    "loss",   "duplicate",     "reorder", "corrupt",   "delay",
    "jitter", "reorder_delay", "seed",    "direction",
};

ParseResult parse_setting(Key key, std::string_view name, std::string_view value, FaultSpec& spec) {
    switch (key) {
        case Key::loss:
            return parse_probability(name, value, spec.loss_ppm);
        case Key::duplicate:
            return parse_probability(name, value, spec.duplicate_ppm);
        case Key::reorder:
            return parse_probability(name, value, spec.reorder_ppm);
        case Key::corrupt:
            return parse_probability(name, value, spec.corrupt_ppm);
        case Key::delay:
            return parse_duration(name, value, spec.delay);
        case Key::jitter:
            return parse_duration(name, value, spec.jitter);
        case Key::reorder_delay:
            return parse_duration(name, value, spec.reorder_delay);
        case Key::seed:
            return parse_seed(name, value, spec.seed);
        case Key::direction:
            return parse_direction(name, value, spec.direction);
    }
    panic("parse_setting: unknown key");
}

std::optional<Key> find_key(std::string_view name) {
    for (std::size_t index = 0; index < key_names.size(); ++index) {
        if (key_names[index] == name) {
            return static_cast<Key>(index);
        }
    }
    return std::nullopt;
}

std::string unknown_key(std::string_view name) {
    std::string message = "fault spec: unknown key '";
    message.append(name);
    message.append("' (known keys:");
    for (std::size_t index = 0; index < key_names.size(); ++index) {
        message.append(index == 0 ? " " : ", ");
        message.append(key_names[index]);
    }
    message.append(")");
    return message;
}

void append_integer(std::string& out, std::uint64_t value) {
    std::array<char, 24> digits;
    auto result = std::to_chars(digits.data(), digits.data() + digits.size(), value);
    out.append(digits.data(), result.ptr);
}

void append_duration(std::string& out, Duration duration) {
    // The largest unit that shows the value exactly.
    std::uint64_t nanoseconds = static_cast<std::uint64_t>(duration.count());
    for (std::size_t index = duration_units.size(); index > 0; --index) {
        const DurationUnit& unit = duration_units[index - 1];
        std::uint64_t per_unit = 1;
        for (unsigned place = 0; place < unit.scale; ++place) {
            per_unit *= 10;
        }
        if (nanoseconds % per_unit == 0) {
            append_integer(out, nanoseconds / per_unit);
            out.append(unit.suffix);
            return;
        }
    }
}

}  // namespace

Result<FaultSpec, std::string> parse_fault_spec(std::string_view text) {
    FaultSpec spec;
    std::array<bool, key_names.size()> seen{};
    if (trim(text).empty()) {
        return spec;
    }
    while (true) {
        const std::size_t comma = text.find(',');
        const std::string_view item = trim(text.substr(0, comma));
        if (item.empty()) {
            return Error{
                std::string{"fault spec: an empty setting (two commas in a row, or one "
                            "at an end)"}};
        }
        const std::size_t equals = item.find('=');
        const std::string_view name = trim(item.substr(0, equals));
        const std::optional<Key> key = find_key(name);
        if (!key) {
            return Error{unknown_key(name)};
        }
        const std::string_view value =
            equals == std::string_view::npos ? std::string_view{} : trim(item.substr(equals + 1));
        if (value.empty()) {
            return Error{"fault spec: '" + std::string{name} + "' needs a value, as in " +
                         std::string{name} + "=..."};
        }
        bool& already = seen[static_cast<std::size_t>(*key)];
        if (already) {
            return Error{"fault spec: '" + std::string{name} + "' is given twice"};
        }
        already = true;
        TRY(parse_setting(*key, name, value, spec));
        if (comma == std::string_view::npos) {
            return spec;
        }
        text.remove_prefix(comma + 1);
    }
}

std::string format_fault_spec(const FaultSpec& spec) {
    std::string out;
    auto probability = [&out](std::string_view name, std::uint32_t ppm) {
        out.append(name);
        out.append("=");
        append_integer(out, ppm);
        out.append("ppm,");
    };
    auto duration = [&out](std::string_view name, Duration value) {
        out.append(name);
        out.append("=");
        append_duration(out, value);
        out.append(",");
    };
    probability("loss", spec.loss_ppm);
    probability("duplicate", spec.duplicate_ppm);
    probability("reorder", spec.reorder_ppm);
    probability("corrupt", spec.corrupt_ppm);
    duration("delay", spec.delay);
    duration("jitter", spec.jitter);
    duration("reorder_delay", spec.reorder_delay);
    out.append("seed=");
    append_integer(out, spec.seed);
    out.append(",direction=");
    switch (spec.direction) {
        case FaultDirection::both:
            out.append("both");
            break;
        case FaultDirection::receive:
            out.append("rx");
            break;
        case FaultDirection::transmit:
            out.append("tx");
            break;
    }
    return out;
}

}  // namespace oasis::net
