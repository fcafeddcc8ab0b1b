// Reading a blog's posts for an export in batches by keyset (date, id), the same on both
// backends: each gives its connection, its SQL and its way to read one post. Private to the
// store.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>
#include <vector>

#include "store/store.hpp"
#include "store/try.hpp"

namespace carnet::store::archive_batches {

// Posts an export reads at once: their ids, then each post.
inline constexpr int k_batch = 500;

// Runs `begin` on `db`, then gives `each` every post that `select` (blog, date and id after
// which to start, limit: rows of id and date, in order) lists and `read` finds, a batch at a
// time; commits the read transaction, or rolls it back and returns the failure.
template <typename Connection, typename Read>
Status each_post(Connection& db, std::string_view begin, std::string_view select,
                 std::int64_t blog_id, Read read,
                 const std::function<Status(const ArchivedPost&)>& each) {
    CARNET_CHECK(db.execute(begin));
    auto status = [&]() -> Status {
        CARNET_TRY(ids_after, db.prepare(select));
        std::int64_t after_seconds = std::numeric_limits<std::int64_t>::min();
        std::int64_t after_id = 0;
        std::vector<std::int64_t> ids;
        while (true) {
            ids_after->reset();
            ids_after->bind(1, blog_id).bind(2, after_seconds).bind(3, after_id).bind(4, k_batch);
            ids.clear();
            while (true) {
                CARNET_TRY(has_row, ids_after->step());
                if (!has_row) break;
                ids.push_back(ids_after->column_int(0));
                after_seconds = ids_after->column_int(1);
            }
            ids_after->reset();
            if (ids.empty()) return {};
            after_id = ids.back();
            for (const auto id : ids) {
                CARNET_TRY(archived, read(db, blog_id, id));
                if (archived) CARNET_CHECK(each(*archived));
            }
        }
    }();
    auto ended = db.execute(status ? "COMMIT" : "ROLLBACK");
    if (!status) return status;
    return ended;
}

}  // namespace carnet::store::archive_batches
