// TapDevice: a NetDevice on a Linux TAP interface, for the unix target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "dev/net.hpp"
#include "targets/unix/platform.hpp"
#include "targets/unix/system_error.hpp"
#include "targets/unix/unique_fd.hpp"

namespace oasis::unix_target {

// A random locally administered unicast MAC address (02:xx:xx:xx:xx:xx with
// the two low bits of the first octet 1 and 0), from host entropy.
Result<dev::MacAddress, SystemError> random_local_mac();

// The unikernel's Ethernet port on a Linux TAP interface: frames the unikernel
// transmits arrive at Linux as if received on that interface, and frames
// Linux sends out of it are the unikernel's to receive.
//
// The TAP interface is opened by name (/dev/net/tun, IFF_TAP | IFF_NO_PI):
//  - a persistent interface that already exists (`ip tuntap add dev tap0
//    mode tap user $USER`) is attached to; its owner needs no privilege;
//  - otherwise Linux creates it, which needs CAP_NET_ADMIN, and removes it
//    again when the device is destroyed.
// Its host side (address, link state) is configured by the host (`ip addr`,
// `ip link set tap0 up`), never by this device.
//
// The MAC address is the unikernel's own, not the Linux interface's: given,
// or random and locally administered. The MTU is read from the interface
// when the device is opened (1500 if that fails) and not followed afterwards.
//
// Readiness is edge-triggered (EPOLLET): the platform wakes
// wait_receivable() when new frames arrive. So receive() returns 0 only when
// it has found the host's queue empty, and a caller must receive until it
// gets 0 before waiting, as the NetDevice contract describes. For the same
// reason a receive() with an exhausted pool drops the pending frames (counted
// in receive_dropped) rather than leaving them queued unannounced.
//
// The device registers its descriptor with `platform`, which must outlive it.
class TapDevice final : public dev::NetDevice {
public:
    // Opens (or creates) the TAP interface `interface_name`. The error is a
    // message for a person, e.g. "cannot open /dev/net/tun: Permission
    // denied (needs CAP_NET_ADMIN)".
    static Result<std::unique_ptr<TapDevice>, std::string> open(
        UnixPlatform& platform, std::string_view interface_name,
        std::optional<dev::MacAddress> mac = std::nullopt);

    ~TapDevice() override;

    dev::MacAddress mac() const override { return m_mac; }
    std::size_t mtu() const override { return m_mtu; }

    Result<std::size_t, dev::NetError> receive(PacketPool& pool, std::span<Packet> frames) override;
    Result<std::size_t, dev::NetError> transmit(std::span<Packet> frames) override;

    // The interface's name as Linux reports it.
    const std::string& interface_name() const { return m_interface_name; }

private:
    TapDevice(UnixPlatform& platform, UniqueFd fd, std::string interface_name, dev::MacAddress mac,
              std::size_t mtu);

    // Runs from the platform's poll when the descriptor is ready.
    void on_ready(std::uint32_t events);
    // Adds or removes EPOLLOUT from the events the platform watches.
    void watch_writable(bool watch);
    // Reads one pending frame and throws it away; false when none was pending.
    Result<bool, dev::NetError> discard_one();
    std::size_t longest_frame() const { return m_mtu + ethernet_header_size; }

    UnixPlatform& m_platform;
    UniqueFd m_fd;
    std::string m_interface_name;
    dev::MacAddress m_mac;
    std::size_t m_mtu;
    bool m_watching_writable = false;
    // Where frames too long for a packet buffer, or received with no buffer
    // free, are read to be dropped: the largest frame tun can hand out.
    std::unique_ptr<std::byte[]> m_scratch;
};

}  // namespace oasis::unix_target
