#include "site/feeds.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <chrono>

namespace carnet::site {
namespace {

using namespace std::chrono;

constexpr std::string_view k_json_feed_version = "https://jsonfeed.org/version/1.1";

// The wall-clock reading in `zone` and its offset from UTC in minutes.
struct ZonedReading {
    model::LocalDateTime local;
    int offset_minutes = 0;
};

ZonedReading read_in_zone(model::Instant instant, std::string_view zone) {
    if (model::is_known_time_zone(zone)) {
        if (auto local = model::to_local(instant, zone)) {
            // The offset is what the zone adds to UTC: the wall clock read as if it were UTC,
            // minus the instant.
            const auto wall = sys_days{year{local->year} / static_cast<unsigned>(local->month) /
                                       static_cast<unsigned>(local->day)} +
                              hours{local->hour} + minutes{local->minute} + seconds{local->second};
            return {*local, static_cast<int>(duration_cast<minutes>(wall - instant).count())};
        }
    }
    const auto day = floor<days>(instant);
    const year_month_day date{day};
    const hh_mm_ss time{instant - day};
    return {model::LocalDateTime{static_cast<int>(date.year()),
                                 static_cast<int>(static_cast<unsigned>(date.month())),
                                 static_cast<int>(static_cast<unsigned>(date.day())),
                                 static_cast<int>(time.hours().count()),
                                 static_cast<int>(time.minutes().count()),
                                 static_cast<int>(time.seconds().count())},
            0};
}

std::string_view weekday_name(const model::LocalDateTime& local) {
    constexpr std::array<std::string_view, 7> names{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};
    const weekday day{sys_days{year{local.year} / static_cast<unsigned>(local.month) /
                               static_cast<unsigned>(local.day)}};
    return names[day.c_encoding()];
}

std::string_view month_name(int month) {
    constexpr std::array<std::string_view, 12> names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    return names[static_cast<std::size_t>(std::clamp(month, 1, 12) - 1)];
}

// "example.org" from "https://example.org:8080/path".
std::string host_of(std::string_view url) {
    if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
        url.remove_prefix(scheme + 3);
    }
    url = url.substr(0, url.find('/'));
    if (url.starts_with('[')) {
        url = url.substr(1, url.find(']') - 1);
    } else if (auto colon = url.rfind(':'); colon != std::string_view::npos) {
        url = url.substr(0, colon);
    }
    std::string host(url);
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return host.empty() ? "localhost" : host;
}

std::string zone_of(const model::Blog& blog) {
    return model::is_known_time_zone(blog.time_zone) ? blog.time_zone : "UTC";
}

std::string language_of(const model::Blog& blog) {
    std::string language = blog.locale.empty() ? "fr" : blog.locale;
    std::replace(language.begin(), language.end(), '_', '-');
    return language;
}

model::Instant modified_at(const model::Post& post) {
    return std::max(post.updated_at, post.published_at);
}

// The feed's own date: its newest change, or the epoch for a feed with no post, so the
// same data always gives the same bytes (and the same ETag).
model::Instant feed_updated(const std::vector<model::Post>& posts) {
    model::Instant newest{};
    for (const auto& post : posts) newest = std::max(newest, modified_at(post));
    return newest;
}

std::string render_atom(const model::Blog& blog, const FeedInfo& info,
                        const std::vector<model::Post>& posts) {
    const auto zone = zone_of(blog);
    const auto author = xml_escape(blog.title);
    std::string out;
    out.reserve(4096 + posts.size() * 8192);
    out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    out += fmt::format("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
                       xml_escape(language_of(blog)));
    out += fmt::format("<title type=\"text\">{}</title>\n", xml_escape(info.title));
    if (!info.subtitle.empty()) {
        out += fmt::format("<subtitle type=\"text\">{}</subtitle>\n", xml_escape(info.subtitle));
    }
    // RFC 4287 §4.2.6: the feed id must never change; the page it mirrors is as stable as
    // the base URL.
    out += fmt::format("<id>{}</id>\n", xml_escape(info.base_url + info.html_path));
    out += fmt::format("<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                       xml_escape(info.base_url + info.html_path));
    out += fmt::format("<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
                       xml_escape(info.base_url + info.self_path));
    out += fmt::format("<updated>{}</updated>\n", rfc3339_in_zone(feed_updated(posts), zone));
    out += fmt::format("<author><name>{}</name></author>\n", author);
    out += "<generator>carnet</generator>\n";
    for (const auto& post : posts) {
        const auto url = info.base_url + model::post_path(blog, post);
        out += "<entry>\n";
        out += fmt::format("<title type=\"text\">{}</title>\n", xml_escape(post.title));
        out += fmt::format("<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                           xml_escape(url));
        out += fmt::format("<id>{}</id>\n", xml_escape(post_tag_uri(info.base_url, post)));
        out += fmt::format("<published>{}</published>\n", rfc3339_in_zone(post.published_at, zone));
        out += fmt::format("<updated>{}</updated>\n", rfc3339_in_zone(modified_at(post), zone));
        out += fmt::format("<author><name>{}</name></author>\n", author);
        for (const auto& category : post.categories) {
            out += fmt::format("<category term=\"{}\" label=\"{}\"/>\n", xml_escape(category.name),
                               xml_escape(category.name));
        }
        if (!post.excerpt.empty()) {
            out += fmt::format("<summary type=\"text\">{}</summary>\n", xml_escape(post.excerpt));
        }
        // type="html": the markup travels escaped, so no CDATA section can be cut short by
        // a "]]>" inside the post.
        out += fmt::format("<content type=\"html\">{}</content>\n", xml_escape(post.html));
        out += "</entry>\n";
    }
    out += "</feed>\n";
    return out;
}

std::string render_rss(const model::Blog& blog, const FeedInfo& info,
                       const std::vector<model::Post>& posts) {
    const auto zone = zone_of(blog);
    const auto author = xml_escape(blog.title);
    std::string out;
    out.reserve(4096 + posts.size() * 8192);
    out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    out +=
        "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" "
        "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n";
    out += fmt::format("<title>{}</title>\n", xml_escape(info.title));
    out += fmt::format("<link>{}</link>\n", xml_escape(info.base_url + info.html_path));
    out += fmt::format("<description>{}</description>\n",
                       xml_escape(info.subtitle.empty() ? info.title : info.subtitle));
    out += fmt::format("<language>{}</language>\n", xml_escape(language_of(blog)));
    out += fmt::format("<lastBuildDate>{}</lastBuildDate>\n",
                       rfc822_in_zone(feed_updated(posts), zone));
    out += "<generator>carnet</generator>\n";
    out += fmt::format("<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
                       xml_escape(info.base_url + info.self_path));
    for (const auto& post : posts) {
        const auto url = info.base_url + model::post_path(blog, post);
        out += "<item>\n";
        out += fmt::format("<title>{}</title>\n", xml_escape(post.title));
        out += fmt::format("<link>{}</link>\n", xml_escape(url));
        out += fmt::format("<guid isPermaLink=\"false\">{}</guid>\n",
                           xml_escape(post_tag_uri(info.base_url, post)));
        out += fmt::format("<pubDate>{}</pubDate>\n", rfc822_in_zone(post.published_at, zone));
        // RSS's own <author> must be an e-mail address; Dublin Core takes a name.
        out += fmt::format("<dc:creator>{}</dc:creator>\n", author);
        for (const auto& category : post.categories) {
            out += fmt::format("<category>{}</category>\n", xml_escape(category.name));
        }
        // The summary in <description> for readers that show a digest, the whole post in
        // content:encoded; both are escaped HTML, as RSS 2.0 expects.
        out += fmt::format("<description>{}</description>\n",
                           xml_escape(post.excerpt.empty() ? post.html : post.excerpt));
        out += fmt::format("<content:encoded>{}</content:encoded>\n", xml_escape(post.html));
        out += "</item>\n";
    }
    out += "</channel>\n</rss>\n";
    return out;
}

model::Result<std::string> render_json_feed(const model::Blog& blog, const FeedInfo& info,
                                            const std::vector<model::Post>& posts) {
    namespace json = boost::json;
    const auto zone = zone_of(blog);
    try {
        const json::array authors{json::object{{"name", blog.title}}};
        json::object feed;
        feed["version"] = k_json_feed_version;
        feed["title"] = info.title;
        feed["home_page_url"] = info.base_url + info.html_path;
        feed["feed_url"] = info.base_url + info.self_path;
        if (!info.subtitle.empty()) feed["description"] = info.subtitle;
        feed["language"] = language_of(blog);
        feed["authors"] = authors;
        json::array items;
        for (const auto& post : posts) {
            json::object item;
            item["id"] = post_tag_uri(info.base_url, post);
            item["url"] = info.base_url + model::post_path(blog, post);
            item["title"] = post.title;
            item["content_html"] = post.html;
            if (!post.excerpt.empty()) item["summary"] = post.excerpt;
            item["date_published"] = rfc3339_in_zone(post.published_at, zone);
            item["date_modified"] = rfc3339_in_zone(modified_at(post), zone);
            item["authors"] = authors;
            if (!post.categories.empty()) {
                json::array tags;
                for (const auto& category : post.categories) tags.emplace_back(category.name);
                item["tags"] = std::move(tags);
            }
            items.emplace_back(std::move(item));
        }
        feed["items"] = std::move(items);
        return json::serialize(feed) + "\n";
    } catch (const std::exception& error) {
        return model::fail(model::Error::Code::internal,
                           fmt::format("JSON Feed not written: {}", error.what()));
    }
}

}  // namespace

std::string_view feed_file(FeedFormat format) {
    switch (format) {
        case FeedFormat::atom:
            return "atom.xml";
        case FeedFormat::rss:
            return "rss.xml";
        case FeedFormat::json:
            return "feed.json";
    }
    return {};
}

std::string_view feed_content_type(FeedFormat format) {
    switch (format) {
        case FeedFormat::atom:
            return "application/atom+xml; charset=utf-8";
        case FeedFormat::rss:
            return "application/rss+xml; charset=utf-8";
        case FeedFormat::json:
            return "application/feed+json; charset=utf-8";
    }
    return {};
}

std::string_view feed_label(FeedFormat format) {
    switch (format) {
        case FeedFormat::atom:
            return "Atom";
        case FeedFormat::rss:
            return "RSS";
        case FeedFormat::json:
            return "JSON Feed";
    }
    return {};
}

model::Result<std::string> render_feed(FeedFormat format, const model::Blog& blog,
                                       const FeedInfo& info,
                                       const std::vector<model::Post>& posts) {
    switch (format) {
        case FeedFormat::atom:
            return render_atom(blog, info, posts);
        case FeedFormat::rss:
            return render_rss(blog, info, posts);
        case FeedFormat::json:
            return render_json_feed(blog, info, posts);
    }
    return model::fail(model::Error::Code::internal, "unknown feed format");
}

std::string render_comments_feed(const model::Blog& blog, const FeedInfo& info,
                                 const std::vector<FeedComment>& comments) {
    const auto zone = zone_of(blog);
    model::Instant updated{};
    for (const auto& item : comments) updated = std::max(updated, item.comment.created_at);
    std::string out;
    out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    out += fmt::format("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
                       xml_escape(language_of(blog)));
    out += fmt::format("<title type=\"text\">{}</title>\n", xml_escape(info.title));
    out += fmt::format("<id>{}</id>\n", xml_escape(info.base_url + info.self_path));
    out += fmt::format("<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                       xml_escape(info.base_url + info.html_path));
    out += fmt::format("<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
                       xml_escape(info.base_url + info.self_path));
    out += fmt::format("<updated>{}</updated>\n", rfc3339_in_zone(updated, zone));
    out += fmt::format("<author><name>{}</name></author>\n", xml_escape(blog.title));
    out += "<generator>carnet</generator>\n";
    for (const auto& [comment, post] : comments) {
        const auto url =
            fmt::format("{}{}#comment-{}", info.base_url, model::post_path(blog, post), comment.id);
        const year_month_day date{floor<days>(comment.created_at)};
        out += "<entry>\n";
        out += fmt::format("<title type=\"text\">{}</title>\n",
                           xml_escape(fmt::format("{} — {}", comment.author_name, post.title)));
        out += fmt::format("<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                           xml_escape(url));
        out += fmt::format("<id>tag:{},{}:comment-{}</id>\n", xml_escape(host_of(info.base_url)),
                           static_cast<int>(date.year()), comment.id);
        out +=
            fmt::format("<published>{}</published>\n", rfc3339_in_zone(comment.created_at, zone));
        out += fmt::format("<updated>{}</updated>\n", rfc3339_in_zone(comment.created_at, zone));
        out += fmt::format("<author><name>{}</name></author>\n", xml_escape(comment.author_name));
        out += fmt::format("<content type=\"html\">{}</content>\n", xml_escape(comment.html));
        out += "</entry>\n";
    }
    out += "</feed>\n";
    return out;
}

std::string post_tag_uri(std::string_view base_url, const model::Post& post) {
    const year_month_day date{floor<days>(post.published_at)};
    return fmt::format("tag:{},{}:post-{}", host_of(base_url), static_cast<int>(date.year()),
                       post.id);
}

std::string rfc3339_in_zone(model::Instant instant, std::string_view zone) {
    const auto [local, offset] = read_in_zone(instant, zone);
    const int magnitude = offset < 0 ? -offset : offset;
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", local.year, local.month,
                       local.day, local.hour, local.minute, local.second, offset < 0 ? '-' : '+',
                       magnitude / 60, magnitude % 60);
}

std::string rfc822_in_zone(model::Instant instant, std::string_view zone) {
    const auto [local, offset] = read_in_zone(instant, zone);
    const int magnitude = offset < 0 ? -offset : offset;
    return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} {}{:02}{:02}", weekday_name(local),
                       local.day, month_name(local.month), local.year, local.hour, local.minute,
                       local.second, offset < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
}

std::string http_date(model::Instant instant) {
    const auto reading = read_in_zone(instant, "UTC");
    const auto& local = reading.local;
    return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", weekday_name(local), local.day,
                       month_name(local.month), local.year, local.hour, local.minute, local.second);
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            case '\t':
            case '\n':
            case '\r':
                out += c;
                break;
            default:
                if (static_cast<unsigned char>(c) >= 0x20) out += c;
        }
    }
    return out;
}

std::string render_sitemap(const std::vector<SitemapUrl>& urls) {
    std::string out;
    out.reserve(256 + urls.size() * 128);
    out +=
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    for (const auto& url : urls) {
        out += "<url><loc>";
        out += xml_escape(url.loc);
        out += "</loc>";
        if (url.lastmod) {
            out += "<lastmod>";
            out += model::to_rfc3339(*url.lastmod);
            out += "</lastmod>";
        }
        out += "</url>\n";
    }
    out += "</urlset>\n";
    return out;
}

std::string render_sitemap_index(std::string_view base_url, int count) {
    std::string out;
    out +=
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    for (int number = 1; number <= count; ++number) {
        out += fmt::format("<sitemap><loc>{}</loc></sitemap>\n",
                           xml_escape(fmt::format("{}/sitemap-{}.xml", base_url, number)));
    }
    out += "</sitemapindex>\n";
    return out;
}

}  // namespace carnet::site
