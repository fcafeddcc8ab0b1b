#include <fmt/format.h>

#include "store/pg_concerns.hpp"
#include "store/pg_import.hpp"
#include "store/pg_rows.hpp"

namespace carnet::store::pg {
namespace {

using model::Error;
using namespace rows;

// The SQL of this concern, which the class below forwards to.
namespace sql {

Result<std::optional<model::Post>> find_post_redirect(Connection& db, std::int64_t blog_id,
                                                      std::string_view old_path) {
    CARNET_TRY(statement, db.prepare("SELECT post_id FROM post_redirects "
                                     "WHERE blog_id = $1 AND old_path = $2"));
    statement->bind(1, blog_id).bind(2, old_path);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<model::Post>();
    const auto post_id = statement->column_int(0);
    statement->reset();
    CARNET_TRY(post, rows::find_post_by_id(db, blog_id, post_id));
    if (!post || post->status != model::PostStatus::published) return std::optional<model::Post>();
    return post;
}

Result<std::vector<std::string>> post_redirect_paths(Connection& db, std::int64_t blog_id) {
    CARNET_TRY(statement, db.prepare("SELECT old_path FROM post_redirects WHERE blog_id = $1 "
                                     "ORDER BY old_path"));
    statement->bind(1, blog_id);
    std::vector<std::string> paths;
    CARNET_CHECK(for_each_row(
        *statement, [&](const pg::Statement& row) { paths.push_back(row.column_text(0)); }));
    return paths;
}

Result<std::optional<model::Category>> find_category_redirect(Connection& db, std::int64_t blog_id,
                                                              std::string_view old_slug) {
    CARNET_TRY(statement, db.prepare("SELECT c.id, c.name, c.slug FROM category_redirects r "
                                     "JOIN categories c ON c.id = r.category_id "
                                     "WHERE r.blog_id = $1 AND r.old_slug = $2"));
    statement->bind(1, blog_id).bind(2, old_slug);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<model::Category>();
    model::Category category{statement->column_int(0), blog_id, statement->column_text(1),
                             statement->column_text(2), 0};
    statement->reset();
    return std::optional<model::Category>(std::move(category));
}

}  // namespace sql

}  // namespace

Result<std::optional<model::Post>> PgRedirectStore::find_post_redirect(std::int64_t blog_id,
                                                                       std::string_view old_path) {
    return database_.read(
        [&](Connection& db) { return sql::find_post_redirect(db, blog_id, old_path); });
}

Result<std::vector<std::string>> PgRedirectStore::post_redirect_paths(std::int64_t blog_id) {
    return database_.read([&](Connection& db) { return sql::post_redirect_paths(db, blog_id); });
}

Result<std::optional<model::Category>> PgRedirectStore::find_category_redirect(
    std::int64_t blog_id, std::string_view old_slug) {
    return database_.read(
        [&](Connection& db) { return sql::find_category_redirect(db, blog_id, old_slug); });
}

Status PgRedirectWriter::add_post_redirect(std::int64_t blog_id, std::string_view old_path,
                                           std::int64_t post_id) {
    return import_sql::add_post_redirect(transaction_, blog_id, old_path, post_id);
}

}  // namespace carnet::store::pg
