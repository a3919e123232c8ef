// Fuzz target: IPv4 headers and their options (net/wire/ipv4.hpp) — parse, walk, re-emit, edit in
// place.
#include <algorithm>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "net/wire/ipv4.hpp"

using namespace oasis;
using namespace oasis::net;
using oasis::fuzz::consume;

namespace {

// Every option lies inside the options area, and the walk ends.
void walk_options(ByteView options, bool expect_valid) {
    Ipv4OptionIterator iterator{options};
    for (std::size_t steps = 0; steps <= options.size(); ++steps) {
        auto option = iterator.next();
        if (option.is_error()) {
            FUZZ_CHECK(!expect_valid);
            return;
        }
        if (!*option) {
            return;
        }
        ByteView data = (*option)->data;
        FUZZ_CHECK(data.begin() >= options.begin() && data.end() <= options.end());
        consume((*option)->copied());
    }
    FUZZ_CHECK(false && "the option walk did not end");
}

void read_everything(const Ipv4Header& header) {
    consume(header.dscp());
    consume(header.ecn());
    consume(header.identification());
    consume(header.dont_fragment());
    consume(header.more_fragments());
    consume(header.is_fragment());
    consume(header.ttl());
    consume(header.protocol());
    consume(header.checksum());
    consume(header.source());
    consume(header.destination());
    FUZZ_CHECK(header.header_length() >= Ipv4Header::min_header_size);
    FUZZ_CHECK(header.header_length() <= Ipv4Header::max_header_size);
    FUZZ_CHECK(header.fragment_offset() % 8 == 0);
    FUZZ_CHECK(header.header().size() == header.header_length());
    FUZZ_CHECK(header.options().size() == header.header_length() - Ipv4Header::min_header_size);
    FUZZ_CHECK(header.header_length() + header.payload().size() == header.packet().size());
}

// fields() and emit() agree: the emitted header (never with options) over
// the same payload parses, verifies and shows the same fields.
void check_round_trip(const Ipv4Header& header) {
    Ipv4Fields fields = header.fields();
    FUZZ_CHECK(fields.payload_length == header.payload().size());
    std::vector<std::byte> packet(Ipv4Header::min_header_size + fields.payload_length);
    FUZZ_CHECK(Ipv4Header::emit(MutableByteView{packet}, fields).has_value());
    std::copy(header.payload().begin(), header.payload().end(),
              packet.begin() + Ipv4Header::min_header_size);
    auto emitted = Ipv4Header::parse(ByteView{packet});
    FUZZ_CHECK(emitted.has_value());
    FUZZ_CHECK(emitted->fields() == fields);
    FUZZ_CHECK(emitted->payload() == header.payload());
}

// The setters keep a verified checksum verified (RFC 1624).
void check_in_place_edits(ByteView packet) {
    std::vector<std::byte> copy = oasis::fuzz::copy_bytes(packet);
    auto header = MutableIpv4Header::parse(MutableByteView{copy});
    FUZZ_CHECK(header.has_value());
    const Ipv4Header& view = header->view();
    Ipv4Address source = view.source();
    Ipv4Address destination = view.destination();
    std::uint8_t ttl = view.ttl();
    IpProtocol protocol = view.protocol();
    header->set_ttl(static_cast<std::uint8_t>(ttl - 1));
    FUZZ_CHECK(view.checksum_valid());
    header->set_identification(static_cast<std::uint16_t>(~view.identification()));
    FUZZ_CHECK(view.checksum_valid());
    header->set_source(destination);
    header->set_destination(source);
    FUZZ_CHECK(view.checksum_valid());
    FUZZ_CHECK(view.source() == destination && view.destination() == source);
    FUZZ_CHECK(view.ttl() == static_cast<std::uint8_t>(ttl - 1) && view.protocol() == protocol);
    header->fill_checksum();
    FUZZ_CHECK(view.checksum_valid());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteView bytes = oasis::fuzz::input_bytes(data, size);

    auto quoted = Ipv4Header::parse_quoted(bytes);
    if (quoted.has_value()) {
        read_everything(*quoted);
        walk_options(quoted->options(), false);
    }

    auto unverified = Ipv4Header::parse(bytes, ChecksumPolicy::skip);
    auto header = Ipv4Header::parse(bytes);
    if (unverified.is_error()) {
        FUZZ_CHECK(header.is_error());
        return 0;
    }
    read_everything(*unverified);
    FUZZ_CHECK(unverified->total_length() == unverified->packet().size());
    FUZZ_CHECK(unverified->packet().size() <= size);
    walk_options(unverified->options(), true);
    FUZZ_CHECK(header.has_value() == unverified->checksum_valid());
    check_round_trip(*unverified);
    if (header.has_value()) {
        check_in_place_edits(bytes);
    }
    return 0;
}
