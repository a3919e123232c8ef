// IPv4 fragmentation: 8-byte-aligned pieces, each with its own header, out of a packet pool.
#include "net/ipv4/fragmentation.hpp"

#include <algorithm>

#include "core/panic.hpp"

namespace oasis::net {
namespace {

// Emits one packet: a 20-byte header for `fields` and then `chunk`.
Result<Packet, FragmentationError> emit_packet(const Ipv4Fields& fields, ByteView chunk,
                                               PacketPool& pool) {
    auto packet = pool.allocate();
    if (!packet) {
        return Error{FragmentationError::pool_exhausted};
    }
    auto bytes = (*packet)->append(Ipv4Header::min_header_size + chunk.size());
    if (!bytes) {
        return Error{FragmentationError::no_room};
    }
    Ipv4Fields piece = fields;
    piece.payload_length = chunk.size();
    // The lengths were checked by fragment(), so emit cannot refuse them.
    auto emitted = Ipv4Header::emit(*bytes, piece);
    OASIS_ASSERT(emitted.has_value());
    std::copy(chunk.begin(), chunk.end(), bytes->begin() + Ipv4Header::min_header_size);
    return std::move(packet.value());
}

}  // namespace

std::string_view fragmentation_error_name(FragmentationError error) {
    switch (error) {
        case FragmentationError::dont_fragment:
            return "dont_fragment";
        case FragmentationError::mtu_too_small:
            return "mtu_too_small";
        case FragmentationError::too_large:
            return "too_large";
        case FragmentationError::no_room:
            return "no_room";
        case FragmentationError::pool_exhausted:
            return "pool_exhausted";
    }
    return "unknown";
}

Result<void, FragmentationError> fragment(const Ipv4Fields& fields, ByteView payload,
                                          std::size_t mtu, PacketPool& pool,
                                          std::vector<Packet>& out) {
    if (mtu < min_ipv4_mtu) {
        return Error{FragmentationError::mtu_too_small};
    }
    constexpr std::size_t header_size = Ipv4Header::min_header_size;
    if (std::size_t{fields.fragment_offset} + header_size + payload.size() >
        Ipv4Header::max_total_length) {
        return Error{FragmentationError::too_large};
    }
    const bool fits = header_size + payload.size() <= mtu;
    if (!fits && fields.dont_fragment) {
        return Error{FragmentationError::dont_fragment};
    }

    // Every piece but the last carries the most 8-byte units that fit
    // (RFC 791 §3.2, "An Example Fragmentation Procedure").
    const std::size_t piece_size = fits ? payload.size() : (mtu - header_size) / 8 * 8;
    const std::size_t original_size = out.size();
    std::size_t offset = 0;
    do {
        const std::size_t size = std::min(piece_size, payload.size() - offset);
        const bool last = offset + size == payload.size();
        Ipv4Fields piece = fields;
        piece.fragment_offset = static_cast<std::uint16_t>(fields.fragment_offset + offset);
        piece.more_fragments = !last || fields.more_fragments;
        auto packet = emit_packet(piece, ByteView{payload.span().subspan(offset, size)}, pool);
        if (!packet) {
            // Hand back what this call allocated: a partial datagram is useless.
            out.erase(out.begin() + static_cast<std::ptrdiff_t>(original_size), out.end());
            return Error{packet.error()};
        }
        out.push_back(std::move(packet.value()));
        offset += size;
    } while (offset < payload.size());
    return {};
}

}  // namespace oasis::net
