// Readers' comments: stored, moderated, edited, deleted, listed.
#include "store/sql_comments.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "store/sql_concerns.hpp"

namespace carnet::store::comments_sql {
namespace {

using model::Error;

constexpr std::string_view k_comment_columns =
    "c.id, c.blog_id, c.post_id, coalesce(c.parent_id, 0), c.author_name, c.author_email, "
    "c.author_url, c.source, c.html, c.status, c.created_at, c.client_hash, p.title, "
    "c.author_handle";

template <typename Statement>
model::Comment read_comment(const Statement& row) {
    model::Comment comment;
    comment.id = row.column_int(0);
    comment.blog_id = row.column_int(1);
    comment.post_id = row.column_int(2);
    comment.parent_id = row.column_int(3);
    comment.author_name = row.column_text(4);
    comment.author_email = row.column_text(5);
    comment.author_url = row.column_text(6);
    comment.source = row.column_text(7);
    comment.html = row.column_text(8);
    comment.status =
        model::parse_comment_status(row.column_text(9)).value_or(model::CommentStatus::pending);
    comment.created_at = rows::instant_of(row.column_int(10));
    comment.client_hash = row.column_text(11);
    comment.post_title = row.column_text(12);
    comment.author_handle = row.column_text(13);
    return comment;
}

template <typename Connection>
Result<std::optional<model::Comment>> find(Connection& db, std::int64_t blog_id,
                                           std::int64_t comment_id) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM comments c "
                                                 "JOIN posts p ON p.id = c.post_id "
                                                 "WHERE c.blog_id = ?1 AND c.id = ?2",
                                                 k_comment_columns)));
    statement->bind(1, blog_id).bind(2, comment_id);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<model::Comment>();
    auto comment = read_comment(*statement);
    statement->reset();
    return std::optional<model::Comment>(std::move(comment));
}

template <typename Connection>
Result<model::Comment> existing(Connection& db, std::int64_t blog_id, std::int64_t comment_id) {
    CARNET_TRY(found, find(db, blog_id, comment_id));
    if (!found) {
        return model::fail(Error::Code::not_found,
                           fmt::format("no comment {} in this blog", comment_id));
    }
    return std::move(*found);
}

template <typename Transaction>
Result<std::int64_t> add_comment(Transaction& context, const model::Comment& comment) {
    if (comment.author_name.empty() || comment.source.empty()) {
        return model::fail(Error::Code::invalid_input, "a comment needs a name and a text");
    }
    return insert_comment(context, comment, "comment", "");
}

}  // namespace

template <typename Transaction>
Result<std::int64_t> insert_comment(Transaction& context, const model::Comment& comment,
                                    std::string_view kind, std::string_view author_ip) {
    auto& db = context.db;
    CARNET_TRY(post, rows::exists(db, "SELECT 1 FROM posts WHERE blog_id = ?1 AND id = ?2",
                                  comment.blog_id, comment.post_id));
    if (!post) {
        return model::fail(Error::Code::not_found,
                           fmt::format("no post {} in this blog", comment.post_id));
    }
    if (comment.parent_id != 0) {
        CARNET_TRY(parent, find(db, comment.blog_id, comment.parent_id));
        if (!parent || parent->post_id != comment.post_id) {
            return model::fail(Error::Code::invalid_input,
                               "a reply must answer a comment of the same post");
        }
    }
    CARNET_TRY(insert, db.prepare("INSERT INTO comments (blog_id, post_id, parent_id, "
                                  "author_name, author_email, author_url, source, html, status, "
                                  "created_at, client_hash, kind, author_ip, author_handle) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                                  "?13, ?14)"));
    insert->bind(1, comment.blog_id).bind(2, comment.post_id);
    insert->bind_id(3, comment.parent_id);
    insert->bind(4, comment.author_name)
        .bind(5, comment.author_email)
        .bind(6, comment.author_url)
        .bind(7, comment.source)
        .bind(8, comment.html)
        .bind(9, model::to_string(comment.status))
        .bind(10, rows::seconds_of(comment.created_at))
        .bind(11, comment.client_hash)
        .bind(12, kind)
        .bind(13, author_ip)
        .bind(14, comment.author_handle);
    CARNET_CHECK(insert->run());
    if (comment.status == model::CommentStatus::approved) {
        context.touched_blogs_around_contents.insert(comment.blog_id);
    }
    return sql::inserted_id(db);
}

template Result<std::int64_t> insert_comment(sqlite::Transaction&, const model::Comment&,
                                             std::string_view, std::string_view);
template Result<std::int64_t> insert_comment(pg::Transaction&, const model::Comment&,
                                             std::string_view, std::string_view);

namespace {

template <typename Transaction>
Status set_comment_status(Transaction& context, std::int64_t blog_id, std::int64_t comment_id,
                          model::CommentStatus status) {
    CARNET_TRY(old, existing(context.db, blog_id, comment_id));
    CARNET_TRY(update, context.db.prepare(
                           "UPDATE comments SET status = ?3 WHERE blog_id = ?1 AND id = ?2"));
    update->bind(1, blog_id).bind(2, comment_id).bind(3, model::to_string(status));
    CARNET_CHECK(update->run());
    if (old.status == model::CommentStatus::approved || status == model::CommentStatus::approved) {
        context.touched_blogs_around_contents.insert(blog_id);
    }
    return {};
}

template <typename Transaction>
Status update_comment(Transaction& context, std::int64_t blog_id, std::int64_t comment_id,
                      std::string_view source, std::string_view html) {
    CARNET_TRY(old, existing(context.db, blog_id, comment_id));
    if (source.empty()) return model::fail(Error::Code::invalid_input, "a comment needs a text");
    CARNET_TRY(update, context.db.prepare("UPDATE comments SET source = ?3, html = ?4 "
                                          "WHERE blog_id = ?1 AND id = ?2"));
    update->bind(1, blog_id).bind(2, comment_id).bind(3, source).bind(4, html);
    CARNET_CHECK(update->run());
    if (old.status == model::CommentStatus::approved)
        context.touched_blogs_around_contents.insert(blog_id);
    return {};
}

template <typename Transaction>
Status delete_comment(Transaction& context, std::int64_t blog_id, std::int64_t comment_id) {
    CARNET_TRY(old, existing(context.db, blog_id, comment_id));
    // Replies stay, moved up to the deleted comment's own parent (or to the top).
    CARNET_TRY(lift, context.db.prepare("UPDATE comments SET parent_id = ?3 "
                                        "WHERE blog_id = ?1 AND parent_id = ?2"));
    lift->bind(1, blog_id).bind(2, comment_id);
    lift->bind_id(3, old.parent_id);
    CARNET_CHECK(lift->run());
    CARNET_TRY(remove, context.db.prepare("DELETE FROM comments WHERE blog_id = ?1 AND id = ?2"));
    remove->bind(1, blog_id).bind(2, comment_id);
    CARNET_CHECK(remove->run());
    context.touched_blogs_around_contents.insert(blog_id);
    return {};
}

template <typename Connection>
Result<std::vector<model::Comment>> approved_comments(Connection& db, std::int64_t blog_id,
                                                      std::int64_t post_id) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM comments c "
                                                 "JOIN posts p ON p.id = c.post_id "
                                                 "WHERE c.post_id = ?2 AND c.blog_id = ?1 "
                                                 "AND c.status = 'approved' "
                                                 "ORDER BY c.created_at, c.id",
                                                 k_comment_columns)));
    statement->bind(1, blog_id).bind(2, post_id);
    std::vector<model::Comment> found;
    while (true) {
        CARNET_TRY(has_row, statement->step());
        if (!has_row) break;
        found.push_back(read_comment(*statement));
    }
    statement->reset();
    return found;
}

template <typename Connection>
Result<CommentList> comments(Connection& db, std::int64_t blog_id, const CommentQuery& query) {
    constexpr std::string_view k_filter =
        "c.blog_id = ?1 AND (CAST(?2 AS text) IS NULL OR c.status = ?2) "
        "AND (CAST(?3 AS bigint) IS NULL OR c.post_id = ?3)";
    auto bind = [&](auto& statement) {
        statement.bind(1, blog_id);
        statement.bind(
            2, query.status.transform([](auto status) { return model::to_string(status); }));
        statement.bind(3, query.post_id);
    };
    CommentList list;
    CARNET_TRY(count,
               db.prepare(fmt::format("SELECT count(*) FROM comments c WHERE {}", k_filter)));
    bind(*count);
    CARNET_TRY(has_count, count->step());
    list.total = has_count ? static_cast<int>(count->column_int(0)) : 0;
    count->reset();
    CARNET_TRY(select, db.prepare(fmt::format("SELECT {} FROM comments c "
                                              "JOIN posts p ON p.id = c.post_id WHERE {} "
                                              "ORDER BY c.created_at DESC, c.id DESC "
                                              "LIMIT ?4 OFFSET ?5",
                                              k_comment_columns, k_filter)));
    bind(*select);
    select->bind(4, std::max(0, query.limit)).bind(5, std::max(0, query.offset));
    while (true) {
        CARNET_TRY(has_row, select->step());
        if (!has_row) break;
        list.comments.push_back(read_comment(*select));
    }
    select->reset();
    return list;
}

template <typename Connection>
Result<bool> has_approved_comment_from(Connection& db, std::int64_t blog_id, std::string_view name,
                                       std::string_view email) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT 1 FROM comments WHERE blog_id = ?1 "
                                                 "AND status = 'approved' AND author_name = ?2 "
                                                 "AND author_email = ?3 COLLATE {} LIMIT 1",
                                                 sql::BackendOf<Connection>::nocase)));
    statement->bind(1, blog_id).bind(2, name).bind(3, email);
    CARNET_TRY(has_row, statement->step());
    statement->reset();
    return has_row;
}

}  // namespace

}  // namespace carnet::store::comments_sql

namespace carnet::store::sql {

template <typename Backend>
Result<std::vector<model::Comment>> CommentStoreFor<Backend>::approved_comments(
    std::int64_t blog_id, std::int64_t post_id) {
    return database_.read(
        [&](auto& db) { return comments_sql::approved_comments(db, blog_id, post_id); });
}

template <typename Backend>
Result<CommentList> CommentStoreFor<Backend>::comments(std::int64_t blog_id,
                                                       const CommentQuery& query) {
    return database_.read([&](auto& db) { return comments_sql::comments(db, blog_id, query); });
}

template <typename Backend>
Result<std::optional<model::Comment>> CommentStoreFor<Backend>::find_comment(
    std::int64_t blog_id, std::int64_t comment_id) {
    return database_.read([&](auto& db) { return comments_sql::find(db, blog_id, comment_id); });
}

template <typename Backend>
Result<bool> CommentStoreFor<Backend>::has_approved_comment_from(std::int64_t blog_id,
                                                                 std::string_view name,
                                                                 std::string_view email) {
    return database_.read([&](auto& db) {
        return comments_sql::has_approved_comment_from(db, blog_id, name, email);
    });
}

template <typename Backend>
Result<std::int64_t> CommentWriterFor<Backend>::add_comment(const model::Comment& comment) {
    return comments_sql::add_comment(transaction_, comment);
}

template <typename Backend>
Status CommentWriterFor<Backend>::set_comment_status(std::int64_t blog_id, std::int64_t comment_id,
                                                     model::CommentStatus status) {
    return comments_sql::set_comment_status(transaction_, blog_id, comment_id, status);
}

template <typename Backend>
Status CommentWriterFor<Backend>::update_comment(std::int64_t blog_id, std::int64_t comment_id,
                                                 std::string_view source, std::string_view html) {
    return comments_sql::update_comment(transaction_, blog_id, comment_id, source, html);
}

template <typename Backend>
Status CommentWriterFor<Backend>::delete_comment(std::int64_t blog_id, std::int64_t comment_id) {
    return comments_sql::delete_comment(transaction_, blog_id, comment_id);
}

template class CommentStoreFor<SqliteBackend>;
template class CommentStoreFor<PgBackend>;
template class CommentWriterFor<SqliteBackend>;
template class CommentWriterFor<PgBackend>;

}  // namespace carnet::store::sql
