// Random: the unikernel's cryptographically secure random number generator.
#pragma once

#include "core/crypto/random.hpp"

namespace oasis::dev {

// One CSPRNG for every target (ChaCha20 with fast key erasure, see
// core/crypto/random.hpp); only its seed is platform-specific. Each target
// seeds it from host entropy (getrandom on unix, the tender's boot
// information on hvt), never from the clock. A fixed seed makes simulations
// reproducible.
using Random = crypto::ChaChaRng;

}  // namespace oasis::dev
