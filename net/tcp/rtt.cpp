// TCP's retransmission timer estimator (RFC 6298), in integer nanoseconds.
#include "net/tcp/rtt.hpp"

#include <algorithm>
#include <limits>

#include "core/panic.hpp"

namespace oasis::net {

TcpRttEstimator::TcpRttEstimator(TcpRttLimits limits) : m_limits(limits) {
    OASIS_ASSERT(limits.granularity > Duration::zero() && limits.granularity <= limits.maximum);
    OASIS_ASSERT(limits.minimum > Duration::zero() && limits.minimum <= limits.maximum);
    OASIS_ASSERT(limits.initial > Duration::zero() && limits.initial <= limits.maximum);
}

void TcpRttEstimator::on_sample(Duration rtt) {
    rtt = std::clamp(rtt, m_limits.granularity, m_limits.maximum);
    if (!m_smoothed) {
        // RFC 6298 §2.2.
        m_smoothed = rtt;
        m_variation = rtt / 2;
    } else {
        // RFC 6298 §2.3: RTTVAR first, from the old SRTT.
        Duration error = *m_smoothed > rtt ? *m_smoothed - rtt : rtt - *m_smoothed;
        m_variation = (3 * m_variation + error) / 4;
        m_smoothed = (7 * *m_smoothed + rtt) / 8;
    }
    m_latest = rtt;
    m_minimum = m_minimum ? std::min(*m_minimum, rtt) : rtt;
    m_backoff_count = 0;
}

Duration TcpRttEstimator::base_timeout() const {
    if (!m_smoothed) {
        return m_limits.initial;  // RFC 6298 §2.1
    }
    // RFC 6298 §2.2/§2.3: RTO = SRTT + max(G, K*RTTVAR) with K = 4; §2.4, §2.5.
    Duration timeout = *m_smoothed + std::max(m_limits.granularity, 4 * m_variation);
    return std::clamp(timeout, m_limits.minimum, m_limits.maximum);
}

Duration TcpRttEstimator::timeout() const {
    // Doubling stops at the maximum, so the loop runs at most log2(max/min)
    // times and cannot overflow, however many times back_off() was called.
    Duration timeout = base_timeout();
    for (unsigned i = 0; i < m_backoff_count && timeout < m_limits.maximum; ++i) {
        timeout *= 2;
    }
    return std::min(timeout, m_limits.maximum);
}

void TcpRttEstimator::back_off() {
    if (m_backoff_count < std::numeric_limits<unsigned>::max()) {
        ++m_backoff_count;
    }
}

}  // namespace oasis::net
