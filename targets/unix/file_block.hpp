// FileBlockDevice: a BlockDevice backed by a regular file on the host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/result.hpp"
#include "dev/block.hpp"
#include "targets/unix/unique_fd.hpp"

namespace oasis::unix_target {

enum class BlockAccess { read_write, read_only };

// A disk image as a regular file: 512-byte sectors, as many as the file
// holds. The file's size must be a whole number of sectors; it is read when
// the device is opened and never changes (writes past the end are refused).
//
// Reads and writes are pread/pwrite on the calling thread: Linux offers no
// readiness for regular files, so each call completes before it returns
// (the coroutine never suspends). flush() is fdatasync.
class FileBlockDevice final : public dev::BlockDevice {
public:
    static constexpr std::size_t sector_size = 512;

    // Opens `path`. The error is a message for a person, e.g.
    // "disk.img: size 1000 is not a multiple of the 512-byte sector size".
    static Result<std::unique_ptr<FileBlockDevice>, std::string> open(const std::string& path,
                                                                      BlockAccess access);

    dev::BlockInfo info() const override { return m_info; }

    Task<Result<void, dev::BlockError>> read(std::uint64_t first_sector,
                                             std::span<std::byte> into) override;
    Task<Result<void, dev::BlockError>> write(std::uint64_t first_sector,
                                              std::span<const std::byte> from) override;
    Task<Result<void, dev::BlockError>> flush() override;

private:
    FileBlockDevice(UniqueFd fd, dev::BlockInfo info) : m_fd(std::move(fd)), m_info(info) {}

    Result<void, dev::BlockError> read_now(std::uint64_t first_sector, std::span<std::byte> into);
    Result<void, dev::BlockError> write_now(std::uint64_t first_sector,
                                            std::span<const std::byte> from);

    UniqueFd m_fd;
    dev::BlockInfo m_info;
};

}  // namespace oasis::unix_target
