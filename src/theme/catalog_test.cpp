#include "theme/catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "theme/test_support.hpp"

namespace carnet::theme {
namespace {

using test_support::TempDir;
using ::testing::HasSubstr;

constexpr std::string_view k_header =
    "msgid \"\"\n"
    "msgstr \"\"\n"
    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
    "\n";

std::filesystem::path write_file(const TempDir& dir, const std::string& name,
                                 std::string_view text) {
    const auto path = dir.path() / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

std::filesystem::path classique_locale(std::string_view language) {
    return std::filesystem::path(CARNET_THEMES_DIR) / "classique" / "locales" /
           (std::string(language) + ".po");
}

TEST(Catalog, ReadsTheClassiqueLocales) {
    auto french = Catalog::load(classique_locale("fr"));
    ASSERT_TRUE(french.has_value()) << french.error().message;
    ASSERT_NE(french->find("Permalink"), nullptr);
    EXPECT_EQ(*french->find("Permalink"), "Lien permanent");
    EXPECT_EQ(*french->find("Posted in"), "Publié dans");
    EXPECT_EQ(french->find(""), nullptr) << "the header is not a translation";

    auto english = Catalog::load(classique_locale("en"));
    ASSERT_TRUE(english.has_value()) << english.error().message;
    EXPECT_EQ(english->size(), french->size()) << "fr.po and en.po translate the same msgids";
}

TEST(Catalog, LeavesOutFuzzyUntranslatedAndObsoleteEntries) {
    TempDir dir;
    const auto path = write_file(dir, "xx.po",
                                 std::string(k_header) +
                                     "msgid \"Kept\"\nmsgstr \"Gardé\"\n\n"
                                     "#, fuzzy\nmsgid \"Fuzzy\"\nmsgstr \"Approximatif\"\n\n"
                                     "msgid \"Untranslated\"\nmsgstr \"\"\n\n"
                                     "#~ msgid \"Old\"\n#~ msgstr \"Ancien\"\n\n"
                                     "msgctxt \"menu\"\nmsgid \"Open\"\nmsgstr \"Ouvrir\"\n");
    auto catalog = Catalog::load(path);
    ASSERT_TRUE(catalog.has_value()) << catalog.error().message;
    ASSERT_NE(catalog->find("Kept"), nullptr);
    EXPECT_EQ(*catalog->find("Kept"), "Gardé");
    EXPECT_EQ(catalog->find("Fuzzy"), nullptr);
    EXPECT_EQ(catalog->find("Untranslated"), nullptr);
    EXPECT_EQ(catalog->find("Old"), nullptr);
    EXPECT_EQ(catalog->find("Open"), nullptr);
    EXPECT_EQ(catalog->size(), 1u);
}

TEST(Catalog, FindsAnEntryWithAContextOnlyInThatContext) {
    TempDir dir;
    const auto path = write_file(dir, "xx.po",
                                 std::string(k_header) +
                                     "msgid \"Published\"\nmsgstr \"Publiées\"\n\n"
                                     "msgctxt \"page state\"\nmsgid \"Published\"\n"
                                     "msgstr \"Publiée\"\n");
    auto catalog = Catalog::load(path);
    ASSERT_TRUE(catalog.has_value()) << catalog.error().message;
    ASSERT_NE(catalog->find("page state", "Published"), nullptr);
    EXPECT_EQ(*catalog->find("page state", "Published"), "Publiée");
    EXPECT_EQ(*catalog->find("", "Published"), "Publiées");
    EXPECT_EQ(*catalog->find("Published"), "Publiées");
    EXPECT_EQ(catalog->find("other", "Published"), nullptr);
}

TEST(Catalog, MissingFileIsNotFoundAndNamesIt) {
    TempDir dir;
    auto catalog = Catalog::load(dir.path() / "fr.po");
    ASSERT_FALSE(catalog.has_value());
    EXPECT_EQ(catalog.error().code, model::Error::Code::not_found);
    EXPECT_THAT(catalog.error().message, HasSubstr("fr.po"));
}

TEST(Catalog, SyntaxErrorIsInvalidInputWithFileAndLine) {
    TempDir dir;
    const auto path = write_file(dir, "fr.po",
                                 std::string(k_header) +
                                     "msgid \"Good\"\nmsgstr \"Bon\"\n\n"
                                     "msgid \"Unterminated\nmsgstr \"x\"\n");
    auto catalog = Catalog::load(path);
    ASSERT_FALSE(catalog.has_value());
    EXPECT_EQ(catalog.error().code, model::Error::Code::invalid_input);
    // gettext counts the line where it noticed the problem: the string's end of line.
    EXPECT_THAT(catalog.error().message, ::testing::ContainsRegex("fr\\.po:[0-9]+: end-of-line"));
}

TEST(Catalog, DuplicateMsgidIsInvalidInput) {
    TempDir dir;
    const auto path = write_file(
        dir, "fr.po",
        std::string(k_header) + "msgid \"A\"\nmsgstr \"1\"\n\nmsgid \"A\"\nmsgstr \"2\"\n");
    auto catalog = Catalog::load(path);
    ASSERT_FALSE(catalog.has_value());
    EXPECT_EQ(catalog.error().code, model::Error::Code::invalid_input);
    EXPECT_THAT(catalog.error().message, HasSubstr("duplicate"));
}

TEST(Catalog, CharsetOtherThanUtf8IsInvalidInput) {
    TempDir dir;
    const auto path = write_file(dir, "fr.po",
                                 "msgid \"\"\nmsgstr \"\"\n"
                                 "\"Content-Type: text/plain; charset=ISO-8859-1\\n\"\n\n"
                                 "msgid \"A\"\nmsgstr \"B\"\n");
    auto catalog = Catalog::load(path);
    ASSERT_FALSE(catalog.has_value());
    EXPECT_EQ(catalog.error().code, model::Error::Code::invalid_input);
    EXPECT_THAT(catalog.error().message, HasSubstr("UTF-8"));
}

}  // namespace
}  // namespace carnet::theme
