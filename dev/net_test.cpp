// Tests of MacAddress and its text form.
#include "dev/net.hpp"

#include <gtest/gtest.h>

#include <string>

namespace oasis::dev {
namespace {

std::string text_of(const MacAddress& mac) {
    std::string out;
    format_value(out, mac);
    return out;
}

TEST(MacAddress, FormatsAsLowerCaseHexPairs) {
    EXPECT_EQ(text_of(MacAddress{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}}), "02:00:00:00:00:01");
    EXPECT_EQ(text_of(MacAddress{{0xde, 0xad, 0xBE, 0xEF, 0x0a, 0xf0}}), "de:ad:be:ef:0a:f0");
    EXPECT_EQ(text_of(MacAddress::broadcast()), "ff:ff:ff:ff:ff:ff");
}

TEST(MacAddress, AppendsToWhatIsThere) {
    std::string out = "mac=";
    format_value(out, MacAddress{{1, 2, 3, 4, 5, 6}});
    EXPECT_EQ(out, "mac=01:02:03:04:05:06");
}

TEST(MacAddress, BroadcastAndMulticastBits) {
    EXPECT_TRUE(MacAddress::broadcast().is_broadcast());
    EXPECT_TRUE(MacAddress::broadcast().is_multicast());
    EXPECT_TRUE((MacAddress{{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}}).is_multicast());
    EXPECT_FALSE((MacAddress{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}}).is_multicast());
    EXPECT_FALSE((MacAddress{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}}).is_broadcast());
}

}  // namespace
}  // namespace oasis::dev
