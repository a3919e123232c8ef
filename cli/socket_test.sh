#!/usr/bin/env bash
# `oasis configure -t unix --net=socket` end to end, with no TAP device and no root: copies of
# examples/echo and examples/website are configured and built in fresh folders, run as an
# unprivileged user (nobody, when this runs as root) with --forward:service=0:PORT, and reached
# from the host over 127.0.0.1: nc gets its bytes echoed (with the half-close of -N), curl gets
# the website's index.html.
#
#   cli/socket_test.sh OASIS EXAMPLES_FOLDER
set -euo pipefail
oasis=$1
examples=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
nc -h 2>&1 | grep -q -- '-N' || { echo "SKIP: nc is not netcat-openbsd (no -N)"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/oasis-socket-test-XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
# The unprivileged user must reach the image and write its log.
chmod 755 "$work"

# As root, drop every privilege, so the run proves that none is needed.
run_as=()
if [ "$(id -u)" -eq 0 ]; then
    run_as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

# Copies an example and configures and builds it for --net=socket.
build() {
    local name=$1
    cp -r "$examples/$name" "$work/$name"
    rm -f "$work/$name"/*.sh "$work/$name/CMakeLists.txt"
    cd "$work/$name"
    local out
    out=$("$oasis" configure -t unix --net=socket)
    grep -q "^oasis: configured $name for unix (--net=socket) in build/unix" <<<"$out" ||
        fail "configure said: $out"
    grep -q -- "--forward:service=8080:80" <<<"$out" || fail "configure did not say how to reach it: $out"
    grep -q 'boot.declare_net_socket("service");' build/unix/main.cpp ||
        fail "the generated main does not put the stack on the host's sockets"
    "$oasis" build >build.log 2>&1 || { cat build.log >&2; fail "oasis build of $name failed"; }
    chmod -R a+rX "$work/$name"
}

# Starts dist/NAME with ARGS as the unprivileged user; sets `port` to the host port the gateway
# bound for the forward (HOSTPORT 0: the kernel's choice, which Boot logs) once the app says READY.
start() {
    local name=$1 ready=$2
    shift 2
    local log="$work/$name.log"
    : >"$log"
    chmod 666 "$log"
    "${run_as[@]}" "$work/$name/dist/$name" --forward:service=0:"$1" "${@:2}" >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        if grep -q "$ready" "$log"; then
            port=$(sed -n "s/.*net device 'service': 127.0.0.1:\([0-9]*\) -> app port $1.*/\1/p" "$log")
            [ -n "$port" ] || fail "$name did not log its forwarded port: $(cat "$log")"
            return
        fi
        kill -0 "${pids[-1]}" 2>/dev/null || fail "$name exited: $(cat "$log")"
        sleep 0.1
    done
    fail "$name did not start: $(cat "$log")"
}

build echo
help=$(dist/echo --help)
grep -q -- "--forward:service=HOSTPORT:GUESTPORT" <<<"$help" || fail "--help lacks --forward: $help"
grep -q -- "--host-port:service=PORT" <<<"$help" || fail "--help lacks --host-port: $help"
set +e
err=$(dist/echo --net:service=tap0 2>&1); status=$?
set -e
[ "$status" -eq 64 ] && [[ "$err" == *"uses the host's sockets"* ]] || fail "a TAP binding: $status $err"

start echo "listening on 10.0.2.15 port 7" 7
[ "$(id -u)" -ne 0 ] || [ "$(ps -o user= -p "${pids[-1]}")" != root ] || fail "echo runs as root"
reply=$(printf 'hello over the host sockets\n' | timeout 10 nc -N 127.0.0.1 "$port") ||
    fail "nc to 127.0.0.1:$port failed: $(cat "$work/echo.log")"
[ "$reply" = "hello over the host sockets" ] || fail "echo replied '$reply'"
# 256 KiB both ways through the splice and the two stacks.
head -c 262144 /dev/urandom >"$work/blob"
timeout 20 nc -N 127.0.0.1 "$port" <"$work/blob" >"$work/blob.echoed" || fail "nc with 256 KiB failed"
cmp -s "$work/blob" "$work/blob.echoed" || fail "256 KiB came back different ($(stat -c %s "$work/blob.echoed") bytes)"

build website
start website "serving http://10.0.2.15:80/" 80
page=$(timeout 10 curl -sS --fail "http://127.0.0.1:$port/") || fail "curl failed: $(cat "$work/website.log")"
[ "$page" = "$(cat "$examples/website/htdocs/index.html")" ] || fail "curl got another page: ${page:0:200}"
echo "PASS: echo and website over --net=socket, as $(${run_as[@]} id -un)"
