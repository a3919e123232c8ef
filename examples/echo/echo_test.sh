#!/usr/bin/env bash
# Runs the echo unikernel over TAP inside a network namespace this test
# creates (and deletes): Linux pings it, sends it UDP and expects it back.
# Exits 77 (skipped) without root or /dev/net/tun. No traffic leaves the namespace.
set -euo pipefail
echo_binary=$1
fail() { echo "FAIL: $*" >&2; [ -f "${log:-}" ] && sed 's/^/  echo: /' "$log" >&2; exit 1; }
skip() { echo "SKIPPED: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root (CAP_NET_ADMIN) for a network namespace and TAP"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
for tool in ip ping socat python3 timeout; do
    command -v "$tool" >/dev/null || skip "$tool is not installed"
done

namespace="oasis-echo-$$"
tap=oasisecho0
host=10.79.0.1
unikernel=10.79.0.2
log=$(mktemp)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    ip netns del "$namespace" 2>/dev/null || true
    rm -f "$log"
}
trap cleanup EXIT
in_namespace() { ip netns exec "$namespace" "$@"; }

ip netns add "$namespace" || skip "cannot create a network namespace"
in_namespace ip link set lo up
in_namespace ip tuntap add dev "$tap" mode tap
in_namespace ip addr add "$host/24" dev "$tap"
in_namespace ip link set "$tap" up

# The unikernel, bounded in time whatever happens.
# (ip netns exec, not the shell function, so that $! is the process itself.)
ip netns exec "$namespace" timeout -k 5 120 "$echo_binary" --net:service="$tap" \
    --ipv4="$unikernel/24" --port=7 >"$log" 2>&1 &
pid=$!
for _ in $(seq 50); do
    grep -q "listening on $unikernel port 7" "$log" && break
    kill -0 "$pid" 2>/dev/null || fail "the unikernel exited early"
    sleep 0.1
done
grep -q "listening on $unikernel port 7" "$log" || fail "the unikernel did not start"

# ICMP echo, with ARP first (RFC 792, RFC 826).
in_namespace ping -c 3 -i 0.2 -W 2 "$unikernel" >/dev/null || fail "ping -c 3 got no replies"
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

kill -0 "$pid" 2>/dev/null || fail "the unikernel died"
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""

# Without --ipv4 the address comes from DHCP: dnsmasq in the namespace,
# serving the TAP only (no DNS, no ping probe before offering).
if command -v dnsmasq >/dev/null; then
    dnsmasq_dir=$(mktemp -d)
    ip netns exec "$namespace" timeout -k 5 60 dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --no-ping \
        --interface="$tap" --bind-interfaces --user=root \
        --dhcp-range=10.79.0.50,10.79.0.59,255.255.255.0,10m \
        --dhcp-leasefile="$dnsmasq_dir/leases" --pid-file="$dnsmasq_dir/pid" \
        2>"$dnsmasq_dir/log" &
    dnsmasq_pid=$!
    trap 'kill $dnsmasq_pid 2>/dev/null; wait $dnsmasq_pid 2>/dev/null; rm -rf "$dnsmasq_dir"; cleanup' EXIT
    : >"$log"
    ip netns exec "$namespace" timeout -k 5 60 "$echo_binary" --net:service="$tap" --dhcp-timeout=20s \
        --port=7 >"$log" 2>&1 &
    pid=$!
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
