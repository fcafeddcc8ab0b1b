#include <fmt/format.h>

#include "store/pg_concerns.hpp"
#include "store/pg_import.hpp"
#include "store/pg_rows.hpp"

namespace carnet::store::pg {
namespace {

using model::Error;
using namespace rows;

}  // namespace

Result<std::vector<ArchivedPost>> PgArchiveStore::archived_posts(std::int64_t blog_id) {
    return database_.read([&](Connection& db) { return import_sql::archived_posts(db, blog_id); });
}

Status PgArchiveStore::each_archived_post(std::int64_t blog_id,
                                          const std::function<Status(const ArchivedPost&)>& each) {
    return database_.read(
        [&](Connection& db) { return import_sql::each_archived_post(db, blog_id, each); });
}

Result<std::optional<std::int64_t>> PgArchiveWriter::find_post_at(std::int64_t blog_id,
                                                                  model::Instant published_at,
                                                                  std::string_view slug,
                                                                  std::string_view meta_key,
                                                                  std::string_view meta_value) {
    return import_sql::find_post_at(transaction_.db, blog_id, published_at, slug, meta_key,
                                    meta_value);
}

Status PgArchiveWriter::set_post_extras(std::int64_t blog_id, std::int64_t post_id,
                                        const std::vector<std::string>& tags,
                                        const std::map<std::string, std::string>& meta) {
    return import_sql::set_post_extras(transaction_, blog_id, post_id, tags, meta);
}

Result<std::int64_t> PgArchiveWriter::add_archived_comment(const ArchivedComment& comment) {
    return import_sql::add_archived_comment(transaction_, comment);
}

Result<std::optional<ArchivedPost>> PgArchiveWriter::archived_post(std::int64_t blog_id,
                                                                   std::int64_t post_id) {
    return import_sql::archived_post(transaction_.db, blog_id, post_id);
}

}  // namespace carnet::store::pg
