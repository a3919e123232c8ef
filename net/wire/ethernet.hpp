// Ethernet II frames, with an optional 802.1Q VLAN tag: parse and emit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/buffer.hpp"
#include "core/packet.hpp"
#include "core/result.hpp"
#include "dev/net.hpp"
#include "net/wire/error.hpp"

namespace oasis::net {

using dev::MacAddress;

// A MAC address at `bytes`, for wire views whose parse has already checked
// that the six bytes are there.
MacAddress load_mac_address(const std::byte* bytes);
void store_mac_address(std::byte* bytes, const MacAddress& mac);

// The EtherType field (IEEE 802.3 §3.2.6); values from the IEEE registry.
// Any 16-bit value may appear on the wire, so this is open-ended.
enum class EtherType : std::uint16_t {
    ipv4 = 0x0800,
    arp = 0x0806,
    vlan = 0x8100,  // an IEEE 802.1Q tag follows, then the real EtherType
    ipv6 = 0x86dd,
};

// The tag control information of an 802.1Q tag (IEEE 802.1Q §9.6).
struct VlanTag {
    std::uint8_t priority = 0;   // PCP, 3 bits
    bool drop_eligible = false;  // DEI, 1 bit
    std::uint16_t vlan_id = 0;   // VID, 12 bits

    friend bool operator==(const VlanTag&, const VlanTag&) = default;
};

// What an emitted Ethernet header says. With a VLAN tag the header is 18
// bytes instead of 14.
struct EthernetFields {
    MacAddress destination{};
    MacAddress source{};
    EtherType ethertype = EtherType::ipv4;  // of the payload (inside the tag, if any)
    std::optional<VlanTag> vlan{};

    std::size_t header_length() const;
};

// A view of one Ethernet II frame without its FCS, as a NetDevice delivers
// it. The wire layer only parses the VLAN tag; the stack's policy is to drop
// tagged frames unless an interface is configured for that VLAN.
//
// parse() checks the length once; every accessor is in bounds after that.
// Frames shorter than Ethernet's 60-byte minimum are accepted (a TAP device
// does not pad), and a payload keeps any padding: the layer above trims it
// by its own length field.
class EthernetFrame {
public:
    static constexpr std::size_t header_size = 14;
    static constexpr std::size_t vlan_tag_size = 4;
    static constexpr std::size_t tagged_header_size = header_size + vlan_tag_size;

    // Errors: truncated (shorter than the header, or than the tag a 0x8100
    // EtherType announces). Only one tag is parsed: a stacked (QinQ) frame
    // shows EtherType::vlan as its inner ethertype(), which the stack drops.
    static Result<EthernetFrame, WireError> parse(ByteView frame);

    MacAddress destination() const;
    MacAddress source() const;
    // The payload's EtherType: after the tag in a tagged frame.
    EtherType ethertype() const;
    bool is_vlan_tagged() const { return m_tagged; }
    // The tag of a tagged frame.
    std::optional<VlanTag> vlan_tag() const;
    std::size_t header_length() const { return m_tagged ? tagged_header_size : header_size; }
    ByteView payload() const { return ByteView{m_bytes.span().subspan(header_length())}; }
    ByteView frame() const { return m_bytes; }

    EthernetFields fields() const;

    // Writes the header described by `fields` into the first
    // fields.header_length() bytes of `header`; no_room if it is shorter. A
    // VLAN tag with a VID above 4095 or a priority above 7 is a broken
    // invariant.
    static Result<void, WireError> emit(MutableByteView header, const EthernetFields& fields);
    // Prepends the header to the payload in `packet` (no_room without enough
    // headroom; the packet is then unchanged).
    static Result<void, WireError> prepend(PacketBuffer& packet, const EthernetFields& fields);

private:
    EthernetFrame(ByteView bytes, bool tagged) : m_bytes(bytes), m_tagged(tagged) {}

    ByteView m_bytes;
    bool m_tagged;
};

}  // namespace oasis::net
