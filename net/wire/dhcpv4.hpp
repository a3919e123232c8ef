// DHCPv4 messages (RFC 2131 §2, options per RFC 2132): parse, walk options, emit a client's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

#include "core/buffer.hpp"
#include "core/result.hpp"
#include "net/wire/address.hpp"
#include "net/wire/error.hpp"
#include "net/wire/ethernet.hpp"

namespace oasis::net {

// The UDP ports of DHCP (RFC 2131 §4.1), inherited from BOOTP.
inline constexpr std::uint16_t dhcpv4_server_port = 67;
inline constexpr std::uint16_t dhcpv4_client_port = 68;

// The op field (RFC 2131 §2): which way a message goes, not what it means
// (that is the message type option).
enum class Dhcpv4Operation : std::uint8_t {
    boot_request = 1,  // client to server
    boot_reply = 2,    // server to client
};

// Option 53 (RFC 2132 §9.6). Later RFCs added values above 8 (FORCERENEW,
// RFC 3203; leasequery, RFC 4388), so any value may appear.
enum class Dhcpv4MessageType : std::uint8_t {
    discover = 1,
    offer = 2,
    request = 3,
    decline = 4,
    ack = 5,
    nak = 6,
    release = 7,
    inform = 8,
};

// Option codes (RFC 2132; IANA "BOOTP Vendor Extensions and DHCP Options").
// Any 8-bit value may appear on the wire, so this is open-ended.
enum class Dhcpv4OptionCode : std::uint8_t {
    pad = 0,                      // §3.1, a single byte without a length
    subnet_mask = 1,              // §3.3
    router = 3,                   // §3.5
    domain_name_server = 6,       // §3.8
    host_name = 12,               // §3.14
    domain_name = 15,             // §3.17
    requested_address = 50,       // §9.1
    lease_time = 51,              // §9.2
    overload = 52,                // §9.3
    message_type = 53,            // §9.6
    server_identifier = 54,       // §9.7
    parameter_request_list = 55,  // §9.8
    maximum_message_size = 57,    // §9.10
    renewal_time = 58,            // §9.11, T1
    rebinding_time = 59,          // §9.12, T2
    client_identifier = 61,       // §9.14
    end = 255,                    // §3.2, a single byte without a length
};

// One option with a length byte; `data` follows the code and length bytes.
struct Dhcpv4Option {
    Dhcpv4OptionCode code;
    ByteView data;
};

// Walks an options area (RFC 2131 §4.1, RFC 2132 §2). Pad bytes are consumed
// silently and End stops the walk (what follows is padding), so next() yields
// only options with a length byte.
//
// Contract: next() never reads outside `options`. An option whose length
// byte is missing or whose data runs past the end is refused with
// bad_option; an area that runs out without End (RFC 2131 §4.1 makes it the
// last option) with truncated, which is how a message cut at an option
// boundary is still noticed. After an error every later call fails the
// same way: the walk cannot resynchronise after a bad length.
class Dhcpv4OptionIterator {
public:
    explicit Dhcpv4OptionIterator(ByteView options) : m_options(options) {}

    // The next option, std::nullopt at the end, or bad_option.
    Result<std::optional<Dhcpv4Option>, WireError> next();

private:
    ByteView m_options;
    std::size_t m_position = 0;
    bool m_done = false;
    std::optional<WireError> m_failure;
};

// The addresses of a list option (routers, DNS servers), in the order the
// server gave them (RFC 2132 §3.5: in order of preference). parse() has
// checked that the option holds a whole number of addresses.
class Dhcpv4AddressList {
public:
    class Iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Ipv4Address;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = Ipv4Address;

        Iterator() = default;
        Ipv4Address operator*() const { return load_ipv4_address(m_position); }
        Iterator& operator++() {
            m_position += Ipv4Address::size;
            return *this;
        }
        Iterator operator++(int) {
            Iterator previous = *this;
            ++*this;
            return previous;
        }
        friend bool operator==(Iterator, Iterator) = default;

    private:
        friend class Dhcpv4AddressList;
        explicit Iterator(const std::byte* position) : m_position(position) {}
        const std::byte* m_position = nullptr;
    };

    // No addresses (the option was absent).
    Dhcpv4AddressList() = default;
    // `bytes.size()` not a multiple of 4 is a broken invariant.
    explicit Dhcpv4AddressList(ByteView bytes);

    std::size_t size() const { return m_bytes.size() / Ipv4Address::size; }
    bool empty() const { return m_bytes.empty(); }
    // `index` >= size() is a broken invariant.
    Ipv4Address operator[](std::size_t index) const;
    Iterator begin() const { return Iterator{m_bytes.begin()}; }
    Iterator end() const { return Iterator{m_bytes.end()}; }

private:
    ByteView m_bytes;
};

// What a client's message says (RFC 2131 §4.4 and Table 5). Dhcpv4Message::emit()
// writes the fixed header with op BOOTREQUEST, htype Ethernet and hlen 6, then the
// options in this order: message type, client identifier, requested address,
// server identifier, lease time, maximum message size, host name, parameter
// request list, End; then pads to 300 bytes.
struct Dhcpv4ClientFields {
    Dhcpv4MessageType type = Dhcpv4MessageType::discover;
    std::uint32_t transaction_id = 0;
    std::uint16_t seconds = 0;
    // Ask the server to broadcast its replies (RFC 2131 §4.1).
    bool broadcast = false;
    MacAddress client_mac{};
    // ciaddr: set when renewing, rebinding, releasing or informing.
    Ipv4Address client_address{};
    std::optional<Ipv4Address> requested_address{};
    std::optional<Ipv4Address> server_identifier{};
    std::optional<std::uint32_t> lease_time{};
    std::optional<std::uint16_t> maximum_message_size{};
    // Each of these options is left out when empty.
    ByteView client_identifier{};
    std::string_view host_name{};
    ByteView parameter_request_list{};

    // The bytes emit() writes: at least 300.
    std::size_t length() const;
};

// A view of a DHCP message: the fixed BOOTP header (RFC 2131 §2, Figure 1),
// the magic cookie and the options, with the options a client needs found
// once by parse().
//
// parse() checks everything once; every accessor is in bounds after that:
//   truncated    fewer than the 236 fixed bytes and the 4-byte cookie, or
//                options without End (see Dhcpv4OptionIterator)
//   bad_length   more than 65535 bytes (no UDP payload is that long), or
//                hlen above the 16 bytes of chaddr
//   unsupported  a cookie other than 99.130.83.99 (a plain BOOTP message
//                with another vendor area, RFC 1497), an op other than 1 or
//                2, no message type option (plain BOOTP), option overload
//                (52: options in sname and file, RFC 2132 §9.3 — no server
//                Oasis talks to needs it, so the fields stay plain), or a
//                second instance of an option this view exposes (RFC 3396
//                concatenation is not supported)
//   bad_option   see Dhcpv4OptionIterator; or an exposed option whose length
//                RFC 2132 does not allow (a message type that is not exactly
//                1 byte, an address list that is not a whole, non-zero
//                number of addresses, a client identifier shorter than 2
//                bytes, a maximum message size below 576, ...)
// Unknown options are skipped; find them with options_iterator().
class Dhcpv4Message {
public:
    // op .. file (RFC 2131 §2), then the magic cookie (§3).
    static constexpr std::size_t fixed_size = 236;
    static constexpr std::size_t cookie_size = 4;
    static constexpr std::size_t header_size = fixed_size + cookie_size;
    static constexpr std::uint32_t magic_cookie = 0x6382'5363;  // 99.130.83.99
    static constexpr std::size_t client_hardware_address_size = 16;
    static constexpr std::size_t server_name_size = 64;
    static constexpr std::size_t boot_file_size = 128;
    // What a client accepts without option 57 (RFC 2131 §2: 576-byte
    // datagrams, less IP and UDP headers) and the least that option may say.
    static constexpr std::uint16_t minimum_maximum_message_size = 576;
    // RFC 951 §3 made every BOOTP message 300 bytes (a 64-byte vendor area);
    // emit() pads to that, as relays and old servers still expect it.
    static constexpr std::size_t minimum_emitted_size = 300;
    // A lease time of all ones is an infinite lease (RFC 2131 §3.3).
    static constexpr std::uint32_t infinite_lease = 0xffff'ffff;
    // The broadcast bit of the flags field (RFC 2131 §2, Figure 2).
    static constexpr std::uint16_t broadcast_flag = 0x8000;

    static Result<Dhcpv4Message, WireError> parse(ByteView bytes);

    Dhcpv4Operation operation() const;
    // htype (1 is Ethernet, RFC 1700 "Hardware Type") and hlen.
    std::uint8_t hardware_type() const;
    std::uint8_t hardware_length() const;
    std::uint8_t hops() const;
    // xid: chosen by the client, echoed by the server.
    std::uint32_t transaction_id() const;
    // secs: seconds since the client began acquiring or renewing.
    std::uint16_t seconds() const;
    std::uint16_t flags() const;
    // The client asks for replies to be broadcast (it cannot receive unicast
    // before it has an address, RFC 2131 §4.1).
    bool broadcast() const { return (flags() & broadcast_flag) != 0; }
    // ciaddr: the client's address when it already has one.
    Ipv4Address client_address() const;
    // yiaddr: the address the server offers or assigns.
    Ipv4Address your_address() const;
    // siaddr: the next server of a boot process (not the DHCP server; that
    // is server_identifier()).
    Ipv4Address next_server_address() const;
    // giaddr: the relay agent's address, 0 when no relay was involved.
    Ipv4Address relay_address() const;
    // The first hlen bytes of chaddr.
    ByteView client_hardware_address() const;
    // chaddr as a MAC address when htype is Ethernet and hlen is 6.
    std::optional<MacAddress> client_mac() const;
    // sname and file up to their first NUL (each may fill its field).
    std::string_view server_name() const;
    std::string_view boot_file() const;

    // Everything after the cookie, for options_iterator().
    ByteView options() const { return ByteView{m_bytes.span().subspan(header_size)}; }
    Dhcpv4OptionIterator options_iterator() const { return Dhcpv4OptionIterator{options()}; }
    ByteView message() const { return m_bytes; }

    // The exposed options; std::nullopt (or an empty view or list) when absent.
    Dhcpv4MessageType message_type() const;
    std::optional<Ipv4Address> server_identifier() const;
    std::optional<Ipv4Address> requested_address() const;
    // Lease, T1 and T2 in seconds; see infinite_lease.
    std::optional<std::uint32_t> lease_time() const;
    std::optional<std::uint32_t> renewal_time() const;
    std::optional<std::uint32_t> rebinding_time() const;
    std::optional<Ipv4Address> subnet_mask() const;
    Dhcpv4AddressList routers() const;
    Dhcpv4AddressList dns_servers() const;
    // Text as the sender sent it, less trailing NULs (some servers end names
    // with one). Not checked for being a valid host or domain name.
    std::optional<std::string_view> host_name() const;
    std::optional<std::string_view> domain_name() const;
    // Option codes, one per byte.
    std::optional<ByteView> parameter_request_list() const;
    // A type byte, then the identifier (RFC 2132 §9.14).
    std::optional<ByteView> client_identifier() const;
    std::optional<std::uint16_t> maximum_message_size() const;

    // Writes the message described by `fields` into the first
    // fields.length() bytes of `bytes`. Errors:
    //   no_room     `bytes` is shorter than fields.length()
    //   bad_option  the fields break RFC 2131 Table 5 for the message type:
    //               a type a client does not send (offer, ack, nak ...), an
    //               option or field the type must not carry (a server
    //               identifier in a DISCOVER, a requested address in a
    //               RELEASE, a ciaddr in a DECLINE, secs or flags in either
    //               of those two ...), or one it must carry missing; or an
    //               option whose length does not fit (a client identifier of
    //               1 or more than 255 bytes, a host name or parameter list
    //               above 255 bytes, a maximum message size below 576)
    // Nothing is written on error.
    static Result<void, WireError> emit(MutableByteView bytes, const Dhcpv4ClientFields& fields);

private:
    // The options parse() finds and checks; the slot of each in m_option_offsets.
    enum class KnownOption : std::uint8_t {
        subnet_mask,
        router,
        domain_name_server,
        host_name,
        domain_name,
        requested_address,
        lease_time,
        message_type,
        server_identifier,
        parameter_request_list,
        maximum_message_size,
        renewal_time,
        rebinding_time,
        client_identifier,
        count,
    };

    Dhcpv4Message(ByteView bytes) : m_bytes(bytes) {}

    // The data of a known option, if present.
    std::optional<ByteView> find(KnownOption option) const;
    std::optional<std::uint32_t> find_u32(KnownOption option) const;
    std::optional<Ipv4Address> find_address(KnownOption option) const;
    std::optional<std::string_view> find_text(KnownOption option) const;

    ByteView m_bytes;
    // Offset of each known option's code byte in m_bytes; 0 when absent (an
    // option can never start inside the header).
    std::array<std::uint16_t, std::size_t(KnownOption::count)> m_option_offsets{};
};

}  // namespace oasis::net
