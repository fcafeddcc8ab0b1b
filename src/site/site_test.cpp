#include "site/site.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "markup/markup.hpp"

namespace carnet::site {
namespace {

using namespace std::chrono;

class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "carnet-site-XXXXXX");
        path_ = mkdtemp(pattern.data());
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

class SiteTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened =
            store::open_sqlite_store(dir_.path() / "blog.db", store::OpenMode::create_if_missing);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        paris_ =
            add_blog({.hosts = {"paris.test"}, .title = "Carnet de Paris", .posts_per_page = 2});
        london_ = add_blog({.hosts = {"london.test"},
                            .title = "London notebook",
                            .locale = "en",
                            .time_zone = "Europe/London"});
        for (int i = 0; i < 5; ++i) {
            add_post(paris_, "Billet " + std::to_string(i), sys_days{2017y / 10 / (i + 1)} + 18h,
                     {"Libye"});
        }
        add_post(london_, "A London post", sys_days{2017y / 10 / 4} + 9h, {"Notes"});
        start_site();
    }

    void start_site() {
        router_ = http::Router();
        auto made = Site::create(*store_, SiteOptions{.themes_dir = CARNET_THEMES_DIR});
        ASSERT_TRUE(made.has_value()) << made.error().message;
        site_ = std::move(*made);
        site_->register_routes(router_);
    }

    std::int64_t add_blog(const model::Blog& blog) {
        std::int64_t id = 0;
        EXPECT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            auto created = writer.create_blog(blog);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        }));
        return id;
    }

    void add_post(std::int64_t blog_id, std::string title, model::Instant at,
                  std::vector<std::string> categories) {
        model::Post post{.blog_id = blog_id,
                         .status = model::PostStatus::published,
                         .title = std::move(title),
                         .source = "Un *paragraphe*."};
        post.html = markup::render_post_body(post.source_format, post.source);
        post.published_at = at;
        post.updated_at = at;
        for (auto& name : categories) post.categories.push_back({.name = name});
        ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            auto created = writer.create_post(post);
            if (!created) return std::unexpected(created.error());
            return {};
        }));
    }

    http::Response get(std::string host, std::string path) {
        http::Request request;
        request.method = "GET";
        request.host = std::move(host);
        request.path = path;
        request.target = path;
        return router_.dispatch(request);
    }

    TempDir dir_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<Site> site_;
    http::Router router_;
    std::int64_t paris_ = 0;
    std::int64_t london_ = 0;
};

TEST_F(SiteTest, TheHostHeaderChoosesTheBlog) {
    const auto paris = get("paris.test", "/");
    EXPECT_EQ(paris.status, 200);
    EXPECT_NE(paris.body.find("Carnet de Paris"), std::string::npos);
    EXPECT_EQ(paris.body.find("A London post"), std::string::npos);
    const auto london = get("london.test", "/");
    EXPECT_NE(london.body.find("A London post"), std::string::npos);
    EXPECT_NE(london.body.find("lang=\"en\""), std::string::npos);
}

TEST_F(SiteTest, AnUnknownHostIsRefusedWhenSeveralBlogsAreServed) {
    EXPECT_EQ(get("elsewhere.test", "/").status, 404);
    EXPECT_FALSE(site_->cache_policy()(http::Request{.method = "GET", .host = "elsewhere.test"}));
}

TEST_F(SiteTest, HomePagesAreNumberedAndEndAtTheLastPost) {
    EXPECT_NE(get("paris.test", "/").body.find("Billet 4"), std::string::npos);
    const auto second = get("paris.test", "/page/2/");
    EXPECT_EQ(second.status, 200);
    // The sidebar lists recent posts on every page: look at the main content only.
    const auto main = second.body.substr(0, second.body.find("</main>"));
    EXPECT_NE(main.find("Billet 2"), std::string::npos);
    EXPECT_EQ(main.find("Billet 4"), std::string::npos);
    EXPECT_EQ(get("paris.test", "/page/3/").status, 200);
    EXPECT_EQ(get("paris.test", "/page/4/").status, 404);
    EXPECT_EQ(get("paris.test", "/page/0/").status, 404);
    EXPECT_EQ(get("paris.test", "/page/x/").status, 404);
    const auto first = get("paris.test", "/page/1/");
    EXPECT_EQ(first.status, 301);
}

TEST_F(SiteTest, ArchivesRefuseImpossibleDates) {
    EXPECT_EQ(get("paris.test", "/archive/2017/10/03/").status, 200);
    EXPECT_EQ(get("paris.test", "/archive/2017/02/30/").status, 404);
    EXPECT_EQ(get("paris.test", "/archive/17/10/").status, 404);
    EXPECT_EQ(get("paris.test", "/archive/2017/10/03/billet-2.html").status, 200);
    EXPECT_EQ(get("paris.test", "/archive/2017/02/31/billet-2.html").status, 404);
}

TEST_F(SiteTest, CategoryOfAnotherBlogIsNotFound) {
    EXPECT_EQ(get("paris.test", "/list/libye/").status, 200);
    EXPECT_EQ(get("paris.test", "/list/notes/").status, 404);
    EXPECT_EQ(get("london.test", "/list/notes/").status, 200);
}

TEST_F(SiteTest, PagesAreCacheableUntilTheBlogChanges) {
    const auto policy = site_->cache_policy();
    const http::Request request{.method = "GET", .target = "/", .host = "paris.test"};
    const auto before = policy(request);
    ASSERT_TRUE(before.has_value());
    EXPECT_TRUE(get("paris.test", "/").cacheable);
    EXPECT_FALSE(policy(http::Request{.method = "POST", .host = "paris.test"}).has_value());
    const auto london_before = policy(http::Request{.method = "GET", .host = "london.test"});

    add_post(paris_, "Nouveau", sys_days{2017y / 11 / 1} + 9h, {});
    const auto after = policy(request);
    EXPECT_EQ(after->key, before->key);
    EXPECT_GT(after->generation, before->generation);
    // A write to one blog leaves the other blog's pages cached.
    EXPECT_EQ(policy(http::Request{.method = "GET", .host = "london.test"})->generation,
              london_before->generation);
}

TEST_F(SiteTest, TheStylesheetIsServedAsCss) {
    const auto css = get("paris.test", "/theme/style.css");
    EXPECT_EQ(css.status, 200);
    EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
    EXPECT_FALSE(css.body.empty());
}

}  // namespace
}  // namespace carnet::site
