// Tests of fill_from_host_entropy: buffers of any size are filled completely.
#include "targets/unix/entropy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <vector>

namespace oasis::unix_target {
namespace {

bool all_zero(std::span<const std::byte> bytes) {
    return std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return b == std::byte{0}; });
}

TEST(HostEntropy, FillsAndDiffersBetweenCalls) {
    std::array<std::byte, 64> first{};
    std::array<std::byte, 64> second{};
    ASSERT_TRUE(fill_from_host_entropy(first).has_value());
    ASSERT_TRUE(fill_from_host_entropy(second).has_value());
    EXPECT_FALSE(all_zero(first));
    EXPECT_NE(first, second);  // equal by chance with probability 2^-512
}

TEST(HostEntropy, EmptyBufferIsFine) {
    EXPECT_TRUE(fill_from_host_entropy({}).has_value());
}

// getrandom returns at most 32 MiB - 1 bytes per call: a larger buffer is
// filled only if the short reads are continued. The last kibibyte is the
// part a single call would have left zero.
TEST(HostEntropy, ContinuesShortReadsOfLargeBuffers) {
    std::vector<std::byte> large((32u << 20) + 1024);
    ASSERT_TRUE(fill_from_host_entropy(large).has_value());
    EXPECT_FALSE(all_zero(std::span{large}.last(1024)));
    EXPECT_FALSE(all_zero(std::span{large}.first(1024)));
}

}  // namespace
}  // namespace oasis::unix_target
