// Host-side helpers the TAP benchmarks share: clocks, CPU pinning, child processes, namespaces.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

namespace oasis::bench {

inline double now_seconds() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

inline void pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    (void)sched_setaffinity(0, sizeof set, &set);
}

inline bool run(const std::vector<std::string>& command, bool quiet = false) {
    const pid_t child = fork();
    if (child < 0) {
        return false;
    }
    if (child == 0) {
        if (quiet) {
            const int null = open("/dev/null", O_WRONLY);
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        std::vector<char*> arguments;
        for (const std::string& argument : command) {
            arguments.push_back(const_cast<char*>(argument.c_str()));
        }
        arguments.push_back(nullptr);
        execvp(arguments[0], arguments.data());
        _exit(127);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok && !quiet) {
        std::string text;
        for (const std::string& argument : command) {
            text += argument + " ";
        }
        std::fprintf(stderr, "bench: failed: %s\n", text.c_str());
    }
    return ok;
}

inline bool enter_namespace(const std::string& name) {
    const std::string path = "/var/run/netns/" + name;
    const int descriptor = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) {
        return false;
    }
    const bool ok = setns(descriptor, CLONE_NEWNET) == 0;
    close(descriptor);
    return ok;
}

inline void stop_child(pid_t& child) {
    if (child <= 0) {
        return;
    }
    kill(child, SIGTERM);
    for (int i = 0; i < 100; ++i) {
        if (waitpid(child, nullptr, WNOHANG) == child) {
            child = -1;
            return;
        }
        usleep(20'000);
    }
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    child = -1;
}

}  // namespace oasis::bench
