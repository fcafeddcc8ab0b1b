// The comment rate limit's memory: each key's attempts still within their window, one row per
// slot.
#include <algorithm>
#include <vector>

#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"

namespace carnet::store::sql {

using rows::for_each_row;
using rows::seconds_of;

template <typename Backend>
Result<std::int64_t> CommentAttemptStoreFor<Backend>::count_attempt_keys() {
    return database_.read([&](auto& db) -> Result<std::int64_t> {
        CARNET_TRY(query, db.prepare("SELECT count(DISTINCT key) FROM comment_attempts"));
        CARNET_TRY(has_row, query->step());
        const std::int64_t keys = has_row ? query->column_int(0) : 0;
        query->reset();
        return keys;
    });
}

template <typename Backend>
Result<bool> CommentAttemptWriterFor<Backend>::record_comment_attempt(std::string_view key,
                                                                      model::Instant now,
                                                                      const AttemptLimits& limits) {
    auto& db = transaction_.db;
    // An attempt made at `at` leaves the window when now - at reaches the window.
    CARNET_TRY(forget, db.prepare("DELETE FROM comment_attempts WHERE expires_at <= ?1"));
    forget->bind(1, seconds_of(now));
    CARNET_CHECK(forget->run());

    CARNET_TRY(recent, db.prepare("SELECT slot FROM comment_attempts WHERE key = ?1 "
                                  "ORDER BY at, slot"));
    recent->bind(1, key);
    std::vector<std::int64_t> slots;  // oldest attempt first
    CARNET_CHECK(
        for_each_row(*recent, [&](const auto& row) { slots.push_back(row.column_int(0)); }));

    const auto max_attempts = static_cast<std::size_t>(std::max(limits.max_attempts, 0));
    const bool allowed = slots.size() < max_attempts;
    if (max_attempts == 0) return allowed;
    // A refused attempt takes the oldest one's place; more than one goes only when the limit
    // was lowered since the key's attempts were counted.
    const auto dropped = allowed ? 0 : slots.size() - max_attempts + 1;
    if (dropped > 0) {
        CARNET_TRY(drop, db.prepare("DELETE FROM comment_attempts WHERE key = ?1 AND slot = ?2"));
        for (std::size_t i = 0; i < dropped; ++i) {
            drop->bind(1, key).bind(2, slots[i]);
            CARNET_CHECK(drop->run());
        }
        slots.erase(slots.begin(), slots.begin() + static_cast<std::ptrdiff_t>(dropped));
    }
    // Fewer than max_attempts slots are taken now, so one below max_attempts is free.
    std::int64_t free_slot = 0;
    std::ranges::sort(slots);
    for (auto taken : slots) {
        if (taken == free_slot) ++free_slot;
    }
    CARNET_TRY(record, db.prepare("INSERT INTO comment_attempts (key, slot, at, expires_at) "
                                  "VALUES (?1, ?2, ?3, ?4)"));
    record->bind(1, key)
        .bind(2, free_slot)
        .bind(3, seconds_of(now))
        .bind(4, seconds_of(now + limits.window));
    CARNET_CHECK(record->run());
    return allowed;
}

template class CommentAttemptStoreFor<SqliteBackend>;
template class CommentAttemptStoreFor<PgBackend>;
template class CommentAttemptWriterFor<SqliteBackend>;
template class CommentAttemptWriterFor<PgBackend>;

}  // namespace carnet::store::sql
