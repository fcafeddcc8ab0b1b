// Thin RAII wrappers over libpq, private to the store. They mirror sqlite.hpp so that the
// PostgreSQL concern classes read like the SQLite ones: statements prepared once per
// connection, parameters bound by number, rows stepped through.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/model.hpp"
#include "store/statement_cache.hpp"

namespace carnet::store::pg {

using model::Result;
using model::Status;

struct ConnectionCloser {
    void operator()(PGconn* connection) const { PQfinish(connection); }
};
struct ResultClearer {
    void operator()(PGresult* result) const { PQclear(result); }
};
using ResultHandle = std::unique_ptr<PGresult, ResultClearer>;

class Connection;

// A statement prepared on the server (PQprepare) and run with PQexecPrepared, or, without a
// name, sent whole with its parameters on every run (PQexecParams). Parameters are 1-based
// as $1, $2... in the SQL and always sent as text, never formatted into it. The first `step`
// runs the statement and fetches every row; each `step` then moves to the next.
class Statement {
public:
    Statement(Connection& connection, std::string name, std::string sql,
              std::vector<Oid> parameter_types = {})
        : connection_(&connection),
          name_(std::move(name)),
          sql_(std::move(sql)),
          parameter_types_(std::move(parameter_types)) {}

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const std::string& value) {
        return bind(index, std::string_view(value));
    }
    Statement& bind_null(int index);
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind_null(index);
    }
    // NULL for 0, the id of nothing.
    Statement& bind_id(int index, std::int64_t id) {
        return id != 0 ? bind(index, id) : bind_null(index);
    }

    // True when a row is ready, false when done; an error otherwise.
    [[nodiscard]] Result<bool> step();
    // Runs a statement, ignoring the rows it returns.
    [[nodiscard]] Status run();

    std::int64_t column_int(int index) const;
    double column_double(int index) const;
    std::string column_text(int index) const;
    bool column_is_null(int index) const;

    // How many rows the last run inserted, changed or deleted.
    int changes() const { return changes_; }

    // Forgets the rows and the parameters, ready to be bound again.
    void reset();

private:
    [[nodiscard]] Status execute();

    Connection* connection_;
    std::string name_;  // empty for a statement planned on every run
    std::string sql_;
    std::vector<Oid> parameter_types_;  // of an unprepared statement: 0, or text's if unused
    std::vector<std::optional<std::string>> parameters_;
    ResultHandle result_;
    int row_ = -1;
    int changes_ = 0;
};

// One libpq connection and its prepared statements. Not thread-safe: one thread uses it at
// a time.
class Connection {
public:
    // `uri` is a libpq connection string or URI (postgres://..., postgresql://...).
    [[nodiscard]] static Result<std::unique_ptr<Connection>> open(std::string_view uri);

    // The statement for `sql`, prepared on first use and reset on every later one. The pointer
    // stays valid as long as the connection.
    [[nodiscard]] Result<Statement*> prepare(std::string_view sql);

    // The statement for `sql` planned by the server on each run with its parameters' values,
    // for a query whose best plan depends on them (how many posts hold a searched word): a
    // prepared statement's generic plan would guess them.
    [[nodiscard]] Statement planned_each_run(std::string_view sql);

    // Runs one or more statements with no parameters, ignoring their rows.
    [[nodiscard]] Status execute(std::string_view sql);

    // The value the last insert into a table with an identity column gave it (lastval()).
    [[nodiscard]] Result<std::int64_t> last_insert_id();

    // How many rows the last statement run through prepare() changed.
    int changes() const { return last_changes_; }

    PGconn* get() const { return connection_.get(); }

private:
    friend class Statement;
    explicit Connection(PGconn* connection) : connection_(connection) {}

    std::unique_ptr<PGconn, ConnectionCloser> connection_;
    // By the SQL's text as the store wrote it (before numbered_parameters).
    StatementCache<Statement> statements_;
    int last_changes_ = 0;
};

// `sql` with each ?N parameter (the form both backends' SQL is written in) as PostgreSQL's $N;
// ?? stands for a literal ?, and nothing inside quotes ('text', "name") or after -- changes.
// Connection::prepare applies it once, the first time it prepares a statement.
std::string numbered_parameters(std::string_view sql);

// The store's error for a failed libpq call: Code::conflict for a broken uniqueness or
// exclusion rule, Code::database otherwise, with the server's message.
model::Error error_from(const PGresult* result, PGconn* connection, std::string_view context);

}  // namespace carnet::store::pg
