// End-to-end: feeds, discovery, sitemap and search through the real server, and the feeds
// read by two feed parsers from npm (tests/feeds/check_feeds.mjs), as a reader's feed
// reader would.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <regex>

#include "support.hpp"

namespace carnet::testing {
namespace {

const std::filesystem::path k_source_dir = CARNET_SOURCE_DIR;

struct WrittenPost {
    std::string day;   // dd/mm/yyyy, as the page text has it
    std::string time;  // HH:MM, Europe/Paris
    std::string title;
    std::vector<std::string> categories;
    std::string utc;  // the same instant in UTC, RFC 3339
};

// Titles with markup characters, quotes and non-Latin scripts; one post in summer time.
const std::vector<WrittenPost> k_posts{
    {"06/12/2017",
     "18:30",
     "Tom & Jerry <b> \"R&D\" à l'œuvre",
     {"R&D <x>", "Libye"},
     "2017-12-06T17:30:00Z"},
    {"05/12/2017", "09:05", "الدولة الإسلامية في ليبيا", {"Libye"}, "2017-12-05T08:05:00Z"},
    {"04/12/2017", "23:45", "Привет, мир", {"Notes"}, "2017-12-04T22:45:00Z"},
    {"04/10/2017",
     "20:19",
     "L'Etat islamique attaque le tribunal de Misrata",
     {"Libye", "Misrata"},
     "2017-10-04T18:19:00Z"},
};

std::string page_text() {
    std::string text;
    for (const auto& post : k_posts) {
        std::string categories;
        for (const auto& category : post.categories) {
            categories += (categories.empty() ? "" : ", ") + category;
        }
        text += post.day + "\n\n" + post.title + "\n\nUn paragraphe sur " + post.title + ".\n\n" +
                post.time + " Publié dans " + categories +
                " | Lien permanent | Commentaires (0) | | | | |\n\n";
    }
    return text;
}

std::string escape_html(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

// The path a page links a post's title to, found by its (escaped) title.
std::string permalink_on(const std::string& html, const std::string& title) {
    const std::string tail = "\" rel=\"bookmark\">" + escape_html(title) + "</a>";
    const auto end = html.find(tail);
    if (end == std::string::npos) return {};
    const auto start = html.rfind("href=\"", end);
    return start == std::string::npos ? std::string() : html.substr(start + 6, end - start - 6);
}

class FeedsServer : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        db_ = dir_.path() / "blog.db";
        auto init = run_carnet({"init", "--db", db_.string(), "--title", "Carnet & <Co> \"test\"",
                                "--locale", GetParam()});
        ASSERT_EQ(init.exit_code, 0) << init.err;
        const auto page = dir_.path() / "page.txt";
        std::ofstream(page) << page_text();
        auto imported = run_carnet({"import", "page-text", "--db", db_.string(), page.string()});
        ASSERT_EQ(imported.exit_code, 0) << imported.err << imported.out;
        server_ = std::make_unique<ServerProcess>(db_);
        ASSERT_NE(server_->port(), 0) << server_->log();
    }

    std::string origin() const { return "http://127.0.0.1:" + std::to_string(port()); }
    std::uint16_t port() const { return server_->port(); }
    std::map<std::string, std::string> host() const {
        return {{"Host", "127.0.0.1:" + std::to_string(port())}};
    }

    TempDir dir_;
    std::filesystem::path db_;
    std::unique_ptr<ServerProcess> server_;
};

TEST_P(FeedsServer, FeedParsersReadEveryFeedAsTheWriterWroteIt) {
    const auto home = http_get(port(), "/", host());
    ASSERT_EQ(home.status, 200);

    // What the test put in, per feed: the blog's, then one per category.
    std::map<std::string, boost::json::array> items_by_path;
    for (const auto& post : k_posts) {
        const auto path = permalink_on(home.body, post.title);
        ASSERT_FALSE(path.empty()) << post.title;
        boost::json::array categories;
        for (const auto& category : post.categories) categories.emplace_back(category);
        const boost::json::object item{{"title", post.title},
                                       {"link", origin() + path},
                                       {"date", post.utc},
                                       {"categories", categories}};
        items_by_path["/"].push_back(item);
        for (const auto& category : post.categories) {
            // The category pages the post's footer links to.
            const std::regex link("<a href=\"(/list/[^\"]+/)\" rel=\"tag\">" +
                                  std::regex_replace(escape_html(category),
                                                     std::regex(R"([.^$|()\[\]{}*+?\\])"),
                                                     R"(\$&)") +
                                  "</a>");
            std::smatch match;
            ASSERT_TRUE(std::regex_search(home.body, match, link)) << category;
            items_by_path[match[1].str()].push_back(item);
        }
    }
    EXPECT_EQ(items_by_path.size(), 5u);  // the blog, Libye, Misrata, Notes, R&D <x>
    boost::json::array feeds;
    for (auto& [path, items] : items_by_path) {
        feeds.push_back(boost::json::object{{"path", path}, {"items", std::move(items)}});
    }
    const auto expected = dir_.path() / "expected.json";
    std::ofstream(expected) << boost::json::serialize(boost::json::object{{"feeds", feeds}});

    const auto checked =
        run_command({"node", (k_source_dir / "tests/feeds/check_feeds.mjs").string(),
                     std::to_string(port()), expected.string()});
    EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
    EXPECT_NE(checked.out.find(" passed, 0 failed"), std::string::npos) << checked.out;
}

TEST_P(FeedsServer, PagesAnnounceTheirFeedsAndCanonicalAddress) {
    const auto home = http_get(port(), "/", host());
    ASSERT_EQ(home.status, 200);
    for (const auto* feed : {"atom.xml", "rss.xml", "feed.json"}) {
        EXPECT_NE(home.body.find("href=\"" + origin() + "/" + feed + "\">"), std::string::npos)
            << feed;
    }
    EXPECT_NE(home.body.find("<link rel=\"canonical\" href=\"" + origin() + "/\">"),
              std::string::npos);
    EXPECT_NE(home.body.find("<meta property=\"og:site_name\""), std::string::npos);
    const auto category = http_get(port(), "/list/libye/", host());
    EXPECT_NE(category.body.find("href=\"" + origin() + "/list/libye/atom.xml\">"),
              std::string::npos);

    const auto post_path = permalink_on(home.body, k_posts[0].title);
    const auto post = http_get(port(), post_path, host());
    ASSERT_EQ(post.status, 200);
    EXPECT_NE(post.body.find("<script type=\"application/ld+json\">"), std::string::npos);
    EXPECT_NE(post.body.find("\"headline\":\"Tom \\u0026 Jerry \\u003cb\\u003e"),
              std::string::npos);
}

TEST_P(FeedsServer, FeedsSitemapAndRobotsAnswerWithTheirTypes) {
    auto atom = http_get(port(), "/atom.xml", host());
    EXPECT_EQ(atom.status, 200);
    EXPECT_EQ(atom.headers["content-type"], "application/atom+xml; charset=utf-8");
    EXPECT_FALSE(atom.headers["etag"].empty());
    EXPECT_FALSE(atom.headers["last-modified"].empty());
    const auto again =
        http_get(port(), "/atom.xml",
                 {{"Host", host().at("Host")}, {"If-None-Match", atom.headers["etag"]}});
    EXPECT_EQ(again.status, 304);
    EXPECT_EQ(http_get(port(), "/feed.json", host()).headers["content-type"],
              "application/feed+json; charset=utf-8");
    auto old = http_get(port(), "/index.rss", host());
    EXPECT_EQ(old.status, 301);
    EXPECT_EQ(old.headers["location"], "/rss.xml");

    const auto sitemap = http_get(port(), "/sitemap.xml", host());
    EXPECT_EQ(sitemap.status, 200);
    EXPECT_NE(sitemap.body.find("<loc>" + origin() + "/archive/2017/12/</loc>"), std::string::npos);
    const auto robots = http_get(port(), "/robots.txt", host());
    EXPECT_NE(robots.body.find("Sitemap: " + origin() + "/sitemap.xml"), std::string::npos);
}

TEST_P(FeedsServer, SearchFindsPostsAndSurvivesHostileQueries) {
    const auto found = http_get(port(), "/search?q=tribunal", host());
    EXPECT_EQ(found.status, 200);
    EXPECT_NE(found.body.find("Misrata"), std::string::npos);
    EXPECT_NE(found.body.find("<mark>"), std::string::npos) << found.body;
    for (const auto* query : {"%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%22", "*", "NEAR(",
                              "%FF", "a%20AND%20OR%20NOT"}) {
        const auto page = http_get(port(), std::string("/search?q=") + query, host());
        EXPECT_EQ(page.status, 200) << query;
        EXPECT_EQ(page.body.find("<script>alert"), std::string::npos) << query;
    }
}

INSTANTIATE_TEST_SUITE_P(Locales, FeedsServer, ::testing::Values("fr", "en"));

}  // namespace
}  // namespace carnet::testing
