#include "site/site.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <sstream>

#include "media/media.hpp"
#include "site/comment_form.hpp"
#include "site/feeds.hpp"
#include "text/text.hpp"
#include "theme/theme.hpp"

namespace carnet::site {
namespace {

using http::Request;
using http::Response;
using http::RouteParams;

constexpr int k_recent_posts = 10;
constexpr std::string_view k_activity_json = "application/activity+json";
constexpr int k_max_page = 100'000;
constexpr int k_feed_posts = 20;
// Longer queries are cut: no reader types more, and the store's work grows with it.
constexpr std::size_t k_max_query_bytes = 256;
constexpr std::array k_feed_formats{FeedFormat::atom, FeedFormat::rss, FeedFormat::json};

// A number made only of digits, of the given width when width > 0.
std::optional<int> parse_number(std::string_view text, std::size_t width = 0) {
    if (text.empty() || (width > 0 && text.size() != width) || text.size() > 6) return {};
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return {};
    return value;
}

std::string_view param(const RouteParams& params, std::string_view name) {
    auto found = params.find(name);
    return found == params.end() ? std::string_view() : std::string_view(found->second);
}

Response redirect(std::string location) {
    Response response;
    response.status = 301;
    response.headers.emplace_back("Location", std::move(location));
    response.body = "";
    response.cacheable = true;
    return response;
}

std::string page_path(const std::string& base_path, int page) {
    return page <= 1 ? base_path : fmt::format("{}page/{}/", base_path, page);
}

using ThemeFiles = std::map<std::string, std::string, std::less<>>;

// The theme's files of one kind, by file name without `extension`: its scripts (".js",
// video.js: click-to-load videos) and its icons (".svg", favicon.svg), read once at start-up
// like its stylesheet. Only files found here are ever served, so a request cannot name a
// path of its own.
model::Result<ThemeFiles> load_theme_files(const std::filesystem::path& dir,
                                           std::string_view extension) {
    ThemeFiles files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const auto& path = entry.path();
        if (path.extension() != extension || !entry.is_regular_file(ec)) continue;
        std::ifstream file(path, std::ios::binary);
        std::ostringstream text;
        text << file.rdbuf();
        if (!file) {
            return model::fail(model::Error::Code::io,
                               fmt::format("cannot read theme file {}", path.string()));
        }
        files.emplace(path.stem().string(), std::move(text).str());
    }
    if (ec) {
        return model::fail(model::Error::Code::io, fmt::format("cannot list theme folder {}: {}",
                                                               dir.string(), ec.message()));
    }
    return files;
}

// The blogs as last read from the store, with the generation each had then.
struct LoadedBlogs {
    std::vector<model::Blog> blogs;
    std::map<std::int64_t, std::uint64_t> generations;
};

// The store the request being answered on this thread reads from (PublicSite::with_reads),
// and whether a read of it failed in the database: handlers run start to end on one worker
// thread.
class ReadsScope;
thread_local ReadsScope* t_reads = nullptr;

std::uint64_t next_site_instance() {
    static std::atomic<std::uint64_t> count{0};
    return ++count;
}

class ReadsScope {
public:
    explicit ReadsScope(store::Store& store) : store_(store), previous_(t_reads) { t_reads = this; }
    ~ReadsScope() { t_reads = previous_; }
    ReadsScope(const ReadsScope&) = delete;
    ReadsScope& operator=(const ReadsScope&) = delete;

    store::Store& store() const { return store_; }
    // The page failed on a database error (PublicSite::server_error says so).
    void database_failed() { database_failed_ = true; }
    bool failed_in_database() const { return database_failed_; }

private:
    store::Store& store_;
    ReadsScope* previous_;
    bool database_failed_ = false;
};

class PublicSite final : public Site {
public:
    PublicSite(store::Store& store, SiteOptions options, comments::FormStamps stamps)
        : store_(store),
          options_(std::move(options)),
          guards_{
              .stamps = std::move(stamps),
              .rate_limit = comments::RateLimit(comments::RateLimits{}, options_.comment_ledger)} {}

    // Reads the blogs (and loads the themes they use) afresh: settings changed in the admin
    // and blogs added by `carnet blog add` show without a restart. Requests in flight keep the
    // list they started with.
    model::Status load() override { return reload(); }

    void register_routes(http::Router& router) override {
        const auto get = [&](std::string pattern, auto member) {
            router.add("GET", std::move(pattern),
                       [this, member](const Request& request, const RouteParams& params) {
                           const auto blog = blog_for(request.host);
                           if (blog == nullptr) return unknown_host();
                           auto response = with_reads(
                               *blog, [&] { return (this->*member)(*blog, request, params); });
                           date_page(*blog, request, response);
                           return response;
                       });
        };
        get("/theme/style.css", &PublicSite::stylesheet);
        get("/theme/{script}.js", &PublicSite::script);
        get("/theme/{icon}.svg", &PublicSite::icon);
        // Browsers ask for /favicon.ico when a page names no icon (a feed, an image); readers'
        // tools too. The theme's icon answers.
        get("/favicon.ico", &PublicSite::favicon);
        get("/", &PublicSite::home);
        get("/page/{page}/", &PublicSite::home);
        get("/archive/{year}/page/{page}/", &PublicSite::year_archive);
        get("/archive/{year}/", &PublicSite::year_archive);
        get("/archive/{year}/{month}/page/{page}/", &PublicSite::month_archive);
        get("/archive/{year}/{month}/", &PublicSite::month_archive);
        get("/archive/{year}/{month}/{day}/page/{page}/", &PublicSite::day_archive);
        get("/archive/{year}/{month}/{day}/", &PublicSite::day_archive);
        get("/archive/{year}/{month}/{day}/{slug}.html", &PublicSite::post);
        router.add("POST", "/archive/{year}/{month}/{day}/{slug}.html",
                   [this](const Request& request, const RouteParams& params) {
                       const auto blog = blog_for(request.host);
                       if (blog == nullptr) return unknown_host();
                       return post_comment(*blog, request, params);
                   });
        get("/list/{slug}/page/{page}/", &PublicSite::category);
        get("/list/{slug}/", &PublicSite::category);
        // The old service's month archives: index.html is page 1, index-2.html page 2.
        get("/archives/{year}/{month}/index.html", &PublicSite::old_month_archive);
        get("/archives/{year}/{month}/index-{page}.html", &PublicSite::old_month_archive);
        for (const auto format : k_feed_formats) {
            const auto file = std::string(feed_file(format));
            const auto answer = [this, format](const Request& request, const RouteParams& params) {
                const auto blog = blog_for(request.host);
                if (blog == nullptr) return unknown_host();
                return with_reads(*blog, [&] { return feed(*blog, request, params, format); });
            };
            router.add("GET", "/" + file, answer);
            router.add("GET", "/list/{slug}/" + file, answer);
        }
        // The old service's only feed.
        router.add("GET", "/index.rss",
                   [](const Request&, const RouteParams&) { return redirect("/rss.xml"); });
        get("/media/{file}", &PublicSite::media_file);
        get("/comments/atom.xml", &PublicSite::comments_feed);
        get("/{slug}.html", &PublicSite::static_page);
        get("/archive/{year}/{month}/{day}/{slug}/comments.xml", &PublicSite::comments_feed);
        get("/sitemap.xml", &PublicSite::sitemap);
        get("/sitemap-{number}.xml", &PublicSite::sitemap);
        get("/robots.txt", &PublicSite::robots);
        get("/search", &PublicSite::search);
        router.set_fallback([this](const Request& request, const RouteParams&) {
            const auto blog = blog_for(request.host);
            if (blog == nullptr) return unknown_host();
            // Addresses of another host's scheme (WordPress's /2017/10/04/slug/) that an
            // import recorded lead to the post.
            return with_reads(*blog, [&] {
                auto moved = reads().redirects().find_post_redirect(blog->id, request.path);
                if (!moved) return server_error(*blog, moved.error());
                if (moved->has_value()) return redirect(model::post_path(*blog, **moved));
                return not_found(*blog, request);
            });
        });
    }

    http::CachePolicy cache_policy() override {
        // Runs on every GET before the server has copied anything out of the request: it
        // writes the key into the server's string and allocates nothing once that has grown.
        return [this](const http::RequestHead& request,
                      std::string& key) -> std::optional<std::uint64_t> {
            if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
            // Search pages are answered fresh: every query is a new key, and caching them
            // would let anyone fill the cache with junk.
            if (request.path == "/search") return std::nullopt;
            const auto& loaded = blogs_seen();
            const auto* blog = model::blog_for_host(loaded->blogs, request.host);
            if (blog == nullptr) return std::nullopt;
            std::int64_t blog_id = blog->id;
            bool has_base_url = !blog->base_url.empty();
            std::uint64_t generation = store_.generation(blog_id);
            if (generation != loaded->generations.at(blog_id)) {
                // Settings may have changed with the data: the page must be keyed after the
                // blogs are read again, as a render reads them.
                const auto fresh = blog_for(request.host);
                if (fresh == nullptr) return std::nullopt;
                blog_id = fresh->id;
                has_base_url = !fresh->base_url.empty();
                generation = store_.generation(blog_id);
            }
            // A post page carries its comment form's stamp, the time it was served: it is
            // rendered again each minute, so that a stamp is never much older than the page.
            const bool post = is_post_path(request.path);
            const fmt::format_int minute(post ? now().time_since_epoch().count() / 60 : 0);
            std::string_view stamp;
            if (post) {
                stamp = std::string_view(minute.data(), minute.size());
                // The HTML page and the ActivityStreams object share the address, never the
                // cached answer.
                if (options_.post_object && asks_for_activity(request.header("accept"))) {
                    stamp = "as";
                }
            }
            // Without a configured base URL, pages carry absolute links made from the Host
            // header: two hosts must never share them.
            // Appended, not formatted: fmt's parse of a format string was 1% of a hit.
            const fmt::format_int id(blog_id);
            key.append(id.data(), id.size());
            key += '\n';
            if (!has_base_url) {
                key += request_host(request.header("host"), request.host);
                key += '\n';
            }
            key += request.target;
            key += '\n';
            key += stamp;
            return generation;
        };
    }

private:
    // The store this request's public reads go to: the one with_reads chose, else the
    // primary (a comment sent, which must read what it wrote).
    store::Store& reads() const { return t_reads != nullptr ? t_reads->store() : store_; }

    // Answers with reads from the replica when the router says it is fresh for the blog;
    // answers again from the primary when the replica failed meanwhile.
    template <typename Answer>
    Response with_reads(const model::Blog& blog, Answer&& answer) const {
        auto* router = options_.read_router.get();
        if (router == nullptr) return answer();
        auto& chosen = router->reads_for(blog.id);
        Response response;
        bool replica_failed = false;
        {
            ReadsScope scope(chosen);
            response = answer();
            // Only the database's failure is the replica's: a page that fails otherwise (a
            // theme, a file) would fail the same on the primary, at twice the cost.
            replica_failed =
                response.status >= 500 && scope.failed_in_database() && router->is_replica(chosen);
        }
        if (replica_failed) {
            router->replica_failed();
            spdlog::warn("the read replica failed; blog {} reads from the primary for now",
                         blog.id);
            ReadsScope scope(store_);
            response = answer();
        }
        return response;
    }

    // The list of blogs as this thread last saw it, loaded again only once reload() has stored
    // a new one: the cache policy asks on every request, and loading the shared list takes a
    // lock (libstdc++'s atomic shared_ptr) and a count that every thread writes.
    const std::shared_ptr<const LoadedBlogs>& blogs_seen() const {
        thread_local struct {
            std::uint64_t site = 0;
            std::uint64_t version = 0;
            std::shared_ptr<const LoadedBlogs> blogs;
        } seen;
        const auto version = blogs_version_.load(std::memory_order_acquire);
        if (seen.site != instance_ || seen.version != version || !seen.blogs) {
            seen.blogs = blogs_.load();
            seen.site = instance_;
            seen.version = version;
        }
        return seen.blogs;
    }

    // The blog that answers `host`, sharing ownership of the list it was found in.
    std::shared_ptr<const model::Blog> blog_for(std::string_view host) const {
        auto loaded = blogs_.load();
        auto found = find_blog(loaded, host);
        // Settings changed since the list was read (every write to a blog bumps its
        // generation): read it again before the page is rendered and cached with old ones.
        if (found && store_.generation(found->id) != loaded->generations.at(found->id)) {
            if (auto reloaded = reload(); !reloaded) {
                spdlog::warn("cannot reload the blogs: {}", reloaded.error().message);
            }
            loaded = blogs_.load();
            found = find_blog(loaded, host);
        }
        return found;
    }

    static std::shared_ptr<const model::Blog> find_blog(
        const std::shared_ptr<const LoadedBlogs>& loaded, std::string_view host) {
        // The blog without a host name (the store allows one) answers every host no other
        // blog claims; so does a lone blog, so that a fresh install works on any address.
        const auto* blog = model::blog_for_host(loaded->blogs, host);
        if (blog == nullptr) return nullptr;
        return {loaded, blog};
    }

    // Reads the blogs (and loads the themes they use) afresh: settings changed in the admin
    // and blogs added by `carnet blog add` show without a restart. Requests in flight keep
    // the list they started with.
    model::Status reload() const {
        std::scoped_lock reloading(reload_mutex_);
        // Generations are read before the blogs, so that a write racing with the read leaves
        // a list that already looks stale, never one that looks fresh. A blog new to the list
        // gets generation 0: it is read again at its first request.
        std::map<std::int64_t, std::uint64_t> generations;
        if (auto previous = blogs_.load()) {
            for (const auto& blog : previous->blogs)
                generations[blog.id] = store_.generation(blog.id);
        }
        auto blogs = store_.blogs().list_blogs();
        if (!blogs) return std::unexpected(blogs.error());
        if (blogs->empty()) {
            return model::fail(model::Error::Code::not_found,
                               "the database holds no blog (create one with `carnet init`)");
        }
        {
            std::unique_lock lock(themes_mutex_);
            for (const auto& blog : *blogs) {
                if (themes_.contains(blog.theme)) continue;
                auto theme = theme::Theme::load(options_.themes_dir, blog.theme);
                if (!theme) return std::unexpected(theme.error());
                auto scripts = load_theme_files(options_.themes_dir / blog.theme, ".js");
                if (!scripts) return std::unexpected(scripts.error());
                auto icons = load_theme_files(options_.themes_dir / blog.theme, ".svg");
                if (!icons) return std::unexpected(icons.error());
                themes_.emplace(blog.theme, std::move(*theme));
                theme_scripts_.emplace(blog.theme, std::move(*scripts));
                theme_icons_.emplace(blog.theme, std::move(*icons));
            }
        }
        auto loaded = std::make_shared<LoadedBlogs>();
        for (const auto& blog : *blogs) {
            auto known = generations.find(blog.id);
            loaded->generations[blog.id] = known == generations.end() ? 0 : known->second;
        }
        loaded->blogs = std::move(*blogs);
        blogs_.store(std::move(loaded));
        blogs_version_.fetch_add(1, std::memory_order_release);
        return {};
    }

    // Themes are only ever added, never replaced: a reference stays valid.
    const theme::Theme& theme_of(const model::Blog& blog) const {
        std::shared_lock lock(themes_mutex_);
        return *themes_.at(blog.theme);
    }

    // The raw Host header (with its port) when it looks like a host; the parsed host
    // otherwise. It ends up in links, so nothing but host characters gets through.
    static std::string_view request_host(std::string_view raw, std::string_view parsed) {
        const bool plausible =
            !raw.empty() && raw.size() <= 255 && std::all_of(raw.begin(), raw.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                       c == ':' || c == '[' || c == ']';
            });
        if (plausible) return raw;
        return parsed.empty() ? "localhost" : parsed;
    }

    static std::string request_host(const Request& request) {
        return std::string(request_host(request.header("host"), request.host));
    }

    // Where absolute links point: the blog's base URL, or the address the reader used.
    static std::string base_url(const model::Blog& blog, const Request& request) {
        if (!blog.base_url.empty()) {
            std::string url = blog.base_url;
            while (url.ends_with('/')) url.pop_back();
            return url;
        }
        return "http://" + request_host(request);
    }

    std::string feed_title(const model::Blog& blog, const model::Category* category) const {
        return category == nullptr ? blog.title
                                   : fmt::format("{} — {}", blog.title, category->name);
    }

    theme::PageContext page_context(const model::Blog& blog, const Request& request,
                                    std::string path,
                                    const std::optional<model::Category>& category = {}) const {
        theme::PageContext context{.base_url = base_url(blog, request),
                                   .path = std::move(path),
                                   .edit_uri = options_.writer_apps,
                                   .webmention = options_.webmention_endpoint};
        const auto add_feeds = [&](const std::string& prefix, const model::Category* of) {
            for (const auto format : k_feed_formats) {
                std::string type(feed_content_type(format));
                type = type.substr(0, type.find(';'));
                context.feeds.push_back(theme::FeedLink{
                    .title = fmt::format("{} ({})", feed_title(blog, of), feed_label(format)),
                    .type = std::move(type),
                    .url = context.base_url + prefix + std::string(feed_file(format))});
            }
        };
        add_feeds("/", nullptr);
        if (category) add_feeds(model::category_path(category->slug), &*category);
        context.feeds.push_back(theme::FeedLink{.title = comments_feed_title(blog),
                                                .type = "application/atom+xml",
                                                .url = context.base_url + "/comments/atom.xml"});
        return context;
    }

    std::string comments_feed_title(const model::Blog& blog) const {
        return fmt::format("{} — {}", blog.title, theme_of(blog).text(blog.locale, "Comments"));
    }

    // A static page at /<slug>.html.
    Response static_page(const model::Blog& blog, const Request& request,
                         const RouteParams& params) const {
        auto found = reads().pages().find_published_page(blog.id, param(params, "slug"));
        if (!found) return server_error(blog, found.error());
        if (!found->has_value()) return not_found(blog, request);
        auto side = sidebar(blog);
        if (!side) return server_error(blog, side.error());
        return html(200, theme_of(blog).render_page(
                             blog, **found, **side,
                             page_context(blog, request, model::page_path((*found)->slug))));
    }

    // The latest approved comments of the blog, or of one post, as an Atom feed.
    Response comments_feed(const model::Blog& blog, const Request& request,
                           const RouteParams& params) const {
        constexpr int k_feed_comments = 50;
        FeedInfo info{.base_url = base_url(blog, request),
                      .title = comments_feed_title(blog),
                      .html_path = "/",
                      .self_path = "/comments/atom.xml"};
        std::vector<FeedComment> items;
        if (auto slug = param(params, "slug"); !slug.empty()) {
            if (!archive_date(params, true, true)) return not_found(blog, request);
            auto found = reads().posts().find_published_post(blog.id, slug);
            if (!found) return server_error(blog, found.error());
            if (!found->has_value()) return not_found(blog, request);
            const auto& post = **found;
            info.html_path = model::post_path(blog, post);
            info.self_path = info.html_path.substr(0, info.html_path.size() - 5) + "/comments.xml";
            if (request.path != info.self_path) return not_found(blog, request);
            info.title =
                fmt::format("{} — {}", post.title, theme_of(blog).text(blog.locale, "Comments"));
            auto comments = reads().comments().approved_comments(blog.id, post.id);
            if (!comments) return server_error(blog, comments.error());
            for (auto it = comments->rbegin();
                 it != comments->rend() && static_cast<int>(items.size()) < k_feed_comments; ++it) {
                items.push_back(FeedComment{*it, post});
            }
        } else {
            auto comments = reads().comments().comments(
                blog.id, {.status = model::CommentStatus::approved, .limit = k_feed_comments});
            if (!comments) return server_error(blog, comments.error());
            std::map<std::int64_t, model::Post> posts;
            for (const auto& comment : comments->comments) {
                if (!posts.contains(comment.post_id)) {
                    auto post = reads().posts().find_post_by_id(blog.id, comment.post_id);
                    if (!post) return server_error(blog, post.error());
                    // Comments of a post taken off the blog leave its feed with it.
                    if (!*post || (*post)->status != model::PostStatus::published) continue;
                    posts.emplace(comment.post_id, std::move(**post));
                }
                items.push_back(FeedComment{comment, posts.at(comment.post_id)});
            }
        }
        Response response;
        response.content_type = std::string(feed_content_type(FeedFormat::atom));
        response.body = render_comments_feed(blog, info, items);
        response.cacheable = true;
        return response;
    }

    static Response unknown_host() {
        Response response;
        response.status = 404;
        response.content_type = "text/plain; charset=utf-8";
        response.body = "No blog is served at this address.\n";
        return response;
    }

    // The detail goes to the log; the reader gets a short page in the blog's language.
    Response server_error(const model::Blog& blog, const model::Error& error) const {
        spdlog::error("blog {}: {}", blog.id, error.message);
        if (t_reads != nullptr && error.code == model::Error::Code::database) {
            t_reads->database_failed();
        }
        Response response;
        response.status = 500;
        response.body = fmt::format(
            "<!doctype html><title>500</title><p>{}</p>\n",
            theme_of(blog).text(
                blog.locale,
                "Sorry, something went wrong on our side. Please try again in a moment."));
        return response;
    }

    Response html(int status, std::string body) const {
        Response response;
        response.status = status;
        response.body = std::move(body);
        response.cacheable = true;
        return response;
    }

    // The sidebar is the same on every page of a blog and costs aggregate queries over all its
    // posts, so it is computed once per contents generation of the blog and shared: a comment
    // (the most frequent write on a read blog) moves the generation, not the contents one.
    model::Result<std::shared_ptr<const theme::Sidebar>> sidebar(const model::Blog& blog) const {
        // Read before the queries: a write racing with them leaves an entry that is already
        // stale, never one that looks fresh.
        const auto generation = store_.generation(blog.id);
        CachedSidebar cached;
        {
            std::scoped_lock lock(sidebars_mutex_);
            auto found = sidebars_.find(blog.id);
            if (found != sidebars_.end()) {
                if (found->second.generation == generation) return found->second.sidebar;
                cached = found->second;
            }
        }
        auto contents = reads().blogs().contents_generation(blog.id);
        if (!contents) return std::unexpected(contents.error());
        const auto keep = [&](std::shared_ptr<const theme::Sidebar> sidebar) {
            std::scoped_lock lock(sidebars_mutex_);
            sidebars_[blog.id] = CachedSidebar{generation, *contents, blog, sidebar};
            return sidebar;
        };
        auto sidebar = std::make_shared<theme::Sidebar>();
        // What the theme may take from the kept sidebar: only what it made for these settings.
        const theme::Sidebar* previous =
            cached.sidebar && cached.blog == blog ? cached.sidebar.get() : nullptr;
        if (cached.sidebar && cached.contents_generation == *contents) {
            if (cached.blog == blog) return keep(cached.sidebar);
            // Only the blog's settings changed: the sidebar lists the same, in a new view.
            sidebar->categories = cached.sidebar->categories;
            sidebar->months = cached.sidebar->months;
            sidebar->recent_posts = cached.sidebar->recent_posts;
            sidebar->pages = cached.sidebar->pages;
        } else {
            auto listed = sidebar_contents(blog.id, *sidebar);
            if (!listed) return std::unexpected(listed.error());
            // New contents often list the same (a draft saved, an old post edited): then
            // the prepared view is kept, and only the queries were paid.
            if (cached.sidebar && cached.blog == blog &&
                shows_the_same(*cached.sidebar, *sidebar)) {
                return keep(cached.sidebar);
            }
        }
        theme_of(blog).prepare_sidebar(blog, *sidebar, previous);
        return keep(sidebar);
    }

    // What the sidebar lists, from the store.
    [[nodiscard]] model::Status sidebar_contents(std::int64_t blog_id,
                                                 theme::Sidebar& sidebar) const {
        auto categories = reads().categories().categories_with_counts(blog_id);
        if (!categories) return std::unexpected(categories.error());
        auto months = reads().posts().months_with_counts(blog_id);
        if (!months) return std::unexpected(months.error());
        auto recent = reads().posts().published_posts(
            blog_id, store::PostQuery{
                         .limit = k_recent_posts, .with_body = false, .with_categories = false});
        if (!recent) return std::unexpected(recent.error());
        auto pages = reads().pages().pages(blog_id, true);
        if (!pages) return std::unexpected(pages.error());
        sidebar.categories = std::move(*categories);
        sidebar.months = std::move(*months);
        sidebar.recent_posts = std::move(recent->posts);
        sidebar.pages = std::move(*pages);
        return {};
    }

    // Whether two sidebars of one blog show the same things: the fields the themes read.
    static bool shows_the_same(const theme::Sidebar& shown, const theme::Sidebar& fresh) {
        return std::ranges::equal(shown.categories, fresh.categories,
                                  [](const auto& a, const auto& b) {
                                      return a.name == b.name && a.slug == b.slug &&
                                             a.post_count == b.post_count;
                                  }) &&
               std::ranges::equal(shown.months, fresh.months,
                                  [](const auto& a, const auto& b) {
                                      return a.year == b.year && a.month == b.month &&
                                             a.post_count == b.post_count;
                                  }) &&
               std::ranges::equal(shown.recent_posts, fresh.recent_posts,
                                  [](const auto& a, const auto& b) {
                                      return a.id == b.id && a.title == b.title &&
                                             a.slug == b.slug && a.published_at == b.published_at;
                                  }) &&
               std::ranges::equal(shown.pages, fresh.pages, [](const auto& a, const auto& b) {
                   return a.id == b.id && a.title == b.title && a.slug == b.slug;
               });
    }

    Response not_found(const model::Blog& blog, const Request& request) const {
        auto side = sidebar(blog);
        if (!side) return server_error(blog, side.error());
        return html(404, theme_of(blog).render_not_found(
                             blog, **side, page_context(blog, request, request.path)));
    }

    Response stylesheet(const model::Blog& blog, const Request&, const RouteParams&) const {
        Response response;
        response.content_type = "text/css; charset=utf-8";
        response.body = theme_of(blog).stylesheet();
        response.cacheable = true;
        return response;
    }

    Response script(const model::Blog& blog, const Request& request,
                    const RouteParams& params) const {
        const auto& scripts = [&]() -> const ThemeFiles& {
            std::shared_lock lock(themes_mutex_);
            return theme_scripts_.at(blog.theme);
        }();
        const auto found = scripts.find(param(params, "script"));
        if (found == scripts.end()) return not_found(blog, request);
        Response response;
        response.content_type = "text/javascript; charset=utf-8";
        response.body = found->second;
        response.cacheable = true;
        return response;
    }

    const ThemeFiles& icons_of(const model::Blog& blog) const {
        std::shared_lock lock(themes_mutex_);
        return theme_icons_.at(blog.theme);
    }

    Response icon(const model::Blog& blog, const Request& request,
                  const RouteParams& params) const {
        const auto& icons = icons_of(blog);
        const auto found = icons.find(param(params, "icon"));
        if (found == icons.end()) return not_found(blog, request);
        Response response;
        response.content_type = "image/svg+xml";
        response.body = found->second;
        response.cacheable = true;
        return response;
    }

    Response favicon(const model::Blog& blog, const Request& request, const RouteParams&) const {
        if (!icons_of(blog).contains("favicon")) return not_found(blog, request);
        return redirect("/theme/favicon.svg");
    }

    // Renders one page of a listing, or 404 past its last page (an empty blog's home page
    // is still a page).
    Response listing(const model::Blog& blog, const Request& request, theme::Listing listing,
                     store::PostQuery query, const RouteParams& params) const {
        int page = 1;
        if (auto text = param(params, "page"); !text.empty()) {
            auto number = parse_number(text);
            if (!number || *number < 1 || *number > k_max_page) return not_found(blog, request);
            if (*number == 1) return redirect(listing.base_path);
            page = *number;
        }
        query.limit = blog.posts_per_page;
        query.offset = (page - 1) * blog.posts_per_page;
        auto posts = reads().posts().published_posts(blog.id, query);
        if (!posts) return server_error(blog, posts.error());
        const int page_count =
            std::max(1, (posts->total + blog.posts_per_page - 1) / blog.posts_per_page);
        if (page > page_count) return not_found(blog, request);
        if (posts->total == 0 && listing.kind != theme::ListingKind::home)
            return not_found(blog, request);
        auto side = sidebar(blog);
        if (!side) return server_error(blog, side.error());
        listing.posts = std::move(posts->posts);
        listing.page = page;
        listing.page_count = page_count;
        const std::optional<model::Category> category = listing.kind == theme::ListingKind::category
                                                            ? std::optional(listing.category)
                                                            : std::nullopt;
        const auto context =
            page_context(blog, request, page_path(listing.base_path, page), category);
        return html(200, theme_of(blog).render_listing(blog, listing, **side, context));
    }

    Response home(const model::Blog& blog, const Request& request,
                  const RouteParams& params) const {
        return listing(blog, request,
                       theme::Listing{.kind = theme::ListingKind::home, .base_path = "/"},
                       store::PostQuery{}, params);
    }

    // The year, month and day of an archive URL, when they name a real date.
    struct ArchiveDate {
        int year = 0;
        int month = 0;
        int day = 0;
    };
    static std::optional<ArchiveDate> archive_date(const RouteParams& params, bool with_month,
                                                   bool with_day) {
        ArchiveDate date;
        auto year = parse_number(param(params, "year"), 4);
        if (!year) return {};
        date.year = *year;
        if (with_month) {
            auto month = parse_number(param(params, "month"), 2);
            if (!month || *month < 1 || *month > 12) return {};
            date.month = *month;
        }
        if (with_day) {
            auto day = parse_number(param(params, "day"), 2);
            using namespace std::chrono;
            if (!day || !year_month_day{std::chrono::year{date.year},
                                        std::chrono::month{static_cast<unsigned>(date.month)},
                                        std::chrono::day{static_cast<unsigned>(*day)}}
                             .ok()) {
                return {};
            }
            date.day = *day;
        }
        return date;
    }

    Response year_archive(const model::Blog& blog, const Request& request,
                          const RouteParams& params) const {
        auto date = archive_date(params, false, false);
        if (!date) return not_found(blog, request);
        return listing(blog, request,
                       theme::Listing{.kind = theme::ListingKind::year,
                                      .year = date->year,
                                      .base_path = model::year_path(date->year)},
                       store::PostQuery{.year = date->year}, params);
    }

    Response month_archive(const model::Blog& blog, const Request& request,
                           const RouteParams& params) const {
        auto date = archive_date(params, true, false);
        if (!date) return not_found(blog, request);
        return listing(blog, request,
                       theme::Listing{.kind = theme::ListingKind::month,
                                      .year = date->year,
                                      .month = date->month,
                                      .base_path = model::month_path(date->year, date->month)},
                       store::PostQuery{.year = date->year, .month = date->month}, params);
    }

    Response day_archive(const model::Blog& blog, const Request& request,
                         const RouteParams& params) const {
        auto date = archive_date(params, true, true);
        if (!date) return not_found(blog, request);
        return listing(
            blog, request,
            theme::Listing{.kind = theme::ListingKind::day,
                           .year = date->year,
                           .month = date->month,
                           .day = date->day,
                           .base_path = model::day_path(date->year, date->month, date->day)},
            store::PostQuery{.year = date->year, .month = date->month, .day = date->day}, params);
    }

    Response category(const model::Blog& blog, const Request& request,
                      const RouteParams& params) const {
        auto found = reads().categories().find_category(blog.id, param(params, "slug"));
        if (!found) return server_error(blog, found.error());
        if (!found->has_value()) {
            // A renamed or merged category keeps its old links.
            auto moved = reads().redirects().find_category_redirect(blog.id, param(params, "slug"));
            if (!moved) return server_error(blog, moved.error());
            if (!moved->has_value()) return not_found(blog, request);
            return redirect(model::category_path((*moved)->slug));
        }
        const auto& category = **found;
        return listing(blog, request,
                       theme::Listing{.kind = theme::ListingKind::category,
                                      .category = category,
                                      .base_path = model::category_path(category.slug)},
                       store::PostQuery{.category_id = category.id}, params);
    }

    Response post(const model::Blog& blog, const Request& request,
                  const RouteParams& params) const {
        if (!archive_date(params, true, true)) return not_found(blog, request);
        auto found = reads().posts().find_published_post(blog.id, param(params, "slug"));
        if (!found) return server_error(blog, found.error());
        if (!found->has_value()) {
            // A post whose slug or date changed keeps its old address.
            auto moved = reads().redirects().find_post_redirect(blog.id, request.path);
            if (!moved) return server_error(blog, moved.error());
            if (!moved->has_value()) return not_found(blog, request);
            return redirect(model::post_path(blog, **moved));
        }
        const auto& post = **found;
        // A link with the wrong date still finds its post, at its one true address.
        const auto canonical = model::post_path(blog, post);
        const auto requested =
            fmt::format("/archive/{}/{}/{}/{}.html", param(params, "year"), param(params, "month"),
                        param(params, "day"), param(params, "slug"));
        if (requested != canonical) return redirect(canonical);
        if (options_.post_object && asks_for_activity(request.header("accept"))) {
            Response response;
            response.content_type = std::string(k_activity_json);
            response.body = options_.post_object(blog, post, request);
            response.headers = {{"Vary", "Accept"}, {"Access-Control-Allow-Origin", "*"}};
            response.cacheable = true;
            return response;
        }
        auto section = comments_section(reads(), blog, post, request, guards_, now());
        if (!section) return server_error(blog, section.error());
        if (!options_.comment_form) {
            section->open = false;
            section->stamp.clear();
        }
        return post_page(200, blog, post, request, *section);
    }

    Response post_page(int status, const model::Blog& blog, const model::Post& post,
                       const Request& request, const theme::CommentsSection& section) const {
        auto side = sidebar(blog);
        if (!side) return server_error(blog, side.error());
        auto context = page_context(blog, request, model::post_path(blog, post));
        if (options_.post_object) context.activity_object = context.base_url + context.path;
        auto response =
            html(status, theme_of(blog).render_post(blog, post, **side, context, section));
        if (options_.post_object) response.headers.emplace_back("Vary", "Accept");
        return response;
    }

    // A comment sent through a post's form: stored (then back to the post, at the comment
    // when it shows at once) or refused with the form shown again. Held and spam comments
    // get the same answer, so a spammer learns nothing from it.
    Response post_comment(const model::Blog& blog, const Request& request,
                          const RouteParams& params) const {
        auto found = reads().posts().find_published_post(blog.id, param(params, "slug"));
        if (!found) return server_error(blog, found.error());
        if (!found->has_value() || request.path != model::post_path(blog, **found)) {
            return not_found(blog, request);
        }
        const auto& post = **found;
        const auto at = now();
        if (!comments_open(blog, post, at)) {
            auto section = comments_section(store_, blog, post, Request{}, guards_, at);
            if (!section) return server_error(blog, section.error());
            return post_page(403, blog, post, request, *section);
        }
        auto outcome = receive_comment(
            store_, blog, post, request, guards_, at,
            [&](std::string_view msgid) { return theme_of(blog).text(blog.locale, msgid); });
        if (!outcome) return server_error(blog, outcome.error());
        if (outcome->kind == CommentOutcome::Kind::refused) {
            auto response = post_page(422, blog, post, request, outcome->section);
            response.cacheable = false;
            return response;
        }
        const auto path = model::post_path(blog, post);
        if (outcome->comment.status == model::CommentStatus::approved) {
            return see_other(
                fmt::format("{}?comment=approved#comment-{}", path, outcome->comment.id));
        }
        return see_other(path + "?comment=held#comments");
    }

    static Response see_other(std::string location) {
        Response response;
        response.status = 303;
        response.headers.emplace_back("Location", std::move(location));
        return response;
    }

    // Pages say when they last changed, for conditional requests that carry a date only
    // (If-None-Match with the ETag is the exact test; If-Modified-Since is what some feed
    // readers and caches send). A page shows the posts, comments and settings of its blog:
    // it changed when the blog's generation last did, which the site learns when it first
    // sees that generation: never earlier than the change, so a 304 is never wrong. A post
    // page with a comment form is rendered afresh each minute for its stamp: it is dated no
    // earlier than that minute. Feeds date themselves by their newest post.
    void date_page(const model::Blog& blog, const Request& request, Response& response) const {
        if (response.status != 200 || !response.content_type.starts_with("text/html")) return;
        if (std::ranges::any_of(response.headers, [](const auto& header) {
                return header.first == "Last-Modified";
            })) {
            return;
        }
        const auto generation = store_.generation(blog.id);
        model::Instant changed;
        {
            std::scoped_lock lock(changes_mutex_);
            auto& known = changes_[blog.id];
            if (known.first != generation || known.second == model::Instant{}) {
                known = {generation, now()};
            }
            changed = known.second;
        }
        if (options_.comment_form && is_post_path(request.path)) {
            const auto minute = std::chrono::floor<std::chrono::minutes>(now());
            changed = std::max(changed, model::Instant{minute});
        }
        response.headers.emplace_back("Last-Modified", text::http_date(changed));
    }

    // Whether the request asks for ActivityStreams rather than a page: Accept names
    // application/activity+json, or application/ld+json with the ActivityStreams profile.
    static bool asks_for_activity(std::string_view accept) {
        if (accept.find(k_activity_json) != std::string_view::npos) return true;
        return accept.find("application/ld+json") != std::string_view::npos &&
               accept.find("https://www.w3.org/ns/activitystreams") != std::string_view::npos;
    }

    static bool is_post_path(std::string_view path) {
        return path.starts_with("/archive/") && path.ends_with(".html");
    }

    model::Instant now() const { return options_.clock->now(); }

    // An uploaded image. Originals keep what the camera wrote (a photo's EXIF can say where it
    // was taken): only their variants, stripped of it, are public; GIFs carry no such data
    // and have no variants. The names hold the content's hash, so they never change.
    Response media_file(const model::Blog& blog, const Request& request,
                        const RouteParams& params) const {
        const auto name = param(params, "file");
        const auto parsed = media::parse_file_name(name);
        if (options_.media_dir.empty() || !parsed ||
            (!parsed->width && parsed->type != media::ImageType::gif)) {
            return not_found(blog, request);
        }
        auto record = reads().media().find_media(blog.id, name);
        if (!record) return server_error(blog, record.error());
        if (!record->has_value()) return not_found(blog, request);
        auto bytes = media::read_file(options_.media_dir, name);
        if (!bytes) return not_found(blog, request);
        Response response;
        response.content_type = std::string(media::content_type(parsed->type));
        response.body = std::move(*bytes);
        response.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
        return response;
    }

    // The latest posts of the blog, or of one category, in one of the feed formats.
    Response feed(const model::Blog& blog, const Request& request, const RouteParams& params,
                  FeedFormat format) const {
        FeedInfo info{.base_url = base_url(blog, request),
                      .title = blog.title,
                      .subtitle = blog.subtitle,
                      .html_path = "/",
                      .self_path = "/" + std::string(feed_file(format))};
        store::PostQuery query{.limit = k_feed_posts};
        if (auto slug = param(params, "slug"); !slug.empty()) {
            auto found = reads().categories().find_category(blog.id, slug);
            if (!found) return server_error(blog, found.error());
            if (!found->has_value()) return not_found(blog, request);
            const auto& category = **found;
            query.category_id = category.id;
            info.title = feed_title(blog, &category);
            info.html_path = model::category_path(category.slug);
            info.self_path = info.html_path + std::string(feed_file(format));
        }
        auto posts = reads().posts().published_posts(blog.id, query);
        if (!posts) return server_error(blog, posts.error());
        auto body = render_feed(format, blog, info, posts->posts);
        if (!body) return server_error(blog, body.error());
        Response response;
        response.content_type = std::string(feed_content_type(format));
        response.body = std::move(*body);
        response.cacheable = true;
        if (!posts->posts.empty()) {
            model::Instant newest{};
            for (const auto& post : posts->posts) {
                newest = std::max({newest, post.updated_at, post.published_at});
            }
            response.headers.emplace_back("Last-Modified", text::http_date(newest));
        }
        return response;
    }

    // Home, categories, month archives, then every post: /sitemap.xml alone while they fit in
    // one sitemap, else an index of /sitemap-N.xml files of at most sitemap_max_urls each.
    Response sitemap(const model::Blog& blog, const Request& request,
                     const RouteParams& params) const {
        int number = 0;  // 0: /sitemap.xml
        if (auto text = param(params, "number"); !text.empty()) {
            auto parsed = parse_number(text);
            if (!parsed || *parsed < 1 || text.front() == '0') return not_found(blog, request);
            number = *parsed;
        }
        const auto base = base_url(blog, request);
        auto categories = reads().categories().categories_with_counts(blog.id);
        if (!categories) return server_error(blog, categories.error());
        auto months = reads().posts().months_with_counts(blog.id);
        if (!months) return server_error(blog, months.error());
        auto posts = reads().posts().published_posts(
            blog.id, store::PostQuery{.limit = std::numeric_limits<int>::max(),
                                      .with_body = false,
                                      .with_categories = false});
        if (!posts) return server_error(blog, posts.error());

        std::vector<SitemapUrl> urls;
        urls.reserve(1 + categories->size() + months->size() + posts->posts.size());
        std::optional<model::Instant> newest;
        for (const auto& post : posts->posts) {
            const auto changed = std::max(post.updated_at, post.published_at);
            if (!newest || changed > *newest) newest = changed;
        }
        urls.push_back({base + "/", newest});
        for (const auto& category : *categories) {
            urls.push_back({base + model::category_path(category.slug), std::nullopt});
        }
        for (const auto& month : *months) {
            urls.push_back({base + model::month_path(month.year, month.month), std::nullopt});
        }
        for (const auto& post : posts->posts) {
            urls.push_back({base + model::post_path(blog, post),
                            std::max(post.updated_at, post.published_at)});
        }

        const auto limit = static_cast<std::size_t>(std::max(1, options_.sitemap_max_urls));
        const auto count = static_cast<int>((urls.size() + limit - 1) / limit);
        Response response;
        response.content_type = "application/xml; charset=utf-8";
        response.cacheable = true;
        if (count <= 1) {
            if (number != 0) return not_found(blog, request);
            response.body = render_sitemap(urls);
        } else if (number == 0) {
            response.body = render_sitemap_index(base, count);
        } else {
            if (number > count) return not_found(blog, request);
            const auto first = static_cast<std::size_t>(number - 1) * limit;
            const auto last = std::min(urls.size(), first + limit);
            response.body = render_sitemap(
                std::vector<SitemapUrl>(urls.begin() + static_cast<std::ptrdiff_t>(first),
                                        urls.begin() + static_cast<std::ptrdiff_t>(last)));
        }
        return response;
    }

    Response robots(const model::Blog& blog, const Request& request, const RouteParams&) const {
        Response response;
        response.content_type = "text/plain; charset=utf-8";
        response.body = fmt::format("User-agent: *\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
                                    base_url(blog, request));
        response.cacheable = true;
        return response;
    }

    // /search?q=...&page=N. Any query gives a page: what the store cannot read it searches as
    // plain words, and a query it refuses shows no results rather than an error.
    Response search(const model::Blog& blog, const Request& request, const RouteParams&) const {
        theme::SearchPage page;
        page.query = request.query_param("q").value_or("");
        if (page.query.size() > k_max_query_bytes) {
            std::size_t cut = k_max_query_bytes;
            // Back up to the start of a UTF-8 sequence so the echo stays valid text.
            while (cut > 0 && (static_cast<unsigned char>(page.query[cut]) & 0xC0) == 0x80) --cut;
            page.query.resize(cut);
        }
        const bool blank = page.query.find_first_not_of(" \t\r\n") == std::string::npos;
        if (blank) page.query.clear();
        if (auto text = request.query_param("page"); text && !text->empty()) {
            auto number = parse_number(*text);
            if (number && *number >= 1 && *number <= k_max_page) page.page = *number;
        }
        if (!page.query.empty()) {
            auto results = reads().search().search(
                blog.id, store::SearchQuery{.text = page.query,
                                            .offset = (page.page - 1) * blog.posts_per_page,
                                            .limit = blog.posts_per_page});
            if (!results && results.error().code != model::Error::Code::invalid_input) {
                return server_error(blog, results.error());
            }
            if (results) {
                page.total = results->total;
                page.more = results->more;
                page.page_count =
                    std::max(1, (results->total + blog.posts_per_page - 1) / blog.posts_per_page);
                page.hits.reserve(results->hits.size());
                for (auto& hit : results->hits) {
                    page.hits.push_back(theme::SearchHit{.post = std::move(hit.post),
                                                         .passage = std::move(hit.passage),
                                                         .matches = std::move(hit.matches)});
                }
            }
        }
        auto side = sidebar(blog);
        if (!side) return server_error(blog, side.error());
        Response response;
        response.body = theme_of(blog).render_search(blog, page, **side,
                                                     page_context(blog, request, "/search"));
        response.cacheable = false;
        return response;
    }

    Response old_month_archive(const model::Blog& blog, const Request& request,
                               const RouteParams& params) const {
        auto date = archive_date(params, true, false);
        if (!date) return not_found(blog, request);
        int page = 1;
        if (auto text = param(params, "page"); !text.empty()) {
            auto number = parse_number(text);
            if (!number || *number < 1 || *number > k_max_page) return not_found(blog, request);
            page = *number;
        }
        return redirect(page_path(model::month_path(date->year, date->month), page));
    }

    store::Store& store_;
    SiteOptions options_;
    mutable std::atomic<std::shared_ptr<const LoadedBlogs>> blogs_;
    // Counts the lists stored in blogs_, for blogs_seen(); instance_ tells sites apart there.
    mutable std::atomic<std::uint64_t> blogs_version_{0};
    const std::uint64_t instance_ = next_site_instance();
    mutable std::mutex reload_mutex_;
    mutable std::shared_mutex themes_mutex_;
    mutable std::map<std::string, std::unique_ptr<theme::Theme>, std::less<>> themes_;
    mutable std::map<std::string, ThemeFiles, std::less<>> theme_scripts_;
    mutable std::map<std::string, ThemeFiles, std::less<>> theme_icons_;

    struct CachedSidebar {
        std::uint64_t generation = 0;
        std::uint64_t contents_generation = 0;  // of what it lists
        model::Blog blog;  // as it was when the sidebar was prepared: its settings shape it
        std::shared_ptr<const theme::Sidebar> sidebar;
    };
    mutable CommentGuards guards_;
    mutable std::mutex sidebars_mutex_;
    // Per blog: the generation last seen, and when it was first seen (see date_page).
    mutable std::map<std::int64_t, std::pair<std::uint64_t, model::Instant>> changes_;
    mutable std::mutex changes_mutex_;
    mutable std::map<std::int64_t, CachedSidebar> sidebars_;
};

}  // namespace

model::Result<std::unique_ptr<Site>> Site::create(store::Store& store, SiteOptions options) {
    if (options.clock == nullptr) return model::fail(model::Error::Code::invalid_input, "no clock");
    // Every process serving the database signs comment forms with the key the store keeps,
    // so that a form served by one node is accepted by another, and after a restart.
    const auto limits = comments::StampLimits{.min_age = options.comment_min_age};
    std::optional<comments::FormStamps> stamps;
    auto kept = store.write([&](store::Writer& writer) -> model::Status {
        auto key =
            writer.blogs().shared_secret("comment_stamps", comments::FormStamps::random_hex_key());
        if (!key) return std::unexpected(key.error());
        stamps = comments::FormStamps::with_hex_key(*key, limits);
        if (!stamps) {
            return model::fail(model::Error::Code::database,
                               "the key of comment stamps in the database is not a key");
        }
        return {};
    });
    if (!kept) return std::unexpected(kept.error());
    auto site = std::make_unique<PublicSite>(store, std::move(options), std::move(*stamps));
    if (auto loaded = site->load(); !loaded) return std::unexpected(loaded.error());
    return std::unique_ptr<Site>(std::move(site));
}

}  // namespace carnet::site
