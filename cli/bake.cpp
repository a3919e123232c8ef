// Bake: reads a folder at configure time and writes its files as a sorted BakedValue table.
#include "cli/bake.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <system_error>
#include <vector>

#include "cli/codegen.hpp"
#include "core/crypto/sha256.hpp"
#include "core/format.hpp"

namespace oasis::cli {

namespace {

struct BakedFile {
    std::string key;
    std::string contents;
    std::int64_t modified_nanoseconds = 0;
};

Result<std::vector<BakedFile>, std::string> read_folder(const std::filesystem::path& folder) {
    const FolderContents contents = TRY(list_folder(folder));
    std::vector<BakedFile> files;
    for (const std::filesystem::path& path : contents.files) {
        BakedFile file;
        file.key = path.lexically_relative(folder).generic_string();
        std::ifstream stream{path, std::ios::binary};
        if (!stream) {
            return Error{format("cannot read {}", path.string())};
        }
        file.contents.assign(std::istreambuf_iterator<char>{stream},
                             std::istreambuf_iterator<char>{});
        if (stream.bad()) {
            return Error{format("cannot read {}", path.string())};
        }
        struct stat status {};
        if (::stat(path.c_str(), &status) == 0) {
            file.modified_nanoseconds =
                static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1'000'000'000 +
                status.st_mtim.tv_nsec;
        }
        files.push_back(std::move(file));
    }
    std::ranges::sort(files, {}, &BakedFile::key);
    return files;
}

std::string digest_initializer(std::string_view contents) {
    const crypto::Sha256Digest digest = crypto::sha256(std::as_bytes(std::span{contents}));
    // Eight bytes a line.
    std::string out = "{";
    for (std::size_t i = 0; i < digest.size(); ++i) {
        format_to(out, "{}std::byte{{0x{:02x}}}",
                  i == 0       ? ""
                  : i % 8 == 0 ? ",\n            "
                               : ", ",
                  static_cast<unsigned>(digest[i]));
    }
    out += "}";
    return out;
}

// Contents as string literals of at most 64 source bytes each; adjacent
// literals are joined by the compiler. The explicit length keeps NULs.
std::string contents_literal(std::string_view contents) {
    if (contents.empty()) {
        return "std::string_view{}";
    }
    if (contents.size() <= 48) {
        return format("std::string_view{{{}, {}}}", cpp_string_literal(contents), contents.size());
    }
    std::string out = "std::string_view{";
    for (std::size_t at = 0; at < contents.size(); at += 48) {
        format_to(out, "\n            {}", cpp_string_literal(contents.substr(at, 48)));
    }
    format_to(out, ",\n            {}}}", contents.size());
    return out;
}

}  // namespace

Result<FolderContents, std::string> list_folder(const std::filesystem::path& folder) {
    FolderContents contents;
    contents.folders.push_back(folder);
    std::error_code error;
    std::filesystem::recursive_directory_iterator walk{folder, error};
    if (error) {
        return Error{format("cannot read folder {}: {}", folder.string(), error.message())};
    }
    for (const std::filesystem::recursive_directory_iterator end; walk != end;
         walk.increment(error)) {
        if (error) {
            return Error{format("cannot read folder {}: {}", folder.string(), error.message())};
        }
        const std::filesystem::directory_entry& entry = *walk;
        // Not followed, not served: the unix directory store refuses links too.
        if (entry.is_symlink(error)) {
            continue;
        }
        if (entry.is_directory(error)) {
            contents.folders.push_back(entry.path());
        } else if (entry.is_regular_file(error)) {
            contents.files.push_back(entry.path());
        }
    }
    return contents;
}

std::string baked_symbol(const Device& device) {
    return format("oasis_baked::{}", device.name);
}

std::string baked_declaration(const Device& device) {
    return format(
        "namespace oasis_baked {{\n// The files of kv device '{}', baked into the image "
        "(baked/{}.cpp).\nextern const std::span<const oasis::dev::BakedValue> {};\n}}  // "
        "namespace oasis_baked\n\n",
        device.name, device.name, device.name);
}

Result<std::string, std::string> generate_baked_kv(const Device& device) {
    const std::vector<BakedFile> files = TRY(read_folder(*device.folder));
    std::string out = format(
        "// The files of kv device '{}' ({}), baked into the image by `oasis configure`: do not "
        "edit.\n"
        "#include <array>\n#include <cstddef>\n#include <span>\n#include <string_view>\n\n"
        "#include \"dev/baked_kv.hpp\"\n\n"
        "namespace oasis_baked {{\n\nnamespace {{\n\n",
        device.name, device.folder->string());
    format_to(out, "constexpr std::array<oasis::dev::BakedValue, {}> values{{{{\n", files.size());
    for (const BakedFile& file : files) {
        format_to(out,
                  "    {{\n"
                  "        {},\n"
                  "        {},\n"
                  "        oasis::dev::Sha256Digest{},\n"
                  "        oasis::WallTime{{{}}},\n"
                  "    }},\n",
                  cpp_string_literal(file.key), contents_literal(file.contents),
                  digest_initializer(file.contents), file.modified_nanoseconds);
    }
    format_to(out,
              "}}}};\n\n}}  // namespace\n\n"
              "extern const std::span<const oasis::dev::BakedValue> {};\n"
              "const std::span<const oasis::dev::BakedValue> {}{{values}};\n\n"
              "}}  // namespace oasis_baked\n",
              device.name, device.name);
    return out;
}

}  // namespace oasis::cli
