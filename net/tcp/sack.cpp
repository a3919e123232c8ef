// The TCP sender's SACK scoreboard (RFC 6675 §3 and §4, RFC 2018).
#include "net/tcp/sack.hpp"

#include <algorithm>

#include "core/panic.hpp"

namespace oasis::net {

namespace {

SequenceNumber earlier(SequenceNumber left, SequenceNumber right) {
    return right < left ? right : left;
}

SequenceNumber later(SequenceNumber left, SequenceNumber right) {
    return left < right ? right : left;
}

// The octets in [from, to), zero when the range is empty or reversed.
std::uint32_t distance(SequenceNumber from, SequenceNumber to) {
    return from < to ? to.value() - from.value() : 0;
}

}  // namespace

TcpSackScoreboard::TcpSackScoreboard(std::size_t max_ranges) : m_max_ranges(max_ranges) {
    OASIS_ASSERT(max_ranges >= 1);
    // One more than the bound: insert() may hold it for a moment.
    m_ranges.reserve(max_ranges + 1);
}

std::uint32_t TcpSackScoreboard::update(SequenceNumber snd_una, SequenceNumber snd_nxt,
                                        std::span<const TcpSackBlock> blocks) {
    acknowledge(snd_una);
    std::uint32_t newly_sacked = 0;
    for (TcpSackBlock block : blocks) {
        if (!(block.left < block.right) || block.right <= snd_una || snd_nxt < block.right) {
            ++m_rejected_blocks;
            continue;
        }
        block.left = later(block.left, snd_una);
        newly_sacked += insert(block);
    }
    return newly_sacked;
}

std::uint32_t TcpSackScoreboard::insert(TcpSackBlock block) {
    // The ranges from `first` to `last` overlap or touch the block: they
    // become one range, so that ranges stay disjoint and never adjacent.
    auto first = std::find_if(m_ranges.begin(), m_ranges.end(),
                              [&](const TcpSackBlock& range) { return block.left <= range.right; });
    auto last = first;
    std::uint32_t already_sacked = 0;
    TcpSackBlock merged = block;
    for (; last != m_ranges.end() && last->left <= block.right; ++last) {
        already_sacked +=
            distance(later(last->left, block.left), earlier(last->right, block.right));
        merged = {earlier(merged.left, last->left), later(merged.right, last->right)};
    }
    m_ranges.insert(m_ranges.erase(first, last), merged);
    if (m_ranges.size() > m_max_ranges) {
        m_ranges.pop_back();
    }
    return distance(block.left, block.right) - already_sacked;
}

void TcpSackScoreboard::acknowledge(SequenceNumber snd_una) {
    auto kept = std::find_if(m_ranges.begin(), m_ranges.end(),
                             [&](const TcpSackBlock& range) { return snd_una < range.right; });
    m_ranges.erase(m_ranges.begin(), kept);
    if (!m_ranges.empty()) {
        m_ranges.front().left = later(m_ranges.front().left, snd_una);
    }
}

bool TcpSackScoreboard::is_sacked(SequenceNumber sequence) const {
    return std::any_of(m_ranges.begin(), m_ranges.end(), [&](const TcpSackBlock& range) {
        return range.left <= sequence && sequence < range.right;
    });
}

std::uint32_t TcpSackScoreboard::sacked_bytes() const {
    std::uint32_t total = 0;
    for (const TcpSackBlock& range : m_ranges) {
        total += distance(range.left, range.right);
    }
    return total;
}

std::optional<SequenceNumber> TcpSackScoreboard::highest_sacked() const {
    if (m_ranges.empty()) {
        return std::nullopt;
    }
    return m_ranges.back().right;
}

std::optional<SequenceNumber> TcpSackScoreboard::lost_below(std::uint32_t mss,
                                                            std::uint32_t dup_threshold) const {
    OASIS_ASSERT(mss >= 1 && dup_threshold >= 1);
    // The SACKed octets above an octet that still leave it not lost.
    const std::uint64_t allowed = std::uint64_t{dup_threshold - 1} * mss;
    // Walk down from the highest range. `above` counts the octets of the
    // ranges already passed; it never exceeds `allowed`, or we would have
    // returned.
    std::uint64_t above = 0;
    std::uint32_t ranges_passed = 0;
    for (auto range = m_ranges.rbegin(); range != m_ranges.rend(); ++range) {
        const SequenceNumber last_octet = range->right - 1;
        // Every octet below last_octet has this range and all higher ones
        // above it; no octet from last_octet up has dup_threshold ranges
        // or more than `allowed` octets above it.
        if (++ranges_passed >= dup_threshold) {
            return last_octet;
        }
        // An octet s in or just below this range has above + (last_octet - s)
        // SACKed octets above it.
        const std::uint32_t length = distance(range->left, range->right);
        if (above + length > allowed) {
            return last_octet - static_cast<std::uint32_t>(allowed - above);
        }
        above += length;
    }
    return std::nullopt;
}

bool TcpSackScoreboard::is_lost(SequenceNumber sequence, std::uint32_t mss,
                                std::uint32_t dup_threshold) const {
    const std::optional<SequenceNumber> boundary = lost_below(mss, dup_threshold);
    return boundary && sequence < *boundary;
}

std::uint32_t TcpSackScoreboard::sacked_between(SequenceNumber from, SequenceNumber to) const {
    std::uint32_t total = 0;
    for (const TcpSackBlock& range : m_ranges) {
        total += distance(later(range.left, from), earlier(range.right, to));
    }
    return total;
}

std::uint32_t TcpSackScoreboard::pipe(SequenceNumber snd_una, SequenceNumber snd_nxt,
                                      SequenceNumber high_retransmitted, std::uint32_t mss,
                                      std::uint32_t dup_threshold) const {
    if (!(snd_una < snd_nxt)) {
        return 0;
    }
    const auto clamp = [&](SequenceNumber sequence) {
        return earlier(later(sequence, snd_una), snd_nxt);
    };
    const auto unsacked = [&](SequenceNumber from, SequenceNumber to) {
        return distance(from, to) - sacked_between(from, to);
    };
    // RFC 6675 §4 SetPipe() (a): the octets not lost are those from the
    // boundary up, each counted once unless SACKed.
    const std::optional<SequenceNumber> boundary = lost_below(mss, dup_threshold);
    const SequenceNumber not_lost = boundary ? clamp(*boundary) : snd_una;
    // (b): each unSACKed octet retransmitted counts (once more).
    return unsacked(not_lost, snd_nxt) + unsacked(snd_una, clamp(high_retransmitted));
}

std::optional<TcpSackBlock> TcpSackScoreboard::hole_from(SequenceNumber start,
                                                         std::uint32_t mss) const {
    OASIS_ASSERT(mss >= 1);
    for (const TcpSackBlock& range : m_ranges) {
        if (range.right <= start) {
            continue;
        }
        if (range.left <= start) {
            // Ranges never touch, so range.right itself is not SACKed.
            start = range.right;
            continue;
        }
        return TcpSackBlock{start, start + std::min(mss, distance(start, range.left))};
    }
    return std::nullopt;
}

std::optional<TcpSackBlock> TcpSackScoreboard::next_lost(SequenceNumber snd_una,
                                                         SequenceNumber high_retransmitted,
                                                         std::uint32_t mss,
                                                         std::uint32_t dup_threshold) const {
    // IsLost() only turns false as the octet rises, so if the lowest
    // candidate of rule 3 is not lost, no higher one is either.
    const std::optional<TcpSackBlock> hole = next_unsacked(snd_una, high_retransmitted, mss);
    const std::optional<SequenceNumber> boundary = lost_below(mss, dup_threshold);
    if (hole && boundary && hole->left < *boundary) {
        return hole;
    }
    return std::nullopt;
}

std::optional<TcpSackBlock> TcpSackScoreboard::next_unsacked(SequenceNumber snd_una,
                                                             SequenceNumber high_retransmitted,
                                                             std::uint32_t mss) const {
    return hole_from(later(snd_una, high_retransmitted), mss);
}

}  // namespace oasis::net
