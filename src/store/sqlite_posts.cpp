#include <fmt/format.h>

#include "store/sqlite_admin.hpp"
#include "store/sqlite_concerns.hpp"
#include "store/sqlite_rows.hpp"

namespace carnet::store::sqlite {
namespace {

using model::Error;
using namespace rows;

void bind_filter(Statement& statement, std::int64_t blog_id, const PostQuery& query,
                 const std::string& local_from, const std::string& local_to) {
    statement.bind(1, blog_id);
    if (query.year) statement.bind(2, local_from).bind(3, local_to);
    if (query.category_id) statement.bind(4, *query.category_id);
}

}  // namespace

Result<PostList> SqlitePostStore::published_posts(std::int64_t blog_id, const PostQuery& query) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    Connection& db = **reader;

    std::string filter = "p.blog_id = ?1 AND p.status = 'published'";
    std::string local_from;
    std::string local_to;
    if (query.year) {
        // published_local is 'YYYY-MM-DD HH:MM:SS': a date prefix selects a period, and
        // '~' sorts after every character that can follow the prefix.
        local_from = fmt::format("{:04}", *query.year);
        if (query.month) local_from += fmt::format("-{:02}", *query.month);
        if (query.month && query.day) local_from += fmt::format("-{:02}", *query.day);
        local_to = local_from + "~";
        filter += " AND p.published_local >= ?2 AND p.published_local < ?3";
    }
    if (query.category_id) {
        filter += " AND p.id IN (SELECT post_id FROM post_categories WHERE category_id = ?4)";
    }

    PostList list;
    {
        CARNET_TRY(count, db.prepare(fmt::format("SELECT count(*) FROM posts p WHERE {}", filter)));
        bind_filter(*count, blog_id, query, local_from, local_to);
        CARNET_TRY(has_row, count->step());
        list.total = has_row ? static_cast<int>(count->column_int(0)) : 0;
        count->reset();
    }
    CARNET_TRY(select, db.prepare(fmt::format(
                           "SELECT {} FROM posts p WHERE {} "
                           "ORDER BY p.published_at DESC, p.id DESC LIMIT ?5 OFFSET ?6",
                           query.with_body ? k_post_columns_with_body : k_post_columns_without_body,
                           filter)));
    bind_filter(*select, blog_id, query, local_from, local_to);
    select->bind(5, std::max(0, query.limit)).bind(6, std::max(0, query.offset));
    while (true) {
        CARNET_TRY(has_row, select->step());
        if (!has_row) break;
        list.posts.push_back(read_post(*select));
    }
    select->reset();
    for (auto& post : list.posts) CARNET_CHECK(load_categories(db, post));
    return list;
}

Result<std::optional<model::Post>> SqlitePostStore::find_published_post(std::int64_t blog_id,
                                                                        std::string_view slug) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    return find_post(**reader, blog_id, slug, true);
}

Result<std::vector<model::MonthCount>> SqlitePostStore::months_with_counts(std::int64_t blog_id) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    CARNET_TRY(statement,
               (*reader)->prepare("SELECT CAST(substr(published_local, 1, 4) AS INTEGER) AS y, "
                                  "CAST(substr(published_local, 6, 2) AS INTEGER) AS m, count(*) "
                                  "FROM posts WHERE blog_id = ?1 AND status = 'published' "
                                  "GROUP BY y, m ORDER BY y DESC, m DESC"));
    statement->bind(1, blog_id);
    std::vector<model::MonthCount> months;
    while (true) {
        CARNET_TRY(has_row, statement->step());
        if (!has_row) break;
        months.push_back(model::MonthCount{static_cast<int>(statement->column_int(0)),
                                           static_cast<int>(statement->column_int(1)),
                                           static_cast<int>(statement->column_int(2))});
    }
    statement->reset();
    return months;
}

Result<PostList> SqlitePostStore::admin_posts(std::int64_t blog_id, const AdminPostQuery& query) {
    return database_.read(
        [&](Connection& db) { return admin_sql::admin_posts(db, blog_id, query); });
}

Result<std::optional<model::Post>> SqlitePostStore::find_post_by_id(std::int64_t blog_id,
                                                                    std::int64_t post_id) {
    return database_.read(
        [&](Connection& db) { return rows::find_post_by_id(db, blog_id, post_id); });
}

Result<std::vector<Revision>> SqlitePostStore::revisions(std::int64_t blog_id,
                                                         std::int64_t post_id) {
    return database_.read(
        [&](Connection& db) { return admin_sql::revisions(db, blog_id, post_id); });
}

Result<std::optional<Revision>> SqlitePostStore::find_revision(std::int64_t blog_id,
                                                               std::int64_t revision_id) {
    return database_.read(
        [&](Connection& db) { return admin_sql::find_revision(db, blog_id, revision_id); });
}

Result<std::int64_t> SqlitePostWriter::create_post(const model::Post& post) {
    if (post.title.empty()) return model::fail(Error::Code::invalid_input, "a post needs a title");
    CARNET_TRY(blogs, rows::load_blogs(transaction_.db, post.blog_id));
    if (blogs.empty()) {
        return model::fail(Error::Code::not_found, fmt::format("no blog {}", post.blog_id));
    }
    const auto slug = post.slug.empty() ? model::make_slug(post.title) : post.slug;
    CARNET_TRY(local, model::to_local(post.published_at, blogs.front().time_zone));

    CARNET_TRY(insert, transaction_.db.prepare(
                           "INSERT INTO posts (blog_id, status, title, slug, source_format, "
                           "source, html, excerpt, published_at, published_local, "
                           "updated_at, comments_open, author_id, comment_policy) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                           "?14)"));
    insert->bind(1, post.blog_id)
        .bind(2, model::to_string(post.status))
        .bind(3, post.title)
        .bind(4, slug)
        .bind(5, model::to_string(post.source_format))
        .bind(6, post.source)
        .bind(7, post.html)
        .bind(8, post.excerpt)
        .bind(9, static_cast<std::int64_t>(post.published_at.time_since_epoch().count()))
        .bind(10, local_text(local))
        .bind(11, static_cast<std::int64_t>(post.updated_at.time_since_epoch().count()))
        .bind(12, post.comments_open ? 1 : 0);
    insert->bind_id(13, post.author_id);
    insert->bind(
        14, post.comment_policy.transform([](auto policy) { return model::to_string(policy); }));
    auto inserted = insert->run();
    if (!inserted) {
        if (inserted.error().code == Error::Code::conflict) {
            return model::fail(Error::Code::conflict,
                               fmt::format("a post with the slug {} exists already", slug));
        }
        return std::unexpected(inserted.error());
    }
    const auto post_id = transaction_.db.last_insert_id();

    for (std::size_t position = 0; position < post.categories.size(); ++position) {
        const auto& category = post.categories[position];
        CARNET_TRY(category_id, transaction_.category_id_for(post.blog_id, category));
        CARNET_TRY(link, transaction_.db.prepare("INSERT OR IGNORE INTO post_categories "
                                                 "(blog_id, post_id, category_id, position) "
                                                 "VALUES (?1, ?2, ?3, ?4)"));
        link->bind(1, post.blog_id)
            .bind(2, post_id)
            .bind(3, category_id)
            .bind(4, static_cast<int>(position));
        CARNET_CHECK(link->run());
    }
    CARNET_CHECK(transaction_.reindex_post(post_id));
    transaction_.touched_blogs.insert(post.blog_id);
    return post_id;
}

Result<std::optional<model::Post>> SqlitePostWriter::find_post_by_slug(std::int64_t blog_id,
                                                                       std::string_view slug) {
    return find_post(transaction_.db, blog_id, slug, false);
}

Result<std::optional<model::Post>> SqlitePostWriter::find_post_by_id(std::int64_t blog_id,
                                                                     std::int64_t post_id) {
    return rows::find_post_by_id(transaction_.db, blog_id, post_id);
}

Status SqlitePostWriter::update_post(const model::Post& post) {
    return admin_sql::update_post(transaction_, post);
}

Result<std::int64_t> SqlitePostWriter::save_revision(std::int64_t blog_id, std::int64_t post_id,
                                                     std::int64_t author_id, bool autosave) {
    return admin_sql::save_revision(transaction_, blog_id, post_id, author_id, autosave);
}

Status SqlitePostWriter::delete_post(std::int64_t blog_id, std::int64_t post_id) {
    return admin_sql::delete_post(transaction_, blog_id, post_id);
}

Result<int> SqlitePostWriter::publish_due_posts(model::Instant now) {
    return admin_sql::publish_due_posts(transaction_, now);
}

}  // namespace carnet::store::sqlite
