#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "interop/interop.hpp"
#include "interop/page_text_test_support.hpp"
#include "interop/write_failure_test_support.hpp"
#include "model/model.hpp"
#include "store/store.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::interop {
namespace {

using ::testing::ElementsAre;
using testing::fixture_text;
using ::testing::HasSubstr;
using testing::line_of;
using testing::replaced;

using namespace std::chrono_literals;

constexpr std::string_view k_first_slug = "l-etat-islamique-attaque-le-tribunal-de-misrata";

model::Instant utc(std::chrono::year_month_day day, std::chrono::minutes time) {
    return model::Instant{std::chrono::sys_days{day} + time};
}

// A SQLite store in its own temporary directory, holding one blog in Europe/Paris.
class PageTextImport : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::open_sqlite_store(directory_ / "carnet.db",
                                               store::OpenMode::create_if_missing, store_clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);

        model::Blog blog;
        blog.hosts = {"monde-arabe.example"};
        blog.title = "Le monde arabe";
        blog.time_zone = "Europe/Paris";
        auto created = store_->write([&](store::Writer& writer) -> model::Status {
            auto id = writer.blogs().create_blog(blog);
            if (!id) return std::unexpected(id.error());
            blog_id_ = *id;
            return {};
        });
        ASSERT_TRUE(created) << created.error().message;
    }

    std::vector<model::Post> posts() {
        store::PostQuery query;
        query.limit = 100;
        auto list = store_->posts().published_posts(blog_id_, query);
        EXPECT_TRUE(list) << list.error().message;
        return list ? list->posts : std::vector<model::Post>{};
    }

    std::optional<model::Post> post(std::string_view slug) {
        auto found = store_->posts().find_published_post(blog_id_, slug);
        EXPECT_TRUE(found) << found.error().message;
        return found ? *found : std::nullopt;
    }

    ImportReport import_fixture() {
        auto report = import_page_text(*store_, blog_id_, fixture_text());
        EXPECT_TRUE(report) << report.error().message;
        return report ? *report : ImportReport{};
    }

    // Before the store, so that the store closes before its folder goes.
    carnet::testing::TempDir temp_;
    const std::filesystem::path& directory_ = temp_.path();
    // What the store records as the time of its writes; it outlives the store.
    ManualClock store_clock_{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
    std::unique_ptr<store::Store> store_;
    std::int64_t blog_id_ = 0;
};

TEST_F(PageTextImport, ImportsTheThreePostsOfTheFixture) {
    const ImportReport report = import_fixture();
    EXPECT_EQ(report.imported, 3);
    EXPECT_EQ(report.skipped, 0);
    const auto stored = posts();
    ASSERT_EQ(stored.size(), 3u);
    // Newest first, as the page had them.
    EXPECT_EQ(stored[0].title, "L'Etat islamique attaque le tribunal de Misrata");
    EXPECT_EQ(stored[0].slug, k_first_slug);
    EXPECT_EQ(stored[1].title,
              "Syrie : Daech s'empare d'Al-Qaryatayn, ville symbolique dans le centre de la Syrie");
    EXPECT_THAT(stored[2].title, HasSubstr("La Russie ne permettra pas"));
    for (const model::Post& post : stored) {
        EXPECT_EQ(post.status, model::PostStatus::published);
        EXPECT_TRUE(post.comments_open);
        EXPECT_EQ(post.updated_at, post.published_at);
    }
}

TEST_F(PageTextImport, PublishesAtTheLocalTimeInTheBlogTimeZone) {
    import_fixture();
    const auto stored = posts();
    ASSERT_EQ(stored.size(), 3u);
    using std::chrono::October;
    using std::chrono::September;
    // Paris is on summer time (UTC+2) on all three days.
    EXPECT_EQ(stored[0].published_at, utc(2017y / October / 4, 18h + 19min));
    EXPECT_EQ(stored[1].published_at, utc(2017y / October / 1, 17h + 8min));
    // The cut post has no time: 00:00 in Paris, the evening before in UTC.
    EXPECT_EQ(stored[2].published_at, utc(2017y / September / 28, 22h + 0min));
}

TEST_F(PageTextImport, FilesPostsUnderTheirCategoriesInOrder) {
    import_fixture();
    const auto first = post(k_first_slug);
    ASSERT_TRUE(first);
    std::vector<std::string> names;
    for (const model::Category& category : first->categories) names.push_back(category.name);
    EXPECT_THAT(names, ElementsAre("Etat Islamique", "Libye", "Misrata", "Syrte"));
    const auto stored = posts();
    ASSERT_EQ(stored.size(), 3u);
    EXPECT_EQ(stored[1].categories.size(), 5u);
    EXPECT_TRUE(stored[2].categories.empty());
}

TEST_F(PageTextImport, StoresTheBodyAsEscapedHtmlWithSubheadings) {
    import_fixture();
    const auto first = post(k_first_slug);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->source_format, model::SourceFormat::html);
    EXPECT_THAT(first->source, HasSubstr("<h3>Les milices de Misrata</h3>"));
    EXPECT_THAT(first->source, HasSubstr("<p>Vidéo de l&#39;attaque :</p>"));
    EXPECT_THAT(first->source, HasSubstr("procès de membres de Daech se déroulait"));
    EXPECT_EQ(first->html, first->source);
    EXPECT_THAT(first->excerpt, HasSubstr("Deux militants"));
    EXPECT_EQ(first->excerpt.find('<'), std::string::npos);
}

TEST_F(PageTextImport, ReportsAnnouncedCommentsAndTheCutPost) {
    const ImportReport report = import_fixture();
    ASSERT_EQ(report.lines.size(), 3u);
    EXPECT_EQ(report.lines[0],
              "imported \"L'Etat islamique attaque le tribunal de Misrata\" (04/10/2017 20:19, 4 "
              "categories); the page announced 0 comments, whose texts are not in a saved page "
              "and could not be recovered");
    EXPECT_THAT(report.lines[1], HasSubstr("(01/10/2017 19:08, 5 categories)"));
    EXPECT_THAT(report.lines[1], HasSubstr("the page announced 2 comments"));
    EXPECT_THAT(report.lines[2], HasSubstr("(29/09/2017 00:00, no categories)"));
    EXPECT_THAT(report.lines[2], HasSubstr("has no footer (the page was cut): no time (00:00 "
                                           "used) and no categories"));
}

TEST_F(PageTextImport, ImportingTheSamePageTwiceAddsNothing) {
    import_fixture();
    const ImportReport again = import_fixture();
    EXPECT_EQ(again.imported, 0);
    EXPECT_EQ(again.skipped, 3);
    ASSERT_EQ(again.lines.size(), 3u);
    for (const std::string& line : again.lines) EXPECT_THAT(line, HasSubstr("already present"));
    EXPECT_EQ(posts().size(), 3u);
}

TEST_F(PageTextImport, BrokenPageLeavesTheStoreUnchanged) {
    const std::string text = fixture_text();
    // The broken line comes after a good post: nothing of that post may be written either.
    const std::string broken = replaced(text, "19:08 Publié", "25:61 Publié");
    auto refused = import_page_text(*store_, blog_id_, broken);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, model::Error::Code::invalid_input);
    EXPECT_THAT(refused.error().message,
                HasSubstr(fmt::format("line {}:", line_of(text, "19:08"))));
    EXPECT_TRUE(posts().empty());

    import_fixture();
    EXPECT_FALSE(import_page_text(*store_, blog_id_, std::string("04/10/2017\n\0", 12)));
    EXPECT_EQ(posts().size(), 3u);
}

TEST_F(PageTextImport, AFailedWriteAfterAPostLeavesNothing) {
    // The first post of the page is written before the second one's write fails.
    testing::fail_writes_of_post_titled(
        directory_ / "carnet.db",
        "Syrie : Daech s'empare d'Al-Qaryatayn, ville symbolique dans le centre de la Syrie");
    auto failed = import_page_text(*store_, blog_id_, fixture_text());
    ASSERT_FALSE(failed);
    EXPECT_TRUE(posts().empty());
    auto categories = store_->categories().categories_with_counts(blog_id_);
    ASSERT_TRUE(categories);
    EXPECT_TRUE(categories->empty());
}

TEST_F(PageTextImport, GivesPostsOfOnePageWithOneTitleTheirOwnSlugs) {
    const std::string text =
        "23/10/2026\n\nLa revue de presse\n\nMardi.\n\n08:00 Publié dans Presse | Lien "
        "permanent | Commentaires (0) | | | | |\n\n22/10/2026\n\nLa revue de presse\n\nLundi.\n\n"
        "08:00 Publié dans Presse | Lien permanent | Commentaires (0) | | | | |\n";
    auto first = import_page_text(*store_, blog_id_, text);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->imported, 2);
    EXPECT_TRUE(post("la-revue-de-presse"));
    EXPECT_TRUE(post("la-revue-de-presse-2"));
    auto again = import_page_text(*store_, blog_id_, text);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->imported, 0);
    EXPECT_EQ(again->skipped, 2);
}

TEST_F(PageTextImport, ImportsTheDemoFrontPage) {
    auto report = import_page_text(*store_, blog_id_,
                                   testing::read_text_file(testing::demo_front_page_path()));
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->imported, 7);
    EXPECT_EQ(posts().size(), 7u);
}

TEST_F(PageTextImport, RefusesAnUnknownBlog) {
    auto refused = import_page_text(*store_, blog_id_ + 1, fixture_text());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, model::Error::Code::not_found);
}

}  // namespace
}  // namespace carnet::interop
