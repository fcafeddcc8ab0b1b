#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "theme/test_support.hpp"
#include "theme/theme.hpp"

namespace carnet::theme {
namespace {

using model::Error;
using test_support::TempDir;
using ::testing::HasSubstr;

// A copy of the classique theme in a temporary folder, for tests to break.
class ThemeLoadTest : public ::testing::Test {
protected:
    void SetUp() override { fresh_copy(); }

    void fresh_copy() const {
        std::filesystem::remove_all(theme_dir());
        std::filesystem::copy(std::filesystem::path(CARNET_THEMES_DIR) / "classique", theme_dir(),
                              std::filesystem::copy_options::recursive);
    }

    std::filesystem::path theme_dir() const { return themes_.path() / "classique"; }

    void write(const std::string& relative, std::string_view text) const {
        std::ofstream(theme_dir() / relative, std::ios::binary) << text;
    }

    Result<std::unique_ptr<Theme>> load() const { return Theme::load(themes_.path(), "classique"); }

    TempDir themes_;
};

TEST_F(ThemeLoadTest, LoadsTheCopyUnchanged) {
    auto theme = load();
    ASSERT_TRUE(theme.has_value()) << theme.error().message;
}

TEST_F(ThemeLoadTest, MissingThemeFolderIsNotFound) {
    auto theme = Theme::load(themes_.path(), "absent");
    ASSERT_FALSE(theme.has_value());
    EXPECT_EQ(theme.error().code, Error::Code::not_found);
    EXPECT_THAT(theme.error().message, HasSubstr("absent"));
}

TEST_F(ThemeLoadTest, ThemeNameThatLeavesTheFolderIsInvalid) {
    for (const auto* name : {"../classique", "a/b", "", ".."}) {
        auto theme = Theme::load(themes_.path(), name);
        ASSERT_FALSE(theme.has_value()) << name;
        EXPECT_EQ(theme.error().code, Error::Code::invalid_input) << name;
    }
}

TEST_F(ThemeLoadTest, MissingTemplateIsNotFoundAndNamed) {
    for (const auto* file : {"layout.mustache", "listing.mustache", "post.mustache",
                             "not_found.mustache", "partials/entry.mustache", "style.css"}) {
        fresh_copy();
        std::filesystem::remove(theme_dir() / file);
        auto theme = load();
        ASSERT_FALSE(theme.has_value()) << file;
        EXPECT_EQ(theme.error().code, Error::Code::not_found) << file;
        EXPECT_THAT(theme.error().message, HasSubstr(file));
    }
}

TEST_F(ThemeLoadTest, MissingLocaleFileIsNotFoundAndNamed) {
    for (const auto* file : {"locales/fr.po", "locales/en.po"}) {
        fresh_copy();
        std::filesystem::remove(theme_dir() / file);
        auto theme = load();
        ASSERT_FALSE(theme.has_value()) << file;
        EXPECT_EQ(theme.error().code, Error::Code::not_found) << file;
        EXPECT_THAT(theme.error().message, HasSubstr(file));
    }
}

TEST_F(ThemeLoadTest, BrokenTemplateIsInvalidInputWithFileAndLine) {
    write("post.mustache", "<p>one</p>\n<p>two</p>\n{{#days}}\n<p>never closed</p>\n");
    auto theme = load();
    ASSERT_FALSE(theme.has_value());
    EXPECT_EQ(theme.error().code, Error::Code::invalid_input);
    EXPECT_THAT(theme.error().message, HasSubstr("post.mustache"));
    EXPECT_THAT(theme.error().message, HasSubstr("days"));
    EXPECT_THAT(theme.error().message, HasSubstr("line 3"));
}

TEST_F(ThemeLoadTest, BrokenPartialIsInvalidInputAndNamed) {
    write("partials/sidebar.mustache", "<aside>{{unclosed</aside>\n");
    auto theme = load();
    ASSERT_FALSE(theme.has_value());
    EXPECT_EQ(theme.error().code, Error::Code::invalid_input);
    EXPECT_THAT(theme.error().message, HasSubstr("partials/sidebar.mustache"));
}

TEST_F(ThemeLoadTest, PartialThatIncludesItselfIsInvalidInput) {
    write("partials/sidebar.mustache", "<aside>{{> sidebar}}</aside>\n");
    auto theme = load();
    ASSERT_FALSE(theme.has_value());
    EXPECT_EQ(theme.error().code, Error::Code::invalid_input);
    EXPECT_THAT(theme.error().message, HasSubstr("partials/sidebar.mustache"));
}

TEST_F(ThemeLoadTest, PartialNameThatLeavesTheFolderIsInvalidInput) {
    write("not_found.mustache", "{{> ../layout}}\n");
    auto theme = load();
    ASSERT_FALSE(theme.has_value());
    EXPECT_EQ(theme.error().code, Error::Code::invalid_input);
    EXPECT_THAT(theme.error().message, HasSubstr("not_found.mustache"));
}

TEST_F(ThemeLoadTest, MissingPartialIsNotFoundAndNamed) {
    write("not_found.mustache", "{{> nowhere}}\n");
    auto theme = load();
    ASSERT_FALSE(theme.has_value());
    EXPECT_EQ(theme.error().code, Error::Code::not_found);
    EXPECT_THAT(theme.error().message, HasSubstr("partials/nowhere.mustache"));
}

TEST_F(ThemeLoadTest, BrokenLocaleFileIsInvalidInputAndNamed) {
    write("locales/fr.po", "msgid \"A\"\nmsgstr \"B\nmsgid \"C\"\n");
    auto theme = load();
    ASSERT_FALSE(theme.has_value());
    EXPECT_EQ(theme.error().code, Error::Code::invalid_input);
    EXPECT_THAT(theme.error().message, HasSubstr("fr.po"));
}

TEST_F(ThemeLoadTest, ExtraLocaleFileIsUsedForItsLanguage) {
    write("locales/de.po",
          "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
          "msgid \"Permalink\"\nmsgstr \"Permalink (de)\"\n");
    auto theme = load();
    ASSERT_TRUE(theme.has_value()) << theme.error().message;
    EXPECT_EQ((*theme)->text("de_AT", "Permalink"), "Permalink (de)");
    EXPECT_EQ((*theme)->text("de", "Categories"), "Categories");
}

TEST_F(ThemeLoadTest, TemplatesAreReadOnceAtLoad) {
    auto theme = load();
    ASSERT_TRUE(theme.has_value()) << theme.error().message;
    std::filesystem::remove_all(theme_dir());
    model::Blog blog;
    const auto html = (*theme)->render_not_found(blog, {}, {});
    EXPECT_THAT(html, HasSubstr("Page introuvable"));
}

}  // namespace
}  // namespace carnet::theme
