#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "interop/interop.hpp"
#include "interop/mt_test_support.hpp"
#include "interop/write_failure_test_support.hpp"
#include "model/model.hpp"
#include "store/store.hpp"
#include "text/text.hpp"

namespace carnet::interop {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::mt_entry;
using testing::mt_testdata;
using ::testing::Not;

using MtImport = testing::MtStore;

std::vector<std::string> category_names(const model::Post& post) {
    std::vector<std::string> names;
    for (const auto& category : post.categories) names.push_back(category.name);
    return names;
}

TEST_F(MtImport, ImportsEveryHeaderKeyAndSection) {
    const auto report = import_ok(mt_testdata("typepad.txt"));
    EXPECT_EQ(report.imported, 3);
    EXPECT_EQ(report.merged, 0);
    EXPECT_EQ(report.skipped, 0);
    EXPECT_EQ(report.encoding, TextEncoding::utf8);
    const auto all = posts();
    ASSERT_EQ(all.size(), 3u);

    const auto& first = all[0];
    EXPECT_EQ(first.post.title, "L'État islamique attaque le tribunal de Misrata");
    EXPECT_EQ(first.post.slug, "l-etat-islamique-attaque");
    EXPECT_EQ(first.post.status, model::PostStatus::published);
    EXPECT_TRUE(first.post.comments_open);
    // 20:19 in Paris, summer time.
    EXPECT_EQ(text::rfc3339_utc(first.post.published_at), "2017-10-04T18:19:00Z");
    // PRIMARY CATEGORY first, then the others in order, without repeating it.
    EXPECT_THAT(category_names(first.post), ElementsAre("Libye", "Etat Islamique", "Misrata"));
    EXPECT_THAT(first.tags, ElementsAre("Syrte, Libye", "terrorisme", "justice"));
    EXPECT_EQ(first.post.excerpt, "Un résumé écrit à la main.");
    EXPECT_EQ(first.meta.at("mt_author"), "Claire Dupont");
    EXPECT_EQ(first.meta.at("mt_allow_pings"), "1");
    EXPECT_EQ(first.meta.at("mt_convert_breaks"), "1");
    EXPECT_EQ(first.meta.at("mt_keywords"), "libye, misrata");
    EXPECT_EQ(first.meta.at("mt_extended_body"), "La suite, cachée derrière « lire la suite ».");
    EXPECT_EQ(first.meta.at("mt_basename"), "l_etat_islamique_attaque");
    // Convert breaks: a blank line makes paragraphs, a single break a <br />; the extended
    // body follows the body on the page.
    EXPECT_THAT(first.post.html, HasSubstr("<p>Premier paragraphe, avec une \"citation\" "
                                           "et un chemin a/b\\c.<br />\nUne ligne"));
    EXPECT_THAT(first.post.html, HasSubstr("<p>Second paragraphe.</p>"));
    EXPECT_THAT(first.post.html, HasSubstr("<p>La suite, cachée derrière « lire la suite ».</p>"));
}

TEST_F(MtImport, ConvertBreaksZeroKeepsHtmlAndMarkdownGoesThroughMd4c) {
    import_ok(mt_testdata("typepad.txt"));
    const auto all = posts();
    ASSERT_EQ(all.size(), 3u);
    const auto& draft = all[1];
    EXPECT_EQ(draft.post.status, model::PostStatus::draft);
    EXPECT_FALSE(draft.post.comments_open);
    EXPECT_EQ(draft.post.source_format, model::SourceFormat::markdown);
    EXPECT_THAT(draft.post.html, HasSubstr("<em>Un</em> brouillon"));
    EXPECT_THAT(draft.post.html, HasSubstr("Et une suite."));
    const auto& future = all[2];
    EXPECT_EQ(future.post.status, model::PostStatus::scheduled);
    EXPECT_FALSE(future.post.comments_open);
    EXPECT_EQ(future.meta.at("mt_allow_comments"), "2");
    EXPECT_EQ(future.post.source_format, model::SourceFormat::html);
    EXPECT_EQ(future.post.source, "<p>Du <strong>HTML</strong> tel quel.</p>");
    EXPECT_EQ(future.post.slug, "programme-en-html");
    // The body read is kept for the export only where the source is not that body already:
    // converted breaks and an extended body, not HTML kept as written.
    EXPECT_THAT(all[0].meta.at("mt_body"), HasSubstr("Une ligne après un seul saut.\n\nSecond"));
    EXPECT_FALSE(all[0].meta.contains("mt_body_is_source"));
    EXPECT_FALSE(future.meta.contains("mt_body"));
    EXPECT_EQ(future.meta.at("mt_body_is_source"), "1");
}

TEST_F(MtImport, OldPathRedirectsWhenTheBasenameIsNotASlug) {
    const auto report = import_ok(mt_testdata("typepad.txt"));
    EXPECT_THAT(report.lines[0],
                HasSubstr("/archive/2017/10/04/l_etat_islamique_attaque.html redirects to "
                          "/archive/2017/10/04/l-etat-islamique-attaque.html"));
    auto found = store_->redirects().find_post_redirect(
        blog_id_, "/archive/2017/10/04/l_etat_islamique_attaque.html");
    ASSERT_TRUE(found) << found.error().message;
    ASSERT_TRUE(*found);
    EXPECT_EQ((*found)->slug, "l-etat-islamique-attaque");
    // A basename that is already a slug is the post's path: nothing to redirect.
    auto none = store_->redirects().find_post_redirect(
        blog_id_, "/archive/2018/01/15/brouillon-en-markdown.html");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    EXPECT_EQ(posts()[1].post.slug, "brouillon-en-markdown");
}

TEST_F(MtImport, CommentsArriveApprovedWithAuthorsDatesAndAddressesRenderedSafe) {
    import_ok(mt_testdata("typepad.txt"));
    const auto first = posts()[0];
    ASSERT_EQ(first.comments.size(), 3u);
    const auto& ahmed = first.comments[0];
    EXPECT_EQ(ahmed.kind, store::CommentKind::comment);
    EXPECT_EQ(ahmed.comment.status, model::CommentStatus::approved);
    EXPECT_EQ(ahmed.comment.author_name, "Ahmed");
    EXPECT_EQ(ahmed.comment.author_email, "ahmed@example.org");
    EXPECT_EQ(ahmed.comment.author_url, "http://ahmed.example.org/");
    EXPECT_EQ(ahmed.author_ip, "192.0.2.10");
    EXPECT_EQ(text::rfc3339_utc(ahmed.comment.created_at), "2017-10-04T19:05:12Z");
    // The commenter's HTML is kept in the source for an export, never put on a page.
    EXPECT_THAT(ahmed.comment.source, HasSubstr("<script>"));
    EXPECT_THAT(ahmed.comment.html, Not(HasSubstr("<script")));
    EXPECT_THAT(ahmed.comment.html, Not(HasSubstr("spam.example")));
    EXPECT_THAT(ahmed.comment.html, HasSubstr("Merci pour cet article."));
    EXPECT_THAT(ahmed.comment.html, HasSubstr("lien &amp;"));

    const auto& anonymous = first.comments[1];
    EXPECT_EQ(anonymous.comment.author_name, "");
    // A link that is not http(s) is not kept as the commenter's site, only for the export.
    EXPECT_EQ(anonymous.comment.author_url, "");
    EXPECT_EQ(anonymous.meta.at("url"), "javascript:alert(1)");
    // "NB:" opens the text: it is no key.
    EXPECT_THAT(anonymous.comment.html, HasSubstr("NB: un commentaire anonyme"));

    const auto& ping = first.comments[2];
    EXPECT_EQ(ping.kind, store::CommentKind::ping);
    EXPECT_EQ(ping.comment.author_name, "Un autre blog");
    EXPECT_EQ(ping.comment.author_url, "http://other.example/revue");
    EXPECT_EQ(ping.meta.at("title"), "Revue de presse");
    EXPECT_EQ(ping.author_ip, "198.51.100.7");

    auto approved = store_->comments().approved_comments(blog_id_, first.post.id);
    ASSERT_TRUE(approved);
    EXPECT_EQ(approved->size(), 3u);
}

TEST_F(MtImport, ImportingTwiceAddsNothing) {
    const auto text = mt_testdata("typepad.txt");
    import_ok(text);
    const auto second = import_ok(text);
    EXPECT_EQ(second.imported, 0);
    EXPECT_EQ(second.merged, 0);
    EXPECT_EQ(second.skipped, 3);
    EXPECT_THAT(second.lines[0], HasSubstr("line 1: skipped"));
    const auto all = posts();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].comments.size(), 3u);
}

TEST_F(MtImport, MergesOnlyTheCommentsAPresentPostLacks) {
    const auto one =
        mt_entry("Un billet", "05/06/2019 10:00:00 AM", "BASENAME: un_billet\n",
                 "COMMENT:\nAUTHOR: A\nDATE: 05/06/2019 11:00:00 AM\nPremier.\n-----\n");
    import_ok(one);
    const auto more =
        mt_entry("Un billet", "05/06/2019 10:00:00 AM", "BASENAME: un_billet\n",
                 "COMMENT:\nAUTHOR: A\nDATE: 05/06/2019 11:00:00 AM\nPremier.\n-----\n"
                 "COMMENT:\nAUTHOR: B\nDATE: 05/06/2019 12:00:00 PM\nSecond.\n-----\n");
    const auto report = import_ok(more);
    EXPECT_EQ(report.merged, 1);
    EXPECT_EQ(report.imported, 0);
    EXPECT_THAT(report.lines[0], HasSubstr("merged 1 comment or ping into \"Un billet\""));
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].comments.size(), 2u);
}

TEST_F(MtImport, SameSlugAtAnotherDateGetsANumberAndItsOldPathRedirects) {
    import_ok(mt_entry("Chronique", "01/01/2020 09:00:00 AM", "BASENAME: chronique\n") +
              mt_entry("Chronique", "01/02/2020 09:00:00 AM", "BASENAME: chronique\n"));
    const auto all = posts();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].post.slug, "chronique");
    EXPECT_EQ(all[1].post.slug, "chronique-2");
    auto found =
        store_->redirects().find_post_redirect(blog_id_, "/archive/2020/01/02/chronique.html");
    ASSERT_TRUE(found);
    ASSERT_TRUE(*found);
    EXPECT_EQ((*found)->slug, "chronique-2");
}

TEST_F(MtImport, NonLatinTextSlashesAndQuotesAreKept) {
    const std::string title = "سوريا: \"الهجوم\" على / حلب — 東京 'quote'";
    import_ok(mt_entry(title, "07/14/2016 11:59:59 PM", "CATEGORY: Proche-Orient / Syrie\n",
                       "EXCERPT:\nمقتطف \"مقتبس\" a\\b\n-----\n"));
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].post.title, title);
    EXPECT_EQ(all[0].post.excerpt, "مقتطف \"مقتبس\" a\\b");
    EXPECT_THAT(category_names(all[0].post), ElementsAre("Proche-Orient / Syrie"));
    EXPECT_EQ(all[0].post.slug, model::make_slug(title));
    // 11:59:59 PM is 23:59:59.
    EXPECT_EQ(text::rfc3339_utc(all[0].post.published_at), "2016-07-14T21:59:59Z");
}

TEST_F(MtImport, Windows1252IsDetectedAndStoredAsUtf8) {
    // "Café “crème” – 5 €" in Windows-1252: bytes that are not UTF-8.
    const std::string title =
        "Caf\xE9 \x93"
        "cr\xE8me\x94 \x96 5 \x80";
    const auto report = import_ok(mt_entry(title, "02/03/2004 04:05:06 PM"));
    EXPECT_EQ(report.encoding, TextEncoding::windows1252);
    EXPECT_THAT(report.lines[0], HasSubstr("not valid UTF-8: read as windows-1252"));
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].post.title, "Café “crème” – 5 €");
}

TEST_F(MtImport, DeclaredEncodingsAreHonoured) {
    MtImportOptions latin1;
    latin1.encoding = TextEncoding::latin1;
    const auto report = import_ok(mt_entry("D\xE9j\xE0 vu", "02/03/2004 04:05:06 PM"), 0, latin1);
    EXPECT_EQ(report.encoding, TextEncoding::latin1);
    EXPECT_EQ(posts()[0].post.title, "Déjà vu");

    MtImportOptions utf8;
    utf8.encoding = TextEncoding::utf8;
    auto refused =
        import_movable_type(*store_, blog_id_, mt_entry("Caf\xE9", "02/03/2004 04:05:06 PM"), utf8);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, model::Error::Code::invalid_input);
    EXPECT_THAT(refused.error().message, HasSubstr("not valid UTF-8"));
}

TEST_F(MtImport, WindowsLineEndsAndAByteOrderMarkAreRead) {
    std::string text = "\xEF\xBB\xBF" + mt_entry("Fin de ligne", "02/03/2004 04:05:06 AM");
    std::string crlf;
    for (const char c : text) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    import_ok(crlf);
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].post.title, "Fin de ligne");
    EXPECT_EQ(all[0].post.source, "<p>Le texte.</p>");
}

TEST_F(MtImport, TwelveOclockIsNoonAndMidnight) {
    import_ok(mt_entry("Minuit", "03/04/2021 12:00:00 AM") +
              mt_entry("Midi", "03/04/2021 12:00:00 PM") +
              mt_entry("Sans AM ni PM", "03/04/2021 18:30:00"));
    const auto all = posts();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(text::rfc3339_utc(all[0].post.published_at), "2021-03-03T23:00:00Z");
    EXPECT_EQ(text::rfc3339_utc(all[1].post.published_at), "2021-03-04T11:00:00Z");
    EXPECT_EQ(text::rfc3339_utc(all[2].post.published_at), "2021-03-04T17:30:00Z");
}

TEST_F(MtImport, ReportsProgressPerEntry) {
    std::vector<std::pair<std::size_t, std::size_t>> calls;
    MtImportOptions options;
    options.progress = [&](std::size_t done, std::size_t total) {
        calls.emplace_back(done, total);
    };
    import_ok(mt_testdata("typepad.txt"), 0, options);
    EXPECT_THAT(calls, ElementsAre(std::pair<std::size_t, std::size_t>{1, 3},
                                   std::pair<std::size_t, std::size_t>{2, 3},
                                   std::pair<std::size_t, std::size_t>{3, 3}));
}

struct BrokenFile {
    const char* name;
    std::string text;
    std::string message;  // a part of the error, with its line
};

class MtBrokenFile : public testing::MtStore, public ::testing::WithParamInterface<BrokenFile> {};

TEST_P(MtBrokenFile, IsRefusedWithItsLineAndChangesNothing) {
    // A good entry first: it must not be written either.
    const auto good = mt_entry("Bon billet", "01/01/2020 10:00:00 AM", "CATEGORY: Bonne\n");
    auto refused = import_movable_type(*store_, blog_id_, good + GetParam().text);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, model::Error::Code::invalid_input);
    EXPECT_THAT(refused.error().message, HasSubstr(GetParam().message));
    EXPECT_TRUE(posts().empty());
    auto categories = store_->categories().all_categories(blog_id_);
    ASSERT_TRUE(categories);
    EXPECT_TRUE(categories->empty());
}

// The good entry takes lines 1 to 8; the broken one starts on line 9.
INSTANTIATE_TEST_SUITE_P(
    Cases, MtBrokenFile,
    ::testing::Values(
        BrokenFile{"Truncated",
                   "TITLE: Coupé\nDATE: 01/02/2020 10:00:00 AM\n-----\nBODY:\nTexte\n-----\n",
                   "line 9: the file ends inside an entry"},
        BrokenFile{"TruncatedInHeader", "TITLE: Coupé\nDATE: 01/02/2020 10:00:00 AM\n",
                   "line 9: the file ends inside an entry"},
        BrokenFile{"InvalidDate", mt_entry("Date", "13/45/2020 10:00:00 AM"),
                   "line 10: invalid DATE 13/45/2020 10:00:00 AM"},
        BrokenFile{"FebruaryThirtieth", mt_entry("Date", "02/30/2020 10:00:00 AM"),
                   "line 10: invalid DATE"},
        BrokenFile{"HourThirteenPm", mt_entry("Date", "02/03/2020 13:00:00 PM"),
                   "line 10: invalid DATE"},
        BrokenFile{"SectionNeverEnds",
                   "TITLE: Sans fin\nDATE: 01/02/2020 10:00:00 AM\n-----\nBODY:\nTexte\n",
                   "line 12: the BODY section never ends"},
        BrokenFile{"SectionCutByEntryEnd",
                   "TITLE: Sans fin\nDATE: 01/02/2020 10:00:00 AM\n-----\nBODY:\nTexte\n--------\n",
                   "line 14: the BODY section of line 12 ends without its -----"},
        BrokenFile{"CommentWithInvalidDate",
                   mt_entry("Vide", "01/02/2020 10:00:00 AM", "",
                            "COMMENT:\nAUTHOR: X\nDATE: hier\nBonjour\n-----\n"),
                   "line 17: invalid DATE hier"},
        BrokenFile{"NoExportAtAll", "Ceci n'est pas un export.\nDeuxième ligne.\n",
                   "line 9: expected KEY: value"},
        BrokenFile{"NextEntryWithoutItsSeparator",
                   "TITLE: Un\nDATE: 01/02/2020 10:00:00 AM\n-----\nBODY:\nx\n-----\n"
                   "TITLE: Deux\n",
                   "line 15: expected a section name"}),
    [](const ::testing::TestParamInfo<BrokenFile>& info) { return std::string(info.param.name); });

// What Movable Type's own importer takes, carnet takes too: each case imports, and the report
// names by line what was kept aside, defaulted or dropped.
using MtLenient = testing::MtStore;

bool reports(const MtImportReport& report, std::string_view text) {
    return std::ranges::any_of(
        report.lines, [&](const std::string& line) { return line.find(text) != line.npos; });
}

TEST_F(MtLenient, UnknownKeysAreKeptInMetaReportedAndExported) {
    const auto text = mt_entry("Clés", "01/02/2020 10:00:00 AM",
                               "MOOD: joyeux\nCF50_BASENAME: mon-billet\nMOOD: serein\n",
                               "COMMENT:\nAUTHOR: Ahmed\nAUTHOR EMAIL: ahmed@example.org\n"
                               "AUTHOR URL: https://ahmed.example.org/\nCF_RATING: 5\n"
                               "DATE: 01/02/2020 11:00:00 AM\nNB: ceci est le texte.\n-----\n");
    const auto report = import_ok(text);
    EXPECT_EQ(report.imported, 1);
    EXPECT_TRUE(reports(report, "line 3: key MOOD: kept in the post's meta"));
    EXPECT_TRUE(reports(report, "line 4: key CF50_BASENAME: kept in the post's meta"));
    EXPECT_TRUE(reports(report, "line 14: COMMENT key CF_RATING: kept for the export"));
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].meta.at("mt_key:MOOD"), "joyeux\nserein");
    EXPECT_EQ(all[0].meta.at("mt_key:CF50_BASENAME"), "mon-billet");
    ASSERT_EQ(all[0].comments.size(), 1u);
    const auto& comment = all[0].comments[0];
    EXPECT_EQ(comment.comment.author_email, "ahmed@example.org");
    EXPECT_EQ(comment.comment.author_url, "https://ahmed.example.org/");
    EXPECT_EQ(comment.meta.at("mt_key:CF_RATING"), "5");
    // A key-like line after the DATE is the comment's text.
    EXPECT_EQ(comment.comment.source, "NB: ceci est le texte.");
    auto exported = export_movable_type(*store_, blog_id_);
    ASSERT_TRUE(exported) << exported.error().message;
    EXPECT_THAT(*exported, HasSubstr("MOOD: joyeux\nMOOD: serein\n"));
    EXPECT_THAT(*exported, HasSubstr("CF50_BASENAME: mon-billet\n"));
    EXPECT_THAT(*exported, HasSubstr("CF_RATING: 5\nDATE: 01/02/2020 11:00:00 AM\nNB: ceci"));
}

TEST_F(MtLenient, UnknownAndRepeatedSectionsAreKeptAndExported) {
    const auto text = mt_entry("Sections", "01/02/2020 10:00:00 AM", "",
                               "SIDEBAR:\nUn encadré.\n-----\nBODY:\nUn second corps.\n-----\n");
    const auto report = import_ok(text);
    EXPECT_EQ(report.imported, 1);
    EXPECT_TRUE(reports(report, "line 7: section SIDEBAR: kept in the post's meta"));
    EXPECT_TRUE(reports(report, "line 10: a second BODY section: kept in the post's meta"));
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].meta.at("mt_section:SIDEBAR"), "Un encadré.");
    EXPECT_EQ(all[0].meta.at("mt_section:BODY"), "Un second corps.");
    EXPECT_THAT(all[0].post.html, HasSubstr("Le texte."));
    EXPECT_THAT(all[0].post.html, Not(HasSubstr("second corps")));
    auto exported = export_movable_type(*store_, blog_id_);
    ASSERT_TRUE(exported);
    EXPECT_THAT(*exported, HasSubstr("SIDEBAR:\nUn encadré.\n-----\n"));
}

TEST_F(MtLenient, AnUntitledEntryIsNamedFromItsFirstWordsAndExportedUntitled) {
    const auto text = std::string("DATE: 01/02/2020 10:00:00 AM\n-----\nBODY:\n") +
                      "Les forces loyales ont repris le contrôle de la ville après trois jours.\n"
                      "-----\n--------\nTITLE:\nDATE: 01/03/2020 10:00:00 AM\n-----\nBODY:\n"
                      "\n-----\n--------\n";
    const auto report = import_ok(text);
    EXPECT_EQ(report.imported, 2);
    const auto all = posts();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].post.title, "Les forces loyales ont repris le contrôle de…");
    EXPECT_EQ(all[0].post.slug, "les-forces-loyales-ont-repris-le-controle-de");
    EXPECT_EQ(all[1].post.title, "Sans titre");  // the blog is French by default
    EXPECT_TRUE(reports(report, "line 1: an entry without TITLE: titled \"Les forces loyales"));
    EXPECT_TRUE(reports(report, "line 7: an entry without TITLE: titled \"Sans titre\""));
    auto exported = export_movable_type(*store_, blog_id_);
    ASSERT_TRUE(exported);
    EXPECT_THAT(*exported, Not(HasSubstr("TITLE: Les forces")));
}

TEST_F(MtLenient, AnUndatedEntryIsDatedAtTheImport) {
    MtImportOptions options;
    options.import_time = model::Instant{std::chrono::sys_days{std::chrono::year{2026} / 11 / 30} +
                                         std::chrono::hours{10}};
    const auto report =
        import_ok("TITLE: Sans date\n-----\nBODY:\nx\n-----\n--------\n", 0, options);
    EXPECT_EQ(report.imported, 1);
    EXPECT_TRUE(reports(report, "line 1: an entry without DATE: dated at the time of the import"));
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].post.published_at, options.import_time);
}

TEST_F(MtLenient, UndatedEntriesImportedAgainLaterAreNotDuplicated) {
    // Two undated entries of the same title (the second gets a numbered slug), one untitled.
    const std::string file =
        "TITLE: Sans date\n-----\nBODY:\nPremier\n-----\n--------\n"
        "TITLE: Sans date\n-----\nBODY:\nSecond\n-----\n--------\n"
        "STATUS: Publish\n-----\nBODY:\nNi titre ni date\n-----\n--------\n";
    MtImportOptions first;
    first.import_time = model::Instant{std::chrono::sys_days{std::chrono::year{2026} / 11 / 30}};
    EXPECT_EQ(import_ok(file, 0, first).imported, 3);
    MtImportOptions later = first;
    later.import_time += std::chrono::days{3};
    // The same file again, a comment added to the second entry.
    const auto again = file.substr(0, file.find("--------\nSTATUS")) +
                       "COMMENT:\nAUTHOR: Lectrice\nDATE: 12/01/2026 09:00:00 AM\nBravo\n-----\n"
                       "--------\nSTATUS: Publish\n-----\nBODY:\nNi titre ni date\n-----\n"
                       "--------\n";
    const auto report = import_ok(again, 0, later);
    EXPECT_EQ(report.imported, 0);
    EXPECT_EQ(report.merged, 1);
    EXPECT_EQ(report.skipped, 2);
    const auto all = posts();
    ASSERT_EQ(all.size(), 3u);
    for (const auto& post : all) EXPECT_EQ(post.post.published_at, first.import_time);
    EXPECT_EQ(all[0].post.slug, "sans-date");
    EXPECT_EQ(all[1].post.slug, "sans-date-2");
    ASSERT_EQ(all[1].comments.size(), 1u);
    EXPECT_EQ(all[1].comments[0].comment.source, "Bravo");
    // A dated entry of the same title and body is another post.
    EXPECT_EQ(import_ok(mt_entry("Sans date", "01/02/2020 10:00:00 AM")).imported, 1);
}

TEST_F(MtImport, AFileIsReadInPiecesWithTheLinesOfTheWholeFile) {
    // More than the 4 MiB read at once, with a broken entry at the end: the report and the
    // error count lines over the whole file.
    std::string text;
    const std::string body(2000, 'x');
    int lines = 0;
    for (int i = 0; i < 3000; ++i) {
        text += mt_entry(
            fmt::format("Billet {}", i),
            fmt::format("01/{:02}/2020 10:{:02}:{:02} AM", 1 + i % 28, i / 60 % 60, i % 60), "",
            "EXTENDED BODY:\n" + body + "\n-----\n");
        lines += 10;
    }
    const auto file = directory_ / "big.txt";
    {
        std::ofstream out(file, std::ios::binary);
        out << text << "TITLE: Coupé\nDATE: 01/01/2021 10:00:00 AM\n-----\nBODY:\nx\n";
    }
    ASSERT_GT(std::filesystem::file_size(file), std::size_t{6} << 20);
    auto refused = import_movable_type_file(*store_, blog_id_, file);
    ASSERT_FALSE(refused);
    EXPECT_THAT(refused.error().message, HasSubstr(fmt::format("line {}:", lines + 4)));
    EXPECT_TRUE(posts().empty());
    {
        std::ofstream out(file, std::ios::binary);
        out << text;
    }
    auto report = import_movable_type_file(*store_, blog_id_, file);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->imported, 3000);
    EXPECT_EQ(report->lines.back(),
              fmt::format("line {}: imported \"Billet 2999\" (Publish, 0 categories, 0 comments "
                          "and pings)",
                          lines - 9));
    EXPECT_EQ(posts().size(), 3000u);
}

TEST_F(MtLenient, StatusesOfOtherVersionsAreDraftsAndBadFlagsAreIgnored) {
    const auto text = mt_entry("Relecture", "01/02/2020 10:00:00 AM",
                               "STATUS: Review\nALLOW COMMENTS: yes\nALLOW PINGS: 7\n");
    const auto report = import_ok(text);
    EXPECT_EQ(report.imported, 1);
    EXPECT_TRUE(reports(report,
                        "line 3: STATUS Review is not Publish, Draft or Future: imported "
                        "as a draft"));
    EXPECT_TRUE(reports(report, "line 4: ALLOW COMMENTS yes is not 0, 1 or 2: ignored"));
    EXPECT_TRUE(reports(report, "line 5: ALLOW PINGS 7 is not 0 or 1: ignored"));
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].post.status, model::PostStatus::draft);
    EXPECT_TRUE(all[0].post.comments_open);
}

TEST_F(MtLenient, StrayLinesRepeatedKeysAndEmptyCommentsAreDroppedAndReported) {
    const auto text = std::string("TITLE: Désordre\nun mot perdu\nDATE: 01/02/2020 10:00:00 AM\n") +
                      "TITLE: Un autre titre\n-----\nBODY:\nLe texte.\n-----\nune ligne égarée\n" +
                      "COMMENT:\nAUTHOR: X\nDATE: 01/02/2020 11:00:00 AM\n-----\n" +
                      "COMMENT:\nAUTHOR: Sans date\nBonjour\n-----\n--------\n";
    const auto report = import_ok(text);
    EXPECT_EQ(report.imported, 1);
    EXPECT_TRUE(reports(report, "line 2: \"un mot perdu\" is not KEY: value: dropped"));
    EXPECT_TRUE(reports(report, "line 4: a second TITLE: dropped"));
    EXPECT_TRUE(reports(report, "line 9: \"une ligne égarée\" is outside any section: dropped"));
    EXPECT_TRUE(reports(report, "line 10: a COMMENT without text: dropped"));
    EXPECT_TRUE(reports(report, "line 14: the COMMENT has no DATE: given the entry's date"));
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].post.title, "Désordre");
    ASSERT_EQ(all[0].comments.size(), 1u);
    EXPECT_EQ(all[0].comments[0].comment.author_name, "Sans date");
    EXPECT_EQ(all[0].comments[0].comment.created_at, all[0].post.published_at);
}

TEST_F(MtLenient, ByteOrderMarkCrlfBlankLinesAnyOrderAndNoFinalNewlineAreRead) {
    const auto text = std::string("\xEF\xBB\xBF") + "DATE: 01/02/2020 10:00:00 AM\r\n\r\n" +
                      "TAGS: un\r\nTITLE: Mélangé\r\n-----\r\nCOMMENT:\r\nAUTHOR: A\r\n" +
                      "DATE: 01/02/2020 11:00:00 AM\r\nSalut\r\n-----\r\n\r\nBODY:\r\nCorps\r\n" +
                      "-----\r\n--------";
    const auto report = import_ok(text);
    EXPECT_EQ(report.imported, 1);
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].post.title, "Mélangé");
    EXPECT_THAT(all[0].tags, ElementsAre("un"));
    EXPECT_THAT(all[0].post.html, HasSubstr("Corps"));
    ASSERT_EQ(all[0].comments.size(), 1u);
    EXPECT_EQ(all[0].comments[0].comment.source, "Salut");
}

TEST_F(MtLenient, DatesInTheFormsMovableTypeHasWritten) {
    const auto text = mt_entry("A", "4/3/2005 9:05 PM") + mt_entry("B", "04/03/2005 21:05:07") +
                      mt_entry("C", "04/03/2005 21:05") + mt_entry("D", "4/3/2005 9:05:00 pm");
    const auto report = import_ok(text);
    EXPECT_EQ(report.imported, 4);
    const auto all = posts();
    ASSERT_EQ(all.size(), 4u);
    for (const auto& post : all) {
        // 21:05 in Paris in April 2005 (summer time) is 19:05 UTC.
        EXPECT_EQ(text::rfc3339_utc(post.post.published_at).substr(0, 16), "2005-04-03T19:05")
            << post.post.title;
    }
}

TEST_F(MtLenient, AFailedWriteAfterSomePostsLeavesNothing) {
    const auto text =
        mt_entry("Premier", "01/01/2020 10:00:00 AM", "CATEGORY: Une\n") +
        mt_entry("Deuxième", "01/02/2020 10:00:00 AM", "",
                 "COMMENT:\nAUTHOR: A\nDATE: 01/02/2020 11:00:00 AM\nSalut\n-----\n") +
        mt_entry("Troisième", "01/03/2020 10:00:00 AM");
    testing::fail_writes_of_post_titled(directory_ / "carnet.db", "Troisième");
    auto failed = import_movable_type(*store_, blog_id_, text);
    ASSERT_FALSE(failed);
    EXPECT_TRUE(posts().empty());
    auto categories = store_->categories().all_categories(blog_id_);
    ASSERT_TRUE(categories);
    EXPECT_TRUE(categories->empty());
}

}  // namespace
}  // namespace carnet::interop
