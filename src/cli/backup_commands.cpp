// `carnet backup` and `carnet restore`: thin wrappers over the store's backup functions,
// which do the checking and the atomic file handling.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.hpp"

namespace carnet::cli {

namespace {

// Backups and restores copy SQLite files; a PostgreSQL database has neither yet.
int refuse_postgres(std::string_view command) {
    return report_failure(model::Error{
        model::Error::Code::invalid_input,
        fmt::format("{} works on SQLite databases only for now; on PostgreSQL, use pg_dump",
                    command)});
}

}  // namespace

int run_backup(const std::string& db, const std::string& file) {
    if (store::is_postgres_uri(db)) return refuse_postgres("backup");
    auto report = store::backup_sqlite_database(db, file);
    if (!report) return report_failure(report.error());
    std::cout << fmt::format("backed up {} to {}: {} pages of {} bytes ({} bytes) in {} ms\n", db,
                             file, report->pages, report->page_size, report->bytes,
                             report->elapsed_ms);
    return 0;
}

int run_restore(const std::string& db, const std::string& file, bool force) {
    if (store::is_postgres_uri(db)) return refuse_postgres("restore");
    auto report = store::restore_sqlite_database(file, db, force);
    if (!report) {
        return report_failure(
            model::Error{report.error().code,
                         fmt::format("{} ({} was not changed)", report.error().message, db)});
    }
    std::cout << fmt::format("restored {} into {}{}: {} pages ({} bytes), schema version {}\n",
                             file, db, report->replaced_existing ? ", replacing it" : "",
                             report->pages, report->bytes, report->schema_version);
    if (force && report->replaced_existing) {
        std::cout << "if a server was running on it, restart it now: it still has the old "
                     "database open\n";
    }
    return 0;
}

}  // namespace carnet::cli
