// The login throttle's counts.
#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"

namespace carnet::store::sql {

using rows::instant_of;
using rows::seconds_of;

template <typename Backend>
Result<std::optional<LoginFailures>> LoginFailureStoreFor<Backend>::find_login_failures(
    std::string_view key) {
    return database_.read([&](auto& db) -> Result<std::optional<LoginFailures>> {
        CARNET_TRY(query,
                   db.prepare("SELECT failures, last_at FROM login_failures WHERE key = ?1"));
        query->bind(1, key);
        CARNET_TRY(has_row, query->step());
        std::optional<LoginFailures> found;
        if (has_row) {
            found = LoginFailures{static_cast<int>(query->column_int(0)),
                                  instant_of(query->column_int(1))};
        }
        query->reset();
        return found;
    });
}

template <typename Backend>
Status LoginFailureWriterFor<Backend>::add_login_failure(std::string_view key, model::Instant now,
                                                         model::Instant forget_before) {
    CARNET_TRY(forget, transaction_.db.prepare("DELETE FROM login_failures WHERE last_at < ?1"));
    forget->bind(1, seconds_of(forget_before));
    CARNET_CHECK(forget->run());
    CARNET_TRY(count, transaction_.db.prepare(
                          "INSERT INTO login_failures (key, failures, last_at) VALUES (?1, 1, ?2) "
                          "ON CONFLICT (key) DO UPDATE SET failures = login_failures.failures + 1, "
                          "last_at = excluded.last_at"));
    count->bind(1, key).bind(2, seconds_of(now));
    return count->run();
}

template <typename Backend>
Status LoginFailureWriterFor<Backend>::clear_login_failures(std::string_view key) {
    CARNET_TRY(clear, transaction_.db.prepare("DELETE FROM login_failures WHERE key = ?1"));
    clear->bind(1, key);
    return clear->run();
}

template class LoginFailureStoreFor<SqliteBackend>;
template class LoginFailureStoreFor<PgBackend>;
template class LoginFailureWriterFor<SqliteBackend>;
template class LoginFailureWriterFor<PgBackend>;

}  // namespace carnet::store::sql
