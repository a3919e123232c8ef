// TCP's send and receive buffers: rings allocated once, with out-of-order reassembly in place.
#include "net/tcp/buffer.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "core/panic.hpp"

namespace oasis::net {

namespace {

// The first allocation: a few segments.
constexpr std::size_t min_allocation = 4096;

}  // namespace

std::size_t TcpByteRing::position(std::size_t offset) const {
    // m_head < allocated() and offset <= allocated(), so one subtraction
    // wraps it and the sum cannot overflow.
    std::size_t position = m_head + offset;
    return position >= allocated() ? position - allocated() : position;
}

void TcpByteRing::reserve(std::size_t size) {
    if (size <= allocated()) {
        return;
    }
    std::size_t grown = std::min(m_capacity, std::max({size, 2 * allocated(), min_allocation}));
    std::vector<std::byte> storage(grown);
    // Unrolled from the head: offset o is then at index o, old and new.
    read(0, std::span{storage}.first(allocated()));
    m_storage = std::move(storage);
    m_head = 0;
}

void TcpByteRing::write(std::size_t offset, ByteView data) {
    OASIS_ASSERT(fits_within(capacity(), offset, data.size()));
    if (data.empty()) {
        return;
    }
    reserve(offset + data.size());
    std::size_t start = position(offset);
    std::size_t first = std::min(data.size(), allocated() - start);
    std::memcpy(m_storage.data() + start, data.data(), first);
    std::memcpy(m_storage.data(), data.data() + first, data.size() - first);
}

void TcpByteRing::read(std::size_t offset, MutableByteView out) const {
    // Only written bytes are read, and writing allocated them.
    OASIS_ASSERT(fits_within(allocated(), offset, out.size()));
    if (out.empty()) {
        return;
    }
    std::size_t start = position(offset);
    std::size_t first = std::min(out.size(), allocated() - start);
    std::memcpy(out.data(), m_storage.data() + start, first);
    std::memcpy(out.data() + first, m_storage.data(), out.size() - first);
}

void TcpByteRing::advance(std::size_t count) {
    OASIS_ASSERT(count <= capacity());
    if (count != 0 && allocated() != 0) {
        m_head = position(count % allocated());
    }
}

void TcpByteRing::resize(std::size_t capacity, std::size_t keep) {
    OASIS_ASSERT(keep <= capacity && keep <= this->capacity());
    std::vector<std::byte> storage(std::min(capacity, std::max(keep, allocated())));
    read(0, std::span{storage}.first(std::min(keep, allocated())));
    m_storage = std::move(storage);
    m_capacity = capacity;
    m_head = 0;
}

std::size_t TcpSendBuffer::write(ByteView data) {
    std::size_t count = std::min(data.size(), free());
    m_ring.write(m_size, data.span().first(count));
    m_size += count;
    return count;
}

void TcpSendBuffer::copy_out(std::size_t offset, MutableByteView out) const {
    OASIS_ASSERT(fits_within(m_size, offset, out.size()));
    m_ring.read(offset, out);
}

void TcpSendBuffer::consume(std::size_t count) {
    OASIS_ASSERT(count <= m_size);
    m_ring.advance(count);
    m_size -= count;
}

void TcpSendBuffer::set_capacity(std::size_t capacity) {
    m_ring.resize(std::max(capacity, m_size), m_size);
}

TcpReceiveBuffer::TcpReceiveBuffer(std::size_t capacity, std::size_t max_ranges)
    : m_ring(capacity), m_max_ranges(max_ranges) {
    m_ranges.reserve(max_ranges);
}

TcpReceiveBuffer::Inserted TcpReceiveBuffer::insert(std::size_t offset, ByteView data) {
    Inserted result;
    std::size_t kept = offset < window() ? std::min(data.size(), window() - offset) : 0;
    result.trimmed = data.size() - kept;
    if (kept == 0) {
        return result;
    }
    // Held ranges that overlap the new bytes or touch them end to end: they
    // and the new bytes become one range.
    TcpByteRange range{offset, offset + kept};
    auto touches = [&range](const TcpByteRange& held) {
        return held.begin <= range.end && range.begin <= held.end;
    };
    if (range.begin != 0 && m_ranges.size() == m_max_ranges &&
        std::ranges::none_of(m_ranges, touches)) {
        result.dropped = true;
        return result;
    }
    m_ring.write(m_readable + offset, data.span().first(kept));

    TcpByteRange merged = range;
    for (const TcpByteRange& held : m_ranges) {
        if (touches(held)) {
            merged.begin = std::min(merged.begin, held.begin);
            merged.end = std::max(merged.end, held.end);
        }
    }
    std::erase_if(m_ranges, touches);
    if (merged.begin == 0) {
        // The hole at RCV.NXT is filled: the merged range is in order now,
        // and the others are measured from the new RCV.NXT.
        m_readable += merged.end;
        result.readable = merged.end;
        for (TcpByteRange& held : m_ranges) {
            held.begin -= merged.end;
            held.end -= merged.end;
        }
    } else {
        // Most recent first, as RFC 2018 §4 wants the first SACK block.
        OASIS_ASSERT(m_ranges.size() < m_max_ranges);
        m_ranges.insert(m_ranges.begin(), merged);
    }
    return result;
}

std::size_t TcpReceiveBuffer::read(MutableByteView out) {
    std::size_t count = std::min(out.size(), m_readable);
    m_ring.read(0, out.span().first(count));
    m_ring.advance(count);
    m_readable -= count;
    return count;
}

void TcpReceiveBuffer::set_capacity(std::size_t capacity) {
    capacity = std::max(capacity, m_readable);
    // Out-of-order bytes beyond the new window no longer fit.
    std::size_t window = capacity - m_readable;
    std::erase_if(m_ranges, [window](const TcpByteRange& held) { return held.begin >= window; });
    for (TcpByteRange& held : m_ranges) {
        held.end = std::min(held.end, window);
    }
    m_ring.resize(capacity, std::min(capacity, this->capacity()));
}

std::size_t TcpReceiveBuffer::out_of_order_bytes() const {
    return std::accumulate(
        m_ranges.begin(), m_ranges.end(), std::size_t{0},
        [](std::size_t sum, const TcpByteRange& held) { return sum + held.size(); });
}

std::size_t TcpReceiveBuffer::sack_ranges(std::span<TcpByteRange> out) const {
    std::size_t count = std::min(out.size(), m_ranges.size());
    std::copy_n(m_ranges.begin(), count, out.begin());
    return count;
}

std::size_t TcpReceiveBuffer::drop_out_of_order() {
    std::size_t dropped = out_of_order_bytes();
    m_ranges.clear();
    return dropped;
}

}  // namespace oasis::net
