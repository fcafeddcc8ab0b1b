// The accounts a blog follows and its reader (store.hpp, "Following").
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"
#include "store/try.hpp"

namespace carnet::store::sql {
namespace {

using model::Error;

using rows::for_each_row;
using rows::instant_of;
using rows::seconds_of;

std::string_view state_name(FollowingState state) {
    return state == FollowingState::accepted ? "accepted" : "pending";
}

constexpr std::string_view k_following_columns =
    "id, blog_id, actor, handle, name, inbox, profile_url, follow_id, state, created_at";

template <typename Statement>
Following following_of(const Statement& row) {
    return Following{.id = row.column_int(0),
                     .blog_id = row.column_int(1),
                     .actor = row.column_text(2),
                     .handle = row.column_text(3),
                     .name = row.column_text(4),
                     .inbox = row.column_text(5),
                     .profile_url = row.column_text(6),
                     .follow_id = row.column_text(7),
                     .state = row.column_text(8) == "accepted" ? FollowingState::accepted
                                                               : FollowingState::pending,
                     .created_at = instant_of(row.column_int(9))};
}

constexpr std::string_view k_item_columns =
    "id, blog_id, object_id, actor, author_name, author_handle, author_url, url, title, html, "
    "published_at, updated_at";

template <typename Statement>
ReaderItem item_of(const Statement& row) {
    return ReaderItem{.id = row.column_int(0),
                      .blog_id = row.column_int(1),
                      .object_id = row.column_text(2),
                      .actor = row.column_text(3),
                      .author_name = row.column_text(4),
                      .author_handle = row.column_text(5),
                      .author_url = row.column_text(6),
                      .url = row.column_text(7),
                      .title = row.column_text(8),
                      .html = row.column_text(9),
                      .published_at = instant_of(row.column_int(10)),
                      .updated_at = instant_of(row.column_int(11))};
}

// Reads at most one row of `sql`, bound to the blog and one value, with `read`.
template <typename T, typename Connection, typename Value, typename Read>
Result<std::optional<T>> find_one(Connection& db, std::string_view sql, std::int64_t blog_id,
                                  const Value& value, Read&& read) {
    CARNET_TRY(statement, db.prepare(sql));
    statement->bind(1, blog_id).bind(2, value);
    std::optional<T> found;
    CARNET_CHECK(for_each_row(*statement, [&](const auto& row) { found = read(row); }));
    return found;
}

template <typename Connection>
Result<std::optional<Following>> find_following(Connection& db, std::int64_t blog_id,
                                                std::string_view actor) {
    return find_one<Following>(
        db,
        fmt::format("SELECT {} FROM followings WHERE blog_id = ?1 AND actor = ?2",
                    k_following_columns),
        blog_id, actor, [](const auto& row) { return following_of(row); });
}

template <typename Connection>
Result<std::vector<Following>> followings(Connection& db, std::int64_t blog_id) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM followings WHERE blog_id = ?1 "
                                                 "ORDER BY created_at DESC, id DESC",
                                                 k_following_columns)));
    statement->bind(1, blog_id);
    std::vector<Following> out;
    CARNET_CHECK(
        for_each_row(*statement, [&](const auto& row) { out.push_back(following_of(row)); }));
    return out;
}

template <typename Connection>
Result<ReaderPage> reader_items(Connection& db, std::int64_t blog_id, int offset, int limit) {
    ReaderPage page;
    CARNET_TRY(count, db.prepare("SELECT count(*) FROM reader_items WHERE blog_id = ?1"));
    count->bind(1, blog_id);
    CARNET_CHECK(for_each_row(*count, [&](const auto& row) { page.total = row.column_int(0); }));
    CARNET_TRY(statement,
               db.prepare(fmt::format("SELECT {} FROM reader_items WHERE blog_id = ?1 "
                                      "ORDER BY published_at DESC, id DESC LIMIT ?2 OFFSET ?3",
                                      k_item_columns)));
    statement->bind(1, blog_id)
        .bind(2, static_cast<std::int64_t>(std::max(0, limit)))
        .bind(3, static_cast<std::int64_t>(std::max(0, offset)));
    CARNET_CHECK(
        for_each_row(*statement, [&](const auto& row) { page.items.push_back(item_of(row)); }));
    return page;
}

template <typename Connection>
Result<std::optional<ReaderItem>> find_item(Connection& db, std::string_view column,
                                            std::int64_t blog_id, const auto& value) {
    return find_one<ReaderItem>(
        db,
        fmt::format("SELECT {} FROM reader_items WHERE blog_id = ?1 AND {} = ?2", k_item_columns,
                    column),
        blog_id, value, [](const auto& row) { return item_of(row); });
}

template <typename Connection>
Result<std::optional<RemoteNote>> note_of_comment(Connection& db, std::int64_t blog_id,
                                                  std::int64_t comment_id) {
    return find_one<RemoteNote>(
        db,
        "SELECT blog_id, post_id, note_id, actor, comment_id FROM remote_notes "
        "WHERE blog_id = ?1 AND comment_id = ?2",
        blog_id, comment_id, [](const auto& row) {
            return RemoteNote{.blog_id = row.column_int(0),
                              .post_id = row.column_int(1),
                              .note_id = row.column_text(2),
                              .actor = row.column_text(3),
                              .comment_id = row.column_int(4)};
        });
}

template <typename Connection>
Status save_following(Connection& db, const Following& following, model::Instant now) {
    if (following.actor.empty() || following.inbox.empty()) {
        return model::fail(Error::Code::invalid_input,
                           "an account followed needs an actor and an inbox");
    }
    CARNET_TRY(
        statement,
        db.prepare("INSERT INTO followings (blog_id, actor, handle, name, inbox, profile_url, "
                   "follow_id, state, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                   "ON CONFLICT (blog_id, actor) DO UPDATE SET handle = excluded.handle, "
                   "name = excluded.name, inbox = excluded.inbox, "
                   "profile_url = excluded.profile_url, follow_id = excluded.follow_id, "
                   "state = excluded.state"));
    statement->bind(1, following.blog_id)
        .bind(2, following.actor)
        .bind(3, following.handle)
        .bind(4, following.name)
        .bind(5, following.inbox)
        .bind(6, following.profile_url)
        .bind(7, following.follow_id)
        .bind(8, state_name(following.state))
        .bind(9, seconds_of(following.created_at == model::Instant{} ? now : following.created_at));
    return statement->run();
}

// Runs `sql` (bound to the blog and one value), which returns the ids of the rows it changed:
// whether it changed any.
template <typename Connection, typename Value>
Result<bool> changed_any(Connection& db, std::string_view sql, std::int64_t blog_id,
                         const Value& value) {
    CARNET_TRY(statement, db.prepare(sql));
    statement->bind(1, blog_id).bind(2, value);
    bool any = false;
    CARNET_CHECK(for_each_row(*statement, [&](const auto&) { any = true; }));
    return any;
}

template <typename Connection>
Status set_following_state(Connection& db, std::int64_t blog_id, std::string_view actor,
                           FollowingState state) {
    CARNET_TRY(statement, db.prepare("UPDATE followings SET state = ?3 WHERE blog_id = ?1 AND "
                                     "actor = ?2 RETURNING id"));
    statement->bind(1, blog_id).bind(2, actor).bind(3, state_name(state));
    bool any = false;
    CARNET_CHECK(for_each_row(*statement, [&](const auto&) { any = true; }));
    if (!any) {
        return model::fail(Error::Code::not_found,
                           fmt::format("this blog does not follow {}", actor));
    }
    return {};
}

template <typename Connection>
Result<std::int64_t> save_reader_item(Connection& db, const ReaderItem& item) {
    if (item.object_id.empty() || item.actor.empty()) {
        return model::fail(Error::Code::invalid_input,
                           "an item of the reader needs its object's id and its actor");
    }
    CARNET_TRY(statement,
               db.prepare("INSERT INTO reader_items (blog_id, object_id, actor, author_name, "
                          "author_handle, author_url, url, title, html, published_at, updated_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
                          "ON CONFLICT (blog_id, object_id) DO UPDATE SET actor = excluded.actor, "
                          "author_name = excluded.author_name, "
                          "author_handle = excluded.author_handle, "
                          "author_url = excluded.author_url, url = excluded.url, "
                          "title = excluded.title, html = excluded.html, "
                          "published_at = excluded.published_at, updated_at = excluded.updated_at "
                          "RETURNING id"));
    statement->bind(1, item.blog_id)
        .bind(2, item.object_id)
        .bind(3, item.actor)
        .bind(4, item.author_name)
        .bind(5, item.author_handle)
        .bind(6, item.author_url)
        .bind(7, item.url)
        .bind(8, item.title)
        .bind(9, item.html)
        .bind(10, seconds_of(item.published_at))
        .bind(11, seconds_of(item.updated_at));
    std::int64_t id = 0;
    CARNET_CHECK(for_each_row(*statement, [&](const auto& row) { id = row.column_int(0); }));
    return id;
}

}  // namespace

template <typename Backend>
Result<std::vector<Following>> FollowingStoreFor<Backend>::followings(std::int64_t blog_id) {
    return database_.read([&](auto& db) { return sql::followings(db, blog_id); });
}

template <typename Backend>
Result<std::optional<Following>> FollowingStoreFor<Backend>::find_following(
    std::int64_t blog_id, std::string_view actor) {
    return database_.read([&](auto& db) { return sql::find_following(db, blog_id, actor); });
}

template <typename Backend>
Result<ReaderPage> FollowingStoreFor<Backend>::reader_items(std::int64_t blog_id, int offset,
                                                            int limit) {
    return database_.read([&](auto& db) { return sql::reader_items(db, blog_id, offset, limit); });
}

template <typename Backend>
Result<std::optional<ReaderItem>> FollowingStoreFor<Backend>::find_reader_item(
    std::int64_t blog_id, std::int64_t item_id) {
    return database_.read([&](auto& db) { return find_item(db, "id", blog_id, item_id); });
}

template <typename Backend>
Result<std::optional<RemoteNote>> FollowingStoreFor<Backend>::note_of_comment(
    std::int64_t blog_id, std::int64_t comment_id) {
    return database_.read([&](auto& db) { return sql::note_of_comment(db, blog_id, comment_id); });
}

template <typename Backend>
Status FollowingWriterFor<Backend>::save_following(const Following& following) {
    transaction_.touched_blogs_around_contents.insert(following.blog_id);
    return sql::save_following(transaction_.db, following, transaction_.clock.now());
}

template <typename Backend>
Result<std::optional<Following>> FollowingWriterFor<Backend>::find_following(
    std::int64_t blog_id, std::string_view actor) {
    return sql::find_following(transaction_.db, blog_id, actor);
}

template <typename Backend>
Status FollowingWriterFor<Backend>::set_following_state(std::int64_t blog_id,
                                                        std::string_view actor,
                                                        FollowingState state) {
    transaction_.touched_blogs_around_contents.insert(blog_id);
    return sql::set_following_state(transaction_.db, blog_id, actor, state);
}

template <typename Backend>
Result<bool> FollowingWriterFor<Backend>::remove_following(std::int64_t blog_id,
                                                           std::string_view actor) {
    transaction_.touched_blogs_around_contents.insert(blog_id);
    return changed_any(transaction_.db,
                       "DELETE FROM followings WHERE blog_id = ?1 AND actor = ?2 RETURNING id",
                       blog_id, actor);
}

template <typename Backend>
Result<std::int64_t> FollowingWriterFor<Backend>::save_reader_item(const ReaderItem& item) {
    transaction_.touched_blogs_around_contents.insert(item.blog_id);
    return sql::save_reader_item(transaction_.db, item);
}

template <typename Backend>
Result<std::optional<ReaderItem>> FollowingWriterFor<Backend>::find_reader_item_by_object(
    std::int64_t blog_id, std::string_view object_id) {
    return find_item(transaction_.db, "object_id", blog_id, object_id);
}

template <typename Backend>
Result<bool> FollowingWriterFor<Backend>::remove_reader_item(std::int64_t blog_id,
                                                             std::string_view object_id) {
    transaction_.touched_blogs_around_contents.insert(blog_id);
    return changed_any(transaction_.db,
                       "DELETE FROM reader_items WHERE blog_id = ?1 AND object_id = ?2 "
                       "RETURNING id",
                       blog_id, object_id);
}

template class FollowingStoreFor<SqliteBackend>;
template class FollowingStoreFor<PgBackend>;
template class FollowingWriterFor<SqliteBackend>;
template class FollowingWriterFor<PgBackend>;

}  // namespace carnet::store::sql
