// End-to-end on PostgreSQL: the real `carnet` binary against a PostgreSQL server the test
// program started for itself (src/testing/postgres_server.hpp), one database per test.
#include <gtest/gtest.h>

#include <fstream>

#include "support.hpp"
#include "testing/postgres_server.hpp"

namespace carnet::testing {
namespace {

const std::filesystem::path k_fixture =
    std::filesystem::path(CARNET_FIXTURES_DIR) / "hautetfort-front-page.txt";

constexpr std::string_view k_post_path =
    "/archive/2017/10/04/l-etat-islamique-attaque-le-tribunal-de-misrata.html";

class PostgresBlogServer : public ::testing::Test {
protected:
    void SetUp() override {
        std::string failure;
        auto* server = postgres_server(&failure);
        ASSERT_NE(server, nullptr) << failure;
        auto uri = server->create_database();
        ASSERT_TRUE(uri.has_value()) << uri.error();
        uri_ = *uri;
        auto init = run_carnet(
            {"init", "--db", uri_, "--title", "Le carnet de test", "--host", "blog.test"});
        ASSERT_EQ(init.exit_code, 0) << init.err;
        auto imported = run_carnet({"import", "page-text", "--db", uri_, k_fixture.string()});
        ASSERT_EQ(imported.exit_code, 0) << imported.err;
        server_ = std::make_unique<ServerProcess>(
            uri_, std::vector<std::string>{"--media-dir", (dir_.path() / "media").string()});
        ASSERT_NE(server_->port(), 0) << server_->log();
    }

    std::uint16_t port() const { return server_->port(); }

    TempDir dir_;
    std::string uri_;
    std::unique_ptr<ServerProcess> server_;
};

TEST_F(PostgresBlogServer, HomePagePostAndSearchAnswer) {
    const auto home = http_get(port(), "/");
    ASSERT_EQ(home.status, 200) << server_->log();
    const auto home_text = fold_space(visible_text(home.body));
    EXPECT_NE(home_text.find("L'Etat islamique attaque le tribunal de Misrata"), std::string::npos)
        << home_text;
    EXPECT_NE(home_text.find("Daech s'empare d'Al-Qaryatayn"), std::string::npos) << home_text;
    EXPECT_NE(home_text.find("20:19 Publié dans Etat Islamique, Libye, Misrata, Syrte | Lien "
                             "permanent | Commentaires (0) |"),
              std::string::npos)
        << home_text;

    const auto post = http_get(port(), std::string(k_post_path));
    ASSERT_EQ(post.status, 200);
    const auto post_text = fold_space(visible_text(post.body));
    EXPECT_NE(post_text.find("Misrata a perdu plus de 700 combattants"), std::string::npos)
        << post_text;

    const auto found = http_get(port(), "/search?q=attaques");
    ASSERT_EQ(found.status, 200);
    EXPECT_NE(found.body.find(std::string(k_post_path)), std::string::npos) << found.body;
}

TEST_F(PostgresBlogServer, AnImportWhileServingShowsUpWithoutARestart) {
    const auto page = dir_.path() / "new.txt";
    {
        std::ofstream file(page);
        file << "05/10/2017\n\nUn nouveau billet\n\nArrivé pendant que le serveur tournait.\n\n"
                "\u00a0\n\n09:30 Publié dans Libye | Lien permanent | Commentaires (0) | | |\n";
    }
    ASSERT_EQ(http_get(port(), "/").body.find("Un nouveau billet"), std::string::npos);
    auto imported = run_carnet({"import", "page-text", "--db", uri_, page.string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string body;
    while (std::chrono::steady_clock::now() < deadline) {
        body = http_get(port(), "/").body;
        if (body.find("Un nouveau billet") != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_NE(body.find("Un nouveau billet"), std::string::npos);
}

TEST_F(PostgresBlogServer, CommandsWorkOnTheUriAndBackupSaysItIsSqliteOnly) {
    const auto list = run_carnet({"blog", "list", "--db", uri_});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_NE(list.out.find("Le carnet de test"), std::string::npos) << list.out;
    const auto again = run_carnet({"init", "--db", uri_});
    EXPECT_EQ(again.exit_code, 1);
    const auto backup = run_carnet({"backup", "--db", uri_, (dir_.path() / "b.db").string()});
    EXPECT_EQ(backup.exit_code, 1);
    EXPECT_NE(backup.err.find("SQLite"), std::string::npos) << backup.err;
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "b.db"));
}

TEST(PostgresCli, ADatabaseWithoutCarnetsSchemaIsNotFoundUntilInit) {
    std::string failure;
    auto* server = postgres_server(&failure);
    ASSERT_NE(server, nullptr) << failure;
    auto uri = server->create_database();
    ASSERT_TRUE(uri.has_value()) << uri.error();
    const auto list = run_carnet({"blog", "list", "--db", *uri});
    EXPECT_EQ(list.exit_code, 1);
    EXPECT_NE(list.err.find("carnet init"), std::string::npos) << list.err;
}

}  // namespace
}  // namespace carnet::testing
