// What imports from other hosts' formats read and write: post meta, tags, comments and pings
// as another host kept them; and the export's reading of every post with all of that.
#include <fmt/format.h>

#include <functional>

#include "store/archive_batches.hpp"
#include "store/sql_comments.hpp"
#include "store/sql_concerns.hpp"

namespace carnet::store::import_sql {
namespace {

using model::Error;

// Whether the blog holds the post: the writes below need no more of it.
constexpr std::string_view k_post_exists = "SELECT 1 FROM posts WHERE blog_id = ?1 AND id = ?2";

std::string_view kind_text(CommentKind kind) {
    return kind == CommentKind::ping ? "ping" : "comment";
}

template <typename Connection>
Result<std::vector<ArchivedComment>> comments_of(Connection& db, std::int64_t post_id) {
    CARNET_TRY(select,
               db.prepare("SELECT id, blog_id, post_id, coalesce(parent_id, 0), author_name, "
                          "author_email, author_url, source, html, status, created_at, "
                          "client_hash, kind, author_ip FROM comments WHERE post_id = ?1 "
                          "ORDER BY created_at, id"));
    select->bind(1, post_id);
    std::vector<ArchivedComment> found;
    while (true) {
        CARNET_TRY(has_row, select->step());
        if (!has_row) break;
        ArchivedComment archived;
        auto& comment = archived.comment;
        comment.id = select->column_int(0);
        comment.blog_id = select->column_int(1);
        comment.post_id = select->column_int(2);
        comment.parent_id = select->column_int(3);
        comment.author_name = select->column_text(4);
        comment.author_email = select->column_text(5);
        comment.author_url = select->column_text(6);
        comment.source = select->column_text(7);
        comment.html = select->column_text(8);
        comment.status = model::parse_comment_status(select->column_text(9))
                             .value_or(model::CommentStatus::pending);
        comment.created_at = rows::instant_of(select->column_int(10));
        comment.client_hash = select->column_text(11);
        archived.kind =
            select->column_text(12) == "ping" ? CommentKind::ping : CommentKind::comment;
        archived.author_ip = select->column_text(13);
        found.push_back(std::move(archived));
    }
    select->reset();
    CARNET_TRY(meta, db.prepare("SELECT key, value FROM comment_meta WHERE comment_id = ?1"));
    for (auto& archived : found) {
        meta->reset();
        meta->bind(1, archived.comment.id);
        while (true) {
            CARNET_TRY(has_row, meta->step());
            if (!has_row) break;
            archived.meta.emplace(meta->column_text(0), meta->column_text(1));
        }
    }
    meta->reset();
    return found;
}

template <typename Connection>
Result<std::optional<std::int64_t>> find_post_at(Connection& db, std::int64_t blog_id,
                                                 model::Instant published_at, std::string_view slug,
                                                 std::string_view meta_key,
                                                 std::string_view meta_value) {
    // Every status named, so that the lookup walks posts_by_time (blog, status, date) to the
    // posts of that second instead of reading every post of the blog: an import checks each
    // post it brings, and a scan each made importing quadratic.
    CARNET_TRY(select, db.prepare("SELECT p.id FROM posts p WHERE p.blog_id = ?1 "
                                  "AND p.status IN ('draft', 'scheduled', 'published', 'trash') "
                                  "AND p.published_at = ?2 AND (p.slug = ?3 OR EXISTS "
                                  "(SELECT 1 FROM post_meta m WHERE m.post_id = p.id "
                                  "AND m.key = ?4 AND m.value = ?5)) ORDER BY p.id LIMIT 1"));
    select->bind(1, blog_id)
        .bind(2, rows::seconds_of(published_at))
        .bind(3, slug)
        .bind(4, meta_key)
        .bind(5, meta_value);
    CARNET_TRY(has_row, select->step());
    std::optional<std::int64_t> id;
    if (has_row) id = select->column_int(0);
    select->reset();
    return id;
}

template <typename Transaction>
Status set_post_extras(Transaction& context, std::int64_t blog_id, std::int64_t post_id,
                       const std::vector<std::string>& tags,
                       const std::map<std::string, std::string>& meta) {
    auto& db = context.db;
    CARNET_TRY(post, rows::exists(db, k_post_exists, blog_id, post_id));
    if (!post) return rows::not_found("post", post_id);
    CARNET_TRY(clear_tags, db.prepare("DELETE FROM post_tags WHERE post_id = ?1"));
    clear_tags->bind(1, post_id);
    CARNET_CHECK(clear_tags->run());
    CARNET_TRY(add_tag, db.prepare("INSERT INTO tags (blog_id, name) VALUES (?1, ?2) "
                                   "ON CONFLICT (blog_id, name) DO UPDATE SET name = excluded.name "
                                   "RETURNING id"));
    CARNET_TRY(link, db.prepare("INSERT INTO post_tags (post_id, tag_id, position) "
                                "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING"));
    for (std::size_t position = 0; position < tags.size(); ++position) {
        if (tags[position].empty()) continue;
        add_tag->reset();
        add_tag->bind(1, blog_id).bind(2, tags[position]);
        CARNET_TRY(has_row, add_tag->step());
        if (!has_row) return model::fail(Error::Code::database, "a tag was not stored");
        const auto tag_id = add_tag->column_int(0);
        add_tag->reset();
        link->reset();
        link->bind(1, post_id).bind(2, tag_id).bind(3, static_cast<int>(position));
        CARNET_CHECK(link->run());
    }
    CARNET_TRY(clear_meta, db.prepare("DELETE FROM post_meta WHERE post_id = ?1"));
    clear_meta->bind(1, post_id);
    CARNET_CHECK(clear_meta->run());
    CARNET_TRY(add_meta,
               db.prepare("INSERT INTO post_meta (post_id, key, value) VALUES (?1, ?2, ?3)"));
    for (const auto& [key, value] : meta) {
        add_meta->reset();
        add_meta->bind(1, post_id).bind(2, key).bind(3, value);
        CARNET_CHECK(add_meta->run());
    }
    context.touched_blogs.insert(blog_id);
    return {};
}

template <typename Transaction>
Result<std::int64_t> add_archived_comment(Transaction& context, const ArchivedComment& archived) {
    auto& db = context.db;
    CARNET_TRY(comment_id,
               comments_sql::insert_comment(context, archived.comment, kind_text(archived.kind),
                                            archived.author_ip));
    CARNET_TRY(add_meta, db.prepare("INSERT INTO comment_meta (comment_id, key, value) "
                                    "VALUES (?1, ?2, ?3)"));
    for (const auto& [key, value] : archived.meta) {
        add_meta->reset();
        add_meta->bind(1, comment_id).bind(2, key).bind(3, value);
        CARNET_CHECK(add_meta->run());
    }
    return comment_id;
}

template <typename Connection>
Result<std::optional<ArchivedPost>> archived_post(Connection& db, std::int64_t blog_id,
                                                  std::int64_t post_id) {
    CARNET_TRY(post, rows::find_post_by_id(db, blog_id, post_id));
    if (!post) return std::optional<ArchivedPost>();
    ArchivedPost archived;
    archived.post = std::move(*post);
    CARNET_TRY(tags, db.prepare("SELECT t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id "
                                "WHERE pt.post_id = ?1 ORDER BY pt.position"));
    tags->bind(1, post_id);
    while (true) {
        CARNET_TRY(has_row, tags->step());
        if (!has_row) break;
        archived.tags.push_back(tags->column_text(0));
    }
    tags->reset();
    CARNET_TRY(meta, db.prepare("SELECT key, value FROM post_meta WHERE post_id = ?1"));
    meta->bind(1, post_id);
    while (true) {
        CARNET_TRY(has_row, meta->step());
        if (!has_row) break;
        archived.meta.emplace(meta->column_text(0), meta->column_text(1));
    }
    meta->reset();
    CARNET_TRY(comments, comments_of(db, post_id));
    archived.comments = std::move(comments);
    return std::optional<ArchivedPost>(std::move(archived));
}

template <typename Connection>
Status each_archived_post(Connection& db, std::int64_t blog_id,
                          const std::function<Status(const ArchivedPost&)>& each);

template <typename Connection>
Result<std::vector<ArchivedPost>> archived_posts(Connection& db, std::int64_t blog_id) {
    std::vector<ArchivedPost> posts;
    CARNET_CHECK(each_archived_post(db, blog_id, [&](const ArchivedPost& archived) -> Status {
        posts.push_back(archived);
        return {};
    }));
    return posts;
}

template <typename Connection>
Status each_archived_post(Connection& db, std::int64_t blog_id,
                          const std::function<Status(const ArchivedPost&)>& each) {
    // One snapshot for every batch: a post written meanwhile is in the export whole, or not.
    return archive_batches::each_post(
        db, sql::BackendOf<Connection>::begin_snapshot,
        "SELECT id, published_at FROM posts WHERE blog_id = ?1 AND status != 'trash' "
        "AND (published_at, id) > (?2, ?3) ORDER BY published_at, id LIMIT ?4",
        blog_id,
        [](auto& connection, std::int64_t blog, std::int64_t id) {
            return archived_post(connection, blog, id);
        },
        each);
}

}  // namespace
}  // namespace carnet::store::import_sql

namespace carnet::store::sql {

template <typename Backend>
Result<std::vector<ArchivedPost>> ArchiveStoreFor<Backend>::archived_posts(std::int64_t blog_id) {
    return database_.read([&](auto& db) { return import_sql::archived_posts(db, blog_id); });
}

template <typename Backend>
Status ArchiveStoreFor<Backend>::each_archived_post(
    std::int64_t blog_id, const std::function<Status(const ArchivedPost&)>& each) {
    return database_.read(
        [&](auto& db) { return import_sql::each_archived_post(db, blog_id, each); });
}

template <typename Backend>
Result<std::optional<std::int64_t>> ArchiveWriterFor<Backend>::find_post_at(
    std::int64_t blog_id, model::Instant published_at, std::string_view slug,
    std::string_view meta_key, std::string_view meta_value) {
    return import_sql::find_post_at(transaction_.db, blog_id, published_at, slug, meta_key,
                                    meta_value);
}

template <typename Backend>
Status ArchiveWriterFor<Backend>::set_post_extras(std::int64_t blog_id, std::int64_t post_id,
                                                  const std::vector<std::string>& tags,
                                                  const std::map<std::string, std::string>& meta) {
    return import_sql::set_post_extras(transaction_, blog_id, post_id, tags, meta);
}

template <typename Backend>
Result<std::int64_t> ArchiveWriterFor<Backend>::add_archived_comment(
    const ArchivedComment& comment) {
    return import_sql::add_archived_comment(transaction_, comment);
}

template <typename Backend>
Result<std::optional<ArchivedPost>> ArchiveWriterFor<Backend>::archived_post(std::int64_t blog_id,
                                                                             std::int64_t post_id) {
    return import_sql::archived_post(transaction_.db, blog_id, post_id);
}

template class ArchiveStoreFor<SqliteBackend>;
template class ArchiveStoreFor<PgBackend>;
template class ArchiveWriterFor<SqliteBackend>;
template class ArchiveWriterFor<PgBackend>;

}  // namespace carnet::store::sql
