// Fuzz target: the HTTP/1.1 response parser (services/http/parser.hpp), fed a stream in pieces.
//
// Input: a settings byte, four bytes naming the methods of the requests the
// responses answer (in turn), and cut positions (fuzz/http_fuzz_support.hpp),
// then the bytes a server sends; the settings say whether the connection
// closes after them (finish()). Checks: each feed uses at most its input, and
// all of it when it asks for more; state head comes once, before a body; a
// failed parser stays failed; each response holds within the limits, is a
// final one, and has no body where its request or status allows none; the
// stream fed whole, cut where the input says, and (when short) a byte at a
// time gives the same responses, heads and ending.
#include <array>

#include "fuzz/http_fuzz_support.hpp"
#include "services/http/message.hpp"
#include "services/http/parser.hpp"

using namespace oasis;
using namespace oasis::fuzz;

namespace {

using Transcript = HttpTranscript<http::Response>;

constexpr std::array<http::Method, 8> methods{
    http::Method::get,     http::Method::head,    http::Method::post,  http::Method::put,
    http::Method::connect, http::Method::options, http::Method::patch, http::Method::delete_};

// The method of the request that response `index` answers.
http::Method method_for(ByteView choices, std::size_t index) {
    if (choices.empty()) {
        return http::Method::get;
    }
    return methods[choices.read_u8(index % choices.size()).value() % methods.size()];
}

Transcript parse(const std::vector<ByteView>& pieces, const HttpInput& input,
                 const http::Limits& limits) {
    http::ResponseParser parser{limits};
    Transcript transcript = run_http_parser<http::ResponseParser, http::Response>(
        parser, pieces, limits,
        [&](std::size_t index) { parser.expect(method_for(input.extra, index)); }, input.close);
    for (std::size_t index = 0; index < transcript.messages.size(); ++index) {
        const http::Response& response = transcript.messages[index];
        // RFC 9112 §6.3 item 1: never a body for these.
        const http::Method method = method_for(input.extra, index);
        if (method == http::Method::head || response.status < 200 || response.status == 204 ||
            response.status == 304) {
            FUZZ_CHECK(response.body.empty());
        }
    }
    return transcript;
}

bool same_response(const http::Response& a, const http::Response& b) {
    return a.status == b.status && a.reason == b.reason;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const HttpInput input = read_http_input(input_bytes(data, size), 4);
    const http::Limits limits = http_limits(input.tight_limits);

    const Transcript whole = parse({input.stream}, input, limits);
    for (const http::Response& response : whole.messages) {
        // Interim responses are skipped; 101 is the only 1xx that ends one.
        FUZZ_CHECK(response.status >= 200 || response.status == 101);
        FUZZ_CHECK(response.status <= 599);
        FUZZ_CHECK(response.version.major == 1);
    }
    if (whole.end != http::ParseState::failed) {
        FUZZ_CHECK(whole.consumed == input.stream.size());
    }
    check_same_transcript(whole, parse(cut_stream(input.stream, input.cuts), input, limits),
                          same_response);
    if (input.stream.size() <= 512) {
        check_same_transcript(whole, parse(bytes_one_by_one(input.stream), input, limits),
                              same_response);
    }
    return 0;
}
