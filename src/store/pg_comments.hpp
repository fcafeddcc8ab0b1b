// Comments in the PostgreSQL store. Private to the store: PgStore and its Writer forward to
// these.
#pragma once

#include "store/pg_database.hpp"
#include "store/pg_rows.hpp"
#include "store/store.hpp"

namespace carnet::store::pg::comments_sql {

using WriteContext = pg::Transaction;
using pg::Connection;

[[nodiscard]] Result<std::int64_t> add_comment(WriteContext& context,
                                               const model::Comment& comment);
// The one INSERT of a comment, for a reader's comment and an imported one alike: the post must
// be the blog's, a reply's parent a comment of the same post. `kind` is "comment" or "ping";
// `author_ip` is what another host recorded (empty for carnet's own).
[[nodiscard]] Result<std::int64_t> insert_comment(WriteContext& context,
                                                  const model::Comment& comment,
                                                  std::string_view kind,
                                                  std::string_view author_ip);
[[nodiscard]] Status set_comment_status(WriteContext& context, std::int64_t blog_id,
                                        std::int64_t comment_id, model::CommentStatus status);
[[nodiscard]] Status update_comment(WriteContext& context, std::int64_t blog_id,
                                    std::int64_t comment_id, std::string_view source,
                                    std::string_view html);
[[nodiscard]] Status delete_comment(WriteContext& context, std::int64_t blog_id,
                                    std::int64_t comment_id);

[[nodiscard]] Result<std::vector<model::Comment>> approved_comments(Connection& db,
                                                                    std::int64_t blog_id,
                                                                    std::int64_t post_id);
[[nodiscard]] Result<CommentList> comments(Connection& db, std::int64_t blog_id,
                                           const CommentQuery& query);
Result<std::optional<model::Comment>> find_comment(Connection& db, std::int64_t blog_id,
                                                   std::int64_t comment_id);
[[nodiscard]] Result<bool> has_approved_comment_from(Connection& db, std::int64_t blog_id,
                                                     std::string_view name, std::string_view email);

}  // namespace carnet::store::pg::comments_sql
