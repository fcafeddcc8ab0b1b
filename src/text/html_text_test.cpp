#include <gtest/gtest.h>

#include "text/text.hpp"

namespace carnet::text {
namespace {

TEST(HtmlToText, StripsTagsDecodesEntitiesAndFoldsSpace) {
    EXPECT_EQ(html_to_text("<h3>Les milices</h3><p>Misrata&nbsp;a perdu &eacute;norm&eacute;ment"
                           " &amp; vite.</p>\n<script>alert(1)</script><p>Fin</p>"),
              "Les milices Misrata a perdu énormément & vite. Fin");
    EXPECT_EQ(html_to_text("texte nu"), "texte nu");
    EXPECT_EQ(html_to_text(""), "");
    EXPECT_EQ(html_to_text("  <p> \t</p>\n "), "");
}

TEST(HtmlToText, TagsSeparateWordsAndCommentsScriptsStylesAndTemplatesGo) {
    EXPECT_EQ(html_to_text("<p>Un</p><p>deux &amp; trois&nbsp;!</p>"), "Un deux & trois !");
    EXPECT_EQ(html_to_text("<p>A<!-- caché --> <script>x<y</script><style>p{}</style>B"), "A B");
    EXPECT_EQ(html_to_text("<P>a<SCRIPT type=x>b</SCRIPT>c<template><p>d</p></template>e"),
              "a c e");
    EXPECT_EQ(html_to_text("<scripts>visible</scripts>"), "visible");
    EXPECT_EQ(html_to_text("début<!-- jamais fermé"), "début");
    EXPECT_EQ(html_to_text("<script>jamais fermé"), "");
}

TEST(HtmlToText, ReadsBrokenMarkupAsBrowsersDo) {
    EXPECT_EQ(html_to_text("<a href=\"x>y\">lien</a> &eacute;t&#233; &#x2019;"), "lien été ’");
    EXPECT_EQ(html_to_text("<a title=l'été>lien</a> suite 'entre' fin"), "lien suite 'entre' fin");
    EXPECT_EQ(html_to_text("1 < 2 et 3 <= 4, a<b"), "1 < 2 et 3 <= 4, a");
    EXPECT_EQ(html_to_text("<!DOCTYPE html><?xml x?>texte"), "texte");
    EXPECT_EQ(html_to_text("&lt;script&gt;alert('x')&lt;/script&gt;"),
              "<script>alert('x')</script>");
    EXPECT_EQ(html_to_text("&bogus; &#0;"), "&bogus; \xEF\xBF\xBD");
    EXPECT_EQ(html_to_text("<p>non fermé"), "non fermé");
}

}  // namespace
}  // namespace carnet::text
