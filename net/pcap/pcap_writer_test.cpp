// Tests of PcapWriter: exact header bytes, truncation, timestamps, and tshark reading a capture.
#include "net/pcap/pcap_writer.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace oasis::net {
namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int value : values) {
        out.push_back(static_cast<std::byte>(value));
    }
    return out;
}

// Three frames as Linux would send them between 10.0.0.1 (02:00:00:00:00:01)
// and 10.0.0.2 (02:00:00:00:00:02); checksums computed independently with a
// Python script and verified by tshark below.
// An ARP request who-has 10.0.0.2 tell 10.0.0.1 (RFC 826).
const std::vector<std::byte> arp_request = bytes_of({
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x02,
});
// An ICMP echo request, id 0x1234 sequence 1, payload "oasis ping".
const std::vector<std::byte> icmp_echo = bytes_of({
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08,
    0x00, 0x45, 0x00, 0x00, 0x26, 0x00, 0x01, 0x40, 0x00, 0x40, 0x01, 0x26, 0xd4,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x08, 0x00, 0xb1, 0x0e, 0x12,
    0x34, 0x00, 0x01, 0x6f, 0x61, 0x73, 0x69, 0x73, 0x20, 0x70, 0x69, 0x6e, 0x67,
});
// A UDP datagram 10.0.0.1:40000 -> 10.0.0.2:9 (discard), payload "hello".
const std::vector<std::byte> udp_datagram = bytes_of({
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x21, 0x00, 0x02, 0x40, 0x00, 0x40, 0x11, 0x26, 0xc8, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00,
    0x00, 0x02, 0x9c, 0x40, 0x00, 0x09, 0x00, 0x0d, 0x0b, 0xb6, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
});

std::vector<std::byte> to_vector(ByteView view) {
    return std::vector<std::byte>(view.begin(), view.end());
}

TEST(PcapWriter, WritesTheNanosecondFileHeaderAtOnce) {
    MemoryPcapSink sink;
    PcapWriter writer{sink};
    EXPECT_EQ(to_vector(sink.bytes()), bytes_of({
                                           0x4d, 0x3c, 0xb2, 0xa1,  // magic, nanoseconds
                                           0x02, 0x00, 0x04, 0x00,  // version 2.4
                                           0x00, 0x00, 0x00, 0x00,  // thiszone
                                           0x00, 0x00, 0x00, 0x00,  // sigfigs
                                           0xff, 0xff, 0x00, 0x00,  // snaplen 65535
                                           0x01, 0x00, 0x00, 0x00,  // LINKTYPE_ETHERNET
                                       }));
    EXPECT_EQ(writer.frames_written(), 0u);
}

TEST(PcapWriter, MicrosecondFilesUseTheClassicMagic) {
    MemoryPcapSink sink;
    PcapWriter writer{sink, PcapOptions{.precision = PcapPrecision::microseconds}};
    ASSERT_EQ(sink.bytes().size(), PcapWriter::file_header_size);
    EXPECT_EQ(sink.bytes().read_u32_le(0).value(), 0xa1b2c3d4u);
}

TEST(PcapWriter, RecordHeaderCarriesTimeAndLengths) {
    MemoryPcapSink sink;
    PcapWriter writer{sink};
    // 1700000000.123456789 s after the epoch.
    writer.write(WallTime{1'700'000'000'123'456'789}, ByteView{arp_request});
    ByteView record = sink.bytes().sub(PcapWriter::file_header_size).value();
    ASSERT_EQ(record.size(), PcapWriter::record_header_size + arp_request.size());
    EXPECT_EQ(record.read_u32_le(0).value(), 1'700'000'000u);
    EXPECT_EQ(record.read_u32_le(4).value(), 123'456'789u);
    EXPECT_EQ(record.read_u32_le(8).value(), 42u);
    EXPECT_EQ(record.read_u32_le(12).value(), 42u);
    EXPECT_EQ(to_vector(record.sub(16).value()), arp_request);
    EXPECT_EQ(writer.frames_written(), 1u);
}

TEST(PcapWriter, MicrosecondRecordsDropTheNanoseconds) {
    MemoryPcapSink sink;
    PcapWriter writer{sink, PcapOptions{.precision = PcapPrecision::microseconds}};
    writer.write(WallTime{5'999'999'999}, ByteView{arp_request});
    ByteView record = sink.bytes().sub(PcapWriter::file_header_size).value();
    EXPECT_EQ(record.read_u32_le(0).value(), 5u);
    EXPECT_EQ(record.read_u32_le(4).value(), 999'999u);
}

TEST(PcapWriter, FramesLongerThanTheSnaplenAreCut) {
    MemoryPcapSink sink;
    PcapWriter writer{sink, PcapOptions{.snaplen = 20}};
    writer.write(WallTime{}, ByteView{icmp_echo});
    ByteView record = sink.bytes().sub(PcapWriter::file_header_size).value();
    ASSERT_EQ(record.size(), PcapWriter::record_header_size + 20);
    EXPECT_EQ(record.read_u32_le(8).value(), 20u);
    EXPECT_EQ(record.read_u32_le(12).value(), icmp_echo.size());
    EXPECT_EQ(to_vector(record.sub(16).value()),
              std::vector<std::byte>(icmp_echo.begin(), icmp_echo.begin() + 20));
}

TEST(PcapWriter, InstantsCountFromTheBootTime) {
    MemoryPcapSink sink;
    PcapWriter writer{sink, PcapOptions{.boot_time = WallTime{1'000'000'000'000'000'000}}};
    writer.write(Instant{2500ms}, ByteView{arp_request});
    ByteView record = sink.bytes().sub(PcapWriter::file_header_size).value();
    EXPECT_EQ(record.read_u32_le(0).value(), 1'000'000'002u);
    EXPECT_EQ(record.read_u32_le(4).value(), 500'000'000u);
}

TEST(PcapWriter, TimesBeforeTheEpochBecomeZero) {
    MemoryPcapSink sink;
    PcapWriter writer{sink};
    writer.write(WallTime{-5}, ByteView{arp_request});
    ByteView record = sink.bytes().sub(PcapWriter::file_header_size).value();
    EXPECT_EQ(record.read_u32_le(0).value(), 0u);
    EXPECT_EQ(record.read_u32_le(4).value(), 0u);
}

// Runs `command` and returns its standard output, or nothing if it failed.
std::optional<std::string> run_command(const std::string& command) {
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return std::nullopt;
    }
    std::string output;
    char buffer[4096];
    std::size_t count = 0;
    while ((count = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        output.append(buffer, count);
    }
    if (pclose(pipe) != 0) {
        return std::nullopt;
    }
    return output;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

// Writes `bytes` to a fresh temporary file and returns its name.
std::string write_temporary_file(ByteView bytes) {
    std::string name = "/tmp/oasis_pcap_test_XXXXXX";
    int descriptor = mkstemp(name.data());
    EXPECT_GE(descriptor, 0);
    EXPECT_EQ(::write(descriptor, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    close(descriptor);
    return name;
}

TEST(PcapWriter, TsharkReadsTheCapture) {
    if (!run_command("command -v tshark >/dev/null 2>&1 && echo yes")) {
        GTEST_SKIP() << "tshark is not installed (scripts/install-deps installs it)";
    }
    MemoryPcapSink sink;
    PcapWriter writer{sink};
    writer.write(WallTime{1'700'000'000'000'000'001}, ByteView{arp_request});
    writer.write(WallTime{1'700'000'000'250'000'000}, ByteView{icmp_echo});
    writer.write(WallTime{1'700'000'001'000'000'000}, ByteView{udp_datagram});
    const std::string file = write_temporary_file(sink.bytes());

    // Checksum validation on, so a wrong fixture shows as a bad checksum.
    const std::string command =
        "tshark -n -r " + file +
        " -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE"
        " -T fields -E separator=, -e frame.time_epoch -e frame.protocols"
        " -e ip.checksum.status -e udp.checksum.status -e icmp.checksum.status 2>/dev/null";
    std::optional<std::string> output = run_command(command);
    std::remove(file.c_str());
    ASSERT_TRUE(output.has_value()) << "tshark failed to read the capture";

    std::vector<std::string> lines = lines_of(*output);
    ASSERT_EQ(lines.size(), 3u) << *output;
    // The *.checksum.status fields: 1 means "good".
    EXPECT_EQ(lines[0], "1700000000.000000001,eth:ethertype:arp,,,");
    EXPECT_EQ(lines[1], "1700000000.250000000,eth:ethertype:ip:icmp:data,1,,1");
    EXPECT_EQ(lines[2], "1700000001.000000000,eth:ethertype:ip:udp:data,1,1,");
}

}  // namespace
}  // namespace oasis::net
