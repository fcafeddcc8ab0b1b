// The two backends as the concern classes written once for both (sql_*.cpp) see them: the types
// of each (its Database, Transaction, Connection and Statement, which offer the same calls) and
// the few things that differ, as small hooks. The concerns' SQL is written with ?N parameters,
// which PostgreSQL's Connection::prepare rewrites to $N. Private to the store.
#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>

#include "store/pg_database.hpp"
#include "store/sqlite_database.hpp"

namespace carnet::store::sql {

using model::Result;
using model::Status;

struct SqliteBackend {
    using Database = sqlite::Database;
    using Transaction = sqlite::Transaction;
    using Connection = sqlite::Connection;
    using Statement = sqlite::Statement;
    static constexpr bool postgres = false;
    // The collation that compares text without regard to case.
    static constexpr std::string_view nocase = "NOCASE";
    // Begins a read transaction that sees one snapshot throughout.
    static constexpr std::string_view begin_snapshot = "BEGIN";
    // What a SELECT that picks a row to update ends with, so that two writers at once pick
    // different rows. SQLite has one writer at a time.
    static constexpr std::string_view skip_locked = "";
    // The function that finds text in text (1-based, 0 when absent).
    static constexpr std::string_view position_of_text = "instr";
};

struct PgBackend {
    using Database = pg::Database;
    using Transaction = pg::Transaction;
    using Connection = pg::Connection;
    using Statement = pg::Statement;
    static constexpr bool postgres = true;
    static constexpr std::string_view nocase = "carnet_nocase";
    static constexpr std::string_view begin_snapshot =
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    static constexpr std::string_view skip_locked = " FOR UPDATE SKIP LOCKED";
    static constexpr std::string_view position_of_text = "strpos";
};

// The backend of a Connection or Transaction type, for code that is handed only one of them.
template <typename T>
struct BackendOfType;
template <>
struct BackendOfType<sqlite::Connection> {
    using type = SqliteBackend;
};
template <>
struct BackendOfType<sqlite::Transaction> {
    using type = SqliteBackend;
};
template <>
struct BackendOfType<pg::Connection> {
    using type = PgBackend;
};
template <>
struct BackendOfType<pg::Transaction> {
    using type = PgBackend;
};
template <typename T>
using BackendOf = typename BackendOfType<T>::type;

// The id the last INSERT on `db` gave its row.
[[nodiscard]] inline Result<std::int64_t> inserted_id(sqlite::Connection& db) {
    return db.last_insert_id();
}
[[nodiscard]] inline Result<std::int64_t> inserted_id(pg::Connection& db) {
    return db.last_insert_id();
}

}  // namespace carnet::store::sql
