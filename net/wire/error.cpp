// Names of WireError values.
#include "net/wire/error.hpp"

namespace oasis::net {

std::string_view wire_error_name(WireError error) {
    switch (error) {
        case WireError::truncated:
            return "truncated";
        case WireError::bad_version:
            return "bad_version";
        case WireError::bad_header_length:
            return "bad_header_length";
        case WireError::bad_total_length:
            return "bad_total_length";
        case WireError::bad_checksum:
            return "bad_checksum";
        case WireError::bad_length:
            return "bad_length";
        case WireError::bad_option:
            return "bad_option";
        case WireError::unsupported:
            return "unsupported";
        case WireError::no_room:
            return "no_room";
    }
    return "unknown";
}

void format_value(std::string& out, WireError error) {
    out += wire_error_name(error);
}

}  // namespace oasis::net
