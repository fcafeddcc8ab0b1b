// What the web admin reads and writes in the SQLite store: posts of every status and their
// revisions, redirects, categories, pages, media, accounts and sessions. Private to the
// store: the concern classes of sqlite_concerns.hpp forward to these.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "store/sqlite_database.hpp"
#include "store/sqlite_rows.hpp"
#include "store/store.hpp"

namespace carnet::store::admin_sql {

using sqlite::Connection;

// What the admin's writes share with the rest of the writer of one transaction.
using WriteContext = sqlite::Transaction;

Status update_post(WriteContext& context, const model::Post& post);
Result<std::int64_t> save_revision(WriteContext& context, std::int64_t blog_id,
                                   std::int64_t post_id, std::int64_t author_id, bool autosave);
Status delete_post(WriteContext& context, std::int64_t blog_id, std::int64_t post_id);
Result<int> publish_due_posts(WriteContext& context, model::Instant now);
Status update_blog(WriteContext& context, const model::Blog& blog);
Status rename_category(WriteContext& context, std::int64_t blog_id, std::int64_t category_id,
                       std::string_view name, std::string_view slug);
Status merge_categories(WriteContext& context, std::int64_t blog_id, std::int64_t from,
                        std::int64_t into);
Status delete_category(WriteContext& context, std::int64_t blog_id, std::int64_t category_id);
Result<std::int64_t> create_page(WriteContext& context, const model::Page& page);
Status update_page(WriteContext& context, const model::Page& page);
Status delete_page(WriteContext& context, std::int64_t blog_id, std::int64_t page_id);
Result<std::int64_t> add_media(WriteContext& context, const MediaRecord& media,
                               std::int64_t uploaded_by);
Status set_password(WriteContext& context, std::int64_t user_id, std::string_view password_hash);
Status remove_user(WriteContext& context, std::int64_t user_id);
Status remove_membership(WriteContext& context, std::int64_t blog_id, std::int64_t user_id);
Status create_session(WriteContext& context, std::string_view token_hash, const Session& session);
Status delete_session(WriteContext& context, std::string_view token_hash);
Result<int> delete_sessions_of(WriteContext& context, std::int64_t user_id);
Result<int> delete_expired_sessions(WriteContext& context, model::Instant now);

Result<std::optional<Login>> find_login(Connection& db, std::string_view email);
Result<std::optional<model::User>> find_user(Connection& db, std::int64_t user_id);
// Counts the sessions live at `now`.
Result<std::vector<UserSummary>> list_users(Connection& db, model::Instant now);
Result<std::vector<Membership>> memberships_of(Connection& db, std::int64_t user_id);
Result<std::optional<Session>> find_session(Connection& db, std::string_view token_hash,
                                            model::Instant now);
Result<PostList> admin_posts(Connection& db, std::int64_t blog_id, const AdminPostQuery& query);
Result<std::vector<Revision>> revisions(Connection& db, std::int64_t blog_id, std::int64_t post_id);
Result<std::optional<Revision>> find_revision(Connection& db, std::int64_t blog_id,
                                              std::int64_t revision_id);
Result<BlogCounts> counts(Connection& db, std::int64_t blog_id);
Result<std::vector<model::Category>> all_categories(Connection& db, std::int64_t blog_id);
Result<std::optional<model::Post>> find_post_redirect(Connection& db, std::int64_t blog_id,
                                                      std::string_view old_path);
Result<std::vector<std::string>> post_redirect_paths(Connection& db, std::int64_t blog_id);
Result<std::optional<model::Category>> find_category_redirect(Connection& db, std::int64_t blog_id,
                                                              std::string_view old_slug);
Result<std::vector<model::Page>> pages(Connection& db, std::int64_t blog_id, bool published_only);
Result<std::optional<model::Page>> find_page_by_id(Connection& db, std::int64_t blog_id,
                                                   std::int64_t page_id);
Result<std::optional<model::Page>> find_published_page(Connection& db, std::int64_t blog_id,
                                                       std::string_view slug);
Result<std::vector<MediaRecord>> media(Connection& db, std::int64_t blog_id, int offset, int limit);
Result<std::optional<MediaRecord>> find_media(Connection& db, std::int64_t blog_id,
                                              std::string_view file_name);

}  // namespace carnet::store::admin_sql
