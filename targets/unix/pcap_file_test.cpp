// Tests of FilePcapSink: a capture lands in the file whole, and a failed write is reported once.
#include "targets/unix/pcap_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <string>
#include <vector>

#include "targets/unix/test_support.hpp"

namespace oasis::unix_target {
namespace {

using testing::TemporaryDirectory;

std::vector<std::byte> read_file(const std::string& path) {
    std::vector<std::byte> bytes(1 << 16);
    UniqueFd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    const ssize_t got = ::read(fd.get(), bytes.data(), bytes.size());
    bytes.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return bytes;
}

TEST(FilePcapSink, WritesWhatAWriterHandsOverToANewFile) {
    TemporaryDirectory directory;
    const std::string path = directory.path() + "/capture.pcap";
    auto sink = FilePcapSink::open(path);
    ASSERT_TRUE(sink.has_value()) << sink.error();
    std::array<std::byte, 60> frame{};
    frame[0] = std::byte{0xff};
    frame[59] = std::byte{0x42};
    net::MemoryPcapSink expected;
    {
        net::PcapWriter to_file{**sink};
        net::PcapWriter to_memory{expected};
        to_file.write(WallTime{1'500'000'000'123'456'789}, ByteView{frame});
        to_memory.write(WallTime{1'500'000'000'123'456'789}, ByteView{frame});
    }
    const auto written = read_file(path);
    ASSERT_EQ(written.size(), net::PcapWriter::file_header_size +
                                  net::PcapWriter::record_header_size + frame.size());
    EXPECT_TRUE(std::ranges::equal(written, expected.bytes()));
    EXPECT_EQ((*sink)->bytes_written(), written.size());
    EXPECT_FALSE((*sink)->error().has_value());
}

TEST(FilePcapSink, EmptiesAnExistingFile) {
    TemporaryDirectory directory;
    const std::string path = directory.path() + "/old.pcap";
    {
        UniqueFd fd{::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600)};
        ASSERT_TRUE(fd.valid());
        ASSERT_EQ(::write(fd.get(), "an older and longer capture", 27), 27);
    }
    auto sink = FilePcapSink::open(path);
    ASSERT_TRUE(sink.has_value()) << sink.error();
    (*sink)->write(as_bytes(std::string_view{"new"}));
    EXPECT_EQ(read_file(path).size(), 3u);
}

TEST(FilePcapSink, RefusesAPathItCannotCreateNamingIt) {
    TemporaryDirectory directory;
    const std::string path = directory.path() + "/no/such/directory/capture.pcap";
    auto sink = FilePcapSink::open(path);
    ASSERT_TRUE(sink.is_error());
    EXPECT_NE(sink.error().find(path), std::string::npos) << sink.error();
    EXPECT_NE(sink.error().find("No such file or directory"), std::string::npos) << sink.error();
}

// /dev/full refuses every write with ENOSPC: the sink records the first
// failure and drops everything after it rather than leave half a record.
TEST(FilePcapSink, StopsAtTheFirstFailedWrite) {
    auto sink = FilePcapSink::open("/dev/full");
    if (sink.is_error()) {
        GTEST_SKIP() << "no /dev/full: " << sink.error();
    }
    std::array<std::byte, 100> bytes{};
    (*sink)->write(ByteView{bytes});
    ASSERT_TRUE((*sink)->error().has_value());
    EXPECT_EQ((*sink)->error()->number, ENOSPC);
    (*sink)->write(ByteView{bytes});
    EXPECT_EQ((*sink)->bytes_written(), 0u);
    EXPECT_EQ((*sink)->bytes_dropped(), 200u);
}

}  // namespace
}  // namespace oasis::unix_target
