// TCP congestion control behind one interface: NewReno (RFC 5681, RFC 3465) and CUBIC (RFC 9438).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <ratio>
#include <string_view>

#include "core/time.hpp"

namespace oasis::net {

enum class TcpCongestionAlgorithm : std::uint8_t { new_reno, cubic };

// "newreno" or "cubic"; parse also takes "reno" for NewReno.
std::string_view congestion_algorithm_name(TcpCongestionAlgorithm algorithm);
std::optional<TcpCongestionAlgorithm> parse_congestion_algorithm(std::string_view name);

// No window grows past this: the largest receive window a peer can offer is
// 65535 << 14 bytes (RFC 7323 §2.3), just under 2^30. The bound also keeps
// every sum and product below within 64 bits.
inline constexpr std::uint32_t tcp_maximum_congestion_window = std::uint32_t{1} << 30;

// A congestion controller decides cwnd and ssthresh, in bytes, and nothing
// else: the connection runs loss recovery itself (RFC 6582's window
// inflation, or RFC 6675's pipe) and tells the controller where it stands.
// SMSS is the maximum segment size given to the constructor or
// set_maximum_segment_size().
class TcpCongestionController {
public:
    virtual ~TcpCongestionController() = default;

    virtual TcpCongestionAlgorithm algorithm() const = 0;
    virtual std::uint32_t window() const = 0;  // cwnd
    // ssthresh: "arbitrarily high" at first (RFC 5681 §3.1), UINT32_MAX here.
    virtual std::uint32_t slow_start_threshold() const = 0;

    // A cumulative ACK outside loss recovery newly acknowledged `acked` bytes.
    // `flight_size` is what was outstanding before it: when that is under
    // half the window the sender was application-limited, the window has not
    // been tested, and it does not grow (the idea of RFC 7661 §4.1). `rtt` is
    // the connection's smoothed RTT, zero before the first sample.
    virtual void on_ack(std::uint32_t acked, std::uint32_t flight_size, Duration rtt,
                        Instant now) = 0;
    // Duplicate ACKs or SACK showed a loss: recovery begins. Afterwards
    // window() == slow_start_threshold().
    virtual void on_congestion_event(std::uint32_t flight_size, Instant now) = 0;
    // The retransmission timer expired: ssthresh as for a congestion event,
    // cwnd = 1 SMSS, the loss window of RFC 5681 §3.1.
    virtual void on_retransmission_timeout(std::uint32_t flight_size, Instant now) = 0;
    // A full ACK ended recovery (RFC 6582 §3.2 step 3, first option):
    // cwnd = min(ssthresh, max(flight_size, SMSS) + SMSS).
    virtual void on_recovery_exit(std::uint32_t flight_size, Instant now) = 0;
    // Nothing was sent for longer than an RTO (RFC 5681 §4.1): the window
    // falls back to the restart window min(initial window, cwnd).
    virtual void on_idle_restart(Instant now) = 0;
    // SMSS as settled by the handshake, before any data is sent: the window
    // becomes the initial window for it. Zero counts as 1 and anything above
    // 65535 as 65535, the limits of the MSS option (RFC 9293 §3.2).
    virtual void set_maximum_segment_size(std::uint32_t mss) = 0;
};

// RFC 6928 §2: min(10*MSS, max(2*MSS, 14600)).
std::uint32_t initial_congestion_window(std::uint32_t mss);

std::unique_ptr<TcpCongestionController> make_congestion_controller(
    TcpCongestionAlgorithm algorithm, std::uint32_t mss);

// NewReno's window (RFC 5681 §3.1): slow start counting acknowledged bytes
// with RFC 3465's limit L = 2*SMSS per ACK, and congestion avoidance adding
// one SMSS per window's worth of acknowledged bytes (RFC 3465 §2.1).
class TcpNewReno final : public TcpCongestionController {
public:
    explicit TcpNewReno(std::uint32_t mss);

    TcpCongestionAlgorithm algorithm() const override { return TcpCongestionAlgorithm::new_reno; }
    std::uint32_t window() const override { return m_window; }
    std::uint32_t slow_start_threshold() const override { return m_threshold; }

    void on_ack(std::uint32_t acked, std::uint32_t flight_size, Duration rtt, Instant now) override;
    void on_congestion_event(std::uint32_t flight_size, Instant now) override;
    void on_retransmission_timeout(std::uint32_t flight_size, Instant now) override;
    void on_recovery_exit(std::uint32_t flight_size, Instant now) override;
    void on_idle_restart(Instant now) override;
    void set_maximum_segment_size(std::uint32_t mss) override;

private:
    std::uint32_t m_mss;
    std::uint32_t m_window;
    std::uint32_t m_threshold = UINT32_MAX;
    std::uint32_t m_bytes_acked = 0;  // RFC 3465 §2.1's counter in congestion avoidance
};

// floor(cbrt(value)), exactly. Newton-Raphson from a power of two just above
// the root, the way Linux's tcp_cubic.c refines a first guess; Linux stops
// after one step from a table's guess, this iterates to the exact root. It
// runs once per congestion epoch, not per ACK.
std::uint32_t integer_cube_root(std::uint64_t value);

// CUBIC (RFC 9438): after a reduction the window follows
// W_cubic(t) = C*(t-K)^3 + W_max, concave up to the previous maximum W_max
// at t = K, then convex beyond it, but never below the window Reno would
// have (the Reno-friendly region, §4.3). C = 0.4 segments/s^3 and
// beta_cubic = 0.7 are integer fractions (2/5, 7/10); time on the curve is
// in 2^-10 s, so K^3 is a 2^-30 s^3 fixed-point integer and the cube root
// needs no floating point. Below ssthresh it is NewReno's slow start
// (§4.10; no HyStart++).
class TcpCubic final : public TcpCongestionController {
public:
    // Time on the cubic curve: 1/1024 s (about 1 ms).
    using Time = std::chrono::duration<std::int64_t, std::ratio<1, 1024>>;

    explicit TcpCubic(std::uint32_t mss);

    TcpCongestionAlgorithm algorithm() const override { return TcpCongestionAlgorithm::cubic; }
    std::uint32_t window() const override { return m_window; }
    std::uint32_t slow_start_threshold() const override { return m_threshold; }

    void on_ack(std::uint32_t acked, std::uint32_t flight_size, Duration rtt, Instant now) override;
    void on_congestion_event(std::uint32_t flight_size, Instant now) override;
    void on_retransmission_timeout(std::uint32_t flight_size, Instant now) override;
    void on_recovery_exit(std::uint32_t flight_size, Instant now) override;
    void on_idle_restart(Instant now) override;
    void set_maximum_segment_size(std::uint32_t mss) override;

    // The curve's state, for tests and statistics.
    std::uint32_t maximum_window() const { return m_maximum_window; }  // W_max, 0 for none
    Time time_to_maximum() const { return m_time_to_maximum; }         // K
    std::uint32_t reno_window() const { return m_reno_window; }        // W_est
    bool in_epoch() const { return m_epoch_start.has_value(); }
    // W_cubic(t) in bytes (§4.2, eq. 1), t since the epoch began; at least 0
    // and at most tcp_maximum_congestion_window.
    std::uint32_t cubic_window(Time t) const;

private:
    // A congestion avoidance stage begins: fixes K and W_max (§4.2) and W_est (§4.3).
    void start_epoch(Instant now);
    void grow_reno_window(std::uint32_t acked);
    void reduce(std::uint32_t flight_size);

    std::uint32_t m_mss;
    std::uint32_t m_window;
    std::uint32_t m_threshold = UINT32_MAX;
    std::uint32_t m_maximum_window = 0;
    std::uint32_t m_prior_window = 0;  // cwnd_prior: cwnd before the last reduction
    std::optional<Instant> m_epoch_start;
    Time m_time_to_maximum{0};
    std::uint32_t m_reno_window = 0;
    // Growth owed but not yet a whole byte, as numerators: the window's over
    // the window, the Reno estimate's over 17 windows (alpha_cubic = 9/17).
    std::uint64_t m_window_credit = 0;
    std::uint64_t m_reno_credit = 0;
};

}  // namespace oasis::net
