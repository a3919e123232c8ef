// Ethernet II and 802.1Q: parse and emit.
#include "net/wire/ethernet.hpp"

#include <algorithm>

#include "core/endian.hpp"
#include "core/panic.hpp"

namespace oasis::net {
namespace {

// Field offsets (IEEE 802.3 §3.1.1; the tag per IEEE 802.1Q §9.3).
constexpr std::size_t destination_offset = 0;
constexpr std::size_t source_offset = 6;
constexpr std::size_t ethertype_offset = 12;
constexpr std::size_t tag_control_offset = 14;
constexpr std::size_t inner_ethertype_offset = 16;

}  // namespace

MacAddress load_mac_address(const std::byte* bytes) {
    MacAddress mac;
    std::transform(bytes, bytes + mac.octets.size(), mac.octets.begin(),
                   [](std::byte octet) { return std::to_integer<std::uint8_t>(octet); });
    return mac;
}

void store_mac_address(std::byte* bytes, const MacAddress& mac) {
    std::transform(mac.octets.begin(), mac.octets.end(), bytes,
                   [](std::uint8_t octet) { return std::byte{octet}; });
}

static_assert(EthernetFrame::header_size == 14);
static_assert(EthernetFrame::tagged_header_size == 18);

std::size_t EthernetFields::header_length() const {
    return vlan ? EthernetFrame::tagged_header_size : EthernetFrame::header_size;
}

Result<EthernetFrame, WireError> EthernetFrame::parse(ByteView frame) {
    if (frame.size() < header_size) {
        return Error{WireError::truncated};
    }
    bool tagged = load_be16(frame.data() + ethertype_offset) == std::uint16_t(EtherType::vlan);
    if (tagged && frame.size() < tagged_header_size) {
        return Error{WireError::truncated};
    }
    return EthernetFrame{frame, tagged};
}

MacAddress EthernetFrame::destination() const {
    return load_mac_address(m_bytes.data() + destination_offset);
}

MacAddress EthernetFrame::source() const {
    return load_mac_address(m_bytes.data() + source_offset);
}

EtherType EthernetFrame::ethertype() const {
    return EtherType{
        load_be16(m_bytes.data() + (m_tagged ? inner_ethertype_offset : ethertype_offset))};
}

std::optional<VlanTag> EthernetFrame::vlan_tag() const {
    if (!m_tagged) {
        return std::nullopt;
    }
    std::uint16_t control = load_be16(m_bytes.data() + tag_control_offset);
    return VlanTag{
        .priority = static_cast<std::uint8_t>(control >> 13),
        .drop_eligible = (control & 0x1000) != 0,
        .vlan_id = static_cast<std::uint16_t>(control & 0x0fff),
    };
}

EthernetFields EthernetFrame::fields() const {
    return EthernetFields{
        .destination = destination(),
        .source = source(),
        .ethertype = ethertype(),
        .vlan = vlan_tag(),
    };
}

Result<void, WireError> EthernetFrame::emit(MutableByteView header, const EthernetFields& fields) {
    if (header.size() < fields.header_length()) {
        return Error{WireError::no_room};
    }
    std::byte* bytes = header.data();
    store_mac_address(bytes + destination_offset, fields.destination);
    store_mac_address(bytes + source_offset, fields.source);
    if (fields.vlan) {
        const VlanTag& tag = *fields.vlan;
        OASIS_ASSERT(tag.vlan_id <= 0x0fff && tag.priority <= 7);
        std::uint16_t control = static_cast<std::uint16_t>(
            (tag.priority << 13) | (tag.drop_eligible ? 0x1000 : 0) | tag.vlan_id);
        store_be16(bytes + ethertype_offset, std::uint16_t(EtherType::vlan));
        store_be16(bytes + tag_control_offset, control);
        store_be16(bytes + inner_ethertype_offset, std::uint16_t(fields.ethertype));
    } else {
        store_be16(bytes + ethertype_offset, std::uint16_t(fields.ethertype));
    }
    return {};
}

Result<void, WireError> EthernetFrame::prepend(PacketBuffer& packet, const EthernetFields& fields) {
    auto header = packet.prepend(fields.header_length());
    if (!header) {
        return Error{WireError::no_room};
    }
    return emit(*header, fields);
}

}  // namespace oasis::net
