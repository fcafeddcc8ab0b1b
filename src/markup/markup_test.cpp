#include "markup/markup.hpp"

#include <gtest/gtest.h>

#include "markup/video.hpp"

namespace carnet::markup {
namespace {

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

// The embed's pieces, so that a test reads as what a reader gets.
std::string player_of(const std::string& html) {
    const std::string key = "data-video-src=\"";
    const auto at = html.find(key);
    if (at == std::string::npos) return {};
    const auto start = at + key.size();
    return html.substr(start, html.find('"', start) - start);
}

bool is_embed(const std::string& html) {
    return html.find("<figure class=\"video-embed\"") != std::string::npos;
}

std::string markdown(std::string_view source) {
    return render_post_body(model::SourceFormat::markdown, source);
}

TEST(RecognizeVideo, YouTubeInEveryUsualForm) {
    for (const auto* url :
         {"https://www.youtube.com/watch?v=dQw4w9WgXcQ",
          "https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ",
          "http://m.youtube.com/watch?v=dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ",
          "https://www.youtube.com/embed/dQw4w9WgXcQ",
          "https://www.youtube.com/shorts/dQw4w9WgXcQ/",
          "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
          "HTTPS://WWW.YOUTUBE.COM/watch?v=dQw4w9WgXcQ"}) {
        const auto video = recognize_video(url);
        ASSERT_TRUE(video) << url;
        EXPECT_EQ(video->provider, VideoProvider::youtube) << url;
        EXPECT_EQ(video->id, "dQw4w9WgXcQ") << url;
        EXPECT_EQ(video->start_seconds, 0) << url;
    }
}

TEST(RecognizeVideo, StartTimesInTheProvidersForms) {
    EXPECT_EQ(recognize_video("https://youtu.be/dQw4w9WgXcQ?t=90")->start_seconds, 90);
    EXPECT_EQ(recognize_video("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s")->start_seconds,
              90);
    EXPECT_EQ(
        recognize_video("https://www.youtube.com/embed/dQw4w9WgXcQ?start=3723")->start_seconds,
        3723);
    EXPECT_EQ(recognize_video("https://youtu.be/dQw4w9WgXcQ#t=1h2m3s")->start_seconds, 3723);
    EXPECT_EQ(recognize_video("https://vimeo.com/76979871#t=45s")->start_seconds, 45);
    EXPECT_EQ(recognize_video("https://www.dailymotion.com/video/x7tgad0?start=12")->start_seconds,
              12);
    // A start time that is not one is dropped; the video stays.
    EXPECT_EQ(recognize_video("https://youtu.be/dQw4w9WgXcQ?t=abc")->start_seconds, 0);
    EXPECT_EQ(recognize_video("https://youtu.be/dQw4w9WgXcQ?t=999999999")->start_seconds, 0);
}

TEST(RecognizeVideo, VimeoAndDailymotion) {
    const auto vimeo = recognize_video("https://vimeo.com/76979871");
    ASSERT_TRUE(vimeo);
    EXPECT_EQ(vimeo->provider, VideoProvider::vimeo);
    EXPECT_EQ(vimeo->id, "76979871");
    EXPECT_EQ(recognize_video("https://player.vimeo.com/video/76979871")->id, "76979871");

    for (const auto* url : {"https://www.dailymotion.com/video/x7tgad0", "https://dai.ly/x7tgad0",
                            "https://www.dailymotion.com/video/x7tgad0_le-titre_news",
                            "https://www.dailymotion.com/embed/video/x7tgad0"}) {
        const auto video = recognize_video(url);
        ASSERT_TRUE(video) << url;
        EXPECT_EQ(video->provider, VideoProvider::dailymotion) << url;
        EXPECT_EQ(video->id, "x7tgad0") << url;
    }
}

TEST(RecognizeVideo, RefusesLookAlikesAndIdsOutsideTheAlphabet) {
    for (const auto* url : {
             "https://youtube.com.evil.org/watch?v=dQw4w9WgXcQ",
             "https://evil.org/youtube.com/watch?v=dQw4w9WgXcQ",
             "https://notyoutube.com/watch?v=dQw4w9WgXcQ",
             "https://youtu.be.evil.org/dQw4w9WgXcQ",
             "https://www.youtube.com@evil.org/watch?v=dQw4w9WgXcQ",
             "https://user@www.youtube.com/watch?v=dQw4w9WgXcQ",
             "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
             "javascript:alert(1)//youtu.be/dQw4w9WgXcQ",
             "javascript://www.youtube.com/watch?v=dQw4w9WgXcQ",
             "ftp://www.youtube.com/watch?v=dQw4w9WgXcQ",
             "//www.youtube.com/watch?v=dQw4w9WgXcQ",
             "https://www.youtube.com/watch?v=dQw4w9WgXc\"",
             "https://www.youtube.com/watch?v=dQw4\"onload=x",
             "https://www.youtube.com/watch?v=dQw4w9WgXcQx",
             "https://www.youtube.com/watch?v=dQw4w9WgX",
             "https://www.youtube.com/watch?v=dQw4w9WgX%22",
             "https://youtu.be/dQw4w9WgXc%27",
             "https://www.youtube.com/embed/dQw4w9WgXcQ/extra",
             "https://www.youtube.com/user/dQw4w9WgXcQ",
             "https://www.youtube.com/watch",
             "https://vimeo.com/12345abc",
             "https://vimeo.com/channels/staffpicks",
             "https://vimeo.com/1234567890123",
             "https://player.vimeo.com/76979871",
             "https://www.dailymotion.com/video/x7t'ad0",
             "https://www.dailymotion.com/video/x7",
             "https://dai.ly/x7tgad0/more",
             "https://127.0.0.1/watch?v=dQw4w9WgXcQ",
             "https://www.you%74ube.com/watch?v=dQw4w9WgXcQ",
             "not a url",
             "",
         }) {
        EXPECT_FALSE(recognize_video(url)) << url;
    }
}

TEST(RenderPostBody, BareVideoUrlParagraphBecomesAClickToLoadPoster) {
    const auto html = markdown("Avant.\n\nhttps://youtu.be/dQw4w9WgXcQ?t=90\n\nAprès.\n");
    ASSERT_TRUE(is_embed(html)) << html;
    EXPECT_EQ(player_of(html),
              "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&amp;start=90");
    // Without a script the poster is a plain link to the video page.
    EXPECT_NE(html.find("<a class=\"video-poster\" "
                        "href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=90s\">"),
              std::string::npos)
        << html;
    EXPECT_NE(html.find("<span class=\"video-provider\">YouTube</span>"), std::string::npos);
    EXPECT_NE(html.find("<span class=\"video-title\">https://youtu.be/dQw4w9WgXcQ?t=90</span>"),
              std::string::npos)
        << html;
    EXPECT_NE(html.find("<p>Avant.</p>"), std::string::npos);
    EXPECT_NE(html.find("<p>Après.</p>"), std::string::npos);
    // The page itself loads nothing from the provider: no iframe, no thumbnail.
    EXPECT_EQ(html.find("<iframe"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find("ytimg"), std::string::npos);
}

TEST(RenderPostBody, AutolinksAndLinksAloneInAParagraphAreEmbeddedToo) {
    const auto autolink = markdown("<https://vimeo.com/76979871>\n");
    EXPECT_EQ(player_of(autolink), "https://player.vimeo.com/video/76979871?autoplay=1");
    EXPECT_NE(autolink.find("href=\"https://vimeo.com/76979871\""), std::string::npos);
    EXPECT_NE(autolink.find(">Vimeo</span>"), std::string::npos);

    const auto named = markdown("[L'attaque de *Misrata*](https://dai.ly/x7tgad0)\n");
    EXPECT_EQ(player_of(named), "https://www.dailymotion.com/embed/video/x7tgad0?autoplay=1");
    EXPECT_NE(named.find("<span class=\"video-title\">L&#39;attaque de Misrata</span>"),
              std::string::npos)
        << named;

    const auto www = markdown("www.youtube.com/watch?v=dQw4w9WgXcQ&feature=share\n");
    EXPECT_EQ(player_of(www), "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1");
}

TEST(RenderPostBody, ImportedHtmlParagraphHoldingAVideoUrlIsEmbedded) {
    const auto html = render_post_body(
        model::SourceFormat::html,
        "<p>Vidéo de l&#39;attaque :</p>\n<p>https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=5"
        "</p>\n<h3>Les milices</h3>\n");
    EXPECT_TRUE(html.starts_with("<p>Vidéo de l&#39;attaque :</p>\n<figure")) << html;
    EXPECT_TRUE(html.ends_with("</figure>\n<h3>Les milices</h3>\n")) << html;
    EXPECT_EQ(player_of(html),
              "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&amp;start=5");
}

TEST(RenderPostBody, VideoUrlAmongOtherTextStaysALink) {
    const auto html = markdown(
        "Regardez https://youtu.be/dQw4w9WgXcQ ce soir.\n\n"
        "https://youtu.be/dQw4w9WgXcQ et https://vimeo.com/76979871\n\n"
        "- https://youtu.be/dQw4w9WgXcQ\n- deux\n\n"
        "`https://youtu.be/dQw4w9WgXcQ`\n\n"
        "Fin.\n\n    https://youtu.be/dQw4w9WgXcQ\n");
    EXPECT_FALSE(is_embed(html)) << html;
    EXPECT_NE(html.find("<a href=\"https://youtu.be/dQw4w9WgXcQ\">"), std::string::npos) << html;
}

TEST(RenderPostBody, HostileLookAlikesStayLinksAndInjectNothing) {
    for (const auto* source : {
             "https://youtube.com.evil.org/watch?v=dQw4w9WgXcQ\n",
             "<https://www.youtube.com@evil.org/watch?v=dQw4w9WgXcQ>\n",
             "[x](javascript:alert('https://youtu.be/dQw4w9WgXcQ'))\n",
             "<p>https://youtu.be/dQw4w9WgX\"Q</p>\n",
             "<p>https://www.youtube.com/watch?v=dQw4w9WgXc&quot;onload=alert(1)</p>\n",
             "<p>https://youtu.be/dQw4w9WgXcQ&#x22;</p>\n",
             "<p><a href=\"https://youtu.be/dQw4w9WgXcQ\" onclick=\"alert(1)\">v</a></p>\n",
             "<p><a href=\"https://youtu.be/dQw4w9WgXcQ\">a</a><a href=\"https://evil.org\">b</a>"
             "</p>\n",
         }) {
        const auto html = markdown(source);
        EXPECT_FALSE(is_embed(html)) << source << " gave " << html;
    }
}

TEST(RenderPostBody, AnEmbeddedPostsPlainTextNamesTheVideo) {
    EXPECT_EQ(text::html_to_text(markdown("Avant.\n\nhttps://vimeo.com/76979871\n")),
              "Avant. Vimeo https://vimeo.com/76979871");
}

TEST(Excerpt, CutsAtAWordBoundaryCountingCharactersNotBytes) {
    EXPECT_EQ(excerpt("<p>Été éternel à Misrata</p>", 10), "Été…");
    EXPECT_EQ(excerpt("<p>Court.</p>", 280), "Court.");
    const auto cut = excerpt("<p>L'Etat islamique attaque le tribunal de Misrata</p>", 30);
    EXPECT_EQ(cut, "L'Etat islamique attaque le…");
}

}  // namespace
}  // namespace carnet::markup
