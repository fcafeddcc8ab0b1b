// Where blogs, users and posts live. The Store interface is what the rest of carnet sees;
// `open_sqlite_store` gives the embedded implementation (one file, WAL mode),
// `open_postgres_store` the one that several processes and machines share.
//
// Threads: every method of Store and of the concern interfaces it hands out may be called
// from any thread at once. Reads run on a pool of read connections (at most one per calling
// thread at a time, statements prepared once per connection); writes are serialized through
// one writer connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"
#include "text/clock.hpp"
#include "text/text.hpp"

namespace carnet::store {

using model::Result;
using model::Status;

// Which published posts a listing shows. The date fields select a year, a month or a day
// in the blog's own time zone; unset fields select everything.
struct PostQuery {
    std::optional<int> year;
    std::optional<int> month;  // needs year
    std::optional<int> day;    // needs month
    std::optional<std::int64_t> category_id;
    int offset = 0;
    int limit = 10;
    bool with_body = true;  // false leaves source, html and excerpt empty (for lists of links)
    // false leaves each post's categories empty: a query a post for the lists that show none
    // (the sidebar's recent posts, the sitemap) saves.
    bool with_categories = true;
};

struct PostList {
    std::vector<model::Post> posts;  // newest first, with their categories and comment counts
    int total = 0;                   // how many match the query, ignoring offset and limit
};

// A reader's search: words, "quoted phrases", prefix* and -excluded words. Any text is
// acceptable: what is not understood is searched as plain words, never an error.
struct SearchQuery {
    std::string text;
    int offset = 0;
    int limit = 10;
};

struct SearchHit {
    model::Post post;  // with categories; source and html left empty
    // The best matching passage of the post, as plain text (not HTML: whoever shows it
    // escapes it), with "…" where it cuts the text.
    std::string passage;
    // Where the matched terms are in `passage`: byte ranges, in order, not overlapping (for
    // text::html_escape_marking).
    std::vector<text::ByteRange> matches;
};

// A search lists at most this many posts: the newest that match, ranked by relevance. More
// than that is a query to narrow, not pages to read, and it keeps every search as fast as
// one over a thousand posts, however many the blog holds.
inline constexpr int k_search_result_limit = 1000;

struct SearchResults {
    std::vector<SearchHit> hits;  // most relevant first (a title match outweighs the body)
    // How many posts the search lists, ignoring offset and limit: those that match, up to
    // k_search_result_limit.
    int total = 0;
    bool more = false;  // more posts match than the search lists
};

// What the admin's post list shows: posts of any status, newest first.
struct AdminPostQuery {
    std::optional<model::PostStatus> status;  // unset: every status but trash
    std::optional<std::int64_t> category_id;
    std::optional<std::int64_t> author_id;  // only this author's posts
    std::string text;                       // in the title (case-insensitive), when not empty
    int offset = 0;
    int limit = 20;
};

// Which post: its blog and its id.
struct PostKey {
    std::int64_t blog_id = 0;
    std::int64_t post_id = 0;
};

// A saved state of a post, to compare with the current one and to restore.
struct Revision {
    std::int64_t id = 0;
    std::int64_t post_id = 0;
    std::int64_t author_id = 0;
    std::string author_name;
    bool autosave = false;
    model::Instant created_at{};
    model::PostStatus status = model::PostStatus::draft;
    std::string title;
    std::string slug;
    std::string source;
    std::string excerpt;
    model::Instant published_at{};
    bool comments_open = true;
    std::vector<std::string> categories;  // names, in order
};

// A logged-in browser. The store keeps only a hash of the session token.
struct Session {
    std::int64_t user_id = 0;
    std::string csrf_secret;
    model::Instant expires_at{};
};

struct Login {
    model::User user;
    std::string password_hash;
};

// A password a user made for one of their apps (a desktop editor, a phone), which the APIs
// accept instead of the login password: the store keeps only a hash of it.
struct AppPassword {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string name;  // the label the user gave it, unique among theirs
    model::Instant created_at{};
    std::optional<model::Instant> last_used_at;  // unset: never used
};

// An IndieAuth authorization code, as the user approved it for a client: single use, kept
// by the hash of the code, and bound to what the token request must repeat.
struct AuthCode {
    std::int64_t user_id = 0;
    std::int64_t blog_id = 0;
    std::string client_id;
    std::string redirect_uri;
    std::string code_challenge;  // S256 of the client's code verifier, base64url
    std::string scope;           // space-separated
    model::Instant expires_at{};
};

// An IndieAuth access token a user granted a client on one blog, kept by its hash.
struct AccessToken {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::int64_t blog_id = 0;
    std::string client_id;
    std::string scope;  // space-separated
    model::Instant created_at{};
    std::optional<model::Instant> last_used_at;  // unset: never used
};

struct Membership {
    model::Blog blog;
    model::Role role = model::Role::author;
};

struct UserSummary {
    model::User user;
    std::vector<std::pair<std::int64_t, model::Role>> roles;  // blog id and role
    int live_sessions = 0;
};

// The admin dashboard's figures.
struct BlogCounts {
    int published = 0;
    int drafts = 0;
    int scheduled = 0;
    int trash = 0;
    int comments_pending = 0;
    std::vector<model::MonthCount> published_per_month;  // every month with posts, newest first
};

// An uploaded image as the admin records it (the files are the media module's business).
struct MediaRecord {
    std::int64_t id = 0;
    std::int64_t blog_id = 0;
    std::string content_hash;
    std::string content_type;
    std::string file_name;  // <hash>.<ext>, under the media directory
    std::string original_name;
    std::int64_t size_bytes = 0;
    int width = 0;
    int height = 0;
    struct Variant {
        int width = 0;
        int height = 0;
        std::string file_name;
    };
    std::vector<Variant> variants;  // narrowest first
    model::Instant created_at{};
};

// Which comments the moderation screen lists, newest first.
struct CommentQuery {
    std::optional<model::CommentStatus> status;  // unset: every status
    std::optional<std::int64_t> post_id;
    int offset = 0;
    int limit = 50;
};

struct CommentList {
    std::vector<model::Comment> comments;  // with post_title
    int total = 0;
};

// What the formats of other blog hosts (Movable Type) carry beside a post's own fields, for
// an import to keep and an export to give back.
enum class CommentKind { comment, ping };  // a ping: a trackback from another blog

struct ArchivedComment {
    model::Comment comment;
    CommentKind kind = CommentKind::comment;
    std::string author_ip;  // as the exporting host recorded it; empty for carnet's own
    // What the format holds that a comment has no field for ("title", "blog_name", ...).
    std::map<std::string, std::string> meta;
};

struct ArchivedPost {
    model::Post post;               // with its categories in order
    std::vector<std::string> tags;  // in the order given
    // Format-specific fields by key, namespaced by format ("mt_author", "mt_keywords", ...).
    std::map<std::string, std::string> meta;
    std::vector<ArchivedComment> comments;  // every comment and ping, oldest first
};

// The store is a set of small interfaces, one per concern, each with a read side (what
// `Store` hands out) and a write side (what `Writer` hands out inside a transaction). A
// method name belongs to one concern only, the same on both sides: `store.posts()` and
// `writer.posts()` both answer `find_post_by_id`. A backend implements each concern in a
// class of its own.
//
// Every read takes the blog where objects belong to one: objects of another blog are not
// found, whatever id is asked for.

// --- Blogs: the blogs a process hosts and their settings.

class BlogStore {
public:
    virtual ~BlogStore() = default;

    [[nodiscard]] virtual Result<std::vector<model::Blog>> list_blogs() = 0;
    [[nodiscard]] virtual Result<std::optional<model::Blog>> find_blog(std::int64_t blog_id) = 0;
    // The admin dashboard's figures of the blog.
    [[nodiscard]] virtual Result<BlogCounts> counts(std::int64_t blog_id) = 0;
    // A number that moves with what the blog's pages list (its posts, categories, static
    // pages and settings) but not with comments, reactions or followers, unlike the store's
    // generation; 0 for no such blog. One query.
    [[nodiscard]] virtual Result<std::uint64_t> contents_generation(std::int64_t blog_id) = 0;
};

class BlogWriter {
public:
    virtual ~BlogWriter() = default;

    // Adds a blog; its hosts must not be used by another blog (Code::conflict). A blog with
    // no host is the default blog, which answers every host no other blog claims: there is at
    // most one (Code::conflict when there already is one).
    [[nodiscard]] virtual Result<std::int64_t> create_blog(const model::Blog& blog) = 0;

    // Blog settings: title, subtitle, locale, time zone, theme, posts per page, base URL and
    // comment policy, checked as in create_blog. A new locale re-indexes the blog's posts.
    [[nodiscard]] virtual Status update_blog(const model::Blog& blog) = 0;

    // The secret of that name that every process serving these blogs shares (the key that
    // signs comment forms' stamps, so that a form served by one node is accepted by another):
    // the one kept, or `fresh`, kept from now on, when there is none yet.
    [[nodiscard]] virtual Result<std::string> shared_secret(std::string_view name,
                                                            std::string_view fresh) = 0;
};

// --- Accounts: users and their roles in blogs.

class AccountStore {
public:
    virtual ~AccountStore() = default;

    [[nodiscard]] virtual Result<std::optional<model::User>> find_user_by_email(
        std::string_view email) = 0;
    [[nodiscard]] virtual Result<std::optional<model::Role>> role_of(std::int64_t blog_id,
                                                                     std::int64_t user_id) = 0;
    [[nodiscard]] virtual Result<std::optional<Login>> find_login(std::string_view email) = 0;
    [[nodiscard]] virtual Result<std::optional<model::User>> find_user(std::int64_t user_id) = 0;
    // Every user by e-mail, with their roles and how many sessions are live now.
    [[nodiscard]] virtual Result<std::vector<UserSummary>> list_users() = 0;
    // The blogs the user belongs to, with the role in each, by blog id.
    [[nodiscard]] virtual Result<std::vector<Membership>> memberships_of(std::int64_t user_id) = 0;
};

class AccountWriter {
public:
    virtual ~AccountWriter() = default;

    // Adds a user with an already hashed password; the e-mail must be new (Code::conflict).
    [[nodiscard]] virtual Result<std::int64_t> create_user(const model::User& user,
                                                           std::string_view password_hash) = 0;
    [[nodiscard]] virtual Status add_membership(std::int64_t blog_id, std::int64_t user_id,
                                                model::Role role) = 0;
    // Sees the transaction's own writes.
    [[nodiscard]] virtual Result<std::optional<model::User>> find_user_by_email(
        std::string_view email) = 0;
    // Ends the user's application passwords too.
    [[nodiscard]] virtual Status set_password(std::int64_t user_id,
                                              std::string_view password_hash) = 0;
    // With their sessions, application passwords and roles.
    [[nodiscard]] virtual Status remove_user(std::int64_t user_id) = 0;
    [[nodiscard]] virtual Status remove_membership(std::int64_t blog_id, std::int64_t user_id) = 0;
};

// --- Sessions: logged-in browsers, by the hash of their token.

class SessionStore {
public:
    virtual ~SessionStore() = default;

    // A session that has not expired at `now`.
    [[nodiscard]] virtual Result<std::optional<Session>> find_session(std::string_view token_hash,
                                                                      model::Instant now) = 0;
};

class SessionWriter {
public:
    virtual ~SessionWriter() = default;

    [[nodiscard]] virtual Status create_session(std::string_view token_hash,
                                                const Session& session) = 0;
    [[nodiscard]] virtual Status delete_session(std::string_view token_hash) = 0;
    [[nodiscard]] virtual Result<int> delete_sessions_of(std::int64_t user_id) = 0;
    [[nodiscard]] virtual Result<int> delete_expired_sessions(model::Instant now) = 0;
};

// --- Login failures: the login throttle's counts (auth::LoginThrottle), by an opaque key (an
// account, an address), kept in the database so that every node serving it counts the same
// guesses.

struct LoginFailures {
    int count = 0;
    model::Instant last{};
};

class LoginFailureStore {
public:
    virtual ~LoginFailureStore() = default;

    [[nodiscard]] virtual Result<std::optional<LoginFailures>> find_login_failures(
        std::string_view key) = 0;
};

class LoginFailureWriter {
public:
    virtual ~LoginFailureWriter() = default;

    // Counts one more failure of `key` at `now`, and forgets every key quiet since
    // `forget_before`.
    [[nodiscard]] virtual Status add_login_failure(std::string_view key, model::Instant now,
                                                   model::Instant forget_before) = 0;
    [[nodiscard]] virtual Status clear_login_failures(std::string_view key) = 0;
};

// --- Comment attempts: the comment rate limit's memory (comments::RateLimit), by an opaque key
// (what was sent and from which address), kept in the database so that every node serving it
// counts the same attempts: a reader balanced from node to node gets one allowance, not one
// per node.

struct AttemptLimits {
    int max_attempts = 5;                  // per key and window
    std::chrono::seconds window{10 * 60};  // sliding
};

class CommentAttemptStore {
public:
    virtual ~CommentAttemptStore() = default;

    // How many keys have attempts remembered, for tests and metrics. One query.
    [[nodiscard]] virtual Result<std::int64_t> count_attempt_keys() = 0;
};

class CommentAttemptWriter {
public:
    virtual ~CommentAttemptWriter() = default;

    // Records an attempt of `key` at `now` and says whether it is within `limits`: fewer than
    // max_attempts attempts of the key in the window before it. A refused attempt counts too,
    // in place of the key's oldest, so that a key keeps at most max_attempts rows and one that
    // keeps trying stays refused. Attempts of every key whose window has passed are forgotten
    // first. A key must always be counted under the same limits. A few statements.
    [[nodiscard]] virtual Result<bool> record_comment_attempt(std::string_view key,
                                                              model::Instant now,
                                                              const AttemptLimits& limits) = 0;
};

// --- Application passwords: what the APIs accept instead of the login password. Changing a
// user's password (AccountWriter::set_password) or removing the user ends them all.

class AppPasswordStore {
public:
    virtual ~AppPasswordStore() = default;

    // The user's application passwords by name.
    [[nodiscard]] virtual Result<std::vector<AppPassword>> app_passwords_of(
        std::int64_t user_id) = 0;
    // The application password whose token hash (auth::hash_token) this is.
    [[nodiscard]] virtual Result<std::optional<AppPassword>> find_app_password(
        std::string_view token_hash) = 0;
};

class AppPasswordWriter {
public:
    virtual ~AppPasswordWriter() = default;

    // Keeps a new application password of the user, by the hash of its token. The name must
    // not be empty nor over 100 bytes (Code::invalid_input) and must be new among the user's
    // (Code::conflict).
    [[nodiscard]] virtual Result<std::int64_t> create_app_password(std::int64_t user_id,
                                                                   std::string_view name,
                                                                   std::string_view token_hash) = 0;
    // Ends the user's application password of that name (Code::not_found when there is none).
    [[nodiscard]] virtual Status revoke_app_password(std::int64_t user_id,
                                                     std::string_view name) = 0;
    // Records that the password was used now (the store's clock).
    [[nodiscard]] virtual Status record_app_password_use(std::int64_t app_password_id) = 0;
};

// --- IndieAuth: the codes and tokens carnet grants Micropub clients as its users' own
// authorization server. Changing a user's password or removing the user ends their tokens.

class AccessTokenStore {
public:
    virtual ~AccessTokenStore() = default;

    // The user's tokens, oldest first.
    [[nodiscard]] virtual Result<std::vector<AccessToken>> access_tokens_of(
        std::int64_t user_id) = 0;
    // The token whose hash (auth::hash_token) this is.
    [[nodiscard]] virtual Result<std::optional<AccessToken>> find_access_token(
        std::string_view token_hash) = 0;
};

class AccessTokenWriter {
public:
    virtual ~AccessTokenWriter() = default;

    // Keeps a code by its hash (Code::conflict if the hash is known).
    [[nodiscard]] virtual Status create_auth_code(std::string_view code_hash,
                                                  const AuthCode& code) = 0;
    // The code of that hash, which is gone from then on, whatever the caller makes of it:
    // a code is used once. Nothing when there is none.
    [[nodiscard]] virtual Result<std::optional<AuthCode>> take_auth_code(
        std::string_view code_hash) = 0;
    // Keeps a new token by its hash; created_at is the store's clock.
    [[nodiscard]] virtual Result<std::int64_t> create_access_token(std::string_view token_hash,
                                                                   const AccessToken& token) = 0;
    // Ends the user's token of that id (Code::not_found when the user holds none).
    [[nodiscard]] virtual Status revoke_access_token(std::int64_t user_id,
                                                     std::int64_t token_id) = 0;
    // Ends the token of that hash, if there is one; true when there was.
    [[nodiscard]] virtual Result<bool> revoke_access_token_by_hash(std::string_view token_hash) = 0;
    // Records that the token was used now (the store's clock).
    [[nodiscard]] virtual Status record_access_token_use(std::int64_t token_id) = 0;
};

// --- Posts: posts of every status, their revisions and the archives of published ones.

class PostStore {
public:
    virtual ~PostStore() = default;

    [[nodiscard]] virtual Result<PostList> published_posts(std::int64_t blog_id,
                                                           const PostQuery& query) = 0;
    // A published post by slug, with its categories and comment count.
    [[nodiscard]] virtual Result<std::optional<model::Post>> find_published_post(
        std::int64_t blog_id, std::string_view slug) = 0;
    // Months having published posts in the blog's time zone, newest first.
    [[nodiscard]] virtual Result<std::vector<model::MonthCount>> months_with_counts(
        std::int64_t blog_id) = 0;
    [[nodiscard]] virtual Result<PostList> admin_posts(std::int64_t blog_id,
                                                       const AdminPostQuery& query) = 0;
    [[nodiscard]] virtual Result<std::optional<model::Post>> find_post_by_id(
        std::int64_t blog_id, std::int64_t post_id) = 0;
    [[nodiscard]] virtual Result<std::vector<Revision>> revisions(std::int64_t blog_id,
                                                                  std::int64_t post_id) = 0;
    [[nodiscard]] virtual Result<std::optional<Revision>> find_revision(
        std::int64_t blog_id, std::int64_t revision_id) = 0;
};

class PostWriter {
public:
    virtual ~PostWriter() = default;

    // Adds a post to post.blog_id. `html` must already be rendered. Its categories are found
    // by slug (made from the name when the slug is empty) or created, and kept in the order
    // given. The slug must be new in the blog (Code::conflict).
    [[nodiscard]] virtual Result<std::int64_t> create_post(const model::Post& post) = 0;

    // Reads that see the transaction's own writes.
    [[nodiscard]] virtual Result<std::optional<model::Post>> find_post_by_slug(
        std::int64_t blog_id, std::string_view slug) = 0;
    [[nodiscard]] virtual Result<std::optional<model::Post>> find_post_by_id(
        std::int64_t blog_id, std::int64_t post_id) = 0;

    // Changes a post of post.blog_id (any status) to `post`: fields, categories (found or
    // created as in create_post, in order) and the search index. When the post was published
    // and its public path changes (slug or day), the old path keeps answering with a 301.
    // Code::not_found when the blog holds no such post; Code::conflict for a taken slug.
    [[nodiscard]] virtual Status update_post(const model::Post& post) = 0;

    // Records the post as it now stands as a revision by `author_id`. An autosave replaces
    // the post's previous autosave instead of piling up.
    [[nodiscard]] virtual Result<std::int64_t> save_revision(std::int64_t blog_id,
                                                             std::int64_t post_id,
                                                             std::int64_t author_id,
                                                             bool autosave) = 0;

    // Deletes a post for good, with its revisions, comments and redirects.
    [[nodiscard]] virtual Status delete_post(std::int64_t blog_id, std::int64_t post_id) = 0;

    // Publishes every scheduled post (of every blog) whose time has come; returns them.
    [[nodiscard]] virtual Result<std::vector<PostKey>> publish_due_posts(model::Instant now) = 0;
};

// --- Categories of posts.

class CategoryStore {
public:
    virtual ~CategoryStore() = default;

    [[nodiscard]] virtual Result<std::optional<model::Category>> find_category(
        std::int64_t blog_id, std::string_view slug) = 0;
    // Categories having published posts, by name, with their post counts.
    [[nodiscard]] virtual Result<std::vector<model::Category>> categories_with_counts(
        std::int64_t blog_id) = 0;
    // Every category of the blog by name, counting posts of any status but trash.
    [[nodiscard]] virtual Result<std::vector<model::Category>> all_categories(
        std::int64_t blog_id) = 0;
    // Every tag of the blog by name, counting posts of any status but trash (as a Category:
    // its slug is the name's; tags have none of their own).
    [[nodiscard]] virtual Result<std::vector<model::Category>> all_tags(std::int64_t blog_id) = 0;
};

class CategoryWriter {
public:
    virtual ~CategoryWriter() = default;

    // A rename that changes the slug and a merge leave a 301 from the old slug.
    [[nodiscard]] virtual Status rename_category(std::int64_t blog_id, std::int64_t category_id,
                                                 std::string_view name, std::string_view slug) = 0;
    // Moves every post of `from` into `into` (keeping each post's order) and removes `from`.
    [[nodiscard]] virtual Status merge_categories(std::int64_t blog_id, std::int64_t from,
                                                  std::int64_t into) = 0;
    // Removes the category; its posts keep their other categories.
    [[nodiscard]] virtual Status delete_category(std::int64_t blog_id,
                                                 std::int64_t category_id) = 0;
    // The category of category.blog_id with that slug (made from the name when empty),
    // created with that name when the blog has none; its id. For categories a file defines
    // that no post of it uses yet.
    [[nodiscard]] virtual Result<std::int64_t> ensure_category(const model::Category& category) = 0;
};

// --- Pages: the blog's pages apart from its posts.

class PageStore {
public:
    virtual ~PageStore() = default;

    [[nodiscard]] virtual Result<std::vector<model::Page>> pages(std::int64_t blog_id,
                                                                 bool published_only) = 0;
    [[nodiscard]] virtual Result<std::optional<model::Page>> find_page_by_id(
        std::int64_t blog_id, std::int64_t page_id) = 0;
    [[nodiscard]] virtual Result<std::optional<model::Page>> find_published_page(
        std::int64_t blog_id, std::string_view slug) = 0;
};

class PageWriter {
public:
    virtual ~PageWriter() = default;

    // The slug must be new in the blog (Code::conflict).
    [[nodiscard]] virtual Result<std::int64_t> create_page(const model::Page& page) = 0;
    [[nodiscard]] virtual Status update_page(const model::Page& page) = 0;
    [[nodiscard]] virtual Status delete_page(std::int64_t blog_id, std::int64_t page_id) = 0;
};

// --- Comments of readers, and their moderation.

class CommentStore {
public:
    virtual ~CommentStore() = default;

    // The approved comments of a post, oldest first.
    [[nodiscard]] virtual Result<std::vector<model::Comment>> approved_comments(
        std::int64_t blog_id, std::int64_t post_id) = 0;
    [[nodiscard]] virtual Result<CommentList> comments(std::int64_t blog_id,
                                                       const CommentQuery& query) = 0;
    [[nodiscard]] virtual Result<std::optional<model::Comment>> find_comment(
        std::int64_t blog_id, std::int64_t comment_id) = 0;
    // True when the blog holds an approved comment signed with this name and e-mail.
    [[nodiscard]] virtual Result<bool> has_approved_comment_from(std::int64_t blog_id,
                                                                 std::string_view name,
                                                                 std::string_view email) = 0;
};

// A reply's parent must be a comment of the same post (Code::invalid_input). Only changes to
// what readers see (an approved comment, or one that stops being approved) make the blog's
// pages stale: a flood of spam does not empty the cache.
class CommentWriter {
public:
    virtual ~CommentWriter() = default;

    [[nodiscard]] virtual Result<std::int64_t> add_comment(const model::Comment& comment) = 0;
    [[nodiscard]] virtual Status set_comment_status(std::int64_t blog_id, std::int64_t comment_id,
                                                    model::CommentStatus status) = 0;
    [[nodiscard]] virtual Status update_comment(std::int64_t blog_id, std::int64_t comment_id,
                                                std::string_view source, std::string_view html) = 0;
    [[nodiscard]] virtual Status delete_comment(std::int64_t blog_id, std::int64_t comment_id) = 0;
};

// --- Media: the records of uploaded images.

class MediaStore {
public:
    virtual ~MediaStore() = default;

    [[nodiscard]] virtual Result<std::vector<MediaRecord>> media(std::int64_t blog_id, int offset,
                                                                 int limit) = 0;
    [[nodiscard]] virtual Result<std::optional<MediaRecord>> find_media(
        std::int64_t blog_id, std::string_view file_name) = 0;
};

class MediaWriter {
public:
    virtual ~MediaWriter() = default;

    // Recording the same content twice in a blog gives the first record's id.
    [[nodiscard]] virtual Result<std::int64_t> add_media(const MediaRecord& media,
                                                         std::int64_t uploaded_by) = 0;
};

// --- Search of published posts. The index has no write side: every write transaction that
// changes a post keeps it current.

class SearchStore {
public:
    virtual ~SearchStore() = default;

    // Published posts of the blog matching `query`, folded for case and diacritics and
    // stemmed in the blog's language (French or English).
    [[nodiscard]] virtual Result<SearchResults> search(std::int64_t blog_id,
                                                       const SearchQuery& query) = 0;

    // Rebuilds the search index of every blog from the posts (`carnet search --reindex`), in
    // a write transaction of its own.
    [[nodiscard]] virtual Status rebuild_search_index() = 0;
};

// --- Redirects: old public paths of posts and old slugs of categories.

class RedirectStore {
public:
    virtual ~RedirectStore() = default;

    // The published post an old path of the blog now leads to.
    [[nodiscard]] virtual Result<std::optional<model::Post>> find_post_redirect(
        std::int64_t blog_id, std::string_view old_path) = 0;
    // Every old path of the blog a post redirect was recorded for (the post may since have
    // been unpublished), in path order.
    [[nodiscard]] virtual Result<std::vector<std::string>> post_redirect_paths(
        std::int64_t blog_id) = 0;
    // The category an old category slug now leads to.
    [[nodiscard]] virtual Result<std::optional<model::Category>> find_category_redirect(
        std::int64_t blog_id, std::string_view old_slug) = 0;
};

class RedirectWriter {
public:
    virtual ~RedirectWriter() = default;

    // Makes an old public path of the blog answer with a 301 to the post; replaces any
    // earlier redirect of that path.
    [[nodiscard]] virtual Status add_post_redirect(std::int64_t blog_id, std::string_view old_path,
                                                   std::int64_t post_id) = 0;
};

// --- Archives: what imports from other hosts' formats and exports to them read and write.

class ArchiveStore {
public:
    virtual ~ArchiveStore() = default;

    // Every post of the blog but those in the trash, oldest first (by date, then id), with
    // tags, meta and comments: what an export writes out. One query per post.
    [[nodiscard]] virtual Result<std::vector<ArchivedPost>> archived_posts(
        std::int64_t blog_id) = 0;
    // The same posts given to `each` one at a time, read in batches by keyset (date, id) in
    // one snapshot of the database: memory holds one batch's ids and one post, whatever the
    // blog's size. Stops at the first failure of `each`, and returns it.
    [[nodiscard]] virtual Status each_archived_post(
        std::int64_t blog_id, const std::function<Status(const ArchivedPost&)>& each) = 0;
};

class ArchiveWriter {
public:
    virtual ~ArchiveWriter() = default;

    // The post of the blog published at `published_at` whose slug is `slug` or whose meta
    // `meta_key` is `meta_value` (an import's way to know a post it brought in before).
    [[nodiscard]] virtual Result<std::optional<std::int64_t>> find_post_at(
        std::int64_t blog_id, model::Instant published_at, std::string_view slug,
        std::string_view meta_key, std::string_view meta_value) = 0;
    // Replaces the post's tags (created in the blog when new, kept in order) and meta.
    [[nodiscard]] virtual Status set_post_extras(
        std::int64_t blog_id, std::int64_t post_id, const std::vector<std::string>& tags,
        const std::map<std::string, std::string>& meta) = 0;
    // Adds a comment or ping as another host kept it: its status, date and address are taken
    // as given, a ping or an anonymous comment may have no author name, a ping no text.
    [[nodiscard]] virtual Result<std::int64_t> add_archived_comment(
        const ArchivedComment& comment) = 0;
    // The post with its tags, meta and every comment, seeing the transaction's own writes.
    [[nodiscard]] virtual Result<std::optional<ArchivedPost>> archived_post(
        std::int64_t blog_id, std::int64_t post_id) = 0;
};

// --- Jobs: the durable work queue (webmentions to send and to verify), kept in the
// database so that work survives restarts and several nodes sharing one database split it:
// a job is claimed with a lease, and a node that dies holding one only delays it until the
// lease runs out.

struct Job {
    std::int64_t id = 0;
    std::int64_t blog_id = 0;
    std::string kind;     // what to do, named by whoever queued it ("webmention.send")
    std::string payload;  // its arguments, written by whoever queued it
    int attempts = 0;     // times it was claimed, the current claim included
    model::Instant run_at{};
    model::Instant created_at{};
    std::string last_error;  // why the last attempt failed, "" when none did
};

struct NewJob {
    std::int64_t blog_id = 0;
    std::string kind;
    std::string payload;
    model::Instant run_at{};
};

class JobStore {
public:
    virtual ~JobStore() = default;

    // The blog's jobs still to do, soonest first.
    [[nodiscard]] virtual Result<std::vector<Job>> pending_jobs(std::int64_t blog_id) = 0;
};

class JobWriter {
public:
    virtual ~JobWriter() = default;

    // Queues a job. The same kind and payload already queued is the same work: that job is
    // kept (its id returned), due at the sooner of the two times, its attempts counted anew.
    [[nodiscard]] virtual Result<std::int64_t> enqueue_job(const NewJob& job) = 0;

    // Takes the job due soonest (run_at <= now) that no worker holds (or whose lease ran out)
    // for `worker` until now + lease, counting the attempt; nothing when none is due. One
    // statement, so that two nodes never hold one job at once.
    [[nodiscard]] virtual Result<std::optional<Job>> claim_job(std::string_view worker,
                                                               model::Instant now,
                                                               std::chrono::seconds lease) = 0;

    // The job is done (or dropped for good): it goes. Nothing happens when `worker` no longer
    // holds it.
    [[nodiscard]] virtual Status complete_job(std::int64_t job_id, std::string_view worker) = 0;

    // The attempt failed: the job waits until `run_at`, free for any worker, remembering why.
    [[nodiscard]] virtual Status retry_job(std::int64_t job_id, std::string_view worker,
                                           model::Instant run_at, std::string_view error) = 0;
};

// --- Mentions: the webmentions a blog received and verified, each kept as a comment.

struct Mention {
    std::int64_t blog_id = 0;
    std::int64_t post_id = 0;
    std::string source;
    std::string target;
    std::int64_t comment_id = 0;  // the comment it shows as
    std::string author_photo;     // the author's h-card photo, as the source gave it
    model::Instant updated_at{};
};

class MentionStore {
public:
    virtual ~MentionStore() = default;

    [[nodiscard]] virtual Result<std::optional<Mention>> find_mention(std::int64_t blog_id,
                                                                      std::string_view source,
                                                                      std::string_view target) = 0;
};

class MentionWriter {
public:
    virtual ~MentionWriter() = default;

    // Records the mention of source and target, or replaces the one recorded. Deleting its
    // comment forgets it.
    [[nodiscard]] virtual Status save_mention(const Mention& mention) = 0;
    // Seeing the transaction's own writes.
    [[nodiscard]] virtual Result<std::optional<Mention>> find_mention(std::int64_t blog_id,
                                                                      std::string_view source,
                                                                      std::string_view target) = 0;
};

// --- Federation: who follows a blog on the fediverse, and the actors and domains it
// refuses.

enum class FollowerState { pending, accepted };  // pending: waiting for the blog's approval

struct Follower {
    std::int64_t id = 0;
    std::int64_t blog_id = 0;
    std::string actor;         // the actor's id, a URI
    std::string inbox;         // its own inbox
    std::string shared_inbox;  // its server's shared inbox, "" when none
    std::string follow_id;     // the Follow activity's id, which the Accept names
    std::string handle;        // name@host, to show; "" when unknown
    FollowerState state = FollowerState::accepted;
    model::Instant created_at{};
};

// A reply from the fediverse (a Note), kept as a comment of the post it answers.
struct RemoteNote {
    std::int64_t blog_id = 0;
    std::int64_t post_id = 0;
    std::string note_id;  // the Note's id, a URI
    std::string actor;    // who wrote it: the only one who may change or delete it
    std::int64_t comment_id = 0;
};

// What the fediverse does to a post besides replying: a Like, or an Announce (a share).
enum class ReactionKind { like, announce };

struct Reaction {
    std::int64_t blog_id = 0;
    std::int64_t post_id = 0;
    std::string actor;
    ReactionKind kind = ReactionKind::like;
    std::string activity_id;  // the Like's or the Announce's id, which an Undo names
};

struct ReactionCounts {
    int likes = 0;
    int shares = 0;  // Announces
};

struct FollowerPage {
    std::vector<Follower> followers;  // newest first
    std::int64_t total = 0;           // in that state, over every page
};

class FederationStore {
public:
    virtual ~FederationStore() = default;

    [[nodiscard]] virtual Result<FollowerPage> followers(std::int64_t blog_id, FollowerState state,
                                                         int offset, int limit) = 0;
    [[nodiscard]] virtual Result<std::optional<Follower>> find_follower(std::int64_t blog_id,
                                                                        std::string_view actor) = 0;
    // Where to deliver to every accepted follower once: each distinct shared inbox, and the
    // own inbox of those without one. Sorted.
    [[nodiscard]] virtual Result<std::vector<std::string>> delivery_inboxes(
        std::int64_t blog_id) = 0;
    // Whether the blog refuses the actor: it, or its host (lower case), is blocked.
    [[nodiscard]] virtual Result<bool> is_blocked(std::int64_t blog_id, std::string_view actor,
                                                  std::string_view host) = 0;
    // What the blog blocks, actors and domains, sorted.
    [[nodiscard]] virtual Result<std::vector<std::string>> blocks(std::int64_t blog_id) = 0;
    // The reply the blog keeps under that Note id.
    [[nodiscard]] virtual Result<std::optional<RemoteNote>> find_note(std::int64_t blog_id,
                                                                      std::string_view note_id) = 0;
    // True when the blog shows an approved reply of this actor's: what makes a fediverse
    // author known, as a name and e-mail make a commenter known.
    [[nodiscard]] virtual Result<bool> has_approved_reply_from(std::int64_t blog_id,
                                                               std::string_view actor) = 0;
    // Likes and shares of the post, one per actor each. One query.
    [[nodiscard]] virtual Result<ReactionCounts> reaction_counts(std::int64_t blog_id,
                                                                 std::int64_t post_id) = 0;
    // The same for every post of the blog that has any, by post id (a static build's). One
    // query.
    [[nodiscard]] virtual Result<std::map<std::int64_t, ReactionCounts>> reaction_counts_by_post(
        std::int64_t blog_id) = 0;
};

class FederationWriter {
public:
    virtual ~FederationWriter() = default;

    // Records the follower, or replaces what was recorded of that actor.
    // Code::invalid_input without an actor or inbox.
    [[nodiscard]] virtual Status save_follower(const Follower& follower) = 0;
    // Seeing the transaction's own writes.
    [[nodiscard]] virtual Result<std::optional<Follower>> find_follower(std::int64_t blog_id,
                                                                        std::string_view actor) = 0;
    // Code::not_found when the actor does not follow the blog.
    [[nodiscard]] virtual Status set_follower_state(std::int64_t blog_id, std::string_view actor,
                                                    FollowerState state) = 0;
    // Whether there was such a follower.
    [[nodiscard]] virtual Result<bool> remove_follower(std::int64_t blog_id,
                                                       std::string_view actor) = 0;
    // Forgets every follower delivered to at `inbox` (their own or their shared one): how many.
    [[nodiscard]] virtual Result<int> remove_followers_at(std::int64_t blog_id,
                                                          std::string_view inbox) = 0;
    // Blocks an actor (its URI) or a domain (a lower-case host name), and removes the
    // followers it covers: how many.
    [[nodiscard]] virtual Result<int> block(std::int64_t blog_id, std::string_view target) = 0;
    [[nodiscard]] virtual Status unblock(std::int64_t blog_id, std::string_view target) = 0;
    // The object id the blog's followers know the post by; "" when they were never sent it.
    [[nodiscard]] virtual Result<std::string> federated_object(std::int64_t blog_id,
                                                               std::int64_t post_id) = 0;
    // Records it; "" forgets it.
    [[nodiscard]] virtual Status set_federated_object(std::int64_t blog_id, std::int64_t post_id,
                                                      std::string_view object_id) = 0;
    // Records the Note its comment shows (replacing what was recorded under that id); deleting
    // the comment forgets it. Code::invalid_input without a note id, actor or comment.
    [[nodiscard]] virtual Status save_note(const RemoteNote& note) = 0;
    // Seeing the transaction's own writes.
    [[nodiscard]] virtual Result<std::optional<RemoteNote>> find_note(std::int64_t blog_id,
                                                                      std::string_view note_id) = 0;
    // Counts the reaction: false when the actor had already reacted so to the post (its
    // activity id is then the new one). Code::invalid_input without an actor; Code::not_found
    // for a post the blog does not have.
    [[nodiscard]] virtual Result<bool> add_reaction(const Reaction& reaction) = 0;
    // Takes back the actor's reaction whose activity has that id: whether there was one.
    [[nodiscard]] virtual Result<bool> remove_reaction(std::int64_t blog_id, std::string_view actor,
                                                       std::string_view activity_id) = 0;
};

// --- Following: the accounts a blog follows on the fediverse, and what they post, kept for
// the admin's reader.

// pending: the Follow was sent and its Accept has not come (a Reject forgets the account).
enum class FollowingState { pending, accepted };

struct Following {
    std::int64_t id = 0;
    std::int64_t blog_id = 0;
    std::string actor;        // the account's actor id, a URI
    std::string handle;       // name@host, to show; "" when unknown
    std::string name;         // as the account wants to be called, plain text
    std::string inbox;        // its own inbox, where the Follow and its Undo go
    std::string profile_url;  // its page for people; "" when unknown
    std::string follow_id;    // the Follow activity's id, which its Accept and Undo name
    FollowingState state = FollowingState::pending;
    model::Instant created_at{};
};

// A Note or an Article a followed account posted, as the reader shows it.
struct ReaderItem {
    std::int64_t id = 0;
    std::int64_t blog_id = 0;
    std::string object_id;  // the object's id, a URI: what its Update and Delete name
    std::string actor;      // who posted it: the only one who may change or delete it
    std::string author_name;
    std::string author_handle;  // name@host; "" when unknown
    std::string author_url;     // a safe http(s) URL, or ""
    std::string url;            // the object's page for people, a safe http(s) URL, or ""
    std::string title;          // an Article's name, plain text; "" for a Note
    std::string html;           // the whole content, through the comment sanitiser
    model::Instant published_at{};
    model::Instant updated_at{};
};

struct ReaderPage {
    std::vector<ReaderItem> items;  // newest first
    std::int64_t total = 0;         // over every page
};

class FollowingStore {
public:
    virtual ~FollowingStore() = default;

    // Every account the blog follows, newest first.
    [[nodiscard]] virtual Result<std::vector<Following>> followings(std::int64_t blog_id) = 0;
    [[nodiscard]] virtual Result<std::optional<Following>> find_following(
        std::int64_t blog_id, std::string_view actor) = 0;
    // The reader's items, newest published first. Two queries.
    [[nodiscard]] virtual Result<ReaderPage> reader_items(std::int64_t blog_id, int offset,
                                                          int limit) = 0;
    [[nodiscard]] virtual Result<std::optional<ReaderItem>> find_reader_item(
        std::int64_t blog_id, std::int64_t item_id) = 0;
    // The fediverse Note a comment of the blog shows (a reply kept by FederationWriter::
    // save_note), for answering it where it was written.
    [[nodiscard]] virtual Result<std::optional<RemoteNote>> note_of_comment(
        std::int64_t blog_id, std::int64_t comment_id) = 0;
};

class FollowingWriter {
public:
    virtual ~FollowingWriter() = default;

    // Records the account followed, or replaces what was recorded of that actor.
    // Code::invalid_input without an actor or an inbox.
    [[nodiscard]] virtual Status save_following(const Following& following) = 0;
    // Seeing the transaction's own writes.
    [[nodiscard]] virtual Result<std::optional<Following>> find_following(
        std::int64_t blog_id, std::string_view actor) = 0;
    // Code::not_found when the blog does not follow the actor.
    [[nodiscard]] virtual Status set_following_state(std::int64_t blog_id, std::string_view actor,
                                                     FollowingState state) = 0;
    // Whether the blog followed the actor. The items it posted stay in the reader.
    [[nodiscard]] virtual Result<bool> remove_following(std::int64_t blog_id,
                                                        std::string_view actor) = 0;
    // Keeps the item, or replaces the one kept under its object id (keeping its reader id):
    // its id. Code::invalid_input without an object id or an actor.
    [[nodiscard]] virtual Result<std::int64_t> save_reader_item(const ReaderItem& item) = 0;
    // Seeing the transaction's own writes.
    [[nodiscard]] virtual Result<std::optional<ReaderItem>> find_reader_item_by_object(
        std::int64_t blog_id, std::string_view object_id) = 0;
    // Whether there was such an item.
    [[nodiscard]] virtual Result<bool> remove_reader_item(std::int64_t blog_id,
                                                          std::string_view object_id) = 0;
};

// The write side, only valid inside Store::write. Every change made through it belongs to
// one transaction: all of it is committed, or none of it.
class Writer {
public:
    virtual ~Writer() = default;

    virtual BlogWriter& blogs() = 0;
    virtual AccountWriter& accounts() = 0;
    virtual SessionWriter& sessions() = 0;
    virtual AppPasswordWriter& app_passwords() = 0;
    virtual LoginFailureWriter& login_failures() = 0;
    virtual CommentAttemptWriter& comment_attempts() = 0;
    virtual AccessTokenWriter& access_tokens() = 0;
    virtual PostWriter& posts() = 0;
    virtual CategoryWriter& categories() = 0;
    virtual PageWriter& pages() = 0;
    virtual CommentWriter& comments() = 0;
    virtual MediaWriter& media() = 0;
    virtual RedirectWriter& redirects() = 0;
    virtual ArchiveWriter& archive() = 0;
    virtual JobWriter& jobs() = 0;
    virtual MentionWriter& mentions() = 0;
    virtual FederationWriter& federation() = 0;
    virtual FollowingWriter& following() = 0;
};

// What must follow a post's publication or withdrawal (its webmentions, its activities to
// the blog's followers), queued in the transaction that saves the post, so that it follows
// with the post or not at all. Every way of saving a post (the admin, XML-RPC, Micropub, the
// scheduler) calls them; unset ones do nothing.
struct PostHooks {
    using Hook = std::function<Status(Writer& writer, std::int64_t blog_id, std::int64_t post_id)>;
    // A post saved as published (new, edited, restored, or published on schedule).
    Hook published;
    // A published post saved as anything else (a draft again, trashed) or deleted.
    Hook withdrawn;

    // Calls whichever the change from `was_published` to `status` asks for.
    [[nodiscard]] Status after_save(Writer& writer, std::int64_t blog_id, std::int64_t post_id,
                                    bool was_published, model::PostStatus status) const {
        if (status == model::PostStatus::published) {
            return published ? published(writer, blog_id, post_id) : Status{};
        }
        if (was_published && withdrawn) return withdrawn(writer, blog_id, post_id);
        return {};
    }
};

class Store {
public:
    virtual ~Store() = default;

    // Runs `body` in one write transaction and commits it if `body` succeeds; rolls back and
    // returns its error otherwise. Every blog the transaction touched gets a new generation.
    [[nodiscard]] virtual Status write(const std::function<Status(Writer&)>& body) = 0;

    // A number that changes whenever anything in the blog changes. Costs no query: it is
    // read from memory, kept current by `write` and by `poll_external_changes`.
    virtual std::uint64_t generation(std::int64_t blog_id) const = 0;

    // Notices writes made by other processes (a `carnet import` while the server runs) and
    // bumps the generations they touched. One cheap query; call it now and then.
    [[nodiscard]] virtual Status poll_external_changes() = 0;

    // The blog's generation as the database holds it now (0 for no such blog): one query,
    // unlike generation(). On a replica, how far it has replayed the primary's writes.
    [[nodiscard]] virtual Result<std::uint64_t> stored_generation(std::int64_t blog_id) = 0;

    // The read side of each concern; they live as long as the store.
    virtual BlogStore& blogs() = 0;
    virtual AccountStore& accounts() = 0;
    virtual SessionStore& sessions() = 0;
    virtual AppPasswordStore& app_passwords() = 0;
    virtual LoginFailureStore& login_failures() = 0;
    virtual CommentAttemptStore& comment_attempts() = 0;
    virtual AccessTokenStore& access_tokens() = 0;
    virtual PostStore& posts() = 0;
    virtual CategoryStore& categories() = 0;
    virtual PageStore& pages() = 0;
    virtual CommentStore& comments() = 0;
    virtual MediaStore& media() = 0;
    virtual SearchStore& search() = 0;
    virtual RedirectStore& redirects() = 0;
    virtual ArchiveStore& archive() = 0;
    virtual JobStore& jobs() = 0;
    virtual MentionStore& mentions() = 0;
    virtual FederationStore& federation() = 0;
    virtual FollowingStore& following() = 0;
};

enum class OpenMode {
    create_if_missing,  // creates the file and its schema when there is none
    must_exist,         // fails with Code::not_found when there is no file
};

// Where opening a store says, one line at a time, what a long migration does before it runs
// and how long it took after ("applying migration 24: rebuilding the search index of 100000
// posts"). The store has no log of its own: the caller passes the line on to its own.
using MigrationReport = std::function<void(std::string_view line)>;

// Opens (and migrates to the current schema) the SQLite database at `path`. The store reads
// the time it records (when a blog, a user, a revision, a session or a medium was made; which
// sessions are live) from `clock`, which must outlive it. A migration that rebuilds a table
// from every post is announced to `report` (if any) before it runs and timed after.
[[nodiscard]] Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path,
                                                               OpenMode mode, const Clock& clock,
                                                               const MigrationReport& report = {});

// True for a libpq connection URI (postgres://... or postgresql://...), which names a
// PostgreSQL database; anything else names a SQLite file.
bool is_postgres_uri(std::string_view db);

// Opens (and migrates to the current schema) the PostgreSQL database `uri` names, a libpq
// connection URI. create_if_missing creates carnet's schema in an empty database (the
// database itself must exist); must_exist fails with Code::not_found when it has none. A
// database holding tables that are not carnet's, or a newer carnet's schema, is refused
// (Code::invalid_input). Several processes may open one database at once: migrations are
// applied once, under an advisory lock. As open_sqlite_store, it reads its time from `clock`.
[[nodiscard]] Result<std::unique_ptr<Store>> open_postgres_store(std::string_view uri,
                                                                 OpenMode mode, const Clock& clock);

// Opens a hot standby of a carnet PostgreSQL database (streaming replication) for reading:
// nothing is migrated, nothing written, nothing listened to. Its schema must be this carnet's
// (Code::invalid_input otherwise). Read it through a ReadRouter.
[[nodiscard]] Result<std::unique_ptr<Store>> open_postgres_replica(std::string_view uri,
                                                                   const Clock& clock);

// Where public pages read from when there is a replica: the replica for a blog once it has
// replayed every write the primary made to that blog (its stored generation has reached the
// primary's, which every write transaction bumps), the primary otherwise; and the primary
// for a while after the replica failed to answer, so that a lagging or stopped replica
// neither shows stale pages nor stops the site. Thread-safe.
class ReadRouter {
public:
    // Both stores must outlive the router; times come from `clock`.
    ReadRouter(Store& primary, Store& replica, const Clock& clock);
    ~ReadRouter();
    ReadRouter(const ReadRouter&) = delete;
    ReadRouter& operator=(const ReadRouter&) = delete;

    // The store to read the blog's public pages from now.
    Store& reads_for(std::int64_t blog_id);
    // A read on the replica failed: the primary answers for the next `k_replica_rest`.
    void replica_failed();
    bool is_replica(const Store& store) const { return &store == &replica_; }

    // How long the replica rests after a failure, and how often a replica thought fresh is
    // asked again (a stopped one is noticed within that).
    static constexpr std::chrono::seconds k_replica_rest{5};
    static constexpr std::chrono::milliseconds k_recheck_interval{1000};

private:
    struct Impl;
    Store& primary_;
    Store& replica_;
    std::unique_ptr<Impl> impl_;
};

// open_postgres_store for a PostgreSQL URI (is_postgres_uri), open_sqlite_store (with
// `report`) for a path.
[[nodiscard]] Result<std::unique_ptr<Store>> open_store(std::string_view db, OpenMode mode,
                                                        const Clock& clock,
                                                        const MigrationReport& report = {});

// What a backup copied.
struct BackupReport {
    std::int64_t pages = 0;
    std::int64_t page_size = 0;
    std::int64_t bytes = 0;
    std::int64_t elapsed_ms = 0;
};

// Copies the carnet database at `from` into the file `to` while other connections (a running
// server) keep reading and writing it: SQLite's online backup of one consistent snapshot,
// holding every transaction committed before it began and none that commits meanwhile;
// writers are not blocked. `to` is written under a temporary name beside it and renamed at
// the end, so that it is either what it was or a complete backup (one file, no -wal).
// Code::not_found without `from`; Code::invalid_input when `from` is not a carnet database
// or `to` names the database itself.
[[nodiscard]] Result<BackupReport> backup_sqlite_database(const std::filesystem::path& from,
                                                          const std::filesystem::path& to);

struct RestoreReport {
    std::int64_t pages = 0;
    std::int64_t bytes = 0;
    int schema_version = 0;
    bool replaced_existing = false;  // false when `to` did not exist
};

// Puts the backup `backup` in place of the database `to`, after checking it: a SQLite
// database made by carnet, of a schema no newer than this build's, passing SQLite's
// integrity and foreign key checks (Code::invalid_input otherwise, and nothing changes).
// The file is copied beside `to`, synced, and renamed over it; `to`'s -wal, -shm and
// -journal files go first, so that SQLite never replays them onto the restored file.
// Unless `force`, refuses (Code::conflict) while any other connection, such as a running
// server, has `to` open: it tries an exclusive lock for a moment. A server forced past keeps
// the replaced file open and must be restarted: what it writes meanwhile is lost.
[[nodiscard]] Result<RestoreReport> restore_sqlite_database(const std::filesystem::path& backup,
                                                            const std::filesystem::path& to,
                                                            bool force);

// What migrate_database copied, table by table.
struct TableCopyReport {
    std::string table;
    std::int64_t rows = 0;
    // Of every row's values, in any order: the same on both sides when the copy is exact.
    std::string checksum;
    // Kept by the target's own triggers from the rows copied (the sidebar's counts), so
    // compared, not copied.
    bool derived = false;
};

struct MigrateReport {
    std::vector<TableCopyReport> tables;
    int indexed_posts = 0;
    bool replaced_existing = false;
    std::int64_t elapsed_ms = 0;
};

struct MigrateOptions {
    // Empty a target that holds carnet data first, in the same transaction (a restore over a
    // live PostgreSQL database); without it such a target is refused (Code::conflict).
    bool replace_existing = false;
    // Refuse a SQLite target file that exists already, even empty (a backup's temporary file).
    bool create_target = false;
};

// `carnet migrate`: copies every row of carnet's tables (blogs, hosts, users, memberships,
// posts, revisions, categories, tags, comments, redirects, pages, media, sessions,
// application passwords, jobs, shared secrets and every table a later migration adds) from
// the database `from` into the database `to`, each a SQLite path or a PostgreSQL URI
// (is_postgres_uri), either way. Reads `from` as one snapshot while it keeps serving; writes
// `to` in one transaction, builds its search index, and checks before committing that every
// table holds the same rows on both sides (counts and checksums, the sidebar's counts
// included). On any failure nothing in `to` changes (a SQLite file it created goes).
// Code::not_found without `from`; Code::invalid_input when both name one database or their
// schemas differ; Code::conflict when `to` holds carnet data (unless replace_existing).
[[nodiscard]] Result<MigrateReport> migrate_database(std::string_view from, std::string_view to,
                                                     const Clock& clock,
                                                     const MigrateOptions& options = {});

}  // namespace carnet::store
