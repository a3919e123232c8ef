// DirectoryKeyValueStore: a KeyValueStore serving a host directory, read-only.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "dev/kv.hpp"
#include "targets/unix/unique_fd.hpp"

namespace oasis::unix_target {

// How keys are resolved to files below the root.
enum class PathResolution {
    // openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) when the kernel has it
    // (Linux 5.6), per_segment otherwise.
    automatic,
    // One openat(O_NOFOLLOW) per segment: slower, works on any Linux. Tests
    // choose it to check the fallback.
    per_segment,
};

// Serves the files under a host directory: a key "/css/site.css" is the file
// css/site.css below the root; dictionaries are directories.
//
// Nothing outside the root can be read. Keys are checked by
// dev::split_kv_key ("." and ".." refused), and then every symbolic link is
// refused, wherever it points (a link is served as if absent, and list()
// leaves it out): the kernel enforces that while it resolves the path
// (RESOLVE_NO_SYMLINKS, or O_NOFOLLOW on each segment), so a link swapped in
// while a key is being resolved cannot lead out either. Only regular files
// and directories are served; other kinds of file (FIFOs, sockets, device
// nodes) are reported as absent. Opening is non-blocking, so a FIFO cannot
// stall the unikernel.
//
// Reads run on the calling thread (regular files have no readiness on
// Linux); the coroutines complete without suspending. Nothing is cached:
// a change on the host shows in the next call.
class DirectoryKeyValueStore final : public dev::KeyValueStore {
public:
    // Opens `root`, which must be a directory. The error is a message for a
    // person, e.g. "cannot open directory site/: No such file or directory".
    static Result<std::unique_ptr<DirectoryKeyValueStore>, std::string> open(
        const std::string& root, PathResolution resolution = PathResolution::automatic);

    Task<Result<std::vector<std::byte>, dev::KvError>> get(std::string key) override;
    Task<Result<std::size_t, dev::KvError>> get_partial(std::string key, std::uint64_t offset,
                                                        std::span<std::byte> into) override;
    Task<Result<std::vector<dev::KvEntry>, dev::KvError>> list(std::string key) override;
    Task<Result<dev::KvKind, dev::KvError>> kind(std::string key) override;
    Task<Result<std::uint64_t, dev::KvError>> size(std::string key) override;
    Task<Result<dev::Sha256Digest, dev::KvError>> digest(std::string key) override;
    Task<Result<WallTime, dev::KvError>> last_modified(std::string key) override;

    // True when keys are resolved with openat2.
    bool uses_openat2() const { return m_use_openat2; }

private:
    // An open value or dictionary and what fstat says about it.
    struct Entry {
        UniqueFd fd;
        struct stat status;
        dev::KvKind kind;
    };

    DirectoryKeyValueStore(UniqueFd root, bool use_openat2)
        : m_root(std::move(root)), m_use_openat2(use_openat2) {}

    Result<Entry, dev::KvError> open_entry(std::string_view key) const;
    Result<UniqueFd, dev::KvError> open_beneath(
        const std::vector<std::string_view>& segments) const;
    Result<UniqueFd, dev::KvError> open_per_segment(
        const std::vector<std::string_view>& segments) const;
    Result<Entry, dev::KvError> open_value(std::string_view key) const;

    Result<std::vector<std::byte>, dev::KvError> get_now(std::string_view key) const;
    Result<std::size_t, dev::KvError> get_partial_now(std::string_view key, std::uint64_t offset,
                                                      std::span<std::byte> into) const;
    Result<std::vector<dev::KvEntry>, dev::KvError> list_now(std::string_view key) const;
    Result<dev::Sha256Digest, dev::KvError> digest_now(std::string_view key) const;

    UniqueFd m_root;
    bool m_use_openat2;
};

}  // namespace oasis::unix_target
