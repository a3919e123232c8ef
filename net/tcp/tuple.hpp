// The four numbers that name one TCP connection (RFC 9293 §3.3.1's socket pair).
#pragma once

#include <cstdint>
#include <string>

#include "core/format.hpp"
#include "net/wire/address.hpp"

namespace oasis::net {

// Both ends of a connection, as seen from this host.
struct TcpTuple {
    Ipv4Address local;
    std::uint16_t local_port = 0;
    Ipv4Address remote;
    std::uint16_t remote_port = 0;

    friend bool operator==(const TcpTuple&, const TcpTuple&) = default;
};

inline void format_value(std::string& out, const TcpTuple& tuple) {
    format_to(out, "{}:{}-{}:{}", tuple.local, tuple.local_port, tuple.remote, tuple.remote_port);
}

}  // namespace oasis::net
