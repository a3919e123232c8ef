// The TCP sender's SACK scoreboard (RFC 6675 §3 and §4, RFC 2018): IsLost, SetPipe, NextSeg.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "net/wire/tcp.hpp"

namespace oasis::net {

// Which bytes above SND.UNA the peer has SACKed, kept as at most `max_ranges`
// disjoint ranges in sequence space, and the RFC 6675 §4 routines computed
// from them.
//
// Conventions. Ranges are half-open, [left, right), like SACK blocks. The
// RFC names octets inclusively (HighACK, HighRxt, "the highest octet covered
// by any received SACK"); here every such bound is exclusive:
//   snd_una             HighACK + 1
//   snd_nxt             HighData + 1
//   high_retransmitted  HighRxt + 1: the octets below it have been
//                       retransmitted in this recovery. At the start of
//                       recovery it equals snd_una (RFC 6675 §5: nothing
//                       retransmitted yet); a value below snd_una counts as
//                       snd_una.
//   highest_sacked()    one past the highest SACKed octet.
// Comparisons are modulo 2^32 (SequenceNumber), so everything works across
// the wrap as long as the window stays below 2^31.
//
// IsLost is evaluated per octet, as RFC 6675 §4 defines it: it only ever
// turns from true to false as the octet rises, so the lost octets are those
// below one boundary, found in one walk down the ranges. SetPipe and NextSeg
// then work per range, never per byte, with the per-octet result.
class TcpSackScoreboard {
public:
    // DupThresh (RFC 6675 §2; RFC 5681 §3.2).
    static constexpr std::uint32_t default_dup_threshold = 3;

    explicit TcpSackScoreboard(std::size_t max_ranges = 32);

    // Records the SACK blocks of one ACK and returns how many bytes they
    // newly SACKed (RFC 6675 §2's DupAck test and §5's "newly SACKed" bytes).
    // First forgets what lies below snd_una, as acknowledge() does.
    //
    // The blocks are untrusted. One is ignored, and counted in
    // rejected_blocks(), when left >= right, when it lies wholly at or below
    // snd_una (a D-SACK, RFC 2883 §4, reports a duplicate, not new data) or
    // when it ends beyond snd_nxt (the peer cannot have bytes we never sent).
    // A block that starts below snd_una is trimmed to it.
    //
    // When a block would make more than max_ranges ranges, the highest range
    // is forgotten: losing SACK information costs at most a needless
    // retransmission, while the lowest ranges are the ones that decide what
    // to retransmit next. Forgotten bytes may be counted as new again if the
    // peer reports them again.
    std::uint32_t update(SequenceNumber snd_una, SequenceNumber snd_nxt,
                         std::span<const TcpSackBlock> blocks);
    // The cumulative ACK advanced to snd_una: forget everything below it.
    void acknowledge(SequenceNumber snd_una);
    // RFC 2018 §8: after a retransmission timeout the SACKed bits are cleared,
    // since the receiver may have reneged. rejected_blocks() is kept.
    void clear() { m_ranges.clear(); }

    bool empty() const { return m_ranges.empty(); }
    bool is_sacked(SequenceNumber sequence) const;
    // The SACKed bytes held.
    std::uint32_t sacked_bytes() const;
    // One past the highest SACKed octet (the right edge of the highest range).
    std::optional<SequenceNumber> highest_sacked() const;
    // The held ranges, ascending, disjoint and never adjacent.
    std::span<const TcpSackBlock> ranges() const { return m_ranges; }
    std::size_t max_ranges() const { return m_max_ranges; }
    // Blocks ignored by update() since construction.
    std::size_t rejected_blocks() const { return m_rejected_blocks; }

    // RFC 6675 §4 IsLost(SeqNum): true when dup_threshold discontiguous
    // SACKed ranges hold octets above `sequence`, or more than
    // (dup_threshold - 1) * mss octets above it are SACKed. mss and
    // dup_threshold must be at least 1.
    bool is_lost(SequenceNumber sequence, std::uint32_t mss,
                 std::uint32_t dup_threshold = default_dup_threshold) const;

    // RFC 6675 §4 SetPipe(): the octets presumed in flight. Over each octet of
    // [snd_una, snd_nxt) that is not SACKed: one if IsLost() is false for it,
    // and one more if it lies below high_retransmitted (so an octet
    // retransmitted before it was thought lost counts twice).
    std::uint32_t pipe(SequenceNumber snd_una, SequenceNumber snd_nxt,
                       SequenceNumber high_retransmitted, std::uint32_t mss,
                       std::uint32_t dup_threshold = default_dup_threshold) const;

    // RFC 6675 §4 NextSeg() rule 1: starting at the lowest octet S2 that is
    // not SACKed, not below snd_una or high_retransmitted (1.a), below the
    // highest SACKed octet (1.b) and lost (1.c), the segment of at most mss
    // octets that ends at the next SACKed octet. nullopt when there is none;
    // the caller then tries new data (rule 2).
    std::optional<TcpSackBlock> next_lost(
        SequenceNumber snd_una, SequenceNumber high_retransmitted, std::uint32_t mss,
        std::uint32_t dup_threshold = default_dup_threshold) const;
    // NextSeg() rule 3: as rule 1 without the loss test (1.c).
    std::optional<TcpSackBlock> next_unsacked(SequenceNumber snd_una,
                                              SequenceNumber high_retransmitted,
                                              std::uint32_t mss) const;
    // NextSeg() rule 4 (the rescue retransmission) is left to the caller.

private:
    // Merges `block` (already validated) in; returns the bytes it added.
    std::uint32_t insert(TcpSackBlock block);
    // IsLost() is true exactly for the octets below the returned sequence;
    // nullopt when it is true for none.
    std::optional<SequenceNumber> lost_below(std::uint32_t mss, std::uint32_t dup_threshold) const;
    // The SACKed bytes in [from, to).
    std::uint32_t sacked_between(SequenceNumber from, SequenceNumber to) const;
    // The unSACKed run starting at the lowest unSACKed octet >= start, cut to
    // mss octets; nullopt when no SACKed octet lies above that octet.
    std::optional<TcpSackBlock> hole_from(SequenceNumber start, std::uint32_t mss) const;

    std::vector<TcpSackBlock> m_ranges;
    std::size_t m_max_ranges;
    std::size_t m_rejected_blocks = 0;
};

}  // namespace oasis::net
