#include <fmt/format.h>

#include "store/sqlite_admin.hpp"
#include "store/sqlite_concerns.hpp"
#include "store/sqlite_rows.hpp"

namespace carnet::store::sqlite {
namespace {

using model::Error;
using namespace rows;

}  // namespace

Result<std::vector<model::Page>> SqlitePageStore::pages(std::int64_t blog_id, bool published_only) {
    return database_.read(
        [&](Connection& db) { return admin_sql::pages(db, blog_id, published_only); });
}

Result<std::optional<model::Page>> SqlitePageStore::find_page_by_id(std::int64_t blog_id,
                                                                    std::int64_t page_id) {
    return database_.read(
        [&](Connection& db) { return admin_sql::find_page_by_id(db, blog_id, page_id); });
}

Result<std::optional<model::Page>> SqlitePageStore::find_published_page(std::int64_t blog_id,
                                                                        std::string_view slug) {
    return database_.read(
        [&](Connection& db) { return admin_sql::find_published_page(db, blog_id, slug); });
}

Result<std::int64_t> SqlitePageWriter::create_page(const model::Page& page) {
    return admin_sql::create_page(transaction_, page);
}

Status SqlitePageWriter::update_page(const model::Page& page) {
    return admin_sql::update_page(transaction_, page);
}

Status SqlitePageWriter::delete_page(std::int64_t blog_id, std::int64_t page_id) {
    return admin_sql::delete_page(transaction_, blog_id, page_id);
}

}  // namespace carnet::store::sqlite
