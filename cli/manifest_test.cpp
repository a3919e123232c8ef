// Tests of the manifest reader: a full manifest, and each mistake's message with its line and
// column.
#include "cli/manifest.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "core/arguments.hpp"
#include "core/format.hpp"
#include "net/stack.hpp"
#include "targets/unix/boot.hpp"

namespace oasis::cli {
namespace {

namespace fs = std::filesystem;

// A project folder with unikernel.cpp and a folder site/, removed afterwards.
class ManifestTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "oasis-manifest-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        directory = pattern;
        std::ofstream{directory / "unikernel.cpp"} << "// app\n";
        fs::create_directory(directory / "site");
    }
    void TearDown() override { fs::remove_all(directory); }

    Result<Manifest, std::string> parse(std::string_view text) {
        return parse_manifest(text, directory / "unikernel.toml", "unikernel.toml");
    }
    // The error for `text`, which must be refused.
    std::string error(std::string_view text) {
        auto parsed = parse(text);
        EXPECT_TRUE(parsed.is_error()) << text;
        return parsed.is_error() ? parsed.error() : std::string{};
    }

    fs::path directory;
};

constexpr std::string_view header =
    "name = \"web\"\nsources = [\"unikernel.cpp\"]\nentry = \"web::start\"\n";

TEST_F(ManifestTest, ReadsEveryKey) {
    auto parsed = parse(R"(name = "web-site"
sources = ["unikernel.cpp"]
entry = "web::app::start"

[[devices]]
name = "service"
kind = "net"
packet_buffers = 2048

[[devices]]
name = "raw"
kind = "net"
stack = false

[[devices]]
name = "storage"
kind = "block"

[[devices]]
name = "htdocs"
kind = "kv"
folder = "site"
baked = true

[[arguments]]
name = "greeting"
type = "string"
default = "hi \"there\""
help = "What to say."

[[arguments]]
name = "max-clients"
type = "unsigned"
default = 8
min = 1
max = 100
help = "How many."

[[arguments]]
name = "offset"
type = "int"
default = -3
help = "Shift."

[[arguments]]
name = "verbose"
type = "bool"
default = true
help = "Talk."

[[arguments]]
name = "interval"
type = "duration"
default = "1.5s"
help = "Pause."
)");
    ASSERT_TRUE(parsed.has_value()) << parsed.error();
    const Manifest& manifest = parsed.value();
    EXPECT_EQ(manifest.name, "web-site");
    EXPECT_EQ(manifest.sources, std::vector<std::string>{"unikernel.cpp"});
    EXPECT_EQ(manifest.entry_namespace(), "web::app");
    EXPECT_EQ(manifest.entry_function(), "start");
    EXPECT_EQ(manifest.directory, fs::absolute(directory).lexically_normal());
    ASSERT_EQ(manifest.devices.size(), 4u);
    EXPECT_EQ(manifest.devices[0].kind, DeviceKind::net);
    EXPECT_EQ(manifest.devices[0].packet_buffers, 2048u);
    EXPECT_EQ(manifest.devices[0].line, 6u);
    EXPECT_FALSE(manifest.devices[1].stack);
    EXPECT_EQ(manifest.stack_device(), &manifest.devices[0]);
    EXPECT_EQ(manifest.devices[2].kind, DeviceKind::block);
    EXPECT_EQ(manifest.devices[3].contents, KvContents::baked);
    EXPECT_EQ(*manifest.devices[3].folder, fs::absolute(directory / "site").lexically_normal());
    ASSERT_EQ(manifest.arguments.size(), 5u);
    EXPECT_EQ(manifest.arguments[0].default_string, "hi \"there\"");
    EXPECT_EQ(manifest.arguments[1].member, "max_clients");
    EXPECT_EQ(manifest.arguments[1].default_unsigned, 8u);
    EXPECT_EQ(manifest.arguments[1].minimum, 1);
    EXPECT_EQ(manifest.arguments[1].maximum, 100);
    EXPECT_EQ(manifest.arguments[2].default_integer, -3);
    EXPECT_TRUE(manifest.arguments[3].default_boolean);
    EXPECT_EQ(manifest.arguments[4].default_duration, std::chrono::milliseconds{1500});
    EXPECT_EQ(manifest.arguments[4].default_text, "1.5s");
}

TEST_F(ManifestTest, DevicesAndArgumentsAreOptional) {
    auto parsed = parse(header);
    ASSERT_TRUE(parsed.has_value()) << parsed.error();
    EXPECT_TRUE(parsed->devices.empty());
    EXPECT_TRUE(parsed->arguments.empty());
    EXPECT_TRUE(parsed->c_libraries.empty());
    EXPECT_EQ(parsed->stack_device(), nullptr);
}

// BearSSL as Debian ships it (source package "bearssl", upstream 0.6), and
// a library whose Debian source package has another name than upstream's.
TEST_F(ManifestTest, ReadsCLibraries) {
    auto parsed = parse(std::string{header} +
                        "\n[[c_libraries]]\nname = \"bearssl\"\nversion = \"0.6\"\n"
                        "\n[[c_libraries]]\nname = \"libpng\"\nversion = \"1.6.39\"\n"
                        "debian_source = \"libpng1.6\"\n");
    ASSERT_TRUE(parsed.has_value()) << parsed.error();
    ASSERT_EQ(parsed->c_libraries.size(), 2u);
    const CLibrary& bearssl = parsed->c_libraries[0];
    EXPECT_EQ(bearssl.name, "bearssl");
    EXPECT_EQ(bearssl.version, "0.6");
    EXPECT_EQ(bearssl.debian_source, "bearssl");
    EXPECT_EQ(bearssl.line, 6u);
    EXPECT_EQ(parsed->c_libraries[1].name, "libpng");
    EXPECT_EQ(parsed->c_libraries[1].version, "1.6.39");
    EXPECT_EQ(parsed->c_libraries[1].debian_source, "libpng1.6");
    EXPECT_EQ(parsed->c_libraries[1].line, 10u);
}

TEST_F(ManifestTest, CLibraryMistakes) {
    const std::string section = std::string{header} + "[[c_libraries]]\n";
    // What follows the section's header, and the message.
    const std::pair<std::string_view, std::string_view> mistakes[] = {
        {"version = \"0.6\"\n",
         "unikernel.toml:4:1: error: this [[c_libraries]] section has no 'name' key (for "
         "example: name = \"bearssl\", the library)"},
        {"name = \"bearssl\"\n",
         "unikernel.toml:4:1: error: this [[c_libraries]] section has no 'version' key (for "
         "example: version = \"0.6\", the upstream version wanted)"},
        {"name = \"bearssl\"\nversion = \"0.6\"\nsha256 = \"ab\"\n",
         "unikernel.toml:7:1: error: unknown key 'sha256' in a [[c_libraries]] section (valid "
         "keys: name, version, debian_source)"},
        {"name = \"bearssl\"\nversion = 0.6\n",
         "unikernel.toml:6:11: error: 'version' must be a string, not a floating-point number"},
    };
    for (const auto& [tail, message] : mistakes) {
        EXPECT_EQ(error(section + std::string{tail}), message) << tail;
    }
    for (const char* version : {"\"\"", "\"0.6 beta\"", "\"0.6\\n\"", "\"0.6\\u00e9\""}) {
        EXPECT_EQ(error(section + "name = \"bearssl\"\nversion = " + version + "\n"),
                  "unikernel.toml:6:11: error: C library 'bearssl': the version must be one or "
                  "more visible ASCII characters, no spaces (such as \"0.6\")")
            << version;
    }
    for (const char* name : {"BearSSL", "b", "-ssl", "bear_ssl", "bear ssl", ""}) {
        EXPECT_EQ(error(section + "name = \"" + name + "\"\nversion = \"0.6\"\n"),
                  format("unikernel.toml:5:8: error: the C library name '{}' is not valid: at "
                         "least two characters, lower-case letters, digits, '+', '-' and '.', "
                         "starting with a letter or digit (Debian's rules for a source package)",
                         name));
    }
    EXPECT_EQ(error(section + "name = \"bearssl\"\nversion = \"0.6\"\ndebian_source = \"Bear\"\n"),
              "unikernel.toml:7:17: error: C library 'bearssl': 'Bear' is not a Debian source "
              "package name: at least two characters, lower-case letters, digits, '+', '-' and "
              "'.', starting with a letter or digit");
    EXPECT_EQ(error(section + "name = \"bearssl\"\nversion = \"0.6\"\ndebian_source = true\n"),
              "unikernel.toml:7:17: error: 'debian_source' must be a string, not a boolean");
    EXPECT_EQ(error(std::string{header} + "c_libraries = [\"bearssl\"]\n"),
              "unikernel.toml:4:15: error: 'c_libraries' must be a list of tables, each in a "
              "[[c_libraries]] section");
}

TEST_F(ManifestTest, DuplicatedCLibraryNamesBothLines) {
    EXPECT_EQ(error(std::string{header} + "[[c_libraries]]\nname = \"bearssl\"\nversion = \"0.6\"\n"
                                          "[[c_libraries]]\nname = \"bearssl\"\nversion = \"0.7\"\n"
                                          "debian_source = \"bearssl-next\"\n"),
              "unikernel.toml:8:8: error: C library 'bearssl' is declared twice (first at line "
              "5)");
}

TEST_F(ManifestTest, MalformedTomlGivesLineColumnAndWhatWasExpected) {
    EXPECT_EQ(error("name = \"web\"\nsources \"unikernel.cpp\"\n"),
              "unikernel.toml:2:9: error: Error while parsing key-value pair: expected '=', saw "
              "'\"'");
    EXPECT_EQ(error("name = web\n"),
              "unikernel.toml:1:8: error: Error while parsing value: could not determine value "
              "type");
}

TEST_F(ManifestTest, MissingAndUnknownKeys) {
    EXPECT_EQ(error("name = \"web\"\nentry = \"web::start\"\n"),
              "unikernel.toml:1:1: error: the manifest has no 'sources' key (for example: sources "
              "= [\"unikernel.cpp\"], the C++ files to build)");
    EXPECT_EQ(error(std::string{header} + "entrypoint = \"x\"\n"),
              "unikernel.toml:4:1: error: unknown key 'entrypoint' at the top level (valid keys: "
              "name, sources, entry, devices, arguments, c_libraries)");
    EXPECT_EQ(error("name = 7\n"),
              "unikernel.toml:1:8: error: 'name' must be a string, not an integer");
}

TEST_F(ManifestTest, UnknownDeviceKindListsTheValidOnes) {
    EXPECT_EQ(error(std::string{header} + "[[devices]]\nname = \"disk\"\nkind = \"disk\"\n"),
              "unikernel.toml:6:8: error: unknown device kind 'disk' (valid kinds: net, block, "
              "kv, clock, random)");
    EXPECT_EQ(error(std::string{header} + "[[devices]]\nname = \"disk\"\n"),
              "unikernel.toml:4:1: error: this [[devices]] section has no 'kind' key (for "
              "example: kind = \"net\" (one of net, block, kv, clock, random))");
}

TEST_F(ManifestTest, UnknownArgumentTypeListsTheValidOnes) {
    EXPECT_EQ(error(std::string{header} +
                    "[[arguments]]\nname = \"ratio\"\ntype = \"float\"\ndefault = 0.5\nhelp = "
                    "\"x\"\n"),
              "unikernel.toml:6:8: error: unknown argument type 'float' (valid types: string, "
              "int, unsigned, bool, duration)");
}

TEST_F(ManifestTest, MissingSourceFile) {
    const std::string message = error(
        "name = \"web\"\nsources = [\"unikernel.cpp\", \"missing.cpp\"]\nentry = \"web::start\"\n");
    EXPECT_TRUE(
        message.starts_with("unikernel.toml:2:29: error: source file 'missing.cpp' does "
                            "not exist (looked for "))
        << message;
    EXPECT_EQ(error("name = \"web\"\nsources = [\"notes.txt\"]\nentry = \"web::start\"\n"),
              "unikernel.toml:2:12: error: source 'notes.txt' is not a C++ file (.cpp, .cc or "
              ".cxx)");
}

TEST_F(ManifestTest, DuplicatedDeviceName) {
    EXPECT_EQ(error(std::string{header} + "[[devices]]\nname = \"data\"\nkind = \"block\"\n"
                                          "[[devices]]\nname = \"data\"\nkind = \"kv\"\n"),
              "unikernel.toml:8:8: error: device name 'data' is used twice (first at line 5)");
}

TEST_F(ManifestTest, KvFolderThatDoesNotExist) {
    const std::string message = error(std::string{header} +
                                      "[[devices]]\nname = \"htdocs\"\nkind = \"kv\"\nfolder = "
                                      "\"public\"\n");
    EXPECT_TRUE(
        message.starts_with("unikernel.toml:7:10: error: kv device 'htdocs': folder "
                            "'public' does not exist (looked for "))
        << message;
    EXPECT_EQ(error(std::string{header} + "[[devices]]\nname = \"htdocs\"\nkind = \"kv\"\nbaked = "
                                          "true\n"),
              "unikernel.toml:7:9: error: kv device 'htdocs' is baked but names no folder: add "
              "folder = \"...\"");
}

// Clock and random devices are the target's own: a name and a kind, nothing
// to bind, and each may be declared several times under different names.
TEST_F(ManifestTest, ClockAndRandomDevicesHaveOnlyNameAndKind) {
    for (const auto& [kind, text] : {std::pair{DeviceKind::clock, std::string{"clock"}},
                                     std::pair{DeviceKind::random, std::string{"random"}}}) {
        SCOPED_TRACE(text);
        const std::string now =
            std::string{header} + format("[[devices]]\nname = \"now\"\nkind = \"{}\"\n", text);
        auto parsed = parse(now + format("[[devices]]\nname = \"later\"\nkind = \"{}\"\n", text));
        ASSERT_TRUE(parsed.has_value()) << parsed.error();
        ASSERT_EQ(parsed->devices.size(), 2u);
        EXPECT_EQ(parsed->devices[0].kind, kind);
        EXPECT_EQ(parsed->devices[1].name, "later");
        EXPECT_EQ(device_kind_name(parsed->devices[1].kind), text);
        EXPECT_EQ(parsed->stack_device(), nullptr);

        const std::string only = format("(a {} device has only 'name' and 'kind')", text);
        for (const auto& [key, owner] :
             {std::pair{"folder = \"site\"", "kv"}, std::pair{"baked = true", "kv"},
              std::pair{"stack = false", "net"}, std::pair{"packet_buffers = 64", "net"}}) {
            const std::string_view word =
                std::string_view{key}.substr(0, std::string_view{key}.find(' '));
            EXPECT_EQ(error(now + key + "\n"),
                      format("unikernel.toml:7:1: error: '{}' applies to {} devices only, and "
                             "'now' is a {} device {}",
                             word, owner, text, only));
        }
        EXPECT_EQ(error(now + "seed = 42\n"),
                  "unikernel.toml:7:1: error: unknown key 'seed' in a [[devices]] section "
                  "(valid keys: name, kind, stack, packet_buffers, folder, baked)");
        // A device like the others: its name is the entry's parameter.
        EXPECT_EQ(error(now + "[[devices]]\nname = \"now\"\nkind = \"kv\"\n"),
                  "unikernel.toml:8:8: error: device name 'now' is used twice (first at line 5)");
    }
}

TEST_F(ManifestTest, DefaultOfTheWrongType) {
    const std::string argument = "[[arguments]]\nname = \"repeat\"\nhelp = \"x\"\n";
    EXPECT_EQ(error(std::string{header} + argument + "type = \"unsigned\"\ndefault = \"four\"\n"),
              "unikernel.toml:8:11: error: argument 'repeat' has type unsigned, so its default "
              "must be a non-negative integer, not a string");
    EXPECT_EQ(error(std::string{header} + argument + "type = \"unsigned\"\ndefault = -1\n"),
              "unikernel.toml:8:11: error: argument 'repeat' has type unsigned, so its default "
              "must not be negative");
    EXPECT_EQ(error(std::string{header} + argument + "type = \"bool\"\ndefault = 1\n"),
              "unikernel.toml:8:11: error: argument 'repeat' has type bool, so its default must "
              "be true or false, not an integer");
    EXPECT_EQ(error(std::string{header} + argument + "type = \"duration\"\ndefault = 5\n"),
              "unikernel.toml:8:11: error: argument 'repeat' has type duration, so its default "
              "must be a string such as \"1s\", \"250ms\" or \"0.5\", not an integer");
    EXPECT_EQ(
        error(std::string{header} + argument + "type = \"duration\"\ndefault = \"5 parsecs\"\n"),
        "unikernel.toml:8:11: error: argument 'repeat' has type duration, but its default "
        "\"5 parsecs\" is not one (expected a duration: seconds such as 1.5, or a number with "
        "a unit (ns, us, ms, s, m, h) such as 250ms)");
    EXPECT_EQ(
        error(std::string{header} + argument + "type = \"int\"\ndefault = 10\nmin = 0\nmax = 5\n"),
        "unikernel.toml:8:11: error: argument 'repeat': the default 10 is outside min..max");
    EXPECT_EQ(error(std::string{header} + argument + "type = \"string\"\ndefault = 1\nmin = 0\n"),
              "unikernel.toml:9:7: error: 'min' applies to int and unsigned arguments only, and "
              "'repeat' is string");
}

TEST_F(ManifestTest, NamesTheGeneratedCodeCannotUse) {
    EXPECT_EQ(error("name = \"Web\"\n"),
              "unikernel.toml:1:8: error: the name 'Web' is not a valid unikernel name: a "
              "lower-case letter, then lower-case letters, digits and '-', at most 64 characters");
    EXPECT_TRUE(error("name = \"web\"\nsources = [\"unikernel.cpp\"]\nentry = \"web::\"\n")
                    .starts_with("unikernel.toml:3:9: error: entry 'web::' is not a C++ function"));
    EXPECT_TRUE(error("name = \"web\"\nsources = [\"unikernel.cpp\"]\nentry = \"main\"\n")
                    .starts_with("unikernel.toml:3:9: error: entry 'main' is not"));
    EXPECT_TRUE(error(std::string{header} + "[[devices]]\nname = \"class\"\nkind = \"kv\"\n")
                    .starts_with("unikernel.toml:5:8: error: the device name 'class' is not "
                                 "valid"));
    EXPECT_EQ(error(std::string{header} +
                    "[[arguments]]\nname = \"a-b\"\ntype = \"bool\"\ndefault = true\nhelp = "
                    "\"x\"\n[[arguments]]\nname = \"a_b\"\ntype = \"bool\"\ndefault = true\nhelp = "
                    "\"x\"\n"),
              "unikernel.toml:10:8: error: arguments 'a-b' and 'a_b' would both be the field "
              "'a_b' of Arguments");
}

TEST_F(ManifestTest, ArgumentsTheTargetDeclaresAreTaken) {
    const std::string argument =
        "[[arguments]]\nname = \"ipv4\"\ntype = \"string\"\ndefault = \"\"\nhelp = \"x\"\n";
    // Without a stack --ipv4 is free; with one it is the stack's.
    EXPECT_TRUE(parse(std::string{header} + argument).has_value());
    EXPECT_EQ(
        error(std::string{header} + "[[devices]]\nname = \"service\"\nkind = \"net\"\n" + argument),
        "unikernel.toml:8:8: error: the argument name 'ipv4' is taken: every unikernel "
        "with a stack has --ipv4 (reserved: help, h, logs, net-faults, pcap, ipv4, "
        "ipv4-gateway)");
    EXPECT_TRUE(error(std::string{header} +
                      "[[arguments]]\nname = \"logs\"\ntype = \"string\"\ndefault = \"\"\nhelp = "
                      "\"x\"\n")
                    .starts_with("unikernel.toml:5:8: error: the argument name 'logs' is taken"));
}

TEST_F(ManifestTest, OnlyOneNetDeviceHasTheStack) {
    const std::string message = error(std::string{header} +
                                      "[[devices]]\nname = \"a\"\nkind = \"net\"\n"
                                      "[[devices]]\nname = \"b\"\nkind = \"net\"\n");
    EXPECT_TRUE(
        message.starts_with("unikernel.toml:7:1: error: net device 'b' would be a second "
                            "stack"))
        << message;
    EXPECT_EQ(
        error(std::string{header} + "[[devices]]\nname = \"a\"\nkind = \"block\"\nstack = false\n"),
        "unikernel.toml:7:1: error: 'stack' applies to net devices only, and 'a' is a block "
        "device");
}

// The names the manifest may not use are exactly those the unix target's
// Boot and the stack declare (read back from their --help listing).
TEST(ReservedArgumentsTest, MatchWhatBootAndTheStackDeclare) {
    std::string program = "unikernel";
    char* argv[] = {program.data(), nullptr};
    unix_target::Boot boot{1, argv};
    net::declare_stack_arguments(boot.arguments());
    const std::string help = boot.arguments().help_text("unikernel");
    std::set<std::string> declared;
    const std::regex option{"^  --([a-z0-9-]+)"};
    std::istringstream lines{help};
    for (std::string line; std::getline(lines, line);) {
        std::smatch match;
        if (std::regex_search(line, match, option)) {
            declared.insert(match[1]);
        }
    }
    declared.insert({"help", "h"});
    std::set<std::string> reserved;
    for (std::string_view name : reserved_arguments(true)) {
        reserved.insert(std::string{name});
    }
    EXPECT_EQ(reserved, declared);
    EXPECT_TRUE(is_reserved_argument("pcap", false));
    EXPECT_FALSE(is_reserved_argument("ipv4", false));
}

}  // namespace
}  // namespace oasis::cli
