// Packet buffers with headroom, a fixed pool of them, and the owning Packet handle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/buffer.hpp"
#include "core/result.hpp"

namespace oasis {

// The layout of a pool's buffers unless its constructor says otherwise: room
// for a 1500-byte Ethernet payload with its header and some slack, and enough
// headroom for Ethernet + IPv6 + TCP with options (14 + 40 + 60 bytes).
inline constexpr std::size_t default_packet_capacity = 2048;
inline constexpr std::size_t default_packet_headroom = 128;

// One network frame inside a fixed-size slab of storage that someone else
// owns (a PacketPool, usually). The payload is a window into the storage:
//
//   | headroom | payload: data(), size() | tailroom |
//   0        headroom()            headroom() + size()        capacity()
//
// Lower layers prepend their headers into the headroom in place, so sending
// never copies the payload; receiving layers trim their header off the front.
//
// Contract: every operation that would move the window outside the storage
// is refused with BufferError::out_of_bounds and changes nothing. The bytes
// that become part of the payload by prepend(), append() or set_size() hold
// whatever was there before; the caller writes them.
//
// Not copyable: a copy would be a second descriptor of the same storage whose
// changes the first would not see.
class PacketBuffer {
public:
    // A buffer with no storage: everything that grows it is refused.
    PacketBuffer() = default;
    // A buffer over `storage` with an empty payload after `headroom` bytes.
    // `headroom` larger than the storage is a broken invariant.
    PacketBuffer(MutableByteView storage, std::size_t headroom);

    PacketBuffer(const PacketBuffer&) = delete;
    PacketBuffer& operator=(const PacketBuffer&) = delete;

    // The current payload.
    MutableByteView data() { return MutableByteView{m_storage.subspan(m_start, m_size)}; }
    ByteView data() const { return ByteView{m_storage.subspan(m_start, m_size)}; }

    std::size_t size() const { return m_size; }
    std::size_t capacity() const { return m_storage.size(); }
    std::size_t headroom() const { return m_start; }
    std::size_t tailroom() const { return capacity() - m_start - m_size; }

    // Grows the payload by `length` bytes at the front, out of the headroom,
    // and returns those bytes for the caller to fill in (a header).
    Result<MutableByteView, BufferError> prepend(std::size_t length);

    // Grows the payload by `length` bytes at the back, out of the tailroom,
    // and returns those bytes.
    Result<MutableByteView, BufferError> append(std::size_t length);

    // Shrinks the payload by `length` bytes at the front (a parsed header
    // becomes headroom again) or at the back (padding, a trailer).
    Result<void, BufferError> trim_front(std::size_t length);
    Result<void, BufferError> trim_back(std::size_t length);

    // Makes the payload `size` bytes long, keeping its start: how a device
    // that has just received a frame into the tailroom says how long it was.
    Result<void, BufferError> set_size(std::size_t size);

    // Empties the payload and starts it `headroom` bytes into the storage.
    Result<void, BufferError> reset(std::size_t headroom);

private:
    friend class PacketPool;

    // Invariant: m_start + m_size <= m_storage.size().
    std::span<std::byte> m_storage;
    std::size_t m_start = 0;
    std::size_t m_size = 0;
};

class PacketPool;

// A move-only owning handle of one PacketBuffer, like std::unique_ptr: when
// it is destroyed or reset, its buffer goes back to the pool it came from.
// A default-constructed or moved-from Packet holds no buffer (so arrays of
// packets can be filled by a device); dereferencing one is a broken invariant.
class Packet {
public:
    Packet() = default;
    Packet(Packet&& other) noexcept;
    Packet& operator=(Packet&& other) noexcept;
    ~Packet();

    Packet(const Packet&) = delete;
    Packet& operator=(const Packet&) = delete;

    // FOR TESTS AND TOOLS ONLY, never the data path: a packet whose buffer
    // and storage are allocated on the heap, holding a copy of `bytes`
    // with `headroom` bytes before them and `tailroom` after. It belongs to
    // no pool and frees its memory when destroyed.
    static Packet copy_of(ByteView bytes, std::size_t headroom = default_packet_headroom,
                          std::size_t tailroom = 0);

    explicit operator bool() const { return m_buffer != nullptr; }

    PacketBuffer& operator*() const;
    PacketBuffer* operator->() const { return &**this; }

    // Gives the buffer back now; the handle becomes empty.
    void reset();

private:
    friend class PacketPool;
    Packet(PacketBuffer* buffer, PacketPool* pool) : m_buffer(buffer), m_pool(pool) {}

    PacketBuffer* m_buffer = nullptr;
    // nullptr for a copy_of() packet, whose buffer is on the heap.
    PacketPool* m_pool = nullptr;
};

enum class PoolError {
    exhausted,  // every buffer is in use; the caller drops the frame and counts it
};

// A fixed number of fixed-capacity packet buffers, all allocated when the
// pool is built, so that the data path never touches the heap. Allocation and
// release are O(1): a stack of free buffers.
//
// Contract: the pool must outlive every Packet allocated from it; destroying
// a pool while any of its packets is alive is a broken invariant and panics.
// The pool is neither copyable nor movable, since packets point at it.
class PacketPool {
public:
    // `count` buffers of `buffer_capacity` bytes each; allocate() hands them
    // out with `headroom` bytes of headroom and an empty payload. `headroom`
    // larger than `buffer_capacity` is a broken invariant.
    explicit PacketPool(std::size_t count, std::size_t buffer_capacity = default_packet_capacity,
                        std::size_t headroom = default_packet_headroom);
    ~PacketPool();

    PacketPool(const PacketPool&) = delete;
    PacketPool& operator=(const PacketPool&) = delete;

    // A free buffer with the default headroom and an empty payload (its
    // bytes are left as the last user wrote them), or PoolError::exhausted.
    Result<Packet, PoolError> allocate();

    // How many buffers the pool holds, and how many of them are free now.
    std::size_t capacity() const { return m_count; }
    std::size_t available() const { return m_free.size(); }
    std::size_t in_use() const { return capacity() - available(); }

    std::size_t buffer_capacity() const { return m_buffer_capacity; }
    std::size_t default_headroom() const { return m_headroom; }

    // Counters since the pool was built: successful allocations, and
    // allocations refused because the pool was exhausted.
    std::uint64_t allocations() const { return m_allocations; }
    std::uint64_t allocation_failures() const { return m_allocation_failures; }

private:
    friend class Packet;
    void release(PacketBuffer* buffer);

    std::size_t m_count;
    std::size_t m_buffer_capacity;
    std::size_t m_headroom;
    std::unique_ptr<std::byte[]> m_slab;
    std::unique_ptr<PacketBuffer[]> m_buffers;
    // Reserved for m_count entries up front, so push_back never allocates.
    std::vector<PacketBuffer*> m_free;
    std::uint64_t m_allocations = 0;
    std::uint64_t m_allocation_failures = 0;
};

}  // namespace oasis
