// The store's behaviour, written against the Store interface so that every backend runs the
// same suite: add a factory to the INSTANTIATE_TEST_SUITE_P list below.
#include "store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

namespace carnet::store {
namespace {

using std::chrono::sys_days;
using namespace std::chrono;

model::Instant utc(int y, unsigned m, unsigned d, int hh, int mm) {
    return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm};
}

class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "carnet-store-XXXXXX");
        path_ = mkdtemp(pattern.data());
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

struct Backend {
    std::string name;
    std::function<Result<std::unique_ptr<Store>>(const TempDir&)> open;
};

class StoreTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        auto opened = GetParam().open(dir_);
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
            auto created = writer.create_blog(blog);
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
            auto created = writer.create_post(post);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        });
        if (!written) return std::unexpected(written.error());
        return id;
    }

    int published_count() {
        auto list = store_->published_posts(blog_id_, PostQuery{.limit = 0});
        EXPECT_TRUE(list.has_value());
        return list ? list->total : -1;
    }

    TempDir dir_;
    std::unique_ptr<Store> store_;
    std::int64_t blog_id_ = 0;
};

TEST_P(StoreTest, BlogIsListedWithItsHostsAndDefaults) {
    auto blogs = store_->list_blogs();
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

TEST_P(StoreTest, BlogWithBadSettingsOrTakenHostIsRefused) {
    model::Blog bad_zone{.title = "x", .time_zone = "Nowhere/Town"};
    EXPECT_EQ(create_blog(bad_zone).error().code, model::Error::Code::invalid_input);
    model::Blog bad_locale{.title = "x", .locale = "de"};
    EXPECT_EQ(create_blog(bad_locale).error().code, model::Error::Code::invalid_input);
    model::Blog bad_url{.base_url = "javascript:alert(1)", .title = "x"};
    EXPECT_EQ(create_blog(bad_url).error().code, model::Error::Code::invalid_input);
    model::Blog taken{.hosts = {"blog.example.org"}, .title = "Autre"};
    EXPECT_EQ(create_blog(taken).error().code, model::Error::Code::conflict);
    EXPECT_EQ(store_->list_blogs()->size(), 1u);
}

TEST_P(StoreTest, PostKeepsItsFieldsAndCategoryOrder) {
    auto post =
        make_post("L'Etat islamique attaque le tribunal de Misrata", utc(2017, 10, 4, 18, 19),
                  {"Etat Islamique", "Libye", "Misrata", "Syrte"});
    ASSERT_TRUE(add(post).has_value());
    auto found =
        store_->find_published_post(blog_id_, "l-etat-islamique-attaque-le-tribunal-de-misrata");
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

TEST_P(StoreTest, CategoriesAreSharedBetweenPostsAndCounted) {
    ASSERT_TRUE(add(make_post("Un", utc(2017, 10, 1, 10, 0), {"Syrie", "Etat Islamique"})));
    ASSERT_TRUE(add(make_post("Deux", utc(2017, 10, 4, 10, 0), {"Libye", "Etat Islamique"})));
    auto categories = store_->categories_with_counts(blog_id_);
    ASSERT_TRUE(categories.has_value());
    ASSERT_EQ(categories->size(), 3u);
    EXPECT_EQ((*categories)[0].slug, "etat-islamique");
    EXPECT_EQ((*categories)[0].post_count, 2);
    EXPECT_EQ((*categories)[1].slug, "libye");
    EXPECT_EQ((*categories)[1].post_count, 1);

    auto category = store_->find_category(blog_id_, "etat-islamique");
    ASSERT_TRUE(category.has_value() && category->has_value());
    auto listed = store_->published_posts(blog_id_, PostQuery{.category_id = (*category)->id});
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(listed->total, 2);
    auto libye = store_->find_category(blog_id_, "libye");
    auto only_libye = store_->published_posts(blog_id_, PostQuery{.category_id = (*libye)->id});
    ASSERT_EQ(only_libye->posts.size(), 1u);
    EXPECT_EQ(only_libye->posts[0].title, "Deux");
}

TEST_P(StoreTest, ListingsAreNewestFirstAndPaginated) {
    for (int i = 0; i < 25; ++i) {
        ASSERT_TRUE(add(make_post("Post " + std::to_string(i), utc(2017, 10, 1, 0, i))));
    }
    auto first = store_->published_posts(blog_id_, PostQuery{.offset = 0, .limit = 10});
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->total, 25);
    ASSERT_EQ(first->posts.size(), 10u);
    EXPECT_EQ(first->posts[0].title, "Post 24");
    auto last = store_->published_posts(blog_id_, PostQuery{.offset = 20, .limit = 10});
    ASSERT_EQ(last->posts.size(), 5u);
    EXPECT_EQ(last->posts[4].title, "Post 0");
    auto links = store_->published_posts(blog_id_, PostQuery{.limit = 3, .with_body = false});
    ASSERT_EQ(links->posts.size(), 3u);
    EXPECT_TRUE(links->posts[0].html.empty());
    EXPECT_EQ(links->posts[0].slug, "post-24");
}

TEST_P(StoreTest, ArchivesSelectDaysAndMonthsInTheBlogsTimeZone) {
    // 22:30 UTC on 30 September is 00:30 on 1 October in Paris.
    ASSERT_TRUE(add(make_post("Minuit passé", utc(2017, 9, 30, 22, 30))));
    ASSERT_TRUE(add(make_post("Fin septembre", utc(2017, 9, 30, 21, 30))));
    ASSERT_TRUE(add(make_post("Décembre", utc(2017, 12, 31, 23, 30))));  // 2018 in Paris

    auto october_first =
        store_->published_posts(blog_id_, PostQuery{.year = 2017, .month = 10, .day = 1});
    ASSERT_EQ(october_first->posts.size(), 1u);
    EXPECT_EQ(october_first->posts[0].title, "Minuit passé");
    auto september = store_->published_posts(blog_id_, PostQuery{.year = 2017, .month = 9});
    ASSERT_EQ(september->posts.size(), 1u);
    EXPECT_EQ(september->posts[0].title, "Fin septembre");
    EXPECT_EQ(store_->published_posts(blog_id_, PostQuery{.year = 2017})->total, 2);
    EXPECT_EQ(store_->published_posts(blog_id_, PostQuery{.year = 2018})->total, 1);

    auto months = store_->months_with_counts(blog_id_);
    ASSERT_TRUE(months.has_value());
    ASSERT_EQ(months->size(), 3u);
    EXPECT_EQ((*months)[0].year, 2018);
    EXPECT_EQ((*months)[0].month, 1);
    EXPECT_EQ((*months)[1].month, 10);
    EXPECT_EQ((*months)[2].month, 9);
}

TEST_P(StoreTest, DraftsAreNotPublished) {
    auto draft = make_post("Brouillon", utc(2017, 10, 1, 10, 0), {"Syrie"});
    draft.status = model::PostStatus::draft;
    ASSERT_TRUE(add(draft));
    EXPECT_EQ(published_count(), 0);
    EXPECT_FALSE(store_->find_published_post(blog_id_, "brouillon")->has_value());
    EXPECT_TRUE(store_->categories_with_counts(blog_id_)->empty());
}

TEST_P(StoreTest, DuplicateSlugIsAConflictAndRollsBackTheWholeTransaction) {
    ASSERT_TRUE(add(make_post("Même titre", utc(2017, 10, 1, 10, 0))));
    auto written = store_->write([&](Writer& writer) -> Status {
        auto first = writer.create_post(make_post("Nouveau", utc(2017, 10, 2, 10, 0), {"Neuve"}));
        if (!first) return std::unexpected(first.error());
        auto second = writer.create_post(make_post("Même titre", utc(2017, 10, 3, 10, 0)));
        if (!second) return std::unexpected(second.error());
        return {};
    });
    ASSERT_FALSE(written.has_value());
    EXPECT_EQ(written.error().code, model::Error::Code::conflict);
    EXPECT_EQ(published_count(), 1);
    EXPECT_FALSE(store_->find_category(blog_id_, "neuve")->has_value());
}

TEST_P(StoreTest, WriterSeesItsOwnUncommittedWrites) {
    auto written = store_->write([&](Writer& writer) -> Status {
        auto created = writer.create_post(make_post("Visible", utc(2017, 10, 1, 10, 0)));
        if (!created) return std::unexpected(created.error());
        auto found = writer.find_post_by_slug(blog_id_, "visible");
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

TEST_P(StoreTest, UsersAndRoles) {
    std::int64_t user_id = 0;
    ASSERT_TRUE(store_->write([&](Writer& writer) -> Status {
        auto created =
            writer.create_user({.email = "jr@example.org", .name = "Jean René"}, "$argon2id$x");
        if (!created) return std::unexpected(created.error());
        user_id = *created;
        return writer.add_membership(blog_id_, user_id, model::Role::owner);
    }));
    auto user = store_->find_user_by_email("JR@example.org");
    ASSERT_TRUE(user.has_value() && user->has_value());
    EXPECT_EQ((*user)->name, "Jean René");
    EXPECT_EQ(*store_->role_of(blog_id_, user_id), model::Role::owner);
    auto again = store_->write([&](Writer& writer) -> Status {
        auto created = writer.create_user({.email = "jr@example.org", .name = "Autre"}, "h");
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
                auto list = store_->published_posts(blog_id_, PostQuery{.limit = 5});
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

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Backend{"sqlite",
                                                   [](const TempDir& dir) {
                                                       return open_sqlite_store(
                                                           dir.path() / "carnet.db",
                                                           OpenMode::create_if_missing);
                                                   }}),
                         [](const auto& info) { return info.param.name; });

TEST(SqliteStore, MissingFileIsNotFoundWhenItMustExist) {
    TempDir dir;
    auto opened = open_sqlite_store(dir.path() / "absent.db", OpenMode::must_exist);
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code, model::Error::Code::not_found);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "absent.db"));
}

TEST(SqliteStore, AFileThatIsNotADatabaseIsRefused) {
    TempDir dir;
    const auto path = dir.path() / "notes.db";
    std::ofstream(path) << "04/10/2017\n\nCeci n'est pas une base de données.\n";
    auto opened = open_sqlite_store(path, OpenMode::must_exist);
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code, model::Error::Code::invalid_input);
}

TEST(SqliteStore, ReopeningKeepsDataAndAppliesMigrationsOnce) {
    TempDir dir;
    const auto path = dir.path() / "carnet.db";
    {
        auto store = open_sqlite_store(path, OpenMode::create_if_missing);
        ASSERT_TRUE(store.has_value());
        ASSERT_TRUE((*store)->write([](Writer& writer) -> Status {
            auto created = writer.create_blog({.title = "Persistant"});
            if (!created) return std::unexpected(created.error());
            return {};
        }));
    }
    auto store = open_sqlite_store(path, OpenMode::must_exist);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    EXPECT_EQ((*store)->list_blogs()->front().title, "Persistant");
}

TEST(SqliteStore, WritesFromAnotherProcessAreNoticedByPolling) {
    TempDir dir;
    const auto path = dir.path() / "carnet.db";
    auto server_side = open_sqlite_store(path, OpenMode::create_if_missing);
    ASSERT_TRUE(server_side.has_value());
    std::int64_t blog_id = 0;
    ASSERT_TRUE((*server_side)->write([&](Writer& writer) -> Status {
        auto created = writer.create_blog({.title = "Partagé"});
        if (!created) return std::unexpected(created.error());
        blog_id = *created;
        return {};
    }));
    ASSERT_TRUE((*server_side)->poll_external_changes());
    const auto before = (*server_side)->generation(blog_id);

    auto import_side = open_sqlite_store(path, OpenMode::must_exist);
    ASSERT_TRUE(import_side.has_value());
    ASSERT_TRUE((*import_side)->write([&](Writer& writer) -> Status {
        model::Post post{.blog_id = blog_id,
                         .status = model::PostStatus::published,
                         .title = "Importé",
                         .source = "<p>x</p>",
                         .html = "<p>x</p>"};
        auto created = writer.create_post(post);
        if (!created) return std::unexpected(created.error());
        return {};
    }));
    EXPECT_EQ((*server_side)->generation(blog_id), before);
    ASSERT_TRUE((*server_side)->poll_external_changes());
    EXPECT_GT((*server_side)->generation(blog_id), before);
}

}  // namespace
}  // namespace carnet::store
