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
#include "net/stack.hpp"
#include "targets/unix/clock.hpp"
#include "targets/unix/console.hpp"
#include "targets/unix/net_middleware.hpp"
#include "targets/unix/platform.hpp"
#include "targets/unix/socket_net.hpp"

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
//
// A net device declared with declare_net_socket() is no TAP: it is the app's
// port on an in-process switch whose gateway splices TCP to host sockets on
// 127.0.0.1 (see SocketNetwork), bound with `--forward:NAME=HOSTPORT:GUESTPORT`
// and `--host-port:NAME=PORT` (each repeatable, each optional). The app's
// Stack takes net_socket_config(NAME), from --ipv4 and --ipv4-gateway or
// QEMU user networking's defaults.
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
    // A net device over the host's sockets (--net=socket). Its app's Stack
    // must read --ipv4 and --ipv4-gateway (net::declare_stack_arguments).
    void declare_net_socket(std::string_view name);
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
    // The configuration of the app's Stack on a declare_net_socket() device.
    const net::StackConfig& net_socket_config(std::string_view name);

    // Runs the unikernel's main task to its end; returns its exit status.
    int run(Task<int> main);

private:
    enum class DeviceKind { net, block, kv };
    struct Binding {
        DeviceKind kind;
        std::string host_resource;  // empty until bound on the command line
        // declare_net_socket(): bound by forwards and host ports instead.
        bool socket = false;
        std::vector<PortForward> forwards;
        std::vector<std::uint16_t> host_ports;
    };

    std::optional<std::string> bind_devices();
    std::optional<std::string> bind_socket_option(std::string_view argument, std::string_view kind,
                                                  std::string_view name, Binding& binding,
                                                  std::string_view resource);
    std::optional<std::string> open_devices();
    std::optional<std::string> open_socket_net(const std::string& name, const Binding& binding);
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
    std::map<std::string, std::unique_ptr<SocketNetwork>, std::less<>> m_socket_nets;
    std::map<std::string, net::StackConfig, std::less<>> m_socket_configs;
    // Last, so it is destroyed first: the tasks it cancels may still touch
    // the devices above.
    Scheduler m_scheduler{m_platform};
};

}  // namespace oasis::unix_target
