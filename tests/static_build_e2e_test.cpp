// End-to-end: `carnet build` writes the blog as static files, and each file holds what
// `carnet serve` answers over HTTP for its URL, but the comment form of post pages.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>

#include "support.hpp"
#include "testing/postgres_server.hpp"

namespace carnet::testing {
namespace {

namespace fs = std::filesystem;

const fs::path k_fixture = fs::path(CARNET_FIXTURES_DIR) / "hautetfort-front-page.txt";

// The URL a file of the copy answers: <path>/index.html is the folder <path>/.
std::string url_of(const fs::path& relative) {
    std::string url = "/";
    url += relative.generic_string();
    if (url.ends_with("/index.html")) url.resize(url.size() - std::string("index.html").size());
    return url;
}

// A post page without its comments section, the one part a static copy changes.
std::string outside_comments(const std::string& html, std::string* section) {
    const auto begin = html.find("<section id=\"comments\"");
    const auto end = html.find("</section>", begin);
    if (begin == std::string::npos || end == std::string::npos) return html;
    *section = html.substr(begin, end - begin);
    return html.substr(0, begin) + html.substr(end);
}

// Where the copy's files hold spaces after the sidebar, to the end of its slot, as the build's
// record says: "sidebar DIGEST LENGTH SLOT" in hexadecimal, then a line per file,
// "INPUTS<tab>OFFSET<tab>FILE" for a file that holds the sidebar at OFFSET.
struct SidebarSpaces {
    std::size_t length = 0;
    std::size_t slot = 0;
    std::map<std::string, std::size_t> sidebar_at;
};

SidebarSpaces sidebar_spaces(const fs::path& out) {
    SidebarSpaces spaces;
    std::ifstream record(out / ".carnet-build");
    std::string line;
    static const std::regex sidebar(R"(^sidebar [0-9a-f]+ ([0-9a-f]+) ([0-9a-f]+)$)");
    static const std::regex file(R"(^[0-9a-f]{16}\t(\d+)\t(.+)$)");
    std::smatch found;
    while (std::getline(record, line)) {
        if (std::regex_match(line, found, sidebar)) {
            spaces.length = std::stoul(found[1].str(), nullptr, 16);
            spaces.slot = std::stoul(found[2].str(), nullptr, 16);
        } else if (std::regex_match(line, found, file)) {
            spaces.sidebar_at[found[2].str()] = std::stoul(found[1].str());
        }
    }
    return spaces;
}

// The file as the server would answer for it: without the spaces after its sidebar, which
// must be spaces.
std::string without_sidebar_spaces(std::string bytes, const std::string& relative,
                                   const SidebarSpaces& spaces) {
    const auto at = spaces.sidebar_at.find(relative);
    if (at == spaces.sidebar_at.end()) return bytes;
    const auto from = at->second + spaces.length;
    const auto count = spaces.slot - spaces.length;
    EXPECT_GT(count, 0U) << relative;
    EXPECT_EQ(bytes.find_first_not_of(' ', from), from + count) << relative;
    return bytes.erase(from, count);
}

// What a build's summary line says.
struct BuildSummary {
    int rendered = -1;
    int written = -1;
    int spliced = -1;
    int unchanged = -1;
    int removed = -1;
    int files = -1;
};

BuildSummary summary_of(const CommandResult& built) {
    static const std::regex line(
        R"(^(\d+) rendered, (\d+) written \((\d+) given the new sidebar\), (\d+) unchanged, )"
        R"((\d+) removed: (\d+) files in .*\n$)");
    std::smatch found;
    if (built.exit_code != 0 || !std::regex_match(built.out, found, line)) return {};
    return {std::stoi(found[1].str()), std::stoi(found[2].str()), std::stoi(found[3].str()),
            std::stoi(found[4].str()), std::stoi(found[5].str()), std::stoi(found[6].str())};
}

TEST(StaticBuildE2e, EveryFileIsWhatTheServerAnswersForItsUrl) {
    TempDir dir;
    const auto db = dir.path() / "blog.db";
    const auto out = dir.path() / "site";
    auto init = run_carnet(
        {"init", "--db", db.string(), "--title", "Le carnet de test", "--host", "blog.test"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    auto imported = run_carnet({"import", "page-text", "--db", db.string(), k_fixture.string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;

    // The test's HTTP client sends "Host: 127.0.0.1": the server makes its links from it.
    const std::vector<std::string> build_args{
        "build", "--db", db.string(), "--out", out.string(), "--base-url", "http://127.0.0.1"};
    auto built = run_carnet(build_args);
    ASSERT_EQ(built.exit_code, 0) << built.err;
    // Not a terminal: no progress bar (a sanitizer's report may still end up on stderr).
    EXPECT_EQ(built.err.find('\r'), std::string::npos) << built.err;
    EXPECT_EQ(built.err.find("[#"), std::string::npos) << built.err;
    const std::regex summary(
        R"(^(\d+) rendered, (\d+) written \(0 given the new sidebar\), 0 unchanged, 0 removed: )"
        R"((\d+) files in .*\n$)");
    std::smatch found;
    ASSERT_TRUE(std::regex_match(built.out, found, summary)) << built.out;
    EXPECT_EQ(found[1].str(), found[3].str());
    EXPECT_EQ(found[2].str(), found[3].str());
    const std::vector<std::string> counts{"", found[2].str(), found[3].str()};

    ServerProcess server(db);
    ASSERT_NE(server.port(), 0) << server.log();
    const auto spaces = sidebar_spaces(out);
    EXPECT_GT(spaces.sidebar_at.size(), 10U);
    int files = 0;
    int post_pages = 0;
    for (const auto& entry : fs::recursive_directory_iterator(out)) {
        if (!entry.is_regular_file() || entry.path().filename() == ".carnet-build") continue;
        ++files;
        const auto relative = fs::relative(entry.path(), out);
        const auto url = url_of(relative);
        SCOPED_TRACE(url);
        const auto file =
            without_sidebar_spaces(read_file(entry.path()), relative.generic_string(), spaces);
        auto answer = http_get(server.port(), url);
        ASSERT_TRUE(answer.connection_ok);
        // The other allowed differences: a copy has no XML-RPC, Micropub, IndieAuth or
        // Webmention endpoint, so its pages link neither the RSD file and the endpoints for
        // writers' apps nor Webmention's, which the server's pages link.
        const std::string edit_uri =
            "<link rel=\"EditURI\" type=\"application/rsd+xml\" title=\"RSD\" href=\"/rsd.xml\">\n"
            "<link rel=\"micropub\" href=\"/micropub\">\n"
            "<link rel=\"indieauth-metadata\" href=\"/.well-known/oauth-authorization-server\">\n"
            "<link rel=\"authorization_endpoint\" href=\"/indieauth/auth\">\n"
            "<link rel=\"token_endpoint\" href=\"/indieauth/token\">";
        const std::string webmention = "<link rel=\"webmention\" href=\"/webmention\">";
        if (answer.headers["content-type"].starts_with("text/html")) {
            for (const auto& link : {edit_uri, webmention}) {
                const auto at = answer.body.find(link);
                EXPECT_NE(at, std::string::npos) << link;
                if (at != std::string::npos) answer.body.erase(at, link.size());
            }
            // Nor is a copy on the fediverse: its post pages name no ActivityStreams object.
            if (url.starts_with("/archive/") && url.ends_with(".html")) {
                static const std::regex activity(
                    R"re(<link rel="alternate" type="application/activity\+json"[^>]*>)re");
                EXPECT_TRUE(std::regex_search(answer.body, activity));
                answer.body = std::regex_replace(answer.body, activity, "");
            }
            EXPECT_EQ(file.find("application/activity+json"), std::string::npos);
            EXPECT_EQ(file.find("rsd.xml"), std::string::npos);
            EXPECT_EQ(file.find("rel=\"micropub\""), std::string::npos);
            EXPECT_EQ(file.find("rel=\"webmention\""), std::string::npos);
        }
        if (url == "/404.html") {  // the not-found page, for the web server's error page
            EXPECT_EQ(answer.status, 404);
            EXPECT_EQ(file, answer.body);
            continue;
        }
        ASSERT_EQ(answer.status, 200);
        if (!(url.starts_with("/archive/") && url.ends_with(".html"))) {
            EXPECT_EQ(file, answer.body);
            continue;
        }
        ++post_pages;
        std::string static_section;
        std::string served_section;
        EXPECT_EQ(outside_comments(file, &static_section),
                  outside_comments(answer.body, &served_section));
        EXPECT_NE(served_section.find("<form id=\"comment-form\""), std::string::npos);
        EXPECT_EQ(static_section.find("<form"), std::string::npos);
        EXPECT_NE(static_section.find("comments-closed"), std::string::npos);
    }
    EXPECT_EQ(std::to_string(files), counts[2]);
    std::smatch imported_count;
    ASSERT_TRUE(std::regex_search(imported.out, imported_count, std::regex(R"((\d+) imported)")));
    EXPECT_EQ(std::to_string(post_pages), imported_count[1].str());
    for (const auto* expected :
         {"index.html", "atom.xml", "rss.xml", "feed.json", "sitemap.xml", "robots.txt",
          "theme/style.css", "theme/video.js", "list/libye/index.html", "list/libye/atom.xml"}) {
        EXPECT_TRUE(fs::exists(out / expected)) << expected;
    }

    auto again = run_carnet(build_args);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.out, "0 rendered, 0 written (0 given the new sidebar), " + counts[2] +
                             " unchanged, 0 removed: " + counts[2] + " files in " + out.string() +
                             "\n");
}

// A copy built again after each change a writer or a reader makes holds exactly what a build
// into an empty folder writes, and only the pages the change shows on were rendered: the
// blog of `db` (a SQLite file or a PostgreSQL URI, which must be empty), built in `dir`.
void check_builds_after_each_change(const std::string& db, const TempDir& dir) {
    const auto out = dir.path() / "site";
    const auto themes = dir.path() / "themes";
    fs::copy(CARNET_THEMES_DIR, themes, fs::copy_options::recursive);
    ASSERT_EQ(
        run_carnet({"init", "--db", db, "--title", "Le carnet incremental", "--host", "blog.test"})
            .exit_code,
        0);
    ASSERT_EQ(run_carnet({"import", "page-text", "--db", db, k_fixture.string()}).exit_code, 0);
    const std::string password = "mot-de-passe-du-carnet";
    ASSERT_EQ(run_carnet({"user", "add", "--db", db, "--email", "owner@example.org", "--name",
                          "Owner", "--password-stdin", "--role", "owner"},
                         password + "\n")
                  .exit_code,
              0);
    ServerProcess server(db, {"--no-access-log", "--comment-delay", "0"});
    ASSERT_NE(server.port(), 0) << server.log();
    AdminSession admin(server.port(), "owner@example.org", password);
    ASSERT_TRUE(admin.signed_in()) << admin.failure();
    const auto save_post = [&](const std::string& target, const std::string& title,
                               const std::string& source) {
        auto saved = admin.post(target, {{"title", title},
                                         {"source", source},
                                         {"status", "published"},
                                         {"comments_open", "on"}});
        EXPECT_EQ(saved.status, 303) << saved.body;
        const auto location = saved.headers["location"];
        return location.substr(0, location.find('?'));
    };
    // More posts than a page holds, so that listings have pages a change does not reach.
    for (int i = 1; i <= 4; ++i) {
        save_post("/admin/blogs/1/posts", "Billet " + std::to_string(i),
                  "Texte " + std::to_string(i));
    }
    const auto set_settings = [&](const std::string& title, const std::string& policy) {
        auto saved = admin.post("/admin/blogs/1/settings", {{"title", title},
                                                            {"locale", "fr"},
                                                            {"time_zone", "Europe/Paris"},
                                                            {"theme", "classique"},
                                                            {"posts_per_page", "2"},
                                                            {"close_comments_after_days", "0"},
                                                            {"comment_policy", policy}});
        EXPECT_EQ(saved.status, 303) << saved.body;
    };
    set_settings("Le carnet incremental", "all_held");

    int cold_builds = 0;
    // Builds into `out` again, then into an empty folder, and compares both.
    const auto rebuild = [&]() -> BuildSummary {
        const auto incremental =
            summary_of(run_carnet({"build", "--db", db, "--out", out.string(), "--base-url",
                                   "http://127.0.0.1", "--themes", themes.string()}));
        const auto cold_dir = dir.path() / ("cold-" + std::to_string(++cold_builds));
        const auto cold =
            summary_of(run_carnet({"build", "--db", db, "--out", cold_dir.string(), "--base-url",
                                   "http://127.0.0.1", "--themes", themes.string()}));
        EXPECT_GE(incremental.files, 1);
        EXPECT_EQ(cold.files, incremental.files);
        EXPECT_EQ(cold.rendered, cold.files);
        // The copy built again holds what the cold build wrote, file for file.
        expect_same_files(files_of_build(cold_dir), files_of_build(out));
        fs::remove_all(cold_dir);
        return incremental;
    };

    const auto first = rebuild();
    ASSERT_GT(first.files, 20);
    EXPECT_EQ(first.rendered, first.files);
    {
        SCOPED_TRACE("nothing changed");
        const auto same = rebuild();
        EXPECT_EQ(same.rendered, 0);
        EXPECT_EQ(same.unchanged, first.files);
    }
    std::string edit;
    {
        SCOPED_TRACE("a new post");
        edit = save_post("/admin/blogs/1/posts", "Un billet nouveau", "Tout frais.");
        const auto added = rebuild();
        // The sidebar's recent posts and counts change on every page; the pages that do not
        // show the post get the new sidebar without a render.
        EXPECT_GT(added.written, 0);
        EXPECT_GT(added.spliced, 0);
        EXPECT_LT(added.rendered, added.files);
        EXPECT_GT(added.files, first.files);
    }
    {
        SCOPED_TRACE("an edited post");
        save_post(edit, "Un billet nouveau", "Tout frais, et corrigé.");
        const auto edited = rebuild();
        EXPECT_GT(edited.written, 0);
        EXPECT_LT(edited.rendered, edited.files / 2);
    }
    {
        SCOPED_TRACE("a comment held for moderation");
        const auto home = http_get(server.port(), "/");
        std::smatch link;
        ASSERT_TRUE(std::regex_search(
            home.body, link,
            std::regex(R"re(<a href="(/archive/[^"]+)" rel="bookmark">Un billet nouveau</a>)re")))
            << home.body;
        const auto page = http_get(server.port(), link[1].str());
        std::smatch form;
        ASSERT_TRUE(std::regex_search(
            page.body, form,
            std::regex(
                R"re(<form id="comment-form"[^>]*action="([^"]+)"[\s\S]*?name="stamp" value="([^"]+)")re")));
        const auto sent = http_get(server.port(), form[1].str(),
                                   {{"Content-Type", "application/x-www-form-urlencoded"}}, "POST",
                                   form_encode({{"name", "Lectrice"},
                                                {"body", "Un avis pesé"},
                                                {"stamp", form[2].str()},
                                                {"homepage", ""}}));
        ASSERT_EQ(sent.status, 303) << sent.body;
        const auto held = rebuild();
        // No page shows a held comment: the blog's generation stays (nothing rendered), or
        // only the not-found page is, for the shell.
        EXPECT_LE(held.rendered, 1);
        EXPECT_EQ(held.written, 0);
    }
    {
        SCOPED_TRACE("an approved comment");
        ASSERT_EQ(approve_comment(admin, "Un avis pesé"), "");
        const auto approved = rebuild();
        EXPECT_GT(approved.written, 0);
        EXPECT_LT(approved.rendered, approved.files / 2);
        const auto files = files_of_build(out);
        EXPECT_NE(files.at("comments/atom.xml").find("Un avis pesé"), std::string::npos);
    }
    {
        SCOPED_TRACE("a deleted post");
        auto deleted = admin.post(edit + "/delete", {});
        ASSERT_EQ(deleted.status, 303) << deleted.body;
        const auto removed = rebuild();
        EXPECT_GT(removed.removed, 0);
    }
    {
        SCOPED_TRACE("a changed setting");
        set_settings("Le carnet renommé", "all_held");
        const auto renamed = rebuild();
        EXPECT_EQ(renamed.rendered, renamed.files);
        EXPECT_NE(read_file(out / "index.html").find("Le carnet renommé"), std::string::npos);
    }
    {
        SCOPED_TRACE("a changed theme");
        std::ofstream(themes / "classique" / "style.css", std::ios::app) << "\n/* autre */\n";
        const auto restyled = rebuild();
        EXPECT_EQ(restyled.rendered, restyled.files);
        EXPECT_EQ(restyled.written, 1);
    }
}

TEST(StaticBuildE2e, AfterEachChangeTheCopyIsWhatAColdBuildWrites) {
    TempDir dir;
    check_builds_after_each_change((dir.path() / "blog.db").string(), dir);
}

TEST(StaticBuildE2e, AfterEachChangeTheCopyOfAPostgresBlogIsWhatAColdBuildWrites) {
    std::string failure;
    auto* server = postgres_server(&failure);
    ASSERT_NE(server, nullptr) << failure;
    auto uri = server->create_database();
    ASSERT_TRUE(uri.has_value()) << uri.error();
    TempDir dir;
    check_builds_after_each_change(*uri, dir);
}

TEST(StaticBuildE2e, ABlogWithoutBaseUrlNeedsOneAndNothingIsWritten) {
    TempDir dir;
    const auto db = dir.path() / "blog.db";
    ASSERT_EQ(run_carnet({"init", "--db", db.string()}).exit_code, 0);
    auto built =
        run_carnet({"build", "--db", db.string(), "--out", (dir.path() / "site").string()});
    EXPECT_EQ(built.exit_code, 1);
    EXPECT_NE(built.err.find("--base-url"), std::string::npos) << built.err;
    EXPECT_FALSE(fs::exists(dir.path() / "site"));
}

}  // namespace
}  // namespace carnet::testing
