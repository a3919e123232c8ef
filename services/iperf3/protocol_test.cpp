// Tests of iperf3's control protocol pieces against messages iperf3 3.12 sent.
#include "services/iperf3/protocol.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/format.hpp"

namespace oasis::iperf3 {
namespace {

// `iperf3 -c HOST -n 10M -R -P 2 -O 1 -N -l 64K` (3.12), compact as sent.
constexpr std::string_view reverse_parameters =
    R"({"tcp":true,"omit":1,"time":0,"num":10485760,"blockcount":0,"nodelay":true,"parallel":2,)"
    R"("reverse":true,"len":65536,"pacing_timer":1000,"client_version":"3.12"})";

// Its server's results after a 1-second test it received (3.12, `--debug`).
constexpr std::string_view receiver_results =
    R"({"cpu_util_total":9.37817766013429,"cpu_util_user":0.899636386656696,)"
    R"("cpu_util_system":8.47834344249647,"sender_has_retransmits":18446744073709551615,)"
    R"("congestion_used":"bbr","streams":[{"id":1,"bytes":302645248,)"
    R"("retransmits":18446744073709551615,"jitter":0,"errors":0,"packets":0,"start_time":0,)"
    R"("end_time":1.010907}]})";

// The client's results of a reverse test with two streams, as 3.12 sent
// them: -1 went through a double this time.
constexpr std::string_view reverse_client_results =
    R"({"cpu_util_total":0.73591842756547976,"cpu_util_user":0,)"
    R"("cpu_util_system":0.73621154430508373,"sender_has_retransmits":1.8446744073709552e+19,)"
    R"("congestion_used":"bbr","streams":[{"id":1,"bytes":0,"retransmits":1.8446744073709552e+19,)"
    R"("jitter":0,"errors":0,"packets":0,"start_time":0,"end_time":2.4e-05},{"id":3,"bytes":0,)"
    R"("retransmits":1.8446744073709552e+19,"jitter":0,"errors":0,"packets":0,"start_time":0,)"
    R"("end_time":2.7e-05}]})";

TEST(Iperf3ProtocolTest, StateBytesAreIperf3s) {
    EXPECT_EQ(state_byte(State::param_exchange), std::byte{9});
    EXPECT_EQ(state_byte(State::create_streams), std::byte{10});
    EXPECT_EQ(state_byte(State::access_denied), std::byte{0xff});
    EXPECT_EQ(state_byte(State::server_error), std::byte{0xfe});
    EXPECT_EQ(state_from_byte(std::byte{16}), State::iperf_done);
    EXPECT_EQ(state_from_byte(std::byte{0xff}), State::access_denied);
    // 3, 5..8 are "not used" in iperf_api.h; 0 and 17 never existed.
    for (int value : {0, 3, 5, 6, 7, 8, 17, 0x7f, 0x80, 0xfd}) {
        EXPECT_FALSE(state_from_byte(static_cast<std::byte>(value)).has_value()) << value;
    }
    EXPECT_EQ(format("{}", State::test_end), "TEST_END");
}

TEST(Iperf3ProtocolTest, CookiesAreThirtySixCharactersOfTheAlphabetAndANul) {
    crypto::ChaChaRng::Seed seed{};
    crypto::ChaChaRng random{seed};
    std::set<std::string> seen;
    for (int index = 0; index < 100; ++index) {
        Cookie cookie = make_cookie(random);
        EXPECT_EQ(cookie[36], std::byte{0});
        std::string_view text = cookie_text(cookie);
        ASSERT_EQ(text.size(), 36u);
        for (char c : text) {
            EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) << c;
        }
        seen.emplace(text);
    }
    EXPECT_EQ(seen.size(), 100u);
}

TEST(Iperf3ProtocolTest, FramesMessagesWithABigEndianLength) {
    auto header = message_header(115);
    EXPECT_EQ(header, (std::array<std::byte, 4>{std::byte{0}, std::byte{0}, std::byte{0},
                                                std::byte{0x73}}));
    EXPECT_EQ(message_length(ByteView{header}, max_message_size).value(), 115u);
    auto big = message_header(0x01020304);
    EXPECT_EQ(big[0], std::byte{1});
    EXPECT_EQ(big[3], std::byte{4});
    EXPECT_EQ(message_length(ByteView{big}, max_message_size).error(), FramingError::too_large);
    auto empty = message_header(0);
    EXPECT_EQ(message_length(ByteView{empty}, max_message_size).error(), FramingError::empty);
    auto largest = message_header(max_message_size);
    EXPECT_EQ(message_length(ByteView{largest}, max_message_size).value(), max_message_size);
}

TEST(Iperf3ProtocolTest, ReadsTheParametersOfIperf3) {
    auto parameters = parse_parameters(reverse_parameters);
    ASSERT_TRUE(parameters.has_value()) << format("{}", parameters.error());
    EXPECT_EQ(parameters->protocol, TestParameters::Protocol::tcp);
    EXPECT_EQ(parameters->omit_seconds, 1u);
    EXPECT_EQ(parameters->time_seconds, 0u);
    EXPECT_EQ(parameters->bytes, 10485760u);
    EXPECT_EQ(parameters->blocks, 0u);
    EXPECT_TRUE(parameters->no_delay);
    EXPECT_EQ(parameters->parallel, 2u);
    EXPECT_TRUE(parameters->reverse);
    EXPECT_FALSE(parameters->bidirectional);
    EXPECT_EQ(parameters->block_size, 65536u);
    EXPECT_EQ(parameters->client_version, "3.12");

    auto forward = parse_parameters(
        R"({"tcp":true,"omit":0,"time":1,"num":0,"blockcount":0,"parallel":1,"len":131072,)"
        R"("pacing_timer":1000,"client_version":"3.12"})");
    ASSERT_TRUE(forward.has_value());
    EXPECT_FALSE(forward->reverse);
    EXPECT_FALSE(forward->no_delay);
    EXPECT_EQ(forward->time_seconds, 1u);
    EXPECT_EQ(forward->block_size, 131072u);

    auto udp = parse_parameters(R"({"udp":true,"bandwidth":1048576,"parallel":1,"len":1460})");
    ASSERT_TRUE(udp.has_value());
    EXPECT_EQ(udp->protocol, TestParameters::Protocol::udp);
    EXPECT_EQ(udp->bandwidth, 1048576u);
    auto bidirectional = parse_parameters(R"({"tcp":true,"bidirectional":true})");
    ASSERT_TRUE(bidirectional.has_value());
    EXPECT_TRUE(bidirectional->bidirectional);
    EXPECT_EQ(bidirectional->time_seconds, 10u);  // iperf3's default when absent
}

TEST(Iperf3ProtocolTest, RefusesParametersItCannotUse) {
    struct Case {
        std::string_view text;
        MessageError error;
    };
    const Case cases[] = {
        {"", MessageError::not_json},
        {"{\"tcp\":true", MessageError::not_json},
        {"[1]", MessageError::not_an_object},
        {R"({"time":-1})", MessageError::bad_field},
        {R"({"time":1.5})", MessageError::bad_field},
        {R"({"time":"10"})", MessageError::bad_field},
        {R"({"time":86401})", MessageError::bad_field},
        {R"({"parallel":0})", MessageError::bad_field},
        {R"({"parallel":4294967296})", MessageError::bad_field},
        {R"({"len":0})", MessageError::bad_field},
        {R"({"num":18446744073709551616})", MessageError::bad_field},
        {R"({"client_version":3})", MessageError::bad_field},
    };
    for (const Case& test : cases) {
        auto parameters = parse_parameters(test.text);
        ASSERT_FALSE(parameters.has_value()) << test.text;
        EXPECT_EQ(parameters.error(), test.error) << test.text;
    }
}

TEST(Iperf3ProtocolTest, WritesParametersIperf3Reads) {
    TestParameters parameters;
    parameters.time_seconds = 3;
    parameters.reverse = true;
    parameters.parallel = 2;
    parameters.no_delay = true;
    parameters.block_size = 65536;
    parameters.client_version = "oasis";
    const std::string text = write_parameters(parameters);
    EXPECT_EQ(text, R"({"tcp":true,"omit":0,"time":3,"num":0,"blockcount":0,"nodelay":true,)"
                    R"("parallel":2,"reverse":true,"len":65536,"client_version":"oasis"})");
    auto back = parse_parameters(text);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, parameters);

    TestParameters everything = parameters;
    everything.protocol = TestParameters::Protocol::udp;
    everything.bidirectional = true;
    everything.omit_seconds = 2;
    everything.bytes = 1 << 30;
    everything.blocks = 7;
    everything.mss = 1400;
    everything.window = 1 << 20;
    everything.bandwidth = 1000000;
    everything.get_server_output = true;
    auto round_trip = parse_parameters(write_parameters(everything));
    ASSERT_TRUE(round_trip.has_value());
    EXPECT_EQ(*round_trip, everything);
}

TEST(Iperf3ProtocolTest, ReadsTheResultsOfIperf3) {
    auto results = parse_results(receiver_results);
    ASSERT_TRUE(results.has_value()) << format("{}", results.error());
    EXPECT_EQ(results->cpu_total, 937);
    EXPECT_EQ(results->cpu_user, 89);
    EXPECT_EQ(results->cpu_system, 847);
    EXPECT_EQ(results->sender_has_retransmits, -1);
    EXPECT_EQ(results->congestion_used, "bbr");
    ASSERT_EQ(results->streams.size(), 1u);
    EXPECT_EQ(results->streams[0], (StreamResult{1, 302645248, -1, 0, 1010907}));

    auto reverse = parse_results(reverse_client_results);
    ASSERT_TRUE(reverse.has_value()) << format("{}", reverse.error());
    EXPECT_EQ(reverse->sender_has_retransmits, -1);
    ASSERT_EQ(reverse->streams.size(), 2u);
    EXPECT_EQ(reverse->streams[1], (StreamResult{3, 0, -1, 0, 27}));
}

TEST(Iperf3ProtocolTest, RefusesResultsWithoutWhatIperf3Requires) {
    const std::string_view cases[] = {
        R"({"cpu_util_user":0,"cpu_util_system":0,"sender_has_retransmits":0,"streams":[]})",
        R"({"cpu_util_total":0,"cpu_util_user":0,"cpu_util_system":0,"streams":[]})",
        R"({"cpu_util_total":0,"cpu_util_user":0,"cpu_util_system":0,"sender_has_retransmits":0})",
        R"({"cpu_util_total":0,"cpu_util_user":0,"cpu_util_system":0,"sender_has_retransmits":0,)"
        R"("streams":[{"id":1,"bytes":5,"retransmits":0,"jitter":0,"errors":0}]})",
    };
    for (std::string_view text : cases) {
        auto results = parse_results(text);
        ASSERT_FALSE(results.has_value()) << text;
        EXPECT_EQ(results.error(), MessageError::missing_field) << text;
    }
    const std::string_view bad[] = {
        R"({"cpu_util_total":"x","cpu_util_user":0,"cpu_util_system":0,"sender_has_retransmits":0,)"
        R"("streams":[]})",
        R"({"cpu_util_total":0,"cpu_util_user":0,"cpu_util_system":0,"sender_has_retransmits":0,)"
        R"("streams":{}})",
        R"({"cpu_util_total":0,"cpu_util_user":0,"cpu_util_system":0,"sender_has_retransmits":0,)"
        R"("streams":[{"id":1,"bytes":-5,"retransmits":0,"jitter":0,"errors":0,"packets":0}]})",
        R"({"cpu_util_total":0,"cpu_util_user":0,"cpu_util_system":0,"sender_has_retransmits":0,)"
        R"("streams":[{"id":1,"bytes":5,"retransmits":0,"jitter":0,"errors":0,"packets":0,)"
        R"("end_time":"late"}]})",
    };
    for (std::string_view text : bad) {
        auto results = parse_results(text);
        ASSERT_FALSE(results.has_value()) << text;
        EXPECT_EQ(results.error(), MessageError::bad_field) << text;
    }
}

TEST(Iperf3ProtocolTest, WritesResultsIperf3Reads) {
    TestResults results;
    results.sender_has_retransmits = 1;
    results.congestion_used = "cubic";
    results.streams.push_back(StreamResult{1, 1234567890, 12, 0, 10000123});
    results.streams.push_back(StreamResult{3, 5, 0, 0, 999});
    const std::string text = write_results(results);
    EXPECT_EQ(text,
              R"({"cpu_util_total":0.00,"cpu_util_user":0.00,"cpu_util_system":0.00,)"
              R"("sender_has_retransmits":1,"congestion_used":"cubic","streams":[{"id":1,)"
              R"("bytes":1234567890,"retransmits":12,"jitter":0,"errors":0,"packets":0,)"
              R"("start_time":0.000000,"end_time":10.000123},{"id":3,"bytes":5,"retransmits":0,)"
              R"("jitter":0,"errors":0,"packets":0,"start_time":0.000000,"end_time":0.000999}]})");
    auto back = parse_results(text);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, results);
}

TEST(Iperf3ProtocolTest, NumbersStreamsAsIperf3Does) {
    EXPECT_EQ(stream_id(0), 1);
    EXPECT_EQ(stream_id(1), 3);
    EXPECT_EQ(stream_id(2), 4);
    EXPECT_EQ(stream_id(9), 11);
}

TEST(Iperf3ProtocolTest, ReportsThroughputInIntegers) {
    // 1,250,000,000 bytes in 10 s is 1000 Mbit/s.
    EXPECT_EQ(megabits_per_second_hundredths(1'250'000'000, 10'000'000), 100000u);
    EXPECT_EQ(megabits_per_second_hundredths(1'000, 0), 0u);
    EXPECT_EQ(format_hundredths(94127), "941.27");
    EXPECT_EQ(format_hundredths(5), "0.05");
}

}  // namespace
}  // namespace oasis::iperf3
