// Tests of BakedKeyValueStore: lookups, listings, partial reads and refused keys over a baked
// table.
#include "dev/baked_kv.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/sha256.hpp"
#include "core/scheduler.hpp"
#include "core/virtual_platform.hpp"

namespace oasis::dev {
namespace {

using namespace std::string_view_literals;

template <typename T>
Task<void> store_result(Task<T> task, std::optional<T>* out) {
    out->emplace(co_await std::move(task));
}

// The store never suspends, but its calls are coroutines: run one to its end.
template <typename T>
T run(Task<T> task) {
    VirtualPlatform platform;
    Scheduler scheduler{platform};
    std::optional<T> result;
    (void)scheduler.spawn(store_result(std::move(task), &result));
    scheduler.run_until_idle();
    if (!result) {
        ADD_FAILURE() << "the task did not finish";
        panic("the task did not finish");
    }
    return std::move(*result);
}

Sha256Digest digest_of(std::string_view text) {
    return crypto::sha256(std::as_bytes(std::span{text}));
}

std::string text(const std::vector<std::byte>& bytes) {
    return std::string{reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::vector<std::string> names(const std::vector<KvEntry>& entries) {
    std::vector<std::string> out;
    for (const KvEntry& entry : entries) {
        out.push_back(entry.name + (entry.kind == KvKind::dictionary ? "/" : ""));
    }
    return out;
}

// Keys chosen so that byte order and name order disagree: "a/x-1" and
// "a/x.txt" sort before the dictionary "a/x/".
const std::vector<BakedValue> table{
    {"a/x-1", "dash", digest_of("dash"), WallTime{1}},
    {"a/x.txt", "dot", digest_of("dot"), WallTime{2}},
    {"a/x/deep", "deep", digest_of("deep"), WallTime{3}},
    {"a/x/deeper/z", "z", digest_of("z"), WallTime{4}},
    {"b", "with\0nul"sv, digest_of("with\0nul"sv), WallTime{5}},
    {"empty", "", digest_of(""), WallTime{6}},
};

TEST(BakedKvTest, GetsValuesWithAndWithoutALeadingSlash) {
    BakedKeyValueStore store{table};
    EXPECT_EQ(text(run(store.get("a/x.txt")).value()), "dot");
    EXPECT_EQ(text(run(store.get("/a/x/deep")).value()), "deep");
    EXPECT_EQ(text(run(store.get("b")).value()), "with\0nul"sv);
    EXPECT_TRUE(run(store.get("empty")).value().empty());
}

TEST(BakedKvTest, SizeDigestAndTimeAreTheBakedOnes) {
    BakedKeyValueStore store{table};
    EXPECT_EQ(run(store.size("b")).value(), 8u);
    EXPECT_EQ(run(store.size("empty")).value(), 0u);
    // SHA-256 of the empty string (FIPS 180-4 test vector).
    EXPECT_EQ(crypto::to_hex(run(store.digest("empty")).value()),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(run(store.digest("a/x-1")).value(), digest_of("dash"));
    EXPECT_EQ(run(store.last_modified("a/x/deep")).value(), WallTime{3});
}

TEST(BakedKvTest, DictionariesAreImpliedByKeys) {
    BakedKeyValueStore store{table};
    EXPECT_EQ(run(store.kind("")).value(), KvKind::dictionary);
    EXPECT_EQ(run(store.kind("/")).value(), KvKind::dictionary);
    EXPECT_EQ(run(store.kind("a")).value(), KvKind::dictionary);
    EXPECT_EQ(run(store.kind("a/x/")).value(), KvKind::dictionary);
    EXPECT_EQ(run(store.kind("a/x")).value(), KvKind::dictionary);
    EXPECT_EQ(run(store.kind("a/x.txt")).value(), KvKind::value);
    EXPECT_EQ(run(store.kind("a/y")).error(), KvError::not_found);
    EXPECT_EQ(run(store.kind("a/x/dee")).error(), KvError::not_found);
}

TEST(BakedKvTest, ListsEntriesSortedByName) {
    BakedKeyValueStore store{table};
    EXPECT_EQ(names(run(store.list("")).value()), (std::vector<std::string>{"a/", "b", "empty"}));
    EXPECT_EQ(names(run(store.list("/a")).value()),
              (std::vector<std::string>{"x/", "x-1", "x.txt"}));
    EXPECT_EQ(names(run(store.list("a/x")).value()), (std::vector<std::string>{"deep", "deeper/"}));
    EXPECT_EQ(run(store.list("b")).error(), KvError::not_a_dictionary);
    EXPECT_EQ(run(store.list("nothing")).error(), KvError::not_found);
}

TEST(BakedKvTest, ReadsInPieces) {
    BakedKeyValueStore store{table};
    std::vector<std::byte> buffer(3);
    EXPECT_EQ(run(store.get_partial("b", 0, buffer)).value(), 3u);
    EXPECT_EQ(text(buffer), "wit");
    EXPECT_EQ(run(store.get_partial("b", 6, buffer)).value(), 2u);
    EXPECT_EQ(text(std::vector<std::byte>(buffer.begin(), buffer.begin() + 2)), "ul");
    EXPECT_EQ(run(store.get_partial("b", 8, buffer)).value(), 0u);
    EXPECT_EQ(run(store.get_partial("b", ~std::uint64_t{0}, buffer)).value(), 0u);
}

TEST(BakedKvTest, RefusesKeysThatAreNotValues) {
    BakedKeyValueStore store{table};
    EXPECT_EQ(run(store.get("a")).error(), KvError::not_a_value);
    EXPECT_EQ(run(store.get("")).error(), KvError::not_a_value);
    EXPECT_EQ(run(store.get("missing")).error(), KvError::not_found);
    EXPECT_EQ(run(store.get("a/../b")).error(), KvError::invalid_key);
    EXPECT_EQ(run(store.get("a//x.txt")).error(), KvError::invalid_key);
    EXPECT_EQ(run(store.size("./b")).error(), KvError::invalid_key);
    EXPECT_EQ(run(store.digest("a/x")).error(), KvError::not_a_value);
}

TEST(BakedKvTest, AnEmptyTableHasOnlyTheRoot) {
    BakedKeyValueStore store{std::span<const BakedValue>{}};
    EXPECT_TRUE(run(store.list("")).value().empty());
    EXPECT_EQ(run(store.get("x")).error(), KvError::not_found);
}

}  // namespace
}  // namespace oasis::dev
