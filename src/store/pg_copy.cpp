#include "store/pg_copy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

#include "store/pg_database.hpp"
#include "store/pg_rows.hpp"
#include "store/search.hpp"

namespace carnet::store::pg {

namespace {

using copy::Cell;
using copy::Row;
using copy::sql_name;
using copy::sql_names;
using copy::TableShape;

// Rows are read through a cursor this many at a time, so that a table of 100,000 posts never
// sits in memory whole; and written with COPY, sent in pieces of about this many bytes.
constexpr int k_rows_per_fetch = 500;
constexpr std::size_t k_copy_chunk_bytes = 1 << 20;

// The row triggers that keep the posts' counts (pg_migrations.hpp), and the statements that
// count the same all at once. Each post added bumps its blog's month and its categories: in
// one transaction every bump makes one more version of the same few rows, which the next one
// walks past (PostgreSQL cannot prune them before the commit), so a copy of N posts through the
// triggers costs N^2 (the COPY of posts and of their categories took 28 s at 20,000 posts). A copy
// turns them off and counts once when the rows are in; the check against the source's counts that
// follows (migrate.cpp) holds the counting to the triggers' results.
constexpr std::array<std::pair<std::string_view, std::string_view>, 2> k_counting_triggers = {{
    {"posts", "posts_counts_after_insert"},
    {"post_categories", "post_categories_counts"},
}};
constexpr std::array<std::string_view, 2> k_count_all_at_once = {
    // blog_counts follows month_counts through its own trigger: one bump per month.
    "INSERT INTO month_counts (blog_id, year, month, posts) "
    "SELECT blog_id, CAST(substr(published_local, 1, 4) AS INTEGER), "
    "CAST(substr(published_local, 6, 2) AS INTEGER), count(*) "
    "FROM posts WHERE status = 'published' GROUP BY 1, 2, 3",
    "UPDATE categories SET published_posts = counted.posts FROM ("
    "SELECT pc.category_id, count(*) AS posts FROM post_categories pc "
    "JOIN posts p ON p.id = pc.post_id WHERE p.status = 'published' GROUP BY 1) counted "
    "WHERE counted.category_id = categories.id",
};

// The tables the search index of a copy is made through (index_every_published_post), made
// and dropped in the copy's transaction: the posts' texts, then their tsvectors. Not
// temporary tables, which parallel workers cannot read.
constexpr std::string_view k_search_texts = "carnet_copy_search_texts";
constexpr std::string_view k_search_vectors = "carnet_copy_search_vectors";

// The schema's bookkeeping and the search index are made by the target, not copied.
bool is_made_not_copied(std::string_view table) {
    return table == "schema_migrations" || table == "post_search";
}

Result<ResultHandle> run(Connection& db, const std::string& sql, ExecStatusType expected) {
    ResultHandle result(PQexec(db.get(), sql.c_str()));
    if (PQresultStatus(result.get()) != expected) {
        return std::unexpected(error_from(result.get(), db.get(), sql.substr(0, 200)));
    }
    return result;
}

Result<std::vector<std::string>> text_column(Statement& rows) {
    std::vector<std::string> values;
    while (true) {
        CARNET_TRY(has_row, rows.step());
        if (!has_row) return values;
        values.push_back(rows.column_text(0));
    }
}

class PgTableReader : public virtual copy::TableReader {
public:
    explicit PgTableReader(Connection& db) : db_(db) {}

    Result<std::vector<TableShape>> tables() override {
        CARNET_TRY(names, db_.prepare("SELECT c.relname FROM pg_class c JOIN pg_namespace n "
                                      "ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
                                      "AND n.nspname = current_schema() ORDER BY 1"));
        CARNET_TRY(all_names, text_column(*names));
        std::vector<TableShape> tables;
        for (auto& name : all_names) {
            if (!is_made_not_copied(name)) tables.push_back({std::move(name), {}, {}, {}});
        }
        for (auto& table : tables) {
            CARNET_TRY(columns,
                       db_.prepare("SELECT column_name::text FROM "
                                   "information_schema.columns WHERE table_schema = "
                                   "current_schema() AND table_name = $1 "
                                   "AND is_generated = 'NEVER' ORDER BY ordinal_position"));
            columns->bind(1, table.name);
            CARNET_TRY(column_names, text_column(*columns));
            table.columns = std::move(column_names);
            CARNET_TRY(key,
                       db_.prepare("SELECT a.attname::text FROM pg_index i JOIN pg_attribute a "
                                   "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                                   "WHERE i.indrelid = $1::regclass AND i.indisprimary "
                                   "ORDER BY array_position(i.indkey::int2[], a.attnum)"));
            key->bind(1, table.name);
            CARNET_TRY(key_names, text_column(*key));
            table.primary_key = std::move(key_names);
            CARNET_TRY(references,
                       db_.prepare("SELECT a.attname::text, f.relname::text FROM pg_constraint k "
                                   "JOIN pg_class f ON f.oid = k.confrelid JOIN pg_attribute a "
                                   "ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey) "
                                   "WHERE k.contype = 'f' AND k.conrelid = $1::regclass"));
            references->bind(1, table.name);
            while (true) {
                CARNET_TRY(has_row, references->step());
                if (!has_row) break;
                table.foreign_keys.push_back(
                    {references->column_text(0), references->column_text(1)});
            }
        }
        return tables;
    }

    Status each_row(const TableShape& table, std::span<const std::string> columns,
                    const std::function<Status(const Row&)>& visit) override {
        const auto order =
            table.primary_key.empty() ? std::string("ctid") : sql_names(table.primary_key);
        CARNET_CHECK(run(db_,
                         fmt::format("DECLARE carnet_copy_rows NO SCROLL CURSOR FOR "
                                     "SELECT {} FROM {} ORDER BY {}",
                                     sql_names(columns), sql_name(table.name), order),
                         PGRES_COMMAND_OK));
        auto visited = [&]() -> Status {
            Row row(columns.size());
            const auto fetch = fmt::format("FETCH {} FROM carnet_copy_rows", k_rows_per_fetch);
            while (true) {
                CARNET_TRY(batch, run(db_, fetch, PGRES_TUPLES_OK));
                const int rows = PQntuples(batch.get());
                for (int r = 0; r < rows; ++r) {
                    for (std::size_t i = 0; i < columns.size(); ++i) {
                        const int at = static_cast<int>(i);
                        if (PQgetisnull(batch.get(), r, at)) {
                            row[i].reset();
                        } else {
                            row[i].emplace(
                                PQgetvalue(batch.get(), r, at),
                                static_cast<std::size_t>(PQgetlength(batch.get(), r, at)));
                        }
                    }
                    CARNET_CHECK(visit(row));
                }
                if (rows < k_rows_per_fetch) return {};
            }
        }();
        if (!visited) return visited;
        return db_.execute("CLOSE carnet_copy_rows");
    }

    Result<std::int64_t> row_count(std::string_view table) override {
        CARNET_TRY(count, run(db_, fmt::format("SELECT count(*) FROM {}", sql_name(table)),
                              PGRES_TUPLES_OK));
        return std::strtoll(PQgetvalue(count.get(), 0, 0), nullptr, 10);
    }

protected:
    Connection& db_;
};

// COPY's text format: tab between fields, \N for NULL, backslash escapes.
void append_copy_field(std::string& line, const Cell& cell) {
    if (!cell) {
        line += "\\N";
        return;
    }
    for (char c : *cell) {
        switch (c) {
            case '\\':
                line += "\\\\";
                break;
            case '\n':
                line += "\\n";
                break;
            case '\r':
                line += "\\r";
                break;
            case '\t':
                line += "\\t";
                break;
            default:
                line += c;
        }
    }
}

class PgTableWriter final : public PgTableReader, public copy::TableWriter {
public:
    explicit PgTableWriter(Transaction& transaction)
        : PgTableReader(transaction.db), transaction_(transaction) {}

    Status insert(const TableShape& table, std::span<const std::string> columns,
                  const Row& row) override {
        if (copying_ != table.name) {
            CARNET_CHECK(flush());
            CARNET_CHECK(pause_counting());
        }
        return copy_row(table.name, columns, row);
    }

    // Sends the row to the table's COPY, which it starts when another is open.
    Status copy_row(std::string_view table, std::span<const std::string> columns, const Row& row) {
        if (copying_ != table) {
            CARNET_CHECK(flush());
            CARNET_CHECK(run(
                db_, fmt::format("COPY {} ({}) FROM STDIN", sql_name(table), sql_names(columns)),
                PGRES_COPY_IN));
            copying_ = table;
        }
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i > 0) pending_ += '\t';
            append_copy_field(pending_, row[i]);
        }
        pending_ += '\n';
        if (pending_.size() >= k_copy_chunk_bytes) return send_pending();
        return {};
    }

    Status update(const TableShape& table, std::string_view column, const Cell& value,
                  std::span<const Cell> key) override {
        CARNET_CHECK(flush());
        const auto where = copy::key_condition(table.primary_key, 2, '$');
        CARNET_TRY(statement,
                   db_.prepare(fmt::format("UPDATE {} SET {} = $1 WHERE {}", sql_name(table.name),
                                           sql_name(column), where)));
        statement->bind(1, value);
        for (std::size_t i = 0; i < key.size(); ++i) {
            statement->bind(static_cast<int>(i + 2), key[i]);
        }
        return statement->run();
    }

    Status flush() override {
        if (copying_.empty()) return {};
        CARNET_CHECK(send_pending());
        copying_.clear();
        if (PQputCopyEnd(db_.get(), nullptr) != 1) {
            return std::unexpected(error_from(nullptr, db_.get(), "COPY"));
        }
        Status status;
        while (PGresult* raw = PQgetResult(db_.get())) {
            ResultHandle result(raw);
            if (status && PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
                status = std::unexpected(error_from(result.get(), db_.get(), "COPY"));
            }
        }
        return status;
    }

    Status clear_all(std::span<const TableShape> tables) override {
        CARNET_TRY(newest,
                   run(db_, "SELECT coalesce(max(generation), 0) FROM blogs", PGRES_TUPLES_OK));
        replaced_generation_ = std::strtoll(PQgetvalue(newest.get(), 0, 0), nullptr, 10);
        std::vector<std::string> names;
        for (const auto& table : tables) names.push_back(table.name);
        names.emplace_back("post_search");
        return db_.execute(fmt::format("TRUNCATE {} RESTART IDENTITY CASCADE", sql_names(names)));
    }

    Result<int> finish() override {
        CARNET_CHECK(flush());
        CARNET_CHECK(count_all_at_once());
        CARNET_TRY(identities, db_.prepare("SELECT table_name::text, column_name::text FROM "
                                           "information_schema.columns WHERE table_schema = "
                                           "current_schema() AND is_identity = 'YES'"));
        std::vector<std::pair<std::string, std::string>> columns;
        while (true) {
            CARNET_TRY(has_row, identities->step());
            if (!has_row) break;
            columns.emplace_back(identities->column_text(0), identities->column_text(1));
        }
        for (const auto& [table, column] : columns) {
            CARNET_CHECK(db_.execute(
                fmt::format("SELECT setval(pg_get_serial_sequence('{0}', '{1}'), "
                            "coalesce((SELECT max({2}) FROM {3}), 0) + 1, false)",
                            sql_name(table), column, sql_name(column), sql_name(table))));
        }
        // Nodes serving the database keep pages by blog id and generation, and sidebars by
        // contents generation (never above the generation): a restored blog's generations
        // start past every one they may hold.
        if (replaced_generation_ > 0) {
            CARNET_TRY(bump, db_.prepare("UPDATE blogs SET generation = generation + $1, "
                                         "contents_generation = contents_generation + $1"));
            bump->bind(1, replaced_generation_);
            CARNET_CHECK(bump->run());
        }
        CARNET_TRY(indexed, index_every_published_post());
        // The planner's statistics of the copied rows, which autovacuum would gather only a
        // while after the commit: without them a search at 100,000 posts walked every post of
        // the blog (1 s) instead of the newest ones (a few ms).
        CARNET_CHECK(db_.execute("ANALYZE"));
        return indexed;
    }

    // Ends a COPY in progress without its rows.
    void abandon() {
        if (copying_.empty()) return;
        copying_.clear();
        pending_.clear();
        if (PQputCopyEnd(db_.get(), "abandoned") != 1) return;
        while (PGresult* raw = PQgetResult(db_.get())) PQclear(raw);
    }

private:
    // Turns the counting triggers off until count_all_at_once; inside the transaction, so that
    // a copy rolled back leaves them on.
    Status pause_counting() {
        if (counting_paused_) return {};
        for (const auto& [table, trigger] : k_counting_triggers) {
            CARNET_CHECK(db_.execute(fmt::format("ALTER TABLE {} DISABLE TRIGGER {}",
                                                 sql_name(table), sql_name(trigger))));
        }
        counting_paused_ = true;
        return {};
    }

    Status count_all_at_once() {
        if (!counting_paused_) return {};
        for (auto statement : k_count_all_at_once) CARNET_CHECK(db_.execute(statement));
        for (const auto& [table, trigger] : k_counting_triggers) {
            CARNET_CHECK(db_.execute(fmt::format("ALTER TABLE {} ENABLE TRIGGER {}",
                                                 sql_name(table), sql_name(trigger))));
        }
        counting_paused_ = false;
        return {};
    }

    // The search index of the copied posts, made all at once: to_tsvector is most of a
    // copy's time, and row by row it ran on one core while each row also went into the GIN
    // indexes one at a time. Here the posts' texts go into a table in bulk (COPY), their
    // tsvectors are computed in one CREATE TABLE AS, which PostgreSQL may share among
    // parallel workers (an INSERT's SELECT runs on one), and the GIN indexes are built
    // once the rows are in, with memory enough to sort their entries in one go. Every table
    // is emptied and nobody reads the target before the commit, so the indexes may go.
    Result<int> index_every_published_post() {
        CARNET_CHECK(db_.execute("SET LOCAL maintenance_work_mem = '512MB'"));
        CARNET_TRY(indexes,
                   run(db_,
                       "SELECT c.relname::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                       "JOIN pg_class c ON c.oid = i.indexrelid "
                       "WHERE i.indrelid = 'post_search'::regclass AND NOT i.indisprimary",
                       PGRES_TUPLES_OK));
        std::vector<std::string> index_names;
        std::vector<std::string> index_definitions;
        for (int r = 0; r < PQntuples(indexes.get()); ++r) {
            index_names.emplace_back(PQgetvalue(indexes.get(), r, 0));
            index_definitions.emplace_back(PQgetvalue(indexes.get(), r, 1));
        }
        if (!index_names.empty()) {
            CARNET_CHECK(db_.execute(fmt::format("DROP INDEX {}", sql_names(index_names))));
        }
        const std::array<std::string, 5> columns = {"post_id", "blog_id", "title", "body",
                                                    "locale"};
        CARNET_CHECK(
            db_.execute(fmt::format("CREATE UNLOGGED TABLE {} (post_id BIGINT, blog_id "
                                    "BIGINT, title TEXT, body TEXT, locale TEXT)",
                                    k_search_texts)));
        CARNET_CHECK(run(db_,
                         "DECLARE carnet_published_posts NO SCROLL CURSOR FOR "
                         "SELECT p.id, p.blog_id, p.title, p.html, b.locale FROM posts p "
                         "JOIN blogs b ON b.id = p.blog_id WHERE p.status = 'published'",
                         PGRES_COMMAND_OK));
        const auto fetch = fmt::format("FETCH {} FROM carnet_published_posts", k_rows_per_fetch);
        int indexed = 0;
        Row row(columns.size());
        while (true) {
            CARNET_TRY(batch, run(db_, fetch, PGRES_TUPLES_OK));
            const int rows = PQntuples(batch.get());
            for (int r = 0; r < rows; ++r) {
                for (std::size_t i = 0; i < row.size(); ++i) {
                    const int at = static_cast<int>(i);
                    row[i].emplace(PQgetvalue(batch.get(), r, at),
                                   static_cast<std::size_t>(PQgetlength(batch.get(), r, at)));
                }
                row[3] = search::search_text_from_html(*row[3]);
                CARNET_CHECK(copy_row(k_search_texts, columns, row));
            }
            // The cursor answers no FETCH while a COPY is open.
            CARNET_CHECK(flush());
            indexed += rows;
            if (rows < k_rows_per_fetch) break;
        }
        CARNET_CHECK(db_.execute("CLOSE carnet_published_posts"));
        CARNET_CHECK(db_.execute(
            fmt::format("CREATE UNLOGGED TABLE {} AS SELECT post_id, {} FROM {}", k_search_vectors,
                        search_vectors_sql("title", "body", "locale"), k_search_texts)));
        CARNET_CHECK(db_.execute(
            fmt::format("INSERT INTO post_search (post_id, blog_id, title, body, document, words) "
                        "SELECT t.post_id, t.blog_id, t.title, t.body, v.document, v.words "
                        "FROM {} t JOIN {} v ON v.post_id = t.post_id; DROP TABLE {}, {}",
                        k_search_texts, k_search_vectors, k_search_texts, k_search_vectors)));
        for (const auto& definition : index_definitions) CARNET_CHECK(db_.execute(definition));
        CARNET_TRY(blogs, db_.prepare("SELECT id FROM blogs"));
        CARNET_CHECK(rows::for_each_row(*blogs, [&](const Statement& blog) {
            transaction_.touched_blogs.insert(blog.column_int(0));
        }));
        return indexed;
    }

    Status send_pending() {
        if (pending_.empty()) return {};
        if (PQputCopyData(db_.get(), pending_.data(), static_cast<int>(pending_.size())) != 1) {
            return std::unexpected(error_from(nullptr, db_.get(), "COPY"));
        }
        pending_.clear();
        return {};
    }

    Transaction& transaction_;
    std::string copying_;
    std::string pending_;
    std::int64_t replaced_generation_ = 0;
    bool counting_paused_ = false;
};

}  // namespace

Status read_table_snapshot(Database& database,
                           const std::function<Status(copy::TableReader&)>& body) {
    return database.read([&](Connection& db) -> Status {
        PgTableReader reader(db);
        return copy::in_transaction(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                                    [&] { return body(reader); });
    });
}

Status write_tables(Database& database, const std::function<Status(copy::TableWriter&)>& body) {
    return database.write([&](Transaction& transaction) -> Status {
        PgTableWriter writer(transaction);
        auto written = body(writer);
        // A COPY still open would leave the connection unable to roll back.
        if (!written) writer.abandon();
        return written;
    });
}

}  // namespace carnet::store::pg
