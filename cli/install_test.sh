#!/usr/bin/env bash
# Installs Oasis into a fresh prefix with `cmake --install`, then builds and
# runs a unikernel project outside the tree with the installed `oasis` only:
# a net device with the stack, a block device, a kv directory, a baked kv
# folder, a clock and a random generator, and one runtime argument of each
# type. The run needs a TAP device, so it happens inside a network namespace
# this test makes (as root); without root the image is still built and its
# --help and binding checks are run.
#
#   cli/install_test.sh BUILD_DIR
set -euo pipefail
build_dir=$1
fail() { echo "FAIL: $*" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/oasis-install-test-XXXXXX")
namespace=""
cleanup() {
    [ -n "$namespace" ] && ip netns del "$namespace" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
prefix=$work/prefix

cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log" 2>&1 ||
    { cat "$work/install.log" >&2; fail "cmake --install failed"; }
for file in bin/oasis lib/cmake/Oasis/OasisConfig.cmake lib/cmake/Oasis/OasisConfigVersion.cmake \
    lib/cmake/Oasis/OasisTargets.cmake lib/liboasis_core.a lib/liboasis_unix.a \
    lib/liboasis_net_stack.a include/oasis/core/task.hpp include/oasis/net/stack.hpp \
    include/oasis/targets/unix/boot.hpp include/oasis/dev/baked_kv.hpp; do
    [ -e "$prefix/$file" ] || fail "the prefix has no $file"
done
oasis=$prefix/bin/oasis
[ "$("$oasis" --version)" = "oasis 0.1.0" ] || fail "oasis --version: $("$oasis" --version)"

# The project, far from the tree.
mkdir -p "$work/gallery/site" "$work/gallery/assets/img"
cd "$work/gallery"
printf '<h1>gallery</h1>\n' >site/index.html
printf 'a logo' >assets/img/logo.txt
printf 'tiny' >assets/readme
truncate -s 1M disk.img
cat >unikernel.toml <<'EOF'
name = "gallery"
sources = ["unikernel.cpp"]
entry = "gallery::start"

[[devices]]
name = "service"
kind = "net"
packet_buffers = 256

[[devices]]
name = "storage"
kind = "block"

[[devices]]
name = "htdocs"
kind = "kv"
folder = "site"

[[devices]]
name = "assets"
kind = "kv"
folder = "assets"
baked = true

[[devices]]
name = "clock"
kind = "clock"

[[devices]]
name = "random"
kind = "random"

[[arguments]]
name = "title"
type = "string"
default = "My \"gallery\""
help = "The title."

[[arguments]]
name = "offset"
type = "int"
default = -2
min = -10
max = 10
help = "A shift."

[[arguments]]
name = "verbose"
type = "bool"
default = false
help = "Say more."

[[arguments]]
name = "timeout"
type = "duration"
default = "250ms"
help = "How long to wait."
EOF
cat >unikernel.cpp <<'EOF'
// gallery: reports its arguments, a page from a directory, a baked file, the clock, a disk and its
// stack.
#include "core/crypto/sha256.hpp"
#include "core/format.hpp"
#include "generated/unikernel.hpp"

namespace gallery {

oasis::Task<int> start(oasis::dev::Console& console, oasis::net::Stack& service,
                       oasis::dev::BlockDevice& storage, oasis::dev::KeyValueStore& htdocs,
                       oasis::dev::KeyValueStore& assets, oasis::dev::Clock& clock,
                       oasis::dev::Random& random, Arguments arguments) {
    console.write(oasis::format("title={} offset={} verbose={} timeout={}\n", arguments.title,
                                arguments.offset, arguments.verbose, arguments.timeout));
    auto page = co_await htdocs.get("index.html");
    auto logo = co_await assets.get("/img/logo.txt");
    auto digest = co_await assets.digest("img/logo.txt");
    auto listing = co_await assets.list("");
    auto baked_at = co_await assets.last_modified("img/logo.txt");
    if (!page || !logo || !digest || !listing || !baked_at) {
        console.write("a kv read failed\n");
        co_return 1;
    }
    console.write(oasis::format("htdocs index.html: {} bytes\n", page->size()));
    console.write(oasis::format(
        "assets img/logo.txt: {} sha256 {}\n",
        std::string_view{reinterpret_cast<const char*>(logo->data()), logo->size()},
        oasis::crypto::to_hex(*digest)));
    std::string names;
    for (const oasis::dev::KvEntry& entry : *listing) {
        names += " " + entry.name;
    }
    console.write(oasis::format("assets:{}\n", names));
    // The test wrote the logo just before the build: the wall clock is a little later.
    const std::int64_t age = clock.wall().seconds() - baked_at->seconds();
    console.write(oasis::format("clock: the logo is {} old\n",
                                age >= 0 && age < 3600 ? std::string{"less than an hour"}
                                                       : oasis::format("{} s", age)));
    // Two draws of 128 bits from a seeded CSPRNG are the same once in 2^128.
    const bool differ =
        random.next_u64() != random.next_u64() || random.next_u64() != random.next_u64();
    console.write(oasis::format("random: two draws {}\n", differ ? "differ" : "are the same"));
    console.write(oasis::format("storage: {} sectors\n", storage.info().sector_count));
    console.write(oasis::format("service: mtu {}\n", service.mtu()));
    co_return 0;
}

}  // namespace gallery
EOF

"$oasis" configure -t unix >/dev/null
grep -q "find_package(Oasis REQUIRED CONFIG PATHS \"$prefix/lib/cmake/Oasis\"" build/unix/CMakeLists.txt ||
    fail "the build folder does not use the installed package: $(grep find_package build/unix/CMakeLists.txt)"

out=$("$oasis" describe)
for line in \
    "  entry    oasis::Task<int> gallery::start(oasis::dev::Console& console, oasis::net::Stack& service, oasis::dev::BlockDevice& storage, oasis::dev::KeyValueStore& htdocs, oasis::dev::KeyValueStore& assets, oasis::dev::Clock& clock, oasis::dev::Random& random, gallery::Arguments arguments)" \
    "  service   net <- TAP device (--net:service=TAP), with --net-faults and --pcap around it" \
    "            -> Oasis's TCP/IP stack over it (--net=direct; --ipv4, --ipv4-gateway, DHCP without --ipv4; 256 packet buffers)" \
    "  storage   block <- file (--block:storage=FILE)" \
    "  htdocs    kv <- directory (--kv:htdocs=DIRECTORY, default $PWD/site)" \
    "  assets    kv <- baked into the image from $PWD/assets" \
    "  clock     clock <- the process's clocks (CLOCK_MONOTONIC since start, CLOCK_REALTIME), nothing to bind" \
    "  random    random <- the unikernel's CSPRNG (ChaCha20, seeded from getrandom), nothing to bind" \
    "  gallery::start receives: console, service (stack), storage, htdocs, assets, clock, random, arguments" \
    "  and the target's own: --logs, --net-faults, --pcap, --ipv4, --ipv4-gateway (\`gallery --help\` lists them all)"; do
    grep -qxF -- "$line" <<<"$out" || fail "describe lacks the line
$line
in:
$out"
done

"$oasis" build >build.log 2>&1 || { cat build.log >&2; fail "oasis build against the prefix failed"; }
[ -x dist/gallery ] || fail "no dist/gallery"

help=$(dist/gallery --help)
for word in --title --offset --verbose --timeout --ipv4 --net:service=TAP --block:storage=FILE \
    --kv:htdocs=DIRECTORY; do
    grep -q -- "$word" <<<"$help" || fail "--help does not mention $word: $help"
done
grep -q -- "--kv:assets" <<<"$help" && fail "--help offers to bind the baked kv"
grep -q -- "clock" <<<"$help" && fail "--help offers to bind the clock"
grep -q -- ":random" <<<"$help" && fail "--help offers to bind the random generator"
set +e
err=$(dist/gallery --block:storage=disk.img 2>&1); status=$?
set -e
[ "$status" -eq 64 ] && [[ "$err" == *"net device 'service' is not bound: give --net:service=TAP"* ]] ||
    fail "an unbound net device: exit $status, $err"
set +e
err=$(dist/gallery --offset=11 2>&1); status=$?
set -e
[ "$status" -eq 64 ] && [[ "$err" == *"--offset"* ]] || fail "--offset=11 (max 10): exit $status, $err"

if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ] || ! command -v ip >/dev/null; then
    echo "install: not root or no TAP: the image was built but not run"
    echo "install: all checks passed"
    exit 0
fi
namespace="oasis-install-$$"
ip netns add "$namespace"
ip netns exec "$namespace" ip tuntap add dev gallery0 mode tap
ip netns exec "$namespace" ip link set gallery0 up
out=$(cd "$work" && ip netns exec "$namespace" timeout 20 "$oasis" -C gallery run -- \
    --net:service=gallery0 --block:storage="$work/gallery/disk.img" --ipv4=10.80.0.2/24 --offset=3 --verbose)
expected='title=My "gallery" offset=3 verbose=true timeout=250ms
htdocs index.html: 17 bytes
assets img/logo.txt: a logo sha256 '$(printf 'a logo' | sha256sum | cut -d' ' -f1)'
assets: img readme
clock: the logo is less than an hour old
random: two draws differ
storage: 2048 sectors
service: mtu 1500'
[ "$out" = "$expected" ] || fail "the run printed:
$out
expected:
$expected"
# Another folder for the kv directory, given on the command line, wins over the manifest's.
mkdir other && printf 'x' >other/index.html
out=$(ip netns exec "$namespace" timeout 20 dist/gallery --net:service=gallery0 \
    --block:storage=disk.img --ipv4=10.80.0.2/24 --kv:htdocs=other | sed -n 2p)
[ "$out" = "htdocs index.html: 1 bytes" ] || fail "--kv:htdocs=other was not used: $out"
echo "install: all checks passed"
