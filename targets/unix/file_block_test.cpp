// Tests of FileBlockDevice: sectors written and read back, and every refusal.
#include "targets/unix/file_block.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "targets/unix/test_support.hpp"

namespace oasis::unix_target {
namespace {

using dev::BlockError;
using testing::run_task;
using testing::TemporaryDirectory;

void make_file(const std::string& path, std::size_t size) {
    UniqueFd fd{::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600)};
    ASSERT_TRUE(fd.valid());
    ASSERT_EQ(::ftruncate(fd.get(), static_cast<off_t>(size)), 0);
}

std::vector<std::byte> pattern(std::size_t size, unsigned seed) {
    std::vector<std::byte> bytes(size);
    for (std::size_t i = 0; i < size; ++i) {
        bytes[i] = static_cast<std::byte>((i * 31 + seed) & 0xff);
    }
    return bytes;
}

std::vector<std::byte> read_file(const std::string& path) {
    std::vector<std::byte> bytes(1 << 16);
    UniqueFd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    const ssize_t got = ::read(fd.get(), bytes.data(), bytes.size());
    bytes.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return bytes;
}

class FileBlockDeviceTest : public ::testing::Test {
protected:
    void SetUp() override { make_file(path, 16 * 512); }

    TemporaryDirectory directory;
    std::string path = directory / "disk.img";
};

TEST_F(FileBlockDeviceTest, InfoFromTheFileSize) {
    auto device = FileBlockDevice::open(path, BlockAccess::read_write);
    ASSERT_TRUE(device.has_value()) << device.error();
    const dev::BlockInfo info = (*device)->info();
    EXPECT_EQ(info.sector_size, 512u);
    EXPECT_EQ(info.sector_count, 16u);
    EXPECT_FALSE(info.read_only);
}

TEST_F(FileBlockDeviceTest, WritesSectorsAndReadsThemBack) {
    auto opened = FileBlockDevice::open(path, BlockAccess::read_write);
    ASSERT_TRUE(opened.has_value()) << opened.error();
    FileBlockDevice& device = **opened;

    const auto first = pattern(3 * 512, 1);
    const auto last = pattern(512, 2);
    ASSERT_TRUE(run_task(device.write(2, first)).has_value());
    ASSERT_TRUE(run_task(device.write(15, last)).has_value());
    ASSERT_TRUE(run_task(device.flush()).has_value());

    std::vector<std::byte> back(3 * 512);
    ASSERT_TRUE(run_task(device.read(2, back)).has_value());
    EXPECT_EQ(back, first);
    std::vector<std::byte> end(512);
    ASSERT_TRUE(run_task(device.read(15, end)).has_value());
    EXPECT_EQ(end, last);

    // The bytes are where the sector numbers say, in the file itself.
    const auto file = read_file(path);
    ASSERT_EQ(file.size(), 16u * 512);
    EXPECT_TRUE(std::equal(first.begin(), first.end(), file.begin() + 2 * 512));
    EXPECT_TRUE(std::equal(last.begin(), last.end(), file.begin() + 15 * 512));
    EXPECT_EQ(file[0], std::byte{0});

    // Zero sectors at the very end is a valid, empty request.
    EXPECT_TRUE(run_task(device.read(16, std::span<std::byte>{})).has_value());
}

TEST_F(FileBlockDeviceTest, RefusesOutOfRangeAndUnalignedRequests) {
    auto opened = FileBlockDevice::open(path, BlockAccess::read_write);
    ASSERT_TRUE(opened.has_value());
    FileBlockDevice& device = **opened;
    std::vector<std::byte> two(2 * 512);
    std::vector<std::byte> odd(100);

    auto past_end = run_task(device.read(15, two));
    ASSERT_TRUE(past_end.is_error());
    EXPECT_EQ(past_end.error(), BlockError::out_of_range);
    auto far = run_task(device.write(~std::uint64_t{0}, two));
    ASSERT_TRUE(far.is_error());
    EXPECT_EQ(far.error(), BlockError::out_of_range);
    auto unaligned_read = run_task(device.read(0, odd));
    ASSERT_TRUE(unaligned_read.is_error());
    EXPECT_EQ(unaligned_read.error(), BlockError::unaligned);
    auto unaligned_write = run_task(device.write(0, odd));
    ASSERT_TRUE(unaligned_write.is_error());
    EXPECT_EQ(unaligned_write.error(), BlockError::unaligned);
    // Nothing was written by the refused requests.
    EXPECT_EQ(read_file(path), std::vector<std::byte>(16 * 512));
}

TEST_F(FileBlockDeviceTest, ReadOnlyRefusesWritesButReads) {
    {
        auto writable = FileBlockDevice::open(path, BlockAccess::read_write);
        ASSERT_TRUE(writable.has_value());
        ASSERT_TRUE(run_task((*writable)->write(0, pattern(512, 9))).has_value());
    }
    auto opened = FileBlockDevice::open(path, BlockAccess::read_only);
    ASSERT_TRUE(opened.has_value());
    FileBlockDevice& device = **opened;
    EXPECT_TRUE(device.info().read_only);
    auto refused = run_task(device.write(0, pattern(512, 3)));
    ASSERT_TRUE(refused.is_error());
    EXPECT_EQ(refused.error(), BlockError::read_only);
    std::vector<std::byte> back(512);
    ASSERT_TRUE(run_task(device.read(0, back)).has_value());
    EXPECT_EQ(back, pattern(512, 9));
    EXPECT_TRUE(run_task(device.flush()).has_value());
}

TEST_F(FileBlockDeviceTest, RefusesFilesThatAreNotWholeSectors) {
    make_file(path, 1000);
    auto opened = FileBlockDevice::open(path, BlockAccess::read_write);
    ASSERT_TRUE(opened.is_error());
    EXPECT_EQ(opened.error(), path + ": size 1000 is not a multiple of the 512-byte sector size");
}

TEST_F(FileBlockDeviceTest, ReportsMissingFilesAndDirectories) {
    auto missing = FileBlockDevice::open(directory / "absent.img", BlockAccess::read_only);
    ASSERT_TRUE(missing.is_error());
    EXPECT_EQ(missing.error(), "cannot open block device file " + (directory / "absent.img") +
                                   ": No such file or directory");
    auto folder = FileBlockDevice::open(directory.path(), BlockAccess::read_only);
    ASSERT_TRUE(folder.is_error());
    EXPECT_EQ(folder.error(), directory.path() + " is not a regular file");
}

}  // namespace
}  // namespace oasis::unix_target
