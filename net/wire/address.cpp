// Parsing and printing of IPv4 addresses and prefixes.
#include "net/wire/address.hpp"

#include <charconv>

namespace oasis::net {
namespace {

bool is_digit(char character) {
    return character >= '0' && character <= '9';
}

// A decimal of 1 to 3 digits without a leading zero, at most `maximum`.
// `too_large` and `leading_zero` are the errors for this kind of number.
Result<std::uint32_t, AddressError> parse_small_decimal(std::string_view text,
                                                        std::uint32_t maximum,
                                                        AddressError too_large,
                                                        AddressError leading_zero) {
    for (char character : text) {
        if (!is_digit(character)) {
            return Error{AddressError::bad_character};
        }
    }
    if (text.size() > 1 && text.front() == '0') {
        return Error{leading_zero};
    }
    // Three digits at most, so the value cannot overflow anything.
    if (text.size() > 3) {
        return Error{too_large};
    }
    std::uint32_t value = 0;
    for (char character : text) {
        value = value * 10 + static_cast<std::uint32_t>(character - '0');
    }
    if (value > maximum) {
        return Error{too_large};
    }
    return value;
}

}  // namespace

std::string_view address_error_name(AddressError error) {
    switch (error) {
        case AddressError::empty:
            return "empty";
        case AddressError::bad_character:
            return "bad_character";
        case AddressError::leading_zero:
            return "leading_zero";
        case AddressError::octet_too_large:
            return "octet_too_large";
        case AddressError::wrong_part_count:
            return "wrong_part_count";
        case AddressError::bad_prefix_length:
            return "bad_prefix_length";
        case AddressError::missing_prefix_length:
            return "missing_prefix_length";
    }
    return "unknown";
}

Result<Ipv4Address, AddressError> Ipv4Address::parse(std::string_view text) {
    if (text.empty()) {
        return Error{AddressError::empty};
    }
    std::uint32_t value = 0;
    std::size_t parts = 0;
    std::size_t start = 0;
    while (true) {
        std::size_t dot = text.find('.', start);
        std::string_view part = text.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (part.empty() || parts == 4) {
            return Error{AddressError::wrong_part_count};
        }
        std::uint32_t octet = TRY(parse_small_decimal(part, 255, AddressError::octet_too_large,
                                                      AddressError::leading_zero));
        value = (value << 8) | octet;
        ++parts;
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    if (parts != 4) {
        return Error{AddressError::wrong_part_count};
    }
    return Ipv4Address::from_u32(value);
}

void format_value(std::string& out, Ipv4Address address) {
    auto octets = address.octets();
    for (std::size_t index = 0; index < octets.size(); ++index) {
        if (index > 0) {
            out += '.';
        }
        char digits[3];
        auto [end, error] = std::to_chars(digits, digits + sizeof digits, octets[index]);
        (void)error;  // three digits always suffice for a byte
        out.append(digits, end);
    }
}

Result<Ipv4Prefix, AddressError> Ipv4Prefix::parse(std::string_view text) {
    if (text.empty()) {
        return Error{AddressError::empty};
    }
    std::size_t slash = text.find('/');
    if (slash == std::string_view::npos) {
        return Error{AddressError::missing_prefix_length};
    }
    Ipv4Address address = TRY(Ipv4Address::parse(text.substr(0, slash)));
    std::string_view length_text = text.substr(slash + 1);
    if (length_text.empty()) {
        return Error{AddressError::bad_prefix_length};
    }
    // A second '/' shows up here as a bad character.
    std::uint32_t length = TRY(parse_small_decimal(
        length_text, max_length, AddressError::bad_prefix_length, AddressError::bad_prefix_length));
    return Ipv4Prefix{address, static_cast<std::uint8_t>(length)};
}

void format_value(std::string& out, Ipv4Prefix prefix) {
    format_value(out, prefix.address());
    out += '/';
    char digits[2];
    auto [end, error] = std::to_chars(digits, digits + sizeof digits, prefix.length());
    (void)error;  // a length is at most 32
    out.append(digits, end);
}

}  // namespace oasis::net
