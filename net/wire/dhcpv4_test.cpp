// Tests of the DHCPv4 wire view and client emitter, with messages scapy built.
#include "net/wire/dhcpv4.hpp"
#include "core/testing/hex.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace oasis::net {
namespace {

// The fixtures are UDP payloads that scapy 2.5 produced (python3, scapy.all):
//   mac = bytes.fromhex("525400123456"); xid = 0x3903f326
//   prl = [1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42]
//   BOOTP(op=1, chaddr=mac, xid=xid, secs=3) / DHCP(options=[
//       ("message-type", "discover"), ("requested_addr", "192.168.122.76"),
//       ("hostname", b"oasis"), ("param_req_list", prl), "end"])
//   BOOTP(op=2, chaddr=mac, xid=xid, yiaddr="192.168.122.76", siaddr="192.168.122.1")
//       / DHCP(options=[("message-type", "offer"), ("server_id", "192.168.122.1"),
//       ("lease_time", 3600), ("renewal_time", 1800), ("rebinding_time", 3150),
//       ("subnet_mask", "255.255.255.0"), ("broadcast_address", "192.168.122.255"),
//       ("router", "192.168.122.1"), ("name_server", "192.168.122.1", "9.9.9.9"),
//       ("domain", b"example.internal"), "end"])
//   BOOTP(op=1, chaddr=mac, xid=xid, secs=4, flags=0x8000) / DHCP(options=[
//       ("message-type", "request"), ("client_id", b"\x01" + mac),
//       ("requested_addr", "192.168.122.76"), ("server_id", "192.168.122.1"),
//       ("max_dhcp_size", 1500), ("hostname", b"oasis"), ("param_req_list", prl), "end"])
//   the ACK is the OFFER with message-type "ack" and flags=0x8000;
//   BOOTP(op=1, chaddr=mac, xid=0x5a17c0de, ciaddr="192.168.122.76") / DHCP(options=[
//       ("message-type", "release"), ("client_id", b"\x01" + mac),
//       ("server_id", "192.168.122.1"), "end"])
//   BOOTP(op=1, chaddr=mac, xid=0x0badcafe) / DHCP(options=[
//       ("message-type", "decline"), ("client_id", b"\x01" + mac),
//       ("requested_addr", "192.168.122.76"), ("server_id", "192.168.122.1"), "end"])
// Client messages are padded with zeros to 300 bytes, as dhclient pads them.

// 224 bytes of zeros: the middle of chaddr, sname and file in every fixture.
#define ZEROS_32 "0000000000000000000000000000000000000000000000000000000000000000"
#define MIDDLE_ZEROS                                                                              \
    "3456000000000000000000000000000000000000000000000000000000000000" ZEROS_32 ZEROS_32 ZEROS_32 \
        ZEROS_32 ZEROS_32

constexpr std::string_view discover_hex =
    "010106003903f326000300000000000000000000000000000000000052540012" MIDDLE_ZEROS
    "000000000000000000000000638253633501013204c0a87a4c0c056f61736973"
    "370d011c02030f06770c2c2f1a792aff00000000000000000000000000000000"
    "000000000000000000000000";

constexpr std::string_view offer_hex =
    "020106003903f3260000000000000000c0a87a4cc0a87a010000000052540012" MIDDLE_ZEROS
    "000000000000000000000000638253633501023604c0a87a01330400000e103a"
    "04000007083b0400000c4e0104ffffff001c04c0a87aff0304c0a87a010608c0"
    "a87a01090909090f106578616d706c652e696e7465726e616cff";

constexpr std::string_view request_hex =
    "010106003903f326000480000000000000000000000000000000000052540012" MIDDLE_ZEROS
    "000000000000000000000000638253633501033d07015254001234563204c0a8"
    "7a4c3604c0a87a01390205dc0c056f61736973370d011c02030f06770c2c2f1a"
    "792aff000000000000000000";

constexpr std::string_view ack_hex =
    "020106003903f3260000800000000000c0a87a4cc0a87a010000000052540012" MIDDLE_ZEROS
    "000000000000000000000000638253633501053604c0a87a01330400000e103a"
    "04000007083b0400000c4e0104ffffff001c04c0a87aff0304c0a87a010608c0"
    "a87a01090909090f106578616d706c652e696e7465726e616cff";

constexpr std::string_view release_hex =
    "010106005a17c0de00000000c0a87a4c00000000000000000000000052540012" MIDDLE_ZEROS
    "000000000000000000000000638253633501073d07015254001234563604c0a8"
    "7a01ff0000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000";

constexpr std::string_view decline_hex =
    "010106000badcafe000000000000000000000000000000000000000052540012" MIDDLE_ZEROS
    "000000000000000000000000638253633501043d07015254001234563204c0a8"
    "7a4c3604c0a87a01ff0000000000000000000000000000000000000000000000"
    "000000000000000000000000";

using oasis::testing::from_hex;

constexpr MacAddress client_mac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
constexpr std::uint32_t fixture_transaction_id = 0x3903f326;
const std::vector<std::byte> parameter_list =
    from_hex("011c02030f06770c2c2f1a792a");  // 1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42
const std::vector<std::byte> client_id = from_hex("01525400123456");

Ipv4Address address(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return Ipv4Address::from_octets(a, b, c, d);
}

const Ipv4Address offered = address(192, 168, 122, 76);
const Ipv4Address server = address(192, 168, 122, 1);

// On an error the test fails and value() then panics, which ends the test.
Dhcpv4Message parse_ok(const std::vector<std::byte>& bytes) {
    auto message = Dhcpv4Message::parse(ByteView{bytes});
    EXPECT_TRUE(message.has_value()) << "error " << wire_error_name(message.error());
    return message.value();
}

WireError parse_error(const std::vector<std::byte>& bytes) {
    auto message = Dhcpv4Message::parse(ByteView{bytes});
    EXPECT_TRUE(message.is_error());
    return message.is_error() ? message.error() : WireError::unsupported;
}

// The index of the first options byte, right after the cookie.
constexpr std::size_t options_start = Dhcpv4Message::header_size;

// A minimal valid message: a BOOTREPLY header, the cookie and `options`
// (which must hold their own End).
std::vector<std::byte> with_options(std::string_view options_hex) {
    std::vector<std::byte> bytes = from_hex(offer_hex);
    bytes.resize(options_start);
    auto options = from_hex(options_hex);
    bytes.insert(bytes.end(), options.begin(), options.end());
    return bytes;
}

// ---- Parsing the fixtures ----

TEST(Dhcpv4Message, ParsesDiscover) {
    auto bytes = from_hex(discover_hex);
    ASSERT_EQ(bytes.size(), 300u);
    Dhcpv4Message message = parse_ok(bytes);
    EXPECT_EQ(message.operation(), Dhcpv4Operation::boot_request);
    EXPECT_EQ(message.hardware_type(), 1);
    EXPECT_EQ(message.hardware_length(), 6);
    EXPECT_EQ(message.hops(), 0);
    EXPECT_EQ(message.transaction_id(), fixture_transaction_id);
    EXPECT_EQ(message.seconds(), 3);
    EXPECT_EQ(message.flags(), 0);
    EXPECT_FALSE(message.broadcast());
    EXPECT_TRUE(message.client_address().is_unspecified());
    EXPECT_TRUE(message.your_address().is_unspecified());
    EXPECT_TRUE(message.next_server_address().is_unspecified());
    EXPECT_TRUE(message.relay_address().is_unspecified());
    EXPECT_EQ(message.client_hardware_address(), ByteView{from_hex("525400123456")});
    EXPECT_EQ(message.client_mac(), client_mac);
    EXPECT_EQ(message.server_name(), "");
    EXPECT_EQ(message.boot_file(), "");

    EXPECT_EQ(message.message_type(), Dhcpv4MessageType::discover);
    EXPECT_EQ(message.requested_address(), offered);
    EXPECT_EQ(message.host_name(), "oasis");
    ASSERT_TRUE(message.parameter_request_list());
    EXPECT_EQ(*message.parameter_request_list(), ByteView{parameter_list});
    EXPECT_FALSE(message.server_identifier());
    EXPECT_FALSE(message.lease_time());
    EXPECT_FALSE(message.client_identifier());
    EXPECT_FALSE(message.maximum_message_size());
    EXPECT_TRUE(message.routers().empty());
    EXPECT_TRUE(message.dns_servers().empty());
    EXPECT_EQ(message.message().size(), bytes.size());
}

void expect_offer_options(const Dhcpv4Message& message) {
    EXPECT_EQ(message.operation(), Dhcpv4Operation::boot_reply);
    EXPECT_EQ(message.transaction_id(), fixture_transaction_id);
    EXPECT_EQ(message.your_address(), offered);
    EXPECT_EQ(message.next_server_address(), server);
    EXPECT_TRUE(message.client_address().is_unspecified());
    EXPECT_EQ(message.client_mac(), client_mac);
    EXPECT_EQ(message.server_identifier(), server);
    EXPECT_EQ(message.lease_time(), 3600u);
    EXPECT_EQ(message.renewal_time(), 1800u);
    EXPECT_EQ(message.rebinding_time(), 3150u);
    EXPECT_EQ(message.subnet_mask(), address(255, 255, 255, 0));
    ASSERT_EQ(message.routers().size(), 1u);
    EXPECT_EQ(message.routers()[0], server);
    ASSERT_EQ(message.dns_servers().size(), 2u);
    EXPECT_EQ(message.dns_servers()[0], server);
    EXPECT_EQ(message.dns_servers()[1], address(9, 9, 9, 9));
    std::vector<Ipv4Address> listed(message.dns_servers().begin(), message.dns_servers().end());
    EXPECT_EQ(listed, (std::vector{server, address(9, 9, 9, 9)}));
    EXPECT_EQ(message.domain_name(), "example.internal");
    EXPECT_FALSE(message.requested_address());
    EXPECT_FALSE(message.host_name());
}

TEST(Dhcpv4Message, ParsesOffer) {
    auto bytes = from_hex(offer_hex);
    ASSERT_EQ(bytes.size(), 314u);
    Dhcpv4Message message = parse_ok(bytes);
    EXPECT_EQ(message.message_type(), Dhcpv4MessageType::offer);
    EXPECT_FALSE(message.broadcast());
    expect_offer_options(message);
}

TEST(Dhcpv4Message, ParsesAck) {
    auto message_bytes = from_hex(ack_hex);
    Dhcpv4Message message = parse_ok(message_bytes);
    EXPECT_EQ(message.message_type(), Dhcpv4MessageType::ack);
    EXPECT_TRUE(message.broadcast());
    EXPECT_EQ(message.flags(), Dhcpv4Message::broadcast_flag);
    expect_offer_options(message);
}

TEST(Dhcpv4Message, ParsesRequest) {
    auto message_bytes = from_hex(request_hex);
    Dhcpv4Message message = parse_ok(message_bytes);
    EXPECT_EQ(message.operation(), Dhcpv4Operation::boot_request);
    EXPECT_EQ(message.message_type(), Dhcpv4MessageType::request);
    EXPECT_EQ(message.seconds(), 4);
    EXPECT_TRUE(message.broadcast());
    ASSERT_TRUE(message.client_identifier());
    EXPECT_EQ(*message.client_identifier(), ByteView{client_id});
    EXPECT_EQ(message.requested_address(), offered);
    EXPECT_EQ(message.server_identifier(), server);
    EXPECT_EQ(message.maximum_message_size(), 1500);
    EXPECT_EQ(message.host_name(), "oasis");
    EXPECT_EQ(*message.parameter_request_list(), ByteView{parameter_list});
}

TEST(Dhcpv4Message, ParsesReleaseAndDecline) {
    auto release_bytes = from_hex(release_hex);
    Dhcpv4Message release = parse_ok(release_bytes);
    EXPECT_EQ(release.message_type(), Dhcpv4MessageType::release);
    EXPECT_EQ(release.client_address(), offered);
    EXPECT_EQ(release.server_identifier(), server);
    EXPECT_FALSE(release.requested_address());

    auto decline_bytes = from_hex(decline_hex);
    Dhcpv4Message decline = parse_ok(decline_bytes);
    EXPECT_EQ(decline.message_type(), Dhcpv4MessageType::decline);
    EXPECT_TRUE(decline.client_address().is_unspecified());
    EXPECT_EQ(decline.requested_address(), offered);
    EXPECT_EQ(decline.server_identifier(), server);
}

TEST(Dhcpv4Message, IteratorYieldsEveryOptionInOrder) {
    auto bytes = from_hex(offer_hex);
    Dhcpv4Message message = parse_ok(bytes);
    Dhcpv4OptionIterator options = message.options_iterator();
    std::vector<std::uint8_t> codes;
    std::vector<std::size_t> lengths;
    while (true) {
        auto option = options.next();
        ASSERT_TRUE(option.has_value());
        if (!*option) {
            break;
        }
        codes.push_back(std::uint8_t((*option)->code));
        lengths.push_back((*option)->data.size());
    }
    // Broadcast address (28) is not one the view exposes; the walk shows it.
    EXPECT_EQ(codes, (std::vector<std::uint8_t>{53, 54, 51, 58, 59, 1, 28, 3, 6, 15}));
    EXPECT_EQ(lengths, (std::vector<std::size_t>{1, 4, 4, 4, 4, 4, 4, 4, 8, 16}));
    // At the end it stays at the end.
    auto again = options.next();
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(*again);
}

// ---- The option iterator on its own ----

TEST(Dhcpv4OptionIterator, SkipsPadAndStopsAtEnd) {
    // Pad, pad, option 80 (rapid commit, RFC 4039) with no data, pad, End,
    // then bytes that would be a broken option if they were read.
    auto bytes = from_hex(
        "00005000"
        "00ff"
        "3309");
    Dhcpv4OptionIterator options{ByteView{bytes}};
    auto first = options.next();
    ASSERT_TRUE(first.has_value());
    ASSERT_TRUE(*first);
    EXPECT_EQ(std::uint8_t((*first)->code), 80);
    EXPECT_TRUE((*first)->data.empty());
    auto second = options.next();
    ASSERT_TRUE(second.has_value());
    EXPECT_FALSE(*second);
}

TEST(Dhcpv4OptionIterator, RefusesOptionsRunningPastTheEnd) {
    struct Case {
        std::string_view hex;
        WireError error;
    };
    for (Case broken : {
             Case{"3304000e10", WireError::bad_option},  // 4 bytes announced, 3 there
             Case{"33", WireError::bad_option},          // no length byte
             Case{"0000", WireError::truncated},         // padding without End
             Case{"", WireError::truncated},             // nothing at all
             Case{"350101", WireError::truncated},       // a whole option, no End
         }) {
        SCOPED_TRACE(broken.hex);
        auto bytes = from_hex(broken.hex);
        Dhcpv4OptionIterator options{ByteView{bytes}};
        auto result = options.next();
        if (broken.hex == "350101") {
            ASSERT_TRUE(result.has_value());
            result = options.next();
        }
        ASSERT_TRUE(result.is_error());
        EXPECT_EQ(result.error(), broken.error);
        // The walk cannot resynchronise: it keeps failing.
        auto later = options.next();
        ASSERT_TRUE(later.is_error());
        EXPECT_EQ(later.error(), broken.error);
    }
}

// ---- Refusing malformed messages ----

TEST(Dhcpv4Message, RefusesEveryTruncation) {
    for (std::string_view hex :
         {discover_hex, offer_hex, request_hex, ack_hex, release_hex, decline_hex}) {
        auto bytes = from_hex(hex);
        parse_ok(bytes);
        // Find the End option: cuts after it only drop padding.
        std::size_t end = options_start;
        while (end < bytes.size() && bytes[end] != std::byte{0xff}) {
            // Skip whole options: a 0xff may sit inside an option's data.
            end +=
                bytes[end] == std::byte{0} ? 1 : 2 + std::to_integer<std::size_t>(bytes[end + 1]);
        }
        ASSERT_LT(end, bytes.size());
        for (std::size_t length = 0; length <= end; ++length) {
            SCOPED_TRACE(length);
            std::vector<std::byte> cut(bytes.begin(), bytes.begin() + length);
            auto result = Dhcpv4Message::parse(ByteView{cut});
            ASSERT_TRUE(result.is_error());
            if (length < Dhcpv4Message::header_size) {
                EXPECT_EQ(result.error(), WireError::truncated);
            } else {
                EXPECT_TRUE(result.error() == WireError::truncated ||
                            result.error() == WireError::bad_option);
            }
        }
        for (std::size_t length = end + 1; length <= bytes.size(); ++length) {
            std::vector<std::byte> cut(bytes.begin(), bytes.begin() + length);
            EXPECT_TRUE(Dhcpv4Message::parse(ByteView{cut}).has_value()) << length;
        }
    }
}

TEST(Dhcpv4Message, RefusesABadCookie) {
    auto bytes = from_hex(offer_hex);
    bytes[Dhcpv4Message::fixed_size + 3] = std::byte{0x64};  // 99.130.83.100
    EXPECT_EQ(parse_error(bytes), WireError::unsupported);
    bytes = from_hex(offer_hex);
    bytes[Dhcpv4Message::fixed_size] = std::byte{0};
    EXPECT_EQ(parse_error(bytes), WireError::unsupported);
}

TEST(Dhcpv4Message, RefusesAnOptionLengthPastTheEnd) {
    auto bytes = from_hex(offer_hex);
    // The last option is the domain name (16 bytes) before End. Claiming 17
    // swallows End, so the options end without one; 18 runs past the buffer.
    std::size_t domain_length = bytes.size() - 1 - 16 - 1;
    ASSERT_EQ(bytes[domain_length - 1], std::byte{15});
    bytes[domain_length] = std::byte{17};
    EXPECT_EQ(parse_error(bytes), WireError::truncated);
    bytes[domain_length] = std::byte{18};
    EXPECT_EQ(parse_error(bytes), WireError::bad_option);
    bytes[domain_length] = std::byte{255};
    EXPECT_EQ(parse_error(bytes), WireError::bad_option);
}

TEST(Dhcpv4Message, RefusesKnownOptionsOfImpossibleLength) {
    for (std::string_view options : {
             "3500ff",                    // message type, zero length
             "35020101ff",                // message type, two bytes
             "3501023603c0a87aff",        // server identifier of 3 bytes
             "3501023205c0a87a4c00ff",    // requested address of 5 bytes
             "350102330300000eff",        // lease time of 3 bytes
             "3501023a0200ffff",          // T1 of 2 bytes
             "3501023b050000000000ff",    // T2 of 5 bytes
             "3501020103ffffffff",        // subnet mask of 3 bytes
             "3501020300ff",              // router list, empty
             "3501020306c0a87a010909ff",  // router list of 1.5 addresses
             "3501020602c0a8ff",          // DNS list of half an address
             "3501020f00ff",              // domain name, empty
             "3501020c00ff",              // host name, empty
             "3501023700ff",              // parameter request list, empty
             "3501023d0101ff",            // client identifier of 1 byte
             "350102390105ff",            // maximum message size of 1 byte
             "3501023902023fff",          // maximum message size 575
         }) {
        SCOPED_TRACE(options);
        EXPECT_EQ(parse_error(with_options(options)), WireError::bad_option);
    }
}

TEST(Dhcpv4Message, RefusesWhatItDoesNotSupport) {
    // No message type: plain BOOTP.
    EXPECT_EQ(parse_error(with_options("ff")), WireError::unsupported);
    EXPECT_EQ(parse_error(with_options("0104ffffff00ff")), WireError::unsupported);
    // Option overload (RFC 2132 §9.3), even with a valid value.
    EXPECT_EQ(parse_error(with_options("350102340103ff")), WireError::unsupported);
    // A second server identifier (RFC 3396 would concatenate the two).
    EXPECT_EQ(parse_error(with_options("3501023604c0a87a013604c0a87a02ff")),
              WireError::unsupported);
    // A second message type.
    EXPECT_EQ(parse_error(with_options("350102350105ff")), WireError::unsupported);
    // An op other than BOOTREQUEST and BOOTREPLY.
    auto bytes = from_hex(offer_hex);
    bytes[0] = std::byte{3};
    EXPECT_EQ(parse_error(bytes), WireError::unsupported);
    bytes[0] = std::byte{0};
    EXPECT_EQ(parse_error(bytes), WireError::unsupported);
}

TEST(Dhcpv4Message, RefusesAHardwareLengthAboveSixteen) {
    auto bytes = from_hex(offer_hex);
    bytes[2] = std::byte{16};
    Dhcpv4Message message = parse_ok(bytes);
    EXPECT_EQ(message.client_hardware_address().size(), 16u);
    EXPECT_FALSE(message.client_mac());
    bytes[2] = std::byte{17};
    EXPECT_EQ(parse_error(bytes), WireError::bad_length);
    bytes[2] = std::byte{255};
    EXPECT_EQ(parse_error(bytes), WireError::bad_length);
}

TEST(Dhcpv4Message, RefusesMoreThan65535Bytes) {
    auto bytes = with_options("350102ff");
    bytes.resize(65535);
    EXPECT_TRUE(Dhcpv4Message::parse(ByteView{bytes}).has_value());
    bytes.resize(65536);
    EXPECT_EQ(parse_error(bytes), WireError::bad_length);
}

// ---- Accepting what is odd but legal ----

TEST(Dhcpv4Message, AcceptsUnknownOptionsAndTheirRepetition) {
    // Rapid commit (80) twice with no data, vendor class (60), then a message type.
    auto bytes = with_options(
        "50005000"
        "3c03616263"
        "350105ff");
    Dhcpv4Message message = parse_ok(bytes);
    EXPECT_EQ(message.message_type(), Dhcpv4MessageType::ack);
}

TEST(Dhcpv4Message, KeepsAnyMessageTypeValue) {
    // FORCERENEW (9, RFC 3203) is not in RFC 2132's list but may reach a client.
    EXPECT_EQ(parse_ok(with_options("350109ff")).message_type(), Dhcpv4MessageType{9});
}

TEST(Dhcpv4Message, LeavesTrailingNulsOutOfNames) {
    // Domain "lan\0", host name "h\0\0".
    auto bytes = with_options(
        "350105"
        "0f046c616e00"
        "0c03680000"
        "ff");
    Dhcpv4Message message = parse_ok(bytes);
    EXPECT_EQ(message.domain_name(), "lan");
    EXPECT_EQ(message.host_name(), "h");
}

TEST(Dhcpv4Message, ReadsServerNameAndBootFile) {
    auto bytes = with_options("350102ff");
    std::string_view name = "tftp.example";
    std::string_view file = "pxelinux.0";
    for (std::size_t index = 0; index < name.size(); ++index) {
        bytes[44 + index] = std::byte(name[index]);
    }
    for (std::size_t index = 0; index < file.size(); ++index) {
        bytes[108 + index] = std::byte(file[index]);
    }
    Dhcpv4Message message = parse_ok(bytes);
    EXPECT_EQ(message.server_name(), name);
    EXPECT_EQ(message.boot_file(), file);
    // A field without NUL is read to its end and no further.
    for (std::size_t index = 44; index < 108; ++index) {
        bytes[index] = std::byte{'s'};
    }
    EXPECT_EQ(parse_ok(bytes).server_name(), std::string(64, 's'));
}

TEST(Dhcpv4Message, ReportsNoMacForOtherHardware) {
    auto bytes = from_hex(offer_hex);
    bytes[1] = std::byte{6};  // IEEE 802
    EXPECT_FALSE(parse_ok(bytes).client_mac());
    EXPECT_EQ(parse_ok(bytes).client_hardware_address().size(), 6u);
}

// ---- Emitting a client's messages ----

std::vector<std::byte> emit_ok(const Dhcpv4ClientFields& fields) {
    std::vector<std::byte> bytes(fields.length(), std::byte{0xee});
    auto result = Dhcpv4Message::emit(MutableByteView{bytes}, fields);
    EXPECT_TRUE(result.has_value()) << "error " << wire_error_name(result.error());
    return bytes;
}

WireError emit_error(const Dhcpv4ClientFields& fields) {
    std::vector<std::byte> bytes(fields.length() + 10, std::byte{0xee});
    auto result = Dhcpv4Message::emit(MutableByteView{bytes}, fields);
    EXPECT_TRUE(result.is_error());
    // Nothing is written on error.
    EXPECT_EQ(bytes, std::vector<std::byte>(bytes.size(), std::byte{0xee}));
    return result.is_error() ? result.error() : WireError::truncated;
}

Dhcpv4ClientFields discover_fields() {
    return Dhcpv4ClientFields{
        .type = Dhcpv4MessageType::discover,
        .transaction_id = fixture_transaction_id,
        .seconds = 3,
        .client_mac = client_mac,
        .requested_address = offered,
        .host_name = "oasis",
        .parameter_request_list = ByteView{parameter_list},
    };
}

Dhcpv4ClientFields request_fields() {
    return Dhcpv4ClientFields{
        .type = Dhcpv4MessageType::request,
        .transaction_id = fixture_transaction_id,
        .seconds = 4,
        .broadcast = true,
        .client_mac = client_mac,
        .requested_address = offered,
        .server_identifier = server,
        .maximum_message_size = 1500,
        .client_identifier = ByteView{client_id},
        .host_name = "oasis",
        .parameter_request_list = ByteView{parameter_list},
    };
}

Dhcpv4ClientFields release_fields() {
    return Dhcpv4ClientFields{
        .type = Dhcpv4MessageType::release,
        .transaction_id = 0x5a17c0de,
        .client_mac = client_mac,
        .client_address = offered,
        .server_identifier = server,
        .client_identifier = ByteView{client_id},
    };
}

Dhcpv4ClientFields decline_fields() {
    return Dhcpv4ClientFields{
        .type = Dhcpv4MessageType::decline,
        .transaction_id = 0x0badcafe,
        .client_mac = client_mac,
        .requested_address = offered,
        .server_identifier = server,
        .client_identifier = ByteView{client_id},
    };
}

TEST(Dhcpv4Emit, MatchesScapyByteForByte) {
    EXPECT_EQ(emit_ok(discover_fields()), from_hex(discover_hex));
    EXPECT_EQ(emit_ok(request_fields()), from_hex(request_hex));
    EXPECT_EQ(emit_ok(release_fields()), from_hex(release_hex));
    EXPECT_EQ(emit_ok(decline_fields()), from_hex(decline_hex));
}

TEST(Dhcpv4Emit, WritesOnlyItsLengthIntoALargerBuffer) {
    Dhcpv4ClientFields fields = discover_fields();
    EXPECT_EQ(fields.length(), 300u);
    std::vector<std::byte> bytes(400, std::byte{0xee});
    ASSERT_TRUE(Dhcpv4Message::emit(MutableByteView{bytes}, fields).has_value());
    EXPECT_EQ(std::vector<std::byte>(bytes.begin(), bytes.begin() + 300), from_hex(discover_hex));
    EXPECT_EQ(std::vector<std::byte>(bytes.begin() + 300, bytes.end()),
              std::vector<std::byte>(100, std::byte{0xee}));
}

TEST(Dhcpv4Emit, RefusesASmallBuffer) {
    Dhcpv4ClientFields fields = discover_fields();
    std::vector<std::byte> bytes(299, std::byte{0xee});
    auto result = Dhcpv4Message::emit(MutableByteView{bytes}, fields);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), WireError::no_room);
    EXPECT_EQ(bytes, std::vector<std::byte>(299, std::byte{0xee}));
}

TEST(Dhcpv4Emit, GrowsPast300BytesAndParsesBack) {
    Dhcpv4ClientFields fields = request_fields();
    std::string long_name(200, 'n');
    fields.host_name = long_name;
    fields.lease_time = 86400;
    // 240 + 3 + 9 + 6 + 6 + 6 + 4 + 202 + 15 + 1
    EXPECT_EQ(fields.length(), 492u);
    auto bytes = emit_ok(fields);
    Dhcpv4Message message = parse_ok(bytes);
    EXPECT_EQ(message.message_type(), Dhcpv4MessageType::request);
    EXPECT_EQ(message.transaction_id(), fixture_transaction_id);
    EXPECT_EQ(message.seconds(), 4);
    EXPECT_TRUE(message.broadcast());
    EXPECT_EQ(message.client_mac(), client_mac);
    EXPECT_EQ(message.requested_address(), offered);
    EXPECT_EQ(message.server_identifier(), server);
    EXPECT_EQ(message.lease_time(), 86400u);
    EXPECT_EQ(message.maximum_message_size(), 1500);
    EXPECT_EQ(message.host_name(), long_name);
    EXPECT_EQ(*message.client_identifier(), ByteView{client_id});
    EXPECT_EQ(*message.parameter_request_list(), ByteView{parameter_list});
}

TEST(Dhcpv4Emit, EmitsTheOtherRequestsAndInform) {
    // INIT-REBOOT: the remembered address, no server (RFC 2131 §4.3.2).
    Dhcpv4ClientFields init_reboot = request_fields();
    init_reboot.server_identifier.reset();
    EXPECT_FALSE(parse_ok(emit_ok(init_reboot)).server_identifier());
    // RENEWING and REBINDING: the address in ciaddr only.
    Dhcpv4ClientFields renewing = request_fields();
    renewing.requested_address.reset();
    renewing.server_identifier.reset();
    renewing.client_address = offered;
    auto renewal_bytes = emit_ok(renewing);
    Dhcpv4Message renewal = parse_ok(renewal_bytes);
    EXPECT_EQ(renewal.client_address(), offered);
    EXPECT_FALSE(renewal.requested_address());
    Dhcpv4ClientFields inform = renewing;
    inform.type = Dhcpv4MessageType::inform;
    EXPECT_EQ(parse_ok(emit_ok(inform)).message_type(), Dhcpv4MessageType::inform);
}

TEST(Dhcpv4Emit, RefusesWhatTable5Forbids) {
    auto expect_refused = [](Dhcpv4ClientFields fields, const char* why) {
        SCOPED_TRACE(why);
        EXPECT_EQ(emit_error(fields), WireError::bad_option);
    };
    Dhcpv4ClientFields fields = discover_fields();
    fields.server_identifier = server;
    expect_refused(fields, "DISCOVER with a server identifier");
    fields = discover_fields();
    fields.client_address = offered;
    expect_refused(fields, "DISCOVER with ciaddr");
    for (auto type : {Dhcpv4MessageType::offer, Dhcpv4MessageType::ack, Dhcpv4MessageType::nak,
                      Dhcpv4MessageType{0}, Dhcpv4MessageType{9}}) {
        fields = discover_fields();
        fields.type = type;
        expect_refused(fields, "a type a client does not send");
    }
    fields = request_fields();
    fields.requested_address.reset();
    expect_refused(fields, "REQUEST with neither ciaddr nor a requested address");
    fields = request_fields();
    fields.client_address = offered;
    expect_refused(fields, "REQUEST with ciaddr and a requested address");
    fields = request_fields();
    fields.requested_address.reset();
    fields.client_address = offered;
    expect_refused(fields, "renewing REQUEST with a server identifier");

    fields = release_fields();
    fields.client_address = Ipv4Address{};
    expect_refused(fields, "RELEASE without ciaddr");
    fields = release_fields();
    fields.server_identifier.reset();
    expect_refused(fields, "RELEASE without a server identifier");
    fields = release_fields();
    fields.requested_address = offered;
    expect_refused(fields, "RELEASE with a requested address");
    fields = release_fields();
    fields.seconds = 1;
    expect_refused(fields, "RELEASE with secs");
    fields = release_fields();
    fields.broadcast = true;
    expect_refused(fields, "RELEASE with the broadcast flag");

    fields = decline_fields();
    fields.client_address = offered;
    expect_refused(fields, "DECLINE with ciaddr");
    fields = decline_fields();
    fields.requested_address.reset();
    expect_refused(fields, "DECLINE without a requested address");
    fields = decline_fields();
    fields.lease_time = 60;
    expect_refused(fields, "DECLINE with a lease time");
    fields = decline_fields();
    fields.parameter_request_list = ByteView{parameter_list};
    expect_refused(fields, "DECLINE with a parameter request list");
    fields = decline_fields();
    fields.maximum_message_size = 1500;
    expect_refused(fields, "DECLINE with a maximum message size");

    fields = request_fields();
    fields.type = Dhcpv4MessageType::inform;
    expect_refused(fields, "INFORM without ciaddr");
}

TEST(Dhcpv4Emit, RefusesOptionsThatDoNotFit) {
    auto expect_refused = [](Dhcpv4ClientFields fields, const char* why) {
        SCOPED_TRACE(why);
        EXPECT_EQ(emit_error(fields), WireError::bad_option);
    };
    std::vector<std::byte> one_byte(1, std::byte{1});
    std::vector<std::byte> too_long(256, std::byte{1});
    std::string long_name(256, 'n');
    Dhcpv4ClientFields fields = request_fields();
    fields.client_identifier = ByteView{one_byte};
    expect_refused(fields, "client identifier of 1 byte");
    fields = request_fields();
    fields.client_identifier = ByteView{too_long};
    expect_refused(fields, "client identifier of 256 bytes");
    fields = request_fields();
    fields.parameter_request_list = ByteView{too_long};
    expect_refused(fields, "parameter list of 256 bytes");
    fields = request_fields();
    fields.host_name = long_name;
    expect_refused(fields, "host name of 256 bytes");
    fields = request_fields();
    fields.maximum_message_size = 575;
    expect_refused(fields, "maximum message size below 576");

    // 255 bytes still fit in one option.
    too_long.resize(255);
    fields = request_fields();
    fields.client_identifier = ByteView{too_long};
    EXPECT_EQ(parse_ok(emit_ok(fields)).client_identifier()->size(), 255u);
}

}  // namespace
}  // namespace oasis::net
