// FileBlockDevice: sectors of a regular file through pread, pwrite and fdatasync.
#include "targets/unix/file_block.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "targets/unix/system_error.hpp"

namespace oasis::unix_target {

Result<std::unique_ptr<FileBlockDevice>, std::string> FileBlockDevice::open(const std::string& path,
                                                                            BlockAccess access) {
    const int mode = access == BlockAccess::read_only ? O_RDONLY : O_RDWR;
    UniqueFd fd{::open(path.c_str(), mode | O_CLOEXEC | O_NOCTTY)};
    if (!fd) {
        return Error{"cannot open block device file " + path + ": " +
                     std::string{describe_errno(errno)}};
    }
    struct stat status {};
    if (::fstat(fd.get(), &status) != 0) {
        return Error{"cannot stat " + path + ": " + std::string{describe_errno(errno)}};
    }
    if (!S_ISREG(status.st_mode)) {
        return Error{path + " is not a regular file"};
    }
    const auto size = static_cast<std::uint64_t>(status.st_size);
    if (size % sector_size != 0) {
        return Error{path + ": size " + std::to_string(size) + " is not a multiple of the " +
                     std::to_string(sector_size) + "-byte sector size"};
    }
    const dev::BlockInfo info{.sector_size = sector_size,
                              .sector_count = size / sector_size,
                              .read_only = access == BlockAccess::read_only};
    return std::unique_ptr<FileBlockDevice>{new FileBlockDevice(std::move(fd), info)};
}

Task<Result<void, dev::BlockError>> FileBlockDevice::read(std::uint64_t first_sector,
                                                          std::span<std::byte> into) {
    co_return read_now(first_sector, into);
}

Task<Result<void, dev::BlockError>> FileBlockDevice::write(std::uint64_t first_sector,
                                                           std::span<const std::byte> from) {
    co_return write_now(first_sector, from);
}

Task<Result<void, dev::BlockError>> FileBlockDevice::flush() {
    if (m_info.read_only) {
        co_return Result<void, dev::BlockError>{};  // nothing was written
    }
    int status;
    do {
        status = ::fdatasync(m_fd.get());
    } while (status != 0 && errno == EINTR);
    if (status != 0) {
        co_return Error{dev::BlockError::device_error};
    }
    co_return Result<void, dev::BlockError>{};
}

Result<void, dev::BlockError> FileBlockDevice::read_now(std::uint64_t first_sector,
                                                        std::span<std::byte> into) {
    TRY(dev::check_block_request(m_info, first_sector, into.size()));
    // check_block_request bounds the range by the file's size, which is an
    // off_t, so the offsets below cannot overflow.
    auto offset = static_cast<off_t>(first_sector * sector_size);
    while (!into.empty()) {
        const ssize_t got = ::pread(m_fd.get(), into.data(), into.size(), offset);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return Error{dev::BlockError::device_error};  // an I/O error, or the file shrank
        }
        into = into.subspan(static_cast<std::size_t>(got));
        offset += got;
    }
    return {};
}

Result<void, dev::BlockError> FileBlockDevice::write_now(std::uint64_t first_sector,
                                                         std::span<const std::byte> from) {
    if (m_info.read_only) {
        return Error{dev::BlockError::read_only};
    }
    TRY(dev::check_block_request(m_info, first_sector, from.size()));
    auto offset = static_cast<off_t>(first_sector * sector_size);
    while (!from.empty()) {
        const ssize_t put = ::pwrite(m_fd.get(), from.data(), from.size(), offset);
        if (put < 0 && errno == EINTR) {
            continue;
        }
        if (put <= 0) {
            return Error{dev::BlockError::device_error};
        }
        from = from.subspan(static_cast<std::size_t>(put));
        offset += put;
    }
    return {};
}

}  // namespace oasis::unix_target
