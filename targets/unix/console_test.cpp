// Tests of UnixConsole: whole writes, through short writes, to a descriptor or stdout.
#include "targets/unix/console.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>
#include <thread>

#include "targets/unix/test_support.hpp"
#include "targets/unix/unique_fd.hpp"

namespace oasis::unix_target {
namespace {

using testing::Pipe;

std::string read_all(int fd) {
    std::string text;
    std::array<char, 4096> chunk;
    for (;;) {
        const ssize_t got = ::read(fd, chunk.data(), chunk.size());
        if (got <= 0) {
            return text;
        }
        text.append(chunk.data(), static_cast<std::size_t>(got));
    }
}

TEST(UnixConsole, WritesTextToItsDescriptor) {
    Pipe pipe;
    UnixConsole console{pipe.write_end.get()};
    console.write("Hello ");
    console.write("World!\n");
    console.write("");
    pipe.write_end.reset();
    EXPECT_EQ(read_all(pipe.read_end.get()), "Hello World!\n");
    EXPECT_EQ(console.dropped_bytes(), 0u);
}

// A pipe holds 64 KiB: a 1 MiB write goes through in many partial writes
// while a reader drains the other end.
TEST(UnixConsole, ContinuesShortWrites) {
    Pipe pipe;
    std::string text;
    for (int i = 0; text.size() < (1u << 20); ++i) {
        text += "line " + std::to_string(i) + "\n";
    }
    std::string received;
    std::thread reader{[&] { received = read_all(pipe.read_end.get()); }};
    UnixConsole console{pipe.write_end.get()};
    console.write(text);
    pipe.write_end.reset();
    reader.join();
    EXPECT_EQ(received, text);
}

// A non-blocking descriptor that stays full: the console gives up after its
// stall limit instead of hanging, and counts what it dropped.
TEST(UnixConsole, DropsAndCountsWhenANonBlockingDescriptorStaysFull) {
    Pipe pipe{O_CLOEXEC | O_NONBLOCK};
    const int capacity = ::fcntl(pipe.write_end.get(), F_GETPIPE_SZ);
    ASSERT_GT(capacity, 0);
    UnixConsole console{pipe.write_end.get()};
    const std::string text(static_cast<std::size_t>(capacity) + 100, 'z');
    console.write(text);
    EXPECT_EQ(console.dropped_bytes(), 100u);
}

TEST(UnixConsole, DefaultsToStandardOutput) {
    Pipe pipe;
    std::fflush(stdout);
    UniqueFd saved{::dup(STDOUT_FILENO)};
    ASSERT_TRUE(saved.valid());
    ASSERT_EQ(::dup2(pipe.write_end.get(), STDOUT_FILENO), STDOUT_FILENO);
    UnixConsole console;
    console.write("to stdout\n");
    ASSERT_EQ(::dup2(saved.get(), STDOUT_FILENO), STDOUT_FILENO);
    pipe.write_end.reset();
    EXPECT_EQ(console.fd(), STDOUT_FILENO);
    EXPECT_EQ(read_all(pipe.read_end.get()), "to stdout\n");
}

}  // namespace
}  // namespace oasis::unix_target
