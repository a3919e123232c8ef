// NetMiddleware: the fault injection and capture that --net-faults and --pcap put around a TAP.
#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "dev/net.hpp"
#include "net/fault/capturing_device.hpp"
#include "net/fault/fault_injecting_device.hpp"
#include "net/fault/fault_spec.hpp"
#include "net/pcap/pcap_writer.hpp"
#include "targets/unix/pcap_file.hpp"

namespace oasis::unix_target {

// One host device and the wrappers around it. The unikernel gets
// FaultInjecting(Capturing(host device)): the capture sits next to the host
// link, so it shows the frames that actually crossed it (a lost frame is
// never written; a delayed one is written when it leaves).
//
// Members are declared innermost first, so they are destroyed outermost
// first: each wrapper dies before what it wraps.
class NetMiddleware {
public:
    // Wraps `device` in what is asked for: faults unless `faults` is
    // transparent, a capture into `pcap_path` unless it is empty. The error
    // is a sentence naming the capture file.
    static Result<std::unique_ptr<NetMiddleware>, std::string> wrap(
        std::unique_ptr<dev::NetDevice> device, const net::FaultSpec& faults,
        const std::string& pcap_path);

    // What the unikernel uses: the outermost wrapper, or the device itself.
    dev::NetDevice& device() { return *m_outermost; }

private:
    explicit NetMiddleware(std::unique_ptr<dev::NetDevice> device)
        : m_host(std::move(device)), m_outermost(m_host.get()) {}

    std::unique_ptr<dev::NetDevice> m_host;
    std::unique_ptr<FilePcapSink> m_sink;
    std::unique_ptr<net::PcapWriter> m_writer;
    std::unique_ptr<net::CapturingDevice> m_capture;
    std::unique_ptr<net::FaultInjectingDevice> m_faults;
    dev::NetDevice* m_outermost;
};

}  // namespace oasis::unix_target
