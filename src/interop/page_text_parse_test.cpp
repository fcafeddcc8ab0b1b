#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "interop/interop.hpp"
#include "interop/page_text_test_support.hpp"

namespace carnet::interop {
namespace {

using testing::cut_before;
using testing::demo_front_page_path;
using ::testing::ElementsAre;
using testing::fixture_text;
using ::testing::HasSubstr;
using testing::line_of;
using testing::read_text_file;
using testing::replaced;

std::vector<PageTextPost> parse_fixture() {
    auto posts = parse_page_text(fixture_text());
    EXPECT_TRUE(posts) << posts.error().message;
    return posts ? *posts : std::vector<PageTextPost>{};
}

// The paragraph of `post` that starts with `start`, or nothing.
std::optional<std::size_t> paragraph_starting(const PageTextPost& post, std::string_view start) {
    for (std::size_t index = 0; index < post.paragraphs.size(); ++index) {
        if (post.paragraphs[index].starts_with(start)) return index;
    }
    return std::nullopt;
}

bool is_subheading(const PageTextPost& post, std::string_view start) {
    const auto index = paragraph_starting(post, start);
    EXPECT_TRUE(index) << "no paragraph starts with " << start;
    return index && post.is_subheading[*index];
}

// Checks that `text` is refused as invalid input and that the message points at `line`.
void expect_refused_at(std::string_view text, int line) {
    auto posts = parse_page_text(text);
    ASSERT_FALSE(posts) << "accepted, " << posts->size() << " posts";
    EXPECT_EQ(posts.error().code, model::Error::Code::invalid_input);
    EXPECT_THAT(posts.error().message, HasSubstr(fmt::format("line {}:", line)));
}

TEST(PageText, ReadsTheThreePostsOfTheFixture) {
    const auto posts = parse_fixture();
    ASSERT_EQ(posts.size(), 3u);
    EXPECT_EQ(posts[0].title, "L'Etat islamique attaque le tribunal de Misrata");
    EXPECT_EQ(posts[1].title,
              "Syrie : Daech s'empare d'Al-Qaryatayn, ville symbolique dans le centre de la Syrie");
    EXPECT_EQ(posts[2].title,
              "Syrie : La Russie ne permettra pas aux États-Unis de limiter les opérations de "
              "l'armée syrienne à Deir ez-Zhor - Diplomate");
    const std::string text = fixture_text();
    EXPECT_EQ(posts[0].line, 1);
    EXPECT_EQ(posts[1].line, line_of(text, "01/10/2017"));
    EXPECT_EQ(posts[2].line, line_of(text, "29/09/2017"));
}

TEST(PageText, ReadsDatesFromDayHeadersAndTimesFromFooters) {
    const auto posts = parse_fixture();
    ASSERT_EQ(posts.size(), 3u);
    EXPECT_EQ(posts[0].published_local, (model::LocalDateTime{2017, 10, 4, 20, 19, 0}));
    EXPECT_EQ(posts[1].published_local, (model::LocalDateTime{2017, 10, 1, 19, 8, 0}));
    EXPECT_EQ(posts[2].published_local, (model::LocalDateTime{2017, 9, 29, 0, 0, 0}));
}

TEST(PageText, ReadsCategoriesInTheOrderWritten) {
    const auto posts = parse_fixture();
    ASSERT_EQ(posts.size(), 3u);
    EXPECT_THAT(posts[0].categories, ElementsAre("Etat Islamique", "Libye", "Misrata", "Syrte"));
    EXPECT_THAT(posts[1].categories,
                ElementsAre("Abou Bakr al-Baghdadi", "Al-Qaryatayn", "Armée Arabe Syrienne",
                            "Etat Islamique", "Syrie"));
}

TEST(PageText, ReadsAnnouncedCommentCounts) {
    const auto posts = parse_fixture();
    ASSERT_EQ(posts.size(), 3u);
    EXPECT_EQ(posts[0].announced_comments, 0);
    EXPECT_EQ(posts[1].announced_comments, 2);
    EXPECT_EQ(posts[2].announced_comments, std::nullopt);
}

TEST(PageText, ImportsCutLastPostWithoutFooter) {
    const auto posts = parse_fixture();
    ASSERT_EQ(posts.size(), 3u);
    EXPECT_TRUE(posts[0].has_footer);
    EXPECT_TRUE(posts[1].has_footer);
    const PageTextPost& cut = posts[2];
    EXPECT_FALSE(cut.has_footer);
    EXPECT_EQ(cut.published_local.hour, 0);
    EXPECT_EQ(cut.published_local.minute, 0);
    EXPECT_TRUE(cut.categories.empty());
    ASSERT_FALSE(cut.paragraphs.empty());
    EXPECT_EQ(cut.paragraphs.back(), "Jean René Belliard");
}

TEST(PageText, JoinsAParagraphSplitOverTwoLines) {
    const auto posts = parse_fixture();
    ASSERT_EQ(posts.size(), 3u);
    const auto index = paragraph_starting(posts[0], "Les deux militants");
    ASSERT_TRUE(index);
    EXPECT_EQ(posts[0].paragraphs[*index],
              "Les deux militants de l'Etat islamique seraient arrivés devant le bâtiment du "
              "tribunal dans une voiture aux vitres teintées. L'attaque a eu lieu alors que le "
              "procès de membres de Daech se déroulait dans le bâtiment.");
    EXPECT_FALSE(paragraph_starting(posts[0], "se déroulait"));
}

TEST(PageText, DetectsShortUnpunctuatedLinesAsSubheadings) {
    const auto posts = parse_fixture();
    ASSERT_EQ(posts.size(), 3u);
    EXPECT_TRUE(is_subheading(posts[0], "Les milices de Misrata"));
    EXPECT_TRUE(is_subheading(posts[0], "Libye"));
    EXPECT_FALSE(is_subheading(posts[0], "Vidéo de l'attaque :"));
    EXPECT_FALSE(is_subheading(posts[0], "Deux militants"));
    EXPECT_TRUE(is_subheading(posts[1], "L'Armée Arabe Syrienne lance une contre-attaque"));
    EXPECT_TRUE(is_subheading(posts[1], "Des attaques qui coïncident"));
    EXPECT_TRUE(is_subheading(posts[2], "Russes et Américains s'accusent les uns les autres"));
    // Over 100 characters: a paragraph even without final punctuation.
    EXPECT_FALSE(is_subheading(posts[2], "La Russie ne permettra pas aux États-Unis de limiter"));
    // Ends with a closing quote.
    EXPECT_FALSE(is_subheading(posts[2], "Le ministre russe des AE"));
}

TEST(PageText, KeepsTheSignatureAsTheLastParagraph) {
    const auto posts = parse_fixture();
    ASSERT_EQ(posts.size(), 3u);
    for (const std::size_t index : {1u, 2u}) {
        ASSERT_FALSE(posts[index].paragraphs.empty());
        EXPECT_EQ(posts[index].paragraphs.back(), "Jean René Belliard");
        EXPECT_FALSE(posts[index].is_subheading.back());
    }
    // The first post has no signature: its last line is still a paragraph.
    EXPECT_FALSE(posts[0].is_subheading.back());
}

TEST(PageText, DropsNonBreakingSpaceSpacerLines) {
    const auto posts = parse_fixture();
    ASSERT_EQ(posts.size(), 3u);
    EXPECT_EQ(posts[0].paragraphs.size(), 11u);
    for (const PageTextPost& post : posts) {
        EXPECT_EQ(post.paragraphs.size(), post.is_subheading.size());
        for (const std::string& paragraph : post.paragraphs) {
            EXPECT_FALSE(paragraph.empty());
            EXPECT_FALSE(paragraph.starts_with("\u00A0") || paragraph.ends_with("\u00A0") ||
                         paragraph.starts_with(' ') || paragraph.ends_with(' '))
                << '"' << paragraph << '"';
        }
    }
}

TEST(PageText, KeepsTextInsideLinesExactly) {
    const auto posts = parse_fixture();
    ASSERT_EQ(posts.size(), 3u);
    const auto amaq = paragraph_starting(posts[0], "L'agence Amaq");
    ASSERT_TRUE(amaq);
    EXPECT_THAT(posts[0].paragraphs[*amaq], HasSubstr("«Ingimasi [kamikazes] du califat»."));
    const auto town = paragraph_starting(posts[1], "La ville d'al-Qaryatayn");
    ASSERT_TRUE(town);
    EXPECT_THAT(posts[1].paragraphs[*town], HasSubstr("désert syrien.\u00A0 La ville"));
}

TEST(PageText, AcceptsCrLfLineEndsAndAByteOrderMark) {
    std::string windows = "\xEF\xBB\xBF";
    for (const char c : fixture_text()) {
        if (c == '\n') windows += '\r';
        windows += c;
    }
    auto posts = parse_page_text(windows);
    ASSERT_TRUE(posts) << posts.error().message;
    const auto expected = parse_fixture();
    ASSERT_EQ(posts->size(), expected.size());
    for (std::size_t index = 0; index < expected.size(); ++index) {
        EXPECT_EQ((*posts)[index].title, expected[index].title);
        EXPECT_EQ((*posts)[index].paragraphs, expected[index].paragraphs);
        EXPECT_EQ((*posts)[index].categories, expected[index].categories);
        EXPECT_EQ((*posts)[index].published_local, expected[index].published_local);
    }
}

TEST(PageText, ReadsSeveralPostsOfOneDayUnderOneHeader) {
    const std::string text =
        "22/10/2026\n\nPremier titre\n\nUn paragraphe.\n\n12:05 Publié dans Port | Lien "
        "permanent | Commentaires (1) | | | | |\n\nSecond titre\n\nUn autre paragraphe.\n\n"
        "09:30 | Lien permanent | Commentaires (0) | | | | |\n";
    auto posts = parse_page_text(text);
    ASSERT_TRUE(posts) << posts.error().message;
    ASSERT_EQ(posts->size(), 2u);
    EXPECT_EQ((*posts)[0].title, "Premier titre");
    EXPECT_EQ((*posts)[1].title, "Second titre");
    EXPECT_EQ((*posts)[1].published_local, (model::LocalDateTime{2026, 10, 22, 9, 30, 0}));
    EXPECT_EQ((*posts)[1].line, 1);
    EXPECT_TRUE((*posts)[1].categories.empty());
    EXPECT_THAT((*posts)[1].paragraphs, ElementsAre("Un autre paragraphe."));
}

TEST(PageText, KeepsABodyLineThatStartsWithATime) {
    const std::string text =
        "22/10/2026\n\nConseil municipal\n\n14:30 : la séance reprend.\nFin.\n\n18:00 Publié "
        "dans Mairie | Lien permanent | Commentaires (0) | | | | |\n";
    auto posts = parse_page_text(text);
    ASSERT_TRUE(posts) << posts.error().message;
    ASSERT_EQ(posts->size(), 1u);
    EXPECT_THAT((*posts)[0].paragraphs, ElementsAre("14:30 : la séance reprend.", "Fin."));
    EXPECT_EQ((*posts)[0].published_local.hour, 18);
}

TEST(PageText, KeepsWhatPrecedesAFooterCutShort) {
    const std::string text = fixture_text();
    // Cut inside the categories: the last name may be cut too, so it is left out.
    auto in_categories = parse_page_text(cut_before(text, "Al-Qaryatayn, Armée", 6));
    ASSERT_TRUE(in_categories) << in_categories.error().message;
    ASSERT_EQ(in_categories->size(), 2u);
    const PageTextPost& post = (*in_categories)[1];
    EXPECT_TRUE(post.has_footer);
    EXPECT_EQ(post.published_local.hour, 19);
    EXPECT_EQ(post.published_local.minute, 8);
    EXPECT_THAT(post.categories, ElementsAre("Abou Bakr al-Baghdadi"));
    EXPECT_EQ(post.announced_comments, std::nullopt);

    // Cut inside the comment count: every category is there, the count is not.
    auto in_count = parse_page_text(cut_before(text, "Commentaires (2)", 14));
    ASSERT_TRUE(in_count) << in_count.error().message;
    ASSERT_EQ(in_count->size(), 2u);
    EXPECT_EQ((*in_count)[1].categories.size(), 5u);
    EXPECT_EQ((*in_count)[1].announced_comments, std::nullopt);
}

TEST(PageText, DropsACharacterCutInTheMiddleByTheEndOfThePage) {
    // "René" with its "é" cut after the first of its two bytes.
    auto posts = parse_page_text(cut_before(fixture_text(), "René Belliard\n\n", 4));
    ASSERT_TRUE(posts) << posts.error().message;
    ASSERT_EQ(posts->size(), 2u);
    EXPECT_EQ((*posts)[1].paragraphs.back(), "Jean Ren");
    EXPECT_FALSE((*posts)[1].has_footer);
}

TEST(PageText, RefusesEmptyInput) {
    expect_refused_at("", 1);
    expect_refused_at("\n\n  \n", 1);
}

TEST(PageText, RefusesTextWithoutDayHeader) {
    expect_refused_at("Bonjour,\nceci n'est pas une page de blog.\n", 1);
}

TEST(PageText, RefusesTextBeforeTheFirstDayHeader) {
    expect_refused_at("\n\nSommaire\n" + fixture_text(), 3);
}

TEST(PageText, RefusesAPageTruncatedInADayHeader) {
    const std::string text = fixture_text();
    const int header_line = line_of(text, "01/10/2017");
    expect_refused_at(cut_before(text, "01/10/2017", 4), header_line);
    expect_refused_at(cut_before(text, "Syrie : Daech"), header_line);
}

TEST(PageText, RefusesADayHeaderWithoutTitle) {
    const std::string text = fixture_text();
    const int header_line = line_of(text, "01/10/2017");
    // Followed by its footer, then by the next day header.
    const std::string before_title = cut_before(text, "Syrie : Daech");
    expect_refused_at(before_title + text.substr(text.find("19:08")), header_line);
    expect_refused_at(before_title + text.substr(text.find("29/09/2017")), header_line);
}

TEST(PageText, RefusesAnImpossibleDate) {
    const std::string text = fixture_text();
    expect_refused_at(replaced(text, "01/10/2017", "31/02/2017"), line_of(text, "01/10/2017"));
    expect_refused_at(replaced(text, "01/10/2017", "01/10/17"), line_of(text, "01/10/2017"));
}

TEST(PageText, RefusesAnImpossibleTime) {
    const std::string text = fixture_text();
    expect_refused_at(replaced(text, "19:08 Publié", "25:61 Publié"), line_of(text, "19:08"));
}

TEST(PageText, RefusesAMalformedCommentCount) {
    const std::string text = fixture_text();
    const int footer_line = line_of(text, "Commentaires (2)");
    expect_refused_at(replaced(text, "Commentaires (2)", "Commentaires (deux)"), footer_line);
    expect_refused_at(replaced(text, "Commentaires (2)", "Commentaires (2"), footer_line);
    expect_refused_at(replaced(text, "Commentaires (2)", "Lien"), footer_line);
}

TEST(PageText, RefusesBinaryData) {
    const std::string text = fixture_text();
    expect_refused_at(replaced(text, "Qaryatayn\n", std::string("Qar\0yatayn\n", 11)),
                      line_of(text, "Qaryatayn\n"));
    expect_refused_at(std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16), 1);
}

TEST(PageText, RefusesInvalidUtf8) {
    const std::string text = fixture_text();
    const int line = line_of(text, "Vidéo de l'attaque");
    expect_refused_at(replaced(text, "Vidéo", "Vid\xE9o"), line);          // Latin-1
    expect_refused_at(replaced(text, "Vidéo", "Vid\xC0\xA9o"), line);      // overlong
    expect_refused_at(replaced(text, "Vidéo", "Vid\xED\xA0\x80o"), line);  // surrogate
}

TEST(DemoFrontPage, ParsesIntoSevenPostsThatAllHaveAFooter) {
    auto posts = parse_page_text(read_text_file(demo_front_page_path()));
    ASSERT_TRUE(posts) << posts.error().message;
    EXPECT_EQ(posts->size(), 7u);
    std::set<std::tuple<int, int, int>> days;
    for (const PageTextPost& post : *posts) {
        EXPECT_TRUE(post.has_footer) << post.title;
        EXPECT_EQ(post.announced_comments, 0) << post.title;
        EXPECT_GE(post.categories.size(), 1u) << post.title;
        EXPECT_LE(post.categories.size(), 3u) << post.title;
        ASSERT_FALSE(post.paragraphs.empty()) << post.title;
        EXPECT_EQ(post.paragraphs.back(), "La rédaction");
        days.emplace(post.published_local.year, post.published_local.month,
                     post.published_local.day);
    }
    EXPECT_EQ(days.size(), 5u);
}

}  // namespace
}  // namespace carnet::interop
