// ICMP policy for IPv4: when an error may be sent (RFC 1122 §3.2.2, RFC 1812 §4.3.2.7) and how
// often.
#pragma once

#include <cstdint>
#include <optional>

#include "core/time.hpp"
#include "net/wire/address.hpp"
#include "net/wire/ipv4.hpp"

namespace oasis::net {

// A token bucket in integers: `rate` messages per second on average, at most
// `burst` at once (RFC 1812 §4.3.2.8 asks routers to limit ICMP errors; RFC
// 1122 §3.2.2 lets hosts do the same; Linux limits to about 1000/s with a
// burst of 50 by default). Credit is kept in nanosecond-messages, so a rate
// of 100/s earns one message every 10 ms exactly, with no rounding drift.
class IcmpRateLimiter {
public:
    // A zero rate or burst is a broken invariant.
    IcmpRateLimiter(std::uint32_t rate_per_second, std::uint32_t burst);

    // Takes one token if there is one; false means "do not send". The bucket
    // starts full. `now` must not go backwards.
    bool allow(Instant now);

    std::uint32_t rate_per_second() const { return m_rate; }
    std::uint32_t burst() const { return m_burst; }

private:
    static constexpr std::uint64_t nanoseconds_per_second = 1'000'000'000;

    std::uint32_t m_rate;
    std::uint32_t m_burst;
    // Credit: rate messages earn `nanoseconds_per_second` each.
    std::uint64_t m_credit;
    std::optional<Instant> m_last;
};

// What the stack knows about how a datagram arrived, for the error policy.
struct ReceivedDatagramContext {
    // Whether the Ethernet frame went to a broadcast or multicast MAC address.
    bool link_broadcast = false;
    // The interface's address and prefix, if it has one (for the subnet's
    // directed broadcast address).
    std::optional<Ipv4Prefix> interface;
};

// Why no ICMP error may be sent about a datagram; `none` means one may.
enum class IcmpErrorSuppression {
    none,
    about_icmp_error,       // the datagram is itself an ICMP error (or an unparsable ICMP message)
    broadcast_destination,  // sent to a broadcast or multicast IP or MAC address
    non_first_fragment,     // a fragment with a non-zero offset
    non_unicast_source,     // from 0.0.0.0, a broadcast, multicast, loopback or class E address
};

// RFC 1122 §3.2.2 and RFC 1812 §4.3.2.7: an ICMP error message MUST NOT be
// sent about an ICMP error message, a datagram to an IP broadcast or
// multicast address, one sent as a link-layer broadcast, a fragment other
// than the first, or one whose source does not define a single host.
IcmpErrorSuppression icmp_error_suppression(const Ipv4Header& original,
                                            const ReceivedDatagramContext& context);

}  // namespace oasis::net
