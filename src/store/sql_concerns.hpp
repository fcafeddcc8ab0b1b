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

template <typename Backend>
class CommentStoreFor final : public CommentStore {
public:
    explicit CommentStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<model::Comment>> approved_comments(
        std::int64_t blog_id, std::int64_t post_id) override;
    [[nodiscard]] Result<CommentList> comments(std::int64_t blog_id,
                                               const CommentQuery& query) override;
    Result<std::optional<model::Comment>> find_comment(std::int64_t blog_id,
                                                       std::int64_t comment_id) override;
    [[nodiscard]] Result<bool> has_approved_comment_from(std::int64_t blog_id,
                                                         std::string_view name,
                                                         std::string_view email) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class CommentWriterFor final : public CommentWriter {
public:
    explicit CommentWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> add_comment(const model::Comment& comment) override;
    Status set_comment_status(std::int64_t blog_id, std::int64_t comment_id,
                              model::CommentStatus status) override;
    [[nodiscard]] Status update_comment(std::int64_t blog_id, std::int64_t comment_id,
                                        std::string_view source, std::string_view html) override;
    [[nodiscard]] Status delete_comment(std::int64_t blog_id, std::int64_t comment_id) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class ArchiveStoreFor final : public ArchiveStore {
public:
    explicit ArchiveStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<ArchivedPost>> archived_posts(std::int64_t blog_id) override;
    [[nodiscard]] Status each_archived_post(
        std::int64_t blog_id, const std::function<Status(const ArchivedPost&)>& each) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class ArchiveWriterFor final : public ArchiveWriter {
public:
    explicit ArchiveWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Result<std::optional<std::int64_t>> find_post_at(
        std::int64_t blog_id, model::Instant published_at, std::string_view slug,
        std::string_view meta_key, std::string_view meta_value) override;
    [[nodiscard]] Status set_post_extras(std::int64_t blog_id, std::int64_t post_id,
                                         const std::vector<std::string>& tags,
                                         const std::map<std::string, std::string>& meta) override;
    [[nodiscard]] Result<std::int64_t> add_archived_comment(
        const ArchivedComment& comment) override;
    Result<std::optional<ArchivedPost>> archived_post(std::int64_t blog_id,
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
CARNET_SQL_CONCERN(CommentStoreFor);
CARNET_SQL_CONCERN(CommentWriterFor);
CARNET_SQL_CONCERN(ArchiveStoreFor);
CARNET_SQL_CONCERN(ArchiveWriterFor);

}  // namespace carnet::store::sql
