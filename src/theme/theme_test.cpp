#include "theme/theme.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "theme/test_support.hpp"

namespace carnet::theme {
namespace {

using namespace test_support;
using ::testing::HasSubstr;
using ::testing::Not;

PageContext context_for(std::string path);

class ThemeTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto loaded = Theme::load(CARNET_THEMES_DIR, "classique");
        ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
        theme_ = loaded->release();
    }
    static void TearDownTestSuite() {
        delete theme_;
        theme_ = nullptr;
    }

    static std::string listing_of(const model::Blog& blog, std::vector<model::Post> posts) {
        Listing listing;
        listing.posts = std::move(posts);
        return theme_->render_listing(blog, listing, {}, {});
    }

    static std::string listing_of_with_context(const model::Blog& blog, std::string path) {
        Listing listing;
        listing.posts = {misrata_post()};
        return theme_->render_listing(blog, listing, {}, context_for(std::move(path)));
    }

    static std::vector<std::string> day_headers(const std::string& html) {
        std::vector<std::string> texts;
        for (const auto& header : elements(html, "<h2 class=\"day-header\">", "</h2>")) {
            texts.push_back(html_to_text(header));
        }
        return texts;
    }

    static std::vector<std::string> footer_lines(const std::string& html) {
        std::vector<std::string> texts;
        for (const auto& footer : elements(html, "<footer class=\"post-footer\">", "</footer>")) {
            texts.emplace_back(trim(html_to_text(footer)));
        }
        return texts;
    }

    static std::string main_text(const std::string& html) {
        auto main = elements(html, "<main", "</main>");
        return main.empty() ? std::string() : html_to_text(main.front());
    }

    static const Theme* theme_;
};

const Theme* ThemeTest::theme_ = nullptr;

// The fixture's footer line without the old service's image-only share links.
std::string fixture_footer_line() {
    std::ifstream in(std::string(CARNET_FIXTURES_DIR) + "/hautetfort-front-page.txt");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("20:19 Publié dans")) return line.substr(0, line.find(" | | "));
    }
    return {};
}

TEST_F(ThemeTest, DayHeaderAndTime_FrenchInParis) {
    const auto html = listing_of(french_blog(), {misrata_post()});
    EXPECT_EQ(day_headers(html), std::vector<std::string>{"04/10/2017"});
    EXPECT_THAT(
        html,
        HasSubstr("<time class=\"dt-published\" datetime=\"2017-10-04T18:19:00Z\">20:19</time>"));
    EXPECT_THAT(html, HasSubstr("<time datetime=\"2017-10-04\">04/10/2017</time>"));
}

TEST_F(ThemeTest, DayHeaderAndTime_EnglishUseTheLocalesOwnOrderAndClock) {
    const auto html = listing_of(english_blog(), {misrata_post()});
    EXPECT_EQ(day_headers(html), std::vector<std::string>{"10/04/2017"});
    const auto footers = footer_lines(html);
    ASSERT_EQ(footers.size(), 1u);
    EXPECT_TRUE(plain_spaces(footers[0]).starts_with("8:19 PM Posted in Etat Islamique, "))
        << footers[0];
}

TEST_F(ThemeTest, DayHeaderAndTime_FollowTheEndOfSummerTime) {
    // 2017-10-29: Paris goes from UTC+2 to UTC+1 at 01:00Z.
    const auto after = simple_post(2, "Après", utc(2017, 10, 29, 2, 30));
    const auto before = simple_post(1, "Avant", utc(2017, 10, 29, 0, 30));
    const auto html = listing_of(french_blog(), {after, before});
    EXPECT_EQ(day_headers(html), std::vector<std::string>{"29/10/2017"});
    const auto footers = footer_lines(html);
    ASSERT_EQ(footers.size(), 2u);
    EXPECT_TRUE(footers[0].starts_with("03:30 | ")) << footers[0];
    EXPECT_TRUE(footers[1].starts_with("02:30 | ")) << footers[1];
}

TEST_F(ThemeTest, DayHeaderAndTime_EnglishAcrossTheEndOfSummerTime) {
    const auto after = simple_post(2, "After", utc(2017, 10, 29, 2, 30));
    const auto before = simple_post(1, "Before", utc(2017, 10, 29, 0, 30));
    const auto html = listing_of(english_blog(), {after, before});
    EXPECT_EQ(day_headers(html), std::vector<std::string>{"10/29/2017"});
    const auto footers = footer_lines(html);
    ASSERT_EQ(footers.size(), 2u);
    EXPECT_TRUE(plain_spaces(footers[0]).starts_with("3:30 AM | ")) << footers[0];
    EXPECT_TRUE(plain_spaces(footers[1]).starts_with("2:30 AM | ")) << footers[1];
}

TEST_F(ThemeTest, DayHeader_LateEveningUtcPostsFallOnTheNextLocalDay) {
    const auto summer_midnight = simple_post(3, "Minuit passé", utc(2017, 10, 4, 22, 30));
    const auto summer_evening = simple_post(2, "Soirée", utc(2017, 10, 4, 21, 30));
    const auto new_year = simple_post(1, "Nouvel an", utc(2017, 12, 31, 23, 15));
    auto html = listing_of(french_blog(), {summer_midnight, summer_evening});
    EXPECT_EQ(day_headers(html), (std::vector<std::string>{"05/10/2017", "04/10/2017"}));
    auto footers = footer_lines(html);
    ASSERT_EQ(footers.size(), 2u);
    EXPECT_TRUE(footers[0].starts_with("00:30 | ")) << footers[0];
    EXPECT_TRUE(footers[1].starts_with("23:30 | ")) << footers[1];
    EXPECT_THAT(html, HasSubstr("href=\"/archive/2017/10/05/minuit-passe.html\""));

    html = listing_of(french_blog(), {new_year});
    EXPECT_EQ(day_headers(html), std::vector<std::string>{"01/01/2018"});
    EXPECT_TRUE(footer_lines(html).at(0).starts_with("00:15 | "));
}

TEST_F(ThemeTest, DayHeader_ShownOnceForPostsOfTheSameDay) {
    const auto evening = misrata_post();
    const auto morning = simple_post(7, "Le matin", utc(2017, 10, 4, 6, 0));
    const auto earlier =
        simple_post(6, "Syrie : Daech s'empare d'Al-Qaryatayn", utc(2017, 10, 1, 17, 8));
    const auto html = listing_of(french_blog(), {evening, morning, earlier});
    EXPECT_EQ(day_headers(html), (std::vector<std::string>{"04/10/2017", "01/10/2017"}));
    EXPECT_EQ(count(html, "04/10/2017"), 1u);
    EXPECT_EQ(count(html, "<article class=\"post h-entry\""), 3u);
    // Both posts of the 4th sit in the section that the 4th's header opens.
    const auto sections = elements(html, "<section class=\"day\">", "</section>");
    ASSERT_EQ(sections.size(), 2u);
    EXPECT_EQ(count(sections[0], "<article"), 2u);
    EXPECT_EQ(count(sections[1], "<article"), 1u);
}

TEST_F(ThemeTest, FooterLine_ReadsLikeTheOldServiceWithFourCategories) {
    const auto expected_start = fixture_footer_line();
    ASSERT_EQ(expected_start,
              "20:19 Publié dans Etat Islamique, Libye, Misrata, Syrte | Lien permanent | "
              "Commentaires (0)");
    const auto html = listing_of(french_blog(), {misrata_post()});
    const auto footers = footer_lines(html);
    ASSERT_EQ(footers.size(), 1u);
    EXPECT_EQ(footers[0], expected_start + " | Facebook | X | E-mail");
}

TEST_F(ThemeTest, FooterLine_WithoutCategoriesOmitsPublishedIn) {
    auto post = simple_post(9, "Sans catégorie", utc(2017, 10, 3, 22, 0));
    post.comment_count = 3;
    const auto footers = footer_lines(listing_of(french_blog(), {post}));
    ASSERT_EQ(footers.size(), 1u);
    EXPECT_EQ(footers[0], "00:00 | Lien permanent | Commentaires (3) | Facebook | X | E-mail");
}

TEST_F(ThemeTest, FooterLine_EnglishWithCategories) {
    auto post = misrata_post();
    post.comment_count = 2;
    const auto footers = footer_lines(listing_of(english_blog(), {post}));
    ASSERT_EQ(footers.size(), 1u);
    EXPECT_EQ(plain_spaces(footers[0]),
              "8:19 PM Posted in Etat Islamique, Libye, Misrata, Syrte | Permalink | "
              "Comments (2) | Facebook | X | E-mail");
}

TEST_F(ThemeTest, FooterLine_LinksCategoriesPermalinkCommentsAndShares) {
    const auto html = listing_of(french_blog(), {misrata_post()});
    const auto footer = elements(html, "<footer class=\"post-footer\">", "</footer>").at(0);
    const std::string permalink =
        "/archive/2017/10/04/l-etat-islamique-attaque-le-tribunal-de-misrata.html";
    EXPECT_THAT(footer, HasSubstr("<a href=\"/list/etat-islamique/\" rel=\"tag\">Etat "
                                  "Islamique</a>, <a href=\"/list/libye/\" rel=\"tag\">Libye</a>"));
    EXPECT_THAT(footer, HasSubstr("<a href=\"/list/syrte/\" rel=\"tag\">Syrte</a>"));
    EXPECT_THAT(footer, HasSubstr("<a href=\"" + permalink +
                                  "\" rel=\"bookmark\">Lien "
                                  "permanent</a>"));
    EXPECT_THAT(footer, HasSubstr("<a href=\"" + permalink + "#comments\">Commentaires (0)</a>"));

    const std::string url =
        "https%3A%2F%2Fcarnet.example%2Farchive%2F2017%2F10%2F04%2Fl-etat-"
        "islamique-attaque-le-tribunal-de-misrata.html";
    const std::string title = "L%27Etat%20islamique%20attaque%20le%20tribunal%20de%20Misrata";
    EXPECT_THAT(footer,
                HasSubstr("href=\"https://www.facebook.com/sharer/sharer.php?u=" + url + "\""));
    EXPECT_THAT(footer, HasSubstr("href=\"https://twitter.com/intent/tweet?url=" + url +
                                  "&amp;text=" + title + "\""));
    EXPECT_THAT(footer, HasSubstr("href=\"mailto:?subject=" + title + "&amp;body=" + url + "\""));
    EXPECT_THAT(footer, HasSubstr("aria-label=\"Partager sur Facebook\""));
}

TEST_F(ThemeTest, FooterLine_ShareLinksUseThePathWhenTheBlogHasNoHost) {
    auto blog = french_blog();
    blog.hosts.clear();
    const auto html = listing_of(blog, {misrata_post()});
    EXPECT_THAT(html, HasSubstr("sharer.php?u=%2Farchive%2F2017%2F10%2F04%2Fl-etat-islamique-"
                                "attaque-le-tribunal-de-misrata.html\""));
}

TEST_F(ThemeTest, Post_BodyIsInsertedAsHtmlWhileTheTitleIsEscaped) {
    auto post = misrata_post();
    post.title = "<script>alert(1)</script> Tom & Jerry";
    post.html = "<p>Un corps <em>riche</em> &amp; sûr.</p>";
    post.categories = {category(5, "R&D <b>", "r-d-b")};
    for (const auto& html :
         {listing_of(french_blog(), {post}), theme_->render_post(french_blog(), post, {}, {})}) {
        EXPECT_THAT(html, HasSubstr("<p>Un corps <em>riche</em> &amp; sûr.</p>"));
        EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt; Tom &amp; Jerry"));
        EXPECT_THAT(html, HasSubstr(">R&amp;D &lt;b&gt;</a>"));
        // The only script elements are the post page's JSON-LD, which is data, not code, and
        // the theme's own file for click-to-load videos.
        auto others = html;
        for (const std::string allowed :
             {"<script type=\"application/ld+json\">", "<script src=\"/theme/video.js\" defer>"}) {
            if (auto at = others.find(allowed); at != std::string::npos) {
                others.erase(at, allowed.size());
            }
        }
        EXPECT_THAT(others, Not(HasSubstr("<script")));
    }
}

TEST_F(ThemeTest, Layout_IsASemanticDocumentWithOnlyTheThemesOwnScript) {
    const auto html = listing_of(french_blog(), {misrata_post()});
    EXPECT_TRUE(html.starts_with("<!doctype html>\n<html lang=\"fr\">")) << html.substr(0, 40);
    EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
    EXPECT_THAT(html, HasSubstr("<meta name=\"viewport\""));
    EXPECT_THAT(html, HasSubstr("<title>Le carnet de Jean</title>"));
    EXPECT_THAT(html, HasSubstr("<link rel=\"stylesheet\" href=\"/theme/style.css\">"));
    EXPECT_THAT(html, HasSubstr("<a class=\"skip-link\" href=\"#content\">Aller au contenu</a>"));
    EXPECT_THAT(html, HasSubstr("<h1 class=\"site-title\"><a href=\"/\">Le carnet de Jean</a>"));
    EXPECT_THAT(html, HasSubstr("<p class=\"site-subtitle\">Libye, Syrie, Irak</p>"));
    EXPECT_THAT(html, HasSubstr("<main id=\"content\""));
    EXPECT_THAT(html, HasSubstr("<aside class=\"sidebar\""));
    EXPECT_THAT(html, HasSubstr("<footer class=\"site-footer\">"));
    EXPECT_THAT(html, HasSubstr("<h3 class=\"post-title\"><a href=\"/archive/2017/10/04/"));
    // One script, a file of the theme's, deferred: nothing inline, nothing from elsewhere.
    EXPECT_EQ(count(html, "<script"), 1u);
    EXPECT_THAT(html, HasSubstr("<script src=\"/theme/video.js\" defer></script>"));
    EXPECT_THAT(html, Not(HasSubstr(" onclick=")));
    EXPECT_EQ(count(html, "<h1"), 1u);
    EXPECT_THAT(listing_of(english_blog(), {}), HasSubstr("<html lang=\"en\">"));
}

TEST_F(ThemeTest, Listing_WithNoPostsSaysSo) {
    const auto html = listing_of(french_blog(), {});
    EXPECT_THAT(main_text(html), HasSubstr("Aucun article pour l’instant."));
}

TEST_F(ThemeTest, ListingHeading_FrenchArchivesAndCategory) {
    const auto blog = french_blog();
    Listing listing;
    listing.posts = {misrata_post()};

    listing.kind = ListingKind::day;
    listing.year = 2017;
    listing.month = 10;
    listing.day = 4;
    auto html = theme_->render_listing(blog, listing, {}, {});
    EXPECT_THAT(html, HasSubstr("<h2 class=\"listing-heading\">Archives du 4 octobre 2017</h2>"));
    EXPECT_THAT(html, HasSubstr("<title>Archives du 4 octobre 2017 — Le carnet de Jean</title>"));

    listing.kind = ListingKind::month;
    html = theme_->render_listing(blog, listing, {}, {});
    EXPECT_THAT(html, HasSubstr(">Archives : octobre 2017</h2>"));

    listing.kind = ListingKind::year;
    html = theme_->render_listing(blog, listing, {}, {});
    EXPECT_THAT(html, HasSubstr(">Archives : 2017</h2>"));

    listing.kind = ListingKind::category;
    listing.category = category(2, "Libye", "libye");
    html = theme_->render_listing(blog, listing, {}, {});
    EXPECT_THAT(html, HasSubstr(">Catégorie : Libye</h2>"));
    EXPECT_THAT(html, HasSubstr("<title>Catégorie : Libye — Le carnet de Jean</title>"));

    listing.kind = ListingKind::home;
    html = theme_->render_listing(blog, listing, {}, {});
    EXPECT_THAT(html, Not(HasSubstr("listing-heading")));
}

TEST_F(ThemeTest, ListingHeading_EnglishArchivesAndCategory) {
    const auto blog = english_blog();
    Listing listing;
    listing.kind = ListingKind::day;
    listing.year = 2017;
    listing.month = 10;
    listing.day = 4;
    EXPECT_THAT(theme_->render_listing(blog, listing, {}, {}),
                HasSubstr(">Archives for October 4, 2017</h2>"));
    listing.kind = ListingKind::month;
    EXPECT_THAT(theme_->render_listing(blog, listing, {}, {}),
                HasSubstr(">Archives for October 2017</h2>"));
    listing.kind = ListingKind::year;
    EXPECT_THAT(theme_->render_listing(blog, listing, {}, {}),
                HasSubstr(">Archives for 2017</h2>"));
    listing.kind = ListingKind::category;
    listing.category = category(2, "Libya", "libya");
    EXPECT_THAT(theme_->render_listing(blog, listing, {}, {}), HasSubstr(">Category: Libya</h2>"));
}

TEST_F(ThemeTest, Pagination_MiddlePageLinksToNewerAndOlder) {
    Listing listing;
    listing.kind = ListingKind::category;
    listing.category = category(2, "Libye", "libye");
    listing.base_path = "/list/libye/";
    listing.posts = {misrata_post()};
    listing.page = 2;
    listing.page_count = 3;
    const auto html = theme_->render_listing(french_blog(), listing, {}, {});
    EXPECT_THAT(html, HasSubstr("<a href=\"/list/libye/\" rel=\"prev\">Articles plus récents</a>"));
    EXPECT_THAT(
        html, HasSubstr("<a href=\"/list/libye/page/3/\" rel=\"next\">Articles plus anciens</a>"));
    EXPECT_THAT(html, HasSubstr("<title>Catégorie : Libye — Page 2 — Le carnet de Jean</title>"));
}

TEST_F(ThemeTest, Pagination_FirstAndLastPagesLinkOneWay) {
    Listing listing;
    listing.posts = {misrata_post()};
    listing.page = 1;
    listing.page_count = 3;
    auto html = theme_->render_listing(english_blog(), listing, {}, {});
    EXPECT_THAT(html, HasSubstr("<a href=\"/page/2/\" rel=\"next\">Older posts</a>"));
    EXPECT_THAT(html, Not(HasSubstr("rel=\"prev\"")));

    listing.page = 3;
    html = theme_->render_listing(english_blog(), listing, {}, {});
    EXPECT_THAT(html, HasSubstr("<a href=\"/page/2/\" rel=\"prev\">Newer posts</a>"));
    EXPECT_THAT(html, Not(HasSubstr("rel=\"next\"")));
    EXPECT_THAT(html, HasSubstr("<title>Page 3 — Le carnet de Jean</title>"));
}

TEST_F(ThemeTest, Pagination_AbsentWithASinglePage) {
    const auto html = listing_of(french_blog(), {misrata_post()});
    EXPECT_THAT(html, Not(HasSubstr("class=\"pagination\"")));
}

TEST_F(ThemeTest, Microformats_ListingsAreAnHFeedOfEntriesByTheBlogAndPagesAdvertiseWebmention) {
    const auto listing = listing_of(french_blog(), {misrata_post()});
    EXPECT_EQ(count(listing, "<div class=\"h-feed\">"), 1u);
    EXPECT_THAT(listing, HasSubstr("<data class=\"p-name\" value=\"L&#39;Etat islamique attaque le "
                                   "tribunal de Misrata\"></data><data class=\"u-url\" "
                                   "value=\"/archive/2017/10/04/"));
    EXPECT_THAT(listing, HasSubstr("<div class=\"post-body e-content\">"));
    EXPECT_THAT(listing, HasSubstr("<data class=\"p-author h-card\" value=\"Le carnet de Jean\">"
                                   "<data class=\"p-name\" value=\"Le carnet de Jean\"></data>"));
    // The endpoint is named only where a server answers it (not in a static copy).
    EXPECT_THAT(listing, Not(HasSubstr("rel=\"webmention\"")));
    PageContext served = context_for("/archive/2017/10/04/");
    served.webmention = true;
    Listing with_endpoint;
    with_endpoint.posts = {misrata_post()};
    EXPECT_THAT(theme_->render_listing(french_blog(), with_endpoint, {}, served),
                HasSubstr("<link rel=\"webmention\" href=\"/webmention\">"));
    const auto post = theme_->render_post(french_blog(), misrata_post(), {}, served);
    EXPECT_EQ(count(post, "<article class=\"post h-entry\""), 1u);
    EXPECT_THAT(post, HasSubstr("<link rel=\"webmention\" href=\"/webmention\">"));
}

TEST_F(ThemeTest, PostPage_HasTitleDayHeaderFooterAndCommentsSection) {
    auto post = misrata_post();
    post.comment_count = 2;
    const auto html = theme_->render_post(french_blog(), post, {}, {});
    EXPECT_THAT(html, HasSubstr("<title>L&#39;Etat islamique attaque le tribunal de Misrata — "
                                "Le carnet de Jean</title>"));
    EXPECT_THAT(html, HasSubstr("<p class=\"site-title\"><a href=\"/\">"));
    EXPECT_THAT(html, HasSubstr("<h1 class=\"post-title\">"));
    EXPECT_EQ(count(html, "<h1"), 1u);
    EXPECT_THAT(html, HasSubstr("<time datetime=\"2017-10-04\">04/10/2017</time>"));
    EXPECT_THAT(html, HasSubstr("<link rel=\"canonical\" href=\"https://carnet.example/archive/"
                                "2017/10/04/l-etat-islamique-attaque-le-tribunal-de-misrata."
                                "html\">"));
    EXPECT_THAT(html, HasSubstr("<section id=\"comments\""));
    EXPECT_THAT(html, HasSubstr("<h2 id=\"comments-heading\">Commentaires (2)</h2>"));
    // Comments closed and none yet: no form, a plain sentence.
    EXPECT_THAT(html, HasSubstr("Les commentaires sont fermés."));
    EXPECT_THAT(html, Not(HasSubstr("<form id=\"comment-form\"")));
    EXPECT_THAT(footer_lines(html),
                ::testing::ElementsAre("20:19 Publié dans Etat Islamique, Libye, Misrata, Syrte | "
                                       "Lien permanent | Commentaires (2) | Facebook | X | "
                                       "E-mail"));
}

TEST_F(ThemeTest, PostPage_BodyHeadingsComeRightBelowTheH1) {
    // An imported post's subheadings are h3, a Markdown one's "##" h2: on the post's page both
    // follow the h1 title as h2, for the Nu checker and screen readers (no skipped level).
    auto post = misrata_post();
    post.html = "<p>Texte.</p>\n<h3>Les milices</h3>\n<p>Suite.</p>\n<h4>Détail</h4>\n";
    auto html = theme_->render_post(french_blog(), post, {}, {});
    EXPECT_THAT(html, HasSubstr("<h2>Les milices</h2>\n<p>Suite.</p>\n<h3>Détail</h3>"));
    EXPECT_THAT(html, Not(HasSubstr("<h4")));
    post.html = "<h2>Le tribunal</h2><p>Texte.</p>";
    html = theme_->render_post(french_blog(), post, {}, {});
    EXPECT_THAT(html, HasSubstr("<h2>Le tribunal</h2><p>Texte.</p>"));
    // A listing shows the body as it is, under the day's h2 and the post's h3.
    post.html = "<p>Texte.</p>\n<h3>Les milices</h3>\n";
    EXPECT_THAT(listing_of(french_blog(), {post}), HasSubstr("<h3>Les milices</h3>"));
}

TEST_F(ThemeTest, NotFound_FrenchAndEnglishWithLinkHomeAndSidebar) {
    Sidebar sidebar;
    sidebar.categories = {category(2, "Libye", "libye", 12)};
    auto html = theme_->render_not_found(french_blog(), sidebar, {});
    EXPECT_THAT(html, HasSubstr("<title>Page introuvable — Le carnet de Jean</title>"));
    EXPECT_THAT(html, HasSubstr("<h1 class=\"page-heading\">Page introuvable</h1>"));
    EXPECT_THAT(html, HasSubstr("<a href=\"/\">Retour à la page d’accueil</a>"));
    EXPECT_THAT(html, HasSubstr("<a href=\"/list/libye/\">Libye</a>"));
    EXPECT_EQ(count(html, "<h1"), 1u);

    html = theme_->render_not_found(english_blog(), sidebar, {});
    EXPECT_THAT(html, HasSubstr("<h1 class=\"page-heading\">Page not found</h1>"));
    EXPECT_THAT(html, HasSubstr("Back to the home page"));
}

TEST_F(ThemeTest, Sidebar_ListsCategoriesMonthsAndRecentPosts) {
    Sidebar sidebar;
    sidebar.categories = {category(1, "Etat Islamique", "etat-islamique", 1234),
                          category(2, "Libye", "libye", 12)};
    sidebar.months = {{2017, 10, 3}, {2017, 9, 25}};
    sidebar.recent_posts = {misrata_post()};
    const auto html = theme_->render_not_found(french_blog(), sidebar, {});
    const auto aside = elements(html, "<aside", "</aside>").at(0);
    EXPECT_THAT(aside, HasSubstr("<h2 id=\"sidebar-categories\">Catégories</h2>"));
    EXPECT_THAT(aside, HasSubstr("<li><a href=\"/list/libye/\">Libye</a> <span "
                                 "class=\"count\">(12)</span></li>"));
    // Numbers in the blog's locale: French groups thousands with a narrow no-break space.
    EXPECT_THAT(aside, HasSubstr("Etat Islamique</a> <span class=\"count\">(1\u202F234)</span>"));
    EXPECT_THAT(aside, HasSubstr("<h2 id=\"sidebar-archives\">Archives</h2>"));
    EXPECT_THAT(aside, HasSubstr("<a href=\"/archive/2017/10/\">"));
    EXPECT_THAT(html_to_text(aside), HasSubstr("ctobre 2017 (3)"));
    EXPECT_THAT(html_to_text(aside), HasSubstr("eptembre 2017 (25)"));
    EXPECT_THAT(aside, HasSubstr("<h2 id=\"sidebar-recent\">Articles récents</h2>"));
    EXPECT_THAT(aside, HasSubstr("<a href=\"/archive/2017/10/04/l-etat-islamique-attaque-le-"
                                 "tribunal-de-misrata.html\">L&#39;Etat islamique"));

    const auto english = theme_->render_not_found(english_blog(), sidebar, {});
    EXPECT_THAT(english, HasSubstr(">October 2017</a> <span class=\"count\">(3)</span>"));
    EXPECT_THAT(english, HasSubstr("(1,234)"));
}

// After a new post one month of the archives changes: the next sidebar takes the view of every
// other month from the one before, and shows what a sidebar prepared afresh shows.
TEST_F(ThemeTest, Sidebar_PreparedFromThePreviousOneTakesTheUnchangedMonthsAndShowsTheSame) {
    Sidebar before;
    before.categories = {category(2, "Libye", "libye", 12)};
    before.months = {{2017, 10, 3}, {2017, 9, 25}, {2017, 7, 4}, {2016, 12, 1}};
    theme_->prepare_sidebar(french_blog(), before, nullptr);
    ASSERT_EQ(before.prepared_months.size(), 4u);
    // Twice, so that the months' views have kept what they render.
    (void)theme_->render_not_found(french_blog(), before, {});
    (void)theme_->render_not_found(french_blog(), before, {});

    Sidebar after = before;
    after.prepared.reset();
    after.prepared_months.clear();
    // A new month, one count up, one month gone, two alike.
    after.months = {{2017, 11, 1}, {2017, 10, 4}, {2017, 9, 25}, {2016, 12, 1}};
    Sidebar fresh = after;
    theme_->prepare_sidebar(french_blog(), after, &before);
    theme_->prepare_sidebar(french_blog(), fresh, nullptr);
    ASSERT_EQ(after.prepared_months.size(), 4u);
    EXPECT_NE(after.prepared_months[0], nullptr);
    EXPECT_NE(after.prepared_months[1], before.prepared_months[0]);  // 3 posts then, 4 now
    EXPECT_EQ(after.prepared_months[2], before.prepared_months[1]);
    EXPECT_EQ(after.prepared_months[3], before.prepared_months[3]);

    const auto shown = theme_->render_not_found(french_blog(), after, {});
    EXPECT_EQ(shown, theme_->render_not_found(french_blog(), fresh, {}));
    const auto aside = html_to_text(elements(shown, "<aside", "</aside>").at(0));
    EXPECT_THAT(aside, HasSubstr("ovembre 2017 (1)"));
    EXPECT_THAT(aside, HasSubstr("ctobre 2017 (4)"));
    EXPECT_THAT(aside, HasSubstr("eptembre 2017 (25)"));
    EXPECT_THAT(aside, Not(HasSubstr("uillet 2017")));
    // Rendered again from what the views kept: the same page.
    EXPECT_EQ(theme_->render_not_found(french_blog(), after, {}), shown);
}

TEST_F(ThemeTest, Sidebar_EmptySectionsAreLeftOut) {
    const auto html = theme_->render_not_found(french_blog(), {}, {});
    EXPECT_THAT(html, HasSubstr("<aside class=\"sidebar\""));
    EXPECT_THAT(html, Not(HasSubstr("sidebar-categories")));
    EXPECT_THAT(html, Not(HasSubstr("sidebar-archives")));
    EXPECT_THAT(html, Not(HasSubstr("sidebar-recent")));
}

TEST_F(ThemeTest, Text_TranslatesFromTheLocaleFile) {
    EXPECT_EQ(theme_->text("fr", "Permalink"), "Lien permanent");
    EXPECT_EQ(theme_->text("en", "Permalink"), "Permalink");
    EXPECT_EQ(theme_->text("fr", "Posted in"), "Publié dans");
}

TEST_F(ThemeTest, Text_FallsBackToTheLanguageThenToTheMsgid) {
    EXPECT_EQ(theme_->text("fr_CA", "Permalink"), "Lien permanent");
    EXPECT_EQ(theme_->text("fr-BE", "Permalink"), "Lien permanent");
    EXPECT_EQ(theme_->text("de", "Permalink"), "Permalink");
    EXPECT_EQ(theme_->text("", "Permalink"), "Permalink");
    EXPECT_EQ(theme_->text("fr", "No such string"), "No such string");
}

TEST_F(ThemeTest, Locale_WithoutCatalogUsesEnglishWordsAndItsOwnDates) {
    auto blog = french_blog();
    blog.locale = "de";
    const auto html = listing_of(blog, {misrata_post()});
    EXPECT_THAT(html, HasSubstr("<html lang=\"de\">"));
    EXPECT_EQ(day_headers(html), std::vector<std::string>{"04.10.2017"});
    EXPECT_EQ(footer_lines(html).at(0),
              "20:19 Posted in Etat Islamique, Libye, Misrata, Syrte | Permalink | "
              "Comments (0) | Facebook | X | E-mail");
}

TEST_F(ThemeTest, TimeZone_UnknownZoneReadsAsUtc) {
    auto blog = french_blog();
    blog.time_zone = "Mars/Olympus_Mons";
    const auto html = listing_of(blog, {misrata_post()});
    EXPECT_EQ(footer_lines(html).at(0).substr(0, 6), "18:19 ");
}

TEST_F(ThemeTest, Render_FromSeveralThreadsGivesTheSamePages) {
    Sidebar sidebar;
    sidebar.categories = {category(2, "Libye", "libye", 12)};
    sidebar.months = {{2017, 10, 3}};
    const auto french = listing_of(french_blog(), {misrata_post()});
    const auto english = theme_->render_post(english_blog(), misrata_post(), sidebar, {});
    std::vector<std::thread> threads;
    std::vector<int> mismatches(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                if (listing_of(french_blog(), {misrata_post()}) != french) ++mismatches[t];
                if (theme_->render_post(english_blog(), misrata_post(), sidebar, {}) != english) {
                    ++mismatches[t];
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST_F(ThemeTest, Stylesheet_IsTheThemesCss) {
    const auto& css = theme_->stylesheet();
    EXPECT_THAT(css, HasSubstr(":focus-visible"));
    EXPECT_THAT(css, HasSubstr("@media (max-width:"));
}

PageContext context_for(std::string path) {
    return PageContext{.base_url = "https://blog.example.org",
                       .path = std::move(path),
                       .feeds = {{.title = "Blog (Atom)",
                                  .type = "application/atom+xml",
                                  .url = "https://blog.example.org/atom.xml"},
                                 {.title = "Blog (RSS)",
                                  .type = "application/rss+xml",
                                  .url = "https://blog.example.org/rss.xml"}}};
}

// The text between the JSON-LD script's tags, or nothing.
std::optional<std::string> json_ld_of(const std::string& html) {
    const std::string open = "<script type=\"application/ld+json\">";
    const auto start = html.find(open);
    if (start == std::string::npos) return std::nullopt;
    const auto end = html.find("</script>", start);
    if (end == std::string::npos) return std::nullopt;
    return html.substr(start + open.size(), end - start - open.size());
}

TEST_F(ThemeTest, Head_CarriesCanonicalFeedsOpenGraphAndTwitterCard) {
    const auto html = listing_of_with_context(french_blog(), "/list/libye/");
    EXPECT_THAT(
        html, HasSubstr("<link rel=\"canonical\" href=\"https://blog.example.org/list/libye/\">"));
    EXPECT_THAT(html,
                HasSubstr("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Blog "
                          "(Atom)\" href=\"https://blog.example.org/atom.xml\">"));
    EXPECT_THAT(html, HasSubstr("<link rel=\"alternate\" type=\"application/rss+xml\""));
    EXPECT_THAT(
        html,
        HasSubstr("<meta property=\"og:url\" content=\"https://blog.example.org/list/libye/\">"));
    EXPECT_THAT(html, HasSubstr("<meta property=\"og:type\" content=\"website\">"));
    EXPECT_THAT(html, HasSubstr("<meta property=\"og:site_name\" content=\"Le carnet de Jean\">"));
    EXPECT_THAT(html, HasSubstr("<meta property=\"og:locale\" content=\"fr_FR\">"));
    EXPECT_THAT(html, HasSubstr("<meta name=\"twitter:card\" content=\"summary\">"));
    // Share links are absolute, from the base URL.
    EXPECT_THAT(html, HasSubstr("sharer.php?u=https%3A%2F%2Fblog.example.org%2Farchive%2F"));
}

TEST_F(ThemeTest, Post_JsonLdDescribesTheBlogPostingAndCannotBeBrokenOutOf) {
    auto post = misrata_post();
    post.title = "</script><script>alert(1)</script> & <!-- \"quoted\" الدولة";
    post.categories = {category(5, "Libye", "libye"), category(6, "</script>", "script")};
    const auto html = theme_->render_post(french_blog(), post, {}, context_for("/x"));
    EXPECT_THAT(html, HasSubstr("<meta property=\"og:type\" content=\"article\">"));
    const auto json_ld = json_ld_of(html);
    ASSERT_TRUE(json_ld.has_value()) << html;
    EXPECT_EQ(json_ld->find('<'), std::string::npos) << *json_ld;
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(*json_ld, ec);
    ASSERT_FALSE(ec) << *json_ld;
    const auto& posting = parsed.as_object();
    EXPECT_EQ(posting.at("@type").as_string(), "BlogPosting");
    EXPECT_EQ(posting.at("headline").as_string(), post.title);
    EXPECT_EQ(posting.at("datePublished").as_string(), "2017-10-04T20:19:00+02:00");
    const std::string url =
        "https://blog.example.org/archive/2017/10/04/"
        "l-etat-islamique-attaque-le-tribunal-de-misrata.html";
    EXPECT_EQ(posting.at("url").as_string(), url);
    EXPECT_EQ(posting.at("mainEntityOfPage").at("@id").as_string(), url);
    EXPECT_EQ(posting.at("publisher").at("name").as_string(), "Le carnet de Jean");
    EXPECT_EQ(posting.at("articleSection").as_array().at(1).as_string(), "</script>");
    // The post page's canonical link is its permalink, whatever path the site gave.
    EXPECT_THAT(html, HasSubstr("<link rel=\"canonical\" href=\"" + url + "\">"));
}

TEST_F(ThemeTest, Search_SaysWhenMorePostsMatchThanItLists) {
    SearchPage search;
    search.query = "syrie";
    search.hits.push_back({misrata_post(), "la Syrie", {{3, 8}}});
    search.total = 1000;
    search.more = true;
    search.page_count = 100;
    EXPECT_THAT(theme_->render_search(english_blog(), search, {}, context_for("/search")),
                HasSubstr("More than 1,000 posts found: the newest 1,000 are listed."));
    EXPECT_THAT(theme_->render_search(french_blog(), search, {}, context_for("/search")),
                HasSubstr("Plus de 1"));
    search.more = false;
    EXPECT_THAT(theme_->render_search(english_blog(), search, {}, context_for("/search")),
                HasSubstr("Posts found: 1,000"));
}

TEST_F(ThemeTest, Search_PassageIsEscapedWithItsMatchesMarked) {
    SearchPage search;
    search.query = "misrata";
    // What the store gives for a post that quotes code: plain text and where the matches are.
    const std::string passage = "Le code <script>alert('x')</script> visait Misrata & Syrte.";
    const auto misrata = passage.find("Misrata");
    search.hits.push_back({misrata_post(), passage, {{misrata, misrata + 7}}});
    search.total = 1;
    const auto html = theme_->render_search(english_blog(), search, {}, context_for("/search"));
    EXPECT_THAT(html, HasSubstr("<p class=\"search-passage\">Le code "
                                "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; visait "
                                "<mark>Misrata</mark> &amp; Syrte.</p>"));
    EXPECT_THAT(html, Not(HasSubstr("<script>alert")));
}

TEST_F(ThemeTest, Search_EchoesAHostileQueryEscapedAndKeepsItInPageLinks) {
    SearchPage search;
    search.query = "\"><script>alert(1)</script> & é";
    auto post = misrata_post();
    search.hits.push_back({post, "attaque le tribunal", {{11, 19}}});
    search.total = 25;
    search.page = 2;
    search.page_count = 3;
    const auto html = theme_->render_search(english_blog(), search, {}, context_for("/search"));
    EXPECT_THAT(html, Not(HasSubstr("<script>alert")));
    EXPECT_THAT(html,
                HasSubstr("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; é\""));
    EXPECT_THAT(html, HasSubstr("Posts found: 25"));
    EXPECT_THAT(html, HasSubstr("attaque le <mark>tribunal</mark>"));
    EXPECT_THAT(
        html,
        HasSubstr(
            "href=\"/archive/2017/10/04/l-etat-islamique-attaque-le-tribunal-de-misrata.html\""));
    const std::string encoded = "%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%20%26%20%C3%A9";
    EXPECT_THAT(html, HasSubstr("href=\"/search?q=" + encoded + "\" rel=\"prev\""));
    EXPECT_THAT(html, HasSubstr("href=\"/search?q=" + encoded + "&amp;page=3\" rel=\"next\""));
    EXPECT_THAT(html, HasSubstr("<label for=\"search-q\">Words to search for</label>"));
}

TEST_F(ThemeTest, Search_WithoutAQueryShowsTheFormAlone) {
    const auto html =
        theme_->render_search(french_blog(), SearchPage{}, {}, context_for("/search"));
    EXPECT_THAT(
        html,
        HasSubstr(
            "<form class=\"search-form\" role=\"search\" method=\"get\" action=\"/search\">"));
    EXPECT_THAT(html, HasSubstr("Mots à rechercher"));
    EXPECT_THAT(html, Not(HasSubstr("search-summary")));
}

TEST_F(ThemeTest, Comments_NestRepliesEscapeNamesAndKeepTheFormValues) {
    auto post = misrata_post();
    auto comment = [&](std::int64_t id, std::string author, std::string html) {
        return model::Comment{.id = id,
                              .post_id = post.id,
                              .author_name = std::move(author),
                              .html = std::move(html),
                              .status = model::CommentStatus::approved,
                              .created_at = post.published_at + std::chrono::hours(1)};
    };
    CommentsSection section;
    section.open = true;
    section.stamp = "stamp-value";
    CommentNode first{comment(1, "<b>Alice</b>", "<p>Premier</p>"), {}};
    first.comment.author_url = "https://alice.example/";
    CommentNode reply{comment(2, "Bob", "<p>Réponse</p>"), {}};
    reply.replies.push_back({comment(3, "Carol", "<p>Réponse à la réponse</p>"), {}});
    first.replies.push_back(reply);
    section.threads.push_back(first);
    section.threads.push_back({comment(4, "Dan", "<p>Second fil</p>"), {}});
    section.error = "Le texte manque.";
    section.name = "Eve \"quote\"";
    section.body = "</textarea><script>x</script>";
    section.parent_id = 2;
    section.parent_author = "Bob";
    const auto html = theme_->render_post(french_blog(), post, {}, {}, section);

    // Reply 3 sits inside 2, which sits inside 1; 4 is a thread of its own.
    const auto at = [&](std::string_view text) { return html.find(text); };
    ASSERT_NE(at("id=\"comment-3\""), std::string::npos);
    const auto article_1 = at("id=\"comment-1\"");
    const auto article_2 = at("id=\"comment-2\"");
    const auto article_3 = at("id=\"comment-3\"");
    const auto article_4 = at("id=\"comment-4\"");
    EXPECT_LT(article_1, article_2);
    EXPECT_LT(article_2, article_3);
    EXPECT_LT(article_3, article_4);
    // Between 3 and 4, the three open comments (3, 2, 1) are closed.
    EXPECT_EQ(count(html.substr(article_3, article_4 - article_3), "</article>"), 3u);
    EXPECT_EQ(count(html, "<article class=\"comment h-cite\""), count(html, "</div></article>"));
    EXPECT_THAT(html, HasSubstr("&lt;b&gt;Alice&lt;/b&gt;"));
    EXPECT_THAT(html, HasSubstr("href=\"https://alice.example/\" rel=\"nofollow ugc noopener\""));
    EXPECT_THAT(
        html, HasSubstr("<div class=\"comment-body e-content\"><p>Réponse à la réponse</p></div>"));
    EXPECT_THAT(html, HasSubstr("<form id=\"comment-form\""));
    EXPECT_THAT(html, HasSubstr("name=\"stamp\" value=\"stamp-value\""));
    EXPECT_THAT(html, HasSubstr("name=\"parent\" value=\"2\""));
    EXPECT_THAT(html, HasSubstr("Le texte manque."));
    EXPECT_THAT(html, HasSubstr("value=\"Eve &quot;quote&quot;\""));
    EXPECT_THAT(html, HasSubstr("&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;</textarea>"));
    EXPECT_THAT(html, HasSubstr("?reply=1#comment-form"));
}

TEST_F(ThemeTest, Comments_AFediverseReplyShowsItsHandleAndThePostItsSharesAndLikes) {
    auto post = misrata_post();
    CommentsSection section;
    section.threads.push_back({model::Comment{.id = 1,
                                              .post_id = post.id,
                                              .author_name = "Ana Lima",
                                              .author_url = "https://a.example/@ana",
                                              .author_handle = "ana@a.example",
                                              .html = "<p>Bien vu</p>",
                                              .status = model::CommentStatus::approved,
                                              .created_at = post.published_at},
                               {}});
    section.shares = 3;
    section.likes = 12;
    auto html = theme_->render_post(french_blog(), post, {}, {}, section);
    EXPECT_THAT(
        html,
        HasSubstr("Ana Lima</a></span> <span class=\"comment-handle\">@ana@a.example</span>"));
    EXPECT_THAT(html, HasSubstr("<p class=\"post-reactions\">3 partages, 12 j&#39;aime</p>"));
    section.shares = 1;
    section.likes = 0;
    html = theme_->render_post(french_blog(), post, {}, {}, section);
    EXPECT_THAT(html, HasSubstr("<p class=\"post-reactions\">1 partage</p>"));
    auto english = french_blog();
    english.locale = "en";
    section.likes = 1;
    section.shares = 2;
    html = theme_->render_post(english, post, {}, {}, section);
    EXPECT_THAT(html, HasSubstr("<p class=\"post-reactions\">2 shares, 1 like</p>"));
    section.likes = 0;
    section.shares = 0;
    html = theme_->render_post(french_blog(), post, {}, {}, section);
    EXPECT_THAT(html, Not(HasSubstr("post-reactions")));
}

}  // namespace
}  // namespace carnet::theme
