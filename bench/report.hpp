// Helpers for Oasis benchmarks: one BENCH| line per result and a median of samples.
//
// Host code only: benchmarks never run in the guest, so floating point is fine
// here. The line format is documented in docs/benchmarking.md; bench/run
// collects the lines of every bench_* executable into bench/results.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace oasis::bench {

// Written where a field has no value (no peer, or a ratio without one).
inline constexpr std::string_view no_value = "-";

// Formats a measured value for people: integers without decimals, others
// with four significant digits (at least one decimal), trailing zeros
// dropped, never in exponent notation.
inline std::string format_value(double value) {
    if (!std::isfinite(value)) {
        return std::string(no_value);
    }
    char buffer[400];
    if (value == std::trunc(value) && std::fabs(value) < 1e18) {
        std::snprintf(buffer, sizeof buffer, "%.0f", value);
        return buffer;
    }
    const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
    const int decimals = std::clamp(3 - magnitude, 1, 15);
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    std::string text = buffer;
    while (text.back() == '0') {
        text.pop_back();
    }
    if (text.back() == '.') {
        text.pop_back();
    }
    return text;
}

// Oasis's value over the peer's, with two decimals; "-" without a usable peer.
inline std::string format_ratio(double oasis_value, double peer_value) {
    if (!std::isfinite(oasis_value) || !std::isfinite(peer_value) || peer_value == 0) {
        return std::string(no_value);
    }
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.2f", oasis_value / peer_value);
    return buffer;
}

// The '|' separates fields, so it must not appear inside one; a newline would
// split the line. Both are replaced rather than rejected: a benchmark's output
// should never be lost to a stray character in a label.
inline std::string field(std::string_view text) {
    std::string cleaned(text.empty() ? no_value : text);
    std::replace(cleaned.begin(), cleaned.end(), '|', '/');
    std::replace(cleaned.begin(), cleaned.end(), '\n', ' ');
    return cleaned;
}

// The line bench/run collects:
//   BENCH|<benchmark>|<metric>|<oasis value>|<peer name>|<peer value>|<unit>|<ratio>
inline std::string report_line(std::string_view benchmark, std::string_view metric, double value,
                               std::string_view unit, std::string_view peer_name = no_value,
                               double peer_value = std::numeric_limits<double>::quiet_NaN()) {
    const bool has_peer = peer_name != no_value && !peer_name.empty();
    std::string line = "BENCH|";
    line += field(benchmark);
    line += '|';
    line += field(metric);
    line += '|';
    line += format_value(value);
    line += '|';
    line += has_peer ? field(peer_name) : std::string(no_value);
    line += '|';
    line += has_peer ? format_value(peer_value) : std::string(no_value);
    line += '|';
    line += field(unit);
    line += '|';
    line += has_peer ? format_ratio(value, peer_value) : std::string(no_value);
    return line;
}

// Prints one result line on standard output (flushed, so a crash later in the
// run keeps it). Without a peer, pass only the first four arguments.
inline void report(std::string_view benchmark, std::string_view metric, double value,
                   std::string_view unit, std::string_view peer_name = no_value,
                   double peer_value = std::numeric_limits<double>::quiet_NaN()) {
    const std::string line = report_line(benchmark, metric, value, unit, peer_name, peer_value);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
}

// The median of the samples (the mean of the middle two for an even count);
// NaN for no samples. Medians resist the outliers a shared machine produces.
inline double median(std::vector<double> samples) {
    if (samples.empty()) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const auto middle = samples.begin() + static_cast<std::ptrdiff_t>(samples.size() / 2);
    std::nth_element(samples.begin(), middle, samples.end());
    if (samples.size() % 2 == 1) {
        return *middle;
    }
    const double upper = *middle;
    const double lower = *std::max_element(samples.begin(), middle);
    return (lower + upper) / 2;
}

}  // namespace oasis::bench
