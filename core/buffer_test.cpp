// Tests of the endian helpers, ByteView, MutableByteView, ByteReader and ByteWriter.
#include "core/buffer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/endian.hpp"

namespace oasis {

// Failure messages show views as hex bytes.
template <typename Byte>
void PrintTo(const BasicByteView<Byte>& view, std::ostream* out) {
    static constexpr char digits[] = "0123456789abcdef";
    *out << "[" << view.size() << " bytes:";
    for (std::byte byte : view) {
        const auto value = std::to_integer<unsigned>(byte);
        *out << ' ' << digits[value >> 4] << digits[value & 0xf];
    }
    *out << "]";
}

namespace {

constexpr std::size_t size_max = SIZE_MAX;

template <typename... Values>
constexpr std::array<std::byte, sizeof...(Values)> make_bytes(Values... values) {
    return {static_cast<std::byte>(values)...};
}

constexpr auto counting = make_bytes(0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0);

// The endian helpers are constexpr, so these run at compile time.
static_assert(load_be16(counting.data()) == 0x1234);
static_assert(load_be32(counting.data()) == 0x12345678);
static_assert(load_be64(counting.data()) == 0x123456789abcdef0);
static_assert(load_le16(counting.data()) == 0x3412);
static_assert(load_le32(counting.data()) == 0x78563412);
static_assert(load_le64(counting.data()) == 0xf0debc9a78563412);
static_assert(load_be16(counting.data() + 7 - 1) == 0xdef0);

template <std::size_t N, typename Store, typename T>
constexpr std::array<std::byte, N> stored(Store store, T value) {
    std::array<std::byte, N> bytes{};
    store(bytes.data(), value);
    return bytes;
}
static_assert(stored<2>(store_be16, std::uint16_t{0x1234}) == make_bytes(0x12, 0x34));
static_assert(stored<4>(store_be32, std::uint32_t{0x12345678}) ==
              make_bytes(0x12, 0x34, 0x56, 0x78));
static_assert(stored<8>(store_be64, std::uint64_t{0x123456789abcdef0}) == counting);
static_assert(stored<2>(store_le16, std::uint16_t{0x1234}) == make_bytes(0x34, 0x12));
static_assert(stored<4>(store_le32, std::uint32_t{0x12345678}) ==
              make_bytes(0x78, 0x56, 0x34, 0x12));
static_assert(stored<8>(store_le64, std::uint64_t{0xf0debc9a78563412}) == counting);

// A real IPv4 header (UDP, 192.168.0.1 -> 192.168.0.199) with a correct checksum.
constexpr auto ipv4_header = make_bytes(0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                        0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7);

template <typename View>
concept CanWrite = requires(View view) {
    view.write_u8(0, 0);
};
static_assert(CanWrite<MutableByteView>);
static_assert(!CanWrite<ByteView>);
static_assert(std::is_convertible_v<MutableByteView, ByteView>);
static_assert(!std::is_convertible_v<ByteView, MutableByteView>);
static_assert(std::is_trivially_copyable_v<ByteView>);
static_assert(sizeof(ByteView) == 2 * sizeof(void*));

TEST(EndianTest, StoresAndLoadsRoundTripAtAnyAlignment) {
    std::array<std::byte, 11> bytes{};
    for (std::size_t offset = 0; offset < 3; ++offset) {
        store_be64(bytes.data() + offset, 0x0102030405060708);
        EXPECT_EQ(load_be64(bytes.data() + offset), 0x0102030405060708u);
        EXPECT_EQ(bytes[offset], std::byte{0x01});
        store_le32(bytes.data() + offset, 0xa1b2c3d4);
        EXPECT_EQ(load_le32(bytes.data() + offset), 0xa1b2c3d4u);
        EXPECT_EQ(bytes[offset], std::byte{0xd4});
    }
}

TEST(ByteViewTest, ReadsBigAndLittleEndianAgainstLiteralBytes) {
    ByteView view{counting};
    EXPECT_EQ(view.read_u8(0).value(), 0x12);
    EXPECT_EQ(view.read_u8(7).value(), 0xf0);
    EXPECT_EQ(view.read_u16_be(0).value(), 0x1234);
    EXPECT_EQ(view.read_u16_be(1).value(), 0x3456);
    EXPECT_EQ(view.read_u32_be(4).value(), 0x9abcdef0u);
    EXPECT_EQ(view.read_u64_be(0).value(), 0x123456789abcdef0u);
    EXPECT_EQ(view.read_u16_le(6).value(), 0xf0de);
    EXPECT_EQ(view.read_u32_le(0).value(), 0x78563412u);
    EXPECT_EQ(view.read_u64_le(0).value(), 0xf0debc9a78563412u);
}

TEST(ByteViewTest, ReadsTheFieldsOfARealIpv4Header) {
    ByteView header{ipv4_header};
    EXPECT_EQ(header.read_u8(0).value() >> 4, 4);            // version
    EXPECT_EQ(header.read_u16_be(2).value(), 115);           // total length
    EXPECT_EQ(header.read_u16_be(6).value(), 0x4000);        // don't fragment
    EXPECT_EQ(header.read_u8(9).value(), 17);                // UDP
    EXPECT_EQ(header.read_u16_be(10).value(), 0xb861);       // checksum
    EXPECT_EQ(header.read_u32_be(12).value(), 0xc0a80001u);  // 192.168.0.1
    EXPECT_EQ(header.read_u32_be(16).value(), 0xc0a800c7u);  // 192.168.0.199
}

// Checks one accessor of `width` bytes against the edges of an 8-byte view,
// and against offsets near SIZE_MAX, including those where offset + width
// wraps around to a small number.
template <typename Access>
void expect_refused_outside(Access access, std::size_t width, const char* name) {
    SCOPED_TRACE(name);
    constexpr std::size_t end = counting.size();
    EXPECT_TRUE(access(0).has_value());
    EXPECT_TRUE(access(end - width).has_value());
    EXPECT_EQ(access(end - 1).has_value(), width == 1);
    for (std::size_t offset : {end - width + 1, end, end + 1, size_max, size_max - 1,
                               size_max - width + 1, size_max - width}) {
        auto result = access(offset);
        ASSERT_TRUE(result.is_error()) << "offset " << offset;
        EXPECT_EQ(result.error(), BufferError::out_of_bounds);
    }
}

TEST(ByteViewTest, EveryReadIsRefusedOutsideTheView) {
    ByteView view{counting};
    expect_refused_outside([&](std::size_t at) { return view.read_u8(at); }, 1, "read_u8");
    expect_refused_outside([&](std::size_t at) { return view.read_u16_be(at); }, 2, "u16_be");
    expect_refused_outside([&](std::size_t at) { return view.read_u32_be(at); }, 4, "u32_be");
    expect_refused_outside([&](std::size_t at) { return view.read_u64_be(at); }, 8, "u64_be");
    expect_refused_outside([&](std::size_t at) { return view.read_u16_le(at); }, 2, "u16_le");
    expect_refused_outside([&](std::size_t at) { return view.read_u32_le(at); }, 4, "u32_le");
    expect_refused_outside([&](std::size_t at) { return view.read_u64_le(at); }, 8, "u64_le");
}

TEST(ByteViewTest, EveryWriteIsRefusedOutsideTheView) {
    std::array<std::byte, counting.size()> bytes{};
    MutableByteView view{bytes};
    expect_refused_outside([&](std::size_t at) { return view.write_u8(at, 0xff); }, 1, "u8");
    expect_refused_outside([&](std::size_t at) { return view.write_u16_be(at, 0xffff); }, 2, "16");
    expect_refused_outside([&](std::size_t at) { return view.write_u32_be(at, 0); }, 4, "32");
    expect_refused_outside([&](std::size_t at) { return view.write_u64_be(at, 0); }, 8, "64");
    expect_refused_outside([&](std::size_t at) { return view.write_u16_le(at, 0); }, 2, "16le");
    expect_refused_outside([&](std::size_t at) { return view.write_u32_le(at, 0); }, 4, "32le");
    expect_refused_outside([&](std::size_t at) { return view.write_u64_le(at, 0); }, 8, "64le");
    expect_refused_outside([&](std::size_t at) { return view.copy_from(at, as_bytes("abc")); }, 3,
                           "copy_from");
    expect_refused_outside([&](std::size_t at) { return view.fill(at, 5, std::byte{1}); }, 5,
                           "fill");
    expect_refused_outside([&](std::size_t at) { return view.slice(at, 6); }, 6, "slice");
}

TEST(ByteViewTest, ARefusedWriteLeavesEveryByteAsItWas) {
    auto bytes = counting;
    MutableByteView view{bytes};
    EXPECT_TRUE(view.write_u32_be(5, 0xffffffff).is_error());  // 3 of 4 bytes would fit
    EXPECT_TRUE(view.write_u64_le(1, 0).is_error());
    EXPECT_TRUE(view.write_u16_be(size_max, 0).is_error());
    EXPECT_TRUE(view.copy_from(6, as_bytes("abc")).is_error());
    EXPECT_TRUE(view.fill(7, 2, std::byte{0}).is_error());
    EXPECT_EQ(bytes, counting);
}

TEST(ByteViewTest, WritesStoreBigAndLittleEndian) {
    std::array<std::byte, 8> bytes{};
    MutableByteView view{bytes};
    ASSERT_TRUE(view.write_u64_be(0, 0x123456789abcdef0).has_value());
    EXPECT_EQ(bytes, counting);
    ASSERT_TRUE(view.write_u16_le(0, 0xbeef).has_value());
    ASSERT_TRUE(view.write_u8(2, 0x7f).has_value());
    ASSERT_TRUE(view.write_u32_be(4, 0xc0a80001).has_value());
    EXPECT_EQ(bytes, make_bytes(0xef, 0xbe, 0x7f, 0x78, 0xc0, 0xa8, 0x00, 0x01));
    ASSERT_TRUE(view.write_u32_le(4, 0xc0a80001).has_value());
    EXPECT_EQ(view.read_u32_be(4).value(), 0x0100a8c0u);
}

TEST(ByteViewTest, SliceIsRefusedWhenOffsetPlusLengthLeavesTheViewOrOverflows) {
    ByteView view{counting};
    constexpr std::size_t end = counting.size();
    struct Case {
        std::size_t offset;
        std::size_t length;
        bool accepted;
    };
    const Case cases[] = {
        {0, end, true},
        {0, 0, true},
        {end - 1, 1, true},
        {end, 0, true},
        {0, end + 1, false},
        {end - 1, 2, false},
        {end, 1, false},
        {end + 1, 0, false},
        {1, size_max, false},      // 1 + SIZE_MAX wraps to 0
        {2, size_max - 1, false},  // wraps to 0 as well
        {size_max, 1, false},      // wraps to 0
        {size_max - 1, 2, false},  // wraps to 0
        {size_max, 0, false},
        {size_max - 1, 0, false},
        {size_max, size_max, false},
        {end, size_max - end + 1, false},  // wraps to exactly 0
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(testing::Message() << "offset " << c.offset << " length " << c.length);
        auto slice = view.slice(c.offset, c.length);
        ASSERT_EQ(slice.has_value(), c.accepted);
        EXPECT_EQ(view.contains(c.offset, c.length), c.accepted);
        if (c.accepted) {
            EXPECT_EQ(slice->size(), c.length);
            EXPECT_EQ(slice->data(), view.data() + c.offset);
        } else {
            EXPECT_EQ(slice.error(), BufferError::out_of_bounds);
        }
        auto bytes = counting;
        MutableByteView writable{bytes};
        EXPECT_EQ(writable.fill(c.offset, c.length, std::byte{0}).has_value(), c.accepted);
    }
}

TEST(ByteViewTest, SubRunsToTheEndAndIsRefusedPastIt) {
    ByteView view{counting};
    EXPECT_EQ(view.sub(0).value(), view);
    EXPECT_EQ(view.sub(6).value(), ByteView{make_bytes(0xde, 0xf0)});
    EXPECT_TRUE(view.sub(8).value().empty());
    for (std::size_t offset : {std::size_t{9}, size_max, size_max - 1}) {
        EXPECT_TRUE(view.sub(offset).is_error()) << offset;
    }
}

TEST(ByteViewTest, EmptyAndDefaultViewsRefuseEveryRead) {
    for (ByteView view : {ByteView{}, as_bytes("")}) {
        EXPECT_TRUE(view.empty());
        EXPECT_TRUE(view.read_u8(0).is_error());
        EXPECT_TRUE(view.read_u16_be(0).is_error());
        EXPECT_TRUE(view.read_u64_le(size_max).is_error());
        EXPECT_TRUE(view.slice(0, 0).has_value());
        EXPECT_TRUE(view.slice(0, 1).is_error());
        EXPECT_TRUE(view.sub(0).has_value());
        EXPECT_TRUE(view.sub(1).is_error());
    }
    MutableByteView none;
    EXPECT_TRUE(none.write_u8(0, 1).is_error());
    EXPECT_TRUE(none.copy_from(0, ByteView{}).has_value());
    none.fill(std::byte{1});  // nothing to fill, nothing to crash
}

TEST(ByteViewTest, SlicesOfMutableViewsWriteThroughToTheSameMemory) {
    std::array<std::byte, 8> bytes{};
    MutableByteView view{bytes};
    MutableByteView middle = view.slice(2, 4).value();
    MutableByteView inner = middle.sub(1).value();  // offsets are relative to the slice
    ASSERT_TRUE(inner.write_u16_be(0, 0xabcd).has_value());
    EXPECT_EQ(bytes, make_bytes(0, 0, 0, 0xab, 0xcd, 0, 0, 0));
    EXPECT_TRUE(inner.write_u32_be(0, 0).is_error());  // the slice, not the array, bounds it
    middle.fill(std::byte{0x55});
    EXPECT_EQ(bytes, make_bytes(0, 0, 0x55, 0x55, 0x55, 0x55, 0, 0));
}

TEST(ByteViewTest, CopyFromCopiesWholeSourcesAndHandlesOverlap) {
    std::array<std::byte, 8> bytes{};
    MutableByteView view{bytes};
    ASSERT_TRUE(view.copy_from(5, as_bytes("xyz")).has_value());
    EXPECT_EQ(as_chars(view.sub(5).value()), "xyz");
    EXPECT_TRUE(view.copy_from(8, ByteView{}).has_value());
    EXPECT_TRUE(view.copy_from(9, ByteView{}).is_error());
    EXPECT_TRUE(view.copy_from(size_max, as_bytes("a")).is_error());
    EXPECT_TRUE(view.copy_from(0, as_bytes("123456789")).is_error());

    auto overlapping = counting;
    MutableByteView shifting{overlapping};
    ASSERT_TRUE(shifting.copy_from(1, shifting.slice(0, 7).value()).has_value());
    EXPECT_EQ(overlapping, make_bytes(0x12, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde));
}

TEST(ByteViewTest, EqualityComparesContentsNotAddresses) {
    auto copy = counting;
    EXPECT_EQ(ByteView{counting}, ByteView{copy});
    EXPECT_EQ(MutableByteView{copy}, ByteView{counting});
    EXPECT_EQ(ByteView{}, as_bytes(""));
    EXPECT_NE(ByteView{counting}, ByteView{counting}.slice(0, 7).value());
    copy[7] = std::byte{0};
    EXPECT_NE(ByteView{counting}, ByteView{copy});
    EXPECT_EQ(as_bytes("abc"), as_bytes(std::string{"abc"}));
}

TEST(ByteViewTest, HelpersViewTextAndByteArrays) {
    EXPECT_EQ(as_bytes("hello").size(), 5u);  // no terminating NUL
    EXPECT_EQ(as_chars(as_bytes("hello")), "hello");
    const std::vector<std::uint8_t> octets{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
    EXPECT_EQ(as_bytes(octets), ByteView{counting});
    const std::uint8_t c_array[] = {0xc0, 0xa8};
    EXPECT_EQ(as_bytes(c_array).read_u16_be(0).value(), 0xc0a8);

    std::array<std::uint8_t, 4> writable{};
    ASSERT_TRUE(as_writable_bytes(writable).write_u32_be(0, 0x0a000001).has_value());
    EXPECT_EQ(writable, (std::array<std::uint8_t, 4>{10, 0, 0, 1}));

    std::vector<std::byte> vector(3);
    MutableByteView from_vector = vector;
    EXPECT_EQ(from_vector.size(), 3u);
    EXPECT_EQ(from_vector.data(), vector.data());
}

TEST(ByteReaderTest, ParsesARealIpv4HeaderFieldByField) {
    ByteReader reader{ByteView{ipv4_header}};
    EXPECT_EQ(reader.take_u8().value(), 0x45);
    ASSERT_TRUE(reader.skip(1).has_value());
    EXPECT_EQ(reader.take_u16_be().value(), 115);
    EXPECT_EQ(reader.take_u32_be().value(), 0x00004000u);
    EXPECT_EQ(reader.take_u8().value(), 64);
    EXPECT_EQ(reader.take_u8().value(), 17);
    EXPECT_EQ(reader.take_u16_be().value(), 0xb861);
    EXPECT_EQ(reader.position(), 12u);
    EXPECT_EQ(reader.take(4).value(), ByteView{make_bytes(192, 168, 0, 1)});
    EXPECT_EQ(reader.remaining(), 4u);
    EXPECT_EQ(reader.rest(), ByteView{make_bytes(192, 168, 0, 199)});
    EXPECT_EQ(reader.take_u32_be().value(), 0xc0a800c7u);
    EXPECT_TRUE(reader.at_end());
    EXPECT_TRUE(reader.take_u8().is_error());
}

// RFC 1071 §3 works a checksum by hand over these eight bytes; summing them
// as 16-bit big-endian words with end-around carry must give its 0xddf2.
TEST(ByteReaderTest, SumsWordsToTheRfc1071NumericalExample) {
    const auto bytes = make_bytes(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    ByteReader reader{ByteView{bytes}};
    std::uint32_t sum = 0;
    while (!reader.at_end()) {
        sum += reader.take_u16_be().value();
    }
    EXPECT_EQ(sum, 0x2ddf0u);
    sum = (sum & 0xffff) + (sum >> 16);
    EXPECT_EQ(sum, 0xddf2u);

    // And a header with a correct checksum sums to all ones (RFC 1071 §1).
    ByteReader header{ByteView{ipv4_header}};
    sum = 0;
    while (!header.at_end()) {
        sum += header.take_u16_be().value();
    }
    while (sum > 0xffff) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    EXPECT_EQ(sum, 0xffffu);
}

TEST(ByteReaderTest, RefusesToRunPastTheEndAndDoesNotMove) {
    ByteReader reader{ByteView{counting}.slice(0, 7).value()};
    ASSERT_TRUE(reader.skip(4).has_value());
    EXPECT_EQ(reader.take_u32_be().error(), BufferError::out_of_bounds);  // 3 left
    EXPECT_TRUE(reader.take_u64_le().is_error());
    EXPECT_TRUE(reader.take(4).is_error());
    EXPECT_TRUE(reader.take(size_max).is_error());
    EXPECT_TRUE(reader.take(size_max - 1).is_error());
    EXPECT_TRUE(reader.skip(size_max).is_error());
    EXPECT_EQ(reader.position(), 4u);
    EXPECT_EQ(reader.remaining(), 3u);
    EXPECT_EQ(reader.take_u16_le().value(), 0xbc9a);
    EXPECT_EQ(reader.take_u8().value(), 0xde);
    EXPECT_TRUE(reader.take(0).has_value());
    EXPECT_TRUE(reader.take_u8().is_error());
    EXPECT_TRUE(reader.skip(1).is_error());
    EXPECT_EQ(reader.position(), 7u);

    ByteReader empty;
    EXPECT_TRUE(empty.at_end());
    EXPECT_TRUE(empty.take_u8().is_error());
}

Result<std::uint16_t, BufferError> second_word(ByteView bytes) {
    ByteReader reader{bytes};
    TRY(reader.take_u16_be());
    return TRY(reader.take_u16_be());
}

TEST(ByteReaderTest, PropagatesRefusalsThroughTry) {
    EXPECT_EQ(second_word(ByteView{counting}).value(), 0x5678);
    EXPECT_EQ(second_word(ByteView{counting}.slice(0, 3).value()).error(),
              BufferError::out_of_bounds);
}

TEST(ByteWriterTest, EmitsTheSameIpv4HeaderThatWasParsed) {
    std::array<std::byte, 20> bytes{};
    ByteWriter writer{MutableByteView{bytes}};
    ASSERT_TRUE(writer.put_u8(0x45).has_value());
    ASSERT_TRUE(writer.put_u8(0).has_value());
    ASSERT_TRUE(writer.put_u16_be(115).has_value());
    ASSERT_TRUE(writer.put_u32_be(0x00004000).has_value());
    ASSERT_TRUE(writer.put_u8(64).has_value());
    ASSERT_TRUE(writer.put_u8(17).has_value());
    // The checksum is known only at the end: reserve it, fill it in later.
    MutableByteView checksum = writer.skip(2).value();
    ASSERT_TRUE(writer.put_bytes(ByteView{make_bytes(192, 168, 0, 1)}).has_value());
    ASSERT_TRUE(writer.put_u32_be(0xc0a800c7).has_value());
    EXPECT_EQ(writer.remaining(), 0u);
    ASSERT_TRUE(checksum.write_u16_be(0, 0xb861).has_value());
    EXPECT_EQ(writer.written(), ByteView{ipv4_header});
}

TEST(ByteWriterTest, RoundTripsEveryWidthAndByteOrderThroughAReader) {
    std::array<std::byte, 1 + 2 + 4 + 8 + 2 + 4 + 8 + 3 + 2> bytes{};
    ByteWriter writer{MutableByteView{bytes}};
    ASSERT_TRUE(writer.put_u8(0xa5).has_value());
    ASSERT_TRUE(writer.put_u16_be(0xbeef).has_value());
    ASSERT_TRUE(writer.put_u32_be(0xdeadbeef).has_value());
    ASSERT_TRUE(writer.put_u64_be(0x0123456789abcdef).has_value());
    ASSERT_TRUE(writer.put_u16_le(0xbeef).has_value());
    ASSERT_TRUE(writer.put_u32_le(0xdeadbeef).has_value());
    ASSERT_TRUE(writer.put_u64_le(0x0123456789abcdef).has_value());
    ASSERT_TRUE(writer.put_bytes(as_bytes("abc")).has_value());
    ASSERT_TRUE(writer.put_fill(2, std::byte{0xee}).has_value());
    EXPECT_EQ(writer.position(), bytes.size());

    EXPECT_EQ(bytes[1], std::byte{0xbe});   // big-endian: high byte first
    EXPECT_EQ(bytes[15], std::byte{0xef});  // little-endian: low byte first

    ByteReader reader{writer.written()};
    EXPECT_EQ(reader.take_u8().value(), 0xa5);
    EXPECT_EQ(reader.take_u16_be().value(), 0xbeef);
    EXPECT_EQ(reader.take_u32_be().value(), 0xdeadbeefu);
    EXPECT_EQ(reader.take_u64_be().value(), 0x0123456789abcdefu);
    EXPECT_EQ(reader.take_u16_le().value(), 0xbeef);
    EXPECT_EQ(reader.take_u32_le().value(), 0xdeadbeefu);
    EXPECT_EQ(reader.take_u64_le().value(), 0x0123456789abcdefu);
    EXPECT_EQ(as_chars(reader.take(3).value()), "abc");
    EXPECT_EQ(reader.take(2).value(), ByteView{make_bytes(0xee, 0xee)});
    EXPECT_TRUE(reader.at_end());
}

TEST(ByteWriterTest, RefusesToOverflowAndWritesNothing) {
    std::array<std::byte, 7> bytes{};
    ByteWriter writer{MutableByteView{bytes}};
    ASSERT_TRUE(writer.put_u32_be(0x01020304).has_value());
    EXPECT_EQ(writer.put_u32_be(0xffffffff).error(), BufferError::out_of_bounds);  // 3 left
    EXPECT_TRUE(writer.put_u64_le(0xffffffffffffffff).is_error());
    EXPECT_TRUE(writer.put_bytes(as_bytes("wxyz")).is_error());
    EXPECT_TRUE(writer.put_fill(4, std::byte{0xff}).is_error());
    EXPECT_TRUE(writer.put_fill(size_max, std::byte{0xff}).is_error());
    EXPECT_TRUE(writer.skip(size_max).is_error());
    EXPECT_TRUE(writer.skip(size_max - 2).is_error());
    EXPECT_EQ(writer.position(), 4u);
    EXPECT_EQ(bytes, make_bytes(1, 2, 3, 4, 0, 0, 0));
    ASSERT_TRUE(writer.put_u16_be(0x0506).has_value());
    ASSERT_TRUE(writer.put_u8(7).has_value());
    EXPECT_TRUE(writer.put_u8(8).is_error());
    EXPECT_TRUE(writer.put_bytes(ByteView{}).has_value());
    EXPECT_EQ(bytes, make_bytes(1, 2, 3, 4, 5, 6, 7));

    ByteWriter nowhere;
    EXPECT_TRUE(nowhere.put_u8(0).is_error());
    EXPECT_EQ(nowhere.remaining(), 0u);
}

}  // namespace
}  // namespace oasis
