// Fuzz target: Ethernet II frames with 802.1Q tags (net/wire/ethernet.hpp) — parse, accessors,
// re-emit.
#include <algorithm>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "net/wire/ethernet.hpp"

using namespace oasis;
using namespace oasis::net;
using oasis::fuzz::consume;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteView bytes = oasis::fuzz::input_bytes(data, size);
    auto frame = EthernetFrame::parse(bytes);
    if (frame.is_error()) {
        return 0;
    }
    consume(frame->destination());
    consume(frame->source());
    consume(frame->ethertype());
    consume(frame->vlan_tag());
    FUZZ_CHECK(frame->is_vlan_tagged() == frame->vlan_tag().has_value());
    FUZZ_CHECK(frame->header_length() <= size);
    FUZZ_CHECK(frame->header_length() + frame->payload().size() == size);
    FUZZ_CHECK(frame->frame().size() == size);

    // Every header field is in fields(), so emitting them gives back the
    // header's bytes exactly, tag included.
    EthernetFields fields = frame->fields();
    FUZZ_CHECK(fields.header_length() == frame->header_length());
    std::vector<std::byte> header(fields.header_length());
    FUZZ_CHECK(EthernetFrame::emit(MutableByteView{header}, fields).has_value());
    FUZZ_CHECK(std::equal(header.begin(), header.end(), bytes.begin()));

    auto again = EthernetFrame::parse(ByteView{header});
    FUZZ_CHECK(again.has_value());
    EthernetFields parsed = again->fields();
    FUZZ_CHECK(parsed.destination == fields.destination && parsed.source == fields.source);
    FUZZ_CHECK(parsed.ethertype == fields.ethertype && parsed.vlan == fields.vlan);
    return 0;
}
