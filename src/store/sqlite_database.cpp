#include "store/sqlite_database.hpp"

#include <fmt/format.h>

#include <array>
#include <iterator>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "store/search.hpp"
#include "store/sqlite_rows.hpp"

namespace carnet::store::sqlite {
namespace {

using model::Error;

// How many posts a transaction indexes before its search tables are merged as it commits,
// and before it gets a larger page cache.
constexpr std::size_t k_bulk_indexed_posts = 1000;
// The writer's page cache for the rest of a bulk write: the b-trees an import fills stay in
// memory instead of being written to the journal and read back.
constexpr int k_bulk_cache_kib = 128 * 1024;

// FTS5 holds the tokens of the rows it is given in memory and writes them out as a new b-tree
// each time they pass 'hashsize' (1 MiB by default), merging b-trees as they pile up
// ('automerge', 'crisismerge'). A bulk write merges them all into one at its end anyway
// (merge_search_index_after_bulk_writes): merging along the way rewrote the index several
// times over, and the small flushes made ten times as many b-trees to merge. At 10,000 posts
// these settings took a quarter off the import's CPU time, for 20 MiB more memory. They hold
// for the bulk statement only: the table's own settings come back after it.
struct Fts5Setting {
    std::string_view name;
    std::int64_t bulk;
    std::int64_t standard;  // FTS5's default, for a table that has none of its own
};
constexpr std::array<Fts5Setting, 3> k_bulk_fts5_settings{{
    {"hashsize", 16 * 1024 * 1024, 1024 * 1024},
    {"automerge", 0, 4},
    {"crisismerge", 1000, 16},
}};

// Sets the search table's FTS5 settings for a bulk write, and back as they were when `restore`
// runs.
class BulkFts5Settings {
public:
    [[nodiscard]] static Result<BulkFts5Settings> apply(Connection& db, std::string_view table) {
        BulkFts5Settings settings(db, table);
        for (const auto& setting : k_bulk_fts5_settings) {
            CARNET_TRY(current,
                       db.prepare(fmt::format("SELECT v FROM {}_config WHERE k = ?1", table)));
            current->bind(1, setting.name);
            CARNET_TRY(has_row, current->step());
            settings.previous_.push_back(has_row ? std::optional(current->column_int(0))
                                                 : std::nullopt);
            current->reset();
            CARNET_CHECK(settings.set(setting.name, setting.bulk));
        }
        return settings;
    }

    [[nodiscard]] Status restore() {
        for (std::size_t i = 0; i < k_bulk_fts5_settings.size(); ++i) {
            const auto& setting = k_bulk_fts5_settings[i];
            CARNET_CHECK(set(setting.name, previous_[i].value_or(setting.standard)));
            // Set through FTS5, so that this connection's copy of the settings follows; a table
            // that had none is left with none, as it was.
            if (!previous_[i]) {
                CARNET_TRY(forget,
                           db_->prepare(fmt::format("DELETE FROM {}_config WHERE k = ?1", table_)));
                forget->bind(1, setting.name);
                CARNET_CHECK(forget->run());
            }
        }
        return {};
    }

private:
    BulkFts5Settings(Connection& db, std::string_view table) : db_(&db), table_(table) {}

    [[nodiscard]] Status set(std::string_view name, std::int64_t value) {
        CARNET_TRY(statement, db_->prepare(fmt::format(
                                  "INSERT INTO {0} ({0}, rank) VALUES (?1, ?2)", table_)));
        statement->bind(1, name).bind(2, value);
        return statement->run();
    }

    Connection* db_;
    std::string_view table_;
    std::vector<std::optional<std::int64_t>> previous_;
};

}  // namespace

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

// After a transaction that indexed many posts (an import), merges each search table's
// b-trees into one, as a rebuild does. Writing leaves them as FTS5's automerge does:
// at 100,000 posts written at once, 21 of them, which every query term seeks in turn
// (p99 up to twice as long). Merging took 29 s there, a tenth of the writing; posts
// published one by one add small b-trees that cost little to search.
Status Transaction::merge_search_index_after_bulk_writes() {
    if (reindexed_posts_ < k_bulk_indexed_posts) return {};
    for (const auto& search_table : k_search_tables) {
        CARNET_CHECK(db.execute(
            fmt::format("INSERT INTO {0} ({0}) VALUES ('optimize')", search_table.table)));
    }
    return {};
}

// Empties the search tables and indexes every published post again; every blog gets a
// new generation. Returns how many posts were indexed.
Result<int> Transaction::rebuild_search_index() {
    noted_posts_.clear();  // every post is indexed below
    // Each table is made again from its own definition: a DELETE would tokenize every
    // post's old text to take it out of the index (a third of a rebuild's time at
    // 100,000 posts).
    for (const auto& search_table : k_search_tables) {
        CARNET_TRY(definition, db.prepare("SELECT sql FROM sqlite_schema "
                                          "WHERE type = 'table' AND name = ?1"));
        definition->bind(1, search_table.table);
        CARNET_TRY(has_definition, definition->step());
        if (!has_definition) {
            return model::fail(Error::Code::database,
                               fmt::format("the search table {} is missing", search_table.table));
        }
        const auto sql = definition->column_text(0);
        definition->reset();
        CARNET_CHECK(db.execute(fmt::format("DROP TABLE {}", search_table.table)));
        CARNET_CHECK(db.execute(sql));
    }
    CARNET_CHECK(db.execute("DELETE FROM search_terms"));
    use_bulk_cache();
    int indexed = 0;
    for (const auto& [table, locale] : k_search_tables) {
        // Every post, tokenized on every core as an import's are, then merged into one b-tree.
        CARNET_CHECK(index_in_bulk(table, locale, std::numeric_limits<std::int64_t>::min(),
                                   std::numeric_limits<std::int64_t>::max()));
        CARNET_CHECK(db.execute(fmt::format("INSERT INTO {0} ({0}) VALUES ('optimize')", table)));
        CARNET_TRY(count, db.prepare(fmt::format("SELECT count(*) FROM {}", table)));
        CARNET_TRY(has_row, count->step());
        if (has_row) indexed += static_cast<int>(count->column_int(0));
        count->reset();
    }
    CARNET_TRY(blogs, db.prepare("SELECT id FROM blogs"));
    while (true) {
        CARNET_TRY(has_row, blogs->step());
        if (!has_row) break;
        touched_blogs.insert(blogs->column_int(0));
    }
    blogs->reset();
    return indexed;
}

Status Transaction::reindex_post(std::int64_t post_id) {
    noted_posts_.insert(post_id);
    if (++reindexed_posts_ == k_bulk_indexed_posts) use_bulk_cache();
    return {};
}

void Transaction::use_bulk_cache() {
    if (bulk_) return;
    // Without the larger cache the write goes on as it would have: only slower.
    (void)db.execute(fmt::format("PRAGMA cache_size = -{}", k_bulk_cache_kib));
    bulk_ = true;
}

Status Transaction::index_in_bulk(std::string_view table, std::string_view locale,
                                  std::int64_t first_id, std::int64_t last_id) {
    CARNET_TRY(bulk_settings, BulkFts5Settings::apply(db, table));
    // FTS5 writes out the tokens it holds in memory when a savepoint is released, as at the
    // end of an INSERT ... SELECT: here the last of them go out under the bulk settings. Row
    // by row inserts open none, and left to the commit they went out under the table's own
    // settings, whose crisis merge then copied every b-tree at once into new pages: the file
    // came out a third larger, in free pages.
    CARNET_CHECK(db.execute("SAVEPOINT bulk_search_index"));
    CARNET_CHECK(search::index_posts_in_bulk(db.get(), table, locale, first_id, last_id));
    CARNET_CHECK(db.execute("RELEASE bulk_search_index"));
    return bulk_settings.restore();
}

// An import notes thousands of new posts with consecutive ids: each run of them leaves the
// index and comes back in two statements, which FTS5 tokenizes in one go, instead of two
// lookups and two inserts per post between the rows of every other table.
Status Transaction::index_noted_posts() {
    for (auto run = noted_posts_.begin(); run != noted_posts_.end();) {
        auto last = run;
        for (auto next = std::next(last); next != noted_posts_.end() && *next == *last + 1;
             ++next) {
            last = next;
        }
        const bool bulk_run = *last - *run + 1 >= static_cast<std::int64_t>(k_bulk_indexed_posts);
        for (const auto& [table, locale] : k_search_tables) {
            CARNET_TRY(remove, db.prepare(fmt::format(
                                   "DELETE FROM {} WHERE rowid BETWEEN ?1 AND ?2", table)));
            remove->bind(1, *run).bind(2, *last);
            CARNET_CHECK(remove->run());
            if (bulk_run) {
                CARNET_CHECK(index_in_bulk(table, locale, *run, *last));
            } else {
                CARNET_TRY(insert,
                           db.prepare(fmt::format(
                               "INSERT INTO {} (rowid, title, body, blog) "
                               "SELECT p.id, p.title, carnet_search_text(p.html), p.blog_id "
                               "FROM posts p "
                               "JOIN blogs b ON b.id = p.blog_id "
                               "WHERE p.id BETWEEN ?1 AND ?2 AND p.status = 'published' "
                               "AND b.locale = '{}' ORDER BY p.id",
                               table, locale)));
                insert->bind(1, *run).bind(2, *last);
                CARNET_CHECK(insert->run());
            }
        }
        run = std::next(last);
    }
    noted_posts_.clear();
    return {};
}

Result<std::int64_t> Transaction::category_id_for(std::int64_t blog_id,
                                                  const model::Category& category) {
    if (category.name.empty()) {
        return model::fail(Error::Code::invalid_input, "a category needs a name");
    }
    const auto slug = category.slug.empty() ? model::make_slug(category.name) : category.slug;
    CARNET_TRY(insert, db.prepare("INSERT INTO categories (blog_id, name, slug) "
                                  "VALUES (?1, ?2, ?3) ON CONFLICT (blog_id, slug) DO NOTHING"));
    insert->bind(1, blog_id).bind(2, category.name).bind(3, slug);
    CARNET_CHECK(insert->run());
    CARNET_TRY(select, db.prepare("SELECT id FROM categories WHERE blog_id = ?1 AND slug = ?2"));
    select->bind(1, blog_id).bind(2, slug);
    CARNET_TRY(has_row, select->step());
    if (!has_row) return model::fail(Error::Code::internal, "category vanished after insert");
    const auto id = select->column_int(0);
    select->reset();
    return id;
}

std::int64_t Transaction::now_seconds() const { return rows::seconds_of(clock.now()); }

Database::Database(std::filesystem::path path, const Clock& clock,
                   std::unique_ptr<Connection> writer, std::unique_ptr<Connection> poller)
    : path_(std::move(path)),
      clock_(clock),
      writer_(std::move(writer)),
      poller_(std::move(poller)) {}

Status Database::load_generations() {
    std::scoped_lock lock(poller_mutex_);
    return reload_generations_locked();
}

Status Database::write(const std::function<Status(Transaction&)>& body) {
    std::scoped_lock lock(writer_mutex_);
    CARNET_CHECK(writer_->execute("BEGIN IMMEDIATE"));
    Transaction transaction(*writer_, clock_);
    auto outcome = body(transaction);
    std::unordered_map<std::int64_t, std::uint64_t> new_generations;
    if (outcome) outcome = transaction.index_noted_posts();
    if (outcome) outcome = bump_generations(transaction, new_generations);
    if (outcome) outcome = transaction.merge_search_index_after_bulk_writes();
    if (outcome) outcome = collect_new_search_terms(*writer_, true);
    if (outcome) outcome = writer_->execute("COMMIT");
    if (!outcome) {
        (void)writer_->execute("ROLLBACK");
        (void)collect_new_search_terms(*writer_, false);
    }
    if (transaction.bulk()) {
        // The bulk write's cache goes with it.
        (void)writer_->execute(fmt::format("PRAGMA cache_size = {}", k_default_cache_size));
    }
    if (!outcome) return outcome;
    generations_.change([&](Generations::Table& table) {
        for (const auto& [blog_id, generation] : new_generations) table[blog_id] = generation;
    });
    return {};
}

std::uint64_t Database::generation(std::int64_t blog_id) const { return generations_.get(blog_id); }

Status Database::poll_external_changes() {
    std::scoped_lock lock(poller_mutex_);
    CARNET_TRY(statement, poller_->prepare("PRAGMA data_version"));
    CARNET_TRY(has_row, statement->step());
    const auto version = has_row ? statement->column_int(0) : 0;
    statement->reset();
    if (version == last_data_version_) return {};
    last_data_version_ = version;
    return reload_generations_locked();
}

Result<Database::Reader> Database::acquire_reader() {
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

void Database::release_reader(std::unique_ptr<Connection> connection) {
    std::scoped_lock lock(pool_mutex_);
    idle_readers_.push_back(std::move(connection));
}

Status Database::bump_generations(
    const Transaction& transaction,
    std::unordered_map<std::int64_t, std::uint64_t>& new_generations) {
    CARNET_TRY(bump, writer_->prepare("UPDATE blogs SET generation = generation + 1, "
                                      "contents_generation = contents_generation + ?2 "
                                      "WHERE id = ?1 RETURNING generation"));
    auto bump_one = [&](std::int64_t blog_id, bool contents) -> Status {
        bump->reset();
        bump->bind(1, blog_id).bind(2, contents ? 1 : 0);
        CARNET_TRY(has_row, bump->step());
        if (has_row) new_generations[blog_id] = static_cast<std::uint64_t>(bump->column_int(0));
        CARNET_TRY(done, bump->step());
        (void)done;
        return {};
    };
    for (auto blog_id : transaction.touched_blogs) CARNET_CHECK(bump_one(blog_id, true));
    for (auto blog_id : transaction.touched_blogs_around_contents) {
        if (!transaction.touched_blogs.contains(blog_id)) CARNET_CHECK(bump_one(blog_id, false));
    }
    bump->reset();
    return {};
}

Status Database::reload_generations_locked() {
    CARNET_TRY(statement, poller_->prepare("SELECT id, generation FROM blogs"));
    std::unordered_map<std::int64_t, std::uint64_t> loaded;
    while (true) {
        CARNET_TRY(has_row, statement->step());
        if (!has_row) break;
        loaded[statement->column_int(0)] = static_cast<std::uint64_t>(statement->column_int(1));
    }
    statement->reset();
    generations_.change([&](Generations::Table& table) { table = std::move(loaded); });
    return {};
}

}  // namespace carnet::store::sqlite
