#include <fmt/format.h>

#include "store/sqlite_concerns.hpp"
#include "store/sqlite_import.hpp"
#include "store/sqlite_rows.hpp"

namespace carnet::store::sqlite {
namespace {

using model::Error;
using namespace rows;

}  // namespace

Result<std::vector<ArchivedPost>> SqliteArchiveStore::archived_posts(std::int64_t blog_id) {
    return database_.read([&](Connection& db) { return import_sql::archived_posts(db, blog_id); });
}

Status SqliteArchiveStore::each_archived_post(
    std::int64_t blog_id, const std::function<Status(const ArchivedPost&)>& each) {
    return database_.read(
        [&](Connection& db) { return import_sql::each_archived_post(db, blog_id, each); });
}

Result<std::optional<std::int64_t>> SqliteArchiveWriter::find_post_at(std::int64_t blog_id,
                                                                      model::Instant published_at,
                                                                      std::string_view slug,
                                                                      std::string_view meta_key,
                                                                      std::string_view meta_value) {
    return import_sql::find_post_at(transaction_.db, blog_id, published_at, slug, meta_key,
                                    meta_value);
}

Status SqliteArchiveWriter::set_post_extras(std::int64_t blog_id, std::int64_t post_id,
                                            const std::vector<std::string>& tags,
                                            const std::map<std::string, std::string>& meta) {
    return import_sql::set_post_extras(transaction_, blog_id, post_id, tags, meta);
}

Result<std::int64_t> SqliteArchiveWriter::add_archived_comment(const ArchivedComment& comment) {
    return import_sql::add_archived_comment(transaction_, comment);
}

Result<std::optional<ArchivedPost>> SqliteArchiveWriter::archived_post(std::int64_t blog_id,
                                                                       std::int64_t post_id) {
    return import_sql::archived_post(transaction_.db, blog_id, post_id);
}

}  // namespace carnet::store::sqlite
