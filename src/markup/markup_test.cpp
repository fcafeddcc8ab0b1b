#include "markup/markup.hpp"

#include <gtest/gtest.h>

namespace carnet::markup {
namespace {

TEST(EscapeHtml, EscapesEveryCharacterThatCanBreakOutOfTextOrAttributes) {
    EXPECT_EQ(escape_html(R"(<a href="x" title='y'>&</a>)"),
              "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    EXPECT_EQ(escape_html("État, déjà"), "État, déjà");
}

TEST(RenderPostBody, MarkdownBecomesHtml) {
    const auto html = render_post_body(model::SourceFormat::markdown,
                                       "## Misrata\n\nUn *premier* bilan :\n\n- 4 morts\n- "
                                       "21 blessés\n\n[source](https://example.org/a?b=1&c=2)\n");
    EXPECT_NE(html.find("<h2>Misrata</h2>"), std::string::npos) << html;
    EXPECT_NE(html.find("<em>premier</em>"), std::string::npos) << html;
    EXPECT_NE(html.find("<li>21 blessés</li>"), std::string::npos) << html;
    EXPECT_NE(html.find(R"(<a href="https://example.org/a?b=1&amp;c=2">source</a>)"),
              std::string::npos)
        << html;
}

TEST(RenderPostBody, AuthorsMayWriteRawHtmlAndTables) {
    const auto html =
        render_post_body(model::SourceFormat::markdown,
                         "<figure>carte</figure>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
    EXPECT_NE(html.find("<figure>carte</figure>"), std::string::npos) << html;
    EXPECT_NE(html.find("<table>"), std::string::npos) << html;
}

TEST(RenderPostBody, HtmlSourceIsKeptAsWritten) {
    EXPECT_EQ(render_post_body(model::SourceFormat::html, "<p>Déjà <b>là</b></p>"),
              "<p>Déjà <b>là</b></p>");
}

TEST(PlainText, StripsTagsDecodesEntitiesAndFoldsSpace) {
    EXPECT_EQ(plain_text("<h3>Les milices</h3><p>Misrata&nbsp;a perdu &eacute;norm&eacute;ment"
                         " &amp; vite.</p>\n<script>alert(1)</script><p>Fin</p>"),
              "Les milices Misrata a perdu énormément & vite. Fin");
    EXPECT_EQ(plain_text("texte nu"), "texte nu");
    EXPECT_EQ(plain_text(""), "");
}

TEST(Excerpt, CutsAtAWordBoundaryCountingCharactersNotBytes) {
    EXPECT_EQ(excerpt("<p>Été éternel à Misrata</p>", 10), "Été…");
    EXPECT_EQ(excerpt("<p>Court.</p>", 280), "Court.");
    const auto cut = excerpt("<p>L'Etat islamique attaque le tribunal de Misrata</p>", 30);
    EXPECT_EQ(cut, "L'Etat islamique attaque le…");
}

}  // namespace
}  // namespace carnet::markup
