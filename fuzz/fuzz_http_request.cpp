// Fuzz target: the HTTP/1.1 request parser (services/http/parser.hpp), fed a stream in pieces.
//
// Input: a settings byte and cut positions (fuzz/http_fuzz_support.hpp), then
// the bytes a client sends. Checks: each feed uses at most its input, and all
// of it when it asks for more; state head comes once, before a body; a failed
// parser stays failed; each request holds within the limits and its method
// matches its token; the stream fed whole, cut where the input says, and
// (when short) a byte at a time gives the same requests, heads and ending.
#include "fuzz/http_fuzz_support.hpp"
#include "services/http/message.hpp"
#include "services/http/parser.hpp"

using namespace oasis;
using namespace oasis::fuzz;

namespace {

using Transcript = HttpTranscript<http::Request>;

Transcript parse(const std::vector<ByteView>& pieces, const http::Limits& limits) {
    http::RequestParser parser{limits};
    return run_http_parser<http::RequestParser, http::Request>(
        parser, pieces, limits, [](std::size_t) {}, false);
}

bool same_request(const http::Request& a, const http::Request& b) {
    return a.method == b.method && a.method_token == b.method_token && a.target == b.target;
}

void check_request(const http::Request& request) {
    FUZZ_CHECK(!request.method_token.empty() && !request.target.empty());
    FUZZ_CHECK(request.method == http::method_from_token(request.method_token));
    FUZZ_CHECK(request.version.major == 1 && request.version.minor <= 1);
    // RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host.
    FUZZ_CHECK(request.fields.count("Host") == 1 || request.version.minor == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const HttpInput input = read_http_input(input_bytes(data, size), 0);
    const http::Limits limits = http_limits(input.tight_limits);

    const Transcript whole = parse({input.stream}, limits);
    for (const http::Request& request : whole.messages) {
        check_request(request);
    }
    if (whole.end != http::ParseState::failed) {
        FUZZ_CHECK(whole.consumed == input.stream.size());
    }
    check_same_transcript(whole, parse(cut_stream(input.stream, input.cuts), limits), same_request);
    if (input.stream.size() <= 512) {
        check_same_transcript(whole, parse(bytes_one_by_one(input.stream), limits), same_request);
    }
    return 0;
}
