// Codegen: the C++ and CMake that `oasis configure` writes from a manifest, as text.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cli/manifest.hpp"
#include "cli/target.hpp"
#include "core/result.hpp"

namespace oasis::cli {

// A file of the build folder: its path relative to the folder, and its text.
struct GeneratedFile {
    std::string path;
    std::string contents;
};

// The entry's declaration, as the application must define it (docs/manifest.md):
//   oasis::Task<int> hello::start(oasis::dev::Console& console, hello::Arguments arguments)
// `qualified` names the function and Arguments with their namespace.
std::string entry_signature(const Manifest& manifest, bool qualified);
// Its parameters one by one ("oasis::dev::Console& console", ...).
std::vector<std::string> entry_parameters(const Manifest& manifest, bool qualified);

// generated/unikernel.hpp: the Arguments struct (one field per runtime
// argument, initialised to its default) and the entry's declaration, in the
// entry's namespace. Target-independent: the application includes it.
std::string generate_entry_header(const Manifest& manifest);

// main.cpp for the unix target: declares the arguments and devices with
// targets/unix/boot.hpp, builds the stack, calls the entry.
std::string generate_unix_main(const Manifest& manifest, const TargetOptions& options);

// The C++ sources of a build folder: main.cpp, generated/unikernel.hpp and,
// for each baked kv device, baked/NAME.cpp (which reads the device's folder:
// a file that cannot be read is an error).
Result<std::vector<GeneratedFile>, std::string> generate_sources(const Manifest& manifest,
                                                                 const TargetOptions& options);

// A depfile in Makefile syntax (as a compiler writes with -MD): `target`
// depends on the manifest and on every folder and file each baked kv device
// reads (bake.hpp, list_folder), so that a build system that reads it
// (CMake's DEPFILE, Ninja) generates again when one changes, appears or
// goes. Fails when the folder cannot be read or a path holds a newline,
// which the syntax cannot carry.
Result<std::string, std::string> generate_depfile(const Manifest& manifest,
                                                  const std::filesystem::path& target);

// c-libraries.txt: the manifest's C libraries, one "NAME VERSION
// DEBIAN-SOURCE" line each in the manifest's order (empty without any), for
// the lock and vendoring step to come; nothing builds or links them yet. The
// manifest's checks leave no space or line break in a field.
std::string generate_c_library_list(const Manifest& manifest);

// Where the generated CMakeLists.txt finds Oasis, and where it puts the image.
struct CmakeSettings {
    // The folder holding OasisConfig.cmake: a build tree or PREFIX/lib/cmake/Oasis.
    std::filesystem::path package_directory;
    std::filesystem::path dist_directory;
};

// CMakeLists.txt of a build folder: the application as a guest library and
// the target's main linked into dist/NAME.
std::string generate_cmake_lists(const Manifest& manifest, const TargetOptions& options,
                                 const CmakeSettings& settings,
                                 const std::vector<GeneratedFile>& sources);

// A C++ string literal with the text's bytes, escaped so that any byte survives.
std::string cpp_string_literal(std::string_view text);
// A CMake quoted argument.
std::string cmake_quoted(std::string_view text);

}  // namespace oasis::cli
