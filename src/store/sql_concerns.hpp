// The store's concern classes, written once for both backends: each is a class template over a
// backend of sql_backend.hpp (SqliteBackend, PgBackend), and its sql_<concern>.cpp instantiates
// it for both. The read side of each borrows connections from the shared Database, the write side
// works in the Transaction that Store::write opened. sqlite_concerns.hpp and pg_concerns.hpp name
// the instances as each store knows them. Private to the store.
#pragma once

#include "store/sql_backend.hpp"
#include "store/store.hpp"

namespace carnet::store::sql {

template <typename Backend>
class LoginFailureStoreFor final : public LoginFailureStore {
public:
    explicit LoginFailureStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::optional<LoginFailures>> find_login_failures(
        std::string_view key) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class LoginFailureWriterFor final : public LoginFailureWriter {
public:
    explicit LoginFailureWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Status add_login_failure(std::string_view key, model::Instant now,
                                           model::Instant forget_before) override;
    [[nodiscard]] Status clear_login_failures(std::string_view key) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class RedirectStoreFor final : public RedirectStore {
public:
    explicit RedirectStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::optional<model::Post>> find_post_redirect(
        std::int64_t blog_id, std::string_view old_path) override;
    [[nodiscard]] Result<std::vector<std::string>> post_redirect_paths(
        std::int64_t blog_id) override;
    Result<std::optional<model::Category>> find_category_redirect(
        std::int64_t blog_id, std::string_view old_slug) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class RedirectWriterFor final : public RedirectWriter {
public:
    explicit RedirectWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Status add_post_redirect(std::int64_t blog_id, std::string_view old_path,
                                           std::int64_t post_id) override;

private:
    typename Backend::Transaction& transaction_;
};

// Each class above is instantiated once per backend, in its own file.
#define CARNET_SQL_CONCERN(Class)                    \
    extern template class Class<sql::SqliteBackend>; \
    extern template class Class<sql::PgBackend>

CARNET_SQL_CONCERN(LoginFailureStoreFor);
CARNET_SQL_CONCERN(LoginFailureWriterFor);
CARNET_SQL_CONCERN(RedirectStoreFor);
CARNET_SQL_CONCERN(RedirectWriterFor);

}  // namespace carnet::store::sql
