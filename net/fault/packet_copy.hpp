// copy_to_pool: a copy of a frame in a packet of a given pool, for devices that hold or fan out
// frames.
#pragma once

#include <optional>

#include "core/packet.hpp"

namespace oasis::net {

// A packet of `pool` holding a copy of `bytes` (after the pool's default
// headroom), or nothing when the pool is exhausted or its buffers are too
// small; the caller drops the frame and counts it.
inline std::optional<Packet> copy_to_pool(PacketPool& pool, ByteView bytes) {
    auto packet = pool.allocate();
    if (!packet) {
        return std::nullopt;
    }
    auto room = packet.value()->append(bytes.size());
    if (!room) {
        return std::nullopt;
    }
    (void)room->copy_from(0, bytes);
    return std::move(packet.value());
}

}  // namespace oasis::net
