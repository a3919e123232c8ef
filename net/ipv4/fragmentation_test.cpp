// Tests of IPv4 fragmentation: scapy's bytes, DF, pool exhaustion, and round trips through
// reassembly.
#include "net/ipv4/fragmentation.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "net/ipv4/reassembly.hpp"
#include "net/ipv4/test_support.hpp"

namespace oasis::net {
namespace {

using testing::from_hex;
using testing::pattern;
using testing::test_fields;

bool same_bytes(ByteView left, ByteView right) {
    return std::equal(left.begin(), left.end(), right.begin(), right.end());
}

// A pool whose buffers hold an `mtu`-sized datagram after the default headroom.
std::size_t capacity_for(std::size_t mtu) {
    return default_packet_headroom + mtu;
}

TEST(Fragment, MatchesScapyByteForByte) {
    auto whole = from_hex(testing::scapy_whole);
    auto fields = Ipv4Header::parse(whole).value().fields();
    PacketPool pool{4};
    std::vector<Packet> out;
    ASSERT_TRUE(fragment(fields, ByteView{std::span{whole}.subspan(20)}, 68, pool, out));
    ASSERT_EQ(out.size(), std::size(testing::scapy_fragments));
    for (std::size_t index = 0; index < out.size(); ++index) {
        EXPECT_TRUE(same_bytes(out[index]->data(), from_hex(testing::scapy_fragments[index])))
            << "fragment " << index;
        // Room left in front for the link layer's header.
        EXPECT_EQ(out[index]->headroom(), default_packet_headroom);
    }
}

// Checks the pieces of a `payload_size`-byte datagram cut for `mtu`, then
// reassembles them in a seeded order and compares the payload.
void check_round_trip(std::size_t mtu, std::size_t payload_size, PacketPool& pool) {
    SCOPED_TRACE(::testing::Message() << "mtu " << mtu << ", payload " << payload_size);
    auto payload = pattern(payload_size, static_cast<std::uint32_t>(payload_size + mtu));
    auto fields = test_fields();
    std::vector<Packet> out;
    ASSERT_TRUE(fragment(fields, ByteView{payload}, mtu, pool, out));
    const std::size_t expected_count =
        payload_size + 20 <= mtu ? 1
                                 : (payload_size + (mtu - 20) / 8 * 8 - 1) / ((mtu - 20) / 8 * 8);
    ASSERT_EQ(out.size(), std::max<std::size_t>(1, expected_count));

    std::vector<Ipv4Header> headers;
    std::size_t next_offset = 0;
    for (std::size_t index = 0; index < out.size(); ++index) {
        ASSERT_LE(out[index]->size(), mtu);
        auto header = Ipv4Header::parse(out[index]->data());  // checksum verified
        ASSERT_TRUE(header.has_value());
        const bool last = index + 1 == out.size();
        EXPECT_EQ(header->fragment_offset(), next_offset);
        EXPECT_EQ(header->more_fragments(), !last);
        EXPECT_EQ(header->identification(), fields.identification);
        EXPECT_EQ(header->header_length(), 20u);
        if (!last) {
            EXPECT_EQ(header->payload().size() % 8, 0u);
        }
        next_offset += header->payload().size();
        headers.push_back(header.value());
    }
    EXPECT_EQ(next_offset, payload_size);

    if (out.size() == 1) {
        EXPECT_TRUE(same_bytes(headers[0].payload(), ByteView{payload}));
        return;
    }
    testing::seeded_shuffle(headers, static_cast<std::uint32_t>(payload_size));
    Reassembler reassembler;
    std::optional<Datagram> datagram;
    for (const auto& header : headers) {
        auto result = reassembler.add(header, testing::at_seconds(0));
        ASSERT_TRUE(result.has_value());
        ASSERT_FALSE(datagram.has_value());
        if (result->has_value()) {
            datagram.emplace(std::move(**result));
        }
    }
    ASSERT_TRUE(datagram.has_value());
    EXPECT_TRUE(same_bytes(datagram->payload(), ByteView{payload}));
    EXPECT_EQ(datagram->header().total_length(), 20 + payload_size);
    EXPECT_EQ(datagram->header().fields().payload_length, payload_size);
}

TEST(Fragment, RoundTripThroughReassemblyForSeveralMtus) {
    for (std::size_t mtu : {576u, 1500u, 9000u}) {
        PacketPool pool{8, capacity_for(mtu)};
        std::vector<std::size_t> sizes{0,           1,
                                       7,           8,
                                       9,           mtu - 21,
                                       mtu - 20,    mtu - 19,
                                       mtu - 1,     mtu,
                                       mtu + 1,     2 * mtu - 40,
                                       2 * mtu,     3 * mtu - 60,
                                       3 * mtu - 1, 3 * mtu};
        for (std::size_t size = 0; size <= 3 * mtu; size += 97) {
            sizes.push_back(size);
        }
        for (std::size_t size : sizes) {
            check_round_trip(mtu, size, pool);
            ASSERT_EQ(pool.in_use(), 0u);
        }
    }
}

TEST(Fragment, SplitsTheLargestDatagram) {
    PacketPool pool{128, capacity_for(576)};
    check_round_trip(576, Ipv4Header::max_total_length - 20, pool);
}

TEST(Fragment, DontFragmentRefusesWhatDoesNotFit) {
    PacketPool pool{4};
    auto fields = test_fields();
    fields.dont_fragment = true;
    auto payload = pattern(1481);
    std::vector<Packet> out;
    auto result = fragment(fields, ByteView{payload}, 1500, pool, out);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), FragmentationError::dont_fragment);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(pool.in_use(), 0u);

    // One byte less fits: a single packet with DF set.
    ASSERT_TRUE(fragment(fields, ByteView{std::span{payload}.first(1480)}, 1500, pool, out));
    ASSERT_EQ(out.size(), 1u);
    auto header = Ipv4Header::parse(out[0]->data()).value();
    EXPECT_TRUE(header.dont_fragment());
    EXPECT_FALSE(header.is_fragment());
    EXPECT_EQ(header.total_length(), 1500u);
}

TEST(Fragment, ExhaustedPoolReleasesThePartialOutput) {
    PacketPool pool{2, capacity_for(576)};
    auto payload = pattern(1500);  // three pieces at MTU 576
    std::vector<Packet> out;
    out.push_back(Packet::copy_of(ByteView{payload}));
    auto result = fragment(test_fields(), ByteView{payload}, 576, pool, out);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), FragmentationError::pool_exhausted);
    EXPECT_EQ(out.size(), 1u);  // what was there before is untouched
    EXPECT_EQ(pool.available(), 2u);
}

TEST(Fragment, RefusesBadMtusSmallBuffersAndOversizedDatagrams) {
    PacketPool pool{4, 1024};
    std::vector<Packet> out;
    auto payload = pattern(Ipv4Header::max_total_length);

    auto result = fragment(test_fields(), ByteView{std::span{payload}.first(100)}, 67, pool, out);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), FragmentationError::mtu_too_small);

    result = fragment(test_fields(), ByteView{std::span{payload}.first(2000)}, 1500, pool, out);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), FragmentationError::no_room);

    result = fragment(test_fields(), ByteView{std::span{payload}.first(65516)}, 576, pool, out);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), FragmentationError::too_large);

    auto fields = test_fields();
    fields.fragment_offset = 1480;
    result =
        fragment(fields, ByteView{std::span{payload}.first(65535 - 20 - 1480 + 1)}, 576, pool, out);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), FragmentationError::too_large);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(pool.in_use(), 0u);

    // 68 bytes, the smallest MTU, gives 48-byte pieces.
    ASSERT_TRUE(fragment(test_fields(), ByteView{std::span{payload}.first(100)}, 68, pool, out));
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0]->size(), 68u);
}

TEST(Fragment, RefragmentingAFragmentKeepsItsOffsetAndMoreFragments) {
    PacketPool pool{8, capacity_for(576)};
    auto payload = pattern(1480);
    for (bool more : {true, false}) {
        auto fields = test_fields();
        fields.fragment_offset = 1480;
        fields.more_fragments = more;
        std::vector<Packet> out;
        ASSERT_TRUE(fragment(fields, ByteView{payload}, 576, pool, out));
        ASSERT_EQ(out.size(), 3u);
        std::size_t expected_offset = 1480;
        for (std::size_t index = 0; index < out.size(); ++index) {
            auto header = Ipv4Header::parse(out[index]->data()).value();
            EXPECT_EQ(header.fragment_offset(), expected_offset);
            EXPECT_EQ(header.more_fragments(), index + 1 < out.size() || more);
            expected_offset += header.payload().size();
        }
        EXPECT_EQ(expected_offset, 2960u);
    }
}

}  // namespace
}  // namespace oasis::net
