// Tests of the DHCP client on a scripted virtual timeline, the test acting as the server.
#include "net/dhcp/client.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/buffer.hpp"
#include "core/testing/hex.hpp"

namespace oasis::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// An OFFER and an ACK that scapy 2.5 built (the fixtures of
// net/wire/dhcpv4_test.cpp, where the script is):
//   BOOTP(op=2, chaddr=52:54:00:12:34:56, xid=0x3903f326, yiaddr="192.168.122.76",
//         siaddr="192.168.122.1") / DHCP(options=[("message-type", "offer"),
//   ("server_id", "192.168.122.1"), ("lease_time", 3600), ("renewal_time", 1800),
//   ("rebinding_time", 3150), ("subnet_mask", "255.255.255.0"),
//   ("broadcast_address", "192.168.122.255"), ("router", "192.168.122.1"),
//   ("name_server", "192.168.122.1", "9.9.9.9"), ("domain", b"example.internal"), "end"])
// and the ACK the same with message-type "ack" and flags=0x8000. The client
// picks its own xid, so the tests write it over bytes 4 to 7.
#define ZEROS_32 "0000000000000000000000000000000000000000000000000000000000000000"
#define MIDDLE_ZEROS                                                                              \
    "3456000000000000000000000000000000000000000000000000000000000000" ZEROS_32 ZEROS_32 ZEROS_32 \
        ZEROS_32 ZEROS_32

constexpr std::string_view offer_hex =
    "020106003903f3260000000000000000c0a87a4cc0a87a010000000052540012" MIDDLE_ZEROS
    "000000000000000000000000638253633501023604c0a87a01330400000e103a"
    "04000007083b0400000c4e0104ffffff001c04c0a87aff0304c0a87a010608c0"
    "a87a01090909090f106578616d706c652e696e7465726e616cff";

constexpr std::string_view ack_hex =
    "020106003903f3260000800000000000c0a87a4cc0a87a010000000052540012" MIDDLE_ZEROS
    "000000000000000000000000638253633501053604c0a87a01330400000e103a"
    "04000007083b0400000c4e0104ffffff001c04c0a87aff0304c0a87a010608c0"
    "a87a01090909090f106578616d706c652e696e7465726e616cff";

using oasis::testing::from_hex;

std::vector<std::byte> with_transaction_id(std::string_view hex, std::uint32_t transaction_id) {
    std::vector<std::byte> bytes = from_hex(hex);
    store_be32(bytes.data() + 4, transaction_id);
    return bytes;
}

constexpr MacAddress client_mac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
constexpr MacAddress other_mac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x57}};
constexpr Ipv4Address offered = Ipv4Address::from_octets(192, 168, 122, 76);
constexpr Ipv4Address server = Ipv4Address::from_octets(192, 168, 122, 1);
constexpr Ipv4Address other_server = Ipv4Address::from_octets(192, 168, 122, 2);
constexpr Ipv4Address quad9 = Ipv4Address::from_octets(9, 9, 9, 9);

crypto::ChaChaRng::Seed test_seed() {
    crypto::ChaChaRng::Seed seed{};
    for (std::size_t index = 0; index < seed.size(); ++index) {
        seed[index] = std::byte(index * 7 + 1);
    }
    return seed;
}

// A server's reply, built field by field (the wire emitter writes only a
// client's messages). Options appear in the order dnsmasq sends them.
struct Reply {
    Dhcpv4MessageType type = Dhcpv4MessageType::offer;
    std::uint32_t transaction_id = 0;
    Dhcpv4Operation operation = Dhcpv4Operation::boot_reply;
    MacAddress mac = client_mac;
    Ipv4Address your_address = offered;
    std::optional<Ipv4Address> server_identifier = server;
    std::optional<std::uint32_t> lease_time = 3600;
    std::optional<std::uint32_t> renewal_time{};
    std::optional<std::uint32_t> rebinding_time{};
    std::optional<Ipv4Address> subnet_mask = Ipv4Address::from_octets(255, 255, 255, 0);
    std::vector<Ipv4Address> routers{server};
    std::vector<Ipv4Address> dns_servers{server};

    std::vector<std::byte> bytes() const {
        std::vector<std::byte> buffer(600);
        ByteWriter writer{MutableByteView{buffer}};
        auto put_address = [&](Ipv4Address address) { (void)writer.put_u32_be(address.to_u32()); };
        auto put_option_u32 = [&](std::uint8_t code, std::optional<std::uint32_t> value) {
            if (value) {
                (void)writer.put_u8(code);
                (void)writer.put_u8(4);
                (void)writer.put_u32_be(*value);
            }
        };
        auto put_option_addresses = [&](std::uint8_t code, const std::vector<Ipv4Address>& list) {
            if (!list.empty()) {
                (void)writer.put_u8(code);
                (void)writer.put_u8(static_cast<std::uint8_t>(4 * list.size()));
                for (Ipv4Address address : list) {
                    put_address(address);
                }
            }
        };
        (void)writer.put_u8(static_cast<std::uint8_t>(operation));
        (void)writer.put_u8(1);  // Ethernet
        (void)writer.put_u8(6);
        (void)writer.put_u8(0);
        (void)writer.put_u32_be(transaction_id);
        (void)writer.put_u32_be(0);  // secs, flags
        put_address(Ipv4Address{});  // ciaddr
        put_address(your_address);
        put_address(Ipv4Address{});  // siaddr
        put_address(Ipv4Address{});  // giaddr
        for (std::uint8_t octet : mac.octets) {
            (void)writer.put_u8(octet);
        }
        (void)writer.put_fill(10 + 64 + 128, std::byte{0});
        (void)writer.put_u32_be(Dhcpv4Message::magic_cookie);
        (void)writer.put_u8(53);
        (void)writer.put_u8(1);
        (void)writer.put_u8(static_cast<std::uint8_t>(type));
        if (server_identifier) {
            put_option_addresses(54, {*server_identifier});
        }
        put_option_u32(51, lease_time);
        put_option_u32(58, renewal_time);
        put_option_u32(59, rebinding_time);
        if (subnet_mask) {
            put_option_addresses(1, {*subnet_mask});
        }
        put_option_addresses(3, routers);
        put_option_addresses(6, dns_servers);
        (void)writer.put_u8(255);
        buffer.resize(writer.position());
        return buffer;
    }
};

// What the client sent, parsed back with the wire view.
struct Sent {
    DhcpTransmit transmit;
    Dhcpv4MessageType type{};
    std::uint32_t transaction_id = 0;
    std::uint16_t seconds = 0;
    bool broadcast_flag = false;
    std::optional<MacAddress> mac;
    Ipv4Address client_address;
    std::optional<Ipv4Address> requested_address;
    std::optional<Ipv4Address> server_identifier;
    std::optional<ByteView> client_identifier;
};

class DhcpClientTest : public ::testing::Test {
protected:
    // Drains the client's queue and parses what it sent.
    std::vector<Sent> sent() {
        std::vector<Sent> messages;
        while (auto transmit = client.poll_transmit()) {
            auto parsed = Dhcpv4Message::parse(ByteView{transmit->payload});
            EXPECT_TRUE(parsed.has_value());
            if (!parsed) {
                continue;
            }
            const Dhcpv4Message& message = parsed.value();
            EXPECT_EQ(message.operation(), Dhcpv4Operation::boot_request);
            messages.push_back(Sent{*transmit, message.message_type(), message.transaction_id(),
                                    message.seconds(), message.broadcast(), message.client_mac(),
                                    message.client_address(), message.requested_address(),
                                    message.server_identifier(), message.client_identifier()});
        }
        return messages;
    }

    // The one message the client should have sent by now.
    Sent sent_one() {
        std::vector<Sent> messages = sent();
        EXPECT_EQ(messages.size(), 1u);
        if (messages.size() != 1) {
            ADD_FAILURE() << "expected one message, got " << messages.size();
            return Sent{};
        }
        return messages.front();
    }

    std::vector<DhcpEvent> events() {
        std::vector<DhcpEvent> drained;
        while (auto event = client.poll_event()) {
            drained.push_back(*event);
        }
        return drained;
    }

    void deliver(const std::vector<std::byte>& bytes) { client.on_message(ByteView{bytes}, now); }

    // Moves the clock to the client's deadline and fires it.
    void advance_to_deadline() {
        ASSERT_TRUE(client.next_deadline().has_value());
        now = *client.next_deadline();
        client.on_timer(now);
    }

    // DISCOVER, OFFER, REQUEST, ACK; returns the xid of the exchange.
    std::uint32_t acquire(Reply ack = Reply{}) {
        client.start(now);
        std::uint32_t transaction_id = sent_one().transaction_id;
        now += milliseconds{150};
        deliver(with_transaction_id(offer_hex, transaction_id));
        EXPECT_EQ(sent_one().type, Dhcpv4MessageType::request);
        request_sent_at = now;
        now += milliseconds{20};
        ack.type = Dhcpv4MessageType::ack;
        ack.transaction_id = transaction_id;
        deliver(ack.bytes());
        EXPECT_EQ(client.state(), DhcpState::bound);
        EXPECT_EQ(events().size(), 1u);
        return transaction_id;
    }

    crypto::ChaChaRng random{test_seed()};
    DhcpClient client{client_mac, random};
    Instant now = Instant{} + seconds{1000};
    Instant request_sent_at{};
};

// ---- The happy path ----

TEST_F(DhcpClientTest, AcquiresALeaseThroughDiscoverOfferRequestAck) {
    EXPECT_EQ(client.state(), DhcpState::stopped);
    EXPECT_FALSE(client.next_deadline());
    client.start(now);

    // RFC 2131 §4.4.1: DISCOVER broadcast from 0.0.0.0, replies not asked to
    // be broadcast, the same client identifier in every message (§4.2).
    Sent discover = sent_one();
    EXPECT_EQ(client.state(), DhcpState::selecting);
    EXPECT_EQ(discover.type, Dhcpv4MessageType::discover);
    EXPECT_TRUE(discover.transmit.is_broadcast());
    EXPECT_EQ(discover.transmit.source, Ipv4Address::unspecified());
    EXPECT_EQ(discover.mac, client_mac);
    EXPECT_FALSE(discover.broadcast_flag);
    EXPECT_EQ(discover.seconds, 0);
    EXPECT_EQ(discover.client_address, Ipv4Address::unspecified());
    EXPECT_FALSE(discover.server_identifier);
    ASSERT_TRUE(discover.client_identifier);
    EXPECT_EQ(*discover.client_identifier, ByteView{from_hex("01525400123456")});

    // The scapy OFFER, answered 1.5 s later: REQUEST broadcast, same xid,
    // naming the offered address and its server (§4.3.2 SELECTING).
    now += milliseconds{1500};
    deliver(with_transaction_id(offer_hex, discover.transaction_id));
    Sent request = sent_one();
    EXPECT_EQ(client.state(), DhcpState::requesting);
    EXPECT_EQ(request.type, Dhcpv4MessageType::request);
    EXPECT_EQ(request.transaction_id, discover.transaction_id);
    EXPECT_TRUE(request.transmit.is_broadcast());
    EXPECT_EQ(request.transmit.source, Ipv4Address::unspecified());
    EXPECT_EQ(request.client_address, Ipv4Address::unspecified());
    EXPECT_EQ(request.requested_address, offered);
    EXPECT_EQ(request.server_identifier, server);
    // §4.4.1: the REQUEST repeats the DISCOVER's secs, 1.5 s later.
    EXPECT_EQ(request.seconds, discover.seconds);
    EXPECT_EQ(request.client_identifier, discover.client_identifier);
    Instant requested_at = now;

    // The scapy ACK.
    now += milliseconds{30};
    deliver(with_transaction_id(ack_hex, discover.transaction_id));
    EXPECT_TRUE(sent().empty());
    EXPECT_EQ(client.state(), DhcpState::bound);
    std::vector<DhcpEvent> happened = events();
    ASSERT_EQ(happened.size(), 1u);
    EXPECT_EQ(happened[0].kind, DhcpEventKind::acquired);
    const DhcpLease& lease = happened[0].lease;
    EXPECT_EQ(lease.address, Ipv4Prefix(offered, 24));
    EXPECT_EQ(lease.router, server);
    EXPECT_EQ(lease.dns_servers, (std::vector<Ipv4Address>{server, quad9}));
    EXPECT_EQ(lease.server_identifier, server);
    EXPECT_EQ(lease.lease_time, seconds{3600});
    EXPECT_EQ(lease.renewal_time, seconds{1800});
    EXPECT_EQ(lease.rebinding_time, seconds{3150});
    // §4.4.1: the lease runs from when the REQUEST went out.
    EXPECT_EQ(lease.acquired_at, requested_at);
    EXPECT_EQ(lease.expires_at(), requested_at + seconds{3600});
    EXPECT_EQ(client.lease(), lease);
    EXPECT_EQ(client.next_deadline(), requested_at + seconds{1800});
    EXPECT_EQ(client.stats().received, 2u);
    EXPECT_EQ(client.stats().malformed + client.stats().unexpected + client.stats().not_for_us, 0u);
    EXPECT_EQ(client.stats().transmitted, 2u);
}

TEST_F(DhcpClientTest, IgnoresATimerCalledEarly) {
    client.start(now);
    (void)sent();
    Instant deadline = *client.next_deadline();
    client.on_timer(deadline - milliseconds{1});
    EXPECT_TRUE(sent().empty());
    EXPECT_EQ(client.next_deadline(), deadline);
}

// ---- Replies that are not for this client ----

TEST_F(DhcpClientTest, IgnoresOffersWithAnotherXidOrChaddr) {
    client.start(now);
    std::uint32_t transaction_id = sent_one().transaction_id;

    deliver(with_transaction_id(offer_hex, transaction_id + 1));
    Reply other_host;
    other_host.transaction_id = transaction_id;
    other_host.mac = other_mac;
    deliver(other_host.bytes());
    // A request (another client's DISCOVER, echoed by a bridge) is no reply.
    Reply request;
    request.transaction_id = transaction_id;
    request.operation = Dhcpv4Operation::boot_request;
    deliver(request.bytes());

    EXPECT_TRUE(sent().empty());
    EXPECT_EQ(client.state(), DhcpState::selecting);
    EXPECT_EQ(client.stats().not_for_us, 3u);

    // An ACK before any REQUEST is ours but out of place.
    Reply early_ack;
    early_ack.type = Dhcpv4MessageType::ack;
    early_ack.transaction_id = transaction_id;
    deliver(early_ack.bytes());
    EXPECT_EQ(client.stats().unexpected, 1u);
    EXPECT_EQ(client.state(), DhcpState::selecting);

    deliver(with_transaction_id(offer_hex, transaction_id));
    EXPECT_EQ(sent_one().type, Dhcpv4MessageType::request);
    EXPECT_EQ(client.state(), DhcpState::requesting);

    // A second server's offer arrives late: the first one won (§4.4.1).
    Reply late_offer;
    late_offer.transaction_id = transaction_id;
    late_offer.server_identifier = other_server;
    deliver(late_offer.bytes());
    EXPECT_TRUE(sent().empty());
    EXPECT_EQ(client.stats().unexpected, 2u);
    // An ACK naming another server does not answer this REQUEST (§4.3.2).
    Reply foreign_ack;
    foreign_ack.type = Dhcpv4MessageType::ack;
    foreign_ack.transaction_id = transaction_id;
    foreign_ack.server_identifier = other_server;
    deliver(foreign_ack.bytes());
    EXPECT_EQ(client.state(), DhcpState::requesting);
    EXPECT_EQ(client.stats().unexpected, 3u);
}

TEST_F(DhcpClientTest, DropsAndCountsMalformedReplies) {
    client.start(now);
    std::uint32_t transaction_id = sent_one().transaction_id;

    std::vector<std::byte> offer = with_transaction_id(offer_hex, transaction_id);
    std::vector<std::byte> truncated(offer.begin(), offer.begin() + 100);
    std::vector<std::byte> without_end(offer.begin(), offer.end() - 1);
    std::vector<std::byte> bad_cookie = offer;
    bad_cookie[Dhcpv4Message::fixed_size] = std::byte{0};
    std::vector<std::byte> bad_option_length = offer;
    bad_option_length[Dhcpv4Message::header_size + 1] = std::byte{200};
    Reply no_server;
    no_server.transaction_id = transaction_id;
    no_server.server_identifier.reset();
    Reply zero_address;
    zero_address.transaction_id = transaction_id;
    zero_address.your_address = Ipv4Address::unspecified();
    Reply broadcast_address;
    broadcast_address.transaction_id = transaction_id;
    broadcast_address.your_address = Ipv4Address::broadcast();

    for (const auto& bytes :
         {std::vector<std::byte>{}, truncated, without_end, bad_cookie, bad_option_length,
          no_server.bytes(), zero_address.bytes(), broadcast_address.bytes()}) {
        deliver(bytes);
    }
    EXPECT_EQ(client.stats().received, 8u);
    EXPECT_EQ(client.stats().malformed, 8u);
    EXPECT_TRUE(sent().empty());
    EXPECT_EQ(client.state(), DhcpState::selecting);

    // An ACK without a lease time (RFC 2131 Table 3) is refused too.
    deliver(offer);
    (void)sent();
    Reply ack_without_lease;
    ack_without_lease.type = Dhcpv4MessageType::ack;
    ack_without_lease.transaction_id = transaction_id;
    ack_without_lease.lease_time.reset();
    deliver(ack_without_lease.bytes());
    EXPECT_EQ(client.stats().malformed, 9u);
    EXPECT_EQ(client.state(), DhcpState::requesting);
    EXPECT_TRUE(events().empty());
}

// ---- DHCPNAK ----

TEST_F(DhcpClientTest, NakOnRequestRestartsFromInit) {
    client.start(now);
    std::uint32_t first_transaction_id = sent_one().transaction_id;
    now += seconds{1};
    deliver(with_transaction_id(offer_hex, first_transaction_id));
    (void)sent();

    // A NAK from another server is not about this request.
    Reply foreign_nak{.type = Dhcpv4MessageType::nak, .transaction_id = first_transaction_id};
    foreign_nak.server_identifier = other_server;
    deliver(foreign_nak.bytes());
    EXPECT_EQ(client.state(), DhcpState::requesting);

    now += seconds{1};
    Reply nak{.type = Dhcpv4MessageType::nak, .transaction_id = first_transaction_id};
    nak.your_address = Ipv4Address::unspecified();
    nak.lease_time.reset();
    deliver(nak.bytes());

    // §4.4.1: back to INIT, which DISCOVERs again at once with a new xid.
    Sent discover = sent_one();
    EXPECT_EQ(discover.type, Dhcpv4MessageType::discover);
    EXPECT_NE(discover.transaction_id, first_transaction_id);
    EXPECT_EQ(discover.seconds, 0);
    EXPECT_EQ(client.state(), DhcpState::selecting);
    EXPECT_TRUE(events().empty());
    EXPECT_FALSE(client.lease());
}

// ---- Retransmission (RFC 2131 §4.1) ----

TEST_F(DhcpClientTest, RetransmitsDiscoverWithExponentialBackoff) {
    // A second generator with the same seed replays the client's draws: the
    // xid, then one jitter per timeout.
    crypto::ChaChaRng twin{test_seed()};
    std::uint32_t expected_transaction_id = twin.next_u32();
    Instant started = now;
    client.start(now);
    EXPECT_EQ(sent_one().transaction_id, expected_transaction_id);

    const seconds bases[] = {seconds{4},  seconds{8},  seconds{16}, seconds{32},
                             seconds{64}, seconds{64}, seconds{64}};
    Instant sent_at = now;
    for (seconds base : bases) {
        Duration jitter = milliseconds{static_cast<std::int64_t>(twin.uniform(2001))} - seconds{1};
        ASSERT_TRUE(client.next_deadline());
        EXPECT_EQ(*client.next_deadline(), sent_at + base + jitter);
        EXPECT_GE(*client.next_deadline(), sent_at + base - seconds{1});
        EXPECT_LE(*client.next_deadline(), sent_at + base + seconds{1});
        advance_to_deadline();
        Sent retransmission = sent_one();
        EXPECT_EQ(retransmission.type, Dhcpv4MessageType::discover);
        EXPECT_EQ(retransmission.transaction_id, expected_transaction_id);
        // secs counts whole seconds since the first DISCOVER.
        EXPECT_EQ(retransmission.seconds,
                  std::chrono::duration_cast<seconds>(now - started).count());
        sent_at = now;
    }
    EXPECT_EQ(client.state(), DhcpState::selecting);
    EXPECT_EQ(client.stats().transmitted, 8u);
}

TEST_F(DhcpClientTest, GivesUpOnAnUnansweredRequestAndStartsOver) {
    crypto::ChaChaRng twin{test_seed()};
    std::uint32_t first_transaction_id = twin.next_u32();
    client.start(now);
    (void)sent();
    (void)twin.uniform(2001);  // the first DISCOVER's timeout
    advance_to_deadline();
    Sent second_discover = sent_one();
    (void)twin.uniform(2001);  // the second's
    EXPECT_GE(second_discover.seconds, 3);
    now += seconds{2};
    deliver(with_transaction_id(offer_hex, first_transaction_id));
    Sent request = sent_one();
    EXPECT_EQ(request.type, Dhcpv4MessageType::request);
    // §4.4.1: the REQUEST repeats the secs of the DISCOVER it answers.
    EXPECT_EQ(request.seconds, second_discover.seconds);

    // Sent 4 times, 4, 8 and 16 s apart (plus jitter), then 32 s of waiting.
    const seconds bases[] = {seconds{4}, seconds{8}, seconds{16}, seconds{32}};
    Instant sent_at = now;
    for (seconds base : bases) {
        Duration jitter = milliseconds{static_cast<std::int64_t>(twin.uniform(2001))} - seconds{1};
        EXPECT_EQ(*client.next_deadline(), sent_at + base + jitter);
        advance_to_deadline();
        sent_at = now;
        if (base != seconds{32}) {
            Sent retransmission = sent_one();
            EXPECT_EQ(retransmission.type, Dhcpv4MessageType::request);
            EXPECT_EQ(retransmission.transaction_id, first_transaction_id);
            EXPECT_EQ(retransmission.seconds, second_discover.seconds);
            EXPECT_EQ(client.state(), DhcpState::requesting);
        }
    }
    Sent discover = sent_one();
    EXPECT_EQ(discover.type, Dhcpv4MessageType::discover);
    EXPECT_EQ(discover.transaction_id, twin.next_u32());
    EXPECT_EQ(client.state(), DhcpState::selecting);
}

// ---- Renewal (RFC 2131 §4.4.5) ----

TEST_F(DhcpClientTest, RenewsAtT1WithAUnicastRequestAndTheAckExtendsTheLease) {
    std::uint32_t first_transaction_id = acquire();
    Instant t1 = request_sent_at + seconds{1800};
    EXPECT_EQ(client.next_deadline(), t1);
    advance_to_deadline();

    Sent renewal = sent_one();
    EXPECT_EQ(client.state(), DhcpState::renewing);
    EXPECT_EQ(renewal.type, Dhcpv4MessageType::request);
    EXPECT_NE(renewal.transaction_id, first_transaction_id);
    // §4.3.2 RENEWING: ciaddr set, no requested address or server
    // identifier, unicast from the leased address to the server.
    EXPECT_EQ(renewal.client_address, offered);
    EXPECT_FALSE(renewal.requested_address);
    EXPECT_FALSE(renewal.server_identifier);
    EXPECT_FALSE(renewal.transmit.is_broadcast());
    EXPECT_EQ(renewal.transmit.destination, server);
    EXPECT_EQ(renewal.transmit.source, offered);
    EXPECT_EQ(renewal.seconds, 0);

    now += milliseconds{5};
    Reply ack{.type = Dhcpv4MessageType::ack, .transaction_id = renewal.transaction_id};
    ack.lease_time = 7200;
    ack.dns_servers = {quad9};
    deliver(ack.bytes());

    std::vector<DhcpEvent> happened = events();
    ASSERT_EQ(happened.size(), 1u);
    EXPECT_EQ(happened[0].kind, DhcpEventKind::renewed);
    EXPECT_EQ(happened[0].lease.address, Ipv4Prefix(offered, 24));
    EXPECT_EQ(happened[0].lease.dns_servers, std::vector<Ipv4Address>{quad9});
    EXPECT_EQ(happened[0].lease.acquired_at, t1);
    EXPECT_EQ(happened[0].lease.expires_at(), t1 + seconds{7200});
    EXPECT_EQ(client.state(), DhcpState::bound);
    EXPECT_EQ(client.next_deadline(), t1 + seconds{3600});
}

TEST_F(DhcpClientTest, RebindsAtT2AndLosesTheLeaseWhenNoServerAnswers) {
    acquire();
    Instant acquired = request_sent_at;
    // RENEWING from T1 (1800 s): unicast, each wait half the time left to T2
    // (3150 s) but at least 60 s, the last cut short at T2. Then REBINDING:
    // broadcast, half the time left to the end (3600 s), at least 60 s.
    struct Step {
        milliseconds at;
        DhcpState state;
    };
    const Step steps[] = {
        {milliseconds{1'800'000}, DhcpState::renewing},
        {milliseconds{2'475'000}, DhcpState::renewing},   // + (3150 - 1800) / 2
        {milliseconds{2'812'500}, DhcpState::renewing},   // + 337.5
        {milliseconds{2'981'250}, DhcpState::renewing},   // + 168.75
        {milliseconds{3'065'625}, DhcpState::renewing},   // + 84.375
        {milliseconds{3'125'625}, DhcpState::renewing},   // + 42.1875 -> 60
        {milliseconds{3'150'000}, DhcpState::rebinding},  // + 60 cut at T2 (3185.625)
        {milliseconds{3'375'000}, DhcpState::rebinding},  // + (3600 - 3150) / 2
        {milliseconds{3'487'500}, DhcpState::rebinding},  // + 112.5
        {milliseconds{3'547'500}, DhcpState::rebinding},  // + 56.25 -> 60
    };
    std::optional<std::uint32_t> renewing_transaction_id;
    std::optional<std::uint32_t> rebinding_transaction_id;
    for (const Step& step : steps) {
        EXPECT_EQ(client.next_deadline(), acquired + step.at);
        advance_to_deadline();
        Sent request = sent_one();
        EXPECT_EQ(client.state(), step.state);
        EXPECT_EQ(request.type, Dhcpv4MessageType::request);
        EXPECT_EQ(request.client_address, offered);
        EXPECT_EQ(request.transmit.source, offered);
        // secs counts from the start of RENEWING, through REBINDING.
        EXPECT_EQ(request.seconds,
                  std::chrono::duration_cast<seconds>(step.at - seconds{1800}).count());
        auto& transaction_id =
            step.state == DhcpState::renewing ? renewing_transaction_id : rebinding_transaction_id;
        if (!transaction_id) {
            transaction_id = request.transaction_id;
        }
        EXPECT_EQ(request.transaction_id, *transaction_id);
        if (step.state == DhcpState::renewing) {
            EXPECT_EQ(request.transmit.destination, server);
        } else {
            EXPECT_TRUE(request.transmit.is_broadcast());
        }
        EXPECT_TRUE(events().empty());
    }
    EXPECT_NE(renewing_transaction_id, rebinding_transaction_id);

    // A late reply to a RENEWING request does not count in REBINDING.
    Reply stale{.type = Dhcpv4MessageType::ack, .transaction_id = *renewing_transaction_id};
    deliver(stale.bytes());
    EXPECT_EQ(client.stats().not_for_us, 1u);

    // 3607.5 s would be next, but the lease ends at 3600 s: lost, and INIT.
    EXPECT_EQ(client.next_deadline(), acquired + seconds{3600});
    advance_to_deadline();
    std::vector<DhcpEvent> happened = events();
    ASSERT_EQ(happened.size(), 1u);
    EXPECT_EQ(happened[0].kind, DhcpEventKind::lost);
    EXPECT_EQ(happened[0].reason, DhcpLossReason::expired);
    EXPECT_EQ(happened[0].lease.address, Ipv4Prefix(offered, 24));
    EXPECT_FALSE(client.lease());
    Sent discover = sent_one();
    EXPECT_EQ(discover.type, Dhcpv4MessageType::discover);
    EXPECT_EQ(discover.transmit.source, Ipv4Address::unspecified());
    EXPECT_EQ(client.state(), DhcpState::selecting);
}

TEST_F(DhcpClientTest, AnyServerMayAnswerWhileRebinding) {
    acquire();
    now = request_sent_at + seconds{3150};
    client.on_timer(now);  // slept through T1: straight to REBINDING
    EXPECT_EQ(client.state(), DhcpState::rebinding);
    Sent request = sent_one();
    EXPECT_TRUE(request.transmit.is_broadcast());

    Reply ack{.type = Dhcpv4MessageType::ack, .transaction_id = request.transaction_id};
    ack.server_identifier = other_server;
    deliver(ack.bytes());
    std::vector<DhcpEvent> happened = events();
    ASSERT_EQ(happened.size(), 1u);
    EXPECT_EQ(happened[0].kind, DhcpEventKind::renewed);
    EXPECT_EQ(client.lease()->server_identifier, other_server);
    EXPECT_EQ(client.state(), DhcpState::bound);
}

TEST_F(DhcpClientTest, NakWhileRenewingLosesTheLease) {
    acquire();
    advance_to_deadline();
    Sent renewal = sent_one();
    Reply nak{.type = Dhcpv4MessageType::nak, .transaction_id = renewal.transaction_id};
    deliver(nak.bytes());

    std::vector<DhcpEvent> happened = events();
    ASSERT_EQ(happened.size(), 1u);
    EXPECT_EQ(happened[0].kind, DhcpEventKind::lost);
    EXPECT_EQ(happened[0].reason, DhcpLossReason::refused);
    EXPECT_EQ(sent_one().type, Dhcpv4MessageType::discover);
    EXPECT_EQ(client.state(), DhcpState::selecting);
}

TEST_F(DhcpClientTest, ARenewalWithAnotherAddressReplacesTheLease) {
    acquire();
    advance_to_deadline();
    Sent renewal = sent_one();
    Reply ack{.type = Dhcpv4MessageType::ack, .transaction_id = renewal.transaction_id};
    ack.your_address = Ipv4Address::from_octets(192, 168, 122, 99);
    deliver(ack.bytes());

    std::vector<DhcpEvent> happened = events();
    ASSERT_EQ(happened.size(), 2u);
    EXPECT_EQ(happened[0].kind, DhcpEventKind::lost);
    EXPECT_EQ(happened[0].reason, DhcpLossReason::replaced);
    EXPECT_EQ(happened[0].lease.address.address(), offered);
    EXPECT_EQ(happened[1].kind, DhcpEventKind::acquired);
    EXPECT_EQ(happened[1].lease.address.address(), ack.your_address);
}

TEST_F(DhcpClientTest, SleepingPastTheLeaseEndLosesItAtOnce) {
    acquire();
    now = request_sent_at + seconds{4000};
    client.on_timer(now);
    std::vector<DhcpEvent> happened = events();
    ASSERT_EQ(happened.size(), 1u);
    EXPECT_EQ(happened[0].reason, DhcpLossReason::expired);
    EXPECT_EQ(sent_one().type, Dhcpv4MessageType::discover);
}

// ---- Lease times and options (RFC 2131 §4.4.5, RFC 2132) ----

struct LeaseCase {
    const char* name;
    std::optional<std::uint32_t> lease_time;
    std::optional<std::uint32_t> renewal_time{};
    std::optional<std::uint32_t> rebinding_time{};
    seconds expected_lease;
    seconds expected_renewal;
    seconds expected_rebinding;
};

TEST_F(DhcpClientTest, MendsLeaseTimesThatMakeNoSense) {
    const LeaseCase cases[] = {
        {"server's own", 3600, 1000, 2000, seconds{3600}, seconds{1000}, seconds{2000}},
        {"defaults", 3601, std::nullopt, std::nullopt, seconds{3601}, seconds{1800}, seconds{3150}},
        {"T1 above T2", 3600, 3000, 2000, seconds{3600}, seconds{1800}, seconds{3150}},
        {"T2 above lease", 3600, 1000, 4000, seconds{3600}, seconds{1800}, seconds{3150}},
        {"T2 alone below half", 3600, std::nullopt, 1000, seconds{3600}, seconds{1800},
         seconds{3150}},
        {"T2 equals lease", 3600, 1800, 3600, seconds{3600}, seconds{1800}, seconds{3600}},
        {"zero lease", 0, std::nullopt, std::nullopt, seconds{20}, seconds{10}, seconds{17}},
        {"largest finite", 0xffff'fffe, std::nullopt, std::nullopt, seconds{0xffff'fffe},
         seconds{0x7fff'ffff}, seconds{3'758'096'382}},
    };
    for (const LeaseCase& lease_case : cases) {
        SCOPED_TRACE(lease_case.name);
        client.release(now);
        (void)sent();
        (void)events();
        Reply ack;
        ack.lease_time = lease_case.lease_time;
        ack.renewal_time = lease_case.renewal_time;
        ack.rebinding_time = lease_case.rebinding_time;
        acquire(ack);
        ASSERT_TRUE(client.lease());
        EXPECT_EQ(client.lease()->lease_time, lease_case.expected_lease);
        EXPECT_EQ(client.lease()->renewal_time, lease_case.expected_renewal);
        EXPECT_EQ(client.lease()->rebinding_time, lease_case.expected_rebinding);
        EXPECT_EQ(client.next_deadline(), request_sent_at + lease_case.expected_renewal);
    }
}

TEST_F(DhcpClientTest, AnInfiniteLeaseSetsNoTimer) {
    Reply ack;
    ack.lease_time = Dhcpv4Message::infinite_lease;
    ack.renewal_time = 100;
    acquire(ack);
    EXPECT_TRUE(client.lease()->is_infinite());
    EXPECT_FALSE(client.lease()->renewal_at());
    EXPECT_FALSE(client.lease()->expires_at());
    EXPECT_FALSE(client.next_deadline());
    client.on_timer(now + seconds{0xffff'ffff});
    EXPECT_TRUE(sent().empty());
    EXPECT_EQ(client.state(), DhcpState::bound);
}

TEST_F(DhcpClientTest, TakesThePrefixFromTheSubnetMaskOrUsesSlash32) {
    struct MaskCase {
        std::optional<Ipv4Address> mask;
        std::uint8_t length;
    };
    const MaskCase cases[] = {
        {Ipv4Address::from_octets(255, 255, 255, 0), 24},
        {Ipv4Address::from_octets(255, 255, 240, 0), 20},
        {Ipv4Address::from_octets(255, 255, 255, 255), 32},
        {Ipv4Address::from_octets(0, 0, 0, 0), 0},
        {std::nullopt, 32},                                // absent
        {Ipv4Address::from_octets(255, 0, 255, 0), 32},    // holes
        {Ipv4Address::from_octets(0, 255, 255, 255), 32},  // inverted
    };
    for (const MaskCase& mask_case : cases) {
        client.release(now);
        (void)sent();
        (void)events();
        Reply ack;
        ack.subnet_mask = mask_case.mask;
        ack.routers.clear();
        ack.dns_servers = {quad9, server, other_server};
        acquire(ack);
        ASSERT_TRUE(client.lease());
        EXPECT_EQ(client.lease()->address, Ipv4Prefix(offered, mask_case.length));
        EXPECT_FALSE(client.lease()->router);
        EXPECT_EQ(client.lease()->dns_servers,
                  (std::vector<Ipv4Address>{quad9, server, other_server}));
    }
}

// ---- Caller-driven exits ----

TEST_F(DhcpClientTest, DeclineBroadcastsAndWaitsTenSecondsBeforeStartingOver) {
    acquire();
    now += seconds{1};
    client.decline(now);
    Sent decline = sent_one();
    EXPECT_EQ(decline.type, Dhcpv4MessageType::decline);
    EXPECT_TRUE(decline.transmit.is_broadcast());
    EXPECT_EQ(decline.transmit.source, Ipv4Address::unspecified());
    EXPECT_EQ(decline.requested_address, offered);
    EXPECT_EQ(decline.server_identifier, server);
    EXPECT_EQ(decline.client_address, Ipv4Address::unspecified());
    std::vector<DhcpEvent> happened = events();
    ASSERT_EQ(happened.size(), 1u);
    EXPECT_EQ(happened[0].reason, DhcpLossReason::declined);
    EXPECT_EQ(client.state(), DhcpState::init);
    EXPECT_EQ(client.next_deadline(), now + seconds{10});

    advance_to_deadline();
    EXPECT_EQ(sent_one().type, Dhcpv4MessageType::discover);
    EXPECT_EQ(client.state(), DhcpState::selecting);
}

TEST_F(DhcpClientTest, ReleaseUnicastsToTheServerAndStops) {
    acquire();
    client.release(now);
    Sent release = sent_one();
    EXPECT_EQ(release.type, Dhcpv4MessageType::release);
    EXPECT_EQ(release.transmit.destination, server);
    EXPECT_EQ(release.transmit.source, offered);
    EXPECT_EQ(release.client_address, offered);
    EXPECT_EQ(release.server_identifier, server);
    std::vector<DhcpEvent> happened = events();
    ASSERT_EQ(happened.size(), 1u);
    EXPECT_EQ(happened[0].reason, DhcpLossReason::released);
    EXPECT_EQ(client.state(), DhcpState::stopped);
    EXPECT_FALSE(client.next_deadline());

    // Stopped: replies are not listened to, and start() begins again.
    deliver(with_transaction_id(offer_hex, release.transaction_id));
    EXPECT_EQ(client.stats().not_for_us, 1u);
    client.start(now);
    EXPECT_EQ(sent_one().type, Dhcpv4MessageType::discover);
}

TEST(DhcpClient, WaitsARandomInitialDelayWhenAsked) {
    crypto::ChaChaRng random{test_seed()};
    crypto::ChaChaRng twin{test_seed()};
    DhcpClient client{client_mac, random, DhcpClientOptions{"oasis", seconds{10}}};
    Instant now = Instant{} + seconds{5};
    client.start(now);
    EXPECT_EQ(client.state(), DhcpState::init);
    EXPECT_FALSE(client.poll_transmit());
    Instant expected = now + milliseconds{static_cast<std::int64_t>(twin.uniform(10'001))};
    EXPECT_EQ(client.next_deadline(), expected);
    EXPECT_LE(*client.next_deadline(), now + seconds{10});

    client.on_timer(expected);
    auto discover = client.poll_transmit();
    ASSERT_TRUE(discover);
    auto parsed = Dhcpv4Message::parse(ByteView{discover->payload});
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->message_type(), Dhcpv4MessageType::discover);
    EXPECT_EQ(parsed->host_name(), "oasis");
    EXPECT_EQ(client.state(), DhcpState::selecting);
}

}  // namespace
}  // namespace oasis::net
