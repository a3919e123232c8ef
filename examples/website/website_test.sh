#!/usr/bin/env bash
# Runs the website unikernel over TAP inside a network namespace this test
# creates and deletes, against real clients:
#   (a) curl: the pages and files byte for byte, HEAD, keep-alive (several
#       requests on one connection), a byte range and an unsatisfiable one,
#       conditional requests (If-None-Match, If-Modified-Since), the gzip
#       variant, folders, redirects, the custom 404;
#   (b) headless Chromium loads the default site: the page title, a
#       screenshot that is not blank, and the style sheet and image fetched;
#   (c) bad input (bad_input.py): oversize request lines and headers,
#       Content-Length with Transfer-Encoding, negative and huge lengths,
#       bad chunk sizes, and a slowloris crowd — each gets its status or a
#       closed connection while curl keeps being served.
# Exits 77 (skipped) without root, /dev/net/tun or a tool. No traffic leaves
# the namespace.
set -euo pipefail
website_binary=$1
shift
htdocs=$(cd "$(dirname "${BASH_SOURCE[0]}")/htdocs" && pwd)
bad_input=$(dirname "${BASH_SOURCE[0]}")/bad_input.py
# shellcheck source=examples/tap_test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tap_test_lib.sh"
log_prefix=website
log_lines=30

require_tap curl python3 gzip cmp
chromium=$(command -v chromium-headless-shell || command -v chromium || true)
[ -n "$chromium" ] || skip "no headless Chromium (chromium-headless-shell)"

namespace="oasis-website-$$"
tap=oasisweb0
unikernel=10.78.0.2
site="http://$unikernel"
work=$(mktemp -d)
log="$work/website.log"
inside() { ip netns exec "$namespace" "$@"; }

make_namespace "$namespace"
make_tap "$namespace" "$tap" 10.78.0.1/24

start_unikernel "$namespace" 170 "$website_binary" --net:service="$tap" \
    --ipv4="$unikernel/24" --head-timeout=3s "$@"
wait_for_log "serving $site:80/" 10

# The status, then the headers, of one request; the body goes to $work/body.
request() {
    rm -f "$work/body" # curl leaves the file alone when there is no body
    inside curl -sS --max-time 10 -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@"
}
header() { sed -n "s/^$1: \(.*\)\r$/\1/Ip" "$work/headers" | head -n 1; }
expect_status() {
    local want=$1
    shift
    local got
    got=$(request "$@") || fail "curl $* failed"
    [ "$got" = "$want" ] || fail "curl $*: status $got, expected $want"
}

# (a) curl.
expect_status 200 "$site/"
cmp -s "$work/body" "$htdocs/index.html" || fail "/ is not index.html"
[ "$(header Content-Type)" = "text/html; charset=utf-8" ] || fail "/ has type $(header Content-Type)"
etag=$(header ETag)
last_modified=$(header Last-Modified)
[ -n "$etag" ] && [ -n "$last_modified" ] || fail "/ has no ETag or Last-Modified"
for file in about/index.html images/oasis.svg robots.txt 404.html; do
    expect_status 200 "$site/$file"
    cmp -s "$work/body" "$htdocs/$file" || fail "/$file differs from the file"
done
[ "$(header Content-Type)" = "text/html; charset=utf-8" ] || fail "404.html has the wrong type"

expect_status 200 -I "$site/images/oasis.svg"
# curl -I writes the head as the output: anything more would be a body.
cmp -s "$work/body" "$work/headers" || fail "HEAD returned a body"
grep -q '"HEAD /images/oasis.svg HTTP/1.1" 200 0 ' "$log" || fail "HEAD sent body bytes"
[ "$(header Content-Length)" = "$(stat -c %s "$htdocs/images/oasis.svg")" ] ||
    fail "HEAD's Content-Length is not the file's size"

# Keep-alive: three transfers in one curl run reuse one connection.
connects=$(inside curl -sS --max-time 10 -o /dev/null -o /dev/null -o /dev/null \
    -w '%{num_connects} ' "$site/" "$site/style.css" "$site/about/")
[ "$connects" = "1 0 0 " ] || fail "keep-alive: connections opened per transfer: $connects"

# Ranges.
expect_status 206 -r 10-109 "$site/index.html"
cmp -s "$work/body" <(tail -c +11 "$htdocs/index.html" | head -c 100) || fail "range 10-109 differs"
[ "$(header Content-Range)" = "bytes 10-109/$(stat -c %s "$htdocs/index.html")" ] ||
    fail "Content-Range is $(header Content-Range)"
expect_status 206 -r -20 "$site/index.html"
cmp -s "$work/body" <(tail -c 20 "$htdocs/index.html") || fail "the suffix range differs"
expect_status 416 -r 100000- "$site/index.html"
[ "$(header Content-Range)" = "bytes */$(stat -c %s "$htdocs/index.html")" ] ||
    fail "416 without Content-Range"

# Conditional requests.
expect_status 304 -H "If-None-Match: $etag" "$site/"
[ ! -s "$work/body" ] || fail "304 had a body"
grep -q '"GET / HTTP/1.1" 304 0 ' "$log" || fail "304 sent body bytes"
expect_status 200 -H 'If-None-Match: "something-else"' "$site/"
expect_status 304 -H "If-Modified-Since: $last_modified" "$site/"
expect_status 200 -H "If-Modified-Since: Thu, 01 Jan 1998 00:00:00 GMT" "$site/"

# The gzip variant: curl --compressed asks for it and decompresses it.
expect_status 200 --compressed "$site/style.css"
[ "$(header Content-Encoding)" = "gzip" ] || fail "style.css was not sent compressed"
cmp -s "$work/body" "$htdocs/style.css" || fail "style.css decompressed differs"
gzip -dc "$htdocs/style.css.gz" | cmp -s - "$htdocs/style.css" ||
    fail "htdocs/style.css.gz is stale: run gzip -9 -n -k -f htdocs/style.css"
expect_status 200 "$site/style.css"
[ -z "$(header Content-Encoding)" ] || fail "style.css was compressed without Accept-Encoding"
cmp -s "$work/body" "$htdocs/style.css" || fail "style.css differs"

# Folders, redirects, missing files.
expect_status 301 "$site/about"
[ "$(header Location)" = "/about/" ] || fail "/about redirects to $(header Location)"
expect_status 302 "$site/home"
[ "$(header Location)" = "/" ] || fail "/home redirects to $(header Location)"
expect_status 404 "$site/no/such/page.html"
cmp -s "$work/body" "$htdocs/404.html" || fail "the 404 page is not 404.html"
expect_status 404 "$site/_redirects"
expect_status 405 -X POST -d x "$site/"
[ "$(grep -c '"GET / HTTP/1.1" 200' "$log")" -ge 2 ] || fail "no access log lines"
echo "(a) curl: files, HEAD, keep-alive, ranges, conditionals, gzip, redirects and 404 all good"

# (b) Headless Chromium loads the page with its style sheet and image.
chromium_run() {
    inside timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-dev-shm-usage --user-data-dir="$work/chromium" "$@" 2>>"$work/chromium.log"
}
chromium_run --dump-dom "$site/" >"$work/dom.html" || fail "Chromium could not load the page"
grep -q '<title>Oasis unikernel website</title>' "$work/dom.html" ||
    fail "Chromium's page has another title: $(grep -o '<title>.*</title>' "$work/dom.html")"
chromium_run --window-size=800,600 --screenshot="$work/page.png" "$site/" >/dev/null ||
    fail "Chromium took no screenshot"
python3 - "$work/page.png" <<'EOF' || fail "the screenshot is blank"
# Counts the distinct pixel rows of the PNG (stdlib only): a blank page has one.
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
offset, idat, width = 8, b"", 0
while offset < len(data):
    length, kind = struct.unpack(">I4s", data[offset:offset + 8])
    body = data[offset + 8:offset + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        channels = {2: 3, 6: 4}[colour]
    elif kind == b"IDAT":
        idat += body
    offset += 12 + length
raw = zlib.decompress(idat)
stride = 1 + width * channels
rows = {raw[row * stride + 1:(row + 1) * stride] for row in range(len(raw) // stride)}
print(f"screenshot: {width}x{height}, {len(rows)} distinct rows")
sys.exit(0 if len(rows) > 20 else 1)
EOF
grep -q '"GET /style.css HTTP/1.1" 200.*Chrome' "$log" || fail "Chromium did not fetch the style sheet"
grep -q '"GET /images/oasis.svg HTTP/1.1" 200.*Chrome' "$log" || fail "Chromium did not fetch the image"
echo "(b) Chromium: title, screenshot, style sheet and image good"

# (c) Bad input, and a slowloris crowd while curl is served.
inside python3 "$bad_input" "$unikernel" 80 || fail "bad input was not refused properly"
kill -0 "$pid" 2>/dev/null || fail "the unikernel died"
expect_status 200 "$site/"
echo "(c) bad input refused; the site kept serving"
