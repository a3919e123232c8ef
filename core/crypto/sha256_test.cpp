// Tests for SHA-256 against the FIPS 180-4 example vectors, padding edges and split input.
#include "core/crypto/sha256.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace oasis::crypto {
namespace {

std::span<const std::byte> bytes_of(std::string_view text) {
    return std::as_bytes(std::span{text});
}

std::string sha256_hex(std::string_view text) {
    return to_hex(sha256(bytes_of(text)));
}

TEST(Sha256, NistShortMessages) {
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
                         "jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
              "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, NistOneMillionA) {
    constexpr std::string_view expected =
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    std::string million(1'000'000, 'a');
    EXPECT_EQ(sha256_hex(million), expected);

    // The same message fed in uneven pieces that straddle block boundaries.
    Sha256 hasher;
    std::string_view rest = million;
    for (std::size_t piece = 1; !rest.empty(); piece = piece % 997 + 1) {
        std::size_t count = std::min(piece, rest.size());
        hasher.update(bytes_of(rest.substr(0, count)));
        rest.remove_prefix(count);
    }
    EXPECT_EQ(to_hex(hasher.finish()), expected);
}

// Lengths around 55/56 bytes decide whether the length field fits in the last
// block (FIPS 180-4 §5.1.1). Expected digests from an independent implementation.
TEST(Sha256, PaddingBoundaries) {
    struct Vector {
        std::size_t length;
        std::string_view digest;
    };
    const Vector vectors[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
    };
    for (const Vector& vector : vectors) {
        SCOPED_TRACE(vector.length);
        EXPECT_EQ(sha256_hex(std::string(vector.length, 'a')), vector.digest);
    }
}

TEST(Sha256, SplittingAtEveryPositionGivesTheSameDigest) {
    std::string message;
    for (int index = 0; index < 3 * 64 + 5; ++index) {
        message.push_back(static_cast<char>('a' + index * 7 % 26));
    }
    Sha256Digest expected = sha256(bytes_of(message));
    std::string_view view = message;
    for (std::size_t first = 0; first <= view.size(); ++first) {
        for (std::size_t second = first; second <= view.size(); ++second) {
            Sha256 hasher;
            hasher.update(bytes_of(view.substr(0, first)));
            hasher.update(bytes_of(view.substr(first, second - first)));
            hasher.update(bytes_of(view.substr(second)));
            ASSERT_EQ(hasher.finish(), expected) << "split at " << first << " and " << second;
        }
    }
}

TEST(Sha256, FinishResetsForTheNextMessage) {
    Sha256 hasher;
    hasher.update(bytes_of("first message, to be forgotten"));
    (void)hasher.finish();
    hasher.update(bytes_of("abc"));
    EXPECT_EQ(to_hex(hasher.finish()),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ToHex, LowerCaseTwoDigitsPerByte) {
    const std::byte bytes[] = {std::byte{0x00}, std::byte{0x0f}, std::byte{0xa0}, std::byte{0xff}};
    EXPECT_EQ(to_hex(bytes), "000fa0ff");
    EXPECT_EQ(to_hex({}), "");
}

}  // namespace
}  // namespace oasis::crypto
