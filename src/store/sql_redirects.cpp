// Old paths of posts and old slugs of categories, which answer with a permanent redirect.
#include <fmt/format.h>

#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"

namespace carnet::store::sql {

template <typename Backend>
Result<std::optional<model::Post>> RedirectStoreFor<Backend>::find_post_redirect(
    std::int64_t blog_id, std::string_view old_path) {
    return database_.read([&](auto& db) -> Result<std::optional<model::Post>> {
        CARNET_TRY(statement, db.prepare("SELECT post_id FROM post_redirects "
                                         "WHERE blog_id = ?1 AND old_path = ?2"));
        statement->bind(1, blog_id).bind(2, old_path);
        CARNET_TRY(has_row, statement->step());
        if (!has_row) return std::optional<model::Post>();
        const auto post_id = statement->column_int(0);
        statement->reset();
        CARNET_TRY(post, rows::find_post_by_id(db, blog_id, post_id));
        if (!post || post->status != model::PostStatus::published) {
            return std::optional<model::Post>();
        }
        return post;
    });
}

template <typename Backend>
Result<std::vector<std::string>> RedirectStoreFor<Backend>::post_redirect_paths(
    std::int64_t blog_id) {
    return database_.read([&](auto& db) -> Result<std::vector<std::string>> {
        CARNET_TRY(statement, db.prepare("SELECT old_path FROM post_redirects WHERE blog_id = ?1 "
                                         "ORDER BY old_path"));
        statement->bind(1, blog_id);
        std::vector<std::string> paths;
        CARNET_CHECK(rows::for_each_row(
            *statement, [&](const auto& row) { paths.push_back(row.column_text(0)); }));
        return paths;
    });
}

template <typename Backend>
Result<std::optional<model::Category>> RedirectStoreFor<Backend>::find_category_redirect(
    std::int64_t blog_id, std::string_view old_slug) {
    return database_.read([&](auto& db) -> Result<std::optional<model::Category>> {
        CARNET_TRY(statement, db.prepare("SELECT c.id, c.name, c.slug FROM category_redirects r "
                                         "JOIN categories c ON c.id = r.category_id "
                                         "WHERE r.blog_id = ?1 AND r.old_slug = ?2"));
        statement->bind(1, blog_id).bind(2, old_slug);
        CARNET_TRY(has_row, statement->step());
        if (!has_row) return std::optional<model::Category>();
        model::Category category{statement->column_int(0), blog_id, statement->column_text(1),
                                 statement->column_text(2), 0};
        statement->reset();
        return std::optional<model::Category>(std::move(category));
    });
}

template <typename Backend>
Status RedirectWriterFor<Backend>::add_post_redirect(std::int64_t blog_id,
                                                     std::string_view old_path,
                                                     std::int64_t post_id) {
    auto& db = transaction_.db;
    CARNET_TRY(post, rows::exists(db, "SELECT 1 FROM posts WHERE blog_id = ?1 AND id = ?2", blog_id,
                                  post_id));
    if (!post) return rows::not_found("post", post_id);
    CARNET_TRY(insert, db.prepare("INSERT INTO post_redirects (blog_id, old_path, post_id) "
                                  "VALUES (?1, ?2, ?3) ON CONFLICT (blog_id, old_path) "
                                  "DO UPDATE SET post_id = excluded.post_id"));
    insert->bind(1, blog_id).bind(2, old_path).bind(3, post_id);
    CARNET_CHECK(insert->run());
    transaction_.touched_blogs.insert(blog_id);
    return {};
}

template class RedirectStoreFor<SqliteBackend>;
template class RedirectStoreFor<PgBackend>;
template class RedirectWriterFor<SqliteBackend>;
template class RedirectWriterFor<PgBackend>;

}  // namespace carnet::store::sql
