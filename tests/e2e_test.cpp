// End-to-end: the real `carnet` binary, a real SQLite file, the real server on a loopback
// port, and the page read as a person reads it (w3m's text dump).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "support.hpp"

namespace carnet::testing {
namespace {

const std::filesystem::path k_fixture =
    std::filesystem::path(CARNET_FIXTURES_DIR) / "hautetfort-front-page.txt";

// What a reader must see of one post of the fixture, in order.
struct ExpectedPost {
    std::string day_header;
    std::string title;
    std::vector<std::string> body_lines;
    std::string footer;  // the footer line up to and including the comment count
};

std::string trim(const std::string& line) {
    return fold_space(line);  // folding also trims both ends
}

// Reads the fixture on its own terms, independently of the importer: a day header, a title,
// body lines, and a footer line, which the last post lacks because the page was cut.
std::vector<ExpectedPost> expected_posts() {
    static const std::regex day_header(R"(^\d\d/\d\d/\d{4}$)");
    static const std::regex footer(R"(^(\d\d:\d\d .*\| Lien permanent \| Commentaires \()\d+\).*)");
    std::istringstream fixture(read_file(k_fixture));
    std::vector<ExpectedPost> posts;
    std::string line;
    std::string current_day;
    bool want_title = false;
    while (std::getline(fixture, line)) {
        const auto text = trim(line);
        std::smatch match;
        if (std::regex_match(text, day_header)) {
            current_day = text;
            want_title = true;
        } else if (text.empty()) {
            continue;
        } else if (want_title) {
            posts.push_back({current_day, text, {}, ""});
            want_title = false;
        } else if (std::regex_match(text, match, footer)) {
            // carnet counts the comments it holds: the page's comment texts are not in it.
            posts.back().footer = match[1].str() + "0)";
        } else if (!posts.empty()) {
            posts.back().body_lines.push_back(text);
        }
    }
    for (auto& post : posts) {
        if (post.footer.empty()) post.footer = "00:00 | Lien permanent | Commentaires (0)";
    }
    return posts;
}

class BlogServer : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = dir_.path() / "blog.db";
        auto init = run_carnet(
            {"init", "--db", db_.string(), "--title", "Le carnet de test", "--host", "blog.test"});
        ASSERT_EQ(init.exit_code, 0) << init.err;
        auto imported =
            run_carnet({"import", "page-text", "--db", db_.string(), k_fixture.string()});
        ASSERT_EQ(imported.exit_code, 0) << imported.err;
        import_output_ = imported.out;
        server_ = std::make_unique<ServerProcess>(db_);
        ASSERT_NE(server_->port(), 0) << server_->log();
    }

    std::uint16_t port() const { return server_->port(); }

    TempDir dir_;
    std::filesystem::path db_;
    std::string import_output_;
    std::unique_ptr<ServerProcess> server_;
};

TEST_F(BlogServer, HomePageReadsLikeTheFixtureInOrder) {
    const auto posts = expected_posts();
    ASSERT_EQ(posts.size(), 3u);
    auto home = http_get(port(), "/");
    ASSERT_EQ(home.status, 200);
    EXPECT_EQ(home.headers["content-type"], "text/html; charset=utf-8");
    const auto text = fold_space(visible_text(home.body));

    std::size_t position = 0;
    const auto expect_next = [&](const std::string& wanted) {
        const auto found = text.find(fold_space(wanted), position);
        EXPECT_NE(found, std::string::npos)
            << "not found after position " << position << ": " << wanted << "\n--- page text ---\n"
            << text;
        if (found != std::string::npos) position = found + wanted.size();
    };
    for (const auto& post : posts) {
        expect_next(post.day_header);
        expect_next(post.title);
        for (const auto& line : post.body_lines) expect_next(line);
        expect_next(post.footer);
    }
    // The first footer, exactly as the old service wrote it.
    EXPECT_NE(text.find("20:19 Publié dans Etat Islamique, Libye, Misrata, Syrte | Lien permanent "
                        "| Commentaires (0) |"),
              std::string::npos);
}

TEST_F(BlogServer, ImportReportNamesTheCutPostAndTheLostComments) {
    EXPECT_NE(import_output_.find("3 imported, 0 skipped"), std::string::npos) << import_output_;
    EXPECT_NE(import_output_.find("footer"), std::string::npos) << import_output_;
    EXPECT_NE(import_output_.find("2 comments"), std::string::npos) << import_output_;
}

TEST_F(BlogServer, PermalinksCategoriesAndArchivesAnswer) {
    const auto post = http_get(
        port(), "/archive/2017/10/04/l-etat-islamique-attaque-le-tribunal-de-misrata.html");
    ASSERT_EQ(post.status, 200);
    const auto post_text = fold_space(visible_text(post.body));
    EXPECT_NE(post_text.find("L'Etat islamique attaque le tribunal de Misrata"), std::string::npos);
    EXPECT_NE(post_text.find("Misrata a perdu plus de 700 combattants"), std::string::npos);

    const auto category = http_get(port(), "/list/etat-islamique/");
    ASSERT_EQ(category.status, 200);
    const auto category_text = fold_space(visible_text(category.body));
    EXPECT_NE(category_text.find("L'Etat islamique attaque le tribunal de Misrata"),
              std::string::npos);
    EXPECT_NE(category_text.find("Daech s'empare d'Al-Qaryatayn"), std::string::npos);
    // Only the page's main content: the sidebar lists recent posts of every category.
    const auto libye_page = http_get(port(), "/list/libye/").body;
    const auto main_start = libye_page.find("<main");
    const auto main_end = libye_page.find("</main>");
    ASSERT_NE(main_start, std::string::npos);
    ASSERT_NE(main_end, std::string::npos);
    const auto libye =
        fold_space(visible_text(libye_page.substr(main_start, main_end - main_start)));
    EXPECT_NE(libye.find("L'Etat islamique attaque le tribunal de Misrata"), std::string::npos);
    EXPECT_EQ(libye.find("Daech s'empare d'Al-Qaryatayn"), std::string::npos);

    const auto day = http_get(port(), "/archive/2017/10/01/");
    ASSERT_EQ(day.status, 200);
    EXPECT_NE(day.body.find("Al-Qaryatayn"), std::string::npos);
    EXPECT_EQ(day.body.find("tribunal de Misrata</a></h"), std::string::npos);
    EXPECT_EQ(http_get(port(), "/archive/2017/10/").status, 200);
    EXPECT_EQ(http_get(port(), "/archive/2017/").status, 200);
    EXPECT_EQ(http_get(port(), "/archive/2016/").status, 404);
    EXPECT_EQ(http_get(port(), "/archive/2017/13/").status, 404);
}

TEST_F(BlogServer, AWrongDateInAPermalinkRedirectsToTheRightOne) {
    auto moved = http_get(
        port(), "/archive/2017/10/05/l-etat-islamique-attaque-le-tribunal-de-misrata.html");
    EXPECT_EQ(moved.status, 301);
    EXPECT_EQ(moved.headers["location"],
              "/archive/2017/10/04/l-etat-islamique-attaque-le-tribunal-de-misrata.html");
}

TEST_F(BlogServer, OldServiceMonthArchivesRedirectPermanently) {
    auto first = http_get(port(), "/archives/2017/10/index.html");
    EXPECT_EQ(first.status, 301);
    EXPECT_EQ(first.headers["location"], "/archive/2017/10/");
    auto second = http_get(port(), "/archives/2017/10/index-2.html");
    EXPECT_EQ(second.status, 301);
    EXPECT_EQ(second.headers["location"], "/archive/2017/10/page/2/");
}

TEST_F(BlogServer, UnknownPathIsAThemed404) {
    auto missing = http_get(port(), "/nulle/part.html");
    EXPECT_EQ(missing.status, 404);
    EXPECT_NE(missing.body.find("<html"), std::string::npos);
    EXPECT_NE(missing.body.find("Le carnet de test"), std::string::npos);
    EXPECT_EQ(http_get(port(), "/archive/2017/10/04/inconnu.html").status, 404);
    EXPECT_EQ(http_get(port(), "/page/9/").status, 404);
}

TEST_F(BlogServer, RepeatedRequestIsServedFromTheCacheAndRevalidates) {
    auto first = http_get(port(), "/list/syrie/");
    ASSERT_EQ(first.status, 200);
    EXPECT_EQ(first.headers["x-cache"], "miss");
    auto second = http_get(port(), "/list/syrie/");
    ASSERT_EQ(second.status, 200);
    EXPECT_EQ(second.headers["x-cache"], "hit");
    EXPECT_EQ(second.body, first.body);
    ASSERT_FALSE(second.headers["etag"].empty());
    auto revalidated =
        http_get(port(), "/list/syrie/", {{"If-None-Match", second.headers["etag"]}});
    EXPECT_EQ(revalidated.status, 304);
    EXPECT_TRUE(revalidated.body.empty());
    // A reader that only keeps the date gets a 304 too, and a full page when it is older.
    const auto date = second.headers["last-modified"];
    ASSERT_FALSE(date.empty());
    EXPECT_EQ(http_get(port(), "/list/syrie/", {{"If-Modified-Since", date}}).status, 304);
    const auto older =
        http_get(port(), "/list/syrie/", {{"If-Modified-Since", "Mon, 02 Oct 2017 10:00:00 GMT"}});
    EXPECT_EQ(older.status, 200);
    EXPECT_EQ(older.body, first.body);
}

TEST_F(BlogServer, CompressedVariantsCarryTheSamePage) {
    auto gzip = http_get(port(), "/", {{"Accept-Encoding", "gzip"}});
    ASSERT_EQ(gzip.status, 200);
    EXPECT_EQ(gzip.headers["content-encoding"], "gzip");
    auto brotli = http_get(port(), "/", {{"Accept-Encoding", "br, gzip"}});
    EXPECT_EQ(brotli.headers["content-encoding"], "br");
    auto plain = http_get(port(), "/");
    EXPECT_LT(gzip.body.size(), plain.body.size());
    EXPECT_LT(brotli.body.size(), plain.body.size());
}

TEST_F(BlogServer, AnImportWhileServingShowsUpWithoutARestart) {
    auto before = http_get(port(), "/");
    ASSERT_EQ(before.status, 200);
    EXPECT_EQ(before.body.find("Un nouveau billet"), std::string::npos);
    const auto page = dir_.path() / "new.txt";
    {
        std::ofstream file(page);
        file << "05/10/2017\n\nUn nouveau billet\n\nArrivé pendant que le serveur tournait.\n\n"
                "\u00a0\n\n09:30 Publié dans Libye | Lien permanent | Commentaires (0) | | |\n";
    }
    auto imported = run_carnet({"import", "page-text", "--db", db_.string(), page.string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    // The server notices writes from other processes by polling: wait with a deadline.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string body;
    while (std::chrono::steady_clock::now() < deadline) {
        body = http_get(port(), "/").body;
        if (body.find("Un nouveau billet") != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_NE(body.find("Un nouveau billet"), std::string::npos);
}

TEST_F(BlogServer, BadRequestsGetTheirStatusAndTheServerKeepsServing) {
    const auto status_of = [](const std::string& answer) {
        std::smatch match;
        static const std::regex status_line(R"(^HTTP/1\.1 (\d{3}))");
        return std::regex_search(answer, match, status_line) ? std::stoi(match[1]) : 0;
    };
    const std::string huge_header(64 * 1024, 'a');
    EXPECT_EQ(status_of(http_raw(
                  port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + huge_header + "\r\n\r\n")),
              431);
    EXPECT_EQ(http_get(port(), "/").status, 200);

    const std::string huge_body(4 * 1024 * 1024, 'b');
    EXPECT_EQ(
        status_of(http_raw(port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                       std::to_string(huge_body.size()) + "\r\n\r\n" + huge_body)),
        413);
    EXPECT_EQ(http_get(port(), "/").status, 200);

    EXPECT_EQ(status_of(http_raw(port(), "GARBAGE\r\n\r\n")), 400);
    EXPECT_EQ(http_get(port(), "/").status, 200);

    EXPECT_EQ(status_of(http_raw(port(), "GET /archive/../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n")),
              400);
    EXPECT_EQ(status_of(http_raw(port(), "GET /archive/%2e%2e/x HTTP/1.1\r\nHost: x\r\n\r\n")),
              400);
    EXPECT_EQ(http_get(port(), "/").status, 200);
    EXPECT_EQ(http_get(port(), "/", {}, "DELETE").status, 405);
    auto head = http_get(port(), "/", {}, "HEAD");
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
}

TEST_F(BlogServer, SigtermStopsTheServerCleanly) {
    EXPECT_EQ(http_get(port(), "/").status, 200);
    EXPECT_EQ(server_->stop(), 0) << server_->log();
    EXPECT_NE(server_->log().find("\"GET /\" 200"), std::string::npos) << "no access log line";
}

TEST(Cli, InitTwiceIsAnErrorThatChangesNothing) {
    TempDir dir;
    const auto db = (dir.path() / "blog.db").string();
    ASSERT_EQ(run_carnet({"init", "--db", db, "--title", "Premier"}).exit_code, 0);
    const auto again = run_carnet({"init", "--db", db, "--title", "Second"});
    EXPECT_NE(again.exit_code, 0);
    EXPECT_NE(again.err.find("already"), std::string::npos) << again.err;
    ServerProcess server(db);
    ASSERT_NE(server.port(), 0) << server.log();
    const auto home = http_get(server.port(), "/").body;
    EXPECT_NE(home.find("Premier"), std::string::npos);
    EXPECT_EQ(home.find("Second"), std::string::npos);
}

TEST(Cli, TheFirstBlogKeepsAnsweringEveryOtherHostWhenASecondOneIsAdded) {
    TempDir dir;
    const auto db = (dir.path() / "blog.db").string();
    ASSERT_EQ(run_carnet({"init", "--db", db, "--title", "Le premier carnet"}).exit_code, 0);
    const auto added = run_carnet(
        {"blog", "add", "--db", db, "--host", "other.example", "--title", "Un autre carnet"});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    EXPECT_NE(added.out.find("for other.example"), std::string::npos) << added.out;
    // A second blog without a host name would hide nothing and be reached by nobody: refused.
    const auto second_default =
        run_carnet({"blog", "add", "--db", db, "--title", "Un carnet de trop"});
    EXPECT_EQ(second_default.exit_code, 1);
    EXPECT_NE(second_default.err.find("\"Le premier carnet\" is already the default blog"),
              std::string::npos)
        << second_default.err;
    EXPECT_NE(second_default.err.find("--host"), std::string::npos) << second_default.err;
    const auto list = run_carnet({"blog", "list", "--db", db});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_NE(list.out.find("Le premier carnet\tfr\t(default: every host no other blog names)"),
              std::string::npos)
        << list.out;
    EXPECT_NE(list.out.find("Un autre carnet\tfr\tother.example\n"), std::string::npos) << list.out;
    EXPECT_EQ(list.out.find("Un carnet de trop"), std::string::npos) << list.out;

    ServerProcess server(db);
    ASSERT_NE(server.port(), 0) << server.log();
    const auto port = std::to_string(server.port());
    for (const auto& host :
         std::vector<std::string>{"127.0.0.1", "127.0.0.1:" + port, "localhost:" + port,
                                  "blog.example.org", "OTHER.example.org"}) {
        const auto home = http_get(server.port(), "/", {{"Host", host}});
        EXPECT_EQ(home.status, 200) << host;
        EXPECT_NE(home.body.find("Le premier carnet"), std::string::npos) << host;
        EXPECT_EQ(home.body.find("Un autre carnet"), std::string::npos) << host;
    }
    for (const auto& host : std::vector<std::string>{"other.example", "Other.Example:" + port}) {
        const auto home = http_get(server.port(), "/", {{"Host", host}});
        EXPECT_EQ(home.status, 200) << host;
        EXPECT_NE(home.body.find("Un autre carnet"), std::string::npos) << host;
        EXPECT_EQ(home.body.find("Le premier carnet"), std::string::npos) << host;
    }
}

TEST(Cli, ImportingTwiceAddsNothing) {
    TempDir dir;
    const auto db = (dir.path() / "blog.db").string();
    ASSERT_EQ(run_carnet({"init", "--db", db}).exit_code, 0);
    ASSERT_EQ(run_carnet({"import", "page-text", "--db", db, k_fixture.string()}).exit_code, 0);
    const auto again = run_carnet({"import", "page-text", "--db", db, k_fixture.string()});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("0 imported, 3 skipped"), std::string::npos) << again.out;
}

TEST(Cli, ANonPageIsRefusedAndNothingIsWritten) {
    TempDir dir;
    const auto db = (dir.path() / "blog.db").string();
    ASSERT_EQ(run_carnet({"init", "--db", db}).exit_code, 0);
    const auto notes = dir.path() / "notes.txt";
    std::ofstream(notes) << "Liste de courses\n\n- pain\n- lait\n";
    const auto refused = run_carnet({"import", "page-text", "--db", db, notes.string()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("line"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("nothing was imported"), std::string::npos) << refused.err;
    // A cut fixture (its second post without a title) is refused whole too.
    auto fixture = read_file(k_fixture);
    const auto cut = fixture.substr(0, fixture.find("01/10/2017") + 12);
    const auto cut_file = dir.path() / "cut.txt";
    std::ofstream(cut_file) << cut;
    EXPECT_EQ(run_carnet({"import", "page-text", "--db", db, cut_file.string()}).exit_code, 1);
    const auto after = run_carnet({"import", "page-text", "--db", db, k_fixture.string()});
    EXPECT_NE(after.out.find("3 imported, 0 skipped"), std::string::npos) << after.out;
}

TEST(Cli, EverySubcommandHasHelp) {
    for (const auto& args : std::vector<std::vector<std::string>>{{"--help"},
                                                                  {"init", "--help"},
                                                                  {"user", "--help"},
                                                                  {"user", "add", "--help"},
                                                                  {"import", "--help"},
                                                                  {"import", "page-text", "--help"},
                                                                  {"serve", "--help"}}) {
        const auto help = run_carnet(args);
        EXPECT_EQ(help.exit_code, 0) << args.back();
        EXPECT_NE(help.out.find("--"), std::string::npos) << help.out;
    }
}

TEST(Cli, UserAddHashesThePasswordFromStdin) {
    TempDir dir;
    const auto db = (dir.path() / "blog.db").string();
    ASSERT_EQ(run_carnet({"init", "--db", db}).exit_code, 0);
    const auto added = run_carnet({"user", "add", "--db", db, "--email", "jr@example.org", "--name",
                                   "Jean René", "--password-stdin"},
                                  "s3cret-Misrata\n");
    ASSERT_EQ(added.exit_code, 0) << added.err;
    const auto dump = run_command({"sqlite3", db, "SELECT password_hash FROM users"});
    ASSERT_EQ(dump.exit_code, 0) << dump.err;
    EXPECT_TRUE(dump.out.starts_with("$argon2id$")) << dump.out;
    EXPECT_EQ(dump.out.find("s3cret"), std::string::npos);
    EXPECT_EQ(read_file(db).find("s3cret-Misrata"), std::string::npos);
    const auto twice = run_carnet({"user", "add", "--db", db, "--email", "JR@example.org", "--name",
                                   "Autre", "--password-stdin"},
                                  "x\n");
    EXPECT_EQ(twice.exit_code, 1);
}

TEST(Cli, SettingsFileIsReadAndFlagsWin) {
    TempDir dir;
    const auto db = (dir.path() / "blog.db").string();
    ASSERT_EQ(run_carnet({"init", "--db", db, "--title", "Réglages"}).exit_code, 0);
    const auto config = dir.path() / "carnet.toml";
    std::ofstream(config) << "db = \"" << db << "\"\nlisten = \"127.0.0.1:1\"\nthreads = 1\n";
    // The file names a port nobody may bind; --listen on the command line wins.
    ServerProcess server(db, {"--config", config.string()});
    EXPECT_NE(server.port(), 0) << server.log();
    std::ofstream(config) << "unknown_key = 3\n";
    const auto refused = run_carnet({"serve", "--config", config.string(), "--db", db});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("unknown_key"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace carnet::testing
