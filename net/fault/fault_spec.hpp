// FaultSpec: which faults a link injects, and the parser of its text form "loss=3%,delay=5ms".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace oasis::net {

// Probabilities are integer parts per million: the guest has no floating point.
inline constexpr std::uint32_t parts_per_million = 1'000'000;

// Which frames of a wrapped device suffer the faults.
enum class FaultDirection {
    both,
    receive,   // "rx": frames coming from the wire
    transmit,  // "tx": frames going to the wire
};

// What a faulty link does to frames, decided per frame (see FaultModel).
// The default injects nothing.
struct FaultSpec {
    std::uint32_t loss_ppm = 0;       // the frame is dropped
    std::uint32_t duplicate_ppm = 0;  // a second copy is sent
    std::uint32_t reorder_ppm = 0;    // held back by an extra random delay
    std::uint32_t corrupt_ppm = 0;    // one random bit of the frame is flipped
    Duration delay{0};                // every frame is late by this much ...
    Duration jitter{0};               // ... plus or minus up to this much
    // A reordered frame is held back by an extra delay chosen uniformly in
    // (0, reorder_delay], so frames sent after it within that time overtake it.
    Duration reorder_delay{10ms};
    std::uint64_t seed = 0;  // the same seed gives the same decisions
    FaultDirection direction = FaultDirection::both;

    // True when the spec changes nothing about any frame.
    bool is_transparent() const {
        return loss_ppm == 0 && duplicate_ppm == 0 && reorder_ppm == 0 && corrupt_ppm == 0 &&
               delay == Duration{0} && jitter == Duration{0};
    }
    friend bool operator==(const FaultSpec&, const FaultSpec&) = default;
};

// Parses a comma-separated list of key=value settings, e.g.
//   "loss=0.03,duplicate=0.01,reorder=0.1,delay=5ms,jitter=1ms,corrupt=0.001,seed=42,direction=rx"
// Probabilities (loss, duplicate, reorder, corrupt) are decimals from 0 to 1
// with up to six places ("0.03"), percentages ("3%", "0.5%") or parts per
// million ("30000ppm"). Durations (delay, jitter, reorder_delay) need a unit:
// ns, us, ms or s, and may have a fraction ("1.5ms"). seed is a decimal
// integer; direction is both, rx or tx. Unset keys keep their defaults; an
// empty string is the transparent spec. The error is a sentence naming the
// offending key or value, for the command line.
Result<FaultSpec, std::string> parse_fault_spec(std::string_view text);

// The spec in the form parse_fault_spec reads (probabilities in ppm), for logs.
std::string format_fault_spec(const FaultSpec& spec);

}  // namespace oasis::net
