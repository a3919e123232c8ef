// PacketBuffer window arithmetic, the Packet handle and the PacketPool free list.
#include "core/packet.hpp"

#include <cstdint>
#include <utility>

#include "core/panic.hpp"

namespace oasis {

PacketBuffer::PacketBuffer(MutableByteView storage, std::size_t headroom)
    : m_storage(storage.span()), m_start(headroom) {
    OASIS_ASSERT(headroom <= storage.size());
}

Result<MutableByteView, BufferError> PacketBuffer::prepend(std::size_t length) {
    if (length > headroom()) {
        return Error{BufferError::out_of_bounds};
    }
    m_start -= length;
    m_size += length;
    return MutableByteView{m_storage.subspan(m_start, length)};
}

Result<MutableByteView, BufferError> PacketBuffer::append(std::size_t length) {
    if (length > tailroom()) {
        return Error{BufferError::out_of_bounds};
    }
    const std::size_t old_end = m_start + m_size;
    m_size += length;
    return MutableByteView{m_storage.subspan(old_end, length)};
}

Result<void, BufferError> PacketBuffer::trim_front(std::size_t length) {
    if (length > m_size) {
        return Error{BufferError::out_of_bounds};
    }
    m_start += length;
    m_size -= length;
    return {};
}

Result<void, BufferError> PacketBuffer::trim_back(std::size_t length) {
    if (length > m_size) {
        return Error{BufferError::out_of_bounds};
    }
    m_size -= length;
    return {};
}

Result<void, BufferError> PacketBuffer::set_size(std::size_t size) {
    if (size > capacity() - m_start) {
        return Error{BufferError::out_of_bounds};
    }
    m_size = size;
    return {};
}

Result<void, BufferError> PacketBuffer::reset(std::size_t headroom) {
    if (headroom > capacity()) {
        return Error{BufferError::out_of_bounds};
    }
    m_start = headroom;
    m_size = 0;
    return {};
}

namespace {

// A copy_of() packet's buffer together with the heap storage it views. The
// base is initialised from `owned` before `storage` takes it over.
struct HeapPacketBuffer final : PacketBuffer {
    HeapPacketBuffer(std::unique_ptr<std::byte[]> owned, std::size_t capacity, std::size_t headroom)
        : PacketBuffer(MutableByteView{owned.get(), capacity}, headroom),
          storage(std::move(owned)) {}

    std::unique_ptr<std::byte[]> storage;
};

}  // namespace

Packet::Packet(Packet&& other) noexcept
    : m_buffer(std::exchange(other.m_buffer, nullptr)),
      m_pool(std::exchange(other.m_pool, nullptr)) {}

Packet& Packet::operator=(Packet&& other) noexcept {
    if (this != &other) {
        reset();
        m_buffer = std::exchange(other.m_buffer, nullptr);
        m_pool = std::exchange(other.m_pool, nullptr);
    }
    return *this;
}

Packet::~Packet() {
    reset();
}

Packet Packet::copy_of(ByteView bytes, std::size_t headroom, std::size_t tailroom) {
    OASIS_ASSERT(bytes.size() <= SIZE_MAX - headroom);
    OASIS_ASSERT(tailroom <= SIZE_MAX - headroom - bytes.size());
    const std::size_t capacity = headroom + bytes.size() + tailroom;
    auto* buffer =
        new HeapPacketBuffer(std::make_unique<std::byte[]>(capacity), capacity, headroom);
    // Cannot fail: the storage was sized for exactly this payload.
    auto payload = buffer->append(bytes.size());
    OASIS_ASSERT(payload.has_value());
    auto copied = payload->copy_from(0, bytes);
    OASIS_ASSERT(copied.has_value());
    return Packet{buffer, nullptr};
}

PacketBuffer& Packet::operator*() const {
    OASIS_ASSERT(m_buffer != nullptr && "dereferenced an empty Packet");
    return *m_buffer;
}

void Packet::reset() {
    if (m_buffer == nullptr) {
        return;
    }
    if (m_pool != nullptr) {
        m_pool->release(m_buffer);
    } else {
        // Only copy_of() makes pool-less packets, and it always makes this type.
        delete static_cast<HeapPacketBuffer*>(m_buffer);
    }
    m_buffer = nullptr;
    m_pool = nullptr;
}

PacketPool::PacketPool(std::size_t count, std::size_t buffer_capacity, std::size_t headroom)
    : m_count(count), m_buffer_capacity(buffer_capacity), m_headroom(headroom) {
    OASIS_ASSERT(headroom <= buffer_capacity);
    OASIS_ASSERT(buffer_capacity == 0 || count <= SIZE_MAX / buffer_capacity);
    m_slab = std::make_unique<std::byte[]>(count * buffer_capacity);
    m_buffers = std::make_unique<PacketBuffer[]>(count);
    m_free.reserve(count);
    // Pushed in reverse so that the first allocation gets the first buffer.
    for (std::size_t index = count; index > 0; --index) {
        PacketBuffer& buffer = m_buffers[index - 1];
        buffer.m_storage =
            std::span<std::byte>{m_slab.get() + (index - 1) * buffer_capacity, buffer_capacity};
        m_free.push_back(&buffer);
    }
}

PacketPool::~PacketPool() {
    OASIS_ASSERT(in_use() == 0 && "a Packet outlived its PacketPool");
}

Result<Packet, PoolError> PacketPool::allocate() {
    if (m_free.empty()) {
        ++m_allocation_failures;
        return Error{PoolError::exhausted};
    }
    PacketBuffer* buffer = m_free.back();
    m_free.pop_back();
    buffer->m_start = m_headroom;
    buffer->m_size = 0;
    ++m_allocations;
    return Packet{buffer, this};
}

void PacketPool::release(PacketBuffer* buffer) {
    // A Packet releases its buffer exactly once, so the stack cannot overflow
    // (and so push_back stays within the reserved capacity).
    OASIS_ASSERT(m_free.size() < m_count);
    m_free.push_back(buffer);
}

}  // namespace oasis
