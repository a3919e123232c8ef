// Tests of ArgumentParser: defaults, every type, exact error messages, durations, help,
// passthrough.
#include "core/arguments.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "core/log.hpp"

namespace oasis {
namespace {

Result<void, std::string> validate_port_list(std::string_view text) {
    for (char c : text) {
        if (!(c == ',' || (c >= '0' && c <= '9'))) {
            return Error{std::string("expected port numbers separated by commas, like 80,443")};
        }
    }
    return {};
}

class ArgumentsTest : public ::testing::Test {
protected:
    ArgumentsTest() {
        parser.declare_string("hello", "Hello World!", "the greeting");
        parser.declare_unsigned("repeat", 4, "how many times to greet");
        parser.declare_int("offset", -3, "a signed number");
        parser.declare_int("level", 5, "a bounded number", 1, 10);
        parser.declare_unsigned("port", 8080, "a port", 1, 65535);
        parser.declare_bool("verbose", false, "say more");
        parser.declare_bool("colour", true, "use colours");
        parser.declare_duration("interval", 1s, "the pause between greetings");
        parser.declare_custom("ports", "port list", "80", "ports to open", validate_port_list);
    }

    Result<void, ArgumentError> parse(std::initializer_list<std::string_view> arguments) {
        std::vector<std::string_view> list(arguments);
        return parser.parse(list);
    }

    // The message of a refused command line, or "ok".
    std::string message(std::initializer_list<std::string_view> arguments) {
        auto result = parse(arguments);
        return result.has_value() ? "ok" : result.error().message;
    }

    Duration duration_of(std::string_view text) {
        std::string argument = "--interval=" + std::string(text);
        auto result = parse({argument});
        EXPECT_TRUE(result.has_value()) << text << ": " << result.error().message;
        return parser.duration_value("interval");
    }

    ArgumentParser parser;
};

TEST_F(ArgumentsTest, DefaultsBeforeAndAfterAnEmptyParse) {
    EXPECT_EQ(parser.string_value("hello"), "Hello World!");
    ASSERT_TRUE(parse({}).has_value());
    EXPECT_EQ(parser.string_value("hello"), "Hello World!");
    EXPECT_EQ(parser.unsigned_value("repeat"), 4u);
    EXPECT_EQ(parser.int_value("offset"), -3);
    EXPECT_EQ(parser.int_value("level"), 5);
    EXPECT_FALSE(parser.bool_value("verbose"));
    EXPECT_TRUE(parser.bool_value("colour"));
    EXPECT_EQ(parser.duration_value("interval"), 1s);
    EXPECT_EQ(parser.text("ports"), "80");
    EXPECT_EQ(parser.text("interval"), "1s");
    EXPECT_EQ(parser.text("repeat"), "4");
    EXPECT_FALSE(parser.given("hello"));
    EXPECT_TRUE(parser.is_declared("hello"));
    EXPECT_FALSE(parser.is_declared("nope"));
}

TEST_F(ArgumentsTest, OverridesOfEveryType) {
    ASSERT_TRUE(parse({"--hello=Bonjour = tout le monde", "--repeat=18446744073709551615",
                       "--offset=-9223372036854775808", "--level=10", "--port=1", "--verbose",
                       "--colour=false", "--interval=0.25", "--ports=22,80"})
                    .has_value());
    EXPECT_EQ(parser.string_value("hello"), "Bonjour = tout le monde");
    EXPECT_EQ(parser.unsigned_value("repeat"), 18446744073709551615u);
    EXPECT_EQ(parser.int_value("offset"), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(parser.int_value("level"), 10);
    EXPECT_EQ(parser.unsigned_value("port"), 1u);
    EXPECT_TRUE(parser.bool_value("verbose"));
    EXPECT_FALSE(parser.bool_value("colour"));
    EXPECT_EQ(parser.duration_value("interval"), 250ms);
    EXPECT_EQ(parser.text("ports"), "22,80");
    EXPECT_EQ(parser.text("interval"), "0.25");
    EXPECT_TRUE(parser.given("hello"));
}

TEST_F(ArgumentsTest, EmptyStringValue) {
    ASSERT_TRUE(parse({"--hello="}).has_value());
    EXPECT_EQ(parser.string_value("hello"), "");
    EXPECT_TRUE(parser.given("hello"));
}

TEST_F(ArgumentsTest, LastValueWins) {
    ASSERT_TRUE(parse({"--repeat=1", "--repeat=2", "--verbose", "--verbose=false"}).has_value());
    EXPECT_EQ(parser.unsigned_value("repeat"), 2u);
    EXPECT_FALSE(parser.bool_value("verbose"));
}

TEST_F(ArgumentsTest, EachParseStartsFromTheDefaults) {
    ASSERT_TRUE(parse({"--repeat=9", "--net:service=tap0"}).has_value());
    ASSERT_TRUE(parse({"--hello=again"}).has_value());
    EXPECT_EQ(parser.unsigned_value("repeat"), 4u);
    EXPECT_FALSE(parser.given("repeat"));
    EXPECT_TRUE(parser.device_arguments().empty());
}

TEST_F(ArgumentsTest, BoolSpellings) {
    for (std::string_view text : {"true", "yes", "on", "1"}) {
        ASSERT_TRUE(parse({std::string("--verbose=") + std::string(text)}).has_value());
        EXPECT_TRUE(parser.bool_value("verbose")) << text;
    }
    for (std::string_view text : {"false", "no", "off", "0"}) {
        ASSERT_TRUE(parse({std::string("--colour=") + std::string(text)}).has_value());
        EXPECT_FALSE(parser.bool_value("colour")) << text;
    }
    EXPECT_EQ(message({"--verbose=maybe"}),
              "invalid value \"maybe\" for --verbose: expected true or false");
    EXPECT_EQ(message({"--verbose="}), "invalid value \"\" for --verbose: expected true or false");
}

TEST_F(ArgumentsTest, DurationsInSecondsWithExactFractions) {
    EXPECT_EQ(duration_of("0"), Duration::zero());
    EXPECT_EQ(duration_of("1"), 1s);
    EXPECT_EQ(duration_of("0.25"), 250'000'000ns);
    EXPECT_EQ(duration_of("1.000000001"), 1'000'000'001ns);
    EXPECT_EQ(duration_of("1.5"), 1500ms);
    EXPECT_EQ(duration_of("0.000000001"), 1ns);
    EXPECT_EQ(duration_of("2.100000000000"), 2100ms);  // trailing zeros past ns are exact
    EXPECT_EQ(duration_of("007"), 7s);
    EXPECT_EQ(duration_of("9223372036.854775807"), Duration::max());
}

TEST_F(ArgumentsTest, DurationsWithUnits) {
    EXPECT_EQ(duration_of("250ms"), 250ms);
    EXPECT_EQ(duration_of("12us"), 12us);
    EXPECT_EQ(duration_of("7ns"), 7ns);
    EXPECT_EQ(duration_of("3s"), 3s);
    EXPECT_EQ(duration_of("2m"), 120s);
    EXPECT_EQ(duration_of("1h"), 3600s);
    EXPECT_EQ(duration_of("1.5ms"), 1500us);
    EXPECT_EQ(duration_of("0.001us"), 1ns);
    EXPECT_EQ(duration_of("0.5m"), 30s);
    EXPECT_EQ(duration_of("0.00000000005m"), 3ns);  // 5e-11 minutes
    EXPECT_EQ(duration_of("0.0000000000025h"), 9ns);
    EXPECT_EQ(duration_of("2562047h"), 2562047h);
}

TEST_F(ArgumentsTest, BadDurations) {
    const std::string expected =
        ": expected a duration: seconds such as 1.5, or a number with a unit (ns, us, ms, s, m, "
        "h) such as 250ms";
    for (std::string_view text :
         {"abc", "", "1.", ".5", "1.2.3", "-1", "1 s", "5sec", "1e3", "ms", "+1", "1,5"}) {
        std::string argument = "--interval=" + std::string(text);
        EXPECT_EQ(message({argument}),
                  "invalid value \"" + std::string(text) + "\" for --interval" + expected);
    }
    EXPECT_EQ(message({"--interval=0.0000000001"}),
              "invalid value \"0.0000000001\" for --interval: finer than a nanosecond");
    EXPECT_EQ(message({"--interval=1.5ns"}),
              "invalid value \"1.5ns\" for --interval: finer than a nanosecond");
    EXPECT_EQ(message({"--interval=0.0001us"}),
              "invalid value \"0.0001us\" for --interval: finer than a nanosecond");
    EXPECT_EQ(message({"--interval=0.000000000001m"}),
              "invalid value \"0.000000000001m\" for --interval: finer than a nanosecond");
}

TEST_F(ArgumentsTest, HugeDurationsOverflowIntoAnError) {
    const std::string range = " is out of range (0s..9223372036.854775807s)";
    EXPECT_EQ(message({"--interval=9223372036.854775808"}),
              "--interval: 9223372036.854775808" + range);
    EXPECT_EQ(message({"--interval=9223372037"}), "--interval: 9223372037" + range);
    EXPECT_EQ(message({"--interval=99999999999999999999999"}),
              "--interval: 99999999999999999999999" + range);
    EXPECT_EQ(message({"--interval=2562048h"}), "--interval: 2562048h" + range);
    EXPECT_EQ(message({"--interval=18446744073709551615ns"}),
              "--interval: 18446744073709551615ns" + range);
    EXPECT_EQ(parse({"--interval=9223372036854775807ns"}).has_value(), true);
    EXPECT_EQ(parse({"--interval=99999999999999999999"}).error().kind,
              ArgumentErrorKind::out_of_range);
}

TEST_F(ArgumentsTest, IntegerErrors) {
    EXPECT_EQ(message({"--repeat=abc"}),
              "invalid value \"abc\" for --repeat: expected an unsigned integer");
    EXPECT_EQ(message({"--repeat=-1"}),
              "invalid value \"-1\" for --repeat: expected an unsigned integer");
    EXPECT_EQ(message({"--repeat=12x"}),
              "invalid value \"12x\" for --repeat: expected an unsigned integer");
    EXPECT_EQ(message({"--repeat="}),
              "invalid value \"\" for --repeat: expected an unsigned integer");
    EXPECT_EQ(message({"--repeat=99999999999999999999x"}),
              "invalid value \"99999999999999999999x\" for --repeat: expected an unsigned integer");
    EXPECT_EQ(message({"--repeat=99999999999999999999"}),
              "--repeat: 99999999999999999999 is out of range (0..18446744073709551615)");
    EXPECT_EQ(message({"--offset=1.5"}), "invalid value \"1.5\" for --offset: expected an integer");
    EXPECT_EQ(message({"--offset=9223372036854775808"}),
              "--offset: 9223372036854775808 is out of range "
              "(-9223372036854775808..9223372036854775807)");
    EXPECT_EQ(message({"--offset=-9223372036854775809"}),
              "--offset: -9223372036854775809 is out of range "
              "(-9223372036854775808..9223372036854775807)");
    EXPECT_EQ(message({"--level=0"}), "--level: 0 is out of range (1..10)");
    EXPECT_EQ(message({"--level=11"}), "--level: 11 is out of range (1..10)");
    EXPECT_EQ(message({"--level=-4"}), "--level: -4 is out of range (1..10)");
    EXPECT_EQ(message({"--port=0"}), "--port: 0 is out of range (1..65535)");
    EXPECT_EQ(message({"--port=65536"}), "--port: 65536 is out of range (1..65535)");
    EXPECT_EQ(parse({"--port=65536"}).error().kind, ArgumentErrorKind::out_of_range);
    EXPECT_EQ(parse({"--port=x"}).error().kind, ArgumentErrorKind::invalid_value);
}

TEST_F(ArgumentsTest, MissingValues) {
    EXPECT_EQ(message({"--hello"}), "--hello needs a value (--hello=TEXT)");
    EXPECT_EQ(message({"--repeat"}), "--repeat needs a value (--repeat=NUMBER)");
    EXPECT_EQ(message({"--offset"}), "--offset needs a value (--offset=INTEGER)");
    EXPECT_EQ(message({"--interval"}), "--interval needs a value (--interval=DURATION)");
    EXPECT_EQ(message({"--ports"}), "--ports needs a value (--ports=PORT_LIST)");
    EXPECT_EQ(parse({"--hello"}).error().kind, ArgumentErrorKind::missing_value);
}

TEST_F(ArgumentsTest, UnknownAndUnexpectedArguments) {
    EXPECT_EQ(message({"--foo"}), "unknown argument --foo (try --help)");
    EXPECT_EQ(message({"--foo=3"}), "unknown argument --foo (try --help)");
    EXPECT_EQ(message({"-x"}), "unknown argument -x (try --help)");
    EXPECT_EQ(message({"-x=1"}), "unknown argument -x (try --help)");
    EXPECT_EQ(message({"--HELLO=x"}), "unknown argument --HELLO (try --help)");
    EXPECT_EQ(message({"foo"}),
              "unexpected argument \"foo\" (arguments look like --name=value; try --help)");
    EXPECT_EQ(message({"--"}),
              "unexpected argument \"--\" (arguments look like --name=value; try --help)");
    EXPECT_EQ(message({"--=3"}),
              "unexpected argument \"--=3\" (arguments look like --name=value; try --help)");
    EXPECT_EQ(message({"-"}),
              "unexpected argument \"-\" (arguments look like --name=value; try --help)");
    EXPECT_EQ(message({""}),
              "unexpected argument \"\" (arguments look like --name=value; try --help)");
    EXPECT_EQ(parse({"--foo"}).error().kind, ArgumentErrorKind::unknown_argument);
    EXPECT_EQ(parse({"foo"}).error().kind, ArgumentErrorKind::unexpected_argument);
}

TEST_F(ArgumentsTest, CustomArgumentsAreValidated) {
    EXPECT_EQ(message({"--ports=80;443"}),
              "invalid value \"80;443\" for --ports: expected port numbers separated by commas, "
              "like 80,443");
    ASSERT_TRUE(parse({"--ports=443"}).has_value());
    EXPECT_EQ(parser.text("ports"), "443");
}

TEST_F(ArgumentsTest, AFailedParseChangesNothing) {
    ASSERT_TRUE(parse({"--repeat=7", "--block:disk=a.img"}).has_value());
    EXPECT_TRUE(parse({"--repeat=8", "--net:x=tap1", "--repeat=bad"}).is_error());
    EXPECT_EQ(parser.unsigned_value("repeat"), 7u);
    EXPECT_EQ(parser.device_arguments(), (std::vector<std::string>{"--block:disk=a.img"}));
}

TEST_F(ArgumentsTest, HelpIsRequestedAnywhere) {
    auto result = parse({"--repeat=2", "--help"});
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().kind, ArgumentErrorKind::help_requested);
    EXPECT_EQ(parse({"-h"}).error().kind, ArgumentErrorKind::help_requested);
    // Help wins over a bad argument before it.
    EXPECT_EQ(parse({"--foo", "--help"}).error().kind, ArgumentErrorKind::help_requested);
    EXPECT_EQ(parse({"--help=yes"}).error().kind, ArgumentErrorKind::unknown_argument);
}

TEST_F(ArgumentsTest, DeviceBindingsPassThroughUntouchedAndInOrder) {
    ASSERT_TRUE(parse({"--net:service=tap0", "--repeat=2", "--block:storage=disk.img",
                       "--net:weird:name=a=b", "--net:bare"})
                    .has_value());
    EXPECT_EQ(parser.unsigned_value("repeat"), 2u);
    EXPECT_EQ(parser.device_arguments(),
              (std::vector<std::string>{"--net:service=tap0", "--block:storage=disk.img",
                                        "--net:weird:name=a=b", "--net:bare"}));
}

TEST_F(ArgumentsTest, HelpTextIsAnAlignedListing) {
    std::string expected =
        "usage: hello [--NAME=VALUE ...]\n"
        "\n"
        "  argument    type             default         description\n"
        "  --hello     text             \"Hello World!\"  the greeting\n"
        "  --repeat    number           4               how many times to greet\n"
        "  --offset    integer          -3              a signed number\n"
        "  --level     integer 1..10    5               a bounded number\n"
        "  --port      number 1..65535  8080            a port\n"
        "  --verbose   bool             false           say more\n"
        "  --colour    bool             true            use colours\n"
        "  --interval  duration         1s              the pause between greetings\n"
        "  --ports     port list        80              ports to open\n"
        "  --help, -h                                   show this help and stop\n"
        "\n"
        "A bool may be given as --NAME alone, meaning true.\n"
        "\n"
        "A duration is in seconds (1, 0.25) or has a unit: ns, us, ms, s, m, h (250ms, 2m).\n";
    EXPECT_EQ(parser.help_text("hello"), expected);
}

TEST(ArgumentsHelpTest, MinimalParser) {
    ArgumentParser parser;
    parser.declare_string("name", "", "");
    EXPECT_EQ(parser.help_text("x"),
              "usage: x [--NAME=VALUE ...]\n"
              "\n"
              "  argument    type  default  description\n"
              "  --name      text  \"\"\n"
              "  --help, -h                 show this help and stop\n");
}

TEST(LogArgumentTest, DeclaredValidatedAndApplied) {
    static constinit LogSource tcp_log{"net.tcp"};
    ArgumentParser parser;
    declare_log_argument(parser);
    EXPECT_EQ(parser.text("logs"), "info");
    std::vector<std::string_view> bad{"--logs=net:loud"};
    auto refused = parser.parse(bad);
    ASSERT_TRUE(refused.is_error());
    EXPECT_EQ(refused.error().message,
              "invalid value \"net:loud\" for --logs: unknown log level \"loud\" (expected quiet, "
              "error, warning, info or debug)");
    EXPECT_EQ(format("{}", refused.error()), refused.error().message);
    std::vector<std::string_view> missing{"--logs"};
    EXPECT_EQ(parser.parse(missing).error().message, "--logs needs a value (--logs=LOG_SPEC)");

    std::vector<std::string_view> good{"--logs=*:warning,net.tcp:debug"};
    ASSERT_TRUE(parser.parse(good).has_value());
    apply_log_argument(parser);
    EXPECT_TRUE(tcp_log.enabled(LogLevel::debug));
    ASSERT_TRUE(configure_logs("info").has_value());
    EXPECT_FALSE(tcp_log.enabled(LogLevel::debug));
}

using ArgumentsDeathTest = ArgumentsTest;

void trap_panic(std::string_view message) {
    // Death tests run this in a child; the message reaches the parent on stderr.
    std::string line(message);
    line += '\n';
    fwrite(line.data(), 1, line.size(), stderr);
    std::abort();
}

TEST_F(ArgumentsDeathTest, DeclarationMistakesPanic) {
    set_panic_handler(trap_panic);
    EXPECT_DEATH(parser.declare_string("hello", "", ""), "declared twice");
    EXPECT_DEATH(parser.declare_string("help", "", ""), "argument name");
    EXPECT_DEATH(parser.declare_string("net:x", "", ""), "argument name");
    EXPECT_DEATH(parser.declare_int("n", 11, "", 0, 10), "assertion failed");
    EXPECT_DEATH((void)parser.int_value("repeat"), "type it was not declared with");
    EXPECT_DEATH((void)parser.string_value("nope"), "never declared");
    set_panic_handler(nullptr);
}

}  // namespace
}  // namespace oasis
