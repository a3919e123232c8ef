// IPv4 fragment reassembly (RFC 791 §3.2, RFC 815), sans-IO: every call is handed `now`.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/buffer.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "net/wire/address.hpp"
#include "net/wire/ipv4.hpp"

namespace oasis::net {

// Why add() refused a fragment. The first three refuse only the fragment;
// the others drop every fragment buffered for its datagram, because a
// datagram with one bad piece can no longer be trusted to complete correctly.
enum class ReassemblyError {
    not_a_fragment,       // MF clear and offset 0: the caller should not have asked
    empty_fragment,       // a fragment with MF set and no payload (it could never advance)
    misaligned,           // MF set and a payload length that is not a multiple of 8 (RFC 791 §3.2)
    too_large,            // header + payload would pass the datagram limit (at most 65535)
    overlap,              // it overlaps a piece already held without being its exact duplicate
    inconsistent_length,  // it ends past the length a last fragment set, or is a second
                          // last fragment with another end
    too_many_fragments,   // its datagram already holds the most fragments allowed
    over_budget,          // even after evicting every other datagram, the bytes do not fit
};

std::string_view reassembly_error_name(ReassemblyError error);

// The limits of a Reassembler. Every one bounds what a peer can make it hold.
struct ReassemblyLimits {
    // Datagrams being reassembled at once. Starting one more evicts the oldest.
    std::size_t max_datagrams = 16;
    // Bytes held for all datagrams together: each fragment's payload plus
    // fragment_overhead. A fragment that would pass it evicts the oldest other
    // datagrams until it fits; if it still does not, its own datagram goes.
    std::size_t max_buffered_bytes = 256 * 1024;
    // Fragments per datagram: enough for 64 KiB over the minimum Internet MTU
    // of 576 bytes (RFC 791 §3.1), 119 fragments. Without it, 8-byte
    // fragments would make bookkeeping, not bytes, the cost.
    std::size_t max_fragments_per_datagram = 128;
    // Largest reassembled datagram, header included. The protocol's own
    // limit is 65535 (the total length field); a smaller one is allowed.
    std::size_t max_datagram_length = Ipv4Header::max_total_length;
    // How long a datagram may take from its first fragment to its last. RFC
    // 791 §3.2 suggests 15 s as a starting value; Linux uses 30 s. The timer
    // is not restarted by later fragments, so a trickle cannot keep a
    // datagram alive.
    Duration timeout = std::chrono::seconds{30};
};

// What the budget charges for each fragment besides its payload: the
// bookkeeping and the heap allocator's own header.
inline constexpr std::size_t fragment_overhead = 64;

// Counters since the Reassembler was built, one per outcome.
struct ReassemblyStats {
    std::uint64_t fragments = 0;    // fragments passed to add()
    std::uint64_t reassembled = 0;  // datagrams completed and handed out
    std::uint64_t duplicates = 0;   // exact duplicates ignored (same offset, length and bytes)
    std::uint64_t not_fragments = 0;
    std::uint64_t empty_fragments = 0;
    std::uint64_t misaligned = 0;
    std::uint64_t too_large = 0;
    std::uint64_t overlaps = 0;
    std::uint64_t inconsistent_lengths = 0;
    std::uint64_t too_many_fragments = 0;
    std::uint64_t over_budget = 0;
    std::uint64_t evicted_for_datagrams = 0;  // oldest dropped to start a new datagram
    std::uint64_t evicted_for_bytes = 0;      // oldest dropped to make room for bytes
    std::uint64_t timeouts = 0;               // dropped by expire()

    friend bool operator==(const ReassemblyStats&, const ReassemblyStats&) = default;
};

// What identifies the fragments of one datagram (RFC 791 §3.2).
struct FragmentKey {
    Ipv4Address source;
    Ipv4Address destination;
    IpProtocol protocol = IpProtocol::udp;
    std::uint16_t identification = 0;

    friend bool operator==(const FragmentKey&, const FragmentKey&) = default;
};

// A reassembled datagram: the first fragment's header (options included)
// with the total length set, the fragment fields cleared and the checksum
// recomputed, followed by the whole payload, in one heap buffer of exactly
// that size (up to 65535 bytes, more than a pool buffer holds).
class Datagram {
public:
    Datagram(std::vector<std::byte> bytes, std::size_t header_length)
        : m_bytes(std::move(bytes)), m_header_length(header_length) {}

    // Header and payload.
    ByteView bytes() const { return ByteView{m_bytes}; }
    ByteView payload() const { return ByteView{std::span{m_bytes}.subspan(m_header_length)}; }
    // The header, parsed again (it always parses: Oasis built it).
    Ipv4Header header() const;

private:
    std::vector<std::byte> m_bytes;
    std::size_t m_header_length;
};

// A datagram whose timer ran out after its first fragment had arrived: the
// ICMP layer owes its source a Time Exceeded, code 1 "fragment reassembly
// time exceeded" (RFC 792; RFC 1122 §3.2.1.4), which quotes the header and
// the first 8 bytes of payload of that first fragment. Whether to send it
// (not to a broadcast or multicast destination, RFC 1122 §3.2.2) is the ICMP
// layer's decision.
struct ReassemblyTimeout {
    static constexpr std::size_t max_quote_size = Ipv4Header::max_header_size + 8;

    FragmentKey key;
    std::array<std::byte, max_quote_size> quote_storage{};
    std::size_t quote_size = 0;

    ByteView quote() const { return ByteView{std::span{quote_storage}.first(quote_size)}; }
};

// Puts fragmented datagrams back together.
//
// Each datagram is a list of pieces sorted by offset that never overlap:
// a fragment that overlaps a piece it does not exactly duplicate drops the
// whole datagram, the defence RFC 5722 prescribes for IPv6 and modern IPv4
// stacks adopt against Teardrop-class attacks (fragments whose overlaps are
// resolved differently here and in a firewall). The datagram is complete
// when a last fragment (MF clear) has fixed its length and the pieces add
// up to it; it is then copied into one buffer and handed out.
//
// Memory: at most limits().max_buffered_bytes of fragments, plus the one
// datagram add() is copying out at that moment, which becomes the caller's.
//
// Contract: sans-IO. Nothing reads a clock; the caller passes `now`, which
// must never go backwards, and calls expire(now) when next_deadline() comes.
// Until then a datagram past its deadline may still complete.
class Reassembler {
public:
    explicit Reassembler(ReassemblyLimits limits = {});
    ~Reassembler();

    Reassembler(const Reassembler&) = delete;
    Reassembler& operator=(const Reassembler&) = delete;

    // Takes one fragment (a parsed header whose payload() is the fragment's
    // data; parse() has checked its lengths and its checksum). Returns the
    // whole datagram when this fragment completed it, std::nullopt while
    // pieces are missing (or when it was an exact duplicate), or why it was
    // refused (and counted).
    Result<std::optional<Datagram>, ReassemblyError> add(const Ipv4Header& fragment, Instant now);

    // Drops every datagram whose deadline is at or before `now`, counting
    // them, and returns those whose first fragment had arrived, for the ICMP
    // layer.
    std::vector<ReassemblyTimeout> expire(Instant now);

    // When expire() next has work: the earliest deadline, or std::nullopt
    // when nothing is being reassembled.
    std::optional<Instant> next_deadline() const;

    const ReassemblyStats& stats() const { return m_stats; }
    const ReassemblyLimits& limits() const { return m_limits; }
    // Datagrams in progress, and the bytes charged for them.
    std::size_t datagrams_in_progress() const { return m_datagrams.size(); }
    std::size_t buffered_bytes() const { return m_buffered_bytes; }

private:
    struct Partial;

    Partial* find(const FragmentKey& key);
    Partial& start(const FragmentKey& key, Instant now);
    void remove(const Partial& partial);
    void evict_oldest_except(const Partial* keep);
    Result<std::optional<Datagram>, ReassemblyError> insert(Partial& partial,
                                                            const Ipv4Header& fragment);
    Result<void, ReassemblyError> make_room(Partial& partial, std::size_t charge);
    Datagram assemble(const Partial& partial) const;
    // Counts `error`, and returns it for add() to hand out.
    Error<ReassemblyError> refuse(ReassemblyError error);

    ReassemblyLimits m_limits;
    ReassemblyStats m_stats;
    // In the order they were started, so the front is the oldest. Short
    // (max_datagrams), so a linear search is the fastest lookup.
    std::vector<std::unique_ptr<Partial>> m_datagrams;
    std::size_t m_buffered_bytes = 0;
};

}  // namespace oasis::net
