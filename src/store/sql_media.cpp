// Uploaded media: what was stored, by whom, under which file name.
#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"

namespace carnet::store::sql {
namespace {

using model::Error;
using namespace rows;

// The SQL of this concern, which the class below forwards to.
namespace queries {

template <typename Transaction>
Result<std::int64_t> add_media(Transaction& context, const MediaRecord& media,
                               std::int64_t uploaded_by) {
    auto& db = context.db;
    std::string variants;
    for (const auto& variant : media.variants) {
        variants += fmt::format("{} {} {}\n", variant.width, variant.height, variant.file_name);
    }
    CARNET_TRY(insert, db.prepare("INSERT INTO media (blog_id, content_hash, content_type, "
                                  "size_bytes, width, height, stored_path, created_at, "
                                  "original_name, variants, uploaded_by) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
                                  "ON CONFLICT (blog_id, content_hash) DO NOTHING"));
    insert->bind(1, media.blog_id)
        .bind(2, media.content_hash)
        .bind(3, media.content_type)
        .bind(4, media.size_bytes)
        .bind(5, media.width)
        .bind(6, media.height)
        .bind(7, media.file_name)
        .bind(8, context.now_seconds())
        .bind(9, media.original_name)
        .bind(10, variants);
    insert->bind_id(11, uploaded_by);
    CARNET_CHECK(insert->run());
    CARNET_TRY(select, db.prepare("SELECT id FROM media WHERE blog_id = ?1 AND content_hash = ?2"));
    select->bind(1, media.blog_id).bind(2, media.content_hash);
    CARNET_TRY(has_row, select->step());
    if (!has_row) return model::fail(Error::Code::internal, "media vanished after insert");
    const auto id = select->column_int(0);
    select->reset();
    context.touched_blogs.insert(media.blog_id);
    return id;
}

constexpr std::string_view k_media_columns =
    "id, blog_id, content_hash, content_type, stored_path, original_name, size_bytes, "
    "coalesce(width, 0), coalesce(height, 0), variants, created_at";

MediaRecord read_media(const auto& row) {
    MediaRecord media;
    media.id = row.column_int(0);
    media.blog_id = row.column_int(1);
    media.content_hash = row.column_text(2);
    media.content_type = row.column_text(3);
    media.file_name = row.column_text(4);
    media.original_name = row.column_text(5);
    media.size_bytes = row.column_int(6);
    media.width = static_cast<int>(row.column_int(7));
    media.height = static_cast<int>(row.column_int(8));
    for (const auto& line : split_lines(row.column_text(9))) {
        std::istringstream fields(line);
        MediaRecord::Variant variant;
        if (fields >> variant.width >> variant.height >> variant.file_name) {
            media.variants.push_back(std::move(variant));
        }
    }
    media.created_at = instant_of(row.column_int(10));
    return media;
}

template <typename Connection>
Result<std::vector<MediaRecord>> media(Connection& db, std::int64_t blog_id, int offset,
                                       int limit) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM media WHERE blog_id = ?1 "
                                                 "ORDER BY created_at DESC, id DESC "
                                                 "LIMIT ?2 OFFSET ?3",
                                                 k_media_columns)));
    statement->bind(1, blog_id).bind(2, std::max(0, limit)).bind(3, std::max(0, offset));
    std::vector<MediaRecord> found;
    CARNET_CHECK(
        for_each_row(*statement, [&](const auto& row) { found.push_back(read_media(row)); }));
    return found;
}

template <typename Connection>
Result<std::optional<MediaRecord>> find_media(Connection& db, std::int64_t blog_id,
                                              std::string_view file_name) {
    // A variant's file belongs to its original's record: <hash>-<width>.<ext>.
    const auto hash =
        file_name.substr(0, std::min(file_name.find_first_of("-."), file_name.size()));
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM media WHERE blog_id = ?1 "
                                                 "AND content_hash = ?2",
                                                 k_media_columns)));
    statement->bind(1, blog_id).bind(2, hash);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<MediaRecord>();
    auto record = read_media(*statement);
    statement->reset();
    const bool is_original = record.file_name == file_name;
    const bool is_variant = std::ranges::any_of(
        record.variants, [&](const auto& variant) { return variant.file_name == file_name; });
    if (!is_original && !is_variant) return std::optional<MediaRecord>();
    return std::optional<MediaRecord>(std::move(record));
}

}  // namespace queries

}  // namespace

template <typename Backend>
Result<std::vector<MediaRecord>> MediaStoreFor<Backend>::media(std::int64_t blog_id, int offset,
                                                               int limit) {
    return database_.read([&](auto& db) { return queries::media(db, blog_id, offset, limit); });
}

template <typename Backend>
Result<std::optional<MediaRecord>> MediaStoreFor<Backend>::find_media(std::int64_t blog_id,
                                                                      std::string_view file_name) {
    return database_.read([&](auto& db) { return queries::find_media(db, blog_id, file_name); });
}

template <typename Backend>
Result<std::int64_t> MediaWriterFor<Backend>::add_media(const MediaRecord& media,
                                                        std::int64_t uploaded_by) {
    return queries::add_media(transaction_, media, uploaded_by);
}

template class MediaStoreFor<SqliteBackend>;
template class MediaStoreFor<PgBackend>;
template class MediaWriterFor<SqliteBackend>;
template class MediaWriterFor<PgBackend>;

}  // namespace carnet::store::sql
