// Blogs: their settings, hosts and counts, and the secrets the server keeps per blog.
#include <fmt/format.h>

#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"

namespace carnet::store::sql {
namespace {

using model::Error;
using namespace rows;

// The SQL of this concern, which the class below forwards to.
namespace queries {

template <typename Transaction>
Status update_blog(Transaction& context, const model::Blog& blog) {
    auto& db = context.db;
    CARNET_CHECK(rows::check_blog_settings(blog));
    CARNET_TRY(old, blog_of(db, blog.id));
    CARNET_TRY(update, db.prepare("UPDATE blogs SET title = ?2, subtitle = ?3, locale = ?4, "
                                  "time_zone = ?5, theme = ?6, posts_per_page = ?7, base_url = ?8, "
                                  "comment_policy = ?9, close_comments_after_days = ?10, "
                                  "approve_followers = ?11 WHERE id = ?1"));
    update->bind(1, blog.id)
        .bind(2, blog.title)
        .bind(3, blog.subtitle)
        .bind(4, blog.locale)
        .bind(5, blog.time_zone)
        .bind(6, blog.theme)
        .bind(7, blog.posts_per_page)
        .bind(8, blog.base_url)
        .bind(9, model::to_string(blog.comment_policy))
        .bind(10, blog.close_comments_after_days)
        .bind(11, blog.approve_followers ? 1 : 0);
    CARNET_CHECK(update->run());
    if (old.time_zone != blog.time_zone) {
        // Archives by day read published_local, the wall clock in the blog's zone.
        CARNET_TRY(posts, db.prepare("SELECT id, published_at FROM posts WHERE blog_id = ?1"));
        posts->bind(1, blog.id);
        std::vector<std::pair<std::int64_t, std::int64_t>> times;
        CARNET_CHECK(for_each_row(*posts, [&](const auto& row) {
            times.emplace_back(row.column_int(0), row.column_int(1));
        }));
        for (const auto& [post_id, seconds] : times) {
            CARNET_TRY(local, model::to_local(instant_of(seconds), blog.time_zone));
            CARNET_TRY(set_local,
                       db.prepare("UPDATE posts SET published_local = ?2 WHERE id = ?1"));
            set_local->bind(1, post_id).bind(2, rows::local_text(local));
            CARNET_CHECK(set_local->run());
        }
    }
    if (old.locale != blog.locale) {
        // The search tables are per language: the posts move to the new language's table.
        CARNET_TRY(posts, db.prepare("SELECT id FROM posts WHERE blog_id = ?1"));
        posts->bind(1, blog.id);
        std::vector<std::int64_t> ids;
        CARNET_CHECK(
            for_each_row(*posts, [&](const auto& row) { ids.push_back(row.column_int(0)); }));
        for (auto post_id : ids) CARNET_CHECK(context.reindex_post(post_id));
    }
    context.touched_blogs.insert(blog.id);
    return {};
}

template <typename Connection>
Result<BlogCounts> counts(Connection& db, std::int64_t blog_id) {
    BlogCounts counts;
    CARNET_TRY(statuses,
               db.prepare("SELECT status, count(*) FROM posts WHERE blog_id = ?1 GROUP BY status"));
    statuses->bind(1, blog_id);
    CARNET_CHECK(for_each_row(*statuses, [&](const auto& row) {
        const auto status = model::parse_post_status(row.column_text(0));
        const auto n = static_cast<int>(row.column_int(1));
        if (status == model::PostStatus::published) counts.published = n;
        if (status == model::PostStatus::draft) counts.drafts = n;
        if (status == model::PostStatus::scheduled) counts.scheduled = n;
        if (status == model::PostStatus::trash) counts.trash = n;
    }));
    CARNET_TRY(pending, db.prepare("SELECT count(*) FROM comments "
                                   "WHERE blog_id = ?1 AND status = 'pending'"));
    pending->bind(1, blog_id);
    CARNET_TRY(has_pending, pending->step());
    counts.comments_pending = has_pending ? static_cast<int>(pending->column_int(0)) : 0;
    pending->reset();
    CARNET_TRY(months, db.prepare("SELECT CAST(substr(published_local, 1, 4) AS INTEGER) AS y, "
                                  "CAST(substr(published_local, 6, 2) AS INTEGER) AS m, count(*) "
                                  "FROM posts WHERE blog_id = ?1 AND status = 'published' "
                                  "GROUP BY y, m ORDER BY y DESC, m DESC"));
    months->bind(1, blog_id);
    CARNET_CHECK(for_each_row(*months, [&](const auto& row) {
        counts.published_per_month.push_back(model::MonthCount{
            static_cast<int>(row.column_int(0)), static_cast<int>(row.column_int(1)),
            static_cast<int>(row.column_int(2))});
    }));
    return counts;
}

}  // namespace queries

}  // namespace

template <typename Backend>
Result<std::vector<model::Blog>> BlogStoreFor<Backend>::list_blogs() {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    return load_blogs(**reader, std::nullopt);
}

template <typename Backend>
Result<std::optional<model::Blog>> BlogStoreFor<Backend>::find_blog(std::int64_t blog_id) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    CARNET_TRY(blogs, load_blogs(**reader, blog_id));
    if (blogs.empty()) return std::optional<model::Blog>();
    return std::optional<model::Blog>(std::move(blogs.front()));
}

template <typename Backend>
Result<BlogCounts> BlogStoreFor<Backend>::counts(std::int64_t blog_id) {
    return database_.read([&](auto& db) { return queries::counts(db, blog_id); });
}

template <typename Backend>
Result<std::uint64_t> BlogStoreFor<Backend>::contents_generation(std::int64_t blog_id) {
    return database_.read(
        [&](auto& db) { return rows::blog_generation(db, blog_id, rows::BlogClock::contents); });
}

namespace {

// A blog without host names is the default blog: it answers every host that no other blog
// claims, so there can be only one.
template <typename Connection>
Status check_no_default_blog(Connection& db) {
    CARNET_TRY(other, db.prepare("SELECT id, title FROM blogs WHERE NOT EXISTS "
                                 "(SELECT 1 FROM blog_hosts WHERE blog_id = blogs.id) "
                                 "ORDER BY id LIMIT 1"));
    CARNET_TRY(found, other->step());
    if (!found) return {};
    const auto message = fmt::format(
        "blog {} \"{}\" is already the default blog, answering every host that no other blog "
        "claims: a second blog needs a host name",
        other->column_int(0), other->column_text(1));
    other->reset();
    return model::fail(Error::Code::conflict, message);
}

}  // namespace

template <typename Backend>
Result<std::int64_t> BlogWriterFor<Backend>::create_blog(const model::Blog& blog) {
    CARNET_CHECK(check_blog_settings(blog));
    if (blog.hosts.empty()) CARNET_CHECK(check_no_default_blog(transaction_.db));
    CARNET_TRY(insert, transaction_.db.prepare(
                           "INSERT INTO blogs (title, subtitle, locale, time_zone, "
                           "theme, posts_per_page, created_at, base_url, "
                           "comment_policy, close_comments_after_days, approve_followers) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
    insert->bind(1, blog.title)
        .bind(2, blog.subtitle)
        .bind(3, blog.locale)
        .bind(4, blog.time_zone)
        .bind(5, blog.theme)
        .bind(6, blog.posts_per_page)
        .bind(7, transaction_.now_seconds())
        .bind(8, blog.base_url)
        .bind(9, model::to_string(blog.comment_policy))
        .bind(10, blog.close_comments_after_days)
        .bind(11, blog.approve_followers ? 1 : 0);
    CARNET_CHECK(insert->run());
    CARNET_TRY(blog_id, sql::inserted_id(transaction_.db));
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

template <typename Backend>
Status BlogWriterFor<Backend>::update_blog(const model::Blog& blog) {
    return queries::update_blog(transaction_, blog);
}

template <typename Backend>
Result<std::string> BlogWriterFor<Backend>::shared_secret(std::string_view name,
                                                          std::string_view fresh) {
    CARNET_TRY(keep, transaction_.db.prepare("INSERT INTO shared_secrets (name, value) "
                                             "VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING"));
    keep->bind(1, name).bind(2, fresh);
    CARNET_CHECK(keep->run());
    CARNET_TRY(kept, transaction_.db.prepare("SELECT value FROM shared_secrets WHERE name = ?1"));
    kept->bind(1, name);
    CARNET_TRY(has_row, kept->step());
    if (!has_row) return model::fail(Error::Code::database, "a shared secret was not kept");
    auto value = kept->column_text(0);
    kept->reset();
    return value;
}

template class BlogStoreFor<SqliteBackend>;
template class BlogStoreFor<PgBackend>;
template class BlogWriterFor<SqliteBackend>;
template class BlogWriterFor<PgBackend>;

}  // namespace carnet::store::sql
