// Boot on the unix target: parse the command line, bind devices, run the loop.
#include "targets/unix/boot.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/format.hpp"
#include "core/log.hpp"
#include "core/panic.hpp"
#include "net/fault/fault_spec.hpp"
#include "targets/unix/directory_kv.hpp"
#include "targets/unix/entropy.hpp"
#include "targets/unix/file_block.hpp"
#include "targets/unix/tap.hpp"

namespace oasis::unix_target {

namespace {

constinit LogSource log{"unix.boot"};

void write_to_stderr(std::string_view text) {
    while (!text.empty()) {
        const ssize_t written = ::write(STDERR_FILENO, text.data(), text.size());
        if (written <= 0) {
            return;  // nowhere left to report to
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
}

// abort() rather than exit(): a core dump or a debugger shows where it was.
[[noreturn]] void report_panic_and_abort(std::string_view message) {
    write_to_stderr(format("PANIC: {}\n", message));
    std::abort();
}

void log_to_stderr(LogLevel level, std::string_view source, std::string_view line) {
    write_to_stderr(format_log_line(monotonic_now() - Instant{}, level, source, line));
    write_to_stderr("\n");
}

// A device opened by Boot::start(); asking for any other is a bug in main.
template <typename Map>
auto& opened_device(Map& devices, std::string_view kind, std::string_view name) {
    auto found = devices.find(name);
    if (found == devices.end()) {
        panic(format("no {} device '{}': not declared, or Boot::start() not called", kind, name));
    }
    return *found->second;
}

Result<void, std::string> validate_fault_spec(std::string_view text) {
    if (auto spec = net::parse_fault_spec(text); spec.is_error()) {
        return Error{std::move(spec.error())};
    }
    return {};
}

}  // namespace

Boot::Boot(int argc, char** argv) : m_program(argc > 0 ? argv[0] : "unikernel") {
    set_panic_handler(report_panic_and_abort);
    set_log_sink(log_to_stderr);
    for (int i = 1; i < argc; ++i) {
        m_command_line.emplace_back(argv[i]);
    }
    declare_log_argument(m_arguments);
    m_arguments.declare_custom(
        "net-faults", "SPEC", "",
        "faults on every net device, e.g. loss=3%,reorder=10%,delay=5ms,seed=42; applied "
        "outside the --pcap capture, which shows what crossed the host link",
        validate_fault_spec);
    m_arguments.declare_string(
        "pcap", "",
        "capture every frame of the net devices, both ways, into this pcap file (FILE.NAME for "
        "each device when there are several)");

    dev::Random::Seed seed;
    if (auto filled = fill_from_host_entropy(seed); filled.is_error()) {
        panic("cannot read entropy from the host (getrandom failed)");
    }
    m_random = std::make_unique<dev::Random>(seed);
}

Boot::~Boot() = default;

void Boot::declare_device(DeviceKind kind, std::string_view name) {
    auto [where, inserted] =
        m_bindings.try_emplace(std::string{name}, Binding{kind, {}, false, {}, {}});
    if (!inserted) {
        panic(format("device name '{}' declared twice", name));
    }
}

void Boot::declare_net(std::string_view name) {
    declare_device(DeviceKind::net, name);
}
void Boot::declare_net_socket(std::string_view name) {
    declare_device(DeviceKind::net, name);
    m_bindings.find(name)->second.socket = true;
}
void Boot::declare_block(std::string_view name) {
    declare_device(DeviceKind::block, name);
}
void Boot::declare_kv(std::string_view name) {
    declare_device(DeviceKind::kv, name);
}

std::optional<int> Boot::start() {
    std::vector<std::string_view> words(m_command_line.begin(), m_command_line.end());
    if (auto parsed = m_arguments.parse(words); parsed.is_error()) {
        if (parsed.error().kind == ArgumentErrorKind::help_requested) {
            std::string help = m_arguments.help_text(m_program);
            if (!m_bindings.empty()) {
                help += "\nDevices (bound the same way on every target):\n";
            }
            for (const auto& [name, binding] : m_bindings) {
                if (binding.socket) {
                    format_to(help,
                              "  --forward:{}=HOSTPORT:GUESTPORT  (127.0.0.1:HOSTPORT reaches the "
                              "app's GUESTPORT; repeatable)\n"
                              "  --host-port:{}=PORT  (the app's connections to its gateway's PORT "
                              "reach 127.0.0.1:PORT; repeatable)\n",
                              name, name);
                    continue;
                }
                format_to(help, "  --{}:{}={}\n", kind_name(binding.kind), name,
                          resource_placeholder(binding.kind));
            }
            m_console.write(help);
            return 0;
        }
        write_to_stderr(format("{}: {}\n", m_program, parsed.error().message));
        return exit_usage;
    }
    apply_log_argument(m_arguments);
    std::optional<std::string> problem = bind_devices();
    if (!problem) {
        problem = open_devices();
    }
    if (problem) {
        write_to_stderr(format("{}: {}\n", m_program, *problem));
        return exit_usage;
    }
    return std::nullopt;
}

// `--KIND:NAME=RESOURCE`, checked against what the unikernel declared.
std::optional<std::string> Boot::bind_devices() {
    for (const std::string& argument : m_arguments.device_arguments()) {
        std::string_view text = argument;
        text.remove_prefix(2);  // "--"
        const std::size_t colon = text.find(':');
        const std::size_t equals = text.find('=');
        if (equals == std::string_view::npos || equals < colon) {
            return format("{}: a device binding needs a host resource (--KIND:NAME=RESOURCE)",
                          argument);
        }
        const std::string_view kind = text.substr(0, colon);
        const std::string_view name = text.substr(colon + 1, equals - colon - 1);
        const std::string_view resource = text.substr(equals + 1);
        auto found = m_bindings.find(name);
        if (found == m_bindings.end()) {
            std::string declared;
            for (const auto& [declared_name, binding] : m_bindings) {
                format_to(declared, "{}{} '{}'", declared.empty() ? "" : ", ",
                          kind_name(binding.kind), declared_name);
            }
            return format("{}: this unikernel has no device named '{}' (it declares: {})", argument,
                          name, declared.empty() ? "no devices" : declared);
        }
        if (kind == "forward" || kind == "host-port" || found->second.socket) {
            if (auto problem = bind_socket_option(argument, kind, name, found->second, resource)) {
                return problem;
            }
            continue;
        }
        if (kind != kind_name(found->second.kind)) {
            return format("{}: device '{}' is a {} device, not {}", argument, name,
                          kind_name(found->second.kind), kind);
        }
        if (resource.empty()) {
            return format("{}: empty host resource", argument);
        }
        found->second.host_resource = std::string{resource};
    }
    for (const auto& [name, binding] : m_bindings) {
        if (binding.host_resource.empty() && !binding.socket) {
            return format("{} device '{}' is not bound: give --{}:{}={}", kind_name(binding.kind),
                          name, kind_name(binding.kind), name, resource_placeholder(binding.kind));
        }
    }
    return std::nullopt;
}

// --forward:NAME=HOSTPORT:GUESTPORT and --host-port:NAME=PORT, for a socket net.
std::optional<std::string> Boot::bind_socket_option(std::string_view argument,
                                                    std::string_view kind, std::string_view name,
                                                    Binding& binding, std::string_view resource) {
    if (!binding.socket) {
        return format(
            "{}: device '{}' is not a net device over the host's sockets ({} needs "
            "`oasis configure --net=socket`)",
            argument, name, kind);
    }
    if (kind == "forward") {
        auto forward = parse_port_forward(resource);
        if (forward.is_error()) {
            return format("{}: {}", argument, forward.error());
        }
        binding.forwards.push_back(forward.value());
    } else if (kind == "host-port") {
        auto port = parse_host_port(resource);
        if (port.is_error()) {
            return format("{}: {}", argument, port.error());
        }
        binding.host_ports.push_back(port.value());
    } else {
        return format(
            "{}: this net device uses the host's sockets (configured with --net=socket); bind "
            "it with --forward:NAME=HOSTPORT:GUESTPORT or --host-port:NAME=PORT",
            argument);
    }
    return std::nullopt;
}

std::optional<std::string> Boot::open_socket_net(const std::string& name, const Binding& binding) {
    if (!m_arguments.text("pcap").empty() || !m_arguments.text("net-faults").empty()) {
        return format(
            "net device '{}' uses the host's sockets: --pcap and --net-faults need a TAP "
            "device (--net=direct)",
            name);
    }
    net::StackConfig parsed;
    if (m_arguments.is_declared("ipv4")) {
        auto given = net::stack_config_from(m_arguments);
        if (given.is_error()) {
            return std::move(given.error());
        }
        parsed = given.value();
    }
    auto config = socket_stack_config(parsed);
    if (config.is_error()) {
        return std::move(config.error());
    }
    auto network =
        SocketNetwork::open(m_platform, *m_random,
                            SocketNetConfig{config.value(), binding.forwards, binding.host_ports});
    if (network.is_error()) {
        return format("net device '{}': {}", name, network.error());
    }
    log.info("net device '{}': the host's sockets, app {} via gateway {}", name,
             *config.value().address, *config.value().gateway);
    // The bound ports: a HOSTPORT of 0 is the kernel's choice, which scripts read here.
    const std::vector<std::uint16_t> ports = network.value()->listening_ports();
    for (std::size_t index = 0; index < ports.size(); ++index) {
        log.info("net device '{}': 127.0.0.1:{} -> app port {}", name, ports[index],
                 binding.forwards[index].guest_port);
    }
    m_socket_configs.emplace(name, config.value());
    m_socket_nets.emplace(name, std::move(network.value()));
    return std::nullopt;
}

std::optional<std::string> Boot::open_devices() {
    for (const auto& [name, binding] : m_bindings) {
        const std::string& resource = binding.host_resource;
        switch (binding.kind) {
            case DeviceKind::net: {
                if (binding.socket) {
                    if (auto problem = open_socket_net(name, binding)) {
                        return problem;
                    }
                    break;
                }
                auto device = TapDevice::open(m_platform, resource);
                if (device.is_error()) {
                    return format("--net:{}={}: {}", name, resource, device.error());
                }
                auto wrapped = wrap_net(name, std::move(device.value()));
                if (wrapped.is_error()) {
                    return std::move(wrapped.error());
                }
                m_nets.emplace(name, std::move(wrapped.value()));
                break;
            }
            case DeviceKind::block: {
                auto device = FileBlockDevice::open(resource, BlockAccess::read_write);
                if (device.is_error()) {
                    return format("--block:{}={}: {}", name, resource, device.error());
                }
                m_blocks.emplace(name, std::move(device.value()));
                break;
            }
            case DeviceKind::kv: {
                auto store = DirectoryKeyValueStore::open(resource);
                if (store.is_error()) {
                    return format("--kv:{}={}: {}", name, resource, store.error());
                }
                m_kvs.emplace(name, std::move(store.value()));
                break;
            }
        }
    }
    return std::nullopt;
}

// --net-faults and --pcap, around one net device.
Result<std::unique_ptr<NetMiddleware>, std::string> Boot::wrap_net(
    std::string_view name, std::unique_ptr<dev::NetDevice> device) {
    // parse() has validated the spec, so this cannot fail.
    const net::FaultSpec faults = net::parse_fault_spec(m_arguments.text("net-faults")).value();
    std::string pcap_path = m_arguments.string_value("pcap");
    const auto net_count = std::ranges::count_if(
        m_bindings, [](const auto& entry) { return entry.second.kind == DeviceKind::net; });
    if (!pcap_path.empty() && net_count > 1) {
        format_to(pcap_path, ".{}", name);
    }
    auto wrapped = NetMiddleware::wrap(std::move(device), faults, pcap_path);
    if (wrapped.is_error()) {
        return Error{format("--pcap={}: {}", m_arguments.string_value("pcap"), wrapped.error())};
    }
    if (!faults.is_transparent()) {
        log.info("net device '{}': faults {}", name, net::format_fault_spec(faults));
    }
    return wrapped;
}

std::string_view Boot::kind_name(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::net:
            return "net";
        case DeviceKind::block:
            return "block";
        case DeviceKind::kv:
            return "kv";
    }
    return "?";
}

std::string_view Boot::resource_placeholder(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::net:
            return "TAP";
        case DeviceKind::block:
            return "FILE";
        case DeviceKind::kv:
            return "DIRECTORY";
    }
    return "?";
}

dev::NetDevice& Boot::net(std::string_view name) {
    if (auto socket = m_socket_nets.find(name); socket != m_socket_nets.end()) {
        return socket->second->app_device();
    }
    return opened_device(m_nets, "net", name).device();
}

const net::StackConfig& Boot::net_socket_config(std::string_view name) {
    auto found = m_socket_configs.find(name);
    if (found == m_socket_configs.end()) {
        panic(
            format("no socket net device '{}': not declared with declare_net_socket, or "
                   "Boot::start() not called",
                   name));
    }
    return found->second;
}
dev::BlockDevice& Boot::block(std::string_view name) {
    return opened_device(m_blocks, "block", name);
}
dev::KeyValueStore& Boot::kv(std::string_view name) {
    return opened_device(m_kvs, "kv", name);
}

int Boot::run(Task<int> main) {
    for (auto& [name, network] : m_socket_nets) {
        network->start();
    }
    const int status = m_scheduler.run(std::move(main));
    // While the scheduler lives: the gateway's stack stops through it.
    for (auto& [name, network] : m_socket_nets) {
        network->stop();
    }
    return status;
}

}  // namespace oasis::unix_target
