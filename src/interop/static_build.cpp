#include "interop/static_build.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/url/parse.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <system_error>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "http/http.hpp"
#include "interop/interop.hpp"
#include "markup/markup.hpp"
#include "site/site.hpp"
#include "text/file_descriptor.hpp"
#include "text/text.hpp"
#include "theme/theme.hpp"

namespace carnet::interop {
namespace {

namespace fs = std::filesystem;
using model::Error;

// Lists what the last build wrote, so that the next one removes only its own files.
constexpr std::string_view k_manifest_name = ".carnet-build";
// The site's not-found page, which every page's shell (layout, sidebar) is in.
constexpr std::string_view k_not_found_path = "/404.html";
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
    // A digest of what the page shows but the shell every page shares (static_build.hpp).
    std::uint64_t inputs = 0;
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

void add_listing(std::vector<Target>& targets, const std::string& base, std::uint64_t inputs,
                 std::span<const std::uint64_t> posts, int posts_per_page) {
    for (auto& page : static_build::listing_pages(base, inputs, posts, posts_per_page)) {
        targets.push_back({std::move(page.path), false, 200, page.inputs});
    }
}

// The bytes of a file the build reads (the theme's, the last build's).
Result<std::string> file_bytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in) return model::fail(Error::Code::io, fmt::format("cannot read {}", file.string()));
    return std::move(bytes).str();
}

// Every file of the theme, path and bytes: what the theme's pages, stylesheet and scripts
// are made of.
Result<std::uint64_t> theme_fingerprint(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec)) files.push_back(it->path());
    }
    if (ec) {
        return model::fail(Error::Code::io, fmt::format("cannot list the theme folder {}: {}",
                                                        dir.string(), ec.message()));
    }
    std::ranges::sort(files);
    static_build::Digest digest;
    for (const auto& file : files) {
        auto bytes = file_bytes(file);
        if (!bytes) return std::unexpected(bytes.error());
        digest.add(fs::relative(file, dir).generic_string()).add(*bytes);
    }
    return digest.value();
}

// Which program renders: a build of another carnet may render other bytes from the same rows.
std::uint64_t program_fingerprint() {
    std::error_code ec;
    const fs::path self("/proc/self/exe");
    const auto size = fs::file_size(self, ec);
    const auto modified = ec ? fs::file_time_type{} : fs::last_write_time(self, ec);
    static_build::Digest digest;
    if (ec) {
        // Unknown: never the same as a recorded one, so every page is rendered.
        digest.add(static_cast<std::uint64_t>(std::random_device{}()))
            .add(static_cast<std::uint64_t>(std::random_device{}()));
    } else {
        digest.add(static_cast<std::uint64_t>(size))
            .add(static_cast<std::int64_t>(modified.time_since_epoch().count()));
    }
    return digest.value();
}

// Every URL of the blog's public site, from what the store lists, each with the digest of
// what its page shows beside the shell (settings, theme, sidebar) that every page shares.
Result<std::vector<Target>> site_targets(store::Store& store, const model::Blog& blog,
                                         const fs::path& themes_dir, const fs::path& media_dir) {
    using static_build::Digest;
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
        blog.id, store::PostQuery{.limit = std::numeric_limits<int>::max(), .with_body = true});
    if (!posts) return std::unexpected(posts.error());
    auto approved = store.comments().comments(
        blog.id, store::CommentQuery{.status = model::CommentStatus::approved,
                                     .limit = std::numeric_limits<int>::max()});
    if (!approved) return std::unexpected(approved.error());
    std::unordered_map<std::int64_t, std::vector<model::Comment>> comments_of;
    for (auto& comment : approved->comments) {
        comments_of[comment.post_id].push_back(std::move(comment));
    }

    // What each post shows in listings, and on its own page beside that.
    std::vector<std::uint64_t> shown;
    std::vector<std::uint64_t> discussions;
    shown.reserve(posts->posts.size());
    discussions.reserve(posts->posts.size());
    Digest all_posts;
    auto reactions = store.federation().reaction_counts_by_post(blog.id);
    if (!reactions) return std::unexpected(reactions.error());
    for (const auto& post : posts->posts) {
        const auto found = reactions->find(post.id);
        auto& comments = comments_of[post.id];
        std::ranges::sort(comments, {}, [](const model::Comment& comment) {
            return std::pair(comment.created_at, comment.id);
        });
        shown.push_back(static_build::post_digest(post));
        discussions.push_back(static_build::discussion_digest(
            comments, found == reactions->end() ? store::ReactionCounts{} : found->second));
        all_posts.add(shown.back());
    }
    add_listing(targets, "/", 0, shown, blog.posts_per_page);

    // Archives are counted from each post's day in the blog's time zone, as the site files
    // them; newest first, like the posts.
    std::map<int, std::vector<std::uint64_t>, std::greater<>> years;
    std::map<std::pair<int, int>, std::vector<std::uint64_t>, std::greater<>> months;
    std::map<std::tuple<int, int, int>, std::vector<std::uint64_t>, std::greater<>> days;
    std::unordered_map<std::int64_t, std::vector<std::uint64_t>> in_category;
    for (std::size_t i = 0; i < posts->posts.size(); ++i) {
        const auto& post = posts->posts[i];
        auto local = model::to_local(post.published_at, blog.time_zone);
        if (!local) return std::unexpected(local.error());
        years[local->year].push_back(shown[i]);
        months[{local->year, local->month}].push_back(shown[i]);
        days[{local->year, local->month, local->day}].push_back(shown[i]);
        for (const auto& category : post.categories) in_category[category.id].push_back(shown[i]);
    }
    for (const auto& [year, listed] : years) {
        add_listing(targets, model::year_path(year), 0, listed, blog.posts_per_page);
    }
    for (const auto& [month, listed] : months) {
        add_listing(targets, model::month_path(month.first, month.second), 0, listed,
                    blog.posts_per_page);
    }
    for (const auto& [day, listed] : days) {
        const auto [year, month, day_of_month] = day;
        add_listing(targets, model::day_path(year, month, day_of_month), 0, listed,
                    blog.posts_per_page);
    }

    auto categories = store.categories().categories_with_counts(blog.id);
    if (!categories) return std::unexpected(categories.error());
    Digest all_categories;
    for (const auto& category : *categories) {
        const auto base = model::category_path(category.slug);
        const auto& listed = in_category[category.id];
        const auto own = Digest()
                             .add(category.id)
                             .add(category.name)
                             .add(category.slug)
                             .add(category.post_count);
        all_categories.add(own.value());
        add_listing(targets, base, own.value(), listed, blog.posts_per_page);
        Digest feed = own;
        for (const auto post : listed) feed.add(post);
        for (const auto file : k_feed_files) {
            targets.push_back({base + std::string(file), false, 200, feed.value()});
        }
    }

    // What the site-wide feeds, the sitemap and the moved posts' pages may show: any post.
    Digest everything;
    everything.add(all_posts.value()).add(all_categories.value());
    for (std::size_t i = 0; i < posts->posts.size(); ++i) {
        const auto& post = posts->posts[i];
        const auto path = model::post_path(blog, post);
        const auto page = Digest().add(shown[i]).add(discussions[i]).value();
        everything.add(discussions[i]);
        targets.push_back({path, false, 200, page});
        // The post's comment feed, where the site has one.
        targets.push_back({path.substr(0, path.size() - 5) + "/comments.xml", true, 200, page});
    }

    for (const auto file : k_feed_files) {
        targets.push_back({"/" + std::string(file), false, 200, all_posts.value()});
    }
    targets.push_back({"/comments/atom.xml", true, 200, everything.value()});
    targets.push_back({"/sitemap.xml", false, 200, everything.value()});
    // Past the sitemap limit /sitemap.xml is an index of numbered parts: they are asked for
    // after the rest, one after the other until the site has no more.
    targets.push_back({"/robots.txt"});
    // The site's not-found page, for the web server to answer unknown paths with.
    targets.push_back({std::string(k_not_found_path), false, 404});
    // Old addresses of moved or imported posts.
    auto moved = store.redirects().post_redirect_paths(blog.id);
    if (!moved) return std::unexpected(moved.error());
    for (const auto& path : *moved) targets.push_back({path, true, 301, everything.value()});

    auto pages = store.pages().pages(blog.id, true);
    if (!pages) return std::unexpected(pages.error());
    for (const auto& page : *pages) {
        const auto shown_page = Digest()
                                    .add(page.id)
                                    .add(page.title)
                                    .add(page.slug)
                                    .add(page.html)
                                    .add(page.position)
                                    .add(page.updated_at);
        targets.push_back({model::page_path(page.slug), true, 200, shown_page.value()});
    }

    // Which media files are public (variants, GIFs) is the site's decision: every name is
    // asked for, and only what it serves is written. Their names hold their content's hash:
    // what may change is whether the file is there.
    const auto media_file = [&](const std::string& name) {
        Digest digest;
        digest.add(name);
        if (!media_dir.empty()) {
            std::error_code missing;
            const auto file = media_dir / name;
            const auto size = fs::file_size(file, missing);
            const auto modified =
                missing ? fs::file_time_type{} : fs::last_write_time(file, missing);
            if (!missing) {
                digest.add(static_cast<std::uint64_t>(size))
                    .add(static_cast<std::int64_t>(modified.time_since_epoch().count()));
            }
        }
        return Target{"/media/" + name, true, 200, digest.value()};
    };
    for (int offset = 0;; offset += k_media_batch) {
        auto media = store.media().media(blog.id, offset, k_media_batch);
        if (!media) return std::unexpected(media.error());
        for (const auto& record : *media) {
            targets.push_back(media_file(record.file_name));
            for (const auto& variant : record.variants) {
                targets.push_back(media_file(variant.file_name));
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
    if (size == 0) return true;
    auto existing = file_bytes(file);
    if (!existing) return std::unexpected(existing.error());
    return *existing == bytes;
}

// The output's folders known to be there, shared by the build's threads: each is made once,
// with one mkdir. Into an empty output, nearly every file needs a new folder (a cold build
// writes two files for every folder it makes: a post's page and, in its own folder, its
// comment feed), so folders are made ahead of their first file. Into one that holds a
// build, most folders are there: a file is written, and its folder made when it is missing.
class KnownFolders {
public:
    explicit KnownFolders(bool make_ahead) : make_ahead_(make_ahead) {}
    bool make_ahead() const { return make_ahead_; }

    [[nodiscard]] model::Status make(const fs::path& folder) {
        if (folder.empty()) return {};
        {
            std::scoped_lock lock(mutex_);
            if (known_.contains(folder.native())) return {};
        }
        if (::mkdir(folder.c_str(), 0777) != 0 && errno != EEXIST) {
            if (errno != ENOENT) return cannot_create(folder, errno);
            if (auto parent = make(folder.parent_path()); !parent) return parent;
            if (::mkdir(folder.c_str(), 0777) != 0 && errno != EEXIST) {
                return cannot_create(folder, errno);
            }
        }
        std::scoped_lock lock(mutex_);
        known_.insert(folder.native());
        return {};
    }

private:
    static model::Status cannot_create(const fs::path& folder, int error) {
        return model::fail(Error::Code::io, fmt::format("cannot create {}: {}", folder.string(),
                                                        std::strerror(error)));
    }

    const bool make_ahead_;
    std::mutex mutex_;
    std::unordered_set<std::string> known_;
};

// Replaces `file` with `bytes` through a temporary file in the same folder: a web server
// reading the folder meanwhile sees the old file or the new one, never half of one.
model::Status write_atomically(const fs::path& file, std::string_view bytes,
                               KnownFolders& folders) {
    static const auto pid = ::getpid();
    const auto folder = file.parent_path();
    const auto temporary = folder / fmt::format(".{}.{}.tmp", file.filename().string(), pid);
    if (folders.make_ahead()) {
        if (auto made = folders.make(folder); !made) return made;
    }
    const auto open_temporary = [&] {
        return ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                      0666);
    };
    auto opened = open_temporary();
    if (opened < 0 && errno == ENOENT) {
        if (auto made = folders.make(folder); !made) return made;
        opened = open_temporary();
    }
    FileDescriptor out(opened);
    if (!out.is_open()) {
        return model::fail(Error::Code::io,
                           fmt::format("cannot write {}: {}", file.string(), std::strerror(errno)));
    }
    std::error_code ec;
    for (std::size_t done = 0; done < bytes.size();) {
        const auto wrote = ::write(out.get(), bytes.data() + done, bytes.size() - done);
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote <= 0) {
            const auto message = std::strerror(errno);
            fs::remove(temporary, ec);
            return model::fail(Error::Code::io,
                               fmt::format("cannot write {}: {}", file.string(), message));
        }
        done += static_cast<std::size_t>(wrote);
    }
    if (!out.close()) {
        const auto message = std::strerror(errno);
        fs::remove(temporary, ec);
        return model::fail(Error::Code::io,
                           fmt::format("cannot write {}: {}", file.string(), message));
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

// The bytes a page holds at its sidebar: the sidebar, then spaces to the end of its slot.
std::string sidebar_in_slot(std::string_view sidebar) {
    std::string bytes(sidebar);
    bytes.resize(static_build::sidebar_slot(sidebar.size()), ' ');
    return bytes;
}

// Whether `held`, the bytes of a page at its sidebar's slot, are the sidebar the last build
// wrote there and the spaces after it.
bool holds_old_sidebar(std::string_view held, const static_build::ManifestSidebar& old_sidebar,
                       bool section_on_line) {
    if (held.size() < old_sidebar.length) return false;
    const auto sidebar = held.substr(0, old_sidebar.length);
    if (static_build::Digest().add(sidebar).add(section_on_line).value() != old_sidebar.digest) {
        return false;
    }
    return held.find_first_not_of(' ', old_sidebar.length) == std::string_view::npos;
}

// Writes `slot` over the slot of the same size at byte `at` of `file`, in place. False, and
// nothing written, when the file there is not the old sidebar, or when the file has other
// names (hard links: a copy kept elsewhere would change with it, where a new file leaves it
// as it was).
Result<bool> write_slot_in_place(const fs::path& file, std::int64_t at,
                                 const static_build::ManifestSidebar& old_sidebar,
                                 std::string_view slot, bool section_on_line) {
    FileDescriptor fd(::open(file.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.is_open()) return false;
    struct stat status {};
    if (::fstat(fd.get(), &status) != 0 || !S_ISREG(status.st_mode) || status.st_nlink != 1 ||
        status.st_size < at + static_cast<std::int64_t>(slot.size())) {
        return false;
    }
    std::string held(slot.size(), '\0');
    if (::pread(fd.get(), held.data(), held.size(), at) != static_cast<ssize_t>(held.size()) ||
        !holds_old_sidebar(held, old_sidebar, section_on_line)) {
        return false;
    }
    // A full disk cannot fail here (the blocks are there); an I/O error leaves the page
    // half-written, and the build stops with its manifest saying nothing is up to date.
    if (::pwrite(fd.get(), slot.data(), slot.size(), at) != static_cast<ssize_t>(slot.size()) ||
        !fd.close()) {
        return model::fail(Error::Code::io,
                           fmt::format("cannot write {}: {}", file.string(), std::strerror(errno)));
    }
    return true;
}

// Puts `sidebar` in place of the sidebar the last build wrote at byte `at` of `file`: the
// page's other bytes are those a render would write, since only the sidebar changed. When
// the new sidebar takes a slot of the old one's size, only the slot is written, in place;
// else the page is written afresh. False, and nothing written, when the file does not hold
// that sidebar there (edited, cut): the page is rendered instead.
Result<bool> splice_sidebar(KnownFolders& folders, const fs::path& file, std::int64_t at,
                            const static_build::ManifestSidebar& old_sidebar,
                            std::string_view sidebar, bool section_on_line) {
    const auto slot = sidebar_in_slot(sidebar);
    const auto old_slot = old_sidebar.slot == 0 ? old_sidebar.length : old_sidebar.slot;
    if (old_slot == slot.size()) {
        auto in_place = write_slot_in_place(file, at, old_sidebar, slot, section_on_line);
        if (!in_place || *in_place) return in_place;
    }
    auto bytes = file_bytes(file);
    if (!bytes) return false;
    const auto begin = static_cast<std::size_t>(at);
    if (begin > bytes->size() || old_slot > bytes->size() - begin) return false;
    const std::string_view held = std::string_view(*bytes).substr(begin, old_slot);
    if (!holds_old_sidebar(held, old_sidebar, section_on_line)) return false;
    std::string page;
    page.reserve(bytes->size() - held.size() + slot.size());
    page.append(*bytes, 0, begin);
    page += slot;
    page.append(*bytes, begin + held.size());
    if (auto written = write_atomically(file, page, folders); !written) {
        return std::unexpected(written.error());
    }
    return true;
}

// What the last build recorded in the folder; nothing when there is no manifest.
Result<static_build::Manifest> read_manifest(const fs::path& out_dir) {
    const auto file = out_dir / k_manifest_name;
    std::error_code ec;
    if (!fs::exists(file, ec)) return static_build::Manifest{};
    auto text = file_bytes(file);
    if (!text) return std::unexpected(text.error());
    return static_build::parse_manifest(*text);
}

// The URL a file of the copy holds (static_file_path the other way).
std::string url_of_file(std::string_view relative) {
    constexpr std::string_view index = "index.html";
    if (relative == index) return "/";
    if (relative.ends_with("/" + std::string(index))) {
        relative.remove_suffix(index.size());
    }
    return "/" + std::string(relative);
}

// When the blog has not changed since the last complete build (same generation) and the
// build would render with the same program, options and theme, the folder already holds
// what a build would write: the report of a build that renders nothing, or nothing when a
// page must be rendered (or a file of the last build has gone).
std::optional<StaticBuildReport> unchanged_build(const fs::path& out_dir,
                                                 const static_build::Manifest& manifest,
                                                 std::uint64_t generation,
                                                 std::uint64_t fingerprint) {
    if (manifest.generation == 0 || manifest.generation != generation ||
        manifest.fingerprint != fingerprint) {
        return std::nullopt;
    }
    StaticBuildReport report;
    for (const auto& entry : manifest.entries) {
        if (entry.key.starts_with('/')) continue;  // a URL the site did not have
        std::error_code ec;
        if (!fs::is_regular_file(out_dir / entry.key, ec)) return std::nullopt;
        report.urls.push_back(url_of_file(entry.key));
    }
    report.unchanged = static_cast<int>(report.urls.size());
    return report;
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
    using static_build::Digest;
    if (options.out_dir.empty()) {
        return model::fail(Error::Code::invalid_input, "no output folder given");
    }
    std::size_t blog_count = 0;
    auto blog = find_blog(store, options.blog_id, blog_count);
    if (!blog) return std::unexpected(blog.error());
    auto origin = origin_for(*blog, blog_count, options.base_url);
    if (!origin) return std::unexpected(origin.error());
    // Read before anything else: a write that lands during the build gives the next build a
    // newer generation than the one recorded, so it looks again.
    auto generation = store.stored_generation(blog->id);
    if (!generation) return std::unexpected(generation.error());
    auto theme = theme_fingerprint(options.themes_dir / blog->theme);
    if (!theme) return std::unexpected(theme.error());
    std::error_code ec;
    const auto fingerprint = Digest()
                                 .add(program_fingerprint())
                                 .add(static_build::blog_digest(*blog))
                                 .add(origin->host)
                                 .add(origin->host_header)
                                 .add(fs::absolute(options.themes_dir, ec).string())
                                 .add(fs::absolute(options.media_dir, ec).string())
                                 .add(*theme)
                                 .value();

    const auto& out_dir = options.out_dir;
    auto previous = read_manifest(out_dir);
    if (!previous) return std::unexpected(previous.error());
    StaticBuildReport report;
    if (auto same = unchanged_build(out_dir, *previous, *generation, fingerprint)) {
        return *same;
    }

    auto targets = site_targets(store, *blog, options.themes_dir, options.media_dir);
    if (!targets) return std::unexpected(targets.error());

    auto site = site::Site::create(store, site::SiteOptions{.themes_dir = options.themes_dir,
                                                            .media_dir = options.media_dir,
                                                            .comment_form = false,
                                                            .writer_apps = false,
                                                            .webmention_endpoint = false});
    if (!site) return std::unexpected(site.error());
    http::Router router;
    (*site)->register_routes(router);

    // Into a folder that held nothing, every file is new: none is read to see whether it
    // already holds its page.
    const bool empty_at_start = !fs::exists(out_dir, ec) || fs::is_empty(out_dir, ec);
    KnownFolders folders(empty_at_start);
    if (auto made = folders.make(out_dir); !made) return std::unexpected(made.error());

    // What each key (a file, or the URL of a page the site did not have) showed last time.
    std::unordered_map<std::string, static_build::ManifestEntry> recorded;
    std::set<std::string> previous_files;
    for (const auto& entry : previous->entries) {
        recorded[entry.key] = entry;
        if (!entry.key.starts_with('/')) previous_files.insert(entry.key);
    }

    std::set<std::string> files;
    static_build::Manifest manifest;
    // A build that stops halfway still records what it wrote, so that a later build can
    // remove it; what the last complete build wrote stays listed until then, and nothing is
    // taken as up to date.
    const auto stop = [&](Error error) -> Result<StaticBuildReport> {
        std::set<std::string> known = previous_files;
        known.insert(files.begin(), files.end());
        static_build::Manifest partial;
        for (const auto& file : known) partial.entries.push_back({file, 0});
        (void)write_atomically(out_dir / k_manifest_name, static_build::format_manifest(partial),
                               folders);
        return std::unexpected(std::move(error));
    };

    const auto respond = [&](const Target& target) {
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
        return response;
    };
    // The answer, and where the theme wrote the sidebar in it.
    struct Traced {
        http::Response response;
        std::vector<theme::SidebarTrace::Write> writes;
        bool elsewhere = false;
    };
    const auto respond_traced = [&](const Target& target) {
        theme::SidebarTrace trace;
        Traced traced{respond(target), {}, false};
        // A moved post's file is our page that sends the reader on: no sidebar.
        if (traced.response.status != 301) {
            traced.writes = std::move(trace.writes);
            traced.elsewhere = trace.elsewhere;
        }
        return traced;
    };

    // Every page holds the layout and the sidebar, as the not-found page does: rendered
    // first, its bytes are the shell every page's digest starts from. The sidebar, when the
    // theme writes it as one span, is left out of the shell: a page whose other inputs are
    // unchanged then gets the new sidebar put in place (splice_sidebar), not a new render.
    const Target not_found_target{std::string(k_not_found_path), false, 404};
    const auto not_found_traced = respond_traced(not_found_target);
    const auto& not_found = not_found_traced.response;
    if (not_found.status != 404) {
        return model::fail(Error::Code::internal,
                           fmt::format("GET {} answered {} (nothing was removed)", k_not_found_path,
                                       not_found.status));
    }
    std::string_view sidebar;
    bool sidebar_known = false;
    bool sidebar_section_on_line = false;
    if (!not_found_traced.elsewhere && not_found_traced.writes.size() == 1 &&
        not_found_traced.writes.front().ends_line) {
        const auto& write = not_found_traced.writes.front();
        sidebar = std::string_view(not_found.body).substr(write.offset, write.length);
        sidebar_known = true;
        sidebar_section_on_line = write.section_on_line;
    }
    const static_build::ManifestSidebar sidebar_now =
        sidebar_known ? static_build::ManifestSidebar{Digest()
                                                          .add(sidebar)
                                                          .add(sidebar_section_on_line)
                                                          .value(),
                                                      sidebar.size(),
                                                      static_build::sidebar_slot(sidebar.size())}
                      : static_build::ManifestSidebar{};
    std::string shell_bytes = not_found.body;
    if (sidebar_known) {
        shell_bytes.erase(not_found_traced.writes.front().offset, sidebar.size());
    }
    const auto shell = Digest().add(fingerprint).add(sidebar_known).add(shell_bytes).value();
    // Where a rendered page holds the sidebar (static_build::ManifestEntry::sidebar_at).
    const auto sidebar_place = [&](const Traced& traced) -> std::int64_t {
        if (traced.elsewhere) return static_build::k_sidebar_elsewhere;
        if (traced.writes.empty()) return static_build::k_no_sidebar;
        if (!sidebar_known || traced.writes.size() != 1) return static_build::k_sidebar_elsewhere;
        const auto& write = traced.writes.front();
        const std::string_view body = traced.response.body;
        if (write.section_on_line != sidebar_section_on_line || !write.ends_line ||
            write.offset > body.size() || body.substr(write.offset, write.length) != sidebar) {
            return static_build::k_sidebar_elsewhere;
        }
        return static_cast<std::int64_t>(write.offset);
    };
    const auto inputs_of = [&](const Target& target) {
        return Digest().add(shell).add(target.path).add(target.inputs).value();
    };

    // What taking one URL came to: no file (an optional page the site does not have), or
    // the file that holds it, written or left as it was; rendered or known from last time.
    struct Outcome {
        bool kept = false;
        bool written = false;
        bool rendered = false;
        fs::path relative;
        std::uint64_t inputs = 0;
        bool spliced = false;  // written with the new sidebar, not rendered
        std::int64_t sidebar_at = static_build::k_no_sidebar;
    };
    const auto take_one = [&](const Target& target) -> Result<Outcome> {
        if (!static_build::is_safe_url_path(target.path)) {
            if (target.optional) return Outcome{};
            return model::fail(Error::Code::invalid_input,
                               fmt::format("{}: not a path a file can be written at", target.path));
        }
        Outcome outcome{true, false, false, static_file_path(target.path), inputs_of(target)};
        const auto file = out_dir / outcome.relative;
        if (const auto found = recorded.find(outcome.relative.generic_string());
            found != recorded.end() && found->second.inputs == outcome.inputs) {
            const auto at = found->second.sidebar_at;
            if (at == static_build::k_no_sidebar || previous->sidebar == sidebar_now) {
                std::error_code missing;
                if (fs::is_regular_file(file, missing)) {
                    outcome.sidebar_at = at;
                    return outcome;
                }
            } else if (at >= 0 && sidebar_known && previous->sidebar.digest != 0) {
                // Not looked for first: splice_sidebar opens the file, and finds whether it is
                // still there and still a file (after a new post, every page gets here).
                auto spliced = splice_sidebar(folders, file, at, previous->sidebar, sidebar,
                                              sidebar_section_on_line);
                if (!spliced) return std::unexpected(spliced.error());
                if (*spliced) {
                    outcome.written = outcome.spliced = true;
                    outcome.sidebar_at = at;
                    return outcome;
                }
            }
        }
        if (const auto found = recorded.find(target.path);
            target.optional && found != recorded.end() && found->second.inputs == outcome.inputs) {
            return Outcome{.inputs = outcome.inputs};
        }
        outcome.rendered = true;
        auto traced = target.path == k_not_found_path ? not_found_traced : respond_traced(target);
        outcome.sidebar_at = sidebar_place(traced);
        auto& response = traced.response;
        if (outcome.sidebar_at >= 0) {
            response.body.insert(static_cast<std::size_t>(outcome.sidebar_at) + sidebar.size(),
                                 static_build::sidebar_slot(sidebar.size()) - sidebar.size(), ' ');
        }
        if (response.status != target.status) {
            if (target.optional) return Outcome{.rendered = true, .inputs = outcome.inputs};
            return model::fail(Error::Code::internal,
                               fmt::format("GET {} answered {} (nothing was removed)", target.path,
                                           response.status));
        }
        auto same = empty_at_start ? Result<bool>(false) : holds_bytes(file, response.body);
        if (!same) return std::unexpected(same.error());
        if (!*same) {
            if (auto written = write_atomically(file, response.body, folders); !written) {
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
                auto outcome = take_one((*targets)[i]);
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
        if (!outcome->kept) {
            manifest.entries.push_back({target.path, outcome->inputs, static_build::k_no_sidebar});
            return {};
        }
        // The not-found page was rendered first, whatever its digest, for the shell.
        if (outcome->rendered || target.path == k_not_found_path) ++report.rendered;
        if (outcome->spliced) ++report.spliced;
        if (outcome->written) {
            ++report.written;
        } else {
            ++report.unchanged;
        }
        const auto relative = outcome->relative.generic_string();
        files.insert(relative);
        manifest.entries.push_back({relative, outcome->inputs, outcome->sidebar_at});
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
    const auto sitemap = std::ranges::find((*targets), std::string("/sitemap.xml"), &Target::path);
    for (int part = 1;; ++part) {
        const Target target{fmt::format("/sitemap-{}.xml", part), true, 200,
                            sitemap == targets->end() ? 0 : sitemap->inputs};
        auto outcome = take_one(target);
        if (auto taken = take(target, outcome); !taken) return stop(taken.error());
        if (!outcome->kept) break;
    }

    for (const auto& old : previous_files) {
        if (files.contains(old)) continue;
        auto removed = remove_stale(out_dir, old);
        if (!removed) return stop(removed.error());
        if (*removed) ++report.removed;
    }
    manifest.generation = *generation;
    manifest.fingerprint = fingerprint;
    manifest.sidebar = sidebar_now;
    if (auto recorded_now = write_atomically(out_dir / k_manifest_name,
                                             static_build::format_manifest(manifest), folders);
        !recorded_now) {
        return std::unexpected(recorded_now.error());
    }
    return report;
}

}  // namespace carnet::interop
