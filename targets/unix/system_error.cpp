// SystemError's message text.
#include "targets/unix/system_error.hpp"

#include <string.h>

namespace oasis::unix_target {

std::string_view describe_errno(int number) {
    // strerrordesc_np (glibc 2.32) returns a static string and, unlike
    // strerror, shares no buffer between threads; null for unknown numbers.
    const char* text = ::strerrordesc_np(number);
    return text != nullptr ? std::string_view{text} : std::string_view{"unknown error"};
}

std::string SystemError::message() const {
    std::string text{operation};
    text += ": ";
    text += describe_errno(number);
    return text;
}

}  // namespace oasis::unix_target
