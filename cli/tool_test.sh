#!/usr/bin/env bash
# Drives `oasis` the way a user does, in a fresh folder outside the tree:
# new, configure, build, run, describe, a no-op rebuild, a manifest change,
# a bad runtime argument, C libraries recorded, clean. The tool is the build tree's, so the
# unikernel builds against that tree's Oasis package.
#
#   cli/tool_test.sh OASIS
set -euo pipefail
oasis=$1
fail() { echo "FAIL: $*" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/oasis-tool-test-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

"$oasis" new greeter >/dev/null
[ -f greeter/unikernel.toml ] && [ -f greeter/unikernel.cpp ] || fail "oasis new made no skeleton"
cd greeter

out=$("$oasis" configure -t unix)
[ "$out" = "oasis: configured greeter for unix (--net=direct) in build/unix; \`oasis build\` makes dist/greeter" ] ||
    fail "configure said: $out"
[ -f build/unix/main.cpp ] && [ -f build/unix/generated/unikernel.hpp ] && [ -f build/unix/CMakeLists.txt ] ||
    fail "configure did not write the build folder"

"$oasis" build >build.log 2>&1 || { cat build.log >&2; fail "oasis build failed"; }
grep -q "^oasis: built dist/greeter$" build.log || fail "build did not say what it built: $(tail -3 build.log)"
[ -x dist/greeter ] || fail "no dist/greeter"

# The skeleton works: the defaults, then arguments through `oasis run --`.
out=$("$oasis" run -- --interval=0)
[ "$out" = $'Hello from greeter!\nHello from greeter!\nHello from greeter!' ] || fail "default run: $out"
out=$("$oasis" run -- --repeat=2 --interval=0 --greeting=Salut)
[ "$out" = $'Salut\nSalut' ] || fail "run with arguments: $out"

# NAME --help lists the manifest's arguments and the target's own.
help=$(dist/greeter --help)
for name in --greeting --repeat --interval --logs; do
    grep -q -- "$name" <<<"$help" || fail "--help does not list $name: $help"
done

# A runtime argument of the wrong type: one line naming it, exit 64.
set +e
err=$("$oasis" run -- --repeat=many 2>&1 >/dev/null); status=$?
set -e
[ "$status" -eq 64 ] || fail "--repeat=many exited $status"
[ "$err" = 'invalid value "many" for --repeat: expected an unsigned integer' ] ||
    [[ "$err" == *'invalid value "many" for --repeat'* && $(wc -l <<<"$err") -eq 1 ]] ||
    fail "--repeat=many said: $err"
set +e
err=$("$oasis" run -- --repeat=0 2>&1 >/dev/null); status=$?
set -e
[ "$status" -eq 64 ] && [[ "$err" == *"--repeat"* ]] || fail "--repeat=0 (below min 1) exited $status: $err"

# Nothing changed: the rebuild has nothing to do.
out=$("$oasis" build)
grep -q "no work to do" <<<"$out" || fail "a no-op rebuild did work: $out"

# A changed manifest is rebuilt without configuring again.
sed -i 's/Hello from greeter!/Bonjour/' unikernel.toml
"$oasis" build >build.log 2>&1 || { cat build.log >&2; fail "rebuild after a manifest change failed"; }
out=$("$oasis" run -- --repeat=1)
[ "$out" = "Bonjour" ] || fail "the changed default was not built: $out"

# describe: the entry, the devices as the target provides them, the arguments.
out=$("$oasis" describe)
expected="unikernel greeter (unikernel.toml)
  target   unix (--net=direct)
  sources  unikernel.cpp
  entry    oasis::Task<int> greeter::start(oasis::dev::Console& console, greeter::Arguments arguments)

devices (as the unix target provides them):
  console   console <- standard output
  greeter::start receives: console, arguments

runtime arguments:
  --greeting  string         \"Bonjour\"  What to say.
  --repeat    unsigned >= 1  3          How many times to say it.
  --interval  duration       1s         The pause between two greetings.
  and the target's own: --logs, --net-faults, --pcap (\`greeter --help\` lists them all)

C libraries: none"
[ "$out" = "$expected" ] || fail "describe printed:
$out
expected:
$expected"

# C libraries: configure records them for the vendoring step to come and
# says, in one line, that they are not in the image yet; describe lists them.
[ -f build/unix/c-libraries.txt ] && [ ! -s build/unix/c-libraries.txt ] ||
    fail "without C libraries, c-libraries.txt is not there and empty"
cp unikernel.toml unikernel.toml.good
printf '\n[[c_libraries]]\nname = "bearssl"\nversion = "0.6"\n' >>unikernel.toml
printf '\n[[c_libraries]]\nname = "libpng"\nversion = "1.6.39"\ndebian_source = "libpng1.6"\n' >>unikernel.toml
out=$("$oasis" configure)
[ "$out" = "oasis: configured greeter for unix (--net=direct) in build/unix; \`oasis build\` makes dist/greeter
oasis: C libraries recorded in build/unix/c-libraries.txt but not vendored or linked yet (that comes with the lock file): bearssl 0.6, libpng 1.6.39" ] ||
    fail "configure with C libraries said: $out"
[ "$(cat build/unix/c-libraries.txt)" = $'bearssl 0.6 bearssl\nlibpng 1.6.39 libpng1.6' ] ||
    fail "c-libraries.txt holds: $(cat build/unix/c-libraries.txt)"
out=$("$oasis" describe | sed -n '/^C libraries/,$p')
[ "$out" = "C libraries (recorded for vendoring, not built or linked yet):
  bearssl 0.6, from the Debian source package bearssl
  libpng 1.6.39, from the Debian source package libpng1.6" ] || fail "describe listed C libraries as: $out"
# Removed from the manifest, gone from the list.
mv unikernel.toml.good unikernel.toml
"$oasis" configure >/dev/null
[ ! -s build/unix/c-libraries.txt ] || fail "a removed C library stayed: $(cat build/unix/c-libraries.txt)"

# The application is guest code on every target: floating point does not
# compile, and the compiler's own message comes through, then the tool's.
cp unikernel.cpp unikernel.cpp.good
printf 'double half(double x) { return x / 2; }\n' >>unikernel.cpp
set +e
"$oasis" build >build.log 2>&1; status=$?
set -e
[ "$status" -eq 1 ] || fail "a double in the application built (exit $status)"
grep -q "unikernel.cpp.*SSE" build.log || fail "the compiler's message did not come through: $(cat build.log)"
[ "$(tail -n 1 build.log)" = "oasis: error: the build failed (the messages above are the compiler's or linker's)" ] ||
    fail "the build's last line: $(tail -n 1 build.log)"
mv unikernel.cpp.good unikernel.cpp

# -C works from elsewhere, and clean removes exactly what the tool made.
cd "$work"
touch greeter/keep.txt
out=$("$oasis" -C greeter clean)
[ "$out" = "oasis: removed greeter/build/ and greeter/dist/greeter" ] || fail "clean said: $out"
[ ! -e greeter/build ] && [ ! -e greeter/dist ] && [ -f greeter/keep.txt ] && [ -f greeter/unikernel.toml ] ||
    fail "clean removed the wrong things: $(ls -A greeter)"
set +e
err=$("$oasis" -C greeter run 2>&1); status=$?
set -e
[ "$status" -eq 1 ] && [ "$err" = "oasis: error: greeter is not configured yet: run \`oasis configure -t unix\` and \`oasis build\` first" ] ||
    fail "run after clean exited $status: $err"
echo "tool: all checks passed"
