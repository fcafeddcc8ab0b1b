// The PostgreSQL store, one class per concern of store.hpp (as sqlite_concerns.hpp): the read side
// of each borrows connections from the shared Database, the write side works in the Transaction
// that Store::write opened. PgStore (pg_store.cpp) owns the read side and hands a fresh write side
// to each transaction. Private to the store.
#pragma once

#include "store/pg_database.hpp"
#include "store/sql_concerns.hpp"
#include "store/store.hpp"

namespace carnet::store::pg {

// The concerns written once for both backends (sql_concerns.hpp), as this store names them.
using PgLoginFailureStore = sql::LoginFailureStoreFor<sql::PgBackend>;
using PgLoginFailureWriter = sql::LoginFailureWriterFor<sql::PgBackend>;
using PgRedirectStore = sql::RedirectStoreFor<sql::PgBackend>;
using PgRedirectWriter = sql::RedirectWriterFor<sql::PgBackend>;
using PgCommentStore = sql::CommentStoreFor<sql::PgBackend>;
using PgCommentWriter = sql::CommentWriterFor<sql::PgBackend>;
using PgArchiveStore = sql::ArchiveStoreFor<sql::PgBackend>;
using PgArchiveWriter = sql::ArchiveWriterFor<sql::PgBackend>;
using PgAppPasswordStore = sql::AppPasswordStoreFor<sql::PgBackend>;
using PgAppPasswordWriter = sql::AppPasswordWriterFor<sql::PgBackend>;
using PgMediaStore = sql::MediaStoreFor<sql::PgBackend>;
using PgMediaWriter = sql::MediaWriterFor<sql::PgBackend>;
using PgPageStore = sql::PageStoreFor<sql::PgBackend>;
using PgPageWriter = sql::PageWriterFor<sql::PgBackend>;
using PgAccessTokenStore = sql::AccessTokenStoreFor<sql::PgBackend>;
using PgAccessTokenWriter = sql::AccessTokenWriterFor<sql::PgBackend>;
using PgAccountStore = sql::AccountStoreFor<sql::PgBackend>;
using PgAccountWriter = sql::AccountWriterFor<sql::PgBackend>;
using PgSessionStore = sql::SessionStoreFor<sql::PgBackend>;
using PgSessionWriter = sql::SessionWriterFor<sql::PgBackend>;
using PgFederationStore = sql::FederationStoreFor<sql::PgBackend>;
using PgFederationWriter = sql::FederationWriterFor<sql::PgBackend>;

class PgBlogStore final : public BlogStore {
public:
    explicit PgBlogStore(Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<model::Blog>> list_blogs() override;
    [[nodiscard]] Result<std::optional<model::Blog>> find_blog(std::int64_t blog_id) override;
    [[nodiscard]] Result<BlogCounts> counts(std::int64_t blog_id) override;

private:
    Database& database_;
};

class PgBlogWriter final : public BlogWriter {
public:
    explicit PgBlogWriter(Transaction& transaction) : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> create_blog(const model::Blog& blog) override;
    [[nodiscard]] Status update_blog(const model::Blog& blog) override;
    [[nodiscard]] Result<std::string> shared_secret(std::string_view name,
                                                    std::string_view fresh) override;

private:
    Transaction& transaction_;
};

class PgPostStore final : public PostStore {
public:
    explicit PgPostStore(Database& database) : database_(database) {}

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

class PgPostWriter final : public PostWriter {
public:
    explicit PgPostWriter(Transaction& transaction) : transaction_(transaction) {}

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

class PgCategoryStore final : public CategoryStore {
public:
    explicit PgCategoryStore(Database& database) : database_(database) {}

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

class PgCategoryWriter final : public CategoryWriter {
public:
    explicit PgCategoryWriter(Transaction& transaction) : transaction_(transaction) {}

    [[nodiscard]] Status rename_category(std::int64_t blog_id, std::int64_t category_id,
                                         std::string_view name, std::string_view slug) override;
    [[nodiscard]] Status merge_categories(std::int64_t blog_id, std::int64_t from,
                                          std::int64_t into) override;
    [[nodiscard]] Status delete_category(std::int64_t blog_id, std::int64_t category_id) override;
    [[nodiscard]] Result<std::int64_t> ensure_category(const model::Category& category) override;

private:
    Transaction& transaction_;
};

class PgSearchStore final : public SearchStore {
public:
    explicit PgSearchStore(Database& database) : database_(database) {}

    [[nodiscard]] Result<SearchResults> search(std::int64_t blog_id,
                                               const SearchQuery& query) override;
    [[nodiscard]] Status rebuild_search_index() override;

private:
    Database& database_;
};

class PgJobStore final : public JobStore {
public:
    explicit PgJobStore(Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<Job>> pending_jobs(std::int64_t blog_id) override;

private:
    Database& database_;
};

class PgJobWriter final : public JobWriter {
public:
    explicit PgJobWriter(Transaction& transaction) : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> enqueue_job(const NewJob& job) override;
    [[nodiscard]] Result<std::optional<Job>> claim_job(std::string_view worker, model::Instant now,
                                                       std::chrono::seconds lease) override;
    [[nodiscard]] Status complete_job(std::int64_t job_id, std::string_view worker) override;
    [[nodiscard]] Status retry_job(std::int64_t job_id, std::string_view worker,
                                   model::Instant run_at, std::string_view error) override;

private:
    Transaction& transaction_;
};

class PgMentionStore final : public MentionStore {
public:
    explicit PgMentionStore(Database& database) : database_(database) {}

    [[nodiscard]] Result<std::optional<Mention>> find_mention(std::int64_t blog_id,
                                                              std::string_view source,
                                                              std::string_view target) override;

private:
    Database& database_;
};

class PgMentionWriter final : public MentionWriter {
public:
    explicit PgMentionWriter(Transaction& transaction) : transaction_(transaction) {}

    [[nodiscard]] Status save_mention(const Mention& mention) override;
    [[nodiscard]] Result<std::optional<Mention>> find_mention(std::int64_t blog_id,
                                                              std::string_view source,
                                                              std::string_view target) override;

private:
    Transaction& transaction_;
};

}  // namespace carnet::store::pg
