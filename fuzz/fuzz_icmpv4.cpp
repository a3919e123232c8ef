// Fuzz target: ICMPv4 messages (net/wire/icmpv4.hpp) — parse, quoted datagrams, echo replies,
// errors.
#include <algorithm>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "net/wire/icmpv4.hpp"

using namespace oasis;
using namespace oasis::net;
using oasis::fuzz::consume;

namespace {

void read_everything(const Icmpv4Message& message) {
    consume(message.type());
    consume(message.code());
    consume(message.checksum());
    consume(message.rest_of_header());
    consume(message.identifier());
    consume(message.sequence_number());
    consume(message.pointer());
    consume(message.next_hop_mtu());
    consume(message.gateway());
    FUZZ_CHECK(message.data().size() + Icmpv4Message::header_size == message.message().size());
}

// Turning a request into its reply keeps everything but the type, code and
// checksum, and the checksum still verifies (RFC 1624).
void check_echo_reply(const Icmpv4Message& request) {
    std::vector<std::byte> copy = oasis::fuzz::copy_bytes(request.message());
    FUZZ_CHECK(Icmpv4Message::echo_reply_in_place(MutableByteView{copy}).has_value());
    auto reply = Icmpv4Message::parse(ByteView{copy});
    FUZZ_CHECK(reply.has_value());
    FUZZ_CHECK(reply->type() == Icmpv4Type::echo_reply && reply->code() == 0);
    FUZZ_CHECK(reply->identifier() == request.identifier());
    FUZZ_CHECK(reply->sequence_number() == request.sequence_number());
    FUZZ_CHECK(reply->data() == request.data());

    // emit_echo over the same data builds the same reply.
    std::vector<std::byte> emitted = oasis::fuzz::copy_bytes(request.message());
    FUZZ_CHECK(Icmpv4Message::emit_echo(MutableByteView{emitted}, Icmpv4Type::echo_reply,
                                        request.identifier(), request.sequence_number())
                   .has_value());
    auto parsed = Icmpv4Message::parse(ByteView{emitted});
    FUZZ_CHECK(parsed.has_value());
    FUZZ_CHECK(parsed->data() == request.data());
    FUZZ_CHECK(parsed->identifier() == request.identifier());
}

// An error about a quoted datagram quotes it again, within 576 bytes.
void check_error_about(const Ipv4Header& original) {
    std::vector<std::byte> out(Icmpv4Message::max_error_size + 100);
    auto length = Icmpv4Message::emit_destination_unreachable(MutableByteView{out},
                                                              UnreachableCode::port, original);
    if (length.is_error()) {
        return;
    }
    FUZZ_CHECK(*length <= Icmpv4Message::max_error_size);
    auto error = Icmpv4Message::parse(ByteView{std::span{out}.first(*length)});
    FUZZ_CHECK(error.has_value());
    FUZZ_CHECK(error->type() == Icmpv4Type::destination_unreachable);
    FUZZ_CHECK(error->is_error());
    ByteView quote = error->data();
    FUZZ_CHECK(std::equal(quote.begin(), quote.end(), original.packet().begin()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteView bytes = oasis::fuzz::input_bytes(data, size);
    auto unverified = Icmpv4Message::parse(bytes, ChecksumPolicy::skip);
    auto message = Icmpv4Message::parse(bytes);
    if (unverified.is_error()) {
        FUZZ_CHECK(message.is_error());
        return 0;
    }
    read_everything(*unverified);
    FUZZ_CHECK(message.has_value() == unverified->checksum_valid());

    auto quoted = unverified->quoted_datagram();
    FUZZ_CHECK(quoted.has_value() <= unverified->is_error());
    if (quoted.has_value()) {
        FUZZ_CHECK(quoted->packet().size() <= unverified->data().size());
        consume(quoted->source());
        consume(quoted->protocol());
        check_error_about(*quoted);
    }
    if (message.has_value() && message->type() == Icmpv4Type::echo_request) {
        check_echo_reply(*message);
    }
    return 0;
}
