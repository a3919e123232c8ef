// Target: the words of -t and --net, and which combinations exist today.
#include "cli/target.hpp"

#include "core/format.hpp"

namespace oasis::cli {

Result<TargetOptions, std::string> choose_target(std::string_view target, std::string_view net) {
    TargetOptions options;
    if (target == "unix") {
        options.target = Target::unix;
    } else if (target == "hvt") {
        return Error{std::string{
            "target 'hvt' is not available yet: the KVM target and its tender oasis-hvt come "
            "with issue 5 (hvt); use -t unix for now"}};
    } else {
        return Error{format("unknown target '{}' (valid targets: unix, hvt)", target)};
    }
    if (net == "direct") {
        options.net = NetKind::direct;
    } else if (net == "socket") {
        options.net = NetKind::socket;
    } else {
        return Error{format("unknown network kind '--net={}' (valid kinds: direct, socket)", net)};
    }
    return options;
}

std::string_view target_name(Target target) {
    switch (target) {
        case Target::unix:
            return "unix";
        case Target::hvt:
            return "hvt";
    }
    return "?";
}

std::string_view net_kind_name(NetKind net) {
    switch (net) {
        case NetKind::direct:
            return "direct";
        case NetKind::socket:
            return "socket";
    }
    return "?";
}

}  // namespace oasis::cli
