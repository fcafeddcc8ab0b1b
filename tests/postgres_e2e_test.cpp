// End-to-end on PostgreSQL: the real `carnet` binary against a PostgreSQL server the test
// program started for itself (src/testing/postgres_server.hpp), one database per test.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

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

TEST_F(PostgresBlogServer, CommandsWorkOnTheUri) {
    const auto list = run_carnet({"blog", "list", "--db", uri_});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_NE(list.out.find("Le carnet de test"), std::string::npos) << list.out;
    const auto again = run_carnet({"init", "--db", uri_});
    EXPECT_EQ(again.exit_code, 1);
}

// Two processes on one database, as behind a balancer: what one hands out, the other takes.
TEST_F(PostgresBlogServer, ASecondNodeTakesTheFirstOnesSessionsAndCommentForms) {
    const std::string password = "un mot de passe assez long";
    const auto added = run_carnet({"user", "add", "--db", uri_, "--email", "amina@example.org",
                                   "--name", "Amina", "--password-stdin", "--role", "owner"},
                                  password + "\n");
    ASSERT_EQ(added.exit_code, 0) << added.err;
    ServerProcess second(uri_,
                         {"--media-dir", (dir_.path() / "media").string(), "--comment-delay", "0"});
    ASSERT_NE(second.port(), 0) << second.log();
    const std::map<std::string, std::string> host{{"Host", "blog.test"}};

    // A comment form served by the first node, sent to the second: its stamp checks there.
    const auto page = http_get(port(), std::string(k_post_path), host);
    ASSERT_EQ(page.status, 200) << server_->log();
    std::smatch form;
    static const std::regex form_parts(
        R"re(<form id="comment-form"[^>]*action="([^"]+)"[\s\S]*?name="stamp" value="([^"]+)")re");
    ASSERT_TRUE(std::regex_search(page.body, form, form_parts)) << page.body;
    auto headers = host;
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    const auto sent = http_get(second.port(), form[1].str(), headers, "POST",
                               form_encode({{"name", "Basile"},
                                            {"body", "Reçu par l'autre nœud."},
                                            {"stamp", form[2].str()},
                                            {"homepage", ""}}));
    ASSERT_EQ(sent.status, 303) << second.log();
    // A stamp the second node could not check would have sent the comment to spam, which
    // readers are told is held.
    EXPECT_NE(sent.headers.at("location").find("comment=approved"), std::string::npos)
        << sent.headers.at("location");

    // Signed in on the first node, the writer is signed in on the second.
    const auto login_page = http_get(port(), "/admin/login", host);
    ASSERT_EQ(login_page.status, 200);
    std::smatch token;
    ASSERT_TRUE(std::regex_search(login_page.body, token,
                                  std::regex(R"re(name="csrf" value="([^"]+)")re")));
    headers["Cookie"] = "carnet_login=" + cookie_set(login_page, "carnet_login");
    const auto login = http_get(port(), "/admin/login", headers, "POST",
                                form_encode({{"email", "amina@example.org"},
                                             {"password", password},
                                             {"csrf", token[1].str()},
                                             {"next", "/admin/"}}));
    ASSERT_EQ(login.status, 303) << server_->log();
    const auto session = cookie_set(login, "carnet_session");
    ASSERT_FALSE(session.empty()) << login.headers.at("set-cookie");
    auto signed_in = host;
    signed_in["Cookie"] = "carnet_session=" + session;
    const auto dashboard = http_get(second.port(), "/admin/blogs/1/", signed_in);
    EXPECT_EQ(dashboard.status, 200) << second.log();
    EXPECT_NE(dashboard.body.find("Amina"), std::string::npos);
    // And without the cookie, the second node sends a stranger to the login form.
    const auto stranger = http_get(second.port(), "/admin/blogs/1/", host);
    EXPECT_EQ(stranger.status, 303);
    EXPECT_EQ(stranger.headers.at("location").rfind("/admin/login", 0), 0u)
        << stranger.headers.at("location");
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
