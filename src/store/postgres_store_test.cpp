// What only the PostgreSQL store has to show: opening a database that is not (yet) carnet's,
// several processes on one database (migrations applied once, writes heard through
// LISTEN/NOTIFY) and a poller that loses its connection. The behaviour both backends share
// is in store_test.cpp.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "store/pg.hpp"
#include "store/pg_migrations.hpp"
#include "store/store.hpp"
#include "testing/postgres_server.hpp"

namespace carnet::store {
namespace {

using namespace std::chrono;

struct ConnectionCloser {
    void operator()(PGconn* connection) const { PQfinish(connection); }
};
using RawConnection = std::unique_ptr<PGconn, ConnectionCloser>;

class PostgresStore : public ::testing::Test {
protected:
    void SetUp() override {
        std::string failure;
        server_ = carnet::testing::postgres_server(&failure);
        ASSERT_NE(server_, nullptr) << failure;
        auto uri = server_->create_database();
        ASSERT_TRUE(uri.has_value()) << uri.error();
        uri_ = *uri;
    }

    // A connection of the test's own, beside the store's.
    RawConnection raw() {
        RawConnection connection(PQconnectdb(uri_.c_str()));
        EXPECT_EQ(PQstatus(connection.get()), CONNECTION_OK) << PQerrorMessage(connection.get());
        return connection;
    }

    std::string query_one(PGconn* connection, const char* sql) {
        PGresult* result = PQexec(connection, sql);
        std::string value;
        if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0) {
            value = PQgetvalue(result, 0, 0);
        } else {
            ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result);
        }
        PQclear(result);
        return value;
    }

    std::int64_t create_blog(Store& store, std::string title) {
        std::int64_t id = 0;
        auto written = store.write([&](Writer& writer) -> Status {
            auto created = writer.blogs().create_blog(
                {.hosts = {fmt::format("blog{}.test", ++blogs_)}, .title = std::move(title)});
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        });
        EXPECT_TRUE(written.has_value()) << written.error().message;
        return id;
    }

    Status add_post(Store& store, std::int64_t blog_id, std::string title) {
        return store.write([&](Writer& writer) -> Status {
            model::Post post{.blog_id = blog_id,
                             .status = model::PostStatus::published,
                             .title = std::move(title),
                             .source = "<p>x</p>",
                             .html = "<p>x</p>"};
            auto created = writer.posts().create_post(post);
            if (!created) return std::unexpected(created.error());
            return {};
        });
    }

    // Polls `store` until the blog's generation passes `before`, within a deadline.
    bool generation_passes(Store& store, std::int64_t blog_id, std::uint64_t before) {
        const auto deadline = steady_clock::now() + seconds(10);
        while (steady_clock::now() < deadline) {
            EXPECT_TRUE(store.poll_external_changes().has_value());
            if (store.generation(blog_id) > before) return true;
            std::this_thread::sleep_for(milliseconds(10));
        }
        return false;
    }

    carnet::testing::PostgresServer* server_ = nullptr;
    std::string uri_;
    int blogs_ = 0;
    ManualClock clock_{sys_days{year{2026} / 11 / 25}};
};

TEST_F(PostgresStore, ADatabaseWithoutCarnetsSchemaIsNotFoundWhenItMustExist) {
    auto opened = open_postgres_store(uri_, OpenMode::must_exist, clock_);
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code, model::Error::Code::not_found);
    auto connection = raw();
    EXPECT_EQ(query_one(connection.get(),
                        "SELECT count(*) FROM pg_tables WHERE schemaname = "
                        "'public'"),
              "0");
}

// The search's statement is planned on each run with the values bound to it: nothing of it
// is prepared on the server, where a generic plan would be chosen after a few runs.
TEST_F(PostgresStore, AStatementPlannedOnEachRunIsNeverPreparedOnTheServer) {
    auto opened = pg::Connection::open(uri_);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    auto& connection = **opened;
    // ?2 unused, as the store's filters leave some: declared as text, not refused.
    auto statement = connection.planned_each_run("SELECT ?1::bigint * 2, ?3::text");
    for (const std::int64_t value : {21, 50, 7, 8, 9, 10}) {
        statement.reset();
        statement.bind(1, value).bind(2, "unused").bind(3, fmt::format("run {}", value));
        auto has_row = statement.step();
        ASSERT_TRUE(has_row.has_value()) << has_row.error().message;
        ASSERT_TRUE(*has_row);
        EXPECT_EQ(statement.column_int(0), value * 2);
        EXPECT_EQ(statement.column_text(1), fmt::format("run {}", value));
    }
    // Only the counting statement itself is prepared.
    auto prepared = connection.prepare("SELECT count(*) FROM pg_prepared_statements");
    ASSERT_TRUE(prepared.has_value()) << prepared.error().message;
    auto has_count = (*prepared)->step();
    ASSERT_TRUE(has_count.has_value() && *has_count);
    EXPECT_EQ((*prepared)->column_int(0), 1);
}

TEST_F(PostgresStore, ADatabaseOfSomethingElseIsRefused) {
    auto connection = raw();
    PQclear(PQexec(connection.get(), "CREATE TABLE invoices (id integer)"));
    auto opened = open_postgres_store(uri_, OpenMode::create_if_missing, clock_);
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code, model::Error::Code::invalid_input);
}

TEST_F(PostgresStore, AnUnreachableServerIsAnError) {
    auto opened =
        open_postgres_store("postgresql:///carnet?host=/nonexistent", OpenMode::must_exist, clock_);
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code, model::Error::Code::database);
}

TEST_F(PostgresStore, OpenStoreChoosesTheBackendByTheName) {
    EXPECT_TRUE(is_postgres_uri("postgres://carnet@127.0.0.1:5432/carnet"));
    EXPECT_TRUE(is_postgres_uri("postgresql:///carnet?host=/run/postgresql"));
    EXPECT_FALSE(is_postgres_uri("carnet.db"));
    EXPECT_FALSE(is_postgres_uri("/var/lib/postgres/carnet.db"));
    auto opened = open_store(uri_, OpenMode::create_if_missing, clock_);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    auto connection = raw();
    EXPECT_EQ(query_one(connection.get(), "SELECT count(*) FROM schema_migrations"),
              std::to_string(k_postgres_migrations.size()));
}

TEST_F(PostgresStore, TextHoldingANulCharacterIsRefusedNotCut) {
    auto store = open_postgres_store(uri_, OpenMode::create_if_missing, clock_);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    const auto blog_id = create_blog(**store, "Blog");
    auto written = add_post(**store, blog_id, std::string("Avant\0apr\xC3\xA8s", 12));
    ASSERT_FALSE(written.has_value());
    EXPECT_EQ(written.error().code, model::Error::Code::invalid_input);
    auto posts = (*store)->posts().published_posts(blog_id, PostQuery{});
    ASSERT_TRUE(posts.has_value());
    EXPECT_EQ(posts->total, 0);
}

TEST_F(PostgresStore, NodesStartingAtOnceApplyEachMigrationOnce) {
    constexpr int k_nodes = 4;
    std::vector<std::unique_ptr<Store>> stores(k_nodes);
    std::vector<std::string> failures(k_nodes);
    std::vector<std::thread> nodes;
    for (int i = 0; i < k_nodes; ++i) {
        nodes.emplace_back([&, i] {
            auto opened = open_postgres_store(uri_, OpenMode::create_if_missing, clock_);
            if (opened) {
                stores[i] = std::move(*opened);
            } else {
                failures[i] = opened.error().message;
            }
        });
    }
    for (auto& node : nodes) node.join();
    for (int i = 0; i < k_nodes; ++i) EXPECT_NE(stores[i], nullptr) << failures[i];
    auto connection = raw();
    EXPECT_EQ(query_one(connection.get(), "SELECT count(*) FROM schema_migrations"),
              std::to_string(k_postgres_migrations.size()));
    EXPECT_EQ(query_one(connection.get(), "SELECT count(DISTINCT version) FROM schema_migrations"),
              std::to_string(k_postgres_migrations.size()));
}

// Several nodes on one database: each job goes to one of them only.
TEST_F(PostgresStore, NodesSharingADatabaseNeverClaimTheSameJob) {
    constexpr int k_nodes = 3;
    constexpr int k_jobs = 60;
    std::vector<std::unique_ptr<Store>> nodes;
    for (int i = 0; i < k_nodes; ++i) {
        auto opened = open_postgres_store(uri_, OpenMode::create_if_missing, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        nodes.push_back(std::move(*opened));
    }
    const auto blog_id = create_blog(*nodes[0], "Blog");
    auto queued = nodes[0]->write([&](Writer& writer) -> Status {
        for (int i = 0; i < k_jobs; ++i) {
            auto job = writer.jobs().enqueue_job(NewJob{.blog_id = blog_id,
                                                        .kind = "test.job",
                                                        .payload = std::to_string(i),
                                                        .run_at = clock_.now()});
            if (!job) return std::unexpected(job.error());
        }
        return {};
    });
    ASSERT_TRUE(queued.has_value()) << queued.error().message;
    std::mutex mutex;
    std::vector<std::int64_t> claimed;
    std::vector<std::thread> workers;
    for (int i = 0; i < k_nodes; ++i) {
        workers.emplace_back([&, i] {
            while (true) {
                std::optional<Job> job;
                auto written = nodes[i]->write([&](Writer& writer) -> Status {
                    auto taken = writer.jobs().claim_job(fmt::format("node-{}", i), clock_.now(),
                                                         std::chrono::seconds(60));
                    if (!taken) return std::unexpected(taken.error());
                    job = *taken;
                    return {};
                });
                if (!written || !job) return;
                std::scoped_lock lock(mutex);
                claimed.push_back(job->id);
            }
        });
    }
    for (auto& worker : workers) worker.join();
    std::sort(claimed.begin(), claimed.end());
    EXPECT_EQ(claimed.size(), static_cast<std::size_t>(k_jobs));
    EXPECT_EQ(std::unique(claimed.begin(), claimed.end()), claimed.end());
}

TEST_F(PostgresStore, ReopeningKeepsDataAndAppliesNoMigrationAgain) {
    {
        auto store = open_postgres_store(uri_, OpenMode::create_if_missing, clock_);
        ASSERT_TRUE(store.has_value()) << store.error().message;
        create_blog(**store, "Persistant");
    }
    auto connection = raw();
    const auto applied =
        query_one(connection.get(), "SELECT max(applied_at) FROM schema_migrations");
    clock_.advance(hours(1));
    auto store = open_postgres_store(uri_, OpenMode::must_exist, clock_);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    EXPECT_EQ((*store)->blogs().list_blogs()->front().title, "Persistant");
    EXPECT_EQ(query_one(connection.get(), "SELECT max(applied_at) FROM schema_migrations"),
              applied);
}

TEST_F(PostgresStore, WritesOfAnotherNodeAreHeardByPolling) {
    auto node_a = open_postgres_store(uri_, OpenMode::create_if_missing, clock_);
    ASSERT_TRUE(node_a.has_value()) << node_a.error().message;
    const auto blog_id = create_blog(**node_a, "Partagé");
    auto node_b = open_postgres_store(uri_, OpenMode::must_exist, clock_);
    ASSERT_TRUE(node_b.has_value()) << node_b.error().message;
    EXPECT_EQ((*node_b)->generation(blog_id), (*node_a)->generation(blog_id));

    const auto before = (*node_b)->generation(blog_id);
    ASSERT_TRUE(add_post(**node_a, blog_id, "Écrit sur A"));
    EXPECT_TRUE(generation_passes(**node_b, blog_id, before));
    EXPECT_EQ((*node_b)->generation(blog_id), (*node_a)->generation(blog_id));

    // A blog added on B is known to A.
    const auto other = create_blog(**node_b, "Nouveau");
    EXPECT_TRUE(generation_passes(**node_a, other, 0));
}

TEST_F(PostgresStore, AWriteThatRollsBackIsNotHeard) {
    auto node_a = open_postgres_store(uri_, OpenMode::create_if_missing, clock_);
    ASSERT_TRUE(node_a.has_value()) << node_a.error().message;
    const auto blog_id = create_blog(**node_a, "Partagé");
    auto node_b = open_postgres_store(uri_, OpenMode::must_exist, clock_);
    ASSERT_TRUE(node_b.has_value()) << node_b.error().message;
    const auto before = (*node_b)->generation(blog_id);
    auto failed = (*node_a)->write([&](Writer& writer) -> Status {
        model::Post post{.blog_id = blog_id,
                         .status = model::PostStatus::published,
                         .title = "Annulé",
                         .source = "<p>x</p>",
                         .html = "<p>x</p>"};
        auto created = writer.posts().create_post(post);
        if (!created) return std::unexpected(created.error());
        return model::fail(model::Error::Code::invalid_input, "changed my mind");
    });
    ASSERT_FALSE(failed.has_value());
    // Then a write that commits: B hears it, and nothing of the one before.
    ASSERT_TRUE(add_post(**node_a, blog_id, "Gardé"));
    ASSERT_TRUE(generation_passes(**node_b, blog_id, before));
    EXPECT_EQ((*node_b)->generation(blog_id), before + 1);
}

TEST_F(PostgresStore, APollerThatLostItsConnectionCatchesUp) {
    auto node_a = open_postgres_store(uri_, OpenMode::create_if_missing, clock_);
    ASSERT_TRUE(node_a.has_value()) << node_a.error().message;
    const auto blog_id = create_blog(**node_a, "Partagé");
    auto node_b = open_postgres_store(uri_, OpenMode::must_exist, clock_);
    ASSERT_TRUE(node_b.has_value()) << node_b.error().message;
    const auto before = (*node_b)->generation(blog_id);

    // Every connection of both nodes dropped (as a restart or a failover would), then A
    // writes while B cannot hear it.
    auto connection = raw();
    query_one(connection.get(),
              "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
              "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    const auto deadline = steady_clock::now() + seconds(10);
    while (query_one(connection.get(),
                     "SELECT count(*) FROM pg_stat_activity "
                     "WHERE datname = current_database()") != "1" &&
           steady_clock::now() < deadline) {
        std::this_thread::sleep_for(milliseconds(10));
    }
    ASSERT_TRUE(add_post(**node_a, blog_id, "Pendant la coupure"));
    EXPECT_TRUE(generation_passes(**node_b, blog_id, before));
    // B reads and writes again.
    auto posts = (*node_b)->posts().published_posts(blog_id, PostQuery{});
    ASSERT_TRUE(posts.has_value()) << posts.error().message;
    EXPECT_EQ(posts->total, 1);
    ASSERT_TRUE(add_post(**node_b, blog_id, "Après la coupure"));
}

}  // namespace
}  // namespace carnet::store
