#!/usr/bin/env bash
# Runs the iperf3 unikernel over TAP inside a network namespace this test
# creates (and deletes), against Debian's iperf3 in the same namespace:
#   - Linux iperf3 client -> Oasis server: a test by time, a reversed one over
#     two streams, and a UDP test the server must refuse with an error;
#   - Oasis client -> Linux `iperf3 -s`: a test by time and a reversed one
#     by bytes, and a --connect that is no IPv4 address refused.
# Each side's JSON (iperf3 -J) and the unikernel's `result` lines are
# checked against each other: byte counts agree where both sides report the
# same number, and are sane (nonzero, received <= sent) where they do not.
# Exits 77 (skipped) without root, /dev/net/tun, iperf3 or python3.
# No traffic leaves the namespace.
set -euo pipefail
binary=$1
# shellcheck source=examples/tap_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tap_test_lib.sh"
log_prefix=oasis

require_tap iperf3 python3

namespace="oasis-iperf3-$$"
tap=oasisiperf0
host=10.78.0.1
unikernel=10.78.0.2
work=$(mktemp -d)
log=$work/oasis.log
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; tap_cleanup' EXIT
in_namespace() { ip netns exec "$namespace" "$@"; }

make_namespace "$namespace"
make_tap "$namespace" "$tap" "$host/24"

# check.py JSON RESULT_LINE ROLE: compares Linux's iperf3 -J output with the
# unikernel's `iperf3: result ...` line. ROLE says which end Linux was:
# client or server. Prints a summary; exits non-zero on a mismatch.
cat >"$work/check.py" <<'PYTHON'
import json, sys

report = json.load(open(sys.argv[1]))
if "error" in report:
    sys.exit("iperf3 reported an error: " + report["error"])
fields = dict(item.split("=", 1) for item in sys.argv[2].split()[2:])
role = sys.argv[3]
if fields["outcome"] != "ok":
    sys.exit("the unikernel's test failed: " + sys.argv[2])
end = report["end"]
reverse = report["start"]["test_start"]["reverse"] == 1
sent = end["sum_sent"]["bytes"]
received = end["sum_received"]["bytes"]
oasis_sent = int(fields["sender_bytes"])
oasis_received = int(fields["receiver_bytes"])
if role == "client":
    # The client prints both ends' counts, its own and the server's from
    # the results exchange, as the unikernel does: they must agree exactly.
    if (sent, received) != (oasis_sent, oasis_received):
        sys.exit("Linux reports %d sent, %d received; Oasis %d sent, %d received"
                 % (sent, received, oasis_sent, oasis_received))
else:
    # iperf3 -s prints its JSON before the results exchange, so it holds
    # only its own count, which the unikernel got in the exchange.
    own, oasis_own = (sent, oasis_sent) if reverse else (received, oasis_received)
    if own != oasis_own:
        sys.exit("iperf3 -s counted %d bytes, the Oasis client was told %d" % (own, oasis_own))
    sent, received = oasis_sent, oasis_received
if received <= 1_000_000:
    sys.exit("only %d bytes arrived" % received)
if received > sent:
    sys.exit("%d bytes arrived of %d sent" % (received, sent))
seconds = int(fields["receiver_microseconds"]) / 1e6
print("Linux %s, %s: sent %d, received %d bytes in %.2f s, %.0f Mbit/s" % (
    role, "reverse" if reverse else "forward", sent, received, seconds,
    received * 8 / seconds / 1e6))
PYTHON

result_line() { grep "^iperf3: result " "$log" | sed -n "${1}p"; }

# --- Linux iperf3 client -> Oasis server ---------------------------------

start_unikernel "$namespace" 90 "$binary" --net:service="$tap" --ipv4="$unikernel/24" --tests=3
wait_for_log "listening on $unikernel port 5201" 5

in_namespace timeout 30 iperf3 -c "$unikernel" -t 3 -J >"$work/forward.json" ||
    fail "iperf3 -c -t 3 failed: $(cat "$work/forward.json")"
python3 "$work/check.py" "$work/forward.json" "$(result_line 1)" client ||
    fail "forward test to the Oasis server"

in_namespace timeout 30 iperf3 -c "$unikernel" -t 3 -R -P 2 -J >"$work/reverse.json" ||
    fail "iperf3 -c -t 3 -R -P 2 failed: $(cat "$work/reverse.json")"
python3 "$work/check.py" "$work/reverse.json" "$(result_line 2)" client ||
    fail "reverse test from the Oasis server"

# UDP is refused with SERVER_ERROR, which iperf3 prints as its error.
set +e
udp=$(in_namespace timeout 30 iperf3 -c "$unikernel" -u -t 1 2>&1)
status=$?
set -e
[ "$status" -ne 0 ] || fail "a UDP test succeeded: $udp"
case "$udp" in
*"not implemented"*) ;;
*) fail "a UDP test failed without iperf3's 'not implemented' error: $udp" ;;
esac
grep -q "outcome=unsupported" "$log" || fail "the unikernel did not report the UDP test as unsupported"

# After its three tests the server exits by itself, with status 0.
status=0
wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || fail "the server exited with status $status after three tests"

# --- Oasis client -> Linux iperf3 server ---------------------------------

# run_client NAME ARGUMENTS...: one test against a fresh `iperf3 -s -1`.
run_client() {
    local name=$1
    shift
    ip netns exec "$namespace" timeout -k 5 40 iperf3 -s -1 -J -B "$host" \
        >"$work/$name.json" 2>"$work/$name.err" &
    server_pid=$!
    for _ in $(seq 50); do
        in_namespace ss -ltn 2>/dev/null | grep -q "$host:5201" && break
        sleep 0.1
    done
    : >"$log"
    in_namespace timeout -k 5 40 "$binary" --net:service="$tap" --ipv4="$unikernel/24" \
        --connect="$host" "$@" >"$log" 2>&1 || fail "the Oasis client failed ($*)"
    status=0
    wait "$server_pid" || status=$?
    server_pid=""
    [ "$status" -eq 0 ] || fail "iperf3 -s exited with status $status: $(cat "$work/$name.err")"
    python3 "$work/check.py" "$work/$name.json" "$(result_line 1)" server ||
        fail "the Oasis client's test ($*)"
}

run_client client-forward --time=3
run_client client-reverse --reverse --bytes=30000000

# A --connect that is not an IPv4 address: one line on the console, exit 1.
status=0
out=$(in_namespace timeout -k 5 20 "$binary" --net:service="$tap" --ipv4="$unikernel/24" \
    --connect=10.78.0.256 2>&1) || status=$?
[ "$status" -eq 1 ] || fail "--connect=10.78.0.256 exited with status $status: $out"
[ "$out" = "iperf3: --connect=10.78.0.256: not an IPv4 address (octet_too_large); expected one like 10.0.0.1" ] ||
    fail "--connect=10.78.0.256 said: $out"

echo "iperf3: all checks passed"
