#include <fmt/format.h>

#include "store/pg_comments.hpp"
#include "store/pg_concerns.hpp"
#include "store/pg_rows.hpp"

namespace carnet::store::pg {
namespace {

using model::Error;
using namespace rows;

}  // namespace

Result<std::vector<model::Comment>> PgCommentStore::approved_comments(std::int64_t blog_id,
                                                                      std::int64_t post_id) {
    return database_.read(
        [&](Connection& db) { return comments_sql::approved_comments(db, blog_id, post_id); });
}

Result<CommentList> PgCommentStore::comments(std::int64_t blog_id, const CommentQuery& query) {
    return database_.read(
        [&](Connection& db) { return comments_sql::comments(db, blog_id, query); });
}

Result<std::optional<model::Comment>> PgCommentStore::find_comment(std::int64_t blog_id,
                                                                   std::int64_t comment_id) {
    return database_.read(
        [&](Connection& db) { return comments_sql::find_comment(db, blog_id, comment_id); });
}

Result<bool> PgCommentStore::has_approved_comment_from(std::int64_t blog_id, std::string_view name,
                                                       std::string_view email) {
    return database_.read([&](Connection& db) {
        return comments_sql::has_approved_comment_from(db, blog_id, name, email);
    });
}

Result<std::int64_t> PgCommentWriter::add_comment(const model::Comment& comment) {
    return comments_sql::add_comment(transaction_, comment);
}

Status PgCommentWriter::set_comment_status(std::int64_t blog_id, std::int64_t comment_id,
                                           model::CommentStatus status) {
    return comments_sql::set_comment_status(transaction_, blog_id, comment_id, status);
}

Status PgCommentWriter::update_comment(std::int64_t blog_id, std::int64_t comment_id,
                                       std::string_view source, std::string_view html) {
    return comments_sql::update_comment(transaction_, blog_id, comment_id, source, html);
}

Status PgCommentWriter::delete_comment(std::int64_t blog_id, std::int64_t comment_id) {
    return comments_sql::delete_comment(transaction_, blog_id, comment_id);
}

}  // namespace carnet::store::pg
