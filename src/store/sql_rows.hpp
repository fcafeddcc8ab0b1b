// Pieces both backends' store files share: the error-propagation macros, the columns of a post
// and how a row becomes a model value. Each function that reads or writes works on either
// backend's Connection and Statement (sql_backend.hpp), instantiated in sql_rows.cpp for both.
// Private to the store.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"
#include "store/sql_backend.hpp"
#include "store/try.hpp"

namespace carnet::store::rows {

using model::Result;
using model::Status;

inline std::int64_t seconds_of(model::Instant instant) {
    return static_cast<std::int64_t>(instant.time_since_epoch().count());
}
inline model::Instant instant_of(std::int64_t seconds) {
    return model::Instant{std::chrono::seconds{seconds}};
}

// 'YYYY-MM-DD HH:MM:SS', the form of posts.published_local.
std::string local_text(const model::LocalDateTime& local);

// The 13 columns read_post reads, from `posts p`.
inline constexpr std::string_view k_post_columns_with_body =
    "p.id, p.blog_id, p.status, p.title, p.slug, p.source_format, p.source, p.html, p.excerpt, "
    "p.published_at, p.updated_at, p.comments_open, "
    "(SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'approved')";
inline constexpr std::string_view k_post_columns_without_body =
    "p.id, p.blog_id, p.status, p.title, p.slug, p.source_format, '', '', '', "
    "p.published_at, p.updated_at, p.comments_open, "
    "(SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'approved')";

template <typename Statement>
model::Post read_post(const Statement& row);
template <typename Connection>
[[nodiscard]] Status load_categories(Connection& db, model::Post& post);
// The categories of every post of a list, in a query per k_category_batch posts rather than
// one per post (a listing page's ten queries were a tenth of its render).
inline constexpr std::size_t k_category_batch = 32;
template <typename Connection>
[[nodiscard]] Status load_categories(Connection& db, std::span<model::Post> posts);

// A post of the blog by slug or by id, with its categories and author.
template <typename Connection>
[[nodiscard]] Result<std::optional<model::Post>> find_post(Connection& db, std::int64_t blog_id,
                                                           std::string_view slug,
                                                           bool published_only);
template <typename Connection>
[[nodiscard]] Result<std::optional<model::Post>> find_post_by_id(Connection& db,
                                                                 std::int64_t blog_id,
                                                                 std::int64_t post_id);

template <typename Connection>
[[nodiscard]] Result<std::optional<model::User>> find_user(Connection& db, std::string_view email);

// A blog's generation, which every write to it moves, or its contents generation, which
// only what its pages list moves; 0 when there is no such blog.
enum class BlogClock { generation, contents };
template <typename Connection>
[[nodiscard]] Result<std::uint64_t> blog_generation(Connection& db, std::int64_t blog_id,
                                                    BlogClock clock);

// Refuses settings a blog cannot have (no title, unknown locale or time zone, ...).
[[nodiscard]] Status check_blog_settings(const model::Blog& blog);

// Every blog, or only the one asked for, with its hosts.
template <typename Connection>
[[nodiscard]] Result<std::vector<model::Blog>> load_blogs(Connection& db,
                                                          std::optional<std::int64_t> only);

// --- Shared by the concerns' SQL.

using model::Error;

// Steps through every row of `statement`, handing each to `read`, and resets it.
template <typename Statement, typename Read>
[[nodiscard]] Status for_each_row(Statement& statement, Read&& read) {
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

template <typename Connection>
int changes(Connection& db) {
    return db.changes();
}

inline std::unexpected<Error> not_found(std::string_view what, std::int64_t id) {
    return model::fail(Error::Code::not_found, fmt::format("no {} {} in this blog", what, id));
}

template <typename Connection>
[[nodiscard]] Result<model::Blog> blog_of(Connection& db, std::int64_t blog_id) {
    CARNET_TRY(blogs, load_blogs(db, blog_id));
    if (blogs.empty())
        return model::fail(Error::Code::not_found, fmt::format("no blog {}", blog_id));
    return std::move(blogs.front());
}

template <typename Connection>
[[nodiscard]] Result<bool> exists(Connection& db, std::string_view sql, std::int64_t blog_id,
                                  std::int64_t id) {
    CARNET_TRY(statement, db.prepare(sql));
    statement->bind(1, blog_id).bind(2, id);
    CARNET_TRY(has_row, statement->step());
    statement->reset();
    return has_row;
}

inline std::string join_lines(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += '\n';
        out += item;
    }
    return out;
}

inline std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> items;
    while (!text.empty()) {
        const auto end = text.find('\n');
        items.emplace_back(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return items;
}

[[nodiscard]] inline Status check_page(const model::Page& page) {
    if (page.title.empty()) return model::fail(Error::Code::invalid_input, "a page needs a title");
    // /index.html is the home page's other name on many servers.
    if (page.slug == "index") {
        return model::fail(Error::Code::invalid_input, "the slug index is kept for the home page");
    }
    return {};
}

[[nodiscard]] inline Status check_slug(std::string_view slug) {
    if (slug.empty()) return {};
    if (model::make_slug(slug) != slug) {
        return model::fail(
            Error::Code::invalid_input,
            fmt::format("{} is not a slug (lower-case letters, digits and -)", slug));
    }
    return {};
}

}  // namespace carnet::store::rows
