// Tests of the request-target decoding and the redirect list of StaticFiles.
#include "services/http/static_files.hpp"

#include <gtest/gtest.h>

namespace oasis::http {
namespace {

TEST(PathForTarget, DecodesOriginAndAbsoluteForms) {
    EXPECT_EQ(path_for_target("/").value(), "/");
    EXPECT_EQ(path_for_target("/a/b.html?x=1&y=%41").value(), "/a/b.html");
    EXPECT_EQ(path_for_target("/caf%C3%A9%20menu.txt").value(), "/caf\xc3\xa9 menu.txt");
    EXPECT_EQ(path_for_target("http://example.org/docs/").value(), "/docs/");
    EXPECT_EQ(path_for_target("HTTP://example.org").value(), "/");
    EXPECT_EQ(path_for_target("http://example.org?q").value(), "/");
    EXPECT_EQ(path_for_target("/dots.in.names/..hidden/...").value(),
              "/dots.in.names/..hidden/...");
}

TEST(PathForTarget, RefusesWhatCouldLeaveTheStore) {
    for (const char* target :
         {"*", "example.org:443", "", "a/b", "/../etc/passwd", "/a/./b", "/a/..", "/%2e%2e/x",
          "/%2E/", "/a%2f..%2fb/..", "/%00", "/%", "/%4", "/%G0", "/%0g"}) {
        EXPECT_FALSE(path_for_target(target).has_value()) << target;
    }
}

TEST(ParseRedirects, ReadsRulesAndSkipsCommentsAndBlankLines) {
    auto rules = parse_redirects("# comment\n\n/old /new\r\n  /a\thttps://b.example/c  302\n");
    ASSERT_TRUE(rules.has_value()) << rules.error();
    ASSERT_EQ(rules->size(), 2u);
    EXPECT_EQ((*rules)[0].path, "/old");
    EXPECT_EQ((*rules)[0].location, "/new");
    EXPECT_EQ((*rules)[0].status, 301);
    EXPECT_EQ((*rules)[1].path, "/a");
    EXPECT_EQ((*rules)[1].location, "https://b.example/c");
    EXPECT_EQ((*rules)[1].status, 302);
    EXPECT_TRUE(parse_redirects("").value().empty());
}

TEST(ParseRedirects, NamesTheBadLine) {
    EXPECT_EQ(parse_redirects("/a /b\n/c\n").error(), "line 2: expected PATH LOCATION [STATUS]");
    EXPECT_EQ(parse_redirects("a /b\n").error(), "line 1: the path must start with '/'");
    EXPECT_EQ(parse_redirects("\n/a /b 200\n").error(),
              "line 2: the status must be 301, 302, 303, 307 or 308");
    EXPECT_EQ(parse_redirects("/a /b 30x\n").error(),
              "line 1: the status must be 301, 302, 303, 307 or 308");
    EXPECT_EQ(parse_redirects("/a /b 301 extra\n").error(),
              "line 1: expected PATH LOCATION [STATUS]");
}

}  // namespace
}  // namespace oasis::http
