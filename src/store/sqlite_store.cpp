#include <fmt/format.h>

#include "store/following_concern.hpp"
#include "store/migrations.hpp"
#include "store/sqlite.hpp"
#include "store/sqlite_concerns.hpp"
#include "store/sqlite_copy.hpp"
#include "store/sqlite_database.hpp"
#include "store/sqlite_rows.hpp"
#include "store/store.hpp"

namespace carnet::store {
namespace {

using model::Error;
using sqlite::Connection;

using namespace rows;

// The write side of one transaction: each concern's writer, all working in it.
class SqliteWriter final : public Writer {
public:
    explicit SqliteWriter(sqlite::Transaction& transaction)
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
    sqlite::SqliteBlogWriter blogs_;
    sqlite::SqliteAccountWriter accounts_;
    sqlite::SqliteSessionWriter sessions_;
    sqlite::SqliteAppPasswordWriter app_passwords_;
    sqlite::SqliteLoginFailureWriter login_failures_;
    sqlite::SqliteAccessTokenWriter access_tokens_;
    sqlite::SqlitePostWriter posts_;
    sqlite::SqliteCategoryWriter categories_;
    sqlite::SqlitePageWriter pages_;
    sqlite::SqliteCommentWriter comments_;
    sqlite::SqliteMediaWriter media_;
    sqlite::SqliteRedirectWriter redirects_;
    sqlite::SqliteArchiveWriter archive_;
    sqlite::SqliteJobWriter jobs_;
    sqlite::SqliteMentionWriter mentions_;
    sqlite::SqliteFederationWriter federation_;
    FollowingWriterOn<sqlite::Transaction> following_;
};

// The database and the read side of every concern, which all share it.
class SqliteStore final : public Store, public copy::TableEndpoint {
public:
    SqliteStore(std::filesystem::path path, const Clock& clock, std::unique_ptr<Connection> writer,
                std::unique_ptr<Connection> poller)
        : database_(std::move(path), clock, std::move(writer), std::move(poller)) {}

    Status load_generations() { return database_.load_generations(); }

    Status write(const std::function<Status(Writer&)>& body) override {
        return database_.write([&](sqlite::Transaction& transaction) -> Status {
            SqliteWriter writer(transaction);
            return body(writer);
        });
    }

    std::uint64_t generation(std::int64_t blog_id) const override {
        return database_.generation(blog_id);
    }

    Status poll_external_changes() override { return database_.poll_external_changes(); }

    Result<std::uint64_t> stored_generation(std::int64_t blog_id) override {
        return database_.read([&](Connection& db) -> Result<std::uint64_t> {
            CARNET_TRY(query, db.prepare("SELECT generation FROM blogs WHERE id = ?1"));
            query->bind(1, blog_id);
            CARNET_TRY(has_row, query->step());
            const auto generation = has_row ? static_cast<std::uint64_t>(query->column_int(0)) : 0;
            query->reset();
            return generation;
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
        return sqlite::read_table_snapshot(database_, body);
    }
    Status write_all(const std::function<Status(copy::TableWriter&)>& body) override {
        return sqlite::write_tables(database_, body);
    }

private:
    sqlite::Database database_;
    sqlite::SqliteBlogStore blogs_{database_};
    sqlite::SqliteAccountStore accounts_{database_};
    sqlite::SqliteSessionStore sessions_{database_};
    sqlite::SqliteAppPasswordStore app_passwords_{database_};
    sqlite::SqliteLoginFailureStore login_failures_{database_};
    sqlite::SqliteAccessTokenStore access_tokens_{database_};
    sqlite::SqlitePostStore posts_{database_};
    sqlite::SqliteCategoryStore categories_{database_};
    sqlite::SqlitePageStore pages_{database_};
    sqlite::SqliteCommentStore comments_{database_};
    sqlite::SqliteMediaStore media_{database_};
    sqlite::SqliteSearchStore search_{database_};
    sqlite::SqliteRedirectStore redirects_{database_};
    sqlite::SqliteArchiveStore archive_{database_};
    sqlite::SqliteJobStore jobs_{database_};
    sqlite::SqliteMentionStore mentions_{database_};
    sqlite::SqliteFederationStore federation_{database_};
    FollowingStoreOn<sqlite::Database> following_{database_};
};

Status migrate(Connection& db, const Clock& clock) {
    CARNET_CHECK(
        db.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                   "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"));
    for (const auto& migration : k_sqlite_migrations) {
        CARNET_CHECK(db.execute("BEGIN IMMEDIATE"));
        auto applied = [&]() -> Status {
            CARNET_TRY(check, db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?1"));
            check->bind(1, migration.version);
            CARNET_TRY(done_before, check->step());
            check->reset();
            if (done_before) return {};
            CARNET_CHECK(db.execute(migration.sql));
            CARNET_TRY(record, db.prepare("INSERT INTO schema_migrations (version, applied_at) "
                                          "VALUES (?1, ?2)"));
            record->bind(1, migration.version).bind(2, seconds_of(clock.now()));
            return record->run();
        }();
        if (!applied) {
            (void)db.execute("ROLLBACK");
            return model::fail(
                Error::Code::database,
                fmt::format("migration {} failed: {}", migration.version, applied.error().message));
        }
        CARNET_CHECK(db.execute("COMMIT"));
    }
    return {};
}

// Refuses a file that is a SQLite database of something else, or a newer carnet's.
Status check_schema_is_ours(Connection& db) {
    CARNET_TRY(tables, db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%'"));
    CARNET_TRY(has_row, tables->step());
    const auto table_count = has_row ? tables->column_int(0) : 0;
    tables->reset();
    if (table_count == 0) return {};
    CARNET_TRY(ours, db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                "AND name = 'schema_migrations'"));
    CARNET_TRY(ours_row, ours->step());
    const bool has_migrations = ours_row && ours->column_int(0) == 1;
    ours->reset();
    if (!has_migrations) {
        return model::fail(Error::Code::invalid_input, "this database was not made by carnet");
    }
    CARNET_TRY(newest, db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations"));
    CARNET_TRY(newest_row, newest->step());
    const auto version = newest_row ? newest->column_int(0) : 0;
    newest->reset();
    if (version > k_sqlite_migrations.back().version) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("this database has schema version {}, newer than this "
                                       "carnet knows ({})",
                                       version, k_sqlite_migrations.back().version));
    }
    return {};
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path, OpenMode mode,
                                                 const Clock& clock) {
    std::error_code error;
    const bool exists = std::filesystem::exists(path, error);
    if (!exists && mode == OpenMode::must_exist) {
        return model::fail(
            Error::Code::not_found,
            fmt::format("no database at {} (create one with `carnet init`)", path.string()));
    }
    CARNET_TRY(writer, Connection::open(path, mode == OpenMode::create_if_missing));
    if (auto header_check = writer->execute("SELECT count(*) FROM sqlite_schema"); !header_check) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("{} is not a SQLite database: {}", path.string(),
                                       header_check.error().message));
    }
    CARNET_CHECK(check_schema_is_ours(*writer));
    CARNET_CHECK(writer->execute("PRAGMA journal_mode = WAL"));
    CARNET_CHECK(migrate(*writer, clock));
    // A migration that indexed posts listed their long tokens too (one statement, so one
    // transaction).
    CARNET_CHECK(sqlite::collect_new_search_terms(*writer, true));
    CARNET_TRY(poller, Connection::open(path, false));
    auto store = std::make_unique<SqliteStore>(path, clock, std::move(writer), std::move(poller));
    CARNET_CHECK(store->load_generations());
    CARNET_CHECK(store->poll_external_changes());
    return std::unique_ptr<Store>(std::move(store));
}

}  // namespace carnet::store
