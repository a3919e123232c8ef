// TCP's retransmission timer estimator (RFC 6298), in integer nanoseconds.
#pragma once

#include <chrono>
#include <optional>

#include "core/time.hpp"

namespace oasis::net {

// The bounds of the retransmission timeout. One deviation from RFC 6298:
// §2.4 says the RTO SHOULD be at least 1 s, a floor meant to keep delayed
// ACKs from causing spurious retransmissions. Like Linux (TCP_RTO_MIN) we use
// 200 ms: our own delayed ACK is 40 ms, and a 1 s floor would make each
// timeout on a LAN cost thousands of round trips.
struct TcpRttLimits {
    Duration initial = std::chrono::seconds(1);           // RFC 6298 §2.1
    Duration minimum = std::chrono::milliseconds(200);    // RFC 6298 §2.4: see above
    Duration maximum = std::chrono::seconds(60);          // RFC 6298 §2.5
    Duration granularity = std::chrono::milliseconds(1);  // G, the clock granularity of §2
};

// SRTT, RTTVAR and the RTO of RFC 6298 §2, plus the exponential backoff of
// §5.5. It takes samples; which segments may give one (Karn's algorithm,
// §3, or timestamps, RFC 7323 §4) is the connection's business.
class TcpRttEstimator {
public:
    explicit TcpRttEstimator(TcpRttLimits limits = {});

    // §2.2 for the first sample, §2.3 for later ones (alpha 1/8, beta 1/4).
    // A sample is clamped to [granularity, maximum]: a zero or negative one
    // (clock steps, a peer's bogus timestamp echo) counts as one tick, and a
    // longer one than the largest RTO could not change the timeout but could
    // overflow the arithmetic. A fresh sample also ends any backoff: the RTO
    // is computed anew from it (§5, note after step 5.7).
    void on_sample(Duration rtt);

    // The current RTO: the clamped §2 value doubled once per back_off(),
    // never above the maximum.
    Duration timeout() const;

    // §5.5: the retransmission timer expired; the next timeout is twice as
    // long (up to the maximum).
    void back_off();
    void reset_backoff() { m_backoff_count = 0; }
    // How many back_off() calls since the last sample or reset. It keeps
    // counting after the timeout has reached the maximum, so a connection can
    // use it to give up after so many retransmissions.
    unsigned backoff_count() const { return m_backoff_count; }

    std::optional<Duration> smoothed() const { return m_smoothed; }  // SRTT
    Duration variation() const { return m_variation; }               // RTTVAR
    std::optional<Duration> latest() const { return m_latest; }
    // The smallest sample seen: the path's propagation delay, as far as known.
    std::optional<Duration> minimum_observed() const { return m_minimum; }

    const TcpRttLimits& limits() const { return m_limits; }

private:
    // §2's RTO before backoff, clamped to [minimum, maximum].
    Duration base_timeout() const;

    TcpRttLimits m_limits;
    std::optional<Duration> m_smoothed;
    Duration m_variation{0};
    std::optional<Duration> m_latest;
    std::optional<Duration> m_minimum;
    unsigned m_backoff_count = 0;
};

}  // namespace oasis::net
