// BakedKeyValueStore: a read-only KeyValueStore over files compiled into the image (Mirage's
// crunch).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/task.hpp"
#include "core/time.hpp"
#include "dev/kv.hpp"

namespace oasis::dev {

// One file of a baked folder. `oasis configure` generates a sorted table of
// these (baked/NAME.cpp in the build folder) from the folder the manifest
// names; the contents, digest and time are computed at build time.
struct BakedValue {
    std::string_view key;       // "css/site.css": no leading '/', segments split by '/'
    std::string_view contents;  // the file's bytes (may hold NULs)
    Sha256Digest digest;        // SHA-256 of contents
    WallTime modified;          // the file's modification time when it was baked
};

// Serves a table of BakedValues. Dictionaries are implied by the keys, so a
// baked store has no empty dictionaries. Everything completes without
// suspending: the data is in memory and never changes.
//
// Contract: `values` is sorted by key (byte order), holds no key twice and
// no key that is also a dictionary, and outlives the store (it is static
// data in generated code).
class BakedKeyValueStore final : public KeyValueStore {
public:
    explicit BakedKeyValueStore(std::span<const BakedValue> values);

    Task<Result<std::vector<std::byte>, KvError>> get(std::string key) override;
    Task<Result<std::size_t, KvError>> get_partial(std::string key, std::uint64_t offset,
                                                   std::span<std::byte> into) override;
    Task<Result<std::vector<KvEntry>, KvError>> list(std::string key) override;
    Task<Result<KvKind, KvError>> kind(std::string key) override;
    Task<Result<std::uint64_t, KvError>> size(std::string key) override;
    Task<Result<Sha256Digest, KvError>> digest(std::string key) override;
    Task<Result<WallTime, KvError>> last_modified(std::string key) override;

private:
    // The value under a key, or why there is none.
    Result<const BakedValue*, KvError> find_value(std::string_view key) const;
    Result<KvKind, KvError> kind_now(std::string_view key) const;
    Result<std::vector<KvEntry>, KvError> list_now(std::string_view key) const;

    std::span<const BakedValue> m_values;
};

}  // namespace oasis::dev
