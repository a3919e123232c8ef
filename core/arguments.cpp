// ArgumentParser: declarations, the command-line walk, integer-only value parsing and the help.
#include "core/arguments.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include "core/format.hpp"
#include "core/log.hpp"

namespace oasis {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_argument_name(std::string_view name) {
    if (name.empty() || name == "help" || name == "h") {
        return false;
    }
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-' || c == '.')) {
            return false;
        }
    }
    return true;
}

// Parses all of `text` as a decimal integer; from_chars refuses signs other
// than a leading '-' for signed types, spaces, and an empty text.
template <typename Integer>
std::errc parse_integer(std::string_view text, Integer& value) {
    const char* end = text.data() + text.size();
    auto [stopped, error] = std::from_chars(text.data(), end, value);
    // Trailing junk makes the text invalid even when the digits before it
    // are out of range ("99999999999999999999x" is not a number at all).
    if (error != std::errc::invalid_argument && stopped != end) {
        return std::errc::invalid_argument;
    }
    return error;
}

enum class DurationProblem {
    invalid,
    finer_than_nanosecond,
    out_of_range,
};

// A unit as coefficient * 10^exponent nanoseconds: the fraction arithmetic
// below needs that split (a minute is 6 * 10^10 ns).
struct DurationUnit {
    std::string_view suffix;
    std::uint64_t coefficient;
    unsigned exponent;
};
constexpr std::array<DurationUnit, 6> duration_units{{
    {"ns", 1, 0},
    {"us", 1, 3},
    {"ms", 1, 6},
    {"s", 1, 9},
    {"m", 6, 10},
    {"h", 36, 11},
}};

std::uint64_t power_of_ten(unsigned exponent) {
    std::uint64_t result = 1;
    for (unsigned i = 0; i < exponent; ++i) {
        result *= 10;
    }
    return result;
}

// "1", "0.25", "1.000000001", "250ms", "1.5m": an exact integer count of
// nanoseconds, without floating point.
Result<Duration, DurationProblem> parse_duration(std::string_view text) {
    std::size_t number_end = text.find_first_not_of("0123456789.");
    if (number_end == std::string_view::npos) {
        number_end = text.size();
    }
    std::string_view number = text.substr(0, number_end);
    std::string_view suffix = text.substr(number_end);
    const DurationUnit* unit = &duration_units[3];  // plain numbers are seconds
    if (!suffix.empty()) {
        unit = nullptr;
        for (const DurationUnit& candidate : duration_units) {
            if (candidate.suffix == suffix) {
                unit = &candidate;
            }
        }
        if (unit == nullptr) {
            return Error{DurationProblem::invalid};
        }
    }
    std::size_t point = number.find('.');
    std::string_view whole = number.substr(0, point);
    std::string_view fraction =
        point == std::string_view::npos ? std::string_view{} : number.substr(point + 1);
    // Digits on both sides of a point: "5." and ".5" are refused, and a second
    // point shows up as a non-digit in the fraction.
    if (whole.empty() || (point != std::string_view::npos && fraction.empty()) ||
        fraction.find('.') != std::string_view::npos) {
        return Error{DurationProblem::invalid};
    }
    std::uint64_t whole_count = 0;
    if (parse_integer(whole, whole_count) != std::errc{}) {
        return Error{DurationProblem::out_of_range};  // only digits, so too many of them
    }
    while (!fraction.empty() && fraction.back() == '0') {
        fraction.remove_suffix(1);
    }
    // The fraction f with k digits (no trailing zeros) is f * c * 10^(e - k)
    // nanoseconds for a unit of c * 10^e. When k > e this is whole only if
    // 10^(k - e) divides f * c; f is not a multiple of 10 and c (1, 6 or 36)
    // holds at most two factors of 2, so k > e + 2 is always finer than a
    // nanosecond. That bound also keeps f * c within 64 bits (f < 10^13).
    std::uint64_t fraction_nanoseconds = 0;
    if (!fraction.empty()) {
        std::size_t digits = fraction.size();
        if (digits > unit->exponent + 2) {
            return Error{DurationProblem::finer_than_nanosecond};
        }
        std::uint64_t fraction_value = 0;
        (void)parse_integer(fraction, fraction_value);  // at most 13 digits
        std::uint64_t scaled = fraction_value * unit->coefficient;
        if (digits <= unit->exponent) {
            fraction_nanoseconds = scaled * power_of_ten(unit->exponent - digits);
        } else {
            std::uint64_t divisor = power_of_ten(static_cast<unsigned>(digits) - unit->exponent);
            if (scaled % divisor != 0) {
                return Error{DurationProblem::finer_than_nanosecond};
            }
            fraction_nanoseconds = scaled / divisor;
        }
    }
    std::uint64_t unit_nanoseconds = unit->coefficient * power_of_ten(unit->exponent);
    std::uint64_t total = 0;
    if (__builtin_mul_overflow(whole_count, unit_nanoseconds, &total) ||
        __builtin_add_overflow(total, fraction_nanoseconds, &total) ||
        total > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return Error{DurationProblem::out_of_range};
    }
    return Duration{static_cast<std::int64_t>(total)};
}

std::optional<bool> parse_bool(std::string_view text) {
    if (text == "true" || text == "yes" || text == "on" || text == "1") {
        return true;
    }
    if (text == "false" || text == "no" || text == "off" || text == "0") {
        return false;
    }
    return std::nullopt;
}

std::string number_text(std::int64_t value) {
    return format("{}", value);
}

std::string unsigned_text(std::uint64_t value) {
    return format("{}", value);
}

std::string duration_text(Duration value) {
    std::string text;
    format_duration(text, value);
    return text;
}

void pad_to(std::string& out, std::size_t start, std::size_t width) {
    std::size_t length = out.size() - start;
    if (length < width) {
        out.append(width - length, ' ');
    }
}

void trim_line_end(std::string& out) {
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
}

}  // namespace

void format_value(std::string& out, const ArgumentError& error) {
    out += error.message;
}

ArgumentParser::Declaration& ArgumentParser::declare(std::string_view name, Type type,
                                                     std::string_view help) {
    if (!is_argument_name(name)) {
        panic("ArgumentParser: an argument name must be [a-z0-9_.-]+ and not help or h");
    }
    if (find(name) != nullptr) {
        panic("ArgumentParser: an argument is declared twice");
    }
    Declaration& declaration = m_declarations.emplace_back();
    declaration.name = std::string(name);
    declaration.type = type;
    declaration.help = std::string(help);
    return declaration;
}

void ArgumentParser::declare_string(std::string_view name, std::string_view default_value,
                                    std::string_view help) {
    Declaration& declaration = declare(name, Type::string, help);
    declaration.default_value.text = std::string(default_value);
    declaration.value = declaration.default_value;
}

void ArgumentParser::declare_int(std::string_view name, std::int64_t default_value,
                                 std::string_view help, std::int64_t min, std::int64_t max) {
    OASIS_ASSERT(min <= default_value && default_value <= max);
    Declaration& declaration = declare(name, Type::integer, help);
    declaration.min = min;
    declaration.max = max;
    declaration.default_value.integer = default_value;
    declaration.default_value.text = number_text(default_value);
    declaration.value = declaration.default_value;
}

void ArgumentParser::declare_unsigned(std::string_view name, std::uint64_t default_value,
                                      std::string_view help, std::uint64_t min, std::uint64_t max) {
    OASIS_ASSERT(min <= default_value && default_value <= max);
    Declaration& declaration = declare(name, Type::unsigned_integer, help);
    declaration.unsigned_min = min;
    declaration.unsigned_max = max;
    declaration.default_value.unsigned_integer = default_value;
    declaration.default_value.text = unsigned_text(default_value);
    declaration.value = declaration.default_value;
}

void ArgumentParser::declare_bool(std::string_view name, bool default_value,
                                  std::string_view help) {
    Declaration& declaration = declare(name, Type::boolean, help);
    declaration.default_value.boolean = default_value;
    declaration.default_value.text = default_value ? "true" : "false";
    declaration.value = declaration.default_value;
}

void ArgumentParser::declare_duration(std::string_view name, Duration default_value,
                                      std::string_view help) {
    OASIS_ASSERT(default_value >= Duration::zero());
    Declaration& declaration = declare(name, Type::duration, help);
    declaration.default_value.duration = default_value;
    declaration.default_value.text = duration_text(default_value);
    declaration.value = declaration.default_value;
}

void ArgumentParser::declare_custom(std::string_view name, std::string_view type_name,
                                    std::string_view default_text, std::string_view help,
                                    ArgumentValidator validate) {
    OASIS_ASSERT(!type_name.empty());
    OASIS_ASSERT(validate == nullptr || validate(default_text).has_value());
    Declaration& declaration = declare(name, Type::custom, help);
    declaration.type_name = std::string(type_name);
    declaration.validate = validate;
    declaration.default_value.text = std::string(default_text);
    declaration.value = declaration.default_value;
}

std::size_t ArgumentParser::index_of(std::string_view name) const {
    for (std::size_t index = 0; index < m_declarations.size(); ++index) {
        if (m_declarations[index].name == name) {
            return index;
        }
    }
    return m_declarations.size();
}

const ArgumentParser::Declaration* ArgumentParser::find(std::string_view name) const {
    std::size_t index = index_of(name);
    return index < m_declarations.size() ? &m_declarations[index] : nullptr;
}

const ArgumentParser::Declaration& ArgumentParser::lookup(std::string_view name, Type type) const {
    const Declaration* declaration = find(name);
    if (declaration == nullptr) {
        panic("ArgumentParser: reading an argument that was never declared");
    }
    if (declaration->type != type) {
        panic("ArgumentParser: reading an argument as a type it was not declared with");
    }
    return *declaration;
}

bool ArgumentParser::is_declared(std::string_view name) const {
    return find(name) != nullptr;
}

Result<ArgumentParser::Value, ArgumentError> ArgumentParser::parse_value(
    const Declaration& declaration, std::string_view text) const {
    auto invalid = [&](std::string_view expected) {
        return Error{ArgumentError{
            ArgumentErrorKind::invalid_value,
            format("invalid value \"{}\" for --{}: {}", text, declaration.name, expected)}};
    };
    auto out_of_range = [&](const std::string& min, const std::string& max) {
        return Error{ArgumentError{
            ArgumentErrorKind::out_of_range,
            format("--{}: {} is out of range ({}..{})", declaration.name, text, min, max)}};
    };
    Value value;
    value.text = std::string(text);
    switch (declaration.type) {
        case Type::string:
            return value;
        case Type::integer: {
            std::errc error = parse_integer(text, value.integer);
            if (error == std::errc::invalid_argument) {
                return invalid("expected an integer");
            }
            if (error != std::errc{} || value.integer < declaration.min ||
                value.integer > declaration.max) {
                return out_of_range(number_text(declaration.min), number_text(declaration.max));
            }
            return value;
        }
        case Type::unsigned_integer: {
            std::errc error = parse_integer(text, value.unsigned_integer);
            if (error == std::errc::invalid_argument) {
                return invalid("expected an unsigned integer");
            }
            if (error != std::errc{} || value.unsigned_integer < declaration.unsigned_min ||
                value.unsigned_integer > declaration.unsigned_max) {
                return out_of_range(unsigned_text(declaration.unsigned_min),
                                    unsigned_text(declaration.unsigned_max));
            }
            return value;
        }
        case Type::boolean: {
            std::optional<bool> flag = parse_bool(text);
            if (!flag) {
                return invalid("expected true or false");
            }
            value.boolean = *flag;
            return value;
        }
        case Type::duration: {
            Result<Duration, DurationProblem> duration = parse_duration(text);
            if (duration.has_value()) {
                value.duration = *duration;
                return value;
            }
            switch (duration.error()) {
                case DurationProblem::invalid:
                    return invalid(
                        "expected a duration: seconds such as 1.5, or a number with a unit "
                        "(ns, us, ms, s, m, h) such as 250ms");
                case DurationProblem::finer_than_nanosecond:
                    return invalid("finer than a nanosecond");
                case DurationProblem::out_of_range:
                    return out_of_range(duration_text(Duration::zero()),
                                        duration_text(Duration::max()));
            }
            return invalid("expected a duration");
        }
        case Type::custom: {
            if (declaration.validate != nullptr) {
                Result<void, std::string> checked = declaration.validate(text);
                if (checked.is_error()) {
                    return invalid(checked.error());
                }
            }
            return value;
        }
    }
    return value;
}

namespace {

// The placeholder after '=' in "--hello needs a value (--hello=TEXT)".
std::string metavariable(std::string_view type_name) {
    std::string result;
    for (char c : type_name) {
        if (c >= 'a' && c <= 'z') {
            result += static_cast<char>(c - 'a' + 'A');
        } else if (c == ' ') {
            result += '_';
        } else {
            result += c;
        }
    }
    return result;
}

// `--net:service=tap0`: a NAME with a ':' belongs to the platform.
bool is_device_binding(std::string_view argument) {
    std::string_view name = argument.substr(0, argument.find('='));
    return name.starts_with("--") && name.find(':') != std::string_view::npos;
}

}  // namespace

Result<ArgumentParser::Staged, ArgumentError> ArgumentParser::stage(
    std::string_view argument) const {
    std::size_t equals = argument.find('=');
    std::string_view name = argument.substr(0, equals);
    if (!name.starts_with("--") || name.size() == 2) {
        if (name.starts_with("-") && name.size() > 1 && name != "--") {
            return Error{ArgumentError{ArgumentErrorKind::unknown_argument,
                                       format("unknown argument {} (try --help)", name)}};
        }
        return Error{ArgumentError{
            ArgumentErrorKind::unexpected_argument,
            format("unexpected argument \"{}\" (arguments look like --name=value; try --help)",
                   argument)}};
    }
    name.remove_prefix(2);
    std::size_t index = index_of(name);
    if (index == m_declarations.size()) {
        return Error{ArgumentError{ArgumentErrorKind::unknown_argument,
                                   format("unknown argument --{} (try --help)", name)}};
    }
    const Declaration& declaration = m_declarations[index];
    std::string_view text;
    if (equals != std::string_view::npos) {
        text = argument.substr(equals + 1);
    } else if (declaration.type == Type::boolean) {
        text = "true";
    } else {
        std::string_view type_name = declaration.type == Type::custom
                                         ? std::string_view(declaration.type_name)
                                         : type_column_name(declaration.type);
        return Error{ArgumentError{
            ArgumentErrorKind::missing_value,
            format("--{} needs a value (--{}={})", name, name, metavariable(type_name))}};
    }
    return Staged{index, TRY(parse_value(declaration, text))};
}

Result<void, ArgumentError> ArgumentParser::parse(std::span<const std::string_view> arguments) {
    for (std::string_view argument : arguments) {
        if (argument == "--help" || argument == "-h") {
            return Error{ArgumentError{ArgumentErrorKind::help_requested, "help requested"}};
        }
    }
    // Values are staged and only committed once the whole line is good.
    std::vector<Staged> staged;
    std::vector<std::string> device_arguments;
    for (std::string_view argument : arguments) {
        if (is_device_binding(argument)) {
            device_arguments.emplace_back(argument);
            continue;
        }
        staged.push_back(TRY(stage(argument)));
    }
    for (Declaration& declaration : m_declarations) {
        declaration.value = declaration.default_value;
        declaration.given = false;
    }
    for (Staged& entry : staged) {
        m_declarations[entry.index].value = std::move(entry.value);
        m_declarations[entry.index].given = true;
    }
    m_device_arguments = std::move(device_arguments);
    return {};
}

const std::string& ArgumentParser::string_value(std::string_view name) const {
    return lookup(name, Type::string).value.text;
}

std::int64_t ArgumentParser::int_value(std::string_view name) const {
    return lookup(name, Type::integer).value.integer;
}

std::uint64_t ArgumentParser::unsigned_value(std::string_view name) const {
    return lookup(name, Type::unsigned_integer).value.unsigned_integer;
}

bool ArgumentParser::bool_value(std::string_view name) const {
    return lookup(name, Type::boolean).value.boolean;
}

Duration ArgumentParser::duration_value(std::string_view name) const {
    return lookup(name, Type::duration).value.duration;
}

const std::string& ArgumentParser::text(std::string_view name) const {
    const Declaration* declaration = find(name);
    if (declaration == nullptr) {
        panic("ArgumentParser: reading an argument that was never declared");
    }
    return declaration->value.text;
}

bool ArgumentParser::given(std::string_view name) const {
    const Declaration* declaration = find(name);
    if (declaration == nullptr) {
        panic("ArgumentParser: reading an argument that was never declared");
    }
    return declaration->given;
}

std::string_view ArgumentParser::type_column_name(Type type) {
    switch (type) {
        case Type::string:
            return "text";
        case Type::integer:
            return "integer";
        case Type::unsigned_integer:
            return "number";
        case Type::boolean:
            return "bool";
        case Type::duration:
            return "duration";
        case Type::custom:
            return "custom";
    }
    return "?";
}

std::string ArgumentParser::type_column(const Declaration& declaration) const {
    switch (declaration.type) {
        case Type::integer:
            if (declaration.min != std::numeric_limits<std::int64_t>::min() ||
                declaration.max != std::numeric_limits<std::int64_t>::max()) {
                return format("integer {}..{}", declaration.min, declaration.max);
            }
            return "integer";
        case Type::unsigned_integer:
            if (declaration.unsigned_min != 0 ||
                declaration.unsigned_max != std::numeric_limits<std::uint64_t>::max()) {
                return format("number {}..{}", declaration.unsigned_min, declaration.unsigned_max);
            }
            return "number";
        case Type::custom:
            return declaration.type_name;
        default:
            return std::string(type_column_name(declaration.type));
    }
}

std::string ArgumentParser::default_column(const Declaration& declaration) const {
    // Quoted for text, so that an empty or spaced default is visible.
    if (declaration.type == Type::string) {
        return format("\"{}\"", declaration.default_value.text);
    }
    return declaration.default_value.text;
}

std::string ArgumentParser::help_text(std::string_view program_name) const {
    struct Row {
        std::string name;
        std::string type;
        std::string default_text;
        std::string_view help;
    };
    std::vector<Row> rows;
    rows.push_back(Row{"argument", "type", "default", "description"});
    bool has_bool = false;
    bool has_duration = false;
    for (const Declaration& declaration : m_declarations) {
        rows.push_back(Row{format("--{}", declaration.name), type_column(declaration),
                           default_column(declaration), declaration.help});
        has_bool = has_bool || declaration.type == Type::boolean;
        has_duration = has_duration || declaration.type == Type::duration;
    }
    rows.push_back(Row{"--help, -h", "", "", "show this help and stop"});
    std::size_t name_width = 0;
    std::size_t type_width = 0;
    std::size_t default_width = 0;
    for (const Row& row : rows) {
        name_width = std::max(name_width, row.name.size());
        type_width = std::max(type_width, row.type.size());
        default_width = std::max(default_width, row.default_text.size());
    }
    std::string out = format("usage: {} [--NAME=VALUE ...]\n\n", program_name);
    for (const Row& row : rows) {
        std::size_t start = out.size();
        out += "  ";
        out += row.name;
        pad_to(out, start, 2 + name_width + 2);
        out += row.type;
        pad_to(out, start, 2 + name_width + 2 + type_width + 2);
        out += row.default_text;
        pad_to(out, start, 2 + name_width + 2 + type_width + 2 + default_width + 2);
        out += row.help;
        trim_line_end(out);
        out += '\n';
    }
    if (has_bool) {
        out += "\nA bool may be given as --NAME alone, meaning true.\n";
    }
    if (has_duration) {
        out +=
            "\nA duration is in seconds (1, 0.25) or has a unit: ns, us, ms, s, m, h "
            "(250ms, 2m).\n";
    }
    return out;
}

void declare_log_argument(ArgumentParser& parser, std::string_view default_spec) {
    parser.declare_custom(
        "logs", "log spec", default_spec,
        "log levels per source, e.g. *:info,net.tcp:debug; levels: quiet, error, warning, "
        "info, debug",
        [](std::string_view text) -> Result<void, std::string> {
            Result<void, LogSpecError> checked = validate_log_spec(text);
            if (checked.is_error()) {
                return Error{format("{}", checked.error())};
            }
            return {};
        });
}

void apply_log_argument(const ArgumentParser& parser) {
    // parse() has validated the text, so this cannot fail.
    Result<void, LogSpecError> configured = configure_logs(parser.text("logs"));
    OASIS_ASSERT(configured.has_value());
}

}  // namespace oasis
