// What both stores are made of, written once: the write side of one transaction (every
// concern's writer, all working in it) and the read side of every concern over one Database.
// sqlite_store.cpp and pg_store.cpp open, check and migrate their database and make one of
// these with the backend's own search. Private to the store.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "store/pg_copy.hpp"
#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"
#include "store/sqlite_copy.hpp"
#include "store/table_copy.hpp"
#include "store/try.hpp"

namespace carnet::store::sql {

// The write side of one transaction: each concern's writer, all working in it.
template <typename Backend>
class WriterFor final : public Writer {
public:
    explicit WriterFor(typename Backend::Transaction& transaction)
        : blogs_(transaction),
          accounts_(transaction),
          sessions_(transaction),
          app_passwords_(transaction),
          login_failures_(transaction),
          comment_attempts_(transaction),
          access_tokens_(transaction),
          posts_(transaction),
          categories_(transaction),
          pages_(transaction),
          comments_(transaction),
          media_(transaction),
          redirects_(transaction),
          archive_(transaction),
          jobs_(transaction),
          mentions_(transaction),
          federation_(transaction),
          following_(transaction) {}

    BlogWriter& blogs() override { return blogs_; }
    AccountWriter& accounts() override { return accounts_; }
    SessionWriter& sessions() override { return sessions_; }
    AppPasswordWriter& app_passwords() override { return app_passwords_; }
    LoginFailureWriter& login_failures() override { return login_failures_; }
    CommentAttemptWriter& comment_attempts() override { return comment_attempts_; }
    AccessTokenWriter& access_tokens() override { return access_tokens_; }
    PostWriter& posts() override { return posts_; }
    CategoryWriter& categories() override { return categories_; }
    PageWriter& pages() override { return pages_; }
    CommentWriter& comments() override { return comments_; }
    MediaWriter& media() override { return media_; }
    RedirectWriter& redirects() override { return redirects_; }
    ArchiveWriter& archive() override { return archive_; }
    JobWriter& jobs() override { return jobs_; }
    MentionWriter& mentions() override { return mentions_; }
    FederationWriter& federation() override { return federation_; }
    FollowingWriter& following() override { return following_; }

private:
    BlogWriterFor<Backend> blogs_;
    AccountWriterFor<Backend> accounts_;
    SessionWriterFor<Backend> sessions_;
    AppPasswordWriterFor<Backend> app_passwords_;
    LoginFailureWriterFor<Backend> login_failures_;
    CommentAttemptWriterFor<Backend> comment_attempts_;
    AccessTokenWriterFor<Backend> access_tokens_;
    PostWriterFor<Backend> posts_;
    CategoryWriterFor<Backend> categories_;
    PageWriterFor<Backend> pages_;
    CommentWriterFor<Backend> comments_;
    MediaWriterFor<Backend> media_;
    RedirectWriterFor<Backend> redirects_;
    ArchiveWriterFor<Backend> archive_;
    JobWriterFor<Backend> jobs_;
    MentionWriterFor<Backend> mentions_;
    FederationWriterFor<Backend> federation_;
    FollowingWriterFor<Backend> following_;
};

// The database and the read side of every concern, which all share it. `Search` is the
// backend's own search store (sqlite_search.cpp, pg_search.cpp: different engines).
template <typename Backend, typename Search>
class StoreFor final : public Store, public copy::TableEndpoint {
public:
    using Connection = typename Backend::Connection;

    // `location` is what the backend's Database is opened on: a file's path, a server's URI.
    template <typename Location>
    StoreFor(Location location, const Clock& clock, std::unique_ptr<Connection> writer,
             std::unique_ptr<Connection> poller)
        : database_(std::move(location), clock, std::move(writer), std::move(poller)) {}

    typename Backend::Database& database() { return database_; }

    Status write(const std::function<Status(Writer&)>& body) override {
        return database_.write([&](typename Backend::Transaction& transaction) -> Status {
            WriterFor<Backend> writer(transaction);
            return body(writer);
        });
    }

    std::uint64_t generation(std::int64_t blog_id) const override {
        return database_.generation(blog_id);
    }

    Status poll_external_changes() override { return database_.poll_external_changes(); }

    Result<std::uint64_t> stored_generation(std::int64_t blog_id) override {
        return database_.read([&](Connection& db) {
            return rows::blog_generation(db, blog_id, rows::BlogClock::generation);
        });
    }

    BlogStore& blogs() override { return blogs_; }
    AccountStore& accounts() override { return accounts_; }
    SessionStore& sessions() override { return sessions_; }
    AppPasswordStore& app_passwords() override { return app_passwords_; }
    LoginFailureStore& login_failures() override { return login_failures_; }
    CommentAttemptStore& comment_attempts() override { return comment_attempts_; }
    AccessTokenStore& access_tokens() override { return access_tokens_; }
    PostStore& posts() override { return posts_; }
    CategoryStore& categories() override { return categories_; }
    PageStore& pages() override { return pages_; }
    CommentStore& comments() override { return comments_; }
    MediaStore& media() override { return media_; }
    SearchStore& search() override { return search_; }
    RedirectStore& redirects() override { return redirects_; }
    ArchiveStore& archive() override { return archive_; }
    JobStore& jobs() override { return jobs_; }
    MentionStore& mentions() override { return mentions_; }
    FederationStore& federation() override { return federation_; }
    FollowingStore& following() override { return following_; }

    // Each backend's own copy (sqlite_copy.cpp, pg_copy.cpp), found by the Database's type.
    Status read_snapshot(const std::function<Status(copy::TableReader&)>& body) override {
        return read_table_snapshot(database_, body);
    }
    Status write_all(const std::function<Status(copy::TableWriter&)>& body) override {
        return write_tables(database_, body);
    }

private:
    typename Backend::Database database_;
    BlogStoreFor<Backend> blogs_{database_};
    AccountStoreFor<Backend> accounts_{database_};
    SessionStoreFor<Backend> sessions_{database_};
    AppPasswordStoreFor<Backend> app_passwords_{database_};
    LoginFailureStoreFor<Backend> login_failures_{database_};
    CommentAttemptStoreFor<Backend> comment_attempts_{database_};
    AccessTokenStoreFor<Backend> access_tokens_{database_};
    PostStoreFor<Backend> posts_{database_};
    CategoryStoreFor<Backend> categories_{database_};
    PageStoreFor<Backend> pages_{database_};
    CommentStoreFor<Backend> comments_{database_};
    MediaStoreFor<Backend> media_{database_};
    Search search_{database_};
    RedirectStoreFor<Backend> redirects_{database_};
    ArchiveStoreFor<Backend> archive_{database_};
    JobStoreFor<Backend> jobs_{database_};
    MentionStoreFor<Backend> mentions_{database_};
    FederationStoreFor<Backend> federation_{database_};
    FollowingStoreFor<Backend> following_{database_};
};

}  // namespace carnet::store::sql
