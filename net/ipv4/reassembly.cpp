// IPv4 fragment reassembly: sorted, non-overlapping pieces per datagram, bounded in count, bytes
// and time.
#include "net/ipv4/reassembly.hpp"

#include <algorithm>
#include <cstring>

#include "core/endian.hpp"
#include "core/panic.hpp"

namespace oasis::net {
namespace {

// Header fields assemble() rewrites (RFC 791 §3.1).
constexpr std::size_t total_length_offset = 2;
constexpr std::size_t flags_fragment_offset = 6;
constexpr std::uint16_t dont_fragment_flag = 0x4000;

}  // namespace

std::string_view reassembly_error_name(ReassemblyError error) {
    switch (error) {
        case ReassemblyError::not_a_fragment:
            return "not_a_fragment";
        case ReassemblyError::empty_fragment:
            return "empty_fragment";
        case ReassemblyError::misaligned:
            return "misaligned";
        case ReassemblyError::too_large:
            return "too_large";
        case ReassemblyError::overlap:
            return "overlap";
        case ReassemblyError::inconsistent_length:
            return "inconsistent_length";
        case ReassemblyError::too_many_fragments:
            return "too_many_fragments";
        case ReassemblyError::over_budget:
            return "over_budget";
    }
    return "unknown";
}

Ipv4Header Datagram::header() const {
    auto header = Ipv4Header::parse(bytes(), ChecksumPolicy::skip);
    OASIS_ASSERT(header.has_value());
    return header.value();
}

// One datagram being reassembled.
struct Reassembler::Partial {
    struct Piece {
        std::size_t offset;
        std::vector<std::byte> bytes;
        std::size_t end() const { return offset + bytes.size(); }
    };

    FragmentKey key;
    Instant deadline;
    // Sorted by offset; no two overlap, so the last one ends furthest.
    std::vector<Piece> pieces;
    // The payload length, once a last fragment (MF clear) has said it.
    std::optional<std::size_t> payload_length;
    // Payload bytes held, and what the budget was charged for them.
    std::size_t received = 0;
    std::size_t charged = 0;
    // The header of the fragment at offset 0, which becomes the datagram's
    // (RFC 791 §3.2); a length of 0 until it arrives.
    std::array<std::byte, Ipv4Header::max_header_size> first_header{};
    std::size_t first_header_length = 0;

    std::size_t furthest_end() const {
        std::size_t end = pieces.empty() ? 0 : pieces.back().end();
        return std::max(end, payload_length.value_or(0));
    }
    bool complete() const { return payload_length && received == *payload_length; }
};

Reassembler::Reassembler(ReassemblyLimits limits) : m_limits(limits) {
    OASIS_ASSERT(m_limits.max_datagrams >= 1);
    OASIS_ASSERT(m_limits.max_fragments_per_datagram >= 1);
    OASIS_ASSERT(m_limits.max_datagram_length <= Ipv4Header::max_total_length);
    m_datagrams.reserve(m_limits.max_datagrams);
}

Reassembler::~Reassembler() = default;

Error<ReassemblyError> Reassembler::refuse(ReassemblyError error) {
    switch (error) {
        case ReassemblyError::not_a_fragment:
            ++m_stats.not_fragments;
            break;
        case ReassemblyError::empty_fragment:
            ++m_stats.empty_fragments;
            break;
        case ReassemblyError::misaligned:
            ++m_stats.misaligned;
            break;
        case ReassemblyError::too_large:
            ++m_stats.too_large;
            break;
        case ReassemblyError::overlap:
            ++m_stats.overlaps;
            break;
        case ReassemblyError::inconsistent_length:
            ++m_stats.inconsistent_lengths;
            break;
        case ReassemblyError::too_many_fragments:
            ++m_stats.too_many_fragments;
            break;
        case ReassemblyError::over_budget:
            ++m_stats.over_budget;
            break;
    }
    return Error{error};
}

Result<std::optional<Datagram>, ReassemblyError> Reassembler::add(const Ipv4Header& fragment,
                                                                  Instant now) {
    ++m_stats.fragments;
    // Checks that need no state come first, so that a fragment refused by
    // them never starts a datagram (and so never evicts one).
    if (!fragment.is_fragment()) {
        return refuse(ReassemblyError::not_a_fragment);
    }
    const std::size_t size = fragment.payload().size();
    if (fragment.more_fragments()) {
        if (size == 0) {
            return refuse(ReassemblyError::empty_fragment);
        }
        // Every fragment but the last carries a multiple of 8 bytes, or the
        // next one's offset could not follow it (RFC 791 §3.2).
        if (size % 8 != 0) {
            return refuse(ReassemblyError::misaligned);
        }
    }
    // Ipv4Header::parse already refuses offset + total length > 65535; a
    // smaller configured limit is checked here.
    if (fragment.header_length() + fragment.fragment_offset() + size >
        m_limits.max_datagram_length) {
        return refuse(ReassemblyError::too_large);
    }

    FragmentKey key{
        .source = fragment.source(),
        .destination = fragment.destination(),
        .protocol = fragment.protocol(),
        .identification = fragment.identification(),
    };
    Partial* partial = find(key);
    if (partial == nullptr) {
        partial = &start(key, now);
    }
    auto result = insert(*partial, fragment);
    if (result.is_error()) {
        remove(*partial);
        return refuse(result.error());
    }
    if (!partial->complete()) {
        return std::optional<Datagram>{};
    }
    Datagram datagram = assemble(*partial);
    remove(*partial);
    ++m_stats.reassembled;
    return std::optional<Datagram>{std::move(datagram)};
}

Result<std::optional<Datagram>, ReassemblyError> Reassembler::insert(Partial& partial,
                                                                     const Ipv4Header& fragment) {
    ByteView payload = fragment.payload();
    const std::size_t offset = fragment.fragment_offset();
    const std::size_t end = offset + payload.size();
    const bool last = !fragment.more_fragments();

    // The datagram's header is the first fragment's, which may carry more
    // options than the others: check the sum once both are known.
    std::size_t header_length = offset == 0                        ? fragment.header_length()
                                : partial.first_header_length != 0 ? partial.first_header_length
                                                                   : Ipv4Header::min_header_size;
    if (header_length + std::max(end, partial.furthest_end()) > m_limits.max_datagram_length) {
        return Error{ReassemblyError::too_large};
    }

    auto position = std::lower_bound(
        partial.pieces.begin(), partial.pieces.end(), offset,
        [](const Partial::Piece& piece, std::size_t value) { return piece.offset < value; });
    // Overlaps first, so a Teardrop pair is reported as the overlap it is.
    bool duplicate = false;
    if (payload.empty()) {
        // An empty last fragment adds no piece, only the length. Anything
        // already held ending past it is refused below.
        duplicate = partial.payload_length.has_value();
    } else {
        if (position != partial.pieces.end() && position->offset == offset) {
            const auto& held = position->bytes;
            if (held.size() != payload.size() ||
                !std::equal(held.begin(), held.end(), payload.begin())) {
                return Error{ReassemblyError::overlap};
            }
            duplicate = true;
        } else if (position != partial.pieces.end() && position->offset < end) {
            return Error{ReassemblyError::overlap};
        }
        if (!duplicate && position != partial.pieces.begin() &&
            std::prev(position)->end() > offset) {
            return Error{ReassemblyError::overlap};
        }
    }

    // The last fragment fixes the length; nothing may end past it, and a
    // fragment that says more follow must end before it (RFC 791 §3.2).
    if (last) {
        if (partial.payload_length && *partial.payload_length != end) {
            return Error{ReassemblyError::inconsistent_length};
        }
        if (!partial.pieces.empty() && partial.pieces.back().end() > end) {
            return Error{ReassemblyError::inconsistent_length};
        }
    } else if (partial.payload_length && end >= *partial.payload_length) {
        return Error{ReassemblyError::inconsistent_length};
    }

    if (duplicate) {
        ++m_stats.duplicates;
        if (last) {
            partial.payload_length = end;
        }
        return std::optional<Datagram>{};
    }

    std::size_t charge = 0;
    if (!payload.empty()) {
        if (partial.pieces.size() >= m_limits.max_fragments_per_datagram) {
            return Error{ReassemblyError::too_many_fragments};
        }
        charge = payload.size() + fragment_overhead;
        TRY(make_room(partial, charge));
        // make_room() evicts other datagrams only, so `position` still
        // points into this one's pieces.
        partial.pieces.insert(position, Partial::Piece{offset, {payload.begin(), payload.end()}});
    }
    if (offset == 0) {
        ByteView header = fragment.header();
        std::copy(header.begin(), header.end(), partial.first_header.begin());
        partial.first_header_length = header.size();
    }
    if (last) {
        partial.payload_length = end;
    }
    partial.received += payload.size();
    partial.charged += charge;
    m_buffered_bytes += charge;
    return std::optional<Datagram>{};
}

Result<void, ReassemblyError> Reassembler::make_room(Partial& partial, std::size_t charge) {
    // Evicting the oldest first: under a flood of fragments that never
    // complete, a datagram that does complete quickly still gets through.
    while (m_buffered_bytes + charge > m_limits.max_buffered_bytes && m_datagrams.size() > 1) {
        evict_oldest_except(&partial);
        ++m_stats.evicted_for_bytes;
    }
    if (m_buffered_bytes + charge > m_limits.max_buffered_bytes) {
        return Error{ReassemblyError::over_budget};
    }
    return {};
}

Reassembler::Partial* Reassembler::find(const FragmentKey& key) {
    for (auto& partial : m_datagrams) {
        if (partial->key == key) {
            return partial.get();
        }
    }
    return nullptr;
}

Reassembler::Partial& Reassembler::start(const FragmentKey& key, Instant now) {
    if (m_datagrams.size() >= m_limits.max_datagrams) {
        evict_oldest_except(nullptr);
        ++m_stats.evicted_for_datagrams;
    }
    auto partial = std::make_unique<Partial>();
    partial->key = key;
    partial->deadline = now + m_limits.timeout;
    m_datagrams.push_back(std::move(partial));
    return *m_datagrams.back();
}

void Reassembler::remove(const Partial& partial) {
    auto position = std::find_if(m_datagrams.begin(), m_datagrams.end(),
                                 [&](const auto& held) { return held.get() == &partial; });
    OASIS_ASSERT(position != m_datagrams.end());
    m_buffered_bytes -= partial.charged;
    m_datagrams.erase(position);
}

void Reassembler::evict_oldest_except(const Partial* keep) {
    for (auto& partial : m_datagrams) {
        if (partial.get() != keep) {
            remove(*partial);
            return;
        }
    }
    panic("Reassembler: nothing to evict");
}

Datagram Reassembler::assemble(const Partial& partial) const {
    OASIS_ASSERT(partial.first_header_length != 0 && partial.payload_length);
    const std::size_t header_length = partial.first_header_length;
    const std::size_t total_length = header_length + *partial.payload_length;
    OASIS_ASSERT(total_length <= Ipv4Header::max_total_length);

    std::vector<std::byte> bytes(total_length);
    std::copy_n(partial.first_header.begin(), header_length, bytes.begin());
    for (const auto& piece : partial.pieces) {
        std::copy(piece.bytes.begin(), piece.bytes.end(),
                  bytes.begin() + header_length + piece.offset);
    }
    // A whole datagram: MF and the offset cleared, DF kept as the sender set it.
    store_be16(bytes.data() + total_length_offset, static_cast<std::uint16_t>(total_length));
    std::uint16_t flags = load_be16(bytes.data() + flags_fragment_offset);
    store_be16(bytes.data() + flags_fragment_offset,
               static_cast<std::uint16_t>(flags & dont_fragment_flag));
    auto header = MutableIpv4Header::parse(MutableByteView{bytes}, ChecksumPolicy::skip);
    OASIS_ASSERT(header.has_value());
    header->fill_checksum();
    return Datagram{std::move(bytes), header_length};
}

std::vector<ReassemblyTimeout> Reassembler::expire(Instant now) {
    std::vector<ReassemblyTimeout> timeouts;
    for (std::size_t index = 0; index < m_datagrams.size();) {
        const Partial& partial = *m_datagrams[index];
        if (partial.deadline > now) {
            ++index;
            continue;
        }
        ++m_stats.timeouts;
        // Only a datagram whose first fragment arrived earns an ICMP error
        // (RFC 792, Time Exceeded code 1): without it there is no header to
        // quote, and the transport's ports are unknown.
        if (partial.first_header_length != 0) {
            ReassemblyTimeout timeout{.key = partial.key};
            const auto& first = partial.pieces.front();
            OASIS_ASSERT(first.offset == 0);
            std::size_t data_size = std::min<std::size_t>(8, first.bytes.size());
            auto out = std::copy_n(partial.first_header.begin(), partial.first_header_length,
                                   timeout.quote_storage.begin());
            std::copy_n(first.bytes.begin(), data_size, out);
            timeout.quote_size = partial.first_header_length + data_size;
            timeouts.push_back(timeout);
        }
        m_buffered_bytes -= partial.charged;
        m_datagrams.erase(m_datagrams.begin() + static_cast<std::ptrdiff_t>(index));
    }
    return timeouts;
}

std::optional<Instant> Reassembler::next_deadline() const {
    std::optional<Instant> earliest;
    for (const auto& partial : m_datagrams) {
        if (!earliest || partial->deadline < *earliest) {
            earliest = partial->deadline;
        }
    }
    return earliest;
}

}  // namespace oasis::net
