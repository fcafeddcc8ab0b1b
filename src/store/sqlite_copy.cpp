#include "store/sqlite_copy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "store/sqlite_rows.hpp"

namespace carnet::store::sqlite {

namespace {

using copy::Cell;
using copy::Row;
using copy::sql_name;
using copy::sql_names;
using copy::TableShape;

// The schema's bookkeeping and what the search index keeps (FTS5's tables and their shadow
// tables, the long terms listed from them) are made by the target, not copied.
bool is_made_not_copied(std::string_view table) {
    if (table == "schema_migrations" || table == "search_terms") return true;
    return std::ranges::any_of(k_search_tables, [&](const SearchTable& search) {
        return table.starts_with(search.table);
    });
}

class SqliteTableReader : public virtual copy::TableReader {
public:
    explicit SqliteTableReader(Connection& db) : db_(db) {}

    Result<std::vector<TableShape>> tables() override {
        CARNET_TRY(names, db_.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' "
                                      "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                                      "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"));
        std::vector<TableShape> tables;
        while (true) {
            CARNET_TRY(has_row, names->step());
            if (!has_row) break;
            auto name = names->column_text(0);
            if (!is_made_not_copied(name)) tables.push_back({std::move(name), {}, {}, {}});
        }
        names->reset();
        for (auto& table : tables) {
            CARNET_TRY(columns, db_.prepare("SELECT name, pk FROM pragma_table_info(?1) "
                                            "ORDER BY cid"));
            columns->bind(1, table.name);
            std::map<std::int64_t, std::string> key;
            while (true) {
                CARNET_TRY(has_row, columns->step());
                if (!has_row) break;
                table.columns.push_back(columns->column_text(0));
                if (columns->column_int(1) > 0) {
                    key.emplace(columns->column_int(1), table.columns.back());
                }
            }
            columns->reset();
            for (auto& [position, column] : key) table.primary_key.push_back(column);
            CARNET_TRY(references, db_.prepare("SELECT \"from\", \"table\" FROM "
                                               "pragma_foreign_key_list(?1)"));
            references->bind(1, table.name);
            while (true) {
                CARNET_TRY(has_row, references->step());
                if (!has_row) break;
                table.foreign_keys.push_back(
                    {references->column_text(0), references->column_text(1)});
            }
            references->reset();
        }
        return tables;
    }

    Status each_row(const TableShape& table, std::span<const std::string> columns,
                    const std::function<Status(const Row&)>& visit) override {
        auto order =
            table.primary_key.empty() ? std::string("rowid") : sql_names(table.primary_key);
        CARNET_TRY(rows, db_.prepare(fmt::format("SELECT {} FROM {} ORDER BY {}",
                                                 sql_names(columns), sql_name(table.name), order)));
        Row row(columns.size());
        auto visited = [&]() -> Status {
            while (true) {
                CARNET_TRY(has_row, rows->step());
                if (!has_row) return {};
                for (std::size_t i = 0; i < columns.size(); ++i) {
                    const int at = static_cast<int>(i);
                    if (rows->column_is_null(at)) {
                        row[i].reset();
                    } else {
                        row[i] = rows->column_text(at);
                    }
                }
                CARNET_CHECK(visit(row));
            }
        }();
        rows->reset();
        return visited;
    }

    Result<std::int64_t> row_count(std::string_view table) override {
        CARNET_TRY(count, db_.prepare(fmt::format("SELECT count(*) FROM {}", sql_name(table))));
        CARNET_TRY(has_row, count->step());
        const auto rows = has_row ? count->column_int(0) : 0;
        count->reset();
        return rows;
    }

protected:
    Connection& db_;
};

void bind_cell(Statement& statement, int index, const Cell& cell) {
    if (cell) {
        statement.bind(index, *cell);
    } else {
        statement.bind_null(index);
    }
}

class SqliteTableWriter final : public SqliteTableReader, public copy::TableWriter {
public:
    // A copy writes every row of a blog in one transaction: the rows and the b-trees they
    // fill stay in the bulk write's cache instead of spilling to the journal.
    explicit SqliteTableWriter(Transaction& transaction)
        : SqliteTableReader(transaction.db), transaction_(transaction) {
        transaction_.use_bulk_cache();
    }

    Status insert(const TableShape& table, std::span<const std::string> columns,
                  const Row& row) override {
        auto& sql = insert_sql_[table.name];
        if (sql.empty()) {
            std::string values;
            for (std::size_t i = 1; i <= columns.size(); ++i) {
                values += fmt::format("{}?{}", i > 1 ? ", " : "", i);
            }
            sql = fmt::format("INSERT INTO {} ({}) VALUES ({})", sql_name(table.name),
                              sql_names(columns), values);
        }
        CARNET_TRY(statement, db_.prepare(sql));
        for (std::size_t i = 0; i < row.size(); ++i) {
            bind_cell(*statement, static_cast<int>(i + 1), row[i]);
        }
        return statement->run();
    }

    Status update(const TableShape& table, std::string_view column, const Cell& value,
                  std::span<const Cell> key) override {
        const auto where = copy::key_condition(table.primary_key, 2, '?');
        CARNET_TRY(statement,
                   db_.prepare(fmt::format("UPDATE {} SET {} = ?1 WHERE {}", sql_name(table.name),
                                           sql_name(column), where)));
        bind_cell(*statement, 1, value);
        for (std::size_t i = 0; i < key.size(); ++i) {
            bind_cell(*statement, static_cast<int>(i + 2), key[i]);
        }
        return statement->run();
    }

    Status flush() override { return {}; }

    Status clear_all(std::span<const TableShape> tables) override {
        for (auto table = tables.rbegin(); table != tables.rend(); ++table) {
            CARNET_CHECK(db_.execute(fmt::format("DELETE FROM {}", sql_name(table->name))));
        }
        return {};
    }

    // SQLite's INTEGER PRIMARY KEYs continue past the largest id by themselves; the search
    // index is made anew, and the generations (a SQLite file is served by one process, which
    // opens it afresh) need nothing more.
    Result<int> finish() override { return transaction_.rebuild_search_index(); }

private:
    Transaction& transaction_;
    std::map<std::string, std::string, std::less<>> insert_sql_;
};

}  // namespace

Status read_table_snapshot(Database& database,
                           const std::function<Status(copy::TableReader&)>& body) {
    return database.read([&](Connection& db) -> Status {
        // In WAL mode a read transaction sees one snapshot from its first read to its end.
        SqliteTableReader reader(db);
        return copy::in_transaction(db, "BEGIN", [&] { return body(reader); });
    });
}

Status write_tables(Database& database, const std::function<Status(copy::TableWriter&)>& body) {
    return database.write([&](Transaction& transaction) -> Status {
        SqliteTableWriter writer(transaction);
        return body(writer);
    });
}

}  // namespace carnet::store::sqlite
