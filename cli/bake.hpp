// Bake: a kv device's folder turned into C++ data (baked/NAME.cpp), the counterpart of Mirage's
// crunch.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cli/manifest.hpp"
#include "core/result.hpp"

namespace oasis::cli {

// The table's name in generated code, e.g. "oasis_baked::htdocs".
std::string baked_symbol(const Device& device);
// Its declaration, for main.cpp.
std::string baked_declaration(const Device& device);

// What baking a folder reads: every folder under it (itself first) and
// every regular file, symbolic links and other kinds of file left out. A
// build system that depends on all of them bakes again when a file changes,
// appears or goes (a folder's time changes when an entry comes or goes).
struct FolderContents {
    std::vector<std::filesystem::path> folders;
    std::vector<std::filesystem::path> files;
};
Result<FolderContents, std::string> list_folder(const std::filesystem::path& folder);

// baked/NAME.cpp: every regular file under the device's folder (symbolic
// links and other kinds of file are left out, as the directory store on
// unix refuses them), sorted by key, with its size, SHA-256 digest and
// modification time, as a dev::BakedValue table. Fails with a message when
// the folder or a file cannot be read.
Result<std::string, std::string> generate_baked_kv(const Device& device);

}  // namespace oasis::cli
