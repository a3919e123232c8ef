// BlockDevice: a disk of fixed-size sectors, read and written asynchronously.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/result.hpp"
#include "core/task.hpp"

namespace oasis::dev {

enum class BlockError {
    out_of_range,  // the sectors asked for lie past the end of the device
    unaligned,     // the buffer is not a whole number of sectors
    read_only,     // a write to a device opened read-only
    device_error,  // the host reported an I/O error
};

struct BlockInfo {
    std::size_t sector_size = 512;
    std::uint64_t sector_count = 0;
    bool read_only = false;
};

class BlockDevice {
public:
    virtual ~BlockDevice() = default;

    virtual BlockInfo info() const = 0;

    // Reads `into.size()` bytes starting at `first_sector`; the size must be
    // a multiple of the sector size. Completes when the data is in `into`,
    // which must stay valid until then.
    virtual Task<Result<void, BlockError>> read(std::uint64_t first_sector,
                                                std::span<std::byte> into) = 0;
    // Writes whole sectors; completes when the host has accepted the data.
    virtual Task<Result<void, BlockError>> write(std::uint64_t first_sector,
                                                 std::span<const std::byte> from) = 0;
    // Completes when every completed write is durable on the host.
    virtual Task<Result<void, BlockError>> flush() = 0;
};

// The checks every implementation makes before touching the host.
inline Result<void, BlockError> check_block_request(const BlockInfo& info,
                                                    std::uint64_t first_sector,
                                                    std::size_t byte_count) {
    if (byte_count % info.sector_size != 0) {
        return Error{BlockError::unaligned};
    }
    const std::uint64_t sectors = byte_count / info.sector_size;
    if (first_sector > info.sector_count || sectors > info.sector_count - first_sector) {
        return Error{BlockError::out_of_range};
    }
    return {};
}

}  // namespace oasis::dev
