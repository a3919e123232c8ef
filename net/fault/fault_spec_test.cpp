// Tests of parse_fault_spec and format_fault_spec: every value form and every error.
#include "net/fault/fault_spec.hpp"

#include <gtest/gtest.h>

namespace oasis::net {
namespace {

FaultSpec parse_ok(std::string_view text) {
    auto spec = parse_fault_spec(text);
    EXPECT_TRUE(spec.has_value()) << text << ": " << (spec ? "" : spec.error());
    return spec ? *spec : FaultSpec{};
}

std::string parse_error(std::string_view text) {
    auto spec = parse_fault_spec(text);
    EXPECT_FALSE(spec.has_value()) << text;
    return spec ? std::string{} : spec.error();
}

TEST(FaultSpec, EmptyTextIsTransparent) {
    EXPECT_TRUE(parse_ok("").is_transparent());
    EXPECT_TRUE(parse_ok("  ").is_transparent());
    EXPECT_EQ(parse_ok(""), FaultSpec{});
}

TEST(FaultSpec, ParsesTheFullExample) {
    FaultSpec spec = parse_ok(
        "loss=0.03,duplicate=0.01,reorder=0.1,delay=5ms,jitter=1ms,corrupt=0.001,seed=42,"
        "direction=rx");
    EXPECT_EQ(spec.loss_ppm, 30'000u);
    EXPECT_EQ(spec.duplicate_ppm, 10'000u);
    EXPECT_EQ(spec.reorder_ppm, 100'000u);
    EXPECT_EQ(spec.corrupt_ppm, 1'000u);
    EXPECT_EQ(spec.delay, 5ms);
    EXPECT_EQ(spec.jitter, 1ms);
    EXPECT_EQ(spec.seed, 42u);
    EXPECT_EQ(spec.direction, FaultDirection::receive);
    EXPECT_EQ(spec.reorder_delay, 10ms);  // the default
    EXPECT_FALSE(spec.is_transparent());
}

TEST(FaultSpec, ProbabilitiesInEveryForm) {
    EXPECT_EQ(parse_ok("loss=0").loss_ppm, 0u);
    EXPECT_EQ(parse_ok("loss=1").loss_ppm, 1'000'000u);
    EXPECT_EQ(parse_ok("loss=1.0").loss_ppm, 1'000'000u);
    EXPECT_EQ(parse_ok("loss=.5").loss_ppm, 500'000u);
    EXPECT_EQ(parse_ok("loss=0.000001").loss_ppm, 1u);
    EXPECT_EQ(parse_ok("loss=0.25000000").loss_ppm, 250'000u);  // trailing zeros are exact
    EXPECT_EQ(parse_ok("loss=3%").loss_ppm, 30'000u);
    EXPECT_EQ(parse_ok("loss=0.5%").loss_ppm, 5'000u);
    EXPECT_EQ(parse_ok("loss=100%").loss_ppm, 1'000'000u);
    EXPECT_EQ(parse_ok("loss=0.0001%").loss_ppm, 1u);
    EXPECT_EQ(parse_ok("loss=250ppm").loss_ppm, 250u);
}

TEST(FaultSpec, DurationsInEveryUnit) {
    EXPECT_EQ(parse_ok("delay=250ns").delay, 250ns);
    EXPECT_EQ(parse_ok("delay=40us").delay, 40us);
    EXPECT_EQ(parse_ok("delay=5ms").delay, 5ms);
    EXPECT_EQ(parse_ok("delay=2s").delay, 2s);
    EXPECT_EQ(parse_ok("delay=1.5ms").delay, 1500us);
    EXPECT_EQ(parse_ok("delay=0.000000001s").delay, 1ns);
    EXPECT_EQ(parse_ok("jitter=0ms").jitter, 0ns);
    EXPECT_EQ(parse_ok("reorder_delay=20ms").reorder_delay, 20ms);
}

TEST(FaultSpec, DirectionsAndSeed) {
    EXPECT_EQ(parse_ok("direction=both").direction, FaultDirection::both);
    EXPECT_EQ(parse_ok("direction=tx").direction, FaultDirection::transmit);
    EXPECT_EQ(parse_ok("seed=18446744073709551615").seed, 18446744073709551615u);
}

TEST(FaultSpec, SpacesAroundSettingsAreAllowed) {
    FaultSpec spec = parse_ok(" loss = 1% , delay = 2ms ");
    EXPECT_EQ(spec.loss_ppm, 10'000u);
    EXPECT_EQ(spec.delay, 2ms);
}

TEST(FaultSpec, ErrorsNameTheKeyAndTheValue) {
    EXPECT_EQ(parse_error("lose=0.1"),
              "fault spec: unknown key 'lose' (known keys: loss, duplicate, reorder, corrupt, "
              "delay, jitter, reorder_delay, seed, direction)");
    EXPECT_EQ(parse_error("loss=1.5"),
              "fault spec: bad value '1.5' for loss: expected a probability from 0 to 1 (0.03), "
              "a percentage (3%) or parts per million (30000ppm)");
    EXPECT_EQ(parse_error("delay=5"),
              "fault spec: bad value '5' for delay: expected a duration with a unit (ns, us, ms "
              "or s), as in 5ms");
    EXPECT_EQ(parse_error("direction=up"),
              "fault spec: bad value 'up' for direction: expected both, rx or tx");
    EXPECT_EQ(parse_error("seed=-1"),
              "fault spec: bad value '-1' for seed: expected a decimal integer below 2^64");
    EXPECT_EQ(parse_error("loss"), "fault spec: 'loss' needs a value, as in loss=...");
    EXPECT_EQ(parse_error("loss="), "fault spec: 'loss' needs a value, as in loss=...");
    EXPECT_EQ(parse_error("loss=1%,loss=2%"), "fault spec: 'loss' is given twice");
    EXPECT_EQ(parse_error("loss=1%,,delay=1ms"),
              "fault spec: an empty setting (two commas in a row, or one at an end)");
    EXPECT_EQ(parse_error("loss=1%,"),
              "fault spec: an empty setting (two commas in a row, or one at an end)");
}

TEST(FaultSpec, RefusesWhatWouldBeRoundedOrOverflow) {
    parse_error("loss=0.0000001");  // below one part per million
    parse_error("loss=101%");
    parse_error("loss=1000001ppm");
    parse_error("loss=1.5ppm");
    parse_error("loss=-0.1");
    parse_error("loss=1e-3");
    parse_error("loss=.");
    parse_error("loss=%");
    parse_error("loss=0x10");
    parse_error("delay=1.5ns");
    parse_error("delay=ms");
    parse_error("delay=5 ms");
    parse_error("delay=10000000000s");  // past 2^63 nanoseconds
    parse_error("delay=5min");
    parse_error("seed=1.5");
    parse_error("seed=18446744073709551616");
}

TEST(FaultSpec, FormatReadsBack) {
    FaultSpec spec = parse_ok(
        "loss=3%,duplicate=1ppm,reorder=0.5,corrupt=0.001,delay=1500us,jitter=2s,"
        "reorder_delay=7ns,seed=9,direction=tx");
    std::string text = format_fault_spec(spec);
    EXPECT_EQ(text,
              "loss=30000ppm,duplicate=1ppm,reorder=500000ppm,corrupt=1000ppm,delay=1500us,"
              "jitter=2s,reorder_delay=7ns,seed=9,direction=tx");
    EXPECT_EQ(parse_ok(text), spec);
    EXPECT_EQ(parse_ok(format_fault_spec(FaultSpec{})), FaultSpec{});
}

}  // namespace
}  // namespace oasis::net
