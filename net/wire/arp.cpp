// ARP for Ethernet and IPv4: parse and emit.
#include "net/wire/arp.hpp"

#include "core/endian.hpp"

namespace oasis::net {
namespace {

// RFC 826, "Packet format"; values from the IANA ARP parameters registry.
constexpr std::uint16_t hardware_type_ethernet = 1;
constexpr std::uint8_t mac_length = 6;
constexpr std::uint8_t ipv4_length = 4;
constexpr std::size_t fixed_size = 8;

constexpr std::size_t hardware_type_offset = 0;
constexpr std::size_t protocol_type_offset = 2;
constexpr std::size_t hardware_length_offset = 4;
constexpr std::size_t protocol_length_offset = 5;
constexpr std::size_t operation_offset = 6;
constexpr std::size_t sender_mac_offset = 8;
constexpr std::size_t sender_ip_offset = 14;
constexpr std::size_t target_mac_offset = 18;
constexpr std::size_t target_ip_offset = 24;

static_assert(target_ip_offset + Ipv4Address::size == ArpPacket::size);

}  // namespace

Result<ArpPacket, WireError> ArpPacket::parse(ByteView bytes) {
    if (bytes.size() < fixed_size) {
        return Error{WireError::truncated};
    }
    const std::byte* data = bytes.data();
    if (load_be16(data + hardware_type_offset) != hardware_type_ethernet ||
        load_be16(data + protocol_type_offset) != std::uint16_t(EtherType::ipv4) ||
        std::to_integer<std::uint8_t>(data[hardware_length_offset]) != mac_length ||
        std::to_integer<std::uint8_t>(data[protocol_length_offset]) != ipv4_length) {
        return Error{WireError::unsupported};
    }
    if (bytes.size() < size) {
        return Error{WireError::truncated};
    }
    std::uint16_t operation = load_be16(data + operation_offset);
    if (operation != std::uint16_t(ArpOperation::request) &&
        operation != std::uint16_t(ArpOperation::reply)) {
        return Error{WireError::unsupported};
    }
    return ArpPacket{
        .operation = ArpOperation{operation},
        .sender_mac = load_mac_address(data + sender_mac_offset),
        .sender_ip = load_ipv4_address(data + sender_ip_offset),
        .target_mac = load_mac_address(data + target_mac_offset),
        .target_ip = load_ipv4_address(data + target_ip_offset),
    };
}

ArpPacket ArpPacket::request(MacAddress sender_mac, Ipv4Address sender_ip, Ipv4Address target_ip) {
    return ArpPacket{
        .operation = ArpOperation::request,
        .sender_mac = sender_mac,
        .sender_ip = sender_ip,
        .target_mac = MacAddress{},
        .target_ip = target_ip,
    };
}

ArpPacket ArpPacket::reply_to(const ArpPacket& request, MacAddress own_mac) {
    // RFC 826, "Packet Reception": swap the sender and target fields and put
    // the local addresses in the sender fields.
    return ArpPacket{
        .operation = ArpOperation::reply,
        .sender_mac = own_mac,
        .sender_ip = request.target_ip,
        .target_mac = request.sender_mac,
        .target_ip = request.sender_ip,
    };
}

ArpPacket ArpPacket::gratuitous(MacAddress mac, Ipv4Address ip) {
    return ArpPacket{
        .operation = ArpOperation::request,
        .sender_mac = mac,
        .sender_ip = ip,
        .target_mac = MacAddress{},
        .target_ip = ip,
    };
}

Result<void, WireError> ArpPacket::emit(MutableByteView bytes) const {
    if (bytes.size() < size) {
        return Error{WireError::no_room};
    }
    std::byte* data = bytes.data();
    store_be16(data + hardware_type_offset, hardware_type_ethernet);
    store_be16(data + protocol_type_offset, std::uint16_t(EtherType::ipv4));
    data[hardware_length_offset] = std::byte{mac_length};
    data[protocol_length_offset] = std::byte{ipv4_length};
    store_be16(data + operation_offset, std::uint16_t(operation));
    store_mac_address(data + sender_mac_offset, sender_mac);
    store_ipv4_address(data + sender_ip_offset, sender_ip);
    store_mac_address(data + target_mac_offset, target_mac);
    store_ipv4_address(data + target_ip_offset, target_ip);
    return {};
}

Result<void, WireError> ArpPacket::prepend(PacketBuffer& packet) const {
    auto bytes = packet.prepend(size);
    if (!bytes) {
        return Error{WireError::no_room};
    }
    return emit(*bytes);
}

}  // namespace oasis::net
