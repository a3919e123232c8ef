// SipHash-2-4: a fast keyed hash for TCP initial sequence numbers and flood-safe hash tables.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace oasis::crypto {

using SipKey = std::array<std::byte, 16>;

// SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
// 2012) of `data` under a secret `key`. Without the key an attacker cannot
// predict outputs, which is what RFC 6528 §3 asks of the function that
// derives TCP initial sequence numbers and what keeps hash tables fed with
// attacker-chosen keys from degrading into lists. Only the length of `data`
// influences control flow, never the key or the contents.
std::uint64_t siphash24(const SipKey& key, std::span<const std::byte> data);

}  // namespace oasis::crypto
