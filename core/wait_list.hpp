// Waiter and WaitList: the intrusive links by which suspended coroutines are woken.
#pragma once

#include <coroutine>
#include <cstddef>

#include "core/panic.hpp"

namespace oasis {

class WaitList;

// One suspended coroutine waiting for something. A Waiter lives inside an
// awaiter, which lives in the suspended coroutine's frame, so waiting never
// allocates. It is linked into at most one list at a time: a wait list (an
// event's, a timer's, a channel's) or the scheduler's run queue.
//
// Cancellation is destruction: destroying a suspended coroutine frame destroys
// its awaiters, and a Waiter unlinks itself from whatever list holds it, so no
// list ever points at a dead frame.
class Waiter {
public:
    Waiter() = default;
    explicit Waiter(std::coroutine_handle<> handle) : m_handle(handle) {}
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;
    ~Waiter() { unlink(); }

    std::coroutine_handle<> handle() const { return m_handle; }
    void set_handle(std::coroutine_handle<> handle) { m_handle = handle; }
    bool is_linked() const { return m_list != nullptr; }
    inline void unlink();

private:
    friend class WaitList;
    std::coroutine_handle<> m_handle;
    Waiter* m_previous = nullptr;
    Waiter* m_next = nullptr;
    WaitList* m_list = nullptr;
};

// A FIFO of waiters, doubly linked through the waiters themselves.
class WaitList {
public:
    WaitList() = default;
    WaitList(const WaitList&) = delete;
    WaitList& operator=(const WaitList&) = delete;
    // Waiters still linked are detached, not woken: they stay suspended until
    // their frames are destroyed. Owners wake their waiters before dying.
    ~WaitList() {
        while (pop_front() != nullptr) {
        }
    }

    bool empty() const { return m_head == nullptr; }
    std::size_t size() const { return m_size; }

    void push_back(Waiter& waiter) {
        OASIS_ASSERT(!waiter.is_linked());
        waiter.m_list = this;
        waiter.m_previous = m_tail;
        waiter.m_next = nullptr;
        if (m_tail != nullptr) {
            m_tail->m_next = &waiter;
        } else {
            m_head = &waiter;
        }
        m_tail = &waiter;
        ++m_size;
    }

    // Unlinks and returns the oldest waiter, or nullptr when empty.
    Waiter* pop_front() {
        Waiter* waiter = m_head;
        if (waiter != nullptr) {
            remove(*waiter);
        }
        return waiter;
    }

    void remove(Waiter& waiter) {
        OASIS_ASSERT(waiter.m_list == this);
        if (waiter.m_previous != nullptr) {
            waiter.m_previous->m_next = waiter.m_next;
        } else {
            m_head = waiter.m_next;
        }
        if (waiter.m_next != nullptr) {
            waiter.m_next->m_previous = waiter.m_previous;
        } else {
            m_tail = waiter.m_previous;
        }
        waiter.m_previous = nullptr;
        waiter.m_next = nullptr;
        waiter.m_list = nullptr;
        --m_size;
    }

private:
    Waiter* m_head = nullptr;
    Waiter* m_tail = nullptr;
    std::size_t m_size = 0;
};

void Waiter::unlink() {
    if (m_list != nullptr) {
        m_list->remove(*this);
    }
}

}  // namespace oasis
