// FaultModel: decides, frame by frame and from a seeded generator, what a faulty link does.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/buffer.hpp"
#include "core/crypto/random.hpp"
#include "core/time.hpp"
#include "net/fault/fault_spec.hpp"

namespace oasis::net {

// One copy of a frame that the link delivers.
struct FrameCopy {
    Duration delay{0};                         // how late it arrives
    std::optional<std::uint64_t> flipped_bit;  // the bit to flip, counted from the first byte
    bool reordered = false;                    // it was held back to be overtaken
};

// What happens to one frame: nothing arrives (lost), one copy, or two
// (duplicated), each with its own delay and corruption.
struct FaultDecision {
    std::array<FrameCopy, 2> copies{};
    std::size_t count = 0;

    bool lost() const { return count == 0; }
    std::span<const FrameCopy> delivered() const { return std::span{copies}.first(count); }
};

struct FaultStats {
    std::uint64_t frames = 0;      // frames decided on
    std::uint64_t lost = 0;        // dropped
    std::uint64_t duplicated = 0;  // given a second copy
    std::uint64_t reordered = 0;   // copies held back
    std::uint64_t corrupted = 0;   // copies with a bit flipped
};

// The fault logic shared by the simulated switch and the fault-injecting
// device, so that both mean the same by "loss=1%". Per frame, in this order:
//  1. lost with probability loss_ppm (nothing else happens);
//  2. duplicated with probability duplicate_ppm;
//  3. for each copy: delay plus a uniform jitter in [-jitter, +jitter]
//     (never below zero; jitter alone may reorder frames, as with netem),
//     then with probability reorder_ppm an extra uniform delay in
//     (0, reorder_delay], then with probability corrupt_ppm one bit, chosen
//     uniformly among the frame's bits, to flip.
// A draw is made only for a fault that is switched on, and always in this
// order, so the same seed, spec and frame sizes give the same decisions.
//
// Not copyable (it owns a generator whose stream must not be replayed twice).
class FaultModel {
public:
    // `stream` tells apart models sharing one spec and seed (two directions
    // of a device, the ports of a switch), so their decisions are independent.
    explicit FaultModel(const FaultSpec& spec, std::uint64_t stream = 0);
    FaultModel(const FaultModel&) = delete;
    FaultModel& operator=(const FaultModel&) = delete;

    FaultDecision decide(std::size_t frame_size);

    // Flips bit `bit` of `frame` (bit 0 is the most significant bit of the
    // first byte); a bit past the end is a broken invariant.
    static void flip_bit(MutableByteView frame, std::uint64_t bit);

    const FaultSpec& spec() const { return m_spec; }
    const FaultStats& stats() const { return m_stats; }

private:
    bool chance(std::uint32_t ppm);
    FrameCopy decide_copy(std::size_t frame_size);

    FaultSpec m_spec;
    crypto::ChaChaRng m_random;
    FaultStats m_stats;
};

}  // namespace oasis::net
