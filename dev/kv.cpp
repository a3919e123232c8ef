// The key syntax shared by every KeyValueStore.
#include "dev/kv.hpp"

namespace oasis::dev {

namespace {
constexpr std::size_t max_key_length = 4096;
}

Result<std::vector<std::string_view>, KvError> split_kv_key(std::string_view key) {
    if (key.size() > max_key_length || key.find('\0') != std::string_view::npos) {
        return Error{KvError::invalid_key};
    }
    if (!key.empty() && key.front() == '/') {
        key.remove_prefix(1);
    }
    std::vector<std::string_view> segments;
    while (!key.empty()) {
        const std::size_t slash = key.find('/');
        const std::string_view segment = key.substr(0, slash);
        if (segment.empty() || segment == "." || segment == "..") {
            return Error{KvError::invalid_key};
        }
        segments.push_back(segment);
        key = slash == std::string_view::npos ? std::string_view{} : key.substr(slash + 1);
        if (slash != std::string_view::npos && key.empty()) {
            break;  // one trailing '/' names the same dictionary
        }
    }
    return segments;
}

}  // namespace oasis::dev
