// Tests of the ARP resolver on real ARP packets, in virtual time.
#include "net/arp/resolver.hpp"
#include "core/testing/hex.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string_view>
#include <vector>

namespace oasis::net {
namespace {

using oasis::testing::from_hex;

// Made with scapy 2.5 (whole frames where the name says so, else the ARP
// payload only). Oasis is 02:00:00:00:00:01 at 10.0.0.2; the Linux host is
// 52:54:00:12:34:56 at 10.0.0.1; a third host is 52:54:00:ab:cd:ef at 10.0.0.3.
constexpr std::string_view our_request_frame =
    "ffffffffffff020000000001080600010800060400010200000000010a000002"
    "0000000000000a000001";
constexpr std::string_view host_reply = "00010800060400025254001234560a0000010200000000010a000002";
constexpr std::string_view host_request =
    "00010800060400015254001234560a0000010000000000000a000002";
constexpr std::string_view our_reply_frame =
    "525400123456020000000001080600010800060400020200000000010a000002"
    "5254001234560a000001";
constexpr std::string_view third_asks_host =
    "0001080006040001525400abcdef0a0000030000000000000a000001";
constexpr std::string_view our_announcement_frame =
    "ffffffffffff020000000001080600010800060400010200000000010a000002"
    "0000000000000a000002";
constexpr std::string_view our_probe_frame =
    "ffffffffffff020000000001080600010800060400010200000000010000000000"
    "00000000000a000002";
constexpr std::string_view third_announces_ours =
    "0001080006040001525400abcdef0a0000020000000000000a000002";
constexpr std::string_view third_probes_ours =
    "0001080006040001525400abcdef000000000000000000000a000002";
constexpr std::string_view host_moved_announcement =
    "00010800060400015254001234570a0000010000000000000a000001";
constexpr std::string_view broadcast_sender_reply =
    "0001080006040002ffffffffffff0a0000010200000000010a000002";
// A unicast request to refresh a stale entry (RFC 1122 §2.3.2.1).
constexpr std::string_view our_refresh_frame =
    "525400123456020000000001080600010800060400010200000000010a000002"
    "0000000000000a000001";

const MacAddress oasis_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
const MacAddress host_mac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const MacAddress host_new_mac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x57}};
const MacAddress third_mac{{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}};
const Ipv4Address oasis_ip = Ipv4Address::from_octets(10, 0, 0, 2);
const Ipv4Address host_ip = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address third_ip = Ipv4Address::from_octets(10, 0, 0, 3);

const Instant start = Instant{} + 1000s;

Ipv4Address neighbour(std::uint8_t last) {
    return Ipv4Address::from_octets(10, 0, 0, last);
}
MacAddress neighbour_mac(std::uint8_t last) {
    return MacAddress{{0x52, 0x54, 0, 0, 0, last}};
}

// A data packet whose only byte tells it apart.
Packet data_packet(std::uint8_t marker) {
    std::byte byte{marker};
    return Packet::copy_of(ByteView{&byte, 1});
}

std::uint8_t marker_of(const Packet& packet) {
    EXPECT_TRUE(packet);
    EXPECT_EQ(packet->size(), 1u);
    return std::to_integer<std::uint8_t>(packet->data().data()[0]);
}

std::vector<ArpOutput> drain(ArpResolver& resolver) {
    std::vector<ArpOutput> outputs;
    while (auto output = resolver.next_output()) {
        outputs.push_back(std::move(*output));
    }
    return outputs;
}

// The Ethernet frame the glue would send for an ArpTransmit output.
std::vector<std::byte> frame_of(const ArpOutput& output) {
    auto* transmit = std::get_if<ArpTransmit>(&output);
    EXPECT_NE(transmit, nullptr);
    if (transmit == nullptr) {
        return {};
    }
    Packet packet = Packet::copy_of(ByteView{}, 64);
    EXPECT_TRUE(write_arp_frame(*packet, oasis_mac, *transmit));
    ByteView bytes = packet->data();
    return std::vector<std::byte>(bytes.data(), bytes.data() + bytes.size());
}

// A resolver at 10.0.0.2 whose announcements (now and 2 s later) are done.
std::unique_ptr<ArpResolver> bound_resolver(const ArpConfig& config = {}) {
    auto resolver = std::make_unique<ArpResolver>(config, oasis_mac);
    EXPECT_TRUE(resolver->set_address(oasis_ip, start - 10s));
    resolver->poll(start - 10s + config.announce_interval);
    EXPECT_EQ(drain(*resolver).size(), config.announce_count);
    EXPECT_EQ(resolver->next_deadline(), std::nullopt);
    return resolver;
}

// `from` at `mac` asks us for our own MAC: how entries are learned.
ArpPacket request_from(Ipv4Address from, MacAddress mac) {
    return ArpPacket::request(mac, from, oasis_ip);
}

// A reply to our request for `from`.
ArpPacket reply_from(Ipv4Address from, MacAddress mac) {
    return ArpPacket::reply_to(ArpPacket::request(oasis_mac, oasis_ip, from), mac);
}

TEST(ArpResolver, ResolveSendsARequestAndReleasesHeldPacketsOnTheReply) {
    auto resolver = bound_resolver();
    auto first = resolver->resolve(host_ip, data_packet(1), start);
    EXPECT_EQ(first.status, ResolveStatus::queued);
    EXPECT_FALSE(first.packet);
    auto outputs = drain(*resolver);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(frame_of(outputs[0]), from_hex(our_request_frame));

    // A second packet joins the first; one request is enough.
    EXPECT_EQ(resolver->resolve(host_ip, data_packet(2), start + 100ms).status,
              ResolveStatus::queued);
    EXPECT_TRUE(drain(*resolver).empty());
    EXPECT_EQ(resolver->held_packet_count(), 2u);

    resolver->on_payload(from_hex(host_reply), start + 200ms);
    outputs = drain(*resolver);
    ASSERT_EQ(outputs.size(), 2u);
    for (std::uint8_t marker = 1; marker <= 2; ++marker) {
        auto* released = std::get_if<ArpReleased>(&outputs[marker - 1]);
        ASSERT_NE(released, nullptr);
        EXPECT_EQ(released->next_hop, host_ip);
        EXPECT_EQ(released->destination, host_mac);
        EXPECT_EQ(marker_of(released->packet), marker);
    }
    EXPECT_EQ(resolver->held_packet_count(), 0u);
    EXPECT_EQ(resolver->lookup(host_ip, start + 200ms), host_mac);
    EXPECT_EQ(resolver->stats().requests_sent, 1u);
    EXPECT_EQ(resolver->stats().resolved, 1u);
    EXPECT_EQ(resolver->stats().replies_received, 1u);
    // The retry timer is gone: only the entry's expiry is left.
    resolver->poll(start + 5s);
    EXPECT_TRUE(drain(*resolver).empty());
}

TEST(ArpResolver, ACacheHitHandsThePacketBackWithTheMac) {
    auto resolver = bound_resolver();
    // A reply to somebody else teaches nothing about a host not in the table.
    resolver->on_packet(ArpPacket{.operation = ArpOperation::reply,
                                  .sender_mac = host_mac,
                                  .sender_ip = host_ip,
                                  .target_mac = third_mac,
                                  .target_ip = third_ip},
                        start);
    EXPECT_EQ(resolver->lookup(host_ip, start), std::nullopt);

    EXPECT_EQ(resolver->resolve(host_ip, data_packet(1), start).status, ResolveStatus::queued);
    resolver->on_payload(from_hex(host_reply), start + 1ms);
    drain(*resolver);

    auto hit = resolver->resolve(host_ip, data_packet(7), start + 2s);
    EXPECT_EQ(hit.status, ResolveStatus::resolved);
    EXPECT_EQ(hit.destination, host_mac);
    EXPECT_EQ(marker_of(hit.packet), 7);
    EXPECT_TRUE(drain(*resolver).empty());
    EXPECT_EQ(resolver->stats().requests_sent, 1u);
}

TEST(ArpResolver, RetriesAfterOneTwoAndFourSecondsThenGivesUp) {
    auto resolver = bound_resolver();
    EXPECT_EQ(resolver->resolve(host_ip, data_packet(1), start).status, ResolveStatus::queued);
    EXPECT_EQ(drain(*resolver).size(), 1u);

    // Requests at 0 s, 1 s and 3 s; at 7 s the packet comes back unreachable.
    const Instant requests[] = {start + 1s, start + 3s};
    for (Instant due : requests) {
        EXPECT_EQ(resolver->next_deadline(), due);
        resolver->poll(due - 1ns);
        EXPECT_TRUE(drain(*resolver).empty());
        resolver->poll(due);
        auto outputs = drain(*resolver);
        ASSERT_EQ(outputs.size(), 1u);
        EXPECT_EQ(frame_of(outputs[0]), from_hex(our_request_frame));
    }
    EXPECT_EQ(resolver->next_deadline(), start + 7s);
    resolver->poll(start + 7s - 1ns);
    EXPECT_TRUE(drain(*resolver).empty());
    resolver->poll(start + 7s);
    auto outputs = drain(*resolver);
    ASSERT_EQ(outputs.size(), 1u);
    auto* unreachable = std::get_if<ArpUnreachable>(&outputs[0]);
    ASSERT_NE(unreachable, nullptr);
    EXPECT_EQ(unreachable->next_hop, host_ip);
    EXPECT_EQ(marker_of(unreachable->packet), 1);

    EXPECT_EQ(resolver->stats().requests_sent, 3u);
    EXPECT_EQ(resolver->stats().timeouts, 1u);
    EXPECT_EQ(resolver->stats().unreachable_packets, 1u);
    EXPECT_EQ(resolver->entry_count(), 0u);
    EXPECT_EQ(resolver->held_packet_count(), 0u);
    EXPECT_EQ(resolver->next_deadline(), std::nullopt);

    // A later packet starts a new resolution at once.
    EXPECT_EQ(resolver->resolve(host_ip, data_packet(2), start + 8s).status, ResolveStatus::queued);
    EXPECT_EQ(drain(*resolver).size(), 1u);
    EXPECT_EQ(resolver->stats().requests_sent, 4u);
}

TEST(ArpResolver, HoldsAtMostFourPacketsPerAddressKeepingTheLatest) {
    auto resolver = bound_resolver();
    for (std::uint8_t marker = 1; marker <= 6; ++marker) {
        EXPECT_EQ(resolver->resolve(host_ip, data_packet(marker), start).status,
                  ResolveStatus::queued);
    }
    EXPECT_EQ(resolver->stats().pending_drops, 2u);
    EXPECT_EQ(resolver->held_packet_count(), 4u);
    drain(*resolver);
    resolver->on_payload(from_hex(host_reply), start + 1ms);
    auto outputs = drain(*resolver);
    ASSERT_EQ(outputs.size(), 4u);
    for (std::uint8_t index = 0; index < 4; ++index) {
        auto* released = std::get_if<ArpReleased>(&outputs[index]);
        ASSERT_NE(released, nullptr);
        EXPECT_EQ(marker_of(released->packet), index + 3);
    }
}

TEST(ArpResolver, HoldsABoundedNumberOfPacketsInAll) {
    ArpConfig config;
    config.max_pending_total = 3;
    auto resolver = bound_resolver(config);
    EXPECT_EQ(resolver->resolve(neighbour(10), data_packet(1), start).status,
              ResolveStatus::queued);
    EXPECT_EQ(resolver->resolve(neighbour(10), data_packet(2), start).status,
              ResolveStatus::queued);
    EXPECT_EQ(resolver->resolve(neighbour(11), data_packet(3), start).status,
              ResolveStatus::queued);
    // Full, and nothing held for .12 to make room with: dropped, but the
    // request still goes out.
    auto dropped = resolver->resolve(neighbour(12), data_packet(4), start);
    EXPECT_EQ(dropped.status, ResolveStatus::dropped);
    EXPECT_FALSE(dropped.packet);
    EXPECT_EQ(resolver->stats().pending_drops, 1u);
    EXPECT_EQ(resolver->stats().requests_sent, 3u);
    // .10's newest packet takes the place of its oldest.
    EXPECT_EQ(resolver->resolve(neighbour(10), data_packet(5), start).status,
              ResolveStatus::queued);
    EXPECT_EQ(resolver->stats().pending_drops, 2u);
    EXPECT_EQ(resolver->held_packet_count(), 3u);

    drain(*resolver);
    resolver->on_packet(reply_from(neighbour(10), neighbour_mac(10)), start + 1ms);
    // Released but not yet drained packets still count against the bound.
    EXPECT_EQ(resolver->held_packet_count(), 3u);
    EXPECT_EQ(resolver->resolve(neighbour(12), data_packet(6), start).status,
              ResolveStatus::dropped);
    auto outputs = drain(*resolver);
    ASSERT_EQ(outputs.size(), 2u);
    EXPECT_EQ(marker_of(std::get<ArpReleased>(outputs[0]).packet), 2);
    EXPECT_EQ(marker_of(std::get<ArpReleased>(outputs[1]).packet), 5);
    EXPECT_EQ(resolver->held_packet_count(), 1u);
    EXPECT_EQ(resolver->resolve(neighbour(12), data_packet(7), start).status,
              ResolveStatus::queued);
}

TEST(ArpResolver, EvictsTheLeastRecentlyUsedEntryAtTheBound) {
    ArpConfig config;
    config.max_entries = 3;
    auto resolver = bound_resolver(config);
    for (std::uint8_t last : {10, 11, 12}) {
        resolver->on_packet(request_from(neighbour(last), neighbour_mac(last)), start);
    }
    EXPECT_EQ(resolver->entry_count(), 3u);
    EXPECT_EQ(resolver->stats().learned, 3u);
    drain(*resolver);

    // Using .10 makes .11 the least recently used.
    EXPECT_EQ(resolver->resolve(neighbour(10), data_packet(1), start + 1s).status,
              ResolveStatus::resolved);
    EXPECT_EQ(resolver->resolve(neighbour(13), data_packet(2), start + 1s).status,
              ResolveStatus::queued);
    EXPECT_EQ(resolver->entry_count(), 3u);
    EXPECT_EQ(resolver->stats().evicted, 1u);
    EXPECT_EQ(resolver->lookup(neighbour(11), start + 1s), std::nullopt);
    EXPECT_EQ(resolver->lookup(neighbour(10), start + 1s), neighbour_mac(10));
    EXPECT_EQ(resolver->lookup(neighbour(12), start + 1s), neighbour_mac(12));

    // A full cache learns nothing from requests (which would evict), but
    // still answers them.
    drain(*resolver);
    resolver->on_packet(request_from(neighbour(14), neighbour_mac(14)), start + 2s);
    EXPECT_EQ(resolver->lookup(neighbour(14), start + 2s), std::nullopt);
    EXPECT_EQ(resolver->stats().evicted, 1u);
    auto outputs = drain(*resolver);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(std::get<ArpTransmit>(outputs[0]).destination, neighbour_mac(14));
}

TEST(ArpResolver, EvictsTheOldestResolutionWhenNothingIsComplete) {
    ArpConfig config;
    config.max_entries = 2;
    auto resolver = bound_resolver(config);
    EXPECT_EQ(resolver->resolve(neighbour(10), data_packet(1), start).status,
              ResolveStatus::queued);
    EXPECT_EQ(resolver->resolve(neighbour(11), data_packet(2), start).status,
              ResolveStatus::queued);
    EXPECT_EQ(resolver->resolve(neighbour(12), data_packet(3), start).status,
              ResolveStatus::queued);
    auto outputs = drain(*resolver);
    ASSERT_EQ(outputs.size(), 4u);  // three requests and .10's packet back
    auto* unreachable = std::get_if<ArpUnreachable>(&outputs[2]);
    ASSERT_NE(unreachable, nullptr);
    EXPECT_EQ(unreachable->next_hop, neighbour(10));
    EXPECT_EQ(marker_of(unreachable->packet), 1);
    EXPECT_EQ(resolver->entry_count(), 2u);
    // A late reply from .10 is addressed to us, but learning never evicts:
    // with the table full it is not learned.
    resolver->on_packet(reply_from(neighbour(10), neighbour_mac(10)), start + 1ms);
    EXPECT_EQ(resolver->lookup(neighbour(10), start + 1ms), std::nullopt);
}

TEST(ArpResolver, EntriesExpireAfterReachableAndStaleTime) {
    auto resolver = bound_resolver();
    resolver->on_payload(from_hex(host_request), start);
    drain(*resolver);
    EXPECT_EQ(resolver->next_deadline(), start + 90s);
    EXPECT_EQ(resolver->lookup(host_ip, start + 90s - 1ns), host_mac);
    EXPECT_EQ(resolver->lookup(host_ip, start + 90s), std::nullopt);
    resolver->poll(start + 90s - 1ns);
    EXPECT_EQ(resolver->entry_count(), 1u);
    resolver->poll(start + 90s);
    EXPECT_EQ(resolver->entry_count(), 0u);
    EXPECT_EQ(resolver->stats().expired, 1u);
    EXPECT_EQ(resolver->next_deadline(), std::nullopt);
}

TEST(ArpResolver, AStaleEntryInUseIsRefreshedByUnicast) {
    auto resolver = bound_resolver();
    resolver->on_payload(from_hex(host_request), start);
    drain(*resolver);

    EXPECT_EQ(resolver->resolve(host_ip, data_packet(1), start + 30s).status,
              ResolveStatus::resolved);
    EXPECT_TRUE(drain(*resolver).empty());

    // Stale after 60 s: still used, and polled.
    auto stale = resolver->resolve(host_ip, data_packet(2), start + 61s);
    EXPECT_EQ(stale.status, ResolveStatus::resolved);
    EXPECT_EQ(stale.destination, host_mac);
    auto outputs = drain(*resolver);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(frame_of(outputs[0]), from_hex(our_refresh_frame));
    // At most once a second.
    EXPECT_EQ(resolver->resolve(host_ip, data_packet(3), start + 61500ms).status,
              ResolveStatus::resolved);
    EXPECT_TRUE(drain(*resolver).empty());
    EXPECT_EQ(resolver->resolve(host_ip, data_packet(4), start + 62s).status,
              ResolveStatus::resolved);
    EXPECT_EQ(drain(*resolver).size(), 1u);

    // The answer makes it reachable again, until 62 + 90 s.
    resolver->on_payload(from_hex(host_reply), start + 62s);
    EXPECT_EQ(resolver->stats().updated, 1u);
    resolver->poll(start + 100s);
    EXPECT_EQ(resolver->lookup(host_ip, start + 151s), host_mac);
    EXPECT_EQ(resolver->resolve(host_ip, data_packet(5), start + 100s).status,
              ResolveStatus::resolved);
    EXPECT_TRUE(drain(*resolver).empty());
}

TEST(ArpResolver, AnswersRequestsForOurAddressOnly) {
    auto resolver = bound_resolver();
    resolver->on_payload(from_hex(host_request), start);
    auto outputs = drain(*resolver);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(frame_of(outputs[0]), from_hex(our_reply_frame));
    EXPECT_EQ(resolver->stats().replies_sent, 1u);
    // RFC 826: the asker is learned, since it is about to talk to us.
    EXPECT_EQ(resolver->lookup(host_ip, start), host_mac);
    EXPECT_EQ(resolver->stats().learned, 1u);

    // Somebody else's question is neither answered nor learned from.
    resolver->on_payload(from_hex(third_asks_host), start + 1s);
    EXPECT_TRUE(drain(*resolver).empty());
    EXPECT_EQ(resolver->lookup(third_ip, start + 1s), std::nullopt);
    EXPECT_EQ(resolver->entry_count(), 1u);
    EXPECT_EQ(resolver->stats().requests_received, 2u);
}

TEST(ArpResolver, OtherTrafficOnlyUpdatesExistingEntries) {
    auto resolver = bound_resolver();
    // Not in the table: an announcement from the host adds nothing.
    resolver->on_payload(from_hex(host_moved_announcement), start);
    EXPECT_EQ(resolver->entry_count(), 0u);

    resolver->on_payload(from_hex(host_request), start);
    resolver->on_packet(request_from(third_ip, neighbour_mac(3)), start);
    drain(*resolver);
    // The host moved to a new MAC (RFC 5227 §3): the entry follows.
    resolver->on_payload(from_hex(host_moved_announcement), start + 1s);
    EXPECT_EQ(resolver->lookup(host_ip, start + 1s), host_new_mac);
    // The third host's question to someone else refreshes its entry (merge).
    resolver->on_payload(from_hex(third_asks_host), start + 50s);
    EXPECT_EQ(resolver->lookup(third_ip, start + 100s), third_mac);
    EXPECT_EQ(resolver->stats().updated, 2u);
    EXPECT_EQ(resolver->stats().learned, 2u);
    EXPECT_TRUE(drain(*resolver).empty());
}

TEST(ArpResolver, AnnouncesANewAddressTwiceTwoSecondsApart) {
    ArpResolver resolver{ArpConfig{}, oasis_mac};
    EXPECT_EQ(resolver.address_state(), AddressState::none);
    ASSERT_TRUE(resolver.set_address(oasis_ip, start));
    EXPECT_EQ(resolver.address_state(), AddressState::bound);
    auto outputs = drain(resolver);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(frame_of(outputs[0]), from_hex(our_announcement_frame));
    EXPECT_EQ(resolver.next_deadline(), start + 2s);
    resolver.poll(start + 2s);
    outputs = drain(resolver);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(frame_of(outputs[0]), from_hex(our_announcement_frame));
    EXPECT_EQ(resolver.next_deadline(), std::nullopt);
    EXPECT_EQ(resolver.stats().announcements_sent, 2u);

    // The same address again is no change.
    ASSERT_TRUE(resolver.set_address(oasis_ip, start + 3s));
    EXPECT_TRUE(drain(resolver).empty());
    // Another one is announced.
    ASSERT_TRUE(resolver.set_address(third_ip, start + 4s));
    outputs = drain(resolver);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(std::get<ArpTransmit>(outputs[0]).packet, ArpPacket::gratuitous(oasis_mac, third_ip));

    EXPECT_EQ(resolver.set_address(Ipv4Address::broadcast(), start).error(),
              ArpError::unusable_address);
    EXPECT_EQ(resolver.set_address(Ipv4Address{}, start).error(), ArpError::unusable_address);
    EXPECT_EQ(resolver.address(), third_ip);
}

TEST(ArpResolver, WithoutAnAddressNothingIsResolvedOrAnswered) {
    ArpResolver resolver{ArpConfig{}, oasis_mac};
    auto result = resolver.resolve(host_ip, data_packet(1), start);
    EXPECT_EQ(result.status, ResolveStatus::unreachable);
    EXPECT_EQ(marker_of(result.packet), 1);
    resolver.on_payload(from_hex(host_request), start);
    EXPECT_TRUE(drain(resolver).empty());

    // Losing the address fails resolutions in progress.
    ASSERT_TRUE(resolver.set_address(oasis_ip, start));
    EXPECT_EQ(resolver.resolve(host_ip, data_packet(2), start).status, ResolveStatus::queued);
    drain(resolver);
    ASSERT_TRUE(resolver.set_address(std::nullopt, start + 1ms));
    auto outputs = drain(resolver);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(marker_of(std::get<ArpUnreachable>(outputs[0]).packet), 2);
    EXPECT_EQ(resolver.entry_count(), 0u);
    // Cancelled timers may still wake the caller once, harmlessly.
    resolver.poll(start + 2s);
    EXPECT_TRUE(drain(resolver).empty());
    EXPECT_EQ(resolver.next_deadline(), std::nullopt);
}

TEST(ArpResolver, BroadcastAndMulticastNeedNoResolution) {
    ArpResolver resolver{ArpConfig{}, oasis_mac};
    auto broadcast = resolver.resolve(Ipv4Address::broadcast(), data_packet(1), start);
    EXPECT_EQ(broadcast.status, ResolveStatus::resolved);
    EXPECT_EQ(broadcast.destination, MacAddress::broadcast());
    // RFC 1112 §6.4: the low 23 bits of the group. 224.0.0.251 (mDNS) and
    // 239.129.1.2, whose 24th bit is not carried over.
    auto mdns = resolver.resolve(Ipv4Address::from_octets(224, 0, 0, 251), data_packet(2), start);
    EXPECT_EQ(mdns.status, ResolveStatus::resolved);
    EXPECT_EQ(mdns.destination, (MacAddress{{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}}));
    auto high = resolver.resolve(Ipv4Address::from_octets(239, 129, 1, 2), data_packet(3), start);
    EXPECT_EQ(high.destination, (MacAddress{{0x01, 0x00, 0x5e, 0x01, 0x01, 0x02}}));
    EXPECT_EQ(marker_of(high.packet), 3);
}

TEST(ArpResolver, ProbesBeforeClaimingWhenAsked) {
    ArpConfig config;
    config.probe = true;
    ArpResolver resolver{config, oasis_mac};
    ASSERT_TRUE(resolver.set_address(oasis_ip, start));
    EXPECT_EQ(resolver.address_state(), AddressState::probing);
    auto outputs = drain(resolver);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(frame_of(outputs[0]), from_hex(our_probe_frame));

    // Not ours yet: not used, not answered for.
    EXPECT_EQ(resolver.resolve(host_ip, data_packet(1), start).status, ResolveStatus::unreachable);
    resolver.on_payload(from_hex(host_request), start + 500ms);
    EXPECT_TRUE(drain(resolver).empty());
    EXPECT_EQ(resolver.entry_count(), 0u);

    for (Instant due : {start + 1s, start + 2s}) {
        EXPECT_EQ(resolver.next_deadline(), due);
        resolver.poll(due);
        outputs = drain(resolver);
        ASSERT_EQ(outputs.size(), 1u);
        EXPECT_EQ(frame_of(outputs[0]), from_hex(our_probe_frame));
    }
    // ANNOUNCE_WAIT after the last probe, it is ours and announced.
    EXPECT_EQ(resolver.next_deadline(), start + 4s);
    resolver.poll(start + 4s - 1ns);
    EXPECT_EQ(resolver.address_state(), AddressState::probing);
    resolver.poll(start + 4s);
    EXPECT_EQ(resolver.address_state(), AddressState::bound);
    outputs = drain(resolver);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(frame_of(outputs[0]), from_hex(our_announcement_frame));
    resolver.poll(start + 6s);
    EXPECT_EQ(drain(resolver).size(), 1u);
    EXPECT_EQ(resolver.stats().probes_sent, 3u);
    EXPECT_EQ(resolver.stats().announcements_sent, 2u);

    resolver.on_payload(from_hex(host_request), start + 7s);
    EXPECT_EQ(drain(resolver).size(), 1u);
}

TEST(ArpResolver, AProbeAnsweredByTheOwnerIsAConflict) {
    ArpConfig config;
    config.probe = true;
    ArpResolver resolver{config, oasis_mac};
    ASSERT_TRUE(resolver.set_address(oasis_ip, start));
    drain(resolver);
    resolver.on_payload(from_hex(third_announces_ours), start + 500ms);
    auto outputs = drain(resolver);
    ASSERT_EQ(outputs.size(), 1u);
    auto* conflict = std::get_if<ArpConflict>(&outputs[0]);
    ASSERT_NE(conflict, nullptr);
    EXPECT_EQ(conflict->address, oasis_ip);
    EXPECT_EQ(conflict->other_mac, third_mac);
    EXPECT_EQ(conflict->state, AddressState::probing);
    EXPECT_EQ(resolver.address_state(), AddressState::conflicted);
    EXPECT_EQ(resolver.stats().conflicts, 1u);
    // No more probes, no claim, and the owner is not learned as "us".
    resolver.poll(start + 10s);
    EXPECT_TRUE(drain(resolver).empty());
    EXPECT_EQ(resolver.entry_count(), 0u);
    EXPECT_EQ(resolver.resolve(host_ip, data_packet(1), start + 10s).status,
              ResolveStatus::unreachable);

    // The caller may try again (or another address).
    ASSERT_TRUE(resolver.set_address(oasis_ip, start + 20s));
    EXPECT_EQ(resolver.address_state(), AddressState::probing);
    EXPECT_EQ(frame_of(drain(resolver).at(0)), from_hex(our_probe_frame));
}

TEST(ArpResolver, SomebodyElseProbingForTheSameAddressIsAConflict) {
    ArpConfig config;
    config.probe = true;
    ArpResolver resolver{config, oasis_mac};
    ASSERT_TRUE(resolver.set_address(oasis_ip, start));
    drain(resolver);
    // Our own probe coming back is no conflict ...
    resolver.on_payload(ByteView{from_hex(our_probe_frame)}.span().subspan(14), start);
    EXPECT_EQ(resolver.stats().own_packets, 1u);
    EXPECT_EQ(resolver.address_state(), AddressState::probing);
    // ... another host's is (RFC 5227 §2.1.1).
    resolver.on_payload(from_hex(third_probes_ours), start + 100ms);
    EXPECT_EQ(resolver.address_state(), AddressState::conflicted);
    auto outputs = drain(resolver);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(std::get<ArpConflict>(outputs[0]).other_mac, third_mac);
}

TEST(ArpResolver, ABoundAddressIsDefendedAtMostOncePerTenSeconds) {
    auto resolver = bound_resolver();
    resolver->on_payload(from_hex(third_announces_ours), start);
    auto outputs = drain(*resolver);
    ASSERT_EQ(outputs.size(), 2u);
    EXPECT_EQ(std::get<ArpConflict>(outputs[0]).state, AddressState::bound);
    EXPECT_EQ(std::get<ArpConflict>(outputs[0]).other_mac, third_mac);
    EXPECT_EQ(frame_of(outputs[1]), from_hex(our_announcement_frame));

    resolver->on_payload(from_hex(third_announces_ours), start + 5s);
    outputs = drain(*resolver);
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<ArpConflict>(outputs[0]));

    resolver->on_payload(from_hex(third_announces_ours), start + 10s);
    outputs = drain(*resolver);
    ASSERT_EQ(outputs.size(), 2u);
    EXPECT_EQ(frame_of(outputs[1]), from_hex(our_announcement_frame));

    EXPECT_EQ(resolver->stats().conflicts, 3u);
    EXPECT_EQ(resolver->address_state(), AddressState::bound);
    EXPECT_EQ(resolver->entry_count(), 0u);
}

TEST(ArpResolver, AnswersAnotherHostsProbeForOurAddress) {
    auto resolver = bound_resolver();
    resolver->on_payload(from_hex(third_probes_ours), start);
    auto outputs = drain(*resolver);
    ASSERT_EQ(outputs.size(), 1u);
    const auto& reply = std::get<ArpTransmit>(outputs[0]);
    EXPECT_EQ(reply.destination, third_mac);
    EXPECT_EQ(reply.packet.operation, ArpOperation::reply);
    EXPECT_EQ(reply.packet.target_ip, Ipv4Address{});
    EXPECT_EQ(resolver->entry_count(), 0u);  // 0.0.0.0 is nobody to learn
    EXPECT_EQ(resolver->stats().conflicts, 0u);
}

TEST(ArpResolver, DropsAndCountsBadPackets) {
    auto resolver = bound_resolver();
    EXPECT_EQ(resolver->resolve(host_ip, data_packet(1), start).status, ResolveStatus::queued);
    drain(*resolver);

    // A broadcast sender MAC would be learned as a flood: dropped.
    resolver->on_payload(from_hex(broadcast_sender_reply), start);
    // Truncated, and RARP (operation 3).
    auto truncated = from_hex(host_reply);
    truncated.resize(20);
    resolver->on_payload(truncated, start);
    auto rarp = from_hex(host_reply);
    rarp[7] = std::byte{3};
    resolver->on_payload(rarp, start);
    EXPECT_EQ(resolver->stats().bad_packets, 3u);
    EXPECT_TRUE(drain(*resolver).empty());
    EXPECT_EQ(resolver->held_packet_count(), 1u);

    resolver->on_payload(from_hex(host_reply), start + 1ms);
    EXPECT_EQ(drain(*resolver).size(), 1u);
}

TEST(ArpResolver, BoundsTheQueuedFrames) {
    ArpConfig config;
    config.max_queued_frames = 2;
    auto resolver = bound_resolver(config);
    for (int count = 0; count < 3; ++count) {
        resolver->on_payload(from_hex(host_request), start);
    }
    EXPECT_EQ(drain(*resolver).size(), 2u);
    EXPECT_EQ(resolver->stats().replies_sent, 2u);
    EXPECT_EQ(resolver->stats().output_drops, 1u);
    resolver->on_payload(from_hex(host_request), start);
    EXPECT_EQ(drain(*resolver).size(), 1u);
}

// The open-addressing table against a std::map, through many learnings and
// expiries with colliding addresses (deterministic pseudo-random).
TEST(ArpResolver, TheTableAgreesWithAMapThroughChurn) {
    ArpConfig config;
    config.max_entries = 64;
    config.max_queued_frames = 1024;
    auto resolver = bound_resolver(config);
    struct Known {
        MacAddress mac;
        Instant confirmed;
    };
    std::map<std::uint32_t, Known> model;
    std::uint32_t state = 12345;
    auto next_random = [&state] {
        state = state * 1103515245u + 12345u;
        return state >> 8;
    };
    Instant now = start;
    const Duration lifetime = config.reachable_time + config.stale_time;
    for (int step = 0; step < 20000; ++step) {
        now += std::chrono::milliseconds(next_random() % 1000);
        std::uint32_t host = 1 + next_random() % 300;
        Ipv4Address address = Ipv4Address::from_u32((10u << 24) | (1u << 16) | host);
        MacAddress mac{{0x52, 0x54, 0, 0, std::uint8_t(host >> 8), std::uint8_t(step)}};
        if (address == oasis_ip) {
            continue;
        }
        for (auto it = model.begin(); it != model.end();) {
            it = now >= it->second.confirmed + lifetime ? model.erase(it) : std::next(it);
        }
        resolver->poll(now);
        resolver->on_packet(request_from(address, mac), now);
        drain(*resolver);
        auto known = model.find(address.to_u32());
        if (known != model.end()) {
            known->second = Known{mac, now};
        } else if (model.size() < config.max_entries) {
            model.emplace(address.to_u32(), Known{mac, now});
        }
        ASSERT_EQ(resolver->entry_count(), model.size()) << "step " << step;
        if (step % 97 == 0) {
            for (std::uint32_t probe = 1; probe <= 300; ++probe) {
                Ipv4Address probed = Ipv4Address::from_u32((10u << 24) | (1u << 16) | probe);
                auto expected = model.find(probed.to_u32());
                auto found = resolver->lookup(probed, now);
                if (expected == model.end()) {
                    ASSERT_EQ(found, std::nullopt) << "step " << step << " host " << probe;
                } else {
                    ASSERT_EQ(found, expected->second.mac) << "step " << step << " host " << probe;
                }
            }
        }
    }
    EXPECT_GT(resolver->stats().expired, 100u);
}

}  // namespace
}  // namespace oasis::net
