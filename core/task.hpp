// Task<T>: a lazy coroutine that produces a T, awaited by its caller or spawned.
#pragma once

#include <coroutine>
#include <optional>
#include <utility>

#include "core/panic.hpp"

namespace oasis {

template <typename T>
class Task;

namespace detail {

// What a finished task does: hand control straight to whoever awaited it
// (symmetric transfer, so chains of awaits use no stack), or to nobody.
struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> finished) noexcept {
        std::coroutine_handle<> continuation = finished.promise().continuation;
        return continuation ? continuation : std::noop_coroutine();
    }
    void await_resume() noexcept {}
};

struct PromiseBase {
    std::coroutine_handle<> continuation;

    std::suspend_always initial_suspend() noexcept { return {}; }
    FinalAwaiter final_suspend() noexcept { return {}; }
    // Guest code is built without exceptions; this is never reached there.
    void unhandled_exception() noexcept { panic("exception escaped an Oasis task"); }
};

template <typename T>
struct Promise : PromiseBase {
    std::optional<T> result;

    Task<T> get_return_object() noexcept;
    template <typename U>
    void return_value(U&& value) {
        result.emplace(std::forward<U>(value));
    }
    T take_result() {
        OASIS_ASSERT(result.has_value());
        return std::move(*result);
    }
};

template <>
struct Promise<void> : PromiseBase {
    Task<void> get_return_object() noexcept;
    void return_void() noexcept {}
    void take_result() {}
};

}  // namespace detail

// A coroutine returning T. Lazy: its body starts only when it is awaited (or
// handed to Scheduler::spawn). Owning and move-only: destroying a Task that
// has not finished destroys its frame, which cancels it (see wait_list.hpp).
//
// Contract: a Task is awaited at most once. Coroutines take their parameters
// by value, since a lazy task outlives the caller's temporaries.
template <typename T = void>
class [[nodiscard]] Task {
public:
    using promise_type = detail::Promise<T>;
    using Handle = std::coroutine_handle<promise_type>;

    Task() = default;
    explicit Task(Handle handle) : m_handle(handle) {}
    Task(Task&& other) noexcept : m_handle(std::exchange(other.m_handle, nullptr)) {}
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            reset();
            m_handle = std::exchange(other.m_handle, nullptr);
        }
        return *this;
    }
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    ~Task() { reset(); }

    bool valid() const { return static_cast<bool>(m_handle); }
    bool done() const { return m_handle && m_handle.done(); }
    Handle handle() const { return m_handle; }
    void reset() {
        if (m_handle) {
            std::exchange(m_handle, nullptr).destroy();
        }
    }

    // Awaiting a task starts it; the awaiter resumes when it finishes.
    auto operator co_await() && noexcept {
        struct Awaiter {
            Handle handle;
            bool await_ready() noexcept { return false; }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
                handle.promise().continuation = awaiting;
                return handle;
            }
            T await_resume() { return handle.promise().take_result(); }
        };
        OASIS_ASSERT(m_handle && !m_handle.done());
        return Awaiter{m_handle};
    }

private:
    Handle m_handle;
};

namespace detail {
template <typename T>
Task<T> Promise<T>::get_return_object() noexcept {
    return Task<T>{std::coroutine_handle<Promise<T>>::from_promise(*this)};
}
inline Task<void> Promise<void>::get_return_object() noexcept {
    return Task<void>{std::coroutine_handle<Promise<void>>::from_promise(*this)};
}
}  // namespace detail

}  // namespace oasis
