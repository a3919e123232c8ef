// FilePcapSink: a pcap capture written to a file on the host.
#include "targets/unix/pcap_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/log.hpp"

namespace oasis::unix_target {

namespace {
constinit LogSource log{"unix.pcap"};
}  // namespace

Result<std::unique_ptr<FilePcapSink>, std::string> FilePcapSink::open(const std::string& path) {
    UniqueFd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644)};
    if (!fd) {
        return Error{"cannot create capture file " + path + ": " +
                     std::string{describe_errno(errno)}};
    }
    return std::unique_ptr<FilePcapSink>{new FilePcapSink(std::move(fd), path)};
}

void FilePcapSink::write(ByteView bytes) {
    if (m_error) {
        m_bytes_dropped += bytes.size();
        return;
    }
    while (!bytes.empty()) {
        const ssize_t written = ::write(m_fd.get(), bytes.data(), bytes.size());
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            // write() returning 0 for a non-empty buffer is no progress: treat it as ENOSPC.
            m_error = SystemError{"write", written < 0 ? errno : ENOSPC};
            m_bytes_dropped += bytes.size();
            log.warning("capture file {}: {}; the capture stops here", m_path, m_error->message());
            return;
        }
        const auto count = static_cast<std::size_t>(written);
        m_bytes_written += count;
        bytes = ByteView{bytes.data() + count, bytes.size() - count};
    }
}

}  // namespace oasis::unix_target
