# Build helpers shared by every folder: warning flags, guest-safe flags, tests.

# Code that also runs in the VM guest (core/, dev/, net/, services/) is built
# integer-only, without exceptions or RTTI, on every target: a stray `double`
# or `throw` fails the unix build at once instead of the first hvt build.
# DESIGN.md ("Facts checked on these machines") says why the guest has no FPU.
# Clang 14's <limits> cannot be parsed with -mgeneral-regs-only, so the flag is
# GCC-only; clang builds (fuzzing) are host-only anyway.
set(OASIS_WARNINGS -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor
    -Wcast-align -Wunused -Wimplicit-fallthrough)
set(OASIS_GUEST_FLAGS -fno-exceptions -fno-rtti -fstack-protector-strong)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND OASIS_GUEST_FLAGS -mgeneral-regs-only)
endif()

option(OASIS_SANITIZE "Build with AddressSanitizer and UBSan" OFF)
if(OASIS_SANITIZE)
  # UBSan's vptr check needs type information, which -fno-rtti guest
  # libraries do not have.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# oasis_library(NAME GUEST|HOST SOURCES ... [DEPS ...])
# GUEST libraries obey the guest's rules (see above); HOST ones are platform
# code that only ever runs as a Linux process.
function(oasis_library name kind)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:include/oasis>)
  target_compile_options(${name} PRIVATE ${OASIS_WARNINGS})
  if(kind STREQUAL "GUEST")
    target_compile_options(${name} PRIVATE ${OASIS_GUEST_FLAGS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# oasis_test(NAME SOURCES ... [DEPS ...] [LABELS ...])
# A GoogleTest executable whose cases each become a CTest test.
function(oasis_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${OASIS_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  set(labels unit)
  if(ARG_LABELS)
    set(labels ${ARG_LABELS})
  endif()
  # A case that calls GTEST_SKIP() exits 0; the regular expression makes CTest
  # count it as skipped rather than passed (scripts/test reports the three).
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES LABELS "${labels}"
    SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
endfunction()
