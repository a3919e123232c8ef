// Tests for TcpSynCookies: MSS and option round trips; forged, stale, foreign cookies refused.
#include "net/tcp/syn_cookie.hpp"

#include <gtest/gtest.h>

namespace oasis::net {
namespace {

using Seed = crypto::ChaChaRng::Seed;

constexpr Duration tick = TcpSynCookies::counter_tick;

// The start of counter tick `counter`.
constexpr Instant at_tick(std::int64_t counter) {
    return Instant{} + tick * counter;
}

class SynCookies : public ::testing::Test {
protected:
    crypto::ChaChaRng m_random{Seed{std::byte{1}}};
    TcpSynCookies m_cookies{m_random};
    TcpTuple m_tuple{Ipv4Address::from_octets(192, 0, 2, 1), 443,
                     Ipv4Address::from_octets(198, 51, 100, 7), 50000};
    SequenceNumber m_peer_isn{0x1234'5678};
    Instant m_now = at_tick(1000) + std::chrono::seconds{10};

    std::optional<TcpCookieParameters> check(SequenceNumber cookie, Instant now) const {
        return m_cookies.check(m_tuple, m_peer_isn, cookie, std::nullopt, now);
    }
};

TEST(SynCookieMss, RoundsDownToTheTable) {
    for (std::uint16_t mss : TcpSynCookies::mss_table) {
        EXPECT_EQ(TcpSynCookies::encoded_mss(mss), mss);
        EXPECT_EQ(TcpSynCookies::encoded_mss(mss + 1), mss);
    }
    EXPECT_EQ(TcpSynCookies::encoded_mss(1459), 1452);
    EXPECT_EQ(TcpSynCookies::encoded_mss(8959), 1460);
    EXPECT_EQ(TcpSynCookies::encoded_mss(65535), 8960);
    // No option means 536 (RFC 9293 §3.7.1); less cannot be kept.
    EXPECT_EQ(TcpSynCookies::encoded_mss(0), 536);
    EXPECT_EQ(TcpSynCookies::encoded_mss(100), 536);
}

TEST_F(SynCookies, MssRoundTrips) {
    for (std::uint16_t mss : TcpSynCookies::mss_table) {
        for (std::uint16_t peer_mss : {mss, static_cast<std::uint16_t>(mss + 7)}) {
            SequenceNumber cookie = m_cookies.make(m_tuple, m_peer_isn, peer_mss, m_now);
            std::optional<TcpCookieParameters> parameters = check(cookie, m_now);
            ASSERT_TRUE(parameters) << peer_mss;
            // Without timestamps nothing else survives.
            EXPECT_EQ(*parameters, (TcpCookieParameters{mss, std::nullopt, false})) << peer_mss;
        }
    }
}

TEST_F(SynCookies, IsDeterministicAndWrapsWithThePeerIsn) {
    EXPECT_EQ(m_cookies.make(m_tuple, m_peer_isn, 1460, m_now),
              m_cookies.make(m_tuple, m_peer_isn, 1460, m_now));
    SequenceNumber last{0xffff'ffff};
    SequenceNumber cookie = m_cookies.make(m_tuple, last, 1460, m_now);
    EXPECT_TRUE(m_cookies.check(m_tuple, last, cookie, std::nullopt, m_now));
}

TEST(SynCookieTimestamp, KeepsOptionsInLowBitsWithoutGoingAhead) {
    TcpCookieParameters none;
    TcpCookieParameters all{1460, 14, true};
    // 0x1234 has low bits 0x14: none (0x0f) fits below them, all (0x1e) does not.
    EXPECT_EQ(TcpSynCookies::encode_timestamp(0x1234, none), 0x122fu);
    EXPECT_EQ(TcpSynCookies::encode_timestamp(0x1234, all), 0x121eu);
    EXPECT_EQ(TcpSynCookies::encode_timestamp(0x123f, all), 0x123eu);
    // Below 32 the step back wraps: still behind in modular order (RFC 7323 §5.2).
    EXPECT_EQ(TcpSynCookies::encode_timestamp(5, all), 0xffff'fffeu);
    EXPECT_EQ(TcpSynCookies::encode_timestamp(0xffff'ffff, all), 0xffff'fffeu);
    for (std::uint32_t value : {0u, 5u, 31u, 32u, 0x8000'0000u, 0xffff'ffe0u, 0xffff'ffffu}) {
        for (const TcpCookieParameters& parameters : {none, all}) {
            std::uint32_t encoded = TcpSynCookies::encode_timestamp(value, parameters);
            auto behind = static_cast<std::int32_t>(value - encoded);
            EXPECT_GE(behind, 0) << value;
            EXPECT_LT(behind, 32) << value;
        }
    }
    // A scale above 14 is used as 14 (RFC 7323 §2.3), and so kept.
    EXPECT_EQ(TcpSynCookies::encode_timestamp(0x1000, {536, 15, false}) & 0x1f, 14u);
}

TEST_F(SynCookies, WindowScaleAndSackRoundTripThroughTheTimestamp) {
    std::vector<std::optional<std::uint8_t>> scales = {std::nullopt};
    for (std::uint8_t scale = 0; scale <= 14; ++scale) {
        scales.push_back(scale);
    }
    SequenceNumber cookie = m_cookies.make(m_tuple, m_peer_isn, 1460, m_now);
    for (std::optional<std::uint8_t> scale : scales) {
        for (bool sack : {false, true}) {
            TcpCookieParameters sent{1460, scale, sack};
            std::uint32_t tsval = TcpSynCookies::encode_timestamp(0x0bad'cafe, sent);
            EXPECT_EQ(m_cookies.check(m_tuple, m_peer_isn, cookie, tsval, m_now), sent);
        }
    }
}

TEST_F(SynCookies, RejectsAnyOtherTupleOrPeerIsn) {
    SequenceNumber cookie = m_cookies.make(m_tuple, m_peer_isn, 1460, m_now);
    ASSERT_TRUE(check(cookie, m_now));
    std::vector<TcpTuple> others(4, m_tuple);
    others[0].local = Ipv4Address::from_octets(192, 0, 2, 2);
    others[1].local_port = 444;
    others[2].remote = Ipv4Address::from_octets(198, 51, 100, 8);
    others[3].remote_port = 50001;
    for (const TcpTuple& other : others) {
        EXPECT_FALSE(m_cookies.check(other, m_peer_isn, cookie, std::nullopt, m_now));
    }
    EXPECT_FALSE(m_cookies.check(m_tuple, m_peer_isn + 1, cookie, std::nullopt, m_now));
    EXPECT_FALSE(m_cookies.check(m_tuple, m_peer_isn - 1, cookie, std::nullopt, m_now));
    // The MAC covers the peer's ISN itself, not only the sum that hides the fields.
    EXPECT_FALSE(m_cookies.check(m_tuple, m_peer_isn + 1, cookie + 1, std::nullopt, m_now));
}

TEST_F(SynCookies, RejectsEveryFlippedBit) {
    SequenceNumber cookie = m_cookies.make(m_tuple, m_peer_isn, 1460, m_now);
    for (std::uint32_t bit = 0; bit < 32; ++bit) {
        EXPECT_FALSE(check(SequenceNumber{cookie.value() ^ (1u << bit)}, m_now)) << bit;
    }
}

TEST_F(SynCookies, RejectsCookiesOfAnotherKey) {
    crypto::ChaChaRng other_random(Seed{std::byte{2}});
    TcpSynCookies other(other_random);
    EXPECT_FALSE(check(other.make(m_tuple, m_peer_isn, 1460, m_now), m_now));
}

// Lifetime: the counter may have advanced by 0, 1 or 2 ticks, so a cookie
// made at the start of a tick lives 192 s and one made at its end 128 s.
TEST_F(SynCookies, AcceptsUpToTwoTicksOld) {
    SequenceNumber early = m_cookies.make(m_tuple, m_peer_isn, 1460, at_tick(1000));
    SequenceNumber late =
        m_cookies.make(m_tuple, m_peer_isn, 1460, at_tick(1001) - std::chrono::nanoseconds{1});
    for (std::int64_t age = 0; age <= 2; ++age) {
        EXPECT_TRUE(check(early, at_tick(1000 + age))) << age;
        EXPECT_TRUE(check(early, at_tick(1001 + age) - std::chrono::nanoseconds{1})) << age;
    }
    EXPECT_FALSE(check(early, at_tick(1003)));
    EXPECT_TRUE(
        check(late, at_tick(1000) + std::chrono::seconds{192} - std::chrono::nanoseconds{1}));
    EXPECT_FALSE(check(late, at_tick(1003)));
    EXPECT_FALSE(check(early, at_tick(1010)));
}

TEST_F(SynCookies, RejectsCookiesFromTheFuture) {
    SequenceNumber next_tick = m_cookies.make(m_tuple, m_peer_isn, 1460, at_tick(1001));
    EXPECT_FALSE(check(next_tick, at_tick(1000)));
    EXPECT_TRUE(check(next_tick, at_tick(1001)));
    // Near boot a counter that seems 2 ticks old would be from before tick 0;
    // the MAC covers the whole counter, so that one cannot match either.
    SequenceNumber later = m_cookies.make(m_tuple, m_peer_isn, 1460, at_tick(30));
    EXPECT_FALSE(check(later, at_tick(0)));
}

// Only 5 counter bits travel: the check must still work across their wrap,
// and a cookie must not revive when they come round again (32 ticks later).
TEST_F(SynCookies, CounterWrapsAround) {
    SequenceNumber before_wrap = m_cookies.make(m_tuple, m_peer_isn, 1460, at_tick(31));
    EXPECT_TRUE(check(before_wrap, at_tick(32)));
    EXPECT_TRUE(check(before_wrap, at_tick(33)));
    EXPECT_FALSE(check(before_wrap, at_tick(34)));
    EXPECT_FALSE(check(before_wrap, at_tick(31 + 32)));
    EXPECT_FALSE(check(before_wrap, at_tick(31 + 33)));
    for (std::int64_t counter = 0; counter < 100; ++counter) {
        SequenceNumber cookie = m_cookies.make(m_tuple, m_peer_isn, 536, at_tick(counter));
        EXPECT_TRUE(check(cookie, at_tick(counter + 2))) << counter;
        EXPECT_FALSE(check(cookie, at_tick(counter + 3))) << counter;
    }
}

// A blind attacker guessing the ACK number: a guess passes when its counter
// field is one of the 3 accepted values (3/32) and its 24-bit MAC matches
// (2^-24), so p = 3 / 2^29 ≈ 5.6e-9 per guess. Over 100000 guesses the
// expected count is 5.6e-4 and P(two or more) ≈ 1.6e-7, so at most one is a
// safe bound; without the MAC about 9400 would pass.
TEST_F(SynCookies, RandomForgeriesFail) {
    crypto::ChaChaRng guesses(Seed{std::byte{3}});
    int accepted = 0;
    for (int guess = 0; guess < 100'000; ++guess) {
        if (check(SequenceNumber{guesses.next_u32()}, m_now)) {
            ++accepted;
        }
    }
    EXPECT_LE(accepted, 1);
}

}  // namespace
}  // namespace oasis::net
