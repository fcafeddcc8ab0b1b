#include <fmt/format.h>

#include "store/sqlite_admin.hpp"
#include "store/sqlite_concerns.hpp"
#include "store/sqlite_rows.hpp"

namespace carnet::store::sqlite {
namespace {

using model::Error;
using namespace rows;

}  // namespace

Result<std::vector<model::Blog>> SqliteBlogStore::list_blogs() {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    return load_blogs(**reader, std::nullopt);
}

Result<std::optional<model::Blog>> SqliteBlogStore::find_blog(std::int64_t blog_id) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    CARNET_TRY(blogs, load_blogs(**reader, blog_id));
    if (blogs.empty()) return std::optional<model::Blog>();
    return std::optional<model::Blog>(std::move(blogs.front()));
}

Result<BlogCounts> SqliteBlogStore::counts(std::int64_t blog_id) {
    return database_.read([&](Connection& db) { return admin_sql::counts(db, blog_id); });
}

Result<std::int64_t> SqliteBlogWriter::create_blog(const model::Blog& blog) {
    CARNET_CHECK(check_blog_settings(blog));
    CARNET_TRY(insert,
               transaction_.db.prepare("INSERT INTO blogs (title, subtitle, locale, time_zone, "
                                       "theme, posts_per_page, created_at, base_url, "
                                       "comment_policy, close_comments_after_days) "
                                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
    insert->bind(1, blog.title)
        .bind(2, blog.subtitle)
        .bind(3, blog.locale)
        .bind(4, blog.time_zone)
        .bind(5, blog.theme)
        .bind(6, blog.posts_per_page)
        .bind(7, transaction_.now_seconds())
        .bind(8, blog.base_url)
        .bind(9, model::to_string(blog.comment_policy))
        .bind(10, blog.close_comments_after_days);
    CARNET_CHECK(insert->run());
    const auto blog_id = transaction_.db.last_insert_id();
    CARNET_TRY(host_insert,
               transaction_.db.prepare("INSERT INTO blog_hosts (host, blog_id, position) "
                                       "VALUES (?1, ?2, ?3)"));
    for (std::size_t i = 0; i < blog.hosts.size(); ++i) {
        host_insert->reset();
        host_insert->bind(1, blog.hosts[i]).bind(2, blog_id).bind(3, static_cast<int>(i));
        auto inserted = host_insert->run();
        if (!inserted) {
            if (inserted.error().code == Error::Code::conflict) {
                return model::fail(Error::Code::conflict,
                                   fmt::format("the host {} already serves a blog", blog.hosts[i]));
            }
            return std::unexpected(inserted.error());
        }
    }
    transaction_.touched_blogs.insert(blog_id);
    return blog_id;
}

Status SqliteBlogWriter::update_blog(const model::Blog& blog) {
    return admin_sql::update_blog(transaction_, blog);
}

}  // namespace carnet::store::sqlite
