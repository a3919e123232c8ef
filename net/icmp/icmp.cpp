// ICMP policy for IPv4: the error rules and the token bucket.
#include "net/icmp/icmp.hpp"

#include <algorithm>

#include "core/panic.hpp"
#include "net/wire/icmpv4.hpp"

namespace oasis::net {

IcmpRateLimiter::IcmpRateLimiter(std::uint32_t rate_per_second, std::uint32_t burst)
    : m_rate(rate_per_second), m_burst(burst), m_credit(burst * nanoseconds_per_second) {
    OASIS_ASSERT(rate_per_second > 0 && burst > 0);
}

bool IcmpRateLimiter::allow(Instant now) {
    const std::uint64_t full = m_burst * nanoseconds_per_second;
    if (m_last) {
        const std::int64_t elapsed = std::chrono::nanoseconds{now - *m_last}.count();
        if (elapsed > 0) {
            // Cap the elapsed time at what fills the bucket from empty, so the
            // product cannot overflow however long the pause was.
            const std::uint64_t refill_time = full / m_rate + 1;
            const std::uint64_t earned =
                std::min<std::uint64_t>(static_cast<std::uint64_t>(elapsed), refill_time) * m_rate;
            m_credit = std::min(full, m_credit + earned);
        }
    }
    m_last = now;
    if (m_credit < nanoseconds_per_second) {
        return false;
    }
    m_credit -= nanoseconds_per_second;
    return true;
}

namespace {

bool is_unicast_source(Ipv4Address source, const std::optional<Ipv4Prefix>& interface) {
    if (source.is_unspecified() || source.is_broadcast() || source.is_multicast() ||
        source.is_loopback()) {
        return false;
    }
    // 240.0.0.0/4, reserved (RFC 1112 §4): it names no host.
    if ((source.to_u32() >> 28) == 0xf) {
        return false;
    }
    // The directed broadcast of our own subnet (a /31 or /32 has none, RFC 3021).
    if (interface && interface->length() < 31 && source == interface->broadcast()) {
        return false;
    }
    return true;
}

}  // namespace

IcmpErrorSuppression icmp_error_suppression(const Ipv4Header& original,
                                            const ReceivedDatagramContext& context) {
    if (original.protocol() == IpProtocol::icmp && original.fragment_offset() == 0) {
        // Only the ICMP type matters; the checksum of a quoted or truncated
        // message is not ours to verify.
        auto message = Icmpv4Message::parse(original.payload(), ChecksumPolicy::skip);
        if (!message || message->is_error()) {
            return IcmpErrorSuppression::about_icmp_error;
        }
    }
    const Ipv4Address destination = original.destination();
    if (context.link_broadcast || destination.is_broadcast() || destination.is_multicast() ||
        (context.interface && context.interface->length() < 31 &&
         destination == context.interface->broadcast())) {
        return IcmpErrorSuppression::broadcast_destination;
    }
    if (original.fragment_offset() != 0) {
        return IcmpErrorSuppression::non_first_fragment;
    }
    if (!is_unicast_source(original.source(), context.interface)) {
        return IcmpErrorSuppression::non_unicast_source;
    }
    return IcmpErrorSuppression::none;
}

}  // namespace oasis::net
