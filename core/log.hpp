// Levelled logging per named source, configured by a spec string, after Mirage's Logs.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/format.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace oasis {

// From most to least severe. A source at level `info` emits error, warning
// and info lines and drops debug ones.
enum class LogLevel {
    error,
    warning,
    info,
    debug,
};

// The spelling used in log specs: "error", "warning", "info", "debug".
std::string_view log_level_name(LogLevel level);

// Where lines go. The platform (targets/) installs one; until then, and after
// set_log_sink(nullptr), lines are discarded without being formatted.
// `line` is the formatted message alone, without timestamp, level, source or
// newline: the sink adds what its medium needs (see format_log_line).
using LogSink = void (*)(LogLevel level, std::string_view source, std::string_view line);
void set_log_sink(LogSink sink);

// Why configure_logs refused a spec. `text` is the offending part.
enum class LogSpecErrorKind {
    empty_entry,        // "", or an empty entry between commas
    bad_source_name,    // a source pattern with characters other than [A-Za-z0-9._-], or empty
    unknown_log_level,  // a level other than quiet, error, warning, info, debug
};
struct LogSpecError {
    LogSpecErrorKind kind;
    std::string text;
};
// E.g. `unknown log level "loud" (expected quiet, error, warning, info or debug)`.
void format_value(std::string& out, const LogSpecError& error);

// Sets the level of every source from a spec (Mirage's `-l`): comma-separated
// entries, each either `LEVEL` or `PATTERN:LEVEL`.
//
//   "debug"                              every source at debug
//   "*:info,net.tcp:debug,net.arp:warning"
//   "net:debug"                          net, net.tcp, net.arp ... at debug, the rest at info
//
// LEVEL is quiet (nothing at all), error, warning, info or debug. PATTERN is
// `*` (every source, like a bare LEVEL), a source name, or a name followed by
// `.*` (the same as the name alone). A name covers itself and the sources
// below it at '.' boundaries: `net` covers `net.tcp` but not `network`. For a
// source, the rule with the longest matching name wins; sources no rule names
// take the `*` level, which is info unless the spec says otherwise. Later
// entries replace earlier ones for the same pattern. Spaces around entries,
// names and levels are ignored.
//
// Each call replaces the whole configuration; a refused spec leaves the
// previous one in force. Before any call every source is at info.
Result<void, LogSpecError> configure_logs(std::string_view spec);

// Checks a spec as configure_logs would, without applying it.
Result<void, LogSpecError> validate_log_spec(std::string_view spec);

// The platforms' line format, after the Linux kernel's:
//   "[    1.234567] INFO net.arp: who-has 10.0.0.1"
// Seconds since boot right-aligned in five places (more when needed), then
// microseconds; the tag is ERROR, WARN, INFO or DEBUG. No newline.
std::string format_log_line(Duration since_boot, LogLevel level, std::string_view source,
                            std::string_view message);

namespace log_detail {
// Bumped by every successful configure_logs; a LogSource whose cached level
// is from an older generation looks its level up again. A plain integer with
// constant initialization, so it is valid before any static constructor runs.
extern std::uint32_t configuration_generation;
}  // namespace log_detail

// One named source of log lines, usually a static object per module:
//
//   static oasis::LogSource log{"net.arp"};
//   log.debug("who-has {} from {}", target, sender);
//
// The constructor is constexpr and registers nothing, so a static LogSource
// is constant-initialized (no static-init order to get wrong, and nothing
// for the guest runtime's .init_array walk to do). The source's level is
// looked up lazily, at its first use after each configure_logs, and cached.
// The name is not copied: give it a string that outlives the source (a
// literal). Pattern and arguments are those of oasis::format; a line is
// formatted only if its level is enabled and a sink is installed.
class LogSource {
public:
    explicit constexpr LogSource(std::string_view name) : m_name(name) {}
    LogSource(const LogSource&) = delete;
    LogSource& operator=(const LogSource&) = delete;

    std::string_view name() const { return m_name; }

    bool enabled(LogLevel level) const {
        if (m_generation != log_detail::configuration_generation) {
            refresh();
        }
        return static_cast<int>(level) <= m_threshold;
    }

    template <typename... Args>
    void log(LogLevel level, std::string_view pattern, const Args&... args) const {
        if (!enabled(level)) {
            return;
        }
        const std::array<format_detail::Argument, sizeof...(Args)> arguments{
            format_detail::make_argument(args)...};
        emit(level, pattern, arguments);
    }

    template <typename... Args>
    void error(std::string_view pattern, const Args&... args) const {
        log(LogLevel::error, pattern, args...);
    }
    template <typename... Args>
    void warning(std::string_view pattern, const Args&... args) const {
        log(LogLevel::warning, pattern, args...);
    }
    template <typename... Args>
    void info(std::string_view pattern, const Args&... args) const {
        log(LogLevel::info, pattern, args...);
    }
    template <typename... Args>
    void debug(std::string_view pattern, const Args&... args) const {
        log(LogLevel::debug, pattern, args...);
    }

private:
    void refresh() const;
    void emit(LogLevel level, std::string_view pattern,
              std::span<const format_detail::Argument> arguments) const;

    std::string_view m_name;
    // The cache: the most verbose enabled level as an int (-1: quiet), valid
    // while m_generation matches the configuration's. Generation 0 is never
    // current, so the first use always looks the level up.
    mutable std::uint32_t m_generation = 0;
    mutable int m_threshold = 0;
};

}  // namespace oasis
