// What `carnet migrate` (store::migrate_database) needs of each backend: its tables read
// row by row under one snapshot, and rows written into them in one transaction. Rows travel
// as text, the form both backends print and parse every value carnet stores in (integers and
// text, no blobs, no floats), so that a copy is exact and its checksum is the same on both
// sides. Private to the store.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"

namespace carnet::store::copy {

using model::Result;
using model::Status;

using Cell = std::optional<std::string>;  // nullopt: NULL
using Row = std::vector<Cell>;

// A table's or column's name in SQL. Names come from the database's own catalogue, never
// from input; quoted all the same (both backends quote with double quotes).
inline std::string sql_name(std::string_view name) { return fmt::format("\"{}\"", name); }

inline std::string sql_names(std::span<const std::string> names) {
    std::string list;
    for (const auto& name : names) {
        if (!list.empty()) list += ", ";
        list += sql_name(name);
    }
    return list;
}

// `"k1" = ?2 AND "k2" = ?3`: a row's key equal to parameters numbered from `first`, with
// the backend's parameter marker ('?' for SQLite, '$' for PostgreSQL).
inline std::string key_condition(std::span<const std::string> key, std::size_t first, char marker) {
    std::string condition;
    for (std::size_t i = 0; i < key.size(); ++i) {
        if (i > 0) condition += " AND ";
        condition += fmt::format("{} = {}{}", sql_name(key[i]), marker, first + i);
    }
    return condition;
}

// Runs `body` between `begin` and COMMIT (ROLLBACK when it fails) on either backend's
// connection.
template <typename Connection, typename Body>
Status in_transaction(Connection& db, std::string_view begin, Body&& body) {
    if (auto begun = db.execute(begin); !begun) return begun;
    Status done = body();
    auto ended = db.execute(done ? "COMMIT" : "ROLLBACK");
    if (!done) return done;
    return ended;
}

struct ForeignKey {
    std::string column;
    std::string referenced_table;
};

// One of carnet's tables as the database has it. The search index's tables and the schema's
// own bookkeeping are not listed: they are made, not copied.
struct TableShape {
    std::string name;
    std::vector<std::string> columns;
    std::vector<std::string> primary_key;
    std::vector<ForeignKey> foreign_keys;
};

class TableReader {
public:
    virtual ~TableReader() = default;

    [[nodiscard]] virtual Result<std::vector<TableShape>> tables() = 0;
    // Every row of the table, `columns` of it in that order, ordered by the primary key.
    [[nodiscard]] virtual Status each_row(const TableShape& table,
                                          std::span<const std::string> columns,
                                          const std::function<Status(const Row&)>& visit) = 0;
    [[nodiscard]] virtual Result<std::int64_t> row_count(std::string_view table) = 0;
};

// The writing side, inside the one transaction of TableEndpoint::write_all.
class TableWriter : public virtual TableReader {
public:
    [[nodiscard]] virtual Status insert(const TableShape& table,
                                        std::span<const std::string> columns, const Row& row) = 0;
    // Sets `column` of the row whose primary key is `key` (values of table.primary_key).
    [[nodiscard]] virtual Status update(const TableShape& table, std::string_view column,
                                        const Cell& value, std::span<const Cell> key) = 0;
    // Writes out what insert() buffered.
    [[nodiscard]] virtual Status flush() = 0;
    // Empties every one of carnet's tables (a restore over an existing database).
    [[nodiscard]] virtual Status clear_all(std::span<const TableShape> tables) = 0;
    // After the rows are in: identities continue past the copied ids, the search index is
    // built from the posts, and every blog gets a generation no node has cached pages of.
    // How many posts were indexed.
    [[nodiscard]] virtual Result<int> finish() = 0;
};

// Implemented by both stores (SqliteStore, PgStore) beside store::Store.
class TableEndpoint {
public:
    virtual ~TableEndpoint() = default;

    // `body` reads the database as one consistent snapshot, while others keep writing.
    [[nodiscard]] virtual Status read_snapshot(const std::function<Status(TableReader&)>& body) = 0;
    // `body` writes in one transaction, committed only when it succeeds.
    [[nodiscard]] virtual Status write_all(const std::function<Status(TableWriter&)>& body) = 0;
};

}  // namespace carnet::store::copy
