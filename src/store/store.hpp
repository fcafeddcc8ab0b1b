// Where blogs, users and posts live. The Store interface is what the rest of carnet sees;
// `open_sqlite_store` gives the embedded implementation (one file, WAL mode).
//
// Threads: every method of Store may be called from any thread at once. Reads run on a
// pool of read connections (at most one per calling thread at a time, statements prepared
// once per connection); writes are serialized through one writer connection.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"

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
    // The best matching passage of the post as safe HTML: escaped text with the matched
    // terms inside <mark>…</mark>.
    std::string passage_html;
};

struct SearchResults {
    std::vector<SearchHit> hits;  // most relevant first (a title match outweighs the body)
    int total = 0;                // how many posts match, ignoring offset and limit
};

// The write side, only valid inside Store::write. Every change made through it belongs to
// one transaction: all of it is committed, or none of it.
class Writer {
public:
    virtual ~Writer() = default;

    // Adds a blog; its hosts must not be used by another blog (Code::conflict).
    virtual Result<std::int64_t> create_blog(const model::Blog& blog) = 0;

    // Adds a user with an already hashed password; the e-mail must be new (Code::conflict).
    virtual Result<std::int64_t> create_user(const model::User& user,
                                             std::string_view password_hash) = 0;
    virtual Status add_membership(std::int64_t blog_id, std::int64_t user_id, model::Role role) = 0;

    // Adds a post to post.blog_id. `html` must already be rendered. Its categories are found
    // by slug (made from the name when the slug is empty) or created, and kept in the order
    // given. The slug must be new in the blog (Code::conflict).
    virtual Result<std::int64_t> create_post(const model::Post& post) = 0;

    // Reads that see the transaction's own writes.
    virtual Result<std::optional<model::Post>> find_post_by_slug(std::int64_t blog_id,
                                                                 std::string_view slug) = 0;
    virtual Result<std::optional<model::User>> find_user_by_email(std::string_view email) = 0;
};

class Store {
public:
    virtual ~Store() = default;

    // Runs `body` in one write transaction and commits it if `body` succeeds; rolls back and
    // returns its error otherwise. Every blog the transaction touched gets a new generation.
    virtual Status write(const std::function<Status(Writer&)>& body) = 0;

    virtual Result<std::vector<model::Blog>> list_blogs() = 0;
    virtual Result<std::optional<model::Blog>> find_blog(std::int64_t blog_id) = 0;

    // A number that changes whenever anything in the blog changes. Costs no query: it is
    // read from memory, kept current by `write` and by `poll_external_changes`.
    virtual std::uint64_t generation(std::int64_t blog_id) const = 0;

    // Notices writes made by other processes (a `carnet import` while the server runs) and
    // bumps the generations they touched. One cheap query; call it now and then.
    virtual Status poll_external_changes() = 0;

    virtual Result<PostList> published_posts(std::int64_t blog_id, const PostQuery& query) = 0;

    // A published post by slug, with its categories and comment count.
    virtual Result<std::optional<model::Post>> find_published_post(std::int64_t blog_id,
                                                                   std::string_view slug) = 0;

    virtual Result<std::optional<model::Category>> find_category(std::int64_t blog_id,
                                                                 std::string_view slug) = 0;

    // Categories having published posts, by name, with their post counts.
    virtual Result<std::vector<model::Category>> categories_with_counts(std::int64_t blog_id) = 0;

    // Months having published posts in the blog's time zone, newest first.
    virtual Result<std::vector<model::MonthCount>> months_with_counts(std::int64_t blog_id) = 0;

    virtual Result<std::optional<model::User>> find_user_by_email(std::string_view email) = 0;

    // Published posts of the blog matching `query`, folded for case and diacritics and
    // stemmed in the blog's language (French or English). The index is kept current in
    // every write transaction that changes a post.
    virtual Result<SearchResults> search(std::int64_t blog_id, const SearchQuery& query) = 0;

    // Rebuilds the search index of every blog from the posts (`carnet search --reindex`).
    virtual Status rebuild_search_index() = 0;

    virtual Result<std::optional<model::Role>> role_of(std::int64_t blog_id,
                                                       std::int64_t user_id) = 0;
};

enum class OpenMode {
    create_if_missing,  // creates the file and its schema when there is none
    must_exist,         // fails with Code::not_found when there is no file
};

// Opens (and migrates to the current schema) the SQLite database at `path`.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path, OpenMode mode);

}  // namespace carnet::store
