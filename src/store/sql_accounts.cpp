// Users, their memberships of blogs and their sessions.
#include <fmt/format.h>

#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"

namespace carnet::store::sql {
namespace {

using model::Error;
using namespace rows;

// The SQL of this concern, which the class below forwards to.
namespace queries {

template <typename Transaction>
Status set_password(Transaction& context, std::int64_t user_id, std::string_view password_hash) {
    CARNET_TRY(update, context.db.prepare("UPDATE users SET password_hash = ?2 WHERE id = ?1"));
    update->bind(1, user_id).bind(2, password_hash);
    CARNET_CHECK(update->run());
    if (changes(context.db) == 0) {
        return model::fail(Error::Code::not_found, fmt::format("no user {}", user_id));
    }
    // The apps signed in with the old password's trust: a new password is a fresh start.
    CARNET_TRY(revoke, context.db.prepare("DELETE FROM app_passwords WHERE user_id = ?1"));
    revoke->bind(1, user_id);
    CARNET_CHECK(revoke->run());
    CARNET_TRY(tokens, context.db.prepare("DELETE FROM access_tokens WHERE user_id = ?1"));
    tokens->bind(1, user_id);
    return tokens->run();
}

template <typename Transaction>
Status remove_user(Transaction& context, std::int64_t user_id) {
    auto& db = context.db;
    CARNET_TRY(blogs, db.prepare("SELECT blog_id FROM memberships WHERE user_id = ?1"));
    blogs->bind(1, user_id);
    CARNET_CHECK(for_each_row(
        *blogs, [&](const auto& row) { context.touched_blogs.insert(row.column_int(0)); }));
    CARNET_TRY(remove, db.prepare("DELETE FROM users WHERE id = ?1"));
    remove->bind(1, user_id);
    CARNET_CHECK(remove->run());
    if (changes(db) == 0) {
        return model::fail(Error::Code::not_found, fmt::format("no user {}", user_id));
    }
    return {};
}

template <typename Transaction>
Status remove_membership(Transaction& context, std::int64_t blog_id, std::int64_t user_id) {
    CARNET_TRY(remove,
               context.db.prepare("DELETE FROM memberships WHERE blog_id = ?1 AND user_id = ?2"));
    remove->bind(1, blog_id).bind(2, user_id);
    CARNET_CHECK(remove->run());
    context.touched_blogs.insert(blog_id);
    return {};
}

template <typename Transaction>
Status create_session(Transaction& context, std::string_view token_hash, const Session& session) {
    CARNET_TRY(insert, context.db.prepare("INSERT INTO sessions (token_hash, user_id, csrf_secret, "
                                          "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
    insert->bind(1, token_hash)
        .bind(2, session.user_id)
        .bind(3, session.csrf_secret)
        .bind(4, context.now_seconds())
        .bind(5, seconds_of(session.expires_at));
    return insert->run();
}

template <typename Transaction>
Status delete_session(Transaction& context, std::string_view token_hash) {
    CARNET_TRY(remove, context.db.prepare("DELETE FROM sessions WHERE token_hash = ?1"));
    remove->bind(1, token_hash);
    return remove->run();
}

template <typename Transaction>
Result<int> delete_sessions_of(Transaction& context, std::int64_t user_id) {
    CARNET_TRY(remove, context.db.prepare("DELETE FROM sessions WHERE user_id = ?1"));
    remove->bind(1, user_id);
    CARNET_CHECK(remove->run());
    return changes(context.db);
}

template <typename Transaction>
Result<int> delete_expired_sessions(Transaction& context, model::Instant now) {
    CARNET_TRY(remove, context.db.prepare("DELETE FROM sessions WHERE expires_at <= ?1"));
    remove->bind(1, seconds_of(now));
    CARNET_CHECK(remove->run());
    return changes(context.db);
}

template <typename Connection>
Result<std::optional<Login>> find_login(Connection& db, std::string_view email) {
    CARNET_TRY(statement,
               db.prepare("SELECT id, email, name, password_hash FROM users WHERE email = ?1"));
    statement->bind(1, email);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<Login>();
    Login login{
        model::User{statement->column_int(0), statement->column_text(1), statement->column_text(2)},
        statement->column_text(3)};
    statement->reset();
    return std::optional<Login>(std::move(login));
}

template <typename Connection>
Result<std::optional<model::User>> find_user(Connection& db, std::int64_t user_id) {
    CARNET_TRY(statement, db.prepare("SELECT id, email, name FROM users WHERE id = ?1"));
    statement->bind(1, user_id);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<model::User>();
    model::User user{statement->column_int(0), statement->column_text(1),
                     statement->column_text(2)};
    statement->reset();
    return std::optional<model::User>(std::move(user));
}

template <typename Connection>
Result<std::vector<UserSummary>> list_users(Connection& db, model::Instant now) {
    CARNET_TRY(users, db.prepare("SELECT u.id, u.email, u.name, "
                                 "(SELECT count(*) FROM sessions s WHERE s.user_id = u.id "
                                 "AND s.expires_at > ?1) FROM users u ORDER BY u.email"));
    users->bind(1, seconds_of(now));
    std::vector<UserSummary> summaries;
    CARNET_CHECK(for_each_row(*users, [&](const auto& row) {
        summaries.push_back(
            UserSummary{model::User{row.column_int(0), row.column_text(1), row.column_text(2)},
                        {},
                        static_cast<int>(row.column_int(3))});
    }));
    CARNET_TRY(
        roles,
        db.prepare("SELECT blog_id, role FROM memberships WHERE user_id = ?1 ORDER BY blog_id"));
    for (auto& summary : summaries) {
        roles->reset();
        roles->bind(1, summary.user.id);
        CARNET_CHECK(for_each_row(*roles, [&](const auto& row) {
            if (auto role = model::parse_role(row.column_text(1))) {
                summary.roles.emplace_back(row.column_int(0), *role);
            }
        }));
    }
    return summaries;
}

template <typename Connection>
Result<std::vector<Membership>> memberships_of(Connection& db, std::int64_t user_id) {
    CARNET_TRY(
        statement,
        db.prepare("SELECT blog_id, role FROM memberships WHERE user_id = ?1 ORDER BY blog_id"));
    statement->bind(1, user_id);
    std::vector<std::pair<std::int64_t, model::Role>> roles;
    CARNET_CHECK(for_each_row(*statement, [&](const auto& row) {
        if (auto role = model::parse_role(row.column_text(1))) {
            roles.emplace_back(row.column_int(0), *role);
        }
    }));
    std::vector<Membership> memberships;
    for (const auto& [blog_id, role] : roles) {
        CARNET_TRY(blog, blog_of(db, blog_id));
        memberships.push_back(Membership{std::move(blog), role});
    }
    return memberships;
}

template <typename Connection>
Result<std::optional<Session>> find_session(Connection& db, std::string_view token_hash,
                                            model::Instant now) {
    CARNET_TRY(statement, db.prepare("SELECT user_id, csrf_secret, expires_at FROM sessions "
                                     "WHERE token_hash = ?1 AND expires_at > ?2"));
    statement->bind(1, token_hash).bind(2, seconds_of(now));
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<Session>();
    Session session{statement->column_int(0), statement->column_text(1),
                    instant_of(statement->column_int(2))};
    statement->reset();
    return std::optional<Session>(std::move(session));
}

}  // namespace queries

}  // namespace

template <typename Backend>
Result<std::optional<model::User>> AccountStoreFor<Backend>::find_user_by_email(
    std::string_view email) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    return rows::find_user(**reader, email);
}

template <typename Backend>
Result<std::optional<model::Role>> AccountStoreFor<Backend>::role_of(std::int64_t blog_id,
                                                                     std::int64_t user_id) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    CARNET_TRY(statement, (*reader)->prepare("SELECT role FROM memberships "
                                             "WHERE blog_id = ?1 AND user_id = ?2"));
    statement->bind(1, blog_id).bind(2, user_id);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<model::Role>();
    auto role = model::parse_role(statement->column_text(0));
    statement->reset();
    return role;
}

template <typename Backend>
Result<std::optional<Login>> AccountStoreFor<Backend>::find_login(std::string_view email) {
    return database_.read([&](auto& db) { return queries::find_login(db, email); });
}

template <typename Backend>
Result<std::optional<model::User>> AccountStoreFor<Backend>::find_user(std::int64_t user_id) {
    return database_.read([&](auto& db) { return queries::find_user(db, user_id); });
}

template <typename Backend>
Result<std::vector<UserSummary>> AccountStoreFor<Backend>::list_users() {
    return database_.read(
        [&](auto& db) { return queries::list_users(db, database_.clock().now()); });
}

template <typename Backend>
Result<std::vector<Membership>> AccountStoreFor<Backend>::memberships_of(std::int64_t user_id) {
    return database_.read([&](auto& db) { return queries::memberships_of(db, user_id); });
}

template <typename Backend>
Result<std::int64_t> AccountWriterFor<Backend>::create_user(const model::User& user,
                                                            std::string_view password_hash) {
    if (user.email.find('@') == std::string::npos) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("{} is not an e-mail address", user.email));
    }
    if (user.name.empty()) return model::fail(Error::Code::invalid_input, "a user needs a name");
    CARNET_TRY(insert,
               transaction_.db.prepare("INSERT INTO users (email, name, password_hash, created_at) "
                                       "VALUES (?1, ?2, ?3, ?4)"));
    insert->bind(1, user.email)
        .bind(2, user.name)
        .bind(3, password_hash)
        .bind(4, transaction_.now_seconds());
    auto inserted = insert->run();
    if (!inserted) {
        if (inserted.error().code == Error::Code::conflict) {
            return model::fail(Error::Code::conflict,
                               fmt::format("a user with the e-mail {} exists already", user.email));
        }
        return std::unexpected(inserted.error());
    }
    return inserted_id(transaction_.db);
}

template <typename Backend>
model::Status AccountWriterFor<Backend>::add_membership(std::int64_t blog_id, std::int64_t user_id,
                                                        model::Role role) {
    CARNET_TRY(insert, transaction_.db.prepare("INSERT INTO memberships (blog_id, user_id, role) "
                                               "VALUES (?1, ?2, ?3) ON CONFLICT (blog_id, user_id) "
                                               "DO UPDATE SET role = excluded.role"));
    insert->bind(1, blog_id).bind(2, user_id).bind(3, model::to_string(role));
    CARNET_CHECK(insert->run());
    transaction_.touched_blogs.insert(blog_id);
    return {};
}

template <typename Backend>
Result<std::optional<model::User>> AccountWriterFor<Backend>::find_user_by_email(
    std::string_view email) {
    return rows::find_user(transaction_.db, email);
}

template <typename Backend>
Status AccountWriterFor<Backend>::set_password(std::int64_t user_id,
                                               std::string_view password_hash) {
    return queries::set_password(transaction_, user_id, password_hash);
}

template <typename Backend>
Status AccountWriterFor<Backend>::remove_user(std::int64_t user_id) {
    return queries::remove_user(transaction_, user_id);
}

template <typename Backend>
Status AccountWriterFor<Backend>::remove_membership(std::int64_t blog_id, std::int64_t user_id) {
    return queries::remove_membership(transaction_, blog_id, user_id);
}

template <typename Backend>
Result<std::optional<Session>> SessionStoreFor<Backend>::find_session(std::string_view token_hash,
                                                                      model::Instant now) {
    return database_.read([&](auto& db) { return queries::find_session(db, token_hash, now); });
}

template <typename Backend>
Status SessionWriterFor<Backend>::create_session(std::string_view token_hash,
                                                 const Session& session) {
    return queries::create_session(transaction_, token_hash, session);
}

template <typename Backend>
Status SessionWriterFor<Backend>::delete_session(std::string_view token_hash) {
    return queries::delete_session(transaction_, token_hash);
}

template <typename Backend>
Result<int> SessionWriterFor<Backend>::delete_sessions_of(std::int64_t user_id) {
    return queries::delete_sessions_of(transaction_, user_id);
}

template <typename Backend>
Result<int> SessionWriterFor<Backend>::delete_expired_sessions(model::Instant now) {
    return queries::delete_expired_sessions(transaction_, now);
}

template class AccountStoreFor<SqliteBackend>;
template class AccountStoreFor<PgBackend>;
template class AccountWriterFor<SqliteBackend>;
template class AccountWriterFor<PgBackend>;
template class SessionStoreFor<SqliteBackend>;
template class SessionStoreFor<PgBackend>;
template class SessionWriterFor<SqliteBackend>;
template class SessionWriterFor<PgBackend>;

}  // namespace carnet::store::sql
