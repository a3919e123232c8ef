// IPv4 fragmentation of outgoing datagrams (RFC 791 §2.3, §3.2) into pooled packets.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/buffer.hpp"
#include "core/packet.hpp"
#include "core/result.hpp"
#include "net/wire/ipv4.hpp"

namespace oasis::net {

// Every link must carry 68-byte datagrams unfragmented (RFC 791 §3.2): a
// 60-byte header and one 8-byte fragment.
inline constexpr std::size_t min_ipv4_mtu = 68;

enum class FragmentationError {
    dont_fragment,   // DF is set and the datagram is larger than the MTU: the
                     // caller reports "fragmentation needed" (RFC 792, RFC 1191)
    mtu_too_small,   // an MTU below 68 (RFC 791 §3.2)
    too_large,       // offset + 20 + payload would pass 65535
    no_room,         // a pool buffer cannot hold header and fragment for this MTU
    pool_exhausted,  // the pool ran dry part way; nothing was output
};

std::string_view fragmentation_error_name(FragmentationError error);

// Splits a datagram into packets of at most `mtu` bytes (IPv4 header
// included) and appends them to `out` in offset order, each allocated from
// `pool` with its default headroom, so lower layers can prepend their
// headers in place.
//
// `fields` describes the datagram; its payload_length is ignored (it is
// `payload.size()`). Each packet gets the same fields and a 20-byte header
// (Oasis emits no options, so RFC 791's copy flag has nothing to copy), a
// payload that is a multiple of 8 bytes except in the last, the offset and
// MF bit set and the checksum computed. A datagram that is itself a fragment
// (fields.fragment_offset != 0 or more_fragments, when forwarding) is split
// the same way: offsets start at its offset and its last piece keeps its MF.
// A datagram that fits is emitted as a single packet.
//
// On error, `out` is as it was: packets already allocated by this call go
// back to the pool.
Result<void, FragmentationError> fragment(const Ipv4Fields& fields, ByteView payload,
                                          std::size_t mtu, PacketPool& pool,
                                          std::vector<Packet>& out);

}  // namespace oasis::net
