// IndieAuth's codes and access tokens, kept by hash.
#include <fmt/format.h>

#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"

namespace carnet::store::sql {
namespace {

using model::Error;
using namespace rows;

AccessToken access_token_of(const auto& row) {
    AccessToken token{row.column_int(0),  row.column_int(1),  row.column_int(2),
                      row.column_text(3), row.column_text(4), instant_of(row.column_int(5)),
                      std::nullopt};
    if (!row.column_is_null(6)) token.last_used_at = instant_of(row.column_int(6));
    return token;
}

constexpr std::string_view k_columns =
    "id, user_id, blog_id, client_id, scope, created_at, last_used_at";

}  // namespace

template <typename Backend>
Result<std::vector<AccessToken>> AccessTokenStoreFor<Backend>::access_tokens_of(
    std::int64_t user_id) {
    return database_.read([&](auto& db) -> Result<std::vector<AccessToken>> {
        CARNET_TRY(statement,
                   db.prepare(fmt::format(
                       "SELECT {} FROM access_tokens WHERE user_id = ?1 ORDER BY id", k_columns)));
        statement->bind(1, user_id);
        std::vector<AccessToken> tokens;
        CARNET_CHECK(for_each_row(
            *statement, [&](const auto& row) { tokens.push_back(access_token_of(row)); }));
        return tokens;
    });
}

template <typename Backend>
Result<std::optional<AccessToken>> AccessTokenStoreFor<Backend>::find_access_token(
    std::string_view token_hash) {
    return database_.read([&](auto& db) -> Result<std::optional<AccessToken>> {
        CARNET_TRY(statement,
                   db.prepare(fmt::format("SELECT {} FROM access_tokens WHERE token_hash = ?1",
                                          k_columns)));
        statement->bind(1, token_hash);
        CARNET_TRY(has_row, statement->step());
        if (!has_row) return std::optional<AccessToken>();
        auto token = access_token_of(*statement);
        statement->reset();
        return std::optional<AccessToken>(std::move(token));
    });
}

template <typename Backend>
Status AccessTokenWriterFor<Backend>::create_auth_code(std::string_view code_hash,
                                                       const AuthCode& code) {
    CARNET_TRY(insert, transaction_.db.prepare(
                           "INSERT INTO auth_codes (code_hash, user_id, blog_id, client_id, "
                           "redirect_uri, code_challenge, scope, expires_at) VALUES "
                           "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    insert->bind(1, code_hash)
        .bind(2, code.user_id)
        .bind(3, code.blog_id)
        .bind(4, code.client_id)
        .bind(5, code.redirect_uri)
        .bind(6, code.code_challenge)
        .bind(7, code.scope)
        .bind(8, seconds_of(code.expires_at));
    return insert->run();
}

template <typename Backend>
Result<std::optional<AuthCode>> AccessTokenWriterFor<Backend>::take_auth_code(
    std::string_view code_hash) {
    CARNET_TRY(select, transaction_.db.prepare(
                           "SELECT user_id, blog_id, client_id, redirect_uri, code_challenge, "
                           "scope, expires_at FROM auth_codes WHERE code_hash = ?1"));
    select->bind(1, code_hash);
    CARNET_TRY(has_row, select->step());
    if (!has_row) return std::optional<AuthCode>();
    AuthCode code{select->column_int(0),
                  select->column_int(1),
                  select->column_text(2),
                  select->column_text(3),
                  select->column_text(4),
                  select->column_text(5),
                  instant_of(select->column_int(6))};
    select->reset();
    CARNET_TRY(remove, transaction_.db.prepare("DELETE FROM auth_codes WHERE code_hash = ?1"));
    remove->bind(1, code_hash);
    CARNET_CHECK(remove->run());
    return std::optional<AuthCode>(std::move(code));
}

template <typename Backend>
Result<std::int64_t> AccessTokenWriterFor<Backend>::create_access_token(std::string_view token_hash,
                                                                        const AccessToken& token) {
    CARNET_TRY(insert, transaction_.db.prepare(
                           "INSERT INTO access_tokens (token_hash, user_id, blog_id, client_id, "
                           "scope, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    insert->bind(1, token_hash)
        .bind(2, token.user_id)
        .bind(3, token.blog_id)
        .bind(4, token.client_id)
        .bind(5, token.scope)
        .bind(6, transaction_.now_seconds());
    CARNET_CHECK(insert->run());
    return sql::inserted_id(transaction_.db);
}

template <typename Backend>
Status AccessTokenWriterFor<Backend>::revoke_access_token(std::int64_t user_id,
                                                          std::int64_t token_id) {
    CARNET_TRY(remove,
               transaction_.db.prepare("DELETE FROM access_tokens WHERE user_id = ?1 AND id = ?2"));
    remove->bind(1, user_id).bind(2, token_id);
    CARNET_CHECK(remove->run());
    if (changes(transaction_.db) == 0) {
        return model::fail(Error::Code::not_found, fmt::format("no access token {}", token_id));
    }
    return {};
}

template <typename Backend>
Result<bool> AccessTokenWriterFor<Backend>::revoke_access_token_by_hash(
    std::string_view token_hash) {
    CARNET_TRY(remove, transaction_.db.prepare("DELETE FROM access_tokens WHERE token_hash = ?1"));
    remove->bind(1, token_hash);
    CARNET_CHECK(remove->run());
    return changes(transaction_.db) > 0;
}

template <typename Backend>
Status AccessTokenWriterFor<Backend>::record_access_token_use(std::int64_t token_id) {
    CARNET_TRY(update,
               transaction_.db.prepare("UPDATE access_tokens SET last_used_at = ?2 WHERE id = ?1"));
    update->bind(1, token_id).bind(2, transaction_.now_seconds());
    return update->run();
}

template class AccessTokenStoreFor<SqliteBackend>;
template class AccessTokenStoreFor<PgBackend>;
template class AccessTokenWriterFor<SqliteBackend>;
template class AccessTokenWriterFor<PgBackend>;

}  // namespace carnet::store::sql
