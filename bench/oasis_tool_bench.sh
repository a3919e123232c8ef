#!/usr/bin/env bash
# The oasis tool's benchmark (run by bench/run as build/bench/bench_oasis_tool):
#   - `oasis configure` of a fresh skeleton, against the CMake configure of
#     the folder it writes (the step `oasis build` runs next);
#   - a no-op `oasis build`, against Ninja alone on the same folder (so the
#     ratio is the tool's overhead: re-reading the manifest, regenerating);
#   - the stripped unix images of hello and echo, against a C++ hello world
#     built by the same compiler (printf, -O2, dynamically linked as the
#     unikernels are).
# Each time is the median of several runs. Everything happens in a
# temporary folder, which is removed.
#
#   bench/oasis_tool_bench.sh OASIS HELLO_IMAGE ECHO_IMAGE
set -euo pipefail
oasis=$1
hello_image=$2
echo_image=$3

# shellcheck source=bench/report.sh
source "$(dirname "${BASH_SOURCE[0]}")/report.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/oasis-tool-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

now_ns() { date +%s%N; }
# median_ms RUNS COMMAND...: the median wall time of the command, in ms with one decimal.
median_ms() {
    local runs=$1
    shift
    local samples=()
    for _ in $(seq "$runs"); do
        local start end
        start=$(now_ns)
        "$@" >/dev/null 2>&1
        end=$(now_ns)
        samples+=($((end - start)))
    done
    printf '%s\n' "${samples[@]}" | sort -n |
        awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f\n", m / 1e6 }'
}
"$oasis" new bench >/dev/null
cd bench

# Configure: the tool's own step, then CMake's on what it wrote.
configure_ms=$(median_ms 11 "$oasis" configure -t unix)
cmake_ms=$(median_ms 3 sh -c 'rm -rf build/peer && cmake -S build/unix -B build/peer -G Ninja')
report oasis_configure time "$configure_ms" ms cmake_configure "$cmake_ms"

# A no-op rebuild, after one real build.
"$oasis" build >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
rebuild_ms=$(median_ms 11 "$oasis" build)
ninja_ms=$(median_ms 11 ninja -C build/unix/cmake)
report oasis_noop_build time "$rebuild_ms" ms ninja_noop "$ninja_ms"

# Image sizes, stripped (debug information is not part of what runs).
stripped_size() {
    strip -o "$work/stripped" "$1"
    stat -c %s "$work/stripped"
}
printf '#include <cstdio>\nint main() { std::printf("Hello World!\\n"); }\n' >"$work/peer.cpp"
c++ -std=c++20 -O2 -o "$work/peer" "$work/peer.cpp"
peer_size=$(stripped_size "$work/peer")
report image_size_hello_unix bytes "$(stripped_size "$hello_image")" bytes cxx_hello_world "$peer_size"
report image_size_echo_unix bytes "$(stripped_size "$echo_image")" bytes cxx_hello_world "$peer_size"
report image_size_skeleton_unix bytes "$(stripped_size dist/bench)" bytes cxx_hello_world "$peer_size"
