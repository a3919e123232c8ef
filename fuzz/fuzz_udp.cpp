// Fuzz target: UDP over IPv4 (net/wire/udp.hpp) — parse with and without the checksum, re-emit.
//
// Input: the IPv4 source and destination addresses of the pseudo-header
// (4 + 4 bytes, network order), then the datagram. Seeds are built that way.
#include <algorithm>
#include <vector>

#include "core/endian.hpp"
#include "fuzz/fuzz_support.hpp"
#include "net/wire/udp.hpp"

using namespace oasis;
using namespace oasis::net;
using oasis::fuzz::consume;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteView input = oasis::fuzz::input_bytes(data, size);
    constexpr std::size_t addresses_size = 2 * Ipv4Address::size;
    if (size < addresses_size) {
        return 0;
    }
    Ipv4Address source = load_ipv4_address(input.data());
    Ipv4Address destination = load_ipv4_address(input.data() + Ipv4Address::size);
    ByteView bytes{input.span().subspan(addresses_size)};

    auto datagram = UdpDatagram::parse(bytes);
    auto verified = UdpDatagram::parse(bytes, source, destination);
    if (datagram.is_error()) {
        FUZZ_CHECK(verified.is_error() && verified.error() == datagram.error());
        return 0;
    }
    consume(datagram->source_port());
    consume(datagram->destination_port());
    FUZZ_CHECK(datagram->length() == datagram->datagram().size());
    FUZZ_CHECK(datagram->length() <= bytes.size());
    FUZZ_CHECK(datagram->payload().size() + UdpDatagram::header_size == datagram->length());
    bool valid = datagram->checksum_valid(source, destination);
    FUZZ_CHECK(verified.has_value() == valid);

    // Emitting the same ports over the same payload gives a datagram that
    // verifies; when the original carried a checksum that verified, the
    // emitted bytes are the original's.
    std::vector<std::byte> copy = oasis::fuzz::copy_bytes(datagram->datagram());
    FUZZ_CHECK(UdpDatagram::emit(MutableByteView{copy}, datagram->source_port(),
                                 datagram->destination_port(), source, destination)
                   .has_value());
    auto emitted = UdpDatagram::parse(ByteView{copy}, source, destination);
    FUZZ_CHECK(emitted.has_value());
    FUZZ_CHECK(emitted->has_checksum());
    FUZZ_CHECK(emitted->payload() == datagram->payload());
    if (valid && datagram->has_checksum()) {
        FUZZ_CHECK(ByteView{copy} == datagram->datagram());
    }
    return 0;
}
