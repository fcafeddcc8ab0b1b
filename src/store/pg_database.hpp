// What the PostgreSQL store's concern classes share: the connections (a pool of readers, one
// writer, one poller), the blogs' generations and the clock, and the state of one write
// transaction. The counterpart of sqlite_database.hpp, with the same guarantees. Private to
// the store.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/generations.hpp"
#include "store/pg.hpp"
#include "text/clock.hpp"

namespace carnet::store::pg {

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

    // Brings the search index in line with the post as it now is in this transaction: its
    // old entry goes, and it comes back (in its blog's language) if it is published. Every
    // write that creates, changes or deletes a post calls it.
    [[nodiscard]] Status reindex_post(std::int64_t post_id);

    // The id of the blog's category of that slug (made from the name when empty), created
    // when missing.
    [[nodiscard]] Result<std::int64_t> category_id_for(std::int64_t blog_id,
                                                       const model::Category& category);

    // The clock's time, as the store's columns hold it.
    std::int64_t now_seconds() const;

    // Empties the search index and indexes every published post again; every blog gets a
    // new generation. Returns how many posts were indexed.
    [[nodiscard]] Result<int> rebuild_search_index();
};

// The select list of the search index's two tsvectors of a post (`document`, stems in its
// blog's language; `words`, the words themselves), from the SQL expressions of its title, of
// its text (search_text_from_html) and of its blog's locale: one statement indexes one post,
// another every post at once.
std::string search_vectors_sql(std::string_view title, std::string_view body,
                               std::string_view locale);

// The database and its connections. Safe to use from any thread.
class Database {
public:
    // A read connection borrowed from the pool for the length of one call, and given back
    // when it goes out of scope (or closed, when the server dropped it).
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

    Database(std::string uri, const Clock& clock, std::unique_ptr<Connection> writer,
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
    // Applies the generations other processes announced (LISTEN/NOTIFY) since the last call:
    // no query when the poller's connection holds; a reconnection and a read of every
    // generation when it was lost.
    [[nodiscard]] Status poll_external_changes();

    const Clock& clock() const { return clock_; }

private:
    void release_reader(std::unique_ptr<Connection> connection);
    [[nodiscard]] Status bump_generations(
        const Transaction& transaction,
        std::unordered_map<std::int64_t, std::uint64_t>& new_generations);
    // (Re)connects the poller, listens for generations and reads them all: at start, and
    // whenever the poller lost its connection, when notifications may have been missed.
    [[nodiscard]] Status catch_up_locked();
    // Opens `connection` again when the server dropped it (a restart, a failover).
    [[nodiscard]] Status reconnect_if_broken(std::unique_ptr<Connection>& connection);

    std::string uri_;
    const Clock& clock_;

    std::mutex writer_mutex_;
    std::unique_ptr<Connection> writer_;

    std::mutex poller_mutex_;
    std::unique_ptr<Connection> poller_;
    bool listening_ = false;

    Generations generations_;

    std::mutex pool_mutex_;
    std::vector<std::unique_ptr<Connection>> idle_readers_;
};

}  // namespace carnet::store::pg
