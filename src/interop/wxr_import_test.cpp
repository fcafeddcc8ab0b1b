#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <vips/vips.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "interop/interop.hpp"
#include "interop/write_failure_test_support.hpp"
#include "interop/wxr_test_support.hpp"
#include "model/model.hpp"
#include "store/store.hpp"
#include "text/text.hpp"

namespace carnet::interop {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::k_wordpress_fixture;
using ::testing::Not;
using testing::wxr_document;
using testing::wxr_item;

using WxrImport = testing::WxrStore;

std::vector<std::string> category_names(const model::Post& post) {
    std::vector<std::string> names;
    for (const auto& category : post.categories) names.push_back(category.name);
    return names;
}

bool has_line(const WxrImportReport& report, std::string_view text) {
    return std::ranges::any_of(report.lines,
                               [&](const auto& line) { return line.find(text) != line.npos; });
}

TEST_F(WxrImport, ImportsAPostWithEveryField) {
    const auto report = import_wxr_ok(k_wordpress_fixture);
    EXPECT_EQ(report.imported, 5);  // four posts and a menu entry, kept hidden
    EXPECT_EQ(report.pages, 1);
    EXPECT_EQ(report.accounts, 1);
    EXPECT_EQ(report.encoding, TextEncoding::utf8);
    const auto all = posts();
    ASSERT_EQ(all.size(), 5u);
    const auto* post = find_titled(all, "Alep : l’ONU & les <convois> \"humanitaires\"");
    ASSERT_NE(post, nullptr);
    EXPECT_EQ(post->post.slug, "alep-onu");
    EXPECT_EQ(post->post.status, model::PostStatus::published);
    // The file's UTC date, whatever the blog's zone.
    EXPECT_EQ(text::rfc3339_utc(post->post.published_at), "2017-10-04T18:19:00Z");
    EXPECT_EQ(text::rfc3339_utc(post->post.updated_at), "2017-10-05T07:00:00Z");
    EXPECT_TRUE(post->post.comments_open);
    // Categories in the item's order; the Arabic one's percent-encoded nicename decoded.
    EXPECT_THAT(category_names(post->post), ElementsAre("Syrie", "Alep", "سوريا"));
    for (const auto& category : post->post.categories) {
        EXPECT_FALSE(category.slug.empty());
        EXPECT_THAT(category.slug, Not(HasSubstr("%")));
    }
    EXPECT_THAT(post->tags, ElementsAre("ONU", "convois & aide"));
    EXPECT_EQ(post->post.excerpt, "Un résumé écrit à la main.");
    // Automatic paragraphs as WordPress makes them; CDATA split around "]]>" comes back whole.
    const auto& html = post->post.html;
    EXPECT_THAT(html, HasSubstr("<p>Premier paragraphe, avec un chemin a/b\\c et des "
                                "\"guillemets\".<br />\nUne ligne suivante.</p>"));
    EXPECT_THAT(post->post.source, HasSubstr("<code>a[b[0]]>c</code>"));
    EXPECT_THAT(html, HasSubstr("Русский текст и العربية."));
    // What carnet has no field for is kept for the export.
    EXPECT_EQ(post->meta.at("wp_post_id"), "12");
    EXPECT_EQ(post->meta.at("wp_is_sticky"), "1");
    EXPECT_EQ(post->meta.at("wp_creator"), "claire");
    EXPECT_EQ(post->meta.at("wp_postmeta"),
              R"([["_edit_last","1"],["source","AFP"],["source","Reuters"]])");
    EXPECT_THAT(post->meta.at("wp_terms"), HasSubstr("post_format"));
    EXPECT_THAT(post->meta.at("wp_attachments"), HasSubstr("uploads/2017/10/convoi.jpg"));
    // The author got an account without password, and the post is theirs.
    auto login = store_->accounts().find_login("claire@example.org");
    ASSERT_TRUE(login && *login);
    EXPECT_EQ((*login)->user.name, "Claire Dupont");
    EXPECT_EQ((*login)->password_hash, "");
    EXPECT_EQ(post->post.author_id, (*login)->user.id);
    // The old address leads to the post.
    auto redirected = store_->redirects().find_post_redirect(blog_id_, "/2017/10/04/alep-onu/");
    ASSERT_TRUE(redirected && *redirected);
    EXPECT_EQ((*redirected)->id, post->post.id);
    // A category no post uses is there too.
    auto categories = store_->categories().all_categories(blog_id_);
    ASSERT_TRUE(categories);
    EXPECT_TRUE(std::ranges::any_of(
        *categories, [](const auto& category) { return category.name == "Sans billet"; }));
}

TEST_F(WxrImport, CommentsKeepTheirThreadsStatusAndKind) {
    import_wxr_ok(k_wordpress_fixture);
    const auto all = posts();
    const auto* post = find_titled(all, "Alep : l’ONU & les <convois> \"humanitaires\"");
    ASSERT_NE(post, nullptr);
    ASSERT_EQ(post->comments.size(), 5u);
    std::map<std::string, const store::ArchivedComment*> by_wp_id;
    std::map<std::int64_t, std::string> wp_id_of;
    for (const auto& comment : post->comments) {
        by_wp_id[comment.meta.at("wp_comment_id")] = &comment;
        wp_id_of[comment.comment.id] = comment.meta.at("wp_comment_id");
    }
    // 31 answers 30 although it comes first in the file; 34 answers 31.
    EXPECT_EQ(by_wp_id.at("30")->comment.parent_id, 0);
    EXPECT_EQ(wp_id_of.at(by_wp_id.at("31")->comment.parent_id), "30");
    EXPECT_EQ(wp_id_of.at(by_wp_id.at("34")->comment.parent_id), "31");
    const auto& lea = *by_wp_id.at("30");
    EXPECT_EQ(lea.comment.author_name, "Léa");
    EXPECT_EQ(lea.comment.status, model::CommentStatus::approved);
    EXPECT_EQ(text::rfc3339_utc(lea.comment.created_at), "2017-10-04T18:30:00Z");
    EXPECT_EQ(lea.author_ip, "198.51.100.4");
    // A javascript: address is not a link on carnet, but the export gives it back.
    EXPECT_EQ(lea.comment.author_url, "");
    EXPECT_EQ(lea.meta.at("url"), "javascript:alert(1)");
    EXPECT_THAT(lea.comment.html, HasSubstr("Merci !"));
    EXPECT_THAT(lea.comment.html, Not(HasSubstr("<script")));
    EXPECT_EQ(lea.meta.at("wp_commentmeta"), R"([["akismet_result","false"]])");
    EXPECT_EQ(by_wp_id.at("32")->kind, store::CommentKind::ping);
    EXPECT_EQ(by_wp_id.at("32")->meta.at("wp_comment_type"), "pingback");
    EXPECT_EQ(by_wp_id.at("33")->comment.status, model::CommentStatus::spam);
    EXPECT_EQ(by_wp_id.at("34")->comment.status, model::CommentStatus::pending);
}

TEST_F(WxrImport, DraftsPrivateAndProtectedPostsStayHidden) {
    const auto report = import_wxr_ok(k_wordpress_fixture);
    const auto all = posts();
    const auto* draft = find_titled(all, "Un brouillon");
    ASSERT_NE(draft, nullptr);
    EXPECT_EQ(draft->post.status, model::PostStatus::draft);
    // No UTC date for a draft: its local date, read in the blog's zone (Paris, summer).
    EXPECT_EQ(text::rfc3339_utc(draft->post.published_at), "2017-10-06T07:30:00Z");
    EXPECT_EQ(draft->post.slug, "un-brouillon");
    EXPECT_FALSE(draft->post.comments_open);
    // Block editor content is complete HTML: no paragraphs added around its comments.
    EXPECT_EQ(draft->post.source,
              "<!-- wp:paragraph -->\n<p>Écrit avec l'éditeur de blocs.</p>\n"
              "<!-- /wp:paragraph -->");
    EXPECT_EQ(draft->post.author_id, 0);  // the guest author has no e-mail, so no account
    EXPECT_EQ(draft->meta.at("wp_creator"), "invite");

    const auto* hidden = find_titled(all, "Réservé");
    ASSERT_NE(hidden, nullptr);
    EXPECT_EQ(hidden->post.status, model::PostStatus::draft);
    EXPECT_EQ(hidden->meta.at("wp_status"), "private");
    const auto* locked = find_titled(all, "Protégé");
    ASSERT_NE(locked, nullptr);
    EXPECT_EQ(locked->post.status, model::PostStatus::draft);
    EXPECT_EQ(locked->meta.at("wp_post_password"), "secret");
    EXPECT_TRUE(has_line(report, "\"Protégé\" is protected by a password"));
    EXPECT_TRUE(has_line(report, "\"Réservé\" is private in WordPress: imported as a draft"));
}

TEST_F(WxrImport, PagesBecomeStaticPagesAndWhatIsUnknownIsReported) {
    const auto report = import_wxr_ok(k_wordpress_fixture);
    auto pages = store_->pages().pages(blog_id_, false);
    ASSERT_TRUE(pages);
    ASSERT_EQ(pages->size(), 1u);
    EXPECT_EQ(pages->front().title, "À propos");
    EXPECT_EQ(pages->front().slug, "a-propos");
    EXPECT_TRUE(pages->front().published);
    EXPECT_EQ(pages->front().position, 1);
    EXPECT_THAT(pages->front().html, HasSubstr("<p>Et pourquoi.</p>"));
    EXPECT_TRUE(has_line(report,
                         "line 300: imported \"Accueil\" (publish of type nav_menu_item, "
                         "kept as a draft"));
    EXPECT_TRUE(has_line(report,
                         "unknown element <wp:custom_field> in an item: ignored (1 in "
                         "the file)"));
    EXPECT_TRUE(has_line(report, "<wp:term> of taxonomy nav_menu: not imported"));
    EXPECT_TRUE(has_line(report, "terms of taxonomy post_format are kept in the posts' metadata"));
    EXPECT_TRUE(has_line(report, "imported \"Protégé\" (publish, now a draft"));
    EXPECT_TRUE(has_line(report, "<wp:category> \"Alep\" is under \"syrie\""));
    EXPECT_TRUE(has_line(report, "<wp:author> invite has no e-mail"));
    EXPECT_TRUE(has_line(report,
                         "attachment https://blog.example.org/wp-content/uploads/2017/"
                         "10/convoi.jpg"));
}

TEST_F(WxrImport, ImportingTheSameFileTwiceAddsNothing) {
    import_wxr_ok(k_wordpress_fixture);
    const auto before = posts();
    const auto again = import_wxr_ok(k_wordpress_fixture);
    EXPECT_EQ(again.imported, 0);
    EXPECT_EQ(again.merged, 0);
    EXPECT_EQ(again.skipped, 6);  // four posts, the menu entry and the page
    EXPECT_EQ(again.pages, 0);
    EXPECT_EQ(again.accounts, 0);
    const auto after = posts();
    ASSERT_EQ(after.size(), before.size());
    for (std::size_t at = 0; at < after.size(); ++at) {
        EXPECT_EQ(after[at].comments.size(), before[at].comments.size());
    }
}

TEST_F(WxrImport, ACommentAddedSinceIsMergedUnderItsParent) {
    const std::string comment =
        "<wp:comment><wp:comment_id>{}</wp:comment_id><wp:comment_author>A</wp:comment_author>"
        "<wp:comment_date_gmt>2020-01-0{} 10:00:00</wp:comment_date_gmt>"
        "<wp:comment_content>Texte {}</wp:comment_content>"
        "<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>{}</wp:comment_parent>"
        "</wp:comment>";
    const auto make = [&](int id, int day, int parent) {
        std::string text = comment;
        for (const auto& value : {std::to_string(id), std::to_string(day), std::to_string(id),
                                  std::to_string(parent)}) {
            text.replace(text.find("{}"), 2, value);
        }
        return text;
    };
    const auto first = write_file(
        "first.xml",
        wxr_document("1.2", wxr_item("Billet", "5", "2020-01-01 09:00:00", make(1, 1, 0))));
    const auto second =
        write_file("second.xml", wxr_document("1.2", wxr_item("Billet", "5", "2020-01-01 09:00:00",
                                                              make(1, 1, 0) + make(2, 2, 1))));
    import_wxr_ok(first);
    const auto report = import_wxr_ok(second);
    EXPECT_EQ(report.merged, 1);
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    ASSERT_EQ(all[0].comments.size(), 2u);
    EXPECT_EQ(all[0].comments[1].comment.parent_id, all[0].comments[0].comment.id);
}

TEST_F(WxrImport, ReadsVersionsOneZeroAndOneOne) {
    // WXR 1.0: no authors, categories without a domain, tags with domain="tag".
    const auto old = write_file(
        "old.xml",
        wxr_document("1.0", wxr_item("Ancien", "3", "2008-05-01 12:00:00",
                                     "<category><![CDATA[Liban]]></category>\n"
                                     "<category domain=\"tag\"><![CDATA[beyrouth]]></category>\n"
                                     "<category domain=\"tag\" nicename=\"beyrouth\">"
                                     "<![CDATA[beyrouth]]></category>\n")));
    auto report = import_wxr_ok(old);
    EXPECT_EQ(report.imported, 1);
    // WXR 1.1: domain="post_tag" with nicenames, as 1.2.
    const auto middle = write_file(
        "middle.xml",
        wxr_document("1.1", wxr_item("Moyen", "4", "2012-05-01 12:00:00",
                                     "<category domain=\"category\" nicename=\"irak\">"
                                     "<![CDATA[Irak]]></category>\n"
                                     "<category domain=\"post_tag\" nicename=\"mossoul\">"
                                     "<![CDATA[Mossoul]]></category>\n")));
    report = import_wxr_ok(middle);
    EXPECT_EQ(report.imported, 1);
    const auto all = posts();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_THAT(category_names(all[0].post), ElementsAre("Liban"));
    EXPECT_THAT(all[0].tags, ElementsAre("beyrouth"));
    EXPECT_THAT(category_names(all[1].post), ElementsAre("Irak"));
    EXPECT_THAT(all[1].tags, ElementsAre("Mossoul"));
}

TEST_F(WxrImport, Latin1AndWindows1252AreStoredAsUtf8) {
    // Declared in the file.
    std::string declared = wxr_document("1.2", wxr_item("Caf\xe9", "1", "2010-01-01 10:00:00"));
    declared.replace(declared.find("UTF-8"), 5, "ISO-8859-1");
    import_wxr_ok(write_file("latin1.xml", declared));
    // Declared UTF-8 but not: read as windows-1252 (0x92 is a right quote there).
    const std::string mislabelled =
        wxr_document("1.2", wxr_item("L\x92\xe9t\xe9", "2", "2010-01-02 10:00:00"));
    const auto report = import_wxr_ok(write_file("cp1252.xml", mislabelled));
    EXPECT_EQ(report.encoding, TextEncoding::windows1252);
    EXPECT_TRUE(has_line(report, "not valid UTF-8: read as windows-1252"));
    // Or said on the command line.
    const std::string undeclared =
        wxr_document("1.2", wxr_item("No\xebl", "3", "2010-01-03 10:00:00"));
    WxrImportOptions options;
    options.encoding = TextEncoding::latin1;
    import_wxr_ok(write_file("given.xml", undeclared), 0, options);
    const auto all = posts();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].post.title, "Café");
    EXPECT_EQ(all[1].post.title, "L’été");
    EXPECT_EQ(all[2].post.title, "Noël");
}

std::string make_jpeg(int width, int height) {
    VipsImage* black = nullptr;
    if (vips_black(&black, width, height, "bands", 3, nullptr) != 0) return {};
    void* buffer = nullptr;
    std::size_t size = 0;
    const int failed = vips_image_write_to_buffer(black, ".jpg", &buffer, &size, nullptr);
    g_object_unref(black);
    if (failed != 0) return {};
    std::string bytes(static_cast<const char*>(buffer), size);
    g_free(buffer);
    return bytes;
}

TEST_F(WxrImport, UploadsAreStoredAndPostsShowCarnetsCopy) {
    const auto jpeg = make_jpeg(640, 480);
    ASSERT_FALSE(jpeg.empty());
    write_file("uploads/2017/10/convoi.jpg", jpeg);
    const auto media_dir = directory_ / "media";
    std::filesystem::create_directories(media_dir);
    WxrImportOptions options;
    options.uploads_dir = directory_ / "uploads";
    options.media_dir = media_dir;
    const auto report = import_wxr_ok(k_wordpress_fixture, 0, options);
    EXPECT_EQ(report.media, 1);
    auto stored = store_->media().media(blog_id_, 0, 10);
    ASSERT_TRUE(stored);
    ASSERT_EQ(stored->size(), 1u);
    const auto& record = stored->front();
    EXPECT_EQ(record.width, 640);
    ASSERT_FALSE(record.variants.empty());
    EXPECT_TRUE(std::filesystem::exists(media_dir / record.variants.back().file_name));
    const auto all = posts();
    const auto* post = find_titled(all, "Alep : l’ONU & les <convois> \"humanitaires\"");
    ASSERT_NE(post, nullptr);
    // The sized copy WordPress linked (convoi-300x200.jpg) now points at carnet's image.
    EXPECT_THAT(post->post.html, HasSubstr("/media/" + record.variants.back().file_name));
    EXPECT_THAT(post->post.html, Not(HasSubstr("wp-content/uploads")));
}

// Counts of what an import could have written: none of them may move on a refused file.
std::vector<std::size_t> fingerprint(store::Store& store, std::int64_t blog_id) {
    auto posts = store.archive().archived_posts(blog_id);
    auto categories = store.categories().all_categories(blog_id);
    auto pages = store.pages().pages(blog_id, false);
    auto users = store.accounts().list_users();
    std::size_t comments = 0;
    if (posts) {
        for (const auto& post : *posts) comments += post.comments.size();
    }
    return {posts ? posts->size() : 99, comments, categories ? categories->size() : 99,
            pages ? pages->size() : 99, users ? users->size() : 99};
}

struct BrokenFile {
    std::string name;
    std::string bytes;
    std::string message;  // what the error must say
};

TEST_F(WxrImport, BrokenFilesGiveALineNumberAndChangeNothing) {
    std::ifstream in(k_wordpress_fixture, std::ios::binary);
    const std::string whole((std::istreambuf_iterator<char>(in)), {});
    // Cut after the first post: that post was already written when the error is met.
    const auto cut = whole.find("<title>Un brouillon</title>");
    ASSERT_NE(cut, std::string::npos);
    const std::string bomb =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY a \"aaaaaaaaaa\">\n"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
        "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
        "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
        "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
        "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n]>\n"
        "<rss><channel><title>&g;</title></channel></rss>\n";
    const std::string external =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY secret SYSTEM "
        "\"file:///etc/passwd\">]>\n<rss><channel><title>&secret;</title></channel></rss>\n";
    std::string bad_date = wxr_document("1.2", wxr_item("Bon", "1", "2020-01-01 10:00:00") +
                                                   wxr_item("Mauvais", "2", "2020-02-31 10:00:00"));
    std::string bad_comment_date = wxr_document(
        "1.2", wxr_item("Bon", "1", "2020-01-01 10:00:00",
                        "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_date>hier"
                        "</wp:comment_date><wp:comment_content>x</wp:comment_content>"
                        "</wp:comment>"));
    const std::vector<BrokenFile> broken{
        {"truncated", whole.substr(0, cut), "line"},
        {"mismatched", wxr_document("1.2", "<item><title>x</titre></item>"), "malformed XML"},
        {"bomb", bomb, "DOCTYPE|entity"},
        {"external entity", external, "DOCTYPE"},
        {"not rss", "<?xml version=\"1.0\"?><html><body/></html>", "not a WordPress export"},
        {"no version and no WordPress item",
         "<rss><channel><item><title>x</title></item></channel></rss>", "no <wp:wxr_version>"},
        {"invalid date", bad_date, "invalid post date .2020-02-31 10:00:00."},
        {"invalid comment date", bad_comment_date, "invalid comment date .hier."},
        {"empty", "", "line"},
        {"binary", std::string("\x00\x01\x02\xff\xfe", 5), "line"},
    };
    const auto before = fingerprint(*store_, blog_id_);
    for (const auto& file : broken) {
        SCOPED_TRACE(file.name);
        const auto path = write_file("broken.xml", file.bytes);
        auto report = import_wordpress(*store_, blog_id_, path);
        ASSERT_FALSE(report);
        EXPECT_EQ(report.error().code, model::Error::Code::invalid_input);
        EXPECT_THAT(report.error().message, ::testing::ContainsRegex(file.message));
        EXPECT_THAT(report.error().message, ::testing::StartsWith("line "));
        EXPECT_EQ(fingerprint(*store_, blog_id_), before);
    }
    EXPECT_THAT(fingerprint(*store_, blog_id_), ElementsAre(0, 0, 0, 0, 0));
}

TEST_F(WxrImport, PrefixesBindTheVocabulariesWhateverTheirUri) {
    auto document = wxr_document("1.2", wxr_item("Sécurisé", "1", "2020-01-01 10:00:00",
                                                 "<excerpt:encoded><![CDATA[Un résumé.]]>"
                                                 "</excerpt:encoded>"));
    // https:// as newer exports write it, and an excerpt: bound to a URI of its own.
    auto replace = [&](std::string_view from, std::string_view to) {
        const auto at = document.find(from);
        ASSERT_NE(at, std::string::npos) << from;
        document.replace(at, from.size(), to);
    };
    replace("xmlns:wp=\"http://wordpress.org/export/1.2/\"",
            "xmlns:wp=\"https://wordpress.org/export/1.2/\"");
    replace("xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\"",
            "xmlns:excerpt=\"urn:example:résumé\"");
    const auto report = import_wxr_ok(write_file("https.xml", document));
    EXPECT_EQ(report.imported, 1);
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].post.title, "Sécurisé");
    EXPECT_EQ(all[0].post.excerpt, "Un résumé.");
    EXPECT_EQ(all[0].post.status, model::PostStatus::published);
}

TEST_F(WxrImport, AMissingVersionIsAWarningWhenTheItemsAreWordPresss) {
    auto document = wxr_document("1.2", wxr_item("Sans version", "1", "2020-01-01 10:00:00"));
    const std::string version = "<wp:wxr_version>1.2</wp:wxr_version>\n";
    const auto at = document.find(version);
    ASSERT_NE(at, std::string::npos);
    document.erase(at, version.size());
    const auto report = import_wxr_ok(write_file("no-version.xml", document));
    EXPECT_EQ(report.imported, 1);
    EXPECT_TRUE(std::ranges::any_of(report.lines, [](const std::string& line) {
        return line.find("no <wp:wxr_version> before the first item: read as WXR 1.2") !=
               std::string::npos;
    }));
}

TEST_F(WxrImport, UndatedPostsTakeTheImportTimeAndUndatedCommentsTheirPosts) {
    const std::string undated =
        "<item>\n<title>Sans date</title>\n<content:encoded><![CDATA[x]]></content:encoded>\n"
        "<wp:post_id>7</wp:post_id>\n<wp:post_date>0000-00-00 00:00:00</wp:post_date>\n"
        "<wp:post_date_gmt></wp:post_date_gmt>\n<wp:status>publish</wp:status>\n"
        "<wp:post_type>post</wp:post_type>\n</item>\n";
    const std::string comment =
        "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author></wp:comment_author>"
        "<wp:comment_date>0000-00-00 00:00:00</wp:comment_date>"
        "<wp:comment_date_gmt>0000-00-00 00:00:00</wp:comment_date_gmt>"
        "<wp:comment_content>Anonyme et sans date.</wp:comment_content>"
        "<wp:comment_approved>1</wp:comment_approved></wp:comment>";
    WxrImportOptions options;
    options.import_time = model::Instant{std::chrono::sys_days{std::chrono::year{2026} / 11 / 30} +
                                         std::chrono::hours{10}};
    const auto report = import_wxr_ok(
        write_file(
            "undated.xml",
            wxr_document("1.2", undated + wxr_item("Daté", "8", "2020-01-01 10:00:00", comment))),
        0, options);
    EXPECT_EQ(report.imported, 2);
    const auto has = [&](std::string_view text) {
        return std::ranges::any_of(report.lines, [&](const std::string& line) {
            return line.find(text) != std::string::npos;
        });
    };
    EXPECT_TRUE(has("\"Sans date\" has no date: dated at the time of the import"));
    EXPECT_TRUE(has("a comment without date: given its post's date"));
    const auto all = posts();
    const auto* undated_post = find_titled(all, "Sans date");
    const auto* dated_post = find_titled(all, "Daté");
    ASSERT_TRUE(undated_post && dated_post);
    EXPECT_EQ(undated_post->post.published_at, options.import_time);
    ASSERT_EQ(dated_post->comments.size(), 1u);
    EXPECT_EQ(dated_post->comments[0].comment.created_at, dated_post->post.published_at);
    EXPECT_EQ(dated_post->comments[0].comment.source, "Anonyme et sans date.");
}

TEST_F(WxrImport, AFailedWriteAfterSomePostsLeavesNothing) {
    const auto document =
        wxr_document("1.2", wxr_item("Premier", "1", "2020-01-01 10:00:00",
                                     "<category domain=\"category\" nicename=\"une\">"
                                     "<![CDATA[Une]]></category>") +
                                wxr_item("Deuxième", "2", "2020-01-02 10:00:00") +
                                wxr_item("Troisième", "3", "2020-01-03 10:00:00"));
    testing::fail_writes_of_post_titled(directory_ / "carnet.db", "Troisième");
    auto failed = import_wordpress(*store_, blog_id_, write_file("fails.xml", document));
    ASSERT_FALSE(failed);
    EXPECT_THAT(fingerprint(*store_, blog_id_), ElementsAre(0, 0, 0, 0, 0));
}

}  // namespace
}  // namespace carnet::interop
