// Tests of HTTP/1.1 messages: method and status names, field lookups, connection persistence.
#include "services/http/message.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace oasis::http {
namespace {

// The field lines of Chromium's navigation request, in its order and case.
Fields chromium_fields() {
    Fields fields;
    fields.add("Host", "127.0.0.1:8080");
    fields.add("Connection", "keep-alive");
    fields.add("Upgrade-Insecure-Requests", "1");
    fields.add("Accept-Encoding", "gzip, deflate, br");
    fields.add("Accept-Language", "en-US,en;q=0.9");
    return fields;
}

std::vector<std::string> field_texts(const Fields& fields) {
    std::vector<std::string> result;
    for (const Field& field : fields.lines()) {
        result.push_back(field.name + "=" + field.value);
    }
    return result;
}

TEST(HttpMethod, FromTokenIsCaseSensitive) {
    EXPECT_EQ(method_from_token("GET"), Method::get);
    EXPECT_EQ(method_from_token("HEAD"), Method::head);
    EXPECT_EQ(method_from_token("POST"), Method::post);
    EXPECT_EQ(method_from_token("PUT"), Method::put);
    EXPECT_EQ(method_from_token("DELETE"), Method::delete_);
    EXPECT_EQ(method_from_token("CONNECT"), Method::connect);
    EXPECT_EQ(method_from_token("OPTIONS"), Method::options);
    EXPECT_EQ(method_from_token("TRACE"), Method::trace);
    EXPECT_EQ(method_from_token("PATCH"), Method::patch);
    EXPECT_EQ(method_from_token("get"), Method::other);
    EXPECT_EQ(method_from_token("GETS"), Method::other);
    EXPECT_EQ(method_from_token(""), Method::other);
}

TEST(HttpMethod, NamesRoundTrip) {
    for (Method method : {Method::get, Method::head, Method::post, Method::put, Method::delete_,
                          Method::connect, Method::options, Method::trace, Method::patch}) {
        EXPECT_EQ(method_from_token(method_name(method)), method);
    }
    EXPECT_EQ(method_name(Method::delete_), "DELETE");
    EXPECT_EQ(method_name(Method::other), "");
}

TEST(HttpStatus, ReasonPhrases) {
    EXPECT_EQ(reason_phrase(100), "Continue");
    EXPECT_EQ(reason_phrase(200), "OK");
    EXPECT_EQ(reason_phrase(static_cast<std::uint16_t>(Status::not_found)), "Not Found");
    EXPECT_EQ(reason_phrase(304), "Not Modified");
    EXPECT_EQ(reason_phrase(413), "Content Too Large");
    EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
    EXPECT_EQ(reason_phrase(505), "HTTP Version Not Supported");
    EXPECT_EQ(reason_phrase(299), "");
    EXPECT_EQ(reason_phrase(0), "");
    EXPECT_EQ(reason_phrase(999), "");
}

TEST(HttpStatus, EveryNamedStatusHasAPhrase) {
    for (Status status : {Status::continue_,
                          Status::ok,
                          Status::no_content,
                          Status::partial_content,
                          Status::moved_permanently,
                          Status::found,
                          Status::see_other,
                          Status::not_modified,
                          Status::temporary_redirect,
                          Status::permanent_redirect,
                          Status::bad_request,
                          Status::forbidden,
                          Status::not_found,
                          Status::method_not_allowed,
                          Status::request_timeout,
                          Status::length_required,
                          Status::precondition_failed,
                          Status::content_too_large,
                          Status::uri_too_long,
                          Status::range_not_satisfiable,
                          Status::expectation_failed,
                          Status::request_header_fields_too_large,
                          Status::internal_server_error,
                          Status::not_implemented,
                          Status::service_unavailable,
                          Status::version_not_supported}) {
        EXPECT_FALSE(reason_phrase(static_cast<std::uint16_t>(status)).empty())
            << static_cast<int>(status);
    }
}

TEST(HttpFields, EqualsIgnoringCase) {
    EXPECT_TRUE(equals_ignoring_case("Content-Length", "content-length"));
    EXPECT_TRUE(equals_ignoring_case("", ""));
    EXPECT_FALSE(equals_ignoring_case("Content-Length", "Content-Lengt"));
    EXPECT_FALSE(equals_ignoring_case("a", "b"));
    // ASCII only: '@' and '`' sit next to the letters.
    EXPECT_FALSE(equals_ignoring_case("@", "`"));
    EXPECT_FALSE(equals_ignoring_case("[", "{"));
}

TEST(HttpFields, GetAndCountIgnoreCase) {
    Fields fields = chromium_fields();
    EXPECT_EQ(fields.size(), 5u);
    EXPECT_EQ(fields.get("host"), "127.0.0.1:8080");
    EXPECT_EQ(fields.get("ACCEPT-ENCODING"), "gzip, deflate, br");
    EXPECT_EQ(fields.get("Accept"), std::nullopt);
    fields.add("accept-language", "fr");
    EXPECT_EQ(fields.count("Accept-Language"), 2u);
    EXPECT_EQ(fields.get("Accept-Language"), "en-US,en;q=0.9") << "the first line";
    EXPECT_EQ(fields.lines().back().name, "accept-language") << "names keep their case";
}

TEST(HttpFields, SetReplacesEveryLineInPlace) {
    Fields fields = chromium_fields();
    fields.add("connection", "Upgrade");
    fields.set("CONNECTION", "close");
    EXPECT_EQ(field_texts(fields),
              (std::vector<std::string>{
                  "Host=127.0.0.1:8080", "CONNECTION=close", "Upgrade-Insecure-Requests=1",
                  "Accept-Encoding=gzip, deflate, br", "Accept-Language=en-US,en;q=0.9"}));
    fields.set("Content-Length", "0");
    EXPECT_EQ(fields.size(), 6u);
    EXPECT_EQ(fields.lines().back().name, "Content-Length");
}

TEST(HttpFields, Remove) {
    Fields fields = chromium_fields();
    fields.add("connection", "Upgrade");
    fields.remove("Connection");
    EXPECT_EQ(fields.count("connection"), 0u);
    EXPECT_EQ(fields.size(), 4u);
    fields.remove("Not-There");
    EXPECT_EQ(fields.size(), 4u);
    EXPECT_FALSE(fields.empty());
}

TEST(HttpFields, ListContains) {
    Fields fields;
    fields.add("Connection", "keep-alive, Upgrade");
    fields.add("Transfer-Encoding", "gzip ,\tchunked");
    fields.add("Accept-Encoding", "gzip, deflate, br");
    fields.add("connection", "  TE  ");
    EXPECT_TRUE(fields.list_contains("Connection", "upgrade"));
    EXPECT_TRUE(fields.list_contains("connection", "Keep-Alive"));
    EXPECT_TRUE(fields.list_contains("Connection", "te")) << "over every line of the field";
    EXPECT_TRUE(fields.list_contains("Transfer-Encoding", "chunked"));
    EXPECT_TRUE(fields.list_contains("Transfer-Encoding", "GZIP"));
    EXPECT_FALSE(fields.list_contains("Connection", "close"));
    EXPECT_FALSE(fields.list_contains("Connection", "keep"));
    EXPECT_FALSE(fields.list_contains("Accept-Encoding", "gzip, deflate"));
    EXPECT_FALSE(fields.list_contains("Upgrade", "keep-alive")) << "only the field named";
}

Request request_with(Version version, std::string_view connection) {
    Request request;
    request.version = version;
    request.fields.add("Host", "example.com");
    if (!connection.empty()) {
        request.fields.add("Connection", std::string{connection});
    }
    return request;
}

TEST(HttpRequest, KeepsAlive) {
    EXPECT_TRUE(request_with({1, 1}, "").keeps_alive());
    EXPECT_TRUE(request_with({1, 1}, "keep-alive").keeps_alive());
    EXPECT_FALSE(request_with({1, 1}, "close").keeps_alive());
    EXPECT_FALSE(request_with({1, 1}, "Upgrade, Close").keeps_alive());
    EXPECT_FALSE(request_with({1, 0}, "").keeps_alive());
    EXPECT_TRUE(request_with({1, 0}, "Keep-Alive").keeps_alive());
    EXPECT_FALSE(request_with({1, 0}, "keep-alive, close").keeps_alive());
}

}  // namespace
}  // namespace oasis::http
