// Big- and little-endian integer loads and stores on raw bytes, without type punning.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace oasis {

// Contract for every function here: the caller guarantees that `bytes` points
// at as many valid bytes as the integer has (ByteView and ByteReader check
// that before calling). Values are assembled with shifts, so alignment never
// matters and no packed struct is ever laid over a buffer; GCC and Clang turn
// each function into one load or store and a byte swap.
//
// Network byte order is big-endian (RFC 1700, "Data Notations").

constexpr std::uint16_t load_be16(const std::byte* bytes) {
    return static_cast<std::uint16_t>(std::to_integer<std::uint16_t>(bytes[0]) << 8 |
                                      std::to_integer<std::uint16_t>(bytes[1]));
}
constexpr std::uint32_t load_be32(const std::byte* bytes) {
    return std::uint32_t{load_be16(bytes)} << 16 | load_be16(bytes + 2);
}
constexpr std::uint64_t load_be64(const std::byte* bytes) {
    return std::uint64_t{load_be32(bytes)} << 32 | load_be32(bytes + 4);
}

constexpr std::uint16_t load_le16(const std::byte* bytes) {
    return static_cast<std::uint16_t>(std::to_integer<std::uint16_t>(bytes[0]) |
                                      std::to_integer<std::uint16_t>(bytes[1]) << 8);
}
constexpr std::uint32_t load_le32(const std::byte* bytes) {
    return load_le16(bytes) | std::uint32_t{load_le16(bytes + 2)} << 16;
}
constexpr std::uint64_t load_le64(const std::byte* bytes) {
    return load_le32(bytes) | std::uint64_t{load_le32(bytes + 4)} << 32;
}

constexpr void store_be16(std::byte* bytes, std::uint16_t value) {
    bytes[0] = static_cast<std::byte>(value >> 8);
    bytes[1] = static_cast<std::byte>(value);
}
constexpr void store_be32(std::byte* bytes, std::uint32_t value) {
    store_be16(bytes, static_cast<std::uint16_t>(value >> 16));
    store_be16(bytes + 2, static_cast<std::uint16_t>(value));
}
constexpr void store_be64(std::byte* bytes, std::uint64_t value) {
    store_be32(bytes, static_cast<std::uint32_t>(value >> 32));
    store_be32(bytes + 4, static_cast<std::uint32_t>(value));
}

constexpr void store_le16(std::byte* bytes, std::uint16_t value) {
    bytes[0] = static_cast<std::byte>(value);
    bytes[1] = static_cast<std::byte>(value >> 8);
}
constexpr void store_le32(std::byte* bytes, std::uint32_t value) {
    store_le16(bytes, static_cast<std::uint16_t>(value));
    store_le16(bytes + 2, static_cast<std::uint16_t>(value >> 16));
}
constexpr void store_le64(std::byte* bytes, std::uint64_t value) {
    store_le32(bytes, static_cast<std::uint32_t>(value));
    store_le32(bytes + 4, static_cast<std::uint32_t>(value >> 32));
}

// The unsigned integer types that protocol fields are made of.
template <typename T>
concept WireInteger = std::is_same_v<T, std::uint8_t> || std::is_same_v<T, std::uint16_t> ||
    std::is_same_v<T, std::uint32_t> || std::is_same_v<T, std::uint64_t>;

// The functions above, chosen by the width of T, for code generic over it.
template <WireInteger T>
constexpr T load_big_endian(const std::byte* bytes) {
    if constexpr (sizeof(T) == 1) {
        return std::to_integer<T>(bytes[0]);
    } else if constexpr (sizeof(T) == 2) {
        return load_be16(bytes);
    } else if constexpr (sizeof(T) == 4) {
        return load_be32(bytes);
    } else {
        return load_be64(bytes);
    }
}

template <WireInteger T>
constexpr T load_little_endian(const std::byte* bytes) {
    if constexpr (sizeof(T) == 1) {
        return std::to_integer<T>(bytes[0]);
    } else if constexpr (sizeof(T) == 2) {
        return load_le16(bytes);
    } else if constexpr (sizeof(T) == 4) {
        return load_le32(bytes);
    } else {
        return load_le64(bytes);
    }
}

template <WireInteger T>
constexpr void store_big_endian(std::byte* bytes, T value) {
    if constexpr (sizeof(T) == 1) {
        bytes[0] = static_cast<std::byte>(value);
    } else if constexpr (sizeof(T) == 2) {
        store_be16(bytes, value);
    } else if constexpr (sizeof(T) == 4) {
        store_be32(bytes, value);
    } else {
        store_be64(bytes, value);
    }
}

template <WireInteger T>
constexpr void store_little_endian(std::byte* bytes, T value) {
    if constexpr (sizeof(T) == 1) {
        bytes[0] = static_cast<std::byte>(value);
    } else if constexpr (sizeof(T) == 2) {
        store_le16(bytes, value);
    } else if constexpr (sizeof(T) == 4) {
        store_le32(bytes, value);
    } else {
        store_le64(bytes, value);
    }
}

}  // namespace oasis
