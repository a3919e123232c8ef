#!/usr/bin/env bash
# The website benchmark (run by bench/run as build/bench/bench_website): the
# website unikernel (unix target, TAP) against nginx with one worker (over a
# veth pair), both serving the same folder — the default site plus a 1 MiB
# file — to wrk in the same namespace, in the same run:
#   - requests per second and latency (median, 99th percentile) for the
#     small page (index.html) and for the 1 MiB file;
#   - peak resident memory after the load (VmHWM: the unikernel process,
#     against nginx's master and worker together).
# The site is built with the oasis tool from examples/website, with the
# large file added to its baked folder. Everything happens in namespaces and
# a temporary folder that the script removes. Needs root, /dev/net/tun, wrk
# and nginx.
#
#   bench/website_bench.sh OASIS WEBSITE_SOURCE_FOLDER
set -euo pipefail
oasis=$1
website_source=$2
duration=${WEBSITE_BENCH_SECONDS:-5}

# shellcheck source=bench/report.sh
source "$(dirname "${BASH_SOURCE[0]}")/report.sh"

for tool in ip wrk nginx; do
    command -v "$tool" >/dev/null || { echo "website_bench: $tool is not installed" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] && [ -c /dev/net/tun ] || { echo "website_bench: needs root and /dev/net/tun" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/oasis-website-bench-XXXXXX")
client="oasis-webbench-$$"
peer="oasis-webbench-nginx-$$"
tap=oasisbench0
website_pid=""
nginx_pid=""
cleanup() {
    [ -n "$website_pid" ] && kill "$website_pid" 2>/dev/null || true
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    ip netns del "$client" 2>/dev/null || true
    ip netns del "$peer" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The site: the example's folder and a 1 MiB file, built as a user would.
cp -r "$website_source" "$work/site"
rm -rf "$work/site/build" "$work/site/dist"
head -c 1048576 /dev/urandom >"$work/site/htdocs/1mib.bin"
(cd "$work/site" && "$oasis" configure -t unix >/dev/null && "$oasis" build >"$work/build.log" 2>&1) ||
    { cat "$work/build.log" >&2; exit 1; }

# wrk and the TAP in one namespace; nginx in another, over veth.
ip netns add "$client"
ip netns add "$peer"
ip -n "$client" link set lo up
ip -n "$peer" link set lo up
ip -n "$client" tuntap add dev "$tap" mode tap
ip -n "$client" addr add 10.79.0.1/24 dev "$tap"
ip -n "$client" link set "$tap" up
ip -n "$client" link add veth-bench type veth peer name veth-nginx netns "$peer"
ip -n "$client" addr add 10.79.1.1/24 dev veth-bench
ip -n "$client" link set veth-bench up
ip -n "$peer" addr add 10.79.1.2/24 dev veth-nginx
ip -n "$peer" link set veth-nginx up

ip netns exec "$client" "$work/site/dist/website" --net:service="$tap" --ipv4=10.79.0.2/24 \
    --access-log=false >"$work/website.log" 2>&1 &
website_pid=$!

cat >"$work/nginx.conf" <<EOF
# nginx as a static site is usually run: one worker, sendfile, keep-alive. The worker runs as
# root because the site is in a private temporary folder.
user root;
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    client_body_temp_path $work/nginx-body;
    proxy_temp_path $work/nginx-proxy;
    fastcgi_temp_path $work/nginx-fastcgi;
    uwsgi_temp_path $work/nginx-uwsgi;
    scgi_temp_path $work/nginx-scgi;
    server {
        listen 10.79.1.2:80;
        root $work/site/htdocs;
    }
}
EOF
ip netns exec "$peer" nginx -c "$work/nginx.conf" -e "$work/nginx-error.log" &
nginx_pid=$!

for _ in $(seq 100); do
    if grep -q "serving http://10.79.0.2:80/" "$work/website.log" &&
        ip netns exec "$client" curl -sf -o /dev/null http://10.79.1.2/index.html 2>/dev/null; then
        break
    fi
    sleep 0.1
done
grep -q "serving http://10.79.0.2:80/" "$work/website.log" || { cat "$work/website.log" >&2; exit 1; }

# wrk's summary: "Requests/sec: N", and the --latency distribution.
load() { # URL CONNECTIONS -> the wrk output
    ip netns exec "$client" wrk -t1 -c"$2" -d"${duration}s" --latency "$1"
}
requests_per_second() { awk '/^Requests\/sec:/ { printf "%d\n", $2 }' <<<"$1"; }
# A latency line of wrk ("50%  1.23ms") in microseconds.
latency_us() {
    awk -v p="$2" '$1 == p {
        v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v);
        f = (unit == "us") ? 1 : (unit == "ms") ? 1000 : (unit == "s") ? 1000000 : 0;
        printf "%d\n", v * f }' <<<"$1"
}
errors() { awk '/Non-2xx|Socket errors/ { print }' <<<"$1"; }

for case in "small index.html 16" "1mib 1mib.bin 4"; do
    read -r name file connections <<<"$case"
    oasis_out=$(load "http://10.79.0.2/$file" "$connections")
    nginx_out=$(load "http://10.79.1.2/$file" "$connections")
    echo "$oasis_out" >&2
    echo "$nginx_out" >&2
    # A ratio over failed requests would mean nothing.
    for side in "website:$oasis_out" "nginx:$nginx_out"; do
        if [ -n "$(errors "${side#*:}")" ]; then
            echo "website_bench: ${side%%:*} had errors: $(errors "${side#*:}")" >&2
            exit 1
        fi
    done
    report "website_$name" requests_per_second "$(requests_per_second "$oasis_out")" "req/s" \
        nginx "$(requests_per_second "$nginx_out")"
    report "website_$name" latency_p50 "$(latency_us "$oasis_out" 50%)" us \
        nginx "$(latency_us "$nginx_out" 50%)"
    report "website_$name" latency_p99 "$(latency_us "$oasis_out" 99%)" us \
        nginx "$(latency_us "$nginx_out" 99%)"
done

# Peak resident memory, in KiB.
peak_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
website_kib=$(peak_kib "$website_pid")
nginx_kib=$(peak_kib "$nginx_pid")
for worker in $(pgrep -P "$nginx_pid"); do
    nginx_kib=$((nginx_kib + $(peak_kib "$worker")))
done
report website peak_resident_memory "$website_kib" KiB nginx "$nginx_kib"
echo "website_bench: the smallest --mem on hvt is not measured: the hvt target does not exist yet" >&2
