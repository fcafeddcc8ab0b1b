#include <fmt/format.h>

#include "store/sqlite_admin.hpp"
#include "store/sqlite_concerns.hpp"
#include "store/sqlite_rows.hpp"

namespace carnet::store::sqlite {
namespace {

using model::Error;
using namespace rows;

}  // namespace

Result<std::vector<MediaRecord>> SqliteMediaStore::media(std::int64_t blog_id, int offset,
                                                         int limit) {
    return database_.read(
        [&](Connection& db) { return admin_sql::media(db, blog_id, offset, limit); });
}

Result<std::optional<MediaRecord>> SqliteMediaStore::find_media(std::int64_t blog_id,
                                                                std::string_view file_name) {
    return database_.read(
        [&](Connection& db) { return admin_sql::find_media(db, blog_id, file_name); });
}

Result<std::int64_t> SqliteMediaWriter::add_media(const MediaRecord& media,
                                                  std::int64_t uploaded_by) {
    return admin_sql::add_media(transaction_, media, uploaded_by);
}

}  // namespace carnet::store::sqlite
