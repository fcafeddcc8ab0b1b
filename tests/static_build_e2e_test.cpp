// End-to-end: `carnet build` writes the blog as static files, and each file holds what
// `carnet serve` answers over HTTP for its URL, but the comment form of post pages.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "support.hpp"

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
    const std::regex summary(R"(^(\d+) written, 0 unchanged, 0 removed: (\d+) files in .*\n$)");
    std::smatch counts;
    ASSERT_TRUE(std::regex_match(built.out, counts, summary)) << built.out;
    EXPECT_EQ(counts[1].str(), counts[2].str());

    ServerProcess server(db);
    ASSERT_NE(server.port(), 0) << server.log();
    int files = 0;
    int post_pages = 0;
    for (const auto& entry : fs::recursive_directory_iterator(out)) {
        if (!entry.is_regular_file() || entry.path().filename() == ".carnet-build") continue;
        ++files;
        const auto url = url_of(fs::relative(entry.path(), out));
        SCOPED_TRACE(url);
        const auto file = read_file(entry.path());
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
    EXPECT_EQ(std::to_string(files), counts[2].str());
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
    EXPECT_EQ(again.out, "0 written, " + counts[2].str() + " unchanged, 0 removed: " +
                             counts[2].str() + " files in " + out.string() + "\n");
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
