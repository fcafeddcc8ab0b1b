#include "store/sqlite.hpp"

#include <fmt/format.h>

#include "store/search.hpp"

namespace carnet::store::sqlite {

namespace {

model::Error::Code code_for(int result_code) {
    switch (result_code & 0xff) {
        case SQLITE_CONSTRAINT:
            return model::Error::Code::conflict;
        case SQLITE_NOTADB:
            return model::Error::Code::invalid_input;
        default:
            return model::Error::Code::database;
    }
}

}  // namespace

model::Error error_from(sqlite3* db, int result_code, std::string_view context) {
    const auto code = code_for(result_code);
    const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(result_code);
    return model::Error{code, fmt::format("{}: {}", context, message)};
}

Statement& Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(statement_.get(), index, value);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    sqlite3_bind_text(statement_.get(), index, value.data(), static_cast<int>(value.size()),
                      SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind_null(int index) {
    sqlite3_bind_null(statement_.get(), index);
    return *this;
}

Result<bool> Statement::step() {
    const int result = sqlite3_step(statement_.get());
    if (result == SQLITE_ROW) return true;
    if (result == SQLITE_DONE) return false;
    return std::unexpected(
        error_from(sqlite3_db_handle(statement_.get()), result, sqlite3_sql(statement_.get())));
}

Status Statement::run() {
    auto stepped = step();
    if (!stepped) return std::unexpected(stepped.error());
    return {};
}

std::int64_t Statement::column_int(int index) const {
    return sqlite3_column_int64(statement_.get(), index);
}

std::string Statement::column_text(int index) const {
    const auto* text = sqlite3_column_text(statement_.get(), index);
    const int size = sqlite3_column_bytes(statement_.get(), index);
    return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), size);
}

bool Statement::column_is_null(int index) const {
    return sqlite3_column_type(statement_.get(), index) == SQLITE_NULL;
}

void Statement::reset() {
    sqlite3_reset(statement_.get());
    sqlite3_clear_bindings(statement_.get());
}

Result<std::unique_ptr<Connection>> Connection::open(const std::filesystem::path& path,
                                                     bool create) {
    sqlite3* raw = nullptr;
    const int flags =
        SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    const int result = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    std::unique_ptr<Connection> connection(new Connection(raw));
    if (result != SQLITE_OK) {
        return std::unexpected(
            error_from(raw, result, fmt::format("cannot open database {}", path.string())));
    }
    sqlite3_extended_result_codes(raw, 1);
    // Another process (a `carnet import` beside the server) may hold the write lock.
    sqlite3_busy_timeout(raw, 10'000);
    // Every connection needs the search tokenizers: FTS5 looks them up by name whenever it
    // opens a search table, including inside the migration that creates them.
    auto search = search::register_search_functions(raw);
    if (!search) return std::unexpected(search.error());
    auto setup = connection->execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;");
    if (!setup) return std::unexpected(setup.error());
    return connection;
}

Result<Statement*> Connection::prepare(std::string_view sql) {
    auto found = statements_.find(sql);
    if (found != statements_.end()) {
        found->second->reset();
        return found->second.get();
    }
    sqlite3_stmt* raw = nullptr;
    const int result = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (result != SQLITE_OK) {
        return std::unexpected(error_from(db_.get(), result, sql));
    }
    auto statement = std::make_unique<Statement>(raw);
    auto* borrowed = statement.get();
    statements_.emplace(std::string(sql), std::move(statement));
    return borrowed;
}

Status Connection::execute(std::string_view sql) {
    const std::string terminated(sql);
    char* message = nullptr;
    const int result = sqlite3_exec(db_.get(), terminated.c_str(), nullptr, nullptr, &message);
    if (result != SQLITE_OK) {
        std::string text = message != nullptr ? message : sqlite3_errstr(result);
        sqlite3_free(message);
        return model::fail(code_for(result), text);
    }
    return {};
}

}  // namespace carnet::store::sqlite
