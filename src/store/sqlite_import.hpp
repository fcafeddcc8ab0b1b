// What imports from other hosts' formats read and write in the SQLite store: post meta,
// tags, comments and pings as another host kept them, redirects from old paths. Private to
// the store: SqliteStore and its Writer forward to these.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite_database.hpp"
#include "store/sqlite_rows.hpp"
#include "store/store.hpp"

namespace carnet::store::import_sql {

using WriteContext = sqlite::Transaction;
using sqlite::Connection;

[[nodiscard]] Result<std::optional<std::int64_t>> find_post_at(Connection& db, std::int64_t blog_id,
                                                               model::Instant published_at,
                                                               std::string_view slug,
                                                               std::string_view meta_key,
                                                               std::string_view meta_value);
[[nodiscard]] Status set_post_extras(WriteContext& context, std::int64_t blog_id,
                                     std::int64_t post_id, const std::vector<std::string>& tags,
                                     const std::map<std::string, std::string>& meta);
[[nodiscard]] Result<std::int64_t> add_archived_comment(WriteContext& context,
                                                        const ArchivedComment& comment);
[[nodiscard]] Result<std::optional<ArchivedPost>> archived_post(Connection& db,
                                                                std::int64_t blog_id,
                                                                std::int64_t post_id);
[[nodiscard]] Result<std::vector<ArchivedPost>> archived_posts(Connection& db,
                                                               std::int64_t blog_id);
[[nodiscard]] Status each_archived_post(Connection& db, std::int64_t blog_id,
                                        const std::function<Status(const ArchivedPost&)>& each);

}  // namespace carnet::store::import_sql
