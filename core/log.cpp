// Log levels per source: spec parsing, the rule table, the sink and the line format.
#include "core/log.hpp"

#include <optional>
#include <vector>

namespace oasis {

namespace log_detail {
// Starts at 1 so that a LogSource's initial generation 0 is stale.
std::uint32_t configuration_generation = 1;
}  // namespace log_detail

namespace {

// A level as the most verbose enabled one; quiet enables nothing.
constexpr int quiet_threshold = -1;
constexpr int initial_threshold = static_cast<int>(LogLevel::info);

struct LogRule {
    std::string name;  // "" is the `*` rule
    int threshold;
};

struct LogConfiguration {
    int default_threshold = initial_threshold;
    std::vector<LogRule> rules;
};

// Function-local, so it exists at its first use whatever the order in which
// static objects are constructed.
LogConfiguration& configuration() {
    static LogConfiguration instance;
    return instance;
}

// A plain pointer, constant-initialized: logging works before any static
// constructor has run.
LogSink g_sink = nullptr;

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

std::optional<int> parse_threshold(std::string_view text) {
    if (text == "quiet") {
        return quiet_threshold;
    }
    for (LogLevel level : {LogLevel::error, LogLevel::warning, LogLevel::info, LogLevel::debug}) {
        if (text == log_level_name(level)) {
            return static_cast<int>(level);
        }
    }
    return std::nullopt;
}

bool is_source_name(std::string_view name) {
    if (name.empty()) {
        return false;
    }
    for (char c : name) {
        bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '-';
        if (!allowed) {
            return false;
        }
    }
    return true;
}

Result<LogConfiguration, LogSpecError> parse_spec(std::string_view spec) {
    LogConfiguration result;
    std::string_view rest = spec;
    while (true) {
        std::size_t comma = rest.find(',');
        std::string_view entry = trim(rest.substr(0, comma));
        if (entry.empty()) {
            return Error{LogSpecError{LogSpecErrorKind::empty_entry, std::string(spec)}};
        }
        std::size_t colon = entry.find(':');
        std::string_view name = "*";
        std::string_view level = entry;
        if (colon != std::string_view::npos) {
            name = trim(entry.substr(0, colon));
            level = trim(entry.substr(colon + 1));
        }
        std::optional<int> threshold = parse_threshold(level);
        if (!threshold) {
            return Error{LogSpecError{LogSpecErrorKind::unknown_log_level, std::string(level)}};
        }
        if (name.ends_with(".*")) {
            name.remove_suffix(2);
        }
        if (name == "*") {
            result.default_threshold = *threshold;
        } else if (!is_source_name(name)) {
            return Error{LogSpecError{LogSpecErrorKind::bad_source_name, std::string(name)}};
        } else {
            bool replaced = false;
            for (LogRule& rule : result.rules) {
                if (rule.name == name) {
                    rule.threshold = *threshold;
                    replaced = true;
                }
            }
            if (!replaced) {
                result.rules.push_back(LogRule{std::string(name), *threshold});
            }
        }
        if (comma == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(comma + 1);
    }
    return result;
}

// `name` covers `source` if it is the source itself or an ancestor of it at a
// '.' boundary.
bool covers(std::string_view name, std::string_view source) {
    return source.starts_with(name) && (source.size() == name.size() || source[name.size()] == '.');
}

int threshold_for(std::string_view source) {
    const LogConfiguration& config = configuration();
    int threshold = config.default_threshold;
    std::size_t best_length = 0;
    bool found = false;
    for (const LogRule& rule : config.rules) {
        if (covers(rule.name, source) && (!found || rule.name.size() > best_length)) {
            threshold = rule.threshold;
            best_length = rule.name.size();
            found = true;
        }
    }
    return threshold;
}

std::string_view line_tag(LogLevel level) {
    switch (level) {
        case LogLevel::error:
            return "ERROR";
        case LogLevel::warning:
            return "WARN";
        case LogLevel::info:
            return "INFO";
        case LogLevel::debug:
            return "DEBUG";
    }
    return "?";
}

}  // namespace

std::string_view log_level_name(LogLevel level) {
    switch (level) {
        case LogLevel::error:
            return "error";
        case LogLevel::warning:
            return "warning";
        case LogLevel::info:
            return "info";
        case LogLevel::debug:
            return "debug";
    }
    return "?";
}

void set_log_sink(LogSink sink) {
    g_sink = sink;
}

void format_value(std::string& out, const LogSpecError& error) {
    switch (error.kind) {
        case LogSpecErrorKind::empty_entry:
            format_to(out, "empty entry in log spec \"{}\"", error.text);
            return;
        case LogSpecErrorKind::bad_source_name:
            format_to(out,
                      "bad source name \"{}\" in log spec (expected *, or letters, digits, "
                      "'.', '_' and '-')",
                      error.text);
            return;
        case LogSpecErrorKind::unknown_log_level:
            format_to(out,
                      "unknown log level \"{}\" (expected quiet, error, warning, info or debug)",
                      error.text);
            return;
    }
}

Result<void, LogSpecError> validate_log_spec(std::string_view spec) {
    TRY(parse_spec(spec));
    return {};
}

Result<void, LogSpecError> configure_logs(std::string_view spec) {
    configuration() = TRY(parse_spec(spec));
    ++log_detail::configuration_generation;
    if (log_detail::configuration_generation == 0) {
        // After 2^32 configurations: skip 0, the "never looked up" mark.
        log_detail::configuration_generation = 1;
    }
    return {};
}

std::string format_log_line(Duration since_boot, LogLevel level, std::string_view source,
                            std::string_view message) {
    std::int64_t nanoseconds = since_boot.count() < 0 ? 0 : since_boot.count();
    std::string line;
    format_to(line, "[{:5}.{:06}] {} {}: {}", nanoseconds / 1'000'000'000,
              nanoseconds % 1'000'000'000 / 1'000, line_tag(level), source, message);
    return line;
}

void LogSource::refresh() const {
    m_threshold = threshold_for(m_name);
    m_generation = log_detail::configuration_generation;
}

void LogSource::emit(LogLevel level, std::string_view pattern,
                     std::span<const format_detail::Argument> arguments) const {
    LogSink sink = g_sink;
    if (sink == nullptr) {
        return;
    }
    std::string line;
    format_detail::format_erased(line, pattern, arguments);
    sink(level, m_name, line);
}

}  // namespace oasis
