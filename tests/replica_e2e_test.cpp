// End-to-end: `carnet serve --read-db`, public pages read from a streaming replica that the
// test makes with pg_basebackup from a primary of its own. A writer sees their edit at once
// even while the replica lags; the replica alone answers the public pages; a stopped replica
// does not stop the site.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "support.hpp"
#include "testing/postgres_server.hpp"

namespace carnet::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path k_page_text = fs::path(CARNET_FIXTURES_DIR) / "hautetfort-front-page.txt";
const std::string k_password = "un mot de passe assez long";
const std::map<std::string, std::string> k_host{{"Host", "blog.test"}};

std::string database_name(const std::string& uri) {
    const auto start = uri.find("///") + 3;
    return uri.substr(start, uri.find('?') - start);
}

CommandResult psql(const std::string& uri, const std::string& sql) {
    return run_command({"psql", "--no-psqlrc", "-At", "--dbname", uri, "-c", sql});
}

class ReadReplica : public ::testing::Test {
protected:
    void SetUp() override {
        auto primary = PostgresServer::start();
        ASSERT_TRUE(primary.has_value()) << primary.error();
        primary_ = std::move(*primary);
        auto uri = primary_->create_database();
        ASSERT_TRUE(uri.has_value()) << uri.error();
        uri_ = *uri;
        ASSERT_EQ(run_carnet({"init", "--db", uri_, "--title", "Le carnet répliqué", "--host",
                              "blog.test"})
                      .exit_code,
                  0);
        ASSERT_EQ(run_carnet({"import", "page-text", "--db", uri_, k_page_text.string()}).exit_code,
                  0);
        auto user = run_carnet({"user", "add", "--db", uri_, "--email", "amina@example.org",
                                "--name", "Amina", "--password-stdin", "--role", "owner"},
                               k_password + "\n");
        ASSERT_EQ(user.exit_code, 0) << user.err;

        auto replica = primary_->start_replica();
        ASSERT_TRUE(replica.has_value()) << replica.error();
        replica_ = std::move(*replica);
        replica_uri_ = replica_->uri(database_name(uri_));
        ASSERT_TRUE(caught_up(10s)) << psql(replica_uri_, "SELECT 1").err;
        // Uncached, so that every page is a read.
        node_ = std::make_unique<ServerProcess>(
            uri_, std::vector<std::string>{"--read-db", replica_uri_, "--page-cache-mb", "0",
                                           "--media-dir", (dir_.path() / "media").string()});
        ASSERT_NE(node_->port(), 0) << node_->log();
    }

    // Whether the replica shows every blog at the primary's generation within `limit`.
    bool caught_up(std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        const std::string query =
            "SELECT string_agg(id || ':' || generation, ',' ORDER BY id) "
            "FROM blogs";
        do {
            auto primary = psql(uri_, query);
            auto replica = psql(replica_uri_, query);
            if (replica.exit_code == 0 && replica.out == primary.out) return true;
            std::this_thread::sleep_for(50ms);
        } while (std::chrono::steady_clock::now() < deadline);
        return false;
    }

    std::string home() { return http_get(node_->port(), "/", k_host).body; }

    // Publishes a post on the primary with another process, as `carnet import` does.
    void publish(const std::string& day, const std::string& title) {
        const auto page = dir_.path() / "new.txt";
        {
            std::ofstream file(page);
            file << day << "\n\n"
                 << title << "\n\nUn billet tout frais.\n\n\u00a0\n\n"
                 << "09:30 Publié dans Libye | Lien permanent | Commentaires (0) | | |\n";
        }
        ASSERT_EQ(run_carnet({"import", "page-text", "--db", uri_, page.string()}).exit_code, 0);
    }

    bool home_shows_within(const std::string& text, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        do {
            if (home().find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(50ms);
        } while (std::chrono::steady_clock::now() < deadline);
        return false;
    }

    TempDir dir_;
    std::unique_ptr<PostgresServer> primary_;
    std::unique_ptr<PostgresServer> replica_;
    std::string uri_;
    std::string replica_uri_;
    std::unique_ptr<ServerProcess> node_;
};

TEST_F(ReadReplica, ALaggingReplicaNeverShowsAStalePageAndAloneAnswersOnceCaughtUp) {
    const auto first = http_get(node_->port(), "/", k_host);
    ASSERT_NE(first.body.find("attaque le tribunal de Misrata"), std::string::npos)
        << first.status << " " << first.body.substr(0, 3000) << node_->log();

    // The replica stops replaying; a post published on the primary is on the public home page
    // at once all the same (read from the primary while the replica is behind).
    ASSERT_EQ(psql(replica_uri_, "SELECT pg_wal_replay_pause()").exit_code, 0);
    publish("05/10/2017", "Pendant que la réplique dort");
    EXPECT_TRUE(home_shows_within("Pendant que la réplique dort", 5s)) << node_->log();
    EXPECT_EQ(psql(replica_uri_, "SELECT count(*) FROM posts WHERE title LIKE 'Pendant que%'").out,
              "0\n");
    // The writer's admin reads the primary: their post is listed there at once.
    const AdminSession session(node_->port(), "amina@example.org", k_password, k_host);
    ASSERT_TRUE(session.signed_in()) << session.failure() << node_->log();
    const auto posts = session.get("/admin/blogs/1/posts");
    EXPECT_NE(posts.body.find("Pendant que la réplique dort"), std::string::npos) << posts.body;

    // Replaying again, the replica catches up; then, with the primary gone, it alone still
    // answers every public page (which proves they are read there).
    ASSERT_EQ(psql(replica_uri_, "SELECT pg_wal_replay_resume()").exit_code, 0);
    ASSERT_TRUE(caught_up(10s));
    std::this_thread::sleep_for(1200ms);  // past the router's recheck interval
    primary_->stop();
    for (const std::string target :
         {"/", "/archive/2017/10/", "/list/libye/", "/search?q=Misrata"}) {
        const auto answer = http_get(node_->port(), target, k_host);
        EXPECT_EQ(answer.status, 200) << target << "\n" << node_->log();
    }
    EXPECT_NE(home().find("Pendant que la réplique dort"), std::string::npos);
}

TEST_F(ReadReplica, AStoppedReplicaDoesNotStopTheSite) {
    ASSERT_EQ(http_get(node_->port(), "/", k_host).status, 200);
    replica_->stop();
    for (int i = 0; i < 10; ++i) {
        const auto answer = http_get(node_->port(), "/", k_host);
        EXPECT_EQ(answer.status, 200) << node_->log();
        EXPECT_NE(answer.body.find("Misrata"), std::string::npos);
    }
    // A write and its page, with the replica gone.
    publish("06/10/2017", "Sans réplique");
    EXPECT_TRUE(home_shows_within("Sans réplique", 5s)) << node_->log();
}

TEST_F(ReadReplica, AReadDbThatIsNotAReplicaOfThisSchemaIsRefused) {
    auto other = primary_->create_database();
    ASSERT_TRUE(other.has_value());
    ServerProcess refused(uri_, {"--read-db", *other});
    EXPECT_EQ(refused.port(), 0);
    EXPECT_NE(refused.log().find("no carnet schema"), std::string::npos) << refused.log();
}

}  // namespace
}  // namespace carnet::testing
