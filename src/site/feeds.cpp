#include "site/feeds.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <chrono>

#include "text/text.hpp"

namespace carnet::site {
namespace {

using namespace std::chrono;

constexpr std::string_view k_json_feed_version = "https://jsonfeed.org/version/1.1";

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
    const auto author = text::xml_escape(blog.title);
    std::string out;
    out.reserve(4096 + posts.size() * 8192);
    out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    out += fmt::format("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
                       text::xml_escape(language_of(blog)));
    out += fmt::format("<title type=\"text\">{}</title>\n", text::xml_escape(info.title));
    if (!info.subtitle.empty()) {
        out +=
            fmt::format("<subtitle type=\"text\">{}</subtitle>\n", text::xml_escape(info.subtitle));
    }
    // RFC 4287 §4.2.6: the feed id must never change; the page it mirrors is as stable as
    // the base URL.
    out += fmt::format("<id>{}</id>\n", text::xml_escape(info.base_url + info.html_path));
    out += fmt::format("<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                       text::xml_escape(info.base_url + info.html_path));
    out += fmt::format("<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
                       text::xml_escape(info.base_url + info.self_path));
    out +=
        fmt::format("<updated>{}</updated>\n", model::rfc3339_in_zone(feed_updated(posts), zone));
    out += fmt::format("<author><name>{}</name></author>\n", author);
    out += "<generator>carnet</generator>\n";
    for (const auto& post : posts) {
        const auto url = info.base_url + model::post_path(blog, post);
        out += "<entry>\n";
        out += fmt::format("<title type=\"text\">{}</title>\n", text::xml_escape(post.title));
        out += fmt::format("<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                           text::xml_escape(url));
        out += fmt::format("<id>{}</id>\n", text::xml_escape(post_tag_uri(info.base_url, post)));
        out += fmt::format("<published>{}</published>\n",
                           model::rfc3339_in_zone(post.published_at, zone));
        out +=
            fmt::format("<updated>{}</updated>\n", model::rfc3339_in_zone(modified_at(post), zone));
        out += fmt::format("<author><name>{}</name></author>\n", author);
        for (const auto& category : post.categories) {
            out += fmt::format("<category term=\"{}\" label=\"{}\"/>\n",
                               text::xml_escape(category.name), text::xml_escape(category.name));
        }
        if (!post.excerpt.empty()) {
            out += fmt::format("<summary type=\"text\">{}</summary>\n",
                               text::xml_escape(post.excerpt));
        }
        // type="html": the markup travels escaped, so no CDATA section can be cut short by
        // a "]]>" inside the post.
        out += fmt::format("<content type=\"html\">{}</content>\n", text::xml_escape(post.html));
        out += "</entry>\n";
    }
    out += "</feed>\n";
    return out;
}

std::string render_rss(const model::Blog& blog, const FeedInfo& info,
                       const std::vector<model::Post>& posts) {
    const auto zone = zone_of(blog);
    const auto author = text::xml_escape(blog.title);
    std::string out;
    out.reserve(4096 + posts.size() * 8192);
    out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    out +=
        "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" "
        "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n";
    out += fmt::format("<title>{}</title>\n", text::xml_escape(info.title));
    out += fmt::format("<link>{}</link>\n", text::xml_escape(info.base_url + info.html_path));
    out += fmt::format("<description>{}</description>\n",
                       text::xml_escape(info.subtitle.empty() ? info.title : info.subtitle));
    out += fmt::format("<language>{}</language>\n", text::xml_escape(language_of(blog)));
    out += fmt::format("<lastBuildDate>{}</lastBuildDate>\n",
                       model::rfc822_in_zone(feed_updated(posts), zone));
    out += "<generator>carnet</generator>\n";
    out += fmt::format("<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
                       text::xml_escape(info.base_url + info.self_path));
    for (const auto& post : posts) {
        const auto url = info.base_url + model::post_path(blog, post);
        out += "<item>\n";
        out += fmt::format("<title>{}</title>\n", text::xml_escape(post.title));
        out += fmt::format("<link>{}</link>\n", text::xml_escape(url));
        out += fmt::format("<guid isPermaLink=\"false\">{}</guid>\n",
                           text::xml_escape(post_tag_uri(info.base_url, post)));
        out +=
            fmt::format("<pubDate>{}</pubDate>\n", model::rfc822_in_zone(post.published_at, zone));
        // RSS's own <author> must be an e-mail address; Dublin Core takes a name.
        out += fmt::format("<dc:creator>{}</dc:creator>\n", author);
        for (const auto& category : post.categories) {
            out += fmt::format("<category>{}</category>\n", text::xml_escape(category.name));
        }
        // The summary in <description> for readers that show a digest, the whole post in
        // content:encoded; both are escaped HTML, as RSS 2.0 expects.
        out += fmt::format("<description>{}</description>\n",
                           text::xml_escape(post.excerpt.empty() ? post.html : post.excerpt));
        out += fmt::format("<content:encoded>{}</content:encoded>\n", text::xml_escape(post.html));
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
            item["date_published"] = model::rfc3339_in_zone(post.published_at, zone);
            item["date_modified"] = model::rfc3339_in_zone(modified_at(post), zone);
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
                       text::xml_escape(language_of(blog)));
    out += fmt::format("<title type=\"text\">{}</title>\n", text::xml_escape(info.title));
    out += fmt::format("<id>{}</id>\n", text::xml_escape(info.base_url + info.self_path));
    out += fmt::format("<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                       text::xml_escape(info.base_url + info.html_path));
    out += fmt::format("<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
                       text::xml_escape(info.base_url + info.self_path));
    out += fmt::format("<updated>{}</updated>\n", model::rfc3339_in_zone(updated, zone));
    out += fmt::format("<author><name>{}</name></author>\n", text::xml_escape(blog.title));
    out += "<generator>carnet</generator>\n";
    for (const auto& [comment, post] : comments) {
        const auto url =
            fmt::format("{}{}#comment-{}", info.base_url, model::post_path(blog, post), comment.id);
        const year_month_day date{floor<days>(comment.created_at)};
        out += "<entry>\n";
        out +=
            fmt::format("<title type=\"text\">{}</title>\n",
                        text::xml_escape(fmt::format("{} — {}", comment.author_name, post.title)));
        out += fmt::format("<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                           text::xml_escape(url));
        out +=
            fmt::format("<id>tag:{},{}:comment-{}</id>\n", text::xml_escape(host_of(info.base_url)),
                        static_cast<int>(date.year()), comment.id);
        out += fmt::format("<published>{}</published>\n",
                           model::rfc3339_in_zone(comment.created_at, zone));
        out += fmt::format("<updated>{}</updated>\n",
                           model::rfc3339_in_zone(comment.created_at, zone));
        out += fmt::format("<author><name>{}</name></author>\n",
                           text::xml_escape(comment.author_name));
        out += fmt::format("<content type=\"html\">{}</content>\n", text::xml_escape(comment.html));
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

std::string render_sitemap(const std::vector<SitemapUrl>& urls) {
    std::string out;
    out.reserve(256 + urls.size() * 128);
    out +=
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    for (const auto& url : urls) {
        out += "<url><loc>";
        out += text::xml_escape(url.loc);
        out += "</loc>";
        if (url.lastmod) {
            out += "<lastmod>";
            out += text::rfc3339_utc(*url.lastmod);
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
                           text::xml_escape(fmt::format("{}/sitemap-{}.xml", base_url, number)));
    }
    out += "</sitemapindex>\n";
    return out;
}

}  // namespace carnet::site
