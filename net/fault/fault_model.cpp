// FaultModel: the per-frame draws for loss, duplication, delay, reordering and corruption.
#include "net/fault/fault_model.hpp"

namespace oasis::net {

namespace {

// The generator's key: the seed and the stream, little-endian, then zeros.
crypto::ChaChaRng::Seed make_seed(std::uint64_t seed, std::uint64_t stream) {
    crypto::ChaChaRng::Seed bytes{};
    for (std::size_t index = 0; index < 8; ++index) {
        bytes[index] = static_cast<std::byte>((seed >> (8 * index)) & 0xff);
        bytes[8 + index] = static_cast<std::byte>((stream >> (8 * index)) & 0xff);
    }
    return bytes;
}

}  // namespace

FaultModel::FaultModel(const FaultSpec& spec, std::uint64_t stream)
    : m_spec(spec), m_random(make_seed(spec.seed, stream)) {}

bool FaultModel::chance(std::uint32_t ppm) {
    if (ppm == 0) {
        return false;
    }
    if (ppm >= parts_per_million) {
        return true;
    }
    return m_random.uniform(parts_per_million) < ppm;
}

FrameCopy FaultModel::decide_copy(std::size_t frame_size) {
    FrameCopy copy;
    std::int64_t delay = m_spec.delay.count();
    const std::int64_t jitter = m_spec.jitter.count();
    if (jitter > 0) {
        const auto offset =
            static_cast<std::int64_t>(m_random.uniform(2 * static_cast<std::uint64_t>(jitter) + 1));
        delay += offset - jitter;
    }
    if (chance(m_spec.reorder_ppm)) {
        const std::int64_t hold = m_spec.reorder_delay.count();
        delay +=
            hold > 0
                ? static_cast<std::int64_t>(m_random.uniform(static_cast<std::uint64_t>(hold)) + 1)
                : 0;
        copy.reordered = true;
        ++m_stats.reordered;
    }
    copy.delay = Duration{delay < 0 ? 0 : delay};
    if (frame_size > 0 && chance(m_spec.corrupt_ppm)) {
        copy.flipped_bit = m_random.uniform(static_cast<std::uint64_t>(frame_size) * 8);
        ++m_stats.corrupted;
    }
    return copy;
}

FaultDecision FaultModel::decide(std::size_t frame_size) {
    ++m_stats.frames;
    FaultDecision decision;
    if (chance(m_spec.loss_ppm)) {
        ++m_stats.lost;
        return decision;
    }
    const bool duplicated = chance(m_spec.duplicate_ppm);
    if (duplicated) {
        ++m_stats.duplicated;
    }
    decision.count = duplicated ? 2 : 1;
    for (std::size_t index = 0; index < decision.count; ++index) {
        decision.copies[index] = decide_copy(frame_size);
    }
    return decision;
}

void FaultModel::flip_bit(MutableByteView frame, std::uint64_t bit) {
    OASIS_ASSERT(bit / 8 < frame.size());
    std::byte& target = frame.data()[bit / 8];
    target ^= static_cast<std::byte>(0x80u >> (bit % 8));
}

}  // namespace oasis::net
