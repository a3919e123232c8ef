// The panic handler of the fuzz targets: print the message, then abort so the fuzzer sees a crash.
#include "fuzz/fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

[[noreturn]] void report_panic(std::string_view message) {
    std::fprintf(stderr, "panic: %.*s\n", static_cast<int>(message.size()), message.data());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    oasis::set_panic_handler(report_panic);
    return 0;
}
