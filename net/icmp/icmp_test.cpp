// Tests of the ICMP error policy (RFC 1122 §3.2.2) and the token bucket.
#include "net/icmp/icmp.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "net/wire/icmpv4.hpp"
#include "net/wire/udp.hpp"

namespace oasis::net {
namespace {

using namespace std::chrono_literals;

constexpr Ipv4Address peer = Ipv4Address::from_octets(10, 0, 0, 1);
constexpr Ipv4Address us = Ipv4Address::from_octets(10, 0, 0, 2);
const Ipv4Prefix interface { us, 24 };

// An IPv4 datagram with `payload`, built by the wire emitter.
std::vector<std::byte> datagram(Ipv4Fields fields, std::vector<std::byte> payload) {
    std::vector<std::byte> bytes(Ipv4Header::min_header_size + payload.size());
    fields.payload_length = payload.size();
    EXPECT_TRUE(Ipv4Header::emit(MutableByteView{bytes}, fields));
    std::copy(payload.begin(), payload.end(), bytes.begin() + Ipv4Header::min_header_size);
    return bytes;
}

std::vector<std::byte> udp_to(Ipv4Address source, Ipv4Address destination) {
    std::vector<std::byte> bytes(12);
    EXPECT_TRUE(UdpDatagram::emit(MutableByteView{bytes}, 1000, 9, source, destination));
    return datagram({.source = source, .destination = destination, .protocol = IpProtocol::udp},
                    bytes);
}

IcmpErrorSuppression check(const std::vector<std::byte>& bytes, bool link_broadcast = false) {
    auto header = Ipv4Header::parse(ByteView{bytes});
    EXPECT_TRUE(header.has_value());
    return icmp_error_suppression(*header,
                                  {.link_broadcast = link_broadcast, .interface = interface});
}

TEST(IcmpErrorPolicyTest, AllowsAnErrorAboutAnOrdinaryUnicastDatagram) {
    EXPECT_EQ(check(udp_to(peer, us)), IcmpErrorSuppression::none);
}

TEST(IcmpErrorPolicyTest, NeverAboutBroadcastOrMulticast) {
    EXPECT_EQ(check(udp_to(peer, Ipv4Address::broadcast())),
              IcmpErrorSuppression::broadcast_destination);
    EXPECT_EQ(check(udp_to(peer, Ipv4Address::from_octets(10, 0, 0, 255))),
              IcmpErrorSuppression::broadcast_destination);
    EXPECT_EQ(check(udp_to(peer, Ipv4Address::from_octets(224, 0, 0, 251))),
              IcmpErrorSuppression::broadcast_destination);
    // Unicast IP in a link-layer broadcast frame (RFC 1122 §3.2.2 too).
    EXPECT_EQ(check(udp_to(peer, us), true), IcmpErrorSuppression::broadcast_destination);
}

TEST(IcmpErrorPolicyTest, NeverToASourceThatIsNotOneHost) {
    for (Ipv4Address source :
         {Ipv4Address::unspecified(), Ipv4Address::from_octets(127, 0, 0, 1),
          Ipv4Address::from_octets(240, 0, 0, 1), Ipv4Address::from_octets(10, 0, 0, 255)}) {
        EXPECT_EQ(check(udp_to(source, us)), IcmpErrorSuppression::non_unicast_source);
    }
}

TEST(IcmpErrorPolicyTest, NeverAboutANonFirstFragment) {
    std::vector<std::byte> payload(16);
    auto bytes = datagram(
        {.source = peer, .destination = us, .protocol = IpProtocol::udp, .fragment_offset = 1480},
        payload);
    EXPECT_EQ(check(bytes), IcmpErrorSuppression::non_first_fragment);
}

TEST(IcmpErrorPolicyTest, NeverAboutAnIcmpErrorButAboutAnEcho) {
    const auto original = udp_to(peer, us);
    std::vector<std::byte> error(Icmpv4Message::max_error_size);
    auto length =
        Icmpv4Message::emit_destination_unreachable(MutableByteView{error}, UnreachableCode::port,
                                                    Ipv4Header::parse(ByteView{original}).value());
    ASSERT_TRUE(length.has_value());
    error.resize(*length);
    EXPECT_EQ(
        check(datagram({.source = peer, .destination = us, .protocol = IpProtocol::icmp}, error)),
        IcmpErrorSuppression::about_icmp_error);

    std::vector<std::byte> echo(8 + 4);
    ASSERT_TRUE(Icmpv4Message::emit_echo(MutableByteView{echo}, Icmpv4Type::echo_request, 1, 1));
    EXPECT_EQ(
        check(datagram({.source = peer, .destination = us, .protocol = IpProtocol::icmp}, echo)),
        IcmpErrorSuppression::none);
}

TEST(IcmpRateLimiterTest, BurstThenRate) {
    IcmpRateLimiter limiter{100, 10};
    const Instant start{};
    int allowed = 0;
    for (int index = 0; index < 50; ++index) {
        allowed += limiter.allow(start) ? 1 : 0;
    }
    EXPECT_EQ(allowed, 10);
    // One token per 10 ms at 100/s.
    EXPECT_FALSE(limiter.allow(start + 9ms));
    EXPECT_TRUE(limiter.allow(start + 10ms));
    EXPECT_FALSE(limiter.allow(start + 10ms));
    // A long pause fills the bucket to its burst, not beyond.
    allowed = 0;
    for (int index = 0; index < 50; ++index) {
        allowed += limiter.allow(start + 1h) ? 1 : 0;
    }
    EXPECT_EQ(allowed, 10);
    // 100 ms after empty: ten more.
    allowed = 0;
    for (int index = 0; index < 50; ++index) {
        allowed += limiter.allow(start + 1h + 100ms) ? 1 : 0;
    }
    EXPECT_EQ(allowed, 10);
}

}  // namespace
}  // namespace oasis::net
