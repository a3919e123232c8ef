// Tests of codegen: literals that survive any byte, the entry's signature, the header, main and
// CMake.
#include "cli/codegen.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace oasis::cli {
namespace {

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

Argument argument(std::string name, ArgumentType type, std::string help) {
    Argument out;
    out.member = name;
    out.name = std::move(name);
    out.type = type;
    out.help = std::move(help);
    return out;
}

Device device(std::string name, DeviceKind kind) {
    Device out;
    out.name = std::move(name);
    out.kind = kind;
    return out;
}

// hello as in examples/hello/unikernel.toml, and a unikernel with every device kind.
Manifest hello() {
    Manifest manifest;
    manifest.file = "/project/unikernel.toml";
    manifest.directory = "/project";
    manifest.name = "hello";
    manifest.sources = {"unikernel.cpp"};
    manifest.entry = "hello::start";
    Argument greeting = argument("hello", ArgumentType::string, "How to say hello.");
    greeting.default_string = "Hello World!";
    Argument repeat = argument("repeat", ArgumentType::unsigned_integer, "How many times.");
    repeat.default_unsigned = 4;
    Argument interval = argument("interval", ArgumentType::duration, "The pause.");
    interval.default_duration = std::chrono::seconds{1};
    manifest.arguments = {greeting, repeat, interval};
    return manifest;
}

Manifest every_device() {
    Manifest manifest = hello();
    manifest.name = "site";
    manifest.entry = "start";
    Device service = device("service", DeviceKind::net);
    Device raw = device("raw", DeviceKind::net);
    raw.stack = false;
    Device storage = device("storage", DeviceKind::block);
    Device htdocs = device("htdocs", DeviceKind::kv);
    htdocs.folder = "/project/site";
    Device any = device("any", DeviceKind::kv);
    Device clock = device("clock", DeviceKind::clock);
    Device uptime = device("uptime", DeviceKind::clock);
    Device random = device("random", DeviceKind::random);
    Device nonces = device("nonces", DeviceKind::random);
    manifest.devices = {service, raw, storage, htdocs, any, clock, uptime, random, nonces};
    Argument offset = argument("offset", ArgumentType::integer, "Shift.");
    offset.default_integer = std::numeric_limits<std::int64_t>::min();
    offset.maximum = 5;
    Argument max_clients = argument("max-clients", ArgumentType::unsigned_integer, "How many.");
    max_clients.member = "max_clients";
    max_clients.default_unsigned = 8;
    max_clients.minimum = 1;
    Argument verbose = argument("verbose", ArgumentType::boolean, "Talk.");
    verbose.default_boolean = true;
    manifest.arguments = {offset, max_clients, verbose};
    return manifest;
}

TEST(CodegenTest, StringLiteralsKeepEveryByte) {
    EXPECT_EQ(cpp_string_literal("plain"), "\"plain\"");
    EXPECT_EQ(cpp_string_literal("say \"hi\"\\n"), R"("say \"hi\"\\n")");
    EXPECT_EQ(cpp_string_literal("a\nb\tc"), R"("a\nb\tc")");
    // Octal escapes are always three digits, so a digit after one stays a digit.
    EXPECT_EQ(cpp_string_literal(std::string_view{"\0"
                                                  "1",
                                                  2}),
              R"("\0001")");
    EXPECT_EQ(cpp_string_literal("caf\xc3\xa9"), R"("caf\303\251")");
    EXPECT_EQ(cmake_quoted("a \"b\" $c;d\\"), R"("a \"b\" \$c\;d\\")");
}

TEST(CodegenTest, EntrySignatureListsConsoleDevicesInOrderThenArguments) {
    EXPECT_EQ(entry_signature(hello(), true),
              "oasis::Task<int> hello::start(oasis::dev::Console& console, hello::Arguments "
              "arguments)");
    EXPECT_EQ(entry_signature(every_device(), false),
              "oasis::Task<int> start(oasis::dev::Console& console, oasis::net::Stack& service, "
              "oasis::dev::NetDevice& raw, oasis::dev::BlockDevice& storage, "
              "oasis::dev::KeyValueStore& htdocs, oasis::dev::KeyValueStore& any, "
              "oasis::dev::Clock& clock, oasis::dev::Clock& uptime, oasis::dev::Random& random, "
              "oasis::dev::Random& nonces, Arguments arguments)");
}

TEST(CodegenTest, HeaderHoldsArgumentsWithDefaultsAndTheEntry) {
    const std::string header = generate_entry_header(hello());
    EXPECT_TRUE(header.starts_with("// The hello unikernel's runtime arguments and entry"));
    EXPECT_TRUE(contains(header, "namespace hello {\n")) << header;
    EXPECT_TRUE(contains(header,
                         "    // --hello: How to say hello.\n"
                         "    std::string hello = \"Hello World!\";\n"))
        << header;
    EXPECT_TRUE(contains(header, "    std::uint64_t repeat = std::uint64_t{4};\n")) << header;
    EXPECT_TRUE(contains(header, "    oasis::Duration interval = oasis::Duration{1000000000};\n"))
        << header;
    EXPECT_TRUE(contains(header,
                         "oasis::Task<int> start(oasis::dev::Console& console, Arguments "
                         "arguments);\n"))
        << header;
    EXPECT_FALSE(contains(header, "net/stack.hpp"));
    EXPECT_FALSE(contains(header, "dev/clock.hpp"));
    EXPECT_FALSE(contains(header, "dev/random.hpp"));

    const std::string global = generate_entry_header(every_device());
    EXPECT_FALSE(contains(global, "namespace"));
    EXPECT_TRUE(contains(global, "#include \"net/stack.hpp\"\n"));
    EXPECT_TRUE(contains(global, "#include \"dev/clock.hpp\"\n"));
    EXPECT_TRUE(contains(global, "#include \"dev/random.hpp\"\n"));
    EXPECT_TRUE(contains(global, "std::int64_t offset = std::numeric_limits<std::int64_t>::min();"))
        << global;
    EXPECT_TRUE(contains(global, "bool verbose = true;"));
}

TEST(CodegenTest, UnixMainDeclaresBindsAndCalls) {
    const std::string main = generate_unix_main(hello(), TargetOptions{});
    EXPECT_TRUE(contains(main,
                         "parser.declare_string(\"hello\", \"Hello World!\", \"How to say "
                         "hello.\");"))
        << main;
    // Wrapped at 100 columns, as clang-format would.
    EXPECT_TRUE(
        contains(main,
                 "    parser.declare_unsigned(\"repeat\", std::uint64_t{4}, \"How many "
                 "times.\", std::uint64_t{0},\n"
                 "                            std::numeric_limits<std::uint64_t>::max());\n"))
        << main;
    EXPECT_TRUE(contains(main, "arguments.interval = parser.duration_value(\"interval\");"));
    EXPECT_TRUE(contains(main,
                         "return boot.run(hello::start(boot.console(), "
                         "std::move(arguments)));"))
        << main;
    EXPECT_FALSE(contains(main, "declare_stack_arguments"));

    const std::string devices = generate_unix_main(every_device(), TargetOptions{});
    EXPECT_TRUE(contains(devices, "oasis::net::declare_stack_arguments(parser);")) << devices;
    EXPECT_TRUE(contains(devices, "boot.declare_net(\"service\");"));
    EXPECT_TRUE(contains(devices, "boot.declare_net(\"raw\");"));
    EXPECT_TRUE(contains(devices, "boot.declare_block(\"storage\");"));
    EXPECT_TRUE(contains(devices, "boot.declare_kv(\"htdocs\");"));
    EXPECT_TRUE(contains(devices, "oasis::PacketPool service_pool{1024};"));
    // The manifest's folder is a default binding, placed before the user's.
    EXPECT_TRUE(contains(devices, "\"--kv:htdocs=/project/site\",")) << devices;
    EXPECT_TRUE(
        contains(devices,
                 "    parser.declare_unsigned(\"max-clients\", std::uint64_t{8}, \"How "
                 "many.\", std::uint64_t{1},\n"
                 "                            std::numeric_limits<std::uint64_t>::max());\n"))
        << devices;
    EXPECT_TRUE(contains(devices,
                         "    parser.declare_int(\"offset\", "
                         "std::numeric_limits<std::int64_t>::min(), \"Shift.\",\n"
                         "                       std::numeric_limits<std::int64_t>::min(), "
                         "std::int64_t{5});\n"))
        << devices;
    // Every clock device is the target's one clock and every random device
    // its one generator, with nothing to bind.
    EXPECT_TRUE(contains(devices,
                         "    return boot.run(start(boot.console(), service_stack, "
                         "boot.net(\"raw\"), boot.block(\"storage\"),\n"
                         "                          boot.kv(\"htdocs\"), boot.kv(\"any\"), "
                         "boot.clock(), boot.clock(),\n"
                         "                          boot.random(), boot.random(), "
                         "std::move(arguments)));\n"))
        << devices;
    EXPECT_FALSE(contains(devices, "declare_clock")) << devices;
    EXPECT_FALSE(contains(devices, "declare_random")) << devices;

    // Nothing to parse: no parser variable left unused.
    Manifest quiet = hello();
    quiet.arguments.clear();
    quiet.devices = {device("clock", DeviceKind::clock)};
    const std::string plain = generate_unix_main(quiet, TargetOptions{});
    EXPECT_FALSE(contains(plain, "parser")) << plain;
    EXPECT_TRUE(contains(plain,
                         "boot.run(hello::start(boot.console(), boot.clock(), "
                         "std::move(arguments)));"))
        << plain;
}

TEST(CodegenTest, CmakeListsBuildsTheAppAsGuestCodeAgainstThePackage) {
    const Manifest manifest = every_device();
    auto sources = generate_sources(manifest, TargetOptions{});
    ASSERT_TRUE(sources.has_value()) << sources.error();
    const std::string cmake = generate_cmake_lists(
        manifest, TargetOptions{}, CmakeSettings{"/opt/oasis/lib/cmake/Oasis", "/project/dist"},
        *sources);
    EXPECT_TRUE(contains(cmake,
                         "find_package(Oasis REQUIRED CONFIG PATHS "
                         "\"/opt/oasis/lib/cmake/Oasis\" NO_DEFAULT_PATH)"))
        << cmake;
    EXPECT_TRUE(contains(cmake, "add_library(site-app STATIC\n  \"/project/unikernel.cpp\"\n)"))
        << cmake;
    EXPECT_TRUE(contains(cmake, "${OASIS_GUEST_FLAGS}"));
    EXPECT_TRUE(contains(cmake, "oasis::oasis_http oasis::oasis_iperf3 oasis::oasis_net_stack"));
    EXPECT_TRUE(contains(cmake, "RUNTIME_OUTPUT_DIRECTORY \"/project/dist\""));
}

// --net=socket: the stack's device goes on the gateway to the host's
// sockets, its configuration from Boot; a raw device cannot go there.
TEST(CodegenTest, NetSocketPutsTheStackOnTheGateway) {
    const TargetOptions socket{Target::unix, NetKind::socket};
    Manifest manifest = every_device();
    auto refused = generate_sources(manifest, socket);
    ASSERT_TRUE(refused.is_error());
    EXPECT_TRUE(contains(refused.error(), "net device 'raw' has stack = false")) << refused.error();

    std::erase_if(manifest.devices, [](const Device& each) { return each.name == "raw"; });
    auto sources = generate_sources(manifest, socket);
    ASSERT_TRUE(sources.has_value()) << sources.error();
    const std::string main = generate_unix_main(manifest, socket);
    EXPECT_TRUE(contains(main, "    oasis::net::declare_stack_arguments(parser);\n")) << main;
    EXPECT_TRUE(contains(main, "    boot.declare_net_socket(\"service\");\n")) << main;
    EXPECT_FALSE(contains(main, "boot.declare_net(")) << main;
    EXPECT_TRUE(contains(main, "boot.declare_block(\"storage\");")) << main;
    EXPECT_TRUE(contains(main,
                         "    oasis::net::Stack service_stack{boot.net(\"service\"), service_pool, "
                         "boot.net_socket_config(\"service\"), boot.random()};\n"))
        << main;
    EXPECT_FALSE(contains(main, "stack_config_from")) << main;
}

// c-libraries.txt: one "NAME VERSION DEBIAN-SOURCE" line each, in the
// manifest's order, and nothing at all without libraries.
TEST(CodegenTest, CLibraryListHasOneLineEach) {
    Manifest manifest = hello();
    EXPECT_EQ(generate_c_library_list(manifest), "");
    manifest.c_libraries = {CLibrary{"bearssl", "0.6", "bearssl", 7},
                            CLibrary{"libpng", "1.6.39", "libpng1.6", 11}};
    EXPECT_EQ(generate_c_library_list(manifest), "bearssl 0.6 bearssl\nlibpng 1.6.39 libpng1.6\n");
}

// The depfile names the manifest and every folder and file a baked device
// reads, so a build system bakes again when one changes, comes or goes.
TEST(CodegenTest, DepfileNamesWhatBakingReads) {
    namespace fs = std::filesystem;
    std::string pattern = (fs::temp_directory_path() / "oasis-depfile-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    const fs::path root = pattern;
    fs::create_directories(root / "my site/css");
    fs::create_directories(root / "loose");
    std::ofstream{root / "my site/index.html"} << "<h1>hi</h1>\n";
    std::ofstream{root / "my site/css/a#$.css"} << "h1 {}\n";
    std::ofstream{root / "loose/other.txt"} << "not baked\n";
    fs::create_symlink(root / "loose/other.txt", root / "my site/link.txt");

    Manifest manifest = every_device();
    manifest.file = root / "unikernel.toml";
    Device site = device("site", DeviceKind::kv);
    site.folder = root / "my site";
    site.contents = KvContents::baked;
    manifest.devices.push_back(site);
    auto depfile = generate_depfile(manifest, root / "build/main.cpp");
    ASSERT_TRUE(depfile.has_value()) << depfile.error();
    const std::string at = root.string();
    EXPECT_TRUE(depfile->starts_with(at + "/build/main.cpp: \\\n  " + at + "/unikernel.toml"))
        << *depfile;
    EXPECT_TRUE(contains(*depfile, " \\\n  " + at + "/my\\ site \\\n")) << *depfile;
    EXPECT_TRUE(contains(*depfile, " \\\n  " + at + "/my\\ site/css \\\n")) << *depfile;
    EXPECT_TRUE(contains(*depfile, " \\\n  " + at + "/my\\ site/index.html")) << *depfile;
    EXPECT_TRUE(contains(*depfile, " \\\n  " + at + "/my\\ site/css/a\\#$$.css")) << *depfile;
    // The symbolic link is not baked, and the directory kv device "htdocs" is not read.
    EXPECT_FALSE(contains(*depfile, "link.txt")) << *depfile;
    EXPECT_FALSE(contains(*depfile, "loose")) << *depfile;
    EXPECT_FALSE(contains(*depfile, "/project/site")) << *depfile;
    EXPECT_TRUE(depfile->ends_with(".css\n") || depfile->ends_with(".html\n")) << *depfile;

    // A line break cannot be written in a depfile: refused, not mangled.
    std::ofstream{root / "my site/two\nlines"} << "x";
    auto refused = generate_depfile(manifest, root / "build/main.cpp");
    EXPECT_TRUE(refused.is_error());
    fs::remove_all(root);
}

}  // namespace
}  // namespace oasis::cli
