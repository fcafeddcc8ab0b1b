// The value types every other module speaks in: blogs, users, posts, categories; slugs;
// instants in UTC and their reading in a blog's time zone; the public paths of pages.
// Includes only the ground floor (text).
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/error.hpp"

namespace carnet::model {

// The error type lives on the ground floor (text/error.hpp); the model speaks it under its
// usual names.
using carnet::Error;
using carnet::fail;
using carnet::Result;
using carnet::Status;

using Instant = std::chrono::sys_seconds;  // always UTC

// Who may comment and whose comments wait for a moderator.
enum class CommentPolicy {
    open,        // every comment is shown at once (the spam rules still apply)
    first_held,  // a commenter's first comment waits; once one is approved, the next ones pass
    all_held,    // every comment waits for a moderator
    closed,      // no new comments
};
std::string_view to_string(CommentPolicy policy);
std::optional<CommentPolicy> parse_comment_policy(std::string_view text);

struct Blog {
    std::int64_t id = 0;
    std::vector<std::string> hosts;  // the first one is canonical
    // Where readers reach the blog, "https://blog.example.org" (no trailing slash), for the
    // absolute links of feeds, sitemaps and share links. Empty: taken from each request.
    std::string base_url;
    std::string title;
    std::string subtitle;
    std::string locale = "fr";  // "fr" or "en"
    std::string time_zone = "Europe/Paris";
    std::string theme = "classique";
    int posts_per_page = 10;
    CommentPolicy comment_policy = CommentPolicy::open;
    // Comments close this many days after a post's publication; 0 keeps them open.
    int close_comments_after_days = 0;
    // A Follow from the fediverse waits for the owner's approval instead of being accepted.
    bool approve_followers = false;

    bool operator==(const Blog&) const = default;
};

// The blog that answers requests for `host` (lower case, without port): the one naming it,
// else the blog without host names (it answers every host no other blog claims), else the
// only blog there is; null when none does.
const Blog* blog_for_host(const std::vector<Blog>& blogs, std::string_view host);

enum class Role { owner, editor, author, moderator };
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

// Who may do what in a blog, for every door into it (the admin, the APIs). Owners do
// everything; editors everything but the blog's settings; authors write (their own posts)
// and upload; moderators moderate comments and write nothing.
enum class Permission { any_role, write_posts, edit_all, configure, moderate };
bool allows(Role role, Permission permission);

struct User {
    std::int64_t id = 0;
    std::string email;
    std::string name;
};

struct Category {
    std::int64_t id = 0;
    std::int64_t blog_id = 0;
    std::string name;
    std::string slug;
    int post_count = 0;  // published posts, when the query that made it counts them
};

enum class PostStatus { draft, scheduled, published, trash };
std::string_view to_string(PostStatus status);
std::optional<PostStatus> parse_post_status(std::string_view text);
// The post_status WordPress writes for it ("publish", "future", "draft", "trash"), which its
// exports and its XML-RPC clients speak.
std::string_view wordpress_status(PostStatus status);

enum class SourceFormat { markdown, html };
std::string_view to_string(SourceFormat format);
std::optional<SourceFormat> parse_source_format(std::string_view text);

struct Post {
    std::int64_t id = 0;
    std::int64_t blog_id = 0;
    PostStatus status = PostStatus::draft;
    std::string title;
    std::string slug;
    SourceFormat source_format = SourceFormat::markdown;
    std::string source;
    std::string html;  // rendered from source, safe to put on a page
    std::string excerpt;
    Instant published_at{};
    Instant updated_at{};
    bool comments_open = true;
    // Overrides the blog's comment policy for this post; unset follows the blog.
    std::optional<CommentPolicy> comment_policy;
    std::int64_t author_id = 0;        // 0: no author (imported, or the account was removed)
    int comment_count = 0;             // approved comments
    std::vector<Category> categories;  // in the order the writer gave them
};

// True when a user of `role` may change or delete `post`: an author only their own.
bool may_edit_post(Role role, std::int64_t user_id, const Post& post);

enum class CommentStatus { pending, approved, spam, trash };
std::string_view to_string(CommentStatus status);
std::optional<CommentStatus> parse_comment_status(std::string_view text);

// What a reader wrote under a post. `html` is rendered from `source` by the comment
// renderer (no raw HTML, safe links only); `author_email` is never shown.
struct Comment {
    std::int64_t id = 0;
    std::int64_t blog_id = 0;
    std::int64_t post_id = 0;
    std::int64_t parent_id = 0;  // 0: not a reply
    std::string author_name;
    std::string author_email;
    std::string author_url;     // already checked: http, https or empty
    std::string author_handle;  // user@host for a reply from the fediverse, "" otherwise
    std::string source;
    std::string html;
    CommentStatus status = CommentStatus::pending;
    Instant created_at{};
    std::string client_hash;  // a hash of the client's address, for rate limits and history
    std::string post_title;   // filled by listings for moderators
};

// A static page (about, contact): outside the flow of dated posts and the feeds, listed in
// the sidebar in `position` order, at /<slug>.html.
struct Page {
    std::int64_t id = 0;
    std::int64_t blog_id = 0;
    bool published = false;
    std::string title;
    std::string slug;
    std::string source;  // Markdown
    std::string html;    // rendered from source
    int position = 0;
    Instant updated_at{};
};

// Months that have published posts, for the archive list.
struct MonthCount {
    int year = 0;
    int month = 0;  // 1..12
    int post_count = 0;
};

// A wall-clock reading in some time zone, with no zone attached.
struct LocalDateTime {
    int year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..31
    int hour = 0;
    int minute = 0;
    int second = 0;
    bool operator==(const LocalDateTime&) const = default;
};

// Makes a URL slug from a title: transliterated to ASCII (ICU), lower case, runs of
// anything else than letters and digits turned into one '-', no '-' at either end, at most
// `max_length` bytes cut at a word boundary. Never empty: "post" when nothing is left.
std::string make_slug(std::string_view title, std::size_t max_length = 120);

// True if `zone` is a time zone ICU knows ("Europe/Paris").
bool is_known_time_zone(std::string_view zone);

// The wall clock in `zone` at `instant`.
[[nodiscard]] Result<LocalDateTime> to_local(Instant instant, std::string_view zone);

// The instant a wall-clock reading in `zone` stands for. A time skipped by a DST change is
// read with the offset in force before it; a repeated time is the first of the two.
[[nodiscard]] Result<Instant> to_instant(const LocalDateTime& local, std::string_view zone);

// What `zone` adds to UTC at `instant`, in minutes (+120 for Paris in summer).
[[nodiscard]] Result<int> utc_offset_minutes(Instant instant, std::string_view zone);

// RFC 3339 with the offset of `zone` at that instant: "2017-10-04T20:19:00+02:00". An unknown
// zone reads as UTC ("+00:00"). For UTC with "Z", text::rfc3339_utc.
std::string rfc3339_in_zone(Instant instant, std::string_view zone);

// RFC 822 (as RSS 2.0 uses it) with the offset of `zone`: "Wed, 04 Oct 2017 20:19:00 +0200".
std::string rfc822_in_zone(Instant instant, std::string_view zone);

// Paths of the public pages, following DESIGN.md. `post_path` reads the post's date in the
// blog's time zone: /archive/2017/10/04/slug.html.
std::string post_path(const Blog& blog, const Post& post);
std::string category_path(std::string_view category_slug);  // /list/<slug>/
std::string day_path(int year, int month, int day);         // /archive/2017/10/04/
std::string month_path(int year, int month);                // /archive/2017/10/
std::string year_path(int year);                            // /archive/2017/
std::string page_path(std::string_view page_slug);          // /about.html

}  // namespace carnet::model
