// Manifest: unikernel.toml read into a checked model — what the unikernel needs (docs/manifest.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace oasis::cli {

// clock: the monotonic and the wall-clock time (dev::Clock); nothing to
// bind, every clock device is the target's one clock. random: the target's
// CSPRNG (dev::Random), likewise one for the whole unikernel.
enum class DeviceKind { net, block, kv, clock, random };

// Where a kv device's contents come from.
enum class KvContents {
    // Bound when the unikernel starts (`--kv:NAME=DIRECTORY` on unix), with
    // the manifest's folder, if it names one, as the default.
    directory,
    // The folder's files compiled into the image at build time (sizes and
    // SHA-256 digests included), the counterpart of Mirage's crunch.
    baked,
};

struct Device {
    std::string name;
    DeviceKind kind = DeviceKind::net;
    // 1-based line of the device's `name` key in the manifest, for messages.
    std::uint32_t line = 0;
    // net: the entry receives Oasis's TCP/IP stack over the device
    // (`net::Stack&`) when true, the raw Ethernet device when false.
    bool stack = true;
    // net with a stack: packet buffers in the stack's pool.
    std::uint64_t packet_buffers = 1024;
    // kv: the folder (absolute), if the manifest names one.
    std::optional<std::filesystem::path> folder;
    KvContents contents = KvContents::directory;
};

enum class ArgumentType { string, integer, unsigned_integer, boolean, duration };

struct Argument {
    std::string name;    // on the command line: --NAME=VALUE
    std::string member;  // the field of the generated Arguments struct
    ArgumentType type = ArgumentType::string;
    std::string help;
    // The default, in the member matching `type`.
    std::string default_string;
    std::int64_t default_integer = 0;
    std::uint64_t default_unsigned = 0;
    bool default_boolean = false;
    Duration default_duration{0};
    std::string default_text;  // as the manifest wrote it ("1s", "4", "true")
    // Ranges of int and unsigned arguments (the type's own range when absent).
    std::optional<std::int64_t> minimum;
    std::optional<std::int64_t> maximum;
};

// A C library the unikernel needs. DESIGN.md: the guest links only Oasis
// code and C libraries built from source with the target toolchain, pinned in
// a lock file. Today a library is declared, checked and recorded in the build
// folder (c-libraries.txt); the lock and vendoring step reads it later.
struct CLibrary {
    // Debian's source package name rules: vendoring names folders and CMake
    // targets after it, and without `debian_source` it is the package.
    std::string name;
    // The upstream version wanted ("0.6"), visible ASCII without spaces.
    std::string version;
    // The Debian source package to vendor it from: the manifest's, or `name`.
    std::string debian_source;
    // 1-based line of the library's `name` key in the manifest, for messages.
    std::uint32_t line = 0;
};

struct Manifest {
    std::filesystem::path file;       // unikernel.toml, absolute
    std::filesystem::path directory;  // its folder, against which paths are resolved
    std::string name;
    std::vector<std::string> sources;  // relative to `directory`, as written
    // The entry function, e.g. "hello::start"; the generated Arguments
    // struct goes in the same namespace.
    std::string entry;
    std::vector<Device> devices;
    std::vector<Argument> arguments;
    std::vector<CLibrary> c_libraries;

    // "hello" for entry "hello::start", "" for a function at global scope.
    std::string entry_namespace() const;
    std::string entry_function() const;
    // The net device that gets Oasis's stack, if any (at most one has).
    const Device* stack_device() const;
};

// Reads and checks a manifest. On failure the message is complete and for
// the user: "unikernel.toml:7:8: unknown device kind 'disk' (valid kinds:
// net, block, kv, clock, random)". `display_path` is how the file is named in messages.
Result<Manifest, std::string> load_manifest(const std::filesystem::path& file,
                                            std::string_view display_path);

// The same from text: `file` is only used to resolve relative paths
// (sources, kv folders), which must exist.
Result<Manifest, std::string> parse_manifest(std::string_view text,
                                             const std::filesystem::path& file,
                                             std::string_view display_path);

std::string_view device_kind_name(DeviceKind kind);
std::string_view argument_type_name(ArgumentType type);
// The C++ type of an argument's member in the generated struct.
std::string_view argument_member_type(ArgumentType type);

// A lower-case letter, then lower-case letters, digits and '-'; at most 64 characters.
bool is_valid_unikernel_name(std::string_view name);

// Debian's rules for a source package name (Debian Policy §5.6.1): at least
// two characters, lower-case letters, digits, '+', '-' and '.', starting
// with a letter or digit.
bool is_valid_debian_source_name(std::string_view name);

// Whether a word is a C++20 keyword, which generated code cannot use as a name.
bool is_keyword(std::string_view word);

// Argument names a unikernel may not declare on the unix target: Boot and
// the stack declare them (help, logs, net-faults, pcap, ipv4, ipv4-gateway).
bool is_reserved_argument(std::string_view name, bool with_stack);
std::vector<std::string_view> reserved_arguments(bool with_stack);

}  // namespace oasis::cli
