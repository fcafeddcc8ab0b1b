#include "store/sqlite_admin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <sstream>

namespace carnet::store::admin_sql {
namespace {

using model::Error;
using rows::instant_of;
using rows::seconds_of;

// Steps through every row of `statement`, handing each to `read`, and resets it.
template <typename Read>
Status for_each_row(sqlite::Statement& statement, Read&& read) {
    while (true) {
        auto has_row = statement.step();
        if (!has_row) {
            statement.reset();
            return std::unexpected(has_row.error());
        }
        if (!*has_row) break;
        read(statement);
    }
    statement.reset();
    return {};
}

int changes(Connection& db) { return sqlite3_changes(db.get()); }

std::unexpected<Error> not_found(std::string_view what, std::int64_t id) {
    return model::fail(Error::Code::not_found, fmt::format("no {} {} in this blog", what, id));
}

Result<model::Blog> blog_of(Connection& db, std::int64_t blog_id) {
    CARNET_TRY(blogs, rows::load_blogs(db, blog_id));
    if (blogs.empty())
        return model::fail(Error::Code::not_found, fmt::format("no blog {}", blog_id));
    return std::move(blogs.front());
}

Result<bool> exists(Connection& db, std::string_view sql, std::int64_t blog_id, std::int64_t id) {
    CARNET_TRY(statement, db.prepare(sql));
    statement->bind(1, blog_id).bind(2, id);
    CARNET_TRY(has_row, statement->step());
    statement->reset();
    return has_row;
}

std::string join_lines(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += '\n';
        out += item;
    }
    return out;
}

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> items;
    while (!text.empty()) {
        const auto end = text.find('\n');
        items.emplace_back(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return items;
}

Status check_page(const model::Page& page) {
    if (page.title.empty()) return model::fail(Error::Code::invalid_input, "a page needs a title");
    // /index.html is the home page's other name on many servers.
    if (page.slug == "index") {
        return model::fail(Error::Code::invalid_input, "the slug index is kept for the home page");
    }
    return {};
}

Status check_slug(std::string_view slug) {
    if (slug.empty()) return {};
    if (model::make_slug(slug) != slug) {
        return model::fail(
            Error::Code::invalid_input,
            fmt::format("{} is not a slug (lower-case letters, digits and -)", slug));
    }
    return {};
}

}  // namespace

// --- Writes ------------------------------------------------------------------------------

Status update_post(WriteContext& context, const model::Post& post) {
    auto& db = context.db;
    if (post.title.empty()) return model::fail(Error::Code::invalid_input, "a post needs a title");
    const auto slug = post.slug.empty() ? model::make_slug(post.title) : post.slug;
    CARNET_CHECK(check_slug(slug));
    CARNET_TRY(old, rows::find_post_by_id(db, post.blog_id, post.id));
    if (!old) return not_found("post", post.id);
    CARNET_TRY(blog, blog_of(db, post.blog_id));
    CARNET_TRY(local, model::to_local(post.published_at, blog.time_zone));

    CARNET_TRY(update, db.prepare("UPDATE posts SET status = ?3, title = ?4, slug = ?5, "
                                  "source_format = ?6, source = ?7, html = ?8, excerpt = ?9, "
                                  "published_at = ?10, published_local = ?11, updated_at = ?12, "
                                  "comments_open = ?13, comment_policy = ?14 "
                                  "WHERE blog_id = ?1 AND id = ?2"));
    update->bind(1, post.blog_id)
        .bind(2, post.id)
        .bind(3, model::to_string(post.status))
        .bind(4, post.title)
        .bind(5, slug)
        .bind(6, model::to_string(post.source_format))
        .bind(7, post.source)
        .bind(8, post.html)
        .bind(9, post.excerpt)
        .bind(10, seconds_of(post.published_at))
        .bind(11, rows::local_text(local))
        .bind(12, seconds_of(post.updated_at))
        .bind(13, post.comments_open ? 1 : 0)
        .bind(14,
              post.comment_policy.transform([](auto policy) { return model::to_string(policy); }));
    if (auto updated = update->run(); !updated) {
        if (updated.error().code == Error::Code::conflict) {
            return model::fail(Error::Code::conflict,
                               fmt::format("a post with the slug {} exists already", slug));
        }
        return updated;
    }

    CARNET_TRY(unlink, db.prepare("DELETE FROM post_categories WHERE post_id = ?1"));
    unlink->bind(1, post.id);
    CARNET_CHECK(unlink->run());
    for (std::size_t position = 0; position < post.categories.size(); ++position) {
        CARNET_TRY(category_id, context.category_id_for(post.blog_id, post.categories[position]));
        CARNET_TRY(link, db.prepare("INSERT OR IGNORE INTO post_categories "
                                    "(blog_id, post_id, category_id, position) "
                                    "VALUES (?1, ?2, ?3, ?4)"));
        link->bind(1, post.blog_id)
            .bind(2, post.id)
            .bind(3, category_id)
            .bind(4, static_cast<int>(position));
        CARNET_CHECK(link->run());
    }

    // A published post's old address must keep leading to it: readers, feeds and search
    // engines hold it. Once the post is at its new path, a redirect from that path would
    // loop, so any is dropped.
    model::Post moved = *old;
    moved.slug = slug;
    moved.published_at = post.published_at;
    const auto old_path = model::post_path(blog, *old);
    const auto new_path = model::post_path(blog, moved);
    if (old->status == model::PostStatus::published && old_path != new_path) {
        CARNET_TRY(redirect, db.prepare("INSERT INTO post_redirects (blog_id, old_path, post_id) "
                                        "VALUES (?1, ?2, ?3) ON CONFLICT (blog_id, old_path) "
                                        "DO UPDATE SET post_id = excluded.post_id"));
        redirect->bind(1, post.blog_id).bind(2, old_path).bind(3, post.id);
        CARNET_CHECK(redirect->run());
    }
    CARNET_TRY(drop, db.prepare("DELETE FROM post_redirects WHERE blog_id = ?1 AND old_path = ?2"));
    drop->bind(1, post.blog_id).bind(2, new_path);
    CARNET_CHECK(drop->run());

    CARNET_CHECK(context.reindex_post(post.id));
    context.touched_blogs.insert(post.blog_id);
    return {};
}

Result<std::int64_t> save_revision(WriteContext& context, std::int64_t blog_id,
                                   std::int64_t post_id, std::int64_t author_id, bool autosave) {
    auto& db = context.db;
    CARNET_TRY(post, rows::find_post_by_id(db, blog_id, post_id));
    if (!post) return not_found("post", post_id);
    if (autosave) {
        CARNET_TRY(drop, db.prepare("DELETE FROM post_revisions WHERE post_id = ?1 "
                                    "AND kind = 'autosave'"));
        drop->bind(1, post_id);
        CARNET_CHECK(drop->run());
    }
    std::vector<std::string> names;
    for (const auto& category : post->categories) names.push_back(category.name);
    CARNET_TRY(insert,
               db.prepare("INSERT INTO post_revisions (blog_id, post_id, author_id, kind, "
                          "created_at, status, title, slug, source, excerpt, "
                          "published_at, comments_open, categories) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
    insert->bind(1, blog_id).bind(2, post_id);
    insert->bind_id(3, author_id);
    insert->bind(4, autosave ? "autosave" : "save")
        .bind(5, context.now_seconds())
        .bind(6, model::to_string(post->status))
        .bind(7, post->title)
        .bind(8, post->slug)
        .bind(9, post->source)
        .bind(10, post->excerpt)
        .bind(11, seconds_of(post->published_at))
        .bind(12, post->comments_open ? 1 : 0)
        .bind(13, join_lines(names));
    CARNET_CHECK(insert->run());
    return db.last_insert_id();
}

Status delete_post(WriteContext& context, std::int64_t blog_id, std::int64_t post_id) {
    CARNET_TRY(statement, context.db.prepare("DELETE FROM posts WHERE blog_id = ?1 AND id = ?2"));
    statement->bind(1, blog_id).bind(2, post_id);
    CARNET_CHECK(statement->run());
    if (changes(context.db) == 0) return not_found("post", post_id);
    CARNET_CHECK(context.reindex_post(post_id));
    context.touched_blogs.insert(blog_id);
    return {};
}

Result<int> publish_due_posts(WriteContext& context, model::Instant now) {
    auto& db = context.db;
    CARNET_TRY(due, db.prepare("SELECT id, blog_id FROM posts "
                               "WHERE status = 'scheduled' AND published_at <= ?1"));
    due->bind(1, seconds_of(now));
    std::vector<std::pair<std::int64_t, std::int64_t>> posts;
    CARNET_CHECK(for_each_row(*due, [&](const sqlite::Statement& row) {
        posts.emplace_back(row.column_int(0), row.column_int(1));
    }));
    for (const auto& [post_id, blog_id] : posts) {
        CARNET_TRY(publish, db.prepare("UPDATE posts SET status = 'published' WHERE id = ?1"));
        publish->bind(1, post_id);
        CARNET_CHECK(publish->run());
        CARNET_CHECK(context.reindex_post(post_id));
        context.touched_blogs.insert(blog_id);
    }
    return static_cast<int>(posts.size());
}

Status update_blog(WriteContext& context, const model::Blog& blog) {
    auto& db = context.db;
    CARNET_CHECK(rows::check_blog_settings(blog));
    CARNET_TRY(old, blog_of(db, blog.id));
    CARNET_TRY(update, db.prepare("UPDATE blogs SET title = ?2, subtitle = ?3, locale = ?4, "
                                  "time_zone = ?5, theme = ?6, posts_per_page = ?7, base_url = ?8, "
                                  "comment_policy = ?9, close_comments_after_days = ?10 "
                                  "WHERE id = ?1"));
    update->bind(1, blog.id)
        .bind(2, blog.title)
        .bind(3, blog.subtitle)
        .bind(4, blog.locale)
        .bind(5, blog.time_zone)
        .bind(6, blog.theme)
        .bind(7, blog.posts_per_page)
        .bind(8, blog.base_url)
        .bind(9, model::to_string(blog.comment_policy))
        .bind(10, blog.close_comments_after_days);
    CARNET_CHECK(update->run());
    if (old.time_zone != blog.time_zone) {
        // Archives by day read published_local, the wall clock in the blog's zone.
        CARNET_TRY(posts, db.prepare("SELECT id, published_at FROM posts WHERE blog_id = ?1"));
        posts->bind(1, blog.id);
        std::vector<std::pair<std::int64_t, std::int64_t>> times;
        CARNET_CHECK(for_each_row(*posts, [&](const sqlite::Statement& row) {
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
        CARNET_CHECK(for_each_row(
            *posts, [&](const sqlite::Statement& row) { ids.push_back(row.column_int(0)); }));
        for (auto post_id : ids) CARNET_CHECK(context.reindex_post(post_id));
    }
    context.touched_blogs.insert(blog.id);
    return {};
}

Status rename_category(WriteContext& context, std::int64_t blog_id, std::int64_t category_id,
                       std::string_view name, std::string_view slug_asked) {
    auto& db = context.db;
    if (name.empty()) return model::fail(Error::Code::invalid_input, "a category needs a name");
    const auto slug = slug_asked.empty() ? model::make_slug(name) : std::string(slug_asked);
    CARNET_CHECK(check_slug(slug));
    CARNET_TRY(old, db.prepare("SELECT slug FROM categories WHERE blog_id = ?1 AND id = ?2"));
    old->bind(1, blog_id).bind(2, category_id);
    CARNET_TRY(found, old->step());
    if (!found) return not_found("category", category_id);
    const auto old_slug = old->column_text(0);
    old->reset();
    CARNET_TRY(
        update,
        db.prepare("UPDATE categories SET name = ?3, slug = ?4 WHERE blog_id = ?1 AND id = ?2"));
    update->bind(1, blog_id).bind(2, category_id).bind(3, name).bind(4, slug);
    if (auto updated = update->run(); !updated) {
        if (updated.error().code == Error::Code::conflict) {
            return model::fail(Error::Code::conflict,
                               fmt::format("a category with the slug {} exists already", slug));
        }
        return updated;
    }
    if (old_slug != slug) {
        CARNET_TRY(redirect, db.prepare("INSERT INTO category_redirects (blog_id, old_slug, "
                                        "category_id) VALUES (?1, ?2, ?3) "
                                        "ON CONFLICT (blog_id, old_slug) "
                                        "DO UPDATE SET category_id = excluded.category_id"));
        redirect->bind(1, blog_id).bind(2, old_slug).bind(3, category_id);
        CARNET_CHECK(redirect->run());
        CARNET_TRY(
            drop,
            db.prepare("DELETE FROM category_redirects WHERE blog_id = ?1 AND old_slug = ?2"));
        drop->bind(1, blog_id).bind(2, slug);
        CARNET_CHECK(drop->run());
    }
    context.touched_blogs.insert(blog_id);
    return {};
}

Status merge_categories(WriteContext& context, std::int64_t blog_id, std::int64_t from,
                        std::int64_t into) {
    auto& db = context.db;
    constexpr std::string_view k_exists = "SELECT 1 FROM categories WHERE blog_id = ?1 AND id = ?2";
    for (auto id : {from, into}) {
        CARNET_TRY(found, exists(db, k_exists, blog_id, id));
        if (!found) return not_found("category", id);
    }
    if (from == into) {
        return model::fail(Error::Code::invalid_input, "a category cannot be merged into itself");
    }
    // A post in both keeps its place in `into`; a post only in `from` takes `from`'s place.
    CARNET_TRY(move, db.prepare("UPDATE OR IGNORE post_categories SET category_id = ?3 "
                                "WHERE blog_id = ?1 AND category_id = ?2"));
    move->bind(1, blog_id).bind(2, from).bind(3, into);
    CARNET_CHECK(move->run());
    CARNET_TRY(slug, db.prepare("SELECT slug FROM categories WHERE id = ?1"));
    slug->bind(1, from);
    CARNET_TRY(has_slug, slug->step());
    const auto from_slug = has_slug ? slug->column_text(0) : std::string();
    slug->reset();
    CARNET_TRY(redirects, db.prepare("UPDATE category_redirects SET category_id = ?3 "
                                     "WHERE blog_id = ?1 AND category_id = ?2"));
    redirects->bind(1, blog_id).bind(2, from).bind(3, into);
    CARNET_CHECK(redirects->run());
    CARNET_TRY(remove, db.prepare("DELETE FROM categories WHERE blog_id = ?1 AND id = ?2"));
    remove->bind(1, blog_id).bind(2, from);
    CARNET_CHECK(remove->run());
    CARNET_TRY(redirect, db.prepare("INSERT INTO category_redirects (blog_id, old_slug, "
                                    "category_id) VALUES (?1, ?2, ?3) "
                                    "ON CONFLICT (blog_id, old_slug) "
                                    "DO UPDATE SET category_id = excluded.category_id"));
    redirect->bind(1, blog_id).bind(2, from_slug).bind(3, into);
    CARNET_CHECK(redirect->run());
    context.touched_blogs.insert(blog_id);
    return {};
}

Status delete_category(WriteContext& context, std::int64_t blog_id, std::int64_t category_id) {
    CARNET_TRY(remove, context.db.prepare("DELETE FROM categories WHERE blog_id = ?1 AND id = ?2"));
    remove->bind(1, blog_id).bind(2, category_id);
    CARNET_CHECK(remove->run());
    if (changes(context.db) == 0) return not_found("category", category_id);
    context.touched_blogs.insert(blog_id);
    return {};
}

Result<std::int64_t> create_page(WriteContext& context, const model::Page& page_asked) {
    auto page = page_asked;
    if (page.slug.empty()) page.slug = model::make_slug(page.title);
    CARNET_CHECK(check_page(page));
    CARNET_CHECK(check_slug(page.slug));
    CARNET_TRY(insert, context.db.prepare("INSERT INTO pages (blog_id, published, title, slug, "
                                          "source, html, position, updated_at) "
                                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    insert->bind(1, page.blog_id)
        .bind(2, page.published ? 1 : 0)
        .bind(3, page.title)
        .bind(4, page.slug)
        .bind(5, page.source)
        .bind(6, page.html)
        .bind(7, page.position)
        .bind(8, seconds_of(page.updated_at));
    if (auto inserted = insert->run(); !inserted) {
        if (inserted.error().code == Error::Code::conflict) {
            return model::fail(Error::Code::conflict,
                               fmt::format("a page with the slug {} exists already", page.slug));
        }
        return std::unexpected(inserted.error());
    }
    context.touched_blogs.insert(page.blog_id);
    return context.db.last_insert_id();
}

Status update_page(WriteContext& context, const model::Page& page_asked) {
    auto page = page_asked;
    if (page.slug.empty()) page.slug = model::make_slug(page.title);
    CARNET_CHECK(check_page(page));
    CARNET_CHECK(check_slug(page.slug));
    CARNET_TRY(update, context.db.prepare("UPDATE pages SET published = ?3, title = ?4, slug = ?5, "
                                          "source = ?6, html = ?7, position = ?8, updated_at = ?9 "
                                          "WHERE blog_id = ?1 AND id = ?2"));
    update->bind(1, page.blog_id)
        .bind(2, page.id)
        .bind(3, page.published ? 1 : 0)
        .bind(4, page.title)
        .bind(5, page.slug)
        .bind(6, page.source)
        .bind(7, page.html)
        .bind(8, page.position)
        .bind(9, seconds_of(page.updated_at));
    if (auto updated = update->run(); !updated) {
        if (updated.error().code == Error::Code::conflict) {
            return model::fail(Error::Code::conflict,
                               fmt::format("a page with the slug {} exists already", page.slug));
        }
        return updated;
    }
    if (changes(context.db) == 0) return not_found("page", page.id);
    context.touched_blogs.insert(page.blog_id);
    return {};
}

Status delete_page(WriteContext& context, std::int64_t blog_id, std::int64_t page_id) {
    CARNET_TRY(remove, context.db.prepare("DELETE FROM pages WHERE blog_id = ?1 AND id = ?2"));
    remove->bind(1, blog_id).bind(2, page_id);
    CARNET_CHECK(remove->run());
    if (changes(context.db) == 0) return not_found("page", page_id);
    context.touched_blogs.insert(blog_id);
    return {};
}

Result<std::int64_t> add_media(WriteContext& context, const MediaRecord& media,
                               std::int64_t uploaded_by) {
    auto& db = context.db;
    std::string variants;
    for (const auto& variant : media.variants) {
        variants += fmt::format("{} {} {}\n", variant.width, variant.height, variant.file_name);
    }
    CARNET_TRY(insert, db.prepare("INSERT INTO media (blog_id, content_hash, content_type, "
                                  "size_bytes, width, height, stored_path, created_at, "
                                  "original_name, variants, uploaded_by) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
                                  "ON CONFLICT (blog_id, content_hash) DO NOTHING"));
    insert->bind(1, media.blog_id)
        .bind(2, media.content_hash)
        .bind(3, media.content_type)
        .bind(4, media.size_bytes)
        .bind(5, media.width)
        .bind(6, media.height)
        .bind(7, media.file_name)
        .bind(8, context.now_seconds())
        .bind(9, media.original_name)
        .bind(10, variants);
    insert->bind_id(11, uploaded_by);
    CARNET_CHECK(insert->run());
    CARNET_TRY(select, db.prepare("SELECT id FROM media WHERE blog_id = ?1 AND content_hash = ?2"));
    select->bind(1, media.blog_id).bind(2, media.content_hash);
    CARNET_TRY(has_row, select->step());
    if (!has_row) return model::fail(Error::Code::internal, "media vanished after insert");
    const auto id = select->column_int(0);
    select->reset();
    context.touched_blogs.insert(media.blog_id);
    return id;
}

Status set_password(WriteContext& context, std::int64_t user_id, std::string_view password_hash) {
    CARNET_TRY(update, context.db.prepare("UPDATE users SET password_hash = ?2 WHERE id = ?1"));
    update->bind(1, user_id).bind(2, password_hash);
    CARNET_CHECK(update->run());
    if (changes(context.db) == 0) {
        return model::fail(Error::Code::not_found, fmt::format("no user {}", user_id));
    }
    return {};
}

Status remove_user(WriteContext& context, std::int64_t user_id) {
    auto& db = context.db;
    CARNET_TRY(blogs, db.prepare("SELECT blog_id FROM memberships WHERE user_id = ?1"));
    blogs->bind(1, user_id);
    CARNET_CHECK(for_each_row(*blogs, [&](const sqlite::Statement& row) {
        context.touched_blogs.insert(row.column_int(0));
    }));
    CARNET_TRY(remove, db.prepare("DELETE FROM users WHERE id = ?1"));
    remove->bind(1, user_id);
    CARNET_CHECK(remove->run());
    if (changes(db) == 0) {
        return model::fail(Error::Code::not_found, fmt::format("no user {}", user_id));
    }
    return {};
}

Status remove_membership(WriteContext& context, std::int64_t blog_id, std::int64_t user_id) {
    CARNET_TRY(remove,
               context.db.prepare("DELETE FROM memberships WHERE blog_id = ?1 AND user_id = ?2"));
    remove->bind(1, blog_id).bind(2, user_id);
    CARNET_CHECK(remove->run());
    context.touched_blogs.insert(blog_id);
    return {};
}

Status create_session(WriteContext& context, std::string_view token_hash, const Session& session) {
    CARNET_TRY(insert, context.db.prepare("INSERT INTO sessions (token_hash, user_id, csrf_secret, "
                                          "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
    insert->bind(1, token_hash)
        .bind(2, session.user_id)
        .bind(3, session.csrf_secret)
        .bind(4, context.now_seconds())
        .bind(5, seconds_of(session.expires_at));
    return insert->run();
}

Status delete_session(WriteContext& context, std::string_view token_hash) {
    CARNET_TRY(remove, context.db.prepare("DELETE FROM sessions WHERE token_hash = ?1"));
    remove->bind(1, token_hash);
    return remove->run();
}

Result<int> delete_sessions_of(WriteContext& context, std::int64_t user_id) {
    CARNET_TRY(remove, context.db.prepare("DELETE FROM sessions WHERE user_id = ?1"));
    remove->bind(1, user_id);
    CARNET_CHECK(remove->run());
    return changes(context.db);
}

Result<int> delete_expired_sessions(WriteContext& context, model::Instant now) {
    CARNET_TRY(remove, context.db.prepare("DELETE FROM sessions WHERE expires_at <= ?1"));
    remove->bind(1, seconds_of(now));
    CARNET_CHECK(remove->run());
    return changes(context.db);
}

// --- Reads -------------------------------------------------------------------------------

Result<std::optional<Login>> find_login(Connection& db, std::string_view email) {
    CARNET_TRY(statement,
               db.prepare("SELECT id, email, name, password_hash FROM users WHERE email = ?1"));
    statement->bind(1, email);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<Login>();
    Login login{
        model::User{statement->column_int(0), statement->column_text(1), statement->column_text(2)},
        statement->column_text(3)};
    statement->reset();
    return std::optional<Login>(std::move(login));
}

Result<std::optional<model::User>> find_user(Connection& db, std::int64_t user_id) {
    CARNET_TRY(statement, db.prepare("SELECT id, email, name FROM users WHERE id = ?1"));
    statement->bind(1, user_id);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<model::User>();
    model::User user{statement->column_int(0), statement->column_text(1),
                     statement->column_text(2)};
    statement->reset();
    return std::optional<model::User>(std::move(user));
}

Result<std::vector<UserSummary>> list_users(Connection& db, model::Instant now) {
    CARNET_TRY(users, db.prepare("SELECT u.id, u.email, u.name, "
                                 "(SELECT count(*) FROM sessions s WHERE s.user_id = u.id "
                                 "AND s.expires_at > ?1) FROM users u ORDER BY u.email"));
    users->bind(1, seconds_of(now));
    std::vector<UserSummary> summaries;
    CARNET_CHECK(for_each_row(*users, [&](const sqlite::Statement& row) {
        summaries.push_back(
            UserSummary{model::User{row.column_int(0), row.column_text(1), row.column_text(2)},
                        {},
                        static_cast<int>(row.column_int(3))});
    }));
    CARNET_TRY(
        roles,
        db.prepare("SELECT blog_id, role FROM memberships WHERE user_id = ?1 ORDER BY blog_id"));
    for (auto& summary : summaries) {
        roles->reset();
        roles->bind(1, summary.user.id);
        CARNET_CHECK(for_each_row(*roles, [&](const sqlite::Statement& row) {
            if (auto role = model::parse_role(row.column_text(1))) {
                summary.roles.emplace_back(row.column_int(0), *role);
            }
        }));
    }
    return summaries;
}

Result<std::vector<Membership>> memberships_of(Connection& db, std::int64_t user_id) {
    CARNET_TRY(
        statement,
        db.prepare("SELECT blog_id, role FROM memberships WHERE user_id = ?1 ORDER BY blog_id"));
    statement->bind(1, user_id);
    std::vector<std::pair<std::int64_t, model::Role>> roles;
    CARNET_CHECK(for_each_row(*statement, [&](const sqlite::Statement& row) {
        if (auto role = model::parse_role(row.column_text(1))) {
            roles.emplace_back(row.column_int(0), *role);
        }
    }));
    std::vector<Membership> memberships;
    for (const auto& [blog_id, role] : roles) {
        CARNET_TRY(blog, blog_of(db, blog_id));
        memberships.push_back(Membership{std::move(blog), role});
    }
    return memberships;
}

Result<std::optional<Session>> find_session(Connection& db, std::string_view token_hash,
                                            model::Instant now) {
    CARNET_TRY(statement, db.prepare("SELECT user_id, csrf_secret, expires_at FROM sessions "
                                     "WHERE token_hash = ?1 AND expires_at > ?2"));
    statement->bind(1, token_hash).bind(2, seconds_of(now));
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<Session>();
    Session session{statement->column_int(0), statement->column_text(1),
                    instant_of(statement->column_int(2))};
    statement->reset();
    return std::optional<Session>(std::move(session));
}

Result<PostList> admin_posts(Connection& db, std::int64_t blog_id, const AdminPostQuery& query) {
    // Every filter is always in the SQL, switched off by a NULL parameter: one statement,
    // prepared once, serves every combination.
    constexpr std::string_view k_filter =
        "p.blog_id = ?1 AND (CASE WHEN ?2 IS NULL THEN p.status <> 'trash' ELSE p.status = ?2 END) "
        "AND (?3 IS NULL OR p.id IN (SELECT post_id FROM post_categories WHERE category_id = ?3)) "
        "AND (?4 IS NULL OR p.author_id = ?4) "
        "AND (?5 IS NULL OR instr(lower(p.title), lower(?5)) > 0)";
    auto bind = [&](sqlite::Statement& statement) {
        statement.bind(1, blog_id);
        statement.bind(
            2, query.status.transform([](auto status) { return model::to_string(status); }));
        statement.bind(3, query.category_id);
        statement.bind(4, query.author_id);
        statement.bind(5, query.text.empty() ? std::nullopt : std::optional(query.text));
    };
    PostList list;
    CARNET_TRY(count, db.prepare(fmt::format("SELECT count(*) FROM posts p WHERE {}", k_filter)));
    bind(*count);
    CARNET_TRY(has_count, count->step());
    list.total = has_count ? static_cast<int>(count->column_int(0)) : 0;
    count->reset();
    CARNET_TRY(select, db.prepare(fmt::format("SELECT {}, p.author_id FROM posts p WHERE {} "
                                              "ORDER BY p.published_at DESC, p.id DESC "
                                              "LIMIT ?6 OFFSET ?7",
                                              rows::k_post_columns_without_body, k_filter)));
    bind(*select);
    select->bind(6, std::max(0, query.limit)).bind(7, std::max(0, query.offset));
    CARNET_CHECK(for_each_row(*select, [&](const sqlite::Statement& row) {
        auto post = rows::read_post(row);
        post.author_id = row.column_is_null(13) ? 0 : row.column_int(13);
        list.posts.push_back(std::move(post));
    }));
    for (auto& post : list.posts) CARNET_CHECK(rows::load_categories(db, post));
    return list;
}

namespace {

constexpr std::string_view k_revision_columns =
    "r.id, r.post_id, coalesce(r.author_id, 0), coalesce(u.name, ''), r.kind, r.created_at, "
    "r.status, r.title, r.slug, r.source, r.excerpt, r.published_at, r.comments_open, "
    "r.categories";

Revision read_revision(const sqlite::Statement& row) {
    Revision revision;
    revision.id = row.column_int(0);
    revision.post_id = row.column_int(1);
    revision.author_id = row.column_int(2);
    revision.author_name = row.column_text(3);
    revision.autosave = row.column_text(4) == "autosave";
    revision.created_at = instant_of(row.column_int(5));
    revision.status =
        model::parse_post_status(row.column_text(6)).value_or(model::PostStatus::draft);
    revision.title = row.column_text(7);
    revision.slug = row.column_text(8);
    revision.source = row.column_text(9);
    revision.excerpt = row.column_text(10);
    revision.published_at = instant_of(row.column_int(11));
    revision.comments_open = row.column_int(12) != 0;
    revision.categories = split_lines(row.column_text(13));
    return revision;
}

}  // namespace

Result<std::vector<Revision>> revisions(Connection& db, std::int64_t blog_id,
                                        std::int64_t post_id) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM post_revisions r "
                                                 "LEFT JOIN users u ON u.id = r.author_id "
                                                 "WHERE r.blog_id = ?1 AND r.post_id = ?2 "
                                                 "ORDER BY r.id DESC",
                                                 k_revision_columns)));
    statement->bind(1, blog_id).bind(2, post_id);
    std::vector<Revision> found;
    CARNET_CHECK(for_each_row(
        *statement, [&](const sqlite::Statement& row) { found.push_back(read_revision(row)); }));
    return found;
}

Result<std::optional<Revision>> find_revision(Connection& db, std::int64_t blog_id,
                                              std::int64_t revision_id) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM post_revisions r "
                                                 "LEFT JOIN users u ON u.id = r.author_id "
                                                 "WHERE r.blog_id = ?1 AND r.id = ?2",
                                                 k_revision_columns)));
    statement->bind(1, blog_id).bind(2, revision_id);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<Revision>();
    auto revision = read_revision(*statement);
    statement->reset();
    return std::optional<Revision>(std::move(revision));
}

Result<BlogCounts> counts(Connection& db, std::int64_t blog_id) {
    BlogCounts counts;
    CARNET_TRY(statuses,
               db.prepare("SELECT status, count(*) FROM posts WHERE blog_id = ?1 GROUP BY status"));
    statuses->bind(1, blog_id);
    CARNET_CHECK(for_each_row(*statuses, [&](const sqlite::Statement& row) {
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
    CARNET_CHECK(for_each_row(*months, [&](const sqlite::Statement& row) {
        counts.published_per_month.push_back(model::MonthCount{
            static_cast<int>(row.column_int(0)), static_cast<int>(row.column_int(1)),
            static_cast<int>(row.column_int(2))});
    }));
    return counts;
}

Result<std::vector<model::Category>> all_categories(Connection& db, std::int64_t blog_id) {
    CARNET_TRY(statement, db.prepare("SELECT c.id, c.name, c.slug, "
                                     "(SELECT count(*) FROM post_categories pc "
                                     "JOIN posts p ON p.id = pc.post_id "
                                     "WHERE pc.category_id = c.id AND p.status <> 'trash') "
                                     "FROM categories c WHERE c.blog_id = ?1 ORDER BY c.name"));
    statement->bind(1, blog_id);
    std::vector<model::Category> categories;
    CARNET_CHECK(for_each_row(*statement, [&](const sqlite::Statement& row) {
        categories.push_back(model::Category{row.column_int(0), blog_id, row.column_text(1),
                                             row.column_text(2),
                                             static_cast<int>(row.column_int(3))});
    }));
    return categories;
}

Result<std::optional<model::Post>> find_post_redirect(Connection& db, std::int64_t blog_id,
                                                      std::string_view old_path) {
    CARNET_TRY(statement, db.prepare("SELECT post_id FROM post_redirects "
                                     "WHERE blog_id = ?1 AND old_path = ?2"));
    statement->bind(1, blog_id).bind(2, old_path);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<model::Post>();
    const auto post_id = statement->column_int(0);
    statement->reset();
    CARNET_TRY(post, rows::find_post_by_id(db, blog_id, post_id));
    if (!post || post->status != model::PostStatus::published) return std::optional<model::Post>();
    return post;
}

Result<std::vector<std::string>> post_redirect_paths(Connection& db, std::int64_t blog_id) {
    CARNET_TRY(statement, db.prepare("SELECT old_path FROM post_redirects WHERE blog_id = ?1 "
                                     "ORDER BY old_path"));
    statement->bind(1, blog_id);
    std::vector<std::string> paths;
    CARNET_CHECK(for_each_row(
        *statement, [&](const sqlite::Statement& row) { paths.push_back(row.column_text(0)); }));
    return paths;
}

Result<std::optional<model::Category>> find_category_redirect(Connection& db, std::int64_t blog_id,
                                                              std::string_view old_slug) {
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
}

namespace {

constexpr std::string_view k_page_columns =
    "id, blog_id, published, title, slug, source, html, position, updated_at";

model::Page read_page(const sqlite::Statement& row) {
    return model::Page{row.column_int(0),
                       row.column_int(1),
                       row.column_int(2) != 0,
                       row.column_text(3),
                       row.column_text(4),
                       row.column_text(5),
                       row.column_text(6),
                       static_cast<int>(row.column_int(7)),
                       instant_of(row.column_int(8))};
}

Result<std::optional<model::Page>> find_page_where(Connection& db, std::string_view condition,
                                                   std::int64_t blog_id, auto key) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM pages WHERE blog_id = ?1 AND {}",
                                                 k_page_columns, condition)));
    statement->bind(1, blog_id).bind(2, key);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<model::Page>();
    auto page = read_page(*statement);
    statement->reset();
    return std::optional<model::Page>(std::move(page));
}

}  // namespace

Result<std::vector<model::Page>> pages(Connection& db, std::int64_t blog_id, bool published_only) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM pages WHERE blog_id = ?1 "
                                                 "AND (?2 = 0 OR published = 1) "
                                                 "ORDER BY position, title",
                                                 k_page_columns)));
    statement->bind(1, blog_id).bind(2, published_only ? 1 : 0);
    std::vector<model::Page> found;
    CARNET_CHECK(for_each_row(
        *statement, [&](const sqlite::Statement& row) { found.push_back(read_page(row)); }));
    return found;
}

Result<std::optional<model::Page>> find_page_by_id(Connection& db, std::int64_t blog_id,
                                                   std::int64_t page_id) {
    return find_page_where(db, "id = ?2", blog_id, page_id);
}

Result<std::optional<model::Page>> find_published_page(Connection& db, std::int64_t blog_id,
                                                       std::string_view slug) {
    return find_page_where(db, "slug = ?2 AND published = 1", blog_id, slug);
}

namespace {

constexpr std::string_view k_media_columns =
    "id, blog_id, content_hash, content_type, stored_path, original_name, size_bytes, "
    "coalesce(width, 0), coalesce(height, 0), variants, created_at";

MediaRecord read_media(const sqlite::Statement& row) {
    MediaRecord media;
    media.id = row.column_int(0);
    media.blog_id = row.column_int(1);
    media.content_hash = row.column_text(2);
    media.content_type = row.column_text(3);
    media.file_name = row.column_text(4);
    media.original_name = row.column_text(5);
    media.size_bytes = row.column_int(6);
    media.width = static_cast<int>(row.column_int(7));
    media.height = static_cast<int>(row.column_int(8));
    for (const auto& line : split_lines(row.column_text(9))) {
        std::istringstream fields(line);
        MediaRecord::Variant variant;
        if (fields >> variant.width >> variant.height >> variant.file_name) {
            media.variants.push_back(std::move(variant));
        }
    }
    media.created_at = instant_of(row.column_int(10));
    return media;
}

}  // namespace

Result<std::vector<MediaRecord>> media(Connection& db, std::int64_t blog_id, int offset,
                                       int limit) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM media WHERE blog_id = ?1 "
                                                 "ORDER BY created_at DESC, id DESC "
                                                 "LIMIT ?2 OFFSET ?3",
                                                 k_media_columns)));
    statement->bind(1, blog_id).bind(2, std::max(0, limit)).bind(3, std::max(0, offset));
    std::vector<MediaRecord> found;
    CARNET_CHECK(for_each_row(
        *statement, [&](const sqlite::Statement& row) { found.push_back(read_media(row)); }));
    return found;
}

Result<std::optional<MediaRecord>> find_media(Connection& db, std::int64_t blog_id,
                                              std::string_view file_name) {
    // A variant's file belongs to its original's record: <hash>-<width>.<ext>.
    const auto hash =
        file_name.substr(0, std::min(file_name.find_first_of("-."), file_name.size()));
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM media WHERE blog_id = ?1 "
                                                 "AND content_hash = ?2",
                                                 k_media_columns)));
    statement->bind(1, blog_id).bind(2, hash);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<MediaRecord>();
    auto record = read_media(*statement);
    statement->reset();
    const bool is_original = record.file_name == file_name;
    const bool is_variant = std::ranges::any_of(
        record.variants, [&](const auto& variant) { return variant.file_name == file_name; });
    if (!is_original && !is_variant) return std::optional<MediaRecord>();
    return std::optional<MediaRecord>(std::move(record));
}

}  // namespace carnet::store::admin_sql
