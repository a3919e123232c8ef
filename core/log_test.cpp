// Tests of levelled logging: level and prefix rules, what reaches the sink, bad specs, line format.
#include "core/log.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace oasis {
namespace {

struct CapturedLine {
    LogLevel level;
    std::string source;
    std::string line;
    friend bool operator==(const CapturedLine&, const CapturedLine&) = default;
};

// The sink is a plain function pointer, so what it captures lives here.
std::vector<CapturedLine>& captured() {
    static std::vector<CapturedLine> lines;
    return lines;
}

void capture(LogLevel level, std::string_view source, std::string_view line) {
    captured().push_back(CapturedLine{level, std::string(source), std::string(line)});
}

// Counts how often it is formatted, to show that disabled lines are not.
int g_format_count = 0;
struct Counted {};
void format_value(std::string& out, const Counted&) {
    ++g_format_count;
    out += "counted";
}

// Sources as the modules declare them: static, constant-initialized.
constinit LogSource tcp_log{"net.tcp"};
constinit LogSource arp_log{"net.arp"};
constinit LogSource net_log{"net"};
constinit LogSource network_log{"network"};
constinit LogSource dns_log{"services.dns"};

class LogTest : public ::testing::Test {
protected:
    void SetUp() override {
        captured().clear();
        g_format_count = 0;
        ASSERT_TRUE(configure_logs("info").has_value());
        set_log_sink(capture);
    }
    void TearDown() override {
        set_log_sink(nullptr);
        ASSERT_TRUE(configure_logs("info").has_value());
    }

    static std::string describe(const Result<void, LogSpecError>& result) {
        return result.has_value() ? "ok" : format("{}", result.error());
    }
};

TEST_F(LogTest, DefaultLevelIsInfo) {
    EXPECT_TRUE(tcp_log.enabled(LogLevel::error));
    EXPECT_TRUE(tcp_log.enabled(LogLevel::warning));
    EXPECT_TRUE(tcp_log.enabled(LogLevel::info));
    EXPECT_FALSE(tcp_log.enabled(LogLevel::debug));
}

TEST_F(LogTest, SinkReceivesExactlyTheEnabledLines) {
    ASSERT_TRUE(configure_logs("warning").has_value());
    tcp_log.error("lost {} segments", 3);
    tcp_log.warning("window {} is small", 512);
    tcp_log.info("connected to {}", "peer");
    tcp_log.debug("state {}", "ESTABLISHED");
    std::vector<CapturedLine> expected{
        {LogLevel::error, "net.tcp", "lost 3 segments"},
        {LogLevel::warning, "net.tcp", "window 512 is small"},
    };
    EXPECT_EQ(captured(), expected);
}

TEST_F(LogTest, GenericLogCallUsesTheGivenLevel) {
    arp_log.log(LogLevel::info, "plain line");
    arp_log.log(LogLevel::debug, "hidden");
    ASSERT_EQ(captured().size(), 1u);
    EXPECT_EQ(captured()[0], (CapturedLine{LogLevel::info, "net.arp", "plain line"}));
}

TEST_F(LogTest, DisabledLinesAreNotFormatted) {
    tcp_log.debug("{}", Counted{});
    EXPECT_EQ(g_format_count, 0);
    tcp_log.info("{}", Counted{});
    EXPECT_EQ(g_format_count, 1);
    EXPECT_EQ(captured().back().line, "counted");
}

TEST_F(LogTest, NothingIsFormattedWithoutASink) {
    set_log_sink(nullptr);
    tcp_log.error("{}", Counted{});
    EXPECT_EQ(g_format_count, 0);
    EXPECT_TRUE(captured().empty());
}

TEST_F(LogTest, BareLevelAppliesToEverySource) {
    ASSERT_TRUE(configure_logs("debug").has_value());
    EXPECT_TRUE(tcp_log.enabled(LogLevel::debug));
    EXPECT_TRUE(dns_log.enabled(LogLevel::debug));
    ASSERT_TRUE(configure_logs("error").has_value());
    EXPECT_TRUE(dns_log.enabled(LogLevel::error));
    EXPECT_FALSE(dns_log.enabled(LogLevel::warning));
}

TEST_F(LogTest, QuietDisablesEverything) {
    ASSERT_TRUE(configure_logs("*:debug,net.arp:quiet").has_value());
    EXPECT_FALSE(arp_log.enabled(LogLevel::error));
    arp_log.error("never seen");
    EXPECT_TRUE(captured().empty());
    EXPECT_TRUE(tcp_log.enabled(LogLevel::debug));
}

TEST_F(LogTest, PerSourceRulesAndTheStarDefault) {
    ASSERT_TRUE(configure_logs("*:info,net.tcp:debug,net.arp:warning").has_value());
    EXPECT_TRUE(tcp_log.enabled(LogLevel::debug));
    EXPECT_FALSE(arp_log.enabled(LogLevel::info));
    EXPECT_TRUE(arp_log.enabled(LogLevel::warning));
    EXPECT_TRUE(dns_log.enabled(LogLevel::info));
    EXPECT_FALSE(dns_log.enabled(LogLevel::debug));
}

TEST_F(LogTest, PrefixRuleCoversChildrenAtDotBoundariesOnly) {
    ASSERT_TRUE(configure_logs("error,net:debug").has_value());
    EXPECT_TRUE(net_log.enabled(LogLevel::debug));
    EXPECT_TRUE(tcp_log.enabled(LogLevel::debug));
    EXPECT_TRUE(arp_log.enabled(LogLevel::debug));
    // "network" starts with "net" but is not below it.
    EXPECT_FALSE(network_log.enabled(LogLevel::warning));
    EXPECT_FALSE(dns_log.enabled(LogLevel::warning));
}

TEST_F(LogTest, MostSpecificRuleWinsWhateverTheOrder) {
    ASSERT_TRUE(configure_logs("net.arp:error,net:debug").has_value());
    EXPECT_TRUE(tcp_log.enabled(LogLevel::debug));
    EXPECT_FALSE(arp_log.enabled(LogLevel::warning));
    ASSERT_TRUE(configure_logs("net:debug,net.arp:error").has_value());
    EXPECT_TRUE(tcp_log.enabled(LogLevel::debug));
    EXPECT_FALSE(arp_log.enabled(LogLevel::warning));
}

TEST_F(LogTest, DotStarSpacesAndRepeatedPatterns) {
    ASSERT_TRUE(configure_logs(" net.* : debug , services:warning,services:error ").has_value());
    EXPECT_TRUE(tcp_log.enabled(LogLevel::debug));
    EXPECT_TRUE(net_log.enabled(LogLevel::debug));
    EXPECT_FALSE(dns_log.enabled(LogLevel::warning));  // the later entry replaced the earlier
    EXPECT_TRUE(dns_log.enabled(LogLevel::error));
}

TEST_F(LogTest, EachConfigurationReplacesThePreviousOne) {
    ASSERT_TRUE(configure_logs("net.tcp:debug").has_value());
    EXPECT_TRUE(tcp_log.enabled(LogLevel::debug));
    ASSERT_TRUE(configure_logs("net.arp:debug").has_value());
    EXPECT_FALSE(tcp_log.enabled(LogLevel::debug));
    EXPECT_TRUE(arp_log.enabled(LogLevel::debug));
}

TEST_F(LogTest, BadSpecsAreRefusedWithAReasonAndChangeNothing) {
    ASSERT_TRUE(configure_logs("net.tcp:debug").has_value());
    EXPECT_EQ(describe(configure_logs("net:loud")),
              "unknown log level \"loud\" (expected quiet, error, warning, info or debug)");
    EXPECT_EQ(describe(configure_logs("verbose")),
              "unknown log level \"verbose\" (expected quiet, error, warning, info or debug)");
    EXPECT_EQ(describe(configure_logs("net:")),
              "unknown log level \"\" (expected quiet, error, warning, info or debug)");
    EXPECT_EQ(describe(configure_logs("info,,net:debug")),
              "empty entry in log spec \"info,,net:debug\"");
    EXPECT_EQ(describe(configure_logs("")), "empty entry in log spec \"\"");
    EXPECT_EQ(describe(configure_logs("info,")), "empty entry in log spec \"info,\"");
    EXPECT_EQ(describe(configure_logs(":debug")),
              "bad source name \"\" in log spec (expected *, or letters, digits, '.', '_' and "
              "'-')");
    EXPECT_EQ(describe(configure_logs("net/tcp:debug")),
              "bad source name \"net/tcp\" in log spec (expected *, or letters, digits, '.', '_' "
              "and '-')");
    EXPECT_EQ(configure_logs("DEBUG").error().kind, LogSpecErrorKind::unknown_log_level);
    EXPECT_EQ(configure_logs("a b:info").error().kind, LogSpecErrorKind::bad_source_name);
    // The good configuration from before is still in force.
    EXPECT_TRUE(tcp_log.enabled(LogLevel::debug));
    EXPECT_FALSE(arp_log.enabled(LogLevel::debug));
}

TEST_F(LogTest, ValidateDoesNotApply) {
    EXPECT_TRUE(validate_log_spec("debug").has_value());
    EXPECT_FALSE(tcp_log.enabled(LogLevel::debug));
    EXPECT_EQ(validate_log_spec("net:nope").error().kind, LogSpecErrorKind::unknown_log_level);
}

TEST_F(LogTest, LevelNames) {
    EXPECT_EQ(log_level_name(LogLevel::error), "error");
    EXPECT_EQ(log_level_name(LogLevel::warning), "warning");
    EXPECT_EQ(log_level_name(LogLevel::info), "info");
    EXPECT_EQ(log_level_name(LogLevel::debug), "debug");
}

TEST(LogLineTest, KernelStyleTimestampLevelAndSource) {
    EXPECT_EQ(format_log_line(1234567us, LogLevel::info, "net.arp", "who-has 10.0.0.1"),
              "[    1.234567] INFO net.arp: who-has 10.0.0.1");
    EXPECT_EQ(format_log_line(Duration::zero(), LogLevel::error, "core", "boom"),
              "[    0.000000] ERROR core: boom");
    EXPECT_EQ(format_log_line(123456s + 999999999ns, LogLevel::warning, "a", "b"),
              "[123456.999999] WARN a: b");
    EXPECT_EQ(format_log_line(-5s, LogLevel::debug, "x", "y"), "[    0.000000] DEBUG x: y");
}

}  // namespace
}  // namespace oasis
