#include <gtest/gtest.h>

#include <vector>

#include "text/text.hpp"

namespace carnet::text {
namespace {

TEST(HtmlEscape, EscapesEveryCharacterThatCanBreakOutOfTextOrAttributes) {
    EXPECT_EQ(html_escape(R"(<a href="x" title='y'>&</a>)"),
              "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    EXPECT_EQ(html_escape("&"), "&amp;");
    EXPECT_EQ(html_escape("<"), "&lt;");
    EXPECT_EQ(html_escape(">"), "&gt;");
    EXPECT_EQ(html_escape("\""), "&quot;");
    EXPECT_EQ(html_escape("'"), "&#39;");
    EXPECT_EQ(html_escape("État, déjà"), "État, déjà");
    EXPECT_EQ(html_escape(""), "");
    // Escaped once: a reference already in the text is shown as typed.
    EXPECT_EQ(html_escape("&amp;lt;"), "&amp;amp;lt;");
}

TEST(HtmlEscape, ValuesStayInsideTheirAttributeWhicheverQuoteItUses) {
    const std::string hostile = R"(x" onmouseover="alert(1)' onfocus='alert(2))";
    const auto escaped = html_escape(hostile);
    EXPECT_EQ(escaped.find_first_of("\"'<>"), std::string::npos) << escaped;
    EXPECT_EQ(decode_html_entities(escaped), hostile);
    std::string appended = "<a title=\"";
    append_html_escaped(appended, hostile);
    appended += "\">";
    EXPECT_EQ(appended, "<a title=\"" + escaped + "\">");
}

TEST(HtmlEscapeMarking, WrapsTheRangesInMarkAndEscapesTheRest) {
    const std::string text = "Le conseil de sécurité s'est réuni.";
    const std::vector<ByteRange> phrase{{3, 24}};
    EXPECT_EQ(html_escape_marking(text, phrase),
              "Le <mark>conseil de sécurité</mark> s&#39;est réuni.");
    const std::string code = "<b>Misrata</b> & Syrte";
    const std::vector<ByteRange> two{{3, 10}, {17, 22}};
    EXPECT_EQ(html_escape_marking(code, two),
              "&lt;b&gt;<mark>Misrata</mark>&lt;/b&gt; &amp; <mark>Syrte</mark>");
    EXPECT_EQ(html_escape_marking("a<b", {}), "a&lt;b");
}

TEST(HtmlEscapeMarking, ClampsRangesThatOverlapOrRunPastTheText) {
    const std::vector<ByteRange> ranges{{0, 2}, {1, 3}, {3, 3}, {4, 99}, {120, 130}};
    EXPECT_EQ(html_escape_marking("abcdef", ranges),
              "<mark>ab</mark><mark>c</mark>d<mark>ef</mark>");
}

TEST(XmlEscape, EscapesMarkupAndDropsForbiddenCharacters) {
    EXPECT_EQ(xml_escape("Tom & Jerry <b> \"q\" 'a' \x01ok\ttab"),
              "Tom &amp; Jerry &lt;b&gt; &quot;q&quot; &apos;a&apos; ok\ttab");
    EXPECT_EQ(xml_escape("الدولة Привет"), "الدولة Привет");
    EXPECT_EQ(xml_escape(std::string_view("a\0b\x1F\x7F\r\n", 7)), "ab\x7F\r\n");
}

}  // namespace
}  // namespace carnet::text
