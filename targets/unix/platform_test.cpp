// Tests of UnixPlatform: the scheduler woken by descriptors and by deadlines.
#include "targets/unix/platform.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/scheduler.hpp"
#include "core/wait_list.hpp"
#include "targets/unix/test_support.hpp"

namespace oasis::unix_target {
namespace {

using testing::Pipe;

void write_byte(int fd, char value) {
    ASSERT_EQ(::write(fd, &value, 1), 1);
}

// Waits on `readable` until the pipe gives a byte, then records it.
Task<void> read_one(int fd, WaitList* readable, std::vector<char>* log) {
    for (;;) {
        char value = 0;
        if (::read(fd, &value, 1) == 1) {
            log->push_back(value);
            co_return;
        }
        co_await wait_on(*readable);  // woken by the pipe's handler, from poll()
    }
}

Task<void> write_after(Duration delay, int fd, char value) {
    co_await sleep_for(delay);
    write_byte(fd, value);
}

TEST(UnixPlatform, PollWakesATaskWhenAPipeBecomesReadable) {
    UnixPlatform platform;
    Scheduler scheduler{platform};
    Pipe pipe{O_CLOEXEC | O_NONBLOCK};
    WaitList readable;
    std::uint32_t seen_events = 0;
    ASSERT_TRUE(platform
                    .add_source(pipe.read_end.get(), EPOLLIN,
                                [&](std::uint32_t events) {
                                    seen_events |= events;
                                    scheduler.wake_all(readable);
                                })
                    .has_value());
    EXPECT_TRUE(platform.has_event_sources());

    std::vector<char> log;
    JoinHandle reader = scheduler.spawn(read_one(pipe.read_end.get(), &readable, &log));
    (void)scheduler.spawn(write_after(20ms, pipe.write_end.get(), 'x'));
    const Instant start = platform.now();
    while (!reader.finished() && platform.now() - start < 5s) {
        scheduler.run_until_idle();
    }
    EXPECT_TRUE(reader.finished());
    EXPECT_EQ(log, std::vector<char>{'x'});
    EXPECT_NE(seen_events & EPOLLIN, 0u);
    EXPECT_GE(platform.now() - start, 20ms);
    platform.remove_source(pipe.read_end.get());
    EXPECT_FALSE(platform.has_event_sources());
}

// With only a descriptor to wait for and no timer, Scheduler::run blocks in
// epoll with no deadline until another thread makes the pipe readable.
TEST(UnixPlatform, RunBlocksInPollWithoutADeadline) {
    UnixPlatform platform;
    Scheduler scheduler{platform};
    Pipe pipe{O_CLOEXEC | O_NONBLOCK};
    WaitList readable;
    ASSERT_TRUE(platform
                    .add_source(pipe.read_end.get(), EPOLLIN,
                                [&](std::uint32_t) { scheduler.wake_all(readable); })
                    .has_value());
    std::vector<char> log;
    auto main = [](int fd, WaitList* list, std::vector<char>* out) -> Task<int> {
        co_await read_one(fd, list, out);
        co_return 7;
    };
    // Taken before the writer starts: it writes 20 ms after this at the earliest.
    const Instant start = platform.now();
    std::thread writer{[fd = pipe.write_end.get()] {
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
        write_byte(fd, 'y');
    }};
    EXPECT_EQ(scheduler.run(main(pipe.read_end.get(), &readable, &log)), 7);
    writer.join();
    EXPECT_EQ(log, std::vector<char>{'y'});
    EXPECT_GE(platform.now() - start, 20ms);
    EXPECT_GE(scheduler.stats().polls, 1u);
    platform.remove_source(pipe.read_end.get());
}

TEST(UnixPlatform, PollHonoursItsDeadline) {
    UnixPlatform platform;
    Pipe pipe{O_CLOEXEC | O_NONBLOCK};  // a source that never becomes ready
    ASSERT_TRUE(
        platform.add_source(pipe.read_end.get(), EPOLLIN, [](std::uint32_t) {}).has_value());

    const Instant start = platform.now();
    platform.poll(start + 30ms);
    const Duration waited = platform.now() - start;
    EXPECT_GE(waited, 30ms);
    EXPECT_LT(waited, 1s);

    // A deadline in the past polls without blocking.
    const Instant before = platform.now();
    platform.poll(before - 1s);
    EXPECT_LT(platform.now() - before, 500ms);  // generous: CI machines are loaded
    platform.remove_source(pipe.read_end.get());
}

TEST(UnixPlatform, SleepForWaitsAtLeastItsDuration) {
    UnixPlatform platform;
    Scheduler scheduler{platform};
    auto main = []() -> Task<int> {
        co_await sleep_for(25ms);
        co_return 0;
    };
    const Instant start = platform.now();
    EXPECT_EQ(scheduler.run(main()), 0);
    EXPECT_GE(platform.now() - start, 25ms);
    EXPECT_LT(platform.now() - start, 1s);
}

TEST(UnixPlatform, PollWithNothingToWaitForReturnsAtOnce) {
    UnixPlatform platform;
    EXPECT_FALSE(platform.has_event_sources());
    const Instant start = platform.now();
    platform.poll(std::nullopt);
    EXPECT_LT(platform.now() - start, 500ms);
}

TEST(UnixPlatform, NowIsMonotonic) {
    UnixPlatform platform;
    Instant previous = platform.now();
    for (int i = 0; i < 1000; ++i) {
        const Instant current = platform.now();
        EXPECT_GE(current, previous);
        previous = current;
    }
    EXPECT_GE(previous, Instant{});
}

TEST(UnixPlatform, RegistrationErrors) {
    UnixPlatform platform;
    Pipe pipe{O_CLOEXEC | O_NONBLOCK};
    const auto handler = [](std::uint32_t) {};
    ASSERT_TRUE(platform.add_source(pipe.read_end.get(), EPOLLIN, handler).has_value());
    auto twice = platform.add_source(pipe.read_end.get(), EPOLLIN, handler);
    ASSERT_TRUE(twice.is_error());
    EXPECT_EQ(twice.error().number, EEXIST);

    auto closed = platform.add_source(12345, EPOLLIN, handler);
    ASSERT_TRUE(closed.is_error());
    EXPECT_EQ(closed.error().number, EBADF);
    EXPECT_EQ(closed.error().message(), "epoll_ctl(EPOLL_CTL_ADD): Bad file descriptor");

    auto unknown = platform.modify_source(pipe.write_end.get(), EPOLLOUT);
    ASSERT_TRUE(unknown.is_error());
    EXPECT_EQ(unknown.error().number, ENOENT);
    EXPECT_EQ(platform.source_count(), 1u);
    platform.remove_source(pipe.write_end.get());  // not registered: no-op
    EXPECT_EQ(platform.source_count(), 1u);
    platform.remove_source(pipe.read_end.get());
    EXPECT_EQ(platform.source_count(), 0u);
}

TEST(UnixPlatform, ModifySourceChangesTheEventsReported) {
    UnixPlatform platform;
    Pipe pipe{O_CLOEXEC | O_NONBLOCK};
    int calls = 0;
    std::uint32_t last = 0;
    ASSERT_TRUE(platform
                    .add_source(pipe.write_end.get(), EPOLLIN,
                                [&](std::uint32_t events) {
                                    ++calls;
                                    last = events;
                                })
                    .has_value());
    platform.poll(platform.now());
    EXPECT_EQ(calls, 0);  // a write end is never readable
    ASSERT_TRUE(platform.modify_source(pipe.write_end.get(), EPOLLOUT).has_value());
    platform.poll(platform.now());
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(last & EPOLLOUT, static_cast<std::uint32_t>(EPOLLOUT));
    platform.remove_source(pipe.write_end.get());
}

// A handler that removes itself and another ready source: the removed
// source's pending event must not be delivered, and the running handler must
// survive its own removal.
TEST(UnixPlatform, HandlersMayRemoveSourcesWhileDispatching) {
    UnixPlatform platform;
    Pipe first{O_CLOEXEC | O_NONBLOCK};
    Pipe second{O_CLOEXEC | O_NONBLOCK};
    write_byte(first.write_end.get(), 'a');
    write_byte(second.write_end.get(), 'b');
    int calls = 0;
    const int fds[] = {first.read_end.get(), second.read_end.get()};
    for (int fd : fds) {
        ASSERT_TRUE(platform
                        .add_source(fd, EPOLLIN,
                                    [&platform, &calls, fds, fd](std::uint32_t) {
                                        ++calls;
                                        platform.remove_source(fds[0]);
                                        platform.remove_source(fds[1]);
                                        EXPECT_GE(fd, 0);  // the capture is still alive
                                    })
                        .has_value());
    }
    platform.poll(platform.now());
    EXPECT_EQ(calls, 1);
    EXPECT_FALSE(platform.has_event_sources());
}

}  // namespace
}  // namespace oasis::unix_target
