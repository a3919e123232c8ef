// Process: posix_spawnp and waitpid for child programs, execv for `oasis run`.
#include "cli/process.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/format.hpp"

extern char** environ;

namespace oasis::cli {

namespace {

std::vector<char*> argument_vector(const std::vector<std::string>& command) {
    std::vector<char*> words;
    for (const std::string& word : command) {
        words.push_back(const_cast<char*>(word.c_str()));
    }
    words.push_back(nullptr);
    return words;
}

}  // namespace

Result<int, std::string> run_process(const std::vector<std::string>& command) {
    std::vector<char*> words = argument_vector(command);
    pid_t child = 0;
    const int spawned = ::posix_spawnp(&child, words[0], nullptr, nullptr, words.data(), environ);
    if (spawned != 0) {
        return Error{format("{}: {}", command[0], std::strerror(spawned))};
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            return Error{format("waiting for {}: {}", command[0], std::strerror(errno))};
        }
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}

std::string replace_process(const std::vector<std::string>& command) {
    std::vector<char*> words = argument_vector(command);
    ::execv(words[0], words.data());
    return format("{}: {}", command[0], std::strerror(errno));
}

}  // namespace oasis::cli
