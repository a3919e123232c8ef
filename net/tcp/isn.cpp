// TCP initial sequence numbers (RFC 6528 §3) and timestamp offsets: keyed hashes of the tuple.
#include "net/tcp/isn.hpp"

#include "core/endian.hpp"

namespace oasis::net {
namespace {

crypto::SipKey random_key(crypto::ChaChaRng& random) {
    crypto::SipKey key;
    random.fill(key);
    return key;
}

std::uint32_t hash32(const crypto::SipKey& key, const TcpTuple& tuple) {
    return static_cast<std::uint32_t>(crypto::siphash24(key, tcp_tuple_bytes(tuple)));
}

}  // namespace

TcpTupleBytes tcp_tuple_bytes(const TcpTuple& tuple) {
    TcpTupleBytes bytes;
    store_be32(bytes.data(), tuple.local.to_u32());
    store_be16(bytes.data() + 4, tuple.local_port);
    store_be32(bytes.data() + 6, tuple.remote.to_u32());
    store_be16(bytes.data() + 10, tuple.remote_port);
    return bytes;
}

TcpInitialSequence::TcpInitialSequence(crypto::ChaChaRng& random)
    : m_sequence_key(random_key(random)), m_timestamp_key(random_key(random)) {}

SequenceNumber TcpInitialSequence::generate(const TcpTuple& tuple, Instant now) const {
    // M is taken modulo 2^32: the sequence space wraps, and so does M.
    auto clock = static_cast<std::uint32_t>(now.time_since_epoch() / clock_tick);
    return SequenceNumber{clock + hash32(m_sequence_key, tuple)};
}

std::uint32_t TcpInitialSequence::timestamp_offset(const TcpTuple& tuple) const {
    return hash32(m_timestamp_key, tuple);
}

}  // namespace oasis::net
