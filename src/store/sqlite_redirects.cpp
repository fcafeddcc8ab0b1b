#include <fmt/format.h>

#include "store/sqlite_admin.hpp"
#include "store/sqlite_concerns.hpp"
#include "store/sqlite_import.hpp"
#include "store/sqlite_rows.hpp"

namespace carnet::store::sqlite {
namespace {

using model::Error;
using namespace rows;

}  // namespace

Result<std::optional<model::Post>> SqliteRedirectStore::find_post_redirect(
    std::int64_t blog_id, std::string_view old_path) {
    return database_.read(
        [&](Connection& db) { return admin_sql::find_post_redirect(db, blog_id, old_path); });
}

Result<std::vector<std::string>> SqliteRedirectStore::post_redirect_paths(std::int64_t blog_id) {
    return database_.read(
        [&](Connection& db) { return admin_sql::post_redirect_paths(db, blog_id); });
}

Result<std::optional<model::Category>> SqliteRedirectStore::find_category_redirect(
    std::int64_t blog_id, std::string_view old_slug) {
    return database_.read(
        [&](Connection& db) { return admin_sql::find_category_redirect(db, blog_id, old_slug); });
}

Status SqliteRedirectWriter::add_post_redirect(std::int64_t blog_id, std::string_view old_path,
                                               std::int64_t post_id) {
    return import_sql::add_post_redirect(transaction_, blog_id, old_path, post_id);
}

}  // namespace carnet::store::sqlite
