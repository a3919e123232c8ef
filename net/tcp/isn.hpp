// TCP initial sequence numbers (RFC 6528) and per-connection timestamp offsets (RFC 7323 §7).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "core/crypto/random.hpp"
#include "core/crypto/siphash.hpp"
#include "core/time.hpp"
#include "net/tcp/tuple.hpp"
#include "net/wire/tcp.hpp"

namespace oasis::net {

// The tuple as keyed hashes see it: local address, local port, remote
// address, remote port, each big-endian. Fixed-width fields, so no two
// tuples give the same bytes.
using TcpTupleBytes = std::array<std::byte, 12>;
TcpTupleBytes tcp_tuple_bytes(const TcpTuple& tuple);

// Initial sequence numbers per RFC 6528 §3: ISN = M + F(tuple, secret key),
// where M is a clock ticking every 4 µs (the RFC 793 clock, which wraps every
// 4.77 hours) and F is SipHash-2-4 under 128 random bits drawn once. Within
// one tuple the ISN advances with the clock, so a new incarnation of a
// connection starts above the old one's sequence space (RFC 9293 §3.4.1);
// across tuples an off-path attacker cannot guess it (RFC 6528 §1).
//
// The same object also gives the per-connection timestamp offset: RFC 7323
// §7 warns that a TSval taken straight from a clock reveals uptime and lets
// observers link connections, and recommends a random offset per connection.
// A keyed hash of the tuple (under a second key) is that offset without any
// state; because it is the same for every incarnation of a tuple, TSvals
// still grow across incarnations, as PAWS after TIME-WAIT (RFC 6191) wants.
class TcpInitialSequence {
public:
    // M's tick: 250000 per second.
    static constexpr Duration clock_tick = std::chrono::microseconds{4};

    // Draws both keys from `random` now; it is not kept.
    explicit TcpInitialSequence(crypto::ChaChaRng& random);

    SequenceNumber generate(const TcpTuple& tuple, Instant now) const;
    // Add to the timestamp clock for every TSval this connection sends.
    std::uint32_t timestamp_offset(const TcpTuple& tuple) const;

private:
    crypto::SipKey m_sequence_key;
    crypto::SipKey m_timestamp_key;
};

}  // namespace oasis::net
