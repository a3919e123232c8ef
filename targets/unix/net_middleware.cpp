// NetMiddleware: the fault injection and capture that --net-faults and --pcap put around a TAP.
#include "targets/unix/net_middleware.hpp"

#include "targets/unix/clock.hpp"

namespace oasis::unix_target {

Result<std::unique_ptr<NetMiddleware>, std::string> NetMiddleware::wrap(
    std::unique_ptr<dev::NetDevice> device, const net::FaultSpec& faults,
    const std::string& pcap_path) {
    std::unique_ptr<NetMiddleware> middleware{new NetMiddleware(std::move(device))};
    if (!pcap_path.empty()) {
        auto sink = FilePcapSink::open(pcap_path);
        if (sink.is_error()) {
            return Error{std::move(sink.error())};
        }
        middleware->m_sink = std::move(sink.value());
        // The capture stamps frames with the scheduler's monotonic clock;
        // the wall-clock time of its zero makes the stamps real dates.
        const Duration since_boot = monotonic_now() - Instant{};
        const WallTime boot_time{wall_now().nanoseconds_since_epoch - since_boot.count()};
        middleware->m_writer = std::make_unique<net::PcapWriter>(
            *middleware->m_sink, net::PcapOptions{.boot_time = boot_time});
        middleware->m_capture =
            std::make_unique<net::CapturingDevice>(*middleware->m_outermost, *middleware->m_writer);
        middleware->m_outermost = middleware->m_capture.get();
    }
    if (!faults.is_transparent()) {
        middleware->m_faults =
            std::make_unique<net::FaultInjectingDevice>(*middleware->m_outermost, faults);
        middleware->m_outermost = middleware->m_faults.get();
    }
    return middleware;
}

}  // namespace oasis::unix_target
