// DelayQueue: items held until a time, released earliest first and in arrival order on ties.
#pragma once

#include <cstddef>
#include <iterator>
#include <map>
#include <optional>
#include <utility>

#include "core/time.hpp"

namespace oasis::net {

// The frames a link holds back, each with the time it is due. Items due at
// the same time leave in the order they were pushed, so a link without
// jitter or reordering never reorders frames.
template <typename Item>
class DelayQueue {
public:
    bool empty() const { return m_items.empty(); }
    std::size_t size() const { return m_items.size(); }

    // Adds `item`, due at `due`, after every item due at the same time.
    void push(Instant due, Item item) { m_items.emplace(due, std::move(item)); }

    // Adds `item` before every item due at the same time: how an item taken
    // out by pop_due() but not used goes back to where it was.
    void push_front(Instant due, Item item) {
        m_items.emplace_hint(m_items.lower_bound(due), due, std::move(item));
    }

    // The earliest time an item is due, if any.
    std::optional<Instant> next_due() const {
        if (m_items.empty()) {
            return std::nullopt;
        }
        return m_items.begin()->first;
    }

    // The earliest time an item is due strictly after `time`, if any.
    std::optional<Instant> next_due_after(Instant time) const {
        auto next = m_items.upper_bound(time);
        if (next == m_items.end()) {
            return std::nullopt;
        }
        return next->first;
    }

    // The earliest item, if it is due at `now`; it stays in the queue.
    Item* peek_due(Instant now) {
        if (m_items.empty() || m_items.begin()->first > now) {
            return nullptr;
        }
        return &m_items.begin()->second;
    }

    // Takes out the earliest item with its due time, if it is due at `now`.
    std::optional<std::pair<Instant, Item>> pop_due(Instant now) {
        if (m_items.empty() || m_items.begin()->first > now) {
            return std::nullopt;
        }
        auto node = m_items.extract(m_items.begin());
        return std::pair<Instant, Item>{node.key(), std::move(node.mapped())};
    }

    void clear() { m_items.clear(); }

private:
    std::multimap<Instant, Item> m_items;
};

}  // namespace oasis::net
