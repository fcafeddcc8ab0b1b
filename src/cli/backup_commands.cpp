// `carnet backup`, `carnet restore` and `carnet migrate`: thin wrappers over the store's
// backup and copy functions, which do the checking and the atomic file handling. On
// PostgreSQL a backup is a carnet SQLite file made by the same copy as migrate.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"

namespace carnet::cli {

namespace {

const SystemClock k_clock;

void print_tables(const store::MigrateReport& report) {
    for (const auto& table : report.tables) {
        std::cout << fmt::format("  {:<20} {:>9} rows  {}{}\n", table.table, table.rows,
                                 table.checksum, table.derived ? "  (made from the others)" : "");
    }
}

}  // namespace

int run_migrate(const std::string& from, const std::string& to) {
    auto report = store::migrate_database(from, to, k_clock);
    if (!report) {
        return report_failure(model::Error{
            report.error().code,
            fmt::format("{} ({} was not changed)", report.error().message, displayed_db(to))});
    }
    std::cout << fmt::format("copied {} into {} and checked every table ({} ms):\n",
                             displayed_db(from), displayed_db(to), report->elapsed_ms);
    print_tables(*report);
    std::cout << fmt::format("search index built for {} published posts\n", report->indexed_posts);
    return 0;
}

int run_backup(const std::string& db, const std::string& file) {
    if (store::is_postgres_uri(db)) {
        // A consistent snapshot of the PostgreSQL database as a carnet SQLite file, written
        // under a temporary name and renamed, so that FILE is either what it was or complete.
        const auto partial = file + ".partial";
        store::MigrateOptions options;
        options.create_target = true;
        auto report = store::migrate_database(db, partial, k_clock, options);
        if (!report) return report_failure(report.error());
        std::error_code error;
        std::filesystem::rename(partial, file, error);
        if (error) {
            return report_failure(model::Error{
                model::Error::Code::io,
                fmt::format("could not rename {} to {}: {}", partial, file, error.message())});
        }
        std::int64_t rows = 0;
        for (const auto& table : report->tables) rows += table.rows;
        std::cout << fmt::format("backed up {} to {}: {} rows in {} tables, checked, in {} ms\n",
                                 displayed_db(db), file, rows, report->tables.size(),
                                 report->elapsed_ms);
        return 0;
    }
    auto report = store::backup_sqlite_database(db, file);
    if (!report) return report_failure(report.error());
    std::cout << fmt::format("backed up {} to {}: {} pages of {} bytes ({} bytes) in {} ms\n", db,
                             file, report->pages, report->page_size, report->bytes,
                             report->elapsed_ms);
    return 0;
}

int run_restore(const std::string& db, const std::string& file, bool force) {
    if (store::is_postgres_uri(db)) {
        if (store::is_postgres_uri(file)) {
            return report_failure(model::Error{
                model::Error::Code::invalid_input,
                "restore takes a backup file; to copy between databases, use carnet migrate"});
        }
        std::error_code error;
        if (!std::filesystem::exists(file, error)) {
            return report_failure(
                model::Error{model::Error::Code::not_found, fmt::format("no backup at {}", file)});
        }
        // One transaction on the server: every node keeps serving the old rows until it
        // commits, then the new ones, with generations past the old (see finish()).
        store::MigrateOptions options;
        options.replace_existing = force;
        auto report = store::migrate_database(file, db, k_clock, options);
        if (!report) {
            auto message = report.error().message;
            if (report.error().code == model::Error::Code::conflict && !force) {
                message += "; --force replaces what it holds";
            }
            return report_failure(
                model::Error{report.error().code,
                             fmt::format("{} ({} was not changed)", message, displayed_db(db))});
        }
        std::int64_t rows = 0;
        for (const auto& table : report->tables) rows += table.rows;
        std::cout << fmt::format(
            "restored {} into {}{}: {} rows in {} tables, checked, {} posts "
            "indexed\n",
            file, displayed_db(db), report->replaced_existing ? ", replacing it" : "", rows,
            report->tables.size(), report->indexed_posts);
        return 0;
    }
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
