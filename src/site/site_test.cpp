#include "site/site.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <ctime>
#include <iomanip>
#include <locale>
#include <regex>
#include <sstream>

#include "markup/markup.hpp"
#include "site/feeds.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::site {
namespace {

using namespace std::chrono;

using carnet::testing::TempDir;

class SiteTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::open_sqlite_store(dir_.path() / "blog.db",
                                               store::OpenMode::create_if_missing, *clock_);
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

    void start_site(int sitemap_max_urls = 50'000, bool with_objects = false) {
        router_ = http::Router();
        SiteOptions options{
            .themes_dir = CARNET_THEMES_DIR, .sitemap_max_urls = sitemap_max_urls, .clock = clock_};
        if (with_objects) {
            options.post_object = [](const model::Blog&, const model::Post& post,
                                     const http::Request&) {
                return "{\"type\":\"Article\",\"name\":\"" + post.title + "\"}";
            };
        }
        auto made = Site::create(*store_, std::move(options));
        ASSERT_TRUE(made.has_value()) << made.error().message;
        site_ = std::move(*made);
        site_->register_routes(router_);
    }

    std::int64_t add_blog(const model::Blog& blog) {
        std::int64_t id = 0;
        EXPECT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            auto created = writer.blogs().create_blog(blog);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        }));
        return id;
    }

    std::int64_t add_post(std::int64_t blog_id, std::string title, model::Instant at,
                          std::vector<std::string> categories,
                          std::optional<model::Instant> updated = std::nullopt) {
        model::Post post{.blog_id = blog_id,
                         .status = model::PostStatus::published,
                         .title = std::move(title),
                         .source = "Un *paragraphe*."};
        post.html = markup::render_post_body(post.source_format, post.source);
        post.published_at = at;
        post.updated_at = updated.value_or(at);
        post.excerpt = markup::excerpt(post.html);
        for (auto& name : categories) post.categories.push_back({.name = name});
        std::int64_t id = 0;
        EXPECT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            auto created = writer.posts().create_post(post);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        }));
        return id;
    }

    http::Response get(std::string host, std::string path) {
        http::Request request;
        request.method = "GET";
        request.host = std::move(host);
        request.path = path;
        request.target = path;
        return router_.dispatch(request);
    }

    // A request as the server parses it: the target split into path and query, and the raw
    // Host header (with its port) beside the parsed host.
    static http::Request request_for(std::string raw_host, std::string target) {
        http::Request request;
        request.method = "GET";
        request.target = target;
        const auto question = target.find('?');
        request.path = target.substr(0, question);
        if (question != std::string::npos) request.query = target.substr(question + 1);
        request.host = raw_host.substr(0, raw_host.find(':'));
        request.headers.emplace_back("Host", std::move(raw_host));
        return request;
    }

    http::Response get_target(std::string raw_host, std::string target) {
        return router_.dispatch(request_for(std::move(raw_host), std::move(target)));
    }

    static std::string header(const http::Response& response, std::string_view name) {
        for (const auto& [key, value] : response.headers) {
            if (key == name) return value;
        }
        return {};
    }

    // The stamp of a post's comment form, as the page serves it; empty when there is none.
    std::string form_stamp(const std::string& host, const std::string& path) {
        const auto page = get(host, path);
        std::smatch found;
        if (!std::regex_search(page.body, found,
                               std::regex(R"re(name="stamp" value="([^"]+)")re"))) {
            return {};
        }
        return found[1];
    }

    // Sends a comment through the post's form, as a reader would: the form is fetched, read for
    // a while, then sent.
    http::Response send_comment(const std::string& host, const std::string& path,
                                const std::string& address, const std::string& form_body) {
        const auto stamp = form_stamp(host, path);
        EXPECT_FALSE(stamp.empty()) << path;
        clock_->advance(seconds{30});
        http::Request request = request_for(host, path);
        request.method = "POST";
        request.remote_address = address;
        request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        request.body = form_body + "&stamp=" + stamp;
        return router_.dispatch(request);
    }

    TempDir dir_;
    // The site's time of day, which the tests set; it starts long after the fixture's posts.
    std::shared_ptr<ManualClock> clock_ =
        std::make_shared<ManualClock>(sys_days{2024y / 3 / 10} + 12h);
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<Site> site_;
    http::Router router_;
    std::int64_t paris_ = 0;
    std::int64_t london_ = 0;
};

// What a date header says, as an instant.
model::Instant http_date_value(const std::string& text) {
    std::tm parts{};
    std::istringstream in(text);
    in.imbue(std::locale::classic());
    in >> std::get_time(&parts, "%a, %d %b %Y %H:%M:%S GMT");
    if (in.fail()) return model::Instant{};
    return model::Instant{std::chrono::seconds{timegm(&parts)}};
}

// A replica stand-in: the blog's own database (so that the router finds it caught up), whose
// redirects fail with `failure` while it is set; every other read goes through.
class ReplicaWithFailingRedirects final : public store::Store, store::RedirectStore {
public:
    explicit ReplicaWithFailingRedirects(store::Store& database) : database_(database) {}

    std::optional<model::Error::Code> failure;
    int redirect_reads = 0;

    model::Result<std::optional<model::Post>> find_post_redirect(
        std::int64_t blog_id, std::string_view old_path) override {
        ++redirect_reads;
        if (failure) return model::fail(*failure, "the redirects could not be read");
        return database_.redirects().find_post_redirect(blog_id, old_path);
    }
    model::Result<std::vector<std::string>> post_redirect_paths(std::int64_t blog_id) override {
        return database_.redirects().post_redirect_paths(blog_id);
    }
    model::Result<std::optional<model::Category>> find_category_redirect(
        std::int64_t blog_id, std::string_view old_slug) override {
        return database_.redirects().find_category_redirect(blog_id, old_slug);
    }

    model::Status write(const std::function<model::Status(store::Writer&)>&) override {
        return model::fail(model::Error::Code::internal, "a replica is never written");
    }
    std::uint64_t generation(std::int64_t blog_id) const override {
        return database_.generation(blog_id);
    }
    model::Status poll_external_changes() override { return database_.poll_external_changes(); }
    model::Result<std::uint64_t> stored_generation(std::int64_t blog_id) override {
        return database_.stored_generation(blog_id);
    }
    store::RedirectStore& redirects() override { return *this; }
    store::BlogStore& blogs() override { return database_.blogs(); }
    store::AccountStore& accounts() override { return database_.accounts(); }
    store::SessionStore& sessions() override { return database_.sessions(); }
    store::AppPasswordStore& app_passwords() override { return database_.app_passwords(); }
    store::LoginFailureStore& login_failures() override { return database_.login_failures(); }
    store::CommentAttemptStore& comment_attempts() override { return database_.comment_attempts(); }
    store::AccessTokenStore& access_tokens() override { return database_.access_tokens(); }
    store::PostStore& posts() override { return database_.posts(); }
    store::CategoryStore& categories() override { return database_.categories(); }
    store::PageStore& pages() override { return database_.pages(); }
    store::CommentStore& comments() override { return database_.comments(); }
    store::MediaStore& media() override { return database_.media(); }
    store::SearchStore& search() override { return database_.search(); }
    store::ArchiveStore& archive() override { return database_.archive(); }
    store::JobStore& jobs() override { return database_.jobs(); }
    store::MentionStore& mentions() override { return database_.mentions(); }
    store::FederationStore& federation() override { return database_.federation(); }
    store::FollowingStore& following() override { return database_.following(); }

private:
    store::Store& database_;
};

// Only a page that failed in the replica's database is answered again from the primary: one
// that fails otherwise would fail there too, at twice the cost, and the replica keeps the
// reads. The fallback route's redirect lookup is the read that fails here; the primary has no
// redirect for the path and answers 404.
TEST_F(SiteTest, APageFailingOutsideTheReadDatabaseIsNotAnsweredAgainFromThePrimary) {
    ReplicaWithFailingRedirects replica(*store_);
    router_ = http::Router();
    auto made = Site::create(
        *store_,
        SiteOptions{.themes_dir = CARNET_THEMES_DIR,
                    .read_router = std::make_shared<store::ReadRouter>(*store_, replica, *clock_),
                    .clock = clock_});
    ASSERT_TRUE(made.has_value()) << made.error().message;
    site_ = std::move(*made);
    site_->register_routes(router_);

    EXPECT_EQ(get("paris.test", "/ancien/chemin.php").status, 404);
    ASSERT_EQ(replica.redirect_reads, 1) << "the replica answers the public pages";

    replica.failure = model::Error::Code::io;
    EXPECT_EQ(get("paris.test", "/ancien/chemin.php").status, 500);
    EXPECT_EQ(get("paris.test", "/ancien/chemin.php").status, 500);
    EXPECT_EQ(replica.redirect_reads, 3) << "the replica was not set aside";

    // The replica's database failing: the primary answers, now and while the replica rests.
    replica.failure = model::Error::Code::database;
    EXPECT_EQ(get("paris.test", "/ancien/chemin.php").status, 404);
    EXPECT_EQ(replica.redirect_reads, 4);
    EXPECT_EQ(get("paris.test", "/ancien/chemin.php").status, 404);
    EXPECT_EQ(replica.redirect_reads, 4);
}

TEST_F(SiteTest, PagesSayWhenTheirBlogLastChanged) {
    add_post(paris_, "Premier", model::Instant{std::chrono::seconds{1700000000}}, {"Syrie"});
    const auto first = get("paris.test", "/list/syrie/");
    ASSERT_EQ(first.status, 200);
    const auto dated = header(first, "Last-Modified");
    ASSERT_FALSE(dated.empty());
    // Nothing changed: the same date, whatever the time of the request.
    EXPECT_EQ(header(get("paris.test", "/list/syrie/"), "Last-Modified"), dated);
    EXPECT_EQ(header(get("paris.test", "/"), "Last-Modified"), dated);
    EXPECT_EQ(http_date_value(dated), clock_->now());
    // Nothing changed while time passed: still the same date.
    clock_->advance(hours{2});
    EXPECT_EQ(header(get("paris.test", "/list/syrie/"), "Last-Modified"), dated);
    // A change to the blog: no page of it may claim an earlier date than the change.
    clock_->advance(minutes{5});
    const auto before_change = clock_->now();
    add_post(paris_, "Second", model::Instant{std::chrono::seconds{1700000100}}, {"Syrie"});
    const auto changed = header(get("paris.test", "/"), "Last-Modified");
    EXPECT_GE(http_date_value(changed), before_change);
    EXPECT_GT(http_date_value(changed), http_date_value(dated));
    // Not found pages and feeds do not take the blog's date.
    EXPECT_TRUE(header(get("paris.test", "/nulle-part/"), "Last-Modified").empty());
}

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

TEST_F(SiteTest, TheBlogWithoutAHostNameAnswersEveryHostNoOtherBlogNames) {
    const auto fallback = add_blog({.title = "Carnet par défaut"});
    add_post(fallback, "Un billet par défaut", sys_days{2017y / 10 / 6} + 8h, {"Divers"});
    ASSERT_TRUE(site_->load());
    for (const auto* host : {"elsewhere.test", "127.0.0.1", "localhost", "PARIS.test.example"}) {
        const auto page = get(host, "/");
        EXPECT_EQ(page.status, 200) << host;
        EXPECT_NE(page.body.find("Un billet par défaut"), std::string::npos) << host;
        const auto key = site_->cache_policy()(http::Request{.method = "GET", .host = host});
        ASSERT_TRUE(key.has_value()) << host;
        EXPECT_TRUE(key->key.starts_with(std::to_string(fallback) + "\n")) << host;
    }
    // The blogs that name their hosts keep them.
    const auto paris = get("paris.test", "/");
    EXPECT_NE(paris.body.find("Carnet de Paris"), std::string::npos);
    EXPECT_EQ(paris.body.find("Un billet par défaut"), std::string::npos);
    EXPECT_NE(get("london.test", "/").body.find("A London post"), std::string::npos);
    EXPECT_EQ(get("elsewhere.test", "/list/divers/").status, 200);
    EXPECT_EQ(get("paris.test", "/list/divers/").status, 404);
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

TEST_F(SiteTest, TheThemesIconAnswersForFaviconIco) {
    const auto icon = get("paris.test", "/theme/favicon.svg");
    EXPECT_EQ(icon.status, 200);
    EXPECT_EQ(icon.content_type, "image/svg+xml");
    EXPECT_TRUE(icon.body.starts_with("<svg")) << icon.body;
    EXPECT_TRUE(icon.cacheable);
    EXPECT_NE(
        get("paris.test", "/")
            .body.find("<link rel=\"icon\" href=\"/theme/favicon.svg\" type=\"image/svg+xml\">"),
        std::string::npos);
    const auto favicon = get("paris.test", "/favicon.ico");
    EXPECT_EQ(favicon.status, 301);
    EXPECT_EQ(header(favicon, "Location"), "/theme/favicon.svg");
    // Only the theme's own files: no other name, no path.
    EXPECT_EQ(get("paris.test", "/theme/video.svg").status, 404);
    EXPECT_EQ(get("paris.test", "/theme/..%2Fclassique%2Ffavicon.svg").status, 404);
}

TEST(FeedIds, SurviveASlugChangeAndAreNotThePermalink) {
    model::Post post{.id = 42, .slug = "premier-titre"};
    post.published_at = sys_days{2017y / 10 / 4} + 18h;
    const auto before = post_tag_uri("https://Blog.Example.org", post);
    post.slug = "titre-corrige";
    post.title = "Titre corrigé";
    EXPECT_EQ(post_tag_uri("https://blog.example.org/", post), before);
    EXPECT_EQ(post_tag_uri("http://blog.example.org:8080", post), before);
    EXPECT_EQ(before, "tag:blog.example.org,2017:post-42");
    post.id = 43;
    EXPECT_NE(post_tag_uri("https://blog.example.org", post), before);
}

TEST_F(SiteTest, FeedsEscapeTitlesKeepNonLatinTextAndUseTheBlogsOffset) {
    const std::string tricky = "Tom & Jerry <b> \"R&D\"";
    const std::string arabic = "الدولة الإسلامية في ليبيا";
    const std::string cyrillic = "Привет, мир";
    add_post(london_, tricky, sys_days{2017y / 12 / 4} + 18h, {"R&D <x>"});
    add_post(london_, arabic, sys_days{2017y / 12 / 5} + 18h, {"Libya"});
    add_post(london_, cyrillic, sys_days{2017y / 12 / 6} + 18h, {"Notes"});
    const auto atom = get("london.test", "/atom.xml");
    ASSERT_EQ(atom.status, 200);
    EXPECT_EQ(atom.content_type, "application/atom+xml; charset=utf-8");
    EXPECT_TRUE(atom.cacheable);
    EXPECT_NE(atom.body.find(
                  "<title type=\"text\">Tom &amp; Jerry &lt;b&gt; &quot;R&amp;D&quot;</title>"),
              std::string::npos)
        << atom.body;
    EXPECT_NE(atom.body.find("<title type=\"text\">" + arabic + "</title>"), std::string::npos);
    EXPECT_NE(atom.body.find("<category term=\"R&amp;D &lt;x&gt;\""), std::string::npos);
    EXPECT_NE(atom.body.find("<published>2017-12-04T18:00:00+00:00</published>"),
              std::string::npos);
    EXPECT_NE(atom.body.find("<content type=\"html\">&lt;p&gt;Un &lt;em&gt;paragraphe"),
              std::string::npos);
    EXPECT_NE(atom.body.find("<link rel=\"alternate\" type=\"text/html\" "
                             "href=\"http://london.test/archive/2017/12/06/"),
              std::string::npos);
    EXPECT_EQ(header(atom, "Last-Modified"), "Wed, 06 Dec 2017 18:00:00 GMT");

    const auto rss = get("london.test", "/rss.xml");
    ASSERT_EQ(rss.status, 200);
    EXPECT_EQ(rss.content_type, "application/rss+xml; charset=utf-8");
    EXPECT_NE(rss.body.find("<title>Tom &amp; Jerry &lt;b&gt; &quot;R&amp;D&quot;</title>"),
              std::string::npos);
    EXPECT_NE(rss.body.find("<title>" + cyrillic + "</title>"), std::string::npos);
    EXPECT_NE(rss.body.find("<pubDate>Mon, 04 Dec 2017 18:00:00 +0000</pubDate>"),
              std::string::npos);
    EXPECT_NE(rss.body.find("<content:encoded>&lt;p&gt;Un"), std::string::npos);
    EXPECT_NE(rss.body.find("<guid isPermaLink=\"false\">tag:london.test,2017:post-"),
              std::string::npos);

    // Paris is on summer time in October.
    const auto paris_rss = get("paris.test", "/rss.xml");
    EXPECT_NE(paris_rss.body.find("<pubDate>Thu, 05 Oct 2017 20:00:00 +0200</pubDate>"),
              std::string::npos)
        << paris_rss.body;
    EXPECT_NE(get("paris.test", "/feed.json").body.find("2017-10-05T20:00:00+02:00"),
              std::string::npos);

    const auto feed = get("london.test", "/feed.json");
    ASSERT_EQ(feed.status, 200);
    EXPECT_EQ(feed.content_type, "application/feed+json; charset=utf-8");
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(feed.body, ec);
    ASSERT_FALSE(ec) << feed.body;
    EXPECT_EQ(parsed.at("version").as_string(), "https://jsonfeed.org/version/1.1");
    const auto& items = parsed.at("items").as_array();
    ASSERT_EQ(items.size(), 4u);
    EXPECT_EQ(items.at(0).at("title").as_string(), cyrillic);
    EXPECT_EQ(items.at(1).at("title").as_string(), arabic);
    EXPECT_EQ(items.at(2).at("title").as_string(), tricky);
    EXPECT_EQ(items.at(2).at("tags").at(0).as_string(), "R&D <x>");
    EXPECT_EQ(items.at(2).at("date_published").as_string(), "2017-12-04T18:00:00+00:00");
    EXPECT_EQ(parsed.at("authors").at(0).at("name").as_string(), "London notebook");
}

// Every match of `pattern`'s first group in `text`, in order.
std::vector<std::string> all_matches(const std::string& text, const std::string& pattern) {
    std::vector<std::string> found;
    const std::regex wanted(pattern);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), wanted);
         it != std::sregex_iterator(); ++it) {
        found.push_back((*it)[1]);
    }
    return found;
}

TEST_F(SiteTest, EveryDateInEveryFeedAndSitemapCarriesItsOffset) {
    // Paris is on summer time (+02:00) for the fixture's posts; this one was published and
    // changed in winter (+01:00), later than them all: it dates the feeds themselves.
    add_post(paris_, "Billet d'hiver", sys_days{2017y / 12 / 1} + 10h, {"Libye"},
             sys_days{2018y / 1 / 15} + 9h + 30min);
    const std::vector<std::string> published_rfc3339{
        "2017-12-01T11:00:00+01:00", "2017-10-05T20:00:00+02:00", "2017-10-04T20:00:00+02:00",
        "2017-10-03T20:00:00+02:00", "2017-10-02T20:00:00+02:00", "2017-10-01T20:00:00+02:00"};
    std::vector<std::string> modified_rfc3339 = published_rfc3339;
    modified_rfc3339.front() = "2018-01-15T10:30:00+01:00";
    const std::string feed_updated = "2018-01-15T10:30:00+01:00";

    // The blog's feeds and a category's hold the same posts here.
    for (const std::string base : {"/", "/list/libye/"}) {
        const auto atom = get("paris.test", base + "atom.xml");
        ASSERT_EQ(atom.status, 200) << base;
        const auto head = atom.body.substr(0, atom.body.find("<entry>"));
        EXPECT_EQ(all_matches(head, "<updated>([^<]*)</updated>"),
                  std::vector<std::string>{feed_updated})
            << base;
        EXPECT_EQ(all_matches(atom.body, "<published>([^<]*)</published>"), published_rfc3339)
            << base;
        auto updated = all_matches(atom.body, "<updated>([^<]*)</updated>");
        ASSERT_FALSE(updated.empty()) << base;
        updated.erase(updated.begin());
        EXPECT_EQ(updated, modified_rfc3339) << base;

        const auto rss = get("paris.test", base + "rss.xml");
        ASSERT_EQ(rss.status, 200) << base;
        EXPECT_EQ(all_matches(rss.body, "<lastBuildDate>([^<]*)</lastBuildDate>"),
                  std::vector<std::string>{"Mon, 15 Jan 2018 10:30:00 +0100"})
            << base;
        EXPECT_EQ(all_matches(rss.body, "<pubDate>([^<]*)</pubDate>"),
                  (std::vector<std::string>{
                      "Fri, 01 Dec 2017 11:00:00 +0100", "Thu, 05 Oct 2017 20:00:00 +0200",
                      "Wed, 04 Oct 2017 20:00:00 +0200", "Tue, 03 Oct 2017 20:00:00 +0200",
                      "Mon, 02 Oct 2017 20:00:00 +0200", "Sun, 01 Oct 2017 20:00:00 +0200"}))
            << base;

        const auto json = get("paris.test", base + "feed.json");
        ASSERT_EQ(json.status, 200) << base;
        boost::system::error_code ec;
        const auto parsed = boost::json::parse(json.body, ec);
        ASSERT_FALSE(ec) << json.body;
        std::vector<std::string> published;
        std::vector<std::string> modified;
        for (const auto& item : parsed.at("items").as_array()) {
            published.emplace_back(item.at("date_published").as_string());
            modified.emplace_back(item.at("date_modified").as_string());
        }
        EXPECT_EQ(published, published_rfc3339) << base;
        EXPECT_EQ(modified, modified_rfc3339) << base;
    }

    // Comments, one in winter and one in summer, dated by the site's clock.
    const auto path = std::string("/archive/2017/10/01/billet-0.html");
    clock_->set(sys_days{2024y / 1 / 20} + 7h);
    auto winter = send_comment("paris.test", path, "192.0.2.20", "name=Ana&body=Bonjour");
    ASSERT_NE(header(winter, "Location").find("comment=approved"), std::string::npos);
    clock_->set(sys_days{2024y / 7 / 14} + 16h);
    auto summer = send_comment("paris.test", path, "192.0.2.21", "name=Ben&body=Bonsoir");
    ASSERT_NE(header(summer, "Location").find("comment=approved"), std::string::npos);
    // send_comment reads the form for 30 s before sending it.
    const std::vector<std::string> comment_dates{"2024-07-14T18:00:30+02:00",
                                                 "2024-01-20T08:00:30+01:00"};
    for (const std::string feed_path :
         {"/comments/atom.xml", "/archive/2017/10/01/billet-0/comments.xml"}) {
        const auto feed = get("paris.test", feed_path);
        ASSERT_EQ(feed.status, 200) << feed_path;
        const auto head = feed.body.substr(0, feed.body.find("<entry>"));
        EXPECT_EQ(all_matches(head, "<updated>([^<]*)</updated>"),
                  std::vector<std::string>{comment_dates.front()})
            << feed_path;
        EXPECT_EQ(all_matches(feed.body, "<published>([^<]*)</published>"), comment_dates)
            << feed_path;
        auto updated = all_matches(feed.body, "<updated>([^<]*)</updated>");
        ASSERT_FALSE(updated.empty()) << feed_path;
        updated.erase(updated.begin());
        EXPECT_EQ(updated, comment_dates) << feed_path;
    }

    // The sitemap speaks UTC: the home page, then each post by its last change.
    const auto sitemap = get("paris.test", "/sitemap.xml");
    ASSERT_EQ(sitemap.status, 200);
    EXPECT_EQ(all_matches(sitemap.body, "<lastmod>([^<]*)</lastmod>"),
              (std::vector<std::string>{"2018-01-15T09:30:00Z", "2018-01-15T09:30:00Z",
                                        "2017-10-05T18:00:00Z", "2017-10-04T18:00:00Z",
                                        "2017-10-03T18:00:00Z", "2017-10-02T18:00:00Z",
                                        "2017-10-01T18:00:00Z"}));
}

TEST_F(SiteTest, FeedsHoldTheLatestTwentyAndCategoryFeedsTheirOwnPosts) {
    for (int i = 0; i < 25; ++i) {
        add_post(london_, "Many " + std::to_string(i), sys_days{2018y / 1 / 1} + hours{i}, {});
    }
    const auto atom = get("london.test", "/atom.xml");
    std::size_t entries = 0;
    for (auto at = atom.body.find("<entry>"); at != std::string::npos;
         at = atom.body.find("<entry>", at + 1)) {
        ++entries;
    }
    EXPECT_EQ(entries, 20u);
    const auto notes = get("london.test", "/list/notes/rss.xml");
    ASSERT_EQ(notes.status, 200);
    EXPECT_NE(notes.body.find("<title>A London post</title>"), std::string::npos);
    EXPECT_EQ(notes.body.find("Many 1"), std::string::npos);
    EXPECT_NE(notes.body.find("<title>London notebook — Notes</title>"), std::string::npos);
    EXPECT_EQ(get("london.test", "/list/notes/feed.json").status, 200);
    EXPECT_EQ(get("london.test", "/list/nothing/atom.xml").status, 404);
    const auto old = get("london.test", "/index.rss");
    EXPECT_EQ(old.status, 301);
    EXPECT_EQ(header(old, "Location"), "/rss.xml");
}

TEST_F(SiteTest, AbsoluteLinksUseTheBaseUrlOrTheHostHeaderWhichThenKeysTheCache) {
    // Paris has no base URL: links follow the Host header, port included.
    const auto home = get_target("paris.test:8080", "/");
    EXPECT_NE(home.body.find("<link rel=\"canonical\" href=\"http://paris.test:8080/\">"),
              std::string::npos);
    EXPECT_NE(home.body.find("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Carnet "
                             "de Paris (Atom)\" href=\"http://paris.test:8080/atom.xml\">"),
              std::string::npos)
        << home.body;
    const auto policy = site_->cache_policy();
    EXPECT_NE(policy(request_for("paris.test:8080", "/"))->key,
              policy(request_for("paris.test:9090", "/"))->key);

    const auto category = get_target("paris.test", "/list/libye/");
    EXPECT_NE(category.body.find("href=\"http://paris.test/list/libye/atom.xml\""),
              std::string::npos);

    // A hostile Host header never reaches a link.
    const auto hostile = get_target("paris.test\"><script>", "/");
    EXPECT_EQ(hostile.body.find("<script>"), std::string::npos);

    const auto base = add_blog(
        {.hosts = {"base.test"}, .base_url = "https://blog.example.org/", .title = "Based"});
    add_post(base, "Hello", sys_days{2017y / 10 / 4} + 9h, {});
    start_site();
    const auto based = get_target("base.test:8080", "/atom.xml");
    EXPECT_NE(based.body.find("href=\"https://blog.example.org/archive/2017/10/04/hello.html\""),
              std::string::npos)
        << based.body;
    EXPECT_NE(based.body.find("<id>tag:blog.example.org,2017:post-"), std::string::npos);
    const auto policy_with_base = site_->cache_policy();
    EXPECT_EQ(policy_with_base(request_for("base.test:8080", "/"))->key,
              policy_with_base(request_for("base.test:9090", "/"))->key);
}

TEST_F(SiteTest, APermalinkAnswersItsObjectToActivityStreamsRequestsUnderAKeyOfItsOwn) {
    const auto path = std::string("/archive/2017/10/04/a-london-post.html");
    auto as_object = [&](std::string accept) {
        auto request = request_for("london.test", path);
        request.headers.emplace_back("Accept", std::move(accept));
        return request;
    };
    // Without the social module's object, a post is a page whatever is asked.
    auto page = router_.dispatch(as_object("application/activity+json"));
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(page.body.find("application/activity+json"), std::string::npos);
    EXPECT_EQ(header(page, "Vary"), "");

    start_site(50'000, true);
    for (const auto* accept :
         {"application/activity+json",
          "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""}) {
        const auto object = router_.dispatch(as_object(accept));
        EXPECT_EQ(object.status, 200);
        EXPECT_EQ(object.content_type, "application/activity+json");
        EXPECT_EQ(object.body, "{\"type\":\"Article\",\"name\":\"A London post\"}");
        EXPECT_EQ(header(object, "Vary"), "Accept");
        EXPECT_TRUE(object.cacheable);
    }
    page = router_.dispatch(as_object("text/html"));
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(header(page, "Vary"), "Accept");
    EXPECT_NE(page.body.find("<link rel=\"alternate\" type=\"application/activity+json\" "
                             "href=\"http://london.test" +
                             path + "\">"),
              std::string::npos)
        << page.body;
    // application/ld+json without the ActivityStreams profile is not asking for it.
    EXPECT_EQ(router_.dispatch(as_object("application/ld+json")).content_type,
              "text/html; charset=utf-8");

    const auto policy = site_->cache_policy();
    const auto html_key = policy(as_object("text/html"))->key;
    EXPECT_NE(policy(as_object("application/activity+json"))->key, html_key);
    EXPECT_EQ(
        policy(as_object("application/activity+json"))->key,
        policy(as_object("application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""))
            ->key);
    EXPECT_EQ(policy(as_object("*/*"))->key, html_key);
}

TEST_F(SiteTest, SitemapListsEveryPageAndSplitsPastTheLimit) {
    // Paris: home, one category, one month, five posts.
    const auto whole = get("paris.test", "/sitemap.xml");
    ASSERT_EQ(whole.status, 200);
    EXPECT_EQ(whole.content_type, "application/xml; charset=utf-8");
    EXPECT_NE(whole.body.find("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"),
              std::string::npos);
    EXPECT_NE(
        whole.body.find("<loc>http://paris.test/</loc><lastmod>2017-10-05T18:00:00Z</lastmod>"),
        std::string::npos)
        << whole.body;
    EXPECT_NE(whole.body.find("<loc>http://paris.test/list/libye/</loc>"), std::string::npos);
    EXPECT_NE(whole.body.find("<loc>http://paris.test/archive/2017/10/</loc>"), std::string::npos);
    EXPECT_NE(whole.body.find("<loc>http://paris.test/archive/2017/10/03/billet-2.html</loc>"
                              "<lastmod>2017-10-03T18:00:00Z</lastmod>"),
              std::string::npos);
    EXPECT_EQ(get("paris.test", "/sitemap-1.xml").status, 404);

    start_site(3);
    const auto index = get("paris.test", "/sitemap.xml");
    EXPECT_NE(index.body.find("<sitemapindex"), std::string::npos) << index.body;
    EXPECT_NE(index.body.find("<loc>http://paris.test/sitemap-3.xml</loc>"), std::string::npos);
    EXPECT_EQ(index.body.find("sitemap-4.xml"), std::string::npos);
    std::string all;
    for (int number = 1; number <= 3; ++number) {
        const auto part = get("paris.test", "/sitemap-" + std::to_string(number) + ".xml");
        ASSERT_EQ(part.status, 200);
        all += part.body;
    }
    std::size_t urls = 0;
    for (auto at = all.find("<url>"); at != std::string::npos; at = all.find("<url>", at + 1)) {
        ++urls;
    }
    EXPECT_EQ(urls, 8u);
    EXPECT_EQ(get("paris.test", "/sitemap-4.xml").status, 404);
    EXPECT_EQ(get("paris.test", "/sitemap-0.xml").status, 404);
}

TEST_F(SiteTest, RobotsAllowsAllAndNamesTheSitemap) {
    const auto robots = get_target("paris.test:8080", "/robots.txt");
    ASSERT_EQ(robots.status, 200);
    EXPECT_EQ(robots.content_type, "text/plain; charset=utf-8");
    EXPECT_NE(robots.body.find("User-agent: *\nAllow: /\n"), std::string::npos);
    EXPECT_NE(robots.body.find("Sitemap: http://paris.test:8080/sitemap.xml\n"), std::string::npos);
}

TEST_F(SiteTest, SearchShowsThePassageEscapedWithItsMatchesMarked) {
    // Through the real store and theme: the store gives text and match ranges, the page
    // shows them escaped, the matches in <mark>.
    model::Post post{.blog_id = london_,
                     .status = model::PostStatus::published,
                     .title = "Code",
                     .source_format = model::SourceFormat::html,
                     .source =
                         "<p>Le code &lt;script&gt;alert('x')&lt;/script&gt; visait "
                         "Misrata &amp; Syrte.</p><script>var misrata = 1;</script>"};
    post.html = markup::render_post_body(post.source_format, post.source);
    post.published_at = sys_days{2017y / 10 / 6} + 9h;
    post.updated_at = post.published_at;
    ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
        auto created = writer.posts().create_post(post);
        if (!created) return std::unexpected(created.error());
        return {};
    }));
    const auto found = get_target("london.test", "/search?q=misrata");
    ASSERT_EQ(found.status, 200);
    EXPECT_NE(found.body.find("<p class=\"search-passage\">Le code "
                              "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; visait "
                              "<mark>Misrata</mark> &amp; Syrte.</p>"),
              std::string::npos)
        << found.body;
}

TEST_F(SiteTest, SearchAnswersEveryQueryWithANormalPageThatIsNotCached) {
    const auto empty = get_target("paris.test", "/search");
    EXPECT_EQ(empty.status, 200);
    EXPECT_FALSE(empty.cacheable);
    EXPECT_EQ(empty.body.find("search-summary"), std::string::npos);
    EXPECT_FALSE(site_->cache_policy()(request_for("paris.test", "/search?q=billet")));

    const auto found = get_target("paris.test", "/search?q=billet");
    EXPECT_EQ(found.status, 200);
    EXPECT_NE(found.body.find("Articles trouvés : 5"), std::string::npos) << found.body;
    EXPECT_NE(found.body.find("href=\"/search?q=billet&amp;page=2\""), std::string::npos);
    const auto second = get_target("paris.test", "/search?q=billet&page=2");
    EXPECT_NE(second.body.find("href=\"/search?q=billet&amp;page=3\""), std::string::npos);

    for (const auto& hostile : std::vector<std::string>{
             "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%22unclosed", "NEAR(a%20b)", "*", "-",
             "a%20OR%20", "%27%3B%20DROP%20TABLE%20posts%3B--", "%00%01", "%FF%FE",
             std::string(3000, 'x'), "billet&page=-1", "billet&page=99999999999", "%E2%80%AE"}) {
        const auto page = get_target("paris.test", "/search?q=" + hostile);
        EXPECT_EQ(page.status, 200) << hostile;
        EXPECT_EQ(page.body.find("<script>alert"), std::string::npos) << hostile;
        EXPECT_FALSE(page.cacheable);
    }
}

TEST_F(SiteTest, ACommentSentThroughTheFormIsShownEscapedAndFeedsCarryIt) {
    const auto path = std::string("/archive/2017/10/01/billet-0.html");
    auto page = get("paris.test", path);
    ASSERT_EQ(page.status, 200);
    std::smatch found;
    ASSERT_TRUE(
        std::regex_search(page.body, found, std::regex(R"re(name="stamp" value="([^"]+)")re")));
    const std::string stamp = found[1];
    // The stamp says when the form was served: too soon, and the comment is spam.
    auto post_form = [&](std::string body_text, std::string address) {
        http::Request request = request_for("paris.test", path);
        request.method = "POST";
        request.remote_address = std::move(address);
        request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        request.body = "name=L%C3%A9a+%3Cb%3E&stamp=" + stamp + "&body=" + body_text;
        return router_.dispatch(request);
    };
    auto too_fast = post_form("Bonjour", "192.0.2.1");
    EXPECT_EQ(too_fast.status, 303);
    EXPECT_NE(header(too_fast, "Location").find("comment=held"), std::string::npos);
    // A reader takes a few seconds to write.
    clock_->advance(seconds{4});
    auto sent = post_form("Merci+%3Cscript%3Ealert(1)%3C/script%3E+*bien*", "192.0.2.2");
    ASSERT_EQ(sent.status, 303);
    EXPECT_NE(header(sent, "Location").find("comment=approved#comment-"), std::string::npos);
    auto shown = get("paris.test", path);
    EXPECT_NE(shown.body.find("Léa &lt;b&gt;"), std::string::npos);
    EXPECT_NE(shown.body.find("&lt;script&gt;alert(1)&lt;/script&gt; <em>bien</em>"),
              std::string::npos);
    EXPECT_EQ(shown.body.find("<script>alert"), std::string::npos);
    EXPECT_NE(shown.body.find("Commentaires (1)"), std::string::npos);
    // An empty comment is refused with the form shown again, nothing stored.
    auto empty = post_form("", "192.0.2.3");
    EXPECT_EQ(empty.status, 422);
    EXPECT_NE(empty.body.find("crire un commentaire."), std::string::npos);
    auto spam = store_->comments().comments(paris_, {.status = model::CommentStatus::spam});
    EXPECT_EQ(spam->total, 1);
    // The comments feeds: the blog's and the post's.
    auto blog_feed = get("paris.test", "/comments/atom.xml");
    EXPECT_EQ(blog_feed.status, 200);
    // The comment's HTML travels escaped once more, as Atom's type="html" wants.
    EXPECT_NE(blog_feed.body.find("&amp;lt;script&amp;gt;"), std::string::npos);
    EXPECT_NE(blog_feed.body.find(path + "#comment-"), std::string::npos);
    EXPECT_EQ(get("paris.test", "/archive/2017/10/01/billet-0/comments.xml").status, 200);
    EXPECT_EQ(get("paris.test", "/archive/2017/10/02/billet-0/comments.xml").status, 404);
    EXPECT_NE(page.body.find("/comments/atom.xml"), std::string::npos);
}

TEST_F(SiteTest, ClosedCommentsShowNoFormAndRefuseWhatIsSent) {
    auto blog = **store_->blogs().find_blog(paris_);
    blog.comment_policy = model::CommentPolicy::closed;
    ASSERT_TRUE(
        store_->write([&](store::Writer& writer) { return writer.blogs().update_blog(blog); }));
    ASSERT_TRUE(site_->load());
    const auto path = std::string("/archive/2017/10/01/billet-0.html");
    auto page = get("paris.test", path);
    EXPECT_EQ(page.body.find("id=\"comment-form\""), std::string::npos);
    http::Request request = request_for("paris.test", path);
    request.method = "POST";
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.body = "name=A&body=B";
    EXPECT_EQ(router_.dispatch(request).status, 403);
    EXPECT_EQ(store_->comments().comments(paris_, {})->total, 0);
}

TEST_F(SiteTest, OldAddressesOfMovedPostsAndRenamedCategoriesRedirect) {
    auto post = **store_->posts().find_published_post(paris_, "billet-1");
    post.slug = "billet-un";
    ASSERT_TRUE(
        store_->write([&](store::Writer& writer) { return writer.posts().update_post(post); }));
    auto moved = get("paris.test", "/archive/2017/10/02/billet-1.html");
    EXPECT_EQ(moved.status, 301);
    EXPECT_EQ(header(moved, "Location"), "/archive/2017/10/02/billet-un.html");
    auto libye = **store_->categories().find_category(paris_, "libye");
    ASSERT_TRUE(store_->write([&](store::Writer& writer) {
        return writer.categories().rename_category(paris_, libye.id, "Libye (pays)", "libye-pays");
    }));
    auto renamed = get("paris.test", "/list/libye/");
    EXPECT_EQ(renamed.status, 301);
    EXPECT_EQ(header(renamed, "Location"), "/list/libye-pays/");
}

TEST_F(SiteTest, StaticPagesHaveTheirOwnAddressAndAreListedInTheSidebar) {
    ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
        auto about = writer.pages().create_page({.blog_id = paris_,
                                                 .published = true,
                                                 .title = "À propos",
                                                 .html = "<p>Qui écrit ici.</p>"});
        if (!about) return std::unexpected(about.error());
        auto draft =
            writer.pages().create_page({.blog_id = paris_, .title = "Contact", .html = "<p>x</p>"});
        if (!draft) return std::unexpected(draft.error());
        return {};
    }));
    auto page = get("paris.test", "/a-propos.html");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("<h1 class=\"page-heading\">À propos</h1>"), std::string::npos);
    EXPECT_NE(page.body.find("<p>Qui écrit ici.</p>"), std::string::npos);
    EXPECT_EQ(get("paris.test", "/contact.html").status, 404);
    EXPECT_EQ(get("london.test", "/a-propos.html").status, 404);
    auto home = get("paris.test", "/");
    EXPECT_NE(home.body.find("<a href=\"/a-propos.html\">À propos</a>"), std::string::npos);
    // Pages stay out of the dated flow and the feeds.
    EXPECT_EQ(get("paris.test", "/atom.xml").body.find("propos"), std::string::npos);
}

TEST_F(SiteTest, ChangedSettingsShowOnTheVeryNextPage) {
    auto blog = **store_->blogs().find_blog(paris_);
    blog.title = "Nouveau titre";
    ASSERT_TRUE(
        store_->write([&](store::Writer& writer) { return writer.blogs().update_blog(blog); }));
    // No reload is asked for: the blog's new generation is enough.
    EXPECT_NE(get("paris.test", "/").body.find("Nouveau titre"), std::string::npos);
}

TEST_F(SiteTest, APostsOwnCommentPolicyOverridesTheBlogs) {
    // The blog holds every comment; one post lets them through, another closes.
    auto blog = **store_->blogs().find_blog(paris_);
    blog.comment_policy = model::CommentPolicy::all_held;
    ASSERT_TRUE(
        store_->write([&](store::Writer& writer) { return writer.blogs().update_blog(blog); }));
    auto open_post = **store_->posts().find_published_post(paris_, "billet-0");
    open_post.comment_policy = model::CommentPolicy::open;
    auto closed_post = **store_->posts().find_published_post(paris_, "billet-1");
    closed_post.comment_policy = model::CommentPolicy::closed;
    ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
        if (auto done = writer.posts().update_post(open_post); !done) return done;
        return writer.posts().update_post(closed_post);
    }));
    EXPECT_EQ((**store_->posts().find_published_post(paris_, "billet-0")).comment_policy,
              model::CommentPolicy::open);
    EXPECT_EQ(get("paris.test", "/archive/2017/10/02/billet-1.html").body.find("comment-form"),
              std::string::npos);
    const auto path = std::string("/archive/2017/10/01/billet-0.html");
    auto page = get("paris.test", path);
    std::smatch found;
    ASSERT_TRUE(
        std::regex_search(page.body, found, std::regex(R"re(name="stamp" value="([^"]+)")re")));
    clock_->advance(seconds{4});
    http::Request request = request_for("paris.test", path);
    request.method = "POST";
    request.remote_address = "192.0.2.9";
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.body = "name=Ana&body=Bonjour&stamp=" + found[1].str();
    auto sent = router_.dispatch(request);
    EXPECT_NE(header(sent, "Location").find("comment=approved"), std::string::npos);
}

// The sidebar is kept across writes that leave what it shows as it was; each change to what it
// does show reaches the very next page.
TEST_F(SiteTest, TheSidebarShowsEveryChangeToWhatItListsOnTheNextPage) {
    auto sidebar_of = [&](const std::string& path) {
        const auto body = get("paris.test", path).body;
        const auto start = body.find("<aside class=\"sidebar\"");
        const auto end = body.find("</aside>", start);
        EXPECT_NE(start, std::string::npos) << body;
        return start == std::string::npos ? std::string() : body.substr(start, end - start);
    };
    const auto first = sidebar_of("/");
    EXPECT_NE(first.find("Billet 4"), std::string::npos) << first;

    // A write that changes nothing the sidebar shows: the same sidebar.
    auto blog = **store_->blogs().find_blog(paris_);
    ASSERT_TRUE(
        store_->write([&](store::Writer& writer) { return writer.blogs().update_blog(blog); }));
    EXPECT_EQ(sidebar_of("/"), first);

    // A comment: the post's page changes, not what the sidebar lists.
    auto post = store_->posts().find_published_post(paris_, "billet-4");
    ASSERT_TRUE(post.has_value() && post->has_value());
    const auto generation = store_->generation(paris_);
    ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
        auto added =
            writer.comments().add_comment(model::Comment{.blog_id = paris_,
                                                         .post_id = (*post)->id,
                                                         .author_name = "Lectrice",
                                                         .source = "Merci",
                                                         .html = "<p>Merci</p>",
                                                         .status = model::CommentStatus::approved,
                                                         .created_at = (*post)->published_at});
        if (!added) return std::unexpected(added.error());
        return {};
    }));
    EXPECT_GT(store_->generation(paris_), generation);
    EXPECT_EQ(sidebar_of("/"), first);

    // A recent post renamed.
    auto renamed = **post;
    renamed.title = "Billet renommé";
    ASSERT_TRUE(
        store_->write([&](store::Writer& writer) { return writer.posts().update_post(renamed); }));
    auto side = sidebar_of("/");
    EXPECT_NE(side.find("Billet renommé"), std::string::npos) << side;

    // A category renamed.
    ASSERT_FALSE(renamed.categories.empty());
    ASSERT_TRUE(store_->write([&](store::Writer& writer) {
        return writer.categories().rename_category(paris_, renamed.categories.front().id,
                                                   "Libye et Syrie", "libye-et-syrie");
    }));
    side = sidebar_of("/");
    EXPECT_NE(side.find("Libye et Syrie"), std::string::npos) << side;

    // A post in a month of its own.
    add_post(paris_, "Novembre", sys_days{2017y / 11 / 2} + 9h, {});
    side = sidebar_of("/");
    EXPECT_NE(side.find("/archive/2017/11/"), std::string::npos) << side;

    // The blog's language: the months are named in it.
    blog = **store_->blogs().find_blog(paris_);
    blog.locale = "en";
    ASSERT_TRUE(
        store_->write([&](store::Writer& writer) { return writer.blogs().update_blog(blog); }));
    side = sidebar_of("/");
    EXPECT_NE(side.find("November 2017"), std::string::npos) << side;
}

}  // namespace
}  // namespace carnet::site
