#include "store/pg_database.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "store/pg_rows.hpp"
#include "store/search.hpp"

namespace carnet::store::pg {
namespace {

using model::Error;

// The key of the advisory lock every write transaction takes (pg_advisory_xact_lock): one
// carnet writer at a time across every process and node, as SQLite's BEGIN IMMEDIATE gives,
// so that what a transaction checks before it writes (the default blog, a taken host) still
// holds as it commits.
constexpr std::int64_t k_writer_lock = 0x6361726e6574'0001;  // "carnet" 1

// The channel on which each write transaction announces "<blog id> <generation>" for every
// blog it touched (NOTIFY), and on which the poller listens.
constexpr std::string_view k_generations_channel = "carnet_generations";

}  // namespace

std::string search_vectors_sql(std::string_view title, std::string_view body,
                               std::string_view locale) {
    const auto config = fmt::format(
        "CASE {} WHEN 'en' THEN 'carnet_en'::regconfig ELSE 'carnet_fr'::regconfig END", locale);
    return fmt::format(
        "setweight(to_tsvector({0}, {1}), 'A') || setweight(to_tsvector({0}, {2}), 'D') AS "
        "document, setweight(to_tsvector('carnet_words', {1}), 'A') || "
        "setweight(to_tsvector('carnet_words', {2}), 'D') AS words",
        config, title, body);
}

Status Transaction::reindex_post(std::int64_t post_id) {
    CARNET_TRY(remove, db.prepare("DELETE FROM post_search WHERE post_id = $1"));
    remove->bind(1, post_id);
    CARNET_CHECK(remove->run());
    CARNET_TRY(post, db.prepare("SELECT p.blog_id, p.title, p.html, b.locale FROM posts p "
                                "JOIN blogs b ON b.id = p.blog_id "
                                "WHERE p.id = $1 AND p.status = 'published'"));
    post->bind(1, post_id);
    CARNET_TRY(published, post->step());
    if (!published) return {};
    const auto blog_id = post->column_int(0);
    const auto title = post->column_text(1);
    const auto body = search::search_text_from_html(post->column_text(2));
    const auto locale = post->column_text(3);
    post->reset();
    static const auto sql = fmt::format(
        "INSERT INTO post_search (post_id, blog_id, title, body, document, words) "
        "SELECT $1, $2, $3, $4, {}",
        search_vectors_sql("$3", "$4", "$5::text"));
    CARNET_TRY(insert, db.prepare(sql));
    insert->bind(1, post_id).bind(2, blog_id).bind(3, title).bind(4, body).bind(5, locale);
    return insert->run();
}

Result<std::int64_t> Transaction::category_id_for(std::int64_t blog_id,
                                                  const model::Category& category) {
    if (category.name.empty()) {
        return model::fail(Error::Code::invalid_input, "a category needs a name");
    }
    const auto slug = category.slug.empty() ? model::make_slug(category.name) : category.slug;
    CARNET_TRY(insert, db.prepare("INSERT INTO categories (blog_id, name, slug) "
                                  "VALUES ($1, $2, $3) ON CONFLICT (blog_id, slug) DO NOTHING"));
    insert->bind(1, blog_id).bind(2, category.name).bind(3, slug);
    CARNET_CHECK(insert->run());
    CARNET_TRY(select, db.prepare("SELECT id FROM categories WHERE blog_id = $1 AND slug = $2"));
    select->bind(1, blog_id).bind(2, slug);
    CARNET_TRY(has_row, select->step());
    if (!has_row) return model::fail(Error::Code::internal, "category vanished after insert");
    const auto id = select->column_int(0);
    select->reset();
    return id;
}

std::int64_t Transaction::now_seconds() const { return rows::seconds_of(clock.now()); }

Result<int> Transaction::rebuild_search_index() {
    CARNET_CHECK(db.execute("DELETE FROM post_search"));
    CARNET_TRY(posts, db.prepare("SELECT id FROM posts WHERE status = 'published' ORDER BY id"));
    std::vector<std::int64_t> ids;
    CARNET_CHECK(rows::for_each_row(
        *posts, [&](const Statement& row) { ids.push_back(row.column_int(0)); }));
    for (auto id : ids) CARNET_CHECK(reindex_post(id));
    CARNET_TRY(blogs, db.prepare("SELECT id FROM blogs"));
    CARNET_CHECK(rows::for_each_row(
        *blogs, [&](const Statement& row) { touched_blogs.insert(row.column_int(0)); }));
    return static_cast<int>(ids.size());
}

Database::Database(std::string uri, const Clock& clock, std::unique_ptr<Connection> writer,
                   std::unique_ptr<Connection> poller)
    : uri_(std::move(uri)), clock_(clock), writer_(std::move(writer)), poller_(std::move(poller)) {}

namespace {

// False for a connection the server closed (a restart, pg_terminate_backend): the server's
// last words are read without waiting (PQconsumeInput), which tells libpq it is gone. A
// connection cut by the network is only found out by the query that fails.
bool is_alive(Connection& connection) {
    return PQconsumeInput(connection.get()) != 0 && PQstatus(connection.get()) == CONNECTION_OK;
}

}  // namespace

Status Database::reconnect_if_broken(std::unique_ptr<Connection>& connection) {
    if (connection && is_alive(*connection)) return {};
    CARNET_TRY(opened, Connection::open(uri_));
    connection = std::move(opened);
    return {};
}

Status Database::write(const std::function<Status(Transaction&)>& body) {
    std::scoped_lock lock(writer_mutex_);
    CARNET_CHECK(reconnect_if_broken(writer_));
    if (auto began = writer_->execute("BEGIN"); !began) {
        // A connection lost since its last use fails here, before anything was written:
        // once more on a new one.
        if (PQstatus(writer_->get()) == CONNECTION_OK) return began;
        CARNET_CHECK(reconnect_if_broken(writer_));
        CARNET_CHECK(writer_->execute("BEGIN"));
    }
    Transaction transaction(*writer_, clock_);
    auto outcome = [&]() -> Status {
        CARNET_TRY(serialize, writer_->prepare("SELECT pg_advisory_xact_lock($1)"));
        serialize->bind(1, k_writer_lock);
        return serialize->run();
    }();
    if (outcome) outcome = body(transaction);
    std::unordered_map<std::int64_t, std::uint64_t> new_generations;
    if (outcome) outcome = bump_generations(transaction, new_generations);
    if (outcome) outcome = writer_->execute("COMMIT");
    if (!outcome) {
        (void)writer_->execute("ROLLBACK");
        return outcome;
    }
    generations_.change([&](Generations::Table& table) {
        for (const auto& [blog_id, generation] : new_generations) table[blog_id] = generation;
    });
    return {};
}

std::uint64_t Database::generation(std::int64_t blog_id) const { return generations_.get(blog_id); }

Status Database::poll_external_changes() {
    std::scoped_lock lock(poller_mutex_);
    if (!listening_ || PQstatus(poller_->get()) != CONNECTION_OK) return catch_up_locked();
    // Reads what the server sent without waiting: no query while nothing changed.
    if (PQconsumeInput(poller_->get()) == 0) return catch_up_locked();
    std::unordered_map<std::int64_t, std::uint64_t> heard;
    while (PGnotify* notification = PQnotifies(poller_->get())) {
        std::int64_t blog_id = 0;
        std::uint64_t generation = 0;
        if (std::sscanf(notification->extra, "%" SCNd64 " %" SCNu64, &blog_id, &generation) == 2) {
            auto& newest = heard[blog_id];
            newest = std::max(newest, generation);
        }
        PQfreemem(notification);
    }
    if (heard.empty()) return {};
    generations_.change([&](Generations::Table& table) {
        for (const auto& [blog_id, generation] : heard) {
            auto& known = table[blog_id];
            known = std::max(known, generation);
        }
    });
    return {};
}

Status Database::catch_up_locked() {
    // Listening first, then reading every generation: a write that commits in between is
    // both heard and read, none is missed.
    listening_ = false;
    CARNET_CHECK(reconnect_if_broken(poller_));
    CARNET_CHECK(poller_->execute("LISTEN " + std::string(k_generations_channel)));
    listening_ = true;
    CARNET_TRY(statement, poller_->prepare("SELECT id, generation FROM blogs"));
    std::unordered_map<std::int64_t, std::uint64_t> loaded;
    CARNET_CHECK(rows::for_each_row(*statement, [&](const Statement& row) {
        loaded[row.column_int(0)] = static_cast<std::uint64_t>(row.column_int(1));
    }));
    generations_.change([&](Generations::Table& table) {
        // A generation heard from this process's own writer may be newer than what the
        // poller's snapshot read: keep the newest.
        for (auto& [blog_id, generation] : loaded) {
            auto found = table.find(blog_id);
            if (found != table.end()) generation = std::max(generation, found->second);
        }
        table = std::move(loaded);
    });
    return {};
}

Result<Database::Reader> Database::acquire_reader() {
    {
        std::scoped_lock lock(pool_mutex_);
        while (!idle_readers_.empty()) {
            auto connection = std::move(idle_readers_.back());
            idle_readers_.pop_back();
            if (is_alive(*connection)) return Reader(*this, std::move(connection));
        }
    }
    auto opened = Connection::open(uri_);
    if (!opened) return std::unexpected(opened.error());
    // Readers read: a bug that writes through one fails instead of bypassing the writer
    // (and its generations).
    auto read_only = (*opened)->execute("SET default_transaction_read_only = on");
    if (!read_only) return std::unexpected(read_only.error());
    return Reader(*this, std::move(*opened));
}

void Database::release_reader(std::unique_ptr<Connection> connection) {
    // A connection the server dropped is closed rather than handed out again.
    if (PQstatus(connection->get()) != CONNECTION_OK) return;
    std::scoped_lock lock(pool_mutex_);
    idle_readers_.push_back(std::move(connection));
}

Status Database::bump_generations(
    const Transaction& transaction,
    std::unordered_map<std::int64_t, std::uint64_t>& new_generations) {
    // pg_notify is transactional: the other nodes hear of the new generation as it commits,
    // never of one that rolled back.
    CARNET_TRY(bump,
               writer_->prepare("WITH bumped AS (UPDATE blogs SET generation = generation + 1, "
                                "contents_generation = contents_generation + $2 "
                                "WHERE id = $1 RETURNING generation) "
                                "SELECT generation, pg_notify('" +
                                std::string(k_generations_channel) +
                                "', $1::text || ' ' || generation::text) FROM bumped"));
    auto bump_one = [&](std::int64_t blog_id, bool contents) -> Status {
        bump->reset();
        bump->bind(1, blog_id).bind(2, std::int64_t{contents ? 1 : 0});
        CARNET_TRY(has_row, bump->step());
        if (has_row) new_generations[blog_id] = static_cast<std::uint64_t>(bump->column_int(0));
        return {};
    };
    for (auto blog_id : transaction.touched_blogs) CARNET_CHECK(bump_one(blog_id, true));
    for (auto blog_id : transaction.touched_blogs_around_contents) {
        if (!transaction.touched_blogs.contains(blog_id)) CARNET_CHECK(bump_one(blog_id, false));
    }
    bump->reset();
    return {};
}

}  // namespace carnet::store::pg
