// Channel<T>: a bounded FIFO between coroutines, with backpressure both ways.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "core/scheduler.hpp"

namespace oasis {

enum class ChannelError {
    closed,  // no more values will come (receive) or be accepted (send)
    full,    // try_send only
    empty,   // try_receive only
};

// Holds at most `capacity` values. send() waits while full, receive() waits
// while empty; close() wakes everyone: later sends fail, receives drain what
// is left and then fail.
template <typename T>
class Channel {
public:
    explicit Channel(std::size_t capacity) : m_slots(capacity) { OASIS_ASSERT(capacity > 0); }
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;
    ~Channel() { close(); }

    std::size_t capacity() const { return m_slots.size(); }
    std::size_t size() const { return m_count; }
    bool is_closed() const { return m_closed; }

    Result<void, ChannelError> try_send(T value) {
        if (m_closed) {
            return Error{ChannelError::closed};
        }
        if (m_count == m_slots.size()) {
            return Error{ChannelError::full};
        }
        m_slots[(m_head + m_count) % m_slots.size()].emplace(std::move(value));
        ++m_count;
        wake_one(m_receivers);
        return {};
    }

    Result<T, ChannelError> try_receive() {
        if (m_count == 0) {
            return Error{m_closed ? ChannelError::closed : ChannelError::empty};
        }
        T value = std::move(*m_slots[m_head]);
        m_slots[m_head].reset();
        m_head = (m_head + 1) % m_slots.size();
        --m_count;
        wake_one(m_senders);
        return value;
    }

    // Waits for room, woken by a receive or by close().
    Task<Result<void, ChannelError>> send(T value) {
        while (m_count == m_slots.size() && !m_closed) {
            co_await wait_on(m_senders);
        }
        co_return try_send(std::move(value));
    }

    // Waits for a value, woken by a send or by close().
    Task<Result<T, ChannelError>> receive() {
        while (m_count == 0 && !m_closed) {
            co_await wait_on(m_receivers);
        }
        co_return try_receive();
    }

    void close() {
        m_closed = true;
        wake_all(m_senders);
        wake_all(m_receivers);
    }

private:
    static void wake_one(WaitList& list) {
        if (!list.empty()) {
            Scheduler::current().wake_one(list);
        }
    }
    static void wake_all(WaitList& list) {
        if (!list.empty()) {
            Scheduler::current().wake_all(list);
        }
    }

    std::vector<std::optional<T>> m_slots;
    std::size_t m_head = 0;
    std::size_t m_count = 0;
    bool m_closed = false;
    WaitList m_senders;
    WaitList m_receivers;
};

}  // namespace oasis
