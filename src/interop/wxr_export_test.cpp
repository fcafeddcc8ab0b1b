#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <map>
#include <set>
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

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using testing::k_wordpress_fixture;

class WxrExport : public testing::WxrStore {
protected:
    // A published post written in carnet as HTML.
    void add_html_post(const std::string& title, const std::string& slug,
                       const std::string& source) {
        ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            model::Post post;
            post.blog_id = blog_id_;
            post.status = model::PostStatus::published;
            post.title = title;
            post.slug = slug;
            post.source_format = model::SourceFormat::html;
            post.source = source;
            post.html = post.source;
            post.published_at = model::Instant{std::chrono::seconds{1700000000}};
            post.updated_at = post.published_at;
            auto created = writer.posts().create_post(post);
            if (!created) return std::unexpected(created.error());
            return {};
        }));
    }
};

std::vector<std::string> names_of(const std::vector<model::Category>& categories) {
    std::vector<std::string> names;
    for (const auto& category : categories) names.push_back(category.name);
    return names;
}

// A comment as a reader sees it, with the author of the comment it answers.
std::string comment_summary(const store::ArchivedPost& post, const store::ArchivedComment& c) {
    std::string parent = "-";
    for (const auto& other : post.comments) {
        if (other.comment.id == c.comment.parent_id) parent = other.comment.author_name;
    }
    return text::rfc3339_utc(c.comment.created_at) + "|" + c.comment.author_name + "|" +
           c.comment.author_email + "|" + c.comment.source + "|" +
           std::string(model::to_string(c.comment.status)) + "|" +
           (c.kind == store::CommentKind::ping ? "ping" : "comment") + "|" + c.author_ip +
           "|answers " + parent;
}

void expect_same_posts(const std::vector<store::ArchivedPost>& expected,
                       const std::vector<store::ArchivedPost>& actual) {
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t at = 0; at < expected.size(); ++at) {
        const auto& want = expected[at];
        const auto& got = actual[at];
        SCOPED_TRACE(want.post.title);
        EXPECT_EQ(got.post.title, want.post.title);
        EXPECT_EQ(got.post.slug, want.post.slug);
        EXPECT_EQ(got.post.status, want.post.status);
        EXPECT_EQ(got.post.published_at, want.post.published_at);
        EXPECT_EQ(got.post.source_format, want.post.source_format);
        EXPECT_EQ(got.post.source, want.post.source);
        EXPECT_EQ(got.post.html, want.post.html);
        EXPECT_EQ(got.post.excerpt, want.post.excerpt);
        EXPECT_EQ(got.post.comments_open, want.post.comments_open);
        EXPECT_THAT(names_of(got.post.categories),
                    ElementsAreArray(names_of(want.post.categories)));
        EXPECT_THAT(got.tags, ElementsAreArray(want.tags));
        std::vector<std::string> want_comments, got_comments;
        for (const auto& comment : want.comments)
            want_comments.push_back(comment_summary(want, comment));
        for (const auto& comment : got.comments)
            got_comments.push_back(comment_summary(got, comment));
        EXPECT_THAT(got_comments, ElementsAreArray(want_comments));
    }
}

TEST_F(WxrExport, ExportThenImportGivesTheSamePostsCategoriesTagsAndComments) {
    import_wxr_ok(k_wordpress_fixture);
    // A post written in carnet, in Markdown, with a thread and text a CDATA section cannot
    // hold as is.
    std::int64_t native_id = 0;
    ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
        model::Post post;
        post.blog_id = blog_id_;
        post.status = model::PostStatus::published;
        post.title = "Écrit dans carnet: a]]>b & <c>";
        post.slug = "ecrit-dans-carnet";
        post.source = "Du *Markdown* avec `x]]>y` et\n\n- une liste";
        post.html = markup::render_post_body(model::SourceFormat::markdown, post.source);
        post.excerpt = markup::excerpt(post.html);
        post.published_at = model::Instant{std::chrono::seconds{1700000000}};
        post.updated_at = post.published_at;
        post.categories.push_back({0, blog_id_, "Liban", "", 0});
        auto created = writer.posts().create_post(post);
        if (!created) return std::unexpected(created.error());
        native_id = *created;
        if (auto tags = writer.archive().set_post_extras(blog_id_, native_id, {"Beyrouth"}, {});
            !tags) {
            return tags;
        }
        model::Comment first;
        first.blog_id = blog_id_;
        first.post_id = native_id;
        first.author_name = "Nour";
        first.source = "Premier";
        first.html = markup::render_comment(first.source);
        first.status = model::CommentStatus::approved;
        first.created_at = model::Instant{std::chrono::seconds{1700000100}};
        auto first_id = writer.comments().add_comment(first);
        if (!first_id) return std::unexpected(first_id.error());
        auto reply = first;
        reply.author_name = "Sami";
        reply.source = "Réponse";
        reply.html = markup::render_comment(reply.source);
        reply.parent_id = *first_id;
        reply.created_at = model::Instant{std::chrono::seconds{1700000200}};
        auto reply_id = writer.comments().add_comment(reply);
        if (!reply_id) return std::unexpected(reply_id.error());
        return {};
    }));

    auto exported = export_wordpress(*store_, blog_id_);
    ASSERT_TRUE(exported) << exported.error().message;
    const auto file = write_file("export.xml", *exported);
    const auto fresh = add_blog("fresh.example");
    const auto report = import_wxr_ok(file, fresh);
    EXPECT_EQ(report.imported, 6);  // the file's five posts and menu entry, and the native one
    EXPECT_EQ(report.pages, 1);
    expect_same_posts(posts(), posts(fresh));

    // Categories, the unused one too, and the pages.
    auto want_categories = store_->categories().all_categories(blog_id_);
    auto got_categories = store_->categories().all_categories(fresh);
    ASSERT_TRUE(want_categories && got_categories);
    EXPECT_THAT(names_of(*got_categories), ElementsAreArray(names_of(*want_categories)));
    auto want_pages = store_->pages().pages(blog_id_, false);
    auto got_pages = store_->pages().pages(fresh, false);
    ASSERT_TRUE(want_pages && got_pages);
    ASSERT_EQ(got_pages->size(), 1u);
    EXPECT_EQ(got_pages->front().title, want_pages->front().title);
    EXPECT_EQ(got_pages->front().slug, want_pages->front().slug);

    // What an import kept goes out again: a second export differs only by carnet's own ids.
    auto again = export_wordpress(*store_, fresh);
    ASSERT_TRUE(again);
    EXPECT_THAT(*again, HasSubstr("<wp:meta_key><![CDATA[source]]></wp:meta_key>"));
    EXPECT_THAT(*again, HasSubstr("<wp:status><![CDATA[private]]></wp:status>"));
    EXPECT_THAT(*again, HasSubstr("<wp:post_password><![CDATA[secret]]></wp:post_password>"));
    EXPECT_THAT(*again, HasSubstr("domain=\"post_format\" nicename=\"post-format-aside\""));
    EXPECT_THAT(*again, HasSubstr("<wp:comment_type><![CDATA[pingback]]></wp:comment_type>"));
    EXPECT_THAT(*again,
                HasSubstr("<wp:comment_author_url>javascript:alert(1)</wp:comment_author_url>"));
}

// The text of the first child element of `node` named `name` in namespace `href` (any when
// null).
std::string child_text(const xmlNode* node, const char* name, const char* prefix = nullptr) {
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
        if (child->type != XML_ELEMENT_NODE) continue;
        if (std::string_view(reinterpret_cast<const char*>(child->name)) != name) continue;
        const bool prefixed = child->ns != nullptr && child->ns->prefix != nullptr;
        if (prefix != nullptr && (!prefixed || std::string_view(reinterpret_cast<const char*>(
                                                   child->ns->prefix)) != prefix)) {
            continue;
        }
        xmlChar* content = xmlNodeGetContent(child);
        std::string text = content ? reinterpret_cast<const char*>(content) : "";
        xmlFree(content);
        return text;
    }
    return "\x01missing";
}

// What WordPress's importer needs of a file, checked on a parse by libxml2 itself: well-formed
// XML, <rss><channel> with the WXR 1.2 namespaces and version, every author an item names
// declared, every category an item is filed under declared, every item with an id, type,
// status and date, every reply's parent in the same item.
TEST_F(WxrExport, TheFileHasWhatWordPressImporterReads) {
    import_wxr_ok(k_wordpress_fixture);
    auto exported = export_wordpress(*store_, blog_id_);
    ASSERT_TRUE(exported);
    xmlDoc* doc = xmlReadMemory(exported->data(), static_cast<int>(exported->size()), nullptr,
                                nullptr, XML_PARSE_NONET);
    ASSERT_NE(doc, nullptr) << "not well-formed";
    const xmlNode* rss = xmlDocGetRootElement(doc);
    ASSERT_EQ(std::string_view(reinterpret_cast<const char*>(rss->name)), "rss");
    std::map<std::string, std::string> namespaces;
    for (const xmlNs* ns = rss->nsDef; ns != nullptr; ns = ns->next) {
        namespaces[reinterpret_cast<const char*>(ns->prefix)] =
            reinterpret_cast<const char*>(ns->href);
    }
    EXPECT_EQ(namespaces["wp"], "http://wordpress.org/export/1.2/");
    EXPECT_EQ(namespaces["excerpt"], "http://wordpress.org/export/1.2/excerpt/");
    EXPECT_EQ(namespaces["content"], "http://purl.org/rss/1.0/modules/content/");
    EXPECT_EQ(namespaces["dc"], "http://purl.org/dc/elements/1.1/");
    const xmlNode* channel = rss->children;
    while (channel != nullptr && channel->type != XML_ELEMENT_NODE) channel = channel->next;
    ASSERT_NE(channel, nullptr);
    EXPECT_EQ(child_text(channel, "wxr_version", "wp"), "1.2");
    EXPECT_EQ(child_text(channel, "base_site_url", "wp"), "http://mt.example");

    std::set<std::string> authors, categories, post_ids;
    int items = 0;
    int attachments = 0;
    for (const xmlNode* node = channel->children; node != nullptr; node = node->next) {
        if (node->type != XML_ELEMENT_NODE) continue;
        const std::string_view name(reinterpret_cast<const char*>(node->name));
        if (name == "author") authors.insert(child_text(node, "author_login", "wp"));
        if (name == "category") categories.insert(child_text(node, "category_nicename", "wp"));
        if (name != "item") continue;
        ++items;
        const auto title = child_text(node, "title");
        SCOPED_TRACE(title);
        EXPECT_FALSE(child_text(node, "post_id", "wp").empty());
        const auto type = child_text(node, "post_type", "wp");
        EXPECT_TRUE(type == "post" || type == "page" || type == "attachment" ||
                    type == "nav_menu_item")
            << type;
        if (type == "attachment") {
            ++attachments;
            EXPECT_EQ(child_text(node, "attachment_url", "wp"),
                      "https://blog.example.org/wp-content/uploads/2017/10/convoi.jpg");
            EXPECT_EQ(child_text(node, "status", "wp"), "inherit");
            EXPECT_TRUE(post_ids.contains(child_text(node, "post_parent", "wp")));
        }
        post_ids.insert(child_text(node, "post_id", "wp"));
        EXPECT_NE(child_text(node, "status", "wp"), "\x01missing");
        EXPECT_TRUE(child_text(node, "post_date", "wp").size() == 19);
        const auto creator = child_text(node, "creator", "dc");
        if (!creator.empty() && type == "post") {
            EXPECT_TRUE(authors.contains(creator)) << creator;
        }
        std::set<std::string> comment_ids;
        for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
            if (child->type != XML_ELEMENT_NODE) continue;
            const std::string_view child_name(reinterpret_cast<const char*>(child->name));
            if (child_name == "category") {
                xmlChar* domain = xmlGetProp(child, reinterpret_cast<const xmlChar*>("domain"));
                xmlChar* nicename = xmlGetProp(child, reinterpret_cast<const xmlChar*>("nicename"));
                if (std::string_view(reinterpret_cast<const char*>(domain)) == "category") {
                    EXPECT_TRUE(categories.contains(reinterpret_cast<const char*>(nicename)));
                }
                xmlFree(domain);
                xmlFree(nicename);
            }
            if (child_name == "comment") {
                comment_ids.insert(child_text(child, "comment_id", "wp"));
                const auto parent = child_text(child, "comment_parent", "wp");
                if (parent != "0") {
                    EXPECT_TRUE(comment_ids.contains(parent)) << parent;
                }
            }
        }
    }
    EXPECT_EQ(items, 7);  // four posts, the menu entry, the page and the image of one post
    EXPECT_EQ(attachments, 1);
    xmlFreeDoc(doc);
}

TEST_F(WxrExport, ImagesAreWholeAddressesInTheFileAndCarnetsOwnAgainOnImport) {
    const std::string image =
        "<p><img src=\"/media/ab-960.jpg\" srcset=\"/media/ab-480.jpg 480w, /media/ab-960.jpg "
        "960w\" alt=\"\" /></p>";
    add_html_post("Image", "image", image);
    auto exported = export_wordpress(*store_, blog_id_);
    ASSERT_TRUE(exported);
    EXPECT_THAT(*exported, HasSubstr("src=\"http://mt.example/media/ab-960.jpg\""));
    EXPECT_THAT(*exported, HasSubstr("http://mt.example/media/ab-480.jpg 480w, "
                                     "http://mt.example/media/ab-960.jpg 960w"));
    const auto fresh = add_blog("fresh.example");
    import_wxr_ok(write_file("export.xml", *exported), fresh);
    const auto all = posts(fresh);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].post.source, image);
}

TEST_F(WxrExport, ControlCharactersDoNotBreakTheFile) {
    add_html_post("Bip\x07 et \x1b fin", "bip", "<p>a\x01z ]]> ok</p>");
    auto exported = export_wordpress(*store_, blog_id_);
    ASSERT_TRUE(exported);
    xmlDoc* doc = xmlReadMemory(exported->data(), static_cast<int>(exported->size()), nullptr,
                                nullptr, XML_PARSE_NONET);
    EXPECT_NE(doc, nullptr);
    xmlFreeDoc(doc);
    const auto file = write_file("export.xml", *exported);
    const auto fresh = add_blog("fresh.example");
    import_wxr_ok(file, fresh);
    const auto all = posts(fresh);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].post.title, "Bip et  fin");
    EXPECT_EQ(all[0].post.source, "<p>az ]]> ok</p>");
}

}  // namespace
}  // namespace carnet::interop
