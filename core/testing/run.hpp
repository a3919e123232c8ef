// Runs a task on a scheduler to its end and hands back its value, for tests.
#pragma once

#include <optional>
#include <utility>

#include "core/panic.hpp"
#include "core/scheduler.hpp"
#include "core/task.hpp"

namespace oasis::testing {

namespace detail {

template <typename T>
Task<int> store_result(Task<T> task, std::optional<T>* out) {
    out->emplace(co_await std::move(task));
    co_return 0;
}

}  // namespace detail

// Runs `task` (and every other task) through Scheduler::run until `task`
// returns; the clock stops there.
template <typename T>
T run_to_end(Scheduler& scheduler, Task<T> task) {
    std::optional<T> result;
    (void)scheduler.run(detail::store_result(std::move(task), &result));
    OASIS_ASSERT(result.has_value());
    return std::move(*result);
}

}  // namespace oasis::testing
