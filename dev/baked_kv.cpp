// BakedKeyValueStore: lookups by binary search in the sorted table of baked files.
#include "dev/baked_kv.hpp"

#include <algorithm>

namespace oasis::dev {

namespace {

// The key without a leading '/' or a trailing one, or why it is refused
// (the rules every store shares, dev::split_kv_key).
Result<std::string, KvError> canonical_key(std::string_view key) {
    const std::vector<std::string_view> segments = TRY(split_kv_key(key));
    std::string out;
    for (const std::string_view segment : segments) {
        if (!out.empty()) {
            out += '/';
        }
        out += segment;
    }
    return out;
}

// The first value whose key is not below `key` (the table is sorted by key).
std::span<const BakedValue>::iterator first_at_or_after(std::span<const BakedValue> values,
                                                        std::string_view key) {
    return std::lower_bound(
        values.begin(), values.end(), key,
        [](const BakedValue& value, std::string_view wanted) { return value.key < wanted; });
}

}  // namespace

BakedKeyValueStore::BakedKeyValueStore(std::span<const BakedValue> values) : m_values(values) {
    OASIS_ASSERT(
        std::is_sorted(m_values.begin(), m_values.end(),
                       [](const BakedValue& a, const BakedValue& b) { return a.key < b.key; }));
}

Result<const BakedValue*, KvError> BakedKeyValueStore::find_value(std::string_view key) const {
    const std::string canonical = TRY(canonical_key(key));
    const auto found = first_at_or_after(m_values, canonical);
    if (found != m_values.end() && found->key == canonical) {
        return &*found;
    }
    if (TRY(kind_now(canonical)) == KvKind::dictionary) {
        return Error{KvError::not_a_value};
    }
    return Error{KvError::not_found};
}

Result<KvKind, KvError> BakedKeyValueStore::kind_now(std::string_view key) const {
    const std::string canonical = TRY(canonical_key(key));
    if (canonical.empty()) {
        return KvKind::dictionary;  // the root, even with nothing in it
    }
    const auto found = first_at_or_after(m_values, canonical);
    if (found != m_values.end() && found->key == canonical) {
        return KvKind::value;
    }
    // Keys below a dictionary D start with "D/"; they sort together, but not
    // necessarily right after D's lower bound ("D-x" and "D.x" sort before
    // "D/"), so search for the prefix itself.
    const std::string prefix = canonical + '/';
    const auto below = first_at_or_after(m_values, prefix);
    if (below != m_values.end() && below->key.starts_with(prefix)) {
        return KvKind::dictionary;
    }
    return Error{KvError::not_found};
}

Result<std::vector<KvEntry>, KvError> BakedKeyValueStore::list_now(std::string_view key) const {
    const std::string canonical = TRY(canonical_key(key));
    const KvKind kind = TRY(kind_now(canonical));
    if (kind != KvKind::dictionary) {
        return Error{KvError::not_a_dictionary};
    }
    const std::string prefix = canonical.empty() ? std::string{} : canonical + '/';
    auto at = first_at_or_after(m_values, prefix);
    std::vector<KvEntry> entries;
    for (; at != m_values.end() && at->key.starts_with(prefix); ++at) {
        const std::string_view rest = at->key.substr(prefix.size());
        const std::size_t slash = rest.find('/');
        KvEntry entry{std::string{rest.substr(0, slash)},
                      slash == std::string_view::npos ? KvKind::value : KvKind::dictionary};
        if (entries.empty() || entries.back().name != entry.name) {
            entries.push_back(std::move(entry));
        }
    }
    // "a/x.txt" sorts before "a/x/y" in the table but the names "x" and
    // "x.txt" the other way round: sort by name, then drop repeats.
    // (std::ranges' sort and unique do not build with clang 14 and
    // libstdc++ 12, which the fuzz build uses.)
    std::sort(entries.begin(), entries.end(),
              [](const KvEntry& a, const KvEntry& b) { return a.name < b.name; });
    entries.erase(std::unique(entries.begin(), entries.end(),
                              [](const KvEntry& a, const KvEntry& b) { return a.name == b.name; }),
                  entries.end());
    return entries;
}

Task<Result<std::vector<std::byte>, KvError>> BakedKeyValueStore::get(std::string key) {
    auto value = find_value(key);
    if (value.is_error()) {
        co_return value.release_error();
    }
    const std::span<const std::byte> bytes = std::as_bytes(std::span{value.value()->contents});
    co_return std::vector<std::byte>(bytes.begin(), bytes.end());
}

Task<Result<std::size_t, KvError>> BakedKeyValueStore::get_partial(std::string key,
                                                                   std::uint64_t offset,
                                                                   std::span<std::byte> into) {
    auto value = find_value(key);
    if (value.is_error()) {
        co_return value.release_error();
    }
    const std::span<const std::byte> bytes = std::as_bytes(std::span{value.value()->contents});
    if (offset >= bytes.size()) {
        co_return std::size_t{0};
    }
    const std::span<const std::byte> rest = bytes.subspan(static_cast<std::size_t>(offset));
    const std::size_t count = std::min(rest.size(), into.size());
    std::copy_n(rest.begin(), count, into.begin());
    co_return count;
}

Task<Result<std::vector<KvEntry>, KvError>> BakedKeyValueStore::list(std::string key) {
    co_return list_now(key);
}

Task<Result<KvKind, KvError>> BakedKeyValueStore::kind(std::string key) {
    co_return kind_now(key);
}

Task<Result<std::uint64_t, KvError>> BakedKeyValueStore::size(std::string key) {
    auto value = find_value(key);
    if (value.is_error()) {
        co_return value.release_error();
    }
    co_return std::uint64_t{value.value()->contents.size()};
}

Task<Result<Sha256Digest, KvError>> BakedKeyValueStore::digest(std::string key) {
    auto value = find_value(key);
    if (value.is_error()) {
        co_return value.release_error();
    }
    co_return value.value()->digest;
}

Task<Result<WallTime, KvError>> BakedKeyValueStore::last_modified(std::string key) {
    auto value = find_value(key);
    if (value.is_error()) {
        co_return value.release_error();
    }
    co_return value.value()->modified;
}

}  // namespace oasis::dev
