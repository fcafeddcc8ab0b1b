// Application passwords: what writers' apps sign in with, kept by hash.
#include <fmt/format.h>

#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"

namespace carnet::store::sql {
namespace {

using model::Error;
using namespace rows;

constexpr std::size_t k_max_name_bytes = 100;

AppPassword app_password_of(const auto& row) {
    AppPassword password{row.column_int(0), row.column_int(1), row.column_text(2),
                         instant_of(row.column_int(3)), std::nullopt};
    if (!row.column_is_null(4)) password.last_used_at = instant_of(row.column_int(4));
    return password;
}

constexpr std::string_view k_columns = "id, user_id, name, created_at, last_used_at";

}  // namespace

template <typename Backend>
Result<std::vector<AppPassword>> AppPasswordStoreFor<Backend>::app_passwords_of(
    std::int64_t user_id) {
    return database_.read([&](auto& db) -> Result<std::vector<AppPassword>> {
        CARNET_TRY(statement,
                   db.prepare(fmt::format("SELECT {} FROM app_passwords WHERE user_id = ?1 "
                                          "ORDER BY name, id",
                                          k_columns)));
        statement->bind(1, user_id);
        std::vector<AppPassword> passwords;
        CARNET_CHECK(for_each_row(
            *statement, [&](const auto& row) { passwords.push_back(app_password_of(row)); }));
        return passwords;
    });
}

template <typename Backend>
Result<std::optional<AppPassword>> AppPasswordStoreFor<Backend>::find_app_password(
    std::string_view token_hash) {
    return database_.read([&](auto& db) -> Result<std::optional<AppPassword>> {
        CARNET_TRY(statement,
                   db.prepare(fmt::format("SELECT {} FROM app_passwords WHERE token_hash = ?1",
                                          k_columns)));
        statement->bind(1, token_hash);
        CARNET_TRY(has_row, statement->step());
        if (!has_row) return std::optional<AppPassword>();
        auto password = app_password_of(*statement);
        statement->reset();
        return std::optional<AppPassword>(std::move(password));
    });
}

template <typename Backend>
Result<std::int64_t> AppPasswordWriterFor<Backend>::create_app_password(
    std::int64_t user_id, std::string_view name, std::string_view token_hash) {
    if (name.empty() || name.size() > k_max_name_bytes) {
        return model::fail(Error::Code::invalid_input,
                           "an application password needs a name of 1 to 100 bytes");
    }
    CARNET_TRY(insert, transaction_.db.prepare("INSERT INTO app_passwords (user_id, name, "
                                               "token_hash, created_at) VALUES (?1, ?2, ?3, ?4)"));
    insert->bind(1, user_id).bind(2, name).bind(3, token_hash).bind(4, transaction_.now_seconds());
    if (auto inserted = insert->run(); !inserted) {
        if (inserted.error().code == Error::Code::conflict) {
            return model::fail(
                Error::Code::conflict,
                fmt::format("there is already an application password named {}", name));
        }
        return std::unexpected(inserted.error());
    }
    return sql::inserted_id(transaction_.db);
}

template <typename Backend>
Status AppPasswordWriterFor<Backend>::revoke_app_password(std::int64_t user_id,
                                                          std::string_view name) {
    CARNET_TRY(remove, transaction_.db.prepare(
                           "DELETE FROM app_passwords WHERE user_id = ?1 AND name = ?2"));
    remove->bind(1, user_id).bind(2, name);
    CARNET_CHECK(remove->run());
    if (changes(transaction_.db) == 0) {
        return model::fail(Error::Code::not_found,
                           fmt::format("no application password named {}", name));
    }
    return {};
}

template <typename Backend>
Status AppPasswordWriterFor<Backend>::record_app_password_use(std::int64_t app_password_id) {
    CARNET_TRY(update,
               transaction_.db.prepare("UPDATE app_passwords SET last_used_at = ?2 WHERE id = ?1"));
    update->bind(1, app_password_id).bind(2, transaction_.now_seconds());
    return update->run();
}

template class AppPasswordStoreFor<SqliteBackend>;
template class AppPasswordStoreFor<PgBackend>;
template class AppPasswordWriterFor<SqliteBackend>;
template class AppPasswordWriterFor<PgBackend>;

}  // namespace carnet::store::sql
