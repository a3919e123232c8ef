// Codegen: main.cpp, generated/unikernel.hpp and CMakeLists.txt of a build folder.
#include "cli/codegen.hpp"

#include <cstdint>
#include <limits>

#include "cli/bake.hpp"
#include "core/format.hpp"

namespace oasis::cli {

namespace {

std::string qualified(const Manifest& manifest, std::string_view name) {
    const std::string space = manifest.entry_namespace();
    return space.empty() ? std::string{name} : format("{}::{}", space, name);
}

std::string_view parameter_type(const Device& device) {
    switch (device.kind) {
        case DeviceKind::net:
            return device.stack ? "oasis::net::Stack&" : "oasis::dev::NetDevice&";
        case DeviceKind::block:
            return "oasis::dev::BlockDevice&";
        case DeviceKind::kv:
            return "oasis::dev::KeyValueStore&";
        case DeviceKind::clock:
            return "oasis::dev::Clock&";
        case DeviceKind::random:
            return "oasis::dev::Random&";
    }
    return "?";
}

std::string integer_literal(std::int64_t value) {
    if (value == std::numeric_limits<std::int64_t>::min()) {
        return "std::numeric_limits<std::int64_t>::min()";
    }
    return format("std::int64_t{{{}}}", value);
}

std::string unsigned_literal(std::uint64_t value) {
    return format("std::uint64_t{{{}}}", value);
}

std::string duration_literal(Duration value) {
    return format("oasis::Duration{{{}}}", value.count());
}

// The default as a C++ expression of the member's type.
std::string default_expression(const Argument& argument) {
    switch (argument.type) {
        case ArgumentType::string:
            return cpp_string_literal(argument.default_string);
        case ArgumentType::integer:
            return integer_literal(argument.default_integer);
        case ArgumentType::unsigned_integer:
            return unsigned_literal(argument.default_unsigned);
        case ArgumentType::boolean:
            return argument.default_boolean ? "true" : "false";
        case ArgumentType::duration:
            return duration_literal(argument.default_duration);
    }
    return "?";
}

// One comment line per 90 characters of help text, at `indent`.
std::string comment(std::string_view text, std::string_view indent) {
    std::string out;
    std::string line;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const std::string_view word = text.substr(start, end - start);
        if (!line.empty() && line.size() + 1 + word.size() > 90) {
            format_to(out, "{}// {}\n", indent, line);
            line.clear();
        }
        if (!word.empty()) {
            format_to(line, "{}{}", line.empty() ? "" : " ", word);
        }
        start = end + 1;
    }
    if (!line.empty()) {
        format_to(out, "{}// {}\n", indent, line);
    }
    return out;
}

// `function(arguments...);` at `indent`, wrapped at 100 columns with the
// continuation lines aligned after the '(' (as clang-format would).
std::string call_statement(std::string_view indent, std::string_view function,
                           const std::vector<std::string>& arguments,
                           std::string_view close = ");") {
    constexpr std::size_t columns = 100;
    std::string out = format("{}{}(", indent, function);
    const std::size_t align = out.size();
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string_view end = i + 1 == arguments.size() ? close : ",";
        const std::size_t width = (i == 0 ? 0 : 1) + arguments[i].size() + end.size();
        if (i > 0 && out.size() - line_start + width > columns) {
            out += '\n';
            line_start = out.size();
            out.append(align, ' ');
        } else if (i > 0) {
            out += ' ';
        }
        out += arguments[i];
        out += end;
    }
    if (arguments.empty()) {
        out += close;
    }
    out += '\n';
    return out;
}

// The parser's declare_* call for one argument.
std::string declaration(const Argument& argument) {
    std::vector<std::string> words{cpp_string_literal(argument.name), default_expression(argument),
                                   cpp_string_literal(argument.help)};
    switch (argument.type) {
        case ArgumentType::string:
            return call_statement("    ", "parser.declare_string", words);
        case ArgumentType::integer:
            words.push_back(integer_literal(
                argument.minimum.value_or(std::numeric_limits<std::int64_t>::min())));
            words.push_back(integer_literal(
                argument.maximum.value_or(std::numeric_limits<std::int64_t>::max())));
            return call_statement("    ", "parser.declare_int", words);
        case ArgumentType::unsigned_integer:
            words.push_back(
                unsigned_literal(static_cast<std::uint64_t>(argument.minimum.value_or(0))));
            words.push_back(argument.maximum
                                ? unsigned_literal(static_cast<std::uint64_t>(*argument.maximum))
                                : std::string{"std::numeric_limits<std::uint64_t>::max()"});
            return call_statement("    ", "parser.declare_unsigned", words);
        case ArgumentType::boolean:
            return call_statement("    ", "parser.declare_bool", words);
        case ArgumentType::duration:
            return call_statement("    ", "parser.declare_duration", words);
    }
    return "";
}

std::string_view value_getter(ArgumentType type) {
    switch (type) {
        case ArgumentType::string:
            return "string_value";
        case ArgumentType::integer:
            return "int_value";
        case ArgumentType::unsigned_integer:
            return "unsigned_value";
        case ArgumentType::boolean:
            return "bool_value";
        case ArgumentType::duration:
            return "duration_value";
    }
    return "?";
}

bool has_kind(const Manifest& manifest, DeviceKind kind) {
    for (const Device& device : manifest.devices) {
        if (device.kind == kind) {
            return true;
        }
    }
    return false;
}

bool has_baked_kv(const Manifest& manifest) {
    for (const Device& device : manifest.devices) {
        if (device.kind == DeviceKind::kv && device.contents == KvContents::baked) {
            return true;
        }
    }
    return false;
}

// A path as a Makefile-syntax depfile names it: a space or '#' after a
// backslash, a '$' doubled (what GCC writes, and Ninja and CMake read).
Result<std::string, std::string> depfile_word(const std::filesystem::path& path) {
    std::string out;
    for (const char c : path.string()) {
        if (c == '\n' || c == '\r') {
            return Error{format("{} has a line break in its name, which a depfile cannot hold",
                                path.string())};
        }
        if (c == ' ' || c == '#') {
            out += '\\';
        } else if (c == '$') {
            out += '$';
        }
        out += c;
    }
    return out;
}

}  // namespace

std::string cpp_string_literal(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte >= 0x7f) {
            // Three octal digits always: a following digit cannot join the escape.
            out += '\\';
            out += static_cast<char>('0' + (byte >> 6));
            out += static_cast<char>('0' + ((byte >> 3) & 7));
            out += static_cast<char>('0' + (byte & 7));
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

std::string cmake_quoted(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\' || c == '$' || c == ';') {
            out += '\\';
        }
        out += c;
    }
    out += '"';
    return out;
}

std::vector<std::string> entry_parameters(const Manifest& manifest, bool qualify) {
    std::vector<std::string> parameters{"oasis::dev::Console& console"};
    for (const Device& device : manifest.devices) {
        parameters.push_back(format("{} {}", parameter_type(device), device.name));
    }
    parameters.push_back(format(
        "{} arguments", qualify ? qualified(manifest, "Arguments") : std::string{"Arguments"}));
    return parameters;
}

std::string entry_signature(const Manifest& manifest, bool qualify) {
    std::string out =
        format("oasis::Task<int> {}(", qualify ? manifest.entry : manifest.entry_function());
    const std::vector<std::string> parameters = entry_parameters(manifest, qualify);
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        format_to(out, "{}{}", i == 0 ? "" : ", ", parameters[i]);
    }
    out += ")";
    return out;
}

std::string generate_entry_header(const Manifest& manifest) {
    std::string out = format(
        "// The {} unikernel's runtime arguments and entry, generated by `oasis` from "
        "{}: do not edit.\n"
        "#pragma once\n\n"
        "#include <cstdint>\n"
        "#include <string>\n\n"
        "#include \"core/task.hpp\"\n"
        "#include \"core/time.hpp\"\n",
        manifest.name, manifest.file.filename().string());
    if (has_kind(manifest, DeviceKind::block)) {
        out += "#include \"dev/block.hpp\"\n";
    }
    if (has_kind(manifest, DeviceKind::clock)) {
        out += "#include \"dev/clock.hpp\"\n";
    }
    out += "#include \"dev/console.hpp\"\n";
    if (has_kind(manifest, DeviceKind::kv)) {
        out += "#include \"dev/kv.hpp\"\n";
    }
    if (has_kind(manifest, DeviceKind::net)) {
        out += "#include \"dev/net.hpp\"\n";
    }
    if (has_kind(manifest, DeviceKind::random)) {
        out += "#include \"dev/random.hpp\"\n";
    }
    if (manifest.stack_device() != nullptr) {
        out += "#include \"net/stack.hpp\"\n";
    }
    const std::string space = manifest.entry_namespace();
    out += "\n";
    if (!space.empty()) {
        format_to(out, "namespace {} {{\n\n", space);
    }
    out += comment(format("The runtime arguments (`{} --help` lists them): each is its default "
                          "unless the command line gives --NAME=VALUE.",
                          manifest.name),
                   "");
    out += "struct Arguments {\n";
    for (const Argument& argument : manifest.arguments) {
        out += comment(format("--{}: {}", argument.name, argument.help), "    ");
        format_to(out, "    {} {} = {};\n", argument_member_type(argument.type), argument.member,
                  default_expression(argument));
    }
    out += "};\n\n";
    out +=
        "// The entry, which the application defines: called once the devices are ready, with\n"
        "// the devices in the manifest's order; the value it returns is the exit status.\n";
    out += call_statement("", format("oasis::Task<int> {}", manifest.entry_function()),
                          entry_parameters(manifest, false));
    if (!space.empty()) {
        format_to(out, "\n}}  // namespace {}\n", space);
    }
    return out;
}

std::string generate_unix_main(const Manifest& manifest, const TargetOptions& options) {
    const bool socket = options.net == NetKind::socket;
    const Device* stack = manifest.stack_device();
    std::string out = format(
        "// The {} unikernel's main on the unix target, generated by `oasis` from "
        "{}: do not edit.\n",
        manifest.name, manifest.file.filename().string());
    out += "#include <cstdint>\n#include <cstdio>\n#include <limits>\n#include <optional>\n";
    out += "#include <string>\n#include <utility>\n#include <vector>\n\n";
    if (stack != nullptr) {
        out += "#include \"core/packet.hpp\"\n";
    }
    if (has_baked_kv(manifest)) {
        out += "#include \"dev/baked_kv.hpp\"\n";
    }
    out += "#include \"generated/unikernel.hpp\"\n";
    if (stack != nullptr) {
        out += "#include \"net/stack.hpp\"\n";
    }
    out += "#include \"targets/unix/boot.hpp\"\n\n";
    for (const Device& device : manifest.devices) {
        if (device.kind == DeviceKind::kv && device.contents == KvContents::baked) {
            format_to(out, "{}", baked_declaration(device));
        }
    }

    out += "int main(int argc, char** argv) {\n";
    // Directory kv devices with a folder in the manifest: the folder is the
    // binding unless the command line gives another (the last one wins).
    std::vector<const Device*> default_folders;
    for (const Device& device : manifest.devices) {
        if (device.kind == DeviceKind::kv && device.contents == KvContents::directory &&
            device.folder) {
            default_folders.push_back(&device);
        }
    }
    if (default_folders.empty()) {
        out += "    oasis::unix_target::Boot boot{argc, argv};\n";
    } else {
        out +=
            "    // The manifest's folders are the kv bindings unless the command line gives "
            "others\n    // (the last binding of a name wins).\n"
            "    std::vector<std::string> defaults{\n";
        for (const Device* device : default_folders) {
            format_to(
                out, "        {},\n",
                cpp_string_literal(format("--kv:{}={}", device->name, device->folder->string())));
        }
        out +=
            "    };\n"
            "    std::vector<char*> words{argv, argv + argc};\n"
            "    for (std::string& binding : defaults) {\n"
            "        words.insert(words.begin() + 1, binding.data());\n"
            "    }\n"
            "    oasis::unix_target::Boot boot{static_cast<int>(words.size()), words.data()};\n";
    }
    // Without arguments or a stack nothing reads the parser, and an unused
    // variable is an error with -Werror.
    if (!manifest.arguments.empty() || stack != nullptr) {
        out += "    oasis::ArgumentParser& parser = boot.arguments();\n";
    }
    for (const Argument& argument : manifest.arguments) {
        out += declaration(argument);
    }
    if (stack != nullptr) {
        out += "    oasis::net::declare_stack_arguments(parser);\n";
    }
    for (const Device& device : manifest.devices) {
        if ((device.kind == DeviceKind::kv && device.contents == KvContents::baked) ||
            device.kind == DeviceKind::clock || device.kind == DeviceKind::random) {
            continue;  // in the image, or the target's own: nothing to bind
        }
        // With --net=socket the stack's port is on the gateway to the host's
        // sockets (generate_sources has refused raw net devices).
        const bool socket_net = socket && device.kind == DeviceKind::net;
        format_to(out, "    boot.declare_{}({});\n",
                  socket_net ? "net_socket" : device_kind_name(device.kind),
                  cpp_string_literal(device.name));
    }
    out +=
        "    if (std::optional<int> status = boot.start()) {\n"
        "        return *status;  // --help, or a command line that cannot be used\n"
        "    }\n";
    if (stack != nullptr && socket) {
        // Boot::start() has checked --ipv4 and --ipv4-gateway for the gateway.
        format_to(out,
                  "    oasis::PacketPool {}_pool{{{}}};\n"
                  "    oasis::net::Stack {}_stack{{boot.net({}), {}_pool, "
                  "boot.net_socket_config({}), boot.random()}};\n",
                  stack->name, stack->packet_buffers, stack->name, cpp_string_literal(stack->name),
                  stack->name, cpp_string_literal(stack->name));
    } else if (stack != nullptr) {
        format_to(out,
                  "    auto config = oasis::net::stack_config_from(parser);\n"
                  "    if (!config) {{\n"
                  "        std::fprintf(stderr, \"%s: %s\\n\", argv[0], config.error().c_str());\n"
                  "        return oasis::unix_target::exit_usage;\n"
                  "    }}\n"
                  "    oasis::PacketPool {}_pool{{{}}};\n"
                  "    oasis::net::Stack {}_stack{{boot.net({}), {}_pool, *config, "
                  "boot.random()}};\n",
                  stack->name, stack->packet_buffers, stack->name, cpp_string_literal(stack->name),
                  stack->name);
    }
    for (const Device& device : manifest.devices) {
        if (device.kind == DeviceKind::kv && device.contents == KvContents::baked) {
            format_to(out, "    oasis::dev::BakedKeyValueStore {}_kv{{{}}};\n", device.name,
                      baked_symbol(device));
        }
    }
    format_to(out, "    {} arguments;\n", qualified(manifest, "Arguments"));
    for (const Argument& argument : manifest.arguments) {
        format_to(out, "    arguments.{} = parser.{}({});\n", argument.member,
                  value_getter(argument.type), cpp_string_literal(argument.name));
    }
    std::vector<std::string> call{"boot.console()"};
    for (const Device& device : manifest.devices) {
        const std::string name = cpp_string_literal(device.name);
        switch (device.kind) {
            case DeviceKind::net:
                call.push_back(device.stack ? format("{}_stack", device.name)
                                            : format("boot.net({})", name));
                break;
            case DeviceKind::block:
                call.push_back(format("boot.block({})", name));
                break;
            case DeviceKind::kv:
                call.push_back(device.contents == KvContents::baked ? format("{}_kv", device.name)
                                                                    : format("boot.kv({})", name));
                break;
            case DeviceKind::clock:
                // One clock for the whole unikernel: every clock device is it.
                call.push_back("boot.clock()");
                break;
            case DeviceKind::random:
                // Likewise one generator: every random device draws from it.
                call.push_back("boot.random()");
                break;
        }
    }
    call.push_back("std::move(arguments)");
    out += call_statement("    ", format("return boot.run({}", manifest.entry), call, "));");
    out += "}\n";
    return out;
}

Result<std::vector<GeneratedFile>, std::string> generate_sources(const Manifest& manifest,
                                                                 const TargetOptions& options) {
    for (const Device& device : manifest.devices) {
        if (options.net == NetKind::socket && device.kind == DeviceKind::net && !device.stack) {
            return Error{format(
                "net device '{}' has stack = false: a raw NetDevice sends Ethernet frames, which "
                "only a TAP device carries; configure with --net=direct, or give it the stack",
                device.name)};
        }
    }
    std::vector<GeneratedFile> files;
    files.push_back({"generated/unikernel.hpp", generate_entry_header(manifest)});
    files.push_back({"main.cpp", generate_unix_main(manifest, options)});
    for (const Device& device : manifest.devices) {
        if (device.kind == DeviceKind::kv && device.contents == KvContents::baked) {
            std::string contents = TRY(generate_baked_kv(device));
            files.push_back({format("baked/{}.cpp", device.name), std::move(contents)});
        }
    }
    return files;
}

Result<std::string, std::string> generate_depfile(const Manifest& manifest,
                                                  const std::filesystem::path& target) {
    std::string out =
        format("{}: \\\n  {}", TRY(depfile_word(target)), TRY(depfile_word(manifest.file)));
    for (const Device& device : manifest.devices) {
        if (device.kind != DeviceKind::kv || device.contents != KvContents::baked) {
            continue;
        }
        const FolderContents contents = TRY(list_folder(*device.folder));
        for (const auto* paths : {&contents.folders, &contents.files}) {
            for (const std::filesystem::path& path : *paths) {
                format_to(out, " \\\n  {}", TRY(depfile_word(path)));
            }
        }
    }
    out += "\n";
    return out;
}

std::string generate_c_library_list(const Manifest& manifest) {
    std::string out;
    for (const CLibrary& library : manifest.c_libraries) {
        format_to(out, "{} {} {}\n", library.name, library.version, library.debian_source);
    }
    return out;
}

std::string generate_cmake_lists(const Manifest& manifest, const TargetOptions& options,
                                 const CmakeSettings& settings,
                                 const std::vector<GeneratedFile>& sources) {
    const bool stack = manifest.stack_device() != nullptr;
    std::string out = format(
        "# Builds the {} unikernel for the {} target (--net={}); generated by `oasis configure` "
        "from\n# {}: do not edit, run `oasis configure` again.\n"
        "cmake_minimum_required(VERSION 3.25)\n"
        "project({} LANGUAGES CXX)\n\n"
        "set(CMAKE_CXX_STANDARD 20)\n"
        "set(CMAKE_CXX_STANDARD_REQUIRED ON)\n"
        "# Plain C++20, not gnu++20: GNU mode defines the macro `unix`.\n"
        "set(CMAKE_CXX_EXTENSIONS OFF)\n"
        "if(NOT CMAKE_BUILD_TYPE)\n"
        "  set(CMAKE_BUILD_TYPE RelWithDebInfo)\n"
        "endif()\n\n"
        "# The Oasis this folder was configured against: a build tree or an installed prefix.\n"
        "find_package(Oasis REQUIRED CONFIG PATHS {} NO_DEFAULT_PATH)\n\n",
        manifest.name, target_name(options.target), net_kind_name(options.net),
        manifest.file.string(), manifest.name, cmake_quoted(settings.package_directory.string()));
    out +=
        "# The application: the same source on every target, so built as guest code (no\n"
        "# exceptions, RTTI or floating point) everywhere.\n";
    format_to(out, "add_library({}-app STATIC\n", manifest.name);
    for (const std::string& source : manifest.sources) {
        format_to(out, "  {}\n",
                  cmake_quoted((manifest.directory / source).lexically_normal().string()));
    }
    for (const GeneratedFile& file : sources) {
        if (file.path.starts_with("baked/")) {
            format_to(out, "  {}\n", cmake_quoted(file.path));
        }
    }
    out += ")\n";
    format_to(out,
              "target_include_directories({}-app PUBLIC {} ${{CMAKE_CURRENT_SOURCE_DIR}})\n"
              "target_compile_options({}-app PRIVATE ${{OASIS_GUEST_FLAGS}} -Wall -Wextra)\n"
              "target_link_libraries({}-app PUBLIC {}oasis::oasis_dev oasis::oasis_core)\n\n",
              manifest.name, cmake_quoted(manifest.directory.string()), manifest.name,
              manifest.name,
              // With a stack come the services on it (HTTP, iperf3): archives,
              // so only what the application calls is linked in.
              stack ? "oasis::oasis_http oasis::oasis_iperf3 oasis::oasis_net_stack " : "");
    format_to(out,
              "# The target's main, generated from the manifest, and the image in dist/.\n"
              "add_executable({} main.cpp)\n"
              "target_link_libraries({} PRIVATE {}-app oasis::oasis_unix)\n"
              "set_target_properties({} PROPERTIES RUNTIME_OUTPUT_DIRECTORY {})\n",
              manifest.name, manifest.name, manifest.name, manifest.name,
              cmake_quoted(settings.dist_directory.string()));
    return out;
}

}  // namespace oasis::cli
