// End-to-end: `carnet migrate` between SQLite and PostgreSQL both ways, and `carnet backup` /
// `carnet restore` on PostgreSQL, on the real binary and a PostgreSQL server the test program
// started. A round trip must give back every row of every table; a refused copy must change
// nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <sstream>
#include <thread>

#include "support.hpp"
#include "testing/postgres_server.hpp"

namespace carnet::testing {
namespace {

namespace fs = std::filesystem;

const fs::path k_page_text = fs::path(CARNET_FIXTURES_DIR) / "hautetfort-front-page.txt";
const fs::path k_wxr = fs::path(CARNET_SOURCE_DIR) / "src/interop/testdata/wordpress-1.2.xml";
const std::string k_password = "un mot de passe assez long";
const std::map<std::string, std::string> k_host{{"Host", "blog.test"}};

// What a round trip may change: the page caches' clock, and the search index, which the
// target builds for itself (FTS5's segments depend on the order posts went in).
const std::vector<std::string> k_made_by_the_target{
    "blogs.generation",         "blogs.contents_generation", "post_search_fr.*",
    "post_search_en.*",         "post_search_fr_data.*",     "post_search_en_data.*",
    "post_search_fr_idx.*",     "post_search_en_idx.*",      "post_search_fr_docsize.*",
    "post_search_en_docsize.*", "post_search_fr_content.*",  "post_search_en_content.*",
    "post_search_fr_config.*",  "post_search_en_config.*",   "schema_migrations.applied_at",
    "month_counts.changed"};

// Every row of every table of the PostgreSQL database, in the server's order: equal before
// and after anything that must change nothing.
std::string postgres_fingerprint(const std::string& uri) {
    auto dumped = run_command({"pg_dump", "--data-only", "--no-owner", "--dbname", uri});
    if (dumped.exit_code != 0) return "pg_dump failed: " + dumped.err;
    // Less the random key pg_dump writes around its output.
    static const std::regex k_restrict_key(R"re(\\(un)?restrict \S+)re");
    return std::regex_replace(dumped.out, k_restrict_key, "");
}

// The rows pg_dump writes out, schema_migrations' left aside: "" when carnet's tables are
// all empty.
std::string postgres_rows(const std::string& uri) {
    std::istringstream dump(postgres_fingerprint(uri));
    std::string line;
    std::string rows;
    bool in_rows = false;
    bool counted = false;
    while (std::getline(dump, line)) {
        if (line.starts_with("COPY ")) {
            in_rows = true;
            counted = !line.starts_with("COPY public.schema_migrations ");
        } else if (line == "\\.") {
            in_rows = false;
        } else if (in_rows && counted) {
            rows += line + "\n";
        }
    }
    return rows;
}

class Migrate : public ::testing::Test {
protected:
    void SetUp() override {
        std::string failure;
        server_ = postgres_server(&failure);
        ASSERT_NE(server_, nullptr) << failure;
    }

    std::string new_postgres() {
        auto uri = server_->create_database();
        EXPECT_TRUE(uri.has_value()) << uri.error();
        return uri.value_or("");
    }

    // A blog with something in most tables: posts, categories, tags, pages and post meta
    // from two imports, threaded comments (one whose answer came first in id order, as an
    // import can leave them), a second blog, a writer with a role, an application password,
    // a comment sent through the form and a session opened in the admin.
    void seed(const fs::path& db) {
        ASSERT_EQ(run_carnet({"init", "--db", db.string(), "--title", "Le carnet de test", "--host",
                              "blog.test"})
                      .exit_code,
                  0);
        ASSERT_EQ(run_carnet({"import", "page-text", "--db", db.string(), k_page_text.string()})
                      .exit_code,
                  0);
        auto wxr = run_carnet({"import", "wxr", "--db", db.string(), k_wxr.string()});
        ASSERT_EQ(wxr.exit_code, 0) << wxr.err;
        auto user = run_carnet({"user", "add", "--db", db.string(), "--email", "amina@example.org",
                                "--name", "Amina", "--password-stdin", "--role", "owner"},
                               k_password + "\n");
        ASSERT_EQ(user.exit_code, 0) << user.err;
        auto app = run_carnet({"user", "app-password", "--db", db.string(), "--email",
                               "amina@example.org", "--name", "MarsEdit"});
        ASSERT_EQ(app.exit_code, 0) << app.err;
        ASSERT_EQ(run_carnet({"blog", "add", "--db", db.string(), "--title", "Second carnet",
                              "--host", "second.test"})
                      .exit_code,
                  0);
        // A reply whose parent has a larger id: the copy must set such references after the
        // rows they point to are in.
        auto reordered = run_command(
            {"sqlite3", db.string(),
             "UPDATE comments SET parent_id = (SELECT max(id) FROM comments) WHERE id = (SELECT "
             "min(id) FROM comments)"});
        ASSERT_EQ(reordered.exit_code, 0) << reordered.err;

        ServerProcess node(
            db, {"--media-dir", (dir_.path() / "media").string(), "--comment-delay", "0"});
        ASSERT_NE(node.port(), 0) << node.log();
        session_ = AdminSession(node.port(), "amina@example.org", k_password, k_host).cookie();
        ASSERT_FALSE(session_.empty()) << node.log();
        comment_through_the_form(node.port());
        EXPECT_EQ(node.stop(), 0) << node.log();
    }

    void comment_through_the_form(std::uint16_t port) {
        const auto home = http_get(port, "/", k_host);
        std::smatch link;
        ASSERT_TRUE(
            std::regex_search(home.body, link, std::regex(R"re(href="(/archive/[^"]+\.html)")re")));
        commented_ = link[1].str();
        const auto page = http_get(port, commented_, k_host);
        std::smatch form;
        ASSERT_TRUE(std::regex_search(
            page.body, form,
            std::regex(
                R"re(<form id="comment-form"[^>]*action="([^"]+)"[\s\S]*?name="stamp" value="([^"]+)")re")))
            << page.body;
        auto headers = k_host;
        headers["Content-Type"] = "application/x-www-form-urlencoded";
        const auto sent = http_get(port, form[1].str(), headers, "POST",
                                   form_encode({{"name", "Basile"},
                                                {"body", "Un commentaire qui déménage."},
                                                {"stamp", form[2].str()},
                                                {"homepage", ""}}));
        ASSERT_EQ(sent.status, 303);
    }

    PostgresServer* server_ = nullptr;
    TempDir dir_;
    std::string session_;
    std::string commented_;  // the post the form's comment went to
};

TEST_F(Migrate, ASeededBlogGoesToPostgresAndComesBackRowForRow) {
    const auto original = dir_.path() / "original.db";
    seed(original);
    const auto uri = new_postgres();

    auto there = run_carnet({"migrate", "--from", original.string(), "--to", uri});
    ASSERT_EQ(there.exit_code, 0) << there.err;
    EXPECT_NE(there.out.find("checked every table"), std::string::npos) << there.out;
    EXPECT_NE(there.out.find("sessions"), std::string::npos) << there.out;

    // The blog, served from PostgreSQL: its posts, its comment, its search, and the writer
    // still signed in with the session opened on SQLite.
    {
        ServerProcess node(uri, {"--media-dir", (dir_.path() / "media").string()});
        ASSERT_NE(node.port(), 0) << node.log();
        const auto home = fold_space(visible_text(http_get(node.port(), "/", k_host).body));
        EXPECT_NE(home.find("L'Etat islamique attaque le tribunal de Misrata"), std::string::npos)
            << home;
        const auto found = http_get(node.port(), "/search?q=Misrata", k_host);
        EXPECT_NE(found.body.find("/archive/2017/10/04/"), std::string::npos) << found.body;
        auto signed_in = k_host;
        signed_in["Cookie"] = "carnet_session=" + session_;
        const auto dashboard = http_get(node.port(), "/admin/blogs/1/", signed_in);
        EXPECT_EQ(dashboard.status, 200) << node.log();
        EXPECT_NE(dashboard.body.find("Amina"), std::string::npos);
        const auto post = fold_space(visible_text(http_get(node.port(), commented_, k_host).body));
        EXPECT_NE(post.find("Un commentaire qui déménage."), std::string::npos) << post;
        const auto second = http_get(node.port(), "/", {{"Host", "second.test"}});
        EXPECT_NE(second.body.find("Second carnet"), std::string::npos);
    }

    const auto back = dir_.path() / "back.db";
    auto home_again = run_carnet({"migrate", "--from", uri, "--to", back.string()});
    ASSERT_EQ(home_again.exit_code, 0) << home_again.err;
    EXPECT_EQ(database_fingerprint(back, k_made_by_the_target),
              database_fingerprint(original, k_made_by_the_target));
    // The round trip's search index finds what the original's does.
    {
        ServerProcess node(back, {"--media-dir", (dir_.path() / "media").string()});
        ASSERT_NE(node.port(), 0) << node.log();
        const auto found = http_get(node.port(), "/search?q=Misrata", k_host);
        EXPECT_NE(found.body.find("/archive/2017/10/04/"), std::string::npos) << found.body;
    }

    // On PostgreSQL, new rows take ids past the copied ones.
    auto added = run_carnet({"user", "add", "--db", uri, "--email", "zoe@example.org", "--name",
                             "Zoé", "--password-stdin", "--role", "author", "--blog", "1"},
                            k_password + "\n");
    EXPECT_EQ(added.exit_code, 0) << added.err;
    auto blog = run_carnet({"blog", "add", "--db", uri, "--title", "Troisième carnet"});
    EXPECT_EQ(blog.exit_code, 0) << blog.err;
    // The copy counted the posts all at once with the counting triggers off: they are on
    // again for what is written next.
    auto triggers = run_command({"psql", "--no-psqlrc", "-At", "--dbname", uri, "-c",
                                 "SELECT string_agg(tgname || '=' || tgenabled::text, ',' ORDER BY "
                                 "tgname) FROM pg_trigger WHERE tgname IN "
                                 "('posts_counts_after_insert', 'post_categories_counts')"});
    EXPECT_EQ(triggers.out, "post_categories_counts=O,posts_counts_after_insert=O\n")
        << triggers.err;
    // The copy made the search index in bulk: the same rows as one post at a time makes
    // them, and the same indexes as the schema's migrations.
    const auto psql_value = [&](const std::string& target, const std::string& sql) {
        auto answer = run_command({"psql", "--no-psqlrc", "-At", "--dbname", target, "-c", sql});
        EXPECT_EQ(answer.exit_code, 0) << answer.err;
        return answer.out;
    };
    const std::string index_rows =
        "SELECT count(*) || ' ' || md5(string_agg(concat_ws('|', post_id, blog_id, title, body, "
        "document::text, words::text), '/' ORDER BY post_id)) FROM post_search";
    const std::string index_shapes =
        "SELECT string_agg(indexdef, ';' ORDER BY indexname) FROM pg_indexes "
        "WHERE tablename = 'post_search'";
    const auto copied_index = psql_value(uri, index_rows);
    EXPECT_NE(copied_index.substr(0, 2), "0 ") << copied_index;
    const auto fresh = new_postgres();
    ASSERT_EQ(run_carnet({"init", "--db", fresh, "--title", "Vide"}).exit_code, 0);
    EXPECT_EQ(psql_value(uri, index_shapes), psql_value(fresh, index_shapes));
    auto reindexed = run_carnet({"search", "--reindex", "--db", uri});
    ASSERT_EQ(reindexed.exit_code, 0) << reindexed.err;
    EXPECT_EQ(psql_value(uri, index_rows), copied_index);
}

TEST_F(Migrate, ATargetThatHoldsABlogIsRefusedAndLeftAsItWas) {
    const auto original = dir_.path() / "original.db";
    ASSERT_EQ(run_carnet({"init", "--db", original.string()}).exit_code, 0);
    const auto uri = new_postgres();
    ASSERT_EQ(run_carnet({"init", "--db", uri, "--title", "Déjà là"}).exit_code, 0);
    const auto before = postgres_fingerprint(uri);
    auto refused = run_carnet({"migrate", "--from", original.string(), "--to", uri});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("not empty"), std::string::npos) << refused.err;
    EXPECT_EQ(postgres_fingerprint(uri), before);

    // Into SQLite: an existing blog refused, and no file left behind by a failed copy.
    const auto other = dir_.path() / "other.db";
    ASSERT_EQ(run_carnet({"init", "--db", other.string()}).exit_code, 0);
    const auto other_before = database_fingerprint(other);
    EXPECT_EQ(run_carnet({"migrate", "--from", uri, "--to", other.string()}).exit_code, 1);
    EXPECT_EQ(database_fingerprint(other), other_before);
    const auto fresh = dir_.path() / "fresh.db";
    auto missing = run_carnet(
        {"migrate", "--from", (dir_.path() / "nothing.db").string(), "--to", fresh.string()});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_FALSE(fs::exists(fresh));
    auto itself = run_carnet({"migrate", "--from", uri, "--to", uri});
    EXPECT_EQ(itself.exit_code, 1);
}

// The commands that read a blog out (exports, the static build) go through the store: on
// PostgreSQL they write what they write from the SQLite file the blog came from.
TEST_F(Migrate, ExportsAndStaticBuildsOnPostgresAreThoseOfTheSqliteFile) {
    const auto original = dir_.path() / "original.db";
    seed(original);
    const auto uri = new_postgres();
    auto there = run_carnet({"migrate", "--from", original.string(), "--to", uri});
    ASSERT_EQ(there.exit_code, 0) << there.err;
    for (const std::string format : {"mt", "wxr"}) {
        SCOPED_TRACE(format);
        const auto from_sqlite = dir_.path() / ("sqlite." + format);
        const auto from_postgres = dir_.path() / ("postgres." + format);
        auto exported = run_carnet(
            {"export", format, "--db", original.string(), "--blog", "1", from_sqlite.string()});
        ASSERT_EQ(exported.exit_code, 0) << exported.err;
        exported =
            run_carnet({"export", format, "--db", uri, "--blog", "1", from_postgres.string()});
        ASSERT_EQ(exported.exit_code, 0) << exported.err;
        const auto expected = read_file(from_sqlite);
        EXPECT_NE(expected.find("Misrata"), std::string::npos);
        EXPECT_TRUE(read_file(from_postgres) == expected);
    }
    const auto built_from_sqlite = dir_.path() / "site-sqlite";
    const auto built_from_postgres = dir_.path() / "site-postgres";
    for (const auto& [db, out] :
         {std::pair(original.string(), built_from_sqlite), std::pair(uri, built_from_postgres)}) {
        auto built =
            run_carnet({"build", "--db", db, "--blog", "1", "--out", out.string(), "--base-url",
                        "http://blog.test", "--media-dir", (dir_.path() / "media").string()});
        ASSERT_EQ(built.exit_code, 0) << built.err;
    }
    // Both builds recorded themselves; their records hold the generation of the database they
    // read, which a migrate gives anew (k_made_by_the_target): every file a reader gets is the
    // same.
    EXPECT_TRUE(fs::exists(built_from_sqlite / ".carnet-build"));
    EXPECT_TRUE(fs::exists(built_from_postgres / ".carnet-build"));
    const auto expected = files_of_build(built_from_sqlite);
    EXPECT_GT(expected.size(), 20u);
    ASSERT_TRUE(expected.contains("index.html"));
    EXPECT_NE(expected.at("index.html").find("Misrata"), std::string::npos);
    expect_same_files(expected, files_of_build(built_from_postgres));
}

TEST_F(Migrate, AGeneratedBlogRoundTripsAndTheCheckCatchesADifference) {
    const auto original = dir_.path() / "generated.db";
    auto generated = run_command({CARNET_GENERATE_BLOG, original.string(), "400"});
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
    const auto uri = new_postgres();
    auto there = run_carnet({"migrate", "--from", original.string(), "--to", uri});
    ASSERT_EQ(there.exit_code, 0) << there.err;
    EXPECT_NE(there.out.find("400 published posts"), std::string::npos) << there.out;
    const auto back = dir_.path() / "back.db";
    ASSERT_EQ(run_carnet({"migrate", "--from", uri, "--to", back.string()}).exit_code, 0);
    EXPECT_EQ(database_fingerprint(back, k_made_by_the_target),
              database_fingerprint(original, k_made_by_the_target));

    // A source whose sidebar counts disagree with its posts (as a broken trigger would leave
    // them) is not copied as if all were well: the target counts for itself and the check
    // sees the difference.
    auto skewed =
        run_command({"sqlite3", original.string(),
                     "UPDATE month_counts SET posts = posts + 1 WHERE year = 2026 AND month = 10"});
    ASSERT_EQ(skewed.exit_code, 0) << skewed.err;
    // The empty database it was going to (it keeps carnet's schema, as `carnet init` would
    // make it, and not one row).
    const auto second = new_postgres();
    auto caught = run_carnet({"migrate", "--from", original.string(), "--to", second});
    EXPECT_NE(caught.exit_code, 0);
    // The skewed month also skews the blog's count kept from it: either is named.
    EXPECT_TRUE(caught.err.find("month_counts") != std::string::npos ||
                caught.err.find("blog_counts") != std::string::npos)
        << caught.err;
    EXPECT_EQ(postgres_rows(second), "");
    EXPECT_NE(postgres_rows(uri), "");
}

TEST_F(Migrate, BackupOfPostgresIsASqliteFileThatRestoreTakesBack) {
    const auto uri = new_postgres();
    ASSERT_EQ(
        run_carnet({"init", "--db", uri, "--title", "Le carnet de test", "--host", "blog.test"})
            .exit_code,
        0);
    ASSERT_EQ(run_carnet({"import", "page-text", "--db", uri, k_page_text.string()}).exit_code, 0);
    const auto file = dir_.path() / "backup.db";
    auto backup = run_carnet({"backup", "--db", uri, file.string()});
    ASSERT_EQ(backup.exit_code, 0) << backup.err;
    EXPECT_FALSE(fs::exists(file.string() + ".partial"));
    // A carnet SQLite file: the SQLite restore checks and takes it.
    const auto restored_file = dir_.path() / "restored.db";
    auto as_sqlite = run_carnet({"restore", "--db", restored_file.string(), file.string()});
    EXPECT_EQ(as_sqlite.exit_code, 0) << as_sqlite.err;
    auto listed = run_carnet({"blog", "list", "--db", restored_file.string()});
    EXPECT_NE(listed.out.find("Le carnet de test"), std::string::npos) << listed.out;

    // Into a new PostgreSQL database, and over one that holds something else with --force.
    const auto fresh = new_postgres();
    auto restored = run_carnet({"restore", "--db", fresh, file.string()});
    ASSERT_EQ(restored.exit_code, 0) << restored.err;
    const auto other = new_postgres();
    ASSERT_EQ(run_carnet({"init", "--db", other, "--title", "Autre chose"}).exit_code, 0);
    const auto before = postgres_fingerprint(other);
    auto refused = run_carnet({"restore", "--db", other, file.string()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
    EXPECT_EQ(postgres_fingerprint(other), before);
    ServerProcess node(other, {"--media-dir", (dir_.path() / "media").string()});
    ASSERT_NE(node.port(), 0) << node.log();
    EXPECT_NE(http_get(node.port(), "/").body.find("Autre chose"), std::string::npos);
    auto forced = run_carnet({"restore", "--db", other, "--force", file.string()});
    ASSERT_EQ(forced.exit_code, 0) << forced.err;
    EXPECT_NE(forced.out.find("replacing it"), std::string::npos) << forced.out;
    // The running node sees the restored blog within a second or so (its generation moved
    // past every one the node has pages of).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string body;
    while (std::chrono::steady_clock::now() < deadline) {
        body = http_get(node.port(), "/", k_host).body;
        if (body.find("Le carnet de test") != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_NE(body.find("Misrata"), std::string::npos) << body;
    // Both PostgreSQL copies hold what the backup holds.
    const auto from_fresh = dir_.path() / "from-fresh.db";
    const auto from_other = dir_.path() / "from-other.db";
    ASSERT_EQ(run_carnet({"backup", "--db", fresh, from_fresh.string()}).exit_code, 0);
    ASSERT_EQ(run_carnet({"backup", "--db", other, from_other.string()}).exit_code, 0);
    EXPECT_EQ(database_fingerprint(from_fresh, k_made_by_the_target),
              database_fingerprint(file, k_made_by_the_target));
    EXPECT_EQ(database_fingerprint(from_other, k_made_by_the_target),
              database_fingerprint(file, k_made_by_the_target));
}

}  // namespace
}  // namespace carnet::testing
