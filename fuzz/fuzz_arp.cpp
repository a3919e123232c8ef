// Fuzz target: ARP for IPv4 over Ethernet (net/wire/arp.hpp) — parse, replies, re-emit.
#include <algorithm>
#include <array>

#include "fuzz/fuzz_support.hpp"
#include "net/wire/arp.hpp"

using namespace oasis;
using namespace oasis::net;
using oasis::fuzz::consume;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteView bytes = oasis::fuzz::input_bytes(data, size);
    auto packet = ArpPacket::parse(bytes);
    if (packet.is_error()) {
        return 0;
    }
    FUZZ_CHECK(size >= ArpPacket::size);
    consume(packet->is_gratuitous());

    // The packet has no field that parse() drops: emitting it gives back
    // the first 28 bytes, and those parse to the same packet.
    std::array<std::byte, ArpPacket::size> emitted{};
    FUZZ_CHECK(packet->emit(MutableByteView{emitted}).has_value());
    FUZZ_CHECK(std::equal(emitted.begin(), emitted.end(), bytes.begin()));
    auto again = ArpPacket::parse(ByteView{emitted});
    FUZZ_CHECK(again.has_value() && *again == *packet);

    // A reply swaps the two sides (RFC 826, "Packet Reception").
    MacAddress own_mac{{0x02, 0, 0, 0, 0, 1}};
    ArpPacket reply = ArpPacket::reply_to(*packet, own_mac);
    FUZZ_CHECK(reply.operation == ArpOperation::reply);
    FUZZ_CHECK(reply.sender_ip == packet->target_ip && reply.target_ip == packet->sender_ip);
    FUZZ_CHECK(reply.target_mac == packet->sender_mac && reply.sender_mac == own_mac);
    return 0;
}
