#include <fmt/format.h>

#include "store/sqlite_admin.hpp"
#include "store/sqlite_concerns.hpp"
#include "store/sqlite_rows.hpp"

namespace carnet::store::sqlite {
namespace {

using model::Error;
using namespace rows;

}  // namespace

Result<std::optional<model::User>> SqliteAccountStore::find_user_by_email(std::string_view email) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    return rows::find_user(**reader, email);
}

Result<std::optional<model::Role>> SqliteAccountStore::role_of(std::int64_t blog_id,
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

Result<std::optional<Login>> SqliteAccountStore::find_login(std::string_view email) {
    return database_.read([&](Connection& db) { return admin_sql::find_login(db, email); });
}

Result<std::optional<model::User>> SqliteAccountStore::find_user(std::int64_t user_id) {
    return database_.read([&](Connection& db) { return admin_sql::find_user(db, user_id); });
}

Result<std::vector<UserSummary>> SqliteAccountStore::list_users() {
    return database_.read(
        [&](Connection& db) { return admin_sql::list_users(db, database_.clock().now()); });
}

Result<std::vector<Membership>> SqliteAccountStore::memberships_of(std::int64_t user_id) {
    return database_.read([&](Connection& db) { return admin_sql::memberships_of(db, user_id); });
}

Result<std::int64_t> SqliteAccountWriter::create_user(const model::User& user,
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
    return transaction_.db.last_insert_id();
}

model::Status SqliteAccountWriter::add_membership(std::int64_t blog_id, std::int64_t user_id,
                                                  model::Role role) {
    CARNET_TRY(insert, transaction_.db.prepare("INSERT INTO memberships (blog_id, user_id, role) "
                                               "VALUES (?1, ?2, ?3) ON CONFLICT (blog_id, user_id) "
                                               "DO UPDATE SET role = excluded.role"));
    insert->bind(1, blog_id).bind(2, user_id).bind(3, model::to_string(role));
    CARNET_CHECK(insert->run());
    transaction_.touched_blogs.insert(blog_id);
    return {};
}

Result<std::optional<model::User>> SqliteAccountWriter::find_user_by_email(std::string_view email) {
    return rows::find_user(transaction_.db, email);
}

Status SqliteAccountWriter::set_password(std::int64_t user_id, std::string_view password_hash) {
    return admin_sql::set_password(transaction_, user_id, password_hash);
}

Status SqliteAccountWriter::remove_user(std::int64_t user_id) {
    return admin_sql::remove_user(transaction_, user_id);
}

Status SqliteAccountWriter::remove_membership(std::int64_t blog_id, std::int64_t user_id) {
    return admin_sql::remove_membership(transaction_, blog_id, user_id);
}

Result<std::optional<Session>> SqliteSessionStore::find_session(std::string_view token_hash,
                                                                model::Instant now) {
    return database_.read(
        [&](Connection& db) { return admin_sql::find_session(db, token_hash, now); });
}

Status SqliteSessionWriter::create_session(std::string_view token_hash, const Session& session) {
    return admin_sql::create_session(transaction_, token_hash, session);
}

Status SqliteSessionWriter::delete_session(std::string_view token_hash) {
    return admin_sql::delete_session(transaction_, token_hash);
}

Result<int> SqliteSessionWriter::delete_sessions_of(std::int64_t user_id) {
    return admin_sql::delete_sessions_of(transaction_, user_id);
}

Result<int> SqliteSessionWriter::delete_expired_sessions(model::Instant now) {
    return admin_sql::delete_expired_sessions(transaction_, now);
}

}  // namespace carnet::store::sqlite
