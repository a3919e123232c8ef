// Tests of PacketBuffer's headroom arithmetic, the Packet handle and PacketPool.
#include "core/packet.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/panic.hpp"

namespace oasis {
namespace {

constexpr std::size_t size_max = SIZE_MAX;

static_assert(!std::is_copy_constructible_v<Packet>);
static_assert(!std::is_copy_assignable_v<Packet>);
static_assert(std::is_nothrow_move_constructible_v<Packet>);
static_assert(std::is_nothrow_move_assignable_v<Packet>);
static_assert(!std::is_copy_constructible_v<PacketBuffer>);
static_assert(!std::is_copy_constructible_v<PacketPool>);
static_assert(!std::is_move_constructible_v<PacketPool>);

// A 64-byte slab with 16 bytes of headroom and an empty payload.
class PacketBufferTest : public ::testing::Test {
protected:
    std::array<std::byte, 64> storage{};
    PacketBuffer buffer{MutableByteView{storage}, 16};

    void expect_layout(std::size_t headroom, std::size_t size) {
        EXPECT_EQ(buffer.headroom(), headroom);
        EXPECT_EQ(buffer.size(), size);
        EXPECT_EQ(buffer.tailroom(), storage.size() - headroom - size);
        EXPECT_EQ(buffer.capacity(), storage.size());
        EXPECT_EQ(buffer.data().data(), storage.data() + headroom);
        EXPECT_EQ(buffer.data().size(), size);
    }
};

TEST_F(PacketBufferTest, StartsEmptyAfterItsHeadroom) {
    expect_layout(16, 0);
    EXPECT_TRUE(buffer.data().empty());
}

TEST_F(PacketBufferTest, PrependGrowsIntoTheHeadroomUpToItsStart) {
    EXPECT_TRUE(buffer.prepend(17).is_error());
    EXPECT_TRUE(buffer.prepend(size_max).is_error());
    expect_layout(16, 0);

    MutableByteView header = buffer.prepend(10).value();
    EXPECT_EQ(header.data(), storage.data() + 6);
    EXPECT_EQ(header.size(), 10u);
    expect_layout(6, 10);

    EXPECT_EQ(buffer.prepend(7).error(), BufferError::out_of_bounds);
    expect_layout(6, 10);
    ASSERT_TRUE(buffer.prepend(6).has_value());
    expect_layout(0, 16);
    EXPECT_TRUE(buffer.prepend(1).is_error());
    EXPECT_TRUE(buffer.prepend(0).has_value());
    expect_layout(0, 16);
}

TEST_F(PacketBufferTest, AppendGrowsIntoTheTailroomUpToTheEnd) {
    EXPECT_TRUE(buffer.append(49).is_error());
    EXPECT_TRUE(buffer.append(size_max).is_error());
    EXPECT_TRUE(buffer.append(size_max - 15).is_error());  // 16 + this wraps to 0
    expect_layout(16, 0);

    MutableByteView tail = buffer.append(40).value();
    EXPECT_EQ(tail.data(), storage.data() + 16);
    expect_layout(16, 40);
    EXPECT_TRUE(buffer.append(9).is_error());
    MutableByteView last = buffer.append(8).value();
    EXPECT_EQ(last.data(), storage.data() + 56);
    expect_layout(16, 48);
    EXPECT_TRUE(buffer.append(1).is_error());
}

TEST_F(PacketBufferTest, TrimsAreLimitedByThePayload) {
    ASSERT_TRUE(buffer.append(20).has_value());
    EXPECT_TRUE(buffer.trim_front(21).is_error());
    EXPECT_TRUE(buffer.trim_back(21).is_error());
    EXPECT_TRUE(buffer.trim_front(size_max).is_error());
    EXPECT_TRUE(buffer.trim_back(size_max).is_error());
    expect_layout(16, 20);

    ASSERT_TRUE(buffer.trim_front(5).has_value());
    expect_layout(21, 15);
    ASSERT_TRUE(buffer.trim_back(5).has_value());
    expect_layout(21, 10);
    ASSERT_TRUE(buffer.trim_front(10).has_value());
    expect_layout(31, 0);
    EXPECT_TRUE(buffer.trim_back(1).is_error());
    EXPECT_TRUE(buffer.trim_front(0).has_value());
    EXPECT_TRUE(buffer.trim_back(0).has_value());
}

TEST_F(PacketBufferTest, SetSizeKeepsTheStartAndStopsAtTheEnd) {
    ASSERT_TRUE(buffer.set_size(48).has_value());
    expect_layout(16, 48);
    EXPECT_TRUE(buffer.set_size(49).is_error());
    EXPECT_TRUE(buffer.set_size(size_max).is_error());
    expect_layout(16, 48);
    ASSERT_TRUE(buffer.set_size(3).has_value());
    expect_layout(16, 3);
}

TEST_F(PacketBufferTest, ResetEmptiesThePayloadAtAnyHeadroomInside) {
    ASSERT_TRUE(buffer.append(20).has_value());
    ASSERT_TRUE(buffer.reset(64).has_value());
    expect_layout(64, 0);
    EXPECT_TRUE(buffer.append(1).is_error());
    EXPECT_TRUE(buffer.reset(65).is_error());
    EXPECT_TRUE(buffer.reset(size_max).is_error());
    expect_layout(64, 0);
    ASSERT_TRUE(buffer.reset(0).has_value());
    expect_layout(0, 0);
}

// How the layers use it: the application appends its payload, each layer
// below prepends its header in place, and the receiver trims them off again.
TEST_F(PacketBufferTest, LayersPrependHeadersInPlaceAndTrimThemOff) {
    ASSERT_TRUE(buffer.append(5).value().copy_from(0, as_bytes("hello")).has_value());
    const std::byte* payload = buffer.data().data();

    ASSERT_TRUE(buffer.prepend(2).value().write_u16_be(0, 0xaaaa).has_value());  // "transport"
    ASSERT_TRUE(buffer.prepend(4).value().write_u32_be(0, 0xbbbbbbbb).has_value());
    ASSERT_TRUE(buffer.prepend(3).value().copy_from(0, as_bytes("eth")).has_value());
    expect_layout(7, 14);
    EXPECT_EQ(buffer.data().data() + 9, payload);  // the payload never moved
    EXPECT_EQ(as_chars(buffer.data()), std::string_view("eth\xbb\xbb\xbb\xbb\xaa\xaahello", 14));

    ASSERT_TRUE(buffer.trim_front(3).has_value());
    EXPECT_EQ(buffer.data().read_u32_be(0).value(), 0xbbbbbbbbu);
    ASSERT_TRUE(buffer.trim_front(6).has_value());
    EXPECT_EQ(as_chars(buffer.data()), "hello");
    EXPECT_EQ(buffer.data().data(), payload);
}

TEST(PacketBufferEmptyTest, ABufferWithoutStorageRefusesToGrow) {
    PacketBuffer buffer;
    EXPECT_EQ(buffer.capacity(), 0u);
    EXPECT_TRUE(buffer.prepend(1).is_error());
    EXPECT_TRUE(buffer.append(1).is_error());
    EXPECT_TRUE(buffer.set_size(1).is_error());
    EXPECT_TRUE(buffer.trim_front(1).is_error());
    EXPECT_TRUE(buffer.reset(1).is_error());
    EXPECT_TRUE(buffer.data().empty());
}

TEST(PacketPoolTest, DefaultLayoutIs2048BytesWith128Headroom) {
    PacketPool pool(2);
    EXPECT_EQ(pool.capacity(), 2u);
    EXPECT_EQ(pool.buffer_capacity(), 2048u);
    EXPECT_EQ(pool.default_headroom(), 128u);
    Packet packet = pool.allocate().release_value();
    EXPECT_EQ(packet->capacity(), 2048u);
    EXPECT_EQ(packet->headroom(), 128u);
    EXPECT_EQ(packet->size(), 0u);
    EXPECT_EQ(packet->tailroom(), 2048u - 128u);
}

TEST(PacketPoolTest, HandsOutDistinctBuffersUntilExhaustedAndCountsFailures) {
    PacketPool pool(3, 256, 32);
    EXPECT_EQ(pool.available(), 3u);
    std::vector<Packet> packets;
    std::set<const std::byte*> starts;
    for (int i = 0; i < 3; ++i) {
        auto packet = pool.allocate();
        ASSERT_TRUE(packet.has_value());
        EXPECT_EQ((*packet)->headroom(), 32u);
        EXPECT_EQ((*packet)->capacity(), 256u);
        // Each payload is the whole tailroom: writing it all must not touch another buffer.
        ASSERT_TRUE((*packet)->set_size((*packet)->tailroom()).has_value());
        (*packet)->data().fill(static_cast<std::byte>(i));
        starts.insert((*packet)->data().data());
        packets.push_back(std::move(packet).value());
    }
    EXPECT_EQ(starts.size(), 3u);
    for (std::size_t i = 0; i < packets.size(); ++i) {
        for (std::byte byte : packets[i]->data()) {
            ASSERT_EQ(byte, static_cast<std::byte>(i));
        }
    }
    EXPECT_EQ(pool.available(), 0u);
    EXPECT_EQ(pool.in_use(), 3u);

    auto refused = pool.allocate();
    ASSERT_TRUE(refused.is_error());
    EXPECT_EQ(refused.error(), PoolError::exhausted);
    EXPECT_TRUE(pool.allocate().is_error());
    EXPECT_EQ(pool.allocations(), 3u);
    EXPECT_EQ(pool.allocation_failures(), 2u);
    packets.clear();
    EXPECT_EQ(pool.available(), 3u);
}

TEST(PacketPoolTest, DestroyingAPacketReturnsItsBufferForReuse) {
    PacketPool pool(1, 128, 16);
    const std::byte* first_start = nullptr;
    {
        Packet packet = pool.allocate().release_value();
        EXPECT_EQ(pool.available(), 0u);
        ASSERT_TRUE(packet->append(10).has_value());
        ASSERT_TRUE(packet->prepend(16).has_value());
        first_start = packet->data().data();
    }
    EXPECT_EQ(pool.available(), 1u);
    Packet again = pool.allocate().release_value();
    // The same buffer, laid out afresh: default headroom, empty payload.
    EXPECT_EQ(again->data().data(), first_start + 16);
    EXPECT_EQ(again->headroom(), 16u);
    EXPECT_EQ(again->size(), 0u);
    EXPECT_EQ(pool.allocations(), 2u);
    EXPECT_EQ(pool.allocation_failures(), 0u);
}

TEST(PacketPoolTest, MovingAPacketMovesOwnershipNotTheBuffer) {
    PacketPool pool(2, 128, 16);
    Packet first = pool.allocate().release_value();
    PacketBuffer* buffer = &*first;

    Packet moved = std::move(first);
    EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    ASSERT_TRUE(moved);
    EXPECT_EQ(&*moved, buffer);
    EXPECT_EQ(pool.available(), 1u);

    // Assigning over a packet that holds a buffer gives that buffer back.
    Packet other = pool.allocate().release_value();
    EXPECT_EQ(pool.available(), 0u);
    other = std::move(moved);
    EXPECT_EQ(pool.available(), 1u);
    EXPECT_EQ(&*other, buffer);

    Packet& alias = other;
    other = std::move(alias);  // self-move keeps the buffer
    EXPECT_EQ(&*other, buffer);
    EXPECT_EQ(pool.available(), 1u);

    other.reset();
    EXPECT_FALSE(other);
    EXPECT_EQ(pool.available(), 2u);
    other.reset();  // resetting an empty handle does nothing
    EXPECT_EQ(pool.available(), 2u);
}

// The shape NetDevice::receive() uses: an array of empty handles filled in place.
TEST(PacketPoolTest, ArraysOfEmptyPacketsCanBeFilledAndDrained) {
    PacketPool pool(4, 64, 0);
    std::array<Packet, 8> frames;
    std::size_t filled = 0;
    for (Packet& frame : frames) {
        auto packet = pool.allocate();
        if (packet.is_error()) {
            break;
        }
        frame = std::move(packet).value();
        ++filled;
    }
    EXPECT_EQ(filled, 4u);
    EXPECT_FALSE(frames[4]);
    EXPECT_EQ(pool.allocation_failures(), 1u);
    for (Packet& frame : frames) {
        frame.reset();
    }
    EXPECT_EQ(pool.available(), 4u);
}

Result<std::size_t, PoolError> allocate_and_measure(PacketPool& pool) {
    Packet packet = TRY(pool.allocate());
    return packet->tailroom();
}

TEST(PacketPoolTest, AllocationFailurePropagatesThroughTry) {
    PacketPool pool(1, 100, 20);
    Packet held = pool.allocate().release_value();
    EXPECT_EQ(allocate_and_measure(pool).error(), PoolError::exhausted);
    held.reset();
    EXPECT_EQ(allocate_and_measure(pool).value(), 80u);
    EXPECT_EQ(pool.available(), 1u);
}

TEST(PacketCopyTest, CopyOfHoldsTheBytesWithTheRequestedRoom) {
    const auto bytes = as_bytes("frame");
    Packet packet = Packet::copy_of(bytes);
    EXPECT_EQ(packet->data(), bytes);
    EXPECT_NE(packet->data().data(), bytes.data());  // a copy, not a view
    EXPECT_EQ(packet->headroom(), default_packet_headroom);
    EXPECT_EQ(packet->tailroom(), 0u);
    ASSERT_TRUE(packet->prepend(14).has_value());
    EXPECT_TRUE(packet->append(1).is_error());

    Packet roomy = Packet::copy_of(bytes, 2, 3);
    EXPECT_EQ(roomy->headroom(), 2u);
    EXPECT_EQ(roomy->tailroom(), 3u);
    EXPECT_EQ(roomy->capacity(), 10u);

    Packet empty = Packet::copy_of(ByteView{}, 0);
    EXPECT_EQ(empty->capacity(), 0u);

    // Moving heap packets over each other frees the one overwritten (ASan checks).
    packet = std::move(roomy);
    EXPECT_EQ(packet->data(), bytes);
}

void print_and_abort(std::string_view message) {
    fprintf(stderr, "panic: %.*s\n", static_cast<int>(message.size()), message.data());
    abort();
}

TEST(PacketPoolDeathTest, APacketOutlivingItsPoolPanics) {
    EXPECT_DEATH(
        {
            set_panic_handler(print_and_abort);
            std::optional<Packet> survivor;
            {
                PacketPool pool(1, 64, 0);
                survivor = pool.allocate().release_value();
            }
        },
        "a Packet outlived its PacketPool");
}

TEST(PacketPoolDeathTest, DereferencingAnEmptyPacketPanics) {
    EXPECT_DEATH(
        {
            set_panic_handler(print_and_abort);
            Packet empty;
            (void)empty->size();
        },
        "dereferenced an empty Packet");
}

TEST(PacketPoolDeathTest, HeadroomLargerThanTheBufferPanics) {
    EXPECT_DEATH(
        {
            set_panic_handler(print_and_abort);
            PacketPool pool(1, 64, 65);
        },
        "headroom <= buffer_capacity");
}

}  // namespace
}  // namespace oasis
