// What the TCP fuzz targets share: reading the input, the bytes apps write, configurations.
#pragma once

#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "core/buffer.hpp"
#include "core/time.hpp"
#include "net/tcp/connection.hpp"

namespace oasis::fuzz {

// OASIS_FUZZ_TRACE=1 in the environment prints every step, segment and
// timer to stderr, to follow a crash input by hand.
[[gnu::format(printf, 1, 2)]] inline void trace(const char* format, ...) {
    static const bool enabled = std::getenv("OASIS_FUZZ_TRACE") != nullptr;
    if (!enabled) {
        return;
    }
    std::va_list arguments;
    va_start(arguments, format);
    std::vfprintf(stderr, format, arguments);
    va_end(arguments);
    std::fputc('\n', stderr);
}

// Reads the input front to back. Past the end every read gives zeros, so any
// input decodes to some run.
class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) : m_data(data), m_size(size) {}

    bool empty() const { return m_position >= m_size; }
    std::uint8_t byte() { return empty() ? 0 : m_data[m_position++]; }
    std::uint16_t u16() {
        std::uint16_t high = byte();
        return static_cast<std::uint16_t>(high << 8 | byte());
    }
    std::uint32_t u32() {
        std::uint32_t high = u16();
        return high << 16 | u16();
    }
    // Up to `size` bytes, fewer at the end of the input.
    ByteView bytes(std::size_t size) {
        std::size_t count = std::min(size, m_size - std::min(m_position, m_size));
        ByteView view = as_bytes(std::span<const std::uint8_t>{m_data + m_position, count});
        m_position += count;
        return view;
    }

private:
    const std::uint8_t* m_data;
    std::size_t m_size;
    std::size_t m_position = 0;
};

// The byte one side writes at stream offset `offset`: every copy of a
// sequence number carries the same byte, however it was cut or retransmitted.
inline std::byte pattern(std::uint32_t offset, std::uint32_t salt) {
    std::uint32_t mixed = (offset + salt) * 0x9E3779B1u;
    mixed ^= mixed >> 15;
    mixed *= 0x2C1B3C6Du;
    mixed ^= mixed >> 12;
    return static_cast<std::byte>(mixed & 0xff);
}

inline Duration milliseconds(std::uint32_t count) {
    return std::chrono::milliseconds(count);
}

// A TcpConfig from 11 to 15 bytes: option switches, buffer sizes (1 byte to
// 256 KiB), out-of-order ranges, our MSS (28 bytes, the least an IPv4 MTU
// allows, and up), timers from zero, retry limits, and maybe a user timeout
// and keepalive.
inline net::TcpConfig decode_config(Input& input) {
    using net::TcpConfig;
    using net::TcpCongestionAlgorithm;
    using net::TcpKeepalive;
    constexpr std::array<std::size_t, 8> buffer_sizes{1,     100,   1460,   4096,
                                                      20000, 65535, 131072, 262144};
    constexpr std::array<std::uint16_t, 8> segment_sizes{28, 64, 88, 536, 1220, 1460, 1460, 8960};
    TcpConfig config;
    std::uint8_t switches = input.byte();
    config.window_scaling = (switches & 0x01) == 0;
    config.timestamps = (switches & 0x02) == 0;
    config.selective_ack = (switches & 0x04) == 0;
    config.no_delay = (switches & 0x08) != 0;
    config.congestion =
        (switches & 0x10) != 0 ? TcpCongestionAlgorithm::cubic : TcpCongestionAlgorithm::new_reno;
    config.send_buffer = buffer_sizes[input.byte() % buffer_sizes.size()];
    config.receive_buffer = buffer_sizes[input.byte() % buffer_sizes.size()];
    config.max_out_of_order_ranges = input.byte() % 17;
    std::uint8_t mss = input.byte();
    // The stack derives it from the MTU: at least 68 - 40 bytes (RFC 791).
    config.maximum_segment_size =
        mss < segment_sizes.size() ? segment_sizes[mss] : static_cast<std::uint16_t>(28 + mss * 37);
    config.delayed_ack = milliseconds(input.byte());
    config.time_wait = milliseconds(input.byte() * 250u);
    config.fin_wait_2_timeout = milliseconds(input.byte() * 250u);
    config.max_retransmissions = input.byte() % 16;
    config.max_syn_retransmissions = input.byte() % 8;
    config.challenge_acks_per_second = input.byte() % 16;
    if ((switches & 0x20) != 0) {
        config.user_timeout = milliseconds(input.byte() * 500u);
    }
    if ((switches & 0x40) != 0) {
        config.keepalive = TcpKeepalive{milliseconds(input.byte() * 1000u),
                                        milliseconds(input.byte() * 1000u), input.byte() % 10u};
    }
    return config;
}

}  // namespace oasis::fuzz
