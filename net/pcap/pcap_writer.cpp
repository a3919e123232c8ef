// PcapWriter: the file header and the per-frame record header.
#include "net/pcap/pcap_writer.hpp"

#include <algorithm>
#include <array>

namespace oasis::net {

namespace {

constexpr std::int64_t nanoseconds_per_second = 1'000'000'000;

}  // namespace

PcapWriter::PcapWriter(PcapSink& sink, PcapOptions options) : m_sink(sink), m_options(options) {
    std::array<std::byte, file_header_size> header{};
    ByteWriter writer{MutableByteView{header}};
    const std::uint32_t magic =
        m_options.precision == PcapPrecision::nanoseconds ? magic_nanoseconds : magic_microseconds;
    // The header is exactly file_header_size bytes, so none of these can fail.
    (void)writer.put_u32_le(magic);
    (void)writer.put_u16_le(version_major);
    (void)writer.put_u16_le(version_minor);
    (void)writer.put_u32_le(0);  // thiszone: timestamps are UTC
    (void)writer.put_u32_le(0);  // sigfigs: unused by every reader
    (void)writer.put_u32_le(m_options.snaplen);
    (void)writer.put_u32_le(linktype_ethernet);
    OASIS_ASSERT(writer.remaining() == 0);
    m_sink.write(ByteView{header});
}

void PcapWriter::write(WallTime time, ByteView frame) {
    const std::int64_t since_epoch = std::max<std::int64_t>(time.nanoseconds_since_epoch, 0);
    const std::int64_t seconds = since_epoch / nanoseconds_per_second;
    std::int64_t fraction = since_epoch % nanoseconds_per_second;
    if (m_options.precision == PcapPrecision::microseconds) {
        fraction /= 1000;
    }
    const std::size_t captured = std::min<std::size_t>(frame.size(), m_options.snaplen);

    std::array<std::byte, record_header_size> header{};
    ByteWriter writer{MutableByteView{header}};
    (void)writer.put_u32_le(static_cast<std::uint32_t>(seconds));
    (void)writer.put_u32_le(static_cast<std::uint32_t>(fraction));
    (void)writer.put_u32_le(static_cast<std::uint32_t>(captured));
    (void)writer.put_u32_le(static_cast<std::uint32_t>(frame.size()));
    OASIS_ASSERT(writer.remaining() == 0);
    m_sink.write(ByteView{header});
    m_sink.write(ByteView{frame.span().first(captured)});
    ++m_frames_written;
}

void PcapWriter::write(Instant time, ByteView frame) {
    write(WallTime{m_options.boot_time.nanoseconds_since_epoch + time.time_since_epoch().count()},
          frame);
}

}  // namespace oasis::net
