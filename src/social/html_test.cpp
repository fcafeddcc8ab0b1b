#include "social/html.hpp"

#include <gtest/gtest.h>

namespace carnet::social {
namespace {

TEST(Html, RelativeReferencesResolveAgainstTheBaseAndOnlyWebUrlsRemain) {
    EXPECT_EQ(resolve_url("https://a.example/blog/post.html", "../wm?x=1"),
              "https://a.example/wm?x=1");
    EXPECT_EQ(resolve_url("https://a.example/post", ""), "https://a.example/post");
    EXPECT_EQ(resolve_url("https://a.example/p", " https://b.example/t#c ", false),
              "https://b.example/t");
    EXPECT_FALSE(resolve_url("https://a.example/p", "javascript:alert(1)").has_value());
    EXPECT_FALSE(resolve_url("https://a.example/p", "mailto:x@example.org").has_value());
}

TEST(Html, LinksOfAPostAreItsAnchorsOnceEachWithoutFragments) {
    const auto links = links_in(
        "<p><a href=\"https://b.example/one\">un</a> <a href='/local#x'>local</a>"
        "<a href=\"https://b.example/one#again\">encore</a><a href=\"ftp://x/\">ftp</a>"
        "<img src=\"https://c.example/i.png\"></p>",
        "https://a.example/archive/2026/12/02/p.html");
    EXPECT_EQ(links,
              (std::vector<std::string>{"https://b.example/one", "https://a.example/local"}));
}

TEST(Html, ImagesOfAPostAreItsImgOnceEachWithTheirAlternative) {
    const auto images = images_in(
        "<p><img src=\"/media/port.jpg\" alt=\"Le port &amp; ses bateaux\">"
        "<img src='https://c.example/i.png'><img src=\"/media/port.jpg\" alt=\"encore\">"
        "<img src=\"data:image/png;base64,AAAA\" alt=\"inline\"></p>",
        "https://a.example/archive/2026/12/02/p.html");
    ASSERT_EQ(images.size(), 2u);
    EXPECT_EQ(images[0].url, "https://a.example/media/port.jpg");
    EXPECT_EQ(images[0].alt, "Le port & ses bateaux");
    EXPECT_EQ(images[1].url, "https://c.example/i.png");
    EXPECT_EQ(images[1].alt, "");
}

TEST(Html, TheEndpointComesFromTheLinkHeaderFirstThenTheHtml) {
    FetchResponse response;
    response.url = "https://b.example/dir/post.html";
    response.headers = {{"Content-Type", "text/html"},
                        {"Link",
                         "<https://b.example/feed>; rel=\"alternate\", </wm/endpoint?a=1>; "
                         "rel=\"webmention other\""}};
    response.body = "<link rel=webmention href=/not-this>";
    EXPECT_EQ(find_endpoint(response), "https://b.example/wm/endpoint?a=1");

    response.headers = {{"Content-Type", "text/html; charset=utf-8"}};
    response.body =
        "<html><head><link rel=\"stylesheet\" href=\"s.css\"></head><body>"
        "<a rel=\"nofollow webmention\" href=\"endpoint\">wm</a>"
        "<link rel=\"webmention\" href=\"/later\"></body></html>";
    EXPECT_EQ(find_endpoint(response), "https://b.example/dir/endpoint");

    response.body = "<link rel=\"webmention\" href=\"\">";
    EXPECT_EQ(find_endpoint(response), "https://b.example/dir/post.html");

    response.body = "<p>nothing here</p>";
    EXPECT_FALSE(find_endpoint(response).has_value());
}

TEST(Html, ASourceGivesItsEntrysAuthorTextAndReplies) {
    const auto page = read_source(
        "<html><head><title>Le titre</title></head><body>"
        "<article class=\"h-entry\"><h1 class=\"p-name\">Réponse</h1>"
        "<a class=\"p-author h-card\" href=\"/\"><img class=\"u-photo\" src=\"/me.jpg\" alt=\"\">"
        "<span class=\"p-name\">Amina K.</span></a>"
        "<a class=\"u-in-reply-to\" href=\"https://b.example/post.html#comment-7\">en réponse</a>"
        "<div class=\"e-content\"><p>Je lis <a href=\"https://b.example/post.html\">ce billet"
        "</a>.</p><script>alert(1)</script><blockquote class=\"h-cite\"><span class=\"p-author"
        " h-card\">Quelqu'un d'autre</span></blockquote></div></article></body></html>",
        "https://a.example/reply.html", "https://b.example/post.html");
    EXPECT_TRUE(page.links_to_target);
    EXPECT_EQ(page.author_name, "Amina K.");
    EXPECT_EQ(page.author_url, "https://a.example/");
    EXPECT_EQ(page.author_photo, "https://a.example/me.jpg");
    EXPECT_EQ(page.in_reply_to,
              (std::vector<std::string>{"https://b.example/post.html#comment-7"}));
    EXPECT_NE(page.content_html.find("Je lis"), std::string::npos);
}

TEST(Html, ANulByteIsReadAsABrowserReadsItNotAsTheEndOfThePage) {
    using namespace std::string_literals;
    const auto page = read_source(
        "<article class=\"h-entry\"><a class=\"p-author h-card\" href=\"java\0script:x\">"
        "Ana\0s</a><a href=\"https://b.example/post.html\">le billet</a></article>"s,
        "https://a.example/p", "https://b.example/post.html");
    EXPECT_TRUE(page.links_to_target);
    EXPECT_EQ(page.author_name, "Ana\xEF\xBF\xBDs");
}

TEST(Html, WithoutMicroformatsTheTitleSpeaksAndAMissingLinkIsSeen) {
    const auto page = read_source(
        "<title>Une page &amp; rien</title><p><a href=\"https://b.example/other.html\">x</a>",
        "https://a.example/p", "https://b.example/post.html");
    EXPECT_FALSE(page.links_to_target);
    EXPECT_TRUE(page.author_name.empty());
    EXPECT_EQ(page.content_html, "Une page &amp; rien");
}

TEST(Html, ALinkInAnImageOrWithAFragmentCountsButAnotherPageDoesNot) {
    EXPECT_TRUE(read_source("<img src=\"https://b.example/post.html\">", "https://a.example/",
                            "https://b.example/post.html")
                    .links_to_target);
    EXPECT_TRUE(read_source("<a href=\"https://b.example/post.html#comments\">x</a>",
                            "https://a.example/", "https://b.example/post.html")
                    .links_to_target);
    EXPECT_FALSE(read_source("<a href=\"https://b.example/post.html.evil\">x</a>",
                             "https://a.example/", "https://b.example/post.html")
                     .links_to_target);
    EXPECT_FALSE(read_source("<p>https://b.example/post.html</p>", "https://a.example/",
                             "https://b.example/post.html")
                     .links_to_target);
}

}  // namespace
}  // namespace carnet::social

namespace carnet::social {
namespace {

TEST(Html, AnAuthorMadeOfDataElementsIsRead) {
    const auto page = read_source(
        "<article class=\"h-entry\"><a class=\"u-url p-name\" href=\"/p.html\">Titre</a>"
        "<div class=\"e-content\">Texte</div><data class=\"p-author h-card\" value=\"Le carnet\">"
        "<data class=\"p-name\" value=\"Le carnet\"></data><data class=\"u-url\" "
        "value=\"/\"></data>"
        "</data></article>",
        "http://a.example/p.html", "http://b.example/");
    EXPECT_EQ(page.author_name, "Le carnet");
    EXPECT_EQ(page.author_url, "http://a.example/");
}

TEST(Html, ACardWithoutPropertiesTakesItsNameAndItsOneLink) {
    const auto page = read_source(
        "<article class=\"h-cite h-entry\"><span class=\"p-author h-card\"><a href=\"/amina\">"
        "Amina</a></span><div class=\"e-content\">Oui</div></article>",
        "http://a.example/p.html", "http://b.example/");
    EXPECT_EQ(page.author_name, "Amina");
    EXPECT_EQ(page.author_url, "http://a.example/amina");
}

}  // namespace
}  // namespace carnet::social
