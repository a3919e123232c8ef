// Host-side helpers the TAP benchmarks share: clocks, CPU pinning, child processes, namespaces.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <initializer_list>
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

// The network of the TAP benchmarks: a client namespace holding the
// unikernel's TAP device and one end of a veth pair, and a peer namespace
// holding the other end, for Linux's own server. Both namespaces are deleted
// when it is destroyed, whatever happened; processes in them must be stopped
// first (declare it before the members that hold them).
struct TapAndVethNetwork {
    std::string client;
    std::string peer;
    bool client_made = false;
    bool peer_made = false;

    // The namespaces are PREFIX-c-PID and PREFIX-s-PID.
    explicit TapAndVethNetwork(const std::string& prefix)
        : client(prefix + "-c-" + std::to_string(getpid())),
          peer(prefix + "-s-" + std::to_string(getpid())) {}
    TapAndVethNetwork(const TapAndVethNetwork&) = delete;
    TapAndVethNetwork& operator=(const TapAndVethNetwork&) = delete;

    ~TapAndVethNetwork() {
        if (client_made) {
            run({"ip", "netns", "del", client}, true);
        }
        if (peer_made) {
            run({"ip", "netns", "del", peer}, true);
        }
    }

    // Makes both namespaces, the TAP device `tap` with the client's
    // `tap_address` ("10.80.0.1/24"), and the veth pair `veth_client` -
    // `veth_peer` with `client_veth_address` and `peer_veth_address`.
    bool build(const std::string& tap, const std::string& tap_address,
               const std::string& veth_client, const std::string& veth_peer,
               const std::string& client_veth_address, const std::string& peer_veth_address) {
        client_made = run({"ip", "netns", "add", client});
        peer_made = client_made && run({"ip", "netns", "add", peer});
        if (!peer_made) {
            return false;
        }
        auto in = [](const std::string& name_space, std::vector<std::string> command) {
            command.insert(command.begin(), {"ip", "netns", "exec", name_space});
            return run(command);
        };
        return in(client, {"ip", "link", "set", "lo", "up"}) &&
               in(peer, {"ip", "link", "set", "lo", "up"}) &&
               in(client, {"ip", "tuntap", "add", "dev", tap, "mode", "tap"}) &&
               in(client, {"ip", "addr", "add", tap_address, "dev", tap}) &&
               in(client, {"ip", "link", "set", tap, "up"}) &&
               in(client, {"ip", "link", "add", veth_client, "type", "veth", "peer", "name",
                           veth_peer, "netns", peer}) &&
               in(client, {"ip", "addr", "add", client_veth_address, "dev", veth_client}) &&
               in(client, {"ip", "link", "set", veth_client, "up"}) &&
               in(peer, {"ip", "addr", "add", peer_veth_address, "dev", veth_peer}) &&
               in(peer, {"ip", "link", "set", veth_peer, "up"});
    }
};

// Whether a TAP benchmark can run here: root, /dev/net/tun, the unikernel
// `binary` (described as `what`) and the host `tools`. Says why not, on
// stdout, prefixed with `name`.
inline bool tap_benchmark_can_run(const char* name, const std::string& binary, const char* what,
                                  std::initializer_list<const char*> tools) {
    if (geteuid() != 0) {
        std::printf("%s: needs root (network namespaces and a TAP device); not run\n", name);
        return false;
    }
    struct stat tun {};
    if (stat("/dev/net/tun", &tun) != 0 || !S_ISCHR(tun.st_mode)) {
        std::printf("%s: no /dev/net/tun; not run\n", name);
        return false;
    }
    if (access(binary.c_str(), X_OK) != 0) {
        std::printf("%s: no %s at %s; not run\n", name, what, binary.c_str());
        return false;
    }
    for (const char* tool : tools) {
        if (!run({"sh", "-c", std::string("command -v ") + tool}, true)) {
            std::printf("%s: %s is not installed; not run\n", name, tool);
            return false;
        }
    }
    return true;
}

}  // namespace oasis::bench
