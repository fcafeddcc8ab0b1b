// Thin RAII wrappers over the SQLite C API, private to the store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/model.hpp"
#include "store/statement_cache.hpp"

namespace carnet::store::sqlite {

using model::Result;
using model::Status;

struct DatabaseCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};

// A prepared statement. Binding is 1-based as in SQLite; `step` returns true while there is
// a row. A statement borrowed from a Connection's cache is reset when borrowed.
class Statement {
public:
    explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const std::string& value) {
        return bind(index, std::string_view(value));
    }
    Statement& bind_null(int index);
    // NULL when the value is absent.
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind_null(index);
    }
    // NULL for 0, the id of nothing (a post without author, a comment that answers none).
    Statement& bind_id(int index, std::int64_t id) {
        return id != 0 ? bind(index, id) : bind_null(index);
    }

    // True when a row is ready, false when done; an error otherwise.
    [[nodiscard]] Result<bool> step();
    // Runs a statement that returns no rows.
    [[nodiscard]] Status run();

    std::int64_t column_int(int index) const;
    std::string column_text(int index) const;
    bool column_is_null(int index) const;

    void reset();
    sqlite3_stmt* get() const { return statement_.get(); }

private:
    std::unique_ptr<sqlite3_stmt, StatementFinalizer> statement_;
};

// One SQLite connection and its prepared statements, reused across calls. Not thread-safe:
// one thread uses it at a time.
class Connection {
public:
    [[nodiscard]] static Result<std::unique_ptr<Connection>> open(const std::filesystem::path& path,
                                                                  bool create);

    // The statement for `sql`, prepared on first use and reset on every later one. The
    // reference stays valid as long as the connection.
    [[nodiscard]] Result<Statement*> prepare(std::string_view sql);

    // Runs one or more statements with no parameters and no rows.
    [[nodiscard]] Status execute(std::string_view sql);

    std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_.get()); }
    // How many rows the last statement inserted, changed or deleted.
    int changes() const { return sqlite3_changes(db_.get()); }
    sqlite3* get() const { return db_.get(); }

private:
    explicit Connection(sqlite3* db) : db_(db) {}
    std::unique_ptr<sqlite3, DatabaseCloser> db_;
    StatementCache<Statement> statements_;
};

// The store's error for a failed SQLite call on `db`: Code::conflict for a broken
// uniqueness rule, Code::database otherwise, with SQLite's message.
model::Error error_from(sqlite3* db, int result_code, std::string_view context);

}  // namespace carnet::store::sqlite
