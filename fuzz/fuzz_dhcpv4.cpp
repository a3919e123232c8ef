// Fuzz target: DHCPv4 messages (net/wire/dhcpv4.hpp) — parse, every accessor, the client emitter's
// round trip.
#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "net/wire/dhcpv4.hpp"

using namespace oasis;
using namespace oasis::net;
using oasis::fuzz::consume;

namespace {

// The option walk on raw bytes: every option lies inside the input, and the
// walk ends (with End, truncated or bad_option) after at most one step per byte.
void walk_options(ByteView bytes) {
    Dhcpv4OptionIterator options{bytes};
    for (std::size_t steps = 0; steps <= bytes.size(); ++steps) {
        auto option = options.next();
        if (option.is_error() || !*option) {
            return;
        }
        const std::byte* data = (*option)->data.data();
        FUZZ_CHECK(data >= bytes.begin() && data + (*option)->data.size() <= bytes.end());
    }
    FUZZ_CHECK(false && "the option walk did not end");
}

void read_everything(const Dhcpv4Message& message) {
    consume(message.operation());
    consume(message.hardware_type());
    consume(message.hops());
    consume(message.transaction_id());
    consume(message.seconds());
    consume(message.flags());
    consume(message.broadcast());
    consume(message.client_address());
    consume(message.your_address());
    consume(message.next_server_address());
    consume(message.relay_address());
    FUZZ_CHECK(message.client_hardware_address().size() == message.hardware_length());
    FUZZ_CHECK(message.hardware_length() <= Dhcpv4Message::client_hardware_address_size);
    consume(message.client_mac());
    FUZZ_CHECK(message.server_name().size() <= Dhcpv4Message::server_name_size);
    FUZZ_CHECK(message.boot_file().size() <= Dhcpv4Message::boot_file_size);
    consume(message.message_type());
    consume(message.server_identifier());
    consume(message.requested_address());
    consume(message.lease_time());
    consume(message.renewal_time());
    consume(message.rebinding_time());
    consume(message.subnet_mask());
    for (Ipv4Address router : message.routers()) {
        consume(router);
    }
    auto servers = message.dns_servers();
    for (std::size_t index = 0; index < servers.size(); ++index) {
        consume(servers[index]);
    }
    consume(message.host_name());
    consume(message.domain_name());
    consume(message.parameter_request_list());
    if (auto identifier = message.client_identifier()) {
        FUZZ_CHECK(identifier->size() >= 2);
    }
    if (auto size = message.maximum_message_size()) {
        FUZZ_CHECK(*size >= Dhcpv4Message::minimum_maximum_message_size);
    }
    // parse() walked the options; walking them again must succeed.
    Dhcpv4OptionIterator options = message.options_iterator();
    while (true) {
        auto option = options.next();
        FUZZ_CHECK(option.has_value());
        if (!*option) {
            break;
        }
    }
}

// A client's message says what the emitter can say: emit it again from the
// fields the view shows, parse that, and expect the same fields.
void check_round_trip(const Dhcpv4Message& message) {
    auto mac = message.client_mac();
    if (message.operation() != Dhcpv4Operation::boot_request || !mac) {
        return;
    }
    Dhcpv4ClientFields fields{
        .type = message.message_type(),
        .transaction_id = message.transaction_id(),
        .seconds = message.seconds(),
        .broadcast = message.broadcast(),
        .client_mac = *mac,
        .client_address = message.client_address(),
        .requested_address = message.requested_address(),
        .server_identifier = message.server_identifier(),
        .lease_time = message.lease_time(),
        .maximum_message_size = message.maximum_message_size(),
        .client_identifier = message.client_identifier().value_or(ByteView{}),
        .host_name = message.host_name().value_or(std::string_view{}),
        .parameter_request_list = message.parameter_request_list().value_or(ByteView{}),
    };
    std::vector<std::byte> bytes(fields.length());
    FUZZ_CHECK(bytes.size() >= Dhcpv4Message::minimum_emitted_size);
    if (Dhcpv4Message::emit(MutableByteView{bytes}, fields).is_error()) {
        return;  // fields that RFC 2131 Table 5 does not allow a client to send
    }
    auto emitted = Dhcpv4Message::parse(ByteView{bytes});
    FUZZ_CHECK(emitted.has_value());
    FUZZ_CHECK(emitted->operation() == Dhcpv4Operation::boot_request);
    FUZZ_CHECK(emitted->message_type() == fields.type);
    FUZZ_CHECK(emitted->transaction_id() == fields.transaction_id);
    FUZZ_CHECK(emitted->seconds() == fields.seconds);
    FUZZ_CHECK(emitted->broadcast() == fields.broadcast);
    FUZZ_CHECK(emitted->client_mac() == fields.client_mac);
    FUZZ_CHECK(emitted->client_address() == fields.client_address);
    FUZZ_CHECK(emitted->requested_address() == fields.requested_address);
    FUZZ_CHECK(emitted->server_identifier() == fields.server_identifier);
    FUZZ_CHECK(emitted->lease_time() == fields.lease_time);
    FUZZ_CHECK(emitted->maximum_message_size() == fields.maximum_message_size);
    FUZZ_CHECK(emitted->client_identifier().value_or(ByteView{}) == fields.client_identifier);
    // A host name of one NUL reads as empty, which the emitter leaves out.
    FUZZ_CHECK(emitted->host_name().value_or(std::string_view{}) == fields.host_name);
    FUZZ_CHECK(emitted->parameter_request_list().value_or(ByteView{}) ==
               fields.parameter_request_list);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteView bytes = oasis::fuzz::input_bytes(data, size);
    walk_options(bytes);
    auto message = Dhcpv4Message::parse(bytes);
    if (message.is_error()) {
        return 0;
    }
    FUZZ_CHECK(message->message().size() == size);
    read_everything(*message);
    check_round_trip(*message);
    return 0;
}
