#!/usr/bin/env bash
# Runs the hello unikernel as a process and checks what it prints, when, and
# how it refuses bad arguments.
set -euo pipefail
hello=$1
fail() { echo "FAIL: $*" >&2; exit 1; }

# The default greeting, four times.
out=$("$hello" --interval=0)
[ "$out" = $'Hello World!\nHello World!\nHello World!\nHello World!' ] || fail "default output: $out"

# Arguments change text and count; the exit status is 0.
out=$("$hello" --hello=Bonjour --repeat=2 --interval=0)
[ "$out" = $'Bonjour\nBonjour' ] || fail "custom output: $out"

# --repeat=3 --interval=0.25 takes at least 0.5 s (two pauses), well under 5 s.
start=$(date +%s%N)
"$hello" --repeat=3 --interval=0.25 >/dev/null
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -ge 500 ] || fail "three greetings 0.25 s apart took only ${elapsed_ms} ms"
[ "$elapsed_ms" -lt 5000 ] || fail "three greetings 0.25 s apart took ${elapsed_ms} ms"

# --help lists every argument and exits 0.
help=$("$hello" --help)
for name in --hello --repeat --interval --logs; do
    grep -q -- "$name" <<<"$help" || fail "--help does not mention $name"
done

# A bad value names the argument and exits 64 (EX_USAGE).
set +e
err=$("$hello" --repeat=abc 2>&1 >/dev/null); status=$?
set -e
[ "$status" -eq 64 ] || fail "--repeat=abc exited $status"
grep -q -- "--repeat" <<<"$err" || fail "error does not name --repeat: $err"

set +e
err=$("$hello" --net:service=tap0 2>&1 >/dev/null); status=$?
set -e
[ "$status" -eq 64 ] || fail "binding an undeclared device exited $status"
grep -q "no device named 'service'" <<<"$err" || fail "unexpected message: $err"
echo "hello: all checks passed"
