#!/usr/bin/env bash
# Runs the echo unikernel over TAP inside a network namespace this test
# creates (and deletes): Linux pings it, sends it UDP and expects it back.
# Also: arping, a --pcap capture read back by tshark, and --net-faults loss.
# Exits 77 (skipped) without root or /dev/net/tun. No traffic leaves the namespace.
set -euo pipefail
echo_binary=$1
# shellcheck source=examples/tap_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tap_test_lib.sh"
log_prefix="echo"

# A fault spec that does not parse is refused before any device is opened
# (so this needs neither root nor a TAP), with a message naming the argument.
set +e
usage=$(timeout 10 "$echo_binary" --net-faults=loss=2 --net:service=none --ipv4=10.79.0.2/24 2>&1)
status=$?
set -e
[ "$status" -eq 64 ] || fail "a bad --net-faults exited $status, not 64 ($usage)"
case "$usage" in
*--net-faults*) ;;
*) fail "the message for a bad --net-faults does not name it: $usage" ;;
esac

require_tap ping socat python3

namespace="oasis-echo-$$"
tap=oasisecho0
host=10.79.0.1
unikernel=10.79.0.2
work=$(mktemp -d)
log=$work/echo.log
capture=$work/capture.pcap
in_namespace() { ip netns exec "$namespace" "$@"; }
# Starts the unikernel at $unikernel with extra arguments, bounded in time,
# and waits until it listens.
start_echo() {
    start_unikernel "$namespace" 60 "$echo_binary" --net:service="$tap" \
        --ipv4="$unikernel/24" --port=7 "$@"
    wait_for_log "listening on $unikernel port 7" 5 "$*"
}

make_namespace "$namespace"
make_tap "$namespace" "$tap" "$host/24"

# The unikernel, bounded in time whatever happens.
start_unikernel "$namespace" 120 "$echo_binary" --net:service="$tap" --ipv4="$unikernel/24" --port=7
wait_for_log "listening on $unikernel port 7" 5

# ICMP echo, with ARP first (RFC 792, RFC 826).
in_namespace ping -c 3 -i 0.2 -W 2 "$unikernel" >/dev/null || fail "ping -c 3 got no replies"
# ARP requests of its own (iputils arping: exits 0 once it has replies).
if command -v arping >/dev/null; then
    in_namespace arping -c 3 -w 5 -I "$tap" "$unikernel" >/dev/null || fail "arping got no replies"
else
    echo "arping is not installed: the ARP check is skipped"
fi
# 60,000 bytes of echo data: 41 fragments each way, reassembled on both sides.
in_namespace ping -c 2 -i 0.5 -W 3 -s 60000 "$unikernel" >/dev/null ||
    fail "ping -s 60000 got no replies"

# UDP echo through socat.
reply=$(echo "hello, oasis" | in_namespace timeout 5 socat -T 3 - "UDP:$unikernel:7")
[ "$reply" = "hello, oasis" ] || fail "UDP echo returned '$reply'"

# A closed port answers ICMP port unreachable: a connected UDP socket sees
# ECONNREFUSED. And a 30,000-byte datagram comes back whole (fragmented).
in_namespace timeout 10 python3 - "$unikernel" <<'PYTHON' || fail "the python checks failed"
import os, socket, sys
address = sys.argv[1]
closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
closed.settimeout(3)
closed.connect((address, 9))
closed.send(b"anyone?")
try:
    closed.recv(100)
    sys.exit("a closed port answered")
except ConnectionRefusedError:
    pass
large = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
large.settimeout(3)
payload = os.urandom(30000)
large.sendto(payload, (address, 7))
data, source = large.recvfrom(65535)
if data != payload or source != (address, 7):
    sys.exit("the 30,000-byte datagram did not come back whole")
PYTHON

stop_unikernel

# --pcap: the capture holds the ping's requests and replies, both ways.
start_echo --pcap="$capture"
in_namespace ping -c 2 -i 0.2 -W 2 "$unikernel" >/dev/null || fail "ping with --pcap got no replies"
stop_unikernel
if command -v tshark >/dev/null; then
    types=$(timeout 30 tshark -r "$capture" -Y icmp -T fields -e icmp.type 2>/dev/null) ||
        fail "tshark cannot read the --pcap capture"
    requests=$(grep -c '^8$' <<<"$types" || true)
    replies=$(grep -c '^0$' <<<"$types" || true)
    [ "$requests" -ge 2 ] && [ "$replies" -ge 2 ] ||
        fail "the capture has $requests ICMP echo requests and $replies replies, not 2 of each"
else
    echo "tshark is not installed: the --pcap capture is not read back"
fi

# --net-faults: a fifth of the frames each way are lost (a fixed seed), so
# some pings go unanswered but not all, and UDP echo gets through with retries.
start_echo --net-faults=loss=20%,seed=7
received=$(in_namespace ping -c 20 -i 0.05 -W 1 "$unikernel" 2>/dev/null |
    sed -n 's/.* \([0-9]*\) received.*/\1/p' || true)
[ -n "$received" ] || fail "ping under --net-faults printed no summary"
[ "$received" -gt 0 ] || fail "ping under --net-faults loss=20% lost every packet"
[ "$received" -lt 20 ] || fail "ping under --net-faults loss=20% lost nothing"
in_namespace timeout 20 python3 - "$unikernel" <<'PYTHON' || fail "UDP echo with retries failed under --net-faults"
import socket, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(0.5)
for attempt in range(20):
    sock.sendto(b"lossy %d" % attempt, (sys.argv[1], 7))
    try:
        while True:
            data, _ = sock.recvfrom(100)
            if data == b"lossy %d" % attempt:
                sys.exit(0)
    except socket.timeout:
        pass
sys.exit("no echo in 20 tries")
PYTHON
stop_unikernel

# Without --ipv4 the address comes from DHCP: dnsmasq in the namespace,
# serving the TAP only (no DNS, no ping probe before offering).
if command -v dnsmasq >/dev/null; then
    dnsmasq_dir=$work/dnsmasq
    mkdir "$dnsmasq_dir"
    ip netns exec "$namespace" timeout -k 5 60 dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --no-ping \
        --interface="$tap" --bind-interfaces --user=root \
        --dhcp-range=10.79.0.50,10.79.0.59,255.255.255.0,10m \
        --dhcp-leasefile="$dnsmasq_dir/leases" --pid-file="$dnsmasq_dir/pid" \
        2>"$dnsmasq_dir/log" &
    dnsmasq_pid=$!
    trap 'kill $dnsmasq_pid 2>/dev/null; wait $dnsmasq_pid 2>/dev/null; tap_cleanup' EXIT
    start_unikernel "$namespace" 60 "$echo_binary" --net:service="$tap" --dhcp-timeout=20s --port=7
    leased=""
    for _ in $(seq 200); do
        leased=$(sed -n 's/^echo: listening on \(10\.79\.0\.5[0-9]\) port 7$/\1/p' "$log")
        [ -n "$leased" ] && break
        kill -0 "$pid" 2>/dev/null || fail "the DHCP unikernel exited early"
        sleep 0.1
    done
    [ -n "$leased" ] || fail "no DHCP lease in 20 s"
    in_namespace ping -c 2 -i 0.2 -W 2 "$leased" >/dev/null || fail "no ping reply from $leased"
    reply=$(echo "leased" | in_namespace timeout 5 socat -T 3 - "UDP:$leased:7")
    [ "$reply" = "leased" ] || fail "UDP echo at $leased returned '$reply'"
else
    echo "dnsmasq is not installed: the DHCP check is skipped"
fi
echo "echo: all checks passed"
