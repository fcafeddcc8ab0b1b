#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "interop/interop.hpp"
#include "interop/mt_test_support.hpp"
#include "markup/markup.hpp"
#include "model/model.hpp"
#include "store/store.hpp"

namespace carnet::interop {
namespace {

using ::testing::HasSubstr;
using testing::mt_entry;
using testing::mt_testdata;
using ::testing::Not;

using namespace std::chrono_literals;

class MtExport : public testing::MtStore {
protected:
    std::string export_ok(std::int64_t blog_id = 0) {
        auto text = export_movable_type(*store_, blog_id == 0 ? blog_id_ : blog_id);
        EXPECT_TRUE(text) << text.error().message;
        return text ? *text : std::string();
    }

    // A post written in carnet (Markdown, an author account, a comment typed on the site),
    // nothing of Movable Type's.
    void add_native_post() {
        auto written = store_->write([&](store::Writer& writer) -> model::Status {
            auto user = writer.accounts().create_user({0, "auteur@example.org", "Léa Martin"}, "x");
            if (!user) return std::unexpected(user.error());
            model::Post post;
            post.blog_id = blog_id_;
            post.status = model::PostStatus::published;
            post.title = "Écrit dans carnet";
            post.source = "Du *Markdown*,\n\navec deux paragraphes.";
            post.html = markup::render_post_body(post.source_format, post.source);
            post.excerpt = "À la main.";
            post.published_at = model::Instant{std::chrono::sys_days{2022y / 6 / 1} + 9h};
            post.updated_at = post.published_at;
            post.author_id = *user;
            post.categories.push_back(model::Category{0, blog_id_, "Culture", "", 0});
            auto id = writer.posts().create_post(post);
            if (!id) return std::unexpected(id.error());
            model::Comment comment;
            comment.blog_id = blog_id_;
            comment.post_id = *id;
            comment.author_name = "Lecteur";
            comment.source = "Bravo, *vraiment*.";
            comment.html = markup::render_comment(comment.source);
            comment.status = model::CommentStatus::approved;
            comment.created_at = post.published_at + 1h;
            auto added = writer.comments().add_comment(comment);
            if (!added) return std::unexpected(added.error());
            comment.source = "En attente.";
            comment.status = model::CommentStatus::pending;
            added = writer.comments().add_comment(comment);
            if (!added) return std::unexpected(added.error());
            return {};
        });
        ASSERT_TRUE(written) << written.error().message;
    }
};

TEST_F(MtExport, GivesBackWhatTheImportRead) {
    import_ok(mt_testdata("typepad.txt"));
    const auto text = export_ok();
    // Everything the file said, in the format's order; the one change is that PRIMARY
    // CATEGORY is also listed among the CATEGORY lines, as Movable Type writes it.
    EXPECT_THAT(text, HasSubstr("AUTHOR: Claire Dupont\nTITLE: L'État islamique attaque le "
                                "tribunal de Misrata\nBASENAME: l_etat_islamique_attaque\n"
                                "STATUS: Publish\nALLOW COMMENTS: 1\nCONVERT BREAKS: 1\n"
                                "ALLOW PINGS: 1\nPRIMARY CATEGORY: Libye\nCATEGORY: Libye\n"
                                "CATEGORY: Etat Islamique\nCATEGORY: Misrata\n"
                                "DATE: 10/04/2017 08:19:00 PM\n"
                                "TAGS: \"Syrte, Libye\",terrorisme,justice\n-----\n"));
    EXPECT_THAT(text, HasSubstr("BODY:\nPremier paragraphe, avec une \"citation\" et un chemin "
                                "a/b\\c.\nUne ligne après un seul saut.\n\nSecond paragraphe.\n"
                                "-----\nEXTENDED BODY:\n"));
    EXPECT_THAT(text, HasSubstr("KEYWORDS:\nlibye, misrata\n-----\n"));
    EXPECT_THAT(text, HasSubstr("COMMENT:\nAUTHOR: Ahmed\nEMAIL: ahmed@example.org\n"
                                "URL: http://ahmed.example.org/\nIP: 192.0.2.10\n"
                                "DATE: 10/04/2017 09:05:12 PM\nMerci pour cet article.<br />\n"));
    EXPECT_THAT(text, HasSubstr("URL: javascript:alert(1)\n"));
    EXPECT_THAT(text, HasSubstr("PING:\nTITLE: Revue de presse\nURL: http://other.example/revue\n"
                                "IP: 198.51.100.7\nBLOG NAME: Un autre blog\n"
                                "DATE: 10/05/2017 12:30:00 PM\n"));
    EXPECT_THAT(text, HasSubstr("STATUS: Draft\nALLOW COMMENTS: 0\nCONVERT BREAKS: markdown\n"));
    EXPECT_THAT(text, HasSubstr("STATUS: Future\nALLOW COMMENTS: 2\nCONVERT BREAKS: 0\n"));
}

TEST_F(MtExport, ExportImportIntoAFreshBlogAndExportAgainIsIdentical) {
    import_ok(mt_testdata("typepad.txt"));
    import_ok(mt_entry("سوريا: \"الهجوم\" / 東京", "07/14/2016 11:59:59 PM", "TAGS: a,\"b, c\"\n"));
    add_native_post();
    const auto first = export_ok();
    const auto fresh = add_blog("fresh.example");
    const auto report = import_ok(first, fresh);
    EXPECT_EQ(report.imported, 5);
    const auto second = export_ok(fresh);
    EXPECT_EQ(first, second);
    // And once more, to be sure the format is a fixed point.
    const auto third_blog = add_blog("third.example");
    import_ok(second, third_blog);
    EXPECT_EQ(export_ok(third_blog), second);
}

TEST_F(MtExport, CarnetPostsGetTheirAuthorMarkdownAndApprovedCommentsOnly) {
    add_native_post();
    const auto text = export_ok();
    EXPECT_THAT(text, HasSubstr("AUTHOR: Léa Martin\nTITLE: Écrit dans carnet\n"
                                "BASENAME: ecrit-dans-carnet\nSTATUS: Publish\n"
                                "ALLOW COMMENTS: 1\nCONVERT BREAKS: markdown\n"
                                "PRIMARY CATEGORY: Culture\nCATEGORY: Culture\n"
                                "DATE: 06/01/2022 11:00:00 AM\n-----\n"
                                "BODY:\nDu *Markdown*,\n\navec deux paragraphes.\n-----\n"
                                "EXCERPT:\nÀ la main.\n-----\n"
                                "COMMENT:\nAUTHOR: Lecteur\n"));
    EXPECT_THAT(text, HasSubstr("Bravo, *vraiment*.\n-----\n--------\n"));
    EXPECT_THAT(text, Not(HasSubstr("En attente.")));
}

TEST_F(MtExport, AnEditedBodyIsExportedAsCarnetHoldsIt) {
    import_ok(mt_testdata("typepad.txt"));
    auto first = posts()[0].post;
    first.source = "<p>Réécrit dans l'éditeur.</p>";
    first.html = markup::render_post_body(first.source_format, first.source);
    auto updated =
        store_->write([&](store::Writer& writer) { return writer.posts().update_post(first); });
    ASSERT_TRUE(updated) << updated.error().message;
    const auto text = export_ok();
    EXPECT_THAT(text, HasSubstr("CONVERT BREAKS: 0\nALLOW PINGS: 1\n"));
    EXPECT_THAT(text, HasSubstr("BODY:\n<p>Réécrit dans l'éditeur.</p>\n-----\nEXCERPT:\n"));
    EXPECT_THAT(text, Not(HasSubstr("Premier paragraphe")));
}

TEST_F(MtExport, TrashedPostsStayOut) {
    import_ok(mt_entry("À jeter", "01/01/2020 10:00:00 AM") +
              mt_entry("À garder", "01/02/2020 10:00:00 AM"));
    auto thrown = posts()[0].post;
    thrown.status = model::PostStatus::trash;
    auto updated =
        store_->write([&](store::Writer& writer) { return writer.posts().update_post(thrown); });
    ASSERT_TRUE(updated) << updated.error().message;
    const auto text = export_ok();
    EXPECT_THAT(text, Not(HasSubstr("À jeter")));
    EXPECT_THAT(text, HasSubstr("TITLE: À garder\n"));
}

TEST_F(MtExport, AnEmptyBlogGivesAnEmptyFile) { EXPECT_EQ(export_ok(), ""); }

TEST_F(MtExport, ABodyLineOfDashesSurvivesTheRoundTrip) {
    auto written = store_->write([&](store::Writer& writer) -> model::Status {
        model::Post post;
        post.blog_id = blog_id_;
        post.status = model::PostStatus::published;
        post.title = "Tirets";
        post.source_format = model::SourceFormat::html;
        post.source = "<p>Avant</p>\n-----\n--------\n<p>Après</p>";
        post.html = post.source;
        post.published_at = model::Instant{std::chrono::sys_days{2022y / 6 / 1} + 9h};
        post.updated_at = post.published_at;
        auto id = writer.posts().create_post(post);
        if (!id) return std::unexpected(id.error());
        return {};
    });
    ASSERT_TRUE(written) << written.error().message;
    const auto exported = export_ok();
    EXPECT_THAT(exported, HasSubstr("\n&#45;----\n&#45;-------\n"));
    const auto other = add_blog("autre.example");
    auto imported = import_movable_type(*store_, other, exported);
    ASSERT_TRUE(imported) << imported.error().message;
    auto posts = store_->archive().archived_posts(other);
    ASSERT_TRUE(posts);
    ASSERT_EQ(posts->size(), 1u);
    EXPECT_EQ((*posts)[0].post.source, "<p>Avant</p>\n-----\n--------\n<p>Après</p>");
    EXPECT_EQ(export_ok(other), exported);
}

}  // namespace
}  // namespace carnet::interop
