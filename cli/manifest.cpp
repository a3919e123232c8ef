// Reading unikernel.toml with toml++ (its non-throwing API) and checking every key.
#include "cli/manifest.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <set>
#include <span>
#include <sstream>
#include <system_error>

#include "core/arguments.hpp"
#include "core/format.hpp"

// Errors are values here too: toml::parse returns a parse_result instead of
// throwing. Formatters (TOML output) are not needed.
#define TOML_EXCEPTIONS 0
#define TOML_ENABLE_FORMATTERS 0
#include <toml++/toml.h>

namespace oasis::cli {

namespace {

using Names = std::span<const std::string_view>;

constexpr std::array<std::string_view, 6> top_level_keys{"name",    "sources",   "entry",
                                                         "devices", "arguments", "c_libraries"};
constexpr std::array<std::string_view, 6> device_keys{"name",           "kind",   "stack",
                                                      "packet_buffers", "folder", "baked"};
constexpr std::array<std::string_view, 6> argument_keys{"name", "type", "default",
                                                        "help", "min",  "max"};
constexpr std::array<std::string_view, 3> c_library_keys{"name", "version", "debian_source"};
// What is_valid_debian_source_name accepts, for messages.
constexpr std::string_view debian_name_rules =
    "at least two characters, lower-case letters, digits, '+', '-' and '.', starting with a "
    "letter or digit";
constexpr std::array<std::string_view, 5> device_kind_names{"net", "block", "kv", "clock",
                                                            "random"};
constexpr std::array<std::string_view, 5> argument_type_names{"string", "int", "unsigned", "bool",
                                                              "duration"};

// Identifiers the generated code cannot use as names (C++20 keywords and
// alternative tokens).
constexpr std::string_view cpp_keywords[] = {"alignas",       "alignof",     "and",
                                             "and_eq",        "asm",         "auto",
                                             "bitand",        "bitor",       "bool",
                                             "break",         "case",        "catch",
                                             "char",          "char8_t",     "char16_t",
                                             "char32_t",      "class",       "compl",
                                             "concept",       "const",       "consteval",
                                             "constexpr",     "constinit",   "const_cast",
                                             "continue",      "co_await",    "co_return",
                                             "co_yield",      "decltype",    "default",
                                             "delete",        "do",          "double",
                                             "dynamic_cast",  "else",        "enum",
                                             "explicit",      "export",      "extern",
                                             "false",         "float",       "for",
                                             "friend",        "goto",        "if",
                                             "inline",        "int",         "long",
                                             "mutable",       "namespace",   "new",
                                             "noexcept",      "not",         "not_eq",
                                             "nullptr",       "operator",    "or",
                                             "or_eq",         "private",     "protected",
                                             "public",        "register",    "reinterpret_cast",
                                             "requires",      "return",      "short",
                                             "signed",        "sizeof",      "static",
                                             "static_assert", "static_cast", "struct",
                                             "switch",        "template",    "this",
                                             "thread_local",  "throw",       "true",
                                             "try",           "typedef",     "typeid",
                                             "typename",      "union",       "unsigned",
                                             "using",         "virtual",     "void",
                                             "volatile",      "wchar_t",     "while",
                                             "xor",           "xor_eq",      "final",
                                             "override",      "import",      "module"};

std::string join(Names names) {
    std::string out;
    for (std::string_view name : names) {
        format_to(out, "{}{}", out.empty() ? "" : ", ", name);
    }
    return out;
}

bool is_lower_or_digit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// [a-z] followed by [a-z0-9] and the characters in `extra`.
bool is_simple_name(std::string_view name, std::string_view extra) {
    if (name.empty() || name.size() > 64 || name.front() < 'a' || name.front() > 'z') {
        return false;
    }
    return std::ranges::all_of(name, [extra](char c) {
        return is_lower_or_digit(c) || extra.find(c) != std::string_view::npos;
    });
}

bool is_identifier(std::string_view word) {
    if (word.empty() || (word.front() >= '0' && word.front() <= '9')) {
        return false;
    }
    return std::ranges::all_of(word, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

// The element of `items` with this name, if any.
template <typename Item>
const Item* find_named(const std::vector<Item>& items, std::string_view name) {
    for (const Item& item : items) {
        if (item.name == name) {
            return &item;
        }
    }
    return nullptr;
}

std::string_view describe_type(toml::node_type type) {
    switch (type) {
        case toml::node_type::none:
            return "nothing";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
    }
    return "a value";
}

// Reads one manifest, turning every problem into "FILE:LINE:COLUMN: what".
class Reader {
public:
    Reader(std::string_view display_path, std::filesystem::path directory)
        : m_display_path(display_path), m_directory(std::move(directory)) {}

    Result<Manifest, std::string> read(const toml::table& root);

private:
    Error<std::string> error_at(const toml::source_region& where, std::string_view message) const {
        return Error{format("{}:{}:{}: error: {}", m_display_path, where.begin.line,
                            where.begin.column, message)};
    }
    Error<std::string> error_at(const toml::node& node, std::string_view message) const {
        return error_at(node.source(), message);
    }

    Result<void, std::string> check_keys(const toml::table& table, Names valid,
                                         std::string_view where) const;
    // The node under `key`, or a message saying what the key is for.
    Result<const toml::node*, std::string> require(const toml::table& table, std::string_view key,
                                                   std::string_view where,
                                                   std::string_view example) const;
    Result<std::string, std::string> string_value(const toml::node& node,
                                                  std::string_view key) const;
    Result<bool, std::string> bool_value(const toml::node& node, std::string_view key) const;
    Result<std::int64_t, std::string> integer_value(const toml::node& node,
                                                    std::string_view key) const;
    // The [[key]] sections of the top level: nullptr when there are none,
    // an error when `key` holds something else than an array of tables.
    Result<const toml::array*, std::string> sections(const toml::table& root,
                                                     std::string_view key) const;

    Result<void, std::string> read_name(const toml::table& root, Manifest& manifest) const;
    Result<void, std::string> read_sources(const toml::table& root, Manifest& manifest) const;
    Result<void, std::string> read_entry(const toml::table& root, Manifest& manifest) const;
    Result<void, std::string> read_devices(const toml::table& root, Manifest& manifest) const;
    Result<Device, std::string> read_device(const toml::table& table) const;
    Result<void, std::string> read_arguments(const toml::table& root, Manifest& manifest) const;
    Result<Argument, std::string> read_argument(const toml::table& table, bool with_stack) const;
    Result<void, std::string> read_default(const toml::table& table, const toml::node& node,
                                           Argument& argument) const;
    Result<void, std::string> read_range(const toml::table& table, Argument& argument) const;
    Result<void, std::string> read_c_libraries(const toml::table& root, Manifest& manifest) const;
    Result<CLibrary, std::string> read_c_library(const toml::table& table) const;

    std::string m_display_path;
    std::filesystem::path m_directory;
};

Result<void, std::string> Reader::check_keys(const toml::table& table, Names valid,
                                             std::string_view where) const {
    for (auto&& [key, node] : table) {
        (void)node;
        if (std::ranges::find(valid, key.str()) == valid.end()) {
            return error_at(key.source(), format("unknown key '{}' {} (valid keys: {})", key.str(),
                                                 where, join(valid)));
        }
    }
    return {};
}

Result<const toml::node*, std::string> Reader::require(const toml::table& table,
                                                       std::string_view key, std::string_view where,
                                                       std::string_view example) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        return error_at(table, format("{} has no '{}' key (for example: {})", where, key, example));
    }
    return node;
}

Result<std::string, std::string> Reader::string_value(const toml::node& node,
                                                      std::string_view key) const {
    if (const auto* text = node.as_string()) {
        return text->get();
    }
    return error_at(node, format("'{}' must be a string, not {}", key, describe_type(node.type())));
}

Result<bool, std::string> Reader::bool_value(const toml::node& node, std::string_view key) const {
    if (const auto* value = node.as_boolean()) {
        return value->get();
    }
    return error_at(node,
                    format("'{}' must be true or false, not {}", key, describe_type(node.type())));
}

Result<std::int64_t, std::string> Reader::integer_value(const toml::node& node,
                                                        std::string_view key) const {
    if (const auto* value = node.as_integer()) {
        return value->get();
    }
    return error_at(node,
                    format("'{}' must be an integer, not {}", key, describe_type(node.type())));
}

Result<const toml::array*, std::string> Reader::sections(const toml::table& root,
                                                         std::string_view key) const {
    const toml::node* node = root.get(key);
    if (node == nullptr) {
        return nullptr;
    }
    const toml::array* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
        return error_at(
            *node, format("'{}' must be a list of tables, each in a [[{}]] section", key, key));
    }
    return array;
}

Result<Manifest, std::string> Reader::read(const toml::table& root) {
    TRY(check_keys(root, top_level_keys, "at the top level"));
    Manifest manifest;
    manifest.directory = m_directory;
    TRY(read_name(root, manifest));
    TRY(read_sources(root, manifest));
    TRY(read_entry(root, manifest));
    TRY(read_devices(root, manifest));
    TRY(read_arguments(root, manifest));
    TRY(read_c_libraries(root, manifest));
    return manifest;
}

Result<void, std::string> Reader::read_name(const toml::table& root, Manifest& manifest) const {
    const toml::node* node =
        TRY(require(root, "name", "the manifest", "name = \"hello\", the unikernel's name"));
    manifest.name = TRY(string_value(*node, "name"));
    if (!is_valid_unikernel_name(manifest.name)) {
        return error_at(*node, format("the name '{}' is not a valid unikernel name: a lower-case "
                                      "letter, then lower-case letters, digits and '-', at most "
                                      "64 characters",
                                      manifest.name));
    }
    return {};
}

Result<void, std::string> Reader::read_sources(const toml::table& root, Manifest& manifest) const {
    const toml::node* node = TRY(require(root, "sources", "the manifest",
                                         "sources = [\"unikernel.cpp\"], the C++ files to build"));
    const toml::array* array = node->as_array();
    if (array == nullptr) {
        return error_at(*node, format("'sources' must be a list of file names, not {}",
                                      describe_type(node->type())));
    }
    if (array->empty()) {
        return error_at(*node, "'sources' is empty: list the unikernel's C++ files");
    }
    for (const toml::node& element : *array) {
        std::string source = TRY(string_value(element, "sources"));
        const std::filesystem::path path{source};
        const std::string extension = path.extension().string();
        if (extension != ".cpp" && extension != ".cc" && extension != ".cxx") {
            return error_at(element,
                            format("source '{}' is not a C++ file (.cpp, .cc or .cxx)", source));
        }
        const std::filesystem::path resolved = (m_directory / path).lexically_normal();
        std::error_code error;
        if (!std::filesystem::is_regular_file(resolved, error)) {
            return error_at(element, format("source file '{}' does not exist (looked for {})",
                                            source, resolved.string()));
        }
        if (std::ranges::find(manifest.sources, source) != manifest.sources.end()) {
            return error_at(element, format("source '{}' is listed twice", source));
        }
        manifest.sources.push_back(std::move(source));
    }
    return {};
}

Result<void, std::string> Reader::read_entry(const toml::table& root, Manifest& manifest) const {
    const toml::node* node =
        TRY(require(root, "entry", "the manifest",
                    "entry = \"hello::start\", the function the unikernel starts in"));
    manifest.entry = TRY(string_value(*node, "entry"));
    std::string_view rest = manifest.entry;
    bool valid = !rest.empty();
    while (valid && !rest.empty()) {
        const std::size_t separator = rest.find("::");
        const std::string_view part = rest.substr(0, separator);
        valid = is_identifier(part) && !is_keyword(part) && !part.starts_with("__");
        rest =
            separator == std::string_view::npos ? std::string_view{} : rest.substr(separator + 2);
        if (separator != std::string_view::npos && rest.empty()) {
            valid = false;  // a trailing "::"
        }
    }
    if (!valid || manifest.entry == "main") {
        return error_at(*node, format("entry '{}' is not a C++ function name such as "
                                      "\"hello::start\" (and not 'main', which Oasis generates)",
                                      manifest.entry));
    }
    return {};
}

Result<void, std::string> Reader::read_devices(const toml::table& root, Manifest& manifest) const {
    const toml::array* array = TRY(sections(root, "devices"));
    if (array == nullptr) {
        return {};
    }
    const toml::table* stack_table = nullptr;
    for (const toml::node& element : *array) {
        const toml::table& table = *element.as_table();
        Device device = TRY(read_device(table));
        if (const Device* earlier = find_named(manifest.devices, device.name)) {
            return error_at(*table.get("name"),
                            format("device name '{}' is used twice (first at line {})", device.name,
                                   earlier->line));
        }
        if (device.kind == DeviceKind::net && device.stack) {
            if (stack_table != nullptr) {
                return error_at(table, format("net device '{}' would be a second stack: only one "
                                              "net device may have stack = true (its arguments "
                                              "--ipv4 and --ipv4-gateway are global); give the "
                                              "other stack = false",
                                              device.name));
            }
            stack_table = &table;
        }
        manifest.devices.push_back(std::move(device));
    }
    return {};
}

Result<Device, std::string> Reader::read_device(const toml::table& table) const {
    TRY(check_keys(table, device_keys, "in a [[devices]] section"));
    Device device;
    const toml::node* name = TRY(require(table, "name", "this [[devices]] section",
                                         "name = \"service\", how the device is bound"));
    device.name = TRY(string_value(*name, "name"));
    device.line = name->source().begin.line;
    if (!is_simple_name(device.name, "_") || is_keyword(device.name) || device.name == "console" ||
        device.name == "arguments") {
        return error_at(*name, format("the device name '{}' is not valid: a lower-case letter, "
                                      "then lower-case letters, digits and '_' (it names the "
                                      "entry's parameter, so not a C++ keyword, 'console' or "
                                      "'arguments')",
                                      device.name));
    }
    const toml::node* kind =
        TRY(require(table, "kind", "this [[devices]] section",
                    format("kind = \"net\" (one of {})", join(device_kind_names))));
    const std::string kind_text = TRY(string_value(*kind, "kind"));
    const auto found = std::ranges::find(device_kind_names, kind_text);
    if (found == device_kind_names.end()) {
        return error_at(*kind, format("unknown device kind '{}' (valid kinds: {})", kind_text,
                                      join(device_kind_names)));
    }
    device.kind = static_cast<DeviceKind>(found - device_kind_names.begin());

    // Keys that belong to another kind are mistakes, not options to ignore.
    for (auto&& [key, value] : table) {
        (void)value;
        const std::string_view word = key.str();
        const bool net_key = word == "stack" || word == "packet_buffers";
        const bool kv_key = word == "folder" || word == "baked";
        if ((net_key && device.kind != DeviceKind::net) ||
            (kv_key && device.kind != DeviceKind::kv)) {
            return error_at(
                key.source(),
                format("'{}' applies to {} devices only, and '{}' is a "
                       "{} device{}",
                       word, net_key ? "net" : "kv", device.name, kind_text,
                       device.kind == DeviceKind::clock || device.kind == DeviceKind::random
                           ? format(" (a {} device has only 'name' and 'kind')", kind_text)
                           : std::string{}));
        }
    }
    if (const toml::node* stack = table.get("stack")) {
        device.stack = TRY(bool_value(*stack, "stack"));
    }
    if (const toml::node* buffers = table.get("packet_buffers")) {
        const std::int64_t count = TRY(integer_value(*buffers, "packet_buffers"));
        if (count < 64 || count > 1048576) {
            return error_at(*buffers, "'packet_buffers' must be between 64 and 1048576");
        }
        if (!device.stack) {
            return error_at(*buffers,
                            "'packet_buffers' sizes the stack's pool, and this device "
                            "has stack = false");
        }
        device.packet_buffers = static_cast<std::uint64_t>(count);
    }
    if (const toml::node* folder = table.get("folder")) {
        const std::string text = TRY(string_value(*folder, "folder"));
        const std::filesystem::path resolved =
            (m_directory / std::filesystem::path{text}).lexically_normal();
        std::error_code error;
        if (!std::filesystem::is_directory(resolved, error)) {
            return error_at(*folder, format("kv device '{}': folder '{}' does not exist (looked "
                                            "for {})",
                                            device.name, text, resolved.string()));
        }
        device.folder = resolved;
    }
    if (const toml::node* baked = table.get("baked")) {
        if (TRY(bool_value(*baked, "baked"))) {
            if (!device.folder) {
                return error_at(*baked, format("kv device '{}' is baked but names no folder: add "
                                               "folder = \"...\"",
                                               device.name));
            }
            device.contents = KvContents::baked;
        }
    }
    return device;
}

Result<void, std::string> Reader::read_arguments(const toml::table& root,
                                                 Manifest& manifest) const {
    const toml::array* array = TRY(sections(root, "arguments"));
    if (array == nullptr) {
        return {};
    }
    const bool with_stack = manifest.stack_device() != nullptr;
    for (const toml::node& element : *array) {
        const toml::table& table = *element.as_table();
        Argument argument = TRY(read_argument(table, with_stack));
        for (const Argument& earlier : manifest.arguments) {
            if (earlier.member == argument.member) {
                return error_at(*table.get("name"),
                                earlier.name == argument.name
                                    ? format("argument '{}' is declared twice", argument.name)
                                    : format("arguments '{}' and '{}' would both be the field "
                                             "'{}' of Arguments",
                                             earlier.name, argument.name, argument.member));
            }
        }
        manifest.arguments.push_back(std::move(argument));
    }
    return {};
}

Result<Argument, std::string> Reader::read_argument(const toml::table& table,
                                                    bool with_stack) const {
    TRY(check_keys(table, argument_keys, "in an [[arguments]] section"));
    Argument argument;
    const toml::node* name = TRY(require(table, "name", "this [[arguments]] section",
                                         "name = \"repeat\", given as --repeat=VALUE"));
    argument.name = TRY(string_value(*name, "name"));
    argument.member = argument.name;
    std::ranges::replace(argument.member, '-', '_');
    if (!is_simple_name(argument.name, "_-") || is_keyword(argument.member)) {
        return error_at(*name, format("the argument name '{}' is not valid: a lower-case letter, "
                                      "then lower-case letters, digits, '-' and '_' (with '_' for "
                                      "'-' it names a C++ field, so not a keyword)",
                                      argument.name));
    }
    if (is_reserved_argument(argument.name, with_stack)) {
        return error_at(*name, format("the argument name '{}' is taken: every unikernel{} has "
                                      "--{} (reserved: {})",
                                      argument.name, with_stack ? " with a stack" : "",
                                      argument.name, join(reserved_arguments(with_stack))));
    }
    const toml::node* type = TRY(require(table, "type", "this [[arguments]] section",
                                         "type = \"unsigned\" (one of string, int, unsigned, "
                                         "bool, duration)"));
    const std::string type_text = TRY(string_value(*type, "type"));
    const auto found = std::ranges::find(argument_type_names, type_text);
    if (found == argument_type_names.end()) {
        return error_at(*type, format("unknown argument type '{}' (valid types: {})", type_text,
                                      join(argument_type_names)));
    }
    argument.type = static_cast<ArgumentType>(found - argument_type_names.begin());
    const toml::node* help = TRY(require(table, "help", "this [[arguments]] section",
                                         "help = \"How many times to say it.\""));
    argument.help = TRY(string_value(*help, "help"));
    const toml::node* value = TRY(require(table, "default", "this [[arguments]] section",
                                          "default = 4, the value without --NAME"));
    TRY(read_range(table, argument));
    TRY(read_default(table, *value, argument));
    return argument;
}

Result<void, std::string> Reader::read_range(const toml::table& table, Argument& argument) const {
    for (const std::string_view key : {std::string_view{"min"}, std::string_view{"max"}}) {
        const toml::node* node = table.get(key);
        if (node == nullptr) {
            continue;
        }
        if (argument.type != ArgumentType::integer &&
            argument.type != ArgumentType::unsigned_integer) {
            return error_at(*node, format("'{}' applies to int and unsigned arguments only, and "
                                          "'{}' is {}",
                                          key, argument.name, argument_type_name(argument.type)));
        }
        const std::int64_t bound = TRY(integer_value(*node, key));
        if (argument.type == ArgumentType::unsigned_integer && bound < 0) {
            return error_at(
                *node, format("'{}' of unsigned argument '{}' is negative", key, argument.name));
        }
        (key == "min" ? argument.minimum : argument.maximum) = bound;
    }
    if (argument.minimum && argument.maximum && *argument.minimum > *argument.maximum) {
        return error_at(*table.get("min"),
                        format("argument '{}': min {} is above max {}", argument.name,
                               *argument.minimum, *argument.maximum));
    }
    return {};
}

Result<void, std::string> Reader::read_default(const toml::table& table, const toml::node& node,
                                               Argument& argument) const {
    (void)table;
    const std::string_view type = argument_type_name(argument.type);
    auto wrong_type = [&](std::string_view expected) {
        return error_at(node, format("argument '{}' has type {}, so its default must be {}, not {}",
                                     argument.name, type, expected, describe_type(node.type())));
    };
    switch (argument.type) {
        case ArgumentType::string: {
            const auto* text = node.as_string();
            if (text == nullptr) {
                return wrong_type("a string");
            }
            argument.default_string = text->get();
            argument.default_text = text->get();
            return {};
        }
        case ArgumentType::boolean: {
            const auto* value = node.as_boolean();
            if (value == nullptr) {
                return wrong_type("true or false");
            }
            argument.default_boolean = value->get();
            argument.default_text = value->get() ? "true" : "false";
            return {};
        }
        case ArgumentType::integer:
        case ArgumentType::unsigned_integer: {
            const bool is_unsigned = argument.type == ArgumentType::unsigned_integer;
            const auto* value = node.as_integer();
            if (value == nullptr) {
                return wrong_type(is_unsigned ? "a non-negative integer" : "an integer");
            }
            const std::int64_t number = value->get();
            if (is_unsigned && number < 0) {
                return error_at(node, format("argument '{}' has type unsigned, so its default must "
                                             "not be negative",
                                             argument.name));
            }
            if ((argument.minimum && number < *argument.minimum) ||
                (argument.maximum && number > *argument.maximum)) {
                return error_at(node, format("argument '{}': the default {} is outside min..max",
                                             argument.name, number));
            }
            argument.default_integer = number;
            argument.default_unsigned = static_cast<std::uint64_t>(number);
            argument.default_text = format("{}", number);
            return {};
        }
        case ArgumentType::duration: {
            const auto* text = node.as_string();
            if (text == nullptr) {
                return wrong_type("a string such as \"1s\", \"250ms\" or \"0.5\"");
            }
            // The unikernel's own parser decides, so configure accepts
            // exactly what the command line will.
            ArgumentParser parser;
            parser.declare_duration(argument.name, Duration{0}, "");
            const std::string word = format("--{}={}", argument.name, text->get());
            const std::string_view words[] = {word};
            if (auto parsed = parser.parse(words); parsed.is_error()) {
                // The parser's message names --NAME and the value, as for a
                // command line; keep only what it says was expected.
                std::string_view why = parsed.error().message;
                if (const std::size_t colon = why.find(": "); colon != std::string_view::npos) {
                    why.remove_prefix(colon + 2);
                }
                return error_at(node, format("argument '{}' has type duration, but its default "
                                             "\"{}\" is not one ({})",
                                             argument.name, text->get(), why));
            }
            argument.default_duration = parser.duration_value(argument.name);
            argument.default_text = text->get();
            return {};
        }
    }
    return {};
}

Result<void, std::string> Reader::read_c_libraries(const toml::table& root,
                                                   Manifest& manifest) const {
    const toml::array* array = TRY(sections(root, "c_libraries"));
    if (array == nullptr) {
        return {};
    }
    for (const toml::node& element : *array) {
        const toml::table& table = *element.as_table();
        CLibrary library = TRY(read_c_library(table));
        if (const CLibrary* earlier = find_named(manifest.c_libraries, library.name)) {
            return error_at(*table.get("name"),
                            format("C library '{}' is declared twice (first at line {})",
                                   library.name, earlier->line));
        }
        manifest.c_libraries.push_back(std::move(library));
    }
    return {};
}

Result<CLibrary, std::string> Reader::read_c_library(const toml::table& table) const {
    TRY(check_keys(table, c_library_keys, "in a [[c_libraries]] section"));
    CLibrary library;
    const toml::node* name = TRY(
        require(table, "name", "this [[c_libraries]] section", "name = \"bearssl\", the library"));
    library.name = TRY(string_value(*name, "name"));
    library.line = name->source().begin.line;
    if (!is_valid_debian_source_name(library.name)) {
        return error_at(*name, format("the C library name '{}' is not valid: {} (Debian's rules "
                                      "for a source package)",
                                      library.name, debian_name_rules));
    }
    const toml::node* version = TRY(require(table, "version", "this [[c_libraries]] section",
                                            "version = \"0.6\", the upstream version wanted"));
    library.version = TRY(string_value(*version, "version"));
    // c-libraries.txt separates its fields with spaces, one library a line.
    const bool visible =
        std::ranges::all_of(library.version, [](char c) { return c > ' ' && c < '\x7f'; });
    if (library.version.empty() || !visible) {
        // Not quoted back: it may hold a line break.
        return error_at(*version, format("C library '{}': the version must be one or more "
                                         "visible ASCII characters, no spaces (such as \"0.6\")",
                                         library.name));
    }
    library.debian_source = library.name;
    if (const toml::node* source = table.get("debian_source")) {
        library.debian_source = TRY(string_value(*source, "debian_source"));
        if (!is_valid_debian_source_name(library.debian_source)) {
            return error_at(*source,
                            format("C library '{}': '{}' is not a Debian source package "
                                   "name: {}",
                                   library.name, library.debian_source, debian_name_rules));
        }
    }
    return library;
}

}  // namespace

bool is_valid_debian_source_name(std::string_view name) {
    if (name.size() < 2 || !is_lower_or_digit(name.front())) {
        return false;
    }
    return std::ranges::all_of(
        name, [](char c) { return is_lower_or_digit(c) || c == '+' || c == '-' || c == '.'; });
}

bool is_valid_unikernel_name(std::string_view name) {
    return is_simple_name(name, "-");
}

bool is_keyword(std::string_view word) {
    return std::ranges::find(cpp_keywords, word) != std::end(cpp_keywords);
}

std::string Manifest::entry_namespace() const {
    const std::size_t separator = entry.rfind("::");
    return separator == std::string::npos ? std::string{} : entry.substr(0, separator);
}

std::string Manifest::entry_function() const {
    const std::size_t separator = entry.rfind("::");
    return separator == std::string::npos ? entry : entry.substr(separator + 2);
}

const Device* Manifest::stack_device() const {
    for (const Device& device : devices) {
        if (device.kind == DeviceKind::net && device.stack) {
            return &device;
        }
    }
    return nullptr;
}

Result<Manifest, std::string> parse_manifest(std::string_view text,
                                             const std::filesystem::path& file,
                                             std::string_view display_path) {
    toml::parse_result parsed = toml::parse(text, std::string_view{display_path});
    if (!parsed) {
        const toml::parse_error& error = parsed.error();
        return Error{format("{}:{}:{}: error: {}", display_path, error.source().begin.line,
                            error.source().begin.column, error.description())};
    }
    const std::filesystem::path absolute = std::filesystem::absolute(file).lexically_normal();
    Reader reader{display_path, absolute.parent_path()};
    Manifest manifest = TRY(reader.read(parsed.table()));
    manifest.file = absolute;
    return manifest;
}

Result<Manifest, std::string> load_manifest(const std::filesystem::path& file,
                                            std::string_view display_path) {
    std::ifstream stream{file, std::ios::binary};
    if (!stream) {
        return Error{
            format("{}: error: cannot read the manifest (no such file, or not readable); "
                   "`oasis new NAME` makes a project",
                   display_path)};
    }
    std::ostringstream text;
    text << stream.rdbuf();
    return parse_manifest(text.str(), file, display_path);
}

std::string_view device_kind_name(DeviceKind kind) {
    return device_kind_names[static_cast<std::size_t>(kind)];
}

std::string_view argument_type_name(ArgumentType type) {
    return argument_type_names[static_cast<std::size_t>(type)];
}

std::string_view argument_member_type(ArgumentType type) {
    switch (type) {
        case ArgumentType::string:
            return "std::string";
        case ArgumentType::integer:
            return "std::int64_t";
        case ArgumentType::unsigned_integer:
            return "std::uint64_t";
        case ArgumentType::boolean:
            return "bool";
        case ArgumentType::duration:
            return "oasis::Duration";
    }
    return "?";
}

std::vector<std::string_view> reserved_arguments(bool with_stack) {
    // Boot (targets/unix/boot.cpp) declares logs, net-faults and pcap;
    // net::declare_stack_arguments declares ipv4 and ipv4-gateway.
    // manifest_test.cpp checks this list against both.
    std::vector<std::string_view> names{"help", "h", "logs", "net-faults", "pcap"};
    if (with_stack) {
        names.insert(names.end(), {"ipv4", "ipv4-gateway"});
    }
    return names;
}

bool is_reserved_argument(std::string_view name, bool with_stack) {
    const std::vector<std::string_view> reserved = reserved_arguments(with_stack);
    return std::ranges::find(reserved, name) != reserved.end();
}

}  // namespace oasis::cli
