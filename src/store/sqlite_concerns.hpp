// The SQLite store, one class per concern of store.hpp: the read side of each borrows
// connections from the shared Database, the write side works in the Transaction that
// Store::write opened. SqliteStore (sqlite_store.cpp) owns the read side and hands a fresh
// write side to each transaction. Private to the store.
#pragma once

#include "store/sql_concerns.hpp"
#include "store/sqlite_database.hpp"
#include "store/store.hpp"

namespace carnet::store::sqlite {

// The concerns written once for both backends (sql_concerns.hpp), as this store names them.
using SqliteLoginFailureStore = sql::LoginFailureStoreFor<sql::SqliteBackend>;
using SqliteLoginFailureWriter = sql::LoginFailureWriterFor<sql::SqliteBackend>;
using SqliteRedirectStore = sql::RedirectStoreFor<sql::SqliteBackend>;
using SqliteRedirectWriter = sql::RedirectWriterFor<sql::SqliteBackend>;
using SqliteCommentStore = sql::CommentStoreFor<sql::SqliteBackend>;
using SqliteCommentWriter = sql::CommentWriterFor<sql::SqliteBackend>;
using SqliteArchiveStore = sql::ArchiveStoreFor<sql::SqliteBackend>;
using SqliteArchiveWriter = sql::ArchiveWriterFor<sql::SqliteBackend>;
using SqliteAppPasswordStore = sql::AppPasswordStoreFor<sql::SqliteBackend>;
using SqliteAppPasswordWriter = sql::AppPasswordWriterFor<sql::SqliteBackend>;
using SqliteMediaStore = sql::MediaStoreFor<sql::SqliteBackend>;
using SqliteMediaWriter = sql::MediaWriterFor<sql::SqliteBackend>;
using SqlitePageStore = sql::PageStoreFor<sql::SqliteBackend>;
using SqlitePageWriter = sql::PageWriterFor<sql::SqliteBackend>;
using SqliteAccessTokenStore = sql::AccessTokenStoreFor<sql::SqliteBackend>;
using SqliteAccessTokenWriter = sql::AccessTokenWriterFor<sql::SqliteBackend>;
using SqliteAccountStore = sql::AccountStoreFor<sql::SqliteBackend>;
using SqliteAccountWriter = sql::AccountWriterFor<sql::SqliteBackend>;
using SqliteSessionStore = sql::SessionStoreFor<sql::SqliteBackend>;
using SqliteSessionWriter = sql::SessionWriterFor<sql::SqliteBackend>;
using SqliteFederationStore = sql::FederationStoreFor<sql::SqliteBackend>;
using SqliteFederationWriter = sql::FederationWriterFor<sql::SqliteBackend>;

class SqliteBlogStore final : public BlogStore {
public:
    explicit SqliteBlogStore(Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<model::Blog>> list_blogs() override;
    [[nodiscard]] Result<std::optional<model::Blog>> find_blog(std::int64_t blog_id) override;
    [[nodiscard]] Result<BlogCounts> counts(std::int64_t blog_id) override;

private:
    Database& database_;
};

class SqliteBlogWriter final : public BlogWriter {
public:
    explicit SqliteBlogWriter(Transaction& transaction) : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> create_blog(const model::Blog& blog) override;
    [[nodiscard]] Status update_blog(const model::Blog& blog) override;
    [[nodiscard]] Result<std::string> shared_secret(std::string_view name,
                                                    std::string_view fresh) override;

private:
    Transaction& transaction_;
};

class SqlitePostStore final : public PostStore {
public:
    explicit SqlitePostStore(Database& database) : database_(database) {}

    [[nodiscard]] Result<PostList> published_posts(std::int64_t blog_id,
                                                   const PostQuery& query) override;
    Result<std::optional<model::Post>> find_published_post(std::int64_t blog_id,
                                                           std::string_view slug) override;
    [[nodiscard]] Result<std::vector<model::MonthCount>> months_with_counts(
        std::int64_t blog_id) override;
    [[nodiscard]] Result<PostList> admin_posts(std::int64_t blog_id,
                                               const AdminPostQuery& query) override;
    Result<std::optional<model::Post>> find_post_by_id(std::int64_t blog_id,
                                                       std::int64_t post_id) override;
    [[nodiscard]] Result<std::vector<Revision>> revisions(std::int64_t blog_id,
                                                          std::int64_t post_id) override;
    Result<std::optional<Revision>> find_revision(std::int64_t blog_id,
                                                  std::int64_t revision_id) override;

private:
    Database& database_;
};

class SqlitePostWriter final : public PostWriter {
public:
    explicit SqlitePostWriter(Transaction& transaction) : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> create_post(const model::Post& post) override;
    Result<std::optional<model::Post>> find_post_by_slug(std::int64_t blog_id,
                                                         std::string_view slug) override;
    [[nodiscard]] Result<std::optional<model::Post>> find_post_by_id(std::int64_t blog_id,
                                                                     std::int64_t post_id) override;
    [[nodiscard]] Status update_post(const model::Post& post) override;
    Result<std::int64_t> save_revision(std::int64_t blog_id, std::int64_t post_id,
                                       std::int64_t author_id, bool autosave) override;
    [[nodiscard]] Status delete_post(std::int64_t blog_id, std::int64_t post_id) override;
    [[nodiscard]] Result<std::vector<PostKey>> publish_due_posts(model::Instant now) override;

private:
    Transaction& transaction_;
};

class SqliteCategoryStore final : public CategoryStore {
public:
    explicit SqliteCategoryStore(Database& database) : database_(database) {}

    [[nodiscard]] Result<std::optional<model::Category>> find_category(
        std::int64_t blog_id, std::string_view slug) override;
    [[nodiscard]] Result<std::vector<model::Category>> categories_with_counts(
        std::int64_t blog_id) override;
    [[nodiscard]] Result<std::vector<model::Category>> all_categories(
        std::int64_t blog_id) override;
    [[nodiscard]] Result<std::vector<model::Category>> all_tags(std::int64_t blog_id) override;

private:
    Database& database_;
};

class SqliteCategoryWriter final : public CategoryWriter {
public:
    explicit SqliteCategoryWriter(Transaction& transaction) : transaction_(transaction) {}

    [[nodiscard]] Status rename_category(std::int64_t blog_id, std::int64_t category_id,
                                         std::string_view name, std::string_view slug) override;
    [[nodiscard]] Status merge_categories(std::int64_t blog_id, std::int64_t from,
                                          std::int64_t into) override;
    [[nodiscard]] Status delete_category(std::int64_t blog_id, std::int64_t category_id) override;
    [[nodiscard]] Result<std::int64_t> ensure_category(const model::Category& category) override;

private:
    Transaction& transaction_;
};

class SqliteSearchStore final : public SearchStore {
public:
    explicit SqliteSearchStore(Database& database) : database_(database) {}

    [[nodiscard]] Result<SearchResults> search(std::int64_t blog_id,
                                               const SearchQuery& query) override;
    [[nodiscard]] Status rebuild_search_index() override;

private:
    Database& database_;
};

class SqliteJobStore final : public JobStore {
public:
    explicit SqliteJobStore(Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<Job>> pending_jobs(std::int64_t blog_id) override;

private:
    Database& database_;
};

class SqliteJobWriter final : public JobWriter {
public:
    explicit SqliteJobWriter(Transaction& transaction) : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> enqueue_job(const NewJob& job) override;
    [[nodiscard]] Result<std::optional<Job>> claim_job(std::string_view worker, model::Instant now,
                                                       std::chrono::seconds lease) override;
    [[nodiscard]] Status complete_job(std::int64_t job_id, std::string_view worker) override;
    [[nodiscard]] Status retry_job(std::int64_t job_id, std::string_view worker,
                                   model::Instant run_at, std::string_view error) override;

private:
    Transaction& transaction_;
};

class SqliteMentionStore final : public MentionStore {
public:
    explicit SqliteMentionStore(Database& database) : database_(database) {}

    [[nodiscard]] Result<std::optional<Mention>> find_mention(std::int64_t blog_id,
                                                              std::string_view source,
                                                              std::string_view target) override;

private:
    Database& database_;
};

class SqliteMentionWriter final : public MentionWriter {
public:
    explicit SqliteMentionWriter(Transaction& transaction) : transaction_(transaction) {}

    [[nodiscard]] Status save_mention(const Mention& mention) override;
    [[nodiscard]] Result<std::optional<Mention>> find_mention(std::int64_t blog_id,
                                                              std::string_view source,
                                                              std::string_view target) override;

private:
    Transaction& transaction_;
};

}  // namespace carnet::store::sqlite
