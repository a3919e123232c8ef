// Text forms of the net device types.
#include "dev/net.hpp"

namespace oasis::dev {

void format_value(std::string& out, const MacAddress& mac) {
    constexpr char digits[] = "0123456789abcdef";
    for (std::size_t index = 0; index < mac.octets.size(); ++index) {
        if (index > 0) {
            out += ':';
        }
        out += digits[mac.octets[index] >> 4];
        out += digits[mac.octets[index] & 0x0f];
    }
}

}  // namespace oasis::dev
