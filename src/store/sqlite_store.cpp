#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_map>

#include "store/migrations.hpp"
#include "store/search.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_admin.hpp"
#include "store/sqlite_comments.hpp"
#include "store/sqlite_import.hpp"
#include "store/sqlite_rows.hpp"
#include "store/store.hpp"

namespace carnet::store {
namespace {

using model::Error;
using sqlite::Connection;
using sqlite::Statement;

using namespace rows;

// The search table of each blog language. Table names come only from here, never from input.
struct SearchTable {
    std::string_view table;
    std::string_view locale;
};
constexpr std::array<SearchTable, 2> k_search_tables{{
    {"post_search_fr", "fr"},
    {"post_search_en", "en"},
}};
// Collects the long tokens the connection's tokenizers indexed since the last collection
// (carnet_search_new_terms) and, with `keep`, lists them in search_terms (migration 9).
// Called as a transaction that may have indexed posts commits (keep) or rolls back.
Status collect_new_search_terms(Connection& db, bool keep) {
    for (const auto& search_table : k_search_tables) {
        CARNET_TRY(collect,
                   db.prepare(keep ? "INSERT OR IGNORE INTO search_terms (locale, term) "
                                     "SELECT ?1, value FROM json_each(carnet_search_new_terms(?1))"
                                   : "SELECT carnet_search_new_terms(?1)"));
        collect->bind(1, search_table.locale);
        CARNET_CHECK(collect->run());
    }
    return {};
}

// How many posts a transaction indexes before its search tables are merged as it commits.
constexpr int k_bulk_indexed_posts = 1000;

// How much more a word in a post's title counts than one in its body.
constexpr double k_title_weight = 10.0;
constexpr double k_body_weight = 1.0;

class SqliteWriter final : public Writer {
public:
    explicit SqliteWriter(Connection& db) : db_(db) {}

    const std::set<std::int64_t>& touched_blogs() const { return touched_; }

    // After a transaction that indexed many posts (an import), merges each search table's
    // b-trees into one, as a rebuild does. Writing leaves them as FTS5's automerge does:
    // at 100,000 posts written at once, 21 of them, which every query term seeks in turn
    // (p99 up to twice as long). Merging took 29 s there, a tenth of the writing; posts
    // published one by one add small b-trees that cost little to search.
    Status merge_search_index_after_bulk_writes() {
        if (reindexed_posts_ < k_bulk_indexed_posts) return {};
        for (const auto& search_table : k_search_tables) {
            CARNET_CHECK(db_.execute(
                fmt::format("INSERT INTO {0} ({0}) VALUES ('optimize')", search_table.table)));
        }
        return {};
    }

    Result<std::int64_t> create_blog(const model::Blog& blog) override {
        CARNET_CHECK(check_blog_settings(blog));
        if (blog.hosts.empty()) CARNET_CHECK(check_no_default_blog());
        CARNET_TRY(insert, db_.prepare("INSERT INTO blogs (title, subtitle, locale, time_zone, "
                                       "theme, posts_per_page, created_at, base_url, "
                                       "comment_policy, close_comments_after_days) "
                                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
        insert->bind(1, blog.title)
            .bind(2, blog.subtitle)
            .bind(3, blog.locale)
            .bind(4, blog.time_zone)
            .bind(5, blog.theme)
            .bind(6, blog.posts_per_page)
            .bind(7, now_seconds())
            .bind(8, blog.base_url)
            .bind(9, model::to_string(blog.comment_policy))
            .bind(10, blog.close_comments_after_days);
        CARNET_CHECK(insert->run());
        const auto blog_id = db_.last_insert_id();
        CARNET_TRY(host_insert, db_.prepare("INSERT INTO blog_hosts (host, blog_id, position) "
                                            "VALUES (?1, ?2, ?3)"));
        for (std::size_t i = 0; i < blog.hosts.size(); ++i) {
            host_insert->reset();
            host_insert->bind(1, blog.hosts[i]).bind(2, blog_id).bind(3, static_cast<int>(i));
            auto inserted = host_insert->run();
            if (!inserted) {
                if (inserted.error().code == Error::Code::conflict) {
                    return model::fail(
                        Error::Code::conflict,
                        fmt::format("the host {} already serves a blog", blog.hosts[i]));
                }
                return std::unexpected(inserted.error());
            }
        }
        touched_.insert(blog_id);
        return blog_id;
    }

    // A blog without host names is the default blog: it answers every host that no other
    // blog claims, so there can be only one.
    Status check_no_default_blog() {
        CARNET_TRY(other, db_.prepare("SELECT id, title FROM blogs WHERE NOT EXISTS "
                                      "(SELECT 1 FROM blog_hosts WHERE blog_id = blogs.id) "
                                      "ORDER BY id LIMIT 1"));
        CARNET_TRY(found, other->step());
        if (!found) return {};
        const auto message = fmt::format(
            "blog {} \"{}\" is already the default blog, answering every host that "
            "no other blog claims: a second blog needs a host name",
            other->column_int(0), other->column_text(1));
        other->reset();
        return model::fail(Error::Code::conflict, message);
    }

    Result<std::int64_t> create_user(const model::User& user,
                                     std::string_view password_hash) override {
        if (user.email.find('@') == std::string::npos) {
            return model::fail(Error::Code::invalid_input,
                               fmt::format("{} is not an e-mail address", user.email));
        }
        if (user.name.empty())
            return model::fail(Error::Code::invalid_input, "a user needs a name");
        CARNET_TRY(insert, db_.prepare("INSERT INTO users (email, name, password_hash, created_at) "
                                       "VALUES (?1, ?2, ?3, ?4)"));
        insert->bind(1, user.email)
            .bind(2, user.name)
            .bind(3, password_hash)
            .bind(4, now_seconds());
        auto inserted = insert->run();
        if (!inserted) {
            if (inserted.error().code == Error::Code::conflict) {
                return model::fail(
                    Error::Code::conflict,
                    fmt::format("a user with the e-mail {} exists already", user.email));
            }
            return std::unexpected(inserted.error());
        }
        return db_.last_insert_id();
    }

    model::Status add_membership(std::int64_t blog_id, std::int64_t user_id,
                                 model::Role role) override {
        CARNET_TRY(insert, db_.prepare("INSERT INTO memberships (blog_id, user_id, role) "
                                       "VALUES (?1, ?2, ?3) ON CONFLICT (blog_id, user_id) "
                                       "DO UPDATE SET role = excluded.role"));
        insert->bind(1, blog_id).bind(2, user_id).bind(3, model::to_string(role));
        CARNET_CHECK(insert->run());
        touched_.insert(blog_id);
        return {};
    }

    Result<std::int64_t> create_post(const model::Post& post) override {
        if (post.title.empty())
            return model::fail(Error::Code::invalid_input, "a post needs a title");
        CARNET_TRY(blogs, load_blogs(db_, post.blog_id));
        if (blogs.empty()) {
            return model::fail(Error::Code::not_found, fmt::format("no blog {}", post.blog_id));
        }
        const auto slug = post.slug.empty() ? model::make_slug(post.title) : post.slug;
        CARNET_TRY(local, model::to_local(post.published_at, blogs.front().time_zone));

        CARNET_TRY(insert,
                   db_.prepare("INSERT INTO posts (blog_id, status, title, slug, source_format, "
                               "source, html, excerpt, published_at, published_local, "
                               "updated_at, comments_open, author_id, comment_policy) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                               "?14)"));
        insert->bind(1, post.blog_id)
            .bind(2, model::to_string(post.status))
            .bind(3, post.title)
            .bind(4, slug)
            .bind(5, model::to_string(post.source_format))
            .bind(6, post.source)
            .bind(7, post.html)
            .bind(8, post.excerpt)
            .bind(9, static_cast<std::int64_t>(post.published_at.time_since_epoch().count()))
            .bind(10, local_text(local))
            .bind(11, static_cast<std::int64_t>(post.updated_at.time_since_epoch().count()))
            .bind(12, post.comments_open ? 1 : 0);
        insert->bind_id(13, post.author_id);
        insert->bind(14, post.comment_policy.transform(
                             [](auto policy) { return model::to_string(policy); }));
        auto inserted = insert->run();
        if (!inserted) {
            if (inserted.error().code == Error::Code::conflict) {
                return model::fail(Error::Code::conflict,
                                   fmt::format("a post with the slug {} exists already", slug));
            }
            return std::unexpected(inserted.error());
        }
        const auto post_id = db_.last_insert_id();

        for (std::size_t position = 0; position < post.categories.size(); ++position) {
            const auto& category = post.categories[position];
            CARNET_TRY(category_id, category_id_for(post.blog_id, category));
            CARNET_TRY(link, db_.prepare("INSERT OR IGNORE INTO post_categories "
                                         "(blog_id, post_id, category_id, position) "
                                         "VALUES (?1, ?2, ?3, ?4)"));
            link->bind(1, post.blog_id)
                .bind(2, post_id)
                .bind(3, category_id)
                .bind(4, static_cast<int>(position));
            CARNET_CHECK(link->run());
        }
        CARNET_CHECK(reindex_post(post_id));
        touched_.insert(post.blog_id);
        return post_id;
    }

    Result<std::optional<model::Post>> find_post_by_slug(std::int64_t blog_id,
                                                         std::string_view slug) override {
        return find_post(db_, blog_id, slug, false);
    }

    Result<std::optional<model::User>> find_user_by_email(std::string_view email) override {
        return rows::find_user(db_, email);
    }

    Result<std::optional<model::Post>> find_post_by_id(std::int64_t blog_id,
                                                       std::int64_t post_id) override {
        return rows::find_post_by_id(db_, blog_id, post_id);
    }
    Status update_post(const model::Post& post) override {
        auto context = admin_context();
        return admin_sql::update_post(context, post);
    }
    Result<std::int64_t> save_revision(std::int64_t blog_id, std::int64_t post_id,
                                       std::int64_t author_id, bool autosave) override {
        auto context = admin_context();
        return admin_sql::save_revision(context, blog_id, post_id, author_id, autosave);
    }
    Status delete_post(std::int64_t blog_id, std::int64_t post_id) override {
        auto context = admin_context();
        return admin_sql::delete_post(context, blog_id, post_id);
    }
    Result<int> publish_due_posts(model::Instant now) override {
        auto context = admin_context();
        return admin_sql::publish_due_posts(context, now);
    }
    Status update_blog(const model::Blog& blog) override {
        auto context = admin_context();
        return admin_sql::update_blog(context, blog);
    }
    Status rename_category(std::int64_t blog_id, std::int64_t category_id, std::string_view name,
                           std::string_view slug) override {
        auto context = admin_context();
        return admin_sql::rename_category(context, blog_id, category_id, name, slug);
    }
    Status merge_categories(std::int64_t blog_id, std::int64_t from, std::int64_t into) override {
        auto context = admin_context();
        return admin_sql::merge_categories(context, blog_id, from, into);
    }
    Status delete_category(std::int64_t blog_id, std::int64_t category_id) override {
        auto context = admin_context();
        return admin_sql::delete_category(context, blog_id, category_id);
    }
    Result<std::int64_t> create_page(const model::Page& page) override {
        auto context = admin_context();
        return admin_sql::create_page(context, page);
    }
    Status update_page(const model::Page& page) override {
        auto context = admin_context();
        return admin_sql::update_page(context, page);
    }
    Status delete_page(std::int64_t blog_id, std::int64_t page_id) override {
        auto context = admin_context();
        return admin_sql::delete_page(context, blog_id, page_id);
    }
    Result<std::int64_t> ensure_category(const model::Category& category) override {
        return category_id_for(category.blog_id, category);
    }
    Result<std::int64_t> add_media(const MediaRecord& media, std::int64_t uploaded_by) override {
        auto context = admin_context();
        return admin_sql::add_media(context, media, uploaded_by);
    }
    Result<std::int64_t> add_comment(const model::Comment& comment) override {
        auto context = admin_context();
        return comments_sql::add_comment(context, comment);
    }
    Status set_comment_status(std::int64_t blog_id, std::int64_t comment_id,
                              model::CommentStatus status) override {
        auto context = admin_context();
        return comments_sql::set_comment_status(context, blog_id, comment_id, status);
    }
    Status update_comment(std::int64_t blog_id, std::int64_t comment_id, std::string_view source,
                          std::string_view html) override {
        auto context = admin_context();
        return comments_sql::update_comment(context, blog_id, comment_id, source, html);
    }
    Status delete_comment(std::int64_t blog_id, std::int64_t comment_id) override {
        auto context = admin_context();
        return comments_sql::delete_comment(context, blog_id, comment_id);
    }
    Status set_password(std::int64_t user_id, std::string_view password_hash) override {
        auto context = admin_context();
        return admin_sql::set_password(context, user_id, password_hash);
    }
    Status remove_user(std::int64_t user_id) override {
        auto context = admin_context();
        return admin_sql::remove_user(context, user_id);
    }
    Status remove_membership(std::int64_t blog_id, std::int64_t user_id) override {
        auto context = admin_context();
        return admin_sql::remove_membership(context, blog_id, user_id);
    }
    Status create_session(std::string_view token_hash, const Session& session) override {
        auto context = admin_context();
        return admin_sql::create_session(context, token_hash, session);
    }
    Status delete_session(std::string_view token_hash) override {
        auto context = admin_context();
        return admin_sql::delete_session(context, token_hash);
    }
    Result<int> delete_sessions_of(std::int64_t user_id) override {
        auto context = admin_context();
        return admin_sql::delete_sessions_of(context, user_id);
    }
    Result<int> delete_expired_sessions(model::Instant now) override {
        auto context = admin_context();
        return admin_sql::delete_expired_sessions(context, now);
    }
    Result<std::optional<std::int64_t>> find_post_at(std::int64_t blog_id,
                                                     model::Instant published_at,
                                                     std::string_view slug,
                                                     std::string_view meta_key,
                                                     std::string_view meta_value) override {
        return import_sql::find_post_at(db_, blog_id, published_at, slug, meta_key, meta_value);
    }
    Status set_post_extras(std::int64_t blog_id, std::int64_t post_id,
                           const std::vector<std::string>& tags,
                           const std::map<std::string, std::string>& meta) override {
        auto context = admin_context();
        return import_sql::set_post_extras(context, blog_id, post_id, tags, meta);
    }
    Result<std::int64_t> add_archived_comment(const ArchivedComment& comment) override {
        auto context = admin_context();
        return import_sql::add_archived_comment(context, comment);
    }
    Status add_post_redirect(std::int64_t blog_id, std::string_view old_path,
                             std::int64_t post_id) override {
        auto context = admin_context();
        return import_sql::add_post_redirect(context, blog_id, old_path, post_id);
    }
    Result<std::optional<ArchivedPost>> archived_post(std::int64_t blog_id,
                                                      std::int64_t post_id) override {
        return import_sql::archived_post(db_, blog_id, post_id);
    }

    // Empties the search tables and indexes every published post again; every blog gets a
    // new generation. Returns how many posts were indexed.
    Result<int> rebuild_search_index() {
        // Each table is made again from its own definition: a DELETE would tokenize every
        // post's old text to take it out of the index (a third of a rebuild's time at
        // 100,000 posts).
        for (const auto& search_table : k_search_tables) {
            CARNET_TRY(definition, db_.prepare("SELECT sql FROM sqlite_schema "
                                               "WHERE type = 'table' AND name = ?1"));
            definition->bind(1, search_table.table);
            CARNET_TRY(has_definition, definition->step());
            if (!has_definition) {
                return model::fail(
                    Error::Code::database,
                    fmt::format("the search table {} is missing", search_table.table));
            }
            const auto sql = definition->column_text(0);
            definition->reset();
            CARNET_CHECK(db_.execute(fmt::format("DROP TABLE {}", search_table.table)));
            CARNET_CHECK(db_.execute(sql));
        }
        CARNET_CHECK(db_.execute("DELETE FROM search_terms"));
        int indexed = 0;
        for (const auto& [table, locale] : k_search_tables) {
            CARNET_CHECK(db_.execute(
                fmt::format("INSERT INTO {0} (rowid, title, body, blog) "
                            "SELECT p.id, p.title, carnet_search_text(p.html), p.blog_id "
                            "FROM posts p "
                            "JOIN blogs b ON b.id = p.blog_id "
                            "WHERE p.status = 'published' AND b.locale = '{1}'; "
                            // Merges the b-trees a bulk insert leaves: smaller, faster to query.
                            "INSERT INTO {0} ({0}) VALUES ('optimize');",
                            table, locale)));
            CARNET_TRY(count, db_.prepare(fmt::format("SELECT count(*) FROM {}", table)));
            CARNET_TRY(has_row, count->step());
            if (has_row) indexed += static_cast<int>(count->column_int(0));
            count->reset();
        }
        CARNET_TRY(blogs, db_.prepare("SELECT id FROM blogs"));
        while (true) {
            CARNET_TRY(has_row, blogs->step());
            if (!has_row) break;
            touched_.insert(blogs->column_int(0));
        }
        blogs->reset();
        return indexed;
    }

private:
    admin_sql::WriteContext admin_context() {
        return admin_sql::WriteContext{
            db_, touched_, [this](std::int64_t post_id) { return reindex_post(post_id); },
            [this](std::int64_t blog_id, const model::Category& category) {
                return category_id_for(blog_id, category);
            }};
    }

    // Brings the search index in line with the post as it now is in this transaction: its
    // old entry goes, and it comes back (in its blog's language) if it is published. Every
    // writer method that creates, changes or deletes a post calls it.
    Status reindex_post(std::int64_t post_id) {
        ++reindexed_posts_;
        for (const auto& [table, locale] : k_search_tables) {
            CARNET_TRY(remove, db_.prepare(fmt::format("DELETE FROM {} WHERE rowid = ?1", table)));
            remove->bind(1, post_id);
            CARNET_CHECK(remove->run());
            CARNET_TRY(insert, db_.prepare(fmt::format(
                                   "INSERT INTO {} (rowid, title, body, blog) "
                                   "SELECT p.id, p.title, carnet_search_text(p.html), p.blog_id "
                                   "FROM posts p "
                                   "JOIN blogs b ON b.id = p.blog_id "
                                   "WHERE p.id = ?1 AND p.status = 'published' AND b.locale = '{}'",
                                   table, locale)));
            insert->bind(1, post_id);
            CARNET_CHECK(insert->run());
        }
        return {};
    }

    Result<std::int64_t> category_id_for(std::int64_t blog_id, const model::Category& category) {
        if (category.name.empty()) {
            return model::fail(Error::Code::invalid_input, "a category needs a name");
        }
        const auto slug = category.slug.empty() ? model::make_slug(category.name) : category.slug;
        CARNET_TRY(insert,
                   db_.prepare("INSERT INTO categories (blog_id, name, slug) "
                               "VALUES (?1, ?2, ?3) ON CONFLICT (blog_id, slug) DO NOTHING"));
        insert->bind(1, blog_id).bind(2, category.name).bind(3, slug);
        CARNET_CHECK(insert->run());
        CARNET_TRY(select,
                   db_.prepare("SELECT id FROM categories WHERE blog_id = ?1 AND slug = ?2"));
        select->bind(1, blog_id).bind(2, slug);
        CARNET_TRY(has_row, select->step());
        if (!has_row) return model::fail(Error::Code::internal, "category vanished after insert");
        const auto id = select->column_int(0);
        select->reset();
        return id;
    }

    Connection& db_;
    std::set<std::int64_t> touched_;
    int reindexed_posts_ = 0;
};

class SqliteStore final : public Store {
public:
    SqliteStore(std::filesystem::path path, std::unique_ptr<Connection> writer,
                std::unique_ptr<Connection> poller)
        : path_(std::move(path)), writer_(std::move(writer)), poller_(std::move(poller)) {}

    Status load_generations() {
        std::scoped_lock lock(poller_mutex_);
        return reload_generations_locked();
    }

    Status write(const std::function<Status(Writer&)>& body) override {
        std::scoped_lock lock(writer_mutex_);
        CARNET_CHECK(writer_->execute("BEGIN IMMEDIATE"));
        SqliteWriter writer(*writer_);
        auto outcome = body(writer);
        std::unordered_map<std::int64_t, std::uint64_t> new_generations;
        if (outcome) outcome = bump_generations(writer.touched_blogs(), new_generations);
        if (outcome) outcome = writer.merge_search_index_after_bulk_writes();
        if (outcome) outcome = collect_new_search_terms(*writer_, true);
        if (outcome) outcome = writer_->execute("COMMIT");
        if (!outcome) {
            (void)writer_->execute("ROLLBACK");
            (void)collect_new_search_terms(*writer_, false);
            return outcome;
        }
        std::unique_lock generations_lock(generations_mutex_);
        for (const auto& [blog_id, generation] : new_generations) {
            generations_[blog_id] = generation;
        }
        return {};
    }

    Result<std::vector<model::Blog>> list_blogs() override {
        auto reader = acquire_reader();
        if (!reader) return std::unexpected(reader.error());
        return load_blogs(**reader, std::nullopt);
    }

    Result<std::optional<model::Blog>> find_blog(std::int64_t blog_id) override {
        auto reader = acquire_reader();
        if (!reader) return std::unexpected(reader.error());
        CARNET_TRY(blogs, load_blogs(**reader, blog_id));
        if (blogs.empty()) return std::optional<model::Blog>();
        return std::optional<model::Blog>(std::move(blogs.front()));
    }

    std::uint64_t generation(std::int64_t blog_id) const override {
        std::shared_lock lock(generations_mutex_);
        auto found = generations_.find(blog_id);
        return found == generations_.end() ? 0 : found->second;
    }

    Status poll_external_changes() override {
        std::scoped_lock lock(poller_mutex_);
        CARNET_TRY(statement, poller_->prepare("PRAGMA data_version"));
        CARNET_TRY(has_row, statement->step());
        const auto version = has_row ? statement->column_int(0) : 0;
        statement->reset();
        if (version == last_data_version_) return {};
        last_data_version_ = version;
        return reload_generations_locked();
    }

    Result<PostList> published_posts(std::int64_t blog_id, const PostQuery& query) override {
        auto reader = acquire_reader();
        if (!reader) return std::unexpected(reader.error());
        Connection& db = **reader;

        std::string filter = "p.blog_id = ?1 AND p.status = 'published'";
        std::string local_from;
        std::string local_to;
        if (query.year) {
            // published_local is 'YYYY-MM-DD HH:MM:SS': a date prefix selects a period, and
            // '~' sorts after every character that can follow the prefix.
            local_from = fmt::format("{:04}", *query.year);
            if (query.month) local_from += fmt::format("-{:02}", *query.month);
            if (query.month && query.day) local_from += fmt::format("-{:02}", *query.day);
            local_to = local_from + "~";
            filter += " AND p.published_local >= ?2 AND p.published_local < ?3";
        }
        if (query.category_id) {
            filter += " AND p.id IN (SELECT post_id FROM post_categories WHERE category_id = ?4)";
        }

        PostList list;
        {
            CARNET_TRY(count,
                       db.prepare(fmt::format("SELECT count(*) FROM posts p WHERE {}", filter)));
            bind_filter(*count, blog_id, query, local_from, local_to);
            CARNET_TRY(has_row, count->step());
            list.total = has_row ? static_cast<int>(count->column_int(0)) : 0;
            count->reset();
        }
        CARNET_TRY(
            select,
            db.prepare(fmt::format(
                "SELECT {} FROM posts p WHERE {} "
                "ORDER BY p.published_at DESC, p.id DESC LIMIT ?5 OFFSET ?6",
                query.with_body ? k_post_columns_with_body : k_post_columns_without_body, filter)));
        bind_filter(*select, blog_id, query, local_from, local_to);
        select->bind(5, std::max(0, query.limit)).bind(6, std::max(0, query.offset));
        while (true) {
            CARNET_TRY(has_row, select->step());
            if (!has_row) break;
            list.posts.push_back(read_post(*select));
        }
        select->reset();
        for (auto& post : list.posts) CARNET_CHECK(load_categories(db, post));
        return list;
    }

    Result<std::optional<model::Post>> find_published_post(std::int64_t blog_id,
                                                           std::string_view slug) override {
        auto reader = acquire_reader();
        if (!reader) return std::unexpected(reader.error());
        return find_post(**reader, blog_id, slug, true);
    }

    Result<std::optional<model::Category>> find_category(std::int64_t blog_id,
                                                         std::string_view slug) override {
        auto reader = acquire_reader();
        if (!reader) return std::unexpected(reader.error());
        CARNET_TRY(statement,
                   (*reader)->prepare(
                       "SELECT c.id, c.name, c.slug, (SELECT count(*) FROM post_categories pc "
                       "JOIN posts p ON p.id = pc.post_id AND p.status = 'published' "
                       "WHERE pc.category_id = c.id) FROM categories c "
                       "WHERE c.blog_id = ?1 AND c.slug = ?2"));
        statement->bind(1, blog_id).bind(2, slug);
        CARNET_TRY(has_row, statement->step());
        if (!has_row) return std::optional<model::Category>();
        model::Category category{statement->column_int(0), blog_id, statement->column_text(1),
                                 statement->column_text(2),
                                 static_cast<int>(statement->column_int(3))};
        statement->reset();
        return std::optional<model::Category>(std::move(category));
    }

    Result<std::vector<model::Category>> categories_with_counts(std::int64_t blog_id) override {
        auto reader = acquire_reader();
        if (!reader) return std::unexpected(reader.error());
        CARNET_TRY(statement, (*reader)->prepare(
                                  // Counting from the posts side reads only covering indexes, never
                                  // the rows that hold the post bodies.
                                  "SELECT c.id, c.name, c.slug, counts.n FROM "
                                  "(SELECT pc.category_id AS id, count(*) AS n FROM posts p "
                                  "JOIN post_categories pc ON pc.post_id = p.id "
                                  "WHERE p.blog_id = ?1 AND p.status = 'published' "
                                  "GROUP BY pc.category_id) counts "
                                  "JOIN categories c ON c.id = counts.id ORDER BY c.slug"));
        statement->bind(1, blog_id);
        std::vector<model::Category> categories;
        while (true) {
            CARNET_TRY(has_row, statement->step());
            if (!has_row) break;
            categories.push_back(model::Category{
                statement->column_int(0), blog_id, statement->column_text(1),
                statement->column_text(2), static_cast<int>(statement->column_int(3))});
        }
        statement->reset();
        return categories;
    }

    Result<std::vector<model::MonthCount>> months_with_counts(std::int64_t blog_id) override {
        auto reader = acquire_reader();
        if (!reader) return std::unexpected(reader.error());
        CARNET_TRY(statement, (*reader)->prepare(
                                  "SELECT CAST(substr(published_local, 1, 4) AS INTEGER) AS y, "
                                  "CAST(substr(published_local, 6, 2) AS INTEGER) AS m, count(*) "
                                  "FROM posts WHERE blog_id = ?1 AND status = 'published' "
                                  "GROUP BY y, m ORDER BY y DESC, m DESC"));
        statement->bind(1, blog_id);
        std::vector<model::MonthCount> months;
        while (true) {
            CARNET_TRY(has_row, statement->step());
            if (!has_row) break;
            months.push_back(model::MonthCount{static_cast<int>(statement->column_int(0)),
                                               static_cast<int>(statement->column_int(1)),
                                               static_cast<int>(statement->column_int(2))});
        }
        statement->reset();
        return months;
    }

    Result<std::optional<model::User>> find_user_by_email(std::string_view email) override {
        auto reader = acquire_reader();
        if (!reader) return std::unexpected(reader.error());
        return rows::find_user(**reader, email);
    }

    Result<SearchResults> search(std::int64_t blog_id, const SearchQuery& query) override {
        SearchResults results;
        auto reader = acquire_reader();
        if (!reader) return std::unexpected(reader.error());
        Connection& db = **reader;

        // The blog's language names its table. Most databases hold one blog per language:
        // only when another blog shares the table does the match need the blog filter.
        CARNET_TRY(blog_query, db.prepare("SELECT b.locale, EXISTS (SELECT 1 FROM blogs o "
                                          "WHERE o.locale = b.locale AND o.id <> b.id) "
                                          "FROM blogs b WHERE b.id = ?1"));
        blog_query->bind(1, blog_id);
        CARNET_TRY(has_blog, blog_query->step());
        const auto locale = has_blog ? blog_query->column_text(0) : std::string();
        const bool shared_table = has_blog && blog_query->column_int(1) != 0;
        blog_query->reset();
        const SearchTable* found_table = nullptr;
        for (const auto& candidate : k_search_tables) {
            if (candidate.locale == locale) found_table = &candidate;
        }
        if (found_table == nullptr) return results;
        const auto table = found_table->table;

        // Only quoted words reach MATCH: a reader's text is never FTS5 syntax.
        const auto expand = [&](std::string_view prefix) {
            return tokens_beginning_with(db, found_table->locale, prefix);
        };
        const auto words = search::match_query_from_reader_text(query.text, expand);
        if (!words) return results;

        // The reader's words search the title and the body, never the blog column.
        const auto words_match = fmt::format("{{title body}} : ({})", words->expression);
        const auto match =
            shared_table ? fmt::format("{} AND blog : \"{}\"", words_match, blog_id) : words_match;
        const int offset = std::max(0, query.offset);
        CARNET_TRY(page, page_of_matches(db, table, match, search::rank_groups(words->phrase_terms),
                                         offset, query.limit));
        results.total = page.total;
        results.more = page.more;

        // Only the page's posts are read, and only their passages highlighted.
        CARNET_TRY(post_query, db.prepare(fmt::format("SELECT {} FROM posts p WHERE p.id = ?1 AND "
                                                      "p.blog_id = ?2 AND p.status = 'published'",
                                                      k_post_columns_without_body)));
        CARNET_TRY(passage_query,
                   db.prepare(fmt::format("SELECT carnet_passage({0}, 1, ?2, ?3, '…', 24) FROM {0} "
                                          "WHERE {0} MATCH ?1 AND rowid = ?4",
                                          table)));
        for (const auto post_id : page.ids) {
            post_query->reset();
            post_query->bind(1, post_id).bind(2, blog_id);
            CARNET_TRY(has_post, post_query->step());
            if (!has_post) continue;  // the index is current in every transaction: defensive
            SearchHit hit{read_post(*post_query), {}, {}};
            post_query->reset();
            passage_query->reset();
            passage_query->bind(1, words_match)
                .bind(2, search::k_match_start)
                .bind(3, search::k_match_end)
                .bind(4, post_id);
            CARNET_TRY(has_passage, passage_query->step());
            if (has_passage) {
                search::read_marked_passage(passage_query->column_text(0), hit.passage,
                                            hit.matches);
            }
            passage_query->reset();
            CARNET_CHECK(load_categories(db, hit.post));
            results.hits.push_back(std::move(hit));
        }
        return results;
    }

    Status rebuild_search_index() override {
        return write([](Writer& writer) -> Status {
            // `write` always hands its own SqliteWriter to the body.
            auto indexed = static_cast<SqliteWriter&>(writer).rebuild_search_index();
            if (!indexed) return std::unexpected(indexed.error());
            return {};
        });
    }

    Result<std::optional<model::Role>> role_of(std::int64_t blog_id,
                                               std::int64_t user_id) override {
        auto reader = acquire_reader();
        if (!reader) return std::unexpected(reader.error());
        CARNET_TRY(statement, (*reader)->prepare("SELECT role FROM memberships "
                                                 "WHERE blog_id = ?1 AND user_id = ?2"));
        statement->bind(1, blog_id).bind(2, user_id);
        CARNET_TRY(has_row, statement->step());
        if (!has_row) return std::optional<model::Role>();
        auto role = model::parse_role(statement->column_text(0));
        statement->reset();
        return role;
    }

    Result<std::optional<Login>> find_login(std::string_view email) override {
        return read([&](Connection& db) { return admin_sql::find_login(db, email); });
    }
    Result<std::optional<model::User>> find_user(std::int64_t user_id) override {
        return read([&](Connection& db) { return admin_sql::find_user(db, user_id); });
    }
    Result<std::vector<UserSummary>> list_users() override {
        return read([&](Connection& db) { return admin_sql::list_users(db); });
    }
    Result<std::vector<Membership>> memberships_of(std::int64_t user_id) override {
        return read([&](Connection& db) { return admin_sql::memberships_of(db, user_id); });
    }
    Result<std::optional<Session>> find_session(std::string_view token_hash,
                                                model::Instant now) override {
        return read([&](Connection& db) { return admin_sql::find_session(db, token_hash, now); });
    }
    Result<PostList> admin_posts(std::int64_t blog_id, const AdminPostQuery& query) override {
        return read([&](Connection& db) { return admin_sql::admin_posts(db, blog_id, query); });
    }
    Result<std::optional<model::Post>> find_post_by_id(std::int64_t blog_id,
                                                       std::int64_t post_id) override {
        return read([&](Connection& db) { return rows::find_post_by_id(db, blog_id, post_id); });
    }
    Result<std::vector<Revision>> revisions(std::int64_t blog_id, std::int64_t post_id) override {
        return read([&](Connection& db) { return admin_sql::revisions(db, blog_id, post_id); });
    }
    Result<std::optional<Revision>> find_revision(std::int64_t blog_id,
                                                  std::int64_t revision_id) override {
        return read(
            [&](Connection& db) { return admin_sql::find_revision(db, blog_id, revision_id); });
    }
    Result<BlogCounts> counts(std::int64_t blog_id) override {
        return read([&](Connection& db) { return admin_sql::counts(db, blog_id); });
    }
    Result<std::vector<model::Category>> all_categories(std::int64_t blog_id) override {
        return read([&](Connection& db) { return admin_sql::all_categories(db, blog_id); });
    }
    Result<std::optional<model::Post>> find_post_redirect(std::int64_t blog_id,
                                                          std::string_view old_path) override {
        return read(
            [&](Connection& db) { return admin_sql::find_post_redirect(db, blog_id, old_path); });
    }
    Result<std::vector<std::string>> post_redirect_paths(std::int64_t blog_id) override {
        return read([&](Connection& db) { return admin_sql::post_redirect_paths(db, blog_id); });
    }
    Result<std::optional<model::Category>> find_category_redirect(
        std::int64_t blog_id, std::string_view old_slug) override {
        return read([&](Connection& db) {
            return admin_sql::find_category_redirect(db, blog_id, old_slug);
        });
    }
    Result<std::vector<model::Page>> pages(std::int64_t blog_id, bool published_only) override {
        return read([&](Connection& db) { return admin_sql::pages(db, blog_id, published_only); });
    }
    Result<std::optional<model::Page>> find_page_by_id(std::int64_t blog_id,
                                                       std::int64_t page_id) override {
        return read(
            [&](Connection& db) { return admin_sql::find_page_by_id(db, blog_id, page_id); });
    }
    Result<std::optional<model::Page>> find_published_page(std::int64_t blog_id,
                                                           std::string_view slug) override {
        return read(
            [&](Connection& db) { return admin_sql::find_published_page(db, blog_id, slug); });
    }
    Result<std::vector<model::Comment>> approved_comments(std::int64_t blog_id,
                                                          std::int64_t post_id) override {
        return read(
            [&](Connection& db) { return comments_sql::approved_comments(db, blog_id, post_id); });
    }
    Result<CommentList> comments(std::int64_t blog_id, const CommentQuery& query) override {
        return read([&](Connection& db) { return comments_sql::comments(db, blog_id, query); });
    }
    Result<std::optional<model::Comment>> find_comment(std::int64_t blog_id,
                                                       std::int64_t comment_id) override {
        return read(
            [&](Connection& db) { return comments_sql::find_comment(db, blog_id, comment_id); });
    }
    Result<bool> has_approved_comment_from(std::int64_t blog_id, std::string_view name,
                                           std::string_view email) override {
        return read([&](Connection& db) {
            return comments_sql::has_approved_comment_from(db, blog_id, name, email);
        });
    }
    Result<std::vector<MediaRecord>> media(std::int64_t blog_id, int offset, int limit) override {
        return read([&](Connection& db) { return admin_sql::media(db, blog_id, offset, limit); });
    }
    Result<std::optional<MediaRecord>> find_media(std::int64_t blog_id,
                                                  std::string_view file_name) override {
        return read([&](Connection& db) { return admin_sql::find_media(db, blog_id, file_name); });
    }
    Result<std::vector<ArchivedPost>> archived_posts(std::int64_t blog_id) override {
        return read([&](Connection& db) { return import_sql::archived_posts(db, blog_id); });
    }

private:
    // Runs `query` on a read connection borrowed from the pool.
    template <typename Query>
    auto read(Query&& query) -> decltype(query(std::declval<Connection&>())) {
        auto reader = acquire_reader();
        if (!reader) return std::unexpected(reader.error());
        return query(**reader);
    }

    // The tokens search_terms lists that begin with `prefix`; std::nullopt when more than
    // k_max_prefix_expansion do, or when the lookup fails: FTS5 then searches the prefix
    // itself, slower but with the same result.
    std::optional<std::vector<std::string>> tokens_beginning_with(Connection& db,
                                                                  std::string_view locale,
                                                                  std::string_view prefix) {
        auto lookup = db.prepare(
            "SELECT term FROM search_terms WHERE locale = ?1 AND term >= ?2 AND term < ?2 || ?3 "
            "ORDER BY term LIMIT ?4");
        if (!lookup) return std::nullopt;
        // ?3 sorts after every character a token may hold after the prefix.
        (*lookup)
            ->bind(1, locale)
            .bind(2, prefix)
            .bind(3, "\xF4\x8F\xBF\xBF")
            .bind(4, static_cast<std::int64_t>(search::k_max_prefix_expansion) + 1);
        std::vector<std::string> tokens;
        while (true) {
            auto has_row = (*lookup)->step();
            if (!has_row) return std::nullopt;
            if (!*has_row) break;
            tokens.push_back((*lookup)->column_text(0));
        }
        (*lookup)->reset();
        if (tokens.size() > search::k_max_prefix_expansion) return std::nullopt;
        return tokens;
    }

    struct MatchPage {
        int total = 0;      // how many posts the search lists, on every page
        bool more = false;  // more match than that
        std::vector<std::int64_t> ids;
    };

    // The posts on one page of a search's results, and how many it lists.
    //
    // Ranking costs a few microseconds per match (its bm25 score reads the match's positions
    // and the length of its post), and merely counting a word that most posts hold walks
    // tens of thousands of rows at 100,000 posts. The search lists the newest
    // k_search_result_limit matches, ranked by relevance: the match is walked once, newest
    // first, ranking as it goes, and stops one row past the limit. For a word that common,
    // relevance barely tells posts apart (bm25 weighs a word in more than half the posts as
    // nearly nothing) and, on a blog of news, the newest are what the reader is after.
    Result<MatchPage> page_of_matches(Connection& db, std::string_view table,
                                      const std::string& match, const std::string& groups,
                                      int offset, int limit) {
        MatchPage page;
        // The rowid range lets carnet_rank estimate how many posts hold a very common word
        // without counting them all.
        CARNET_TRY(range,
                   db.prepare(fmt::format("SELECT (SELECT rowid FROM {0} ORDER BY rowid LIMIT 1), "
                                          "(SELECT rowid FROM {0} ORDER BY rowid DESC LIMIT 1)",
                                          table)));
        CARNET_TRY(has_range, range->step());
        const auto first_rowid = has_range ? range->column_int(0) : 0;
        const auto last_rowid = has_range ? range->column_int(1) : 0;
        range->reset();
        const auto rank = fmt::format("carnet_rank({}, {}, '{}', {}, {})", k_title_weight,
                                      k_body_weight, groups, first_rowid, last_rowid);

        struct Candidate {
            std::int64_t id;
            double score;  // lower is better, as FTS5's rank
        };
        std::vector<Candidate> newest;
        CARNET_TRY(ranked, db.prepare(fmt::format("SELECT rowid, rank FROM {0} WHERE {0} MATCH ?1 "
                                                  "AND rank MATCH ?2 ORDER BY rowid DESC",
                                                  table)));
        ranked->bind(1, match).bind(2, rank);
        // One past the limit tells whether there are more; the walk stops there, so even a
        // word in every post costs a thousand rows.
        while (newest.size() <= static_cast<std::size_t>(k_search_result_limit)) {
            CARNET_TRY(has_row, ranked->step());
            if (!has_row) break;
            newest.push_back({ranked->column_int(0), sqlite3_column_double(ranked->get(), 1)});
        }
        ranked->reset();
        page.more = newest.size() > static_cast<std::size_t>(k_search_result_limit);
        if (page.more) newest.pop_back();
        page.total = static_cast<int>(newest.size());
        if (limit <= 0 || offset >= page.total) return page;

        // As ORDER BY rank, rowid DESC would.
        std::sort(newest.begin(), newest.end(), [](const Candidate& a, const Candidate& b) {
            return a.score < b.score || (a.score == b.score && a.id > b.id);
        });
        const auto end = std::min<std::int64_t>(std::int64_t{offset} + limit,
                                                static_cast<std::int64_t>(newest.size()));
        for (std::int64_t i = offset; i < end; ++i) {
            page.ids.push_back(newest[static_cast<std::size_t>(i)].id);
        }
        return page;
    }

    // A read connection borrowed from the pool for the length of one call, and given back
    // when it goes out of scope.
    class Reader {
    public:
        Reader(SqliteStore& store, std::unique_ptr<Connection> connection)
            : store_(&store), connection_(std::move(connection)) {}
        Reader(Reader&&) = default;
        Reader& operator=(Reader&&) = delete;
        ~Reader() {
            if (connection_) store_->release_reader(std::move(connection_));
        }
        Connection& operator*() const { return *connection_; }
        Connection* operator->() const { return connection_.get(); }

    private:
        SqliteStore* store_;
        std::unique_ptr<Connection> connection_;
    };

    Result<Reader> acquire_reader() {
        {
            std::scoped_lock lock(pool_mutex_);
            if (!idle_readers_.empty()) {
                auto connection = std::move(idle_readers_.back());
                idle_readers_.pop_back();
                return Reader(*this, std::move(connection));
            }
        }
        auto opened = Connection::open(path_, false);
        if (!opened) return std::unexpected(opened.error());
        // Readers keep their sorts in memory. The writer does not: a statement that rewrites
        // the search tables (a migration, a rebuild) journals every page it reuses, which
        // at 100,000 posts held 2 GiB of memory; on file, SQLite keeps it in memory only
        // while it is small.
        auto query_only = (*opened)->execute("PRAGMA query_only = ON; PRAGMA temp_store = MEMORY");
        if (!query_only) return std::unexpected(query_only.error());
        return Reader(*this, std::move(*opened));
    }

    void release_reader(std::unique_ptr<Connection> connection) {
        std::scoped_lock lock(pool_mutex_);
        idle_readers_.push_back(std::move(connection));
    }

    static void bind_filter(Statement& statement, std::int64_t blog_id, const PostQuery& query,
                            const std::string& local_from, const std::string& local_to) {
        statement.bind(1, blog_id);
        if (query.year) statement.bind(2, local_from).bind(3, local_to);
        if (query.category_id) statement.bind(4, *query.category_id);
    }

    Status bump_generations(const std::set<std::int64_t>& blogs,
                            std::unordered_map<std::int64_t, std::uint64_t>& new_generations) {
        CARNET_TRY(bump, writer_->prepare("UPDATE blogs SET generation = generation + 1 "
                                          "WHERE id = ?1 RETURNING generation"));
        for (auto blog_id : blogs) {
            bump->reset();
            bump->bind(1, blog_id);
            CARNET_TRY(has_row, bump->step());
            if (has_row) new_generations[blog_id] = static_cast<std::uint64_t>(bump->column_int(0));
            CARNET_TRY(done, bump->step());
            (void)done;
        }
        bump->reset();
        return {};
    }

    Status reload_generations_locked() {
        CARNET_TRY(statement, poller_->prepare("SELECT id, generation FROM blogs"));
        std::unordered_map<std::int64_t, std::uint64_t> loaded;
        while (true) {
            CARNET_TRY(has_row, statement->step());
            if (!has_row) break;
            loaded[statement->column_int(0)] = static_cast<std::uint64_t>(statement->column_int(1));
        }
        statement->reset();
        std::unique_lock lock(generations_mutex_);
        generations_ = std::move(loaded);
        return {};
    }

    std::filesystem::path path_;

    std::mutex writer_mutex_;
    std::unique_ptr<Connection> writer_;

    std::mutex poller_mutex_;
    std::unique_ptr<Connection> poller_;
    std::int64_t last_data_version_ = -1;

    mutable std::shared_mutex generations_mutex_;
    std::unordered_map<std::int64_t, std::uint64_t> generations_;

    std::mutex pool_mutex_;
    std::vector<std::unique_ptr<Connection>> idle_readers_;
};

Status migrate(Connection& db) {
    CARNET_CHECK(
        db.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                   "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"));
    for (const auto& migration : k_sqlite_migrations) {
        CARNET_CHECK(db.execute("BEGIN IMMEDIATE"));
        auto applied = [&]() -> Status {
            CARNET_TRY(check, db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?1"));
            check->bind(1, migration.version);
            CARNET_TRY(done_before, check->step());
            check->reset();
            if (done_before) return {};
            CARNET_CHECK(db.execute(migration.sql));
            CARNET_TRY(record, db.prepare("INSERT INTO schema_migrations (version, applied_at) "
                                          "VALUES (?1, ?2)"));
            record->bind(1, migration.version).bind(2, now_seconds());
            return record->run();
        }();
        if (!applied) {
            (void)db.execute("ROLLBACK");
            return model::fail(
                Error::Code::database,
                fmt::format("migration {} failed: {}", migration.version, applied.error().message));
        }
        CARNET_CHECK(db.execute("COMMIT"));
    }
    return {};
}

// Refuses a file that is a SQLite database of something else, or a newer carnet's.
Status check_schema_is_ours(Connection& db) {
    CARNET_TRY(tables, db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%'"));
    CARNET_TRY(has_row, tables->step());
    const auto table_count = has_row ? tables->column_int(0) : 0;
    tables->reset();
    if (table_count == 0) return {};
    CARNET_TRY(ours, db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                "AND name = 'schema_migrations'"));
    CARNET_TRY(ours_row, ours->step());
    const bool has_migrations = ours_row && ours->column_int(0) == 1;
    ours->reset();
    if (!has_migrations) {
        return model::fail(Error::Code::invalid_input, "this database was not made by carnet");
    }
    CARNET_TRY(newest, db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations"));
    CARNET_TRY(newest_row, newest->step());
    const auto version = newest_row ? newest->column_int(0) : 0;
    newest->reset();
    if (version > k_sqlite_migrations.back().version) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("this database has schema version {}, newer than this "
                                       "carnet knows ({})",
                                       version, k_sqlite_migrations.back().version));
    }
    return {};
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path, OpenMode mode) {
    std::error_code error;
    const bool exists = std::filesystem::exists(path, error);
    if (!exists && mode == OpenMode::must_exist) {
        return model::fail(
            Error::Code::not_found,
            fmt::format("no database at {} (create one with `carnet init`)", path.string()));
    }
    CARNET_TRY(writer, Connection::open(path, mode == OpenMode::create_if_missing));
    if (auto header_check = writer->execute("SELECT count(*) FROM sqlite_schema"); !header_check) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("{} is not a SQLite database: {}", path.string(),
                                       header_check.error().message));
    }
    CARNET_CHECK(check_schema_is_ours(*writer));
    CARNET_CHECK(writer->execute("PRAGMA journal_mode = WAL"));
    CARNET_CHECK(migrate(*writer));
    // A migration that indexed posts listed their long tokens too (one statement, so one
    // transaction).
    CARNET_CHECK(collect_new_search_terms(*writer, true));
    CARNET_TRY(poller, Connection::open(path, false));
    auto store = std::make_unique<SqliteStore>(path, std::move(writer), std::move(poller));
    CARNET_CHECK(store->load_generations());
    CARNET_CHECK(store->poll_external_changes());
    return std::unique_ptr<Store>(std::move(store));
}

}  // namespace carnet::store
