// Tests of IPv4 fragment reassembly: orders, duplicates, overlaps, timeouts, limits, 64 KiB.
#include "net/ipv4/reassembly.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "net/ipv4/test_support.hpp"

namespace oasis::net {
namespace {

using testing::at_seconds;
using testing::from_hex;
using testing::make_fragment;
using testing::pattern;
using testing::scapy_fragments;
using testing::scapy_whole;
using testing::seeded_shuffle;
using testing::split;
using testing::test_fields;
using testing::WireFragment;

bool same_bytes(ByteView left, const std::vector<std::byte>& right) {
    return std::equal(left.begin(), left.end(), right.begin(), right.end());
}

// Feeds `fragments` in the given order; expects the last one, and only it,
// to complete the datagram, and returns that.
std::optional<Datagram> feed(Reassembler& reassembler, const std::vector<WireFragment>& fragments,
                             Instant now = at_seconds(1)) {
    std::optional<Datagram> datagram;
    for (std::size_t index = 0; index < fragments.size(); ++index) {
        auto result = reassembler.add(fragments[index].header(), now);
        EXPECT_TRUE(result.has_value())
            << "fragment " << index << ": " << reassembly_error_name(result.error());
        if (!result.has_value()) {
            return std::nullopt;
        }
        EXPECT_EQ(result->has_value(), index + 1 == fragments.size()) << "fragment " << index;
        if (result->has_value()) {
            datagram.emplace(std::move(**result));
        }
    }
    return datagram;
}

void expect_datagram(const std::optional<Datagram>& datagram,
                     const std::vector<std::byte>& payload) {
    ASSERT_TRUE(datagram.has_value());
    Ipv4Header header = Ipv4Header::parse(datagram->bytes()).value();  // checksum verified
    EXPECT_EQ(header.total_length(), 20 + payload.size());
    EXPECT_FALSE(header.is_fragment());
    EXPECT_EQ(header.source(), testing::test_source);
    EXPECT_EQ(header.destination(), testing::test_destination);
    EXPECT_EQ(header.protocol(), IpProtocol::udp);
    EXPECT_EQ(header.identification(), 0x1234);
    EXPECT_TRUE(same_bytes(datagram->payload(), payload));
    EXPECT_TRUE(same_bytes(datagram->header().payload(), payload));
}

TEST(Reassembler, ScapyFragmentsGiveScapysWholeDatagram) {
    Reassembler reassembler;
    std::vector<WireFragment> fragments;
    for (auto hex : scapy_fragments) {
        fragments.push_back(WireFragment{from_hex(hex)});
    }
    auto datagram = feed(reassembler, fragments);
    ASSERT_TRUE(datagram.has_value());
    EXPECT_TRUE(same_bytes(datagram->bytes(), from_hex(scapy_whole)));
}

TEST(Reassembler, InOrder) {
    Reassembler reassembler;
    auto payload = pattern(4000);
    expect_datagram(feed(reassembler, split(payload, 1480)), payload);
    EXPECT_EQ(reassembler.stats().fragments, 3u);
    EXPECT_EQ(reassembler.stats().reassembled, 1u);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);
    EXPECT_EQ(reassembler.buffered_bytes(), 0u);
    EXPECT_EQ(reassembler.next_deadline(), std::nullopt);
}

TEST(Reassembler, Reversed) {
    Reassembler reassembler;
    auto payload = pattern(4000);
    auto fragments = split(payload, 1480);
    std::reverse(fragments.begin(), fragments.end());
    expect_datagram(feed(reassembler, fragments), payload);
}

TEST(Reassembler, ShuffledWithSeveralSeeds) {
    for (std::uint32_t seed = 1; seed <= 20; ++seed) {
        Reassembler reassembler;
        auto payload = pattern(2001, seed);
        auto fragments = split(payload, 64);
        seeded_shuffle(fragments, seed);
        expect_datagram(feed(reassembler, fragments), payload);
        EXPECT_EQ(reassembler.buffered_bytes(), 0u) << "seed " << seed;
    }
}

TEST(Reassembler, ExactDuplicatesAreIgnored) {
    Reassembler reassembler;
    auto payload = pattern(3000);
    auto pieces = split(payload, 512);
    std::vector<WireFragment> fragments;
    for (const auto& piece : pieces) {
        fragments.push_back(piece);
        fragments.push_back(piece);
    }
    seeded_shuffle(fragments, 7);
    // Stop at the fragment that completes the datagram: every later one is a
    // second copy, which starts a new (never completed) datagram.
    std::optional<Datagram> datagram;
    std::size_t index = 0;
    for (; index < fragments.size() && !datagram; ++index) {
        auto result = reassembler.add(fragments[index].header(), at_seconds(1));
        ASSERT_TRUE(result.has_value());
        if (result->has_value()) {
            datagram.emplace(std::move(**result));
        }
    }
    expect_datagram(datagram, payload);
    EXPECT_EQ(reassembler.stats().duplicates, index - pieces.size());
    EXPECT_GT(reassembler.stats().duplicates, 0u);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);
}

TEST(Reassembler, DuplicateOfTheLastFragmentIsIgnored) {
    Reassembler reassembler;
    auto payload = pattern(20);
    auto last = make_fragment(payload, 16, 4, false);
    ASSERT_TRUE(reassembler.add(last.header(), at_seconds(1)).has_value());
    ASSERT_TRUE(reassembler.add(last.header(), at_seconds(1)).has_value());
    EXPECT_EQ(reassembler.stats().duplicates, 1u);
    auto result = reassembler.add(make_fragment(payload, 0, 16, true).header(), at_seconds(1));
    ASSERT_TRUE(result.has_value());
    expect_datagram(*result, payload);
}

void expect_refused(Reassembler& reassembler, const WireFragment& fragment, ReassemblyError error) {
    auto result = reassembler.add(fragment.header(), at_seconds(1));
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), error) << reassembly_error_name(result.error());
}

TEST(Reassembler, PartialOverlapDropsTheDatagram) {
    Reassembler reassembler;
    auto payload = pattern(64);
    ASSERT_TRUE(reassembler.add(make_fragment(payload, 0, 16, true).header(), at_seconds(1)));
    EXPECT_EQ(reassembler.datagrams_in_progress(), 1u);
    // Same bytes where they overlap, still refused: the rule is about ranges.
    expect_refused(reassembler, make_fragment(payload, 8, 16, true), ReassemblyError::overlap);
    EXPECT_EQ(reassembler.stats().overlaps, 1u);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);
    EXPECT_EQ(reassembler.buffered_bytes(), 0u);
}

TEST(Reassembler, OverlapWithTheNextPieceDropsTheDatagram) {
    Reassembler reassembler;
    auto payload = pattern(64);
    ASSERT_TRUE(reassembler.add(make_fragment(payload, 16, 16, true).header(), at_seconds(1)));
    expect_refused(reassembler, make_fragment(payload, 8, 16, true), ReassemblyError::overlap);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);
}

TEST(Reassembler, SameOffsetOtherLengthOrBytesIsAnOverlap) {
    Reassembler reassembler;
    auto payload = pattern(64);
    ASSERT_TRUE(reassembler.add(make_fragment(payload, 8, 16, true).header(), at_seconds(1)));
    expect_refused(reassembler, make_fragment(payload, 8, 24, true), ReassemblyError::overlap);

    ASSERT_TRUE(reassembler.add(make_fragment(payload, 8, 16, true).header(), at_seconds(1)));
    auto other = pattern(64, 99);
    expect_refused(reassembler, make_fragment(other, 8, 16, true), ReassemblyError::overlap);
    EXPECT_EQ(reassembler.stats().overlaps, 2u);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);
}

TEST(Reassembler, TeardropPairIsRefused) {
    // Teardrop (CVE-1999-0015): a second fragment that lies inside the first
    // and ends before it, which made old stacks copy a negative length.
    Reassembler reassembler;
    auto payload = pattern(48);
    ASSERT_TRUE(reassembler.add(make_fragment(payload, 0, 48, true).header(), at_seconds(1)));
    expect_refused(reassembler, make_fragment(payload, 24, 4, false), ReassemblyError::overlap);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);
    EXPECT_EQ(reassembler.stats().reassembled, 0u);

    // The same pair the other way round.
    ASSERT_TRUE(reassembler.add(make_fragment(payload, 24, 4, false).header(), at_seconds(1)));
    expect_refused(reassembler, make_fragment(payload, 0, 48, true), ReassemblyError::overlap);
    EXPECT_EQ(reassembler.stats().overlaps, 2u);
}

TEST(Reassembler, FragmentPastTheLastOneDropsTheDatagram) {
    Reassembler reassembler;
    auto payload = pattern(64);
    ASSERT_TRUE(reassembler.add(make_fragment(payload, 16, 8, false).header(), at_seconds(1)));
    expect_refused(reassembler, make_fragment(payload, 24, 16, true),
                   ReassemblyError::inconsistent_length);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);

    // A second last fragment with another end.
    ASSERT_TRUE(reassembler.add(make_fragment(payload, 16, 8, false).header(), at_seconds(1)));
    expect_refused(reassembler, make_fragment(payload, 32, 8, false),
                   ReassemblyError::inconsistent_length);

    // A last fragment that ends before a piece already held.
    ASSERT_TRUE(reassembler.add(make_fragment(payload, 32, 8, true).header(), at_seconds(1)));
    expect_refused(reassembler, make_fragment(payload, 16, 8, false),
                   ReassemblyError::inconsistent_length);

    // A fragment that says more follow, ending where the (empty) last one ends.
    ASSERT_TRUE(reassembler.add(make_fragment(payload, 16, 0, false).header(), at_seconds(1)));
    expect_refused(reassembler, make_fragment(payload, 8, 8, true),
                   ReassemblyError::inconsistent_length);
    EXPECT_EQ(reassembler.stats().inconsistent_lengths, 4u);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);
}

TEST(Reassembler, RefusesEmptyMisalignedAndWholeDatagramsWithoutState) {
    Reassembler reassembler;
    auto payload = pattern(64);
    expect_refused(reassembler, make_fragment(payload, 8, 0, true),
                   ReassemblyError::empty_fragment);
    expect_refused(reassembler, make_fragment(payload, 8, 12, true), ReassemblyError::misaligned);
    expect_refused(reassembler, make_fragment(payload, 0, 64, false),
                   ReassemblyError::not_a_fragment);
    EXPECT_EQ(reassembler.stats().empty_fragments, 1u);
    EXPECT_EQ(reassembler.stats().misaligned, 1u);
    EXPECT_EQ(reassembler.stats().not_fragments, 1u);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);
}

TEST(Reassembler, EmptyLastFragmentCompletesTheDatagram) {
    Reassembler reassembler;
    auto payload = pattern(16);
    ASSERT_TRUE(reassembler.add(make_fragment(payload, 0, 16, true).header(), at_seconds(1)));
    auto result = reassembler.add(make_fragment(payload, 16, 0, false).header(), at_seconds(1));
    ASSERT_TRUE(result.has_value());
    expect_datagram(*result, payload);
}

TEST(Reassembler, KeyIncludesSourceDestinationProtocolAndIdentification) {
    Reassembler reassembler;
    auto payload = pattern(32);
    auto other_id = test_fields(0x4321);
    auto other_protocol = test_fields();
    other_protocol.protocol = IpProtocol::tcp;
    auto other_source = test_fields();
    other_source.source = Ipv4Address::from_octets(192, 0, 2, 99);
    auto other_destination = test_fields();
    other_destination.destination = Ipv4Address::from_octets(198, 51, 100, 99);
    ASSERT_TRUE(reassembler.add(make_fragment(payload, 0, 16, true).header(), at_seconds(1)));
    for (const auto& fields : {other_id, other_protocol, other_source, other_destination}) {
        auto result =
            reassembler.add(make_fragment(payload, 16, 16, false, fields).header(), at_seconds(1));
        ASSERT_TRUE(result.has_value());
        EXPECT_FALSE(result->has_value());
    }
    EXPECT_EQ(reassembler.datagrams_in_progress(), 5u);
    auto result = reassembler.add(make_fragment(payload, 16, 16, false).header(), at_seconds(1));
    ASSERT_TRUE(result.has_value());
    expect_datagram(*result, payload);
}

TEST(Reassembler, FirstFragmentsOptionsAreKept) {
    Reassembler reassembler;
    auto payload = pattern(40);
    // Router Alert (RFC 2113): copied, so a fragmenter puts it in every fragment.
    std::vector<std::byte> router_alert{std::byte{0x94}, std::byte{0x04}, std::byte{0x00},
                                        std::byte{0x00}};
    auto first = testing::with_options(make_fragment(payload, 0, 24, true), router_alert);
    ASSERT_TRUE(reassembler.add(make_fragment(payload, 24, 16, false).header(), at_seconds(1)));
    auto result = reassembler.add(first.header(), at_seconds(1));
    ASSERT_TRUE(result.has_value() && result->has_value());
    const Datagram& datagram = **result;
    Ipv4Header header = Ipv4Header::parse(datagram.bytes()).value();
    EXPECT_EQ(header.header_length(), 24u);
    EXPECT_EQ(header.total_length(), 64u);
    EXPECT_TRUE(same_bytes(header.options(), router_alert));
    EXPECT_TRUE(same_bytes(header.payload(), payload));
}

TEST(Reassembler, TimeoutReportsTheFirstFragmentForIcmp) {
    Reassembler reassembler;
    auto payload = pattern(4000);
    auto fragments = split(payload, 1480);
    ASSERT_TRUE(reassembler.add(fragments[0].header(), at_seconds(10)));
    ASSERT_TRUE(reassembler.add(fragments[2].header(), at_seconds(20)));
    // The timer runs from the first fragment and later ones do not restart it.
    EXPECT_EQ(reassembler.next_deadline(), at_seconds(40));
    EXPECT_TRUE(reassembler.expire(at_seconds(39)).empty());
    EXPECT_EQ(reassembler.datagrams_in_progress(), 1u);

    auto timeouts = reassembler.expire(at_seconds(40));
    ASSERT_EQ(timeouts.size(), 1u);
    EXPECT_EQ(timeouts[0].key.source, testing::test_source);
    EXPECT_EQ(timeouts[0].key.destination, testing::test_destination);
    EXPECT_EQ(timeouts[0].key.protocol, IpProtocol::udp);
    EXPECT_EQ(timeouts[0].key.identification, 0x1234);
    // The quote is the first fragment's header and 8 bytes of its payload,
    // what an ICMP Time Exceeded carries (RFC 792).
    std::vector<std::byte> expected(fragments[0].bytes.begin(), fragments[0].bytes.begin() + 28);
    EXPECT_TRUE(same_bytes(timeouts[0].quote(), expected));
    auto quoted = Ipv4Header::parse_quoted(timeouts[0].quote());
    ASSERT_TRUE(quoted.has_value());
    EXPECT_EQ(quoted->fragment_offset(), 0u);
    EXPECT_TRUE(quoted->more_fragments());

    EXPECT_EQ(reassembler.stats().timeouts, 1u);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);
    EXPECT_EQ(reassembler.buffered_bytes(), 0u);
    EXPECT_EQ(reassembler.next_deadline(), std::nullopt);

    // The missing piece, late, starts a new datagram rather than completing.
    auto late = reassembler.add(fragments[1].header(), at_seconds(41));
    ASSERT_TRUE(late.has_value());
    EXPECT_FALSE(late->has_value());
}

TEST(Reassembler, TimeoutWithoutTheFirstFragmentIsCountedButNotReported) {
    ReassemblyLimits limits;
    limits.timeout = std::chrono::seconds{15};
    Reassembler reassembler{limits};
    auto payload = pattern(4000);
    auto fragments = split(payload, 1480);
    ASSERT_TRUE(reassembler.add(fragments[1].header(), at_seconds(1)));
    ASSERT_TRUE(reassembler.add(fragments[2].header(), at_seconds(2)));
    auto second = split(pattern(100), 48, test_fields(7));
    ASSERT_TRUE(reassembler.add(second[0].header(), at_seconds(5)));
    EXPECT_EQ(reassembler.next_deadline(), at_seconds(16));
    EXPECT_TRUE(reassembler.expire(at_seconds(16)).empty());
    EXPECT_EQ(reassembler.stats().timeouts, 1u);
    EXPECT_EQ(reassembler.next_deadline(), at_seconds(20));
    auto timeouts = reassembler.expire(at_seconds(100));
    ASSERT_EQ(timeouts.size(), 1u);
    EXPECT_EQ(timeouts[0].key.identification, 7);
    EXPECT_EQ(reassembler.stats().timeouts, 2u);
}

TEST(Reassembler, TooManyDatagramsEvictsTheOldest) {
    ReassemblyLimits limits;
    limits.max_datagrams = 2;
    Reassembler reassembler{limits};
    auto payload = pattern(32);
    std::vector<std::vector<WireFragment>> datagrams;
    for (std::uint16_t id = 1; id <= 3; ++id) {
        datagrams.push_back(split(payload, 16, test_fields(id)));
        ASSERT_TRUE(reassembler.add(datagrams.back()[0].header(), at_seconds(id)));
    }
    EXPECT_EQ(reassembler.stats().evicted_for_datagrams, 1u);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 2u);
    EXPECT_EQ(reassembler.next_deadline(), at_seconds(2 + 30));
    // 2 and 3 complete; 1 was evicted, so its second half starts anew.
    for (std::uint16_t id : {2, 3}) {
        auto result = reassembler.add(datagrams[id - 1][1].header(), at_seconds(4));
        ASSERT_TRUE(result.has_value());
        ASSERT_TRUE(result->has_value());
        EXPECT_EQ((*result)->header().identification(), id);
    }
    auto result = reassembler.add(datagrams[0][1].header(), at_seconds(4));
    ASSERT_TRUE(result.has_value());
    EXPECT_FALSE(result->has_value());
    EXPECT_EQ(reassembler.stats().reassembled, 2u);
}

TEST(Reassembler, TooManyBytesEvictsTheOldestOthers) {
    ReassemblyLimits limits;
    limits.max_buffered_bytes = 3 * (1000 + fragment_overhead) - 1;
    Reassembler reassembler{limits};
    // A 1000-byte first piece and an 8-byte last one each.
    auto payload = pattern(1008);
    auto first = split(payload, 1000, test_fields(1));
    auto second = split(payload, 1000, test_fields(2));
    auto third = split(payload, 1000, test_fields(3));
    ASSERT_TRUE(reassembler.add(first[0].header(), at_seconds(1)));
    ASSERT_TRUE(reassembler.add(second[0].header(), at_seconds(2)));
    EXPECT_EQ(reassembler.buffered_bytes(), 2 * (1000 + fragment_overhead));
    ASSERT_TRUE(reassembler.add(third[0].header(), at_seconds(3)));
    EXPECT_EQ(reassembler.stats().evicted_for_bytes, 1u);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 2u);
    EXPECT_EQ(reassembler.buffered_bytes(), 2 * (1000 + fragment_overhead));
    // The oldest (1) went; 2 and 3 still complete.
    auto result = reassembler.add(second[1].header(), at_seconds(4));
    ASSERT_TRUE(result.has_value() && result->has_value());
    result = reassembler.add(third[1].header(), at_seconds(4));
    ASSERT_TRUE(result.has_value() && result->has_value());
    result = reassembler.add(first[1].header(), at_seconds(4));
    ASSERT_TRUE(result.has_value());
    EXPECT_FALSE(result->has_value());
}

TEST(Reassembler, DatagramLargerThanTheBudgetIsDropped) {
    ReassemblyLimits limits;
    limits.max_buffered_bytes = 1500;
    Reassembler reassembler{limits};
    auto fragments = split(pattern(3000), 1000);
    ASSERT_TRUE(reassembler.add(fragments[0].header(), at_seconds(1)));
    expect_refused(reassembler, fragments[1], ReassemblyError::over_budget);
    EXPECT_EQ(reassembler.stats().over_budget, 1u);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);
    EXPECT_EQ(reassembler.buffered_bytes(), 0u);
}

TEST(Reassembler, TooManyFragmentsDropsTheDatagram) {
    ReassemblyLimits limits;
    limits.max_fragments_per_datagram = 4;
    Reassembler reassembler{limits};
    auto fragments = split(pattern(80), 8);
    for (std::size_t index = 0; index < 4; ++index) {
        ASSERT_TRUE(reassembler.add(fragments[index].header(), at_seconds(1)));
    }
    expect_refused(reassembler, fragments[4], ReassemblyError::too_many_fragments);
    EXPECT_EQ(reassembler.stats().too_many_fragments, 1u);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);
}

TEST(Reassembler, LargestDatagramFromFragments) {
    // 65515 bytes of payload: a total length of 65535, the most there is.
    for (std::size_t piece_size : {552u, 1480u, 8976u}) {
        Reassembler reassembler;
        auto payload = pattern(Ipv4Header::max_total_length - 20, 3);
        auto fragments = split(payload, piece_size);
        seeded_shuffle(fragments, 11);
        auto datagram = feed(reassembler, fragments);
        expect_datagram(datagram, payload);
        ASSERT_TRUE(datagram.has_value());
        EXPECT_EQ(datagram->bytes().size(), 65535u);
    }
}

TEST(Reassembler, OffsetPast64KibIsRefused) {
    // The wire parser refuses a fragment that would end past 65535 bytes
    // (offset 65528 + 20-byte header + 16 bytes).
    auto payload = pattern(65528 + 16);
    auto past_end = make_fragment(payload, 65528, 16, false);
    auto parsed = Ipv4Header::parse(past_end.bytes);
    ASSERT_TRUE(parsed.is_error());
    EXPECT_EQ(parsed.error(), WireError::bad_length);

    // Each fragment fits alone, but the first one's options make the whole
    // datagram 65535 + 4 bytes: the reassembler refuses it.
    Reassembler reassembler;
    std::vector<std::byte> no_operations(4, std::byte{0x01});
    auto first = testing::with_options(make_fragment(payload, 0, 8, true), no_operations);
    auto last = make_fragment(payload, 65512, 3, false);  // ends at 65515
    ASSERT_TRUE(reassembler.add(last.header(), at_seconds(1)));
    expect_refused(reassembler, first, ReassemblyError::too_large);
    EXPECT_EQ(reassembler.stats().too_large, 1u);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);
}

TEST(Reassembler, ConfiguredDatagramLimitRefusesWithoutState) {
    ReassemblyLimits limits;
    limits.max_datagram_length = 1500;
    Reassembler reassembler{limits};
    auto payload = pattern(3000);
    expect_refused(reassembler, make_fragment(payload, 1480, 8, true), ReassemblyError::too_large);
    EXPECT_EQ(reassembler.datagrams_in_progress(), 0u);
    // Exactly 1500 bytes is allowed.
    ASSERT_TRUE(reassembler.add(make_fragment(payload, 0, 1472, true).header(), at_seconds(1)));
    auto result = reassembler.add(make_fragment(payload, 1472, 8, false).header(), at_seconds(1));
    ASSERT_TRUE(result.has_value() && result->has_value());
    EXPECT_EQ((*result)->bytes().size(), 1500u);
}

}  // namespace
}  // namespace oasis::net
