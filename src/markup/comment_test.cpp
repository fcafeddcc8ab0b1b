#include <gtest/gtest.h>

#include <regex>

#include "markup/markup.hpp"

namespace carnet::markup {
namespace {

// Every tag in a rendered comment must be one a comment may hold, and every link must point
// to http, https or mailto: checked on the output's structure, whatever the input was.
::testing::AssertionResult only_allowed_markup(const std::string& html) {
    static const std::regex allowed(
        R"(^<(/?(p|em|strong|code|del|blockquote|ul|li|pre|ol)|ol start="\d+"|br|hr|/a|a href="(https?://|mailto:)[^"<>]*" rel="nofollow ugc noopener")>)",
        std::regex::icase);
    for (std::size_t at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
        if (!std::regex_search(html.begin() + static_cast<std::ptrdiff_t>(at), html.end(), allowed,
                               std::regex_constants::match_continuous)) {
            return ::testing::AssertionFailure() << "unexpected markup at " << at << " in:\n"
                                                 << html;
        }
    }
    return ::testing::AssertionSuccess();
}

TEST(Comment, KeepsTheSmallMarkdownSubset) {
    const auto html = render_comment(
        "Merci pour cet *article* **précis**.\n\n> citation\n\n- un\n- deux\n\n`code` et "
        "[source](https://example.org/a?b=1&c=2)\n");
    EXPECT_NE(html.find("<em>article</em>"), std::string::npos) << html;
    EXPECT_NE(html.find("<strong>précis</strong>"), std::string::npos);
    EXPECT_NE(html.find("<blockquote>"), std::string::npos);
    EXPECT_NE(html.find("<li>deux</li>"), std::string::npos);
    EXPECT_NE(html.find("<code>code</code>"), std::string::npos);
    EXPECT_NE(
        html.find(
            R"(<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">source</a>)"),
        std::string::npos)
        << html;
    EXPECT_TRUE(only_allowed_markup(html));
}

TEST(Comment, RawHtmlIsShownAsText) {
    const auto html = render_comment("<script>alert(1)</script> et <b onclick=x>gras</b>");
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << html;
    EXPECT_NE(html.find("&lt;b onclick=x&gt;gras"), std::string::npos) << html;
    EXPECT_TRUE(only_allowed_markup(html));
}

TEST(Comment, DangerousLinksLoseTheirLinkButKeepTheirText) {
    for (const std::string source : {
             "[clic](javascript:alert(1))",
             "[clic](JaVaScRiPt:alert(1))",
             "[clic]( javascript:alert(1))",
             "[clic](java&#115;cript:alert(1))",
             "[clic](java&#x73;cript:alert(1))",
             "[clic](&#106;avascript:alert(1))",
             "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
             "[clic](vbscript:msgbox(1))",
             "[clic](//evil.example/x)",
             "[clic](/admin/)",
             "[clic](<javascript:alert(1)>)",
             "[clic](http://a.example/\" onmouseover=\"alert(1))",
             "<javascript:alert(1)>",
         }) {
        const auto html = render_comment(source);
        EXPECT_EQ(html.find("href"), std::string::npos) << source << " gave " << html;
        if (source.find("[clic]") != std::string::npos) {
            EXPECT_NE(html.find("clic"), std::string::npos) << source << " lost its text";
        }
        EXPECT_TRUE(only_allowed_markup(html)) << source;
    }
}

TEST(Comment, ImagesBecomeTheirDescription) {
    const auto html = render_comment(
        "![une carte](https://example.org/carte.png) et "
        "![x](javascript:alert(1)) [![img](a.png)](https://ok.example/)");
    EXPECT_EQ(html.find("<img"), std::string::npos) << html;
    EXPECT_NE(html.find("une carte"), std::string::npos);
    EXPECT_TRUE(only_allowed_markup(html));
}

TEST(Comment, HostileBodiesNeverProduceOtherMarkup) {
    const std::vector<std::string> hostile{
        "<img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "\"><script>alert(1)</script>",
        "'><img src=x onerror=alert(1)>",
        "<iframe src=javascript:alert(1)>",
        "[a](https://x.example/\"><script>alert(1)</script>)",
        "[a](https://x.example/ \"title\" onclick=\"alert(1)\")",
        "<a href=\"javascript:alert(1)\">x</a>",
        "```\n</code></pre><script>alert(1)</script>\n```",
        "    <script>indented</script>",
        "* <script>\n* </script>",
        "> <script>alert(1)</script>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
        std::string("nul\0byte<script>", 16),
        "<!-- --><script>alert(1)</script>",
        "<![CDATA[<script>alert(1)</script>]]>",
        "https://example.org/<script>",
        "www.example.org/\"onmouseover=alert(1)",
        "[x](https://example.org/`onmouseover=alert(1)`)",
        "**<script>**alert(1)**</script>**",
        "<style>body{display:none}</style>",
        "<form action=https://evil.example><input name=x></form>",
        "<meta http-equiv=refresh content=0;url=https://evil.example>",
        "<base href=https://evil.example/>",
        "[x]: javascript:alert(1)\n\n[lien][x]",
        "<details open ontoggle=alert(1)>",
        "<object data=javascript:alert(1)>",
        "<embed src=javascript:alert(1)>",
    };
    for (const auto& source : hostile) {
        const auto html = render_comment(source);
        EXPECT_TRUE(only_allowed_markup(html)) << source;
        EXPECT_EQ(html.find("<script"), std::string::npos) << source;
    }
}

TEST(Comment, EntitiesAreDecodedThenEscaped) {
    EXPECT_NE(render_comment("caf&eacute; &#233; &#xE9;").find("café é é"), std::string::npos);
    EXPECT_NE(render_comment("&#60;b&#62;").find("&lt;b&gt;"), std::string::npos);
}

TEST(SafeUrl, KeepsHttpHttpsAndMailtoOnly) {
    EXPECT_EQ(safe_url(" https://example.org/a?b=1 "), "https://example.org/a?b=1");
    EXPECT_EQ(safe_url("HTTP://example.org"), "HTTP://example.org");
    EXPECT_EQ(safe_url("mailto:jr@example.org"), "mailto:jr@example.org");
    EXPECT_FALSE(safe_url("javascript:alert(1)"));
    EXPECT_FALSE(safe_url("java\tscript:alert(1)"));
    EXPECT_FALSE(safe_url("data:text/html,x"));
    EXPECT_FALSE(safe_url("https://example.org/\"onmouseover=x"));
    EXPECT_FALSE(safe_url("https:///nohost"));
    EXPECT_FALSE(safe_url("example.org"));
    EXPECT_FALSE(safe_url("/relative"));
    EXPECT_FALSE(safe_url(""));
    EXPECT_FALSE(safe_url(std::string(3000, 'a')));
}

TEST(SafeUrl, AWebAddressIsHttpOrHttpsOnly) {
    EXPECT_EQ(safe_web_url(" https://example.org/a "), "https://example.org/a");
    EXPECT_EQ(safe_web_url("HTTP://example.org"), "HTTP://example.org");
    EXPECT_FALSE(safe_web_url("mailto:jr@example.org"));
    EXPECT_FALSE(safe_web_url("MailTo:jr@example.org"));
    EXPECT_FALSE(safe_web_url("javascript:alert(1)"));
    EXPECT_FALSE(safe_web_url("/relative"));
}

// md4c 0.4.8 (Debian 12) looks past the end of the text it is given while it reads a
// permissive e-mail autolink, and may hand back a span that runs past it: what follows the
// comment in memory must never reach the page. Found by fuzz/comment_markup_fuzzer.cpp.
// md4c 0.4.8 (Debian 12) reads the byte past the end of the text it is given while it looks
// for the end of a link, and a ')' there made it hand back spans running past the end: what
// follows the comment in memory reached the page (and ASan saw the read). Found by
// fuzz/comment_markup_fuzzer.cpp.
TEST(Comment, NothingPastTheEndOfTheCommentIsRendered) {
    const std::string comment = "[x](jr@ascrint<(a[x)1]";
    for (const std::string_view after : {")", ")x", ") SECRET", ")SECRET)"}) {
        std::string memory = comment;
        memory += after;
        memory.push_back('\0');
        memory += "SECRET";
        memory.resize(200, 'S');
        const auto html = render_comment(std::string_view(memory).substr(0, comment.size()));
        EXPECT_EQ(html, render_comment(comment)) << after;
        EXPECT_EQ(html.find("SECRET"), std::string::npos) << after;
        const auto post = render_post_body(model::SourceFormat::markdown,
                                           std::string_view(memory).substr(0, comment.size()));
        EXPECT_EQ(post, render_post_body(model::SourceFormat::markdown, comment)) << after;
    }
}

}  // namespace
}  // namespace carnet::markup
