#!/usr/bin/env bash
# Runs the echo unikernel's TCP echo (RFC 862) against Linux's own TCP over
# TAP, inside two network namespaces this test creates and deletes: a router
# namespace holding the TAP (and nftables faults) and a client namespace
# whose TCP goes through it. Every transfer is checked with sha256sum:
#   (a) nc sends 1 MiB and reads it back;
#   (b) 32 MiB through loss and duplication (nftables, both directions) and
#       delay, reordering and duplication (the unikernel's --net-faults);
#   (c) 50 nc sessions at once, with the unikernel bounded to 20 at a time;
#   (d) a SYN flood (hping3, bounded) while an established session keeps
#       echoing and new connections complete through SYN cookies.
# Exits 77 (skipped) without root, /dev/net/tun or a tool. No traffic leaves
# the namespaces.
set -euo pipefail
echo_binary=$1
# shellcheck source=examples/tap_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tap_test_lib.sh"
log_prefix="echo"
log_lines=40

require_tap nc nft sha256sum split python3
# netcat-openbsd: -N shuts the socket's sending side at the end of input, so
# the echo sees a FIN and closes after the last byte.
nc -h 2>&1 | grep -q -- '-N' || skip "nc is not netcat-openbsd (no -N)"

router="oasis-echotcp-$$"
client="oasis-echotcp-client-$$"
tap=oasistcp0
unikernel=10.77.0.2
work=$(mktemp -d)
log="$work/echo.log"
in_router() { ip netns exec "$router" "$@"; }
in_client() { ip netns exec "$client" "$@"; }
milliseconds() { echo $(($(date +%s%N) / 1000000)); }
# The digest of a file or of standard input, alone.
digest() { sha256sum "$@" | cut -d' ' -f1; }

# Starts the unikernel with extra arguments, bounded in time, and waits until
# it listens.
start_echo() {
    start_unikernel "$router" 150 "$echo_binary" --net:service="$tap" \
        --ipv4="$unikernel/24" --ipv4-gateway=10.77.0.1 --port=7 --logs=echo:debug \
        --stats-interval=1s "$@"
    wait_for_log "listening on $unikernel port 7" 10 "$*"
}
# A counter from the unikernel's latest "tcp stats:" line.
tcp_stat() {
    grep 'tcp stats:' "$log" | tail -n 1 | sed -n "s/.* $1 \([0-9]*\).*/\1/p"
}

# client 10.77.1.2 --veth-- 10.77.1.1 router 10.77.0.1 --TAP-- 10.77.0.2 echo
make_namespace "$router"
make_namespace "$client"
make_tap "$router" "$tap" 10.77.0.1/24
in_router ip link add veth-router type veth peer name veth-client netns "$client"
in_router ip addr add 10.77.1.1/24 dev veth-router
in_router ip link set veth-router up
in_router sysctl -qw net.ipv4.ip_forward=1
in_client ip addr add 10.77.1.2/24 dev veth-client
# One segment per packet: without this, the client's TCP hands the veth
# 64 KiB super-packets, and a fault in the router hits 45 segments at once.
in_client ip link set veth-client up gso_max_segs 1
in_client ip route add default via 10.77.1.1

started=$(milliseconds)

# (a) and (c), and (d) below, against one unikernel serving at most 20
# connections at once.
start_echo --max-connections=20

# (a) 1 MiB from Linux and back.
head -c 1048576 /dev/urandom >"$work/one"
begin=$(milliseconds)
echoed=$(in_client timeout 30 nc -N "$unikernel" 7 <"$work/one" | digest) ||
    fail "nc of 1 MiB did not finish"
[ "$echoed" = "$(digest "$work/one")" ] || fail "1 MiB came back different"
echo "(a) 1 MiB echoed in $(($(milliseconds) - begin)) ms"

# (c) 50 sessions at once, 128 KiB each, every one checked; 30 of them wait
# in the listen backlog for one of the 20 slots.
mkdir "$work/many"
head -c $((50 * 131072)) /dev/urandom | split -b 131072 -d -a 2 - "$work/many/in."
begin=$(milliseconds)
# shellcheck disable=SC2016 # the inner bash expands them
in_client bash -c '
    for input in "$1"/in.*; do
        timeout 30 nc -N "$2" 7 <"$input" >"${input/in./out.}" &
    done
    wait' sessions "$work/many" "$unikernel"
many_time=$(($(milliseconds) - begin))
# One sha256sum for all: each output must have its input's digest.
(cd "$work/many" && sha256sum in.* | sed 's/  in\./  out./' | sha256sum --check --quiet) ||
    fail "some of the 50 sessions came back different"
busiest=$(sed -n 's/.*connected (\([0-9]*\) of 20 slots in use).*/\1/p' "$log" | sort -n | tail -n 1)
[ -n "$busiest" ] || fail "the unikernel logged no connections"
[ "$busiest" -le 20 ] || fail "$busiest connections were served at once, above the bound of 20"
[ "$busiest" -ge 2 ] || fail "the 50 sessions never overlapped"
echo "(c) 50 sessions echoed in $many_time ms, at most $busiest at once"

# (d) A SYN flood from an address nobody answers for: the SYN-ACKs go
# nowhere, the half-open connections pile up and SYN cookies take over.
# Meanwhile an established session keeps echoing and new connections
# complete. (The client's address range is on the router's veth, so the
# router drops the SYN-ACKs after failing to resolve the spoofed address.)
if command -v hping3 >/dev/null; then
    in_client timeout 40 python3 - "$unikernel" "$work/flood" <<'PYTHON' &
import os, socket, sys, time
address, marker = sys.argv[1], sys.argv[2]
session = socket.create_connection((address, 7), timeout=10)
open(marker + ".ready", "w").close()
# Echo 1 KiB every 50 ms and open a new connection every 250 ms, until the
# flood is over and a little beyond.
deadline, opened, echoed, next_open = None, 0, 0, 0.0
while deadline is None or time.monotonic() < deadline:
    if deadline is None and os.path.exists(marker + ".done"):
        deadline = time.monotonic() + 1
    payload = os.urandom(1024)
    session.sendall(payload)
    back = b""
    while len(back) < len(payload):
        chunk = session.recv(len(payload) - len(back))
        if not chunk:
            sys.exit("the established session closed during the flood")
        back += chunk
    if back != payload:
        sys.exit("the established session echoed something else")
    echoed += 1
    if time.monotonic() >= next_open:
        next_open = time.monotonic() + 0.25
        fresh = socket.create_connection((address, 7), timeout=10)
        fresh.sendall(b"fresh %d" % opened)
        fresh.shutdown(socket.SHUT_WR)
        reply = b""
        while True:
            chunk = fresh.recv(100)
            if not chunk:
                break
            reply += chunk
        if reply != b"fresh %d" % opened:
            sys.exit("a new connection during the flood echoed %r" % reply)
        fresh.close()
        opened += 1
    time.sleep(0.05)
session.close()
print("%d echoes on the established session, %d new connections" % (echoed, opened))
PYTHON
    checker=$!
    for _ in $(seq 100); do
        [ -e "$work/flood.ready" ] && break
        sleep 0.1
    done
    [ -e "$work/flood.ready" ] || fail "the session for the flood did not connect"
    begin=$(milliseconds)
    # 20,000 SYNs at most, one every 100 us, bounded in time.
    in_client timeout 20 hping3 -q -S -p 7 -a 10.77.1.99 -i u100 -c 20000 "$unikernel" \
        >/dev/null 2>&1 || true
    flood_time=$(($(milliseconds) - begin))
    touch "$work/flood.done"
    wait "$checker" || fail "the echo did not keep working through the SYN flood"
    sleep 1.5 # one more stats line
    cookies=$(tcp_stat cookies_sent)
    accepted=$(tcp_stat cookies_accepted)
    syns=$(tcp_stat syn_received)
    [ "${syns:-0}" -ge 1000 ] || fail "only ${syns:-0} SYNs reached the unikernel"
    [ "${cookies:-0}" -gt 0 ] || fail "no SYN cookies were sent under the flood"
    [ "${accepted:-0}" -gt 0 ] || fail "no connection completed through a SYN cookie"
    echo "(d) $syns SYNs in $flood_time ms: $cookies cookies sent, $accepted accepted"
else
    echo "(d) hping3 is not installed: the SYN flood check is skipped"
fi
stop_unikernel

# (b) 32 MiB each way through a faulty path. In the router, nftables drops
# and duplicates 1% of the segments each way (in the forward hook: a drop in
# the client's own output hook would be reported to its TCP, which then
# simply retries, and nothing would be lost on the wire). The unikernel's
# device adds 1 ms of delay and reorders and duplicates 1% of the frames.
in_router nft -f - <<NFT || fail "nftables refused the fault rules"
table ip echo_faults {
    chain forward {
        type filter hook forward priority 0; policy accept;
        ip daddr $unikernel tcp dport 7 numgen random mod 100 < 1 counter drop
        ip saddr $unikernel tcp sport 7 numgen random mod 100 < 1 counter drop
        ip daddr $unikernel tcp dport 7 numgen random mod 100 < 1 counter dup to $unikernel device "$tap"
        ip saddr $unikernel tcp sport 7 numgen random mod 100 < 1 counter dup to 10.77.1.2 device "veth-router"
    }
}
NFT
start_echo --net-faults=delay=1ms,reorder=1%,duplicate=1%,seed=862
head -c $((32 * 1048576)) /dev/urandom >"$work/large"
begin=$(milliseconds)
echoed=$(in_client timeout 60 nc -N "$unikernel" 7 <"$work/large" | digest) ||
    fail "32 MiB did not come back within 60 s through the faults"
[ "$echoed" = "$(digest "$work/large")" ] || fail "32 MiB came back different through the faults"
large_time=$(($(milliseconds) - begin))
# Every rule fired: losses and duplicates really happened, both ways.
counts=$(in_router nft list table ip echo_faults | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
[ "$(wc -l <<<"$counts")" -eq 4 ] || fail "cannot read the nftables counters"
while read -r count; do
    [ "$count" -gt 0 ] || fail "an nftables fault rule never fired: $(tr '\n' ' ' <<<"$counts")"
done <<<"$counts"
summary=$(grep 'closed after 33554432 bytes' "$log") || fail "the unikernel did not log the 32 MiB session"
retransmitted=$(sed -n 's/.*retransmitted \([0-9]*\),.*/\1/p' <<<"$summary")
out_of_order=$(sed -n 's/.*out of order \([0-9]*\),.*/\1/p' <<<"$summary")
[ "$retransmitted" -gt 0 ] || fail "the unikernel retransmitted nothing through the losses"
[ "$out_of_order" -gt 0 ] || fail "the unikernel saw nothing out of order"
stop_unikernel
echo "(b) 32 MiB echoed through faults in $large_time ms" \
    "(nftables drops/dups $(tr '\n' ' ' <<<"$counts"); the unikernel: ${summary#*after 33554432 bytes })"

echo "echo tcp: all checks passed in $(($(milliseconds) - started)) ms"
