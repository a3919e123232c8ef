// WireError: why a wire-format parser refused its bytes, or an emitter its buffer.
#pragma once

#include <string>
#include <string_view>

namespace oasis::net {

// Shared by every parser in net/wire/. Parsers see untrusted bytes, so every
// refusal is a value: the stack drops the frame and counts the reason.
enum class WireError {
    truncated,          // fewer bytes than the fixed header (or a length field) needs
    bad_version,        // a version field other than the one this parser reads
    bad_header_length,  // a header length field below the minimum (IPv4 IHL < 5)
    bad_total_length,   // a total length below the header length or past the buffer
    bad_checksum,       // the checksum does not verify
    bad_length,         // another length field is impossible (UDP length, fragment end)
    bad_option,         // an option is malformed (a length of 0 or 1, or past the header)
    unsupported,        // well formed, but a variant Oasis does not handle (ARP for IPv6)
    no_room,            // an emitter was given a buffer too small for what it must write
};

// The enumerator's name, e.g. "bad_checksum", for logs and counters.
std::string_view wire_error_name(WireError error);

// The customization point of core/format.hpp.
void format_value(std::string& out, WireError error);

}  // namespace oasis::net
