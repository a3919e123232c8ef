// Bounds-checked byte views, readers and writers: Oasis's counterpart of Mirage's Cstruct.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ranges>
#include <span>
#include <string_view>
#include <type_traits>

#include "core/endian.hpp"
#include "core/result.hpp"

namespace oasis {

// The one way a buffer access fails. Parsers usually map it to their own
// error ("truncated packet"); it never means the process is in trouble.
enum class BufferError {
    out_of_bounds,  // the offset and length do not lie wholly inside the view
};

// True when [offset, offset + length) lies inside a buffer of `size` bytes.
// Written so that nothing can overflow: offsets near SIZE_MAX are refused,
// not wrapped around to small numbers.
constexpr bool fits_within(std::size_t size, std::size_t offset, std::size_t length) {
    return offset <= size && length <= size - offset;
}

// A non-owning view of bytes that someone else keeps alive (a packet, an
// array, a string). Cheap to copy: a pointer and a length.
//
// Contract: every accessor that takes an offset checks it and refuses an
// access that does not lie wholly inside the view with
// BufferError::out_of_bounds. A refused access reads or writes nothing; there
// is no undefined behaviour and no panic, whatever the offset and length.
//
// Use the two aliases below: ByteView reads, MutableByteView also writes.
// Writes are shallow-const, like std::span: a const MutableByteView still
// writes the bytes it views. A MutableByteView converts to a ByteView, never
// the reverse. slice() and sub() keep the kind of view they are called on.
template <typename Byte>
class BasicByteView;

template <typename T>
inline constexpr bool is_byte_view = false;
template <typename Byte>
inline constexpr bool is_byte_view<BasicByteView<Byte>> = true;

// What a view over `Byte` can be built from: whatever std::span<Byte> can,
// except another byte view (that is the copy or the conversion constructor).
template <typename Range, typename Byte>
concept ByteSpanSource =
    !is_byte_view<std::remove_cvref_t<Range>> && std::is_convertible_v<Range&&, std::span<Byte>>;

template <typename Byte>
class BasicByteView {
    static_assert(std::is_same_v<std::remove_const_t<Byte>, std::byte>);

public:
    static constexpr bool is_mutable = !std::is_const_v<Byte>;

    constexpr BasicByteView() = default;
    constexpr BasicByteView(std::span<Byte> bytes) : m_bytes(bytes) {}
    constexpr BasicByteView(Byte* data, std::size_t size) : m_bytes(data, size) {}

    // Any contiguous range of std::byte that std::span accepts (std::array,
    // std::vector, a C array). The view must not outlive the range.
    template <ByteSpanSource<Byte> Range>
    constexpr BasicByteView(Range&& range) : m_bytes(std::forward<Range>(range)) {}

    // MutableByteView -> ByteView.
    template <typename Other>
    requires std::is_same_v<Other, std::byte> && std::is_const_v<Byte>
    constexpr BasicByteView(BasicByteView<Other> other) : m_bytes(other.span()) {}

    constexpr Byte* data() const { return m_bytes.data(); }
    constexpr std::size_t size() const { return m_bytes.size(); }
    constexpr bool empty() const { return m_bytes.empty(); }
    constexpr std::span<Byte> span() const { return m_bytes; }
    constexpr Byte* begin() const { return m_bytes.data(); }
    constexpr Byte* end() const { return m_bytes.data() + m_bytes.size(); }

    // True when `length` bytes at `offset` lie inside the view.
    constexpr bool contains(std::size_t offset, std::size_t length) const {
        return fits_within(size(), offset, length);
    }

    // The `length` bytes at `offset`.
    Result<BasicByteView, BufferError> slice(std::size_t offset, std::size_t length) const {
        if (!contains(offset, length)) {
            return Error{BufferError::out_of_bounds};
        }
        return BasicByteView{m_bytes.subspan(offset, length)};
    }

    // The bytes from `offset` to the end; `offset == size()` gives an empty view.
    Result<BasicByteView, BufferError> sub(std::size_t offset) const {
        if (offset > size()) {
            return Error{BufferError::out_of_bounds};
        }
        return BasicByteView{m_bytes.subspan(offset)};
    }

    // Integers at `offset`; _be is network byte order, _le little-endian.
    Result<std::uint8_t, BufferError> read_u8(std::size_t offset) const {
        return read<std::uint8_t>(offset, load_big_endian<std::uint8_t>);
    }
    Result<std::uint16_t, BufferError> read_u16_be(std::size_t offset) const {
        return read<std::uint16_t>(offset, load_be16);
    }
    Result<std::uint32_t, BufferError> read_u32_be(std::size_t offset) const {
        return read<std::uint32_t>(offset, load_be32);
    }
    Result<std::uint64_t, BufferError> read_u64_be(std::size_t offset) const {
        return read<std::uint64_t>(offset, load_be64);
    }
    Result<std::uint16_t, BufferError> read_u16_le(std::size_t offset) const {
        return read<std::uint16_t>(offset, load_le16);
    }
    Result<std::uint32_t, BufferError> read_u32_le(std::size_t offset) const {
        return read<std::uint32_t>(offset, load_le32);
    }
    Result<std::uint64_t, BufferError> read_u64_le(std::size_t offset) const {
        return read<std::uint64_t>(offset, load_le64);
    }

    // Writes of integers at `offset`, refused as a whole if they do not fit.
    Result<void, BufferError> write_u8(std::size_t offset,
                                       std::uint8_t value) const requires is_mutable {
        return write<std::uint8_t>(offset, value, store_big_endian<std::uint8_t>);
    }
    Result<void, BufferError> write_u16_be(std::size_t offset,
                                           std::uint16_t value) const requires is_mutable {
        return write<std::uint16_t>(offset, value, store_be16);
    }
    Result<void, BufferError> write_u32_be(std::size_t offset,
                                           std::uint32_t value) const requires is_mutable {
        return write<std::uint32_t>(offset, value, store_be32);
    }
    Result<void, BufferError> write_u64_be(std::size_t offset,
                                           std::uint64_t value) const requires is_mutable {
        return write<std::uint64_t>(offset, value, store_be64);
    }
    Result<void, BufferError> write_u16_le(std::size_t offset,
                                           std::uint16_t value) const requires is_mutable {
        return write<std::uint16_t>(offset, value, store_le16);
    }
    Result<void, BufferError> write_u32_le(std::size_t offset,
                                           std::uint32_t value) const requires is_mutable {
        return write<std::uint32_t>(offset, value, store_le32);
    }
    Result<void, BufferError> write_u64_le(std::size_t offset,
                                           std::uint64_t value) const requires is_mutable {
        return write<std::uint64_t>(offset, value, store_le64);
    }

    // Copies all of `source` to `offset`, or nothing if it does not fit.
    // Source and destination may overlap (it is a memmove).
    Result<void, BufferError> copy_from(
        std::size_t offset, BasicByteView<const std::byte> source) const requires is_mutable {
        if (!contains(offset, source.size())) {
            return Error{BufferError::out_of_bounds};
        }
        if (!source.empty()) {
            std::memmove(m_bytes.data() + offset, source.data(), source.size());
        }
        return {};
    }

    // Sets every byte of the view to `value`.
    constexpr void fill(std::byte value) const requires is_mutable {
        std::ranges::fill(m_bytes, value);
    }

    // Sets the `length` bytes at `offset` to `value`, or none if they do not fit.
    Result<void, BufferError> fill(std::size_t offset, std::size_t length,
                                   std::byte value) const requires is_mutable {
        if (!contains(offset, length)) {
            return Error{BufferError::out_of_bounds};
        }
        std::ranges::fill(m_bytes.subspan(offset, length), value);
        return {};
    }

    // Views are equal when their contents are, whatever memory they view.
    friend constexpr bool operator==(BasicByteView left, BasicByteView right) {
        return std::ranges::equal(left.m_bytes, right.m_bytes);
    }

private:
    template <typename T, typename Load>
    Result<T, BufferError> read(std::size_t offset, Load load) const {
        if (!contains(offset, sizeof(T))) {
            return Error{BufferError::out_of_bounds};
        }
        return load(m_bytes.data() + offset);
    }

    template <typename T, typename Store>
    Result<void, BufferError> write(std::size_t offset, T value, Store store) const {
        if (!contains(offset, sizeof(T))) {
            return Error{BufferError::out_of_bounds};
        }
        store(m_bytes.data() + offset, value);
        return {};
    }

    std::span<Byte> m_bytes;
};

using ByteView = BasicByteView<const std::byte>;
using MutableByteView = BasicByteView<std::byte>;

// Element types whose objects are single bytes, so viewing them as std::byte
// is allowed by the aliasing rules. `char` is left out on purpose: text goes
// through the string_view overload, which does not pick up a literal's NUL.
template <typename T>
concept ByteLike = std::is_same_v<std::remove_const_t<T>, std::byte> ||
    std::is_same_v<std::remove_const_t<T>, std::uint8_t>;

// A contiguous range of single-byte elements, and one whose elements can be written.
template <typename Range>
concept ByteRange = std::ranges::contiguous_range<Range> && std::ranges::sized_range<Range> &&
    ByteLike<std::ranges::range_value_t<Range>>;
template <typename Range>
concept WritableByteRange = ByteRange<Range> &&
    !std::is_const_v<std::remove_reference_t<std::ranges::range_reference_t<Range>>>;

// The casts below are the ones std::as_bytes makes: std::byte may alias any
// object, so viewing characters or uint8_t as std::byte is well defined.

// The characters of `text`, without a terminating NUL.
inline ByteView as_bytes(std::string_view text) {
    return ByteView{reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

// The bytes of an array, vector or span of std::byte or std::uint8_t. The
// view must not outlive the range.
template <ByteRange Range>
ByteView as_bytes(const Range& range) {
    return ByteView{reinterpret_cast<const std::byte*>(std::ranges::data(range)),
                    std::ranges::size(range)};
}

// The same, writable.
template <WritableByteRange Range>
MutableByteView as_writable_bytes(Range& range) {
    return MutableByteView{reinterpret_cast<std::byte*>(std::ranges::data(range)),
                           std::ranges::size(range)};
}

// The bytes of a view, as text (for protocols such as HTTP, and for tests).
inline std::string_view as_chars(ByteView bytes) {
    return std::string_view{reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// A cursor that consumes a ByteView from the front, for parsers.
//
// Contract: every take_ and skip() either consumes exactly what it was asked
// for or refuses with BufferError::out_of_bounds and leaves the cursor where
// it was. It never reads past the end of the view.
class ByteReader {
public:
    constexpr ByteReader() = default;
    constexpr explicit ByteReader(ByteView bytes) : m_bytes(bytes) {}

    // How many bytes have been consumed, and how many are left.
    constexpr std::size_t position() const { return m_position; }
    constexpr std::size_t remaining() const { return m_bytes.size() - m_position; }
    constexpr bool at_end() const { return remaining() == 0; }
    // The bytes not consumed yet.
    constexpr ByteView rest() const { return ByteView{m_bytes.span().subspan(m_position)}; }

    Result<std::uint8_t, BufferError> take_u8() { return take_integer<std::uint8_t>(); }
    Result<std::uint16_t, BufferError> take_u16_be() { return take_integer<std::uint16_t>(); }
    Result<std::uint32_t, BufferError> take_u32_be() { return take_integer<std::uint32_t>(); }
    Result<std::uint64_t, BufferError> take_u64_be() { return take_integer<std::uint64_t>(); }
    Result<std::uint16_t, BufferError> take_u16_le() {
        return take_integer<std::uint16_t>(ByteOrder::little);
    }
    Result<std::uint32_t, BufferError> take_u32_le() {
        return take_integer<std::uint32_t>(ByteOrder::little);
    }
    Result<std::uint64_t, BufferError> take_u64_le() {
        return take_integer<std::uint64_t>(ByteOrder::little);
    }

    // The next `length` bytes, as a view into the same memory.
    Result<ByteView, BufferError> take(std::size_t length) {
        auto bytes = TRY(m_bytes.slice(m_position, length));
        m_position += length;
        return bytes;
    }

    // Consumes `length` bytes without looking at them.
    Result<void, BufferError> skip(std::size_t length) {
        TRY(take(length));
        return {};
    }

private:
    enum class ByteOrder { big, little };

    template <typename T>
    Result<T, BufferError> take_integer(ByteOrder order = ByteOrder::big) {
        auto bytes = TRY(take(sizeof(T)));
        return order == ByteOrder::big ? load_big_endian<T>(bytes.data())
                                       : load_little_endian<T>(bytes.data());
    }

    ByteView m_bytes;
    std::size_t m_position = 0;
};

// A cursor that fills a MutableByteView from the front, for emitters.
//
// Contract: every put_ and skip() either writes exactly what it was given or
// refuses with BufferError::out_of_bounds, writes nothing and leaves the
// cursor where it was. It never writes past the end of the view.
class ByteWriter {
public:
    constexpr ByteWriter() = default;
    constexpr explicit ByteWriter(MutableByteView bytes) : m_bytes(bytes) {}

    // How many bytes have been written, and how much room is left.
    constexpr std::size_t position() const { return m_position; }
    constexpr std::size_t remaining() const { return m_bytes.size() - m_position; }
    // The part written so far: the emitted message.
    constexpr MutableByteView written() const {
        return MutableByteView{m_bytes.span().first(m_position)};
    }

    Result<void, BufferError> put_u8(std::uint8_t value) { return put_integer(value); }
    Result<void, BufferError> put_u16_be(std::uint16_t value) { return put_integer(value); }
    Result<void, BufferError> put_u32_be(std::uint32_t value) { return put_integer(value); }
    Result<void, BufferError> put_u64_be(std::uint64_t value) { return put_integer(value); }
    Result<void, BufferError> put_u16_le(std::uint16_t value) {
        return put_integer(value, ByteOrder::little);
    }
    Result<void, BufferError> put_u32_le(std::uint32_t value) {
        return put_integer(value, ByteOrder::little);
    }
    Result<void, BufferError> put_u64_le(std::uint64_t value) {
        return put_integer(value, ByteOrder::little);
    }

    // Copies all of `bytes`.
    Result<void, BufferError> put_bytes(ByteView bytes) {
        TRY(m_bytes.copy_from(m_position, bytes));
        m_position += bytes.size();
        return {};
    }

    // Writes `length` copies of `value` (padding, zeroed fields).
    Result<void, BufferError> put_fill(std::size_t length, std::byte value) {
        TRY(m_bytes.fill(m_position, length, value));
        m_position += length;
        return {};
    }

    // Reserves the next `length` bytes without writing them, returning them so
    // that a field known only later (a length, a checksum) can be filled in.
    Result<MutableByteView, BufferError> skip(std::size_t length) {
        auto bytes = TRY(m_bytes.slice(m_position, length));
        m_position += length;
        return bytes;
    }

private:
    enum class ByteOrder { big, little };

    template <typename T>
    Result<void, BufferError> put_integer(T value, ByteOrder order = ByteOrder::big) {
        auto bytes = TRY(skip(sizeof(T)));
        if (order == ByteOrder::big) {
            store_big_endian(bytes.data(), value);
        } else {
            store_little_endian(bytes.data(), value);
        }
        return {};
    }

    MutableByteView m_bytes;
    std::size_t m_position = 0;
};

}  // namespace oasis
