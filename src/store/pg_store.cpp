#include <fmt/format.h>

#include "store/pg.hpp"
#include "store/pg_concerns.hpp"
#include "store/pg_database.hpp"
#include "store/pg_migrations.hpp"
#include "store/pg_rows.hpp"
#include "store/sql_store.hpp"
#include "store/store.hpp"

namespace carnet::store {
namespace {

using model::Error;
using pg::Connection;

using namespace pg::rows;

// The database and every concern over it, with this backend's search.
using PgStore = sql::StoreFor<sql::PgBackend, pg::PgSearchStore>;

// The key of the advisory lock under which migrations run: the first node to start applies
// them while the others wait, then find them applied.
constexpr std::int64_t k_migration_lock = 0x6361726e6574'0002;  // "carnet" 2

Result<bool> has_schema(Connection& db) {
    CARNET_TRY(tables, db.prepare("SELECT to_regclass('schema_migrations') IS NOT NULL"));
    CARNET_TRY(has_row, tables->step());
    const bool found = has_row && tables->column_int(0) != 0;
    tables->reset();
    return found;
}

// Applies every migration the database lacks, each in its own transaction, refusing a
// database of a newer carnet. The advisory lock is taken in each transaction (and released
// as it ends), so that two nodes never apply one migration twice.
Status migrate(Connection& db, const Clock& clock) {
    for (const auto& migration : k_postgres_migrations) {
        CARNET_CHECK(db.execute("BEGIN"));
        auto applied = [&]() -> Status {
            CARNET_TRY(lock, db.prepare("SELECT pg_advisory_xact_lock($1)"));
            lock->bind(1, k_migration_lock);
            CARNET_CHECK(lock->run());
            CARNET_CHECK(
                db.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                           "version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)"));
            CARNET_TRY(newest,
                       db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations"));
            CARNET_TRY(newest_row, newest->step());
            const auto version = newest_row ? newest->column_int(0) : 0;
            newest->reset();
            if (version > k_postgres_migrations.back().version) {
                return model::fail(Error::Code::invalid_input,
                                   fmt::format("this database has schema version {}, newer than "
                                               "this carnet knows ({})",
                                               version, k_postgres_migrations.back().version));
            }
            CARNET_TRY(check, db.prepare("SELECT 1 FROM schema_migrations WHERE version = $1"));
            check->bind(1, migration.version);
            CARNET_TRY(done_before, check->step());
            check->reset();
            if (done_before) return {};
            CARNET_CHECK(db.execute(migration.sql));
            CARNET_TRY(record, db.prepare("INSERT INTO schema_migrations (version, applied_at) "
                                          "VALUES ($1, $2)"));
            record->bind(1, migration.version).bind(2, seconds_of(clock.now()));
            return record->run();
        }();
        if (!applied) {
            (void)db.execute("ROLLBACK");
            if (applied.error().code == Error::Code::invalid_input) return applied;
            return model::fail(
                Error::Code::database,
                fmt::format("migration {} failed: {}", migration.version, applied.error().message));
        }
        CARNET_CHECK(db.execute("COMMIT"));
    }
    return {};
}

// Refuses a database that holds tables of something else.
Status check_schema_is_ours(Connection& db) {
    CARNET_TRY(ours, has_schema(db));
    if (ours) return {};
    CARNET_TRY(tables, db.prepare("SELECT count(*) FROM pg_catalog.pg_tables "
                                  "WHERE schemaname = current_schema()"));
    CARNET_TRY(has_row, tables->step());
    const auto table_count = has_row ? tables->column_int(0) : 0;
    tables->reset();
    if (table_count != 0) {
        return model::fail(Error::Code::invalid_input, "this database was not made by carnet");
    }
    return {};
}

}  // namespace

bool is_postgres_uri(std::string_view db) {
    return db.starts_with("postgres://") || db.starts_with("postgresql://");
}

Result<std::unique_ptr<Store>> open_postgres_store(std::string_view uri, OpenMode mode,
                                                   const Clock& clock) {
    CARNET_TRY(writer, Connection::open(uri));
    CARNET_TRY(exists, has_schema(*writer));
    if (!exists && mode == OpenMode::must_exist) {
        return model::fail(Error::Code::not_found,
                           "no carnet database there (create one with `carnet init`)");
    }
    CARNET_CHECK(check_schema_is_ours(*writer));
    CARNET_CHECK(migrate(*writer, clock));
    CARNET_TRY(poller, Connection::open(uri));
    auto store =
        std::make_unique<PgStore>(std::string(uri), clock, std::move(writer), std::move(poller));
    CARNET_CHECK(store->poll_external_changes());
    return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> open_postgres_replica(std::string_view uri, const Clock& clock) {
    CARNET_TRY(reader, Connection::open(uri));
    CARNET_TRY(exists, has_schema(*reader));
    if (!exists) {
        return model::fail(Error::Code::not_found,
                           "the read database holds no carnet schema (is it a replica of the "
                           "database --db names?)");
    }
    // A standby cannot migrate: it must already be at this carnet's schema, which it is once
    // the primary's migrations have reached it.
    CARNET_TRY(newest, reader->prepare("SELECT coalesce(max(version), 0) FROM schema_migrations"));
    CARNET_TRY(newest_row, newest->step());
    const auto version = newest_row ? newest->column_int(0) : 0;
    newest->reset();
    if (version != k_postgres_migrations.back().version) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("the read database has schema version {}, this carnet {}: "
                                       "let the replica catch up with the primary first",
                                       version, k_postgres_migrations.back().version));
    }
    // Its writer and poller are never used: the store is read through its concerns only (a
    // standby refuses writes, and LISTEN).
    CARNET_TRY(unused, Connection::open(uri));
    return std::unique_ptr<Store>(
        std::make_unique<PgStore>(std::string(uri), clock, std::move(reader), std::move(unused)));
}

Result<std::unique_ptr<Store>> open_store(std::string_view db, OpenMode mode, const Clock& clock,
                                          const MigrationReport& report) {
    if (is_postgres_uri(db)) return open_postgres_store(db, mode, clock);
    return open_sqlite_store(std::filesystem::path(db), mode, clock, report);
}

}  // namespace carnet::store
