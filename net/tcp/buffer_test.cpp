// Tests for TCP's send and receive buffers: ring wrap-around, reassembly, bounds and SACK order.
#include "net/tcp/buffer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <random>
#include <vector>

#include "core/panic.hpp"

namespace oasis::net {

// For GoogleTest's failure messages.
void PrintTo(const TcpByteRange& range, std::ostream* out) {
    *out << "[" << range.begin << ", " << range.end << ")";
}

namespace {

// The byte at `position` of an imaginary stream: it does not repeat with any
// small period, so a byte copied to or from the wrong place shows.
std::byte stream_byte(std::size_t position) {
    return static_cast<std::byte>((position * 131 + (position >> 8)) & 0xff);
}

std::vector<std::byte> stream(std::size_t begin, std::size_t length) {
    std::vector<std::byte> bytes(length);
    for (std::size_t i = 0; i < length; ++i) {
        bytes[i] = stream_byte(begin + i);
    }
    return bytes;
}

std::vector<std::byte> read_all(TcpReceiveBuffer& buffer) {
    std::vector<std::byte> bytes(buffer.readable());
    EXPECT_EQ(buffer.read(bytes), bytes.size());
    return bytes;
}

std::vector<TcpByteRange> sack_of(const TcpReceiveBuffer& buffer) {
    std::vector<TcpByteRange> ranges(buffer.out_of_order_range_count());
    EXPECT_EQ(buffer.sack_ranges(ranges), ranges.size());
    return ranges;
}

void print_and_abort(std::string_view message) {
    std::fprintf(stderr, "panic: %.*s\n", static_cast<int>(message.size()), message.data());
    std::abort();
}

using Ranges = std::vector<TcpByteRange>;

// --- TcpSendBuffer ---

TEST(TcpSendBufferTest, WriteCopiesWhatFits) {
    TcpSendBuffer buffer(8);
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(buffer.capacity(), 8u);
    EXPECT_EQ(buffer.write(stream(0, 5)), 5u);
    EXPECT_EQ(buffer.write(stream(5, 5)), 3u);
    EXPECT_EQ(buffer.size(), 8u);
    EXPECT_EQ(buffer.free(), 0u);
    EXPECT_EQ(buffer.write(stream(8, 1)), 0u);
    std::vector<std::byte> out(8);
    buffer.copy_out(0, out);
    EXPECT_EQ(out, stream(0, 8));
}

TEST(TcpSendBufferTest, CopyOutAtEveryOffsetAcrossTheWrap) {
    // For every place the oldest byte can sit in the ring, fill the ring and
    // copy out every (offset, length) slice, most of which straddle the end.
    constexpr std::size_t capacity = 8;
    for (std::size_t head = 0; head < capacity; ++head) {
        TcpSendBuffer buffer(capacity);
        ASSERT_EQ(buffer.write(stream(0, head)), head);
        buffer.consume(head);
        ASSERT_EQ(buffer.write(stream(head, capacity)), capacity);
        for (std::size_t offset = 0; offset <= capacity; ++offset) {
            for (std::size_t length = 0; offset + length <= capacity; ++length) {
                std::vector<std::byte> out(length);
                buffer.copy_out(offset, out);
                EXPECT_EQ(out, stream(head + offset, length)) << head << " " << offset;
            }
        }
    }
}

TEST(TcpSendBufferTest, ConsumeFreesRoomForWritesThatWrap) {
    TcpSendBuffer buffer(8);
    ASSERT_EQ(buffer.write(stream(0, 6)), 6u);
    buffer.consume(5);  // acknowledged
    EXPECT_EQ(buffer.size(), 1u);
    EXPECT_EQ(buffer.write(stream(6, 7)), 7u);  // bytes 6..7 at the end, 8..12 at the start
    std::vector<std::byte> out(8);
    buffer.copy_out(0, out);
    EXPECT_EQ(out, stream(5, 8));
    buffer.consume(8);
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(buffer.free(), 8u);
}

TEST(TcpSendBufferTest, ZeroCapacityHoldsNothing) {
    TcpSendBuffer buffer(0);
    EXPECT_EQ(buffer.write(stream(0, 3)), 0u);
    EXPECT_EQ(buffer.write({}), 0u);
    buffer.copy_out(0, {});
    buffer.consume(0);
    EXPECT_TRUE(buffer.empty());
}

TEST(TcpSendBufferTest, SetCapacityKeepsTheHeldBytes) {
    TcpSendBuffer buffer(8);
    ASSERT_EQ(buffer.write(stream(0, 5)), 5u);
    buffer.consume(5);
    ASSERT_EQ(buffer.write(stream(5, 6)), 6u);  // wraps
    buffer.set_capacity(16);
    EXPECT_EQ(buffer.capacity(), 16u);
    EXPECT_EQ(buffer.free(), 10u);
    EXPECT_EQ(buffer.write(stream(11, 20)), 10u);
    std::vector<std::byte> out(16);
    buffer.copy_out(0, out);
    EXPECT_EQ(out, stream(5, 16));

    // Shrinking stops at the bytes held.
    buffer.consume(12);
    buffer.set_capacity(2);
    EXPECT_EQ(buffer.capacity(), 4u);
    out.resize(4);
    buffer.copy_out(0, out);
    EXPECT_EQ(out, stream(17, 4));
    buffer.consume(4);
    buffer.set_capacity(3);
    EXPECT_EQ(buffer.capacity(), 3u);
    EXPECT_EQ(buffer.write(stream(0, 5)), 3u);
}

TEST(TcpSendBufferDeathTest, CopyOutBeyondTheHeldBytesPanics) {
    EXPECT_DEATH(
        {
            set_panic_handler(print_and_abort);
            TcpSendBuffer buffer(8);
            buffer.write(stream(0, 4));
            std::vector<std::byte> out(2);
            buffer.copy_out(3, out);
        },
        "assertion failed");
}

TEST(TcpSendBufferDeathTest, ConsumingMoreThanHeldPanics) {
    EXPECT_DEATH(
        {
            set_panic_handler(print_and_abort);
            TcpSendBuffer buffer(8);
            buffer.write(stream(0, 4));
            buffer.consume(5);
        },
        "assertion failed");
}

// --- TcpReceiveBuffer ---

TEST(TcpReceiveBufferTest, InOrderDataIsReadable) {
    TcpReceiveBuffer buffer(16, 4);
    EXPECT_EQ(buffer.window(), 16u);
    auto inserted = buffer.insert(0, stream(0, 5));
    EXPECT_EQ(inserted.readable, 5u);
    EXPECT_FALSE(inserted.dropped);
    EXPECT_EQ(inserted.trimmed, 0u);
    EXPECT_EQ(buffer.readable(), 5u);
    EXPECT_EQ(buffer.window(), 11u);
    EXPECT_FALSE(buffer.has_out_of_order());
    EXPECT_EQ(buffer.insert(0, {}).readable, 0u);

    std::vector<std::byte> out(3);
    EXPECT_EQ(buffer.read(out), 3u);
    EXPECT_EQ(out, stream(0, 3));
    EXPECT_EQ(buffer.window(), 14u);  // reading frees window
    out.resize(10);
    EXPECT_EQ(buffer.read(out), 2u);
    out.resize(2);
    EXPECT_EQ(out, stream(3, 2));
    EXPECT_EQ(buffer.read(out), 0u);
}

TEST(TcpReceiveBufferTest, FillingTheHoleMakesEverythingReadable) {
    TcpReceiveBuffer buffer(32, 4);
    auto inserted = buffer.insert(5, stream(5, 5));
    EXPECT_EQ(inserted.readable, 0u);
    EXPECT_EQ(buffer.readable(), 0u);
    EXPECT_EQ(buffer.window(), 32u);  // out-of-order bytes do not close the window
    EXPECT_TRUE(buffer.has_out_of_order());
    EXPECT_EQ(buffer.out_of_order_bytes(), 5u);
    EXPECT_EQ(sack_of(buffer), (Ranges{{5, 10}}));

    inserted = buffer.insert(0, stream(0, 5));
    EXPECT_EQ(inserted.readable, 10u);
    EXPECT_EQ(buffer.readable(), 10u);
    EXPECT_FALSE(buffer.has_out_of_order());
    EXPECT_EQ(read_all(buffer), stream(0, 10));
}

TEST(TcpReceiveBufferTest, OverlapsOnBothSidesMerge) {
    TcpReceiveBuffer buffer(32, 4);
    buffer.insert(4, stream(4, 4));  // [4, 8)
    buffer.insert(2, stream(2, 4));  // overlaps on the left
    EXPECT_EQ(sack_of(buffer), (Ranges{{2, 8}}));
    buffer.insert(6, stream(6, 6));  // overlaps on the right
    EXPECT_EQ(sack_of(buffer), (Ranges{{2, 12}}));
    buffer.insert(5, stream(5, 2));  // a duplicate inside
    EXPECT_EQ(sack_of(buffer), (Ranges{{2, 12}}));
    buffer.insert(14, stream(14, 2));  // [14, 16)
    buffer.insert(11, stream(11, 4));  // bridges [2, 12) and [14, 16)
    EXPECT_EQ(sack_of(buffer), (Ranges{{2, 16}}));
    buffer.insert(16, stream(16, 1));  // touches end to end
    EXPECT_EQ(sack_of(buffer), (Ranges{{2, 17}}));
    EXPECT_EQ(buffer.out_of_order_bytes(), 15u);
    EXPECT_EQ(buffer.insert(0, stream(0, 20)).readable, 20u);  // covers it all
    EXPECT_FALSE(buffer.has_out_of_order());
    EXPECT_EQ(read_all(buffer), stream(0, 20));
}

TEST(TcpReceiveBufferTest, BytesAtOrBeyondTheWindowAreTrimmed) {
    TcpReceiveBuffer buffer(16, 4);
    buffer.insert(0, stream(0, 4));
    ASSERT_EQ(buffer.window(), 12u);

    auto inserted = buffer.insert(8, stream(8, 4));  // ends exactly at the window's edge
    EXPECT_EQ(inserted.trimmed, 0u);
    EXPECT_FALSE(inserted.dropped);
    inserted = buffer.insert(6, stream(6, 7));  // one byte over
    EXPECT_EQ(inserted.trimmed, 1u);
    EXPECT_EQ(sack_of(buffer), (Ranges{{6, 12}}));
    inserted = buffer.insert(12, stream(12, 1));  // starts at the edge
    EXPECT_EQ(inserted.trimmed, 1u);
    EXPECT_EQ(buffer.insert(100, stream(100, 3)).trimmed, 3u);
    EXPECT_EQ(buffer.insert(SIZE_MAX, stream(0, 2)).trimmed, 2u);  // no overflow
    EXPECT_EQ(buffer.out_of_order_bytes(), 6u);

    inserted = buffer.insert(0, stream(4, 20));  // in order, larger than the window
    EXPECT_EQ(inserted.readable, 12u);
    EXPECT_EQ(inserted.trimmed, 8u);
    EXPECT_EQ(buffer.window(), 0u);
    EXPECT_EQ(buffer.insert(0, stream(16, 1)).trimmed, 1u);  // a full buffer takes nothing
    EXPECT_EQ(read_all(buffer), stream(0, 16));
    EXPECT_EQ(buffer.window(), 16u);
}

TEST(TcpReceiveBufferTest, ARangeTooManyIsDroppedButExtendingOnesAreTaken) {
    TcpReceiveBuffer buffer(100, 2);
    buffer.insert(10, stream(10, 10));  // [10, 20)
    buffer.insert(30, stream(30, 10));  // [30, 40)

    auto inserted = buffer.insert(50, stream(50, 10));  // would be a third range
    EXPECT_TRUE(inserted.dropped);
    EXPECT_EQ(inserted.readable, 0u);
    EXPECT_EQ(buffer.out_of_order_range_count(), 2u);
    EXPECT_EQ(buffer.out_of_order_bytes(), 20u);

    EXPECT_FALSE(buffer.insert(20, stream(20, 5)).dropped);  // extends [10, 20)
    EXPECT_FALSE(buffer.insert(28, stream(28, 2)).dropped);  // extends [30, 40) backwards
    EXPECT_EQ(sack_of(buffer), (Ranges{{28, 40}, {10, 25}}));
    EXPECT_FALSE(buffer.insert(25, stream(25, 3)).dropped);  // merges the two
    EXPECT_EQ(sack_of(buffer), (Ranges{{10, 40}}));
    EXPECT_FALSE(buffer.insert(50, stream(50, 10)).dropped);  // room again
    EXPECT_TRUE(buffer.insert(70, stream(70, 1)).dropped);

    // Data at RCV.NXT needs no range of its own: it is taken even at the limit.
    inserted = buffer.insert(0, stream(0, 5));
    EXPECT_FALSE(inserted.dropped);
    EXPECT_EQ(inserted.readable, 5u);
    EXPECT_EQ(sack_of(buffer), (Ranges{{45, 55}, {5, 35}}));  // measured from the new RCV.NXT
    inserted = buffer.insert(0, stream(5, 5));
    EXPECT_EQ(inserted.readable, 35u);
    EXPECT_EQ(buffer.readable(), 40u);
    EXPECT_EQ(sack_of(buffer), (Ranges{{10, 20}}));
    EXPECT_EQ(read_all(buffer), stream(0, 40));
}

TEST(TcpReceiveBufferTest, ZeroRangesTakesOnlyInOrderData) {
    TcpReceiveBuffer buffer(16, 0);
    EXPECT_TRUE(buffer.insert(1, stream(1, 2)).dropped);
    EXPECT_FALSE(buffer.has_out_of_order());
    EXPECT_EQ(buffer.insert(0, stream(0, 3)).readable, 3u);
    EXPECT_EQ(read_all(buffer), stream(0, 3));
}

TEST(TcpReceiveBufferTest, RingWrapsForInsertsAndReads) {
    // For every place RCV.NXT can sit in the ring: an out-of-order segment
    // and then in-order data, both of which may straddle the end.
    constexpr std::size_t capacity = 8;
    for (std::size_t head = 0; head < capacity; ++head) {
        TcpReceiveBuffer buffer(capacity, 2);
        buffer.insert(0, stream(0, head));
        ASSERT_EQ(read_all(buffer), stream(0, head));
        EXPECT_FALSE(buffer.insert(3, stream(head + 3, 4)).dropped);
        EXPECT_EQ(buffer.insert(0, stream(head, 3)).readable, 7u);
        EXPECT_EQ(buffer.insert(0, stream(head + 7, 2)).trimmed, 1u);
        EXPECT_EQ(read_all(buffer), stream(head, 8)) << head;
    }
}

TEST(TcpReceiveBufferTest, SackRangesListTheMostRecentFirst) {
    TcpReceiveBuffer buffer(100, 4);
    buffer.insert(10, stream(10, 10));
    buffer.insert(30, stream(30, 10));
    buffer.insert(50, stream(50, 10));
    EXPECT_EQ(sack_of(buffer), (Ranges{{50, 60}, {30, 40}, {10, 20}}));

    buffer.insert(35, stream(35, 3));  // a duplicate still moves its range first
    EXPECT_EQ(sack_of(buffer), (Ranges{{30, 40}, {50, 60}, {10, 20}}));

    buffer.insert(20, stream(20, 10));  // merged ranges report once
    EXPECT_EQ(sack_of(buffer), (Ranges{{10, 40}, {50, 60}}));

    // Fewer slots than ranges: the most recent fill them.
    buffer.insert(70, stream(70, 1));
    std::array<TcpByteRange, 2> out{};
    EXPECT_EQ(buffer.sack_ranges(out), 2u);
    EXPECT_EQ(out[0], (TcpByteRange{70, 71}));
    EXPECT_EQ(out[1], (TcpByteRange{10, 40}));
    EXPECT_EQ(buffer.sack_ranges({}), 0u);

    // A segment that fills the first hole is no SACK block: it is acknowledged.
    buffer.insert(0, stream(0, 10));
    EXPECT_EQ(buffer.readable(), 40u);
    EXPECT_EQ(sack_of(buffer), (Ranges{{30, 31}, {10, 20}}));
}

TEST(TcpReceiveBufferTest, DropOutOfOrderReneges) {
    TcpReceiveBuffer buffer(64, 4);
    buffer.insert(0, stream(0, 4));
    buffer.insert(10, stream(14, 5));
    buffer.insert(20, stream(24, 3));
    EXPECT_EQ(buffer.drop_out_of_order(), 8u);
    EXPECT_FALSE(buffer.has_out_of_order());
    EXPECT_EQ(buffer.out_of_order_range_count(), 0u);
    EXPECT_EQ(buffer.drop_out_of_order(), 0u);
    EXPECT_EQ(buffer.insert(0, stream(4, 10)).readable, 10u);  // the reneged bytes stay missing
    EXPECT_EQ(read_all(buffer), stream(0, 14));
}

TEST(TcpReceiveBufferTest, SetCapacityKeepsWhatStillFits) {
    TcpReceiveBuffer buffer(16, 4);
    buffer.insert(0, stream(0, 12));
    std::vector<std::byte> out(10);
    buffer.read(out);                 // RCV.NXT now sits near the end of the ring
    buffer.insert(0, stream(12, 4));  // wraps
    buffer.insert(2, stream(18, 4));  // [2, 6), wraps
    buffer.insert(7, stream(23, 3));  // [7, 10)
    ASSERT_EQ(buffer.readable(), 6u);

    buffer.set_capacity(32);
    EXPECT_EQ(buffer.capacity(), 32u);
    EXPECT_EQ(buffer.window(), 26u);
    EXPECT_EQ(sack_of(buffer), (Ranges{{7, 10}, {2, 6}}));

    buffer.set_capacity(14);  // window 8: [7, 10) is cut to [7, 8)
    EXPECT_EQ(buffer.window(), 8u);
    EXPECT_EQ(sack_of(buffer), (Ranges{{7, 8}, {2, 6}}));
    EXPECT_EQ(buffer.out_of_order_bytes(), 5u);
    EXPECT_EQ(buffer.insert(0, stream(16, 2)).readable, 6u);
    EXPECT_EQ(buffer.insert(0, stream(22, 1)).readable, 2u);
    EXPECT_EQ(read_all(buffer), stream(10, 14));

    buffer.insert(0, stream(24, 3));
    buffer.insert(5, stream(32, 1));
    buffer.set_capacity(1);  // never below the readable bytes
    EXPECT_EQ(buffer.capacity(), 3u);
    EXPECT_EQ(buffer.window(), 0u);
    EXPECT_FALSE(buffer.has_out_of_order());
    EXPECT_EQ(read_all(buffer), stream(24, 3));
}

TEST(TcpReceiveBufferTest, AFloodOfTinySegmentsStaysBounded) {
    // 100000 one-byte segments at random offsets: the ranges stay at their
    // limit, nothing grows, and once the holes are filled the stream is whole.
    constexpr std::size_t capacity = 65536;
    constexpr std::size_t max_ranges = 16;
    TcpReceiveBuffer buffer(capacity, max_ranges);
    std::mt19937 random(20240501);
    std::size_t next = 0;  // RCV.NXT, from the start of the stream
    std::size_t dropped = 0;
    for (int segment = 0; segment < 100000; ++segment) {
        std::size_t offset = random() % buffer.window();
        auto inserted = buffer.insert(offset, stream(next + offset, 1));
        dropped += inserted.dropped ? 1 : 0;
        next += inserted.readable;
        ASSERT_LE(buffer.out_of_order_range_count(), max_ranges);
        ASSERT_LE(buffer.out_of_order_bytes(), buffer.window());
        ASSERT_EQ(buffer.capacity(), capacity);
    }
    EXPECT_GT(dropped, 90000u);
    EXPECT_EQ(buffer.out_of_order_range_count(), max_ranges);

    while (next < capacity) {
        std::size_t length = std::min<std::size_t>(1000, capacity - next);
        auto inserted = buffer.insert(0, stream(next, length));
        ASSERT_GE(inserted.readable, length);
        next += inserted.readable;
    }
    EXPECT_EQ(next, capacity);
    EXPECT_FALSE(buffer.has_out_of_order());
    EXPECT_EQ(read_all(buffer), stream(0, capacity));
}

// The reference: which stream bytes have arrived, as one flag per byte.
struct ReceiveModel {
    std::size_t capacity;
    std::size_t max_ranges;
    std::vector<bool> arrived;
    std::size_t next = 0;  // RCV.NXT
    std::size_t read = 0;  // the app's read position

    bool has(std::size_t position) const { return position < arrived.size() && arrived[position]; }
    std::size_t window() const { return capacity - (next - read); }
    // The runs of arrived bytes after RCV.NXT, relative to it, in order.
    Ranges runs() const {
        Ranges ranges;
        for (std::size_t offset = 0; offset < window(); ++offset) {
            if (!has(next + offset)) {
                continue;
            }
            if (!ranges.empty() && ranges.back().end == offset) {
                ++ranges.back().end;
            } else {
                ranges.push_back({offset, offset + 1});
            }
        }
        return ranges;
    }
};

TEST(TcpReceiveBufferTest, MatchesAReferenceModel) {
    ReceiveModel model{256, 4, {}};
    TcpReceiveBuffer buffer(model.capacity, model.max_ranges);
    std::mt19937 random(7);
    std::size_t dropped = 0;
    for (int step = 0; step < 30000; ++step) {
        std::uint32_t action = random() % 100;
        if (action < 25) {
            std::vector<std::byte> out(random() % 200);
            std::size_t count = buffer.read(out);
            ASSERT_EQ(count, std::min(out.size(), model.next - model.read));
            out.resize(count);
            ASSERT_EQ(out, stream(model.read, count));
            model.read += count;
        } else if (action < 26) {
            std::size_t held = 0;
            for (const TcpByteRange& run : model.runs()) {
                held += run.size();
            }
            ASSERT_EQ(buffer.drop_out_of_order(), held);
            model.arrived.resize(model.next);
        } else if (action < 27) {
            model.capacity = std::max<std::size_t>(random() % 1024, model.next - model.read);
            buffer.set_capacity(model.capacity);
            model.arrived.resize(std::min(model.arrived.size(), model.next + model.window()));
        } else {
            std::size_t window = model.window();
            std::size_t offset = action < 40 ? random() % 16 : random() % (window + 32);
            std::size_t length = random() % (action < 90 ? 64 : 600);
            auto inserted = buffer.insert(offset, stream(model.next + offset, length));

            std::size_t kept = offset < window ? std::min(length, window - offset) : 0;
            ASSERT_EQ(inserted.trimmed, length - kept);
            Ranges before = model.runs();
            bool touches = std::ranges::any_of(before, [&](const TcpByteRange& run) {
                return run.begin <= offset + kept && offset <= run.end;
            });
            bool needs_new_range = kept != 0 && offset != 0 && !touches;
            ASSERT_EQ(inserted.dropped, needs_new_range && before.size() == model.max_ranges);
            dropped += inserted.dropped ? 1 : 0;
            if (!inserted.dropped && kept != 0) {
                model.arrived.resize(std::max(model.arrived.size(), model.next + offset + kept));
                for (std::size_t i = 0; i < kept; ++i) {
                    model.arrived[model.next + offset + i] = true;
                }
            }
            std::size_t advanced = 0;
            while (model.has(model.next)) {
                ++model.next;
                ++advanced;
            }
            ASSERT_EQ(inserted.readable, advanced);
            // The range this segment landed in comes first (RFC 2018 §4).
            if (!inserted.dropped && kept != 0 && advanced == 0) {
                TcpByteRange first{};
                ASSERT_EQ(buffer.sack_ranges({&first, 1}), 1u);
                ASSERT_LE(first.begin, offset);
                ASSERT_GE(first.end, offset + kept);
            }
        }
        ASSERT_EQ(buffer.capacity(), model.capacity);
        ASSERT_EQ(buffer.readable(), model.next - model.read);
        ASSERT_EQ(buffer.window(), model.window());
        Ranges expected = model.runs();
        Ranges held = sack_of(buffer);
        std::ranges::sort(held, {}, &TcpByteRange::begin);
        ASSERT_EQ(held, expected) << "step " << step;
        std::size_t expected_bytes = 0;
        for (const TcpByteRange& run : expected) {
            expected_bytes += run.size();
        }
        ASSERT_EQ(buffer.out_of_order_bytes(), expected_bytes);
    }
    EXPECT_GT(model.read, 30000u);  // the stream made progress
    EXPECT_GT(dropped, 100u);       // and the range limit was reached
}

}  // namespace
}  // namespace oasis::net

namespace oasis::net {
namespace {

TEST(TcpByteRingTest, AllocatesAsBytesArriveNotUpFront) {
    TcpSendBuffer send(1 << 20);
    TcpReceiveBuffer receive(1 << 20, 16);
    std::vector<std::byte> small(100, std::byte{7});
    EXPECT_EQ(send.write(ByteView{small}), small.size());
    EXPECT_EQ(receive.insert(0, ByteView{small}).readable, small.size());
    EXPECT_EQ(send.capacity(), std::size_t{1} << 20);
    EXPECT_LE(send.allocated(), 4096u);
    EXPECT_LE(receive.allocated(), 4096u);
    EXPECT_EQ(receive.window(), (std::size_t{1} << 20) - small.size());

    // Out-of-order data far ahead grows the storage that far, and the bytes
    // already held survive the move.
    std::vector<std::byte> far(1000, std::byte{9});
    EXPECT_FALSE(receive.insert(500000, ByteView{far}).dropped);
    std::vector<std::byte> out(100);
    EXPECT_EQ(receive.read(MutableByteView{out}), 100u);
    EXPECT_EQ(out, small);
}

}  // namespace
}  // namespace oasis::net
