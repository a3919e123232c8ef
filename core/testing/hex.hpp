// from_hex: test fixtures written as hex dumps ("0800f7ff...") turned into bytes.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/panic.hpp"

namespace oasis::testing {

// Lower- or upper-case hex digits, two per byte; spaces and newlines are
// skipped so long captures can be laid out readably. Anything else, or an odd
// digit count, is a typo in a fixture and panics.
inline std::vector<std::byte> from_hex(std::string_view hex) {
    auto nibble = [](char digit) -> int {
        if (digit >= '0' && digit <= '9') {
            return digit - '0';
        }
        if (digit >= 'a' && digit <= 'f') {
            return digit - 'a' + 10;
        }
        if (digit >= 'A' && digit <= 'F') {
            return digit - 'A' + 10;
        }
        panic("from_hex: not a hex digit in a fixture");
    };
    std::vector<std::byte> bytes;
    int high = -1;
    for (char digit : hex) {
        if (digit == ' ' || digit == '\n') {
            continue;
        }
        if (high < 0) {
            high = nibble(digit);
        } else {
            bytes.push_back(std::byte(high << 4 | nibble(digit)));
            high = -1;
        }
    }
    OASIS_ASSERT(high < 0);
    return bytes;
}

}  // namespace oasis::testing
