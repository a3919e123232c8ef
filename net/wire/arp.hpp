// ARP for Ethernet and IPv4 (RFC 826): parse and emit.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/buffer.hpp"
#include "core/packet.hpp"
#include "core/result.hpp"
#include "net/wire/address.hpp"
#include "net/wire/error.hpp"
#include "net/wire/ethernet.hpp"

namespace oasis::net {

enum class ArpOperation : std::uint16_t {
    request = 1,
    reply = 2,
};

// An ARP packet for IPv4 over Ethernet, the only kind Oasis speaks. It is
// small and fixed-size, so parse() copies the fields out rather than keeping
// a view.
struct ArpPacket {
    // hardware type (2), protocol type (2), the two address lengths (1 + 1),
    // operation (2), then 6 + 4 + 6 + 4 bytes of addresses.
    static constexpr std::size_t size = 28;

    ArpOperation operation = ArpOperation::request;
    MacAddress sender_mac{};
    Ipv4Address sender_ip{};
    MacAddress target_mac{};  // all zeros in a request: it is what is asked for
    Ipv4Address target_ip{};

    // Errors: truncated (below 28 bytes, or below the 8-byte fixed part);
    // unsupported (hardware type other than Ethernet (1), protocol other than
    // IPv4 (0x0800), address lengths other than 6 and 4, an operation other
    // than request or reply, e.g. RARP's). Trailing bytes (Ethernet padding)
    // are ignored.
    static Result<ArpPacket, WireError> parse(ByteView bytes);

    // "Who has `target_ip`? Tell `sender_ip`."
    static ArpPacket request(MacAddress sender_mac, Ipv4Address sender_ip, Ipv4Address target_ip);
    // The answer to `request` from the host that owns its target_ip at `own_mac`.
    static ArpPacket reply_to(const ArpPacket& request, MacAddress own_mac);
    // An announcement of `ip` at `mac` (RFC 5227 §3): a request whose sender
    // and target addresses are both `ip`, so that every receiver that has
    // `ip` cached updates it and nobody answers.
    static ArpPacket gratuitous(MacAddress mac, Ipv4Address ip);

    // Sender and target protocol addresses equal: an announcement or probe
    // conflict check (RFC 5227 §2.1.1 and §3).
    bool is_gratuitous() const { return sender_ip == target_ip; }

    // Writes the 28 bytes into the start of `bytes` (no_room if shorter).
    Result<void, WireError> emit(MutableByteView bytes) const;
    // Prepends the 28 bytes to `packet` (no_room without enough headroom).
    Result<void, WireError> prepend(PacketBuffer& packet) const;

    friend bool operator==(const ArpPacket&, const ArpPacket&) = default;
};

}  // namespace oasis::net
