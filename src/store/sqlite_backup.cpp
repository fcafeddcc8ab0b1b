// Backing up a live carnet database and putting a backup back (`carnet backup`, `carnet
// restore`). Both write a temporary file beside their target and rename it at the end: a
// rename within one folder is atomic, so a crash leaves either the old file or the new one.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "store/migrations.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_rows.hpp"
#include "store/store.hpp"
#include "text/file_descriptor.hpp"

namespace carnet::store {
namespace {

namespace fs = std::filesystem;
using model::Error;
using sqlite::Connection;

// Pages copied per backup step: small enough that a database in rollback-journal mode is
// locked only briefly at a time, large enough that a WAL database is copied quickly.
constexpr int k_pages_per_step = 256;
// How long a step waits before trying again when the database is locked.
constexpr auto k_busy_pause = std::chrono::milliseconds(20);
// How long the database may stay locked before a backup gives up.
constexpr auto k_busy_deadline = std::chrono::seconds(60);
// How long `restore` waits for an exclusive lock before deciding a server holds the file.
constexpr int k_probe_timeout_ms = 300;
// The files SQLite keeps beside a database; any of them left next to a replaced database
// would be replayed onto the new one.
constexpr std::array<std::string_view, 3> k_companion_suffixes{"-wal", "-shm", "-journal"};

Error io_error(std::string_view what, const fs::path& path, int error_number) {
    return Error{Error::Code::io,
                 fmt::format("{} {}: {}", what, path.string(), std::strerror(error_number))};
}

Status sync_path(const fs::path& path, bool directory) {
    FileDescriptor fd(::open(path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return std::unexpected(io_error("cannot open", path, errno));
    if (::fsync(fd.get()) != 0) return std::unexpected(io_error("cannot sync", path, errno));
    return {};
}

fs::path folder_of(const fs::path& file) {
    return file.has_parent_path() ? file.parent_path() : fs::path(".");
}

void remove_companions(const fs::path& database) {
    std::error_code ignored;
    for (auto suffix : k_companion_suffixes) {
        fs::remove(fs::path(database.string() + std::string(suffix)), ignored);
    }
}

// A file made beside a target under a unique name, removed (with whatever SQLite left next
// to it) unless `keep` is called once it has been renamed into place.
class TempFile {
public:
    static Result<TempFile> beside(const fs::path& target) {
        auto pattern =
            (folder_of(target) / fmt::format(".{}.tmp-XXXXXX", target.filename().string()))
                .string();
        FileDescriptor fd(::mkostemp(pattern.data(), O_CLOEXEC));
        if (fd.get() < 0) {
            return std::unexpected(
                io_error("cannot create a temporary file in", folder_of(target), errno));
        }
        return TempFile(fs::path(pattern));
    }

    TempFile(TempFile&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
    TempFile& operator=(TempFile&&) = delete;
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (path_.empty()) return;
        std::error_code ignored;
        fs::remove(path_, ignored);
        remove_companions(path_);
    }

    const fs::path& path() const { return path_; }

    // Renames the file over `target` and syncs the folder so that the rename is durable.
    Status move_to(const fs::path& target) {
        CARNET_CHECK(sync_path(path_, false));
        if (::rename(path_.c_str(), target.c_str()) != 0) {
            return std::unexpected(io_error("cannot rename a temporary file to", target, errno));
        }
        path_.clear();
        return sync_path(folder_of(target), true);
    }

private:
    explicit TempFile(fs::path path) : path_(std::move(path)) {}
    fs::path path_;
};

Result<std::int64_t> single_int(Connection& db, std::string_view sql) {
    CARNET_TRY(statement, db.prepare(sql));
    auto row = statement->step();
    const auto value = row && *row ? statement->column_int(0) : 0;
    statement->reset();
    if (!row) return std::unexpected(row.error());
    return value;
}

Result<std::string> single_text(Connection& db, std::string_view sql) {
    CARNET_TRY(statement, db.prepare(sql));
    auto row = statement->step();
    auto value = row && *row ? statement->column_text(0) : std::string();
    statement->reset();
    if (!row) return std::unexpected(row.error());
    return value;
}

// The newest migration the database has seen; Code::invalid_input when it is a SQLite file
// but not carnet's (no schema_migrations table), or not a SQLite file at all.
Result<int> carnet_schema_version(Connection& db, const fs::path& path) {
    auto tables = single_int(db,
                             "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                             "AND name = 'schema_migrations'");
    if (!tables) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("{} is not a readable SQLite database: {}", path.string(),
                                       tables.error().message));
    }
    if (*tables == 0) {
        return model::fail(
            Error::Code::invalid_input,
            fmt::format("{} is a SQLite database, but not one made by carnet", path.string()));
    }
    auto version = single_int(db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!version) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("{}: cannot read its schema version: {}", path.string(),
                                       version.error().message));
    }
    return static_cast<int>(*version);
}

// The same file, whether or not both names exist yet.
bool same_file(const fs::path& a, const fs::path& b) {
    std::error_code error;
    if (fs::exists(a, error) && fs::exists(b, error)) return fs::equivalent(a, b, error);
    return fs::weakly_canonical(a, error) == fs::weakly_canonical(b, error);
}

// True when `target` names `database` or one of the files SQLite keeps beside it.
bool is_part_of(const fs::path& target, const fs::path& database) {
    if (same_file(target, database)) return true;
    for (auto suffix : k_companion_suffixes) {
        if (same_file(target, fs::path(database.string() + std::string(suffix)))) return true;
    }
    return false;
}

// Reads the 100-byte header (https://sqlite.org/fileformat.html §1.3) to tell a file that is
// not SQLite, or one cut short, in words a user understands before SQLite says "malformed".
Status check_header(const fs::path& path) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return std::unexpected(io_error("cannot read", path, errno));
    std::array<unsigned char, 100> header{};
    std::size_t have = 0;
    while (have < header.size()) {
        const auto count = ::read(fd.get(), header.data() + have, header.size() - have);
        if (count < 0 && errno == EINTR) continue;
        if (count < 0) return std::unexpected(io_error("cannot read", path, errno));
        if (count == 0) break;
        have += static_cast<std::size_t>(count);
    }
    constexpr std::string_view magic("SQLite format 3\0", 16);
    if (have < header.size() ||
        std::string_view(reinterpret_cast<const char*>(header.data()), magic.size()) != magic) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("{} is not a SQLite database", path.string()));
    }
    const auto be32 = [&](std::size_t at) {
        return std::uint32_t{header[at]} << 24 | std::uint32_t{header[at + 1]} << 16 |
               std::uint32_t{header[at + 2]} << 8 | std::uint32_t{header[at + 3]};
    };
    std::int64_t page_size = header[16] << 8 | header[17];
    if (page_size == 1) page_size = 65536;
    std::error_code error;
    const auto size = static_cast<std::int64_t>(fs::file_size(path, error));
    if (error) return std::unexpected(io_error("cannot read", path, error.value()));
    // The page count in the header is only valid when written by the same version of the
    // file as the change counter (offsets 92 and 24).
    const std::int64_t pages = be32(92) == be32(24) ? be32(28) : 0;
    if (page_size < 512 || size % page_size != 0 || size < pages * page_size) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("{} is truncated or damaged: {} bytes, where the "
                                       "header announces {} pages of {} bytes",
                                       path.string(), size, pages, page_size));
    }
    return {};
}

// Every problem SQLite finds in the file, or nothing. FTS5 tables are checked too, which is
// why the connection must have carnet's tokenizers (Connection::open registers them).
Status check_consistency(Connection& db, const fs::path& path) {
    CARNET_TRY(integrity, db.prepare("PRAGMA integrity_check(20)"));
    std::vector<std::string> problems;
    while (true) {
        auto row = integrity->step();
        if (!row) {
            integrity->reset();
            return model::fail(
                Error::Code::invalid_input,
                fmt::format("{} is damaged: {}", path.string(), row.error().message));
        }
        if (!*row) break;
        problems.push_back(integrity->column_text(0));
    }
    integrity->reset();
    if (problems.size() != 1 || problems.front() != "ok") {
        std::string list;
        for (const auto& problem : problems) list += "\n  " + problem;
        return model::fail(
            Error::Code::invalid_input,
            fmt::format("{} is damaged: SQLite's integrity check says:{}", path.string(), list));
    }
    CARNET_TRY(foreign_keys, db.prepare("PRAGMA foreign_key_check"));
    int broken = 0;
    std::string first;
    while (true) {
        auto row = foreign_keys->step();
        if (!row) {
            foreign_keys->reset();
            return std::unexpected(row.error());
        }
        if (!*row) break;
        if (broken++ == 0) {
            first = fmt::format("row {} of {} points to a missing row of {}",
                                foreign_keys->column_int(1), foreign_keys->column_text(0),
                                foreign_keys->column_text(2));
        }
    }
    foreign_keys->reset();
    if (broken > 0) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("{} fails the foreign key check: {} broken reference(s), "
                                       "first: {}",
                                       path.string(), broken, first));
    }
    return {};
}

// Code::conflict when another connection has `database` open. In WAL mode every open
// connection, even an idle one, holds a shared lock on the file, so an exclusive lock
// (locking_mode = EXCLUSIVE: a plain BEGIN EXCLUSIVE in WAL mode still lets readers in)
// fails while a server runs. A file SQLite cannot read is nobody's: it may be replaced.
Status check_nobody_uses(const fs::path& database) {
    sqlite3* raw = nullptr;
    const int opened = sqlite3_open_v2(database.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    std::unique_ptr<sqlite3, sqlite::DatabaseCloser> db(raw);
    if (opened != SQLITE_OK) return {};
    sqlite3_busy_timeout(raw, k_probe_timeout_ms);
    const int locked = sqlite3_exec(raw,
                                    "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; "
                                    "SELECT count(*) FROM sqlite_schema; COMMIT;",
                                    nullptr, nullptr, nullptr);
    if (locked == SQLITE_BUSY || locked == SQLITE_LOCKED) {
        return model::fail(Error::Code::conflict,
                           fmt::format("{} is in use, probably by a running server: stop it "
                                       "first, or pass --force and restart it right after",
                                       database.string()));
    }
    return {};
}

Status copy_contents(const fs::path& from, const fs::path& to) {
    FileDescriptor in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.get() < 0) return std::unexpected(io_error("cannot read", from, errno));
    FileDescriptor out(::open(to.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (out.get() < 0) return std::unexpected(io_error("cannot write", to, errno));
    std::array<char, 1 << 16> buffer{};
    while (true) {
        const auto count = ::read(in.get(), buffer.data(), buffer.size());
        if (count < 0 && errno == EINTR) continue;
        if (count < 0) return std::unexpected(io_error("cannot read", from, errno));
        if (count == 0) break;
        std::size_t written = 0;
        while (written < static_cast<std::size_t>(count)) {
            const auto done = ::write(out.get(), buffer.data() + written, count - written);
            if (done < 0 && errno == EINTR) continue;
            if (done < 0) return std::unexpected(io_error("cannot write", to, errno));
            written += static_cast<std::size_t>(done);
        }
    }
    if (::fsync(out.get()) != 0) return std::unexpected(io_error("cannot sync", to, errno));
    return {};
}

struct BackupFinisher {
    void operator()(sqlite3_backup* backup) const { sqlite3_backup_finish(backup); }
};

// Copies every page of `source` into `destination` in steps. `source` is expected to hold a
// read transaction when in WAL mode: see backup_sqlite_database.
Result<std::int64_t> copy_pages(Connection& source, Connection& destination, bool pause_between) {
    std::unique_ptr<sqlite3_backup, BackupFinisher> backup(
        sqlite3_backup_init(destination.get(), "main", source.get(), "main"));
    if (!backup) {
        return std::unexpected(sqlite::error_from(
            destination.get(), sqlite3_errcode(destination.get()), "cannot start the backup"));
    }
    auto busy_since = std::chrono::steady_clock::time_point{};
    while (true) {
        const int stepped = sqlite3_backup_step(backup.get(), k_pages_per_step);
        if (stepped == SQLITE_DONE) break;
        if (stepped == SQLITE_OK) {
            busy_since = {};
            // In rollback-journal mode each step holds a shared lock that keeps writers from
            // committing: leave them room between steps.
            if (pause_between) std::this_thread::sleep_for(k_busy_pause);
            continue;
        }
        if (stepped == SQLITE_BUSY || stepped == SQLITE_LOCKED) {
            const auto now = std::chrono::steady_clock::now();
            if (busy_since == std::chrono::steady_clock::time_point{}) busy_since = now;
            if (now - busy_since > k_busy_deadline) {
                return model::fail(Error::Code::database,
                                   "the database stayed locked too long to be backed up");
            }
            std::this_thread::sleep_for(k_busy_pause);
            continue;
        }
        return std::unexpected(sqlite::error_from(destination.get(), stepped, "the backup failed"));
    }
    const std::int64_t pages = sqlite3_backup_pagecount(backup.get());
    const int finished = sqlite3_backup_finish(backup.release());
    if (finished != SQLITE_OK) {
        return std::unexpected(
            sqlite::error_from(destination.get(), finished, "the backup failed"));
    }
    return pages;
}

}  // namespace

Result<BackupReport> backup_sqlite_database(const fs::path& from, const fs::path& to) {
    const auto started = std::chrono::steady_clock::now();
    std::error_code error;
    if (!fs::is_regular_file(from, error)) {
        return model::fail(Error::Code::not_found, fmt::format("no database at {}", from.string()));
    }
    if (is_part_of(to, from)) {
        return model::fail(
            Error::Code::invalid_input,
            fmt::format("{} is the database itself: back it up to another file", to.string()));
    }
    if (fs::is_directory(to, error)) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("{} is a folder: name the backup file", to.string()));
    }
    if (!fs::is_directory(folder_of(to), error)) {
        return model::fail(Error::Code::not_found,
                           fmt::format("no folder {}", folder_of(to).string()));
    }

    CARNET_TRY(source, Connection::open(from, false));
    CARNET_CHECK(carnet_schema_version(*source, from));
    CARNET_TRY(journal_mode, single_text(*source, "PRAGMA journal_mode"));
    const bool wal = journal_mode == "wal";
    // In WAL mode, one read transaction held across every step pins a snapshot: the steps
    // never restart however much the server writes, and the server is never blocked. Without
    // it, each step would read the latest state and any write would restart the copy.
    if (wal) {
        CARNET_CHECK(source->execute("BEGIN DEFERRED"));
        CARNET_CHECK(single_int(*source, "SELECT count(*) FROM sqlite_schema"));
    }
    CARNET_TRY(page_size, single_int(*source, "PRAGMA page_size"));

    CARNET_TRY(temp, TempFile::beside(to));
    CARNET_TRY(destination, Connection::open(temp.path(), false));
    auto pages = copy_pages(*source, *destination, !wal);
    if (wal) (void)source->execute("COMMIT");
    if (!pages) return std::unexpected(pages.error());
    // The copy carries the source's WAL flag: a backup should be one self-contained file.
    CARNET_CHECK(single_text(*destination, "PRAGMA journal_mode = DELETE"));
    destination.reset();
    CARNET_CHECK(temp.move_to(to));

    BackupReport report;
    report.pages = *pages;
    report.page_size = page_size;
    report.bytes = static_cast<std::int64_t>(fs::file_size(to, error));
    report.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
    return report;
}

Result<RestoreReport> restore_sqlite_database(const fs::path& backup, const fs::path& to,
                                              bool force) {
    std::error_code error;
    if (!fs::is_regular_file(backup, error)) {
        return model::fail(Error::Code::not_found, fmt::format("no file {}", backup.string()));
    }
    if (same_file(backup, to)) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("{} is the database itself", backup.string()));
    }
    if (fs::is_directory(to, error)) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("{} is a folder, not a database file", to.string()));
    }
    if (!fs::is_directory(folder_of(to), error)) {
        return model::fail(Error::Code::not_found,
                           fmt::format("no folder {}", folder_of(to).string()));
    }
    CARNET_CHECK(check_header(backup));

    // The checks run on the copy that will be put in place: what was checked is what is
    // installed, and the backup file itself is never opened for writing.
    CARNET_TRY(temp, TempFile::beside(to));
    CARNET_CHECK(copy_contents(backup, temp.path()));
    RestoreReport report;
    {
        CARNET_TRY(copy, Connection::open(temp.path(), false));
        CARNET_CHECK(copy->execute("PRAGMA query_only = ON"));
        CARNET_TRY(version, carnet_schema_version(*copy, backup));
        if (version > k_sqlite_migrations.back().version) {
            return model::fail(
                Error::Code::invalid_input,
                fmt::format("{} has schema version {}, newer than this carnet "
                            "knows ({}): restore it with a newer carnet",
                            backup.string(), version, k_sqlite_migrations.back().version));
        }
        CARNET_CHECK(check_consistency(*copy, backup));
        CARNET_TRY(pages, single_int(*copy, "PRAGMA page_count"));
        CARNET_TRY(page_size, single_int(*copy, "PRAGMA page_size"));
        report.schema_version = version;
        report.pages = pages;
        report.bytes = pages * page_size;
    }

    report.replaced_existing = fs::exists(to, error);
    if (report.replaced_existing && !force) CARNET_CHECK(check_nobody_uses(to));
    remove_companions(to);
    CARNET_CHECK(temp.move_to(to));
    return report;
}

}  // namespace carnet::store
