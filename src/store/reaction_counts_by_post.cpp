// Every post's reaction counts in one query, on both backends: what a static build needs to
// know which post pages changed, without one query per post.
#include <fmt/format.h>

#include <map>

#include "store/pg_concerns.hpp"
#include "store/pg_rows.hpp"
#include "store/sqlite_concerns.hpp"
#include "store/sqlite_rows.hpp"

namespace carnet::store {
namespace {

constexpr std::string_view k_counts_by_post_sql =
    "SELECT post_id, kind, count(*) FROM reactions WHERE blog_id = {} GROUP BY post_id, kind";

// The rows of k_counts_by_post_sql, read alike from either backend's statement.
template <typename Row>
void count_reaction(const Row& row, std::map<std::int64_t, ReactionCounts>& counts) {
    auto& post = counts[row.column_int(0)];
    const auto count = static_cast<int>(row.column_int(2));
    if (row.column_text(1) == "announce") {
        post.shares = count;
    } else {
        post.likes = count;
    }
}

}  // namespace

Result<std::map<std::int64_t, ReactionCounts>>
sqlite::SqliteFederationStore::reaction_counts_by_post(std::int64_t blog_id) {
    return database_.read(
        [&](sqlite::Connection& db) -> Result<std::map<std::int64_t, ReactionCounts>> {
            CARNET_TRY(statement, db.prepare(fmt::format(k_counts_by_post_sql, "?1")));
            statement->bind(1, blog_id);
            std::map<std::int64_t, ReactionCounts> counts;
            CARNET_CHECK(rows::for_each_row(
                *statement, [&](const sqlite::Statement& row) { count_reaction(row, counts); }));
            return counts;
        });
}

Result<std::map<std::int64_t, ReactionCounts>> pg::PgFederationStore::reaction_counts_by_post(
    std::int64_t blog_id) {
    return database_.read(
        [&](pg::Connection& db) -> Result<std::map<std::int64_t, ReactionCounts>> {
            CARNET_TRY(statement, db.prepare(fmt::format(k_counts_by_post_sql, "$1")));
            statement->bind(1, blog_id);
            std::map<std::int64_t, ReactionCounts> counts;
            CARNET_CHECK(pg::rows::for_each_row(
                *statement, [&](const pg::Statement& row) { count_reaction(row, counts); }));
            return counts;
        });
}

}  // namespace carnet::store
