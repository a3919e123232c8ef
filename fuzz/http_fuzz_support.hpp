// What the HTTP parser fuzz targets share: the input's settings and cuts, and a checked run.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "services/http/parser.hpp"

namespace oasis::fuzz {

// The input: a settings byte, `extra` bytes the target reads itself, two
// bytes per cut (big-endian, taken modulo the stream's length), then the
// stream. Settings: bit 0 picks tight limits, bits 1-3 the number of cuts,
// bit 4 whether the connection closes after the stream.
struct HttpInput {
    bool tight_limits = false;
    bool close = false;
    ByteView extra;
    std::vector<std::size_t> cuts;  // ascending positions inside the stream
    ByteView stream;
};

inline HttpInput read_http_input(ByteView input, std::size_t extra_size) {
    HttpInput parsed;
    const std::uint8_t settings = input.empty() ? 0 : input.read_u8(0).value();
    parsed.tight_limits = (settings & 1) != 0;
    parsed.close = (settings & 0x10) != 0;
    const std::size_t cut_count = (settings >> 1) & 7;
    const std::size_t header = std::min(input.size(), 1 + extra_size + 2 * cut_count);
    const std::size_t extra_start = std::min<std::size_t>(1, header);
    const std::size_t extra_end = std::min(header, 1 + extra_size);
    parsed.extra = input.slice(extra_start, extra_end - extra_start).value();
    parsed.stream = input.sub(header).value();
    for (std::size_t index = 0; index < cut_count; ++index) {
        const std::size_t offset = 1 + extra_size + 2 * index;
        const std::size_t position =
            input.contains(offset, 2) ? input.read_u16_be(offset).value() : 0;
        parsed.cuts.push_back(parsed.stream.empty() ? 0 : position % (parsed.stream.size() + 1));
    }
    std::sort(parsed.cuts.begin(), parsed.cuts.end());
    return parsed;
}

// Limits small enough that the fuzzer reaches every one of them.
inline http::Limits http_limits(bool tight) {
    if (!tight) {
        return {};
    }
    return http::Limits{.max_start_line = 40,
                        .max_field_count = 4,
                        .max_fields_size = 120,
                        .max_body = 64,
                        .max_chunk_line = 16};
}

inline std::vector<ByteView> cut_stream(ByteView stream, const std::vector<std::size_t>& cuts) {
    std::vector<ByteView> pieces;
    std::size_t start = 0;
    for (std::size_t cut : cuts) {
        pieces.push_back(stream.slice(start, cut - start).value());
        start = cut;
    }
    pieces.push_back(stream.sub(start).value());
    return pieces;
}

inline std::vector<ByteView> bytes_one_by_one(ByteView stream) {
    std::vector<ByteView> pieces;
    for (std::size_t index = 0; index < stream.size(); ++index) {
        pieces.push_back(stream.slice(index, 1).value());
    }
    return pieces;
}

// What a stream parsed into. Two feeds of the same bytes, however they were
// cut, must give equal transcripts.
template <typename Message>
struct HttpTranscript {
    std::vector<Message> messages;
    std::size_t heads = 0;
    std::size_t consumed = 0;
    http::ParseState end = http::ParseState::incomplete;
    std::optional<http::ParseError> error;
};

inline bool same_fields(const http::Fields& a, const http::Fields& b) {
    return std::equal(a.lines().begin(), a.lines().end(), b.lines().begin(), b.lines().end(),
                      [](const http::Field& x, const http::Field& y) {
                          return x.name == y.name && x.value == y.value;
                      });
}

// A field section within its limits. Each line held at least its name, the
// colon, its value and a line ending.
inline void check_fields(const http::Fields& fields, const http::Limits& limits) {
    FUZZ_CHECK(fields.size() <= limits.max_field_count);
    std::size_t bytes = 0;
    for (const http::Field& field : fields.lines()) {
        FUZZ_CHECK(!field.name.empty());
        bytes += field.name.size() + 1 + field.value.size() + 1;
    }
    FUZZ_CHECK(bytes <= limits.max_fields_size);
}

// Feeds `pieces` in order, taking each message, and checks on the way what
// holds after every feed. `expect_next` is called before each message
// (ResponseParser::expect); `close` ends with ResponseParser::finish().
template <typename Parser, typename Message, typename ExpectNext>
HttpTranscript<Message> run_http_parser(Parser& parser, const std::vector<ByteView>& pieces,
                                        const http::Limits& limits, ExpectNext expect_next,
                                        bool close) {
    HttpTranscript<Message> transcript;
    std::size_t heads_of_message = 0;
    const auto take = [&] {
        Message message = parser.take();
        FUZZ_CHECK(message.body.size() <= limits.max_body);
        check_fields(message.fields, limits);
        check_fields(message.trailers, limits);
        // A body always comes after a stop at its head.
        FUZZ_CHECK(message.body.empty() || heads_of_message == 1);
        FUZZ_CHECK(parser.state() == http::ParseState::incomplete);
        transcript.messages.push_back(std::move(message));
        heads_of_message = 0;
        expect_next(transcript.messages.size());
    };
    expect_next(0);
    for (ByteView piece : pieces) {
        while (true) {
            const http::ParseProgress progress = parser.feed(piece);
            FUZZ_CHECK(progress.consumed <= piece.size());
            FUZZ_CHECK(progress.state == parser.state());
            transcript.consumed += progress.consumed;
            piece = piece.sub(progress.consumed).value();
            if (progress.state == http::ParseState::head) {
                FUZZ_CHECK(parser.head().body.empty());
                FUZZ_CHECK(++heads_of_message == 1);
                ++transcript.heads;
            } else if (progress.state == http::ParseState::complete) {
                take();
            } else if (progress.state == http::ParseState::failed) {
                // Once failed, always failed, for the same reason.
                const http::ParseError error = parser.error();
                FUZZ_CHECK(parser.feed(piece).consumed == 0);
                FUZZ_CHECK(parser.state() == http::ParseState::failed);
                FUZZ_CHECK(parser.error() == error);
                transcript.end = http::ParseState::failed;
                transcript.error = error;
                return transcript;
            } else {
                FUZZ_CHECK(piece.empty());  // more is needed only when all was used
                break;
            }
        }
    }
    if constexpr (std::is_same_v<Parser, http::ResponseParser>) {
        if (close && parser.finish() == http::ParseState::complete) {
            take();
        }
    }
    transcript.end = parser.state();
    if (transcript.end == http::ParseState::failed) {
        transcript.error = parser.error();
    }
    return transcript;
}

// Two transcripts of the same bytes agree, message by message.
template <typename Message, typename SameMessage>
void check_same_transcript(const HttpTranscript<Message>& a, const HttpTranscript<Message>& b,
                           SameMessage same_message) {
    FUZZ_CHECK(a.messages.size() == b.messages.size());
    for (std::size_t index = 0; index < a.messages.size(); ++index) {
        const Message& x = a.messages[index];
        const Message& y = b.messages[index];
        FUZZ_CHECK(same_message(x, y));
        FUZZ_CHECK(x.version == y.version && x.body == y.body);
        FUZZ_CHECK(same_fields(x.fields, y.fields) && same_fields(x.trailers, y.trailers));
    }
    FUZZ_CHECK(a.heads == b.heads);
    FUZZ_CHECK(a.end == b.end);
    FUZZ_CHECK(a.error == b.error);
    // Up to a failure the bytes used may differ with the cuts; without one
    // every byte was used.
    if (a.end != http::ParseState::failed) {
        FUZZ_CHECK(a.consumed == b.consumed);
    }
}

}  // namespace oasis::fuzz
