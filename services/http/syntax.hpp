// RFC 9110 §5.6's common syntax for the HTTP code: whitespace, tokens, comma-separated lists.
#pragma once

#include <cstddef>
#include <string_view>

namespace oasis::http::syntax {

// OWS and BWS are made of these (RFC 9110 §5.6.3).
constexpr bool is_optional_whitespace(char c) {
    return c == ' ' || c == '\t';
}

// tchar (RFC 9110 §5.6.2): a letter, a digit, or one of "!#$%&'*+-.^_`|~".
constexpr bool is_token_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}

constexpr bool is_token(std::string_view text) {
    for (char c : text) {
        if (!is_token_char(c)) {
            return false;
        }
    }
    return !text.empty();
}

constexpr std::string_view trim_optional_whitespace(std::string_view text) {
    while (!text.empty() && is_optional_whitespace(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_optional_whitespace(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// Calls `visit` with each element of the list `value` (RFC 9110 §5.6.1),
// OWS trimmed, empty elements included: the caller decides what they mean.
template <typename Visit>
constexpr void for_each_list_element(std::string_view value, Visit visit) {
    while (true) {
        const std::size_t comma = value.find(',');
        visit(trim_optional_whitespace(value.substr(0, comma)));
        if (comma == std::string_view::npos) {
            return;
        }
        value.remove_prefix(comma + 1);
    }
}

}  // namespace oasis::http::syntax
