// The WXR export as WordPress's importer and carnet's read it: text in CDATA sections, the
// images a post shows as attachment items, and a file that carnet reads back without loss.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interop/interop.hpp"
#include "interop/wxr_test_support.hpp"
#include "markup/markup.hpp"
#include "model/model.hpp"
#include "store/store.hpp"
#include "text/text.hpp"

namespace carnet::interop {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::wxr_document;
using testing::wxr_item;

class WxrExportRoundTrip : public testing::WxrStore {
protected:
    std::int64_t add_post(const std::string& title, const std::string& source,
                          const std::string& excerpt = "") {
        std::int64_t id = 0;
        EXPECT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            model::Post post;
            post.blog_id = blog_id_;
            post.status = model::PostStatus::published;
            post.title = title;
            post.slug = model::make_slug(title);
            post.source_format = model::SourceFormat::html;
            post.source = source;
            post.html = markup::render_post_body(post.source_format, source);
            post.excerpt = excerpt.empty() ? markup::excerpt(post.html) : excerpt;
            post.published_at = model::Instant{std::chrono::seconds{1700000000}};
            post.updated_at = post.published_at;
            post.categories.push_back({0, blog_id_, "L'Irak & co", "irak", 0});
            auto created = writer.posts().create_post(post);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        }));
        return id;
    }

    std::string exported() {
        auto file = export_wordpress(*store_, blog_id_);
        EXPECT_TRUE(file) << file.error().message;
        return file ? *file : std::string();
    }
};

int count_of(std::string_view text, std::string_view part) {
    int count = 0;
    for (auto at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1)) {
        ++count;
    }
    return count;
}

TEST_F(WxrExportRoundTrip, TitlesExcerptsAndNamesAreInCdataAsWordPressWritesThem) {
    add_post("L'été & <l'hiver>", "<p>Texte.</p>", "Un résumé d'été & <b>");
    const auto file = exported();
    EXPECT_THAT(file, HasSubstr("<title><![CDATA[L'été & <l'hiver>]]></title>"));
    EXPECT_THAT(file, HasSubstr("<excerpt:encoded><![CDATA[Un résumé d'été & <b>]]>"));
    EXPECT_THAT(file, HasSubstr("<wp:cat_name><![CDATA[L'Irak & co]]></wp:cat_name>"));
    EXPECT_THAT(file, HasSubstr("<category domain=\"category\" nicename=\"irak\"><![CDATA[L'Irak "
                                "& co]]></category>"));
    // No entity that a regular expression would leave in a title.
    EXPECT_THAT(file, Not(HasSubstr("&apos;")));
}

TEST_F(WxrExportRoundTrip, BodiesHoldingTheEndOfACdataSectionAndCarriageReturnsComeBackWhole) {
    const std::string source = "<p>a]]>b</p>\r\n<pre>x]]]]>y\r]]></pre>";
    add_post("Délimiteurs", source);
    const auto file = exported();
    EXPECT_THAT(file,
                HasSubstr("<content:encoded><![CDATA[<p>a]]]]><![CDATA[>b</p>]]>&#13;"
                          "<![CDATA[\n<pre>x]]]]]]><![CDATA[>y]]>&#13;<![CDATA[]]]]><![CDATA[>"
                          "</pre>]]></content:encoded>"));
    const auto other = add_blog("other.example");
    import_wxr_ok(write_file("delimiters.xml", file), other);
    const auto all = posts(other);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].post.source, source);
}

TEST_F(WxrExportRoundTrip, TheImagesAPostShowsAreItsAttachmentItems) {
    const auto id = add_post("Illustré",
                             "<p><img src=\"/media/0a1b2c.jpg\" srcset=\"/media/0a1b2c-640.jpg "
                             "640w, /media/0a1b2c.jpg 1280w\" alt=\"\"></p><p><a "
                             "href=\"/media/0a1b2c.jpg\">agrandir</a></p>");
    const auto file = exported();
    // One item per file, under the post, at the address WordPress's importer fetches.
    EXPECT_EQ(count_of(file, "<wp:post_type><![CDATA[attachment]]></wp:post_type>"), 2);
    EXPECT_THAT(file, HasSubstr("<wp:attachment_url><![CDATA[http://mt.example/media/0a1b2c.jpg]]>"
                                "</wp:attachment_url>"));
    EXPECT_THAT(file, HasSubstr("<wp:attachment_url><![CDATA[http://mt.example/media/"
                                "0a1b2c-640.jpg]]></wp:attachment_url>"));
    EXPECT_EQ(count_of(file, "<wp:post_parent>" + std::to_string(id) + "</wp:post_parent>"), 2);
    EXPECT_EQ(count_of(file, "<wp:status><![CDATA[inherit]]></wp:status>"), 2);
    // Read back by carnet, the post is the same and the attachments are not posts.
    const auto other = add_blog("other.example");
    const auto report = import_wxr_ok(write_file("images.xml", file), other);
    EXPECT_EQ(report.imported, 1);
    const auto all = posts(other);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_THAT(all[0].post.source, HasSubstr("<img src=\"/media/0a1b2c.jpg\""));
    // Exported again, each image is still listed once.
    auto again = export_wordpress(*store_, other);
    ASSERT_TRUE(again);
    EXPECT_EQ(count_of(*again, "<wp:post_type><![CDATA[attachment]]></wp:post_type>"), 2);
}

TEST_F(WxrExportRoundTrip, AnImportedFileExportedAndReadBackGivesTheSamePosts) {
    const std::string items =
        wxr_item("Premier : l'été", "1", "2020-01-01 10:00:00",
                 "<category domain=\"category\" nicename=\"liban\"><![CDATA[Liban]]></category>\n"
                 "<category domain=\"post_tag\" nicename=\"ete\"><![CDATA[Été]]></category>\n"
                 "<category domain=\"series\" nicename=\"s1\"><![CDATA[Série 1]]></category>\n"
                 "<wp:postmeta><wp:meta_key>_php</wp:meta_key><wp:meta_value><![CDATA[a:1:{i:0;"
                 "s:3:\"]]]]><![CDATA[>\";}]]></wp:meta_value></wp:postmeta>\n"
                 "<wp:comment><wp:comment_id>5</wp:comment_id><wp:comment_author>Léa"
                 "</wp:comment_author><wp:comment_date_gmt>2020-01-02 10:00:00"
                 "</wp:comment_date_gmt><wp:comment_content>Bravo &amp; merci"
                 "</wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
                 "</wp:comment>\n") +
        "<item><title>Menu</title><wp:post_id>2</wp:post_id><wp:post_date_gmt>2020-01-03 "
        "10:00:00</wp:post_date_gmt><wp:status>publish</wp:status><wp:menu_order>2"
        "</wp:menu_order><wp:post_type>nav_menu_item</wp:post_type></item>\n" +
        wxr_item("Brouillon", "3", "2020-01-04 10:00:00",
                 "<wp:post_password>x</wp:post_password>\n");
    import_wxr_ok(write_file("source.xml", wxr_document("1.2", items)));
    const auto first = exported();
    const auto other = add_blog("other.example");
    import_wxr_ok(write_file("first.xml", first), other);
    const auto want = posts();
    const auto got = posts(other);
    ASSERT_EQ(got.size(), want.size());
    ASSERT_EQ(got.size(), 3u);
    for (std::size_t index = 0; index < got.size(); ++index) {
        const auto& a = want[index];
        const auto& b = got[index];
        SCOPED_TRACE(a.post.title);
        EXPECT_EQ(b.post.title, a.post.title);
        EXPECT_EQ(b.post.slug, a.post.slug);
        EXPECT_EQ(b.post.status, a.post.status);
        EXPECT_EQ(b.post.published_at, a.post.published_at);
        EXPECT_EQ(b.post.source, a.post.source);
        EXPECT_EQ(b.post.html, a.post.html);
        EXPECT_EQ(b.post.excerpt, a.post.excerpt);
        EXPECT_EQ(b.tags, a.tags);
        ASSERT_EQ(b.post.categories.size(), a.post.categories.size());
        for (std::size_t at = 0; at < a.post.categories.size(); ++at) {
            EXPECT_EQ(b.post.categories[at].name, a.post.categories[at].name);
            EXPECT_EQ(b.post.categories[at].slug, a.post.categories[at].slug);
        }
        for (const char* key : {"wp_postmeta", "wp_terms", "wp_post_type", "wp_status",
                                "wp_menu_order", "wp_post_password"}) {
            EXPECT_EQ(b.meta.contains(key), a.meta.contains(key)) << key;
            if (a.meta.contains(key) && b.meta.contains(key)) {
                EXPECT_EQ(b.meta.at(key), a.meta.at(key)) << key;
            }
        }
        ASSERT_EQ(b.comments.size(), a.comments.size());
        for (std::size_t at = 0; at < a.comments.size(); ++at) {
            EXPECT_EQ(b.comments[at].comment.source, a.comments[at].comment.source);
            EXPECT_EQ(b.comments[at].comment.author_name, a.comments[at].comment.author_name);
            EXPECT_EQ(b.comments[at].comment.created_at, a.comments[at].comment.created_at);
        }
    }
    // And a second export is the first but for carnet's own numbers and the blog's address.
    auto second = export_wordpress(*store_, other);
    ASSERT_TRUE(second);
    EXPECT_EQ(count_of(*second, "<item>"), count_of(first, "<item>"));
    EXPECT_THAT(*second, HasSubstr("<![CDATA[a:1:{i:0;s:3:\"]]]]><![CDATA[>\";}]]>"));
}

}  // namespace
}  // namespace carnet::interop
