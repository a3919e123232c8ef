// TCP congestion control behind one interface: NewReno (RFC 5681, RFC 3465) and CUBIC (RFC 9438).
#include "net/tcp/congestion.hpp"

#include <algorithm>
#include <bit>

namespace oasis::net {

namespace {

std::uint32_t clamp_segment_size(std::uint32_t mss) {
    return std::clamp<std::uint32_t>(mss, 1, 65535);
}

std::uint32_t clamp_window(std::uint64_t window) {
    return static_cast<std::uint32_t>(
        std::min<std::uint64_t>(window, tcp_maximum_congestion_window));
}

// The window was not tested if less than half of it was in use.
bool application_limited(std::uint32_t flight_size, std::uint32_t window) {
    return std::uint64_t{flight_size} * 2 < window;
}

// RFC 5681 §3.1 with RFC 3465 §2.2's L = 2*SMSS; slow start stops at
// ssthresh, where RFC 5681 lets either algorithm run.
std::uint32_t slow_start(std::uint32_t window, std::uint32_t threshold, std::uint32_t acked,
                         std::uint32_t mss) {
    std::uint64_t grown = std::uint64_t{window} + std::min(acked, 2 * mss);
    return clamp_window(std::min<std::uint64_t>(grown, threshold));
}

// RFC 6582 §3.2 step 3, first option.
std::uint32_t recovery_exit_window(std::uint32_t threshold, std::uint32_t flight_size,
                                   std::uint32_t mss) {
    return static_cast<std::uint32_t>(
        std::min<std::uint64_t>(threshold, std::uint64_t{std::max(flight_size, mss)} + mss));
}

}  // namespace

std::string_view congestion_algorithm_name(TcpCongestionAlgorithm algorithm) {
    switch (algorithm) {
        case TcpCongestionAlgorithm::new_reno:
            return "newreno";
        case TcpCongestionAlgorithm::cubic:
            return "cubic";
    }
    return "unknown";
}

std::optional<TcpCongestionAlgorithm> parse_congestion_algorithm(std::string_view name) {
    if (name == "newreno" || name == "reno") {
        return TcpCongestionAlgorithm::new_reno;
    }
    if (name == "cubic") {
        return TcpCongestionAlgorithm::cubic;
    }
    return std::nullopt;
}

std::uint32_t initial_congestion_window(std::uint32_t mss) {
    mss = clamp_segment_size(mss);
    return std::min(10 * mss, std::max(2 * mss, std::uint32_t{14600}));
}

std::unique_ptr<TcpCongestionController> make_congestion_controller(
    TcpCongestionAlgorithm algorithm, std::uint32_t mss) {
    switch (algorithm) {
        case TcpCongestionAlgorithm::new_reno:
            return std::make_unique<TcpNewReno>(mss);
        case TcpCongestionAlgorithm::cubic:
            return std::make_unique<TcpCubic>(mss);
    }
    return std::make_unique<TcpCubic>(mss);
}

// NewReno.

TcpNewReno::TcpNewReno(std::uint32_t mss)
    : m_mss(clamp_segment_size(mss)), m_window(initial_congestion_window(m_mss)) {}

void TcpNewReno::on_ack(std::uint32_t acked, std::uint32_t flight_size, Duration, Instant) {
    if (application_limited(flight_size, m_window)) {
        return;
    }
    if (m_window < m_threshold) {
        m_window = slow_start(m_window, m_threshold, acked, m_mss);
        return;
    }
    // RFC 3465 §2.1: one SMSS per cwnd of acknowledged bytes. One ACK counts
    // for at most a window, so the counter stays below 2^31.
    m_bytes_acked += std::min(acked, m_window);
    if (m_bytes_acked >= m_window) {
        m_bytes_acked -= m_window;
        m_window = clamp_window(std::uint64_t{m_window} + m_mss);
    }
}

void TcpNewReno::on_congestion_event(std::uint32_t flight_size, Instant) {
    // RFC 5681 §3.2 step 2, equation (4).
    m_threshold = clamp_window(std::max(flight_size / 2, 2 * m_mss));
    m_window = m_threshold;
    m_bytes_acked = 0;
}

void TcpNewReno::on_retransmission_timeout(std::uint32_t flight_size, Instant now) {
    on_congestion_event(flight_size, now);
    m_window = m_mss;  // RFC 5681 §3.1: the loss window
}

void TcpNewReno::on_recovery_exit(std::uint32_t flight_size, Instant) {
    m_window = recovery_exit_window(m_threshold, flight_size, m_mss);
}

void TcpNewReno::on_idle_restart(Instant) {
    m_window = std::min(m_window, initial_congestion_window(m_mss));
}

void TcpNewReno::set_maximum_segment_size(std::uint32_t mss) {
    m_mss = clamp_segment_size(mss);
    m_window = initial_congestion_window(m_mss);
}

// CUBIC.

std::uint32_t integer_cube_root(std::uint64_t value) {
    if (value == 0) {
        return 0;
    }
    // value < 2^bits, so 2^ceil(bits/3) is above its cube root; from above,
    // integer Newton steps fall to the floor of the root and then stop falling.
    std::uint64_t root = std::uint64_t{1} << ((std::bit_width(value) + 2) / 3);
    while (true) {
        std::uint64_t next = (2 * root + value / (root * root)) / 3;
        if (next >= root) {
            return static_cast<std::uint32_t>(root);
        }
        root = next;
    }
}

namespace {

// beta_cubic = 7/10 (RFC 9438 §4.6); fast convergence's (1 + beta_cubic)/2
// = 17/20 (§4.7); alpha_cubic = 3(1 - beta)/(1 + beta) = 9/17 (§4.3).
constexpr std::uint64_t beta_numerator = 7;
constexpr std::uint64_t beta_denominator = 10;
constexpr std::uint64_t alpha_numerator = 9;
constexpr std::uint64_t alpha_denominator = 17;

// C*(d seconds)^3 in bytes for d in 2^-10 s: 2/5 * SMSS * d^3 / 2^30. Beyond
// 2^21 units (34 minutes) the term exceeds any window, so d stops there and
// d^3 < 2^63; dividing before multiplying keeps every step below 2^62.
std::uint64_t cubic_offset(std::int64_t distance, std::uint32_t mss) {
    std::uint64_t d = std::min<std::uint64_t>(distance, (std::uint64_t{1} << 21) - 1);
    std::uint64_t segments_q10 = (d * d * d / 5 * 2) >> 20;  // segments, in 2^-10
    return (segments_q10 * mss) >> 10;
}

}  // namespace

TcpCubic::TcpCubic(std::uint32_t mss)
    : m_mss(clamp_segment_size(mss)), m_window(initial_congestion_window(m_mss)) {}

std::uint32_t TcpCubic::cubic_window(Time t) const {
    std::int64_t distance = (t - m_time_to_maximum).count();
    std::uint64_t offset = cubic_offset(distance < 0 ? -distance : distance, m_mss);
    if (distance >= 0) {
        return clamp_window(m_maximum_window + offset);
    }
    return offset < m_maximum_window ? static_cast<std::uint32_t>(m_maximum_window - offset) : 0;
}

void TcpCubic::start_epoch(Instant now) {
    m_epoch_start = now;
    m_window_credit = 0;
    m_reno_credit = 0;
    m_reno_window = m_window;  // §4.3: W_est starts at cwnd_epoch
    if (m_window >= m_maximum_window) {
        // Above the old maximum (or after a timeout, §4.8): the curve starts
        // flat here and only grows.
        m_maximum_window = m_window;
        m_time_to_maximum = Time{0};
        return;
    }
    // §4.2, eq. 2: K = cbrt((W_max - cwnd_epoch)/C). In units of 2^-10 s,
    // K^3 = segments * 5/2 * 2^30 = bytes * 10 * 2^28 / SMSS: below 2^62,
    // as the difference is below 2^30 bytes.
    std::uint64_t difference = m_maximum_window - m_window;
    m_time_to_maximum = Time{integer_cube_root((difference << 28) * 10 / m_mss)};
}

void TcpCubic::grow_reno_window(std::uint32_t acked) {
    // §4.3: W_est += alpha_cubic * segments_acked / cwnd, with alpha_cubic
    // = 1 once W_est has reached cwnd_prior.
    std::uint64_t alpha = m_reno_window >= m_prior_window ? alpha_denominator : alpha_numerator;
    m_reno_credit += alpha * acked * m_mss;
    std::uint64_t scale = alpha_denominator * m_window;
    m_reno_window = clamp_window(m_reno_window + m_reno_credit / scale);
    m_reno_credit %= scale;
}

void TcpCubic::on_ack(std::uint32_t acked, std::uint32_t flight_size, Duration rtt, Instant now) {
    if (application_limited(flight_size, m_window)) {
        return;
    }
    if (m_window < m_threshold) {
        m_window = slow_start(m_window, m_threshold, acked, m_mss);
        return;
    }
    if (!m_epoch_start) {
        start_epoch(now);
    }
    Time t = std::chrono::duration_cast<Time>(std::max(now - *m_epoch_start, Duration::zero()));
    grow_reno_window(acked);
    if (cubic_window(t) < m_reno_window) {
        // §4.3: the Reno-friendly region.
        m_window = std::max(m_window, m_reno_window);
        return;
    }
    // §4.4, §4.5: aim at W_cubic one RTT ahead, at most 1.5 cwnd, and close
    // (target - cwnd)/cwnd of the gap per acknowledged SMSS.
    std::uint64_t target = cubic_window(t + std::chrono::duration_cast<Time>(rtt));
    target = std::clamp<std::uint64_t>(target, m_window, m_window + m_window / 2);
    m_window_credit += (target - m_window) * acked;
    std::uint64_t growth = m_window_credit / m_window;
    m_window_credit %= m_window;
    m_window = clamp_window(m_window + growth);
}

void TcpCubic::reduce(std::uint32_t flight_size) {
    // §4.7 fast convergence: a loss below the previous maximum means others
    // want bandwidth too, so aim lower than where this loss happened.
    if (m_window < m_maximum_window) {
        m_maximum_window = static_cast<std::uint32_t>(
            m_window * (beta_denominator + beta_numerator) / (2 * beta_denominator));
    } else {
        m_maximum_window = m_window;
    }
    m_prior_window = m_window;
    // §4.6: ssthresh = max(flight_size * beta_cubic, 2 SMSS).
    m_threshold = clamp_window(
        std::max<std::uint64_t>(flight_size * beta_numerator / beta_denominator, 2 * m_mss));
    m_epoch_start.reset();
}

void TcpCubic::on_congestion_event(std::uint32_t flight_size, Instant) {
    reduce(flight_size);
    m_window = m_threshold;
}

void TcpCubic::on_retransmission_timeout(std::uint32_t flight_size, Instant) {
    reduce(flight_size);
    m_window = m_mss;  // RFC 5681 §3.1: the loss window
    // §4.8: the next congestion avoidance stage starts a curve from its own
    // window with K = 0.
    m_maximum_window = 0;
}

void TcpCubic::on_recovery_exit(std::uint32_t flight_size, Instant) {
    m_window = recovery_exit_window(m_threshold, flight_size, m_mss);
}

void TcpCubic::on_idle_restart(Instant) {
    m_window = std::min(m_window, initial_congestion_window(m_mss));
    m_epoch_start.reset();
}

void TcpCubic::set_maximum_segment_size(std::uint32_t mss) {
    m_mss = clamp_segment_size(mss);
    m_window = initial_congestion_window(m_mss);
}

}  // namespace oasis::net
