// SYN cookies (RFC 4987 §3.6): counter, MSS index and a SipHash MAC packed into a SYN-ACK's ISN.
#include "net/tcp/syn_cookie.hpp"

#include <algorithm>

#include "core/endian.hpp"
#include "net/tcp/isn.hpp"

namespace oasis::net {
namespace {

constexpr std::uint32_t counter_mask = (1u << TcpSynCookies::counter_bits) - 1;
constexpr std::uint32_t index_bits = 3;
constexpr std::uint32_t index_mask = (1u << index_bits) - 1;
constexpr std::uint32_t mac_mask = (1u << TcpSynCookies::mac_bits) - 1;
constexpr std::uint32_t index_shift = TcpSynCookies::mac_bits;
constexpr std::uint32_t counter_shift = index_shift + index_bits;
static_assert(TcpSynCookies::counter_bits + index_bits + TcpSynCookies::mac_bits == 32);
static_assert(TcpSynCookies::mss_table.size() == 1u << index_bits);
static_assert(TcpSynCookies::maximum_age < counter_mask);

// The low bits of a cookie SYN-ACK's TSval.
constexpr std::uint32_t timestamp_option_bits = 5;
constexpr std::uint32_t timestamp_option_mask = (1u << timestamp_option_bits) - 1;
constexpr std::uint32_t window_scale_mask = 0xf;
constexpr std::uint32_t no_window_scale = 15;
constexpr std::uint32_t sack_permitted_bit = 1u << 4;
constexpr std::uint8_t maximum_window_scale = 14;  // RFC 7323 §2.3

std::uint64_t counter_at(Instant now) {
    return static_cast<std::uint64_t>(now.time_since_epoch() / TcpSynCookies::counter_tick);
}

std::uint32_t mss_index(std::uint16_t peer_mss) {
    std::uint32_t index = TcpSynCookies::mss_table.size() - 1;
    while (index > 0 && TcpSynCookies::mss_table[index] > peer_mss) {
        --index;
    }
    return index;
}

crypto::SipKey random_key(crypto::ChaChaRng& random) {
    crypto::SipKey key;
    random.fill(key);
    return key;
}

}  // namespace

TcpSynCookies::TcpSynCookies(crypto::ChaChaRng& random)
    : m_cover_key(random_key(random)), m_mac_key(random_key(random)) {}

SequenceNumber TcpSynCookies::make(const TcpTuple& tuple, SequenceNumber peer_isn,
                                   std::uint16_t peer_mss, Instant now) const {
    std::uint64_t counter = counter_at(now);
    std::uint32_t index = mss_index(peer_mss);
    std::uint32_t counter_field = static_cast<std::uint32_t>(counter) & counter_mask;
    std::uint32_t fields = counter_field << counter_shift | index << index_shift |
                           mac(tuple, peer_isn, counter, index);
    return SequenceNumber{cover(tuple, peer_isn) + fields};
}

std::uint16_t TcpSynCookies::encoded_mss(std::uint16_t peer_mss) {
    return mss_table[mss_index(peer_mss)];
}

std::uint32_t TcpSynCookies::encode_timestamp(std::uint32_t timestamp_value,
                                              const TcpCookieParameters& parameters) {
    std::uint32_t options = no_window_scale;
    if (parameters.window_scale) {
        options = std::min(*parameters.window_scale, maximum_window_scale);
    }
    if (parameters.sack_permitted) {
        options |= sack_permitted_bit;
    }
    std::uint32_t encoded = (timestamp_value & ~timestamp_option_mask) | options;
    if (encoded > timestamp_value) {
        // Step back to the previous 32-tick block; below 32 this wraps to
        // just under 2^32, which is still behind in modular order.
        encoded -= timestamp_option_mask + 1;
    }
    return encoded;
}

std::optional<TcpCookieParameters> TcpSynCookies::check(
    const TcpTuple& tuple, SequenceNumber peer_isn, SequenceNumber cookie,
    std::optional<std::uint32_t> echoed_timestamp, Instant now) const {
    std::uint32_t fields = cookie.value() - cover(tuple, peer_isn);
    std::uint64_t now_counter = counter_at(now);
    std::uint32_t age =
        (static_cast<std::uint32_t>(now_counter) - (fields >> counter_shift)) & counter_mask;
    // A cookie from the future shows up as an age near 32 and fails here.
    if (age > maximum_age) {
        return std::nullopt;
    }
    std::uint32_t index = (fields >> index_shift) & index_mask;
    if ((fields & mac_mask) != mac(tuple, peer_isn, now_counter - age, index)) {
        return std::nullopt;
    }

    TcpCookieParameters parameters;
    parameters.maximum_segment_size = mss_table[index];
    if (echoed_timestamp) {
        std::uint32_t window_scale = *echoed_timestamp & window_scale_mask;
        if (window_scale != no_window_scale) {
            parameters.window_scale = static_cast<std::uint8_t>(window_scale);
        }
        parameters.sack_permitted = (*echoed_timestamp & sack_permitted_bit) != 0;
    }
    return parameters;
}

std::uint32_t TcpSynCookies::mac(const TcpTuple& tuple, SequenceNumber peer_isn,
                                 std::uint64_t counter, std::uint32_t mss_index) const {
    // tuple (12 bytes) | peer ISN (4) | counter (8) | MSS index (1), fixed widths.
    std::array<std::byte, 25> input;
    TcpTupleBytes tuple_bytes = tcp_tuple_bytes(tuple);
    std::copy(tuple_bytes.begin(), tuple_bytes.end(), input.begin());
    store_be32(input.data() + 12, peer_isn.value());
    store_be64(input.data() + 16, counter);
    input[24] = static_cast<std::byte>(mss_index);
    return static_cast<std::uint32_t>(crypto::siphash24(m_mac_key, input)) & mac_mask;
}

std::uint32_t TcpSynCookies::cover(const TcpTuple& tuple, SequenceNumber peer_isn) const {
    auto hash = static_cast<std::uint32_t>(crypto::siphash24(m_cover_key, tcp_tuple_bytes(tuple)));
    return hash + peer_isn.value();
}

}  // namespace oasis::net
