// The two backends as the concern classes written once for both (sql_*.cpp) see them: the types
// of each (its Database, Transaction, Connection and Statement, which offer the same calls) and
// the few things that differ, as small hooks. The concerns' SQL is written with ?N parameters,
// which PostgreSQL's Connection::prepare rewrites to $N. Private to the store.
#pragma once

#include <cstdint>

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
};

struct PgBackend {
    using Database = pg::Database;
    using Transaction = pg::Transaction;
    using Connection = pg::Connection;
    using Statement = pg::Statement;
    static constexpr bool postgres = true;
};

// Whether `Connection` is PostgreSQL's, for the `if constexpr` branches where the SQL differs.
template <typename Connection>
inline constexpr bool is_postgres = std::is_same_v<Connection, pg::Connection>;

// The id the last INSERT on `db` gave its row.
[[nodiscard]] inline Result<std::int64_t> inserted_id(sqlite::Connection& db) {
    return db.last_insert_id();
}
[[nodiscard]] inline Result<std::int64_t> inserted_id(pg::Connection& db) {
    return db.last_insert_id();
}

}  // namespace carnet::store::sql
