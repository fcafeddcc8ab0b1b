// What the SQLite store's concern classes share: the connections (a pool of readers, one
// writer, one poller), the blogs' generations and the clock, and the state of one write
// transaction. Private to the store.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/generations.hpp"
#include "store/sqlite.hpp"
#include "text/clock.hpp"

namespace carnet::store::sqlite {

// The search table of each blog language. Table names come only from here, never from input.
struct SearchTable {
    std::string_view table;
    std::string_view locale;
};
inline constexpr std::array<SearchTable, 2> k_search_tables{{
    {"post_search_fr", "fr"},
    {"post_search_en", "en"},
}};

// Collects the long tokens the connection's tokenizers indexed since the last collection
// (carnet_search_new_terms) and, with `keep`, lists them in search_terms (migration 9).
// Called as a transaction that may have indexed posts commits (keep) or rolls back.
[[nodiscard]] Status collect_new_search_terms(Connection& db, bool keep);

// SQLite's own page cache size (2 MiB), which every connection has but during a bulk write.
inline constexpr int k_default_cache_size = -2000;

// One write transaction on the writer connection: the blogs it touched (they get a new
// generation as it commits) and what every concern's writes need from each other.
struct Transaction {
    Transaction(Connection& connection, const Clock& transaction_clock)
        : db(connection), clock(transaction_clock) {}

    Connection& db;
    const Clock& clock;
    // The blogs whose contents (posts, categories, static pages, settings) the transaction
    // changed: their generation and their contents generation move.
    std::set<std::int64_t> touched_blogs;
    // The blogs of which only what surrounds the contents changed (comments, reactions,
    // followers, the blog's reading list): their generation moves, not their contents one.
    std::set<std::int64_t> touched_blogs_around_contents;

    // Brings the search index in line with the post as it will be when this transaction
    // commits: its old entry goes, and it comes back (in its blog's language) if it is
    // published. Every write that creates, changes or deletes a post calls it. Nothing in a
    // transaction searches, so the posts are only noted here and indexed together by
    // `index_noted_posts`, each once, runs of consecutive ids in one statement.
    [[nodiscard]] Status reindex_post(std::int64_t post_id);

    // Indexes the posts `reindex_post` noted; Database::write calls it before committing.
    [[nodiscard]] Status index_noted_posts();

    // The id of the blog's category of that slug (made from the name when empty), created
    // when missing.
    [[nodiscard]] Result<std::int64_t> category_id_for(std::int64_t blog_id,
                                                       const model::Category& category);

    // The clock's time, as the store's columns hold it.
    std::int64_t now_seconds() const;

    // After a transaction that indexed many posts (an import), merges each search table's
    // b-trees into one, as a rebuild does.
    [[nodiscard]] Status merge_search_index_after_bulk_writes();

    // Empties the search tables and indexes every published post again; every blog gets a
    // new generation. Returns how many posts were indexed.
    [[nodiscard]] Result<int> rebuild_search_index();

    // Whether it writes many posts (an import, a copy): it has a larger page cache then.
    bool bulk() const { return bulk_; }
    // Gives the rest of this transaction the larger page cache of a bulk write.
    void use_bulk_cache();

    // Indexes the published posts of ids first_id to last_id, in the table of that locale,
    // their texts tokenized on every core and FTS5's settings those of a bulk write.
    [[nodiscard]] Status index_in_bulk(std::string_view table, std::string_view locale,
                                       std::int64_t first_id, std::int64_t last_id);

private:
    std::size_t reindexed_posts_ = 0;
    std::set<std::int64_t> noted_posts_;
    bool bulk_ = false;
};

// The database file and its connections. Safe to use from any thread.
class Database {
public:
    // A read connection borrowed from the pool for the length of one call, and given back
    // when it goes out of scope.
    class Reader {
    public:
        Reader(Database& database, std::unique_ptr<Connection> connection)
            : database_(&database), connection_(std::move(connection)) {}
        Reader(Reader&&) = default;
        Reader& operator=(Reader&&) = delete;
        ~Reader() {
            if (connection_) database_->release_reader(std::move(connection_));
        }
        Connection& operator*() const { return *connection_; }
        Connection* operator->() const { return connection_.get(); }

    private:
        Database* database_;
        std::unique_ptr<Connection> connection_;
    };

    // Borrows a read connection, opening one when the pool has none idle.
    [[nodiscard]] Result<Reader> acquire_reader();

    Database(std::filesystem::path path, const Clock& clock, std::unique_ptr<Connection> writer,
             std::unique_ptr<Connection> poller);

    // Runs `query` on a read connection borrowed from the pool.
    template <typename Query>
    auto read(Query&& query) -> decltype(query(std::declval<Connection&>())) {
        auto reader = acquire_reader();
        if (!reader) return std::unexpected(reader.error());
        return query(**reader);
    }

    // Runs `body` in one transaction on the writer connection, committed when it succeeds
    // (with a new generation for each blog it touched), rolled back otherwise.
    [[nodiscard]] Status write(const std::function<Status(Transaction&)>& body);

    std::uint64_t generation(std::int64_t blog_id) const;
    [[nodiscard]] Status load_generations();
    [[nodiscard]] Status poll_external_changes();

    const Clock& clock() const { return clock_; }

private:
    void release_reader(std::unique_ptr<Connection> connection);
    [[nodiscard]] Status bump_generations(
        const Transaction& transaction,
        std::unordered_map<std::int64_t, std::uint64_t>& new_generations);
    [[nodiscard]] Status reload_generations_locked();

    std::filesystem::path path_;
    const Clock& clock_;

    std::mutex writer_mutex_;
    std::unique_ptr<Connection> writer_;

    std::mutex poller_mutex_;
    std::unique_ptr<Connection> poller_;
    std::int64_t last_data_version_ = -1;

    Generations generations_;

    std::mutex pool_mutex_;
    std::vector<std::unique_ptr<Connection>> idle_readers_;
};

}  // namespace carnet::store::sqlite
