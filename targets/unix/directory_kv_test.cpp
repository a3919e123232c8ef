// Tests of DirectoryKeyValueStore: serving a directory tree, and refusing every way out of it.
#include "targets/unix/directory_kv.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "core/crypto/sha256.hpp"
#include "targets/unix/test_support.hpp"

namespace oasis::unix_target {
namespace {

using dev::KvEntry;
using dev::KvError;
using dev::KvKind;
using testing::run_task;
using testing::TemporaryDirectory;

void write_file(const std::string& path, std::string_view contents) {
    UniqueFd fd{::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644)};
    ASSERT_TRUE(fd.valid()) << path;
    ASSERT_EQ(::write(fd.get(), contents.data(), contents.size()),
              static_cast<ssize_t>(contents.size()));
}

std::string text(const std::vector<std::byte>& bytes) {
    return std::string{reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string hex(const dev::Sha256Digest& digest) {
    return crypto::to_hex(digest);
}

// A tree with values at several depths, an empty dictionary, a large value,
// symbolic links in and out, and a secret beside the root that must stay out
// of reach:
//
//   outside/secret.txt
//   outside/root/{abc.txt, empty, b.txt, large.bin, sub/{c.txt, deeper/d.txt}, nothing/,
//                 inner-link -> abc.txt, outer-link -> ../secret.txt,
//                 dir-link -> .., abs-link -> <outside>/secret.txt, fifo}
class DirectoryKvTest : public ::testing::TestWithParam<PathResolution> {
protected:
    void SetUp() override {
        ASSERT_EQ(::mkdir(root.c_str(), 0755), 0);
        write_file(outside / "secret.txt", "secret");
        write_file(root + "/abc.txt", "abc");
        write_file(root + "/empty", "");
        write_file(root + "/b.txt", "bee");
        large.assign(200'000, 'L');
        for (std::size_t i = 0; i < large.size(); i += 7) {
            large[i] = static_cast<char>('a' + i % 26);
        }
        write_file(root + "/large.bin", large);
        ASSERT_EQ(::mkdir((root + "/sub").c_str(), 0755), 0);
        ASSERT_EQ(::mkdir((root + "/sub/deeper").c_str(), 0755), 0);
        ASSERT_EQ(::mkdir((root + "/nothing").c_str(), 0755), 0);
        write_file(root + "/sub/c.txt", "sea");
        write_file(root + "/sub/deeper/d.txt", "deep");
        ASSERT_EQ(::symlink("abc.txt", (root + "/inner-link").c_str()), 0);
        ASSERT_EQ(::symlink("../secret.txt", (root + "/outer-link").c_str()), 0);
        ASSERT_EQ(::symlink("..", (root + "/dir-link").c_str()), 0);
        ASSERT_EQ(::symlink((outside / "secret.txt").c_str(), (root + "/abs-link").c_str()), 0);
        ASSERT_EQ(::mkfifo((root + "/fifo").c_str(), 0644), 0);

        auto opened = DirectoryKeyValueStore::open(root, GetParam());
        ASSERT_TRUE(opened.has_value()) << opened.error();
        store = std::move(opened.value());
    }

    void expect_refused(const std::string& key, KvError expected) {
        auto got = run_task(store->get(key));
        ASSERT_TRUE(got.is_error()) << key << " gave " << text(got.value());
        EXPECT_EQ(got.error(), expected) << key;
        EXPECT_TRUE(run_task(store->kind(key)).is_error()) << key;
        EXPECT_TRUE(run_task(store->digest(key)).is_error()) << key;
        EXPECT_TRUE(run_task(store->list(key)).is_error()) << key;
        std::array<std::byte, 16> piece{};
        EXPECT_TRUE(run_task(store->get_partial(key, 0, piece)).is_error()) << key;
    }

    TemporaryDirectory outside;
    std::string root = outside / "root";
    std::string large;
    std::unique_ptr<DirectoryKeyValueStore> store;
};

TEST_P(DirectoryKvTest, ResolutionModeIsTheOneAskedFor) {
    if (GetParam() == PathResolution::per_segment) {
        EXPECT_FALSE(store->uses_openat2());
    } else {
        EXPECT_TRUE(store->uses_openat2());  // Linux >= 5.6 on every machine we test on
    }
}

TEST_P(DirectoryKvTest, GetsValuesAtAnyDepth) {
    EXPECT_EQ(text(run_task(store->get("/abc.txt")).value()), "abc");
    EXPECT_EQ(text(run_task(store->get("abc.txt")).value()), "abc");
    EXPECT_EQ(text(run_task(store->get("/sub/c.txt")).value()), "sea");
    EXPECT_EQ(text(run_task(store->get("sub/deeper/d.txt")).value()), "deep");
    EXPECT_EQ(text(run_task(store->get("/empty")).value()), "");
    EXPECT_EQ(text(run_task(store->get("/large.bin")).value()), large);
}

TEST_P(DirectoryKvTest, GetPartialReadsPieces) {
    std::array<std::byte, 4> piece{};
    EXPECT_EQ(run_task(store->get_partial("/large.bin", 7, piece)).value(), 4u);
    EXPECT_EQ(text({piece.begin(), piece.end()}), large.substr(7, 4));
    EXPECT_EQ(run_task(store->get_partial("/abc.txt", 1, piece)).value(), 2u);
    EXPECT_EQ(text({piece.begin(), piece.begin() + 2}), "bc");
    EXPECT_EQ(run_task(store->get_partial("/abc.txt", 3, piece)).value(), 0u);
    EXPECT_EQ(run_task(store->get_partial("/abc.txt", ~std::uint64_t{0}, piece)).value(), 0u);
    auto folder = run_task(store->get_partial("/sub", 0, piece));
    ASSERT_TRUE(folder.is_error());
    EXPECT_EQ(folder.error(), KvError::not_a_value);
}

TEST_P(DirectoryKvTest, ListsSortedWithoutLinksOrSpecialFiles) {
    const std::vector<KvEntry> root_entries = run_task(store->list("/")).value();
    std::vector<std::string> names;
    for (const KvEntry& entry : root_entries) {
        names.push_back(entry.name + (entry.kind == KvKind::dictionary ? "/" : ""));
    }
    EXPECT_EQ(names, (std::vector<std::string>{"abc.txt", "b.txt", "empty", "large.bin", "nothing/",
                                               "sub/"}));
    EXPECT_EQ(run_task(store->list("")).value().size(), root_entries.size());

    const auto sub = run_task(store->list("/sub/")).value();
    ASSERT_EQ(sub.size(), 2u);
    EXPECT_EQ(sub[0].name, "c.txt");
    EXPECT_EQ(sub[0].kind, KvKind::value);
    EXPECT_EQ(sub[1].name, "deeper");
    EXPECT_EQ(sub[1].kind, KvKind::dictionary);
    EXPECT_TRUE(run_task(store->list("/nothing")).value().empty());

    auto of_value = run_task(store->list("/abc.txt"));
    ASSERT_TRUE(of_value.is_error());
    EXPECT_EQ(of_value.error(), KvError::not_a_dictionary);
}

TEST_P(DirectoryKvTest, KindAndSize) {
    EXPECT_EQ(run_task(store->kind("/abc.txt")).value(), KvKind::value);
    EXPECT_EQ(run_task(store->kind("/sub")).value(), KvKind::dictionary);
    EXPECT_EQ(run_task(store->kind("/")).value(), KvKind::dictionary);
    auto absent = run_task(store->kind("/nope"));
    ASSERT_TRUE(absent.is_error());
    EXPECT_EQ(absent.error(), KvError::not_found);

    EXPECT_EQ(run_task(store->size("/abc.txt")).value(), 3u);
    EXPECT_EQ(run_task(store->size("/empty")).value(), 0u);
    EXPECT_EQ(run_task(store->size("/large.bin")).value(), large.size());
    auto of_folder = run_task(store->size("/sub"));
    ASSERT_TRUE(of_folder.is_error());
    EXPECT_EQ(of_folder.error(), KvError::not_a_value);
}

// FIPS 180-2 Appendix B.1 ("abc") and the digest of the empty message.
TEST_P(DirectoryKvTest, DigestIsSha256OfTheContents) {
    EXPECT_EQ(hex(run_task(store->digest("/abc.txt")).value()),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex(run_task(store->digest("/empty")).value()),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // Larger than one read chunk: the same as hashing the bytes in one go.
    const auto expected =
        crypto::sha256(std::span{reinterpret_cast<const std::byte*>(large.data()), large.size()});
    EXPECT_EQ(run_task(store->digest("/large.bin")).value(), expected);
    auto of_folder = run_task(store->digest("/sub"));
    ASSERT_TRUE(of_folder.is_error());
    EXPECT_EQ(of_folder.error(), KvError::not_a_value);
}

TEST_P(DirectoryKvTest, LastModifiedIsTheFilesMtime) {
    const timespec times[2] = {{.tv_sec = 1'600'000'000, .tv_nsec = 0},
                               {.tv_sec = 1'700'000'000, .tv_nsec = 123'456'789}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (root + "/b.txt").c_str(), times, 0), 0);
    ASSERT_EQ(::utimensat(AT_FDCWD, (root + "/sub").c_str(), times, 0), 0);
    EXPECT_EQ(run_task(store->last_modified("/b.txt")).value().nanoseconds_since_epoch,
              1'700'000'000'123'456'789);
    EXPECT_EQ(run_task(store->last_modified("/sub")).value().nanoseconds_since_epoch,
              1'700'000'000'123'456'789);
}

TEST_P(DirectoryKvTest, RefusesKeysThatClimbOut) {
    expect_refused("../x", KvError::invalid_key);
    expect_refused("/a/../../etc/passwd", KvError::invalid_key);
    expect_refused("..", KvError::invalid_key);
    expect_refused("/sub/../abc.txt", KvError::invalid_key);
    expect_refused("/./abc.txt", KvError::invalid_key);
    expect_refused("//abc.txt", KvError::invalid_key);
    expect_refused(std::string{"/abc.txt\0/x", 11}, KvError::invalid_key);
}

TEST_P(DirectoryKvTest, RefusesSymbolicLinksWhereverTheyPoint) {
    expect_refused("/outer-link", KvError::not_found);           // ../secret.txt
    expect_refused("/abs-link", KvError::not_found);             // an absolute path outside
    expect_refused("/dir-link/secret.txt", KvError::not_found);  // a link as a directory
    expect_refused("/inner-link", KvError::not_found);           // even inside the root
}

TEST_P(DirectoryKvTest, SpecialFilesAndAbsentKeysAreNotFound) {
    expect_refused("/fifo", KvError::not_found);  // and the open did not block
    expect_refused("/missing", KvError::not_found);
    expect_refused("/abc.txt/below", KvError::not_found);
}

TEST_P(DirectoryKvTest, GetOfADictionaryIsNotAValue) {
    auto got = run_task(store->get("/sub"));
    ASSERT_TRUE(got.is_error());
    EXPECT_EQ(got.error(), KvError::not_a_value);
}

INSTANTIATE_TEST_SUITE_P(Resolution, DirectoryKvTest,
                         ::testing::Values(PathResolution::automatic, PathResolution::per_segment),
                         [](const ::testing::TestParamInfo<PathResolution>& parameter) {
                             return parameter.param == PathResolution::automatic ? "Openat2"
                                                                                 : "PerSegment";
                         });

TEST(DirectoryKvOpen, RefusesMissingRootsAndFiles) {
    TemporaryDirectory directory;
    auto missing = DirectoryKeyValueStore::open(directory / "absent");
    ASSERT_TRUE(missing.is_error());
    EXPECT_EQ(missing.error(),
              "cannot open directory " + (directory / "absent") + ": No such file or directory");
    write_file(directory / "file", "x");
    auto file = DirectoryKeyValueStore::open(directory / "file");
    ASSERT_TRUE(file.is_error());
    EXPECT_EQ(file.error(), "cannot open directory " + (directory / "file") + ": Not a directory");
}

}  // namespace
}  // namespace oasis::unix_target
