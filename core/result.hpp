// Result<T, E>: a value or an error, the way every fallible Oasis call reports failure.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/panic.hpp"

namespace oasis {

// Wraps an error value so that `return Error{e};` converts into any Result<T, E>.
template <typename E>
struct Error {
    E value;
};
template <typename E>
Error(E) -> Error<E>;

// A value of type T or an error of type E (usually a small enum class).
// Contract: value() on an error and error() on a value are broken invariants
// and panic; check has_value() first or propagate with TRY / CO_TRY.
template <typename T, typename E>
class [[nodiscard]] Result {
public:
    using ValueType = T;
    using ErrorType = E;

    template <typename U = T>
    requires std::is_constructible_v<T, U&&> &&(!std::is_same_v<std::remove_cvref_t<U>, Result>)&&(
        !std::is_same_v<std::remove_cvref_t<U>, Error<E>>)Result(U&& value)
        : m_storage(std::in_place_index<0>, std::forward<U>(value)) {}

    template <typename F>
    requires std::is_constructible_v<E, F&&> Result(Error<F> error)
        : m_storage(std::in_place_index<1>, std::move(error.value)) {}

    bool has_value() const { return m_storage.index() == 0; }
    bool is_error() const { return !has_value(); }
    explicit operator bool() const { return has_value(); }

    T& value() & {
        check_value();
        return *std::get_if<0>(&m_storage);
    }
    const T& value() const& {
        check_value();
        return *std::get_if<0>(&m_storage);
    }
    T&& value() && {
        check_value();
        return std::move(*std::get_if<0>(&m_storage));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    template <typename U>
    T value_or(U&& fallback) const& {
        return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
    }

    const E& error() const {
        if (has_value()) {
            panic("Result::error() called on a value");
        }
        return *std::get_if<1>(&m_storage);
    }

    // Used by TRY: the error, rewrapped for a caller with another value type.
    Error<E> release_error() const { return Error<E>{error()}; }
    T release_value() { return std::move(value()); }

private:
    void check_value() const {
        if (!has_value()) {
            panic("Result::value() called on an error");
        }
    }

    std::variant<T, E> m_storage;
};

// Result<void, E>: success carries nothing.
template <typename E>
class [[nodiscard]] Result<void, E> {
public:
    using ValueType = void;
    using ErrorType = E;

    Result() = default;
    template <typename F>
    requires std::is_constructible_v<E, F&&> Result(Error<F> error)
        : m_error(std::move(error.value)) {}

    bool has_value() const { return !m_error.has_value(); }
    bool is_error() const { return m_error.has_value(); }
    explicit operator bool() const { return has_value(); }

    void value() const {
        if (is_error()) {
            panic("Result::value() called on an error");
        }
    }
    const E& error() const {
        if (has_value()) {
            panic("Result::error() called on a value");
        }
        return *m_error;
    }
    Error<E> release_error() const { return Error<E>{error()}; }
    void release_value() {}

private:
    std::optional<E> m_error;
};

}  // namespace oasis

// TRY(expr): evaluates a Result; on error returns the error from the enclosing
// function, otherwise yields the value. CO_TRY is the same for coroutines.
// Both use a GNU statement expression (GCC and Clang), as SerenityOS does.
#define TRY(expression)                               \
    ({                                                \
        auto&& oasis_try_result_ = (expression);      \
        if (oasis_try_result_.is_error()) {           \
            return oasis_try_result_.release_error(); \
        }                                             \
        oasis_try_result_.release_value();            \
    })

#define CO_TRY(expression)                               \
    ({                                                   \
        auto&& oasis_try_result_ = (expression);         \
        if (oasis_try_result_.is_error()) {              \
            co_return oasis_try_result_.release_error(); \
        }                                                \
        oasis_try_result_.release_value();               \
    })
