// What every fuzz target shares: the libFuzzer entry points, the input as a ByteView, checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/buffer.hpp"
#include "core/panic.hpp"

// The libFuzzer entry points (https://llvm.org/docs/LibFuzzer.html). Each
// fuzz_<name>.cpp defines LLVMFuzzerTestOneInput; fuzz_support.cpp defines
// LLVMFuzzerInitialize. The same sources build two ways: with clang and
// -fsanitize=fuzzer (OASIS_FUZZ=ON, scripts/fuzz), and with the normal build
// into a replay program that feeds them the seed corpus (replay_main.cpp).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);

// A property a target checks (a round trip, an accessor's bound) that does
// not hold: a bug in the parser or emitter under test. OASIS_ASSERT panics,
// and the panic handler that LLVMFuzzerInitialize installs prints the
// message and aborts, which libFuzzer and the replay program report as a
// crash with the input that caused it.
#define FUZZ_CHECK(condition) OASIS_ASSERT(condition)

namespace oasis::fuzz {

inline ByteView input_bytes(const std::uint8_t* data, std::size_t size) {
    return as_bytes(std::span<const std::uint8_t>{data, size});
}

// A writable copy, for emitters and in-place edits; the input itself is const.
inline std::vector<std::byte> copy_bytes(ByteView bytes) {
    return std::vector<std::byte>(bytes.begin(), bytes.end());
}

// Keeps the compiler from dropping an accessor call whose result is unused:
// the point of calling every accessor is that the sanitizers watch it run.
template <typename T>
void consume(const T& value) {
    asm volatile("" : : "r"(&value) : "memory");
}

}  // namespace oasis::fuzz
