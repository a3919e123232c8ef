// Tests of the internet checksum against a plain reference, RFC 1071 and RFC 1624.
#include "net/wire/checksum.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace oasis::net {
namespace {

// RFC 1071 §4.1, word by word: the obviously correct version.
std::uint16_t reference_sum(const std::byte* data, std::size_t size) {
    std::uint32_t sum = 0;
    for (std::size_t index = 0; index + 1 < size; index += 2) {
        sum += std::to_integer<std::uint32_t>(data[index]) << 8 |
               std::to_integer<std::uint32_t>(data[index + 1]);
        sum = (sum & 0xffff) + (sum >> 16);
    }
    if (size % 2 != 0) {
        sum += std::to_integer<std::uint32_t>(data[size - 1]) << 8;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return static_cast<std::uint16_t>(sum);
}

std::vector<std::byte> random_bytes(std::size_t size, std::uint32_t seed) {
    std::mt19937 generator{seed};
    std::vector<std::byte> bytes(size);
    for (auto& byte : bytes) {
        byte = std::byte(generator() & 0xff);
    }
    return bytes;
}

TEST(Checksum, MatchesTheReferenceForEveryLengthAndAlignment) {
    constexpr std::size_t max_length = 2000;
    auto bytes = random_bytes(max_length + 8, 1071);
    for (std::size_t alignment = 0; alignment < 8; ++alignment) {
        for (std::size_t length = 0; length <= max_length; ++length) {
            ByteView view{bytes.data() + alignment, length};
            ASSERT_EQ(ones_complement_sum(view), reference_sum(view.data(), length))
                << "alignment " << alignment << " length " << length;
        }
    }
}

TEST(Checksum, CarriesAreFoldedWithAllOnesAndHighBytes) {
    // 0xff bytes make every addition carry, at every width.
    std::vector<std::byte> ones(70000, std::byte{0xff});
    for (std::size_t length : {1u, 2u, 7u, 8u, 9u, 31u, 32u, 33u, 4095u, 65536u, 69999u}) {
        ASSERT_EQ(ones_complement_sum(ByteView{ones.data(), length}),
                  reference_sum(ones.data(), length))
            << length;
    }
    std::vector<std::byte> high(4096);
    for (std::size_t index = 0; index < high.size(); ++index) {
        high[index] = std::byte(index % 2 == 0 ? 0xfe : 0xff);
    }
    EXPECT_EQ(ones_complement_sum(high), reference_sum(high.data(), high.size()));
}

TEST(Checksum, Rfc1071Example) {
    // RFC 1071 §3: the sum of 00 01 f2 03 f4 f5 f6 f7 is dd f2.
    std::vector<std::uint8_t> bytes{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(ones_complement_sum(as_bytes(bytes)), 0xddf2);
    EXPECT_EQ(internet_checksum(as_bytes(bytes)), 0x220d);
}

TEST(Checksum, EmptyAndZeroData) {
    EXPECT_EQ(ones_complement_sum(ByteView{}), 0);
    EXPECT_EQ(internet_checksum(ByteView{}), 0xffff);
    std::vector<std::byte> zeros(13);
    EXPECT_EQ(internet_checksum(zeros), 0xffff);
}

TEST(Checksum, VerifiesARealIpv4Header) {
    // The header of a ping request (see ipv4_test.cpp), checksum d978.
    std::vector<std::uint8_t> header{0x45, 0x00, 0x00, 0x54, 0x4d, 0x2e, 0x40, 0x00, 0x40, 0x01,
                                     0xd9, 0x78, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02};
    EXPECT_EQ(internet_checksum(as_bytes(header)), 0);
    header[10] = 0;
    header[11] = 0;
    EXPECT_EQ(internet_checksum(as_bytes(header)), 0xd978);
}

TEST(Checksum, PiecesOfAnyLengthSumLikeTheWhole) {
    auto bytes = random_bytes(301, 7);
    std::uint16_t whole = ones_complement_sum(bytes);
    for (std::size_t first = 0; first <= bytes.size(); ++first) {
        for (std::size_t second = first; second <= bytes.size(); second += 7) {
            InternetChecksum checksum;
            checksum.add(ByteView{bytes.data(), first});
            checksum.add(ByteView{bytes.data() + first, second - first});
            checksum.add(ByteView{bytes.data() + second, bytes.size() - second});
            ASSERT_EQ(checksum.sum(), whole) << first << " " << second;
            ASSERT_EQ(checksum.finish(), static_cast<std::uint16_t>(~whole));
        }
    }
}

TEST(Checksum, IntegersSumLikeTheirBigEndianBytes) {
    std::vector<std::uint8_t> bytes{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde};
    for (std::size_t prefix = 0; prefix <= 1; ++prefix) {
        InternetChecksum by_bytes;
        InternetChecksum by_integers;
        by_bytes.add(ByteView{as_bytes(bytes).data(), prefix});
        by_integers.add(ByteView{as_bytes(bytes).data(), prefix});
        by_bytes.add(ByteView{as_bytes(bytes).data() + prefix, 6});
        by_integers.add_u16(static_cast<std::uint16_t>(bytes[prefix] << 8 | bytes[prefix + 1]));
        by_integers.add_u32(static_cast<std::uint32_t>(bytes[prefix + 2]) << 24 |
                            static_cast<std::uint32_t>(bytes[prefix + 3]) << 16 |
                            static_cast<std::uint32_t>(bytes[prefix + 4]) << 8 | bytes[prefix + 5]);
        EXPECT_EQ(by_integers.sum(), by_bytes.sum()) << prefix;
    }
}

TEST(Checksum, Rfc1624Example) {
    // RFC 1624 §4: checksum dd2f, a word changes from 5555 to 3285; the
    // right answer is 0000 (RFC 1141's formula gives ffff).
    EXPECT_EQ(update_checksum(0xdd2f, 0x5555, 0x3285), 0x0000);
}

TEST(Checksum, IncrementalUpdateMatchesRecomputation) {
    std::mt19937 generator{1624};
    for (int round = 0; round < 2000; ++round) {
        auto bytes = random_bytes(40, generator());
        bytes[0] = std::byte{0x45};  // never all zeros: 0 has two forms
        std::uint16_t checksum = internet_checksum(bytes);

        std::size_t offset = (generator() % 19) * 2;
        std::uint16_t old_value = load_be16(bytes.data() + offset);
        auto new_value = static_cast<std::uint16_t>(generator());
        store_be16(bytes.data() + offset, new_value);
        ASSERT_EQ(update_checksum(checksum, old_value, new_value), internet_checksum(bytes));

        checksum = internet_checksum(bytes);
        offset = (generator() % 18) * 2;
        std::uint32_t old_word = load_be32(bytes.data() + offset);
        std::uint32_t new_word = generator();
        store_be32(bytes.data() + offset, new_word);
        ASSERT_EQ(update_checksum32(checksum, old_word, new_word), internet_checksum(bytes));
    }
}

}  // namespace
}  // namespace oasis::net
