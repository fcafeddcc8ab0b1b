// The store's behaviour, written against the Store interface and its concern interfaces so
// that every backend runs the same suites, one per concern (BlogStoreTest, PostStoreTest,
// ...) and one for what the concerns share (transactions, generations, threads): add the
// backend's factory to store_backends() in store_test_backends.hpp.
#include "store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <map>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "store/store_test_backends.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::store {
namespace {

using std::chrono::sys_days;
using namespace std::chrono;

model::Instant utc(int y, unsigned m, unsigned d, int hh, int mm) {
    return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm};
}

using carnet::testing::TempDir;

class StoreTest : public ::testing::TestWithParam<StoreBackend> {
protected:
    void SetUp() override {
        auto opened = GetParam().open(dir_, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        model::Blog blog;
        blog.title = "Le Monde arabe";
        blog.hosts = {"blog.example.org", "www.blog.example.org"};
        blog.base_url = "https://blog.example.org";
        auto created = create_blog(blog);
        ASSERT_TRUE(created.has_value()) << created.error().message;
        blog_id_ = *created;
    }

    Result<std::int64_t> create_blog(const model::Blog& blog) {
        std::int64_t id = 0;
        auto written = store_->write([&](Writer& writer) -> Status {
            auto created = writer.blogs().create_blog(blog);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        });
        if (!written) return std::unexpected(written.error());
        return id;
    }

    model::Post make_post(std::string title, model::Instant at,
                          std::vector<std::string> categories = {}) {
        model::Post post;
        post.blog_id = blog_id_;
        post.status = model::PostStatus::published;
        post.title = std::move(title);
        post.source_format = model::SourceFormat::html;
        post.source = "<p>" + post.title + "</p>";
        post.html = post.source;
        post.published_at = at;
        post.updated_at = at;
        for (auto& name : categories) post.categories.push_back(model::Category{.name = name});
        return post;
    }

    Result<std::int64_t> add(const model::Post& post) {
        std::int64_t id = 0;
        auto written = store_->write([&](Writer& writer) -> Status {
            auto created = writer.posts().create_post(post);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        });
        if (!written) return std::unexpected(written.error());
        return id;
    }

    int published_count() {
        auto list = store_->posts().published_posts(blog_id_, PostQuery{.limit = 0});
        EXPECT_TRUE(list.has_value());
        return list ? list->total : -1;
    }

    TempDir dir_;
    // The store's time for what it dates itself (creation of blogs, users, revisions, media
    // and sessions; which sessions are live).
    ManualClock clock_{sys_days{year{2026} / 11 / 25} + hours{9}};
    std::unique_ptr<Store> store_;
    std::int64_t blog_id_ = 0;
};

// One suite per concern, each sharing the fixture above.
class BlogStoreTest : public StoreTest {};
class AccountStoreTest : public StoreTest {};
class SessionStoreTest : public StoreTest {};
class PostStoreTest : public StoreTest {};
class CategoryStoreTest : public StoreTest {};
class PageStoreTest : public StoreTest {};
class CommentStoreTest : public StoreTest {};
class MediaStoreTest : public StoreTest {};
class RedirectStoreTest : public StoreTest {};

TEST_P(BlogStoreTest, BlogIsListedWithItsHostsAndDefaults) {
    auto blogs = store_->blogs().list_blogs();
    ASSERT_TRUE(blogs.has_value());
    ASSERT_EQ(blogs->size(), 1u);
    const auto& blog = blogs->front();
    EXPECT_EQ(blog.title, "Le Monde arabe");
    EXPECT_EQ(blog.hosts, (std::vector<std::string>{"blog.example.org", "www.blog.example.org"}));
    EXPECT_EQ(blog.locale, "fr");
    EXPECT_EQ(blog.time_zone, "Europe/Paris");
    EXPECT_EQ(blog.posts_per_page, 10);
    EXPECT_EQ(blog.base_url, "https://blog.example.org");
}

TEST_P(BlogStoreTest, BlogWithBadSettingsOrTakenHostIsRefused) {
    model::Blog bad_zone{.title = "x", .time_zone = "Nowhere/Town"};
    EXPECT_EQ(create_blog(bad_zone).error().code, model::Error::Code::invalid_input);
    model::Blog bad_locale{.title = "x", .locale = "de"};
    EXPECT_EQ(create_blog(bad_locale).error().code, model::Error::Code::invalid_input);
    model::Blog bad_url{.base_url = "javascript:alert(1)", .title = "x"};
    EXPECT_EQ(create_blog(bad_url).error().code, model::Error::Code::invalid_input);
    model::Blog taken{.hosts = {"blog.example.org"}, .title = "Autre"};
    EXPECT_EQ(create_blog(taken).error().code, model::Error::Code::conflict);
    EXPECT_EQ(store_->blogs().list_blogs()->size(), 1u);
}

TEST_P(BlogStoreTest, OnlyOneBlogMayGoWithoutAHostName) {
    // The fixture's blog has host names: a blog without any becomes the default one.
    auto first_default = create_blog(model::Blog{.title = "Par défaut"});
    ASSERT_TRUE(first_default.has_value()) << first_default.error().message;
    auto second_default = create_blog(model::Blog{.title = "Encore un"});
    ASSERT_FALSE(second_default.has_value());
    EXPECT_EQ(second_default.error().code, model::Error::Code::conflict);
    EXPECT_NE(second_default.error().message.find("\"Par défaut\" is already the default blog"),
              std::string::npos)
        << second_default.error().message;
    // Blogs with their own host names can still be added beside it.
    EXPECT_TRUE(create_blog(model::Blog{.hosts = {"autre.example.org"}, .title = "Autre"}));
    EXPECT_EQ(store_->blogs().list_blogs()->size(), 3u);
}

TEST_P(PostStoreTest, PostKeepsItsFieldsAndCategoryOrder) {
    auto post =
        make_post("L'Etat islamique attaque le tribunal de Misrata", utc(2017, 10, 4, 18, 19),
                  {"Etat Islamique", "Libye", "Misrata", "Syrte"});
    ASSERT_TRUE(add(post).has_value());
    auto found = store_->posts().find_published_post(
        blog_id_, "l-etat-islamique-attaque-le-tribunal-de-misrata");
    ASSERT_TRUE(found.has_value());
    ASSERT_TRUE(found->has_value());
    const auto& stored = **found;
    EXPECT_EQ(stored.title, post.title);
    EXPECT_EQ(stored.html, post.html);
    EXPECT_EQ(stored.published_at, post.published_at);
    EXPECT_EQ(stored.status, model::PostStatus::published);
    ASSERT_EQ(stored.categories.size(), 4u);
    EXPECT_EQ(stored.categories[0].name, "Etat Islamique");
    EXPECT_EQ(stored.categories[0].slug, "etat-islamique");
    EXPECT_EQ(stored.categories[3].name, "Syrte");
    EXPECT_EQ(stored.comment_count, 0);
}

TEST_P(CategoryStoreTest, CategoriesAreSharedBetweenPostsAndCounted) {
    ASSERT_TRUE(add(make_post("Un", utc(2017, 10, 1, 10, 0), {"Syrie", "Etat Islamique"})));
    ASSERT_TRUE(add(make_post("Deux", utc(2017, 10, 4, 10, 0), {"Libye", "Etat Islamique"})));
    auto categories = store_->categories().categories_with_counts(blog_id_);
    ASSERT_TRUE(categories.has_value());
    ASSERT_EQ(categories->size(), 3u);
    EXPECT_EQ((*categories)[0].slug, "etat-islamique");
    EXPECT_EQ((*categories)[0].post_count, 2);
    EXPECT_EQ((*categories)[1].slug, "libye");
    EXPECT_EQ((*categories)[1].post_count, 1);

    auto category = store_->categories().find_category(blog_id_, "etat-islamique");
    ASSERT_TRUE(category.has_value() && category->has_value());
    auto listed =
        store_->posts().published_posts(blog_id_, PostQuery{.category_id = (*category)->id});
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(listed->total, 2);
    auto libye = store_->categories().find_category(blog_id_, "libye");
    auto only_libye =
        store_->posts().published_posts(blog_id_, PostQuery{.category_id = (*libye)->id});
    ASSERT_EQ(only_libye->posts.size(), 1u);
    EXPECT_EQ(only_libye->posts[0].title, "Deux");
}

TEST_P(PostStoreTest, ListingsAreNewestFirstAndPaginated) {
    for (int i = 0; i < 25; ++i) {
        ASSERT_TRUE(add(make_post("Post " + std::to_string(i), utc(2017, 10, 1, 0, i))));
    }
    auto first = store_->posts().published_posts(blog_id_, PostQuery{.offset = 0, .limit = 10});
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->total, 25);
    ASSERT_EQ(first->posts.size(), 10u);
    EXPECT_EQ(first->posts[0].title, "Post 24");
    auto last = store_->posts().published_posts(blog_id_, PostQuery{.offset = 20, .limit = 10});
    ASSERT_EQ(last->posts.size(), 5u);
    EXPECT_EQ(last->posts[4].title, "Post 0");
    auto links =
        store_->posts().published_posts(blog_id_, PostQuery{.limit = 3, .with_body = false});
    ASSERT_EQ(links->posts.size(), 3u);
    EXPECT_TRUE(links->posts[0].html.empty());
    EXPECT_EQ(links->posts[0].slug, "post-24");
}

TEST_P(PostStoreTest, DeepPagesOfTheBlogAndOfACategoryHoldWhatTheWholeListingHoldsThere) {
    // Posts enough for deep pages to start from kept places in the listing, many at the same
    // second (ordered by id then), drafts among them, a third filed under Libye.
    struct Listed {
        model::Instant at;
        std::int64_t id;
        bool libye;
    };
    std::vector<Listed> listed;
    const auto write_posts = [&](int from, int to) {
        return store_->write([&](Writer& writer) -> Status {
            for (int i = from; i < to; ++i) {
                const auto at = utc(2017, 10, 1, 0, i % 5 == 0 ? 0 : 1400 - i % 700);
                const bool libye = i % 3 == 0;
                auto post =
                    make_post("Billet " + std::to_string(i), at, {libye ? "Libye" : "Syrie"});
                post.slug = "billet-" + std::to_string(i);
                if (i % 97 == 3) post.status = model::PostStatus::draft;
                auto created = writer.posts().create_post(post);
                if (!created) return std::unexpected(created.error());
                if (post.status == model::PostStatus::published) {
                    listed.push_back({at, *created, libye});
                }
            }
            return {};
        });
    };
    ASSERT_TRUE(write_posts(0, 1400));
    auto categories = store_->categories().categories_with_counts(blog_id_);
    ASSERT_TRUE(categories) << categories.error().message;
    const auto libye = std::ranges::find(*categories, std::string("Libye"), &model::Category::name);
    ASSERT_NE(libye, categories->end());
    const auto libye_id = libye->id;

    const auto check_every_depth = [&] {
        std::ranges::sort(listed, [](const Listed& a, const Listed& b) {
            return std::pair(a.at, a.id) > std::pair(b.at, b.id);
        });
        for (const bool in_category : {false, true}) {
            SCOPED_TRACE(in_category ? "Libye" : "the whole blog");
            std::vector<std::int64_t> expected;
            for (const auto& post : listed) {
                if (!in_category || post.libye) expected.push_back(post.id);
            }
            const int total = static_cast<int>(expected.size());
            for (const int offset : {0, 255, 256, 511, 512, 513, 700, 767, 768, 769, 1000, 1023,
                                     1024, 1200, total - 10, total - 1, total}) {
                if (offset < 0 || offset > total) continue;
                SCOPED_TRACE(offset);
                PostQuery query{.offset = offset, .limit = 10, .with_body = false};
                if (in_category) query.category_id = libye_id;
                auto page = store_->posts().published_posts(blog_id_, query);
                ASSERT_TRUE(page) << page.error().message;
                EXPECT_EQ(page->total, total);
                std::vector<std::int64_t> ids;
                for (const auto& post : page->posts) {
                    ids.push_back(post.id);
                    const auto libye_post = std::ranges::find(listed, post.id, &Listed::id)->libye;
                    ASSERT_EQ(post.categories.size(), 1U) << post.id;
                    EXPECT_EQ(post.categories[0].name, libye_post ? "Libye" : "Syrie");
                }
                const auto end = std::min(offset + 10, total);
                EXPECT_EQ(ids, std::vector<std::int64_t>(expected.begin() + offset,
                                                         expected.begin() + end));
            }
        }
    };
    check_every_depth();
    // A page longer than a batch of categories: each post gets its own.
    auto long_page = store_->posts().published_posts(blog_id_, PostQuery{.limit = 70});
    ASSERT_TRUE(long_page) << long_page.error().message;
    ASSERT_EQ(long_page->posts.size(), 70U);
    for (const auto& post : long_page->posts) {
        ASSERT_EQ(post.categories.size(), 1U) << post.id;
        EXPECT_EQ(post.categories[0].name,
                  std::ranges::find(listed, post.id, &Listed::id)->libye ? "Libye" : "Syrie");
    }
    // The listing changes: deep pages follow at once.
    ASSERT_TRUE(write_posts(1400, 1405));
    const auto gone = listed[300].id;
    ASSERT_TRUE(
        store_->write([&](Writer& writer) { return writer.posts().delete_post(blog_id_, gone); }));
    std::erase_if(listed, [&](const Listed& post) { return post.id == gone; });
    check_every_depth();
}

TEST_P(PostStoreTest, TheMonthsFollowEveryChangeOfThePostsBetweenTwoReads) {
    // Each step changes the posts, then the months read must be those the posts make: the
    // store may keep the months it read and read again only what changed.
    std::map<std::int64_t, model::Instant> published;  // post id -> time
    const auto expect_months = [&](const char* step) {
        SCOPED_TRACE(step);
        std::map<std::pair<int, int>, int, std::greater<>> counted;
        for (const auto& [id, at] : published) {
            const year_month_day day{floor<days>(at)};  // the blog's zone is UTC
            ++counted[{static_cast<int>(day.year()), static_cast<int>(unsigned(day.month()))}];
        }
        auto months = store_->posts().months_with_counts(blog_id_);
        ASSERT_TRUE(months) << months.error().message;
        std::vector<std::tuple<int, int, int>> got;
        for (const auto& month : *months)
            got.emplace_back(month.year, month.month, month.post_count);
        std::vector<std::tuple<int, int, int>> want;
        for (const auto& [key, posts] : counted) want.emplace_back(key.first, key.second, posts);
        EXPECT_EQ(got, want);
    };
    const auto add_at = [&](const std::string& title, model::Instant at) {
        auto id = add(make_post(title, at));
        EXPECT_TRUE(id) << id.error().message;
        if (id) published[*id] = at;
        return id.value_or(0);
    };
    const auto update = [&](std::int64_t id, auto change) {
        ASSERT_TRUE(store_->write([&](Writer& writer) -> Status {
            auto post = writer.posts().find_post_by_id(blog_id_, id);
            if (!post) return std::unexpected(post.error());
            change(**post);
            return writer.posts().update_post(**post);
        }));
    };
    const auto march = add_at("Mars", utc(2016, 3, 14, 10, 0));
    add_at("Octobre", utc(2017, 10, 4, 8, 0));
    const auto lonely = add_at("Novembre", utc(2016, 11, 2, 10, 0));
    expect_months("first read");
    expect_months("nothing changed");
    add_at("Octobre encore", utc(2017, 10, 5, 8, 0));
    expect_months("a post in a month that has some");
    add_at("Janvier", utc(2018, 1, 1, 8, 0));
    expect_months("a post in a new month");
    ASSERT_TRUE(store_->write(
        [&](Writer& writer) { return writer.posts().delete_post(blog_id_, lonely); }));
    published.erase(lonely);
    expect_months("a month's last post deleted");
    // Its one post moves to another month: one month gone and one more, the same total.
    update(march, [&](model::Post& post) { post.published_at = utc(2015, 6, 1, 9, 0); });
    published[march] = utc(2015, 6, 1, 9, 0);
    expect_months("a month's last post moved to a new month");
    update(march, [&](model::Post& post) { post.status = model::PostStatus::draft; });
    published.erase(march);
    expect_months("a post unpublished");
    update(march, [&](model::Post& post) { post.status = model::PostStatus::published; });
    published[march] = utc(2015, 6, 1, 9, 0);
    expect_months("a post published again");
}

TEST_P(PostStoreTest, PostListsCarryTheirCategoriesUnlessAskedNotTo) {
    ASSERT_TRUE(add(make_post("Misrata", utc(2017, 10, 4, 8, 0), {"Libye", "Misrata"})));
    auto with = store_->posts().published_posts(blog_id_, PostQuery{.with_body = false});
    ASSERT_TRUE(with.has_value()) << with.error().message;
    ASSERT_EQ(with->posts.size(), 1u);
    EXPECT_EQ(with->posts[0].categories.size(), 2u);
    auto without = store_->posts().published_posts(
        blog_id_, PostQuery{.with_body = false, .with_categories = false});
    ASSERT_TRUE(without.has_value()) << without.error().message;
    ASSERT_EQ(without->posts.size(), 1u);
    EXPECT_EQ(without->posts[0].title, "Misrata");
    EXPECT_TRUE(without->posts[0].categories.empty());
}

TEST_P(PostStoreTest, ArchivesSelectDaysAndMonthsInTheBlogsTimeZone) {
    // 22:30 UTC on 30 September is 00:30 on 1 October in Paris.
    ASSERT_TRUE(add(make_post("Minuit passé", utc(2017, 9, 30, 22, 30))));
    ASSERT_TRUE(add(make_post("Fin septembre", utc(2017, 9, 30, 21, 30))));
    ASSERT_TRUE(add(make_post("Décembre", utc(2017, 12, 31, 23, 30))));  // 2018 in Paris

    auto october_first =
        store_->posts().published_posts(blog_id_, PostQuery{.year = 2017, .month = 10, .day = 1});
    ASSERT_EQ(october_first->posts.size(), 1u);
    EXPECT_EQ(october_first->posts[0].title, "Minuit passé");
    auto september = store_->posts().published_posts(blog_id_, PostQuery{.year = 2017, .month = 9});
    ASSERT_EQ(september->posts.size(), 1u);
    EXPECT_EQ(september->posts[0].title, "Fin septembre");
    EXPECT_EQ(store_->posts().published_posts(blog_id_, PostQuery{.year = 2017})->total, 2);
    EXPECT_EQ(store_->posts().published_posts(blog_id_, PostQuery{.year = 2018})->total, 1);

    auto months = store_->posts().months_with_counts(blog_id_);
    ASSERT_TRUE(months.has_value());
    ASSERT_EQ(months->size(), 3u);
    EXPECT_EQ((*months)[0].year, 2018);
    EXPECT_EQ((*months)[0].month, 1);
    EXPECT_EQ((*months)[1].month, 10);
    EXPECT_EQ((*months)[2].month, 9);
}

TEST_P(PostStoreTest, DraftsAreNotPublished) {
    auto draft = make_post("Brouillon", utc(2017, 10, 1, 10, 0), {"Syrie"});
    draft.status = model::PostStatus::draft;
    ASSERT_TRUE(add(draft));
    EXPECT_EQ(published_count(), 0);
    EXPECT_FALSE(store_->posts().find_published_post(blog_id_, "brouillon")->has_value());
    EXPECT_TRUE(store_->categories().categories_with_counts(blog_id_)->empty());
}

TEST_P(PostStoreTest, AnExportReadsEveryPostOnceOldestFirstAcrossBatches) {
    // More posts than one batch holds, many at the same second (ordered by id then), and
    // posts in the trash, which exports leave out.
    std::vector<std::int64_t> expected;
    auto written = store_->write([&](Writer& writer) -> Status {
        for (int i = 0; i < 1203; ++i) {
            auto post = make_post("Billet " + std::to_string(i),
                                  utc(2017, 10, 1, 0, i % 7 == 0 ? 0 : 1200 - i % 600));
            post.slug = "billet-" + std::to_string(i);
            if (i % 100 == 5) post.status = model::PostStatus::trash;
            auto created = writer.posts().create_post(post);
            if (!created) return std::unexpected(created.error());
            if (post.status != model::PostStatus::trash) expected.push_back(*created);
        }
        return {};
    });
    ASSERT_TRUE(written) << written.error().message;
    auto all = store_->archive().archived_posts(blog_id_);
    ASSERT_TRUE(all) << all.error().message;
    std::ranges::sort(expected, [&](std::int64_t a, std::int64_t b) {
        const auto at = [&](std::int64_t id) {
            return std::ranges::find(*all, id, [](const auto& p) { return p.post.id; })
                ->post.published_at;
        };
        return std::pair(at(a), a) < std::pair(at(b), b);
    });
    std::vector<std::int64_t> read;
    auto each = store_->archive().each_archived_post(blog_id_, [&](const ArchivedPost& post) {
        read.push_back(post.post.id);
        return Status{};
    });
    ASSERT_TRUE(each) << each.error().message;
    EXPECT_EQ(read.size(), 1203u - 12u);
    EXPECT_EQ(read, expected);
    // A failure of the callback stops the reading and comes back.
    int calls = 0;
    auto stopped = store_->archive().each_archived_post(blog_id_, [&](const ArchivedPost&) {
        return ++calls == 600 ? Status(model::fail(model::Error::Code::io, "disk full")) : Status{};
    });
    ASSERT_FALSE(stopped);
    EXPECT_EQ(stopped.error().message, "disk full");
    EXPECT_EQ(calls, 600);
}

TEST_P(StoreTest, DuplicateSlugIsAConflictAndRollsBackTheWholeTransaction) {
    ASSERT_TRUE(add(make_post("Même titre", utc(2017, 10, 1, 10, 0))));
    auto written = store_->write([&](Writer& writer) -> Status {
        auto first =
            writer.posts().create_post(make_post("Nouveau", utc(2017, 10, 2, 10, 0), {"Neuve"}));
        if (!first) return std::unexpected(first.error());
        auto second = writer.posts().create_post(make_post("Même titre", utc(2017, 10, 3, 10, 0)));
        if (!second) return std::unexpected(second.error());
        return {};
    });
    ASSERT_FALSE(written.has_value());
    EXPECT_EQ(written.error().code, model::Error::Code::conflict);
    EXPECT_EQ(published_count(), 1);
    EXPECT_FALSE(store_->categories().find_category(blog_id_, "neuve")->has_value());
}

TEST_P(StoreTest, WriterSeesItsOwnUncommittedWrites) {
    auto written = store_->write([&](Writer& writer) -> Status {
        auto created = writer.posts().create_post(make_post("Visible", utc(2017, 10, 1, 10, 0)));
        if (!created) return std::unexpected(created.error());
        auto found = writer.posts().find_post_by_slug(blog_id_, "visible");
        if (!found || !found->has_value())
            return model::fail(model::Error::Code::internal, "not seen");
        return {};
    });
    EXPECT_TRUE(written.has_value()) << written.error().message;
}

TEST_P(StoreTest, EveryWriteBumpsTheBlogsGeneration) {
    const auto before = store_->generation(blog_id_);
    EXPECT_GT(before, 0u);
    ASSERT_TRUE(add(make_post("Un", utc(2017, 10, 1, 10, 0))));
    const auto after = store_->generation(blog_id_);
    EXPECT_GT(after, before);
    auto failed = store_->write([](Writer&) -> Status {
        return model::fail(model::Error::Code::invalid_input, "refused");
    });
    EXPECT_FALSE(failed.has_value());
    EXPECT_EQ(store_->generation(blog_id_), after);
}

TEST_P(AccountStoreTest, UsersAndRoles) {
    std::int64_t user_id = 0;
    ASSERT_TRUE(store_->write([&](Writer& writer) -> Status {
        auto created = writer.accounts().create_user(
            {.email = "jr@example.org", .name = "Jean René"}, "$argon2id$x");
        if (!created) return std::unexpected(created.error());
        user_id = *created;
        return writer.accounts().add_membership(blog_id_, user_id, model::Role::owner);
    }));
    auto user = store_->accounts().find_user_by_email("JR@example.org");
    ASSERT_TRUE(user.has_value() && user->has_value());
    EXPECT_EQ((*user)->name, "Jean René");
    EXPECT_EQ(*store_->accounts().role_of(blog_id_, user_id), model::Role::owner);
    auto again = store_->write([&](Writer& writer) -> Status {
        auto created =
            writer.accounts().create_user({.email = "jr@example.org", .name = "Autre"}, "h");
        if (!created) return std::unexpected(created.error());
        return {};
    });
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, model::Error::Code::conflict);
}

TEST_P(StoreTest, ConcurrentReadersAndAWriterAgree) {
    std::atomic<bool> failed{false};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t) {
        readers.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                auto list = store_->posts().published_posts(blog_id_, PostQuery{.limit = 5});
                if (!list || list->posts.size() > 5) failed = true;
            }
        });
    }
    for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE(add(make_post("Concurrent " + std::to_string(i), utc(2017, 10, 1, 0, i))));
    }
    for (auto& reader : readers) reader.join();
    EXPECT_FALSE(failed);
    EXPECT_EQ(published_count(), 50);
}

// --- The admin's side ----------------------------------------------------------------------

// Runs `body` in a write transaction; the test fails with the store's message if it fails.
#define EXPECT_WRITE(body)                                             \
    do {                                                               \
        auto written_ = store_->write(body);                           \
        EXPECT_TRUE(written_.has_value()) << written_.error().message; \
    } while (false)

TEST_P(RedirectStoreTest, UpdatingAPublishedPostsSlugLeavesARedirectFromItsOldPath) {
    auto id = add(make_post("Premier titre", utc(2017, 10, 4, 18, 19), {"Libye", "Syrte"}));
    ASSERT_TRUE(id);
    auto post = *store_->posts().find_post_by_id(blog_id_, *id);
    ASSERT_TRUE(post.has_value());
    EXPECT_EQ(post->slug, "premier-titre");
    post->slug = "nouveau-titre";
    post->categories = {{.name = "Syrte"}, {.name = "Misrata"}};
    EXPECT_WRITE([&](Writer& writer) { return writer.posts().update_post(*post); });

    EXPECT_FALSE(store_->posts().find_published_post(blog_id_, "premier-titre")->has_value());
    auto moved = *store_->posts().find_published_post(blog_id_, "nouveau-titre");
    ASSERT_TRUE(moved.has_value());
    ASSERT_EQ(moved->categories.size(), 2u);
    EXPECT_EQ(moved->categories[0].name, "Syrte");
    EXPECT_EQ(moved->categories[1].name, "Misrata");
    auto redirect =
        *store_->redirects().find_post_redirect(blog_id_, "/archive/2017/10/04/premier-titre.html");
    ASSERT_TRUE(redirect.has_value());
    EXPECT_EQ(redirect->id, *id);

    // Going back to the first slug removes the redirect that would now loop.
    post->slug = "premier-titre";
    EXPECT_WRITE([&](Writer& writer) { return writer.posts().update_post(*post); });
    EXPECT_FALSE(store_->redirects()
                     .find_post_redirect(blog_id_, "/archive/2017/10/04/premier-titre.html")
                     ->has_value());
    EXPECT_TRUE(store_->redirects()
                    .find_post_redirect(blog_id_, "/archive/2017/10/04/nouveau-titre.html")
                    ->has_value());
}

TEST_P(RedirectStoreTest, ADraftLeavesNoRedirectAndATakenSlugIsAConflict) {
    auto draft = make_post("Brouillon", utc(2017, 10, 4, 18, 0));
    draft.status = model::PostStatus::draft;
    auto id = add(draft);
    ASSERT_TRUE(add(make_post("Pris", utc(2017, 10, 4, 19, 0))));
    auto post = *store_->posts().find_post_by_id(blog_id_, *id);
    post->slug = "autre";
    EXPECT_WRITE([&](Writer& writer) { return writer.posts().update_post(*post); });
    EXPECT_FALSE(store_->redirects()
                     .find_post_redirect(blog_id_, "/archive/2017/10/04/brouillon.html")
                     ->has_value());
    post->slug = "pris";
    auto taken = store_->write([&](Writer& writer) { return writer.posts().update_post(*post); });
    ASSERT_FALSE(taken.has_value());
    EXPECT_EQ(taken.error().code, model::Error::Code::conflict);
    post->slug = "Pas un slug";
    auto bad = store_->write([&](Writer& writer) { return writer.posts().update_post(*post); });
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, model::Error::Code::invalid_input);
}

TEST_P(PostStoreTest, RevisionsKeepEverySaveAndOnlyTheLastAutosave) {
    auto id = add(make_post("Version 1", utc(2017, 10, 4, 18, 19), {"Libye"}));
    auto post = *store_->posts().find_post_by_id(blog_id_, *id);
    EXPECT_WRITE([&](Writer& writer) -> Status {
        auto saved = writer.posts().save_revision(blog_id_, *id, 0, false);
        if (!saved) return std::unexpected(saved.error());
        return {};
    });
    post->title = "Version 2";
    post->source = "<p>deux</p>";
    EXPECT_WRITE([&](Writer& writer) -> Status {
        if (auto updated = writer.posts().update_post(*post); !updated) return updated;
        for (int i = 0; i < 3; ++i) {
            auto saved = writer.posts().save_revision(blog_id_, *id, 0, true);
            if (!saved) return std::unexpected(saved.error());
        }
        return {};
    });
    auto revisions = *store_->posts().revisions(blog_id_, *id);
    ASSERT_EQ(revisions.size(), 2u);
    EXPECT_TRUE(revisions[0].autosave);
    EXPECT_EQ(revisions[0].title, "Version 2");
    EXPECT_FALSE(revisions[1].autosave);
    EXPECT_EQ(revisions[1].title, "Version 1");
    EXPECT_EQ(revisions[1].categories, std::vector<std::string>{"Libye"});
    auto found = *store_->posts().find_revision(blog_id_, revisions[1].id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->source, "<p>Version 1</p>");
}

TEST_P(PostStoreTest, ScheduledPostsArePublishedWhenDue) {
    auto early = make_post("Bientôt", utc(2030, 1, 1, 8, 0));
    early.status = model::PostStatus::scheduled;
    auto late = make_post("Plus tard", utc(2030, 1, 1, 9, 0));
    late.status = model::PostStatus::scheduled;
    ASSERT_TRUE(add(early));
    ASSERT_TRUE(add(late));
    EXPECT_EQ(published_count(), 0);
    const auto before = store_->generation(blog_id_);
    int published = -1;
    EXPECT_WRITE([&](Writer& writer) -> Status {
        auto done = writer.posts().publish_due_posts(utc(2030, 1, 1, 8, 30));
        if (!done) return std::unexpected(done.error());
        published = static_cast<int>(done->size());
        if (published == 1) {
            EXPECT_EQ(done->front().blog_id, blog_id_);
        }
        return {};
    });
    EXPECT_EQ(published, 1);
    EXPECT_EQ(published_count(), 1);
    EXPECT_GT(store_->generation(blog_id_), before);
    EXPECT_EQ(store_->search().search(blog_id_, {.text = "bientot"})->total, 1);
}

TEST_P(PostStoreTest, AdminListFiltersByStatusCategoryAuthorAndTitle) {
    auto draft = make_post("Brouillon sur Misrata", utc(2017, 10, 1, 10, 0), {"Libye"});
    draft.status = model::PostStatus::draft;
    ASSERT_TRUE(add(draft));
    ASSERT_TRUE(add(make_post("Publié sur Syrte", utc(2017, 10, 2, 10, 0), {"Libye"})));
    auto trashed = make_post("Jeté", utc(2017, 10, 3, 10, 0));
    trashed.status = model::PostStatus::trash;
    ASSERT_TRUE(add(trashed));

    EXPECT_EQ(store_->posts().admin_posts(blog_id_, {})->total, 2);  // trash is apart
    EXPECT_EQ(store_->posts().admin_posts(blog_id_, {.status = model::PostStatus::trash})->total,
              1);
    EXPECT_EQ(store_->posts().admin_posts(blog_id_, {.status = model::PostStatus::draft})->total,
              1);
    EXPECT_EQ(store_->posts().admin_posts(blog_id_, {.text = "SYRTE"})->total, 1);
    auto libye = *store_->categories().find_category(blog_id_, "libye");
    EXPECT_EQ(store_->posts().admin_posts(blog_id_, {.category_id = libye->id})->total, 2);
    EXPECT_EQ(store_->posts().admin_posts(blog_id_, {.author_id = 999})->total, 0);
    auto counts = *store_->blogs().counts(blog_id_);
    EXPECT_EQ(counts.published, 1);
    EXPECT_EQ(counts.drafts, 1);
    EXPECT_EQ(counts.trash, 1);
    ASSERT_EQ(counts.published_per_month.size(), 1u);
    EXPECT_EQ(counts.published_per_month[0].month, 10);
}

TEST_P(StoreTest, ObjectsOfAnotherBlogAreNotFound) {
    auto other = create_blog(model::Blog{.hosts = {"autre.example.org"}, .title = "Autre"});
    ASSERT_TRUE(other);
    auto id = add(make_post("Chez nous", utc(2017, 10, 1, 10, 0), {"Libye"}));
    EXPECT_FALSE(store_->posts().find_post_by_id(*other, *id)->has_value());
    EXPECT_TRUE(store_->posts().revisions(*other, *id)->empty());
    auto post = *store_->posts().find_post_by_id(blog_id_, *id);
    post->blog_id = *other;
    auto moved = store_->write([&](Writer& writer) { return writer.posts().update_post(*post); });
    ASSERT_FALSE(moved.has_value());
    EXPECT_EQ(moved.error().code, model::Error::Code::not_found);
    auto deleted =
        store_->write([&](Writer& writer) { return writer.posts().delete_post(*other, *id); });
    EXPECT_FALSE(deleted.has_value());
    auto libye = *store_->categories().find_category(blog_id_, "libye");
    auto renamed = store_->write([&](Writer& writer) {
        return writer.categories().rename_category(*other, libye->id, "X", "");
    });
    EXPECT_FALSE(renamed.has_value());
    EXPECT_EQ(published_count(), 1);
}

TEST_P(CategoryStoreTest, CategoriesRenameMergeAndDeleteKeepOldLinksAndPosts) {
    auto id = add(make_post("Un", utc(2017, 10, 1, 10, 0), {"Etat islamique", "Libye"}));
    ASSERT_TRUE(add(make_post("Deux", utc(2017, 10, 2, 10, 0), {"Daech"})));
    auto ei = *store_->categories().find_category(blog_id_, "etat-islamique");
    auto daech = *store_->categories().find_category(blog_id_, "daech");
    auto libye = *store_->categories().find_category(blog_id_, "libye");
    EXPECT_WRITE([&](Writer& writer) {
        return writer.categories().rename_category(blog_id_, ei->id, "État islamique", "ei");
    });
    auto renamed = *store_->redirects().find_category_redirect(blog_id_, "etat-islamique");
    ASSERT_TRUE(renamed.has_value());
    EXPECT_EQ(renamed->slug, "ei");

    EXPECT_WRITE([&](Writer& writer) {
        return writer.categories().merge_categories(blog_id_, daech->id, ei->id);
    });
    EXPECT_FALSE(store_->categories().find_category(blog_id_, "daech")->has_value());
    EXPECT_EQ((*store_->redirects().find_category_redirect(blog_id_, "daech"))->slug, "ei");
    EXPECT_EQ(store_->posts().published_posts(blog_id_, {.category_id = ei->id})->total, 2);

    EXPECT_WRITE(
        [&](Writer& writer) { return writer.categories().delete_category(blog_id_, libye->id); });
    auto post = *store_->posts().find_post_by_id(blog_id_, *id);
    ASSERT_EQ(post->categories.size(), 1u);
    EXPECT_EQ(post->categories[0].slug, "ei");
}

// The counts the sidebar and the listings show, read back after every kind of change a post
// or a category goes through, against a count of the posts themselves.
TEST_P(CategoryStoreTest, CountsFollowEveryChangeOfPostsAndCategories) {
    const auto expect_counts_match_posts = [&](const std::string& after) {
        SCOPED_TRACE("after " + after);
        auto all = store_->posts().published_posts(blog_id_, PostQuery{.limit = 1000});
        ASSERT_TRUE(all.has_value());
        EXPECT_EQ(all->total, static_cast<int>(all->posts.size()));
        std::map<std::string, int> by_category;
        std::map<std::pair<int, int>, int> by_month;
        for (const auto& post : all->posts) {
            for (const auto& category : post.categories) ++by_category[category.slug];
            const auto local = model::to_local(post.published_at, "Europe/Paris");
            ASSERT_TRUE(local.has_value());
            ++by_month[{local->year, local->month}];
        }
        auto categories = store_->categories().categories_with_counts(blog_id_);
        ASSERT_TRUE(categories.has_value());
        std::map<std::string, int> counted_categories;
        for (const auto& category : *categories) {
            counted_categories[category.slug] = category.post_count;
            auto listed =
                store_->posts().published_posts(blog_id_, PostQuery{.category_id = category.id});
            ASSERT_TRUE(listed.has_value());
            EXPECT_EQ(listed->total, category.post_count) << category.slug;
            // The category's page lists its published posts newest first, as the blog does,
            // one page after another.
            std::vector<std::int64_t> expected;
            for (const auto& post : all->posts) {
                for (const auto& in : post.categories) {
                    if (in.slug == category.slug) expected.push_back(post.id);
                }
            }
            std::vector<std::int64_t> paged;
            for (int offset = 0; offset < category.post_count + 1; ++offset) {
                auto page = store_->posts().published_posts(
                    blog_id_, PostQuery{.category_id = category.id, .offset = offset, .limit = 1});
                ASSERT_TRUE(page.has_value());
                for (const auto& post : page->posts) paged.push_back(post.id);
            }
            EXPECT_EQ(paged, expected) << category.slug;
        }
        EXPECT_EQ(counted_categories, by_category);
        auto months = store_->posts().months_with_counts(blog_id_);
        ASSERT_TRUE(months.has_value());
        std::map<std::pair<int, int>, int> counted_months;
        std::map<int, int> by_year;
        for (const auto& month : *months) {
            counted_months[{month.year, month.month}] = month.post_count;
            by_year[month.year] += month.post_count;
            auto listed = store_->posts().published_posts(
                blog_id_, PostQuery{.year = month.year, .month = month.month});
            ASSERT_TRUE(listed.has_value());
            EXPECT_EQ(listed->total, month.post_count);
        }
        EXPECT_EQ(counted_months, by_month);
        for (const auto& [year, count] : by_year) {
            EXPECT_EQ(store_->posts().published_posts(blog_id_, PostQuery{.year = year})->total,
                      count);
        }
    };
    const auto change = [&](std::int64_t post_id, const std::function<void(model::Post&)>& edit) {
        auto post = store_->posts().find_post_by_id(blog_id_, post_id);
        ASSERT_TRUE(post.has_value() && post->has_value());
        edit(**post);
        EXPECT_WRITE([&](Writer& writer) { return writer.posts().update_post(**post); });
    };

    auto syrte = add(make_post("Syrte", utc(2017, 10, 1, 10, 0), {"Libye", "Etat Islamique"}));
    auto alep = add(make_post("Alep", utc(2017, 10, 2, 10, 0), {"Syrie", "Etat Islamique"}));
    auto raqqa = add(make_post("Raqqa", utc(2017, 11, 3, 10, 0), {"Syrie"}));
    auto draft = make_post("Brouillon", utc(2017, 12, 1, 10, 0), {"Libye", "Tunisie"});
    draft.status = model::PostStatus::draft;
    auto drafted = add(draft);
    ASSERT_TRUE(syrte && alep && raqqa && drafted);
    expect_counts_match_posts("adding posts and a draft");

    change(*drafted, [](model::Post& post) { post.status = model::PostStatus::published; });
    expect_counts_match_posts("publishing the draft");
    change(*alep, [](model::Post& post) { post.status = model::PostStatus::draft; });
    expect_counts_match_posts("taking a post back to draft");
    change(*raqqa, [](model::Post& post) { post.status = model::PostStatus::trash; });
    expect_counts_match_posts("trashing a post");
    change(*syrte, [&](model::Post& post) {
        post.published_at = utc(2018, 2, 14, 9, 0);
        post.categories = {model::Category{.name = "Tunisie"}, model::Category{.name = "Libye"},
                           model::Category{.name = "Egypte"}};
    });
    expect_counts_match_posts("moving a post to another month and other categories");
    change(*alep, [](model::Post& post) {
        post.status = model::PostStatus::published;
        post.categories.clear();
    });
    expect_counts_match_posts("publishing a post without its categories");

    auto libye = *store_->categories().find_category(blog_id_, "libye");
    auto tunisie = *store_->categories().find_category(blog_id_, "tunisie");
    auto egypte = *store_->categories().find_category(blog_id_, "egypte");
    ASSERT_TRUE(libye && tunisie && egypte);
    EXPECT_WRITE([&](Writer& writer) {
        return writer.categories().merge_categories(blog_id_, tunisie->id, libye->id);
    });
    expect_counts_match_posts("merging a category into another that shares a post");
    EXPECT_WRITE([&](Writer& writer) {
        return writer.categories().rename_category(blog_id_, egypte->id, "Égypte", "egypte-2");
    });
    expect_counts_match_posts("renaming a category");
    EXPECT_WRITE(
        [&](Writer& writer) { return writer.categories().delete_category(blog_id_, libye->id); });
    expect_counts_match_posts("deleting a category");
    EXPECT_WRITE([&](Writer& writer) { return writer.posts().delete_post(blog_id_, *syrte); });
    expect_counts_match_posts("deleting a post");

    // Another blog's posts count in that blog only.
    auto other = create_blog(model::Blog{.hosts = {"autre.example.org"}, .title = "Autre"});
    ASSERT_TRUE(other.has_value());
    auto elsewhere = make_post("Ailleurs", utc(2017, 10, 1, 11, 0), {"Syrie"});
    elsewhere.blog_id = *other;
    ASSERT_TRUE(add(elsewhere));
    expect_counts_match_posts("a post in another blog");
    EXPECT_EQ(store_->posts().published_posts(*other, PostQuery{})->total, 1);
}

TEST_P(BlogStoreTest, ASharedSecretIsKeptOnceAndGivenToEveryProcess) {
    const auto secret = [&](std::string_view name, std::string_view fresh) {
        std::string kept;
        EXPECT_WRITE([&](Writer& writer) -> Status {
            auto found = writer.blogs().shared_secret(name, fresh);
            if (!found) return std::unexpected(found.error());
            kept = *found;
            return {};
        });
        return kept;
    };
    EXPECT_EQ(secret("comment_stamps", "premier"), "premier");
    EXPECT_EQ(secret("comment_stamps", "second"), "premier");
    EXPECT_EQ(secret("autre", "troisième"), "troisième");
    EXPECT_EQ(secret("comment_stamps", "quatrième"), "premier");
}

TEST_P(PageStoreTest, PagesAreApartFromPosts) {
    model::Page about{.blog_id = blog_id_,
                      .published = true,
                      .title = "À propos",
                      .source = "Qui",
                      .html = "<p>Qui</p>"};
    model::Page draft{.blog_id = blog_id_, .title = "Contact", .html = "<p>x</p>"};
    std::int64_t draft_id = 0;
    EXPECT_WRITE([&](Writer& writer) -> Status {
        if (auto made = writer.pages().create_page(about); !made)
            return std::unexpected(made.error());
        auto made = writer.pages().create_page(draft);
        if (!made) return std::unexpected(made.error());
        draft_id = *made;
        return {};
    });
    EXPECT_EQ(published_count(), 0);
    EXPECT_EQ(store_->pages().pages(blog_id_, true)->size(), 1u);
    EXPECT_EQ(store_->pages().pages(blog_id_, false)->size(), 2u);
    EXPECT_TRUE(store_->pages().find_published_page(blog_id_, "a-propos")->has_value());
    EXPECT_FALSE(store_->pages().find_published_page(blog_id_, "contact")->has_value());
    auto index = store_->write([&](Writer& writer) -> Status {
        auto made =
            writer.pages().create_page({.blog_id = blog_id_, .title = "Index", .slug = "index"});
        if (!made) return std::unexpected(made.error());
        return {};
    });
    EXPECT_FALSE(index.has_value());
    EXPECT_WRITE([&](Writer& writer) { return writer.pages().delete_page(blog_id_, draft_id); });
    EXPECT_EQ(store_->pages().pages(blog_id_, false)->size(), 1u);
}

TEST_P(SessionStoreTest, SessionsExpireAndAreRevoked) {
    std::int64_t user_id = 0;
    const auto now = utc(2026, 11, 25, 12, 0);
    EXPECT_WRITE([&](Writer& writer) -> Status {
        auto created =
            writer.accounts().create_user({.email = "a@example.org", .name = "A"}, "$argon2id$x");
        if (!created) return std::unexpected(created.error());
        user_id = *created;
        if (auto made =
                writer.sessions().create_session("hash-1", {user_id, "csrf-1", now + hours{1}});
            !made)
            return made;
        return writer.sessions().create_session("hash-2", {user_id, "csrf-2", now - hours{1}});
    });
    auto live = *store_->sessions().find_session("hash-1", now);
    ASSERT_TRUE(live.has_value());
    EXPECT_EQ(live->user_id, user_id);
    EXPECT_EQ(live->csrf_secret, "csrf-1");
    EXPECT_FALSE(store_->sessions().find_session("hash-2", now)->has_value());
    EXPECT_FALSE(store_->sessions().find_session("hash-1", now + hours{2})->has_value());
    int revoked = 0;
    EXPECT_WRITE([&](Writer& writer) -> Status {
        auto done = writer.sessions().delete_sessions_of(user_id);
        if (!done) return std::unexpected(done.error());
        revoked = *done;
        return {};
    });
    EXPECT_EQ(revoked, 2);
    EXPECT_FALSE(store_->sessions().find_session("hash-1", now)->has_value());
}

TEST_P(AccountStoreTest, UserListCountsTheSessionsLiveByTheStoresClock) {
    std::int64_t user_id = 0;
    const auto now = clock_.now();
    EXPECT_WRITE([&](Writer& writer) -> Status {
        auto created =
            writer.accounts().create_user({.email = "a@example.org", .name = "A"}, "$argon2id$x");
        if (!created) return std::unexpected(created.error());
        user_id = *created;
        return writer.sessions().create_session("hash-1", {user_id, "csrf-1", now + hours{1}});
    });
    auto users = *store_->accounts().list_users();
    ASSERT_EQ(users.size(), 1u);
    EXPECT_EQ(users[0].live_sessions, 1);
    clock_.advance(hours{2});
    users = *store_->accounts().list_users();
    ASSERT_EQ(users.size(), 1u);
    EXPECT_EQ(users[0].live_sessions, 0);
}

TEST_P(PostStoreTest, RevisionsAreDatedByTheStoresClock) {
    auto id = add(make_post("Version 1", utc(2017, 10, 4, 18, 19)));
    const auto first_saved_at = clock_.now();
    EXPECT_WRITE([&](Writer& writer) -> Status {
        auto saved = writer.posts().save_revision(blog_id_, *id, 0, false);
        if (!saved) return std::unexpected(saved.error());
        return {};
    });
    clock_.advance(minutes{5});
    EXPECT_WRITE([&](Writer& writer) -> Status {
        auto saved = writer.posts().save_revision(blog_id_, *id, 0, false);
        if (!saved) return std::unexpected(saved.error());
        return {};
    });
    auto revisions = *store_->posts().revisions(blog_id_, *id);
    ASSERT_EQ(revisions.size(), 2u);
    EXPECT_EQ(revisions[0].created_at, first_saved_at + minutes{5});
    EXPECT_EQ(revisions[1].created_at, first_saved_at);
}

TEST_P(AccountStoreTest, AccountsChangePasswordAndLeave) {
    std::int64_t user_id = 0;
    EXPECT_WRITE([&](Writer& writer) -> Status {
        auto created =
            writer.accounts().create_user({.email = "b@example.org", .name = "B"}, "old");
        if (!created) return std::unexpected(created.error());
        user_id = *created;
        if (auto added = writer.accounts().add_membership(blog_id_, user_id, model::Role::editor);
            !added)
            return added;
        return writer.accounts().set_password(user_id, "new");
    });
    EXPECT_EQ((*store_->accounts().find_login("b@example.org"))->password_hash, "new");
    auto memberships = *store_->accounts().memberships_of(user_id);
    ASSERT_EQ(memberships.size(), 1u);
    EXPECT_EQ(memberships[0].blog.id, blog_id_);
    EXPECT_EQ(memberships[0].role, model::Role::editor);
    ASSERT_EQ(store_->accounts().list_users()->size(), 1u);
    EXPECT_WRITE([&](Writer& writer) { return writer.accounts().remove_user(user_id); });
    EXPECT_FALSE(store_->accounts().find_login("b@example.org")->has_value());
    EXPECT_FALSE(store_->accounts().role_of(blog_id_, user_id)->has_value());
}

TEST_P(BlogStoreTest, SettingsChangeAndANewLanguageMovesTheSearchIndex) {
    ASSERT_TRUE(add(make_post("Attacks on the city", utc(2017, 10, 1, 23, 30))));
    auto blog = **store_->blogs().find_blog(blog_id_);
    blog.locale = "en";
    blog.time_zone = "America/New_York";
    blog.comment_policy = model::CommentPolicy::first_held;
    blog.close_comments_after_days = 30;
    EXPECT_WRITE([&](Writer& writer) { return writer.blogs().update_blog(blog); });
    auto changed = **store_->blogs().find_blog(blog_id_);
    EXPECT_EQ(changed.locale, "en");
    EXPECT_EQ(changed.comment_policy, model::CommentPolicy::first_held);
    EXPECT_EQ(changed.close_comments_after_days, 30);
    // English stemming now: "attack" finds "attacks".
    EXPECT_EQ(store_->search().search(blog_id_, {.text = "attack"})->total, 1);
    // 23:30 UTC is 19:30 in New York: the post is on 1 October there too, and on the 1st's
    // archive page.
    EXPECT_EQ(
        store_->posts().published_posts(blog_id_, {.year = 2017, .month = 10, .day = 1})->total, 1);
    blog.title = "";
    EXPECT_FALSE(store_->write([&](Writer& writer) { return writer.blogs().update_blog(blog); }));
}

TEST_P(MediaStoreTest, MediaIsRecordedOncePerContent) {
    MediaRecord media{.blog_id = blog_id_,
                      .content_hash = std::string(64, 'a'),
                      .content_type = "image/png",
                      .file_name = std::string(64, 'a') + ".png",
                      .original_name = "carte.png",
                      .size_bytes = 1234,
                      .width = 2000,
                      .height = 1000,
                      .variants = {{480, 240, std::string(64, 'a') + "-480.png"}}};
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 2; ++i) {
        EXPECT_WRITE([&](Writer& writer) -> Status {
            auto added = writer.media().add_media(media, 0);
            if (!added) return std::unexpected(added.error());
            ids.push_back(*added);
            return {};
        });
    }
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_EQ(ids[0], ids[1]);
    auto listed = *store_->media().media(blog_id_, 0, 10);
    ASSERT_EQ(listed.size(), 1u);
    ASSERT_EQ(listed[0].variants.size(), 1u);
    EXPECT_EQ(listed[0].variants[0].width, 480);
    EXPECT_TRUE(
        store_->media().find_media(blog_id_, std::string(64, 'a') + "-480.png")->has_value());
    EXPECT_FALSE(
        store_->media().find_media(blog_id_, std::string(64, 'a') + "-999.png")->has_value());
}

TEST_P(CommentStoreTest, TheContentsGenerationMovesWithWhatPagesListNotWithComments) {
    auto contents = [&] {
        auto generation = store_->blogs().contents_generation(blog_id_);
        EXPECT_TRUE(generation.has_value()) << generation.error().message;
        return generation.value_or(0);
    };
    const auto start = contents();
    EXPECT_GT(start, 0u);
    auto post_id = add(make_post("Commenté", utc(2017, 10, 4, 18, 0)));
    ASSERT_TRUE(post_id);
    const auto after_post = contents();
    EXPECT_GT(after_post, start);

    model::Comment comment{.blog_id = blog_id_,
                           .post_id = *post_id,
                           .author_name = "Lectrice",
                           .source = "Merci",
                           .html = "<p>Merci</p>",
                           .status = model::CommentStatus::approved,
                           .created_at = utc(2017, 10, 4, 19, 0)};
    const auto generation = store_->generation(blog_id_);
    std::int64_t comment_id = 0;
    EXPECT_WRITE([&](Writer& writer) -> Status {
        auto added = writer.comments().add_comment(comment);
        if (!added) return std::unexpected(added.error());
        comment_id = *added;
        return {};
    });
    EXPECT_GT(store_->generation(blog_id_), generation);  // the post's page shows it
    EXPECT_EQ(contents(), after_post);                    // no list of posts changed
    EXPECT_WRITE(
        [&](Writer& writer) { return writer.comments().delete_comment(blog_id_, comment_id); });
    EXPECT_EQ(contents(), after_post);

    // A transaction that changes both moves both.
    EXPECT_WRITE([&](Writer& writer) -> Status {
        auto added = writer.comments().add_comment(comment);
        if (!added) return std::unexpected(added.error());
        auto category = writer.categories().ensure_category(
            model::Category{.blog_id = blog_id_, .name = "Cyrénaïque", .slug = "cyrenaique"});
        if (!category) return std::unexpected(category.error());
        return {};
    });
    const auto after_both = contents();
    EXPECT_GT(after_both, after_post);

    auto blog = store_->blogs().find_blog(blog_id_);
    ASSERT_TRUE(blog && *blog);
    (*blog)->title = "Un autre titre";
    EXPECT_WRITE([&](Writer& writer) { return writer.blogs().update_blog(**blog); });
    EXPECT_GT(contents(), after_both);

    auto none = store_->blogs().contents_generation(blog_id_ + 1000);
    ASSERT_TRUE(none.has_value());
    EXPECT_EQ(*none, 0u);
}

TEST_P(CommentStoreTest, CommentsCountOnceApprovedAndOnlyThenMakePagesStale) {
    auto post_id = add(make_post("Commenté", utc(2017, 10, 4, 18, 0)));
    auto other_id = add(make_post("Autre", utc(2017, 10, 5, 18, 0)));
    model::Comment comment{.blog_id = blog_id_,
                           .post_id = *post_id,
                           .author_name = "Lectrice",
                           .author_email = "l@example.org",
                           .source = "Merci",
                           .html = "<p>Merci</p>",
                           .status = model::CommentStatus::pending,
                           .created_at = utc(2017, 10, 4, 19, 0)};
    std::int64_t first = 0;
    const auto before = store_->generation(blog_id_);
    EXPECT_WRITE([&](Writer& writer) -> Status {
        auto added = writer.comments().add_comment(comment);
        if (!added) return std::unexpected(added.error());
        first = *added;
        return {};
    });
    EXPECT_EQ(store_->generation(blog_id_), before);  // a held comment changes no page
    EXPECT_EQ((*store_->posts().find_published_post(blog_id_, "commente"))->comment_count, 0);
    EXPECT_FALSE(
        *store_->comments().has_approved_comment_from(blog_id_, "Lectrice", "L@example.org"));
    EXPECT_WRITE([&](Writer& writer) {
        return writer.comments().set_comment_status(blog_id_, first,
                                                    model::CommentStatus::approved);
    });
    EXPECT_GT(store_->generation(blog_id_), before);
    EXPECT_EQ((*store_->posts().find_published_post(blog_id_, "commente"))->comment_count, 1);
    EXPECT_TRUE(
        *store_->comments().has_approved_comment_from(blog_id_, "Lectrice", "L@example.org"));

    // A reply answers a comment of the same post only.
    auto reply = comment;
    reply.parent_id = first;
    reply.status = model::CommentStatus::approved;
    std::int64_t reply_id = 0;
    EXPECT_WRITE([&](Writer& writer) -> Status {
        auto added = writer.comments().add_comment(reply);
        if (!added) return std::unexpected(added.error());
        reply_id = *added;
        return {};
    });
    reply.post_id = *other_id;
    auto stray = store_->write([&](Writer& writer) -> Status {
        auto added = writer.comments().add_comment(reply);
        if (!added) return std::unexpected(added.error());
        return {};
    });
    ASSERT_FALSE(stray.has_value());
    EXPECT_EQ(stray.error().code, model::Error::Code::invalid_input);

    auto approved = *store_->comments().approved_comments(blog_id_, *post_id);
    ASSERT_EQ(approved.size(), 2u);
    EXPECT_EQ(approved[1].parent_id, first);
    EXPECT_EQ(
        store_->comments().comments(blog_id_, {.status = model::CommentStatus::approved})->total,
        2);
    // Deleting the parent keeps the reply, lifted to the top.
    EXPECT_WRITE([&](Writer& writer) { return writer.comments().delete_comment(blog_id_, first); });
    auto left = *store_->comments().find_comment(blog_id_, reply_id);
    ASSERT_TRUE(left.has_value());
    EXPECT_EQ(left->parent_id, 0);
    EXPECT_EQ(left->post_title, "Commenté");
    // Another blog's id is not found.
    auto other_blog = create_blog(model::Blog{.hosts = {"c.example.org"}, .title = "C"});
    EXPECT_FALSE(store_->comments().find_comment(*other_blog, reply_id)->has_value());
    EXPECT_FALSE(store_->write([&](Writer& writer) {
        return writer.comments().set_comment_status(*other_blog, reply_id,
                                                    model::CommentStatus::spam);
    }));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, BlogStoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, AccountStoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, SessionStoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, PostStoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, CategoryStoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, PageStoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, CommentStoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, MediaStoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, RedirectStoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);

TEST(SqliteStore, MissingFileIsNotFoundWhenItMustExist) {
    TempDir dir;
    ManualClock clock{sys_days{year{2026} / 11 / 25}};
    auto opened = open_sqlite_store(dir.path() / "absent.db", OpenMode::must_exist, clock);
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code, model::Error::Code::not_found);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "absent.db"));
}

TEST(SqliteStore, AFileThatIsNotADatabaseIsRefused) {
    TempDir dir;
    ManualClock clock{sys_days{year{2026} / 11 / 25}};
    const auto path = dir.path() / "notes.db";
    std::ofstream(path) << "04/10/2017\n\nCeci n'est pas une base de données.\n";
    auto opened = open_sqlite_store(path, OpenMode::must_exist, clock);
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code, model::Error::Code::invalid_input);
}

TEST(SqliteStore, ReopeningKeepsDataAndAppliesMigrationsOnce) {
    TempDir dir;
    ManualClock clock{sys_days{year{2026} / 11 / 25}};
    const auto path = dir.path() / "carnet.db";
    {
        auto store = open_sqlite_store(path, OpenMode::create_if_missing, clock);
        ASSERT_TRUE(store.has_value());
        ASSERT_TRUE((*store)->write([](Writer& writer) -> Status {
            auto created = writer.blogs().create_blog({.title = "Persistant"});
            if (!created) return std::unexpected(created.error());
            return {};
        }));
    }
    auto store = open_sqlite_store(path, OpenMode::must_exist, clock);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    EXPECT_EQ((*store)->blogs().list_blogs()->front().title, "Persistant");
}

TEST(SqliteStore, WritesFromAnotherProcessAreNoticedByPolling) {
    TempDir dir;
    ManualClock clock{sys_days{year{2026} / 11 / 25}};
    const auto path = dir.path() / "carnet.db";
    auto server_side = open_sqlite_store(path, OpenMode::create_if_missing, clock);
    ASSERT_TRUE(server_side.has_value());
    std::int64_t blog_id = 0;
    ASSERT_TRUE((*server_side)->write([&](Writer& writer) -> Status {
        auto created = writer.blogs().create_blog({.title = "Partagé"});
        if (!created) return std::unexpected(created.error());
        blog_id = *created;
        return {};
    }));
    ASSERT_TRUE((*server_side)->poll_external_changes());
    const auto before = (*server_side)->generation(blog_id);

    auto import_side = open_sqlite_store(path, OpenMode::must_exist, clock);
    ASSERT_TRUE(import_side.has_value());
    ASSERT_TRUE((*import_side)->write([&](Writer& writer) -> Status {
        model::Post post{.blog_id = blog_id,
                         .status = model::PostStatus::published,
                         .title = "Importé",
                         .source = "<p>x</p>",
                         .html = "<p>x</p>"};
        auto created = writer.posts().create_post(post);
        if (!created) return std::unexpected(created.error());
        return {};
    }));
    EXPECT_EQ((*server_side)->generation(blog_id), before);
    ASSERT_TRUE((*server_side)->poll_external_changes());
    EXPECT_GT((*server_side)->generation(blog_id), before);
}

}  // namespace
}  // namespace carnet::store
