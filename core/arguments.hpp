// ArgumentParser: typed runtime arguments (--name=value) with defaults, ranges and help text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace oasis {

enum class ArgumentErrorKind {
    help_requested,       // --help or -h: print help_text() and stop, successfully
    unknown_argument,     // --NAME that nobody declared, or a single-dash option
    unexpected_argument,  // not of the form --NAME=VALUE at all ("foo", "--")
    missing_value,        // --NAME without =VALUE, for a type other than bool
    invalid_value,        // a VALUE its type cannot parse
    out_of_range,         // a number outside the declared range or the type's
};

// Why parse() stopped. `message` is the complete sentence for the user, and
// names the argument, e.g.
//   invalid value "abc" for --repeat: expected an unsigned integer
//   --repeat: 99999999999999999999 is out of range (0..18446744073709551615)
//   unknown argument --foo (try --help)
//   --hello needs a value (--hello=TEXT)
struct ArgumentError {
    ArgumentErrorKind kind;
    std::string message;
};
void format_value(std::string& out, const ArgumentError& error);

// Checks the text of a custom argument. On refusal it returns what was
// expected, which parse() completes into
//   invalid value "TEXT" for --NAME: <that text>
// so write it as e.g. "expected an IPv4 address with a prefix length, like 10.0.0.2/24".
using ArgumentValidator = Result<void, std::string> (*)(std::string_view text);

// The runtime arguments of a unikernel. The manifest declares them; the
// generated main declares each one here, parses the command line and reads
// the typed values:
//
//   ArgumentParser parser;
//   parser.declare_string("hello", "Hello World!", "the greeting");
//   parser.declare_unsigned("repeat", 4, "how many times to greet");
//   parser.declare_duration("interval", 1s, "the pause between greetings");
//   auto parsed = parser.parse(arguments);   // without argv[0]
//   if (!parsed && parsed.error().kind == ArgumentErrorKind::help_requested) ...
//   hello.repeat = parser.unsigned_value("repeat");
//
// The command line:
// - Every argument is `--NAME=VALUE`; a bool may also be given as `--NAME`
//   (true). There is no `--NAME VALUE` form, so a value never needs guessing.
// - An argument given twice takes the last value: wrappers such as `oasis run`
//   can append an override to a configured command line.
// - `--help` or `-h` anywhere makes parse() return help_requested, whatever
//   else is on the line.
// - A NAME that contains ':' is a device binding (`--net:service=tap0`,
//   `--block:storage=disk.img`), the platform's business: parse() skips it and
//   keeps it, untouched and in order, in device_arguments().
// - parse() is all or nothing: on an error no value changes. Each successful
//   parse() starts again from the defaults.
//
// Declaration mistakes (a name declared twice, a default outside its range,
// reading an undeclared name or with the wrong type) are bugs in the program,
// not in the command line, and panic.
class ArgumentParser {
public:
    // Names are [a-z0-9_-] plus '.', and neither "help" nor "h".
    void declare_string(std::string_view name, std::string_view default_value,
                        std::string_view help);
    void declare_int(std::string_view name, std::int64_t default_value, std::string_view help,
                     std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                     std::int64_t max = std::numeric_limits<std::int64_t>::max());
    void declare_unsigned(std::string_view name, std::uint64_t default_value, std::string_view help,
                          std::uint64_t min = 0,
                          std::uint64_t max = std::numeric_limits<std::uint64_t>::max());
    // true, false (also yes/no, on/off, 1/0); `--NAME` alone means true.
    void declare_bool(std::string_view name, bool default_value, std::string_view help);
    // Seconds with an optional decimal fraction ("1", "0.25", "1.000000001"),
    // or a number with a unit: ns, us, ms, s, m (minutes), h ("250ms",
    // "1.5m"). Parsed in integers, exactly; not negative, not finer than a
    // nanosecond, at most INT64_MAX nanoseconds (about 292 years).
    void declare_duration(std::string_view name, Duration default_value, std::string_view help);
    // An argument of a type another module owns (an IPv4 prefix, a log spec).
    // The parser keeps the text, checked by `validate`; the owner reads it
    // with text() and parses it, knowing it is valid. `type_name` is shown in
    // the help ("log spec") and, upper-cased with '_' for spaces, as the
    // placeholder in messages (--logs=LOG_SPEC). The default must pass
    // `validate`; a null validator accepts any text.
    void declare_custom(std::string_view name, std::string_view type_name,
                        std::string_view default_text, std::string_view help,
                        ArgumentValidator validate);

    // `arguments` is the command line without the program name.
    Result<void, ArgumentError> parse(std::span<const std::string_view> arguments);

    // Typed values after parse() (the defaults before it).
    const std::string& string_value(std::string_view name) const;
    std::int64_t int_value(std::string_view name) const;
    std::uint64_t unsigned_value(std::string_view name) const;
    bool bool_value(std::string_view name) const;
    Duration duration_value(std::string_view name) const;
    // The text of any argument: as given on the command line, else the
    // default's text ("4", "1s", "true"). For custom arguments, their value.
    const std::string& text(std::string_view name) const;
    // Whether the last parse() saw the argument on the command line.
    bool given(std::string_view name) const;
    bool is_declared(std::string_view name) const;

    // The device bindings parse() passed over (`--net:service=tap0`), verbatim.
    const std::vector<std::string>& device_arguments() const { return m_device_arguments; }

    // A listing of every argument, one per line, in declaration order, with
    // aligned columns: name, type (and range), default, help.
    std::string help_text(std::string_view program_name) const;

private:
    enum class Type { string, integer, unsigned_integer, boolean, duration, custom };

    struct Value {
        std::string text;
        std::int64_t integer = 0;
        std::uint64_t unsigned_integer = 0;
        bool boolean = false;
        Duration duration{};
    };

    struct Declaration {
        std::string name;
        Type type;
        std::string type_name;  // for custom arguments
        std::string help;
        std::int64_t min = 0;
        std::int64_t max = 0;
        std::uint64_t unsigned_min = 0;
        std::uint64_t unsigned_max = 0;
        ArgumentValidator validate = nullptr;
        Value default_value;
        Value value;
        bool given = false;
    };

    // A value parsed from the command line, not yet committed.
    struct Staged {
        std::size_t index;
        Value value;
    };

    static std::string_view type_column_name(Type type);

    Declaration& declare(std::string_view name, Type type, std::string_view help);
    // The declaration's index, or m_declarations.size() when there is none.
    std::size_t index_of(std::string_view name) const;
    const Declaration* find(std::string_view name) const;
    const Declaration& lookup(std::string_view name, Type type) const;
    Result<Staged, ArgumentError> stage(std::string_view argument) const;
    Result<Value, ArgumentError> parse_value(const Declaration& declaration,
                                             std::string_view text) const;
    std::string type_column(const Declaration& declaration) const;
    std::string default_column(const Declaration& declaration) const;

    std::vector<Declaration> m_declarations;
    std::vector<std::string> m_device_arguments;
};

// Declares `--logs=SPEC` (the spec of configure_logs in core/log.hpp, e.g.
// "*:info,net.tcp:debug"), checked at parse time. The platform declares it
// and, after parse(), calls apply_log_argument.
void declare_log_argument(ArgumentParser& parser, std::string_view default_spec = "info");
void apply_log_argument(const ArgumentParser& parser);

}  // namespace oasis
