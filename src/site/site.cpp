#include "site/site.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "theme/theme.hpp"

namespace carnet::site {
namespace {

using http::Request;
using http::Response;
using http::RouteParams;

constexpr int k_recent_posts = 10;
constexpr int k_max_page = 100'000;

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

class PublicSite final : public Site {
public:
    PublicSite(store::Store& store, SiteOptions options)
        : store_(store), options_(std::move(options)) {}

    model::Status load() {
        auto blogs = store_.list_blogs();
        if (!blogs) return std::unexpected(blogs.error());
        if (blogs->empty()) {
            return model::fail(model::Error::Code::not_found,
                               "the database holds no blog (create one with `carnet init`)");
        }
        blogs_ = std::move(*blogs);
        for (const auto& blog : blogs_) {
            if (themes_.contains(blog.theme)) continue;
            auto theme = theme::Theme::load(options_.themes_dir, blog.theme);
            if (!theme) return std::unexpected(theme.error());
            themes_.emplace(blog.theme, std::move(*theme));
        }
        return {};
    }

    void register_routes(http::Router& router) override {
        const auto get = [&](std::string pattern, auto member) {
            router.add("GET", std::move(pattern),
                       [this, member](const Request& request, const RouteParams& params) {
                           const auto* blog = blog_for(request.host);
                           if (blog == nullptr) return unknown_host();
                           return (this->*member)(*blog, params);
                       });
        };
        get("/theme/style.css", &PublicSite::stylesheet);
        get("/", &PublicSite::home);
        get("/page/{page}/", &PublicSite::home);
        get("/archive/{year}/page/{page}/", &PublicSite::year_archive);
        get("/archive/{year}/", &PublicSite::year_archive);
        get("/archive/{year}/{month}/page/{page}/", &PublicSite::month_archive);
        get("/archive/{year}/{month}/", &PublicSite::month_archive);
        get("/archive/{year}/{month}/{day}/page/{page}/", &PublicSite::day_archive);
        get("/archive/{year}/{month}/{day}/", &PublicSite::day_archive);
        get("/archive/{year}/{month}/{day}/{slug}.html", &PublicSite::post);
        get("/list/{slug}/page/{page}/", &PublicSite::category);
        get("/list/{slug}/", &PublicSite::category);
        // The old service's month archives: index.html is page 1, index-2.html page 2.
        get("/archives/{year}/{month}/index.html", &PublicSite::old_month_archive);
        get("/archives/{year}/{month}/index-{page}.html", &PublicSite::old_month_archive);
        router.set_fallback([this](const Request& request, const RouteParams&) {
            const auto* blog = blog_for(request.host);
            if (blog == nullptr) return unknown_host();
            return not_found(*blog);
        });
    }

    http::CachePolicy cache_policy() override {
        return [this](const Request& request) -> std::optional<http::CacheKey> {
            if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
            const auto* blog = blog_for(request.host);
            if (blog == nullptr) return std::nullopt;
            return http::CacheKey{fmt::format("{}\n{}", blog->id, request.target),
                                  store_.generation(blog->id)};
        };
    }

private:
    const model::Blog* blog_for(std::string_view host) const {
        for (const auto& blog : blogs_) {
            for (const auto& blog_host : blog.hosts) {
                if (blog_host == host) return &blog;
            }
        }
        // One blog answers every host, so a fresh install works on any address.
        return blogs_.size() == 1 ? &blogs_.front() : nullptr;
    }

    const theme::Theme& theme_of(const model::Blog& blog) const { return *themes_.at(blog.theme); }

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
    // posts, so it is computed once per generation of the blog and shared.
    model::Result<std::shared_ptr<const theme::Sidebar>> sidebar(const model::Blog& blog) const {
        // Read before the queries: a write racing with them leaves an entry that is already
        // stale, never one that looks fresh.
        const auto generation = store_.generation(blog.id);
        {
            std::scoped_lock lock(sidebars_mutex_);
            auto found = sidebars_.find(blog.id);
            if (found != sidebars_.end() && found->second.generation == generation) {
                return found->second.sidebar;
            }
        }
        auto sidebar = std::make_shared<theme::Sidebar>();
        auto categories = store_.categories_with_counts(blog.id);
        if (!categories) return std::unexpected(categories.error());
        auto months = store_.months_with_counts(blog.id);
        if (!months) return std::unexpected(months.error());
        auto recent = store_.published_posts(
            blog.id, store::PostQuery{.limit = k_recent_posts, .with_body = false});
        if (!recent) return std::unexpected(recent.error());
        sidebar->categories = std::move(*categories);
        sidebar->months = std::move(*months);
        sidebar->recent_posts = std::move(recent->posts);
        std::scoped_lock lock(sidebars_mutex_);
        sidebars_[blog.id] = CachedSidebar{generation, sidebar};
        return sidebar;
    }

    Response not_found(const model::Blog& blog) const {
        auto side = sidebar(blog);
        if (!side) return server_error(blog, side.error());
        return html(404, theme_of(blog).render_not_found(blog, **side));
    }

    Response stylesheet(const model::Blog& blog, const RouteParams&) const {
        Response response;
        response.content_type = "text/css; charset=utf-8";
        response.body = theme_of(blog).stylesheet();
        response.cacheable = true;
        return response;
    }

    // Renders one page of a listing, or 404 past its last page (an empty blog's home page
    // is still a page).
    Response listing(const model::Blog& blog, theme::Listing listing, store::PostQuery query,
                     const RouteParams& params) const {
        int page = 1;
        if (auto text = param(params, "page"); !text.empty()) {
            auto number = parse_number(text);
            if (!number || *number < 1 || *number > k_max_page) return not_found(blog);
            if (*number == 1) return redirect(listing.base_path);
            page = *number;
        }
        query.limit = blog.posts_per_page;
        query.offset = (page - 1) * blog.posts_per_page;
        auto posts = store_.published_posts(blog.id, query);
        if (!posts) return server_error(blog, posts.error());
        const int page_count =
            std::max(1, (posts->total + blog.posts_per_page - 1) / blog.posts_per_page);
        if (page > page_count) return not_found(blog);
        if (posts->total == 0 && listing.kind != theme::ListingKind::home) return not_found(blog);
        auto side = sidebar(blog);
        if (!side) return server_error(blog, side.error());
        listing.posts = std::move(posts->posts);
        listing.page = page;
        listing.page_count = page_count;
        return html(200, theme_of(blog).render_listing(blog, listing, **side));
    }

    Response home(const model::Blog& blog, const RouteParams& params) const {
        return listing(blog, theme::Listing{.kind = theme::ListingKind::home, .base_path = "/"},
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

    Response year_archive(const model::Blog& blog, const RouteParams& params) const {
        auto date = archive_date(params, false, false);
        if (!date) return not_found(blog);
        return listing(blog,
                       theme::Listing{.kind = theme::ListingKind::year,
                                      .year = date->year,
                                      .base_path = model::year_path(date->year)},
                       store::PostQuery{.year = date->year}, params);
    }

    Response month_archive(const model::Blog& blog, const RouteParams& params) const {
        auto date = archive_date(params, true, false);
        if (!date) return not_found(blog);
        return listing(blog,
                       theme::Listing{.kind = theme::ListingKind::month,
                                      .year = date->year,
                                      .month = date->month,
                                      .base_path = model::month_path(date->year, date->month)},
                       store::PostQuery{.year = date->year, .month = date->month}, params);
    }

    Response day_archive(const model::Blog& blog, const RouteParams& params) const {
        auto date = archive_date(params, true, true);
        if (!date) return not_found(blog);
        return listing(
            blog,
            theme::Listing{.kind = theme::ListingKind::day,
                           .year = date->year,
                           .month = date->month,
                           .day = date->day,
                           .base_path = model::day_path(date->year, date->month, date->day)},
            store::PostQuery{.year = date->year, .month = date->month, .day = date->day}, params);
    }

    Response category(const model::Blog& blog, const RouteParams& params) const {
        auto found = store_.find_category(blog.id, param(params, "slug"));
        if (!found) return server_error(blog, found.error());
        if (!found->has_value()) return not_found(blog);
        const auto& category = **found;
        return listing(blog,
                       theme::Listing{.kind = theme::ListingKind::category,
                                      .category = category,
                                      .base_path = model::category_path(category.slug)},
                       store::PostQuery{.category_id = category.id}, params);
    }

    Response post(const model::Blog& blog, const RouteParams& params) const {
        if (!archive_date(params, true, true)) return not_found(blog);
        auto found = store_.find_published_post(blog.id, param(params, "slug"));
        if (!found) return server_error(blog, found.error());
        if (!found->has_value()) return not_found(blog);
        const auto& post = **found;
        // A link with the wrong date still finds its post, at its one true address.
        const auto canonical = model::post_path(blog, post);
        const auto requested =
            fmt::format("/archive/{}/{}/{}/{}.html", param(params, "year"), param(params, "month"),
                        param(params, "day"), param(params, "slug"));
        if (requested != canonical) return redirect(canonical);
        auto side = sidebar(blog);
        if (!side) return server_error(blog, side.error());
        return html(200, theme_of(blog).render_post(blog, post, **side));
    }

    Response old_month_archive(const model::Blog& blog, const RouteParams& params) const {
        auto date = archive_date(params, true, false);
        if (!date) return not_found(blog);
        int page = 1;
        if (auto text = param(params, "page"); !text.empty()) {
            auto number = parse_number(text);
            if (!number || *number < 1 || *number > k_max_page) return not_found(blog);
            page = *number;
        }
        return redirect(page_path(model::month_path(date->year, date->month), page));
    }

    store::Store& store_;
    SiteOptions options_;
    std::vector<model::Blog> blogs_;
    std::map<std::string, std::unique_ptr<theme::Theme>, std::less<>> themes_;

    struct CachedSidebar {
        std::uint64_t generation = 0;
        std::shared_ptr<const theme::Sidebar> sidebar;
    };
    mutable std::mutex sidebars_mutex_;
    mutable std::map<std::int64_t, CachedSidebar> sidebars_;
};

}  // namespace

model::Result<std::unique_ptr<Site>> Site::create(store::Store& store, SiteOptions options) {
    auto site = std::make_unique<PublicSite>(store, std::move(options));
    if (auto loaded = site->load(); !loaded) return std::unexpected(loaded.error());
    return std::unique_ptr<Site>(std::move(site));
}

}  // namespace carnet::site
