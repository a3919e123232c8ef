// FilePcapSink: a pcap capture written to a file on the host (what --pcap=FILE opens).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "net/pcap/pcap_writer.hpp"
#include "targets/unix/system_error.hpp"
#include "targets/unix/unique_fd.hpp"

namespace oasis::unix_target {

// Writes each header and record whole (retrying short writes and EINTR).
// A capture must never fail the data path (PcapSink's contract), so the
// first failed write is logged once, as a warning naming the file, and the
// sink then drops everything after it: a file that stops early is still a
// readable capture, one with half a record in the middle is not.
class FilePcapSink final : public net::PcapSink {
public:
    // Creates the file, or empties an existing one (mode 0644 before the
    // umask). The error is a sentence naming the file and the reason.
    static Result<std::unique_ptr<FilePcapSink>, std::string> open(const std::string& path);

    void write(ByteView bytes) override;

    const std::string& path() const { return m_path; }
    // The write that failed first, if one did.
    const std::optional<SystemError>& error() const { return m_error; }
    // Bytes written / dropped since the file was opened.
    std::uint64_t bytes_written() const { return m_bytes_written; }
    std::uint64_t bytes_dropped() const { return m_bytes_dropped; }

private:
    FilePcapSink(UniqueFd fd, std::string path) : m_fd(std::move(fd)), m_path(std::move(path)) {}

    UniqueFd m_fd;
    std::string m_path;
    std::optional<SystemError> m_error;
    std::uint64_t m_bytes_written = 0;
    std::uint64_t m_bytes_dropped = 0;
};

}  // namespace oasis::unix_target
