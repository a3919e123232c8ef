// DirectoryKeyValueStore: keys resolved beneath a root directory, never through symlinks.
#include "targets/unix/directory_kv.hpp"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "core/crypto/sha256.hpp"
#include "targets/unix/system_error.hpp"

namespace oasis::unix_target {

namespace {

using dev::KvError;
using dev::KvKind;

// Non-blocking, so that a FIFO under the root cannot stall the unikernel;
// never a controlling terminal; never through a symbolic link.
constexpr int open_flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC;

// How much of a value digest() reads at a time.
constexpr std::size_t digest_chunk_size = 64 * 1024;

KvError error_from_errno(int number) {
    switch (number) {
        case ENOENT:   // no such file
        case ENOTDIR:  // a segment before the last is a file
        case ELOOP:    // a symbolic link, refused
        case EXDEV:    // the path would leave the root (RESOLVE_BENEATH)
            return KvError::not_found;
        case ENAMETOOLONG:
            return KvError::invalid_key;
        default:
            return KvError::device_error;
    }
}

long openat2_call(int directory, const char* path, int flags) {
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd;
    do {
        fd = ::syscall(SYS_openat2, directory, path, &how, sizeof how);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

// Reads until `into` is full or the file ends; returns how much was read.
Result<std::size_t, KvError> read_at(int fd, std::span<std::byte> into, std::uint64_t offset) {
    std::size_t total = 0;
    while (total < into.size()) {
        const ssize_t got = ::pread(fd, into.data() + total, into.size() - total,
                                    static_cast<off_t>(offset + total));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            return Error{KvError::device_error};
        }
        if (got == 0) {
            break;
        }
        total += static_cast<std::size_t>(got);
    }
    return total;
}

}  // namespace

Result<std::unique_ptr<DirectoryKeyValueStore>, std::string> DirectoryKeyValueStore::open(
    const std::string& root, PathResolution resolution) {
    UniqueFd fd{::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (!fd) {
        return Error{"cannot open directory " + root + ": " + std::string{describe_errno(errno)}};
    }
    bool use_openat2 = false;
    if (resolution == PathResolution::automatic) {
        // Linux before 5.6 says ENOSYS; some container seccomp filters EPERM.
        UniqueFd probe{static_cast<int>(openat2_call(fd.get(), ".", O_RDONLY | O_CLOEXEC))};
        use_openat2 = probe.valid();
        if (!use_openat2 && errno != ENOSYS && errno != EPERM) {
            return Error{"cannot open directory " + root + ": " +
                         std::string{describe_errno(errno)}};
        }
    }
    return std::unique_ptr<DirectoryKeyValueStore>{
        new DirectoryKeyValueStore(std::move(fd), use_openat2)};
}

Result<UniqueFd, KvError> DirectoryKeyValueStore::open_beneath(
    const std::vector<std::string_view>& segments) const {
    std::string path = ".";
    for (std::string_view segment : segments) {
        path += '/';
        path += segment;
    }
    UniqueFd fd{static_cast<int>(openat2_call(m_root.get(), path.c_str(), open_flags))};
    if (!fd) {
        return Error{error_from_errno(errno)};
    }
    return fd;
}

Result<UniqueFd, KvError> DirectoryKeyValueStore::open_per_segment(
    const std::vector<std::string_view>& segments) const {
    // Each step resolves one name inside an already-open directory, and the
    // names are plain (split_kv_key refused ".", ".." and empty ones), so
    // O_NOFOLLOW on every step leaves no symbolic link to follow anywhere.
    UniqueFd current{::openat(m_root.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (!current) {
        return Error{error_from_errno(errno)};
    }
    std::string name;
    for (std::size_t index = 0; index < segments.size(); ++index) {
        const bool last = index + 1 == segments.size();
        name.assign(segments[index]);
        int fd;
        do {
            fd =
                ::openat(current.get(), name.c_str(), last ? open_flags : open_flags | O_DIRECTORY);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            return Error{error_from_errno(errno)};
        }
        current.reset(fd);
    }
    return current;
}

Result<DirectoryKeyValueStore::Entry, KvError> DirectoryKeyValueStore::open_entry(
    std::string_view key) const {
    const std::vector<std::string_view> segments = TRY(dev::split_kv_key(key));
    UniqueFd fd = TRY(m_use_openat2 ? open_beneath(segments) : open_per_segment(segments));
    Entry entry{.fd = std::move(fd), .status = {}, .kind = KvKind::value};
    if (::fstat(entry.fd.get(), &entry.status) != 0) {
        return Error{KvError::device_error};
    }
    if (S_ISDIR(entry.status.st_mode)) {
        entry.kind = KvKind::dictionary;
    } else if (!S_ISREG(entry.status.st_mode)) {
        return Error{KvError::not_found};  // a FIFO, socket or device: not served
    }
    return entry;
}

Result<DirectoryKeyValueStore::Entry, KvError> DirectoryKeyValueStore::open_value(
    std::string_view key) const {
    Entry entry = TRY(open_entry(key));
    if (entry.kind != KvKind::value) {
        return Error{KvError::not_a_value};
    }
    return entry;
}

Result<std::vector<std::byte>, KvError> DirectoryKeyValueStore::get_now(
    std::string_view key) const {
    const Entry entry = TRY(open_value(key));
    // The size is only a hint: the file may grow or shrink while it is read.
    std::vector<std::byte> contents(static_cast<std::size_t>(entry.status.st_size) + 1);
    std::size_t used = 0;
    for (;;) {
        const std::size_t got =
            TRY(read_at(entry.fd.get(), std::span{contents}.subspan(used), used));
        used += got;
        if (used < contents.size()) {
            break;  // the end of the file
        }
        contents.resize(contents.size() * 2);
    }
    contents.resize(used);
    return contents;
}

Result<std::size_t, KvError> DirectoryKeyValueStore::get_partial_now(
    std::string_view key, std::uint64_t offset, std::span<std::byte> into) const {
    const Entry entry = TRY(open_value(key));
    const auto size = static_cast<std::uint64_t>(entry.status.st_size);
    if (offset >= size) {
        return std::size_t{0};
    }
    return read_at(entry.fd.get(), into, offset);
}

Result<std::vector<dev::KvEntry>, KvError> DirectoryKeyValueStore::list_now(
    std::string_view key) const {
    Entry entry = TRY(open_entry(key));
    if (entry.kind != KvKind::dictionary) {
        return Error{KvError::not_a_dictionary};
    }
    DIR* directory = ::fdopendir(entry.fd.get());
    if (directory == nullptr) {
        return Error{KvError::device_error};
    }
    (void)entry.fd.release();  // closedir() closes it now
    std::vector<dev::KvEntry> entries;
    bool failed = false;
    for (;;) {
        errno = 0;
        const dirent* item = ::readdir(directory);
        if (item == nullptr) {
            failed = errno != 0;
            break;
        }
        const std::string_view name{item->d_name};
        if (name == "." || name == "..") {
            continue;
        }
        unsigned char type = item->d_type;
        if (type == DT_UNKNOWN) {
            // Some file systems do not fill d_type in; ask without following links.
            struct stat status {};
            if (::fstatat(::dirfd(directory), item->d_name, &status, AT_SYMLINK_NOFOLLOW) != 0) {
                continue;  // removed since readdir saw it
            }
            type = S_ISDIR(status.st_mode) ? DT_DIR : S_ISREG(status.st_mode) ? DT_REG : DT_LNK;
        }
        // Only what get() and list() would serve: no links, no special files.
        if (type == DT_REG || type == DT_DIR) {
            entries.push_back(dev::KvEntry{std::string{name},
                                           type == DT_DIR ? KvKind::dictionary : KvKind::value});
        }
    }
    ::closedir(directory);
    if (failed) {
        return Error{KvError::device_error};
    }
    std::sort(entries.begin(), entries.end(),
              [](const dev::KvEntry& a, const dev::KvEntry& b) { return a.name < b.name; });
    return entries;
}

Result<dev::Sha256Digest, KvError> DirectoryKeyValueStore::digest_now(std::string_view key) const {
    const Entry entry = TRY(open_value(key));
    crypto::Sha256 hasher;
    std::vector<std::byte> chunk(digest_chunk_size);
    std::uint64_t offset = 0;
    for (;;) {
        const std::size_t got = TRY(read_at(entry.fd.get(), chunk, offset));
        if (got == 0) {
            break;
        }
        hasher.update(std::span{chunk}.first(got));
        offset += got;
    }
    return hasher.finish();
}

Task<Result<std::vector<std::byte>, KvError>> DirectoryKeyValueStore::get(std::string key) {
    co_return get_now(key);
}

Task<Result<std::size_t, KvError>> DirectoryKeyValueStore::get_partial(std::string key,
                                                                       std::uint64_t offset,
                                                                       std::span<std::byte> into) {
    co_return get_partial_now(key, offset, into);
}

Task<Result<std::vector<dev::KvEntry>, KvError>> DirectoryKeyValueStore::list(std::string key) {
    co_return list_now(key);
}

Task<Result<KvKind, KvError>> DirectoryKeyValueStore::kind(std::string key) {
    const Entry entry = CO_TRY(open_entry(key));
    co_return entry.kind;
}

Task<Result<std::uint64_t, KvError>> DirectoryKeyValueStore::size(std::string key) {
    const Entry entry = CO_TRY(open_value(key));
    co_return static_cast<std::uint64_t>(entry.status.st_size);
}

Task<Result<dev::Sha256Digest, KvError>> DirectoryKeyValueStore::digest(std::string key) {
    co_return digest_now(key);
}

Task<Result<WallTime, KvError>> DirectoryKeyValueStore::last_modified(std::string key) {
    const Entry entry = CO_TRY(open_entry(key));
    const timespec& modified = entry.status.st_mtim;
    co_return WallTime{static_cast<std::int64_t>(modified.tv_sec) * 1'000'000'000 +
                       modified.tv_nsec};
}

}  // namespace oasis::unix_target
