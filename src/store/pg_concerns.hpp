// The PostgreSQL store's concern classes: those written once for both backends
// (sql_concerns.hpp) under the names this store gives them, and its own search
// (pg_search.cpp), a different engine on each backend. Private to the store.
#pragma once

#include "store/pg_database.hpp"
#include "store/sql_concerns.hpp"
#include "store/store.hpp"

namespace carnet::store::pg {

// The concerns written once for both backends (sql_concerns.hpp), as this store names them.
using PgLoginFailureStore = sql::LoginFailureStoreFor<sql::PgBackend>;
using PgLoginFailureWriter = sql::LoginFailureWriterFor<sql::PgBackend>;
using PgCommentAttemptStore = sql::CommentAttemptStoreFor<sql::PgBackend>;
using PgCommentAttemptWriter = sql::CommentAttemptWriterFor<sql::PgBackend>;
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
using PgBlogStore = sql::BlogStoreFor<sql::PgBackend>;
using PgBlogWriter = sql::BlogWriterFor<sql::PgBackend>;
using PgCategoryStore = sql::CategoryStoreFor<sql::PgBackend>;
using PgCategoryWriter = sql::CategoryWriterFor<sql::PgBackend>;
using PgJobStore = sql::JobStoreFor<sql::PgBackend>;
using PgJobWriter = sql::JobWriterFor<sql::PgBackend>;
using PgMentionStore = sql::MentionStoreFor<sql::PgBackend>;
using PgMentionWriter = sql::MentionWriterFor<sql::PgBackend>;
using PgPostStore = sql::PostStoreFor<sql::PgBackend>;
using PgPostWriter = sql::PostWriterFor<sql::PgBackend>;

class PgSearchStore final : public SearchStore {
public:
    explicit PgSearchStore(Database& database) : database_(database) {}

    [[nodiscard]] Result<SearchResults> search(std::int64_t blog_id,
                                               const SearchQuery& query) override;
    [[nodiscard]] Status rebuild_search_index() override;

private:
    Database& database_;
};

}  // namespace carnet::store::pg
