#!/usr/bin/env bash
# Every kind of bad input to `oasis` gives one clear line on stderr and a
# non-zero exit, before any compiler runs: a malformed manifest (with
# file:line:column and what was expected), unknown targets, network kinds,
# device kinds and argument types (with the valid ones), targets that are
# not built yet (with the issue that brings them), a missing source file, a
# duplicated device name, a C library declared twice or with a bad version,
# a key a clock or random device does not have, a kv folder that does not
# exist, a default of the wrong type, and commands run out of order.
#
#   cli/bad_input_test.sh OASIS
set -euo pipefail
oasis=$1
fail() { echo "FAIL: $*" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/oasis-bad-input-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
"$oasis" new app >/dev/null
cd app
cp unikernel.toml good.toml

# expect STATUS MESSAGE COMMAND...: the command exits STATUS and prints
# exactly MESSAGE (one line) on stderr and nothing on stdout.
expect() {
    local want_status=$1 want=$2
    shift 2
    local status=0
    "$@" >out.txt 2>err.txt || status=$?
    [ "$status" -eq "$want_status" ] || fail "$* exited $status, not $want_status: $(cat err.txt)"
    [ "$(cat err.txt)" = "$want" ] || fail "$* said:
$(cat err.txt)
expected:
$want"
    [ ! -s out.txt ] || fail "$* printed on stdout: $(cat out.txt)"
}
# with_manifest TEXT: the skeleton's manifest with TEXT appended.
with_manifest() {
    cp good.toml unikernel.toml
    printf '%s\n' "$1" >>unikernel.toml
}
line_of_last() { wc -l <unikernel.toml; }

# Targets and network kinds.
expect 2 "oasis: error: unknown target 'xen' (valid targets: unix, hvt)" "$oasis" configure -t xen
expect 2 "oasis: error: target 'hvt' is not available yet: the KVM target and its tender oasis-hvt come with issue 5 (hvt); use -t unix for now" \
    "$oasis" configure -t hvt
# --net=socket carries the stack's TCP, not a raw device's Ethernet frames.
with_manifest $'[[devices]]\nname = "wire"\nkind = "net"\nstack = false'
expect 1 "oasis: error: net device 'wire' has stack = false: a raw NetDevice sends Ethernet frames, which only a TAP device carries; configure with --net=direct, or give it the stack" \
    "$oasis" configure -t unix --net=socket
cp good.toml unikernel.toml
expect 2 "oasis: error: unknown network kind '--net=tap' (valid kinds: direct, socket)" \
    "$oasis" configure --net=tap
[ ! -e build ] || fail "a refused configure left a build folder"

# A malformed manifest: where, and what was expected.
printf 'name = "app"\nsources = ["unikernel.cpp"\nentry = "app::start"\n' >unikernel.toml
expect 1 "unikernel.toml:3:1: error: Error while parsing array: expected comma or closing ']', saw 'e'" \
    "$oasis" configure
printf 'name = "app"\nsources = ["unikernel.cpp"]\nentry "app::start"\n' >unikernel.toml
expect 1 "unikernel.toml:3:7: error: Error while parsing key-value pair: expected '=', saw '\"'" \
    "$oasis" configure

# Unknown device kind and argument type list the valid ones.
with_manifest $'[[devices]]\nname = "disk"\nkind = "disk"'
expect 1 "unikernel.toml:$(line_of_last):8: error: unknown device kind 'disk' (valid kinds: net, block, kv, clock, random)" \
    "$oasis" configure
with_manifest $'[[arguments]]\nname = "ratio"\ntype = "float"\ndefault = 0.5\nhelp = "x"'
line=$(($(line_of_last) - 2))
expect 1 "unikernel.toml:$line:8: error: unknown argument type 'float' (valid types: string, int, unsigned, bool, duration)" \
    "$oasis" configure

# A missing source file.
sed 's/sources = \["unikernel.cpp"\]/sources = ["unikernel.cpp", "server.cpp"]/' good.toml >unikernel.toml
expect 1 "unikernel.toml:3:29: error: source file 'server.cpp' does not exist (looked for $PWD/server.cpp)" \
    "$oasis" configure

# A duplicated device name.
with_manifest $'[[devices]]\nname = "data"\nkind = "block"\n[[devices]]\nname = "data"\nkind = "kv"'
line=$(($(line_of_last) - 1))
expect 1 "unikernel.toml:$line:8: error: device name 'data' is used twice (first at line $((line - 3)))" \
    "$oasis" configure

# A C library declared twice, and one whose version has a space.
with_manifest $'[[c_libraries]]\nname = "bearssl"\nversion = "0.6"\n[[c_libraries]]\nname = "bearssl"\nversion = "0.7"'
line=$(($(line_of_last) - 1))
expect 1 "unikernel.toml:$line:8: error: C library 'bearssl' is declared twice (first at line $((line - 3)))" \
    "$oasis" configure
with_manifest $'[[c_libraries]]\nname = "bearssl"\nversion = "0.6 beta"'
expect 1 "unikernel.toml:$(line_of_last):11: error: C library 'bearssl': the version must be one or more visible ASCII characters, no spaces (such as \"0.6\")" \
    "$oasis" configure

# A clock device has only a name and a kind.
with_manifest $'[[devices]]\nname = "clock"\nkind = "clock"\nfolder = "public"'
expect 1 "unikernel.toml:$(line_of_last):1: error: 'folder' applies to kv devices only, and 'clock' is a clock device (a clock device has only 'name' and 'kind')" \
    "$oasis" configure
# So has a random device.
with_manifest $'[[devices]]\nname = "random"\nkind = "random"\nstack = true'
expect 1 "unikernel.toml:$(line_of_last):1: error: 'stack' applies to net devices only, and 'random' is a random device (a random device has only 'name' and 'kind')" \
    "$oasis" configure

# A kv folder that does not exist.
with_manifest $'[[devices]]\nname = "htdocs"\nkind = "kv"\nfolder = "public"'
expect 1 "unikernel.toml:$(line_of_last):10: error: kv device 'htdocs': folder 'public' does not exist (looked for $PWD/public)" \
    "$oasis" configure

# A default of the wrong type.
sed 's/^default = 3$/default = "three"/' good.toml >unikernel.toml
line=$(grep -n '^default = "three"$' unikernel.toml | cut -d: -f1)
expect 1 "unikernel.toml:$line:11: error: argument 'repeat' has type unsigned, so its default must be a non-negative integer, not a string" \
    "$oasis" configure
sed 's/^default = "1s"$/default = "soon"/' good.toml >unikernel.toml
line=$(grep -n '^default = "soon"$' unikernel.toml | cut -d: -f1)
expect 1 "unikernel.toml:$line:11: error: argument 'interval' has type duration, but its default \"soon\" is not one (expected a duration: seconds such as 1.5, or a number with a unit (ns, us, ms, s, m, h) such as 250ms)" \
    "$oasis" configure

# Describe checks the manifest the same way.
expect 1 "unikernel.toml:$line:11: error: argument 'interval' has type duration, but its default \"soon\" is not one (expected a duration: seconds such as 1.5, or a number with a unit (ns, us, ms, s, m, h) such as 250ms)" \
    "$oasis" describe

# Commands out of order, and what `new` and `clean` refuse.
cp good.toml unikernel.toml
expect 1 "oasis: error: . is not configured yet: run \`oasis configure -t unix\` first" "$oasis" build
"$oasis" configure >/dev/null
expect 1 "oasis: error: dist/app does not exist: run \`oasis build\` first" "$oasis" run
# A manifest broken after configure stops the build before the compiler.
with_manifest $'[[devices]]\nname = "disk"\nkind = "disk"'
expect 1 "unikernel.toml:$(line_of_last):8: error: unknown device kind 'disk' (valid kinds: net, block, kv, clock, random)" \
    "$oasis" build
[ ! -e build/unix/cmake ] || fail "the build ran CMake for a broken manifest"
rm unikernel.toml
expect 1 "unikernel.toml: error: cannot read the manifest (no such file, or not readable); \`oasis new NAME\` makes a project" \
    "$oasis" describe
cd "$work"
expect 1 "oasis: error: app already exists: choose another name, or remove it" "$oasis" new app
expect 2 "oasis: error: 'My_App' is not a valid unikernel name: a lower-case letter, then lower-case letters, digits and '-', at most 64 characters" \
    "$oasis" new My_App
mkdir -p other/build
cp app/good.toml other/unikernel.toml
expect 1 "oasis: error: other/build was not made by oasis (it has no .oasis marker): not removing it" \
    "$oasis" -C other clean
[ -d other/build ] || fail "clean removed a build folder it did not make"
echo "bad input: all checks passed"
