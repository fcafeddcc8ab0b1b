#include <fmt/format.h>

#include "store/migrations.hpp"
#include "store/sql_store.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_concerns.hpp"
#include "store/sqlite_database.hpp"
#include "store/sqlite_rows.hpp"
#include "store/store.hpp"

namespace carnet::store {
namespace {

using model::Error;
using sqlite::Connection;

using namespace rows;

// The database and every concern over it, with this backend's search.
using SqliteStore = sql::StoreFor<sql::SqliteBackend, sqlite::SqliteSearchStore>;

// The posts a rebuilding migration goes through, for its announcement.
Result<std::int64_t> count_posts(Connection& db) {
    CARNET_TRY(count, db.prepare("SELECT count(*) FROM posts"));
    CARNET_TRY(has_row, count->step());
    const std::int64_t posts = has_row ? count->column_int(0) : 0;
    count->reset();
    return posts;
}

Status migrate(Connection& db, const Clock& clock, const MigrationReport& report) {
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
            // A database without posts has nothing to wait for.
            bool announced = false;
            const auto started = clock.now();
            if (report && !migration.rebuilds.empty()) {
                CARNET_TRY(posts, count_posts(db));
                announced = posts > 0;
                if (announced) {
                    report(fmt::format("applying migration {}: rebuilding {} of {} posts",
                                       migration.version, migration.rebuilds, posts));
                }
            }
            CARNET_CHECK(db.execute(migration.sql));
            if (announced) {
                report(fmt::format("migration {} applied in {} s", migration.version,
                                   (clock.now() - started).count()));
            }
            CARNET_TRY(record, db.prepare("INSERT INTO schema_migrations (version, applied_at) "
                                          "VALUES (?1, ?2)"));
            record->bind(1, migration.version).bind(2, seconds_of(clock.now()));
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

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path, OpenMode mode,
                                                 const Clock& clock,
                                                 const MigrationReport& report) {
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
    CARNET_CHECK(migrate(*writer, clock, report));
    // A migration that indexed posts listed their long tokens too (one statement, so one
    // transaction).
    CARNET_CHECK(sqlite::collect_new_search_terms(*writer, true));
    CARNET_TRY(poller, Connection::open(path, false));
    auto store = std::make_unique<SqliteStore>(path, clock, std::move(writer), std::move(poller));
    CARNET_CHECK(store->database().load_generations());
    CARNET_CHECK(store->poll_external_changes());
    return std::unique_ptr<Store>(std::move(store));
}

}  // namespace carnet::store
