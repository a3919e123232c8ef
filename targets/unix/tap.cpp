// TapDevice: frames in and out of /dev/net/tun, with readiness from the platform's epoll.
#include "targets/unix/tap.hpp"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "targets/unix/entropy.hpp"

namespace oasis::unix_target {

namespace {

// tun hands out at most one IP packet of 64 KiB plus its Ethernet header.
constexpr std::size_t scratch_size = 65536 + 64;
constexpr std::size_t default_mtu = 1500;

std::string open_error(int number) {
    std::string message = "cannot open /dev/net/tun: ";
    message += describe_errno(number);
    if (number == EACCES || number == EPERM) {
        message += " (needs CAP_NET_ADMIN)";
    } else if (number == ENOENT || number == ENODEV || number == ENXIO) {
        message += " (is the tun module loaded? modprobe tun)";
    }
    return message;
}

std::string attach_error(std::string_view name, int number) {
    std::string message = "cannot attach to TAP interface '";
    message += name;
    message += "': ";
    message += describe_errno(number);
    if (number == EPERM || number == EACCES) {
        message +=
            " (creating a TAP interface needs CAP_NET_ADMIN; without it, create a persistent "
            "one owned by this user first: ip tuntap add dev ";
        message += name;
        message += " mode tap user $USER)";
    } else if (number == EBUSY) {
        message += " (another process has it open)";
    } else if (number == EINVAL) {
        message += " (it exists but is not a TAP interface)";
    }
    return message;
}

// The interface's MTU (SIOCGIFMTU needs a socket of any kind in the same
// network namespace), or the Ethernet default if Linux will not say.
std::size_t read_mtu(const char* name) {
    UniqueFd socket{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
    if (!socket) {
        return default_mtu;
    }
    ifreq request{};
    std::strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    if (::ioctl(socket.get(), SIOCGIFMTU, &request) != 0 || request.ifr_mtu <= 0) {
        return default_mtu;
    }
    return static_cast<std::size_t>(request.ifr_mtu);
}

bool is_valid_interface_name(std::string_view name) {
    if (name.empty() || name.size() >= IFNAMSIZ || name == "." || name == "..") {
        return false;
    }
    for (char c : name) {
        if (c == '/' || c == ':' || c == '\0' || c == ' ' || c == '\t' || c == '\n') {
            return false;
        }
    }
    return true;
}

// Errors on write() that concern one frame or a link that is down, not the
// device: the frame is dropped and counted, and the next one is tried.
bool is_per_frame_error(int number) {
    return number == EIO || number == EINVAL || number == ENOBUFS || number == ENOMEM ||
           number == EMSGSIZE;
}

}  // namespace

Result<dev::MacAddress, SystemError> random_local_mac() {
    dev::MacAddress mac;
    TRY(fill_from_host_entropy(std::as_writable_bytes(std::span{mac.octets})));
    // IEEE 802: bit 0 of the first octet is group (multicast), bit 1 local.
    mac.octets[0] = static_cast<std::uint8_t>((mac.octets[0] & 0xfc) | 0x02);
    return mac;
}

Result<std::unique_ptr<TapDevice>, std::string> TapDevice::open(
    UnixPlatform& platform, std::string_view interface_name, std::optional<dev::MacAddress> mac) {
    if (!is_valid_interface_name(interface_name)) {
        return Error{"invalid TAP interface name '" + std::string{interface_name} +
                     "' (1 to 15 characters, no '/', ':' or blanks)"};
    }
    UniqueFd fd{::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)};
    if (!fd) {
        return Error{open_error(errno)};
    }
    ifreq request{};
    request.ifr_flags = IFF_TAP | IFF_NO_PI;
    std::memcpy(request.ifr_name, interface_name.data(), interface_name.size());
    if (::ioctl(fd.get(), TUNSETIFF, &request) != 0) {
        return Error{attach_error(interface_name, errno)};
    }
    request.ifr_name[IFNAMSIZ - 1] = '\0';
    std::string actual_name{request.ifr_name};

    if (!mac) {
        auto random = random_local_mac();
        if (random.is_error()) {
            return Error{"cannot choose a MAC address for '" + actual_name +
                         "': " + random.error().message()};
        }
        mac = random.value();
    }
    const std::size_t mtu = read_mtu(actual_name.c_str());

    std::unique_ptr<TapDevice> device{
        new TapDevice(platform, std::move(fd), std::move(actual_name), *mac, mtu)};
    TapDevice* self = device.get();
    auto registered = platform.add_source(self->m_fd.get(), EPOLLIN | EPOLLET,
                                          [self](std::uint32_t events) { self->on_ready(events); });
    if (registered.is_error()) {
        return Error{"cannot watch TAP interface '" + device->m_interface_name +
                     "': " + registered.error().message()};
    }
    return device;
}

TapDevice::TapDevice(UnixPlatform& platform, UniqueFd fd, std::string interface_name,
                     dev::MacAddress mac, std::size_t mtu)
    : m_platform(platform),
      m_fd(std::move(fd)),
      m_interface_name(std::move(interface_name)),
      m_mac(mac),
      m_mtu(mtu),
      m_scratch(new std::byte[scratch_size]) {}

TapDevice::~TapDevice() {
    m_platform.remove_source(m_fd.get());
}

void TapDevice::on_ready(std::uint32_t events) {
    // An error or hang-up wakes everyone, so that their next call sees it.
    const std::uint32_t trouble = EPOLLERR | EPOLLHUP;
    if ((events & (EPOLLIN | trouble)) != 0) {
        notify_receivable();
    }
    if ((events & (EPOLLOUT | trouble)) != 0 && m_watching_writable) {
        watch_writable(false);
        notify_transmittable();
    }
}

void TapDevice::watch_writable(bool watch) {
    if (m_watching_writable == watch) {
        return;
    }
    std::uint32_t events = EPOLLIN | EPOLLET;
    if (watch) {
        events |= EPOLLOUT;
    }
    // Fails only if the descriptor is no longer registered, which would be
    // a broken invariant of this class.
    const auto modified = m_platform.modify_source(m_fd.get(), events);
    OASIS_ASSERT(modified.has_value());
    m_watching_writable = watch;
}

// Linux's tun driver hands user space exactly one frame per read(): there is
// no multi-frame read (it is not a socket, so recvmmsg does not apply). The
// batched NetDevice API exists for hvt, where one call is one VM exit; here it
// is a loop of read()s that stops at EAGAIN or when `frames` is full.
Result<std::size_t, dev::NetError> TapDevice::receive(PacketPool& pool, std::span<Packet> frames) {
    std::size_t count = 0;
    while (count < frames.size()) {
        auto allocated = pool.allocate();
        if (allocated.is_error()) {
            if (count > 0) {
                return count;  // the caller comes back, perhaps with buffers freed
            }
            // See the class comment: drain, so that 0 means "queue empty".
            if (!TRY(discard_one())) {
                return count;
            }
            continue;
        }
        Packet packet = std::move(allocated.value());
        const MutableByteView room = packet->append(packet->tailroom()).value();
        // The second vector catches a frame too long for the buffer: then the
        // read returns more than the buffer holds, and the frame is dropped.
        std::array<iovec, 2> vectors{iovec{room.data(), room.size()},
                                     iovec{m_scratch.get(), scratch_size}};
        ssize_t length;
        do {
            length = ::readv(m_fd.get(), vectors.data(), static_cast<int>(vectors.size()));
        } while (length < 0 && errno == EINTR);
        if (length < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || count > 0) {
                return count;
            }
            return Error{dev::NetError::device_error};
        }
        const auto size = static_cast<std::size_t>(length);
        if (size < ethernet_header_size || size > longest_frame() || size > room.size()) {
            ++m_stats.receive_dropped;
            continue;
        }
        const auto sized = packet->set_size(size);
        OASIS_ASSERT(sized.has_value());
        ++m_stats.received_frames;
        m_stats.received_bytes += size;
        frames[count++] = std::move(packet);
    }
    return count;
}

Result<bool, dev::NetError> TapDevice::discard_one() {
    ssize_t length;
    do {
        length = ::read(m_fd.get(), m_scratch.get(), scratch_size);
    } while (length < 0 && errno == EINTR);
    if (length < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return false;
        }
        return Error{dev::NetError::device_error};
    }
    ++m_stats.receive_dropped;
    return true;
}

// One write() per frame, for the same reason as receive() reads one by one.
Result<std::size_t, dev::NetError> TapDevice::transmit(std::span<Packet> frames) {
    std::size_t taken = 0;
    for (Packet& packet : frames) {
        OASIS_ASSERT(packet);
        const ByteView bytes = packet->data();
        if (bytes.size() < ethernet_header_size || bytes.size() > longest_frame()) {
            ++m_stats.transmit_dropped;
            packet.reset();
            ++taken;
            continue;
        }
        ssize_t written;
        do {
            written = ::write(m_fd.get(), bytes.data(), bytes.size());
        } while (written < 0 && errno == EINTR);
        if (written < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                watch_writable(true);
                break;
            }
            if (!is_per_frame_error(errno)) {
                if (taken > 0) {
                    break;  // reported by the next call, which fails at once
                }
                return Error{dev::NetError::device_error};
            }
            ++m_stats.transmit_dropped;
        } else {
            ++m_stats.transmitted_frames;
            m_stats.transmitted_bytes += bytes.size();
        }
        packet.reset();
        ++taken;
    }
    return taken;
}

}  // namespace oasis::unix_target
