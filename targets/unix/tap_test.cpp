// Tests of TapDevice against Linux itself, inside a network namespace the test creates and deletes.
#include "targets/unix/tap.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/packet.hpp"
#include "core/scheduler.hpp"
#include "core/timeout.hpp"
#include "targets/unix/clock.hpp"
#include "targets/unix/platform.hpp"

extern char** environ;

namespace oasis::unix_target {
namespace {

using dev::MacAddress;
using Ipv4 = std::array<std::uint8_t, 4>;

constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_arp = 0x0806;
constexpr Ipv4 host_address{10, 77, 0, 1};       // Linux's side of the TAP
constexpr Ipv4 unikernel_address{10, 77, 0, 2};  // the side this test plays
constexpr MacAddress unikernel_mac{{0x02, 0x00, 0x00, 0x77, 0x00, 0x02}};
constexpr const char* tap_name = "oasistap0";

// ---- host helpers --------------------------------------------------------------

// The full path of `name` on PATH or in the sbin folders, or "" if absent.
std::string find_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string folders = std::string{path != nullptr ? path : ""} + ":/usr/sbin:/sbin:/usr/bin";
    std::istringstream stream{folders};
    std::string folder;
    while (std::getline(stream, folder, ':')) {
        const std::string candidate = folder + "/" + name;
        if (!folder.empty() && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return "";
}

pid_t spawn(const std::vector<std::string>& arguments) {
    std::vector<char*> argv;
    for (const std::string& argument : arguments) {
        argv.push_back(const_cast<char*>(argument.c_str()));
    }
    argv.push_back(nullptr);
    pid_t pid = -1;
    if (::posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
        return -1;
    }
    return pid;
}

// Runs a command to its end; true when it exited with status 0.
bool run(const std::vector<std::string>& arguments) {
    const pid_t pid = spawn(arguments);
    int status = 0;
    return pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

// True when the effective capability set has capability number `bit`.
bool has_capability(int bit) {
    std::ifstream status{"/proc/self/status"};
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("CapEff:", 0) == 0) {
            const std::uint64_t mask = std::strtoull(line.c_str() + 7, nullptr, 16);
            return ((mask >> bit) & 1) != 0;
        }
    }
    return false;
}

// The interface's received-packets counter, from /proc/net/dev, which shows
// the network namespace of the reading thread (unlike /sys, which shows the
// one it was mounted in).
std::optional<std::uint64_t> rx_packets(const std::string& interface) {
    std::ifstream table{"/proc/net/dev"};
    std::string line;
    while (std::getline(table, line)) {
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        std::istringstream name_part{line.substr(0, colon)};
        std::string name;
        name_part >> name;
        if (name == interface) {
            std::istringstream numbers{line.substr(colon + 1)};
            std::uint64_t bytes = 0;
            std::uint64_t packets = 0;
            numbers >> bytes >> packets;
            return packets;
        }
    }
    return std::nullopt;
}

// ---- frames --------------------------------------------------------------------

MacAddress mac_at(ByteView frame, std::size_t offset) {
    MacAddress mac;
    for (std::size_t i = 0; i < 6; ++i) {
        mac.octets[i] = frame.read_u8(offset + i).value_or(0);
    }
    return mac;
}

Ipv4 ipv4_at(ByteView frame, std::size_t offset) {
    Ipv4 address{};
    for (std::size_t i = 0; i < 4; ++i) {
        address[i] = frame.read_u8(offset + i).value_or(0);
    }
    return address;
}

std::uint16_t ethertype(ByteView frame) {
    return frame.read_u16_be(12).value_or(0);
}

// RFC 826: an Ethernet/IPv4 ARP request from Linux asking for our address.
bool is_arp_request_for_us(ByteView frame) {
    return frame.size() >= 42 && ethertype(frame) == ethertype_arp &&
           frame.read_u16_be(20).value() == 1 && ipv4_at(frame, 28) == host_address &&
           ipv4_at(frame, 38) == unikernel_address;
}

// RFC 792: an ICMP echo request from Linux to our address, sent to our MAC.
bool is_echo_request_for_us(ByteView frame) {
    return frame.size() >= 14 + 20 + 8 && ethertype(frame) == ethertype_ipv4 &&
           mac_at(frame, 0) == unikernel_mac && frame.read_u8(14 + 9).value() == 1 &&
           ipv4_at(frame, 14 + 16) == unikernel_address &&
           frame.read_u8(14 + ((frame.read_u8(14).value() & 0x0f) * 4)).value() == 8;
}

// RFC 1071: the ones' complement of the ones' complement sum.
std::uint16_t internet_checksum(ByteView bytes) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
        sum += bytes.read_u16_be(i).value();
    }
    if (bytes.size() % 2 != 0) {
        sum += static_cast<std::uint32_t>(bytes.read_u8(bytes.size() - 1).value()) << 8;
    }
    while (sum > 0xffff) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return static_cast<std::uint16_t>(~sum);
}

void put_mac(MutableByteView frame, std::size_t offset, const MacAddress& mac) {
    for (std::size_t i = 0; i < 6; ++i) {
        (void)frame.write_u8(offset + i, mac.octets[i]);
    }
}

void put_ipv4(MutableByteView frame, std::size_t offset, const Ipv4& address) {
    for (std::size_t i = 0; i < 4; ++i) {
        (void)frame.write_u8(offset + i, address[i]);
    }
}

// RFC 826: "10.77.0.2 is at unikernel_mac", to whoever asked.
Packet arp_reply(PacketPool& pool, ByteView request) {
    Packet packet = std::move(pool.allocate().value());
    const MutableByteView frame = packet->append(42).value();
    const MacAddress asker = mac_at(request, 22);
    put_mac(frame, 0, asker);
    put_mac(frame, 6, unikernel_mac);
    (void)frame.write_u16_be(12, ethertype_arp);
    (void)frame.write_u16_be(14, 1);  // hardware: Ethernet
    (void)frame.write_u16_be(16, ethertype_ipv4);
    (void)frame.write_u8(18, 6);
    (void)frame.write_u8(19, 4);
    (void)frame.write_u16_be(20, 2);  // reply
    put_mac(frame, 22, unikernel_mac);
    put_ipv4(frame, 28, unikernel_address);
    put_mac(frame, 32, asker);
    put_ipv4(frame, 38, host_address);
    return packet;
}

// RFC 792: the echo request turned around in place: addresses swapped (which
// leaves the IPv4 header checksum as it was), type 0, ICMP checksum redone.
Packet echo_reply(Packet request) {
    const MutableByteView frame = request->data();
    const MacAddress asker = mac_at(frame, 6);
    put_mac(frame, 0, asker);
    put_mac(frame, 6, unikernel_mac);
    const Ipv4 source = ipv4_at(frame, 14 + 12);
    put_ipv4(frame, 14 + 12, unikernel_address);
    put_ipv4(frame, 14 + 16, source);
    const std::size_t header_length = (frame.read_u8(14).value() & 0x0f) * 4;
    const std::size_t total_length = frame.read_u16_be(14 + 2).value();
    const MutableByteView icmp =
        frame.slice(14 + header_length, total_length - header_length).value();
    (void)icmp.write_u8(0, 0);  // echo reply
    (void)icmp.write_u16_be(2, 0);
    (void)icmp.write_u16_be(2, internet_checksum(icmp));
    return request;
}

// ---- the unikernel's side, run in a child process inside the namespace -------

// Receives until `wanted` accepts a frame and returns that frame; others are
// dropped. Woken by the TAP device's readiness, through the platform's poll.
Task<Packet> receive_until(TapDevice* tap, PacketPool* pool, std::function<bool(ByteView)> wanted) {
    for (;;) {
        std::array<Packet, 8> frames;
        auto received = tap->receive(*pool, frames);
        if (received.is_error()) {
            co_return Packet{};
        }
        for (std::size_t i = 0; i < received.value(); ++i) {
            if (wanted(frames[i]->data())) {
                co_return std::move(frames[i]);
            }
        }
        if (received.value() == 0) {
            co_await tap->wait_receivable();
        }
    }
}

struct Report {
    std::string failures;
    void check(bool ok, const std::string& what) {
        if (!ok) {
            failures += what + "\n";
        }
    }
};

Task<int> play_unikernel(TapDevice* tap, Report* report, pid_t* ping) {
    PacketPool pool{32};
    Report& r = *report;

    // Linux's ping first asks who has 10.77.0.2 (an ARP broadcast).
    auto request = co_await with_timeout(5s, receive_until(tap, &pool, is_arp_request_for_us));
    r.check(request.has_value() && request.value(), "no ARP request for 10.77.0.2 within 5 s");
    if (!request.has_value() || !request.value()) {
        co_return 1;
    }
    const std::optional<std::uint64_t> before = rx_packets(tap_name);

    // Our answer must reach Linux: its RX counter moves, and it sends the
    // echo request it was holding back to our MAC address.
    std::array<Packet, 1> reply{arp_reply(pool, request.value()->data())};
    auto sent = tap->transmit(reply);
    r.check(sent.has_value() && sent.value() == 1, "the ARP reply was not taken");
    r.check(!reply[0], "a transmitted packet was not released");
    r.check(tap->stats().transmitted_frames == 1, "transmitted_frames is not 1");

    auto echo = co_await with_timeout(5s, receive_until(tap, &pool, is_echo_request_for_us));
    r.check(echo.has_value() && echo.value(),
            "no ICMP echo request to our MAC within 5 s of the ARP reply");
    const std::optional<std::uint64_t> after = rx_packets(tap_name);
    r.check(before.has_value() && after.has_value() && *after >= *before + 1,
            "the interface's rx_packets did not count the ARP reply");
    if (!echo.has_value() || !echo.value()) {
        co_return 1;
    }

    // Answering the echo lets ping itself succeed: the whole round trip.
    std::array<Packet, 1> pong{echo_reply(std::move(echo.value()))};
    sent = tap->transmit(pong);
    r.check(sent.has_value() && sent.value() == 1, "the echo reply was not taken");

    // A frame longer than the MTU plus the header is dropped and counted.
    std::array<Packet, 1> oversized{std::move(pool.allocate().value())};
    (void)oversized[0]->append(tap->mtu() + dev::NetDevice::ethernet_header_size + 1);
    sent = tap->transmit(oversized);
    r.check(sent.has_value() && sent.value() == 1, "the oversized frame was not taken");
    r.check(tap->stats().transmit_dropped == 1, "the oversized frame was not counted as dropped");
    r.check(tap->stats().transmitted_frames == 2, "transmitted_frames is not 2");
    r.check(tap->stats().received_frames >= 2, "received_frames is below 2");
    request.value().reset();
    r.check(pool.in_use() == 0, "packets were not given back to the pool");

    int status = 0;
    const bool reaped = ::waitpid(*ping, &status, 0) == *ping;
    *ping = -1;  // gone: its number may belong to another process now
    r.check(reaped && WIFEXITED(status) && WEXITSTATUS(status) == 0,
            "ping did not get its echo reply");
    co_return 0;
}

// The child process's whole life: enter the namespace, play the unikernel,
// report. Returns the failures, "" when all went well.
std::string child_main(const std::string& namespace_name, const std::string& ip,
                       const std::string& ping) {
    UniqueFd namespace_fd{::open(("/run/netns/" + namespace_name).c_str(), O_RDONLY | O_CLOEXEC)};
    if (!namespace_fd || ::setns(namespace_fd.get(), CLONE_NEWNET) != 0) {
        return "cannot enter the network namespace " + namespace_name;
    }
    Report report;
    UnixPlatform platform;
    Scheduler scheduler{platform};

    // 1. A TAP interface that this process creates (and that dies with it).
    auto opened = TapDevice::open(platform, tap_name, unikernel_mac);
    if (opened.is_error()) {
        return "TapDevice::open: " + opened.error();
    }
    TapDevice& tap = **opened;
    report.check(tap.interface_name() == tap_name, "interface_name is " + tap.interface_name());
    report.check(tap.mac() == unikernel_mac, "mac() is not the one given");
    report.check(tap.mtu() == 1500, "mtu() of a new TAP is " + std::to_string(tap.mtu()));
    report.check(platform.has_event_sources(), "the TAP is not an event source");

    const std::vector<std::vector<std::string>> setup = {
        {ip, "-n", namespace_name, "addr", "add", "10.77.0.1/24", "dev", tap_name},
        {ip, "-n", namespace_name, "link", "set", tap_name, "up"},
    };
    for (const auto& command : setup) {
        if (!run(command)) {
            return "failed: ip " + command[3] + " " + command[4];
        }
    }
    pid_t pinger = spawn({ping, "-n", "-q", "-c", "1", "-W", "5", "10.77.0.2"});
    if (pinger <= 0) {
        return "cannot start ping";
    }
    const int status = scheduler.run(play_unikernel(&tap, &report, &pinger));
    if (pinger > 0) {  // the exchange stopped before ping was waited for
        ::kill(pinger, SIGKILL);
        ::waitpid(pinger, nullptr, 0);
    }
    report.check(status == 0, "the exchange stopped early");

    // 2. A persistent TAP interface made beforehand, attached to by name; its
    // MTU is the one configured on it. A second attachment is refused.
    if (!run({ip, "-n", namespace_name, "tuntap", "add", "dev", "oasistap1", "mode", "tap"}) ||
        !run({ip, "-n", namespace_name, "link", "set", "oasistap1", "mtu", "1400"})) {
        return report.failures + "failed: ip tuntap add / link set mtu\n";
    }
    auto persistent = TapDevice::open(platform, "oasistap1");
    if (persistent.is_error()) {
        return report.failures + "attach to a persistent TAP: " + persistent.error() + "\n";
    }
    report.check((*persistent)->mtu() == 1400,
                 "mtu() of the persistent TAP is " + std::to_string((*persistent)->mtu()));
    const MacAddress random = (*persistent)->mac();
    report.check((random.octets[0] & 0x03) == 0x02, "the random MAC is not local unicast");
    auto busy = TapDevice::open(platform, "oasistap1");
    report.check(busy.is_error() && busy.error().find("oasistap1") != std::string::npos,
                 "a second attachment to a busy TAP was not refused by name");
    return report.failures;
}

// ---- the test ------------------------------------------------------------------

// Deletes the namespace when the test ends, however it ends.
struct NamespaceGuard {
    std::string ip;
    std::string name;
    ~NamespaceGuard() { (void)run({ip, "netns", "del", name}); }
};

TEST(TapDevice, ExchangesFramesWithLinuxInANetworkNamespace) {
    const std::string ip = find_program("ip");
    const std::string ping = find_program("ping");
    if (ip.empty() || ping.empty()) {
        GTEST_SKIP() << "needs the ip and ping programs (iproute2, iputils-ping)";
    }
    constexpr int cap_net_admin = 12;
    constexpr int cap_sys_admin = 21;
    if (!has_capability(cap_net_admin) || !has_capability(cap_sys_admin)) {
        GTEST_SKIP() << "needs CAP_NET_ADMIN and CAP_SYS_ADMIN (network namespaces, TAP)";
    }
    UniqueFd tun{::open("/dev/net/tun", O_RDWR | O_CLOEXEC)};
    if (!tun) {
        GTEST_SKIP() << "cannot open /dev/net/tun: " << describe_errno(errno);
    }
    tun.reset();

    const std::string name = "oasis-test-" + std::to_string(::getpid());
    ASSERT_TRUE(run({ip, "netns", "add", name})) << "ip netns add " << name << " failed";
    NamespaceGuard guard{ip, name};

    std::array<int, 2> report_pipe{};
    ASSERT_EQ(::pipe2(report_pipe.data(), O_CLOEXEC), 0);
    UniqueFd report_read{report_pipe[0]};
    UniqueFd report_write{report_pipe[1]};
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        report_read.reset();
        const std::string failures = child_main(name, ip, ping);
        const std::string message = failures.empty() ? "ok" : failures;
        (void)!::write(report_write.get(), message.data(), message.size());
        ::_exit(failures.empty() ? 0 : 1);  // never back into GoogleTest
    }
    report_write.reset();

    // The child reports within seconds; give up on it after 60.
    std::string message;
    const Instant give_up = monotonic_now() + 60s;
    for (;;) {
        const Duration left = give_up - monotonic_now();
        pollfd readable{.fd = report_read.get(), .events = POLLIN, .revents = 0};
        const int milliseconds =
            static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(left).count());
        if (milliseconds <= 0 || ::poll(&readable, 1, milliseconds) == 0) {
            ::kill(child, SIGKILL);
            message += "(the child timed out)";
            break;
        }
        std::array<char, 1024> chunk;
        const ssize_t got = ::read(report_read.get(), chunk.data(), chunk.size());
        if (got <= 0) {
            break;
        }
        message.append(chunk.data(), static_cast<std::size_t>(got));
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << message;
    EXPECT_EQ(message, "ok");
}

TEST(TapDevice, RefusesInvalidInterfaceNames) {
    UnixPlatform platform;
    for (const char* name : {"", "a-name-that-is-too-long", "a/b", "has space", "..", "eth0:1"}) {
        auto opened = TapDevice::open(platform, name);
        ASSERT_TRUE(opened.is_error()) << name;
        EXPECT_EQ(opened.error().rfind("invalid TAP interface name", 0), 0u) << opened.error();
    }
    EXPECT_FALSE(platform.has_event_sources());
}

TEST(TapDevice, RandomMacIsLocallyAdministeredUnicast) {
    for (int i = 0; i < 64; ++i) {
        const auto mac = random_local_mac();
        ASSERT_TRUE(mac.has_value());
        EXPECT_EQ(mac->octets[0] & 0x03, 0x02);
    }
    EXPECT_NE(random_local_mac().value(), random_local_mac().value());
}

}  // namespace
}  // namespace oasis::unix_target
