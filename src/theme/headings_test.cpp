#include "theme/headings.hpp"

#include <gtest/gtest.h>

namespace carnet::theme {
namespace {

TEST(HeadingsFrom, MovesImportedSubheadingsBelowAPostPageTitle) {
    EXPECT_EQ(headings_from("<p>Texte.</p>\n<h3>Des rafales</h3>\n<p>Suite.</p>", 2),
              "<p>Texte.</p>\n<h2>Des rafales</h2>\n<p>Suite.</p>");
}

TEST(HeadingsFrom, MovesMarkdownSectionsBelowAListingTitle) {
    EXPECT_EQ(headings_from("<h2 id=\"a\">Le tribunal</h2><h3>Détail</h3><h2>Suite</h2>", 4),
              "<h4 id=\"a\">Le tribunal</h4><h5>Détail</h5><h4>Suite</h4>");
}

TEST(HeadingsFrom, KeepsTheDistancesAndStopsAtH6) {
    EXPECT_EQ(headings_from("<h1>Un</h1><h2>Deux</h2><h4>Quatre</h4><h6>Six</h6>", 4),
              "<h4>Un</h4><h5>Deux</h5><h6>Quatre</h6><h6>Six</h6>");
    EXPECT_EQ(headings_from("<H3>Haut</H3><h4>Bas</h4>", 2), "<H2>Haut</H2><h3>Bas</h3>");
}

TEST(HeadingsFrom, LeavesBodiesWithoutHeadingsAlone) {
    EXPECT_EQ(headings_from("<p>Rien</p><header>x</header><hr><h7>y</h7>", 2),
              "<p>Rien</p><header>x</header><hr><h7>y</h7>");
    EXPECT_EQ(headings_from("", 2), "");
}

TEST(HeadingsFrom, ReadsOnlyTagsAsHeadings) {
    // In text (escaped or a lone "<"), in an attribute value, a comment, a script or a style.
    const std::string html =
        "<p>a &lt;h2&gt; b < h2 c <2</p>"
        "<a title=\"<h2>\" data-x='</h2>'>lien</a>"
        "<!-- <h2>commentaire</h2> -->"
        "<script>let s = \"<h2>\";</script><style>/* <h2> */</style>"
        "<h3>Vrai</h3>";
    EXPECT_EQ(headings_from(html, 2),
              "<p>a &lt;h2&gt; b < h2 c <2</p>"
              "<a title=\"<h2>\" data-x='</h2>'>lien</a>"
              "<!-- <h2>commentaire</h2> -->"
              "<script>let s = \"<h2>\";</script><style>/* <h2> */</style>"
              "<h2>Vrai</h2>");
}

TEST(HeadingsFrom, SurvivesCutMarkup) {
    EXPECT_EQ(headings_from("<h3>Titre</h3><!-- pas fini", 2), "<h2>Titre</h2><!-- pas fini");
    EXPECT_EQ(headings_from("<h3 class=\"x", 2), "<h2 class=\"x");
    EXPECT_EQ(headings_from("<h3>a</h3><script>jamais fermé <h2>", 2),
              "<h2>a</h2><script>jamais fermé <h2>");
}

}  // namespace
}  // namespace carnet::theme
