#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>
#include <tuple>

#include "http/http.hpp"
#include "interop/interop.hpp"
#include "markup/markup.hpp"
#include "site/site.hpp"
#include "text/text.hpp"

namespace carnet::interop {
namespace {

namespace fs = std::filesystem;
using model::Error;

// Lists what the last build wrote, so that the next one removes only its own files.
constexpr std::string_view k_manifest_name = ".carnet-build";
constexpr std::string_view k_manifest_header =
    "# Files written by `carnet build`; the next build removes those whose page is gone.\n";
constexpr std::array<std::string_view, 3> k_feed_files{"atom.xml", "rss.xml", "feed.json"};
constexpr int k_media_batch = 500;
// Rendering threads at most: past a few, they only wait on the writer's disk.
constexpr unsigned k_max_build_threads = 4;

// One URL of the copy. An optional one is written only when the site answers it with 200
// (a media file missing on disk, a route another version of the site may not have); any
// other URL must answer 200 or the build stops.
struct Target {
    std::string path;
    bool optional = false;
    // What the site answers there: a page (200), a moved post (301: the file is a page that
    // sends the reader on) or the not-found page (404, for the web server's error page).
    int status = 200;
};

// What a copy can do in place of a 301: a page that sends the reader (and search engines,
// by its canonical link) to the new address at once.
std::string redirect_page(std::string_view location) {
    const auto escaped = text::html_escape(location);
    return fmt::format(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"refresh\" content=\"0; url={0}\">\n"
        "<link rel=\"canonical\" href=\"{0}\">\n<title>{0}</title></head>\n"
        "<body><p><a href=\"{0}\">{0}</a></p></body></html>\n",
        escaped);
}

// What the synthetic requests say about who asks: the blog is chosen by `host`, and links
// are made from `host_header` when the blog has no base URL, as for a reader's request.
struct Origin {
    std::string host;
    std::string host_header;
};

std::string without_trailing_slashes(std::string url) {
    while (url.ends_with('/')) url.pop_back();
    return url;
}

std::string lower(std::string text) {
    std::ranges::transform(text, text.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

Result<model::Blog> find_blog(store::Store& store, std::int64_t blog_id, std::size_t& blog_count) {
    auto blogs = store.blogs().list_blogs();
    if (!blogs) return std::unexpected(blogs.error());
    blog_count = blogs->size();
    if (blogs->empty()) return model::fail(Error::Code::not_found, "the database holds no blog");
    if (blog_id == 0) {
        if (blogs->size() > 1) {
            return model::fail(Error::Code::invalid_input,
                               "the database holds several blogs: say which one with --blog");
        }
        return blogs->front();
    }
    for (auto& blog : *blogs) {
        if (blog.id == blog_id) return std::move(blog);
    }
    return model::fail(Error::Code::not_found, fmt::format("there is no blog {}", blog_id));
}

// The site makes absolute links from the blog's base URL, or else from the Host header of
// the request with http://; a build can only ask for what a reader's request could get.
Result<Origin> origin_for(const model::Blog& blog, std::size_t blog_count,
                          const std::string& base_url) {
    const auto wanted = without_trailing_slashes(base_url);
    if (!blog.base_url.empty()) {
        const auto own = without_trailing_slashes(blog.base_url);
        if (!wanted.empty() && wanted != own) {
            return model::fail(
                Error::Code::invalid_input,
                fmt::format("the blog's base URL is {}: the copy would link to {} and the server "
                            "to {}; change the blog's base URL in its settings first",
                            own, wanted, own));
        }
        const auto host = blog.hosts.empty() ? std::string("localhost") : blog.hosts.front();
        return Origin{host, host};
    }
    if (wanted.empty()) {
        return model::fail(Error::Code::invalid_input,
                           "the blog has no base URL: give the address readers will use with "
                           "--base-url (absolute links in feeds and sitemaps need it)");
    }
    auto parsed = boost::urls::parse_absolute_uri(wanted);
    if (!parsed || !parsed->has_authority() || parsed->encoded_host().empty()) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("--base-url {}: not an absolute URL", base_url));
    }
    if (parsed->scheme() != "http") {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("--base-url {}: the blog has no base URL of its own, so "
                                       "its pages link over http://; for another scheme, set the "
                                       "blog's base URL in its settings",
                                       base_url));
    }
    if (!parsed->encoded_path().empty() || parsed->has_query() || parsed->has_fragment() ||
        parsed->has_userinfo()) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("--base-url {}: the pages link from the root of the host, "
                                       "so the URL can hold no path, query or user",
                                       base_url));
    }
    Origin origin{lower(std::string(parsed->encoded_host())),
                  lower(std::string(parsed->encoded_host_and_port()))};
    if (blog_count > 1 && std::ranges::find(blog.hosts, origin.host) == blog.hosts.end()) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("--base-url {}: blog {} does not answer host {}", base_url,
                                       blog.id, origin.host));
    }
    return origin;
}

// A path the copy may write: absolute, with no empty, hidden ('.', "..", the manifest, the
// temporary files) or backslashed segment, so a slug can never write outside the folder.
bool is_safe_url_path(std::string_view path) {
    if (!path.starts_with('/') || path.find('\0') != std::string_view::npos ||
        path.find('\\') != std::string_view::npos) {
        return false;
    }
    auto rest = path.substr(1);
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const auto segment = rest.substr(0, slash);
        if (segment.empty() || segment.starts_with('.')) return false;
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    return true;
}

int page_count(int posts, int posts_per_page) {
    const int per_page = std::max(1, posts_per_page);
    return std::max(1, (posts + per_page - 1) / per_page);
}

// A listing and its further pages, as the site numbers them: base, base/page/2/, ...
void add_listing(std::vector<Target>& targets, const std::string& base, int posts,
                 int posts_per_page) {
    targets.push_back({base});
    for (int page = 2; page <= page_count(posts, posts_per_page); ++page) {
        targets.push_back({fmt::format("{}page/{}/", base, page)});
    }
}

// Every URL of the blog's public site, from what the store lists.
Result<std::vector<Target>> site_targets(store::Store& store, const model::Blog& blog,
                                         const fs::path& themes_dir) {
    std::vector<Target> targets;
    targets.push_back({"/theme/style.css"});
    std::error_code ec;
    // The theme's scripts and icons (favicon.svg), as the site serves them.
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(themes_dir / blog.theme, ec)) {
        const auto extension = entry.path().extension();
        if ((extension == ".js" || extension == ".svg") && entry.is_regular_file(ec)) {
            files.push_back(entry.path().filename().string());
        }
    }
    if (ec) {
        return model::fail(Error::Code::io,
                           fmt::format("cannot list the theme folder {}: {}",
                                       (themes_dir / blog.theme).string(), ec.message()));
    }
    std::ranges::sort(files);
    for (const auto& file : files) targets.push_back({"/theme/" + file});

    auto posts = store.posts().published_posts(
        blog.id, store::PostQuery{.limit = std::numeric_limits<int>::max(), .with_body = false});
    if (!posts) return std::unexpected(posts.error());
    add_listing(targets, "/", static_cast<int>(posts->posts.size()), blog.posts_per_page);

    // Archives are counted from each post's day in the blog's time zone, as the site files
    // them; newest first, like the posts.
    std::map<int, int, std::greater<>> years;
    std::map<std::pair<int, int>, int, std::greater<>> months;
    std::map<std::tuple<int, int, int>, int, std::greater<>> days;
    for (const auto& post : posts->posts) {
        auto local = model::to_local(post.published_at, blog.time_zone);
        if (!local) return std::unexpected(local.error());
        ++years[local->year];
        ++months[{local->year, local->month}];
        ++days[{local->year, local->month, local->day}];
    }
    for (const auto& [year, count] : years) {
        add_listing(targets, model::year_path(year), count, blog.posts_per_page);
    }
    for (const auto& [month, count] : months) {
        add_listing(targets, model::month_path(month.first, month.second), count,
                    blog.posts_per_page);
    }
    for (const auto& [day, count] : days) {
        const auto [year, month, day_of_month] = day;
        add_listing(targets, model::day_path(year, month, day_of_month), count,
                    blog.posts_per_page);
    }

    auto categories = store.categories().categories_with_counts(blog.id);
    if (!categories) return std::unexpected(categories.error());
    for (const auto& category : *categories) {
        const auto base = model::category_path(category.slug);
        add_listing(targets, base, category.post_count, blog.posts_per_page);
        for (const auto file : k_feed_files) targets.push_back({base + std::string(file)});
    }

    for (const auto& post : posts->posts) {
        const auto path = model::post_path(blog, post);
        targets.push_back({path});
        // The post's comment feed, where the site has one.
        targets.push_back({path.substr(0, path.size() - 5) + "/comments.xml", true});
    }

    for (const auto file : k_feed_files) targets.push_back({"/" + std::string(file)});
    targets.push_back({"/comments/atom.xml", true});
    targets.push_back({"/sitemap.xml"});
    // Past the sitemap limit /sitemap.xml is an index of numbered parts: they are asked for
    // after the rest, one after the other until the site has no more.
    targets.push_back({"/robots.txt"});
    // The site's not-found page, for the web server to answer unknown paths with.
    targets.push_back({"/404.html", false, 404});
    // Old addresses of moved or imported posts.
    auto moved = store.redirects().post_redirect_paths(blog.id);
    if (!moved) return std::unexpected(moved.error());
    for (const auto& path : *moved) targets.push_back({path, true, 301});

    auto pages = store.pages().pages(blog.id, true);
    if (!pages) return std::unexpected(pages.error());
    for (const auto& page : *pages) targets.push_back({model::page_path(page.slug), true});

    // Which media files are public (variants, GIFs) is the site's decision: every name is
    // asked for, and only what it serves is written.
    for (int offset = 0;; offset += k_media_batch) {
        auto media = store.media().media(blog.id, offset, k_media_batch);
        if (!media) return std::unexpected(media.error());
        for (const auto& record : *media) {
            targets.push_back({"/media/" + record.file_name, true});
            for (const auto& variant : record.variants) {
                targets.push_back({"/media/" + variant.file_name, true});
            }
        }
        if (static_cast<int>(media->size()) < k_media_batch) break;
    }
    return targets;
}

// Whether `file` already holds exactly `bytes`; a missing file does not.
Result<bool> holds_bytes(const fs::path& file, std::string_view bytes) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec) return false;  // missing, or not a file: it will be written
    if (size != bytes.size()) return false;
    std::ifstream in(file, std::ios::binary);
    std::ostringstream existing;
    existing << in.rdbuf();
    if (!in && size > 0) {
        return model::fail(Error::Code::io, fmt::format("cannot read {}", file.string()));
    }
    return existing.view() == bytes;
}

// Replaces `file` with `bytes` through a temporary file in the same folder: a web server
// reading the folder meanwhile sees the old file or the new one, never half of one.
model::Status write_atomically(const fs::path& file, std::string_view bytes) {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (ec) {
        return model::fail(Error::Code::io, fmt::format("cannot create {}: {}",
                                                        file.parent_path().string(), ec.message()));
    }
    const auto temporary =
        file.parent_path() / fmt::format(".{}.{}.tmp", file.filename().string(), getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            fs::remove(temporary, ec);
            return model::fail(Error::Code::io, fmt::format("cannot write {}", temporary.string()));
        }
    }
    fs::rename(temporary, file, ec);
    if (ec) {
        const auto message = ec.message();
        fs::remove(temporary, ec);
        return model::fail(Error::Code::io,
                           fmt::format("cannot replace {}: {}", file.string(), message));
    }
    return {};
}

// The files the last build wrote, relative to the output folder. Lines that could point
// outside the folder are ignored: the manifest is a file anyone may have edited.
Result<std::set<std::string>> read_manifest(const fs::path& out_dir) {
    std::set<std::string> files;
    std::ifstream in(out_dir / k_manifest_name);
    if (!in) return files;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line.starts_with('#')) continue;
        if (is_safe_url_path("/" + line) && !line.ends_with('/')) files.insert(line);
    }
    if (in.bad()) {
        return model::fail(Error::Code::io,
                           fmt::format("cannot read {}", (out_dir / k_manifest_name).string()));
    }
    return files;
}

model::Status write_manifest(const fs::path& out_dir, const std::set<std::string>& files) {
    std::string text(k_manifest_header);
    for (const auto& file : files) text += file + "\n";
    return write_atomically(out_dir / k_manifest_name, text);
}

// Removes a file of an earlier build, then the folders it leaves empty (a deleted post's day
// folder), never the output folder itself. Returns whether there was a file.
Result<bool> remove_stale(const fs::path& out_dir, const std::string& relative) {
    std::error_code ec;
    const auto file = out_dir / relative;
    const bool removed = fs::remove(file, ec);
    if (ec) {
        return model::fail(Error::Code::io,
                           fmt::format("cannot remove {}: {}", file.string(), ec.message()));
    }
    for (auto folder = fs::path(relative).parent_path(); !folder.empty();
         folder = folder.parent_path()) {
        if (!fs::is_empty(out_dir / folder, ec) || ec) break;
        fs::remove(out_dir / folder, ec);
        if (ec) break;
    }
    return removed;
}

}  // namespace

fs::path static_file_path(std::string_view url_path) {
    while (url_path.starts_with('/')) url_path.remove_prefix(1);
    std::string relative(url_path);
    if (relative.empty() || relative.ends_with('/')) relative += "index.html";
    return fs::path(relative);
}

Result<StaticBuildReport> build_static_site(store::Store& store,
                                            const StaticBuildOptions& options) {
    if (options.out_dir.empty()) {
        return model::fail(Error::Code::invalid_input, "no output folder given");
    }
    std::size_t blog_count = 0;
    auto blog = find_blog(store, options.blog_id, blog_count);
    if (!blog) return std::unexpected(blog.error());
    auto origin = origin_for(*blog, blog_count, options.base_url);
    if (!origin) return std::unexpected(origin.error());
    auto targets = site_targets(store, *blog, options.themes_dir);
    if (!targets) return std::unexpected(targets.error());

    auto site = site::Site::create(store, site::SiteOptions{.themes_dir = options.themes_dir,
                                                            .media_dir = options.media_dir,
                                                            .comment_form = false,
                                                            .writer_apps = false,
                                                            .webmention_endpoint = false});
    if (!site) return std::unexpected(site.error());
    http::Router router;
    (*site)->register_routes(router);

    const auto& out_dir = options.out_dir;
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) {
        return model::fail(Error::Code::io,
                           fmt::format("cannot create {}: {}", out_dir.string(), ec.message()));
    }
    auto previous = read_manifest(out_dir);
    if (!previous) return std::unexpected(previous.error());

    StaticBuildReport report;
    std::set<std::string> files;
    // A build that stops halfway still records what it wrote, so that a later build can
    // remove it; what the last complete build wrote stays listed until then.
    const auto stop = [&](Error error) -> Result<StaticBuildReport> {
        std::set<std::string> known = *previous;
        known.insert(files.begin(), files.end());
        (void)write_manifest(out_dir, known);
        return std::unexpected(std::move(error));
    };

    // What rendering one URL came to: no file (an optional page the site does not have), or
    // the file that holds it, written or left as it was.
    struct Outcome {
        bool kept = false;
        bool written = false;
        fs::path relative;
    };
    const auto render = [&](const Target& target) -> Result<Outcome> {
        if (!is_safe_url_path(target.path)) {
            if (target.optional) return Outcome{};
            return model::fail(Error::Code::invalid_input,
                               fmt::format("{}: not a path a file can be written at", target.path));
        }
        http::Request request;
        request.method = "GET";
        request.target = target.path;
        request.path = target.path;
        request.host = origin->host;
        request.remote_address = "127.0.0.1";
        request.headers.emplace_back("Host", origin->host_header);
        auto response = router.dispatch(request);
        if (target.status == 301 && response.status == 301) {
            const auto location = std::ranges::find_if(
                response.headers, [](const auto& header) { return header.first == "Location"; });
            if (location != response.headers.end()) response.body = redirect_page(location->second);
        }
        if (response.status != target.status) {
            if (target.optional) return Outcome{};
            return model::fail(Error::Code::internal,
                               fmt::format("GET {} answered {} (nothing was removed)", target.path,
                                           response.status));
        }
        Outcome outcome{true, false, static_file_path(target.path)};
        const auto file = out_dir / outcome.relative;
        auto same = holds_bytes(file, response.body);
        if (!same) return std::unexpected(same.error());
        if (!*same) {
            if (auto written = write_atomically(file, response.body); !written) {
                return std::unexpected(written.error());
            }
            outcome.written = true;
        }
        return outcome;
    };

    // Pages are rendered by several threads, as the server answers requests: a build is
    // mostly rendering, and each page is independent of the others. The results are taken
    // in the targets' order, so the report and a failure are the same as one by one.
    std::vector<std::optional<Result<Outcome>>> outcomes(targets->size());
    {
        std::atomic<std::size_t> next{0};
        std::atomic<bool> failed{false};
        std::mutex progress_mutex;
        std::size_t done = 0;
        const auto work = [&] {
            while (!failed) {
                const auto i = next++;
                if (i >= outcomes.size()) return;
                auto outcome = render((*targets)[i]);
                if (!outcome) failed = true;
                outcomes[i] = std::move(outcome);
                if (options.progress) {
                    std::scoped_lock lock(progress_mutex);
                    options.progress(++done, outcomes.size());
                }
            }
        };
        const auto thread_count =
            std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, k_max_build_threads);
        std::vector<std::jthread> threads;
        for (unsigned t = 1; t < thread_count; ++t) threads.emplace_back(work);
        work();
    }
    const auto take = [&](const Target& target, Result<Outcome>& outcome) -> model::Status {
        if (!outcome) return std::unexpected(outcome.error());
        if (!outcome->kept) return {};
        if (outcome->written) {
            ++report.written;
        } else {
            ++report.unchanged;
        }
        files.insert(outcome->relative.generic_string());
        report.urls.push_back(target.path);
        return {};
    };
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        // A slot left empty was not reached: an earlier target failed, and is met first.
        if (!outcomes[i]) continue;
        if (auto taken = take((*targets)[i], *outcomes[i]); !taken) return stop(taken.error());
    }
    // Past the sitemap limit, each numbered part that exists may be followed by another:
    // asked for one after the other, from the first, until the site has no more.
    for (int part = 1;; ++part) {
        const Target target{fmt::format("/sitemap-{}.xml", part), true};
        auto outcome = render(target);
        if (auto taken = take(target, outcome); !taken) return stop(taken.error());
        if (!outcome->kept) break;
    }

    for (const auto& old : *previous) {
        if (files.contains(old)) continue;
        auto removed = remove_stale(out_dir, old);
        if (!removed) return stop(removed.error());
        if (*removed) ++report.removed;
    }
    if (auto recorded = write_manifest(out_dir, files); !recorded) {
        return std::unexpected(recorded.error());
    }
    return report;
}

}  // namespace carnet::interop
