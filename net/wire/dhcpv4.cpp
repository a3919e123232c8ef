// DHCPv4 messages: parse, walk options, emit a client's.
#include "net/wire/dhcpv4.hpp"

#include <algorithm>
#include <limits>

#include "core/endian.hpp"
#include "core/panic.hpp"

namespace oasis::net {
namespace {

// Field offsets (RFC 2131 §2, Figure 1).
constexpr std::size_t operation_offset = 0;
constexpr std::size_t hardware_type_offset = 1;
constexpr std::size_t hardware_length_offset = 2;
constexpr std::size_t hops_offset = 3;
constexpr std::size_t transaction_id_offset = 4;
constexpr std::size_t seconds_offset = 8;
constexpr std::size_t flags_offset = 10;
constexpr std::size_t client_address_offset = 12;
constexpr std::size_t your_address_offset = 16;
constexpr std::size_t next_server_address_offset = 20;
constexpr std::size_t relay_address_offset = 24;
constexpr std::size_t client_hardware_address_offset = 28;
constexpr std::size_t server_name_offset = 44;
constexpr std::size_t boot_file_offset = 108;
constexpr std::size_t cookie_offset = 236;

static_assert(client_hardware_address_offset + Dhcpv4Message::client_hardware_address_size ==
              server_name_offset);
static_assert(server_name_offset + Dhcpv4Message::server_name_size == boot_file_offset);
static_assert(boot_file_offset + Dhcpv4Message::boot_file_size == Dhcpv4Message::fixed_size);
static_assert(cookie_offset == Dhcpv4Message::fixed_size);
static_assert(Dhcpv4Message::header_size == 240);

// htype for Ethernet (RFC 1700, "Hardware Type") and its address length.
constexpr std::uint8_t hardware_type_ethernet = 1;
constexpr std::uint8_t mac_length = 6;

// The code and length bytes in front of an option's data.
constexpr std::size_t option_prefix_size = 2;
constexpr std::size_t max_option_data_size = 255;

// The lengths RFC 2132 allows for an option this code checks: from `minimum`
// to `maximum` bytes, in whole multiples of `unit`.
struct LengthRule {
    std::size_t minimum;
    std::size_t maximum;
    std::size_t unit;

    bool allows(std::size_t length) const {
        return length >= minimum && length <= maximum && length % unit == 0;
    }
};

constexpr LengthRule exactly(std::size_t length) {
    return {length, length, 1};
}
constexpr LengthRule at_least(std::size_t minimum) {
    return {minimum, max_option_data_size, 1};
}
constexpr LengthRule addresses() {
    return {4, max_option_data_size, 4};
}

struct KnownOptionRule {
    Dhcpv4OptionCode code;
    LengthRule length;
};

}  // namespace

// ---- Dhcpv4OptionIterator ----

Result<std::optional<Dhcpv4Option>, WireError> Dhcpv4OptionIterator::next() {
    if (m_failure) {
        return Error{*m_failure};
    }
    while (!m_done) {
        if (m_position == m_options.size()) {
            m_failure = WireError::truncated;
            return Error{*m_failure};
        }
        auto code = Dhcpv4OptionCode{std::to_integer<std::uint8_t>(m_options.data()[m_position])};
        if (code == Dhcpv4OptionCode::end) {
            // RFC 2132 §3.2: nothing after End is an option.
            m_done = true;
            break;
        }
        if (code == Dhcpv4OptionCode::pad) {
            ++m_position;
            continue;
        }
        std::size_t length_offset = m_position + 1;
        if (!m_options.contains(length_offset, 1)) {
            m_failure = WireError::bad_option;
            return Error{*m_failure};
        }
        std::size_t length = std::to_integer<std::size_t>(m_options.data()[length_offset]);
        std::size_t data_offset = m_position + option_prefix_size;
        if (!m_options.contains(data_offset, length)) {
            m_failure = WireError::bad_option;
            return Error{*m_failure};
        }
        m_position = data_offset + length;
        return std::optional<Dhcpv4Option>{Dhcpv4Option{
            .code = code,
            .data = ByteView{m_options.span().subspan(data_offset, length)},
        }};
    }
    return std::optional<Dhcpv4Option>{};
}

// ---- Dhcpv4AddressList ----

Dhcpv4AddressList::Dhcpv4AddressList(ByteView bytes) : m_bytes(bytes) {
    OASIS_ASSERT(bytes.size() % Ipv4Address::size == 0);
}

Ipv4Address Dhcpv4AddressList::operator[](std::size_t index) const {
    OASIS_ASSERT(index < size());
    return load_ipv4_address(m_bytes.data() + index * Ipv4Address::size);
}

// ---- Dhcpv4Message: parse ----

namespace {

// The rule for each Dhcpv4Message::KnownOption, in the enum's order.
constexpr std::array known_option_rules{
    KnownOptionRule{Dhcpv4OptionCode::subnet_mask, exactly(4)},              // RFC 2132 §3.3
    KnownOptionRule{Dhcpv4OptionCode::router, addresses()},                  // §3.5
    KnownOptionRule{Dhcpv4OptionCode::domain_name_server, addresses()},      // §3.8
    KnownOptionRule{Dhcpv4OptionCode::host_name, at_least(1)},               // §3.14
    KnownOptionRule{Dhcpv4OptionCode::domain_name, at_least(1)},             // §3.17
    KnownOptionRule{Dhcpv4OptionCode::requested_address, exactly(4)},        // §9.1
    KnownOptionRule{Dhcpv4OptionCode::lease_time, exactly(4)},               // §9.2
    KnownOptionRule{Dhcpv4OptionCode::message_type, exactly(1)},             // §9.6
    KnownOptionRule{Dhcpv4OptionCode::server_identifier, exactly(4)},        // §9.7
    KnownOptionRule{Dhcpv4OptionCode::parameter_request_list, at_least(1)},  // §9.8
    KnownOptionRule{Dhcpv4OptionCode::maximum_message_size, exactly(2)},     // §9.10
    KnownOptionRule{Dhcpv4OptionCode::renewal_time, exactly(4)},             // §9.11
    KnownOptionRule{Dhcpv4OptionCode::rebinding_time, exactly(4)},           // §9.12
    KnownOptionRule{Dhcpv4OptionCode::client_identifier, at_least(2)},       // §9.14
};

// The slot of a known option's code, or std::nullopt for any other code.
constexpr std::optional<std::size_t> known_option_slot(Dhcpv4OptionCode code) {
    for (std::size_t slot = 0; slot < known_option_rules.size(); ++slot) {
        if (known_option_rules[slot].code == code) {
            return slot;
        }
    }
    return std::nullopt;
}

}  // namespace

Result<Dhcpv4Message, WireError> Dhcpv4Message::parse(ByteView bytes) {
    static_assert(known_option_rules.size() == std::size_t(KnownOption::count));

    if (bytes.size() < header_size) {
        return Error{WireError::truncated};
    }
    if (bytes.size() > std::numeric_limits<std::uint16_t>::max()) {
        return Error{WireError::bad_length};
    }
    const std::byte* data = bytes.data();
    if (load_be32(data + cookie_offset) != magic_cookie) {
        return Error{WireError::unsupported};
    }
    auto operation = std::to_integer<std::uint8_t>(data[operation_offset]);
    if (operation != std::uint8_t(Dhcpv4Operation::boot_request) &&
        operation != std::uint8_t(Dhcpv4Operation::boot_reply)) {
        return Error{WireError::unsupported};
    }
    if (std::to_integer<std::size_t>(data[hardware_length_offset]) > client_hardware_address_size) {
        return Error{WireError::bad_length};
    }

    Dhcpv4Message message{bytes};
    Dhcpv4OptionIterator options = message.options_iterator();
    while (true) {
        auto option = TRY(options.next());
        if (!option) {
            break;
        }
        if (option->code == Dhcpv4OptionCode::overload) {
            return Error{WireError::unsupported};
        }
        auto slot = known_option_slot(option->code);
        if (!slot) {
            continue;
        }
        if (!known_option_rules[*slot].length.allows(option->data.size())) {
            return Error{WireError::bad_option};
        }
        if (message.m_option_offsets[*slot] != 0) {
            return Error{WireError::unsupported};
        }
        // The code byte sits two bytes before the data; it is inside the
        // options, so past the header and never 0, and below 65536 (checked above).
        std::size_t offset =
            static_cast<std::size_t>(option->data.data() - data) - option_prefix_size;
        message.m_option_offsets[*slot] = static_cast<std::uint16_t>(offset);
    }

    if (!message.find(KnownOption::message_type)) {
        return Error{WireError::unsupported};
    }
    auto maximum_size = message.maximum_message_size();
    if (maximum_size && *maximum_size < minimum_maximum_message_size) {
        return Error{WireError::bad_option};
    }
    return message;
}

// ---- Dhcpv4Message: the fixed header ----

Dhcpv4Operation Dhcpv4Message::operation() const {
    return Dhcpv4Operation{std::to_integer<std::uint8_t>(m_bytes.data()[operation_offset])};
}

std::uint8_t Dhcpv4Message::hardware_type() const {
    return std::to_integer<std::uint8_t>(m_bytes.data()[hardware_type_offset]);
}

std::uint8_t Dhcpv4Message::hardware_length() const {
    return std::to_integer<std::uint8_t>(m_bytes.data()[hardware_length_offset]);
}

std::uint8_t Dhcpv4Message::hops() const {
    return std::to_integer<std::uint8_t>(m_bytes.data()[hops_offset]);
}

std::uint32_t Dhcpv4Message::transaction_id() const {
    return load_be32(m_bytes.data() + transaction_id_offset);
}

std::uint16_t Dhcpv4Message::seconds() const {
    return load_be16(m_bytes.data() + seconds_offset);
}

std::uint16_t Dhcpv4Message::flags() const {
    return load_be16(m_bytes.data() + flags_offset);
}

Ipv4Address Dhcpv4Message::client_address() const {
    return load_ipv4_address(m_bytes.data() + client_address_offset);
}

Ipv4Address Dhcpv4Message::your_address() const {
    return load_ipv4_address(m_bytes.data() + your_address_offset);
}

Ipv4Address Dhcpv4Message::next_server_address() const {
    return load_ipv4_address(m_bytes.data() + next_server_address_offset);
}

Ipv4Address Dhcpv4Message::relay_address() const {
    return load_ipv4_address(m_bytes.data() + relay_address_offset);
}

ByteView Dhcpv4Message::client_hardware_address() const {
    // parse() refused an hlen above the field's 16 bytes.
    return ByteView{m_bytes.span().subspan(client_hardware_address_offset, hardware_length())};
}

std::optional<MacAddress> Dhcpv4Message::client_mac() const {
    if (hardware_type() != hardware_type_ethernet || hardware_length() != mac_length) {
        return std::nullopt;
    }
    return load_mac_address(m_bytes.data() + client_hardware_address_offset);
}

namespace {

// The text of a fixed-size field up to its first NUL.
std::string_view field_text(ByteView field) {
    std::string_view text = as_chars(field);
    return text.substr(0, text.find('\0'));
}

}  // namespace

std::string_view Dhcpv4Message::server_name() const {
    return field_text(ByteView{m_bytes.span().subspan(server_name_offset, server_name_size)});
}

std::string_view Dhcpv4Message::boot_file() const {
    return field_text(ByteView{m_bytes.span().subspan(boot_file_offset, boot_file_size)});
}

// ---- Dhcpv4Message: options ----

std::optional<ByteView> Dhcpv4Message::find(KnownOption option) const {
    std::size_t offset = m_option_offsets[std::size_t(option)];
    if (offset == 0) {
        return std::nullopt;
    }
    // parse() saw the whole option inside m_bytes at this offset.
    std::size_t length = std::to_integer<std::size_t>(m_bytes.data()[offset + 1]);
    return ByteView{m_bytes.span().subspan(offset + option_prefix_size, length)};
}

std::optional<std::uint32_t> Dhcpv4Message::find_u32(KnownOption option) const {
    auto data = find(option);
    if (!data) {
        return std::nullopt;
    }
    return load_be32(data->data());
}

std::optional<Ipv4Address> Dhcpv4Message::find_address(KnownOption option) const {
    auto data = find(option);
    if (!data) {
        return std::nullopt;
    }
    return load_ipv4_address(data->data());
}

std::optional<std::string_view> Dhcpv4Message::find_text(KnownOption option) const {
    auto data = find(option);
    if (!data) {
        return std::nullopt;
    }
    std::string_view text = as_chars(*data);
    while (text.ends_with('\0')) {
        text.remove_suffix(1);
    }
    return text;
}

Dhcpv4MessageType Dhcpv4Message::message_type() const {
    // parse() refused a message without it.
    auto data = find(KnownOption::message_type);
    OASIS_ASSERT(data.has_value());
    return Dhcpv4MessageType{std::to_integer<std::uint8_t>(data->data()[0])};
}

std::optional<Ipv4Address> Dhcpv4Message::server_identifier() const {
    return find_address(KnownOption::server_identifier);
}

std::optional<Ipv4Address> Dhcpv4Message::requested_address() const {
    return find_address(KnownOption::requested_address);
}

std::optional<std::uint32_t> Dhcpv4Message::lease_time() const {
    return find_u32(KnownOption::lease_time);
}

std::optional<std::uint32_t> Dhcpv4Message::renewal_time() const {
    return find_u32(KnownOption::renewal_time);
}

std::optional<std::uint32_t> Dhcpv4Message::rebinding_time() const {
    return find_u32(KnownOption::rebinding_time);
}

std::optional<Ipv4Address> Dhcpv4Message::subnet_mask() const {
    return find_address(KnownOption::subnet_mask);
}

Dhcpv4AddressList Dhcpv4Message::routers() const {
    auto data = find(KnownOption::router);
    return data ? Dhcpv4AddressList{*data} : Dhcpv4AddressList{};
}

Dhcpv4AddressList Dhcpv4Message::dns_servers() const {
    auto data = find(KnownOption::domain_name_server);
    return data ? Dhcpv4AddressList{*data} : Dhcpv4AddressList{};
}

std::optional<std::string_view> Dhcpv4Message::host_name() const {
    return find_text(KnownOption::host_name);
}

std::optional<std::string_view> Dhcpv4Message::domain_name() const {
    return find_text(KnownOption::domain_name);
}

std::optional<ByteView> Dhcpv4Message::parameter_request_list() const {
    return find(KnownOption::parameter_request_list);
}

std::optional<ByteView> Dhcpv4Message::client_identifier() const {
    return find(KnownOption::client_identifier);
}

std::optional<std::uint16_t> Dhcpv4Message::maximum_message_size() const {
    auto data = find(KnownOption::maximum_message_size);
    if (!data) {
        return std::nullopt;
    }
    return load_be16(data->data());
}

// ---- Emitting a client's message ----

namespace {

// The options' bytes before End and padding.
std::size_t options_length(const Dhcpv4ClientFields& fields) {
    std::size_t length = option_prefix_size + 1;  // message type
    auto add = [&length](std::size_t data_length) { length += option_prefix_size + data_length; };
    if (!fields.client_identifier.empty()) {
        add(fields.client_identifier.size());
    }
    if (fields.requested_address) {
        add(Ipv4Address::size);
    }
    if (fields.server_identifier) {
        add(Ipv4Address::size);
    }
    if (fields.lease_time) {
        add(4);
    }
    if (fields.maximum_message_size) {
        add(2);
    }
    if (!fields.host_name.empty()) {
        add(fields.host_name.size());
    }
    if (!fields.parameter_request_list.empty()) {
        add(fields.parameter_request_list.size());
    }
    return length;
}

// Whether `fields` describe a message RFC 2131 Table 5 allows a client to send.
bool follows_table_5(const Dhcpv4ClientFields& fields) {
    bool has_client_address = !fields.client_address.is_unspecified();
    bool has_requested = fields.requested_address.has_value();
    bool has_server = fields.server_identifier.has_value();
    // DECLINE and RELEASE: secs and flags 0, and no lease time, parameter
    // list or maximum size: they ask for nothing.
    bool asks_nothing = fields.seconds == 0 && !fields.broadcast && !fields.lease_time &&
                        fields.parameter_request_list.empty() && !fields.maximum_message_size;
    switch (fields.type) {
        case Dhcpv4MessageType::discover:
            return !has_client_address && !has_server;
        case Dhcpv4MessageType::request:
            // SELECTING names the offer's server and address; INIT-REBOOT
            // only the address; RENEWING and REBINDING neither, but carry
            // the address in ciaddr (RFC 2131 §4.3.2).
            if (has_client_address) {
                return !has_requested && !has_server;
            }
            return has_requested;
        case Dhcpv4MessageType::decline:
            return !has_client_address && has_requested && has_server && asks_nothing;
        case Dhcpv4MessageType::release:
            return has_client_address && !has_requested && has_server && asks_nothing;
        case Dhcpv4MessageType::inform:
            // RFC 2131 §3.4: the client already has its address and asks
            // for the rest of its configuration only.
            return has_client_address && !has_requested && !has_server && !fields.lease_time;
        default:
            return false;
    }
}

bool option_lengths_fit(const Dhcpv4ClientFields& fields) {
    std::size_t identifier_length = fields.client_identifier.size();
    if (identifier_length == 1 || identifier_length > max_option_data_size) {
        return false;
    }
    if (fields.host_name.size() > max_option_data_size ||
        fields.parameter_request_list.size() > max_option_data_size) {
        return false;
    }
    return !fields.maximum_message_size ||
           *fields.maximum_message_size >= Dhcpv4Message::minimum_maximum_message_size;
}

// The writes below run after every length has been checked against the
// buffer, so a refused one is a broken invariant.
void check_written(Result<void, BufferError> written) {
    OASIS_ASSERT(written.has_value());
}

void put_option(ByteWriter& writer, Dhcpv4OptionCode code, ByteView data) {
    OASIS_ASSERT(data.size() <= max_option_data_size);
    check_written(writer.put_u8(std::uint8_t(code)));
    check_written(writer.put_u8(static_cast<std::uint8_t>(data.size())));
    check_written(writer.put_bytes(data));
}

void put_address_option(ByteWriter& writer, Dhcpv4OptionCode code, Ipv4Address address) {
    std::array<std::byte, Ipv4Address::size> data;
    store_ipv4_address(data.data(), address);
    put_option(writer, code, ByteView{data});
}

}  // namespace

std::size_t Dhcpv4ClientFields::length() const {
    std::size_t length = Dhcpv4Message::header_size + options_length(*this) + 1;  // End
    return std::max(length, Dhcpv4Message::minimum_emitted_size);
}

Result<void, WireError> Dhcpv4Message::emit(MutableByteView bytes,
                                            const Dhcpv4ClientFields& fields) {
    if (!follows_table_5(fields) || !option_lengths_fit(fields)) {
        return Error{WireError::bad_option};
    }
    std::size_t length = fields.length();
    if (bytes.size() < length) {
        return Error{WireError::no_room};
    }
    MutableByteView message{bytes.span().first(length)};
    message.fill(std::byte{0});  // sname, file, unused chaddr and the padding
    std::byte* data = message.data();
    data[operation_offset] = std::byte{std::uint8_t(Dhcpv4Operation::boot_request)};
    data[hardware_type_offset] = std::byte{hardware_type_ethernet};
    data[hardware_length_offset] = std::byte{mac_length};
    store_be32(data + transaction_id_offset, fields.transaction_id);
    store_be16(data + seconds_offset, fields.seconds);
    store_be16(data + flags_offset, fields.broadcast ? broadcast_flag : 0);
    store_ipv4_address(data + client_address_offset, fields.client_address);
    store_mac_address(data + client_hardware_address_offset, fields.client_mac);
    store_be32(data + cookie_offset, magic_cookie);

    ByteWriter writer{MutableByteView{message.span().subspan(header_size)}};
    std::array type{std::byte{std::uint8_t(fields.type)}};
    put_option(writer, Dhcpv4OptionCode::message_type, ByteView{type});
    if (!fields.client_identifier.empty()) {
        put_option(writer, Dhcpv4OptionCode::client_identifier, fields.client_identifier);
    }
    if (fields.requested_address) {
        put_address_option(writer, Dhcpv4OptionCode::requested_address, *fields.requested_address);
    }
    if (fields.server_identifier) {
        put_address_option(writer, Dhcpv4OptionCode::server_identifier, *fields.server_identifier);
    }
    if (fields.lease_time) {
        std::array<std::byte, 4> lease;
        store_be32(lease.data(), *fields.lease_time);
        put_option(writer, Dhcpv4OptionCode::lease_time, ByteView{lease});
    }
    if (fields.maximum_message_size) {
        std::array<std::byte, 2> size;
        store_be16(size.data(), *fields.maximum_message_size);
        put_option(writer, Dhcpv4OptionCode::maximum_message_size, ByteView{size});
    }
    if (!fields.host_name.empty()) {
        put_option(writer, Dhcpv4OptionCode::host_name, as_bytes(fields.host_name));
    }
    if (!fields.parameter_request_list.empty()) {
        put_option(writer, Dhcpv4OptionCode::parameter_request_list, fields.parameter_request_list);
    }
    check_written(writer.put_u8(std::uint8_t(Dhcpv4OptionCode::end)));
    return {};
}

}  // namespace oasis::net
