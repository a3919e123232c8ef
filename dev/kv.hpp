// KeyValueStore: a read-only tree of named values (a baked-in folder, a directory).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/task.hpp"
#include "core/time.hpp"

namespace oasis::dev {

enum class KvError {
    not_found,    // no value or dictionary under that key
    not_a_value,  // the key names a dictionary (folder), not a value
    not_a_dictionary,
    invalid_key,   // empty segment, "." or "..", a NUL byte, or too long
    device_error,  // the backing store failed
};

// Keys are '/'-separated paths like "/css/site.css"; the leading '/' is
// optional and "" or "/" is the root dictionary. Keys never leave the store:
// "." and ".." segments are refused, not resolved.
enum class KvKind { value, dictionary };

struct KvEntry {
    std::string name;  // one segment, no '/'
    KvKind kind = KvKind::value;
};

using Sha256Digest = std::array<std::byte, 32>;

class KeyValueStore {
public:
    virtual ~KeyValueStore() = default;

    // The whole value.
    virtual Task<Result<std::vector<std::byte>, KvError>> get(std::string key) = 0;
    // Copies at most `into.size()` bytes starting at `offset`; returns how
    // many were copied (0 at or past the end). For large values, served in
    // pieces.
    virtual Task<Result<std::size_t, KvError>> get_partial(std::string key, std::uint64_t offset,
                                                           std::span<std::byte> into) = 0;
    // The entries directly under a dictionary, sorted by name.
    virtual Task<Result<std::vector<KvEntry>, KvError>> list(std::string key) = 0;
    // Whether the key is a value, a dictionary, or absent (not_found).
    virtual Task<Result<KvKind, KvError>> kind(std::string key) = 0;
    virtual Task<Result<std::uint64_t, KvError>> size(std::string key) = 0;
    // SHA-256 of a value's contents (HTTP ETags and integrity checks).
    virtual Task<Result<Sha256Digest, KvError>> digest(std::string key) = 0;
    virtual Task<Result<WallTime, KvError>> last_modified(std::string key) = 0;
};

// Splits a key into segments, refusing keys that could escape the store.
// Shared by every implementation so that all agree on what a key means.
Result<std::vector<std::string_view>, KvError> split_kv_key(std::string_view key);

}  // namespace oasis::dev
