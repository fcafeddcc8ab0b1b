// Feeds (Atom 1.0, RSS 2.0, JSON Feed 1.1), sitemaps and the dates and ids they need.
// Private to the site module: pure functions of model values, so they are tested alone.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"

namespace carnet::site {

// What a feed says about itself; the posts come separately.
struct FeedInfo {
    std::string base_url;   // "https://blog.example.org", no trailing slash
    std::string title;      // the blog's title, or "Blog — Category"
    std::string subtitle;   // may be empty
    std::string html_path;  // the page the feed mirrors: "/" or "/list/libye/"
    std::string self_path;  // the feed's own path: "/atom.xml"
};

// The feed formats, with their paths and media types.
enum class FeedFormat { atom, rss, json };
std::string_view feed_file(FeedFormat format);          // "atom.xml", "rss.xml", "feed.json"
std::string_view feed_content_type(FeedFormat format);  // with "; charset=utf-8"
std::string_view feed_label(FeedFormat format);         // "Atom", "RSS", "JSON Feed"

// Renders `posts` (newest first, with html, excerpt and categories) as a complete document.
// Fails only when JSON serialization does (allocation).
[[nodiscard]] model::Result<std::string> render_feed(FeedFormat format, const model::Blog& blog,
                                                     const FeedInfo& info,
                                                     const std::vector<model::Post>& posts);

// A comment with the post it answers, for the comments feeds.
struct FeedComment {
    model::Comment comment;  // approved, html safe
    model::Post post;        // the post it answers (title, date and slug for its address)
};

// An Atom 1.0 feed of comments, newest first: the blog's (/comments/atom.xml) or one post's.
std::string render_comments_feed(const model::Blog& blog, const FeedInfo& info,
                                 const std::vector<FeedComment>& comments);

// A post's id in feeds, which survives a change of slug or of base URL scheme:
// "tag:blog.example.org,2017:post-42" (RFC 4151), from the base URL's host and the year the
// post was first published.
std::string post_tag_uri(std::string_view base_url, const model::Post& post);

struct SitemapUrl {
    std::string loc;  // absolute
    std::optional<model::Instant> lastmod;
};

// A sitemaps.org 0.9 <urlset>.
std::string render_sitemap(const std::vector<SitemapUrl>& urls);

// A sitemaps.org 0.9 <sitemapindex> naming base_url/sitemap-1.xml … sitemap-<count>.xml.
std::string render_sitemap_index(std::string_view base_url, int count);

}  // namespace carnet::site
