#include <fmt/format.h>

#include "store/following_concern.hpp"
#include "store/pg.hpp"
#include "store/pg_concerns.hpp"
#include "store/pg_copy.hpp"
#include "store/pg_database.hpp"
#include "store/pg_migrations.hpp"
#include "store/pg_rows.hpp"
#include "store/store.hpp"

namespace carnet::store {
namespace {

using model::Error;
using pg::Connection;

using namespace pg::rows;

// The write side of one transaction: each concern's writer, all working in it.
class PgWriter final : public Writer {
public:
    explicit PgWriter(pg::Transaction& transaction)
        : blogs_(transaction),
          accounts_(transaction),
          sessions_(transaction),
          app_passwords_(transaction),
          login_failures_(transaction),
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
    pg::PgBlogWriter blogs_;
    pg::PgAccountWriter accounts_;
    pg::PgSessionWriter sessions_;
    pg::PgAppPasswordWriter app_passwords_;
    pg::PgLoginFailureWriter login_failures_;
    pg::PgAccessTokenWriter access_tokens_;
    pg::PgPostWriter posts_;
    pg::PgCategoryWriter categories_;
    pg::PgPageWriter pages_;
    pg::PgCommentWriter comments_;
    pg::PgMediaWriter media_;
    pg::PgRedirectWriter redirects_;
    pg::PgArchiveWriter archive_;
    pg::PgJobWriter jobs_;
    pg::PgMentionWriter mentions_;
    pg::PgFederationWriter federation_;
    FollowingWriterOn<pg::Transaction> following_;
};

// The database and the read side of every concern, which all share it.
class PgStore final : public Store, public copy::TableEndpoint {
public:
    PgStore(std::string uri, const Clock& clock, std::unique_ptr<Connection> writer,
            std::unique_ptr<Connection> poller)
        : database_(std::move(uri), clock, std::move(writer), std::move(poller)) {}

    Status write(const std::function<Status(Writer&)>& body) override {
        return database_.write([&](pg::Transaction& transaction) -> Status {
            PgWriter writer(transaction);
            return body(writer);
        });
    }

    std::uint64_t generation(std::int64_t blog_id) const override {
        return database_.generation(blog_id);
    }

    Status poll_external_changes() override { return database_.poll_external_changes(); }

    Result<std::uint64_t> stored_generation(std::int64_t blog_id) override {
        return database_.read([&](Connection& db) -> Result<std::uint64_t> {
            CARNET_TRY(query, db.prepare("SELECT generation FROM blogs WHERE id = $1"));
            query->bind(1, blog_id);
            CARNET_TRY(has_row, query->step());
            return has_row ? static_cast<std::uint64_t>(query->column_int(0)) : 0;
        });
    }

    BlogStore& blogs() override { return blogs_; }
    AccountStore& accounts() override { return accounts_; }
    SessionStore& sessions() override { return sessions_; }
    AppPasswordStore& app_passwords() override { return app_passwords_; }
    LoginFailureStore& login_failures() override { return login_failures_; }
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

    Status read_snapshot(const std::function<Status(copy::TableReader&)>& body) override {
        return pg::read_table_snapshot(database_, body);
    }
    Status write_all(const std::function<Status(copy::TableWriter&)>& body) override {
        return pg::write_tables(database_, body);
    }

private:
    pg::Database database_;
    pg::PgBlogStore blogs_{database_};
    pg::PgAccountStore accounts_{database_};
    pg::PgSessionStore sessions_{database_};
    pg::PgAppPasswordStore app_passwords_{database_};
    pg::PgLoginFailureStore login_failures_{database_};
    pg::PgAccessTokenStore access_tokens_{database_};
    pg::PgPostStore posts_{database_};
    pg::PgCategoryStore categories_{database_};
    pg::PgPageStore pages_{database_};
    pg::PgCommentStore comments_{database_};
    pg::PgMediaStore media_{database_};
    pg::PgSearchStore search_{database_};
    pg::PgRedirectStore redirects_{database_};
    pg::PgArchiveStore archive_{database_};
    pg::PgJobStore jobs_{database_};
    pg::PgMentionStore mentions_{database_};
    pg::PgFederationStore federation_{database_};
    FollowingStoreOn<pg::Database> following_{database_};
};

// The key of the advisory lock under which migrations run: the first node to start applies
// them while the others wait, then find them applied.
constexpr std::int64_t k_migration_lock = 0x6361726e6574'0002;  // "carnet" 2

Result<bool> has_schema(Connection& db) {
    CARNET_TRY(tables, db.prepare("SELECT to_regclass('schema_migrations') IS NOT NULL"));
    CARNET_TRY(has_row, tables->step());
    const bool found = has_row && tables->column_int(0) != 0;
    tables->reset();
    return found;
}

// Applies every migration the database lacks, each in its own transaction, refusing a
// database of a newer carnet. The advisory lock is taken in each transaction (and released
// as it ends), so that two nodes never apply one migration twice.
Status migrate(Connection& db, const Clock& clock) {
    for (const auto& migration : k_postgres_migrations) {
        CARNET_CHECK(db.execute("BEGIN"));
        auto applied = [&]() -> Status {
            CARNET_TRY(lock, db.prepare("SELECT pg_advisory_xact_lock($1)"));
            lock->bind(1, k_migration_lock);
            CARNET_CHECK(lock->run());
            CARNET_CHECK(
                db.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                           "version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)"));
            CARNET_TRY(newest,
                       db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations"));
            CARNET_TRY(newest_row, newest->step());
            const auto version = newest_row ? newest->column_int(0) : 0;
            newest->reset();
            if (version > k_postgres_migrations.back().version) {
                return model::fail(Error::Code::invalid_input,
                                   fmt::format("this database has schema version {}, newer than "
                                               "this carnet knows ({})",
                                               version, k_postgres_migrations.back().version));
            }
            CARNET_TRY(check, db.prepare("SELECT 1 FROM schema_migrations WHERE version = $1"));
            check->bind(1, migration.version);
            CARNET_TRY(done_before, check->step());
            check->reset();
            if (done_before) return {};
            CARNET_CHECK(db.execute(migration.sql));
            CARNET_TRY(record, db.prepare("INSERT INTO schema_migrations (version, applied_at) "
                                          "VALUES ($1, $2)"));
            record->bind(1, migration.version).bind(2, seconds_of(clock.now()));
            return record->run();
        }();
        if (!applied) {
            (void)db.execute("ROLLBACK");
            if (applied.error().code == Error::Code::invalid_input) return applied;
            return model::fail(
                Error::Code::database,
                fmt::format("migration {} failed: {}", migration.version, applied.error().message));
        }
        CARNET_CHECK(db.execute("COMMIT"));
    }
    return {};
}

// Refuses a database that holds tables of something else.
Status check_schema_is_ours(Connection& db) {
    CARNET_TRY(ours, has_schema(db));
    if (ours) return {};
    CARNET_TRY(tables, db.prepare("SELECT count(*) FROM pg_catalog.pg_tables "
                                  "WHERE schemaname = current_schema()"));
    CARNET_TRY(has_row, tables->step());
    const auto table_count = has_row ? tables->column_int(0) : 0;
    tables->reset();
    if (table_count != 0) {
        return model::fail(Error::Code::invalid_input, "this database was not made by carnet");
    }
    return {};
}

}  // namespace

bool is_postgres_uri(std::string_view db) {
    return db.starts_with("postgres://") || db.starts_with("postgresql://");
}

Result<std::unique_ptr<Store>> open_postgres_store(std::string_view uri, OpenMode mode,
                                                   const Clock& clock) {
    CARNET_TRY(writer, Connection::open(uri));
    CARNET_TRY(exists, has_schema(*writer));
    if (!exists && mode == OpenMode::must_exist) {
        return model::fail(Error::Code::not_found,
                           "no carnet database there (create one with `carnet init`)");
    }
    CARNET_CHECK(check_schema_is_ours(*writer));
    CARNET_CHECK(migrate(*writer, clock));
    CARNET_TRY(poller, Connection::open(uri));
    auto store =
        std::make_unique<PgStore>(std::string(uri), clock, std::move(writer), std::move(poller));
    CARNET_CHECK(store->poll_external_changes());
    return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> open_postgres_replica(std::string_view uri, const Clock& clock) {
    CARNET_TRY(reader, Connection::open(uri));
    CARNET_TRY(exists, has_schema(*reader));
    if (!exists) {
        return model::fail(Error::Code::not_found,
                           "the read database holds no carnet schema (is it a replica of the "
                           "database --db names?)");
    }
    // A standby cannot migrate: it must already be at this carnet's schema, which it is once
    // the primary's migrations have reached it.
    CARNET_TRY(newest, reader->prepare("SELECT coalesce(max(version), 0) FROM schema_migrations"));
    CARNET_TRY(newest_row, newest->step());
    const auto version = newest_row ? newest->column_int(0) : 0;
    newest->reset();
    if (version != k_postgres_migrations.back().version) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("the read database has schema version {}, this carnet {}: "
                                       "let the replica catch up with the primary first",
                                       version, k_postgres_migrations.back().version));
    }
    // Its writer and poller are never used: the store is read through its concerns only (a
    // standby refuses writes, and LISTEN).
    CARNET_TRY(unused, Connection::open(uri));
    return std::unique_ptr<Store>(
        std::make_unique<PgStore>(std::string(uri), clock, std::move(reader), std::move(unused)));
}

Result<std::unique_ptr<Store>> open_store(std::string_view db, OpenMode mode, const Clock& clock) {
    if (is_postgres_uri(db)) return open_postgres_store(db, mode, clock);
    return open_sqlite_store(std::filesystem::path(db), mode, clock);
}

}  // namespace carnet::store
