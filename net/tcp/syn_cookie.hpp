// SYN cookies (RFC 4987 §3.6): a SYN-ACK's ISN that lets a listener answer a SYN without state.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

#include "core/crypto/random.hpp"
#include "core/crypto/siphash.hpp"
#include "core/time.hpp"
#include "net/tcp/tuple.hpp"
#include "net/wire/tcp.hpp"

namespace oasis::net {

// What a SYN cookie remembers of the SYN it answers (RFC 4987 §3.6): no state
// is kept, so only what fits in the cookie bits survives.
struct TcpCookieParameters {
    // One entry of TcpSynCookies::mss_table.
    std::uint16_t maximum_segment_size = 536;
    // Kept only when the SYN carried timestamps (in our SYN-ACK's TSval);
    // without them the SYN-ACK must not offer window scaling or SACK.
    std::optional<std::uint8_t> window_scale;
    bool sack_permitted = false;

    friend bool operator==(const TcpCookieParameters&, const TcpCookieParameters&) = default;
};

// The cookie is our SYN-ACK's sequence number. Its 32 bits, before they are
// hidden by adding a keyed hash of the tuple and the peer's ISN:
//
//    31     27 26  24 23                                  0
//   +---------+------+-------------------------------------+
//   | counter | MSS  | MAC: SipHash-2-4 of tuple, peer ISN, |
//   | mod 32  | index|      full counter, MSS index         |
//   +---------+------+-------------------------------------+
//
//  - counter: now / 64 s. A cookie is accepted while the counter has
//    advanced by at most 2 since it was made, so it lives between 128 and
//    192 s: room for the peer's ACK to be lost and retransmitted with
//    backoff. The MAC covers the whole 64-bit counter, not just the 5 bits
//    on the wire, so a cookie does not come back to life 32 ticks (34 min)
//    later.
//  - MSS index: 3 bits into mss_table.
//  - MAC: 24 bits; a blind guess passes with probability 2^-24 per counter
//    value still accepted (RFC 4987 §3.6 weighs this against the
//    attacker's cost).
//
// Adding hash(tuple) + peer ISN (as Bernstein's cookies and Linux do) keeps
// the counter and MSS from showing in clear, and makes our ISN move with the
// peer's, so the usual ISN properties (RFC 6528) roughly hold.
class TcpSynCookies {
public:
    static constexpr Duration counter_tick = std::chrono::seconds{64};
    static constexpr std::uint32_t counter_bits = 5;
    static constexpr std::uint32_t maximum_age = 2;  // ticks
    static constexpr std::uint32_t mac_bits = 24;

    // The MSS values a cookie can keep, ascending; a peer's MSS is rounded
    // down to one of them:
    //   536   RFC 9293 §3.7.1's default, for peers that send none or less;
    //   1220  IPv4 translated over a 1280-byte IPv6 path (464XLAT: 1260 MTU);
    //   1300  a common clamp on VPN and mobile paths;
    //   1360  the usual `ip tcp adjust-mss` for GRE over IPsec (1400 MTU);
    //   1440  IP-in-IP and other 20-byte encapsulations (1480 MTU);
    //   1452  PPPoE (1492 MTU);
    //   1460  Ethernet (1500 MTU), by far the most common;
    //   8960  9000-byte jumbo frames.
    static constexpr std::array<std::uint16_t, 8> mss_table = {536,  1220, 1300, 1360,
                                                               1440, 1452, 1460, 8960};

    // Draws both keys from `random` now; it is not kept.
    explicit TcpSynCookies(crypto::ChaChaRng& random);

    // The ISN of a SYN-ACK answering a SYN from `tuple` with sequence
    // `peer_isn` and MSS option `peer_mss` (0 when the SYN had none).
    SequenceNumber make(const TcpTuple& tuple, SequenceNumber peer_isn, std::uint16_t peer_mss,
                        Instant now) const;

    // The MSS the cookie keeps for `peer_mss`: the largest table entry not
    // above it, and 536 for 0 (no option, RFC 9293 §3.7.1) or anything
    // smaller. Below 536 the cookie cannot honour the peer's value; every
    // host must accept 576-byte datagrams (RFC 1122 §3.3.3) so 536 still
    // reaches it, if fragmented. Send segments of at most this size.
    static std::uint16_t encoded_mss(std::uint16_t peer_mss);

    // When the SYN carried timestamps: the TSval for our SYN-ACK. Its low 5
    // bits hold the window scale (bits 0-3, 15 = none; a scale above 14 is
    // kept as 14, RFC 7323 §2.3) and SACK-permitted (bit 4). The other bits
    // are those of `timestamp_value`; when the low bits would then exceed
    // it, the result is taken 32 lower. So it lies in (timestamp_value - 32,
    // timestamp_value]: never ahead of the clock in the modular order that
    // PAWS uses (RFC 7323 §5.2), and TSvals sent later never go backwards.
    static std::uint32_t encode_timestamp(std::uint32_t timestamp_value,
                                          const TcpCookieParameters& parameters);

    // Checks the ACK that completes a handshake: `peer_isn` = SEG.SEQ - 1,
    // `cookie` = SEG.ACK - 1, `echoed_timestamp` = that ACK's TSecr if it
    // has timestamps. Returns what the SYN said, or none when the cookie is
    // forged, from another tuple or ISN, older than maximum_age ticks or
    // from the future. The timestamp bits are not authenticated: only the
    // peer that saw our SYN-ACK can get this far, and they describe its own
    // connection.
    std::optional<TcpCookieParameters> check(const TcpTuple& tuple, SequenceNumber peer_isn,
                                             SequenceNumber cookie,
                                             std::optional<std::uint32_t> echoed_timestamp,
                                             Instant now) const;

private:
    std::uint32_t mac(const TcpTuple& tuple, SequenceNumber peer_isn, std::uint64_t counter,
                      std::uint32_t mss_index) const;
    // What hides the cookie's fields: hash(tuple) + peer ISN.
    std::uint32_t cover(const TcpTuple& tuple, SequenceNumber peer_isn) const;

    crypto::SipKey m_cover_key;
    crypto::SipKey m_mac_key;
};

}  // namespace oasis::net
