// Project: the commands of the `oasis` tool on a unikernel project folder (configure, build, run
// ...).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/manifest.hpp"
#include "cli/target.hpp"

namespace oasis::cli {

// Exit statuses of the tool.
constexpr int exit_failure = 1;  // the manifest, the build or the project is wrong
constexpr int exit_usage = 2;    // the tool's own command line is wrong

// The files of a project folder. Everything the tool makes is under build/
// (which holds a marker, build/.oasis, so that `oasis clean` never removes a
// folder it did not make) and dist/.
struct ProjectPaths {
    std::filesystem::path directory;

    std::filesystem::path manifest() const { return directory / "unikernel.toml"; }
    std::filesystem::path build_root() const { return directory / "build"; }
    // The last configuration (target and network kind), read by build, run, describe.
    std::filesystem::path configuration() const { return build_root() / "configuration"; }
    std::filesystem::path build_folder(Target target) const {
        return build_root() / std::string{target_name(target)};
    }
    // CMake's binary folder inside the build folder.
    std::filesystem::path cmake_folder(Target target) const {
        return build_folder(target) / "cmake";
    }
    std::filesystem::path dist() const { return directory / "dist"; }
};

// The words of -t and --net as given (checked by choose_target).
struct TargetRequest {
    std::string target = "unix";
    std::string net = "direct";
};

// Each command prints what it does and what went wrong, and returns the
// tool's exit status.
int configure_command(const ProjectPaths& project, const TargetRequest& request);
int build_command(const ProjectPaths& project);
int run_command(const ProjectPaths& project, const std::vector<std::string>& arguments);
int clean_command(const ProjectPaths& project);
// Without a request: the configured target, else unix with --net=direct.
int describe_command(const ProjectPaths& project, const std::optional<TargetRequest>& request);
// Makes the folder `parent/name` with a working skeleton.
int new_command(const std::filesystem::path& parent, const std::string& name);
// What a build system (Oasis's own examples, through oasis_unikernel() in
// cli/CMakeLists.txt) asks of `oasis generate`.
struct GenerateRequest {
    std::filesystem::path manifest;
    // Where the C++ sources of the build folder go.
    std::filesystem::path output;
    // The sources and baked kv devices as the build system lists them: when
    // `sources` is given, both must be the manifest's, so the build system
    // compiles exactly what the manifest says (baked/NAME.cpp included).
    std::vector<std::string> sources;
    std::vector<std::string> baked;
    // If not empty: a depfile naming the manifest and every folder and file
    // the baked devices read, with output/main.cpp as its target.
    std::filesystem::path depfile;
};
int generate_command(const GenerateRequest& generate, const TargetRequest& request);

// Where Oasis's CMake package is: PREFIX/lib/cmake/Oasis beside an
// installed `oasis` (PREFIX/bin/oasis), else the build tree this `oasis`
// was built in.
std::optional<std::filesystem::path> find_oasis_package();

// The skeleton of `oasis new`, for tests: file name and contents.
std::vector<std::pair<std::string, std::string>> skeleton_files(const std::string& name);

}  // namespace oasis::cli
