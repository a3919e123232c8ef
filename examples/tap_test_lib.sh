# The prelude of the examples' TAP tests, sourced by examples/*/*_test.sh:
# each runs a unikernel over TAP inside network namespaces it creates and
# deletes. It offers:
#   fail MESSAGE            prints FAIL and the tail of the unikernel's log
#                           ($log; $log_prefix names its lines, $log_lines
#                           says how many, all by default), exits 1;
#   skip MESSAGE            prints SKIPPED and why, exits 77 (ctest's skip);
#   require_tap TOOL...     skips without root, /dev/net/tun, ip, timeout or
#                           one of the tools;
#   make_namespace NAME     a network namespace with its loopback up, deleted
#                           at exit (the first one that cannot be made means
#                           namespaces cannot be made here: a skip);
#   make_tap NAMESPACE TAP ADDRESS/LENGTH
#                           a TAP device in the namespace, with Linux's end
#                           at the address, up;
#   start_unikernel NAMESPACE SECONDS COMMAND...
#                           runs the unikernel in the namespace, in the
#                           background, killed after the seconds; its output
#                           goes to a fresh $log and its process id to $pid;
#   wait_for_log PATTERN SECONDS [CONTEXT]
#                           waits until $log has a line matching the pattern
#                           (grep), failing if the unikernel exits first or
#                           the seconds pass (CONTEXT goes in the message);
#   stop_unikernel          fails if the unikernel died, else stops it.
# At exit (trap tap_cleanup EXIT) the unikernel is stopped, the namespaces
# deleted and $work, if set, removed. A script that starts more processes
# sets its own trap that stops them and then calls tap_cleanup.
# shellcheck shell=bash

log=""
pid=""
work=""
tap_namespaces=()

fail() {
    echo "FAIL: $*" >&2
    [ -f "$log" ] && tail -n "${log_lines:-+1}" "$log" | sed "s/^/  ${log_prefix:-oasis}: /" >&2
    exit 1
}
skip() {
    echo "SKIPPED: $*"
    exit 77
}

tap_cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    local namespace
    for namespace in "${tap_namespaces[@]}"; do
        ip netns del "$namespace" 2>/dev/null || true
    done
    [ -z "$work" ] || rm -rf "$work"
}
trap tap_cleanup EXIT

require_tap() {
    [ "$(id -u)" -eq 0 ] || skip "needs root (CAP_NET_ADMIN) for network namespaces and TAP"
    [ -c /dev/net/tun ] || skip "no /dev/net/tun"
    local tool
    for tool in ip timeout "$@"; do
        command -v "$tool" >/dev/null || skip "$tool is not installed"
    done
}

make_namespace() {
    if ! ip netns add "$1"; then
        [ "${#tap_namespaces[@]}" -gt 0 ] || skip "cannot create a network namespace"
        fail "cannot create the network namespace $1"
    fi
    tap_namespaces+=("$1")
    ip netns exec "$1" ip link set lo up
}

make_tap() {
    ip netns exec "$1" ip tuntap add dev "$2" mode tap
    ip netns exec "$1" ip addr add "$3" dev "$2"
    ip netns exec "$1" ip link set "$2" up
}

# (ip netns exec in the background itself, not in a function, so that $! is
# the unikernel's process.)
start_unikernel() {
    local namespace=$1 seconds=$2
    shift 2
    : >"$log" # before the poll reads it: the redirection below happens later
    ip netns exec "$namespace" timeout -k 5 "$seconds" "$@" >"$log" 2>&1 &
    pid=$!
}

wait_for_log() {
    local pattern=$1 seconds=$2 context=${3:+ ($3)} _
    for _ in $(seq $((seconds * 10))); do
        grep -q "$pattern" "$log" && return 0
        kill -0 "$pid" 2>/dev/null || fail "the unikernel exited early$context"
        sleep 0.1
    done
    grep -q "$pattern" "$log" || fail "the unikernel did not start$context"
}

stop_unikernel() {
    kill -0 "$pid" 2>/dev/null || fail "the unikernel died"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
}
