// Helpers for the unix target's tests: running one task to completion, temporary directories.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "core/scheduler.hpp"
#include "core/task.hpp"
#include "targets/unix/platform.hpp"
#include "targets/unix/unique_fd.hpp"

namespace oasis::unix_target::testing {

template <typename T>
Task<void> store_result(Task<T> task, std::optional<T>* out) {
    out->emplace(co_await std::move(task));
}

// Runs `task` on a fresh scheduler over a UnixPlatform until nothing is left
// to do, and returns its value. A task that never finishes fails the test
// (and the caller gets the value of a panic: none, the process stops).
template <typename T>
T run_task(Task<T> task) {
    UnixPlatform platform;
    Scheduler scheduler{platform};
    std::optional<T> result;
    (void)scheduler.spawn(store_result(std::move(task), &result));
    scheduler.run_until_idle();
    if (!result.has_value()) {
        ADD_FAILURE() << "the task did not finish";
        oasis::panic("run_task: the task did not finish");
    }
    return std::move(*result);
}

// A pipe whose two ends close themselves.
struct Pipe {
    explicit Pipe(int flags = O_CLOEXEC) {
        std::array<int, 2> fds{};
        if (::pipe2(fds.data(), flags) != 0) {
            oasis::panic("pipe2 failed");
        }
        read_end.reset(fds[0]);
        write_end.reset(fds[1]);
    }
    UniqueFd read_end;
    UniqueFd write_end;
};

// A fresh directory under $TMPDIR (or /tmp), removed with all it holds when
// the object is destroyed.
class TemporaryDirectory {
public:
    TemporaryDirectory() {
        const char* base = ::getenv("TMPDIR");
        std::string pattern = std::string{base != nullptr ? base : "/tmp"} + "/oasis-test-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) {
            oasis::panic("mkdtemp failed");
        }
        m_path = pattern;
    }
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
    ~TemporaryDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }

    const std::string& path() const { return m_path; }
    std::string operator/(std::string_view name) const { return m_path + "/" + std::string{name}; }

private:
    std::string m_path;
};

}  // namespace oasis::unix_target::testing
