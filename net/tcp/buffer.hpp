// TCP's send and receive buffers: rings that grow to a bound, with out-of-order reassembly in
// place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/buffer.hpp"

namespace oasis::net {

// The storage both buffers share: up to `capacity()` bytes used as a ring,
// addressed by offsets from a moving head. It does not know which bytes are
// valid; its owner does. Offsets and lengths must lie within the capacity
// (asserted).
//
// Memory is allocated as bytes are written, doubling up to the capacity: a
// server with thousands of mostly idle connections does not pay for every
// window in full.
class TcpByteRing {
public:
    explicit TcpByteRing(std::size_t capacity) : m_capacity(capacity) {}

    std::size_t capacity() const { return m_capacity; }
    // Bytes allocated so far.
    std::size_t allocated() const { return m_storage.size(); }

    // Copies `data` to the bytes starting `offset` after the head, wrapping
    // around the end of the storage.
    void write(std::size_t offset, ByteView data);
    // Copies out.size() bytes starting `offset` after the head.
    void read(std::size_t offset, MutableByteView out) const;
    // Moves the head forward: the first `count` bytes become the last ones.
    void advance(std::size_t count);
    // Reallocates to `capacity` bytes, keeping the first `keep` bytes after
    // the head (now at the start of the new storage).
    void resize(std::size_t capacity, std::size_t keep);

private:
    // Where the byte `offset` after the head lives in m_storage.
    std::size_t position(std::size_t offset) const;
    // Grows the storage to hold at least `size` bytes after the head.
    void reserve(std::size_t size);

    std::size_t m_capacity = 0;
    std::vector<std::byte> m_storage;
    std::size_t m_head = 0;
};

// Bytes the app wrote and the peer has not acknowledged yet, oldest first: a
// ring that grows as data is written, up to its capacity.
// Offset 0 is the byte at SND.UNA (RFC 9293 §3.3.1).
class TcpSendBuffer {
public:
    explicit TcpSendBuffer(std::size_t capacity) : m_ring(capacity) {}

    std::size_t capacity() const { return m_ring.capacity(); }
    std::size_t allocated() const { return m_ring.allocated(); }
    std::size_t size() const { return m_size; }
    std::size_t free() const { return capacity() - m_size; }
    bool empty() const { return m_size == 0; }

    // Copies as much of `data` as fits and returns how much that was.
    std::size_t write(ByteView data);
    // Copies out.size() bytes starting `offset` bytes after the oldest one,
    // for (re)transmission. Contract: offset + out.size() <= size().
    void copy_out(std::size_t offset, MutableByteView out) const;
    // Drops the oldest `count` bytes once the peer acknowledged them.
    // Contract: count <= size().
    void consume(std::size_t count);
    // Grows or shrinks the ring, keeping the bytes held. A capacity below
    // size() is raised to size(): held bytes are never thrown away.
    void set_capacity(std::size_t capacity);

private:
    TcpByteRing m_ring;
    std::size_t m_size = 0;
};

// A range of bytes relative to the first byte not yet in order (RCV.NXT): [begin, end).
struct TcpByteRange {
    std::size_t begin = 0;
    std::size_t end = 0;

    std::size_t size() const { return end - begin; }
    friend bool operator==(const TcpByteRange&, const TcpByteRange&) = default;
};

// What the receive side holds: in-order bytes waiting for the app, then
// out-of-order bytes stored in place at their offsets in the same ring, so a
// segment costs no allocation. Out-of-order bytes are tracked as at most
// `max_ranges` disjoint, non-adjacent ranges: a segment that would need one
// range too many is dropped whole and reported, so a flood of tiny segments
// at scattered offsets costs neither memory nor a crash. Data that begins at
// RCV.NXT is always taken: it never needs a range of its own.
//
// The ring holds, from its head: readable() in-order bytes, then window()
// bytes for RCV.NXT onwards, where out-of-order ranges lie. Held ranges do
// not shrink the window: RCV.WND counts from RCV.NXT (RFC 9293 §3.8.6).
class TcpReceiveBuffer {
public:
    TcpReceiveBuffer(std::size_t capacity, std::size_t max_ranges);

    struct Inserted {
        std::size_t readable = 0;  // bytes that became in order (RCV.NXT advances by this)
        bool dropped = false;      // refused: would exceed max_ranges (nothing stored)
        std::size_t trimmed = 0;   // bytes cut off because they lay beyond the window
    };

    // Stores `data`, which starts `offset` bytes after RCV.NXT (the caller has
    // already cut the bytes before RCV.NXT). Bytes at or beyond window() are
    // cut off. Overlapping and duplicate data overwrite what is held: by
    // TCP's contract the bytes of one sequence number are the same in every
    // copy, and overwriting needs no bookkeeping of which parts are new.
    Inserted insert(std::size_t offset, ByteView data);

    // In-order bytes waiting for the app.
    std::size_t readable() const { return m_readable; }
    // Copies up to out.size() in-order bytes, frees them and returns how many.
    std::size_t read(MutableByteView out);
    // Bytes after RCV.NXT that fit: the receive window.
    std::size_t window() const { return capacity() - m_readable; }
    std::size_t capacity() const { return m_ring.capacity(); }
    std::size_t allocated() const { return m_ring.allocated(); }
    // Grows or shrinks the ring, keeping the readable bytes and the
    // out-of-order bytes that still fit in the new window (the rest are
    // dropped, as drop_out_of_order() would). A capacity below readable() is
    // raised to readable().
    void set_capacity(std::size_t capacity);

    bool has_out_of_order() const { return !m_ranges.empty(); }
    std::size_t out_of_order_bytes() const;
    std::size_t out_of_order_range_count() const { return m_ranges.size(); }
    std::size_t max_ranges() const { return m_max_ranges; }

    // The held out-of-order ranges for SACK blocks (RFC 2018 §4): the range
    // the most recent insert() touched first, then the others, most recently
    // changed first. Returns how many were written to `out`.
    std::size_t sack_ranges(std::span<TcpByteRange> out) const;
    // Discards all out-of-order data (RFC 2018 §8: a receiver may renege,
    // e.g. under memory pressure). Returns the bytes dropped.
    std::size_t drop_out_of_order();

private:
    TcpByteRing m_ring;
    std::size_t m_readable = 0;
    std::size_t m_max_ranges;
    // Disjoint, non-adjacent and non-empty, most recently changed first;
    // reserved once, so it never reallocates.
    std::vector<TcpByteRange> m_ranges;
};

}  // namespace oasis::net
