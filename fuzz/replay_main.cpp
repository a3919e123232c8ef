// Replays a fuzz target's seed corpus, and simple variants of each seed, without libFuzzer.
//
//   fuzz_<name>_replay PATH...     each PATH a file or a folder of files
//
// The normal (GCC) build links each fuzz_<name>.cpp with this file and CTest
// runs it over fuzz/corpus/<name>/, so the targets compile and pass their
// seeds in every build, not only when someone fuzzes. Besides each seed as
// it is, every prefix of it (truncation) and every single-byte change to
// 0x00 and 0xff (lengths, flags and types at their extremes) go through the
// target, which reaches the parsers' error paths deterministically. Each
// input is copied into a heap buffer of its exact size, so a sanitizer build
// (OASIS_SANITIZE=ON) catches a read past its end, as libFuzzer would.
//
// Exits 0 when every input ran; 1 when no seed was found (an empty corpus
// would test nothing); a target that finds a bug aborts the program.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"

namespace {

std::vector<std::filesystem::path> seed_files(int argc, char** argv) {
    std::vector<std::filesystem::path> files;
    for (int index = 1; index < argc; ++index) {
        std::filesystem::path path{argv[index]};
        if (std::filesystem::is_directory(path)) {
            for (const auto& entry : std::filesystem::recursive_directory_iterator{path}) {
                if (entry.is_regular_file()) {
                    files.push_back(entry.path());
                }
            }
        } else if (std::filesystem::is_regular_file(path)) {
            files.push_back(path);
        } else {
            std::fprintf(stderr, "replay: no such file or folder: %s\n", argv[index]);
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::ifstream stream{path, std::ios::binary};
    return std::vector<std::uint8_t>{std::istreambuf_iterator<char>{stream},
                                     std::istreambuf_iterator<char>{}};
}

// What is running now, for the crash report: the seed and the variant.
char g_current_input[512];

// On a crash (a failed check aborts; a trap or a bad access signals), says
// which input it was, then dies of the same signal.
void report_crash(int signal_number) {
    const char prefix[] = "replay: crashed on ";
    (void)!write(STDERR_FILENO, prefix, sizeof prefix - 1);
    (void)!write(STDERR_FILENO, g_current_input, std::strlen(g_current_input));
    (void)!write(STDERR_FILENO, "\n", 1);
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
}

// Runs the target over a heap copy of exactly `size` bytes.
void run(const std::uint8_t* data, std::size_t size) {
    std::vector<std::uint8_t> copy(data, data + size);
    LLVMFuzzerTestOneInput(copy.data(), copy.size());
}

}  // namespace

int main(int argc, char** argv) {
    LLVMFuzzerInitialize(&argc, &argv);
    for (int signal_number : {SIGABRT, SIGSEGV, SIGILL, SIGBUS, SIGFPE}) {
        ::signal(signal_number, report_crash);
    }
    std::vector<std::filesystem::path> files = seed_files(argc, argv);
    if (files.empty()) {
        std::fprintf(stderr, "replay: no seeds found\n");
        return 1;
    }
    std::size_t inputs = 0;
    for (const auto& path : files) {
        std::vector<std::uint8_t> seed = read_file(path);
        const std::string name = path.string();
        for (std::size_t length = 0; length <= seed.size(); ++length) {
            std::snprintf(g_current_input, sizeof g_current_input, "%s, its first %zu bytes",
                          name.c_str(), length);
            run(seed.data(), length);
            ++inputs;
        }
        std::vector<std::uint8_t> variant = seed;
        for (std::size_t index = 0; index < seed.size(); ++index) {
            for (std::uint8_t value : {std::uint8_t{0x00}, std::uint8_t{0xff}}) {
                if (seed[index] == value) {
                    continue;
                }
                variant[index] = value;
                std::snprintf(g_current_input, sizeof g_current_input,
                              "%s, with byte %zu set to 0x%02x", name.c_str(), index, value);
                run(variant.data(), variant.size());
                ++inputs;
            }
            variant[index] = seed[index];
        }
    }
    std::printf("replay: %zu inputs from %zu seeds ran without a crash\n", inputs, files.size());
    return 0;
}
