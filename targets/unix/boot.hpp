// Boot: how a unikernel starts as a Linux process — arguments, devices, the loop.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/arguments.hpp"
#include "core/scheduler.hpp"
#include "dev/block.hpp"
#include "dev/kv.hpp"
#include "dev/net.hpp"
#include "dev/random.hpp"
#include "targets/unix/clock.hpp"
#include "targets/unix/console.hpp"
#include "targets/unix/net_middleware.hpp"
#include "targets/unix/platform.hpp"

namespace oasis::unix_target {

// The exit status for a command line that cannot be used (sysexits.h's
// EX_USAGE), distinct from anything the unikernel itself returns.
constexpr int exit_usage = 64;

// What a unikernel's main does on the unix target (later generated from
// unikernel.toml):
//
//   Boot boot{argc, argv};
//   boot.arguments().declare_unsigned("repeat", 4, "how many times");
//   boot.declare_net("service");
//   if (auto status = boot.start()) return *status;   // --help or a bad line
//   return boot.run(app::start(boot.console(), *boot.net("service"), ...));
//
// Device bindings use the same syntax as oasis-hvt, so a command line
// carries over between targets: `--net:NAME=TAP`, `--block:NAME=FILE`,
// `--kv:NAME=DIRECTORY`. A binding for a name the unikernel did not declare,
// or a declared name left unbound, is refused with a message naming both.
//
// Boot also declares two arguments of its own for every net device:
// `--net-faults=SPEC` (lost, delayed, reordered ... frames; see
// parse_fault_spec) and `--pcap=FILE` (a capture of every frame, both ways).
// The unikernel gets FaultInjecting(Capturing(TAP)), so the capture shows
// what crossed the host link. With several net devices, each one's capture
// goes to FILE.NAME. See NetMiddleware.
class Boot {
public:
    // Installs the panic handler (message on stderr, then abort) and the log
    // sink (stderr, so stdout carries only what the unikernel writes).
    Boot(int argc, char** argv);
    Boot(const Boot&) = delete;
    Boot& operator=(const Boot&) = delete;
    ~Boot();

    ArgumentParser& arguments() { return m_arguments; }
    void declare_net(std::string_view name);
    void declare_block(std::string_view name);
    void declare_kv(std::string_view name);

    // Parses the command line and opens the bound devices. Returns an exit
    // status when the unikernel must not run: 0 after printing --help, or
    // exit_usage after printing what is wrong with the line.
    std::optional<int> start();

    UnixPlatform& platform() { return m_platform; }
    Scheduler& scheduler() { return m_scheduler; }
    dev::Console& console() { return m_console; }
    dev::Clock& clock() { return m_clock; }
    dev::Random& random() { return *m_random; }
    // The devices opened by start(); the name must have been declared.
    dev::NetDevice& net(std::string_view name);
    dev::BlockDevice& block(std::string_view name);
    dev::KeyValueStore& kv(std::string_view name);

    // Runs the unikernel's main task to its end; returns its exit status.
    int run(Task<int> main);

private:
    enum class DeviceKind { net, block, kv };
    struct Binding {
        DeviceKind kind;
        std::string host_resource;  // empty until bound on the command line
    };

    std::optional<std::string> bind_devices();
    std::optional<std::string> open_devices();
    Result<std::unique_ptr<NetMiddleware>, std::string> wrap_net(
        std::string_view name, std::unique_ptr<dev::NetDevice> device);
    void declare_device(DeviceKind kind, std::string_view name);
    static std::string_view kind_name(DeviceKind kind);
    static std::string_view resource_placeholder(DeviceKind kind);

    std::string m_program;
    std::vector<std::string> m_command_line;
    ArgumentParser m_arguments;
    UnixPlatform m_platform;
    UnixConsole m_console;
    UnixClock m_clock;
    std::unique_ptr<dev::Random> m_random;
    std::map<std::string, Binding, std::less<>> m_bindings;
    std::map<std::string, std::unique_ptr<NetMiddleware>, std::less<>> m_nets;
    std::map<std::string, std::unique_ptr<dev::BlockDevice>, std::less<>> m_blocks;
    std::map<std::string, std::unique_ptr<dev::KeyValueStore>, std::less<>> m_kvs;
    // Last, so it is destroyed first: the tasks it cancels may still touch
    // the devices above.
    Scheduler m_scheduler{m_platform};
};

}  // namespace oasis::unix_target
