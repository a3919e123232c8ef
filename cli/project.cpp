// Project: configure writes the build folder, build drives CMake and Ninja, run starts dist/NAME.
#include "cli/project.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <system_error>

#include "cli/codegen.hpp"
#include "cli/process.hpp"
#include "core/format.hpp"

namespace oasis::cli {

namespace {

namespace fs = std::filesystem;

// In the build folder: the C libraries the vendoring step will read.
constexpr std::string_view c_library_list_file = "c-libraries.txt";

void say(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

// Every message that is not located in the manifest starts "oasis: error:".
int fail(std::string_view message, int status = exit_failure) {
    std::fflush(stdout);
    const std::string line = format("oasis: error: {}\n", message);
    std::fwrite(line.data(), 1, line.size(), stderr);
    return status;
}

// Messages that already say where (file:line:column: error: ...).
int fail_located(std::string_view message) {
    std::fflush(stdout);
    const std::string line = format("{}\n", message);
    std::fwrite(line.data(), 1, line.size(), stderr);
    return exit_failure;
}

// How a path inside the project is shown: relative to the current folder
// when the project is (the usual case), else as given.
std::string shown(const ProjectPaths& project, const fs::path& path) {
    const fs::path relative = path.lexically_relative(project.directory);
    if (project.directory == "." || project.directory.empty()) {
        return relative.empty() ? path.string() : relative.string();
    }
    if (relative == ".") {
        return project.directory.lexically_normal().string();
    }
    return (project.directory / relative).lexically_normal().string();
}

Result<Manifest, std::string> load_project_manifest(const ProjectPaths& project) {
    return load_manifest(project.manifest(), shown(project, project.manifest()));
}

std::optional<std::string> read_file(const fs::path& path) {
    std::ifstream stream{path, std::ios::binary};
    if (!stream) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << stream.rdbuf();
    return text.str();
}

// Writes only when the contents differ, so that an unchanged manifest leaves
// every file's time alone and a rebuild has nothing to do.
Result<void, std::string> write_if_changed(const fs::path& path, std::string_view contents) {
    if (std::optional<std::string> existing = read_file(path); existing && *existing == contents) {
        return {};
    }
    std::error_code error;
    fs::create_directories(path.parent_path(), error);
    if (error) {
        return Error{format("cannot make {}: {}", path.parent_path().string(), error.message())};
    }
    const fs::path temporary = path.string() + ".new";
    {
        std::ofstream stream{temporary, std::ios::binary | std::ios::trunc};
        stream.write(contents.data(), static_cast<std::streamsize>(contents.size()));
        if (!stream) {
            return Error{format("cannot write {}", temporary.string())};
        }
    }
    fs::rename(temporary, path, error);
    if (error) {
        return Error{format("cannot write {}: {}", path.string(), error.message())};
    }
    return {};
}

Result<void, std::string> write_files(const fs::path& folder,
                                      const std::vector<GeneratedFile>& files) {
    for (const GeneratedFile& file : files) {
        TRY(write_if_changed(folder / file.path, file.contents));
    }
    return {};
}

std::string configuration_text(const TargetOptions& options) {
    return format("target={}\nnet={}\n", target_name(options.target), net_kind_name(options.net));
}

std::optional<TargetRequest> read_configuration(const ProjectPaths& project) {
    const std::optional<std::string> text = read_file(project.configuration());
    if (!text) {
        return std::nullopt;
    }
    TargetRequest request;
    std::istringstream lines{*text};
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("target=")) {
            request.target = line.substr(7);
        } else if (line.starts_with("net=")) {
            request.net = line.substr(4);
        }
    }
    return request;
}

// Writes the build folder for a checked manifest; returns the folder.
Result<fs::path, std::string> write_build_folder(const ProjectPaths& project,
                                                 const Manifest& manifest,
                                                 const TargetOptions& options) {
    const std::optional<fs::path> package = find_oasis_package();
    if (!package) {
        return Error{std::string{
            "cannot find Oasis's CMake package (OasisConfig.cmake): this oasis is neither "
            "installed with it (PREFIX/bin/oasis beside PREFIX/lib/cmake/Oasis) nor in the "
            "build tree it was built in"}};
    }
    std::vector<GeneratedFile> files = TRY(generate_sources(manifest, options));
    const fs::path dist = fs::absolute(project.dist()).lexically_normal();
    files.push_back({"CMakeLists.txt", generate_cmake_lists(manifest, options,
                                                            CmakeSettings{*package, dist}, files)});
    // Written even when empty, so a library removed from the manifest is gone
    // from the list too.
    files.push_back({std::string{c_library_list_file}, generate_c_library_list(manifest)});
    const fs::path folder = project.build_folder(options.target);
    TRY(write_files(folder, files));
    TRY(write_if_changed(project.build_root() / ".oasis",
                         "This folder was made by `oasis configure`; `oasis clean` removes it.\n"));
    TRY(write_if_changed(project.configuration(), configuration_text(options)));
    return folder;
}

// Configure without the messages of `oasis configure`: build does it first,
// so that a changed manifest is always built as it is now.
Result<Manifest, int> reconfigure(const ProjectPaths& project, TargetOptions& options) {
    const std::optional<TargetRequest> request = read_configuration(project);
    if (!request) {
        return Error{fail(format("{} is not configured yet: run `oasis configure -t unix` first",
                                 shown(project, project.directory)))};
    }
    auto chosen = choose_target(request->target, request->net);
    if (chosen.is_error()) {
        return Error{fail(chosen.error())};
    }
    options = chosen.value();
    auto manifest = load_project_manifest(project);
    if (manifest.is_error()) {
        return Error{fail_located(manifest.error())};
    }
    if (auto written = write_build_folder(project, manifest.value(), options); written.is_error()) {
        return Error{fail(written.error())};
    }
    return std::move(manifest.value());
}

std::string namespace_for(std::string_view name) {
    std::string space{name};
    std::ranges::replace(space, '-', '_');
    if (is_keyword(space)) {
        space += "_unikernel";
    }
    return space;
}

std::string describe_device(const Device& device, const TargetOptions& options) {
    switch (device.kind) {
        case DeviceKind::net: {
            if (options.net == NetKind::socket) {
                return format(
                    "the host's sockets through an in-process gateway (--forward:{}=HOSTPORT:"
                    "GUESTPORT, --host-port:{}=PORT; 127.0.0.1 only)\n{:<12}-> Oasis's TCP/IP "
                    "stack on it (--net=socket; 10.0.2.15/24 via 10.0.2.2 unless --ipv4 and "
                    "--ipv4-gateway; {} packet buffers)",
                    device.name, device.name, "", device.packet_buffers);
            }
            std::string out = format(
                "TAP device (--net:{}=TAP), with --net-faults and --pcap around it", device.name);
            if (device.stack) {
                format_to(out,
                          "\n{:<12}-> Oasis's TCP/IP stack over it (--net=direct; --ipv4, "
                          "--ipv4-gateway, DHCP without --ipv4; {} packet buffers)",
                          "", device.packet_buffers);
            }
            return out;
        }
        case DeviceKind::block:
            return format("file (--block:{}=FILE)", device.name);
        case DeviceKind::kv:
            if (device.contents == KvContents::baked) {
                return format("baked into the image from {}", device.folder->string());
            }
            if (device.folder) {
                return format("directory (--kv:{}=DIRECTORY, default {})", device.name,
                              device.folder->string());
            }
            return format("directory (--kv:{}=DIRECTORY)", device.name);
        case DeviceKind::clock:
            return "the process's clocks (CLOCK_MONOTONIC since start, CLOCK_REALTIME), nothing "
                   "to bind";
        case DeviceKind::random:
            return "the unikernel's CSPRNG (ChaCha20, seeded from getrandom), nothing to bind";
    }
    return "";
}

std::string argument_type_text(const Argument& argument) {
    std::string out{argument_type_name(argument.type)};
    if (argument.minimum && argument.maximum) {
        format_to(out, " {}..{}", *argument.minimum, *argument.maximum);
    } else if (argument.minimum) {
        format_to(out, " >= {}", *argument.minimum);
    } else if (argument.maximum) {
        format_to(out, " <= {}", *argument.maximum);
    }
    return out;
}

std::string argument_default_text(const Argument& argument) {
    if (argument.type == ArgumentType::string) {
        return format("\"{}\"", argument.default_string);
    }
    return argument.default_text;
}

std::string names_or_none(const std::set<std::string>& names) {
    std::string out;
    for (const std::string& name : names) {
        format_to(out, "{}{}", out.empty() ? "" : " ", name);
    }
    return out.empty() ? std::string{"none"} : out;
}

// The runtime arguments every unikernel of the target has, as --NAME.
std::string target_arguments(const Manifest& manifest) {
    std::string out;
    for (std::string_view name : reserved_arguments(manifest.stack_device() != nullptr)) {
        if (name != "help" && name != "h") {
            format_to(out, "{}--{}", out.empty() ? "" : ", ", name);
        }
    }
    return out;
}

std::string describe_c_libraries(const Manifest& manifest) {
    if (manifest.c_libraries.empty()) {
        return "C libraries: none\n";
    }
    std::string out = "C libraries (recorded for vendoring, not built or linked yet):\n";
    for (const CLibrary& library : manifest.c_libraries) {
        format_to(out, "  {} {}, from the Debian source package {}\n", library.name,
                  library.version, library.debian_source);
    }
    return out;
}

// A build system that calls `oasis generate` lists the sources to compile
// and the baked/NAME.cpp it expects; both must be what the manifest says,
// or it would build something else than `oasis build` does.
Result<void, std::string> check_build_system_lists(const Manifest& manifest,
                                                   const GenerateRequest& generate) {
    std::set<fs::path> listed_sources;
    for (const std::string& source : generate.sources) {
        listed_sources.insert(fs::absolute(source).lexically_normal());
    }
    std::set<fs::path> declared_sources;
    for (const std::string& source : manifest.sources) {
        declared_sources.insert((manifest.directory / source).lexically_normal());
    }
    if (listed_sources != declared_sources) {
        return Error{
            std::string{"the build system's sources differ from the manifest's "
                        "`sources`: keep the two lists the same"}};
    }
    const std::set<std::string> listed_baked{generate.baked.begin(), generate.baked.end()};
    std::set<std::string> declared_baked;
    for (const Device& device : manifest.devices) {
        if (device.kind == DeviceKind::kv && device.contents == KvContents::baked) {
            declared_baked.insert(device.name);
        }
    }
    if (listed_baked != declared_baked) {
        return Error{
            format("the build system's baked kv devices ({}) differ from the "
                   "manifest's ({}): list each kv device with baked = true, "
                   "as oasis_unikernel(... BAKED NAME...)",
                   names_or_none(listed_baked), names_or_none(declared_baked))};
    }
    return {};
}

}  // namespace

std::optional<fs::path> find_oasis_package() {
    std::error_code error;
    const fs::path executable = fs::read_symlink("/proc/self/exe", error);
    if (!error) {
        const fs::path installed = executable.parent_path().parent_path() / "lib/cmake/Oasis";
        if (fs::exists(installed / "OasisConfig.cmake", error)) {
            return installed;
        }
    }
#ifdef OASIS_BUILD_TREE_PACKAGE
    const fs::path build_tree{OASIS_BUILD_TREE_PACKAGE};
    if (fs::exists(build_tree / "OasisConfig.cmake", error)) {
        return build_tree;
    }
#endif
    return std::nullopt;
}

int configure_command(const ProjectPaths& project, const TargetRequest& request) {
    auto options = choose_target(request.target, request.net);
    if (options.is_error()) {
        return fail(options.error(), exit_usage);
    }
    auto manifest = load_project_manifest(project);
    if (manifest.is_error()) {
        return fail_located(manifest.error());
    }
    auto folder = write_build_folder(project, manifest.value(), options.value());
    if (folder.is_error()) {
        return fail(folder.error());
    }
    say(format("oasis: configured {} for {} (--net={}) in {}; `oasis build` makes {}\n",
               manifest->name, target_name(options->target), net_kind_name(options->net),
               shown(project, folder.value()), shown(project, project.dist() / manifest->name)));
    if (const Device* stack = manifest->stack_device();
        stack != nullptr && options->net == NetKind::socket) {
        say(
            format("oasis: no TAP and no root needed: `oasis run -- --forward:{}=8080:80` makes "
                   "127.0.0.1:8080 reach the app's port 80\n",
                   stack->name));
    }
    if (!manifest->c_libraries.empty()) {
        // Declared libraries are not in the image yet: say so, so that nobody
        // takes a successful build for one that uses them.
        std::string names;
        for (const CLibrary& library : manifest->c_libraries) {
            format_to(names, "{}{} {}", names.empty() ? "" : ", ", library.name, library.version);
        }
        say(
            format("oasis: C libraries recorded in {} but not vendored or linked yet (that comes "
                   "with the lock file): {}\n",
                   shown(project, folder.value() / c_library_list_file), names));
    }
    return 0;
}

int build_command(const ProjectPaths& project) {
    TargetOptions options;
    auto manifest = reconfigure(project, options);
    if (manifest.is_error()) {
        return manifest.error();
    }
    const fs::path source = project.build_folder(options.target);
    const fs::path binary = project.cmake_folder(options.target);
    std::error_code error;
    if (!fs::exists(binary / "CMakeCache.txt", error)) {
        auto status = run_process({"cmake", "-S", source.string(), "-B", binary.string(), "-G",
                                   "Ninja", "--log-level=WARNING"});
        if (status.is_error()) {
            return fail(
                format("cannot run CMake ({}); it and Ninja are needed to build", status.error()));
        }
        if (status.value() != 0) {
            // A half-made cache would make the next build skip this step.
            fs::remove(binary / "CMakeCache.txt", error);
            return fail(format("CMake could not configure {} (its messages are above)",
                               shown(project, source)));
        }
    }
    auto status = run_process({"cmake", "--build", binary.string()});
    if (status.is_error()) {
        return fail(format("cannot run CMake: {}", status.error()));
    }
    if (status.value() != 0) {
        return fail("the build failed (the messages above are the compiler's or linker's)");
    }
    say(format("oasis: built {}\n", shown(project, project.dist() / manifest->name)));
    return 0;
}

int run_command(const ProjectPaths& project, const std::vector<std::string>& arguments) {
    auto manifest = load_project_manifest(project);
    if (manifest.is_error()) {
        return fail_located(manifest.error());
    }
    const std::optional<TargetRequest> request = read_configuration(project);
    if (!request) {
        return fail(
            format("{} is not configured yet: run `oasis configure -t unix` and "
                   "`oasis build` first",
                   shown(project, project.directory)));
    }
    auto options = choose_target(request->target, request->net);
    if (options.is_error()) {
        return fail(options.error());
    }
    const fs::path image = project.dist() / manifest->name;
    std::error_code error;
    if (!fs::exists(image, error)) {
        return fail(format("{} does not exist: run `oasis build` first", shown(project, image)));
    }
    std::vector<std::string> command{fs::absolute(image).string()};
    command.insert(command.end(), arguments.begin(), arguments.end());
    return fail(format("cannot start {}", replace_process(command)));
}

int clean_command(const ProjectPaths& project) {
    std::error_code error;
    std::vector<std::string> removed;
    if (fs::exists(project.build_root(), error)) {
        if (!fs::exists(project.build_root() / ".oasis", error)) {
            return fail(
                format("{} was not made by oasis (it has no .oasis marker): not removing it",
                       shown(project, project.build_root())));
        }
        fs::remove_all(project.build_root(), error);
        if (error) {
            return fail(format("cannot remove {}: {}", shown(project, project.build_root()),
                               error.message()));
        }
        removed.push_back(shown(project, project.build_root()) + "/");
    }
    auto manifest = load_project_manifest(project);
    if (manifest.is_error()) {
        return fail_located(manifest.error());
    }
    const fs::path image = project.dist() / manifest->name;
    if (fs::remove(image, error)) {
        removed.push_back(shown(project, image));
    }
    if (fs::is_empty(project.dist(), error) && !error) {
        fs::remove(project.dist(), error);
    }
    say(removed.empty()
            ? std::string{"oasis: nothing to clean\n"}
            : format("oasis: removed {}\n",
                     removed.size() == 2 ? removed[0] + " and " + removed[1] : removed[0]));
    return 0;
}

int describe_command(const ProjectPaths& project, const std::optional<TargetRequest>& request) {
    const TargetRequest words =
        request.value_or(read_configuration(project).value_or(TargetRequest{}));
    auto options = choose_target(words.target, words.net);
    if (options.is_error()) {
        return fail(options.error(), exit_usage);
    }
    auto loaded = load_project_manifest(project);
    if (loaded.is_error()) {
        return fail_located(loaded.error());
    }
    const Manifest& manifest = loaded.value();
    std::string out =
        format("unikernel {} ({})\n", manifest.name, shown(project, project.manifest()));
    format_to(out, "  target   {} (--net={})\n", target_name(options->target),
              net_kind_name(options->net));
    out += "  sources  ";
    for (std::size_t i = 0; i < manifest.sources.size(); ++i) {
        format_to(out, "{}{}", i == 0 ? "" : ", ", manifest.sources[i]);
    }
    format_to(out, "\n  entry    {}\n\n", entry_signature(manifest, true));

    format_to(out, "devices (as the {} target provides them):\n", target_name(options->target));
    format_to(out, "  {:<10}console <- standard output\n", "console");
    for (const Device& device : manifest.devices) {
        format_to(out, "  {:<10}{} <- {}\n", device.name, device_kind_name(device.kind),
                  describe_device(device, options.value()));
    }
    out += format("  {} receives: console", manifest.entry);
    for (const Device& device : manifest.devices) {
        format_to(out, ", {}{}", device.name,
                  device.kind == DeviceKind::net && device.stack ? " (stack)" : "");
    }
    out += ", arguments\n\n";

    if (manifest.arguments.empty()) {
        out += "runtime arguments: none of its own\n";
    } else {
        out += "runtime arguments:\n";
        std::size_t name_width = 0;
        std::size_t type_width = 0;
        std::size_t default_width = 0;
        for (const Argument& argument : manifest.arguments) {
            name_width = std::max(name_width, argument.name.size() + 2);
            type_width = std::max(type_width, argument_type_text(argument).size());
            default_width = std::max(default_width, argument_default_text(argument).size());
        }
        for (const Argument& argument : manifest.arguments) {
            std::string line = "  --" + argument.name;
            line.resize(2 + name_width + 2, ' ');
            line += argument_type_text(argument);
            line.resize(2 + name_width + 2 + type_width + 2, ' ');
            line += argument_default_text(argument);
            line.resize(2 + name_width + 2 + type_width + 2 + default_width + 2, ' ');
            line += argument.help;
            format_to(out, "{}\n", line);
        }
    }
    format_to(out, "  and the target's own: {} (`{} --help` lists them all)\n\n",
              target_arguments(manifest), manifest.name);
    out += describe_c_libraries(manifest);
    say(out);
    return 0;
}

int new_command(const fs::path& parent, const std::string& name) {
    const fs::path folder = parent == "." ? fs::path{name} : parent / name;
    std::error_code error;
    if (fs::exists(folder, error)) {
        return fail(
            format("{} already exists: choose another name, or remove it", folder.string()));
    }
    if (!is_valid_unikernel_name(name)) {
        return fail(format("'{}' is not a valid unikernel name: a lower-case letter, then "
                           "lower-case letters, digits and '-', at most 64 characters",
                           name),
                    exit_usage);
    }
    const std::vector<std::pair<std::string, std::string>> files = skeleton_files(name);
    fs::create_directories(folder, error);
    if (error) {
        return fail(format("cannot make {}: {}", folder.string(), error.message()));
    }
    for (const auto& [file, contents] : files) {
        if (auto written = write_if_changed(folder / file, contents); written.is_error()) {
            return fail(written.error());
        }
    }
    say(
        format("oasis: made {}/ with unikernel.toml and unikernel.cpp; try:\n"
               "  cd {} && oasis configure -t unix && oasis build && oasis run\n",
               folder.string(), folder.string()));
    return 0;
}

int generate_command(const GenerateRequest& generate, const TargetRequest& request) {
    auto options = choose_target(request.target, request.net);
    if (options.is_error()) {
        return fail(options.error(), exit_usage);
    }
    auto manifest = load_manifest(generate.manifest, generate.manifest.string());
    if (manifest.is_error()) {
        return fail_located(manifest.error());
    }
    if (!generate.sources.empty()) {
        if (auto same = check_build_system_lists(manifest.value(), generate); same.is_error()) {
            return fail(format("{}: {}", generate.manifest.string(), same.error()));
        }
    }
    auto files = generate_sources(manifest.value(), options.value());
    if (files.is_error()) {
        return fail(files.error());
    }
    if (!generate.depfile.empty()) {
        auto depfile = generate_depfile(manifest.value(), generate.output / "main.cpp");
        if (depfile.is_error()) {
            return fail(depfile.error());
        }
        if (auto written = write_if_changed(generate.depfile, depfile.value());
            written.is_error()) {
            return fail(written.error());
        }
    }
    if (auto written = write_files(generate.output, files.value()); written.is_error()) {
        return fail(written.error());
    }
    return 0;
}

std::vector<std::pair<std::string, std::string>> skeleton_files(const std::string& name) {
    const std::string space = namespace_for(name);
    std::string manifest = format(
        "# The {} unikernel: what it needs, for `oasis configure` (docs/manifest.md in Oasis).\n"
        "name = \"{}\"\n"
        "sources = [\"unikernel.cpp\"]\n"
        "# Defined in unikernel.cpp; generated/unikernel.hpp declares it.\n"
        "entry = \"{}::start\"\n\n"
        "# Devices come before the arguments in the entry's parameters, in this order.\n"
        "# [[devices]]\n"
        "# name = \"service\"\n"
        "# kind = \"net\"      # net, block, kv, clock or random\n\n"
        "[[arguments]]\n"
        "name = \"greeting\"\n"
        "type = \"string\"\n"
        "default = \"Hello from {}!\"\n"
        "help = \"What to say.\"\n\n"
        "[[arguments]]\n"
        "name = \"repeat\"\n"
        "type = \"unsigned\"\n"
        "default = 3\n"
        "min = 1\n"
        "help = \"How many times to say it.\"\n\n"
        "[[arguments]]\n"
        "name = \"interval\"\n"
        "type = \"duration\"\n"
        "default = \"1s\"\n"
        "help = \"The pause between two greetings.\"\n",
        name, name, space, name);
    std::string source = format(
        "// The {} unikernel: says its greeting a few times, pausing in between.\n"
        "#include \"core/scheduler.hpp\"\n"
        "#include \"generated/unikernel.hpp\"\n\n"
        "namespace {} {{\n\n"
        "// The same source on every target: Oasis's generated main calls this with the\n"
        "// devices of unikernel.toml and the parsed runtime arguments.\n"
        "oasis::Task<int> start(oasis::dev::Console& console, Arguments arguments) {{\n"
        "    for (std::uint64_t i = 0; i < arguments.repeat; ++i) {{\n"
        "        if (i > 0) {{\n"
        "            co_await oasis::sleep_for(arguments.interval);\n"
        "        }}\n"
        "        console.write(arguments.greeting);\n"
        "        console.write(\"\\n\");\n"
        "    }}\n"
        "    co_return 0;\n"
        "}}\n\n"
        "}}  // namespace {}\n",
        name, space, space);
    return {
        {"unikernel.toml", std::move(manifest)},
        {"unikernel.cpp", std::move(source)},
        {".gitignore", "/build/\n/dist/\n"},
    };
}

}  // namespace oasis::cli
