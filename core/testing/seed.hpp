// A fixed seed for the CSPRNG, so tests that draw random numbers run the same every time.
#pragma once

#include <cstdint>

#include "core/crypto/random.hpp"

namespace oasis::testing {

// The seed whose first byte is `value` and the rest zero.
inline crypto::ChaChaRng::Seed seed(std::uint8_t value) {
    crypto::ChaChaRng::Seed bytes{};
    bytes[0] = std::byte{value};
    return bytes;
}

}  // namespace oasis::testing
