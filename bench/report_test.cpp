// Tests of bench/report.hpp: the BENCH| line bench/run parses, and median().
#include "bench/report.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace oasis::bench {
namespace {

TEST(BenchReport, LineWithPeerHasRatioWithTwoDecimals) {
    EXPECT_EQ(report_line("tcp_stream", "throughput", 941.25, "Mbit/s", "linux", 1000),
              "BENCH|tcp_stream|throughput|941.2|linux|1000|Mbit/s|0.94");
    EXPECT_EQ(report_line("ping", "rtt_median", 12, "us", "linux", 5),
              "BENCH|ping|rtt_median|12|linux|5|us|2.40");
}

TEST(BenchReport, LineWithoutPeerHasDashes) {
    EXPECT_EQ(report_line("boot", "time", 3.5, "ms"), "BENCH|boot|time|3.5|-|-|ms|-");
    EXPECT_EQ(report_line("boot", "time", 3.5, "ms", "", 2), "BENCH|boot|time|3.5|-|-|ms|-");
}

TEST(BenchReport, ZeroOrMissingPeerValueGivesNoRatio) {
    EXPECT_EQ(report_line("a", "b", 1, "u", "peer", 0), "BENCH|a|b|1|peer|0|u|-");
    EXPECT_EQ(report_line("a", "b", 1, "u", "peer", std::nan("")), "BENCH|a|b|1|peer|-|u|-");
}

TEST(BenchReport, SeparatorsInsideFieldsAreReplaced) {
    EXPECT_EQ(report_line("a|b", "c\nd", 1, "", "p|q", 4), "BENCH|a/b|c d|1|p/q|4|-|0.25");
}

TEST(BenchReport, ValuesAreWrittenWithoutExponents) {
    EXPECT_EQ(format_value(0.000123456), "0.0001235");
    EXPECT_EQ(format_value(1234567.891), "1234567.9");
    EXPECT_EQ(format_value(3e9), "3000000000");
    EXPECT_EQ(format_value(-2.5), "-2.5");
    EXPECT_EQ(format_value(0.0000123456), "0.00001235");
    EXPECT_EQ(format_value(3.5), "3.5");
    EXPECT_EQ(format_value(INFINITY), "-");
}

TEST(BenchReport, MedianOfOddAndEvenCounts) {
    EXPECT_EQ(median({5, 1, 3}), 3);
    EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
    EXPECT_EQ(median({7}), 7);
    EXPECT_EQ(median({9, 9, 1, 1, 100}), 9);
    EXPECT_TRUE(std::isnan(median({})));
}

}  // namespace
}  // namespace oasis::bench
