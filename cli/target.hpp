// Target: which platform `oasis configure` builds for, and which network stack the unikernel gets.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace oasis::cli {

enum class Target { unix, hvt };

enum class NetKind {
    direct,  // Oasis's own TCP/IP stack over an Ethernet device (TAP on unix)
    // The same stack and API, its Ethernet port on an in-process gateway that
    // splices TCP to the host kernel's sockets on 127.0.0.1 (unix only).
    socket,
};

struct TargetOptions {
    Target target = Target::unix;
    NetKind net = NetKind::direct;
};

// Checks the words of `-t TARGET --net=KIND`. Unknown words are refused with
// the list of valid ones; targets and stacks that are planned but not built
// yet are refused with the issue that brings them, never faked.
Result<TargetOptions, std::string> choose_target(std::string_view target, std::string_view net);

std::string_view target_name(Target target);
std::string_view net_kind_name(NetKind net);

}  // namespace oasis::cli
