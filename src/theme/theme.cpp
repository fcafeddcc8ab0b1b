#include "theme/theme.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <utility>

#include "text/text.hpp"
#include "theme/catalog.hpp"
#include "theme/date_texts.hpp"
#include "theme/headings.hpp"
#include "theme/page_templates.hpp"
#include "theme/template_engine.hpp"

namespace carnet::theme {
namespace {

using model::Error;

// The strings templates use as {{t.<key>}}. Every msgid is in locales/*.po; the templates
// never carry words of their own, so a translator only ever edits .po files.
constexpr auto k_template_strings = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"skip_to_content", "Skip to content"},
    {"sidebar", "Sidebar"},
    {"categories", "Categories"},
    {"archives", "Archives"},
    {"recent_posts", "Recent posts"},
    {"posted_in", "Posted in"},
    {"permalink", "Permalink"},
    {"share_facebook", "Facebook"},
    {"share_facebook_label", "Share on Facebook"},
    {"share_x", "X"},
    {"share_x_label", "Share on X"},
    {"share_email", "E-mail"},
    {"share_email_label", "Share by e-mail"},
    {"pagination", "Pagination"},
    {"newer_posts", "Newer posts"},
    {"older_posts", "Older posts"},
    {"no_posts", "No posts yet."},
    {"not_found_heading", "Page not found"},
    {"not_found_text", "The page you asked for does not exist or has moved."},
    {"back_home", "Back to the home page"},
    {"powered_by", "Powered by carnet"},
    {"search", "Search"},
    {"search_heading", "Search"},
    {"search_button", "Search"},
    {"search_label", "Words to search for"},
    {"feeds", "Feeds"},
    {"pages", "Pages"},
    {"comment_form_heading", "Leave a comment"},
    {"comment_name", "Name"},
    {"comment_email", "E-mail (optional, never shown)"},
    {"comment_url", "Web site (optional)"},
    {"comment_body", "Comment"},
    {"comment_body_hint",
     "Paragraphs, *emphasis*, [links](https://…), > quotes, `code` and lists; no HTML."},
    {"comment_send", "Send"},
    {"comment_reply", "Reply"},
    {"comment_replying_to", "Replying to"},
    {"comment_cancel_reply", "Cancel the reply"},
    {"comment_honeypot", "Leave this field empty"},
    {"comment_held", "Thank you: your comment will appear once it has been read."},
    {"comment_approved", "Thank you for your comment."},
    {"comments_closed", "Comments are closed."},
    {"older_comments", "Older comments"},
    {"newer_comments", "Newer comments"},
});

// Strings with a {placeholder}, filled in here rather than in a template.
constexpr std::string_view k_archives_day = "Archives for {day}";
constexpr std::string_view k_archives_month = "Archives for {month}";
constexpr std::string_view k_archives_year = "Archives for {year}";
constexpr std::string_view k_category_heading = "Category: {name}";
constexpr std::string_view k_comments_count = "Comments ({count})";
constexpr std::string_view k_share_count = "{count} share";
constexpr std::string_view k_shares_count = "{count} shares";
constexpr std::string_view k_like_count = "{count} like";
constexpr std::string_view k_likes_count = "{count} likes";
constexpr std::string_view k_page_number = "Page {number}";
constexpr std::string_view k_untitled = "(untitled)";
constexpr std::string_view k_not_found_heading = "Page not found";
constexpr std::string_view k_search_heading = "Search";
constexpr std::string_view k_search_title = "Search: {query}";
constexpr std::string_view k_posts_found = "Posts found: {count}";
constexpr std::string_view k_no_match = "No post matches your search.";
constexpr std::string_view k_more_found =
    "More than {count} posts found: the newest {count} are listed. Add a word to narrow the "
    "search.";

constexpr std::string_view k_title_separator = " — ";

// Replaces every "{name}" in `text` by `value`. Translations are never used as format
// strings: a translator's typo must not become a crash or a format injection.
std::string fill(std::string text, std::string_view name, std::string_view value) {
    const std::string placeholder = fmt::format("{{{}}}", name);
    for (auto at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + value.size())) {
        text.replace(at, placeholder.size(), value);
    }
    return text;
}

// RFC 3986 percent-encoding of everything but the unreserved characters, for a value put in
// a query string. (The theme module does not link Boost.URL for these few lines.)
std::string percent_encode(std::string_view text) {
    std::string out;
    out.reserve(text.size() * 3);
    for (unsigned char c : text) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            // By hand: a format per byte was a tenth of a listing's render (every post's
            // share links encode its title and address).
            constexpr std::string_view hex = "0123456789ABCDEF";
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

std::string page_path(const std::string& base_path, int page) {
    return page <= 1 ? base_path : fmt::format("{}page/{}/", base_path, page);
}

// The model's default, for a blog saved without one.
std::string locale_of(const model::Blog& blog) { return blog.locale.empty() ? "fr" : blog.locale; }

model::LocalDateTime utc_reading(model::Instant instant) {
    using namespace std::chrono;
    const auto day_point = floor<days>(instant);
    const year_month_day date{day_point};
    return model::LocalDateTime{static_cast<int>(date.year()),
                                static_cast<int>(static_cast<unsigned>(date.month())),
                                static_cast<int>(static_cast<unsigned>(date.day()))};
}

// Builds the view model of one page for one blog: everything a template shows, already
// translated, formatted and linked.
class PageBuilder {
public:
    PageBuilder(const model::Blog& blog, const Catalog* catalog,
                std::shared_ptr<const ViewValue> strings, const DateTextsCache& dates,
                const PageContext& context)
        : blog_(blog),
          catalog_(catalog),
          strings_(std::move(strings)),
          context_(context),
          zone_(model::is_known_time_zone(blog.time_zone) ? blog.time_zone : "UTC"),
          locale_(locale_of(blog)),
          dates_(dates.get(locale_, zone_)) {}

    std::string text(std::string_view msgid) const {
        if (catalog_) {
            if (const auto* found = catalog_->find(msgid)) return *found;
        }
        return std::string(msgid);
    }

    // The frame every page shares: <head>, header, sidebar, footer.
    ViewObject page(const std::string& heading, bool title_is_h1, const Sidebar& sidebar) const {
        ViewObject view;
        std::string lang = locale_;
        std::replace(lang.begin(), lang.end(), '_', '-');
        view.set("lang", lang);
        std::string page_title = heading;
        if (page_title.empty()) {
            page_title = blog_.title;
        } else if (!blog_.title.empty()) {
            page_title += k_title_separator;
            page_title += blog_.title;
        }
        view.set("page_title", page_title);
        view.set("blog_title", blog_.title);
        view.set("has_subtitle", !blog_.subtitle.empty());
        view.set("blog_subtitle", blog_.subtitle);
        view.set("title_is_h1", title_is_h1);
        view.set("on_post_page", false);
        const std::string canonical = absolute_url(context_.path.empty() ? "/" : context_.path);
        view.set("has_canonical", is_absolute(canonical));
        view.set("canonical_url", canonical);
        view.set("og_title", heading.empty() ? blog_.title : heading);
        view.set("og_type", "website");
        view.set("og_locale", og_locale());
        set_description(view, blog_.subtitle);
        view.set("has_json_ld", false);
        view.set("search_query", "");
        // {{#headings_from_h2}}{{{html}}}{{/headings_from_h2}}: a template puts the headings of
        // a post's body below the heading it gave the post's title (theme/headings.hpp).
        static constexpr std::array<std::string_view, 5> k_headings_from = {
            "headings_from_h2", "headings_from_h3", "headings_from_h4", "headings_from_h5",
            "headings_from_h6"};
        static constexpr std::array<int, 5> k_tops = {2, 3, 4, 5, 6};
        for (std::size_t i = 0; i < k_tops.size(); ++i) {
            view.set_key(k_headings_from[i], ViewFilter{[](const void* top, std::string section) {
                                                            return headings_from(
                                                                section,
                                                                *static_cast<const int*>(top));
                                                        },
                                                        &k_tops[i]});
        }

        ViewList feeds;
        for (const auto& feed : context_.feeds) {
            ViewObject item;
            item.set("title", feed.title);
            item.set("type", feed.type);
            item.set("url", feed.url);
            feeds.push_back(std::move(item));
        }
        view.set("has_feeds", !feeds.empty());
        view.set("edit_uri", context_.edit_uri);
        view.set("webmention", context_.webmention);
        if (!context_.activity_object.empty()) {
            view.set("activity_object", context_.activity_object);
        }
        view.set("feeds", std::move(feeds));

        view.set("t", ViewValue(strings_));
        view.set("sidebar",
                 sidebar.prepared ? ViewValue(sidebar.prepared) : ViewValue(sidebar_view(sidebar)));
        return view;
    }

    // Posts under one header per local day, in the order given.
    // The posts must outlive the render: their bodies are borrowed, not copied.
    ViewList days(std::span<const model::Post> posts) const {
        ViewList days;
        ViewList day_posts;
        std::optional<model::LocalDateTime> current_day;
        model::Instant current_instant{};
        const auto close_day = [&] {
            if (!current_day) return;
            ViewObject day;
            day.set("label", dates_.day_header(current_instant));
            day.set("date", fmt::format("{:04}-{:02}-{:02}", current_day->year, current_day->month,
                                        current_day->day));
            day.set("posts", std::move(day_posts));
            day_posts.clear();
            days.push_back(std::move(day));
        };
        for (const auto& post : posts) {
            auto local = local_day(post.published_at);
            if (!current_day || *current_day != local) {
                close_day();
                current_day = local;
                current_instant = post.published_at;
            }
            day_posts.push_back(entry(post));
        }
        close_day();
        return days;
    }

    ViewObject entry(const model::Post& post) const {
        ViewObject view;
        const std::string path = model::post_path(blog_, post);
        const std::string title = post.title.empty() ? text(k_untitled) : post.title;
        view.set("id", std::to_string(post.id));
        view.set("title", title);
        view.set("path", path);
        view.set("html", ViewValue::borrowed(post.html));
        view.set("datetime", text::rfc3339_utc(post.published_at));
        view.set("time", dates_.time_of_day(post.published_at));

        ViewList categories;
        for (const auto& category : post.categories) {
            ViewObject item;
            item.set("name", category.name);
            item.set("path", model::category_path(category.slug));
            item.set("first", categories.empty());
            categories.push_back(std::move(item));
        }
        view.set("has_categories", !categories.empty());
        view.set("categories", std::move(categories));

        view.set("comments_path", path + "#comments");
        view.set("comments_label", comments_label(post.comment_count));

        const std::string url = percent_encode(absolute_url(path));
        const std::string encoded_title = percent_encode(title);
        view.set("share_facebook_url", "https://www.facebook.com/sharer/sharer.php?u=" + url);
        view.set("share_x_url", fmt::format("https://twitter.com/intent/tweet?url={}&text={}", url,
                                            encoded_title));
        view.set("share_email_url", fmt::format("mailto:?subject={}&body={}", encoded_title, url));
        return view;
    }

    void set_comments(ViewObject& view, const model::Post& post,
                      const CommentsSection& section) const {
        const auto path = model::post_path(blog_, post);
        // Templates cannot recurse (partials are inlined), so the threads are flattened in
        // reading order: each comment opens an element that stays open for its replies, and
        // `closes` says how many open ones end before it.
        ViewList items;
        int open_elements = 0;
        std::function<void(const CommentNode&, int)> flatten = [&](const CommentNode& node,
                                                                   int depth) {
            ViewObject item;
            const auto& comment = node.comment;
            ViewList closes;
            for (; open_elements > depth; --open_elements) closes.push_back(ViewValue(true));
            item.set("closes", std::move(closes));
            item.set("id", std::to_string(comment.id));
            item.set("author", comment.author_name);
            if (!comment.author_url.empty()) item.set("author_url", comment.author_url);
            if (!comment.author_handle.empty()) item.set("author_handle", comment.author_handle);
            item.set("html", ViewValue::borrowed(comment.html));
            item.set("datetime", text::rfc3339_utc(comment.created_at));
            item.set("when", fmt::format("{} {}", dates_.day_header(comment.created_at),
                                         dates_.time_of_day(comment.created_at)));
            item.set("reply_url", fmt::format("{}?reply={}#comment-form", path, comment.id));
            item.set("open", section.open);
            items.push_back(std::move(item));
            ++open_elements;
            for (const auto& reply : node.replies) flatten(reply, depth + 1);
        };
        for (const auto& node : section.threads) flatten(node, 0);
        ViewList final_closes;
        for (; open_elements > 0; --open_elements) final_closes.push_back(ViewValue(true));
        view.set("has_comments", !items.empty());
        view.set("comment_items", std::move(items));
        if (auto reactions = reactions_label(section.shares, section.likes); !reactions.empty()) {
            view.set("reactions_label", std::move(reactions));
        }
        view.set("comment_final_closes", std::move(final_closes));
        view.set("comments_open", section.open);
        view.set("comment_action", path);
        view.set("comment_stamp", section.stamp);
        view.set("comment_held", section.notice == CommentsSection::Notice::held);
        view.set("comment_approved", section.notice == CommentsSection::Notice::approved);
        if (!section.error.empty()) view.set("comment_error", section.error);
        view.set("comment_name", section.name);
        view.set("comment_email", section.email);
        view.set("comment_url", section.url);
        view.set("comment_body", section.body);
        if (section.parent_id != 0) {
            view.set("comment_parent", std::to_string(section.parent_id));
            view.set("comment_parent_author", section.parent_author);
            view.set("comment_cancel_url", path + "#comment-form");
        }
        if (section.page > 1) {
            view.set("newer_comments_url",
                     section.page == 2
                         ? path + "#comments"
                         : fmt::format("{}?comments={}#comments", path, section.page - 1));
        }
        if (section.page < section.page_count) {
            view.set("older_comments_url",
                     fmt::format("{}?comments={}#comments", path, section.page + 1));
        }
    }

    std::string comments_label(int count) const {
        return fill(text(k_comments_count), "count", dates_.number(count));
    }

    // "3 partages, 12 j'aime": the post's shares and likes, those there are; "" for none.
    std::string reactions_label(int shares, int likes) const {
        // French counts 0 and 1 as one; English 1 alone (the locale files' Plural-Forms).
        const auto one = [&](int count) {
            return locale_.starts_with("fr") ? count <= 1 : count == 1;
        };
        std::string label;
        if (shares > 0) {
            label = fill(text(one(shares) ? k_share_count : k_shares_count), "count",
                         dates_.number(shares));
        }
        if (likes > 0) {
            if (!label.empty()) label += ", ";
            label += fill(text(one(likes) ? k_like_count : k_likes_count), "count",
                          dates_.number(likes));
        }
        return label;
    }

    // The base URL the site chose + path; without one, "https://" + the canonical host +
    // path, or the path alone for a blog with no host yet.
    std::string absolute_url(const std::string& path) const {
        if (!context_.base_url.empty()) return context_.base_url + path;
        if (blog_.hosts.empty() || blog_.hosts.front().empty()) return path;
        return "https://" + blog_.hosts.front() + path;
    }

    static bool is_absolute(std::string_view url) {
        return url.starts_with("https://") || url.starts_with("http://");
    }

    static void set_description(ViewObject& view, const std::string& description) {
        view.set("has_description", !description.empty());
        view.set("description", description);
    }

    // OpenGraph wants language_TERRITORY; a bare language gets its usual territory.
    std::string og_locale() const {
        std::string locale = locale_;
        std::replace(locale.begin(), locale.end(), '-', '_');
        if (locale.find('_') != std::string::npos) return locale;
        if (locale == "fr") return "fr_FR";
        if (locale == "en") return "en_US";
        return locale;
    }

    // schema.org BlogPosting, as JSON a <script> element cannot be broken out of.
    std::string json_ld(const model::Post& post, const std::string& title) const {
        namespace json = boost::json;
        const std::string url = absolute_url(model::post_path(blog_, post));
        try {
            json::object posting;
            posting["@context"] = "https://schema.org";
            posting["@type"] = "BlogPosting";
            posting["headline"] = title;
            posting["datePublished"] = model::rfc3339_in_zone(post.published_at, zone_);
            posting["dateModified"] =
                model::rfc3339_in_zone(std::max(post.updated_at, post.published_at), zone_);
            posting["url"] = url;
            posting["mainEntityOfPage"] = json::object{{"@type", "WebPage"}, {"@id", url}};
            posting["author"] = json::object{{"@type", "Person"}, {"name", blog_.title}};
            posting["publisher"] = json::object{{"@type", "Organization"}, {"name", blog_.title}};
            if (!post.excerpt.empty()) posting["description"] = post.excerpt;
            posting["inLanguage"] = locale_;
            if (!post.categories.empty()) {
                json::array names;
                for (const auto& category : post.categories) names.emplace_back(category.name);
                posting["articleSection"] = names;
                posting["keywords"] = names;
            }
            return script_safe(json::serialize(posting));
        } catch (const std::exception&) {
            // Only allocation can fail here; a page without structured data is still a page.
            return {};
        }
    }

    // Inside <script>, "</script>" or "<!--" in a string would end or change the element;
    // JSON allows Unicode escapes for any character, and these three only occur inside strings.
    static std::string script_safe(std::string_view json) {
        std::string out;
        out.reserve(json.size());
        for (char c : json) {
            switch (c) {
                case '<':
                    out += "\\u003c";
                    break;
                case '>':
                    out += "\\u003e";
                    break;
                case '&':
                    out += "\\u0026";
                    break;
                default:
                    out += c;
            }
        }
        return out;
    }

    // The day and time of a post, as its footer shows them.
    std::string when(model::Instant instant) const {
        return dates_.day_header(instant) + " " + dates_.time_of_day(instant);
    }

    std::string search_title(const std::string& query) const {
        return fill(text(k_search_title), "query", query);
    }

    std::string results_label(int total, bool more) const {
        if (total == 0) return text(k_no_match);
        return fill(text(more ? k_more_found : k_posts_found), "count", dates_.number(total));
    }

    std::string listing_heading(const Listing& listing) const {
        switch (listing.kind) {
            case ListingKind::home:
                return {};
            case ListingKind::year:
                return fill(text(k_archives_year), "year",
                            dates_.year(middle_of_day(listing.year, 1, 1)));
            case ListingKind::month:
                return fill(text(k_archives_month), "month",
                            dates_.month_year(middle_of_day(listing.year, listing.month, 1)));
            case ListingKind::day:
                return fill(
                    text(k_archives_day), "day",
                    dates_.long_date(middle_of_day(listing.year, listing.month, listing.day)));
            case ListingKind::category:
                return fill(text(k_category_heading), "name", listing.category.name);
        }
        return {};
    }

    std::string page_number(int page) const {
        return fill(text(k_page_number), "number", dates_.number(page));
    }

    // Owns every string: a prepared sidebar outlives the render that made it.
    ViewObject sidebar_view(const Sidebar& sidebar) const {
        ViewObject view;
        ViewList categories;
        categories.reserve(sidebar.categories.size());
        for (const auto& category : sidebar.categories) {
            ViewObject item;
            item.reserve(3);
            item.set("name", category.name);
            item.set("path", model::category_path(category.slug));
            item.set("count", dates_.number(category.post_count));
            categories.push_back(std::move(item));
        }
        view.set("has_categories", !categories.empty());
        view.set("categories", std::move(categories));

        ViewList months;
        if (sidebar.prepared_months.size() == sidebar.months.size()) {
            months.reserve(sidebar.prepared_months.size());
            for (const auto& month : sidebar.prepared_months) {
                if (month) months.emplace_back(month);
            }
        } else {
            months.reserve(sidebar.months.size());
            for (const auto& month : sidebar.months) {
                if (auto item = month_view(month)) months.push_back(std::move(*item));
            }
        }
        view.set("has_months", !months.empty());
        view.set("months", std::move(months));

        ViewList pages;
        for (const auto& page : sidebar.pages) {
            ViewObject item;
            item.set("title", page.title);
            item.set("path", model::page_path(page.slug));
            pages.push_back(std::move(item));
        }
        view.set("has_pages", !pages.empty());
        view.set("pages", std::move(pages));

        ViewList recent;
        for (const auto& post : sidebar.recent_posts) {
            ViewObject item;
            item.set("title", post.title.empty() ? text(k_untitled) : post.title);
            item.set("path", model::post_path(blog_, post));
            recent.push_back(std::move(item));
        }
        view.set("has_recent", !recent.empty());
        view.set("recent", std::move(recent));
        return view;
    }

    // The view of each month (nullptr for a month that is none), each a SharedView, taken from
    // `previous` where it showed the same month with the same count. Both lists are newest
    // first.
    std::vector<std::shared_ptr<const ViewValue>> month_views(
        std::span<const model::MonthCount> months, const Sidebar* previous) const {
        std::vector<std::shared_ptr<const ViewValue>> views;
        views.reserve(months.size());
        const bool reusable =
            previous != nullptr && previous->prepared_months.size() == previous->months.size();
        std::size_t at = 0;  // in previous->months
        const auto newer = [](const model::MonthCount& a, const model::MonthCount& b) {
            return std::pair(a.year, a.month) > std::pair(b.year, b.month);
        };
        for (const auto& month : months) {
            if (reusable) {
                while (at < previous->months.size() && newer(previous->months[at], month)) ++at;
                if (at < previous->months.size() && !newer(month, previous->months[at]) &&
                    previous->months[at].post_count == month.post_count) {
                    views.push_back(previous->prepared_months[at]);
                    continue;
                }
            }
            auto item = month_view(month);
            views.push_back(item ? std::make_shared<const ViewValue>(
                                       std::make_shared<const SharedView>(std::move(*item)))
                                 : nullptr);
        }
        return views;
    }

private:
    std::optional<ViewValue> month_view(const model::MonthCount& month) const {
        if (month.month < 1 || month.month > 12) return std::nullopt;
        ViewObject item;
        item.reserve(3);
        item.set("label", dates_.month_year_in_list(middle_of_month(month.year, month.month)));
        item.set("path", model::month_path(month.year, month.month));
        item.set("count", dates_.number(month.post_count));
        return ViewValue(std::move(item));
    }

    model::LocalDateTime local_day(model::Instant instant) const {
        auto local = model::to_local(instant, zone_).value_or(utc_reading(instant));
        local.hour = local.minute = local.second = 0;
        return local;
    }

    // An instant inside the given month in every time zone (noon UTC on the 15th), for its
    // name and year: cheaper than the zone's own reading of a day, which a sidebar listing
    // every month of a blog's life would pay a thousand times.
    static model::Instant middle_of_month(int year, int month) {
        using namespace std::chrono;
        return sys_days{std::chrono::year{year} / month / 15} + hours{12};
    }

    // An instant inside the given local day, for formatting a date that has no post.
    model::Instant middle_of_day(int year, int month, int day) const {
        const model::LocalDateTime noon{year, month, day, 12, 0, 0};
        if (auto instant = model::to_instant(noon, zone_)) return *instant;
        using namespace std::chrono;
        return sys_days{std::chrono::year{year} / 1 / 1} + hours{12};
    }

    const model::Blog& blog_;
    const Catalog* catalog_;
    std::shared_ptr<const ViewValue> strings_;
    const PageContext& context_;
    std::string zone_;
    std::string locale_;
    const DateTexts& dates_;
};

class MustacheTheme final : public Theme {
public:
    MustacheTheme(PageTemplates templates, std::map<std::string, Catalog, std::less<>> catalogs,
                  std::string stylesheet)
        : templates_(std::move(templates)),
          catalogs_(std::move(catalogs)),
          stylesheet_(std::move(stylesheet)) {
        // The {{t.*}} strings of each locale, made once and shared by every page.
        strings_.emplace(nullptr, template_strings(nullptr));
        for (const auto& [locale, catalog] : catalogs_) {
            strings_.emplace(&catalog, template_strings(&catalog));
        }
    }

    void prepare_sidebar(const model::Blog& blog, Sidebar& sidebar,
                         const Sidebar* previous) const override {
        static const PageContext k_no_context;
        // A SharedView: its section is rendered once and the bytes kept, since it holds the
        // strings it shows ("t") and needs nothing of the page around it. So is each month.
        const auto builder = builder_for(blog, k_no_context);
        sidebar.prepared_months = builder.month_views(sidebar.months, previous);
        auto view = builder.sidebar_view(sidebar);
        view.set("t", ViewValue(strings_.at(catalog_for(locale_of(blog)))));
        sidebar.prepared = std::make_shared<const ViewValue>(
            std::make_shared<const SharedView>(ViewValue(std::move(view))));
    }

    std::string render_listing(const model::Blog& blog, const Listing& listing,
                               const Sidebar& sidebar, const PageContext& context) const override {
        const PageBuilder builder = builder_for(blog, context);
        const std::string heading = builder.listing_heading(listing);
        std::string title = heading;
        if (listing.page > 1) {
            const auto number = builder.page_number(listing.page);
            title = title.empty() ? number : title + std::string(k_title_separator) + number;
        }
        auto view = builder.page(title, true, sidebar);
        view.set("has_heading", !heading.empty());
        view.set("heading", heading);
        view.set("days", builder.days(listing.posts));
        if (listing.page_count > 1) {
            view.set("pagination", pagination(listing.page, listing.page_count, [&](int page) {
                         return page_path(listing.base_path, page);
                     }));
        }
        return templates_.render(PageKind::listing, ViewValue(std::move(view)));
    }

    std::string render_post(const model::Blog& blog, const model::Post& post,
                            const Sidebar& sidebar, const PageContext& context,
                            const CommentsSection& comments) const override {
        const PageBuilder builder = builder_for(blog, context);
        const std::string title = post.title.empty() ? builder.text(k_untitled) : post.title;
        auto view = builder.page(title, false, sidebar);
        view.set("on_post_page", true);
        // The post's own address, whatever path the context gave.
        const std::string url = builder.absolute_url(model::post_path(blog, post));
        view.set("has_canonical", PageBuilder::is_absolute(url));
        view.set("canonical_url", url);
        view.set("og_title", title);
        view.set("og_type", "article");
        if (!post.excerpt.empty()) PageBuilder::set_description(view, post.excerpt);
        const auto json_ld = builder.json_ld(post, title);
        view.set("has_json_ld", !json_ld.empty());
        view.set("json_ld", json_ld);
        view.set("days", builder.days(std::span(&post, 1)));
        view.set("comments_heading", builder.comments_label(post.comment_count));
        builder.set_comments(view, post, comments);
        return templates_.render(PageKind::post, ViewValue(std::move(view)));
    }

    std::string render_search(const model::Blog& blog, const SearchPage& search,
                              const Sidebar& sidebar, const PageContext& context) const override {
        const PageBuilder builder = builder_for(blog, context);
        const bool searched = !search.query.empty();
        std::string title =
            searched ? builder.search_title(search.query) : builder.text(k_search_heading);
        if (search.page > 1) {
            title += std::string(k_title_separator) + builder.page_number(search.page);
        }
        auto view = builder.page(title, false, sidebar);
        view.set("search_query", search.query);
        view.set("searched", searched);
        view.set("results_label", builder.results_label(search.total, search.more));
        ViewList hits;
        for (const auto& hit : search.hits) {
            auto item = builder.entry(hit.post);
            item.set("when", builder.when(hit.post.published_at));
            item.set("passage_html", text::html_escape_marking(hit.passage, hit.matches));
            hits.push_back(std::move(item));
        }
        view.set("hits", std::move(hits));
        if (searched && search.page_count > 1) {
            const std::string base = "/search?q=" + percent_encode(search.query);
            view.set("pagination", pagination(search.page, search.page_count, [&](int page) {
                         return page <= 1 ? base : fmt::format("{}&page={}", base, page);
                     }));
        }
        return templates_.render(PageKind::search, ViewValue(std::move(view)));
    }

    std::string render_page(const model::Blog& blog, const model::Page& page,
                            const Sidebar& sidebar, const PageContext& context) const override {
        const PageBuilder builder = builder_for(blog, context);
        const std::string title = page.title.empty() ? builder.text(k_untitled) : page.title;
        auto view = builder.page(title, false, sidebar);
        const std::string url = builder.absolute_url(model::page_path(page.slug));
        view.set("has_canonical", PageBuilder::is_absolute(url));
        view.set("canonical_url", url);
        view.set("og_title", title);
        view.set("page_title", title);
        view.set("page_html", ViewValue::borrowed(page.html));
        return templates_.render(PageKind::page, ViewValue(std::move(view)));
    }

    std::string render_not_found(const model::Blog& blog, const Sidebar& sidebar,
                                 const PageContext& context) const override {
        const PageBuilder builder = builder_for(blog, context);
        auto view = builder.page(builder.text(k_not_found_heading), false, sidebar);
        // A missing page has no address worth naming as canonical.
        view.set("has_canonical", false);
        return templates_.render(PageKind::not_found, ViewValue(std::move(view)));
    }

    const std::string& stylesheet() const override { return stylesheet_; }

    std::string text(std::string_view locale, std::string_view msgid) const override {
        if (const auto* catalog = catalog_for(locale)) {
            if (const auto* found = catalog->find(msgid)) return *found;
        }
        return std::string(msgid);
    }

private:
    template <typename PathOf>
    static ViewObject pagination(int page, int page_count, const PathOf& path_of) {
        ViewObject pagination;
        pagination.set("has_newer", page > 1);
        pagination.set("newer_path", path_of(page - 1));
        pagination.set("has_older", page < page_count);
        pagination.set("older_path", path_of(page + 1));
        return pagination;
    }

    const Catalog* catalog_for(std::string_view locale) const {
        return theme::catalog_for(catalogs_, locale);
    }

    PageBuilder builder_for(const model::Blog& blog, const PageContext& context) const {
        const Catalog* catalog = catalog_for(locale_of(blog));
        return PageBuilder(blog, catalog, strings_.at(catalog), dates_, context);
    }

    static std::shared_ptr<const ViewValue> template_strings(const Catalog* catalog) {
        ViewObject strings;
        strings.reserve(k_template_strings.size());
        for (const auto& [key, msgid] : k_template_strings) {
            const auto* found = catalog ? catalog->find(msgid) : nullptr;
            strings.set_key(key, found ? *found : std::string(msgid));
        }
        return std::make_shared<const ViewValue>(std::move(strings));
    }

    PageTemplates templates_;
    std::map<std::string, Catalog, std::less<>> catalogs_;
    std::string stylesheet_;
    DateTextsCache dates_;
    std::map<const Catalog*, std::shared_ptr<const ViewValue>> strings_;
};

bool is_theme_name(std::string_view name) {
    return !name.empty() && name.front() != '.' &&
           name.find_first_of("/\\") == std::string_view::npos;
}

}  // namespace

Result<std::unique_ptr<Theme>> Theme::load(const std::filesystem::path& themes_dir,
                                           std::string_view name) {
    if (!is_theme_name(name)) {
        return model::fail(Error::Code::invalid_input, fmt::format("bad theme name \"{}\"", name));
    }
    const auto dir = themes_dir / name;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        return model::fail(Error::Code::not_found,
                           fmt::format("theme folder {} is missing", dir.string()));
    }

    auto templates = PageTemplates::load(dir);
    if (!templates) return std::unexpected(templates.error());

    auto stylesheet = read_theme_file(dir / "style.css");
    if (!stylesheet) return std::unexpected(stylesheet.error());

    auto catalogs = load_catalogs(dir / "locales");
    if (!catalogs) return std::unexpected(catalogs.error());

    return std::make_unique<MustacheTheme>(std::move(*templates), std::move(*catalogs),
                                           std::move(*stylesheet));
}

}  // namespace carnet::theme
