// Tests for ChaCha20 against the RFC 8439 test vectors (§2.3.2, §2.4.2, appendix A.1 and A.2).
#include "core/crypto/chacha20.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/sha256.hpp"
#include "core/testing/hex.hpp"

namespace oasis::crypto {
namespace {

using oasis::testing::from_hex;

template <typename Array>
Array array_from_hex(std::string_view hex) {
    std::vector<std::byte> bytes = from_hex(hex);
    Array array{};
    EXPECT_EQ(bytes.size(), array.size());
    std::copy_n(bytes.begin(), std::min(bytes.size(), array.size()), array.begin());
    return array;
}

std::vector<std::byte> as_byte_vector(std::string_view text) {
    auto bytes = std::as_bytes(std::span{text});
    return {bytes.begin(), bytes.end()};
}

constexpr std::string_view counting_key =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

TEST(ChaCha20Block, Rfc8439Section2_3_2) {
    auto key = array_from_hex<ChaChaKey>(counting_key);
    auto nonce = array_from_hex<ChaChaNonce>("000000090000004a00000000");
    EXPECT_EQ(to_hex(chacha20_block(key, 1, nonce)),
              "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
              "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
}

TEST(ChaCha20Block, Rfc8439AppendixA1) {
    struct Vector {
        std::string_view key;
        std::uint32_t counter;
        std::string_view nonce;
        std::string_view block;
    };
    constexpr std::string_view zero_key =
        "0000000000000000000000000000000000000000000000000000000000000000";
    const Vector vectors[] = {
        {zero_key, 0, "000000000000000000000000",
         "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
         "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"},
        {zero_key, 1, "000000000000000000000000",
         "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
         "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f"},
        {"0000000000000000000000000000000000000000000000000000000000000001", 1,
         "000000000000000000000000",
         "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a"
         "8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0"},
        {"00ff000000000000000000000000000000000000000000000000000000000000", 2,
         "000000000000000000000000",
         "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca"
         "13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096"},
        {zero_key, 0, "000000000000000000000002",
         "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c7"
         "8a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d"},
    };
    for (const Vector& vector : vectors) {
        SCOPED_TRACE(vector.block.substr(0, 16));
        auto block = chacha20_block(array_from_hex<ChaChaKey>(vector.key), vector.counter,
                                    array_from_hex<ChaChaNonce>(vector.nonce));
        EXPECT_EQ(to_hex(block), vector.block);
    }
}

struct StreamVector {
    std::string_view key;
    std::uint32_t counter;
    std::string_view nonce;
    std::string_view plaintext;
    std::string_view ciphertext;
};

// RFC 8439 §2.4.2 and appendix A.2 test vectors 2 and 3 (vector 1 is A.1's first block).
const StreamVector stream_vectors[] = {
    {counting_key, 1, "000000000000004a00000000",
     "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
     "future, sunscreen would be it.",
     "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dab"
     "cd62b3571639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806"
     "818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d"},
    {"0000000000000000000000000000000000000000000000000000000000000001", 1,
     "000000000000000000000002",
     "Any submission to the IETF intended by the Contributor for publication as all or part of "
     "an IETF Internet-Draft or RFC and any statement made within the context of an IETF "
     "activity is considered an \"IETF Contribution\". Such statements include oral statements "
     "in IETF sessions, as well as written and electronic communications made at any time or "
     "place, which are addressed to",
     "a3fbf07df3fa2fde4f376ca23e82737041605d9f4f4f57bd8cff2c1d4b7955ec2a97948bd3722915c8f3d337"
     "f7d370050e9e96d647b7c39f56e031ca5eb6250d4042e02785ececfa4b4bb5e8ead0440e20b6e8db09d881a7"
     "c6132f420e52795042bdfa7773d8a9051447b3291ce1411c680465552aa6c405b7764d5e87bea85ad00f8449"
     "ed8f72d0d662ab052691ca66424bc86d2df80ea41f43abf937d3259dc4b2d0dfb48a6c9139ddd7f76966e928"
     "e635553ba76c5c879d7b35d49eb2e62b0871cdac638939e25e8a1e0ef9d5280fa8ca328b351c3c765989cbcf"
     "3daa8b6ccc3aaf9f3979c92b3720fc88dc95ed84a1be059c6499b9fda236e7e818b04b0bc39c1e876b193bfe"
     "5569753f88128cc08aaa9b63d1a16f80ef2554d7189c411f5869ca52c5b83fa36ff216b9c1d30062bebcfd2d"
     "c5bce0911934fda79a86f6e698ced759c3ff9b6477338f3da4f9cd8514ea9982ccafb341b2384dd902f3d1ab"
     "7ac61dd29c6f21ba5b862f3730e37cfdc4fd806c22f221"},
    {"1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0", 42,
     "000000000000000000000002",
     "'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\nAll mimsy were the "
     "borogoves,\nAnd the mome raths outgrabe.",
     "62e6347f95ed87a45ffae7426f27a1df5fb69110044c0d73118effa95b01e5cf166d3df2d721caf9b21e5fb1"
     "4c616871fd84c54f9d65b283196c7fe4f60553ebf39c6402c42234e32a356b3e764312a61a5532055716ead6"
     "962568f87d3f3f7704c6a8d1bcd1bf4d50d6154b6da731b187b58dfd728afa36757a797ac188d1"},
};

TEST(ChaCha20Stream, EncryptsRfc8439Vectors) {
    for (const StreamVector& vector : stream_vectors) {
        SCOPED_TRACE(vector.plaintext.substr(0, 20));
        ChaCha20 cipher(array_from_hex<ChaChaKey>(vector.key),
                        array_from_hex<ChaChaNonce>(vector.nonce), vector.counter);
        std::vector<std::byte> plaintext = as_byte_vector(vector.plaintext);
        std::vector<std::byte> ciphertext(plaintext.size());
        cipher.apply(plaintext, ciphertext);
        EXPECT_EQ(to_hex(ciphertext), vector.ciphertext);
    }
}

TEST(ChaCha20Stream, DecryptsInPlace) {
    for (const StreamVector& vector : stream_vectors) {
        ChaCha20 cipher(array_from_hex<ChaChaKey>(vector.key),
                        array_from_hex<ChaChaNonce>(vector.nonce), vector.counter);
        std::vector<std::byte> data = from_hex(vector.ciphertext);
        cipher.apply(data);
        EXPECT_EQ(data, as_byte_vector(vector.plaintext));
    }
}

TEST(ChaCha20Stream, PiecesOfAnySizeGiveTheSameCiphertext) {
    const StreamVector& vector = stream_vectors[1];
    std::vector<std::byte> plaintext = as_byte_vector(vector.plaintext);
    for (std::size_t piece : {1, 3, 7, 63, 64, 65, 128, 200}) {
        SCOPED_TRACE(piece);
        ChaCha20 cipher(array_from_hex<ChaChaKey>(vector.key),
                        array_from_hex<ChaChaNonce>(vector.nonce), vector.counter);
        std::vector<std::byte> ciphertext(plaintext.size());
        for (std::size_t offset = 0; offset < plaintext.size(); offset += piece) {
            std::size_t count = std::min(piece, plaintext.size() - offset);
            cipher.apply(std::span{plaintext}.subspan(offset, count),
                         std::span{ciphertext}.subspan(offset, count));
        }
        EXPECT_EQ(to_hex(ciphertext), vector.ciphertext);
    }
}

TEST(ChaCha20Stream, LastCounterValueWorksButWrappingPanics) {
    ChaCha20 cipher(ChaChaKey{}, ChaChaNonce{}, 0xffffffff);
    std::array<std::byte, 64> block{};
    cipher.apply(block);
    std::array<std::byte, 1> one_more{};
    EXPECT_DEATH(cipher.apply(one_more), "");
}

TEST(ChaCha20Stream, MismatchedSizesPanic) {
    ChaCha20 cipher(ChaChaKey{}, ChaChaNonce{});
    std::array<std::byte, 4> input{};
    std::array<std::byte, 3> output{};
    EXPECT_DEATH(cipher.apply(input, output), "");
}

TEST(SecureZero, ClearsEveryByte) {
    std::array<std::byte, 33> bytes;
    bytes.fill(std::byte{0xa5});
    secure_zero(bytes);
    for (std::byte byte : bytes) {
        EXPECT_EQ(byte, std::byte{0});
    }
}

}  // namespace
}  // namespace oasis::crypto
