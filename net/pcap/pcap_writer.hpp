// PcapWriter: Ethernet frames in the classic libpcap file format, written through a sink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/buffer.hpp"
#include "core/time.hpp"

namespace oasis::net {

// Where a capture's bytes go. The writer hands over whole headers and whole
// records; the sink stores them (a file on the unix target, memory in tests).
// A sink that fails to store bytes deals with it itself (counts, stops): a
// capture is a debugging aid and never fails the data path.
class PcapSink {
public:
    virtual ~PcapSink() = default;
    virtual void write(ByteView bytes) = 0;
};

// A sink that keeps everything in memory.
class MemoryPcapSink final : public PcapSink {
public:
    void write(ByteView bytes) override {
        m_bytes.insert(m_bytes.end(), bytes.begin(), bytes.end());
    }
    ByteView bytes() const { return ByteView{m_bytes}; }
    void clear() { m_bytes.clear(); }

private:
    std::vector<std::byte> m_bytes;
};

// The resolution of the record timestamps; each has its own file magic.
enum class PcapPrecision {
    microseconds,
    nanoseconds,
};

struct PcapOptions {
    PcapPrecision precision = PcapPrecision::nanoseconds;
    // Longer frames are cut to this many bytes; the record keeps the length
    // on the wire, so readers show them as truncated.
    std::uint32_t snaplen = 65535;
    // The wall-clock time of Instant zero (the boot), for frames stamped with
    // an Instant. Left at zero, a virtual clock's captures start in 1970.
    WallTime boot_time{};
};

// Writes the classic libpcap format (the one every tool reads, not pcapng):
// a 24-byte file header, then a 16-byte record header before each frame. All
// fields are little-endian; readers tell the byte order from the magic.
//
// Contract: the file header goes to the sink when the writer is built, so a
// capture with no frames is still a valid file. Timestamps before the epoch
// are written as zero; seconds past 2106 wrap, as the format's 32 bits do.
class PcapWriter {
public:
    static constexpr std::uint32_t magic_microseconds = 0xa1b2c3d4;
    static constexpr std::uint32_t magic_nanoseconds = 0xa1b23c4d;
    static constexpr std::uint16_t version_major = 2;
    static constexpr std::uint16_t version_minor = 4;
    static constexpr std::uint32_t linktype_ethernet = 1;
    static constexpr std::size_t file_header_size = 24;
    static constexpr std::size_t record_header_size = 16;

    explicit PcapWriter(PcapSink& sink, PcapOptions options = {});
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;

    // One frame (an Ethernet II frame without the FCS) seen at `time`.
    void write(WallTime time, ByteView frame);
    // The same, stamped with the monotonic clock (options().boot_time + time).
    void write(Instant time, ByteView frame);

    const PcapOptions& options() const { return m_options; }
    std::uint64_t frames_written() const { return m_frames_written; }

private:
    PcapSink& m_sink;
    PcapOptions m_options;
    std::uint64_t m_frames_written = 0;
};

}  // namespace oasis::net
