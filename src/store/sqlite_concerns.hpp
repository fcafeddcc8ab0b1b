// The SQLite store's concern classes: those written once for both backends
// (sql_concerns.hpp) under the names this store gives them, and its own search
// (sqlite_search.cpp), a different engine on each backend. Private to the store.
#pragma once

#include "store/sql_concerns.hpp"
#include "store/sqlite_database.hpp"
#include "store/store.hpp"

namespace carnet::store::sqlite {

// The concerns written once for both backends (sql_concerns.hpp), as this store names them.
using SqliteLoginFailureStore = sql::LoginFailureStoreFor<sql::SqliteBackend>;
using SqliteLoginFailureWriter = sql::LoginFailureWriterFor<sql::SqliteBackend>;
using SqliteCommentAttemptStore = sql::CommentAttemptStoreFor<sql::SqliteBackend>;
using SqliteCommentAttemptWriter = sql::CommentAttemptWriterFor<sql::SqliteBackend>;
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
using SqliteBlogStore = sql::BlogStoreFor<sql::SqliteBackend>;
using SqliteBlogWriter = sql::BlogWriterFor<sql::SqliteBackend>;
using SqliteCategoryStore = sql::CategoryStoreFor<sql::SqliteBackend>;
using SqliteCategoryWriter = sql::CategoryWriterFor<sql::SqliteBackend>;
using SqliteJobStore = sql::JobStoreFor<sql::SqliteBackend>;
using SqliteJobWriter = sql::JobWriterFor<sql::SqliteBackend>;
using SqliteMentionStore = sql::MentionStoreFor<sql::SqliteBackend>;
using SqliteMentionWriter = sql::MentionWriterFor<sql::SqliteBackend>;
using SqlitePostStore = sql::PostStoreFor<sql::SqliteBackend>;
using SqlitePostWriter = sql::PostWriterFor<sql::SqliteBackend>;

class SqliteSearchStore final : public SearchStore {
public:
    explicit SqliteSearchStore(Database& database) : database_(database) {}

    [[nodiscard]] Result<SearchResults> search(std::int64_t blog_id,
                                               const SearchQuery& query) override;
    [[nodiscard]] Status rebuild_search_index() override;

private:
    Database& database_;
};

}  // namespace carnet::store::sqlite
