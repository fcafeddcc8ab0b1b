#include "store/sql_rows.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace carnet::store::rows {

std::string local_text(const model::LocalDateTime& local) {
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", local.year, local.month, local.day,
                       local.hour, local.minute, local.second);
}

template <typename Statement>
model::Post read_post(const Statement& row) {
    model::Post post;
    post.id = row.column_int(0);
    post.blog_id = row.column_int(1);
    post.status = model::parse_post_status(row.column_text(2)).value_or(model::PostStatus::draft);
    post.title = row.column_text(3);
    post.slug = row.column_text(4);
    post.source_format =
        model::parse_source_format(row.column_text(5)).value_or(model::SourceFormat::html);
    post.source = row.column_text(6);
    post.html = row.column_text(7);
    post.excerpt = row.column_text(8);
    post.published_at = model::Instant{std::chrono::seconds{row.column_int(9)}};
    post.updated_at = model::Instant{std::chrono::seconds{row.column_int(10)}};
    post.comments_open = row.column_int(11) != 0;
    post.comment_count = static_cast<int>(row.column_int(12));
    return post;
}

template <typename Connection>
model::Status load_categories(Connection& db, model::Post& post) {
    CARNET_TRY(statement,
               db.prepare("SELECT c.id, c.blog_id, c.name, c.slug FROM post_categories pc "
                          "JOIN categories c ON c.id = pc.category_id "
                          "WHERE pc.post_id = ?1 ORDER BY pc.position"));
    statement->bind(1, post.id);
    while (true) {
        CARNET_TRY(has_row, statement->step());
        if (!has_row) break;
        post.categories.push_back(
            model::Category{statement->column_int(0), statement->column_int(1),
                            statement->column_text(2), statement->column_text(3), 0});
    }
    statement->reset();
    return {};
}

template <typename Connection>
model::Status load_categories(Connection& db, std::span<model::Post> posts) {
    // One statement for every batch: the ids a short last batch lacks are 0, which no post has.
    static const std::string sql = [] {
        std::string text =
            "SELECT pc.post_id, c.id, c.blog_id, c.name, c.slug FROM post_categories pc "
            "JOIN categories c ON c.id = pc.category_id WHERE pc.post_id IN (";
        for (std::size_t i = 1; i <= k_category_batch; ++i) {
            text += fmt::format("{}?{}", i == 1 ? "" : ", ", i);
        }
        return text + ") ORDER BY pc.post_id, pc.position";
    }();
    for (std::size_t from = 0; from < posts.size(); from += k_category_batch) {
        const auto batch = posts.subspan(from, std::min(k_category_batch, posts.size() - from));
        CARNET_TRY(statement, db.prepare(sql));
        for (std::size_t i = 0; i < k_category_batch; ++i) {
            statement->bind(static_cast<int>(i + 1),
                            i < batch.size() ? batch[i].id : std::int64_t{0});
        }
        while (true) {
            CARNET_TRY(has_row, statement->step());
            if (!has_row) break;
            const auto post_id = statement->column_int(0);
            const auto post = std::ranges::find(batch, post_id, &model::Post::id);
            if (post == batch.end()) continue;
            post->categories.push_back(
                model::Category{statement->column_int(1), statement->column_int(2),
                                statement->column_text(3), statement->column_text(4), 0});
        }
        statement->reset();
    }
    return {};
}

namespace {

// A post by a condition on `p` whose parameters are ?1 (the blog) and ?2.
template <typename Connection, typename Key>
Result<std::optional<model::Post>> find_post_where(Connection& db, std::string_view condition,
                                                   std::int64_t blog_id, const Key& key) {
    const std::string sql = fmt::format(
        "SELECT {}, p.author_id, p.comment_policy FROM posts p "
        "WHERE p.blog_id = ?1 AND {}",
        k_post_columns_with_body, condition);
    CARNET_TRY(statement, db.prepare(sql));
    statement->bind(1, blog_id).bind(2, key);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<model::Post>();
    auto post = read_post(*statement);
    post.author_id = statement->column_is_null(13) ? 0 : statement->column_int(13);
    post.comment_policy = model::parse_comment_policy(statement->column_text(14));
    statement->reset();
    CARNET_CHECK(load_categories(db, post));
    return std::optional<model::Post>(std::move(post));
}

}  // namespace

template <typename Connection>
Result<std::optional<model::Post>> find_post(Connection& db, std::int64_t blog_id,
                                             std::string_view slug, bool published_only) {
    return find_post_where(
        db, published_only ? "p.slug = ?2 AND p.status = 'published'" : "p.slug = ?2", blog_id,
        slug);
}

template <typename Connection>
Result<std::optional<model::Post>> find_post_by_id(Connection& db, std::int64_t blog_id,
                                                   std::int64_t post_id) {
    return find_post_where(db, "p.id = ?2", blog_id, post_id);
}

template <typename Connection>
Result<std::optional<model::User>> find_user(Connection& db, std::string_view email) {
    CARNET_TRY(statement, db.prepare("SELECT id, email, name FROM users WHERE email = ?1"));
    statement->bind(1, email);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<model::User>();
    model::User user{statement->column_int(0), statement->column_text(1),
                     statement->column_text(2)};
    statement->reset();
    return std::optional<model::User>(std::move(user));
}

Status check_blog_settings(const model::Blog& blog) {
    using model::Error;
    if (blog.title.empty()) return model::fail(Error::Code::invalid_input, "a blog needs a title");
    if (blog.locale != "fr" && blog.locale != "en") {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("unknown locale {} (fr or en)", blog.locale));
    }
    if (!model::is_known_time_zone(blog.time_zone)) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("unknown time zone {}", blog.time_zone));
    }
    if (!blog.base_url.empty() && !blog.base_url.starts_with("http://") &&
        !blog.base_url.starts_with("https://")) {
        return model::fail(
            Error::Code::invalid_input,
            fmt::format("the base URL {} must start with http:// or https://", blog.base_url));
    }
    if (blog.posts_per_page < 1 || blog.posts_per_page > 100) {
        return model::fail(Error::Code::invalid_input, "posts per page must be 1 to 100");
    }
    if (blog.close_comments_after_days < 0 || blog.close_comments_after_days > 36'500) {
        return model::fail(Error::Code::invalid_input,
                           "comments close after 0 (never) to 36500 days");
    }
    return {};
}

template <typename Connection>
Result<std::vector<model::Blog>> load_blogs(Connection& db, std::optional<std::int64_t> only) {
    CARNET_TRY(
        statement,
        db.prepare(
            "SELECT id, title, subtitle, locale, time_zone, theme, posts_per_page, base_url, "
            "comment_policy, close_comments_after_days, approve_followers "
            "FROM blogs WHERE CAST(?1 AS bigint) IS NULL OR id = ?1 ORDER BY id"));
    if (only) {
        statement->bind(1, *only);
    } else {
        statement->bind_null(1);
    }
    std::vector<model::Blog> blogs;
    while (true) {
        CARNET_TRY(has_row, statement->step());
        if (!has_row) break;
        model::Blog blog;
        blog.id = statement->column_int(0);
        blog.title = statement->column_text(1);
        blog.subtitle = statement->column_text(2);
        blog.locale = statement->column_text(3);
        blog.time_zone = statement->column_text(4);
        blog.theme = statement->column_text(5);
        blog.posts_per_page = static_cast<int>(statement->column_int(6));
        blog.base_url = statement->column_text(7);
        blog.comment_policy = model::parse_comment_policy(statement->column_text(8))
                                  .value_or(model::CommentPolicy::open);
        blog.close_comments_after_days = static_cast<int>(statement->column_int(9));
        blog.approve_followers = statement->column_int(10) != 0;
        blogs.push_back(std::move(blog));
    }
    statement->reset();
    CARNET_TRY(hosts,
               db.prepare("SELECT host FROM blog_hosts WHERE blog_id = ?1 ORDER BY position"));
    for (auto& blog : blogs) {
        hosts->reset();
        hosts->bind(1, blog.id);
        while (true) {
            CARNET_TRY(has_row, hosts->step());
            if (!has_row) break;
            blog.hosts.push_back(hosts->column_text(0));
        }
    }
    hosts->reset();
    return blogs;
}

template <typename Connection>
Result<std::uint64_t> blog_generation(Connection& db, std::int64_t blog_id, BlogClock clock) {
    CARNET_TRY(statement, db.prepare(clock == BlogClock::generation
                                         ? "SELECT generation FROM blogs WHERE id = ?1"
                                         : "SELECT contents_generation FROM blogs WHERE id = ?1"));
    statement->bind(1, blog_id);
    CARNET_TRY(has_row, statement->step());
    const auto generation = has_row ? static_cast<std::uint64_t>(statement->column_int(0)) : 0;
    statement->reset();
    return generation;
}

#define CARNET_ROWS_FOR(Connection, Statement)                                             \
    template model::Post read_post(const Statement&);                                      \
    template Status load_categories(Connection&, model::Post&);                            \
    template Status load_categories(Connection&, std::span<model::Post>);                  \
    template Result<std::optional<model::Post>> find_post(Connection&, std::int64_t,       \
                                                          std::string_view, bool);         \
    template Result<std::optional<model::Post>> find_post_by_id(Connection&, std::int64_t, \
                                                                std::int64_t);             \
    template Result<std::optional<model::User>> find_user(Connection&, std::string_view);  \
    template Result<std::vector<model::Blog>> load_blogs(Connection&,                      \
                                                         std::optional<std::int64_t>);     \
    template Result<std::uint64_t> blog_generation(Connection&, std::int64_t, BlogClock)

CARNET_ROWS_FOR(sqlite::Connection, sqlite::Statement);
CARNET_ROWS_FOR(pg::Connection, pg::Statement);

#undef CARNET_ROWS_FOR

}  // namespace carnet::store::rows
