#include "store/pg.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

namespace carnet::store::pg {

namespace {

std::string trimmed_message(const char* message) {
    std::string text = message != nullptr ? message : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

// The type oid of text (pg_type.dat), which libpq's headers do not name.
constexpr Oid k_text_oid = 25;

// Which of $1...$N the SQL names (the store's SQL holds no $ in its literals).
std::vector<bool> parameters_used(std::string_view sql) {
    std::vector<bool> used;
    for (std::size_t at = sql.find('$'); at != std::string_view::npos; at = sql.find('$', at + 1)) {
        std::size_t number = 0;
        std::size_t end = at + 1;
        while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9') {
            number = number * 10 + static_cast<std::size_t>(sql[end] - '0');
            ++end;
        }
        if (number == 0) continue;
        if (used.size() < number) used.resize(number, false);
        used[number - 1] = true;
    }
    return used;
}

// The types to declare for the parameters of `sql` (in $N form): the server infers each
// from where it is used, and refuses one it never sees, so a filter that uses $1 and $4 but
// not $2 and $3 (as the SQLite store's queries do) declares the unused ones as text.
std::vector<Oid> parameter_types(std::string_view sql) {
    const auto used = parameters_used(sql);
    std::vector<Oid> types(used.size(), 0);
    for (std::size_t i = 0; i < used.size(); ++i) {
        if (!used[i]) types[i] = k_text_oid;
    }
    return types;
}

}  // namespace

std::string numbered_parameters(std::string_view sql) {
    std::string out;
    out.reserve(sql.size());
    for (std::size_t at = 0; at < sql.size(); ++at) {
        const char c = sql[at];
        if (c == '\'' || c == '"') {
            // A doubled quote inside is two quoted runs side by side: the same text.
            const auto end = sql.find(c, at + 1);
            const auto stop = end == std::string_view::npos ? sql.size() : end + 1;
            out.append(sql.substr(at, stop - at));
            at = stop - 1;
        } else if (c == '-' && at + 1 < sql.size() && sql[at + 1] == '-') {
            const auto end = sql.find('\n', at);
            const auto stop = end == std::string_view::npos ? sql.size() : end;
            out.append(sql.substr(at, stop - at));
            at = stop - 1;
        } else if (c == '?' && at + 1 < sql.size() && sql[at + 1] == '?') {
            out += '?';
            ++at;
        } else if (c == '?' && at + 1 < sql.size() && sql[at + 1] >= '0' && sql[at + 1] <= '9') {
            out += '$';
        } else {
            out += c;
        }
    }
    return out;
}

model::Error error_from(const PGresult* result, PGconn* connection, std::string_view context) {
    auto code = model::Error::Code::database;
    std::string message;
    if (result != nullptr) {
        const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
        // Class 23 is integrity constraint violation: what SQLite calls SQLITE_CONSTRAINT.
        if (state != nullptr && std::string_view(state).starts_with("23")) {
            code = model::Error::Code::conflict;
        }
        message = trimmed_message(PQresultErrorMessage(result));
    }
    if (message.empty() && connection != nullptr) {
        message = trimmed_message(PQerrorMessage(connection));
    }
    return model::Error{code, fmt::format("{}: {}", context, message)};
}

Statement& Statement::bind(int index, std::int64_t value) {
    char digits[24];
    auto [end, error] = std::to_chars(std::begin(digits), std::end(digits), value);
    (void)error;
    return bind(index, std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

Statement& Statement::bind(int index, std::string_view value) {
    if (static_cast<int>(parameters_.size()) < index) parameters_.resize(index);
    parameters_[index - 1] = std::string(value);
    return *this;
}

Statement& Statement::bind_null(int index) {
    if (static_cast<int>(parameters_.size()) < index) parameters_.resize(index);
    parameters_[index - 1].reset();
    return *this;
}

Status Statement::execute() {
    // PostgreSQL's text holds no NUL character, and libpq would cut the value there: a
    // clear refusal rather than a shortened value (SQLite keeps it).
    for (const auto& parameter : parameters_) {
        if (parameter && parameter->find('\0') != std::string::npos) {
            result_.reset();
            return model::fail(model::Error::Code::invalid_input,
                               "text holding a NUL character cannot be stored");
        }
    }
    std::vector<const char*> values;
    values.reserve(parameters_.size());
    for (const auto& parameter : parameters_) {
        values.push_back(parameter ? parameter->c_str() : nullptr);
    }
    // Text parameters need no lengths nor formats: libpq reads each up to its terminator,
    // and std::string keeps one (a value holding NUL is refused by the server as text is).
    if (name_.empty()) {
        auto types = parameter_types_;
        types.resize(values.size(), 0);
        result_.reset(PQexecParams(connection_->get(), sql_.c_str(),
                                   static_cast<int>(values.size()), types.data(), values.data(),
                                   nullptr, nullptr, 0));
    } else {
        result_.reset(PQexecPrepared(connection_->get(), name_.c_str(),
                                     static_cast<int>(values.size()), values.data(), nullptr,
                                     nullptr, 0));
    }
    const auto status = PQresultStatus(result_.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        auto error = error_from(result_.get(), connection_->get(), sql_);
        result_.reset();
        return std::unexpected(std::move(error));
    }
    const char* affected = PQcmdTuples(result_.get());
    changes_ = (affected != nullptr && *affected != '\0') ? std::atoi(affected) : 0;
    connection_->last_changes_ = changes_;
    row_ = -1;
    return {};
}

Result<bool> Statement::step() {
    if (!result_) {
        auto executed = execute();
        if (!executed) return std::unexpected(executed.error());
    }
    if (row_ < PQntuples(result_.get())) ++row_;
    return row_ < PQntuples(result_.get());
}

Status Statement::run() { return execute(); }

std::int64_t Statement::column_int(int index) const {
    const char* value = PQgetvalue(result_.get(), row_, index);
    if (value == nullptr) return 0;
    // Booleans come as t and f.
    if (*value == 't') return 1;
    if (*value == 'f') return 0;
    return std::strtoll(value, nullptr, 10);
}

double Statement::column_double(int index) const {
    const char* value = PQgetvalue(result_.get(), row_, index);
    return value == nullptr ? 0.0 : std::strtod(value, nullptr);
}

std::string Statement::column_text(int index) const {
    const char* value = PQgetvalue(result_.get(), row_, index);
    const int size = PQgetlength(result_.get(), row_, index);
    return value == nullptr ? std::string() : std::string(value, static_cast<std::size_t>(size));
}

bool Statement::column_is_null(int index) const {
    return PQgetisnull(result_.get(), row_, index) != 0;
}

void Statement::reset() {
    result_.reset();
    row_ = -1;
    parameters_.clear();
}

Result<std::unique_ptr<Connection>> Connection::open(std::string_view uri) {
    const std::string terminated(uri);
    std::unique_ptr<Connection> connection(new Connection(PQconnectdb(terminated.c_str())));
    if (!connection->connection_ || PQstatus(connection->get()) != CONNECTION_OK) {
        return model::fail(
            model::Error::Code::database,
            fmt::format("cannot connect to PostgreSQL: {}",
                        trimmed_message(connection->connection_ ? PQerrorMessage(connection->get())
                                                                : "out of memory")));
    }
    // The store's SQL is written for these: UTF-8 text, and notices (a NOTICE that a table
    // exists already) kept out of the program's standard error.
    PQsetNoticeProcessor(
        connection->get(), [](void*, const char*) {}, nullptr);
    auto setup = connection->execute("SET client_encoding = 'UTF8'");
    if (!setup) return std::unexpected(setup.error());
    return connection;
}

Result<Statement*> Connection::prepare(std::string_view sql) {
    auto found = statements_.find(sql);
    if (found != statements_.end()) {
        found->second->reset();
        return found->second.get();
    }
    auto name = fmt::format("carnet_{}", statements_.size() + 1);
    const std::string text = numbered_parameters(sql);
    const auto types = parameter_types(text);
    ResultHandle prepared(
        PQprepare(get(), name.c_str(), text.c_str(), static_cast<int>(types.size()), types.data()));
    if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
        return std::unexpected(error_from(prepared.get(), get(), sql));
    }
    auto statement = std::make_unique<Statement>(*this, std::move(name), text);
    auto* borrowed = statement.get();
    statements_.emplace(std::string(sql), std::move(statement));
    return borrowed;
}

Statement Connection::planned_each_run(std::string_view sql) {
    auto text = numbered_parameters(sql);
    auto types = parameter_types(text);
    return Statement(*this, {}, std::move(text), std::move(types));
}

Status Connection::execute(std::string_view sql) {
    const std::string text(sql);
    ResultHandle result(PQexec(get(), text.c_str()));
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
        return std::unexpected(error_from(result.get(), get(), sql.substr(0, 200)));
    }
    return {};
}

Result<std::int64_t> Connection::last_insert_id() {
    ResultHandle result(PQexec(get(), "SELECT lastval()"));
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) != 1) {
        return std::unexpected(error_from(result.get(), get(), "SELECT lastval()"));
    }
    return std::strtoll(PQgetvalue(result.get(), 0, 0), nullptr, 10);
}

}  // namespace carnet::store::pg
