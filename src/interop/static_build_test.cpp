#include "interop/static_build.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "http/http.hpp"
#include "interop/interop.hpp"
#include "markup/markup.hpp"
#include "model/model.hpp"
#include "site/site.hpp"
#include "store/store.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::interop {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view k_host = "carnet.test";
const std::string k_gif = std::string(64, 'b') + ".gif";
const std::string k_jpeg = std::string(64, 'c') + ".jpg";
const std::string k_jpeg_variant = std::string(64, 'c') + "-480.jpg";

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

bool is_post_page(std::string_view url) {
    return url.starts_with("/archive/") && url.ends_with(".html");
}

// The one allowed difference: a post page's comments section. Returns the page without it,
// and the section itself in `section`.
std::string outside_comments(const std::string& html, std::string* section = nullptr) {
    const auto begin = html.find("<section id=\"comments\"");
    const auto end = html.find("</section>", begin);
    if (begin == std::string::npos || end == std::string::npos) return html;
    if (section != nullptr) *section = html.substr(begin, end - begin);
    return html.substr(0, begin) + html.substr(end);
}

// Whether `path` matches a router pattern: literal segments, or `{name}` with an optional
// literal prefix and suffix, matching one non-empty segment.
bool matches(std::string_view pattern, std::string_view path) {
    const auto split = [](std::string_view text) {
        std::vector<std::string> parts;
        std::string part;
        for (char c : text) {
            if (c == '/') {
                parts.push_back(part);
                part.clear();
            } else {
                part += c;
            }
        }
        parts.push_back(part);
        return parts;
    };
    const auto want = split(pattern);
    const auto have = split(path);
    if (want.size() != have.size()) return false;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const auto open = want[i].find('{');
        if (open == std::string::npos) {
            if (want[i] != have[i]) return false;
            continue;
        }
        const auto close = want[i].find('}');
        const auto prefix = want[i].substr(0, open);
        const auto suffix = want[i].substr(close + 1);
        if (have[i].size() <= prefix.size() + suffix.size() || !have[i].starts_with(prefix) ||
            !have[i].ends_with(suffix)) {
            return false;
        }
    }
    return true;
}

// A blog of 14 posts over two years, several months and days (one day with four posts),
// three categories, a comment, and uploaded images; listings hold 3 posts, so home, years,
// months, one day and one category have several pages.
class StaticBuild : public ::testing::Test {
protected:
    void SetUp() override {
        out_ = dir_ / "site";
        media_dir_ = dir_ / "media";
        auto opened = store::open_sqlite_store(dir_ / "blog.db", store::OpenMode::create_if_missing,
                                               store_clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            auto id = writer.blogs().create_blog(model::Blog{.hosts = {std::string(k_host)},
                                                             .title = "Le carnet statique",
                                                             .posts_per_page = 3});
            if (!id) return std::unexpected(id.error());
            blog_id_ = *id;
            return {};
        }));
        const auto at = [](year_month_day day, hours hour) {
            return model::Instant{sys_days{day} + hour};
        };
        old_post_ = add_post("Un vieux billet", at(2016y / 3 / 14, 10h), {"Syrie"});
        add_post("Un autre vieux billet", at(2016y / 3 / 20, 10h), {"Syrie", "Irak"});
        lonely_post_ = add_post("Seul ce jour-là", at(2016y / 11 / 2, 10h), {"Irak"});
        for (int i = 0; i < 4; ++i) {
            add_post("Le 4 octobre, billet " + std::to_string(i), at(2017y / 10 / 4, hours(8 + i)),
                     {"Libye"});
        }
        for (int i = 0; i < 7; ++i) {
            const auto id = add_post("Octobre, billet " + std::to_string(i),
                                     at(2017y / 10 / (10 + i), 18h), {"Libye", "Syrie"});
            if (i == 0) commented_post_ = id;
        }
        ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            auto comment = writer.comments().add_comment(
                model::Comment{.blog_id = blog_id_,
                               .post_id = commented_post_,
                               .author_name = "Lectrice",
                               .source = "Merci",
                               .html = "<p>Merci</p>",
                               .status = model::CommentStatus::approved,
                               .created_at = model::Instant{sys_days{2017y / 10 / 11}}});
            if (!comment) return std::unexpected(comment.error());
            for (const bool published : {true, false}) {
                auto page = writer.pages().create_page(
                    model::Page{.blog_id = blog_id_,
                                .published = published,
                                .title = published ? "A propos" : "Brouillon",
                                .slug = published ? "a-propos" : "brouillon",
                                .source = "Qui ecrit.",
                                .html = "<p>Qui ecrit.</p>"});
                if (!page) return std::unexpected(page.error());
            }
            for (const auto& record : {store::MediaRecord{.blog_id = blog_id_,
                                      .content_hash = std::string(64, 'b'),
                                      .content_type = "image/gif",
                                      .file_name = k_gif,
                                      .size_bytes = 3,
                                      .width = 10,
                                      .height = 10},
                                       store::MediaRecord{.blog_id = blog_id_,
                                       .content_hash = std::string(64, 'c'),
                                       .content_type = "image/jpeg",
                                       .file_name = k_jpeg,
                                       .size_bytes = 3,
                                       .width = 2000,
                                       .height = 1000,
                                       .variants = {{480, 240, k_jpeg_variant}}}}) {
                auto added = writer.media().add_media(record, 0);
                if (!added) return std::unexpected(added.error());
            }
            return {};
        }));
        fs::create_directories(media_dir_);
        for (const auto& name : {k_gif, k_jpeg, k_jpeg_variant}) {
            std::ofstream(media_dir_ / name, std::ios::binary) << "img:" << name;
        }
    }

    std::int64_t add_post(std::string title, model::Instant at,
                          std::vector<std::string> categories) {
        model::Post post{.blog_id = blog_id_,
                         .status = model::PostStatus::published,
                         .title = std::move(title),
                         .source = "Un *paragraphe*."};
        post.html = markup::render_post_body(post.source_format, post.source);
        post.excerpt = markup::excerpt(post.html);
        post.published_at = at;
        post.updated_at = at;
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

    StaticBuildOptions options() const {
        return StaticBuildOptions{.out_dir = out_,
                                  .themes_dir = themes_dir_,
                                  .media_dir = media_dir_,
                                  .base_url = "http://" + std::string(k_host)};
    }

    StaticBuildReport build() {
        auto report = build_static_site(*store_, options());
        EXPECT_TRUE(report) << report.error().message;
        return report ? *report : StaticBuildReport{};
    }

    // The server's answer: the site as `carnet serve` runs it, asked by a reader of k_host.
    http::Response served(const std::string& path, bool comment_form = true) {
        auto& router = comment_form ? server_router_ : static_router_;
        auto& site = comment_form ? server_site_ : static_site_;
        if (!site) {
            auto made =
                site::Site::create(*store_, site::SiteOptions{.themes_dir = CARNET_THEMES_DIR,
                                                              .media_dir = media_dir_,
                                                              .comment_form = comment_form,
                                                              // Neither router has the API
                                                              // or the Webmention endpoint.
                                                              .writer_apps = false,
                                                              .webmention_endpoint = false});
            EXPECT_TRUE(made) << made.error().message;
            site = std::move(*made);
            site->register_routes(router);
        }
        http::Request request;
        request.method = "GET";
        request.target = path;
        request.path = path;
        request.host = std::string(k_host);
        request.headers.emplace_back("Host", std::string(k_host));
        return router.dispatch(request);
    }

    // Every file of the output folder but the manifest, by path relative to it.
    std::map<std::string, std::string> files() const { return files_in(out_); }

    // The file of `url` as the site answered it: without the spaces that follow the sidebar
    // to the end of its slot, which the manifest says where they are.
    std::string page_as_rendered(const std::string& url) const {
        const auto relative = static_file_path(url).generic_string();
        auto bytes = read_bytes(out_ / relative);
        const auto manifest = static_build::parse_manifest(read_bytes(out_ / ".carnet-build"));
        const auto entry =
            std::ranges::find(manifest.entries, relative, &static_build::ManifestEntry::key);
        if (entry == manifest.entries.end() || entry->sidebar_at < 0) return bytes;
        const auto spaces_at =
            static_cast<std::size_t>(entry->sidebar_at) + manifest.sidebar.length;
        const auto spaces = manifest.sidebar.slot - manifest.sidebar.length;
        EXPECT_EQ(bytes.find_first_not_of(' ', spaces_at), spaces_at + spaces) << url;
        return bytes.erase(spaces_at, spaces);
    }

    // Every file of `folder` but the manifest, by path relative to it.
    static std::map<std::string, std::string> files_in(const fs::path& folder) {
        std::map<std::string, std::string> found;
        for (const auto& entry : fs::recursive_directory_iterator(folder)) {
            if (!entry.is_regular_file()) continue;
            const auto relative = fs::relative(entry.path(), folder).generic_string();
            if (relative != ".carnet-build") found[relative] = read_bytes(entry.path());
        }
        return found;
    }

    // Builds into the output folder, where an earlier build is, and checks that it then holds
    // exactly what a build into an empty folder writes: every file, byte for byte, no other.
    StaticBuildReport build_and_compare_with_cold_build() {
        const auto report = build();
        auto cold_options = options();
        cold_options.out_dir = dir_ / ("cold-" + std::to_string(++cold_builds_));
        auto cold = build_static_site(*store_, cold_options);
        EXPECT_TRUE(cold) << cold.error().message;
        if (!cold) return report;
        EXPECT_EQ(cold->rendered, static_cast<int>(cold->urls.size()));
        EXPECT_EQ(report.urls, cold->urls);
        const auto incremental = files_in(out_);
        const auto expected = files_in(cold_options.out_dir);
        EXPECT_EQ(incremental.size(), expected.size());
        for (const auto& [file, bytes] : expected) {
            const auto found = incremental.find(file);
            if (found == incremental.end()) {
                ADD_FAILURE() << file << " is missing";
            } else {
                EXPECT_EQ(found->second, bytes) << file;
            }
        }
        for (const auto& [file, bytes] : incremental) {
            EXPECT_TRUE(expected.contains(file)) << file << " should not be there";
        }
        return report;
    }

    model::Status approve_new_comment(std::int64_t post_id, std::string text) {
        return store_->write([&](store::Writer& writer) -> model::Status {
            auto id = writer.comments().add_comment(
                model::Comment{.blog_id = blog_id_,
                               .post_id = post_id,
                               .author_name = "Lecteur",
                               .source = text,
                               .html = "<p>" + text + "</p>",
                               .status = model::CommentStatus::pending,
                               .created_at = model::Instant{sys_days{2018y / 2 / 1}}});
            if (!id) return std::unexpected(id.error());
            return writer.comments().set_comment_status(blog_id_, *id,
                                                        model::CommentStatus::approved);
        });
    }

    int cold_builds_ = 0;
    fs::path themes_dir_ = CARNET_THEMES_DIR;
    // Before the store, so that the store closes before its folder goes.
    carnet::testing::TempDir temp_;
    const fs::path& dir_ = temp_.path();
    fs::path out_;
    fs::path media_dir_;
    // What the store records as the time of its writes; it outlives the store.
    ManualClock store_clock_{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
    std::unique_ptr<store::Store> store_;
    std::int64_t blog_id_ = 0;
    std::int64_t old_post_ = 0;
    std::int64_t lonely_post_ = 0;
    std::int64_t commented_post_ = 0;
    std::unique_ptr<site::Site> server_site_;
    std::unique_ptr<site::Site> static_site_;
    http::Router server_router_;
    http::Router static_router_;
};

TEST(StaticFilePath, FoldersBecomeIndexHtmlAndFilesKeepTheirName) {
    EXPECT_EQ(static_file_path("/"), fs::path("index.html"));
    EXPECT_EQ(static_file_path("/page/2/"), fs::path("page/2/index.html"));
    EXPECT_EQ(static_file_path("/archive/2017/10/04/titre.html"),
              fs::path("archive/2017/10/04/titre.html"));
    EXPECT_EQ(static_file_path("/list/libye/atom.xml"), fs::path("list/libye/atom.xml"));
}

TEST_F(StaticBuild, EveryFileHoldsTheServersAnswerButTheCommentForm) {
    const auto report = build();
    ASSERT_FALSE(report.urls.empty());
    EXPECT_EQ(report.written, static_cast<int>(report.urls.size()));
    EXPECT_EQ(files().size(), report.urls.size());
    int post_pages = 0;
    for (const auto& url : report.urls) {
        SCOPED_TRACE(url);
        const auto file = page_as_rendered(url);
        const auto server = served(url);
        if (url == "/404.html") {
            // The not-found page, for the web server's error page: the server's bytes.
            EXPECT_EQ(server.status, 404);
            EXPECT_EQ(file, server.body);
            continue;
        }
        ASSERT_EQ(server.status, 200);
        // The bytes are those of the site with the comment form turned off, everywhere.
        EXPECT_EQ(file, served(url, false).body);
        if (!is_post_page(url)) {
            EXPECT_EQ(file, server.body);
            continue;
        }
        // The allowed difference: a post page's comments section has no form and no reply
        // links, and says comments are closed; the rest of the page is the server's.
        ++post_pages;
        std::string static_section;
        std::string server_section;
        EXPECT_EQ(outside_comments(file, &static_section),
                  outside_comments(server.body, &server_section));
        EXPECT_THAT(server_section, HasSubstr("<form id=\"comment-form\""));
        EXPECT_THAT(static_section, Not(HasSubstr("<form")));
        EXPECT_THAT(static_section, Not(HasSubstr("name=\"stamp\"")));
        EXPECT_THAT(static_section, Not(HasSubstr("?reply=")));
        EXPECT_THAT(static_section, HasSubstr("class=\"comments-closed\""));
    }
    EXPECT_EQ(post_pages, 14);
    // The comments themselves stay.
    auto commented = store_->posts().find_post_by_id(blog_id_, commented_post_);
    ASSERT_TRUE(commented && *commented);
    auto blog = store_->blogs().find_blog(blog_id_);
    const auto page = read_bytes(out_ / static_file_path(model::post_path(**blog, **commented)));
    EXPECT_THAT(page, HasSubstr("<p>Merci</p>"));
}

TEST_F(StaticBuild, CoversEveryPageListingFeedAndFile) {
    const auto report = build();
    const std::set<std::string> urls(report.urls.begin(), report.urls.end());
    for (const auto* url : {"/",
                            "/page/5/",
                            "/archive/2017/",
                            "/archive/2017/page/4/",
                            "/archive/2016/",
                            "/archive/2017/10/page/4/",
                            "/archive/2016/03/",
                            "/archive/2016/11/",
                            "/archive/2017/10/04/",
                            "/archive/2017/10/04/page/2/",
                            "/list/libye/",
                            "/list/libye/page/4/",
                            "/list/libye/atom.xml",
                            "/list/irak/rss.xml",
                            "/list/syrie/feed.json",
                            "/atom.xml",
                            "/rss.xml",
                            "/feed.json",
                            "/sitemap.xml",
                            "/robots.txt",
                            "/theme/style.css",
                            "/theme/video.js",
                            "/theme/favicon.svg",
                            "/a-propos.html"}) {
        EXPECT_TRUE(urls.contains(url)) << url;
    }
    EXPECT_FALSE(urls.contains("/page/6/"));
    EXPECT_FALSE(urls.contains("/brouillon.html"));  // a draft page
    EXPECT_EQ(served("/page/6/").status, 404);
    EXPECT_EQ(served("/list/libye/page/5/").status, 404);
    // Public media only: the GIF and the JPEG's variant, not the JPEG's original (its EXIF).
    EXPECT_TRUE(urls.contains("/media/" + k_gif));
    EXPECT_TRUE(urls.contains("/media/" + k_jpeg_variant));
    EXPECT_FALSE(urls.contains("/media/" + k_jpeg));
    EXPECT_EQ(read_bytes(out_ / "media" / k_gif), "img:" + k_gif);

    // Every GET route of the site is in the copy, but those a static server cannot answer.
    const std::set<std::string> left_out{
        "/search",                                     // a query: needs the server
        "/archives/{year}/{month}/index.html",         // the old service's URLs: redirects
        "/archives/{year}/{month}/index-{page}.html",  //
        "/index.rss",                                  //
        "/favicon.ico",                                // a redirect to /theme/favicon.svg
        "/sitemap-{number}.xml",                       // only past 50,000 URLs
    };
    for (const auto& route : server_router_.routes()) {
        if (route.method != "GET" || left_out.contains(route.pattern)) continue;
        EXPECT_TRUE(std::ranges::any_of(
            report.urls, [&](const std::string& url) { return matches(route.pattern, url); }))
            << "no page of the copy answers " << route.pattern;
    }

    // Every link of every page leads to a file of the copy (the search form aside).
    const std::regex link(R"re((?:href|src)="(/[^"#?]*)")re");
    for (const auto& [file, bytes] : files()) {
        if (!file.ends_with(".html")) continue;
        for (std::sregex_iterator it(bytes.begin(), bytes.end(), link), end; it != end; ++it) {
            const auto target = (*it)[1].str();
            EXPECT_TRUE(urls.contains(target)) << file << " links to " << target;
        }
    }
    // And so does every address of the sitemap.
    const auto sitemap = read_bytes(out_ / "sitemap.xml");
    const std::regex loc("<loc>http://carnet\\.test(/[^<]*)</loc>");
    int locs = 0;
    for (std::sregex_iterator it(sitemap.begin(), sitemap.end(), loc), end; it != end; ++it) {
        EXPECT_TRUE(urls.contains((*it)[1].str())) << (*it)[1].str();
        ++locs;
    }
    EXPECT_GT(locs, 14);
}

TEST_F(StaticBuild, ASecondBuildWithNoChangeWritesNothing) {
    const auto first = build();
    const auto before = files();
    const auto second = build();
    EXPECT_EQ(second.written, 0);
    EXPECT_EQ(second.removed, 0);
    EXPECT_EQ(second.unchanged, static_cast<int>(first.urls.size()));
    // The blog's generation, the program, the options and the theme are as last time: not
    // one page is rendered, not even the not-found page.
    EXPECT_EQ(second.rendered, 0);
    EXPECT_EQ(second.urls, first.urls);
    EXPECT_EQ(files(), before);
    // No temporary file was left behind.
    for (const auto& [file, bytes] : files()) {
        EXPECT_FALSE(fs::path(file).filename().string().starts_with('.')) << file;
    }
}

TEST_F(StaticBuild, AFileWhereAFolderGoesStopsTheBuildSayingWhichAndWhy) {
    fs::create_directories(out_);
    { std::ofstream(out_ / "archive") << "not a folder"; }
    auto report = build_static_site(*store_, options());
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().code, model::Error::Code::io);
    EXPECT_THAT(report.error().message, HasSubstr((out_ / "archive").string()));
    EXPECT_THAT(report.error().message, HasSubstr("Not a directory"));
    EXPECT_EQ(read_bytes(out_ / "archive"), "not a folder");
    // The same in a folder that is not there yet, made by the build.
    auto under_a_file = options();
    under_a_file.out_dir = out_ / "archive" / "site";
    auto refused = build_static_site(*store_, under_a_file);
    ASSERT_FALSE(refused);
    EXPECT_THAT(refused.error().message, HasSubstr("cannot create " + (out_ / "archive").string()));
    EXPECT_THAT(refused.error().message, HasSubstr("Not a directory"));
    // Once the file is gone, the folder gets what a build into an empty one writes (the files
    // written before the stop kept as they are), and no temporary file stays.
    fs::remove(out_ / "archive");
    const auto rebuilt = build_and_compare_with_cold_build();
    EXPECT_GT(rebuilt.written, 0);
    for (const auto& entry : fs::recursive_directory_iterator(out_)) {
        const auto name = entry.path().filename().string();
        EXPECT_FALSE(name.ends_with(".tmp")) << entry.path();
    }
}

TEST_F(StaticBuild, AnEditedPostRewritesOnlyTheFilesThatShowIt) {
    build();
    const auto before = files();
    // An old post: not among the sidebar's recent posts, which every page shows.
    ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
        auto post = writer.posts().find_post_by_id(blog_id_, old_post_);
        if (!post) return std::unexpected(post.error());
        (*post)->title = "Un titre corrige";
        (*post)->updated_at = model::Instant{sys_days{2018y / 1 / 1}};
        return writer.posts().update_post(**post);
    }));
    const auto report = build_and_compare_with_cold_build();
    const auto after = files();
    ASSERT_EQ(after.size(), before.size());
    // The post, its day, month, year and categories' pages that hold it, their feeds, the
    // site's feeds and sitemap, and the not-found page for the shell: not the rest.
    EXPECT_LE(report.rendered, 20);
    EXPECT_GE(report.rendered, report.written);
    std::set<std::string> changed;
    for (const auto& [file, bytes] : after) {
        if (before.at(file) != bytes) changed.insert(file);
    }
    EXPECT_EQ(report.written, static_cast<int>(changed.size()));
    EXPECT_EQ(report.unchanged, static_cast<int>(after.size() - changed.size()));
    EXPECT_EQ(report.removed, 0);
    // What changed shows the post (its page, the listings and feeds that hold it) or dates it
    // (the sitemap's lastmod).
    for (const auto& file : changed) {
        EXPECT_TRUE(after.at(file).find("Un titre corrige") != std::string::npos ||
                    file == "sitemap.xml")
            << file;
    }
    for (const auto* file :
         {"archive/2016/03/14/un-vieux-billet.html", "archive/2016/03/14/index.html",
          "archive/2016/03/index.html", "list/syrie/page/3/index.html", "list/syrie/atom.xml",
          "atom.xml", "rss.xml", "feed.json", "sitemap.xml"}) {
        EXPECT_TRUE(changed.contains(file)) << file;
    }
    for (const auto* file : {"index.html", "list/libye/index.html", "archive/2017/10/index.html",
                             "archive/2016/11/02/index.html", "theme/style.css", "robots.txt"}) {
        EXPECT_FALSE(changed.contains(file)) << file;
    }
}

TEST_F(StaticBuild, AMovedPostsOldAddressSendsReadersOn) {
    std::string old_path;
    std::string new_path;
    ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
        auto post = writer.posts().find_post_by_id(blog_id_, old_post_);
        if (!post) return std::unexpected(post.error());
        auto blog = store_->blogs().find_blog(blog_id_);
        old_path = model::post_path(**blog, **post);
        (*post)->slug = "un-nouveau-nom";
        new_path = model::post_path(**blog, **post);
        return writer.posts().update_post(**post);
    }));
    const auto report = build();
    // The server answers 301 there; the copy holds a page that sends the reader on at once.
    const auto server = served(old_path);
    ASSERT_EQ(server.status, 301);
    EXPECT_TRUE(std::ranges::count(report.urls, old_path) == 1);
    const auto page = read_bytes(out_ / static_file_path(old_path));
    EXPECT_THAT(page,
                HasSubstr("<meta http-equiv=\"refresh\" content=\"0; url=" + new_path + "\">"));
    EXPECT_THAT(page, HasSubstr("<link rel=\"canonical\" href=\"" + new_path + "\">"));
    EXPECT_TRUE(std::filesystem::exists(out_ / static_file_path(new_path)));
    // And unknown addresses get the site's own not-found page from the web server.
    const auto missing = page_as_rendered("/404.html");
    EXPECT_EQ(missing, served("/404.html").body);
    EXPECT_FALSE(missing.empty());
}

TEST_F(StaticBuild, ADeletedPostsFilesAreRemovedAndOtherFilesKept) {
    build();
    std::ofstream(out_ / "CNAME") << "blog.example.org\n";  // the owner's, not the build's
    auto blog = store_->blogs().find_blog(blog_id_);
    auto post = store_->posts().find_post_by_id(blog_id_, lonely_post_);
    ASSERT_TRUE(blog && *blog && post && *post);
    const auto page = static_file_path(model::post_path(**blog, **post));
    ASSERT_TRUE(fs::exists(out_ / page));
    ASSERT_TRUE(fs::exists(out_ / "archive/2016/11/02/index.html"));
    ASSERT_TRUE(store_->write(
        [&](store::Writer& writer) { return writer.posts().delete_post(blog_id_, lonely_post_); }));
    const auto report = build();
    EXPECT_FALSE(fs::exists(out_ / page));
    // Its day and month had no other post: their listings go, with their folders.
    EXPECT_FALSE(fs::exists(out_ / "archive/2016/11"));
    EXPECT_GE(report.removed, 3);
    EXPECT_TRUE(fs::exists(out_ / "CNAME"));
    EXPECT_EQ(files().size(), report.urls.size() + 1);
    for (const auto& url : report.urls) EXPECT_TRUE(fs::exists(out_ / static_file_path(url)));
    // Without the owner's file, the copy is what a build into an empty folder writes.
    fs::remove(out_ / "CNAME");
    build_and_compare_with_cold_build();
}

TEST_F(StaticBuild, TheBaseUrlIsTheBlogsOrAnHttpHostItAnswers) {
    auto without = options();
    without.base_url.clear();
    auto refused = build_static_site(*store_, without);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, model::Error::Code::invalid_input);
    EXPECT_THAT(refused.error().message, HasSubstr("--base-url"));

    for (const auto* bad : {"https://carnet.test", "http://carnet.test/blog/", "carnet.test"}) {
        auto options_with = options();
        options_with.base_url = bad;
        auto result = build_static_site(*store_, options_with);
        ASSERT_FALSE(result) << bad;
        EXPECT_EQ(result.error().code, model::Error::Code::invalid_input) << bad;
    }
    EXPECT_FALSE(fs::exists(out_));  // a refused build writes nothing

    // A blog with its own base URL: the copy links there, as the server does.
    auto blog = store_->blogs().find_blog(blog_id_);
    ASSERT_TRUE(blog && *blog);
    (*blog)->base_url = "https://blog.example.org";
    ASSERT_TRUE(
        store_->write([&](store::Writer& writer) { return writer.blogs().update_blog(**blog); }));
    auto built = build_static_site(*store_, without);
    ASSERT_TRUE(built) << built.error().message;
    EXPECT_THAT(read_bytes(out_ / "atom.xml"), HasSubstr("https://blog.example.org/"));
    EXPECT_THAT(read_bytes(out_ / "robots.txt"),
                HasSubstr("Sitemap: https://blog.example.org/sitemap.xml"));
    auto same = options();
    same.base_url = "https://blog.example.org/";
    EXPECT_TRUE(build_static_site(*store_, same));
    auto other = options();
    other.base_url = "https://elsewhere.example.org";
    auto conflict = build_static_site(*store_, other);
    ASSERT_FALSE(conflict);
    EXPECT_EQ(conflict.error().code, model::Error::Code::invalid_input);
}

TEST_F(StaticBuild, ProgressCountsEveryUrl) {
    auto with_progress = options();
    std::size_t calls = 0;
    std::size_t last_done = 0;
    std::size_t last_total = 0;
    with_progress.progress = [&](std::size_t done, std::size_t total) {
        ++calls;
        EXPECT_EQ(done, last_done + 1);
        EXPECT_LE(done, total);
        last_done = done;
        last_total = total;
    };
    auto report = build_static_site(*store_, with_progress);
    ASSERT_TRUE(report);
    EXPECT_EQ(last_done, last_total);
    EXPECT_GE(calls, report->urls.size());
}

TEST_F(StaticBuild, AWriteThatChangesNoPageRendersOnlyTheShell) {
    const auto first = build();
    // A draft changes the blog's generation, and no public page.
    model::Post draft{.blog_id = blog_id_,
                      .status = model::PostStatus::draft,
                      .title = "Pas encore",
                      .source = "Plus tard."};
    draft.html = markup::render_post_body(draft.source_format, draft.source);
    draft.published_at = model::Instant{sys_days{2018y / 2 / 1}};
    draft.updated_at = draft.published_at;
    const auto generation = store_->stored_generation(blog_id_);
    ASSERT_TRUE(generation);
    ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
        auto id = writer.posts().create_post(draft);
        if (!id) return std::unexpected(id.error());
        return {};
    }));
    ASSERT_NE(store_->stored_generation(blog_id_).value_or(0), *generation);
    const auto second = build_and_compare_with_cold_build();
    EXPECT_EQ(second.rendered, 1);  // the not-found page, for the layout and sidebar
    EXPECT_EQ(second.written, 0);
    EXPECT_EQ(second.unchanged, static_cast<int>(first.urls.size()));
}

TEST_F(StaticBuild, AnApprovedCommentRendersThePostItsFeedsAndTheListingsThatCountIt) {
    build();
    const auto before = files();
    ASSERT_TRUE(approve_new_comment(old_post_, "Bien vu"));
    const auto report = build_and_compare_with_cold_build();
    const auto after = files();
    auto blog = store_->blogs().find_blog(blog_id_);
    auto post = store_->posts().find_post_by_id(blog_id_, old_post_);
    ASSERT_TRUE(blog && *blog && post && *post);
    const auto page = static_file_path(model::post_path(**blog, **post)).generic_string();
    EXPECT_THAT(after.at(page), HasSubstr("<p>Bien vu</p>"));
    EXPECT_NE(before.at("comments/atom.xml"), after.at("comments/atom.xml"));
    EXPECT_LE(report.rendered, 20);
    EXPECT_GT(report.written, 0);
}

TEST_F(StaticBuild, ANewPostIsAddedEverywhereItShows) {
    const auto first = build();
    const auto before = files();
    add_post("Un billet tout neuf", model::Instant{sys_days{2018y / 3 / 1} + 9h}, {"Irak"});
    const auto report = build_and_compare_with_cold_build();
    EXPECT_TRUE(fs::exists(out_ / "archive/2018/03/01/un-billet-tout-neuf.html"));
    EXPECT_GT(report.written, 0);
    // Every page shows the sidebar, whose recent posts and counts changed: the pages that do
    // not show the post otherwise get the new sidebar put in, without a render.
    EXPECT_GT(report.spliced, 0);
    EXPECT_LE(report.spliced, report.written);
    EXPECT_LT(report.rendered, static_cast<int>(first.urls.size()) / 2);
    const auto old_page = "archive/2016/03/14/un-vieux-billet.html";
    EXPECT_EQ(before.at(old_page).find("Un billet tout neuf"), std::string::npos);
    EXPECT_THAT(files().at(old_page), HasSubstr("Un billet tout neuf"));
}

TEST_F(StaticBuild, AFileRemovedSinceTheLastBuildIsWrittenAgainWhenTheSidebarChanges) {
    build();
    const auto old_page = out_ / "archive/2016/03/14/un-vieux-billet.html";
    ASSERT_TRUE(fs::remove(old_page));
    // A new post changes the sidebar of every page: the page that is gone is rendered.
    add_post("Un billet tout neuf", model::Instant{sys_days{2018y / 3 / 1} + 9h}, {"Irak"});
    const auto report = build_and_compare_with_cold_build();
    EXPECT_TRUE(fs::is_regular_file(old_page));
    EXPECT_GT(report.spliced, 0);
}

TEST_F(StaticBuild, AFileWhoseSidebarWasAlteredIsRenderedAgain) {
    build();
    const auto old_page = out_ / "archive/2016/03/14/un-vieux-billet.html";
    auto altered = read_bytes(old_page);
    const auto sidebar = altered.find("<aside class=\"sidebar\"");
    ASSERT_NE(sidebar, std::string::npos);
    const auto recent = altered.find("widget-recent", sidebar);
    ASSERT_NE(recent, std::string::npos);
    altered.insert(recent, "x");
    std::ofstream(old_page, std::ios::binary | std::ios::trunc) << altered;
    add_post("Un billet tout neuf", model::Instant{sys_days{2018y / 3 / 1} + 9h}, {"Irak"});
    // The bytes where the old sidebar was are not the old sidebar: the page is rendered, and
    // the folder holds what a cold build writes.
    const auto report = build_and_compare_with_cold_build();
    EXPECT_GT(report.spliced, 0);
}

TEST_F(StaticBuild, ANewSidebarIsWrittenInPlaceWhenItFitsItsSlotAndInANewFileWhenNot) {
    build();
    const auto old_page = out_ / "archive/2016/03/14/un-vieux-billet.html";
    const auto other_page = out_ / "archive/2016/03/20/un-autre-vieux-billet.html";
    const auto copy = dir_ / "kept-copy.html";
    const auto sidebar_of_build = [&] {
        return static_build::parse_manifest(read_bytes(out_ / ".carnet-build")).sidebar;
    };
    const auto inode = [](const fs::path& file) {
        struct stat status {};
        EXPECT_EQ(::stat(file.c_str(), &status), 0) << file;
        return status.st_ino;
    };
    bool in_place = false;
    bool new_file = false;
    // Titles ever longer: the recent posts grow the sidebar until it outgrows its slot.
    for (int i = 1; i <= 40 && !(in_place && new_file); ++i) {
        SCOPED_TRACE(i);
        const auto before = sidebar_of_build();
        ASSERT_NE(before.digest, 0U);
        EXPECT_EQ(before.slot, static_build::sidebar_slot(before.length));
        const auto page_inode = inode(old_page);
        // A copy of another page under a second name (a backup made with hard links): a new
        // file for the page leaves it as it was, and so must a write in place.
        fs::remove(copy);
        fs::create_hard_link(other_page, copy);
        const auto copied = read_bytes(copy);
        const std::string title = "Un billet " + std::to_string(i) + std::string(i * 30, 'x');
        add_post(title, model::Instant{sys_days{2018y / 3 / 1} + hours(i)}, {"Irak"});
        const auto report = build_and_compare_with_cold_build();
        EXPECT_GT(report.spliced, 0);
        EXPECT_THAT(read_bytes(old_page), HasSubstr(title));
        EXPECT_THAT(read_bytes(other_page), HasSubstr(title));
        EXPECT_EQ(read_bytes(copy), copied);
        const auto after = sidebar_of_build();
        EXPECT_EQ(after.slot, static_build::sidebar_slot(after.length));
        if (after.slot == before.slot) {
            in_place = true;
            EXPECT_EQ(inode(old_page), page_inode);
        } else {
            new_file = true;
            EXPECT_NE(inode(old_page), page_inode);
        }
    }
    EXPECT_TRUE(in_place);
    EXPECT_TRUE(new_file);
}

TEST_F(StaticBuild, EveryPageFollowsItsSidebarWithSpacesToTheEndOfItsSlot) {
    build();
    const auto manifest = static_build::parse_manifest(read_bytes(out_ / ".carnet-build"));
    const auto& sidebar = manifest.sidebar;
    ASSERT_GT(sidebar.length, 0U);
    EXPECT_EQ(sidebar.slot % static_build::k_sidebar_slot_block, 0U);
    EXPECT_GT(sidebar.slot, sidebar.length);
    int pages = 0;
    for (const auto& entry : manifest.entries) {
        if (entry.sidebar_at < 0) continue;
        SCOPED_TRACE(entry.key);
        ++pages;
        const auto page = read_bytes(out_ / entry.key);
        const auto at = static_cast<std::size_t>(entry.sidebar_at);
        ASSERT_GE(page.size(), at + sidebar.slot);
        EXPECT_EQ(page.find_first_not_of(' ', at + sidebar.length), at + sidebar.slot);
        EXPECT_NE(page[at + sidebar.length - 1], ' ');
        // The sidebar's own bytes: the search form is before it, the pages' list in it.
        EXPECT_THAT(page.substr(at, sidebar.length), HasSubstr("widget-"));
    }
    EXPECT_GT(pages, 10);
}

TEST_F(StaticBuild, AChangedSettingOrThemeRendersEveryPage) {
    const auto first = build();
    auto blog = store_->blogs().find_blog(blog_id_);
    ASSERT_TRUE(blog && *blog);
    (*blog)->title = "Le carnet renomme";
    ASSERT_TRUE(
        store_->write([&](store::Writer& writer) { return writer.blogs().update_blog(**blog); }));
    const auto renamed = build_and_compare_with_cold_build();
    EXPECT_EQ(renamed.rendered, static_cast<int>(first.urls.size()));
    EXPECT_THAT(read_bytes(out_ / "index.html"), HasSubstr("Le carnet renomme"));

    // A copy of the theme, then a change to its stylesheet: the same build options otherwise.
    const auto themes = dir_ / "themes";
    fs::copy(CARNET_THEMES_DIR, themes, fs::copy_options::recursive);
    themes_dir_ = themes;
    const auto moved_themes = build_and_compare_with_cold_build();
    EXPECT_EQ(moved_themes.written, 0);
    std::ofstream(themes / "classique" / "style.css", std::ios::app) << "\n/* plus sombre */\n";
    const auto restyled = build_and_compare_with_cold_build();
    EXPECT_EQ(restyled.rendered, static_cast<int>(first.urls.size()));
    EXPECT_EQ(restyled.written, 1);
    EXPECT_THAT(read_bytes(out_ / "theme/style.css"), HasSubstr("plus sombre"));
}

TEST_F(StaticBuild, AManifestOfAnOlderBuildRendersEverythingOnce) {
    const auto first = build();
    // What an older carnet recorded: the files alone.
    std::string older = "# Files written by `carnet build`\n";
    for (const auto& url : first.urls) older += static_file_path(url).generic_string() + "\n";
    std::ofstream(out_ / ".carnet-build", std::ios::trunc) << older;
    const auto second = build_and_compare_with_cold_build();
    EXPECT_EQ(second.rendered, static_cast<int>(first.urls.size()));
    EXPECT_EQ(second.written, 0);
    EXPECT_EQ(build().rendered, 0);
}

TEST(StaticInputs, AListingPageDependsOnThePostsItShowsAndItsPlace) {
    const std::vector<std::uint64_t> posts{1, 2, 3, 4, 5, 6, 7};
    const auto pages = static_build::listing_pages("/list/irak/", 9, posts, 3);
    ASSERT_EQ(pages.size(), 3U);
    EXPECT_EQ(pages[0].path, "/list/irak/");
    EXPECT_EQ(pages[1].path, "/list/irak/page/2/");
    EXPECT_EQ(pages[2].path, "/list/irak/page/3/");
    // The fifth post changed: only the second page shows it.
    auto edited = posts;
    edited[4] = 50;
    const auto after_edit = static_build::listing_pages("/list/irak/", 9, edited, 3);
    EXPECT_EQ(after_edit[0].inputs, pages[0].inputs);
    EXPECT_NE(after_edit[1].inputs, pages[1].inputs);
    EXPECT_EQ(after_edit[2].inputs, pages[2].inputs);
    // A new post first: every page shows other posts, and the listing has one page more.
    auto added = posts;
    added.insert(added.begin(), 0);
    added.push_back(8);
    const auto after_new = static_build::listing_pages("/list/irak/", 9, added, 3);
    ASSERT_EQ(after_new.size(), 3U);
    for (std::size_t i = 0; i < pages.size(); ++i) EXPECT_NE(after_new[i].inputs, pages[i].inputs);
    // The last page holds the same post when the count of pages changes: its links change.
    const std::vector<std::uint64_t> six{1, 2, 3, 4, 5, 6};
    const auto fewer = static_build::listing_pages("/list/irak/", 9, six, 3);
    ASSERT_EQ(fewer.size(), 2U);
    EXPECT_NE(fewer[0].inputs, pages[0].inputs);
    // The listing's own inputs (a category's name) reach every page.
    const auto renamed = static_build::listing_pages("/list/irak/", 10, posts, 3);
    for (std::size_t i = 0; i < pages.size(); ++i) EXPECT_NE(renamed[i].inputs, pages[i].inputs);
    // An empty listing still has its first page.
    ASSERT_EQ(static_build::listing_pages("/", 0, {}, 3).size(), 1U);
}

TEST(StaticInputs, APostsDigestCoversWhatListingsShowOfIt) {
    model::Post post{.id = 3, .title = "Titre", .slug = "titre", .html = "<p>Texte</p>"};
    post.categories.push_back({.id = 1, .name = "Libye", .slug = "libye"});
    const auto digest = static_build::post_digest(post);
    EXPECT_EQ(static_build::post_digest(post), digest);
    const std::vector<std::function<void(model::Post&)>> changes{
        [](model::Post& p) { p.title = "Autre"; },
        [](model::Post& p) { p.html = "<p>Autre</p>"; },
        [](model::Post& p) { p.slug = "autre"; },
        [](model::Post& p) { p.comment_count = 1; },
        [](model::Post& p) { p.categories[0].name = "Syrie"; },
        [](model::Post& p) { p.categories.clear(); },
        [](model::Post& p) { p.published_at += std::chrono::hours(1); },
        [](model::Post& p) { p.updated_at += std::chrono::hours(1); },
        [](model::Post& p) { p.comments_open = false; },
    };
    for (std::size_t i = 0; i < changes.size(); ++i) {
        auto changed = post;
        changes[i](changed);
        EXPECT_NE(static_build::post_digest(changed), digest) << "change " << i;
    }
    // Fields are framed: moving bytes from one field to the next is a change.
    auto shifted = post;
    shifted.title = "Titret";
    shifted.slug = "itre";
    EXPECT_NE(static_build::post_digest(shifted), digest);
}

TEST(StaticInputs, ADiscussionDigestCoversCommentsAndReactions) {
    const std::vector<model::Comment> comments{
        {.id = 1, .author_name = "Ana", .html = "<p>Oui</p>"},
        {.id = 2, .parent_id = 1, .author_name = "Bob", .html = "<p>Non</p>"}};
    const auto digest = static_build::discussion_digest(comments, {});
    EXPECT_EQ(static_build::discussion_digest(comments, {}), digest);
    EXPECT_NE(static_build::discussion_digest(comments, {.likes = 1}), digest);
    EXPECT_NE(static_build::discussion_digest(comments, {.shares = 1}), digest);
    EXPECT_NE(static_build::discussion_digest(std::span(comments).first(1), {}), digest);
    auto edited = comments;
    edited[1].html = "<p>Peut-être</p>";
    EXPECT_NE(static_build::discussion_digest(edited, {}), digest);
}

TEST(StaticManifest, KeepsWhatEachFileShowedAndIgnoresPathsOutsideTheFolder) {
    static_build::Manifest manifest{
        .generation = 42, .fingerprint = 0xabcdef, .sidebar = {0x1234, 5000, 6144}};
    manifest.entries = {{"index.html", 7, 1250},
                        {"archive/2017/x.html", 0xffffffffffffffff, static_build::k_no_sidebar},
                        {"/archive/2017/x/comments.xml", 9, static_build::k_sidebar_elsewhere}};
    const auto parsed = static_build::parse_manifest(static_build::format_manifest(manifest));
    EXPECT_EQ(parsed.generation, 42U);
    EXPECT_EQ(parsed.fingerprint, 0xabcdefU);
    EXPECT_EQ(parsed.sidebar, manifest.sidebar);
    ASSERT_EQ(parsed.entries.size(), 3U);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(parsed.entries[i].key, manifest.entries[i].key);
        EXPECT_EQ(parsed.entries[i].inputs, manifest.entries[i].inputs);
        EXPECT_EQ(parsed.entries[i].sidebar_at, manifest.entries[i].sidebar_at);
    }
    const auto older = static_build::parse_manifest(
        "# an older carnet's\nindex.html\n../../etc/passwd\n0000000000000001\t/a/../b\n"
        ".carnet-build\nlist/x/\n00000000000000zz\tatom.xml\n");
    ASSERT_EQ(older.entries.size(), 2U);
    EXPECT_EQ(older.entries[0].key, "index.html");
    EXPECT_EQ(older.entries[0].inputs, 0U);
    EXPECT_EQ(older.entries[1].key, "atom.xml");
    EXPECT_EQ(older.entries[1].inputs, 0U);
    // Without its field, a file may hold the sidebar anywhere: it is rendered again.
    EXPECT_EQ(older.entries[1].sidebar_at, static_build::k_sidebar_elsewhere);
    EXPECT_EQ(older.generation, 0U);
    EXPECT_EQ(older.sidebar, static_build::ManifestSidebar{});
    // A sidebar recorded without its slot was written without spaces after it; a slot
    // shorter than the sidebar is no slot, and the sidebar unknown.
    EXPECT_EQ(static_build::parse_manifest("sidebar ab 10\n").sidebar,
              (static_build::ManifestSidebar{0xab, 0x10, 0}));
    EXPECT_EQ(static_build::parse_manifest("sidebar ab 10 800\n").sidebar,
              (static_build::ManifestSidebar{0xab, 0x10, 0x800}));
    EXPECT_EQ(static_build::parse_manifest("sidebar ab 10 8\n").sidebar,
              static_build::ManifestSidebar{});
}
}  // namespace
}  // namespace carnet::interop
